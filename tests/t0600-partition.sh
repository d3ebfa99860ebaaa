#!/usr/bin/env bash
# Partition independence: every tool run through GNU parallel with several jobs and
# small blocks gives, sorted, exactly the sequential output; where a tool needs the
# whole input (near-duplicates, corpus metrics) the global-pass recipe gives the same.
. "$(dirname "$0")/lib.sh"

unset OPENAI_API_KEY OPENAI_BASE_URL
FANOUT="$SRC/pipelines/fanout.sh"
fan() { "$FANOUT" -j 3 -b 24k "$@" 2>/dev/null; }

test_expect_success 'setup: 200 personas, crafted; 24 of them in 48 conversations with probes' '
	persona-sample --schema "$SCHEMAS/spasm.json" -n 200 --seed 4 >personas.jsonl &&
	test_line_count = 200 personas.jsonl &&
	persona-craft --template <personas.jsonl >crafted.jsonl &&
	test_line_count = 200 crafted.jsonl &&
	head -n 24 crafted.jsonl >p24.jsonl &&
	test_line_count = 24 p24.jsonl &&
	dialog-run --conversations 2 --probes "$SRC/share/probes/default.json" --probe-every 2 <p24.jsonl >conv.jsonl 2>/dev/null &&
	test_line_count = 48 conv.jsonl &&
	jq -e -s "all(.[]; .status == \"ok\" and (.turns | length) > 2 and (.probes | length) > 0)" conv.jsonl
'

same_sorted() {   # same_sorted A B
	sort "$1" >"$1.sorted" && sort "$2" >"$2.sorted" && test_cmp "$1.sorted" "$2.sorted"
}

test_expect_success 'persona-sample: --offset shards on 3 jobs equal one run' '
	persona-sample --schema "$SCHEMAS/tutoring.json" -n 1000 --seed 2 >seq &&
	seq 0 100 900 | parallel --will-cite -j 3 -k persona-sample --schema "$SCHEMAS/tutoring.json" --seed 2 --offset {} -n 100 >par &&
	test_cmp seq par
'

test_expect_success 'persona-validate (rules) through fanout equals one run' '
	persona-validate <personas.jsonl >seq 2>/dev/null &&
	fan -i personas.jsonl -o par -- persona-validate &&
	test "$(wc -l <seq)" -gt 150 && same_sorted seq par
'

test_expect_success 'near-duplicates need one global pass: rules in parallel, then dedup over the joined output' '
	{ cat personas.jsonl; head -n 30 personas.jsonl | sed "s/\"id\":\"p/\"id\":\"dup-p/"; } >with-dups.jsonl &&
	persona-validate --dedup-fields occupation,location,domain,emotion <with-dups.jsonl >seq 2>/dev/null &&
	fan -k -i with-dups.jsonl -o rules-only -- persona-validate &&
	persona-validate --no-rules --dedup-fields occupation,location,domain,emotion <rules-only >par 2>/dev/null &&
	test_cmp seq par &&
	! grep -q dup-p par
'

test_expect_success 'persona-craft (offline model) through fanout equals one run' '
	persona-craft <personas.jsonl >seq 2>/dev/null &&
	test_line_count = 200 seq &&
	fan -i personas.jsonl -o par -- persona-craft &&
	same_sorted seq par
'

test_expect_success 'dialog-run (offline) through fanout, gzip in and out, equals one run' '
	gzip -c p24.jsonl >p24.jsonl.gz &&
	fan -i p24.jsonl.gz -o par.gz -- dialog-run --conversations 2 --probes "$SRC/share/probes/default.json" --probe-every 2 &&
	gzip -dc par.gz >par &&
	same_sorted conv.jsonl par
'

test_expect_success 'dialog-stop, embed and per-record score through fanout equal one run' '
	for tool in "dialog-stop --explain" "embed --of turns" "score"; do
		$tool <conv.jsonl >seq 2>/dev/null &&
		test_line_count = 48 seq &&
		fan -i conv.jsonl -o par -- $tool &&
		same_sorted seq par || { echo "differs: $tool"; return 1; }
	done
'

test_expect_success 'corpus metrics need one global pass: score in parallel, then --summary over the joined output' '
	score --summary seq.json <conv.jsonl >/dev/null &&
	fan -k -i conv.jsonl -o scored -- score &&
	score --summary par.json <scored >/dev/null &&
	jq -e ".conversations == 48" seq.json &&
	test_cmp seq.json par.json
'

test_expect_success 'fanout without a command or input is a usage error' '
	test_expect_code 2 "$FANOUT" -i personas.jsonl 2>err &&
	test_expect_code 2 "$FANOUT" --bogus 2>err && grep -q "unknown option" err
'

test_done
