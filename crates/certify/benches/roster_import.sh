#!/usr/bin/env bash
# Roster import at scale: time to import ROWS new consultants, then the same file again (all
# unchanged), and the server's peak memory before and after, for a small and a large file, so
# one sees whether memory grows with the file, and whether time grows linearly with it (on
# PostgreSQL it did not until the import refreshed the planner's statistics as it grew). Prints
# figures; asserts nothing. Sizes are imported one after another into the same database.
#
#   crates/certify/benches/roster_import.sh                  # a fresh SQLite database
#   crates/certify/benches/roster_import.sh postgres://...   # an empty PostgreSQL database
set -euo pipefail
cd "$(dirname "$0")/../../.."

SIZES=${SIZES:-"10000 100000 200000"}
PORT=${PORT:-18081}

cargo build --release --bin certify
certify=${CARGO_TARGET_DIR:-target}/release/certify
work=$(mktemp -d)
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
export CERTIFY_DATABASE_URL=${1:-"sqlite://$work/bench.db?mode=rwc"} CERTIFY_LOG_FORMAT=json RUST_LOG=warn

"$certify" serve --demo --listen "127.0.0.1:$PORT" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do
  curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break
  sleep 0.1
done
base="http://127.0.0.1:$PORT/api/v1"
token=$(curl -sf "$base/auth/login" -H 'content-type: application/json' \
  -d '{"email":"admin@northwind.example","password":"demo-admin-password"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
firm=$(curl -sf "$base/me" -H "authorization: Bearer $token" | sed 's/.*"firm_id":"\([^"]*\)".*/\1/')

peak_kib() { awk '/VmHWM/ {print $2}' "/proc/$server/status"; }

for rows in $SIZES; do
  file="$work/roster-$rows.csv"
  awk -v n="$rows" 'BEGIN {
    print "email,full_name,country,employee_id"
    for (i = 1; i <= n; i++) printf "c%d-%d@northwind.example,Consultant %d,DE,E-%d\n", n, i, i, i
  }' >"$file"
  for pass in "new" "again (unchanged)"; do
    before=$(peak_kib)
    started=$(date +%s.%N)
    report=$(curl -sf "$base/firms/$firm/roster" -H "authorization: Bearer $token" \
      -H 'content-type: text/csv' --data-binary "@$file")
    elapsed=$(echo "$(date +%s.%N) - $started" | bc)
    echo "rows: $rows ($(du -k "$file" | cut -f1) KiB), $pass: ${elapsed} s; peak RSS ${before} -> $(peak_kib) KiB; $report"
  done
done
