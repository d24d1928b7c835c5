//! `derivative(f, x)`: df/dx at x, by autograd, as a plain number (SPEC §8).
//!
//! It calls `f` on a fresh leaf holding x, then back-propagates from the result
//! in scratch buffers (its own adjoints, as `check` does), so no node of the
//! session has its grad or data changed: the user's graph is as it was. The leaf
//! and what `f` built are garbage, reclaimed by the next collection.

use rustc_hash::FxHashMap;

use super::super::{Host, RuntimeError, Session};
use crate::graph::{NodeId, describe_operation};
use crate::number::format_number;
use crate::span::Span;
use crate::value::Value;

impl Session {
    pub(super) fn derivative(
        &mut self,
        args: &[Value],
        spans: &[Span],
        span: Span,
        host: &mut dyn Host,
    ) -> Result<Value, RuntimeError> {
        let function = &args[0];
        if !matches!(function, Value::Function(_) | Value::Builtin(_)) {
            return Err(RuntimeError::Type {
                message: format!("'derivative' needs a function first, not {}", function.kind_name()),
                span: spans[0],
                help: Some("define one and pass its name: fn f(x) = 3*x**2; derivative(f, 2)".to_string()),
            });
        }
        let x = self.number(&args[1]).ok_or_else(|| RuntimeError::Type {
            message: format!(
                "the point of 'derivative' must be a number, not {}",
                args[1].kind_name()
            ),
            span: spans[1],
            help: None,
        })?;
        if self.derivatives > 0 {
            // The inner derivative would be a plain number, so the outer one would be 0.
            return Err(RuntimeError::Argument {
                message: "'derivative' cannot run inside another 'derivative'".to_string(),
                span,
                help: Some(
                    "derivative(f, x) is a plain number, with no graph behind it, so its own derivative would wrongly be 0"
                        .to_string(),
                ),
            });
        }
        let leaf = self.graph.leaf(x).map_err(|error| self.graph_error(error, span))?;
        self.derivatives += 1;
        let result = self.call_from_rust(function, vec![Value::Node(leaf)], span, host);
        self.derivatives -= 1;
        match result? {
            // A function that ignores x, or returns data (`x.data`): a constant.
            Value::Num(_) => Ok(Value::Num(0.0)),
            Value::Node(root) => Ok(Value::Num(self.slope(root, leaf, span)?)),
            other => Err(RuntimeError::Type {
                message: format!(
                    "'derivative' needs a function that returns a number, but it returned {}",
                    other.kind_name()
                ),
                span,
                help: None,
            }),
        }
    }

    /// d root / d leaf, back-propagated in scratch adjoints over root's graph.
    fn slope(&self, root: NodeId, leaf: NodeId, span: Span) -> Result<f64, RuntimeError> {
        let order = self.graph.topo(root);
        let position: FxHashMap<NodeId, usize> = order.iter().enumerate().map(|(k, id)| (*id, k)).collect();
        let mut adjoint = vec![0.0; order.len()];
        adjoint[order.len() - 1] = 1.0;
        for (k, &node) in order.iter().enumerate().rev() {
            let upstream = adjoint[k];
            for (which, &input) in self.graph.inputs(node).iter().enumerate() {
                let local = self.graph.local_derivative(node, which);
                let at = position[&input];
                let sum = adjoint[at] + local * upstream;
                // A constant (the 2 of x ** 2) may take any gradient: nobody reads it.
                if !sum.is_finite() && !self.graph.is_constant(input) {
                    let operands: Vec<f64> = self.graph.inputs(node).iter().map(|id| self.graph.data(*id)).collect();
                    let through = describe_operation(self.graph.op(node), &operands, &format_number);
                    return Err(RuntimeError::NotFinite {
                        message: format!(
                            "the derivative at {} is not a finite number: backward through {through} gives {} (its derivative) * {} (the gradient from above)",
                            format_number(self.graph.data(leaf)),
                            format_number(local),
                            format_number(upstream)
                        ),
                        span,
                        help: Some("the function has no finite derivative here; try another point".to_string()),
                    });
                }
                adjoint[at] = sum;
            }
        }
        Ok(position.get(&leaf).map_or(0.0, |&at| adjoint[at]))
    }
}
