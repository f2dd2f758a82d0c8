// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection on the exec-time enforcement paths.
 *
 * Every allocation made with Landlock code on the stack is a fault point:
 * failslab and fail_page_alloc get a stacktrace filter covering Landlock's
 * text (found in /proc/kallsyms), and the test makes the Nth fault point of
 * one thread fail through /proc/thread-self/fail-nth, for N = 1, 2, ...
 * until the operation completes without reaching the Nth point.  Each
 * injected failure must give a clean error (the system call, or the exec
 * before its point of no return, fails with ENOMEM and changes nothing, in
 * every thread with LANDLOCK_RESTRICT_SELF_TSYNC), an executed program must
 * never run without its armed restriction, and no ruleset or domain may leak
 * (create/free trace events paired).
 */

#define LEAK_CHECK_MAX_IDS 4096
#include "reliability.h"
#include "landlock/leak_check.h"

#include <pthread.h>

/* Far more than the fault points of any case: a loop that never ends. */
#define MAX_FAULT_POINTS 200

#define FAILSLAB "/sys/kernel/debug/failslab/"
#define FAIL_PAGE_ALLOC "/sys/kernel/debug/fail_page_alloc/"

static const char *const fault_attrs[] = { FAILSLAB, FAIL_PAGE_ALLOC };

static int write_knob(const char *const dir, const char *const name,
		      const char *const value)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s%s", dir, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * Finds [start, end) of Landlock's run-time text in /proc/kallsyms: from its
 * first to its last function (security/landlock/ objects are linked
 * together), init text excluded.  The LSM policy object kfuncs
 * (security/bpf_lsm_kfuncs.c) are not Landlock's: their allocations are
 * those of the Landlock functions that they call.
 */
static int landlock_text(unsigned long long *const start,
			 unsigned long long *const end)
{
	static const char *const prefixes[] = {
		"landlock_", "__x64_sys_landlock_",
	};
	unsigned long long addr, last = 0, stext = 0, etext = 0;
	char type, name[256];
	FILE *f;
	size_t i;

	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return -errno;
	while (fscanf(f, "%llx %c %255s%*[^\n]", &addr, &type, name) == 3) {
		if (!strcmp(name, "_stext"))
			stext = addr;
		else if (!strcmp(name, "_etext"))
			etext = addr;
	}
	rewind(f);
	*start = etext;
	while (fscanf(f, "%llx %c %255s%*[^\n]", &addr, &type, name) == 3) {
		if ((type != 't' && type != 'T') || addr < stext ||
		    addr >= etext)
			continue;
		for (i = 0; i < ARRAY_SIZE(prefixes); i++) {
			if (strncmp(name, prefixes[i], strlen(prefixes[i])))
				continue;
			if (addr < *start)
				*start = addr;
			if (addr > last)
				last = addr;
		}
	}
	/* The end: the first function after the last Landlock one. */
	rewind(f);
	*end = etext;
	while (fscanf(f, "%llx %c %255s%*[^\n]", &addr, &type, name) == 3)
		if ((type == 't' || type == 'T') && addr > last && addr < *end)
			*end = addr;
	fclose(f);
	if (!stext || *start >= *end)
		return -ENOENT;
	return 0;
}

FIXTURE(fault)
{
	/* Totals of this case, printed by the teardown. */
	unsigned int points, injected, absorbed;
	bool configured;
	/* The BPF policy, if any (destroyed before the leak check). */
	struct on_exec_bpf *skel;
};

