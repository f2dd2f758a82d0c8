/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Landlock - Exec-time enforcement
 *
 * The functions declared here are implemented in Rust (exec.rs).  This
 * header is also read by bindgen (rust/bindings/bindings_helper.h), which
 * lets #[export] check each Rust definition against its C prototype.
 */

#ifndef _SECURITY_LANDLOCK_EXEC_H
#define _SECURITY_LANDLOCK_EXEC_H

#ifdef CONFIG_SECURITY_LANDLOCK_ON_EXEC

/**
 * landlock_exec_init - Initialize exec-time enforcement
 *
 * Called once from landlock_init(), after the LSM hooks are registered.
 */
void landlock_exec_init(void);

#else /* CONFIG_SECURITY_LANDLOCK_ON_EXEC */

static inline void landlock_exec_init(void)
{
}

#endif /* CONFIG_SECURITY_LANDLOCK_ON_EXEC */

#endif /* _SECURITY_LANDLOCK_EXEC_H */
