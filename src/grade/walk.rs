//! Every statement and expression of a syntax tree, visited with a stack on the heap:
//! a submission's tree can be as deep as the parser allows and its chains 10,000
//! operators long, and a grader's thread must not overflow on it.

use crate::ast::{AssignTarget, Command, Expr, ExprKind, FnBody, FormatPart, Stmt, StmtKind};

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
    let mut exprs: Vec<&'a Expr> = Vec::new();
    let mut stmts: Vec<&'a Stmt> = Vec::new();
    match &stmt.kind {
        StmtKind::Expr(expr) => exprs.push(expr),
        StmtKind::Assign { target, value, .. } => {
            match target {
                AssignTarget::Name(_) => {}
                AssignTarget::Attribute { object, .. } => exprs.push(object),
                AssignTarget::Index { object, index } => exprs.extend([object, index]),
            }
            exprs.push(value);
        }
        StmtKind::Command { command, .. } => command_exprs(command, &mut exprs),
        StmtKind::For { iterable, body, .. } => {
            exprs.push(iterable);
            stmts.extend(&body.statements);
        }
        StmtKind::While { condition, body } => {
            exprs.push(condition);
            stmts.extend(&body.statements);
        }
        StmtKind::If {
            condition,
            then_block,
            else_block,
        } => {
            exprs.push(condition);
            stmts.extend(&then_block.statements);
            if let Some(block) = else_block {
                stmts.extend(&block.statements);
            }
        }
        StmtKind::FnDef(def) => match &def.body {
            FnBody::Expr(expr) => exprs.push(expr),
            FnBody::Block(block) => stmts.extend(&block.statements),
        },
        StmtKind::Return(value) => exprs.extend(value),
        StmtKind::Break | StmtKind::Continue => {}
    }
    stack.extend(exprs.into_iter().map(Node::Expr));
    stack.extend(stmts.into_iter().map(Node::Stmt));
}

fn command_exprs<'a>(command: &'a Command, exprs: &mut Vec<&'a Expr>) {
    match command {
        Command::Grad { target, wrt } => {
            exprs.push(target);
            exprs.extend(wrt);
        }
        Command::Backward(target)
        | Command::Show(target)
        | Command::Topo(target)
        | Command::Dot(target)
        | Command::Explain(target)
        | Command::Seed(target) => exprs.push(target),
        Command::ZeroGrad(targets) | Command::Print(targets) => exprs.extend(targets),
        Command::Check { target, options } => {
            exprs.push(target);
            exprs.extend(options.iter().map(|option| &option.value));
        }
        Command::Plot { series, range } => {
            exprs.extend(series);
            if let Some(range) = range {
                exprs.extend([&range.start, &range.end]);
            }
        }
        Command::Assert { condition, message } => {
            exprs.push(condition);
            exprs.extend(message);
        }
    }
}

fn push_expr<'a>(expr: &'a Expr, stack: &mut Vec<Node<'a>>) {
    let push = |stack: &mut Vec<Node<'a>>, expr: &'a Expr| stack.push(Node::Expr(expr));
    match &expr.kind {
        ExprKind::Number(_) | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::Name(_) => {}
        ExprKind::Format(parts) => {
            for part in parts {
                if let FormatPart::Value { expr, .. } = part {
                    push(stack, expr);
                }
            }
        }
        ExprKind::List(items) => items.iter().for_each(|item| push(stack, item)),
        ExprKind::Range { start, end } => {
            push(stack, start);
            push(stack, end);
        }
        ExprKind::Comprehension {
            element,
            iterable,
            condition,
            ..
        } => {
            push(stack, element);
            push(stack, iterable);
            if let Some(condition) = condition {
                push(stack, condition);
            }
        }
        ExprKind::Unary { operand, .. } | ExprKind::Not(operand) => push(stack, operand),
        ExprKind::Binary { lhs, rhs, .. } | ExprKind::Compare { lhs, rhs, .. } | ExprKind::Logical { lhs, rhs, .. } => {
            push(stack, lhs);
            push(stack, rhs);
        }
        ExprKind::Call { callee, args } => {
            push(stack, callee);
            args.iter().for_each(|arg| push(stack, &arg.value));
        }
        ExprKind::Attribute { object, .. } => push(stack, object),
        ExprKind::Index { object, index } => {
            push(stack, object);
            push(stack, index);
        }
    }
}
