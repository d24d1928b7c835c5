//! The compiled form: statements and expressions lowered once from the syntax
//! tree, each with the span of the syntax it came from.
//!
//! It owns everything it needs (no borrow of the syntax tree), so a function's
//! body is compiled once and kept. Each kind matches one kind of the syntax
//! tree, and runs as the tree walker runs it (the same order of evaluation,
//! the same levels of depth, the same steps, the same helpers and so the same
//! errors); what the compiler does not lower is kept as syntax ([`CodeKind::Ast`],
//! [`StepKind::Ast`]) and handed back to the tree walker.

use std::cell::Cell;

use crate::ast::{self, BinaryOp, CompareOp, Ident, LogicalOp, UnaryOp};
use crate::graph::LabelId;
use crate::span::Span;

use super::super::arithmetic::Operands;
use super::super::calls::ArgText;

/// An expression.
#[derive(Debug)]
pub(crate) struct Code {
    pub(super) kind: CodeKind,
    pub(super) span: Span,
}

// A plain tag byte: without it the tag hides in a niche of `Str`'s `String`
// and every dispatch on a kind decodes it (five instructions, not one).
#[derive(Debug)]
#[repr(u8)]
pub(super) enum CodeKind {
    Number(f64),
    Str(String),
    Bool(bool),
    Name(Ident),
    List(Vec<Code>),
    Range {
        start: Box<Code>,
        end: Box<Code>,
    },
    Comprehension(Box<Comprehension>),
    Unary {
        op: UnaryOp,
        operand: Box<Code>,
    },
    Binary(Box<Binary>),
    Compare {
        op: CompareOp,
        lhs: Box<Code>,
        rhs: Box<Code>,
    },
    Not(Box<Code>),
    Logical {
        op: LogicalOp,
        lhs: Box<Code>,
        rhs: Box<Code>,
    },
    Call(Box<Call>),
    /// `xs.append(x)`, `xs[i].append(x)`.
    Append(Box<Append>),
    Attribute {
        object: Box<Code>,
        attribute: Ident,
    },
    Index {
        object: Box<Code>,
        index: Box<Code>,
    },
    /// Syntax the compiler leaves to the tree walker.
    Ast(Box<ast::Expr>),
}

#[derive(Debug)]
pub(super) struct Binary {
    pub(super) lhs: Code,
    pub(super) rhs: Code,
    /// The operation as written, for its errors.
    pub(super) operands: Operands,
}

#[derive(Debug)]
pub(super) struct Comprehension {
    pub(super) element: Code,
    pub(super) pattern: Pattern,
    pub(super) iterable: Iterable,
    pub(super) condition: Option<Code>,
}

#[derive(Debug)]
pub(super) struct Call {
    pub(super) callee: Code,
    pub(super) args: Vec<Argument>,
    /// Whether every argument is positional.
    pub(super) positional: bool,
    /// The arguments as written, for "unknown function".
    pub(super) texts: Vec<ArgText>,
}

#[derive(Debug)]
pub(super) struct Argument {
    pub(super) name: Option<Ident>,
    pub(super) value: Code,
}

#[derive(Debug)]
pub(super) struct Append {
    /// The name at the root of `xs[i]`.
    pub(super) root: Ident,
    pub(super) indexes: Vec<Code>,
    pub(super) item: Code,
    pub(super) object_span: Span,
}

/// What a `for` loop or a comprehension walks.
#[derive(Debug)]
#[repr(u8)]
pub(super) enum Iterable {
    /// `a..b`, counted without building the list.
    Range {
        start: Code,
        end: Code,
    },
    List(Code),
}

/// What a `for` loop or a comprehension binds.
#[derive(Debug)]
#[repr(u8)]
pub(super) enum Pattern {
    Name(Ident),
    Tuple { parts: Vec<Pattern>, span: Span },
}

/// Statements between braces.
#[derive(Debug)]
pub(crate) struct Block {
    pub(super) steps: Vec<Step>,
    pub(super) span: Span,
}

/// A statement.
#[derive(Debug)]
pub(super) struct Step {
    pub(super) kind: StepKind,
    pub(super) span: Span,
}

// A plain tag byte, as `CodeKind`'s.
#[derive(Debug)]
#[repr(u8)]
pub(super) enum StepKind {
    Expr(Code),
    AssignName {
        ident: Ident,
        op: Option<BinaryOp>,
        value: Code,
        /// The name as a label interned by the session's graph, once known.
        label: Cell<Option<LabelId>>,
        /// `name = name + rhs`: two lists add up in place (`Session::add_to_name`).
        grows: bool,
    },
    AssignAttribute {
        object: Code,
        attribute: Ident,
        op: Option<BinaryOp>,
        value: Code,
    },
    /// `xs[i][j] op= value`, the root a name.
    AssignIndex {
        ident: Ident,
        indexes: Vec<Code>,
        op: Option<BinaryOp>,
        value: Code,
    },
    For {
        pattern: Pattern,
        iterable: Iterable,
        body: Block,
    },
    While {
        condition: Code,
        body: Block,
    },
    If {
        condition: Code,
        then_block: Block,
        else_block: Option<Block>,
    },
    Break,
    Continue,
    Return(Option<Code>),
    /// A statement the compiler leaves to the tree walker.
    Ast(Box<ast::Stmt>),
}

/// A function's compiled body.
#[derive(Debug)]
pub(crate) enum Body {
    Expr(Code),
    Block(Block),
}
