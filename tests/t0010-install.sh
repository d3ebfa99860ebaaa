#!/usr/bin/env bash
# make install puts programs, man pages and share/ data where they work from anywhere.
. "$(dirname "$0")/lib.sh"

test_expect_success 'make install PREFIX=... installs programs, man pages and data' '
	make -s -C "$SRC" install PREFIX="$TRASH/prefix" BUILD="$BUILD" >/dev/null &&
	test -x prefix/bin/persona-sample && test -x prefix/bin/persona-craft &&
	test -f prefix/share/man/man1/persona-sample.1 && test -f prefix/share/man/man1/persona-craft.1 &&
	test -f prefix/share/persona/schemas/spasm.json && test -f prefix/share/persona/prompts/craft.txt
'

test_expect_success 'installed programs find their prompts from any folder' '
	mkdir elsewhere && cd elsewhere &&
	../prefix/bin/persona-sample --schema ../prefix/share/persona/schemas/support.json -n 2 >p.jsonl &&
	env -u OPENAI_API_KEY -u OPENAI_BASE_URL ../prefix/bin/persona-craft <p.jsonl >c.jsonl 2>/dev/null &&
	jq -e -s "length == 2 and (map(.description | startswith(\"You are\")) | all)" c.jsonl
'

test_expect_success 'every program has a man page that renders' '
	ls "$BIN" >programs &&
	test_line_count -ge 8 programs &&
	for name in $(cat programs); do
		test -f "$SRC/share/man/$name.1" &&
		man -l "$SRC/share/man/$name.1" >page 2>/dev/null &&
		grep -q "^NAME" page || { echo "no man page for $name"; return 1; }
	done
'

test_done
