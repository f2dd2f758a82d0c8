/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Landlock kfuncs for exec-time enforcement, and a map holding a ruleset as
 * a referenced kptr: shared by the programs of the landlock_exec test.
 */

#ifndef _LANDLOCK_EXEC_COMMON_H
#define _LANDLOCK_EXEC_COMMON_H

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
	__type(key, int);
	__type(value, struct ruleset_slot);
} rulesets SEC(".maps");

static inline struct ruleset_slot *ruleset_slot(void)
{
	int key = 0;

	return bpf_map_lookup_elem(&rulesets, &key);
}

#endif /* _LANDLOCK_EXEC_COMMON_H */
