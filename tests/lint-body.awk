# tests/lint-body.awk — used by test_lint_body in tests/lib.sh. Reads bash's own listing
# of a test body (`declare -f` of a function holding it), prints every construct that
# would let a failing command go unnoticed, and exits 1 when there is one:
#   - a top-level statement not chained to the next one (a `;` or a newline where
#     `&&` belongs): bash ignores set -e in all but the last command of an && list,
#     so the failure of a chain followed by another statement is skipped;
#   - a loop whose body does not end with `|| return 1` (or `|| exit 1`, or
#     `|| { ...; return 1; }`): inside a loop that is part of an && list set -e is
#     off, and only the last iteration's status would count;
#   - a loop body of several statements (the same hole as the first, one level down).
# Wait loops (a body with `break`) are left alone: what they wait for is checked after.
#
# In the listing every statement ends its line, with `;` when another follows, and
# nested blocks are indented 4 more; strings spanning lines and here-documents are
# followed so that their contents are not read as code.

function scan(line,    i, c) {
	for (i = 1; i <= length(line); i++) {
		c = substr(line, i, 1)
		if (q == 2) { if (c == "'") q = 0; continue }
		if (c == "\\") { i++; continue }
		if (q == 1) { if (c == "\"") q = 0; continue }
		if (c == "\"") q = 1
		else if (c == "'") q = 2
		else if (c == "(") p++
		else if (c == ")") p--
	}
}

function indent(s) { match(s, /^ */); return RLENGTH }
function trim(s) { sub(/^ +/, "", s); sub(/ +$/, "", s); return s }

NR <= 2 { next }                         # "test_lint_fn_ ()" and "{"

{
	n++
	line[n] = $0
	code[n] = (heredoc == "" && q == 0)  # the line starts as code, not inside a string
	depth[n] = p
}

heredoc != "" {
	if ($0 == heredoc)
		heredoc = ""
	done_line[n] = 0
	next
}

{
	t = trim($0)
	if (t ~ /(^|[^A-Za-z_])case [^ ]+ in$/)
		incase++
	if (t ~ /^esac/)
		incase--
	saved = p
	scan($0)
	if (incase > 0 && t ~ /\)$/ && t !~ /\(/)
		p = saved                        # a case pattern "word)"
	closed[n] = (q == 0)
	after[n] = p
	# A here-document starts: "<<WORD" (quoted or not), then maybe " && ..." on the line.
	if (q == 0 && match($0, /(^|[^<])<<-?[\\'"]?[A-Za-z_]+[\\'"]?( |;|$)/)) {
		heredoc = substr($0, RSTART, RLENGTH)
		gsub(/^[^<]?<<-?|[\\'" ;]/, "", heredoc)
	}
}

function bad(msg, i) {
	print "test_lint_body: " msg ": " trim(line[i])
	status = 1
}

# A statement line at indentation ind that ends at paren depth pd, as code.
function statement(i, ind, pd) {
	return code[i] && closed[i] && indent(line[i]) == ind && after[i] == pd
}

# A loop header "for x in ...;" whose "do" follows on the next line.
function header(i) {
	return i < n && trim(line[i + 1]) == "do" && indent(line[i + 1]) == indent(line[i])
}

# Does the statement ending at line last (indentation ind) end the test on failure?
function guarded(last, ind, pd,    k, opener) {
	if (line[last] ~ /\|\| (return|exit)( [1-9][0-9]*)?;?$/)
		return 1
	if (trim(line[last]) !~ /^};?$/)
		return 0
	for (k = last - 1; k > 0; k--)
		if (statement(k, ind, pd) || (code[k] && indent(line[k]) == ind && line[k] ~ /\{ ?$/))
			break
	if (k == 0 || line[k] !~ /\|\| \{ ?$/)
		return 0
	for (opener = k; k < last; k++)
		if (line[k] ~ /(return|exit)( [1-9][0-9]*)?;?$/)
			return 1
	return 0
}

END {
	n--                                  # the closing "}"
	for (i = 1; i < n; i++)
		if (statement(i, 4, 0) && line[i] ~ /;$/ && !header(i))
			bad("statement not chained to the next with &&", i)
	for (i = 1; i <= n; i++) {
		if (!code[i] || !closed[i] || (trim(line[i]) != "do" && line[i] !~ /; do$/))
			continue
		d = indent(line[i])
		pd = after[i]
		for (j = i + 1; j <= n; j++)
			if (code[j] && indent(line[j]) == d && depth[j] == pd && trim(line[j]) ~ /^done/)
				break
		waits = 0
		for (k = i + 1; k < j; k++)
			if (code[k] && indent(line[k]) == d + 4 && line[k] ~ /(^|[ ;&|])break;?$/)
				waits = 1
		if (waits)
			continue
		stmts = 0
		last = 0
		for (k = i + 1; k < j; k++)
			if (statement(k, d + 4, pd) && !header(k) && trim(line[k]) !~ /^(do|then|else)$/) {
				if (line[k] ~ /;$/)
					stmts++
				last = k
			}
		if (stmts > 1)
			bad("a loop body of several statements, not one && chain", i - (trim(line[i]) == "do"))
		else if (!last || !guarded(last, d + 4, pd))
			bad("a loop body that does not end with || return 1 (only the last iteration would count)", i - (trim(line[i]) == "do"))
	}
	exit status
}
