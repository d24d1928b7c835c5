//! Finding what an exercise forbids in a submission, before it runs.
//!
//! A forbidden command is a statement that starts with its keyword; a forbidden
//! builtin is its name anywhere it is read: a call, an alias (`d = derivative`),
//! an argument, a function's body, a comprehension, the `{…}` of an f-string. Every
//! way to reach a builtin goes through its name, so this finds every use a
//! submission can write; `Session::forbid` refuses at run time whatever it missed.

use super::walk::{Node, walk};
use crate::ast::{ExprKind, Program, StmtKind};
use crate::interpreter::Forbidden;
use crate::span::Span;

/// One use of something forbidden.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Violation {
    pub name: String,
    pub span: Span,
    pub command: bool,
}

/// Every forbidden use in `program`, in the order of the source.
pub(super) fn find(program: &Program, forbidden: &Forbidden) -> Vec<Violation> {
    let mut found = Vec::new();
    if forbidden.is_empty() {
        return found;
    }
    walk(&program.statements, |node| match node {
        Node::Stmt(stmt) => {
            if let StmtKind::Command { command, .. } = &stmt.kind
                && forbidden.commands.iter().any(|name| name == command.keyword())
            {
                let keyword = command.keyword();
                found.push(Violation {
                    name: keyword.to_string(),
                    span: Span::new(stmt.span.start, stmt.span.start + keyword.len()),
                    command: true,
                });
            }
        }
        Node::Expr(expr) => {
            if let ExprKind::Name(ident) = &expr.kind
                && forbidden.builtins.contains(&ident.name)
            {
                found.push(Violation {
                    name: ident.name.clone(),
                    span: ident.span,
                    command: false,
                });
            }
        }
    });
    found.sort_by_key(|violation| violation.span.start);
    found
}
