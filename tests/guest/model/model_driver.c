// SPDX-License-Identifier: GPL-2.0
/*
 * model_driver: checks Landlock exec-time enforcement against the reference
 * model (model.c).
 *
 *   model_driver [--seed S] [--ops N] [--runs R | --seconds T |
 *                 --until-ops N --until-execs M] [--replay 'OP;OP;...']
 *                [--json FILE|-] [--verbose] [--shrink-seconds T]
 *                [--no-bpf] [--no-trace] [--first]
 *
 * --runs R: R runs (TAP plan 1..R); --seconds, --until-ops/--until-execs:
 * runs until that time, or until that many operations and executions, have
 * passed; --first: stop after the first run that diverged.  --json: the
 * figures as JSON (- : on stdout, after "# json: ").
 * MODEL_MUTANT=N in the environment: see enum model_mutant in model.h.
 *
 * Each run generates N random operations from its seed (run i uses seed
 * S + i) and runs them, one by one or two at a time (two threads of a
 * process released by a barrier), on worker processes (model_worker), in a
 * fresh world: new worker processes, the BPF policy reset.  Every result
 * (errno, and what an execution or a probe observes) is checked against the
 * model; concurrency makes several outcomes legal, so the checker keeps the
 * set of model states that explain what was observed so far (both orders of
 * each concurrent pair), and a divergence is an observation that no state
 * explains.  A divergence is shrunk (delta debugging: subsequences replayed
 * in fresh worlds) and printed as a --replay argument.
 *
 * Output: TAP, one test per run (or per replay), with "#" comments, and a
 * summary line.  Exit status 0 if no divergence.
 */

#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/landlock.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "model.h"
#include "model_bpf.skel.h"
#include "protocol.h"

/* A worker that does not answer within this time has hung. */
#define REPLY_TIMEOUT_MS 60000
#define MAX_SEQ 200000

static struct {
	bool verbose;
	bool no_bpf;
	bool no_trace;
	bool first;
	double shrink_seconds;
} opt = { .shrink_seconds = 300 };

static struct model_bpf *skel;
static char worker_src[PATH_MAX];

/* The real processes behind the model's. */
struct world {
	pid_t pid[MAX_PROCS];
	int chan[MAX_PROCS][MAX_THREADS];
};

static struct world world;

struct stats {
	unsigned long ops, execs, exec_ok, pairs, divergences;
	/* Pairs of a TSYNC call and a task creation or exit. */
	unsigned long tsync_task_pairs;
	unsigned long coverage[NUM_COVERAGE];
};

/* The divergence found by a run. */
struct divergence {
	int index;
	char text[2048];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(2);
}

/* Setup: the file tree, the abstract socket, the BPF policy. */

static int copy_file(const char *src, const char *dst, mode_t mode)
{
	char buf[65536];
	int in, out, ret = 0;
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = open(dst, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n) {
			ret = -1;
			break;
		}
	if (n < 0)
		ret = -1;
	close(in);
	if (close(out) || chmod(dst, mode))
		ret = -1;
	return ret;
}

static void write_file(const char *path, const char *content, mode_t mode)
{
	const int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC,
			    mode);

	if (fd < 0 || write(fd, content, strlen(content)) !=
			      (ssize_t)strlen(content) ||
	    close(fd) || chmod(path, mode))
		die("cannot write %s: %s", path, strerror(errno));
}

static void setup_tree(void)
{
	char path[PATH_MAX];
	int d;

	mkdir(MODEL_DIR, 0755);
	/* A tmpfs of its own, if possible (the guest runs as root). */
	umount2(MODEL_DIR, MNT_DETACH);
	if (mount("model", MODEL_DIR, "tmpfs", 0, "size=64m,mode=0755"))
		printf("# no tmpfs on %s (%s): using the directory\n",
		       MODEL_DIR, strerror(errno));
	for (d = 0; d < NUM_DIRS; d++) {
		snprintf(path, sizeof(path), MODEL_DIR "/%c", 'a' + d);
		if (mkdir(path, 0777) && errno != EEXIST)
			die("mkdir %s: %s", path, strerror(errno));
		chmod(path, 0777);
		snprintf(path, sizeof(path), MODEL_DIR "/%c/f", 'a' + d);
		write_file(path, "", 0666);
	}
	if (mkdir(MODEL_BIN, 0755) && errno != EEXIST)
		die("mkdir " MODEL_BIN ": %s", strerror(errno));
	if (copy_file(worker_src, model_paths[PATH_WORKER], 0755) ||
	    copy_file(worker_src, model_paths[PATH_TARGET], 0755) ||
	    copy_file(worker_src, model_paths[PATH_NOEXEC], 0644))
		die("cannot copy %s: %s", worker_src, strerror(errno));
	write_file(model_paths[PATH_GARBAGE], "\x01\x02\x03\x04", 0755);
	unlink(model_paths[PATH_LOOP]);
	if (symlink("loop", model_paths[PATH_LOOP]))
		die("symlink: %s", strerror(errno));
	unlink(model_paths[PATH_MISSING]);
}

static int abstract_fd = -1;

static void setup_abstract(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	socklen_t len;

	len = snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1, "%s.%d",
		       MODEL_ABSTRACT, getpid());
	len += offsetof(struct sockaddr_un, sun_path) + 1;
	abstract_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (abstract_fd < 0 ||
	    bind(abstract_fd, (struct sockaddr *)&addr, len))
		die("abstract socket: %s", strerror(errno));
}