FIXTURE_SETUP(fault)
{
	unsigned long long start = 0, end = 0;
	char buf[32];
	size_t i;

	if (access("/proc/thread-self/fail-nth", F_OK) ||
	    access(FAILSLAB, F_OK) || access(FAIL_PAGE_ALLOC, F_OK))
		SKIP(return,
		     "fault injection not configured (needs FAILSLAB, FAIL_PAGE_ALLOC, FAULT_INJECTION_DEBUG_FS)");
	ASSERT_EQ(0, landlock_text(&start, &end))
	{
		TH_LOG("cannot find Landlock in /proc/kallsyms");
	}
	for (i = 0; i < ARRAY_SIZE(fault_attrs); i++) {
		/* Only fail-nth injects: nothing random. */
		ASSERT_EQ(0, write_knob(fault_attrs[i], "probability", "0"));
		ASSERT_EQ(0, write_knob(fault_attrs[i], "verbose", "1"));
		/* GFP_KERNEL allocations are fault points too. */
		ASSERT_EQ(0, write_knob(fault_attrs[i], "ignore-gfp-wait", "N"));
		ASSERT_EQ(0, write_knob(fault_attrs[i], "stacktrace-depth", "32"));
		snprintf(buf, sizeof(buf), "%llu", start);
		ASSERT_EQ(0, write_knob(fault_attrs[i], "require-start", buf));
		snprintf(buf, sizeof(buf), "%llu", end);
		ASSERT_EQ(0, write_knob(fault_attrs[i], "require-end", buf));
	}
	ASSERT_EQ(0, write_knob(FAIL_PAGE_ALLOC, "ignore-gfp-highmem", "N"));
	ASSERT_EQ(0, write_knob(FAIL_PAGE_ALLOC, "min-order", "0"));
	self->configured = true;
	TH_LOG("Landlock text: %#llx-%#llx", start, end);

	workdir_setup(_metadata);
	ASSERT_EQ(0, leak_check_start());
}

FIXTURE_TEARDOWN(fault)
{
	size_t created = 0, i;
	int live;

	if (!self->configured)
		return;
	for (i = 0; i < ARRAY_SIZE(fault_attrs); i++) {
		write_knob(fault_attrs[i], "ignore-gfp-wait", "Y");
		write_knob(fault_attrs[i], "require-start", "0");
		write_knob(fault_attrs[i], "require-end", "18446744073709551615");
	}
	write_knob(FAIL_PAGE_ALLOC, "ignore-gfp-highmem", "Y");
	write_knob(FAIL_PAGE_ALLOC, "min-order", "1");
	if (self->skel)
		on_exec_bpf__destroy(self->skel);
	live = leak_check_wait(&created);
	workdir_teardown();
	printf("# %s: %u fault points, %u failures injected (%u absorbed by the kernel, the rest failed cleanly), %zu rulesets and domains created, %d leaked\n",
	       _metadata->name, self->points, self->injected, self->absorbed,
	       created, live);
	EXPECT_EQ(0, live);
	EXPECT_LT(0, created);
	EXPECT_LT(0, self->injected);
}

/* What an execution under test is, and what its program must see. */
struct exec_case {
	/* Sets up the child's credentials before the faulted execve(2). */
	void (*setup)(struct __test_metadata *_metadata);
	/* The executed program, and its expected read results (0 or EACCES). */
	const char *path;
	int read_a, read_b;
	/* After a failed execve: what is executed, and what it must see. */
	const char *again_path;
	int again_a, again_b;
};

static void arm(struct __test_metadata *const _metadata, const char *const dir)
{
	const int ruleset_fd = create_read_ruleset(_metadata, dir);

	ASSERT_EQ(0, landlock_restrict_self(ruleset_fd, ON_EXEC));
	close(ruleset_fd);
}

/*
 * Runs @c with the @nth fault point failing.  Returns true once @nth is past
 * the last fault point of the execution.
 */
static bool faulted_exec(struct __test_metadata *const _metadata,
			 const struct exec_case *const c, const unsigned int nth,
			 unsigned int *const absorbed)
{
	struct probe_report first, again;
	int pipefd[2], status, exec_err = -1;
	char out[512], *p;
	pid_t child;

	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(90);
		if (c->setup)
			c->setup(_metadata);
		if (!_metadata->exit_code) {
			if (set_fail_nth(nth, true))
				_exit(91);
			exec_probe(c->path);
			exec_err = errno;
			set_fail_nth(0, false);
			printf("execve=%d\n", exec_err);
			fflush(stdout);
			exec_probe(c->again_path);
		}
		_exit(92);
	}
	close(pipefd[1]);
	read_all(pipefd[0], out, sizeof(out));
	close(pipefd[0]);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	/* Killed past the point of no return: the exec did fail late. */
	ASSERT_TRUE(WIFEXITED(status))
	{
		TH_LOG("fault point %u: killed by signal %d", nth,
		       WTERMSIG(status));
	}
	ASSERT_EQ(0, WEXITSTATUS(status))
	{
		TH_LOG("fault point %u: exit %d, output: %s", nth,
		       WEXITSTATUS(status), out);
	}
	p = strstr(out, "execve=");
	if (p) {
		/* The exec failed before its point of no return: cleanly. */
		exec_err = atoi(p + strlen("execve="));
		EXPECT_EQ(ENOMEM, exec_err)
		{
			TH_LOG("fault point %u: execve failed with %s", nth,
			       errno_name(exec_err));
		}
		ASSERT_TRUE(parse_report(p, &again));
		/* Nothing changed: the same exec behaves as before. */
		EXPECT_EQ(c->again_a, again.read_a);
		EXPECT_EQ(c->again_b, again.read_b);
		return false;
	}
	ASSERT_TRUE(parse_report(out, &first))
	{
		TH_LOG("fault point %u: no report: %s", nth, out);
	}
	/* The program ran: it must run with every armed restriction. */
	EXPECT_EQ(c->read_a, first.read_a)
	{
		TH_LOG("fault point %u: %s ran without its restriction", nth,
		       c->path);
	}
	EXPECT_EQ(c->read_b, first.read_b);
	if (first.fail_nth == 0)
		(*absorbed)++;
	return first.fail_nth > 0;
}

