// SPDX-License-Identifier: GPL-2.0
/*
 * BPF side of the Landlock exec-time audit tests (on_exec_audit_bpf_test.c):
 * arms the ruleset stored by user space, with the logging flags it sets, for
 * every execution of one target binary.
 */

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char _license[] SEC("license") = "GPL";

struct bpf_landlock_ruleset *bpf_landlock_ruleset_from_fd(int fd) __ksym;
struct bpf_landlock_ruleset *
bpf_landlock_ruleset_acquire(struct bpf_landlock_ruleset *ruleset) __ksym;
void bpf_landlock_ruleset_release(struct bpf_landlock_ruleset *ruleset) __ksym;
int bpf_landlock_restrict_binprm(struct linux_binprm *bprm,
				 struct bpf_landlock_ruleset *ruleset,
				 __u32 flags) __ksym;
void bpf_rcu_read_lock(void) __weak __ksym;
void bpf_rcu_read_unlock(void) __weak __ksym;

struct ruleset_slot {
	__kptr struct bpf_landlock_ruleset *ruleset;
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
	struct bpf_landlock_ruleset *ruleset, *old;
	struct ruleset_slot *slot;
	__u32 key = 0;

	slot = bpf_map_lookup_elem(&rulesets, &key);
	if (!slot)
		return 1;
	ruleset = bpf_landlock_ruleset_from_fd(*ruleset_fd);
	if (!ruleset)
		return 2;
	old = bpf_kptr_xchg(&slot->ruleset, ruleset);
	if (old)
		bpf_landlock_ruleset_release(old);
	return 0;
}

SEC("lsm.s/bprm_creds_for_exec")
int BPF_PROG(arm_target, struct linux_binprm *bprm)
{
	struct inode *inode = bprm->file->f_inode;
	struct bpf_landlock_ruleset *ruleset = NULL;
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
		ruleset = bpf_landlock_ruleset_acquire(slot->ruleset);
	bpf_rcu_read_unlock();
	if (!ruleset) {
		last_err = -1;
		return 0;
	}
	err = bpf_landlock_restrict_binprm(bprm, ruleset, restrict_flags);
	bpf_landlock_ruleset_release(ruleset);
	if (err)
		last_err = err;
	else
		armed++;
	return 0;
}
