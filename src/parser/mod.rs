//! The parser: mg source text to the typed syntax tree of [`crate::ast`].
//!
//! Three stages:
//! 1. [`scan`] lexes the source once, reports lexical mistakes and unbalanced brackets
//!    with precise spans, bounds nesting (so nothing below can overflow the stack), and
//!    blanks out newlines inside `( )` and `[ ]`;
//! 2. pest parses the scanned text with `grammar/mg.pest`;
//! 3. [`build`] turns pest's pairs into [`ast::Program`], giving operators their
//!    precedence with a Pratt parser and bounding the depth of the tree.
//!
//! A pest failure is turned into a sentence by [`explain`], from what pest expected,
//! the token it found and the tokens before it.
//!
//! Architecture Invariant: nothing outside this module sees pest's `Pair` or `Rule`.

mod build;
mod encoding;
mod error;
mod exercise;
mod explain;
mod format;
mod scan;

#[cfg(test)]
mod tests;

use pest::Parser;

use crate::ast;
pub use encoding::{Decoded, decode};
pub use error::ParseError;

/// The deepest bracket nesting (`(`, `[`, `{` together), and the longest run of prefix
/// operators or chain of `**` (counted along one path through the brackets), that the
/// parser accepts. 128 rather than 256: building the tree recurses once per bracket
/// level, and a debug build needs about 11 KiB of stack per level, so 256 levels would
/// overflow a 2 MiB thread (`worst_legal_nesting_fits_a_small_stack` checks this).
pub const MAX_NESTING: usize = 128;

/// The deepest syntax tree the parser builds. Later passes over the tree recurse, so this
/// bounds their stack use too.
pub const MAX_DEPTH: usize = 1000;

/// The longest left-leaning chain of arithmetic operators (`a + b - c * d + …`, counted
/// along the left spine) that the parser builds. Such a chain is flat, not nested: the
/// depth it adds to the tree is that of its deepest operand, plus one.
///
/// Architecture Invariant: a pass over the syntax tree walks the left spine of an
/// `ExprKind::Binary` in a loop (as evaluation and `Locals::of` do); only dropping a
/// tree recurses along it, which 10,000 levels allow on a 2 MiB stack in a debug build.
/// (The derived `Clone`, `PartialEq` and `Debug` recurse too: tests only.) A
/// 100,000-term sum is rejected rather than crashing.
pub const MAX_CHAIN: usize = 10_000;

/// The pest parser, in a private module so that its generated `Rule` enum stays
/// invisible outside `parser`.
mod grammar {
    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/mg.pest"]
    pub(crate) struct MgParser;
}

use grammar::{MgParser, Rule};

/// Parses a whole program. Every span in the result and in errors is offset by `base`
/// (the session keeps all REPL entries in one address space; pass 0 for a lone source).
pub fn parse_program(source: &str, base: usize) -> Result<ast::Program, ParseError> {
    let scanned = scan::scan(source, base)?;
    let mut pairs = MgParser::parse(Rule::program, &scanned.text)
        .map_err(|error| explain::explain(&error, source, &scanned.tokens, base))?;
    let program = pairs.next().ok_or_else(|| ParseError::Internal {
        message: "pest returned no program".into(),
        span: crate::span::Span::new(base, base),
    })?;
    build::Builder::new(base, source, &scanned.tokens).program(program)
}

/// Parses an exercise file (SPEC §8): the statements only exercise files accept, with
/// blocks, expressions and statements as in a program. Spans are offset by `base`.
pub fn parse_exercise(source: &str, base: usize) -> Result<ast::ExerciseFile, ParseError> {
    let scanned = scan::scan(source, base)?;
    let mut pairs = MgParser::parse(Rule::exercise_file, &scanned.text)
        .map_err(|error| exercise::explain(&error, source, &scanned.tokens, base))?;
    let file = pairs.next().ok_or_else(|| ParseError::Internal {
        message: "pest returned no exercise file".into(),
        span: crate::span::Span::new(base, base),
    })?;
    build::Builder::new(base, source, &scanned.tokens).exercise_file(file)
}

/// Parses one expression that stands alone in `source` (the `{…}` of an f-string),
/// its spans offset by `base`; returns it with the depth of its tree.
fn parse_embedded(source: &str, base: usize) -> Result<(ast::Expr, usize), ParseError> {
    let scanned = scan::scan(source, base)?;
    let mut pairs = MgParser::parse(Rule::embedded_expr, &scanned.text)
        .map_err(|error| explain::explain(&error, source, &scanned.tokens, base))?;
    let span = crate::span::Span::new(base, base + source.len());
    let expr = pairs
        .next()
        .and_then(|top| top.into_inner().find(|pair| pair.as_rule() == Rule::expr))
        .ok_or_else(|| ParseError::Internal {
            message: "pest returned no embedded expression".into(),
            span,
        })?;
    build::Builder::new(base, source, &scanned.tokens).embedded(expr)
}

/// True when `source` cannot be complete yet: an open `(`, `[` or `{` without its closer
/// (outside strings and comments), or an unterminated string. The REPL uses it to ask
/// for another line.
pub fn is_incomplete(source: &str) -> bool {
    matches!(
        scan::scan(source, 0),
        Err(ParseError::UnclosedBracket { .. } | ParseError::UnterminatedString { .. })
    )
}
