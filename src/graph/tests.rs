use super::*;

/// Builds graphs in tests with less noise: `leaf` and `op` unwrap, which is
/// fine here since every test builds finite graphs on purpose.
struct Builder {
    g: Graph,
    /// Every node built, in creation order.
    created: Vec<NodeId>,
    /// For [`Builder::scattered`]: placeholder leaves, one freed before each
    /// new node.
    spacers: Vec<NodeId>,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            g: Graph::new(),
            created: Vec::new(),
            spacers: Vec::new(),
        }
    }

    /// A builder that puts new nodes in reused slots, out of creation order.
    /// It reserves `capacity` slots with placeholder leaves, and before each
    /// node frees one, alternately the highest and the lowest left: the new
    /// node takes that slot when it lies above the node's inputs (always for
    /// a leaf), and goes to the end of the arena otherwise.
    fn scattered(capacity: usize) -> Builder {
        let mut b = Builder::new();
        b.spacers = (0..capacity).map(|_| b.g.leaf(f64::NAN).unwrap()).collect();
        b
    }

    fn place(&mut self, make: impl FnOnce(&mut Graph) -> NodeId) -> NodeId {
        if self.spacers.is_empty() {
            let id = make(&mut self.g);
            self.created.push(id);
            return id;
        }
        let spacer = if self.created.len().is_multiple_of(2) {
            self.spacers.remove(0)
        } else {
            self.spacers.pop().unwrap()
        };
        let roots: Vec<NodeId> = self.spacers.iter().chain(&self.created).copied().collect();
        assert_eq!(self.g.collect_garbage(&roots), 1);
        let id = make(&mut self.g);
        let inputs = self.g.inputs(id);
        assert!(inputs.iter().all(|&input| input < id), "{id:?} sits below an input");
        if inputs.iter().all(|&input| input < spacer) {
            assert!(id <= spacer, "a free slot above the inputs is reused");
        }
        self.created.push(id);
        id
    }

    fn leaf(&mut self, x: f64) -> NodeId {
        self.place(|g| g.leaf(x).unwrap())
    }

    fn constant(&mut self, x: f64) -> NodeId {
        self.place(|g| g.constant(x).unwrap())
    }

    fn op(&mut self, op: Op, inputs: &[NodeId]) -> NodeId {
        self.place(|g| g.apply(op, inputs).unwrap())
    }

    /// Where `id` comes in creation order, to compare graphs built in
    /// different slots.
    fn creation_index(&self, id: NodeId) -> usize {
        self.created.iter().position(|&c| c == id).unwrap()
    }

    fn add(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.op(Op::Add, &[a, b])
    }

    fn mul(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.op(Op::Mul, &[a, b])
    }

    /// `a + c` for a constant `c`, as micrograd wraps the number in a Value.
    fn add_c(&mut self, a: NodeId, c: f64) -> NodeId {
        let c = self.constant(c);
        self.add(a, c)
    }

    fn mul_c(&mut self, a: NodeId, c: f64) -> NodeId {
        let c = self.constant(c);
        self.mul(a, c)
    }
}

#[track_caller]
fn assert_close(actual: f64, expected: f64, tol: f64) {
    assert!((actual - expected).abs() <= tol, "expected {expected}, got {actual}");
}

#[test]
fn node_is_at_most_32_bytes() {
    assert!(std::mem::size_of::<Node>() <= 32);
    assert_eq!(std::mem::size_of::<Op>(), 1);
}

#[test]
fn op_tables_agree() {
    for op in Op::ALL {
        assert_eq!(op.is_infix(), op.arity() == 2 && !matches!(op, Op::Max | Op::Min));
        assert_eq!(op.symbol().is_empty(), op == Op::Leaf);
    }
    assert_eq!(Op::Pow.symbol(), "**");
    assert_eq!(Op::Sigmoid.arity(), 1);
}

#[test]
fn node_ids_round_trip() {
    assert_eq!(NodeId::from_index(7).index(), 7);
    assert!(NodeId::from_index(1) < NodeId::from_index(2));
}

#[test]
fn forward_values() {
    assert_eq!(forward(Op::Add, 2.0, 3.0), 5.0);
    assert_eq!(forward(Op::Sub, 2.0, 3.0), -1.0);
    assert_eq!(forward(Op::Div, 1.0, 4.0), 0.25);
    assert_eq!(forward(Op::Pow, 2.0, 10.0), 1024.0);
    assert_eq!(forward(Op::Neg, 2.0, 0.0), -2.0);
    assert_eq!(forward(Op::Relu, -3.0, 0.0), 0.0);
    assert!(forward(Op::Relu, -0.0, 0.0).is_sign_positive());
    assert_eq!(forward(Op::Relu, 3.0, 0.0), 3.0);
    assert_eq!(forward(Op::Sigmoid, 0.0, 0.0), 0.5);
    assert_eq!(forward(Op::Max, 1.0, 2.0), 2.0);
    assert_eq!(forward(Op::Min, 1.0, 2.0), 1.0);
    assert_eq!(forward(Op::Abs, -1.5, 0.0), 1.5);
    assert_eq!(forward(Op::Tanh, 25.0, 0.0), 1.0);
    assert_eq!(forward(Op::Tanh, 1000.0, 0.0), 1.0);
    assert_eq!(forward(Op::Tanh, -1000.0, 0.0), -1.0);
    assert_eq!(forward(Op::Sigmoid, -1000.0, 0.0), 0.0);
}

#[test]
fn tanh_matches_micrograd_to_the_last_digit() {
    assert_eq!(
        format!("{}", forward(Op::Tanh, 0.8813735870195432, 0.0)),
        "0.7071067811865476"
    );
    // Just below the cutoff the formula itself already gives exactly 1.
    let e = (2.0f64 * 20.0).exp();
    assert_eq!((e - 1.0) / (e + 1.0), 1.0);
}

/// Every op's local derivatives, through `local_derivative` and through
/// `backward`, against central differences of `forward`.
#[test]
fn each_op_derivative_matches_central_differences() {
    let points = [(0.7, 1.3), (2.5, -0.4), (1.9, 3.0), (-1.2, 0.5), (-0.3, -2.2)];
    let h = 1e-6;
    for op in Op::ALL {
        if op == Op::Leaf {
            continue;
        }
        let mut checked = 0;
        for (x, y) in points {
            let around = [
                forward(op, x + h, y),
                forward(op, x - h, y),
                forward(op, x, y + h),
                forward(op, x, y - h),
            ];
            if around.iter().any(|v| !v.is_finite()) {
                continue;
            }
            let mut b = Builder::new();
            let a = b.leaf(x);
            let c = b.leaf(y);
            let inputs: &[NodeId] = if op.arity() == 2 { &[a, c] } else { &[a] };
            let out = b.op(op, inputs);
            let mut g = b.g;
            g.backward(out).unwrap();
            let numeric_x = (around[0] - around[1]) / (2.0 * h);
            let tol = 1e-5 * (1.0 + numeric_x.abs());
            assert_close(g.local_derivative(out, 0), numeric_x, tol);
            assert_close(g.grad(a), numeric_x, tol);
            if op.arity() == 2 {
                let numeric_y = (around[2] - around[3]) / (2.0 * h);
                let tol = 1e-5 * (1.0 + numeric_y.abs());
                assert_close(g.local_derivative(out, 1), numeric_y, tol);
                assert_close(g.grad(c), numeric_y, tol);
            } else {
                assert_eq!(g.grad(c), 0.0);
            }
            checked += 1;
        }
        assert!(checked >= 2, "{op:?} was checked at only {checked} points");
    }
}

#[test]
fn special_points_of_local_derivatives() {
    let mut b = Builder::new();
    let zero = b.leaf(0.0);
    let two = b.leaf(2.0);
    let neg = b.leaf(-2.0);
    let zero_exp = b.leaf(0.0);
    // 0 ** 0 is 1 for every base, so d/dx is 0, not 0 * inf.
    let p = b.op(Op::Pow, &[zero, zero_exp]);
    assert_eq!(b.g.local_derivative(p, 0), 0.0);
    assert_eq!(b.g.local_derivative(p, 1), 0.0);
    // A negative base has no derivative in the exponent.
    let p = b.op(Op::Pow, &[neg, two]);
    assert_eq!(b.g.local_derivative(p, 0), -4.0);
    assert!(b.g.local_derivative(p, 1).is_nan());
    let r = b.op(Op::Relu, &[zero]);
    assert_eq!(b.g.local_derivative(r, 0), 0.0);
    let a = b.op(Op::Abs, &[zero]);
    assert_eq!(b.g.local_derivative(a, 0), 0.0);
    let m = b.op(Op::Max, &[two, two]);
    assert_eq!(b.g.local_derivative(m, 0), 0.5);
    assert_eq!(b.g.local_derivative(m, 1), 0.5);
    let m = b.op(Op::Min, &[neg, two]);
    assert_eq!(b.g.local_derivative(m, 0), 1.0);
    assert_eq!(b.g.local_derivative(m, 1), 0.0);
}

