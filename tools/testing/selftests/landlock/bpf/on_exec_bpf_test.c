// SPDX-License-Identifier: GPL-2.0
/*
 * Landlock tests - Exec-time enforcement from a BPF LSM program
 *
 * on_exec.bpf.c sandboxes every execution of a target binary (a copy of
 * ../on-exec-probe) with a ruleset that this test creates and hands over as a
 * kptr to an LSM policy object.  The probe reports what it may access after
 * its execution.
 *
 * bpf_lsm_policy_from_fd() gives BPF a frozen copy of the ruleset (a new
 * object, announced by a landlock_freeze_ruleset trace event, or the copy
 * made by an earlier call if no rule was added since): the original stays
 * the file descriptor's, and rules added to it afterwards do not apply to
 * the copy.
 *
 * Each bpf_lsm_policy_apply_bprm() call adds a layer to the execution, and
 * any error it returns fails the execution, even if the program ignores it
 * (on_exec.bpf.c does).
 */

#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common.h"
/*
 * kptr_swap_and_close_race creates up to SWAP_AND_CLOSE_MAX_SWAPS rulesets,
 * each with its frozen copy.
 */
#define LEAK_CHECK_MAX_IDS 8192
#include "../leak_check.h"
#include "../on_exec_support.h"
#include "on_exec_bpf.skel.h"
#include "on_exec_common.h"

static const char probe[] = "./on-exec-probe";
static const char target[] = "tmp_bpf/target";
static const char file_a[] = "tmp_bpf/a/f";
static const char file_b[] = "tmp_bpf/b/f";
static const char file_c[] = "tmp_bpf/c/f";

#define ON_EXEC_NNP \
	(LANDLOCK_RESTRICT_SELF_ON_EXEC | LANDLOCK_RESTRICT_SELF_NO_NEW_PRIVS)

static char verifier_log[64 * 1024];
static size_t verifier_log_len;

static int log_libbpf(enum libbpf_print_level level, const char *fmt,
		      va_list args)
{
	int n;

	if (verifier_log_len >= sizeof(verifier_log) - 1)
		return 0;
	n = vsnprintf(verifier_log + verifier_log_len,
		      sizeof(verifier_log) - verifier_log_len, fmt, args);
	if (n > 0)
		verifier_log_len += n;
	return 0;
}

static void allow_read(struct __test_metadata *const _metadata,
		       const int ruleset_fd, const char *const path)
{
	struct landlock_path_beneath_attr path_beneath = {
		.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE,
	};

	path_beneath.parent_fd = open(path, O_PATH | O_CLOEXEC);
	ASSERT_LE(0, path_beneath.parent_fd);
	ASSERT_EQ(0, landlock_add_rule(ruleset_fd, LANDLOCK_RULE_PATH_BENEATH,
				       &path_beneath, 0));
	close(path_beneath.parent_fd);
}

static int create_read_ruleset(struct __test_metadata *const _metadata,
			       const char *const dirs[])
{
	const struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE,
	};
	int ruleset_fd;

	ruleset_fd = landlock_create_ruleset(&attr, sizeof(attr), 0);
	ASSERT_LE(0, ruleset_fd);
	for (; *dirs; dirs++)
		allow_read(_metadata, ruleset_fd, *dirs);
	return ruleset_fd;
}

static int run_syscall_prog(struct bpf_program *const prog,
			    struct store_args *const args)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args,
		    .ctx_size_in = sizeof(*args));
	int err;

	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	return err ?: args->ret;
}

/*
 * Runs @path with @ops in a child; returns its exit status.  If execve(2)
 * fails, the child prints "execve=ERRNO" and exits with 127.
 */
