//! The benchmark workloads written directly against the engine's Rust API: the
//! native reference for bench/compare.sh. Each mirrors the mg script of the same
//! name in bench/ node for node (chain.mg.in, wide.mg.in, moons.mg.in).
//!
//! Shared by benches/engine.rs (divan) and benches/native.rs (plain numbers for
//! the compare script) through `#[path]`; this folder has no main.rs, so cargo
//! does not take it for a bench target of its own.

#![allow(dead_code)] // each bench target uses a subset

use mgrad::graph::{Graph, NodeId, Op};

use super::data::{self, moons_data};

/// `x = 1.0; y = x; for k in 0..n { y = y * 1.000001 }`: a leaf, then a
/// constant leaf and a product per step. Returns (x, y).
pub fn build_chain(g: &mut Graph, n: usize) -> (NodeId, NodeId) {
    let x = g.leaf(1.0).unwrap();
    let mut y = x;
    for _ in 0..n {
        let c = g.leaf(1.000001).unwrap();
        y = g.apply(Op::Mul, &[y, c]).unwrap();
    }
    (x, y)
}

/// `xs = [x * k for k in 0..n]`, then summed pairwise (the last odd one folded
/// into the last pair), as bench/wide.mg.in. Returns (x, sum).
pub fn build_wide(g: &mut Graph, n: usize) -> (NodeId, NodeId) {
    let x = g.leaf(1.5).unwrap();
    let mut xs: Vec<NodeId> = (0..n)
        .map(|k| {
            let c = g.leaf(k as f64).unwrap();
            g.apply(Op::Mul, &[x, c]).unwrap()
        })
        .collect();
    while xs.len() > 1 {
        let m = xs.len();
        let h = m / 2;
        let mut ys: Vec<NodeId> = (0..h)
            .map(|i| g.apply(Op::Add, &[xs[2 * i], xs[2 * i + 1]]).unwrap())
            .collect();
        if m % 2 == 1 {
            ys[h - 1] = g.apply(Op::Add, &[ys[h - 1], xs[m - 1]]).unwrap();
        }
        xs = ys;
    }
    (x, xs[0])
}

/// `s = sum([x * k for k in 0..n])`, as bench/wide-sum.mg.in: the products,
/// then mg's `sum`, a left fold (N-1 additions in a chain). Returns (x, s).
pub fn build_wide_sum(g: &mut Graph, n: usize) -> (NodeId, NodeId) {
    let x = g.leaf(1.5).unwrap();
    let xs: Vec<NodeId> = (0..n)
        .map(|k| {
            let c = g.leaf(k as f64).unwrap();
            g.apply(Op::Mul, &[x, c]).unwrap()
        })
        .collect();
    let mut total = xs[0];
    for &term in &xs[1..] {
        total = g.apply(Op::Add, &[total, term]).unwrap();
    }
    (x, total)
}

/// One neuron of micrograd's MLP: weights then bias, and whether relu follows.
pub struct Neuron {
    pub weights: Vec<NodeId>,
    pub bias: NodeId,
    pub relu: bool,
}

/// micrograd's `MLP(2, [16, 16, 1])`: relu hidden layers, a linear output.
pub struct Mlp {
    pub layers: Vec<Vec<Neuron>>,
}

impl Mlp {
    /// Parameters as leaves, set by the same deterministic formula as moons.mg.in
    /// and moons.py: the j-th parameter (micrograd's order) is
    /// `((j + 1) * 0.7548776662466927) % 1 * 2 - 1`.
    pub fn new(g: &mut Graph, inputs: usize, sizes: &[usize]) -> Mlp {
        let mut j = 0usize;
        let mut next = |g: &mut Graph| {
            j += 1;
            g.leaf(data::parameter(j - 1)).unwrap()
        };
        let mut layers = Vec::new();
        let mut fan_in = inputs;
        for (index, &size) in sizes.iter().enumerate() {
            let relu = index + 1 != sizes.len();
            let layer = (0..size)
                .map(|_| {
                    let weights = (0..fan_in).map(|_| next(g)).collect();
                    let bias = next(g);
                    Neuron { weights, bias, relu }
                })
                .collect();
            layers.push(layer);
            fan_in = size;
        }
        Mlp { layers }
    }

