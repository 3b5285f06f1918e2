#!/usr/bin/env bash
# Verify-by-hash throughput, as a share of a trivial JSON handler (/healthz) on the same server,
# with CERTIFICATES certificates stored; and the result page people see (/verify/{hash}) as a
# share of the JSON route. Prints figures; asserts nothing.
#
#   crates/certify/benches/verify_rps.sh                  # a fresh SQLite database
#   crates/certify/benches/verify_rps.sh postgres://...   # an empty PostgreSQL database
#   HASHES=hashes.txt crates/certify/benches/verify_rps.sh URL   # a database seeded before
#   KEEP_DIR=bench-data crates/certify/benches/verify_rps.sh      # keep the SQLite file and hashes;
#                                                               # a later run with the same KEEP_DIR reuses them
#
# Needs wrk (Debian: apt-get install wrk). The load generator runs on the same machine.
set -euo pipefail
cd "$(dirname "$0")/../../.."

CERTIFICATES=${CERTIFICATES:-300000}
DURATION=${DURATION:-15s}
WARMUP_LIMIT=${WARMUP_LIMIT:-600s}
CONNECTIONS=${CONNECTIONS:-64}
PORT=${PORT:-18080}

# shellcheck source=lib.sh
. crates/certify/benches/lib.sh
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }
bench_build
bench_workdir
if [ -n "${KEEP_DIR:-}" ] && [ -z "${HASHES:-}" ] && [ -s "$work/hashes.txt" ]; then
  HASHES=$work/hashes.txt
fi
database=${1:-"sqlite://$work/bench.db?mode=rwc"}
export CERTIFY_DATABASE_URL=$database CERTIFY_LOG_FORMAT=json RUST_LOG=warn

if [ -n "${HASHES:-}" ]; then
  [ "$HASHES" -ef "$work/hashes.txt" ] || cp "$HASHES" "$work/hashes.txt"
  CERTIFICATES=$(wc -l <"$work/hashes.txt")
else
  echo "==> seeding $CERTIFICATES certificates"
  "$certify" seed-synthetic --consultants "$CERTIFICATES" --hashes-out "$work/hashes.txt"
fi

echo "==> serving on 127.0.0.1:$PORT (look-up rate limit lifted for the benchmark)"
CERTIFY_VERIFY_REQUESTS_PER_SECOND=1000000000 CERTIFY_VERIFY_BURST=1000000000 \
  "$certify" serve --listen "127.0.0.1:$PORT" >"$work/server.log" 2>&1 &
server=$!
wait_ready "http://127.0.0.1:$PORT"

rps() { awk '/Requests\/sec/ {print $2}'; }

echo "==> warming the cache: every hash once, in order (the rate is that of cold look-ups)"
wrk -t1 -c"$CONNECTIONS" -d"$WARMUP_LIMIT" -s crates/certify/benches/verify_warmup.lua \
  "http://127.0.0.1:$PORT" -- "$work/hashes.txt" | grep -E 'requests in|Requests/sec|Non-2xx' || true

echo "==> trivial JSON handler: GET /healthz"
trivial=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$PORT/healthz" | tee "$work/trivial.txt" | rps)
cat "$work/trivial.txt"

echo "==> verify by hash: GET /api/v1/verify/{random one of $CERTIFICATES}"
verify=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -s crates/certify/benches/verify_rps.lua \
  "http://127.0.0.1:$PORT" -- "$work/hashes.txt" | tee "$work/verify.txt" | rps)
cat "$work/verify.txt"

echo "==> the result page: GET /verify/{random one of $CERTIFICATES}"
page=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -s crates/certify/benches/verify_rps.lua \
  "http://127.0.0.1:$PORT" -- "$work/hashes.txt" /verify/ | tee "$work/page.txt" | rps)
cat "$work/page.txt"

echo
echo "database:          ${database%%\?*}"
echo "certificates:      $CERTIFICATES"
echo "trivial handler:   $trivial requests/s"
echo "verify by hash:    $verify requests/s"
echo "verify page:       $page requests/s"
awk -v v="$verify" -v t="$trivial" 'BEGIN { printf "ratio:             %.2f of the trivial handler\n", v / t }'
awk -v p="$page" -v v="$verify" 'BEGIN { printf "page / JSON:       %.2f\n", p / v }'
