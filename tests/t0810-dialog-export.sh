#!/usr/bin/env bash
# dialog-export: conversations as fine-tuning examples, byte for byte on a hand-written
# fixture in every format and view; shaping, --system, --max-tokens and --truncate; the
# filters and their counts; bad input, --help, partition independence, installation.
# (The message shaping is pinned in tests/unit/test-exportview.c.)
. "$(dirname "$0")/lib.sh"

F=$FIXTURES/export
# The fixture: open-client (4 turns, opened by the client), open-responder (opened by
# the responder, ends with the client), failed, flagged (scores.qa.ai_identity), runs
# (two turns in a row of each speaker, no status), no-reply (only the client spoke).
K="(The conversation starts now. Please begin.)"

test_expect_success 'every format and view, per conversation and --split-turns, byte for byte' '
	for to in openai sharegpt; do
		for as in responder client; do
			dialog-export --to $to --as $as "$F/conversations.jsonl" >out 2>/dev/null &&
			test_cmp "$F/$to-$as.out" out &&
			dialog-export --to $to --as $as --split-turns "$F/conversations.jsonl" >out 2>/dev/null &&
			test_cmp "$F/$to-$as-split.out" out || { echo "--to $to --as $as"; return 1; }
		done || return 1
	done
'

test_expect_success 'the defaults are --to openai --as responder; the summary counts what was skipped' '
	dialog-export <"$F/conversations.jsonl" >out 2>err &&
	test_cmp "$F/openai-responder.out" out &&
	echo "dialog-export: 6 conversations, 4 examples (1 failed, 1 without a responder turn skipped)" >want &&
	test_cmp want err &&
	dialog-export --as client --split-turns <"$F/conversations.jsonl" >/dev/null 2>err &&
	echo "dialog-export: 6 conversations, 8 examples (1 failed skipped)" >want && test_cmp want err
'

test_expect_success 'every example keeps the invariant and ends with the assistant: [system] user (assistant user)* assistant' '
	for f in "$F"/openai-*.out; do
		jq -r "[.messages[].role[0:1]] | join(\"\")" "$f" || return 1
	done | sort -u >got &&
	grep -Evx "s?u(au)*a" got >bad || true &&
	test ! -s bad &&
	jq -r "[.conversations[].from] | join(\" \")" "$F/sharegpt-client.out" | sort -u >got &&
	printf "%s\n" "system human gpt" "system human gpt human gpt" >want && test_cmp want got
'

test_expect_success 'the kick-off opens what the target opened; the partner'"'"'s last turn is left out' '
	jq -c "[.messages[] | .content[0:12]]" "$F/openai-responder.out" >got &&
	cat >want <<-\EOF &&
	["Hi. I keep f","That sounds ","Six years. I","Could you as"]
	["(The convers","Hello! What ","I lost a lib","Have you ask"]
	["As an AI, I ","Tell me more"]
	["My bike was ","I am sorry.\n"]
	EOF
	test_cmp want got &&
	sed -n 1p "$F/openai-client.out" | jq -r ".messages[1].content" >got &&
	echo "$K" >want && test_cmp want got
'

test_expect_success 'consecutive turns of one speaker are one message joined by a blank line' '
	sed -n 4p "$F/openai-responder.out" >got &&
	echo "{\"messages\":[{\"role\":\"user\",\"content\":\"My bike was stolen.\\n\\nFrom outside the station.\"},{\"role\":\"assistant\",\"content\":\"I am sorry.\\n\\nDid you report it?\"}]}" >want &&
	test_cmp want got
'

test_expect_success '--system-placement first-user: the system text tops the first user message' '
	dialog-export --as client --system-placement first-user "$F/conversations.jsonl" >out 2>/dev/null &&
	sed -n "1p;2p" out >got &&
	cat >want <<-EOF &&
	{"messages":[{"role":"user","content":"You are Ann, a night nurse who wants to move to day shifts.\n\n$K"},{"role":"assistant","content":"Hi. I keep falling asleep on the bus home."},{"role":"user","content":"That sounds exhausting. How long have you worked nights?"},{"role":"assistant","content":"Six years. I want days, but the rota is full."}]}
	{"messages":[{"role":"user","content":"You are Bo, a student who lost a library book.\n\nHello! What brings you here today?"},{"role":"assistant","content":"I lost a library book and the fine is huge."},{"role":"user","content":"Have you asked whether they accept a replacement copy?"},{"role":"assistant","content":"No, I will ask. Thanks!"}]}
	EOF
	test_cmp want got &&
	jq -r "[.messages[].role] | index(\"system\")" out | sort -u >got &&
	echo null >want && test_cmp want got
