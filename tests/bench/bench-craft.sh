#!/usr/bin/env bash
# persona-craft through the mock server: 1,000 personas, 100 ms latency, concurrency 100.
# The latency bound is ceil(1000/100) x 0.1 s = 1.0 s; the claim is under 2 s.
set -eu
mock="$SRC/build/tests/mock-server"
"$mock" --port-file "$WORK/craft.port" --latency-ms 100 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$WORK/craft.port" ] && break; sleep 0.02; done
url="http://127.0.0.1:$(cat "$WORK/craft.port")/v1"
persona-sample --schema "$SRC/share/schemas/spasm.json" -n 1000 >"$WORK/craft-in.jsonl"
start=$(date +%s.%N)
OPENAI_API_KEY=bench persona-craft --base-url "$url" --model bench --concurrency 100 \
	<"$WORK/craft-in.jsonl" >"$WORK/craft-out.jsonl" 2>/dev/null
end=$(date +%s.%N)
inflight=$(curl -s "http://127.0.0.1:$(cat "$WORK/craft.port")/stats" | jq .max_in_flight)
secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
eff=$(awk -v s="$secs" 'BEGIN { printf "%.2f", 1.0 / s }')
echo "RESULT persona-craft-1000-at-100ms-c100-seconds $secs <= 2.0 wall_time_(server_saw_${inflight}_in_flight)"
echo "RESULT persona-craft-latency-bound-efficiency $eff >= 0.50 bound_1.0s/measured"
