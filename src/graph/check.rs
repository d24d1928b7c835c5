//! Gradient checking by finite differences, as `torch.autograd.gradcheck` does
//! for tensors.
//!
//! Architecture Invariant: checking never mutates the graph. It evaluates
//! perturbed copies of the root's subgraph in scratch buffers, so data and grads
//! are bit-identical before and after, and a check can be run at any point of a
//! script without changing what the script computes next.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::op::{forward, local_derivatives};
use super::{Graph, NodeId, Op};

/// How to compare autograd with finite differences.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CheckOptions {
    /// The step of the central difference, added to and taken from each leaf.
    pub eps: f64,
    /// The absolute tolerance.
    pub atol: f64,
    /// The tolerance relative to the numeric gradient.
    pub rtol: f64,
}

impl Default for CheckOptions {
    /// `torch.autograd.gradcheck`'s defaults.
    fn default() -> CheckOptions {
        CheckOptions {
            eps: 1e-6,
            atol: 1e-5,
            rtol: 1e-3,
        }
    }
}

/// The verdict on one leaf.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckStatus {
    /// Autograd and the finite difference agree within tolerance.
    Ok,
    /// They disagree.
    Mismatch,
    /// A relu, abs, max or min took a different branch at x + eps than at
    /// x - eps, so the finite difference straddles a point where the function is
    /// not differentiable and says nothing about the gradient. Not a failure.
    Kink,
    /// Re-evaluating with the leaf perturbed gave a value that is not finite.
    Undefined,
}

/// The comparison for one leaf.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckRow {
    pub leaf: NodeId,
    /// d root / d leaf by backpropagation, as `grad root` would report it.
    pub autograd: f64,
    /// The central difference (f(x + eps) - f(x - eps)) / (2 eps).
    pub numeric: f64,
    /// |autograd - numeric|.
    pub abs_err: f64,
    pub status: CheckStatus,
}

/// The rows, one per leaf in the order asked, and whether the check passed.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckResult {
    pub rows: Vec<CheckRow>,
    /// No row is `Mismatch` or `Undefined`.
    pub ok: bool,
}

/// The root's subgraph in topological order, with inputs as positions in that
/// order, so that re-evaluation is a single forward loop over a dense buffer.
struct Plan {
    ids: Vec<NodeId>,
    ops: Vec<Op>,
    inputs: Vec<[usize; 2]>,
    position: HashMap<NodeId, usize>,
}

impl Graph {
    /// For each of `leaves` in order, compares the autograd gradient of `root`
    /// with a central finite difference.
    ///
    /// The autograd gradient is what `grad root` reports: all grads of the
    /// root's graph zeroed, the root's set to 1, backward. The finite difference
    /// re-evaluates the nodes of `topo(root)` from their leaves with one leaf's
    /// data moved by ±eps. A node of `leaves` that is not a leaf is treated as
    /// an independent variable: its data is perturbed and not recomputed. A
    /// node not reachable from `root` gets 0 from both.
    ///
    /// Takes `&self`: all of this happens in scratch buffers. Panics if `root`
    /// or a leaf is not a node of this graph (programmer error).
    pub fn check(&self, root: NodeId, leaves: &[NodeId], options: CheckOptions) -> CheckResult {
        let plan = self.plan(root);
        let autograd = self.scratch_gradients(&plan);
        let count = plan.ids.len();
        let mut values = vec![0.0; count];
        let mut branches_plus = vec![None; count];
        let mut branches_minus = vec![None; count];
        let mut rows = Vec::with_capacity(leaves.len());
        for &leaf in leaves {
            let at = plan.position.get(&leaf).copied();
            let x = self.data(leaf);
            let plus_finite = self.evaluate(
                &plan,
                at.map(|at| (at, x + options.eps)),
                &mut values,
                &mut branches_plus,
            );
            let f_plus = values[count - 1];
            let minus_finite = self.evaluate(
                &plan,
                at.map(|at| (at, x - options.eps)),
                &mut values,
                &mut branches_minus,
            );
            let f_minus = values[count - 1];
            let numeric = (f_plus - f_minus) / (2.0 * options.eps);
            let autograd = at.map_or(0.0, |at| autograd[at]);
            let abs_err = (autograd - numeric).abs();
            let status = if !(plus_finite && minus_finite && numeric.is_finite()) {
                CheckStatus::Undefined
            } else if branches_plus != branches_minus {
                CheckStatus::Kink
            } else if abs_err <= options.atol + options.rtol * numeric.abs() {
                CheckStatus::Ok
            } else {
                CheckStatus::Mismatch
            };
            rows.push(CheckRow {
                leaf,
                autograd,
                numeric,
                abs_err,
                status,
            });
        }
        let ok = rows
            .iter()
            .all(|row| !matches!(row.status, CheckStatus::Mismatch | CheckStatus::Undefined));
        CheckResult { rows, ok }
    }

