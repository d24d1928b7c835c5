//! `plot`: functions sampled over a range, lists against their index or against
//! another list. The series are data (`output::Plot`); `picture` draws them.
//!
//! A plotted function is user code: it runs through the evaluator like any call, so
//! the session's limits apply, and an error inside it is reported at the argument of
//! `plot`, naming the x where it happened and where in the function it failed.

use super::{Exec, Host, RuntimeError, Session};
use crate::ast::{Expr, PlotRange};
use crate::number::format_number;
use crate::output::{Plot, Series};
use crate::span::Span;
use crate::value::Value;

/// How many points a function is sampled at, both ends included.
pub const PLOT_SAMPLES: usize = 201;

/// The range of `plot f` without `from … to …`, as the lecture plots.
const DEFAULT_RANGE: (f64, f64) = (-5.0, 5.0);

impl Session {
    pub(super) fn plot(&mut self, args: &[Expr], range: Option<&PlotRange>, host: &mut dyn Host) -> Exec<Plot> {
        let mut functions: Vec<(Value, &Expr)> = Vec::new();
        let mut lists: Vec<(Vec<f64>, &Expr)> = Vec::new();
        for arg in args {
            match self.eval(arg, host)? {
                value @ (Value::Function(_) | Value::Builtin(_)) => functions.push((value, arg)),
                Value::List(items) => lists.push((self.plot_numbers(&items, arg)?, arg)),
                other => {
                    return Err(RuntimeError::Type {
                        message: format!(
                            "'plot' draws functions and lists of numbers, but '{}' is {}",
                            self.sources.slice(arg.span),
                            other.kind_name()
                        ),
                        span: arg.span,
                        help: Some("e.g. plot f from -5 to 5, plot losses, or plot xs, ys".to_string()),
                    }
                    .into());
                }
            }
        }
        let mut series = Vec::new();
        let mut x_list: Option<&[f64]> = None;
        if let Some(((xs, x_expr), rest)) = lists.split_first() {
            if rest.is_empty() {
                series.push(Series {
                    label: self.sources.slice(x_expr.span).to_string(),
                    x: (0..xs.len()).map(|i| i as f64).collect(),
                    y: xs.clone(),
                });
            } else {
                x_list = Some(xs);
                for (ys, y_expr) in rest {
                    if ys.len() != xs.len() {
                        return Err(RuntimeError::Argument {
                            message: format!(
                                "'{}' has {} item{} but '{}' has {}; the x and y lists of a plot go in pairs",
                                self.sources.slice(y_expr.span),
                                ys.len(),
                                if ys.len() == 1 { "" } else { "s" },
                                self.sources.slice(x_expr.span),
                                xs.len()
                            ),
                            span: y_expr.span,
                            help: Some(
                                "plot xs, ys draws ys against xs; plot ys alone draws ys against its index".to_string(),
                            ),
                        }
                        .into());
                    }
                    series.push(Series {
                        label: self.sources.slice(y_expr.span).to_string(),
                        x: xs.clone(),
                        y: ys.clone(),
                    });
                }
            }
        }
        if !functions.is_empty() {
            let (start, end) = match range {
                Some(range) => self.plot_range(range, host)?,
                None => match x_list {
                    Some(xs) if !xs.is_empty() => (
                        xs.iter().copied().fold(f64::INFINITY, f64::min),
                        xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    ),
                    _ => DEFAULT_RANGE,
                },
            };
            let xs: Vec<f64> = (0..PLOT_SAMPLES)
                .map(|i| start + (end - start) * i as f64 / (PLOT_SAMPLES - 1) as f64)
                .collect();
            for (function, expr) in &functions {
                let mut ys = Vec::with_capacity(xs.len());
                for &x in &xs {
                    ys.push(self.plot_point(function, expr, x, host)?);
                }
                series.push(Series {
                    label: self.sources.slice(expr.span).to_string(),
                    x: xs.clone(),
                    y: ys,
                });
            }
        } else if let Some(range) = range {
            return Err(RuntimeError::Argument {
                message: "'from … to …' sets the range of plotted functions, but there is no function to plot"
                    .to_string(),
                span: range.start.span.to(range.end.span),
                help: Some("lists are drawn at their own points: plot xs, ys".to_string()),
            }
            .into());
        }
        Ok(Plot { series })
    }

