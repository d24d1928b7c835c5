//! Lists: `xs.append(x)`, and `max`/`min` of a list or of several numbers.

use std::rc::Rc;

use super::super::{Exec, Host, RuntimeError, Session, errors};
use crate::ast::{Argument, BinaryOp, Expr, ExprKind, Ident};
use crate::graph::Op;
use crate::span::Span;
use crate::value::Value;

impl Session {
    /// `xs.append(x)`: adds `x` at the end of the list bound to `xs` (or to an item
    /// of it, `xss[0].append(x)`) and gives nothing back.
    ///
    /// Lists are values, so this rebinds `xs` to the longer list, as `xs[0] = 1`
    /// rebinds it to a changed one; a list bound to another name too is copied
    /// first. A list only `xs` holds grows in place, so appending in a loop is
    /// linear: the list is taken out of its name while it grows.
    pub(in crate::interpreter) fn append(
        &mut self,
        object: &Expr,
        args: &[Argument],
        span: Span,
        host: &mut dyn Host,
    ) -> Exec<Value> {
        let [Argument { name: None, value }] = args else {
            return Err(RuntimeError::Argument {
                message: format!("'append' takes one item, but {} were given", args.len()),
                span,
                help: Some("to add several, append each, or join lists: xs = xs + [a, b]".to_string()),
            }
            .into());
        };
        let (root_name, indexes) = named_path(object).ok_or_else(|| RuntimeError::Type {
            message: "only a list bound to a name can grow".to_string(),
            span: object.span,
            help: Some("bind it to a name first: xs = [1, 2]; xs.append(3)".to_string()),
        })?;
        // Everything the call reads is evaluated before the list leaves its name.
        let item = self.eval(value, host)?;
        let mut positions = Vec::with_capacity(indexes.len());
        for index in indexes {
            let position = self.eval(index, host)?;
            positions.push((self.expect_integer(&position, index.span, "a list index")?, index.span));
        }
        self.append_at(root_name, &positions, item, object.span)
    }

    /// `xs[i].append(item)` with the positions worked out (see [`Session::append`]).
    pub(in crate::interpreter) fn append_at(
        &mut self,
        root_name: &Ident,
        positions: &[(i64, Span)],
        item: Value,
        object_span: Span,
    ) -> Exec<Value> {
        let (mut root, taken) = match self.binding_mut(root_name) {
            Some(place) => (std::mem::replace(place, Value::None), true),
            // Bound further out (a global, seen from a function): grow a copy here.
            None => (self.lookup(root_name)?, false),
        };
        let grown = self.push_at(&mut root, positions, item, object_span);
        if taken || grown.is_ok() {
            self.set_var(root_name, root);
        }
        grown?;
        Ok(Value::None)
    }

    /// Pushes `item` onto the list `root` reaches through `positions`, copying only what is shared.
    fn push_at(
        &self,
        root: &mut Value,
        positions: &[(i64, Span)],
        item: Value,
        span: Span,
    ) -> Result<(), RuntimeError> {
        let mut slot = root;
        for (position, index_span) in positions {
            let Value::List(items) = slot else {
                return Err(RuntimeError::Type {
                    message: format!("cannot index into {}", slot.kind_name()),
                    span: *index_span,
                    help: None,
                });
            };
            let items = Rc::make_mut(items);
            let at = errors::list_position(*position, items.len(), *index_span)?;
            slot = &mut items[at];
        }
        match slot {
            Value::List(items) => {
                let items = Rc::make_mut(items);
                self.grow_items(items, 1, span)?;
                items.push(item);
                Ok(())
            }
            other => Err(RuntimeError::Type {
                message: format!("only a list can grow with 'append', not {}", other.kind_name()),
                span,
                help: match other {
                    Value::Str(_) => Some("to join strings, write s = s + \"more\"".to_string()),
                    _ => Some("start with a list: xs = []; xs.append(x)".to_string()),
                },
            }),
        }
    }

