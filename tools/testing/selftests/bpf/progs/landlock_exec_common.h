/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The LSM policy object kfuncs (security/bpf_lsm_kfuncs.c), through which
 * BPF reaches Landlock rulesets, and a map holding a ruleset as a referenced
 * kptr: shared by the programs of the landlock_exec test.
 */

#ifndef _LANDLOCK_EXEC_COMMON_H
#define _LANDLOCK_EXEC_COMMON_H

struct lsm_policy_object *bpf_lsm_policy_from_fd(int fd, __u32 flags) __ksym;
struct lsm_policy_object *
bpf_lsm_policy_acquire(struct lsm_policy_object *object) __ksym;
void bpf_lsm_policy_release(struct lsm_policy_object *object) __ksym;
int bpf_lsm_policy_apply_bprm(struct lsm_policy_object *object,
			      struct linux_binprm *bprm, __u32 flags) __ksym;
void bpf_rcu_read_lock(void) __weak __ksym;
void bpf_rcu_read_unlock(void) __weak __ksym;

struct ruleset_slot {
	__kptr struct lsm_policy_object *ruleset;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct ruleset_slot);
} rulesets SEC(".maps");

static inline struct ruleset_slot *ruleset_slot(void)
{
	int key = 0;

	return bpf_map_lookup_elem(&rulesets, &key);
}

#endif /* _LANDLOCK_EXEC_COMMON_H */
