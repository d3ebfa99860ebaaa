#!/usr/bin/env bash
# persona-validate through the shipped rules and full-field SimHash dedup: 1,000,000
# personas under 60 s, and 1M/100k time near 10 (linear), not 100 (quadratic).
set -eu
F=age,gender,occupation,location,domain,emotion,intensity,expressiveness,self_disclosure,assertiveness,politeness
persona-sample --schema "$SRC/share/schemas/spasm.json" -n 1000000 --seed 5 >"$WORK/v1m.jsonl"
head -n 100000 "$WORK/v1m.jsonl" >"$WORK/v100k.jsonl"
seconds() { TIMEFORMAT=%R; { time bash -c "$1" >/dev/null 2>&1; } 2>&1 | tail -n 1; }
t100k=$(seconds "persona-validate --dedup-fields $F <'$WORK/v100k.jsonl'")
t1m=$(seconds "persona-validate --dedup-fields $F <'$WORK/v1m.jsonl'")
ratio=$(awk -v a="$t1m" -v b="$t100k" 'BEGIN { printf "%.1f", a / b }')
echo "RESULT persona-validate-1M-rules+dedup-seconds $t1m <= 60 1,000,000_spasm_personas,_shipped_rules,_11-field_dedup"
echo "RESULT persona-validate-1M/100k-time-ratio $ratio <= 15 linear_is_10,_quadratic_100_(100k:_${t100k}s)"
rm -f "$WORK/v1m.jsonl" "$WORK/v100k.jsonl"
