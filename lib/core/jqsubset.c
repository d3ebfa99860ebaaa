#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jqsubset.h"
#include "msg.h"

/* Each construct below is evaluated as jq 1.6 defines it (src/builtin.c and
 * builtin.jq of that release): where jq raises an error, evaluation answers
 * UNDECIDED and the caller asks jq itself. */

#define MAX_DEPTH 200 /* nesting the parser follows before it gives up */
#define MAX_SLOTS 16 /* `as $x` bindings in one expression */

enum kind {
	K_CONST,
	K_IDENTITY,
	K_INDEX,
	K_ITER,
	K_VAR,
	K_PIPE,
	K_COMMA,
	K_ALT,
	K_OR,
	K_AND,
	K_EQ,
	K_NE,
	K_LT,
	K_LE,
	K_GT,
	K_GE,
	K_ADD,
	K_SUB,
	K_MUL,
	K_IF,
	K_BIND,
	K_ARRAY,
	K_OBJECT,
	K_FORMAT,
	K_NOT,
	K_TYPE,
	K_FLOOR,
	K_TOSTRING,
	K_LENGTH,
	K_UNIQUE,
	K_IN,
	K_ANY,
	K_ALL, /* a (the generator) and b (the condition) */
	K_PATH, /* .a.b with literal keys, read from the input: the shared path `slot` */
};

struct node {
	enum kind kind;
	int slot; /* K_VAR, K_BIND, K_PATH */
	jv value; /* K_CONST; K_OBJECT: the keys, an array of strings; K_FORMAT: literal parts */
	struct node *a, *b, *c;
	struct node **items; /* K_OBJECT values, K_FORMAT parts (NULL for a literal part) */
	size_t n;
};

/* Paths from the input that expressions compiled together share, looked up once per
 * input however many rules read them. A path's prefix is a path too (.fields of
 * .fields.age), registered first, so each path costs one lookup in its parent. */
struct jqsubset_paths {
	jv keys; /* [[key, ...], ...] */
	int *parent; /* per path: the slot of its prefix, -1 for the input itself */
	jv *last; /* per path: its last key */
	jv input; /* the loaded input (borrowed), when loaded */
	jv *values; /* per path: its value in the loaded input, or jv_invalid() for a jq error */
	size_t n;
	int loaded;
	int refs; /* the caller's and one per expression */
};

struct jqsubset {
	struct node *root;
	int nslots;
	struct jqsubset_paths *paths;
};

struct jqsubset_paths *jqsubset_paths_new(void)
{
	struct jqsubset_paths *p = xcalloc(1, sizeof *p);
	p->keys = jv_array();
	p->refs = 1;
	return p;
}

void jqsubset_paths_free(struct jqsubset_paths *p)
{
	if (!p || --p->refs > 0)
		return;
	jqsubset_paths_clear(p);
	jv_free(p->keys);
	for (size_t i = 0; i < p->n; i++)
		jv_free(p->last[i]);
	free(p->last);
	free(p->parent);
	free(p->values);
	free(p);
}

/* The slot of a path (keys consumed, at least one), added when new. */
static int path_slot(struct jqsubset_paths *p, jv keys)
{
	for (size_t i = 0; i < p->n; i++) {
		if (jv_equal(jv_array_get(jv_copy(p->keys), (int)i), jv_copy(keys))) {
			jv_free(keys);
			return (int)i;
		}
	}
	int len = jv_array_length(jv_copy(keys));
	int parent = len > 1 ? path_slot(p, jv_array_slice(jv_copy(keys), 0, len - 1)) : -1;
	p->parent = xrealloc(p->parent, (p->n + 1) * sizeof *p->parent);
	p->last = xrealloc(p->last, (p->n + 1) * sizeof *p->last);
	p->values = xrealloc(p->values, (p->n + 1) * sizeof *p->values);
	p->parent[p->n] = parent;
	p->last[p->n] = jv_array_get(jv_copy(keys), len - 1);
	p->values[p->n] = jv_invalid();
	p->keys = jv_array_append(p->keys, keys);
	return (int)p->n++;
}

static struct node *node_new(enum kind kind)
{
	struct node *n = xcalloc(1, sizeof *n);
	n->kind = kind;
	n->value = jv_invalid();
	return n;
}

static void node_free(struct node *n)
{
	if (!n)
		return;
	jv_free(n->value);
	node_free(n->a);
	node_free(n->b);
	node_free(n->c);
	for (size_t i = 0; i < n->n; i++)
		node_free(n->items[i]);
	free(n->items);
	free(n);
}

static struct node *node_const(jv value)
{
	struct node *n = node_new(K_CONST);
	n->value = value;
	return n;
}

static struct node *node2(enum kind kind, struct node *a, struct node *b)
{
	struct node *n = node_new(kind);
	n->a = a;
	n->b = b;
	return n;
}

/* ---- lexing: tokens on demand, so that string interpolation can re-enter the parser */

enum token { T_END, T_BAD, T_FIELD, T_DOT, T_IDENT, T_VAR, T_NUMBER, T_QUOTE, T_PUNCT };

struct parser {
	const char *s;
	size_t pos;
	enum token tok; /* the token at pos, valid when have */
	size_t tok_start, tok_end;
	int have;
	char punct[4];
	int depth, failed;
	char *vars[MAX_SLOTS]; /* names in scope, innermost last */
	int var_slots[MAX_SLOTS];
	int nvars, nslots;
};

