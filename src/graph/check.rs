//! Gradient checking by finite differences, as `torch.autograd.gradcheck` does
//! for tensors.
//!
//! Both sides are taken at the leaves' *current* data. A graph is a record of
//! a computation: after `a.data = 0.5` (a training step) the nodes computed
//! from `a` still hold the values of the old point, and backward would read
//! them. So the check first recomputes every node from the leaves, in scratch
//! buffers, then back-propagates through the recomputed values (the autograd
//! side) and re-evaluates with each leaf nudged (the numeric side). A correct
//! graph therefore always matches, however stale its stored data, and the
//! result says how many stored values were stale.
//!
//! Architecture Invariant: checking never mutates the graph. It evaluates
//! perturbed copies of the root's subgraph in scratch buffers, so data and grads
//! are bit-identical before and after, and a check can be run at any point of a
//! script without changing what the script computes next.
//!
//! Architecture Invariant: the numeric side goes through [`forward`] and the
//! autograd side through the local derivatives, and neither reads a stored
//! value of a node that has inputs, so a wrong derivative of any op shows up
//! as a mismatch (`a_wrong_derivative_of_any_op_is_caught` in the tests).

use std::collections::HashMap;

use super::op::{forward, local_derivatives, piece};
use super::{Graph, GraphError, NodeId, NonFiniteStep, Op};

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
    /// They disagree by more than the tolerance, but by no more than the
    /// finite difference's own error at this eps (rounding, where the graph's
    /// values are large next to the step; truncation, where it curves sharply
    /// within the step): the difference cannot tell. Not a failure.
    Imprecise,
}

/// How many units of roundoff (2^-53) one node's value may be off by: one for
/// `+ - * /`, a few for exp, log, powers and the formulas of tanh and sigmoid.
const ROUNDING_UNITS_PER_NODE: f64 = 4.0;

/// The comparison for one leaf.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckRow {
    pub leaf: NodeId,
    /// d root / d leaf by backpropagation, as `grad root` would report it.
    pub autograd: f64,
    /// The central difference (f(x + eps) - f(x - eps)) / (2 eps), where
    /// 2 eps is the step actually taken (x + eps and x - eps are rounded).
    pub numeric: f64,
    /// |autograd - numeric|.
    pub abs_err: f64,
    pub status: CheckStatus,
    /// For a row that disagrees beyond the tolerance: the estimated error of
    /// `numeric` itself (rounding plus truncation).
    pub numeric_error: Option<f64>,
    /// For an `Imprecise` row: an eps (a power of ten) at which the
    /// difference should be precise enough to compare.
    pub suggested_eps: Option<f64>,
}

/// The rows, one per leaf in the order asked, whether the check passed, and
/// whether the graph's stored data was that of the leaves' current data.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckResult {
    pub rows: Vec<CheckRow>,
    /// No row is `Mismatch` or `Undefined`.
    pub ok: bool,
    /// The root recomputed from its leaves' current data: where the check
    /// was taken. The same as its stored data unless the graph is stale.
    pub value: f64,
    /// How many nodes of the root's graph store data other than what their
    /// inputs give now: a leaf's data changed after they were computed.
    pub stale: usize,
}

/// Local derivatives by op, inputs and output, as `local_derivatives` gives
/// them; the tests hand [`Graph::check_using`] wrong ones to see them caught.
pub(super) type Derivatives = fn(Op, f64, f64, f64) -> (f64, f64);

/// The root's subgraph in topological order, with inputs as positions in that
/// order, so that re-evaluation is a single forward loop over a dense buffer.
struct Plan {
    ids: Vec<NodeId>,
    ops: Vec<Op>,
    inputs: Vec<[usize; 2]>,
    position: HashMap<NodeId, usize>,
}

impl Graph {
    /// For each of `leaves` in order, compares the gradient of `root` by
    /// backpropagation with a central finite difference, both at the leaves'
    /// current data (see the module's comment).
    ///
    /// The autograd gradient is what `grad root` would report if the graph
    /// were rebuilt from its leaves now: every node is recomputed with
    /// [`forward`], then back-propagated through in scratch buffers. The
    /// finite difference re-evaluates the nodes of `topo(root)` with one
    /// leaf's data moved by ±eps. A node of `leaves` that is not a leaf is
    /// treated as an independent variable in its own row: its value is held
    /// at ±eps around its recomputed value. A node not reachable from `root`
    /// gets 0 from both.
    ///
    /// Errors: [`GraphError::NonFinite`] if a node is not finite at the
    /// leaves' current data (only possible when a leaf changed after the
    /// graph was built), and [`GraphError::NonFiniteGradient`] where
    /// [`Graph::backward`] would give one.
    ///
    /// Takes `&self`: all of this happens in scratch buffers. Panics if `root`
    /// or a leaf is not a node of this graph (programmer error).
    pub fn check(&self, root: NodeId, leaves: &[NodeId], options: CheckOptions) -> Result<CheckResult, GraphError> {
        self.check_using(root, leaves, options, local_derivatives)
    }

