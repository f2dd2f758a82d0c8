// SPDX-License-Identifier: GPL-2.0
/*
 * Stress of exec-time enforcement, for a bounded time (STRESS_SECONDS,
 * default 20).
 *
 * Worker processes, each with two threads, run concurrently while a BPF
 * policy sandboxes every execution of BPF_TARGET and a thread of the test
 * keeps replacing the policy's ruleset in its map:
 * - the main thread of a worker arms, replaces and disarms rulesets at
 *   random, and forks children that execute the probe or the BPF target,
 *   checking that each program runs with exactly what was armed (plus the
 *   BPF ruleset for the target);
 * - its sibling thread meanwhile restricts itself, and restricts both
 *   threads with LANDLOCK_RESTRICT_SELF_TSYNC (with rulesets allowing every
 *   read, so that only the armed rulesets decide what the probe sees), which
 *   replaces the credentials of the main thread under its feet: its armed
 *   ruleset must survive that.
 * A worker retires after a few layers, and a new one takes its place.
 * Afterwards every ruleset and domain created (landlock_create_* trace
 * events) must have been freed (landlock_free_* events).
 */

#include "reliability.h"

#include <pthread.h>
#include <sys/mman.h>
#include <time.h>

#include "landlock/trace.h"

#define STRESS_WORKERS 4
/* Layers a worker's sibling thread stacks before the worker retires. */
#define STRESS_LAYERS 8

struct counters {
	unsigned long arms, replaces, clears, tsyncs, immediates;
	unsigned long execs, bpf_execs, layer_limit, violations, bpf_stores;
};

static struct counters *counters;
static time_t deadline;

#define COUNT(field) __atomic_fetch_add(&(counters->field), 1, __ATOMIC_RELAXED)
#define STOPPED(p) __atomic_load_n(&(p)->stop, __ATOMIC_RELAXED)
#define STOP(p) __atomic_store_n(&(p)->stop, true, __ATOMIC_RELAXED)

enum armed { ARMED_NONE, ARMED_A, ARMED_B };

struct worker {
	int allow_all_fd, ruleset_a, ruleset_b;
	bool stop;
};

static int allow_all_ruleset(void)
{
	const struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE,
	};
	struct landlock_path_beneath_attr path_beneath = {
		.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE,
	};
	int fd;

	fd = landlock_create_ruleset(&attr, sizeof(attr), 0);
	if (fd < 0)
		return -1;
	path_beneath.parent_fd = open("/", O_PATH | O_CLOEXEC);
	if (landlock_add_rule(fd, LANDLOCK_RULE_PATH_BENEATH, &path_beneath,
			      0)) {
		close(fd);
		fd = -1;
	}
	close(path_beneath.parent_fd);
	return fd;
}

/* The sibling thread: immediate and thread-synchronized restrictions. */
static void *sibling(void *const arg)
{
	struct worker *const w = arg;
	int layers = 0;

	while (!STOPPED(w) && layers < STRESS_LAYERS) {
		const bool tsync = rand() % 2;

		if (landlock_restrict_self(w->allow_all_fd,
					   tsync ? LANDLOCK_RESTRICT_SELF_TSYNC :
						   0)) {
			COUNT(violations);
			fprintf(stderr, "# restrict_self(%s): %s\n",
				tsync ? "TSYNC" : "0", strerror(errno));
			break;
		}
		if (tsync)
			COUNT(tsyncs);
		else
			COUNT(immediates);
		layers++;
		usleep(1000 + rand() % 20000);
	}
	STOP(w);
	return NULL;
}

/* Executes @path in a child and checks what it may read. */
static void check_exec(const char *const path, const int want_a,
		       const int want_b)
{
	struct probe_report report;
	int pipefd[2], status;
	char out[256];
	pid_t child;

	if (pipe2(pipefd, O_CLOEXEC))
		return;
	child = fork();
	if (child < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return;
	}
	if (child == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		exec_probe(path);
		printf("execve=%d\n", errno);
		_exit(0);
	}
	close(pipefd[1]);
	read_all(pipefd[0], out, sizeof(out));
	close(pipefd[0]);
	waitpid(child, &status, 0);
	if (strstr(out, "execve=1\n")) {
		/* Too many layers: the exec fails (EPERM), the program never runs. */
		COUNT(layer_limit);
		return;
	}
	if (!parse_report(out, &report) || report.read_a != want_a ||
	    report.read_b != want_b) {
		COUNT(violations);
		fprintf(stderr, "# %s: want a=%d b=%d, got: %s\n", path, want_a,
			want_b, out);
	}
}