static char *copy_span(const char *s, size_t len)
{
	char *out = xmalloc(len + 1);
	memcpy(out, s, len);
	out[len] = '\0';
	return out;
}

static int ident_char(char c, int first)
{
	return c == '_' || isalpha((unsigned char)c) || (!first && isdigit((unsigned char)c));
}

static void skip_space(struct parser *p)
{
	for (;;) {
		while (p->s[p->pos] && isspace((unsigned char)p->s[p->pos]))
			p->pos++;
		if (p->s[p->pos] != '#')
			return;
		while (p->s[p->pos] && p->s[p->pos] != '\n')
			p->pos++;
	}
}

static enum token lex(struct parser *p)
{
	if (p->have)
		return p->tok;
	skip_space(p);
	const char *s = p->s;
	size_t i = p->pos;
	p->tok_start = i;
	p->have = 1;
	p->punct[0] = '\0';
	if (!s[i]) {
		p->tok_end = i;
		return p->tok = T_END;
	}
	if (s[i] == '.' && ident_char(s[i + 1], 1)) {
		size_t j = i + 2;
		while (ident_char(s[j], 0))
			j++;
		p->tok_end = j;
		return p->tok = T_FIELD;
	}
	if (isdigit((unsigned char)s[i]) || (s[i] == '.' && isdigit((unsigned char)s[i + 1]))) {
		size_t j = i;
		while (isdigit((unsigned char)s[j]))
			j++;
		if (s[j] == '.')
			for (j++; isdigit((unsigned char)s[j]); j++)
				;
		if ((s[j] == 'e' || s[j] == 'E') &&
		    (isdigit((unsigned char)s[j + 1]) ||
		     ((s[j + 1] == '+' || s[j + 1] == '-') && isdigit((unsigned char)s[j + 2])))) {
			for (j += 2; isdigit((unsigned char)s[j]); j++)
				;
		}
		p->tok_end = j;
		return p->tok = T_NUMBER;
	}
	if (ident_char(s[i], 1)) {
		size_t j = i + 1;
		while (ident_char(s[j], 0))
			j++;
		p->tok_end = j;
		if (s[j] == ':' && s[j + 1] == ':')
			return p->tok = T_BAD; /* module paths */
		return p->tok = T_IDENT;
	}
	if (s[i] == '$') {
		size_t j = i + 1;
		while (s[j] && isspace((unsigned char)s[j]))
			j++;
		if (!ident_char(s[j], 1)) {
			p->tok_end = j;
			return p->tok = T_BAD;
		}
		p->tok_start = j;
		while (ident_char(s[j], 0))
			j++;
		p->tok_end = j;
		return p->tok = T_VAR;
	}
	if (s[i] == '"') {
		p->tok_end = i + 1;
		return p->tok = T_QUOTE;
	}
	/* Longest operators first; any assignment form is outside the subset. */
	static const char *const ops[] = { "?//", "//=", "|=", "+=", "-=", "*=", "/=", "%=", "==", "!=", "<=", ">=",
					   "//",  "..",  "=",  "|",  ",",  "(",  ")",  "[",  "]",  "{",  "}",  ":",
					   ";",   "<",   ">",  "+",  "-",  "*",  "/",  "%",  ".",  "?",  "@" };
	for (size_t k = 0; k < sizeof ops / sizeof *ops; k++) {
		size_t len = strlen(ops[k]);
		if (strncmp(s + i, ops[k], len) == 0) {
			p->tok_end = i + len;
			memcpy(p->punct, ops[k], len + 1);
			if (strcmp(ops[k], ".") == 0)
				return p->tok = T_DOT;
			return p->tok = T_PUNCT;
		}
	}
	p->tok_end = i + 1;
	return p->tok = T_BAD;
}

static void advance(struct parser *p)
{
	lex(p);
	p->pos = p->tok_end;
	p->have = 0;
}

static int is_punct(struct parser *p, const char *op)
{
	return lex(p) == T_PUNCT && strcmp(p->punct, op) == 0;
}

static int is_word(struct parser *p, const char *word)
{
	size_t len = strlen(word);
	return lex(p) == T_IDENT && p->tok_end - p->tok_start == len && strncmp(p->s + p->tok_start, word, len) == 0;
}

static int accept_punct(struct parser *p, const char *op)
{
	if (!is_punct(p, op))
		return 0;
	advance(p);
	return 1;
}

static int accept_word(struct parser *p, const char *word)
{
	if (!is_word(p, word))
		return 0;
	advance(p);
	return 1;
}

static struct node *refuse(struct parser *p)
{
	p->failed = 1;
	return NULL;
}

/* ---- parsing: jq's grammar and precedence, for the constructs of the subset */

static struct node *parse_pipe(struct parser *p);
static struct node *parse_postfix(struct parser *p);

