// SPDX-License-Identifier: GPL-2.0
/*
 * Exec-path benchmark for Landlock exec-time enforcement, run in the guest by
 * bench/guest-bench.sh (see bench/README.md).
 *
 * Usage: exec_bench CASE[,CASE] RULES LAYERS ROUNDS BUDGET TINY
 *        exec_bench calibrate | abi
 *
 * Before measuring, the benchmark process enforces LAYERS one-rule layers
 * (inherited by its children) and creates a ruleset of RULES rules (see
 * bench_rules.h).  After a warm-up, it runs ROUNDS rounds of the same number
 * of operations (about BUDGET ns, and at least MIN_OPS operations, each) and
 * prints one JSON object: "value", the mean duration of one operation over
 * all rounds, in guest nanoseconds (under QEMU -icount shift=0: executed
 * instructions, deferred work such as RCU callbacks included), and the
 * median, minimum and maximum of the rounds' means.  For the restrict-*
 * cases, a round's figure is the median of its operations instead of their
 * mean, and "value" the median of the rounds' figures.  With two cases,
 * their rounds alternate, so that both see the same drift of the system's
 * state (e.g. fork,fork-armed); each has its own JSON object ("set" tells
 * that they were paired).
 *
 * Operations:
 *   none, bpf  fork + execve(TINY) + waitpid ("bpf" runs under a policy of
 *              bench_bpf, which arms a ruleset at each execution of TINY)
 *   immediate  the same, the child enforcing the ruleset before execve()
 *   armed      the same, the child arming the ruleset with
 *              LANDLOCK_RESTRICT_SELF_ON_EXEC before execve()
 *   armed-once the same as none, the benchmark process having armed the
 *              ruleset once (a launcher): each child inherits it
 *   restrict-immediate, restrict-armed
 *              the landlock_restrict_self() call alone, in a fresh child
 *   fork, fork-armed
 *              fork + _exit + waitpid, the benchmark process having armed
 *              the ruleset (fork-armed) or not
 *   immediate-new, armed-new
 *              a launcher that builds a new ruleset of RULES rules for
 *              each child (landlock_create_ruleset() and RULES
 *              landlock_add_rule() calls, on directories opened once),
 *              then forks; the child enforces it (immediate-new) or arms
 *              it (armed-new), then executes TINY; all of it is measured
 *
 * Every case but "none" runs with no_new_privs.  "idle_ticks" counts the
 * clock ticks the CPU was idle during the measurement: 0 means that every
 * nanosecond measured was an executed instruction.
 *
 * calibrate: times a loop of known length (instructions per guest ns);
 * abi: prints the Landlock ABI version (0 without Landlock).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/landlock.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "bench_rules.h"

#ifndef LANDLOCK_RESTRICT_SELF_ON_EXEC
#define LANDLOCK_RESTRICT_SELF_ON_EXEC 0
#endif

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Idle time of all CPUs so far, in clock ticks (/proc/stat). */
static long long idle_ticks(void)
{
	unsigned long long user, nice, sys, idle, iowait;
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu", &user, &nice, &sys,
		   &idle, &iowait);
	fclose(f);
	return n == 5 ? (long long)(idle + iowait) : -1;
}

/*
 * Waits until the CPU has been idle for most of 200 ms: the deferred work of
 * what ran before (RCU callbacks, workqueues) is done, and not counted here.
 * Under -icount sleep=off, idle guest time costs no host time.
 */
static void settle(void)
{
	int i;

	for (i = 0; i < 50; i++) {
		const long long idle = idle_ticks();

		usleep(200000);
		if (idle_ticks() - idle >= 18)
			return;
	}
}

