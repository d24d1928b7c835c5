//! Backward: the chain rule, one sweep down the arena from the root (see
//! `marks.rs`), and `zero_grad`, a sweep of the same kind.

use std::ops::ControlFlow;

use super::marks::Marker;
use super::op::local_derivatives;
use super::{BackwardStep, Graph, GraphError, Node, NodeId, NonFiniteStep, Op};

impl Graph {
    /// micrograd's `L.backward()`: sets the grad of `root` to 1 (assigned, not
    /// added), then visits every node reachable from `root`, each after all the
    /// nodes that use it, adding its local derivative times its grad to the
    /// grad of each input. Grads accumulate across calls; nothing is zeroed.
    ///
    /// The visiting order is descending ids, a reverse topological order (one
    /// sweep down the arena, marking inputs as it goes, with no sort and no
    /// stack). micrograd's own order is that of a Python set, so no order is
    /// more faithful than another; orders differ only in how three or more
    /// contributions to one grad are summed.
    ///
    /// A step that would make a grad non-finite (`sqrt(0)`'s derivative is
    /// inf; a product of large numbers overflows) stops the pass with
    /// [`GraphError::NonFiniteGradient`], except into a [`Graph::constant`].
    /// The steps before it have been applied and the failing one has not, so
    /// every grad other than a constant's stays finite; the caller decides
    /// whether to restore them (the REPL undoes the whole statement).
    pub fn backward(&mut self, root: NodeId) -> Result<(), GraphError> {
        self.run_backward(root, |_| {})
    }

    /// [`Graph::backward`], calling `observe` once per (node, input) chain-rule
    /// step, in the order the steps happen.
    pub fn backward_observed(
        &mut self,
        root: NodeId,
        observe: &mut dyn FnMut(&BackwardStep),
    ) -> Result<(), GraphError> {
        self.run_backward(root, observe)
    }

    // Generic so that plain `backward` compiles to the bare loop, with no call
    // per step.
    fn run_backward(&mut self, root: NodeId, mut observe: impl FnMut(&BackwardStep)) -> Result<(), GraphError> {
        self.node_mut(root).grad = 1.0;
        // Inputs have smaller ids: a node is reached from every node that uses
        // it before the sweep gets down to it. Only the root and inputs that are
        // not leaves are marked: a leaf has no steps to run.
        self.blocks.start(&mut self.nodes);
        self.blocks.mark(&mut self.nodes, root.index());
        let stopped = self.blocks.sweep_down(&mut self.nodes, |nodes, blocks, index| {
            propagate(nodes, blocks, index, &mut observe)
        });
        match stopped {
            ControlFlow::Continue(()) => Ok(()),
            ControlFlow::Break(error) => Err(*error),
        }
    }

    /// Zeroes the grad of every node reachable from any of `roots`.
    pub fn zero_grad(&mut self, roots: &[NodeId]) {
        self.blocks.start(&mut self.nodes);
        for &root in roots {
            debug_assert!(self.contains(root), "{root:?} was freed by collect_garbage");
            self.blocks.mark(&mut self.nodes, root.index());
        }
        let _ = self.blocks.sweep_down(&mut self.nodes, |nodes, blocks, index| {
            nodes[index].grad = 0.0;
            blocks.mark_inputs(nodes, index);
            ControlFlow::<()>::Continue(())
        });
    }
}

/// One node's chain-rule steps: adds its local derivative times its grad to
/// the grad of each input, lhs then rhs, and marks each input that is not a
/// leaf (a leaf has no steps of its own, so the sweep need not visit it). A
/// node may use one input twice (`a + a`): two separate additions, as
/// micrograd's closure does, so the input collects both. Breaks, adding
/// nothing, at a step that would make a grad not finite (see
/// [`Graph::backward`]); the error is boxed so that the loop's value stays small.
#[inline(always)]
fn propagate(
    nodes: &mut [Node],
    blocks: &mut Marker,
    index: usize,
    observe: &mut impl FnMut(&BackwardStep),
) -> ControlFlow<Box<GraphError>> {
    // Field by field, not the whole node: its grad and mark were just stored.
    let node = &nodes[index];
    debug_assert!(!node.is_freed(), "backward reached freed slot {index}");
    let (op, [lhs, rhs], out) = (node.op, node.inputs, node.data);
    let data = |nodes: &[Node], input: NodeId| nodes[input.index()].data;
    // Add, Sub and Mul are matched with the op spelled out so that, with
    // `local_derivatives` inlined, their derivatives fold to constants or the
    // other input's data, each with its own copy of the steps.
    let locals = match op {
        Op::Leaf => return ControlFlow::Continue(()),
        Op::Add => local_derivatives(Op::Add, 0.0, 0.0, out),
        Op::Sub => local_derivatives(Op::Sub, 0.0, 0.0, out),
        Op::Mul => local_derivatives(Op::Mul, data(nodes, lhs), data(nodes, rhs), out),
        op if op.arity() == 2 => local_derivatives(op, data(nodes, lhs), data(nodes, rhs), out),
        op => {
            let (dx, _) = local_derivatives(op, data(nodes, lhs), 0.0, out);
            return steps(nodes, blocks, index, &[(lhs, dx)], observe);
        }
    };
    steps(nodes, blocks, index, &[(lhs, locals.0), (rhs, locals.1)], observe)
}

