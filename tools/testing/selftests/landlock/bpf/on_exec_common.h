/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Landlock tests - Definitions shared by the BPF programs of the exec-time
 * enforcement tests (on_exec.bpf.c...) and the programs that load them
 */

#ifndef _SELFTESTS_LANDLOCK_ON_EXEC_COMMON_H
#define _SELFTESTS_LANDLOCK_ON_EXEC_COMMON_H

/* Context of the store_ruleset() and drop_ruleset() syscall programs. */
struct store_args {
	int ruleset_fd;
	/* Given to bpf_lsm_policy_from_fd(): must be 0. */
	__u32 flags;
	__u32 index;
	int ret;
};

/* The most armings sandbox_target() makes for one execution. */
#define SANDBOX_MAX_ARMINGS 20

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
 * The LSM policy object kfuncs (lsm_policy_kfuncs.h) exist with
 * CONFIG_BPF_LSM, and reach Landlock rulesets with
 * CONFIG_SECURITY_LANDLOCK_ON_EXEC (which the fixtures check first, with
 * on_exec_supported()).  A kernel with both has them: if its BTF cannot be
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
						 "bpf_lsm_bprm_check_security",
						 BTF_KIND_FUNC) > 0;
		btf__free(btf);
	}
	return bpf_lsm;
}
#endif /* __bpf__ */

#endif /* _SELFTESTS_LANDLOCK_ON_EXEC_COMMON_H */
