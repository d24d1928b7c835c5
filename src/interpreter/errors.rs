//! Runtime errors, and the helpers that word them.

use thiserror::Error;

use crate::ast::{ATTRIBUTES, BinaryOp, Ident};
use crate::diagnostic::{Diagnostic, ErrorKind};
use crate::graph::{NonFiniteStep, Op, describe_operation};
use crate::number::format_number;
use crate::span::Span;
use crate::suggest::closest;
use crate::value::Value;

/// Everything that can go wrong while a parsed program runs. Every variant
/// carries the span of the code that caused it.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum RuntimeError {
    #[error("unknown name '{name}'{}", suggestion.as_ref().map(|s| format!(" — did you mean '{s}'?")).unwrap_or_default())]
    UnknownName {
        name: String,
        span: Span,
        suggestion: Option<String>,
    },
    /// A call of a name bound to nothing: `foo(2)`.
    #[error("unknown function '{name}'{}", suggestion.as_ref().map(|s| format!(" — did you mean '{s}'?")).unwrap_or_default())]
    UnknownFunction {
        name: String,
        span: Span,
        suggestion: Option<String>,
        help: Option<String>,
    },
    /// An operation whose result, or whose gradient, is not a finite number;
    /// the message names the operation and its operands.
    #[error("{message}")]
    NotFinite {
        message: String,
        span: Span,
        help: Option<String>,
    },
    /// A value of the wrong kind.
    #[error("{message}")]
    Type {
        message: String,
        span: Span,
        help: Option<String>,
    },
    /// A call with the wrong arguments.
    #[error("{message}")]
    Argument {
        message: String,
        span: Span,
        help: Option<String>,
    },
    #[error("index {index} is out of range for a list of {len} item{}", if *len == 1 { "" } else { "s" })]
    IndexOutOfRange { index: i64, len: usize, span: Span },
    #[error("assertion failed: {message}")]
    Assertion { message: String, span: Span },
    #[error("cannot write '{path}': {reason}")]
    Write { path: String, reason: String, span: Span },
    /// A limit that protects the machine (`crate::limits`): time, memory, nodes,
    /// output, steps, evaluation depth, call depth, range length. The message names
    /// the limit; the help says how to raise it.
    #[error("{message}")]
    Limit {
        message: String,
        span: Span,
        help: Option<String>,
    },
    /// A command or builtin that the exercise being graded does not allow
    /// (`Session::forbid`): the grader's check at run time, behind its reading of the source.
    #[error("'{name}' is not allowed in this exercise")]
    Forbidden {
        name: String,
        span: Span,
        help: Option<String>,
    },
    /// The host asked the run to stop (Ctrl-C).
    #[error("interrupted (Ctrl-C) while this statement ran")]
    Interrupted { span: Span },
    #[error("'return' can only be used inside a function")]
    ReturnOutsideFunction { span: Span },
    /// `break` or `continue` that reached no loop (the parser rules this out).
    #[error("'{keyword}' can only be used inside a 'for' or 'while' loop")]
    OutsideLoop { keyword: &'static str, span: Span },
}

impl RuntimeError {
    pub fn span(&self) -> Span {
        match self {
            RuntimeError::UnknownName { span, .. }
            | RuntimeError::UnknownFunction { span, .. }
            | RuntimeError::NotFinite { span, .. }
            | RuntimeError::Type { span, .. }
            | RuntimeError::Argument { span, .. }
            | RuntimeError::IndexOutOfRange { span, .. }
            | RuntimeError::Assertion { span, .. }
            | RuntimeError::Write { span, .. }
            | RuntimeError::Limit { span, .. }
            | RuntimeError::Forbidden { span, .. }
            | RuntimeError::Interrupted { span }
            | RuntimeError::ReturnOutsideFunction { span }
            | RuntimeError::OutsideLoop { span, .. } => *span,
        }
    }

    pub fn help(&self) -> Option<String> {
        match self {
            RuntimeError::UnknownName {
                name, suggestion: None, ..
            } => Some(format!("give it a value first, e.g. {name} = 1")),
            RuntimeError::Type { help, .. }
            | RuntimeError::UnknownFunction { help, .. }
            | RuntimeError::Argument { help, .. }
            | RuntimeError::NotFinite { help, .. }
            | RuntimeError::Forbidden { help, .. }
            | RuntimeError::Limit { help, .. } => help.clone(),
            RuntimeError::IndexOutOfRange { len: 0, .. } => Some("the list is empty".to_string()),
            RuntimeError::IndexOutOfRange { len, .. } => Some(format!(
                "valid indexes are 0 to {} (or -1 to -{len} from the end)",
                len - 1
            )),
            _ => None,
        }
    }

    pub fn into_diagnostic(self) -> Diagnostic {
        let kind = match self {
            RuntimeError::Assertion { .. } => ErrorKind::Assertion,
            RuntimeError::Limit { .. } => ErrorKind::Limit,
            RuntimeError::Forbidden { .. } => ErrorKind::Forbidden,
            RuntimeError::Interrupted { .. } => ErrorKind::Interrupted,
            _ => ErrorKind::Runtime,
        };
        Diagnostic {
            kind,
            message: self.to_string(),
            span: self.span(),
            label: None,
            help: self.help(),
            context: Vec::new(),
        }
    }
}