    /// [`Graph::check`] with the autograd side's local derivatives taken from `derivatives`.
    pub(super) fn check_using(
        &self,
        root: NodeId,
        leaves: &[NodeId],
        options: CheckOptions,
        derivatives: Derivatives,
    ) -> Result<CheckResult, GraphError> {
        let plan = self.plan(root);
        let count = plan.ids.len();
        let mut current = vec![0.0; count];
        let mut pieces_plus = vec![0.0; count];
        if let Err(at) = self.evaluate(&plan, None, &mut current, &mut pieces_plus) {
            return Err(self.non_finite_at(&plan, &current, at));
        }
        let stale = (0..count)
            .filter(|&at| plan.ops[at] != Op::Leaf && current[at] != self.data(plan.ids[at]))
            .count();
        let autograd = self.scratch_gradients(&plan, &current, derivatives)?;
        // To first order, rounding each node's value by a relative u moves the
        // root by u |value| |d root / d value|: the sum bounds an evaluation's
        // rounding error (leaves are exact).
        let rounding_scale: f64 = (0..count)
            .filter(|&at| plan.ops[at] != Op::Leaf)
            .map(|at| (current[at] * autograd[at]).abs())
            .sum();
        let rounding_per_evaluation = ROUNDING_UNITS_PER_NODE * f64::EPSILON / 2.0 * rounding_scale;
        let mut values = vec![0.0; count];
        let mut pieces_minus = vec![0.0; count];
        let mut rows = Vec::with_capacity(leaves.len());
        for &leaf in leaves {
            let Some(at) = plan.position.get(&leaf).copied() else {
                rows.push(CheckRow {
                    leaf,
                    autograd: 0.0,
                    numeric: 0.0,
                    abs_err: 0.0,
                    status: CheckStatus::Ok,
                    numeric_error: None,
                    suggested_eps: None,
                });
                continue;
            };
            let x = current[at];
            let mut difference = |eps: f64, pieces_plus: &mut [f64], pieces_minus: &mut [f64]| {
                let (above, below) = (x + eps, x - eps);
                let plus = self.evaluate(&plan, Some((at, above)), &mut values, pieces_plus);
                let f_plus = values[count - 1];
                let minus = self.evaluate(&plan, Some((at, below)), &mut values, pieces_minus);
                let f_minus = values[count - 1];
                // The step actually taken: x ± eps are rounded, which matters for a
                // large x (at 1e8 the rounding is 4% of eps=1e-6).
                let step = above - below;
                let numeric = (f_plus - f_minus) / step;
                (numeric, step, plus.is_ok() && minus.is_ok() && numeric.is_finite())
            };
            let (numeric, step, defined) = difference(options.eps, &mut pieces_plus, &mut pieces_minus);
            let autograd = autograd[at];
            let abs_err = (autograd - numeric).abs();
            let tolerance = options.atol + options.rtol * numeric.abs();
            let mut row = CheckRow {
                leaf,
                autograd,
                numeric,
                abs_err,
                status: CheckStatus::Ok,
                numeric_error: None,
                suggested_eps: None,
            };
            if !defined {
                row.status = CheckStatus::Undefined;
            } else if pieces_plus != pieces_minus {
                row.status = CheckStatus::Kink;
            } else if abs_err > tolerance {
                // Before calling it a mismatch: how far off may the difference itself be?
                // Rounding: each evaluation's error, over the step. Truncation: the
                // central difference's error is about c eps^2, so a second one at eps/2
                // is off by a quarter of it, and 4/3 of their distance estimates it.
                let rounding = 2.0 * rounding_per_evaluation / step;
                let (half, _, half_defined) = difference(options.eps / 2.0, &mut pieces_plus, &mut pieces_minus);
                let truncation = if half_defined {
                    (numeric - half).abs() * 4.0 / 3.0
                } else {
                    0.0
                };
                let error = rounding + truncation;
                row.numeric_error = Some(error);
                if abs_err <= tolerance + error {
                    row.status = CheckStatus::Imprecise;
                    row.suggested_eps = Some(better_eps(options.eps, tolerance, rounding, truncation));
                } else {
                    row.status = CheckStatus::Mismatch;
                }
            }
            rows.push(row);
        }
        let ok = rows
            .iter()
            .all(|row| !matches!(row.status, CheckStatus::Mismatch | CheckStatus::Undefined));
        Ok(CheckResult {
            rows,
            ok,
            value: current[count - 1],
            stale,
        })
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
    /// backpropagation through `values` (the nodes recomputed at the current
    /// point), as if all grads were zero; the same error as
    /// [`Graph::backward`] where a gradient would not be finite.
    fn scratch_gradients(&self, plan: &Plan, values: &[f64], derivatives: Derivatives) -> Result<Vec<f64>, GraphError> {
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
            let x = values[lhs];
            let y = if arity == 2 { values[rhs] } else { 0.0 };
            let (dx, dy) = derivatives(op, x, y, values[at]);
            for (which, input, local) in [(0, lhs, dx), (1, rhs, dy)].into_iter().take(arity) {
                let grad = grads[input] + local * grads[at];
                if !grad.is_finite() && !self.is_constant(plan.ids[input]) {
                    return Err(GraphError::NonFiniteGradient(Box::new(NonFiniteStep {
                        op,
                        operands: [x, y][..arity].to_vec(),
                        which,
                        input: plan.ids[input],
                        local,
                        upstream: grads[at],
                        grad_before: grads[input],
                    })));
                }
                grads[input] = grad;
            }
        }
        Ok(grads)
    }

