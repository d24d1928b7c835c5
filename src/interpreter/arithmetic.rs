//! Arithmetic on values: plain numbers stay plain, anything touching a node builds one.

use super::{Exec, Flow, RuntimeError, Session, errors};
use crate::ast::{BinaryOp, CompareOp, Expr, ExprKind};
use crate::graph::{self, GraphError, NodeId, Op};
use crate::limits::Reached;
use crate::number::format_number;
use crate::span::Span;
use crate::value::Value;

impl Session {
    /// `lhs op rhs` for `+ - * / % **`: plain numbers stay plain, anything touching a node builds a node.
    #[inline]
    pub(super) fn arithmetic(&mut self, op: BinaryOp, lhs: &Value, rhs: &Value, span: Span) -> Exec<Value> {
        // The commonest case by far in graph building: two nodes, or a node and a
        // constant, under an op that makes a node.
        let inputs = match (lhs, rhs) {
            (Value::Node(a), Value::Node(b)) => Some((*a, *b)),
            // A failed leaf adds nothing: the general path below meets the same error.
            (Value::Node(a), Value::Num(b)) => self.graph.constant(*b).ok().map(|b| (*a, b)),
            (Value::Num(a), Value::Node(b)) => self.graph.constant(*a).ok().map(|a| (a, *b)),
            _ => None,
        };
        if let Some((a, b)) = inputs {
            return self.apply(graph_op(op), &[a, b], span);
        }
        self.general_arithmetic(op, lhs, rhs, span)
    }

    #[inline(never)]
    pub(super) fn general_arithmetic(&mut self, op: BinaryOp, lhs: &Value, rhs: &Value, span: Span) -> Exec<Value> {
        let graph_op = graph_op(op);
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
            // And strings: "loss " + str(x).
            (Value::Str(a), Value::Str(b)) if op == BinaryOp::Add => {
                let mut joined = self.reserve_string(a.len().saturating_add(b.len()), span)?;
                joined.push_str(a);
                joined.push_str(b);
                Ok(Value::str(joined))
            }
            (Value::Num(_) | Value::Node(_), Value::Num(_) | Value::Node(_)) => {
                let a = self.node_of(lhs, span)?;
                let b = self.node_of(rhs, span)?;
                self.apply(graph_op, &[a, b], span)
            }
            _ => Err(errors::arithmetic_type_error(op, lhs, rhs, span).into()),
        }
    }

    /// An arithmetic error reworded with the operands as written, where that helps:
    /// `[1,2] + 3` suggests `[x + 3 for x in [1,2]]`, and `f(1) + 1` names the function
    /// that returned nothing. Any other early exit is given back as it was.
    #[cold]
    #[inline(never)]
    pub(super) fn explain_operands(&self, flow: Flow, operands: &Operands, values: [&Value; 2]) -> Flow {
        let (op, span) = (operands.op, operands.span);
        // An operand that is itself an operation keeps its meaning in parentheses.
        let text = |k: usize| {
            let written = self.sources.slice(operands.written[k].span);
            if operands.written[k].is_operation && !written.starts_with('(') {
                format!("({written})")
            } else {
                written.to_string()
            }
        };
        let help = match values {
            [Value::List(_), Value::Num(_) | Value::Node(_)] => format!(
                "to apply '{}' to every item, use a comprehension: [x {} {} for x in {}]",
                op.symbol(),
                op.symbol(),
                text(1),
                text(0)
            ),
            [Value::Num(_) | Value::Node(_), Value::List(_)] => format!(
                "to apply '{}' to every item, use a comprehension: [{} {} x for x in {}]",
                op.symbol(),
                text(0),
                op.symbol(),
                text(1)
            ),
            [Value::None, _] | [_, Value::None] => {
                let k = usize::from(!matches!(values[0], Value::None));
                match operands.written[k].callee {
                    Some(callee) => format!(
                        "'{}' gives nothing back: its body has no 'return'; end it with 'return value'",
                        self.sources.slice(callee)
                    ),
                    None => format!(
                        "'{}' is nothing: the result of a function whose body has no 'return'",
                        text(k)
                    ),
                }
            }
            _ => return flow,
        };
        let mut error = errors::arithmetic_type_error(op, values[0], values[1], span);
        if let RuntimeError::Type { help: slot, .. } = &mut error {
            *slot = Some(help);
        }
        error.into()
    }

    pub(super) fn number_arithmetic(&self, op: BinaryOp, a: f64, b: f64, span: Span) -> Exec<f64> {
        self.plain(graph_op(op), &[a, b], span)
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
                .constant(*x)
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
            GraphError::NonFinite { op, operands, result } => RuntimeError::NotFinite {
                message: format!(
                    "{} is not a finite number ({})",
                    graph::describe_operation(op, &operands, &format_number),
                    format_number(result)
                ),
                span,
                help: None,
            },
            GraphError::NonFiniteGradient(step) => {
                errors::non_finite_gradient(&step, self.graph.label(step.input), span)
            }
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
            return Ok(whole);
        }
        let error = if x.fract() == 0.0 {
            // A whole number, but past the last f64 that has every whole number below it.
            RuntimeError::Argument {
                message: format!(
                    "{what} must be a whole number between -2^53 and 2^53, not {}",
                    format_number(x)
                ),
                span,
                help: Some(format!(
                    "past 2^53 = {} an f64 cannot hold every whole number, so counting with it is not exact",
                    format_number(MAX_WHOLE)
                )),
            }
        } else {
            RuntimeError::Type {
                message: format!("{what} must be a whole number, not {}", format_number(x)),
                span,
                help: None,
            }
        };
        Err(error.into())
    }
}

