//! Arithmetic on values: plain numbers stay plain, anything touching a node builds one.

use super::{Exec, RuntimeError, Session, errors};
use crate::ast::{BinaryOp, CompareOp};
use crate::graph::{self, GraphError, NodeId, Op};
use crate::limits::Reached;
use crate::span::Span;
use crate::value::Value;

impl Session {
    /// `lhs op rhs` for `+ - * / **`: plain numbers stay plain, anything touching a node builds a node.
    #[inline]
    pub(super) fn arithmetic(&mut self, op: BinaryOp, lhs: &Value, rhs: &Value, span: Span) -> Exec<Value> {
        // The commonest case by far in graph building: two nodes, or a node and a
        // constant, under an op that makes a node.
        if let Some(graph_op) = graph_op(op) {
            let inputs = match (lhs, rhs) {
                (Value::Node(a), Value::Node(b)) => Some((*a, *b)),
                // A failed leaf adds nothing: the general path below meets the same error.
                (Value::Node(a), Value::Num(b)) => self.graph.leaf(*b).ok().map(|b| (*a, b)),
                (Value::Num(a), Value::Node(b)) => self.graph.leaf(*a).ok().map(|a| (a, *b)),
                _ => None,
            };
            if let Some((a, b)) = inputs {
                return self.apply(graph_op, &[a, b], span);
            }
        }
        self.general_arithmetic(op, lhs, rhs, span)
    }

    #[inline(never)]
    pub(super) fn general_arithmetic(&mut self, op: BinaryOp, lhs: &Value, rhs: &Value, span: Span) -> Exec<Value> {
        let Some(graph_op) = graph_op(op) else {
            // Like a comparison, a remainder reads data and builds no node.
            return match (self.number(lhs), self.number(rhs)) {
                (Some(a), Some(b)) => Ok(Value::Num(self.number_arithmetic(op, a, b, span)?)),
                _ => Err(errors::arithmetic_type_error(op, lhs, rhs, span).into()),
            };
        };
        match (lhs, rhs) {
            (Value::Num(a), Value::Num(b)) => {
                // Index arithmetic (xs[2*i + 1]) is common: skip the generic dispatch when it is safe.
                let quick = match op {
                    BinaryOp::Add => a + b,
                    BinaryOp::Sub => a - b,
                    BinaryOp::Mul => a * b,
                    _ => f64::NAN,
                };
                if quick.is_finite() {
                    return Ok(Value::Num(quick));
                }
                Ok(Value::Num(self.number_arithmetic(op, *a, *b, span)?))
            }
            // Lists join with '+', as in Python: xs = xs + [x].
            (Value::List(a), Value::List(b)) if op == BinaryOp::Add => {
                let mut joined = self.reserve_list(a.len().saturating_add(b.len()), span)?;
                joined.extend(a.iter().chain(b.iter()).cloned());
                Ok(Value::list(joined))
            }
            (Value::Num(_) | Value::Node(_), Value::Num(_) | Value::Node(_)) => {
                let a = self.node_of(lhs, span)?;
                let b = self.node_of(rhs, span)?;
                self.apply(graph_op, &[a, b], span)
            }
            _ => Err(errors::arithmetic_type_error(op, lhs, rhs, span).into()),
        }
    }

    pub(super) fn number_arithmetic(&self, op: BinaryOp, a: f64, b: f64, span: Span) -> Exec<f64> {
        let Some(graph_op) = graph_op(op) else {
            // Python's sign convention: the result has the sign of the divisor (-1 % 10 == 9).
            let result = a - b * (a / b).floor();
            return if result.is_finite() {
                Ok(result)
            } else {
                Err(RuntimeError::NotFinite {
                    message: format!(
                        "{} % {} is not a finite number",
                        crate::number::format_number(a),
                        crate::number::format_number(b)
                    ),
                    span,
                }
                .into())
            };
        };
        self.plain(graph_op, &[a, b], span)
    }

    /// The result of `op` on plain numbers, with the same finiteness rule as graph nodes.
    pub(super) fn plain(&self, op: Op, operands: &[f64], span: Span) -> Exec<f64> {
        let result = graph::forward(op, operands[0], operands.get(1).copied().unwrap_or(0.0));
        if result.is_finite() {
            Ok(result)
        } else {
            Err(self
                .graph_error(
                    GraphError::NonFinite {
                        op,
                        operands: operands.to_vec(),
                        result,
                    },
                    span,
                )
                .into())
        }
    }

