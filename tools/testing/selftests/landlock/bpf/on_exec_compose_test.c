// SPDX-License-Identifier: GPL-2.0
/*
 * Landlock tests - Composition of BPF policies at exec time
 *
 * Two BPF objects, loaded independently with their own maps, arm rulesets
 * for the same execution of a target binary (a copy of ../on-exec-probe):
 * policy A (on_exec_compose_a.bpf.c) on bprm_creds_for_exec, policy B
 * (on_exec_compose_b.bpf.c) on bprm_check_security.  Each arming adds a
 * layer above the previous ones (and below a ruleset armed by user space
 * with LANDLOCK_RESTRICT_SELF_ON_EXEC); no_new_privs is set if any arming
 * asked for it; an arming that fails (bad flags, past 16 layers) fails the
 * execution with its error, whatever the program returned.  The probe
 * reports what it may read, its number of layers and no_new_privs.
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
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common.h"
/* Each "layers" operation of the probe creates up to 16 rulesets. */
#define LEAK_CHECK_MAX_IDS 4096
#include "../leak_check.h"
#include "../on_exec_support.h"
#include "on_exec_compose_a.skel.h"
#include "on_exec_compose_b.skel.h"
#include "on_exec_run.h"

#define NNP LANDLOCK_RESTRICT_SELF_NO_NEW_PRIVS

#define TMP "tmp_compose"
#define DIR1 TMP "/dir1"
#define DIR2 TMP "/dir2"
#define DIR3 TMP "/dir3"
#define FILE1 DIR1 "/f"
#define FILE2 DIR2 "/f"
#define FILE3 DIR3 "/f"

static const char probe[] = "./on-exec-probe";
static const char target[] = TMP "/target";
static const char *const script_levels[] = {
	TMP "/level1.sh",
	TMP "/level2.sh",
	TMP "/level3.sh",
};

/* RA: policy A's ruleset.  RB: policy B's. */
static const char *const ra_dirs[] = { DIR1, NULL };
static const char *const rb_dirs[] = { DIR1, DIR2, NULL };

/* What the probe reports: what it may read, its layers, no_new_privs. */
#define READS "read:" FILE1, "read:" FILE2, "read:" FILE3
static const char *const probe_ops[] = { "on-exec-probe", READS, "layers",
					 "nnp", NULL };

static const char *const layers_op[] = { "on-exec-probe", "layers", NULL };

struct policies {
	struct on_exec_compose_a *a;
	struct on_exec_compose_b *b;
	struct exec_result res;
};

/* What the tests of fail_closed set and read in either policy. */
struct arming {
	__u32 *apply_flags, *arm_count, *hits, *armed, *failed;
	int *rets;
};

static void policies_setup(struct __test_metadata *const _metadata,
			   struct policies *const p)
{
	static const char *const files[] = { FILE1, FILE2, FILE3 };
	size_t i;

	if (!on_exec_supported(_metadata))
		SKIP(return, ON_EXEC_UNSUPPORTED);
	if (!landlock_kfuncs_available())
		SKIP(return, "no policy object kfuncs (no BPF LSM)");

	make_dir(_metadata, TMP);
	make_dir(_metadata, DIR1);
	make_dir(_metadata, DIR2);
	make_dir(_metadata, DIR3);
	for (i = 0; i < ARRAY_SIZE(files); i++)
		write_file(_metadata, files[i], "", 0600);
	copy_file(_metadata, probe, target);

	ASSERT_EQ(0, leak_check_start());
	libbpf_set_print(log_libbpf);
	verifier_log_len = 0;
	p->a = on_exec_compose_a__open();
	ASSERT_NE(NULL, p->a);
	p->b = on_exec_compose_b__open();
	ASSERT_NE(NULL, p->b);
}

static void policies_teardown(struct __test_metadata *const _metadata,
			      struct policies *const p)
{
	static const char *const files[] = { FILE1, FILE2, FILE3 };
	size_t created = 0, i;

	/* The maps' destructors release the frozen rulesets. */
	if (p->a)
		on_exec_compose_a__destroy(p->a);
	if (p->b)
		on_exec_compose_b__destroy(p->b);
	p->a = NULL;
	p->b = NULL;
	EXPECT_EQ(0, leak_check_wait(&created))
	{
		TH_LOG("rulesets or domains left alive (%zu created)", created);
	}
	if (_metadata->exit_code != KSFT_SKIP)
		EXPECT_LE(1, created);