    /// `left + right`, where `left` was just read from `name` (`xs = xs + ys`,
    /// `xs += ys`): when both are lists and `name` still holds `left`, the list is
    /// taken out of the name and grows in place, so that no copy is made when no
    /// other name holds it and a loop of such additions is linear (as a loop of
    /// appends). The value is the same as `Session::arithmetic`'s, and so is any
    /// error, but for the memory limit, which then counts only the growth.
    pub(in crate::interpreter) fn add_to_name(
        &mut self,
        name: &Ident,
        left: Value,
        right: Value,
        span: Span,
    ) -> Exec<Value> {
        let (Value::List(items), Value::List(more)) = (&left, &right) else {
            return self.arithmetic(BinaryOp::Add, &left, &right, span);
        };
        // Held by the name and by `left` alone: it can grow in place. Held by
        // anything else too (another name, `right` itself): the sum is a new list.
        if Rc::strong_count(items) > 2 {
            return self.arithmetic(BinaryOp::Add, &left, &right, span);
        }
        let read = Rc::as_ptr(items);
        let place = match self.binding_mut(name) {
            Some(place) if matches!(&*place, Value::List(bound) if Rc::as_ptr(bound) == read) => place,
            _ => return self.arithmetic(BinaryOp::Add, &left, &right, span),
        };
        let Value::List(mut items) = std::mem::replace(place, Value::None) else {
            // Not reached: the place held this very list. The sum is rebound anyway.
            return self.arithmetic(BinaryOp::Add, &left, &right, span);
        };
        drop(left);
        // The only reference now: no copy.
        let list = Rc::make_mut(&mut items);
        match self.grow_items(list, more.len(), span) {
            Ok(()) => {
                list.extend(more.iter().cloned());
                Ok(Value::List(items))
            }
            Err(error) => {
                // The name keeps its list, unchanged.
                self.set_var(name, Value::List(items));
                Err(error.into())
            }
        }
    }

    /// `max(a, b, c)`, `max(xs)` and the same for `min`: the two-input graph operation
    /// applied from the left, `max(max(a, b), c)`, so nodes get a node for each step
    /// with the usual tie rule (plain numbers stay plain).
    pub(super) fn extremum(
        &mut self,
        op: Op,
        args: &[Value],
        spans: &[Span],
        span: Span,
    ) -> Result<Value, RuntimeError> {
        let name = op.symbol();
        let (items, item_spans): (&[Value], Vec<Span>) = match args {
            [Value::List(items)] => (items, vec![spans[0]; items.len()]),
            [other] => {
                return Err(RuntimeError::Type {
                    message: format!("'{name}' of one argument needs a list, not {}", other.kind_name()),
                    span: spans[0],
                    help: Some(format!("write {name}(a, b) for numbers, or {name}(xs) for a list")),
                });
            }
            _ => (args, spans.to_vec()),
        };
        let Some(first) = items.first() else {
            return Err(RuntimeError::Argument {
                message: format!("the {name} of an empty list is undefined"),
                span: spans[0],
                help: None,
            });
        };
        if self.number(first).is_none() {
            return Err(RuntimeError::Type {
                message: format!("'{name}' needs numbers, not {}", first.kind_name()),
                span: item_spans[0],
                help: None,
            });
        }
        let mut best = first.clone();
        for (item, item_span) in items.iter().zip(&item_spans).skip(1) {
            best = self.binary_builtin(op, &best, item, [item_spans[0], *item_span], span)?;
        }
        Ok(best)
    }
}

/// The name at the root of `xs`, `xs[i]` or `xs[i][j]`, and the index expressions in order.
pub(in crate::interpreter) fn named_path(object: &Expr) -> Option<(&Ident, Vec<&Expr>)> {
    let mut indexes = Vec::new();
    let mut base = object;
    while let ExprKind::Index { object, index } = &base.kind {
        indexes.push(&**index);
        base = object;
    }
    indexes.reverse();
    match &base.kind {
        ExprKind::Name(ident) => Some((ident, indexes)),
        _ => None,
    }
}
