#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unmodified programs of a Debian userland started under exec-time
# enforcement, however they are started:
#
#   armed parent   a launcher arms a ruleset (arm.py: ctypes, ON_EXEC) and
#                  executes bash, env, xargs, find -exec or a #!/usr/bin/python3
#                  script, which then start the reader: everything they
#                  run is sandboxed; control: the same without arming.
#   BPF policy     the exec_policy sample sandboxes every execution of
#                  /usr/bin/python3 (its inode): run directly, by PATH,
#                  through bash, env, xargs, find -exec, a symlink, as the
#                  interpreter of #!/usr/bin/python3 and #!/usr/bin/env
#                  python3 scripts; control: cat and perl, started the same
#                  ways, read the secret.
#   second policy  loaded in a new PID namespace, on a copy of python3:
#                  sandboxed; a new version renamed over it is another
#                  inode, not targeted (a documented limit).
#
# $1: a directory holding the exec_policy and sandboxer samples
# (samples/landlock, built by scripts/build-guest-tests); exec_policy runs
# with this userland's loader and libbpf.  Prints TAP.

here=$(cd "$(dirname "$0")" && pwd)
stage=${1:?usage: shell_test.sh DIR_WITH_EXEC_POLICY}
work=/tmp/userland
secret=$work/secret
public=$work/public
allowed=/usr:/etc:$public
mkdir -p "$public"
echo secret >"$secret"
echo public >"$public/f"

n=0
failed=0
# check NAME WANT CMD...: WANT is "denied" (what CMD starts reads the
# public file, not the secret: it ran, sandboxed) or "read" (both).  The
# readers print each file they read.
check() {
	local name=$1 want=$2 got out
	shift 2
	n=$((n + 1))
	out=$("$@" 2>&1)
	if ! grep -qx public <<<"$out"; then
		got="did not run"
	elif grep -qx secret <<<"$out"; then
		got="read"
	else
		got=denied
	fi
	if [ "$got" = "$want" ]; then
		echo "ok $n $name: $got"
	else
		echo "# output: $(head -c 300 <<<"$out" | tr '\n' ' ')"
		echo "not ok $n $name: $got, $want expected"
		failed=$((failed + 1))
	fi
}

cat >"$public/script.py" <<PY
#!/usr/bin/python3
print(open("$public/f").read().strip())
print(open("$secret").read().strip())
PY
cat >"$public/env-script.py" <<PY
#!/usr/bin/env python3
print(open("$public/f").read().strip())
print(open("$secret").read().strip())
PY
chmod +x "$public/script.py" "$public/env-script.py"
# shellcheck disable=SC2089,SC2090 # Python source, passed as one argument.
py_read="print(open('$public/f').read().strip()); print(open('$secret').read().strip())"
both="$public/f $secret"

echo "1..40"
# Armed parent: the launcher arms, then executes each of these.
for armed in yes no; do
	if [ $armed = yes ]; then
		launch=("$here/arm.py" "$allowed")
		want=denied
		tag="armed parent"
	else
		launch=()
		want="read"
		tag="control, no arming"
	fi
	check "$tag: bash -c cat" $want "${launch[@]}" bash -c "cat $both"
	check "$tag: bash runs a pipeline" $want "${launch[@]}" bash -c "cat $public/f; cat < $secret | cat"
	check "$tag: env cat" $want "${launch[@]}" env cat $both
	check "$tag: xargs cat" $want "${launch[@]}" sh -c "echo $both | xargs cat"
	check "$tag: find -exec cat" $want "${launch[@]}" find $both -exec cat {} \;
	check "$tag: #!/usr/bin/python3 script" $want "${launch[@]}" "$public/script.py"
	check "$tag: python3 -c" $want "${launch[@]}" python3 -c "$py_read"
done

