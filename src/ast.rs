//! The typed syntax tree of mg.
//!
//! The parser (`parser.rs`) is the only module that sees pest's `Pair`s; it turns
//! them into these types. Every node carries the [`Span`] of the source it came
//! from, so that any later error can point at it.
//!
//! Architecture Invariant: the syntax tree knows nothing of gradients or graphs;
//! it says what was written, not what it means.

use std::cell::Cell;
use std::rc::Rc;

use crate::span::Span;

/// A whole script, `-e` argument, or REPL entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub statements: Vec<Stmt>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// A bare expression. At the top level of a script or the REPL its value is printed.
    Expr(Expr),
    /// `target = value`, or with `op` set, `target op= value` (`+=`, `-=`, `*=`, `/=`).
    Assign {
        target: AssignTarget,
        op: Option<BinaryOp>,
        value: Expr,
    },
    /// A command such as `grad L`, optionally sent to a file: `dot L > "l.dot"`.
    Command {
        command: Command,
        redirect: Option<Redirect>,
    },
    /// `for pattern in iterable { … }`
    For {
        pattern: Pattern,
        iterable: Expr,
        body: Block,
    },
    /// `while condition { … }`
    While { condition: Expr, body: Block },
    /// `break`: leaves the innermost loop. The parser accepts it only inside a
    /// `for` or `while` body (not across a function's edge).
    Break,
    /// `continue`: starts the innermost loop's next pass (only inside a loop, as `break`).
    Continue,
    /// `if condition { … } else { … }`; `else if` nests another `If` as the only
    /// statement of `else_block`.
    If {
        condition: Expr,
        then_block: Block,
        else_block: Option<Block>,
    },
    /// `fn name(params) = expr` or `fn name(params) { … }`.
    FnDef(Rc<FnDef>),
    /// `return` or `return expr`.
    Return(Option<Expr>),
}

/// Statements between braces.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub statements: Vec<Stmt>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum AssignTarget {
    /// `x = …`
    Name(Ident),
    /// `x.data = …`, `x.grad += …`, `x.label = "…"`
    Attribute { object: Expr, attribute: Ident },
    /// `xs[i] = …`
    Index { object: Expr, index: Expr },
}

/// A name as written, with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
    /// Where the interpreter last found this name; the parser leaves it empty.
    pub slot: SlotCache,
}

impl Ident {
    pub fn new(name: impl Into<String>, span: Span) -> Ident {
        Ident {
            name: name.into(),
            span,
            slot: SlotCache::default(),
        }
    }
}

/// A cache the interpreter may fill to find a name without hashing it: two
/// numbers (for a global name and for a function's local), whose meaning and
/// validity the interpreter decides. Both start at 0. It never affects what
/// the tree says, so it is ignored by `==`.
#[derive(Clone, Debug, Default)]
pub struct SlotCache {
    global: Cell<u64>,
    local: Cell<u32>,
}

impl SlotCache {
    pub fn get(&self) -> u64 {
        self.global.get()
    }

    pub fn set(&self, value: u64) {
        self.global.set(value);
    }

    pub fn local(&self) -> u32 {
        self.local.get()
    }

    pub fn set_local(&self, value: u32) {
        self.local.set(value);
    }
}

impl PartialEq for SlotCache {
    fn eq(&self, _other: &SlotCache) -> bool {
        true
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// `grad L` or `grad L wrt a, b`
    Grad { target: Expr, wrt: Vec<Expr> },
    /// `backward L`
    Backward(Expr),
    /// `zero_grad` (empty list: the whole graph) or `zero_grad x, m`
    ZeroGrad(Vec<Expr>),
    /// `check L` or `check L eps=1e-4 atol=1e-6`
    Check { target: Expr, options: Vec<CheckOption> },
    /// `print e1, e2`
    Print(Vec<Expr>),
    /// `show L`
    Show(Expr),
    /// `topo L`
    Topo(Expr),
    /// `dot L`
    Dot(Expr),
    /// `explain L`
    Explain(Expr),
    /// `plot f`, `plot f, g from a to b`, `plot xs, ys`, `plot losses`
    Plot {
        series: Vec<Expr>,
        range: Option<PlotRange>,
    },
    /// `assert cond` or `assert cond, "message"`
    Assert { condition: Expr, message: Option<Expr> },
    /// `seed N`
    Seed(Expr),
}

impl Command {
    /// The keyword that starts the command: `grad`, `backward`, …
    pub fn keyword(&self) -> &'static str {
        match self {
            Command::Grad { .. } => "grad",
            Command::Backward(_) => "backward",
            Command::ZeroGrad(_) => "zero_grad",
            Command::Check { .. } => "check",
            Command::Print(_) => "print",
            Command::Show(_) => "show",
            Command::Topo(_) => "topo",
            Command::Dot(_) => "dot",
            Command::Explain(_) => "explain",
            Command::Plot { .. } => "plot",
            Command::Assert { .. } => "assert",
            Command::Seed(_) => "seed",
        }
    }
}

