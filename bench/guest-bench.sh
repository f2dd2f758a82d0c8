#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In-guest part of scripts/bench: prints one "BENCH <json>" line per figure.
#
#   guest-bench.sh DIR icount ROUNDS BUDGET
#	(under QEMU -icount) every exec_bench case the kernel supports, with
#	ROUNDS rounds of about BUDGET instructions each, and the cost curves
#   guest-bench.sh DIR contention PAIRS SECONDS
#	(on two CPUs) bench_bpf's contention benchmark
#
# DIR holds exec_bench, bench_bpf, tiny and tiny2 (a copy of tiny).

set -eu
dir=$1 mode=$2
bench=$dir/exec_bench
tiny=$dir/tiny
cd /tmp

abi=$("$bench" abi)
echo "BENCH {\"case\": \"kernel\", \"release\": \"$(uname -r)\", \"abi\": $abi, \"mode\": \"$mode\", \"cpus\": $(nproc)}"

if [ "$mode" = contention ]; then
	[ "$abi" -ge 12 ] || exit 0
	out=$("$dir/bench_bpf" contention 10 "$tiny" "$dir/tiny2" "$3" "$4")
	echo "BENCH $out"
	exit 0
fi

rounds=$3 budget=$4
# Size of every credential's LSM blob, all LSMs together (lsm.debug).
cred_blob=$(dmesg | sed -n 's/.*blob(cred) size \([0-9]*\).*/\1/p' | head -n 1)
echo "BENCH {\"case\": \"memory\", \"lsm_cred_blob\": ${cred_blob:-0}}"
out=$("$bench" calibrate)
echo "BENCH $out"

# m CASE RULES LAYERS: one exec_bench measurement.
m() {
	out=$("$bench" "$@" "$rounds" "$budget" "$tiny")
	echo "$out" | sed 's/^/BENCH /'
}
# mb RULES LAYERS: executions that bench_bpf's policy arms.
mb() {
	out=$("$dir/bench_bpf" "$1" "$tiny" "$bench" bpf "$1" "$2" \
		"$rounds" "$budget" "$tiny")
	echo "BENCH $out"
}

# profile LABEL RULES "FUNCTION..." COMMAND...: the instructions per call of
# each FUNCTION while COMMAND runs (ftrace function_graph durations: a guest
# us is 1000 instructions, with the tracer's own at the entry and the exit).
# Rust functions are not traceable: their C callers are.
profile() {
	label=$1 rules=$2 funcs=$3
	shift 3
	t=/sys/kernel/tracing
	# Only these functions: the tracer then adds nothing to the calls
	# they make.
	echo "$funcs" >$t/set_ftrace_filter
	echo "$funcs" >$t/set_graph_function
	echo 1 >$t/max_graph_depth
	echo function_graph >$t/current_tracer
	echo >$t/trace
	"$@" >/dev/null
	echo 0 >$t/tracing_on
	out=$(awk -v label="$label" -v rules="$rules" -v funcs="$funcs" '
		BEGIN {
			split(funcs, list, " ")
			for (i in list)
				want[list[i]] = 1
		}
		/ us +\| / {
			for (i = 1; i < NF; i++)
				if ($(i + 1) == "us")
					d = $i
			f = $NF
			sub(/\(\);$/, "", f)
			if (!(f in want))
				next
			n[f]++
			s[f] += d
			# Each call, for medians (robust to an interrupt in
			# one call): instructions.
			l[f] = l[f] (n[f] > 1 ? ", " : "") sprintf("%.0f", d * 1000)
		}
		END {
			printf "{\"case\": \"profile\", \"of\": \"%s\", \"rules\": %d, \"functions\": {", label, rules
			sep = ""
			for (f in n) {
				printf "%s\"%s\": {\"calls\": %d, \"instructions_per_call\": %.0f, \"each\": [%s]}", sep, f, n[f], s[f] * 1000 / n[f], l[f]
				sep = ", "
			}
			print "}}"
		}' $t/trace)
	echo nop >$t/current_tracer
	echo >$t/set_ftrace_filter
	echo 1 >$t/tracing_on
	echo "BENCH $out"
}

# Both kernels run this same sequence first, so that the state of the
# system (slab caches, PIDs...) is alike at each of these measurements.
m none 1 0
m fork 1 0
m immediate 1 0
m restrict-immediate 1 0

# The LSM hooks that exec-time enforcement extends, on both kernels: the
# difference is what it adds to each call.
pb=$((budget / 10))
hooks="security_prepare_creds security_cred_free"
hooks="$hooks security_bprm_creds_from_file security_bprm_committing_creds"
# A full budget (about 500 executions): the medians per call come with
# intervals of a few instructions.
if [ "$abi" -lt 12 ]; then
	profile none 1 "$hooks" "$bench" none 1 0 1 "$budget" "$tiny"
	exit 0
fi

# Paired: fork and fork-armed alternate rounds.
m fork,fork-armed 1 0
m armed 1 0
m armed-once 1 0
mb 1 0
m restrict-armed 1 0
for rules in 10 100 1000 10000; do
	m immediate "$rules" 0
	m armed "$rules" 0
	m armed-once "$rules" 0
	mb "$rules" 0
	m restrict-immediate "$rules" 0
	m restrict-armed "$rules" 0
done
# A launcher that builds a new ruleset for each child (paired rounds).
for rules in 1 10 100 1000 10000; do
	m immediate-new,armed-new "$rules" 0
done
for layers in 1 8 15; do
	m immediate 1 "$layers"
	m armed 1 "$layers"
	m armed-once 1 "$layers"
	mb 1 "$layers"
done

# Profiles last: tracing changes the state of the system.
profile none 1 "$hooks" "$bench" none 1 0 1 "$budget" "$tiny"
profile fork 1 "$hooks" "$bench" fork 1 0 1 "$pb" "$tiny"
profile fork-armed 1 "$hooks" "$bench" fork-armed 1 0 1 "$pb" "$tiny"
copies="landlock_freeze_ruleset landlock_merge_ruleset free_ruleset free_domain"
# What an armed execution computes once about the program it runs.
copies="$copies landlock_exec_details"
for rules in 1 10000; do
	for c in immediate armed armed-once; do
		profile "$c" "$rules" "$copies" "$bench" "$c" "$rules" 0 1 "$pb" "$tiny"
	done
	# A new ruleset per child: one frozen copy per arming.
	profile armed-new "$rules" "$copies" "$bench" armed-new "$rules" 0 1 \
		"$pb" "$tiny"
	profile bpf "$rules" "$copies" "$dir/bench_bpf" "$rules" "$tiny" \
		"$bench" bpf "$rules" 0 1 "$pb" "$tiny"
done
