// SPDX-License-Identifier: GPL-2.0
#include <test_progs.h>

#include "fmod_ret_void.skel.h"

void test_fmod_ret_void(void)
{
	RUN_TESTS(fmod_ret_void);
}
