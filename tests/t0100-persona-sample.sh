#!/usr/bin/env bash
# persona-sample: determinism, partitions, exact quotas, conditionals, errors, pipes.
. "$(dirname "$0")/lib.sh"

SMALL=$FIXTURES/schemas/small.json
QUOTA=$FIXTURES/schemas/quota.json
STRATA=$FIXTURES/schemas/strata.json

test_expect_success '--help names the schema option and exits 0' '
	persona-sample --help >help &&
	grep -q -- "--schema FILE" help &&
	grep -q -- "--offset K" help
'

test_expect_success '--version prints the program and version' '
	persona-sample --version >v &&
	grep -Eq "^persona-sample [0-9]+\.[0-9]+\.[0-9]+$" v
'

test_expect_success 'records have the SPEC layout: id, schema, seed, fields' '
	persona-sample --schema "$SMALL" -n 3 --seed 7 >out &&
	test_line_count = 3 out &&
	jq -e -s "map(keys_unsorted == [\"id\",\"schema\",\"seed\",\"fields\"]) | all" out &&
	jq -r .id out >ids && printf "p000000\np000001\np000002\n" >want && test_cmp want ids &&
	jq -e -s "map(.schema == \"small@2\" and .seed == 7) | all" out &&
	jq -e -s "map(.fields | keys_unsorted == [\"age\",\"gender\",\"occupation\",\"height\",\"hobbies\",\"language\",\"headline\"]) | all" out
'

test_expect_success 'the same seed gives byte-identical output, another seed does not' '
	persona-sample --schema "$SMALL" -n 500 --seed 11 >a &&
	persona-sample --schema "$SMALL" -n 500 --seed 11 >b &&
	persona-sample --schema "$SMALL" -n 500 --seed 12 >c &&
	test_cmp a b &&
	! cmp -s a c
'

test_expect_success '-n 1000 equals -n 500 then --offset 500 -n 500, byte for byte' '
	persona-sample --schema "$SMALL" -n 1000 --seed 3 >full &&
	persona-sample --schema "$SMALL" -n 500 --seed 3 >part1 &&
	persona-sample --schema "$SMALL" --offset 500 -n 500 --seed 3 >part2 &&
	cat part1 part2 >joined && test_cmp full joined
'

