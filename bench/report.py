#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Report of scripts/bench: reads the guest logs of a run (WORK/*.log, BENCH
# lines), prints the figures, the curves, contention and memory, writes
# REPO/out/bench.json, the plot data (WORK/*.dat, drawn by curves.gp) and
# the bench section of REPO/README.md.
#
#   report.py WORK REPO
#   report.py --markdown REPO   only print the README section, from
#                               out/bench.json

import json
import os
import statistics
import sys

INSTR = "instructions/op"
BEGIN = "<!-- bench:begin (written by scripts/bench from out/bench.json) -->"
END = "<!-- bench:end -->"
RULES = [1, 10, 100, 1000, 10000]
LAYERS = [0, 1, 8, 15]
CURVE_TARGETS = [("armed/immediate", "ON_EXEC/immediate", 1.05),
                 ("armed-once/immediate", "once/immediate", 1.05),
                 ("bpf/immediate", "BPF/immediate", 1.10)]
MODES = [("immediate", "immediate"), ("armed", "ON_EXEC"),
         ("armed-once", "ON_EXEC once"), ("bpf", "BPF")]


def load(path):
    """BENCH lines of a guest log: {(case, rules, layers): dict} and the
    other lines by case."""
    res = {}
    if not os.path.exists(path):
        return res
    for line in open(path, errors="replace"):
        line = line.strip()
        if not line.startswith("BENCH {"):
            continue
        d = json.loads(line[6:])
        if d["case"] == "profile":
            res.setdefault("profile", []).append(d)
        elif "rules" in d and "value" in d:
            # Cases measured in alternate rounds with another one.
            paired = " (paired)" if "," in d.get("set", "") else ""
            res[(d["case"] + paired, d["rules"], d["layers"])] = d
        else:
            res[d["case"]] = d
    return res


def bzimages(work):
    """SHA-256 of the unpatched and patched bzImage of the run, if known."""
    path = f"{work}/kernels.sha256"
    if not os.path.exists(path):
        return None
    names = ("unpatched", "patched")
    return dict(zip(names, open(path).read().split()))


def kmalloc_size(n):
    """The kmalloc() size class of an n-byte allocation (each credential's
    LSM blob is one)."""
    for size in (8, 16, 32, 64, 96, 128, 192, 256, 512, 1024):
        if n <= size:
            return size
    return n


def med_ci(xs):
    """Median of @xs and its distribution-free 95% confidence interval (order
    statistics of the binomial(n, 1/2) distribution)."""
    xs = sorted(xs)
    n = len(xs)
    k = max(0, int(n / 2 - 0.98 * n ** 0.5))
    return statistics.median(xs), xs[k], xs[n - 1 - k]


def mean_ci(xs):
    """Mean of @xs, and the half-width of its 95% confidence interval
    (Student's t; rounds of one case)."""
    t95 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36,
           8: 2.31, 9: 2.26}
    n = len(xs)
    if n < 2:
        return statistics.fmean(xs), float("nan")
    return (statistics.fmean(xs),
            t95.get(n - 1, 2.0) * statistics.stdev(xs) / n ** 0.5)


def hooks_added(base_runs, new_runs):
    """What exec-time enforcement adds to the LSM hooks it extends, from the
    function_graph profiles of fork+exec (nothing armed) on both kernels:
    per call, the difference of the median instructions per call (the
    tracer's own cancel out; a median is not moved by an interrupt or a
    slab refill in a few calls, which a mean is), with a 95% interval, and
    per fork+exec, weighted by the calls per execution.  Per fork, what an
    armed slot adds (fork-armed vs fork, patched)."""
    def find(runs, of):
        for r in runs:
            if r["of"] == of and "security_prepare_creds" in r["functions"]:
                return r["functions"]
        return None

    base, new = find(base_runs, "none"), find(new_runs, "none")
    if not base or not new or "security_bprm_committing_creds" not in new:
        return None
    execs = new["security_bprm_committing_creds"]["calls"]
    res = {"unit": "instructions", "per_call": {}, "per_exec": 0.0,
           "per_exec_ci95": [0.0, 0.0], "per_exec_mean": 0.0,
           "statistic": "difference of the medians per call (95% interval: "
                        "of the medians' order-statistic intervals)"}
    for f, v in sorted(new.items()):
        if f not in base:
            continue
        per_exec = v["calls"] / execs
        mean_added = v["instructions_per_call"] - base[f]["instructions_per_call"]
        row = {"unpatched_mean": base[f]["instructions_per_call"],
               "patched_mean": v["instructions_per_call"],
               "mean_added": mean_added, "calls_per_exec": round(per_exec, 2)}
        if "each" in v and "each" in base[f]:
            mp, lp, hp = med_ci(v["each"])
            mu, lu, hu = med_ci(base[f]["each"])
            row.update({"unpatched": mu, "patched": mp, "added": mp - mu,
                        "added_ci95": [lp - hu, hp - lu]})
        else:
            row.update({"unpatched": row["unpatched_mean"],
                        "patched": row["patched_mean"], "added": mean_added,
                        "added_ci95": None})
        res["per_call"][f] = row
        res["per_exec"] += row["added"] * per_exec
        res["per_exec_mean"] += mean_added * per_exec
        if row["added_ci95"] and res["per_exec_ci95"] is not None:
            res["per_exec_ci95"][0] += row["added_ci95"][0] * per_exec
            res["per_exec_ci95"][1] += row["added_ci95"][1] * per_exec
        else:
            res["per_exec_ci95"] = None
    fork, armed = find(new_runs, "fork"), find(new_runs, "fork-armed")
    if fork and armed:
        res["armed_slot_per_call"] = {}
        for f in ("security_prepare_creds", "security_cred_free"):
            if f in fork and f in armed:
                a = armed[f].get("each")
                b = fork[f].get("each")
                res["armed_slot_per_call"][f] = (
                    med_ci(a)[0] - med_ci(b)[0] if a and b else
                    armed[f]["instructions_per_call"] -
                    fork[f]["instructions_per_call"])
    return res


