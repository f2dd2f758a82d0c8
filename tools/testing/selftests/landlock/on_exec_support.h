/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Landlock exec-time enforcement tests - whether the kernel has it
 *
 * Landlock ABI 12 defines LANDLOCK_RESTRICT_SELF_ON_EXEC on every kernel,
 * but exec-time enforcement is written in Rust and is only built with
 * CONFIG_SECURITY_LANDLOCK_ON_EXEC: without it, arming fails with
 * EOPNOTSUPP (as network rules do with EAFNOSUPPORT without CONFIG_INET).
 * The exec-time fixtures check that error, then skip.  Disarming with
 * another flag than TSYNC tells which kernel this is: EINVAL with
 * exec-time enforcement, EOPNOTSUPP without.
 */

#ifndef _SELFTESTS_LANDLOCK_ON_EXEC_SUPPORT_H
#define _SELFTESTS_LANDLOCK_ON_EXEC_SUPPORT_H

#include <errno.h>
#include <linux/landlock.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define ON_EXEC_UNSUPPORTED \
	"exec-time enforcement not built in (EOPNOTSUPP checked)"

/*
 * Returns true if exec-time enforcement is built in: a kernel that has it
 * refuses disarming with another flag than TSYNC (EINVAL, before any
 * privilege check, without side effect).  Otherwise checks that every form
 * of arming and disarming fails with EOPNOTSUPP, and that an unknown flag
 * still fails with EINVAL first.
 */
static inline bool on_exec_supported(struct __test_metadata *const _metadata)
{
	const __u32 on_exec = LANDLOCK_RESTRICT_SELF_ON_EXEC;
	const __u32 tsync = LANDLOCK_RESTRICT_SELF_TSYNC;
	const struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE,
	};
	int ruleset_fd;

	ASSERT_EQ(12, syscall(__NR_landlock_create_ruleset, NULL, 0,
			      LANDLOCK_CREATE_RULESET_VERSION));
	ASSERT_EQ(-1,
		  syscall(__NR_landlock_restrict_self, -1,
			  on_exec | LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF));
	if (errno == EINVAL)
		return true;
	ASSERT_EQ(EOPNOTSUPP, errno);

	ruleset_fd =
		syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0);
	ASSERT_LE(0, ruleset_fd);
	ASSERT_EQ(-1,
		  syscall(__NR_landlock_restrict_self, ruleset_fd, on_exec));
	ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(-1, syscall(__NR_landlock_restrict_self, ruleset_fd,
			      on_exec | tsync));
	ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(-1, syscall(__NR_landlock_restrict_self, -1, on_exec));
	ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(-1,
		  syscall(__NR_landlock_restrict_self, -1, on_exec | tsync));
	ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(-1, syscall(__NR_landlock_restrict_self, ruleset_fd,
			      on_exec | (1U << 31)));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, close(ruleset_fd));
	return false;
}

#endif /* _SELFTESTS_LANDLOCK_ON_EXEC_SUPPORT_H */