static void run_exec_case(struct __test_metadata *const _metadata,
			  FIXTURE_DATA(fault) *const self,
			  const struct exec_case *const c)
{
	unsigned int nth;

	for (nth = 1; nth <= MAX_FAULT_POINTS; nth++) {
		if (faulted_exec(_metadata, c, nth, &self->absorbed))
			break;
		ASSERT_FALSE(_metadata->exit_code);
		self->injected++;
	}
	ASSERT_GE(MAX_FAULT_POINTS, nth);
	self->points = nth - 1;
}

static void arm_a(struct __test_metadata *const _metadata)
{
	arm(_metadata, DIR_A);
}

/* An exec with a ruleset armed from user space. */
TEST_F_TIMEOUT(fault, exec_user_slot, 300)
{
	const struct exec_case c = {
		.setup = arm_a,
		.path = PROBE,
		.read_a = 0,
		.read_b = EACCES,
		/* The slot is intact after a failed exec. */
		.again_path = PROBE,
		.again_a = 0,
		.again_b = EACCES,
	};

	run_exec_case(_metadata, self, &c);
}

/*
 * An exec sandboxed by a BPF LSM program: a failure in the arming fails the
 * execution too (the program ignores the kfunc's error).
 */
TEST_F_TIMEOUT(fault, exec_bpf_slot, 300)
{
	const struct exec_case c = {
		.path = BPF_TARGET,
		.read_a = 0,
		.read_b = EACCES,
		/* A failed exec leaves nothing behind in the caller. */
		.again_path = PROBE,
		.again_a = 0,
		.again_b = 0,
	};
	self->skel = bpf_policy_start(_metadata, DIR_A, 0);
	ASSERT_NE(NULL, self->skel);
	run_exec_case(_metadata, self, &c);
}

/*
 * A SYSCALL program storing a new ruleset for the BPF policy
 * (bpf_lsm_policy_from_fd() makes its frozen copy, which allocates): every
 * fault point fails the store cleanly, bpf(2) with ENOMEM or the kfunc with
 * NULL, and the policy keeps enforcing the ruleset it had.
 * fail-nth is set and read through one descriptor opened beforehand, so
 * that no fault point is spent on opening it.
 */
