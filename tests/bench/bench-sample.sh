#!/usr/bin/env bash
# persona-sample must be at least as fast as `jq -c .` merely re-printing its own
# output — for a plain schema and for one with an exact quota and a jq constraint.
# Checked first: both runs succeed, and jq's re-print is byte-identical to the sample
# (so the sample is whole, valid JSON of the expected 1,000,000 records).
# claims: persona-sample-spasm-speed-vs-jq persona-sample-tutoring-speed-vs-jq
# shellcheck disable=SC1091 # lib.sh is checked on its own
. "$SRC/tests/bench/lib.sh"
n=1000000
for name in spasm tutoring; do
	schema="$SRC/share/schemas/$name.json"
	timed "$WORK/sample.time" persona-sample --schema "$schema" -n $n --seed 1 >"$WORK/$name.jsonl"
	bench_expect "persona-sample wrote $(lines "$WORK/$name.jsonl") records, not $n" "$(lines "$WORK/$name.jsonl")" = $n
	timed "$WORK/jq.time" jq -c . "$WORK/$name.jsonl" >"$WORK/$name.jq"
	cmp -s "$WORK/$name.jsonl" "$WORK/$name.jq" || { echo "bench: jq -c . does not re-print $name.jsonl as it is" >&2; exit 1; }
	read -r t_sample _ <"$WORK/sample.time"
	read -r t_jq _ <"$WORK/jq.time"
	rm -f "$WORK/$name.jsonl" "$WORK/$name.jq"
	# spasm runs ~9x jq's speed here; 3.0 catches a 3x slowdown (unbuffered writes, a
	# per-record allocation storm). tutoring (quota + jq constraint per record) runs
	# ~1.5x; 1.0 catches the constraint recompiled or re-parsed per record.
	target=1.00
	[ $name = spasm ] && target=3.00
	claim "persona-sample-$name-speed-vs-jq" "$(ratio "$t_jq" "$t_sample")" ">=" $target \
		"$n records: persona-sample ${t_sample}s, jq -c . ${t_jq}s; guards: a slower sampler or writer"
done
