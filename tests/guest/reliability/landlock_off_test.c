// SPDX-License-Identifier: GPL-2.0
/*
 * Exec-time enforcement on a kernel booted without Landlock (lsm=bpf):
 * scripts/check boots such a guest for this test only (run-tests
 * landlock-off).  The system call fails with EOPNOTSUPP whatever the flags,
 * and the LSM policy object kfuncs stay loadable but no LSM owns a policy
 * object: bpf_lsm_policy_from_fd() returns NULL, so a BPF policy written for
 * Landlock loads and sandboxes nothing.
 */

#include "reliability.h"

static bool landlock_enabled(void)
{
	char lsms[256] = {};
	int fd;

	fd = open("/sys/kernel/security/lsm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	read(fd, lsms, sizeof(lsms) - 1);
	close(fd);
	return strstr(lsms, "landlock");
}

FIXTURE(landlock_off) {};

FIXTURE_SETUP(landlock_off)
{
	if (landlock_enabled())
		SKIP(return, "Landlock is enabled (this test needs lsm=bpf)");
	workdir_setup(_metadata);
}

FIXTURE_TEARDOWN(landlock_off)
{
	workdir_teardown();
}

TEST_F(landlock_off, restrict_self_eopnotsupp)
{
	static const __u32 flags[] = {
		ON_EXEC,
		ON_EXEC | LANDLOCK_RESTRICT_SELF_NO_NEW_PRIVS,
		ON_EXEC | LANDLOCK_RESTRICT_SELF_TSYNC,
		1U << 31,
	};
	size_t i;

	ASSERT_EQ(-1, landlock_create_ruleset(NULL, 0,
					      LANDLOCK_CREATE_RULESET_VERSION));
	ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(0, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		EXPECT_EQ(-1, landlock_restrict_self(-1, flags[i]));
		EXPECT_EQ(EOPNOTSUPP, errno);
		printf("# restrict_self(-1, %#x): %s\n", flags[i],
		       errno_name(errno));
	}
}

TEST_F(landlock_off, kfuncs_hand_out_no_ruleset)
{
	struct on_exec_bpf *skel;
	struct probe_report report;
	struct stat st;
	int fd;

	skel = on_exec_bpf__open_and_load();
	ASSERT_NE(NULL, skel);
	ASSERT_EQ(0, on_exec_bpf__attach(skel));
	ASSERT_EQ(0, stat(BPF_TARGET, &st));
	bpf_set_target(skel, &st);

	/*
	 * No ruleset can exist, and no LSM owns a file: for any file
	 * descriptor, bpf_lsm_policy_from_fd() gives NULL.
	 */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-2, bpf_store_ruleset(skel, fd, 0));
	close(fd);
	fd = open(WORKDIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-2, bpf_store_ruleset(skel, fd, 0));
	close(fd);

	/* The policy runs on the target's exec, finds nothing to apply. */
	run_probe(_metadata, BPF_TARGET, &report);
	EXPECT_EQ(0, report.read_b);
	EXPECT_EQ(1, skel->bss->hits);
	EXPECT_EQ(APPLY_NO_RULESET, skel->data->last_ret);
	EXPECT_EQ(0, skel->bss->applied);
	on_exec_bpf__destroy(skel);
}

TEST_HARNESS_MAIN
