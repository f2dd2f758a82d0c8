// SPDX-License-Identifier: GPL-2.0
/*
 * Landlock tests - Exec-time enforcement (LANDLOCK_RESTRICT_SELF_ON_EXEC)
 *
 * The effect of an armed ruleset is observed in the executed program with the
 * on-exec-probe helper, which reports file and network access results, its
 * number of Landlock layers, no_new_privs and its effective UID.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/landlock.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "leak_check.h"
#include "on_exec_support.h"

#define TRACEFS_ENFORCE_DOMAIN_EXEC_ENABLE \
	TRACEFS_LANDLOCK_DIR "/landlock_enforce_domain_exec/enable"

#define ON_EXEC LANDLOCK_RESTRICT_SELF_ON_EXEC
#define NNP LANDLOCK_RESTRICT_SELF_NO_NEW_PRIVS
#define TSYNC LANDLOCK_RESTRICT_SELF_TSYNC
#define LOG_SAME_EXEC_OFF LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF
#define LOG_NEW_EXEC_ON LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON
#define LOG_SUBDOMAINS_OFF LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF

static const char probe[] = "./on-exec-probe";
static const char dir_a[] = "tmp_on_exec/a";
static const char dir_b[] = "tmp_on_exec/b";
static const char dir_c[] = "tmp_on_exec/c";
static const char file_a[] = "tmp_on_exec/a/f";
static const char file_b[] = "tmp_on_exec/b/f";
static const char file_c[] = "tmp_on_exec/c/f";

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

/*
 * Ruleset handling LANDLOCK_ACCESS_FS_READ_FILE, allowing it beneath @dirs
 * and on the probe (which must stay executable).
 */
static int create_read_ruleset(struct __test_metadata *const _metadata,
			       const char *const dirs[])
{
	const struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE,
	};
	int ruleset_fd;

	ruleset_fd = landlock_create_ruleset(&attr, sizeof(attr), 0);
	ASSERT_LE(0, ruleset_fd);
	allow_read(_metadata, ruleset_fd, probe);
	for (; dirs && *dirs; dirs++)
		allow_read(_metadata, ruleset_fd, *dirs);
	return ruleset_fd;
}

static void arm(struct __test_metadata *const _metadata,
		const char *const dirs[], const __u32 flags)
{
	const int ruleset_fd = create_read_ruleset(_metadata, dirs);

	ASSERT_EQ(0, landlock_restrict_self(ruleset_fd, ON_EXEC | flags));
	ASSERT_EQ(0, close(ruleset_fd));
}

static void enforce_now(struct __test_metadata *const _metadata,
			const char *const dirs[])
{
	const int ruleset_fd = create_read_ruleset(_metadata, dirs);

	ASSERT_EQ(0, landlock_restrict_self(ruleset_fd, 0));
	ASSERT_EQ(0, close(ruleset_fd));
}

/*
 * Executes the probe (or @path) with @ops in a child, and stores its output
 * in @out.  Returns the exit status of the child.
 */
