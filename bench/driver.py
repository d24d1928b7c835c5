"""Runs the workloads of bench/compare.sh in mgrad, the engine (its Rust API), a
minimal tape and micrograd, side by side, and prints the tables. Called by
compare.sh with the virtual environment's python; uses only the standard
library itself (micrograd runs in child processes).

Method
- mgrad: whole processes (`target/release/mgrad FILE.mg`), timed from spawn to
  exit with perf_counter; peak memory is the child's peak RSS as GNU time reports
  it (each child runs under /usr/bin/time, whose cost the baselines take away).
  build    = median(script without `backward`) - median(baseline script)
  backward = median(full script) - median(script without `backward`)
  The baseline is the same script with N = 0 (chain) or N = 1 (wide, wide-sum): process
  start, parse, exit. moons: (median(STEPS steps) - median(0 steps)) / STEPS.
- engine (benches/native.rs), tape (benches/tape.rs) and micrograd (bench/workloads.py,
  bench/moons.py): timed inside the process with a monotonic clock, build and
  backward apart; peak memory is each process's peak RSS (one run per process),
  as for mgrad; micrograd's is its own ru_maxrss (it reports it).
- Each round runs every implementation once, alternating; the table shows
  medians over the rounds, and ratios of those medians.
- Instructions (valgrind --tool=callgrind, when valgrind is installed): whole
  processes, the workload minus its baseline, per node (N = 10^5) or per step
  (moons, STEPS steps minus 0 steps). micrograd at N = 10^4 and 1 step: it is slow.
"""

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "target" / "bench"
MGRAD = ROOT / "target" / "release" / "mgrad"
PY = sys.executable

SIZES = [int(x) for x in os.environ.get("BENCH_SIZES", "10000,100000,1000000").split(",")]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
# micrograd is slow at 10^6 (about a minute a run for wide): fewer rounds there.


def py_rounds(n):
    return ROUNDS if n <= 10_000 else min(ROUNDS, 3) if n <= 100_000 else 1


MG_STEPS = int(os.environ.get("BENCH_MG_STEPS", "20"))
PY_STEPS = int(os.environ.get("BENCH_PY_STEPS", "3"))
PY_MOONS_ROUNDS = int(os.environ.get("BENCH_PY_MOONS_ROUNDS", "3"))
STARTUP_RUNS = int(os.environ.get("BENCH_STARTUP_RUNS", "100"))
CALLGRIND = os.environ.get("BENCH_CALLGRIND", "1") != "0" and shutil.which("valgrind") is not None
CALLGRIND_N = 100_000
APPEND_SIZES = [int(x) for x in os.environ.get("BENCH_APPEND_SIZES", "10000,100000,1000000").split(",")]
# The limits of SPEC §10 on moons. mgrad always counts steps, depth, nodes and list
# memory and polls its host; flags only move the bounds. "on": every limit set (the
# time and output limits are off by default, so the host checks a deadline and a
# byte count at each poll); "default": no flags; "loosest": the memory and node
# limits as high as the flags allow, time and output unlimited.
LIMIT_FLAGS = {
    "on": ["--time-limit", "100000", "--output-limit", "1000000000000000"],
    "default": [],
    "loosest": ["--memory-limit", "1000000000", "--node-limit", "4294967295"],
}
CALLGRIND_PY_N = 10_000


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# A child's ru_maxrss counts the memory of the process it was forked from (Linux
# keeps the high-water mark across exec), so every child of this Python would seem
# to use at least as much as Python itself. GNU time, small, forks the child anew.
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else None


def spawn(argv, env=None):
    """(seconds, peak RSS in KiB, stdout) of one child process."""
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile(mode="r") as peak:
        wrapped = [GNU_TIME, "-f", "%M", "-o", peak.name, *argv] if GNU_TIME else argv
        start = time.perf_counter()
        proc = subprocess.Popen(wrapped, stdout=out, stderr=None, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"{argv} exited with {proc.returncode}")
        out.seek(0)
        rss = int(peak.read().split()[-1]) if GNU_TIME else usage.ru_maxrss
        return seconds, rss, out.read().decode()


