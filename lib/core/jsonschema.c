#include <math.h>
#include <string.h>

#include "jsonschema.h"
#include "jvutil.h"

/* The types of the subset, as bits of a mask, in the order of these tables. */
enum { T_OBJECT = 1, T_ARRAY = 2, T_STRING = 4, T_NUMBER = 8, T_INTEGER = 16, T_BOOLEAN = 32, T_NULL = 64 };
#define N_TYPES 7
static const char *const type_names[N_TYPES] = { "object", "array", "string", "number", "integer", "boolean", "null" };
static const char *const type_phrases[N_TYPES] = { "an object",  "an array",  "a string", "a number",
						   "an integer", "a boolean", "null" };

#define TYPE_LIST "object, array, string, number, integer, boolean, null"
#define KEYWORD_LIST                                                                                             \
	"type, properties, required, additionalProperties, enum, minimum, maximum, maxLength, items, minItems, " \
	"maxItems, description"

/* Is the jv string s exactly the C string lit (an embedded NUL does not match)? */
static int str_is(jv s, const char *lit)
{
	return (size_t)jv_string_length_bytes(jv_copy(s)) == strlen(lit) && strcmp(jv_string_value(s), lit) == 0;
}

/* The index of the type named by the jv string name, or -1. */
static int type_index(jv name)
{
	for (int i = 0; i < N_TYPES; i++)
		if (str_is(name, type_names[i]))
			return i;
	return -1;
}

static int is_whole(double x)
{
	return isfinite(x) && x == floor(x);
}

static int is_count(jv v)
{
	return jv_get_kind(v) == JV_KIND_NUMBER && is_whole(jv_number_value(v)) && jv_number_value(v) >= 0;
}

/* 1 when v's arrays and objects nest more than levels deep (the recursion stops there). */
static int nests_deeper(jv v, int levels)
{
	jv_kind kind = jv_get_kind(v);
	if (kind != JV_KIND_ARRAY && kind != JV_KIND_OBJECT)
		return 0;
	if (levels == 0)
		return 1;
	int deeper = 0;
	if (kind == JV_KIND_ARRAY) {
		int n = jv_array_length(jv_copy(v));
		for (int i = 0; i < n && !deeper; i++) {
			jv item = jv_array_get(jv_copy(v), i);
			deeper = nests_deeper(item, levels - 1);
			jv_free(item);
		}
		return deeper;
	}
	for (int it = jv_object_iter(v); jv_object_iter_valid(v, it) && !deeper; it = jv_object_iter_next(v, it)) {
		jv item = jv_object_iter_value(v, it);
		deeper = nests_deeper(item, levels - 1);
		jv_free(item);
	}
	return deeper;
}

/* Paths: a key that is a plain identifier is written .key, any other ["key"]. */
static int is_identifier(const char *s, size_t n)
{
	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return 0;
	}
	return 1;
}

static void path_name(struct buf *path, const char *s, size_t n)
{
	if (is_identifier(s, n)) {
		if (path->len > 0)
			buf_addc(path, '.');
		buf_add(path, s, n);
		return;
	}
	buf_addc(path, '[');
	json_add_string_n(path, s, n);
	buf_addc(path, ']');
}

static void path_key(struct buf *path, jv key)
{
	path_name(path, jv_string_value(key), (size_t)jv_string_length_bytes(jv_copy(key)));
}

static void path_index(struct buf *path, int i)
{
	buf_addf(path, "[%d]", i);
}

static void path_cut(struct buf *path, size_t len)
{
	path->len = len;
	if (path->data)
		path->data[len] = '\0';
}

/* Start a message: "PATH: " (root when the path is empty); the caller adds the rest. */
static struct buf *problem(struct buf *err, const struct buf *path, const char *root)
{
	buf_adds(err, path->len ? path->data : root);
	buf_adds(err, ": ");
	return err;
}

static void add_string(struct buf *b, jv s)
{
	json_add_string_n(b, jv_string_value(s), (size_t)jv_string_length_bytes(jv_copy(s)));
}

/* A number as itself, anything else by its kind: for "must be ..., not X". */
static void add_value_or_kind(struct buf *b, jv v)
{
	if (jv_get_kind(v) == JV_KIND_NUMBER)
		json_add_double(b, jv_number_value(v));
	else
		buf_adds(b, jvu_kind_name(jv_get_kind(v)));
}