/* A real ruleset for the model's @rs (with the implied rule on bin/). */
static int make_ruleset(rs_t rs)
{
	struct landlock_ruleset_attr attr = {};
	struct landlock_path_beneath_attr rule;
	char path[PATH_MAX];
	int fd, d;

	if (rs & RS_READ)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_READ_FILE;
	if (rs & RS_WRITE)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_WRITE_FILE;
	if (rs & RS_SCOPE_SIGNAL)
		attr.scoped |= LANDLOCK_SCOPE_SIGNAL;
	if (rs & RS_SCOPE_ABSTRACT)
		attr.scoped |= LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
	fd = syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		die("landlock_create_ruleset: %s", strerror(errno));
	for (d = -1; d < NUM_DIRS; d++) {
		const unsigned int acc = d < 0 ? (rs & RS_READ) :
						 RS_ALLOWED(rs, d);

		if (!acc)
			continue;
		rule.allowed_access =
			((acc & RS_READ) ? LANDLOCK_ACCESS_FS_READ_FILE : 0) |
			((acc & RS_WRITE) ? LANDLOCK_ACCESS_FS_WRITE_FILE : 0);
		if (d < 0)
			snprintf(path, sizeof(path), MODEL_BIN);
		else
			snprintf(path, sizeof(path), MODEL_DIR "/%c", 'a' + d);
		rule.parent_fd = open(path, O_PATH | O_CLOEXEC);
		if (rule.parent_fd < 0 ||
		    syscall(__NR_landlock_add_rule, fd,
			    LANDLOCK_RULE_PATH_BENEATH, &rule, 0))
			die("landlock_add_rule %s: %s", path, strerror(errno));
		close(rule.parent_fd);
	}
	return fd;
}

struct model_store_args {
	int ruleset_fd;
	__u32 index;
	int ret;
};

static void setup_bpf(void)
{
	struct stat st;
	unsigned int i;

	skel = model_bpf__open_and_load();
	if (!skel)
		die("cannot load the BPF policy: %s (--no-bpf to run without)",
		    strerror(errno));
	if (model_bpf__attach(skel))
		die("cannot attach the BPF policy: %s", strerror(errno));
	for (i = 0; i < 2; i++) {
		struct model_store_args args = {
			.ruleset_fd = make_ruleset(bpf_policies[i]),
			.index = i,
		};
		LIBBPF_OPTS(bpf_test_run_opts, topts, .ctx_in = &args,
			    .ctx_size_in = sizeof(args));

		if (bpf_prog_test_run_opts(
			    bpf_program__fd(skel->progs.store_ruleset),
			    &topts) ||
		    args.ret)
			die("cannot store BPF policy %u: %s (%d)", i,
			    strerror(errno), args.ret);
		/* The map holds a frozen copy. */
		close(args.ruleset_fd);
	}
	if (stat(model_paths[PATH_TARGET], &st))
		die("stat %s: %s", model_paths[PATH_TARGET], strerror(errno));
	skel->bss->target_dev = ((__u64)major(st.st_dev) << 20) |
				minor(st.st_dev);
	skel->bss->target_ino = st.st_ino;
}

/*
 * Trace events: the kind of the top layer of an execution (struct obs.top),
 * which no access shows (the layers' accesses intersect, in any order).  An
 * instance of our own gets landlock_freeze_ruleset (at setup: the frozen
 * copies that bpf_lsm_policy_from_fd() makes, i.e. the BPF layers' source
 * rulesets), landlock_create_domain (domain -> source ruleset) and
 * landlock_enforce_domain_exec (the domain an execution installs, by PID).
 * After an execution, a marker written to the instance and read back from
 * its pipe (global trace clock) tells that every earlier event was read.
 */

#define TRACEFS "/sys/kernel/tracing"
#define TRACE_DOMS 4096
#define TRACE_TOPS 64

static struct {
	char dir[128];
	int pipe_fd, marker_fd;
	uint64_t bpf_frozen[2];
	int num_bpf_frozen;
	bool collect_frozen;
	struct {
		uint64_t domain, ruleset;
	} doms[TRACE_DOMS];
	unsigned int dom_next;
	struct {
		pid_t pid;
		uint8_t top;
	} tops[TRACE_TOPS];
	unsigned int top_next;
	char buf[1 << 16];
	size_t len;
	unsigned long marker;
} tr = { .pipe_fd = -1, .marker_fd = -1 };

static int trace_write(const char *file, const char *value)
{
	char path[256];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", tr.dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, value, strlen(value)) != (ssize_t)strlen(value))
		ret = -1;
	close(fd);
	return ret;
}

static bool trace_setup(void)
{
	static const char *const events[] = {
		"landlock_freeze_ruleset",
		"landlock_create_domain",
		"landlock_enforce_domain_exec",
	};
	char path[256];
	unsigned int i;

	snprintf(tr.dir, sizeof(tr.dir), TRACEFS "/instances/model.%d",
		 getpid());
	if (mkdir(tr.dir, 0700))
		return false;
	if (trace_write("trace_clock", "global") ||
	    trace_write("buffer_size_kb", "4096"))
		return false;
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		snprintf(path, sizeof(path), "events/landlock/%s/enable",
			 events[i]);
		if (trace_write(path, "1"))
			return false;
	}
	snprintf(path, sizeof(path), "%s/trace_pipe", tr.dir);
	tr.pipe_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	snprintf(path, sizeof(path), "%s/trace_marker", tr.dir);
	tr.marker_fd = open(path, O_WRONLY | O_CLOEXEC);
	return tr.pipe_fd >= 0 && tr.marker_fd >= 0;
}

static void trace_cleanup(void)
{
	if (tr.pipe_fd >= 0)
		close(tr.pipe_fd);
	if (tr.marker_fd >= 0)
		close(tr.marker_fd);
	tr.pipe_fd = tr.marker_fd = -1;
	if (tr.dir[0]) {
		trace_write("events/enable", "0");
		rmdir(tr.dir);
	}
}

