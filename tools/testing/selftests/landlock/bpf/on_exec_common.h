/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Landlock tests - Definitions shared by on_exec.bpf.c and on_exec_bpf_test.c
 */

#ifndef _SELFTESTS_LANDLOCK_ON_EXEC_COMMON_H
#define _SELFTESTS_LANDLOCK_ON_EXEC_COMMON_H

/* Context of the store_ruleset() and drop_ruleset() syscall programs. */
struct store_args {
	int ruleset_fd;
	__u32 index;
	int ret;
};

/* Returned by apply() when the map slot holds no ruleset. */
#define APPLY_NO_RULESET -1001

/* Steps of acquire_after_last_put(), in race_state. */
enum race_state {
	RACE_IDLE,
	/* The kptr was read under RCU; the program waits for race_go. */
	RACE_WINDOW_OPEN,
	/* race_go never came. */
	RACE_TIMED_OUT,
	/* The ruleset could be acquired: a reference was left somewhere. */
	RACE_ACQUIRED,
	/* Acquire returned NULL: it ran after the last reference was put. */
	RACE_NULL_AFTER_LAST_PUT,
	/* The slot was empty. */
	RACE_EMPTY,
};

#ifndef __bpf__
#include <bpf/btf.h>
#include <linux/landlock.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <unistd.h>

/*
 * The kfuncs exist with CONFIG_SECURITY_LANDLOCK_ON_EXEC (Landlock ABI 12)
 * and CONFIG_BPF_LSM.  A kernel with both has them: if its BTF cannot be
 * read or lacks them, the tests run, and fail.
 */
static inline bool landlock_kfuncs_available(void)
{
	bool bpf_lsm = true;
	struct btf *btf;

	if (syscall(__NR_landlock_create_ruleset, NULL, 0,
		    LANDLOCK_CREATE_RULESET_VERSION) < 12)
		return false;
	btf = btf__load_vmlinux_btf();
	if (btf) {
		bpf_lsm = btf__find_by_name_kind(btf,
						 "bpf_lsm_bprm_creds_for_exec",
						 BTF_KIND_FUNC) > 0;
		btf__free(btf);
	}
	return bpf_lsm;
}
#endif /* __bpf__ */

#endif /* _SELFTESTS_LANDLOCK_ON_EXEC_COMMON_H */