static int run_path(struct __test_metadata *const _metadata,
		    const char *const path, const char *const ops[],
		    char *const out, const size_t size)
{
	const char *argv[16] = { "on-exec-probe" };
	int pipefd[2], status, i;
	size_t len = 0;
	ssize_t n;
	pid_t child;

	for (i = 0; ops[i] && i < 14; i++)
		argv[i + 1] = ops[i];
	EXPECT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	child = fork();
	EXPECT_LE(0, child);
	if (child == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	while (len < size - 1 &&
	       (n = read(pipefd[0], out + len, size - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(pipefd[0]);
	EXPECT_EQ(child, waitpid(child, &status, 0));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void run_probe(struct __test_metadata *const _metadata,
		      const char *const ops[], char *const out,
		      const size_t size)
{
	EXPECT_EQ(0, run_path(_metadata, probe, ops, out, size))
	{
		TH_LOG("probe output: %s", out);
	}
}

static void expect_line(struct __test_metadata *const _metadata,
			const char *const out, const char *const line)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%s\n", line);
	EXPECT_NE(NULL, strstr(out, buf))
	{
		TH_LOG("expected \"%s\" in:\n%s", line, out);
	}
}

static bool can_read(const char *const path)
{
	const int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

FIXTURE(on_exec)
{
	char out[1024];
};

FIXTURE_SETUP(on_exec)
{
	const char *const files[] = { file_a, file_b, file_c, NULL };
	const char *const *f;

	if (!on_exec_supported(_metadata))
		SKIP(return, ON_EXEC_UNSUPPORTED);

	disable_caps(_metadata);
	set_cap(_metadata, CAP_DAC_OVERRIDE);
	mkdir("tmp_on_exec", 0700);
	mkdir(dir_a, 0700);
	mkdir(dir_b, 0700);
	mkdir(dir_c, 0700);
	for (f = files; *f; f++) {
		const int fd = open(*f, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);

		ASSERT_LE(0, fd);
		close(fd);
	}
	clear_cap(_metadata, CAP_DAC_OVERRIDE);
}

FIXTURE_TEARDOWN_PARENT(on_exec)
{
	unlink("tmp_on_exec/suid-probe");
	unlink("tmp_on_exec/a/garbage");
	unlink(file_a);
	unlink(file_b);
	unlink(file_c);
	rmdir(dir_a);
	rmdir(dir_b);
	rmdir(dir_c);
	rmdir("tmp_on_exec");
}

/* The caller is not restricted, the executed program is. */
TEST_F(on_exec, restricts_only_after_exec)
{
	const char *const allowed[] = { dir_a, NULL };
	const char *const ops[] = { "read:tmp_on_exec/a/f",
				    "read:tmp_on_exec/b/f", "layers", NULL };

	arm(_metadata, allowed, NNP);
	EXPECT_TRUE(can_read(file_a));
	EXPECT_TRUE(can_read(file_b));

	run_probe(_metadata, ops, self->out, sizeof(self->out));
	expect_line(_metadata, self->out, "read:tmp_on_exec/a/f=ok");
	expect_line(_metadata, self->out, "read:tmp_on_exec/b/f=EACCES");
	expect_line(_metadata, self->out, "layers=1");

	/* Still not restricted after the child's execution. */
	EXPECT_TRUE(can_read(file_b));
}

/* Network rules are enforced after exec too. */
TEST_F(on_exec, network_restricted_after_exec)
{
	const struct landlock_ruleset_attr attr = {
		.handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP,
	};
	const struct landlock_net_port_attr port = {
		.allowed_access = LANDLOCK_ACCESS_NET_BIND_TCP,
		.port = 4242,
	};
	const char *const ops[] = { "bind:4242", "bind:4343", NULL };
	int ruleset_fd;

	ruleset_fd = landlock_create_ruleset(&attr, sizeof(attr), 0);
	ASSERT_LE(0, ruleset_fd);
	ASSERT_EQ(0, landlock_add_rule(ruleset_fd, LANDLOCK_RULE_NET_PORT,
				       &port, 0));
	ASSERT_EQ(0, landlock_restrict_self(ruleset_fd, ON_EXEC | NNP));
	close(ruleset_fd);

	run_probe(_metadata, ops, self->out, sizeof(self->out));
	expect_line(_metadata, self->out, "bind:4242=ok");
	expect_line(_metadata, self->out, "bind:4343=EACCES");
}

/* A new call replaces the armed ruleset. */
TEST_F(on_exec, replace)
{
	const char *const first[] = { dir_a, NULL };
	const char *const second[] = { dir_b, NULL };
	const char *const ops[] = { "read:tmp_on_exec/a/f",
				    "read:tmp_on_exec/b/f", "layers", NULL };

	arm(_metadata, first, NNP);
	arm(_metadata, second, 0);

	run_probe(_metadata, ops, self->out, sizeof(self->out));
	expect_line(_metadata, self->out, "read:tmp_on_exec/a/f=EACCES");
	expect_line(_metadata, self->out, "read:tmp_on_exec/b/f=ok");
	expect_line(_metadata, self->out, "layers=1");
}

/* A ruleset_fd of -1 disarms. */
TEST_F(on_exec, clear)
{
	const char *const allowed[] = { dir_a, NULL };
	const char *const ops[] = { "read:tmp_on_exec/b/f", "layers", NULL };

	arm(_metadata, allowed, NNP);
	ASSERT_EQ(0, landlock_restrict_self(-1, ON_EXEC));
	/* Disarming an empty slot is fine too. */
	ASSERT_EQ(0, landlock_restrict_self(-1, ON_EXEC));

	run_probe(_metadata, ops, self->out, sizeof(self->out));
	expect_line(_metadata, self->out, "read:tmp_on_exec/b/f=ok");
	expect_line(_metadata, self->out, "layers=0");
}

/* Children inherit the armed ruleset; their execution does not consume it. */
TEST_F(on_exec, fork_inherits)
{
	const char *const allowed[] = { dir_a, NULL };
	const char *const ops[] = { "read:tmp_on_exec/b/f", "layers", NULL };
	pid_t child;
	int status;

	arm(_metadata, allowed, NNP);
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		/* The child is not restricted either, until it executes. */
		if (!can_read(file_b))
			_exit(1);
		run_probe(_metadata, ops, self->out, sizeof(self->out));
		if (!strstr(self->out, "read:tmp_on_exec/b/f=EACCES\n") ||
		    !strstr(self->out, "layers=1\n"))
			_exit(2);
		_exit(0);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	run_probe(_metadata, ops, self->out, sizeof(self->out));
	expect_line(_metadata, self->out, "read:tmp_on_exec/b/f=EACCES");
	expect_line(_metadata, self->out, "layers=1");
}

/* The execution consumes the armed ruleset: the next one adds no layer. */
TEST_F(on_exec, consumed_by_exec)
{
	const char *const allowed[] = { dir_a, NULL };
	const char *const ops[] = { "layers", "exec-layers", NULL };

	arm(_metadata, allowed, NNP);
	run_probe(_metadata, ops, self->out, sizeof(self->out));
	expect_line(_metadata, self->out, "layers=1");
	expect_line(_metadata, self->out, "exec-layers=1");
}

#ifndef AT_EXECVE_CHECK
#define AT_EXECVE_CHECK 0x10000
#endif

/*
 * execveat(2) with AT_EXECVE_CHECK only checks that the file may be
 * executed: it neither consumes the armed ruleset nor restricts the caller.
 */
TEST_F(on_exec, execve_check_keeps_slot)
{
	const char *const allowed[] = { dir_a, NULL };
	const char *const ops[] = { "layers", NULL };
	const char *const argv[] = { probe, NULL };
	const char *const envp[] = { NULL };

	arm(_metadata, allowed, NNP);
	EXPECT_EQ(0, syscall(__NR_execveat, AT_FDCWD, probe, argv, envp,
			     AT_EXECVE_CHECK));
	EXPECT_TRUE(can_read(file_b));
	run_probe(_metadata, ops, self->out, sizeof(self->out));
	expect_line(_metadata, self->out, "layers=1");
}

/* A "#!" script interpreted by the probe, which reads the script back. */
static void write_script(struct __test_metadata *const _metadata,
			 const char *const path)
{
	char interp[PATH_MAX], body[PATH_MAX + 32];
	int fd, len;

	ASSERT_EQ(&interp[0], realpath(probe, interp));
	len = snprintf(body, sizeof(body), "#!%s script\n", interp);
	fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0700);
	ASSERT_LE(0, fd);
	ASSERT_EQ(len, write(fd, body, len));
	ASSERT_EQ(0, close(fd));
}

/*
 * A #! script is opened twice: by the kernel, before the point of no return
 * (to find its interpreter), then by its interpreter, under the new domain.
 * A script that the armed ruleset does not allow to read thus starts, but
 * its interpreter cannot read it; one it allows is read.
 */
TEST_F(on_exec, script_read_under_new_domain)
{
	const char *const allowed[] = { dir_a, NULL };
	const char *const ops[] = { "layers", NULL };
	const char *const allowed_script = "tmp_on_exec/a/script";
	const char *const denied_script = "tmp_on_exec/c/script";

	write_script(_metadata, allowed_script);
	write_script(_metadata, denied_script);
	arm(_metadata, allowed, NNP);

	/* The interpreter ran (exit 0), restricted, and read its script... */
	EXPECT_EQ(0, run_path(_metadata, allowed_script, ops, self->out,
			      sizeof(self->out)));
	expect_line(_metadata, self->out, "script=ok");
	expect_line(_metadata, self->out, "layers=1");

	/* ...or ran, restricted, and could not read it. */
	EXPECT_EQ(0, run_path(_metadata, denied_script, ops, self->out,
			      sizeof(self->out)));
	expect_line(_metadata, self->out, "script=EACCES");
	expect_line(_metadata, self->out, "layers=1");
	/* Not restricted itself, the launcher can still read both. */
	EXPECT_TRUE(can_read(denied_script));

	EXPECT_EQ(0, unlink(allowed_script));
	EXPECT_EQ(0, unlink(denied_script));
}

/*
 * Arming freezes the policy: rules added to the ruleset after arming are not
 * enforced, as with an immediate enforcement.
 */
TEST_F(on_exec, rule_added_after_arming_not_enforced)
{
	const char *const allowed[] = { dir_a, NULL };
	const char *const ops[] = { "read:tmp_on_exec/a/f",
				    "read:tmp_on_exec/b/f", NULL };
	struct landlock_path_beneath_attr path_beneath = {
		.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE,
	};
	const int ruleset_fd = create_read_ruleset(_metadata, allowed);

	ASSERT_EQ(0, landlock_restrict_self(ruleset_fd, ON_EXEC | NNP));
	path_beneath.parent_fd = open(dir_b, O_PATH | O_CLOEXEC);
	ASSERT_LE(0, path_beneath.parent_fd);
	ASSERT_EQ(0, landlock_add_rule(ruleset_fd, LANDLOCK_RULE_PATH_BENEATH,
				       &path_beneath, 0));
	close(path_beneath.parent_fd);

	run_probe(_metadata, ops, self->out, sizeof(self->out));
	expect_line(_metadata, self->out, "read:tmp_on_exec/a/f=ok");
	expect_line(_metadata, self->out, "read:tmp_on_exec/b/f=EACCES");

	/* Arming again takes the ruleset as it is now. */
	ASSERT_EQ(0, landlock_restrict_self(ruleset_fd, ON_EXEC));
	close(ruleset_fd);
	run_probe(_metadata, ops, self->out, sizeof(self->out));
	expect_line(_metadata, self->out, "read:tmp_on_exec/a/f=ok");
	expect_line(_metadata, self->out, "read:tmp_on_exec/b/f=ok");
}

/*
 * Failed executions leave the armed ruleset (and everything else) intact:
 * ENOENT, ENOEXEC, E2BIG.
 */
TEST_F(on_exec, failed_exec_keeps_slot)
{
	const char *const allowed[] = { dir_a, NULL };
	const char *const ops[] = { "read:tmp_on_exec/b/f", "layers", "nnp",
				    NULL };
	static char *const noargv[] = { "x", NULL };
	const size_t big_len = 256 * 1024;
	char *big_argv[3] = {};
	int fd;

	/* Armed as CAP_SYS_ADMIN, without no_new_privs. */
	set_cap(_metadata, CAP_SYS_ADMIN);
	arm(_metadata, allowed, 0);
	clear_cap(_metadata, CAP_SYS_ADMIN);

	EXPECT_EQ(-1, execve("tmp_on_exec/does-not-exist", noargv, NULL));
	EXPECT_EQ(ENOENT, errno);

	/* An executable file that no binary format recognizes. */
	set_cap(_metadata, CAP_DAC_OVERRIDE);
	fd = open("tmp_on_exec/a/garbage", O_CREAT | O_WRONLY | O_CLOEXEC,
		  0700);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4, write(fd, "\x01\x02\x03\x04", 4));
	close(fd);
	clear_cap(_metadata, CAP_DAC_OVERRIDE);
	EXPECT_EQ(-1, execve("tmp_on_exec/a/garbage", noargv, NULL));
	EXPECT_EQ(ENOEXEC, errno);
	unlink("tmp_on_exec/a/garbage");

	/* Arguments too long for a single string. */
	big_argv[0] = noargv[0];
	big_argv[1] = malloc(big_len);
	ASSERT_NE(NULL, big_argv[1]);
	memset(big_argv[1], 'a', big_len - 1);
	big_argv[1][big_len - 1] = '\0';
	EXPECT_EQ(-1, execve(probe, big_argv, NULL));
	EXPECT_EQ(E2BIG, errno);
	free(big_argv[1]);

	/* No side effect on the caller. */
	EXPECT_TRUE(can_read(file_b));
	EXPECT_EQ(0, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));

	/* The slot is still armed. */
	run_probe(_metadata, ops, self->out, sizeof(self->out));
	expect_line(_metadata, self->out, "read:tmp_on_exec/b/f=EACCES");
	expect_line(_metadata, self->out, "layers=1");
	expect_line(_metadata, self->out, "nnp=0");
}

/* An execution denied by an LSM (Landlock here) keeps the slot too. */
TEST_F(on_exec, denied_exec_keeps_slot)
{
	const struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_EXECUTE,
	};
	struct landlock_path_beneath_attr path_beneath = {
		.allowed_access = LANDLOCK_ACCESS_FS_EXECUTE,
	};
	const char *const allowed[] = { dir_a, NULL };
	const char *const ops[] = { "read:tmp_on_exec/b/f", "layers", NULL };
	static char *const argv[] = { "true", NULL };
	int ruleset_fd;

	arm(_metadata, allowed, NNP);

	/* Only the probe may be executed. */
	ruleset_fd = landlock_create_ruleset(&attr, sizeof(attr), 0);
	ASSERT_LE(0, ruleset_fd);
	path_beneath.parent_fd = open(probe, O_PATH | O_CLOEXEC);
	ASSERT_LE(0, path_beneath.parent_fd);
	ASSERT_EQ(0, landlock_add_rule(ruleset_fd, LANDLOCK_RULE_PATH_BENEATH,
				       &path_beneath, 0));
	close(path_beneath.parent_fd);
	ASSERT_EQ(0, landlock_restrict_self(ruleset_fd, 0));
	close(ruleset_fd);

	EXPECT_EQ(-1, execve("./true", argv, NULL));
	EXPECT_EQ(EACCES, errno);
	EXPECT_TRUE(can_read(file_b));

	run_probe(_metadata, ops, self->out, sizeof(self->out));
	expect_line(_metadata, self->out, "read:tmp_on_exec/b/f=EACCES");
	/* The execution-only layer, then the armed one. */
	expect_line(_metadata, self->out, "layers=2");
}

/*
 * An immediate restriction between arming and executing loses no layer: the
 * existing domain (with the immediate layer) comes first, then the armed
 * ruleset.
 */
TEST_F(on_exec, order_with_immediate_restriction)
{
	const char *const armed[] = { dir_a, dir_b, NULL };
	const char *const immediate[] = { dir_a, dir_c, NULL };
	const char *const ops[] = { "read:tmp_on_exec/a/f",
				    "read:tmp_on_exec/b/f",
				    "read:tmp_on_exec/c/f", "layers", NULL };

	arm(_metadata, armed, NNP);
	enforce_now(_metadata, immediate);
	EXPECT_TRUE(can_read(file_a));
	EXPECT_FALSE(can_read(file_b));
	EXPECT_TRUE(can_read(file_c));

	run_probe(_metadata, ops, self->out, sizeof(self->out));
	expect_line(_metadata, self->out, "read:tmp_on_exec/a/f=ok");
	expect_line(_metadata, self->out, "read:tmp_on_exec/b/f=EACCES");
	expect_line(_metadata, self->out, "read:tmp_on_exec/c/f=EACCES");
	expect_line(_metadata, self->out, "layers=2");
}

/* Without no_new_privs or CAP_SYS_ADMIN: EPERM, and nothing is stored. */
TEST_F(on_exec, eperm_without_nnp_or_cap)
{
	const char *const ops[] = { "layers", NULL };
	const int ruleset_fd = create_read_ruleset(_metadata, NULL);

	drop_caps(_metadata);
	ASSERT_EQ(0, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	EXPECT_EQ(-1, landlock_restrict_self(ruleset_fd, ON_EXEC));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, landlock_restrict_self(ruleset_fd,
					     ON_EXEC | LOG_NEW_EXEC_ON));
	EXPECT_EQ(EPERM, errno);
	/* Disarming needs the same privilege. */
	EXPECT_EQ(-1, landlock_restrict_self(-1, ON_EXEC));
	EXPECT_EQ(EPERM, errno);
	close(ruleset_fd);

	run_probe(_metadata, ops, self->out, sizeof(self->out));
	expect_line(_metadata, self->out, "layers=0");
}

/* LANDLOCK_RESTRICT_SELF_NO_NEW_PRIVS sets no_new_privs when arming. */
TEST_F(on_exec, no_new_privs_flag)
{
	const char *const allowed[] = { dir_a, NULL };
	const char *const ops[] = { "read:tmp_on_exec/b/f", "nnp", NULL };

	drop_caps(_metadata);
	ASSERT_EQ(0, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	arm(_metadata, allowed, NNP);
	EXPECT_EQ(1, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	EXPECT_TRUE(can_read(file_b));

	run_probe(_metadata, ops, self->out, sizeof(self->out));
	expect_line(_metadata, self->out, "read:tmp_on_exec/b/f=EACCES");
	expect_line(_metadata, self->out, "nnp=1");
}

/* A failed call sets no no_new_privs. */
TEST_F(on_exec, no_new_privs_only_on_success)
{
	drop_caps(_metadata);
	EXPECT_EQ(-1, landlock_restrict_self(-2, ON_EXEC | NNP));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
}

/* Flag combinations. */
TEST_F(on_exec, invalid_flags)
{
	const int ruleset_fd = create_read_ruleset(_metadata, NULL);

	ASSERT_EQ(0, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	EXPECT_EQ(-1, landlock_restrict_self(-1, ON_EXEC | TSYNC | NNP));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, landlock_restrict_self(-1, ON_EXEC | NNP));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, landlock_restrict_self(-1, ON_EXEC | LOG_SUBDOMAINS_OFF));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, landlock_restrict_self(ruleset_fd, ON_EXEC << 1));
	EXPECT_EQ(EINVAL, errno);

	/* Valid combinations. */
	EXPECT_EQ(0, landlock_restrict_self(ruleset_fd,
					    ON_EXEC | LOG_SAME_EXEC_OFF |
						    LOG_NEW_EXEC_ON |
						    LOG_SUBDOMAINS_OFF | NNP));
	EXPECT_EQ(0, landlock_restrict_self(ruleset_fd, ON_EXEC | TSYNC));
	EXPECT_EQ(0, landlock_restrict_self(-1, ON_EXEC | TSYNC));
	close(ruleset_fd);
}

/*
 * A sibling thread that forks and executes the probe, as the process
 * spawning code of Go, Java or tokio does from whatever thread runs it.
 */
struct sibling {
	pthread_t thread;
	/*
	 * Write "e" to execute the probe, "n" to get no_new_privs, "q" to
	 * quit.
	 */
	int cmd[2];
	/* Per request: 'y' (sandboxed, or set), 'n' (not), 'x' (failure). */
	int result[2];
	/* Arm a ruleset of its own first: the thread then has its own creds. */
	bool own_creds;
	/* The test's, for run_path(). */
	struct __test_metadata *metadata;
};

/* Gives this thread its own credentials (armed, then disarmed). */
static int own_creds(void)
{
	const struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE,
	};
	const int fd = landlock_create_ruleset(&attr, sizeof(attr), 0);
	int err;

	/* no_new_privs only for this thread, which may then arm. */
	if (fd < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	err = landlock_restrict_self(fd, ON_EXEC) ||
	      landlock_restrict_self(-1, ON_EXEC);
	close(fd);
	return err;
}

/*
 * 'y' if the probe executed by a child of this thread is sandboxed.  The
 * test's thread waits for the answer, so run_path() is not concurrent with
 * its assertions.
 */
static char sibling_exec(struct __test_metadata *const _metadata)
{
	const char *const ops[] = { "read:tmp_on_exec/b/f", NULL };
	char out[256];

	if (run_path(_metadata, probe, ops, out, sizeof(out)))
		return 'x';
	if (strstr(out, "=EACCES\n"))
		return 'y';
	return strstr(out, "=ok\n") ? 'n' : 'x';
}

/* 'A' + the number of layers of the probe executed by a child, or 'x'. */
static char sibling_exec_layers(struct __test_metadata *const _metadata)
{
	const char *const ops[] = { "layers", NULL };
	char out[256];
	const char *p;

	if (run_path(_metadata, probe, ops, out, sizeof(out)))
		return 'x';
	p = strstr(out, "layers=");
	return p ? 'A' + atoi(p + strlen("layers=")) : 'x';
}

/*
 * Enforces one more layer on the calling thread only (it then has its own
 * credentials).  Needs no_new_privs.
 */
static int stack_one_layer(void)
{
	const struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_MAKE_SOCK,
	};
	const int fd = landlock_create_ruleset(&attr, sizeof(attr), 0);
	int err;

	if (fd < 0)
		return -1;
	err = landlock_restrict_self(fd, 0);
	close(fd);
	return err;
}