/* The strings of an array as a jv object used as a set (non-strings are skipped). */
static jv string_set(jv array)
{
	jv set = jv_object();
	if (jv_get_kind(array) != JV_KIND_ARRAY)
		return set;
	int n = jv_array_length(jv_copy(array));
	for (int i = 0; i < n; i++) {
		jv name = jv_array_get(jv_copy(array), i);
		if (jv_get_kind(name) == JV_KIND_STRING)
			set = jv_object_set(set, name, jv_true());
		else
			jv_free(name);
	}
	return set;
}

/* Does the object set (borrowed) have the string key (borrowed)? */
static int set_has(jv set, jv key)
{
	return jv_get_kind(set) == JV_KIND_OBJECT && jv_object_has(jv_copy(set), jv_copy(key));
}

/* ---- checking a schema ---- */

struct check {
	struct buf path;
	struct buf *err;
};

static int check_fail(struct check *c, const char *message)
{
	buf_adds(problem(c->err, &c->path, "schema"), message);
	return -1;
}

static int check_schema(struct check *c, jv s, int level);

static int check_type_name(struct check *c, jv name, unsigned *seen)
{
	if (jv_get_kind(name) != JV_KIND_STRING) {
		buf_adds(problem(c->err, &c->path, "schema"), "must be a type name, not ");
		buf_adds(c->err, jvu_kind_name(jv_get_kind(name)));
		return -1;
	}
	int i = type_index(name);
	if (i < 0) {
		add_string(problem(c->err, &c->path, "schema"), name);
		buf_adds(c->err, " is not a type (" TYPE_LIST ")");
		return -1;
	}
	if (*seen & (1u << i)) {
		buf_adds(problem(c->err, &c->path, "schema"), "repeats ");
		add_string(c->err, name);
		return -1;
	}
	*seen |= 1u << i;
	return 0;
}

static int check_type(struct check *c, jv type)
{
	unsigned seen = 0;
	if (jv_get_kind(type) == JV_KIND_STRING)
		return check_type_name(c, type, &seen);
	int n = jv_get_kind(type) == JV_KIND_ARRAY ? jv_array_length(jv_copy(type)) : 0;
	if (n == 0) {
		buf_adds(problem(c->err, &c->path, "schema"), "must be a type name or a non-empty array of them, not ");
		buf_adds(c->err,
			 n == 0 && jv_get_kind(type) == JV_KIND_ARRAY ? "[]" : jvu_kind_name(jv_get_kind(type)));
		return -1;
	}
	size_t base = c->path.len;
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		jv name = jv_array_get(jv_copy(type), i);
		path_index(&c->path, i);
		rc = check_type_name(c, name, &seen);
		path_cut(&c->path, base);
		jv_free(name);
	}
	return rc;
}

static int check_enum(struct check *c, jv values)
{
	if (jv_get_kind(values) != JV_KIND_ARRAY || jv_array_length(jv_copy(values)) == 0)
		return check_fail(c, "must be a non-empty array");
	size_t base = c->path.len;
	int n = jv_array_length(jv_copy(values));
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		jv value = jv_array_get(jv_copy(values), i);
		if (nests_deeper(value, JSONSCHEMA_MAX_DEPTH)) {
			path_index(&c->path, i);
			buf_addf(problem(c->err, &c->path, "schema"), "nested more than %d levels deep",
				 JSONSCHEMA_MAX_DEPTH);
			rc = -1;
		}
		path_cut(&c->path, base);
		jv_free(value);
	}
	return rc;
}

static int check_required(struct check *c, jv names)
{
	if (jv_get_kind(names) != JV_KIND_ARRAY) {
		buf_adds(problem(c->err, &c->path, "schema"), "must be an array of property names, not ");
		buf_adds(c->err, jvu_kind_name(jv_get_kind(names)));
		return -1;
	}
	size_t base = c->path.len;
	int n = jv_array_length(jv_copy(names));
	jv seen = jv_object();
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		jv name = jv_array_get(jv_copy(names), i);
		path_index(&c->path, i);
		if (jv_get_kind(name) != JV_KIND_STRING) {
			buf_adds(problem(c->err, &c->path, "schema"), "must be a property name, not ");
			buf_adds(c->err, jvu_kind_name(jv_get_kind(name)));
			rc = -1;
		} else if (set_has(seen, name)) {
			buf_adds(problem(c->err, &c->path, "schema"), "repeats ");
			add_string(c->err, name);
			rc = -1;
		} else {
			seen = jv_object_set(seen, jv_copy(name), jv_true());
		}
		path_cut(&c->path, base);
		jv_free(name);
	}
	jv_free(seen);
	return rc;
}

