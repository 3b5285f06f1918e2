#!/usr/bin/env bash
# The API against its own OpenAPI document: schemathesis generates requests for every operation
# (documented examples, boundary values, then random ones) as each kind of caller — nobody, a
# consultant, a firm admin and programme staff — against a demo server, and fails on any 5xx,
# any response that does not match its documented schema, content type or headers, and any
# status the document does not list for the operation.
#
#   tests/contract/schemathesis.sh [path/to/certify]     (default: target/debug/certify)
#
# Bounded so CI stays within its time: MAX_EXAMPLES per operation and phase, MAX_TIME seconds per
# caller: the fuzzing phase generates cases until then, and the four callers, run at once, together
# reach about as many cases in 90 s as one after another did in 60 s each. Which checks run, and
# where the tool itself is wrong about an operation, is in schemathesis.toml beside this file,
# each with why.
set -euo pipefail
cd "$(dirname "$0")/../.."

certify=${1:-${CARGO_TARGET_DIR:-target}/debug/certify}
MAX_EXAMPLES=${MAX_EXAMPLES:-10}
MAX_TIME=${MAX_TIME:-90}
root=$PWD
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
work=$(mktemp -d)
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

CERTIFY_DATABASE_URL="sqlite://$work/contract.db?mode=rwc" RUST_LOG=warn \
  "$certify" serve --demo --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 300); do
  curl -sf "$base/readyz" >/dev/null && break
  sleep 0.1
done

token() {
  curl -sf "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$1\",\"password\":\"$2\"}" | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
consultant=$(token ada@northwind.example demo-consultant-password)
firm_admin=$(token admin@northwind.example demo-admin-password)
staff=$(token staff@certify.example demo-staff-password)

# The callers run at once, each in a folder of its own (hypothesis keeps its example database in
# the working directory, and two runs must not share one), and their output is printed in turn.
callers=(${CALLERS:-none consultant firm_admin staff})
pids=()
for caller in "${callers[@]}"; do
  auth=()
  [ "$caller" != none ] && auth=(-H "Authorization: Bearer ${!caller}")
  mkdir -p "$work/$caller"
  # Signing out would end the caller's session half-way through the run. One worker thread per
  # caller (the callers already run side by side): two threads in one process tripped CPython
  # 3.11's "AST constructor recursion depth mismatch" inside hypothesis, failing the run.
  (cd "$work/$caller" && schemathesis --config-file "$root/tests/contract/schemathesis.toml" --no-color \
    run "$base/openapi.json" "${auth[@]}" --exclude-path /api/v1/auth/logout \
    --phases examples,coverage,fuzzing --max-examples "$MAX_EXAMPLES" --max-time "$MAX_TIME" \
    --workers 1 --seed 20261201) >"$work/$caller.log" 2>&1 &
  pids+=($!)
done
passed=0
failed=0
for i in "${!callers[@]}"; do
  printf '\n==> schemathesis as %s\n' "${callers[$i]}"
  if wait "${pids[$i]}"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
  cat "$work/${callers[$i]}.log"
done
if ! kill -0 "$server" 2>/dev/null; then
  echo "the server died during the run:" >&2
  tail -n 50 "$work/server.log" >&2
  failed=$((failed + 1))
fi
# One line for `cargo xtask test` to count: each caller's run is one test.
echo "contract: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