#[test]
fn an_input_used_twice_gets_both_contributions() {
    let mut b = Builder::new();
    let a = b.leaf(3.0);
    let sum = b.add(a, a);
    b.g.backward(sum).unwrap();
    assert_eq!(b.g.grad(a), 2.0);

    let mut b = Builder::new();
    let a = b.leaf(3.0);
    let square = b.mul(a, a);
    b.g.backward(square).unwrap();
    assert_eq!(b.g.grad(a), 6.0);
    assert_eq!(b.g.topo(square), vec![a, square]);
}

#[test]
fn seed_example() {
    // a = -6; b = a**2 - a
    let mut b = Builder::new();
    let a = b.leaf(-6.0);
    let two = b.constant(2.0);
    let square = b.op(Op::Pow, &[a, two]);
    let out = b.op(Op::Sub, &[square, a]);
    b.g.backward(out).unwrap();
    assert_eq!(b.g.data(out), 42.0);
    assert_eq!(b.g.grad(a), -13.0);
    assert_eq!(b.g.grad(out), 1.0);
}

#[test]
fn micrograd_sanity_check() {
    let (mut b, x, y) = sanity_check_graph(Builder::new());
    b.g.backward(y).unwrap();
    assert_eq!(b.g.data(y), -20.0);
    assert_eq!(b.g.grad(x), 46.0);
}

/// micrograd's test_sanity_check: returns x and y.
fn sanity_check_graph(mut b: Builder) -> (Builder, NodeId, NodeId) {
    let x = b.leaf(-4.0);
    // z = 2 * x + 2 + x
    let two_x = {
        let two = b.leaf(2.0);
        b.mul(two, x)
    };
    let z = b.add_c(two_x, 2.0);
    let z = b.add(z, x);
    // q = z.relu() + z * x
    let relu_z = b.op(Op::Relu, &[z]);
    let zx = b.mul(z, x);
    let q = b.add(relu_z, zx);
    // h = (z * z).relu()
    let zz = b.mul(z, z);
    let h = b.op(Op::Relu, &[zz]);
    // y = h + q + q * x
    let hq = b.add(h, q);
    let qx = b.mul(q, x);
    let y = b.add(hq, qx);
    (b, x, y)
}

#[test]
fn micrograd_more_ops() {
    let (mut b, [a, bb], g) = more_ops_graph(Builder::new());
    b.g.backward(g).unwrap();
    assert_close(b.g.data(g), 24.70408163265306, 1e-6);
    assert_close(b.g.grad(a), 138.83381924198252, 1e-6);
    assert_close(b.g.grad(bb), 645.5772594752186, 1e-6);
    assert!(b.g.check(g, &[a, bb], CheckOptions::default()).unwrap().ok);
}

/// micrograd's test_more_ops: returns a, b and g.
fn more_ops_graph(mut b: Builder) -> (Builder, [NodeId; 2], NodeId) {
    let a = b.leaf(-4.0);
    let bb = b.leaf(2.0);
    // c = a + b
    let c = b.add(a, bb);
    // d = a * b + b**3
    let ab = b.mul(a, bb);
    let three = b.constant(3.0);
    let b_cubed = b.op(Op::Pow, &[bb, three]);
    let d = b.add(ab, b_cubed);
    // c += c + 1
    let c1 = b.add_c(c, 1.0);
    let c = b.add(c, c1);
    // c += 1 + c + (-a)
    let one = b.leaf(1.0);
    let one_c = b.add(one, c);
    let neg_a = b.op(Op::Neg, &[a]);
    let rhs = b.add(one_c, neg_a);
    let c = b.add(c, rhs);
    // d += d * 2 + (b + a).relu()
    let d2 = b.mul_c(d, 2.0);
    let ba = b.add(bb, a);
    let relu_ba = b.op(Op::Relu, &[ba]);
    let rhs = b.add(d2, relu_ba);
    let d = b.add(d, rhs);
    // d += 3 * d + (b - a).relu()
    let three_d = {
        let three = b.leaf(3.0);
        b.mul(three, d)
    };
    let b_minus_a = b.op(Op::Sub, &[bb, a]);
    let relu = b.op(Op::Relu, &[b_minus_a]);
    let rhs = b.add(three_d, relu);
    let d = b.add(d, rhs);
    // e = c - d; f = e**2; g = f / 2.0; g += 10.0 / f
    let e = b.op(Op::Sub, &[c, d]);
    // A constant exponent: a negative base has no derivative in it (NaN),
    // which backward keeps for a constant without error.
    let two = b.constant(2.0);
    let f = b.op(Op::Pow, &[e, two]);
    let two = b.leaf(2.0);
    let g = b.op(Op::Div, &[f, two]);
    let ten = b.leaf(10.0);
    let ten_f = b.op(Op::Div, &[ten, f]);
    let g = b.add(g, ten_f);
    (b, [a, bb], g)
}

/// The neuron of the micrograd lecture, and the graph it builds.
fn lecture_neuron() -> (Graph, [NodeId; 4], NodeId) {
    let (b, leaves, o) = lecture_neuron_in(Builder::new());
    (b.g, leaves, o)
}

fn lecture_neuron_in(mut b: Builder) -> (Builder, [NodeId; 4], NodeId) {
    let x1 = b.leaf(2.0);
    let x2 = b.leaf(0.0);
    let w1 = b.leaf(-3.0);
    let w2 = b.leaf(1.0);
    // The lecture writes 6.8813735870195432; this is the same f64.
    let bias = b.leaf(6.881_373_587_019_543);
    let x1w1 = b.mul(x1, w1);
    let x2w2 = b.mul(x2, w2);
    let sum = b.add(x1w1, x2w2);
    let n = b.add(sum, bias);
    let o = b.op(Op::Tanh, &[n]);
    (b, [x1, x2, w1, w2], o)
}

#[test]
fn lecture_neuron_matches_the_lecture() {
    let (mut g, [x1, x2, w1, w2], o) = lecture_neuron();
    assert_eq!(format!("{}", g.data(o)), "0.7071067811865476");
    g.backward(o).unwrap();
    assert_close(g.grad(x1), -1.5, 1e-12);
    assert_close(g.grad(w1), 1.0, 1e-12);
    assert_close(g.grad(x2), 0.5, 1e-12);
    assert_eq!(g.grad(w2), 0.0);
}

#[test]
fn repeated_backward_accumulates() {
    let mut b = Builder::new();
    let x = b.leaf(3.0);
    let y = b.leaf(-2.0);
    let product = b.mul(x, y);
    b.g.backward(product).unwrap();
    b.g.backward(product).unwrap();
    assert_eq!(b.g.grad(x), -4.0);
    assert_eq!(b.g.grad(y), 6.0);
    // The root's grad is assigned, not added.
    assert_eq!(b.g.grad(product), 1.0);

    // Deeper down, interior grads accumulate too, so leaves get more than
    // double, exactly as in micrograd: n.grad goes 0.5 then 1, the sum above
    // x1 * w1 goes 0.5 then 1.5, x1 * w1 goes 0.5 then 2, and x1 gets
    // -1.5 + w1 * 2 = -7.5.
    let (mut g, [x1, ..], o) = lecture_neuron();
    g.backward(o).unwrap();
    g.backward(o).unwrap();
    assert_close(g.grad(x1), -7.5, 1e-12);
    assert_eq!(g.grad(o), 1.0);
}

#[test]
fn zero_grad_clears_only_the_roots_graphs() {
    let mut b = Builder::new();
    let x = b.leaf(1.5);
    let y = b.leaf(2.0);
    let loss = b.mul(x, x);
    let other = b.mul(y, y);
    b.g.backward(loss).unwrap();
    b.g.backward(other).unwrap();
    b.g.zero_grad(&[loss]);
    assert_eq!(b.g.grad(x), 0.0);
    assert_eq!(b.g.grad(loss), 0.0);
    assert_eq!(b.g.grad(y), 4.0);
    b.g.zero_all_grads();
    assert_eq!(b.g.grad(y), 0.0);
    assert_eq!(b.g.grad(other), 0.0);
}

#[test]
fn topo_is_micrograds_post_order() {
    // out = (a * b) + (a + c): inputs visited lhs first, each node once.
    let mut b = Builder::new();
    let a = b.leaf(1.0);
    let bb = b.leaf(2.0);
    let c = b.leaf(3.0);
    let dead = b.leaf(4.0);
    let ab = b.mul(a, bb);
    let ac = b.add(a, c);
    let _unused = b.add(dead, ab);
    let out = b.add(ab, ac);
    assert_eq!(b.g.topo(out), vec![a, bb, ab, c, ac, out]);
    assert_eq!(b.g.topo(a), vec![a]);
}

