//! divan benchmarks of the engine's Rust API on the workloads of bench/compare.sh:
//! `cargo bench --bench engine`. The numbers the compare script puts in its
//! table come from benches/native.rs, which runs the same code.

#[path = "shared/data.rs"]
mod data;
#[path = "shared/workloads.rs"]
mod workloads;

use divan::Bencher;
use mgrad::graph::Graph;
use workloads::{Moons, build_chain, build_wide};

fn main() {
    divan::main();
}

const SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];

#[divan::bench(args = SIZES, sample_count = 10)]
fn chain_build(n: usize) -> Graph {
    let mut g = Graph::new();
    build_chain(&mut g, n);
    g
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn chain_backward(bencher: Bencher, n: usize) {
    bencher
        .with_inputs(|| {
            let mut g = Graph::new();
            let (_, y) = build_chain(&mut g, n);
            (g, y)
        })
        .bench_local_refs(|(g, y)| g.backward(*y).unwrap());
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn wide_build(n: usize) -> Graph {
    let mut g = Graph::new();
    build_wide(&mut g, n);
    g
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn wide_backward(bencher: Bencher, n: usize) {
    bencher
        .with_inputs(|| {
            let mut g = Graph::new();
            let (_, s) = build_wide(&mut g, n);
            (g, s)
        })
        .bench_local_refs(|(g, s)| g.backward(*s).unwrap());
}

/// One training step of micrograd's moons demo on a fresh graph holding only
/// the parameters.
#[divan::bench(sample_count = 20)]
fn moons_step(bencher: Bencher) {
    bencher
        .with_inputs(|| {
            let mut g = Graph::new();
            let moons = Moons::new(&mut g);
            (g, moons)
        })
        .bench_local_refs(|(g, moons)| moons.step(g, 0));
}
