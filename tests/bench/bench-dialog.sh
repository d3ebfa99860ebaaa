#!/usr/bin/env bash
# dialog-run against the mock server with 50 ms latency: 1,024 conversations x 6
# exchanges (12 calls each) at --concurrency 256. Latency bound: 12 x 50 ms x
# ceil(1024/256) = 2.4 s; the claim is within 10% (efficiency >= 0.90), and peak memory
# within 2x of the same run with 256 conversations (flat in the number of conversations).
set -eu
mock="$SRC/build/tests/mock-server"
"$mock" --port-file "$WORK/dialog.port" --latency-ms 50 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$WORK/dialog.port" ] && break; sleep 0.02; done
url="http://127.0.0.1:$(cat "$WORK/dialog.port")/v1"
persona-sample --schema "$SRC/share/schemas/spasm.json" -n 1024 --seed 3 | persona-craft --template >"$WORK/p1024.jsonl"
head -n 256 "$WORK/p1024.jsonl" >"$WORK/p256.jsonl"
run() {   # run FILE: prints "seconds peak_kb"
	OPENAI_API_KEY=bench-key /usr/bin/time -f "%e %M" -o "$WORK/time.txt" \
		dialog-run --base-url "$url" --model m --concurrency 256 --max-turns 6 --stop none <"$1" >/dev/null 2>&1
	cat "$WORK/time.txt"
}
read -r t1024 m1024 < <(run "$WORK/p1024.jsonl")
read -r _ m256 < <(run "$WORK/p256.jsonl")
eff=$(awk -v t="$t1024" 'BEGIN { printf "%.2f", 2.4 / t }')
mem=$(awk -v a="$m1024" -v b="$m256" 'BEGIN { printf "%.2f", a / b }')
echo "RESULT dialog-run-latency-bound-efficiency $eff >= 0.90 1024_conversations_x_12_calls_at_c256_took_${t1024}s_(bound_2.4s)"
echo "RESULT dialog-run-peak-memory-1024/256 $mem <= 2.0 ${m1024}KB_vs_${m256}KB"
