// SPDX-License-Identifier: GPL-2.0
/*
 * Sample BPF LSM policy: sandbox every execution of one program with a
 * Landlock ruleset, without changing that program.  Loaded by exec_policy.c,
 * which creates the ruleset and tells which program to sandbox.
 *
 * The ruleset reaches this program as a referenced kptr in an ordinary array
 * map: exec_policy.c runs store_ruleset() (a BPF_PROG_TYPE_SYSCALL program)
 * with the ruleset file descriptor, which bpf_landlock_ruleset_from_fd()
 * turns into a kptr to a frozen copy of the ruleset (exec_policy.c adds every
 * rule before: later ones would not apply).  At each execution of the target,
 * sandbox_exec() takes
 * a reference on it and arms it with bpf_landlock_restrict_binprm(): Landlock
 * enforces it at the point of no return of that execution.
 */

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define EPERM 1

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

struct policy {
	__kptr struct bpf_landlock_ruleset *ruleset;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct policy);
} policy_map SEC(".maps");

/* Set by the loader before attaching. */
__u64 target_ino;
__u64 target_dev;
__u32 restrict_flags;

/* Counters, read by the loader. */
__u64 sandboxed;
__u64 refused;

SEC("syscall")
int store_ruleset(int *ruleset_fd)
{
	struct bpf_landlock_ruleset *ruleset, *old;
	struct policy *policy;
	__u32 key = 0;

	policy = bpf_map_lookup_elem(&policy_map, &key);
	if (!policy)
		return -1;
	ruleset = bpf_landlock_ruleset_from_fd(*ruleset_fd);
	if (!ruleset)
		return -1;
	old = bpf_kptr_xchg(&policy->ruleset, ruleset);
	if (old)
		bpf_landlock_ruleset_release(old);
	return 0;
}

SEC("lsm.s/bprm_creds_for_exec")
int BPF_PROG(sandbox_exec, struct linux_binprm *bprm)
{
	struct inode *inode = bprm->file->f_inode;
	struct bpf_landlock_ruleset *ruleset = NULL;
	struct policy *policy;
	__u32 key = 0;
	int err = -EPERM;

	if (inode->i_ino != target_ino || inode->i_sb->s_dev != target_dev)
		return 0;

	policy = bpf_map_lookup_elem(&policy_map, &key);
	if (!policy)
		return -EPERM;
	bpf_rcu_read_lock();
	if (policy->ruleset)
		ruleset = bpf_landlock_ruleset_acquire(policy->ruleset);
	bpf_rcu_read_unlock();
	if (ruleset) {
		err = bpf_landlock_restrict_binprm(bprm, ruleset,
						   restrict_flags);
		bpf_landlock_ruleset_release(ruleset);
	}
	/* Fails closed: the target never runs unsandboxed. */
	if (err) {
		refused++;
		return -EPERM;
	}
	sandboxed++;
	return 0;
}
