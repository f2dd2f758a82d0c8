// SPDX-License-Identifier: GPL-2.0
/*
 * Programs that the verifier must accept: the LSM policy object kfuncs used
 * on Landlock rulesets as documented in security/bpf_lsm_kfuncs.c.
 */

#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "bpf_misc.h"
#include "bpf_experimental.h"
#include "landlock_exec_common.h"

char _license[] SEC("license") = "GPL";

int restrict_ret;

/* Arms the stored ruleset: kptr read under RCU, then acquired. */
static __always_inline int restrict_stored(struct linux_binprm *bprm)
{
	struct lsm_policy_object *ruleset = NULL;
	struct ruleset_slot *slot;
	int ret;

	slot = ruleset_slot();
	if (!slot)
		return -1;
	bpf_rcu_read_lock();
	if (slot->ruleset)
		ruleset = bpf_lsm_policy_acquire(slot->ruleset);
	bpf_rcu_read_unlock();
	if (!ruleset)
		return -1;
	ret = bpf_lsm_policy_apply_bprm(ruleset, bprm, 0);
	bpf_lsm_policy_release(ruleset);
	return ret;
}

/* The same without bpf_rcu_read_lock(): for non-sleepable programs. */
static __always_inline int restrict_stored_atomic(struct linux_binprm *bprm)
{
	struct lsm_policy_object *ruleset = NULL;
	struct ruleset_slot *slot;
	int ret;

	slot = ruleset_slot();
	if (!slot)
		return -1;
	if (slot->ruleset)
		ruleset = bpf_lsm_policy_acquire(slot->ruleset);
	if (!ruleset)
		return -1;
	ret = bpf_lsm_policy_apply_bprm(ruleset, bprm, 0);
	bpf_lsm_policy_release(ruleset);
	return ret;
}

SEC("lsm.s/bprm_creds_for_exec")
__success
int BPF_PROG(restrict_from_bprm_creds_for_exec, struct linux_binprm *bprm)
{
	restrict_ret = restrict_stored(bprm);
	return 0;
}

SEC("lsm.s/bprm_check_security")
__success
int BPF_PROG(restrict_from_bprm_check_security, struct linux_binprm *bprm)
{
	restrict_ret = restrict_stored(bprm);
	return 0;
}

/*
 * bpf_lsm_policy_apply_bprm() does not sleep: non-sleepable programs may call
 * it, and they always run in an RCU read-side section.
 */
SEC("lsm/bprm_creds_for_exec")
__success
int BPF_PROG(restrict_from_non_sleepable, struct linux_binprm *bprm)
{
	restrict_ret = restrict_stored_atomic(bprm);
	return 0;
}

SEC("lsm/bprm_check_security")
__success
int BPF_PROG(restrict_from_non_sleepable_check, struct linux_binprm *bprm)
{
	restrict_ret = restrict_stored_atomic(bprm);
	return 0;
}

/* Stores a ruleset in the map, and releases the one it replaces. */
SEC("syscall")
__success
int store_policy_from_fd(void *ctx)
{
	struct lsm_policy_object *ruleset, *old;
	struct ruleset_slot *slot;

	slot = ruleset_slot();
	if (!slot)
		return 0;
	ruleset = bpf_lsm_policy_from_fd(0, 0);
	if (!ruleset)
		return 0;
	old = bpf_kptr_xchg(&slot->ruleset, ruleset);
	if (old)
		bpf_lsm_policy_release(old);
	return 0;
}

/* Empties the map. */
SEC("syscall")
__success
int drop_stored_ruleset(void *ctx)
{
	struct ruleset_slot *slot;
	struct lsm_policy_object *old;

	slot = ruleset_slot();
	if (!slot)
		return 0;
	old = bpf_kptr_xchg(&slot->ruleset, NULL);
	if (old)
		bpf_lsm_policy_release(old);
	return 0;
}

/*
 * The filter of the LSM policy object kfuncs only judges those: the other
 * kfuncs of LSM programs (here those of fs/bpf_fs_kfuncs.c) stay allowed on
 * any hook.
 */
SEC("lsm.s/file_open")
__success
int BPF_PROG(other_lsm_kfuncs_allowed, struct file *file)
{
	struct file *exe;

	exe = bpf_get_task_exe_file(bpf_get_current_task_btf());
	if (exe)
		bpf_put_file(exe);
	return 0;
}
