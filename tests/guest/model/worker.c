// SPDX-License-Identifier: GPL-2.0
/*
 * model_worker: the processes that model_driver commands, and the program
 * that the model's executions run (as /tmp/model/bin/w and its copy
 * /tmp/model/bin/t, the BPF policy's target).
 *
 *   model_worker --fd FD --driver PID
 *
 * Each thread serves one SOCK_SEQPACKET socket (FD for the first one): it
 * runs the operations of protocol.h on itself, with raw system calls (so
 * that credentials change for this thread only, as the model has it), and
 * answers.  At start, the program reports what it observes (REPLY_HELLO):
 * that is what an execution observes.  Statically linked, no stdio.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "protocol.h"

#define MAX_CHANS 16

static pid_t driver_pid;
/* Ruleset file descriptors of this process, by model slot. */
static int rs_fds[MAX_RS] = { -1, -1, -1, -1 };
/* The sockets of this process's threads (closed in forked children). */
static int chans[MAX_CHANS];
static pthread_mutex_t chans_lock = PTHREAD_MUTEX_INITIALIZER;
/* The two threads of a concurrent pair meet here. */
static pthread_barrier_t pair_barrier;
static __thread bool main_thread;

static void chan_add(int fd)
{
	int i;

	pthread_mutex_lock(&chans_lock);
	for (i = 0; i < MAX_CHANS; i++) {
		if (chans[i] < 0) {
			chans[i] = fd;
			break;
		}
	}
	pthread_mutex_unlock(&chans_lock);
}

static void chan_del(int fd)
{
	int i;

	pthread_mutex_lock(&chans_lock);
	for (i = 0; i < MAX_CHANS; i++)
		if (chans[i] == fd)
			chans[i] = -1;
	pthread_mutex_unlock(&chans_lock);
}

static int send_reply(int fd, const struct reply *rep, int pass_fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { .iov_base = (void *)rep, .iov_len = sizeof(*rep) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;

	if (pass_fd >= 0) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &pass_fd, sizeof(int));
	}
	return sendmsg(fd, &msg, MSG_NOSIGNAL) == sizeof(*rep) ? 0 : -1;
}

/* 0 if allowed, 1 if denied with @denied, OBS_ERR_BASE + errno otherwise. */
static int probe_result(int ret, int denied)
{
	if (!ret)
		return 0;
	return errno == denied ? 1 : OBS_ERR_BASE + errno;
}

static int probe_open(const char *path, int flags)
{
	const int fd = open(path, flags | O_CLOEXEC);

	if (fd >= 0)
		close(fd);
	return probe_result(fd < 0, EACCES);
}

static int probe_abstract(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd, ret;

	len = snprintf(addr.sun_path + 1, sizeof(addr.sun_path) - 1, "%s.%d",
		       MODEL_ABSTRACT, driver_pid);
	len += offsetof(struct sockaddr_un, sun_path) + 1;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return OBS_ERR_BASE + errno;
	ret = probe_result(connect(fd, (struct sockaddr *)&addr, len), EPERM);
	close(fd);
	return ret;
}

/*
 * The number of layers of this thread: a child stacks empty layers until
 * E2BIG; 16 minus those it could stack.  Returns -errno on failure.
 */
static int count_layers(void)
{
	const struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_READ_DIR,
	};
	unsigned char added = 255;
	int pipefd[2];
	pid_t child;

	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	child = fork();
	if (child < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -errno;
	}
	if (child == 0) {
		unsigned char n = 0;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(1);
		for (;;) {
			const int fd = syscall(__NR_landlock_create_ruleset,
					       &attr, sizeof(attr), 0);
			int err = 0;

			if (fd < 0)
				break;
			if (syscall(__NR_landlock_restrict_self, fd, 0))
				err = errno;
			close(fd);
			if (err) {
				if (err != E2BIG)
					n = 255;
				break;
			}
			n++;
		}
		if (write(pipefd[1], &n, 1) != 1)
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &added, 1) != 1)
		added = 255;
	close(pipefd[0]);
	/* SIGCHLD is ignored: returns once the child is gone (ECHILD). */
	waitpid(child, NULL, 0);
	if (added > MAX_LAYERS)
		return -EPROTO;
	return MAX_LAYERS - added;
}

