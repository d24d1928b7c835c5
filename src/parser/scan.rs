//! A cheap lexical pre-scan, run before pest.
//!
//! It lexes the source once (skipping strings and comments) and:
//! - reports lexical mistakes with precise spans (bad characters, unterminated strings,
//!   unknown escapes, `12.`, `2x`);
//! - checks that brackets balance, and bounds their nesting by [`MAX_NESTING`];
//! - bounds runs of prefix operators and chains of `**` by [`MAX_NESTING`], because the
//!   Pratt parser recurses on them;
//! - blanks out (with spaces, so offsets do not move) every newline and comment inside
//!   `( )` and `[ ]`, where newlines are insignificant.
//!
//! Architecture Invariant: after a successful scan, pest's recursion depth is bounded by
//! a constant times [`MAX_NESTING`], so no input can overflow the stack.
//!
//! Offsets here are local to the source; `base` is added when making spans.

use super::MAX_NESTING;
use super::error::{ParseError, closer_of};
use crate::ast::KEYWORDS;
use crate::span::{LineIndex, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Number,
    Name,
    Str,
    Op,
    Open,
    Close,
    Newline,
    Semicolon,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

/// The result of a successful scan.
pub(crate) struct Scan {
    /// The significant tokens (newlines inside `( )`/`[ ]` and comments left out).
    pub tokens: Vec<Token>,
    /// The source with newlines and comments inside `( )`/`[ ]` replaced by spaces.
    pub text: String,
}

/// One open bracket, with the operator-chain counter of its level.
struct Open {
    bracket: u8,
    start: usize,
    /// The chain count inherited from the enclosing level.
    chain_base: usize,
    /// The current chain count at this level.
    chain: usize,
}

/// Whether `c` can start a name: a letter of any script, or `_` (as the grammar's `ident_start`).
pub(crate) fn is_ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

/// Whether `c` can continue a name: also digits and other numerals (the grammar's `ident_char`).
pub(crate) fn is_ident_char(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// The length in bytes of the name characters that start `text` (0 if none).
fn ident_len(text: &str) -> usize {
    text.find(|c: char| !is_ident_char(c)).unwrap_or(text.len())
}

/// Whether the text at `offset` starts with a character that continues a name.
fn ident_char_at(source: &str, offset: usize) -> bool {
    source
        .get(offset..)
        .and_then(|rest| rest.chars().next())
        .is_some_and(is_ident_char)
}

/// The byte-order mark some editors put at the start of a UTF-8 file.
pub(crate) const BOM: char = '\u{feff}';

pub(crate) fn scan(source: &str, base: usize) -> Result<Scan, ParseError> {
    let bytes = source.as_bytes();
    let mut text = bytes.to_vec();
    let mut tokens: Vec<Token> = Vec::new();
    // The outermost level is a pseudo-bracket that never closes.
    let mut stack: Vec<Open> = vec![Open {
        bracket: b'{',
        start: 0,
        chain_base: 0,
        chain: 0,
    }];
    let span = |start: usize, end: usize| Span::new(base + start, base + end);
    // A byte-order mark at the start is not text: blank it out (as spaces, so offsets stay).
    let mut i = 0;
    if source.starts_with(BOM) {
        i = BOM.len_utf8();
        text[..i].fill(b' ');
    }
    while i < bytes.len() {
        let b = bytes[i];
        let in_parens = stack.last().is_some_and(|o| o.bracket != b'{');
        match b {
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'\n' => {
                if in_parens {
                    text[i] = b' ';
                } else {
                    push(&mut tokens, &mut stack, source, TokenKind::Newline, i, i + 1, base)?;
                }
                i += 1;
                continue;
            }
            b'#' => {
                let end = bytes[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(bytes.len(), |n| i + n);
                if in_parens {
                    text[i..end].fill(b' ');
                }
                i = end;
                continue;
            }
            _ => {}
        }
        let start = i;
        let kind = match b {
            b'"' => {
                i = scan_string(source, i, base)?;
                TokenKind::Str
            }
            b'0'..=b'9' => {
                i = scan_number(source, i, base)?;
                TokenKind::Number
            }
            b'.' if bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
                && !tokens.last().is_some_and(|t| ends_operand(source, t)) =>
            {
                i = scan_number(source, i, base)?;
                TokenKind::Number
            }
            // `f"…"`: an f-string is one string token (its `{…}` are read when building the
            // tree). A name is scanned whole, so `ff"x"` is still a name and a string.
            b'f' if bytes.get(i + 1) == Some(&b'"') => {
                i = scan_string(source, i + 1, base)?;
                TokenKind::Str
            }
            _ if source[i..].chars().next().is_some_and(is_ident_start) => {
                i += ident_len(&source[i..]);
                TokenKind::Name
            }
            b'(' | b'[' | b'{' => {
                if stack.len() > MAX_NESTING {
                    return Err(ParseError::NestingTooDeep {
                        limit: MAX_NESTING,
                        span: span(i, i + 1),
                    });
                }
                i += 1;
                TokenKind::Open
            }
            b')' | b']' | b'}' => {
                i += 1;
                TokenKind::Close
            }
            b';' => {
                i += 1;
                TokenKind::Semicolon
            }
            _ => {
                let two = bytes.get(i..i + 2).unwrap_or(&[]);
                const TWO: [&[u8]; 11] = [
                    b"**", b"==", b"!=", b"<=", b">=", b"~=", b"..", b"+=", b"-=", b"*=", b"/=",
                ];
                if TWO.contains(&two) {
                    i += 2;
                } else if b"+-*/%^<>=,.".contains(&b) {
                    i += 1;
                } else {
                    let found = source[i..].chars().next().unwrap_or('\u{fffd}');
                    return Err(ParseError::UnexpectedCharacter {
                        found,
                        span: span(i, i + found.len_utf8()),
                    });
                }
                TokenKind::Op
            }
        };
        push(&mut tokens, &mut stack, source, kind, start, i, base)?;
    }
    if stack.len() > 1 {
        let open = &stack[stack.len() - 1];
        return Err(ParseError::UnclosedBracket {
            opener: char::from(open.bracket),
            span: span(open.start, open.start + 1),
        });
    }
    let text = String::from_utf8(text).map_err(|_| ParseError::Internal {
        message: "blanking produced invalid UTF-8".into(),
        span: span(0, 0),
    })?;
    Ok(Scan { tokens, text })
}

/// Records a token: tracks brackets and the prefix/`**` chain of the current level.
fn push(
    tokens: &mut Vec<Token>,
    stack: &mut Vec<Open>,
    source: &str,
    kind: TokenKind,
    start: usize,
    end: usize,
    base: usize,
) -> Result<(), ParseError> {
    let span = Span::new(base + start, base + end);
    let text = &source[start..end];
    let prefix_position = !tokens.last().is_some_and(|t| ends_operand(source, t));
    match kind {
        TokenKind::Open => {
            let bracket = source.as_bytes()[start];
            // Prefix and `**` chains continue into `( )` and `[ ]` (the Pratt parser
            // recurses through them), but a `{ }` block starts afresh.
            let chain = match stack.last() {
                Some(top) if bracket != b'{' => top.chain,
                _ => 0,
            };
            stack.push(Open {
                bracket,
                start,
                chain_base: chain,
                chain,
            });
        }
        TokenKind::Close => {
            let found = char::from(source.as_bytes()[start]);
            if stack.len() <= 1 {
                return Err(ParseError::UnexpectedCloser { found, span });
            }
            let open = &stack[stack.len() - 1];
            let opener = char::from(open.bracket);
            if closer_of(opener) != found {
                let position = LineIndex::new(source).line_col(open.start);
                return Err(ParseError::MismatchedCloser {
                    opener,
                    expected: closer_of(opener),
                    found,
                    line: position.line,
                    column: position.column,
                    opener_span: Span::new(base + open.start, base + open.start + 1),
                    span,
                });
            }
            stack.pop();
        }
        _ => {
            let chains = match kind {
                TokenKind::Op => matches!(text, "**" | "^") || (prefix_position && matches!(text, "-" | "+")),
                TokenKind::Name => text == "not",
                _ => false,
            };
            let continues = chains
                || matches!(kind, TokenKind::Number | TokenKind::Str)
                || (kind == TokenKind::Name && !KEYWORDS.contains(&text))
                || (kind == TokenKind::Name && matches!(text, "true" | "false"))
                || text == ".";
            if let Some(top) = stack.last_mut() {
                if chains {
                    top.chain += 1;
                    if top.chain > MAX_NESTING {
                        return Err(ParseError::OperatorChainTooLong {
                            limit: MAX_NESTING,
                            span,
                        });
                    }
                } else if !continues {
                    top.chain = top.chain_base;
                }
            }
        }
    }
    tokens.push(Token { kind, start, end });
    Ok(())
}

/// Whether a token can end an operand, so that a following `-` is infix.
fn ends_operand(source: &str, token: &Token) -> bool {
    match token.kind {
        TokenKind::Number | TokenKind::Str | TokenKind::Close => true,
        TokenKind::Name => {
            let text = &source[token.start..token.end];
            !KEYWORDS.contains(&text) || matches!(text, "true" | "false")
        }
        _ => false,
    }
}

/// Scans a string starting at the `"` at `start`; returns the offset after its closing `"`.
fn scan_string(source: &str, start: usize, base: usize) -> Result<usize, ParseError> {
    let bytes = source.as_bytes();
    let unterminated = ParseError::UnterminatedString {
        span: Span::new(base + start, base + start + 1),
    };
    let mut i = start + 1;
    loop {
        match bytes.get(i) {
            None => return Err(unterminated),
            Some(b'"') => return Ok(i + 1),
            Some(b'\\') => {
                let Some(escaped) = source.get(i + 1..).and_then(|rest| rest.chars().next()) else {
                    return Err(unterminated);
                };
                if !matches!(escaped, '"' | '\\' | 'n' | 't') {
                    return Err(ParseError::UnknownEscape {
                        escape: format!("\\{escaped}"),
                        span: Span::new(base + i, base + i + 1 + escaped.len_utf8()),
                    });
                }
                i += 1 + escaped.len_utf8();
            }
            Some(_) => i += 1,
        }
    }
}

/// Scans a number starting at `start`; returns the offset after it.
fn scan_number(source: &str, start: usize, base: usize) -> Result<usize, ParseError> {
    let bytes = source.as_bytes();
    let span = |s: usize, e: usize| Span::new(base + s, base + e);
    let digits = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let mut i = digits(start);
    if bytes.get(i) == Some(&b'.') {
        match bytes.get(i + 1) {
            Some(c) if c.is_ascii_digit() => i = digits(i + 1),
            Some(b'.') => {}
            _ => {
                return Err(ParseError::NumberEndsWithDot {
                    whole: source[start..i].to_string(),
                    span: span(start, i + 1),
                });
            }
        }
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if bytes.get(j).is_some_and(u8::is_ascii_digit) {
            i = digits(j);
        } else if !ident_char_at(source, j) || j > i + 1 {
            return Err(ParseError::ExponentWithoutDigits {
                text: source[start..j].to_string(),
                span: span(start, j),
            });
        }
    }
    if ident_char_at(source, i) {
        let j = i + ident_len(&source[i..]);
        return Err(ParseError::NumberFollowedByName {
            number: source[start..i].to_string(),
            name: source[i..j].to_string(),
            text: source[start..j].to_string(),
            span: span(start, j),
        });
    }
    Ok(i)
}
