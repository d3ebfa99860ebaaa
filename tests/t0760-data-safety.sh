#!/usr/bin/env bash
# Nothing lost, nothing silently wrong: each case pinned as it failed before (issue 19).
. "$(dirname "$0")/lib.sh"
set -o pipefail
FANOUT="$SRC/pipelines/fanout.sh"

test_expect_success 'setup: 60 personas crafted by template, the sequential reference' '
	persona-sample --schema spasm -n 60 --seed 3 >p.jsonl &&
	persona-craft --template --quiet <p.jsonl >want.jsonl &&
	test_line_count = 60 want.jsonl &&
	# a tool that fails with 75 (rate limits) on the shard holding p000042 while "broken" exists
	cat >shardtool <<-\SCRIPT &&
	#!/bin/sh
	persona-craft --template --quiet >shard.$$ || exit 1
	cat shard.$$
	if grep -q "\"id\":\"p000042\"" shard.$$ && [ -e broken ]; then rm -f shard.$$; exit 75; fi
	rm -f shard.$$
	SCRIPT
	chmod +x shardtool
'

test_expect_success 'fanout: a shard exiting 75 makes the run exit 75, its output kept' '
	touch broken &&
	test_expect_code 75 "$FANOUT" -i p.jsonl -o out.jsonl.gz -j 2 -b 4k -- ./shardtool 2>err &&
	grep -q "^fanout: 1 shard(s) failed with rate limits (exit 75); rerun with --resume-failed" err &&
	gzip -dc out.jsonl.gz >got &&
	test_cmp want.jsonl got
'

test_expect_success 'fanout --resume-failed reruns only that shard: every record exactly once' '
	rm -f broken &&
	before=$(grep -c " 0$" out.jsonl.gz.parts/status) &&
	"$FANOUT" -i p.jsonl -o out.jsonl.gz -j 2 -b 4k --resume-failed -- ./shardtool &&
	gzip -dc out.jsonl.gz >got &&
	test_cmp want.jsonl got &&
	jq -r .id got | sort | uniq -d >dups && test ! -s dups &&
	# only the failed shard ran again: one more line in the status file
	test "$(wc -l <out.jsonl.gz.parts/status)" = $((before + 2))
'

test_expect_success 'fanout: the README commands, run twice and resumed, lose nothing' '
	"$FANOUT" -i p.jsonl -o conv.jsonl.gz -j 2 -b 4k --joblog jobs.log -- persona-craft --template --quiet &&
	"$FANOUT" -i p.jsonl -o conv.jsonl.gz -j 2 -b 4k --joblog jobs.log --resume-failed -- persona-craft --template --quiet &&
	gzip -dc conv.jsonl.gz >got && test_cmp want.jsonl got && test -s jobs.log
'

test_expect_success 'fanout: missing input, missing tool, bad option: one line, exit 2, output untouched' '
	echo keep >kept.jsonl &&
	test_expect_code 2 "$FANOUT" -i nosuch.jsonl -o kept.jsonl -- cat 2>err &&
	test "$(cat err)" = "fanout: cannot open '"'"'nosuch.jsonl'"'"': No such file or directory" &&
	test_expect_code 2 "$FANOUT" -i p.jsonl -o kept.jsonl -- no-such-tool 2>err &&
	grep -q "^fanout: command not found: '"'"'no-such-tool'"'"'" err && test "$(wc -l <err)" = 1 &&
	test_expect_code 2 "$FANOUT" --bogus 2>err &&
	test "$(cat err)" = "fanout: unknown option '"'"'--bogus'"'"' (try '"'"'fanout.sh --help'"'"')" &&
	test_expect_code 2 "$FANOUT" -i p.jsonl -o kept.jsonl --resume-failed -- cat 2>err &&
	grep -q "^fanout: nothing to resume" err &&
	test "$(cat kept.jsonl)" = keep
'