    #[inline]
    pub(super) fn apply(&mut self, op: Op, inputs: &[NodeId], span: Span) -> Exec<Value> {
        let result = match *inputs {
            [x] => self.graph.apply1(op, x),
            [lhs, rhs] => self.graph.apply2(op, lhs, rhs),
            _ => self.graph.apply(op, inputs),
        };
        match result {
            Ok(id) => Ok(Value::Node(id)),
            Err(error) => Err(self.graph_error(error, span).into()),
        }
    }

    /// A node for a scalar value: a plain number becomes an unlabelled constant leaf.
    pub(super) fn node_of(&mut self, value: &Value, span: Span) -> Exec<NodeId> {
        match value {
            Value::Node(id) => Ok(*id),
            Value::Num(x) => self
                .graph
                .leaf(*x)
                .map_err(|error| self.graph_error(error, span).into()),
            other => Err(RuntimeError::Type {
                message: format!("expected a number, found {}", other.kind_name()),
                span,
                help: None,
            }
            .into()),
        }
    }

    pub(super) fn graph_error(&self, error: GraphError, span: Span) -> RuntimeError {
        match error {
            GraphError::TooManyNodes { limit } => super::limit_error(Reached::Nodes { nodes: limit }, span),
            GraphError::OutOfMemory { .. } => super::limit_error(
                Reached::Memory {
                    mib: self.limits.memory_mib.unwrap_or_default(),
                },
                span,
            ),
            other => RuntimeError::NotFinite {
                message: other.to_string(),
                span,
            },
        }
    }

    pub(super) fn compare(&self, op: CompareOp, left: &Value, right: &Value, span: Span) -> Result<bool, RuntimeError> {
        if let (Some(a), Some(b)) = (self.number(left), self.number(right)) {
            return Ok(match op {
                CompareOp::Eq => a == b,
                CompareOp::Ne => a != b,
                CompareOp::Lt => a < b,
                CompareOp::Le => a <= b,
                CompareOp::Gt => a > b,
                CompareOp::Ge => a >= b,
                CompareOp::Approx => (a - b).abs() <= 1e-6 * 1f64.max(a.abs()).max(b.abs()),
            });
        }
        let equal = match (left, right) {
            (Value::Bool(a), Value::Bool(b)) => Some(a == b),
            (Value::Str(a), Value::Str(b)) => Some(a == b),
            _ => None,
        };
        match (op, equal) {
            (CompareOp::Eq, Some(equal)) => Ok(equal),
            (CompareOp::Ne, Some(equal)) => Ok(!equal),
            _ => Err(RuntimeError::Type {
                message: format!(
                    "cannot compare {} with {} using '{}'",
                    left.kind_name(),
                    right.kind_name(),
                    op.symbol()
                ),
                span,
                help: None,
            }),
        }
    }

    pub(super) fn number(&self, value: &Value) -> Option<f64> {
        match value {
            Value::Num(x) => Some(*x),
            Value::Node(id) => Some(self.graph.data(*id)),
            _ => None,
        }
    }

    pub(super) fn expect_number(&self, value: &Value, span: Span, what: &str) -> Exec<f64> {
        self.number(value).ok_or_else(|| {
            RuntimeError::Type {
                message: format!("{what} must be a number, not {}", value.kind_name()),
                span,
                help: None,
            }
            .into()
        })
    }

    pub(super) fn expect_integer(&self, value: &Value, span: Span, what: &str) -> Exec<i64> {
        let x = self.expect_number(value, span, what)?;
        if let Some(whole) = whole_number(x) {
            Ok(whole)
        } else {
            Err(RuntimeError::Type {
                message: format!("{what} must be a whole number, not {}", crate::number::format_number(x)),
                span,
                help: None,
            }
            .into())
        }
    }
}

/// `x` as an integer if it is a whole number below 9e15 in size (exactly
/// representable, with room for index arithmetic).
#[inline]
pub(super) fn whole_number(x: f64) -> Option<i64> {
    // `as` saturates and maps NaN to 0; the round trip rejects those and fractions.
    let whole = x as i64;
    (whole as f64 == x && x.abs() < 9.0e15).then_some(whole)
}

/// The graph operation of an arithmetic operator; `%` has none (it builds no node).
pub(super) fn graph_op(op: BinaryOp) -> Option<Op> {
    match op {
        BinaryOp::Add => Some(Op::Add),
        BinaryOp::Sub => Some(Op::Sub),
        BinaryOp::Mul => Some(Op::Mul),
        BinaryOp::Div => Some(Op::Div),
        BinaryOp::Pow => Some(Op::Pow),
        BinaryOp::Rem => None,
    }
}