/* The PID of a trace line ("comm-PID [cpu] ..."). */
static pid_t trace_line_pid(const char *line)
{
	const char *bracket = strstr(line, " [");
	const char *p;

	if (!bracket)
		return -1;
	for (p = bracket; p > line && p[-1] == ' '; p--)
		;
	while (p > line && p[-1] != '-')
		p--;
	return atoi(p);
}

/* Parses one line; returns true if it is the marker @marker. */
static bool trace_line(const char *line, unsigned long marker)
{
	unsigned long long a, b, c, d;
	const char *ev;
	char want[64];
	unsigned int i;

	snprintf(want, sizeof(want), "model-sync %lu", marker);
	if (strstr(line, want))
		return true;
	ev = strstr(line, ": landlock_");
	if (!ev)
		return false;
	ev += 2;
	if (sscanf(ev, "landlock_create_domain: domain=%llx parent=%llx "
		   "ruleset=%llx.%llu", &a, &b, &c, &d) == 4) {
		tr.doms[tr.dom_next % TRACE_DOMS].domain = a;
		tr.doms[tr.dom_next % TRACE_DOMS].ruleset = c;
		tr.dom_next++;
	} else if (sscanf(ev, "landlock_freeze_ruleset: ruleset=%llx.%llu "
			  "frozen=%llx", &a, &b, &c) == 3) {
		if (tr.collect_frozen && tr.num_bpf_frozen < 2)
			tr.bpf_frozen[tr.num_bpf_frozen++] = c;
	} else if (sscanf(ev, "landlock_enforce_domain_exec: domain=%llx",
			  &a) == 1) {
		uint8_t top = 3;

		for (i = 1; i <= TRACE_DOMS && i <= tr.dom_next; i++) {
			const unsigned int k = (tr.dom_next - i) % TRACE_DOMS;

			if (tr.doms[k].domain != a)
				continue;
			top = TOP_USER;
			if (tr.doms[k].ruleset == tr.bpf_frozen[0] ||
			    tr.doms[k].ruleset == tr.bpf_frozen[1])
				top = TOP_BPF;
			break;
		}
		tr.tops[tr.top_next % TRACE_TOPS].pid = trace_line_pid(line);
		tr.tops[tr.top_next % TRACE_TOPS].top = top;
		tr.top_next++;
	}
	return false;
}

/* Reads the instance's events up to a new marker.  Returns 0 or -1. */
static int trace_sync(void)
{
	const double deadline = now() + 10;
	char marker[64];
	int n;

	if (tr.pipe_fd < 0)
		return -1;
	n = snprintf(marker, sizeof(marker), "model-sync %lu\n", ++tr.marker);
	if (write(tr.marker_fd, marker, n) != n)
		return -1;
	while (now() < deadline) {
		struct pollfd pfd = { .fd = tr.pipe_fd, .events = POLLIN };
		char *nl, *line;
		ssize_t got;

		got = read(tr.pipe_fd, tr.buf + tr.len,
			   sizeof(tr.buf) - 1 - tr.len);
		if (got < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (got <= 0) {
			poll(&pfd, 1, 10);
			continue;
		}
		tr.len += got;
		tr.buf[tr.len] = '\0';
		line = tr.buf;
		while ((nl = strchr(line, '\n'))) {
			*nl = '\0';
			if (trace_line(line, tr.marker)) {
				/* Keeps what follows the marker. */
				line = nl + 1;
				tr.len -= line - tr.buf;
				memmove(tr.buf, line, tr.len);
				return 0;
			}
			line = nl + 1;
		}
		tr.len -= line - tr.buf;
		memmove(tr.buf, line, tr.len);
		if (tr.len >= sizeof(tr.buf) - 1)
			tr.len = 0;
	}
	return -1;
}

/*
 * The kind of the top layer that the last execution of @pid installed (0
 * if it installed none), consumed.
 */
static uint8_t trace_top(pid_t pid)
{
	unsigned int i;
	uint8_t top = 0;

	if (trace_sync())
		return 3;
	for (i = 0; i < TRACE_TOPS; i++) {
		if (tr.tops[i].pid == pid) {
			top = tr.tops[i].top;
			tr.tops[i].pid = 0;
		}
	}
	return top;
}

static void bpf_conf(unsigned int count, uint32_t pol, uint32_t flags)
{
	if (!skel)
		return;
	skel->bss->arm_count = count;
	skel->bss->arm_policy = pol;
	skel->bss->apply_flags = flags;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Executor: the world's processes run the operations. */

static void world_reset(void)
{
	int p, t;

	for (p = 0; p < MAX_PROCS; p++) {
		for (t = 0; t < MAX_THREADS; t++) {
			if (world.chan[p][t] >= 0)
				close(world.chan[p][t]);
			world.chan[p][t] = -1;
		}
		if (world.pid[p] > 0)
			kill(world.pid[p], SIGKILL);
		world.pid[p] = 0;
	}
	bpf_conf(0, 0, 0);
}

static int send_cmd(int fd, const struct op *op, bool sync)
{
	struct cmd c = {
		.type = op->type,
		.rs = op->rs,
		.flags = op->flags,
		.rs_value = op->rs_value,
		.dir = op->dir,
		.path = op->path,
		.sync = sync,
	};

	if (fd < 0)
		return EPROTO;
	if (send(fd, &c, sizeof(c), MSG_NOSIGNAL) != sizeof(c))
		return EPIPE;
	return 0;
}

/* Receives a reply, and the file descriptor it may carry (or -1). */
static int recv_reply(int fd, struct reply *rep, int *passed)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = rep, .iov_len = sizeof(*rep) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct cmsghdr *cmsg;
	ssize_t n;
	int r;

	if (passed)
		*passed = -1;
	do {
		r = poll(&pfd, 1, REPLY_TIMEOUT_MS);
	} while (r < 0 && errno == EINTR);
	if (r == 0)
		return ETIMEDOUT;
	n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	if (n != sizeof(*rep))
		return EPIPE;
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level == SOL_SOCKET &&
		    cmsg->cmsg_type == SCM_RIGHTS) {
			int got;

			memcpy(&got, CMSG_DATA(cmsg), sizeof(int));
			if (passed && *passed < 0)
				*passed = got;
			else
				close(got);
		}
	}
	return 0;
}

