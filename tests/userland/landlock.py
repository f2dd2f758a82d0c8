# SPDX-License-Identifier: GPL-2.0
"""Landlock from Python through ctypes, as a launcher would use it.

Only what the launcher tests need: a ruleset handling file reads, rules
beneath directories, and landlock_restrict_self() with any flags (the
exec-time ones included).  No dependency beyond the standard library.
"""

import ctypes
import os

SYS_CREATE_RULESET = 444
SYS_ADD_RULE = 445
SYS_RESTRICT_SELF = 446

CREATE_RULESET_VERSION = 1 << 0
RULE_PATH_BENEATH = 1
ACCESS_FS_READ_FILE = 1 << 2

RESTRICT_SELF_TSYNC = 1 << 3
RESTRICT_SELF_NO_NEW_PRIVS = 1 << 4
RESTRICT_SELF_ON_EXEC = 1 << 5

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64),
                ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64),
                ("parent_fd", ctypes.c_int32)]


def _check(ret):
    if ret < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return ret


def abi():
    return _check(_libc.syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0),
                                ctypes.c_uint32(CREATE_RULESET_VERSION)))


def read_ruleset(dirs):
    """A ruleset handling file reads, allowing them beneath DIRS."""
    attr = _RulesetAttr(ACCESS_FS_READ_FILE, 0, 0)
    fd = _check(_libc.syscall(SYS_CREATE_RULESET, ctypes.byref(attr),
                              ctypes.c_size_t(ctypes.sizeof(attr)),
                              ctypes.c_uint32(0)))
    for path in dirs:
        parent = os.open(path, os.O_PATH | os.O_CLOEXEC)
        try:
            rule = _PathBeneathAttr(ACCESS_FS_READ_FILE, parent)
            _check(_libc.syscall(SYS_ADD_RULE, ctypes.c_int(fd),
                                 ctypes.c_int(RULE_PATH_BENEATH),
                                 ctypes.byref(rule), ctypes.c_uint32(0)))
        finally:
            os.close(parent)
    return fd


def restrict_self(fd, flags):
    _check(_libc.syscall(SYS_RESTRICT_SELF, ctypes.c_int(fd),
                         ctypes.c_uint32(flags)))
