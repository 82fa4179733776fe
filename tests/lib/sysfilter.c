/*
 * sysfilter.c - run a command under a system call allow-list, as systemd's
 * SystemCallFilter= would: tests/http/test_deploy.py compiles it, hands it
 * the system calls of deploy/quire.service's filter (expanded with
 * systemd-analyze syscall-filter) and runs the unit's ExecStart under it.
 *
 *   sysfilter LISTFILE ERRNO -- COMMAND [ARG...]
 *
 * LISTFILE holds one system call name a line; ERRNO is what a call outside
 * the list returns (SystemCallErrorNumber=), or 0 to kill the process
 * (the default without it). no_new_privs is set (NoNewPrivileges=yes).
 * Names this architecture does not know are skipped, as systemd does.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 5 || strcmp(argv[3], "--") != 0) {
		fprintf(stderr, "usage: sysfilter LISTFILE ERRNO -- COMMAND [ARG...]\n");
		return 2;
	}
	long err = strtol(argv[2], NULL, 10);
	scmp_filter_ctx ctx = seccomp_init(err ? SCMP_ACT_ERRNO((unsigned)err) : SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return 2;
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	char name[128];
	int n = 0;
	while (fscanf(f, "%127s", name) == 1) {
		int nr = seccomp_syscall_resolve_name(name);
		if (nr == __NR_SCMP_ERROR)
			continue;
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) == 0)
			n++;
	}
	fclose(f);
	if (seccomp_load(ctx) != 0) {
		fprintf(stderr, "sysfilter: cannot load the filter\n");
		return 2;
	}
	seccomp_release(ctx);
	execv(argv[4], argv + 4);
	fprintf(stderr, "sysfilter: cannot run %s: %s\n", argv[4], strerror(errno));
	return 127;
}
