#!/usr/bin/env bash
# dialog-redact: contact strings in turns replaced by placeholders, counts in "redact";
# --only, bad and hostile input, the summary, partition independence, installation.
# (Each pattern is pinned in tests/unit/test-redact.c.)
. "$(dirname "$0")/lib.sh"

F=$FIXTURES/redact

test_expect_success 'the hand-written fixture comes out byte for byte as written, exit 0' '
	dialog-redact "$F/contacts.jsonl" >out 2>err &&
	test_cmp "$F/contacts.out" out &&
	echo "dialog-redact: 3 conversations, 2 with matches, 9 replaced (email 2, phone 3, url 2, number 2)" >want &&
	test_cmp want err
'

test_expect_success 'a record without a match is unchanged but for "redact", which keeps its place' '
	dialog-redact <"$F/contacts.jsonl" >out 2>/dev/null &&
	sed -n 2p "$F/contacts.jsonl" | jq -c "del(.redact)" >want &&
	sed -n 2p out | jq -c "del(.redact)" >got && test_cmp want got &&
	sed -n 2p out | jq -r "keys_unsorted | join(\" \")" >got &&
	echo "id turns redact score" >want && test_cmp want got
'

test_expect_success 'only turn texts change: other members of turns and records pass through' '
	dialog-redact <"$F/contacts.jsonl" >out 2>/dev/null &&
	jq -c "del(.redact) | .turns |= map(if type == \"object\" then del(.text) else . end)" "$F/contacts.jsonl" >want &&
	jq -c "del(.redact) | .turns |= map(if type == \"object\" then del(.text) else . end)" out >got &&
	test_cmp want got
'

test_expect_success 'redacting twice is redacting once; the second run counts zeros' '
	dialog-redact <"$F/contacts.jsonl" >once 2>/dev/null &&
	dialog-redact <once >twice 2>err &&
	jq -c "del(.redact)" once >want && jq -c "del(.redact)" twice >got && test_cmp want got &&
	jq -c ".redact" twice | sort -u >got &&
	echo "{\"email\":0,\"phone\":0,\"url\":0,\"number\":0}" >want && test_cmp want got &&
	grep -q "^dialog-redact: 3 conversations, 0 with matches, 0 replaced " err
'

