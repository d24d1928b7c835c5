//! Running compiled expressions.
//!
//! Each kind mirrors the tree walker's expression of the same kind (`eval.rs`,
//! `calls.rs`): one level of depth for every expression but a number or a name,
//! operands in the same order, the same fast path for `xs[i]` (which declines
//! before anything has happened), a step (`tick`) per comprehension item and per
//! call, and the same helpers, so the same values, nodes and errors.

use super::super::arithmetic::graph_op;
use super::super::calls::Arguments;
use super::super::errors;
use super::super::eval::{condition, iterable};
use super::super::{Exec, Host, Session, whole_number};
use super::code::{Append, Binary, Call, Code, CodeKind, Comprehension, Iterable};
use crate::ast::{BinaryOp, Ident, LogicalOp};
use crate::graph::Op;
use crate::span::Span;
use crate::value::Value;

impl Session {
    /// Runs an expression. Numbers and names in line, as the tree walker takes
    /// them (no level of depth); everything else out of line.
    #[inline(always)]
    pub(in crate::interpreter) fn run(&mut self, code: &Code, host: &mut dyn Host) -> Exec<Value> {
        match &code.kind {
            CodeKind::Number(x) => Ok(Value::Num(*x)),
            // `Session::lookup`, its bound case in line.
            CodeKind::Name(ident) => match self.binding(ident) {
                Some(value) => Ok(value.clone()),
                None => self.lookup_builtin(ident),
            },
            _ => self.run_other(code, host),
        }
    }

    #[inline(never)]
    fn run_other(&mut self, code: &Code, host: &mut dyn Host) -> Exec<Value> {
        if let CodeKind::Ast(expr) = &code.kind {
            // The tree walker takes its own level of depth.
            return self.eval(expr, host);
        }
        self.enter(code.span)?;
        let result = match &code.kind {
            CodeKind::Binary(binary) => self.run_binary(binary, host),
            CodeKind::Index { object, index } => self.run_index(object, index, host),
            CodeKind::Call(call) => self.run_call(call, code.span, host),
            _ => self.run_entered(code, host),
        };
        self.leave();
        result
    }

