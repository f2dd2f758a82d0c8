#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# In-guest demonstration of Landlock exec-time enforcement (make run).
# $1: directory holding samples/sandboxer and landlock/on-exec-probe.

bin=$1
export PATH="$bin/samples:$PATH"
sandboxer=sandboxer
step() { printf '\n### %s\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; echo "(exit status $?)"; }

step "Kernel $(uname -r), $(dmesg | grep -m1 'landlock: Exec-time')"
"$bin/landlock/on-exec-probe" abi
echo "top secret" >/tmp/secret
chmod 0644 /tmp/secret
export LL_FS_RO=/etc LL_FS_RW=/dev/null

step "Without Landlock, the secret is readable"
show /bin/busybox cat /tmp/secret

step "Immediate enforcement: the sandboxer restricts itself, so it cannot even execute /bin/busybox (not in LL_FS_RO)"
show "$sandboxer" /bin/busybox cat /tmp/secret

step "Exec-time enforcement (LL_ON_EXEC=1): the sandboxer stays unrestricted and executes /bin/busybox, which starts restricted"
LL_ON_EXEC=1 show "$sandboxer" /bin/busybox cat /tmp/secret

step "Same, with /tmp allowed read-only"
LL_ON_EXEC=1 LL_FS_RO=/etc:/tmp show "$sandboxer" /bin/busybox cat /tmp/secret

step "Scene 2: a BPF LSM policy (samples/landlock/exec_policy) sandboxes every execution of an unmodified program"
mkdir -p /opt/untrusted /opt/scripts
cp /bin/busybox /opt/untrusted/busybox
# A script whose interpreter is the target (the policy matches the binary
# that runs, not the file given to execve).  The interpreter reads it under
# the sandbox: it lives in an allowed directory.
cat >/opt/scripts/read-secret <<'SCRIPT'
#!/opt/untrusted/busybox sh
read -r line </tmp/secret && echo "$line"
SCRIPT
chmod 0755 /opt/scripts/read-secret
LL_FS_RO=/etc:/opt/scripts show exec_policy /opt/untrusted/busybox sh -c '
	echo "\$ /opt/untrusted/busybox cat /tmp/secret   # the target: sandboxed"
	/opt/untrusted/busybox cat /tmp/secret; echo "(exit status $?)"
	echo "\$ /bin/busybox cat /tmp/secret   # another program: untouched"
	/bin/busybox cat /tmp/secret; echo "(exit status $?)"
	echo "\$ /opt/scripts/read-secret   # #!/opt/untrusted/busybox sh: sandboxed too"
	/opt/scripts/read-secret; echo "(exit status $?)"'
