#!/usr/bin/env bash
# The harness itself (tests/lib.sh): test bodies run with set -e and pipefail, and a
# body whose failing command could go unnoticed is refused before it runs — the
# patterns a review found in this suite (tests/lint-body.awk says why each is a hole).
. "$(dirname "$0")/lib.sh"

test_expect_success 'bodies run with errexit and pipefail' '
	shopt -oq errexit &&
	shopt -oq pipefail &&
	! (false | true)
'

# refused NAME: the body in file NAME is refused, with the reason in NAME.lint.
refused() {
	test_must_fail test_lint_body "$(cat "$1")" >"$1.lint" &&
	cat "$1.lint"
}

test_expect_success 'refused: a chain ended by "&& exit 1;" with a statement after it' '
	cat >body <<-\EOF &&
	jq -e -s "all(.[]; .height <= 190)" out &&
	grep -o "h" out | grep -vq "^h$" && exit 1;
	jq -e . out
	EOF
	refused body >reason &&
	grep -q "statement not chained to the next" reason
'

test_expect_success 'refused: a statement left out of the chain by a newline' '
	printf "%s\n" "persona-validate in >out || true" "jq -e . out" >body &&
	refused body >reason &&
	grep -q "statement not chained to the next" reason
'

test_expect_success 'refused: loops whose failing iterations go unnoticed' '
	cat >one-line <<-\EOF &&
	for line in 2 3 4; do grep -q "x:$line: " err; done &&
	test -s err
	EOF
	cat >chain-then-group <<-\EOF &&
	for tool in a b c; do
		$tool >out 2>err &&
		test "$(grep -c x err)" = 2 &&
		{ cmp -s want out || { echo "$tool differs"; exit 1; }; }
	done
	EOF
	cat >subshell <<-\EOF &&
	for who in with without; do
		(
			cd $who &&
			test "$status" = 139
		)
	done &&
	true
	EOF
	cat >two-statements <<-\EOF &&
	for c in a b; do
		set -- $c
		echo "$1" || return 1
	done >out
	EOF
	for body in one-line chain-then-group subshell two-statements; do
		refused $body >reason &&
		grep -q "loop" reason || return 1
	done
'

test_expect_success 'accepted: guarded loops, wait loops, pipes into head, strings and here-documents' '
	cat >body <<-\EOF &&
	for tool in a b; do
		$tool >out &&
		test -s out || { echo "$tool wrote nothing"; return 1; }
	done &&
	for i in 1 2; do
		for j in 1 2; do
			echo "$i$j" || return 1
		done || return 1
	done >pairs &&
	for i in $(seq 100); do [ -s file ] && break; sleep 0.01; done &&
	( persona-sample 2>err; echo $? >status ) | head -n 5 >out &&
	awk "{ n++;
	       if (n > 2) { bad = 1; }
	     } END { exit bad }" out &&
	cat >want <<-EOT &&
		a line; with a semicolon;
	EOT
	case $x in a) y=1 ;; *) y=2 ;; esac &&
	test -s want
	EOF
	test_lint_body "$(cat body)"
'

test_done