/*
 * The hello of a new worker image on @fd: the observation of the execution.
 * Fills @res; returns the PID of the image, or -1.
 */
static pid_t recv_hello(int fd, struct result *res)
{
	struct reply rep;
	int err;

	err = recv_reply(fd, &rep, NULL);
	if (err || rep.kind != REPLY_HELLO) {
		res->err = err ?: EPROTO;
		return -1;
	}
	res->err = rep.err;
	res->has_obs = rep.has_obs;
	res->obs = rep.obs;
	return rep.pid;
}

static void close_proc(int p)
{
	int t;

	for (t = 0; t < MAX_THREADS; t++) {
		if (world.chan[p][t] >= 0)
			close(world.chan[p][t]);
		world.chan[p][t] = -1;
	}
	world.pid[p] = 0;
}

/* OP_NEW_PROC: the driver starts a worker, root and unrestricted. */
static void run_new_proc(int q, struct result *res)
{
	char fdbuf[16], pidbuf[16];
	int sp[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp)) {
		res->err = errno;
		return;
	}
	snprintf(fdbuf, sizeof(fdbuf), "%d", sp[1]);
	snprintf(pidbuf, sizeof(pidbuf), "%d", getpid());
	pid = fork();
	if (pid == 0) {
		char *const argv[] = { "model_worker", "--fd", fdbuf,
				       "--driver", pidbuf, NULL };
		char *const envp[] = { "PATH=/bin", NULL };

		if (fcntl(sp[1], F_SETFD, 0) == 0)
			execve(model_paths[PATH_WORKER], argv, envp);
		_exit(127);
	}
	close(sp[1]);
	if (pid < 0) {
		res->err = errno;
		close(sp[0]);
		return;
	}
	world.chan[q][0] = sp[0];
	world.pid[q] = pid;
	if (recv_hello(sp[0], res) < 0)
		res->has_obs = false;
}

/*
 * Applies the structural effect of a successful operation (new process or
 * thread, thread gone) to the world, from what the model decided.
 */
static void run_finish(const struct op *op, const struct expect *exp,
		       const struct reply *rep, int passed,
		       struct result *res)
{
	pid_t pid;
	int t;

	switch (op->type) {
	case OP_FORK:
		world.chan[exp->new_proc][0] = passed;
		world.pid[exp->new_proc] = rep->pid;
		return;
	case OP_SPAWN:
		world.chan[exp->new_proc][0] = passed;
		world.pid[exp->new_proc] = rep->pid;
		pid = recv_hello(passed, res);
		if (pid < 0)
			res->has_obs = false;
		else if (model_check_top)
			res->obs.top = trace_top(pid);
		return;
	case OP_THREAD:
		world.chan[op->proc][exp->new_thread] = passed;
		return;
	case OP_THREAD_EXIT:
		close(world.chan[op->proc][op->thread]);
		world.chan[op->proc][op->thread] = -1;
		return;
	case OP_EXEC:
		/* The executing thread is the only one left. */
		for (t = 0; t < MAX_THREADS; t++)
			if (t != op->thread && world.chan[op->proc][t] >= 0) {
				close(world.chan[op->proc][t]);
				world.chan[op->proc][t] = -1;
			}
		world.chan[op->proc][0] = world.chan[op->proc][op->thread];
		if (op->thread)
			world.chan[op->proc][op->thread] = -1;
		return;
	}
	if (passed >= 0)
		close(passed);
}

/* Receives the reply of a thread operation into @res. */
static void run_recv(const struct op *op, const struct expect *exp,
		     struct result *res)
{
	const int fd = world.chan[op->proc][op->thread];
	struct reply rep;
	int passed, err;

	memset(res, 0, sizeof(*res));
	err = recv_reply(fd, &rep, &passed);
	if (err) {
		res->err = err;
		return;
	}
	if (op->type == OP_EXEC && rep.kind == REPLY_HELLO) {
		res->err = rep.err;
		res->has_obs = rep.has_obs;
		res->obs = rep.obs;
		if (!rep.err && model_check_top)
			res->obs.top = trace_top(rep.pid);
		if (!rep.err)
			run_finish(op, exp, &rep, -1, res);
		return;
	}
	if (rep.kind != REPLY_DONE) {
		res->err = EPROTO;
		return;
	}
	res->err = rep.err;
	res->has_obs = rep.has_obs;
	res->obs = rep.obs;
	if (!rep.err)
		run_finish(op, exp, &rep, passed, res);
	else if (passed >= 0)
		close(passed);
}

/* Runs @op (not skipped: @exp is the model's expectation) alone. */
static void run_op(const struct op *op, const struct expect *exp,
		   struct result *res)
{
	struct reply rep;
	int t, err;

	memset(res, 0, sizeof(*res));
	switch (op->type) {
	case OP_NEW_PROC:
		run_new_proc(exp->new_proc, res);
		return;
	case OP_BPF_CONF:
		bpf_conf(op->count, op->bpf_pol, op->flags);
		return;
	case OP_EXIT_PROC:
		for (t = 0; t < MAX_THREADS; t++)
			if (world.chan[op->proc][t] >= 0)
				break;
		if (t == MAX_THREADS) {
			res->err = EPROTO;
			return;
		}
		err = send_cmd(world.chan[op->proc][t], op, false);
		if (!err)
			err = recv_reply(world.chan[op->proc][t], &rep, NULL);
		res->err = err;
		close_proc(op->proc);
		return;
	}
	err = send_cmd(world.chan[op->proc][op->thread], op, false);
	if (err) {
		res->err = err;
		return;
	}
	run_recv(op, exp, res);
}

