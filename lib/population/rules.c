#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jqexpr.h"
#include "jqsubset.h"
#include "jsonfile.h"
#include "jvutil.h"
#include "msg.h"
#include "rules.h"

#define MAX_RULES_BYTES (16L * 1024 * 1024)

static int fail(struct ruleset *rs, const char *fmt, const char *a, const char *b)
{
	char text[1024];
	snprintf(text, sizeof text, fmt, a, b);
	for (char *p = text; *p; p++)
		if (*p == '\n')
			*p = ' ';
	errorf("%s: %s", rs->path, text);
	return -1;
}

static int load(struct ruleset *rs, jv doc)
{
	jv list = jvu_get_borrow(doc, "rules");
	if (jv_get_kind(doc) != JV_KIND_OBJECT || jv_get_kind(list) != JV_KIND_ARRAY) {
		jv_free(list);
		return fail(rs, "a rules file is {\"rules\": [{\"name\", \"expr\", \"message\"}, ...]}%s%s", "", "");
	}
	rs->n = (size_t)jv_array_length(jv_copy(list));
	rs->rules = xcalloc(rs->n, sizeof *rs->rules);
	rs->failures = xcalloc(rs->n, sizeof *rs->failures);
	int rc = 0;
	for (size_t i = 0; i < rs->n && rc == 0; i++) {
		jv r = jv_array_get(jv_copy(list), (int)i);
		jv name = jvu_get_borrow(r, "name"), expr = jvu_get_borrow(r, "expr"),
		   message = jvu_get_borrow(r, "message");
		char index[32];
		snprintf(index, sizeof index, "%zu", i + 1);
		if (jv_get_kind(name) != JV_KIND_STRING || jv_get_kind(expr) != JV_KIND_STRING)
			rc = fail(rs, "rule %s needs \"name\" and \"expr\" strings%s", index, "");
		for (size_t j = 0; rc == 0 && j < i; j++)
			if (strcmp(rs->rules[j].name, jv_string_value(name)) == 0)
				rc = fail(rs, "rule '%s' is defined twice%s", jv_string_value(name), "");
		if (rc == 0) {
			rs->rules[i].name = xstrdup(jv_string_value(name));
			rs->rules[i].expr = xstrdup(jv_string_value(expr));
			rs->rules[i].message = xstrdup(jv_get_kind(message) == JV_KIND_STRING ? jv_string_value(message)
											      : jv_string_value(name));
		}
		jv_free(name);
		jv_free(expr);
		jv_free(message);
		jv_free(r);
	}
	jv_free(list);
	return rc;
}

/* (try (if (E) then empty else I end) catch [I, .]): a failing rule as its index, a
 * rule that raised an error as [index, message]. The expression ends with a newline:
 * a rule ending in a jq comment ("# ...") would otherwise comment out the rest. */
static void add_wrapped(struct buf *prog, const char *expr, size_t i)
{
	buf_addf(prog, "(try (if (%s\n) then empty else %zu end) catch [%zu, .])", expr, i, i);
}

/* All rules as one jq program ([R0, R1, ...]): compiled at load, which is where a
 * syntax error is found (then each rule alone is compiled to name the one at fault),
 * and run by rules_check when jq_only is set. */
static int compile_program(struct ruleset *rs)
{
	struct buf prog = BUF_INIT, err = BUF_INIT;
	buf_adds(&prog, "[");
	for (size_t i = 0; i < rs->n; i++) {
		if (i)
			buf_adds(&prog, ", ");
		add_wrapped(&prog, rs->rules[i].expr, i);
	}
	buf_adds(&prog, "]");
	rs->program = jqexpr_compile(prog.data, NULL);
	int rc = 0;
	for (size_t i = 0; i < rs->n && rc == 0; i++) {
		/* A rule the native parser reads whole is an expression on its own; any other
		 * is compiled alone too, so that one like ".a) or (.b", which only the
		 * parentheses around it complete, is refused. */
		if (rs->program)
			rs->rules[i].native = jqsubset_compile_shared(rs->rules[i].expr, rs->paths);
		if (rs->rules[i].native)
			continue;
		struct jqexpr *alone = jqexpr_compile(rs->rules[i].expr, &err);
		if (!alone)
			rc = fail(rs, "rule '%s' is not a valid jq expression: %s", rs->rules[i].name,
				  err.data ? err.data : "compile error");
		jqexpr_free(alone);
	}
	if (!rs->program && rc == 0)
		rc = fail(rs, "rules do not combine into one jq program%s%s", "", "");
	buf_free(&prog);
	buf_free(&err);
	return rc;
}