    /// [`Session::run`] of the rarer kinds, whose level of depth is taken.
    #[inline(never)]
    fn run_entered(&mut self, code: &Code, host: &mut dyn Host) -> Exec<Value> {
        let span = code.span;
        let value = match &code.kind {
            CodeKind::Str(text) => Value::str(text.as_str()),
            CodeKind::Bool(b) => Value::Bool(*b),
            CodeKind::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    values.push(self.run(item, host)?);
                }
                Value::list(values)
            }
            CodeKind::Range { start, end } => {
                let (from, to) = self.run_range_bounds(start, end, host)?;
                self.range(from, to, span)?
            }
            CodeKind::Comprehension(comprehension) => self.run_comprehension(comprehension, span, host)?,
            CodeKind::Unary { op, operand } => {
                let value = self.run(operand, host)?;
                self.unary(*op, value, span)?
            }
            CodeKind::Compare { op, lhs, rhs } => {
                let left = self.run(lhs, host)?;
                let right = self.run(rhs, host)?;
                Value::Bool(self.compare(*op, &left, &right, span)?)
            }
            CodeKind::Not(operand) => Value::Bool(!self.run_condition(operand, host)?),
            CodeKind::Logical { op, lhs, rhs } => {
                let left = self.run_condition(lhs, host)?;
                let result = match op {
                    LogicalOp::And => left && self.run_condition(rhs, host)?,
                    LogicalOp::Or => left || self.run_condition(rhs, host)?,
                };
                Value::Bool(result)
            }
            CodeKind::Append(append) => self.run_append(append, host)?,
            CodeKind::Attribute { object, attribute } => {
                let value = self.run(object, host)?;
                self.read_attribute(&value, object.span, attribute)?
            }
            CodeKind::Binary(binary) => self.run_binary(binary, host)?,
            CodeKind::Index { object, index } => self.run_index(object, index, host)?,
            CodeKind::Call(call) => self.run_call(call, span, host)?,
            // Taken by `run` before any level of depth.
            CodeKind::Number(x) => Value::Num(*x),
            CodeKind::Name(ident) => self.lookup(ident)?,
            CodeKind::Ast(expr) => self.eval(expr, host)?,
        };
        Ok(value)
    }

    /// `lhs op rhs`, its errors worded with the operands as written.
    #[inline]
    fn run_binary(&mut self, binary: &Binary, host: &mut dyn Host) -> Exec<Value> {
        let left = self.run(&binary.lhs, host)?;
        let right = self.run(&binary.rhs, host)?;
        self.combine(binary, left, right)
    }

    /// `name = name + rhs` (the sum at `span`), as `Session::eval_sum_into`: the
    /// sum's level of depth, its operands in order, and two lists added in place
    /// when only `name` holds the first.
    pub(super) fn run_sum_into(&mut self, name: &Ident, span: Span, sum: &Binary, host: &mut dyn Host) -> Exec<Value> {
        self.enter(span)?;
        let result = (|| {
            let left = self.run(&sum.lhs, host)?;
            let right = self.run(&sum.rhs, host)?;
            if let (Value::List(_), Value::List(_)) = (&left, &right) {
                return self.add_to_name(name, left, right, span);
            }
            self.combine(sum, left, right)
        })();
        self.leave();
        result
    }

    /// The operation of `binary` on its operands' values.
    #[inline]
    fn combine(&mut self, binary: &Binary, left: Value, right: Value) -> Exec<Value> {
        let (op, span) = (binary.operands.op, binary.operands.span);
        // In line, the commonest cases, as `Session::arithmetic` has them: plain
        // numbers that stay finite (loop counters, indexes), and a node with a node
        // or a number (a failed constant adds nothing: the general path meets the
        // same error).
        let inputs = match (&left, &right) {
            (&Value::Num(a), &Value::Num(b)) => {
                let quick = match op {
                    BinaryOp::Add => a + b,
                    BinaryOp::Sub => a - b,
                    BinaryOp::Mul => a * b,
                    _ => f64::NAN,
                };
                if quick.is_finite() {
                    // Plain numbers hold nothing to drop: no call to drop them.
                    std::mem::forget((left, right));
                    return Ok(Value::Num(quick));
                }
                None
            }
            (Value::Node(a), Value::Node(b)) => Some((*a, *b)),
            (Value::Node(a), Value::Num(b)) => self.graph.constant(*b).ok().map(|b| (*a, b)),
            (Value::Num(a), Value::Node(b)) => self.graph.constant(*a).ok().map(|a| (a, *b)),
            _ => None,
        };
        if let Some((a, b)) = inputs {
            // Numbers and nodes hold nothing to drop: no call to drop them.
            std::mem::forget((left, right));
            // Each op a call of its own, so the engine's forward folds for it.
            let node = match op {
                BinaryOp::Add => self.graph.apply2(Op::Add, a, b),
                BinaryOp::Sub => self.graph.apply2(Op::Sub, a, b),
                BinaryOp::Mul => self.graph.apply2(Op::Mul, a, b),
                _ => self.graph.apply2(graph_op(op), a, b),
            };
            return match node {
                Ok(id) => Ok(Value::Node(id)),
                Err(error) => Err(self.graph_error(error, span).into()),
            };
        }
        match self.arithmetic(op, &left, &right, span) {
            Ok(value) => Ok(value),
            Err(flow) => Err(self.explain_operands(flow, &binary.operands, [&left, &right])),
        }
    }

    /// `xs[i]`: read in place when the list is a name and the index a plain whole
    /// number worked out with no effect; anything else (and every error) takes the
    /// general path, which runs both from the start.
    #[inline(always)]
    fn run_index(&mut self, object: &Code, index: &Code, host: &mut dyn Host) -> Exec<Value> {
        if let CodeKind::Name(ident) = &object.kind
            && let Some(Value::List(items)) = self.binding(ident)
            && let Some(position) = self.quick_code_number(index, 4)
            && let Some(position) = whole_number(position)
            && let Ok(at) = errors::list_position(position, items.len(), index.span)
        {
            return Ok(items[at].clone());
        }
        let list = self.run(object, host)?;
        let position = self.run(index, host)?;
        self.index_into(&list, &position, object.span, index.span)
    }

    /// [`Session::quick_number`] of compiled code: a plain number worked out with
    /// no effect and no error (literals, names bound to plain numbers, `+ - *` of
    /// them at most `depth` deep, finite), or `None`.
    fn quick_code_number(&self, code: &Code, depth: u32) -> Option<f64> {
        match &code.kind {
            CodeKind::Binary(binary) if depth > 0 => {
                let operand = |code: &Code| match &code.kind {
                    CodeKind::Binary(_) => self.quick_code_number(code, depth - 1),
                    _ => self.quick_code_operand(code),
                };
                let a = operand(&binary.lhs)?;
                let b = operand(&binary.rhs)?;
                let result = match binary.operands.op {
                    BinaryOp::Add => a + b,
                    BinaryOp::Sub => a - b,
                    BinaryOp::Mul => a * b,
                    _ => return None,
                };
                result.is_finite().then_some(result)
            }
            _ => self.quick_code_operand(code),
        }
    }

    #[inline]
    fn quick_code_operand(&self, code: &Code) -> Option<f64> {
        match &code.kind {
            CodeKind::Number(x) => Some(*x),
            CodeKind::Name(ident) => match self.binding(ident) {
                Some(Value::Num(x)) => Some(*x),
                _ => None,
            },
            _ => None,
        }
    }

    pub(super) fn run_condition(&mut self, code: &Code, host: &mut dyn Host) -> Exec<bool> {
        let value = self.run(code, host)?;
        condition(value, code.span)
    }

    pub(super) fn run_range_bounds(&mut self, start: &Code, end: &Code, host: &mut dyn Host) -> Exec<(i64, i64)> {
        let start_value = self.run(start, host)?;
        let end_value = self.run(end, host)?;
        self.range_bounds(&start_value, start.span, &end_value, end.span)
    }

    /// `[element for pattern in iterable if condition]`: a step per item.
    fn run_comprehension(&mut self, comprehension: &Comprehension, span: Span, host: &mut dyn Host) -> Exec<Value> {
        // `[f(k) for k in a..b]` counts without building the range's list.
        let (range, items) = match &comprehension.iterable {
            Iterable::Range { start, end } => (Some(self.run_range_bounds(start, end, host)?), None),
            Iterable::List(code) => {
                let value = self.run(code, host)?;
                (None, Some(iterable(&value, code.span)?))
            }
        };
        let expected = match (range, &items) {
            (Some((from, to)), _) => usize::try_from(to.saturating_sub(from)).unwrap_or(0),
            (None, Some(items)) => items.len(),
            (None, None) => 0,
        };
        // Room for every item up front (bounded: a filter may keep few of many).
        let mut values = self.reserve_list(expected.min(1 << 20), span)?;
        let mut visit = |session: &mut Session, item: Value| -> Exec<()> {
            session.tick(span, host)?;
            session.bind(&comprehension.pattern, item)?;
            if let Some(condition) = &comprehension.condition
                && !session.run_condition(condition, host)?
            {
                return Ok(());
            }
            let value = session.run(&comprehension.element, host)?;
            if values.len() == values.capacity() {
                let more = values.len().max(16);
                session.grow_list(&mut values, more, span)?;
            }
            values.push(value);
            Ok(())
        };
        if let Some((from, to)) = range {
            for k in from..to {
                visit(self, Value::Num(k as f64))?;
            }
        }
        for item in items.iter().flat_map(|items| items.iter()) {
            visit(self, item.clone())?;
        }
        Ok(Value::list(values))
    }

    /// `xs[i].append(item)`: the item, then the positions, then the list grows.
    fn run_append(&mut self, append: &Append, host: &mut dyn Host) -> Exec<Value> {
        let item = self.run(&append.item, host)?;
        let mut positions = Vec::with_capacity(append.indexes.len());
        for index in &append.indexes {
            let position = self.run(index, host)?;
            positions.push((self.expect_integer(&position, index.span, "a list index")?, index.span));
        }
        self.append_at(&append.root, &positions, item, append.object_span)
    }

    /// A call, as `Session::eval_call` makes it.
    fn run_call(&mut self, call: &Call, span: Span, host: &mut dyn Host) -> Exec<Value> {
        let function = match self.run(&call.callee, host) {
            Ok(function) => function,
            Err(flow) => {
                let name: Option<&Ident> = match &call.callee.kind {
                    CodeKind::Name(ident) => Some(ident),
                    _ => None,
                };
                return Err(self.unknown_function(flow, name, &call.texts));
            }
        };
        // A user function called with as many positional arguments as it has
        // parameters (the usual call) runs them straight into its frame.
        if let Value::Function(function) = &function
            && call.args.len() == function.def.params.len()
            && call.positional
        {
            let mut slots = self.empty_slots(function.locals.names.len());
            for (arg, &slot) in call.args.iter().zip(&function.locals.params) {
                match self.run(&arg.value, host) {
                    Ok(value) => slots[slot] = Some(value),
                    Err(flow) => {
                        self.recycle(slots);
                        return Err(flow);
                    }
                }
            }
            return self.run_function(function, slots, span, host);
        }
        let mut arguments = Arguments::with_capacity(call.args.len());
        for arg in &call.args {
            let value = self.run(&arg.value, host)?;
            arguments.push(arg.name.as_ref(), value, arg.value.span)?;
        }
        let Arguments {
            positional,
            spans,
            named,
        } = arguments;
        self.call_value(&function, call.callee.span, positional, &spans, named, span, host)
    }
}