/* Checker: the model states that explain the observations so far. */

struct checker {
	struct mstate cand[MAX_CANDIDATES];
	int n;
};

static void checker_init(struct checker *c)
{
	memset(c, 0, sizeof(*c));
	model_init(&c->cand[0]);
	c->n = 1;
}

static void add_candidate(struct mstate *next, int *n, const struct mstate *s)
{
	int i;

	for (i = 0; i < *n; i++)
		if (!memcmp(&next[i], s, sizeof(*s)))
			return;
	/* Beyond the bound, later orders are dropped (never seen so far). */
	if (*n < MAX_CANDIDATES)
		next[(*n)++] = *s;
}

/* One operation: keeps the candidates that accept @res. */
static bool check_one(struct checker *c, const struct op *op,
		      const struct result *res)
{
	static struct mstate next[MAX_CANDIDATES];
	struct mstate out;
	struct expect exp;
	int i, n = 0;

	for (i = 0; i < c->n; i++) {
		model_step(&c->cand[i], op, &out, &exp);
		if (!model_accepts(&exp, res))
			continue;
		add_candidate(next, &n,
			      (exp.skipped || (res->err && !exp.failure_changes)) ?
				      &c->cand[i] : &out);
	}
	if (!n)
		return false;
	memcpy(c->cand, next, n * sizeof(next[0]));
	c->n = n;
	return true;
}

/* A concurrent pair: either order may have happened. */
static bool check_pair(struct checker *c, const struct op *a,
		       const struct result *ra, const struct op *b,
		       const struct result *rb)
{
	static struct mstate next[MAX_CANDIDATES];
	const struct op *first[2] = { a, b }, *second[2] = { b, a };
	const struct result *rfirst[2] = { ra, rb }, *rsecond[2] = { rb, ra };
	struct mstate s1, s2;
	struct expect e1, e2;
	int i, o, n = 0;

	for (i = 0; i < c->n; i++) {
		for (o = 0; o < 2; o++) {
			model_step(&c->cand[i], first[o], &s1, &e1);
			if (!model_accepts(&e1, rfirst[o]))
				continue;
			if (e1.skipped ||
			    (rfirst[o]->err && !e1.failure_changes))
				s1 = c->cand[i];
			model_step(&s1, second[o], &s2, &e2);
			if (!model_accepts(&e2, rsecond[o]))
				continue;
			if (e2.skipped ||
			    (rsecond[o]->err && !e2.failure_changes))
				s2 = s1;
			add_candidate(next, &n, &s2);
		}
	}
	if (!n)
		return false;
	memcpy(c->cand, next, n * sizeof(next[0]));
	c->n = n;
	return true;
}

/* What the candidates expected of @op (for reports). */
static void describe_expected(const struct checker *c, const struct op *op,
			      char *buf, int size)
{
	struct mstate out;
	struct expect exp;
	int i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < c->n && n < size - 1; i++) {
		char e[256];

		model_step(&c->cand[i], op, &out, &exp);
		expect_format(&exp, e, sizeof(e));
		if (!strstr(buf, e))
			n += snprintf(buf + n, size - n, "%s%s", n ? " or " : "",
				      e);
	}
}

static bool is_exec(const struct op *op)
{
	return op->type == OP_EXEC || op->type == OP_SPAWN ||
	       op->type == OP_NEW_PROC;
}

static bool pair_eligible(const struct op *op)
{
	switch (op->type) {
	case OP_RS_ADD:
	case OP_RESTRICT:
	case OP_SET_NNP:
	case OP_SETUID:
	case OP_DROP_ADMIN:
		return true;
	}
	return false;
}

/* Operations that create or end a task: at most one per pair. */
static bool is_structural(const struct op *op)
{
	return op->type == OP_FORK || op->type == OP_SPAWN ||
	       op->type == OP_THREAD || op->type == OP_THREAD_EXIT;
}

static bool pair_runnable(const struct op *a, const struct op *b)
{
	if (a->proc != b->proc || a->thread == b->thread)
		return false;
	if (is_structural(a))
		return false;
	return pair_eligible(a) && (pair_eligible(b) || is_structural(b));
}

static void log_op(int i, const struct op *op, const struct result *res)
{
	char o[256], r[128];

	if (!opt.verbose)
		return;
	op_format(op, o, sizeof(o));
	result_format(res, r, sizeof(r));
	printf("#   %5d %-50s -> %s\n", i, o, r);
}

/*
 * Runs operation @i (and @i + 1 if it is the first of a pair) of @ops on the
 * world, checks it.  Returns how many operations it consumed, or -1 on a
 * divergence (described in @div).
 */
static int step(struct checker *c, const struct op *ops, int i, int n,
		struct stats *st, struct divergence *div)
{
	const struct op *a = &ops[i], *b = &ops[i + 1];
	struct mstate out;
	struct expect ea, eb;
	struct result ra, rb;
	char o[256], e[1024], r[256];
	unsigned int cov;
	int k;

