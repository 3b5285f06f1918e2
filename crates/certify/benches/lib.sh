# What the benchmark scripts share; each sources it after `cd` to the workspace root.

# Builds the release binary and sets $certify to it.
bench_build() {
  cargo build --release --workspace --bins
  certify=${CARGO_TARGET_DIR:-target}/release/certify
}

# Sets $work: $KEEP_DIR, kept after the run (a later run reuses what it holds), or a temporary
# directory removed at exit. The server started into $server is stopped at exit either way.
bench_workdir() {
  if [ -n "${KEEP_DIR:-}" ]; then
    mkdir -p "$KEEP_DIR"
    work=$(cd "$KEEP_DIR" && pwd)
    trap 'kill "${server:-}" 2>/dev/null || true' EXIT
  else
    work=$(mktemp -d)
    trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
  fi
}

# Waits up to 30 s for the server at $1 to be ready.
wait_ready() {
  for _ in $(seq 1 300); do
    curl -sf "$1/readyz" >/dev/null && return 0
    sleep 0.1
  done
  echo "the server at $1 did not become ready" >&2
  return 1
}

# p50 and p99 latency of one connection asking for $base$2 for $DURATION with the session
# cookie $1, printed under the label $3; a non-2xx answer stops the run.
p50_p99() {
  local cookie=$1 path=$2 out
  out=$(wrk -t1 -c1 -d"$DURATION" --latency -H "Cookie: certify_session=$cookie" "$base$path")
  if echo "$out" | grep -q 'Non-2xx'; then
    echo "$path answered with errors:" >&2
    echo "$out" >&2
    exit 1
  fi
  printf '%-40s p50 %8s   p99 %8s\n' "$3" \
    "$(echo "$out" | awk '$1 == "50%" {print $2}')" "$(echo "$out" | awk '$1 == "99%" {print $2}')"
}
