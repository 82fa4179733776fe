/* fuzz_fed.c - what a fediverse request carries, before the store sees
 * it: an Accept header (fed_accept_wants_ap), a WebFinger resource
 * (fed_resource_handle), an activity (fed_activity_parse) and a remote
 * actor's document (fed_actor_parse) from arbitrary bytes, and a
 * server's name and an actor's URL as a writer types them
 * (fed_domain_normalise, fed_actor_normalise). A handle
 * found is always a bounded run of letters, digits and '_'; an activity
 * that parses has its id, type and actor; an actor that parses holds
 * the key asked for, on the key's own origin. */
#include "fed/fed.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	struct arena a;
	arena_init(&a);
	if (fed_accept_wants_ap(s) != fed_accept_wants_ap(s))
		abort();
	static const char *const bases[] = {"http://127.0.0.1:8080", "https://quire.example",
					    "https://[::1]:8443"};
	for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		const char *h = fed_resource_handle(&a, s, bases[b]);
		if (!h)
			continue;
		size_t n = strlen(h);
		if (n == 0 || n > 64)
			abort();
		for (size_t i = 0; i < n; i++)
			if (!isalnum((unsigned char)h[i]) && h[i] != '_')
				abort();
	}
	struct fed_activity act;
	if (fed_activity_parse(&a, s, size, &act) == FED_OK &&
	    (!act.id[0] || !act.type[0] || !act.actor[0] || !act.object_id || !act.object_type ||
	     !act.object_in_reply_to || !act.object_attributed_to || !act.object_content))
		abort();
	const char *d = fed_domain_normalise(&a, s);
	if (d) {
		size_t n = strlen(d);
		if (n == 0 || n > 253 || d[0] == '.' || d[0] == ':')
			abort();
		for (size_t i = 0; i < n; i++)
			if (!islower((unsigned char)d[i]) && !isdigit((unsigned char)d[i]) && d[i] != '.' &&
			    d[i] != '-' && d[i] != ':')
				abort();
		const char *again = fed_domain_normalise(&a, d);
		if (!again || strcmp(again, d) != 0)
			abort();
	}
	const char *u = fed_actor_normalise(&a, s);
	if (u) {
		size_t n = strlen(u);
		if (n > 2048 || strchr(u, '#') || (strncmp(u, "https://", 8) && strncmp(u, "http://", 7)))
			abort();
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)u[i] <= ' ' || u[i] == 0x7f)
				abort();
		const char *again = fed_actor_normalise(&a, u);
		if (!again || strcmp(again, u) != 0 || !*fed_url_host(&a, u))
			abort();
	}
	static const char key[] = "https://m.example/users/x#main-key";
	struct fed_remote_actor ra;
	enum fed_err e = fed_actor_parse(&a, s, size, key, &ra);
	if (e == FED_OK && (strcmp(ra.key_id, key) != 0 || !fed_same_origin(ra.id, key) ||
			    !ra.public_pem || !ra.inbox))
		abort();
	if (e == FED_KEY_DOC && !fed_same_origin(ra.id, key))
		abort();
	arena_release(&a);
	free(s);
	return 0;
}
