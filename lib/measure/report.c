#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jvutil.h"
#include "metrics.h"
#include "msg.h"
#include "report.h"
#include "rng.h"

/* Every chart is drawn in the same 700 x 320 pixel box. */
#define CHART_W 700
#define CHART_H 320
#define PLOT_LEFT 64
#define PLOT_TOP 44
#define CHAR_W 6.5 /* a generous average width of an 11px character */

#define MAX_GROUPS 24 /* categories of the by-group charts */
#define MAX_LINES 12 /* groups drawn in the drift chart */
#define MAX_CURVE 64 /* probe points */
#define MAX_BINS 200 /* stop-turn histogram bins */
#define MAX_POINTS 500 /* projection points */
#define LEGEND_PERSONAS 10

static const char *const palette[12] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
	"#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#ad494a",
};

/* ---------- text ---------- */

/* Text from the summary is user data: escaped for element text and attribute values
 * alike; control characters, which HTML does not allow, become spaces. */
static void esc(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			buf_adds(b, "&amp;");
			break;
		case '<':
			buf_adds(b, "&lt;");
			break;
		case '>':
			buf_adds(b, "&gt;");
			break;
		case '"':
			buf_adds(b, "&quot;");
			break;
		case '\'':
			buf_adds(b, "&#39;");
			break;
		default:
			if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
				buf_addc(b, ' ');
			else
				buf_addc(b, *s);
		}
	}
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* Byte offset of character number `chars` in s (or its end). */
static size_t utf8_offset(const char *s, size_t chars)
{
	size_t i = 0, seen = 0;
	for (; s[i]; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80 && seen++ == chars)
			break;
	}
	return i;
}

/* At most max characters (never splitting a UTF-8 sequence): when s is longer, its
 * head and tail around an ellipsis, since names often differ only at the end. */
static void esc_short(struct buf *b, const char *s, size_t max)
{
	size_t n = utf8_chars(s);
	if (max < 3)
		max = 3;
	if (n <= max) {
		esc(b, s);
		return;
	}
	size_t head = (max - 1) / 2, tail = max - 1 - head;
	struct buf part = BUF_INIT;
	buf_add(&part, s, utf8_offset(s, head));
	esc(b, part.data ? part.data : "");
	buf_adds(b, "…");
	esc(b, s + utf8_offset(s, n - tail));
	buf_free(&part);
}

/* ---------- numbers ---------- */

/* v's value when it is a finite number, else NaN (null, missing, another kind). */
static double num_of(jv v)
{
	if (jv_get_kind(v) != JV_KIND_NUMBER)
		return NAN;
	double x = jv_number_value(v);
	return isfinite(x) ? x : NAN;
}

static double num_at(jv obj, const char *key)
{
	jv v = jvu_get_borrow(obj, key);
	double x = num_of(v);
	jv_free(v);
	return x;
}

/* obj[key] as an array, or an empty one; *len is its length, capped at max. */
static jv array_at(jv obj, const char *key, int max, int *len)
{
	jv v = jvu_get_borrow(obj, key);
	if (jv_get_kind(v) != JV_KIND_ARRAY) {
		jv_free(v);
		v = jv_array();
	}
	int n = jv_array_length(jv_copy(v));
	*len = n < max ? n : max;
	return v;
}

static double array_num(jv array, int i)
{
	jv v = jv_array_get(jv_copy(array), i);
	double x = num_of(v);
	jv_free(v);
	return x;
}

static void add_value(struct buf *b, double x)
{
	if (isnan(x))
		buf_adds(b, "–");
	else if (x == floor(x) && fabs(x) < 1e15)
		buf_addf(b, "%.0f", x);
	else
		buf_addf(b, "%.4g", x);
}

/* ---------- the groups shown ---------- */

/* The categories of the by-group charts: the groups in key order (the largest
 * MAX_GROUPS of them when there are more), or the whole corpus as "all". */
struct groups {
	size_t n, total;
	int grouped;
	char *name[MAX_GROUPS];
	jv obj[MAX_GROUPS];
};

static void groups_load(jv summary, struct groups *g)
{
	memset(g, 0, sizeof *g);
	jv all = jvu_get_borrow(summary, "groups");
	if (jv_get_kind(all) != JV_KIND_OBJECT || jv_object_length(jv_copy(all)) == 0) {
		jv_free(all);
		g->n = g->total = 1;
		g->name[0] = xstrdup("all");
		g->obj[0] = jv_copy(summary);
		return;
	}
	g->grouped = 1;
	jv keys = jv_keys(jv_copy(all)); /* sorted */
	size_t total = (size_t)jv_array_length(jv_copy(keys));
	double *size = xcalloc(total, sizeof *size);
	char *chosen = xcalloc(total, 1);
	for (size_t i = 0; i < total; i++) {
		jv group = jv_object_get(jv_copy(all), jv_array_get(jv_copy(keys), (int)i));
		size[i] = num_at(group, "conversations");
		if (isnan(size[i]))
			size[i] = 0;
		jv_free(group);
	}
	for (size_t k = 0; k < MAX_GROUPS && k < total; k++) {
		size_t best = total;
		for (size_t i = 0; i < total; i++)
			if (!chosen[i] && (best == total || size[i] > size[best]))
				best = i;
		chosen[best] = 1;
	}
	for (size_t i = 0; i < total; i++) {
		if (!chosen[i])
			continue;
		jv key = jv_array_get(jv_copy(keys), (int)i);
		g->name[g->n] = xstrdup(jv_string_value(key));
		g->obj[g->n] = jv_object_get(jv_copy(all), key);
		g->n++;
	}
	g->total = total;
	free(size);
	free(chosen);
	jv_free(keys);
	jv_free(all);
}

