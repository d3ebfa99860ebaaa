#!/usr/bin/env bash
# persona-craft through the mock server: 1,000 personas, 100 ms latency, concurrency 100.
# The latency bound is ceil(1000/100) x 0.1 s = 1.0 s; the claim is 1.5 s, which a pool
# of 50 (2.0 s) or calls made one at a time (100 s) miss, and the server must see
# exactly 100 requests in flight: fewer is a pool that loses slots, more one that
# ignores --concurrency. Checked first: the run succeeds, every persona gets its
# description, and the server answered exactly 1,000 requests.
# claims: persona-craft-1000-at-100ms-c100-seconds persona-craft-max-in-flight
# shellcheck disable=SC1091 # lib.sh is checked on its own
. "$SRC/tests/bench/lib.sh"
mock="$SRC/build/tests/mock-server"
"$mock" --port-file "$WORK/craft.port" --latency-ms 100 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$WORK/craft.port" ] && break; sleep 0.02; done
url="http://127.0.0.1:$(cat "$WORK/craft.port")/v1"
persona-sample --schema "$SRC/share/schemas/spasm.json" -n 1000 >"$WORK/craft-in.jsonl"
OPENAI_API_KEY=bench timed "$WORK/craft.time" persona-craft --base-url "$url" --model bench --concurrency 100 \
	<"$WORK/craft-in.jsonl" >"$WORK/craft-out.jsonl" 2>"$WORK/craft.err"
curl -sf "http://127.0.0.1:$(cat "$WORK/craft.port")/stats" >"$WORK/craft.stats"
bench_expect "persona-craft wrote $(lines "$WORK/craft-out.jsonl") records" "$(lines "$WORK/craft-out.jsonl")" = 1000
jq -e -s 'all(.[]; .status != "failed" and (.description | length) > 0)' "$WORK/craft-out.jsonl" >/dev/null ||
	bench_fail "a record has no description"
requests=$(jq .requests "$WORK/craft.stats")
bench_expect "the server answered $requests requests" "$requests" = 1000
read -r secs _ <"$WORK/craft.time"
inflight=$(jq .max_in_flight "$WORK/craft.stats")
claim persona-craft-1000-at-100ms-c100-seconds "$secs" "<=" 1.5 \
	"wall time, latency bound 1.0s; guards: a pool of half the size (2.0s) or serial calls"
claim persona-craft-max-in-flight "$inflight" "==" 100 \
	"requests in flight at once, counted by the server; guards: --concurrency ignored or a lost slot"
