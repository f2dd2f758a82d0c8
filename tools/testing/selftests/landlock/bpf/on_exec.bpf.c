// SPDX-License-Identifier: GPL-2.0
/*
 * BPF side of the Landlock exec-time enforcement tests (on_exec_bpf_test.c):
 * a policy that sandboxes every execution of one target binary with a
 * ruleset created by user space.  It runs on bprm_check_security, where
 * bprm->file is the binary that the execution loads (the interpreter of a
 * script, after the script).
 */

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "lsm_policy_kfuncs.h"
#include "on_exec_common.h"

char _license[] SEC("license") = "GPL";

struct ruleset_slot {
	__kptr struct lsm_policy_object *ruleset;
};

/* Rulesets stored by user space, as kptrs in an ordinary array. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct ruleset_slot);
} rulesets SEC(".maps");

/* Set by user space: the binary to sandbox, and how. */
__u64 target_ino;
__u64 target_dev;
__u32 restrict_flags;
/* How many times ruleset 0 is armed, up to SANDBOX_MAX_ARMINGS. */
__u32 armings = 1;
/* Arm ruleset 1 after ruleset 0, with second_flags, for the same execution. */
__u32 arm_twice;
__u32 second_flags;

/* Read by user space. */
__u32 hits;
int last_ret = 1;
/* Successful calls to bpf_lsm_policy_apply_bprm(). */
__u32 applied;
/* Executions for which sandbox_target() armed a ruleset, or found none. */
__u32 armed;
__u32 missed;

/*
 * acquire_after_last_put(): user space sets race_go once it has dropped every
 * other reference to the ruleset that the program read; the program reports
 * each step in race_state (enum race_state).
 */
__u32 race_go;
__u32 race_state;

/* Run by user space (BPF_PROG_RUN): stores a ruleset fd as a kptr. */
SEC("syscall")
int store_ruleset(struct store_args *args)
{
	struct lsm_policy_object *ruleset, *old;
	struct ruleset_slot *slot;
	__u32 key = args->index;

	slot = bpf_map_lookup_elem(&rulesets, &key);
	if (!slot) {
		args->ret = -1;
		return 0;
	}
	ruleset = bpf_lsm_policy_from_fd(args->ruleset_fd, args->flags);
	if (!ruleset) {
		args->ret = -2;
		return 0;
	}
	old = bpf_kptr_xchg(&slot->ruleset, ruleset);
	if (old)
		bpf_lsm_policy_release(old);
	args->ret = 0;
	return 0;
}

/* Run by user space: drops a stored ruleset. */
SEC("syscall")
int drop_ruleset(struct store_args *args)
{
	struct lsm_policy_object *old;
	struct ruleset_slot *slot;
	__u32 key = args->index;

	slot = bpf_map_lookup_elem(&rulesets, &key);
	if (!slot) {
		args->ret = -1;
		return 0;
	}
	old = bpf_kptr_xchg(&slot->ruleset, NULL);
	if (old)
		bpf_lsm_policy_release(old);
	args->ret = old ? 0 : -2;
	return 0;
}

/*
 * Arms ruleset @key @times times (each arming adds a layer) for @bprm.
 * Returns 0, or the first error.
 */
static int apply(struct linux_binprm *bprm, __u32 key, __u32 flags, __u32 times)
{
	struct lsm_policy_object *ruleset = NULL;
	struct ruleset_slot *slot;
	__u32 i;
	int ret = 0;

	slot = bpf_map_lookup_elem(&rulesets, &key);
	if (!slot)
		return -1000;
	bpf_rcu_read_lock();
	if (slot->ruleset)
		ruleset = bpf_lsm_policy_acquire(slot->ruleset);
	/*
	 * The map's ruleset may have been replaced, and its last reference
	 * dropped, since it was loaded: the replacement is in the map.
	 */
	if (!ruleset && slot->ruleset)
		ruleset = bpf_lsm_policy_acquire(slot->ruleset);
	bpf_rcu_read_unlock();
	if (!ruleset)
		return APPLY_NO_RULESET;
	for (i = 0; i < SANDBOX_MAX_ARMINGS && i < times; i++) {
		ret = bpf_lsm_policy_apply_bprm(ruleset, bprm, flags);
		if (ret)
			break;
		applied++;
	}
	bpf_lsm_policy_release(ruleset);
	return ret;
}

static bool is_target(struct linux_binprm *bprm)
{
	struct inode *inode = bprm->file->f_inode;

	return inode->i_ino == target_ino && inode->i_sb->s_dev == target_dev;
}

/*
 * Ignores the errors of bpf_lsm_policy_apply_bprm(): each one fails the
 * execution anyway, which the tests check.
 */
SEC("lsm.s/bprm_check_security")
int BPF_PROG(sandbox_target, struct linux_binprm *bprm)
{
	if (!is_target(bprm))
		return 0;
	hits++;
	last_ret = apply(bprm, 0, restrict_flags, armings);
	if (!last_ret && arm_twice)
		last_ret = apply(bprm, 1, second_flags, 1);
	if (!last_ret)
		armed++;
	else if (last_ret == APPLY_NO_RULESET)
		missed++;
	return 0;
}