    /// Recomputes every node of the plan into `values`, with the node at
    /// `perturbed.0` (if any) held at `perturbed.1`, and records in `pieces`
    /// which smooth piece each op with a kink fell on (see [`piece`]). Leaves
    /// take their stored data. Stops at the first value that is not finite
    /// and returns its position.
    fn evaluate(
        &self,
        plan: &Plan,
        perturbed: Option<(usize, f64)>,
        values: &mut [f64],
        pieces: &mut [f64],
    ) -> Result<(), usize> {
        for at in 0..plan.ids.len() {
            let op = plan.ops[at];
            let [lhs, rhs] = plan.inputs[at];
            // A perturbed node is held, not computed, so it takes no piece; the
            // slot is still written so no earlier leaf's piece lingers in it.
            pieces[at] = 0.0;
            let value = match perturbed {
                Some((p, value)) if p == at => value,
                _ if op == Op::Leaf => self.data(plan.ids[at]),
                _ => {
                    let x = values[lhs];
                    let y = if op.arity() == 2 { values[rhs] } else { 0.0 };
                    let value = forward(op, x, y);
                    if op.has_kink() {
                        pieces[at] = piece(op, x, y, value);
                    }
                    value
                }
            };
            values[at] = value;
            if !value.is_finite() {
                return Err(at);
            }
        }
        Ok(())
    }

    /// The error of the node at `at`, whose value at the current point is not finite.
    fn non_finite_at(&self, plan: &Plan, values: &[f64], at: usize) -> GraphError {
        let op = plan.ops[at];
        let [lhs, rhs] = plan.inputs[at];
        let operands = match op.arity() {
            0 => vec![values[at]],
            1 => vec![values[lhs]],
            _ => vec![values[lhs], values[rhs]],
        };
        GraphError::NonFinite {
            op,
            operands,
            result: values[at],
        }
    }
}

/// An eps, a power of ten, at which a difference off by `rounding +
/// truncation` at `eps` should be off by a quarter of `tolerance` at most:
/// rounding falls as 1 / eps, truncation as eps^2.
fn better_eps(eps: f64, tolerance: f64, rounding: f64, truncation: f64) -> f64 {
    let target = tolerance / 4.0;
    let wanted = if rounding >= truncation {
        eps * rounding / target
    } else {
        eps * (target / truncation).sqrt()
    };
    let power = if rounding >= truncation {
        wanted.log10().ceil()
    } else {
        wanted.log10().floor()
    };
    // Parsed rather than computed, so that it is exactly the power of ten it prints as.
    let suggested: f64 = format!("1e{power}").parse().unwrap_or(eps);
    if suggested.is_finite() && suggested > 0.0 {
        suggested
    } else {
        eps
    }
}