	for (i = 0; i < ARRAY_SIZE(script_levels); i++)
		unlink(script_levels[i]);
	for (i = 0; i < ARRAY_SIZE(files); i++)
		unlink(files[i]);
	unlink(target);
	rmdir(DIR1);
	rmdir(DIR2);
	rmdir(DIR3);
	rmdir(TMP);
}

/*
 * Loads and attaches policy A, hands it a ruleset allowing @dirs, and makes
 * it arm it @count times, with @flags, for every execution of the target.
 */
static void load_a(struct __test_metadata *const _metadata,
		   struct policies *const p, const char *const dirs[],
		   const __u32 flags, const __u32 count)
{
	ASSERT_EQ(0, on_exec_compose_a__load(p->a))
	{
		TH_LOG("%s", verifier_log);
	}
	ASSERT_EQ(0, on_exec_compose_a__attach(p->a));
	store_read_ruleset(_metadata, p->a->progs.store_ruleset, dirs);
	file_id(_metadata, target, &p->a->bss->target_ino,
		&p->a->bss->target_dev);
	p->a->bss->apply_flags = flags;
	p->a->bss->arm_count = count;
}

/* The same for policy B. */
static void load_b(struct __test_metadata *const _metadata,
		   struct policies *const p, const char *const dirs[],
		   const __u32 flags, const __u32 count)
{
	ASSERT_EQ(0, on_exec_compose_b__load(p->b))
	{
		TH_LOG("%s", verifier_log);
	}
	ASSERT_EQ(0, on_exec_compose_b__attach(p->b));
	store_read_ruleset(_metadata, p->b->progs.store_ruleset, dirs);
	file_id(_metadata, target, &p->b->bss->target_ino,
		&p->b->bss->target_dev);
	p->b->bss->apply_flags = flags;
	p->b->bss->arm_count = count;
}

/* Runs @path with @argv in a child, without anything else. */
static void run(struct __test_metadata *const _metadata,
		struct policies *const p, const char *const path,
		const char *const *const argv)
{
	const struct exec_opts opts = {
		.path = path,
		.argv = argv,
		.restrict_fd = -1,
		.on_exec_fd = -1,
	};

	ASSERT_EQ(0, run_exec(&opts, &p->res));
}

/* The execution succeeded, and the program exited with @status. */
static void expect_ran(struct __test_metadata *const _metadata,
		       const struct policies *const p, const int status)
{
	EXPECT_EQ(0, p->res.exec_errno);
	EXPECT_EQ(status, p->res.status)
	{
		TH_LOG("output:\n%s", p->res.out);
	}
}

static void expect_layers(struct __test_metadata *const _metadata,
			  const char *const out, const int layers)
{
	char line[32];

	snprintf(line, sizeof(line), "layers=%d", layers);
	expect_line(_metadata, out, line);
}

FIXTURE(compose)
{
	struct policies p;
};

FIXTURE_SETUP(compose)
{
	policies_setup(_metadata, &self->p);
}

FIXTURE_TEARDOWN(compose)
{
	policies_teardown(_metadata, &self->p);
}

/*
 * A arms RA (dir1 only) with no_new_privs, B arms RB (dir1 and dir2)
 * without: both layers are enforced, so dir2 is denied (by RA), and
 * no_new_privs is set.  B's arming does not replace A's.
 */
static void both_policies_stack(struct __test_metadata *const _metadata,
				struct policies *const p, const bool b_first)
{
	if (b_first) {
		load_b(_metadata, p, rb_dirs, 0, 1);
		load_a(_metadata, p, ra_dirs, NNP, 1);
	} else {
		load_a(_metadata, p, ra_dirs, NNP, 1);
		load_b(_metadata, p, rb_dirs, 0, 1);
	}

