// SPDX-License-Identifier: GPL-2.0
/*
 * Loader of bench_bpf.bpf.c, run in the guest by bench/guest-bench.sh.
 *
 * Usage:
 *   bench_bpf RULES TINY COMMAND...
 *	Every execution of TINY arms a ruleset of RULES rules (see
 *	bench_rules.h) while COMMAND (exec_bench bpf ...) runs.  Fails if an
 *	arming failed or none happened.
 *
 *   bench_bpf contention RULES TINY_A TINY_B PAIRS SECONDS
 *	Two loops, one per CPU, execute TINY_A and TINY_B (two copies of one
 *	program) for SECONDS, first both sandboxed with the same ruleset,
 *	then each with its own (or the other way round, alternately), PAIRS
 *	times.  Prints one JSON object: executions per second of both loops
 *	together in each phase, and the ratio shared / separate of each pair.
 */

#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <libgen.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_bpf.h"
#include "bench_bpf.skel.h"
#include "bench_rules.h"

#define MAX_PAIRS 256

static int store_ruleset(struct bench_bpf *const skel, const __u32 index,
			 const int nrules, const char *const allow_dir)
{
	struct store_args args = { .index = index };
	struct bpf_test_run_opts opts = {
		.sz = sizeof(opts),
		.ctx_in = &args,
		.ctx_size_in = sizeof(args),
	};
	int err;

	args.ruleset_fd = bench_ruleset(nrules, allow_dir);
	if (args.ruleset_fd < 0)
		return -1;
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.store_ruleset),
				     &opts);
	close(args.ruleset_fd);
	if (err || opts.retval) {
		fprintf(stderr, "cannot store the ruleset: %d %u\n", err,
			opts.retval);
		return -1;
	}
	return 0;
}

static int set_target(struct bench_bpf *const skel, const int index,
		      const char *const path)
{
	struct stat st;

	if (stat(path, &st)) {
		perror(path);
		return -1;
	}
	skel->bss->target_ino[index] = st.st_ino;
	/* The kernel's dev_t encoding, as in struct super_block. */
	skel->bss->target_dev = (major(st.st_dev) << 20) | minor(st.st_dev);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * One loop of the contention benchmark, on CPU @cpu: executes @tiny until
 * @seconds have passed since the start signal (a byte on @start); writes
 * its rate (executions per second) to @result.
 */
static void loop(const int cpu, const char *const tiny, const int start,
		 const int result, const double seconds)
{
	char *const argv[] = { (char *)tiny, NULL }, *const envp[] = { NULL };
	double t0, t1, rate;
	cpu_set_t set;
	long n = 0;
	char c;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) ||
	    read(start, &c, 1) != 1)
		_exit(1);
	t0 = now_s();
	do {
		int status;
		const pid_t child = fork();

		if (child == 0) {
			execve(tiny, argv, envp);
			_exit(127);
		}
		if (child < 0 || waitpid(child, &status, 0) != child ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			_exit(1);
		n++;
		t1 = now_s();
	} while (t1 - t0 < seconds);
	rate = n / (t1 - t0);
	_exit(write(result, &rate, sizeof(rate)) != sizeof(rate));
}

/* Runs both loops for @seconds; returns their total rate, or -1. */
static double phase(char *const tiny[2], const double seconds)
{
	int start[2], result[2], i, status;
	double total = 0, rate;
	pid_t pids[2];

	if (pipe(start) || pipe(result))
		return -1;
	for (i = 0; i < 2; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			close(start[1]);
			loop(i, tiny[i], start[0], result[1], seconds);
		}
	}
	/* Both loops start together. */
	if (write(start[1], "xx", 2) != 2)
		return -1;
	for (i = 0; i < 2; i++) {
		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			return -1;
		if (read(result[0], &rate, sizeof(rate)) != sizeof(rate))
			return -1;
		total += rate;
	}
	close(start[0]);
	close(start[1]);
	close(result[0]);
	close(result[1]);
	return total;
}

static void print_list(const char *const name, const double *const v,
		       const int n)
{
	int i;

	printf(", \"%s\": [", name);
	for (i = 0; i < n; i++)
		printf("%s%.4f", i ? ", " : "", v[i]);
	printf("]");
}

