/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Landlock - Rulesets as LSM policy objects
 */

#ifndef _SECURITY_LANDLOCK_POLICY_H
#define _SECURITY_LANDLOCK_POLICY_H

#include <linux/init.h>

#if defined(CONFIG_SECURITY_LANDLOCK_ON_EXEC) && defined(CONFIG_BPF_SYSCALL)

__init void landlock_add_policy_hooks(void);

#else /* CONFIG_SECURITY_LANDLOCK_ON_EXEC && CONFIG_BPF_SYSCALL */

static inline void landlock_add_policy_hooks(void)
{
}

#endif /* CONFIG_SECURITY_LANDLOCK_ON_EXEC && CONFIG_BPF_SYSCALL */

#endif /* _SECURITY_LANDLOCK_POLICY_H */
