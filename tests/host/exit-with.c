// SPDX-License-Identifier: GPL-2.0
/* Print a greeting and exit with the status given as argument. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char *argv[])
{
	printf("hello from the guest, exiting with %s\n", argc > 1 ? argv[1] : "0");
	return argc > 1 ? atoi(argv[1]) : 0;
}