#[test]
fn backward_observed_reports_each_step_in_order() {
    let mut b = Builder::new();
    let a = b.leaf(3.0);
    let c = b.leaf(4.0);
    let ac = b.mul(a, c);
    let out = b.add(ac, a);
    let mut steps = Vec::new();
    b.g.backward_observed(out, &mut |step| steps.push(*step)).unwrap();
    let summary: Vec<(NodeId, NodeId, usize, f64, f64)> = steps
        .iter()
        .map(|s| (s.node, s.input, s.which, s.local, s.input_grad_after))
        .collect();
    assert_eq!(
        summary,
        vec![
            (out, ac, 0, 1.0, 1.0),
            (out, a, 1, 1.0, 1.0),
            (ac, a, 0, 4.0, 5.0),
            (ac, c, 1, 3.0, 3.0),
        ]
    );
    for step in &steps {
        assert_eq!(step.contribution, step.local * step.upstream);
    }
    assert_eq!(b.g.grad(a), 5.0);
}

#[test]
fn a_million_node_chain_needs_no_deep_stack() {
    let mut g = Graph::new();
    let x0 = g.leaf(1.0).unwrap();
    let factor = g.leaf(1.000_000_1).unwrap();
    let mut x = x0;
    for _ in 0..1_000_000 {
        x = g.apply(Op::Mul, &[x, factor]).unwrap();
    }
    assert_eq!(g.len(), 1_000_002);
    assert_eq!(g.topo(x).len(), 1_000_002);
    g.backward(x).unwrap();
    assert_close(g.grad(x0), 1.000_000_1f64.powi(1_000_000), 1e-9);
    g.zero_grad(&[x]);
    assert_eq!(g.grad(x0), 0.0);
}

#[test]
fn non_finite_results_are_errors_and_add_nothing() {
    let mut g = Graph::new();
    let one = g.leaf(1.0).unwrap();
    let zero = g.leaf(0.0).unwrap();
    let minus_one = g.leaf(-1.0).unwrap();
    let minus_eight = g.leaf(-8.0).unwrap();
    let half = g.leaf(0.5).unwrap();
    let thousand = g.leaf(1000.0).unwrap();
    let before = g.len();
    let cases: [(Op, &[NodeId], &str); 7] = [
        (Op::Div, &[one, zero], "1 / 0 is not a finite number (inf)"),
        (Op::Log, &[minus_one], "log(-1) is not a finite number (NaN)"),
        (Op::Log, &[zero], "log(0) is not a finite number (-inf)"),
        (
            Op::Pow,
            &[minus_eight, half],
            "(-8) ** 0.5 is not a finite number (NaN)",
        ),
        (Op::Pow, &[zero, minus_one], "0 ** (-1) is not a finite number (inf)"),
        (Op::Exp, &[thousand], "exp(1000) is not a finite number (inf)"),
        (Op::Sqrt, &[minus_one], "sqrt(-1) is not a finite number (NaN)"),
    ];
    for (op, inputs, message) in cases {
        let error = g.apply(op, inputs).unwrap_err();
        assert!(matches!(error, GraphError::NonFinite { op: o, .. } if o == op));
        assert_eq!(error.to_string(), message);
    }
    assert_eq!(g.len(), before);
    let error = g.apply(Op::Div, &[one, zero]).unwrap_err();
    assert_eq!(
        error,
        GraphError::NonFinite {
            op: Op::Div,
            operands: vec![1.0, 0.0],
            result: f64::INFINITY,
        }
    );
}

#[test]
fn the_node_limit_is_an_error() {
    let mut g = Graph::with_node_limit(2);
    let a = g.leaf(1.0).unwrap();
    let b = g.leaf(2.0).unwrap();
    let error = g.apply(Op::Add, &[a, b]).unwrap_err();
    assert_eq!(error, GraphError::TooManyNodes { limit: 2 });
    assert_eq!(g.leaf(3.0), Err(GraphError::TooManyNodes { limit: 2 }));
    assert_eq!(
        GraphError::TooManyNodes { limit: 1_000_000 }.to_string(),
        "the graph already holds 1000000 nodes, the limit"
    );
    assert_eq!(g.len(), 2);
    assert!(!g.is_empty());
    assert!(Graph::default().is_empty());
}

#[test]
fn the_limit_counts_live_nodes_when_a_free_slot_lies_below_the_inputs() {
    let mut g = Graph::with_node_limit(3);
    let _a = g.leaf(1.0).unwrap();
    let b = g.leaf(2.0).unwrap();
    let c = g.leaf(3.0).unwrap();
    assert_eq!(g.collect_garbage(&[b, c]), 1);
    // Slot 0 is free, but below both inputs: the sum goes to the end.
    let d = g.apply2(Op::Add, b, c).unwrap();
    assert_eq!((d.index(), g.len(), g.slot_count()), (3, 3, 4));
    // Three live nodes: full, though slot 0 is still free.
    assert_eq!(g.leaf(0.0), Err(GraphError::TooManyNodes { limit: 3 }));
    assert_eq!(g.apply2(Op::Mul, d, d), Err(GraphError::TooManyNodes { limit: 3 }));
    assert_eq!(g.collect_garbage(&[b]), 2, "d and c go; slot 0 stays free");
    assert_eq!(g.leaf(0.0).unwrap().index(), 0, "with room again, the lowest free slot");
}

#[test]
fn the_limit_counts_live_nodes_and_reused_slots() {
    let mut g = Graph::with_node_limit(3);
    let a = g.leaf(1.0).unwrap();
    let zero = g.leaf(0.0).unwrap();
    g.apply2(Op::Add, a, zero).unwrap();
    assert_eq!(g.leaf(0.0), Err(GraphError::TooManyNodes { limit: 3 }));
    assert_eq!(g.apply2(Op::Div, a, a), Err(GraphError::TooManyNodes { limit: 3 }));
    // A result that is not finite is reported as such even in a full graph.
    assert!(matches!(g.apply2(Op::Div, a, zero), Err(GraphError::NonFinite { .. })));
    // Freed slots are reused up to the same limit.
    assert_eq!(g.collect_garbage(&[a]), 2);
    assert_eq!((g.len(), g.created_since_collection()), (1, 0));
    let c = g.apply2(Op::Mul, a, a).unwrap();
    let d = g.apply1(Op::Neg, c).unwrap();
    assert_eq!((g.len(), g.slot_count(), g.created_since_collection()), (3, 3, 2));
    assert_eq!(g.apply2(Op::Add, c, d), Err(GraphError::TooManyNodes { limit: 3 }));
    assert_eq!(g.apply1(Op::Exp, a), Err(GraphError::TooManyNodes { limit: 3 }));
    assert_eq!(g.len(), 3);
}

#[test]
fn apply1_and_apply2_are_apply_without_the_slice() {
    let mut g = Graph::new();
    let x = g.leaf(0.75).unwrap();
    let y = g.leaf(-1.25).unwrap();
    for op in Op::ALL.into_iter().filter(|&op| op != Op::Leaf) {
        let (by_slice, direct) = if op.arity() == 2 {
            (g.apply(op, &[x, y]), g.apply2(op, x, y))
        } else {
            (g.apply(op, &[x]), g.apply1(op, x))
        };
        match (by_slice, direct) {
            (Ok(a), Ok(b)) => {
                assert_eq!(g.data(a).to_bits(), g.data(b).to_bits(), "{op:?}");
                assert_eq!(g.inputs(a), g.inputs(b));
                assert_eq!(g.op(b), op);
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "{op:?}"),
            (a, b) => panic!("{op:?}: apply gave {a:?}, the direct call {b:?}"),
        }
    }
    // A wrong number of inputs is a programmer error, with or without the slice.
    let panics = |f: &dyn Fn(&mut Graph)| {
        let mut g = g.clone();
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut g))).is_err()
    };
    assert!(panics(&|g| drop(g.apply(Op::Leaf, &[]))));
    assert!(panics(&|g| drop(g.apply(Op::Add, &[x]))));
    assert!(panics(&|g| drop(g.apply(Op::Neg, &[x, y]))));
    assert!(panics(&|g| drop(g.apply1(Op::Add, x))));
    assert!(panics(&|g| drop(g.apply1(Op::Leaf, x))));
    assert!(panics(&|g| drop(g.apply2(Op::Neg, x, y))));
    assert!(panics(&|g| drop(g.apply2(Op::Leaf, x, y))));
}

#[test]
fn labels_are_interned() {
    let mut b = Builder::new();
    let x = b.leaf(1.0);
    let y = b.leaf(2.0);
    let sum = b.add(x, y);
    assert_eq!(b.g.label(x), None);
    b.g.set_label(x, Some("w"));
    b.g.set_label(y, Some("w"));
    b.g.set_label(sum, Some("loss"));
    assert_eq!(b.g.label(x), Some("w"));
    assert_eq!(b.g.label(y), Some("w"));
    assert_eq!(b.g.label(sum), Some("loss"));
    assert_eq!(b.g.labels.len(), 2);
    b.g.set_label(y, None);
    assert_eq!(b.g.label(y), None);
    assert_eq!(b.g.op(sum), Op::Add);
    assert_eq!(b.g.inputs(sum), &[x, y]);
    assert!(b.g.inputs(x).is_empty());
}