static void groups_free(struct groups *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->name[i]);
		jv_free(g->obj[i]);
	}
}

/* ---------- chart frame and axes ---------- */

struct scale {
	double min, max, step;
};

/* Widen [lo, hi] to multiples of a round step (1, 2 or 5 x 10^k) giving about
 * `ticks` intervals; -1 when the values cannot be drawn (overflowing ranges). */
static int scale_fit(struct scale *s, double lo, double hi, int ticks, int integer)
{
	if (!isfinite(lo) || !isfinite(hi))
		return -1;
	if (hi <= lo) {
		double pad = lo == 0 ? 1 : fabs(lo) * 0.1;
		hi = lo == 0 ? 1 : hi + pad;
		lo = lo == 0 ? 0 : lo - pad;
	}
	double raw = (hi - lo) / ticks;
	if (!isfinite(raw) || raw <= 0)
		return -1;
	double mag = pow(10, floor(log10(raw))), f = raw / mag;
	double step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
	if (integer && step < 1)
		step = 1;
	s->min = floor(lo / step) * step;
	s->max = ceil(hi / step) * step;
	s->step = step;
	return isfinite(s->min) && isfinite(s->max) && s->max > s->min ? 0 : -1;
}

struct plot {
	struct buf *b;
	double x, y, w, h; /* the plotting area, in pixels of the chart */
	struct scale xs, ys;
};

static double plot_y(const struct plot *p, double v)
{
	return p->y + p->h * (p->ys.max - v) / (p->ys.max - p->ys.min);
}

static double plot_x(const struct plot *p, double v)
{
	return p->x + p->w * (v - p->xs.min) / (p->xs.max - p->xs.min);
}

static void plot_area(struct plot *p, struct buf *b, double right, double bottom)
{
	memset(p, 0, sizeof *p);
	p->b = b;
	p->x = PLOT_LEFT;
	p->y = PLOT_TOP;
	p->w = CHART_W - PLOT_LEFT - right;
	p->h = CHART_H - PLOT_TOP - bottom;
}

static void chart_begin(struct buf *b, const char *heading, const char *title)
{
	buf_addf(b, "<section>\n<h2>%s</h2>\n", heading);
	buf_addf(b,
		 "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
		 "aria-label=\"%s\">\n",
		 CHART_W, CHART_H, CHART_W, CHART_H, title);
	buf_addf(b, "<text class=\"title\" x=\"12\" y=\"24\">%s</text>\n", title);
}

static void chart_end(struct buf *b, const char *caption)
{
	buf_adds(b, "</svg>\n");
	if (caption)
		buf_addf(b, "<p class=\"caption\">%s</p>\n", caption);
	buf_adds(b, "</section>\n");
}

static void plot_note(const struct plot *p, const char *text)
{
	buf_addf(p->b, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n", p->x, p->y,
		 p->w, p->h);
	buf_addf(p->b, "<text class=\"note\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", p->x + p->w / 2,
		 p->y + p->h / 2, text);
}

static void add_tick_label(struct buf *b, double v, double step)
{
	if (fabs(v) < step * 1e-9)
		v = 0;
	buf_addf(b, "%.4g", v);
}

/* Horizontal grid lines with their values on the left, the y-axis title, and the frame. */
static void plot_y_axis(const struct plot *p, const char *label)
{
	struct buf *b = p->b;
	long first = lround(p->ys.min / p->ys.step), last = lround(p->ys.max / p->ys.step);
	for (long i = first; i <= last && i - first <= 40; i++) {
		double v = (double)i * p->ys.step, y = plot_y(p, v);
		buf_addf(b, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>\n", p->x,
			 p->x + p->w, y, y);
		buf_addf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", p->x - 6, y + 4);
		add_tick_label(b, v, p->ys.step);
		buf_adds(b, "</text>\n");
	}
	buf_addf(b, "<rect class=\"frame\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n", p->x, p->y, p->w,
		 p->h);
	buf_addf(b,
		 "<text class=\"axis\" text-anchor=\"middle\" transform=\"translate(16 %.1f) rotate(-90)\">%s</text>\n",
		 p->y + p->h / 2, label);
}

static void plot_x_title(const struct plot *p, const char *label)
{
	buf_addf(p->b, "<text class=\"axis\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", p->x + p->w / 2,
		 CHART_H - 10, label);
}

/* Vertical grid lines with their values below, for a numeric x axis. */
static void plot_x_axis(const struct plot *p)
{
	struct buf *b = p->b;
	long first = lround(p->xs.min / p->xs.step), last = lround(p->xs.max / p->xs.step);
	for (long i = first; i <= last && i - first <= 40; i++) {
		double v = (double)i * p->xs.step, x = plot_x(p, v);
		buf_addf(b, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>\n", x, x, p->y,
			 p->y + p->h);
		buf_addf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x, p->y + p->h + 16);
		add_tick_label(b, v, p->xs.step);
		buf_adds(b, "</text>\n");
	}
}

/* A bar's value at its end (y; the baseline is at base): outside the bar, or just
 * inside it when the plot has no room left there. */
static void bar_value(const struct plot *p, double cx, double y, double base, double v, int integer)
{
	int up = y <= base;
	double outside = up ? y - 3 : y + 11;
	int fits = up ? outside - 10 >= p->y : outside <= p->y + p->h;
	buf_addf(p->b, "<text class=\"value%s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", fits ? "" : " inside",
		 cx,
		 fits ? outside
		 : up ? y + 11
		      : y - 3);
	buf_addf(p->b, integer && fabs(v) < 1e9 ? "%.0f" : "%.3g", v);
	buf_adds(p->b, "</text>\n");
}