static int check_properties(struct check *c, jv props, int level)
{
	if (jv_get_kind(props) != JV_KIND_OBJECT) {
		buf_adds(problem(c->err, &c->path, "schema"), "must be an object of schemas, not ");
		buf_adds(c->err, jvu_kind_name(jv_get_kind(props)));
		return -1;
	}
	size_t base = c->path.len;
	int rc = 0;
	for (int it = jv_object_iter(props); rc == 0 && jv_object_iter_valid(props, it);
	     it = jv_object_iter_next(props, it)) {
		jv key = jv_object_iter_key(props, it);
		jv sub = jv_object_iter_value(props, it);
		path_key(&c->path, key);
		rc = check_schema(c, sub, level + 1);
		path_cut(&c->path, base);
		jv_free(key);
		jv_free(sub);
	}
	return rc;
}

static int check_kind_is(struct check *c, jv v, jv_kind kind, const char *want)
{
	if (jv_get_kind(v) == kind)
		return 0;
	buf_adds(problem(c->err, &c->path, "schema"), want);
	buf_adds(c->err, ", not ");
	buf_adds(c->err, jvu_kind_name(jv_get_kind(v)));
	return -1;
}

static int check_keyword(struct check *c, jv key, jv v, int level)
{
	if (str_is(key, "type"))
		return check_type(c, v);
	if (str_is(key, "properties"))
		return check_properties(c, v, level);
	if (str_is(key, "required"))
		return check_required(c, v);
	if (str_is(key, "enum"))
		return check_enum(c, v);
	if (str_is(key, "minimum") || str_is(key, "maximum"))
		return check_kind_is(c, v, JV_KIND_NUMBER, "must be a number");
	if (str_is(key, "description"))
		return check_kind_is(c, v, JV_KIND_STRING, "must be a string");
	if (str_is(key, "items"))
		return check_schema(c, v, level + 1);
	if (str_is(key, "maxLength") || str_is(key, "minItems") || str_is(key, "maxItems")) {
		if (is_count(v))
			return 0;
		buf_adds(problem(c->err, &c->path, "schema"), "must be a non-negative integer, not ");
		add_value_or_kind(c->err, v);
		return -1;
	}
	if (str_is(key, "additionalProperties")) {
		if (jv_get_kind(v) == JV_KIND_TRUE || jv_get_kind(v) == JV_KIND_FALSE)
			return 0;
		buf_adds(problem(c->err, &c->path, "schema"),
			 "must be true or false (schemas are not supported), not ");
		buf_adds(c->err, jvu_kind_name(jv_get_kind(v)));
		return -1;
	}
	return check_fail(c, "unknown keyword (the subset has " KEYWORD_LIST ")");
}

/* "KEYWORD: LOW is more than OTHER HIGH" when the schema's low bound is above its high one. */
static int check_bounds(struct check *c, jv s, const char *low, const char *high, const char *words)
{
	jv lo = jvu_get_borrow(s, low);
	jv hi = jvu_get_borrow(s, high);
	int rc = 0;
	if (jv_get_kind(lo) == JV_KIND_NUMBER && jv_get_kind(hi) == JV_KIND_NUMBER &&
	    jv_number_value(lo) > jv_number_value(hi)) {
		size_t base = c->path.len;
		path_name(&c->path, low, strlen(low));
		json_add_double(problem(c->err, &c->path, "schema"), jv_number_value(lo));
		buf_adds(c->err, words);
		json_add_double(c->err, jv_number_value(hi));
		path_cut(&c->path, base);
		rc = -1;
	}
	jv_free(lo);
	jv_free(hi);
	return rc;
}

