// SPDX-License-Identifier: GPL-2.0
/*
 * The BPF LSM policy of the model (model_driver.c): on bprm_creds_for_exec,
 * for every execution of one target binary (by inode), arms @arm_count
 * rulesets, the i-th one from policy slot (arm_policy >> i) & 1, with
 * @apply_flags, through the LSM policy object kfuncs.  The model predicts
 * the result from the same configuration (OP_BPF_CONF).
 */

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "lsm_policy_kfuncs.h"

char _license[] SEC("license") = "GPL";

#define NUM_POLICIES 2
/* More than the maximum number of layers (16). */
#define MAX_ARMINGS 20

struct policy_slot {
	__kptr struct lsm_policy_object *object;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NUM_POLICIES);
	__type(key, __u32);
	__type(value, struct policy_slot);
} policy SEC(".maps");

/* Context of store_ruleset(). */
struct model_store_args {
	int ruleset_fd;
	__u32 index;
	int ret;
};

/* Set by the driver. */
__u64 target_ino;
__u64 target_dev;
__u32 apply_flags;
__u32 arm_count;
__u32 arm_policy;

/* Read by the driver. */
__u32 hits;
__u32 failed;

SEC("syscall")
int store_ruleset(struct model_store_args *args)
{
	struct lsm_policy_object *object, *old;
	struct policy_slot *slot;
	__u32 key = args->index;

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

static int apply(struct linux_binprm *bprm, __u32 index)
{
	struct lsm_policy_object *object = NULL;
	struct policy_slot *slot;
	int ret;

	slot = bpf_map_lookup_elem(&policy, &index);
	if (!slot)
		return -1000;
	bpf_rcu_read_lock();
	if (slot->object)
		object = bpf_lsm_policy_acquire(slot->object);
	bpf_rcu_read_unlock();
	if (!object)
		return -1001;
	ret = bpf_lsm_policy_apply_bprm(object, bprm, apply_flags);
	bpf_lsm_policy_release(object);
	return ret;
}

SEC("lsm/bprm_creds_for_exec")
int BPF_PROG(arm_for_exec, struct linux_binprm *bprm)
{
	struct inode *inode = bprm->file->f_inode;
	__u32 i;

	if (!target_ino || inode->i_ino != target_ino ||
	    inode->i_sb->s_dev != target_dev)
		return 0;
	hits++;
	for (i = 0; i < MAX_ARMINGS && i < arm_count; i++)
		if (apply(bprm, (arm_policy >> i) & 1))
			failed++;
	/* Whatever the errors: the kernel must fail the execution itself. */
	return 0;
}
