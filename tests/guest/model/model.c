// SPDX-License-Identifier: GPL-2.0
/*
 * Reference model of Landlock exec-time enforcement: see model.h.
 *
 * Every rule below cites the documentation it comes from:
 *   [uapi]  include/uapi/linux/landlock.h, LANDLOCK_RESTRICT_SELF_ON_EXEC
 *           (and the older flags)
 *   [user]  Documentation/userspace-api/landlock.rst, "Sandboxing a program
 *           at its execution"
 *   [sec]   Documentation/security/landlock.rst, "Exec-time enforcement"
 * and where the documentation says nothing, the choice made is marked
 * AMBIGUOUS (also listed in README.md).
 */

#define _GNU_SOURCE /* strerrorname_np() */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

/*
 * The BPF policies (model_driver.c creates them): policy 0 handles reads,
 * allows them beneath a and b; policy 1 handles reads and writes, allows
 * reading a and writing c, and scopes signals.
 */
const rs_t bpf_policies[2] = {
	RS_READ | RS_ALLOW(0, RS_READ) | RS_ALLOW(1, RS_READ),
	RS_READ | RS_WRITE | RS_SCOPE_SIGNAL | RS_ALLOW(0, RS_READ) |
		RS_ALLOW(2, RS_WRITE),
};

bool model_check_top;
int model_mutant;

void model_init(struct mstate *s)
{
	int p, k;

	memset(s, 0, sizeof(*s));
	for (p = 0; p < MAX_PROCS; p++)
		for (k = 0; k < MAX_RS; k++)
			s->procs[p].rs[k] = -1;
}

int model_free_proc(const struct mstate *s)
{
	int p;

	for (p = 0; p < MAX_PROCS; p++)
		if (!s->procs[p].alive)
			return p;
	return -1;
}

int model_free_thread(const struct mstate *s, int p)
{
	int t;

	for (t = 0; t < MAX_THREADS; t++)
		if (!s->procs[p].threads[t].alive)
			return t;
	return -1;
}

/* A ruleset index that no file descriptor refers to. */
static int free_ruleset(const struct mstate *s, int except_p, int except_k)
{
	bool used[MAX_RULESETS] = {};
	int p, k, i;

	for (p = 0; p < MAX_PROCS; p++) {
		if (!s->procs[p].alive)
			continue;
		for (k = 0; k < MAX_RS; k++)
			if (s->procs[p].rs[k] >= 0 &&
			    !(p == except_p && k == except_k))
				used[s->procs[p].rs[k]] = true;
	}
	for (i = 0; i < MAX_RULESETS; i++)
		if (!used[i])
			return i;
	/* Cannot happen: MAX_PROCS * MAX_RS slots, as many rulesets. */
	abort();
}

/* Is access @acc (RS_READ or RS_WRITE) to dir @dir allowed by every layer? */
static bool layers_allow(const struct mthread *t, int dir, unsigned int acc)
{
	int i;

	for (i = 0; i < t->num_layers; i++)
		if ((t->layers[i] & acc) && !(RS_ALLOWED(t->layers[i], dir) & acc))
			return false;
	return true;
}

static bool layers_scope(const struct mthread *t, rs_t scope)
{
	int i;

	for (i = 0; i < t->num_layers; i++)
		if (t->layers[i] & scope)
			return true;
	return false;
}

static struct obs observe_thread(const struct mthread *t)
{
	struct obs o = {};
	int d;

	for (d = 0; d < NUM_DIRS; d++) {
		if (layers_allow(t, d, RS_READ))
			o.allowed |= OBS_READ(d);
		if (layers_allow(t, d, RS_WRITE))
			o.allowed |= OBS_WRITE(d);
	}
	/*
	 * The driver runs as root, unrestricted: a thread that left uid 0 may
	 * not signal it anyway (DAC); otherwise only a scope denies.
	 */
	if (t->uid0 && !layers_scope(t, RS_SCOPE_SIGNAL))
		o.allowed |= OBS_SIGNAL;
	if (!layers_scope(t, RS_SCOPE_ABSTRACT))
		o.allowed |= OBS_ABSTRACT;
	o.layers = t->num_layers;
	o.nnp = t->nnp;
	return o;
}

struct obs model_observe(const struct mstate *s, int p, int t)
{
	return observe_thread(&s->procs[p].threads[t]);
}

/* Flags that bpf_lsm_policy_apply_bprm() accepts [sec "Fail closed"]. */
static bool bpf_flags_valid(uint32_t flags)
{
	return !(flags & ~(F_LOG_ALL | F_NNP));
}

/*
 * An execution by thread @t of @path.  Returns 0 and the thread as the
 * executed program starts in @after, or the errno.
 */