	run(_metadata, p, target, probe_ops);
	expect_ran(_metadata, p, 0);
	expect_line(_metadata, p->res.out, "read:" FILE1 "=ok");
	expect_line(_metadata, p->res.out, "read:" FILE2 "=EACCES");
	expect_line(_metadata, p->res.out, "read:" FILE3 "=EACCES");
	expect_layers(_metadata, p->res.out, 2);
	expect_line(_metadata, p->res.out, "nnp=1");
	EXPECT_EQ(1, p->a->bss->hits);
	EXPECT_EQ(1, p->a->bss->armed);
	EXPECT_EQ(0, p->a->bss->rets[0]);
	EXPECT_EQ(1, p->b->bss->hits);
	EXPECT_EQ(1, p->b->bss->armed);
	EXPECT_EQ(0, p->b->bss->rets[0]);
	/* This process is untouched. */
	EXPECT_EQ(0, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));

	/* Another binary is untouched by both. */
	run(_metadata, p, probe, probe_ops);
	expect_ran(_metadata, p, 0);
	expect_line(_metadata, p->res.out, "read:" FILE2 "=ok");
	expect_line(_metadata, p->res.out, "read:" FILE3 "=ok");
	expect_layers(_metadata, p->res.out, 0);
	expect_line(_metadata, p->res.out, "nnp=0");
	EXPECT_EQ(1, p->a->bss->hits);
	EXPECT_EQ(1, p->b->bss->hits);
}

TEST_F(compose, both_policies_stack)
{
	both_policies_stack(_metadata, &self->p, false);
}

TEST_F(compose, both_policies_stack_b_loaded_first)
{
	both_policies_stack(_metadata, &self->p, true);
}

/* Control: B alone allows dir2, with one layer and no no_new_privs. */
TEST_F(compose, only_b)
{
	struct policies *const p = &self->p;

	load_b(_metadata, p, rb_dirs, 0, 1);
	run(_metadata, p, target, probe_ops);
	expect_ran(_metadata, p, 0);
	expect_line(_metadata, p->res.out, "read:" FILE1 "=ok");
	expect_line(_metadata, p->res.out, "read:" FILE2 "=ok");
	expect_line(_metadata, p->res.out, "read:" FILE3 "=EACCES");
	expect_layers(_metadata, p->res.out, 1);
	expect_line(_metadata, p->res.out, "nnp=0");
	EXPECT_EQ(1, p->b->bss->armed);
}

/* Control: A alone denies dir2, with one layer and no_new_privs. */
TEST_F(compose, only_a)
{
	struct policies *const p = &self->p;

	load_a(_metadata, p, ra_dirs, NNP, 1);
	run(_metadata, p, target, probe_ops);
	expect_ran(_metadata, p, 0);
	expect_line(_metadata, p->res.out, "read:" FILE1 "=ok");
	expect_line(_metadata, p->res.out, "read:" FILE2 "=EACCES");
	expect_layers(_metadata, p->res.out, 1);
	expect_line(_metadata, p->res.out, "nnp=1");
	EXPECT_EQ(1, p->a->bss->armed);
}

/* Each call of one program adds a layer too. */
TEST_F(compose, one_program_arming_twice)
{
	struct policies *const p = &self->p;

	load_b(_metadata, p, rb_dirs, 0, 2);
	run(_metadata, p, target, layers_op);
	expect_ran(_metadata, p, 0);
	expect_layers(_metadata, p->res.out, 2);
	EXPECT_EQ(2, p->b->bss->armed);

	load_a(_metadata, p, ra_dirs, 0, 3);
	run(_metadata, p, target, layers_op);
	expect_ran(_metadata, p, 0);
	expect_layers(_metadata, p->res.out, 5);
	EXPECT_EQ(3, p->a->bss->armed);
	EXPECT_EQ(4, p->b->bss->armed);
}

/*
 * The layers are added above the domain of the executing task: 2 more than
 * it has (a layer it enforced before executing the target, and none for
 * another binary).
 */
