/* importers: each format, from a tiny input file to the exact records, and what is
 * rejected. persona_id is a hash: it is checked against persona_id_of, whose own
 * normalisation is pinned first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "capture.h"
#include "import_spasm.h"
#include "importers.h"
#include "unit.h"

static char path[64], gzpath[64];

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* Every record of the file in the format, as an array; *rejected counts refusals. */
static jv import_all(enum import_format format, const char *file, uint64_t *rejected)
{
	char *paths[1] = { (char *)file };
	struct importer *im = importer_open(format, paths, 1, 1 << 20, NULL);
	jv all = jv_array(), rec;
	while (importer_next(im, &rec))
		all = jv_array_append(all, rec);
	if (rejected)
		*rejected = importer_rejected(im);
	if (importer_conversations(im) != (uint64_t)jv_array_length(jv_copy(all)))
		all = jv_array_append(all, jv_string("conversation count disagrees"));
	importer_close(im);
	return all;
}

/* want is JSON text with "PID<n>" strings standing for ids[n]. */
static int records_are(jv got, const char *want, const char *const *ids, int nids)
{
	jv w = jv_parse(want);
	for (int i = 0; i < jv_array_length(jv_copy(w)); i++) {
		jv r = jv_array_get(jv_copy(w), i);
		jv pid = jv_object_get(jv_copy(r), jv_string("persona_id"));
		for (int k = 0; k < nids; k++) {
			char name[16];
			snprintf(name, sizeof name, "PID%d", k);
			if (jv_get_kind(pid) == JV_KIND_STRING && strcmp(jv_string_value(pid), name) == 0)
				r = jv_object_set(r, jv_string("persona_id"), jv_string(ids[k]));
		}
		jv_free(pid);
		w = jv_array_set(w, i, r);
	}
	int same = jv_equal(jv_copy(got), jv_copy(w));
	if (!same) {
		jv text = jv_dump_string(got, 0);
		printf("#   got: %s\n", jv_string_value(text));
		jv_free(text);
	} else {
		jv_free(got);
	}
	jv_free(w);
	return same;
}

/* got (consumed) is the JSON text want. */
static int json_is(jv got, const char *want)
{
	jv w = jv_parse(want);
	int same = jv_equal(jv_copy(got), w);
	if (!same) {
		jv text = jv_dump_string(jv_copy(got), 0);
		printf("#   got: %s\n", jv_string_value(text));
		jv_free(text);
	}
	jv_free(got);
	return same;
}

/* The turns of a record (consumed). */
static jv turns_of(jv rec)
{
	jv turns = jv_object_get(jv_copy(rec), jv_string("turns"));
	jv_free(rec);
	return turns;
}

static void import_body(void *arg)
{
	const enum import_format *format = arg;
	uint64_t rejected;
	jv all = import_all(*format, path, &rejected);
	printf("%d/%llu", jv_array_length(all), (unsigned long long)rejected);
}