static int cmp_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int cmp_ll(const void *a, const void *b)
{
	const long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static int restrict_self(const int ruleset_fd, const __u32 flags)
{
	return syscall(__NR_landlock_restrict_self, ruleset_fd, flags);
}

struct bench {
	const char *name;
	const char *tiny;
	int ruleset_fd;
	/* For the *-new cases: the directories of the rules, opened once. */
	int nrules;
	const int *dir_fds;
};

#define MIN_OPS 32
/* The *-new cases at 1000 rules and more: tens of millions each. */
#define MIN_OPS_NEW 8

static bool is_new_case(const struct bench *const b)
{
	return !strcmp(b->name, "immediate-new") ||
	       !strcmp(b->name, "armed-new");
}

/* A ruleset of b->nrules rules, built from scratch (for the *-new cases). */
static int new_ruleset(const struct bench *const b)
{
	const struct landlock_ruleset_attr attr = {
		.handled_access_fs = BENCH_HANDLED,
	};
	int fd, i;

	fd = syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		return -1;
	for (i = 0; i < b->nrules; i++) {
		if (bench_add_rule_fd(fd, b->dir_fds[i], BENCH_RULE_ACCESS(i))) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* Opens the directories of bench_ruleset(): @allow_dir, then dNNNNN. */
static int *open_rule_dirs(const int nrules, const char *const allow_dir)
{
	const struct rlimit lim = { nrules + 64, nrules + 64 };
	int *fds = calloc(nrules, sizeof(*fds));
	char path[64];
	int i;

	if (!fds || setrlimit(RLIMIT_NOFILE, &lim))
		return NULL;
	for (i = 0; i < nrules; i++) {
		if (i)
			snprintf(path, sizeof(path), BENCH_DIRS "/d%05d", i);
		fds[i] = open(i ? path : allow_dir, O_PATH | O_CLOEXEC);
		if (fds[i] < 0) {
			perror(i ? path : allow_dir);
			return NULL;
		}
	}
	return fds;
}

static char *const empty_env[] = { NULL };

/*
 * Runs one operation; returns its measured duration in ns (or -1), and in
 * *total the duration of everything it did (forks included).
 */
static long long one(const struct bench *const b, long long *const total)
{
	char *const argv[] = { (char *)b->tiny, NULL };
	const long long start = now_ns();
	int status, ruleset_fd;
	long long end;
	pid_t child;

	if (!strncmp(b->name, "restrict-", 9)) {
		const __u32 flags = strcmp(b->name, "restrict-armed") ?
					    0 :
					    LANDLOCK_RESTRICT_SELF_ON_EXEC;
		int pipefd[2];

		if (pipe(pipefd))
			return -1;
		child = fork();
		if (child == 0) {
			const long long t0 = now_ns();

			if (restrict_self(b->ruleset_fd, flags))
				_exit(1);
			end = now_ns() - t0;
			_exit(write(pipefd[1], &end, sizeof(end)) !=
			      sizeof(end));
		}
		close(pipefd[1]);
		if (read(pipefd[0], &end, sizeof(end)) != sizeof(end))
			end = -1;
		close(pipefd[0]);
		waitpid(child, &status, 0);
		*total = now_ns() - start;
		return end;
	}

	/* The *-new cases build their ruleset here, measured. */
	ruleset_fd = is_new_case(b) ? new_ruleset(b) : b->ruleset_fd;
	if (ruleset_fd < 0 && is_new_case(b))
		return -1;
	child = fork();
	if (child == 0) {
		if (!strncmp(b->name, "fork", 4))
			_exit(0);
		if ((!strcmp(b->name, "immediate") ||
		     !strcmp(b->name, "immediate-new")) &&
		    restrict_self(ruleset_fd, 0))
			_exit(126);
		if ((!strcmp(b->name, "armed") ||
		     !strcmp(b->name, "armed-new")) &&
		    restrict_self(ruleset_fd, LANDLOCK_RESTRICT_SELF_ON_EXEC))
			_exit(126);
		execve(b->tiny, argv, empty_env);
		_exit(127);
	}
	if (is_new_case(b))
		close(ruleset_fd);
	if (child < 0 || waitpid(child, &status, 0) != child ||
	    !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	*total = now_ns() - start;
	return *total;
}

static int enforce_layers(const int layers, const char *const allow_dir)
{
	int i;

	for (i = 0; i < layers; i++) {
		const int fd = bench_ruleset(1, allow_dir);

		if (fd < 0 || restrict_self(fd, 0)) {
			perror("enforcing a layer");
			return -1;
		}
		close(fd);
	}
	return 0;
}

static void spin(long n)
{
	asm volatile("1: dec %0; jnz 1b" : "+r"(n));
}

/*
 * Times loops of 2 * 10^7 and 2 * 10^8 instructions; their difference, over
 * 1.8 * 10^8, is the number of guest ns (and TSC ticks) per instruction,
 * timer interrupts included.
 */
static int run_calibration(void)
{
	long long t[2], c[2];
	const long n[2] = { 10000000, 100000000 };
	int i;

	for (i = 0; i < 2; i++) {
		const long long t0 = now_ns();
		const unsigned long long c0 = __rdtsc();

		spin(n[i]);
		c[i] = __rdtsc() - c0;
		t[i] = now_ns() - t0;
	}
	printf("{\"case\": \"%s\", \"instructions\": %ld, \"ns\": %lld, \"tsc\": %lld, \"ns_per_instruction\": %.5f, \"tsc_per_instruction\": %.5f}\n",
	       "calibrate",
	       2 * (n[1] - n[0]), t[1] - t[0], c[1] - c[0],
	       (double)(t[1] - t[0]) / (2 * (n[1] - n[0])),
	       (double)(c[1] - c[0]) / (2 * (n[1] - n[0])));
	return 0;
}

/* Arms or disarms the benchmark process, as case @b needs. */
static int set_armed(const struct bench *const b, bool *const armed)
{
	const bool want = !strcmp(b->name, "fork-armed") ||
			  !strcmp(b->name, "armed-once");

	if (want == *armed)
		return 0;
	*armed = want;
	/* A ruleset fd of -1 disarms. */
	return restrict_self(want ? b->ruleset_fd : -1,
			     LANDLOCK_RESTRICT_SELF_ON_EXEC);
}

/*
 * Runs @ops operations of @b; returns the figure of the round (the mean,
 * or the median for a system call alone), or -1.
 */
static double run_round(const struct bench *const b, const long long ops,
			long long *const each, long long *const all)
{
	long long sum = 0, t, i;

	for (i = 0; i < ops; i++) {
		const long long m = one(b, &t);

		if (m < 0) {
			fprintf(stderr, "%s: operation failed\n", b->name);
			return -1;
		}
		sum += m;
		each[i] = m;
	}
	*all += sum;
	/*
	 * A system call takes a few thousand instructions: a timer interrupt
	 * in one of them would weigh on a round's mean.
	 */
	if (!strncmp(b->name, "restrict-", 9)) {
		qsort(each, ops, sizeof(*each), cmp_ll);
		return each[ops / 2];
	}
	return (double)sum / ops;
}

int main(int argc, char *argv[])
{
	struct bench b[2] = { { .ruleset_fd = -1 }, { .ruleset_fd = -1 } };
	long long budget, ops[2], all[2] = { 0, 0 }, spent, t, idle, *each;
	int rules, layers, rounds, ncases = 1, r, k, i, ruleset_fd = -1;
	bool armed = false, landlock = false;
	double *means[2];
	char *allow_dir;

	if (argc == 2 && !strcmp(argv[1], "calibrate"))
		return run_calibration();
	if (argc == 2 && !strcmp(argv[1], "abi")) {
		const int abi = syscall(__NR_landlock_create_ruleset, NULL, 0,
					LANDLOCK_CREATE_RULESET_VERSION);

		printf("%d\n", abi < 0 ? 0 : abi);
		return 0;
	}
	if (argc != 7) {
		fprintf(stderr,
			"usage: %s CASE[,CASE] RULES LAYERS ROUNDS BUDGET TINY | calibrate | abi\n",
			argv[0]);
		return 2;
	}
	rules = atoi(argv[2]);
	layers = atoi(argv[3]);
	rounds = atoi(argv[4]);
	budget = atoll(argv[5]);
	if (rules < 1 || layers < 0 || rounds < 1 || budget < 1)
		return 2;
	/*
	 * The same address space layout at each run, for this process too
	 * (its page tables are copied at each fork): restart without ASLR.
	 */
	r = personality(0xffffffff);
	if (r < 0)
		return 1;
	if (!(r & ADDR_NO_RANDOMIZE)) {
		if (personality(r | ADDR_NO_RANDOMIZE) < 0)
			return 1;
		execv("/proc/self/exe", argv);
		perror("execv");
		return 1;
	}
	/* Two cases run in alternate rounds: they see the same drift. */
	b[0].name = strtok(argv[1], ",");
	b[1].name = strtok(NULL, ",");
	if (b[1].name)
		ncases = 2;
	b[0].tiny = argv[6];
	b[1].tiny = argv[6];
	allow_dir = dirname(strdup(argv[6]));

	for (k = 0; k < ncases; k++)
		landlock |= !!strcmp(b[k].name, "none");
	if (landlock) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			return 1;
		if (enforce_layers(layers, allow_dir))
			return 1;
		/*
		 * Rule creation is not measured.  "fork" has the ruleset too
		 * (not armed), so that it only differs from "fork-armed" by
		 * the arming.
		 */
		ruleset_fd = bench_ruleset(rules, allow_dir);
		if (ruleset_fd < 0)
			return 1;
	} else if (layers) {
		return 2;
	}
	for (k = 0; k < ncases; k++) {
		b[k].ruleset_fd = ruleset_fd;
		b[k].nrules = rules;
		if (is_new_case(&b[k]) && !b[0].dir_fds) {
			b[0].dir_fds = open_rule_dirs(rules, allow_dir);
			if (!b[0].dir_fds)
				return 1;
		}
	}
	b[1].dir_fds = b[0].dir_fds;
	settle();

	/*
	 * Warm-up, for a quarter of the budget: it also tells how many
	 * operations make a round of about BUDGET ns.
	 */
	for (k = 0; k < ncases; k++) {
		if (set_armed(&b[k], &armed)) {
			perror("arming");
			return 1;
		}
		for (spent = 0, i = 0; spent < budget / 4 || i < 2; i++) {
			if (one(&b[k], &t) < 0) {
				fprintf(stderr, "%s: operation failed\n",
					b[k].name);
				return 1;
			}
			spent += t;
		}
		ops[k] = (budget * i + spent / 2) / spent;
		/* Enough operations that their deferred work averages out. */
		if (ops[k] < MIN_OPS)
			ops[k] = is_new_case(&b[k]) && rules >= 1000 ?
					 MIN_OPS_NEW :
					 MIN_OPS;
		means[k] = calloc(rounds, sizeof(*means[k]));
		if (!means[k])
			return 1;
	}
	each = calloc(ops[0] > ops[ncases - 1] ? ops[0] : ops[ncases - 1],
		      sizeof(*each));
	if (!each)
		return 1;
	idle = idle_ticks();
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < ncases; k++) {
			if (set_armed(&b[k], &armed)) {
				perror("arming");
				return 1;
			}
			means[k][r] = run_round(&b[k], ops[k], each, &all[k]);
			if (means[k][r] < 0)
				return 1;
		}
	}
	idle = idle_ticks() - idle;
	for (k = 0; k < ncases; k++) {
		const bool syscall_only = !strncmp(b[k].name, "restrict-", 9);
		const double mean = (double)all[k] / rounds / ops[k];
		double median;

		qsort(means[k], rounds, sizeof(*means[k]), cmp_double);
		median = means[k][rounds / 2];
		/*
		 * The figure: the mean of all operations, as deferred work
		 * runs in batches that a round boundary may split; for a
		 * system call alone, the median (of the rounds' medians).
		 */
		printf("{\"case\": \"%s\", \"rules\": %d, \"layers\": %d, \"rounds\": %d, \"ops\": %lld, \"value\": %.1f, \"statistic\": \"%s\", \"median\": %.1f, \"mean\": %.1f, \"min\": %.1f, \"max\": %.1f, \"idle_ticks\": %lld, \"set\": \"%s%s%s\", \"round_values\": [",
		       b[k].name, rules, layers, rounds, ops[k],
		       syscall_only ? median : mean,
		       syscall_only ? "median" : "mean", median, mean,
		       means[k][0], means[k][rounds - 1], idle, b[0].name,
		       ncases > 1 ? "," : "", ncases > 1 ? b[1].name : "");
		/* Each round's figure (sorted): the error bar of "value". */
		for (r = 0; r < rounds; r++)
			printf("%s%.1f", r ? ", " : "", means[k][r]);
		printf("]}\n");
	}
	return 0;
}
