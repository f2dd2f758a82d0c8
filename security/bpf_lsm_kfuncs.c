// SPDX-License-Identifier: GPL-2.0-only
/*
 * BPF kfuncs on LSM policy objects
 *
 * An LSM may expose policy objects (e.g. Landlock rulesets) to BPF programs,
 * which hold them as referenced kptrs in ordinary maps:
 *
 * - a BPF_PROG_TYPE_SYSCALL program, run by a policy manager, turns a file
 *   descriptor into a policy object with bpf_lsm_policy_from_fd() and stores
 *   it in a map with bpf_kptr_xchg();
 * - a BPF LSM program reads the kptr under bpf_rcu_read_lock(), takes a
 *   reference with bpf_lsm_policy_acquire(), applies the object, e.g. to an
 *   execution with bpf_lsm_policy_apply_bprm(), and releases it with
 *   bpf_lsm_policy_release().
 *
 * The kfuncs are generic: each one dispatches to the LSM that owns the
 * object (or, for bpf_lsm_policy_from_fd(), the file) through the policy
 * object LSM hooks (see security.c and
 * Documentation/security/lsm-development.rst), so that no LSM exports a BPF
 * interface of its own.  They are registered whatever LSMs are active: a
 * program loads on any kernel and gets NULL or -EOPNOTSUPP at run time when
 * no active LSM owns the object.
 */

#include <linux/binfmts.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/init.h>
#include <linux/security.h>

#include "bpf_lsm_kfuncs.h"

__bpf_kfunc_start_defs();

/**
 * bpf_lsm_policy_from_fd - Get the policy object of a file descriptor
 *
 * @fd: File descriptor of the calling task.
 * @flags: Must be 0.
 *
 * Only for BPF_PROG_TYPE_SYSCALL programs, which run in the context of the
 * task that owns @fd.  What the object is (e.g. an immutable copy of a
 * Landlock ruleset) is defined by the LSM that owns @fd.
 *
 * Return: A referenced policy object, to store in a map as a kptr or to
 * release with bpf_lsm_policy_release(), or NULL if @flags is not 0, if no
 * active LSM owns @fd, or on the owner's error (e.g. memory is short).
 */
__bpf_kfunc struct lsm_policy_object *bpf_lsm_policy_from_fd(int fd, u32 flags)
{
	struct lsm_policy_object *object = NULL;

	if (flags)
		return NULL;
	if (lsm_policy_object_from_fd(fd, &object))
		return NULL;
	return object;
}

/**
 * bpf_lsm_policy_acquire - Take a reference on a policy object
 *
 * @object: Trusted or RCU-protected policy object (e.g. a kptr read from a
 *          map under bpf_rcu_read_lock()).
 *
 * Return: @object with a new reference, or NULL if it is being freed: its
 * last reference was dropped after it was read, e.g. when another program
 * replaced it in its map (the replacement is then there, to read again).
 */
__bpf_kfunc struct lsm_policy_object *
bpf_lsm_policy_acquire(struct lsm_policy_object *object)
{
	if (lsm_policy_object_get(object))
		return NULL;
	return object;
}

/**
 * bpf_lsm_policy_release - Release a policy object
 *
 * @object: Policy object referenced by the program.
 *
 * Also the destructor of policy object kptrs stored in maps: it may run in
 * any context but NMI, and does not sleep; the owning LSM frees the object
 * after an RCU grace period.
 */
__bpf_kfunc void bpf_lsm_policy_release(struct lsm_policy_object *object)
{
	lsm_policy_object_put(object);
}

__bpf_kfunc void bpf_lsm_policy_release_dtor(void *object)
{
	bpf_lsm_policy_release(object);
}

CFI_NOSEAL(bpf_lsm_policy_release_dtor);

/**
 * bpf_lsm_policy_apply_bprm - Apply a policy object to an execution
 *
 * @object: Referenced policy object.
 * @bprm: Execution in progress.
 * @flags: Flags defined by the LSM that owns @object (for Landlock, the
 *         LANDLOCK_RESTRICT_SELF_* flags of an exec-time enforcement).
 *
 * Only for BPF LSM programs attached to bprm_creds_for_exec or
 * bprm_check_security: both run before bprm_creds_from_file, the last hook
 * that can fail the execution, where the owner can still act on what was
 * applied (Landlock merges it there).  bprm_creds_for_exec runs once per
 * execution, bprm_check_security once per binary that the execution loads
 * (a script, then its interpreter), with @bprm->file that binary.  What
 * applying means is defined by the owner (see
 * Documentation/security/landlock.rst for Landlock's).
 *
 * Return: 0 on success, the owner's error, or -EOPNOTSUPP if no active LSM
 * owns @object or its owner has no such operation.
 */
