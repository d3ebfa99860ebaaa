#!/usr/bin/env bash
# dialog-run against the mock server with 50 ms latency: 4,096 conversations x 6
# exchanges (12 calls each) at --concurrency 256. Latency bound: 12 x 50 ms x
# ceil(4096/256) = 9.6 s; the claim is within 10% (efficiency >= 0.90). Peak memory is
# flat in the number of conversations: the 4,096 run within 1.2x of the same run with
# 256 — keeping each finished conversation (one record, ~2.7 KB of JSON and several
# times that as jv) would add 10 MB or more to ~24 MB, over 1.4x.
# Checked first: both runs succeed and write every conversation whole (status ok, 12
# turns), and the server answered exactly 12 requests per conversation.
# claims: dialog-run-latency-bound-efficiency dialog-run-peak-memory-4096/256
# shellcheck disable=SC1091 # lib.sh is checked on its own
. "$SRC/tests/bench/lib.sh"
mock="$SRC/build/tests/mock-server"
"$mock" --port-file "$WORK/dialog.port" --latency-ms 50 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$WORK/dialog.port" ] && break; sleep 0.02; done
base="http://127.0.0.1:$(cat "$WORK/dialog.port")"
persona-sample --schema "$SRC/share/schemas/spasm.json" -n 4096 --seed 3 | persona-craft --template >"$WORK/p4096.jsonl"
head -n 256 "$WORK/p4096.jsonl" >"$WORK/p256.jsonl"
for n in 4096 256; do
	before=$(curl -sf "$base/stats" | jq .requests)
	OPENAI_API_KEY=bench-key timed "$WORK/d$n.time" dialog-run --base-url "$base/v1" --model m --concurrency 256 \
		--max-turns 6 --stop none <"$WORK/p$n.jsonl" >"$WORK/d$n.jsonl" 2>"$WORK/d$n.err"
	after=$(curl -sf "$base/stats" | jq .requests)
	bench_expect "dialog-run wrote $(lines "$WORK/d$n.jsonl") of $n conversations" "$(lines "$WORK/d$n.jsonl")" = $n
	jq -e -s 'all(.[]; .status == "ok" and (.turns | length) == 12)' "$WORK/d$n.jsonl" >/dev/null ||
		bench_fail "a conversation of the $n run is not whole"
	bench_expect "the server answered $((after - before)) requests for $n conversations" $((after - before)) = $((n * 12))
done
read -r t4096 m4096 <"$WORK/d4096.time"
read -r _ m256 <"$WORK/d256.time"
record_kb=$(( $(wc -c <"$WORK/d4096.jsonl") / 4096 / 1024 + 1 ))
leak=$(ratio $((m4096 + (4096 - 256) * record_kb)) $((m256 + 256 * record_kb)))
claim dialog-run-latency-bound-efficiency "$(ratio 9.6 "$t4096")" ">=" 0.90 \
	"4096 conversations x 12 calls at c256 took ${t4096}s (bound 9.6s); guards: calls not overlapped, a smaller pool"
claim dialog-run-peak-memory-4096/256 "$(ratio "$m4096" "$m256")" "<=" 1.20 \
	"${m4096}KB vs ${m256}KB; guards: finished conversations kept (one ${record_kb}KB record each: ${leak} as JSON alone)"
rm -f "$WORK"/d4096.jsonl "$WORK"/p4096.jsonl