static int model_exec(const struct mstate *s, const struct mthread *t,
		      int path, struct mthread *after)
{
	int bpf = 0, n, i;

	switch (path) {
	case PATH_MISSING:
		return ENOENT;
	case PATH_NOEXEC:
		return EACCES;
	case PATH_GARBAGE:
		return ENOEXEC;
	case PATH_LOOP:
		return ELOOP;
	case PATH_TARGET:
		bpf = s->bpf_count;
		break;
	}
	/*
	 * [sec "Fail closed"]: an arming that fails (bad flags, past 16
	 * layers) fails the execution with its error; the first error is
	 * kept: with bad flags, the first arming fails with EINVAL.
	 */
	if (bpf && !bpf_flags_valid(s->bpf_flags))
		return EINVAL;
	/*
	 * [uapi] [sec "Composition"]: existing domain, then the BPF layers in
	 * the order of the armings, then the user space layer; past 16 layers
	 * (the 17th BPF arming, or the merge) the execution fails with EPERM.
	 */
	n = t->num_layers + bpf + (t->slot.armed ? 1 : 0);
	if (n > MAX_LAYERS)
		return EPERM;
	*after = *t;
	if (model_mutant == MUTANT_MERGE_ORDER && t->slot.armed)
		after->layers[after->num_layers++] = t->slot.rs;
	for (i = 0; i < bpf; i++)
		after->layers[after->num_layers++] =
			bpf_policies[(s->bpf_pol >> i) & 1] | RS_FROM_BPF;
	if (model_mutant != MUTANT_MERGE_ORDER && t->slot.armed)
		after->layers[after->num_layers++] = t->slot.rs;
	/* [uapi] "consumed by the execution". */
	after->slot.armed = false;
	after->slot.rs = 0;
	after->slot.flags = 0;
	after->slot.src = 0;
	after->slot.ghost = 0;
	after->ghost_disarmed_by_sibling = false;
	/*
	 * [sec "Composition"]: no_new_privs is set at the point of no return if
	 * any BPF arming asked for it.
	 */
	if (bpf && (s->bpf_flags & F_NNP))
		after->nnp = true;
	/*
	 * Credentials: the binaries are not set-user-ID and have no file
	 * capabilities; a thread that lost CAP_SYS_ADMIN (from its bounding
	 * set too) does not get it back, one that is root keeps it.
	 */
	return 0;
}

/*
 * The kind of the top layer of an execution that added layers: the user
 * space layer is "stacked above" the BPF ones [uapi] [sec "Composition"].
 */
static uint8_t exec_top(const struct mthread *before,
			const struct mthread *after)
{
	if (after->num_layers == before->num_layers)
		return 0;
	return (after->layers[after->num_layers - 1] & RS_FROM_BPF) ? TOP_BPF :
								       TOP_USER;
}

/* The thread as the only one of process @p, all others gone. */
static void become_single(struct mproc *p, const struct mthread *t)
{
	int k;

	memset(p->threads, 0, sizeof(p->threads));
	p->threads[0] = *t;
	p->threads[0].alive = true;
	/* Ruleset file descriptors are close-on-exec. */
	for (k = 0; k < MAX_RS; k++)
		p->rs[k] = -1;
	p->alive = true;
}

static void fresh_thread(struct mthread *t)
{
	memset(t, 0, sizeof(*t));
	t->alive = true;
	t->admin = true;
	t->uid0 = true;
}

/* The sibling thread that the TSYNC mutants forget: the last one. */
static int skipped_sibling(const struct mproc *p, int caller)
{
	int i;

	for (i = MAX_THREADS - 1; i >= 0; i--)
		if (i != caller && p->threads[i].alive)
			return i;
	return -1;
}

/*
 * landlock_restrict_self(@op->rs, @op->flags) by thread @t of process @p.
 * Returns the set of errors that apply (0: success), and the state after
 * success in @out.
 */
static errset_t model_restrict(const struct mstate *s, const struct op *op,
			       struct mstate *out)
{
	const struct mproc *proc = &s->procs[op->proc];
	const struct mthread *t = &proc->threads[op->thread];
	const uint32_t flags = op->flags;
	const bool on_exec = flags & F_ON_EXEC;
	const bool tsync = flags & F_TSYNC;
	bool has_rs = false, priv;
	errset_t errs = 0;
	rs_t rs = 0;
	int i;

	if (op->rs >= 0) {
		has_rs = true;
		rs = s->rulesets[proc->rs[op->rs]];
	}
	if (flags & ~F_ALL_VALID)
		errs |= ERRSET(EINVAL);
	if (op->rs == RS_FD_BAD)
		errs |= ERRSET(EBADF);
	if (op->rs == RS_FD_MINUS1) {
		if (on_exec) {
			/*
			 * [uapi] "a call with a @ruleset_fd of -1 and only this
			 * flag (and optionally TSYNC) disarms it";
			 * on_exec_test invalid_flags: EINVAL otherwise.
			 */
			if (flags & ~(F_ON_EXEC | F_TSYNC))
				errs |= ERRSET(EINVAL);
		} else if ((flags & ~F_TSYNC) != F_LOG_SUBDOMAINS_OFF) {
			/* Upstream: -1 only with LOG_SUBDOMAINS_OFF. */
			errs |= ERRSET(EBADF) | ERRSET(EINVAL);
		}
	}
	/*
	 * [uapi] NO_NEW_PRIVS "requires a ruleset" (on_exec_test: EINVAL with
	 * -1), "removes the need for a prior prctl(2) PR_SET_NO_NEW_PRIVS
	 * call (or CAP_SYS_ADMIN use)"; [uapi] ON_EXEC: "Arming requires the
	 * same no_new_privs or CAP_SYS_ADMIN condition as an immediate
	 * enforcement" (disarming too: on_exec_test eperm_without_nnp_or_cap).
	 */
	priv = t->nnp || t->admin || (has_rs && (flags & F_NNP));
	if (!priv)
		errs |= ERRSET(EPERM);
	if (has_rs) {
		/*
		 * [uapi] ON_EXEC: E2BIG "if the calling thread (with TSYNC: any
		 * thread) already enforces the maximum number of stacked
		 * layers"; an immediate enforcement: the calling thread's
		 * domain grows (with TSYNC, it replaces the siblings' ones).
		 */
		if (t->num_layers >= MAX_LAYERS)
			errs |= ERRSET(E2BIG);
		if (on_exec && tsync)
			for (i = 0; i < MAX_THREADS; i++)
				if (proc->threads[i].alive &&
				    proc->threads[i].num_layers >= MAX_LAYERS)
					errs |= ERRSET(E2BIG);
	}
	if (errs)
		return errs;

