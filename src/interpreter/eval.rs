//! Expressions: the tree walker, its fast paths, names and attributes.

use std::rc::Rc;

use super::arithmetic::Operands;
use super::{BUILTINS, Exec, Frame, Host, RuntimeError, Session, errors, whole_number};
use crate::ast::{BinaryOp, Expr, ExprKind, Ident, LogicalOp, UnaryOp};
use crate::graph::Op;
use crate::span::Span;
use crate::value::{Builtin, CONSTANTS, Items, Value};

impl Session {
    /// Evaluates an expression. Only the commonest kinds are handled here; the
    /// rest go to [`Session::eval_other`], so that this function, which every
    /// sub-expression passes through, stays small (a small stack frame and few
    /// saved registers per call are most of what a tree walker can save).
    ///
    /// Every expression that can contain another one is one level of depth
    /// ([`Session::enter`]): so is every recursion of the evaluator.
    pub(super) fn eval(&mut self, expr: &Expr, host: &mut dyn Host) -> Exec<Value> {
        match &expr.kind {
            ExprKind::Number(x) => Ok(Value::Num(*x)),
            ExprKind::Name(ident) => self.lookup(ident),
            _ => {
                self.enter(expr.span)?;
                let result = match &expr.kind {
                    ExprKind::Binary { .. } => self.eval_binary_chain(expr, host),
                    ExprKind::Index { object, index } => self.eval_index(object, index, host),
                    _ => self.eval_other(expr, host),
                };
                self.leave();
                result
            }
        }
    }

    pub(super) fn eval_index(&mut self, object: &Expr, index: &Expr, host: &mut dyn Host) -> Exec<Value> {
        // `xs[2*i + 1]`: read the item in place when the list is a name and the
        // index a plain whole number in range; anything else (and every error)
        // takes the general path below, which evaluates both from the start.
        if let ExprKind::Name(ident) = &object.kind
            && let Some(Value::List(items)) = self.binding(ident)
            && let Some(position) = self.quick_number(index, 4)
            && let Some(position) = whole_number(position)
            && let Ok(at) = errors::list_position(position, items.len(), index.span)
        {
            return Ok(items[at].clone());
        }
        let list = self.eval(object, host)?;
        let position = self.eval(index, host)?;
        self.index_into(&list, &position, object.span, index.span)
    }

    /// `list[position]` once both are values: the general path of indexing, for
    /// both engines, with its errors (not a whole number, out of range, not a list).
    pub(super) fn index_into(&self, list: &Value, position: &Value, object: Span, index: Span) -> Exec<Value> {
        let position = self.expect_integer(position, index, "a list index")?;
        match list {
            Value::List(items) => Ok(items[errors::list_position(position, items.len(), index)?].clone()),
            other => Err(RuntimeError::Type {
                message: format!("cannot index into {}", other.kind_name()),
                span: object,
                help: None,
            }
            .into()),
        }
    }

