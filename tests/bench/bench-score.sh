#!/usr/bin/env bash
# score on 45,000 offline-provider conversations (the SPASM scale) with hash-512
# embeddings: under 60 s on this machine (about 15 s measured; comparing all 45,000
# instead of the --sample of 2,000 would take far longer). Peak memory grows only with
# what the summary must keep — one 2 KB vector per persona: 45,000 conversations of
# 4,500 personas need about 1.3x the memory of 4,500 conversations of 450 — so the
# claim is 2.0x, which keeping every conversation record (~2 KB of JSON each, more as
# jv) would exceed several times over.
# With --ci 0.95 --by .persona.gender --compare (bootstrap intervals for the corpus and
# its three groups, 3 pairs x 30 metrics of comparisons, 1,000 resamples each) the same
# 45,000 still score in under 60 s: the bootstrap reuses each conversation's figures.
# Checked first: the conversations are all there and ok, and score writes every record
# back and summarises them all.
# claims: score-45k-conversations-seconds score-peak-memory-45k/4.5k score-45k-ci-compare-seconds
# shellcheck disable=SC1091 # lib.sh is checked on its own
. "$SRC/tests/bench/lib.sh"
persona-sample --schema "$SRC/share/schemas/spasm.json" -n 4500 --seed 9 | persona-craft --template \
	| dialog-run --conversations 10 --concurrency 64 -o "$WORK/c45k.jsonl" 2>/dev/null
bench_expect "dialog-run wrote $(lines "$WORK/c45k.jsonl") of 45000 conversations" "$(lines "$WORK/c45k.jsonl")" = 45000
head -n 4500 "$WORK/c45k.jsonl" >"$WORK/c4500.jsonl"
for n in 45000 4500; do
	in=$WORK/c45k.jsonl
	[ $n = 4500 ] && in=$WORK/c4500.jsonl
	written=$(timed "$WORK/score$n.time" score --summary "$WORK/s$n.json" <"$in" | wc -l)
	bench_expect "score wrote $written of $n records" "$written" = $n
	bench_expect "the summary counts $(jq .conversations "$WORK/s$n.json") conversations, not $n" \
		"$(jq .conversations "$WORK/s$n.json")" = $n
done
written=$(timed "$WORK/score-ci.time" score --ci 0.95 --by .persona.gender --compare --summary "$WORK/s-ci.json" \
	<"$WORK/c45k.jsonl" | wc -l)
bench_expect "score --ci wrote $written of 45000 records" "$written" = 45000
bench_expect "score --ci compared $(jq ".comparisons | length" "$WORK/s-ci.json") metric pairs, not 90" \
	"$(jq ".comparisons | length" "$WORK/s-ci.json")" = 90
bench_expect "an interval misses its value" "$(jq ". as \$s | [.ci | to_entries[] | select(.value != null) | \$s[.key] >= .value[0] - 1e-9 and \$s[.key] <= .value[1] + 1e-9] | all" "$WORK/s-ci.json")" = true
read -r tci mci <"$WORK/score-ci.time"
read -r t45 m45 <"$WORK/score45000.time"
read -r _ m4 <"$WORK/score4500.time"
record_kb=$(( $(wc -c <"$WORK/c45k.jsonl") / 45000 / 1024 + 1 ))
leak=$(ratio $((m45 + 45000 * record_kb)) $((m4 + 4500 * record_kb)))
claim score-45k-conversations-seconds "$t45" "<=" 60 \
	"hash-512, sample 2000, peak ${m45}KB; guards: corpus metrics over all pairs instead of the sample"
claim score-peak-memory-45k/4.5k "$(ratio "$m45" "$m4")" "<=" 2.0 \
	"${m45}KB vs ${m4}KB; guards: conversations kept (one ${record_kb}KB record each: ${leak} as JSON alone)"
claim score-45k-ci-compare-seconds "$tci" "<=" 60 \
	"--ci 0.95 --by .persona.gender --compare, 1000 resamples, peak ${mci}KB; guards: re-scoring per replicate"
rm -f "$WORK/c45k.jsonl" "$WORK/c4500.jsonl"
