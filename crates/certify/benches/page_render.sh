#!/usr/bin/env bash
# How long each page takes to render on the demo data: the 50th and 99th percentile latency of one
# connection asking for it again and again (wrk -c1, so requests never queue behind each other),
# and the whole weight of the exam page with its stylesheet and script. Prints figures; asserts
# nothing.
#
#   crates/certify/benches/page_render.sh
#
# Needs wrk (Debian: apt-get install wrk) and jq.
set -euo pipefail
cd "$(dirname "$0")/../../.."

DURATION=${DURATION:-5s}
PORT=${PORT:-18081}

# shellcheck source=lib.sh
. crates/certify/benches/lib.sh
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }
bench_build
KEEP_DIR='' bench_workdir
base="http://127.0.0.1:$PORT"

export CERTIFY_LOG_FORMAT=json RUST_LOG=warn CERTIFY_VERIFY_REQUESTS_PER_SECOND=1000000000 CERTIFY_VERIFY_BURST=1000000000
"$certify" serve --demo --listen "127.0.0.1:$PORT" --database-url "sqlite://$work/demo.db?mode=rwc" \
  >"$work/server.log" 2>&1 &
server=$!
wait_ready "$base"

# A browser session is the API's session token in a cookie.
token() {
  curl -sf "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"demo-consultant-password\"}" | jq -r .token
}
api() { curl -sf "$base$2" -H "authorization: Bearer $1"; }
ada=$(token ada@northwind.example)
lin=$(token lin@northwind.example)

track=$(api "$ada" /api/v1/tracks | jq -r '.items[0].id')
course=$(api "$ada" "/api/v1/tracks/$track" | jq -r '.courses[0].id')
module=$(api "$ada" "/api/v1/courses/$course" | jq -r '.modules[0].id')
exam=$(api "$ada" "/api/v1/tracks/$track/exam" | jq -r .id)
attempt=$(curl -sf -X POST "$base/api/v1/exams/$exam/attempts" -H "authorization: Bearer $ada" | jq -r .id)
hash=$(api "$lin" /api/v1/me/certificates | jq -r '.[0].hash')

echo "==> page latency, one connection, release build, demo data"
p50_p99 "" / "landing"
p50_p99 "$ada" /home "my learning (Ada)"
p50_p99 "$ada" /catalogue "catalogue"
p50_p99 "$ada" "/tracks/$track" "track"
p50_p99 "$ada" "/courses/$course" "course"
p50_p99 "$ada" "/modules/$module" "module"
p50_p99 "$ada" "/exams/$exam" "exam, before starting"
p50_p99 "$ada" "/attempts/$attempt" "exam questions (30)"
p50_p99 "$ada" "/attempts/$attempt/review" "exam review"
p50_p99 "$lin" /certificates "my certificates (Lin)"
p50_p99 "" /verify "verify form"
p50_p99 "" "/verify/$hash" "verify result"

echo "==> exam page weight (HTML, stylesheet, script; uncompressed)"
html=$(curl -sf -H "Cookie: certify_session=$ada" "$base/attempts/$attempt" | wc -c)
css=$(curl -sf "$base/assets/style.css" | wc -c)
js=$(curl -sf "$base/assets/exam.js" | wc -c)
awk -v h="$html" -v c="$css" -v j="$js" \
  'BEGIN { printf "html %d B + css %d B + js %d B = %.1f KB\n", h, c, j, (h + c + j) / 1024 }'
