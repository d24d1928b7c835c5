//! The builtin functions (`len`, `sum`, `zip`, `range`, `uniform`, the math functions, …);
//! those on text are in `strings.rs`, those on lists in `lists.rs`.

mod derivative;
pub(super) mod lists;
mod strings;

use std::rc::Rc;

use super::{Host, RuntimeError, Session, errors};
use crate::ast::{BinaryOp, Ident};
use crate::graph::Op;
use crate::span::Span;
use crate::value::{Activation, Builtin, Model, Value};

impl Session {
    pub(super) fn call_builtin(
        &mut self,
        builtin: Builtin,
        args: &[Value],
        spans: &[Span],
        named: &[(Ident, Value)],
        span: Span,
        host: &mut dyn Host,
    ) -> Result<Value, RuntimeError> {
        self.check_builtin(builtin, span)?;
        let arity = match builtin {
            Builtin::Unary(_)
            | Builtin::Len
            | Builtin::Sum
            | Builtin::Mean
            | Builtin::Neuron
            | Builtin::Parameters
            | Builtin::Str => 1..=1,
            Builtin::Binary(Op::Max | Op::Min) => 1..=usize::MAX,
            Builtin::Zip => 2..=usize::MAX,
            Builtin::Binary(_) | Builtin::Uniform | Builtin::Layer | Builtin::Mlp | Builtin::Derivative => 2..=2,
            Builtin::Range | Builtin::Round => 1..=2,
            Builtin::Clock => 0..=0,
        };
        let takes_act = matches!(builtin, Builtin::Neuron | Builtin::Layer | Builtin::Mlp);
        let mut act = Activation::Tanh;
        for (name, value) in named {
            match (takes_act, name.name.as_str(), value) {
                (true, "act", Value::Str(text)) => {
                    act = Activation::parse(text).ok_or_else(|| RuntimeError::Argument {
                        message: format!("unknown activation \"{text}\""),
                        span: name.span,
                        help: Some("use act=\"tanh\" (the default), act=\"relu\" or act=\"linear\"".to_string()),
                    })?;
                }
                (true, "act", other) => {
                    return Err(RuntimeError::Argument {
                        message: format!("'act' must be a string, not {}", other.kind_name()),
                        span: name.span,
                        help: Some("write act=\"relu\"".to_string()),
                    });
                }
                _ => {
                    return Err(RuntimeError::Argument {
                        message: format!("'{}' takes no argument named '{}'", builtin.name(), name.name),
                        span: name.span,
                        help: takes_act.then(|| "the only named argument is act, e.g. act=\"relu\"".to_string()),
                    });
                }
            }
        }
        if !arity.contains(&args.len()) {
            let plural = if *arity.end() == 1 { "" } else { "s" };
            let expected = match (arity.start(), arity.end()) {
                (a, b) if a == b => format!("{a} argument{plural}"),
                (a, &usize::MAX) => format!("at least {a} argument{}", if *a == 1 { "" } else { "s" }),
                (a, b) => format!("{a} or {b} arguments"),
            };
            let given = match args.len() {
                1 => "1 was".to_string(),
                n => format!("{n} were"),
            };
            return Err(RuntimeError::Argument {
                message: format!("'{}' takes {expected}, but {given} given", builtin.name()),
                span,
                help: None,
            });
        }
        match builtin {
            Builtin::Unary(op) => match &args[0] {
                Value::Num(x) => Ok(Value::Num(self.plain(op, &[*x], span)?)),
                Value::Node(id) => Ok(self.apply(op, &[*id], span)?),
                other => Err(RuntimeError::Type {
                    message: format!("'{}' needs a number, not {}", builtin.name(), other.kind_name()),
                    span: spans[0],
                    help: matches!(other, Value::List(_))
                        .then(|| format!("apply it to each item: [{}(x) for x in xs]", builtin.name())),
                }),
            },
            Builtin::Binary(op @ (Op::Max | Op::Min)) => self.extremum(op, args, spans, span),
            Builtin::Binary(op) => self.binary_builtin(op, &args[0], &args[1], [spans[0], spans[1]], span),
            Builtin::Len => match &args[0] {
                Value::List(items) => Ok(Value::Num(items.len() as f64)),
                Value::Str(text) => Ok(Value::Num(text.chars().count() as f64)),
                other => Err(RuntimeError::Type {
                    message: format!("'len' needs a list, not {}", other.kind_name()),
                    span: spans[0],
                    help: None,
                }),
            },
            Builtin::Sum => {
                let Value::List(items) = &args[0] else {
                    return Err(RuntimeError::Type {
                        message: format!("'sum' needs a list, not {}", args[0].kind_name()),
                        span: spans[0],
                        help: None,
                    });
                };
                let mut total = Value::Num(0.0);
                for (k, item) in items.iter().enumerate() {
                    total = if k == 0 {
                        match item {
                            Value::Num(_) | Value::Node(_) => item.clone(),
                            other => return Err(errors::arithmetic_type_error(BinaryOp::Add, &total, other, span)),
                        }
                    } else {
                        self.arithmetic(BinaryOp::Add, &total, item, span)?
                    };
                }
                Ok(total)
            }
            Builtin::Zip => {
                let mut lists = Vec::with_capacity(args.len());
                for (arg, arg_span) in args.iter().zip(spans) {
                    match arg {
                        Value::List(items) => lists.push(Rc::clone(items)),
                        other => {
                            return Err(RuntimeError::Type {
                                message: format!("'zip' needs lists, not {}", other.kind_name()),
                                span: *arg_span,
                                help: None,
                            });
                        }
                    }
                }
                let shortest = lists.iter().map(|list| list.len()).min().unwrap_or(0);
                // Each row is a list of its own: charge the rows' items up front too.
                let rows = shortest.saturating_mul(lists.len() + 2);
                let mut zipped = self.reserve_list(shortest, span)?;
                self.check_memory(rows.saturating_mul(std::mem::size_of::<Value>()), span)?;
                zipped.extend((0..shortest).map(|k| Value::list(lists.iter().map(|list| list[k].clone()).collect())));
                Ok(Value::list(zipped))
            }
            Builtin::Range => {
                let bounds: Vec<i64> = args
                    .iter()
                    .zip(spans)
                    .map(|(arg, arg_span)| self.expect_integer(arg, *arg_span, "a range bound"))
                    .collect::<Result<_, _>>()?;
                match bounds.as_slice() {
                    [end] => self.range(0, *end, span),
                    [start, end] => self.range(*start, *end, span),
                    _ => unreachable!("arity was checked above"),
                }
            }
            Builtin::Uniform => {
                let lo = self.expect_number(&args[0], spans[0], "the low end of 'uniform'")?;
                let hi = self.expect_number(&args[1], spans[1], "the high end of 'uniform'")?;
                if lo > hi {
                    return Err(RuntimeError::Argument {
                        message: format!(
                            "'uniform' draws from lo to hi, but lo = {} is above hi = {}",
                            crate::number::format_number(lo),
                            crate::number::format_number(hi)
                        ),
                        span,
                        help: Some(format!(
                            "put the low end first: uniform({}, {})",
                            crate::number::format_number(hi),
                            crate::number::format_number(lo)
                        )),
                    });
                }
                Ok(Value::Num(self.rng.uniform(lo, hi)))
            }
            Builtin::Mean => {
                let count = match &args[0] {
                    Value::List(items) if !items.is_empty() => items.len(),
                    Value::List(_) => {
                        return Err(RuntimeError::Argument {
                            message: "the mean of an empty list is undefined".to_string(),
                            span: spans[0],
                            help: None,
                        });
                    }
                    other => {
                        return Err(RuntimeError::Type {
                            message: format!("'mean' needs a list, not {}", other.kind_name()),
                            span: spans[0],
                            help: None,
                        });
                    }
                };
                let total = self.call_builtin(Builtin::Sum, args, spans, &[], span, host)?;
                Ok(self.arithmetic(BinaryOp::Div, &total, &Value::Num(count as f64), span)?)
            }
            Builtin::Neuron => {
                let inputs = self.expect_size(&args[0], spans[0], "the number of inputs")?;
                let neuron = self.new_neuron(inputs, act, "", span)?;
                Ok(Value::Model(Rc::new(Model::Neuron(neuron))))
            }
            Builtin::Layer => {
                let inputs = self.expect_size(&args[0], spans[0], "the number of inputs")?;
                let outputs = self.expect_size(&args[1], spans[1], "the number of outputs")?;
                let layer = self.new_layer(inputs, outputs, act, "", span)?;
                Ok(Value::Model(Rc::new(Model::Layer(layer))))
            }
            Builtin::Mlp => {
                let inputs = self.expect_size(&args[0], spans[0], "the number of inputs")?;
                let Value::List(sizes) = &args[1] else {
                    return Err(RuntimeError::Type {
                        message: format!("the layer sizes must be a list, not {}", args[1].kind_name()),
                        span: spans[1],
                        help: Some("write MLP(3, [4, 4, 1])".to_string()),
                    });
                };
                let sizes: Vec<usize> = sizes
                    .iter()
                    .map(|size| self.expect_size(size, spans[1], "a layer size"))
                    .collect::<Result<_, _>>()?;
                if sizes.is_empty() {
                    return Err(RuntimeError::Argument {
                        message: "an MLP needs at least one layer".to_string(),
                        span: spans[1],
                        help: Some("write MLP(3, [4, 4, 1])".to_string()),
                    });
                }
                let mut layers = Vec::with_capacity(sizes.len());
                let mut fan_in = inputs;
                for (index, size) in sizes.iter().enumerate() {
                    // nn.py: relu MLPs have a linear last layer; the lecture's tanh MLP squashes every layer.
                    let last = index + 1 == sizes.len();
                    let layer_act = if last && act == Activation::Relu {
                        Activation::Linear
                    } else {
                        act
                    };
                    layers.push(self.new_layer(fan_in, *size, layer_act, &format!("[{index}]"), span)?);
                    fan_in = *size;
                }
                Ok(Value::Model(Rc::new(Model::Mlp { inputs, layers, act })))
            }
            Builtin::Str => Ok(self.str_of(&args[0])),
            Builtin::Round => {
                let x = self.expect_number(&args[0], spans[0], "what 'round' rounds")?;
                let decimals = match args.get(1) {
                    Some(n) => self.expect_integer(n, spans[1], "the number of decimals")?,
                    None => return Ok(Value::Num(x.round_ties_even())),
                };
                let rounded = strings::round_to(x, decimals);
                if !rounded.is_finite() {
                    return Err(RuntimeError::NotFinite {
                        message: format!(
                            "round({}, {decimals}) is too large for a number",
                            crate::number::format_number(x)
                        ),
                        span,
                        help: None,
                    });
                }
                Ok(Value::Num(rounded))
            }
            Builtin::Clock => match host.clock() {
                Some(seconds) => Ok(Value::Num(seconds)),
                None => Err(RuntimeError::Argument {
                    message: "no clock here: this way of running mg gives no time".to_string(),
                    span,
                    help: Some(
                        "clock() works in the mgrad command; graded and sandboxed runs have no clock, so their results never depend on time"
                            .to_string(),
                    ),
                }),
            },
            Builtin::Derivative => self.derivative(args, spans, span, host),
            Builtin::Parameters => match &args[0] {
                Value::Model(model) => Ok(Value::list(model.parameters().into_iter().map(Value::Node).collect())),
                other => Err(RuntimeError::Type {
                    message: format!("'parameters' needs a model, not {}", other.kind_name()),
                    span: spans[0],
                    help: Some("make one first, e.g. n = MLP(3, [4, 4, 1])".to_string()),
                }),
            },
        }
    }