static void worker_main(void)
{
	struct worker w = {};
	enum armed armed = ARMED_NONE;
	pthread_t thread;

	srand(getpid());
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		_exit(1);
	w.allow_all_fd = allow_all_ruleset();
	w.ruleset_a = landlock_create_ruleset(
		&(struct landlock_ruleset_attr){
			.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE },
		sizeof(struct landlock_ruleset_attr), 0);
	w.ruleset_b = landlock_create_ruleset(
		&(struct landlock_ruleset_attr){
			.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE },
		sizeof(struct landlock_ruleset_attr), 0);
	if (w.allow_all_fd < 0 || w.ruleset_a < 0 || w.ruleset_b < 0)
		_exit(1);
	{
		struct landlock_path_beneath_attr pb = {
			.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE,
		};

		pb.parent_fd = open(DIR_A, O_PATH | O_CLOEXEC);
		if (landlock_add_rule(w.ruleset_a, LANDLOCK_RULE_PATH_BENEATH,
				      &pb, 0))
			_exit(1);
		close(pb.parent_fd);
		pb.parent_fd = open(DIR_B, O_PATH | O_CLOEXEC);
		if (landlock_add_rule(w.ruleset_b, LANDLOCK_RULE_PATH_BENEATH,
				      &pb, 0))
			_exit(1);
		close(pb.parent_fd);
	}
	if (pthread_create(&thread, NULL, sibling, &w))
		_exit(1);
	while (!STOPPED(&w) && time(NULL) < deadline) {
		switch (rand() % 6) {
		case 0:
		case 1: {
			const bool a = rand() % 2;

			if (landlock_restrict_self(a ? w.ruleset_a :
						       w.ruleset_b,
						   ON_EXEC)) {
				/* Refused at 16 layers (the sibling's). */
				if (errno == E2BIG)
					COUNT(layer_limit);
				else
					COUNT(violations);
				break;
			}
			if (armed == ARMED_NONE)
				COUNT(arms);
			else
				COUNT(replaces);
			armed = a ? ARMED_A : ARMED_B;
			break;
		}
		case 2:
			if (landlock_restrict_self(-1, ON_EXEC)) {
				COUNT(violations);
				break;
			}
			COUNT(clears);
			armed = ARMED_NONE;
			break;
		case 3:
		case 4:
			check_exec(PROBE, armed == ARMED_B ? EACCES : 0,
				   armed == ARMED_A ? EACCES : 0);
			COUNT(execs);
			break;
		case 5:
			/* The BPF ruleset allows a only. */
			check_exec(BPF_TARGET, armed == ARMED_B ? EACCES : 0,
				   EACCES);
			COUNT(bpf_execs);
			break;
		}
	}
	STOP(&w);
	pthread_join(thread, NULL);
	_exit(0);
}

struct bpf_restorer {
	struct on_exec_bpf *skel;
	struct __test_metadata *metadata;
	bool stop;
};

/* Keeps replacing the BPF policy's ruleset while executions use it. */
static void *bpf_restorer(void *const arg)
{
	struct bpf_restorer *const r = arg;

	while (!STOPPED(r)) {
		const int fd = create_read_ruleset(r->metadata, DIR_A);

		if (!bpf_store_ruleset(r->skel, fd, 0))
			COUNT(bpf_stores);
		close(fd);
		usleep(20000);
	}
	return NULL;
}

/* Pairs landlock_create_<kind> and landlock_free_<kind> trace events. */
struct id_list {
	unsigned long long *ids;
	size_t len, cap;
};

static void id_add(struct id_list *const l, const unsigned long long id)
{
	if (l->len == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 1024;
		l->ids = realloc(l->ids, l->cap * sizeof(*l->ids));
		if (!l->ids)
			abort();
	}
	l->ids[l->len++] = id;
}

static int id_cmp(const void *a, const void *b)
{
	const unsigned long long x = *(const unsigned long long *)a;
	const unsigned long long y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/* Returns the number of live objects, or -1; sets *created. */
static long count_live(size_t *const created)
{
	static const char *const events[][2] = {
		{ "landlock_create_ruleset: ruleset=",
		  "landlock_free_ruleset: ruleset=" },
		{ "landlock_create_domain: domain=",
		  "landlock_free_domain: domain=" },
	};
	struct id_list made[2] = {}, gone[2] = {};
	char line[1024];
	long live = 0;
	size_t k, i;
	FILE *trace;

	trace = fopen(TRACEFS_TRACE, "re");
	if (!trace)
		return -1;
	while (fgets(line, sizeof(line), trace)) {
		for (k = 0; k < 2; k++) {
			const char *p;

			p = strstr(line, events[k][0]);
			if (p)
				id_add(&made[k], strtoull(p + strlen(events[k][0]),
							  NULL, 16));
			p = strstr(line, events[k][1]);
			if (p)
				id_add(&gone[k], strtoull(p + strlen(events[k][1]),
							  NULL, 16));
		}
	}
	fclose(trace);
	*created = 0;
	for (k = 0; k < 2; k++) {
		qsort(gone[k].ids, gone[k].len, sizeof(*gone[k].ids), id_cmp);
		for (i = 0; i < made[k].len; i++)
			live += !bsearch(&made[k].ids[i], gone[k].ids,
					 gone[k].len, sizeof(*gone[k].ids),
					 id_cmp);
		*created += made[k].len;
		free(made[k].ids);
		free(gone[k].ids);
	}
	return live;
}

/* Events lost by the ring buffer, summed over CPUs. */
static unsigned long trace_overruns(void)
{
	unsigned long total = 0, n;
	char path[96], line[128];
	int cpu;

	for (cpu = 0; cpu < 64; cpu++) {
		FILE *f;

		snprintf(path, sizeof(path), TRACEFS_ROOT "/per_cpu/cpu%d/stats",
			 cpu);
		f = fopen(path, "re");
		if (!f)
			break;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "overrun: %lu", &n) == 1)
				total += n;
		fclose(f);
	}
	return total;
}