/*
 * What this thread may do (struct obs); returns 0, or OBS_ERR_BASE + errno
 * if a probe failed unexpectedly.
 */
static int observe(struct obs *o)
{
	char path[64];
	int d, r, layers;

	memset(o, 0, sizeof(*o));
	for (d = 0; d < NUM_DIRS; d++) {
		snprintf(path, sizeof(path), MODEL_DIR "/%c/f", 'a' + d);
		r = probe_open(path, O_RDONLY);
		if (r > 1)
			return r;
		if (!r)
			o->allowed |= OBS_READ(d);
		r = probe_open(path, O_WRONLY);
		if (r > 1)
			return r;
		if (!r)
			o->allowed |= OBS_WRITE(d);
	}
	r = probe_result(kill(driver_pid, 0), EPERM);
	if (r > 1)
		return r;
	if (!r)
		o->allowed |= OBS_SIGNAL;
	r = probe_abstract();
	if (r > 1)
		return r;
	if (!r)
		o->allowed |= OBS_ABSTRACT;
	layers = count_layers();
	if (layers < 0)
		return OBS_ERR_BASE - layers;
	o->layers = layers;
	o->nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
	return 0;
}

static int rs_create(const struct cmd *c)
{
	struct landlock_ruleset_attr attr = {};
	struct landlock_path_beneath_attr rule = {
		.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE,
	};
	int fd, err = 0;

	if (c->rs < 0 || c->rs >= MAX_RS)
		return EINVAL;
	if (c->rs_value & RS_READ)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_READ_FILE;
	if (c->rs_value & RS_WRITE)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_WRITE_FILE;
	if (c->rs_value & RS_SCOPE_SIGNAL)
		attr.scoped |= LANDLOCK_SCOPE_SIGNAL;
	if (c->rs_value & RS_SCOPE_ABSTRACT)
		attr.scoped |= LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
	fd = syscall(__NR_landlock_create_ruleset, &attr, sizeof(attr), 0);
	if (fd < 0)
		return errno;
	/* The worker binary must stay readable, hence executable. */
	if (c->rs_value & RS_READ) {
		rule.parent_fd = open(MODEL_BIN, O_PATH | O_CLOEXEC);
		if (rule.parent_fd < 0 ||
		    syscall(__NR_landlock_add_rule, fd,
			    LANDLOCK_RULE_PATH_BENEATH, &rule, 0))
			err = errno;
		if (rule.parent_fd >= 0)
			close(rule.parent_fd);
		if (err) {
			close(fd);
			return err;
		}
	}
	if (rs_fds[c->rs] >= 0)
		close(rs_fds[c->rs]);
	rs_fds[c->rs] = fd;
	return 0;
}

static int rs_add(const struct cmd *c)
{
	struct landlock_path_beneath_attr rule = {};
	char path[64];
	int err = 0;

	if (c->rs < 0 || c->rs >= MAX_RS || rs_fds[c->rs] < 0)
		return EBADF;
	if (c->rs_value & RS_READ)
		rule.allowed_access |= LANDLOCK_ACCESS_FS_READ_FILE;
	if (c->rs_value & RS_WRITE)
		rule.allowed_access |= LANDLOCK_ACCESS_FS_WRITE_FILE;
	snprintf(path, sizeof(path), MODEL_DIR "/%c", 'a' + c->dir);
	rule.parent_fd = open(path, O_PATH | O_CLOEXEC);
	if (rule.parent_fd < 0)
		return OBS_ERR_BASE + errno;
	if (syscall(__NR_landlock_add_rule, rs_fds[c->rs],
		    LANDLOCK_RULE_PATH_BENEATH, &rule, 0))
		err = errno;
	close(rule.parent_fd);
	return err;
}

