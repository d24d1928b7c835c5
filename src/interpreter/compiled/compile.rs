//! From the syntax tree to the compiled form: one pass, no analysis beyond
//! what each kind needs, and a clone of the syntax for what it leaves to the
//! tree walker.

use std::cell::Cell;

use crate::ast::{self, AssignTarget, BinaryOp, ExprKind, FnBody, StmtKind};

use super::super::arithmetic::Operands;
use super::super::builtins::lists::named_path;
use super::super::calls::ArgText;
use super::super::eval::left_spine_is_short;
use super::super::exec::is_name;
use super::code::{
    Append, Argument, Binary, Block, Body, Call, Code, CodeKind, Comprehension, Iterable, Pattern, Step, StepKind,
};

pub(crate) fn body(body: &FnBody) -> Body {
    match body {
        FnBody::Expr(expr) => Body::Expr(expr_code(expr)),
        FnBody::Block(block) => Body::Block(block_code(block)),
    }
}

pub(super) fn block_code(block: &ast::Block) -> Block {
    Block {
        steps: block.statements.iter().map(step).collect(),
        span: block.span,
    }
}

pub(super) fn step(stmt: &ast::Stmt) -> Step {
    let kind = match &stmt.kind {
        StmtKind::Expr(expr) => StepKind::Expr(expr_code(expr)),
        StmtKind::Assign { target, op, value } => match target {
            AssignTarget::Name(ident) => StepKind::AssignName {
                ident: ident.clone(),
                op: *op,
                value: expr_code(value),
                label: Cell::new(None),
                grows: op.is_none()
                    && matches!(&value.kind, ExprKind::Binary { op: BinaryOp::Add, lhs, .. } if is_name(lhs, ident)),
            },
            AssignTarget::Attribute { object, attribute } => StepKind::AssignAttribute {
                object: expr_code(object),
                attribute: attribute.clone(),
                op: *op,
                value: expr_code(value),
            },
            AssignTarget::Index { object, index } => {
                let mut indexes = vec![index];
                let mut base = object;
                while let ExprKind::Index { object, index } = &base.kind {
                    indexes.push(index);
                    base = object;
                }
                match &base.kind {
                    ExprKind::Name(ident) => StepKind::AssignIndex {
                        ident: ident.clone(),
                        indexes: indexes.into_iter().rev().map(expr_code).collect(),
                        op: *op,
                        value: expr_code(value),
                    },
                    _ => StepKind::Ast(Box::new(stmt.clone())),
                }
            }
        },
        StmtKind::For {
            pattern,
            iterable,
            body,
        } => StepKind::For {
            pattern: pattern_code(pattern),
            iterable: iterable_code(iterable),
            body: block_code(body),
        },
        StmtKind::While { condition, body } => StepKind::While {
            condition: expr_code(condition),
            body: block_code(body),
        },
        StmtKind::If {
            condition,
            then_block,
            else_block,
        } => StepKind::If {
            condition: expr_code(condition),
            then_block: block_code(then_block),
            else_block: else_block.as_ref().map(block_code),
        },
        StmtKind::Break => StepKind::Break,
        StmtKind::Continue => StepKind::Continue,
        StmtKind::Return(value) => StepKind::Return(value.as_ref().map(expr_code)),
        StmtKind::Command { .. } | StmtKind::FnDef(_) => StepKind::Ast(Box::new(stmt.clone())),
    };
    Step { kind, span: stmt.span }
}

fn pattern_code(pattern: &ast::Pattern) -> Pattern {
    match pattern {
        ast::Pattern::Name(ident) => Pattern::Name(ident.clone()),
        ast::Pattern::Tuple { parts, span } => Pattern::Tuple {
            parts: parts.iter().map(pattern_code).collect(),
            span: *span,
        },
    }
}

fn iterable_code(iterable: &ast::Expr) -> Iterable {
    match &iterable.kind {
        ExprKind::Range { start, end } => Iterable::Range {
            start: expr_code(start),
            end: expr_code(end),
        },
        _ => Iterable::List(expr_code(iterable)),
    }
}

