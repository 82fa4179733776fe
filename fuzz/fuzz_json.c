/*
 * fuzz_json.c - libFuzzer target for the JSON request mapping of the API:
 * the bytes go through jansson with the flags web_json_body() uses
 * (src/web/web.c), then, when they make an object, through the same
 * field mapping and validation the story handlers use
 * (story_input_from_json, story_validate) and the handle normalisation of
 * POST /api/v1/tokens. It never touches a store.
 *
 * Beyond crashes and sanitizer reports it aborts when a result breaks a
 * promise: a validated title is 1-200 characters of valid UTF-8 on one line
 * without surrounding white space, a subtitle at most 300, a status one of
 * the two words, a body valid UTF-8 without NUL; every accepted string can
 * be put back into a JSON response (json_string() never refuses it), and
 * a normalised handle is 2-30 of [a-z0-9_].
 */
#include "accounts/accounts.h"
#include "core/text.h"
#include "stories/stories_web.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void need(bool ok)
{
	if (!ok)
		abort();
}

static bool one_line_ok(const char *s, size_t max_chars)
{
	size_t n = strlen(s);
	if (!utf8_valid(s, n) || text_has_controls(s, n, false) || utf8_count(s, n) > max_chars)
		return false;
	if (n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		return false;
	return true;
}

static void json_back(const char *s)
{
	if (!s)
		return;
	json_t *j = json_string(s);
	need(j != NULL);
	json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t err;
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
			       &err);
	if (!j)
		return 0;
	/* What jansson accepted it can write out and read back. */
	char *dump = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
	if (dump) {
		json_t *again = json_loads(dump, JSON_DECODE_ANY, &err);
		need(again != NULL);
		json_decref(again);
		free(dump);
	}
	if (!json_is_object(j)) {
		json_decref(j);
		return 0;
	}
	struct arena a;
	arena_init(&a);
	struct story_input in = {0};
	const char *msg = story_input_from_json(&a, j, &in);
	if (msg) {
		need(*msg != '\0');
	} else {
		enum story_err e = story_validate(&a, &in);
		need(story_strerror(e) != NULL);
		if (e == STORY_OK) {
			if (in.title) {
				need(in.title[0] != '\0');
				need(one_line_ok(in.title, TITLE_MAX_CHARS));
			}
			if (in.subtitle)
				need(one_line_ok(in.subtitle, SUBTITLE_MAX_CHARS));
			if (in.body)
				need(utf8_valid(in.body, strlen(in.body)));
			if (in.status)
				need(!strcmp(in.status, "draft") || !strcmp(in.status, "published"));
			json_back(in.title);
			json_back(in.subtitle);
			json_back(in.body);
		}
	}
	json_t *jh = json_object_get(j, "handle");
	if (json_is_string(jh)) {
		const char *h = handle_normalise(&a, json_string_value(jh));
		if (h) {
			size_t n = strlen(h);
			need(n >= 2 && n <= 30);
			for (size_t i = 0; i < n; i++)
				need((h[i] >= 'a' && h[i] <= 'z') || (h[i] >= '0' && h[i] <= '9') ||
				     h[i] == '_');
		}
	}
	arena_release(&a);
	json_decref(j);
	return 0;
}