static const char *const trace_events[] = {
	TRACEFS_CREATE_RULESET_ENABLE,
	TRACEFS_FREE_RULESET_ENABLE,
	TRACEFS_CREATE_DOMAIN_ENABLE,
	TRACEFS_FREE_DOMAIN_ENABLE,
};

FIXTURE(stress) {};
FIXTURE_SETUP(stress) {}
FIXTURE_TEARDOWN(stress) {}

/* STRESS_SECONDS of load, then up to 10 s for the deferred frees. */
TEST_F_TIMEOUT(stress, concurrent_arm_replace_clear_exec, 600)
{
	const char *const env = getenv("STRESS_SECONDS");
	const int seconds = env ? atoi(env) : 20;
	struct bpf_restorer restorer = { .metadata = _metadata };
	pid_t workers[STRESS_WORKERS] = {};
	unsigned long spawned = 0;
	pthread_t restorer_thread;
	size_t created = 0, i;
	__u32 missed;
	long live = -1;
	int status;

	counters = mmap(NULL, sizeof(*counters), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, counters);
	workdir_setup(_metadata);
	ASSERT_EQ(0, tracefs_setup());
	ASSERT_EQ(0, tracefs_write(TRACEFS_ROOT "/buffer_size_kb", "8192"));
	ASSERT_EQ(0, tracefs_write(TRACEFS_TRACE, ""));
	for (i = 0; i < ARRAY_SIZE(trace_events); i++)
		ASSERT_EQ(0, tracefs_write(trace_events[i], "1"));

	restorer.skel = bpf_policy_start(_metadata, DIR_A, 0);
	ASSERT_NE(NULL, restorer.skel);
	ASSERT_EQ(0, pthread_create(&restorer_thread, NULL, bpf_restorer,
				    &restorer));

	deadline = time(NULL) + seconds;
	while (time(NULL) < deadline) {
		for (i = 0; i < STRESS_WORKERS; i++) {
			if (workers[i] &&
			    waitpid(workers[i], &status, WNOHANG) == 0)
				continue;
			if (workers[i] &&
			    !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
				COUNT(violations);
			workers[i] = fork();
			ASSERT_LE(0, workers[i]);
			if (workers[i] == 0)
				worker_main();
			spawned++;
		}
		usleep(50000);
	}
	for (i = 0; i < STRESS_WORKERS; i++) {
		ASSERT_EQ(workers[i], waitpid(workers[i], &status, 0));
		if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0))
			COUNT(violations);
	}
	STOP(&restorer);
	pthread_join(restorer_thread, NULL);
	/*
	 * Executions of the target for which the policy found no ruleset to
	 * acquire, twice (each is also a violation: the target ran without
	 * the BPF layer).
	 */
	missed = restorer.skel->bss->missed;
	on_exec_bpf__destroy(restorer.skel);

	/* Frees are deferred (workqueues, RCU): wait for them. */
	for (i = 0; i < 100; i++) {
		live = count_live(&created);
		if (live == 0)
			break;
		usleep(100000);
	}
	for (i = 0; i < ARRAY_SIZE(trace_events); i++)
		tracefs_write(trace_events[i], "0");
	workdir_teardown();

	printf("# %d s, %lu worker processes (2 threads each): %lu executions (%lu of the BPF target, %lu refused or failed at the layer limit), %lu arms, %lu replacements, %lu disarms, %lu TSYNC and %lu immediate restrictions, %lu BPF map updates\n",
	       seconds, spawned, counters->execs + counters->bpf_execs,
	       counters->bpf_execs, counters->layer_limit, counters->arms,
	       counters->replaces, counters->clears, counters->tsyncs,
	       counters->immediates, counters->bpf_stores);
	printf("# %zu rulesets and domains created, %ld not freed, %lu trace events lost, %u BPF armings without a ruleset, %lu violations\n",
	       created, live, trace_overruns(), missed, counters->violations);
	EXPECT_EQ(0, counters->violations);
	EXPECT_EQ(0, trace_overruns());
	EXPECT_EQ(0, live);
	EXPECT_LT(100, created);
	EXPECT_LT(0, counters->tsyncs);
	EXPECT_LT(0, counters->bpf_execs);
}

TEST_HARNESS_MAIN