def direct_unused(base_none, new_none):
    """fork+exec+wait, patched minus unpatched, nothing armed: difference of
    the means over rounds, with the 95% interval of that difference."""
    a, b = new_none.get("round_values"), base_none.get("round_values")
    if not a or not b:
        return None
    ma, ha = mean_ci(a)
    mb, hb = mean_ci(b)
    half = (ha ** 2 + hb ** 2) ** 0.5
    d = new_none["value"] - base_none["value"]
    return {"added": round(d, 1), "ci95": [round(d - half, 1),
                                           round(d + half, 1)],
            "unit": INSTR, "rounds": [len(a), len(b)]}


def details_once(new_runs):
    """landlock_exec_details(): instructions per call and calls per armed
    execution, from the profiles of the 1-rule armed cases."""
    res = {}
    for r in new_runs:
        f = r["functions"]
        if r["rules"] != 1 or "landlock_exec_details" not in f:
            continue
        d = f["landlock_exec_details"]
        med = med_ci(d["each"])[0] if d.get("each") else d["instructions_per_call"]
        res[r["of"]] = {"instructions_per_call": med, "calls": d["calls"]}
    return res or None


def figure(key, what, d, kernel):
    return {"key": key, "what": what, "kernel": kernel,
            "value": d["value"], "unit": INSTR, "statistic": d["statistic"],
            "median_of_rounds": d["median"], "min_of_rounds": d["min"],
            "max_of_rounds": d["max"], "rounds": d["rounds"],
            "ops_per_round": d["ops"], "rules": d["rules"],
            "layers": d["layers"], "idle_ticks": d["idle_ticks"]}


def ratio(name, x, y, target=None, op="<=", added=False):
    r = {"value": round(x / y, 5), "unit": "ratio", "target": target,
         "op": op, "numerator": x, "denominator": y}
    if added:
        r["added"] = round(x - y, 1)
        r["added_unit"] = INSTR
    if target is not None:
        r["met"] = r["value"] <= target if op == "<=" else r["value"] >= target
    return name, r


def unresolved(r):
    """The added instructions' 95% interval contains the target's: the
    measure cannot tell met from missed (the profile row can)."""
    ci = r.get("added_ci95")
    if not ci or r.get("target") is None or r["op"] != "<=":
        return None
    limit = (r["target"] - 1) * r["denominator"]
    if ci[0] <= limit <= ci[1]:
        return (f"unresolved: the 95% interval {ci[0]:+.0f}..{ci[1]:+.0f} "
                f"contains the target's {limit:+.0f}")
    return None


def outcome(r, missed):
    """The verdict on r's target, e.g. '<= 1.05: met'; '' without one."""
    if r.get("target") is None:
        return ""
    text = "met" if r["met"] else (unresolved(r) or missed)
    return f"{r['op']} {r['target']}: {text}"


def verdict(r):
    return f"target {outcome(r, 'MISSED')}" if r.get("target") is not None else ""


