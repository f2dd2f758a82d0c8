/* SPDX-License-Identifier: GPL-2.0 */
/* Types shared by bench_bpf.bpf.c and its loader, bench_bpf.c. */

#ifndef BENCH_BPF_H
#define BENCH_BPF_H

/*
 * Executions armed and refused for one target, on a cache line of their
 * own: the two loops of the contention benchmark share no written data in
 * the policy.
 */
struct counters {
	__u64 armed;
	__u64 failed;
} __attribute__((aligned(64)));

/* Argument of store_ruleset(). */
struct store_args {
	__u32 index;
	int ruleset_fd;
};

#endif /* BENCH_BPF_H */