/* Every required name is declared in properties. */
static int check_required_declared(struct check *c, jv s)
{
	jv names = jvu_get_borrow(s, "required");
	jv props = jvu_get_borrow(s, "properties");
	int n = jv_get_kind(names) == JV_KIND_ARRAY ? jv_array_length(jv_copy(names)) : 0;
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		jv name = jv_array_get(jv_copy(names), i);
		if (!set_has(props, name)) {
			size_t base = c->path.len;
			path_name(&c->path, "required", 8);
			path_index(&c->path, i);
			add_string(problem(c->err, &c->path, "schema"), name);
			buf_adds(c->err, " is not in properties");
			path_cut(&c->path, base);
			rc = -1;
		}
		jv_free(name);
	}
	jv_free(names);
	jv_free(props);
	return rc;
}

static int check_schema(struct check *c, jv s, int level)
{
	if (level > JSONSCHEMA_MAX_DEPTH) {
		buf_addf(problem(c->err, &c->path, "schema"), "nested more than %d schemas deep", JSONSCHEMA_MAX_DEPTH);
		return -1;
	}
	if (jv_get_kind(s) != JV_KIND_OBJECT) {
		buf_adds(problem(c->err, &c->path, "schema"), "must be an object, not ");
		buf_adds(c->err, jvu_kind_name(jv_get_kind(s)));
		return -1;
	}
	size_t base = c->path.len;
	int rc = 0;
	for (int it = jv_object_iter(s); rc == 0 && jv_object_iter_valid(s, it); it = jv_object_iter_next(s, it)) {
		jv key = jv_object_iter_key(s, it);
		jv value = jv_object_iter_value(s, it);
		path_key(&c->path, key);
		rc = check_keyword(c, key, value, level);
		path_cut(&c->path, base);
		jv_free(key);
		jv_free(value);
	}
	if (rc == 0)
		rc = check_bounds(c, s, "minimum", "maximum", " is more than the maximum ");
	if (rc == 0)
		rc = check_bounds(c, s, "minItems", "maxItems", " is more than maxItems ");
	if (rc == 0)
		rc = check_required_declared(c, s);
	return rc;
}

int jsonschema_check(jv schema, struct buf *err)
{
	struct check c = { BUF_INIT, err };
	int rc = check_schema(&c, schema, 1);
	buf_free(&c.path);
	return rc;
}

/* ---- validating a value ---- */

struct validation {
	struct buf path;
	struct buf *err;
};

static struct buf *value_problem(struct validation *c)
{
	return problem(c->err, &c->path, "$");
}

/* The mask of the schema's types; every type when it has none. */
static unsigned types_of(jv s)
{
	jv type = jvu_get_borrow(s, "type");
	unsigned mask = 0;
	if (jv_get_kind(type) == JV_KIND_STRING) {
		mask = 1u << type_index(type);
	} else if (jv_get_kind(type) == JV_KIND_ARRAY) {
		int n = jv_array_length(jv_copy(type));
		for (int i = 0; i < n; i++) {
			jv name = jv_array_get(jv_copy(type), i);
			int t = jv_get_kind(name) == JV_KIND_STRING ? type_index(name) : -1;
			mask |= t >= 0 ? 1u << t : 0;
			jv_free(name);
		}
	} else {
		mask = (1u << N_TYPES) - 1;
	}
	jv_free(type);
	return mask;
}

static int type_matches(unsigned mask, jv v)
{
	switch (jv_get_kind(v)) {
	case JV_KIND_OBJECT:
		return (mask & T_OBJECT) != 0;
	case JV_KIND_ARRAY:
		return (mask & T_ARRAY) != 0;
	case JV_KIND_STRING:
		return (mask & T_STRING) != 0;
	case JV_KIND_NUMBER:
		return (mask & T_NUMBER) || ((mask & T_INTEGER) && is_whole(jv_number_value(v)));
	case JV_KIND_TRUE:
	case JV_KIND_FALSE:
		return (mask & T_BOOLEAN) != 0;
	case JV_KIND_NULL:
		return (mask & T_NULL) != 0;
	default:
		return 0;
	}
}

