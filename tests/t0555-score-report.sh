#!/usr/bin/env bash
# score --report: one self-contained HTML page with five SVG charts, safe for any names.
. "$(dirname "$0")/lib.sh"

HAND=$FIXTURES/score/hand.jsonl

# Eight personas, three conversations each, in two groups; one persona id and one
# group name are hostile HTML.
corpus() {
	for p in 1 2 3 4 5 6 7 8; do
		words="alpha$p bravo$p charlie$p delta$p echo$p foxtrot$p"
		id=p$p
		[ $p = 8 ] && id="<i>'p8'</i>"
		for k in 0 1 2; do
			jq -nc --arg id "$id" --arg words "$words" --arg k "$k" --arg p "$p" '{
				id: ("p\($p)/\($k)"), persona_id: $id, description: $words,
				grp: (if ($p | tonumber) % 2 == 0 then "<b>&\"x\"" else "plain" end),
				turns: [{speaker: "client", text: "\($words) and conversation \($k)"},
					{speaker: "responder", text: "tell me more"}]}' || return 1
		done || return 1
	done
}

svg_count() {
	grep -o '<svg' "$1" | wc -l | tr -d ' '
}

test_expect_success 'the report is one HTML page with exactly five SVG charts' '
	corpus >corpus.jsonl &&
	test_line_count = 24 corpus.jsonl &&
	score --report r.html <corpus.jsonl >/dev/null &&
	test "$(head -n 1 r.html)" = "<!DOCTYPE html>" &&
	grep -q "<title>Conversation report</title>" r.html &&
	grep -q "24 conversations" r.html &&
	test "$(svg_count r.html)" = 5 &&
	test "$(grep -c "</svg>" r.html)" = 5 &&
	tail -n 1 r.html | grep -q "^</html>$"
'

test_expect_success 'the page needs no network: no URLs, scripts, links or external resources' '
	corpus >corpus.jsonl &&
	score --by .grp --report r.html <corpus.jsonl >/dev/null &&
	! grep -Eiq "https?://" r.html &&
	! grep -Eiq "<script|<link|<img|<iframe|src=|href=|@import|url\(" r.html
'

test_expect_success '--report without --summary: records still go to stdout' '
	corpus >corpus.jsonl &&
	score --report r.html <corpus.jsonl >out &&
	test_line_count = 24 out &&
	test -s r.html
'

test_expect_success '--report and --summary are drawn from the same summary' '
	corpus >corpus.jsonl &&
	score --by .grp --distinct-budget 100 --summary s.json --report r.html <corpus.jsonl >/dev/null &&
	test "$(jq .conversations s.json)" = 24 &&
	grep -q "24 conversations in 2 groups" r.html &&
	jq -r ".distinct_2 * 10000 | round / 10000 | tostring" s.json >d2 &&
	grep -q "<code>distinct_2</code>.*>$(cat d2)<" r.html
'

test_expect_success 'group names and persona ids are escaped for HTML' '
	corpus >corpus.jsonl &&
	score --by .grp --report r.html <corpus.jsonl >/dev/null &&
	grep -qF "&lt;b&gt;&amp;&quot;x&quot;" r.html &&
	! grep -qF "<b>&\"x\"" r.html &&
	grep -qF "&lt;i&gt;&#39;p8&#39;&lt;/i&gt;" r.html &&
	! grep -qF "<i>" r.html
'

test_expect_success 'grouped charts name every group and draw the projection of every conversation' '
	corpus >corpus.jsonl &&
	score --by .grp --report r.html <corpus.jsonl >/dev/null &&
	grep -q ">plain</text>" r.html &&
	test "$(grep -c "<circle class=\"dot\"" r.html)" = 24
'

test_expect_success 'one tiny conversation: no probes, no projection, still five charts' '
	score --report r.html <"$HAND" >/dev/null &&
	test "$(svg_count r.html)" = 5 &&
	grep -q "no probes" r.html &&
	grep -q "no points" r.html &&
	grep -q ">1 conversation; 1 of them sampled" r.html
'

test_expect_success 'null numbers show as a dash' '
	score --report r.html <"$HAND" >/dev/null &&
	grep -q "<code>adherence_acc1</code>.*>–<" r.html
'