def build(work):
    base = load(f"{work}/unpatched.log")
    new = load(f"{work}/patched.log")
    cont = load(f"{work}/contention.log")
    if ("none", 1, 0) not in base or ("bpf", 1, 0) not in new:
        sys.exit(f"report: no complete run in {work} (run scripts/bench)")

    def p(case, rules=1, layers=0):
        return new[(case, rules, layers)]["value"]

    figures = [
        figure("exec_unpatched", "fork+exec+wait, unpatched 7.3",
               base[("none", 1, 0)], "unpatched"),
        figure("exec_patched", "fork+exec+wait, patched, nothing armed",
               new[("none", 1, 0)], "patched"),
        figure("exec_immediate", "fork, child enforces a 1-rule ruleset, exec",
               new[("immediate", 1, 0)], "patched"),
        figure("exec_armed", "fork, child arms it (ON_EXEC), exec",
               new[("armed", 1, 0)], "patched"),
        figure("exec_armed_once", "fork+exec, the parent armed it once",
               new[("armed-once", 1, 0)], "patched"),
        figure("exec_bpf", "fork+exec, a BPF policy arms it at exec",
               new[("bpf", 1, 0)], "patched"),
        figure("restrict_immediate", "landlock_restrict_self(), immediate",
               new[("restrict-immediate", 1, 0)], "patched"),
        figure("restrict_armed", "landlock_restrict_self(), ON_EXEC (arming)",
               new[("restrict-armed", 1, 0)], "patched"),
        figure("fork", "fork+exit+wait, nothing armed",
               new[("fork", 1, 0)], "patched"),
        figure("fork_paired", "fork+exit+wait, nothing armed (paired)",
               new[("fork (paired)", 1, 0)], "patched"),
        figure("fork_armed", "fork+exit+wait, parent has an armed slot (paired)",
               new[("fork-armed (paired)", 1, 0)], "patched"),
        figure("exec_immediate_unpatched",
               "fork, child enforces a 1-rule ruleset, exec (unpatched)",
               base[("immediate", 1, 0)], "unpatched"),
        figure("fork_unpatched", "fork+exit+wait (unpatched)",
               base[("fork", 1, 0)], "unpatched"),
    ]
    ratios = dict([
        ratio("unused: patched/unpatched fork+exec", p("none"),
              base[("none", 1, 0)]["value"], 1.001, added=True),
        ratio("armed/immediate", p("armed"), p("immediate"), 1.05),
        ratio("armed once (launcher)/immediate", p("armed-once"),
              p("immediate"), 1.05),
        ratio("bpf/immediate", p("bpf"), p("immediate"), 1.10),
        ratio("arming call/immediate landlock_restrict_self()",
              p("restrict-armed"), p("restrict-immediate"), added=True),
        ratio("fork with armed slot/without (paired)",
              p("fork-armed (paired)"), p("fork (paired)"), added=True),
        ratio("immediate patched/unpatched", p("immediate"),
              base[("immediate", 1, 0)]["value"], added=True),
        ratio("fork patched/unpatched", p("fork"),
              base[("fork", 1, 0)]["value"], added=True),
    ])

    curves = {"unit": INSTR, "rules": [], "layers": []}
    for n in RULES:
        row = {"rules": n}
        for case, _ in MODES:
            row[case] = p(case, n)
        row["armed/immediate"] = round(row["armed"] / row["immediate"], 4)
        row["armed-once/immediate"] = round(row["armed-once"] / row["immediate"], 4)
        row["bpf/immediate"] = round(row["bpf"] / row["immediate"], 4)
        row["restrict-immediate"] = p("restrict-immediate", n)
        row["restrict-armed"] = p("restrict-armed", n)
        curves["rules"].append(row)
    for n in LAYERS:
        row = {"layers": n}
        for case, _ in MODES:
            row[case] = p(case, 1, n)
        row["armed/immediate"] = round(row["armed"] / row["immediate"], 4)
        row["armed-once/immediate"] = round(row["armed-once"] / row["immediate"], 4)
        row["bpf/immediate"] = round(row["bpf"] / row["immediate"], 4)
        curves["layers"].append(row)

    contention = None
    c = cont.get("contention")
    if c:
        rs = sorted(c["ratios"])
        q = statistics.quantiles(rs, n=4, method="inclusive") \
            if len(rs) > 1 else [rs[0]] * 3
        med = statistics.median(rs)
        # 95% confidence interval of the median (order statistics).
        n = len(rs)
        k = max(0, int(n / 2 - 0.98 * n ** 0.5))
        ci = [round(rs[k], 4), round(rs[n - 1 - k], 4)]
        host = None
        if os.path.exists(f"{work}/hostload.txt"):
            v = open(f"{work}/hostload.txt").read().split()
            if len(v) == 3:
                host = {"cpus": int(v[0]), "loadavg_before": float(v[1]),
                        "loadavg_after": float(v[2])}
        contention = {
            "ratio_median_ci95": ci, "host": host,
            "what": "two loops of fork+exec+wait on 2 CPUs (multi-threaded TCG, "
                    "wall time), executions armed by a BPF policy: one shared "
                    "ruleset vs one ruleset per loop",
            "rules": c["rules"], "pairs": c["pairs"],
            "seconds_per_phase": c["seconds"],
            "shared_per_s": c["shared_per_s"],
            "separate_per_s": c["separate_per_s"],
            "rate_unit": "executions/s (both loops)",
            "ratios": c["ratios"], "ratio_median": round(med, 4),
            "ratio_of_totals": round(sum(c["shared_per_s"]) /
                                     sum(c["separate_per_s"]), 4),
            "ratio_quartiles": [round(q[0], 4), round(q[2], 4)],
            "ratio_min": round(rs[0], 4), "ratio_max": round(rs[-1], 4),
            "armed": c["armed"], "failed": c["failed"],
            "target": 0.95, "op": ">=", "met": med >= 0.95,
        }
        ratios["contention: shared/separate ruleset"] = {
            "value": round(med, 4), "unit": "ratio (median of pairs, wall time)",
            "target": 0.95, "op": ">=", "met": med >= 0.95}

    mem = {}
    pahole = f"{work}/pahole.txt"
    if os.path.exists(pahole):
        name = None
        for line in open(pahole):
            if line.startswith("struct ") and line.rstrip().endswith("{"):
                name = line.split()[1]
            elif "/* size: " in line and name:
                mem[name] = int(line.split("size: ")[1].split(",")[0])
    before = base.get("memory", {}).get("lsm_cred_blob", 0)
    after = new.get("memory", {}).get("lsm_cred_blob", 0)
    mem.update({"lsm_cred_blob_unpatched": before,
                "lsm_cred_blob_patched": after,
                "lsm_cred_blob_allocated_unpatched": kmalloc_size(before),
                "lsm_cred_blob_allocated_patched": kmalloc_size(after),
                "added_per_credential": kmalloc_size(after) - kmalloc_size(before)})

    idle = sorted([kernel, *k] for kernel, res in (("unpatched", base),
                                                    ("patched", new))
                  for k, v in res.items()
                  if isinstance(k, tuple) and v.get("idle_ticks"))
    hooks = hooks_added(base.get("profile", []), new.get("profile", []))
    direct = direct_unused(base[("none", 1, 0)], new[("none", 1, 0)])
    if direct:
        ratios["unused: patched/unpatched fork+exec"]["added_ci95"] = direct["ci95"]
    if hooks:
        x = base[("none", 1, 0)]["value"]
        name, r = ratio("unused: added in the hooks (median per call)/fork+exec",
                        x + hooks["per_exec"], x, 1.001, added=True)
        r["unit"] = "ratio (profile of the extended LSM hooks, both kernels)"
        if hooks.get("per_exec_ci95"):
            r["added_ci95"] = [round(v, 1) for v in hooks["per_exec_ci95"]]
        ratios[name] = r
        if direct and hooks.get("per_exec_ci95"):
            lo, hi = hooks["per_exec_ci95"]
            hooks["agrees_with_direct"] = (lo <= direct["ci95"][1] and
                                           hi >= direct["ci95"][0])

    new_ruleset = []
    for n in RULES:
        imm = new.get(("immediate-new (paired)", n, 0))
        arm = new.get(("armed-new (paired)", n, 0))
        if imm and arm:
            new_ruleset.append({"rules": n, "immediate-new": imm["value"],
                                "armed-new": arm["value"],
                                "added": round(arm["value"] - imm["value"], 1),
                                "ratio": round(arm["value"] / imm["value"], 4)})
    curves["new_ruleset_per_child"] = new_ruleset
    return {
        "method": {
            "measure": "executed guest instructions: QEMU -icount shift=0,sleep=off, "
                       "one CPU; the guest clock (TSC at a declared 1 GHz) "
                       "advances 1 ns per instruction",
            "statistic": "mean per operation over all rounds (deferred work "
                         "runs in batches, which round boundaries split); "
                         "restrict-*: median over rounds of the median per "
                         "operation (a timer interrupt in one call is not its cost)",
            "rounds": new[("none", 1, 0)]["rounds"],
            "calibration": {"unpatched": base.get("calibrate"),
                            "patched": new.get("calibrate")},
            "idle_ticks_nonzero": idle,
        },
        "kernels": {"unpatched": base.get("kernel"),
                    "patched": new.get("kernel"),
                    "contention": cont.get("kernel"),
                    "bzimage_sha256": bzimages(work)},
        "figures": figures,
        "ratios": ratios,
        "curves": curves,
        "contention": contention,
        "profile": {"unit": "instructions/call",
                    "method": "ftrace function_graph durations under -icount "
                              "(1 us = 1000 instructions), only the listed "
                              "functions traced; the tracer's own instructions "
                              "at entry and exit are included (they cancel out "
                              "in differences between kernels or cases)",
                    "runs": new.get("profile", []),
                    "unpatched_runs": base.get("profile", []),
                    "hooks": hooks, "direct_unused": direct,
                    "details": details_once(new.get("profile", []))},
        "memory_bytes": mem,
    }


