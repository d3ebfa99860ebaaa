#!/usr/bin/env bash
# persona-sample must be at least as fast as `jq -c .` merely re-printing its own
# output — for a plain schema and for one with an exact quota and a jq constraint.
set -eu
n=1000000
seconds() { TIMEFORMAT=%R; { time bash -c "$1" >/dev/null 2>&1; } 2>&1 | tail -n 1; }
for name in spasm tutoring; do
	schema="$SRC/share/schemas/$name.json"
	t_sample=$(seconds "persona-sample --schema '$schema' -n $n --seed 1 >'$WORK/$name.jsonl'")
	t_jq=$(seconds "jq -c . '$WORK/$name.jsonl'")
	ratio=$(awk -v a="$t_jq" -v b="$t_sample" 'BEGIN { printf "%.2f", a / b }')
	echo "RESULT persona-sample-$name-speed-vs-jq $ratio >= 1.00 ${n}_records:_persona-sample_${t_sample}s,_jq_-c_._${t_jq}s"
	rm -f "$WORK/$name.jsonl"
done
