/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Landlock tests - Audit helpers for exec-time enforcement
 *
 * Shared by on_exec_audit_test.c (rulesets armed by user space) and
 * bpf/on_exec_audit_bpf_test.c (rulesets armed by a BPF LSM program), which
 * include audit.h and common.h (for regex_escape()) first.
 *
 * A launcher, forked by the test, executes a program that gets the armed
 * layer.  The test then reads the audit records of that program (selected
 * with an executable filter) one by one, in the order they were emitted.
 */

#ifndef _SELFTESTS_LANDLOCK_ON_EXEC_AUDIT_H
#define _SELFTESTS_LANDLOCK_ON_EXEC_AUDIT_H

#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * The name the launcher takes after arming a ruleset, right before its
 * execve(2): an exec-time domain is created during the execution.
 */
#define LAUNCHER_COMM "audit-launcher"

/*
 * Relay mode of the test programs: "TEST --relay-exec PROGRAM [ARG]..."
 * executes PROGRAM with its arguments, as a sandboxed program executing
 * another one does.  See relay_exec().
 */
#define RELAY_EXEC_ARG "--relay-exec"

/* The sandboxed program: denied ops print "=EACCES" or "=EPERM". */
static const char bin_on_exec_probe[] = "./on-exec-probe";

/* A domain's creator, as a domain allocation record names it. */
struct audit_creator {
	pid_t pid;
	uid_t uid;
	char exe[PATH_MAX];
	/* TASK_COMM_LEN */
	char comm[16];
};

/* Called first by main(): does not return in relay mode. */
static void __maybe_unused relay_exec(int argc, char *argv[])
{
	if (argc < 3 || strcmp(argv[1], RELAY_EXEC_ARG))
		return;
	execv(argv[2], &argv[2]);
	_exit(127);
}

/* Stores the path of this program's executable in @exe. */
static int __maybe_unused get_self_exe(char *const exe, const size_t size)
{
	const ssize_t len = readlink("/proc/self/exe", exe, size - 1);

	if (len < 0)
		return -errno;
	exe[len] = '\0';
	return 0;
}

/*
 * The creator of a domain that @path creates itself, run by @pid: its comm is
 * the base name of @path, truncated as the kernel does.
 */
static int __maybe_unused program_creator(struct audit_creator *const creator,
					  const pid_t pid,
					  const char *const path)
{
	const char *const slash = strrchr(path, '/');

	creator->pid = pid;
	creator->uid = getuid();
	if (!realpath(path, creator->exe))
		return -errno;
	snprintf(creator->comm, sizeof(creator->comm), "%.*s",
		 (int)sizeof(creator->comm) - 1, slash ? slash + 1 : path);
	return 0;
}

/*
 * The creator of an exec-time domain is the program whose execution built it:
 * the PID of the task (which the execution keeps), the executed file
 * @executed and its base name as comm (what the task has once the execution
 * is committed), as a program that restricted itself.
 */
static int __maybe_unused exec_creator(struct audit_creator *const creator,
				       const pid_t pid,
				       const char *const executed)
{
	return program_creator(creator, pid, executed);
}

/*
 * Reads the next Landlock record into @msg, waiting up to the socket timeout
 * (audit_tv_default).  Skips other record types and domain deallocation
 * records: kworker threads emit those asynchronously, possibly for the
 * domains of a previous test.  Returns 0, or -EAGAIN if no record came.
 */
static int recv_landlock_record(const int audit_fd,
				struct audit_message *const msg)
{
	static const char dealloc_pattern[] = REGEX_LANDLOCK_PREFIX
		" status=deallocated ";
	regex_t dealloc_re;
	int err;

	if (regcomp(&dealloc_re, dealloc_pattern, 0))
		return -ENOMEM;
	while (true) {
		memset(msg, 0, sizeof(*msg));
		err = audit_recv(audit_fd, msg);
		if (err)
			break;
		if (msg->header.nlmsg_type == AUDIT_LANDLOCK_ACCESS)
			break;
		if (msg->header.nlmsg_type == AUDIT_LANDLOCK_DOMAIN &&
		    regexec(&dealloc_re, msg->data, 0, NULL, 0))
			break;
	}
	regfree(&dealloc_re);
	return err;
}

/*
 * Checks that the next Landlock record has @type and matches @pattern, whose
 * first subexpression is the domain ID, stored in @domain_id.  Unlike
 * audit_match_record(), this does not skip records that do not match: a
 * record that must not be logged cannot go unnoticed before an expected one.
 * Returns 0, -EAGAIN if no record came, or -ENOMSG on a mismatch.
 */
