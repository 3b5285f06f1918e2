#!/usr/bin/env bash
# The firm portal and the staff dashboard at programme scale: CERTIFICATES consultants with a
# certificate each, spread over FIRMS partner firms, and the 50th and 99th percentile latency of
# one connection asking for each page again and again (wrk -c1). Prints figures; asserts
# nothing.
#
#   crates/certify/benches/portal_pages.sh                   # a fresh SQLite database
#   crates/certify/benches/portal_pages.sh postgres://...    # an empty PostgreSQL database
#   KEEP_DIR=bench-portal crates/certify/benches/portal_pages.sh   # keep the SQLite file; a later
#                                                                 # run with the same KEEP_DIR reuses it
#
# Needs wrk (Debian: apt-get install wrk) and jq.
set -euo pipefail
cd "$(dirname "$0")/../../.."

CERTIFICATES=${CERTIFICATES:-300000}
FIRMS=${FIRMS:-100}
DURATION=${DURATION:-5s}
PORT=${PORT:-18082}

# shellcheck source=lib.sh
. crates/certify/benches/lib.sh
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }
bench_build
bench_workdir
database=${1:-"sqlite://$work/portal.db?mode=rwc"}
export CERTIFY_DATABASE_URL=$database CERTIFY_LOG_FORMAT=json RUST_LOG=warn
base="http://127.0.0.1:$PORT"

if [ ! -e "$work/seeded" ]; then
  echo "==> seeding $CERTIFICATES certificates over $FIRMS firms"
  "$certify" seed-synthetic --consultants "$CERTIFICATES" --firms "$FIRMS"
  printf 'bench-staff-password\nbench-staff-password\n' |
    "$certify" admin create-staff --email bench@certify.example --name "Bench Staff" >/dev/null
  touch "$work/seeded"
fi

echo "==> serving on 127.0.0.1:$PORT"
"$certify" serve --listen "127.0.0.1:$PORT" >"$work/server.log" 2>&1 &
server=$!
wait_ready "$base"

# A browser session is the API's session token in a cookie.
staff=$(curl -sf "$base/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"email":"bench@certify.example","password":"bench-staff-password"}' | jq -r .token)
firm=$(curl -sf "$base/api/v1/firms?q=Synthetic%20Firm%200%20&limit=1" -H "authorization: Bearer $staff" | jq -r '.items[0].id')
members=$(curl -sf "$base/api/v1/firms/$firm/summary" -H "authorization: Bearer $staff" | jq -r .active_consultants)

echo "==> page latency, one connection, release build, $CERTIFICATES certificates, a firm of $members certified"
p50_p99 "$staff" /home "dashboard (burn-up)"
p50_p99 "$staff" "/firms/$firm" "firm home"
p50_p99 "$staff" "/firms/$firm/consultants" "staff table, first page (by name)"
p50_p99 "$staff" "/firms/$firm/consultants?sort=expiring&status=active" "staff table, expiring first"
p50_p99 "$staff" "/staff/firms" "firms, with tiers"
p50_p99 "$staff" "/staff/breakdowns?by=firm" "breakdown by firm (cached)"
p50_p99 "$staff" "/staff/breakdowns?by=country" "breakdown by country (cached)"
