// SPDX-License-Identifier: GPL-2.0-only
/*
 * Landlock - Exec-time enforcement, C helpers
 *
 * Wrappers around the Landlock internals (inline functions, locking and
 * tracing) that exec.rs needs.  The exec-time logic itself is in exec.rs .
 */

#include <linux/bug.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <uapi/linux/landlock.h>

#include "cred.h"
#include "domain.h"
#include "exec.h"
#include "ruleset.h"
#include "tsync.h"

#include <trace/events/landlock.h>

/**
 * landlock_exec_current_cred_blob - Get Landlock's blob of current's credentials
 *
 * Return: The Landlock part of the security blob of current_cred(), which
 * stays valid until the current task commits new credentials.
 */
const struct landlock_cred_blob *landlock_exec_current_cred_blob(void)
{
	return landlock_cred_blob(current_cred());
}

/**
 * landlock_exec_current_kill - Kill the current task
 *
 * For an execution past its point of no return that must not run: the task
 * never returns to user space (as when an execution fails there).
 */
void landlock_exec_current_kill(void)
{
	force_fatal_sig(SIGKILL);
}

/**
 * landlock_exec_get_ruleset_from_fd - Get a ruleset to arm
 *
 * @fd: File descriptor of the calling thread.
 *
 * Return: An owned ruleset, or an ERR_PTR() as landlock_get_ruleset_from_fd().
 * The file descriptor must be readable, as for landlock_restrict_self(2).
 */
struct landlock_ruleset *landlock_exec_get_ruleset_from_fd(const int fd)
{
	return landlock_get_ruleset_from_fd(fd, FMODE_CAN_READ);
}

/**
 * landlock_exec_get_ruleset - Take a reference on a ruleset
 *
 * @ruleset: Ruleset on which the caller already holds a reference.
 */
void landlock_exec_get_ruleset(struct landlock_ruleset *const ruleset)
{
	landlock_get_ruleset(ruleset);
}

/**
 * landlock_exec_get_domain - Take a reference on a domain
 *
 * @domain: Domain on which the caller already holds a reference.
 */
void landlock_exec_get_domain(struct landlock_domain *const domain)
{
	landlock_get_domain(domain);
}

/**
 * landlock_exec_domain_num_layers - Get the number of layers of a domain
 *
 * @domain: Domain.
 *
 * Return: The number of layers of @domain.
 */
u32 landlock_exec_domain_num_layers(const struct landlock_domain *const domain)
{
	return domain->num_layers;
}

/**
 * landlock_exec_merge - Stack a ruleset on a domain
 *
 * @parent: Domain to stack on, or NULL.
 * @ruleset: Ruleset making the new layer.
 * @flags: The LANDLOCK_RESTRICT_SELF_* flags the ruleset was armed with; the
 *         logging ones configure the new layer.
 * @log_subdomains_off: Whether logging is disabled for new layers, as
 *                      &landlock_cred_security.log_subdomains_off .
 * @details: The executed program, from landlock_exec_details(), recorded as
 *           the creator of the new layer (for audit); NULL without logging.
 *
 * Does what landlock_restrict_self(2) does to build a new domain, as a step
 * that can fail: merges, records the executed program as the creator of the
 * new layer, emits the domain creation trace event, and configures the
 * logging of the new layer.  @ruleset must be frozen (armed
 * rulesets are): it is read without its lock, so that executions sharing a
 * ruleset do not contend.  Must be called from a context that can sleep.
 *
 * Return: The new domain, holding a reference, or ERR_PTR(-ENOMEM), or
 * ERR_PTR(-E2BIG) if @parent already has the maximum number of layers.
 */