/* The rule alone ([Ri]), compiled the first time the native side leaves it to jq:
 * compiling a jq program costs about as much as checking 10,000 records. */
static struct jqexpr *rule_program(struct rule *r, size_t i)
{
	if (!r->program) {
		struct buf prog = BUF_INIT;
		buf_adds(&prog, "[");
		add_wrapped(&prog, r->expr, i);
		buf_adds(&prog, "]");
		r->program = jqexpr_compile(prog.data, NULL);
		buf_free(&prog);
	}
	return r->program;
}

struct ruleset *rules_load(const char *path)
{
	struct ruleset *rs = xcalloc(1, sizeof *rs);
	rs->path = xstrdup(path);
	rs->paths = jqsubset_paths_new();
	jv doc = json_read_file(path, MAX_RULES_BYTES);
	if (!jv_is_valid(doc)) {
		json_report_invalid(doc);
		rules_free(rs);
		return NULL;
	}
	int rc = load(rs, doc);
	jv_free(doc);
	if (rc == 0)
		rc = compile_program(rs);
	if (rc) {
		rules_free(rs);
		return NULL;
	}
	return rs;
}

static jv failure(const struct rule *r, const char *error)
{
	jv f = jv_object();
	f = jv_object_set(f, jv_string("rule"), jv_string(r->name));
	if (error)
		f = jv_object_set(f, jv_string("message"), jv_string_fmt("rule error: %s", error));
	else
		f = jv_object_set(f, jv_string("message"), jv_string(r->message));
	return f;
}

/* Appends the failures a rules program reported (its output, consumed) to failed. */
static jv add_failures(struct ruleset *rs, jv out, jv failed)
{
	int n = jv_array_length(jv_copy(out));
	for (int k = 0; k < n; k++) {
		jv item = jv_array_get(jv_copy(out), k);
		size_t i = rs->n;
		const char *error = NULL;
		jv msg = jv_null();
		if (jv_get_kind(item) == JV_KIND_NUMBER) {
			i = (size_t)jv_number_value(item);
		} else if (jv_get_kind(item) == JV_KIND_ARRAY) {
			jv idx = jv_array_get(jv_copy(item), 0);
			msg = jv_array_get(jv_copy(item), 1);
			if (jv_get_kind(idx) == JV_KIND_NUMBER)
				i = (size_t)jv_number_value(idx);
			error = jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "jq error";
			jv_free(idx);
		}
		if (i < rs->n) {
			rs->failures[i]++;
			failed = jv_array_append(failed, failure(&rs->rules[i], error));
		}
		jv_free(msg);
		jv_free(item);
	}
	jv_free(out);
	return failed;
}

/* Runs a rules program; every rule is wrapped in try, so anything but an array is an
 * interpreter failure: the rules it covers (first..last) fail rather than pass. */
static jv run_program(struct ruleset *rs, struct jqexpr *program, jv record, size_t first, size_t last, jv failed)
{
	jv out = program ? jqexpr_first(program, record) : jv_invalid();
	if (jv_get_kind(out) == JV_KIND_ARRAY)
		return add_failures(rs, out, failed);
	jv_free(out);
	for (size_t i = first; i <= last; i++) {
		rs->failures[i]++;
		failed = jv_array_append(failed, failure(&rs->rules[i], "evaluation failed"));
	}
	return failed;
}

jv rules_check(struct ruleset *rs, jv record)
{
	jv failed = jv_array();
	if (!rs->n)
		return failed;
	if (rs->jq_only)
		return run_program(rs, rs->program, record, 0, rs->n - 1, failed);
	jqsubset_paths_load(rs->paths, record);
	for (size_t i = 0; i < rs->n; i++) {
		int verdict = rs->rules[i].native ? jqsubset_test(rs->rules[i].native, record) : -1;
		if (verdict == 1)
			continue;
		if (verdict == 0) {
			rs->failures[i]++;
			failed = jv_array_append(failed, failure(&rs->rules[i], NULL));
			continue;
		}
		failed = run_program(rs, rule_program(&rs->rules[i], i), record, i, i, failed);
	}
	jqsubset_paths_clear(rs->paths);
	return failed;
}

void rules_free(struct ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->rules[i].name);
		free(rs->rules[i].expr);
		free(rs->rules[i].message);
		jqexpr_free(rs->rules[i].program);
		jqsubset_free(rs->rules[i].native);
	}
	free(rs->rules);
	free(rs->failures);
	jqexpr_free(rs->program);
	jqsubset_paths_free(rs->paths);
	free(rs->path);
	free(rs);
}
