#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""An unmodified multi-threaded Python launcher using exec-time enforcement.

The launcher arms a ruleset with LANDLOCK_RESTRICT_SELF_ON_EXEC |
LANDLOCK_RESTRICT_SELF_TSYNC (through ctypes), then starts children from
many threads with the standard library, as a real launcher does:
subprocess's default path (vfork, or posix_spawn), subprocess with a
preexec_fn (fork then exec), os.posix_spawn() and os.fork() + os.execv().
Every child must be sandboxed (it cannot read the secret, it can read a
public file), the launcher itself must not be.  The control is the same
launcher without arming: every child reads the secret.

Each scenario runs in a fresh interpreter (the arming is for the life of
the launcher), which prints one JSON line.  Prints TAP.
"""

import json
import os
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import landlock  # noqa: E402

WORK = "/tmp/userland"
SECRET = WORK + "/secret"
PUBLIC = WORK + "/public"
CAT = "/usr/bin/cat"
THREADS = 8
ROUNDS = 4


def reads(path, how):
    """Starts cat PATH the way HOW says, returns whether it read it."""
    argv = [CAT, path]
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        if how == "subprocess":
            rc = subprocess.run(argv, stdout=devnull, stderr=devnull).returncode
        elif how == "subprocess-preexec":
            rc = subprocess.run(argv, stdout=devnull, stderr=devnull,
                                preexec_fn=lambda: None).returncode
        elif how == "posix_spawn":
            pid = os.posix_spawn(CAT, argv, os.environ,
                                 file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1),
                                               (os.POSIX_SPAWN_DUP2, devnull, 2)])
            rc = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        elif how == "fork-exec":
            pid = os.fork()
            if pid == 0:
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
                os.execv(CAT, argv)
            rc = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        else:
            raise ValueError(how)
    finally:
        os.close(devnull)
    return rc == 0


HOWS = ["subprocess", "subprocess-preexec", "posix_spawn", "fork-exec"]


def scenario(armed):
    """Runs in a fresh interpreter: threads first, then (maybe) the
    arming, then children from every thread."""
    results = {h: {"secret": 0, "public": 0, "runs": 0} for h in HOWS}
    lock = threading.Lock()
    start = threading.Barrier(THREADS + 1)
    errors = []

    def worker(i):
        start.wait()
        try:
            for r in range(ROUNDS):
                how = HOWS[(i + r) % len(HOWS)]
                secret = reads(SECRET, how)
                public = reads(PUBLIC + "/f", how)
                with lock:
                    results[how]["runs"] += 1
                    results[how]["secret"] += secret
                    results[how]["public"] += public
        except Exception as e:  # reported, not swallowed
            errors.append(repr(e))

    # The threads exist before the arming: TSYNC must reach them.
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    if armed:
        fd = landlock.read_ruleset(["/usr", "/etc", PUBLIC])
        landlock.restrict_self(fd, landlock.RESTRICT_SELF_ON_EXEC |
                               landlock.RESTRICT_SELF_TSYNC)
        os.close(fd)
    start.wait()
    for t in threads:
        t.join()
    with open(SECRET) as f:
        launcher_reads = f.read() != ""
    print(json.dumps({"results": results, "launcher_reads": launcher_reads,
                      "errors": errors}))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--scenario":
        scenario(sys.argv[2] == "armed")
        return 0
    os.makedirs(PUBLIC, exist_ok=True)
    with open(SECRET, "w") as f:
        f.write("secret\n")
    with open(PUBLIC + "/f", "w") as f:
        f.write("public\n")
    print("1..%d" % (2 * len(HOWS) + 2))
    n = 0
    failed = False
    for armed in (True, False):
        name = "armed" if armed else "control"
        out = subprocess.run([sys.executable, __file__, "--scenario", name],
                             capture_output=True, text=True)
        try:
            data = json.loads(out.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            data = None
        for how in HOWS:
            n += 1
            if data is None or data["errors"]:
                print("# %s: rc %d, stdout %r, stderr %r, errors %r" %
                      (name, out.returncode, out.stdout, out.stderr[-2000:],
                       data and data["errors"]))
                print("not ok %d %s: %s" % (n, name, how))
                failed = True
                continue
            r = data["results"][how]
            want_secret = 0 if armed else r["runs"]
            ok = r["runs"] > 0 and r["secret"] == want_secret and \
                r["public"] == r["runs"]
            print("# %s %s: %d children, %d read the secret, %d the public file"
                  % (name, how, r["runs"], r["secret"], r["public"]))
            print("%s %d %s: children started by %s %s" %
                  ("ok" if ok else "not ok", n, name, how,
                   "are sandboxed" if armed else "are not sandboxed"))
            failed |= not ok
        n += 1
        ok = data is not None and data["launcher_reads"]
        print("%s %d %s: the launcher itself is not sandboxed" %
              ("ok" if ok else "not ok", n, name))
        failed |= not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