/// The chain-rule steps of the node at `index` into its inputs, each with its
/// local derivative. All are taken, then checked at once (a grad is finite
/// when `g - g` is 0); only if one is not finite are they undone and taken
/// again one by one, to stop at the first that fails (or let a constant's
/// pass), as [`step_by_step`] does.
#[inline(always)]
fn steps<const N: usize>(
    nodes: &mut [Node],
    blocks: &mut Marker,
    index: usize,
    inputs: &[(NodeId, f64); N],
    observe: &mut impl FnMut(&BackwardStep),
) -> ControlFlow<Box<GraphError>> {
    let upstream = nodes[index].grad;
    let stamp = blocks.stamp();
    let mut before = [0.0; N];
    let mut after = [0.0; N];
    let mut check = 0.0;
    for (k, &(input, local)) in inputs.iter().enumerate() {
        let target = &mut nodes[input.index()];
        before[k] = target.grad;
        after[k] = target.grad + local * upstream;
        target.grad = after[k];
        // x - x is 0 for a finite x and NaN for any other.
        #[allow(clippy::eq_op)]
        {
            check += after[k] - after[k];
        }
        if target.op != Op::Leaf && target.seen != stamp {
            target.seen = stamp;
            blocks.note_input(input.index(), index);
        }
    }
    if check != 0.0 {
        // Undone in reverse, so that an input used twice gets its first value back.
        for (k, &(input, _)) in inputs.iter().enumerate().rev() {
            nodes[input.index()].grad = before[k];
        }
        return step_by_step(nodes, index, observe);
    }
    for (which, &(input, local)) in inputs.iter().enumerate() {
        observe(&BackwardStep {
            // Cannot truncate: slot indexes are below `MAX_NODES`.
            node: NodeId(index as u32),
            input,
            which,
            local,
            upstream,
            contribution: local * upstream,
            input_grad_after: after[which],
        });
    }
    ControlFlow::Continue(())
}

/// The steps of [`steps`] one at a time, each checked before it is taken: the
/// first whose grad would not be finite stops them (unless its input is a
/// constant), and the ones before it stay taken.
#[cold]
#[inline(never)]
fn step_by_step(
    nodes: &mut [Node],
    index: usize,
    observe: &mut impl FnMut(&BackwardStep),
) -> ControlFlow<Box<GraphError>> {
    let node = nodes[index];
    let (x, y) = (
        nodes[node.inputs[0].index()].data,
        match node.op.arity() {
            2 => nodes[node.inputs[1].index()].data,
            _ => 0.0,
        },
    );
    let (dx, dy) = local_derivatives(node.op, x, y, node.data);
    let upstream = node.grad;
    for (which, (input, local)) in [(node.inputs[0], dx), (node.inputs[1], dy)]
        .into_iter()
        .take(node.op.arity())
        .enumerate()
    {
        let target = &mut nodes[input.index()];
        let contribution = local * upstream;
        let grad = target.grad + contribution;
        if !grad.is_finite() && !target.constant {
            return ControlFlow::Break(non_finite_gradient(nodes, index, which, local));
        }
        target.grad = grad;
        observe(&BackwardStep {
            node: NodeId(index as u32),
            input,
            which,
            local,
            upstream,
            contribution,
            input_grad_after: grad,
        });
    }
    ControlFlow::Continue(())
}

/// The error of a backward step through the node at `index` into its input
/// `which` whose result is not finite. Out of line: it allocates and is rare.
#[cold]
#[inline(never)]
fn non_finite_gradient(nodes: &[Node], index: usize, which: usize, local: f64) -> Box<GraphError> {
    let node = &nodes[index];
    let arity = node.op.arity();
    let input = node.inputs[which];
    Box::new(GraphError::NonFiniteGradient(Box::new(NonFiniteStep {
        op: node.op,
        operands: node.inputs[..arity].iter().map(|i| nodes[i.index()].data).collect(),
        which,
        input,
        local,
        upstream: node.grad,
        grad_before: nodes[input.index()].grad,
    })))
}
