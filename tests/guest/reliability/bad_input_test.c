// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input matrix of exec-time enforcement.
 *
 * Every combination of landlock_restrict_self(2) flags (the six known ones
 * and unknown bits) with every kind of file descriptor, by a caller with and
 * without no_new_privs/CAP_SYS_ADMIN; every flag of
 * bpf_lsm_policy_apply_bprm(), and up to SANDBOX_MAX_ARMINGS armings of
 * one execution, whose errors fail the execution; rulesets released by
 * user space while armed.  The expected errno comes from the documented rules
 * (expected_restrict_self() below, from include/uapi/linux/landlock.h, and
 * security/bpf_lsm_kfuncs.c); each case prints one table row.
 */

#define LEAK_CHECK_MAX_IDS 4096
#include "reliability.h"
#include "landlock/leak_check.h"

#define LOG_SAME_EXEC_OFF LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF
#define LOG_NEW_EXEC_ON LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON
#define LOG_SUBDOMAINS_OFF LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF
#define TSYNC LANDLOCK_RESTRICT_SELF_TSYNC
#define NNP LANDLOCK_RESTRICT_SELF_NO_NEW_PRIVS
#define KNOWN_FLAGS ((ON_EXEC << 1) - 1)

enum fd_kind {
	FD_MINUS_ONE,
	FD_RULESET,
	FD_NOT_RULESET,
	FD_CLOSED,
	FD_O_PATH,
	FD_KINDS,
};

static const char *const fd_names[] = {
	[FD_MINUS_ONE] = "-1",
	[FD_RULESET] = "ruleset",
	[FD_NOT_RULESET] = "/dev/null",
	[FD_CLOSED] = "closed",
	[FD_O_PATH] = "O_PATH",
};

/* Errors of landlock_get_ruleset_from_fd(). */
static int fd_errno(const enum fd_kind kind)
{
	switch (kind) {
	case FD_RULESET:
		return 0;
	case FD_NOT_RULESET:
		return EBADFD;
	default:
		/* -1, closed, and O_PATH (not a usable file). */
		return EBADF;
	}
}

/* The documented result of landlock_restrict_self(@kind, @flags). */
static int expected_restrict_self(const enum fd_kind kind, const __u32 flags,
				  const bool privileged)
{
	if (flags & ~KNOWN_FLAGS)
		return EINVAL;
	if (flags & ON_EXEC) {
		/* -1 disarms (every thread with TSYNC), with no other flag. */
		if (kind == FD_MINUS_ONE && (flags & ~TSYNC) != ON_EXEC)
			return EINVAL;
		if (!privileged && !(flags & NNP))
			return EPERM;
		return kind == FD_MINUS_ONE ? 0 : fd_errno(kind);
	}
	if (!privileged && !(flags & NNP))
		return EPERM;
	/* Only LOG_SUBDOMAINS_OFF (and TSYNC) may go without a ruleset. */
	if (kind == FD_MINUS_ONE && (flags & ~TSYNC) == LOG_SUBDOMAINS_OFF)
		return 0;
	return fd_errno(kind);
}

static void flag_names(const __u32 flags, char *const buf, const size_t size)
{
	static const char *const names[] = {
		"LOG_SAME_EXEC_OFF", "LOG_NEW_EXEC_ON", "LOG_SUBDOMAINS_OFF",
		"TSYNC",	     "NO_NEW_PRIVS",	"ON_EXEC",
	};
	size_t len = 0, i;

	buf[0] = '\0';
	for (i = 0; i < 32; i++) {
		if (!(flags & (1U << i)))
			continue;
		if (i < ARRAY_SIZE(names))
			len += snprintf(buf + len, size - len, "%s%s",
					len ? "|" : "", names[i]);
		else
			len += snprintf(buf + len, size - len, "%s1<<%zu",
					len ? "|" : "", i);
	}
	if (!len)
		snprintf(buf, size, "0");
}