__bpf_kfunc int bpf_lsm_policy_apply_bprm(struct lsm_policy_object *object,
					  struct linux_binprm *bprm, u32 flags)
{
	return lsm_bprm_apply_policy_object(bprm, object, flags);
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(bpf_lsm_policy_kfunc_ids)
/*
 * KF_SLEEPABLE: the owner may allocate with GFP_KERNEL and take locks (e.g.
 * Landlock copies the ruleset).
 */
BTF_ID_FLAGS(func, bpf_lsm_policy_from_fd,
	     KF_ACQUIRE | KF_RET_NULL | KF_SLEEPABLE)
BTF_ID_FLAGS(func, bpf_lsm_policy_acquire, KF_ACQUIRE | KF_RCU | KF_RET_NULL)
BTF_ID_FLAGS(func, bpf_lsm_policy_release, KF_RELEASE)
/*
 * Never KF_RCU: the owner may take its own reference on @object, which is
 * only valid on an object the caller holds a reference to.  Not
 * KF_SLEEPABLE: the owner must not sleep (Landlock does not), so that
 * non-sleepable programs on both hooks can call it too.
 */
BTF_ID_FLAGS(func, bpf_lsm_policy_apply_bprm)
BTF_KFUNCS_END(bpf_lsm_policy_kfunc_ids)

BTF_ID_LIST_SINGLE(bpf_lsm_policy_from_fd_id, func, bpf_lsm_policy_from_fd)
BTF_ID_LIST_SINGLE(bpf_lsm_policy_apply_bprm_id, func,
		   bpf_lsm_policy_apply_bprm)

#ifdef CONFIG_BPF_LSM
/*
 * The hooks that run before bprm_creds_from_file (see
 * bpf_lsm_policy_apply_bprm()).
 */
BTF_SET_START(bpf_lsm_policy_bprm_hooks)
BTF_ID(func, bpf_lsm_bprm_creds_for_exec)
BTF_ID(func, bpf_lsm_bprm_check_security)
BTF_SET_END(bpf_lsm_policy_bprm_hooks)
#endif /* CONFIG_BPF_LSM */

/*
 * Program types share kfunc lookup buckets: LSM programs share theirs with
 * tracing, tracepoint, raw tracepoint and perf event programs (see
 * bpf_prog_type_to_kfunc_hook()), hence the check of the program type (which
 * also refuses freplace programs).  The filter is called for every kfunc of
 * the bucket, and only judges ours.
 */
static int bpf_lsm_policy_kfunc_filter(const struct bpf_prog *prog,
				       u32 kfunc_id)
{
	if (!btf_id_set8_contains(&bpf_lsm_policy_kfunc_ids, kfunc_id))
		return 0;

	switch (prog->type) {
	case BPF_PROG_TYPE_SYSCALL:
		if (kfunc_id == bpf_lsm_policy_apply_bprm_id[0])
			return -EACCES;
		return 0;
#ifdef CONFIG_BPF_LSM
	case BPF_PROG_TYPE_LSM:
		/*
		 * Not for cgroup LSM programs, which mediate a cgroup rather
		 * than the system, nor from_fd(), whose file descriptor would
		 * be the mediated task's.
		 */
		if (prog->expected_attach_type != BPF_LSM_MAC ||
		    kfunc_id == bpf_lsm_policy_from_fd_id[0])
			return -EACCES;
		if (kfunc_id == bpf_lsm_policy_apply_bprm_id[0] &&
		    !btf_id_set_contains(&bpf_lsm_policy_bprm_hooks,
					 prog->aux->attach_btf_id))
			return -EACCES;
		return 0;
#endif /* CONFIG_BPF_LSM */
	default:
		return -EACCES;
	}
}

static const struct btf_kfunc_id_set bpf_lsm_policy_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &bpf_lsm_policy_kfunc_ids,
	.filter = bpf_lsm_policy_kfunc_filter,
};

BTF_ID_LIST(bpf_lsm_policy_dtor_ids)
BTF_ID(struct, lsm_policy_object)
BTF_ID(func, bpf_lsm_policy_release_dtor)

static int __init bpf_lsm_policy_kfunc_init(void)
{
	const struct btf_id_dtor_kfunc dtors[] = {
		{
			.btf_id = bpf_lsm_policy_dtor_ids[0],
			.kfunc_btf_id = bpf_lsm_policy_dtor_ids[1],
		},
	};
	int ret;

	ret = register_btf_kfunc_id_set(BPF_PROG_TYPE_SYSCALL,
					&bpf_lsm_policy_kfunc_set);
	if (!ret && IS_ENABLED(CONFIG_BPF_LSM))
		ret = register_btf_kfunc_id_set(BPF_PROG_TYPE_LSM,
						&bpf_lsm_policy_kfunc_set);
	if (ret)
		return ret;
	return register_btf_id_dtor_kfuncs(dtors, ARRAY_SIZE(dtors),
					   THIS_MODULE);
}

late_initcall(bpf_lsm_policy_kfunc_init);
