/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Landlock tests - Helpers of on_exec_compose_test.c and on_exec_interp_test.c
 *
 * Rulesets handed to BPF programs, and executions in a child process whose
 * output (standard output and error) and whose execve(2) error are
 * collected.  Include after ../common.h.
 */

#ifndef _SELFTESTS_LANDLOCK_ON_EXEC_RUN_H
#define _SELFTESTS_LANDLOCK_ON_EXEC_RUN_H

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "on_exec_common.h"

static char verifier_log[64 * 1024];
static size_t verifier_log_len;

static int log_libbpf(enum libbpf_print_level level, const char *fmt,
		      va_list args)
{
	int n;

	if (verifier_log_len >= sizeof(verifier_log) - 1)
		return 0;
	n = vsnprintf(verifier_log + verifier_log_len,
		      sizeof(verifier_log) - verifier_log_len, fmt, args);
	if (n > 0)
		verifier_log_len += n;
	return 0;
}

static void allow_read(struct __test_metadata *const _metadata,
		       const int ruleset_fd, const char *const path)
{
	struct landlock_path_beneath_attr path_beneath = {
		.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE,
	};

	path_beneath.parent_fd = open(path, O_PATH | O_CLOEXEC);
	ASSERT_LE(0, path_beneath.parent_fd);
	ASSERT_EQ(0, landlock_add_rule(ruleset_fd, LANDLOCK_RULE_PATH_BENEATH,
				       &path_beneath, 0));
	close(path_beneath.parent_fd);
}

/* A ruleset handling LANDLOCK_ACCESS_FS_READ_FILE, allowed beneath @dirs. */
static int create_read_ruleset(struct __test_metadata *const _metadata,
			       const char *const dirs[])
{
	const struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE,
	};
	int ruleset_fd;

	ruleset_fd = landlock_create_ruleset(&attr, sizeof(attr), 0);
	ASSERT_LE(0, ruleset_fd);
	for (; *dirs; dirs++)
		allow_read(_metadata, ruleset_fd, *dirs);
	return ruleset_fd;
}

/*
 * A ruleset that restricts nothing the tests do (making FIFOs), to stack a
 * layer.
 */
static int __maybe_unused
create_harmless_ruleset(struct __test_metadata *const _metadata)
{
	const struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_MAKE_FIFO,
	};
	int ruleset_fd;

	ruleset_fd = landlock_create_ruleset(&attr, sizeof(attr), 0);
	ASSERT_LE(0, ruleset_fd);
	return ruleset_fd;
}

static int run_syscall_prog(struct bpf_program *const prog,
			    struct store_args *const args)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args,
		    .ctx_size_in = sizeof(*args));
	int err;

	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	return err ?: args->ret;
}

/*
 * Hands a read ruleset allowing @dirs to the map of a policy, with its
 * store_ruleset() program: the map holds a frozen copy, the file descriptor
 * is closed.
 */
static void store_read_ruleset(struct __test_metadata *const _metadata,
			       struct bpf_program *const store_prog,
			       const char *const dirs[])
{
	struct store_args args = {};

	args.ruleset_fd = create_read_ruleset(_metadata, dirs);
	ASSERT_EQ(0, run_syscall_prog(store_prog, &args));
	ASSERT_EQ(0, close(args.ruleset_fd));
}

/* The kernel's dev_t encoding of @st's device, as in struct super_block. */
static __u64 kernel_dev(const struct stat *const st)
{
	return ((__u64)major(st->st_dev) << 20) | minor(st->st_dev);
}

static void file_id(struct __test_metadata *const _metadata,
		    const char *const path, __u64 *const ino, __u64 *const dev)
{
	struct stat st;

	ASSERT_EQ(0, stat(path, &st))
	{
		TH_LOG("stat(%s): %s", path, strerror(errno));
	}
	*ino = st.st_ino;
	if (dev)
		*dev = kernel_dev(&st);
}

/* Creates the directory @path, which may be left by an earlier run. */
static void make_dir(struct __test_metadata *const _metadata,
		     const char *const path)
{
	ASSERT_TRUE(!mkdir(path, 0700) || errno == EEXIST)
	{
		TH_LOG("mkdir(%s): %s", path, strerror(errno));
	}
}

static void copy_file(struct __test_metadata *const _metadata,
		      const char *const src_path, const char *const dst_path)
{
	char buf[64 * 1024];
	int src, dst;
	ssize_t n;

	src = open(src_path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, src)
	{
		TH_LOG("open(%s): %s", src_path, strerror(errno));
	}
	dst = open(dst_path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0755);
	ASSERT_LE(0, dst);
	while ((n = read(src, buf, sizeof(buf))) > 0)
		ASSERT_EQ(n, write(dst, buf, n));
	ASSERT_EQ(0, n);
	close(src);
	close(dst);
}

static void write_file(struct __test_metadata *const _metadata,
		       const char *const path, const char *const content,
		       const mode_t mode)
{
	const size_t len = strlen(content);
	int fd;

	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, mode);
	ASSERT_LE(0, fd)
	{
		TH_LOG("open(%s): %s", path, strerror(errno));
	}
	ASSERT_EQ(len, write(fd, content, len));
	ASSERT_EQ(0, close(fd));
	/* O_CREAT does not change the mode of an existing file. */
	ASSERT_EQ(0, chmod(path, mode));
}

enum exec_how {
	/* execve(path) */
	EXEC_PATH,
	/* fexecve() of path opened O_RDONLY (not close-on-exec: scripts). */
	EXEC_FEXECVE,
	/* execveat(fd, "", AT_EMPTY_PATH) of path opened O_PATH. */
	EXEC_AT_EMPTY_PATH,
};

