#!/usr/bin/env bash
# persona-group: groups of --size personas, --mix spreads a field, --same keeps one value,
# leftovers dropped or kept and counted, determinism from --seed, bounded window, names,
# topic and guide, misspelt fields, bad input, --help and installation.
# (The naming rules are pinned in tests/unit/test-names.c.)
. "$(dirname "$0")/lib.sh"

# people SPEC...: one persona a SPEC "ID:GENDER[:DOMAIN[:NAME]]", in order.
people() {
	for spec in "$@"; do
		IFS=: read -r id gender domain name <<<"$spec"
		jq -cn --arg id "$id" --arg g "$gender" --arg d "$domain" --arg n "$name" \
			'{id: $id, schema: "test@1", fields: ({age: 30, gender: $g} + (if $d == "" then {} else {domain: $d} end)
				+ (if $n == "" then {} else {name: $n} end)), description: "You are \($id)."}' || return 1
	done
}

# The participants' ids of each group, one group a line: "p1 p2".
members() {
	jq -r '.participants | map(.id) | join(" ")' "$@"
}

test_expect_success 'setup: 10 spasm personas, 4 women and 4 men' '
	persona-sample --schema spasm -n 10 --seed 3 >ten.jsonl &&
	test_line_count = 10 ten.jsonl &&
	people w1:woman w2:woman w3:woman w4:woman m1:man m2:man m3:man m4:man >eight.jsonl
'

test_expect_success 'groups of --size: ids count up, the incomplete rest is dropped and counted' '
	persona-group --size 3 ten.jsonl >out 2>err &&
	jq -r ".id" out >got && printf "%s\n" g000001 g000002 g000003 >want && test_cmp want got &&
	jq -r ".participants | length" out | sort -u >got && echo 3 >want && test_cmp want got &&
	members out | tr " " "\n" | sort -u >got && test_line_count = 9 got &&
	printf "%s\n" "persona-group: 10 personas, 3 groups of 3" \
		"persona-group: warning: 1 persona left over in 1 incomplete group, not written (--keep-partial writes them)" >want &&
	test_cmp want err &&
	persona-group ten.jsonl >out 2>err &&
	test_line_count = 2 out &&
	jq -r ".participants | length" out | sort -u >got && echo 4 >want && test_cmp want got &&
	printf "%s\n" "persona-group: 10 personas, 2 groups of 4" \
		"persona-group: warning: 2 personas left over in 1 incomplete group, not written (--keep-partial writes them)" >want &&
	test_cmp want err
'

test_expect_success '--keep-partial writes the incomplete group last and counts it; -q silences the summary' '
	persona-group --keep-partial ten.jsonl >out 2>err &&
	jq -r "[.id, (.participants | length)] | join(\" \")" out >got &&
	printf "%s\n" "g000001 4" "g000002 4" "g000003 2" >want && test_cmp want got &&
	members out | tr " " "\n" | sort >got && jq -r .id ten.jsonl | sort >want && test_cmp want got &&
	echo "persona-group: 10 personas, 2 groups of 4, 1 incomplete group (2 personas)" >want && test_cmp want err &&
	persona-group -q --keep-partial ten.jsonl >out2 2>err && test ! -s err && test_cmp out out2 &&
	persona-group -q ten.jsonl >/dev/null 2>err && grep -q "^persona-group: warning: 2 personas left over" err
'

test_expect_success 'participants are the persona records unchanged but for a top-level "name"' '
	persona-group --keep-partial ten.jsonl >out 2>/dev/null &&
	jq -c ".participants[] | del(.name)" out | sort >got && sort ten.jsonl >want && test_cmp want got &&
	jq -r ".participants[] | .name | type" out | sort -u >got && echo string >want && test_cmp want got &&
	jq -r "keys_unsorted | join(\" \")" out | sort -u >got && echo "id participants" >want && test_cmp want got
'

test_expect_success '--mix gender: 4 women and 4 men in pairs give one of each in every pair, any seed' '
	for seed in 0 1 2 3 4 5 6 7; do
		persona-group --seed "$seed" --size 2 --mix gender eight.jsonl >out 2>/dev/null &&
		jq -r ".participants | map(.fields.gender) | sort | join(\" \")" out >got &&
		printf "%s\n" "man woman" "man woman" "man woman" "man woman" >want &&
		test_cmp want got || return 1
	done &&
	persona-group --size 4 --mix gender eight.jsonl >out 2>/dev/null &&
	jq -r ".participants | map(.fields.gender) | sort | join(\" \")" out >got &&
	printf "%s\n" "man man woman woman" "man man woman woman" >want && test_cmp want got
'

