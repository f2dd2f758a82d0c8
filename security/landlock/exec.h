/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Landlock - Exec-time enforcement
 *
 * A ruleset can be armed in a credential, to be merged into its domain and
 * enforced by the next execve(2), past its point of no return.  There are
 * two slots: one filled by landlock_restrict_self(2) with
 * %LANDLOCK_RESTRICT_SELF_ON_EXEC, one filled by a BPF LSM program for the
 * execution in progress.  At execution, the layers are stacked in a fixed
 * order: the existing domain, then the BPF slot, then the user space slot.
 *
 * The merge allocates and may fail: it is done by the bprm_creds_from_file
 * hook, which can still fail the execution cleanly.  The bprm_committing_creds
 * hook then installs the prepared domain and cannot fail.
 *
 * The logic is implemented in Rust (exec.rs); exec_helpers.c exposes the
 * Landlock internals it needs.  This header is also read by bindgen
 * (rust/bindings/bindings_helper.h), which lets #[export] check each Rust
 * definition against its C prototype.
 */

#ifndef _SECURITY_LANDLOCK_EXEC_H
#define _SECURITY_LANDLOCK_EXEC_H

#include <linux/errno.h>
#include <linux/types.h>

#include "limits.h"

struct cred;
struct file;
struct landlock_cred_blob;
struct landlock_domain;
struct landlock_ruleset;
struct linux_binprm;

/**
 * struct landlock_exec_slot - Ruleset armed for the next execution
 */
struct landlock_exec_slot {
	/**
	 * @ruleset: Armed ruleset, on which the slot holds a reference, or
	 * NULL if the slot is empty.
	 */
	struct landlock_ruleset *ruleset;
	/**
	 * @flags: The LANDLOCK_RESTRICT_SELF_* flags the ruleset was armed with.
	 */
	u32 flags;
};

/**
 * struct landlock_exec_pending - Exec-time enforcement state of a credential
 *
 * Only exec.rs reads or writes this structure.  The slots are inherited with
 * the credentials (with new references) and consumed by a successful
 * execution.  The other fields only exist in the credentials of an execution
 * in progress (&linux_binprm.cred), between bprm_creds_from_file and
 * bprm_committing_creds (or the release of these credentials if the
 * execution fails).
 */
struct landlock_exec_pending {
	/**
	 * @bpf: Slot filled by a BPF LSM program during the execution.
	 */
	struct landlock_exec_slot bpf;
	/**
	 * @user: Slot filled by landlock_restrict_self(2).
	 */
	struct landlock_exec_slot user;
	/**
	 * @prepared: Domain made of the existing domain and the armed rulesets,
	 * holding a reference, or NULL.
	 */
	struct landlock_domain *prepared;
	/**
	 * @prepared_log_subdomains_off: Value of
	 * &landlock_cred_security.log_subdomains_off to install with @prepared.
	 */
	bool prepared_log_subdomains_off;
};

#ifdef CONFIG_SECURITY_LANDLOCK_ON_EXEC

/* Implemented in Rust (exec.rs). */

int landlock_exec_restrict_self(int ruleset_fd, u32 flags);

void landlock_exec_cred_transfer(struct cred *new, const struct cred *old);

void landlock_exec_cred_free(struct cred *cred);

void landlock_exec_copy_armed(struct cred *dst, const struct cred *src);

int landlock_exec_bprm_creds_from_file(struct linux_binprm *bprm,
				       const struct file *file);

void landlock_exec_bprm_committing_creds(const struct linux_binprm *bprm);

int landlock_exec_restrict_binprm(struct linux_binprm *bprm,
				  struct landlock_ruleset *ruleset, u32 flags);

/* Implemented in C (exec_helpers.c), for exec.rs. */

struct landlock_cred_blob *landlock_exec_cred_blob(const struct cred *cred);

struct landlock_ruleset *landlock_exec_get_ruleset_from_fd(int fd);

void landlock_exec_get_ruleset(struct landlock_ruleset *ruleset);

void landlock_exec_get_domain(struct landlock_domain *domain);

u32 landlock_exec_domain_num_layers(const struct landlock_domain *domain);

struct landlock_domain *landlock_exec_merge(struct landlock_domain *parent,
					    struct landlock_ruleset *ruleset,
					    u32 flags, bool log_subdomains_off);

bool landlock_exec_current_no_new_privs(void);

bool landlock_exec_current_sys_admin(void);

void landlock_exec_current_set_no_new_privs(void);

int landlock_exec_restrict_siblings(const struct cred *new_cred, u32 flags);

#else /* CONFIG_SECURITY_LANDLOCK_ON_EXEC */

static inline int landlock_exec_restrict_self(const int ruleset_fd,
					      const u32 flags)
{
	return -EINVAL;
}

static inline void landlock_exec_cred_transfer(struct cred *const new,
					       const struct cred *const old)
{
}

static inline void landlock_exec_cred_free(struct cred *const cred)
{
}

static inline void landlock_exec_copy_armed(struct cred *const dst,
					    const struct cred *const src)
{
}

#endif /* CONFIG_SECURITY_LANDLOCK_ON_EXEC */

#endif /* _SECURITY_LANDLOCK_EXEC_H */
