#!/usr/bin/env bash
# A deployed fl4j run on this machine: development keys, a TLS server and three clients (each in its own JVM,
# training on its own shard of the synthetic data set), all on 127.0.0.1. Prints the server's round lines.
# Usage: scripts/deploy-demo.sh [ROUNDS]   (work files go to a temporary directory, removed at the end)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${1:-5}"
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

"$ROOT/fl4j" keys --out "$WORK/keys" --clients 3 >/dev/null

DATA=(--dataset synthetic --clients 3 --examples-per-client 40 --seed 1)
"$ROOT/fl4j" server --port 0 --tls-cert "$WORK/keys/server.pem" --tls-key "$WORK/keys/server.key" \
  --authorized-keys "$WORK/keys/authorized_keys" "${DATA[@]}" --clients-per-round 3 --min-population 3 \
  --rounds "$ROUNDS" --round-timeout 120 >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER=$!
PIDS+=("$SERVER")

for _ in $(seq 1 600); do
  grep -q '^listening on ' "$WORK/server.out" && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/server.out" "$WORK/server.err" >&2; exit 1; }
  sleep 0.2
done
ADDRESS="$(sed -n 's/^listening on //p' "$WORK/server.out")"
cat "$WORK/server.out"

for k in 0 1 2; do
  "$ROOT/fl4j" client --server "$ADDRESS" --trust "$WORK/keys/ca.pem" --key "$WORK/keys/client-$k.key" \
    "${DATA[@]}" --client-index "$k" >"$WORK/client-$k.out" 2>&1 &
  PIDS+=("$!")
done

# follow the server's round lines until it ends
tail -n +"$(($(wc -l <"$WORK/server.out") + 1))" -f "$WORK/server.out" --pid "$SERVER" &
TAIL=$!
wait "$SERVER"
wait "$TAIL" 2>/dev/null || true
for k in 0 1 2; do tail -n 1 "$WORK/client-$k.out"; done
