/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reliability tests of exec-time enforcement - shared helpers.
 *
 * The tests run in the guest from guest-tests/reliability/, beside
 * guest-tests/landlock/ (the kselftests).  fault-probe is the program they
 * execute: it reports what it may read (see fault-probe.c).  Files live in
 * a tmpfs directory of their own, so a test never depends on the others.
 */

#ifndef RELIABILITY_H
#define RELIABILITY_H

#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "landlock/common.h"
#include "landlock/bpf/on_exec_common.h"
#include "on_exec_bpf.skel.h"

/* The directory of the test's files, and what the rulesets allow there. */
#define WORKDIR "/tmp/reliability"
#define DIR_A WORKDIR "/a"
#define DIR_B WORKDIR "/b"
#define FILE_A DIR_A "/f"
#define FILE_B DIR_B "/f"
/* A copy of fault-probe: the binary that the BPF policy sandboxes. */
#define BPF_TARGET WORKDIR "/target"
#define PROBE "./fault-probe"

#define ON_EXEC LANDLOCK_RESTRICT_SELF_ON_EXEC

/* "EACCES" for EACCES: glibc's name (static storage), "0" for success. */
static inline const char *errno_name(const int err)
{
	const char *name;

	if (!err)
		return "0";
	name = strerrorname_np(err);
	return name ? name : "unknown-errno";
}

static inline void copy_file(struct __test_metadata *const _metadata,
			     const char *const src_path,
			     const char *const dst_path)
{
	char buf[4096];
	int src, dst;
	ssize_t n;

	src = open(src_path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, src);
	dst = open(dst_path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0755);
	ASSERT_LE(0, dst);
	while ((n = read(src, buf, sizeof(buf))) > 0)
		ASSERT_EQ(n, write(dst, buf, n));
	close(src);
	close(dst);
}

/* Creates WORKDIR on a tmpfs of its own, with a/f, b/f and the BPF target. */
static inline void workdir_setup(struct __test_metadata *const _metadata)
{
	mkdir(WORKDIR, 0700);
	ASSERT_EQ(0, mount("tmp", WORKDIR, "tmpfs", 0, "size=16m"));
	ASSERT_EQ(0, mkdir(DIR_A, 0700));
	ASSERT_EQ(0, mkdir(DIR_B, 0700));
	ASSERT_LE(0, close(open(FILE_A, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)));
	ASSERT_LE(0, close(open(FILE_B, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)));
	copy_file(_metadata, PROBE, BPF_TARGET);
}

static inline void workdir_teardown(void)
{
	umount2(WORKDIR, MNT_DETACH);
	rmdir(WORKDIR);
}

/*
 * Returns a ruleset handling file reads, allowing them beneath @dir (or
 * nowhere if NULL).  Fails the test on error.
 */
static inline int create_read_ruleset(struct __test_metadata *const _metadata,
				      const char *const dir)
{
	const struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE,
	};
	struct landlock_path_beneath_attr path_beneath = {
		.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE,
	};
	int ruleset_fd;

	ruleset_fd = landlock_create_ruleset(&attr, sizeof(attr), 0);
	ASSERT_LE(0, ruleset_fd);
	if (!dir)
		return ruleset_fd;
	path_beneath.parent_fd = open(dir, O_PATH | O_CLOEXEC);
	ASSERT_LE(0, path_beneath.parent_fd);
	ASSERT_EQ(0, landlock_add_rule(ruleset_fd, LANDLOCK_RULE_PATH_BENEATH,
				       &path_beneath, 0));
	close(path_beneath.parent_fd);
	return ruleset_fd;
}

/* What fault-probe reported: see fault-probe.c. */
struct probe_report {
	/* Set if the probe ran. */
	bool ran;
	/* Left in /proc/thread-self/fail-nth when it started. */
	unsigned int fail_nth;
	/* Errors of reading FILE_A and FILE_B (0: allowed). */
	int read_a, read_b;
};

static inline bool parse_report(const char *const out,
				struct probe_report *const report)
{
	const char *line = strstr(out, "probe ");

	memset(report, 0, sizeof(*report));
	if (!line)
		return false;
	report->ran = sscanf(line, "probe fail-nth=%u a=%d b=%d",
			     &report->fail_nth, &report->read_a,
			     &report->read_b) == 3;
	return report->ran;
}

/* Runs fault-probe from @path in the current process (never returns). */
static inline void exec_probe(const char *const path)
{
	char *const argv[] = { "fault-probe", FILE_A, FILE_B, NULL };

	execv(path, argv);
}