	*out = *s;
	{
		struct mproc *np = &out->procs[op->proc];
		struct mthread *nt = &np->threads[op->thread];
		rs_t new_layers[MAX_LAYERS];
		uint8_t new_num = 0;

		if (has_rs && (flags & F_NNP))
			nt->nnp = true;
		if (has_rs && !on_exec) {
			memcpy(new_layers, t->layers, sizeof(new_layers));
			new_num = t->num_layers;
			new_layers[new_num++] = rs;
		}
		for (i = 0; i < MAX_THREADS; i++) {
			struct mthread *th = &np->threads[i];

			if (!th->alive || (i != op->thread && !tsync))
				continue;
			if (on_exec && i == skipped_sibling(proc, op->thread) &&
			    ((has_rs && model_mutant == MUTANT_TSYNC_SIBLING) ||
			     (!has_rs &&
			      model_mutant == MUTANT_DISARM_LEAVES_ONE))) {
				/* Mutants: the slot is left as it was. */
			} else if (on_exec) {
				/* Arms (a frozen copy) or disarms. */
				th->slot.armed = has_rs;
				th->slot.rs = has_rs ? rs : 0;
				th->slot.flags = has_rs ? flags : 0;
				th->slot.src = has_rs ? proc->rs[op->rs] : 0;
				th->slot.ghost = has_rs && i != op->thread ?
							 GHOST_ARMED_BY_SIBLING :
							 0;
				th->ghost_disarmed_by_sibling =
					!has_rs && i != op->thread;
			} else if (has_rs) {
				/*
				 * [uapi] TSYNC "overrides the Landlock
				 * configuration of sibling threads".
				 * AMBIGUOUS: whether an immediate TSYNC also
				 * replaces the siblings' armed slots; the
				 * slots are beside the Landlock credential
				 * blob [sec], modelled as kept.
				 */
				memcpy(th->layers, new_layers,
				       sizeof(new_layers));
				th->num_layers = new_num;
			}
			/*
			 * [uapi] TSYNC: "If the calling thread is running with
			 * no_new_privs, this operation enables no_new_privs on
			 * the sibling threads as well" (ON_EXEC: "disarming
			 * included").
			 */
			if (tsync && nt->nnp)
				th->nnp = true;
		}
	}
	return 0;
}

/* MUTANT_RULE_AFTER_ARM: the slots armed from ruleset @i see its rules. */
static void mutant_update_slots(struct mstate *s, int i)
{
	int p, t;

	for (p = 0; p < MAX_PROCS; p++)
		for (t = 0; t < MAX_THREADS; t++) {
			struct slot *sl = &s->procs[p].threads[t].slot;

			if (s->procs[p].threads[t].alive && sl->armed &&
			    sl->src == i)
				sl->rs = s->rulesets[i];
		}
}

static bool thread_exists(const struct mstate *s, int p, int t)
{
	return p < MAX_PROCS && t < MAX_THREADS && s->procs[p].alive &&
	       s->procs[p].threads[t].alive;
}

void model_step(const struct mstate *s, const struct op *op,
		struct mstate *out, struct expect *exp)
{
	const struct mproc *proc = op->proc < MAX_PROCS ? &s->procs[op->proc] :
							  NULL;
	const struct mthread *t = NULL;
	struct mthread after;
	int q, u, err, i;

	memset(exp, 0, sizeof(*exp));
	exp->new_proc = -1;
	exp->new_thread = -1;
	*out = *s;

	/* Operations that do not run on a thread. */
	switch (op->type) {
	case OP_NEW_PROC:
		/* In the slot it names, if free (for faithful replays). */
		q = op->proc < MAX_PROCS && !s->procs[op->proc].alive ?
			    op->proc : -1;
		if (q < 0)
			goto skip;
		memset(&out->procs[q], 0, sizeof(out->procs[q]));
		for (i = 0; i < MAX_RS; i++)
			out->procs[q].rs[i] = -1;
		out->procs[q].alive = true;
		fresh_thread(&out->procs[q].threads[0]);
		exp->errs = 1;
		exp->has_obs = true;
		exp->obs = model_observe(out, q, 0);
		exp->new_proc = q;
		return;
	case OP_BPF_CONF:
		out->bpf_count = op->count;
		out->bpf_pol = op->bpf_pol;
		out->bpf_flags = op->flags;
		exp->errs = 1;
		return;
	case OP_EXIT_PROC:
		if (!proc || !proc->alive)
			goto skip;
		memset(&out->procs[op->proc], 0, sizeof(struct mproc));
		for (i = 0; i < MAX_RS; i++)
			out->procs[op->proc].rs[i] = -1;
		exp->errs = 1;
		return;
	}

	if (!thread_exists(s, op->proc, op->thread))
		goto skip;
	t = &proc->threads[op->thread];
	exp->errs = 1;

