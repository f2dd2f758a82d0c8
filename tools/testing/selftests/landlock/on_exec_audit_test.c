// SPDX-License-Identifier: GPL-2.0
/*
 * Landlock tests - Audit of rulesets armed with LANDLOCK_RESTRICT_SELF_ON_EXEC
 *
 * A launcher arms a ruleset (handling LANDLOCK_ACCESS_FS_READ_DIR and scoping
 * signals, without rules) and executes a program.  The layer is created at
 * the execution and marked as created by the executed program: for the
 * logging flags, this program is the "same executable code" as the layer's
 * creator, and a program it executes in turn is a "new" one.  Each variant
 * sets one combination of logging flags; each test checks, through the audit
 * netlink socket as audit_test.c does, which denials are logged:
 *
 * - own_denial: the executed program's denial, and the creator that the
 *   domain allocation record names;
 * - after_second_exec: the denial of a program that the executed program
 *   executes in turn;
 * - nested_domain: the denials of domains that the executed program creates
 *   (and of the armed layer, in the same program).
 *
 * on_exec_audit_launcher.not_restricted checks that the launcher itself logs
 * nothing, before its execution or after a failed one.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/landlock.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit.h"
#include "common.h"
#include "on_exec_audit.h"
#include "on_exec_support.h"

/* Executed by the launcher in on_exec_audit_launcher tests: fails. */
static const char garbage[] = "on_exec_audit_garbage";

FIXTURE(on_exec_audit)
{
	struct audit_filter audit_filter;
	int audit_fd;
	/* This test program, which the launcher runs. */
	char self_exe[PATH_MAX];
	/* The comm of this process, for denied signals. */
	char comm[16];
	char out[256];
};

FIXTURE_VARIANT(on_exec_audit)
{
	const __u32 restrict_flags;
	/* Denials of the armed layer in the executed program are logged. */
	const bool own_logged;
	/* ...and in a program it executes. */
	const bool next_exec_logged;
	/* Denials of domains that the executed program creates are logged. */
	const bool nested_logged;
};