static void *sibling_main(void *const arg)
{
	struct sibling *const sib = arg;
	const bool ready = !sib->own_creds || !own_creds();
	char cmd;

	/* Answers every request, with 'x' if something failed. */
	while (read(sib->cmd[0], &cmd, 1) == 1 && strchr("enls", cmd)) {
		if (!ready)
			cmd = 'x';
		else if (cmd == 'e')
			cmd = sibling_exec(sib->metadata);
		else if (cmd == 'l')
			cmd = sibling_exec_layers(sib->metadata);
		else if (cmd == 's')
			cmd = stack_one_layer() ? 'x' : 'y';
		else
			cmd = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) ? 'y' :
								       'n';
		if (write(sib->result[1], &cmd, 1) != 1)
			break;
	}
	return NULL;
}

static void start_sibling(struct __test_metadata *const _metadata,
			  struct sibling *const sib, const bool own_creds)
{
	sib->own_creds = own_creds;
	sib->metadata = _metadata;
	ASSERT_EQ(0, pipe2(sib->cmd, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(sib->result, O_CLOEXEC));
	ASSERT_EQ(0, pthread_create(&sib->thread, NULL, sibling_main, sib));
}

/* Does the sibling run with no_new_privs? */
static bool sibling_nnp(struct __test_metadata *const _metadata,
			struct sibling *const sib)
{
	char r = 0;

