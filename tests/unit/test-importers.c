/* importers: each format, from a tiny input file to the exact records, and what is
 * rejected. persona_id is a hash: it is checked against persona_id_of, whose own
 * normalisation is pinned first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "capture.h"
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
		      "{\"id\":\"personachat-000002\",\"persona_id\":\"PID0\",\"index\":0,\"source\":\"personachat\","
		      " \"persona\":{\"sentences\":[\"i like cats.\",\"i am a nurse.\"],\"partner_sentences\":[\"i "
		      "ski.\"]},"
		      " \"description\":\"i like cats. i am a "
		      "nurse.\",\"turns\":[{\"speaker\":\"responder\",\"text\":\"hi there\"},"
		      " {\"speaker\":\"client\",\"text\":\"hello , how are you "
		      "?\"},{\"speaker\":\"responder\",\"text\":\"fine thanks\"}],"
		      " \"status\":\"ok\"},"
		      "{\"id\":\"personachat-000003\",\"persona_id\":\"PID1\",\"index\":0,\"source\":\"personachat\","
		      " \"persona\":{\"sentences\":[\"i fish.\"]},\"description\":\"i fish.\","
		      " \"turns\":[{\"speaker\":\"responder\",\"text\":\"hello\"},{\"speaker\":\"client\",\"text\":"
		      "\"bye\"}],\"status\":\"ok\"},"
		      "{\"id\":\"personachat-000004\",\"persona_id\":\"PID2\",\"index\":0,\"source\":\"personachat\","
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
	CHECK(records_are(
		      got,
		      "[{\"id\":\"personachat-000001\",\"persona_id\":\"PID1\",\"index\":0,\"source\":\"personachat\","
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
		      "[{\"id\":\"spc-000001\",\"persona_id\":\"PID0\",\"index\":0,\"source\":\"spc\","
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
			  "[{\"id\":\"s1\",\"persona_id\":\"PID0\",\"index\":0,\"source\":\"spasm\",\"persona\":{"
			  "\"age\":30},"
			  " \"description\":\"A nurse.\",\"turns\":[{\"speaker\":\"client\",\"text\":\"hi\"},"
			  " {\"speaker\":\"responder\",\"text\":\"hello\"}],\"source_meta\":{\"status\":\"done\","
			  "\"extra\":1},\"status\":\"ok\"},"
			  "{\"id\":\"7\",\"persona_id\":\"P9\",\"index\":0,\"source\":\"spasm\",\"description\":\"\","
			  " \"turns\":[{\"speaker\":\"responder\",\"text\":\"only\"}],\"status\":\"ok\"},"
			  "{\"id\":\"spasm-000004\",\"persona_id\":\"spasm-000004\",\"index\":0,\"source\":\"spasm\","
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
			  "[{\"id\":\"chat-000001\",\"persona_id\":\"PID0\",\"index\":0,\"source\":\"chat\","
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
		      strstr(c.err, ":3: record has no user or assistant messages"),
	      "each rejection says why");
	unlink(path);
	return UNIT_DONE();
}
