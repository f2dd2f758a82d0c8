// SPDX-License-Identifier: GPL-2.0
/*
 * Landlock tests - A BPF policy on the binary that actually runs
 *
 * bprm_check_security runs once per binary format level of an execution,
 * with bprm->file the file of that level: a script, then its interpreter
 * (nested scripts: each one in turn), binfmt_misc's interpreter.  A policy
 * there (on_exec_compose_b.bpf.c) that matches bprm->file's inode against a
 * target binary (a copy of busybox, run as sh) sandboxes the target however
 * it is run: directly, through a hard link or a symbolic link, from a file
 * descriptor, as the interpreter of a script (directly or nested), or as the
 * interpreter of a binfmt_misc format.  The sandboxed sh may read the
 * scripts but not a secret file.  Another copy of busybox, run the same
 * ways, is not sandboxed: it reads the secret.
 *
 * After each test, every ruleset and domain created must have been freed
 * (../leak_check.h).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common.h"
#include "../leak_check.h"
#include "../on_exec_support.h"
#include "on_exec_compose_b.skel.h"
#include "on_exec_run.h"

#define TMP "tmp_interp"
#define SCRIPTS TMP "/scripts"
#define SECRET TMP "/secret/f"

static const char busybox[] = "/bin/busybox";
static const char binfmt_misc_dir[] = "/proc/sys/fs/binfmt_misc";
static const char binfmt_misc_register[] = "/proc/sys/fs/binfmt_misc/register";

/* The target, then the control: the same files for each. */
static const char *const progs[] = { "target", "control" };

enum way {
	WAY_DIRECT,
	WAY_HARD_LINK,
	WAY_SYMLINK,
	WAY_FEXECVE,
	WAY_EXECVEAT_O_PATH,
	WAY_SCRIPT,
	WAY_NESTED_SCRIPT,
	WAY_FEXECVE_SCRIPT,
	WAY_BINFMT_MISC,
	WAY_BINFMT_MISC_FIX_BINARY,
};

struct interp {
	char cwd[PATH_MAX];
	/* binfmt_misc: mounted by this test, formats registered. */
	bool mounted;
	bool registered[2];
};

FIXTURE(interp)
{
	struct on_exec_compose_b *skel;
	struct interp s;
	struct exec_result res;
};

FIXTURE_VARIANT(interp)
{
	enum way way;
};

