// SPDX-License-Identifier: GPL-2.0-only
/*
 * Landlock - BPF kfuncs for exec-time enforcement
 *
 * A privileged BPF LSM program can apply a ruleset created by user space to
 * the execution it observes.  Rulesets reach BPF programs as referenced
 * kptrs, stored in ordinary maps (no dedicated map type):
 *
 * - a BPF_PROG_TYPE_SYSCALL program, run by the policy manager, turns a
 *   ruleset file descriptor into a kptr to a frozen copy of the ruleset with
 *   bpf_landlock_ruleset_from_fd() and stores it in a map with
 *   bpf_kptr_xchg();
 * - a BPF LSM program on bprm_creds_for_exec or bprm_check_security reads
 *   the kptr under bpf_rcu_read_lock(), takes a reference with
 *   bpf_landlock_ruleset_acquire(), passes it to
 *   bpf_landlock_restrict_binprm(), and drops it with
 *   bpf_landlock_ruleset_release().
 *
 * bpf_landlock_restrict_binprm() fills the BPF slot of the execution's
 * credentials; the merge and the enforcement are those of
 * %LANDLOCK_RESTRICT_SELF_ON_EXEC (see exec.h and exec.rs).  These kfuncs
 * are C because kfuncs need BTF, which Rust objects do not get; they are
 * thin shims into exec.rs .
 */

#include <linux/binfmts.h>
#include <linux/bpf.h>
#include <linux/bpf_lsm.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/init.h>
#include <linux/refcount.h>

#include "bpf_kfuncs.h"
#include "exec.h"
#include "ruleset.h"
#include "setup.h"

/**
 * struct bpf_landlock_ruleset - Landlock ruleset as seen by BPF programs
 *
 * BPF programs only hold references to it (as kptrs) and pass them to the
 * kfuncs below.  It is the Landlock ruleset itself: the reference count of
 * the ruleset counts BPF references too.
 */
struct bpf_landlock_ruleset {
	/**
	 * @ruleset: The ruleset.
	 */
	struct landlock_ruleset ruleset;
};

static struct bpf_landlock_ruleset *
to_bpf_ruleset(struct landlock_ruleset *const ruleset)
{
	return container_of(ruleset, struct bpf_landlock_ruleset, ruleset);
}

__bpf_kfunc_start_defs();

/**
 * bpf_landlock_ruleset_from_fd - Get a frozen copy of a ruleset
 *
 * @fd: Ruleset file descriptor of the calling task, opened for reading.
 *
 * Only for BPF_PROG_TYPE_SYSCALL programs, which run in the context of the
 * task that owns @fd.  What BPF programs hold is an immutable copy of the
 * ruleset as it is at the call (see landlock_freeze_ruleset()): rules added
 * to the ruleset later do not apply to it, and executions sharing it merge
 * it without taking any lock.
 *
 * Return: A referenced frozen ruleset, to store in a map as a kptr or to
 * release with bpf_landlock_ruleset_release(), or NULL if @fd does not refer
 * to a readable ruleset, if memory is short, or if Landlock is disabled.
 */
__bpf_kfunc struct bpf_landlock_ruleset *bpf_landlock_ruleset_from_fd(int fd)
{
	struct landlock_ruleset *ruleset, *frozen;

	if (!landlock_initialized)
		return NULL;

	ruleset = landlock_get_ruleset_from_fd(fd, FMODE_CAN_READ);
	if (IS_ERR(ruleset))
		return NULL;

	frozen = landlock_freeze_ruleset(ruleset);
	landlock_put_ruleset(ruleset);
	if (IS_ERR(frozen))
		return NULL;

	/* LSM programs find it in maps under RCU (rcu_protected_types). */
	landlock_ruleset_share_rcu(frozen);
	return to_bpf_ruleset(frozen);
}

/**
 * bpf_landlock_ruleset_acquire - Take a reference on a ruleset
 *
 * @ruleset: Trusted or RCU-protected ruleset (e.g. a kptr read from a map
 *           under bpf_rcu_read_lock()).
 *
 * Return: @ruleset with a new reference, or NULL if it is being freed.
 */
__bpf_kfunc struct bpf_landlock_ruleset *
bpf_landlock_ruleset_acquire(struct bpf_landlock_ruleset *ruleset)
{
	if (!refcount_inc_not_zero(&ruleset->ruleset.usage))
		return NULL;
	return ruleset;
}

/**
 * bpf_landlock_ruleset_release - Release a ruleset
 *
 * @ruleset: Ruleset referenced by the program.
 *
 * Does not sleep: the last reference frees the ruleset after an RCU grace
 * period, from a workqueue (see landlock_put_ruleset_deferred()).
 */
__bpf_kfunc void
bpf_landlock_ruleset_release(struct bpf_landlock_ruleset *ruleset)
{
	landlock_put_ruleset_deferred(&ruleset->ruleset);
}

__bpf_kfunc void bpf_landlock_ruleset_release_dtor(void *ruleset)
{
	bpf_landlock_ruleset_release(ruleset);
}

CFI_NOSEAL(bpf_landlock_ruleset_release_dtor);