    /// The items of a plotted list, as numbers.
    fn plot_numbers(&self, items: &[Value], expr: &Expr) -> Exec<Vec<f64>> {
        if items.is_empty() {
            return Err(RuntimeError::Argument {
                message: format!(
                    "'{}' is an empty list: there is nothing to plot",
                    self.sources.slice(expr.span)
                ),
                span: expr.span,
                help: None,
            }
            .into());
        }
        items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                self.number(item).ok_or_else(|| {
                    RuntimeError::Type {
                        message: format!(
                            "'plot' needs a list of numbers, but item {index} of '{}' is {}",
                            self.sources.slice(expr.span),
                            item.kind_name()
                        ),
                        span: expr.span,
                        help: None,
                    }
                    .into()
                })
            })
            .collect()
    }

    /// `from a to b`: two finite numbers, a below b.
    fn plot_range(&mut self, range: &PlotRange, host: &mut dyn Host) -> Exec<(f64, f64)> {
        let start = self.eval(&range.start, host)?;
        let start = self.expect_number(&start, range.start.span, "the start of a plot's range")?;
        let end = self.eval(&range.end, host)?;
        let end = self.expect_number(&end, range.end.span, "the end of a plot's range")?;
        if !(start.is_finite() && end.is_finite() && start < end) {
            return Err(RuntimeError::Argument {
                message: format!(
                    "a plot's range must go from a smaller number to a larger one, not from {} to {}",
                    format_number(start),
                    format_number(end)
                ),
                span: range.start.span.to(range.end.span),
                help: Some(format!(
                    "write 'from {} to {}'",
                    format_number(end),
                    format_number(start)
                )),
            }
            .into());
        }
        Ok((start, end))
    }

    /// `function(x)` as a number; an error inside it points at the plotted argument.
    fn plot_point(&mut self, function: &Value, expr: &Expr, x: f64, host: &mut dyn Host) -> Exec<f64> {
        let name = self.sources.slice(expr.span).to_string();
        let span = expr.span;
        // The calls an error unwinds are shown as its context; a plotted function's
        // error is moved to the plot's argument instead, which names it already.
        let calls_before = self.unwound_calls.len();
        // A plotted function may plot: the plot's own frames count as a level of depth.
        self.enter(span)?;
        let result = match function {
            Value::Function(function) => self
                .call_function(function, vec![Value::Num(x)], Vec::new(), span, host)
                .map_err(RuntimeError::from),
            Value::Builtin(builtin) => self.call_builtin(*builtin, &[Value::Num(x)], &[span], &[], span, host),
            other => Err(RuntimeError::Type {
                message: format!("'{name}' is {}, not a function", other.kind_name()),
                span,
                help: None,
            }),
        };
        self.leave();
        let value = match result {
            Ok(value) => value,
            // A limit or an interruption stops the whole program, and says so itself.
            Err(error @ (RuntimeError::Limit { .. } | RuntimeError::Interrupted { .. })) => return Err(error.into()),
            Err(error) => {
                self.unwound_calls.truncate(calls_before);
                return Err(self.plot_error(&name, x, error, span).into());
            }
        };
        match self.number(&value) {
            Some(y) => Ok(y),
            None => Err(RuntimeError::Type {
                message: format!(
                    "'plot' needs '{name}' to return a number, but {name}({}) is {}",
                    format_number(x),
                    value.kind_name()
                ),
                span,
                help: None,
            }
            .into()),
        }
    }

    /// An error raised while `name` ran at `x`, moved to the plot's argument.
    fn plot_error(&self, name: &str, x: f64, error: RuntimeError, span: Span) -> RuntimeError {
        let inner = error.span();
        let place = if inner == span || inner.end <= inner.start {
            String::new()
        } else {
            let at = self.sources.line_col(inner.start);
            // In the REPL the function may come from an earlier entry: name it.
            let file = |offset: usize| self.sources.file_at(offset).map(|file| file.name.as_str());
            let elsewhere = match file(inner.start) {
                Some(name) if file(inner.start) != file(span.start) => format!(" of {name}"),
                _ => String::new(),
            };
            format!(", at line {}, column {}{elsewhere}", at.line, at.column)
        };
        let message = format!("cannot plot '{name}' at x = {}: {error}{place}", format_number(x));
        RuntimeError::Argument {
            message,
            span,
            help: error.help().or_else(|| {
                Some(format!(
                    "plot it over a range where it is defined, e.g. plot {name} from 0.1 to 5"
                ))
            }),
        }
    }
}