TEST_F(compose, above_the_domain_of_the_task)
{
	struct policies *const p = &self->p;
	struct exec_opts opts = {
		.path = target,
		.argv = probe_ops,
		.on_exec_fd = -1,
	};

	load_a(_metadata, p, ra_dirs, NNP, 1);
	load_b(_metadata, p, rb_dirs, 0, 1);
	opts.restrict_fd = create_harmless_ruleset(_metadata);

	ASSERT_EQ(0, run_exec(&opts, &p->res));
	expect_ran(_metadata, p, 0);
	expect_line(_metadata, p->res.out, "read:" FILE1 "=ok");
	expect_line(_metadata, p->res.out, "read:" FILE2 "=EACCES");
	expect_layers(_metadata, p->res.out, 3);
	expect_line(_metadata, p->res.out, "nnp=1");

	opts.path = probe;
	ASSERT_EQ(0, run_exec(&opts, &p->res));
	expect_ran(_metadata, p, 0);
	expect_line(_metadata, p->res.out, "read:" FILE2 "=ok");
	expect_layers(_metadata, p->res.out, 1);
	expect_line(_metadata, p->res.out, "nnp=0");
	EXPECT_EQ(0, close(opts.restrict_fd));
}

/*
 * With a ruleset armed by the executing task (ON_EXEC, allowing dir1 and
 * dir3), both BPF layers and the user space one are enforced.
 */
TEST_F(compose, with_user_space_on_exec)
{
	static const char *const ru_dirs[] = { DIR1, DIR3, NULL };
	struct policies *const p = &self->p;
	struct exec_opts opts = {
		.path = target,
		.argv = probe_ops,
		.restrict_fd = -1,
	};

	load_a(_metadata, p, ra_dirs, 0, 1);
	load_b(_metadata, p, rb_dirs, 0, 1);
	opts.on_exec_fd = create_read_ruleset(_metadata, ru_dirs);

	ASSERT_EQ(0, run_exec(&opts, &p->res));
	expect_ran(_metadata, p, 0);
	expect_line(_metadata, p->res.out, "read:" FILE1 "=ok");
	expect_line(_metadata, p->res.out, "read:" FILE2 "=EACCES");
	expect_line(_metadata, p->res.out, "read:" FILE3 "=EACCES");
	expect_layers(_metadata, p->res.out, 3);
	/* Nobody asked for no_new_privs. */
	expect_line(_metadata, p->res.out, "nnp=0");
	EXPECT_EQ(1, p->a->bss->armed);
	EXPECT_EQ(1, p->b->bss->armed);
	EXPECT_EQ(0, close(opts.on_exec_fd));
}

/* no_new_privs is set if and only if at least one arming asked for it. */
TEST_F(compose, no_new_privs_if_any_arming_asks)
{
	static const struct {
		__u32 a, b;
		const char *nnp;
	} cases[] = {
		{ 0, 0, "nnp=0" },
		{ NNP, 0, "nnp=1" },
		{ 0, NNP, "nnp=1" },
		{ NNP, NNP, "nnp=1" },
	};
	static const char *const argv[] = { "on-exec-probe", "nnp", "layers",
					    NULL };
	struct policies *const p = &self->p;
	size_t i;

	load_a(_metadata, p, ra_dirs, 0, 1);
	load_b(_metadata, p, rb_dirs, 0, 1);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		p->a->bss->apply_flags = cases[i].a;
		p->b->bss->apply_flags = cases[i].b;
		run(_metadata, p, target, argv);
		expect_ran(_metadata, p, 0);
		expect_line(_metadata, p->res.out, cases[i].nnp);
		expect_layers(_metadata, p->res.out, 2);
	}
	EXPECT_EQ(0, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
}

/*
 * The 16 layers are shared by every policy: 8 + 8 armings fit, 8 + 9 fail
 * the execution with EPERM (B's last arming returns it).  The process that
 * failed then executes the target again without B's armings: it gets A's
 * 8 layers only.
 */
TEST_F_TIMEOUT(compose, armings_of_all_policies_share_the_limit, 60)
{
	struct policies *const p = &self->p;
	struct exec_opts opts = {
		.path = target,
		.argv = layers_op,
		.restrict_fd = -1,
		.on_exec_fd = -1,
	};
	int i;

	load_a(_metadata, p, ra_dirs, 0, 8);
	load_b(_metadata, p, rb_dirs, 0, 8);
	run(_metadata, p, target, layers_op);
	expect_ran(_metadata, p, 0);
	expect_layers(_metadata, p->res.out, 16);

	p->b->bss->arm_count = 9;
	opts.disable_on_failure = &p->b->bss->arm_count;
	ASSERT_EQ(0, run_exec(&opts, &p->res));
	EXPECT_EQ(EPERM, p->res.exec_errno);
	EXPECT_TRUE(p->res.retried);
	EXPECT_EQ(0, p->res.status);
	expect_layers(_metadata, p->res.out, 8);
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(0, p->a->bss->rets[i]);
		EXPECT_EQ(0, p->b->bss->rets[i]);
	}
	EXPECT_EQ(-EPERM, p->b->bss->rets[8]);
	EXPECT_EQ(1, p->b->bss->failed);
}

