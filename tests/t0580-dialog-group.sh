#!/usr/bin/env bash
# dialog-run on group records (persona-group): ECP-N and CONCAT-N on the wire, every turn
# policy, the moderator's guide, resume after kill -9, partition equality, bad records.
. "$(dirname "$0")/lib.sh"

# group ID NAME... : a group record of crafted personas with those names.
group() {
	local id=$1
	shift
	jq -nc --arg id "$id" --args '{id: $id, topic: "working from home",
		participants: [$ARGS.positional | to_entries[] | {id: ("\($id)-p\(.key)"), name: .value,
			fields: {gender: "woman", occupation: "nurse", domain: "work stress", emotion: "worried"},
			description: "You are \(.value), a nurse who worries about work."}]}' "$@"
}

# The ECP-N view (after the system message) participant SELF is sent before turn K,
# rebuilt from the record: own turns as assistant, the others' since as one user message
# of "NAME: text" lines, the kick-off first when nothing was said or SELF opened.
ECP_VIEW='def lines: map("\(.name): \(.text)") | join("\n");
	def view($self; $k): .turns[0:$k] as $t
	| (reduce $t[] as $turn ({out: [], pending: []};
		if $turn.speaker == $self
		then .out += (if (.pending | length) > 0 then [{role: "user", content: (.pending | lines)}] else [] end)
			+ [{role: "assistant", content: $turn.text}] | .pending = []
		else .pending += [$turn] end)) as $r
	| ($r.out + (if ($r.pending | length) > 0 then [{role: "user", content: ($r.pending | lines)}] else [] end))
	| if length == 0 or .[0].role == "assistant" then [{role: "user", content: "(The conversation starts now. Please begin.)"}] + . else . end;'

test_expect_success 'setup: groups of three' '
	group g1 Ana Ben Cleo >g1.jsonl &&
	{ group g1 Ana Ben Cleo; group g2 Dev Eli Fay; group g3 Gus Hal Ivy; group g4 Jo Kai Lin; } >g4.jsonl &&
	jq -e ".participants | length == 3" g1.jsonl
'

test_expect_success 'ECP-N on the wire: each participant its own view, alternating, strict template passes' '
	start_mock m --chat-template strict &&
	OPENAI_API_KEY=test-key-1 dialog-run --base-url "$m_URL" --model m --turn-policy round-robin --max-rounds 2 <g1.jsonl >out 2>err &&
	stop_mock m &&
	jq -e ".status == \"ok\" and (.turns | length) == 6 and ([.turns[].speaker] == [\"g1-p0\",\"g1-p1\",\"g1-p2\",\"g1-p0\",\"g1-p1\",\"g1-p2\"]) and .stop.reason == \"max_rounds\"" out &&
	test_line_count = 6 m.log &&
	jq -c ".body.messages[1:]" m.log >sent &&
	jq -c "$ECP_VIEW"" . as \$r | range(0; 6) as \$k | \$r | view(\$r.turns[\$k].speaker; \$k)" out >want &&
	test_cmp want sent &&
	jq -e -s "all(.[]; .body.messages[0].role == \"system\" and (.body.messages[0].content | startswith(\"Your name is \")))" m.log &&
	jq -c ".body.messages[1:]" m.log | sed -n 2p >second &&
	jq -c "[{role: \"user\", content: (\"Ana: \" + .turns[0].text)}]" out >want2 &&
	test_cmp want2 second
'

test_expect_success 'CONCAT-N on the wire: one shared transcript as one user message, whoever is asked' '
	start_mock m --chat-template strict &&
	OPENAI_API_KEY=test-key-1 dialog-run --base-url "$m_URL" --model m --context concat --max-rounds 2 <g1.jsonl >out 2>err &&
	stop_mock m &&
	jq -e ".context == \"concat\" and (.turns | length) == 6" out &&
	jq -c ".body.messages[1:]" m.log >sent &&
	jq -c ". as \$r | range(0; 6) as \$k | if \$k == 0 then [{role: \"user\", content: \"(The conversation starts now. Please begin.)\"}] else [{role: \"user\", content: (\$r.turns[0:\$k] | map(\"\(.name): \(.text)\") | join(\"\n\"))}] end" out >want &&
	test_cmp want sent