static int match_next_record(const int audit_fd, const __u16 type,
			     const char *const pattern, __u64 *const domain_id)
{
	struct audit_message msg;
	regmatch_t matches[2];
	regex_t regex;
	int err;

	if (regcomp(&regex, pattern, 0))
		return -EINVAL;
	err = recv_landlock_record(audit_fd, &msg);
	if (err) {
		ksft_print_msg("no record (%d), expected: %s\n", err, pattern);
	} else if (msg.header.nlmsg_type != type ||
		   regexec(&regex, msg.data, ARRAY_SIZE(matches), matches, 0)) {
		ksft_print_msg("record (type %u): %s\n", msg.header.nlmsg_type,
			       msg.data);
		ksft_print_msg("expected (type %u): %s\n", type, pattern);
		err = -ENOMSG;
	} else if (domain_id) {
		*domain_id = strtoull(msg.data + matches[1].rm_so, NULL, 16);
	}
	regfree(&regex);
	return err;
}

/* A denied READ_DIR access to "/". */
static int __maybe_unused matches_next_fs_read_root(const int audit_fd,
						    __u64 *const domain_id)
{
	static const char log_match[] = REGEX_LANDLOCK_PREFIX
		" blockers=fs\\.read_dir path=\"/\" dev=\"[^\"]\\+\" ino=[0-9]\\+$";

	return match_next_record(audit_fd, AUDIT_LANDLOCK_ACCESS, log_match,
				 domain_id);
}

/* A signal denied to @opid, whose comm is @ocomm. */
static int __maybe_unused matches_next_signal(const int audit_fd,
					      const pid_t opid,
					      const char *const ocomm,
					      __u64 *const domain_id)
{
	static const char log_template[] = REGEX_LANDLOCK_PREFIX
		" blockers=scope\\.signal opid=%d ocomm=\"%s\"$";
	char log_match[sizeof(log_template) + 100], comm[64];

	if (regex_escape(ocomm, comm, sizeof(comm)) == (char *)-ENOMEM)
		return -E2BIG;
	if (snprintf(log_match, sizeof(log_match), log_template, opid, comm) >=
	    sizeof(log_match))
		return -E2BIG;
	return match_next_record(audit_fd, AUDIT_LANDLOCK_ACCESS, log_match,
				 domain_id);
}

/*
 * The allocation record of a domain created by @creator.  Used by every
 * includer: no room for __maybe_unused in clang-format's 80 columns.
 */
static int matches_next_domain_allocated(const int audit_fd,
					 const struct audit_creator *creator,
					 __u64 *const domain_id)
{
	static const char log_template[] = REGEX_LANDLOCK_PREFIX
		" status=allocated mode=enforcing pid=%d uid=%u exe=\"%s\" comm=\"%s\"$";
	char log_match[sizeof(log_template) + 2 * PATH_MAX + 100];
	char exe[2 * PATH_MAX], comm[64];

	if (regex_escape(creator->exe, exe, sizeof(exe)) == (char *)-ENOMEM ||
	    regex_escape(creator->comm, comm, sizeof(comm)) == (char *)-ENOMEM)
		return -E2BIG;
	if (snprintf(log_match, sizeof(log_match), log_template, creator->pid,
		     creator->uid, exe, comm) >= sizeof(log_match))
		return -E2BIG;
	return match_next_record(audit_fd, AUDIT_LANDLOCK_DOMAIN, log_match,
				 domain_id);
}

/*
 * Checks that no Landlock record comes within the socket timeout.  Returns 0,
 * or -EEXIST if one came.
 */
static int __maybe_unused no_more_records(const int audit_fd)
{
	struct audit_message msg;
	const int err = recv_landlock_record(audit_fd, &msg);

	if (err == -EAGAIN)
		return 0;
	if (!err) {
		ksft_print_msg("unexpected record (type %u): %s\n",
			       msg.header.nlmsg_type, msg.data);
		return -EEXIST;
	}
	return err;
}

/*
 * Forks a launcher which sets no_new_privs, arms @ruleset_fd (unless it is
 * -1) with LANDLOCK_RESTRICT_SELF_ON_EXEC | @flags, takes the name
 * LAUNCHER_COMM and executes @argv, with @out_fd (unless it is -1) as
 * standard output.  Returns the launcher's PID, which the executed program
 * keeps, or -1.
 */