/*
 * B armed at every binary format level of the executions of the child
 * (whatever the file): one layer per level.  A script whose interpreter is
 * the probe is 2 levels (bprm_check_security sees the script, then the
 * probe), a script whose interpreter is that script 3, and so on.  The
 * probe is run as "#!PROBE layers": its last argument is the script, an
 * unknown operation (exit status 2) after it printed its layers.
 */
TEST_F(compose, one_layer_per_binfmt_level)
{
	struct policies *const p = &self->p;
	struct exec_opts opts = {
		.argv = NULL,
		.restrict_fd = -1,
		.on_exec_fd = -1,
	};
	__u64 ino[4], unused_dev;
	char cwd[PATH_MAX], line[PATH_MAX + 32];
	size_t i;
	int level;

	ASSERT_NE(NULL, getcwd(cwd, sizeof(cwd)));
	snprintf(line, sizeof(line), "#!%s/%s layers\n", cwd, target);
	write_file(_metadata, script_levels[0], line, 0755);
	for (i = 1; i < ARRAY_SIZE(script_levels); i++) {
		snprintf(line, sizeof(line), "#!%s/%s\n", cwd,
			 script_levels[i - 1]);
		write_file(_metadata, script_levels[i], line, 0755);
	}
	/* ino[0]: the probe; ino[i]: the script of level i. */
	file_id(_metadata, target, &ino[0], &unused_dev);
	for (i = 0; i < ARRAY_SIZE(script_levels); i++)
		file_id(_metadata, script_levels[i], &ino[i + 1], NULL);

	load_b(_metadata, p, rb_dirs, 0, 1);
	p->b->bss->target_ino = 0;
	p->b->bss->match_tgid = 1;
	opts.tgid[0] = &p->b->bss->trace_tgid;

	/* The probe itself: one level. */
	opts.path = target;
	opts.argv = layers_op;
	p->b->bss->levels = 0;
	ASSERT_EQ(0, run_exec(&opts, &p->res));
	expect_ran(_metadata, p, 0);
	expect_layers(_metadata, p->res.out, 1);
	EXPECT_EQ(1, p->b->bss->levels);
	EXPECT_EQ(ino[0], p->b->bss->level_ino[0]);

	opts.argv = NULL;
	for (level = 2; level <= (int)ARRAY_SIZE(script_levels) + 1; level++) {
		const __u32 armed = p->b->bss->armed;
		int j;

		opts.path = script_levels[level - 2];
		p->b->bss->levels = 0;
		ASSERT_EQ(0, run_exec(&opts, &p->res));
		expect_ran(_metadata, p, 2);
		expect_layers(_metadata, p->res.out, level);
		EXPECT_EQ(level, p->b->bss->levels);
		EXPECT_EQ(armed + level, p->b->bss->armed);
		/* Outermost script first, the probe last. */
		for (j = 0; j < level && j < 8; j++)
			EXPECT_EQ(ino[level - 1 - j], p->b->bss->level_ino[j])
			{
				TH_LOG("level %d of %d", j, level);
			}
	}

	/* Another process is not traced: no layer. */
	p->b->bss->trace_tgid = 0;
	p->b->bss->levels = 0;
	run(_metadata, p, script_levels[0], NULL);
	expect_ran(_metadata, p, 2);
	expect_layers(_metadata, p->res.out, 0);
	EXPECT_EQ(0, p->b->bss->levels);
}

FIXTURE(fail_closed)
{
	struct policies p;
	struct arming arm;
};

FIXTURE_VARIANT(fail_closed)
{
	/* Policy B (bprm_check_security) arms, instead of A. */
	bool check_security;
};

/* clang-format off */
FIXTURE_VARIANT_ADD(fail_closed, creds_for_exec) {
	/* clang-format on */
	.check_security = false,
};