impl Command {
    /// Calls `visit` on each expression of the command, in source order.
    pub fn for_each_expr<'a>(&'a self, mut visit: impl FnMut(&'a Expr)) {
        match self {
            Command::Grad { target, wrt } => {
                visit(target);
                wrt.iter().for_each(visit);
            }
            Command::Backward(target)
            | Command::Show(target)
            | Command::Topo(target)
            | Command::Dot(target)
            | Command::Explain(target)
            | Command::Seed(target) => visit(target),
            Command::ZeroGrad(targets) | Command::Print(targets) => targets.iter().for_each(visit),
            Command::Check { target, options } => {
                visit(target);
                options.iter().for_each(|option| visit(&option.value));
            }
            Command::Plot { series, range } => {
                series.iter().for_each(&mut visit);
                if let Some(range) = range {
                    visit(&range.start);
                    visit(&range.end);
                }
            }
            Command::Assert { condition, message } => {
                visit(condition);
                message.iter().for_each(visit);
            }
        }
    }
}

/// The keywords that start commands (SPEC §4), as [`Command::keyword`] names them.
pub const COMMAND_KEYWORDS: &[&str] = &[
    "grad",
    "backward",
    "zero_grad",
    "check",
    "print",
    "show",
    "topo",
    "dot",
    "explain",
    "plot",
    "assert",
    "seed",
];

/// `name=value` after `check L`.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckOption {
    pub name: Ident,
    pub value: Expr,
}

/// `from start to end` after `plot`.
#[derive(Clone, Debug, PartialEq)]
pub struct PlotRange {
    pub start: Expr,
    pub end: Expr,
}

/// `> "path"` after a command.
#[derive(Clone, Debug, PartialEq)]
pub struct Redirect {
    pub path: String,
    pub span: Span,
}

/// A statement or an expression directly inside a statement.
#[derive(Clone, Copy)]
pub enum Child<'a> {
    Stmt(&'a Stmt),
    Expr(&'a Expr),
}

impl Stmt {
    /// Calls `visit` on each expression and statement directly inside this one, in
    /// source order: the statements of its blocks and of a function's body too.
    /// (Walkers keep their own stack: a program's tree can be deep.)
    pub fn for_each_child<'a>(&'a self, mut visit: impl FnMut(Child<'a>)) {
        let block = |block: &'a Block, visit: &mut dyn FnMut(Child<'a>)| {
            block.statements.iter().for_each(|stmt| visit(Child::Stmt(stmt)));
        };
        match &self.kind {
            StmtKind::Expr(expr) | StmtKind::Return(Some(expr)) => visit(Child::Expr(expr)),
            StmtKind::Assign { target, value, .. } => {
                match target {
                    AssignTarget::Name(_) => {}
                    AssignTarget::Attribute { object, .. } => visit(Child::Expr(object)),
                    AssignTarget::Index { object, index } => {
                        visit(Child::Expr(object));
                        visit(Child::Expr(index));
                    }
                }
                visit(Child::Expr(value));
            }
            StmtKind::Command { command, .. } => command.for_each_expr(|expr| visit(Child::Expr(expr))),
            StmtKind::For { iterable, body, .. } => {
                visit(Child::Expr(iterable));
                block(body, &mut visit);
            }
            StmtKind::While { condition, body } => {
                visit(Child::Expr(condition));
                block(body, &mut visit);
            }
            StmtKind::If {
                condition,
                then_block,
                else_block,
            } => {
                visit(Child::Expr(condition));
                block(then_block, &mut visit);
                if let Some(else_block) = else_block {
                    block(else_block, &mut visit);
                }
            }
            StmtKind::FnDef(def) => match &def.body {
                FnBody::Expr(expr) => visit(Child::Expr(expr)),
                FnBody::Block(body) => block(body, &mut visit),
            },
            StmtKind::Return(None) | StmtKind::Break | StmtKind::Continue => {}
        }
    }
}