	switch (op->type) {
	case OP_RS_CREATE:
		if (op->rs < 0 || op->rs >= MAX_RS)
			goto skip;
		i = free_ruleset(s, op->proc, op->rs);
		out->rulesets[i] = op->rs_value & (RS_READ | RS_WRITE |
						   RS_SCOPE_SIGNAL |
						   RS_SCOPE_ABSTRACT);
		out->procs[op->proc].rs[op->rs] = i;
		return;
	case OP_RS_ADD:
		if (op->rs < 0 || op->rs >= MAX_RS || proc->rs[op->rs] < 0)
			goto skip;
		i = proc->rs[op->rs];
		/*
		 * Upstream: the access must be handled by the ruleset
		 * (EINVAL).  The rule is added to the ruleset, which every
		 * process that inherited the descriptor shares [user]; armed
		 * slots hold frozen copies and do not see it [uapi].
		 */
		if (!op->rs_value || (op->rs_value & ~s->rulesets[i] &
				      (RS_READ | RS_WRITE))) {
			exp->errs = ERRSET(EINVAL);
			return;
		}
		out->rulesets[i] |= RS_ALLOW(op->dir, op->rs_value);
		if (model_mutant == MUTANT_RULE_AFTER_ARM)
			mutant_update_slots(out, i);
		return;
	case OP_RS_CLOSE:
		if (op->rs < 0 || op->rs >= MAX_RS || proc->rs[op->rs] < 0)
			goto skip;
		out->procs[op->proc].rs[op->rs] = -1;
		return;
	case OP_RESTRICT:
		if (op->rs >= MAX_RS ||
		    (op->rs >= 0 && proc->rs[op->rs] < 0))
			goto skip;
		exp->errs = model_restrict(s, op, out);
		if (!exp->errs)
			exp->errs = 1;
		return;
	case OP_SET_NNP:
		out->procs[op->proc].threads[op->thread].nnp = true;
		return;
	case OP_SETUID:
		out->procs[op->proc].threads[op->thread].uid0 = false;
		out->procs[op->proc].threads[op->thread].admin = false;
		return;
	case OP_DROP_ADMIN:
		out->procs[op->proc].threads[op->thread].admin = false;
		return;
	case OP_FORK:
		q = model_free_proc(s);
		if (q < 0)
			goto skip;
		/*
		 * [uapi] "inherited by children created with fork(2)": the
		 * child has the forking thread's credentials, its
		 * no_new_privs and the whole file descriptor table.
		 */
		out->procs[q] = *proc;
		memset(out->procs[q].threads, 0, sizeof(proc->threads));
		out->procs[q].threads[0] = *t;
		exp->new_proc = q;
		return;
	case OP_SPAWN:
		q = model_free_proc(s);
		if (q < 0)
			goto skip;
		/* A child with the thread's credentials, which executes. */
		err = model_exec(s, t, op->path, &after);
		if (err) {
			exp->errs = ERRSET(err);
			return;
		}
		become_single(&out->procs[q], &after);
		exp->has_obs = true;
		exp->obs = observe_thread(&after);
		exp->obs.top = exec_top(t, &after);
		exp->new_proc = q;
		return;
	case OP_THREAD:
		u = model_free_thread(s, op->proc);
		if (u < 0)
			goto skip;
		/* A new thread shares the creating thread's credentials. */
		out->procs[op->proc].threads[u] = *t;
		exp->new_thread = u;
		return;
	case OP_THREAD_EXIT:
		if (op->thread == 0)
			goto skip;
		memset(&out->procs[op->proc].threads[op->thread], 0,
		       sizeof(struct mthread));
		return;
	case OP_EXEC:
		/*
		 * [user] "if another thread calls execve(2)" the process
		 * executes with that thread's credentials: the execution
		 * replaces every thread.  A failure changes nothing ("the
		 * ruleset still armed").
		 */
		err = model_exec(s, t, op->path, &after);
		if (err) {
			exp->errs = ERRSET(err);
			/* Ghost state only (a failure changes nothing). */
			if (t->slot.armed) {
				out->procs[op->proc].threads[op->thread]
					.slot.ghost |= GHOST_FAILED_EXEC |
						       (err == EPERM ||
							err == EINVAL ?
							GHOST_FAILED_LATE : 0);
				exp->failure_changes = true;
			}
			if (model_mutant == MUTANT_FAILED_EXEC_CONSUMES) {
				out->procs[op->proc].threads[op->thread]
					.slot.armed = false;
				exp->failure_changes = true;
			}
			return;
		}
		become_single(&out->procs[op->proc], &after);
		exp->has_obs = true;
		exp->obs = observe_thread(&after);
		exp->obs.top = exec_top(t, &after);
		return;
	case OP_OBSERVE:
		exp->has_obs = true;
		exp->obs = observe_thread(t);
		return;
	}
skip:
	*out = *s;
	memset(exp, 0, sizeof(*exp));
	exp->skipped = true;
	exp->new_proc = -1;
	exp->new_thread = -1;
}

const char *const coverage_names[NUM_COVERAGE] = {
	[COV_TSYNC_ARMED_SIBLING] = "tsync_armed_sibling_exec",
	[COV_TSYNC_DISARMED_SIBLING] = "tsync_disarmed_sibling_exec",
	[COV_FAILED_THEN_EXEC] = "failed_exec_then_exec",
	[COV_LATE_FAILED_THEN_EXEC] = "late_failed_exec_then_exec",
	[COV_RULE_AFTER_ARM] = "rule_after_arm_exec",
	[COV_BPF_AND_USER] = "bpf_and_user_exec",
};