/// Data and grads of every live node, as bits, to show a check changed nothing.
fn snapshot(g: &Graph) -> Vec<(u64, u64)> {
    (0..g.slot_count())
        .map(NodeId::from_index)
        .filter(|&id| g.contains(id))
        .map(|id| (g.data(id).to_bits(), g.grad(id).to_bits()))
        .collect()
}

#[test]
fn check_passes_on_a_smooth_graph_and_changes_nothing() {
    let (mut g, [x1, x2, w1, w2], o) = lecture_neuron();
    // Grads left over from earlier work must not leak into the check.
    g.backward(o).unwrap();
    g.backward(o).unwrap();
    let before = snapshot(&g);
    let result = g.check(o, &[x1, x2, w1, w2], CheckOptions::default()).unwrap();
    assert_eq!(snapshot(&g), before);
    assert!(result.ok);
    assert_eq!(result.rows.len(), 4);
    assert_eq!(result.rows[0].leaf, x1);
    for row in &result.rows {
        assert_eq!(row.status, CheckStatus::Ok, "{row:?}");
    }
    assert_close(result.rows[0].autograd, -1.5, 1e-12);
    assert_close(result.rows[0].numeric, -1.5, 1e-6);
}

#[test]
fn check_reports_kinks() {
    let mut b = Builder::new();
    let zero = b.leaf(0.0);
    let relu = b.op(Op::Relu, &[zero]);
    let abs = b.op(Op::Abs, &[zero]);
    let x = b.leaf(1.5);
    let y = b.leaf(1.5);
    let max = b.op(Op::Max, &[x, y]);
    let min = b.op(Op::Min, &[x, y]);
    let options = CheckOptions::default();
    for (root, leaf) in [(relu, zero), (abs, zero), (max, x), (min, y)] {
        let result = b.g.check(root, &[leaf], options).unwrap();
        assert_eq!(result.rows[0].status, CheckStatus::Kink, "{:?}", b.g.op(root));
        assert!(result.ok);
    }
    // Away from the kink the same ops check Ok.
    let away = b.leaf(0.25);
    let relu = b.op(Op::Relu, &[away]);
    let result = b.g.check(relu, &[away], options).unwrap();
    assert_eq!(result.rows[0].status, CheckStatus::Ok);
}

#[test]
fn check_is_taken_at_the_leaves_current_data() {
    let mut b = Builder::new();
    let x = b.leaf(1.0);
    let e = b.op(Op::Exp, &[x]);
    // After `x.data = 2` the graph still stores e^1, and backward would read
    // it as exp's output; the check recomputes both sides at x = 2.
    b.g.set_data(x, 2.0);
    let before = snapshot(&b.g);
    let result = b.g.check(e, &[x], CheckOptions::default()).unwrap();
    assert_eq!(snapshot(&b.g), before);
    assert!(result.ok);
    assert_eq!(result.stale, 1);
    assert_eq!(result.value, 2f64.exp());
    let row = &result.rows[0];
    assert_eq!(row.status, CheckStatus::Ok);
    assert_eq!(row.autograd, 2f64.exp());
    assert_close(row.numeric, 2f64.exp(), 1e-6);
}

#[test]
fn check_recomputes_a_node_whose_data_was_set() {
    // Stale data in the node itself: backward would read tanh's stored
    // output 0.9; the check reads tanh(0.3), so it never trusts stored data.
    let mut b = Builder::new();
    let x = b.leaf(0.3);
    let t = b.op(Op::Tanh, &[x]);
    b.g.set_data(t, 0.9);
    let result = b.g.check(t, &[x], CheckOptions::default()).unwrap();
    assert_eq!(result.rows[0].status, CheckStatus::Ok);
    assert_eq!(result.rows[0].autograd, 1.0 - forward(Op::Tanh, 0.3, 0.0).powi(2));
    assert_eq!((result.stale, result.value), (1, forward(Op::Tanh, 0.3, 0.0)));
    assert!(result.ok);
    // A graph that is up to date is not stale.
    let fresh = b.op(Op::Tanh, &[x]);
    assert_eq!(b.g.check(fresh, &[x], CheckOptions::default()).unwrap().stale, 0);
}

#[test]
fn check_of_a_graph_undefined_at_the_current_data_is_an_error() {
    let mut b = Builder::new();
    let x = b.leaf(2.0);
    let log = b.op(Op::Log, &[x]);
    b.g.set_data(x, -1.0);
    let error = b.g.check(log, &[x], CheckOptions::default()).unwrap_err();
    assert!(matches!(error, GraphError::NonFinite { op: Op::Log, ref operands, .. } if operands == &[-1.0]));
}

#[test]
fn check_reports_undefined_and_unrelated_leaves() {
    let mut b = Builder::new();
    // log at 1e-7: nudged by -1e-6 it is undefined.
    let tiny = b.leaf(1e-7);
    let root = b.op(Op::Log, &[tiny]);
    let unrelated = b.leaf(7.0);
    let result = b.g.check(root, &[tiny, unrelated], CheckOptions::default()).unwrap();
    assert_eq!(result.rows[0].status, CheckStatus::Undefined);
    assert_eq!(result.rows[1].status, CheckStatus::Ok);
    assert_eq!(result.rows[1].autograd, 0.0);
    assert_eq!(result.rows[1].numeric, 0.0);
    assert!(!result.ok);
}

#[test]
fn check_reports_a_gradient_that_is_not_finite_as_backward_does() {
    let mut b = Builder::new();
    let zero = b.leaf(0.0);
    let root = b.op(Op::Sqrt, &[zero]);
    let error = b.g.check(root, &[zero], CheckOptions::default()).unwrap_err();
    let expected = GraphError::NonFiniteGradient(Box::new(NonFiniteStep {
        op: Op::Sqrt,
        operands: vec![0.0],
        which: 0,
        input: zero,
        local: f64::INFINITY,
        upstream: 1.0,
        grad_before: 0.0,
    }));
    assert_eq!(error, expected);
    assert_eq!(b.g.backward(root), Err(expected));
}

#[test]
fn check_uses_the_step_actually_taken() {
    // At 1e8, x ± 1e-6 round to a step 4% off 2e-6: dividing by 2e-6 would
    // report 2.09 for d(2x)/dx.
    let mut b = Builder::new();
    let x = b.leaf(1e8);
    let doubled = b.mul_c(x, 2.0);
    let result = b.g.check(doubled, &[x], CheckOptions::default()).unwrap();
    assert_eq!(result.rows[0].numeric, 2.0);
    assert!(result.ok);
}

#[test]
fn check_says_when_the_difference_is_too_imprecise_to_tell() {
    // x + 1e10: each evaluation rounds to 2e-6, as wide as the step, so the
    // difference is 0.95 or 1.9, and was called a mismatch of a correct graph.
    let mut b = Builder::new();
    let x = b.leaf(1.0);
    let big = b.add_c(x, 1e10);
    let result = b.g.check(big, &[x], CheckOptions::default()).unwrap();
    let row = &result.rows[0];
    assert_eq!((row.status, row.suggested_eps), (CheckStatus::Imprecise, Some(0.01)));
    assert!(row.numeric_error.unwrap() >= row.abs_err, "{row:?}");
    assert!(result.ok);
    let options = CheckOptions {
        eps: 0.01,
        ..CheckOptions::default()
    };
    assert_eq!(b.g.check(big, &[x], options).unwrap().rows[0].status, CheckStatus::Ok);
    // log near 0 curves within the step: truncation, not rounding. A smaller eps helps.
    let tiny = b.leaf(1e-5);
    let log = b.op(Op::Log, &[tiny]);
    let row = b.g.check(log, &[tiny], CheckOptions::default()).unwrap().rows[0].clone();
    assert_eq!((row.status, row.suggested_eps), (CheckStatus::Imprecise, Some(1e-7)));
    let options = CheckOptions {
        eps: 1e-7,
        ..CheckOptions::default()
    };
    assert_eq!(
        b.g.check(log, &[tiny], options).unwrap().rows[0].status,
        CheckStatus::Ok
    );
    // A derivative wrong by more than the difference's error is still caught there.
    let wrong: check::Derivatives = |op, x, y, out| {
        let (dx, dy) = op::local_derivatives(op, x, y, out);
        if op == Op::Add { (dx + 100.0, dy) } else { (dx, dy) }
    };
    let caught = b.g.check_using(big, &[x], CheckOptions::default(), wrong).unwrap();
    assert_eq!(caught.rows[0].status, CheckStatus::Mismatch);
    assert!(!caught.ok);
}

