/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Landlock - Exec-time enforcement
 *
 * A ruleset can be armed in a credential, to be merged into its domain and
 * enforced by the next execve(2), past its point of no return.  There are
 * two slots: one filled by landlock_restrict_self(2) with
 * %LANDLOCK_RESTRICT_SELF_ON_EXEC (one ruleset, which a new call replaces),
 * one filled by BPF LSM programs for the execution in progress (one layer
 * per arming, through the LSM policy object hooks of policy.c).  At
 * execution, the layers are stacked in a fixed order: the existing domain,
 * then the BPF layers in the order of the armings, then the user space
 * layer.
 *
 * Arming freezes the ruleset (landlock_freeze_ruleset()): the slots hold
 * immutable copies, merged without lock, and rules added to the original
 * ruleset later do not apply.
 *
 * The merge allocates and may fail: it is done by the bprm_creds_from_file
 * hook, which can still fail the execution cleanly, into the credentials of
 * the execution (private until committed).  It also fails the execution with
 * the error of a BPF arming that failed: what a BPF program asked for is
 * enforced or the execution fails.  The bprm_committing_creds hook then only
 * releases the slots, sets no_new_privs if a BPF arming asked for it, and
 * emits a trace event: it cannot fail.
 *
 * The logic is implemented in Rust (exec.rs); exec_helpers.c exposes the
 * Landlock internals it needs.  This header is also read by bindgen
 * (rust/bindings/bindings_helper.h), which lets #[export] check each Rust
 * definition against its C prototype.
 */

#ifndef _SECURITY_LANDLOCK_EXEC_H
#define _SECURITY_LANDLOCK_EXEC_H

#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/types.h>

#include "limits.h"

struct cred;
struct file;
struct landlock_cred_blob;
struct landlock_details;
struct landlock_domain;
struct landlock_ruleset;
struct linux_binprm;

struct landlock_exec_bpf_layers;

/**
 * struct landlock_exec_slots - Rulesets armed for the next execution
 *
 * Only exec.rs reads or writes this structure.  The user space slot holds a
 * reference to a frozen ruleset (see landlock_freeze_ruleset()), or is NULL;
 * it is inherited with the credentials (with a new reference).  The BPF slot
 * only exists in the credentials of an execution in progress
 * (&linux_binprm.cred): the rulesets BPF programs armed for it, each one a
 * layer of its own.  A successful execution consumes both.
 */
struct landlock_exec_slots {
	/**
	 * @user: Ruleset armed by landlock_restrict_self(2) with
	 * %LANDLOCK_RESTRICT_SELF_ON_EXEC.
	 */
	struct landlock_ruleset *user;
	/**
	 * @bpf: Rulesets armed by BPF LSM programs for the execution in
	 * progress, in the order of the armings (allocated by the first one;
	 * the layout is private to exec.rs), or NULL.
	 */
	struct landlock_exec_bpf_layers *bpf;
};

/**
 * struct landlock_exec_flags - Flags of the armed rulesets
 *
 * Only exec.rs reads or writes this structure.  Its fields are bytes, so
 * that it fits in the padding after &struct landlock_cred_security.
 */
struct landlock_exec_flags {
	/**
	 * @user: The LANDLOCK_RESTRICT_SELF_* flags &landlock_exec_slots.user
	 * was armed with (logging flags only), or 0.
	 */
	u8 user;
	/**
	 * @bpf_error: The error of the first BPF arming that failed for the
	 * execution in progress (a positive errno), or 0.  It fails the
	 * execution: a ruleset a BPF program asked for is never dropped.
	 */
	u8 bpf_error;
	/**
	 * @prepared: Set by the bprm_creds_from_file hook once it has merged
	 * the armed rulesets into the domain of the execution's credentials,
	 * for the bprm_committing_creds hook; cleared by a later BPF arming
	 * (or failed arming), which the next run of that hook merges.
	 */
	u8 prepared;
};

/* The flags kept in &struct landlock_exec_flags fit in a byte. */
static_assert((LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF |
	       LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON |
	       LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF |
	       LANDLOCK_RESTRICT_SELF_NO_NEW_PRIVS) <= U8_MAX);

#ifdef CONFIG_SECURITY_LANDLOCK_ON_EXEC

/* Implemented in Rust (exec.rs). */

int landlock_exec_restrict_self(int ruleset_fd, u32 flags);

void landlock_exec_cred_transfer(struct cred *new, const struct cred *old);

void landlock_exec_cred_free(struct cred *cred);

int landlock_exec_copy_armed(struct cred *dst, const struct cred *src);

int landlock_exec_bprm_creds_from_file(struct linux_binprm *bprm,
				       const struct file *file);

void landlock_exec_bprm_committing_creds(const struct linux_binprm *bprm);

int landlock_exec_restrict_binprm(struct linux_binprm *bprm,
				  struct landlock_ruleset *ruleset, u32 flags);

/* Implemented in C (exec_helpers.c), for exec.rs. */

const struct landlock_cred_blob *landlock_exec_current_cred_blob(void);

void landlock_exec_current_kill(void);

struct landlock_ruleset *landlock_exec_get_ruleset_from_fd(int fd);

void landlock_exec_get_ruleset(struct landlock_ruleset *ruleset);

void landlock_exec_get_domain(struct landlock_domain *domain);

u32 landlock_exec_domain_num_layers(const struct landlock_domain *domain);

void landlock_exec_trace_enforce(const struct landlock_domain *domain,
				 bool armed_bpf, bool armed_user,
				 bool no_new_privs);

struct landlock_domain *
landlock_exec_merge(struct landlock_domain *parent,
		    struct landlock_ruleset *ruleset, u32 flags,
		    bool log_subdomains_off,
		    const struct landlock_details *details);

struct landlock_details *landlock_exec_details(const struct linux_binprm *bprm);

void landlock_exec_free_details(struct landlock_details *details);

bool landlock_exec_current_no_new_privs(void);

bool landlock_exec_current_sys_admin(void);

void landlock_exec_current_set_no_new_privs(void);

int landlock_exec_restrict_siblings(const struct cred *new_cred, u32 flags);

#else /* CONFIG_SECURITY_LANDLOCK_ON_EXEC */

/*
 * Without exec-time enforcement, the ABI version is the same and arming fails
 * as net rules do without CONFIG_INET: the flag is known, the feature is not
 * built.
 */
static inline int landlock_exec_restrict_self(const int ruleset_fd,
					      const u32 flags)
{
	return -EOPNOTSUPP;
}

static inline void landlock_exec_cred_transfer(struct cred *const new,
					       const struct cred *const old)
{
}

static inline void landlock_exec_cred_free(struct cred *const cred)
{
}

/*
 * Not called: only LANDLOCK_RESTRICT_SELF_ON_EXEC with TSYNC arms siblings,
 * and the flag fails first without exec-time enforcement.
 */
static inline int landlock_exec_copy_armed(struct cred *const dst,
					   const struct cred *const src)
{
	return -EINVAL;
}

#endif /* CONFIG_SECURITY_LANDLOCK_ON_EXEC */

#endif /* _SECURITY_LANDLOCK_EXEC_H */
