// SPDX-License-Identifier: GPL-2.0
/*
 * Landlock tests - Audit of rulesets armed by a BPF LSM program
 *
 * on_exec_audit.bpf.c arms a ruleset (handling LANDLOCK_ACCESS_FS_READ_DIR
 * and scoping signals, without rules) for every execution of a target
 * binary, with bpf_lsm_policy_apply_bprm() and the logging flags of the
 * variant.  As for a ruleset armed by user space (../on_exec_audit_test.c),
 * the layer is created at the execution and marked as created by the
 * executed program.  Each test checks, through the audit netlink socket,
 * which denials are logged:
 *
 * - own_denial: the executed program's denial, and the creator that the
 *   domain allocation record names;
 * - after_second_exec: the denial of a program that the executed program
 *   executes in turn;
 * - nested_domain: the denials of domains that the executed program creates
 *   (and of the BPF layer, in the same program);
 * - under_user_layer: the denials of the BPF layer and of a user space layer
 *   armed for the same execution, stacked on top of it.
 *
 * on_exec_audit_bpf_launcher.not_restricted checks that a failed execution
 * leaves the launcher unrestricted, logging nothing.
 */

#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../audit.h"
#include "../common.h"
#include "../on_exec_audit.h"
#include "../on_exec_support.h"
#include "on_exec_audit_bpf.skel.h"
#include "on_exec_common.h"

FIXTURE(on_exec_audit_bpf)
{
	struct audit_filter audit_filter;
	int audit_fd;
	struct on_exec_audit_bpf *skel;
	/* This test program, which the launcher runs. */
	char self_exe[PATH_MAX];
	/* The comm of this process, for denied signals. */
	char comm[16];
	char out[256];
};

FIXTURE_VARIANT(on_exec_audit_bpf)
{
	/* Given to bpf_lsm_policy_apply_bprm(). */
	const __u32 restrict_flags;
	/* Denials of the BPF layer in the executed program are logged. */
	const bool own_logged;
	/* ...and in a program it executes. */
	const bool next_exec_logged;
	/*
	 * Denials of layers stacked on the BPF one are logged: a user space
	 * layer armed for the same execution, or domains that the executed
	 * program creates.
	 */
	const bool nested_logged;
};