/* clang-format off */
FIXTURE_VARIANT_ADD(fail_closed, check_security) {
	/* clang-format on */
	.check_security = true,
};

/* Loads the policy of the variant, arming RA once without flags. */
FIXTURE_SETUP(fail_closed)
{
	struct policies *const p = &self->p;

	policies_setup(_metadata, p);
	if (_metadata->exit_code == KSFT_SKIP)
		return;
	if (variant->check_security) {
		load_b(_metadata, p, ra_dirs, 0, 1);
		self->arm = (struct arming){
			.apply_flags = &p->b->bss->apply_flags,
			.arm_count = &p->b->bss->arm_count,
			.hits = &p->b->bss->hits,
			.armed = &p->b->bss->armed,
			.failed = &p->b->bss->failed,
			.rets = p->b->bss->rets,
		};
	} else {
		load_a(_metadata, p, ra_dirs, 0, 1);
		self->arm = (struct arming){
			.apply_flags = &p->a->bss->apply_flags,
			.arm_count = &p->a->bss->arm_count,
			.hits = &p->a->bss->hits,
			.armed = &p->a->bss->armed,
			.failed = &p->a->bss->failed,
			.rets = p->a->bss->rets,
		};
	}
}

FIXTURE_TEARDOWN(fail_closed)
{
	policies_teardown(_metadata, &self->p);
}

/*
 * Runs the target: the first execution must fail with @err, without the
 * target running; then the same process executes the target again, with the
 * policy not arming anything: it runs unsandboxed.
 */
static void expect_exec_fails(struct __test_metadata *const _metadata,
			      struct policies *const p,
			      const struct arming *const arm, const int err)
{
	struct exec_opts opts = {
		.path = target,
		.argv = probe_ops,
		.restrict_fd = -1,
		.on_exec_fd = -1,
	};
	const __u32 count = *arm->arm_count;

	ASSERT_EQ(0, run_exec(&opts, &p->res));
	EXPECT_EQ(err, p->res.exec_errno);
	/* The child's _exit(127) after the failure: the target never ran. */
	EXPECT_EQ(127, p->res.status);
	EXPECT_STREQ("", p->res.out);

	opts.disable_on_failure = arm->arm_count;
	ASSERT_EQ(0, run_exec(&opts, &p->res));
	EXPECT_EQ(err, p->res.exec_errno);
	EXPECT_TRUE(p->res.retried);
	EXPECT_EQ(0, p->res.status);
	expect_line(_metadata, p->res.out, "read:" FILE2 "=ok");
	expect_layers(_metadata, p->res.out, 0);
	expect_line(_metadata, p->res.out, "nnp=0");
	*arm->arm_count = count;
}

/*
 * An arming with flags the kernel refuses (-EINVAL) fails the execution with
 * EINVAL, although the program ignores the error and returns 0.
 */