def ci_text(ct):
    ci = ct.get("ratio_median_ci95")
    return f"{ci[0]:.3f}..{ci[1]:.3f}" if ci else "?"


def ci_note(ct):
    """Whether the verdict is within the noise of the measure."""
    ci = ct.get("ratio_median_ci95")
    if ci and ci[0] < ct["target"] <= ci[1]:
        return " (within the noise: the interval includes 0.95)"
    return ""


def fmt(x):
    return f"{x:,.0f}".replace(",", " ")


def text(data):
    m = data["method"]
    cal = m["calibration"]["patched"] or {}
    out = [f"Instructions per operation (QEMU -icount shift=0: a guest ns is an "
           f"instruction; calibration: {cal.get('ns_per_instruction', '?')} ns "
           f"per loop instruction), mean over {m['rounds']} rounds "
           f"(landlock_restrict_self() alone: median).", ""]
    out.append(f"{'figure':58} {'instr/op':>11}   rounds: {'min':>9} {'max':>9}")
    for f in data["figures"]:
        out.append(f"{f['what']:58} {fmt(f['value']):>11}           "
                   f"{fmt(f['min_of_rounds']):>9} {fmt(f['max_of_rounds']):>9}")
    out.append("")
    for name, r in data["ratios"].items():
        extra = ""
        if "added" in r:
            pct = 100 * (r["value"] - 1)
            ci = r.get("added_ci95")
            extra = f"  ({r['added']:+.0f} instr/op, {pct:+.3f}%" + (
                f", 95% interval {ci[0]:+.0f}..{ci[1]:+.0f}" if ci else "") + ")"
        out.append(f"{name:48} {r['value']:7.4f}{extra}  {verdict(r)}")
    c = data["curves"]
    out += ["", "Exec cost (fork+exec+wait, instr/op) against the rules of the "
            "ruleset, nothing enforced before.  ON_EXEC: the child arms it, "
            "then executes;",
            "once: the parent armed it once, each child inherits it; arming "
            "call, immediate call: landlock_restrict_self() alone:",
            f"{'rules':>6} {'immediate':>11} {'ON_EXEC':>11} {'once':>11} "
            f"{'BPF':>11} {'ON_EXEC/imm':>11} {'once/imm':>8} {'BPF/imm':>8} "
            f"{'arming call':>12} {'immed. call':>12}"]
    for r in c["rules"]:
        out.append(f"{r['rules']:>6} {fmt(r['immediate']):>11} {fmt(r['armed']):>11} "
                   f"{fmt(r['armed-once']):>11} {fmt(r['bpf']):>11} "
                   f"{r['armed/immediate']:>11.4f} {r['armed-once/immediate']:>8.4f} "
                   f"{r['bpf/immediate']:>8.4f} {fmt(r['restrict-armed']):>12} "
                   f"{fmt(r['restrict-immediate']):>12}")
    if c.get("new_ruleset_per_child"):
        out += ["", "A launcher that builds a new ruleset for each child (create + "
                "add rules, fork, the child enforces or arms it, exec; paired rounds):",
                f"{'rules':>6} {'immediate':>12} {'ON_EXEC':>12} {'added':>10} {'ratio':>7}"]
        for r in c["new_ruleset_per_child"]:
            out.append(f"{r['rules']:>6} {fmt(r['immediate-new']):>12} "
                       f"{fmt(r['armed-new']):>12} {r['added']:>+10.0f} "
                       f"{r['ratio']:>7.4f}")
    out += ["", "Exec cost against the layers already enforced (1-rule rulesets):",
            f"{'layers':>6} {'immediate':>11} {'ON_EXEC':>11} {'once':>11} "
            f"{'BPF':>11} {'ON_EXEC/imm':>11} {'once/imm':>8} {'BPF/imm':>8}"]
    for r in c["layers"]:
        out.append(f"{r['layers']:>6} {fmt(r['immediate']):>11} {fmt(r['armed']):>11} "
                   f"{fmt(r['armed-once']):>11} {fmt(r['bpf']):>11} "
                   f"{r['armed/immediate']:>11.4f} {r['armed-once/immediate']:>8.4f} "
                   f"{r['bpf/immediate']:>8.4f}")
    missed = [f"{k} {r[k]}: {what} {r[key]:.3f}"
              for k in ("rules", "layers") for r in c[k]
              for key, what, t in CURVE_TARGETS if r[key] > t]
    out.append("targets on the curves (ON_EXEC, once <= 1.05, BPF <= 1.10 of "
               "immediate): " + ("met at every point" if not missed else
                                 "MISSED at " + "; ".join(missed)))
    ct = data["contention"]
    if ct:
        out += ["", f"Contention (2 CPUs, multi-threaded TCG, wall time): two loops "
                f"of fork+exec+wait armed by a BPF policy, {ct['pairs']} pairs of "
                f"{ct['seconds_per_phase']} s phases (alternating order):",
                f"  one shared ruleset:   {statistics.median(ct['shared_per_s']):8.1f} "
                f"executions/s (median; min {min(ct['shared_per_s']):.1f}, max "
                f"{max(ct['shared_per_s']):.1f})",
                f"  one ruleset per loop: {statistics.median(ct['separate_per_s']):8.1f} "
                f"executions/s (median; min {min(ct['separate_per_s']):.1f}, max "
                f"{max(ct['separate_per_s']):.1f})",
                f"  shared/separate, per pair: median {ct['ratio_median']:.3f}, "
                f"quartiles {ct['ratio_quartiles'][0]:.3f}..{ct['ratio_quartiles'][1]:.3f}, "
                f"min {ct['ratio_min']:.3f}, max {ct['ratio_max']:.3f}; of the "
                f"totals {ct['ratio_of_totals']:.3f}",
                f"  median {ct['ratio_median']:.3f}, 95% confidence interval "
                f"{ci_text(ct)}  target >= 0.95: "
                f"{'met' if ct['met'] else 'MISSED'}{ci_note(ct)}"]
        host = ct.get("host")
        if host:
            busy = host["loadavg_after"] > host["cpus"] + 1
            out.append(f"  host: load average {host['loadavg_before']} before, "
                       f"{host['loadavg_after']} after, on {host['cpus']} CPUs"
                       + (": other processes took CPU time from the 2 vCPUs, "
                          "read the spread" if busy else ""))
    prof = data["profile"]["runs"]
    if prof:
        out += ["", "Profile: instructions per call (ftrace function_graph durations, "
                "with the tracer's own at the entry and the exit) and (calls):"]
        for p in prof:
            fs = ", ".join(f"{f} {fmt(v['instructions_per_call'])} ({v['calls']})"
                           for f, v in sorted(p["functions"].items()))
            out.append(f"  {p['of']:10} {p['rules']:>5} rules: {fs or 'no call'}")
        h = data["profile"].get("hooks")
        if h:
            out.append("  LSM hooks extended by exec-time enforcement, nothing armed "
                       "(median instructions per call, unpatched -> patched, "
                       "95% interval of the difference; mean difference; calls "
                       "per fork+exec):")
            for f, v in h["per_call"].items():
                ci = v.get("added_ci95")
                cit = f"{ci[0]:+.0f}..{ci[1]:+.0f}" if ci else "?"
                out.append(f"    {f:34} {fmt(v['unpatched']):>7} -> "
                           f"{fmt(v['patched']):>7}  {v['added']:+5.0f} ({cit})  "
                           f"mean {v['mean_added']:+5.0f}  x {v['calls_per_exec']}")
            ci = h.get("per_exec_ci95")
            out.append(f"    => {h['per_exec']:+.0f} instructions per fork+exec "
                       f"in these hooks" + (f" (95% interval {ci[0]:+.0f}..{ci[1]:+.0f})"
                                            if ci else "") +
                       f", {100 * h['per_exec'] / data['figures'][0]['value']:+.3f}% "
                       f"of a fork+exec+wait; from the means: {h['per_exec_mean']:+.0f}")
            d = data["profile"].get("direct_unused")
            if d:
                out.append(f"    direct (fork+exec+wait, patched - unpatched, means "
                           f"of rounds): {d['added']:+.0f} (95% interval "
                           f"{d['ci95'][0]:+.0f}..{d['ci95'][1]:+.0f}): "
                           + ("the two agree" if h.get("agrees_with_direct")
                              else "the intervals DO NOT overlap"))
            if h.get("armed_slot_per_call"):
                out.append("    an armed slot adds, per call: " + ", ".join(
                    f"{f} {v:+.0f}" for f, v in h["armed_slot_per_call"].items()))
    mem = data["memory_bytes"]
    before, after = mem["lsm_cred_blob_unpatched"], mem["lsm_cred_blob_patched"]
    added = mem["added_per_credential"]
    out += ["",
            f"memory: every credential's LSM blob (all LSMs, lsm.debug at boot): "
            f"{before} -> {after} bytes, allocated from kmalloc-"
            f"{mem['lsm_cred_blob_allocated_unpatched']} -> kmalloc-"
            f"{mem['lsm_cred_blob_allocated_patched']}: +{added} per credential "
            f"(target <= 16: {'met' if 0 <= added <= 16 else 'MISSED'})",
            f"        Landlock's part: struct landlock_cred_security "
            f"{mem.get('landlock_cred_security', 0)} bytes (aligned to 8 in the "
            f"blob) -> struct landlock_cred_blob {mem.get('landlock_cred_blob', 0)} "
            f"bytes (slots {mem.get('landlock_exec_slots', 0)}, flags "
            f"{mem.get('landlock_exec_flags', 0)} in the padding)",
            f"        an armed credential adds nothing more; each arming call (and "
            f"each bpf_lsm_policy_from_fd()) makes one frozen copy, shared by "
            f"the credentials that inherit it: struct landlock_ruleset "
            f"{mem.get('landlock_ruleset', 0)} bytes + its rules"]
    if m["idle_ticks_nonzero"]:
        out.append(f"WARNING: the CPU idled during {m['idle_ticks_nonzero']}: "
                   f"those figures are not pure instruction counts")
    return "\n".join(out)