/* clang-format off */
FIXTURE_VARIANT_ADD(interp, direct) {
	/* clang-format on */
	.way = WAY_DIRECT,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(interp, hard_link) {
	/* clang-format on */
	.way = WAY_HARD_LINK,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(interp, symlink) {
	/* clang-format on */
	.way = WAY_SYMLINK,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(interp, fexecve) {
	/* clang-format on */
	.way = WAY_FEXECVE,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(interp, execveat_o_path) {
	/* clang-format on */
	.way = WAY_EXECVEAT_O_PATH,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(interp, script) {
	/* clang-format on */
	.way = WAY_SCRIPT,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(interp, nested_script) {
	/* clang-format on */
	.way = WAY_NESTED_SCRIPT,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(interp, fexecve_script) {
	/* clang-format on */
	.way = WAY_FEXECVE_SCRIPT,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(interp, binfmt_misc) {
	/* clang-format on */
	.way = WAY_BINFMT_MISC,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(interp, binfmt_misc_fix_binary) {
	/* clang-format on */
	.way = WAY_BINFMT_MISC_FIX_BINARY,
};

/* TMP "/<prog>/sh": the copy of busybox. */
static void prog_path(char *const buf, const size_t size,
		      const char *const prog, const char *const file)
{
	snprintf(buf, size, TMP "/%s/%s", prog, file);
}

/* Name of the binfmt_misc format of @prog; its extension is "ll<prog>". */
static void binfmt_name(char *const buf, const size_t size,
			const char *const prog)
{
	snprintf(buf, size, "landlock_interp_%s", prog);
}

/* Writes @value to the binfmt_misc file @path.  Returns 0 or -errno. */
static int binfmt_write(const char *const path, const char *const value)
{
	const size_t len = strlen(value);
	ssize_t ret;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = write(fd, value, len);
	if (ret < 0)
		ret = -errno;
	close(fd);
	if (ret < 0)
		return ret;
	return (size_t)ret == len ? 0 : -EIO;
}

static void binfmt_unregister(const char *const prog)
{
	char name[64], path[PATH_MAX];

	binfmt_name(name, sizeof(name), prog);
	snprintf(path, sizeof(path), "%s/%s", binfmt_misc_dir, name);
	binfmt_write(path, "-1");
}

static void create_files(struct __test_metadata *const _metadata,
			 struct interp *const self)
{
	char body[PATH_MAX + 128], content[2 * PATH_MAX + 128];
	char path[PATH_MAX], other[PATH_MAX];
	size_t i;

	ASSERT_NE(NULL, getcwd(self->cwd, sizeof(self->cwd)));
	/* The shebangs must fit in BINPRM_BUF_SIZE (256). */
	ASSERT_GT(160, strlen(self->cwd));

	make_dir(_metadata, TMP);
	make_dir(_metadata, SCRIPTS);
	make_dir(_metadata, TMP "/secret");
	write_file(_metadata, SECRET, "SECRET\n", 0600);

	/* What each way runs: sh builtins only, no other execution. */
	snprintf(body, sizeof(body),
		 "if read -r line < %s/" SECRET "; then\n"
		 "\techo \"secret=$line\"\n"
		 "else\n"
		 "\techo secret=denied\n"
		 "fi\n",
		 self->cwd);
	write_file(_metadata, SCRIPTS "/check", body, 0644);

	for (i = 0; i < ARRAY_SIZE(progs); i++) {
		snprintf(path, sizeof(path), TMP "/%s", progs[i]);
		make_dir(_metadata, path);
		prog_path(path, sizeof(path), progs[i], "sh");
		copy_file(_metadata, busybox, path);
		prog_path(other, sizeof(other), progs[i], "link");
		unlink(other);
		ASSERT_EQ(0, link(path, other));
		snprintf(other, sizeof(other), TMP "/sym-%s", progs[i]);
		unlink(other);
		snprintf(path, sizeof(path), "%s/sh", progs[i]);
		ASSERT_EQ(0, symlink(path, other));

		/* #!PROG: sh runs the script. */
		snprintf(content, sizeof(content), "#!%s/" TMP "/%s/sh\n%s",
			 self->cwd, progs[i], body);
		snprintf(path, sizeof(path), SCRIPTS "/%s.sh", progs[i]);
		write_file(_metadata, path, content, 0755);
		/* #!SCRIPT, whose interpreter is PROG: sh runs SCRIPT. */
		snprintf(content, sizeof(content),
			 "#!%s/" SCRIPTS "/%s.sh\necho wrong script\n",
			 self->cwd, progs[i]);
		snprintf(path, sizeof(path), SCRIPTS "/nested-%s.sh", progs[i]);
		write_file(_metadata, path, content, 0755);
		/* binfmt_misc runs PROG with the file: sh runs it. */
		snprintf(path, sizeof(path), SCRIPTS "/x.ll%s", progs[i]);
		write_file(_metadata, path, body, 0755);
	}
}

static void remove_files(void)
{
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(progs); i++) {
		prog_path(path, sizeof(path), progs[i], "sh");
		unlink(path);
		prog_path(path, sizeof(path), progs[i], "link");
		unlink(path);
		snprintf(path, sizeof(path), TMP "/%s", progs[i]);
		rmdir(path);
		snprintf(path, sizeof(path), TMP "/sym-%s", progs[i]);
		unlink(path);
		snprintf(path, sizeof(path), SCRIPTS "/%s.sh", progs[i]);
		unlink(path);
		snprintf(path, sizeof(path), SCRIPTS "/nested-%s.sh", progs[i]);
		unlink(path);
		snprintf(path, sizeof(path), SCRIPTS "/x.ll%s", progs[i]);
		unlink(path);
	}
	unlink(SCRIPTS "/check");
	rmdir(SCRIPTS);
	unlink(SECRET);
	rmdir(TMP "/secret");
	rmdir(TMP);
}

FIXTURE_SETUP(interp)
{
	static const char *const allowed[] = { SCRIPTS, NULL };
	char path[PATH_MAX];

	if (!on_exec_supported(_metadata))
		SKIP(return, ON_EXEC_UNSUPPORTED);
	if (!landlock_kfuncs_available())
		SKIP(return, "no policy object kfuncs (no BPF LSM)");
	if (access(busybox, X_OK))
		SKIP(return, "no %s to copy", busybox);

	create_files(_metadata, &self->s);

	ASSERT_EQ(0, leak_check_start());
	libbpf_set_print(log_libbpf);
	verifier_log_len = 0;
	self->skel = on_exec_compose_b__open();
	ASSERT_NE(NULL, self->skel);
	ASSERT_EQ(0, on_exec_compose_b__load(self->skel))
	{
		TH_LOG("%s", verifier_log);
	}
	ASSERT_EQ(0, on_exec_compose_b__attach(self->skel));
	store_read_ruleset(_metadata, self->skel->progs.store_ruleset, allowed);
	prog_path(path, sizeof(path), progs[0], "sh");
	file_id(_metadata, path, &self->skel->bss->target_ino,
		&self->skel->bss->target_dev);
	self->skel->bss->arm_count = 1;
}

FIXTURE_TEARDOWN(interp)
{
	size_t created = 0, i;

	for (i = 0; i < ARRAY_SIZE(progs); i++)
		if (self->s.registered[i])
			binfmt_unregister(progs[i]);
	if (self->s.mounted)
		umount(binfmt_misc_dir);
	if (self->skel)
		on_exec_compose_b__destroy(self->skel);
	self->skel = NULL;
	EXPECT_EQ(0, leak_check_wait(&created))
	{
		TH_LOG("rulesets or domains left alive (%zu created)", created);
	}
	if (_metadata->exit_code != KSFT_SKIP)
		EXPECT_LE(1, created);
	remove_files();
}

static bool has_binfmt_misc(void)
{
	char line[256];
	bool found = false;
	FILE *f;

	f = fopen("/proc/filesystems", "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strcmp(line, "nodev\tbinfmt_misc\n");
	fclose(f);
	return found;
}

/*
 * Registers a binfmt_misc format per program: files with the extension
 * "ll<prog>" are run by TMP/<prog>/sh.  Returns false if the kernel has no
 * binfmt_misc.
 */
static bool register_binfmts(struct __test_metadata *const _metadata,
			     struct interp *const self, const bool fix_binary)
{
	char name[64], entry[PATH_MAX + 128];
	size_t i;

	if (!has_binfmt_misc())
		return false;
	if (access(binfmt_misc_register, F_OK)) {
		ASSERT_EQ(0, mount("binfmt_misc", binfmt_misc_dir,
				   "binfmt_misc", 0, NULL))
		{
			TH_LOG("mount binfmt_misc: %s", strerror(errno));
		}
		self->mounted = true;
	}
	for (i = 0; i < ARRAY_SIZE(progs); i++) {
		/* Left by an earlier run? */
		binfmt_unregister(progs[i]);
		binfmt_name(name, sizeof(name), progs[i]);
		snprintf(entry, sizeof(entry),
			 ":%s:E::ll%s::%s/" TMP "/%s/sh:%s", name, progs[i],
			 self->cwd, progs[i], fix_binary ? "F" : "");
		ASSERT_EQ(0, binfmt_write(binfmt_misc_register, entry))
		{
			TH_LOG("registering \"%s\": %s", entry,
			       strerror(errno));
		}
		self->registered[i] = true;
	}
	return true;
}

/*
 * Fills @opts and @argv to run @prog the way of the variant, and @levels
 * with the files bprm_check_security must see, in order.  Returns the number
 * of levels.
 */
static int prepare_way(struct __test_metadata *const _metadata,
		       const enum way way, const char *const prog,
		       struct exec_opts *const opts, const char **const argv,
		       char (*const paths)[PATH_MAX], __u64 *const levels)
{
	static const char check[] = SCRIPTS "/check";
	char sh[PATH_MAX], script[PATH_MAX];
	int n = 0;

	prog_path(sh, sizeof(sh), prog, "sh");
	snprintf(script, sizeof(script), SCRIPTS "/%s.sh", prog);
	opts->how = EXEC_PATH;
	opts->argv = argv;
	argv[0] = "sh";
	argv[1] = check;
	argv[2] = NULL;

	switch (way) {
	case WAY_DIRECT:
		snprintf(paths[0], PATH_MAX, "%s", sh);
		break;
	case WAY_HARD_LINK:
		prog_path(paths[0], PATH_MAX, prog, "link");
		break;
	case WAY_SYMLINK:
		snprintf(paths[0], PATH_MAX, TMP "/sym-%s", prog);
		break;
	case WAY_FEXECVE:
		snprintf(paths[0], PATH_MAX, "%s", sh);
		opts->how = EXEC_FEXECVE;
		break;
	case WAY_EXECVEAT_O_PATH:
		snprintf(paths[0], PATH_MAX, "%s", sh);
		opts->how = EXEC_AT_EMPTY_PATH;
		break;
	case WAY_SCRIPT:
	case WAY_FEXECVE_SCRIPT:
		snprintf(paths[0], PATH_MAX, "%s", script);
		file_id(_metadata, paths[0], &levels[n++], NULL);
		opts->argv = NULL;
		if (way == WAY_FEXECVE_SCRIPT)
			opts->how = EXEC_FEXECVE;
		break;
	case WAY_NESTED_SCRIPT:
		snprintf(paths[0], PATH_MAX, SCRIPTS "/nested-%s.sh", prog);
		file_id(_metadata, paths[0], &levels[n++], NULL);
		file_id(_metadata, script, &levels[n++], NULL);
		opts->argv = NULL;
		break;
	case WAY_BINFMT_MISC:
	case WAY_BINFMT_MISC_FIX_BINARY:
		snprintf(paths[0], PATH_MAX, SCRIPTS "/x.ll%s", prog);
		file_id(_metadata, paths[0], &levels[n++], NULL);
		opts->argv = NULL;
		break;
	}
	opts->path = paths[0];
	/* The interpreter (or the program itself) is the last level. */
	file_id(_metadata, sh, &levels[n++], NULL);
	return n;
}

/*
 * Runs the target, then the control, the way of the variant: the target is
 * sandboxed (one arming, at its own level), the control is not.
 */
TEST_F(interp, sandboxes_the_binary_that_runs)
{
	struct on_exec_compose_b *const skel = self->skel;
	const bool binfmt_misc = variant->way == WAY_BINFMT_MISC ||
				 variant->way == WAY_BINFMT_MISC_FIX_BINARY;
	const bool fix_binary = variant->way == WAY_BINFMT_MISC_FIX_BINARY;
	size_t i;

	if (binfmt_misc && !register_binfmts(_metadata, &self->s, fix_binary))
		SKIP(return, "no binfmt_misc (CONFIG_BINFMT_MISC)");

	for (i = 0; i < ARRAY_SIZE(progs); i++) {
		const bool is_target = i == 0;
		const __u32 armed = skel->bss->armed;
		struct exec_opts opts = {
			.restrict_fd = -1,
			.on_exec_fd = -1,
		};
		char paths[1][PATH_MAX];
		const char *argv[3];
		__u64 levels[4] = {};
		int n, j;

		n = prepare_way(_metadata, variant->way, progs[i], &opts, argv,
				paths, levels);
		opts.tgid[0] = &skel->bss->trace_tgid;
		skel->bss->levels = 0;
		ASSERT_EQ(0, run_exec(&opts, &self->res));
		skel->bss->trace_tgid = 0;

		EXPECT_EQ(0, self->res.exec_errno)
		{
			TH_LOG("%s: %s", progs[i],
			       strerror(self->res.exec_errno));
		}
		EXPECT_EQ(0, self->res.status)
		{
			TH_LOG("%s:\n%s", progs[i], self->res.out);
		}
		if (is_target) {
			expect_line(_metadata, self->res.out, "secret=denied");
			EXPECT_NE(NULL,
				  strstr(self->res.out, "Permission denied"))
			{
				TH_LOG("no EACCES in:\n%s", self->res.out);
			}
			EXPECT_EQ(armed + 1, skel->bss->armed);
			EXPECT_EQ(0, skel->bss->rets[0]);
		} else {
			expect_line(_metadata, self->res.out, "secret=SECRET");
			EXPECT_EQ(armed, skel->bss->armed);
		}
		EXPECT_EQ(NULL, strstr(self->res.out, "wrong script"));
		/* bprm_check_security saw each level's file, in order. */
		EXPECT_EQ(n, skel->bss->levels)
		{
			TH_LOG("%s: %u levels, %d expected", progs[i],
			       skel->bss->levels, n);
		}
		for (j = 0; j < n; j++)
			EXPECT_EQ(levels[j], skel->bss->level_ino[j])
			{
				TH_LOG("%s: level %d of %d", progs[i], j, n);
			}
	}
	EXPECT_EQ(1, skel->bss->hits);
	EXPECT_EQ(0, skel->bss->failed);
}

TEST_HARNESS_MAIN
