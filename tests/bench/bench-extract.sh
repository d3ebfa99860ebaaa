#!/usr/bin/env bash
# extract against the mock server with 50 ms latency: 10,000 conversations, one valid
# answer each (the schema support), at --concurrency 256. Latency bound:
# 50 ms x ceil(10000/256) = 2.0 s; the claim is within 10% (efficiency >= 0.90).
# Checked first: every record extracted, and the server answered exactly 10,000
# requests (no re-asks).
# claims: extract-latency-bound-efficiency
# shellcheck disable=SC1091 # lib.sh is checked on its own
. "$SRC/tests/bench/lib.sh"
mock="$SRC/build/tests/mock-server"
"$mock" --port-file "$WORK/extract.port" --latency-ms 50 \
	--reply '{"resolved": true, "frustration": 2, "would_recommend": true}' &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$WORK/extract.port" ] && break; sleep 0.02; done
base="http://127.0.0.1:$(cat "$WORK/extract.port")"
awk 'BEGIN { for (i = 0; i < 10000; i++)
	printf "{\"id\":\"c%05d\",\"turns\":[{\"speaker\":\"client\",\"text\":\"my order %d never arrived\"},{\"speaker\":\"responder\",\"text\":\"I am sorry, let me check.\"}]}\n", i, i }' \
	>"$WORK/c10k.jsonl"
before=$(curl -sf "$base/stats" | jq .requests)
OPENAI_API_KEY=bench-key timed "$WORK/extract.time" extract --base-url "$base/v1" --model m --concurrency 256 \
	--schema support <"$WORK/c10k.jsonl" >"$WORK/e10k.jsonl" 2>"$WORK/extract.err"
after=$(curl -sf "$base/stats" | jq .requests)
bench_expect "extract wrote $(lines "$WORK/e10k.jsonl") of 10000 records" "$(lines "$WORK/e10k.jsonl")" = 10000
jq -e -s 'all(.[]; .extraction.answers.resolved == true)' "$WORK/e10k.jsonl" >/dev/null ||
	bench_fail "a record has no valid extraction"
bench_expect "the server answered $((after - before)) requests for 10000 records" $((after - before)) = 10000
read -r t _ <"$WORK/extract.time"
claim extract-latency-bound-efficiency "$(ratio 2.0 "$t")" ">=" 0.90 \
	"10000 extractions at c256 took ${t}s (bound 2.0s); guards: calls not overlapped, a smaller pool"
rm -f "$WORK/c10k.jsonl" "$WORK/e10k.jsonl"