/* Returns the errno of landlock_restrict_self(), called in a child. */
static int try_restrict_self(struct __test_metadata *const _metadata,
			     const enum fd_kind kind, const __u32 flags,
			     const bool privileged)
{
	int status, fd = -1;
	pid_t child;

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		if (privileged) {
			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
				_exit(255);
		} else {
			drop_caps(_metadata);
		}
		switch (kind) {
		case FD_MINUS_ONE:
			break;
		case FD_RULESET:
			fd = create_read_ruleset(_metadata, DIR_A);
			break;
		case FD_NOT_RULESET:
			fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			break;
		case FD_CLOSED:
			fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			close(fd);
			break;
		case FD_O_PATH:
			fd = open(DIR_A, O_PATH | O_CLOEXEC);
			break;
		default:
			_exit(255);
		}
		if (kind != FD_MINUS_ONE && kind != FD_CLOSED && fd < 0)
			_exit(255);
		if (landlock_restrict_self(fd, flags))
			_exit(errno < 255 ? errno : 254);
		_exit(0);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_NE(255, WEXITSTATUS(status));
	return WEXITSTATUS(status);
}

FIXTURE(bad_input)
{
	bool workdir;
};

FIXTURE_SETUP(bad_input)
{
	workdir_setup(_metadata);
	self->workdir = true;
	ASSERT_EQ(0, leak_check_start());
}

FIXTURE_TEARDOWN(bad_input)
{
	size_t created = 0;
	int live;

	live = leak_check_wait(&created);
	if (self->workdir)
		workdir_teardown();
	EXPECT_EQ(0, live)
	{
		TH_LOG("%d of %zu rulesets and domains leaked", live, created);
	}
}

/* 660 cases, each in a child process: slow on a debug kernel. */
TEST_F_TIMEOUT(bad_input, restrict_self_matrix, 600)
{
	static const __u32 unknown[] = { 1U << 6, 1U << 31 };
	unsigned int tried = 0, mismatches = 0;
	int kind, got, want, privileged;
	char names[128];
	__u32 flags;
	size_t u;

	printf("# %-9s %-7s %-52s %-10s %s\n", "fd", "caller", "flags",
	       "expected", "got");
	for (privileged = 1; privileged >= 0; privileged--) {
		for (kind = 0; kind < FD_KINDS; kind++) {
			for (flags = 0; flags <= KNOWN_FLAGS + ARRAY_SIZE(unknown);
			     flags++) {
				__u32 f = flags;

				/* The known combinations, then unknown bits. */
				if (flags > KNOWN_FLAGS) {
					u = flags - KNOWN_FLAGS - 1;
					f = unknown[u] | (u ? ON_EXEC : 0);
				}
				want = expected_restrict_self(kind, f,
							      privileged);
				got = try_restrict_self(_metadata, kind, f,
							privileged);
				flag_names(f, names, sizeof(names));
				printf("# %-9s %-7s %-52s %-10s %s%s\n",
				       fd_names[kind],
				       privileged ? "nnp" : "no-caps", names,
				       errno_name(want), errno_name(got),
				       got == want ? "" : "  MISMATCH");
				tried++;
				mismatches += got != want;
			}
		}
	}
	printf("# restrict_self: %u cases, %u mismatches\n", tried, mismatches);
	EXPECT_EQ(0, mismatches);
}

/* A ruleset without any handled access cannot even be created. */
TEST_F(bad_input, ruleset_without_handled_access)
{
	const struct landlock_ruleset_attr attr = {};

	ASSERT_EQ(-1, landlock_create_ruleset(&attr, sizeof(attr), 0));
	printf("# create_ruleset(no handled access) expected ENOMSG got %s\n",
	       errno_name(errno));
	EXPECT_EQ(ENOMSG, errno);
}