/* A legend entry: a colour swatch and an (escaped, shortened) name; returns its width. */
static double legend_item(struct buf *b, double x, double y, const char *colour, const char *name, size_t max_chars)
{
	buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" rx=\"2\" fill=\"%s\"/>\n", x, y - 10,
		 colour);
	buf_addf(b, "<text class=\"legend\" x=\"%.1f\" y=\"%.1f\"><title>", x + 17, y);
	esc(b, name);
	buf_adds(b, "</title>");
	esc_short(b, name, max_chars);
	buf_adds(b, "</text>\n");
	size_t n = utf8_chars(name);
	return 17 + CHAR_W * (double)(n < max_chars ? n : max_chars) + 14;
}

/* ---------- header ---------- */

struct key_gloss {
	const char *key, *gloss;
};

static const struct key_gloss group_columns[] = {
	{ "conversations", "conversations" },    { "turns_mean", "turns" },      { "echo_rate", "echo" },
	{ "role_confusion_rate", "role conf." }, { "distinct_2", "distinct-2" }, { "drift_probe_auc", "drift" },
	{ "adherence_acc1", "Acc@1" },
};

/* obj[key] as an interval [lo, hi]: 1 with both ends, else 0. */
static int interval_at(jv obj, const char *key, double ci[2])
{
	jv v = jvu_get_borrow(obj, key);
	int ok = 0;
	if (jv_get_kind(v) == JV_KIND_ARRAY && jv_array_length(jv_copy(v)) == 2) {
		ci[0] = array_num(v, 0);
		ci[1] = array_num(v, 1);
		ok = !isnan(ci[0]) && !isnan(ci[1]);
	}
	jv_free(v);
	return ok;
}

static void add_interval(struct buf *b, jv cis, const char *key)
{
	double ci[2];
	if (!interval_at(cis, key, ci)) {
		buf_adds(b, "–");
		return;
	}
	add_value(b, ci[0]);
	buf_adds(b, " – ");
	add_value(b, ci[1]);
}

/* A metric's gloss with its definition and source as the tooltip. */
static void add_meaning(struct buf *b, const struct metric_def *m)
{
	buf_adds(b, "<td title=\"");
	esc(b, m->definition);
	buf_adds(b, " Source: ");
	esc(b, m->source);
	buf_adds(b, "\">");
	esc(b, m->gloss);
	buf_adds(b, "</td>");
}

static void header_keys(struct buf *b, jv summary)
{
	jv ref = jvu_get_borrow(summary, "reference"), diff = jvu_get_borrow(summary, "difference");
	jv cis = jvu_get_borrow(summary, "ci");
	int has_ref = jv_get_kind(ref) == JV_KIND_OBJECT && jv_get_kind(diff) == JV_KIND_OBJECT;
	int has_ci = jv_get_kind(cis) == JV_KIND_OBJECT;
	buf_adds(b, "<table class=\"keys\">\n<thead><tr><th>key</th><th>meaning</th><th class=\"num\">value</th>");
	if (has_ci)
		buf_adds(b, "<th class=\"num\">interval</th>");
	if (has_ref)
		buf_adds(b, "<th class=\"num\">reference</th><th class=\"num\">difference</th>");
	buf_adds(b, "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < metric_defs_count; i++) {
		const struct metric_def *m = &metric_defs[i];
		/* Keys a run does not produce at all (the judge's) get no row; null ones do. */
		if (jvu_kind_borrow(summary, m->key) == JV_KIND_INVALID)
			continue;
		buf_addf(b, "<tr><td><code>%s</code></td>", m->key);
		add_meaning(b, m);
		buf_adds(b, "<td class=\"num\">");
		add_value(b, num_at(summary, m->key));
		buf_adds(b, "</td>");
		if (has_ci) {
			buf_adds(b, "<td class=\"num\">");
			add_interval(b, cis, m->key);
			buf_adds(b, "</td>");
		}
		if (has_ref) {
			buf_adds(b, "<td class=\"num\">");
			add_value(b, num_at(ref, m->key));
			buf_adds(b, "</td><td class=\"num\">");
			double d = num_at(diff, m->key);
			if (d > 0)
				buf_adds(b, "+");
			add_value(b, d);
			buf_adds(b, "</td>");
		}
		buf_adds(b, "</tr>\n");
	}
	buf_adds(b, "</tbody>\n</table>\n");
	buf_adds(b, "<p class=\"caption\">Hover a meaning for its definition and source.");
	if (has_ci)
		buf_adds(b, " Interval: a bootstrap confidence interval (score --ci).");
	if (has_ref)
		buf_adds(b,
			 " Reference: the same metric on the reference corpus (score --reference); difference: value "
			 "− reference.");
	buf_adds(b, "</p>\n");
	jv_free(ref);
	jv_free(diff);
	jv_free(cis);
}

