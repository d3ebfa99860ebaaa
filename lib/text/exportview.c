#include <stdlib.h>
#include <string.h>

#include "ecp.h"
#include "exportview.h"
#include "jvutil.h"
#include "msg.h"

size_t export_tokens(size_t text_bytes)
{
	return (text_bytes + 3) / 4;
}

void export_view_init(struct export_view *v, jv turns, const char *self, jv system, enum system_placement placement,
		      const struct chat_dialect *dialect)
{
	memset(v, 0, sizeof *v);
	v->turns = jv_copy(turns);
	v->system = jv_get_kind(system) == JV_KIND_STRING ? jv_copy(system) : jv_invalid();
	v->placement = placement;
	v->dialect = dialect;
	size_t n = jv_get_kind(turns) == JV_KIND_ARRAY ? (size_t)jv_array_length(jv_copy(turns)) : 0;
	v->role = xcalloc(n ? n : 1, sizeof *v->role);
	v->seg = xcalloc(n + 1, sizeof *v->seg);
	for (size_t i = 0; i < n; i++) {
		jv turn = jv_array_get(jv_copy(turns), (int)i);
		jv speaker = jvu_get_borrow(turn, "speaker");
		const char *who = jv_get_kind(speaker) == JV_KIND_STRING ? jv_string_value(speaker) : "";
		v->role[i] = (unsigned char)ecp_role(CONTEXT_ECP, self, who);
		jv_free(speaker);
		jv_free(turn);
		if (i == 0 || v->role[i] != v->role[i - 1])
			v->seg[v->nseg++] = i;
	}
	v->seg[v->nseg] = n;
	v->first_target = n > 0 && v->role[0] == CHAT_ASSISTANT ? 0 : 1;
}

size_t export_view_targets(const struct export_view *v)
{
	return v->nseg > v->first_target ? (v->nseg - v->first_target + 1) / 2 : 0;
}

/* Segments from .. to-1 through a chat_writer, appended to out; the bytes of the texts. */
static size_t render(const struct export_view *v, size_t from, size_t to, struct buf *out)
{
	struct chat_writer w;
	chat_writer_begin_dialect(&w, out, v->system, v->placement, v->dialect);
	for (size_t i = v->seg[from]; i < v->seg[to]; i++) {
		jv turn = jv_array_get(jv_copy(v->turns), (int)i);
		jv text = jvu_get_borrow(turn, "text");
		if (jv_get_kind(text) == JV_KIND_STRING)
			chat_writer_add(&w, (enum chat_role)v->role[i], jv_string_value(text),
					(size_t)jv_string_length_bytes(jv_copy(text)));
		else
			chat_writer_add(&w, (enum chat_role)v->role[i], "", 0);
		jv_free(text);
		jv_free(turn);
	}
	chat_writer_end(&w, NULL);
	return w.text_bytes;
}

/* Where a truncated example may start: candidate 0 is the first segment, candidate
 * c > 0 the c-th user segment after it (so that the example starts with the user;
 * segments alternate, so they are every other one). */
static size_t start_of(const struct export_view *v, size_t c)
{
	return c == 0 ? 0 : (v->first_target == 0 ? 1 : 2) + 2 * (c - 1);
}

static int fits(const struct export_view *v, size_t from, size_t to, long max_tokens, struct buf *scratch)
{
	buf_reset(scratch);
	return export_tokens(render(v, from, to, scratch)) <= (size_t)max_tokens;
}

enum export_fit export_view_example(const struct export_view *v, size_t k, long max_tokens, int truncate,
				    struct buf *out)
{
	size_t end = v->first_target + 2 * k + 1; /* just after target k */
	size_t mark = out->len;
	size_t bytes = render(v, 0, end, out);
	if (max_tokens <= 0 || export_tokens(bytes) <= (size_t)max_tokens)
		return EXPORT_WHOLE;
	out->len = mark;
	out->data[mark] = '\0';
	/* Candidates 1 .. k start with a user segment, candidate k with the exchange that
	 * ends the example (target 0 has none: it is its whole example). Fewer segments
	 * never cost more, so the first candidate that fits is found by bisection. */
	if (!truncate || k == 0)
		return EXPORT_TOO_LONG;
	struct buf scratch = BUF_INIT;
	size_t lo = 1, hi = k;
	int any = fits(v, start_of(v, hi), end, max_tokens, &scratch);
	while (any && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (fits(v, start_of(v, mid), end, max_tokens, &scratch))
			hi = mid;
		else
			lo = mid + 1;
	}
	buf_free(&scratch);
	if (!any)
		return EXPORT_TOO_LONG;
	render(v, start_of(v, hi), end, out);
	return EXPORT_TRUNCATED;
}

void export_view_whole(const struct export_view *v, struct buf *out)
{
	render(v, 0, v->nseg, out);
}

void export_view_free(struct export_view *v)
{
	jv_free(v->turns);
	jv_free(v->system);
	free(v->role);
	free(v->seg);
}