TEST_F_TIMEOUT(fault, bpf_policy_from_fd, 300)
{
	unsigned int nth, kfunc_failures = 0;
	struct probe_report report;
	bool policy_b = false;
	char buf[16];
	int fail_fd;

	self->skel = bpf_policy_start(_metadata, DIR_A, 0);
	ASSERT_NE(NULL, self->skel);
	fail_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fail_fd);
	for (nth = 1; nth <= MAX_FAULT_POINTS; nth++) {
		const int ruleset_fd = create_read_ruleset(_metadata, DIR_B);
		int len, ret, left;
		ssize_t n;

		len = snprintf(buf, sizeof(buf), "%u", nth);
		ASSERT_EQ(len, pwrite(fail_fd, buf, len, 0));
		ret = bpf_store_ruleset(self->skel, ruleset_fd, 0);
		n = pread(fail_fd, buf, sizeof(buf) - 1, 0);
		ASSERT_EQ(1, pwrite(fail_fd, "0", 1, 0));
		ASSERT_LT(0, n);
		buf[n] = '\0';
		left = atoi(buf);
		close(ruleset_fd);
		if (left > 0 || ret == 0) {
			/* Past the last fault point, or absorbed: stored. */
			EXPECT_EQ(0, ret);
			if (left == 0)
				self->absorbed++;
			policy_b = true;
		} else {
			/* bpf_lsm_policy_from_fd() returned NULL: -2. */
			EXPECT_TRUE(ret == -ENOMEM || ret == -2)
			{
				TH_LOG("fault point %u: store returned %d", nth,
				       ret);
			}
			if (ret == -2)
				kfunc_failures++;
		}
		run_probe(_metadata, BPF_TARGET, &report);
		EXPECT_EQ(policy_b ? EACCES : 0, report.read_a)
		{
			TH_LOG("fault point %u: wrong policy", nth);
		}
		EXPECT_EQ(policy_b ? 0 : EACCES, report.read_b);
		ASSERT_FALSE(_metadata->exit_code);
		if (left > 0)
			break;
		self->injected++;
	}
	close(fail_fd);
	ASSERT_GE(MAX_FAULT_POINTS, nth);
	self->points = nth - 1;
	/* The copy's allocation failed at least once. */
	EXPECT_LT(0, kfunc_failures);
}

static void domain_and_arm_b(struct __test_metadata *const _metadata)
{
	const int ruleset_fd = create_read_ruleset(_metadata, "/");

	/* An existing domain that allows every read. */
	ASSERT_EQ(0, landlock_restrict_self(ruleset_fd, 0));
	close(ruleset_fd);
	arm(_metadata, DIR_B);
}

/* All three merged: existing domain, BPF (allows a), user space (b). */
TEST_F_TIMEOUT(fault, exec_domain_bpf_and_user_slots, 300)
{
	const struct exec_case c = {
		.setup = domain_and_arm_b,
		.path = BPF_TARGET,
		/* Each of the two new layers denies one of the files. */
		.read_a = EACCES,
		.read_b = EACCES,
		.again_path = BPF_TARGET,
		.again_a = EACCES,
		.again_b = EACCES,
	};
	self->skel = bpf_policy_start(_metadata, DIR_A, 0);
	ASSERT_NE(NULL, self->skel);
	run_exec_case(_metadata, self, &c);
}

/*
 * landlock_restrict_self(ON_EXEC) with the @nth fault point failing: a
 * ruleset allowing a is armed, then one allowing b replaces it (or -1 clears
 * it).  Returns true once @nth is past the last fault point of the call.
 */
static bool faulted_arm(struct __test_metadata *const _metadata,
			const bool clear, const unsigned int nth,
			unsigned int *const absorbed)
{
	struct probe_report report;
	int pipefd[2], status, ret, err, left;
	char out[512], *p;
	pid_t child;

	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		int ruleset_b = -1;

		dup2(pipefd[1], STDOUT_FILENO);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(90);
		arm(_metadata, DIR_A);
		if (!clear)
			ruleset_b = create_read_ruleset(_metadata, DIR_B);
		if (_metadata->exit_code || set_fail_nth(nth, false))
			_exit(91);
		ret = landlock_restrict_self(ruleset_b, ON_EXEC);
		err = errno;
		left = get_fail_nth();
		set_fail_nth(0, false);
		printf("restrict=%d errno=%d left=%d\n", ret, ret ? err : 0,
		       left);
		fflush(stdout);
		exec_probe(PROBE);
		_exit(92);
	}
	close(pipefd[1]);
	read_all(pipefd[0], out, sizeof(out));
	close(pipefd[0]);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
	{
		TH_LOG("fault point %u: status %#x, output: %s", nth, status,
		       out);
	}
	p = strstr(out, "restrict=");
	ASSERT_NE(NULL, p);
	ASSERT_EQ(3, sscanf(p, "restrict=%d errno=%d left=%d", &ret, &err,
			    &left));
	ASSERT_TRUE(parse_report(out, &report));
	if (ret) {
		/* Failed cleanly, and the first ruleset is still armed. */
		EXPECT_EQ(ENOMEM, err)
		{
			TH_LOG("fault point %u: %s", nth, errno_name(err));
		}
		EXPECT_EQ(0, report.read_a);
		EXPECT_EQ(EACCES, report.read_b);
		return false;
	}
	/* Succeeded: replaced or cleared. */
	EXPECT_EQ(clear ? 0 : EACCES, report.read_a);
	EXPECT_EQ(0, report.read_b);
	/* 0 left: a failure was injected, and absorbed by the kernel. */
	if (left == 0)
		(*absorbed)++;
	return left > 0;
}