test_expect_success '--mix draws the largest bucket first: a:1 b:1 c:2 in pairs are all mixed' '
	people x1:a x2:b x3:c x4:c >abc.jsonl &&
	for seed in 0 1 2 3 4 5 6 7 8 9; do
		persona-group --seed "$seed" --size 2 --mix gender abc.jsonl >out 2>/dev/null &&
		jq -r ".participants | map(.fields.gender) | sort | join(\" \")" out | sort >got &&
		printf "%s\n" "a c" "b c" >want && test_cmp want got || return 1
	done
'

test_expect_success '--same domain: every group shares one value; each value'"'"'s rest is dropped and counted' '
	people a1:woman:rent a2:man:rent a3:woman:rent a4:man:rent a5:woman:rent \
		b1:woman:tax b2:man:tax b3:woman:tax >dom.jsonl &&
	persona-group --size 2 --same domain dom.jsonl >out 2>err &&
	jq -r ".participants | map(.fields.domain) | unique | length" out | sort -u >got && echo 1 >want && test_cmp want got &&
	jq -r ".participants[0].fields.domain" out | sort >got && printf "%s\n" rent rent tax >want && test_cmp want got &&
	printf "%s\n" "persona-group: 8 personas, 3 groups of 2" \
		"persona-group: warning: 2 personas left over in 2 incomplete groups, not written (--keep-partial writes them)" >want &&
	test_cmp want err &&
	persona-group --size 2 --same domain --keep-partial dom.jsonl >out 2>err &&
	jq -r "[.participants[0].fields.domain, (.participants | length)] | join(\" \")" out | sort >got &&
	printf "%s\n" "rent 1" "rent 2" "rent 2" "tax 1" "tax 2" >want && test_cmp want got &&
	echo "persona-group: 8 personas, 3 groups of 2, 2 incomplete groups (2 personas)" >want && test_cmp want err
'

test_expect_success '--same and --mix together: one domain a group, women and men mixed in it' '
	persona-group --size 2 --same domain --mix gender dom.jsonl >out 2>/dev/null &&
	jq -r "[(.participants | map(.fields.domain) | unique | length), (.participants | map(.fields.gender) | sort | join(\" \"))] | join(\" \")" out >got &&
	printf "%s\n" "1 man woman" "1 man woman" "1 man woman" >want && test_cmp want got &&
	test_expect_code 2 persona-group --mix gender --same gender dom.jsonl >out 2>err &&
	test ! -s out &&
	echo "persona-group: --mix and --same name the same field '"'"'gender'"'"'" >want && test_cmp want err
'

test_expect_success 'a misspelt --mix or --same field: exit 2 naming the fields records have, nothing written' '
	test_expect_code 2 persona-group --mix gendr ten.jsonl >out 2>err &&
	test ! -s out &&
	echo "persona-group: --mix: no record has the field '"'"'gendr'"'"' (none of the first 10; their fields are: age, gender, occupation, location, domain, emotion, intensity, expressiveness, self_disclosure, assertiveness, politeness); nothing was processed" >want &&
	test_cmp want err &&
	test_expect_code 2 persona-group --same domian ten.jsonl >out 2>err &&
	test ! -s out &&
	grep -q "^persona-group: --same: no record has the field '"'"'domian'"'"' (none of the first 10; " err
'

test_expect_success 'the same seed gives the same bytes; another seed other groups; names do not change' '
	persona-sample --schema spasm -n 200 --seed 5 >many.jsonl &&
	persona-group --seed 7 --mix gender --topic T many.jsonl >a 2>/dev/null &&
	persona-group --seed 7 --mix gender --topic T many.jsonl >b 2>/dev/null &&
	test_cmp a b &&
	persona-group --seed 8 --mix gender --topic T many.jsonl >c 2>/dev/null &&
	test_line_count = 50 c &&
	! cmp -s a c &&
	members a | sort >ga && members c | sort >gc && ! cmp -s ga gc &&
	jq -r ".participants[] | [.id, .name] | join(\" \")" a | sort >na &&
	jq -r ".participants[] | [.id, .name] | join(\" \")" c | sort >nc &&
	cut -d" " -f1 na >ids_a && cut -d" " -f1 nc >ids_c && test_cmp ids_a ids_c &&
	jq -r ".participants | map(.name) | (length == (unique | length))" a c | sort -u >got &&
	echo true >want && test_cmp want got
'

test_expect_success 'within one window the grouping does not depend on the input order' '
	persona-group --seed 3 many.jsonl >fwd 2>/dev/null &&
	tac many.jsonl | persona-group --seed 3 >rev 2>/dev/null &&
	test_cmp fwd rev
'

