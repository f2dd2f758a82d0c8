// SPDX-License-Identifier: GPL-2.0
/*
 * Credentials shared between threads, changed concurrently: the
 * interleavings behind the KCSAN report "data-race in commit_creds /
 * prepare_creds", on two CPUs.
 *
 * Threads of a process share one struct cred until one of them changes its
 * own.  get_cred() writes cred->non_rcu (to 0) whenever a reference is
 * taken, and prepare_creds() copies the whole struct: when one thread takes a
 * reference on the shared credential while another copies it, the two
 * accesses race (a plain store of the value already there, against a
 * memcpy()).  Three ways to get there, each run for a few seconds:
 *
 *   thread_creation   upstream only: a thread creates threads (copy_creds()
 *                     takes references on the shared credential) while the
 *                     new threads call capset() (prepare_creds() copies it)
 *   tsync_immediate   upstream only: landlock_restrict_self(TSYNC) commits
 *                     one new credential to every thread (get_cred() then
 *                     commit_creds() on it) while other threads fork (which
 *                     copies it)
 *   on_exec_tsync     the series: arming and disarming ON_EXEC|TSYNC, the
 *                     same sharing, while other threads fork and execute
 *
 * On any kernel these are stress tests: every call must succeed, and each
 * test checks that the two sides overlapped in time (a test that never
 * hit its window proves nothing).  On the KCSAN kernel (make check-kcsan),
 * scripts/kcsan-report sorts what they provoke.  CRED_RACE_SECONDS sets the
 * duration of each (default 3, at most 25).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"

struct race {
	atomic_bool stop;
	/* Calls of each side in progress, and overlaps seen from each side. */
	atomic_int in_a, in_b;
	atomic_long calls_a, calls_b, overlaps;
	atomic_int errors;
};

/* At most 25 s: the harness kills a test after 30 s. */
static int seconds(void)
{
	const char *const env = getenv("CRED_RACE_SECONDS");
	const int s = env ? atoi(env) : 3;

	return s < 1 ? 1 : s > 25 ? 25 : s;
}

static void enter(struct race *const r, atomic_int *const mine,
		  atomic_int *const other)
{
	atomic_fetch_add(mine, 1);
	if (atomic_load(other))
		atomic_fetch_add(&r->overlaps, 1);
}

static void run_for(struct race *const r)
{
	const struct timespec ts = { .tv_sec = seconds() };

	nanosleep(&ts, NULL);
	atomic_store(&r->stop, true);
}

/* prepare_creds() of the calling thread, without changing anything. */
static int same_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(__NR_capget, &hdr, data))
		return -1;
	return syscall(__NR_capset, &hdr, data);
}

static void *capset_once(void *const arg)
{
	struct race *const r = arg;

	enter(r, &r->in_b, &r->in_a);
	if (same_caps())
		atomic_fetch_add(&r->errors, 1);
	atomic_fetch_sub(&r->in_b, 1);
	atomic_fetch_add(&r->calls_b, 1);
	return NULL;
}

static void *create_threads(void *const arg)
{
	struct race *const r = arg;

	while (!atomic_load(&r->stop)) {
		pthread_t t;

		enter(r, &r->in_a, &r->in_b);
		if (pthread_create(&t, NULL, capset_once, r)) {
			atomic_fetch_add(&r->errors, 1);
		} else {
			atomic_fetch_sub(&r->in_a, 1);
			pthread_detach(t);
			atomic_fetch_add(&r->calls_a, 1);
			continue;
		}
		atomic_fetch_sub(&r->in_a, 1);
	}
	return NULL;
}

static void report(struct __test_metadata *const _metadata,
		   struct race *const r, const char *const a,
		   const char *const b)
{
	TH_LOG("%ld %s, %ld %s, %ld overlaps, %d errors",
	       atomic_load(&r->calls_a), a, atomic_load(&r->calls_b), b,
	       atomic_load(&r->overlaps), atomic_load(&r->errors));
	EXPECT_EQ(0, atomic_load(&r->errors));
	EXPECT_LT(0, atomic_load(&r->overlaps));
}

TEST(thread_creation)
{
	struct race r = {};
	pthread_t creator;

	ASSERT_EQ(0, pthread_create(&creator, NULL, create_threads, &r));
	run_for(&r);
	ASSERT_EQ(0, pthread_join(creator, NULL));
	/* Detached threads finishing their capset(). */
	while (atomic_load(&r.in_b))
		usleep(1000);
	report(_metadata, &r, "threads created", "capset() in new threads");
}

struct restrict_args {
	struct race *r;
	int ruleset_fd;
	__u32 flags;
	/* Immediate restrictions stack layers: stop at the limit. */
	bool stacks;
};