unsigned int model_coverage(const struct mstate *s, const struct op *op)
{
	const struct mthread *t;
	unsigned int cov = 0;

	if ((op->type != OP_EXEC && op->type != OP_SPAWN) ||
	    !thread_exists(s, op->proc, op->thread))
		return 0;
	t = &s->procs[op->proc].threads[op->thread];
	if (t->ghost_disarmed_by_sibling)
		cov |= 1u << COV_TSYNC_DISARMED_SIBLING;
	if (!t->slot.armed)
		return cov;
	if (t->slot.ghost & GHOST_ARMED_BY_SIBLING)
		cov |= 1u << COV_TSYNC_ARMED_SIBLING;
	if (t->slot.ghost & GHOST_FAILED_EXEC)
		cov |= 1u << COV_FAILED_THEN_EXEC;
	if (t->slot.ghost & GHOST_FAILED_LATE)
		cov |= 1u << COV_LATE_FAILED_THEN_EXEC;
	if (s->rulesets[t->slot.src] != t->slot.rs)
		cov |= 1u << COV_RULE_AFTER_ARM;
	if (op->path == PATH_TARGET && s->bpf_count)
		cov |= 1u << COV_BPF_AND_USER;
	return cov;
}

bool model_accepts(const struct expect *exp, const struct result *res)
{
	if (exp->skipped)
		return true;
	if (res->err < 0 || res->err >= 64 || !(exp->errs & ERRSET(res->err)))
		return false;
	if (res->err == 0 && exp->has_obs) {
		struct obs e = exp->obs;

		if (!model_check_top)
			e.top = res->obs.top;
		return res->has_obs && !memcmp(&e, &res->obs, sizeof(e));
	}
	return true;
}

/* Text forms. */

static const char *const op_names[NUM_OPS] = {
	[OP_NONE] = "none",
	[OP_NEW_PROC] = "new",
	[OP_EXIT_PROC] = "exit",
	[OP_RS_CREATE] = "create",
	[OP_RS_ADD] = "add",
	[OP_RS_CLOSE] = "close",
	[OP_RESTRICT] = "restrict",
	[OP_SET_NNP] = "nnp",
	[OP_SETUID] = "setuid",
	[OP_DROP_ADMIN] = "dropadmin",
	[OP_FORK] = "fork",
	[OP_SPAWN] = "spawn",
	[OP_THREAD] = "thread",
	[OP_THREAD_EXIT] = "texit",
	[OP_EXEC] = "exec",
	[OP_OBSERVE] = "observe",
	[OP_BPF_CONF] = "bpf",
};

static const char *const path_names[NUM_PATHS] = {
	[PATH_WORKER] = "worker", [PATH_TARGET] = "target",
	[PATH_MISSING] = "missing", [PATH_NOEXEC] = "noexec",
	[PATH_GARBAGE] = "garbage", [PATH_LOOP] = "loop",
};

static const char *const flag_names[] = {
	"SAME_EXEC_OFF", "NEW_EXEC_ON", "SUBDOMAINS_OFF", "TSYNC",
	"NNP", "ON_EXEC", "UNKNOWN",
};

static int flags_format(uint32_t flags, char *buf, int size)
{
	int n = 0;
	unsigned int i;

	if (!flags)
		return snprintf(buf, size, "0");
	buf[0] = '\0';
	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (flags & (1u << i))
			n += snprintf(buf + n, size > n ? size - n : 0, "%s%s",
				      n ? "|" : "", flag_names[i]);
	return n;
}

static uint32_t flags_parse(const char *s)
{
	uint32_t flags = 0;
	unsigned int i;
	char tmp[256], *tok, *save;

	snprintf(tmp, sizeof(tmp), "%s", s);
	for (tok = strtok_r(tmp, "|", &save); tok;
	     tok = strtok_r(NULL, "|", &save))
		for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
			if (!strcmp(tok, flag_names[i]))
				flags |= 1u << i;
	return flags;
}

/* rs value: "h=" handled (r, w, -), "s=" scopes (s, a, -), "a=" allowed. */
static int acc_format(unsigned int acc, char *buf)
{
	int n = 0;

	if (acc & RS_READ)
		buf[n++] = 'r';
	if (acc & RS_WRITE)
		buf[n++] = 'w';
	if (!n)
		buf[n++] = '-';
	buf[n] = '\0';
	return n;
}

static unsigned int acc_parse(const char *s)
{
	return (strchr(s, 'r') ? RS_READ : 0) | (strchr(s, 'w') ? RS_WRITE : 0);
}

static int rs_format(rs_t rs, char *buf, int size)
{
	char h[4], a[3][4];
	int d;

	acc_format(rs & 3, h);
	for (d = 0; d < NUM_DIRS; d++)
		acc_format(RS_ALLOWED(rs, d), a[d]);
	return snprintf(buf, size, "h=%s s=%s%s%s a=%s,%s,%s", h,
			(rs & RS_SCOPE_SIGNAL) ? "s" : "",
			(rs & RS_SCOPE_ABSTRACT) ? "a" : "",
			(rs & (RS_SCOPE_SIGNAL | RS_SCOPE_ABSTRACT)) ? "" : "-",
			a[0], a[1], a[2]);
}