/* The text between quotes: literal parts decoded as JSON strings, \(...) parsed. */
static struct node *parse_string(struct parser *p)
{
	struct node *f = node_new(K_FORMAT);
	f->value = jv_array();
	struct buf raw = BUF_INIT;
	for (;;) {
		char c = p->s[p->pos];
		if (!c) {
			buf_free(&raw);
			node_free(f);
			return refuse(p);
		}
		if (c == '"' || (c == '\\' && p->s[p->pos + 1] == '(')) {
			struct buf json = BUF_INIT;
			buf_addc(&json, '"');
			buf_add(&json, raw.data ? raw.data : "", raw.len);
			buf_addc(&json, '"');
			jv text = jv_parse_sized(json.data, (int)json.len);
			buf_free(&json);
			buf_reset(&raw);
			if (jv_get_kind(text) != JV_KIND_STRING) {
				jv_free(text);
				buf_free(&raw);
				node_free(f);
				return refuse(p);
			}
			f->value = jv_array_append(f->value, text);
			f->items = xrealloc(f->items, (f->n + 1) * sizeof *f->items);
			f->items[f->n++] = NULL;
			if (c == '"') {
				p->pos++;
				break;
			}
			p->pos += 2;
			struct node *e = parse_pipe(p);
			if (!e || !accept_punct(p, ")")) {
				node_free(e);
				buf_free(&raw);
				node_free(f);
				return refuse(p);
			}
			/* The lexer looked no further than the ")": continue with characters. */
			f->value = jv_array_append(f->value, jv_null());
			f->items = xrealloc(f->items, (f->n + 1) * sizeof *f->items);
			f->items[f->n++] = e;
			continue;
		}
		if (c == '\\') {
			if (!p->s[p->pos + 1]) {
				buf_free(&raw);
				node_free(f);
				return refuse(p);
			}
			buf_add(&raw, p->s + p->pos, 2);
			p->pos += 2;
			continue;
		}
		buf_addc(&raw, c);
		p->pos++;
	}
	buf_free(&raw);
	if (f->n == 1) { /* no interpolation: a constant */
		jv text = jv_array_get(jv_copy(f->value), 0);
		node_free(f);
		return node_const(text);
	}
	return f;
}

static int find_var(struct parser *p, size_t start, size_t end)
{
	for (int i = p->nvars - 1; i >= 0; i--)
		if (strlen(p->vars[i]) == end - start && strncmp(p->vars[i], p->s + start, end - start) == 0)
			return p->var_slots[i];
	return -1;
}

static struct node *parse_call(struct parser *p)
{
	static const struct {
		const char *name;
		enum kind kind;
		int args;
	} builtins[] = {
		{ "not", K_NOT, 0 },       { "type", K_TYPE, 0 },
		{ "floor", K_FLOOR, 0 },   { "tostring", K_TOSTRING, 0 },
		{ "length", K_LENGTH, 0 }, { "unique", K_UNIQUE, 0 },
		{ "IN", K_IN, 1 },         { "any", K_ANY, 0 },
		{ "any", K_ANY, 1 },       { "any", K_ANY, 2 },
		{ "all", K_ALL, 0 },       { "all", K_ALL, 1 },
		{ "all", K_ALL, 2 },
	};
	if (is_word(p, "null") || is_word(p, "true") || is_word(p, "false")) {
		jv v = is_word(p, "null") ? jv_null() : is_word(p, "true") ? jv_true() : jv_false();
		advance(p);
		return node_const(v);
	}
	size_t start = p->tok_start, end = p->tok_end;
	advance(p);
	struct node *args[2] = { NULL, NULL };
	int nargs = 0;
	if (accept_punct(p, "(")) {
		for (;;) {
			if (nargs == 2)
				return refuse(p);
			args[nargs++] = parse_pipe(p);
			if (!args[nargs - 1])
				break;
			if (accept_punct(p, ";"))
				continue;
			if (!accept_punct(p, ")"))
				p->failed = 1;
			break;
		}
	}
	if (p->failed) {
		node_free(args[0]);
		node_free(args[1]);
		return NULL;
	}
	for (size_t i = 0; i < sizeof builtins / sizeof *builtins; i++) {
		if (builtins[i].args != nargs || strlen(builtins[i].name) != end - start ||
		    strncmp(builtins[i].name, p->s + start, end - start) != 0)
			continue;
		struct node *n = node_new(builtins[i].kind);
		if ((n->kind == K_ANY || n->kind == K_ALL) && nargs < 2) {
			/* any(f) is any(.[]; f); any is any(.[]; .) */
			n->a = node2(K_ITER, node_new(K_IDENTITY), NULL);
			n->b = nargs ? args[0] : node_new(K_IDENTITY);
		} else {
			n->a = args[0];
			n->b = args[1];
		}
		return n;
	}
	node_free(args[0]);
	node_free(args[1]);
	return refuse(p);
}

