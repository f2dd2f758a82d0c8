// SPDX-License-Identifier: GPL-2.0
/*
 * Programs that the verifier must reject: the LSM policy object kfuncs used
 * from the wrong programs or hooks, or with the wrong references, and a
 * policy object kptr in a type that a program which may run in NMI context
 * frees.
 */

#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "bpf_misc.h"
#include "bpf_experimental.h"
#include "landlock_exec_common.h"

char _license[] SEC("license") = "GPL";

/* Takes a reference on the stored ruleset, or returns NULL. */
static __always_inline struct lsm_policy_object *acquire_stored(void)
{
	struct lsm_policy_object *ruleset = NULL;
	struct ruleset_slot *slot;

	slot = ruleset_slot();
	if (!slot)
		return NULL;
	bpf_rcu_read_lock();
	if (slot->ruleset)
		ruleset = bpf_lsm_policy_acquire(slot->ruleset);
	bpf_rcu_read_unlock();
	return ruleset;
}

/* This hook runs after Landlock merged the rulesets armed for the bprm. */
SEC("lsm.s/bprm_creds_from_file")
__failure __msg("calling kernel function bpf_lsm_policy_apply_bprm is not allowed")
int BPF_PROG(restrict_from_bprm_creds_from_file, struct linux_binprm *bprm,
	     const struct file *file)
{
	struct lsm_policy_object *ruleset;

	ruleset = acquire_stored();
	if (!ruleset)
		return 0;
	bpf_lsm_policy_apply_bprm(ruleset, bprm, 0);
	bpf_lsm_policy_release(ruleset);
	return 0;
}

/* Not a bprm hook at all. */
SEC("lsm.s/file_open")
__failure __msg("calling kernel function bpf_lsm_policy_apply_bprm is not allowed")
int BPF_PROG(restrict_from_file_open, struct file *file)
{
	struct lsm_policy_object *ruleset;

	ruleset = acquire_stored();
	if (!ruleset)
		return 0;
	bpf_lsm_policy_apply_bprm(ruleset, NULL, 0);
	bpf_lsm_policy_release(ruleset);
	return 0;
}

/* Cgroup LSM programs (BPF_LSM_CGROUP) may not arm a ruleset... */
SEC("lsm_cgroup/bprm_creds_for_exec")
__failure __msg("calling kernel function bpf_lsm_policy_apply_bprm is not allowed")
int BPF_PROG(restrict_from_lsm_cgroup, struct linux_binprm *bprm)
{
	bpf_lsm_policy_apply_bprm(NULL, bprm, 0);
	return 1;
}

/* ...nor take a reference on one. */
SEC("lsm_cgroup/bprm_creds_for_exec")
__failure __msg("calling kernel function bpf_lsm_policy_acquire is not allowed")
int BPF_PROG(acquire_from_lsm_cgroup, struct linux_binprm *bprm)
{
	struct lsm_policy_object *ruleset;

	ruleset = acquire_stored();
	if (!ruleset)
		return 1;
	bpf_lsm_policy_apply_bprm(ruleset, bprm, 0);
	bpf_lsm_policy_release(ruleset);
	return 1;
}

/* Only BPF_PROG_TYPE_LSM programs may arm a ruleset... */
SEC("fentry/security_bprm_check")
__failure __msg("calling kernel function bpf_lsm_policy_apply_bprm is not allowed")
int BPF_PROG(restrict_from_fentry, struct linux_binprm *bprm)
{
	bpf_lsm_policy_apply_bprm(NULL, bprm, 0);
	return 0;
}

/* ...not even the syscall programs that can get rulesets. */
SEC("syscall")
__failure __msg("calling kernel function bpf_lsm_policy_apply_bprm is not allowed")
int restrict_from_syscall(void *ctx)
{
	struct lsm_policy_object *ruleset;

	ruleset = bpf_lsm_policy_from_fd(0, 0);
	if (!ruleset)
		return 0;
	bpf_lsm_policy_apply_bprm(ruleset, NULL, 0);
	bpf_lsm_policy_release(ruleset);
	return 0;
}

/* Rulesets are only created from file descriptors by syscall programs. */
SEC("lsm.s/bprm_creds_for_exec")
__failure __msg("calling kernel function bpf_lsm_policy_from_fd is not allowed")
int BPF_PROG(policy_from_fd_in_lsm, struct linux_binprm *bprm)
{
	struct lsm_policy_object *ruleset;

	ruleset = bpf_lsm_policy_from_fd(0, 0);
	if (!ruleset)
		return 0;
	bpf_lsm_policy_apply_bprm(ruleset, bprm, 0);
	bpf_lsm_policy_release(ruleset);
	return 0;
}