test_expect_success 'offset partitions agree with quotas and constraints too (7 uneven shards)' '
	persona-sample --schema "$QUOTA" -n 1000 --seed 5 >full &&
	: >joined &&
	for range in 0:1 1:99 100:250 350:13 363:400 763:200 963:37; do
		persona-sample --schema "$QUOTA" --offset ${range%:*} -n ${range#*:} --seed 5 >>joined || return 1
	done &&
	test_cmp full joined
'

for n in 1 7 1000 100000; do
test_expect_success "exact quota at n=$n: max_abs_error 0 and every stratum within one of its target" "
	persona-sample --schema \"\$QUOTA\" -n $n --seed 9 --stats stats.json >out &&
	test_line_count = $n out &&
	jq -e \".quota.max_abs_error == 0 and .quota.unmatched == 0 and .quota.max_target_deviation < 1\" stats.json &&
	jq -e \"[.quota.strata[].allocated] | add == $n\" stats.json
"
done

test_expect_success 'observed stratum counts equal those recounted from the records' '
	persona-sample --schema "$QUOTA" -n 1000 --seed 2 --stats stats.json >out &&
	jq -r "\"grade=\(.fields.grade),gender=\(.fields.gender)\"" out | sort | uniq -c |
		awk "{print \$2, \$1}" | sort >recount &&
	jq -r ".quota.strata[] | \"\(.stratum) \(.observed)\"" stats.json | sort >reported &&
	test_cmp recount reported
'

test_expect_success 'explicit strata with counts 1:3:6 give exactly 100, 300, 600 of 1000' '
	persona-sample --schema "$STRATA" -n 1000 --stats stats.json >out &&
	jq -r "\"\(.fields.tier)/\(.fields.region)\"" out | sort | uniq -c | awk "{print \$2, \$1}" >counts &&
	printf "bronze/south 600\ngold/north 100\nsilver/north 300\n" >want &&
	test_cmp want counts
'

test_expect_success 'every prefix of a quota run is within one record of each target' '
	persona-sample --schema "$STRATA" -n 200 >out &&
	jq -r .fields.tier out >tiers &&
	awk "{ c[\$1]++; n++;
	       if (c[\"gold\"] < int(n*0.1) || c[\"gold\"] > int(n*0.1)+1 ||
	           c[\"silver\"] < int(n*0.3) || c[\"silver\"] > int(n*0.3)+1 ||
	           c[\"bronze\"] < int(n*0.6) || c[\"bronze\"] > int(n*0.6)+1) { print \"prefix\", n, \"off quota\"; bad=1 } }
	     END { exit bad }" tiers
'

test_expect_success 'conditional weights are applied: no retired under 60 unless base, no student at 60+, students dominate under 25' '
	persona-sample --schema "$SMALL" -n 5000 --seed 4 >out &&
	test_line_count = 5000 out &&
	young=$(jq -c "select(.fields.age <= 24)" out | wc -l) &&
	test "$young" -gt 50 &&
	jq -e -s "all(.[]; .fields.age > 24 or .fields.occupation != \"retired\")" out &&
	jq -e -s "all(.[]; .fields.age < 60 or .fields.occupation != \"student\")" out &&
	young_students=$(jq -c "select(.fields.age <= 24 and .fields.occupation == \"student\")" out | wc -l) &&
	test $((young_students * 10)) -gt $((young * 7))
'

test_expect_success 'a condition may refer to a numeric field declared later' '
	cat >fwd.json <<-\EOF &&
	{"name":"fwd","fields":[
	  {"name":"b","kind":"categorical","values":["x","y"],"cases":[{"if":{"a":{"min":5}},"values":["y"]}]},
	  {"name":"a","kind":"integer","min":1,"max":9}]}
	EOF
	persona-sample --schema fwd.json -n 2000 >out &&
	test_line_count = 2000 out &&
	jq -e -s "all(.[]; .fields.a < 5 or .fields.b != \"x\")" out &&
	n=$(jq -c "select(.fields.a < 5 and .fields.b == \"x\")" out | wc -l) &&
	test "$n" -gt 100
'

test_expect_success 'the case a record was drawn from sets the expected counts in --stats' '
	persona-sample --schema "$SMALL" -n 20000 --seed 1 --stats stats.json >/dev/null &&
	jq -e ".fields.occupation.tvd < 0.02 and .fields.gender.tvd < 0.02 and .fields.age.tvd < 0.03 and .fields.height.tvd < 0.02" stats.json &&
	jq -c ".fields.occupation.expected" stats.json >expected &&
	echo "{\"nurse\":6148.183,\"teacher\":6148.183,\"student\":5115.022,\"retired\":2588.611}" >want &&
	test_cmp want expected &&
	jq -e ".fields.occupation.expected | add | . > 19999.99 and . < 20000.01" stats.json &&
	jq -e ".records == 20000 and .seed == 1 and .offset == 0" stats.json
'

test_expect_success 'constraints hold on every record' '
	persona-sample --schema "$QUOTA" -n 2000 >out &&
	test_line_count = 2000 out &&
	jq -e -s "all(.[]; .fields.age - .fields.grade | . >= 4 and . <= 7)" out
'

test_expect_success 'derived templates insert the sampled values literally' '
	persona-sample --schema "$SMALL" -n 200 >out &&
	jq -e -s "map(.fields as \$f | \$f.headline == \"\(\$f.age)-year-old \(\$f.occupation) who likes \(\$f.hobbies | join(\", \"))\") | all" out
'

test_expect_success 'reals keep their decimals and stay in range; lists hold k distinct values' '
	persona-sample --schema "$SMALL" -n 1000 >out &&
	jq -e -s "length == 1000 and all(.[]; .fields.height >= 150 and .fields.height <= 190)" out &&
	grep -o "\"height\":[^,]*" out >heights &&
	test_line_count = 1000 heights &&
	! grep -vE "^\"height\":[0-9]+\.[0-9]$" heights &&
	jq -e -s "map(.fields.hobbies | length >= 1 and length <= 2 and (unique | length) == length) | all" out
'

test_expect_success 'without -n it streams until the reader closes the pipe, quietly, status 0' '
	( persona-sample --schema "$SMALL" 2>err; echo $? >status ) | head -n 5 >out &&
	test_line_count = 5 out &&
	test "$(cat status)" = 0 &&
	test ! -s err
'

test_expect_success '-o FILE.gz writes gzip that decompresses to the plain output' '
	persona-sample --schema "$SMALL" -n 300 -o out.jsonl.gz &&
	persona-sample --schema "$SMALL" -n 300 >plain &&
	gzip -dc out.jsonl.gz >unzipped && test_cmp plain unzipped
'

test_expect_success 'SIGTERM finishes the current line and exits 143' '
	persona-sample --schema "$SMALL" -o big.jsonl & pid=$! &&
	for i in $(seq 1 1000); do [ -s big.jsonl ] && break; sleep 0.01; done &&
	sleep 0.2 && kill -TERM $pid &&
	status=0 && wait $pid || status=$? &&
	test "$status" = 143 &&
	test -s big.jsonl &&
	jq -c . big.jsonl >/dev/null &&
	test "$(tail -c 1 big.jsonl | od -An -c | tr -d " ")" = "\n"
'

# Schema errors: exit 2, one line naming the file, the field and the problem.
expect_schema_error() {   # expect_schema_error SCHEMA-JSON EXPECTED-MESSAGE
	printf "%s\n" "$1" >bad.json &&
	test_expect_code 2 persona-sample --schema bad.json -n 1 >out 2>err &&
	test ! -s out &&
	echo "persona-sample: bad.json: $2" >want &&
	test_cmp want err
}

test_expect_success 'schema error: unknown kind' '
	expect_schema_error "{\"name\":\"x\",\"fields\":[{\"name\":\"a\",\"kind\":\"categorial\",\"values\":[\"y\"]}]}" \
		"field '"'"'a'"'"': unknown kind '"'"'categorial'"'"' (expected categorical, integer, real, list, constant or derived)"
'

test_expect_success 'schema error: weights that do not sum to a positive number' '
	expect_schema_error "{\"name\":\"x\",\"fields\":[{\"name\":\"a\",\"kind\":\"categorical\",\"values\":{\"y\":0,\"z\":0}}]}" \
		"field '"'"'a'"'"': weights do not sum to a positive number"
'

test_expect_success 'schema error: a negative weight' '
	expect_schema_error "{\"name\":\"x\",\"fields\":[{\"name\":\"a\",\"kind\":\"categorical\",\"values\":{\"y\":-1}}]}" \
		"field '"'"'a'"'"': weight of '"'"'y'"'"' must be a number >= 0"
'

test_expect_success 'schema error: a dependency cycle names its fields in order' '
	expect_schema_error "{\"name\":\"x\",\"fields\":[
		{\"name\":\"a\",\"kind\":\"categorical\",\"values\":[\"1\"],\"cases\":[{\"if\":{\"c\":\"1\"},\"values\":[\"1\"]}]},
		{\"name\":\"b\",\"kind\":\"categorical\",\"values\":[\"1\"],\"cases\":[{\"if\":{\"a\":\"1\"},\"values\":[\"1\"]}]},
		{\"name\":\"c\",\"kind\":\"categorical\",\"values\":[\"1\"],\"cases\":[{\"if\":{\"b\":\"1\"},\"values\":[\"1\"]}]}]}" \
		"dependency cycle: '"'"'a'"'"' -> '"'"'c'"'"' -> '"'"'b'"'"' -> '"'"'a'"'"' (each depends on the next)"
'

test_expect_success 'schema error: a constraint that is not valid jq' '
	printf "%s\n" "{\"name\":\"x\",\"fields\":[{\"name\":\"a\",\"kind\":\"integer\",\"min\":1,\"max\":3}],
		\"constraints\":[{\"name\":\"broken\",\"expr\":\".a >>= 2\"}]}" >bad.json &&
	test_expect_code 2 persona-sample --schema bad.json -n 1 >out 2>err &&
	test_line_count = 1 err &&
	grep -q "^persona-sample: bad.json: constraint '"'"'broken'"'"' is not a valid jq expression: .*syntax error" err
'

test_expect_success 'schema error: a constraint no sample satisfies is named' '
	expect_schema_error "{\"name\":\"x\",\"max_tries\":50,\"fields\":[{\"name\":\"a\",\"kind\":\"integer\",\"min\":1,\"max\":3}],
		\"constraints\":[{\"name\":\"fine\",\"expr\":\".a > 0\"},{\"name\":\"impossible\",\"expr\":\".a > 5\"}]}" \
		"constraint '"'"'impossible'"'"' (.a > 5) was not met by any of 50 draws for record p000000"
'

test_expect_success 'schema error: a condition on an unknown field' '
	expect_schema_error "{\"name\":\"x\",\"fields\":[{\"name\":\"a\",\"kind\":\"categorical\",\"values\":[\"1\"],\"cases\":[{\"if\":{\"zzz\":\"1\"},\"values\":[\"2\"]}]}]}" \
		"field '"'"'a'"'"': case 1: condition on unknown field '"'"'zzz'"'"'"
'

test_expect_success 'schema error: a misspelt key is not silently ignored' '
	expect_schema_error "{\"name\":\"x\",\"fields\":[{\"name\":\"a\",\"kind\":\"categorical\",\"valeus\":[\"1\"]}]}" \
		"field '"'"'a'"'"': unknown key '"'"'valeus'"'"' for a categorical field"
'

test_expect_success 'schema error: a quota field that depends on a non-quota field' '
	expect_schema_error "{\"name\":\"x\",\"fields\":[{\"name\":\"a\",\"kind\":\"integer\",\"min\":1,\"max\":3},
		{\"name\":\"b\",\"kind\":\"categorical\",\"values\":[\"1\",\"2\"],\"cases\":[{\"if\":{\"a\":1},\"values\":[\"2\"]}]}],
		\"quota\":{\"fields\":[\"b\"]}}" \
		"quota field '"'"'b'"'"' depends on '"'"'a'"'"', which is not a quota field"
'

test_expect_success 'schema error: a template naming an unknown field' '
	expect_schema_error "{\"name\":\"x\",\"fields\":[{\"name\":\"h\",\"kind\":\"derived\",\"template\":\"{{nope}} here\"}]}" \
		"field '"'"'h'"'"': template refers to unknown field '"'"'nope'"'"'"
'

test_expect_success 'schema error: max below min, sd of zero' '
	expect_schema_error "{\"name\":\"x\",\"fields\":[{\"name\":\"a\",\"kind\":\"integer\",\"min\":5,\"max\":3}]}" \
		"field '"'"'a'"'"': '"'"'max'"'"' (3) is below '"'"'min'"'"' (5)" &&
	expect_schema_error "{\"name\":\"x\",\"fields\":[{\"name\":\"a\",\"kind\":\"real\",\"dist\":\"normal\",\"mean\":1,\"sd\":0}]}" \
		"field '"'"'a'"'"': '"'"'sd'"'"' must be > 0"
'

test_expect_success 'schema error: not JSON, and a missing file' '
	echo "{\"name\": " >bad.json &&
	test_expect_code 2 persona-sample --schema bad.json -n 1 2>err &&
	grep -q "^persona-sample: bad.json: not valid JSON: " err &&
	test_expect_code 2 persona-sample --schema missing.json -n 1 2>err &&
	echo "persona-sample: --schema: cannot open '"'"'missing.json'"'"': No such file or directory, nor is it in share/schemas (shipped: spasm, support, tutoring)" >want &&
	test_cmp want err
'

test_expect_success 'usage errors exit 2 with a hint' '
	test_expect_code 2 persona-sample -n 5 2>err &&
	grep -q "^persona-sample: --schema FILE is required$" err &&
	test_expect_code 2 persona-sample --schema "$SMALL" -n minus 2>err &&
	grep -q "^persona-sample: invalid value '"'"'minus'"'"' for --count: expected an integer from 0 to" err &&
	grep -q "^Try '"'"'persona-sample --help'"'"' for more information.$" err &&
	test_expect_code 2 persona-sample --schema "$SMALL" --bogus 2>err &&
	grep -q "unknown option '"'"'--bogus'"'"'" err &&
	test_expect_code 2 persona-sample --schema "$SMALL" extra.jsonl 2>err &&
	grep -q "unexpected argument '"'"'extra.jsonl'"'"'" err
'

test_expect_success '-n 0 writes nothing and succeeds' '
	persona-sample --schema "$SMALL" -n 0 >out &&
	test ! -s out
'

test_expect_success 'every shipped schema loads and samples' '
	for schema in "$SCHEMAS"/*.json; do
		persona-sample --schema "$schema" -n 200 --stats stats.json >out &&
		test_line_count = 200 out &&
		jq -e ".records == 200" stats.json >/dev/null || { echo "failed: $schema"; exit 1; }
	done
'

test_done