/* Per process: layers stacked so far, and the end of its forks. */
static atomic_int layers;
static atomic_bool forks_stop;

static void *restrict_loop(void *const arg)
{
	const struct restrict_args *const a = arg;
	struct race *const r = a->r;
	long n;

	for (n = 0; !atomic_load(&r->stop); n++) {
		/* ON_EXEC: arms, then disarms. */
		const int fd = (!a->stacks && (n & 1)) ? -1 : a->ruleset_fd;

		if (a->stacks && atomic_fetch_add(&layers, 1) >= 15)
			break;
		enter(r, &r->in_a, &r->in_b);
		if (syscall(__NR_landlock_restrict_self, fd, a->flags))
			atomic_fetch_add(&r->errors, 1);
		atomic_fetch_sub(&r->in_a, 1);
		atomic_fetch_add(&r->calls_a, 1);
	}
	return NULL;
}

static void *fork_loop(void *const arg)
{
	struct race *const r = arg;

	while (!atomic_load(&r->stop) && !atomic_load(&forks_stop)) {
		pid_t child;
		int status;

		enter(r, &r->in_b, &r->in_a);
		child = fork();
		if (child == 0) {
			execl("/bin/true", "true", NULL);
			_exit(0);
		}
		atomic_fetch_sub(&r->in_b, 1);
		if (child < 0 || waitpid(child, &status, 0) != child ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			atomic_fetch_add(&r->errors, 1);
		atomic_fetch_add(&r->calls_b, 1);
	}
	return NULL;
}

/* In a child process: three threads restrict, two fork and execute. */
static void restrict_race_process(struct race *const r, const __u32 flags,
				  const bool stacks)
{
	const struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_READ_DIR,
	};
	struct restrict_args args = { .r = r, .flags = flags,
				      .stacks = stacks };
	pthread_t restrict_threads[3], fork_threads[2];
	int i;

	args.ruleset_fd = syscall(__NR_landlock_create_ruleset, &attr,
				  sizeof(attr), 0);
	if (args.ruleset_fd < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(1);
	for (i = 0; i < 2; i++)
		if (pthread_create(&fork_threads[i], NULL, fork_loop, r))
			_exit(1);
	for (i = 0; i < 3; i++)
		if (pthread_create(&restrict_threads[i], NULL, restrict_loop,
				   &args))
			_exit(1);
	for (i = 0; i < 3; i++)
		pthread_join(restrict_threads[i], NULL);
	atomic_store(&forks_stop, true);
	for (i = 0; i < 2; i++)
		pthread_join(fork_threads[i], NULL);
	_exit(0);
}

/*
 * Runs restrict_race_process() in child processes, on shared counters, for
 * the test's duration: one process (@stacks false), or one after the other,
 * each stopping at 15 layers (@stacks true).
 */
static void run_restrict_race(struct __test_metadata *const _metadata,
			      struct race *const r, const __u32 flags,
			      const bool stacks)
{
	struct timespec start, now;

	ASSERT_EQ(0, clock_gettime(CLOCK_MONOTONIC, &start));
	do {
		pid_t child = fork();
		int status;

		ASSERT_LE(0, child);
		if (child == 0)
			restrict_race_process(r, flags, stacks);
		if (!stacks)
			run_for(r);
		ASSERT_EQ(child, waitpid(child, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status));
		ASSERT_EQ(0, clock_gettime(CLOCK_MONOTONIC, &now));
	} while (stacks && now.tv_sec - start.tv_sec < seconds());
}

static struct race *shared_race(struct __test_metadata *const _metadata)
{
	struct race *const r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, r);
	memset(r, 0, sizeof(*r));
	return r;
}

TEST(tsync_immediate)
{
	struct race *const r = shared_race(_metadata);

	run_restrict_race(_metadata, r, LANDLOCK_RESTRICT_SELF_TSYNC, true);
	report(_metadata, r, "immediate TSYNC restrictions", "fork+exec");
	munmap(r, sizeof(*r));
}

TEST(on_exec_tsync)
{
	const __u32 on_exec = 1U << 5; /* LANDLOCK_RESTRICT_SELF_ON_EXEC */
	struct race *r;

	if (syscall(__NR_landlock_create_ruleset, NULL, 0,
		    LANDLOCK_CREATE_RULESET_VERSION) < 12 ||
	    syscall(__NR_landlock_restrict_self, -1, on_exec))
		SKIP(return, "no exec-time enforcement (upstream kernel)");
	r = shared_race(_metadata);
	run_restrict_race(_metadata, r,
			  on_exec | LANDLOCK_RESTRICT_SELF_TSYNC, false);
	report(_metadata, r, "ON_EXEC|TSYNC armings", "fork+exec");
	munmap(r, sizeof(*r));
}

TEST_HARNESS_MAIN