/* {key: Term, "key": Term, ...} with literal keys. */
static struct node *parse_object(struct parser *p)
{
	struct node *o = node_new(K_OBJECT);
	o->value = jv_array();
	if (accept_punct(p, "}"))
		return o;
	for (;;) {
		jv key = jv_invalid();
		if (lex(p) == T_IDENT) {
			key = jv_string_sized(p->s + p->tok_start, (int)(p->tok_end - p->tok_start));
			advance(p);
		} else if (lex(p) == T_QUOTE) {
			advance(p);
			struct node *k = parse_string(p);
			if (k && k->kind == K_CONST)
				key = jv_copy(k->value);
			node_free(k);
		}
		struct node *value = NULL;
		if (jv_is_valid(key) && accept_punct(p, ":"))
			value = parse_postfix(p);
		if (!value || is_punct(p, "|")) {
			jv_free(key);
			node_free(value);
			node_free(o);
			return refuse(p);
		}
		o->value = jv_array_append(o->value, key);
		o->items = xrealloc(o->items, (o->n + 1) * sizeof *o->items);
		o->items[o->n++] = value;
		if (accept_punct(p, "}"))
			break;
		if (!accept_punct(p, ",")) {
			node_free(o);
			return refuse(p);
		}
	}
	/* A literal of constants is built once, as jq's own compiler does. */
	int constant = 1;
	for (size_t i = 0; i < o->n; i++)
		constant &= o->items[i]->kind == K_CONST;
	if (!constant)
		return o;
	jv obj = jv_object();
	for (size_t i = 0; i < o->n; i++)
		obj = jv_object_set(obj, jv_array_get(jv_copy(o->value), (int)i), jv_copy(o->items[i]->value));
	node_free(o);
	return node_const(obj);
}

static struct node *parse_if(struct parser *p)
{
	struct node *n = node_new(K_IF);
	n->a = parse_pipe(p);
	if (!n->a || !accept_word(p, "then") || !(n->b = parse_pipe(p))) {
		node_free(n);
		return refuse(p);
	}
	if (accept_word(p, "elif")) {
		n->c = parse_if(p);
		if (!n->c) {
			node_free(n);
			return NULL;
		}
		return n;
	}
	if (!accept_word(p, "else") || !(n->c = parse_pipe(p)) || !accept_word(p, "end")) {
		node_free(n);
		return refuse(p);
	}
	return n;
}

static struct node *parse_primary(struct parser *p)
{
	switch (lex(p)) {
	case T_FIELD: {
		jv name = jv_string_sized(p->s + p->tok_start + 1, (int)(p->tok_end - p->tok_start - 1));
		advance(p);
		return node2(K_INDEX, node_new(K_IDENTITY), node_const(name));
	}
	case T_DOT:
		advance(p);
		if (lex(p) == T_QUOTE) {
			advance(p);
			struct node *key = parse_string(p);
			if (!key)
				return NULL;
			return node2(K_INDEX, node_new(K_IDENTITY), key);
		}
		return node_new(K_IDENTITY);
	case T_NUMBER: {
		char *text = copy_span(p->s + p->tok_start, p->tok_end - p->tok_start);
		double d = strtod(text, NULL);
		free(text);
		advance(p);
		return node_const(jv_number(d));
	}
	case T_QUOTE:
		advance(p);
		return parse_string(p);
	case T_VAR: {
		int slot = find_var(p, p->tok_start, p->tok_end);
		if (slot < 0)
			return refuse(p); /* $__loc__, $ENV, or a variable from outside */
		advance(p);
		struct node *n = node_new(K_VAR);
		n->slot = slot;
		return n;
	}
	case T_IDENT:
		if (accept_word(p, "if"))
			return parse_if(p);
		return parse_call(p);
	case T_PUNCT:
		if (accept_punct(p, "(")) {
			struct node *n = parse_pipe(p);
			if (n && !accept_punct(p, ")")) {
				node_free(n);
				return refuse(p);
			}
			return n;
		}
		if (accept_punct(p, "[")) {
			struct node *n = node_new(K_ARRAY);
			if (accept_punct(p, "]"))
				return n;
			n->a = parse_pipe(p);
			if (!n->a || !accept_punct(p, "]")) {
				node_free(n);
				return refuse(p);
			}
			return n;
		}
		if (accept_punct(p, "{"))
			return parse_object(p);
		return refuse(p);
	default:
		return refuse(p);
	}
}

/* Term: a primary followed by .name, ."name", [E], []. */
static struct node *parse_postfix(struct parser *p)
{
	if (++p->depth > MAX_DEPTH)
		return refuse(p);
	struct node *t = parse_primary(p);
	while (t) {
		if (lex(p) == T_FIELD) {
			jv name = jv_string_sized(p->s + p->tok_start + 1, (int)(p->tok_end - p->tok_start - 1));
			advance(p);
			t = node2(K_INDEX, t, node_const(name));
		} else if (lex(p) == T_DOT) {
			advance(p);
			struct node *key = NULL;
			if (lex(p) == T_QUOTE) {
				advance(p);
				key = parse_string(p);
			}
			if (!key) {
				node_free(t);
				return refuse(p);
			}
			t = node2(K_INDEX, t, key);
		} else if (accept_punct(p, "[")) {
			if (accept_punct(p, "]")) {
				t = node2(K_ITER, t, NULL);
				continue;
			}
			struct node *index = parse_pipe(p);
			if (!index || !accept_punct(p, "]")) {
				node_free(index);
				node_free(t);
				return refuse(p);
			}
			t = node2(K_INDEX, t, index);
		} else {
			break;
		}
	}
	p->depth--;
	if (t && is_punct(p, "?")) {
		node_free(t);
		return refuse(p);
	}
	return t;
}

