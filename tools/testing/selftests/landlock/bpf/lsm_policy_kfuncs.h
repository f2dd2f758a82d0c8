/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The LSM policy object kfuncs (security/bpf_lsm_kfuncs.c), for the BPF
 * programs of the Landlock selftests.  vmlinux.h may declare them too (with
 * pahole's decl_tag_kfuncs): these declarations are the same.
 */

#ifndef _SELFTESTS_LANDLOCK_LSM_POLICY_KFUNCS_H
#define _SELFTESTS_LANDLOCK_LSM_POLICY_KFUNCS_H

struct lsm_policy_object *bpf_lsm_policy_from_fd(int fd, __u32 flags) __ksym;
struct lsm_policy_object *
bpf_lsm_policy_acquire(struct lsm_policy_object *object) __ksym;
void bpf_lsm_policy_release(struct lsm_policy_object *object) __ksym;
int bpf_lsm_policy_apply_bprm(struct lsm_policy_object *object,
			      struct linux_binprm *bprm, __u32 flags) __ksym;
void bpf_rcu_read_lock(void) __weak __ksym;
void bpf_rcu_read_unlock(void) __weak __ksym;

#endif /* _SELFTESTS_LANDLOCK_LSM_POLICY_KFUNCS_H */