int op_format(const struct op *op, char *buf, int size)
{
	char f[128], v[64], a[4];
	int n;

	n = snprintf(buf, size, "%s", op->type < NUM_OPS ? op_names[op->type] :
							    "?");
	switch (op->type) {
	case OP_NEW_PROC:
	case OP_EXIT_PROC:
		n += snprintf(buf + n, size - n, " p%d", op->proc);
		break;
	case OP_BPF_CONF:
		flags_format(op->flags, f, sizeof(f));
		n += snprintf(buf + n, size - n, " n=%d pol=%#x f=%s",
			      op->count, op->bpf_pol, f);
		break;
	default:
		n += snprintf(buf + n, size - n, " p%d.%d", op->proc,
			      op->thread);
	}
	switch (op->type) {
	case OP_RS_CREATE:
		rs_format(op->rs_value & 0xf, v, sizeof(v));
		/* Only handled accesses and scopes. */
		*strstr(v, " a=") = '\0';
		n += snprintf(buf + n, size - n, " rs=%d %s", op->rs, v);
		break;
	case OP_RS_ADD:
		acc_format(op->rs_value, a);
		n += snprintf(buf + n, size - n, " rs=%d d=%c acc=%s", op->rs,
			      'a' + op->dir, a);
		break;
	case OP_RS_CLOSE:
		n += snprintf(buf + n, size - n, " rs=%d", op->rs);
		break;
	case OP_RESTRICT:
		flags_format(op->flags, f, sizeof(f));
		n += snprintf(buf + n, size - n, " rs=%d f=%s", op->rs, f);
		break;
	case OP_SPAWN:
	case OP_EXEC:
		n += snprintf(buf + n, size - n, " path=%s",
			      op->path < NUM_PATHS ? path_names[op->path] :
						     "?");
		break;
	}
	if (op->concurrent)
		n += snprintf(buf + n, size - n, " &");
	return n;
}

int op_parse(const char *text, struct op *op)
{
	char tmp[512], *tok, *save;
	unsigned int i;
	int p, t;

	memset(op, 0, sizeof(*op));
	snprintf(tmp, sizeof(tmp), "%s", text);
	tok = strtok_r(tmp, " \t", &save);
	if (!tok)
		return -1;
	for (i = 0; i < NUM_OPS; i++)
		if (op_names[i] && !strcmp(tok, op_names[i]))
			break;
	if (i == NUM_OPS || i == OP_NONE)
		return -1;
	op->type = i;
	while ((tok = strtok_r(NULL, " \t", &save))) {
		if (!strcmp(tok, "&")) {
			op->concurrent = 1;
		} else if (sscanf(tok, "p%d.%d", &p, &t) == 2) {
			op->proc = p;
			op->thread = t;
		} else if (sscanf(tok, "p%d", &p) == 1) {
			op->proc = p;
		} else if (!strncmp(tok, "rs=", 3)) {
			op->rs = atoi(tok + 3);
		} else if (!strncmp(tok, "h=", 2)) {
			op->rs_value |= acc_parse(tok + 2);
		} else if (!strncmp(tok, "s=", 2)) {
			if (strchr(tok + 2, 's'))
				op->rs_value |= RS_SCOPE_SIGNAL;
			if (strchr(tok + 2, 'a'))
				op->rs_value |= RS_SCOPE_ABSTRACT;
		} else if (!strncmp(tok, "d=", 2)) {
			op->dir = tok[2] - 'a';
			if (op->dir >= NUM_DIRS)
				return -1;
		} else if (!strncmp(tok, "acc=", 4)) {
			op->rs_value = acc_parse(tok + 4);
		} else if (!strncmp(tok, "f=", 2)) {
			op->flags = flags_parse(tok + 2);
		} else if (!strncmp(tok, "n=", 2)) {
			op->count = atoi(tok + 2);
		} else if (!strncmp(tok, "pol=", 4)) {
			op->bpf_pol = strtoul(tok + 4, NULL, 0);
		} else if (!strncmp(tok, "path=", 5)) {
			for (i = 0; i < NUM_PATHS; i++)
				if (!strcmp(tok + 5, path_names[i]))
					break;
			if (i == NUM_PATHS)
				return -1;
			op->path = i;
		} else {
			return -1;
		}
	}
	if (op->proc >= MAX_PROCS || op->thread >= MAX_THREADS ||
	    op->count > MAX_BPF_ARMINGS)
		return -1;
	return 0;
}

const char *errno_str(int err)
{
	const char *name;

	if (!err)
		return "ok";
	name = strerrorname_np(err);
	return name ? name : "unknown-errno";
}

static int obs_format(const struct obs *o, char *buf, int size)
{
	static const char names[8] = { 'a', 'b', 'c', 'A', 'B', 'C', 's', 'u' };
	char acc[9];
	int i;

	/* Read a, b, c (lower case), write A, B, C, signal, unix. */
	for (i = 0; i < 8; i++)
		acc[i] = (o->allowed & (1u << i)) ? names[i] : '-';
	acc[8] = '\0';
	return snprintf(buf, size, "[%s layers=%d nnp=%d%s]", acc, o->layers,
			o->nnp, o->top == TOP_USER ? " top=user" :
				o->top == TOP_BPF ? " top=bpf" : "");
}

int expect_format(const struct expect *exp, char *buf, int size)
{
	int n = 0, e;

	if (exp->skipped)
		return snprintf(buf, size, "(skipped)");
	for (e = 0; e < 64; e++)
		if (exp->errs & ERRSET(e))
			n += snprintf(buf + n, size - n, "%s%s", n ? "|" : "",
				      errno_str(e));
	if ((exp->errs & 1) && exp->has_obs)
		n += obs_format(&exp->obs, buf + n, size - n);
	return n;
}

int result_format(const struct result *res, char *buf, int size)
{
	int n = snprintf(buf, size, "%s", errno_str(res->err));

	if (res->has_obs)
		n += obs_format(&res->obs, buf + n, size - n);
	return n;
}

/* Generator. */

