//! Running compiled statements: blocks, assignments, loops, branches.
//!
//! Each step mirrors the tree walker's statement of the same kind
//! (`exec.rs`, `loops.rs`): the same order of evaluation, the same levels of
//! depth (one per block), a collection check before each statement of a
//! block, a step (`tick`) for each pass of a loop, and the same helpers for
//! binding, storing and errors.

use std::rc::Rc;

use super::super::collect::Boundary;
use super::super::eval;
use super::super::exec::unpack;
use super::super::{Exec, Flow, Host, RuntimeError, Session, Stop};
use super::code::{Block, CodeKind, Iterable, Pattern, Step, StepKind};
use crate::ast::BinaryOp;
use std::cell::Cell;

use crate::graph::LabelId;
use crate::span::Span;
use crate::value::Value;

impl Session {
    /// A block: one level of depth, and a collection check before each statement.
    pub(in crate::interpreter) fn run_block(&mut self, block: &Block, host: &mut dyn Host) -> Exec<()> {
        self.enter(block.span)?;
        for step in &block.steps {
            self.collect_garbage_if_due(Boundary::Statement);
            if let Err(flow) = self.run_step(step, host) {
                self.leave();
                return Err(flow);
            }
        }
        self.leave();
        Ok(())
    }

    /// A statement of a block (never at the top level: no echo). The commonest
    /// kinds in line.
    #[inline(always)]
    pub(super) fn run_step(&mut self, step: &Step, host: &mut dyn Host) -> Exec<()> {
        match &step.kind {
            StepKind::AssignName {
                ident,
                op: None,
                value,
                label,
                grows: false,
            } => {
                let new = self.run(value, host)?;
                let bound = self.labelled_as(new, label, &ident.name)?;
                self.set_var(ident, bound);
                Ok(())
            }
            _ => self.run_other_step(step, host),
        }
    }

    #[inline(never)]
    fn run_other_step(&mut self, step: &Step, host: &mut dyn Host) -> Exec<()> {
        let span = step.span;
        match &step.kind {
            StepKind::Expr(code) => {
                self.run(code, host)?;
            }
            StepKind::AssignName {
                ident,
                op,
                value,
                label,
                grows,
            } => {
                let mut new = match &value.kind {
                    CodeKind::Binary(sum) if *grows => self.run_sum_into(ident, value.span, sum, host)?,
                    _ => self.run(value, host)?,
                };
                if let Some(op) = op {
                    let current = self.lookup(ident)?;
                    new = match (op, &current, &new) {
                        (BinaryOp::Add, Value::List(_), Value::List(_)) => {
                            self.add_to_name(ident, current, new, span)?
                        }
                        _ => self.arithmetic(*op, &current, &new, span)?,
                    };
                }
                let bound = self.labelled_as(new, label, &ident.name)?;
                self.set_var(ident, bound);
            }
            StepKind::AssignAttribute {
                object,
                attribute,
                op,
                value,
            } => {
                let object_value = self.run(object, host)?;
                let new = self.run(value, host)?;
                self.assign_attribute(&object_value, object.span, attribute, *op, new, span)?;
            }
            StepKind::AssignIndex {
                ident,
                indexes,
                op,
                value,
            } => {
                let new = self.run(value, host)?;
                let mut positions = Vec::with_capacity(indexes.len());
                for index in indexes {
                    let position = self.run(index, host)?;
                    positions.push((self.expect_integer(&position, index.span, "a list index")?, index.span));
                }
                self.store_at(ident, &positions, *op, new, span)?;
            }
            StepKind::For {
                pattern,
                iterable,
                body,
            } => self.run_for(pattern, iterable, body, span, host)?,
            StepKind::While { condition, body } => {
                while self.run_condition(condition, host)? {
                    if !self.run_pass(body, span, host)? {
                        break;
                    }
                }
            }
            StepKind::If {
                condition,
                then_block,
                else_block,
            } => {
                if self.run_condition(condition, host)? {
                    self.run_block(then_block, host)?;
                } else if let Some(block) = else_block {
                    self.run_block(block, host)?;
                }
            }
            StepKind::Break => return Err(Flow::stopping(Stop::Break(span))),
            StepKind::Continue => return Err(Flow::stopping(Stop::Continue(span))),
            StepKind::Return(value) => {
                if self.frames.is_empty() {
                    return Err(RuntimeError::ReturnOutsideFunction { span }.into());
                }
                let value = match value {
                    Some(code) => self.run(code, host)?,
                    None => Value::None,
                };
                return Err(Flow::returning(value, span));
            }
            StepKind::Ast(stmt) => self.exec(stmt, host, false)?,
        }
        Ok(())
    }

