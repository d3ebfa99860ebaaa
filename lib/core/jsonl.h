/* jsonl — JSON Lines in and out, with per-line error handling.
 *
 * Reader contract: reads the named files in order, or stdin when none (or "-") is
 * given; gzip input is detected and decompressed transparently. Each non-blank line
 * is one record. A bad line — not JSON, not an object, invalid UTF-8, a NUL byte, or
 * longer than the byte limit — is reported on stderr as "PROGRAM: FILE:LINE: reason",
 * copied verbatim (without the reason) to the rejects writer when there is one, and
 * skipped; the reader then goes on with the next line. CRLF line ends are accepted.
 * The lines come from lines.h, the one input reader (which reports unreadable and
 * damaged inputs; jsonl_errors counts them too).
 *
 * Writer contract: one compact JSON text per line, to stdout or a file, gzip when the
 * name ends in ".gz". A reader that closes the pipe early (head -n 5) asks the program
 * to stop (interrupt_output_closed: quietly, status 0; later writes to that writer are
 * dropped, the other outputs are finished and closed as usual); any other write error
 * ends the program with a message and status 1.
 *
 * Ownership: jsonl_read hands the caller a new jv reference (the caller frees it);
 * jsonl_write consumes its jv argument (jq's rule). Paths are borrowed for the life
 * of the reader/writer. Raw line text returned by jsonl_raw is owned by the reader
 * and valid until the next jsonl_read.
 * Ends the process (status 1, after a message): jsonl_write, jsonl_write_line,
 * jsonl_writer_flush and jsonl_writer_close on a write error other than a closed pipe;
 * jsonl_read, jsonl_lookahead and jsonl_reject the same way when copying a bad line to
 * the rejects writer fails. Nothing else does (except out of memory).
 */
#ifndef PS_JSONL_H
#define PS_JSONL_H

#include <stddef.h>
#include <jv.h>

struct jsonl_writer;
struct jsonl_reader;

/* path NULL or "-" is stdout. On failure prints the reason and returns NULL. */
struct jsonl_writer *jsonl_writer_open(const char *path);
/* Flush after every record (for long-running producers whose output is watched). */
void jsonl_writer_line_flush(struct jsonl_writer *w, int on);
void jsonl_write(struct jsonl_writer *w, jv record);
/* Write text as one line; a missing final newline is added. */
void jsonl_write_line(struct jsonl_writer *w, const char *text, size_t len);
void jsonl_writer_flush(struct jsonl_writer *w);
/* Flushes and closes; NULL is allowed. Returns 0, or -1 after reporting an error. */
int jsonl_writer_close(struct jsonl_writer *w);

/* paths: the operands (may be empty: stdin). rejects may be NULL. */
struct jsonl_reader *jsonl_reader_open(char *const *paths, int npaths, long max_line_bytes,
				       struct jsonl_writer *rejects);
/* 1 and *record set (an object) for the next good record; 0 at the end of all input. */
int jsonl_read(struct jsonl_reader *r, jv *record);
/* The first records of the input, read ahead before any jsonl_read (at most
 * max_records good records or max_bytes of lines), for a tool to check its options
 * against (are the named fields there at all?). jsonl_read then hands out every line
 * again exactly as if read now: bad lines are reported then, with their own FILE:LINE.
 * Returns a new array of the good records (bad lines are silently left out here). */
jv jsonl_lookahead(struct jsonl_reader *r, size_t max_records, size_t max_bytes);
/* "FILE:LINE" of the last line read ("stdin:LINE" for standard input). */
const char *jsonl_where(const struct jsonl_reader *r);
/* The number of the last line read in its file (from 1). */
long jsonl_line(const struct jsonl_reader *r);
const char *jsonl_raw(const struct jsonl_reader *r, size_t *len);
/* Reject the last record read for a reason found by the caller: reported and routed
 * exactly like a bad line. */
void jsonl_reject(struct jsonl_reader *r, const char *reason);
/* Lines rejected so far (by the reader or through jsonl_reject), plus unreadable inputs. */
size_t jsonl_errors(const struct jsonl_reader *r);
size_t jsonl_records(const struct jsonl_reader *r);
void jsonl_reader_close(struct jsonl_reader *r);

#endif