    #[inline(never)]
    pub(super) fn eval_other(&mut self, expr: &Expr, host: &mut dyn Host) -> Exec<Value> {
        let value = match &expr.kind {
            ExprKind::Str(text) => Value::str(text.as_str()),
            ExprKind::Format(parts) => self.eval_format(parts, host)?,
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    values.push(self.eval(item, host)?);
                }
                Value::list(values)
            }
            ExprKind::Range { start, end } => {
                let (from, to) = self.eval_range_bounds(start, end, host)?;
                self.range(from, to, expr.span)?
            }
            ExprKind::Comprehension {
                element,
                pattern,
                iterable,
                condition,
            } => {
                // `[f(k) for k in a..b]` counts without building the range's list.
                let (range, items) = match &iterable.kind {
                    ExprKind::Range { start, end } => (Some(self.eval_range_bounds(start, end, host)?), None),
                    _ => (None, Some(self.eval_iterable(iterable, host)?)),
                };
                let expected = match (range, &items) {
                    (Some((from, to)), _) => usize::try_from(to.saturating_sub(from)).unwrap_or(0),
                    (None, Some(items)) => items.len(),
                    (None, None) => 0,
                };
                // Room for every item up front (bounded: a filter may keep few of many).
                let mut values = self.reserve_list(expected.min(1 << 20), expr.span)?;
                let mut visit = |session: &mut Session, item: Value| -> Exec<()> {
                    session.tick(expr.span, host)?;
                    session.bind_pattern(pattern, item)?;
                    if let Some(condition) = condition
                        && !session.eval_condition(condition, host)?
                    {
                        return Ok(());
                    }
                    let value = session.eval(element, host)?;
                    if values.len() == values.capacity() {
                        let more = values.len().max(16);
                        session.grow_list(&mut values, more, expr.span)?;
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
                Value::list(values)
            }
            ExprKind::Unary { op, operand } => {
                let value = self.eval(operand, host)?;
                self.unary(*op, value, expr.span)?
            }
            ExprKind::Binary { .. } => self.eval_binary_chain(expr, host)?,
            ExprKind::Compare { op, lhs, rhs } => {
                let left = self.eval(lhs, host)?;
                let right = self.eval(rhs, host)?;
                Value::Bool(self.compare(*op, &left, &right, expr.span)?)
            }
            ExprKind::Not(operand) => Value::Bool(!self.eval_condition(operand, host)?),
            ExprKind::Logical { op, lhs, rhs } => {
                let left = self.eval_condition(lhs, host)?;
                let result = match op {
                    LogicalOp::And => left && self.eval_condition(rhs, host)?,
                    LogicalOp::Or => left || self.eval_condition(rhs, host)?,
                };
                Value::Bool(result)
            }
            ExprKind::Call { callee, args } => self.eval_call(callee, args, expr.span, host)?,
            ExprKind::Attribute { object, attribute } => {
                let value = self.eval(object, host)?;
                self.read_attribute(&value, object.span, attribute)?
            }
            ExprKind::Number(_) | ExprKind::Name(_) | ExprKind::Index { .. } => return self.eval(expr, host),
        };
        Ok(value)
    }

    pub(super) fn eval_range_bounds(&mut self, start: &Expr, end: &Expr, host: &mut dyn Host) -> Exec<(i64, i64)> {
        let start_value = self.eval(start, host)?;
        let end_value = self.eval(end, host)?;
        self.range_bounds(&start_value, start.span, &end_value, end.span)
    }

    /// The bounds of `start..end` from their values.
    pub(super) fn range_bounds(
        &self,
        start: &Value,
        start_span: Span,
        end: &Value,
        end_span: Span,
    ) -> Exec<(i64, i64)> {
        let from = self.expect_integer(start, start_span, "the start of a range")?;
        let to = self.expect_integer(end, end_span, "the end of a range")?;
        Ok((from, to))
    }

    /// Evaluates `a + b - c * d …` walking the left spine iteratively, so a long
    /// left-associative chain costs no stack depth.
    pub(super) fn eval_binary_chain(&mut self, expr: &Expr, host: &mut dyn Host) -> Exec<Value> {
        // A short chain (`2 * i + 1`) recurses: only a long one needs a spine on the heap.
        if let ExprKind::Binary { op, lhs, rhs } = &expr.kind
            && left_spine_is_short(lhs)
        {
            let left = self.eval_operand(lhs, host)?;
            let right = self.eval_operand(rhs, host)?;
            return match self.arithmetic(*op, &left, &right, expr.span) {
                Ok(value) => Ok(value),
                Err(flow) => Err(self.explain_operands(flow, &Operands::of(*op, expr.span, lhs, rhs), [&left, &right])),
            };
        }
        let mut spine = Vec::new();
        let mut leftmost = expr;
        while let ExprKind::Binary { op, lhs, rhs } = &leftmost.kind {
            spine.push((*op, rhs.as_ref(), leftmost));
            leftmost = lhs;
        }
        let mut value = self.eval(leftmost, host)?;
        for (op, rhs, binary) in spine.into_iter().rev() {
            let right = self.eval_operand(rhs, host)?;
            value = match self.arithmetic(op, &value, &right, binary.span) {
                Ok(value) => value,
                Err(flow) => {
                    let ExprKind::Binary { lhs, .. } = &binary.kind else {
                        return Err(flow);
                    };
                    let operands = Operands::of(op, binary.span, lhs, rhs);
                    return Err(self.explain_operands(flow, &operands, [&value, &right]));
                }
            };
        }
        Ok(value)
    }