# BPF policy targeting /usr/bin/python3: every way of running it.
policy=$stage/exec_policy
ln -sf /usr/bin/python3 "$work/py-link"
policy_tests() {
	check "policy: /usr/bin/python3 directly" denied /usr/bin/python3 -c "$py_read"
	check "policy: python3 by PATH" denied python3 -c "$py_read"
	check "policy: python3.13 by its real name" denied "$(readlink -f /usr/bin/python3)" -c "$py_read"
	check "policy: through bash -c" denied bash -c "python3 -c \"$py_read\""
	check "policy: through env" denied env python3 -c "$py_read"
	check "policy: through xargs" denied sh -c 'printf "%s\0" "$1" | xargs -0 python3 -c' - "$py_read"
	check "policy: through find -exec" denied find "$secret" -exec python3 -c "$py_read" \;
	check "policy: through a symlink" denied "$work/py-link" -c "$py_read"
	check "policy: #!/usr/bin/python3 script" denied "$public/script.py"
	check "policy: #!/usr/bin/env python3 script" denied "$public/env-script.py"
	check "policy: script through bash" denied bash -c "$public/script.py"
	check "policy: control: cat" read cat $both
	check "policy: control: bash -c cat" read bash -c "cat $both"
	check "policy: control: env cat" read env cat $both
	check "policy: control: find -exec cat" read find $both -exec cat {} \;
	check "policy: control: perl" read perl -e "for (qw($both)) { open(F, '<', \$_) or die; print <F> }"
	check "policy: control: bash reads it itself" read bash -c "read l < $public/f; echo \$l; read l < $secret; echo \$l"
	check "policy: control: sh reads it itself" read sh -c "read l < $public/f; echo \$l; read l < $secret; echo \$l"
	check "policy: control: xargs cat" read sh -c "echo $both | xargs cat"
	check "policy: limit: a copy of python3 (another inode) is not targeted" read "$work/python3-copy" -c "$py_read"
	check "policy: control: python3 under the policy, again" denied python3 -c "$py_read"
	# A launcher arms a layer that allows more than the policy's: the
	# policy's layer still holds (layers only stack); control: the same
	# launcher and layer on a program the policy does not target.
	check "policy: a looser armed layer does not relax it" denied \
		env LL_FS_RO="/usr:/etc:$work:/proc:/dev" LL_FS_RW= LL_ON_EXEC=1 \
		"$stage/sandboxer" python3 -c "$py_read"
	check "policy: control: that armed layer alone allows it" read \
		env LL_FS_RO="/usr:/etc:$work:/proc:/dev" LL_FS_RW= LL_ON_EXEC=1 \
		"$stage/sandboxer" perl -e "for (qw($both)) { open(F, '<', \$_) or die; print <F> }"
}
cp "$(readlink -f /usr/bin/python3)" "$work/python3-copy"
if [ -x "$policy" ]; then
	export -f check policy_tests
	# shellcheck disable=SC2090
	export n failed secret public work here allowed py_read both stage
	# The policy is active while its command runs; its results come back
	# on stdout, the counters through a file.
	LL_FS_RO=/usr:/etc:$public:/proc:/dev /lib64/ld-linux-x86-64.so.2 \
		"$policy" /usr/bin/python3 \
		bash -c 'policy_tests; echo "$n $failed" >/tmp/userland/counters' || {
		echo "# exec_policy failed"
		failed=$((failed + 1))
	}
	read -r n failed <"$work/counters" || true
	# The target is tagged from a file descriptor, whatever the loader's
	# PID (a PID namespace); the policy follows that inode.
	replaced_tests() {
		check "policy in a PID namespace: its target" denied \
			"$work/target" -c "$py_read"
		check "policy in a PID namespace: control: python3 is not its target" \
			read python3 -c "$py_read"
		cp "$work/python3-copy" "$work/target.new"
		mv -f "$work/target.new" "$work/target"
		check "policy: limit: a new version renamed over the target is not targeted" \
			read "$work/target" -c "$py_read"
	}
	export -f replaced_tests
	cp "$work/python3-copy" "$work/target"
	LL_FS_RO=/usr:/etc:$public:/proc:/dev unshare --pid --fork \
		/lib64/ld-linux-x86-64.so.2 "$policy" "$work/target" \
		bash -c 'replaced_tests; echo "$n $failed" >/tmp/userland/counters' || {
		echo "# exec_policy in a PID namespace failed"
		failed=$((failed + 1))
	}
	read -r n failed <"$work/counters" || true
else
	for _ in $(seq 26); do
		n=$((n + 1))
		echo "not ok $n policy: $policy not built"
	done
	failed=$((failed + 26))
fi
exit $((failed > 0))
