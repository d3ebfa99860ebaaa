#!/usr/bin/env bash
# Fault injection, end to end through dialog-run with --cache and --resume: half the
# requests fail (429, 503, 500, replies cut mid-body), the server is killed and
# restarted mid-run, and the client is killed with SIGKILL at random moments ten
# times, each time resumed. At the end every conversation exists exactly once, whole,
# and the server's log shows no paid call made twice for a turn the client had finished.
. "$(dirname "$0")/lib.sh"

unset OPENAI_API_KEY OPENAI_BASE_URL
PEOPLE=40
TURNS=3   # per side: 6 turns per conversation

test_expect_success "setup: $PEOPLE personas, crafted offline" '
	persona-sample --schema "$SCHEMAS/spasm.json" -n $PEOPLE --seed 11 | persona-craft >personas.jsonl 2>/dev/null &&
	test_line_count = $PEOPLE personas.jsonl &&
	jq -e -s "all(.[]; .description | startswith(\"You are\"))" personas.jsonl
'
faults="--latency-ms 40 --fault-rate 0.5 --fault-kinds 429,503,500,cut --retry-after 0"

# The client's arguments: whatever server listens on $PORT, appending to conv.jsonl. (Not
# a function running dialog-run: the background job must be dialog-run itself, so that
# kill -9 hits it; hence also `{ dialog-run ... & }`, as `a && b &` would background
# the whole list in a subshell.)
client_args() {
	args=(--base-url "http://127.0.0.1:$PORT/v1" --model m --max-turns $TURNS --stop none
		--concurrency 10 --retries 40 --timeout 5 --cache cache --resume conv.jsonl personas.jsonl
		--max-connect-failures 0)   # ride out the server restart instead of stopping (exit 75)
}

# Finished turns at a moment: the replies stored in the cache (entries are renamed into
# place whole; the .tmp files of a killed writer are not entries).
snapshot() {
	find cache -type f ! -name ".tmp.*" -exec grep -ho '"content":"mock reply [0-9]* from' {} + 2>/dev/null |
		tr -cd "0-9\n" | sort -u >"$1" || true
}

# paid_twice LOG: with "segments" (SEGMENT FIRST-LOG-LINE per line) and snap.SEGMENT
# (the reply numbers the cache held when the segment began), print each request that
# was answered ok although an earlier ok answer to the same body was already cached.
paid_twice() {
	jq -r "[.n, .fault, (.body | tojson)] | @tsv" "$1" >log.tsv &&
	awk -F "\t" "
		FILENAME == \"segments\" { split(\$0, f, \" \"); start[f[1]] = f[2]; nseg = f[1]; next }
		FILENAME ~ /^snap\\./ { split(FILENAME, f, \".\"); held[f[2], \$0] = 1; next }
		{
			line = FNR - 1; seg = 0
			for (s = 1; s <= nseg; s++) if (line >= start[s]) seg = s
			if (\$2 != \"ok\") next
			for (k = 1; k <= count[\$3]; k++)
				if (okline[\$3, k] < start[seg] && held[seg, okn[\$3, k]])
					print \"request \" \$1 \" repeats \" okn[\$3, k] \", cached before segment \" seg
			count[\$3]++; okline[\$3, count[\$3]] = line; okn[\$3, count[\$3]] = \$1
		}
	" segments snap.* log.tsv
}

test_expect_success 'ten SIGKILLs, a server restart, 50% faults: every conversation once, no finished turn paid twice' '
	start_mock m1 $faults --fault-seed 5 &&
	PORT=$m1_PORT &&
	: >conv.jsonl &&
	: >segments &&
	RANDOM=7 &&
	hits=0 &&
	for i in $(seq 1 10); do
		snapshot snap.$i &&
		start=$(cat m*.log | wc -l) &&
		echo "$i $start" >>segments &&
		client_args &&
		{ dialog-run "${args[@]}" >>conv.jsonl 2>>client.err & } &&
		pid=$! &&
		if [ $i = 5 ]; then
			# The server dies mid-run and comes back on the same port 0.4 s later.
			sleep 0.3 && kill -9 $m1_PID && { wait $m1_PID 2>/dev/null || true; } &&
			sleep 0.4 &&
			start_mock m2 $faults --fault-seed 6 --port $PORT --first-request 1000001
		fi &&
		# A random moment once the client is under way: after it has made a few
		# requests, 0 to 0.6 s later.
		for t in $(seq 1 400); do
			[ "$(cat m*.log | wc -l)" -ge $((start + 3)) ] && break
			sleep 0.01
		done &&
		sleep "$(printf "0.%03d" $((RANDOM % 600)))" &&
		{ ! kill -9 $pid 2>/dev/null || hits=$((hits + 1)); } &&
		{ wait $pid 2>/dev/null || true; } &&
		echo "after kill $i: $(wc -l <conv.jsonl) lines" >>kills || return 1
	done &&
	echo "$hits of 10 kills hit a running client" >>kills &&
	snapshot snap.11 &&
	echo "11 $(cat m*.log | wc -l)" >>segments &&
	client_args &&
	dialog-run "${args[@]}" >>conv.jsonl 2>>client.err &&
	stop_mock m2 &&
	cat kills &&

	# Whole records, each conversation exactly once, each one complete.
	jq -c . conv.jsonl >/dev/null &&
	jq -r .id conv.jsonl | sort >ids &&
	jq -r ".id + \"/0\"" personas.jsonl | sort >want &&
	test_cmp want ids &&
	jq -e -s "all(.[]; .status == \"ok\" and (.turns | length) == 2 * $TURNS)" conv.jsonl &&

	# Every kill came mid-run.
	test "$hits" = 10 &&
	# The faults happened, and the restarted server served the rest.
	cat m1.log m2.log >all.log &&
	for kind in 429 503 500 cut ok; do
		test "$(jq -r "select(.fault == \"$kind\") | .n" all.log | wc -l)" -gt 5 ||
		{ echo "too few $kind faults"; exit 1; }
	done &&
	test "$(jq -r "select(.fault == \"ok\") | .n" m2.log | wc -l)" -gt 0 &&

	# Paid twice: a request answered ok in segment j whose body had been answered ok
	# before segment j, by a reply the cache already held when segment j began.
	paid_twice all.log >violations &&
	if [ -s violations ]; then echo "paid twice:"; cat violations; exit 1; fi &&
	cut -f2,3 log.tsv | grep "^ok" | sort | uniq -d | wc -l >repeated &&
	echo "bodies answered ok more than once (in flight at a kill): $(cat repeated)"
'

test_expect_success 'the paid-twice check finds repeats: a second run that ignores the cache pays the first turns again' '
	start_mock m3 --latency-ms 5 &&
	PORT=$m3_PORT &&
	rm -rf cache conv.jsonl && : >conv.jsonl &&
	head -n 3 personas.jsonl >three.jsonl &&
	echo "1 0" >segments &&
	dialog-run --base-url "http://127.0.0.1:$PORT/v1" --model m --max-turns 2 --stop none --cache cache three.jsonl >/dev/null 2>&1 &&
	rm -f snap.* && snapshot snap.1 &&
	echo "2 $(wc -l <m3.log)" >>segments &&
	snapshot snap.2 &&
	rm -rf cache &&
	dialog-run --base-url "http://127.0.0.1:$PORT/v1" --model m --max-turns 2 --stop none --cache cache three.jsonl >/dev/null 2>&1 &&
	stop_mock m3 &&
	paid_twice m3.log >violations &&
	test_line_count = 3 violations &&
	head -n 1 violations | grep -q "^request 13 repeats [0-9]*, cached before segment 2$"
'

test_done