/**
 * bpf_landlock_restrict_binprm - Enforce a ruleset on an execution
 *
 * @bprm: Execution in progress.
 * @ruleset: Referenced ruleset.
 * @flags: %LANDLOCK_RESTRICT_SELF_NO_NEW_PRIVS and the
 *         LANDLOCK_RESTRICT_SELF_LOG_* flags.
 *
 * Arms @ruleset for @bprm: it is merged on top of the domain of the executing
 * task (and below a ruleset armed by the task with
 * %LANDLOCK_RESTRICT_SELF_ON_EXEC), and enforced at the point of no return.
 * If the execution fails, nothing changes.  With
 * %LANDLOCK_RESTRICT_SELF_NO_NEW_PRIVS, no_new_privs is set at the point of
 * no return, whatever the capabilities of the task; the execution in
 * progress is not affected by it.  A second call for the same execution
 * replaces the first ruleset.
 *
 * Only for BPF LSM programs attached to bprm_creds_for_exec or
 * bprm_check_security, which run before Landlock merges the armed rulesets.
 *
 * If the domain would then exceed the maximum number of layers, the
 * execution fails with -EPERM, before its point of no return (the arming is
 * accepted, so that a policy ignoring the return value still fails closed).
 *
 * Return: 0 on success, -EINVAL for %LANDLOCK_RESTRICT_SELF_ON_EXEC,
 * %LANDLOCK_RESTRICT_SELF_TSYNC or unknown flags, -EBUSY if Landlock already
 * merged the armed rulesets for @bprm (bprm_check_security of a binary
 * format handler tried after a first one failed past bprm_creds_from_file),
 * -EOPNOTSUPP if Landlock is disabled.
 */
__bpf_kfunc int
bpf_landlock_restrict_binprm(struct linux_binprm *bprm,
			     struct bpf_landlock_ruleset *ruleset, u32 flags)
{
	if (!landlock_initialized)
		return -EOPNOTSUPP;

	return landlock_exec_restrict_binprm(bprm, &ruleset->ruleset, flags);
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(landlock_syscall_kfunc_ids)
/*
 * KF_SLEEPABLE: the copy allocates with GFP_KERNEL and takes the ruleset's
 * mutex, and the last put of the original ruleset can free it.
 */
BTF_ID_FLAGS(func, bpf_landlock_ruleset_from_fd,
	     KF_ACQUIRE | KF_RET_NULL | KF_SLEEPABLE)
BTF_ID_FLAGS(func, bpf_landlock_ruleset_acquire,
	     KF_ACQUIRE | KF_RCU | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_landlock_ruleset_release, KF_RELEASE)
BTF_KFUNCS_END(landlock_syscall_kfunc_ids)

static const struct btf_kfunc_id_set landlock_syscall_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &landlock_syscall_kfunc_ids,
};

BTF_KFUNCS_START(landlock_lsm_kfunc_ids)
BTF_ID_FLAGS(func, bpf_landlock_ruleset_acquire,
	     KF_ACQUIRE | KF_RCU | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_landlock_ruleset_release, KF_RELEASE)
/*
 * Never KF_RCU: the slot takes its reference with refcount_inc(), which is
 * only valid on a ruleset the caller holds a reference to.
 */
BTF_ID_FLAGS(func, bpf_landlock_restrict_binprm)
BTF_KFUNCS_END(landlock_lsm_kfunc_ids)

/* Hooks that run before Landlock's bprm_creds_from_file merges the slots. */
BTF_SET_START(landlock_restrict_binprm_hooks)
BTF_ID(func, bpf_lsm_bprm_creds_for_exec)
BTF_ID(func, bpf_lsm_bprm_check_security)
BTF_SET_END(landlock_restrict_binprm_hooks)

BTF_ID_LIST_SINGLE(landlock_restrict_binprm_id, func,
		   bpf_landlock_restrict_binprm)

static int landlock_lsm_kfunc_filter(const struct bpf_prog *prog, u32 kfunc_id)
{
	if (!btf_id_set8_contains(&landlock_lsm_kfunc_ids, kfunc_id))
		return 0;

	/* Only for "per-task" LSM programs, not for cgroup ones. */
	if (prog->type != BPF_PROG_TYPE_LSM ||
	    prog->expected_attach_type != BPF_LSM_MAC)
		return -EACCES;

	if (kfunc_id == landlock_restrict_binprm_id[0] &&
	    !btf_id_set_contains(&landlock_restrict_binprm_hooks,
				 prog->aux->attach_btf_id))
		return -EACCES;

	return 0;
}

static const struct btf_kfunc_id_set landlock_lsm_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &landlock_lsm_kfunc_ids,
	.filter = landlock_lsm_kfunc_filter,
};

BTF_ID_LIST(landlock_dtor_ids)
BTF_ID(struct, bpf_landlock_ruleset)
BTF_ID(func, bpf_landlock_ruleset_release_dtor)

static int __init landlock_bpf_kfunc_init(void)
{
	const struct btf_id_dtor_kfunc dtors[] = {
		{
			.btf_id = landlock_dtor_ids[0],
			.kfunc_btf_id = landlock_dtor_ids[1],
		},
	};
	int ret;

	ret = register_btf_kfunc_id_set(BPF_PROG_TYPE_SYSCALL,
					&landlock_syscall_kfunc_set);
	if (ret)
		return ret;
	ret = register_btf_kfunc_id_set(BPF_PROG_TYPE_LSM,
					&landlock_lsm_kfunc_set);
	if (ret)
		return ret;
	return register_btf_id_dtor_kfuncs(dtors, ARRAY_SIZE(dtors),
					   THIS_MODULE);
}

late_initcall(landlock_bpf_kfunc_init);