/// A point where `op` is smooth and defined, with the inputs to give it.
fn smooth_point(op: Op) -> (f64, f64) {
    match op {
        // Quotient 2, remainder 0.4: away from the jumps at whole quotients.
        Op::Rem => (3.0, 1.3),
        _ => (0.7, 1.3),
    }
}

#[test]
fn a_wrong_derivative_of_any_op_is_caught() {
    // Local derivatives that are right for every op but one, and off by at
    // least 0.1 there: the check must say so, in every row that depends on it.
    fn wrong_for(target: Op) -> check::Derivatives {
        // A function pointer cannot capture `target`, so one per op.
        macro_rules! wrong {
            ($($op:ident),*) => {
                match target {
                    $(Op::$op => |op, x, y, out| {
                        let (dx, dy) = op::local_derivatives(op, x, y, out);
                        if op == Op::$op { (dx + 0.1 + 0.1 * dx.abs(), dy - 0.1 - 0.1 * dy.abs()) } else { (dx, dy) }
                    },)*
                    Op::Leaf => op::local_derivatives,
                }
            };
        }
        wrong!(
            Add, Sub, Mul, Div, Rem, Pow, Neg, Tanh, Exp, Log, Relu, Sigmoid, Sqrt, Abs, Sin, Cos, Max, Min
        )
    }
    for op in Op::ALL.into_iter().filter(|&op| op != Op::Leaf) {
        let mut b = Builder::new();
        let (x0, y0) = smooth_point(op);
        let x = b.leaf(x0);
        let y = b.leaf(y0);
        let inputs: &[NodeId] = if op.arity() == 2 { &[x, y] } else { &[x] };
        let node = b.op(op, inputs);
        // Through one more op, so the wrong derivative is not the last step.
        let root = b.op(Op::Tanh, &[node]);
        let leaves = &inputs[..op.arity()];
        let right = b.g.check(root, leaves, CheckOptions::default()).unwrap();
        assert!(right.ok, "{op:?}: {right:?}");
        let caught =
            b.g.check_using(root, leaves, CheckOptions::default(), wrong_for(op))
                .unwrap();
        assert!(!caught.ok, "{op:?}: {caught:?}");
        for row in &caught.rows {
            assert_eq!(row.status, CheckStatus::Mismatch, "{op:?}: {row:?}");
        }
    }
}

mod derivatives {
    use super::*;
    use proptest::prelude::*;

    /// Inputs where `op` is defined and differentiable, at least `margin`
    /// away from its kinks, jumps and the edges of its domain.
    fn away_from_kinks(op: Op, x: f64, y: f64, margin: f64) -> bool {
        match op {
            Op::Log | Op::Sqrt => x > margin,
            Op::Pow => x > margin && y.abs() < 3.0,
            Op::Div => y.abs() > margin,
            // The quotient moves by x / y^2 per unit of y: with |y| > 0.5 the
            // difference's steps of 1e-3 move it by at most 0.012.
            Op::Rem => {
                let q = x / y;
                y.abs() > 0.5 && (q - q.round()).abs() > margin
            }
            Op::Relu | Op::Abs => x.abs() > margin,
            Op::Max | Op::Min => (x - y).abs() > margin,
            _ => true,
        }
    }

    /// A central difference of `op` in input `which`, with Richardson
    /// extrapolation (error O(h^4)), independent of the engine's check.
    fn central_difference(op: Op, x: f64, y: f64, which: usize) -> f64 {
        let f = |h: f64| {
            if which == 0 {
                forward(op, x + h, y) - forward(op, x - h, y)
            } else {
                forward(op, x, y + h) - forward(op, x, y - h)
            }
        };
        let h = 1e-3;
        (8.0 * f(h / 2.0) - f(h)) / (6.0 * h)
    }

    proptest! {
        // About one input in ten lies too near a kink or the edge of a domain and is rejected.
        #![proptest_config(ProptestConfig { cases: 2000, max_global_rejects: 1_000_000, ..ProptestConfig::default() })]

        /// For every op at random points away from its kinks, backward's
        /// gradient agrees with finite differences, and so does `check`.
        #[test]
        fn every_op_agrees_with_finite_differences(
            index in 1..Op::ALL.len(),
            x in -3.0..3.0f64,
            y in -3.0..3.0f64,
        ) {
            let op = Op::ALL[index];
            prop_assume!(away_from_kinks(op, x, y, 0.05));
            let mut g = Graph::new();
            let a = g.leaf(x).unwrap();
            let b = g.leaf(y).unwrap();
            let inputs = if op.arity() == 2 { vec![a, b] } else { vec![a] };
            let root = g.apply(op, &inputs).unwrap();
            g.backward(root).unwrap();
            for (which, &input) in inputs.iter().enumerate() {
                let numeric = central_difference(op, x, y, which);
                let autograd = g.grad(input);
                prop_assert!(
                    (autograd - numeric).abs() <= 1e-6 * (1.0 + numeric.abs()),
                    "{:?} at ({}, {}), input {}: autograd {}, numeric {}", op, x, y, which, autograd, numeric
                );
            }
            let checked = g.check(root, &inputs, CheckOptions::default()).unwrap();
            prop_assert!(checked.ok, "{:?} at ({}, {}): {:?}", op, x, y, checked);
        }
    }
}

#[test]
fn check_treats_an_interior_node_as_a_variable() {
    let (g, _, o) = lecture_neuron();
    let n = g.inputs(o)[0];
    let result = g.check(o, &[n, o], CheckOptions::default()).unwrap();
    assert!(result.ok);
    assert_close(result.rows[0].autograd, 0.5, 1e-12);
    assert_eq!(result.rows[1].autograd, 1.0);
}

#[test]
fn dense_set_remembers_ids() {
    let mut set = DenseSet::new(100_001);
    let ids = [0, 1, 63, 64, 65, 100_000, 7, 64];
    let fresh: Vec<bool> = ids.iter().map(|&i| set.insert(NodeId::from_index(i))).collect();
    assert_eq!(fresh, [true, true, true, true, true, true, true, false]);
    for i in ids {
        assert!(!set.insert(NodeId::from_index(i)));
    }
    assert!(set.insert(NodeId::from_index(2)));
}

#[test]
fn a_sweep_visits_marked_nodes_downwards_and_leaves_nothing_marked_for_the_next() {
    use std::ops::ControlFlow;
    let mut nodes = vec![Node::FREED; 2000];
    let mut blocks = marks::Blocks::default();
    blocks.start(&mut nodes);
    for i in [5, 63, 64, 200, 1999] {
        blocks.mark(&mut nodes, i);
    }
    let mut visited = Vec::new();
    let stopped = blocks.sweep_down(&mut nodes, |nodes, blocks, i| {
        visited.push(i);
        // Nodes marked below the one visited, in its block and in lower ones.
        if i == 1999 {
            blocks.mark_input(nodes, 1998, i);
            blocks.mark_input(nodes, 700, i);
        }
        if i == 200 {
            blocks.mark_input(nodes, 199, i);
            blocks.mark_input(nodes, 0, i);
        }
        ControlFlow::<()>::Continue(())
    });
    assert_eq!(stopped, ControlFlow::Continue(()));
    assert_eq!(visited, [1999, 1998, 700, 200, 199, 64, 63, 5, 0]);
    assert!(blocks.is_clear());

    // A sweep that stops early clears what it has not visited.
    blocks.start(&mut nodes);
    for i in [3, 300, 1500] {
        blocks.mark(&mut nodes, i);
    }
    let stopped = blocks.sweep_down(&mut nodes, |nodes, blocks, i| {
        blocks.mark_input(nodes, i - 1, i);
        if i == 300 {
            ControlFlow::Break(i)
        } else {
            ControlFlow::Continue(())
        }
    });
    assert_eq!(stopped, ControlFlow::Break(300));
    assert!(blocks.is_clear());
    blocks.start(&mut nodes);
    let mut none = Vec::new();
    let _ = blocks.sweep_down(&mut nodes, |_, _, i| {
        none.push(i);
        ControlFlow::<()>::Continue(())
    });
    assert!(none.is_empty());
}

/// Data, grad, op, label and inputs (as creation indexes) of every node a
/// builder made, in creation order: equal for the same graph in any slots.
/// A node's data and grad bits, op, label, and inputs as creation indexes.
type NodeState = (u64, u64, Op, Option<String>, Vec<usize>);

fn node_states(b: &Builder) -> Vec<NodeState> {
    b.created
        .iter()
        .map(|&id| {
            let inputs = b.g.inputs(id).iter().map(|&i| b.creation_index(i)).collect();
            let label = b.g.label(id).map(str::to_string);
            (
                b.g.data(id).to_bits(),
                b.g.grad(id).to_bits(),
                b.g.op(id),
                label,
                inputs,
            )
        })
        .collect()
}