/* Binary operators by jq's precedence: , < // < or < and < comparisons < + - < * */
static int precedence(struct parser *p, enum kind *kind)
{
	static const struct {
		const char *op;
		enum kind kind;
		int prec;
	} table[] = {
		{ ",", K_COMMA, 1 }, { "//", K_ALT, 2 }, { "==", K_EQ, 5 }, { "!=", K_NE, 5 },
		{ "<", K_LT, 5 },    { "<=", K_LE, 5 },  { ">", K_GT, 5 },  { ">=", K_GE, 5 },
		{ "+", K_ADD, 6 },   { "-", K_SUB, 6 },  { "*", K_MUL, 7 },
	};
	if (is_word(p, "or")) {
		*kind = K_OR;
		return 3;
	}
	if (is_word(p, "and")) {
		*kind = K_AND;
		return 4;
	}
	if (lex(p) != T_PUNCT)
		return 0;
	for (size_t i = 0; i < sizeof table / sizeof *table; i++)
		if (strcmp(p->punct, table[i].op) == 0) {
			*kind = table[i].kind;
			return table[i].prec;
		}
	return 0;
}

static struct node *parse_binary(struct parser *p, struct node *lhs, int min_prec)
{
	enum kind kind;
	int prec;
	while (lhs && (prec = precedence(p, &kind)) >= min_prec) {
		advance(p);
		struct node *rhs = parse_postfix(p);
		enum kind next_kind;
		int next;
		/* // is right-associative; comparisons do not chain (jq refuses a == b == c) */
		while (rhs && (next = precedence(p, &next_kind)) > 0 &&
		       (next > prec || (next == prec && kind == K_ALT)))
			rhs = parse_binary(p, rhs, next);
		if (!rhs || (prec == 5 && precedence(p, &next_kind) == 5)) {
			node_free(lhs);
			node_free(rhs);
			return refuse(p);
		}
		lhs = node2(kind, lhs, rhs);
	}
	return lhs;
}

/* Pipe: Term as $x | Pipe, or Exp (| Pipe)? */
static struct node *parse_pipe(struct parser *p)
{
	if (++p->depth > MAX_DEPTH)
		return refuse(p);
	struct node *t = parse_postfix(p);
	if (t && accept_word(p, "as")) {
		if (lex(p) != T_VAR || p->nvars == MAX_SLOTS || p->nslots == MAX_SLOTS) {
			node_free(t);
			return refuse(p);
		}
		struct node *bind = node_new(K_BIND);
		bind->a = t;
		bind->slot = p->nslots++;
		p->vars[p->nvars] = copy_span(p->s + p->tok_start, p->tok_end - p->tok_start);
		p->var_slots[p->nvars++] = bind->slot;
		advance(p);
		if (accept_punct(p, "|"))
			bind->b = parse_pipe(p);
		free(p->vars[--p->nvars]);
		if (!bind->b) {
			node_free(bind);
			return refuse(p);
		}
		p->depth--;
		return bind;
	}
	struct node *e = parse_binary(p, t, 1);
	if (e && accept_punct(p, "|")) {
		struct node *rhs = parse_pipe(p);
		e = rhs ? node2(K_PIPE, e, rhs) : (node_free(e), refuse(p));
	}
	p->depth--;
	return e;
}

/* Does the node yield exactly one value (or, where many is allowed, any number)? */
static int well_formed(const struct node *n, int many)
{
	if (!n)
		return 1;
	switch (n->kind) {
	case K_COMMA:
		return many && well_formed(n->a, 1) && well_formed(n->b, 1);
	case K_ITER:
		return many && well_formed(n->a, 0);
	case K_PIPE: /* the left side of a pipe yields one value */
		return well_formed(n->a, 0) && well_formed(n->b, many);
	case K_ARRAY:
	case K_IN:
		return well_formed(n->a, 1);
	case K_ANY:
	case K_ALL:
		return well_formed(n->a, 1) && well_formed(n->b, 0);
	default:
		for (size_t i = 0; i < n->n; i++)
			if (!well_formed(n->items[i], 0))
				return 0;
		return well_formed(n->a, 0) && well_formed(n->b, 0) && well_formed(n->c, 0);
	}
}

/* The keys of .a.b... (an index chain on the input with literal string keys), or
 * jv_invalid(). */
static jv chain_keys(const struct node *n)
{
	if (n->kind == K_IDENTITY)
		return jv_array();
	if (n->kind != K_INDEX || n->b->kind != K_CONST || jv_get_kind(n->b->value) != JV_KIND_STRING)
		return jv_invalid();
	jv keys = chain_keys(n->a);
	return jv_is_valid(keys) ? jv_array_append(keys, jv_copy(n->b->value)) : keys;
}

/* Turns every path read from the expression's own input (not from the right side of
 * a pipe, nor inside an any/all condition, where "." is something else) into a
 * shared path. */
static void hoist(struct node *n, int on_input, struct jqsubset_paths *paths)
{
	if (!n)
		return;
	if (on_input && n->kind == K_INDEX) {
		jv keys = chain_keys(n);
		if (jv_is_valid(keys)) {
			node_free(n->a);
			node_free(n->b);
			n->a = n->b = NULL;
			n->kind = K_PATH;
			n->slot = path_slot(paths, keys);
			return;
		}
		jv_free(keys);
	}
	int b_on_input = on_input && n->kind != K_PIPE && n->kind != K_ANY && n->kind != K_ALL;
	hoist(n->a, on_input, paths);
	hoist(n->b, b_on_input, paths);
	hoist(n->c, on_input, paths);
	for (size_t i = 0; i < n->n; i++)
		hoist(n->items[i], on_input, paths);
}

