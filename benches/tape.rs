//! A minimal tape, the yardstick of bench/compare.sh (harness = false): the
//! workloads of benches/shared/workloads.rs node for node, written for speed
//! and sharing no code with the engine (only the moons data, benches/shared/data.rs).
//!
//! A tape is what reverse mode needs and nothing more: a `Vec` of 32-byte nodes
//! appended in creation order, backward as one sweep down every node below the
//! root, and a training step that truncates the tape back to the parameters
//! (its pages stay). No labels, no limits, no checks of finiteness, no
//! reachability: it does less than the engine must, which is what makes it the
//! bound to measure against.
//!
//! `cargo bench --bench tape -- chain N RUNS`, `-- wide N RUNS`, `-- wide-sum N RUNS`,
//! `-- moons STEPS RUNS` print one JSON line of medians over RUNS runs, as
//! benches/native.rs does.

#[path = "shared/data.rs"]
mod data;

use std::time::Instant;

use data::{MOONS_INPUTS, MOONS_SIZES, median, moons_data, parameter};

#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Op {
    Leaf,
    Add,
    Mul,
    Relu,
}

/// One node: 32 bytes.
#[derive(Clone, Copy)]
#[repr(C)]
struct Node {
    data: f64,
    grad: f64,
    lhs: u32,
    rhs: u32,
    op: Op,
}

const _: () = assert!(std::mem::size_of::<Node>() == 32);

#[derive(Default)]
struct Tape {
    nodes: Vec<Node>,
}

impl Tape {
    #[inline(always)]
    fn push(&mut self, data: f64, op: Op, lhs: u32, rhs: u32) -> u32 {
        let id = self.nodes.len() as u32;
        self.nodes.push(Node {
            data,
            grad: 0.0,
            lhs,
            rhs,
            op,
        });
        id
    }

    #[inline(always)]
    fn leaf(&mut self, data: f64) -> u32 {
        self.push(data, Op::Leaf, 0, 0)
    }

    #[inline(always)]
    fn add(&mut self, a: u32, b: u32) -> u32 {
        let data = self.nodes[a as usize].data + self.nodes[b as usize].data;
        self.push(data, Op::Add, a, b)
    }

    #[inline(always)]
    fn mul(&mut self, a: u32, b: u32) -> u32 {
        let data = self.nodes[a as usize].data * self.nodes[b as usize].data;
        self.push(data, Op::Mul, a, b)
    }

    #[inline(always)]
    fn relu(&mut self, a: u32) -> u32 {
        let x = self.nodes[a as usize].data;
        self.push(if x > 0.0 { x } else { 0.0 }, Op::Relu, a, 0)
    }

    fn data(&self, id: u32) -> f64 {
        self.nodes[id as usize].data
    }

    /// Sets the root's grad to 1 and sweeps every node below it, highest first.
    /// Nodes that do not lead to the root have grad 0 (fresh) and add nothing.
    fn backward(&mut self, root: u32) {
        let nodes = &mut self.nodes[..=root as usize];
        nodes[root as usize].grad = 1.0;
        for i in (0..nodes.len()).rev() {
            let node = nodes[i];
            let (lhs, rhs, g) = (node.lhs as usize, node.rhs as usize, node.grad);
            match node.op {
                Op::Leaf => {}
                Op::Add => {
                    nodes[lhs].grad += g;
                    nodes[rhs].grad += g;
                }
                Op::Mul => {
                    let (a, b) = (nodes[lhs].data, nodes[rhs].data);
                    nodes[lhs].grad += b * g;
                    nodes[rhs].grad += a * g;
                }
                Op::Relu => {
                    if node.data > 0.0 {
                        nodes[lhs].grad += g;
                    }
                }
            }
        }
    }
}

/// `y = x; y = y * 1.000001` n times, a leaf and a product per step. Returns the root.
fn build_chain(t: &mut Tape, n: usize) -> u32 {
    let mut y = t.leaf(1.0);
    for _ in 0..n {
        let c = t.leaf(1.000001);
        y = t.mul(y, c);
    }
    y
}

/// n products `x * k`, summed pairwise level by level (the last odd one folded
/// into the last pair). Returns the root.
fn build_wide(t: &mut Tape, n: usize) -> u32 {
    let x = t.leaf(1.5);
    let mut xs: Vec<u32> = (0..n)
        .map(|k| {
            let c = t.leaf(k as f64);
            t.mul(x, c)
        })
        .collect();
    while xs.len() > 1 {
        let m = xs.len();
        let h = m / 2;
        let mut ys: Vec<u32> = (0..h).map(|i| t.add(xs[2 * i], xs[2 * i + 1])).collect();
        if m % 2 == 1 {
            ys[h - 1] = t.add(ys[h - 1], xs[m - 1]);
        }
        xs = ys;
    }
    xs[0]
}

/// n products `x * k`, then summed by a left fold. Returns the root.
fn build_wide_sum(t: &mut Tape, n: usize) -> u32 {
    let x = t.leaf(1.5);
    let xs: Vec<u32> = (0..n)
        .map(|k| {
            let c = t.leaf(k as f64);
            t.mul(x, c)
        })
        .collect();
    let mut total = xs[0];
    for &term in &xs[1..] {
        total = t.add(total, term);
    }
    total
}

