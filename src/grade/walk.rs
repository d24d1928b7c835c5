//! Every statement and expression of a syntax tree, visited with a stack on the heap:
//! a submission's tree can be as deep as the parser allows and its chains 10,000
//! operators long, and a grader's thread must not overflow on it.

use crate::ast::{Child, Expr, Stmt};

#[derive(Clone, Copy)]
pub(super) enum Node<'a> {
    Stmt(&'a Stmt),
    Expr(&'a Expr),
}

/// Calls `visit` on every statement and expression under `statements`, including
/// function bodies, blocks and the expressions inside f-strings.
pub(super) fn walk<'a>(statements: &'a [Stmt], visit: impl FnMut(Node<'a>)) {
    run(statements.iter().rev().map(Node::Stmt).collect(), visit);
}

/// [`walk`] from one expression.
pub(super) fn walk_expr<'a>(expr: &'a Expr, visit: impl FnMut(Node<'a>)) {
    run(vec![Node::Expr(expr)], visit);
}

fn run<'a>(mut stack: Vec<Node<'a>>, mut visit: impl FnMut(Node<'a>)) {
    while let Some(node) = stack.pop() {
        visit(node);
        let before = stack.len();
        match node {
            Node::Stmt(stmt) => push_stmt(stmt, &mut stack),
            Node::Expr(expr) => push_expr(expr, &mut stack),
        }
        // Children were pushed in source order; visit them in source order.
        stack[before..].reverse();
    }
}

fn push_stmt<'a>(stmt: &'a Stmt, stack: &mut Vec<Node<'a>>) {
    stmt.for_each_child(|child| {
        stack.push(match child {
            Child::Stmt(stmt) => Node::Stmt(stmt),
            Child::Expr(expr) => Node::Expr(expr),
        })
    });
}

fn push_expr<'a>(expr: &'a Expr, stack: &mut Vec<Node<'a>>) {
    expr.for_each_child(|expr| stack.push(Node::Expr(expr)));
}