struct landlock_domain *
landlock_exec_merge(struct landlock_domain *const parent,
		    struct landlock_ruleset *const ruleset, const u32 flags,
		    const bool log_subdomains_off,
		    const struct landlock_details *const details)
{
	struct landlock_domain *new_dom;
	bool __maybe_unused log_same_exec, log_new_exec;

	if (WARN_ON_ONCE(!ruleset->frozen))
		return ERR_PTR(-EINVAL);

	new_dom = landlock_merge_ruleset_exec(parent, ruleset, details);
	if (IS_ERR(new_dom))
		return new_dom;

	trace_landlock_create_domain(new_dom, ruleset);

#ifdef CONFIG_SECURITY_LANDLOCK_LOG
	log_same_exec = !(flags & LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF);
	log_new_exec = !!(flags & LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON);
	new_dom->hierarchy->log_same_exec = log_same_exec;
	new_dom->hierarchy->log_new_exec = log_new_exec;
	if ((!log_same_exec && !log_new_exec) || log_subdomains_off)
		new_dom->hierarchy->log_status = LANDLOCK_LOG_DISABLED;
	else
		new_dom->hierarchy->log_status = LANDLOCK_LOG_PENDING;
#endif /* CONFIG_SECURITY_LANDLOCK_LOG */

	return new_dom;
}

/**
 * landlock_exec_details - Describe the program an execution runs
 *
 * @bprm: Execution in progress, before its point of no return.
 *
 * Return: What landlock_exec_merge() records as the creator of each layer
 * of the execution, computed once for all of them (to free with
 * landlock_exec_free_details()); NULL without audit or trace logging, or
 * ERR_PTR(-ENOMEM).
 */
struct landlock_details *
landlock_exec_details(const struct linux_binprm *const bprm)
{
	return landlock_get_exec_details(bprm);
}

/**
 * landlock_exec_free_details - Free what landlock_exec_details() returned
 *
 * @details: Details, or NULL.
 */
void landlock_exec_free_details(struct landlock_details *const details)
{
	landlock_free_details(details);
}

/**
 * landlock_exec_trace_enforce - Emit the exec-time enforcement trace event
 *
 * @domain: Domain about to be committed by the current execution.
 * @armed_bpf: Whether a BPF program armed a layer of @domain.
 * @armed_user: Whether user space armed a layer of @domain.
 * @no_new_privs: The no_new_privs state of the task from this execution on.
 */
void landlock_exec_trace_enforce(const struct landlock_domain *const domain,
				 const bool armed_bpf, const bool armed_user,
				 const bool no_new_privs)
{
	trace_landlock_enforce_domain_exec(domain, armed_bpf, armed_user,
					   no_new_privs);
}

/**
 * landlock_exec_current_no_new_privs - Check no_new_privs of current
 *
 * Return: True if the current task runs with no_new_privs.
 */
bool landlock_exec_current_no_new_privs(void)
{
	return task_no_new_privs(current);
}

/**
 * landlock_exec_current_sys_admin - Check CAP_SYS_ADMIN of current
 *
 * Return: True if the current task has %CAP_SYS_ADMIN in its user namespace
 * (without audit, as landlock_restrict_self(2)).
 */
bool landlock_exec_current_sys_admin(void)
{
	return ns_capable_noaudit(current_user_ns(), CAP_SYS_ADMIN);
}

/**
 * landlock_exec_current_set_no_new_privs - Set no_new_privs on current
 */
void landlock_exec_current_set_no_new_privs(void)
{
	task_set_no_new_privs(current);
}

/**
 * landlock_exec_restrict_siblings - Arm a ruleset in every sibling thread
 *
 * @new_cred: Credentials prepared for the calling thread, not committed yet,
 *            whose user space slot holds the ruleset to arm (or is empty, to
 *            disarm).
 * @flags: The landlock_restrict_self(2) flags, with
 *         %LANDLOCK_RESTRICT_SELF_ON_EXEC and %LANDLOCK_RESTRICT_SELF_TSYNC.
 *
 * Gives every other thread of the calling process the user space slot of
 * @new_cred, all or nothing, with the thread synchronization of
 * %LANDLOCK_RESTRICT_SELF_TSYNC (and its no_new_privs propagation).  The
 * enforced domains do not change.
 *
 * Return: 0, or an error from landlock_restrict_sibling_threads() (then no
 * thread changed), e.g. -ENOMEM or -ERESTARTNOINTR.
 */
int landlock_exec_restrict_siblings(const struct cred *const new_cred,
				    const u32 flags)
{
	return landlock_restrict_sibling_threads(current_cred(), new_cred,
						 flags);
}
