#!/usr/bin/env bash
# persona-craft through the mock server: 1,000 personas, 100 ms latency, concurrency 100.
# The latency bound is ceil(1000/100) x 0.1 s = 1.0 s: the efficiency (bound / wall)
# must be at least 0.95; the wall time at most 1.5 s, which a pool of 50 (2.0 s) or
# calls made one at a time (100 s) miss; and the server must see exactly 100 requests
# in flight: fewer is a pool that loses slots, more one that ignores --concurrency.
# Checked first: the run succeeds, every persona gets its description, and the server
# answered exactly 1,000 requests.
# Where the time went (per-call timestamps of client and mock): 1.04-1.06 s, each of
# the ten rounds 2-3 ms over its 100 ms and the first 10 ms (100 connections opened).
# The 100 calls of a round go out and come back together, and every stage took the burst
# one call at a time: the mock parsed the 100 requests (about 1 ms for the average one,
# counted as latency because the mock timed it from when it got to it, now from the
# kernel's arrival stamp) and released replies in whole milliseconds; the client built
# all 200 prompts of its window before sending the first request (now each goes out as
# its record opens) and started a call waiting for a slot only after reading every ready
# reply (now the step ends at the reply and the next one starts it first). The prompt no
# longer goes through a jv: 449k instructions per persona -> 332k. Now 1.03-1.04 s
# (0.96-0.97): about 0.3 ms of the mock's sending of a round's replies and 0.4-0.7 ms of
# the client reading a round's burst, per round, and the first round's connections.
# claims: persona-craft-latency-bound-efficiency persona-craft-1000-at-100ms-c100-seconds persona-craft-max-in-flight
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
claim persona-craft-latency-bound-efficiency "$(ratio 1.0 "$secs" %.3f)" ">=" 0.95 \
	"1000 personas at c100, 100 ms, took ${secs}s (bound 1.0s); guards: a freed slot left idle while other" \
	"replies are read, per-request CPU"
claim persona-craft-1000-at-100ms-c100-seconds "$secs" "<=" 1.5 \
	"wall time, latency bound 1.0s; guards: a pool of half the size (2.0s) or serial calls"
claim persona-craft-max-in-flight "$inflight" "==" 100 \
	"requests in flight at once, counted by the server; guards: --concurrency ignored or a lost slot"
