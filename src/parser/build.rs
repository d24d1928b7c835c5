//! Turns pest's `Pair`s into the typed syntax tree of [`crate::ast`].
//!
//! Architecture Invariant: this module and `mod.rs` are the only ones that see `Pair`
//! or `Rule`. Grammar-guaranteed structure that turns out missing is reported as
//! [`ParseError::Internal`], never a panic.
//!
//! Every node's depth is counted bottom-up and bounded by [`MAX_DEPTH`], so that
//! later recursive passes (drop, evaluation, printing) cannot overflow the stack.
//! The left spine of an arithmetic chain (`a + b - c + …`) is not counted as depth
//! but bounded by [`MAX_CHAIN`]: passes walk it in a loop.

mod exercise;

use std::cell::Cell;
use std::rc::Rc;
use std::sync::LazyLock;

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::error::ParseError;
use super::scan::{Token, TokenKind};
use super::{MAX_CHAIN, MAX_DEPTH, Rule};
use crate::ast::*;
use crate::span::Span;

/// Operator precedence, loosest first (SPEC section 2, plus `..` between comparisons and `+`).
static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::or, Assoc::Left))
        .op(Op::infix(Rule::and, Assoc::Left))
        .op(Op::prefix(Rule::not))
        .op(Op::infix(Rule::eq, Assoc::Left)
            | Op::infix(Rule::ne, Assoc::Left)
            | Op::infix(Rule::lt, Assoc::Left)
            | Op::infix(Rule::le, Assoc::Left)
            | Op::infix(Rule::gt, Assoc::Left)
            | Op::infix(Rule::ge, Assoc::Left)
            | Op::infix(Rule::approx, Assoc::Left))
        .op(Op::infix(Rule::range_op, Assoc::Left))
        .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
        .op(Op::infix(Rule::mul, Assoc::Left) | Op::infix(Rule::div, Assoc::Left) | Op::infix(Rule::rem, Assoc::Left))
        .op(Op::prefix(Rule::neg) | Op::prefix(Rule::plus))
        .op(Op::infix(Rule::pow, Assoc::Right))
        .op(Op::postfix(Rule::call) | Op::postfix(Rule::attribute) | Op::postfix(Rule::index))
});

type Result<T> = std::result::Result<T, ParseError>;

/// An expression being built, with what its parent needs to know.
struct Built {
    expr: Expr,
    /// The height of the tree below and including this node.
    depth: usize,
    /// Written in parentheses, so `(a < b) < c` is not a chain.
    parenthesized: bool,
    /// How many arithmetic operators line the left side of this node (`a + b - c`: 2).
    /// Evaluation walks such a chain in a loop, so it is not nesting: it is bounded by
    /// [`MAX_CHAIN`], not by [`MAX_DEPTH`].
    chain: usize,
}

pub(crate) struct Builder<'s> {
    base: usize,
    source: &'s str,
    /// The scanner's tokens, to trim spans (see [`Builder::span`]).
    tokens: &'s [Token],
    /// How many `for`/`while` bodies enclose the statement being built, within the
    /// innermost function: `break` and `continue` are accepted only where it is not 0.
    loops: Cell<usize>,
    /// Whether that statement is inside a function's body (for the wording of errors).
    in_function: Cell<bool>,
}