test_expect_success 'fanout -b -N: N blocks per job on a plain file; refused for gzip or a pipe' '
	"$FANOUT" -i p.jsonl -o blocks.jsonl -j 2 -b -1 -- persona-craft --template --quiet &&
	test_cmp want.jsonl blocks.jsonl &&
	test "$(wc -l <blocks.jsonl.parts/status)" = 2 &&
	gzip -c p.jsonl >p.jsonl.gz &&
	echo keep >kept.jsonl &&
	test_expect_code 2 "$FANOUT" -i p.jsonl.gz -o kept.jsonl -b -1 -- cat 2>err &&
	test "$(cat err)" = "fanout: -b -1 (blocks per job) needs a plain file: a pipe or gzip input has no known size" &&
	test_expect_code 2 "$FANOUT" -i p.jsonl -o kept.jsonl -b -x -- cat 2>err &&
	test "$(cat err)" = "fanout: -b '"'"'-x'"'"': a size such as 10M, or -N (N blocks per job)" &&
	test "$(cat kept.jsonl)" = keep
'

test_expect_success 'pipeline scripts: --help and -h print usage and exit 0' '
	for usage in "fanout --help" "fanout -h" "demo --help" "demo -h" "spasm-matrix --help" "spasm-matrix -h"; do
		set -- $usage &&
		"$SRC/pipelines/$1.sh" "$2" >usage.txt &&
		grep -q "$1.sh" usage.txt || return 1
	done
'

test_expect_success 'a misspelt --dedup-fields is a usage error, not 499 duplicates' '
	test_expect_code 2 persona-validate --dedup-fields ocupation p.jsonl >out 2>err &&
	test ! -s out &&
	grep -qx "persona-validate: --dedup-fields: no record has the field '"'"'ocupation'"'"' (none of the first 60; their fields are: age, gender, occupation, location, domain, emotion, intensity, expressiveness, self_disclosure, assertiveness, politeness); nothing was processed" err &&
	test_expect_code 2 persona-validate --dedup-fields occupation,nosuch p.jsonl >out 2>err &&
	grep -q "no record has the field '"'"'nosuch'"'"'" err &&
	test_expect_code 2 persona-validate --dedup-text nosuch p.jsonl >out 2>err &&
	grep -q "^persona-validate: --dedup-text: no record has the field '"'"'nosuch'"'"'" err &&
	persona-validate --no-rules --dedup-text description want.jsonl >out 2>/dev/null &&
	test_line_count = 60 out
'

test_expect_success 'a field missing from most records is warned about; bad lines keep their line numbers' '
	{ head -n 1 p.jsonl; echo "not json"; sed -n 2,5p p.jsonl | jq -c "del(.fields.occupation)"; } >mixed.jsonl &&
	test_expect_code 1 persona-validate --no-rules --dedup-fields occupation mixed.jsonl >out 2>err &&
	grep -qx "persona-validate: warning: --dedup-fields: the field '"'"'occupation'"'"' is missing from 4 of the first 5 records" err &&
	grep -q "^persona-validate: mixed.jsonl:2: not JSON" err
'

test_expect_success 'embed --of a member no record has: exit 2, nothing written' '
	test_expect_code 2 embed --of description p.jsonl >out 2>err &&
	test ! -s out &&
	grep -q "^embed: --of: no record has the field '"'"'description'"'"'" err
'

test_expect_success 'score --by an expression null for every record: exit 2, no summary' '
	head -n 3 want.jsonl | dialog-run --max-turns 2 --quiet >c.jsonl &&
	test_expect_code 2 score --by .persona.gendr --summary s.json c.jsonl >out 2>err &&
	test ! -s out && test ! -e s.json &&
	test "$(cat err)" = "score: --by '"'"'.persona.gendr'"'"' gives null (or an error) for every one of the first 3 records: nothing to group by; nothing was processed" &&
	score --by .persona.gender --summary s.json c.jsonl >out &&
	test_line_count = 3 out
'

