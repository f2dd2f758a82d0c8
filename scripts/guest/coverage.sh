#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In-guest part of scripts/coverage, on the gcov kernel.
# $1: the guest test directory (run-tests); $2: a file listing the text
# symbols of security/landlock/exec.o, one per line; more arguments go to
# run-tests (e.g. landlock-off).
#
# Puts a kprobe on every function of exec.rs (in a tracing instance of its
# own, so that the tests' trace buffer sees nothing of it), runs the whole
# guest suite, then prints the kprobe hit counts and every gcov data file of
# the objects the series touches (security/landlock, the LSM framework's
# kfuncs and hooks, kernel/bpf/bpf_lsm.c and verifier.c; base64), between
# markers.

tests=$1
symbols=$2
shift 2
tracing=/sys/kernel/tracing
n=0
while read -r sym; do
	echo "p:landlock_cov/f$n $sym" >>"$tracing/kprobe_events" ||
		echo "# coverage: no kprobe on $sym"
	n=$((n + 1))
done <"$symbols"
mkdir "$tracing/instances/coverage"
echo 1 >"$tracing/instances/coverage/events/landlock_cov/enable"

"$tests/run-tests" "$@"

# Nothing from the kernel in the middle of the dumps.
echo 1 >/proc/sys/kernel/printk
echo "### KPROBE_PROFILE"
cat "$tracing/kprobe_profile"
echo "### END"
find /sys/kernel/debug/gcov -name '*.gcda' | while read -r f; do
	case $f in
	*/security/landlock/*.gcda | */security/bpf_lsm_kfuncs.gcda | \
		*/security/security.gcda | */kernel/bpf/bpf_lsm.gcda | \
		*/kernel/bpf/verifier.gcda)
		echo "### GCDA ${f#/sys/kernel/debug/gcov}"
		base64 <"$f"
		echo "### END"
		;;
	esac
done
