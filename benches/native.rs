//! Plain numbers from the engine's Rust API, for bench/compare.sh (harness = false).
//!
//! `cargo bench --bench native -- chain N RUNS`, `-- wide N RUNS`, `-- wide-sum N RUNS`,
//! `-- moons STEPS RUNS`
//! print one JSON line of medians over RUNS runs. With no case, it prints all of
//! them as a small table.

#[path = "shared/data.rs"]
mod data;
#[path = "shared/workloads.rs"]
mod workloads;

use std::time::Instant;

use data::median;
use mgrad::graph::Graph;
use workloads::{Moons, build_chain, build_wide, build_wide_sum};

/// (build seconds, backward seconds, nodes), medians over `runs`.
fn graph_case(kind: &str, n: usize, runs: usize) -> (f64, f64, usize) {
    let mut builds = Vec::new();
    let mut backwards = Vec::new();
    let mut nodes = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let mut g = Graph::new();
        let (_, out) = match kind {
            "chain" => build_chain(&mut g, n),
            "wide-sum" => build_wide_sum(&mut g, n),
            _ => build_wide(&mut g, n),
        };
        let built = Instant::now();
        g.backward(out).unwrap();
        let done = Instant::now();
        nodes = g.len();
        builds.push((built - start).as_secs_f64());
        backwards.push((done - built).as_secs_f64());
        drop(std::hint::black_box(g));
    }
    (median(builds), median(backwards), nodes)
}

/// Seconds per training step (median over `runs` of `steps` steps on one growing
/// graph, as mg runs them), and the final loss.
fn moons_case(steps: usize, runs: usize) -> (f64, f64) {
    let mut per_step = Vec::new();
    let mut loss = f64::NAN;
    for _ in 0..runs {
        let mut g = Graph::new();
        let moons = Moons::new(&mut g);
        let start = Instant::now();
        for k in 0..steps {
            loss = moons.step(&mut g, k);
        }
        per_step.push(start.elapsed().as_secs_f64() / steps as f64);
    }
    (median(per_step), loss)
}

fn main() {
    // cargo passes `--bench` to harness = false targets; skip flags.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let num = |i: usize, default: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    match args.first().map(String::as_str) {
        Some(kind @ ("chain" | "wide" | "wide-sum")) => {
            let (build, backward, nodes) = graph_case(kind, num(1, 10_000), num(2, 5));
            println!(
                r#"{{"kind":"{kind}","n":{},"nodes":{nodes},"build_s":{build},"backward_s":{backward}}}"#,
                num(1, 10_000)
            );
        }
        Some("moons") => {
            let (per_step, loss) = moons_case(num(1, 20), num(2, 5));
            println!(
                r#"{{"kind":"moons","steps":{},"step_s":{per_step},"loss":{loss}}}"#,
                num(1, 20)
            );
        }
        Some(other) => {
            eprintln!("unknown case '{other}': use chain N RUNS, wide N RUNS, wide-sum N RUNS or moons STEPS RUNS");
            std::process::exit(2);
        }
        None => {
            println!(
                "{:<8} {:>9} {:>10} {:>14} {:>14}",
                "case", "N", "nodes", "build ns/node", "bwd ns/node"
            );
            for kind in ["chain", "wide", "wide-sum"] {
                for n in [10_000, 100_000, 1_000_000] {
                    let (build, backward, nodes) = graph_case(kind, n, 5);
                    let per = |s: f64| s * 1e9 / nodes as f64;
                    println!(
                        "{kind:<8} {n:>9} {nodes:>10} {:>14.1} {:>14.1}",
                        per(build),
                        per(backward)
                    );
                }
            }
            let (per_step, loss) = moons_case(20, 5);
            println!("moons: {:.3} ms per step (loss after 20 steps {loss})", per_step * 1e3);
        }
    }
}