    fn plan(&self, root: NodeId) -> Plan {
        let ids = self.topo(root);
        let mut position = HashMap::with_capacity(ids.len());
        let mut ops = Vec::with_capacity(ids.len());
        let mut inputs = Vec::with_capacity(ids.len());
        for (at, &id) in ids.iter().enumerate() {
            let mut slots = [0; 2];
            // Inputs come before their users in topo order, so they are mapped.
            for (slot, input) in slots.iter_mut().zip(self.inputs(id)) {
                *slot = position[input];
            }
            position.insert(id, at);
            ops.push(self.op(id));
            inputs.push(slots);
        }
        Plan {
            ids,
            ops,
            inputs,
            position,
        }
    }

    /// The gradient of the plan's root with respect to each of its nodes, by
    /// backpropagation from current data, as if all grads were zero.
    fn scratch_gradients(&self, plan: &Plan) -> Vec<f64> {
        let count = plan.ids.len();
        let mut grads = vec![0.0; count];
        grads[count - 1] = 1.0;
        for at in (0..count).rev() {
            let op = plan.ops[at];
            let arity = op.arity();
            if arity == 0 {
                continue;
            }
            let [lhs, rhs] = plan.inputs[at];
            let x = self.data(plan.ids[lhs]);
            let y = if arity == 2 { self.data(plan.ids[rhs]) } else { 0.0 };
            let (dx, dy) = local_derivatives(op, x, y, self.data(plan.ids[at]));
            grads[lhs] += dx * grads[at];
            if arity == 2 {
                grads[rhs] += dy * grads[at];
            }
        }
        grads
    }

    /// Recomputes every node of the plan into `values`, with the node at
    /// `perturbed.0` (if any) held at `perturbed.1`, and records in `branches`
    /// which side of its kink each relu, abs, max and min fell on. Returns
    /// whether every value was finite.
    fn evaluate(
        &self,
        plan: &Plan,
        perturbed: Option<(usize, f64)>,
        values: &mut [f64],
        branches: &mut [Option<Ordering>],
    ) -> bool {
        let mut finite = true;
        for at in 0..plan.ids.len() {
            let op = plan.ops[at];
            let [lhs, rhs] = plan.inputs[at];
            // A perturbed node is held, not computed, so it takes no branch; the
            // slot is still written so no earlier leaf's branch lingers in it.
            branches[at] = None;
            let value = match perturbed {
                Some((p, value)) if p == at => value,
                _ if op == Op::Leaf => self.data(plan.ids[at]),
                _ => {
                    let x = values[lhs];
                    let y = if op.arity() == 2 { values[rhs] } else { 0.0 };
                    if op.has_kink() {
                        let pivot = if op.arity() == 2 { y } else { 0.0 };
                        branches[at] = x.partial_cmp(&pivot);
                    }
                    forward(op, x, y)
                }
            };
            finite &= value.is_finite();
            values[at] = value;
        }
        finite
    }
}
