/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Landlock - BPF kfuncs for exec-time enforcement
 *
 * Only BPF programs call these kfuncs (see bpf_kfuncs.c).  Declaring them
 * lets the compiler and sparse check their definitions against a prototype,
 * as for any other global function.
 */

#ifndef _SECURITY_LANDLOCK_BPF_KFUNCS_H
#define _SECURITY_LANDLOCK_BPF_KFUNCS_H

#include <linux/types.h>

struct bpf_landlock_ruleset;
struct linux_binprm;

struct bpf_landlock_ruleset *bpf_landlock_ruleset_from_fd(int fd);

struct bpf_landlock_ruleset *
bpf_landlock_ruleset_acquire(struct bpf_landlock_ruleset *ruleset);

void bpf_landlock_ruleset_release(struct bpf_landlock_ruleset *ruleset);

void bpf_landlock_ruleset_release_dtor(void *ruleset);

int bpf_landlock_restrict_binprm(struct linux_binprm *bprm,
				 struct bpf_landlock_ruleset *ruleset,
				 u32 flags);

#endif /* _SECURITY_LANDLOCK_BPF_KFUNCS_H */