    pub fn parameters(&self) -> Vec<NodeId> {
        let mut ps = Vec::new();
        for layer in &self.layers {
            for neuron in layer {
                ps.extend(&neuron.weights);
                ps.push(neuron.bias);
            }
        }
        ps
    }

    /// `act(b + w0*x0 + w1*x1 + …)` per neuron, layer by layer. Returns the
    /// output of the last layer's only neuron.
    pub fn forward(&self, g: &mut Graph, x: &[NodeId]) -> NodeId {
        let mut activations = x.to_vec();
        for layer in &self.layers {
            activations = layer
                .iter()
                .map(|neuron| {
                    let mut total = neuron.bias;
                    for (&w, &xi) in neuron.weights.iter().zip(&activations) {
                        let product = g.apply(Op::Mul, &[w, xi]).unwrap();
                        total = g.apply(Op::Add, &[total, product]).unwrap();
                    }
                    if neuron.relu {
                        g.apply(Op::Relu, &[total]).unwrap()
                    } else {
                        total
                    }
                })
                .collect();
        }
        activations[0]
    }
}

/// The model and data of the moons workload.
pub struct Moons {
    pub mlp: Mlp,
    pub params: Vec<NodeId>,
    pub x: Vec<[f64; 2]>,
    pub y: Vec<f64>,
}

impl Moons {
    pub fn new(g: &mut Graph) -> Moons {
        let mlp = Mlp::new(g, 2, &[16, 16, 1]);
        let params = mlp.parameters();
        let (x, y) = moons_data();
        Moons { mlp, params, x, y }
    }

    /// One training step `k` of micrograd's demo: forward the 100 points, SVM
    /// max-margin loss + 1e-4 L2, zero grads, backward, SGD. Returns the loss.
    /// At the end the step's graph is collected (only the parameters are kept),
    /// as mg collects between the steps of a training loop: the arena keeps its
    /// pages, and the next step fills them again.
    pub fn step(&self, g: &mut Graph, k: usize) -> f64 {
        let mut scores = Vec::with_capacity(self.x.len());
        for point in &self.x {
            let inputs = [g.leaf(point[0]).unwrap(), g.leaf(point[1]).unwrap()];
            scores.push(self.mlp.forward(g, &inputs));
        }
        let mut losses = Vec::with_capacity(scores.len());
        for (&yi, &score) in self.y.iter().zip(&scores) {
            let neg_y = g.leaf(-yi).unwrap();
            let margin = g.apply(Op::Mul, &[neg_y, score]).unwrap();
            let one = g.leaf(1.0).unwrap();
            let sum = g.apply(Op::Add, &[one, margin]).unwrap();
            losses.push(g.apply(Op::Relu, &[sum]).unwrap());
        }
        let data_sum = sum(g, &losses);
        let scale = g.leaf(1.0 / losses.len() as f64).unwrap();
        let data_loss = g.apply(Op::Mul, &[data_sum, scale]).unwrap();
        let squares: Vec<NodeId> = self
            .params
            .iter()
            .map(|&p| g.apply(Op::Mul, &[p, p]).unwrap())
            .collect();
        let alpha = g.leaf(1e-4).unwrap();
        let squares_sum = sum(g, &squares);
        let reg_loss = g.apply(Op::Mul, &[alpha, squares_sum]).unwrap();
        let total = g.apply(Op::Add, &[data_loss, reg_loss]).unwrap();
        for &p in &self.params {
            g.set_grad(p, 0.0);
        }
        g.backward(total).unwrap();
        let lr = 1.0 - 0.9 * k as f64 / 100.0;
        for &p in &self.params {
            let updated = g.data(p) - lr * g.grad(p);
            g.set_data(p, updated);
        }
        let loss = g.data(total);
        g.collect_garbage(&self.params);
        loss
    }
}

/// Left-to-right sum, as mg's `sum` (no leading zero node).
fn sum(g: &mut Graph, items: &[NodeId]) -> NodeId {
    let mut total = items[0];
    for &item in &items[1..] {
        total = g.apply(Op::Add, &[total, item]).unwrap();
    }
    total
}