'

test_expect_success '--system TEXT or @FILE: the responder'"'"'s system message; as client it replaces the description' '
	dialog-export --system "Be a kind listener." "$F/conversations.jsonl" >out 2>/dev/null &&
	jq -c ".messages[0]" out | sort -u >got &&
	echo "{\"role\":\"system\",\"content\":\"Be a kind listener.\"}" >want && test_cmp want got &&
	jq -c "del(.messages[0])" out >got && test_cmp "$F/openai-responder.out" got &&
	printf "\n  Be a kind listener.\n\n" >prompt.txt &&
	dialog-export --system @prompt.txt "$F/conversations.jsonl" >out2 2>/dev/null &&
	test_cmp out out2 &&
	dialog-export --to sharegpt --system "Be a kind listener." --system-placement first-user \
		"$F/conversations.jsonl" >out 2>/dev/null &&
	sed -n 1p out >got &&
	echo "{\"id\":\"open-client\",\"conversations\":[{\"from\":\"human\",\"value\":\"Be a kind listener.\\n\\nHi. I keep falling asleep on the bus home.\"},{\"from\":\"gpt\",\"value\":\"That sounds exhausting. How long have you worked nights?\"},{\"from\":\"human\",\"value\":\"Six years. I want days, but the rota is full.\"},{\"from\":\"gpt\",\"value\":\"Could you ask to join the waiting list for day posts?\"}]}" >want &&
	test_cmp want got &&
	dialog-export --as client --system "You play a client." "$F/conversations.jsonl" >out 2>/dev/null &&
	jq -r ".messages[0].content" out | sort -u >got &&
	echo "You play a client." >want && test_cmp want got
'

test_expect_success '--max-tokens N drops the examples over (bytes + 3) / 4 tokens; at N exactly they stay' '
	dialog-export --max-tokens 20 "$F/conversations.jsonl" >out 2>err &&
	sed -n "3,4p" "$F/openai-responder.out" >want && test_cmp want out &&
	echo "dialog-export: 6 conversations, 2 examples (1 failed, 1 without a responder turn skipped; 2 over 20 tokens dropped)" >want &&
	test_cmp want err &&
	sed -n 2p out | jq "[.messages[].content | utf8bytelength] | add" >got &&
	echo 77 >want && test_cmp want got &&
	dialog-export --max-tokens 19 "$F/conversations.jsonl" >out 2>/dev/null &&
	sed -n 3p "$F/openai-responder.out" >want && test_cmp want out
'

test_expect_success '--truncate keeps the last exchanges that fit; dropped when not even the last one does' '
	dialog-export --max-tokens 25 --truncate "$F/conversations.jsonl" >out 2>err &&
	cat >want <<-\EOF &&
	{"messages":[{"role":"user","content":"Six years. I want days, but the rota is full."},{"role":"assistant","content":"Could you ask to join the waiting list for day posts?"}]}
	{"messages":[{"role":"user","content":"I lost a library book and the fine is huge."},{"role":"assistant","content":"Have you asked whether they accept a replacement copy?"}]}
	{"messages":[{"role":"user","content":"As an AI, I cannot retire."},{"role":"assistant","content":"Tell me more about retiring."}]}
	{"messages":[{"role":"user","content":"My bike was stolen.\n\nFrom outside the station."},{"role":"assistant","content":"I am sorry.\n\nDid you report it?"}]}
	EOF
	test_cmp want out &&
	echo "dialog-export: 6 conversations, 4 examples (1 failed, 1 without a responder turn skipped; 0 over 25 tokens dropped, 2 truncated)" >want &&
	test_cmp want err &&
	dialog-export --max-tokens 24 --truncate "$F/conversations.jsonl" >out 2>err &&
	sed -n "3,4p" "$F/openai-responder.out" >want && test_cmp want out &&
	echo "dialog-export: 6 conversations, 2 examples (1 failed, 1 without a responder turn skipped; 2 over 24 tokens dropped, 0 truncated)" >want &&
	test_cmp want err