    fn run_for(
        &mut self,
        pattern: &Pattern,
        iterable: &Iterable,
        body: &Block,
        span: Span,
        host: &mut dyn Host,
    ) -> Exec<()> {
        match iterable {
            // Counted without building the list: nothing to allocate or to root.
            Iterable::Range { start, end } => {
                let (from, to) = self.run_range_bounds(start, end, host)?;
                for k in from..to {
                    self.bind(pattern, Value::Num(k as f64))?;
                    if !self.run_pass(body, span, host)? {
                        break;
                    }
                }
                Ok(())
            }
            Iterable::List(code) => {
                let value = self.run(code, host)?;
                let items = eval::iterable(&value, code.span)?;
                drop(value);
                // The list being walked is a root for garbage collection while the loop runs.
                self.loop_lists.push(Rc::clone(&items));
                let result = self.run_for_each(pattern, &items, body, span, host);
                self.loop_lists.pop();
                result
            }
        }
    }

    fn run_for_each(
        &mut self,
        pattern: &Pattern,
        items: &[Value],
        body: &Block,
        span: Span,
        host: &mut dyn Host,
    ) -> Exec<()> {
        for item in items {
            self.bind(pattern, item.clone())?;
            if !self.run_pass(body, span, host)? {
                break;
            }
        }
        Ok(())
    }

    /// One pass of a loop, as `Session::loop_pass`: a step, a chance to collect,
    /// the body; `Ok(false)` after `break`.
    #[inline]
    fn run_pass(&mut self, body: &Block, span: Span, host: &mut dyn Host) -> Exec<bool> {
        self.tick(span, host)?;
        self.collect_garbage_if_due(Boundary::PassStart);
        match self.run_block(body, host) {
            Ok(()) => Ok(true),
            Err(flow) => flow.into_loop_exit(),
        }
    }

    /// `Session::labelled` with the label interned once and kept in `label`.
    #[inline(always)]
    fn labelled_as(&mut self, value: Value, label: &Cell<Option<LabelId>>, name: &str) -> Result<Value, RuntimeError> {
        match value {
            Value::Node(id) => {
                let interned = match label.get() {
                    Some(interned) if self.graph.owns_label(interned) => interned,
                    _ => {
                        let interned = self.graph.intern_label(name);
                        label.set(Some(interned));
                        interned
                    }
                };
                self.graph.label_if_unlabelled_as(id, interned);
                Ok(Value::Node(id))
            }
            other => self.labelled(other, name),
        }
    }

    /// Binds what a `for` loop or a comprehension walks to its pattern: a name
    /// (every pass of most loops) in line, a tuple out of line.
    #[inline(always)]
    pub(super) fn bind(&mut self, pattern: &Pattern, value: Value) -> Exec<()> {
        match pattern {
            Pattern::Name(ident) => {
                self.set_var(ident, value);
                Ok(())
            }
            Pattern::Tuple { parts, span } => self.bind_tuple(parts, *span, value),
        }
    }

    #[inline(never)]
    fn bind_tuple(&mut self, parts: &[Pattern], span: Span, value: Value) -> Exec<()> {
        let items = unpack(&value, parts.len(), span)?;
        for (part, item) in parts.iter().zip(items.iter()) {
            self.bind(part, item.clone())?;
        }
        Ok(())
    }
}
