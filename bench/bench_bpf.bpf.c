// SPDX-License-Identifier: GPL-2.0
/*
 * BPF LSM policy of the benchmarks (loaded by bench_bpf.c): arms a ruleset
 * at every execution of one of two target programs, as
 * samples/landlock/exec_policy.bpf.c does for one.
 *
 * Each target has its own ruleset slot, or both use slot 0: the contention
 * benchmark compares one ruleset shared by two CPUs with one per CPU.
 */

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "bench_bpf.h"
#include "lsm_policy_kfuncs.h"

#define EPERM 1

char _license[] SEC("license") = "GPL";

struct slot {
	__kptr struct lsm_policy_object *ruleset;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct slot);
} rulesets SEC(".maps");

/* Set by the loader: the targets, and the ruleset slot of each. */
__u64 target_dev;
__u64 target_ino[2];
__u32 target_slot[2];

/* Read by the loader. */
struct counters counters[2];

/* Run by the loader (BPF_PROG_RUN): stores a ruleset fd as a kptr. */
SEC("syscall")
int store_ruleset(struct store_args *args)
{
	struct lsm_policy_object *ruleset, *old;
	struct slot *slot;
	__u32 key = args->index;

	slot = bpf_map_lookup_elem(&rulesets, &key);
	if (!slot)
		return 1;
	ruleset = bpf_lsm_policy_from_fd(args->ruleset_fd, 0);
	if (!ruleset)
		return 2;
	old = bpf_kptr_xchg(&slot->ruleset, ruleset);
	if (old)
		bpf_lsm_policy_release(old);
	return 0;
}

static int arm(struct linux_binprm *bprm, __u32 key)
{
	struct lsm_policy_object *ruleset = NULL;
	struct slot *slot;
	int err = -EPERM;

	slot = bpf_map_lookup_elem(&rulesets, &key);
	if (!slot)
		return -EPERM;
	bpf_rcu_read_lock();
	if (slot->ruleset)
		ruleset = bpf_lsm_policy_acquire(slot->ruleset);
	bpf_rcu_read_unlock();
	if (ruleset) {
		err = bpf_lsm_policy_apply_bprm(ruleset, bprm, 0);
		bpf_lsm_policy_release(ruleset);
	}
	return err;
}

SEC("lsm.s/bprm_check_security")
int BPF_PROG(arm_exec, struct linux_binprm *bprm)
{
	struct inode *inode = bprm->file->f_inode;

	if (inode->i_sb->s_dev != target_dev)
		return 0;
	if (inode->i_ino == target_ino[0]) {
		if (arm(bprm, target_slot[0])) {
			counters[0].failed++;
			return -EPERM;
		}
		counters[0].armed++;
	} else if (inode->i_ino == target_ino[1]) {
		if (arm(bprm, target_slot[1])) {
			counters[1].failed++;
			return -EPERM;
		}
		counters[1].armed++;
	}
	return 0;
}