/* The release QA rates and the redactions of dialog-redact, when the summary has them. */
static void header_qa(struct buf *b, jv summary)
{
	buf_adds(b, "<h2>Release QA</h2>\n<p>");
	static const char *const qa[] = { "qa_ai_identity_rate", "qa_prompt_leak_rate", "qa_duplicate_rate" };
	for (size_t i = 0; i < 3; i++) {
		const struct metric_def *m = metric_def(qa[i]);
		buf_adds(b, i ? "; " : "");
		esc(b, m->gloss);
		buf_adds(b, ": <b>");
		add_value(b, num_at(summary, qa[i]));
		buf_adds(b, "</b>");
	}
	buf_adds(b, ".</p>\n<p>Redacted by dialog-redact: ");
	jv redactions = jvu_get_borrow(summary, "redactions");
	if (jv_get_kind(redactions) != JV_KIND_OBJECT) {
		buf_adds(b, "nothing recorded (the records did not pass through dialog-redact).</p>\n");
	} else {
		int first = 1;
		jv_object_foreach(redactions, key, count)
		{
			buf_adds(b, first ? "" : ", ");
			first = 0;
			buf_adds(b, "<b>");
			add_value(b, num_of(count));
			buf_adds(b, "</b> ");
			esc(b, jv_string_value(key));
			jv_free(key);
			jv_free(count);
		}
		buf_adds(b, first ? "none.</p>\n" : ".</p>\n");
	}
	jv_free(redactions);
}

/* The comparisons of score --compare: one row per pair and metric. */
static void header_comparisons(struct buf *b, jv summary)
{
	jv rows = jvu_get_borrow(summary, "comparisons");
	if (jv_get_kind(rows) != JV_KIND_ARRAY) {
		jv_free(rows);
		return;
	}
	buf_adds(b, "<h2>Comparisons</h2>\n<table class=\"comparisons\">\n<thead><tr><th>metric</th><th>a</th>"
		    "<th>b</th><th class=\"num\">a − b</th><th class=\"num\">interval</th><th class=\"num\">p</th>"
		    "<th class=\"num\">p (Holm)</th></tr></thead>\n<tbody>\n");
	int n = jv_array_length(jv_copy(rows));
	for (int i = 0; i < n; i++) {
		jv row = jv_array_get(jv_copy(rows), i);
		jv metric = jvu_get_borrow(row, "metric"), a = jvu_get_borrow(row, "a"), bb = jvu_get_borrow(row, "b");
		if (jv_get_kind(metric) == JV_KIND_STRING && jv_get_kind(a) == JV_KIND_STRING &&
		    jv_get_kind(bb) == JV_KIND_STRING) {
			double holm = num_at(row, "p_holm");
			buf_adds(b, holm < 0.05 ? "<tr class=\"significant\"><td><code>" : "<tr><td><code>");
			esc(b, jv_string_value(metric));
			buf_adds(b, "</code></td><td class=\"name\">");
			esc(b, jv_string_value(a));
			buf_adds(b, "</td><td class=\"name\">");
			esc(b, jv_string_value(bb));
			buf_adds(b, "</td><td class=\"num\">");
			add_value(b, num_at(row, "diff"));
			buf_adds(b, "</td><td class=\"num\">");
			add_interval(b, row, "ci");
			buf_adds(b, "</td><td class=\"num\">");
			add_value(b, num_at(row, "p"));
			buf_adds(b, "</td><td class=\"num\">");
			add_value(b, holm);
			buf_adds(b, "</td></tr>\n");
		}
		jv_free(metric);
		jv_free(a);
		jv_free(bb);
		jv_free(row);
	}
	buf_adds(b, "</tbody>\n</table>\n<p class=\"caption\">a − b with a bootstrap interval of the difference and "
		    "a two-sided permutation p-value; p (Holm) is adjusted over every row. Rows in bold: p (Holm) "
		    "&lt; 0.05.</p>\n");
	jv_free(rows);
}

static void header_stop_reasons(struct buf *b, jv summary)
{
	jv reasons = jvu_get_borrow(summary, "stop_reasons");
	buf_adds(b, "<p>Stop reasons: ");
	if (jv_get_kind(reasons) != JV_KIND_OBJECT || jv_object_length(jv_copy(reasons)) == 0) {
		buf_adds(b, "none recorded.</p>\n");
		jv_free(reasons);
		return;
	}
	jv keys = jv_keys(jv_copy(reasons));
	int n = jv_array_length(jv_copy(keys));
	for (int i = 0; i < n; i++) {
		jv key = jv_array_get(jv_copy(keys), i);
		buf_adds(b, i ? ", " : "");
		buf_adds(b, "<b>");
		esc(b, jv_string_value(key));
		buf_adds(b, "</b> ");
		jv count = jv_object_get(jv_copy(reasons), key);
		add_value(b, num_of(count));
		jv_free(count);
	}
	buf_adds(b, ".</p>\n");
	jv_free(keys);
	jv_free(reasons);
}

static void header_groups(struct buf *b, const struct groups *g)
{
	if (!g->grouped)
		return;
	buf_adds(b, "<h2>Groups</h2>\n");
	buf_adds(b, "<p class=\"caption\">Columns: <code>conversations</code>, <code>turns_mean</code>, "
		    "<code>echo_rate</code>, <code>role_confusion_rate</code>, <code>distinct_2</code>, "
		    "<code>drift_probe_auc</code>, <code>adherence_acc1</code>");
	if (g->total > g->n)
		buf_addf(b, "; the %zu largest of %zu groups", g->n, g->total);
	buf_adds(b, ".</p>\n");
	buf_adds(b, "<table class=\"groups\">\n<thead><tr><th>group</th>");
	for (size_t k = 0; k < sizeof group_columns / sizeof *group_columns; k++)
		buf_addf(b, "<th class=\"num\" title=\"%s\">%s</th>", group_columns[k].key, group_columns[k].gloss);
	buf_adds(b, "</tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < g->n; i++) {
		buf_adds(b, "<tr><td class=\"name\">");
		esc(b, g->name[i]);
		buf_adds(b, "</td>");
		for (size_t k = 0; k < sizeof group_columns / sizeof *group_columns; k++) {
			buf_adds(b, "<td class=\"num\">");
			add_value(b, num_at(g->obj[i], group_columns[k].key));
			buf_adds(b, "</td>");
		}
		buf_adds(b, "</tr>\n");
	}
	buf_adds(b, "</tbody>\n</table>\n");
}