	model_step(&c->cand[0], a, &out, &ea);
	if (a->concurrent && i + 1 < n) {
		model_step(&c->cand[0], b, &out, &eb);
		if (!ea.skipped && !eb.skipped && pair_runnable(a, b)) {
			int err;

			memset(&ra, 0, sizeof(ra));
			memset(&rb, 0, sizeof(rb));
			err = send_cmd(world.chan[a->proc][a->thread], a, true);
			if (!err)
				err = send_cmd(world.chan[b->proc][b->thread],
					       b, true);
			if (err) {
				ra.err = err;
				rb.err = err;
			} else {
				run_recv(a, &ea, &ra);
				run_recv(b, &eb, &rb);
			}
			st->ops += 2;
			st->pairs++;
			if (is_structural(b))
				st->tsync_task_pairs++;
			if (is_exec(b)) {
				st->execs++;
				st->exec_ok += !rb.err;
			}
			log_op(i, a, &ra);
			log_op(i + 1, b, &rb);
			if (check_pair(c, a, &ra, b, &rb))
				return 2;
			div->index = i;
			describe_expected(c, a, e, sizeof(e));
			op_format(a, o, sizeof(o));
			result_format(&ra, r, sizeof(r));
			snprintf(div->text, sizeof(div->text),
				 "op %d: %s\n#   expected (alone): %s\n"
				 "#   observed: %s\n",
				 i, o, e, r);
			describe_expected(c, b, e, sizeof(e));
			op_format(b, o, sizeof(o));
			result_format(&rb, r, sizeof(r));
			snprintf(div->text + strlen(div->text),
				 sizeof(div->text) - strlen(div->text),
				 "#   concurrent with op %d: %s\n"
				 "#   expected (alone): %s\n#   observed: %s",
				 i + 1, o, e, r);
			return -1;
		}
	}
	if (ea.skipped)
		return 1;
	cov = model_coverage(&c->cand[0], a);
	run_op(a, &ea, &ra);
	st->ops++;
	if (is_exec(a)) {
		st->execs++;
		if (!ra.err) {
			st->exec_ok++;
			for (k = 0; k < NUM_COVERAGE; k++)
				if (cov & (1u << k))
					st->coverage[k]++;
		}
	}
	log_op(i, a, &ra);
	if (check_one(c, a, &ra))
		return 1;
	div->index = i;
	describe_expected(c, a, e, sizeof(e));
	op_format(a, o, sizeof(o));
	result_format(&ra, r, sizeof(r));
	snprintf(div->text, sizeof(div->text),
		 "op %d: %s\n#   expected: %s\n#   observed: %s", i, o, e, r);
	return -1;
}

/*
 * Runs @ops in a fresh world.  With @rng, first generates @n operations
 * into @ops (as they run, from the model's state).  Returns the number of
 * operations run before a divergence (== n if none).
 */
static int run_sequence(struct op *ops, int n, struct rng *rng,
			struct stats *st, struct divergence *div)
{
	struct checker *c = malloc(sizeof(*c));
	int i = 0, k;

	if (!c)
		die("out of memory");
	world_reset();
	checker_init(c);
	while (i < n) {
		if (rng) {
			struct op gen[2];

			k = gen_ops(rng, &c->cand[0], gen);
			if (opt.no_bpf && gen[0].type == OP_BPF_CONF)
				gen[0].type = OP_OBSERVE;
			if (i + k > n)
				k = 1, gen[0].concurrent = 0;
			memcpy(&ops[i], gen, k * sizeof(gen[0]));
		}
		k = step(c, ops, i, n, st, div);
		if (k < 0) {
			st->divergences++;
			free(c);
			world_reset();
			return i;
		}
		i += k;
	}
	free(c);
	world_reset();
	return n;
}

/* Shrinking: delta debugging over the units (single operations or pairs). */

struct unit {
	int start, len;
};

static int seq_format(const struct op *ops, int n, char *buf, int size)
{
	int i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < n && len < size - 1; i++) {
		if (i)
			len += snprintf(buf + len, size - len, ";");
		len += op_format(&ops[i], buf + len, size - len);
	}
	return len;
}

static bool has_pair(const struct op *ops, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (ops[i].concurrent)
			return true;
	return false;
}

/* Does @ops (@n) diverge, in one of a few tries? */
static bool diverges(const struct op *ops, int n, struct divergence *div)
{
	struct op *copy = malloc(n * sizeof(*ops) + 1);
	/*
	 * Concurrency may make a divergence depend on timing: sequences with
	 * pairs get one more try.
	 */
	const int tries = has_pair(ops, n) ? 2 : 1;
	struct stats st = {};
	int t;
	bool found = false;

	if (!copy)
		die("out of memory");
	memcpy(copy, ops, n * sizeof(*ops));
	for (t = 0; t < tries && !found; t++)
		found = run_sequence(copy, n, NULL, &st, div) < n;
	free(copy);
	return found;
}

/* Builds the operations of @units[@from..@to) without unit @skip_*. */
static int gather(const struct op *ops, const struct unit *units, int nunits,
		  const bool *keep, struct op *dst)
{
	int u, n = 0;

	for (u = 0; u < nunits; u++) {
		if (!keep[u])
			continue;
		memcpy(&dst[n], &ops[units[u].start],
		       units[u].len * sizeof(*ops));
		n += units[u].len;
	}
	return n;
}

/*
 * Shrinks @ops (@n, diverging at its last unit) to a minimal diverging
 * subsequence (ddmin, within opt.shrink_seconds); returns its length, in
 * @ops.
 */