/* clang-format off */
FIXTURE_VARIANT_ADD(on_exec_audit_bpf, default) {
	/* clang-format on */
	.restrict_flags = 0,
	.own_logged = true,
	.next_exec_logged = false,
	.nested_logged = true,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(on_exec_audit_bpf, log_same_exec_off) {
	/* clang-format on */
	.restrict_flags = LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF,
	.own_logged = false,
	.next_exec_logged = false,
	.nested_logged = true,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(on_exec_audit_bpf, log_same_exec_off_new_exec_on) {
	/* clang-format on */
	.restrict_flags = LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF |
			  LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON,
	.own_logged = false,
	.next_exec_logged = true,
	.nested_logged = true,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(on_exec_audit_bpf, log_new_exec_on) {
	/* clang-format on */
	.restrict_flags = LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON,
	.own_logged = true,
	.next_exec_logged = true,
	.nested_logged = true,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(on_exec_audit_bpf, log_subdomains_off) {
	/* clang-format on */
	.restrict_flags = LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF,
	.own_logged = true,
	.next_exec_logged = false,
	.nested_logged = false,
};

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
 * Loads and attaches the BPF program, which keeps its own reference to a
 * ruleset created by create_ruleset(), armed with @restrict_flags.
 */
static struct on_exec_audit_bpf *
load_bpf(struct __test_metadata *const _metadata, const __u32 restrict_flags)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	struct on_exec_audit_bpf *skel;
	int ruleset_fd, prog_fd;

	skel = on_exec_audit_bpf__open_and_load();
	EXPECT_NE(NULL, skel);
	if (!skel)
		return NULL;
	EXPECT_EQ(0, on_exec_audit_bpf__attach(skel));
	skel->bss->restrict_flags = restrict_flags;

	ruleset_fd = create_ruleset(_metadata);
	opts.ctx_in = &ruleset_fd;
	opts.ctx_size_in = sizeof(ruleset_fd);
	prog_fd = bpf_program__fd(skel->progs.store_ruleset);
	EXPECT_EQ(0, bpf_prog_test_run_opts(prog_fd, &opts));
	EXPECT_EQ(0, opts.retval);
	EXPECT_EQ(0, close(ruleset_fd));
	return skel;
}

FIXTURE_SETUP(on_exec_audit_bpf)
{
	if (!on_exec_supported(_metadata))
		SKIP(return, ON_EXEC_UNSUPPORTED);
	if (!landlock_kfuncs_available())
		SKIP(return, "no policy object kfuncs (no BPF LSM)");

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
	ASSERT_EQ(0, get_self_exe(self->self_exe, sizeof(self->self_exe)));
	ASSERT_EQ(0, prctl(PR_GET_NAME, self->comm, 0, 0, 0));
	self->skel = load_bpf(_metadata, variant->restrict_flags);
	ASSERT_NE(NULL, self->skel);
}

FIXTURE_TEARDOWN(on_exec_audit_bpf)
{
	if (self->skel)
		on_exec_audit_bpf__destroy(self->skel);
	EXPECT_EQ(0, audit_cleanup(self->audit_fd, &self->audit_filter));
}

/* The BPF program arms the ruleset for the executions of @target. */
static void set_target(struct __test_metadata *const _metadata,
		       struct on_exec_audit_bpf *const skel,
		       const char *const target)
{
	struct stat st;

	ASSERT_EQ(0, stat(target, &st));
	skel->bss->target_ino = st.st_ino;
	/* The kernel's dev_t encoding, as in struct super_block. */
	skel->bss->target_dev = (major(st.st_dev) << 20) | minor(st.st_dev);
}

/*
 * The executed program's denial: logged unless
 * LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF.  The domain allocation record
 * names the executed program as the creator.
 */
TEST_F(on_exec_audit_bpf, own_denial)
{
	const char *const argv[] = { bin_on_exec_probe, "read:/", NULL };
	struct audit_creator creator;
	__u64 denial_dom = 1, new_dom = 2;
	pid_t pid;

	set_target(_metadata, self->skel, bin_on_exec_probe);
	/* Only the records of the probe remain. */
	ASSERT_EQ(0, set_exe_filter(self->audit_fd, &self->audit_filter,
				    bin_on_exec_probe));
	EXPECT_EQ(0, launch_and_wait(argv, -1, 0, self->out, sizeof(self->out),
				     &pid));
	EXPECT_EQ(1, self->skel->bss->armed);
	EXPECT_EQ(0, self->skel->bss->last_err);
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
 * A layer armed by a BPF program is the administrator's, not a subdomain of
 * the sandboxed task's own: a launcher that disabled logging for its
 * subdomains (LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF, which needs no
 * privilege) does not silence it.
 */
TEST_F(on_exec_audit_bpf, launcher_log_subdomains_off)
{
	const char *const argv[] = { bin_on_exec_probe, "read:/", NULL };
	struct audit_creator creator;
	__u64 denial_dom = 1, new_dom = 2;
	pid_t pid;

	set_target(_metadata, self->skel, bin_on_exec_probe);
	ASSERT_EQ(0, set_exe_filter(self->audit_fd, &self->audit_filter,
				    bin_on_exec_probe));
	EXPECT_EQ(0, launch_and_wait(argv, -1,
				     LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF,
				     self->out, sizeof(self->out), &pid));
	EXPECT_EQ(1, self->skel->bss->armed);
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
 * The executed program (this test program in relay mode, the target) executes
 * the probe: the probe's denial is logged only with
 * LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON.  The creator is the relay, whose
 * execution built the domain.
 */
TEST_F(on_exec_audit_bpf, after_second_exec)
{
	const char *const argv[] = { self->self_exe, RELAY_EXEC_ARG,
				     bin_on_exec_probe, "read:/", NULL };
	struct audit_creator creator;
	__u64 denial_dom = 1, new_dom = 2;
	pid_t pid;

	set_target(_metadata, self->skel, self->self_exe);
	/* Only the records of the probe remain. */
	ASSERT_EQ(0, set_exe_filter(self->audit_fd, &self->audit_filter,
				    bin_on_exec_probe));
	EXPECT_EQ(0, launch_and_wait(argv, -1, 0, self->out, sizeof(self->out),
				     &pid));
	/* The probe is not a target: only the relay was armed. */
	EXPECT_EQ(1, self->skel->bss->armed);
	EXPECT_EQ(0, self->skel->bss->last_err);
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
 * The executed program, wait-pipe-sandbox, makes denials of the BPF layer
 * (signals), then creates two domains and makes denials of each: those are
 * logged unless LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF, whatever the BPF
 * layer's other flags.
 */
TEST_F(on_exec_audit_bpf, nested_domain)
{
	struct audit_creator creator;
	__u64 bpf_dom = 1, nested_dom = 1, nested_dom2 = 1, dom = 2;
	pid_t pid;

	set_target(_metadata, self->skel, bin_wait_pipe_sandbox);
	/* Only the records of wait-pipe-sandbox remain. */
	ASSERT_EQ(0, set_exe_filter(self->audit_fd, &self->audit_filter,
				    bin_wait_pipe_sandbox));
	/* Fails if one of its actions is allowed. */
	EXPECT_EQ(0, launch_wait_pipe_sandbox(-1, 0, &pid));
	EXPECT_EQ(1, self->skel->bss->armed);
	EXPECT_EQ(0, self->skel->bss->last_err);

	if (variant->own_logged) {
		/* The two signals denied by the BPF layer. */
		EXPECT_EQ(0, matches_next_signal(self->audit_fd, getpid(),
						 self->comm, &bpf_dom));
		ASSERT_EQ(0,
			  exec_creator(&creator, pid, bin_wait_pipe_sandbox));
		EXPECT_EQ(0, matches_next_domain_allocated(self->audit_fd,
							   &creator, &dom));
		EXPECT_EQ(bpf_dom, dom);
		EXPECT_EQ(0, matches_next_signal(self->audit_fd, getpid(),
						 self->comm, &dom));
		EXPECT_EQ(bpf_dom, dom);
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
			EXPECT_LT(bpf_dom, nested_dom);
	}
	EXPECT_EQ(0, no_more_records(self->audit_fd));
}

/*
 * The launcher arms a user space ruleset (scoping signals, without logging
 * flags) for the same execution: its layer is stacked on top of the BPF one,
 * in the same domain creation.  The probe's denied read is the BPF layer's,
 * its denied signal the user space layer's (the youngest layer scoping
 * signals), which is logged unless the BPF layer was armed with
 * LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF.  Both layers name the probe
 * as their creator.
 */
TEST_F(on_exec_audit_bpf, under_user_layer)
{
	const struct landlock_ruleset_attr attr = {
		.scoped = LANDLOCK_SCOPE_SIGNAL,
	};
	char signal_op[32], signal_line[64];
	const char *const argv[] = { bin_on_exec_probe, "read:/", signal_op,
				     NULL };
	struct audit_creator creator;
	__u64 bpf_dom = 1, user_dom = 1, dom = 2;
	int ruleset_fd;
	pid_t pid;

	set_target(_metadata, self->skel, bin_on_exec_probe);
	/* Only the records of the probe remain. */
	ASSERT_EQ(0, set_exe_filter(self->audit_fd, &self->audit_filter,
				    bin_on_exec_probe));
	snprintf(signal_op, sizeof(signal_op), "signal:%d", getpid());
	ruleset_fd = landlock_create_ruleset(&attr, sizeof(attr), 0);
	ASSERT_LE(0, ruleset_fd);
	EXPECT_EQ(0, launch_and_wait(argv, ruleset_fd, 0, self->out,
				     sizeof(self->out), &pid));
	EXPECT_EQ(0, close(ruleset_fd));
	EXPECT_EQ(1, self->skel->bss->armed);
	EXPECT_EQ(0, self->skel->bss->last_err);
	snprintf(signal_line, sizeof(signal_line), "read:/=EACCES\n%s=EPERM\n",
		 signal_op);
	EXPECT_STREQ(signal_line, self->out);

	ASSERT_EQ(0, exec_creator(&creator, pid, bin_on_exec_probe));
	if (variant->own_logged) {
		EXPECT_EQ(0,
			  matches_next_fs_read_root(self->audit_fd, &bpf_dom));
		EXPECT_EQ(0, matches_next_domain_allocated(self->audit_fd,
							   &creator, &dom));
		EXPECT_EQ(bpf_dom, dom);
	}
	if (variant->nested_logged) {
		EXPECT_EQ(0, matches_next_signal(self->audit_fd, getpid(),
						 self->comm, &user_dom));
		EXPECT_EQ(0, matches_next_domain_allocated(self->audit_fd,
							   &creator, &dom));
		EXPECT_EQ(user_dom, dom);
		/* The BPF layer comes first. */
		if (variant->own_logged)
			EXPECT_LT(bpf_dom, user_dom);
	}
	EXPECT_EQ(0, no_more_records(self->audit_fd));
}

/* Executed by the launcher in on_exec_audit_bpf_launcher tests: fails. */
static const char garbage[] = "on_exec_audit_bpf_garbage";

/* Only the records of this program, which the launcher runs, remain. */
FIXTURE(on_exec_audit_bpf_launcher)
{
	struct audit_filter audit_filter;
	int audit_fd;
	struct on_exec_audit_bpf *skel;
};

FIXTURE_SETUP(on_exec_audit_bpf_launcher)
{
	if (!on_exec_supported(_metadata))
		SKIP(return, ON_EXEC_UNSUPPORTED);
	if (!landlock_kfuncs_available())
		SKIP(return, "no policy object kfuncs (no BPF LSM)");

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
	self->skel = load_bpf(_metadata, 0);
	ASSERT_NE(NULL, self->skel);
}

FIXTURE_TEARDOWN(on_exec_audit_bpf_launcher)
{
	if (self->skel)
		on_exec_audit_bpf__destroy(self->skel);
	EXPECT_EQ(0, audit_cleanup(self->audit_fd, &self->audit_filter));
	unlink(garbage);
}

/*
 * A failed execution, for which the BPF program armed the ruleset, leaves the
 * launcher unrestricted: it may open "/" and signal its parent, and nothing
 * is logged.  Enforced at once, the same kind of ruleset denies the signal
 * and logs it.
 */
TEST_F(on_exec_audit_bpf_launcher, not_restricted)
{
	static char *const argv[] = { "garbage", NULL };
	struct audit_creator creator;
	struct audit_records records = {};
	__u64 denial_dom = 1, new_dom = 2;
	char self_exe[PATH_MAX], comm[16];
	int status;
	pid_t child;

	ASSERT_EQ(0, create_garbage(garbage));
	set_target(_metadata, self->skel, garbage);
	ASSERT_EQ(0, get_self_exe(self_exe, sizeof(self_exe)));
	ASSERT_EQ(0, prctl(PR_GET_NAME, comm, 0, 0, 0));

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		const int ruleset_fd = create_ruleset(_metadata);

		ASSERT_LE(0, ruleset_fd);
		ASSERT_EQ(0, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
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
	/* The BPF program did arm the ruleset for the failed execution. */
	EXPECT_EQ(1, self->skel->bss->armed);
	EXPECT_EQ(0, self->skel->bss->last_err);

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