    /// A two-input builtin (`pow`, `max`, `min`) on two values whose spans are `spans`.
    pub(super) fn binary_builtin(
        &mut self,
        op: Op,
        a: &Value,
        b: &Value,
        spans: [Span; 2],
        span: Span,
    ) -> Result<Value, RuntimeError> {
        match (a, b) {
            (Value::Num(a), Value::Num(b)) => Ok(Value::Num(self.plain(op, &[*a, *b], span)?)),
            (Value::Num(_) | Value::Node(_), Value::Num(_) | Value::Node(_)) => {
                let a = self.node_of(a, spans[0])?;
                let b = self.node_of(b, spans[1])?;
                Ok(self.apply(op, &[a, b], span)?)
            }
            (a, b) => {
                let bad = if self.number(a).is_none() { 0 } else { 1 };
                Err(RuntimeError::Type {
                    message: format!(
                        "'{}' needs two numbers, not {} and {}",
                        op.symbol(),
                        a.kind_name(),
                        b.kind_name()
                    ),
                    span: spans[bad],
                    help: None,
                })
            }
        }
    }

    pub(super) fn range(&self, from: i64, to: i64, span: Span) -> Result<Value, RuntimeError> {
        const MAX_RANGE: i64 = 100_000_000;
        if to.saturating_sub(from) > MAX_RANGE {
            return Err(RuntimeError::Limit {
                message: format!("a range of more than {MAX_RANGE} numbers is too long"),
                span,
                help: None,
            });
        }
        let mut items = self.reserve_list(usize::try_from(to.saturating_sub(from)).unwrap_or(0), span)?;
        items.extend((from..to).map(|k| Value::Num(k as f64)));
        Ok(Value::list(items))
    }
}
