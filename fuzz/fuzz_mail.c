/* fuzz_mail.c - email text from arbitrary bytes (mail/mime.h): an
 * address a reader types is either refused or comes out as one lowercase
 * address of the accepted shape; quoted-printable decodes back to its
 * input with no line over 76 bytes; a message built from hostile fields
 * is refused or holds only CRLF lines with no bare CR or LF, none over
 * 998 bytes, and no header a field smuggled in. */
#include "mail/mime.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_addr(struct arena *a, const char *p, size_t n)
{
	const char *e = mail_addr_normalise(a, p, n);
	if (!e)
		return;
	size_t len = strlen(e);
	if (len < 3 || len > MAIL_ADDR_MAX)
		abort();
	const char *at = strchr(e, '@');
	if (!at || strchr(at + 1, '@') || !strchr(at + 1, '.'))
		abort();
	for (const char *q = e; *q; q++)
		if ((*q >= 'A' && *q <= 'Z') || (unsigned char)*q <= ' ' || (unsigned char)*q >= 0x7f)
			abort();
	/* Normalising is idempotent. */
	const char *again = mail_addr_normalise(a, e, len);
	if (!again || strcmp(again, e) != 0)
		abort();
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void check_qp(const char *p, size_t n)
{
	struct buf out;
	buf_init(&out, 1 << 20);
	mime_qp(&out, p, n);
	const char *q = buf_str(&out);
	size_t len = out.len, col = 0;
	char *dec = malloc(len + 1);
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		if (q[i] == '\r') {
			if (i + 1 >= len || q[i + 1] != '\n')
				abort();
			col = 0;
			i++;
			dec[k++] = '\n';
			continue;
		}
		if (++col > 76)
			abort();
		if (q[i] == '=') {
			if (i + 2 < len && q[i + 1] == '\r' && q[i + 2] == '\n') {
				i += 2;
				col = 0;
				continue;
			}
			if (i + 2 >= len || hexval(q[i + 1]) < 0 || hexval(q[i + 2]) < 0)
				abort();
			dec[k++] = (char)(hexval(q[i + 1]) * 16 + hexval(q[i + 2]));
			i += 2;
			col += 2;
			continue;
		}
		if (q[i] == '.' && col == 1)
			abort(); /* a dot opening a line is always escaped */
		dec[k++] = q[i];
	}
	/* The input with CRLF read as LF. */
	char *want = malloc(n + 1);
	size_t w = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
			continue;
		want[w++] = p[i];
	}
	if (w != k || memcmp(want, dec, k) != 0)
		abort();
	free(want);
	free(dec);
	buf_release(&out);
}

static void check_msg(const char *const f[4])
{
	struct mime_msg m = {0};
	m.from_name = f[0];
	m.from_addr = "stories@example.org";
	m.to_addr = "reader@example.com";
	m.subject = f[1];
	m.message_id = "<abc@example.org>";
	m.date = 1790000000;
	m.list_unsubscribe = "https://example.org/unsubscribe/s1";
	m.text = f[2];
	m.html = f[3];
	struct buf out;
	buf_init(&out, 1 << 22);
	if (mime_build(&m, &out)) {
		const char *s = buf_str(&out);
		size_t line = 0;
		bool in_headers = true;
		unsigned subjects = 0, froms = 0;
		for (size_t i = 0; i < out.len; i++) {
			if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
				abort();
			if (s[i] == '\r' && (i + 1 >= out.len || s[i + 1] != '\n'))
				abort();
			if (s[i] == '\n') {
				if (line == 1 && in_headers)
					in_headers = false;
				line = 0;
				continue;
			}
			if (++line > 998)
				abort();
			if (in_headers && line == 1) {
				subjects += strncmp(s + i, "Subject:", 8) == 0;
				froms += strncmp(s + i, "From:", 5) == 0;
			}
		}
		if (subjects != 1 || froms != 1)
			abort();
	}
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	arena_init(&a);
	char *p = malloc(size ? size : 1);
	if (size)
		memcpy(p, data, size);
	check_addr(&a, p, size);
	check_qp(p, size);
	/* Four NUL-separated fields of a message. */
	const char *f[4] = {"", "", "", ""};
	char *z = malloc(size + 1);
	memcpy(z, p, size);
	z[size] = '\0';
	size_t k = 0, start = 0;
	for (size_t i = 0; i <= size && k < 4; i++) {
		if (i == size || z[i] == '\0') {
			z[i] = '\0';
			f[k++] = z + start;
			start = i + 1;
		}
	}
	check_msg(f);
	free(z);
	free(p);
	arena_release(&a);
	return 0;
}