static void run_arm_case(struct __test_metadata *const _metadata,
			 FIXTURE_DATA(fault) *const self, const bool clear)
{
	unsigned int nth;

	for (nth = 1; nth <= MAX_FAULT_POINTS; nth++) {
		if (faulted_arm(_metadata, clear, nth, &self->absorbed))
			break;
		ASSERT_FALSE(_metadata->exit_code);
		self->injected++;
	}
	ASSERT_GE(MAX_FAULT_POINTS, nth);
	self->points = nth - 1;
}

/* Replacing an armed ruleset. */
TEST_F_TIMEOUT(fault, restrict_self_replace, 300)
{
	run_arm_case(_metadata, self, false);
}

/* Disarming. */
TEST_F_TIMEOUT(fault, restrict_self_clear, 300)
{
	run_arm_case(_metadata, self, true);
}

/*
 * ON_EXEC | TSYNC is all or nothing.  Each case runs in a child process with
 * three threads: the caller, a sibling that shares the caller's credentials,
 * and a sibling with credentials of its own (it armed and disarmed a ruleset
 * for itself first: no_new_privs alone is a task flag, it does not give a
 * thread its own credentials).  tsync.c swaps the shared credentials for
 * the caller's new ones, but must prepare new credentials in the other
 * sibling (prepare_creds() in its task work, which can fail): the only
 * failure that happens once another thread already has its new
 * credentials.  Every thread reports whether a program it forks and executes
 * is sandboxed: after a failed call, none may have changed; after a
 * successful one, all must have.
 */

#define TSYNC LANDLOCK_RESTRICT_SELF_TSYNC

/*
 * create_read_ruleset() without assertions, for the threads of a child:
 * returns a ruleset allowing reads beneath @dir, or -1.
 */
static int create_ruleset_noassert(const char *const dir)
{
	const struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE,
	};
	struct landlock_path_beneath_attr path_beneath = {
		.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE,
	};
	int ruleset_fd, err;

	ruleset_fd = landlock_create_ruleset(&attr, sizeof(attr), 0);
	if (ruleset_fd < 0)
		return -1;
	path_beneath.parent_fd = open(dir, O_PATH | O_CLOEXEC);
	err = path_beneath.parent_fd < 0 ||
	      landlock_add_rule(ruleset_fd, LANDLOCK_RULE_PATH_BENEATH,
				&path_beneath, 0);
	if (path_beneath.parent_fd >= 0)
		close(path_beneath.parent_fd);
	if (err) {
		close(ruleset_fd);
		return -1;
	}
	return ruleset_fd;
}

/* Which thread gets the failing fault point. */
enum tsync_fault {
	/* The thread that calls landlock_restrict_self(2). */
	TSYNC_FAULT_CALLER,
	/* The sibling with credentials of its own, in its task work. */
	TSYNC_FAULT_SIBLING,
};

/*
 * Is the probe executed by a child of the calling thread sandboxed by the
 * ruleset allowing a?  'y' (a allowed, b denied), 'n' (both allowed), or 'x'
 * (anything else).  Usable from any thread: no assertion.
 */
static char thread_exec_sandboxed(void)
{
	struct probe_report report;
	int pipefd[2], status;
	char out[256];
	pid_t child;

	if (pipe2(pipefd, O_CLOEXEC))
		return 'x';
	child = fork();
	if (child < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return 'x';
	}
	if (child == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		exec_probe(PROBE);
		_exit(127);
	}
	close(pipefd[1]);
	read_all(pipefd[0], out, sizeof(out));
	close(pipefd[0]);
	if (waitpid(child, &status, 0) != child || !parse_report(out, &report) ||
	    report.read_a)
		return 'x';
	if (report.read_b == EACCES)
		return 'y';
	return report.read_b ? 'x' : 'n';
}

struct tsync_sibling {
	pthread_t thread;
	pid_t tid;
	/* Arm and disarm a ruleset first: the thread gets its own creds. */
	bool own_creds;
	/* "e": report thread_exec_sandboxed(); "q": quit. */
	int cmd[2];
	/* 'r' once ready (or 'x'), then one answer per "e". */
	int result[2];
};