    /// [`Session::eval`] with literals and names handled in line: the operands of
    /// arithmetic usually are, and each saves a call.
    #[inline(always)]
    pub(super) fn eval_operand(&mut self, expr: &Expr, host: &mut dyn Host) -> Exec<Value> {
        match &expr.kind {
            ExprKind::Number(x) => Ok(Value::Num(*x)),
            ExprKind::Name(ident) => self.lookup(ident),
            _ => self.eval(expr, host),
        }
    }

    pub(super) fn eval_condition(&mut self, expr: &Expr, host: &mut dyn Host) -> Exec<bool> {
        let value = self.eval(expr, host)?;
        condition(value, expr.span)
    }

    pub(super) fn eval_iterable(&mut self, expr: &Expr, host: &mut dyn Host) -> Exec<Rc<Items>> {
        let value = self.eval(expr, host)?;
        iterable(&value, expr.span)
    }

    #[inline]
    pub(super) fn lookup(&self, ident: &Ident) -> Exec<Value> {
        match self.binding(ident) {
            Some(value) => Ok(value.clone()),
            None => self.lookup_builtin(ident),
        }
    }

    /// What `ident` is bound to, borrowed: the running function's locals, then
    /// what it captured, then the globals. `None` for a builtin or an unknown name.
    #[inline]
    pub(super) fn binding(&self, ident: &Ident) -> Option<&Value> {
        match self.frames.last() {
            None => self.globals.lookup(ident),
            Some(frame) => self.local_binding(frame, ident),
        }
    }

    /// Where `ident` is bound in the scope an assignment to it would write to (the
    /// running function's locals, or the globals at the top level), for changing the
    /// value in place. `None` if it is not bound there.
    pub(super) fn binding_mut(&mut self, ident: &Ident) -> Option<&mut Value> {
        match self.frames.last_mut() {
            None => self.globals.lookup_mut(ident),
            Some(frame) => frame.get_mut(ident),
        }
    }

    /// [`Session::binding`] inside a function: by name in its locals and captures,
    /// then in the globals.
    #[inline(never)]
    pub(super) fn local_binding<'a>(&'a self, frame: &'a Frame, ident: &Ident) -> Option<&'a Value> {
        if let Some(value) = frame.get(ident) {
            return Some(value);
        }
        if let Some(value) = frame.captured.as_deref().and_then(|names| names.get(&ident.name)) {
            return Some(value);
        }
        self.globals.lookup(ident)
    }

    /// The value of `expr` when it is a plain number that can be worked out with
    /// no effect and no error: a literal, a name bound to a plain number, or `+`,
    /// `-`, `*` of such (at most `depth` deep) with a finite result, as
    /// [`Session::arithmetic`] would compute it. `None` otherwise, and then the
    /// caller evaluates `expr` in full: nothing has happened that it could repeat.
    pub(super) fn quick_number(&self, expr: &Expr, depth: u32) -> Option<f64> {
        match &expr.kind {
            ExprKind::Binary { op, lhs, rhs } if depth > 0 => {
                // Literals and names inline; only nested operations recurse.
                let operand = |expr: &Expr| match &expr.kind {
                    ExprKind::Binary { .. } => self.quick_number(expr, depth - 1),
                    _ => self.quick_operand(expr),
                };
                let a = operand(lhs)?;
                let b = operand(rhs)?;
                let result = match op {
                    BinaryOp::Add => a + b,
                    BinaryOp::Sub => a - b,
                    BinaryOp::Mul => a * b,
                    _ => return None,
                };
                result.is_finite().then_some(result)
            }
            _ => self.quick_operand(expr),
        }
    }

    /// [`Session::quick_number`] of a literal or a name.
    #[inline]
    pub(super) fn quick_operand(&self, expr: &Expr) -> Option<f64> {
        match &expr.kind {
            ExprKind::Number(x) => Some(*x),
            ExprKind::Name(ident) => match self.binding(ident) {
                Some(Value::Num(x)) => Some(*x),
                _ => None,
            },
            _ => None,
        }
    }