def bare_seconds(argv):
    """Seconds from spawn to exit of one child process, with nothing around it."""
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def json_of(argv):
    """(parsed last line, peak RSS in KiB) of one child process."""
    _, rss, out = spawn(argv)
    return json.loads(out.strip().splitlines()[-1]), rss


def instructions(argv, env=None):
    """The instructions a whole process executes, under callgrind."""
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv],
        capture_output=True,
        text=True,
        env=env,
    )
    match = re.search(r"refs:\s+([\d,]+)", proc.stderr)
    if proc.returncode != 0 or not match:
        raise SystemExit(f"callgrind failed on {argv}: {proc.stderr[-500:]}")
    return int(match.group(1).replace(",", ""))


def mg_script(template, name, **subs):
    text = (ROOT / "bench" / template).read_text()
    for key, value in subs.items():
        text = text.replace(f"@{key}@", str(value))
    path = OUT / name
    path.write_text(text)
    return path


def mg_variants(kind, n):
    full = mg_script(f"{kind}.mg.in", f"{kind}-{n}.mg", N=n, BACKWARD="")
    # The build variant: the same file with the backward line commented out.
    text = full.read_text().replace("\nbackward ", "\n# backward ")
    build = OUT / f"{kind}-{n}-build.mg"
    build.write_text(text)
    return build, full


