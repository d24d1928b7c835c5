//! Loops: `for` over a range or a list, `while`, and the `break` and `continue`
//! that leave them.
//!
//! Every pass of every loop goes through [`Session::loop_pass`]: it is the one
//! place that sees each iteration, and where each iteration is a step of the
//! limits (`Session::tick`: the step budget, memory, the host's time limit and
//! interruption).

use std::rc::Rc;

use super::collect::Boundary;
use super::{Exec, Flow, Host, Session, Stop};
use crate::ast::{Block, Expr, ExprKind, Pattern};
use crate::span::Span;
use crate::value::Value;

impl Session {
    pub(super) fn exec_for(
        &mut self,
        pattern: &Pattern,
        iterable: &Expr,
        body: &Block,
        span: Span,
        host: &mut dyn Host,
    ) -> Exec<()> {
        // `for k in a..b` counts without building the list: nothing to allocate or to root.
        if let ExprKind::Range { start, end } = &iterable.kind {
            let (from, to) = self.eval_range_bounds(start, end, host)?;
            for k in from..to {
                self.bind_pattern(pattern, Value::Num(k as f64))?;
                if !self.loop_pass(body, span, host)? {
                    break;
                }
            }
            return Ok(());
        }
        let items = self.eval_iterable(iterable, host)?;
        // The list being walked is a root for garbage collection while the loop runs.
        self.loop_lists.push(Rc::clone(&items));
        let result = self.for_each_item(pattern, &items, body, span, host);
        self.loop_lists.pop();
        result
    }

    fn for_each_item(
        &mut self,
        pattern: &Pattern,
        items: &[Value],
        body: &Block,
        span: Span,
        host: &mut dyn Host,
    ) -> Exec<()> {
        for item in items {
            self.bind_pattern(pattern, item.clone())?;
            if !self.loop_pass(body, span, host)? {
                break;
            }
        }
        Ok(())
    }

    pub(super) fn exec_while(&mut self, condition: &Expr, body: &Block, span: Span, host: &mut dyn Host) -> Exec<()> {
        while self.eval_condition(condition, host)? {
            if !self.loop_pass(body, span, host)? {
                break;
            }
        }
        Ok(())
    }

    /// Runs one pass of a loop's body: `Ok(true)` to go on with the next pass (the
    /// body ended or met `continue`), `Ok(false)` after `break`. Any other early exit
    /// (an error, a `return`) goes on outwards. Each pass is a step of the limits
    /// (`Session::tick`), whose errors point at the loop (`span`).
    #[inline]
    pub(super) fn loop_pass(&mut self, body: &Block, span: Span, host: &mut dyn Host) -> Exec<bool> {
        self.tick(span, host)?;
        self.collect_garbage_if_due(Boundary::PassStart);
        match self.exec_block(body, host) {
            Ok(()) => Ok(true),
            Err(flow) => flow.into_loop_exit(),
        }
    }
}

impl Flow {
    /// What a loop makes of an early exit from its body.
    #[cold]
    pub(super) fn into_loop_exit(self) -> Exec<bool> {
        match *self.0 {
            Stop::Break(_) => Ok(false),
            Stop::Continue(_) => Ok(true),
            _ => Err(self),
        }
    }
}
