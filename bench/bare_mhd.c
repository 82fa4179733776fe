/*
 * bare_mhd.c - the ceiling of Quire's own HTTP stack: a libmicrohttpd
 * server configured like Quire's (internal thread pool in poll mode,
 * connection timeout, response queued on the second callback) that
 * answers every GET with the same bytes, held in memory as Quire holds
 * its stored pages.
 *
 * Not part of the product; bench/run.sh builds and starts it.
 *
 *   bare_mhd FILE PORT [THREADS]
 *
 * Prints "listening on PORT" when ready; stops on SIGINT/SIGTERM.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct MHD_Response *page;

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload;
	/* First call: headers only. Answering now would make 0.9.75 close
	 * the connection after the response (see DESIGN.md). */
	if (!*con_cls) {
		*con_cls = c;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	return MHD_queue_response(c, MHD_HTTP_OK, page);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bare_mhd FILE PORT [THREADS]\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	static char data[1 << 22];
	size_t n = fread(data, 1, sizeof(data), f);
	fclose(f);
	long port = strtol(argv[2], NULL, 10);
	long threads = argc > 3 ? strtol(argv[3], NULL, 10) : 2;
	if (port <= 0 || port > 65535 || threads < 1 || threads > 64) {
		fprintf(stderr, "bare_mhd: bad port or thread count\n");
		return 2;
	}
	page = MHD_create_response_from_buffer(n, data, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(page, "Content-Type", "text/html; charset=utf-8");

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG, (uint16_t)port,
		NULL, NULL, answer, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
		MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "bare_mhd: cannot listen on %ld\n", port);
		return 1;
	}
	printf("listening on %ld\n", port);
	fflush(stdout);
	int sig;
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	MHD_destroy_response(page);
	return 0;
}
