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
#include <stdbool.h>

/*
 * The kfuncs exist with CONFIG_SECURITY_LANDLOCK_ON_EXEC (Landlock ABI 12)
 * and CONFIG_BPF_LSM: look for one in the kernel's BTF.
 */
static inline bool landlock_kfuncs_available(void)
{
	struct btf *const btf = btf__load_vmlinux_btf();
	bool found;

	if (!btf)
		return false;
	found = btf__find_by_name_kind(btf, "bpf_landlock_restrict_binprm",
				       BTF_KIND_FUNC) > 0;
	btf__free(btf);
	return found;
}
#endif /* __bpf__ */

#endif /* _SELFTESTS_LANDLOCK_ON_EXEC_COMMON_H */
