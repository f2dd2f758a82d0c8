// SPDX-License-Identifier: GPL-2.0
/*
 * Functional part of the landlock_exec test: a policy that sandboxes the
 * execution of one binary by one process with a ruleset created by user
 * space, and a watch on the frozen copy of that ruleset, to check that it is
 * freed.
 */

#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "landlock_exec_common.h"

char _license[] SEC("license") = "GPL";

/* Set by user space. */
int ruleset_fd = -1;
int target_pid;
__u64 target_ino;
__u64 target_dev;
int test_tgid;
__u32 restrict_flags;

/* Read by user space. */
int store_ret = 1;
int drop_ret = 1;
int restrict_ret = 1;
__u32 nr_restricted;
__u64 frozen_id;
__u32 nr_frozen_freed;

static __u32 current_tgid(void)
{
	return bpf_get_current_pid_tgid() >> 32;
}

/* Run by user space: stores a ruleset, given by its fd, as a kptr. */
SEC("syscall")
int store_ruleset(void *ctx)
{
	struct lsm_policy_object *ruleset, *old;
	struct ruleset_slot *slot;

	slot = ruleset_slot();
	if (!slot)
		return 0;
	ruleset = bpf_lsm_policy_from_fd(ruleset_fd, 0);
	if (!ruleset) {
		store_ret = -1;
		return 0;
	}
	old = bpf_kptr_xchg(&slot->ruleset, ruleset);
	if (old)
		bpf_lsm_policy_release(old);
	store_ret = 0;
	return 0;
}

/* Run by user space: drops the stored ruleset. */
SEC("syscall")
int drop_ruleset(void *ctx)
{
	struct lsm_policy_object *old;
	struct ruleset_slot *slot;

	slot = ruleset_slot();
	if (!slot)
		return 0;
	old = bpf_kptr_xchg(&slot->ruleset, NULL);
	if (!old) {
		drop_ret = -1;
		return 0;
	}
	bpf_lsm_policy_release(old);
	drop_ret = 0;
	return 0;
}

/*
 * bprm->file is the binary that this level of the execution loads (for a
 * script, the script, then its interpreter).  An error of
 * bpf_lsm_policy_apply_bprm() fails the execution: the program need not
 * return it.
 */
SEC("lsm.s/bprm_check_security")
int BPF_PROG(restrict_target, struct linux_binprm *bprm)
{
	struct inode *inode = bprm->file->f_inode;
	struct lsm_policy_object *ruleset = NULL;
	struct ruleset_slot *slot;

	if (!target_pid || current_tgid() != target_pid)
		return 0;
	if (inode->i_ino != target_ino || inode->i_sb->s_dev != target_dev)
		return 0;
	slot = ruleset_slot();
	if (!slot)
		return 0;
	bpf_rcu_read_lock();
	if (slot->ruleset)
		ruleset = bpf_lsm_policy_acquire(slot->ruleset);
	bpf_rcu_read_unlock();
	if (!ruleset)
		return 0;
	restrict_ret = bpf_lsm_policy_apply_bprm(ruleset, bprm, restrict_flags);
	bpf_lsm_policy_release(ruleset);
	nr_restricted++;
	return 0;
}

/*
 * landlock_ruleset.id only exists with CONFIG_TRACEPOINTS (as these events):
 * read it through a local CO-RE type, not vmlinux.h's.
 */
struct landlock_ruleset___local {
	__u64 id;
} __attribute__((preserve_access_index));

static __u64 ruleset_id(const struct landlock_ruleset *ruleset)
{
	return BPF_CORE_READ((const struct landlock_ruleset___local *)ruleset,
			     id);
}

/* bpf_lsm_policy_from_fd() made a frozen copy for the test. */
SEC("tp_btf/landlock_freeze_ruleset")
int BPF_PROG(watch_freeze, const struct landlock_ruleset *ruleset,
	     const struct landlock_ruleset *frozen)
{
	if (test_tgid && current_tgid() == test_tgid)
		frozen_id = ruleset_id(frozen);
	return 0;
}

/* Last reference to the frozen copy dropped (from a kernel worker). */
SEC("tp_btf/landlock_free_ruleset")
int BPF_PROG(watch_free, const struct landlock_ruleset *ruleset)
{
	if (frozen_id && ruleset_id(ruleset) == frozen_id)
		nr_frozen_freed++;
	return 0;
}
