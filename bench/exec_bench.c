// SPDX-License-Identifier: GPL-2.0
/*
 * Exec-path benchmark for Landlock exec-time enforcement (run in the guest by
 * scripts/bench).
 *
 * Usage: exec_bench CASE ROUNDS EXECS TINY
 *
 * Measures fork + execve(TINY) + waitpid, EXECS times per round, and prints
 * one JSON object with the median, minimum and maximum of the per-round mean
 * (ns per execution):
 *
 *   none       no Landlock
 *   immediate  the child enforces a one-rule ruleset, then executes
 *   armed      the child arms the same ruleset with
 *              LANDLOCK_RESTRICT_SELF_ON_EXEC, then executes
 *   restrict-immediate, restrict-armed
 *              latency of the landlock_restrict_self() call alone (in a fresh
 *              child each time)
 *
 * With a BPF policy active (samples/landlock/exec_policy TINY exec_bench
 * none ...), "none" measures the BPF path.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int create_ruleset(void)
{
	const struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE |
				     LANDLOCK_ACCESS_FS_WRITE_FILE,
	};
	struct landlock_path_beneath_attr rule = {
		.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE,
	};
	int fd;

	fd = syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		return -1;
	rule.parent_fd = open("/", O_PATH | O_CLOEXEC);
	if (rule.parent_fd < 0 ||
	    syscall(__NR_landlock_add_rule, fd, LANDLOCK_RULE_PATH_BENEATH,
		    &rule, 0))
		return -1;
	close(rule.parent_fd);
	return fd;
}

static int cmp_ll(const void *a, const void *b)
{
	const long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* Returns the duration of one measured operation, in ns, or -1. */
static long long one(const char *const mode, const int ruleset_fd,
		     const char *const tiny)
{
	long long start, end;
	pid_t child;
	int status;

	if (!strncmp(mode, "restrict-", 9)) {
		int pipefd[2];

		if (pipe(pipefd))
			return -1;
		child = fork();
		if (child == 0) {
			const __u32 flags =
				strcmp(mode, "restrict-armed") ?
					0 :
					LANDLOCK_RESTRICT_SELF_ON_EXEC;

			start = now_ns();
			if (syscall(__NR_landlock_restrict_self, ruleset_fd,
				    flags))
				_exit(1);
			end = now_ns() - start;
			_exit(write(pipefd[1], &end, sizeof(end)) !=
			      sizeof(end));
		}
		close(pipefd[1]);
		if (read(pipefd[0], &end, sizeof(end)) != sizeof(end))
			end = -1;
		close(pipefd[0]);
		waitpid(child, &status, 0);
		return end;
	}

	start = now_ns();
	child = fork();
	if (child == 0) {
		if (!strcmp(mode, "immediate") &&
		    syscall(__NR_landlock_restrict_self, ruleset_fd, 0))
			_exit(126);
		if (!strcmp(mode, "armed") &&
		    syscall(__NR_landlock_restrict_self, ruleset_fd,
			    LANDLOCK_RESTRICT_SELF_ON_EXEC))
			_exit(126);
		execl(tiny, tiny, NULL);
		_exit(127);
	}
	if (child < 0 || waitpid(child, &status, 0) != child ||
	    !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	return now_ns() - start;
}

int main(int argc, char *argv[])
{
	long long *means;
	int rounds, execs, r, i, ruleset_fd = -1;
	const char *mode;

	if (argc != 5) {
		fprintf(stderr, "usage: %s CASE ROUNDS EXECS TINY\n", argv[0]);
		return 2;
	}
	mode = argv[1];
	rounds = atoi(argv[2]);
	execs = atoi(argv[3]);
	if (rounds < 1 || execs < 1)
		return 2;
	if (strcmp(mode, "none")) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			return 1;
		ruleset_fd = create_ruleset();
		if (ruleset_fd < 0) {
			perror("ruleset");
			return 1;
		}
	}
	means = calloc(rounds, sizeof(*means));
	if (!means)
		return 1;
	/* Warm up. */
	for (i = 0; i < execs; i++)
		if (one(mode, ruleset_fd, argv[4]) < 0) {
			fprintf(stderr, "%s: operation failed\n", mode);
			return 1;
		}
	for (r = 0; r < rounds; r++) {
		long long sum = 0;

		for (i = 0; i < execs; i++) {
			const long long t = one(mode, ruleset_fd, argv[4]);

			if (t < 0)
				return 1;
			sum += t;
		}
		means[r] = sum / execs;
	}
	qsort(means, rounds, sizeof(*means), cmp_ll);
	printf("{\"case\": \"%s\", \"rounds\": %d, \"execs\": %d, \"median_ns\": %lld, \"min_ns\": %lld, \"max_ns\": %lld}\n",
	       mode, rounds, execs, means[rounds / 2], means[0],
	       means[rounds - 1]);
	return 0;
}