static int shrink_until(struct op *ops, int n, struct divergence *div,
			const double deadline)
{
	struct unit *units = calloc(n, sizeof(*units));
	bool *keep = calloc(n, sizeof(*keep)), *trial = calloc(n, sizeof(*keep));
	struct op *tmp = calloc(n + 1, sizeof(*ops));
	int nunits = 0, i, chunk, kept, m, tests = 0;

	if (!units || !keep || !trial || !tmp)
		die("out of memory");
	for (i = 0; i < n;) {
		units[nunits].start = i;
		units[nunits].len = (ops[i].concurrent && i + 1 < n) ? 2 : 1;
		i += units[nunits++].len;
	}
	for (i = 0; i < nunits; i++)
		keep[i] = true;
	kept = nunits;
	chunk = kept / 2;
	while (chunk >= 1 && now() < deadline) {
		bool removed = false;
		int start;

		/* Tries to remove each chunk of @chunk kept units. */
		for (start = 0; start < kept && now() < deadline;) {
			int u, seen = 0;

			memcpy(trial, keep, nunits * sizeof(*keep));
			for (u = 0; u < nunits; u++) {
				if (!keep[u])
					continue;
				if (seen >= start && seen < start + chunk)
					trial[u] = false;
				seen++;
			}
			m = gather(ops, units, nunits, trial, tmp);
			tests++;
			if (m && diverges(tmp, m, div)) {
				memcpy(keep, trial, nunits * sizeof(*keep));
				kept -= chunk < kept - start ? chunk :
							       kept - start;
				removed = true;
			} else {
				start += chunk;
			}
		}
		if (!removed)
			chunk /= 2;
		else if (chunk > kept / 2)
			chunk = kept / 2 ?: 1;
	}
	m = gather(ops, units, nunits, keep, tmp);
	/* Concurrency that is not needed: run the pair one by one. */
	for (i = 0; i < m && now() < deadline; i++) {
		if (!tmp[i].concurrent)
			continue;
		tmp[i].concurrent = 0;
		tests++;
		if (diverges(tmp, m, div)) {
			printf("# shrink: operations %d and %d diverge one by "
			       "one too\n", i, i + 1);
			free(units);
			free(keep);
			free(trial);
			memcpy(ops, tmp, m * sizeof(*ops));
			free(tmp);
			/* Again, with single operations. */
			return shrink_until(ops, m, div, deadline);
		}
		tmp[i].concurrent = 1;
	}
	printf("# shrunk to %d operations (%d replays%s)\n", m, tests,
	       now() >= deadline ? ", stopped by --shrink-seconds" : "");
	/* The divergence of the minimal sequence, for the report. */
	if (!diverges(tmp, m, div))
		printf("# (the shrunk sequence did not diverge again: "
		       "nondeterministic)\n");
	memcpy(ops, tmp, m * sizeof(*ops));
	free(units);
	free(keep);
	free(trial);
	free(tmp);
	return m;
}

static int shrink(struct op *ops, int n, struct divergence *div)
{
	return shrink_until(ops, n, div, now() + opt.shrink_seconds);
}

static void report_divergence(unsigned long long seed, struct op *ops, int n,
			      const struct divergence *first)
{
	struct divergence div = *first;
	static char buf[1 << 20];
	int m;

	printf("# DIVERGENCE seed=%llu %s\n", seed, first->text);
	m = shrink(ops, n, &div);
	printf("# minimal: %s\n", div.text);
	seq_format(ops, m, buf, sizeof(buf));
	printf("# replay: model_driver --replay '%s'\n", buf);
}

static int parse_replay(const char *text, struct op *ops, int max)
{
	char *copy = strdup(text), *tok, *save;
	int n = 0;

	if (!copy)
		die("out of memory");
	for (tok = strtok_r(copy, ";", &save); tok;
	     tok = strtok_r(NULL, ";", &save)) {
		while (*tok == ' ')
			tok++;
		if (!*tok)
			continue;
		if (n == max || op_parse(tok, &ops[n]))
			die("cannot parse operation \"%s\"", tok);
		n++;
	}
	free(copy);
	return n;
}

