//! A user function's local names, found in slots.
//!
//! When a function is defined, [`Locals::of`] lists every name its body can
//! bind: its parameters, its own name, and each name assigned, looped over,
//! bound by a comprehension or defined by a nested `fn`. A call then holds its
//! locals in a `Vec` with one slot per name, and an identifier in the body
//! remembers its slot (the `local` half of its `SlotCache`) the first time it
//! is looked up, so a loop in a function neither hashes names nor allocates.
//!
//! An identifier always runs in the frame of the one function whose body holds
//! it, and that function's list is fixed by its syntax, so a remembered slot
//! never goes stale. A name bound that the list did not foresee would still
//! work (the frame keeps such names in a map), only slower.

use crate::ast::{
    AssignTarget, Block, Command, Expr, ExprKind, FnBody, FnDef, FormatPart, Ident, Pattern, Stmt, StmtKind,
};

/// The local names of one function, each once, in slot order.
#[derive(Debug)]
pub(crate) struct Locals {
    pub(super) names: Vec<String>,
    /// The slot of each parameter, in order (the parser refuses two with one name).
    pub(super) params: Vec<usize>,
    /// The slot of the function's own name, which a call binds to the function
    /// itself unless a parameter has the same name.
    pub(super) own: usize,
    /// The body compiled, the first time the compiled engine calls it (`None`
    /// inside: left to the tree walker).
    pub(super) compiled: std::cell::OnceCell<Option<super::compiled::Body>>,
}

/// What the `local` half of an identifier's `SlotCache` holds.
const UNRESOLVED: u32 = 0;
const NOT_LOCAL: u32 = 1;

impl Locals {
    pub(super) fn of(def: &FnDef) -> Locals {
        let mut locals = Locals {
            names: Vec::new(),
            params: Vec::new(),
            own: 0,
            compiled: std::cell::OnceCell::new(),
        };
        for param in &def.params {
            let slot = locals.add(&param.name);
            locals.params.push(slot);
        }
        locals.own = locals.add(&def.name.name);
        match &def.body {
            FnBody::Expr(expr) => locals.add_from_expr(expr),
            FnBody::Block(block) => locals.add_from_block(block),
        }
        locals
    }

    /// The slot of `ident` in this function, remembered in the identifier.
    #[inline]
    pub(super) fn slot(&self, ident: &Ident) -> Option<usize> {
        match ident.slot.local() {
            UNRESOLVED => self.resolve(ident),
            NOT_LOCAL => None,
            known => Some((known - 2) as usize),
        }
    }

    #[inline(never)]
    fn resolve(&self, ident: &Ident) -> Option<usize> {
        let slot = self.names.iter().position(|name| *name == ident.name);
        // A function has far fewer names than u32::MAX.
        ident.slot.set_local(slot.map_or(NOT_LOCAL, |slot| slot as u32 + 2));
        slot
    }

    fn add(&mut self, name: &str) -> usize {
        match self.names.iter().position(|known| known == name) {
            Some(slot) => slot,
            None => {
                self.names.push(name.to_string());
                self.names.len() - 1
            }
        }
    }

    fn add_pattern(&mut self, pattern: &Pattern) {
        match pattern {
            Pattern::Name(ident) => {
                self.add(&ident.name);
            }
            Pattern::Tuple { parts, .. } => parts.iter().for_each(|part| self.add_pattern(part)),
        }
    }

    fn add_from_block(&mut self, block: &Block) {
        block.statements.iter().for_each(|stmt| self.add_from_stmt(stmt));
    }

