// SPDX-License-Identifier: GPL-2.0
/*
 * Sample BPF LSM policy: sandbox every execution of one program with a
 * Landlock ruleset, without changing that program.  Loaded by exec_policy.c,
 * which creates the ruleset and tells which file to sandbox.
 *
 * The ruleset reaches this program as a referenced kptr to a policy object
 * in an ordinary array map: exec_policy.c runs store_ruleset() (a
 * BPF_PROG_TYPE_SYSCALL program) with the ruleset file descriptor, which
 * bpf_lsm_policy_from_fd() turns into a frozen copy of the ruleset
 * (exec_policy.c adds every rule before: later ones would not apply).
 *
 * sandbox_exec() runs on bprm_check_security, once per binary format level
 * of an execution, with bprm->file the file that level loads: it arms the
 * ruleset, with bpf_lsm_policy_apply_bprm(), whenever that file is the
 * target's inode, and Landlock enforces it from the point of no return of
 * the execution.  This covers the target executed directly, through a
 * symbolic link or a hard link, by file descriptor (fexecve(3),
 * execveat(2)), as the interpreter of a "#!" script, nested or not, and as
 * a binfmt_misc interpreter.
 *
 * The target is the inode that the loader tags, from a file descriptor of
 * TARGET, in the inode storage map "target": the tag lives in that inode
 * object and dies with it, so no other file can match, whatever its inode
 * number or device (btrfs subvolumes share a superblock and inode numbers,
 * overlayfs layers share inode numbers, and st_dev is not the superblock's
 * on either), and no later inode can inherit it.  The loader keeps its file
 * descriptor open while the policy is active, so that the inode is not
 * evicted from memory (a new in-memory inode of the same file would not
 * carry the tag).
 *
 * Matching an inode at execution cannot cover what is not an execution of
 * that inode: "ld.so TARGET" executes the dynamic loader, which maps the
 * target without executing it; a copy of the target is another inode; so is
 * the same file seen through another overlayfs mount (another superblock);
 * and so is a new version installed over TARGET (a package upgrade writes a
 * new file and renames it over the old one): the policy keeps following the
 * old inode, and must be loaded again for the new one.
 */

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define EPERM 1

char _license[] SEC("license") = "GPL";

struct lsm_policy_object *bpf_lsm_policy_from_fd(int fd, __u32 flags) __ksym;
struct lsm_policy_object *
bpf_lsm_policy_acquire(struct lsm_policy_object *object) __ksym;
void bpf_lsm_policy_release(struct lsm_policy_object *object) __ksym;
int bpf_lsm_policy_apply_bprm(struct lsm_policy_object *object,
			      struct linux_binprm *bprm, __u32 flags) __ksym;
void bpf_rcu_read_lock(void) __weak __ksym;
void bpf_rcu_read_unlock(void) __weak __ksym;

struct policy {
	__kptr struct lsm_policy_object *ruleset;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct policy);
} policy_map SEC(".maps");

/* The target's inode carries an entry, set by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u8);
} target SEC(".maps");

/* Set by the loader before attaching. */
__u32 restrict_flags;

/* Counters, read by the loader. */
__u64 sandboxed;
__u64 refused;

/*
 * Running a syscall program checks no capability: whoever holds the file
 * descriptor of this program can replace the ruleset with one of its own,
 * and whoever holds that of a map can change what it holds (the target's
 * tag, the flags).  exec_policy.c keeps them to itself and pins none.
 */
SEC("syscall")
int store_ruleset(int *ruleset_fd)
{
	struct lsm_policy_object *ruleset, *old;
	struct policy *policy;
	__u32 key = 0;

	policy = bpf_map_lookup_elem(&policy_map, &key);
	if (!policy)
		return -1;
	ruleset = bpf_lsm_policy_from_fd(*ruleset_fd, 0);
	if (!ruleset)
		return -1;
	old = bpf_kptr_xchg(&policy->ruleset, ruleset);
	if (old)
		bpf_lsm_policy_release(old);
	return 0;
}

SEC("lsm.s/bprm_check_security")
int BPF_PROG(sandbox_exec, struct linux_binprm *bprm)
{
	struct lsm_policy_object *ruleset = NULL, *stored;
	struct policy *policy;
	__u32 key = 0;
	int err = -EPERM;

	if (!bpf_inode_storage_get(&target, bprm->file->f_inode, 0, 0))
		return 0;

	policy = bpf_map_lookup_elem(&policy_map, &key);
	if (!policy)
		return -EPERM;
	/*
	 * One read of the kptr, valid until bpf_rcu_read_unlock(): if
	 * store_ruleset() replaces it meanwhile and drops its last reference,
	 * bpf_lsm_policy_acquire() fails and the execution is refused.
	 */
	bpf_rcu_read_lock();
	stored = policy->ruleset;
	if (stored)
		ruleset = bpf_lsm_policy_acquire(stored);
	bpf_rcu_read_unlock();
	if (ruleset) {
		/* An error fails the execution, whatever is returned here. */
		err = bpf_lsm_policy_apply_bprm(ruleset, bprm, restrict_flags);
		bpf_lsm_policy_release(ruleset);
	}
	/* Fails closed: the target never runs unsandboxed. */
	if (err) {
		__sync_fetch_and_add(&refused, 1);
		return -EPERM;
	}
	__sync_fetch_and_add(&sandboxed, 1);
	return 0;
}