static void *tsync_sibling_main(void *const arg)
{
	struct tsync_sibling *const sib = arg;
	char c = 'r';

	sib->tid = gettid();
	if (sib->own_creds) {
		const int fd = create_ruleset_noassert(DIR_A);

		if (fd < 0 || landlock_restrict_self(fd, ON_EXEC) ||
		    landlock_restrict_self(-1, ON_EXEC))
			c = 'x';
		if (fd >= 0)
			close(fd);
	}
	if (write(sib->result[1], &c, 1) != 1)
		return NULL;
	while (read(sib->cmd[0], &c, 1) == 1 && c == 'e') {
		c = thread_exec_sandboxed();
		if (write(sib->result[1], &c, 1) != 1)
			break;
	}
	return NULL;
}

/* Returns 0 once the sibling runs (with its own credentials if asked). */
static int tsync_sibling_start(struct tsync_sibling *const sib,
			       const bool own_creds)
{
	char c = 0;

	sib->own_creds = own_creds;
	if (pipe2(sib->cmd, O_CLOEXEC) || pipe2(sib->result, O_CLOEXEC) ||
	    pthread_create(&sib->thread, NULL, tsync_sibling_main, sib))
		return -1;
	if (read(sib->result[0], &c, 1) != 1 || c != 'r')
		return -1;
	return 0;
}

static char tsync_sibling_exec(struct tsync_sibling *const sib)
{
	char c = 'x';

	if (write(sib->cmd[1], "e", 1) != 1 || read(sib->result[0], &c, 1) != 1)
		return 'x';
	return c;
}

static void tsync_sibling_stop(struct tsync_sibling *const sib)
{
	if (write(sib->cmd[1], "q", 1) == 1)
		pthread_join(sib->thread, NULL);
}

/* Sets the fail-nth of thread @tid of this process.  Returns 0 or -errno. */
static int set_thread_fail_nth(const pid_t tid, const unsigned int nth)
{
	char path[64], buf[16];
	int fd, len, ret = 0;

	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", tid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%u", nth);
	if (write(fd, buf, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

/* What is left of the fail-nth of thread @tid, or -errno. */
static int get_thread_fail_nth(const pid_t tid)
{
	char path[64], buf[16] = {};
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -EIO;
}

/*
 * The child of faulted_tsync(): prints the result of the faulted call, then
 * one 'y' or 'n' per thread (caller, shared sibling, own sibling).
 */
static void tsync_child(const bool clear, const enum tsync_fault where,
			const unsigned int nth)
{
	struct tsync_sibling shared = {}, own = {};
	int ruleset_fd = -1, ret, err, left;
	pid_t faulted;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    tsync_sibling_start(&shared, false) ||
	    tsync_sibling_start(&own, true))
		_exit(90);
	if (clear) {
		/* Every thread armed, to be disarmed. */
		ruleset_fd = create_ruleset_noassert(DIR_A);
		if (ruleset_fd < 0 ||
		    landlock_restrict_self(ruleset_fd, ON_EXEC | TSYNC))
			_exit(91);
		close(ruleset_fd);
		ruleset_fd = -1;
	} else {
		ruleset_fd = create_ruleset_noassert(DIR_A);
		if (ruleset_fd < 0)
			_exit(91);
	}

	faulted = where == TSYNC_FAULT_CALLER ? gettid() : own.tid;
	if (set_thread_fail_nth(faulted, nth))
		_exit(92);
	ret = landlock_restrict_self(ruleset_fd, ON_EXEC | TSYNC);
	err = errno;
	left = get_thread_fail_nth(faulted);
	set_thread_fail_nth(faulted, 0);
	printf("restrict=%d errno=%d left=%d\n", ret, ret ? err : 0, left);
	printf("sandboxed=%c%c%c\n", thread_exec_sandboxed(),
	       tsync_sibling_exec(&shared), tsync_sibling_exec(&own));
	fflush(stdout);
	tsync_sibling_stop(&shared);
	tsync_sibling_stop(&own);
	_exit(0);
}

/*
 * landlock_restrict_self(fd, ON_EXEC | TSYNC) arming a ruleset allowing a
 * in every thread (or, with @clear, (-1, ON_EXEC | TSYNC) disarming every
 * thread), with the @nth fault point of the thread @where failing.  Counts
 * the failed calls in @failed.  Returns true once @nth is past the last
 * fault point of the call.
 */
static bool faulted_tsync(struct __test_metadata *const _metadata,
			  const bool clear, const enum tsync_fault where,
			  const unsigned int nth, unsigned int *const failed,
			  unsigned int *const absorbed)
{
	/* 'y' if the ruleset is armed, for the caller and the two siblings. */
	const char *const before = clear ? "yyy" : "nnn";
	const char *const after = clear ? "nnn" : "yyy";
	int pipefd[2], status, ret, err, left, fields;
	char out[512], sandboxed[4] = {}, *p;
	pid_t child;

	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		tsync_child(clear, where, nth);
	}
	close(pipefd[1]);
	read_all(pipefd[0], out, sizeof(out));
	close(pipefd[0]);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
	{
		TH_LOG("fault point %u: status %#x, output: %s", nth, status,
		       out);
	}
	p = strstr(out, "restrict=");
	ASSERT_NE(NULL, p);
	fields = sscanf(p, "restrict=%d errno=%d left=%d sandboxed=%3s", &ret,
			&err, &left, sandboxed);
	ASSERT_EQ(4, fields)
	{
		TH_LOG("fault point %u: output: %s", nth, out);
	}
	if (ret) {
		/* Failed cleanly, because of the injected fault... */
		EXPECT_EQ(ENOMEM, err)
		{
			TH_LOG("fault point %u: %s", nth, errno_name(err));
		}
		EXPECT_EQ(0, left);
		/* ...and no thread changed (caller, shared, own). */
		EXPECT_STREQ(before, sandboxed)
		{
			TH_LOG("fault point %u: the failed call changed a thread",
			       nth);
		}
		(*failed)++;
		return false;
	}
	/* Succeeded: every thread changed. */
	EXPECT_STREQ(after, sandboxed)
	{
		TH_LOG("fault point %u: the call succeeded, not in every thread",
		       nth);
	}
	/* 0 left: a failure was injected, and absorbed by the kernel. */
	if (left == 0)
		(*absorbed)++;
	return left > 0;
}