    fn add_from_stmt(&mut self, stmt: &Stmt) {
        match &stmt.kind {
            StmtKind::Expr(expr) | StmtKind::Return(Some(expr)) => self.add_from_expr(expr),
            StmtKind::Return(None) | StmtKind::Break | StmtKind::Continue => {}
            StmtKind::Assign { target, value, .. } => {
                match target {
                    AssignTarget::Name(ident) => {
                        self.add(&ident.name);
                    }
                    AssignTarget::Attribute { object, .. } => self.add_from_expr(object),
                    AssignTarget::Index { object, index } => {
                        // `xs[i] = v` rebinds the list's name to the updated list.
                        let mut root = object;
                        while let ExprKind::Index { object, .. } = &root.kind {
                            root = object;
                        }
                        if let ExprKind::Name(ident) = &root.kind {
                            self.add(&ident.name);
                        }
                        self.add_from_expr(object);
                        self.add_from_expr(index);
                    }
                }
                self.add_from_expr(value);
            }
            StmtKind::Command { command, .. } => self.add_from_command(command),
            StmtKind::For {
                pattern,
                iterable,
                body,
            } => {
                self.add_pattern(pattern);
                self.add_from_expr(iterable);
                self.add_from_block(body);
            }
            StmtKind::While { condition, body } => {
                self.add_from_expr(condition);
                self.add_from_block(body);
            }
            StmtKind::If {
                condition,
                then_block,
                else_block,
            } => {
                self.add_from_expr(condition);
                self.add_from_block(then_block);
                if let Some(block) = else_block {
                    self.add_from_block(block);
                }
            }
            // A nested function binds its name here; its body is its own.
            StmtKind::FnDef(def) => {
                self.add(&def.name.name);
            }
        }
    }

    fn add_from_command(&mut self, command: &Command) {
        let exprs: Vec<&Expr> = match command {
            Command::Grad { target, wrt } => std::iter::once(target).chain(wrt).collect(),
            Command::Backward(expr)
            | Command::Show(expr)
            | Command::Topo(expr)
            | Command::Dot(expr)
            | Command::Explain(expr)
            | Command::Seed(expr) => vec![expr],
            Command::ZeroGrad(exprs) | Command::Print(exprs) => exprs.iter().collect(),
            Command::Check { target, options } => std::iter::once(target)
                .chain(options.iter().map(|option| &option.value))
                .collect(),
            Command::Assert { condition, message } => std::iter::once(condition).chain(message).collect(),
            Command::Plot { series, range } => series
                .iter()
                .chain(range.iter().flat_map(|range| [&range.start, &range.end]))
                .collect(),
        };
        exprs.into_iter().for_each(|expr| self.add_from_expr(expr));
    }

    /// Names bound inside an expression: comprehension patterns. Walks with a
    /// stack, since a long chain `a + b + c + …` is deep on its left.
    fn add_from_expr(&mut self, expr: &Expr) {
        let mut pending = vec![expr];
        while let Some(expr) = pending.pop() {
            match &expr.kind {
                ExprKind::Number(_) | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::Name(_) => {}
                ExprKind::List(items) => pending.extend(items),
                ExprKind::Range { start, end } => pending.extend([&**start, &**end]),
                ExprKind::Comprehension {
                    element,
                    pattern,
                    iterable,
                    condition,
                } => {
                    self.add_pattern(pattern);
                    pending.extend([&**element, &**iterable]);
                    pending.extend(condition.as_deref());
                }
                ExprKind::Unary { operand, .. } | ExprKind::Not(operand) => pending.push(operand),
                ExprKind::Binary { lhs, rhs, .. }
                | ExprKind::Compare { lhs, rhs, .. }
                | ExprKind::Logical { lhs, rhs, .. } => pending.extend([&**lhs, &**rhs]),
                ExprKind::Call { callee, args } => {
                    // `xs.append(x)` rebinds `xs`, as `xs[i] = x` does.
                    if let ExprKind::Attribute { object, attribute } = &callee.kind
                        && attribute.name == "append"
                    {
                        let mut root = &**object;
                        while let ExprKind::Index { object, .. } = &root.kind {
                            root = object;
                        }
                        if let ExprKind::Name(ident) = &root.kind {
                            self.add(&ident.name);
                        }
                    }
                    pending.push(callee);
                    pending.extend(args.iter().map(|arg| &arg.value));
                }
                ExprKind::Attribute { object, .. } => pending.push(object),
                ExprKind::Format(parts) => pending.extend(parts.iter().filter_map(|part| match part {
                    FormatPart::Value { expr, .. } => Some(expr),
                    FormatPart::Text(_) => None,
                })),
                ExprKind::Index { object, index } => pending.extend([&**object, &**index]),
            }
        }
    }
}
