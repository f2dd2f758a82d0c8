// SPDX-License-Identifier: GPL-2.0
/*
 * fmod_ret programs on functions that return void: a non-zero return value
 * would skip the function without its caller knowing, so the verifier
 * rejects them, whether or not the program reads the return value.
 */

#include <vmlinux.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "bpf_misc.h"

char _license[] SEC("license") = "GPL";

/* Every LSM's last hook before an execution's credentials are committed. */
SEC("fmod_ret/security_bprm_committing_creds")
__failure __msg("fmod_ret to void function 'security_bprm_committing_creds' is rejected")
int BPF_PROG(void_security_function, struct linux_binprm *bprm)
{
	return 1;
}

SEC("fmod_ret.s/security_bprm_committing_creds")
__failure __msg("fmod_ret to void function 'security_bprm_committing_creds' is rejected")
int BPF_PROG(void_security_function_sleepable, struct linux_binprm *bprm)
{
	return 1;
}

/* The hook before it returns an error: it can be modified. */
SEC("fmod_ret/security_bprm_creds_from_file")
__success
int BPF_PROG(int_security_function, struct linux_binprm *bprm,
	     const struct file *file, int ret)
{
	return ret;
}