static int run_path(const char *const path, const char *const ops[],
		    char *const out, const size_t size)
{
	const char *argv[16] = { "on-exec-probe" };
	int pipefd[2], status, i;
	size_t len = 0;
	ssize_t n;
	pid_t child;

	for (i = 0; ops[i] && i < 14; i++)
		argv[i + 1] = ops[i];
	if (pipe2(pipefd, O_CLOEXEC))
		return -1;
	child = fork();
	if (child < 0)
		return -1;
	if (child == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		execv(path, (char *const *)argv);
		dprintf(STDOUT_FILENO, "execve=%d\n", errno);
		_exit(127);
	}
	close(pipefd[1]);
	while (len < size - 1 &&
	       (n = read(pipefd[0], out + len, size - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(pipefd[0]);
	if (waitpid(child, &status, 0) != child)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void expect_line(struct __test_metadata *const _metadata,
			const char *const out, const char *const line)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%s\n", line);
	EXPECT_NE(NULL, strstr(out, buf))
	{
		TH_LOG("expected \"%s\" in:\n%s", line, out);
	}
}

/* run_path() returned 127 and @out says that execve(2) failed with @err. */
static void expect_exec_error(struct __test_metadata *const _metadata,
			      const int status, const char *const out,
			      const int err)
{
	char line[32];

	EXPECT_EQ(127, status);
	snprintf(line, sizeof(line), "execve=%d", err);
	expect_line(_metadata, out, line);
}

/*
 * Counts the lines of the whole trace buffer (tracefs_read_trace() only reads
 * its start) with @event and, after it, @field.  Returns -1 on error.
 */
static int trace_count(const char *const event, const char *const field)
{
	char line[512];
	FILE *trace;
	int n = 0;

	trace = fopen(TRACEFS_TRACE, "re");
	if (!trace)
		return -1;
	while (fgets(line, sizeof(line), trace)) {
		const char *const p = strstr(line, event);

		if (p && strstr(p, field))
			n++;
	}
	fclose(trace);
	return n;
}

/* A landlock_freeze_ruleset event. */
struct freeze_event {
	/* The ruleset that was copied, and its frozen copy. */
	unsigned long long ruleset, frozen;
};

/*
 * Reads the first @max landlock_freeze_ruleset events of the trace into
 * @events.  Returns the number of events in the trace, or -1 on error.
 */
static int read_freeze_events(struct freeze_event *const events, const int max)
{
	static const char event[] = "landlock_freeze_ruleset: ruleset=";
	char line[512];
	FILE *trace;
	int n = 0;

	trace = fopen(TRACEFS_TRACE, "re");
	if (!trace)
		return -1;
	while (n >= 0 && fgets(line, sizeof(line), trace)) {
		const char *const p = strstr(line, event);
		struct freeze_event ev;

		if (!p)
			continue;
		if (sscanf(p + strlen(event), "%llx.%*u frozen=%llx",
			   &ev.ruleset, &ev.frozen) != 2)
			n = -1;
		else if (n < max)
			events[n++] = ev;
		else
			n++;
	}
	fclose(trace);
	return n;
}

enum ruleset_freed {
	NOT_FREED,
	/* By a kernel worker: after an RCU grace period. */
	FREED_BY_KWORKER,
	/* By any other task. */
	FREED_BY_TASK,
};

/*
 * Whether and by whom ruleset @id was freed, from its landlock_free_ruleset
 * event (the emitting task comes first on the line).  Returns an enum
 * ruleset_freed, or -1 on error.
 */
static int ruleset_freed(const unsigned long long id)
{
	char line[512], event[64];
	int freed = NOT_FREED;
	FILE *trace;

	snprintf(event, sizeof(event), "landlock_free_ruleset: ruleset=%llx.",
		 id);
	trace = fopen(TRACEFS_TRACE, "re");
	if (!trace)
		return -1;
	while (freed == NOT_FREED && fgets(line, sizeof(line), trace)) {
		const char *const p = strstr(line, event);
		const char *const worker = strstr(line, "kworker/");

		if (p)
			freed = worker && worker < p ? FREED_BY_KWORKER :
						       FREED_BY_TASK;
	}
	fclose(trace);
	return freed;
}

/* Waits up to LEAK_CHECK_TIMEOUT_S for ruleset @id to be freed. */
static bool wait_ruleset_freed(const unsigned long long id)
{
	const time_t end = time(NULL) + LEAK_CHECK_TIMEOUT_S;

	while (ruleset_freed(id) == NOT_FREED && time(NULL) < end)
		usleep(10 * 1000);
	return ruleset_freed(id) > NOT_FREED;
}

/* What the trace says of the frozen copies of rulesets. */
struct frozen_stats {
	/* Copies made (landlock_freeze_ruleset events). */
	int made;
	/* Copies with the ID of their ruleset: not new objects. */
	int same_id;
	/* Copies freed by a kernel worker, and by another task. */
	int freed_by_kworker, freed_by_task;
};

/* Fills @stats from the whole trace.  Returns 0, or -1 on error. */
static int read_frozen_stats(struct frozen_stats *const stats)
{
	static const char freeze[] = "landlock_freeze_ruleset: ruleset=";
	static const char free_ruleset[] = "landlock_free_ruleset: ruleset=";
	unsigned long long *frozen;
	char line[512];
	FILE *trace;
	int i;

	memset(stats, 0, sizeof(*stats));
	frozen = calloc(LEAK_CHECK_MAX_IDS, sizeof(*frozen));
	trace = fopen(TRACEFS_TRACE, "re");
	if (!frozen || !trace) {
		free(frozen);
		if (trace)
			fclose(trace);
		return -1;
	}
	while (fgets(line, sizeof(line), trace)) {
		const char *p = strstr(line, freeze);
		const char *const worker = strstr(line, "kworker/");
		unsigned long long src, id;

		if (p) {
			if (stats->made == LEAK_CHECK_MAX_IDS ||
			    sscanf(p + strlen(freeze), "%llx.%*u frozen=%llx",
				   &src, &id) != 2)
				break;
			stats->same_id += src == id;
			frozen[stats->made++] = id;
			continue;
		}
		p = strstr(line, free_ruleset);
		if (!p)
			continue;
		id = strtoull(p + strlen(free_ruleset), NULL, 16);
		for (i = 0; i < stats->made && frozen[i] != id; i++)
			;
		if (i == stats->made)
			continue;
		if (worker && worker < p)
			stats->freed_by_kworker++;
		else
			stats->freed_by_task++;
	}
	/* Stopped early: too many copies, or an unknown format. */
	i = feof(trace) ? 0 : -1;
	fclose(trace);
	free(frozen);
	return i;
}

static void copy_file(struct __test_metadata *const _metadata,
		      const char *const src_path, const char *const dst_path)
{
	char buf[4096];
	int src, dst;
	ssize_t n;

	src = open(src_path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, src);
	dst = open(dst_path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0755);
	ASSERT_LE(0, dst);
	while ((n = read(src, buf, sizeof(buf))) > 0)
		ASSERT_EQ(n, write(dst, buf, n));
	close(src);
	close(dst);
}

FIXTURE(bpf_on_exec)
{
	struct on_exec_bpf *skel;
	char out[1024];
};

static void set_target(struct __test_metadata *const _metadata,
		       struct on_exec_bpf *const skel, const char *const path)
{
	struct stat st;

	ASSERT_EQ(0, stat(path, &st));
	skel->bss->target_ino = st.st_ino;
	/* The kernel's dev_t encoding, as in struct super_block. */
	skel->bss->target_dev = (major(st.st_dev) << 20) | minor(st.st_dev);
}

static void store(struct __test_metadata *const _metadata,
		  struct on_exec_bpf *const skel, const __u32 index,
		  const char *const dirs[])
{
	struct store_args args = {
		.index = index,
	};

	args.ruleset_fd = create_read_ruleset(_metadata, dirs);
	ASSERT_EQ(0, run_syscall_prog(skel->progs.store_ruleset, &args));
	/* The map holds its own reference. */
	ASSERT_EQ(0, close(args.ruleset_fd));
}

FIXTURE_SETUP(bpf_on_exec)
{
	const char *const files[] = { file_a, file_b, file_c, NULL };
	const char *const *f;

	if (!on_exec_supported(_metadata))
		SKIP(return, ON_EXEC_UNSUPPORTED);
	if (!landlock_kfuncs_available())
		SKIP(return, "no policy object kfuncs (no BPF LSM)");

	mkdir("tmp_bpf", 0700);
	mkdir("tmp_bpf/a", 0700);
	mkdir("tmp_bpf/b", 0700);
	mkdir("tmp_bpf/c", 0700);
	for (f = files; *f; f++) {
		const int fd = open(*f, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

		ASSERT_LE(0, fd);
		close(fd);
	}
	copy_file(_metadata, probe, target);

	libbpf_set_print(log_libbpf);
	verifier_log_len = 0;
	self->skel = on_exec_bpf__open();
	ASSERT_NE(NULL, self->skel);
}

FIXTURE_TEARDOWN(bpf_on_exec)
{
	if (self->skel)
		on_exec_bpf__destroy(self->skel);
	unlink("tmp_bpf/garbage");
	unlink(target);
	unlink(file_a);
	unlink(file_b);
	unlink(file_c);
	rmdir("tmp_bpf/a");
	rmdir("tmp_bpf/b");
	rmdir("tmp_bpf/c");
	rmdir("tmp_bpf");
}

/* Loads and attaches the policy, which sandboxes the target. */
static void load_policy(struct __test_metadata *const _metadata,
			struct on_exec_bpf *const skel)
{
	ASSERT_EQ(0, on_exec_bpf__load(skel))
	{
		TH_LOG("%s", verifier_log);
	}
	ASSERT_EQ(0, on_exec_bpf__attach(skel));
	set_target(_metadata, skel, target);
}

/* The same, with a ruleset that allows reading tmp_bpf/a in the map. */
static void load_and_attach(struct __test_metadata *const _metadata,
			    struct on_exec_bpf *const skel)
{
	const char *const allowed[] = { "tmp_bpf/a", NULL };

	load_policy(_metadata, skel);
	store(_metadata, skel, 0, allowed);
}

/* The target is denied what the ruleset forbids and allowed the rest. */
TEST_F(bpf_on_exec, target_is_sandboxed)
{
	const char *const ops[] = { "read:tmp_bpf/a/f", "read:tmp_bpf/b/f",
				    "layers", "nnp", NULL };

	load_and_attach(_metadata, self->skel);
	EXPECT_EQ(0, run_path(target, ops, self->out, sizeof(self->out)));
	expect_line(_metadata, self->out, "read:tmp_bpf/a/f=ok");
	expect_line(_metadata, self->out, "read:tmp_bpf/b/f=EACCES");
	expect_line(_metadata, self->out, "layers=1");
	expect_line(_metadata, self->out, "nnp=0");
	EXPECT_EQ(1, self->skel->bss->hits);
	EXPECT_EQ(0, self->skel->data->last_ret);

	/* This process is untouched. */
	EXPECT_EQ(0, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
}

/* Other binaries are untouched. */
TEST_F(bpf_on_exec, other_binaries_untouched)
{
	const char *const ops[] = { "read:tmp_bpf/b/f", "layers", NULL };

	load_and_attach(_metadata, self->skel);
	EXPECT_EQ(0, run_path(probe, ops, self->out, sizeof(self->out)));
	expect_line(_metadata, self->out, "read:tmp_bpf/b/f=ok");
	expect_line(_metadata, self->out, "layers=0");
	EXPECT_EQ(0, self->skel->bss->hits);
}

/* no_new_privs is set in the target, only when asked. */
TEST_F(bpf_on_exec, no_new_privs_when_asked)
{
	const char *const ops[] = { "nnp", "layers", NULL };

	load_and_attach(_metadata, self->skel);
	self->skel->bss->restrict_flags = LANDLOCK_RESTRICT_SELF_NO_NEW_PRIVS;
	EXPECT_EQ(0, run_path(target, ops, self->out, sizeof(self->out)));
	expect_line(_metadata, self->out, "nnp=1");
	expect_line(_metadata, self->out, "layers=1");
	EXPECT_EQ(0, self->skel->data->last_ret);
	EXPECT_EQ(0, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
}

/* A failed execution leaves nothing behind. */
TEST_F(bpf_on_exec, failed_exec_leaves_nothing)
{
	const char *const ops[] = { "read:tmp_bpf/b/f", "layers", "nnp", NULL };
	static char *const argv[] = { "garbage", NULL };
	int fd;

	load_and_attach(_metadata, self->skel);
	fd = open("tmp_bpf/garbage", O_CREAT | O_WRONLY | O_CLOEXEC, 0700);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4, write(fd, "\x01\x02\x03\x04", 4));
	close(fd);
	set_target(_metadata, self->skel, "tmp_bpf/garbage");
	self->skel->bss->restrict_flags = LANDLOCK_RESTRICT_SELF_NO_NEW_PRIVS;

	EXPECT_EQ(-1, execve("tmp_bpf/garbage", argv, NULL));
	EXPECT_EQ(ENOEXEC, errno);
	/* The program did arm the ruleset for this execution. */
	EXPECT_EQ(1, self->skel->bss->hits);
	EXPECT_EQ(0, self->skel->data->last_ret);

	EXPECT_EQ(0, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	EXPECT_EQ(0, run_path(probe, ops, self->out, sizeof(self->out)));
	expect_line(_metadata, self->out, "read:tmp_bpf/b/f=ok");
	expect_line(_metadata, self->out, "layers=0");
	expect_line(_metadata, self->out, "nnp=0");
}

/*
 * Combined with a ruleset armed by the executing task: both are enforced,
 * the BPF one below the user space one.
 */
TEST_F(bpf_on_exec, combined_with_user_space)
{
	const char *const user_allowed[] = { "tmp_bpf/a", "tmp_bpf/b", NULL };
	const char *const ops[] = { "read:tmp_bpf/a/f", "read:tmp_bpf/b/f",
				    "read:tmp_bpf/c/f", "layers", NULL };
	int ruleset_fd;

	load_and_attach(_metadata, self->skel);
	ruleset_fd = create_read_ruleset(_metadata, user_allowed);
	ASSERT_EQ(0, landlock_restrict_self(ruleset_fd, ON_EXEC_NNP));
	close(ruleset_fd);

	EXPECT_EQ(0, run_path(target, ops, self->out, sizeof(self->out)));
	expect_line(_metadata, self->out, "read:tmp_bpf/a/f=ok");
	expect_line(_metadata, self->out, "read:tmp_bpf/b/f=EACCES");
	expect_line(_metadata, self->out, "read:tmp_bpf/c/f=EACCES");
	expect_line(_metadata, self->out, "layers=2");
}

/*
 * A second call for the same execution adds a layer: both rulesets hold (a
 * file that only one of them allows is denied, one that both allow is not),
 * and the second arming, without LANDLOCK_RESTRICT_SELF_NO_NEW_PRIVS, does
 * not undo the no_new_privs that the first one asked for.
 */
TEST_F(bpf_on_exec, second_call_stacks)
{
	const char *const allowed_0[] = { "tmp_bpf/a", "tmp_bpf/c", NULL };
	const char *const allowed_1[] = { "tmp_bpf/b", "tmp_bpf/c", NULL };
	const char *const ops[] = { "read:tmp_bpf/a/f",
				    "read:tmp_bpf/b/f",
				    "read:tmp_bpf/c/f",
				    "layers",
				    "nnp",
				    NULL };

	load_policy(_metadata, self->skel);
	store(_metadata, self->skel, 0, allowed_0);
	store(_metadata, self->skel, 1, allowed_1);
	self->skel->bss->restrict_flags = LANDLOCK_RESTRICT_SELF_NO_NEW_PRIVS;
	self->skel->bss->second_flags = 0;
	self->skel->bss->arm_twice = 1;
	EXPECT_EQ(0, run_path(target, ops, self->out, sizeof(self->out)));
	expect_line(_metadata, self->out, "read:tmp_bpf/a/f=EACCES");
	expect_line(_metadata, self->out, "read:tmp_bpf/b/f=EACCES");
	expect_line(_metadata, self->out, "read:tmp_bpf/c/f=ok");
	expect_line(_metadata, self->out, "layers=2");
	expect_line(_metadata, self->out, "nnp=1");
	EXPECT_EQ(0, self->skel->data->last_ret);
	EXPECT_EQ(2, self->skel->bss->applied);
	EXPECT_EQ(0, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
}

/*
 * An execution takes up to 16 layers: 16 armings for one execution are
 * enforced; the 17th fails with EPERM, and so does the execution, although
 * the program ignores the error.  Nothing is left behind: the next
 * execution is armed as usual.
 */
TEST_F(bpf_on_exec, armings_past_layer_limit_fail_exec)
{
	const char *const ops[] = { "read:tmp_bpf/a/f", "read:tmp_bpf/b/f",
				    "layers", NULL };
	int status;

	load_and_attach(_metadata, self->skel);
	self->skel->data->armings = 16;
	EXPECT_EQ(0, run_path(target, ops, self->out, sizeof(self->out)));
	expect_line(_metadata, self->out, "read:tmp_bpf/a/f=ok");
	expect_line(_metadata, self->out, "read:tmp_bpf/b/f=EACCES");
	expect_line(_metadata, self->out, "layers=16");
	EXPECT_EQ(0, self->skel->data->last_ret);
	EXPECT_EQ(16, self->skel->bss->applied);

	self->skel->data->armings = 17;
	self->skel->bss->applied = 0;
	status = run_path(target, ops, self->out, sizeof(self->out));
	expect_exec_error(_metadata, status, self->out, EPERM);
	EXPECT_EQ(-EPERM, self->skel->data->last_ret);
	EXPECT_EQ(16, self->skel->bss->applied);

	self->skel->data->armings = 1;
	EXPECT_EQ(0, run_path(target, ops, self->out, sizeof(self->out)));
	expect_line(_metadata, self->out, "read:tmp_bpf/b/f=EACCES");
	expect_line(_metadata, self->out, "layers=1");
	EXPECT_EQ(3, self->skel->bss->hits);
}

/*
 * bpf_lsm_policy_from_fd() freezes the policy: a rule added to the
 * ruleset after it was handed to BPF does not apply to the executions that
 * the program sandboxes.  Handing the ruleset over again takes a new copy,
 * which has the rule.
 */
TEST_F(bpf_on_exec, rule_added_after_from_fd_not_enforced)
{
	const char *const allowed[] = { "tmp_bpf/a", NULL };
	const char *const ops[] = { "read:tmp_bpf/a/f", "read:tmp_bpf/b/f",
				    "read:tmp_bpf/c/f", NULL };
	struct store_args args = {};

	load_policy(_metadata, self->skel);
	args.ruleset_fd = create_read_ruleset(_metadata, allowed);
	ASSERT_EQ(0, run_syscall_prog(self->skel->progs.store_ruleset, &args));
	allow_read(_metadata, args.ruleset_fd, "tmp_bpf/b");

	EXPECT_EQ(0, run_path(target, ops, self->out, sizeof(self->out)));
	expect_line(_metadata, self->out, "read:tmp_bpf/a/f=ok");
	expect_line(_metadata, self->out, "read:tmp_bpf/b/f=EACCES");
	expect_line(_metadata, self->out, "read:tmp_bpf/c/f=EACCES");
	EXPECT_EQ(1, self->skel->bss->armed);

	/* A new copy, with both rules, replaces the first one. */
	ASSERT_EQ(0, run_syscall_prog(self->skel->progs.store_ruleset, &args));
	ASSERT_EQ(0, close(args.ruleset_fd));
	EXPECT_EQ(0, run_path(target, ops, self->out, sizeof(self->out)));
	expect_line(_metadata, self->out, "read:tmp_bpf/a/f=ok");
	expect_line(_metadata, self->out, "read:tmp_bpf/b/f=ok");
	expect_line(_metadata, self->out, "read:tmp_bpf/c/f=EACCES");
	EXPECT_EQ(2, self->skel->bss->armed);
}

/*
 * Each execution gets its own domain: two executions of the target, both
 * sandboxed by the program with the same ruleset, which scopes signals and
 * abstract unix sockets, can neither signal each other nor connect to each
 * other's sockets (as in on_exec_test.c, with a ruleset armed by BPF).
 */
TEST_F(bpf_on_exec, separate_executions_are_isolated)
{
	const struct landlock_ruleset_attr attr = {
		.scoped = LANDLOCK_SCOPE_SIGNAL |
			  LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET,
	};
	static const char *const argv_a[] = { "on-exec-probe", "layers",
					      "listen-abstract:bpf_on_exec_a",
					      "wait", NULL };
	const char *const ops_control[] = { "connect-abstract:bpf_on_exec_a",
					    "layers", NULL };
	/* A is sandboxed (one layer) and listens. */
	const char *const line = "layers=1\nlisten-abstract:bpf_on_exec_a=ok\n";
	struct store_args args = {};
	char signal_a[32], out_a[80] = {};
	int in[2], out[2], status;
	size_t len = 0;
	pid_t a;

	load_policy(_metadata, self->skel);
	args.ruleset_fd = landlock_create_ruleset(&attr, sizeof(attr), 0);
	ASSERT_LE(0, args.ruleset_fd);
	ASSERT_EQ(0, run_syscall_prog(self->skel->progs.store_ruleset, &args));
	ASSERT_EQ(0, close(args.ruleset_fd));

	/* A listens, then waits for its standard input to be closed. */
	ASSERT_EQ(0, pipe2(in, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(out, O_CLOEXEC));
	a = fork();
	ASSERT_LE(0, a);
	if (a == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		execv(target, (char *const *)argv_a);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	while (len < strlen(line)) {
		const ssize_t n = read(out[0], out_a + len, strlen(line) - len);

		ASSERT_LT(0, n);
		len += n;
	}
	ASSERT_STREQ(line, out_a);

	/* A is there: this unsandboxed process may signal it. */
	EXPECT_EQ(0, kill(a, 0));

	/* B, another execution of the target, sandboxed the same way, may not. */
	snprintf(signal_a, sizeof(signal_a), "signal:%d", a);
	{
		const char *const ops_b[] = { signal_a,
					      "connect-abstract:bpf_on_exec_a",
					      NULL };

		EXPECT_EQ(0, run_path(target, ops_b, self->out,
				      sizeof(self->out)));
	}
	snprintf(signal_a, sizeof(signal_a), "signal:%d=EPERM", a);
	expect_line(_metadata, self->out, signal_a);
	expect_line(_metadata, self->out,
		    "connect-abstract:bpf_on_exec_a=EPERM");
	EXPECT_EQ(2, self->skel->bss->armed);

	/* An unsandboxed program may connect: the socket is there. */
	EXPECT_EQ(0,
		  run_path(probe, ops_control, self->out, sizeof(self->out)));
	expect_line(_metadata, self->out, "connect-abstract:bpf_on_exec_a=ok");
	expect_line(_metadata, self->out, "layers=0");

	/* A ends once its standard input is closed. */
	close(in[1]);
	len = 0;
	while (len < sizeof(out_a) - 1) {
		const ssize_t n =
			read(out[0], out_a + len, sizeof(out_a) - 1 - len);

		if (n <= 0)
			break;
		len += n;
	}
	out_a[len] = '\0';
	close(out[0]);
	EXPECT_STREQ("wait=ok\n", out_a);
	ASSERT_EQ(a, waitpid(a, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(2, self->skel->bss->hits);
}

/*
 * Bad flags: -EINVAL, which fails the execution (the program ignores the
 * error), first arming or not.  The target runs again once the flags are
 * good.
 */
TEST_F(bpf_on_exec, bad_flags)
{
	const __u32 bad[] = {
		LANDLOCK_RESTRICT_SELF_ON_EXEC,
		LANDLOCK_RESTRICT_SELF_TSYNC,
		1U << 31,
	};
	const char *const allowed_1[] = { "tmp_bpf/a", NULL };
	const char *const ops[] = { "layers", NULL };
	int status;
	size_t i;

	load_and_attach(_metadata, self->skel);
	store(_metadata, self->skel, 1, allowed_1);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		/* The only arming. */
		self->skel->bss->restrict_flags = bad[i];
		self->skel->bss->arm_twice = 0;
		self->skel->data->last_ret = 1;
		status = run_path(target, ops, self->out, sizeof(self->out));
		expect_exec_error(_metadata, status, self->out, EINVAL);
		EXPECT_EQ(-EINVAL, self->skel->data->last_ret);

		/* After a successful one. */
		self->skel->bss->restrict_flags = 0;
		self->skel->bss->second_flags = bad[i];
		self->skel->bss->arm_twice = 1;
		self->skel->data->last_ret = 1;
		self->skel->bss->applied = 0;
		status = run_path(target, ops, self->out, sizeof(self->out));
		expect_exec_error(_metadata, status, self->out, EINVAL);
		EXPECT_EQ(-EINVAL, self->skel->data->last_ret);
		EXPECT_EQ(1, self->skel->bss->applied);
	}
	self->skel->bss->second_flags = 0;
	EXPECT_EQ(0, run_path(target, ops, self->out, sizeof(self->out)));
	expect_line(_metadata, self->out, "layers=2");
	EXPECT_EQ(0, self->skel->data->last_ret);
	EXPECT_EQ(2 * ARRAY_SIZE(bad) + 1, self->skel->bss->hits);
	EXPECT_EQ(0, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
}

/*
 * A ruleset file descriptor must be a readable ruleset, and
 * bpf_lsm_policy_from_fd() takes no flag yet.
 */
TEST_F(bpf_on_exec, bad_ruleset_fd)
{
	const char *const allowed[] = { "tmp_bpf/a", NULL };
	static const __u32 bad_flags[] = { 1, 1U << 31 };
	struct store_args args = {};
	size_t i;

	load_and_attach(_metadata, self->skel);
	args.ruleset_fd = -1;
	EXPECT_EQ(-2, run_syscall_prog(self->skel->progs.store_ruleset, &args));
	args.ruleset_fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, args.ruleset_fd);
	EXPECT_EQ(-2, run_syscall_prog(self->skel->progs.store_ruleset, &args));
	close(args.ruleset_fd);

	args.ruleset_fd = create_read_ruleset(_metadata, allowed);
	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		args.flags = bad_flags[i];
		EXPECT_EQ(-2, run_syscall_prog(self->skel->progs.store_ruleset,
					       &args));
	}
	/* The same file descriptor, without flags. */
	args.flags = 0;
	EXPECT_EQ(0, run_syscall_prog(self->skel->progs.store_ruleset, &args));
	close(args.ruleset_fd);
}

/* Loading @prog must fail, with @message in the verifier log. */
static void expect_rejected(struct __test_metadata *const _metadata,
			    struct on_exec_bpf *const skel,
			    struct bpf_program *const prog,
			    const char *const message)
{
	bpf_program__set_autoload(prog, true);
	EXPECT_NE(0, on_exec_bpf__load(skel));
	EXPECT_NE(NULL, strstr(verifier_log, message))
	{
		TH_LOG("verifier log:\n%s", verifier_log);
	}
}

/* Arming from a hook that runs after Landlock merged the slots is refused. */
TEST_F(bpf_on_exec, forbidden_hook_rejected)
{
	expect_rejected(_metadata, self->skel,
			self->skel->progs.restrict_too_late,
			"bpf_lsm_policy_apply_bprm is not allowed");
}

/* A reference that is not released is refused. */
TEST_F(bpf_on_exec, missing_release_rejected)
{
	expect_rejected(_metadata, self->skel, self->skel->progs.leak_reference,
			"Unreleased reference");
}

/*
 * The references held by the map, the program and the execution are all
 * dropped: every ruleset and domain created is freed once the policy is
 * unloaded.  The map holds a frozen copy of the ruleset, which the
 * executions enforce: the original is freed as soon as its file descriptor
 * is closed, the copy only once the policy is unloaded.
 */
TEST_F(bpf_on_exec, no_reference_leak)
{
	const char *const ops[] = { "layers", NULL };
	static char *const argv[] = { "garbage", NULL };
	struct freeze_event freeze = {};
	size_t created = 0;
	char field[48];
	int fd;

	ASSERT_EQ(0, leak_check_start());
	load_and_attach(_metadata, self->skel);
	ASSERT_EQ(1, read_freeze_events(&freeze, 1))
	{
		TH_LOG("no landlock_freeze_ruleset event: BPF got no frozen copy");
	}
	EXPECT_NE(freeze.ruleset, freeze.frozen);
	/* load_and_attach() closed the only file descriptor of the original. */
	EXPECT_TRUE(wait_ruleset_freed(freeze.ruleset));

	EXPECT_EQ(0, run_path(target, ops, self->out, sizeof(self->out)));
	expect_line(_metadata, self->out, "layers=1");
	EXPECT_EQ(0, run_path(target, ops, self->out, sizeof(self->out)));

	/* A failed execution with an armed ruleset. */
	fd = open("tmp_bpf/garbage", O_CREAT | O_WRONLY | O_CLOEXEC, 0700);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4, write(fd, "\x01\x02\x03\x04", 4));
	close(fd);
	set_target(_metadata, self->skel, "tmp_bpf/garbage");
	EXPECT_EQ(-1, execve("tmp_bpf/garbage", argv, NULL));
	EXPECT_EQ(3, self->skel->bss->hits);

	/* Both executions enforced the copy, never the original. */
	snprintf(field, sizeof(field), " ruleset=%llx.", freeze.frozen);
	EXPECT_EQ(2, trace_count("landlock_create_domain: ", field));
	snprintf(field, sizeof(field), " ruleset=%llx.", freeze.ruleset);
	EXPECT_EQ(0, trace_count("landlock_create_domain: ", field));
	/* The map still holds the copy. */
	EXPECT_EQ(NOT_FREED, ruleset_freed(freeze.frozen));

	on_exec_bpf__destroy(self->skel);
	self->skel = NULL;
	EXPECT_EQ(0, leak_check_wait(&created));
	/* The original, its copy, and a domain per execution at least. */
	EXPECT_LE(4, created);
	/* The map's destructor released the copy: freed after a grace period. */
	EXPECT_EQ(FREED_BY_KWORKER, ruleset_freed(freeze.frozen));
}

/* Gets the first two CPUs this thread may run on; false if there are fewer. */
static bool get_two_cpus(int cpus[2])
{
	cpu_set_t set;
	int cpu, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return false;
	for (cpu = 0; cpu < CPU_SETSIZE && n < 2; cpu++)
		if (CPU_ISSET(cpu, &set))
			cpus[n++] = cpu;
	return n == 2;
}

static int pin_to_cpu(const int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static __u32 read_shared(const __u32 *const var)
{
	return __atomic_load_n(var, __ATOMIC_ACQUIRE);
}

/*
 * A ruleset that a BPF program read in an RCU read-side section is not
 * freed before the program leaves the section, even once its last reference
 * is put.  The kptr is a frozen copy of the ruleset, of which the map holds
 * the only reference (the original, only held by its file descriptor, is
 * freed when that is closed, before the program runs): the last put is the
 * release of the map's reference.  The program holds the section open on
 * one CPU until this thread, on another, has dropped it; the copy must not
 * be freed yet (no landlock_free_ruleset event with its ID, taken from the
 * landlock_freeze_ruleset event: this holds without KASAN), and the
 * acquisition must then fail (the reference count reached zero).  The test
 * checks that this order really happened (the program saw race_go, and
 * acquire returned NULL), so it cannot pass without hitting the window.
 */
static void race_last_put(struct __test_metadata *const _metadata,
			  struct on_exec_bpf *const skel,
			  struct bpf_program *const reader)
{
	const char *const allowed[] = { "tmp_bpf/a", NULL };
	static char *const argv[] = { "on-exec-probe", NULL };
	struct freeze_event freeze = {};
	struct store_args args = {};
	int status, i, go_pipe[2], cpus[2];
	size_t created = 0;
	pid_t child;

	if (!get_two_cpus(cpus))
		SKIP(return, "needs 2 CPUs (%d online) to race", get_nprocs());

	ASSERT_EQ(0, leak_check_start());
	bpf_program__set_autoload(skel->progs.sandbox_target, false);
	bpf_program__set_autoload(reader, true);
	ASSERT_EQ(0, on_exec_bpf__load(skel))
	{
		TH_LOG("%s", verifier_log);
	}
	ASSERT_EQ(0, on_exec_bpf__attach(skel));
	set_target(_metadata, skel, target);

	/*
	 * The child must not share the ruleset's file (close-on-exec only
	 * closes it after the program ran), whose close must free the
	 * original: it is forked first, and executes the target once told to.
	 */
	ASSERT_EQ(0, pipe2(go_pipe, O_CLOEXEC));
	ASSERT_EQ(0, pin_to_cpu(cpus[1]));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		char c;

		close(go_pipe[1]);
		if (pin_to_cpu(cpus[0]))
			_exit(126);
		if (read(go_pipe[0], &c, 1) == 1)
			execv(target, argv);
		_exit(127);
	}
	close(go_pipe[0]);

	args.ruleset_fd = create_read_ruleset(_metadata, allowed);
	ASSERT_EQ(0, run_syscall_prog(skel->progs.store_ruleset, &args));
	/* The map holds a frozen copy of the ruleset. */
	ASSERT_EQ(1, read_freeze_events(&freeze, 1))
	{
		TH_LOG("no landlock_freeze_ruleset event: BPF got no frozen copy");
	}
	ASSERT_NE(freeze.ruleset, freeze.frozen);
	/* The original is not the map's: closing its file frees it. */
	ASSERT_EQ(0, close(args.ruleset_fd));
	ASSERT_TRUE(wait_ruleset_freed(freeze.ruleset));
	ASSERT_EQ(NOT_FREED, ruleset_freed(freeze.frozen));
	ASSERT_EQ(1, write(go_pipe[1], "x", 1));
	close(go_pipe[1]);

	/* Waits until the program read the kptr and holds the section. */
	for (i = 0;
	     i < 20000 && read_shared(&skel->bss->race_state) == RACE_IDLE; i++)
		usleep(500);
	ASSERT_EQ(RACE_WINDOW_OPEN, read_shared(&skel->bss->race_state));

	/* Drops the map's reference: the last one to the copy. */
	ASSERT_EQ(0, run_syscall_prog(skel->progs.drop_ruleset, &args));
	/*
	 * Leaves time for a free that would not wait for the reader (e.g. a
	 * work item queued on this CPU) to happen.  The reader still holds its
	 * section: the copy must be there.
	 */
	usleep(100 * 1000);
	EXPECT_EQ(NOT_FREED, ruleset_freed(freeze.frozen));
	__atomic_store_n(&skel->bss->race_go, 1, __ATOMIC_RELEASE);

	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(RACE_NULL_AFTER_LAST_PUT, skel->bss->race_state)
	{
		TH_LOG("race_state %u: the window was %s",
		       skel->bss->race_state,
		       skel->bss->race_state == RACE_TIMED_OUT ?
			       "never closed by user space" :
			       "not hit as intended");
	}

	EXPECT_EQ(0, leak_check_wait(&created));
	/* The original and its copy, freed after the reader left. */
	EXPECT_EQ(2, created);
	EXPECT_EQ(FREED_BY_KWORKER, ruleset_freed(freeze.frozen));
}

TEST_F(bpf_on_exec, rcu_reader_outlives_last_put)
{
	race_last_put(_metadata, self->skel,
		      self->skel->progs.acquire_after_last_put_sleepable);
}

TEST_F(bpf_on_exec, rcu_reader_outlives_last_put_atomic)
{
	race_last_put(_metadata, self->skel,
		      self->skel->progs.acquire_after_last_put_atomic);
}

/* A kptr read outside an RCU read-side section cannot be acquired. */
TEST_F(bpf_on_exec, acquire_without_rcu_rejected)
{
	expect_rejected(_metadata, self->skel,
			self->skel->progs.acquire_without_rcu,
			"must be a rcu pointer");
}

/* Only an acquired (referenced) ruleset can be armed. */
TEST_F(bpf_on_exec, restrict_unacquired_rejected)
{
	expect_rejected(_metadata, self->skel,
			self->skel->progs.restrict_unacquired,
			"must be referenced or trusted");
}

/* At most this many executions, for at most this long (slow debug kernels). */
#define SWAP_AND_CLOSE_ROUNDS 300
#define SWAP_AND_CLOSE_SECONDS 20
/*
 * Each swap creates a ruleset and its frozen copy, which the leak check must
 * pair.
 */
#define SWAP_AND_CLOSE_MAX_SWAPS 2000

/*
 * The same race at full speed, without the program waiting: one CPU keeps
 * executing the target, whose program acquires the map's ruleset, while the
 * other keeps replacing it with a frozen copy of a new ruleset (the map is
 * never empty), which releases the map's reference to the previous copy (its
 * last one, unless an execution holds it), and closes the new ruleset's
 * file descriptor (which frees the original).  Every execution must be
 * sandboxed if and only if the program armed a ruleset for it, every store
 * must make a new copy, and every ruleset and domain must be freed, the
 * copies after an RCU grace period.
 */
TEST_F_TIMEOUT(bpf_on_exec, kptr_swap_and_close_race,
	       SWAP_AND_CLOSE_SECONDS + 40)
{
	const char *const allowed[] = { "tmp_bpf/a", NULL };
	struct on_exec_bpf *const skel = self->skel;
	__u32 swaps = 0, mismatches = 0;
	struct frozen_stats frozen;
	int status, cpus[2];
	size_t created = 0;
	pid_t child;

	if (!get_two_cpus(cpus))
		SKIP(return, "needs 2 CPUs (%d online) to race", get_nprocs());

	ASSERT_EQ(0, leak_check_start());
	load_and_attach(_metadata, skel);

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		const char *const ops[] = { "read:tmp_bpf/b/f", NULL };
		const time_t end = time(NULL) + SWAP_AND_CLOSE_SECONDS;
		char out[256];
		int round;

		if (pin_to_cpu(cpus[0]))
			_exit(3);
		for (round = 0;
		     round < SWAP_AND_CLOSE_ROUNDS && time(NULL) < end;
		     round++) {
			const __u32 before = read_shared(&skel->bss->armed);
			bool sandboxed;

			if (run_path(target, ops, out, sizeof(out)))
				_exit(2);
			sandboxed = strstr(out, "read:tmp_bpf/b/f=EACCES\n");
			if (sandboxed !=
			    (read_shared(&skel->bss->armed) != before))
				mismatches++;
		}
		_exit(mismatches ? 1 : 0);
	}
	ASSERT_EQ(0, pin_to_cpu(cpus[1]));
	while (waitpid(child, &status, WNOHANG) == 0) {
		struct store_args args = {};

		if (swaps >= SWAP_AND_CLOSE_MAX_SWAPS) {
			ASSERT_EQ(child, waitpid(child, &status, 0));
			break;
		}
		args.ruleset_fd = create_read_ruleset(_metadata, allowed);
		/* Releases the map's reference to the previous copy. */
		ASSERT_EQ(0,
			  run_syscall_prog(skel->progs.store_ruleset, &args));
		/* The map holds a copy: the original is not needed. */
		ASSERT_EQ(0, close(args.ruleset_fd));
		swaps++;
	}
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
	{
		TH_LOG("child status %#x: %s", status,
		       WEXITSTATUS(status) == 1 ?
			       "armed and sandboxed executions differ" :
			       "an execution failed");
	}
	EXPECT_LE(1, skel->bss->hits);
	EXPECT_EQ(skel->bss->hits, skel->bss->armed + skel->bss->missed);
	TH_LOG("%u executions: %u armed, %u found no ruleset; %u swaps",
	       skel->bss->hits, skel->bss->armed, skel->bss->missed, swaps);

	on_exec_bpf__destroy(skel);
	self->skel = NULL;
	EXPECT_EQ(0, leak_check_wait(&created));

	ASSERT_EQ(0, read_frozen_stats(&frozen));
	/* One new copy per store, load_and_attach()'s included... */
	EXPECT_EQ((int)swaps + 1, frozen.made);
	EXPECT_EQ(0, frozen.same_id);
	/* ...each freed after a grace period, by a kernel worker. */
	EXPECT_EQ(frozen.made, frozen.freed_by_kworker)
	{
		TH_LOG("%d copies, %d freed by a kernel worker, %d by a task",
		       frozen.made, frozen.freed_by_kworker,
		       frozen.freed_by_task);
	}
}

TEST_HARNESS_MAIN