test_expect_success '--only replaces and counts the chosen kinds; a URL still hides its address' '
	dialog-redact --only email <"$F/contacts.jsonl" >out 2>err &&
	jq -c "[.redact, [.turns[] | objects | .text // empty]]" out >got &&
	cat >want <<-\EOF &&
	[{"email":1},["Hi, I'"'"'m Ann — mail me at [EMAIL] or ring +44 20 7946 0958.","Thanks! See https://help.example.org/rent?ref=ann@example.com, or www.shelter.org.uk.","My account is 12345678901 and my card 4111 1111 1111 1111."]]
	[{"email":0},["Version 1.2.3 came out on 2024-01-15; it costs $1,299.99.","Follow @landlord_help, or call 555-1234 — café open 9–17."]]
	[{"email":1},["(555) 123-4567","电话：020 7946 0958。邮箱：[EMAIL]"]]
	EOF
	test_cmp want got &&
	echo "dialog-redact: 3 conversations, 2 with matches, 2 replaced (email 2)" >want && test_cmp want err &&
	dialog-redact --only number,url <"$F/contacts.jsonl" >out 2>err &&
	jq -c ".redact" out >got &&
	printf "%s\n" "{\"url\":2,\"number\":2}" "{\"url\":0,\"number\":0}" "{\"url\":0,\"number\":0}" >want &&
	test_cmp want got &&
	echo "dialog-redact: 3 conversations, 1 with matches, 4 replaced (url 2, number 2)" >want && test_cmp want err
'

test_expect_success '--only with every kind, in any order, is the default' '
	dialog-redact <"$F/contacts.jsonl" >want 2>/dev/null &&
	dialog-redact --only number,url,phone,email <"$F/contacts.jsonl" >got 2>/dev/null &&
	test_cmp want got
'

test_expect_success 'an unknown or empty --only kind is a usage error: exit 2, nothing written' '
	test_expect_code 2 dialog-redact --only email,phones <"$F/contacts.jsonl" >out 2>err &&
	test ! -s out &&
	printf "%s\n" "dialog-redact: unknown kind '"'"'phones'"'"' for --only (expected email, phone, url or number)" \
		"Try '"'"'dialog-redact --help'"'"' for more information." >want &&
	test_cmp want err &&
	for arg in "" "," "email," "EMAIL"; do
		test_expect_code 2 dialog-redact --only "$arg" <"$F/contacts.jsonl" >out 2>err &&
		test ! -s out || return 1
	done &&
	test_expect_code 2 dialog-redact --bogus </dev/null 2>/dev/null
'

test_expect_success 'records without a turns array and bad lines are named, routed verbatim, exit 1' '
	head -n 1 "$F/contacts.jsonl" >in.jsonl &&
	echo "not json" >>in.jsonl &&
	echo "{\"id\":\"no-turns\",\"text\":\"bob@example.com\"}" >>in.jsonl &&
	echo "{\"id\":\"string-turns\",\"turns\":\"bob@example.com\"}" >>in.jsonl &&
	echo "[\"bob@example.com\"]" >>in.jsonl &&
	tail -n 1 "$F/contacts.jsonl" >>in.jsonl &&
	test_expect_code 1 dialog-redact --rejects rej in.jsonl >out 2>err &&
	jq -c "[.id, .redact.email]" out >got &&
	printf "%s\n" "[\"r/1\",1]" "[\"r/3\",1]" >want && test_cmp want got &&
	grep -q "^dialog-redact: in.jsonl:2: not JSON: " err &&
	grep -q "^dialog-redact: in.jsonl:3: record has no \"turns\" array$" err &&
	grep -q "^dialog-redact: in.jsonl:4: record has no \"turns\" array$" err &&
	grep -q "^dialog-redact: in.jsonl:5: " err &&
	sed -n 2,5p in.jsonl >want && test_cmp want rej &&
	grep -q "^dialog-redact: 2 conversations, 2 with matches, 9 replaced (email 2, phone 3, url 2, number 2)$" err
'

test_expect_success 'hostile lines: exactly the bad ones named and rejected, the good ones redacted' '
	good="{\"id\":\"g1\",\"turns\":[{\"speaker\":\"client\",\"text\":\"mail me: a@b.org\"}]}" &&
	{
		printf "%s\r\n" "$good" &&
		printf "%s\n" "$(printf "%.0s[" $(seq 10000))$(printf "%.0s]" $(seq 10000))" &&
		printf "{\"id\":\"g2\",\"id\":\"g3\",\"turns\":[1,null,{\"speaker\":5,\"text\":[1]},{\"text\":\"a\\\\u0000b@c.org\\\\u0000\"}]}\n" &&
		printf "\xff\xfe not utf-8\n" &&
		printf "{\"id\":\"nul\",\0\"x\":1}\n" &&
		printf "[\"a\" \"b\"]\n" &&
		printf "{\"id\":7,\"turns\":\"x\",\"description\":5}\n" &&
		printf "{\"id\":\"w2\",\"turns\":[{\"speaker\":\"client\",\"text\":null},{\"speaker\":null}],\"redact\":7}\n" &&
		printf "%s" "$good"
	} >mixed.jsonl &&
	test_line_count = 8 mixed.jsonl &&
	test_expect_code 1 timeout 60 dialog-redact --rejects rej mixed.jsonl >out 2>err &&
	test "$(grep -c "^dialog-redact: mixed.jsonl:[0-9]*: " err)" = 5 &&
	for line in 2 4 5 6 7; do
		grep -q "^dialog-redact: mixed.jsonl:$line: " err || { echo "line $line not named"; return 1; }
	done &&
	sed -n "2p;4p;5p;6p;7p" mixed.jsonl >want && test_cmp want rej &&
	jq -c "[.id, .turns[-1], .redact.email]" out >got &&
	cat >want <<-\EOF &&
	["g1",{"speaker":"client","text":"mail me: [EMAIL]"},1]
	["g3",{"text":"a\u0000[EMAIL]\u0000"},1]
	["w2",{"speaker":null},0]
	["g1",{"speaker":"client","text":"mail me: [EMAIL]"},1]
	EOF
	test_cmp want got
'

test_expect_success 'garbage, empty input and texts built to be slow end quickly, never a crash' '
	head -c 2000 /dev/urandom | tr -d "\n" >garbage.jsonl &&
	: >empty.jsonl &&
	for f in garbage.jsonl empty.jsonl; do
		status=0 &&
		{ timeout 60 dialog-redact "$f" >out 2>err || status=$?; } &&
		[ "$status" -le 1 ] || { echo "$f: status $status"; tail -3 err; return 1; }
	done &&
	for unit in "1 " "a@" "www." "(1" "12 " "a."; do
		jq -cn --arg u "$unit" "{id: \"slow\", turns: [{text: ([range(400000)] | map(\$u) | join(\"\"))}]}" || return 1
	done >slow.jsonl &&
	timeout 60 dialog-redact slow.jsonl >out 2>/dev/null &&
	test_line_count = 6 out
'

test_expect_success '--quiet silences the summary; --keep-order changes nothing; gzip in and out' '
	dialog-redact -q <"$F/contacts.jsonl" >out 2>err &&
	test ! -s err && test_cmp "$F/contacts.out" out &&
	dialog-redact --keep-order <"$F/contacts.jsonl" >out 2>/dev/null &&
	test_cmp "$F/contacts.out" out &&
	gzip -c "$F/contacts.jsonl" >in.jsonl.gz &&
	dialog-redact -o out.jsonl.gz in.jsonl.gz 2>/dev/null &&
	gzip -dc out.jsonl.gz >out && test_cmp "$F/contacts.out" out
'

test_expect_success '--help and --version say what the program is and exit 0' '
	dialog-redact --help >out &&
	grep -q "^Usage: dialog-redact \[OPTION\]... \[FILE\]...$" out &&
	grep -q -- "--only LIST" out &&
	grep -q "dialog-redact(1)" out &&
	dialog-redact --version >out &&
	echo "dialog-redact 0.1.0" >want && test_cmp want out &&
	man -l "$SRC/share/man/dialog-redact.1" >page 2>/dev/null &&
	grep -q "^PATTERNS" page && grep -q "^EXIT STATUS" page
'

test_expect_success 'through pipelines/fanout.sh on 3 jobs the output equals one run' '
	for i in $(seq 1 100); do
		jq -c --arg i "$i" ".id = \"\(.id)/\(\$i)\"" "$F/contacts.jsonl" || return 1
	done >many.jsonl &&
	test_line_count = 300 many.jsonl &&
	dialog-redact <many.jsonl >seq 2>/dev/null &&
	"$SRC/pipelines/fanout.sh" -j 3 -b 8k -i many.jsonl -o par -- dialog-redact 2>/dev/null &&
	test_cmp seq par &&
	"$SRC/pipelines/fanout.sh" -j 3 -b 8k -i many.jsonl -o par -- dialog-redact --only phone 2>/dev/null &&
	dialog-redact --only phone <many.jsonl >seq 2>/dev/null &&
	test_cmp seq par
'

test_expect_success 'make install puts dialog-redact and its man page in place' '
	make -s -C "$SRC" install PREFIX="$TRASH/prefix" BUILD="$BUILD" >/dev/null &&
	test -x prefix/bin/dialog-redact &&
	test -f prefix/share/man/man1/dialog-redact.1 &&
	prefix/bin/dialog-redact <"$F/contacts.jsonl" >out 2>/dev/null &&
	test_cmp "$F/contacts.out" out
'

test_done
