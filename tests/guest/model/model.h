/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reference model of Landlock exec-time enforcement (ABI 12), written from
 * Documentation/userspace-api/landlock.rst ("Sandboxing a program at its
 * execution"), Documentation/security/landlock.rst ("Exec-time enforcement")
 * and the UAPI header (LANDLOCK_RESTRICT_SELF_ON_EXEC), not from the
 * implementation.
 *
 * The model is a pure function of (state, operation) -> (new state, expected
 * results): model_step() never does a system call.  model_driver.c runs the
 * same operations on the real kernel (through model_worker processes) and
 * compares.  See README.md for what is modelled and what is not.
 *
 * The world: a small fixed file tree /tmp/model/{a,b,c}/f, up to MAX_PROCS
 * worker processes of up to MAX_THREADS threads each, up to MAX_RS ruleset
 * file descriptors per process, and one BPF LSM policy that arms rulesets for
 * the executions of one binary (/tmp/model/bin/t, by inode).
 */

#ifndef MODEL_H
#define MODEL_H

#include <stdbool.h>
#include <stdint.h>

#define MAX_PROCS 4
#define MAX_THREADS 3
#define MAX_RS 4
#define MAX_LAYERS 16
/* Rulesets alive at once (referenced by a file descriptor). */
#define MAX_RULESETS (MAX_PROCS * MAX_RS)
/* Candidate states kept when concurrency makes several outcomes legal. */
#define MAX_CANDIDATES 16
/* BPF armings per execution the generator asks for (17 > 16: EPERM). */
#define MAX_BPF_ARMINGS 20

/*
 * A ruleset, or a layer (a frozen ruleset), over the fixed tree, packed in
 * 16 bits:
 *   bit 0-1   handled filesystem accesses: RS_READ (READ_FILE), RS_WRITE
 *             (WRITE_FILE)
 *   bit 2-3   scopes: RS_SCOPE_SIGNAL, RS_SCOPE_ABSTRACT
 *   bit 4-9   allowed accesses beneath /tmp/model/a, b, c: 2 bits each
 * Every ruleset (in the model and for real) also allows READ_FILE beneath
 * /tmp/model/bin, so that the worker binary stays executable (an execution
 * opens its binary for reading): that rule is implied, not represented.
 */
typedef uint16_t rs_t;

#define RS_READ 0x1
#define RS_WRITE 0x2
#define RS_SCOPE_SIGNAL 0x4
#define RS_SCOPE_ABSTRACT 0x8
/*
 * In a layer only: armed by the BPF policy (for the merge order, see
 * struct obs.top).
 */
#define RS_FROM_BPF 0x8000
#define RS_ALLOW_SHIFT(dir) (4 + 2 * (dir))
#define RS_ALLOW(dir, acc) ((rs_t)((acc) << RS_ALLOW_SHIFT(dir)))
#define RS_ALLOWED(rs, dir) (((rs) >> RS_ALLOW_SHIFT(dir)) & 3)
#define NUM_DIRS 3

/*
 * What a thread observes (struct obs.allowed), one bit per probe:
 *   bit 0-2  open(/tmp/model/{a,b,c}/f, O_RDONLY) succeeds
 *   bit 3-5  open(/tmp/model/{a,b,c}/f, O_WRONLY) succeeds
 *   bit 6    kill(driver, 0) succeeds (signal scope; uid 0 only)
 *   bit 7    connect() to the driver's abstract unix socket succeeds
 */
#define OBS_READ(dir) (1u << (dir))
#define OBS_WRITE(dir) (1u << (3 + (dir)))
#define OBS_SIGNAL (1u << 6)
#define OBS_ABSTRACT (1u << 7)
#define OBS_ALL 0xffu

struct obs {
	uint8_t allowed;
	/* Number of Landlock layers (0-16). */
	uint8_t layers;
	/* PR_GET_NO_NEW_PRIVS. */
	uint8_t nnp;
	/*
	 * Executions that add layers: which kind of layer is on top, seen in
	 * the trace events (landlock_enforce_domain_exec names the domain,
	 * landlock_create_domain its source ruleset: a BPF policy's frozen
	 * copy or not).  0 if not observed.
	 */
	uint8_t top;
};

#define TOP_USER 1
#define TOP_BPF 2
/* Set by the driver when it can observe struct obs.top. */
extern bool model_check_top;

/*
 * The model can be made wrong on purpose, the way the injected kernel
 * defects of README.md are (MODEL_MUTANT=N in the environment of
 * model_driver): a model with a defect diverges from a correct kernel in
 * the same situations as a kernel with that defect from the correct model,
 * which measures what the generator and the observations catch.
 */
enum model_mutant {
	MUTANT_NONE,
	/* The user space layer is merged below the BPF layers. */
	MUTANT_MERGE_ORDER,
	/* ON_EXEC | TSYNC does not arm one sibling thread. */
	MUTANT_TSYNC_SIBLING,
	/* A failed execution consumes the armed slot. */
	MUTANT_FAILED_EXEC_CONSUMES,
	/* A rule added to a ruleset after it was armed is enforced. */
	MUTANT_RULE_AFTER_ARM,
	/* (-1, ON_EXEC | TSYNC) leaves one sibling thread armed. */
	MUTANT_DISARM_LEAVES_ONE,
	NUM_MUTANTS,
};
extern int model_mutant;

/* landlock_restrict_self() flags, as in the UAPI. */
#define F_LOG_SAME_EXEC_OFF (1u << 0)
#define F_LOG_NEW_EXEC_ON (1u << 1)
#define F_LOG_SUBDOMAINS_OFF (1u << 2)
#define F_TSYNC (1u << 3)
#define F_NNP (1u << 4)
#define F_ON_EXEC (1u << 5)
#define F_ALL_VALID 0x3fu
/* An unknown flag, for EINVAL. */
#define F_UNKNOWN (1u << 6)
#define F_LOG_ALL (F_LOG_SAME_EXEC_OFF | F_LOG_NEW_EXEC_ON | F_LOG_SUBDOMAINS_OFF)

/* The @rs argument of OP_RESTRICT besides a ruleset slot. */
#define RS_FD_MINUS1 (-1)
/* Not a file descriptor: EBADF. */
#define RS_FD_BAD (-2)

/* What an execution executes (under /tmp/model/bin). */
enum exec_path {
	/* The worker binary: succeeds. */
	PATH_WORKER,
	/* A copy of it, which the BPF policy sandboxes: succeeds. */
	PATH_TARGET,
	/* Failures before the point of no return: the slot stays armed. */
	PATH_MISSING, /* ENOENT */
	PATH_NOEXEC, /* mode 0644: EACCES */
	PATH_GARBAGE, /* mode 0755, no binary format: ENOEXEC */
	PATH_LOOP, /* a symbolic link to itself: ELOOP */
	NUM_PATHS,
};

enum op_type {
	OP_NONE,
	/* The driver starts a fresh worker process (root, unrestricted). */
	OP_NEW_PROC,
	/* Process exits (every thread). */
	OP_EXIT_PROC,
	/* landlock_create_ruleset() into slot @rs (replacing it). */
	OP_RS_CREATE,
	/* landlock_add_rule(): @acc beneath dir @dir. */
	OP_RS_ADD,
	OP_RS_CLOSE,
	/* landlock_restrict_self(@rs, @flags): arming, disarming, immediate. */
	OP_RESTRICT,
	/* prctl(PR_SET_NO_NEW_PRIVS, 1). */
	OP_SET_NNP,
	/* setresuid(1000, 1000, 1000) of this thread (raw system call). */
	OP_SETUID,
	/* Drops CAP_SYS_ADMIN (bounding, permitted, effective, inheritable). */
	OP_DROP_ADMIN,
	/* fork(): a new process @new_proc with this thread's credentials. */
	OP_FORK,
	/* vfork() + execve(@path) in the child, as posix_spawn(). */
	OP_SPAWN,
	/* pthread_create(): a new thread @new_thread of the same process. */
	OP_THREAD,
	/* pthread_exit() (not the first thread). */
	OP_THREAD_EXIT,
	/* execve(@path) by this thread: replaces the whole process. */
	OP_EXEC,
	/* The thread reports what it may access (struct obs). */
	OP_OBSERVE,
	/*
	 * The driver configures the BPF policy: executions of PATH_TARGET get
	 * @count armings, of the policies in @bpf_pol (bit i: policy of the
	 * i-th arming), with @flags.
	 */
	OP_BPF_CONF,
	NUM_OPS,
};

/*
 * One operation.  It names the thread it runs on (@proc, @thread) and the
 * objects it uses by slot; an operation whose thread or ruleset slot does
 * not exist in the state it is applied to is skipped (by the model and the
 * executor alike), so that any subsequence of a generated sequence is a
 * valid sequence (for shrinking).
 */
struct op {
	uint8_t type;
	uint8_t proc;
	uint8_t thread;
	int8_t rs;
	uint32_t flags;
	/* OP_RS_CREATE: the ruleset; OP_RS_ADD: the allowed access. */
	rs_t rs_value;
	uint8_t dir;
	uint8_t path;
	/* OP_BPF_CONF */
	uint8_t count;
	uint32_t bpf_pol;
	/*
	 * Set on the first operation of a pair run concurrently with the next
	 * one (another thread of the same process, released by a barrier).
	 */
	uint8_t concurrent;
};

/* An armed user space slot. */
struct slot {
	bool armed;
	rs_t rs;
	uint32_t flags;
	/*
	 * Ghost state (never changes a prediction): the ruleset it was armed
	 * from, whether another thread armed it (TSYNC), whether an execution
	 * failed since, for the coverage counters (model_coverage()) and
	 * MUTANT_RULE_AFTER_ARM.
	 */
	int8_t src;
	uint8_t ghost;
};

#define GHOST_ARMED_BY_SIBLING 0x1
#define GHOST_FAILED_EXEC 0x2
/* An execution failed past the merge of the armed layers (EPERM, EINVAL). */
#define GHOST_FAILED_LATE 0x4

struct mthread {
	bool alive;
	/* Stacked layers, oldest first. */
	uint8_t num_layers;
	rs_t layers[MAX_LAYERS];
	struct slot slot;
	bool nnp;
	/* Effective CAP_SYS_ADMIN; lost for good once dropped. */
	bool admin;
	bool uid0;
	/* Ghost state: another thread disarmed this one (TSYNC). */
	bool ghost_disarmed_by_sibling;
};

struct mproc {
	bool alive;
	struct mthread threads[MAX_THREADS];
	/* Ruleset slot -> index in mstate.rulesets, or -1. */
	int8_t rs[MAX_RS];
};

struct mstate {
	struct mproc procs[MAX_PROCS];
	/* Rulesets are shared by the processes that inherited their fds. */
	rs_t rulesets[MAX_RULESETS];
	/* BPF policy configuration. */
	uint8_t bpf_count;
	uint32_t bpf_pol;
	uint32_t bpf_flags;
};

/* The two rulesets the driver hands to the BPF policy at start. */
extern const rs_t bpf_policies[2];

/* Errno sets: several errors may apply and the order is not documented. */
typedef uint64_t errset_t;
#define ERRSET(e) ((errset_t)1 << (e))

/* What an operation must produce. */
struct expect {
	/* The operation was skipped: nothing runs, nothing is expected. */
	bool skipped;
	/* Acceptable errnos (bit 0: success). */
	errset_t errs;
	/* On success, for OP_OBSERVE, OP_EXEC, OP_SPAWN, OP_NEW_PROC. */
	bool has_obs;
	struct obs obs;
	/* Only for mutants: a failure changes the state too (to @out). */
	bool failure_changes;
	/* Indices filled for OP_FORK, OP_SPAWN, OP_THREAD, OP_NEW_PROC. */
	int new_proc, new_thread;
	/* The state after success (an operation that fails changes nothing). */
};

/* What the executor observed. */
struct result {
	int err;
	bool has_obs;
	struct obs obs;
};

void model_init(struct mstate *s);

/*
 * Applies @op to @s: fills @exp, and @out with the state after the
 * operation if it succeeds (a failed operation leaves the state unchanged:
 * "A failed call or execution changes nothing").  Pure.
 */
void model_step(const struct mstate *s, const struct op *op,
		struct mstate *out, struct expect *exp);

/* Whether @res is one of the outcomes @exp allows. */
bool model_accepts(const struct expect *exp, const struct result *res);

/* The observation of thread @t of process @p, as model_step() predicts it. */
struct obs model_observe(const struct mstate *s, int p, int t);

/* Slot choices made by model_step(): first free process/thread slot. */
int model_free_proc(const struct mstate *s);
int model_free_thread(const struct mstate *s, int p);

/*
 * Situations that the injected defects of README.md need, counted for the
 * successful executions (@op in state @s):
 */
enum coverage {
	/* A thread armed by a sibling's ON_EXEC | TSYNC executes. */
	COV_TSYNC_ARMED_SIBLING,
	/* A thread disarmed by a sibling's TSYNC disarming executes. */
	COV_TSYNC_DISARMED_SIBLING,
	/* An armed thread whose earlier execution failed executes. */
	COV_FAILED_THEN_EXEC,
	/* The same, after a failure at the merge (EPERM, EINVAL). */
	COV_LATE_FAILED_THEN_EXEC,
	/* Rules were added to the armed ruleset after arming. */
	COV_RULE_AFTER_ARM,
	/* BPF layers and a user space layer at once (merge order). */
	COV_BPF_AND_USER,
	NUM_COVERAGE,
};
extern const char *const coverage_names[NUM_COVERAGE];
unsigned int model_coverage(const struct mstate *s, const struct op *op);

/* Text forms, for divergence reports and --replay. */
int op_format(const struct op *op, char *buf, int size);
int op_parse(const char *text, struct op *op);
int expect_format(const struct expect *exp, char *buf, int size);
int result_format(const struct result *res, char *buf, int size);
const char *errno_str(int err);

/* Generator: a random operation likely to be meaningful in @s. */
struct rng {
	uint64_t s;
};
uint64_t rng_next(struct rng *r);
/*
 * Fills @ops with one operation, or two to run concurrently on two threads
 * of a process (the first one has ->concurrent set); returns how many.
 */
int gen_ops(struct rng *r, const struct mstate *s, struct op ops[2]);

#endif /* MODEL_H */