'

test_expect_success 'the participant prompt names the participant, the others and the topic' '
	start_mock m &&
	OPENAI_API_KEY=test-key-1 dialog-run --base-url "$m_URL" --model m --max-rounds 1 <g1.jsonl >out 2>err &&
	stop_mock m &&
	jq -r "select(.body.messages[0].content | startswith(\"Your name is Ben.\")) | .body.messages[0].content" m.log >ben &&
	grep -qx "You are Ben, a nurse who worries about work." ben &&
	grep -qx "You are one of the people in a small group discussion. Also here: Ana, Cleo." ben &&
	grep -qx "Topic of the discussion: working from home" ben
'

test_expect_success 'round-robin: record order every round; random: a seeded order, never the same speaker twice in a row' '
	dialog-run --turn-policy random --max-rounds 6 --seed 3 <g4.jsonl >r1 2>/dev/null &&
	dialog-run --turn-policy random --max-rounds 6 --seed 3 <g4.jsonl >r2 2>/dev/null &&
	dialog-run --turn-policy random --max-rounds 6 --seed 4 <g4.jsonl >r3 2>/dev/null &&
	test_cmp r1 r2 &&
	! test_cmp r1 r3 >/dev/null &&
	jq -e "[.turns | group_by(.round)[] | map(.speaker) | sort | length == 3 and (unique | length) == 3] | all" r1 &&
	jq -e "[.turns as \$t | range(1; \$t | length) | \$t[.].speaker != \$t[. - 1].speaker] | all" r1 &&
	jq -e -s "[.[] | [.turns | group_by(.round)[] | map(.speaker)]] | map(. != [range(6)] ) | all" r1 >/dev/null &&
	jq -e -s "[.[].turns | group_by(.round) | map(map(.speaker | split(\"-\")[1]) | join(\",\"))] | flatten | unique | length > 1" r1
'