/* clang-format off */
FIXTURE_VARIANT_ADD(on_exec_audit, default) {
	/* clang-format on */
	.restrict_flags = 0,
	.own_logged = true,
	.next_exec_logged = false,
	.nested_logged = true,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(on_exec_audit, log_same_exec_off) {
	/* clang-format on */
	.restrict_flags = LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF,
	.own_logged = false,
	.next_exec_logged = false,
	.nested_logged = true,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(on_exec_audit, log_same_exec_off_new_exec_on) {
	/* clang-format on */
	.restrict_flags = LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF |
			  LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON,
	.own_logged = false,
	.next_exec_logged = true,
	.nested_logged = true,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(on_exec_audit, log_new_exec_on) {
	/* clang-format on */
	.restrict_flags = LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON,
	.own_logged = true,
	.next_exec_logged = true,
	.nested_logged = true,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(on_exec_audit, log_subdomains_off) {
	/* clang-format on */
	.restrict_flags = LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF,
	.own_logged = true,
	.next_exec_logged = false,
	.nested_logged = false,
};

FIXTURE_SETUP(on_exec_audit)
{
	if (!on_exec_supported(_metadata))
		SKIP(return, ON_EXEC_UNSUPPORTED);

	disable_caps(_metadata);
	set_cap(_metadata, CAP_AUDIT_CONTROL);
	self->audit_fd = audit_init();
	EXPECT_LE(0, self->audit_fd)
	{
		const char *error_msg;

		/* kill "$(auditctl -s | sed -ne 's/^pid \([0-9]\+\)$/\1/p')" */
		if (self->audit_fd == -EEXIST)
			error_msg = "socket already in use (e.g. auditd)";
		else
			error_msg = strerror(-self->audit_fd);
		TH_LOG("Failed to initialize audit: %s", error_msg);
	}
	clear_cap(_metadata, CAP_AUDIT_CONTROL);

	ASSERT_EQ(0, get_self_exe(self->self_exe, sizeof(self->self_exe)));
	ASSERT_EQ(0, prctl(PR_GET_NAME, self->comm, 0, 0, 0));
}

FIXTURE_TEARDOWN(on_exec_audit)
{
	set_cap(_metadata, CAP_AUDIT_CONTROL);
	EXPECT_EQ(0, audit_cleanup(self->audit_fd, &self->audit_filter));
	clear_cap(_metadata, CAP_AUDIT_CONTROL);
}

/* Only the records of @path's processes remain. */
static void filter_exe(struct __test_metadata *const _metadata,
		       const int audit_fd, struct audit_filter *const filter,
		       const char *const path)
{
	set_cap(_metadata, CAP_AUDIT_CONTROL);
	ASSERT_EQ(0, set_exe_filter(audit_fd, filter, path));
	clear_cap(_metadata, CAP_AUDIT_CONTROL);
}

/* Handles LANDLOCK_ACCESS_FS_READ_DIR and scopes signals; no rule. */
static int create_ruleset(struct __test_metadata *const _metadata)
{
	const struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_READ_DIR,
		.scoped = LANDLOCK_SCOPE_SIGNAL,
	};
	const int ruleset_fd = landlock_create_ruleset(&attr, sizeof(attr), 0);

	EXPECT_LE(0, ruleset_fd);
	return ruleset_fd;
}

/*
 * The executed program's denial: logged unless
 * LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF.  The domain allocation record
 * names the executed program as the creator.
 */
TEST_F(on_exec_audit, own_denial)
{
	const char *const argv[] = { bin_on_exec_probe, "read:/", NULL };
	struct audit_creator creator;
	__u64 denial_dom = 1, new_dom = 2;
	int ruleset_fd;
	pid_t pid;

	filter_exe(_metadata, self->audit_fd, &self->audit_filter,
		   bin_on_exec_probe);
	ruleset_fd = create_ruleset(_metadata);
	ASSERT_LE(0, ruleset_fd);
	EXPECT_EQ(0, launch_and_wait(argv, ruleset_fd, variant->restrict_flags,
				     self->out, sizeof(self->out), &pid));
	EXPECT_EQ(0, close(ruleset_fd));
	/* The access was denied, whether it is logged or not. */
	EXPECT_STREQ("read:/=EACCES\n", self->out);

	if (variant->own_logged) {
		EXPECT_EQ(0, matches_next_fs_read_root(self->audit_fd,
						       &denial_dom));
		ASSERT_EQ(0, exec_creator(&creator, pid, bin_on_exec_probe));
		EXPECT_EQ(0, matches_next_domain_allocated(self->audit_fd,
							   &creator, &new_dom));
		EXPECT_EQ(denial_dom, new_dom);
	}
	EXPECT_EQ(0, no_more_records(self->audit_fd));
}

/*
 * Launches the probe as launch() does, through a file descriptor:
 * execveat(2) with AT_EMPTY_PATH (@use_fexecve: fexecve(3)).  The kernel
 * then names the task after the file (comm_from_dentry), not after the
 * "/dev/fd/N" path it makes up.  Returns the probe's exit status, or -1.
 */
static int launch_fd_and_wait(const char *const argv[], const int ruleset_fd,
			      const __u32 flags, const bool use_fexecve,
			      char *const out, const size_t size,
			      pid_t *const pid)
{
	int pipefd[2], status, exec_fd;
	size_t len = 0;
	ssize_t n;

	exec_fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	if (exec_fd < 0 || pipe2(pipefd, O_CLOEXEC))
		return -1;
	*pid = fork();
	if (*pid == 0) {
		if (dup2(pipefd[1], STDOUT_FILENO) < 0 ||
		    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    landlock_restrict_self(ruleset_fd,
					   LANDLOCK_RESTRICT_SELF_ON_EXEC |
						   flags) ||
		    prctl(PR_SET_NAME, LAUNCHER_COMM, 0, 0, 0))
			_exit(126);
		if (use_fexecve)
			fexecve(exec_fd, (char *const *)argv, environ);
		else
			syscall(__NR_execveat, exec_fd, "", argv, environ,
				AT_EMPTY_PATH);
		_exit(127);
	}
	close(pipefd[1]);
	close(exec_fd);
	while (len < size - 1 &&
	       (n = read(pipefd[0], out + len, size - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(pipefd[0]);
	if (*pid < 0 || waitpid(*pid, &status, 0) != *pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/*
 * As own_denial, with the probe executed through a file descriptor: the
 * domain allocation record names the probe (its path, and its file name as
 * comm, as begin_new_exec() names the task), not the fd number.
 */
TEST_F(on_exec_audit, own_denial_through_fd)
{
	const char *const argv[] = { bin_on_exec_probe, "read:/", NULL };
	int use_fexecve;

	filter_exe(_metadata, self->audit_fd, &self->audit_filter,
		   bin_on_exec_probe);
	for (use_fexecve = 0; use_fexecve < 2; use_fexecve++) {
		struct audit_creator creator;
		__u64 denial_dom = 1, new_dom = 2;
		pid_t pid = -1;
		int ruleset_fd, ret;

		ruleset_fd = create_ruleset(_metadata);
		ASSERT_LE(0, ruleset_fd);
		EXPECT_EQ(0, launch_fd_and_wait(argv, ruleset_fd,
						variant->restrict_flags,
						use_fexecve, self->out,
						sizeof(self->out), &pid));
		EXPECT_EQ(0, close(ruleset_fd));
		EXPECT_STREQ("read:/=EACCES\n", self->out);

		if (variant->own_logged) {
			EXPECT_EQ(0, matches_next_fs_read_root(self->audit_fd,
							       &denial_dom));
			ASSERT_EQ(0, exec_creator(&creator, pid,
						  bin_on_exec_probe));
			ret = matches_next_domain_allocated(self->audit_fd,
							    &creator, &new_dom);
			EXPECT_EQ(0, ret);
			EXPECT_EQ(denial_dom, new_dom);
		}
		EXPECT_EQ(0, no_more_records(self->audit_fd));
	}
}

/*
 * The executed program (this test program in relay mode) executes the probe:
 * the probe's denial is logged only with
 * LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON.  The creator is the relay, whose
 * execution built the domain.
 */
TEST_F(on_exec_audit, after_second_exec)
{
	const char *const argv[] = { self->self_exe, RELAY_EXEC_ARG,
				     bin_on_exec_probe, "read:/", NULL };
	struct audit_creator creator;
	__u64 denial_dom = 1, new_dom = 2;
	int ruleset_fd;
	pid_t pid;

	filter_exe(_metadata, self->audit_fd, &self->audit_filter,
		   bin_on_exec_probe);
	ruleset_fd = create_ruleset(_metadata);
	ASSERT_LE(0, ruleset_fd);
	EXPECT_EQ(0, launch_and_wait(argv, ruleset_fd, variant->restrict_flags,
				     self->out, sizeof(self->out), &pid));
	EXPECT_EQ(0, close(ruleset_fd));
	EXPECT_STREQ("read:/=EACCES\n", self->out);

	if (variant->next_exec_logged) {
		EXPECT_EQ(0, matches_next_fs_read_root(self->audit_fd,
						       &denial_dom));
		ASSERT_EQ(0, exec_creator(&creator, pid, self->self_exe));
		EXPECT_EQ(0, matches_next_domain_allocated(self->audit_fd,
							   &creator, &new_dom));
		EXPECT_EQ(denial_dom, new_dom);
	}
	EXPECT_EQ(0, no_more_records(self->audit_fd));
}

/*
 * The executed program, wait-pipe-sandbox, makes denials of the armed layer
 * (signals), then creates two domains and makes denials of each: those are
 * logged unless LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF, whatever the
 * armed layer's other flags.
 */
TEST_F(on_exec_audit, nested_domain)
{
	struct audit_creator creator;
	__u64 armed_dom = 1, nested_dom = 1, nested_dom2 = 1, dom = 2;
	int ruleset_fd;
	pid_t pid;

	filter_exe(_metadata, self->audit_fd, &self->audit_filter,
		   bin_wait_pipe_sandbox);
	ruleset_fd = create_ruleset(_metadata);
	ASSERT_LE(0, ruleset_fd);
	/* Fails if one of its actions is allowed. */
	EXPECT_EQ(0, launch_wait_pipe_sandbox(ruleset_fd,
					      variant->restrict_flags, &pid));
	EXPECT_EQ(0, close(ruleset_fd));

	if (variant->own_logged) {
		/* The two signals denied by the armed layer. */
		EXPECT_EQ(0, matches_next_signal(self->audit_fd, getpid(),
						 self->comm, &armed_dom));
		ASSERT_EQ(0,
			  exec_creator(&creator, pid, bin_wait_pipe_sandbox));
		EXPECT_EQ(0, matches_next_domain_allocated(self->audit_fd,
							   &creator, &dom));
		EXPECT_EQ(armed_dom, dom);
		EXPECT_EQ(0, matches_next_signal(self->audit_fd, getpid(),
						 self->comm, &dom));
		EXPECT_EQ(armed_dom, dom);
	}
	if (variant->nested_logged) {
		/* Created by wait-pipe-sandbox itself. */
		ASSERT_EQ(0, program_creator(&creator, pid,
					     bin_wait_pipe_sandbox));

		/* Two opens denied by the first nested domain. */
		EXPECT_EQ(0, matches_next_fs_read_root(self->audit_fd,
						       &nested_dom));
		EXPECT_EQ(0, matches_next_domain_allocated(self->audit_fd,
							   &creator, &dom));
		EXPECT_EQ(nested_dom, dom);
		EXPECT_EQ(0, matches_next_fs_read_root(self->audit_fd, &dom));
		EXPECT_EQ(nested_dom, dom);

		/* A signal denied by the second one. */
		EXPECT_EQ(0, matches_next_signal(self->audit_fd, getpid(),
						 self->comm, &nested_dom2));
		EXPECT_EQ(0, matches_next_domain_allocated(self->audit_fd,
							   &creator, &dom));
		EXPECT_EQ(nested_dom2, dom);

		/* Nested domains are younger. */
		EXPECT_LT(nested_dom, nested_dom2);
		if (variant->own_logged)
			EXPECT_LT(armed_dom, nested_dom);
	}
	EXPECT_EQ(0, no_more_records(self->audit_fd));
}

/* Only the records of this program, which the launcher runs, remain. */
FIXTURE(on_exec_audit_launcher)
{
	struct audit_filter audit_filter;
	int audit_fd;
};

FIXTURE_SETUP(on_exec_audit_launcher)
{
	if (!on_exec_supported(_metadata))
		SKIP(return, ON_EXEC_UNSUPPORTED);

	disable_caps(_metadata);
	set_cap(_metadata, CAP_AUDIT_CONTROL);
	self->audit_fd = audit_init_with_exe_filter(&self->audit_filter);
	EXPECT_LE(0, self->audit_fd)
	{
		const char *error_msg;

		/* kill "$(auditctl -s | sed -ne 's/^pid \([0-9]\+\)$/\1/p')" */
		if (self->audit_fd == -EEXIST)
			error_msg = "socket already in use (e.g. auditd)";
		else
			error_msg = strerror(-self->audit_fd);
		TH_LOG("Failed to initialize audit: %s", error_msg);
	}
	clear_cap(_metadata, CAP_AUDIT_CONTROL);
}

FIXTURE_TEARDOWN(on_exec_audit_launcher)
{
	set_cap(_metadata, CAP_AUDIT_CONTROL);
	EXPECT_EQ(0, audit_cleanup(self->audit_fd, &self->audit_filter));
	clear_cap(_metadata, CAP_AUDIT_CONTROL);
	unlink(garbage);
}

/*
 * The launcher is restricted neither by the ruleset it armed nor by a failed
 * execution: it may open "/" and signal its parent, and nothing is logged.
 * Enforced at once, the same ruleset denies the signal and logs it.
 */
TEST_F(on_exec_audit_launcher, not_restricted)
{
	static char *const argv[] = { "garbage", NULL };
	struct audit_creator creator;
	struct audit_records records = {};
	__u64 denial_dom = 1, new_dom = 2;
	char self_exe[PATH_MAX], comm[16];
	int status;
	pid_t child;

	set_cap(_metadata, CAP_DAC_OVERRIDE);
	ASSERT_EQ(0, create_garbage(garbage));
	clear_cap(_metadata, CAP_DAC_OVERRIDE);
	ASSERT_EQ(0, get_self_exe(self_exe, sizeof(self_exe)));
	ASSERT_EQ(0, prctl(PR_GET_NAME, comm, 0, 0, 0));

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		const __u32 flags = LANDLOCK_RESTRICT_SELF_ON_EXEC |
				    LANDLOCK_RESTRICT_SELF_NO_NEW_PRIVS;
		const int ruleset_fd = create_ruleset(_metadata);

		ASSERT_LE(0, ruleset_fd);
		ASSERT_EQ(0, landlock_restrict_self(ruleset_fd, flags));
		EXPECT_EQ(0, close(open("/", O_RDONLY | O_CLOEXEC)));
		EXPECT_EQ(0, kill(getppid(), 0));

		EXPECT_EQ(-1, execve(garbage, argv, NULL));
		EXPECT_EQ(ENOEXEC, errno);
		EXPECT_EQ(0, close(open("/", O_RDONLY | O_CLOEXEC)));
		EXPECT_EQ(0, kill(getppid(), 0));

		ASSERT_EQ(0, landlock_restrict_self(ruleset_fd, 0));
		EXPECT_EQ(-1, kill(getppid(), 0));
		EXPECT_EQ(EPERM, errno);
		_exit(_metadata->exit_code);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	/* The first record is the immediate domain's. */
	EXPECT_EQ(0, matches_next_signal(self->audit_fd, getpid(), comm,
					 &denial_dom));
	/* The launcher, restricted without an execution. */
	creator.pid = child;
	creator.uid = getuid();
	snprintf(creator.exe, sizeof(creator.exe), "%s", self_exe);
	snprintf(creator.comm, sizeof(creator.comm), "%s", comm);
	EXPECT_EQ(0, matches_next_domain_allocated(self->audit_fd, &creator,
						   &new_dom));
	EXPECT_EQ(denial_dom, new_dom);

	/* Makes sure there is no superfluous logged records. */
	EXPECT_EQ(0, audit_count_records(self->audit_fd, &records));
	EXPECT_EQ(0, records.access);
	EXPECT_EQ(0, records.domain);
}

int main(int argc, char *argv[])
{
	relay_exec(argc, argv);
	return test_harness_run(argc, argv);
}
