/* prompt: placeholders filled from a record, values never re-expanded, loading files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "prompt.h"
#include "unit.h"

static struct buf out, err;

/* The expansion of tmpl against record (JSON), or "ERROR: <err>". */
static const char *expand(const char *tmpl, const char *record)
{
	buf_reset(&out);
	buf_reset(&err);
	jv r = jv_parse(record);
	int rc = prompt_expand(tmpl, r, &out, &err);
	jv_free(r);
	if (rc < 0) {
		buf_reset(&out);
		buf_addf(&out, "ERROR: %s", err.data ? err.data : "");
	}
	return out.data ? out.data : "";
}

int main(void)
{
	CHECK_STR(expand("Hi {{name}}!", "{\"fields\":{\"name\":\"Ann\"}}"), "Hi Ann!",
		  "a field fills its placeholder");
	CHECK_STR(expand("{{id}}", "{\"id\":\"top\",\"fields\":{\"id\":\"field\"}}"), "field",
		  "a persona field wins over a record member of the same name");
	CHECK_STR(expand("You are: {{description}}", "{\"description\":\"a nurse\",\"fields\":{}}"), "You are: a nurse",
		  "a record member fills a placeholder with no such field");
	CHECK_STR(expand("{{age}}|{{likes}}|{{none}}|{{o}}",
			 "{\"fields\":{\"age\":58,\"likes\":[\"tea\",2],\"none\":null,\"o\":{\"a\":[1]}}}"),
		  "58|tea, 2||{\"a\":[1]}",
		  "numbers as JSON, lists joined with \", \", null as nothing, objects compact");
	CHECK_STR(expand("{{fields}}", "{\"fields\":{\"age\":58,\"likes\":[\"tea\",\"jazz\"]}}"),
		  "- age: 58\n- likes: tea, jazz\n", "{{fields}} is one line per field");
	CHECK_STR(expand("[{{fields}}]", "{\"id\":\"x\"}"), "[]", "{{fields}} of a record without fields is empty");
	CHECK_STR(expand("{{a}}", "{\"fields\":{\"a\":\"{{b}}\",\"b\":\"no\"}}"), "{{b}}",
		  "values are never expanded again");
	CHECK_STR(expand("x {{}} y", "{}"), "x {{}} y", "an empty placeholder is left as text");
	CHECK_STR(expand("x {{open", "{}"), "x {{open", "an unclosed placeholder is left as text");
	CHECK_STR(expand("no placeholders", "{}"), "no placeholders", "a template without placeholders is copied");
	CHECK_STR(expand("{{a}} {{b}}", "{\"fields\":{}}"),
		  "ERROR: prompt placeholder '{{a}}' has no value in this record",
		  "a placeholder without a value is an error naming the first one");

	char dir[] = "/tmp/test-prompt-XXXXXX";
	CHECK(mkdtemp(dir) != NULL, "a temporary folder");
	char path[256];
	snprintf(path, sizeof path, "%s/t.txt", dir);
	FILE *f = fopen(path, "w");
	fputs("Hello {{name}}\n", f);
	fclose(f);
	char *text = prompt_load(path);
	CHECK_STR(text, "Hello {{name}}\n", "a template is read from a path as it is");
	free(text);
	f = fopen(path, "w");
	fclose(f);
	CHECK(prompt_load(path) == NULL, "an empty template is refused");
	unlink(path);
	CHECK(prompt_load(path) == NULL, "a missing template is refused");
	rmdir(dir);
	buf_free(&out);
	buf_free(&err);
	return UNIT_DONE();
}
