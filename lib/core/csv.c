#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "csv.h"
#include "lines.h"
#include "msg.h"

enum csv_state { CSV_FIELD_START, CSV_UNQUOTED, CSV_QUOTED, CSV_AFTER_QUOTE };

static void csv_row_reset(struct csv_row *row, long line)
{
	row->line = line;
	buf_reset(&row->raw);
	buf_reset(&row->text);
	row->nkept = row->nfields = 0;
	row->overflow = 0;
	row->error = NULL;
}

static void csv_field_begin(struct csv_row *row)
{
	row->nfields++;
	if (row->overflow)
		return;
	if (row->nkept == row->cap) {
		row->cap = row->cap ? row->cap * 2 : 16;
		row->starts = xrealloc(row->starts, row->cap * sizeof *row->starts);
	}
	row->starts[row->nkept++] = row->text.len;
}

static void csv_field_end(struct csv_row *row)
{
	if (!row->overflow)
		buf_addc(&row->text, '\0');
}

static void csv_add(struct csv_row *row, char c)
{
	if (!row->overflow)
		buf_addc(&row->text, c);
}

/* One character of a row through the RFC 4180 state machine; 1 when it ends the row. */
static int csv_feed(struct csv_row *row, enum csv_state *state, char c)
{
	switch (*state) {
	case CSV_FIELD_START:
		if (c == '"') {
			*state = CSV_QUOTED;
			return 0;
		}
		if (c == ',' || c == '\n') {
			csv_field_end(row);
			csv_field_begin(row);
			return c == '\n';
		}
		csv_add(row, c);
		*state = CSV_UNQUOTED;
		return 0;
	case CSV_UNQUOTED:
		if (c == ',' || c == '\n') {
			csv_field_end(row);
			csv_field_begin(row);
			*state = CSV_FIELD_START;
			return c == '\n';
		}
		csv_add(row, c); /* a stray quote in an unquoted field is read as itself */
		return 0;
	case CSV_QUOTED:
		if (c == '"')
			*state = CSV_AFTER_QUOTE;
		else
			csv_add(row, c);
		return 0;
	case CSV_AFTER_QUOTE:
		if (c == '"') {
			csv_add(row, '"');
			*state = CSV_QUOTED;
			return 0;
		}
		if (c == ',' || c == '\n') {
			csv_field_end(row);
			csv_field_begin(row);
			*state = CSV_FIELD_START;
			return c == '\n';
		}
		if (!row->error)
			row->error = "text after a closing quote";
		csv_add(row, c);
		*state = CSV_UNQUOTED;
		return 0;
	}
	return 0;
}

/* The next row of the current input, fields split and unquoted, at most cap bytes
 * kept. 0 at the end of the input. The field opened by the final separator is not a
 * field: after the loop nfields is corrected. */
int csv_read_row(struct lines *t, struct csv_row *row, size_t cap)
{
	csv_row_reset(row, lines_current(t));
	csv_field_begin(row);
	enum csv_state state = CSV_FIELD_START;
	int any = 0, pending_cr = 0, ended = 0;
	while (!ended) {
		int c = lines_getc(t);
		if (c < 0) {
			if (!any)
				return 0;
			if (state == CSV_QUOTED) {
				if (!row->error)
					row->error = "unterminated quoted field at end of input";
				state = CSV_UNQUOTED;
			}
			csv_feed(row, &state, '\n');
			break;
		}
		any = 1;
		if (!row->overflow && row->raw.len >= cap) {
			row->overflow = 1;
			row->nkept = 0;
			buf_reset(&row->raw);
			buf_reset(&row->text);
		}
		if (!row->overflow)
			buf_addc(&row->raw, (char)c);
		if (c == '\r' && state != CSV_QUOTED && !pending_cr) {
			pending_cr = 1;
			continue;
		}
		if (pending_cr) {
			pending_cr = 0;
			if (c != '\n')
				csv_feed(row, &state, '\r');
			if (c == '\r' && state != CSV_QUOTED) {
				pending_cr = 1;
				continue;
			}
		}
		ended = csv_feed(row, &state, (char)c);
	}
	/* The last csv_feed opened a field after the row's end. */
	row->nfields--;
	if (!row->overflow)
		row->nkept--;
	return 1;
}

const char *csv_field(const struct csv_row *row, size_t i)
{
	return i < row->nkept ? row->text.data + row->starts[i] : "";
}

void csv_row_free(struct csv_row *row)
{
	buf_free(&row->raw);
	buf_free(&row->text);
	free(row->starts);
}