test_expect_success 'in a pipeline on a terminal only the last stage draws its progress line' '
	script -qec "persona-sample --schema spasm -n 100000 | persona-validate --no-rules | persona-craft --template >/dev/null" /dev/null >tty.out &&
	tr "\r" "\n" <tty.out | grep -ao "^[a-z-]*: [0-9]* records" | cut -d: -f1 | sort -u >drawn &&
	echo persona-craft >want && test_cmp want drawn
'

test_expect_success 'a failed re-craft carries no stale description; dialog-run refuses it, counted' '
	start_mock dead && stop_mock dead &&
	test_expect_code 1 persona-craft --base-url "$dead_URL" --model m --retries 0 --max-connect-failures 0 \
		want.jsonl >recraft.jsonl 2>err &&
	test_line_count = 60 recraft.jsonl &&
	jq -e -s "all(.status == \"failed\" and (has(\"description\") | not) and .craft.by == \"llm\")" recraft.jsonl &&
	test_expect_code 1 dialog-run --max-turns 2 --rejects rej.jsonl recraft.jsonl >conv.jsonl 2>err &&
	test ! -s conv.jsonl && test_line_count = 60 rej.jsonl &&
	grep -qx "dialog-run: 60 personas not run: an earlier step had failed on them (status \"failed\")" err &&
	grep -q "^dialog-run: recraft.jsonl:1: persona has \"status\":\"failed\" (connection: " err
'

test_expect_success 'a successful rerun of a failed craft clears the failure' '
	persona-craft --template --quiet recraft.jsonl >again.jsonl &&
	jq -e -s "length == 60 and all(has(\"status\") or has(\"error\") | not)" again.jsonl
'

test_expect_success '-o naming an input: exit 2, file untouched' '
	cp p.jsonl same.jsonl && cp p.jsonl same.orig &&
	test_expect_code 2 persona-validate same.jsonl -o same.jsonl 2>err &&
	grep -q "^persona-validate: output '"'"'same.jsonl'"'"' is also the input '"'"'same.jsonl'"'"'; nothing was written" err &&
	test_expect_code 2 persona-validate -o same.jsonl <same.jsonl 2>err &&
	test_expect_code 2 persona-craft --template --rejects same.jsonl same.jsonl 2>err &&
	test_cmp same.orig same.jsonl
'

test_expect_success 'an unreachable endpoint stops in seconds with one message, exit 75' '
	start_mock gone && stop_mock gone &&
	SECONDS=0 &&
	test_expect_code 75 persona-craft --base-url "$gone_URL" --model m want.jsonl >out 2>err &&
	test "$SECONDS" -le 5 &&
	test "$(grep -c "cannot reach" err)" = 1 &&
	grep -qx "persona-craft: cannot reach '"'"'$gone_URL'"'"': Couldn'"'"'t connect to server (3 attempts in a row, no reply); stopping: rerun later (exit 75)" err &&
	! grep -q "p0000[0-9][0-9]: connection" err &&
	grep -q "^persona-craft: stopped: [0-9]* records\{0,1\} in progress not written$" err
'

interrupt_idle() {   # interrupt_idle SIGNAL STATUS TOOL...: the tool waits on an idle stdin
	local signal=$1 want=$2 name=$3 writer pid status
	shift 2
	rm -f fifo && mkfifo fifo &&
	{ sleep 30 >fifo & } && writer=$! &&
	{ "$@" <fifo >out 2>err & } && pid=$! &&
	# Signal once the tool is blocked reading the idle pipe (valgrind starts slowly).
	for _ in $(seq 1 600); do grep -q pipe "/proc/$pid/wchan" 2>/dev/null && break; sleep 0.05; done
	sleep 0.2 && kill -"$signal" "$pid" 2>/dev/null; status=0; wait "$pid" || status=$?
	kill "$writer" 2>/dev/null
	test "$status" = "$want" || { echo "$name: status $status, want $want"; cat err; return 1; }
	grep -qx "$name: interrupted" err || { echo "$name: no interrupt message"; cat err; return 1; }
}

