// SPDX-License-Identifier: BSD-3-Clause
/*
 * Sample loader for exec_policy.bpf.c: sandbox every execution of a program
 * with a Landlock ruleset, from a BPF LSM policy, without changing the
 * program or the way it is started.
 *
 * Usage:
 *   LL_FS_RO=PATHS [LL_FS_RW=PATHS] [LL_NNP=1] exec_policy TARGET [COMMAND...]
 *
 * Every execution of the TARGET file (whoever starts it, however it is
 * named, or as the interpreter of a script) runs with a Landlock domain that
 * allows reading beneath the colon-separated LL_FS_RO paths and reading and
 * writing beneath LL_FS_RW; with LL_NNP=1 it also runs with no_new_privs.
 * The policy matches the file's inode, as it is when the policy is loaded:
 * a copy of TARGET is not sandboxed, nor a new version installed over it
 * later (see exec_policy.bpf.c for what it covers).  With a COMMAND, the
 * policy is active while COMMAND runs; without, until SIGINT or SIGTERM.
 *
 * Needs CAP_SYS_ADMIN (and CAP_BPF/CAP_PERFMON), a kernel with Landlock
 * ABI 12 and BPF LSM enabled ("bpf" in the lsm= boot parameter).  Build:
 * bpftool btf dump file vmlinux format c > vmlinux.h;
 * clang -O2 -g -target bpf -c exec_policy.bpf.c;
 * bpftool gen skeleton exec_policy.bpf.o name exec_policy_bpf > exec_policy.skel.h;
 * cc exec_policy.c -lbpf
 */

#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec_policy.skel.h"

#define ACCESS_RO                                                    \
	(LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | \
	 LANDLOCK_ACCESS_FS_READ_DIR)
#define ACCESS_RW                                                         \
	(ACCESS_RO | LANDLOCK_ACCESS_FS_WRITE_FILE |                      \
	 LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE | \
	 LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |      \
	 LANDLOCK_ACCESS_FS_TRUNCATE)

static int add_rules(const int ruleset_fd, const char *const env_var,
		     const __u64 access)
{
	char *paths, *path, *next;
	const char *const env = getenv(env_var);

	if (!env)
		return 0;
	paths = strdup(env);
	if (!paths)
		return -1;
	for (next = paths; (path = strsep(&next, ":"));) {
		struct landlock_path_beneath_attr rule = {
			.allowed_access = access,
		};
		struct stat st;

		if (!*path)
			continue;
		rule.parent_fd = open(path, O_PATH | O_CLOEXEC);
		if (rule.parent_fd < 0 || fstat(rule.parent_fd, &st)) {
			fprintf(stderr, "Cannot open %s: %s\n", path,
				strerror(errno));
			free(paths);
			return -1;
		}
		/* Directory-only rights do not apply to files. */
		if (!S_ISDIR(st.st_mode))
			rule.allowed_access &= LANDLOCK_ACCESS_FS_EXECUTE |
					       LANDLOCK_ACCESS_FS_READ_FILE |
					       LANDLOCK_ACCESS_FS_WRITE_FILE |
					       LANDLOCK_ACCESS_FS_TRUNCATE;
		if (syscall(__NR_landlock_add_rule, ruleset_fd,
			    LANDLOCK_RULE_PATH_BENEATH, &rule, 0)) {
			fprintf(stderr, "Cannot add a rule for %s: %s\n", path,
				strerror(errno));
			close(rule.parent_fd);
			free(paths);
			return -1;
		}
		close(rule.parent_fd);
	}
	free(paths);
	return 0;
}

/*
 * Tags the inode of @path for the policy (an entry in its inode storage,
 * keyed by a file descriptor of it).  Returns that file descriptor, to keep
 * open while the policy is active: the inode then stays in memory with its
 * tag.
 */
