// SPDX-License-Identifier: GPL-2.0
/*
 * Helper for the Landlock exec-time enforcement tests (on_exec_test.c).
 *
 * Runs each operation given as argument and prints one "<op>=<result>" line
 * per operation on stdout, where the result is "ok" or an errno name:
 *
 *   read:PATH     open(2) PATH read-only
 *   bind:PORT     bind(2) a TCP socket to 127.0.0.1:PORT
 *   layers        number of stacked Landlock layers (counted by stacking
 *                 layers in a child process until E2BIG)
 *   nnp           no_new_privs of this process (0 or 1)
 *   euid          effective UID
 *   abi           Landlock ABI version of the running kernel
 *   on-exec       whether this kernel has exec-time enforcement: "ok", or
 *                 "EOPNOTSUPP" when it is not built in (the result of
 *                 landlock_restrict_self(-1, ON_EXEC | LOG_SAME_EXEC_OFF),
 *                 which a kernel with it refuses with EINVAL, without side
 *                 effect)
 *   script        read the next argument (a "#!" script's path, when this
 *                 probe is its interpreter: "#!/path/on-exec-probe script")
 *   exec-layers   number of layers of this program executed again (shows
 *                 whether an armed ruleset is still pending)
 *   signal:PID    kill(2) PID with signal 0
 *   listen-abstract:NAME
 *                 listen(2) on the abstract unix socket NAME, until exit
 *   connect-abstract:NAME
 *                 connect(2) to the abstract unix socket NAME
 *   wait          read standard input until its end
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_LAYERS 16

static const char *result(const int err)
{
	static char buf[32];

	switch (err) {
	case 0:
		return "ok";
	case EACCES:
		return "EACCES";
	case EPERM:
		return "EPERM";
	case ENOENT:
		return "ENOENT";
	case E2BIG:
		return "E2BIG";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	default:
		snprintf(buf, sizeof(buf), "errno%d", err);
		return buf;
	}
}

static int op_read(const char *const path)
{
	const int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int op_bind(const char *const port)
{
	struct sockaddr_in addr = {
		.sin_family = AF_INET,
		.sin_port = htons(atoi(port)),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int err = 0;

	if (fd < 0)
		return errno;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)))
		err = errno;
	close(fd);
	return err;
}

/* Returns the number of layers, or -1 on unexpected error. */
static int count_layers(void)
{
	const struct landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_READ_DIR,
	};
	int status, added = 0;
	pid_t child;

	child = fork();
	if (child < 0)
		return -1;
	if (child == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
			_exit(255);
		for (;;) {
			const int fd = syscall(__NR_landlock_create_ruleset,
					       &attr, sizeof(attr), 0);
			int err;

			if (fd < 0)
				_exit(255);
			err = syscall(__NR_landlock_restrict_self, fd, 0);
			close(fd);
			if (err)
				_exit(errno == E2BIG ? added : 255);
			added++;
		}
	}
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    WEXITSTATUS(status) > MAX_LAYERS)
		return -1;
	return MAX_LAYERS - WEXITSTATUS(status);
}

static int exec_layers(void)
{
	char buf[64] = {};
	int pipefd[2], status;
	ssize_t len;
	pid_t child;

	if (pipe(pipefd))
		return -1;
	child = fork();
	if (child < 0)
		return -1;
	if (child == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		execl("/proc/self/exe", "on-exec-probe", "layers", NULL);
		_exit(255);
	}
	close(pipefd[1]);
	len = read(pipefd[0], buf, sizeof(buf) - 1);
	close(pipefd[0]);
	if (waitpid(child, &status, 0) != child || len <= 0 ||
	    strncmp(buf, "layers=", 7))
		return -1;
	return atoi(buf + 7);
}

/* Fills @addr with the abstract unix socket address @name; returns its size. */
static socklen_t abstract_addr(struct sockaddr_un *const addr,
			       const char *const name)
{
	const size_t len = strnlen(name, sizeof(addr->sun_path) - 1);

	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	memcpy(addr->sun_path + 1, name, len);
	return offsetof(struct sockaddr_un, sun_path) + 1 + len;
}

/* The socket stays open until the process exits. */
static int op_listen_abstract(const char *const name)
{
	const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr;
	const socklen_t len = abstract_addr(&addr, name);

	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, len) || listen(fd, 1))
		return errno;
	return 0;
}

static int op_connect_abstract(const char *const name)
{
	const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un addr;
	const socklen_t len = abstract_addr(&addr, name);
	int err = 0;

	if (fd < 0)
		return errno;
	if (connect(fd, (struct sockaddr *)&addr, len))
		err = errno;
	close(fd);
	return err;
}

static int op_signal(const char *const pid)
{
	return kill(atoi(pid), 0) ? errno : 0;
}

static void op_wait(void)
{
	char c;

	while (read(STDIN_FILENO, &c, 1) > 0)
		;
}

int main(int argc, char *argv[])
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *const op = argv[i];

		if (!strncmp(op, "read:", 5)) {
			printf("%s=%s\n", op, result(op_read(op + 5)));
		} else if (!strncmp(op, "bind:", 5)) {
			printf("%s=%s\n", op, result(op_bind(op + 5)));
		} else if (!strcmp(op, "layers")) {
			printf("layers=%d\n", count_layers());
		} else if (!strcmp(op, "exec-layers")) {
			printf("exec-layers=%d\n", exec_layers());
		} else if (!strcmp(op, "nnp")) {
			printf("nnp=%d\n",
			       prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
		} else if (!strcmp(op, "euid")) {
			printf("euid=%d\n", geteuid());
		} else if (!strncmp(op, "signal:", 7)) {
			printf("%s=%s\n", op, result(op_signal(op + 7)));
		} else if (!strncmp(op, "listen-abstract:", 16)) {
			printf("%s=%s\n", op,
			       result(op_listen_abstract(op + 16)));
		} else if (!strncmp(op, "connect-abstract:", 17)) {
			printf("%s=%s\n", op,
			       result(op_connect_abstract(op + 17)));
		} else if (!strcmp(op, "wait")) {
			op_wait();
			printf("wait=ok\n");
		} else if (!strcmp(op, "on-exec")) {
			const __u32 flags =
				LANDLOCK_RESTRICT_SELF_ON_EXEC |
				LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF;
			const long ret =
				syscall(__NR_landlock_restrict_self, -1, flags);

			if (ret == -1 && errno == EINVAL)
				printf("on-exec=ok\n");
			else if (ret == -1)
				printf("on-exec=%s\n", result(errno));
			else
				printf("on-exec=accepted\n");
		} else if (!strcmp(op, "script") && i + 1 < argc) {
			i++;
			printf("script=%s\n", result(op_read(argv[i])));
		} else if (!strcmp(op, "abi")) {
			printf("abi=%ld\n",
			       syscall(__NR_landlock_create_ruleset, NULL, 0,
				       LANDLOCK_CREATE_RULESET_VERSION));
		} else {
			fprintf(stderr, "on-exec-probe: unknown operation %s\n",
				op);
			return 2;
		}
		fflush(stdout);
	}
	return 0;
}
