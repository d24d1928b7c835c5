"""Runs the workloads of bench/compare.sh in mgrad, natively and in micrograd, and
prints the tables. Called by compare.sh with the virtual environment's python;
uses only the standard library itself (micrograd runs in child processes).

Method
- mgrad: whole processes (`target/release/mgrad FILE.mg`), timed from spawn to
  exit with perf_counter; peak memory is the child's ru_maxrss from wait4.
  build   = median(script without `backward`) - median(baseline script)
  backward = median(full script) - median(script without `backward`)
  The baseline is the same script with N = 0 (chain) or N = 1 (wide, wide-sum): process
  start, parse, exit. moons: (median(STEPS steps) - median(0 steps)) / STEPS.
- native (benches/native.rs) and micrograd (bench/workloads.py, bench/moons.py):
  timed inside the process with a monotonic clock, build and backward apart.
- Each round runs every implementation once, alternating; the table shows
  medians over the rounds.
"""

import json
import os
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
STARTUP_RUNS = 50


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def spawn(argv):
    """(seconds, peak RSS in KiB, stdout) of one child process."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=None)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"{argv} exited with {proc.returncode}")
        out.seek(0)
        return seconds, usage.ru_maxrss, out.read().decode()


def json_of(argv):
    return json.loads(spawn(argv)[2].strip().splitlines()[-1])


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


def native_exe():
    out = subprocess.run(
        ["cargo", "bench", "--bench", "native", "--no-run", "--message-format=json"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == "native" and msg.get("executable"):
            return msg["executable"]
    raise SystemExit("could not find the native bench executable")


def med(xs):
    return statistics.median(xs) if xs else None


def fmt_ms(s):
    return "—" if s is None else f"{s * 1e3:,.1f}"


def fmt_ns(s, nodes):
    return "—" if s is None else f"{s * 1e9 / nodes:,.1f}"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    native = native_exe()
    results = {"rounds": ROUNDS}

    # ---- startup ----
    log("startup: mgrad -e '1+1' x", STARTUP_RUNS)
    startup = [spawn([str(MGRAD), "-e", "1+1"])[0] for _ in range(STARTUP_RUNS)]
    results["startup_s"] = {"median": med(startup), "min": min(startup), "max": max(startup)}

    # ---- chain and wide ----
    rows = []
    for kind in ["chain", "wide", "wide-sum"]:
        base_n = 0 if kind == "chain" else 1
        _, base = mg_variants(kind, base_n)
        for n in SIZES:
            build, full = mg_variants(kind, n)
            t = {"base": [], "build": [], "full": [], "rss": [], "nat_build": [], "nat_bwd": [],
                 "py_build": [], "py_bwd": [], "py_rss": []}
            nodes = None
            py_fail = False
            for r in range(ROUNDS):
                log(f"{kind} N={n} round {r + 1}/{ROUNDS}")
                t["base"].append(spawn([str(MGRAD), str(base)])[0])
                t["build"].append(spawn([str(MGRAD), str(build)])[0])
                seconds, rss, _ = spawn([str(MGRAD), str(full)])
                t["full"].append(seconds)
                t["rss"].append(rss)
                nat = json_of([native, kind, str(n), "1"])
                nodes = nat["nodes"]
                t["nat_build"].append(nat["build_s"])
                t["nat_bwd"].append(nat["backward_s"])
                if r < py_rounds(n):
                    py = json_of([PY, str(ROOT / "bench" / "workloads.py"), kind, str(n)])
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
                "native_build_s": med(t["nat_build"]), "native_backward_s": med(t["nat_bwd"]),
                "py_build_s": med(t["py_build"]), "py_backward_s": None if py_fail else med(t["py_bwd"]),
                "py_fails": py_fail, "py_peak_kb": med(t["py_rss"]), "py_rounds": py_rounds(n),
            }
            row["native_total_s"] = row["native_build_s"] + row["native_backward_s"]
            rows.append(row)
    results["graphs"] = rows
    log("micrograd: longest chain that back-propagates")
    results["py_chain_limit"] = json_of([PY, str(ROOT / "bench" / "workloads.py"), "chain-limit"])

    # ---- moons ----
    moons0 = mg_script("moons.mg.in", "moons-0.mg", STEPS=0)
    moons = mg_script("moons.mg.in", f"moons-{MG_STEPS}.mg", STEPS=MG_STEPS)
    m = {"base": [], "full": [], "rss": [], "native": [], "py": [], "py_rss": []}
    losses = {}
    for r in range(ROUNDS):
        log(f"moons round {r + 1}/{ROUNDS}")
        m["base"].append(spawn([str(MGRAD), str(moons0)])[0])
        seconds, rss, out = spawn([str(MGRAD), str(moons)])
        m["full"].append(seconds)
        m["rss"].append(rss)
        losses["mgrad"] = out.split()[0]
        nat = json_of([native, "moons", str(MG_STEPS), "1"])
        m["native"].append(nat["step_s"])
        losses["native"] = nat["loss"]
        if r < PY_MOONS_ROUNDS:
            py = json_of([PY, str(ROOT / "bench" / "moons.py"), str(PY_STEPS)])
            m["py"].append(py["seconds"] / PY_STEPS)
            m["py_rss"].append(py["maxrss_kb"])
    # Same workload: after the same number of steps all three print the same loss.
    check_mg = spawn([str(MGRAD), str(mg_script("moons.mg.in", f"moons-{PY_STEPS}.mg", STEPS=PY_STEPS))])[2].split()[0]
    check_py = json_of([PY, str(ROOT / "bench" / "moons.py"), str(PY_STEPS)])["loss"]
    check_nat = json_of([native, "moons", str(PY_STEPS), "1"])["loss"]
    results["moons"] = {
        "mg_steps": MG_STEPS, "py_steps": PY_STEPS, "py_rounds": PY_MOONS_ROUNDS,
        "mg_step_s": (med(m["full"]) - med(m["base"])) / MG_STEPS,
        "mg_peak_kb": med(m["rss"]),
        "native_step_s": med(m["native"]),
        "py_step_s": med(m["py"]),
        "py_peak_kb": med(m["py_rss"]),
        "loss_check": {"steps": PY_STEPS, "mgrad": float(check_mg), "native": check_nat, "micrograd": check_py},
    }
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    print(render(results))


def render(res):
    lines = []
    st = res["startup_s"]
    lines.append(f"Rounds: {res['rounds']} (micrograd fewer where slow, see the runs column). Times are medians.")
    lines.append("")
    lines.append("### chain, wide and wide-sum")
    lines.append("")
    lines.append("| workload | N | nodes | mgrad build ns/node | mgrad backward ns/node | mgrad total ms "
                 "| native total ms | mgrad / native | micrograd build ns/node | micrograd backward ns/node "
                 "| micrograd total ms | micrograd / mgrad | peak MB mgrad | peak MB micrograd | micrograd runs |")
    lines.append("|" + "---|" * 15)
    for r in res["graphs"]:
        nodes = r["nodes"]
        py_total = None if r["py_fails"] else r["py_build_s"] + r["py_backward_s"]
        lines.append(
            f"| {r['kind']} | {r['n']:,} | {nodes:,} "
            f"| {fmt_ns(r['mg_build_s'], nodes)} | {fmt_ns(r['mg_backward_s'], nodes)} | {fmt_ms(r['mg_total_s'])} "
            f"| {fmt_ms(r['native_total_s'])} | {r['mg_total_s'] / r['native_total_s']:.1f}× "
            f"| {fmt_ns(r['py_build_s'], nodes)} "
            f"| {'fails (recursion)' if r['py_fails'] else fmt_ns(r['py_backward_s'], nodes)} "
            f"| {'—' if py_total is None else fmt_ms(py_total)} "
            f"| {'—' if py_total is None else format(py_total / r['mg_total_s'], '.0f') + '×'} "
            f"| {r['mg_peak_kb'] / 1024:,.0f} | {r['py_peak_kb'] / 1024:,.0f} | {r['py_rounds']} |"
        )
    lim = res["py_chain_limit"]
    lines.append("")
    lines.append(f"micrograd's backward on a chain works up to N = {lim['longest_chain']} "
                 f"(recursion limit {lim['recursion_limit']}) and raises RecursionError past it.")
    lines.append(f"mgrad baseline process (chain N=0): {fmt_ms(res['graphs'][0]['mg_base_s'])} ms.")
    mo = res["moons"]
    lines.append("")
    lines.append("### moons (one training step: 100 points, MLP(2, [16, 16, 1]) relu, SVM loss + L2, SGD)")
    lines.append("")
    lines.append("| | ms per step | vs mgrad | peak MB | steps per run | runs |")
    lines.append("|---|---|---|---|---|---|")
    lines.append(f"| mgrad | {mo['mg_step_s'] * 1e3:.2f} | 1× | {mo['mg_peak_kb'] / 1024:,.0f} | {mo['mg_steps']} | {res['rounds']} |")
    lines.append(f"| native (Rust API) | {mo['native_step_s'] * 1e3:.2f} | {mo['native_step_s'] / mo['mg_step_s']:.2f}× "
                 f"| — | {mo['mg_steps']} | {res['rounds']} |")
    lines.append(f"| micrograd | {mo['py_step_s'] * 1e3:.1f} | {mo['py_step_s'] / mo['mg_step_s']:.0f}× "
                 f"| {mo['py_peak_kb'] / 1024:,.0f} | {mo['py_steps']} | {mo['py_rounds']} |")
    lc = mo["loss_check"]
    lines.append("")
    lines.append(f"Same workload check, loss after {lc['steps']} steps: mgrad {lc['mgrad']!r}, "
                 f"native {lc['native']!r}, micrograd {lc['micrograd']!r}.")
    lines.append("")
    lines.append(f"### startup\n\n`mgrad -e '1+1'`: median {st['median'] * 1e3:.2f} ms "
                 f"(min {st['min'] * 1e3:.2f}, max {st['max'] * 1e3:.2f}) over {STARTUP_RUNS} runs.")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