struct jqsubset *jqsubset_compile(const char *text)
{
	return jqsubset_compile_shared(text, NULL);
}

struct jqsubset *jqsubset_compile_shared(const char *text, struct jqsubset_paths *paths)
{
	struct parser p = { .s = text };
	struct node *root = parse_pipe(&p);
	if (root && (p.failed || lex(&p) != T_END || !well_formed(root, 0))) {
		node_free(root);
		root = NULL;
	}
	for (int i = 0; i < p.nvars; i++)
		free(p.vars[i]);
	if (!root)
		return NULL;
	struct jqsubset *e = xcalloc(1, sizeof *e);
	e->root = root;
	e->nslots = p.nslots;
	e->paths = paths ? paths : jqsubset_paths_new();
	if (paths)
		paths->refs++;
	hoist(root, 1, e->paths);
	return e;
}

/* ---- evaluation */

#define UNDECIDED (-1)

static int truthy(jv v)
{
	jv_kind k = jv_get_kind(v);
	return k != JV_KIND_NULL && k != JV_KIND_FALSE;
}

struct frame {
	jv env[MAX_SLOTS];
	const jv *paths; /* the shared paths' values for this input */
};

static int eval(const struct node *n, jv in, struct frame *f, jv *out);

/* Called with each value of a generator (borrowed): 0 for the next one, 1 to stop
 * here, UNDECIDED to give up. */
typedef int (*each_fn)(void *ctx, jv value);

static int each(const struct node *n, jv in, struct frame *f, each_fn fn, void *ctx)
{
	if (n->kind == K_COMMA) {
		int rc = each(n->a, in, f, fn, ctx);
		return rc ? rc : each(n->b, in, f, fn, ctx);
	}
	if (n->kind == K_PIPE) {
		jv left;
		if (eval(n->a, in, f, &left) < 0)
			return UNDECIDED;
		int rc = each(n->b, left, f, fn, ctx);
		jv_free(left);
		return rc;
	}
	if (n->kind == K_ITER) {
		jv base;
		if (eval(n->a, in, f, &base) < 0)
			return UNDECIDED;
		jv_kind k = jv_get_kind(base);
		int rc = 0;
		if (k == JV_KIND_ARRAY) {
			int len = jv_array_length(jv_copy(base));
			for (int i = 0; i < len && rc == 0; i++) {
				jv item = jv_array_get(jv_copy(base), i);
				rc = fn(ctx, item);
				jv_free(item);
			}
		} else if (k == JV_KIND_OBJECT) {
			for (int it = jv_object_iter(base); jv_object_iter_valid(base, it) && rc == 0;
			     it = jv_object_iter_next(base, it)) {
				jv item = jv_object_iter_value(base, it);
				rc = fn(ctx, item);
				jv_free(item);
			}
		} else {
			rc = UNDECIDED; /* Cannot iterate over ... */
		}
		jv_free(base);
		return rc;
	}
	jv v;
	if (eval(n, in, f, &v) < 0)
		return UNDECIDED;
	int rc = fn(ctx, v);
	jv_free(v);
	return rc;
}

static int collect(void *ctx, jv value)
{
	jv *array = ctx;
	*array = jv_array_append(*array, jv_copy(value));
	return 0;
}

struct member {
	jv needle;
	int found;
};

/* IN(s) is reduce (first(select(. == s)) | true) ...: stops at the first match. */
static int match(void *ctx, jv value)
{
	struct member *m = ctx;
	if (jv_equal(jv_copy(m->needle), jv_copy(value))) {
		m->found = 1;
		return 1;
	}
	return 0;
}

struct quantifier {
	const struct node *condition;
	struct frame *f;
	int any; /* 1: any, 0: all */
	int decided; /* the state of jq's foreach: settled once a value decided it */
};

/* any(g; c) is [label $out | foreach g as $i (false; if . then break $out elif $i | c
 * then true else . end; ...)] | length == 1: after the deciding value, g is asked for
 * one value more (which jq only uses to break out), so an error there is still jq's. */
static int quantify(void *ctx, jv value)
{
	struct quantifier *q = ctx;
	if (q->decided)
		return 1;
	jv c;
	if (eval(q->condition, value, q->f, &c) < 0)
		return UNDECIDED;
	q->decided = truthy(c) == q->any;
	jv_free(c);
	return 0;
}

static int index_value(jv t, jv k, jv *out)
{
	jv_kind tk = jv_get_kind(t), kk = jv_get_kind(k);
	if (tk == JV_KIND_OBJECT && kk == JV_KIND_STRING) {
		jv v = jv_object_get(t, k);
		*out = jv_is_valid(v) ? v : (jv_free(v), jv_null());
		return 0;
	}
	if (tk == JV_KIND_NULL && (kk == JV_KIND_STRING || kk == JV_KIND_NUMBER)) {
		jv_free(t);
		jv_free(k);
		*out = jv_null();
		return 0;
	}
	jv_free(t);
	jv_free(k);
	return UNDECIDED;
}

static jv to_text(jv v)
{
	return jv_get_kind(v) == JV_KIND_STRING ? v : jv_dump_string(v, 0);
}