def compare(old, data):
    """Largest relative difference of each ratio and figure with the
    previous run, as text."""
    if not old or "figures" not in old:
        return None
    prev = {f["key"]: f["value"] for f in old["figures"]}
    worst_r, worst_f = (0, ""), (0, "")
    for name, r in data["ratios"].items():
        o = old.get("ratios", {}).get(name)
        if o and not name.startswith("contention"):
            d = abs(r["value"] / o["value"] - 1)
            worst_r = max(worst_r, (d, name))
    for f in data["figures"]:
        if f["key"] in prev:
            d = abs(f["value"] / prev[f["key"]] - 1)
            worst_f = max(worst_f, (d, f["key"]))
    for k in ("rules", "layers"):
        for r, o in zip(data["curves"][k], old.get("curves", {}).get(k, [])):
            for key in ("armed/immediate", "armed-once/immediate",
                        "bpf/immediate"):
                if key not in o:
                    continue
                d = abs(r[key] / o[key] - 1)
                worst_r = max(worst_r, (d, f"{key} at {k} {r[k]}"))
            for key in ("immediate", "armed", "armed-once", "bpf"):
                if key not in o:
                    continue
                d = abs(r[key] / o[key] - 1)
                worst_f = max(worst_f, (d, f"{key} at {k} {r[k]}"))
    same = old.get("kernels", {}).get("bzimage_sha256")
    note = ""
    if same and data["kernels"].get("bzimage_sha256") and \
            same != data["kernels"]["bzimage_sha256"]:
        note = " (NOT the same kernels as the previous run)"
    return (f"vs the previous run{note}: largest difference of a ratio "
            f"{100 * worst_r[0]:.3f}% ({worst_r[1]}), of a figure "
            f"{100 * worst_f[0]:.3f}% ({worst_f[1]}) (contention excluded)")