'

test_expect_success '--truncate keeps the system message (the description of the client)' '
	dialog-export --as client --max-tokens 40 --truncate -q "$F/conversations.jsonl" >out &&
	jq -c "[.messages[] | .role[0:1] + \":\" + .content[0:10]]" out >got &&
	cat >want <<-\EOF &&
	["s:You are An","u:That sound","a:Six years."]
	["s:You are Bo","u:Have you a","a:No, I will"]
	["s:You are Di","u:(The conve","a:As an AI, "]
	["s:You are Ed","u:I am sorry","a:Yes, this "]
	["s:You are Fl","u:(The conve","a:Is anyone "]
	EOF
	test_cmp want got &&
	dialog-export --as client --max-tokens 40 --truncate "$F/conversations.jsonl" 2>&1 >/dev/null |
		grep -qx "dialog-export: 6 conversations, 5 examples (1 failed skipped; 0 over 40 tokens dropped, 3 truncated)"
'

test_expect_success '--split-turns with --max-tokens: each example on its own; sharegpt ids keep their numbers' '
	dialog-export --to sharegpt --split-turns --max-tokens 20 "$F/conversations.jsonl" >out 2>err &&
	jq -r .id out >got &&
	printf "%s\n" "open-responder#1" "flagged#1" "runs#1" >want && test_cmp want got &&
	grep -qx "dialog-export: 6 conversations, 3 examples (1 failed, 1 without a responder turn skipped; 3 over 20 tokens dropped)" err &&
	dialog-export --to sharegpt --as client --split-turns --max-tokens 20 --truncate "$F/conversations.jsonl" >out 2>err &&
	jq -c "[.id, [.conversations[].value[0:8]]]" out >got &&
	cat >want <<-\EOF &&
	["runs#2",["You are ","I am sor","Yes, thi"]]
	["no-reply#1",["You are ","(The con","Is anyon"]]
	EOF
	test_cmp want got &&
	grep -qx "dialog-export: 6 conversations, 2 examples (1 failed skipped; 6 over 20 tokens dropped, 1 truncated)" err
'

test_expect_success 'the filters: --include-failed, --only-stopped, --exclude-flagged, each counted' '
	dialog-export --include-failed "$F/conversations.jsonl" >out 2>err &&
	jq -c "[.messages[].content]" out | sed -n 3p >got &&
	echo "[\"Hello?\",\"Hi\"]" >want && test_cmp want got &&
	echo "dialog-export: 6 conversations, 5 examples (1 without a responder turn skipped)" >want && test_cmp want err &&
	dialog-export --only-stopped "$F/conversations.jsonl" >out 2>err &&
	sed -n "1p;3p;4p" "$F/openai-responder.out" >want && test_cmp want out &&
	echo "dialog-export: 6 conversations, 3 examples (1 failed, 2 not stopped skipped)" >want && test_cmp want err &&
	dialog-export --exclude-flagged --to sharegpt "$F/conversations.jsonl" >out 2>err &&
	jq -r .id out >got && printf "%s\n" open-client open-responder runs >want && test_cmp want got &&
	echo "dialog-export: 6 conversations, 3 examples (1 failed, 1 flagged, 1 without a responder turn skipped)" >want &&
	test_cmp want err &&
	dialog-export --as client --include-failed --only-stopped --exclude-flagged "$F/conversations.jsonl" >out 2>err &&
	jq -r ".messages[0].content" out >got &&
	printf "%s\n" "You are Ann, a night nurse who wants to move to day shifts." "You are Ed, a cyclist." >want &&
	test_cmp want got &&
	echo "dialog-export: 6 conversations, 2 examples (3 not stopped, 1 flagged skipped)" >want && test_cmp want err
'