pub(super) fn expr_code(expr: &ast::Expr) -> Code {
    let boxed = |expr: &ast::Expr| Box::new(expr_code(expr));
    let kind = match &expr.kind {
        ExprKind::Number(x) => CodeKind::Number(*x),
        ExprKind::Str(text) => CodeKind::Str(text.clone()),
        ExprKind::Bool(b) => CodeKind::Bool(*b),
        ExprKind::Name(ident) => CodeKind::Name(ident.clone()),
        ExprKind::List(items) => CodeKind::List(items.iter().map(expr_code).collect()),
        ExprKind::Range { start, end } => CodeKind::Range {
            start: boxed(start),
            end: boxed(end),
        },
        ExprKind::Comprehension {
            element,
            pattern,
            iterable,
            condition,
        } => CodeKind::Comprehension(Box::new(Comprehension {
            element: expr_code(element),
            pattern: pattern_code(pattern),
            iterable: iterable_code(iterable),
            condition: condition.as_deref().map(expr_code),
        })),
        ExprKind::Unary { op, operand } => CodeKind::Unary {
            op: *op,
            operand: boxed(operand),
        },
        // A long chain on the left (`a + b + c + …`) is walked in a loop by the tree
        // walker, one level of depth in all; it stays with it (`has_long_chain`
        // keeps such code from being compiled at all).
        ExprKind::Binary { lhs, .. } if !left_spine_is_short(lhs) => CodeKind::Ast(Box::new(expr.clone())),
        ExprKind::Binary { op, lhs, rhs } => CodeKind::Binary(Box::new(Binary {
            lhs: expr_code(lhs),
            rhs: expr_code(rhs),
            operands: Operands::of(*op, expr.span, lhs, rhs),
        })),
        ExprKind::Compare { op, lhs, rhs } => CodeKind::Compare {
            op: *op,
            lhs: boxed(lhs),
            rhs: boxed(rhs),
        },
        ExprKind::Not(operand) => CodeKind::Not(boxed(operand)),
        ExprKind::Logical { op, lhs, rhs } => CodeKind::Logical {
            op: *op,
            lhs: boxed(lhs),
            rhs: boxed(rhs),
        },
        ExprKind::Call { callee, args } => call_code(expr, callee, args),
        ExprKind::Attribute { object, attribute } => CodeKind::Attribute {
            object: boxed(object),
            attribute: attribute.clone(),
        },
        ExprKind::Index { object, index } => CodeKind::Index {
            object: boxed(object),
            index: boxed(index),
        },
        ExprKind::Format(_) => CodeKind::Ast(Box::new(expr.clone())),
    };
    Code { kind, span: expr.span }
}

fn call_code(expr: &ast::Expr, callee: &ast::Expr, args: &[ast::Argument]) -> CodeKind {
    if let ExprKind::Attribute { object, attribute } = &callee.kind
        && attribute.name == "append"
    {
        // `xs.append(x)` as the tree walker takes it; its mistakes are left to it.
        return match (args, named_path(object)) {
            ([ast::Argument { name: None, value }], Some((root, indexes))) => CodeKind::Append(Box::new(Append {
                root: root.clone(),
                indexes: indexes.into_iter().map(expr_code).collect(),
                item: expr_code(value),
                object_span: object.span,
            })),
            _ => CodeKind::Ast(Box::new(expr.clone())),
        };
    }
    CodeKind::Call(Box::new(Call {
        callee: expr_code(callee),
        args: args
            .iter()
            .map(|arg| Argument {
                name: arg.name.clone(),
                value: expr_code(&arg.value),
            })
            .collect(),
        positional: args.iter().all(|arg| arg.name.is_none()),
        texts: ArgText::of(args),
    }))
}

/// Whether a statement holds a loop (a `for`, a `while` or a comprehension) at
/// any depth: a statement the program runs once is worth compiling only then.
pub(crate) fn has_loop(stmt: &ast::Stmt) -> bool {
    let (mut comprehension, mut loop_stmt) = (false, false);
    visit(
        &[stmt],
        &[],
        &mut |expr| comprehension |= matches!(expr.kind, ExprKind::Comprehension { .. }),
        &mut |stmt| loop_stmt |= matches!(stmt.kind, StmtKind::For { .. } | StmtKind::While { .. }),
    );
    comprehension || loop_stmt
}

/// Whether code holds a long chain (`a + b + c + …`, 16 operations or more on
/// the left): the tree walker walks it in a loop, and copying it into the
/// compiled form would recurse along it. Such code is not compiled.
pub(crate) fn has_long_chain(stmts: &[&ast::Stmt], exprs: &[&ast::Expr]) -> bool {
    let mut found = false;
    visit(
        stmts,
        exprs,
        &mut |expr| {
            if let ExprKind::Binary { lhs, .. } = &expr.kind {
                found |= !left_spine_is_short(lhs);
            }
        },
        &mut |_| {},
    );
    found
}

/// Calls `on_expr` on every expression and `on_stmt` on every statement in
/// `stmts` and `exprs`, the bodies of functions they define excepted. Walks with
/// a stack, since a long chain `a + b + c + …` is deep on its left.
fn visit<'a>(
    stmts: &[&'a ast::Stmt],
    exprs: &[&'a ast::Expr],
    on_expr: &mut impl FnMut(&ast::Expr),
    on_stmt: &mut impl FnMut(&ast::Stmt),
) {
    let mut exprs: Vec<&ast::Expr> = exprs.to_vec();
    let mut stmts: Vec<&ast::Stmt> = stmts.to_vec();
    while let Some(stmt) = stmts.pop() {
        on_stmt(stmt);
        if matches!(stmt.kind, StmtKind::FnDef(_)) {
            continue;
        }
        stmt.for_each_child(|child| match child {
            ast::Child::Stmt(stmt) => stmts.push(stmt),
            ast::Child::Expr(expr) => exprs.push(expr),
        });
    }
    while let Some(expr) = exprs.pop() {
        on_expr(expr);
        expr.for_each_child(|expr| exprs.push(expr));
    }
}
