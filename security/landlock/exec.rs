// SPDX-License-Identifier: GPL-2.0-only

//! Landlock - Exec-time enforcement.
//!
//! C header: [`security/landlock/exec.h`](srctree/security/landlock/exec.h)

use kernel::prelude::*;

/// Prefix of this crate's `pr_*!` messages, as for Landlock's C code.
const __LOG_PREFIX: &[u8] = b"landlock\0";

/// Initializes exec-time enforcement.
///
/// # Safety
///
/// Always safe to call; `unsafe` only because of `#[export]`.
#[export]
pub unsafe extern "C" fn landlock_exec_init() {
    pr_info!("Exec-time enforcement (Rust) ready.\n");
}

#[cfg(CONFIG_SECURITY_LANDLOCK_KUNIT_TEST)]
#[kunit_tests(landlock_exec)]
mod tests {
    #[test]
    fn log_prefix_is_nul_terminated() {
        assert_eq!(super::__LOG_PREFIX.last(), Some(&0));
    }
}
