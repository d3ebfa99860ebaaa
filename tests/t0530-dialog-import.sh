#!/usr/bin/env bash
# dialog-import: PersonaChat text, Synthetic-Persona-Chat CSV, SPASM, chat, ShareGPT and
# Hugging Face JSON Lines into conversation records; speaker and role mapping, the
# source's ids, lines and stops, persona ids, gzip, --limit, bad input.
. "$(dirname "$0")/lib.sh"

I=$FIXTURES/import

# want_records FILE: the expected records, one JSON text per line, re-printed compactly.
want_records() {
	jq -c . >"$1"
}

test_expect_success 'personachat: the persona owner (column 2) is the client, turns in file order' '
	dialog-import --from personachat "$I/personachat.txt" >out 2>err &&
	head -n 1 out >got &&
	want_records want <<-\EOF &&
	{"id":"personachat-000001","persona_id":"pc-5207bbdc6497","index":0,
	 "source":{"format":"personachat","id":null,"line":1},
	 "persona":{"sentences":["i have two dogs.","i like to work on vintage cars."]},
	 "description":"i have two dogs. i like to work on vintage cars.",
	 "turns":[{"speaker":"responder","text":"hi ! how are you doing tonight ?"},
	          {"speaker":"client","text":"i'"'"'m doing great . just relaxing with my two dogs ."},
	          {"speaker":"responder","text":"do you like cars ?"},
	          {"speaker":"client","text":"yes , i work on vintage cars ."}],
	 "status":"ok"}
	EOF
	test_cmp want got &&
	echo "dialog-import: 2 conversations from personachat, 0 rejected" >want && test_cmp want err
'

test_expect_success 'personachat: candidate columns are ignored, persona sentences trimmed' '
	dialog-import --from personachat "$I/personachat.txt" >out 2>/dev/null &&
	sed -n 2p out | jq -c "[.id, .persona.sentences, .description, .turns]" >got &&
	want_records want <<-\EOF &&
	["personachat-000002",["i like to work on vintage cars.","i have two dogs."],
	 "i like to work on vintage cars. i have two dogs.",
	 [{"speaker":"responder","text":"hello , who is this ?"},
	  {"speaker":"client","text":"a dog person , i have two dogs ."},
	  {"speaker":"responder","text":"nice to meet you ."},
	  {"speaker":"client","text":"likewise , bye ."}]]
	EOF
	test_cmp want got
'

test_expect_success 'persona_id: one persona in two dialogues (shuffled, respaced) has one id; another persona another' '
	dialog-import --from personachat "$I/personachat.txt" >out 2>/dev/null &&
	jq -r .persona_id out >got &&
	printf "pc-5207bbdc6497\npc-5207bbdc6497\n" >want && test_cmp want got &&
	printf "1 your persona: I have  TWO dogs.\n2 a\tb\n1 your persona: i have three cats.\n2 c\td\n" >other.txt &&
	dialog-import --from personachat other.txt >out 2>/dev/null &&
	jq -r .persona_id out >got &&
	head -n 1 got | grep -qx "pc-[0-9a-f]\{12\}" &&
	test "$(sed -n 1p got)" != "$(sed -n 2p got)" &&
	printf "1 your persona: i have two dogs.\n2 your persona: i like to work on vintage cars.\n3 a\tb\n" >same.txt &&
	dialog-import --from personachat same.txt | jq -r .persona_id >got 2>/dev/null &&
	echo pc-5207bbdc6497 >want && test_cmp want got
'

test_expect_success 'personachat: "partner'"'"'s persona" lines, CRLF ends, __SILENCE__ and blank lines' '
	printf "1 your persona: i sing.\r\n2 partner'"'"'s persona: i dance.\r\n\r\n3 __SILENCE__\thi , i sing .\r\n4 cool .\r\n" >both.txt &&
	dialog-import --from personachat both.txt >out 2>/dev/null &&
	jq -c "[.persona, .turns]" out >got &&
	echo "[{\"sentences\":[\"i sing.\"],\"partner_sentences\":[\"i dance.\"]},[{\"speaker\":\"client\",\"text\":\"hi , i sing .\"},{\"speaker\":\"responder\",\"text\":\"cool .\"}]]" >want &&
	test_cmp want got
'

test_expect_success 'spc: quoted multi-line fields, escaped quotes, User 1 is the client' '
	dialog-import --from spc "$I/spc.csv" >out 2>err &&
	head -n 1 out >got &&
	want_records want <<-\EOF &&
	{"id":"spc-000001","persona_id":"pc-a94a6bb19b85","index":0,"source":{"format":"spc","id":null,"line":2},
	 "persona":{"sentences":["I like to ski.","I have a cat named \"Pixel\"."],
	            "partner_sentences":["I am a nurse.","I work nights."]},
	 "description":"I like to ski. I have a cat named \"Pixel\".",
	 "turns":[{"speaker":"client","text":"Hi! Do you ski?"},
	          {"speaker":"responder","text":"No, I work nights at the hospital."},
	          {"speaker":"client","text":"My cat \"Pixel\" keeps me up at night too."},
	          {"speaker":"responder","text":"Ha! Here is my tip:\n\n1. sleep in the day\n2. drink water"},
	          {"speaker":"client","text":"Thanks, bye!"}],
	 "status":"ok"}
	EOF
	test_cmp want got &&
	echo "dialog-import: 3 conversations from spc, 0 rejected" >want && test_cmp want err
'

test_expect_success 'spc: unquoted fields, "*User 1:" tags, ids by row, same persona same id' '
	dialog-import --from spc "$I/spc.csv" >out 2>/dev/null &&
	jq -c "[.id, .persona_id, .description, .persona.partner_sentences, [.turns[] | .speaker + \": \" + .text]]" out | tail -n 2 >got &&
	want_records want <<-\EOF &&
	["spc-000002","pc-774d14f27615","I bake bread.",["I play chess."],["client: Hello.","responder: Hi, want to play chess?"]]
	["spc-000003","pc-774d14f27615","I bake bread.",["I am a pilot."],["client: Bread is life.","responder: Flying is life."]]
	EOF
	test_cmp want got
'

test_expect_success 'spc: columns are found by name; extra columns go to source_meta' '
	printf "\357\273\277Best Generated Conversation,split,User 1 Personas,user 2 personas\n\"User 2: Hi.\nUser 1: Hello.\",valid,I fish.,I swim.\n" >cols.csv &&
	dialog-import --from spc cols.csv >out 2>/dev/null &&
	jq -c "[.description, .turns, .source_meta]" out >got &&
	echo "[\"I fish.\",[{\"speaker\":\"responder\",\"text\":\"Hi.\"},{\"speaker\":\"client\",\"text\":\"Hello.\"}],{\"split\":\"valid\"}]" >want &&
	test_cmp want got
'

test_expect_success 'spasm: tested is the responder, text or content, unknown members under source_meta' '
	dialog-import --from spasm "$I/spasm.jsonl" >out 2>err &&
	want_records want <<-\EOF &&
	{"id":"run1/p7/0","persona_id":"p7","index":0,"source":{"format":"spasm","id":"run1/p7/0","line":1},
	 "persona":{"age":41,"occupation":"teacher"},
	 "description":"You are a 41-year-old teacher worried about your rent.",
	 "turns":[{"speaker":"client","text":"My landlord raised the rent again."},
	          {"speaker":"responder","text":"That sounds stressful. By how much?"},
	          {"speaker":"client","text":"Almost twenty percent."}],
	 "source_meta":{"client_model":"A","tested_model":"B","status":"done"},
	 "status":"ok"}
	{"id":"spasm-000002","persona_id":"pd-86a07a6b0063","index":0,"source":{"format":"spasm","id":null,"line":2},
	 "persona":{"age":23},"description":"You are a 23-year-old student.",
	 "turns":[{"speaker":"client","text":"Hi."},{"speaker":"responder","text":"Hello! How can I help?"}],
	 "status":"ok"}
	EOF
	test_cmp want out &&
	echo "dialog-import: 2 conversations from spasm, 0 rejected" >want && test_cmp want err
'

test_expect_success 'chat: system is the description, user the client, assistant the responder; tool traffic skipped' '
	dialog-import --from chat "$I/chat.jsonl" >out 2>err &&
	want_records want <<-\EOF &&
	{"id":"chat-000001","persona_id":"pd-19679d65c783","index":0,"source":{"format":"chat","id":null,"line":1},
	 "description":"You are Ana, a nurse who works nights.",
	 "turns":[{"speaker":"client","text":"I can never sleep during the day."},
	          {"speaker":"responder","text":"That is hard. What have you tried?"},
	          {"speaker":"client","text":"Earplugs, mostly."}],
	 "status":"ok"}
	{"id":"c-42","persona_id":"pd-924a56ec7ae3","index":0,"source":{"format":"chat","id":"c-42","line":2},
	 "description":"You are Bo.\nYou are tired.",
	 "turns":[{"speaker":"client","text":"Hello\nthere"},{"speaker":"responder","text":"Hi Bo."}],
	 "source_meta":{"model":"gpt-x"},"status":"ok"}
	EOF
	test_cmp want out &&
	echo "dialog-import: 2 conversations from chat, 0 rejected" >want && test_cmp want err
'

test_expect_success 'spasm: the published layout keeps persona_id/conversation_id as id and termination_reason as stop' '
	dialog-import --from spasm "$I/spasm-published.jsonl" >out 2>err &&
	want_records want <<-\EOF &&
	{"id":"101/1","persona_id":"101","index":0,"source":{"format":"spasm","id":"101/1","line":1},
	 "persona":{"age":34,"gender":"woman","occupation":"nurse","domain":"burnout"},
	 "description":"You are a 34-year-old nurse who feels burnt out.",
	 "turns":[{"speaker":"client","text":"I can'"'"'t keep up with the night shifts."},
	          {"speaker":"responder","text":"That sounds exhausting. What is hardest?"},
	          {"speaker":"client","text":"Sleeping. Thanks for listening, bye."}],
	 "stop":{"reason":"closure","by":"source","after":3,"source_reason":"natural_termination"},
	 "source_meta":{"client_model":"gpt-4o-mini","tested_model":"llama-3-8b"},"status":"ok"}
	{"id":"101/2","persona_id":"101","index":0,"source":{"format":"spasm","id":"101/2","line":2},
	 "persona":{"age":34,"gender":"woman","occupation":"nurse","domain":"burnout"},
	 "description":"You are a 34-year-old nurse who feels burnt out.",
	 "turns":[{"speaker":"client","text":"Night shifts again."},{"speaker":"responder","text":"Tell me more."}],
	 "stop":{"reason":"max_turns","by":"source","after":2,"source_reason":"max_turns"},
	 "source_meta":{"client_model":"gpt-4o-mini","tested_model":"qwen-2-7b"},"status":"ok"}
	{"id":"102/1","persona_id":"102","index":0,"source":{"format":"spasm","id":"102/1","line":3},
	 "persona":{"age":19},"description":"You are a 19-year-old student.",
	 "turns":[{"speaker":"client","text":"Exams."}],
	 "source_meta":{"client_model":"gpt-4o-mini","tested_model":"llama-3-8b"},"status":"ok"}
	EOF
	test_cmp want out &&
	echo "dialog-import: 3 conversations from spasm, 0 rejected" >want && test_cmp want err
'

test_expect_success 'spasm: every termination_reason maps to a stop reason; a bad one is rejected' '
	for pair in natural_termination:closure Natural:closure goodbye:closure max_turns:max_turns \
		turn_limit:max_turns max_turns_reached:max_turns repetition:loop loop_detected:loop \
		api_error:error user_left:other; do
		printf "{\"persona_id\":1,\"conversation_id\":2,\"turns\":[{\"speaker\":\"client\",\"text\":\"a\"}],\"termination_reason\":\"%s\"}\n" "${pair%%:*}" >in.jsonl &&
		dialog-import --from spasm in.jsonl 2>/dev/null | jq -r "[.id, .stop.reason, .stop.by, .stop.source_reason] | join(\" \")" >got &&
		echo "1/2 ${pair#*:} source ${pair%%:*}" >want && test_cmp want got || return 1
	done &&
	printf "%s\n" "{\"persona_id\":1,\"conversation_id\":3,\"turns\":[{\"speaker\":\"client\",\"text\":\"a\"}],\"termination_reason\":[1]}" \
		"{\"persona_id\":1,\"conversation_id\":{},\"turns\":[{\"speaker\":\"client\",\"text\":\"a\"}]}" \
		"{\"persona_id\":1,\"turns\":[{\"speaker\":\"client\",\"text\":\"a\"}],\"termination_reason\":null}" >in.jsonl &&
	test_expect_code 1 dialog-import --from spasm --rejects rej in.jsonl >out 2>err &&
	jq -c "[.id, .persona_id, .stop]" out >got &&
	echo "[\"spasm-000003\",\"1\",null]" >want && test_cmp want got &&
	sed -n 1,2p in.jsonl >want && test_cmp want rej &&
	cat >want <<-\EOF &&
	dialog-import: in.jsonl:1: "termination_reason" must be a string, not an array
	dialog-import: in.jsonl:2: "conversation_id" must be a string or a number, not an object
	dialog-import: 1 conversations from spasm, 2 rejected
	EOF
	test_cmp want err
'

test_expect_success 'every format says where a record came from: format, own id or null, line' '
	for f in personachat:personachat.txt spc:spc.csv spasm:spasm.jsonl chat:chat.jsonl sharegpt:sharegpt.jsonl hf:hf.jsonl; do
		dialog-import --from ${f%%:*} "$I/${f#*:}" 2>/dev/null | jq -c .source >"got-${f%%:*}" || return 1
	done &&
	cat got-personachat got-spc got-spasm got-chat got-sharegpt got-hf >got &&
	want_records want <<-\EOF &&
	{"format":"personachat","id":null,"line":1}
	{"format":"personachat","id":null,"line":5}
	{"format":"spc","id":null,"line":2}
	{"format":"spc","id":null,"line":12}
	{"format":"spc","id":null,"line":14}
	{"format":"spasm","id":"run1/p7/0","line":1}
	{"format":"spasm","id":null,"line":2}
	{"format":"chat","id":null,"line":1}
	{"format":"chat","id":"c-42","line":2}
	{"format":"sharegpt","id":"sg-1","line":1}
	{"format":"sharegpt","id":null,"line":2}
	{"format":"hf","id":null,"line":1}
	{"format":"hf","id":17,"line":2}
	{"format":"hf","id":null,"line":3}
	EOF
	test_cmp want got &&
	printf "\n\n{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}\n" >blank.jsonl &&
	cat "$I/chat.jsonl" blank.jsonl >two.jsonl &&
	dialog-import --from chat two.jsonl blank.jsonl 2>/dev/null | jq -c "[.id, .source.line]" >got &&
	printf "%s\n" "[\"chat-000001\",1]" "[\"c-42\",2]" "[\"chat-000003\",5]" "[\"chat-000004\",3]" >want && test_cmp want got
'

test_expect_success 'sharegpt: system is the description (blank line between), human the client, gpt the responder, kick-off dropped' '
	dialog-import --from sharegpt "$I/sharegpt.jsonl" >out 2>err &&
	want_records want <<-\EOF &&
	{"id":"sg-1","persona_id":"pd-ecf9bb830583","index":0,"source":{"format":"sharegpt","id":"sg-1","line":1},
	 "description":"You are Ana, a nurse.\n\nYou work nights.",
	 "turns":[{"speaker":"responder","text":"Hi, I'"'"'m Ana."},
	          {"speaker":"client","text":"Hello Ana, how are the nights?"}],
	 "source_meta":{"source":"export"},"status":"ok"}
	{"id":"sharegpt-000002","persona_id":"sharegpt-000002","index":0,
	 "source":{"format":"sharegpt","id":null,"line":2},"description":"",
	 "turns":[{"speaker":"client","text":"Hi."},{"speaker":"responder","text":"Hello! How can I help?"}],
	 "status":"ok"}
	EOF
	test_cmp want out &&
	echo "dialog-import: 2 conversations from sharegpt, 0 rejected" >want && test_cmp want err
'

test_expect_success 'sharegpt: --roles maps from values; the kick-off is dropped only as the first turn' '
	dialog-import --from sharegpt --roles human=responder,gpt=client,system=skip "$I/sharegpt.jsonl" >out 2>/dev/null &&
	jq -c "[.description, [.turns[] | .speaker + \": \" + .text]]" out >got &&
	want_records want <<-\EOF &&
	["",["client: Hi, I'"'"'m Ana.","responder: Hello Ana, how are the nights?"]]
	["",["responder: Hi.","client: Hello! How can I help?"]]
	EOF
	test_cmp want got &&
	echo "{\"conversations\":[{\"from\":\"user\",\"value\":\"hi\"},{\"from\":\"bot\",\"value\":\"(The conversation starts now. Please begin.)\"}]}" >in.jsonl &&
	dialog-import --from sharegpt --roles user=client,bot=responder in.jsonl 2>/dev/null | jq -c .turns >got &&
	echo "[{\"speaker\":\"client\",\"text\":\"hi\"},{\"speaker\":\"responder\",\"text\":\"(The conversation starts now. Please begin.)\"}]" >want &&
	test_cmp want got
'

test_expect_success 'sharegpt: an unknown from, bad values and an empty record are rejected by line, the rest imported, exit 1' '
	{ echo "{\"conversations\":[{\"from\":\"human\",\"value\":\"hi\"},{\"from\":\"bard\",\"value\":\"x\"}]}";
	  echo "{\"conversations\":[{\"from\":\"human\",\"value\":5}]}";
	  echo "{\"conversations\":[{\"from\":\"gpt\"}]}";
	  echo "{\"conversations\":[{\"value\":\"x\"}]}";
	  echo "{\"messages\":[]}";
	  echo "{\"conversations\":[{\"from\":\"human\",\"value\":\"(The conversation starts now. Please begin.)\"}]}";
	  echo "{\"conversations\":[null]}"; echo "{";
	  sed -n 2p "$I/sharegpt.jsonl"; } >in.jsonl &&
	test_expect_code 1 dialog-import --from sharegpt --rejects rej in.jsonl >out 2>err &&
	jq -r .id out >got && echo sharegpt-000008 >want && test_cmp want got &&
	sed -n 1,8p in.jsonl >want && test_cmp want rej &&
	grep -v "^dialog-import: in.jsonl:8: " err >got &&
	cat >want <<-\EOF &&
	dialog-import: in.jsonl:1: conversations[1] has an unknown "from" '"'"'bard'"'"' (map it with --roles)
	dialog-import: in.jsonl:2: conversations[0] has a "value" that is not text
	dialog-import: in.jsonl:3: conversations[0] has no "value"
	dialog-import: in.jsonl:4: conversations[0] has no "from" string
	dialog-import: in.jsonl:5: record has no "conversations" array
	dialog-import: in.jsonl:6: record has no client or responder turns
	dialog-import: in.jsonl:7: conversations[0] is null, not an object
	dialog-import: 1 conversations from sharegpt, 8 rejected
	EOF
	test_cmp want got &&
	grep -q "^dialog-import: in.jsonl:8: not JSON: " err
'

test_expect_success 'hf: the persona column is the description, the system message the system_prompt, kick-off dropped' '
	dialog-import --from hf "$I/hf.jsonl" >out 2>err &&
	want_records want <<-\EOF &&
	{"id":"hf-000001","persona_id":"pd-ba251ed71bb4","index":0,"source":{"format":"hf","id":null,"line":1},
	 "description":"I am Bo, a baker.","system_prompt":"Stay in character.",
	 "turns":[{"speaker":"responder","text":"Hello, I'"'"'m Bo."},{"speaker":"client","text":"Hi Bo."}],
	 "source_meta":{"split":"train"},"status":"ok"}
	{"id":"17","persona_id":"pd-c225eda83bd3","index":0,"source":{"format":"hf","id":17,"line":2},
	 "description":"I fish.\nI ski.",
	 "turns":[{"speaker":"client","text":"I fish on weekends."},{"speaker":"responder","text":"Nice!"}],
	 "status":"ok"}
	{"id":"hf-000003","persona_id":"pd-3149ca8e735f","index":0,"source":{"format":"hf","id":null,"line":3},
	 "description":"You are Cy.",
	 "turns":[{"speaker":"client","text":"hello"},{"speaker":"responder","text":"hey"}],"status":"ok"}
	EOF
	test_cmp want out &&
	echo "dialog-import: 3 conversations from hf, 0 rejected" >want && test_cmp want err &&
	echo "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"persona_description\":\"I sing.\",\"persona_id\":\"p1\"}" >in.jsonl &&
	dialog-import --from hf in.jsonl 2>/dev/null | jq -c "[.persona_id, .description]" >got &&
	echo "[\"p1\",\"I sing.\"]" >want && test_cmp want got &&
	dialog-import --from hf --roles user=responder,assistant=client,system=skip "$I/hf.jsonl" 2>/dev/null |
		jq -c "[.description, .system_prompt, .turns[0]]" | head -n 1 >got &&
	echo "[\"I am Bo, a baker.\",null,{\"speaker\":\"client\",\"text\":\"Hello, I'"'"'m Bo.\"}]" >want && test_cmp want got
'

test_expect_success 'hf: unmapped roles and persona columns of the wrong kind are rejected by line, exit 1' '
	{ echo "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"tool\",\"content\":\"42\"}]}";
	  echo "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"persona\":{}}";
	  echo "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"personas\":\"I fish.\"}";
	  echo "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"personas\":[\"a\",2]}";
	  echo "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"persona_description\":true}";
	  echo "{\"messages\":[{\"role\":\"system\",\"content\":\"only\"}],\"persona\":\"x\"}";
	  sed -n 3p "$I/hf.jsonl"; } >in.jsonl &&
	test_expect_code 1 dialog-import --from hf --rejects rej in.jsonl >out 2>err &&
	jq -r .id out >got && echo hf-000007 >want && test_cmp want got &&
	sed -n 1,6p in.jsonl >want && test_cmp want rej &&
	cat >want <<-\EOF &&
	dialog-import: in.jsonl:1: messages[1] has an unknown role '"'"'tool'"'"' (map it with --roles)
	dialog-import: in.jsonl:2: "persona" must be a string, not an object
	dialog-import: in.jsonl:3: "personas" must be an array of strings, not a string
	dialog-import: in.jsonl:4: "personas"[1] is a number, not a string
	dialog-import: in.jsonl:5: "persona_description" must be a string, not a boolean
	dialog-import: in.jsonl:6: record has no client or responder turns
	dialog-import: 1 conversations from hf, 6 rejected
	EOF
	test_cmp want err &&
	test_expect_code 1 dialog-import --from hf --roles user=client,assistant=responder,system=description,tool=skip \
		in.jsonl >out 2>/dev/null &&
	jq -r .id out >got &&
	printf "hf-000001\nhf-000007\n" >want && test_cmp want got
'

test_expect_success '--roles: a map that cannot be read, or a format without roles, is a usage error' '
	test_expect_code 2 dialog-import --from sharegpt --roles human=client,gpt "$I/sharegpt.jsonl" >out 2>err &&
	test ! -s out &&
	echo "dialog-import: cannot read --roles '"'"'human=client,gpt'"'"': '"'"'gpt'"'"' is not NAME=ROLE" >want && test_cmp want err &&
	test_expect_code 2 dialog-import --from hf --roles user=person "$I/hf.jsonl" >out 2>err &&
	echo "dialog-import: cannot read --roles '"'"'user=person'"'"': unknown role '"'"'person'"'"' (client, responder, description or skip)" >want &&
	test_cmp want err &&
	test_expect_code 2 dialog-import --from spasm --roles client=client "$I/spasm.jsonl" >out 2>err &&
	echo "dialog-import: --roles applies to --from chat, sharegpt and hf, not spasm" >want && test_cmp want err
'

test_expect_success 'gzip input is read transparently, from files and from stdin, in every format' '
	for f in personachat:personachat.txt spc:spc.csv spasm:spasm.jsonl chat:chat.jsonl sharegpt:sharegpt.jsonl hf:hf.jsonl; do
		format=${f%%:*} file=$I/${f#*:} &&
		dialog-import --from $format "$file" >want 2>/dev/null &&
		gzip -c "$file" >in.gz &&
		dialog-import --from $format in.gz >got 2>/dev/null && test_cmp want got &&
		dialog-import --from $format <in.gz >got 2>/dev/null && test_cmp want got &&
		dialog-import --from $format - <"$file" >got 2>/dev/null && test_cmp want got || exit 1
	done
'

test_expect_success 'several files are read in order; ids keep counting across them' '
	dialog-import --from personachat "$I/personachat.txt" "$I/personachat.txt" >out 2>err &&
	jq -r .id out >got &&
	printf "personachat-%06d\n" 1 2 3 4 >want && test_cmp want got &&
	grep -qx "dialog-import: 4 conversations from personachat, 0 rejected" err
'

test_expect_success '--limit N stops after N conversations' '
	dialog-import --from spc --limit 2 "$I/spc.csv" >out 2>err &&
	jq -r .id out >got && printf "spc-000001\nspc-000002\n" >want && test_cmp want got &&
	echo "dialog-import: 2 conversations from spc, 0 rejected" >want && test_cmp want err &&
	dialog-import --from chat -n 0 "$I/chat.jsonl" >out 2>/dev/null && test ! -s out
'

test_expect_success 'personachat: a line without a number rejects its dialogue whole, the rest imported, exit 1' '
	{ sed -n 1,3p "$I/personachat.txt"; echo "a wrapped line with no number"; sed -n 4,8p "$I/personachat.txt"; } >in.txt &&
	test_expect_code 1 dialog-import --from personachat --rejects rej.txt in.txt >out 2>err &&
	jq -r .id out >got && echo personachat-000002 >want && test_cmp want got &&
	sed -n 1,5p in.txt >want && test_cmp want rej.txt &&
	cat >want <<-\EOF &&
	dialog-import: in.txt:4: line does not start with a number and a space
	dialog-import: 1 conversations from personachat, 1 rejected
	EOF
	test_cmp want err
'

test_expect_success 'personachat: numbering gaps, bad starts, invalid UTF-8 and persona-only dialogues are named' '
	printf "3 your persona: x.\n4 a\tb\n1 your persona: y.\n2 a\tb\n4 c\td\n1 ok\tfine\n1 your persona: z.\n1 caf\351\tb\n1 your persona: only.\n2 your persona: persona.\n1 last\tone\n" >in.txt &&
	test_expect_code 1 dialog-import --from personachat --rejects rej.txt in.txt >out 2>err &&
	jq -c "[.id, .turns[0].text]" out >got &&
	printf "[\"personachat-000003\",\"ok\"]\n[\"personachat-000007\",\"last\"]\n" >want && test_cmp want got &&
	cat >want <<-\EOF &&
	dialog-import: in.txt:1: dialogue starts at line number 3, not 1
	dialog-import: in.txt:5: line number 4 follows 2
	dialog-import: in.txt:8: line is not valid UTF-8
	dialog-import: in.txt:9: dialogue has no utterances
	dialog-import: 2 conversations from personachat, 5 rejected
	EOF
	grep -v "^dialog-import: in.txt:7:" err >got && test_cmp want got &&
	grep -qx "dialog-import: in.txt:7: dialogue has no utterances" err &&
	{ sed -n 1,5p in.txt; sed -n 7,10p in.txt; } >want && test_cmp want rej.txt
'

test_expect_success 'spc: a row with the wrong number of fields is named at its first line and copied verbatim' '
	{ head -n 1 "$I/spc.csv"; printf "\"x\",\"y\nstill y\"\r\n\"a\",\"b\",\"User 1: c\",\"d\"\r\n"; tail -n 2 "$I/spc.csv"; } >in.csv &&
	test_expect_code 1 dialog-import --from spc --rejects rej.csv in.csv >out 2>err &&
	jq -r .id out >got && echo spc-000003 >want && test_cmp want got &&
	printf "\"x\",\"y\nstill y\"\r\n\"a\",\"b\",\"User 1: c\",\"d\"\r\n" >want && test_cmp want rej.csv &&
	cat >want <<-\EOF &&
	dialog-import: in.csv:2: row has 2 fields, the header has 3
	dialog-import: in.csv:4: row has 4 fields, the header has 3
	dialog-import: 1 conversations from spc, 2 rejected
	EOF
	test_cmp want err
'

test_expect_success 'spc: an unterminated quote at the end of input rejects that row only' '
	cp "$I/spc.csv" in.csv &&
	printf "\"a\",\"b\",\"User 1: never\nclosed\n" >>in.csv &&
	test_expect_code 1 dialog-import --from spc --rejects rej.csv in.csv >out 2>err &&
	test_line_count = 3 out &&
	printf "\"a\",\"b\",\"User 1: never\nclosed\n" >want && test_cmp want rej.csv &&
	grep -qx "dialog-import: in.csv:16: unterminated quoted field at end of input" err &&
	grep -qx "dialog-import: 3 conversations from spc, 1 rejected" err
'

test_expect_success 'spc: invalid UTF-8, text after a closing quote, a conversation without tags are rejected' '
	{ head -n 1 "$I/spc.csv"; printf "\"caf\351\",\"b\",\"User 1: x\"\n\"a\"x,\"b\",\"User 1: y\"\n\"a\",\"b\",\"just prose\"\n\"a\",\"b\",\"User 2: ok\"\n"; } >in.csv &&
	test_expect_code 1 dialog-import --from spc --rejects rej.csv in.csv >out 2>err &&
	jq -c "[.id, .turns]" out >got &&
	echo "[\"spc-000004\",[{\"speaker\":\"responder\",\"text\":\"ok\"}]]" >want && test_cmp want got &&
	sed -n 2,4p in.csv >want && test_cmp want rej.csv &&
	cat >want <<-\EOF &&
	dialog-import: in.csv:2: row is not valid UTF-8
	dialog-import: in.csv:3: text after a closing quote
	dialog-import: in.csv:4: conversation has no "User 1:" or "User 2:" lines
	dialog-import: 1 conversations from spc, 3 rejected
	EOF
	test_cmp want err
'

test_expect_success 'spc: a header without a required column skips that file, not the next' '
	printf "persona,conversation\n\"a\",\"User 1: b\"\n" >nohead.csv &&
	test_expect_code 1 dialog-import --from spc nohead.csv "$I/spc.csv" >out 2>err &&
	test_line_count = 3 out &&
	grep -qx "dialog-import: nohead.csv:1: no \"user 1 personas\" column in the header" err &&
	grep -qx "dialog-import: 3 conversations from spc, 1 rejected" err
'

test_expect_success '--max-line-bytes bounds a CSV row, a PersonaChat line and a JSON line; the next one is read' '
	{ head -n 1 "$I/spc.csv"; printf "\"a\",\"b\",\"User 1: "; head -c 300000 /dev/zero | tr "\0" x; printf "\"\n"; tail -n 4 "$I/spc.csv"; } >long.csv &&
	test_expect_code 1 dialog-import --from spc --max-line-bytes 4096 --rejects rej long.csv >out 2>err &&
	test_line_count = 2 out && test ! -s rej &&
	grep -qx "dialog-import: long.csv:2: row longer than 4096 bytes" err &&
	{ printf "1 your persona: x.\n2 "; head -c 300000 /dev/zero | tr "\0" y; printf "\tz\n"; sed -n 5,8p "$I/personachat.txt"; } >long.txt &&
	test_expect_code 1 dialog-import --from personachat --max-line-bytes 4096 long.txt >out 2>err &&
	jq -r .id out >got && echo personachat-000002 >want && test_cmp want got &&
	grep -qx "dialog-import: long.txt:2: line longer than 4096 bytes" err &&
	{ printf "{\"turns\":[{\"speaker\":\"client\",\"text\":\""; head -c 300000 /dev/zero | tr "\0" z; printf "\"}]}\n"; sed -n 2p "$I/spasm.jsonl"; } >long.jsonl &&
	test_expect_code 1 dialog-import --from spasm --max-line-bytes 4096 long.jsonl >out 2>err &&
	jq -r .id out >got && echo spasm-000001 >want && test_cmp want got &&
	grep -qx "dialog-import: long.jsonl:1: line longer than 4096 bytes" err
'

test_expect_success 'an unterminated quote at the top of a large file ends in one bounded rejection, no hang' '
	{ head -n 1 "$I/spc.csv"; printf "\"open"; head -c 2000000 /dev/zero | tr "\0" "\n"; } >open.csv &&
	test_expect_code 1 dialog-import --from spc --max-line-bytes 65536 open.csv >out 2>err &&
	test ! -s out &&
	grep -qx "dialog-import: open.csv:2: row longer than 65536 bytes" err
'

test_expect_success 'spasm and chat: bad records are named by line, copied verbatim, the rest imported' '
	{ sed -n 1p "$I/spasm.jsonl"; echo "not json";
	  echo "{\"turns\":[{\"speaker\":\"user\",\"text\":\"hi\"}]}";
	  echo "{\"turns\":[{\"speaker\":\"client\"}]}";
	  echo "{\"persona_description\":\"x\"}";
	  echo "{\"turns\":[],\"persona_fields\":{}}";
	  echo "{\"turns\":[{\"speaker\":\"client\",\"text\":\"a\"}],\"persona_fields\":[1]}";
	  sed -n 2p "$I/spasm.jsonl"; } >in.jsonl &&
	test_expect_code 1 dialog-import --from spasm --rejects rej in.jsonl >out 2>err &&
	jq -r .id out >got && printf "run1/p7/0\nspasm-000007\n" >want && test_cmp want got &&
	sed -n 2,7p in.jsonl >want && test_cmp want rej &&
	grep -q "^dialog-import: in.jsonl:2: not JSON: " err &&
	grep -qx "dialog-import: in.jsonl:3: turns\[0\] has an unknown speaker '"'"'user'"'"' (client or tested)" err &&
	grep -qx "dialog-import: in.jsonl:4: turns\[0\] has no \"text\" or \"content\" string" err &&
	grep -qx "dialog-import: in.jsonl:5: record has no \"turns\" array" err &&
	grep -qx "dialog-import: in.jsonl:6: record has no turns" err &&
	grep -qx "dialog-import: in.jsonl:7: \"persona_fields\" must be an object, not an array" err &&
	grep -qx "dialog-import: 2 conversations from spasm, 6 rejected" err &&
	{ echo "{\"messages\":[{\"role\":\"narrator\",\"content\":\"x\"}]}";
	  echo "{\"messages\":[{\"role\":\"system\",\"content\":\"only a system\"}]}";
	  echo "{\"messages\":\"hi\"}"; echo "[]";
	  echo "{\"messages\":[{\"role\":\"user\",\"content\":5}]}";
	  sed -n 1p "$I/chat.jsonl"; } >in.jsonl &&
	test_expect_code 1 dialog-import --from chat --rejects rej in.jsonl >out 2>err &&
	jq -r .id out >got && echo chat-000005 >want && test_cmp want got &&
	sed -n 1,5p in.jsonl >want && test_cmp want rej &&
	grep -qx "dialog-import: in.jsonl:1: messages\[0\] has an unknown role '"'"'narrator'"'"' (map it with --roles)" err &&
	grep -qx "dialog-import: in.jsonl:2: record has no client or responder turns" err &&
	grep -qx "dialog-import: in.jsonl:3: record has no \"messages\" array" err &&
	grep -qx "dialog-import: in.jsonl:4: expected an object, got an array" err &&
	grep -qx "dialog-import: in.jsonl:5: messages\[0\] has a \"content\" that is neither text nor text parts" err
'

test_expect_success 'turns and messages of the wrong kind are reported, never a crash' '
	printf "%s\n" "{\"turns\":[1,null,\"x\"]}" "{\"turns\":[{\"speaker\":7,\"text\":{}}]}" "{\"id\":{},\"turns\":[{\"speaker\":\"client\",\"content\":\"a\"}]}" >in.jsonl &&
	test_expect_code 1 dialog-import --from spasm in.jsonl >out 2>err &&
	jq -r .id out >got && echo spasm-000003 >want && test_cmp want got &&
	grep -qx "dialog-import: in.jsonl:1: turns\[0\] is a number, not an object" err &&
	grep -qx "dialog-import: in.jsonl:2: turns\[0\] has no \"speaker\" string" err &&
	printf "%s\n" "{\"messages\":[null]}" "{\"messages\":[{\"role\":3}]}" "{\"messages\":[{\"role\":\"user\",\"content\":[7]}]}" >in.jsonl &&
	test_expect_code 1 dialog-import --from chat in.jsonl >out 2>err &&
	test ! -s out &&
	grep -qx "dialog-import: in.jsonl:1: messages\[0\] is null, not an object" err &&
	grep -qx "dialog-import: in.jsonl:2: messages\[0\] has no \"role\" string" err &&
	grep -qx "dialog-import: 0 conversations from chat, 3 rejected" err
'

test_expect_success 'random bytes in any format: reported, never a crash or a hang' '
	head -c 200000 /dev/urandom >noise &&
	for f in personachat spc spasm chat sharegpt hf; do
		test_expect_code 1 dialog-import --from $f --max-line-bytes 65536 noise >/dev/null 2>err &&
		grep -q "^dialog-import: 0 conversations from $f, [1-9][0-9]* rejected$" err || exit 1
	done
'

test_expect_success 'a missing input file is a usage error: named, exit 2, nothing imported' '
	test_expect_code 2 dialog-import --from chat missing.jsonl "$I/chat.jsonl" >out 2>err &&
	test_line_count = 0 out &&
	grep -qx "dialog-import: cannot open '"'"'missing.jsonl'"'"': No such file or directory" err &&
	test_expect_code 2 dialog-import --from personachat "$I/personachat.txt" missing.txt >out 2>err &&
	test_line_count = 0 out &&
	grep -qx "dialog-import: cannot open '"'"'missing.txt'"'"': No such file or directory" err
'

test_expect_success 'imported conversations go through dialog-stop' '
	dialog-import --from spc "$I/spc.csv" | dialog-stop >out 2>err &&
	head -n 1 out | jq -c "[.id, .stop.reason, .stop.after]" >got &&
	echo "[\"spc-000001\",\"closure\",5]" >want && test_cmp want got
'

test_expect_success 'usage errors exit 2: no --from, an unknown format' '
	test_expect_code 2 dialog-import "$I/chat.jsonl" >out 2>err &&
	test ! -s out &&
	grep -qx "dialog-import: --from FORMAT is required (one of personachat, spc, spasm, chat, sharegpt, hf)" err &&
	test_expect_code 2 dialog-import --from csv "$I/chat.jsonl" >out 2>err &&
	grep -qx "dialog-import: unknown format '"'"'csv'"'"' for --from (one of personachat, spc, spasm, chat, sharegpt, hf)" err &&
	test_expect_code 2 dialog-import --from chat --limit -1 </dev/null 2>/dev/null &&
	dialog-import --help >help &&
	grep -q -- "--from FORMAT" help
'

test_done