	EXPECT_EQ(1, write(sib->cmd[1], "n", 1));
	EXPECT_EQ(1, read(sib->result[0], &r, 1));
	EXPECT_TRUE(r == 'y' || r == 'n');
	return r == 'y';
}

/* Is the probe that the sibling executes sandboxed? */
static bool sibling_exec_sandboxed(struct __test_metadata *const _metadata,
				   struct sibling *const sib)
{
	char r = 0;

	EXPECT_EQ(1, write(sib->cmd[1], "e", 1));
	EXPECT_EQ(1, read(sib->result[0], &r, 1));
	EXPECT_TRUE(r == 'y' || r == 'n')
	{
		TH_LOG("the sibling thread failed to execute the probe");
	}
	return r == 'y';
}

/* How many layers has the probe that the sibling executes? */
static int sibling_exec_num_layers(struct __test_metadata *const _metadata,
				   struct sibling *const sib)
{
	char r = 0;

	EXPECT_EQ(1, write(sib->cmd[1], "l", 1));
	EXPECT_EQ(1, read(sib->result[0], &r, 1));
	EXPECT_NE('x', r);
	return r - 'A';
}

/* Enforces one more layer on the sibling, now. */
static void sibling_stack_layer(struct __test_metadata *const _metadata,
				struct sibling *const sib)
{
	char r = 0;