static pid_t launch(const char *const argv[], const int ruleset_fd,
		    const __u32 flags, const int out_fd)
{
	const pid_t child = fork();

	if (child)
		return child;
	if (out_fd >= 0 && dup2(out_fd, STDOUT_FILENO) < 0)
		_exit(126);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(126);
	if (ruleset_fd >= 0 &&
	    landlock_restrict_self(ruleset_fd,
				   LANDLOCK_RESTRICT_SELF_ON_EXEC | flags))
		_exit(126);
	/* Without a ruleset, @flags apply to the launcher itself. */
	if (ruleset_fd < 0 && flags && landlock_restrict_self(-1, flags))
		_exit(126);
	if (prctl(PR_SET_NAME, LAUNCHER_COMM, 0, 0, 0))
		_exit(126);
	execv(argv[0], (char *const *)argv);
	_exit(127);
}

/*
 * Launches @argv (see launch()), stores its standard output in @out (unless
 * it is NULL) and waits for it.  Stores its PID in @pid.  Returns its exit
 * status, 128 if it was killed, or -1 on error.
 */
static int __maybe_unused launch_and_wait(const char *const argv[],
					  const int ruleset_fd,
					  const __u32 flags, char *const out,
					  const size_t size, pid_t *const pid)
{
	int pipefd[2] = { -1, -1 }, status;
	size_t len = 0;
	ssize_t n;

	if (out && pipe2(pipefd, O_CLOEXEC))
		return -1;
	*pid = launch(argv, ruleset_fd, flags, pipefd[1]);
	if (out) {
		close(pipefd[1]);
		while (len < size - 1 &&
		       (n = read(pipefd[0], out + len, size - 1 - len)) > 0)
			len += n;
		out[len] = '\0';
		close(pipefd[0]);
	}
	if (*pid < 0 || waitpid(*pid, &status, 0) != *pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/*
 * Launches ./wait-pipe-sandbox (see launch()) and waits for it.  The program,
 * which upstream's audit_exec tests use too:
 * 1. kill(2)s its parent (this test): denied by a layer scoping signals;
 * 2. restricts itself with a layer handling LANDLOCK_ACCESS_FS_READ_DIR,
 *    kill(2)s its parent again, and opens "/": denied by the new layer;
 * 3. restricts itself with a layer scoping signals, opens "/" (denied by the
 *    previous layer), and kill(2)s its parent: denied by the new layer.
 * It fails if one of these actions is allowed.  Its steps wait on a pipe,
 * which is filled beforehand.  Stores its PID in @pid and returns its exit
 * status, or -1 on error.
 */
static int __maybe_unused launch_wait_pipe_sandbox(const int ruleset_fd,
						   const __u32 flags,
						   pid_t *const pid)
{
	char pipe_child_str[12], pipe_parent_str[12];
	const char *const argv[] = { bin_wait_pipe_sandbox, pipe_child_str,
				     pipe_parent_str, NULL };
	int pipe_child[2], pipe_parent[2], ret = -1;

	if (pipe2(pipe_child, 0))
		return -1;
	if (pipe2(pipe_parent, 0))
		goto out_child;
	/* Lets the 3 steps go, then gives EOF. */
	if (write(pipe_parent[1], "...", 3) != 3)
		goto out_parent;
	close(pipe_parent[1]);
	pipe_parent[1] = -1;
	snprintf(pipe_child_str, sizeof(pipe_child_str), "%d", pipe_child[1]);
	snprintf(pipe_parent_str, sizeof(pipe_parent_str), "%d",
		 pipe_parent[0]);
	ret = launch_and_wait(argv, ruleset_fd, flags, NULL, 0, pid);

out_parent:
	close(pipe_parent[0]);
	if (pipe_parent[1] >= 0)
		close(pipe_parent[1]);
out_child:
	close(pipe_child[0]);
	close(pipe_child[1]);
	return ret;
}

/* Creates @path as an executable file that no binary format recognizes. */
static int __maybe_unused create_garbage(const char *const path)
{
	const int fd =
		open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0700);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, "\x01\x02\x03\x04", 4) != 4)
		err = -EIO;
	close(fd);
	return err;
}

/* Adds an executable filter: only the records of @path's processes remain. */
static int __maybe_unused set_exe_filter(const int audit_fd,
					 struct audit_filter *const filter,
					 const char *const path)
{
	const int err = audit_init_filter_exe(filter, path);

	return err ?: audit_filter_exe(audit_fd, filter, AUDIT_ADD_RULE);
}

#endif /* _SELFTESTS_LANDLOCK_ON_EXEC_AUDIT_H */
