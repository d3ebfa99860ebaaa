# tests/lib.sh — sourced by every tests/tNNNN-*.sh script (in the style of git's test-lib).
#
#   test_expect_success 'what the behaviour is' '
#       commands that must all succeed, chained with && &&
#       for x in a b; do
#           check "$x" || return 1
#       done &&
#       last command
#   '
#
# Each test body runs as a function in its own subshell with `set -e -o pipefail`,
# inside a fresh scratch folder shared by the script. Results print as TAP lines
# ("ok N - name"), which tests/run.sh counts. The programs under test come from $BIN
# (set by tests/run.sh).
#
# Why the && chain and the `|| return 1`: bash ignores set -e in every command of an
# && list but the last, and in everything inside a loop that is part of one, so a
# failing command there is silently skipped — only a loop's last iteration would
# count. test_lint_body refuses a body with a statement not chained to the next, or a
# loop without `|| return 1` (or exit, or a wait loop's break) in its iterations.

set -u
: "${BIN:?BIN must name the folder with the built programs}"
SRC=$(cd "$(dirname "$0")/.." && pwd)
PATH="$BIN:$SRC/tests/helpers:$PATH"
export PATH SRC BIN
# Every chat request the programs build is checked against the chat-template shape
# (lib/chatshape.h); one that breaks it fails its call with error kind "request_shape".
PERSONA_CHECK_REQUESTS=1
export PERSONA_CHECK_REQUESTS
SCHEMAS="$SRC/share/schemas"
FIXTURES="$SRC/tests/fixtures"
export SCHEMAS FIXTURES
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/persona-test.XXXXXX")
trap 'rm -rf "$TRASH"' EXIT
cd "$TRASH" || exit 1

test_count=0
test_failed=0

# The body runs as a function so that `|| return 1` ends it from inside a loop.
test_run_body_() {
	eval "$1"
}

# test_lint_body BODY: say what is wrong and fail when a failing command in BODY could
# go unnoticed (tests/lint-body.awk says which constructs, and why).
test_lint_body() {
	if ! eval "test_lint_fn_() {
$1
}" 2>"$TRASH/.lint-parse"; then
		echo "test_lint_body: the body does not parse: $(cat "$TRASH/.lint-parse")"
		return 1
	fi
	declare -f test_lint_fn_ | awk -f "$SRC/tests/lint-body.awk"
}

test_expect_success() {
	test_count=$((test_count + 1))
	# Names a body cannot mistake for its own variables (it sees these locals).
	local test_name_=$1 test_body_=$2 test_status_=0
	if test_lint_body "$test_body_" >"$TRASH/.test-output" 2>&1; then
		# Not the condition of an "if" nor left of "||": there bash ignores set -e
		# (in the whole subshell). (This script itself does not run with set -e.)
		(
			set -e -o pipefail
			# Mock servers this body starts are its own: stopped however it ends
			# (the script's exit trap only knows the ones started outside tests).
			test_mocks_before_=$MOCK_PIDS
			trap 'test_stop_mocks_since_ "$test_mocks_before_"' EXIT
			test_run_body_ "$test_body_"
		) >"$TRASH/.test-output" 2>&1
		test_status_=$?
	else
		test_status_=1
	fi
	if [ "$test_status_" -eq 0 ]; then
		echo "ok $test_count - $test_name_"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $test_name_"
		sed 's/^/#   /' "$TRASH/.test-output" | head -n 40
	fi
}

# test_skip NAME REASON: a test that cannot run here, said as such (TAP "# SKIP").
test_skip() {
	test_count=$((test_count + 1))
	echo "ok $test_count - $1 # SKIP $2"
}

# A controlled failure: exit status 1..125 (not a crash, a signal or "command not found").
test_must_fail() {
	local status=0
	"$@" || status=$?
	if [ "$status" -eq 0 ]; then
		echo "test_must_fail: '$*' succeeded" >&2
		return 1
	fi
	if [ "$status" -gt 125 ]; then
		echo "test_must_fail: '$*' died with status $status" >&2
		return 1
	fi
	return 0
}

# test_expect_code N command...: the command must exit with exactly N.
test_expect_code() {
	local want=$1 status=0
	shift
	"$@" || status=$?
	if [ "$status" -ne "$want" ]; then
		echo "test_expect_code: '$*' exited $status, want $want" >&2
		return 1
	fi
}

# test_cmp expected actual: identical files, with a diff when not.
test_cmp() {
	diff -u "$1" "$2"
}

# test_line_count = N file
test_line_count() {
	local n
	n=$(wc -l <"$3" | tr -d ' ')
	if ! [ "$n" "$1" "$2" ]; then
		echo "test_line_count: $3 has $n lines, want $1 $2" >&2
		return 1
	fi
}

test_done() {
	echo "# $(basename "$0"): $test_count tests, $test_failed failed"
	[ "$test_failed" -eq 0 ]
}

# The mock OpenAI-compatible server (tests/mock/), always the plain build: it is test
# equipment, not the code under test.
MOCK_SERVER="$SRC/build/tests/mock-server"
MOCK_PIDS=""

# start_mock NAME [OPTION]...: start a mock server on a free loopback port; sets
# ${NAME}_URL (the /v1 base), ${NAME}_PORT and ${NAME}_PID. Logs go to NAME.log.
start_mock() {
	local name=$1 i
	shift
	rm -f "$TRASH/$name.port" "$TRASH/$name.log"
	"$MOCK_SERVER" --port-file "$TRASH/$name.port" --log "$TRASH/$name.log" "$@" 2>"$TRASH/$name.err" &
	local pid=$!
	MOCK_PIDS="$MOCK_PIDS $pid"
	for i in $(seq 1 200); do
		[ -s "$TRASH/$name.port" ] && break
		sleep 0.02
	done
	local port
	port=$(cat "$TRASH/$name.port" 2>/dev/null) || { echo "mock server did not start" >&2; return 1; }
	eval "${name}_URL=http://127.0.0.1:$port/v1 ${name}_PORT=$port ${name}_PID=$pid"
}

# test_stop_mocks_since_ PIDS: stop every mock server started after PIDS was MOCK_PIDS.
test_stop_mocks_since_() {
	local p
	for p in $MOCK_PIDS; do
		case " $1 " in
		*" $p "*) ;;
		*) kill "$p" 2>/dev/null || true ;;   # set -e holds in the trap too
		esac
	done
	return 0
}

stop_mock() {   # stop_mock NAME
	local pid
	eval "pid=\${$1_PID:-}"
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	return 0
}

mock_stats() {   # mock_stats NAME: the server's counters as JSON
	local port
	eval "port=\${$1_PORT}"
	curl -s "http://127.0.0.1:$port/stats"
}

trap 'for p in $MOCK_PIDS; do kill $p 2>/dev/null; done; rm -rf "$TRASH"' EXIT