	EXPECT_EQ(1, write(sib->cmd[1], "s", 1));
	EXPECT_EQ(1, read(sib->result[0], &r, 1));
	EXPECT_EQ('y', r);
}

static void stop_sibling(struct __test_metadata *const _metadata,
			 struct sibling *const sib)
{
	EXPECT_EQ(1, write(sib->cmd[1], "q", 1));
	EXPECT_EQ(0, pthread_join(sib->thread, NULL));
	close(sib->cmd[0]);
	close(sib->cmd[1]);
	close(sib->result[0]);
	close(sib->result[1]);
}

/*
 * Plain ON_EXEC arms the calling thread only: a sibling thread's child
 * executes unsandboxed.  That is why launchers that fork from any thread
 * need TSYNC.
 */
TEST_F(on_exec, plain_arm_is_per_thread)
{
	const char *const allowed[] = { dir_a, NULL };
	const char *const ops[] = { "read:tmp_on_exec/b/f", NULL };
	struct sibling sib;

	start_sibling(_metadata, &sib, false);
	arm(_metadata, allowed, NNP);
	EXPECT_FALSE(sibling_exec_sandboxed(_metadata, &sib));
	/* The caller is armed. */
	run_probe(_metadata, ops, self->out, sizeof(self->out));
	expect_line(_metadata, self->out, "read:tmp_on_exec/b/f=EACCES");
	stop_sibling(_metadata, &sib);
}

/*
 * ON_EXEC | TSYNC arms every thread, whether it shares the caller's
 * credentials or has its own; (-1, ON_EXEC | TSYNC) disarms them all.  The
 * enforced domains do not change.
 */
TEST_F(on_exec, tsync_arms_every_thread)
{
	const char *const allowed[] = { dir_a, NULL };
	const char *const ops[] = { "read:tmp_on_exec/b/f", NULL };
	struct sibling shared, own;

	start_sibling(_metadata, &shared, false);
	start_sibling(_metadata, &own, true);
	/* The sibling with its own credentials also has its own domain. */
	sibling_stack_layer(_metadata, &own);
	EXPECT_FALSE(sibling_exec_sandboxed(_metadata, &own));
	EXPECT_EQ(1, sibling_exec_num_layers(_metadata, &own));

	arm(_metadata, allowed, TSYNC | NNP);
	EXPECT_TRUE(sibling_exec_sandboxed(_metadata, &shared));
	EXPECT_TRUE(sibling_exec_sandboxed(_metadata, &own));
	/* Each thread's child stacks the armed layer on its own domain. */
	EXPECT_EQ(1, sibling_exec_num_layers(_metadata, &shared));
	EXPECT_EQ(2, sibling_exec_num_layers(_metadata, &own));
	run_probe(_metadata, ops, self->out, sizeof(self->out));
	expect_line(_metadata, self->out, "read:tmp_on_exec/b/f=EACCES");
	/* Nobody is restricted before executing. */
	EXPECT_TRUE(can_read(file_b));

	ASSERT_EQ(0, landlock_restrict_self(-1, ON_EXEC | TSYNC));
	EXPECT_FALSE(sibling_exec_sandboxed(_metadata, &shared));
	EXPECT_FALSE(sibling_exec_sandboxed(_metadata, &own));
	run_probe(_metadata, ops, self->out, sizeof(self->out));
	expect_line(_metadata, self->out, "read:tmp_on_exec/b/f=ok");

	stop_sibling(_metadata, &shared);
	stop_sibling(_metadata, &own);
}

/*
 * ON_EXEC | TSYNC is all or nothing: if a sibling thread already enforces the
 * maximum number of layers, no execution of it could enforce the ruleset, and
 * the call fails with E2BIG, arming no thread.
 */
TEST_F(on_exec, tsync_refused_if_a_sibling_is_full)
{
	const char *const allowed[] = { dir_a, NULL };
	const char *const ops[] = { "read:tmp_on_exec/b/f", NULL };
	const int ruleset_fd = create_read_ruleset(_metadata, allowed);
	struct sibling shared, own;
	int i;

	ASSERT_EQ(0, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	start_sibling(_metadata, &shared, false);
	start_sibling(_metadata, &own, true);
	for (i = 0; i < 16; i++)
		sibling_stack_layer(_metadata, &own);

	EXPECT_EQ(-1, landlock_restrict_self(ruleset_fd, ON_EXEC | TSYNC));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_FALSE(sibling_exec_sandboxed(_metadata, &shared));
	EXPECT_EQ(16, sibling_exec_num_layers(_metadata, &own));
	run_probe(_metadata, ops, self->out, sizeof(self->out));
	expect_line(_metadata, self->out, "read:tmp_on_exec/b/f=ok");

	/* Without TSYNC, the calling thread alone can still arm. */
	EXPECT_EQ(0, landlock_restrict_self(ruleset_fd, ON_EXEC));
	EXPECT_FALSE(sibling_exec_sandboxed(_metadata, &shared));
	run_probe(_metadata, ops, self->out, sizeof(self->out));
	expect_line(_metadata, self->out, "read:tmp_on_exec/b/f=EACCES");

	close(ruleset_fd);
	stop_sibling(_metadata, &shared);
	stop_sibling(_metadata, &own);
}

/* ON_EXEC | TSYNC keeps the privilege rule of TSYNC. */
TEST_F(on_exec, tsync_eperm_without_nnp_or_cap)
{
	const int ruleset_fd = create_read_ruleset(_metadata, NULL);
	struct sibling sib;

	start_sibling(_metadata, &sib, false);
	EXPECT_EQ(-1, landlock_restrict_self(ruleset_fd, ON_EXEC | TSYNC));
	EXPECT_EQ(EPERM, errno);
	EXPECT_FALSE(sibling_exec_sandboxed(_metadata, &sib));
	EXPECT_FALSE(sibling_nnp(_metadata, &sib));
	/* With NO_NEW_PRIVS, every thread gets no_new_privs. */
	EXPECT_EQ(0, landlock_restrict_self(ruleset_fd, ON_EXEC | TSYNC | NNP));
	EXPECT_EQ(1, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	EXPECT_TRUE(sibling_nnp(_metadata, &sib));
	EXPECT_TRUE(sibling_exec_sandboxed(_metadata, &sib));
	stop_sibling(_metadata, &sib);
	close(ruleset_fd);
}

/* Bad file descriptors. */
TEST_F(on_exec, bad_ruleset_fd)
{
	const int not_ruleset = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	ASSERT_EQ(0, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	EXPECT_EQ(-1, landlock_restrict_self(-2, ON_EXEC));
	EXPECT_EQ(EBADF, errno);
	ASSERT_LE(0, not_ruleset);
	EXPECT_EQ(-1, landlock_restrict_self(not_ruleset, ON_EXEC));
	EXPECT_EQ(EBADFD, errno);
	close(not_ruleset);
}

/* Stacks @n layers that only handle socket creation, harmless here. */
static void stack_layers(struct __test_metadata *const _metadata, int n)
{
	const struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_MAKE_SOCK,
	};

	for (; n > 0; n--) {
		const int ruleset_fd =
			landlock_create_ruleset(&attr, sizeof(attr), 0);

		ASSERT_LE(0, ruleset_fd);
		ASSERT_EQ(0, landlock_restrict_self(ruleset_fd, 0));
		close(ruleset_fd);
	}
}

/* The last layer that fits is enforced. */
TEST_F(on_exec, max_layers)
{
	const char *const allowed[] = { dir_a, NULL };
	const char *const ops[] = { "read:tmp_on_exec/b/f", "layers", NULL };

	ASSERT_EQ(0, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	stack_layers(_metadata, 15);
	arm(_metadata, allowed, 0);
	run_probe(_metadata, ops, self->out, sizeof(self->out));
	expect_line(_metadata, self->out, "read:tmp_on_exec/b/f=EACCES");
	expect_line(_metadata, self->out, "layers=16");
}

/*
 * One layer too many: if layers were stacked after arming, the execution
 * fails with EPERM (not E2BIG, "argument list too long") and the caller is
 * fine; once the limit is reached, arming is refused with E2BIG, as an
 * immediate enforcement.
 */
TEST_F(on_exec, too_many_layers)
{
	const char *const allowed[] = { dir_a, NULL };
	const char *const ops[] = { "layers", NULL };
	static char *const argv[] = { "on-exec-probe", "layers", NULL };
	int ruleset_fd;

	ASSERT_EQ(0, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	arm(_metadata, allowed, 0);
	stack_layers(_metadata, 16);

	EXPECT_EQ(-1, execve(probe, argv, NULL));
	EXPECT_EQ(EPERM, errno);
	/* Still running, with its 16 layers (which handle no access here). */
	EXPECT_TRUE(can_read(file_b));
	ruleset_fd = create_read_ruleset(_metadata, NULL);
	EXPECT_EQ(-1, landlock_restrict_self(ruleset_fd, 0));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(-1, landlock_restrict_self(ruleset_fd, ON_EXEC));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(-1, landlock_restrict_self(ruleset_fd, ON_EXEC | TSYNC));
	EXPECT_EQ(E2BIG, errno);
	close(ruleset_fd);
	/* The refused calls left the armed ruleset in place. */
	EXPECT_EQ(-1, execve(probe, argv, NULL));
	EXPECT_EQ(EPERM, errno);

	/* Disarmed (every thread, at 16 layers), the execution succeeds. */
	ASSERT_EQ(0, landlock_restrict_self(-1, ON_EXEC | TSYNC));
	run_probe(_metadata, ops, self->out, sizeof(self->out));
	expect_line(_metadata, self->out, "layers=16");
}

/*
 * Each execution gets its own domain: two programs sandboxed separately by
 * the same armed ruleset, which scopes signals and abstract unix sockets,
 * can neither signal each other nor connect to each other's sockets.
 */
TEST_F(on_exec, separate_executions_are_isolated)
{
	const struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE,
		.scoped = LANDLOCK_SCOPE_SIGNAL |
			  LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET,
	};
	static const char *const argv_a[] = { "on-exec-probe", "layers",
					      "listen-abstract:on_exec_a",
					      "wait", NULL };
	/* A is sandboxed (one layer) and listens. */
	const char *const line = "layers=1\nlisten-abstract:on_exec_a=ok\n";
	char signal_a[32], out_a[80] = {};
	int ruleset_fd, in[2], out[2], status;
	size_t len = 0;
	pid_t a;

	ruleset_fd = landlock_create_ruleset(&attr, sizeof(attr), 0);
	ASSERT_LE(0, ruleset_fd);
	allow_read(_metadata, ruleset_fd, probe);
	ASSERT_EQ(0, landlock_restrict_self(ruleset_fd, ON_EXEC | NNP));
	ASSERT_EQ(0, close(ruleset_fd));

	/* A listens, then waits for its standard input to be closed. */
	ASSERT_EQ(0, pipe2(in, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(out, O_CLOEXEC));
	a = fork();
	ASSERT_LE(0, a);
	if (a == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		execv(probe, (char *const *)argv_a);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	while (len < strlen(line)) {
		const ssize_t n = read(out[0], out_a + len, strlen(line) - len);

		ASSERT_LT(0, n);
		len += n;
	}
	ASSERT_STREQ(line, out_a);

	/* A is there: this unsandboxed process may signal and reach it. */
	EXPECT_EQ(0, kill(a, 0));

	/* B, another execution with the same armed ruleset, may not. */
	snprintf(signal_a, sizeof(signal_a), "signal:%d", a);
	{
		const char *const ops_b[] = { signal_a,
					      "connect-abstract:on_exec_a",
					      NULL };

		run_probe(_metadata, ops_b, self->out, sizeof(self->out));
	}
	snprintf(signal_a, sizeof(signal_a), "signal:%d=EPERM", a);
	expect_line(_metadata, self->out, signal_a);
	expect_line(_metadata, self->out, "connect-abstract:on_exec_a=EPERM");

	/* A ends once its standard input is closed. */
	close(in[1]);
	len = 0;
	while (len < sizeof(out_a) - 1) {
		const ssize_t n =
			read(out[0], out_a + len, sizeof(out_a) - 1 - len);

		if (n <= 0)
			break;
		len += n;
	}
	out_a[len] = '\0';
	close(out[0]);
	EXPECT_STREQ("wait=ok\n", out_a);
	ASSERT_EQ(a, waitpid(a, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/*
 * A set-user-ID program executed with an armed ruleset and no_new_privs (as
 * required from an unprivileged caller) does not gain privileges and is
 * restricted.
 */
TEST_F(on_exec, setuid_exec)
{
	const char *const allowed[] = { dir_a, NULL };
	const char *const ops[] = { "euid", "read:tmp_on_exec/b/f", NULL };
	static const char suid_probe[] = "tmp_on_exec/suid-probe";
	int src, dst;
	char buf[4096];
	ssize_t n;

	/* Copies the probe as a set-user-ID-root program. */
	set_cap(_metadata, CAP_DAC_OVERRIDE);
	src = open(probe, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, src);
	dst = open(suid_probe, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0755);
	ASSERT_LE(0, dst);
	while ((n = read(src, buf, sizeof(buf))) > 0)
		ASSERT_EQ(n, write(dst, buf, n));
	close(src);
	close(dst);
	ASSERT_EQ(0, chmod(suid_probe, 04755));
	/* The directory must be reachable by an unprivileged user. */
	ASSERT_EQ(0, chmod("tmp_on_exec", 0755));
	ASSERT_EQ(0, chmod(dir_b, 0755));
	ASSERT_EQ(0, chmod(file_b, 0644));
	clear_cap(_metadata, CAP_DAC_OVERRIDE);

	/* Without arming, the program gains privileges (as a baseline). */
	set_cap(_metadata, CAP_SETUID);
	ASSERT_EQ(0, setresuid(1000, 1000, 1000));
	EXPECT_EQ(0, run_path(_metadata, suid_probe, ops, self->out,
			      sizeof(self->out)));
	expect_line(_metadata, self->out, "euid=0");

	arm(_metadata, allowed, NNP);
	EXPECT_EQ(0, run_path(_metadata, suid_probe, ops, self->out,
			      sizeof(self->out)));
	expect_line(_metadata, self->out, "euid=1000");
	expect_line(_metadata, self->out, "read:tmp_on_exec/b/f=EACCES");
}

/* Counts the lines of @buf that contain @str. */
static int count_lines(const char *buf, const char *const str)
{
	int n = 0;

	while ((buf = strstr(buf, str))) {
		n++;
		buf += strlen(str);
	}
	return n;
}

/*
 * Exec-time enforcement is visible to tracing, and told apart from immediate
 * enforcement: arming emits landlock_freeze_ruleset (the source ruleset at
 * its version, and its frozen copy), the execution emits
 * landlock_create_domain from the copy and, at its point of no return,
 * landlock_enforce_domain_exec for that domain, never
 * landlock_enforce_domain.  An execution that fails emits neither.
 */
TEST_F(on_exec, trace_events_at_exec)
{
	static const char *const events[] = {
		TRACEFS_CREATE_RULESET_ENABLE,
		TRACEFS_FREEZE_RULESET_ENABLE,
		TRACEFS_CREATE_DOMAIN_ENABLE,
		TRACEFS_ENFORCE_DOMAIN_ENABLE,
		TRACEFS_ENFORCE_DOMAIN_EXEC_ENABLE,
	};
	const char *const allowed[] = { dir_a, NULL };
	static char *const argv[] = { "on-exec-probe", "read:tmp_on_exec/b/f",
				      NULL };
	unsigned long long ruleset, version, src, frozen, dom, parent, from;
	unsigned long long from_version, enforced;
	int bpf_armed, user_armed, nnp, status, n;
	const char *p;
	char *trace;
	size_t i;
	pid_t child;

	ASSERT_EQ(0, tracefs_setup());
	ASSERT_EQ(0, tracefs_clear());
	for (i = 0; i < ARRAY_SIZE(events); i++)
		ASSERT_EQ(0, tracefs_enable_event(events[i], true));

	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		int fd;

		ASSERT_EQ(0, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
		fd = create_read_ruleset(_metadata, allowed);
		ASSERT_EQ(0, landlock_restrict_self(fd, ON_EXEC));
		/* Unchanged since: the same frozen copy is armed again. */
		ASSERT_EQ(0, landlock_restrict_self(fd, ON_EXEC));
		close(fd);
		ASSERT_EQ(-1, execve("tmp_on_exec/does-not-exist", argv, NULL));
		execve(probe, argv, NULL);
		_exit(1);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	trace = tracefs_read_trace();
	for (i = 0; i < ARRAY_SIZE(events); i++)
		tracefs_enable_event(events[i], false);
	ASSERT_NE(NULL, trace);

	/*
	 * One ruleset, frozen once (armed twice), one domain, enforced once at
	 * exec.
	 */
	EXPECT_EQ(1, count_lines(trace, "landlock_create_ruleset: "));
	EXPECT_EQ(1, count_lines(trace, "landlock_freeze_ruleset: "));
	EXPECT_EQ(1, count_lines(trace, "landlock_create_domain: "));
	EXPECT_EQ(1, count_lines(trace, "landlock_enforce_domain_exec: "));
	EXPECT_EQ(0, count_lines(trace, "landlock_enforce_domain: "));

	p = strstr(trace, "landlock_create_ruleset: ");
	ASSERT_NE(NULL, p);
	n = sscanf(p, "landlock_create_ruleset: ruleset=%llx", &ruleset);
	ASSERT_EQ(1, n);
	p = strstr(trace, "landlock_freeze_ruleset: ");
	ASSERT_NE(NULL, p);
	n = sscanf(p, "landlock_freeze_ruleset: ruleset=%llx.%llu frozen=%llx",
		   &src, &version, &frozen);
	ASSERT_EQ(3, n);
	EXPECT_EQ(ruleset, src);
	/* Frozen after its two rules were added (the probe and dir_a). */
	EXPECT_EQ(2, version);
	EXPECT_NE(ruleset, frozen);
	p = strstr(trace, "landlock_create_domain: ");
	ASSERT_NE(NULL, p);
	p += strlen("landlock_create_domain: ");
	n = sscanf(p, "domain=%llx parent=%llx ruleset=%llx.%llu", &dom,
		   &parent, &from, &from_version);
	ASSERT_EQ(4, n);
	EXPECT_EQ(0, parent);
	EXPECT_EQ(frozen, from);
	EXPECT_EQ(version, from_version);
	p = strstr(trace, "landlock_enforce_domain_exec: ");
	ASSERT_NE(NULL, p);
	p += strlen("landlock_enforce_domain_exec: ");
	n = sscanf(p, "domain=%llx armed_bpf=%d armed_user=%d no_new_privs=%d",
		   &enforced, &bpf_armed, &user_armed, &nnp);
	ASSERT_EQ(4, n);
	EXPECT_EQ(dom, enforced);
	EXPECT_EQ(0, bpf_armed);
	EXPECT_EQ(1, user_armed);
	EXPECT_EQ(1, nnp);
	free(trace);
}

#define DEEP_LEVELS 20
#define DEEP_NAME_LEN 250

/*
 * Copies the probe into a directory whose full path (20 levels of 250
 * characters) is longer than PATH_MAX, which only limits the path given to
 * execve(2).  @fds gets a file descriptor of each level, from tmp_on_exec
 * (@fds[0]) to the deepest one.
 */
static void make_deep_probe(struct __test_metadata *const _metadata,
			    int fds[DEEP_LEVELS + 1], const char *const name)
{
	int src, dst, level;
	char buf[4096];
	ssize_t n;

	fds[0] = open("tmp_on_exec", O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, fds[0]);
	for (level = 1; level <= DEEP_LEVELS; level++) {
		ASSERT_EQ(0, mkdirat(fds[level - 1], name, 0700));
		fds[level] =
			openat(fds[level - 1], name, O_DIRECTORY | O_CLOEXEC);
		ASSERT_LE(0, fds[level]);
	}
	src = open(probe, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, src);
	dst = openat(fds[DEEP_LEVELS], "t", O_CREAT | O_WRONLY | O_CLOEXEC,
		     0700);
	ASSERT_LE(0, dst);
	while ((n = read(src, buf, sizeof(buf))) > 0)
		ASSERT_EQ(n, write(dst, buf, n));
	close(src);
	close(dst);
}

static void remove_deep_probe(struct __test_metadata *const _metadata,
			      int fds[DEEP_LEVELS + 1], const char *const name)
{
	int level;

	EXPECT_EQ(0, unlinkat(fds[DEEP_LEVELS], "t", 0));
	for (level = DEEP_LEVELS; level > 0; level--) {
		close(fds[level]);
		EXPECT_EQ(0, unlinkat(fds[level - 1], name, AT_REMOVEDIR));
	}
	close(fds[0]);
}

/*
 * A program whose full path does not fit in a path buffer: the audit
 * details of its layers record a placeholder, and neither the armed
 * execution (its program named as the creator of the new layer) nor an
 * immediate restriction by that program (named as the creator too: the
 * probe's "layers" stacks layers in a child) fails or warns.  A WARNING on
 * the console fails make check.
 */
TEST_F(on_exec, deep_path)
{
	const char *const argv[] = { "t", "layers", "nnp", NULL };
	char name[DEEP_NAME_LEN + 1], out[256] = {};
	int fds[DEEP_LEVELS + 1], pipefd[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t child;

	memset(name, 'd', DEEP_NAME_LEN);
	name[DEEP_NAME_LEN] = '\0';
	make_deep_probe(_metadata, fds, name);
	arm(_metadata, NULL, NNP);
	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		if (fchdir(fds[DEEP_LEVELS]))
			_exit(126);
		execv("./t", (char *const *)argv);
		_exit(127);
	}
	close(pipefd[1]);
	while (len < sizeof(out) - 1 &&
	       (n = read(pipefd[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += n;
	close(pipefd[0]);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	expect_line(_metadata, out, "layers=1");
	expect_line(_metadata, out, "nnp=1");
	EXPECT_EQ(0, landlock_restrict_self(-1, ON_EXEC));

	remove_deep_probe(_metadata, fds, name);
}

/*
 * Arming, replacing, disarming, inheriting, consuming and failing executions
 * leak no reference: every ruleset and domain created is freed once its
 * users are gone.
 */
TEST_F(on_exec, no_reference_leak)
{
	const char *const allowed[] = { dir_a, NULL };
	const char *const other[] = { dir_b, NULL };
	const char *const ops[] = { "layers", NULL };
	static char *const argv[] = { "on-exec-probe", NULL };
	size_t created = 0;
	int status;
	pid_t child;

	ASSERT_EQ(0, leak_check_start());
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		ASSERT_EQ(0, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
		arm(_metadata, allowed, 0);
		arm(_metadata, other, 0);
		ASSERT_EQ(0, landlock_restrict_self(-1, ON_EXEC));
		arm(_metadata, allowed, 0);
		run_probe(_metadata, ops, self->out, sizeof(self->out));
		ASSERT_EQ(-1, execve("tmp_on_exec/does-not-exist", argv, NULL));
		stack_layers(_metadata, 16);
		/* Past the layer limit. */
		ASSERT_EQ(-1, execve(probe, argv, NULL));
		ASSERT_EQ(EPERM, errno);
		_exit(_metadata->exit_code);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));

	EXPECT_EQ(0, leak_check_wait(&created));
	/* 4 rulesets, 1 + 16 domains, and more for the probe's layer count. */
	EXPECT_LE(21, created);
}

/*
 * Arming an unchanged ruleset again reuses its frozen copy, and adding a rule
 * drops the source's reference on that copy: the copies of both paths (reuse
 * and invalidation) are freed, and the last arming enforces the added rule.
 * That the second arming made no copy is checked by trace_events_at_exec.
 */
TEST_F(on_exec, reused_copy_leaks_nothing)
{
	const char *const allowed[] = { dir_a, NULL };
	const char *const ops[] = { "read:tmp_on_exec/b/f", NULL };
	size_t created = 0;
	int status;
	pid_t child;

	ASSERT_EQ(0, leak_check_start());
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		const int ruleset_fd = create_read_ruleset(_metadata, allowed);

		ASSERT_EQ(0, prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
		ASSERT_EQ(0, landlock_restrict_self(ruleset_fd, ON_EXEC));
		ASSERT_EQ(0, landlock_restrict_self(ruleset_fd, ON_EXEC));
		run_probe(_metadata, ops, self->out, sizeof(self->out));
		expect_line(_metadata, self->out,
			    "read:tmp_on_exec/b/f=EACCES");
		allow_read(_metadata, ruleset_fd, dir_b);
		ASSERT_EQ(0, landlock_restrict_self(ruleset_fd, ON_EXEC));
		ASSERT_EQ(0, close(ruleset_fd));
		run_probe(_metadata, ops, self->out, sizeof(self->out));
		expect_line(_metadata, self->out, "read:tmp_on_exec/b/f=ok");
		_exit(_metadata->exit_code);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));

	EXPECT_EQ(0, leak_check_wait(&created));
	/* 1 ruleset, 2 frozen copies, 2 domains. */
	EXPECT_LE(5, created);
}

TEST_HARNESS_MAIN
