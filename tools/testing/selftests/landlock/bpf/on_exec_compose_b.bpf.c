// SPDX-License-Identifier: GPL-2.0
/*
 * Policy B of the composition tests (on_exec_compose_test.c), also the
 * policy of the interpreter tests (on_exec_interp_test.c): on
 * bprm_check_security (sleepable), which runs once per binary format level
 * of an execution with bprm->file the file of that level (a script, then its
 * interpreter), arms its ruleset when that file is the target binary, or at
 * every level of the executions of one process.  Policy A
 * (on_exec_compose_a.bpf.c) is another BPF object, loaded independently,
 * with its own map.
 */

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "lsm_policy_kfuncs.h"
#include "on_exec_common.h"

char _license[] SEC("license") = "GPL";

/* More than the maximum number of layers (16). */
#define MAX_ARMINGS 20
/* More than the kernel's maximum depth of binary format handlers. */
#define MAX_LEVELS 8

struct policy_slot {
	__kptr struct lsm_policy_object *object;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct policy_slot);
} policy SEC(".maps");

/* Set by user space: the binary to sandbox, and how. */
__u64 target_ino;
__u64 target_dev;
__u32 apply_flags;
/* Calls of bpf_lsm_policy_apply_bprm() per matching level (0: none). */
__u32 arm_count;
/*
 * Set by the process about to execute (before its execve()): the levels of
 * its executions are recorded, and with match_tgid they are armed whatever
 * their file.
 */
__u32 trace_tgid;
__u32 match_tgid;

/* Read by user space. */
__u32 hits;
__u32 armed;
__u32 failed;
/* The return value of each call, for the last matching level. */
int rets[MAX_ARMINGS];
/* Levels seen for trace_tgid, and the inode of each one's file. */
__u32 levels;
__u64 level_ino[MAX_LEVELS];

SEC("syscall")
int store_ruleset(struct store_args *args)
{
	struct lsm_policy_object *object, *old;
	struct policy_slot *slot;
	__u32 key = 0;

	slot = bpf_map_lookup_elem(&policy, &key);
	if (!slot) {
		args->ret = -1;
		return 0;
	}
	object = bpf_lsm_policy_from_fd(args->ruleset_fd, 0);
	if (!object) {
		args->ret = -2;
		return 0;
	}
	old = bpf_kptr_xchg(&slot->object, object);
	if (old)
		bpf_lsm_policy_release(old);
	args->ret = 0;
	return 0;
}

static int apply(struct linux_binprm *bprm)
{
	struct lsm_policy_object *object = NULL;
	struct policy_slot *slot;
	__u32 key = 0;
	int ret;

	slot = bpf_map_lookup_elem(&policy, &key);
	if (!slot)
		return -1000;
	bpf_rcu_read_lock();
	if (slot->object)
		object = bpf_lsm_policy_acquire(slot->object);
	bpf_rcu_read_unlock();
	if (!object)
		return APPLY_NO_RULESET;
	ret = bpf_lsm_policy_apply_bprm(object, bprm, apply_flags);
	bpf_lsm_policy_release(object);
	return ret;
}

SEC("lsm.s/bprm_check_security")
int BPF_PROG(arm_check, struct linux_binprm *bprm)
{
	struct inode *inode = bprm->file->f_inode;
	const __u32 tgid = bpf_get_current_pid_tgid() >> 32;
	const bool traced = trace_tgid && tgid == trace_tgid;
	__u32 i, level;

	if (traced) {
		level = levels++;
		if (level < MAX_LEVELS)
			level_ino[level] = inode->i_ino;
	}
	if (match_tgid) {
		if (!traced)
			return 0;
	} else if (!target_ino || inode->i_ino != target_ino ||
		   inode->i_sb->s_dev != target_dev) {
		return 0;
	}
	hits++;
	for (i = 0; i < MAX_ARMINGS && i < arm_count; i++) {
		const int ret = apply(bprm);

		rets[i] = ret;
		if (ret)
			failed++;
		else
			armed++;
	}
	/* Whatever the errors: the kernel must fail the execution itself. */
	return 0;
}