test_expect_success '--window bounds what is held: groups form from the first W personas first' '
	people q1:woman q2:man q3:woman q4:man q5:woman q6:man q7:woman q8:man q9:woman q10:man >ten-q.jsonl &&
	for seed in 0 1 2 3; do
		persona-group --seed "$seed" --size 2 --window 4 ten-q.jsonl >out 2>/dev/null &&
		head -n 2 out | members | tr " " "\n" | sort >got &&
		printf "%s\n" q1 q2 q3 q4 >want && test_cmp want got || return 1
	done &&
	test_expect_code 2 persona-group --size 5 --window 4 ten-q.jsonl >out 2>err &&
	echo "persona-group: --window 4 is smaller than --size 5" >want && test_cmp want err &&
	for bad in 1 65 x; do
		test_expect_code 2 persona-group --size "$bad" ten-q.jsonl >out 2>/dev/null || return 1
	done
'

test_expect_success '--same with more values than the window holds closes the largest rest early, with a warning' '
	people r1:w:a r2:w:b r3:w:c r4:w:a r5:w:d r6:w:a >six.jsonl &&
	persona-group --size 3 --window 4 --same domain six.jsonl >out 2>err &&
	grep -q "^persona-group: warning: the window of 4 personas is full of incomplete groups (3 values of --same domain): closing the largest early$" err &&
	test ! -s out &&
	grep -q "^persona-group: warning: 6 personas left over in " err
'

test_expect_success 'names: fields.name is used; others get a name by gender, unique in a group, the same every run' '
	people n1:woman::Ana n2:woman n3:woman n4:woman n5:man n6:man n7:other n8 >named.jsonl &&
	persona-group --size 8 named.jsonl >out 2>/dev/null &&
	jq -r ".participants[] | select(.id == \"n1\") | .name" out >got && echo Ana >want && test_cmp want got &&
	jq -r ".participants | map(.name) | (length == (unique | length))" out >got && echo true >want && test_cmp want got &&
	jq -r ".participants[] | select(.fields.gender == \"woman\" and .id != \"n1\") | .name" out >women &&
	jq -r ".woman[]" "$SRC/share/names/names.json" >list && grep -qxFf women list &&
	test "$(grep -cxFf women list)" = 3 &&
	jq -r ".participants[] | select(.fields.gender == \"man\") | .name" out >men &&
	jq -r ".man[]" "$SRC/share/names/names.json" >list && test "$(grep -cxFf men list)" = 2 &&
	jq -r ".participants[] | select(.id == \"n7\" or .id == \"n8\") | .name" out >others &&
	jq -r ".neutral[]" "$SRC/share/names/names.json" >list && test "$(grep -cxFf others list)" = 2 &&
	jq -r ".participants[] | [.id, .name] | join(\" \")" out | sort >first &&
	persona-group --size 8 --seed 99 named.jsonl >out2 2>/dev/null &&
	jq -r ".participants[] | [.id, .name] | join(\" \")" out2 | sort >second &&
	test_cmp first second
'

test_expect_success 'names: two personas whose name would clash get different names' '
	people same:woman same:woman same:woman same:woman >clash.jsonl &&
	persona-group clash.jsonl >out 2>/dev/null &&
	jq -r ".participants | map(.name) | unique | length" out >got && echo 4 >want && test_cmp want got &&
	jq -r ".woman[]" "$SRC/share/names/names.json" >list &&
	jq -r ".participants[].name" out >names && test "$(grep -cxFf names list)" = 4 &&
	echo "{\"woman\":[\"Ana\"],\"man\":[\"Bo\"],\"neutral\":[\"Cy\"]}" >tiny.json &&
	persona-group --names ./tiny.json clash.jsonl >out 2>/dev/null &&
	jq -r ".participants | map(.name) | sort | join(\",\")" out >got && echo "Ana,Ana 2,Ana 3,Ana 4" >want && test_cmp want got &&
	echo "{\"woman\":[]}" >broken.json &&
	test_expect_code 2 persona-group --names ./broken.json clash.jsonl >out 2>err &&
	test ! -s out && grep -q "^persona-group: ./broken.json: \"woman\" is not a non-empty array of names$" err
'

test_expect_success 'a stray file called "names" in the folder does not replace the shipped lists' '
	persona-group eight.jsonl >want 2>/dev/null &&
	echo "not json" >names &&
	persona-group eight.jsonl >got 2>/dev/null &&
	test_cmp want got
'

test_expect_success '--topic TEXT or @FILE and --guide FILE (comments and blank lines left out)' '
	printf "%s\n" "# pilot guide, v2" "" "  What do you pay for transport each month?  " "# stimulus" \
		"Show card A: the monthly pass" "" "What would make you switch?" >guide.txt &&
	printf "Paying for public transport\n\n" >topic.txt &&
	persona-group --topic @topic.txt --guide guide.txt eight.jsonl >out 2>/dev/null &&
	jq -c "[.topic, .guide]" out | sort -u >got &&
	echo "[\"Paying for public transport\",[\"What do you pay for transport each month?\",\"Show card A: the monthly pass\",\"What would make you switch?\"]]" >want &&
	test_cmp want got &&
	jq -r "keys_unsorted | join(\" \")" out | sort -u >got && echo "id participants topic guide" >want && test_cmp want got &&
	persona-group --topic "Night buses" eight.jsonl >out 2>/dev/null &&
	jq -r ".topic" out | sort -u >got && echo "Night buses" >want && test_cmp want got