/// topo, backward (observed), check and zero_grad on a graph built in reused
/// slots, out of creation order, give what they give on the same graph built
/// append-only. (Backward takes the same steps, though not always in the same
/// order: each graph is swept by its own descending ids.)
#[track_caller]
fn assert_same_in_scattered_slots(build: fn(Builder) -> (Builder, Vec<NodeId>, NodeId)) {
    let (mut plain, plain_leaves, plain_root) = build(Builder::new());
    let (mut reversed, leaves, root) = build(Builder::scattered(64));
    // Make sure the slots really are out of creation order.
    assert!(reversed.created.windows(2).any(|pair| pair[0] > pair[1]));
    assert!(reversed.created.len() >= 10);
    let topo = |b: &Builder, root| -> Vec<usize> { b.g.topo(root).iter().map(|&id| b.creation_index(id)).collect() };
    assert_eq!(topo(&reversed, root), topo(&plain, plain_root));
    assert_eq!(node_states(&reversed), node_states(&plain));

    let steps = |b: &mut Builder, root| {
        let mut raw = Vec::new();
        b.g.backward_observed(root, &mut |step| raw.push(*step)).unwrap();
        raw.iter()
            .map(|s| {
                (
                    b.creation_index(s.node),
                    b.creation_index(s.input),
                    s.which,
                    s.contribution.to_bits(),
                )
            })
            .collect::<Vec<_>>()
    };
    let mut reversed_steps = steps(&mut reversed, root);
    let mut plain_steps = steps(&mut plain, plain_root);
    reversed_steps.sort();
    plain_steps.sort();
    assert_eq!(reversed_steps, plain_steps);
    assert_eq!(node_states(&reversed), node_states(&plain));

    let rows = |b: &Builder, root, leaves: &[NodeId]| {
        let result = b.g.check(root, leaves, CheckOptions::default()).unwrap();
        let rows: Vec<_> = result
            .rows
            .iter()
            .map(|r| {
                (
                    b.creation_index(r.leaf),
                    r.autograd.to_bits(),
                    r.numeric.to_bits(),
                    r.status,
                )
            })
            .collect();
        (rows, result.ok)
    };
    let checked = rows(&reversed, root, &leaves);
    assert!(checked.1);
    assert_eq!(checked, rows(&plain, plain_root, &plain_leaves));

    reversed.g.zero_grad(&[root]);
    plain.g.zero_grad(&[plain_root]);
    assert_eq!(node_states(&reversed), node_states(&plain));
    assert!(reversed.created.iter().all(|&id| reversed.g.grad(id) == 0.0));
}

#[test]
fn graphs_in_reused_slots_out_of_creation_order() {
    assert_same_in_scattered_slots(|b| {
        let (mut b, x, y) = sanity_check_graph(b);
        b.g.set_label(x, Some("x"));
        (b, vec![x], y)
    });
    assert_same_in_scattered_slots(|b| {
        let (b, leaves, g) = more_ops_graph(b);
        (b, leaves.to_vec(), g)
    });
    assert_same_in_scattered_slots(|b| {
        let (b, leaves, o) = lecture_neuron_in(b);
        (b, leaves.to_vec(), o)
    });
    // The numbers themselves, not just agreement.
    let (mut b, x, y) = sanity_check_graph(Builder::scattered(64));
    b.g.backward(y).unwrap();
    assert_eq!(b.g.data(y), -20.0);
    assert_eq!(b.g.grad(x), 46.0);
}

#[test]
fn collection_frees_the_unreachable_and_slots_are_reused() {
    let mut g = Graph::new();
    let w = g.leaf(0.5).unwrap();
    let dead_leaf = g.leaf(2.0).unwrap();
    let x = g.leaf(3.0).unwrap();
    let wx = g.apply(Op::Mul, &[w, x]).unwrap();
    let dead_op = g.apply(Op::Tanh, &[dead_leaf]).unwrap();
    let loss = g.apply(Op::Sin, &[wx]).unwrap();
    g.set_label(w, Some("w"));
    g.set_label(dead_leaf, Some("gone"));
    g.set_label(loss, Some("loss"));
    g.backward(loss).unwrap();
    // What collection must not change about a node it keeps.
    let kept_state = |g: &Graph| -> Vec<_> {
        [w, x, wx, loss]
            .iter()
            .map(|&id| {
                (
                    g.data(id),
                    g.grad(id),
                    g.label(id).map(str::to_string),
                    g.inputs(id).to_vec(),
                )
            })
            .collect()
    };
    let before = kept_state(&g);
    assert_eq!((g.len(), g.created_since_collection()), (6, 6));

    // Repeated roots are fine; loss keeps w, x and wx.
    assert_eq!(g.collect_garbage(&[loss, w, loss]), 2);
    assert_eq!((g.len(), g.live_count(), g.slot_count()), (4, 4, 6));
    assert_eq!(g.created_since_collection(), 0);
    assert!(!g.contains(dead_leaf) && !g.contains(dead_op) && g.contains(loss));
    assert!(!g.contains(NodeId::from_index(6)));
    assert_eq!(kept_state(&g), before);

    // A leaf takes the lowest free slot; an op node, the lowest free slot
    // above its inputs, here none, so the arena grows; the next leaf fills
    // the other free slot.
    let reused = g.leaf(7.0).unwrap();
    assert_eq!(reused, dead_leaf);
    assert_eq!(g.label(reused), None, "a reused slot keeps nothing of its old node");
    assert_eq!(g.grad(reused), 0.0);
    let reused_op = g.apply(Op::Add, &[loss, reused]).unwrap();
    assert_eq!(reused_op, NodeId::from_index(6), "never below its input, loss");
    let grown = g.leaf(1.0).unwrap();
    assert_eq!(grown, dead_op);
    assert_eq!((g.len(), g.slot_count(), g.created_since_collection()), (7, 7, 3));

    // Collecting with nothing to free frees nothing; with no roots, everything.
    assert_eq!(g.collect_garbage(&[reused_op, grown]), 0);
    assert_eq!(g.collect_garbage(&[]), 7);
    assert!(g.is_empty());
    assert_eq!(g.slot_count(), 0, "free slots at the end are dropped");
    assert_eq!(g.leaf(1.0).unwrap(), NodeId::from_index(0));
}

#[test]
fn trailing_free_slots_are_dropped_and_the_limit_counts_live_nodes() {
    let mut g = Graph::with_node_limit(3);
    let a = g.leaf(1.0).unwrap();
    let b = g.leaf(2.0).unwrap();
    let c = g.apply(Op::Add, &[a, b]).unwrap();
    assert_eq!(g.leaf(0.0), Err(GraphError::TooManyNodes { limit: 3 }));
    assert_eq!(g.collect_garbage(&[b]), 2);
    assert_eq!(g.slot_count(), 2, "c's slot at the end is gone, a's is free");
    assert_eq!(g.leaf(5.0).unwrap(), a);
    assert_eq!(g.leaf(6.0).unwrap(), c);
    assert_eq!(g.leaf(7.0), Err(GraphError::TooManyNodes { limit: 3 }));
    assert_eq!(g.data(b), 2.0);
}

#[test]
fn a_root_deep_in_a_million_node_chain_keeps_the_whole_chain() {
    let mut g = Graph::new();
    let x0 = g.leaf(1.0).unwrap();
    let factor = g.leaf(1.000_000_1).unwrap();
    let mut x = x0;
    for k in 0..1_000_000 {
        x = g.apply(Op::Mul, &[x, factor]).unwrap();
        if k % 1000 == 0 {
            // Garbage interleaved with the chain, so slots are freed all along it.
            g.apply(Op::Neg, &[x]).unwrap();
        }
    }
    let middle = g.topo(x)[500_000];
    assert_eq!(g.collect_garbage(&[x]), 1000);
    assert_eq!(g.len(), 1_000_002);
    assert_eq!(g.topo(x).len(), 1_000_002);
    g.backward(x).unwrap();
    assert_close(g.grad(x0), 1.000_000_1f64.powi(1_000_000), 1e-9);
    // A root in the middle keeps the lower half.
    assert_eq!(g.collect_garbage(&[middle]), 500_001);
    assert_eq!(g.len(), 500_001);
    assert_eq!(g.topo(middle).len(), 500_001);
}

#[test]
fn freed_ids_are_refused() {
    let mut g = Graph::new();
    let a = g.leaf(1.0).unwrap();
    let gone = g.apply(Op::Neg, &[a]).unwrap();
    g.collect_garbage(&[a]);
    let apply = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.clone().apply(Op::Neg, &[gone])));
    assert!(apply.is_err(), "apply refuses a freed input in every build");
    let collect = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.clone().collect_garbage(&[gone])));
    assert!(collect.is_err(), "a freed root is refused");
    if cfg!(debug_assertions) {
        let read = std::panic::catch_unwind(|| g.data(gone));
        assert!(read.is_err(), "debug builds catch a read of a freed id");
    }
}