/* ---------- (1) drift curve ---------- */

static void chart_drift(struct buf *b, jv summary, const struct groups *g)
{
	/* Series 0 is the whole corpus; then one line per group (at most MAX_LINES). */
	size_t nseries = 1 + (g->grouped ? (g->n < MAX_LINES ? g->n : MAX_LINES) : 0);
	/* The x axis: every "after" turn of any series, in order; a series without a point
	 * at some turn has a gap there. */
	double val[1 + MAX_LINES][MAX_CURVE];
	long after[MAX_CURVE];
	int len[1 + MAX_LINES], points = 0, any = 0;
	double lo = 0, hi = 0;
	for (size_t s = 0; s < nseries; s++) {
		int n;
		jv curve = array_at(s ? g->obj[s - 1] : summary, "drift_curve", MAX_CURVE, &n);
		for (int i = 0; i < n; i++) {
			jv point = jv_array_get(jv_copy(curve), i);
			double a = num_at(point, "after");
			jv_free(point);
			if (isnan(a))
				continue;
			int k = 0;
			while (k < points && after[k] < (long)a)
				k++;
			if (points < MAX_CURVE && (k == points || after[k] != (long)a)) {
				memmove(&after[k + 1], &after[k], (size_t)(points - k) * sizeof *after);
				after[k] = (long)a;
				points++;
			}
		}
		jv_free(curve);
	}
	for (size_t s = 0; s < nseries; s++) {
		int n;
		len[s] = points;
		for (int k = 0; k < points; k++)
			val[s][k] = NAN;
		jv curve = array_at(s ? g->obj[s - 1] : summary, "drift_curve", MAX_CURVE, &n);
		for (int i = 0; i < n; i++) {
			jv point = jv_array_get(jv_copy(curve), i);
			double a = num_at(point, "after"), v = num_at(point, "drift");
			jv_free(point);
			for (int k = 0; k < points && !isnan(a) && !isnan(v); k++)
				if (after[k] == (long)a) {
					val[s][k] = v;
					lo = fmin(lo, v);
					hi = fmax(hi, v);
					any = 1;
				}
		}
		jv_free(curve);
	}
	chart_begin(b, "Persona drift", "Probe drift by probe point");
	struct plot p;
	plot_area(&p, b, nseries > 1 && any ? 170 : 16, 50);
	if (!any || scale_fit(&p.ys, lo, hi, 5, 0) < 0) {
		plot_note(&p, "no probes (dialog-run --probes asks them)");
		chart_end(b, NULL);
		return;
	}
	plot_y_axis(&p, "mean drift (1 − cosine)");
	int every = 1;
	while (points / every > 16)
		every++;
	for (int i = 0; i < points; i += every)
		buf_addf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%ld</text>\n",
			 p.x + p.w * (i + 0.5) / points, p.y + p.h + 16, after[i]);
	plot_x_title(&p, "after turn");
	/* The groups first, the whole corpus last, on top. */
	for (size_t k = 0; k < nseries; k++) {
		size_t s = (k + 1) % nseries;
		const char *colour = s ? palette[(s - 1) % 12] : "#222";
		buf_addf(b, "<path class=\"line\" stroke=\"%s\" stroke-width=\"%s\" d=\"", colour, s ? "1.8" : "2.8");
		int pen_down = 0;
		for (int i = 0; i < len[s]; i++) {
			if (isnan(val[s][i])) {
				pen_down = 0;
				continue;
			}
			buf_addf(b, "%c%.1f %.1f ", pen_down ? 'L' : 'M', p.x + p.w * (i + 0.5) / points,
				 plot_y(&p, val[s][i]));
			pen_down = 1;
		}
		buf_adds(b, "\"/>\n");
		for (int i = 0; i < len[s]; i++) {
			if (isnan(val[s][i]))
				continue;
			buf_addf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"><title>",
				 p.x + p.w * (i + 0.5) / points, plot_y(&p, val[s][i]), s ? "2.8" : "3.5", colour);
			esc(b, s ? g->name[s - 1] : "all");
			buf_addf(b, ", after turn %ld: ", after[i]);
			add_value(b, val[s][i]);
			buf_adds(b, "</title></circle>\n");
		}
	}
	if (nseries > 1) {
		double x = CHART_W - 160, y = PLOT_TOP + 10;
		legend_item(b, x, y, "#222", "all", 18);
		for (size_t s = 1; s < nseries; s++)
			legend_item(b, x, y + 17 * (double)s, palette[(s - 1) % 12], g->name[s - 1], 18);
		if (g->total > nseries - 1)
			buf_addf(b, "<text class=\"legend\" x=\"%.1f\" y=\"%.1f\">+%zu groups not drawn</text>\n", x,
				 y + 17 * (double)nseries, g->total - (nseries - 1));
	}
	chart_end(b, "Each probe is asked with the conversation so far and once with none (the baseline); "
		     "drift is 1 − cosine between the two answers, averaged over probes and conversations.");
}

/* ---------- (2) and (4) grouped bars ---------- */

