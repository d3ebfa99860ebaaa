#!/usr/bin/env bash
# The README's commands work as written: every ```sh block, and every "$ " command of
# the transcripts (those that need a network endpoint, a key, other hosts, make demo's output or the
# external corpora are skipped, by the pattern below).
. "$(dirname "$0")/lib.sh"
set -o pipefail
README="$SRC/README.md"
NEEDS_OUTSIDE='base-url|api-key|valid_self|valid\.csv|pc\.json|cmp\.json|out/demo/|user-sim\.jsonl|--sshlogin| -S |OPENAI_API_KEY|deepseek|gpt-4o'

# sh_blocks: each ```sh block of the README into blockN.sh
sh_blocks() {
	awk '/^```sh$/ { n++; on = 1; next } /^```$/ { on = 0 } on { print > ("block" n ".sh") }' "$README"
}

# transcript_commands: each "$ " command (with its continuation lines), NUL-separated
transcript_commands() {
	awk 'BEGIN { ORS = "" }
	     /^```/ { fence = !fence; next }
	     !fence { next }
	     more { cmd = cmd "\n" $0; more = /\\$/; if (!more) print cmd "\0"; next }
	     /^\$ / { cmd = substr($0, 3); more = /\\$/; if (!more) print cmd "\0" }' "$README"
}

# run_unless_outside CMD: run a README command in the current folder, unless it needs
# something outside (then skip it); counts the commands run in the file "ran".
run_unless_outside() {
	printf "%s" "$1" | grep -Eq "$NEEDS_OUTSIDE" && return 0
	env -u OPENAI_API_KEY -u OPENAI_BASE_URL bash -euo pipefail -c "$1" >/dev/null 2>err ||
		{ echo "README command failed: $1"; cat err; return 1; }
	echo $(( $(cat ran 2>/dev/null || echo 0) + 1 )) >ran
}

test_expect_success 'setup: the README has sh blocks and transcripts to run' '
	sh_blocks && test -s block1.sh &&
	transcript_commands >commands &&
	test "$(tr -cd "\0" <commands | wc -c)" -ge 8
'

test_expect_success 'every sh block runs as written from the source tree' '
	for block in block*.sh; do
		(cd "$SRC" && env -u BUILD -u BIN TMPDIR="$TRASH" bash -euo pipefail "$TRASH/$block") >"$block.out" 2>"$block.err" ||
			{ echo "$block failed:"; cat "$block" "$block.err"; exit 1; }
	done &&
	tail -n 1 block1.sh.out | jq -e ".description | startswith(\"You are\")"
'

test_expect_success 'every transcript command that needs nothing outside runs, in order' '
	mkdir transcript && cd transcript &&
	ln -s "$SRC/pipelines" pipelines &&
	while IFS= read -r -d "" cmd; do
		run_unless_outside "$cmd" || return 1
	done <../commands &&
	ran=$(cat ran) &&
	test "$ran" -ge 6
'

test_done
