// SPDX-License-Identifier: GPL-2.0
/*
 * BPF side of the Landlock exec-time audit tests (on_exec_audit_bpf_test.c):
 * arms the ruleset stored by user space, with the logging flags it sets, for
 * every execution of one target binary (matched on bprm_check_security, as
 * on_exec.bpf.c does).
 */

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "lsm_policy_kfuncs.h"

char _license[] SEC("license") = "GPL";

struct ruleset_slot {
	__kptr struct lsm_policy_object *ruleset;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ruleset_slot);
} rulesets SEC(".maps");

/* Set by user space: the binary to sandbox, and the flags. */
__u64 target_ino;
__u64 target_dev;
__u32 restrict_flags;

/* Read by user space: executions armed, and the last error. */
__u32 armed;
int last_err;

/* Run by user space (BPF_PROG_RUN): stores a ruleset as a kptr. */
SEC("syscall")
int store_ruleset(int *ruleset_fd)
{
	struct lsm_policy_object *ruleset, *old;
	struct ruleset_slot *slot;
	__u32 key = 0;

	slot = bpf_map_lookup_elem(&rulesets, &key);
	if (!slot)
		return 1;
	ruleset = bpf_lsm_policy_from_fd(*ruleset_fd, 0);
	if (!ruleset)
		return 2;
	old = bpf_kptr_xchg(&slot->ruleset, ruleset);
	if (old)
		bpf_lsm_policy_release(old);
	return 0;
}

SEC("lsm.s/bprm_check_security")
int BPF_PROG(arm_target, struct linux_binprm *bprm)
{
	struct inode *inode = bprm->file->f_inode;
	struct lsm_policy_object *ruleset = NULL;
	struct ruleset_slot *slot;
	__u32 key = 0;
	int err;

	if (inode->i_ino != target_ino || inode->i_sb->s_dev != target_dev)
		return 0;
	slot = bpf_map_lookup_elem(&rulesets, &key);
	if (!slot)
		return 0;
	bpf_rcu_read_lock();
	if (slot->ruleset)
		ruleset = bpf_lsm_policy_acquire(slot->ruleset);
	bpf_rcu_read_unlock();
	if (!ruleset) {
		last_err = -1;
		return 0;
	}
	err = bpf_lsm_policy_apply_bprm(ruleset, bprm, restrict_flags);
	bpf_lsm_policy_release(ruleset);
	if (err)
		last_err = err;
	else
		armed++;
	return 0;
}
