#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In-guest part of scripts/bench: runs every case of exec_bench that the
# running kernel supports and prints "BENCH <json>" lines.
# Usage: guest-bench.sh DIR ROUNDS EXECS (DIR holds exec_bench, tiny and,
# for the BPF case, samples/exec_policy).

dir=$1 rounds=$2 execs=$3
bench=$dir/exec_bench
tiny=$dir/tiny
cd /tmp || exit 1

abi=$("$dir/landlock/on-exec-probe" abi | sed 's/abi=//')
echo "BENCH {\"case\": \"kernel\", \"release\": \"$(uname -r)\", \"abi\": $abi}"
# Size of every credential's LSM blob, all LSMs together (lsm.debug).
cred_blob=$(dmesg | sed -n 's/.*blob(cred) size \([0-9]*\).*/\1/p' | head -n 1)
echo "BENCH {\"case\": \"memory\", \"lsm_cred_blob\": ${cred_blob:-0}}"
cases="none immediate restrict-immediate"
[ "$abi" -ge 12 ] && cases="$cases armed restrict-armed"
for c in $cases; do
	out=$("$bench" "$c" "$rounds" "$execs" "$tiny") || exit 1
	echo "BENCH $out"
done
if [ "$abi" -ge 12 ]; then
	out=$(LL_FS_RO=/ "$dir/samples/exec_policy" "$tiny" \
		"$bench" none "$rounds" "$execs" "$tiny" 2>/dev/null) || exit 1
	echo "BENCH $(echo "$out" | sed 's/"case": "none"/"case": "bpf"/')"
fi
