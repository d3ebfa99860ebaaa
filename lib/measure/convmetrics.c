#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "convmetrics.h"
#include "convtext.h"
#include "jsonfile.h"
#include "jvutil.h"
#include "msg.h"
#include "share.h"
#include "tokens.h"

/* A phrase list, folded by fold_text. */
struct phrases {
	char **items;
	size_t n;
};

struct score_rules {
	struct phrases lists[SCORE_PHRASE_LISTS];
	long prompt_leak_min_tokens;
	long list_min_items;
	long echo_min_bigrams;
	double echo_threshold;
};

/* text lower-cased, with the typographic apostrophe U+2019 (what models often write in
 * "I’m") folded to "'" so that the phrases, written with "'", match it too. */
static char *fold_text(const char *text)
{
	size_t n = strlen(text), w = 0;
	char *lower = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '\xe2' && text[i + 1] == '\x80' && text[i + 2] == '\x99') {
			lower[w++] = '\'';
			i += 2;
		} else {
			lower[w++] = (char)tolower((unsigned char)text[i]);
		}
	}
	lower[w] = '\0';
	return lower;
}

/* The strings of a JSON array, folded like the texts; empty and non-string entries are skipped. */
static void phrases_load(jv list, struct phrases *out)
{
	int n = jv_array_length(jv_copy(list));
	out->items = xcalloc((size_t)n + 1, sizeof *out->items);
	for (int i = 0; i < n; i++) {
		jv p = jv_array_get(jv_copy(list), i);
		if (jv_get_kind(p) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(p)) > 0)
			out->items[out->n++] = fold_text(jv_string_value(p));
		jv_free(p);
	}
}

/* The optional keys: absent is fine, present must have the right kind. */
static int optional_rules_ok(jv ai_phrases, jv leak_min)
{
	jv_kind phrases_kind = jv_get_kind(ai_phrases), leak_kind = jv_get_kind(leak_min);
	if (phrases_kind != JV_KIND_INVALID && phrases_kind != JV_KIND_ARRAY)
		return 0;
	if (leak_kind == JV_KIND_INVALID)
		return 1;
	if (leak_kind != JV_KIND_NUMBER)
		return 0;
	double x = jv_number_value(leak_min);
	return jvu_is_integer(x) && x >= 1 && x <= 1e6;
}

struct score_rules *score_rules_load(const char *path)
{
	char *found = path ? xstrdup(path) : share_path("score/rules.json");
	if (!found) {
		errorf("cannot find share/score/rules.json");
		return NULL;
	}
	jv doc = json_read_file(found, 1 << 20);
	if (!jv_is_valid(doc)) {
		json_report_invalid(doc);
		free(found);
		return NULL;
	}
	jv phrases = jvu_get_borrow(doc, "helper_phrases");
	jv list_min = jvu_get_borrow(doc, "list_min_items"), echo_min = jvu_get_borrow(doc, "echo_min_bigrams");
	jv echo_threshold = jvu_get_borrow(doc, "echo_threshold");
	jv ai_phrases = jvu_get_borrow(doc, "ai_identity_phrases");
	jv leak_min = jvu_get_borrow(doc, "prompt_leak_min_tokens");
	struct score_rules *r = NULL;
	if (jv_get_kind(phrases) != JV_KIND_ARRAY || jv_get_kind(list_min) != JV_KIND_NUMBER ||
	    jv_get_kind(echo_min) != JV_KIND_NUMBER || jv_get_kind(echo_threshold) != JV_KIND_NUMBER) {
		errorf("%s: score rules need \"helper_phrases\" (strings), \"list_min_items\", \"echo_min_bigrams\" "
		       "and "
		       "\"echo_threshold\" (numbers)",
		       found);
	} else if (!optional_rules_ok(ai_phrases, leak_min)) {
		errorf("%s: score rules may have \"ai_identity_phrases\" (strings) and \"prompt_leak_min_tokens\" "
		       "(a whole number from 1 to 1000000)",
		       found);
	} else {
		r = xcalloc(1, sizeof *r);
		phrases_load(phrases, &r->lists[SCORE_HELPER_PHRASES]);
		if (jv_get_kind(ai_phrases) == JV_KIND_ARRAY)
			phrases_load(ai_phrases, &r->lists[SCORE_AI_IDENTITY_PHRASES]);
		else
			r->lists[SCORE_AI_IDENTITY_PHRASES].items = xcalloc(1, sizeof(char *));
		r->prompt_leak_min_tokens =
			jv_get_kind(leak_min) == JV_KIND_NUMBER ? (long)jv_number_value(leak_min) : 8;
		r->list_min_items = (long)jv_number_value(list_min);
		r->echo_min_bigrams = (long)jv_number_value(echo_min);
		r->echo_threshold = jv_number_value(echo_threshold);
	}
	jv_free(phrases);
	jv_free(list_min);
	jv_free(echo_min);
	jv_free(echo_threshold);
	jv_free(ai_phrases);
	jv_free(leak_min);
	jv_free(doc);
	free(found);
	return r;
}

