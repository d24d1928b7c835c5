//! Statements: assignments, loops, branches, function definitions, `return`.

use std::rc::Rc;

use super::arithmetic::Operands;
use super::collect::Boundary;
use super::{Exec, Flow, Host, Locals, RuntimeError, Session, Stop, errors};
use crate::ast::{AssignTarget, BinaryOp, Block, Expr, ExprKind, Ident, Pattern, Stmt, StmtKind};
use crate::output::{Output, Shown};
use crate::span::Span;
use crate::value::{Function, Value};

impl Session {
    pub(super) fn exec_top(&mut self, stmt: &Stmt, host: &mut dyn Host) -> Result<(), RuntimeError> {
        self.unwound_calls.clear();
        self.collect_garbage_if_due(Boundary::Statement);
        let result = match self.run_top_compiled(stmt, host) {
            Some(result) => result,
            None => self.exec(stmt, host, true),
        };
        result.map_err(RuntimeError::from)
    }

    pub(super) fn exec_block(&mut self, block: &Block, host: &mut dyn Host) -> Exec<()> {
        self.enter(block.span)?;
        let result = block.statements.iter().try_for_each(|stmt| {
            self.collect_garbage_if_due(Boundary::Statement);
            self.exec(stmt, host, false)
        });
        self.leave();
        result
    }

    pub(super) fn exec(&mut self, stmt: &Stmt, host: &mut dyn Host, top_level: bool) -> Exec<()> {
        match &stmt.kind {
            StmtKind::Expr(expr) => {
                let value = self.eval(expr, host)?;
                if top_level && !matches!(value, Value::None) {
                    self.echo(value, stmt.span, host)?;
                }
            }
            StmtKind::Assign { target, op, value } => self.exec_assign(target, *op, value, stmt.span, host)?,
            StmtKind::Command { command, redirect } => {
                self.exec_command(command, redirect.as_ref(), stmt.span, host)?
            }
            StmtKind::For {
                pattern,
                iterable,
                body,
            } => self.exec_for(pattern, iterable, body, stmt.span, host)?,
            StmtKind::While { condition, body } => self.exec_while(condition, body, stmt.span, host)?,
            StmtKind::Break => return Err(Flow::stopping(Stop::Break(stmt.span))),
            StmtKind::Continue => return Err(Flow::stopping(Stop::Continue(stmt.span))),
            StmtKind::If {
                condition,
                then_block,
                else_block,
            } => {
                if self.eval_condition(condition, host)? {
                    self.exec_block(then_block, host)?;
                } else if let Some(block) = else_block {
                    self.exec_block(block, host)?;
                }
            }
            StmtKind::FnDef(def) => {
                // Inside a function, the new function keeps what it can see there.
                let captured = self.frames.last().map(|frame| {
                    let mut seen = frame.captured.as_deref().cloned().unwrap_or_default();
                    seen.extend(frame.bound().map(|(name, value)| (name.clone(), value.clone())));
                    Rc::new(seen)
                });
                let function = Function {
                    def: Rc::clone(def),
                    captured,
                    locals: Rc::new(Locals::of(def)),
                };
                self.set_var(&def.name, Value::Function(Rc::new(function)));
            }
            StmtKind::Return(value) => {
                if self.frames.is_empty() {
                    return Err(RuntimeError::ReturnOutsideFunction { span: stmt.span }.into());
                }
                let value = match value {
                    Some(expr) => self.eval(expr, host)?,
                    None => Value::None,
                };
                return Err(Flow::returning(value, stmt.span));
            }
        }
        Ok(())
    }

    /// Evaluates a bare expression at the top level without printing it: its value as
    /// the echo would show it (`None` for a call that returns nothing), bound to `_`.
    pub(super) fn eval_top(&mut self, expr: &Expr, host: &mut dyn Host) -> Result<Option<Shown>, RuntimeError> {
        self.unwound_calls.clear();
        self.collect_garbage_if_due(Boundary::Statement);
        let value = self.eval(expr, host)?;
        if matches!(value, Value::None) {
            return Ok(None);
        }
        Ok(Some(self.echoed(value)))
    }

    /// Prints the value of a bare expression at the top level, and binds it to `_`.
    /// The REPL shows a node with its fields, `Value(data=2, grad=3, label=a)`; a
    /// script prints its data, as `print` does.
    pub(super) fn echo(&mut self, value: Value, span: Span, host: &mut dyn Host) -> Exec<()> {
        let shown = self.echoed(value);
        self.emit(
            Output::Print(crate::output::PrintOut { values: vec![shown] }),
            span,
            host,
        )
    }

    /// A bare expression's value as it is shown, now bound to `_`. The REPL shows a
    /// node with its fields, `Value(data=2, grad=3, label=a)`; a script prints its
    /// data, as `print` does.
    fn echoed(&mut self, value: Value) -> Shown {
        let shown = match value {
            Value::Node(id) if self.interactive => self.show_node(id),
            _ => self.show_value(&value),
        };
        self.globals.set(&Ident::new("_", Span::default()), value);
        shown
    }