/// Roughly what the label tables take on the heap: the interned strings with
/// their `Arc` headers, the vector of them, and the hash index.
fn label_bytes(g: &Graph) -> usize {
    let strings: usize = g.labels.iter().map(|text| text.len() + 16).sum();
    let entry = std::mem::size_of::<(Arc<str>, u32)>() + 1;
    strings + g.labels.capacity() * std::mem::size_of::<Arc<str>>() + g.label_index.capacity() * entry
}

/// Heap bytes of the graph: every slot the arena has allocated (its capacity,
/// not just its length), plus labels.
fn heap_bytes(g: &Graph) -> usize {
    g.nodes.capacity() * std::mem::size_of::<Node>() + g.free.heap_bytes() + label_bytes(g)
}

const SAMPLES: usize = 25;

/// One step of a training loop on a fresh graph: a 25-sample regression with
/// `tanh(w[i % 4] * x + b)`, mean squared error, backward, and an SGD update.
/// Builds exactly 200 nodes. Returns the loss and the parameters' grads.
fn training_step(g: &mut Graph, params: &[NodeId; 5], mean: NodeId, step: usize) -> (f64, [f64; 5]) {
    let [w0, w1, w2, w3, b] = *params;
    let ws = [w0, w1, w2, w3];
    let mut loss = None;
    for i in 0..SAMPLES {
        let t = (step * SAMPLES + i) as f64;
        let x = g.leaf((t * 0.37).sin()).unwrap();
        let wx = g.apply(Op::Mul, &[ws[i % 4], x]).unwrap();
        let z = g.apply(Op::Add, &[wx, b]).unwrap();
        let y = g.apply(Op::Tanh, &[z]).unwrap();
        let target = g.leaf((t * 0.11).cos() * 0.5).unwrap();
        let diff = g.apply(Op::Sub, &[y, target]).unwrap();
        let square = g.apply(Op::Mul, &[diff, diff]).unwrap();
        loss = Some(match loss {
            None => square,
            Some(sum) => g.apply(Op::Add, &[sum, square]).unwrap(),
        });
    }
    let loss = g.apply(Op::Mul, &[loss.unwrap(), mean]).unwrap();
    g.set_label(loss, Some("loss"));
    g.zero_grad(&[loss]);
    g.backward(loss).unwrap();
    let grads = params.map(|p| g.grad(p));
    for p in params {
        g.set_data(*p, g.data(*p) - 0.1 * g.grad(*p));
    }
    (g.data(loss), grads)
}

fn training_graph() -> (Graph, [NodeId; 5], NodeId) {
    let mut g = Graph::new();
    let params = [0.3, -0.2, 0.5, 0.1, 0.0].map(|x| g.leaf(x).unwrap());
    for p in &params[..4] {
        g.set_label(*p, Some("w"));
    }
    g.set_label(params[4], Some("b"));
    let mean = g.leaf(1.0 / SAMPLES as f64).unwrap();
    (g, params, mean)
}

#[test]
fn a_training_loop_runs_in_bounded_memory_with_the_same_gradients() {
    const STEPS: usize = 10_000;
    const STEP_NODES: usize = 200;
    const THRESHOLD: usize = 1000;
    let (mut plain, plain_params, plain_mean) = training_graph();
    let (mut g, params, mean) = training_graph();
    let roots: Vec<NodeId> = params.iter().copied().chain([mean]).collect();
    let (mut slots_at_100, mut bytes_at_100) = (0, 0);
    let (mut max_slots, mut max_bytes) = (0, 0);
    let mut collections = 0;
    // Bytes per live node at the peak, just before each collection, when the
    // arena is as full as it gets.
    let mut per_live_at_peak: Vec<f64> = Vec::new();
    let mut slots_per_live_at_peak: Vec<f64> = Vec::new();
    for step in 0..STEPS {
        let before = g.created_since_collection();
        let expected = training_step(&mut plain, &plain_params, plain_mean, step);
        let got = training_step(&mut g, &params, mean, step);
        assert_eq!(g.created_since_collection() - before, STEP_NODES);
        assert_eq!(got.0.to_bits(), expected.0.to_bits(), "loss at step {step}");
        assert_eq!(
            got.1.map(f64::to_bits),
            expected.1.map(f64::to_bits),
            "grads at step {step}"
        );
        // Sampled before collecting, when the arena is as full as it gets.
        max_slots = max_slots.max(g.slot_count());
        max_bytes = max_bytes.max(heap_bytes(&g));
        if g.created_since_collection() > THRESHOLD {
            per_live_at_peak.push(heap_bytes(&g) as f64 / g.live_count() as f64);
            let node = std::mem::size_of::<Node>();
            slots_per_live_at_peak.push((g.slot_count() * node + label_bytes(&g)) as f64 / g.live_count() as f64);
            let live = g.live_count();
            assert_eq!(g.collect_garbage(&roots), live - roots.len());
            collections += 1;
            for (p, q) in params.iter().zip(&plain_params) {
                assert_eq!(g.data(*p).to_bits(), plain.data(*q).to_bits());
                assert_eq!(g.label(*p), plain.label(*q));
            }
        }
        if step == 99 {
            (slots_at_100, bytes_at_100) = (max_slots, max_bytes);
        }
    }
    assert_eq!(plain.len(), 6 + STEPS * STEP_NODES);
    assert_eq!(collections, STEPS * STEP_NODES / (THRESHOLD + STEP_NODES));
    assert!(max_slots <= 2 * STEP_NODES + THRESHOLD, "{max_slots} slots");
    assert!(
        max_slots * 10 <= slots_at_100 * 12,
        "{max_slots} slots vs {slots_at_100} after 100 steps"
    );
    assert!(
        max_bytes * 10 <= bytes_at_100 * 12,
        "{max_bytes} bytes vs {bytes_at_100} after 100 steps"
    );
    let worst = per_live_at_peak.iter().copied().fold(0.0, f64::max);
    let worst_slots = slots_per_live_at_peak.iter().copied().fold(0.0, f64::max);
    assert!(worst <= 64.0, "{worst} bytes per live node");
    eprintln!(
        "steady state: {max_slots} slots max ({slots_at_100} after 100 steps), {max_bytes} heap bytes max \
         ({bytes_at_100} after 100 steps), {collections} collections; at the peak before a collection: \
         {worst_slots:.2} bytes per live node counting slots, {worst:.2} counting the arena's capacity; \
         plain graph without collection: {} nodes, {} bytes",
        plain.slot_count(),
        heap_bytes(&plain)
    );
}

#[test]
fn a_node_goes_to_the_lowest_free_slot_above_its_inputs() {
    let mut g = Graph::new();
    let spacers: Vec<NodeId> = (0..4).map(|_| g.leaf(0.0).unwrap()).collect();
    let x = g.leaf(2.0).unwrap();
    let y = g.leaf(3.0).unwrap();
    let high = g.leaf(0.0).unwrap();
    let top = g.leaf(0.0).unwrap();
    // Free slots 0..4 and the one between y and `top`.
    assert_eq!(g.collect_garbage(&[x, y, top]), 5);
    let p = g.apply(Op::Mul, &[x, y]).unwrap();
    assert_eq!(p, high, "the free slot above both inputs, not the lower ones");
    let c = g.leaf(1.0).unwrap();
    assert_eq!(c, spacers[0], "a leaf takes the lowest free slot");
    let q = g.apply(Op::Add, &[c, c]).unwrap();
    assert_eq!(q, spacers[1]);
    let r = g.apply(Op::Mul, &[p, q]).unwrap();
    assert_eq!(r.index(), 8, "nothing free above p: the end of the arena");
    g.backward(r).unwrap();
    assert_eq!((g.grad(x), g.grad(y), g.grad(c)), (6.0, 4.0, 12.0));
}

#[test]
fn scattered_slots_give_the_same_grads() {
    // A node used by three others: the one case where two orders could sum
    // differently. These contributions are exact, so they must agree.
    let build = |b: &mut Builder| {
        let a = b.leaf(0.5);
        let u = b.op(Op::Mul, &[a, a]);
        let v = b.op(Op::Tanh, &[a]);
        let w = b.op(Op::Exp, &[a]);
        let s = b.op(Op::Add, &[u, v]);
        let t = b.op(Op::Add, &[s, w]);
        (a, t)
    };
    let mut plain = Builder::new();
    let (a, t) = build(&mut plain);
    plain.g.backward(t).unwrap();
    let mut scattered = Builder::scattered(16);
    let (sa, st) = build(&mut scattered);
    scattered.g.backward(st).unwrap();
    let expected = 2.0 * 0.5 + (1.0 - 0.5f64.tanh().powi(2)) + 0.5f64.exp();
    assert!((plain.g.grad(a) - expected).abs() < 1e-15);
    assert!((scattered.g.grad(sa) - expected).abs() < 1e-15);
}