def bench_exe(name):
    out = subprocess.run(
        ["cargo", "bench", "--bench", name, "--no-run", "--message-format=json"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == name and msg.get("executable"):
            return msg["executable"]
    raise SystemExit(f"could not find the {name} bench executable")


def med(xs):
    return statistics.median(xs) if xs else None


def fmt_ms(s):
    return "—" if s is None else f"{s * 1e3:,.1f}"


def fmt_mb(kb):
    return "—" if kb is None else f"{kb / 1024:,.1f}"


def ratio(a, b, digits=1):
    return "—" if a is None or b is None else f"{a / b:,.{digits}f}×"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    native = bench_exe("native")
    tape = bench_exe("tape")
    results = {"rounds": ROUNDS}

    # ---- startup ----
    # Timed without GNU time around the child (it alone costs a millisecond or two),
    # interleaved with /bin/true: what any process costs to start on this machine.
    log("startup: mgrad -e '1+1' and /bin/true x", STARTUP_RUNS)
    startup, floor = [], []
    for _ in range(STARTUP_RUNS):
        startup.append(bare_seconds([str(MGRAD), "-e", "1+1"]))
        floor.append(bare_seconds(["/bin/true"]))
    results["startup_s"] = {"median": med(startup), "min": min(startup), "max": max(startup), "true": med(floor)}

    # ---- chain and wide ----
    rows = []
    for kind in ["chain", "wide", "wide-sum"]:
        base_n = 0 if kind == "chain" else 1
        _, base = mg_variants(kind, base_n)
        for n in SIZES:
            build, full = mg_variants(kind, n)
            t = {key: [] for key in ["base", "build", "full", "rss", "nat", "nat_rss", "tape", "tape_rss",
                                     "py_build", "py_bwd", "py_rss"]}
            nodes = None
            py_fail = False
            for r in range(ROUNDS):
                log(f"{kind} N={n} round {r + 1}/{ROUNDS}")
                t["base"].append(spawn([str(MGRAD), str(base)])[0])
                t["build"].append(spawn([str(MGRAD), str(build)])[0])
                seconds, rss, _ = spawn([str(MGRAD), str(full)])
                t["full"].append(seconds)
                t["rss"].append(rss)
                nat, nat_rss = json_of([native, kind, str(n), "1"])
                nodes = nat["nodes"]
                t["nat"].append(nat["build_s"] + nat["backward_s"])
                t["nat_rss"].append(nat_rss)
                tp, tape_rss = json_of([tape, kind, str(n), "1"])
                assert tp["nodes"] == nodes, f"the tape has {tp['nodes']} nodes, the engine {nodes}"
                t["tape"].append(tp["build_s"] + tp["backward_s"])
                t["tape_rss"].append(tape_rss)
                if r < py_rounds(n):
                    py, _ = json_of([PY, str(ROOT / "bench" / "workloads.py"), kind, str(n)])
                    t["py_build"].append(py["build_s"])
                    t["py_rss"].append(py["maxrss_kb"])
                    if py["backward_s"] == "recursion":
                        py_fail = True
                    else:
                        t["py_bwd"].append(py["backward_s"])
            mg_build = med(t["build"]) - med(t["base"])
            mg_bwd = med(t["full"]) - med(t["build"])
            row = {
                "kind": kind, "n": n, "nodes": nodes,
                "mg_build_s": mg_build, "mg_backward_s": mg_bwd, "mg_total_s": mg_build + mg_bwd,
                "mg_peak_kb": med(t["rss"]), "mg_base_s": med(t["base"]),
                "native_total_s": med(t["nat"]), "native_peak_kb": med(t["nat_rss"]),
                "tape_total_s": med(t["tape"]), "tape_peak_kb": med(t["tape_rss"]),
                "py_build_s": med(t["py_build"]), "py_backward_s": None if py_fail else med(t["py_bwd"]),
                "py_fails": py_fail, "py_peak_kb": med(t["py_rss"]), "py_rounds": py_rounds(n),
            }
            rows.append(row)
    results["graphs"] = rows
    log("micrograd: longest chain that back-propagates")
    results["py_chain_limit"] = json_of([PY, str(ROOT / "bench" / "workloads.py"), "chain-limit"])[0]

    # ---- moons ----
    moons0 = mg_script("moons.mg.in", "moons-0.mg", STEPS=0)
    moons = mg_script("moons.mg.in", f"moons-{MG_STEPS}.mg", STEPS=MG_STEPS)
    m = {key: [] for key in ["base", "full", "rss", "base_rss", "native", "native_rss", "tape", "tape_rss",
                             "tape_base_rss", "py", "py_rss"]}
    lim = {name: {"base": [], "full": []} for name in LIMIT_FLAGS}
    for r in range(ROUNDS):
        log(f"moons round {r + 1}/{ROUNDS}")
        seconds, rss, _ = spawn([str(MGRAD), str(moons0)])
        m["base"].append(seconds)
        m["base_rss"].append(rss)
        m["tape_base_rss"].append(json_of([tape, "moons", "0", "1"])[1])
        seconds, rss, _ = spawn([str(MGRAD), str(moons)])
        m["full"].append(seconds)
        m["rss"].append(rss)
        for name, flags in LIMIT_FLAGS.items():
            lim[name]["base"].append(spawn([str(MGRAD), *flags, str(moons0)])[0])
            lim[name]["full"].append(spawn([str(MGRAD), *flags, str(moons)])[0])
        nat, nat_rss = json_of([native, "moons", str(MG_STEPS), "1"])
        m["native"].append(nat["step_s"])
        m["native_rss"].append(nat_rss)
        tp, tape_rss = json_of([tape, "moons", str(MG_STEPS), "1"])
        m["tape"].append(tp["step_s"])
        m["tape_rss"].append(tape_rss)
        if r < PY_MOONS_ROUNDS:
            py, _ = json_of([PY, str(ROOT / "bench" / "moons.py"), str(PY_STEPS)])
            m["py"].append(py["seconds"] / PY_STEPS)
            m["py_rss"].append(py["maxrss_kb"])
    # Same workload: after the same number of steps all four print the same loss.
    check_mg = spawn([str(MGRAD), str(mg_script("moons.mg.in", f"moons-{PY_STEPS}.mg", STEPS=PY_STEPS))])[2].split()[0]
    check_py = json_of([PY, str(ROOT / "bench" / "moons.py"), str(PY_STEPS)])[0]["loss"]
    check_nat = json_of([native, "moons", str(PY_STEPS), "1"])[0]["loss"]
    check_tape = json_of([tape, "moons", str(PY_STEPS), "1"])[0]["loss"]
    losses = {"mgrad": float(check_mg), "engine": check_nat, "tape": check_tape, "micrograd": check_py}
    if len({repr(loss) for loss in losses.values()}) != 1:
        raise SystemExit(f"not the same workload: the losses after {PY_STEPS} steps differ: {losses}")
    results["moons"] = {
        "mg_steps": MG_STEPS, "py_steps": PY_STEPS, "py_rounds": PY_MOONS_ROUNDS,
        "mg_step_s": (med(m["full"]) - med(m["base"])) / MG_STEPS,
        "mg_peak_kb": med(m["rss"]), "mg_base_peak_kb": med(m["base_rss"]),
        "tape_base_peak_kb": med(m["tape_base_rss"]),
        "native_step_s": med(m["native"]), "native_peak_kb": med(m["native_rss"]),
        "tape_step_s": med(m["tape"]), "tape_peak_kb": med(m["tape_rss"]),
        "py_step_s": med(m["py"]), "py_peak_kb": med(m["py_rss"]),
        "limits_step_s": {name: (med(v["full"]) - med(v["base"])) / MG_STEPS for name, v in lim.items()},
        "loss_check": {"steps": PY_STEPS, "mgrad": float(check_mg), "native": check_nat, "tape": check_tape,
                       "micrograd": check_py},
    }

    # ---- appends ----
    results["appends"] = bench_appends()

    # ---- instructions ----
    if CALLGRIND:
        results["instructions"] = count_instructions(native, tape)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    print(render(results))


APPEND_SCRIPTS = {
    "xs = xs + [k]": "xs = []\nfor k in 0..@N@ { xs = xs + [k] }\nprint len(xs)\n",
    "xs.append(k)": "xs = []\nfor k in 0..@N@ { xs.append(k) }\nprint len(xs)\n",
}


def bench_appends():
    """Whole-process medians of a loop growing a list to N items, minus N = 0."""
    rows = []
    for name, template in APPEND_SCRIPTS.items():
        slug = "concat" if "+" in name else "append"
        paths = {}
        for n in [0, *APPEND_SIZES]:
            paths[n] = OUT / f"{slug}-{n}.mg"
            paths[n].write_text(template.replace("@N@", str(n)))
        times = {n: [] for n in paths}
        for r in range(ROUNDS):
            log(f"{name} round {r + 1}/{ROUNDS}")
            for n, path in paths.items():
                seconds, _, out = spawn([str(MGRAD), str(path)])
                assert out.split()[0] == str(n), out
                times[n].append(seconds)
        base = med(times[0])
        for n in APPEND_SIZES:
            rows.append({"loop": name, "n": n, "s": med(times[n]) - base})
    return rows


def count_instructions(native, tape):
    """Instructions per node (chain, wide, wide-sum at N = 10^5) and per moons step."""
    tree = dict(os.environ, MGRAD_ENGINE="tree")
    rows = []
    for kind in ["chain", "wide", "wide-sum"]:
        log(f"instructions: {kind}")
        n, base_n = CALLGRIND_N, (0 if kind == "chain" else 1)
        _, full = mg_variants(kind, n)
        _, base = mg_variants(kind, base_n)
        nodes = json_of([native, kind, str(n), "1"])[0]["nodes"]
        py_nodes = json_of([native, kind, str(CALLGRIND_PY_N), "1"])[0]["nodes"]

        def per_node(argv_full, argv_base, count, env=None):
            return (instructions(argv_full, env) - instructions(argv_base, env)) / count

        row = {
            "kind": kind, "n": n, "nodes": nodes,
            "mgrad": per_node([str(MGRAD), str(full)], [str(MGRAD), str(base)], nodes),
            "tree": per_node([str(MGRAD), str(full)], [str(MGRAD), str(base)], nodes, tree),
            "native": per_node([native, kind, str(n), "1"], [native, kind, str(base_n), "1"], nodes),
            "tape": per_node([tape, kind, str(n), "1"], [tape, kind, str(base_n), "1"], nodes),
        }
        # micrograd's backward fails past its recursion limit on chain and wide-sum.
        script = str(ROOT / "bench" / "workloads.py")
        row["micrograd"] = None if kind != "wide" else per_node(
            [PY, script, kind, str(CALLGRIND_PY_N)], [PY, script, kind, "1"], py_nodes)
        row["micrograd_n"] = CALLGRIND_PY_N
        rows.append(row)
    log("instructions: moons")
    moons0 = mg_script("moons.mg.in", "moons-0.mg", STEPS=0)
    moons = mg_script("moons.mg.in", f"moons-{MG_STEPS}.mg", STEPS=MG_STEPS)
    steps = MG_STEPS

    def per_step(argv_full, argv_base, count, env=None):
        return (instructions(argv_full, env) - instructions(argv_base, env)) / count

    moons_row = {
        "steps": steps,
        "mgrad": per_step([str(MGRAD), str(moons)], [str(MGRAD), str(moons0)], steps),
        "tree": per_step([str(MGRAD), str(moons)], [str(MGRAD), str(moons0)], steps, tree),
        "native": per_step([native, "moons", str(steps), "1"], [native, "moons", "0", "1"], steps),
        "tape": per_step([tape, "moons", str(steps), "1"], [tape, "moons", "0", "1"], steps),
        "micrograd": per_step([PY, str(ROOT / "bench" / "moons.py"), "1"], [PY, str(ROOT / "bench" / "moons.py"), "0"], 1),
    }
    return {"graphs": rows, "moons": moons_row}


def render(res):
    lines = []
    st = res["startup_s"]
    lines.append(f"Rounds: {res['rounds']} (micrograd fewer where slow, see the runs column). Times are medians;")
    lines.append("ratios are of medians taken in the same run. *engine* is benches/native.rs (the engine's Rust API),")
    lines.append("*tape* is benches/tape.rs (a minimal tape).")
    lines.append("")
    lines.append("### chain, wide and wide-sum: build + backward")
    lines.append("")
    lines.append("| workload | N | nodes | mgrad ms | engine ms | tape ms | micrograd ms | mgrad / tape | engine / tape "
                 "| micrograd / mgrad | peak MB mgrad | peak MB engine | peak MB tape | peak MB micrograd | micrograd runs |")
    lines.append("|" + "---|" * 15)
    for r in res["graphs"]:
        py_total = None if r["py_fails"] else r["py_build_s"] + r["py_backward_s"]
        lines.append(
            f"| {r['kind']} | {r['n']:,} | {r['nodes']:,} "
            f"| {fmt_ms(r['mg_total_s'])} | {fmt_ms(r['native_total_s'])} | {fmt_ms(r['tape_total_s'])} "
            f"| {'fails (recursion)' if py_total is None else fmt_ms(py_total)} "
            f"| {ratio(r['mg_total_s'], r['tape_total_s'])} | {ratio(r['native_total_s'], r['tape_total_s'])} "
            f"| {'—' if py_total is None else ratio(py_total, r['mg_total_s'], 0)} "
            f"| {fmt_mb(r['mg_peak_kb'])} | {fmt_mb(r['native_peak_kb'])} | {fmt_mb(r['tape_peak_kb'])} "
            f"| {fmt_mb(r['py_peak_kb'])} | {r['py_rounds']} |"
        )
    lim = res["py_chain_limit"]
    lines.append("")
    lines.append(f"micrograd's backward on a chain works up to N = {lim['longest_chain']} "
                 f"(recursion limit {lim['recursion_limit']}) and raises RecursionError past it.")
    lines.append(f"mgrad baseline process (chain N=0): {fmt_ms(res['graphs'][0]['mg_base_s'])} ms.")
    mo = res["moons"]
    tape = mo["tape_step_s"]
    lines.append("")
    lines.append("### moons (one training step: 100 points, MLP(2, [16, 16, 1]) relu, SVM loss + L2, SGD)")
    lines.append("")
    lines.append("| | ms per step | vs tape | peak MB | steps per run | runs |")
    lines.append("|---|---|---|---|---|---|")
    lines.append(f"| mgrad | {mo['mg_step_s'] * 1e3:.3f} | {ratio(mo['mg_step_s'], tape, 2)} "
                 f"| {fmt_mb(mo['mg_peak_kb'])} | {mo['mg_steps']} | {res['rounds']} |")
    lines.append(f"| engine (Rust API) | {mo['native_step_s'] * 1e3:.3f} | {ratio(mo['native_step_s'], tape, 2)} "
                 f"| {fmt_mb(mo['native_peak_kb'])} | {mo['mg_steps']} | {res['rounds']} |")
    lines.append(f"| tape | {tape * 1e3:.3f} | 1× | {fmt_mb(mo['tape_peak_kb'])} | {mo['mg_steps']} | {res['rounds']} |")
    lines.append(f"| micrograd | {mo['py_step_s'] * 1e3:.1f} | {ratio(mo['py_step_s'], tape, 0)} "
                 f"| {fmt_mb(mo['py_peak_kb'])} | {mo['py_steps']} | {mo['py_rounds']} |")
    lines.append("")
    lines.append(f"micrograd / mgrad: {ratio(mo['py_step_s'], mo['mg_step_s'], 0)} per step; "
                 f"peak memory mgrad / tape: {ratio(mo['mg_peak_kb'], mo['tape_peak_kb'], 2)}. The same processes "
                 f"with 0 steps: mgrad {fmt_mb(mo['mg_base_peak_kb'])} MB, tape {fmt_mb(mo['tape_base_peak_kb'])} MB; "
                 f"what the training adds: mgrad {fmt_mb(mo['mg_peak_kb'] - mo['mg_base_peak_kb'])} MB, "
                 f"tape {fmt_mb(mo['tape_peak_kb'] - mo['tape_base_peak_kb'])} MB "
                 f"({ratio(mo['mg_peak_kb'] - mo['mg_base_peak_kb'], mo['tape_peak_kb'] - mo['tape_base_peak_kb'], 2)}).")
    lc = mo["loss_check"]
    lines.append("")
    lines.append(f"Same workload, checked in this run: the loss after {lc['steps']} steps is {lc['mgrad']!r} in all four "
                 f"(mgrad {lc['mgrad']!r}, engine {lc['native']!r}, tape {lc['tape']!r}, micrograd {lc['micrograd']!r}).")
    ls = mo["limits_step_s"]
    lines.append("")
    lines.append("### the limits of SPEC §10 on moons (mgrad, ms per step)")
    lines.append("")
    lines.append("| limits | flags | ms per step | vs loosest |")
    lines.append("|---|---|---|---|")
    for name, flags in LIMIT_FLAGS.items():
        lines.append(f"| {name} | `{' '.join(flags) or '(none)'}` | {ls[name] * 1e3:.3f} "
                     f"| {(ls[name] / ls['loosest'] - 1) * 100:+.1f}% |")
    lines.append("")
    lines.append("### appending in a loop (mgrad, whole process minus N = 0)")
    lines.append("")
    lines.append("| loop | N | ms | ns per item |")
    lines.append("|---|---|---|---|")
    for r in res["appends"]:
        lines.append(f"| `{r['loop']}` | {r['n']:,} | {r['s'] * 1e3:,.1f} | {r['s'] * 1e9 / r['n']:,.0f} |")
    ins = res.get("instructions")
    if ins:
        lines.append("")
        lines.append("### instructions (callgrind, whole processes minus their baseline)")
        lines.append("")
        lines.append("| workload | unit | mgrad | mgrad, tree walker only | engine | tape | micrograd | mgrad / tape |")
        lines.append("|---|---|---|---|---|---|---|---|")
        for r in ins["graphs"]:
            py = "fails (recursion)" if r["micrograd"] is None else f"{r['micrograd']:,.0f} (N = {r['micrograd_n']:,})"
            lines.append(
                f"| {r['kind']} | per node, N = {r['n']:,} "
                f"| {r['mgrad']:,.0f} | {r['tree']:,.0f} | {r['native']:,.0f} | {r['tape']:,.0f} "
                f"| {py} | {ratio(r['mgrad'], r['tape'])} |"
            )
        mi = ins["moons"]
        lines.append(
            f"| moons | per step ({mi['steps']} steps; micrograd 1) | {mi['mgrad'] / 1e6:,.2f}M | {mi['tree'] / 1e6:,.2f}M "
            f"| {mi['native'] / 1e6:,.2f}M | {mi['tape'] / 1e6:,.2f}M | {mi['micrograd'] / 1e6:,.0f}M "
            f"| {ratio(mi['mgrad'], mi['tape'])} |"
        )
    lines.append("")
    lines.append(f"### startup\n\n`mgrad -e '1+1'`: median {st['median'] * 1e3:.2f} ms "
                 f"(min {st['min'] * 1e3:.2f}, max {st['max'] * 1e3:.2f}) over {STARTUP_RUNS} runs; "
                 f"`/bin/true`, interleaved: median {st['true'] * 1e3:.2f} ms.")
    lines.append("")
    lines.extend(render_targets(res))
    return "\n".join(lines)


def render_targets(res):
    """Issue 12's targets, each with this run's number."""
    mo = res["moons"]
    big = {r["kind"]: r for r in res["graphs"] if r["n"] == max(SIZES)}
    appends = {}
    for r in res["appends"]:
        appends.setdefault(r["loop"], []).append(r)

    def growth(rows):
        # ns per item at the largest N over that at the smallest: 1 is linear.
        first, last = rows[0], rows[-1]
        return (last["s"] / last["n"]) / (first["s"] / first["n"])

    targets = [
        ("moons: mgrad / tape", mo["mg_step_s"] / mo["tape_step_s"], 2.0, "×"),
        ("moons: engine / tape", mo["native_step_s"] / mo["tape_step_s"], 1.3, "×"),
    ]
    for kind, bound in [("wide", 3.0), ("chain", 1.5)]:
        if kind in big:
            r = big[kind]
            targets.append((f"{kind} {r['n']:,}: mgrad / tape", r["mg_total_s"] / r["tape_total_s"], bound, "×"))
    if mo["py_step_s"] is not None:
        targets.append(("moons: micrograd / mgrad (at least)", -mo["py_step_s"] / mo["mg_step_s"], -1500, "×"))
    targets.append(("moons: peak memory mgrad / tape", mo["mg_peak_kb"] / mo["tape_peak_kb"], 2.0, "×"))
    for loop, rows in appends.items():
        targets.append((f"`{loop}`: ns per item at {rows[-1]['n']:,} / at {rows[0]['n']:,}", growth(rows), 2.0, "×"))
    targets.append(("startup, ms", res["startup_s"]["median"] * 1e3, 5.0, " ms"))
    ls = mo["limits_step_s"]
    targets.append(("limits on moons (on vs loosest), %", (ls["on"] / ls["loosest"] - 1) * 100, 3.0, "%"))
    lines = ["### issue 12's targets in this run", "", "| target | bound | this run | met |", "|---|---|---|---|"]
    for name, value, bound, unit in targets:
        shown, bound_shown = (f"{-value:,.0f}{unit}", f"≥ {-bound:,.0f}{unit}") if bound < 0 else (
            f"{value:,.2f}{unit}", f"≤ {bound:g}{unit}")
        lines.append(f"| {name} | {bound_shown} | {shown} | {'yes' if value <= bound else 'no'} |")
    return lines


if __name__ == "__main__":
    main()