    /// A name that is not bound: a builtin, or an error suggesting the closest bound name.
    #[cold]
    #[inline(never)]
    pub(super) fn lookup_builtin(&self, ident: &Ident) -> Exec<Value> {
        let (name, span) = (ident.name.as_str(), ident.span);
        if let Some(builtin) = Builtin::lookup(name) {
            return Ok(Value::Builtin(builtin));
        }
        if let Some((_, x)) = CONSTANTS.iter().find(|(constant, _)| *constant == name) {
            return Ok(Value::Num(*x));
        }
        let mut candidates: Vec<&str> = self.globals.names().collect();
        if let Some(frame) = self.frames.last() {
            candidates.extend(frame.bound().map(|(name, _)| name.as_str()));
            candidates.extend(frame.captured.iter().flat_map(|names| names.keys().map(String::as_str)));
        }
        candidates.extend(BUILTINS.iter().copied());
        // `_` (the REPL's last result) is one edit from every one-letter name: never a useful guess.
        candidates.retain(|candidate| *candidate != "_");
        Err(RuntimeError::UnknownName {
            name: name.to_string(),
            span,
            suggestion: crate::suggest::closest(name, candidates).map(str::to_string),
        }
        .into())
    }

    /// `+x` or `-x`.
    pub(super) fn unary(&mut self, op: UnaryOp, value: Value, span: Span) -> Exec<Value> {
        match (op, &value) {
            (UnaryOp::Plus, Value::Num(_) | Value::Node(_)) => Ok(value),
            (UnaryOp::Neg, Value::Num(x)) => Ok(Value::Num(-x)),
            (UnaryOp::Neg, Value::Node(id)) => self.apply(Op::Neg, &[*id], span),
            (_, other) => {
                let sign = if op == UnaryOp::Neg { '-' } else { '+' };
                Err(RuntimeError::Type {
                    message: format!("cannot apply unary '{sign}' to {}", other.kind_name()),
                    span,
                    help: None,
                }
                .into())
            }
        }
    }

    pub(super) fn read_attribute(&mut self, value: &Value, object_span: Span, attribute: &Ident) -> Exec<Value> {
        match (attribute.name.as_str(), value) {
            ("data", Value::Node(id)) => Ok(Value::Num(self.graph.data(*id))),
            ("grad", Value::Node(id)) => Ok(Value::Num(self.graph.grad(*id))),
            ("label", Value::Node(id)) => Ok(Value::str(self.graph.label(*id).unwrap_or(""))),
            ("data", Value::Num(x)) => Ok(Value::Num(*x)),
            ("data" | "grad" | "label", other) => Err(RuntimeError::Type {
                message: format!(
                    "{} has no '.{}'; only graph nodes do",
                    other.kind_name(),
                    attribute.name
                ),
                span: object_span,
                help: match other {
                    Value::Num(_) => Some("bind the number to a name first: x = 2".to_string()),
                    Value::List(_) => Some("pick an item first, e.g. xs[0].grad".to_string()),
                    _ => None,
                },
            }
            .into()),
            _ => Err(errors::unknown_attribute(attribute).into()),
        }
    }
}

/// Whether fewer than 16 binary operations line the left side of `expr`, so that
/// evaluating it recursively costs a bounded depth (each level's spine is shorter).
pub(super) fn left_spine_is_short(mut expr: &Expr) -> bool {
    for _ in 0..16 {
        match &expr.kind {
            ExprKind::Binary { lhs, .. } => expr = lhs,
            _ => return true,
        }
    }
    false
}

/// A condition's value: `true` or `false`, or the error of anything else at `span`.
pub(super) fn condition(value: Value, span: Span) -> Exec<bool> {
    match value {
        Value::Bool(b) => Ok(b),
        other => Err(RuntimeError::Type {
            message: format!("expected true or false here, found {}", other.kind_name()),
            span,
            help: Some("compare it to something, e.g. x > 0".to_string()),
        }
        .into()),
    }
}

/// The list a `for` loop or a comprehension walks, or the error of anything else at `span`.
pub(super) fn iterable(value: &Value, span: Span) -> Exec<Rc<Items>> {
    match value {
        Value::List(items) => Ok(Rc::clone(items)),
        other => Err(RuntimeError::Type {
            message: format!("cannot loop over {}", other.kind_name()),
            span,
            help: Some("loop over a list or a range: for k in 0..10 { … }".to_string()),
        }
        .into()),
    }
}