/* The acquired reference is never released. */
SEC("lsm.s/bprm_creds_for_exec")
__failure __msg("Unreleased reference id=")
int BPF_PROG(restrict_without_release, struct linux_binprm *bprm)
{
	struct lsm_policy_object *ruleset;

	ruleset = acquire_stored();
	if (!ruleset)
		return 0;
	bpf_lsm_policy_apply_bprm(ruleset, bprm, 0);
	return 0;
}

/* The kptr is read outside of an RCU read-side critical section. */
SEC("lsm.s/bprm_creds_for_exec")
__failure __msg("R1 must be a rcu pointer")
int BPF_PROG(acquire_without_rcu, struct linux_binprm *bprm)
{
	struct lsm_policy_object *ruleset = NULL;
	struct ruleset_slot *slot;

	slot = ruleset_slot();
	if (!slot)
		return 0;
	if (slot->ruleset)
		ruleset = bpf_lsm_policy_acquire(slot->ruleset);
	if (ruleset)
		bpf_lsm_policy_release(ruleset);
	return 0;
}

/* The kptr is passed as is, without taking a reference. */
SEC("lsm.s/bprm_creds_for_exec")
__failure __msg("R1 must be referenced or trusted")
int BPF_PROG(restrict_unacquired, struct linux_binprm *bprm)
{
	struct ruleset_slot *slot;

	slot = ruleset_slot();
	if (!slot)
		return 0;
	bpf_rcu_read_lock();
	if (slot->ruleset)
		bpf_lsm_policy_apply_bprm(slot->ruleset, bprm, 0);
	bpf_rcu_read_unlock();
	return 0;
}

/* bpf_lsm_policy_acquire() may return NULL. */
SEC("lsm.s/bprm_creds_for_exec")
__failure __msg("Possibly NULL pointer passed to trusted R1")
int BPF_PROG(restrict_maybe_null, struct linux_binprm *bprm)
{
	struct lsm_policy_object *ruleset = NULL;
	struct ruleset_slot *slot;

	slot = ruleset_slot();
	if (!slot)
		return 0;
	bpf_rcu_read_lock();
	if (slot->ruleset)
		ruleset = bpf_lsm_policy_acquire(slot->ruleset);
	bpf_rcu_read_unlock();
	bpf_lsm_policy_apply_bprm(ruleset, bprm, 0);
	if (ruleset)
		bpf_lsm_policy_release(ruleset);
	return 0;
}

/* The ruleset replaced in the map is never released. */
SEC("syscall")
__failure __msg("Unreleased reference id=")
int store_without_release(void *ctx)
{
	struct lsm_policy_object *ruleset;
	struct ruleset_slot *slot;

	slot = ruleset_slot();
	if (!slot)
		return 0;
	ruleset = bpf_lsm_policy_from_fd(0, 0);
	if (!ruleset)
		return 0;
	bpf_kptr_xchg(&slot->ruleset, ruleset);
	return 0;
}

/* A program-allocated object holding a policy object kptr. */
struct policy_box {
	__kptr struct lsm_policy_object *object;
};

/*
 * Dropping such an object releases the policy object, which must not happen
 * in NMI context: a tracing program, which may run there (as this one does),
 * cannot drop it.
 */
SEC("tp_btf/nmi_handler")
__failure __msg("bpf_obj_drop cannot be used in tracing programs on types with NMI unsafe fields")
int BPF_PROG(drop_policy_kptr_in_nmi, void *handler, s64 delta_ns, int handled)
{
	struct policy_box *box;

	box = bpf_obj_new(typeof(*box));
	if (!box)
		return 0;
	bpf_obj_drop(box);
	return 0;
}

/*
 * The LSM framework's dispatchers of policy objects cannot have their return
 * value modified: they are not security_*() functions.  A value changed in
 * the reference counting would give out an object without its reference; a
 * non-zero value returned for lsm_bprm_apply_policy_object() would skip the
 * owning LSM, and the execution would go on without the policy of a program
 * that ignores the error.
 */
SEC("fmod_ret/lsm_policy_object_get")
__failure __msg("lsm_policy_object_get() is not modifiable")
int BPF_PROG(modify_get, struct lsm_policy_object *object, int ret)
{
	return 0;
}

SEC("fmod_ret/lsm_policy_object_from_fd")
__failure __msg("lsm_policy_object_from_fd() is not modifiable")
int BPF_PROG(modify_from_fd, int fd, struct lsm_policy_object **object,
	     int ret)
{
	return 0;
}

SEC("fmod_ret/lsm_bprm_apply_policy_object")
__failure __msg("lsm_bprm_apply_policy_object() is not modifiable")
int BPF_PROG(modify_apply, struct linux_binprm *bprm,
	     struct lsm_policy_object *object, __u32 flags, int ret)
{
	return 0;
}
