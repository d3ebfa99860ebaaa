/* textarg — texts that options give: TEXT itself, or @FILE for the text of a file
 * (persona-group --topic, dialog-export --system).
 *
 * Contract: a file is read whole, at most 1 MiB, and must be UTF-8 text without NUL
 * bytes; textarg_load trims the whitespace around the text and refuses an empty one.
 * Every refusal is reported as one line "OPTION: reason" (errorf), worded like
 *   --topic: cannot open 'topic.txt': No such file or directory
 *   --topic: 'topic.txt' is larger than 1 MiB
 *   --topic: 'topic.txt' is not UTF-8 text
 *   --topic: the text is empty      --topic: 'topic.txt' is empty
 * Ownership: arguments are borrowed; textarg_load returns a new jv string.
 * Never ends the process (except out of memory): the caller decides (usually exit 2).
 */
#ifndef PS_TEXTARG_H
#define PS_TEXTARG_H

#include <jv.h>

#include "buf.h"

#define TEXTARG_MAX_BYTES (1u << 20)

/* The text of the file at path appended to b: 0, or -1 after reporting. */
int textarg_read_file(const char *option, const char *path, struct buf *b);
/* ASCII whitespace: space, \t, \r, \n, \f, \v. */
int textarg_is_space(char c);
/* TEXT or @FILE, without the whitespace around it: a jv string, or jv_invalid() after
 * reporting (an unreadable file, an empty text). */
jv textarg_load(const char *option, const char *arg);

#endif
