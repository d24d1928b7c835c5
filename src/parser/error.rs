//! The errors of the parser: one variant per kind of mistake, each with the [`Span`]
//! of the offending token and, where a fix is clear, a help line.

use crate::span::Span;

/// A syntax error. `Display` gives the message; [`ParseError::help`] the suggested fix.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ParseError {
    /// A byte that is not UTF-8 text, outside a comment (see `parser::decode`).
    #[error("byte 0x{byte:02X} is not UTF-8 text{}", latin1_reading(*byte))]
    NotUtf8 { byte: u8, span: Span },

    /// A character that starts no token, such as `@` or `!` alone.
    #[error("unexpected character '{found}'")]
    UnexpectedCharacter { found: char, span: Span },

    /// A `"` without its closing `"`.
    #[error("the string is never closed")]
    UnterminatedString { span: Span },

    /// An escape other than `\"`, `\\`, `\n`, `\t`.
    #[error("unknown escape '{escape}' in string; write '\\\\' for a backslash")]
    UnknownEscape { escape: String, span: Span },

    /// `12.`
    #[error("a number cannot end with '.'; write '{whole}' or '{whole}.0'")]
    NumberEndsWithDot { whole: String, span: Span },

    /// `1e` or `1e+`
    #[error("the exponent of the number '{text}' has no digits")]
    ExponentWithoutDigits { text: String, span: Span },

    /// `2x`
    #[error("a number cannot be followed directly by a name, as in '{text}'")]
    NumberFollowedByName {
        number: String,
        name: String,
        text: String,
        span: Span,
    },

    /// A literal too large for an `f64`, such as `1e999`.
    #[error("the number '{text}' is too large")]
    NumberTooLarge { text: String, span: Span },

    /// A closing bracket with nothing open.
    #[error("unexpected '{found}'")]
    UnexpectedCloser { found: char, span: Span },

    /// A closing bracket of the wrong kind: `(a]`.
    #[error("expected '{expected}' to close the '{opener}' at line {line}, column {column}, but found '{found}'")]
    MismatchedCloser {
        opener: char,
        expected: char,
        found: char,
        line: usize,
        column: usize,
        opener_span: Span,
        span: Span,
    },

    /// An opening bracket without its closer.
    #[error("this '{opener}' is never closed")]
    UnclosedBracket { opener: char, span: Span },

    /// Brackets nested deeper than [`super::MAX_NESTING`].
    #[error("brackets are nested too deeply (more than {limit} levels)")]
    NestingTooDeep { limit: usize, span: Span },

    /// A run of prefix operators or a chain of `**` longer than [`super::MAX_NESTING`].
    #[error("too many operators in a row (more than {limit} prefix operators or '**')")]
    OperatorChainTooLong { limit: usize, span: Span },

    /// A syntax tree deeper than [`super::MAX_DEPTH`], such as a 100,000-term sum.
    #[error("this expression is too long or too deeply nested (more than {limit} levels)")]
    TooDeep { limit: usize, span: Span },

    /// A chain `a + b + c + …` longer than [`super::MAX_CHAIN`] operators.
    #[error("this chain of operations is too long (more than {limit} operators in a row)")]
    ChainTooLong { limit: usize, span: Span },

    /// A keyword where a name is needed: `grad = 2`.
    #[error("'{keyword}' is a keyword and cannot be used as a name; try '{keyword}_'")]
    KeywordAsName { keyword: String, span: Span },

    /// An assignment to something that cannot be assigned: `3 = a`, `f(x) = 1`.
    #[error("cannot assign to {what}")]
    InvalidAssignTarget {
        what: &'static str,
        help: Option<String>,
        span: Span,
    },

    /// `break` or `continue` outside a loop (or in a function, outside a loop of that function).
    #[error("'{keyword}' can only be used inside a 'for' or 'while' loop")]
    OutsideLoop {
        keyword: &'static str,
        in_function: bool,
        span: Span,
    },

    /// `fn f(x=1) = …`: mg has no default values.
    #[error("the parameter '{param}' cannot have a default value")]
    DefaultParameter {
        param: String,
        /// The definition without defaults: `fn f(x)`.
        signature: String,
        /// A call giving the value: `f(x=1)`.
        call: String,
        span: Span,
    },

    /// `fn f(x, x) = …`
    #[error("the parameter '{param}' is named twice in '{function}'")]
    DuplicateParameter {
        param: String,
        function: String,
        span: Span,
    },

    /// `grda x`: a word that is not a command, followed by an operand.
    #[error("unknown command '{word}' — did you mean '{suggestion}'?")]
    UnknownCommand {
        word: String,
        suggestion: String,
        span: Span,
    },

    /// `(a*3).grad = 5`: an attribute of a node made by the expression itself, which
    /// nothing keeps, so the assignment could have no effect.
    #[error(
        "cannot set '.{attribute}' of '{object}': it is a new node that nothing keeps, so the change would be lost"
    )]
    AttributeOfTemporary {
        attribute: String,
        object: String,
        /// The assignment rewritten with a name: `t = a*3; t.grad = 5`.
        fix: String,
        span: Span,
    },

    /// A mistake in an f-string's braces or format: `f"{x"`, `f"{x:.4q}"`.
    #[error("{message}")]
    InvalidFormat {
        message: String,
        help: Option<String>,
        span: Span,
    },

    /// `a < b < c`
    #[error("comparisons cannot be chained")]
    ChainedComparison { suggestion: String, span: Span },

    /// `a..b..c`
    #[error("ranges cannot be chained")]
    ChainedRange { span: Span },

    /// Something other than what the grammar allows here.
    #[error("expected {expected}, found {found}")]
    Expected {
        expected: String,
        found: String,
        help: Option<String>,
        span: Span,
    },

    /// A token that cannot appear here at all.
    #[error("unexpected {found}")]
    Unexpected {
        found: String,
        help: Option<String>,
        span: Span,
    },

    /// The parser ran out of its resource limits (pest's stack or call guard).
    #[error("this program is too deeply nested to parse")]
    TooComplex { span: Span },

    /// A broken invariant of the grammar: a bug in mgrad, not in the program.
    #[error("internal parser error: {message}")]
    Internal { message: String, span: Span },
}

