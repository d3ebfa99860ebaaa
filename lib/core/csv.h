/* csv — rows of RFC 4180 CSV, read from the current operand of a line reader.
 *
 * Contract: csv_read_row reads one row: fields separated by commas, a field in double
 * quotes may hold commas, newlines and doubled quotes (""), rows end at LF or CRLF (a CR
 * elsewhere is data). It never fails on bad syntax: the row is read to its end and the
 * first problem is named in row->error ("text after a closing quote", "unterminated
 * quoted field at end of input"); a stray quote inside an unquoted field is read as
 * itself. Memory is bounded: once a row passes cap bytes, row->overflow is set and
 * nothing more of it is kept (its fields read as ""), but it is still read to its end.
 * row->raw holds the row's bytes as read, with its line end, while it fits; row->line
 * is the line where it starts.
 *
 * Ownership: the row's buffers belong to the row and are reused by the next
 * csv_read_row; csv_field returns a string owned by the row, valid until then.
 * Never ends the process (except out of memory).
 */
#ifndef PS_CSV_H
#define PS_CSV_H

#include <stddef.h>

#include "buf.h"
#include "lines.h"

struct csv_row {
	long line; /* where the row starts */
	struct buf raw; /* the row as read, while it fits */
	struct buf text; /* field bytes, each field NUL-terminated, while they fit */
	size_t *starts; /* offsets of the kept fields in text */
	size_t nkept, cap;
	size_t nfields; /* fields seen, kept or not */
	int overflow;
	const char *error; /* the first problem found in its syntax */
};

/* A row starts zeroed ({0}). 1 and the next row of in's current operand; 0 at its end. */
int csv_read_row(struct lines *in, struct csv_row *row, size_t cap);
/* Field i of the row, unquoted; "" when the row has no such field or overflowed. */
const char *csv_field(const struct csv_row *row, size_t i);
void csv_row_free(struct csv_row *row);

#endif
