/* fuzz_frontmatter.c - the YAML front matter of Markdown files from
 * outside (src/porting/frontmatter.c, read by `quire import quire`): any
 * bytes are parsed or refused with a message naming a line; the body is
 * what follows the front matter inside the input; every string read back
 * is written again by the emitter and parsed to the same string; and the
 * story reader over it (quire_read_story) accepts or refuses cleanly. */
#include "porting/export.h"
#include "porting/frontmatter.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Emit s, parse it back, and insist on the same string. */
static void roundtrip(struct arena *a, const char *s)
{
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "---\n");
	fm_put_key_str(&b, 0, "k", s);
	buf_adds(&b, "---\n");
	struct fm_node *r;
	const char *body;
	size_t blen;
	char err[300];
	if (!fm_parse(a, buf_str(&b), b.len, &r, &body, &blen, err, sizeof(err)))
		abort();
	const char *back = fm_str(r, "k");
	if (!back || strcmp(back, s) != 0 || blen != 0)
		abort();
	buf_release(&b);
}

static void walk(struct arena *a, const struct fm_node *n, int depth)
{
	if (depth > FM_MAX_DEPTH + 2)
		abort();
	if (n->type == FM_SCALAR) {
		roundtrip(a, n->text);
		return;
	}
	for (size_t i = 0; i < n->n; i++) {
		if (n->type == FM_MAP && !n->keys[i])
			abort();
		walk(a, n->items[i], depth + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a);
	const char *text = (const char *)data;
	struct fm_node *root = NULL;
	const char *body = NULL;
	size_t blen = 0;
	char err[300] = "";
	if (fm_parse(&a, text, size, &root, &body, &blen, err, sizeof(err))) {
		if (!root || root->type != FM_MAP || !body || body < text || body + blen != text + size)
			abort();
		walk(&a, root, 0);
	} else if (root || strncmp(err, "line ", 5) != 0) {
		abort();
	}
	struct quire_story s;
	err[0] = '\0';
	if (!quire_read_story(&a, "content/_posts/x.md", text, size, &s, err, sizeof(err))) {
		if (!err[0])
			abort();
	} else {
		if (!s.t.title || !s.source_id[0] || !s.t.body)
			abort();
		for (size_t i = 0; i < s.nphotos; i++) {
			const char *f = s.photos[i].file;
			if (!f || f[0] == '/' || !strncmp(f, "../", 3) || strstr(f, "/../") ||
			    (strlen(f) >= 3 && !strcmp(f + strlen(f) - 3, "/..")) || !strcmp(f, ".."))
				abort();
		}
		size_t n;
		const char *ids[1] = {"0123456789abcdef"};
		const char *files[1] = {s.nphotos ? s.photos[0].file : "x.jpg"};
		(void)quire_swap_photos(&a, s.t.body, s.t.path, files, ids, 1, &n);
	}
	arena_release(&a);
	return 0;
}
