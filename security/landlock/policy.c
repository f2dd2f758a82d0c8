// SPDX-License-Identifier: GPL-2.0-only
/*
 * Landlock - Rulesets as LSM policy objects
 *
 * A privileged BPF LSM program can apply a ruleset created by user space to
 * the execution it observes, through the LSM framework's policy object
 * kfuncs (security/bpf_lsm_kfuncs.c), which dispatch to the hooks below:
 *
 * - policy_object_from_fd: a ruleset file descriptor gives a frozen copy of
 *   the ruleset (landlock_freeze_ruleset()), whose &landlock_ruleset.policy
 *   BPF programs hold as a kptr (a frozen copy is freed after an RCU grace
 *   period, on every path);
 * - policy_object_get and policy_object_put: its reference count, which
 *   counts BPF references too; a put may come from any context but NMI, and
 *   the last one frees the ruleset after an RCU grace period, from a
 *   workqueue;
 * - bprm_apply_policy_object: arms it for the execution in progress, as a
 *   layer of its own above those armed before for it (see exec.rs); an
 *   error also fails the execution.
 */

#include <linux/binfmts.h>
#include <linux/container_of.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/lsm_hooks.h>
#include <linux/refcount.h>
#include <linux/security.h>

#include "exec.h"
#include "policy.h"
#include "ruleset.h"
#include "setup.h"

static struct landlock_ruleset *
policy_ruleset(struct lsm_policy_object *const object)
{
	if (WARN_ON_ONCE(object->type != LANDLOCK_POLICY_RULESET))
		return NULL;
	return container_of(object, struct landlock_ruleset, policy);
}

static int hook_policy_object_from_fd(const int fd,
				      struct lsm_policy_object **const object)
{
	struct landlock_ruleset *ruleset, *frozen;

	ruleset = landlock_get_ruleset_from_fd(fd, FMODE_CAN_READ);
	if (IS_ERR(ruleset)) {
		/* Not a ruleset: another LSM's object, maybe. */
		if (PTR_ERR(ruleset) == -EBADFD)
			return -EOPNOTSUPP;
		return PTR_ERR(ruleset);
	}

	frozen = landlock_freeze_ruleset(ruleset);
	landlock_put_ruleset(ruleset);
	if (IS_ERR(frozen))
		return PTR_ERR(frozen);

	/*
	 * LSM programs find it in maps under RCU (rcu_protected_types): as a
	 * frozen copy, its last put waits for a grace period.
	 */
	*object = &frozen->policy;
	return 0;
}

static int hook_policy_object_get(struct lsm_policy_object *const object)
{
	struct landlock_ruleset *const ruleset = policy_ruleset(object);

	if (!ruleset || !refcount_inc_not_zero(&ruleset->usage))
		return -ENOENT;
	return 0;
}

static void hook_policy_object_put(struct lsm_policy_object *const object)
{
	/* Frees the ruleset after an RCU grace period, from a workqueue. */
	landlock_put_ruleset_deferred(policy_ruleset(object));
}

static int hook_bprm_apply_policy_object(struct linux_binprm *const bprm,
					 struct lsm_policy_object *const object,
					 const u32 flags)
{
	/* Even an object that is not a ruleset (a bug) fails the execution. */
	return landlock_exec_restrict_binprm(bprm, policy_ruleset(object),
					     flags);
}

static struct security_hook_list landlock_hooks[] __ro_after_init = {
	LSM_HOOK_INIT(policy_object_from_fd, hook_policy_object_from_fd),
	LSM_HOOK_INIT(policy_object_get, hook_policy_object_get),
	LSM_HOOK_INIT(policy_object_put, hook_policy_object_put),
	LSM_HOOK_INIT(bprm_apply_policy_object, hook_bprm_apply_policy_object),
};

__init void landlock_add_policy_hooks(void)
{
	security_add_hooks(landlock_hooks, ARRAY_SIZE(landlock_hooks),
			   &landlock_lsmid);
}