/* Drops CAP_SYS_ADMIN from this thread's bounding, permitted... sets. */
static int drop_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	const __u32 bit = 1u << CAP_SYS_ADMIN;

	/* Needs CAP_SETPCAP: a thread that left UID 0 has no capability. */
	if (prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) == 1 &&
	    prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) && errno != EPERM)
		return errno;
	if (syscall(SYS_capget, &hdr, data))
		return errno;
	data[0].effective &= ~bit;
	data[0].permitted &= ~bit;
	data[0].inheritable &= ~bit;
	if (syscall(SYS_capset, &hdr, data))
		return errno;
	return 0;
}

static void exec_argv(char *argv[6], char fdbuf[16], char pidbuf[16], int fd,
		      const char *name)
{
	snprintf(fdbuf, 16, "%d", fd);
	snprintf(pidbuf, 16, "%d", driver_pid);
	argv[0] = (char *)name;
	argv[1] = "--fd";
	argv[2] = fdbuf;
	argv[3] = "--driver";
	argv[4] = pidbuf;
	argv[5] = NULL;
}

static char *const exec_envp[] = { "PATH=/bin", NULL };

static void *serve(void *arg);

/* Replies itself; returns -1 to end this thread. */
static int do_fork(int fd)
{
	struct reply rep = { .kind = REPLY_DONE };
	int sp[2], i;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp)) {
		rep.err = errno;
		return send_reply(fd, &rep, -1);
	}
	pthread_mutex_lock(&chans_lock);
	pid = fork();
	if (pid == 0) {
		/* The child: only this thread, on its new socket. */
		for (i = 0; i < MAX_CHANS; i++) {
			if (chans[i] >= 0)
				close(chans[i]);
			chans[i] = -1;
		}
		close(sp[0]);
		chans[0] = sp[1];
		pthread_mutex_init(&chans_lock, NULL);
		pthread_barrier_init(&pair_barrier, NULL, 2);
		main_thread = true;
		serve((void *)(long)sp[1]);
		_exit(0);
	}
	pthread_mutex_unlock(&chans_lock);
	close(sp[1]);
	if (pid < 0)
		rep.err = errno;
	rep.pid = pid;
	i = send_reply(fd, &rep, pid < 0 ? -1 : sp[0]);
	close(sp[0]);
	return i;
}

static int do_spawn(int fd, const struct cmd *c)
{
	struct reply rep = { .kind = REPLY_DONE };
	char fdbuf[16], pidbuf[16], *argv[6];
	volatile int child_err = 0;
	int sp[2], ret;
	pid_t pid;

	if (c->path >= NUM_PATHS)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp)) {
		rep.err = errno;
		return send_reply(fd, &rep, -1);
	}
	exec_argv(argv, fdbuf, pidbuf, sp[1], "model_worker");
	/* As posix_spawn(): the child shares our memory until it executes. */
	pid = vfork();
	if (pid == 0) {
		if (fcntl(sp[1], F_SETFD, 0) == 0)
			execve(model_paths[c->path], argv, exec_envp);
		child_err = errno;
		_exit(127);
	}
	close(sp[1]);
	if (pid < 0)
		rep.err = errno;
	else
		rep.err = child_err;
	rep.pid = pid;
	ret = send_reply(fd, &rep, rep.err ? -1 : sp[0]);
	close(sp[0]);
	return ret;
}

static int do_thread(int fd)
{
	struct reply rep = { .kind = REPLY_DONE };
	pthread_attr_t attr;
	pthread_t thread;
	int sp[2], ret;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp)) {
		rep.err = errno;
		return send_reply(fd, &rep, -1);
	}
	chan_add(sp[1]);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rep.err = pthread_create(&thread, &attr, serve, (void *)(long)sp[1]);
	pthread_attr_destroy(&attr);
	if (rep.err) {
		chan_del(sp[1]);
		close(sp[1]);
	}
	ret = send_reply(fd, &rep, rep.err ? -1 : sp[0]);
	close(sp[0]);
	return ret;
}