/* "a string", "a string or null", "an object, an array or null": the schema's types in its order. */
static void add_type_phrase(struct buf *b, jv s)
{
	jv type = jvu_get_borrow(s, "type");
	if (jv_get_kind(type) == JV_KIND_STRING) {
		buf_adds(b, type_phrases[type_index(type)]);
	} else if (jv_get_kind(type) == JV_KIND_ARRAY) {
		int n = jv_array_length(jv_copy(type));
		for (int i = 0; i < n; i++) {
			jv name = jv_array_get(jv_copy(type), i);
			int t = jv_get_kind(name) == JV_KIND_STRING ? type_index(name) : -1;
			buf_adds(b, i == 0 ? "" : i == n - 1 ? " or " : ", ");
			buf_adds(b, t >= 0 ? type_phrases[t] : "?");
			jv_free(name);
		}
	}
	jv_free(type);
}

static int validate_type(struct validation *c, jv s, jv v)
{
	unsigned mask = types_of(s);
	if (type_matches(mask, v))
		return 0;
	struct buf *err = value_problem(c);
	buf_adds(err, "must be ");
	add_type_phrase(err, s);
	buf_adds(err, ", not ");
	/* 2.5 where an integer is wanted: say which number, not just "a number". */
	if (jv_get_kind(v) == JV_KIND_NUMBER && (mask & T_INTEGER))
		json_add_double(err, jv_number_value(v));
	else
		buf_adds(err, jvu_kind_name(jv_get_kind(v)));
	return -1;
}

static int validate_enum(struct validation *c, jv s, jv v)
{
	jv values = jvu_get_borrow(s, "enum");
	if (jv_get_kind(values) != JV_KIND_ARRAY) {
		jv_free(values);
		return 0;
	}
	int n = jv_array_length(jv_copy(values));
	int found = 0;
	for (int i = 0; i < n && !found; i++)
		found = jv_equal(jv_array_get(jv_copy(values), i), jv_copy(v));
	if (!found) {
		struct buf *err = value_problem(c);
		buf_adds(err, n == 1 ? "must be " : "must be one of ");
		for (int i = 0; i < n; i++) {
			jv value = jv_array_get(jv_copy(values), i);
			buf_adds(err, i ? ", " : "");
			jvu_dump(value, err);
			jv_free(value);
		}
	}
	jv_free(values);
	return found ? 0 : -1;
}

/* The number s[keyword] into *x; 0 when the schema has none. */
static int schema_number(jv s, const char *keyword, double *x)
{
	jv v = jvu_get_borrow(s, keyword);
	int have = jv_get_kind(v) == JV_KIND_NUMBER;
	if (have)
		*x = jv_number_value(v);
	jv_free(v);
	return have;
}

static int validate_number(struct validation *c, jv s, double x)
{
	double bound;
	if (schema_number(s, "minimum", &bound) && x < bound) {
		json_add_double(value_problem(c), x);
		buf_adds(c->err, " is less than the minimum ");
		json_add_double(c->err, bound);
		return -1;
	}
	if (schema_number(s, "maximum", &bound) && x > bound) {
		json_add_double(value_problem(c), x);
		buf_adds(c->err, " is more than the maximum ");
		json_add_double(c->err, bound);
		return -1;
	}
	return 0;
}

static int validate_string(struct validation *c, jv s, jv v)
{
	double most;
	if (!schema_number(s, "maxLength", &most))
		return 0;
	int n = jv_string_length_codepoints(jv_copy(v));
	if (n <= most)
		return 0;
	buf_addf(value_problem(c), "%d character%s, more than maxLength ", n, n == 1 ? "" : "s");
	json_add_double(c->err, most);
	return -1;
}

static int validate_value(struct validation *c, jv s, jv v);

static int validate_array(struct validation *c, jv s, jv v)
{
	int n = jv_array_length(jv_copy(v));
	double bound;
	if (schema_number(s, "minItems", &bound) && n < bound) {
		buf_addf(value_problem(c), "%d item%s, fewer than minItems ", n, n == 1 ? "" : "s");
		json_add_double(c->err, bound);
		return -1;
	}
	if (schema_number(s, "maxItems", &bound) && n > bound) {
		buf_addf(value_problem(c), "%d item%s, more than maxItems ", n, n == 1 ? "" : "s");
		json_add_double(c->err, bound);
		return -1;
	}
	jv items = jvu_get_borrow(s, "items");
	size_t base = c->path.len;
	int rc = 0;
	for (int i = 0; i < n && rc == 0 && jv_get_kind(items) == JV_KIND_OBJECT; i++) {
		jv item = jv_array_get(jv_copy(v), i);
		path_index(&c->path, i);
		rc = validate_value(c, items, item);
		path_cut(&c->path, base);
		jv_free(item);
	}
	jv_free(items);
	return rc;
}