static void locate_worker(const char *argv0)
{
	char self[PATH_MAX - 16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		snprintf(self, sizeof(self), "%s", argv0);
	else
		self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(self, sizeof(self), ".");
	snprintf(worker_src, sizeof(worker_src), "%s/model_worker", self);
	if (access(worker_src, X_OK))
		die("no %s", worker_src);
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	if (level == LIBBPF_WARN)
		return vfprintf(stdout, fmt, args);
	return 0;
}

int main(int argc, char *argv[])
{
	unsigned long long seed = 1;
	int nops = 2000, runs = 1, r, i;
	const char *replay = NULL, *json = NULL;
	unsigned long until_ops = 0, until_execs = 0;
	double seconds = 0, start;
	struct stats total = {};
	struct op *ops;
	bool any_div = false;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--verbose")) {
			opt.verbose = true;
			continue;
		}
		if (!strcmp(a, "--no-bpf")) {
			opt.no_bpf = true;
			continue;
		}
		if (!strcmp(a, "--no-trace")) {
			opt.no_trace = true;
			continue;
		}
		if (!strcmp(a, "--first")) {
			opt.first = true;
			continue;
		}
		if (!v)
			die("usage: see the header of model_driver.c");
		i++;
		if (!strcmp(a, "--seed"))
			seed = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--ops"))
			nops = atoi(v);
		else if (!strcmp(a, "--runs"))
			runs = atoi(v);
		else if (!strcmp(a, "--seconds"))
			seconds = atof(v);
		else if (!strcmp(a, "--until-ops"))
			until_ops = strtoul(v, NULL, 0);
		else if (!strcmp(a, "--until-execs"))
			until_execs = strtoul(v, NULL, 0);
		else if (!strcmp(a, "--replay"))
			replay = v;
		else if (!strcmp(a, "--json"))
			json = v;
		else if (!strcmp(a, "--shrink-seconds"))
			opt.shrink_seconds = atof(v);
		else
			die("unknown option %s", a);
	}
	if (nops < 1 || nops > MAX_SEQ || runs < 1)
		die("bad --ops or --runs");
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getenv("MODEL_MUTANT")) {
		model_mutant = atoi(getenv("MODEL_MUTANT"));
		if (model_mutant < 0 || model_mutant >= NUM_MUTANTS)
			die("MODEL_MUTANT: 0 to %d", NUM_MUTANTS - 1);
		printf("# model mutant %d: the model is wrong on purpose\n",
		       model_mutant);
	}
	signal(SIGPIPE, SIG_IGN);
	/* Workers and their orphans are reaped by the kernel. */
	signal(SIGCHLD, SIG_IGN);
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	for (i = 0; i < MAX_PROCS; i++)
		for (r = 0; r < MAX_THREADS; r++)
			world.chan[i][r] = -1;
	libbpf_set_print(libbpf_quiet);
	ops = calloc(MAX_SEQ + 1, sizeof(*ops));
	if (!ops)
		die("out of memory");

	locate_worker(argv[0]);
	setup_tree();
	setup_abstract();
	model_check_top = !opt.no_trace && trace_setup();
	tr.collect_frozen = true;
	if (!opt.no_bpf)
		setup_bpf();
	if (model_check_top) {
		/* The BPF layers' source rulesets. */
		if (trace_sync() || tr.num_bpf_frozen != (opt.no_bpf ? 0 : 2))
			die("no landlock_freeze_ruleset event for the BPF "
			    "policies (%d; --no-trace to run without)",
			    tr.num_bpf_frozen);
		tr.collect_frozen = false;
		trace_write("events/landlock/landlock_freeze_ruleset/enable",
			    "0");
	}
	printf("# merge order (top layer) checked with trace events: %s\n",
	       model_check_top ? "yes" : "no");

	start = now();
	if (replay) {
		struct divergence div = {};
		struct stats st = {};
		const int n = parse_replay(replay, ops, MAX_SEQ);

		printf("1..1\n");
		for (r = 0; r < runs; r++)
			if (run_sequence(ops, n, NULL, &st, &div) < n)
				break;
		total = st;
		if (st.divergences) {
			printf("# DIVERGENCE (try %d) %s\n", r + 1, div.text);
			printf("not ok 1 replay of %d operations\n", n);
			any_div = true;
		} else {
			printf("ok 1 replay of %d operations (%d times)\n", n,
			       runs);
		}
	} else {
		const bool open_ended = seconds > 0 || until_ops ||
					until_execs;

		if (open_ended)
			runs = INT_MAX;
		else
			printf("1..%d\n", runs);
		for (r = 0; r < runs; r++) {
			struct divergence div = {};
			struct stats st = {};
			struct rng rng = { .s = seed + r };
			const double t0 = now();
			int done;

			if (seconds > 0 && now() - start >= seconds)
				break;
			if ((until_ops || until_execs) &&
			    total.ops >= until_ops &&
			    total.execs >= until_execs)
				break;
			done = run_sequence(ops, nops, &rng, &st, &div);
			printf("# run seed=%llu operations=%lu pairs=%lu "
			       "executions=%lu (%lu succeeded) divergences=%lu "
			       "seconds=%.1f\n",
			       seed + r, st.ops, st.pairs, st.execs, st.exec_ok,
			       st.divergences, now() - t0);
			if (st.divergences) {
				printf("# first divergence after %lu operations, "
				       "%lu executions (all runs)\n",
				       total.ops + st.ops,
				       total.execs + st.execs);
				report_divergence(seed + r, ops, done + 1 +
						  (ops[done].concurrent ? 1 : 0),
						  &div);
				any_div = true;
			}
			printf("%s %d seed %llu: %d operations\n",
			       st.divergences ? "not ok" : "ok", r + 1,
			       seed + r, done);
			total.ops += st.ops;
			total.pairs += st.pairs;
			total.tsync_task_pairs += st.tsync_task_pairs;
			total.execs += st.execs;
			total.exec_ok += st.exec_ok;
			total.divergences += st.divergences;
			for (i = 0; i < NUM_COVERAGE; i++)
				total.coverage[i] += st.coverage[i];
			if (opt.first && st.divergences) {
				r++;
				break;
			}
		}
		if (open_ended)
			printf("1..%d\n", r);
	}
	seconds = now() - start;
	printf("# summary: operations=%lu pairs=%lu tsync_task_pairs=%lu "
	       "executions=%lu (%lu succeeded) divergences=%lu seconds=%.1f "
	       "ops/s=%.0f execs/s=%.1f\n",
	       total.ops, total.pairs, total.tsync_task_pairs, total.execs,
	       total.exec_ok,
	       total.divergences, seconds, total.ops / seconds,
	       total.execs / seconds);
	printf("# coverage (successful executions):");
	for (i = 0; i < NUM_COVERAGE; i++)
		printf(" %s=%lu", coverage_names[i], total.coverage[i]);
	printf("\n");
	if (json) {
		FILE *f = strcmp(json, "-") ? fopen(json, "w") : stdout;

		if (f == stdout)
			printf("# json: ");
		if (f) {
			fprintf(f,
				"{\"seed\": %llu, \"runs\": %d, \"operations\": %lu, "
				"\"pairs\": %lu, \"tsync_task_pairs\": %lu, "
				"\"executions\": %lu, "
				"\"executions_succeeded\": %lu, "
				"\"divergences\": %lu, \"seconds\": %.1f",
				seed, r, total.ops, total.pairs,
				total.tsync_task_pairs, total.execs,
				total.exec_ok, total.divergences, seconds);
			for (i = 0; i < NUM_COVERAGE; i++)
				fprintf(f, ", \"%s\": %lu", coverage_names[i],
					total.coverage[i]);
			fprintf(f, "}\n");
			if (f != stdout)
				fclose(f);
		}
	}
	world_reset();
	if (skel)
		model_bpf__destroy(skel);
	if (abstract_fd >= 0)
		close(abstract_fd);
	trace_cleanup();
	umount2(MODEL_DIR, MNT_DETACH);
	free(ops);
	return any_div ? 1 : 0;
}