test_expect_success 'probes draw the drift curve' '
	echo "{\"id\":\"p/0\",\"turns\":[],\"probes\":[{\"after\":0,\"name\":\"a\",\"answer\":\"I want help with my taxes\"},{\"after\":2,\"name\":\"a\",\"answer\":\"I want help\"},{\"after\":4,\"name\":\"a\",\"answer\":\"zebra quantum violin\"}]}" >p.jsonl &&
	score --report r.html <p.jsonl >/dev/null &&
	! grep -q "no probes" r.html &&
	grep -q "<path class=\"line\"" r.html
'

test_expect_success '--reference sets the reference value and the difference beside each value' '
	echo "{\"turns_mean\": 4, \"question_rate\": 0.5}" >ref.json &&
	score --reference ref.json --report r.html <"$HAND" >/dev/null 2>&1 &&
	grep -q "<th class=\"num\">reference</th><th class=\"num\">difference</th>" r.html &&
	grep -q "<code>turns_mean</code>.*<td class=\"num\">5</td><td class=\"num\">4</td><td class=\"num\">+1</td>" r.html &&
	grep -q "<code>distinct_1</code>.*<td class=\"num\">–</td><td class=\"num\">–</td><td class=\"num\">–</td>" r.html &&
	! grep -q ">sim<" r.html
'

test_expect_success 'each meaning carries its definition and source as a tooltip' '
	score --report r.html <"$HAND" >/dev/null 2>&1 &&
	grep -q "<code>self_bleu_4</code></td><td title=\"Mean BLEU-4 of each of 100 sampled client texts against all the others, NLTK smoothing method 1. Source: Zhu et al. 2018, Texygen\">" r.html &&
	grep -q "<code>silhouette</code></td><td title=\"[^\"]*Source: Rousseeuw 1987; scikit-learn\">" r.html
'

test_expect_success '--ci adds an interval column and whiskers; --compare a table of comparisons' '
	corpus >corpus.jsonl &&
	score --by .grp --ci 0.9 --compare --distinct-budget 100 --summary s.json --report r.html <corpus.jsonl >/dev/null 2>&1 &&
	grep -q "<th class=\"num\">interval</th>" r.html &&
	lo=$(jq ".ci.turns_mean[0]" s.json) && hi=$(jq ".ci.turns_mean[1]" s.json) &&
	grep -q "<code>turns_mean</code>.*<td class=\"num\">$lo – $hi</td>" r.html &&
	test "$(grep -c "<path class=\"whisker\"" r.html)" = "$(jq "[.groups[].ci | .echo_rate, .role_confusion_rate, .distinct_1, .distinct_2, .distinct_3 | select(. != null)] | length" s.json)" &&
	grep -q "<h2>Comparisons</h2>" r.html &&
	test "$(grep -c "^<tr[^>]*><td><code>[a-z_0-9]*</code></td><td class=\"name\">" r.html)" = "$(jq ".comparisons | length" s.json)" &&
	test "$(svg_count r.html)" = 5
'

test_expect_success 'the release QA section shows the rates and the redactions' '
	jq -c ". + {redact: {email: 1, phone: 0, url: 2, number: 0}}" "$HAND" >redacted.jsonl &&
	score --report r.html <redacted.jsonl >/dev/null 2>&1 &&
	grep -q "<h2>Release QA</h2>" r.html &&
	grep -q "conversations where the client says it is an AI: <b>0</b>" r.html &&
	grep -q "Redacted by dialog-redact: <b>1</b> email, <b>0</b> phone, <b>2</b> url, <b>0</b> number.</p>" r.html &&
	score --report r.html <"$HAND" >/dev/null 2>&1 &&
	grep -q "Redacted by dialog-redact: nothing recorded" r.html
'

test_expect_success 'the same input gives a byte-identical page' '
	corpus >corpus.jsonl &&
	score --by .grp --report a.html <corpus.jsonl >/dev/null &&
	sort -r corpus.jsonl | score --by .grp --report b.html >/dev/null &&
	cmp a.html b.html
'

test_expect_success 'a report that cannot be written is an error naming the file' '
	test_expect_code 1 score --report no/such/dir/r.html <"$HAND" >/dev/null 2>err &&
	grep -q "^score: cannot open '\''no/such/dir/r.html'\'' for writing" err
'

test_done