TEST_F_TIMEOUT(bad_input, kfunc_flags, 120)
{
	static const __u32 combos[] = {
		0,
		NNP | LOG_SAME_EXEC_OFF | LOG_NEW_EXEC_ON | LOG_SUBDOMAINS_OFF,
		NNP | ON_EXEC,
		NNP | TSYNC,
		ON_EXEC | TSYNC,
		~0U,
	};
	/* The valid flags of bpf_lsm_policy_apply_bprm(). */
	const __u32 valid = NNP | LOG_SAME_EXEC_OFF | LOG_NEW_EXEC_ON |
			    LOG_SUBDOMAINS_OFF;
	unsigned int tried = 0, mismatches = 0, i;
	struct probe_report report;
	struct on_exec_bpf *skel;
	char names[256];

	skel = bpf_policy_start(_metadata, DIR_A, 0);
	ASSERT_NE(NULL, skel);
	printf("# %-60s %-10s %s\n", "bpf_lsm_policy_apply_bprm flags",
	       "expected", "got (kfunc, execve)");
	for (i = 0; i < 32 + ARRAY_SIZE(combos); i++) {
		const __u32 flags = i < 32 ? 1U << i : combos[i - 32];
		const int want = flags & ~valid ? -EINVAL : 0;
		int got, exec_err;

		skel->bss->restrict_flags = flags;
		skel->data->last_ret = 1;
		exec_err = try_probe(_metadata, BPF_TARGET, &report);
		got = skel->data->last_ret;
		/*
		 * Rejected: the execution fails with the kfunc's error,
		 * although the program ignores it.  Accepted: it runs
		 * sandboxed.
		 */
		if (!exec_err)
			EXPECT_EQ(EACCES, report.read_b);
		flag_names(flags, names, sizeof(names));
		printf("# %-60s %-10s %s, %s%s\n", names, errno_name(-want),
		       errno_name(-got), errno_name(exec_err),
		       got == want && exec_err == -want ? "" : "  MISMATCH");
		tried++;
		mismatches += got != want || exec_err != -want;
	}
	on_exec_bpf__destroy(skel);
	printf("# kfunc: %u cases, %u mismatches\n", tried, mismatches);
	EXPECT_EQ(0, mismatches);
}

/*
 * The rows of kfunc_armings for a domain of @layers layers, which this
 * process (a child) enforces first.  Returns the number of mismatches.
 */
