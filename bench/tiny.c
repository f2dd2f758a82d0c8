// SPDX-License-Identifier: GPL-2.0
/* The program that exec_bench executes: does nothing. */
int main(void)
{
	return 0;
}
