"""chain, wide and wide-sum in micrograd, the same workloads as chain.mg.in,
wide.mg.in and wide-sum.mg.in.

Usage: python workloads.py chain|wide|wide-sum N     -> one JSON line
       python workloads.py chain-limit        -> the longest chain micrograd back-propagates
Build and backward are timed in-process with perf_counter. micrograd's recursive
build_topo raises RecursionError past Python's recursion limit (1000 frames);
that is caught and reported as "recursion".
"""

import json
import resource
import sys
import time

from micrograd.engine import Value


def build_chain(n):
    x = Value(1.0)
    y = x
    for _ in range(n):
        y = y * 1.000001
    return x, y


def build_wide(n):
    x = Value(1.5)
    xs = [x * k for k in range(n)]
    while len(xs) > 1:
        m = len(xs)
        h = (m - m % 2) // 2
        ys = [xs[2 * i] + xs[2 * i + 1] for i in range(h)]
        if m % 2 == 1:
            ys[h - 1] = ys[h - 1] + xs[m - 1]
        xs = ys
    return x, xs[0]


def build_wide_sum(n):
    """wide-sum.mg.in: the products, then a left fold of additions (mg's sum)."""
    x = Value(1.5)
    xs = [x * k for k in range(n)]
    total = xs[0]
    for term in xs[1:]:
        total = total + term
    return x, total


def run(kind, n):
    build = {"chain": build_chain, "wide": build_wide, "wide-sum": build_wide_sum}[kind]
    start = time.perf_counter()
    x, out = build(n)
    built = time.perf_counter()
    try:
        out.backward()
        backward = time.perf_counter() - built
    except RecursionError:
        backward = "recursion"
    return {
        "kind": kind,
        "n": n,
        "build_s": built - start,
        "backward_s": backward,
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def chain_limit():
    lo, hi = 1, 4096  # lo works, hi fails
    while hi - lo > 1:
        mid = (lo + hi) // 2
        try:
            build_chain(mid)[1].backward()
            lo = mid
        except RecursionError:
            hi = mid
    return {"kind": "chain-limit", "longest_chain": lo, "recursion_limit": sys.getrecursionlimit()}


def main():
    if sys.argv[1] == "chain-limit":
        print(json.dumps(chain_limit()))
    else:
        print(json.dumps(run(sys.argv[1], int(sys.argv[2]))))


if __name__ == "__main__":
    main()