static unsigned int try_armings(struct __test_metadata *const _metadata,
				struct on_exec_bpf *const skel,
				const unsigned int layers)
{
	unsigned int mismatches = 0, i, n;
	struct probe_report report;
	char want[32];

	EXPECT_EQ(0, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	for (i = 0; i < layers; i++) {
		const int fd = create_read_ruleset(_metadata, "/");

		EXPECT_EQ(0, landlock_restrict_self(fd, 0));
		close(fd);
	}
	for (n = 1; n <= SANDBOX_MAX_ARMINGS; n++) {
		const int want_ret = n > 16 ? -EPERM : 0;
		const int want_exec = layers + n > 16 ? EPERM : 0;
		int got, exec_err;
		bool match;

		skel->data->armings = n;
		skel->data->last_ret = 1;
		exec_err = try_probe(_metadata, BPF_TARGET, &report);
		got = skel->data->last_ret;
		/* Ran: sandboxed. */
		if (!exec_err)
			EXPECT_EQ(EACCES, report.read_b);
		match = got == want_ret && exec_err == want_exec;
		snprintf(want, sizeof(want), "%s, %s", errno_name(-want_ret),
			 errno_name(want_exec));
		printf("# %-13u %-8u %-16s %s, %s%s\n", layers, n, want,
		       errno_name(-got), errno_name(exec_err),
		       match ? "" : "  MISMATCH");
		mismatches += !match;
	}
	printf("# kfunc armings on %u layers: %u cases, %u mismatches\n",
	       layers, SANDBOX_MAX_ARMINGS, mismatches);
	return mismatches;
}

/*
 * Each arming adds a layer: n armings of one execution (1 to
 * SANDBOX_MAX_ARMINGS) by the BPF policy, on top of a domain of 0 or 8
 * layers.  The 17th arming fails with EPERM, and so does the execution; the
 * execution also fails with EPERM past 16 layers in all, when Landlock
 * merges them.  Each domain size is tried in a child, which keeps the
 * layers.
 */
TEST_F_TIMEOUT(bad_input, kfunc_armings, 120)
{
	static const unsigned int domain_layers[] = { 0, 8 };
	struct on_exec_bpf *skel;
	int status;
	size_t d;
	pid_t child;

	skel = bpf_policy_start(_metadata, DIR_A, 0);
	ASSERT_NE(NULL, skel);
	printf("# %-13s %-8s %-16s %s\n", "domain layers", "armings",
	       "expected", "got (kfunc, execve)");
	fflush(stdout);
	for (d = 0; d < ARRAY_SIZE(domain_layers); d++) {
		child = fork();
		ASSERT_LE(0, child);
		if (child == 0) {
			const unsigned int mismatches =
				try_armings(_metadata, skel, domain_layers[d]);

			fflush(stdout);
			_exit(mismatches ? 1 : _metadata->exit_code);
		}
		ASSERT_EQ(child, waitpid(child, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	on_exec_bpf__destroy(skel);
}

/* The armed ruleset holds its own reference: closing the fd changes nothing. */
TEST_F(bad_input, ruleset_closed_while_armed)
{
	struct probe_report report;
	int ruleset_fd, status;
	pid_t child;

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		ruleset_fd = create_read_ruleset(_metadata, DIR_A);
		ASSERT_EQ(0, landlock_restrict_self(ruleset_fd, ON_EXEC | NNP));
		ASSERT_EQ(0, close(ruleset_fd));
		run_probe(_metadata, PROBE, &report);
		EXPECT_EQ(0, report.read_a);
		EXPECT_EQ(EACCES, report.read_b);
		/* Disarming releases the last reference. */
		ASSERT_EQ(0, landlock_restrict_self(-1, ON_EXEC));
		run_probe(_metadata, PROBE, &report);
		EXPECT_EQ(0, report.read_b);
		_exit(_metadata->exit_code);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("# ruleset closed while armed (user space): enforced, then disarmed\n");
}

/* The same for BPF: the map holds the only reference, then none does. */
TEST_F(bad_input, ruleset_closed_while_stored_in_bpf_map)
{
	struct probe_report report;
	struct on_exec_bpf *skel;

	/* bpf_policy_start() closes its ruleset fd once stored. */
	skel = bpf_policy_start(_metadata, DIR_A, 0);
	ASSERT_NE(NULL, skel);
	run_probe(_metadata, BPF_TARGET, &report);
	EXPECT_EQ(0, report.read_a);
	EXPECT_EQ(EACCES, report.read_b);
	/* The map, and with it the last reference, goes away. */
	on_exec_bpf__destroy(skel);
	run_probe(_metadata, BPF_TARGET, &report);
	EXPECT_EQ(0, report.read_b);
	printf("# ruleset closed while stored in a BPF map: enforced, freed with the map\n");
}

/*
 * Fail closed: a BPF policy that arms a 17th layer makes the execution fail
 * with EPERM before its point of no return; the program never runs.  The
 * arming itself succeeds: the layers are counted when Landlock merges them.
 */
TEST_F(bad_input, bpf_past_layer_limit_fails_closed)
{
	struct on_exec_bpf *skel;
	int status, i;
	pid_t child;

	skel = bpf_policy_start(_metadata, DIR_A, 0);
	ASSERT_NE(NULL, skel);
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		struct probe_report report;
		char *const argv[] = { "fault-probe", FILE_A, FILE_B, NULL };

		ASSERT_EQ(0, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
		for (i = 0; i < 16; i++) {
			const int fd = create_read_ruleset(_metadata, "/");

			ASSERT_EQ(0, landlock_restrict_self(fd, 0));
			close(fd);
		}
		/* execv() returns: the target never ran. */
		EXPECT_EQ(-1, execv(BPF_TARGET, argv));
		EXPECT_EQ(EPERM, errno);
		printf("# exec of the BPF target at 16 layers: %s\n",
		       errno_name(errno));
		/* The caller is fine, and other programs still run. */
		run_probe(_metadata, PROBE, &report);
		EXPECT_EQ(0, report.read_b);
		_exit(_metadata->exit_code);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(0, skel->data->last_ret);
	on_exec_bpf__destroy(skel);
}

TEST_HARNESS_MAIN