def markdown(data):
    m = data["method"]
    out = [BEGIN, "",
           "Last `make bench`: executed instructions per operation (QEMU "
           "`-icount shift=0,sleep=off`, see [bench/README.md](bench/README.md)), "
           f"mean over {m['rounds']} rounds; kernel "
           f"{(data['kernels']['patched'] or {}).get('release', '?')}.", "",
           "| figure | instructions/op |", "|---|---:|"]
    for f in data["figures"]:
        out.append(f"| {f['what']} | {fmt(f['value'])} |")
    out += ["", "(paired): the two cases ran in alternate rounds of one process.",
            "", "| ratio | value | target |", "|---|---:|---|"]
    for name, r in data["ratios"].items():
        ci = r.get("added_ci95")
        extra = (f" ({r['added']:+.0f} instr/op" +
                 (f", 95%: {ci[0]:+.0f}..{ci[1]:+.0f}" if ci else "") + ")"
                 if "added" in r else "")
        tgt = outcome(r, "**missed**")
        out.append(f"| {name} | {r['value']:.4f}{extra} | {tgt} |")
    c = data["curves"]
    out += ["", "Exec cost against the rules of the armed ruleset and against the "
            "layers already enforced (instructions per fork+exec+wait; ON_EXEC: "
            "the child arms the ruleset then executes, once: the parent armed it "
            "once; plot: [out/bench.png](out/bench.png)):", "",
            "| rules | immediate | ON_EXEC | once | BPF | ON_EXEC/imm. | "
            "once/imm. | BPF/imm. | arming call | immediate call |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in c["rules"]:
        out.append(f"| {r['rules']} | {fmt(r['immediate'])} | {fmt(r['armed'])} | "
                   f"{fmt(r['armed-once'])} | {fmt(r['bpf'])} | "
                   f"{r['armed/immediate']:.3f} | {r['armed-once/immediate']:.3f} | "
                   f"{r['bpf/immediate']:.3f} | {fmt(r['restrict-armed'])} | "
                   f"{fmt(r['restrict-immediate'])} |")
    out += ["", "| layers | immediate | ON_EXEC | once | BPF | ON_EXEC/imm. | "
            "once/imm. | BPF/imm. |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in c["layers"]:
        out.append(f"| {r['layers']} | {fmt(r['immediate'])} | {fmt(r['armed'])} | "
                   f"{fmt(r['armed-once'])} | {fmt(r['bpf'])} | "
                   f"{r['armed/immediate']:.3f} | {r['armed-once/immediate']:.3f} | "
                   f"{r['bpf/immediate']:.3f} |")
    missed = [f"{k} {r[k]}: {what} {r[key]:.3f}"
              for k in ("rules", "layers") for r in c[k]
              for key, what, t in CURVE_TARGETS if r[key] > t]
    out += ["", "Targets on the curves (ON_EXEC and once <= 1.05, BPF <= 1.10 of "
            "immediate): " + ("met at every point." if not missed else
                              "**missed** at " + "; ".join(missed) + ".")]
    prof = data["profile"]
    h = prof.get("hooks")
    d = prof.get("direct_unused")
    if h:
        ci = h.get("per_exec_ci95")
        out += ["", "Unused cost.  Profile (ftrace function_graph of only the hooks, "
                "under `-icount`, both kernels; the median instructions per call, "
                "which an interrupt or a slab refill in a few calls does not move, "
                "the tracer's own cancelling out in the difference): the LSM hooks "
                "that exec-time enforcement extends execute "
                f"{h['per_exec']:+.0f} instructions per fork+exec with nothing armed"
                + (f" (95% interval {ci[0]:+.0f}..{ci[1]:+.0f})" if ci else "")
                + ": " + ", ".join(f"`{f}()` {v['added']:+.0f} x {v['calls_per_exec']}"
                                   for f, v in h["per_call"].items())
                + (f".  The direct difference of fork+exec+wait, "
                   f"{d['added']:+.0f} (95% interval {d['ci95'][0]:+.0f}.."
                   f"{d['ci95'][1]:+.0f}, {d['rounds'][0]} rounds each), "
                   + ("agrees with it" if h.get("agrees_with_direct")
                      else "**does not agree** with it")
                   + ": the direct figure cannot resolve tens of instructions in "
                   "390 000, the profile can" if d else "")
                + ("; an armed slot adds, per call, " + ", ".join(
                    f"`{f}()` {v:+.0f}" for f, v in h["armed_slot_per_call"].items())
                   if h.get("armed_slot_per_call") else "")
                + f".  The means per call give {h['per_exec_mean']:+.0f} (they "
                "count the rare slow calls, an interrupt inside a hook weighing "
                "thousands of instructions)."]
    big = {r["of"]: r["functions"] for r in prof["runs"]
           if r["rules"] == max(RULES) and r["of"] in ("immediate", "armed",
                                                       "armed-new")}
    if "immediate" in big and "armed" in big:
        def calls(fs):
            return ", ".join(f"`{f}()` {fmt(v['instructions_per_call'])}"
                             for f, v in sorted(fs.items()))
        out += ["", f"At {max(RULES)} rules, instructions per call, immediate: "
                f"{calls(big['immediate'])}; ON_EXEC (the child arms): "
                f"{calls(big['armed'])}.  Every child arms the same unchanged "
                "ruleset: the first arming makes its frozen copy, the others "
                "reuse it (a reference; `landlock_freeze_ruleset()` is the "
                "mean over the run's calls)."
                + (f"  A new ruleset per child (`armed-new`): {calls(big['armed-new'])}."
                   if "armed-new" in big else "")]
    nr = c.get("new_ruleset_per_child")
    if nr:
        out += ["", "A launcher that builds a new ruleset for each child "
                "(`landlock_create_ruleset()` and the rules, on directories opened "
                "once, then fork; the child enforces it or arms it, then executes; "
                "all of it measured, paired rounds): arming pays one frozen copy "
                "of the ruleset per child (and its free), which enforcing does not "
                "make; the merge at the execution is the same.", "",
                "| rules | new ruleset + immediate | new ruleset + ON_EXEC | added | ratio |",
                "|---:|---:|---:|---:|---:|"]
        for r in nr:
            out.append(f"| {r['rules']} | {fmt(r['immediate-new'])} | "
                       f"{fmt(r['armed-new'])} | {r['added']:+.0f} | {r['ratio']:.3f} |")
    det = prof.get("details")
    if det:
        out += ["", "The executed program is described once per armed execution "
                "(`landlock_exec_details()`: the executable's path and name for "
                "audit): " + ", ".join(
                    f"{k}: {fmt(v['instructions_per_call'])} instructions per call "
                    f"({v['calls']} calls)" for k, v in sorted(det.items()))
                + ".  Before, each armed layer computed them again and the "
                "hierarchy's log computed the launcher's: about one such call "
                "saved per armed layer."]
    ct = data["contention"]
    if ct:
        out += ["", f"Contention (2 CPUs, wall time, {ct['pairs']} alternating pairs "
                f"of {ct['seconds_per_phase']} s): one shared BPF-armed ruleset vs "
                f"one per loop: median ratio {ct['ratio_median']:.3f} (quartiles "
                f"{ct['ratio_quartiles'][0]:.3f}..{ct['ratio_quartiles'][1]:.3f}, "
                f"min {ct['ratio_min']:.3f}, max {ct['ratio_max']:.3f}; 95% "
                f"confidence interval of the median {ci_text(ct)}; target "
                f">= 0.95: {'met' if ct['met'] else '**missed**'}{ci_note(ct)})."]
        host = ct.get("host")
        if host:
            out[-1] += (f"  Host load average {host['loadavg_after']} on "
                        f"{host['cpus']} CPUs at the end of the run.")
    mem = data["memory_bytes"]
    out += ["", f"Memory: every credential's LSM blob grows from "
            f"{mem['lsm_cred_blob_unpatched']} to {mem['lsm_cred_blob_patched']} "
            f"bytes, allocated from kmalloc-{mem['lsm_cred_blob_allocated_unpatched']} "
            f"to kmalloc-{mem['lsm_cred_blob_allocated_patched']} "
            f"(+{mem['added_per_credential']}); an armed ruleset is one "
            f"frozen copy (struct landlock_ruleset, {mem.get('landlock_ruleset', 0)} "
            f"bytes, + its rules) shared by the credentials that inherit it.",
            "", END]
    return "\n".join(out)


def write_readme(repo, md):
    path = f"{repo}/README.md"
    text = open(path).read()
    i, j = text.find(BEGIN), text.find(END)
    if i < 0 or j < i:
        print(f"README.md has no bench section ({BEGIN}): not updated")
        return
    new = text[:i] + md + text[j + len(END):]
    if new != text:
        open(path, "w").write(new)
        print("README.md: bench section rewritten")


def main():
    if sys.argv[1] == "--markdown":
        print(markdown(json.load(open(f"{sys.argv[2]}/out/bench.json"))))
        return
    work, repo = sys.argv[1], sys.argv[2]
    data = build(work)
    dest = f"{repo}/out/bench.json"
    old = None
    if os.path.exists(dest):
        try:
            old = json.load(open(dest))
        except ValueError:
            pass
    print(text(data))
    cmp = compare(old, data)
    if cmp:
        print(cmp)
    with open(f"{work}/rules.dat", "w") as f:
        f.write("# rules immediate on_exec on_exec_once bpf\n")
        for r in data["curves"]["rules"]:
            f.write(f"{r['rules']} {r['immediate']} {r['armed']} "
                    f"{r['armed-once']} {r['bpf']}\n")
    with open(f"{work}/layers.dat", "w") as f:
        f.write("# layers immediate on_exec on_exec_once bpf\n")
        for r in data["curves"]["layers"]:
            f.write(f"{r['layers']} {r['immediate']} {r['armed']} "
                    f"{r['armed-once']} {r['bpf']}\n")
    with open(f"{work}/none.dat", "w") as f:
        f.write(f"{data['figures'][1]['value']}\n")
    if old:
        json.dump(old, open(f"{repo}/out/bench.prev.json", "w"), indent=2)
    json.dump(data, open(dest, "w"), indent=2)
    print(f"\nwritten: {dest}")
    write_readme(repo, markdown(data))


if __name__ == "__main__":
    main()