static void chart_bars(struct buf *b, const char *heading, const char *title, const char *ylabel, const char *caption,
		       const struct groups *g, const char *const keys[], const char *const labels[], int nkeys)
{
	double val[MAX_GROUPS][4], ci[MAX_GROUPS][4][2];
	int has_ci[MAX_GROUPS][4];
	double lo = 0, hi = 0;
	size_t longest = 0;
	for (size_t i = 0; i < g->n; i++) {
		jv cis = jvu_get_borrow(g->obj[i], "ci");
		for (int k = 0; k < nkeys; k++) {
			val[i][k] = num_at(g->obj[i], keys[k]);
			has_ci[i][k] = !isnan(val[i][k]) && interval_at(cis, keys[k], ci[i][k]);
			if (!isnan(val[i][k])) {
				lo = fmin(lo, val[i][k]);
				hi = fmax(hi, val[i][k]);
			}
			if (has_ci[i][k]) {
				lo = fmin(lo, ci[i][k][0]);
				hi = fmax(hi, ci[i][k][1]);
			}
		}
		jv_free(cis);
		size_t n = utf8_chars(g->name[i]);
		longest = n > longest ? n : longest;
	}
	chart_begin(b, heading, title);
	double slot = (double)(CHART_W - PLOT_LEFT - 16) / (double)g->n;
	int rotate = (double)longest * CHAR_W > slot - 4;
	struct plot p;
	plot_area(&p, b, 16, rotate ? 100 : 50);
	double legend_x = CHART_W - 16;
	for (int k = 0; k < nkeys; k++)
		legend_x -= 17 + CHAR_W * (double)strlen(labels[k]) + 14;
	for (int k = 0; k < nkeys; k++)
		legend_x += legend_item(b, legend_x, 24, palette[k], labels[k], 30);
	if (scale_fit(&p.ys, lo, hi, 5, 0) < 0) {
		plot_note(&p, "values out of range");
		chart_end(b, caption);
		return;
	}
	plot_y_axis(&p, ylabel);
	double group_w = slot * 0.78, bar_w = group_w / nkeys, base = plot_y(&p, 0);
	for (size_t i = 0; i < g->n; i++) {
		double left = p.x + slot * (double)i + (slot - group_w) / 2;
		for (int k = 0; k < nkeys; k++) {
			double x = left + bar_w * k;
			if (isnan(val[i][k])) {
				buf_addf(b,
					 "<text class=\"null\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">–</text>\n",
					 x + bar_w / 2, base - 4);
				continue;
			}
			double y = plot_y(&p, val[i][k]);
			buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
				 x + 0.5, fmin(y, base), fmax(bar_w - 1, 1), fabs(base - y), palette[k]);
			esc(b, g->name[i]);
			buf_addf(b, ", %s: ", labels[k]);
			add_value(b, val[i][k]);
			buf_adds(b, "</title></rect>\n");
			if (has_ci[i][k]) {
				/* The interval as a whisker with caps (score --ci). */
				double cx = x + bar_w / 2, y0 = plot_y(&p, ci[i][k][0]), y1 = plot_y(&p, ci[i][k][1]);
				double cap = fmin(bar_w / 4, 5);
				buf_addf(b,
					 "<path class=\"whisker\" d=\"M%.1f %.1fL%.1f %.1fM%.1f %.1fL%.1f %.1fM%.1f "
					 "%.1fL%.1f %.1f\"/>\n",
					 cx, y0, cx, y1, cx - cap, y0, cx + cap, y0, cx - cap, y1, cx + cap, y1);
			} else if (bar_w >= 26) {
				bar_value(&p, x + bar_w / 2, y, base, val[i][k], 0);
			}
		}
		double cx = p.x + slot * ((double)i + 0.5), ty = p.y + p.h + 16;
		if (rotate)
			buf_addf(b,
				 "<text class=\"tick\" text-anchor=\"end\" transform=\"translate(%.1f %.1f) "
				 "rotate(-35)\"><title>",
				 cx + 3, ty - 4);
		else
			buf_addf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\"><title>", cx,
				 ty);
		esc(b, g->name[i]);
		buf_adds(b, "</title>");
		esc_short(b, g->name[i], rotate ? 12 : (size_t)((slot - 4) / CHAR_W));
		buf_adds(b, "</text>\n");
	}
	if (lo < 0)
		buf_addf(b, "<line class=\"zero\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>\n", p.x, p.x + p.w,
			 base, base);
	if (g->grouped)
		plot_x_title(&p, g->total > g->n ? "group (the largest)" : "group");
	chart_end(b, caption);
}

/* ---------- (3) stop-turn histogram ---------- */

