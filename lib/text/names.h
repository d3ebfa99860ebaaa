/* names — what a persona is called among others: its own name, or a first name from
 * the shipped lists (share/names/names.json), unique within a group.
 *
 * Contract: a persona's own name is fields.name when that is a non-empty string; it is
 * kept as it is (two personas may share one). Any other persona gets a first name from
 * the list of its fields.gender ("woman"/"female"/"f": the "woman" list; "man"/"male"/
 * "m": the "man" list, in any case; anything else or absent: the "neutral" list), at
 * the position rng_hash(id) mod the list's length (a hash of the persona's "id" string,
 * "" when it has none, seeded with a constant: the same persona gets the same name in
 * every program, run and seed). When that name is taken in the group, the next one in
 * the list is taken (wrapping around); when all are taken, "NAME 2", "NAME 3", ...
 * from the hashed position. Names compare byte for byte.
 * names_assign names a whole group: own names first, then the others in array order,
 * so a generated name never repeats an own name whatever the order.
 * The lists file is a JSON object with the arrays "woman", "man" and "neutral", each
 * of at least one non-empty string, none twice in a list.
 * Ownership: jv arguments are borrowed unless said otherwise; names_assign consumes
 * its array and returns a new one. Strings returned by names_pick are malloc'd (the
 * caller frees them). Never ends the process (except out of memory).
 */
#ifndef PS_NAMES_H
#define PS_NAMES_H

#include <stddef.h>
#include <jv.h>

enum names_list { NAMES_WOMAN, NAMES_MAN, NAMES_NEUTRAL, NAMES_LISTS };

struct names;

/* The lists of the file at path, or NULL after reporting what is wrong with it. */
struct names *names_load(const char *path);
/* The shipped lists (share_path("names/names.json")), or NULL after reporting. */
struct names *names_load_shipped(void);
void names_free(struct names *nm);

size_t names_count(const struct names *nm, enum names_list list);
/* The list a persona's fields.gender takes names from. */
enum names_list names_list_of(jv persona);
/* fields.name when it is a non-empty string, else NULL (points into persona). */
const char *names_own(jv persona);
/* The name of persona, avoiding the ntaken names in taken. */
char *names_pick(const struct names *nm, jv persona, const char *const *taken, size_t ntaken);
/* The array of persona objects with a top-level "name" set on each (non-objects are
 * left as they are). */
jv names_assign(const struct names *nm, jv personas);

/* Does text (len bytes) name `name` (name_len bytes): the name, ASCII letters in any
 * case, with no letter, digit or non-ASCII byte just before or after it ("Ana" is in
 * "Ana's" and "ANA,", not in "Banana")? An empty name is never mentioned. */
int names_mentioned(const char *text, size_t len, const char *name, size_t name_len);
/* Are a[0..n) and b[0..n) equal with ASCII letters in any case? */
int names_same(const char *a, const char *b, size_t n);

#endif