/// `x.grad would not be a finite number: backward through sqrt(0) gives inf
/// (its derivative) * 0 (the gradient from above) = nan`, with a fix, for a
/// step into the input labelled `input` (if it has a label).
pub fn non_finite_gradient(step: &NonFiniteStep, input: Option<&str>, span: Span) -> RuntimeError {
    let &NonFiniteStep {
        op,
        ref operands,
        which,
        local,
        upstream,
        grad_before,
        ..
    } = step;
    let through = describe_operation(op, operands, &format_number);
    let whose = match input {
        Some(label) => format!("{label}.grad"),
        None => "a gradient".to_string(),
    };
    let contribution = local * upstream;
    let (message, help) = if contribution.is_finite() {
        (
            format!(
                "{whose} would not be a finite number: backward through {through} adds {} to the {} already there, which gives {}",
                format_number(contribution),
                format_number(grad_before),
                format_number(grad_before + contribution)
            ),
            "the gradient is beyond the largest number (about 1.8e308); scale the numbers down".to_string(),
        )
    } else {
        let derivative = if op.arity() == 1 {
            "its derivative".to_string()
        } else {
            format!("its derivative in the {}", op.operand_name(which))
        };
        let help = if !local.is_finite() && op == Op::Pow && which == 1 {
            "a power with a negative base has no real derivative in its exponent; \
             use a positive base, or write the exponent as a number"
                .to_string()
        } else if !local.is_finite() && operands.len() == 1 {
            let at = format_number(operands[0]);
            format!(
                "{} has no finite derivative at {at}; keep its input away from {at}",
                op.symbol()
            )
        } else if !local.is_finite() {
            format!(
                "{through} has no finite derivative in its {}; move the operands away from this point",
                op.operand_name(which)
            )
        } else {
            "the gradient is beyond the largest number (about 1.8e308); scale the numbers down".to_string()
        };
        (
            format!(
                "{whose} would not be a finite number: backward through {through} gives {} ({derivative}) * {} (the gradient from above) = {}",
                format_number(local),
                format_number(upstream),
                format_number(contribution)
            ),
            help,
        )
    };
    RuntimeError::NotFinite {
        message,
        span,
        help: Some(help),
    }
}

/// The position `index` stands for in a list of `len` items (negative counts from the end).
pub fn list_position(index: i64, len: usize, span: Span) -> Result<usize, RuntimeError> {
    let position = if index < 0 { index + len as i64 } else { index };
    if position >= 0 && (position as usize) < len {
        Ok(position as usize)
    } else {
        Err(RuntimeError::IndexOutOfRange { index, len, span })
    }
}

pub fn unknown_attribute(attribute: &Ident) -> RuntimeError {
    let suggestion = closest(&attribute.name, ATTRIBUTES.iter().copied());
    RuntimeError::Type {
        message: format!(
            "unknown attribute '.{}'{}",
            attribute.name,
            suggestion
                .as_ref()
                .map(|s| format!(" — did you mean '.{s}'?"))
                .unwrap_or_default()
        ),
        span: attribute.span,
        help: Some("a node has .data, .grad and .label".to_string()),
    }
}

pub fn arithmetic_type_error(op: BinaryOp, lhs: &Value, rhs: &Value, span: Span) -> RuntimeError {
    let (list_side, other) = match (lhs, rhs) {
        (Value::List(_), other) | (other, Value::List(_)) => (true, other),
        _ => (false, rhs),
    };
    let text_side = matches!(lhs, Value::Str(_)) || matches!(rhs, Value::Str(_));
    let nothing_side = matches!(lhs, Value::None) || matches!(rhs, Value::None);
    let help = if nothing_side {
        Some("a function whose body has no 'return' gives nothing: end it with 'return value'".to_string())
    } else if text_side && op == BinaryOp::Add {
        Some("to join text and a value, convert the value: \"loss \" + str(x), or write f\"loss {x}\"".to_string())
    } else if list_side && matches!(other, Value::Num(_) | Value::Node(_)) {
        Some(format!(
            "to apply '{}' to every item, use a comprehension: [x {} n for x in xs]",
            op.symbol(),
            op.symbol()
        ))
    } else if list_side {
        Some("to add up a list, use sum(xs)".to_string())
    } else {
        None
    };
    RuntimeError::Type {
        message: format!(
            "cannot apply '{}' to {} and {}",
            op.symbol(),
            lhs.kind_name(),
            rhs.kind_name()
        ),
        span,
        help,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_indexes_count_from_the_end() {
        assert_eq!(list_position(-1, 3, Span::default()), Ok(2));
        assert!(list_position(3, 3, Span::default()).is_err());
        assert!(list_position(-4, 3, Span::default()).is_err());
    }
}