impl<'s> Builder<'s> {
    pub fn new(base: usize, source: &'s str, tokens: &'s [Token]) -> Builder<'s> {
        Builder {
            base,
            source,
            tokens,
            loops: Cell::new(0),
            in_function: Cell::new(false),
        }
    }

    /// The span of a pair, ending at its last token. (A pest rule that ends in a
    /// repetition also covers the whitespace and comment skipped before the repetition
    /// found nothing more.)
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        let (start, mut end) = (s.start(), s.end());
        let mut last = self.tokens.partition_point(|t| t.end <= end);
        while last > 0 && self.tokens[last - 1].kind == TokenKind::Newline {
            last -= 1;
        }
        if let Some(token) = last.checked_sub(1).map(|i| self.tokens[i])
            && token.end > start
        {
            end = token.end;
        }
        Span::new(self.base + start, self.base + end)
    }

    fn internal(&self, message: &str, span: Span) -> ParseError {
        ParseError::Internal {
            message: message.to_string(),
            span,
        }
    }

    /// The next child of a pair, which the grammar guarantees.
    fn next<'i>(&self, pairs: &mut Pairs<'i, Rule>, what: &str, span: Span) -> Result<Pair<'i, Rule>> {
        pairs
            .next()
            .ok_or_else(|| self.internal(&format!("the grammar guarantees {what}"), span))
    }

    fn check_depth(&self, depth: usize, span: Span) -> Result<usize> {
        if depth > MAX_DEPTH {
            Err(ParseError::TooDeep { limit: MAX_DEPTH, span })
        } else {
            Ok(depth)
        }
    }

    fn source_text(&self, span: Span) -> &str {
        self.source
            .get(span.start - self.base..span.end - self.base)
            .unwrap_or("…")
    }

    // ----- statements -----

    /// The expression of an f-string's `{…}`, and its depth.
    pub fn embedded(&self, pair: Pair<'_, Rule>) -> Result<(Expr, usize)> {
        let built = self.expr(pair)?;
        Ok((built.expr, built.depth))
    }

    pub fn program(&self, pair: Pair<'_, Rule>) -> Result<Program> {
        let (statements, _) = self.statements(pair.into_inner())?;
        Ok(Program { statements })
    }

    /// Statements and the depth of the deepest.
    fn statements(&self, pairs: Pairs<'_, Rule>) -> Result<(Vec<Stmt>, usize)> {
        let mut statements = Vec::new();
        let mut depth = 0;
        for pair in pairs {
            if matches!(pair.as_rule(), Rule::EOI) {
                continue;
            }
            let (stmt, d) = self.statement(pair)?;
            depth = depth.max(d);
            statements.push(stmt);
        }
        Ok((statements, depth))
    }

    fn block(&self, pair: Pair<'_, Rule>) -> Result<(Block, usize)> {
        let span = self.span(&pair);
        let (statements, depth) = self.statements(pair.into_inner())?;
        Ok((Block { statements, span }, self.check_depth(depth + 1, span)?))
    }

    /// Dispatches on the kind of statement. Kept small on purpose: it is on the recursive
    /// path of nested blocks, and debug builds give every temporary its own stack slot.
    fn statement(&self, pair: Pair<'_, Rule>) -> Result<(Stmt, usize)> {
        let span = self.span(&pair);
        let rule = pair.as_rule();
        let inner = pair.into_inner();
        let built = match rule {
            Rule::expr_stmt => self.expr_stmt(inner, span),
            Rule::assignment => self.assignment(inner, span),
            Rule::return_stmt => self.return_stmt(inner),
            Rule::for_stmt => self.for_stmt(inner, span),
            Rule::while_stmt => self.while_stmt(inner, span),
            Rule::break_stmt => self.loop_control(StmtKind::Break, "break", span),
            Rule::continue_stmt => self.loop_control(StmtKind::Continue, "continue", span),
            Rule::if_stmt => self.if_stmt(inner, span),
            Rule::fn_def => self.fn_def(inner, span),
            Rule::grad_cmd
            | Rule::backward_cmd
            | Rule::zero_grad_cmd
            | Rule::check_cmd
            | Rule::print_cmd
            | Rule::show_cmd
            | Rule::topo_cmd
            | Rule::dot_cmd
            | Rule::explain_cmd
            | Rule::plot_cmd
            | Rule::assert_cmd
            | Rule::seed_cmd => self.command(rule, inner, span),
            _ => Err(self.internal("unexpected statement rule", span)),
        };
        let (kind, depth) = built?;
        let depth = self.check_depth(depth + 1, span)?;
        Ok((Stmt { kind, span }, depth))
    }

    fn expr_stmt(&self, mut inner: Pairs<'_, Rule>, span: Span) -> Result<(StmtKind, usize)> {
        let e = self.expr(self.next(&mut inner, "an expression", span)?)?;
        Ok((StmtKind::Expr(e.expr), e.depth))
    }

    fn return_stmt(&self, mut inner: Pairs<'_, Rule>) -> Result<(StmtKind, usize)> {
        match inner.find(|p| p.as_rule() == Rule::expr) {
            Some(p) => {
                let e = self.expr(p)?;
                Ok((StmtKind::Return(Some(e.expr)), e.depth))
            }
            None => Ok((StmtKind::Return(None), 0)),
        }
    }

    fn for_stmt(&self, mut inner: Pairs<'_, Rule>, span: Span) -> Result<(StmtKind, usize)> {
        let _kw = self.next(&mut inner, "'for'", span)?;
        let pattern = self.pattern(self.next(&mut inner, "a pattern", span)?)?;
        let _in = self.next(&mut inner, "'in'", span)?;
        let iterable = self.expr(self.next(&mut inner, "an iterable", span)?)?;
        let (body, body_depth) = self.loop_body(self.next(&mut inner, "a body", span)?)?;
        let depth = iterable.depth.max(body_depth);
        Ok((
            StmtKind::For {
                pattern,
                iterable: iterable.expr,
                body,
            },
            depth,
        ))
    }

    fn while_stmt(&self, mut inner: Pairs<'_, Rule>, span: Span) -> Result<(StmtKind, usize)> {
        let _kw = self.next(&mut inner, "'while'", span)?;
        let condition = self.expr(self.next(&mut inner, "a condition", span)?)?;
        let (body, body_depth) = self.loop_body(self.next(&mut inner, "a body", span)?)?;
        let depth = condition.depth.max(body_depth);
        Ok((
            StmtKind::While {
                condition: condition.expr,
                body,
            },
            depth,
        ))
    }

    /// The body of a `for` or `while`, where `break` and `continue` are allowed.
    fn loop_body(&self, pair: Pair<'_, Rule>) -> Result<(Block, usize)> {
        self.loops.set(self.loops.get() + 1);
        let body = self.block(pair);
        self.loops.set(self.loops.get() - 1);
        body
    }

    /// `break` or `continue`, which must be inside a loop of the same function.
    fn loop_control(&self, kind: StmtKind, keyword: &'static str, span: Span) -> Result<(StmtKind, usize)> {
        if self.loops.get() == 0 {
            return Err(ParseError::OutsideLoop {
                keyword,
                in_function: self.in_function.get(),
                span,
            });
        }
        Ok((kind, 0))
    }

    fn fn_def(&self, mut inner: Pairs<'_, Rule>, span: Span) -> Result<(StmtKind, usize)> {
        let _kw = self.next(&mut inner, "'fn'", span)?;
        let name = self.ident(self.next(&mut inner, "a function name", span)?);
        let params: Vec<Ident> = self
            .next(&mut inner, "parameters", span)?
            .into_inner()
            .map(|p| self.ident(p))
            .collect();
        for (k, param) in params.iter().enumerate() {
            if params[..k].iter().any(|earlier| earlier.name == param.name) {
                return Err(ParseError::DuplicateParameter {
                    param: param.name.clone(),
                    function: name.name.clone(),
                    span: param.span,
                });
            }
        }
        let body_pair = self.next(&mut inner, "a function body", span)?;
        // A function's body starts outside any loop: `break` cannot leave a function.
        let outer = (self.loops.replace(0), self.in_function.replace(true));
        let body = self.fn_body(body_pair);
        self.loops.set(outer.0);
        self.in_function.set(outer.1);
        let (body, depth) = body?;
        Ok((
            StmtKind::FnDef(Rc::new(FnDef {
                name,
                params,
                body,
                span,
            })),
            depth,
        ))
    }

    fn fn_body(&self, body_pair: Pair<'_, Rule>) -> Result<(FnBody, usize)> {
        Ok(if body_pair.as_rule() == Rule::block {
            let (block, depth) = self.block(body_pair)?;
            (FnBody::Block(block), depth)
        } else {
            let body_span = self.span(&body_pair);
            let mut body_inner = body_pair.into_inner();
            let _assign = self.next(&mut body_inner, "'='", body_span)?;
            let e = self.expr(self.next(&mut body_inner, "an expression", body_span)?)?;
            (FnBody::Expr(e.expr), e.depth)
        })
    }

    fn assignment(&self, mut inner: Pairs<'_, Rule>, span: Span) -> Result<(StmtKind, usize)> {
        let target_pair = self.next(&mut inner, "an assignment target", span)?;
        let target_span = self.span(&target_pair);
        let op_pair = self.next(&mut inner, "an assignment operator", span)?;
        let value = self.expr(self.next(&mut inner, "a value", span)?)?;
        let op = match op_pair.as_rule() {
            Rule::assign => None,
            Rule::add_assign => Some(BinaryOp::Add),
            Rule::sub_assign => Some(BinaryOp::Sub),
            Rule::mul_assign => Some(BinaryOp::Mul),
            Rule::div_assign => Some(BinaryOp::Div),
            _ => return Err(self.internal("unknown assignment operator", self.span(&op_pair))),
        };
        let inner_target = self.next(&mut target_pair.into_inner(), "a target", target_span)?;
        if inner_target.as_rule() == Rule::keyword {
            return Err(ParseError::KeywordAsName {
                keyword: inner_target.as_str().to_string(),
                span: target_span,
            });
        }
        let target = self.expr(inner_target)?;
        let depth = target.depth.max(value.depth);
        let bad = |what: &'static str, help: Option<String>| ParseError::InvalidAssignTarget {
            what,
            help,
            span: target_span,
        };
        let plain = Some("only a name, an attribute ('x.data') or an element ('xs[i]') can be assigned".to_string());
        let target = match target.expr.kind {
            ExprKind::Name(ident) => AssignTarget::Name(ident),
            ExprKind::Attribute { object, attribute } => {
                // `(a*3).grad = 5` would change a node that is dropped right after.
                if matches!(object.kind, ExprKind::Binary { .. } | ExprKind::Unary { .. }) {
                    let text = self.source_text(object.span);
                    let inner = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')).unwrap_or(text);
                    let op = self
                        .source_text(Span::new(target_span.end, value.expr.span.start))
                        .trim();
                    let fix = format!(
                        "t = {inner}; t.{} {op} {}",
                        attribute.name,
                        self.source_text(value.expr.span)
                    );
                    return Err(ParseError::AttributeOfTemporary {
                        attribute: attribute.name,
                        object: text.to_string(),
                        fix,
                        span: object.span,
                    });
                }
                AssignTarget::Attribute {
                    object: *object,
                    attribute,
                }
            }
            ExprKind::Index { object, index } => AssignTarget::Index {
                object: *object,
                index: *index,
            },
            ExprKind::Number(_) => return Err(bad("a number", plain)),
            ExprKind::Str(_) => return Err(bad("a string", plain)),
            ExprKind::Bool(_) => return Err(bad("a boolean", plain)),
            ExprKind::List(_) | ExprKind::Comprehension { .. } => return Err(bad("a list", plain)),
            ExprKind::Call { callee, args } => {
                let help = match &callee.kind {
                    ExprKind::Name(Ident { name, .. }) => {
                        let params: Vec<&str> = args.iter().map(|a| self.source_text(a.value.span)).collect();
                        format!("to define a function, write 'fn {name}({}) = …'", params.join(", "))
                    }
                    _ => "to define a function, write 'fn name(x) = …'".to_string(),
                };
                return Err(bad("a function call", Some(help)));
            }
            _ => return Err(bad("an expression", plain)),
        };
        Ok((
            StmtKind::Assign {
                target,
                op,
                value: value.expr,
            },
            depth,
        ))
    }

    fn if_stmt(&self, mut inner: Pairs<'_, Rule>, span: Span) -> Result<(StmtKind, usize)> {
        let _kw = self.next(&mut inner, "'if'", span)?;
        let condition = self.expr(self.next(&mut inner, "a condition", span)?)?;
        let (then_block, then_depth) = self.block(self.next(&mut inner, "a block", span)?)?;
        let else_block = self.else_chain(inner, span)?;
        let depth = condition
            .depth
            .max(then_depth)
            .max(else_block.as_ref().map_or(0, |(_, d)| *d));
        let kind = StmtKind::If {
            condition: condition.expr,
            then_block,
            else_block: else_block.map(|(b, _)| b),
        };
        Ok((kind, depth))
    }

    /// The `else if` branches and the final `else` of an `if` spanning `span`, built from
    /// the last one back, each nested as the only statement of the previous `else` block.
    fn else_chain(&self, branches: Pairs<'_, Rule>, span: Span) -> Result<Option<(Block, usize)>> {
        let branches: Vec<Pair<'_, Rule>> = branches.collect();
        let mut else_block: Option<(Block, usize)> = None;
        for pair in branches.into_iter().rev() {
            let pair_span = self.span(&pair);
            let rule = pair.as_rule();
            let mut parts = pair.into_inner();
            let _else = self.next(&mut parts, "'else'", pair_span)?;
            else_block = Some(match rule {
                Rule::else_clause => self.block(self.next(&mut parts, "a block", pair_span)?)?,
                Rule::else_if => self.else_if(parts, pair_span, span, else_block.take())?,
                _ => return Err(self.internal("unexpected rule in an if statement", pair_span)),
            });
        }
        Ok(else_block)
    }

    /// The block `{ if cond { … } else … }` that stands for `else if cond { … } else …`.
    fn else_if(
        &self,
        mut parts: Pairs<'_, Rule>,
        pair_span: Span,
        chain_span: Span,
        rest: Option<(Block, usize)>,
    ) -> Result<(Block, usize)> {
        let if_kw = self.next(&mut parts, "'if'", pair_span)?;
        let cond = self.expr(self.next(&mut parts, "a condition", pair_span)?)?;
        let (block, block_depth) = self.block(self.next(&mut parts, "a block", pair_span)?)?;
        // The nested `if` runs from its keyword to the end of the whole chain.
        let nested_span = Span::new(self.span(&if_kw).start, chain_span.end);
        let else_span = Span::new(pair_span.start, chain_span.end);
        let inner_depth = cond.depth.max(block_depth).max(rest.as_ref().map_or(0, |(_, d)| *d));
        let stmt_depth = self.check_depth(inner_depth + 1, nested_span)?;
        let stmt = Stmt {
            kind: StmtKind::If {
                condition: cond.expr,
                then_block: block,
                else_block: rest.map(|(b, _)| b),
            },
            span: nested_span,
        };
        let depth = self.check_depth(stmt_depth + 1, else_span)?;
        Ok((
            Block {
                statements: vec![stmt],
                span: else_span,
            },
            depth,
        ))
    }

    fn command(&self, rule: Rule, mut inner: Pairs<'_, Rule>, span: Span) -> Result<(StmtKind, usize)> {
        let _kw = self.next(&mut inner, "a command keyword", span)?;
        let mut args: Vec<Built> = Vec::new();
        let mut wrt: Vec<Built> = Vec::new();
        let mut options: Vec<CheckOption> = Vec::new();
        let mut range: Vec<Built> = Vec::new();
        let mut redirect = None;
        let mut depth = 0;
        for pair in inner {
            match pair.as_rule() {
                Rule::expr | Rule::arith => args.push(self.expr(pair)?),
                Rule::wrt_list => {
                    for p in pair.into_inner().filter(|p| p.as_rule() == Rule::arith) {
                        wrt.push(self.expr(p)?);
                    }
                }
                Rule::plot_range => {
                    for p in pair.into_inner().filter(|p| p.as_rule() == Rule::arith) {
                        range.push(self.expr(p)?);
                    }
                }
                Rule::check_option => {
                    let option_span = self.span(&pair);
                    let mut parts = pair.into_inner();
                    let name = self.ident(self.next(&mut parts, "an option name", option_span)?);
                    let _assign = self.next(&mut parts, "'='", option_span)?;
                    let value = self.expr(self.next(&mut parts, "an option value", option_span)?)?;
                    depth = depth.max(value.depth);
                    options.push(CheckOption {
                        name,
                        value: value.expr,
                    });
                }
                Rule::redirect => {
                    let redirect_span = self.span(&pair);
                    let path_pair = pair
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::string)
                        .ok_or_else(|| self.internal("a redirect has a path", redirect_span))?;
                    let path_span = self.span(&path_pair);
                    let path = self.string(path_pair)?;
                    redirect = Some(Redirect { path, span: path_span });
                }
                _ => return Err(self.internal("unexpected part of a command", self.span(&pair))),
            }
        }
        depth = args
            .iter()
            .chain(&wrt)
            .chain(&range)
            .map(|b| b.depth)
            .fold(depth, usize::max);
        let mut args = args.into_iter().map(|b| b.expr);
        let mut first = || {
            args.next()
                .ok_or_else(|| self.internal("a command has its argument", span))
        };
        let command = match rule {
            Rule::grad_cmd => Command::Grad {
                target: first()?,
                wrt: wrt.into_iter().map(|b| b.expr).collect(),
            },
            Rule::backward_cmd => Command::Backward(first()?),
            Rule::check_cmd => Command::Check {
                target: first()?,
                options,
            },
            Rule::show_cmd => Command::Show(first()?),
            Rule::topo_cmd => Command::Topo(first()?),
            Rule::dot_cmd => Command::Dot(first()?),
            Rule::explain_cmd => Command::Explain(first()?),
            Rule::seed_cmd => Command::Seed(first()?),
            Rule::assert_cmd => {
                let condition = first()?;
                Command::Assert {
                    condition,
                    message: args.next(),
                }
            }
            Rule::zero_grad_cmd => Command::ZeroGrad(args.collect()),
            Rule::print_cmd => Command::Print(args.collect()),
            Rule::plot_cmd => {
                let mut range = range.into_iter().map(|b| b.expr);
                let range = match (range.next(), range.next()) {
                    (Some(start), Some(end)) => Some(PlotRange { start, end }),
                    _ => None,
                };
                Command::Plot {
                    series: args.collect(),
                    range,
                }
            }
            _ => return Err(self.internal("unknown command", span)),
        };
        Ok((StmtKind::Command { command, redirect }, depth))
    }

    fn pattern(&self, pair: Pair<'_, Rule>) -> Result<Pattern> {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::name => Ok(Pattern::Name(self.ident(pair))),
            Rule::pattern_tuple => {
                let parts = pair.into_inner().map(|p| self.pattern(p)).collect::<Result<_>>()?;
                Ok(Pattern::Tuple { parts, span })
            }
            _ => Err(self.internal("a pattern is a name or a tuple", span)),
        }
    }

    fn ident(&self, pair: Pair<'_, Rule>) -> Ident {
        Ident::new(pair.as_str(), self.span(&pair))
    }

    // ----- expressions -----

    fn expr(&self, pair: Pair<'_, Rule>) -> Result<Built> {
        let span = self.span(&pair);
        if !matches!(pair.as_rule(), Rule::expr | Rule::arith) {
            return Err(self.internal("expected an expression rule", span));
        }
        PRATT
            .map_primary(|p| self.operand(p))
            .map_prefix(|op, operand| {
                let operand = operand?;
                let op_span = self.span(&op);
                let span = op_span.to(operand.expr.span);
                let depth = self.check_depth(operand.depth + 1, op_span)?;
                let kind = match op.as_rule() {
                    Rule::not => ExprKind::Not(Box::new(operand.expr)),
                    Rule::neg => ExprKind::Unary {
                        op: UnaryOp::Neg,
                        operand: Box::new(operand.expr),
                    },
                    Rule::plus => ExprKind::Unary {
                        op: UnaryOp::Plus,
                        operand: Box::new(operand.expr),
                    },
                    _ => return Err(self.internal("unknown prefix operator", op_span)),
                };
                Ok(Built {
                    expr: Expr { kind, span },
                    depth,
                    parenthesized: false,
                    chain: 0,
                })
            })
            .map_infix(|lhs, op, rhs| self.infix(lhs?, op, rhs?))
            .map_postfix(|lhs, op| self.postfix(lhs?, op))
            .parse(pair.into_inner())
    }

    fn infix(&self, lhs: Built, op: Pair<'_, Rule>, rhs: Built) -> Result<Built> {
        let op_span = self.span(&op);
        let span = lhs.expr.span.to(rhs.expr.span);
        let arithmetic = match op.as_rule() {
            Rule::add => Some(BinaryOp::Add),
            Rule::sub => Some(BinaryOp::Sub),
            Rule::mul => Some(BinaryOp::Mul),
            Rule::div => Some(BinaryOp::Div),
            Rule::rem => Some(BinaryOp::Rem),
            Rule::pow => Some(BinaryOp::Pow),
            _ => None,
        };
        // `a + b + c + …`: each operator on the left spine is a step of a loop, not a level of nesting.
        let continues_chain = arithmetic.is_some() && matches!(lhs.expr.kind, ExprKind::Binary { .. });
        let (depth, chain) = if continues_chain {
            if lhs.chain >= MAX_CHAIN {
                return Err(ParseError::ChainTooLong {
                    limit: MAX_CHAIN,
                    span: op_span,
                });
            }
            (lhs.depth.max(rhs.depth + 1), lhs.chain + 1)
        } else {
            (lhs.depth.max(rhs.depth) + 1, usize::from(arithmetic.is_some()))
        };
        let depth = self.check_depth(depth, op_span)?;
        let (l, r) = (Box::new(lhs.expr), Box::new(rhs.expr));
        let kind = match (op.as_rule(), arithmetic) {
            (_, Some(binary)) => ExprKind::Binary {
                op: binary,
                lhs: l,
                rhs: r,
            },
            (Rule::and, _) => ExprKind::Logical {
                op: LogicalOp::And,
                lhs: l,
                rhs: r,
            },
            (Rule::or, _) => ExprKind::Logical {
                op: LogicalOp::Or,
                lhs: l,
                rhs: r,
            },
            (Rule::range_op, _) => {
                if matches!(l.kind, ExprKind::Range { .. }) && !lhs.parenthesized {
                    return Err(ParseError::ChainedRange { span: op_span });
                }
                ExprKind::Range { start: l, end: r }
            }
            (rule, None) => {
                let op = match rule {
                    Rule::eq => CompareOp::Eq,
                    Rule::ne => CompareOp::Ne,
                    Rule::lt => CompareOp::Lt,
                    Rule::le => CompareOp::Le,
                    Rule::gt => CompareOp::Gt,
                    Rule::ge => CompareOp::Ge,
                    Rule::approx => CompareOp::Approx,
                    _ => return Err(self.internal("unknown infix operator", op_span)),
                };
                if let ExprKind::Compare { rhs: middle, .. } = &l.kind
                    && !lhs.parenthesized
                {
                    let suggestion = format!(
                        "{} and {} {} {}",
                        self.source_text(l.span),
                        self.source_text(middle.span),
                        op.symbol(),
                        self.source_text(r.span)
                    );
                    return Err(ParseError::ChainedComparison {
                        suggestion,
                        span: op_span,
                    });
                }
                ExprKind::Compare { op, lhs: l, rhs: r }
            }
        };
        Ok(Built {
            expr: Expr { kind, span },
            depth,
            parenthesized: false,
            chain,
        })
    }

    fn postfix(&self, lhs: Built, op: Pair<'_, Rule>) -> Result<Built> {
        let op_span = self.span(&op);
        let span = lhs.expr.span.to(op_span);
        let built = match op.as_rule() {
            Rule::attribute => self.attribute(lhs, op),
            Rule::index => self.index(lhs, op),
            Rule::call => self.call(lhs, op),
            _ => Err(self.internal("unknown postfix operator", op_span)),
        };
        let (kind, depth) = built?;
        let depth = self.check_depth(depth + 1, op_span)?;
        Ok(Built {
            expr: Expr { kind, span },
            depth,
            parenthesized: false,
            chain: 0,
        })
    }

    fn attribute(&self, object: Built, op: Pair<'_, Rule>) -> Result<(ExprKind, usize)> {
        let op_span = self.span(&op);
        let name = self.next(&mut op.into_inner(), "an attribute name", op_span)?;
        let kind = ExprKind::Attribute {
            object: Box::new(object.expr),
            attribute: self.ident(name),
        };
        Ok((kind, object.depth))
    }

    fn index(&self, object: Built, op: Pair<'_, Rule>) -> Result<(ExprKind, usize)> {
        let op_span = self.span(&op);
        let index = self.expr(self.next(&mut op.into_inner(), "an index", op_span)?)?;
        let depth = object.depth.max(index.depth);
        Ok((
            ExprKind::Index {
                object: Box::new(object.expr),
                index: Box::new(index.expr),
            },
            depth,
        ))
    }

    fn call(&self, callee: Built, op: Pair<'_, Rule>) -> Result<(ExprKind, usize)> {
        let mut depth = callee.depth;
        let mut args = Vec::new();
        for arg in op.into_inner() {
            let (argument, arg_depth) = self.argument(arg)?;
            depth = depth.max(arg_depth);
            args.push(argument);
        }
        Ok((
            ExprKind::Call {
                callee: Box::new(callee.expr),
                args,
            },
            depth,
        ))
    }

    fn argument(&self, arg: Pair<'_, Rule>) -> Result<(Argument, usize)> {
        let arg_span = self.span(&arg);
        let mut parts = arg.into_inner();
        let first = self.next(&mut parts, "an argument", arg_span)?;
        let (name, value) = if first.as_rule() == Rule::name {
            let _assign = self.next(&mut parts, "'='", arg_span)?;
            let value = self.next(&mut parts, "an argument value", arg_span)?;
            (Some(self.ident(first)), self.expr(value)?)
        } else {
            (None, self.expr(first)?)
        };
        Ok((
            Argument {
                name,
                value: value.expr,
            },
            value.depth,
        ))
    }

    /// Dispatches on the kind of operand; small, as it is on the recursive path.
    fn operand(&self, pair: Pair<'_, Rule>) -> Result<Built> {
        match pair.as_rule() {
            Rule::paren => self.paren(pair),
            Rule::bracket => self.bracket(pair),
            _ => self.leaf(pair),
        }
    }

    fn leaf(&self, pair: Pair<'_, Rule>) -> Result<Built> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::number => {
                let text = pair.as_str();
                match text.parse::<f64>() {
                    Ok(value) if value.is_finite() => ExprKind::Number(value),
                    Ok(_) => {
                        return Err(ParseError::NumberTooLarge {
                            text: text.to_string(),
                            span,
                        });
                    }
                    Err(_) => return Err(self.internal("a number token parses as f64", span)),
                }
            }
            Rule::string => ExprKind::Str(self.string(pair)?),
            Rule::fstring => return self.fstring(pair),
            Rule::boolean => ExprKind::Bool(pair.as_str() == "true"),
            Rule::name => ExprKind::Name(Ident::new(pair.as_str(), span)),
            _ => return Err(self.internal("unexpected operand rule", span)),
        };
        Ok(Built {
            expr: Expr { kind, span },
            depth: 1,
            parenthesized: false,
            chain: 0,
        })
    }

    fn paren(&self, pair: Pair<'_, Rule>) -> Result<Built> {
        let span = self.span(&pair);
        let inner = self.expr(self.next(&mut pair.into_inner(), "an expression", span)?)?;
        // The parentheses belong to the expression's text.
        let expr = Expr {
            kind: inner.expr.kind,
            span,
        };
        Ok(Built {
            expr,
            depth: inner.depth,
            parenthesized: true,
            chain: inner.chain,
        })
    }

    fn bracket(&self, pair: Pair<'_, Rule>) -> Result<Built> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let Some(first) = inner.next() else {
            let expr = Expr {
                kind: ExprKind::List(Vec::new()),
                span,
            };
            return Ok(Built {
                expr,
                depth: 1,
                parenthesized: false,
                chain: 0,
            });
        };
        let first = self.expr(first)?;
        let tail = self.next(&mut inner, "a list or comprehension tail", span)?;
        let built = match tail.as_rule() {
            Rule::list_tail => self.list(first, tail),
            Rule::comprehension_tail => self.comprehension(first, tail),
            _ => Err(self.internal("unexpected rule in a list", span)),
        };
        let (kind, depth) = built?;
        let depth = self.check_depth(depth + 1, span)?;
        Ok(Built {
            expr: Expr { kind, span },
            depth,
            parenthesized: false,
            chain: 0,
        })
    }

    fn list(&self, first: Built, tail: Pair<'_, Rule>) -> Result<(ExprKind, usize)> {
        let mut depth = first.depth;
        let mut items = vec![first.expr];
        for p in tail.into_inner() {
            let item = self.expr(p)?;
            depth = depth.max(item.depth);
            items.push(item.expr);
        }
        Ok((ExprKind::List(items), depth))
    }

    fn comprehension(&self, element: Built, tail: Pair<'_, Rule>) -> Result<(ExprKind, usize)> {
        let tail_span = self.span(&tail);
        let mut parts = tail.into_inner();
        let _for = self.next(&mut parts, "'for'", tail_span)?;
        let pattern = self.pattern(self.next(&mut parts, "a pattern", tail_span)?)?;
        let _in = self.next(&mut parts, "'in'", tail_span)?;
        let iterable = self.expr(self.next(&mut parts, "an iterable", tail_span)?)?;
        let mut depth = element.depth.max(iterable.depth);
        let condition = match parts.find(|p| p.as_rule() == Rule::expr) {
            Some(p) => {
                let c = self.expr(p)?;
                depth = depth.max(c.depth);
                Some(Box::new(c.expr))
            }
            None => None,
        };
        let kind = ExprKind::Comprehension {
            element: Box::new(element.expr),
            pattern,
            iterable: Box::new(iterable.expr),
            condition,
        };
        Ok((kind, depth))
    }

    /// `f"…{x:.4f}…"`: its text and values (see `parser::format`).
    fn fstring(&self, pair: Pair<'_, Rule>) -> Result<Built> {
        let span = self.span(&pair);
        let body = pair.into_inner().next();
        let (body, start) = match &body {
            Some(body) => (body.as_str(), self.base + body.as_span().start()),
            None => ("", span.start + 2),
        };
        let (parts, depth) = super::format::parts(body, start, super::parse_embedded)?;
        let depth = self.check_depth(depth + 1, span)?;
        Ok(Built {
            expr: Expr {
                kind: ExprKind::Format(parts),
                span,
            },
            depth,
            parenthesized: false,
            chain: 0,
        })
    }

    /// The value of a string literal, escapes resolved.
    fn string(&self, pair: Pair<'_, Rule>) -> Result<String> {
        let span = self.span(&pair);
        let body = pair.into_inner().next().map_or("", |p| p.as_str());
        let mut out = String::with_capacity(body.len());
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                other => {
                    let escape = format!("\\{}", other.map(String::from).unwrap_or_default());
                    return Err(ParseError::UnknownEscape { escape, span });
                }
            }
        }
        Ok(out)
    }
}