static void chart_stop_turns(struct buf *b, jv summary)
{
	int len;
	jv hist = array_at(summary, "stop_turns", MAX_BINS, &len);
	int all_bins = jv_array_length(jv_copy(hist));
	double count[MAX_BINS];
	int last = -1;
	double hi = 0;
	for (int i = 0; i < len; i++) {
		count[i] = array_num(hist, i);
		if (!isnan(count[i]) && count[i] > 0) {
			last = i;
			hi = fmax(hi, count[i]);
		}
	}
	jv_free(hist);
	chart_begin(b, "Conversation length", "Turns at the stop");
	struct plot p;
	plot_area(&p, b, 16, 50);
	if (last < 0 || scale_fit(&p.ys, 0, hi, 5, 1) < 0) {
		plot_note(&p, "no conversations");
		chart_end(b, NULL);
		return;
	}
	int bins = last + 1 > 11 ? last + 1 : (len < 11 ? len : 11);
	int overflow = bins == all_bins && bins > 1; /* the last bin counts that many turns or more */
	plot_y_axis(&p, "conversations");
	double slot = p.w / bins;
	for (int i = 0; i < bins; i++) {
		if (isnan(count[i]) || count[i] <= 0)
			continue;
		double y = plot_y(&p, count[i]);
		buf_addf(b,
			 "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%d%s turns: ",
			 p.x + slot * i + 0.5, y, fmax(slot - 1, 1), p.y + p.h - y, palette[0], i,
			 overflow && i == bins - 1 ? " or more" : "");
		add_value(b, count[i]);
		buf_adds(b, "</title></rect>\n");
		if (slot >= 20)
			bar_value(&p, p.x + slot * (i + 0.5), y, p.y + p.h, count[i], 1);
	}
	static const int steps[] = { 1, 2, 5, 10, 20, 50, 100 };
	int every = 100;
	for (size_t k = 0; k < sizeof steps / sizeof *steps; k++) {
		if (slot * steps[k] >= 26) {
			every = steps[k];
			break;
		}
	}
	for (int i = 0; i < bins; i++) {
		int is_last = overflow && i == bins - 1;
		if (!is_last && (i % every != 0 || (overflow && bins - 1 - i < every)))
			continue;
		buf_addf(b, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d%s</text>\n",
			 p.x + slot * (i + 0.5), p.y + p.h + 16, i, is_last ? "+" : "");
	}
	plot_x_title(&p, "turns when the conversation stopped");
	chart_end(b,
		  "How many turns each conversation had when it ended (after dialog-stop or dialog-run's own stop).");
}

/* ---------- (5) projection ---------- */

struct point {
	double x, y;
	jv persona; /* a string; owned */
};

static const char *persona_name(jv persona)
{
	return jv_get_kind(persona) == JV_KIND_STRING ? jv_string_value(persona) : "";
}

static const char *persona_colour(const char *name)
{
	return palette[rng_hash(name, strlen(name), 0) % 12];
}

static void projection_legend(struct buf *b, const struct point *pt, int n)
{
	/* Distinct personas with their point counts, the most frequent first. */
	int *first = xcalloc((size_t)n, sizeof *first), *count = xcalloc((size_t)n, sizeof *count);
	int distinct = 0;
	for (int i = 0; i < n; i++) {
		int d = 0;
		while (d < distinct && strcmp(persona_name(pt[first[d]].persona), persona_name(pt[i].persona)) != 0)
			d++;
		if (d == distinct)
			first[distinct++] = i;
		count[d]++;
	}
	double x = CHART_W - 170, y = PLOT_TOP + 10;
	int shown = distinct < LEGEND_PERSONAS ? distinct : LEGEND_PERSONAS;
	for (int k = 0; k < shown; k++) {
		int best = -1;
		for (int d = 0; d < distinct; d++)
			if (count[d] > 0 && (best < 0 || count[d] > count[best]))
				best = d;
		const char *name = persona_name(pt[first[best]].persona);
		buf_addf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" fill=\"%s\"/>\n", x + 5, y - 4,
			 persona_colour(name));
		buf_addf(b, "<text class=\"legend\" x=\"%.1f\" y=\"%.1f\"><title>", x + 15, y);
		esc(b, *name ? name : "(no persona id)");
		buf_adds(b, "</title>");
		esc_short(b, *name ? name : "(no persona id)", 17);
		buf_addf(b, " (%d)</text>\n", count[best]);
		count[best] = -count[best]; /* taken */
		y += 17;
	}
	if (distinct > shown) {
		buf_addf(b, "<text class=\"legend\" x=\"%.1f\" y=\"%.1f\">+%d more personas</text>\n", x, y + 4,
			 distinct - shown);
		buf_addf(b, "<text class=\"legend dim\" x=\"%.1f\" y=\"%.1f\">(12 colours, repeated)</text>\n", x,
			 y + 21);
	}
	free(first);
	free(count);
}

static void chart_projection(struct buf *b, jv summary)
{
	int len;
	jv projection = array_at(summary, "projection", 1 << 20, &len);
	struct point *pt = xcalloc(MAX_POINTS, sizeof *pt);
	int n = 0;
	double x0 = 0, x1 = 0, y0 = 0, y1 = 0;
	for (int i = 0; i < len && n < MAX_POINTS; i++) {
		jv item = jv_array_get(jv_copy(projection), i);
		double x = num_at(item, "x"), y = num_at(item, "y");
		if (!isnan(x) && !isnan(y)) {
			x0 = n ? fmin(x0, x) : x;
			x1 = n ? fmax(x1, x) : x;
			y0 = n ? fmin(y0, y) : y;
			y1 = n ? fmax(y1, y) : y;
			pt[n].x = x;
			pt[n].y = y;
			pt[n].persona = jvu_get_borrow(item, "persona");
			n++;
		}
		jv_free(item);
	}
	jv_free(projection);
	chart_begin(b, "Conversations in 2-D", "Projection of the conversations, coloured by persona");
	struct plot p;
	plot_area(&p, b, n ? 180 : 16, 50);
	/* A margin so that no dot sits on the frame. */
	double mx = (x1 - x0) * 0.03, my = (y1 - y0) * 0.04;
	if (n == 0 || scale_fit(&p.xs, x0 - mx, x1 + mx, 6, 0) < 0 || scale_fit(&p.ys, y0 - my, y1 + my, 5, 0) < 0) {
		plot_note(&p, "no points (the projection needs several conversations)");
		chart_end(b, NULL);
	} else {
		plot_y_axis(&p, "second component");
		plot_x_axis(&p);
		plot_x_title(&p, "first principal component");
		for (int i = 0; i < n; i++) {
			const char *name = persona_name(pt[i].persona);
			buf_addf(b, "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.6\" fill=\"%s\"><title>",
				 plot_x(&p, pt[i].x), plot_y(&p, pt[i].y), persona_colour(name));
			esc(b, *name ? name : "(no persona id)");
			buf_adds(b, "</title></circle>\n");
		}
		projection_legend(b, pt, n);
		chart_end(b, "Principal components of the client texts' embeddings (up to 500 sampled conversations); "
			     "conversations of one persona should lie close together.");
	}
	for (int i = 0; i < n; i++)
		jv_free(pt[i].persona);
	free(pt);
}