test_expect_success 'SIGINT/SIGTERM while waiting on an idle stdin: 130/143 and the interrupt message' '
	interrupt_idle INT 130 persona-validate &&
	interrupt_idle TERM 143 persona-craft --template &&
	interrupt_idle INT 130 dialog-run &&
	interrupt_idle TERM 143 score &&
	interrupt_idle INT 130 dialog-import --from chat
'

test_expect_success 'unknown options are named as given' '
	test_expect_code 2 persona-validate -x 2>err &&
	test "$(head -n 1 err)" = "persona-validate: unknown option '"'"'-x'"'"'" &&
	test_expect_code 2 persona-validate --keep=yes 2>err &&
	test "$(head -n 1 err)" = "persona-validate: option '"'"'--keep'"'"' takes no value" &&
	test_expect_code 2 score --nosuch=3 2>err &&
	test "$(head -n 1 err)" = "score: unknown option '"'"'--nosuch'"'"'"
'

test_expect_success 'missing file, directory, contradictions: exit 2 with the reason' '
	test_expect_code 2 persona-validate nosuch.jsonl 2>err &&
	test "$(head -n 1 err)" = "persona-validate: cannot open '"'"'nosuch.jsonl'"'"': No such file or directory" &&
	mkdir adir && test_expect_code 2 score adir 2>err &&
	test "$(head -n 1 err)" = "score: cannot read '"'"'adir'"'"': it is a directory" &&
	test_expect_code 2 dialog-run --resume nosuch.jsonl want.jsonl 2>err &&
	grep -q "^dialog-run: --resume: cannot open '"'"'nosuch.jsonl'"'"'" err &&
	: >done.jsonl && test_expect_code 2 dialog-run --resume done.jsonl -o done.jsonl want.jsonl 2>err &&
	grep -q "would empty the --resume file" err &&
	test_expect_code 2 dialog-run --min-turns 10 --max-turns 3 want.jsonl 2>err &&
	test "$(cat err)" = "dialog-run: --min-turns 10 is more than --max-turns 3" &&
	test_expect_code 2 persona-craft --template --model gpt-4o p.jsonl 2>err &&
	grep -q "^persona-craft: --template uses no model" err
'

test_expect_success '-o OUT.JSONL.GZ is gzip too; --quiet says nothing but errors; --help has exit codes' '
	persona-craft --template --quiet -o OUT.JSONL.GZ p.jsonl 2>err &&
	test ! -s err &&
	gzip -dc OUT.JSONL.GZ | test_line_count = 60 /dev/stdin &&
	head -n 2 want.jsonl | dialog-run --max-turns 2 --quiet >/dev/null 2>err &&
	test ! -s err &&
	persona-validate --help | grep -q "^130/143 interrupted by SIGINT/SIGTERM"
'

test_expect_success 'shipped data by name, from another folder, after make install' '
	make -s -C "$SRC" install PREFIX="$TRASH/prefix" BUILD="$BUILD" >/dev/null &&
	mkdir elsewhere && cd elsewhere &&
	P="$TRASH/prefix/bin" &&
	env -u OPENAI_API_KEY -u OPENAI_BASE_URL PATH="$P:/usr/bin:/bin" sh -c "
		persona-sample --schema spasm -n 4 --seed 1 |
		persona-validate --rules spasm --quiet |
		persona-craft --prompt craft --quiet |
		dialog-run --probes default --probe-every 2 --max-turns 4 --quiet |
		score --reference personachat --summary s.json --quiet >scored.jsonl" &&
	test_line_count = 4 scored.jsonl &&
	jq -e "has(\"reference\") and has(\"difference\")" s.json &&
	test -x "$P/persona-fanout" && test -x "$P/persona-demo" && test -x "$P/persona-spasm-matrix" &&
	"$P/persona-fanout" --help >/dev/null &&
	test_expect_code 2 env PATH="$P:/usr/bin:/bin" persona-sample --schema spam -n 1 2>err &&
	grep -q "(shipped: spasm, support, tutoring)$" err
'

test_done