static int binary(enum kind kind, jv a, jv b, jv *out)
{
	jv_kind ak = jv_get_kind(a), bk = jv_get_kind(b);
	switch (kind) {
	case K_EQ:
		*out = jv_bool(jv_equal(a, b));
		return 0;
	case K_NE:
		*out = jv_bool(!jv_equal(a, b));
		return 0;
	case K_LT:
	case K_LE:
	case K_GT:
	case K_GE: {
		int r = jv_cmp(a, b);
		*out = jv_bool(kind == K_LT ? r < 0 : kind == K_LE ? r <= 0 : kind == K_GT ? r > 0 : r >= 0);
		return 0;
	}
	case K_ADD:
		if (ak == JV_KIND_NULL) {
			jv_free(a);
			*out = b;
			return 0;
		}
		if (bk == JV_KIND_NULL) {
			jv_free(b);
			*out = a;
			return 0;
		}
		if (ak == JV_KIND_NUMBER && bk == JV_KIND_NUMBER) {
			*out = jv_number(jv_number_value(a) + jv_number_value(b));
			break;
		}
		if (ak == JV_KIND_STRING && bk == JV_KIND_STRING) {
			*out = jv_string_concat(a, b);
			return 0;
		}
		if (ak == JV_KIND_ARRAY && bk == JV_KIND_ARRAY) {
			*out = jv_array_concat(a, b);
			return 0;
		}
		jv_free(a);
		jv_free(b);
		return UNDECIDED;
	case K_SUB:
	case K_MUL:
		if (ak != JV_KIND_NUMBER || bk != JV_KIND_NUMBER) {
			jv_free(a);
			jv_free(b);
			return UNDECIDED;
		}
		*out = jv_number(kind == K_SUB ? jv_number_value(a) - jv_number_value(b)
					       : jv_number_value(a) * jv_number_value(b));
		break;
	default:
		jv_free(a);
		jv_free(b);
		return UNDECIDED;
	}
	jv_free(a);
	jv_free(b);
	return 0;
}

/* unique is group_by(.) | map(.[0]): the sorted distinct values. */
static jv unique(jv array)
{
	jv sorted = jv_sort(jv_copy(array), array);
	jv out = jv_array();
	int len = jv_array_length(jv_copy(sorted));
	for (int i = 0; i < len; i++) {
		jv item = jv_array_get(jv_copy(sorted), i);
		int count = jv_array_length(jv_copy(out));
		if (count && jv_equal(jv_array_get(jv_copy(out), count - 1), jv_copy(item)))
			jv_free(item);
		else
			out = jv_array_append(out, item);
	}
	jv_free(sorted);
	return out;
}

/* A builtin of no arguments applied to its input (borrowed). */
static int builtin(enum kind kind, jv in, jv *out)
{
	jv_kind k = jv_get_kind(in);
	switch (kind) {
	case K_NOT:
		*out = jv_bool(!truthy(in));
		return 0;
	case K_TYPE:
		*out = jv_string(jv_kind_name(k));
		return 0;
	case K_FLOOR:
		if (k != JV_KIND_NUMBER)
			return UNDECIDED;
		*out = jv_number(floor(jv_number_value(in)));
		return 0;
	case K_TOSTRING:
		*out = to_text(jv_copy(in));
		return 0;
	case K_LENGTH:
		if (k == JV_KIND_NULL)
			*out = jv_number(0);
		else if (k == JV_KIND_NUMBER)
			*out = jv_number(fabs(jv_number_value(in)));
		else if (k == JV_KIND_STRING)
			*out = jv_number(jv_string_length_codepoints(jv_copy(in)));
		else if (k == JV_KIND_ARRAY)
			*out = jv_number(jv_array_length(jv_copy(in)));
		else if (k == JV_KIND_OBJECT)
			*out = jv_number(jv_object_length(jv_copy(in)));
		else
			return UNDECIDED;
		return 0;
	case K_UNIQUE:
		if (k != JV_KIND_ARRAY)
			return UNDECIDED;
		*out = unique(jv_copy(in));
		return 0;
	default:
		return UNDECIDED;
	}
}

/* Both operands of n, each on the same input: 0, or UNDECIDED with nothing held. */
static int eval_both(const struct node *n, jv in, struct frame *f, jv *a, jv *b)
{
	if (eval(n->a, in, f, a) < 0)
		return UNDECIDED;
	if (eval(n->b, in, f, b) < 0) {
		jv_free(*a);
		return UNDECIDED;
	}
	return 0;
}