    pub(super) fn exec_assign(
        &mut self,
        target: &AssignTarget,
        op: Option<BinaryOp>,
        value: &Expr,
        span: Span,
        host: &mut dyn Host,
    ) -> Exec<()> {
        match target {
            AssignTarget::Name(ident) => {
                let mut new = match &value.kind {
                    ExprKind::Binary {
                        op: BinaryOp::Add,
                        lhs,
                        rhs,
                    } if op.is_none() && is_name(lhs, ident) => self.eval_sum_into(ident, value, lhs, rhs, host)?,
                    _ => self.eval(value, host)?,
                };
                if let Some(op) = op {
                    let current = self.lookup(ident)?;
                    new = match (op, &current, &new) {
                        (BinaryOp::Add, Value::List(_), Value::List(_)) => {
                            self.add_to_name(ident, current, new, span)?
                        }
                        _ => self.arithmetic(op, &current, &new, span)?,
                    };
                }
                let bound = self.labelled(new, &ident.name)?;
                self.set_var(ident, bound);
            }
            AssignTarget::Attribute { object, attribute } => {
                let object_value = self.eval(object, host)?;
                let new = self.eval(value, host)?;
                self.assign_attribute(&object_value, object.span, attribute, op, new, span)?;
            }
            AssignTarget::Index { object, index } => {
                let new = self.eval(value, host)?;
                self.assign_index(object, index, op, new, span, host)?;
            }
        }
        Ok(())
    }

    /// `name = name + rhs`, evaluated as `Session::eval` evaluates the sum (one level
    /// of depth, the operands in order, the same errors), but two lists add up in
    /// place when only `name` holds the first (`Session::add_to_name`): a loop
    /// of `xs = xs + [x]` is linear.
    fn eval_sum_into(&mut self, ident: &Ident, sum: &Expr, lhs: &Expr, rhs: &Expr, host: &mut dyn Host) -> Exec<Value> {
        self.enter(sum.span)?;
        let result = (|| {
            let left = self.eval_operand(lhs, host)?;
            let right = self.eval_operand(rhs, host)?;
            if let (Value::List(_), Value::List(_)) = (&left, &right) {
                return self.add_to_name(ident, left, right, sum.span);
            }
            self.arithmetic(BinaryOp::Add, &left, &right, sum.span).map_err(|flow| {
                self.explain_operands(flow, &Operands::of(BinaryOp::Add, sum.span, lhs, rhs), [&left, &right])
            })
        })();
        self.leave();
        result
    }

    /// What `name = value` binds: a plain number becomes a leaf, and a node without
    /// a label takes the name as its label (SPEC §3).
    #[inline]
    pub(super) fn labelled(&mut self, value: Value, name: &str) -> Result<Value, RuntimeError> {
        match value {
            Value::Node(id) => {
                self.graph.label_if_unlabelled(id, name);
                Ok(Value::Node(id))
            }
            Value::Num(x) => {
                let id = self
                    .graph
                    .leaf(x)
                    .map_err(|error| self.graph_error(error, Span::default()))?;
                self.graph.set_label(id, Some(name));
                Ok(Value::Node(id))
            }
            other => Ok(other),
        }
    }

    /// Binds `ident` where an assignment writes: the globals' slot in line (every
    /// pass of a top-level loop binds its counter), a function's frame out of line.
    #[inline(always)]
    pub(super) fn set_var(&mut self, ident: &Ident, value: Value) {
        if self.frames.is_empty() {
            self.globals.set(ident, value);
        } else {
            self.set_local(ident, value);
        }
    }

    #[inline(never)]
    pub(super) fn set_local(&mut self, ident: &Ident, value: Value) {
        match self.frames.last_mut() {
            Some(frame) => frame.set(ident, value),
            None => self.globals.set(ident, value),
        }
    }