void score_rules_free(struct score_rules *r)
{
	if (!r)
		return;
	for (int k = 0; k < SCORE_PHRASE_LISTS; k++) {
		for (size_t i = 0; i < r->lists[k].n; i++)
			free(r->lists[k].items[i]);
		free(r->lists[k].items);
	}
	free(r);
}

long score_rules_prompt_leak_min_tokens(const struct score_rules *r)
{
	return r->prompt_leak_min_tokens;
}

const char *score_rules_phrase(const struct score_rules *r, enum score_phrase_list which, const char *text)
{
	const struct phrases *list = &r->lists[which];
	if (!list->n)
		return NULL;
	char *lower = fold_text(text);
	const char *found = NULL;
	for (size_t k = 0; k < list->n && !found; k++) {
		const char *phrase = list->items[k];
		size_t m = strlen(phrase);
		for (const char *p = strstr(lower, phrase); p; p = strstr(p + 1, phrase)) {
			int start_ok = p == lower || !isalnum((unsigned char)p[-1]);
			int end_ok = !isalnum((unsigned char)p[m]);
			if (start_ok && end_ok) {
				found = phrase;
				break;
			}
		}
	}
	free(lower);
	return found;
}

/* Lines that start like list items: "- ", "* ", "1. ", "2) ". */
static long list_items(const char *text)
{
	long items = 0;
	const char *line = text;
	while (line && *line) {
		while (*line == ' ' || *line == '\t')
			line++;
		if ((line[0] == '-' || line[0] == '*' || line[0] == '\xe2') && line[1] == ' ')
			items++;
		else if (isdigit((unsigned char)line[0]) && (line[1] == '.' || line[1] == ')') && line[2] == ' ')
			items++;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return items;
}

static void mean_sd(const double *x, size_t n, double *mean, double *sd)
{
	if (!n) {
		*mean = *sd = NAN;
		return;
	}
	double s = 0, s2 = 0;
	for (size_t i = 0; i < n; i++)
		s += x[i];
	*mean = s / (double)n;
	for (size_t i = 0; i < n; i++)
		s2 += (x[i] - *mean) * (x[i] - *mean);
	*sd = sqrt(s2 / (double)n);
}

/* Share of t's bigrams that are in seen; -1 when t has no bigram. */
static double bigram_share(const struct tokens *t, const struct u64set *seen, size_t *count)
{
	size_t total = t->n >= 2 ? t->n - 1 : 0, hits = 0;
	for (size_t i = 0; i < total; i++)
		hits += u64set_has(seen, ngram_hash(t, i, 2));
	if (count)
		*count = total;
	return total ? (double)hits / (double)total : -1;
}

static void add_bigrams(const struct tokens *t, struct u64set *set)
{
	for (size_t i = 0; i + 1 < t->n; i++)
		u64set_add(set, ngram_hash(t, i, 2));
}

static double jaccard(const struct tokens *a, const struct tokens *b)
{
	struct u64set sa = { 0 }, sb = { 0 };
	for (size_t i = 0; i < a->n; i++)
		u64set_add(&sa, a->hash[i]);
	for (size_t i = 0; i < b->n; i++)
		u64set_add(&sb, b->hash[i]);
	size_t inter = 0;
	for (size_t i = 0; i < sb.cap; i++)
		if (sb.used[i] && u64set_has(&sa, sb.slots[i]))
			inter++;
	size_t uni = sa.n + sb.n - inter;
	u64set_free(&sa);
	u64set_free(&sb);
	return uni ? (double)inter / (double)uni : 0;
}

void convmetrics_compute(const struct score_rules *r, jv record, struct convmetrics *m)
{
	memset(m, 0, sizeof *m);
	m->echo_list = jv_array();
	m->role_list = jv_array();
	size_t n = conversation_turns(record);
	m->turns = n;
	struct tokens *tok = xcalloc(n ? n : 1, sizeof *tok);
	int *is_client = xcalloc(n ? n : 1, sizeof *is_client);
	double *len_client = xcalloc(n ? n : 1, sizeof(double)), *len_responder = xcalloc(n ? n : 1, sizeof(double));
	struct buf text = BUF_INIT;
	size_t questions = 0;
	for (size_t i = 0; i < n; i++) {
		buf_reset(&text);
		const char *speaker = conversation_turn(record, i, &text);
		is_client[i] = conversation_client_side(record, speaker);
		tokenize(text.data ? text.data : "", text.len, &tok[i]);
		if (is_client[i]) {
			len_client[m->client_turns++] = (double)tok[i].n;
			questions += tok[i].question;
			const char *phrase = score_rules_phrase(r, SCORE_HELPER_PHRASES, text.data ? text.data : "");
			long items = list_items(text.data ? text.data : "");
			if (phrase || items >= r->list_min_items) {
				jv slip = jv_object();
				slip = jv_object_set(slip, jv_string("turn"), jv_number((double)i));
				slip = jv_object_set(slip, jv_string("phrase"),
						     phrase ? jv_string(phrase) : jv_string("(list)"));
				m->role_list = jv_array_append(m->role_list, slip);
				m->role_turns++;
			}
		} else {
			len_responder[m->responder_turns++] = (double)tok[i].n;
		}
	}
	buf_free(&text);
	mean_sd(len_client, m->client_turns, &m->client_tokens_mean, &m->client_tokens_sd);
	mean_sd(len_responder, m->responder_turns, &m->responder_tokens_mean, &m->responder_tokens_sd);
	m->question_rate = m->client_turns ? (double)questions / (double)m->client_turns : NAN;

	struct u64set own = { 0 }, partner = { 0 }, previous = { 0 };
	double own_sum = 0, partner_sum = 0, overlap_sum = 0;
	size_t own_n = 0, partner_n = 0, overlap_n = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0) {
			overlap_sum += jaccard(&tok[i - 1], &tok[i]);
			overlap_n++;
		}
		if (is_client[i]) {
			double s = bigram_share(&tok[i], &own, NULL);
			if (s >= 0 && own.n) {
				own_sum += s;
				own_n++;
			}
			s = bigram_share(&tok[i], &partner, NULL);
			if (s >= 0 && partner.n) {
				partner_sum += s;
				partner_n++;
			}
			if (i > 0 && !is_client[i - 1]) {
				u64set_clear(&previous);
				add_bigrams(&tok[i - 1], &previous);
				size_t bigrams = 0;
				double e = bigram_share(&tok[i], &previous, &bigrams);
				if ((long)bigrams >= r->echo_min_bigrams && e >= r->echo_threshold) {
					m->echo_list = jv_array_append(m->echo_list, jv_number((double)i));
					m->echo_turns++;
				}
			}
			add_bigrams(&tok[i], &own);
		} else {
			add_bigrams(&tok[i], &partner);
		}
	}
	m->own_rep_2 = own_n ? own_sum / (double)own_n : NAN;
	m->partner_rep_2 = partner_n ? partner_sum / (double)partner_n : NAN;
	m->overlap = overlap_n ? overlap_sum / (double)overlap_n : NAN;
	m->echo_rate = m->client_turns ? (double)m->echo_turns / (double)m->client_turns : NAN;
	m->role_confusion_rate = m->client_turns ? (double)m->role_turns / (double)m->client_turns : NAN;
	u64set_free(&own);
	u64set_free(&partner);
	u64set_free(&previous);
	for (size_t i = 0; i < n; i++)
		tokens_free(&tok[i]);
	free(tok);
	free(is_client);
	free(len_client);
	free(len_responder);
}

