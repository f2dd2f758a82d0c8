/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * BPF kfuncs on LSM policy objects
 *
 * Only BPF programs call these kfuncs (see bpf_lsm_kfuncs.c).  Declaring them
 * lets the compiler and sparse check their definitions against a prototype,
 * as for any other global function.
 */

#ifndef _SECURITY_BPF_LSM_KFUNCS_H
#define _SECURITY_BPF_LSM_KFUNCS_H

#include <linux/types.h>

struct linux_binprm;
struct lsm_policy_object;

struct lsm_policy_object *bpf_lsm_policy_from_fd(int fd, u32 flags);

struct lsm_policy_object *
bpf_lsm_policy_acquire(struct lsm_policy_object *object);

void bpf_lsm_policy_release(struct lsm_policy_object *object);

void bpf_lsm_policy_release_dtor(void *object);

int bpf_lsm_policy_apply_bprm(struct lsm_policy_object *object,
			      struct linux_binprm *bprm, u32 flags);

#endif /* _SECURITY_BPF_LSM_KFUNCS_H */