impl Expr {
    /// Calls `visit` on each expression directly inside this one, in source order:
    /// the values of an f-string's `{…}` too.
    pub fn for_each_child<'a>(&'a self, mut visit: impl FnMut(&'a Expr)) {
        match &self.kind {
            ExprKind::Number(_) | ExprKind::Str(_) | ExprKind::Bool(_) | ExprKind::Name(_) => {}
            ExprKind::Format(parts) => {
                for part in parts {
                    if let FormatPart::Value { expr, .. } = part {
                        visit(expr);
                    }
                }
            }
            ExprKind::List(items) => items.iter().for_each(visit),
            ExprKind::Range { start, end } => {
                visit(start);
                visit(end);
            }
            ExprKind::Comprehension {
                element,
                iterable,
                condition,
                ..
            } => {
                visit(element);
                visit(iterable);
                if let Some(condition) = condition {
                    visit(condition);
                }
            }
            ExprKind::Unary { operand, .. } | ExprKind::Not(operand) => visit(operand),
            ExprKind::Binary { lhs, rhs, .. }
            | ExprKind::Compare { lhs, rhs, .. }
            | ExprKind::Logical { lhs, rhs, .. } => {
                visit(lhs);
                visit(rhs);
            }
            ExprKind::Call { callee, args } => {
                visit(callee);
                args.iter().for_each(|arg| visit(&arg.value));
            }
            ExprKind::Attribute { object, .. } => visit(object),
            ExprKind::Index { object, index } => {
                visit(object);
                visit(index);
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Number(f64),
    /// A string literal with its escapes already resolved.
    Str(String),
    /// `f"loss {loss.data:.4f} at step {k}"`: text and values, joined into one string.
    Format(Vec<FormatPart>),
    /// `true` or `false`.
    Bool(bool),
    Name(Ident),
    /// `[a, b, c]`
    List(Vec<Expr>),
    /// `start..end` (end excluded).
    Range {
        start: Box<Expr>,
        end: Box<Expr>,
    },
    /// `[element for pattern in iterable]` or `[element for pattern in iterable if condition]`
    Comprehension {
        element: Box<Expr>,
        pattern: Pattern,
        iterable: Box<Expr>,
        condition: Option<Box<Expr>>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Compare {
        op: CompareOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `not x`
    Not(Box<Expr>),
    Logical {
        op: LogicalOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `callee(args)`
    Call {
        callee: Box<Expr>,
        args: Vec<Argument>,
    },
    /// `object.attribute`
    Attribute {
        object: Box<Expr>,
        attribute: Ident,
    },
    /// `object[index]`
    Index {
        object: Box<Expr>,
        index: Box<Expr>,
    },
}

/// A piece of an f-string.
#[derive(Clone, Debug, PartialEq)]
pub enum FormatPart {
    /// Literal text, escapes and `{{`/`}}` resolved.
    Text(String),
    /// `{expr}` or `{expr:spec}`.
    Value { expr: Expr, spec: Option<FormatSpec> },
}

/// How an f-string shows a value, after the `:` in `{x:>8.3f}` (Python's format
/// specification, in part): `[[fill]align][sign][0][width][.precision][type]`.
#[derive(Clone, Debug, PartialEq)]
pub struct FormatSpec {
    /// The character that pads to `width` (a space unless given, or `0` with the `0` flag).
    pub fill: char,
    pub align: Option<Align>,
    /// `+`: a sign on positive numbers too; ` `: a space there.
    pub sign: Option<char>,
    /// `0` before the width: pad numbers with zeros after the sign.
    pub zero_pad: bool,
    pub width: usize,
    pub precision: Option<usize>,
    pub kind: Option<FormatKind>,
    /// The specification as written (after the `:`), and where.
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// `<`
    Left,
    /// `>`
    Right,
    /// `^`
    Center,
}

/// The type letter of a format specification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatKind {
    /// `f`: fixed point, `precision` decimals (6 if not given).
    Fixed,
    /// `e`: scientific, `precision` decimals in the mantissa (6 if not given).
    Exponent,
    /// `g`: `precision` significant digits (6 if not given), fixed or scientific by size.
    General,
    /// `%`: times 100, fixed point, then `%`.
    Percent,
    /// `d`: a whole number.
    Whole,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`
    Neg,
    /// `+x`
    Plus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    /// `%`: remainder, on plain numbers only (loop counters): it has no useful gradient.
    Rem,
    /// `**` or its alias `^`.
    Pow,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
            BinaryOp::Pow => "**",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `~=`: equal within `1e-6 * max(1, |a|, |b|)`.
    Approx,
}

impl CompareOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
            CompareOp::Approx => "~=",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogicalOp {
    And,
    Or,
}

/// One argument of a call: positional (`f(x)`) or named (`MLP(2, [16, 1], act="relu")`).
#[derive(Clone, Debug, PartialEq)]
pub struct Argument {
    pub name: Option<Ident>,
    pub value: Expr,
}

/// What a `for` or a comprehension binds: `x` or `(ygt, yout)`.
#[derive(Clone, Debug, PartialEq)]
pub enum Pattern {
    Name(Ident),
    Tuple { parts: Vec<Pattern>, span: Span },
}

#[derive(Clone, Debug, PartialEq)]
pub struct FnDef {
    pub name: Ident,
    pub params: Vec<Ident>,
    pub body: FnBody,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FnBody {
    /// `fn f(x) = expr`
    Expr(Expr),
    /// `fn f(x) { …; return e }`
    Block(Block),
}

/// Words that start statements or belong to the syntax, and so cannot be names.
/// (`.data`, `.grad` and `.label` after a dot are attributes, not keywords.)
pub const KEYWORDS: &[&str] = &[
    "grad",
    "backward",
    "zero_grad",
    "check",
    "print",
    "show",
    "topo",
    "dot",
    "explain",
    "assert",
    "seed",
    "plot",
    "for",
    "while",
    "break",
    "continue",
    "in",
    "if",
    "else",
    "fn",
    "return",
    "and",
    "or",
    "not",
    "true",
    "false",
];

/// Words with a meaning only in one place (`grad L wrt a`, `plot f from a to b`); they stay usable as names.
pub const CONTEXTUAL_KEYWORDS: &[&str] = &["wrt", "from", "to"];

/// The attributes a node has.
pub const ATTRIBUTES: &[&str] = &["data", "grad", "label"];

/// An exercise file (SPEC §8), as written: its statements in order. What they mean
/// (which are required, which options exist) is `crate::grade`'s to decide.
#[derive(Clone, Debug, PartialEq)]
pub struct ExerciseFile {
    pub items: Vec<ExerciseItem>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExerciseItem {
    pub kind: ExerciseItemKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExerciseItemKind {
    /// `exercise "title"`
    Title(Text),
    /// `setup { … }`: run before every submission, and before the reference.
    Setup(Block),
    /// `reference { … }`: run after setup in a session of its own, to find the answers.
    Reference(Block),
    /// `forbid grad, backward, derivative`: the commands and builtins a submission may not use.
    Forbid(Vec<Ident>),
    /// `question "name" expr [for x in points] [options]`
    Question {
        name: Text,
        expr: Expr,
        points: Option<QuestionPoints>,
        options: Vec<GradingOption>,
    },
    /// `require "name" condition [options]`
    Require {
        name: Text,
        condition: Expr,
        options: Vec<GradingOption>,
    },
    /// An ordinary statement outside `setup` and `reference`, kept so that the
    /// grader can say where it belongs.
    Statement(Stmt),
}

/// A string as written in the source: its text (escapes resolved) and where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Text {
    pub text: String,
    pub span: Span,
}

/// `for x in [-2, 0, 0.5, 3]` after a question's expression.
#[derive(Clone, Debug, PartialEq)]
pub struct QuestionPoints {
    pub pattern: Pattern,
    pub iterable: Expr,
}

/// `points=2`, `tol=1e-6`, `hidden`: an option of a question or requirement.
#[derive(Clone, Debug, PartialEq)]
pub struct GradingOption {
    pub name: Ident,
    pub value: Option<Expr>,
    pub span: Span,
}
