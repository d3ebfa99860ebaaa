#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "jsontext.h"
#include "jvutil.h"
#include "offline_internal.h"
#include "offline_judge.h"
#include "rng.h"

/* The first JSON object in text that parses and is not an answer template. */
static jv find_json_object(const char *text)
{
	int tries = 0;
	for (const char *p = strchr(text, '{'); p && tries < 32; p = strchr(p + 1, '{'), tries++) {
		int depth = 0, in_string = 0;
		const char *q = p;
		for (; *q; q++) {
			if (in_string) {
				if (*q == '\\' && q[1])
					q++;
				else if (*q == '"')
					in_string = 0;
			} else if (*q == '"') {
				in_string = 1;
			} else if (*q == '{') {
				depth++;
			} else if (*q == '}' && --depth == 0) {
				break;
			}
		}
		if (!*q)
			continue;
		jv v = json_parse(p, (size_t)(q - p + 1));
		if (jv_get_kind(v) == JV_KIND_OBJECT && jvu_kind_borrow(v, "verdict") == JV_KIND_INVALID) {
			jv inner = jvu_get_borrow(v, "fields");
			if (jv_get_kind(inner) == JV_KIND_OBJECT) {
				jv_free(v);
				return inner;
			}
			jv_free(inner);
			return v;
		}
		jv_free(v);
	}
	return jv_invalid();
}

/* "- name: value" lines as an object (numbers as numbers), or jv_invalid() when none. */
static jv find_field_lines(const char *text)
{
	jv obj = jv_object();
	int found = 0;
	const char *line = text;
	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *p = line;
		while (p < line + len && isspace((unsigned char)*p))
			p++;
		if (p + 2 < line + len && (*p == '-' || *p == '*') && p[1] == ' ') {
			const char *name = p + 2;
			const char *colon = memchr(name, ':', (size_t)(line + len - name));
			if (colon && colon > name) {
				char key[64], value[256];
				size_t kl = (size_t)(colon - name), vl;
				const char *v = colon + 1;
				while (v < line + len && *v == ' ')
					v++;
				vl = (size_t)(line + len - v);
				while (vl && isspace((unsigned char)v[vl - 1]))
					vl--;
				if (kl < sizeof key && vl < sizeof value) {
					memcpy(key, name, kl);
					key[kl] = '\0';
					memcpy(value, v, vl);
					value[vl] = '\0';
					char *num_end;
					double d = strtod(value, &num_end);
					jv jvalue =
						vl && *num_end == '\0' && isfinite(d) ? jv_number(d) : jv_string(value);
					obj = jv_object_set(obj, jv_string(key), jvalue);
					found = 1;
				}
			}
		}
		line = end ? end + 1 : line + len;
	}
	if (!found) {
		jv_free(obj);
		return jv_invalid();
	}
	return obj;
}

static int number_field(jv fields, const char *key, double *out)
{
	jv v = jvu_get_borrow(fields, key);
	int ok = 0;
	if (jv_get_kind(v) == JV_KIND_NUMBER) {
		*out = jv_number_value(v);
		ok = isfinite(*out);
	} else if (jv_get_kind(v) == JV_KIND_STRING) {
		char *end;
		*out = strtod(jv_string_value(v), &end);
		ok = end != jv_string_value(v) && *end == '\0' && isfinite(*out);
	}
	jv_free(v);
	return ok;
}

static int string_field_has(jv fields, const char *key, const char *needle)
{
	jv v = jvu_get_borrow(fields, key);
	int has = jv_get_kind(v) == JV_KIND_STRING && off_has_ci(jv_string_value(v), needle);
	jv_free(v);
	return has;
}

/* The first rule the persona breaks, or NULL when it passes them all. */
static const char *implausibility(jv f)
{
	double age, grade, years;
	int has_age = number_field(f, "age", &age);
	if (has_age && (age < 0 || age > 120))
		return "the age is outside a human range";
	if (has_age && age < 25 && string_field_has(f, "occupation", "retired"))
		return "someone under 25 is very unlikely to be retired";
	if (has_age && age < 25 &&
	    (string_field_has(f, "domain", "pension") || string_field_has(f, "domain", "retirement")))
		return "pension or retirement worries are implausible before 25";
	if (has_age && age < 23) {
		static const char *const senior[] = { "doctor",         "practitioner", "lawyer",   "director",
						      "senior manager", "head teacher", "pilot",    "lecturer",
						      "dentist",        "pharmacist",   "architect" };
		for (size_t i = 0; i < COUNT(senior); i++)
			if (string_field_has(f, "occupation", senior[i]))
				return "the occupation needs more years of training than the age allows";
	}
	if (string_field_has(f, "intensity", "severe") && string_field_has(f, "emotion", "calm"))
		return "a severe intensity contradicts a calm emotion";
	if (has_age && number_field(f, "grade", &grade) && (age - grade < 4 || age - grade > 8))
		return "the age does not fit the school grade";
	if (has_age && number_field(f, "customer_since_years", &years) && years > age)
		return "customer for longer than alive";
	return NULL;
}