uint64_t rng_next(struct rng *r)
{
	/* splitmix64 */
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned int rnd(struct rng *r, unsigned int n)
{
	return n ? rng_next(r) % n : 0;
}

static bool chance(struct rng *r, unsigned int percent)
{
	return rnd(r, 100) < percent;
}

static int pick_rs(struct rng *r, const struct mproc *p)
{
	int slots[MAX_RS], n = 0, k;

	for (k = 0; k < MAX_RS; k++)
		if (p->rs[k] >= 0)
			slots[n++] = k;
	return n ? slots[rnd(r, n)] : -1;
}

static uint32_t gen_log_flags(struct rng *r)
{
	uint32_t flags = 0;

	if (chance(r, 15))
		flags |= F_LOG_SAME_EXEC_OFF;
	if (chance(r, 15))
		flags |= F_LOG_NEW_EXEC_ON;
	if (chance(r, 15))
		flags |= F_LOG_SUBDOMAINS_OFF;
	return flags;
}

static int gen_path(struct rng *r)
{
	const unsigned int x = rnd(r, 100);

	if (x < 40)
		return PATH_WORKER;
	if (x < 70)
		return PATH_TARGET;
	return PATH_MISSING + rnd(r, 4);
}

/*
 * The access of a rule for ruleset slot @k: mostly a subset of what it
 * handles (else EINVAL).
 */
static rs_t gen_rule_access(struct rng *r, const struct mstate *s,
			    const struct mproc *p, int k)
{
	const rs_t handled = k >= 0 && p->rs[k] >= 0 ?
				     s->rulesets[p->rs[k]] & (RS_READ | RS_WRITE) :
				     0;
	rs_t acc;

	if (!handled || chance(r, 5))
		return 1 + rnd(r, 3);
	do
		acc = 1 + rnd(r, 3);
	while (acc & ~handled);
	return acc;
}

/*
 * @a: a TSYNC call (arming, disarming or immediate enforcement), @b: an
 * operation of another thread that creates or ends a task.  Only one
 * operation of a pair changes the set of tasks, so that the new process or
 * thread gets the same index in either order.
 */
static void gen_tsync_against_structural(struct rng *r, const struct mproc *p,
					 struct op *a, struct op *b)
{
	const int rs = pick_rs(r, p);
	const unsigned int x = rnd(r, 100);

	a->type = OP_RESTRICT;
	a->rs = rs >= 0 && chance(r, 80) ? rs : RS_FD_MINUS1;
	a->flags = F_TSYNC | F_ON_EXEC;
	if (a->rs >= 0 && chance(r, 25))
		a->flags = F_TSYNC;
	b->type = x < 40 ? OP_FORK : x < 60 ? OP_SPAWN :
		  x < 85 ? OP_THREAD : OP_THREAD_EXIT;
	if (b->type == OP_SPAWN)
		b->path = chance(r, 70) ? PATH_WORKER : PATH_TARGET;
}

/* An operation that may run concurrently with another thread's. */
static void gen_concurrent_kind(struct rng *r, const struct mstate *s,
				const struct mproc *p, struct op *op)
{
	const unsigned int x = rnd(r, 100);
	const int rs = pick_rs(r, p);

	if (rs >= 0 && x < 55) {
		op->type = OP_RESTRICT;
		op->rs = chance(r, 15) ? RS_FD_MINUS1 : rs;
		op->flags = F_ON_EXEC;
		if (chance(r, 50))
			op->flags |= F_TSYNC;
		if (op->rs >= 0 && chance(r, 30))
			op->flags |= F_NNP;
		if (op->rs >= 0 && chance(r, 15))
			op->flags = chance(r, 50) ? 0 : F_TSYNC;
	} else if (rs >= 0 && x < 80) {
		op->type = OP_RS_ADD;
		op->rs = rs;
		op->dir = rnd(r, NUM_DIRS);
		op->rs_value = gen_rule_access(r, s, p, rs);
	} else if (x < 90) {
		op->type = OP_SET_NNP;
	} else if (x < 95) {
		op->type = OP_DROP_ADMIN;
	} else {
		op->type = OP_SETUID;
	}
}

int gen_ops(struct rng *r, const struct mstate *s, struct op ops[2])
{
	int procs[MAX_PROCS], threads[MAX_THREADS], np = 0, nt = 0, i;
	const struct mproc *p;
	struct op *op = &ops[0];
	bool need_rs = false;
	unsigned int x;

	memset(ops, 0, 2 * sizeof(*ops));
	for (i = 0; i < MAX_PROCS; i++)
		if (s->procs[i].alive)
			procs[np++] = i;
	if (!np || (np < 2 && chance(r, 20))) {
		op->type = OP_NEW_PROC;
		op->proc = model_free_proc(s);
		return 1;
	}
	op->proc = procs[rnd(r, np)];
	p = &s->procs[op->proc];
	for (i = 0; i < MAX_THREADS; i++)
		if (p->threads[i].alive)
			threads[nt++] = i;
	op->thread = threads[rnd(r, nt)];

	/*
	 * Layers only accumulate: a thread near the limit makes its process
	 * likely to go, so that fresh ones come.
	 */
	if (p->threads[op->thread].num_layers >= 12 && chance(r, 15)) {
		op->type = OP_EXIT_PROC;
		return 1;
	}

	/*
	 * A thread in one of the situations of enum coverage: execute, so
	 * that it shows (the exec by this thread, or by a child it spawns).
	 */
	{
		const struct mthread *th = &p->threads[op->thread];
		bool follow = th->ghost_disarmed_by_sibling;

		if (th->slot.armed &&
		    ((th->slot.ghost & (GHOST_ARMED_BY_SIBLING |
					GHOST_FAILED_EXEC)) ||
		     s->rulesets[th->slot.src] != th->slot.rs))
			follow = true;
		if (follow && chance(r, th->slot.ghost & GHOST_FAILED_LATE ?
					     60 : 30)) {
			op->type = chance(r, 50) ? OP_EXEC : OP_SPAWN;
			op->path = chance(r, 70) ? PATH_WORKER : PATH_TARGET;
			return 1;
		}
	}

	/* Two threads of a process, released together. */
	if (nt >= 2 && chance(r, 15)) {
		int other = threads[rnd(r, nt - 1)];

		if (other == op->thread)
			other = threads[nt - 1];
		gen_concurrent_kind(r, s, p, &ops[0]);
		ops[1].proc = op->proc;
		ops[1].thread = other;
		gen_concurrent_kind(r, s, p, &ops[1]);
		/*
		 * A TSYNC call against a sibling that forks, spawns, creates
		 * a thread or exits: the sibling's credentials are copied (or
		 * dropped) while the TSYNC call commits new ones on every
		 * thread (the interleaving of the KCSAN commit_creds /
		 * prepare_creds report, with a third thread receiving them).
		 */
		if (chance(r, 30))
			gen_tsync_against_structural(r, p, &ops[0], &ops[1]);
		ops[0].concurrent = 1;
		return 2;
	}

	x = rnd(r, 100);
	if (x < 8) {
		op->type = OP_RS_CREATE;
		op->rs = rnd(r, MAX_RS);
		op->rs_value = chance(r, 85) ? 1 + rnd(r, 3) : 0;
		if (chance(r, 20))
			op->rs_value |= RS_SCOPE_SIGNAL;
		if (chance(r, 20))
			op->rs_value |= RS_SCOPE_ABSTRACT;
		if (!op->rs_value)
			op->rs_value = RS_SCOPE_ABSTRACT;
	} else if (x < 18) {
		op->type = OP_RS_ADD;
		op->rs = pick_rs(r, p);
		need_rs = true;
		op->dir = rnd(r, NUM_DIRS);
		op->rs_value = gen_rule_access(r, s, p, op->rs);
	} else if (x < 20) {
		op->type = OP_RS_CLOSE;
		op->rs = pick_rs(r, p);
		need_rs = true;
	} else if (x < 40) {
		/* Arming. */
		op->type = OP_RESTRICT;
		op->rs = pick_rs(r, p);
		need_rs = true;
		op->flags = F_ON_EXEC | gen_log_flags(r);
		if (chance(r, 40))
			op->flags |= F_TSYNC;
		if (chance(r, 40))
			op->flags |= F_NNP;
	} else if (x < 46) {
		/* Disarming. */
		op->type = OP_RESTRICT;
		op->rs = RS_FD_MINUS1;
		op->flags = F_ON_EXEC;
		if (chance(r, nt > 1 ? 80 : 30))
			op->flags |= F_TSYNC;
	} else if (x < 50) {
		/* Immediate enforcement (fewer: layers only accumulate). */
		op->type = OP_RESTRICT;
		op->rs = pick_rs(r, p);
		need_rs = true;
		op->flags = gen_log_flags(r);
		if (chance(r, 30))
			op->flags |= F_TSYNC;
		if (chance(r, 40))
			op->flags |= F_NNP;
	} else if (x < 52) {
		/* Invalid calls. */
		op->type = OP_RESTRICT;
		op->rs = chance(r, 50) ? RS_FD_BAD : RS_FD_MINUS1;
		op->flags = F_ON_EXEC;
		switch (rnd(r, 4)) {
		case 0:
			op->flags |= F_NNP;
			break;
		case 1:
			op->flags |= F_UNKNOWN;
			break;
		case 2:
			op->flags |= F_LOG_SUBDOMAINS_OFF;
			break;
		default:
			op->flags = F_LOG_SUBDOMAINS_OFF;
			break;
		}
	} else if (x < 56) {
		op->type = OP_SET_NNP;
	} else if (x < 57) {
		op->type = OP_SETUID;
	} else if (x < 58) {
		op->type = OP_DROP_ADMIN;
	} else if (x < 62) {
		op->type = OP_FORK;
	} else if (x < 69) {
		op->type = OP_SPAWN;
		op->path = gen_path(r);
	} else if (x < 76) {
		op->type = OP_THREAD;
	} else if (x < 78) {
		op->type = OP_THREAD_EXIT;
	} else if (x < 87) {
		op->type = OP_EXEC;
		op->path = gen_path(r);
	} else if (x < 92) {
		op->type = OP_OBSERVE;
	} else if (x < 94) {
		op->type = OP_BPF_CONF;
		x = rnd(r, 100);
		op->count = x < 35 ? 0 : x < 65 ? 1 : x < 85 ? 2 :
			    x < 90 ? 3 + rnd(r, 2) : 15 + rnd(r, 3);
		op->bpf_pol = rng_next(r) & ((1u << MAX_BPF_ARMINGS) - 1);
		x = rnd(r, 100);
		op->flags = x < 45 ? 0 : x < 70 ? F_NNP : x < 80 ?
			    F_LOG_SAME_EXEC_OFF : F_ON_EXEC;
	} else if (x < 97) {
		op->type = OP_EXIT_PROC;
	} else {
		if (model_free_proc(s) >= 0) {
			op->type = OP_NEW_PROC;
			op->proc = model_free_proc(s);
		} else {
			op->type = OP_OBSERVE;
		}
	}
	/* Ruleset operations without a ruleset: create one instead. */
	if (need_rs && op->rs < 0) {
		op->type = OP_RS_CREATE;
		op->rs = rnd(r, MAX_RS);
		op->rs_value = 1 + rnd(r, 3);
		op->flags = 0;
	}
	return 1;
}
