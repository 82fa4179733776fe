/*
 * sandbox.c - what a photo worker may still do once it starts decoding
 * (see media_int.h). Decoders parse bytes a stranger chose; if one of
 * them is made to run the stranger's code, that code should find itself
 * in a process that can read the one upload it was handed, write its
 * answer, use memory and threads within limits, and nothing else.
 *
 * The worker opens libvips and loads its modules first (dlopen needs
 * files), then calls media_sandbox_enter(), which in this order:
 *  - installs the SIGSYS handler that reports a refused system call;
 *  - sets resource limits: address space (what the process holds now
 *    plus the decode budget), CPU seconds, no core files, few files;
 *  - if running as root, gives up every group and becomes nobody
 *    (65534), so nothing on disk is reachable through ownership either;
 *  - sets no_new_privs (also what lets an unprivileged process install a
 *    filter) and marks itself not dumpable (no ptrace by its own user);
 *  - installs a seccomp filter (libseccomp) on every thread: an allow
 *    list of what decoding needs; anything else traps. No open, no
 *    socket, no exec, no fork, no executable memory.
 *
 * What the allow list holds, and why: read/pread/lseek/dup/close/fstat on
 * the descriptors the worker has (stdin is the upload; libvips dups it
 * per load), write for stdout and stderr, memory (mmap, mprotect only
 * without PROT_EXEC: libvips' JIT, orc, is switched off in ingest.c),
 * threads (clone only with CLONE_THREAD; clone3 answers ENOSYS so glibc
 * falls back to clone, whose flags a filter can see), futex, signals,
 * clocks, prctl(PR_SET_NAME) (GLib names its threads), getpeername and
 * ioctl(TCGETS) on stderr (GLib's logger checks for journald and a
 * terminal), and exit.
 *
 * A refused call is fatal: the handler writes "the sandbox refused
 * system call N" to stderr and the process dies of SIGSYS, which the
 * server logs and answers as an undecodable photo (422).
 *
 * Sanitizer builds (the test suite runs one) keep the same filter with
 * one difference: while printing a report, the ASan/UBSan runtime reads
 * /proc/self/maps and /proc/self/exe, and UBSan makes a pipe to test
 * whether memory is readable. Those calls, and only those (the paths
 * checked on the call's arguments),
 * are answered ENOSYS instead of killing the worker, so a memory error
 * in the worker still reaches the server's log as a sanitizer report
 * (the runtime falls back to what it cached at start). Every other
 * refused call kills the worker exactly as in a normal build.
 */
#include "media/media_int.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define SANDBOX_SANITIZERS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define SANDBOX_SANITIZERS 1
#endif
#endif

#define NOBODY 65534

static void say(const char *s)
{
	size_t n = strlen(s);
	while (n) {
		ssize_t w = write(2, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

#if defined(SANDBOX_SANITIZERS) && defined(__x86_64__)
/* True for the calls a sanitizer runtime makes while printing a report
 * (see the file comment); *uc's registers hold the call's arguments. */
static bool sanitizer_call(int nr, const ucontext_t *uc)
{
	const greg_t *r = uc->uc_mcontext.gregs;
	const char *path = NULL;
	if (nr == SYS_open || nr == SYS_readlink)
		path = (const char *)r[REG_RDI];
	else if (nr == SYS_openat || nr == SYS_readlinkat)
		path = (const char *)r[REG_RSI];
	/* UBSan tests whether memory is readable by writing it to a pipe. */
	if (nr == SYS_pipe || nr == SYS_pipe2)
		return true;
	return path && strncmp(path, "/proc/self/", 11) == 0;
}
#endif

static void on_sigsys(int sig, siginfo_t *si, void *ucv)
{
	(void)sig;
	int nr = si->si_syscall;
#if defined(SANDBOX_SANITIZERS) && defined(__x86_64__)
	ucontext_t *uc = ucv;
	if (sanitizer_call(nr, uc)) {
		uc->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
		return;
	}
#else
	(void)ucv;
#endif
	/* Only async-signal-safe calls from here on. */
	char num[16];
	size_t i = sizeof(num);
	num[--i] = '\0';
	unsigned v = nr < 0 ? 0u : (unsigned)nr;
	do {
		num[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i);
	say("quire photo-worker: the sandbox refused system call ");
	say(num + i);
	say("\n");
	struct sigaction dfl;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGSYS, &dfl, NULL);
	/* Pending until this handler returns, then fatal. */
	syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIGSYS);
}

/* Address space in use now, in bytes (VmSize), or 0. */
static uint64_t vm_size(void)
{
	int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	char buf[128];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *end;
	unsigned long long pages = strtoull(buf, &end, 10);
	if (end == buf)
		return 0;
	return (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

static bool limit(int res, rlim_t soft, rlim_t hard, const char *what)
{
	struct rlimit rl = {soft, hard};
	if (setrlimit(res, &rl) == 0)
		return true;
	fprintf(stderr, "quire photo-worker: cannot limit %s: %s\n", what, strerror(errno));
	return false;
}

static bool drop_root(void)
{
	if (geteuid() != 0 && getuid() != 0)
		return true;
	if (setgroups(0, NULL) != 0 || setresgid(NOBODY, NOBODY, NOBODY) != 0 ||
	    setresuid(NOBODY, NOBODY, NOBODY) != 0) {
		/* A root without CAP_SETUID (some containers): the filter below
		 * still applies, ownership just does not add to it. */
		fprintf(stderr, "quire photo-worker: cannot drop root: %s\n", strerror(errno));
		return true;
	}
	return getuid() == NOBODY && geteuid() == NOBODY;
}

/* Argument n compared with op to a (and b: the value, for MASKED_EQ,
 * where a is the mask). libseccomp's SCMP_An macros leave b out, which
 * clang's -Wmissing-field-initializers refuses. */
static struct scmp_arg_cmp arg(unsigned n, enum scmp_compare op, scmp_datum_t a, scmp_datum_t b)
{
	struct scmp_arg_cmp c = {n, op, a, b};
	return c;
}

/* The allow list (see the file comment). */
static bool rules(scmp_filter_ctx f)
{
	static const int plain[] = {
		SCMP_SYS(read), SCMP_SYS(pread64), SCMP_SYS(readv), SCMP_SYS(lseek),
		SCMP_SYS(dup), SCMP_SYS(close), SCMP_SYS(fstat), SCMP_SYS(write),
		SCMP_SYS(writev), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
		SCMP_SYS(brk), SCMP_SYS(futex), SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
		SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(rt_sigprocmask),
		SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigreturn), SCMP_SYS(sigaltstack),
		SCMP_SYS(sched_yield), SCMP_SYS(sched_getaffinity), SCMP_SYS(getpid),
		SCMP_SYS(gettid), SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres),
		SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep), SCMP_SYS(gettimeofday),
		SCMP_SYS(getrusage), SCMP_SYS(getrandom),
	};
	int rc = 0;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, plain[i], 0);
	/* Memory, never executable. */
	rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
			       arg(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
			       arg(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	/* Threads, not processes. */
	rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
			       arg(0, SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
	rc |= seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
			       arg(0, SCMP_CMP_EQ, PR_SET_NAME, 0));
	/* GLib's log writer asks whether stderr is journald's socket or a
	 * terminal. */
	rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(getpeername), 1,
			       arg(0, SCMP_CMP_LE, 2, 0));
	rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 2, arg(0, SCMP_CMP_LE, 2, 0),
			       arg(1, SCMP_CMP_EQ, TCGETS, 0));
	/* Signals to itself only (abort(), the SIGSYS handler). */
	rc |= seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
			       arg(0, SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0));
	return rc == 0;
}

