#!/usr/bin/env bash
# Streaming: peak memory stays flat in the input size. persona-craft --template and
# dialog-stop over gzip inputs of 3 sizes (x10 each); the claim: the largest run needs
# at most 1.5x the memory of the smallest. And GNU parallel's speed-up on 2 cores.
set -eu
peak() { /usr/bin/time -f "%M" -o "$WORK/peak" bash -c "$1" >/dev/null 2>&1; cat "$WORK/peak"; }
persona-sample --schema "$SRC/share/schemas/spasm.json" -n 1000000 --seed 8 -o "$WORK/p1m.jsonl.gz"
gzip -dc "$WORK/p1m.jsonl.gz" | head -n 100000 | gzip >"$WORK/p100k.jsonl.gz"
gzip -dc "$WORK/p1m.jsonl.gz" | head -n 10000 | gzip >"$WORK/p10k.jsonl.gz"
m10=$(peak "persona-craft --template '$WORK/p10k.jsonl.gz'")
m100=$(peak "persona-craft --template '$WORK/p100k.jsonl.gz'")
m1m=$(peak "persona-craft --template '$WORK/p1m.jsonl.gz'")
ratio=$(awk -v a="$m1m" -v b="$m10" 'BEGIN { printf "%.2f", a / b }')
echo "RESULT persona-craft-peak-memory-1M/10k-gzip $ratio <= 1.5 10k:_${m10}KB,_100k:_${m100}KB,_1M:_${m1m}KB"
# The speed-up: a CPU-bound job (offline dialogues) alone vs fanned out on 2 cores.
gzip -dc "$WORK/p10k.jsonl.gz" | head -n 4000 | persona-craft --template >"$WORK/c4k.jsonl"
TIMEFORMAT=%R
t1=$( { time dialog-run <"$WORK/c4k.jsonl" >/dev/null 2>&1; } 2>&1 )
t2=$( { time "$SRC/pipelines/fanout.sh" -i "$WORK/c4k.jsonl" -o /dev/null -j 2 -b 512k -- dialog-run 2>/dev/null; } 2>&1 )
speedup=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.2f", a / b }')
echo "RESULT gnu-parallel-speedup-2-cores $speedup >= 1.4 dialog-run_(offline)_4000_personas:_${t1}s_alone,_${t2}s_with_fanout_-j_2"
rm -f "$WORK"/p1m.jsonl.gz "$WORK"/p100k.jsonl.gz "$WORK"/p10k.jsonl.gz "$WORK"/c4k.jsonl