/// An arithmetic operation as written, for the wording of its errors
/// ([`Session::explain_operands`]): both engines give the same sentence.
#[derive(Clone, Debug)]
pub(super) struct Operands {
    pub(super) op: BinaryOp,
    /// The whole operation.
    pub(super) span: Span,
    pub(super) written: [Operand; 2],
}

/// One operand as written.
#[derive(Clone, Copy, Debug)]
pub(super) struct Operand {
    pub(super) span: Span,
    /// An operation itself (`a * b` in `a * b + c`): bracketed when quoted.
    pub(super) is_operation: bool,
    /// A call's callee (`f` in `f(1)`).
    pub(super) callee: Option<Span>,
}

impl Operands {
    pub(super) fn of(op: BinaryOp, span: Span, lhs: &Expr, rhs: &Expr) -> Operands {
        let operand = |expr: &Expr| Operand {
            span: expr.span,
            is_operation: matches!(expr.kind, ExprKind::Binary { .. }),
            callee: match &expr.kind {
                ExprKind::Call { callee, .. } => Some(callee.span),
                _ => None,
            },
        };
        Operands {
            op,
            span,
            written: [operand(lhs), operand(rhs)],
        }
    }
}

/// 2^53: every whole number up to it is an f64, and it is the last one that
/// is (2^53 + 1 rounds to it).
const MAX_WHOLE: f64 = 9_007_199_254_740_992.0;

/// `x` as an integer if it is a whole number no larger than 2^53 in size, so
/// that it stands for exactly one integer.
#[inline]
pub(super) fn whole_number(x: f64) -> Option<i64> {
    // `as` saturates and maps NaN to 0; the round trip rejects those and fractions.
    let whole = x as i64;
    (whole as f64 == x && x.abs() <= MAX_WHOLE).then_some(whole)
}

/// The graph operation of an arithmetic operator: each builds a node when a node is involved.
pub(super) fn graph_op(op: BinaryOp) -> Op {
    match op {
        BinaryOp::Add => Op::Add,
        BinaryOp::Sub => Op::Sub,
        BinaryOp::Mul => Op::Mul,
        BinaryOp::Div => Op::Div,
        BinaryOp::Rem => Op::Rem,
        BinaryOp::Pow => Op::Pow,
    }
}