/* Properties in the schema's order (missing required ones among them), then
 * unexpected keys in the value's order. */
static int validate_object(struct validation *c, jv s, jv v)
{
	jv props = jvu_get_borrow(s, "properties");
	jv names = jvu_get_borrow(s, "required");
	jv required = string_set(names);
	jv_free(names);
	size_t base = c->path.len;
	int rc = 0;
	if (jv_get_kind(props) == JV_KIND_OBJECT) {
		for (int it = jv_object_iter(props); rc == 0 && jv_object_iter_valid(props, it);
		     it = jv_object_iter_next(props, it)) {
			jv key = jv_object_iter_key(props, it);
			if (jv_object_has(jv_copy(v), jv_copy(key))) {
				jv sub = jv_object_iter_value(props, it);
				jv item = jv_object_get(jv_copy(v), jv_copy(key));
				path_key(&c->path, key);
				rc = validate_value(c, sub, item);
				path_cut(&c->path, base);
				jv_free(item);
				jv_free(sub);
			} else if (set_has(required, key)) {
				buf_adds(value_problem(c), "missing required property ");
				add_string(c->err, key);
				rc = -1;
			}
			jv_free(key);
		}
	}
	if (rc == 0 && jvu_kind_borrow(s, "additionalProperties") == JV_KIND_FALSE) {
		for (int it = jv_object_iter(v); rc == 0 && jv_object_iter_valid(v, it);
		     it = jv_object_iter_next(v, it)) {
			jv key = jv_object_iter_key(v, it);
			if (!set_has(props, key)) {
				buf_adds(value_problem(c), "unexpected property ");
				add_string(c->err, key);
				rc = -1;
			}
			jv_free(key);
		}
	}
	jv_free(required);
	jv_free(props);
	return rc;
}

static int validate_value(struct validation *c, jv s, jv v)
{
	if (validate_type(c, s, v) < 0 || validate_enum(c, s, v) < 0)
		return -1;
	switch (jv_get_kind(v)) {
	case JV_KIND_NUMBER:
		return validate_number(c, s, jv_number_value(v));
	case JV_KIND_STRING:
		return validate_string(c, s, v);
	case JV_KIND_ARRAY:
		return validate_array(c, s, v);
	case JV_KIND_OBJECT:
		return validate_object(c, s, v);
	default:
		return 0;
	}
}

int jsonschema_validate(jv schema, jv value, struct buf *err)
{
	if (jsonschema_check(schema, err) < 0)
		return -1;
	struct validation c = { BUF_INIT, err };
	buf_adds(&c.path, "$");
	int rc;
	if (nests_deeper(value, JSONSCHEMA_MAX_DEPTH)) {
		buf_addf(value_problem(&c), "nested more than %d levels deep", JSONSCHEMA_MAX_DEPTH);
		rc = -1;
	} else {
		rc = validate_value(&c, schema, value);
	}
	buf_free(&c.path);
	return rc;
}

/* ---- the outline for a prompt ---- */

static void add_count(struct buf *out, double n, const char *unit)
{
	json_add_double(out, n);
	buf_addf(out, " %s%s", unit, n == 1 ? "" : "s");
}