test_expect_success 'addressed: a participant named in the last turn speaks next, if not yet this round' '
	dialog-run --turn-policy addressed --max-rounds 8 --seed 5 <g4.jsonl >out 2>/dev/null &&
	jq -e "[.turns | group_by(.round)[] | (map(.speaker) | unique | length) == 3] | all" out &&
	jq -e -s "[.[] | . as \$r | .turns as \$t | range(1; \$t | length) | select(\$t[.].round == \$t[. - 1].round) | . as \$i
		| [\$r.participants[] | select(.id != \$t[\$i - 1].speaker)
			| select(.id as \$id | [\$t[0:\$i][] | select(.round == \$t[\$i].round) | .speaker] | index(\$id) | not)
			| select(.name as \$n | \$t[\$i - 1].text | test(\"\\\\b\" + \$n + \"\\\\b\"; \"i\"))][0] as \$named
		| if \$named then \$t[\$i].speaker == \$named.id else true end] | all and length > 10" out &&
	jq -e -s "[.[].turns[] | select(.text | test(\"(Ana|Ben|Cleo|Dev|Eli|Fay|Gus|Hal|Ivy|Jo|Kai|Lin)[,?]\"))] | length > 0" out
'

test_expect_success 'moderator: walks the guide in order, opens every round, closes when it is done' '
	jq -c ".guide = [\"What do you like about it?\", \"What is hard?\", \"What would you change?\"]" g1.jsonl >guided.jsonl &&
	dialog-run --turn-policy moderator --max-rounds 10 <guided.jsonl >out 2>err &&
	jq -e ".stop.reason == \"guide_done\" and .stop.by == \"moderator\" and .stop.rounds == 3" out &&
	jq -r "[.turns[] | select(.speaker == \"moderator\") | .text] | .[]" out >mod &&
	test_line_count = 4 mod &&
	grep -q "What do you like about it?" <(sed -n 1p mod) &&
	grep -q "What is hard?" <(sed -n 2p mod) &&
	grep -q "What would you change?" <(sed -n 3p mod) &&
	sed -n 4p mod | grep -q "Goodbye" &&
	jq -e "[.turns | group_by(.round)[] | .[0].speaker == \"moderator\" and (map(select(.speaker != \"moderator\")) | length) == 3] == [true, true, true]" out &&
	jq -e ".turns[-1].speaker == \"moderator\" and .turns[-1].round == 3" out &&
	jq -e ".moderator.model == \"offline\" and .usage.moderator.requests == 4" out &&
	grep -q "1 guide_done" err
'

test_expect_success 'moderator without a guide: opens, follows up, closes at --max-rounds' '
	dialog-run --turn-policy moderator --max-rounds 2 <g1.jsonl >out 2>/dev/null &&
	jq -e ".stop.reason == \"max_rounds\" and .stop.by == \"moderator\" and ([.turns[] | select(.speaker == \"moderator\")] | length) == 3" out &&
	jq -e ".turns[0].text | test(\"working from home\")" out
'

test_expect_success 'select: a selector call before each participant turn, counted as aux' '
	dialog-run --turn-policy select --max-rounds 3 <g1.jsonl >out 2>/dev/null &&
	jq -e "(.turns | length) == 9 and .usage.aux.requests == 9 and .selector.model == \"offline\"" out &&
	jq -e "[.turns | group_by(.round)[] | (map(.speaker) | unique | length) == 3] | all" out
'

test_expect_success 'probes go to every participant: a baseline and after every --probe-every rounds' '
	dialog-run --max-rounds 2 --probes "$SRC/share/probes/default.json" --probe-every 1 <g1.jsonl >out 2>/dev/null &&
	n=$(jq length "$SRC/share/probes/default.json") &&
	jq -e --argjson n "$n" "(.probes | length) == 3 * 3 * \$n and ([.probes[].participant] | unique | length) == 3 and ([.probes[].after] | unique) == [0, 3, 6] and all(.probes[]; .answer | type == \"string\")" out
'

test_expect_success 'K conversations per group, each its own id; the same seed gives the same bytes' '
	dialog-run --conversations 2 --max-rounds 2 --keep-order <g4.jsonl >a 2>/dev/null &&
	dialog-run --conversations 2 --max-rounds 2 --keep-order <g4.jsonl >b 2>/dev/null &&
	test_cmp a b &&
	test "$(jq -r .id a | tr "\n" " ")" = "g1/0 g1/1 g2/0 g2/1 g3/0 g3/1 g4/0 g4/1 "
'

test_expect_success 'score measures groups: scores.group per record, group_* in the summary' '
	jq -c ".guide = [\"What do you like about it?\", \"What is hard?\"]" g4.jsonl >guided4.jsonl &&
	dialog-run --turn-policy moderator --max-rounds 3 <guided4.jsonl >conv.jsonl 2>/dev/null &&
	score --summary s.json <conv.jsonl >scored.jsonl 2>/dev/null &&
	jq -e "all(.scores.group; .floor.gini == 0 and (.floor.turns | length) == 3 and .addressed >= .answered)" scored.jsonl &&
	jq -e -s "map(.scores.group.floor.turns | to_entries | all(.value == 2)) | all" scored.jsonl &&
	jq -e ".group_floor_gini == 0 and (.group_answered_rate | type) == \"number\" and (.group_convergence | type) == \"number\" and .conversations == 4" s.json &&
	jq -e "(.distinct_1 == null) and .tokens_per_utterance > 0" s.json
'

test_expect_success 'embed --of participant_text: every turn but the moderator'"'"'s' '
	embed --model hash-16 --of participant_text <conv.jsonl >e1 2>/dev/null &&
	jq -c "{id, description: ([.turns[] | select(.speaker != \"moderator\") | .text] | join(\"\n\"))}" conv.jsonl |
		embed --model hash-16 --of description 2>/dev/null | jq -c .description_embedding.vector >want &&
	jq -c .embedding.vector e1 >got &&
	test_cmp want got &&
	embed --model hash-16 <conv.jsonl | jq -c .embedding.vector >got2 &&
	test_cmp want got2
'

test_expect_success 'group records that cannot run are rejected by line, the rest run' '
	{ jq -c "del(.participants[1].description)" g1.jsonl; jq -c ".participants = [.participants[0]]" g1.jsonl; sed -n 2p g4.jsonl; } >bad.jsonl &&
	test_expect_code 1 dialog-run --max-rounds 1 --rejects rej <bad.jsonl >out 2>err &&
	test_line_count = 1 out &&
	test_line_count = 2 rej &&
	grep -q "^dialog-run: stdin:1: a participant has no \"description\" (run persona-craft first)$" err &&
	grep -q "^dialog-run: stdin:2: a group needs at least 2 participants$" err
'

test_expect_success 'resume after kill -9 of a group run: nothing lost, nothing twice' '
	start_mock m --latency-ms 20 &&
	for i in $(seq 1 6); do group "h$i" Ana Ben Cleo || return 1; done >g6.jsonl &&
	export OPENAI_API_KEY=test-key-1 &&
	{ dialog-run --base-url "$m_URL" --model m --conversations 2 --concurrency 4 --max-rounds 2 <g6.jsonl >>killed.jsonl 2>/dev/null & } &&
	pid=$! &&
	for i in $(seq 1 2000); do [ -s killed.jsonl ] && break; sleep 0.01; done &&
	kill -9 $pid &&
	{ wait $pid 2>/dev/null || true; } &&
	first=$(grep -c . killed.jsonl || true) &&
	test "$first" -gt 0 && test "$first" -lt 12 &&
	dialog-run --base-url "$m_URL" --model m --conversations 2 --concurrency 4 --max-rounds 2 --resume killed.jsonl <g6.jsonl >>killed.jsonl 2>err &&
	stop_mock m &&
	test "$(jq -r .id killed.jsonl | sort -u | wc -l)" = 12 &&
	test_line_count = 12 killed.jsonl &&
	grep -q "($((12 - first)) ok, 0 failed, $first already done)" err
'

test_expect_success 'group records through GNU parallel (fanout) equal one run' '
	dialog-run --conversations 2 --max-rounds 2 --turn-policy moderator <g4.jsonl >seq 2>/dev/null &&
	"$SRC/pipelines/fanout.sh" -j 3 -b 1k -i g4.jsonl -o par -- dialog-run --conversations 2 --max-rounds 2 --turn-policy moderator 2>/dev/null &&
	sort seq >a && sort par >b && test_cmp a b
'

test_expect_success 'pipelines/focus-group.sh: personas to groups to moderated conversations to a report' '
	"$SRC/pipelines/focus-group.sh" -o fg -s 3 >out 2>err &&
	test_line_count = 8 fg/groups.jsonl &&
	test_line_count = 8 fg/conversations.jsonl &&
	jq -e -s "all(.[]; .status == \"ok\" and .turn_policy == \"moderator\" and .stop.reason == \"guide_done\" and (.participants | length) == 3)" fg/conversations.jsonl &&
	test -s fg/report.html &&
	grep -q "^focus-group: 8 groups of 3 in fg/groups.jsonl$" out &&
	grep -q "^focus-group: floor Gini 0, answered when addressed " out &&
	test_expect_code 2 "$SRC/pipelines/focus-group.sh" -o fg2 -g no-such-guide 2>err &&
	grep -q "^persona-group: --guide: cannot open '\''no-such-guide'\''.* (shipped: remote-work)$" err
'

test_done
