/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Landlock exec-time enforcement tests - whether the kernel has it
 *
 * Landlock ABI 12 defines LANDLOCK_RESTRICT_SELF_ON_EXEC on every kernel,
 * but exec-time enforcement is written in Rust and is only built with
 * CONFIG_SECURITY_LANDLOCK_ON_EXEC: without it, arming fails with
 * EOPNOTSUPP (as network rules do with EAFNOSUPPORT without CONFIG_INET).
 * The exec-time fixtures check that error, then skip.
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
 * Returns true if exec-time enforcement is built in.  Otherwise checks that
 * arming, disarming and TSYNC arming all fail with EOPNOTSUPP, and that an
 * unknown flag still fails with EINVAL first.
 */
static inline bool on_exec_supported(struct __test_metadata *const _metadata)
{
	const __u32 on_exec = LANDLOCK_RESTRICT_SELF_ON_EXEC;

	ASSERT_EQ(12, syscall(__NR_landlock_create_ruleset, NULL, 0,
			      LANDLOCK_CREATE_RULESET_VERSION));
	if (!syscall(__NR_landlock_restrict_self, -1, on_exec))
		return true;
	ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(-1, syscall(__NR_landlock_restrict_self, -1,
			      on_exec | LANDLOCK_RESTRICT_SELF_TSYNC));
	ASSERT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(-1, syscall(__NR_landlock_restrict_self, -1,
			      on_exec | (on_exec << 1)));
	ASSERT_EQ(EINVAL, errno);
	return false;
}

#endif /* _SELFTESTS_LANDLOCK_ON_EXEC_SUPPORT_H */