static void run_tsync_case(struct __test_metadata *const _metadata,
			   FIXTURE_DATA(fault) *const self, const bool clear,
			   const enum tsync_fault where)
{
	unsigned int nth, failed = 0, absorbed = 0;

	for (nth = 1; nth <= MAX_FAULT_POINTS; nth++) {
		if (faulted_tsync(_metadata, clear, where, nth, &failed,
				  &absorbed))
			break;
		ASSERT_FALSE(_metadata->exit_code);
		self->injected++;
	}
	ASSERT_GE(MAX_FAULT_POINTS, nth);
	self->points = nth - 1;
	self->absorbed += absorbed;
	printf("# %s: %u fail-nth values tried in the %s: %u failed the call, %u absorbed\n",
	       _metadata->name, nth,
	       where == TSYNC_FAULT_CALLER ? "caller" : "sibling with own creds",
	       failed, absorbed);
	/* Otherwise the faults were never reached: the test proved nothing. */
	EXPECT_LT(0, failed)
	{
		TH_LOG("no injected fault made the call fail");
	}
}

/* Arming every thread: a failure is injected in the calling thread. */
TEST_F_TIMEOUT(fault, tsync_arm, 300)
{
	run_tsync_case(_metadata, self, false, TSYNC_FAULT_CALLER);
}

/* Arming every thread: a failure in the sibling that prepares its creds. */
TEST_F_TIMEOUT(fault, tsync_arm_sibling_fails, 300)
{
	run_tsync_case(_metadata, self, false, TSYNC_FAULT_SIBLING);
}

/* Disarming every thread, failing in the calling thread. */
TEST_F_TIMEOUT(fault, tsync_clear, 300)
{
	run_tsync_case(_metadata, self, true, TSYNC_FAULT_CALLER);
}

/* Disarming every thread, failing in the sibling with its own creds. */
TEST_F_TIMEOUT(fault, tsync_clear_sibling_fails, 300)
{
	run_tsync_case(_metadata, self, true, TSYNC_FAULT_SIBLING);
}

TEST_HARNESS_MAIN
