// SPDX-License-Identifier: GPL-2.0
/*
 * Landlock rulesets applied by BPF through the LSM policy object kfuncs: a
 * BPF LSM program arms a ruleset, created by user space and stored in a map
 * as a kptr, for the execution of one binary by one process, which then runs
 * sandboxed, or fails to execute if arming failed; and the verifier rejects
 * the programs that misuse the kfuncs.
 */

#include <fcntl.h>
#include <linux/landlock.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/btf.h>

#include <test_progs.h>

#include "landlock_exec.skel.h"
#include "landlock_exec_failure.skel.h"
#include "landlock_exec_success.skel.h"

#ifndef __NR_landlock_create_ruleset
#define __NR_landlock_create_ruleset 444
#endif
#ifndef __NR_landlock_add_rule
#define __NR_landlock_add_rule 445
#endif

/* First Landlock ABI whose rulesets bpf_lsm_policy_apply_bprm() applies. */
#define LANDLOCK_EXEC_ABI 12

#define CAT_PATH "/bin/cat"
#define SECRET "landlock_exec secret\n"
#define PUBLIC "landlock_exec public\n"

static int landlock_create_ruleset(const struct landlock_ruleset_attr *attr,
				   size_t size, __u32 flags)
{
	return syscall(__NR_landlock_create_ruleset, attr, size, flags);
}

static int landlock_add_rule(int ruleset_fd, enum landlock_rule_type type,
			     const void *attr, __u32 flags)
{
	return syscall(__NR_landlock_add_rule, ruleset_fd, type, attr, flags);
}

/*
 * Returns why the kernel cannot have the kfuncs, or NULL.  A kernel with
 * Landlock ABI 12 and the BPF LSM has them: if its BTF cannot be read or
 * lacks them, the tests run, and fail.
 */
static const char *missing_support(void)
{
	bool bpf_lsm = true;
	struct btf *btf;
	int abi;

	abi = landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0)
		return "Landlock is not enabled";
	if (abi < LANDLOCK_EXEC_ABI)
		return "Landlock ABI < 12: no exec-time enforcement";
	btf = btf__load_vmlinux_btf();
	if (btf) {
		bpf_lsm = btf__find_by_name_kind(btf,
						 "bpf_lsm_bprm_check_security",
						 BTF_KIND_FUNC) > 0;
		btf__free(btf);
	}
	if (!bpf_lsm)
		return "no BPF LSM";
	return NULL;
}

/*
 * A ruleset that handles file reading, and allows it beneath the system
 * directories (so that a dynamically linked cat still starts) and beneath
 * @public, not elsewhere in /tmp.
 */
static int create_ruleset(const char *public)
{
	static const char *const readable[] = {
		"/bin", "/etc", "/lib", "/lib32", "/lib64", "/sbin", "/usr",
	};
	struct landlock_ruleset_attr ruleset_attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE,
	};
	struct landlock_path_beneath_attr path_beneath = {
		.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE,
	};
	int ruleset_fd, i, err;

	ruleset_fd =
		landlock_create_ruleset(&ruleset_attr, sizeof(ruleset_attr), 0);
	if (!ASSERT_OK_FD(ruleset_fd, "landlock_create_ruleset"))
		return -1;
	for (i = 0; i <= ARRAY_SIZE(readable); i++) {
		const char *dir = i < ARRAY_SIZE(readable) ? readable[i] :
							     public;

		path_beneath.parent_fd = open(dir, O_PATH | O_CLOEXEC);
		if (path_beneath.parent_fd < 0)
			continue;
		err = landlock_add_rule(ruleset_fd, LANDLOCK_RULE_PATH_BENEATH,
					&path_beneath, 0);
		close(path_beneath.parent_fd);
		if (!ASSERT_OK(err, "landlock_add_rule")) {
			close(ruleset_fd);
			return -1;
		}
	}
	return ruleset_fd;
}

static int run_syscall_prog(struct bpf_program *prog)
{
	LIBBPF_OPTS(bpf_test_run_opts, topts);

	return bpf_prog_test_run_opts(bpf_program__fd(prog), &topts);
}

/*
 * Runs "cat @path" in a child, sandboxed by the BPF program if @sandboxed,
 * with its output (stdout and stderr) in @out.  Returns its exit status, or
 * -1.  If the execution fails, the child writes "execle: ERROR" to @out and
 * exits with 127.
 */