bool media_sandbox_enter(uint64_t mem_budget, unsigned cpu_secs)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) != 0)
		return false;

	uint64_t vm = vm_size();
	if (!vm) {
		fprintf(stderr, "quire photo-worker: cannot read its own address space size\n");
		return false;
	}
	/* Relative to what is mapped now (the binary, libvips and its ~110
	 * libraries, and under ASan the runtime's shadow reservations), so
	 * the budget is what decoding itself may add. */
	rlim_t as = (rlim_t)(vm + mem_budget);
	if (!limit(RLIMIT_AS, as, as, "its address space") ||
	    !limit(RLIMIT_CPU, cpu_secs, (rlim_t)cpu_secs + 5, "its CPU time") ||
	    !limit(RLIMIT_CORE, 0, 0, "core files") || !limit(RLIMIT_NOFILE, 16, 16, "its files"))
		return false;
	if (!drop_root())
		return false;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
		fprintf(stderr, "quire photo-worker: cannot drop privileges: %s\n", strerror(errno));
		return false;
	}
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_TRAP);
	if (!f)
		return false;
	bool ok = rules(f) && seccomp_attr_set(f, SCMP_FLTATR_CTL_TSYNC, 1) == 0;
	int rc = ok ? seccomp_load(f) : -1;
	seccomp_release(f);
	if (rc != 0) {
		fprintf(stderr, "quire photo-worker: cannot install the seccomp filter: %s\n",
			strerror(rc < 0 ? -rc : EINVAL));
		return false;
	}
	return true;
}

void media_sandbox_selftest(void)
{
	const char *t = getenv("QUIRE_WORKER_SELFTEST");
	if (!t || !*t)
		return;
	if (!strcmp(t, "open")) {
		int fd = open("/etc/hostname", O_RDONLY);
		fprintf(stderr, "quire photo-worker: selftest: open() was allowed (%d)\n", fd);
	} else if (!strcmp(t, "socket")) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		fprintf(stderr, "quire photo-worker: selftest: socket() was allowed (%d)\n", fd);
	} else if (!strcmp(t, "exec")) {
		char *const argv[] = {(char *)"/bin/true", NULL};
		execv(argv[0], argv);
		fprintf(stderr, "quire photo-worker: selftest: execv() was allowed\n");
	} else if (!strcmp(t, "memory")) {
		/* Past the address-space budget: must fail, not succeed. */
		size_t big = (size_t)media_limits()->worker_memory + ((size_t)64 << 20);
		void *p = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		fprintf(stderr, "quire photo-worker: selftest: mapping %zu MB %s\n", big >> 20,
			p == MAP_FAILED ? "refused" : "was allowed");
		_exit(p == MAP_FAILED ? 0 : 3);
#ifdef SANDBOX_SANITIZERS
	} else if (!strcmp(t, "asan")) {
		/* A heap overflow inside the sandbox: the sanitizer's report must
		 * still come out (sanitizer builds only). */
		char *volatile p = malloc(16);
		volatile size_t n = 17;
		memset(p, 1, n);
		fprintf(stderr, "%d\n", p[3]);
		free(p);
		fprintf(stderr, "quire photo-worker: selftest: no sanitizer report\n");
#endif
	} else {
		fprintf(stderr, "quire photo-worker: selftest: unknown test %s\n", t);
	}
	_exit(3);
}