static int tag_target(struct exec_policy_bpf *const skel,
		      const char *const path)
{
	const __u8 tag = 1;
	int fd, err;

	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.target), &fd, &tag,
				BPF_NOEXIST)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/*
 * Hands the ruleset to the BPF policy, which keeps a frozen copy of it: rules
 * must all be added before.
 */
static int store_ruleset(struct exec_policy_bpf *const skel, int ruleset_fd)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &ruleset_fd,
		    .ctx_size_in = sizeof(ruleset_fd));
	const int prog_fd = bpf_program__fd(skel->progs.store_ruleset);
	int err;

	err = bpf_prog_test_run_opts(prog_fd, &opts);
	if (err)
		return err;
	return opts.retval ? -EINVAL : 0;
}

int main(int argc, char *argv[])
{
	const struct landlock_ruleset_attr attr = {
		.handled_access_fs = ACCESS_RW,
	};
	struct exec_policy_bpf *skel;
	int ruleset_fd, target_fd = -1, err, status = 0;
	const char *nnp = getenv("LL_NNP");

	if (argc < 2) {
		fprintf(stderr,
			"usage: LL_FS_RO=PATHS [LL_FS_RW=PATHS] [LL_NNP=1] %s TARGET [COMMAND...]\n",
			argv[0]);
		return 2;
	}
	ruleset_fd =
		syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (ruleset_fd < 0) {
		perror("Cannot create a Landlock ruleset");
		return 1;
	}
	if (add_rules(ruleset_fd, "LL_FS_RO", ACCESS_RO) ||
	    add_rules(ruleset_fd, "LL_FS_RW", ACCESS_RW))
		return 1;

	skel = exec_policy_bpf__open();
	if (!skel) {
		perror("Cannot open the BPF policy");
		return 1;
	}
	err = exec_policy_bpf__load(skel);
	if (err) {
		fprintf(stderr, "Cannot load the BPF policy: %s\n",
			strerror(-err));
		goto out;
	}

	target_fd = tag_target(skel, argv[1]);
	if (target_fd < 0) {
		err = target_fd;
		fprintf(stderr, "Cannot tag %s for the policy: %s\n", argv[1],
			strerror(-err));
		goto out;
	}
	if (nnp && !strcmp(nnp, "1"))
		skel->bss->restrict_flags = LANDLOCK_RESTRICT_SELF_NO_NEW_PRIVS;

	/* Hands the ruleset over to the policy, as a policy object kptr. */
	err = store_ruleset(skel, ruleset_fd);
	if (err) {
		fprintf(stderr, "Cannot store the ruleset\n");
		goto out;
	}
	/* The policy holds its own reference. */
	close(ruleset_fd);

	skel->links.sandbox_exec =
		bpf_program__attach(skel->progs.sandbox_exec);
	err = skel->links.sandbox_exec ? 0 : -errno;
	if (err) {
		fprintf(stderr, "Cannot attach the BPF policy: %s\n",
			strerror(-err));
		goto out;
	}
	fprintf(stderr,
		"Policy active: every execution of the file now at %s is sandboxed.\n",
		argv[1]);

	if (argc > 2) {
		const pid_t child = fork();

		if (child == 0) {
			execvp(argv[2], argv + 2);
			perror("Cannot execute the command");
			_exit(127);
		}
		if (child < 0 || waitpid(child, &status, 0) != child)
			status = 1;
		else
			status = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	} else {
		sigset_t set;
		int sig;

		sigemptyset(&set);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGTERM);
		sigprocmask(SIG_BLOCK, &set, NULL);
		sigwait(&set, &sig);
	}
	fprintf(stderr,
		"Policy detached: %llu execution(s) sandboxed, %llu refused.\n",
		(unsigned long long)skel->bss->sandboxed,
		(unsigned long long)skel->bss->refused);

out:
	exec_policy_bpf__destroy(skel);
	/* The policy is gone: the target's inode may leave memory. */
	if (target_fd >= 0)
		close(target_fd);
	return err ? 1 : status;
}
