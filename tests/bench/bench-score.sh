#!/usr/bin/env bash
# score on 45,000 offline-provider conversations (the SPASM scale) with hash-512
# embeddings: under 3 minutes on this machine; memory linear in records x dimension
# (bounded here by the deterministic sample), shown as peak memory at 4,500 vs 45,000.
set -eu
persona-sample --schema "$SRC/share/schemas/spasm.json" -n 4500 --seed 9 | persona-craft --template \
	| dialog-run --conversations 10 --concurrency 64 -o "$WORK/c45k.jsonl" 2>/dev/null
head -n 4500 "$WORK/c45k.jsonl" >"$WORK/c4500.jsonl"
/usr/bin/time -f "%e %M" -o "$WORK/score45k.time" score --summary "$WORK/s45k.json" <"$WORK/c45k.jsonl" >/dev/null
/usr/bin/time -f "%e %M" -o "$WORK/score4500.time" score --summary "$WORK/s4500.json" <"$WORK/c4500.jsonl" >/dev/null
read -r t45 m45 <"$WORK/score45k.time"
read -r _ m4 <"$WORK/score4500.time"
mem=$(awk -v a="$m45" -v b="$m4" 'BEGIN { printf "%.2f", a / b }')
echo "RESULT score-45k-conversations-seconds $t45 <= 180 hash-512,_sample_2000,_peak_${m45}KB"
echo "RESULT score-peak-memory-45k/4.5k $mem <= 10 linear_would_be_10;_${m45}KB_vs_${m4}KB"
rm -f "$WORK/c45k.jsonl" "$WORK/c4500.jsonl"
