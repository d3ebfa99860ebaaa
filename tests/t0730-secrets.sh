#!/usr/bin/env bash
# The API key never leaks: not to stdout, stderr, --rejects, --progress, the cache,
# summaries and reports, core dumps, or the `ps` listing while pipeline scripts run.
# The mock server quotes the key it was given in its 401 refusals (as some providers
# do), so the scrubbing is exercised, not just the absence of an echo.
. "$(dirname "$0")/lib.sh"

KEY=sk-planted-9c2e71d04b5a63f8
export OPENAI_API_KEY=$KEY
unset OPENAI_BASE_URL

test_expect_success 'setup: 6 personas, crafted, and a 4-turn conversation each, offline' '
	env -u OPENAI_API_KEY persona-sample --schema "$SCHEMAS/spasm.json" -n 6 --seed 4 >sampled.jsonl &&
	test_line_count = 6 sampled.jsonl &&
	env -u OPENAI_API_KEY persona-craft <sampled.jsonl >personas.jsonl 2>/dev/null &&
	test_line_count = 6 personas.jsonl &&
	env -u OPENAI_API_KEY dialog-run --max-turns 2 --stop none <personas.jsonl >conversations.jsonl 2>/dev/null &&
	test_line_count = 6 conversations.jsonl &&
	jq -e -s "all(.[]; .status == \"ok\" and (.turns | length) == 4)" conversations.jsonl
'

# no_key FILE...: none of the files (or folders) holds the key.
no_key() {
	if grep -r -l -- "$KEY" "$@" >leaks 2>/dev/null; then
		echo "the key leaked into: $(tr "\n" " " <leaks)" >&2
		return 1
	fi
}

# secret_run REPLY COMMAND...: COMMAND against a mock that refuses the first request
# quoting the key, fails the second with 500, answers the rest with REPLY.
secret_run() {
	local reply=$1
	shift
	rm -rf cache rej out err
	start_mock m --faults 401,500 --retry-after 0 --expect-key-env OPENAI_API_KEY ${reply:+--reply "$reply"} &&
	{ "$@" --base-url "$m_URL" --cache cache --rejects rej --progress >out 2>err || true; } &&
	stop_mock m &&
	grep -q "Incorrect API key provided: \[redacted\]" err &&
	jq -e -s "map(.auth) | all" m.log >/dev/null &&
	test -d cache &&
	no_key out err cache m.err $(ls rej 2>/dev/null)
}

test_expect_success 'persona-craft: key scrubbed from the provider message, absent everywhere' '
	secret_run "" persona-craft --model m sampled.jsonl
'

test_expect_success 'persona-validate --judge: key absent everywhere' '
	secret_run "{\"verdict\": true, \"reason\": \"ok\"}" persona-validate --judge --model m personas.jsonl
'

test_expect_success 'dialog-run: key absent everywhere' '
	secret_run "" dialog-run --model m --max-turns 2 personas.jsonl
'

test_expect_success 'dialog-stop --judge: key absent everywhere' '
	secret_run "{\"verdict\": false, \"reason\": \"no\"}" dialog-stop --judge --model m conversations.jsonl
'

test_expect_success 'embed with a served model: key absent everywhere' '
	secret_run "" embed --model e --of description --batch 1 personas.jsonl
'

test_expect_success 'score --judge: key absent from records, summary and HTML report' '
	secret_run "{\"role_failure\": false, \"category\": \"none\", \"turn\": null, \"reason\": \"ok\"}" \
		score --judge --model m --summary summary.json --report report.html conversations.jsonl &&
	test -s summary.json && test -s report.html &&
	no_key summary.json report.html
'

# watch_ps FILE COMMAND...: run COMMAND, listing every process's command line into FILE
# every 20 ms until it ends.
watch_ps() {
	local out=$1 status=0
	shift
	"$@" &
	local pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		ps -eo args >>"$out"
		sleep 0.02
	done
	wait "$pid" || status=$?
	return $status
}

test_expect_success 'ps shows no key while spasm-matrix.sh and fanout.sh run against a server' '
	start_mock m --latency-ms 30 --expect-key-env OPENAI_API_KEY --reply "{\"verdict\": true, \"reason\": \"fine\"}" &&
	: >ps.log &&
	watch_ps ps.log "$SRC/pipelines/spasm-matrix.sh" -p personas.jsonl -k 1 -o mx -c "a" -r "b" -- \
		--base-url "$m_URL" --max-turns 2 >table 2>err &&
	watch_ps ps.log "$SRC/pipelines/fanout.sh" -i personas.jsonl -o fan.jsonl -j 2 -b 1k -- \
		persona-validate --judge --base-url "$m_URL" --model m 2>>err &&
	stop_mock m &&
	test "$(jq -s "map(select(.auth)) | length" m.log)" -gt 10 &&
	grep -q "dialog-run .*--base-url" ps.log &&
	grep -q "persona-validate --judge" ps.log &&
	no_key ps.log table err mx fan.jsonl
'

# Core dumps: a process holding the key makes none (prctl PR_SET_DUMPABLE). Checked
# where the kernel writes plain "core" files and would write one for a dumpable
# process, shown by the same run without a key; the sanitizer and valgrind builds
# handle fatal signals themselves, so the check runs on the plain build.
core_pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null || echo "|")
if [ -n "${ASAN_OPTIONS:-}${VALGRIND_LOGS:-}" ]; then
	test_skip 'a process holding the key writes no core dump' "sanitizer or valgrind build"
elif [ "$(cat /proc/sys/fs/suid_dumpable 2>/dev/null)" != 0 ] || case $core_pattern in core*) false ;; *) true ;; esac; then
	test_skip 'a process holding the key writes no core dump' "kernel.core_pattern is '$core_pattern' (not a plain core file)"
else
	test_expect_success 'a process holding the key writes no core dump (one without a key does)' '
		start_mock m --latency-ms 5000 &&
		for who in with-key without-key; do
			mkdir -p $who &&
			(
				cd $who &&
				ulimit -c unlimited &&
				if [ $who = with-key ]; then
					{ persona-craft --base-url "$m_URL" --model m ../sampled.jsonl >out 2>err & }
				else
					{ env -u OPENAI_API_KEY persona-craft --base-url "$m_URL" --model m ../sampled.jsonl >out 2>err & }
				fi &&
				pid=$! &&
				for i in $(seq 1 300); do [ -s ../m.log ] && break; sleep 0.01; done &&
				sleep 0.2 &&
				kill -SEGV $pid &&
				status=0 && { wait $pid || status=$?; } &&
				test "$status" = 139 &&
				rm -f ../m.log
			) || return 1
		done &&
		stop_mock m &&
		test -z "$(ls with-key | grep "^core")" &&
		test -n "$(ls without-key | grep "^core")"
	'
fi

test_done
