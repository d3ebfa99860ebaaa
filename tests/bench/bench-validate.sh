#!/usr/bin/env bash
# persona-validate through the shipped rules and full-field SimHash dedup: 1,000,000
# personas under 60 s, and 1M/100k time near 10 (linear), not 100 (quadratic).
# Checked first: both runs succeed, check every record, and write the records their
# summary says passed.
# claims: persona-validate-1M-rules+dedup-seconds persona-validate-1M/100k-time-ratio
# shellcheck disable=SC1091 # lib.sh is checked on its own
. "$SRC/tests/bench/lib.sh"
F=age,gender,occupation,location,domain,emotion,intensity,expressiveness,self_disclosure,assertiveness,politeness
persona-sample --schema "$SRC/share/schemas/spasm.json" -n 1000000 --seed 5 >"$WORK/v1m.jsonl"
head -n 100000 "$WORK/v1m.jsonl" >"$WORK/v100k.jsonl"
for size in 100k 1m; do
	timed "$WORK/v$size.time" persona-validate --dedup-fields $F <"$WORK/v$size.jsonl" >"$WORK/v$size.out" 2>"$WORK/v$size.err"
	checked=$(lines "$WORK/v$size.jsonl")
	passed=$(lines "$WORK/v$size.out")
	grep -q "^persona-validate: $checked checked, $passed passed, " "$WORK/v$size.err" ||
		bench_fail "persona-validate wrote $passed of $checked and said: $(tail -n 1 "$WORK/v$size.err")"
	bench_expect "too few of $checked personas passed" "$passed" -gt $((checked * 9 / 10))
done
read -r t100k _ <"$WORK/v100k.time"
read -r t1m _ <"$WORK/v1m.time"
claim persona-validate-1M-rules+dedup-seconds "$t1m" "<=" 60 \
	"1,000,000 spasm personas, shipped rules, 11-field dedup; guards: rules or dedup several times slower"
claim persona-validate-1M/100k-time-ratio "$(ratio "$t1m" "$t100k" %.1f)" "<=" 15 \
	"linear is 10; guards: quadratic dedup (100) (100k: ${t100k}s)"
rm -f "$WORK"/v1m.* "$WORK"/v100k.*