TEST_F(fail_closed, invalid_flags)
{
	const __u32 bad[] = {
		LANDLOCK_RESTRICT_SELF_ON_EXEC,
		LANDLOCK_RESTRICT_SELF_ON_EXEC | NNP,
		LANDLOCK_RESTRICT_SELF_TSYNC,
		1U << 31,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		*self->arm.apply_flags = bad[i];
		self->arm.rets[0] = 1;
		expect_exec_fails(_metadata, &self->p, &self->arm, EINVAL);
		EXPECT_EQ(-EINVAL, self->arm.rets[0])
		{
			TH_LOG("flags %#x", bad[i]);
		}
	}
	EXPECT_EQ(0, *self->arm.armed);
	EXPECT_EQ(2 * ARRAY_SIZE(bad), *self->arm.failed);
	EXPECT_EQ(0, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
}

/* 17 armings: the last one returns -EPERM, and fails the execution. */
TEST_F_TIMEOUT(fail_closed, too_many_armings, 60)
{
	int i;

	*self->arm.arm_count = LANDLOCK_MAX_NUM_LAYERS + 1;
	expect_exec_fails(_metadata, &self->p, &self->arm, EPERM);
	for (i = 0; i < LANDLOCK_MAX_NUM_LAYERS; i++)
		EXPECT_EQ(0, self->arm.rets[i]);
	EXPECT_EQ(-EPERM, self->arm.rets[LANDLOCK_MAX_NUM_LAYERS]);
	EXPECT_EQ(2 * LANDLOCK_MAX_NUM_LAYERS, *self->arm.armed);
	EXPECT_EQ(2, *self->arm.failed);
}

/* 16 armings fit in a task without a domain: 16 layers. */
TEST_F_TIMEOUT(fail_closed, sixteen_armings, 60)
{
	struct policies *const p = &self->p;
	int i;

	*self->arm.arm_count = LANDLOCK_MAX_NUM_LAYERS;
	run(_metadata, p, target, probe_ops);
	expect_ran(_metadata, p, 0);
	expect_line(_metadata, p->res.out, "read:" FILE1 "=ok");
	expect_line(_metadata, p->res.out, "read:" FILE2 "=EACCES");
	expect_layers(_metadata, p->res.out, LANDLOCK_MAX_NUM_LAYERS);
	for (i = 0; i < LANDLOCK_MAX_NUM_LAYERS; i++)
		EXPECT_EQ(0, self->arm.rets[i]);
	EXPECT_EQ(0, *self->arm.failed);
}

/*
 * Above a task's layer, 16 armings all succeed but do not fit in its
 * domain: the execution fails with EPERM.  15 fit.
 */
TEST_F_TIMEOUT(fail_closed, sixteen_armings_above_a_layer, 60)
{
	struct policies *const p = &self->p;
	struct exec_opts opts = {
		.path = target,
		.argv = probe_ops,
		.on_exec_fd = -1,
	};
	int i;

	opts.restrict_fd = create_harmless_ruleset(_metadata);
	*self->arm.arm_count = LANDLOCK_MAX_NUM_LAYERS;
	ASSERT_EQ(0, run_exec(&opts, &p->res));
	EXPECT_EQ(EPERM, p->res.exec_errno);
	EXPECT_EQ(127, p->res.status);
	EXPECT_STREQ("", p->res.out);
	for (i = 0; i < LANDLOCK_MAX_NUM_LAYERS; i++)
		EXPECT_EQ(0, self->arm.rets[i]);

	*self->arm.arm_count = LANDLOCK_MAX_NUM_LAYERS - 1;
	ASSERT_EQ(0, run_exec(&opts, &p->res));
	expect_ran(_metadata, p, 0);
	expect_layers(_metadata, p->res.out, LANDLOCK_MAX_NUM_LAYERS);
	EXPECT_EQ(0, *self->arm.failed);
	EXPECT_EQ(0, close(opts.restrict_fd));
}

/*
 * An execution failed by an arming leaves the calling task unchanged: this
 * process (which asked for no_new_privs too) does not get it, and what it
 * executes next is sandboxed only by what is armed for that execution.
 */
TEST_F(fail_closed, failed_exec_leaves_caller_unchanged)
{
	static char *const argv[] = { "on-exec-probe", "layers", NULL };
	static char *const envp[] = { NULL };
	struct policies *const p = &self->p;

	*self->arm.apply_flags = LANDLOCK_RESTRICT_SELF_ON_EXEC | NNP;
	EXPECT_EQ(-1, execve(target, argv, envp));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(1, *self->arm.hits);
	EXPECT_EQ(-EINVAL, self->arm.rets[0]);
	EXPECT_EQ(0, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));

	/* Nothing armed: unsandboxed. */
	*self->arm.arm_count = 0;
	run(_metadata, p, target, probe_ops);
	expect_ran(_metadata, p, 0);
	expect_line(_metadata, p->res.out, "read:" FILE2 "=ok");
	expect_layers(_metadata, p->res.out, 0);
	expect_line(_metadata, p->res.out, "nnp=0");

	/* One valid arming: one layer, not two. */
	*self->arm.apply_flags = NNP;
	*self->arm.arm_count = 1;
	run(_metadata, p, target, probe_ops);
	expect_ran(_metadata, p, 0);
	expect_line(_metadata, p->res.out, "read:" FILE2 "=EACCES");
	expect_layers(_metadata, p->res.out, 1);
	expect_line(_metadata, p->res.out, "nnp=1");
	EXPECT_EQ(3, *self->arm.hits);
	EXPECT_EQ(1, *self->arm.armed);
}

TEST_HARNESS_MAIN