test_expect_success 'records without a turns array, group conversations and bad lines are named, routed verbatim, exit 1' '
	head -n 1 "$F/conversations.jsonl" >in.jsonl &&
	echo "not json" >>in.jsonl &&
	echo "{\"id\":\"no-turns\",\"text\":\"hi\"}" >>in.jsonl &&
	echo "{\"id\":\"string-turns\",\"turns\":\"hi\"}" >>in.jsonl &&
	echo "{\"id\":\"g1\",\"participants\":[{\"name\":\"Ann\"}],\"turns\":[{\"speaker\":\"moderator\",\"text\":\"Welcome.\"}]}" >>in.jsonl &&
	tail -n 2 "$F/conversations.jsonl" >>in.jsonl &&
	test_expect_code 1 dialog-export --rejects rej in.jsonl >out 2>err &&
	sed -n "1p;4p" "$F/openai-responder.out" >want && test_cmp want out &&
	grep -q "^dialog-export: in.jsonl:2: not JSON: " err &&
	grep -qx "dialog-export: in.jsonl:3: record has no \"turns\" array" err &&
	grep -qx "dialog-export: in.jsonl:4: record has no \"turns\" array" err &&
	grep -qx "dialog-export: in.jsonl:5: group conversations are not exported yet" err &&
	sed -n 2,5p in.jsonl >want && test_cmp want rej &&
	tail -n 1 err >got &&
	echo "dialog-export: 3 conversations, 2 examples (1 without a responder turn skipped)" >want && test_cmp want got
'

test_expect_success 'hostile turns: not objects, odd speakers, texts that are not strings; never a crash' '
	printf "%s\n" "{\"id\":7,\"turns\":[1,null,{\"speaker\":5,\"text\":[1]},{\"speaker\":\"responder\",\"text\":null},{\"speaker\":\"responder\",\"text\":\"ok\"}]}" \
		"{\"id\":\"e\",\"turns\":[],\"status\":\"ok\"}" "{\"id\":\"s\",\"turns\":[{\"speaker\":\"responder\",\"text\":\"x\"}],\"status\":5,\"scores\":{\"qa\":7}}" >odd.jsonl &&
	dialog-export --to sharegpt --exclude-flagged odd.jsonl >out 2>err &&
	echo "{\"id\":\"7\",\"conversations\":[{\"from\":\"human\",\"value\":\"\"},{\"from\":\"gpt\",\"value\":\"ok\"}]}" >want &&
	test_cmp want out &&
	echo "dialog-export: 3 conversations, 1 examples (1 failed, 1 without a responder turn skipped)" >want && test_cmp want err &&
	head -c 2000 /dev/urandom | tr -d "\n" >garbage.jsonl &&
	status=0 && { timeout 60 dialog-export garbage.jsonl >out 2>err || status=$?; } &&
	test "$status" -le 1
'

test_expect_success 'usage errors: --truncate without --max-tokens, an empty or missing --system, bad choices; exit 2' '
	test_expect_code 2 dialog-export --truncate "$F/conversations.jsonl" >out 2>err &&
	test ! -s out && echo "dialog-export: --truncate needs --max-tokens" >want && test_cmp want err &&
	test_expect_code 2 dialog-export --system "  " "$F/conversations.jsonl" >out 2>err &&
	test ! -s out && echo "dialog-export: --system: the text is empty" >want && test_cmp want err &&
	test_expect_code 2 dialog-export --system @nowhere.txt "$F/conversations.jsonl" >out 2>err &&
	test ! -s out && grep -qx "dialog-export: --system: cannot open '"'"'nowhere.txt'"'"': No such file or directory" err &&
	for bad in "--to alpaca" "--as moderator" "--system-placement last" "--max-tokens 0" "--bogus"; do
		test_expect_code 2 dialog-export $bad "$F/conversations.jsonl" >out 2>/dev/null &&
		test ! -s out || return 1
	done
'

test_expect_success '--quiet silences the summary; gzip in and out' '
	dialog-export -q <"$F/conversations.jsonl" >out 2>err &&
	test ! -s err && test_cmp "$F/openai-responder.out" out &&
	gzip -c "$F/conversations.jsonl" >in.jsonl.gz &&
	dialog-export -o out.jsonl.gz in.jsonl.gz 2>/dev/null &&
	gzip -dc out.jsonl.gz >out && test_cmp "$F/openai-responder.out" out