struct exec_opts {
	const char *path;
	enum exec_how how;
	/* Arguments, argv[0] included (NULL: path alone). */
	const char *const *argv;
	/* Enforced in the child before it executes @path, or -1. */
	int restrict_fd;
	/* Armed by the child with LANDLOCK_RESTRICT_SELF_ON_EXEC, or -1. */
	int on_exec_fd;
	/*
	 * Where the child stores its TGID before it executes @path (a
	 * variable of a BPF program, mmapped shared), or NULL.
	 */
	__u32 *tgid[2];
	/*
	 * If the execution fails: the child sets this variable of a BPF
	 * program to 0 (e.g. the number of armings) and executes @path again,
	 * once.
	 */
	__u32 *disable_on_failure;
};

struct exec_result {
	/* Error of the (first) execve(2), or 0 if it succeeded. */
	int exec_errno;
	/* The child executed @path again after a failure, with success. */
	bool retried;
	/* Exit status of the executed program, or 128 + signal. */
	int status;
	/* What it wrote on its standard output and error. */
	char out[2048];
};

static int do_exec(const struct exec_opts *const opts, char *const *const argv,
		   char *const *const envp)
{
	int fd;

	switch (opts->how) {
	case EXEC_PATH:
		return execve(opts->path, argv, envp);
	case EXEC_FEXECVE:
		fd = open(opts->path, O_RDONLY);
		if (fd < 0)
			return -1;
		fexecve(fd, argv, envp);
		break;
	case EXEC_AT_EMPTY_PATH:
		fd = open(opts->path, O_PATH | O_CLOEXEC);
		if (fd < 0)
			return -1;
		syscall(__NR_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
		break;
	}
	/* Keeps errno. */
	return -1;
}

/*
 * Runs @opts in a child and fills @res.  Returns 0, or -1 if the child could
 * not be run or waited for.
 */
static int run_exec(const struct exec_opts *const opts,
		    struct exec_result *const res)
{
	static char *const envp[] = { "PATH=/bin:/usr/bin", NULL };
	const char *const default_argv[] = { opts->path, NULL };
	int out_pipe[2], err_pipe[2], status, err;
	size_t len = 0;
	ssize_t n;
	pid_t child;

	memset(res, 0, sizeof(*res));
	if (pipe2(out_pipe, O_CLOEXEC))
		return -1;
	if (pipe2(err_pipe, O_CLOEXEC)) {
		close(out_pipe[0]);
		close(out_pipe[1]);
		return -1;
	}
	child = fork();
	if (child < 0)
		return -1;
	if (child == 0) {
		char *const *const argv =
			(char *const *)(opts->argv ?: default_argv);
		size_t i;

		close(out_pipe[0]);
		close(err_pipe[0]);
		if (dup2(out_pipe[1], STDOUT_FILENO) < 0 ||
		    dup2(out_pipe[1], STDERR_FILENO) < 0)
			_exit(126);
		if (opts->restrict_fd >= 0 &&
		    landlock_restrict_self(opts->restrict_fd, 0))
			_exit(125);
		if (opts->on_exec_fd >= 0 &&
		    landlock_restrict_self(opts->on_exec_fd,
					   LANDLOCK_RESTRICT_SELF_ON_EXEC))
			_exit(124);
		for (i = 0; i < ARRAY_SIZE(opts->tgid); i++)
			if (opts->tgid[i])
				__atomic_store_n(opts->tgid[i], getpid(),
						 __ATOMIC_SEQ_CST);
		do_exec(opts, argv, envp);
		err = errno;
		if (write(err_pipe[1], &err, sizeof(err)) != sizeof(err))
			_exit(123);
		if (opts->disable_on_failure) {
			__atomic_store_n(opts->disable_on_failure, 0,
					 __ATOMIC_SEQ_CST);
			do_exec(opts, argv, envp);
			err = errno;
			if (write(err_pipe[1], &err, sizeof(err)) !=
			    sizeof(err))
				_exit(123);
		}
		_exit(127);
	}
	close(out_pipe[1]);
	close(err_pipe[1]);
	while (len < sizeof(res->out) - 1 &&
	       (n = read(out_pipe[0], res->out + len,
			 sizeof(res->out) - 1 - len)) > 0)
		len += n;
	res->out[len] = '\0';
	/* The rest, if any, is not kept: the child must not block. */
	while (read(out_pipe[0], &err, sizeof(err)) > 0)
		;
	close(out_pipe[0]);
	n = read(err_pipe[0], &err, sizeof(err));
	if (n == sizeof(err)) {
		res->exec_errno = err;
		/* No second error: the retry succeeded. */
		res->retried = opts->disable_on_failure &&
			       read(err_pipe[0], &err, sizeof(err)) == 0;
	}
	close(err_pipe[0]);
	if (waitpid(child, &status, 0) != child)
		return -1;
	if (WIFEXITED(status))
		res->status = WEXITSTATUS(status);
	else
		res->status = 128 + WTERMSIG(status);
	return 0;
}

/* @out has the line @line. */
static bool has_line(const char *const out, const char *const line)
{
	const size_t len = strlen(line);
	const char *p = out;

	while ((p = strstr(p, line))) {
		if ((p == out || p[-1] == '\n') && p[len] == '\n')
			return true;
		p++;
	}
	return false;
}

static void expect_line(struct __test_metadata *const _metadata,
			const char *const out, const char *const line)
{
	EXPECT_TRUE(has_line(out, line))
	{
		TH_LOG("expected \"%s\" in:\n%s", line, out);
	}
}

#endif /* _SELFTESTS_LANDLOCK_ON_EXEC_RUN_H */