/* The last turn of a transcript: its last "speaker: text" line, else the whole text. */
static void last_turn(const char *text, struct buf *out)
{
	static const char *const speakers[] = { "client",    "responder", "user",      "assistant",  "a",
						"b",         "person",    "human",     "agent",      "bot",
						"customer",  "student",   "tutor",     "counsellor", "counselor",
						"therapist", "seeker",    "supporter", "peer",       "speaker",
						"you",       "partner" };
	const char *best = NULL;
	size_t best_len = 0;
	const char *line = text;
	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *p = line;
		while (p < line + len && (isspace((unsigned char)*p) || *p == '[' || *p == '-' || *p == '*'))
			p++;
		const char *w = p;
		while (p < line + len && (isalnum((unsigned char)*p) || *p == '_'))
			p++;
		size_t wl = (size_t)(p - w);
		while (p < line + len && (*p == ']' || isdigit((unsigned char)*p)))
			p++;
		if (wl && p < line + len && *p == ':') {
			for (size_t i = 0; i < COUNT(speakers); i++)
				if (strlen(speakers[i]) == wl && strncasecmp(w, speakers[i], wl) == 0) {
					best = p + 1;
					best_len = (size_t)(line + len - best);
				}
		} else if (wl && p < line + len && p > w && p[-1] == ']') {
			best = p;
			best_len = (size_t)(line + len - best);
		}
		line = end ? end + 1 : line + len;
	}
	buf_reset(out);
	if (best)
		buf_add(out, best, best_len);
	else
		buf_adds(out, text);
}

void offline_judge_verdict(const struct chat *c, struct buf *out)
{
	const char *last = off_last_text(c, NULL);
	int stop_judge = 0;
	for (size_t i = 0; i < c->n; i++)
		if (off_has_word(c->m[i].text, "ended") || off_has_word(c->m[i].text, "termination") ||
		    off_has_word(c->m[i].text, "terminate") || off_has_word(c->m[i].text, "terminated"))
			stop_judge = 1;

	int verdict = 1;
	const char *reason;
	struct buf turn = BUF_INIT;
	if (stop_judge) {
		last_turn(last, &turn);
		verdict = off_is_closure(turn.data ? turn.data : "");
		reason = verdict ? "offline judge: rule-based checks only; the last turn closes without a new question"
				 : "offline judge: rule-based checks only; the last turn does not close the "
				   "conversation";
	} else {
		jv fields = find_json_object(last);
		if (jv_get_kind(fields) != JV_KIND_OBJECT) {
			jv_free(fields);
			fields = find_field_lines(last);
		}
		for (size_t i = c->n; jv_get_kind(fields) != JV_KIND_OBJECT && i-- > 0;) {
			jv_free(fields);
			fields = find_json_object(c->m[i].text);
		}
		if (jv_get_kind(fields) == JV_KIND_OBJECT) {
			const char *broken = implausibility(fields);
			verdict = broken == NULL;
			buf_addf(&turn, "offline judge: rule-based checks only; %s",
				 broken ? broken : "no rule flagged this persona");
		} else {
			buf_adds(&turn, "offline judge: rule-based checks only; no persona found to check");
		}
		reason = turn.data;
		jv_free(fields);
	}
	buf_addf(out, "{\"verdict\":%s,\"reason\":", verdict ? "true" : "false");
	json_add_string(out, reason);
	buf_addc(out, '}');
	buf_free(&turn);
}

/* The audit stand-in: the first numbered client line that talks like a helper. */
void offline_audit_verdict(const char *transcript, struct buf *out)
{
	static const char *const helper[] = {
		"how can i help",   "i recommend", "have you tried", "here are some", "i suggest",
		"i'm here for you", NULL
	};
	const char *line = transcript ? transcript : "";
	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char text[2048];
		size_t n = len < sizeof text - 1 ? len : sizeof text - 1;
		for (size_t i = 0; i < n; i++)
			text[i] = (char)tolower((unsigned char)line[i]);
		text[n] = '\0';
		long turn = -1;
		int used = 0;
		if (sscanf(text, "%ld. client:%n", &turn, &used) >= 1 && used > 0) {
			for (const char *const *h = helper; *h; h++) {
				if (strstr(text + used, *h)) {
					buf_addf(out,
						 "{\"role_failure\":true,\"category\":\"role_reversal\",\"turn\":%ld,"
						 "\"reason\":\"offline judge: phrase check only (the client says "
						 "'%s')\"}",
						 turn, *h);
					return;
				}
			}
		}
		line += len + (end ? 1 : 0);
	}
	buf_adds(out, "{\"role_failure\":false,\"category\":\"none\",\"turn\":null,"
		      "\"reason\":\"offline judge: phrase check only, no helper phrase from the client\"}");
}