/* ---------- the page ---------- */

static const char style[] =
	"body{font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,\"DejaVu Sans\",Arial,sans-serif;"
	"color:#222;background:#fafafa;max-width:740px;margin:24px auto;padding:0 16px}\n"
	"h1{font-size:26px;margin:0 0 4px}\n"
	"h2{font-size:18px;margin:30px 0 8px}\n"
	"p.lead{font-size:16px;margin:0 0 12px}\n"
	"p.caption{color:#555;font-size:12.5px;margin:6px 0}\n"
	"table{border-collapse:collapse;font-size:13px;margin:8px 0;background:#fff}\n"
	"th,td{padding:3px 10px;border-bottom:1px solid #e4e4e4;text-align:left;vertical-align:top}\n"
	"th{background:#f0f0f0;font-weight:600}\n"
	".num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\n"
	"td.name{max-width:170px;overflow-wrap:anywhere}\n"
	"table.groups th.num{font-size:11px}\n"
	"tr.significant td{font-weight:600}\n"
	"svg .whisker{stroke:#222;stroke-width:1.2}\n"
	"code{font-size:12.5px}\n"
	"svg.chart{display:block;max-width:100%;height:auto;background:#fff;border:1px solid #ddd}\n"
	"svg text{fill:#333;font-size:11px}\n"
	"svg text.title{font-size:14px;font-weight:600}\n"
	"svg text.axis{font-size:12px;fill:#444}\n"
	"svg text.legend{font-size:11.5px}\n"
	"svg text.dim,svg text.null{fill:#888}\n"
	"svg text.value{font-size:10px;fill:#444}\n"
	"svg text.inside{fill:#fff}\n"
	"svg text.note{font-size:13px;fill:#777}\n"
	"svg .grid{stroke:#ebebeb;stroke-width:1}\n"
	"svg .frame{stroke:#999;fill:none}\n"
	"svg .zero{stroke:#666}\n"
	"svg .line{fill:none;stroke-linejoin:round}\n"
	"svg .dot{fill-opacity:.8;stroke:#fff;stroke-width:.6}\n";

static void page(struct buf *b, jv summary)
{
	struct groups g;
	groups_load(summary, &g);
	buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		    "<title>Conversation report</title>\n<style>\n");
	buf_adds(b, style);
	buf_adds(b, "</style>\n</head>\n<body>\n<h1>Conversation report</h1>\n<p class=\"lead\">");
	double conversations = num_at(summary, "conversations");
	add_value(b, conversations);
	buf_adds(b, conversations == 1 ? " conversation" : " conversations");
	if (g.grouped)
		buf_addf(b, " in %zu group%s", g.total, g.total == 1 ? "" : "s");
	buf_adds(b, "; ");
	add_value(b, num_at(summary, "sample"));
	buf_adds(b, " of them sampled for the measures that compare conversations with each other.</p>\n");
	header_keys(b, summary);
	header_stop_reasons(b, summary);
	header_qa(b, summary);
	header_groups(b, &g);
	header_comparisons(b, summary);

	chart_drift(b, summary, &g);
	static const char *const echo_keys[] = { "echo_rate", "role_confusion_rate" };
	static const char *const echo_labels[] = { "echo rate", "role-confusion rate" };
	chart_bars(b, "Echoing and role confusion", "Echo and role-confusion rate by group", "share of client turns",
		   "Echo: a client turn repeating the responder's last turn. Role confusion: a client turn that "
		   "talks like the helper (offers help, advice lists, therapeutic formulas).",
		   &g, echo_keys, echo_labels, 2);
	chart_stop_turns(b, summary);
	static const char *const distinct_keys[] = { "distinct_1", "distinct_2", "distinct_3" };
	static const char *const distinct_labels[] = { "distinct-1", "distinct-2", "distinct-3" };
	chart_bars(b, "Lexical diversity", "Distinct-n by group", "distinct n-grams / n-grams",
		   "Distinct n-grams over all n-grams of the client texts, at a fixed budget of tokens "
		   "(higher: more varied).",
		   &g, distinct_keys, distinct_labels, 3);
	chart_projection(b, summary);
	buf_adds(b, "<p class=\"caption\">Written by score(1); the summary keys are defined in its manual page.</p>\n"
		    "</body>\n</html>\n");
	groups_free(&g);
}

int report_write(jv summary, const char *path)
{
	struct buf b = BUF_INIT;
	page(&b, summary);
	FILE *f = fopen(path, "w");
	if (!f) {
		errorf("cannot open '%s' for writing: %s", path, strerror(errno));
		buf_free(&b);
		return -1;
	}
	int failed = fwrite(b.data, 1, b.len, f) != b.len;
	int saved = errno;
	if (fclose(f) != 0 && !failed) {
		failed = 1;
		saved = errno;
	}
	buf_free(&b);
	if (failed) {
		errorf("cannot write to '%s': %s", path, strerror(saved ? saved : EIO));
		return -1;
	}
	return 0;
}