mod free_slots {
    use super::set::FreeSlots;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    proptest! {
        /// Against a sorted set: the lowest free slot at or above a point, and
        /// runs of the lowest free slots (some given back), across more than
        /// 4,096 slots so that the summary words are used.
        #[test]
        fn take_the_lowest_free_slot_at_or_above(
            live in proptest::collection::vec(any::<bool>(), 0..9000),
            dense in any::<bool>(),
            searches in proptest::collection::vec((0usize..9500, 1usize..200), 0..64),
        ) {
            // Mostly live (long runs to skip) or mixed.
            let is_live = |i: usize| live[i] || (dense && !i.is_multiple_of(97));
            let mut model = BTreeSet::new();
            let mut free = FreeSlots::default();
            free.reset(live.len());
            for i in 0..live.len() {
                if is_live(i) {
                    free.keep(i);
                } else {
                    model.insert(i);
                }
            }
            free.finish();
            prop_assert_eq!(free.is_empty(), model.is_empty());
            for (from, most) in searches {
                let expected = model.range(from..).next().copied();
                if let Some(slot) = expected {
                    model.remove(&slot);
                }
                prop_assert_eq!(free.take_at_or_above(from), expected);
                // A search from 0 uses (and updates) the lowest-slot hint.
                let expected = model.iter().next().copied();
                if let Some(slot) = expected {
                    model.remove(&slot);
                }
                prop_assert_eq!(free.take_at_or_above(0), expected);
                // A run: the lowest free slots one after another, at most `most`.
                let mut run = 0..0;
                if let Some(&start) = model.iter().next() {
                    run = start..start + 1;
                    while run.len() < most && model.contains(&run.end) {
                        run.end += 1;
                    }
                }
                for slot in run.clone() {
                    model.remove(&slot);
                }
                prop_assert_eq!(free.take_run(most), run.clone());
                // Its upper half given back.
                let half = run.start + run.len() / 2;
                free.insert_range(half, run.end);
                model.extend(half..run.end);
                prop_assert_eq!(free.is_empty(), model.is_empty());
                prop_assert_eq!(free.iter().collect::<Vec<_>>(), model.iter().copied().collect::<Vec<_>>());
            }
        }
    }
}

mod orders {
    use super::*;
    use proptest::prelude::*;
    use proptest::sample::Index;

    /// Builds a random DAG from `spec` (an op and two earlier nodes per step)
    /// and returns every node in creation order.
    fn build(b: &mut Builder, spec: &[(u8, Index, Index)]) -> Vec<NodeId> {
        let mut ids = vec![b.leaf(0.7), b.leaf(-1.3)];
        for (op, i, j) in spec {
            let (x, y) = (ids[i.index(ids.len())], ids[j.index(ids.len())]);
            let small = b.g.data(x).abs() <= 8.0 && b.g.data(y).abs() <= 8.0;
            let id = match op % 5 {
                0 => b.op(Op::Add, &[x, y]),
                1 => b.op(Op::Sub, &[x, y]),
                2 => b.op(Op::Tanh, &[x]),
                3 if small => b.op(Op::Mul, &[x, y]),
                3 => b.op(Op::Add, &[x, x]),
                _ => b.leaf(0.25),
            };
            ids.push(id);
        }
        ids
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * 1f64.max(a.abs()).max(b.abs())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Backward and collection give the same grads and keep the same
        /// nodes whether nodes are in creation order or in reused slots out
        /// of it (the builder checks that every node sits above its inputs).
        #[test]
        fn scattered_slots_agree_with_creation_order(spec in proptest::collection::vec((0u8..5, any::<Index>(), any::<Index>()), 1..48)) {
            let mut plain = Builder::new();
            let ids = build(&mut plain, &spec);
            let mut reversed = Builder::scattered(spec.len() + 2);
            let rids = build(&mut reversed, &spec);
            let (root, rroot) = (*ids.last().unwrap(), *rids.last().unwrap());
            for _ in 0..2 {
                plain.g.backward(root).unwrap();
                reversed.g.backward(rroot).unwrap();
                for (&a, &b) in ids.iter().zip(&rids) {
                    prop_assert!(close(plain.g.grad(a), reversed.g.grad(b)), "{} vs {}", plain.g.grad(a), reversed.g.grad(b));
                }
            }
            let keep = ids.len() / 2;
            plain.g.collect_garbage(&[root, ids[keep]]);
            reversed.g.collect_garbage(&[rroot, rids[keep]]);
            prop_assert_eq!(plain.g.len(), reversed.g.len());
            for (&a, &b) in ids.iter().zip(&rids) {
                prop_assert_eq!(plain.g.contains(a), reversed.g.contains(b));
            }
        }
    }
}

#[test]
fn sweep_stamps_wrap_around_without_a_stale_mark() {
    // A graph whose nodes carry every stamp the next sweeps could take.
    let mut g = Graph::new();
    let x = g.leaf(2.0).unwrap();
    let mut y = x;
    for _ in 0..600 {
        y = g.apply2(Op::Add, y, x).unwrap();
    }
    let unrelated = g.apply2(Op::Add, x, x).unwrap();
    // Stamp 2 would be a stale mark for the backward sweep after the wrap
    // (sweeps MAX-1, MAX, then 1 and 2), unless the wrap resets every stamp.
    for node in &mut g.nodes {
        node.seen = 2;
    }
    g.blocks.stamp = u16::MAX - 2;
    for pass in 0..6 {
        g.zero_grad(&[y]);
        g.set_grad(unrelated, 5.0);
        g.backward(y).unwrap();
        // y = 601 x: the unrelated node, never reached, adds nothing to x.
        assert_eq!(g.grad(x), 601.0, "pass {pass}");
    }
    assert!(g.blocks.stamp() < 16, "the stamps wrapped");
}

#[test]
fn a_neuron_built_in_the_run_is_the_neuron_built_node_by_node() {
    // Graphs in each state a neuron can meet: fresh (the run is the room at the
    // end), after a collection (a run of freed slots), and with the weights
    // above the run (the fast path declines).
    let mut states = Vec::new();
    let mut g = Graph::new();
    let weights: Vec<NodeId> = (0..4).map(|k| g.leaf(1.5 - 0.3 * k as f64).unwrap()).collect();
    let bias = g.leaf(0.25).unwrap();
    states.push((g.clone(), weights.clone(), bias));
    let junk: Vec<NodeId> = (0..100).map(|k| g.leaf(k as f64).unwrap()).collect();
    let keep = g.leaf(1.0).unwrap();
    let mut roots = weights.clone();
    roots.extend([bias, keep]);
    g.collect_garbage(&roots);
    assert!(g.contains(keep) && !g.contains(junk[0]));
    states.push((g.clone(), weights.clone(), bias));
    // `keep` lies above the freed slots: nodes using it go above it.
    states.push((g.clone(), vec![keep; 4], bias));
    let cases: Vec<(Vec<Operand>, Option<Op>)> = vec![
        (
            vec![
                Operand::Number(1.0),
                Operand::Number(-2.0),
                Operand::Number(3.0),
                Operand::Number(0.5),
            ],
            Some(Op::Relu),
        ),
        (
            vec![
                Operand::Node(bias),
                Operand::Number(2.0),
                Operand::Node(bias),
                Operand::Number(-1.0),
            ],
            Some(Op::Tanh),
        ),
        (vec![Operand::Number(1.0); 4], None),
        // Errors: a product, a sum, an activation that is not finite.
        (
            vec![
                Operand::Number(1.0),
                Operand::Number(1.7e308),
                Operand::Number(1.0),
                Operand::Number(1.0),
            ],
            None,
        ),
        (
            vec![
                Operand::Number(1e308),
                Operand::Number(1e308),
                Operand::Number(1.0),
                Operand::Number(1.0),
            ],
            None,
        ),
        (
            vec![
                Operand::Number(1.0),
                Operand::Number(2.0),
                Operand::Number(3.0),
                Operand::Number(4.0),
            ],
            Some(Op::Log),
        ),
    ];
    let mut fast = 0;
    for (g, weights, bias) in &states {
        for (inputs, act) in &cases {
            let (mut a, mut b) = (g.clone(), g.clone());
            let in_run = a.neuron_in_run(*bias, weights, inputs, *act);
            fast += usize::from(in_run.is_some());
            let by_node = b.neuron_one_by_one(*bias, weights, inputs, *act);
            let in_run = in_run.unwrap_or_else(|| a.neuron_one_by_one(*bias, weights, inputs, *act));
            assert_eq!(in_run, by_node);
            assert_eq!(
                (a.len(), a.slot_count(), a.run.clone()),
                (b.len(), b.slot_count(), b.run.clone())
            );
            let state = |g: &Graph| {
                (0..g.slot_count())
                    .map(NodeId::from_index)
                    .filter(|&id| g.contains(id))
                    .map(|id| {
                        (
                            id,
                            g.data(id).to_bits(),
                            g.op(id),
                            g.inputs(id).to_vec(),
                            g.is_constant(id),
                        )
                    })
                    .collect::<Vec<_>>()
            };
            assert_eq!(state(&a), state(&b));
        }
    }
    assert_eq!(fast, 2 * cases.len(), "the fast path ran on the first two states only");
}