'

test_expect_success '--help and --version say what the program is and exit 0; the man page renders' '
	dialog-export --help >out &&
	grep -q "^Usage: dialog-export \[OPTION\]... \[FILE\]...$" out &&
	for opt in "--to openai|sharegpt" "--as responder|client" "--system TEXT|@FILE" "--system-placement" \
		"--split-turns" "--max-tokens N" "--truncate" "--include-failed" "--only-stopped" "--exclude-flagged"; do
		grep -q -- "$opt" out || { echo "no $opt"; return 1; }
	done &&
	grep -q "dialog-export(1)" out &&
	dialog-export --version >out &&
	echo "dialog-export 0.1.0" >want && test_cmp want out &&
	man -l "$SRC/share/man/dialog-export.1" >page 2>/dev/null &&
	grep -q "^SHAPING" page && grep -q "^EXIT STATUS" page && grep -q "user-sim.jsonl" page
'

test_expect_success 'through pipelines/fanout.sh on 3 jobs the output equals one run' '
	for i in $(seq 1 50); do
		jq -c --arg i "$i" ".id = \"\(.id)/\(\$i)\"" "$F/conversations.jsonl" || return 1
	done >in.jsonl &&
	test_line_count = 300 in.jsonl &&
	for args in "" "--to sharegpt --as client --split-turns" "--max-tokens 24 --truncate --exclude-flagged"; do
		dialog-export $args <in.jsonl 2>/dev/null | sort >seq &&
		"$SRC/pipelines/fanout.sh" -j 3 -b 1k -i in.jsonl -o par -- dialog-export $args 2>/dev/null &&
		sort par >par.sorted &&
		test_cmp seq par.sorted || { echo "args: $args"; return 1; }
	done &&
	test -s seq
'

test_expect_success 'make install puts dialog-export and its man page in place' '
	make -s -C "$SRC" install PREFIX="$TRASH/prefix" BUILD="$BUILD" >/dev/null &&
	test -x prefix/bin/dialog-export &&
	test -f prefix/share/man/man1/dialog-export.1 &&
	prefix/bin/dialog-export <"$F/conversations.jsonl" >out 2>/dev/null &&
	test_cmp "$F/openai-responder.out" out
'

test_expect_success 'round trips: sharegpt and openai exports import back to the same turns and descriptions' '
	persona-sample --schema "$SCHEMAS/spasm.json" -n 6 --seed 3 | persona-craft --template |
		dialog-run --conversations 2 --opener responder --max-turns 3 --stop none >rt.jsonl 2>/dev/null &&
	persona-sample --schema "$SCHEMAS/spasm.json" -n 6 --seed 4 | persona-craft --template |
		dialog-run --max-turns 3 --stop none >>rt.jsonl 2>/dev/null &&
	test_line_count = 18 rt.jsonl &&
	jq -c "{id, description, turns: [.turns[] | {speaker, text}]}" rt.jsonl >want &&
	dialog-export --to sharegpt --as client --whole <rt.jsonl |
		dialog-import --from sharegpt --roles human=responder,gpt=client,system=description 2>/dev/null |
		jq -c "{id, description, turns}" >got &&
	test_cmp want got &&
	jq -c "{description, turns: [.turns[] | {speaker, text}]}" rt.jsonl >want2 &&
	dialog-export --to openai --as client --whole <rt.jsonl |
		dialog-import --from chat --roles system=description,user=responder,assistant=client 2>/dev/null |
		jq -c "{description, turns}" >got2 &&
	test_cmp want2 got2 &&
	jq -c "{turns: [.turns[] | {speaker, text}]}" rt.jsonl >want3 &&
	dialog-export --to sharegpt --whole <rt.jsonl | dialog-import --from sharegpt 2>/dev/null | jq -c "{turns}" >got3 &&
	test_cmp want3 got3 &&
	test_expect_code 2 dialog-export --whole --split-turns <rt.jsonl >out 2>err &&
	echo "dialog-export: --whole writes each conversation as it is: not with --split-turns or --max-tokens" >want4 &&
	test_cmp want4 err
'

test_done