static int run_cat(struct landlock_exec *skel, const char *path, bool sandboxed,
		   char *out, size_t size)
{
	/* Error messages as strerror() prints them here. */
	static char *const cat_env[] = { "LC_ALL=C", NULL };
	int sync_pipe[2], out_pipe[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;
	char c;

	out[0] = '\0';
	if (!ASSERT_OK(pipe2(sync_pipe, O_CLOEXEC), "pipe2"))
		return -1;
	if (!ASSERT_OK(pipe2(out_pipe, O_CLOEXEC), "pipe2")) {
		close(sync_pipe[0]);
		close(sync_pipe[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		/* Waits until the BPF program knows this process. */
		close(sync_pipe[1]);
		if (read(sync_pipe[0], &c, 1) != 1)
			_exit(126);
		if (dup2(out_pipe[1], STDOUT_FILENO) < 0 ||
		    dup2(out_pipe[1], STDERR_FILENO) < 0)
			_exit(126);
		execle(CAT_PATH, "cat", path, NULL, cat_env);
		dprintf(STDERR_FILENO, "execle: %s\n", strerror(errno));
		_exit(127);
	}
	close(sync_pipe[0]);
	close(out_pipe[1]);
	if (!ASSERT_GE(pid, 0, "fork")) {
		close(sync_pipe[1]);
		close(out_pipe[0]);
		return -1;
	}
	if (sandboxed)
		skel->bss->target_pid = pid;
	ASSERT_EQ(write(sync_pipe[1], "", 1), 1, "write sync_pipe");
	close(sync_pipe[1]);
	while (len < size - 1) {
		n = read(out_pipe[0], out + len, size - 1 - len);
		if (n <= 0)
			break;
		len += n;
	}
	out[len] = '\0';
	close(out_pipe[0]);
	if (!ASSERT_EQ(waitpid(pid, &status, 0), pid, "waitpid"))
		return -1;
	skel->bss->target_pid = 0;
	if (!ASSERT_TRUE(WIFEXITED(status), "cat exited"))
		return -1;
	return WEXITSTATUS(status);
}

/* The frozen copy of the ruleset is freed from a workqueue, after RCU. */
static bool wait_frozen_freed(struct landlock_exec *skel)
{
	int i;

	for (i = 0; i < 500; i++) {
		if (skel->bss->nr_frozen_freed)
			return true;
		kern_sync_rcu();
		usleep(10000);
	}
	return false;
}

/* Creates @path with @content.  Returns 0 or -1. */
static int write_file(const char *path, const char *content)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (!ASSERT_OK_FD(fd, "open"))
		return -1;
	ASSERT_EQ(write(fd, content, strlen(content)), strlen(content),
		  "write");
	close(fd);
	return 0;
}

static void run_exec_tests(void)
{
	char dir[] = "/tmp/landlock_exec.XXXXXX", out[256];
	char secret[64], public_dir[64], public[80];
	struct landlock_exec *skel = NULL;
	struct stat cat_stat;
	int ruleset_fd, status;
	__u32 restricted;

	if (!ASSERT_OK_PTR(mkdtemp(dir), "mkdtemp"))
		return;
	snprintf(secret, sizeof(secret), "%s/secret", dir);
	snprintf(public_dir, sizeof(public_dir), "%s/public", dir);
	snprintf(public, sizeof(public), "%s/file", public_dir);
	if (write_file(secret, SECRET))
		goto out_rmdir;
	if (!ASSERT_OK(mkdir(public_dir, 0700), "mkdir public") ||
	    write_file(public, PUBLIC))
		goto out_unlink;

	skel = landlock_exec__open_and_load();
	if (!ASSERT_OK_PTR(skel, "landlock_exec__open_and_load"))
		goto out_unlink;
	if (!ASSERT_OK(landlock_exec__attach(skel), "landlock_exec__attach"))
		goto out_unlink;
	/* The binary that cat runs (busybox, if CAT_PATH links to it). */
	if (!ASSERT_OK(stat(CAT_PATH, &cat_stat), "stat cat"))
		goto out_unlink;
	skel->bss->target_ino = cat_stat.st_ino;
	/* The kernel's dev_t encoding, as in struct super_block. */
	skel->bss->target_dev = (major(cat_stat.st_dev) << 20) |
				minor(cat_stat.st_dev);

	ruleset_fd = create_ruleset(public_dir);
	if (ruleset_fd < 0)
		goto out_unlink;
	skel->bss->test_tgid = getpid();
	skel->data->ruleset_fd = ruleset_fd;
	ASSERT_OK(run_syscall_prog(skel->progs.store_ruleset), "store_ruleset");
	/* The map holds a frozen copy: the ruleset itself can go. */
	close(ruleset_fd);
	if (!ASSERT_OK(skel->data->store_ret, "store_ret") ||
	    !ASSERT_NEQ(skel->bss->frozen_id, 0, "frozen_id"))
		goto out_unlink;

	if (test__start_subtest("exec_unrestricted")) {
		status = run_cat(skel, secret, false, out, sizeof(out));
		ASSERT_EQ(status, 0, "cat status");
		ASSERT_STREQ(out, SECRET, "cat output");
		ASSERT_EQ(skel->bss->nr_restricted, 0, "nr_restricted");
	}

	if (test__start_subtest("exec_restricted")) {
		/* The sandboxed cat runs, and reads what the ruleset allows... */
		restricted = skel->bss->nr_restricted;
		status = run_cat(skel, public, true, out, sizeof(out));
		ASSERT_EQ(skel->bss->nr_restricted, restricted + 1,
			  "nr_restricted");
		ASSERT_OK(skel->data->restrict_ret, "restrict_ret");
		ASSERT_EQ(status, 0, "cat public status");
		ASSERT_STREQ(out, PUBLIC, "cat public output");

		/* ...but not the secret: cat itself is denied to open it. */
		status = run_cat(skel, secret, true, out, sizeof(out));
		ASSERT_EQ(skel->bss->nr_restricted, restricted + 2,
			  "nr_restricted");
		ASSERT_OK(skel->data->restrict_ret, "restrict_ret");
		ASSERT_NEQ(status, 0, "cat secret status");
		if (!ASSERT_OK_PTR(strstr(out, secret), "path in error") ||
		    !ASSERT_OK_PTR(strstr(out, strerror(EACCES)), "EACCES"))
			printf("cat output: %s\n", out);
		ASSERT_NULL(strstr(out, SECRET), "secret not read");
	}

	if (test__start_subtest("exec_fails_closed")) {
		/*
		 * Bad flags (TSYNC is for landlock_restrict_self(2) only): the
		 * program does not return the error, which fails the
		 * execution all the same.
		 */
		restricted = skel->bss->nr_restricted;
		skel->bss->restrict_flags = LANDLOCK_RESTRICT_SELF_TSYNC;
		status = run_cat(skel, secret, true, out, sizeof(out));
		skel->bss->restrict_flags = 0;
		ASSERT_EQ(skel->bss->nr_restricted, restricted + 1,
			  "nr_restricted");
		ASSERT_EQ(skel->data->restrict_ret, -EINVAL, "restrict_ret");
		ASSERT_EQ(status, 127, "cat status");
		if (!ASSERT_OK_PTR(strstr(out, strerror(EINVAL)), "EINVAL"))
			printf("cat output: %s\n", out);
		ASSERT_NULL(strstr(out, SECRET), "secret not read");

		/* Nothing is left behind: the next execution runs. */
		status = run_cat(skel, public, true, out, sizeof(out));
		ASSERT_OK(skel->data->restrict_ret, "restrict_ret");
		ASSERT_EQ(status, 0, "cat public status");
		ASSERT_STREQ(out, PUBLIC, "cat public output");
	}

	if (test__start_subtest("frozen_ruleset_freed")) {
		ASSERT_OK(run_syscall_prog(skel->progs.drop_ruleset),
			  "drop_ruleset");
		ASSERT_OK(skel->data->drop_ret, "drop_ret");
		ASSERT_TRUE(wait_frozen_freed(skel), "frozen ruleset freed");
		ASSERT_EQ(skel->bss->nr_frozen_freed, 1, "nr_frozen_freed");
	}

out_unlink:
	landlock_exec__destroy(skel);
	unlink(public);
	rmdir(public_dir);
	unlink(secret);
out_rmdir:
	rmdir(dir);
}

static bool skip_without_support(const char *func)
{
	const char *reason = missing_support();

	if (!reason)
		return false;
	printf("%s:SKIP:%s\n", func, reason);
	test__skip();
	return true;
}

/* A BPF LSM program sandboxes one execution with a stored ruleset. */
void test_landlock_exec(void)
{
	if (skip_without_support(__func__))
		return;
	if (access(CAT_PATH, X_OK)) {
		printf("%s:SKIP:no %s\n", __func__, CAT_PATH);
		test__skip();
		return;
	}
	run_exec_tests();
}

/* What the verifier accepts and rejects. */
void test_landlock_exec_verifier(void)
{
	if (skip_without_support(__func__))
		return;
	RUN_TESTS(landlock_exec_failure);
	RUN_TESTS(landlock_exec_success);
}
