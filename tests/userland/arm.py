#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""arm.py DIR[:DIR...] CMD [ARG...]: arm a ruleset allowing file reads
beneath the DIRs for the next execution (LANDLOCK_RESTRICT_SELF_ON_EXEC),
then execute CMD, which starts sandboxed (a launcher in a few lines)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import landlock  # noqa: E402

fd = landlock.read_ruleset(sys.argv[1].split(":"))
landlock.restrict_self(fd, landlock.RESTRICT_SELF_ON_EXEC)
os.close(fd)
# Still unrestricted here: the ruleset applies from the execution on.
with open("/tmp/userland/secret") as f:
    assert f.read()
os.execvp(sys.argv[2], sys.argv[2:])
