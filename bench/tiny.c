// SPDX-License-Identifier: GPL-2.0
/*
 * The program that exec_bench executes: exits at once.  No C library (built
 * with -nostdlib -static), so that an execution costs the kernel's work only.
 */
void _start(void)
{
	asm volatile("syscall" : : "a"(60 /* __NR_exit */), "D"(0));
	__builtin_unreachable();
}