int main(void)
{
	snprintf(path, sizeof path, "/tmp/test-importers-%ld.txt", (long)getpid());
	snprintf(gzpath, sizeof gzpath, "/tmp/test-importers-%ld.txt.gz", (long)getpid());

	enum import_format f;
	CHECK(import_format_parse("spc", &f) == 0 && f == IMPORT_SPC && import_format_parse("SPC", &f) < 0,
	      "format names are exact");
	CHECK_STR(import_format_name(IMPORT_CHAT), "chat", "a format has its name");

	const char *a[2] = { "I like  CATS.", "\tb " }, *b[2] = { "b", "i like cats." };
	char *ia = persona_id_of("pc", a, 2, 1), *ib = persona_id_of("pc", b, 2, 1), *ic = persona_id_of("pc", a, 2, 0);
	CHECK(strcmp(ia, ib) == 0, "persona ids ignore case, runs of white space and (sorted) sentence order");
	CHECK(strcmp(ib, ic) != 0, "unsorted, the order counts");
	CHECK(strlen(ia) == 15 && strncmp(ia, "pc-", 3) == 0 && strspn(ia + 3, "0123456789abcdef") == 12,
	      "a persona id is PREFIX-12 hex digits (%s)", ia);
	free(ia);
	free(ib);
	free(ic);

	/* PersonaChat: numbering restarts at 1 for each dialogue. */
	write_file("2 stray\tline\n"
		   "1 your persona: i like cats.\n"
		   "2 your persona: i am a nurse.\n"
		   "3 partner's persona: i ski.\n"
		   "4 hi there\thello , how are you ?\n"
		   "5 fine thanks\t__SILENCE__\n"
		   "1 your persona: i fish.\n"
		   "2 hello\tbye\textra column\n"
		   "\n"
		   "1 your persona: ok.\r\n"
		   "2 a\tb");
	const char *s1[2] = { "i like cats.", "i am a nurse." }, *s2[1] = { "i fish." }, *s3[1] = { "ok." };
	char *pids[3] = { persona_id_of("pc", s1, 2, 1), persona_id_of("pc", s2, 1, 1), persona_id_of("pc", s3, 1, 1) };
	uint64_t rejected = 0;
	jv got = import_all(IMPORT_PERSONACHAT, path, &rejected);
	CHECK(records_are(
		      got,
		      "["
		      "{\"id\":\"personachat-000002\",\"persona_id\":\"PID0\",\"index\":0,\"source\":{\"format\":"
		      "\"personachat\",\"id\":null,\"line\":2},"
		      " \"persona\":{\"sentences\":[\"i like cats.\",\"i am a nurse.\"],\"partner_sentences\":[\"i "
		      "ski.\"]},"
		      " \"description\":\"i like cats. i am a "
		      "nurse.\",\"turns\":[{\"speaker\":\"responder\",\"text\":\"hi there\"},"
		      " {\"speaker\":\"client\",\"text\":\"hello , how are you "
		      "?\"},{\"speaker\":\"responder\",\"text\":\"fine thanks\"}],"
		      " \"status\":\"ok\"},"
		      "{\"id\":\"personachat-000003\",\"persona_id\":\"PID1\",\"index\":0,\"source\":{\"format\":"
		      "\"personachat\",\"id\":null,\"line\":7},"
		      " \"persona\":{\"sentences\":[\"i fish.\"]},\"description\":\"i fish.\","
		      " \"turns\":[{\"speaker\":\"responder\",\"text\":\"hello\"},{\"speaker\":\"client\",\"text\":"
		      "\"bye\"}],\"status\":\"ok\"},"
		      "{\"id\":\"personachat-000004\",\"persona_id\":\"PID2\",\"index\":0,\"source\":{\"format\":"
		      "\"personachat\",\"id\":null,\"line\":10},"
		      " \"persona\":{\"sentences\":[\"ok.\"]},\"description\":\"ok.\","
		      " \"turns\":[{\"speaker\":\"responder\",\"text\":\"a\"},{\"speaker\":\"client\",\"text\":\"b\"}],"
		      "\"status\":\"ok\"}]",
		      (const char *const *)pids, 3),
	      "personachat: persona and partner sentences, column A responder then B client, __SILENCE__ and a "
	      "third column dropped, CRLF and a missing final newline accepted, a bad dialogue skipped but numbered");
	CHECK(rejected == 1, "a dialogue not starting at 1 is rejected (got %llu)", (unsigned long long)rejected);

	struct captured c;
	enum import_format pc = IMPORT_PERSONACHAT;
	capture(&c, import_body, &pc);
	char want[512];
	snprintf(want, sizeof want, "persona: %s:1: dialogue starts at line number 2, not 1\n", path);
	CHECK_STR(c.err, want, "a rejected dialogue is reported as FILE:LINE: reason");

	gzFile gz = gzopen(gzpath, "wb");
	gzputs(gz, "1 your persona: i fish.\n2 hello\tbye\n");
	gzclose(gz);
	got = import_all(IMPORT_PERSONACHAT, gzpath, NULL);
	CHECK(records_are(got,
			  "[{\"id\":\"personachat-000001\",\"persona_id\":\"PID1\",\"index\":0,\"source\":{\"format\":"
			  "\"personachat\",\"id\":null,\"line\":1},"
			  " \"persona\":{\"sentences\":[\"i fish.\"]},\"description\":\"i fish.\","
			  " \"turns\":[{\"speaker\":\"responder\",\"text\":\"hello\"},{\"speaker\":\"client\",\"text\":"
			  "\"bye\"}],"
			  " \"status\":\"ok\"}]",
			  (const char *const *)pids, 3),
	      "gzip input is read transparently");
	unlink(gzpath);
	for (int i = 0; i < 3; i++)
		free(pids[i]);

	/* Synthetic-Persona-Chat CSV: quoted fields with newlines and doubled quotes. */
	write_file("user 1 personas,user 2 personas,Best Generated Conversation,extra\n"
		   "\"I like tea.\nI run.\",\"I cook.\",\"User 1: Hi!\nUser 2: Hello, \"\"friend\"\".\nand "
		   "more\n**User 1:** Bye\",x1\n"
		   "a,b\n"
		   "p,q,nothing here,z\n");
	const char *t1[2] = { "I like tea.", "I run." };
	pids[0] = persona_id_of("pc", t1, 2, 1);
	got = import_all(IMPORT_SPC, path, &rejected);
	CHECK(records_are(
		      got,
		      "[{\"id\":\"spc-000001\",\"persona_id\":\"PID0\",\"index\":0,\"source\":{\"format\":\"spc\","
		      "\"id\":null,\"line\":2},"
		      " \"persona\":{\"sentences\":[\"I like tea.\",\"I run.\"],\"partner_sentences\":[\"I cook.\"]},"
		      " \"description\":\"I like tea. I run.\",\"turns\":[{\"speaker\":\"client\",\"text\":\"Hi!\"},"
		      " {\"speaker\":\"responder\",\"text\":\"Hello, \\\"friend\\\".\\nand "
		      "more\"},{\"speaker\":\"client\",\"text\":\"Bye\"}],"
		      " \"source_meta\":{\"extra\":\"x1\"},\"status\":\"ok\"}]",
		      (const char *const *)pids, 1),
	      "spc: User 1 is the client, untagged lines continue a turn, extra columns go to source_meta");
	CHECK(rejected == 2, "a short row and a row without User lines are rejected (got %llu)",
	      (unsigned long long)rejected);
	free(pids[0]);
	enum import_format spc = IMPORT_SPC;
	capture(&c, import_body, &spc);
	snprintf(want, sizeof want,
		 "persona: %s:7: row has 2 fields, the header has 4\n"
		 "persona: %s:8: conversation has no \"User 1:\" or \"User 2:\" lines\n",
		 path, path);
	CHECK_STR(c.err, want, "each rejected row is reported at the line it starts on");
	write_file("a,b,c\n1,2,3\n");
	capture(&c, import_body, &spc);
	snprintf(want, sizeof want, "persona: %s:1: no \"user 1 personas\" column in the header\n", path);
	CHECK(strcmp(c.out, "0/1") == 0, "a CSV without the needed columns gives nothing");
	CHECK_STR(c.err, want, "and names the missing column");

	/* SPASM JSON Lines. */
	write_file(
		"{\"id\":\"s1\",\"persona_fields\":{\"age\":30},\"persona_description\":\"A nurse.\","
		"\"turns\":[{\"speaker\":\"client\",\"text\":\"hi\"},{\"speaker\":\"tested\",\"content\":\"hello\"}],"
		"\"status\":\"done\",\"extra\":1}\n"
		"{\"turns\":[{\"speaker\":\"bot\",\"text\":\"x\"}]}\n"
		"{\"id\":7,\"persona_id\":\"P9\",\"turns\":[{\"speaker\":\"responder\",\"text\":\"only\"}]}\n"
		"{\"turns\":[{\"speaker\":\"client\",\"text\":\"x\"}]}\n");
	const char *d1 = "A nurse.";
	pids[0] = persona_id_of("pd", &d1, 1, 0);
	got = import_all(IMPORT_SPASM, path, &rejected);
	CHECK(records_are(got,
			  "[{\"id\":\"s1\",\"persona_id\":\"PID0\",\"index\":0,\"source\":{\"format\":\"spasm\",\"id\":"
			  "\"s1\",\"line\":1},\"persona\":{"
			  "\"age\":30},"
			  " \"description\":\"A nurse.\",\"turns\":[{\"speaker\":\"client\",\"text\":\"hi\"},"
			  " {\"speaker\":\"responder\",\"text\":\"hello\"}],\"source_meta\":{\"status\":\"done\","
			  "\"extra\":1},\"status\":\"ok\"},"
			  "{\"id\":\"7\",\"persona_id\":\"P9\",\"index\":0,\"source\":{\"format\":\"spasm\",\"id\":7,"
			  "\"line\":3},\"description\":\"\","
			  " \"turns\":[{\"speaker\":\"responder\",\"text\":\"only\"}],\"status\":\"ok\"},"
			  "{\"id\":\"spasm-000004\",\"persona_id\":\"spasm-000004\",\"index\":0,\"source\":{\"format\":"
			  "\"spasm\",\"id\":null,\"line\":4},"
			  "\"description\":\"\","
			  " \"turns\":[{\"speaker\":\"client\",\"text\":\"x\"}],\"status\":\"ok\"}]",
			  (const char *const *)pids, 1),
	      "spasm: tested is the responder, content is text, a source's own status is kept in source_meta, "
	      "integer ids become strings, a record without id is numbered by its line");
	CHECK(rejected == 1, "an unknown speaker rejects its record");
	free(pids[0]);
	enum import_format spasm = IMPORT_SPASM;
	capture(&c, import_body, &spasm);
	CHECK(strstr(c.err, ":2: turns[0] has an unknown speaker 'bot' (client or tested)") != NULL,
	      "the rejection names the turn and the speaker");

	/* OpenAI chat JSON Lines. */
	write_file("{\"messages\":[{\"role\":\"system\",\"content\":\"You are "
		   "Ann.\"},{\"role\":\"user\",\"content\":\"hi\"},"
		   "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"hel\"},{\"type\":\"text\","
		   "\"text\":\"lo\"}]},"
		   "{\"role\":\"tool\",\"content\":\"x\"},{\"role\":\"assistant\",\"content\":null}],\"model\":\"m\"}\n"
		   "{\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}\n"
		   "{\"messages\":[{\"role\":\"system\",\"content\":\"only a system\"}]}\n");
	const char *d2 = "You are Ann.";
	pids[0] = persona_id_of("pd", &d2, 1, 0);
	got = import_all(IMPORT_CHAT, path, &rejected);
	CHECK(records_are(got,
			  "[{\"id\":\"chat-000001\",\"persona_id\":\"PID0\",\"index\":0,\"source\":{\"format\":"
			  "\"chat\",\"id\":null,\"line\":1},"
			  " \"description\":\"You are Ann.\",\"turns\":[{\"speaker\":\"client\",\"text\":\"hi\"},"
			  " {\"speaker\":\"responder\",\"text\":\"hel\\nlo\"}],\"source_meta\":{\"model\":\"m\"},"
			  "\"status\":\"ok\"}]",
			  (const char *const *)pids, 1),
	      "chat: system is the description, user the client, text parts joined, tool messages and empty "
	      "assistant turns dropped");
	CHECK(rejected == 2, "an unknown role and a conversation without user or assistant are rejected");
	free(pids[0]);
	enum import_format chat = IMPORT_CHAT;
	capture(&c, import_body, &chat);
	CHECK(strstr(c.err, ":2: messages[0] has an unknown role 'wizard'") &&
		      strstr(c.err, ":3: record has no client or responder turns"),
	      "each rejection says why");

	/* SPASM's published layout: its persona_id/conversation_id are the id, its
	 * termination_reason the stop. */
	write_file(
		"{\"persona_id\":101,\"conversation_id\":1,\"persona_fields\":{\"age\":34},"
		"\"persona_description\":\"A nurse.\",\"turns\":[{\"speaker\":\"client\",\"content\":\"hi\"},"
		"{\"speaker\":\"tested\",\"content\":\"hello\"}],\"termination_reason\":\"natural_termination\"}\n"
		"{\"persona_id\":\"p2\",\"conversation_id\":\"c9\",\"turns\":[{\"speaker\":\"client\",\"text\":\"x\"}],"
		"\"termination_reason\":\"Max_Turns\"}\n"
		"{\"persona_id\":5,\"turns\":[{\"speaker\":\"client\",\"text\":\"y\"}],\"termination_reason\":null}\n"
		"{\"conversation_id\":1,\"turns\":[{\"speaker\":\"client\",\"text\":\"z\"}],\"termination_reason\":7}"
		"\n");
	got = import_all(IMPORT_SPASM, path, &rejected);
	CHECK(records_are(got,
			  "[{\"id\":\"101/1\",\"persona_id\":\"101\",\"index\":0,"
			  " \"source\":{\"format\":\"spasm\",\"id\":\"101/1\",\"line\":1},\"persona\":{\"age\":34},"
			  " \"description\":\"A nurse.\",\"turns\":[{\"speaker\":\"client\",\"text\":\"hi\"},"
			  " {\"speaker\":\"responder\",\"text\":\"hello\"}],"
			  " \"stop\":{\"reason\":\"closure\",\"by\":\"source\",\"after\":2,"
			  "\"source_reason\":\"natural_termination\"},\"status\":\"ok\"},"
			  "{\"id\":\"p2/c9\",\"persona_id\":\"p2\",\"index\":0,"
			  " \"source\":{\"format\":\"spasm\",\"id\":\"p2/c9\",\"line\":2},\"description\":\"\","
			  " \"turns\":[{\"speaker\":\"client\",\"text\":\"x\"}],"
			  " \"stop\":{\"reason\":\"max_turns\",\"by\":\"source\",\"after\":1,\"source_reason\":\"Max_"
			  "Turns\"},"
			  " \"status\":\"ok\"},"
			  "{\"id\":\"spasm-000003\",\"persona_id\":\"5\",\"index\":0,"
			  " \"source\":{\"format\":\"spasm\",\"id\":null,\"line\":3},\"description\":\"\","
			  " \"turns\":[{\"speaker\":\"client\",\"text\":\"y\"}],\"status\":\"ok\"}]",
			  NULL, 0),
	      "spasm: persona_id/conversation_id make the id, persona_id alone keeps the numbered id, "
	      "termination_reason becomes a stop by the source, null is no stop");
	CHECK(rejected == 1, "a termination_reason that is not a string rejects its record");
	capture(&c, import_body, &spasm);
	CHECK(strstr(c.err, ":4: \"termination_reason\" must be a string, not a number") != NULL, "and says so");
	static const char *const stop_table[][2] = {
		{ "natural_termination", "closure" },
		{ "natural", "closure" },
		{ "natural_end", "closure" },
		{ "closure", "closure" },
		{ "goodbye", "closure" },
		{ "max_turns", "max_turns" },
		{ "max_turns_reached", "max_turns" },
		{ "turn_limit", "max_turns" },
		{ "TURN_LIMIT", "max_turns" },
		{ "max_length", "max_turns" },
		{ "loop", "loop" },
		{ "loop_detected", "loop" },
		{ "repetition", "loop" },
		{ "error", "error" },
		{ "api_error", "error" },
		{ "user_left", "other" },
		{ "natural_termination!", "other" },
		{ "", "other" },
	};
	for (size_t i = 0; i < sizeof stop_table / sizeof *stop_table; i++)
		CHECK_STR(import_spasm_stop_reason(stop_table[i][0]), stop_table[i][1],
			  "SPASM termination_reason '%s' is the stop reason '%s'", stop_table[i][0], stop_table[i][1]);

	/* Role maps. */
	char why[160];
	struct import_roles *roles =
		import_roles_parse("a=client,b=responder,c=description,d=skip,a=responder", why, sizeof why);
	CHECK(roles != NULL, "a role map of every role parses, a later name overrides");
	import_roles_free(roles);
	static const char *const bad_maps[][2] = {
		{ "", "'' is not NAME=ROLE" },
		{ "human", "'human' is not NAME=ROLE" },
		{ "human=client,", "'' is not NAME=ROLE" },
		{ "=client", "'=client' is not NAME=ROLE" },
		{ "human=", "'human=' is not NAME=ROLE" },
		{ "human=user", "unknown role 'user' (client, responder, description or skip)" },
	};
	for (size_t i = 0; i < sizeof bad_maps / sizeof *bad_maps; i++) {
		roles = import_roles_parse(bad_maps[i][0], why, sizeof why);
		CHECK(roles == NULL, "role map '%s' is refused", bad_maps[i][0]);
		CHECK_STR(why, bad_maps[i][1], "with the reason");
	}
	CHECK(import_roles_default(IMPORT_SPASM) == NULL && import_roles_default(IMPORT_PERSONACHAT) == NULL,
	      "formats with speakers of their own have no role map");
	CHECK_STR(import_roles_default(IMPORT_SHAREGPT), "human=client,gpt=responder,system=description",
		  "sharegpt's default map");
	CHECK_STR(import_roles_default(IMPORT_HF), "user=client,assistant=responder,system=description",
		  "hf's default map");

	/* ShareGPT. */
	write_file("{\"id\":\"sg-1\",\"conversations\":[{\"from\":\"system\",\"value\":\"You are Ana.\"},"
		   "{\"from\":\"system\",\"value\":\"You work nights.\"},"
		   "{\"from\":\"human\",\"value\":\"(The conversation starts now. Please begin.)\"},"
		   "{\"from\":\"gpt\",\"value\":\"Hi, I am Ana.\"},{\"from\":\"human\",\"value\":\"Hello.\"}],"
		   "\"lang\":\"en\"}\n"
		   "{\"conversations\":[{\"from\":\"bard\",\"value\":\"x\"}]}\n"
		   "{\"id\":7,\"conversations\":[{\"from\":\"human\",\"value\":\"hi\"},"
		   "{\"from\":\"gpt\",\"value\":\"(The conversation starts now. Please begin.)\"}]}\n"
		   "{\"conversations\":[{\"from\":\"human\",\"value\":[\"x\"]}]}\n"
		   "{\"conversations\":[{\"from\":\"human\",\"value\":\"(The conversation starts now. Please "
		   "begin.)\"}]}\n");
	const char *d3 = "You are Ana.\n\nYou work nights.";
	pids[0] = persona_id_of("pd", &d3, 1, 0);
	got = import_all(IMPORT_SHAREGPT, path, &rejected);
	CHECK(records_are(got,
			  "[{\"id\":\"sg-1\",\"persona_id\":\"PID0\",\"index\":0,"
			  " \"source\":{\"format\":\"sharegpt\",\"id\":\"sg-1\",\"line\":1},"
			  " \"description\":\"You are Ana.\\n\\nYou work nights.\","
			  " \"turns\":[{\"speaker\":\"responder\",\"text\":\"Hi, I am Ana.\"},"
			  " {\"speaker\":\"client\",\"text\":\"Hello.\"}],\"source_meta\":{\"lang\":\"en\"},\"status\":"
			  "\"ok\"},"
			  "{\"id\":\"7\",\"persona_id\":\"7\",\"index\":0,"
			  " \"source\":{\"format\":\"sharegpt\",\"id\":7,\"line\":3},\"description\":\"\","
			  " \"turns\":[{\"speaker\":\"client\",\"text\":\"hi\"},"
			  " {\"speaker\":\"responder\",\"text\":\"(The conversation starts now. Please begin.)\"}],"
			  " \"status\":\"ok\"}]",
			  (const char *const *)pids, 1),
	      "sharegpt: system messages joined by a blank line are the description, human the client, gpt "
	      "the responder, the kick-off dropped only as the first turn, a number id kept");
	CHECK(rejected == 3, "an unknown from, a value that is not text, a kick-off alone are rejected (got %llu)",
	      (unsigned long long)rejected);
	free(pids[0]);
	enum import_format sharegpt = IMPORT_SHAREGPT;
	capture(&c, import_body, &sharegpt);
	snprintf(want, sizeof want,
		 "persona: %s:2: conversations[0] has an unknown \"from\" 'bard' (map it with --roles)\n"
		 "persona: %s:4: conversations[0] has a \"value\" that is not text\n"
		 "persona: %s:5: record has no client or responder turns\n",
		 path, path, path);
	CHECK_STR(c.err, want, "each rejection names the message and why");

	char *one[1] = { path };
	struct importer *im = importer_open(IMPORT_SHAREGPT, one, 1, 1 << 20, NULL);
	importer_set_roles(im,
			   import_roles_parse("human=responder,gpt=client,system=skip,bard=client", why, sizeof why));
	jv all = jv_array(), rec;
	while (importer_next(im, &rec))
		all = jv_array_append(all, turns_of(rec));
	CHECK(importer_rejected(im) == 2, "with a role map, bard is known");
	importer_close(im);
	CHECK(json_is(all, "[[{\"speaker\":\"client\",\"text\":\"Hi, I am "
			   "Ana.\"},{\"speaker\":\"responder\",\"text\":\"Hello.\"}],"
			   "[{\"speaker\":\"client\",\"text\":\"x\"}],"
			   "[{\"speaker\":\"responder\",\"text\":\"hi\"},"
			   "{\"speaker\":\"client\",\"text\":\"(The conversation starts now. Please begin.)\"}]]"),
	      "--roles swaps the speakers, skips the system messages and names a new one");

	/* Hugging Face chat: a persona column. */
	write_file("{\"messages\":[{\"role\":\"system\",\"content\":\"Be kind.\"},"
		   "{\"role\":\"user\",\"content\":\"(The conversation starts now. Please begin.)\"},"
		   "{\"role\":\"assistant\",\"content\":\"Hi.\"},{\"role\":\"user\",\"content\":\"Hey.\"}],"
		   "\"persona\":\"I am Ana.\",\"split\":\"train\"}\n"
		   "{\"id\":\"h2\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"personas\":[\"I fish.\",\"I "
		   "ski.\"]}\n"
		   "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"persona_description\":\"I sing.\"}\n"
		   "{\"messages\":[{\"role\":\"system\",\"content\":\"A.\"},{\"role\":\"system\",\"content\":\"B.\"},"
		   "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}],\"persona_id\":42}\n"
		   "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"tool\",\"content\":\"x\"}]}\n"
		   "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"persona\":5}\n"
		   "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"personas\":[\"a\",null]}\n");
	const char *h1 = "I am Ana.", *h2 = "I fish.\nI ski.", *h3 = "I sing.";
	char *hpids[3] = { persona_id_of("pd", &h1, 1, 0), persona_id_of("pd", &h2, 1, 0),
			   persona_id_of("pd", &h3, 1, 0) };
	got = import_all(IMPORT_HF, path, &rejected);
	CHECK(records_are(
		      got,
		      "[{\"id\":\"hf-000001\",\"persona_id\":\"PID0\",\"index\":0,"
		      " \"source\":{\"format\":\"hf\",\"id\":null,\"line\":1},\"description\":\"I am Ana.\","
		      " \"system_prompt\":\"Be kind.\",\"turns\":[{\"speaker\":\"responder\",\"text\":\"Hi.\"},"
		      " {\"speaker\":\"client\",\"text\":\"Hey.\"}],\"source_meta\":{\"split\":\"train\"},\"status\":"
		      "\"ok\"},"
		      "{\"id\":\"h2\",\"persona_id\":\"PID1\",\"index\":0,"
		      " \"source\":{\"format\":\"hf\",\"id\":\"h2\",\"line\":2},\"description\":\"I fish.\\nI ski.\","
		      " \"turns\":[{\"speaker\":\"client\",\"text\":\"hi\"}],\"status\":\"ok\"},"
		      "{\"id\":\"hf-000003\",\"persona_id\":\"PID2\",\"index\":0,"
		      " \"source\":{\"format\":\"hf\",\"id\":null,\"line\":3},\"description\":\"I sing.\","
		      " \"turns\":[{\"speaker\":\"client\",\"text\":\"hi\"}],\"status\":\"ok\"},"
		      "{\"id\":\"hf-000004\",\"persona_id\":\"42\",\"index\":0,"
		      " \"source\":{\"format\":\"hf\",\"id\":null,\"line\":4},\"description\":\"A.\\n\\nB.\","
		      " \"turns\":[{\"speaker\":\"responder\",\"text\":\"ok\"}],\"status\":\"ok\"}]",
		      (const char *const *)hpids, 3),
	      "hf: the persona column is the description and the system text the system_prompt; personas "
	      "joined by newlines; without a persona column the system messages are the description");
	CHECK(rejected == 3, "an unmapped role and persona columns of the wrong kind are rejected (got %llu)",
	      (unsigned long long)rejected);
	for (int i = 0; i < 3; i++)
		free(hpids[i]);
	enum import_format hf = IMPORT_HF;
	capture(&c, import_body, &hf);
	snprintf(want, sizeof want,
		 "persona: %s:5: messages[1] has an unknown role 'tool' (map it with --roles)\n"
		 "persona: %s:6: \"persona\" must be a string, not a number\n"
		 "persona: %s:7: \"personas\"[1] is null, not a string\n",
		 path, path, path);
	CHECK_STR(c.err, want, "each hf rejection says why");
	unlink(path);
	return UNIT_DONE();
}
