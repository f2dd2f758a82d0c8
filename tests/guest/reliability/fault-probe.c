// SPDX-License-Identifier: GPL-2.0
/*
 * Program executed by the reliability tests.  Prints one line:
 *
 *   probe fail-nth=<N> a=<errno> b=<errno>
 *
 * N is what was left of this thread's fail-nth when it started (0 if fault
 * injection is not configured): if N > 0, the execution that started it did
 * not reach the fault point that the test had set.  The test passes the
 * file descriptor of /proc/thread-self/fail-nth, opened before the
 * execution, in FAIL_NTH_FD: the program may not be allowed to open it.
 * Then it disables fault injection, so that its own work does not fail, and
 * tries to read the two files given as arguments (errno 0: allowed).
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int try_read(const char *const path)
{
	const int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

int main(const int argc, char *const argv[])
{
	const char *const fd_env = getenv("FAIL_NTH_FD");
	char buf[16] = {};
	unsigned int nth = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: %s FILE_A FILE_B\n", argv[0]);
		return 2;
	}
	if (fd_env) {
		const int fd = atoi(fd_env);

		if (pread(fd, buf, sizeof(buf) - 1, 0) > 0)
			nth = strtoul(buf, NULL, 10);
		if (pwrite(fd, "0", 1, 0) != 1)
			return 3;
		close(fd);
	}
	printf("probe fail-nth=%u a=%d b=%d\n", nth, try_read(argv[1]),
	       try_read(argv[2]));
	return 0;
}