static void outline_shape(jv s, struct buf *out)
{
	jv values = jvu_get_borrow(s, "enum");
	if (jv_get_kind(values) == JV_KIND_ARRAY) {
		buf_adds(out, "one of ");
		int n = jv_array_length(jv_copy(values));
		for (int i = 0; i < n; i++) {
			jv value = jv_array_get(jv_copy(values), i);
			buf_adds(out, i ? ", " : "");
			jvu_dump(value, out);
			jv_free(value);
		}
		jv_free(values);
		return;
	}
	jv_free(values);

	jv type = jvu_get_borrow(s, "type");
	if (jv_get_kind(type) == JV_KIND_STRING) {
		buf_adds(out, jv_string_value(type));
	} else if (jv_get_kind(type) == JV_KIND_ARRAY) {
		int n = jv_array_length(jv_copy(type));
		for (int i = 0; i < n; i++) {
			jv name = jv_array_get(jv_copy(type), i);
			buf_adds(out, i == 0 ? "" : i == n - 1 ? " or " : ", ");
			buf_adds(out, jv_string_value(name));
			jv_free(name);
		}
	} else {
		buf_adds(out, "any value");
	}
	jv_free(type);

	double lo, hi;
	int have_lo = schema_number(s, "minimum", &lo), have_hi = schema_number(s, "maximum", &hi);
	if (have_lo && have_hi) {
		buf_addc(out, ' ');
		json_add_double(out, lo);
		buf_adds(out, " to ");
		json_add_double(out, hi);
	} else if (have_lo || have_hi) {
		buf_adds(out, have_lo ? ", at least " : ", at most ");
		json_add_double(out, have_lo ? lo : hi);
	}
	if (schema_number(s, "maxLength", &hi)) {
		buf_adds(out, ", at most ");
		add_count(out, hi, "character");
	}
	have_lo = schema_number(s, "minItems", &lo);
	have_hi = schema_number(s, "maxItems", &hi);
	if (have_lo && have_hi) {
		buf_adds(out, " of ");
		json_add_double(out, lo);
		buf_adds(out, " to ");
		add_count(out, hi, "item");
	} else if (have_lo || have_hi) {
		buf_adds(out, have_lo ? " of at least " : " of at most ");
		add_count(out, have_lo ? lo : hi, "item");
	}
	jv items = jvu_get_borrow(s, "items");
	if (jv_get_kind(items) == JV_KIND_OBJECT) {
		buf_adds(out, ", each ");
		outline_shape(items, out);
	}
	jv_free(items);
}

/* A description on one line: line breaks become spaces. */
static void add_one_line(struct buf *out, jv text)
{
	const char *s = jv_string_value(text);
	int n = jv_string_length_bytes(jv_copy(text));
	for (int i = 0; i < n; i++)
		buf_addc(out, s[i] == '\n' || s[i] == '\r' ? ' ' : s[i]);
}

static void outline_properties(jv s, struct buf *out, int indent);

static void outline_line(jv name, jv s, int required, struct buf *out, int indent)
{
	for (int i = 0; i < indent; i++)
		buf_adds(out, "  ");
	buf_adds(out, "- ");
	if (jv_get_kind(name) == JV_KIND_STRING)
		buf_add(out, jv_string_value(name), (size_t)jv_string_length_bytes(jv_copy(name)));
	else
		buf_adds(out, "answer");
	buf_adds(out, " (");
	outline_shape(s, out);
	buf_adds(out, required ? ")" : ", optional)");
	jv description = jvu_get_borrow(s, "description");
	if (jv_get_kind(description) == JV_KIND_STRING) {
		buf_adds(out, ": ");
		add_one_line(out, description);
	}
	jv_free(description);
	buf_addc(out, '\n');

	outline_properties(s, out, indent + 1);
	/* the objects of an array: their properties too, as far down as arrays go */
	jv items = jvu_get_borrow(s, "items");
	while (jv_get_kind(items) == JV_KIND_OBJECT) {
		outline_properties(items, out, indent + 1);
		jv next = jvu_get_borrow(items, "items");
		jv_free(items);
		items = next;
	}
	jv_free(items);
}

static void outline_properties(jv s, struct buf *out, int indent)
{
	jv props = jvu_get_borrow(s, "properties");
	if (jv_get_kind(props) != JV_KIND_OBJECT) {
		jv_free(props);
		return;
	}
	jv names = jvu_get_borrow(s, "required");
	jv required = string_set(names);
	jv_free(names);
	for (int it = jv_object_iter(props); jv_object_iter_valid(props, it); it = jv_object_iter_next(props, it)) {
		jv key = jv_object_iter_key(props, it);
		jv sub = jv_object_iter_value(props, it);
		outline_line(key, sub, set_has(required, key), out, indent);
		jv_free(key);
		jv_free(sub);
	}
	jv_free(required);
	jv_free(props);
}

void jsonschema_outline(jv schema, struct buf *out)
{
	struct buf err = BUF_INIT;
	int ok = jsonschema_check(schema, &err) == 0;
	buf_free(&err);
	if (!ok)
		return;
	if (jvu_kind_borrow(schema, "properties") == JV_KIND_OBJECT)
		outline_properties(schema, out, 0);
	else
		outline_line(jv_null(), schema, 1, out, 0);
}
