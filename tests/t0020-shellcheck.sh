#!/usr/bin/env bash
# The shipped pipelines (and the benchmarks) stay clean under shellcheck; a warning that
# is intended is silenced where it occurs, with a `# shellcheck disable=SCnnnn` comment
# that says why.
. "$(dirname "$0")/lib.sh"

if ! command -v shellcheck >/dev/null 2>&1; then
	test_skip 'pipelines/*.sh are clean under shellcheck' 'shellcheck is not installed (make deps)'
	test_skip 'tests/bench/*.sh are clean under shellcheck' 'shellcheck is not installed (make deps)'
	test_done
fi

test_expect_success 'pipelines/*.sh are clean under shellcheck' '
	shellcheck "$SRC"/pipelines/*.sh
'

test_expect_success 'tests/bench/*.sh are clean under shellcheck' '
	shellcheck "$SRC"/tests/bench/*.sh
'

test_expect_success 'every silenced warning says why' '
	grep -h "shellcheck disable=" "$SRC"/pipelines/*.sh "$SRC"/tests/bench/*.sh >disables || : &&
	! grep -v "disable=SC[0-9,SC]* # ." disables
'

test_done
