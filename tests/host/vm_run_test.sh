#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of scripts/vm-run itself: a static binary added with --add runs in
# the guest and its exit status (zero and non-zero) comes back; a command
# that outlives --timeout fails with 124; a missing kernel fails with 125.
# Prints one TAP section for scripts/test-report.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
vm_run=$repo/scripts/vm-run
work=$(mktemp -d /tmp/vm-run-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"

n=0
result() { # OK? NAME [diagnostic]
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		[ -n "${3:-}" ] && echo "$3" | sed 's/^/# /'
		echo "not ok $n $2"
	fi
}

echo "### SUITE vm-run"
echo "1..5"
"$repo/scripts/toolchain" run gcc -static -O2 -o "$work/bin/exit-with" "$here/exit-with.c"

out=$("$vm_run" --add "$work/bin" -- "$work/bin/exit-with" 0 2>&1)
rc=$?
[ $rc = 0 ] && grep -q 'hello from the guest, exiting with 0' <<<"$out"
result $? "exit_status_zero" "rc=$rc output: $out"

out=$("$vm_run" --add "$work/bin" -- "$work/bin/exit-with" 3 2>&1)
rc=$?
[ $rc = 3 ] && grep -q 'exiting with 3' <<<"$out"
result $? "exit_status_nonzero" "rc=$rc output: $out"

# Relative path from the current directory, and the /mnt/add/<name> alias.
out=$(cd "$work" && "$vm_run" --add bin -- sh -c 'bin/exit-with 4 && exit 1; [ $? = 4 ] && /mnt/add/bin/exit-with 5' 2>&1)
rc=$?
[ $rc = 5 ]
result $? "relative_path_and_alias" "rc=$rc output: $out"

out=$("$vm_run" --timeout 10 -- sleep 600 2>&1)
rc=$?
[ $rc = 124 ] && grep -q TIMEOUT <<<"$out"
result $? "timeout_is_reported" "rc=$rc output: $out"

out=$("$vm_run" --kernel "$work/no-such-bzImage" -- true 2>&1)
rc=$?
[ $rc = 125 ] && grep -q 'no kernel' <<<"$out"
result $? "missing_kernel_is_reported" "rc=$rc output: $out"
echo "### END vm-run rc=0"
