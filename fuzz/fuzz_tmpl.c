/*
 * fuzz_tmpl.c - libFuzzer target for the template compiler and renderer.
 *
 * The input is split at each "%%%" into up to five templates: the first is
 * "main", the others "p1".."p4", so inputs can reach partials (including
 * recursive ones). Each is compiled into two sets, one plain and one with
 * TMPL_STRICT_RAW, and "main" is rendered from both against a small fixed
 * context whose shapes exercise every value kind, shadowing and the
 * falsey rules. Rendering goes into a capped buf. A crash, leak, sanitizer
 * report or an output longer than the cap is a bug; compile errors and
 * render failures are expected outcomes.
 */
#include "tmpl/tmpl.h"
#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUT_MAX ((size_t)1 << 18)
#define MAX_PARTS 5

static const char context_json[] =
	"{\"a\":{\"a\":false,\"b\":{\"c\":\"deep\"},\"n\":1},"
	"\"list\":[1,2.5,\"x\",{\"name\":\"inner\",\"list\":[]},null,true],"
	"\"name\":\"<b>&'\\\"\",\"n\":42,\"r\":1.21,\"t\":true,\"f\":false,\"z\":null,"
	"\"e\":[],\"s\":\"\",\"x_html\":\"<i>ok</i>\",\"o\":{},"
	"\"story\":{\"title\":\"T\",\"body_html\":\"<p>b</p>\",\"tags\":[\"p\",\"q\"]}}";

static json_t *context(void)
{
	static json_t *ctx;
	if (!ctx) {
		ctx = json_loads(context_json, 0, NULL);
		if (!ctx)
			abort();
	}
	return ctx;
}

static void render_main(const struct tmpl_set *s)
{
	struct buf out;
	buf_init(&out, OUT_MAX);
	if (tmpl_render(s, "main", context(), &out) == 0 && buf_failed(&out))
		abort();
	if (out.len > OUT_MAX)
		abort();
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src = (const char *)data;
	struct tmpl_set *plain = tmpl_set_new(0);
	struct tmpl_set *strict = tmpl_set_new(TMPL_STRICT_RAW);
	char err[128];
	size_t start = 0;

	for (int part = 0; part < MAX_PARTS && start <= size; part++) {
		const char *sep = NULL;
		if (part < MAX_PARTS - 1)
			sep = memmem(src + start, size - start, "%%%", 3);
		size_t end = sep ? (size_t)(sep - src) : size;
		char name[8] = "main";
		if (part)
			snprintf(name, sizeof(name), "p%d", part);
		if (tmpl_set_add(plain, name, src + start, end - start, err, sizeof(err)) < 0 &&
		    strncmp(err, "line ", 5) != 0)
			abort();
		if (tmpl_set_add(strict, name, src + start, end - start, err, sizeof(err)) < 0 &&
		    strncmp(err, "line ", 5) != 0)
			abort();
		if (!sep)
			break;
		start = end + 3;
	}
	render_main(plain);
	render_main(strict);
	tmpl_set_free(plain);
	tmpl_set_free(strict);
	return 0;
}
