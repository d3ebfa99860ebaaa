/* import_chat — the chat-shaped JSON Lines formats, read by one reader:
 *   chat      OpenAI chat: "messages" of {"role", "content"}, content a string or text parts;
 *   hf        Hugging Face chat: the same "messages", and a persona column ("persona",
 *             "personas" joined by newlines, or "persona_description") that becomes the
 *             description (the system text then goes to "system_prompt");
 *   sharegpt  ShareGPT: "conversations" of {"from", "value"}.
 * Roles go through the importer's role map (client, responder, description, skip);
 * description messages are joined (chat: by a newline; hf, sharegpt: by a blank line);
 * a first turn that is exactly the kick-off (CHAT_KICKOFF) is dropped.
 *
 * Part of importers (importers.h is the contract; import_internal.h the shared state
 * and helpers). Never ends the process (except out of memory).
 */
#ifndef PS_IMPORT_CHAT_H
#define PS_IMPORT_CHAT_H

#include <stddef.h>
#include <stdint.h>
#include <jv.h>

struct import_at;

/* The conversation of one record, or jv_invalid() with reason set. rec is borrowed;
 * at says where it was read, in which format and with which role map. */
jv import_chat_record(jv rec, const struct import_at *at, char *reason, size_t size);

#endif