    pub(super) fn assign_attribute(
        &mut self,
        object_value: &Value,
        object_span: Span,
        attribute: &Ident,
        op: Option<BinaryOp>,
        new: Value,
        span: Span,
    ) -> Exec<()> {
        let id = match object_value {
            Value::Node(id) => *id,
            other => {
                return Err(RuntimeError::Type {
                    message: format!(
                        "cannot set '.{}' of {}: only graph nodes have attributes",
                        attribute.name,
                        other.kind_name()
                    ),
                    span: object_span,
                    help: Some("bind the number to a name first: x = 2; x.grad = 1".to_string()),
                }
                .into());
            }
        };
        match attribute.name.as_str() {
            "data" | "grad" => {
                let mut number = self.expect_number(&new, span, "a node's data or grad")?;
                if let Some(op) = op {
                    let current = if attribute.name == "data" {
                        self.graph.data(id)
                    } else {
                        self.graph.grad(id)
                    };
                    number = self.number_arithmetic(op, current, number, span)?;
                }
                if !number.is_finite() {
                    return Err(RuntimeError::NotFinite {
                        message: format!(
                            "cannot set '.{}' to {}",
                            attribute.name,
                            crate::number::format_number(number)
                        ),
                        span,
                        help: None,
                    }
                    .into());
                }
                if attribute.name == "data" {
                    self.graph.set_data(id, number);
                } else {
                    self.graph.set_grad(id, number);
                }
            }
            "label" => {
                if op.is_some() {
                    return Err(RuntimeError::Type {
                        message: "a label can only be set with '=', not changed with an operator".to_string(),
                        span,
                        help: Some("write x.label = \"name\"".to_string()),
                    }
                    .into());
                }
                match &new {
                    Value::Str(text) => self.graph.set_label(id, Some(text)),
                    other => {
                        return Err(RuntimeError::Type {
                            message: format!("a label must be a string, not {}", other.kind_name()),
                            span,
                            help: Some("write x.label = \"name\"".to_string()),
                        }
                        .into());
                    }
                }
            }
            _ => return Err(errors::unknown_attribute(attribute).into()),
        }
        Ok(())
    }

    /// `xs[i] = v` and `xs[i][j] += v`: lists are values, so this rebinds `xs` to a changed copy.
    pub(super) fn assign_index(
        &mut self,
        object: &Expr,
        index: &Expr,
        op: Option<BinaryOp>,
        new: Value,
        span: Span,
        host: &mut dyn Host,
    ) -> Exec<()> {
        let mut indexes = vec![index];
        let mut base = object;
        while let ExprKind::Index { object, index } = &base.kind {
            indexes.push(index);
            base = object;
        }
        indexes.reverse();
        let ExprKind::Name(ident) = &base.kind else {
            return Err(RuntimeError::Type {
                message: "only items of a named list can be assigned".to_string(),
                span: base.span,
                help: Some("bind the list to a name first: xs = [1, 2]; xs[0] = 3".to_string()),
            }
            .into());
        };
        let mut positions = Vec::new();
        for index in &indexes {
            let value = self.eval(index, host)?;
            positions.push((self.expect_integer(&value, index.span, "a list index")?, index.span));
        }
        self.store_at(ident, &positions, op, new, span)
    }

    /// `xs[i][j] op= new` with the positions worked out: rebinds `xs` to a changed copy.
    pub(super) fn store_at(
        &mut self,
        ident: &Ident,
        positions: &[(i64, Span)],
        op: Option<BinaryOp>,
        new: Value,
        span: Span,
    ) -> Exec<()> {
        let mut root = self.lookup(ident)?;
        let mut slot = &mut root;
        for (position, index_span) in positions {
            let Value::List(items) = slot else {
                return Err(RuntimeError::Type {
                    message: format!("cannot index into {}", slot.kind_name()),
                    span: *index_span,
                    help: None,
                }
                .into());
            };
            let items = Rc::make_mut(items);
            let at = errors::list_position(*position, items.len(), *index_span)?;
            slot = &mut items[at];
        }
        let updated = match op {
            Some(op) => {
                let current = slot.clone();
                self.arithmetic(op, &current, &new, span)?
            }
            None => new,
        };
        // Re-walk to store: the borrow above ended when we called `arithmetic`.
        let mut slot = &mut root;
        for (position, _) in positions {
            if let Value::List(items) = slot {
                let items = Rc::make_mut(items);
                let at = errors::list_position(*position, items.len(), span)?;
                slot = &mut items[at];
            }
        }
        *slot = updated;
        self.set_var(ident, root);
        Ok(())
    }

    pub(super) fn bind_pattern(&mut self, pattern: &Pattern, value: Value) -> Exec<()> {
        match pattern {
            Pattern::Name(ident) => {
                self.set_var(ident, value);
                Ok(())
            }
            Pattern::Tuple { parts, span } => {
                let items = unpack(&value, parts.len(), *span)?;
                for (part, item) in parts.iter().zip(items.iter()) {
                    self.bind_pattern(part, item.clone())?;
                }
                Ok(())
            }
        }
    }
}

/// The items of a list bound to a pattern of `parts` names, or the error of any
/// other value, or of a list of another length, at `span`.
pub(super) fn unpack(value: &Value, parts: usize, span: Span) -> Exec<&[Value]> {
    let Value::List(items) = value else {
        return Err(RuntimeError::Type {
            message: format!("cannot unpack {} into {} names", value.kind_name(), parts),
            span,
            help: None,
        }
        .into());
    };
    if items.len() != parts {
        return Err(RuntimeError::Type {
            message: format!("cannot unpack a list of {} items into {} names", items.len(), parts),
            span,
            help: None,
        }
        .into());
    }
    Ok(items)
}

/// Whether `expr` is the name `ident`.
pub(super) fn is_name(expr: &Expr, ident: &Ident) -> bool {
    matches!(&expr.kind, ExprKind::Name(name) if name.name == ident.name)
}