/// (build seconds, backward seconds, nodes), medians over `runs`.
fn graph_case(kind: &str, n: usize, runs: usize) -> (f64, f64, usize) {
    let mut builds = Vec::new();
    let mut backwards = Vec::new();
    let mut nodes = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let mut t = Tape::default();
        let root = match kind {
            "chain" => build_chain(&mut t, n),
            "wide-sum" => build_wide_sum(&mut t, n),
            _ => build_wide(&mut t, n),
        };
        let built = Instant::now();
        t.backward(root);
        let done = Instant::now();
        nodes = t.nodes.len();
        builds.push((built - start).as_secs_f64());
        backwards.push((done - built).as_secs_f64());
        drop(std::hint::black_box(t));
    }
    (median(builds), median(backwards), nodes)
}

/// micrograd's moons demo on a tape: the parameters are the first nodes, weights
/// then bias per neuron, layer by layer; each step appends its graph above them
/// and truncates it away at the end.
struct Moons {
    params: usize,
    x: Vec<[f64; 2]>,
    y: Vec<f64>,
    /// Scratch, kept across steps: the inputs and outputs of the layer being
    /// computed, the scores, the losses.
    activations: Vec<u32>,
    next: Vec<u32>,
    scores: Vec<u32>,
    losses: Vec<u32>,
}

impl Moons {
    fn new(t: &mut Tape) -> Moons {
        let mut params = 0;
        let mut fan_in = MOONS_INPUTS;
        for size in MOONS_SIZES {
            params += size * (fan_in + 1);
            fan_in = size;
        }
        for j in 0..params {
            t.leaf(parameter(j));
        }
        let (x, y) = moons_data();
        Moons {
            params,
            x,
            y,
            activations: Vec::new(),
            next: Vec::new(),
            scores: Vec::new(),
            losses: Vec::new(),
        }
    }

    /// `act(b + w0*x0 + w1*x1 + …)` per neuron, layer by layer (relu but on the last).
    fn forward(&mut self, t: &mut Tape, inputs: [u32; 2]) -> u32 {
        self.activations.clear();
        self.activations.extend(inputs);
        let mut param = 0u32;
        for (layer, size) in MOONS_SIZES.iter().enumerate() {
            let relu = layer + 1 != MOONS_SIZES.len();
            self.next.clear();
            for _ in 0..*size {
                let weights = param;
                let bias = param + self.activations.len() as u32;
                let mut total = bias;
                for (k, &input) in self.activations.iter().enumerate() {
                    let product = t.mul(weights + k as u32, input);
                    total = t.add(total, product);
                }
                self.next.push(if relu { t.relu(total) } else { total });
                param = bias + 1;
            }
            std::mem::swap(&mut self.activations, &mut self.next);
        }
        self.activations[0]
    }

    /// One training step `k`, as benches/shared/workloads.rs's `Moons::step`. Returns the loss.
    fn step(&mut self, t: &mut Tape, k: usize) -> f64 {
        let mut scores = std::mem::take(&mut self.scores);
        scores.clear();
        for i in 0..self.x.len() {
            let [px, py] = self.x[i];
            let inputs = [t.leaf(px), t.leaf(py)];
            scores.push(self.forward(t, inputs));
        }
        let mut losses = std::mem::take(&mut self.losses);
        losses.clear();
        for (&y, &score) in self.y.iter().zip(&scores) {
            let neg_y = t.leaf(-y);
            let margin = t.mul(neg_y, score);
            let one = t.leaf(1.0);
            let sum = t.add(one, margin);
            losses.push(t.relu(sum));
        }
        let mut data_sum = losses[0];
        for &loss in &losses[1..] {
            data_sum = t.add(data_sum, loss);
        }
        let scale = t.leaf(1.0 / losses.len() as f64);
        let data_loss = t.mul(data_sum, scale);
        // The squares are appended side by side, then summed from the left.
        let first_square = t.nodes.len() as u32;
        for p in 0..self.params as u32 {
            t.mul(p, p);
        }
        let alpha = t.leaf(1e-4);
        let mut squares_sum = first_square;
        for square in first_square + 1..first_square + self.params as u32 {
            squares_sum = t.add(squares_sum, square);
        }
        let reg_loss = t.mul(alpha, squares_sum);
        let total = t.add(data_loss, reg_loss);
        for node in &mut t.nodes[..self.params] {
            node.grad = 0.0;
        }
        t.backward(total);
        let lr = 1.0 - 0.9 * k as f64 / 100.0;
        for node in &mut t.nodes[..self.params] {
            node.data -= lr * node.grad;
        }
        let loss = t.data(total);
        t.nodes.truncate(self.params);
        self.scores = scores;
        self.losses = losses;
        loss
    }
}

/// Seconds per training step (median over `runs` of `steps` steps), and the final loss.
fn moons_case(steps: usize, runs: usize) -> (f64, f64) {
    let mut per_step = Vec::new();
    let mut loss = f64::NAN;
    for _ in 0..runs {
        let mut t = Tape::default();
        let mut moons = Moons::new(&mut t);
        let start = Instant::now();
        for k in 0..steps {
            loss = moons.step(&mut t, k);
        }
        per_step.push(start.elapsed().as_secs_f64() / steps.max(1) as f64);
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
            for kind in ["chain", "wide", "wide-sum"] {
                for n in [10_000, 100_000, 1_000_000] {
                    let (build, backward, nodes) = graph_case(kind, n, 5);
                    let per = |s: f64| s * 1e9 / nodes as f64;
                    println!(
                        "{kind:<8} {n:>9} {nodes:>10} {:>8.1} {:>8.1} ns/node (build, backward)",
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