static int eval(const struct node *n, jv in, struct frame *f, jv *out)
{
	jv a, b;
	switch (n->kind) {
	case K_CONST:
		*out = jv_copy(n->value);
		return 0;
	case K_IDENTITY:
		*out = jv_copy(in);
		return 0;
	case K_VAR:
		*out = jv_copy(f->env[n->slot]);
		return 0;
	case K_PATH:
		if (!jv_is_valid(f->paths[n->slot]))
			return UNDECIDED;
		*out = jv_copy(f->paths[n->slot]);
		return 0;
	case K_INDEX:
		if (eval_both(n, in, f, &a, &b) < 0)
			return UNDECIDED;
		return index_value(a, b, out);
	case K_PIPE: {
		if (eval(n->a, in, f, &a) < 0)
			return UNDECIDED;
		int rc = eval(n->b, a, f, out);
		jv_free(a);
		return rc;
	}
	case K_BIND: {
		if (eval(n->a, in, f, &a) < 0)
			return UNDECIDED;
		f->env[n->slot] = a;
		int rc = eval(n->b, in, f, out);
		jv_free(f->env[n->slot]);
		f->env[n->slot] = jv_null();
		return rc;
	}
	case K_ALT:
		/* a // b: a when truthy, else b; an error in a is jq's to judge */
		if (eval(n->a, in, f, &a) < 0)
			return UNDECIDED;
		if (truthy(a)) {
			*out = a;
			return 0;
		}
		jv_free(a);
		return eval(n->b, in, f, out);
	case K_OR:
	case K_AND: {
		if (eval(n->a, in, f, &a) < 0)
			return UNDECIDED;
		int left = truthy(a);
		jv_free(a);
		if (left == (n->kind == K_OR)) {
			*out = jv_bool(left);
			return 0;
		}
		if (eval(n->b, in, f, &b) < 0)
			return UNDECIDED;
		*out = jv_bool(truthy(b));
		jv_free(b);
		return 0;
	}
	case K_EQ:
	case K_NE:
	case K_LT:
	case K_LE:
	case K_GT:
	case K_GE:
	case K_ADD:
	case K_SUB:
	case K_MUL:
		if (eval_both(n, in, f, &a, &b) < 0)
			return UNDECIDED;
		return binary(n->kind, a, b, out);
	case K_IF: {
		if (eval(n->a, in, f, &a) < 0)
			return UNDECIDED;
		int cond = truthy(a);
		jv_free(a);
		return eval(cond ? n->b : n->c, in, f, out);
	}
	case K_ARRAY: {
		jv array = jv_array();
		if (n->a && each(n->a, in, f, collect, &array) < 0) {
			jv_free(array);
			return UNDECIDED;
		}
		*out = array;
		return 0;
	}
	case K_OBJECT: {
		jv obj = jv_object();
		for (size_t i = 0; i < n->n; i++) {
			if (eval(n->items[i], in, f, &a) < 0) {
				jv_free(obj);
				return UNDECIDED;
			}
			obj = jv_object_set(obj, jv_array_get(jv_copy(n->value), (int)i), a);
		}
		*out = obj;
		return 0;
	}
	case K_FORMAT: {
		jv text = jv_string("");
		for (size_t i = 0; i < n->n; i++) {
			if (!n->items[i]) {
				text = jv_string_concat(text, jv_array_get(jv_copy(n->value), (int)i));
				continue;
			}
			if (eval(n->items[i], in, f, &a) < 0) {
				jv_free(text);
				return UNDECIDED;
			}
			text = jv_string_concat(text, to_text(a));
		}
		*out = text;
		return 0;
	}
	case K_IN: {
		struct member m = { in, 0 };
		if (each(n->a, in, f, match, &m) < 0)
			return UNDECIDED;
		*out = jv_bool(m.found);
		return 0;
	}
	case K_ANY:
	case K_ALL: {
		struct quantifier q = { n->b, f, n->kind == K_ANY, 0 };
		if (each(n->a, in, f, quantify, &q) < 0)
			return UNDECIDED;
		*out = jv_bool(q.any ? q.decided : !q.decided);
		return 0;
	}
	default:
		return builtin(n->kind, in, out);
	}
}

/* Each path's value in input, jv_invalid() where indexing raises a jq error (then
 * also for every path under it). Parents come before their children. */
static void resolve(const struct jqsubset_paths *p, jv input, jv *values)
{
	for (size_t i = 0; i < p->n; i++) {
		jv base = p->parent[i] < 0 ? input : values[p->parent[i]];
		if (!jv_is_valid(base) || index_value(jv_copy(base), jv_copy(p->last[i]), &values[i]) < 0)
			values[i] = jv_invalid();
	}
}

void jqsubset_paths_load(struct jqsubset_paths *p, jv input)
{
	jqsubset_paths_clear(p);
	resolve(p, input, p->values);
	p->input = input;
	p->loaded = 1;
}

void jqsubset_paths_clear(struct jqsubset_paths *p)
{
	if (!p->loaded)
		return;
	for (size_t i = 0; i < p->n; i++) {
		jv_free(p->values[i]);
		p->values[i] = jv_invalid();
	}
	p->loaded = 0;
}

int jqsubset_test(const struct jqsubset *e, jv input)
{
	struct jqsubset_paths *p = e->paths;
	struct frame f;
	jv *own = NULL;
	if (p->loaded && jv_identical(jv_copy(p->input), jv_copy(input))) {
		f.paths = p->values;
	} else {
		own = xmalloc((p->n ? p->n : 1) * sizeof *own);
		resolve(p, input, own);
		f.paths = own;
	}
	for (int i = 0; i < e->nslots; i++)
		f.env[i] = jv_null();
	jv out;
	int rc = eval(e->root, input, &f, &out);
	for (int i = 0; i < e->nslots; i++)
		jv_free(f.env[i]);
	for (size_t i = 0; own && i < p->n; i++)
		jv_free(own[i]);
	free(own);
	if (rc < 0)
		return UNDECIDED;
	rc = truthy(out);
	jv_free(out);
	return rc;
}

void jqsubset_free(struct jqsubset *e)
{
	if (!e)
		return;
	node_free(e->root);
	jqsubset_paths_free(e->paths);
	free(e);
}