/* Returns -1 if this thread must end (its socket is closed). */
static int run(int fd, const struct cmd *c)
{
	struct reply rep = { .kind = REPLY_DONE };
	char fdbuf[16], pidbuf[16], *argv[6];
	long ret;

	if (c->sync) {
		const int r = pthread_barrier_wait(&pair_barrier);

		if (r && r != PTHREAD_BARRIER_SERIAL_THREAD)
			return -1;
	}
	switch (c->type) {
	case OP_RS_CREATE:
		rep.err = rs_create(c);
		break;
	case OP_RS_ADD:
		rep.err = rs_add(c);
		break;
	case OP_RS_CLOSE:
		if (c->rs < 0 || c->rs >= MAX_RS || rs_fds[c->rs] < 0) {
			rep.err = EBADF;
			break;
		}
		close(rs_fds[c->rs]);
		rs_fds[c->rs] = -1;
		break;
	case OP_RESTRICT:
		if (c->rs >= MAX_RS || (c->rs >= 0 && rs_fds[c->rs] < 0)) {
			rep.err = EPROTO;
			break;
		}
		ret = syscall(__NR_landlock_restrict_self,
			      c->rs >= 0 ? rs_fds[c->rs] : c->rs, c->flags);
		rep.err = ret ? errno : 0;
		break;
	case OP_SET_NNP:
		rep.err = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ? errno : 0;
		break;
	case OP_SETUID:
		/* The raw system call: this thread only. */
		ret = syscall(SYS_setresuid, MODEL_UID, MODEL_UID, MODEL_UID);
		rep.err = ret ? errno : 0;
		break;
	case OP_DROP_ADMIN:
		rep.err = drop_admin();
		break;
	case OP_FORK:
		return do_fork(fd);
	case OP_SPAWN:
		return do_spawn(fd, c);
	case OP_THREAD:
		return do_thread(fd);
	case OP_THREAD_EXIT:
		send_reply(fd, &rep, -1);
		return -1;
	case OP_EXIT_PROC:
		send_reply(fd, &rep, -1);
		_exit(0);
	case OP_EXEC:
		if (c->path >= NUM_PATHS)
			return -1;
		/* The new image gets this thread's socket. */
		exec_argv(argv, fdbuf, pidbuf, fd, "model_worker");
		if (fcntl(fd, F_SETFD, 0))
			return -1;
		execve(model_paths[c->path], argv, exec_envp);
		rep.err = errno;
		if (fcntl(fd, F_SETFD, FD_CLOEXEC))
			return -1;
		break;
	case OP_OBSERVE:
		rep.err = observe(&rep.obs);
		rep.has_obs = !rep.err;
		break;
	default:
		rep.err = EPROTO;
	}
	return send_reply(fd, &rep, -1);
}

static void *serve(void *arg)
{
	const int fd = (long)arg;
	struct cmd c;
	ssize_t n;

	for (;;) {
		n = recv(fd, &c, sizeof(c), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != sizeof(c) || run(fd, &c))
			break;
	}
	/* The driver closed the socket, or the thread exits. */
	if (main_thread)
		_exit(0);
	chan_del(fd);
	close(fd);
	return NULL;
}

int main(int argc, char *argv[])
{
	struct reply hello = { .kind = REPLY_HELLO };
	int fd = -1, i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--fd"))
			fd = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--driver"))
			driver_pid = atoi(argv[i + 1]);
	}
	if (fd < 0 || driver_pid <= 0) {
		static const char usage[] =
			"usage: model_worker --fd FD --driver PID\n";

		if (write(STDERR_FILENO, usage, sizeof(usage) - 1) < 0)
			return 2;
		return 2;
	}
	/* Not inherited by later executions (see OP_EXEC). */
	if (fcntl(fd, F_SETFD, FD_CLOEXEC))
		return 1;
	/* Children are reaped by the kernel. */
	signal(SIGCHLD, SIG_IGN);
	for (i = 0; i < MAX_CHANS; i++)
		chans[i] = -1;
	chans[0] = fd;
	pthread_barrier_init(&pair_barrier, NULL, 2);
	main_thread = true;

	/* What the executed program observes, before anything else. */
	hello.err = observe(&hello.obs);
	hello.has_obs = !hello.err;
	hello.pid = getpid();
	if (send_reply(fd, &hello, -1))
		return 1;
	serve((void *)(long)fd);
	return 0;
}