'

test_expect_success 'an empty guide or topic, or a missing file, is a usage error: exit 2, nothing written' '
	printf "%s\n" "# only comments" "" "   " >empty-guide.txt &&
	test_expect_code 2 persona-group --guide empty-guide.txt eight.jsonl >out 2>err &&
	test ! -s out &&
	echo "persona-group: --guide: '"'"'empty-guide.txt'"'"' has no questions (only blank lines and # comments)" >want &&
	test_cmp want err &&
	test_expect_code 2 persona-group --topic "" eight.jsonl >out 2>err &&
	test ! -s out && echo "persona-group: --topic: the text is empty" >want && test_cmp want err &&
	test_expect_code 2 persona-group --topic @nowhere.txt eight.jsonl >out 2>err &&
	test ! -s out &&
	echo "persona-group: --topic: cannot open '"'"'nowhere.txt'"'"': No such file or directory" >want && test_cmp want err &&
	test_expect_code 2 persona-group --guide nowhere.txt eight.jsonl >out 2>/dev/null && test ! -s out
'

test_expect_success '--id-prefix names the groups' '
	persona-group --id-prefix fg-2026- --size 2 eight.jsonl >out 2>/dev/null &&
	jq -r .id out >got && printf "%s\n" fg-2026-000001 fg-2026-000002 fg-2026-000003 fg-2026-000004 >want &&
	test_cmp want got
'

test_expect_success 'bad lines and records without "id" or "fields": named, routed verbatim, exit 1' '
	head -n 2 eight.jsonl >in.jsonl &&
	echo "not json" >>in.jsonl &&
	echo "{\"id\":\"nofields\",\"fields\":[1]}" >>in.jsonl &&
	echo "{\"fields\":{\"gender\":\"man\"}}" >>in.jsonl &&
	tail -n 2 eight.jsonl >>in.jsonl &&
	test_expect_code 1 persona-group --size 2 --rejects rej in.jsonl >out 2>err &&
	test_line_count = 2 out &&
	members out | tr " " "\n" | sort >got && printf "%s\n" m3 m4 w1 w2 >want && test_cmp want got &&
	grep -q "^persona-group: in.jsonl:3: not JSON" err &&
	grep -q "^persona-group: in.jsonl:4: record has no \"fields\" object$" err &&
	grep -q "^persona-group: in.jsonl:5: record has no \"id\" string$" err &&
	sed -n 3,5p in.jsonl >want && test_cmp want rej &&
	grep -q "^persona-group: 4 personas, 2 groups of 2$" err
'

test_expect_success 'empty input: no groups, exit 0; gzip in and out' '
	persona-group </dev/null >out 2>err && test ! -s out &&
	echo "persona-group: 0 personas, 0 groups of 4" >want && test_cmp want err &&
	gzip -c eight.jsonl >in.jsonl.gz &&
	persona-group -o out.jsonl.gz in.jsonl.gz 2>/dev/null &&
	persona-group eight.jsonl >plain 2>/dev/null &&
	gzip -dc out.jsonl.gz >got && test_cmp plain got
'

test_expect_success '--help and --version say what the program is and exit 0; the man page renders' '
	persona-group --help >out &&
	grep -q "^Usage: persona-group \[OPTION\]... \[FILE\]...$" out &&
	grep -q -- "--mix FIELD" out && grep -q -- "--same FIELD" out && grep -q -- "--keep-partial" out &&
	grep -q "persona-group(1)" out &&
	persona-group --version >out &&
	echo "persona-group 0.1.0" >want && test_cmp want out &&
	man -l "$SRC/share/man/persona-group.1" >page 2>/dev/null &&
	grep -q "^ALGORITHM" page && grep -q "^NAMES" page && grep -q "^EXIT STATUS" page
'

test_expect_success 'make install puts persona-group, its man page and the name lists in place' '
	make -s -C "$SRC" install PREFIX="$TRASH/prefix" BUILD="$BUILD" >/dev/null &&
	test -x prefix/bin/persona-group &&
	test -f prefix/share/man/man1/persona-group.1 &&
	test -f prefix/share/persona/names/names.json &&
	mkdir -p elsewhere && cd elsewhere &&
	../prefix/bin/persona-group ../eight.jsonl >out 2>/dev/null &&
	persona-group ../eight.jsonl >want 2>/dev/null && test_cmp want out
'

test_done