/* Reads a whole pipe into @out (NUL-terminated). */
static inline void read_all(const int fd, char *const out, const size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len < size - 1 && (n = read(fd, out + len, size - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
}

/*
 * Runs @path in a child: returns the errno of its execve(2), or 0 and its
 * report in @report if it ran.
 */
static inline int try_probe(struct __test_metadata *const _metadata,
			    const char *const path,
			    struct probe_report *const report)
{
	int pipefd[2], status;
	char out[256];
	const char *p;
	pid_t child;

	memset(report, 0, sizeof(*report));
	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		exec_probe(path);
		dprintf(STDOUT_FILENO, "execve=%d\n", errno);
		_exit(127);
	}
	close(pipefd[1]);
	read_all(pipefd[0], out, sizeof(out));
	close(pipefd[0]);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	p = strstr(out, "execve=");
	if (p)
		return atoi(p + strlen("execve="));
	ASSERT_TRUE(parse_report(out, report))
	{
		TH_LOG("no report from %s: %s", path, out);
	}
	return 0;
}

/* Runs @path in a child and returns its report. */
static inline void run_probe(struct __test_metadata *const _metadata,
			     const char *const path,
			     struct probe_report *const report)
{
	int pipefd[2], status;
	char out[256];
	pid_t child;

	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		exec_probe(path);
		_exit(127);
	}
	close(pipefd[1]);
	read_all(pipefd[0], out, sizeof(out));
	close(pipefd[0]);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(parse_report(out, report))
	{
		TH_LOG("no report from %s: %s", path, out);
	}
}

/*
 * Sets this thread's fail-nth: its @nth next fault point fails (0: none).
 * With @keep, the file stays open across execve(2), and its descriptor is
 * in the environment, for fault-probe.  Returns 0 or -errno.
 */
static inline int set_fail_nth(const unsigned int nth, const bool keep)
{
	char buf[16];
	int fd, len, ret = 0;

	fd = open("/proc/thread-self/fail-nth",
		  O_RDWR | (keep ? 0 : O_CLOEXEC));
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%u", nth);
	if (write(fd, buf, len) != len)
		ret = -errno;
	if (keep && !ret) {
		snprintf(buf, sizeof(buf), "%d", fd);
		if (setenv("FAIL_NTH_FD", buf, 1))
			ret = -errno;
	} else {
		close(fd);
	}
	return ret;
}

/* Returns what is left of this thread's fail-nth, or -errno. */
static inline int get_fail_nth(void)
{
	char buf[16] = {};
	int fd;
	ssize_t n;

	fd = open("/proc/thread-self/fail-nth", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atoi(buf) : -EIO;
}

/* Stores a ruleset in the BPF map (at @index) as a kptr; returns 0. */
static inline int bpf_store_ruleset(struct on_exec_bpf *const skel,
				    const int ruleset_fd, const __u32 index)
{
	struct store_args args = {
		.ruleset_fd = ruleset_fd,
		.index = index,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &args,
		    .ctx_size_in = sizeof(args));
	int err;

	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.store_ruleset),
				     &opts);
	return err ?: args.ret;
}

/* Makes the BPF policy sandbox the executions of the file @st describes. */
static inline void bpf_set_target(struct on_exec_bpf *const skel,
				  const struct stat *const st)
{
	skel->bss->target_ino = st->st_ino;
	/* The kernel's dev_t encoding, as in struct super_block. */
	skel->bss->target_dev = (major(st->st_dev) << 20) | minor(st->st_dev);
}

/*
 * Loads and attaches the BPF policy of the Landlock BPF selftest: every
 * execution of BPF_TARGET gets a ruleset allowing reads beneath @dir, with
 * @flags.  Returns NULL on error.
 */
static inline struct on_exec_bpf *
bpf_policy_start(struct __test_metadata *const _metadata,
		 const char *const dir, const __u32 flags)
{
	struct on_exec_bpf *skel;
	struct stat st;
	int ruleset_fd;

	skel = on_exec_bpf__open_and_load();
	if (!skel)
		return NULL;
	if (on_exec_bpf__attach(skel) || stat(BPF_TARGET, &st)) {
		on_exec_bpf__destroy(skel);
		return NULL;
	}
	bpf_set_target(skel, &st);
	skel->bss->restrict_flags = flags;
	ruleset_fd = create_read_ruleset(_metadata, dir);
	if (bpf_store_ruleset(skel, ruleset_fd, 0)) {
		close(ruleset_fd);
		on_exec_bpf__destroy(skel);
		return NULL;
	}
	/* The map holds its own reference. */
	close(ruleset_fd);
	return skel;
}

#endif /* RELIABILITY_H */
