// SPDX-License-Identifier: GPL-2.0
/*
 * Programs that the verifier must accept: the Landlock kfuncs used as
 * documented in security/landlock/bpf_kfuncs.c.
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
	struct bpf_landlock_ruleset *ruleset = NULL;
	struct ruleset_slot *slot;
	int ret;

	slot = ruleset_slot();
	if (!slot)
		return -1;
	bpf_rcu_read_lock();
	if (slot->ruleset)
		ruleset = bpf_landlock_ruleset_acquire(slot->ruleset);
	bpf_rcu_read_unlock();
	if (!ruleset)
		return -1;
	ret = bpf_landlock_restrict_binprm(bprm, ruleset, 0);
	bpf_landlock_ruleset_release(ruleset);
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

/* A non-sleepable program always runs in an RCU read-side section. */
SEC("lsm/bprm_creds_for_exec")
__success
int BPF_PROG(restrict_from_non_sleepable, struct linux_binprm *bprm)
{
	struct bpf_landlock_ruleset *ruleset = NULL;
	struct ruleset_slot *slot;

	slot = ruleset_slot();
	if (!slot)
		return 0;
	if (slot->ruleset)
		ruleset = bpf_landlock_ruleset_acquire(slot->ruleset);
	if (!ruleset)
		return 0;
	restrict_ret = bpf_landlock_restrict_binprm(bprm, ruleset, 0);
	bpf_landlock_ruleset_release(ruleset);
	return 0;
}

/* Stores a ruleset in the map, and releases the one it replaces. */
SEC("syscall")
__success
int store_ruleset_from_fd(void *ctx)
{
	struct bpf_landlock_ruleset *ruleset, *old;
	struct ruleset_slot *slot;

	slot = ruleset_slot();
	if (!slot)
		return 0;
	ruleset = bpf_landlock_ruleset_from_fd(0);
	if (!ruleset)
		return 0;
	old = bpf_kptr_xchg(&slot->ruleset, ruleset);
	if (old)
		bpf_landlock_ruleset_release(old);
	return 0;
}

/* Empties the map. */
SEC("syscall")
__success
int drop_stored_ruleset(void *ctx)
{
	struct ruleset_slot *slot;
	struct bpf_landlock_ruleset *old;

	slot = ruleset_slot();
	if (!slot)
		return 0;
	old = bpf_kptr_xchg(&slot->ruleset, NULL);
	if (old)
		bpf_landlock_ruleset_release(old);
	return 0;
}

/*
 * The Landlock filter only judges the Landlock kfuncs: the other kfuncs of
 * LSM programs (here those of fs/bpf_fs_kfuncs.c) stay allowed on any hook.
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