impl ParseError {
    /// Where the error is, in the session's address space.
    pub fn span(&self) -> Span {
        use ParseError::*;
        match self {
            UnexpectedCharacter { span, .. }
            | NotUtf8 { span, .. }
            | UnterminatedString { span }
            | UnknownEscape { span, .. }
            | NumberEndsWithDot { span, .. }
            | ExponentWithoutDigits { span, .. }
            | NumberFollowedByName { span, .. }
            | NumberTooLarge { span, .. }
            | UnexpectedCloser { span, .. }
            | MismatchedCloser { span, .. }
            | UnclosedBracket { span, .. }
            | NestingTooDeep { span, .. }
            | OperatorChainTooLong { span, .. }
            | TooDeep { span, .. }
            | ChainTooLong { span, .. }
            | KeywordAsName { span, .. }
            | InvalidAssignTarget { span, .. }
            | OutsideLoop { span, .. }
            | InvalidFormat { span, .. }
            | DefaultParameter { span, .. }
            | DuplicateParameter { span, .. }
            | UnknownCommand { span, .. }
            | AttributeOfTemporary { span, .. }
            | ChainedComparison { span, .. }
            | ChainedRange { span }
            | Expected { span, .. }
            | Unexpected { span, .. }
            | TooComplex { span }
            | Internal { span, .. } => *span,
        }
    }

    /// A suggested fix, when one is clear.
    pub fn help(&self) -> Option<String> {
        use ParseError::*;
        match self {
            UnexpectedCharacter { found, .. } => match found {
                '!' => Some("write 'not x' for negation, or 'a != b' for 'not equal'".into()),
                '~' => Some("'a ~= b' tests whether two numbers are approximately equal".into()),
                '&' => Some("write 'and' for a logical and".into()),
                '|' => Some("write 'or' for a logical or".into()),
                '\'' => Some("strings are written with double quotes: \"text\"".into()),
                '\u{fffd}' => Some(NOT_UTF8_HELP.into()),
                _ => None,
            },
            NotUtf8 { .. } => Some(NOT_UTF8_HELP.into()),
            UnterminatedString { .. } => Some("add a '\"' where the string should end".into()),
            UnknownEscape { .. } => Some("the escapes in a string are \\\", \\\\, \\n and \\t".into()),
            NumberEndsWithDot { .. } => None,
            ExponentWithoutDigits { text, .. } => Some(format!(
                "write the exponent's digits, as in '{}3'",
                text.trim_end_matches(['+', '-'])
            )),
            NumberFollowedByName { number, name, .. } => Some(format!(
                "write '{number}*{name}' for a product, or put a space between them"
            )),
            NumberTooLarge { .. } => Some("the largest number is about 1.8e308".into()),
            UnexpectedCloser { found, .. } => Some(format!("there is no open bracket for this '{found}' to close")),
            MismatchedCloser { expected, .. } => Some(format!(
                "add a '{expected}' before this bracket, or remove the extra one"
            )),
            UnclosedBracket { opener, .. } => Some(format!("add a '{}' where it should end", closer_of(*opener))),
            NestingTooDeep { .. } | OperatorChainTooLong { .. } | TooDeep { .. } | TooComplex { .. } => {
                Some("split it into smaller statements with intermediate names".into())
            }
            ChainTooLong { .. } => Some(
                "add the terms in parts (s1 = …; s2 = …; s = s1 + s2), or put them in a list and use sum(xs)".into(),
            ),
            KeywordAsName { .. } => None,
            InvalidAssignTarget { help, .. } => help.clone(),
            OutsideLoop { in_function: true, .. } => Some(
                "inside a function, it must be in a loop of that function; to leave the function, use 'return'".into(),
            ),
            OutsideLoop { keyword, .. } => Some(format!(
                "put it in the body of a loop, e.g. while true {{ if done {{ {keyword} }} … }}"
            )),
            DefaultParameter {
                param, signature, call, ..
            } => Some(format!(
                "mg has no default values: write '{signature}' and give '{param}' in each call, e.g. {call}"
            )),
            DuplicateParameter { function, .. } => Some(format!(
                "give each parameter of '{function}' its own name; a call fills them in order"
            )),
            UnknownCommand { suggestion, .. } => Some(format!("write '{suggestion} …'")),
            AttributeOfTemporary { fix, .. } => Some(format!("name the node first: {fix}")),
            ChainedComparison { suggestion, .. } => Some(format!("write '{suggestion}'")),
            ChainedRange { .. } => Some("a range is written 'start..end'".into()),
            Expected { help, .. } | Unexpected { help, .. } | InvalidFormat { help, .. } => help.clone(),
            Internal { .. } => Some("this is a bug in mgrad; please report it".into()),
        }
    }
}

const NOT_UTF8_HELP: &str = "mg reads UTF-8 text: save the file as UTF-8 (in a comment, such a byte is let through)";

/// `" (in Latin-1, 'é')"` for a byte that is a printable Latin-1 character.
fn latin1_reading(byte: u8) -> String {
    if byte >= 0xA0 {
        format!(" (in Latin-1, '{}')", char::from(byte))
    } else {
        String::new()
    }
}

/// The closing bracket of an opening one.
pub(crate) fn closer_of(opener: char) -> char {
    match opener {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}