jv convmetrics_json(const struct convmetrics *m)
{
	jv o = jv_object();
	o = jv_object_set(o, jv_string("turns"), jv_number((double)m->turns));
	o = jv_object_set(o, jv_string("client_tokens_mean"), jvu_figure(m->client_tokens_mean));
	o = jv_object_set(o, jv_string("client_tokens_sd"), jvu_figure(m->client_tokens_sd));
	o = jv_object_set(o, jv_string("responder_tokens_mean"), jvu_figure(m->responder_tokens_mean));
	o = jv_object_set(o, jv_string("responder_tokens_sd"), jvu_figure(m->responder_tokens_sd));
	o = jv_object_set(o, jv_string("question_rate"), jvu_figure(m->question_rate));
	o = jv_object_set(o, jv_string("own_rep_2"), jvu_figure(m->own_rep_2));
	o = jv_object_set(o, jv_string("partner_rep_2"), jvu_figure(m->partner_rep_2));
	o = jv_object_set(o, jv_string("overlap"), jvu_figure(m->overlap));
	o = jv_object_set(o, jv_string("echo_rate"), jvu_figure(m->echo_rate));
	o = jv_object_set(o, jv_string("echo_turns"), jv_copy(m->echo_list));
	o = jv_object_set(o, jv_string("role_confusion_rate"), jvu_figure(m->role_confusion_rate));
	o = jv_object_set(o, jv_string("role_confusion"), jv_copy(m->role_list));
	return o;
}

void convmetrics_free(struct convmetrics *m)
{
	jv_free(m->echo_list);
	jv_free(m->role_list);
	m->echo_list = m->role_list = jv_null();
}
