/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rulesets of the benchmarks (exec_bench.c, bench_bpf.c): one rule on the
 * directory of the executed program, plus rules on distinct directories
 * /tmp/bench/dNNNNN (created on first use), so that a ruleset has exactly
 * the number of rules asked for.
 */

#ifndef BENCH_RULES_H
#define BENCH_RULES_H

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BENCH_DIRS "/tmp/bench"

#define BENCH_HANDLED                                                   \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE |    \
	 LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_DIR)

/* The access of rule @i of a bench ruleset: rule 0 is the program's. */
#define BENCH_RULE_ACCESS(i)                                              \
	(LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |     \
	 ((i) ? 0 : LANDLOCK_ACCESS_FS_EXECUTE))

static int bench_add_rule_fd(const int ruleset_fd, const int dir_fd,
			     const __u64 access)
{
	const struct landlock_path_beneath_attr rule = {
		.allowed_access = access,
		.parent_fd = dir_fd,
	};

	return syscall(__NR_landlock_add_rule, ruleset_fd,
		       LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
}

static int bench_add_rule(const int ruleset_fd, const char *const path,
			  const __u64 access)
{
	const int fd = open(path, O_PATH | O_CLOEXEC);
	int err;

	if (fd < 0) {
		fprintf(stderr, "open %s: %s\n", path, strerror(errno));
		return -1;
	}
	err = bench_add_rule_fd(ruleset_fd, fd, access);
	if (err)
		fprintf(stderr, "add_rule %s: %s\n", path, strerror(errno));
	close(fd);
	return err;
}

/*
 * Returns a ruleset with @nrules rules: @allow_dir (where the executed
 * program is) readable and executable, and nrules - 1 other directories.
 */
static int bench_ruleset(const int nrules, const char *const allow_dir)
{
	const struct landlock_ruleset_attr attr = {
		.handled_access_fs = BENCH_HANDLED,
	};
	char path[64];
	int fd, i;

	fd = syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0) {
		perror("landlock_create_ruleset");
		return -1;
	}
	if (bench_add_rule(fd, allow_dir, BENCH_RULE_ACCESS(0)))
		return -1;
	if (nrules > 1 && mkdir(BENCH_DIRS, 0755) && errno != EEXIST)
		return -1;
	for (i = 1; i < nrules; i++) {
		snprintf(path, sizeof(path), BENCH_DIRS "/d%05d", i);
		if (mkdir(path, 0755) && errno != EEXIST) {
			perror(path);
			return -1;
		}
		if (bench_add_rule(fd, path, BENCH_RULE_ACCESS(i)))
			return -1;
	}
	return fd;
}

#endif /* BENCH_RULES_H */