/* Set by another CPU while this program runs: read it again each time. */
static __u32 read_race_go(void)
{
	barrier();
	return race_go;
}

/*
 * How long the program waits for race_go: long enough for user space on an
 * emulated debug kernel, well below RCU's stall warnings (21 s).
 */
#define RACE_TIMEOUT_NS (5ULL * 1000 * 1000 * 1000)

static long race_poll(__u64 index, void *ctx)
{
	const __u64 *deadline = ctx;

	/* 1 stops bpf_loop(). */
	return read_race_go() || bpf_ktime_get_ns() > *deadline;
}

/*
 * Forces the interleaving that must not free a ruleset under an RCU reader:
 * the kptr is read in an RCU read-side section, then the program waits on
 * this CPU while user space, on another one, drops the map's reference, the
 * last one to the ruleset (a frozen copy, which only the map holds); only
 * then does it try to take a reference.  The ruleset's memory must still be
 * there (its release waits for a grace period, which this read-side section
 * holds back), and the acquisition must fail (its reference count already
 * reached zero).
 */
static __always_inline void acquire_after_last_put(struct linux_binprm *bprm)
{
	struct lsm_policy_object *ruleset;
	struct ruleset_slot *slot;
	__u64 deadline;
	__u32 key = 0;
	int i;

	if (!is_target(bprm))
		return;
	slot = bpf_map_lookup_elem(&rulesets, &key);
	if (!slot)
		return;
	bpf_rcu_read_lock();
	ruleset = slot->ruleset;
	if (!ruleset) {
		race_state = RACE_EMPTY;
		goto out;
	}
	race_state = RACE_WINDOW_OPEN;
	deadline = bpf_ktime_get_ns() + RACE_TIMEOUT_NS;
	for (i = 0; i < 64 && !race_poll(0, &deadline); i++)
		bpf_loop(1 << 23, race_poll, &deadline, 0);
	if (!read_race_go()) {
		race_state = RACE_TIMED_OUT;
		goto out;
	}
	ruleset = bpf_lsm_policy_acquire(ruleset);
	if (ruleset) {
		race_state = RACE_ACQUIRED;
		bpf_lsm_policy_release(ruleset);
	} else {
		race_state = RACE_NULL_AFTER_LAST_PUT;
	}
out:
	bpf_rcu_read_unlock();
}

/* A sleepable reader: bpf_rcu_read_lock() makes the kptr RCU-protected. */
SEC("?lsm.s/bprm_creds_for_exec")
int BPF_PROG(acquire_after_last_put_sleepable, struct linux_binprm *bprm)
{
	acquire_after_last_put(bprm);
	return 0;
}

/* A non-sleepable reader, which always runs in an RCU read-side section. */
SEC("?lsm/bprm_creds_for_exec")
int BPF_PROG(acquire_after_last_put_atomic, struct linux_binprm *bprm)
{
	acquire_after_last_put(bprm);
	return 0;
}

/* Rejected at load: a kptr read outside an RCU read-side section. */
SEC("?lsm.s/bprm_creds_for_exec")
int BPF_PROG(acquire_without_rcu, struct linux_binprm *bprm)
{
	struct lsm_policy_object *ruleset = NULL;
	struct ruleset_slot *slot;
	__u32 key = 0;

	slot = bpf_map_lookup_elem(&rulesets, &key);
	if (!slot)
		return 0;
	if (slot->ruleset)
		ruleset = bpf_lsm_policy_acquire(slot->ruleset);
	if (ruleset)
		bpf_lsm_policy_release(ruleset);
	return 0;
}

/* Rejected at load: arming a ruleset that was not acquired. */
SEC("?lsm.s/bprm_creds_for_exec")
int BPF_PROG(restrict_unacquired, struct linux_binprm *bprm)
{
	struct ruleset_slot *slot;
	__u32 key = 0;

	slot = bpf_map_lookup_elem(&rulesets, &key);
	if (!slot)
		return 0;
	bpf_rcu_read_lock();
	if (slot->ruleset)
		last_ret = bpf_lsm_policy_apply_bprm(slot->ruleset, bprm, 0);
	bpf_rcu_read_unlock();
	return 0;
}

/* Rejected at load: this hook runs after Landlock merged the slots. */
SEC("?lsm.s/bprm_creds_from_file")
int BPF_PROG(restrict_too_late, struct linux_binprm *bprm, struct file *file)
{
	last_ret = apply(bprm, 0, 0, 1);
	return 0;
}

/* Rejected at load: the acquired reference is never released. */
SEC("?lsm.s/bprm_creds_for_exec")
int BPF_PROG(leak_reference, struct linux_binprm *bprm)
{
	struct lsm_policy_object *ruleset = NULL;
	struct ruleset_slot *slot;
	__u32 key = 0;

	slot = bpf_map_lookup_elem(&rulesets, &key);
	if (!slot)
		return 0;
	bpf_rcu_read_lock();
	if (slot->ruleset)
		ruleset = bpf_lsm_policy_acquire(slot->ruleset);
	bpf_rcu_read_unlock();
	if (ruleset)
		last_ret = bpf_lsm_policy_apply_bprm(ruleset, bprm, 0);
	return 0;
}
