/* cache — a content-addressed store of model responses on disk (--cache DIR).
 *
 * Contract: an entry is named by a 128-bit key (32 hex digits) computed from
 * everything that determines a response: base URL, the request body (model, messages,
 * sampling parameters, seed) and the sample index. Entries live at DIR/ab/abcdef...;
 * cache_put writes a temp file in the same folder and renames it into place, so
 * concurrent processes sharing DIR never see half an entry. Nothing secret is part of
 * a key or an entry (the API key is never in a request body).
 * Ownership: the cache owns its path; data arguments are borrowed; cache_get appends
 * into the caller's buf.
 * Never ends the process (except out of memory).
 */
#ifndef PS_CACHE_H
#define PS_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct cache;

/* NULL and a message when DIR cannot be created. */
struct cache *cache_open(const char *dir);
void cache_key(const char *base_url, const char *body, size_t len, uint64_t sample, char key[33]);
/* 1 and the entry appended to out on a hit, 0 on a miss. */
int cache_get(struct cache *c, const char *key, struct buf *out);
/* 0, or -1 (a warning is printed once per run; the run goes on uncached). */
int cache_put(struct cache *c, const char *key, const char *data, size_t len);
/* Remove a damaged entry so that the refetched answer replaces it. */
void cache_drop(struct cache *c, const char *key);
void cache_close(struct cache *c);

#endif