static int run_contention(struct bench_bpf *const skel, char *argv[])
{
	const int rules = atoi(argv[0]), pairs = atoi(argv[3]);
	const double seconds = atof(argv[4]);
	char *tiny[2] = { argv[1], argv[2] };
	double shared[MAX_PAIRS], separate[MAX_PAIRS], ratio[MAX_PAIRS];
	int p, k;

	if (pairs < 1 || pairs > MAX_PAIRS || seconds <= 0)
		return 2;
	if (store_ruleset(skel, 0, rules, dirname(strdup(tiny[0]))) ||
	    store_ruleset(skel, 1, rules, dirname(strdup(tiny[0]))) ||
	    set_target(skel, 0, tiny[0]) || set_target(skel, 1, tiny[1]))
		return 1;
	skel->bss->target_slot[0] = 0;
	/* Warm-up. */
	skel->bss->target_slot[1] = 1;
	if (phase(tiny, seconds / 2) < 0)
		return 1;
	for (p = 0; p < pairs; p++) {
		/* Alternate the order, so that a drift hits both alike. */
		for (k = 0; k < 2; k++) {
			const int is_shared = (p + k) % 2 == 0;
			double rate;

			skel->bss->target_slot[1] = is_shared ? 0 : 1;
			rate = phase(tiny, seconds);
			if (rate < 0)
				return 1;
			if (is_shared)
				shared[p] = rate;
			else
				separate[p] = rate;
		}
		ratio[p] = shared[p] / separate[p];
	}
	printf("{\"case\": \"%s\", \"rules\": %d, \"pairs\": %d, \"seconds\": %.2f",
	       "contention", rules, pairs, seconds);
	print_list("shared_per_s", shared, pairs);
	print_list("separate_per_s", separate, pairs);
	print_list("ratios", ratio, pairs);
	printf(", \"armed\": [%llu, %llu], \"failed\": [%llu, %llu]}\n",
	       (unsigned long long)skel->bss->counters[0].armed,
	       (unsigned long long)skel->bss->counters[1].armed,
	       (unsigned long long)skel->bss->counters[0].failed,
	       (unsigned long long)skel->bss->counters[1].failed);
	return skel->bss->counters[0].failed || skel->bss->counters[1].failed;
}

static int run(struct bench_bpf *const skel, char *argv[])
{
	const int rules = atoi(argv[0]);
	int status;
	pid_t child;

	if (rules < 1)
		return 2;
	if (store_ruleset(skel, 0, rules, dirname(strdup(argv[1]))) ||
	    set_target(skel, 0, argv[1]))
		return 1;
	child = fork();
	if (child == 0) {
		execv(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (child < 0 || waitpid(child, &status, 0) != child ||
	    !WIFEXITED(status))
		return 1;
	if (skel->bss->counters[0].failed || !skel->bss->counters[0].armed) {
		fprintf(stderr, "bench_bpf: %llu executions armed, %llu failed\n",
			(unsigned long long)skel->bss->counters[0].armed,
			(unsigned long long)skel->bss->counters[0].failed);
		return 1;
	}
	return WEXITSTATUS(status);
}

int main(int argc, char *argv[])
{
	struct bench_bpf *skel;
	int err;

	if (!(argc == 7 && !strcmp(argv[1], "contention")) && argc < 4) {
		fprintf(stderr,
			"usage: %s RULES TINY COMMAND... | contention RULES TINY_A TINY_B PAIRS SECONDS\n",
			argv[0]);
		return 2;
	}
	skel = bench_bpf__open_and_load();
	if (!skel) {
		perror("cannot load the BPF policy");
		return 1;
	}
	/* No target matches inode 0 until set. */
	err = bench_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "cannot attach the BPF policy: %d\n", err);
		bench_bpf__destroy(skel);
		return 1;
	}
	if (!strcmp(argv[1], "contention"))
		err = run_contention(skel, argv + 2);
	else
		err = run(skel, argv + 1);
	bench_bpf__destroy(skel);
	return err;
}
