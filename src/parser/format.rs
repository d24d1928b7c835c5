//! f-strings: `f"loss {loss.data:.4f} at step {k}"`.
//!
//! The scanner takes a whole f-string as one string token; here its body is cut into
//! text and `{expr}` / `{expr:spec}` parts. Each expression is parsed on its own with
//! its place in the source as the base of its spans, and each specification is read
//! here, so a mistake inside the string is reported at its own column.

use super::error::ParseError;
use crate::ast::{Align, Expr, FormatKind, FormatPart, FormatSpec};
use crate::span::Span;

/// The widest field and the most digits a specification may ask for.
const MAX_WIDTH: usize = 1000;
const MAX_PRECISION: usize = 100;

/// The parts of an f-string whose body (between the quotes, escapes unresolved) starts
/// at `start` in the session's address space, and the depth of its deepest expression.
/// `parse_expr` parses one embedded expression given its text and where it starts.
pub(super) fn parts(
    body: &str,
    start: usize,
    mut parse_expr: impl FnMut(&str, usize) -> Result<(Expr, usize), ParseError>,
) -> Result<(Vec<FormatPart>, usize), ParseError> {
    let span = |from: usize, to: usize| Span::new(start + from, start + to);
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut depth = 0;
    let mut i = 0;
    while let Some(c) = body[i..].chars().next() {
        let next = body[i + c.len_utf8()..].chars().next();
        match (c, next) {
            ('\\', Some(escaped)) => {
                text.push(match escaped {
                    'n' => '\n',
                    't' => '\t',
                    other => other,
                });
                i += 1 + escaped.len_utf8();
            }
            ('{', Some('{')) | ('}', Some('}')) => {
                text.push(c);
                i += 2;
            }
            ('}', _) => {
                return Err(invalid(
                    "a single '}' in an f-string",
                    Some("write '}}' for the character '}' itself"),
                    span(i, i + 1),
                ));
            }
            ('{', _) => {
                let close = closing_brace(body, i).ok_or_else(|| {
                    invalid(
                        "this '{' in the f-string is never closed",
                        Some("end the value with '}', or write '{{' for the character '{' itself"),
                        span(i, i + 1),
                    )
                })?;
                let inside = &body[i + 1..close];
                let (expr_text, spec_text) = match inside.find(':') {
                    Some(colon) => (&inside[..colon], Some((&inside[colon + 1..], i + 2 + colon))),
                    None => (inside, None),
                };
                if expr_text.trim().is_empty() {
                    return Err(invalid(
                        "an f-string's '{…}' needs a value inside",
                        Some(
                            "put an expression between the braces, e.g. f\"x is {x}\"; for a brace itself, write '{{'",
                        ),
                        span(i, close + 1),
                    ));
                }
                if let Some(k) = expr_text.find(['\\', '"']) {
                    return Err(invalid(
                        "an f-string's '{…}' cannot contain a quote or a backslash",
                        Some("bind the text to a name first: s = \"…\"; then write {s} in the f-string"),
                        span(i + 1 + k, i + 2 + k),
                    ));
                }
                // `{x=}` shows the expression's text too, as written, as in Python: "x=2".
                let (expr_text, label) = match expr_text.trim_end().strip_suffix('=') {
                    Some(before) if !before.ends_with(['=', '!', '<', '>', '~']) => (before, Some(expr_text)),
                    _ => (expr_text, None),
                };
                if let Some(label) = label {
                    text.push_str(label);
                }
                if !text.is_empty() {
                    parts.push(FormatPart::Text(std::mem::take(&mut text)));
                }
                let (expr, expr_depth) = parse_expr(expr_text, start + i + 1)?;
                depth = depth.max(expr_depth);
                let spec = match spec_text {
                    Some((spec, at)) => Some(spec_of(spec, span(at, at + spec.len()))?),
                    None => None,
                };
                parts.push(FormatPart::Value { expr, spec });
                i = close + 1;
            }
            _ => {
                text.push(c);
                i += c.len_utf8();
            }
        }
    }
    if !text.is_empty() || parts.is_empty() {
        parts.push(FormatPart::Text(text));
    }
    Ok((parts, depth))
}

/// The offset of the `}` that closes the `{` at `open` (brackets inside are skipped).
fn closing_brace(body: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, c) in body[open + 1..].char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            '{' => return None,
            '}' if depth == 0 => return Some(open + 1 + k),
            _ => {}
        }
    }
    None
}

fn invalid(message: &str, help: Option<&str>, span: Span) -> ParseError {
    ParseError::InvalidFormat {
        message: message.to_string(),
        help: help.map(str::to_string),
        span,
    }
}

/// Reads `[[fill]align][sign][0][width][.precision][type]`; `span` covers `text`.
fn spec_of(text: &str, span: Span) -> Result<FormatSpec, ParseError> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |k: usize| chars.get(k).map(|(_, c)| *c);
    let offset = |k: usize| chars.get(k).map_or(text.len(), |(o, _)| *o);
    let char_span = |k: usize| {
        let from = offset(k);
        let to = from + at(k).map_or(0, char::len_utf8);
        Span::new(span.start + from, span.start + to)
    };
    let align_of = |c: Option<char>| match c {
        Some('<') => Some(Align::Left),
        Some('>') => Some(Align::Right),
        Some('^') => Some(Align::Center),
        _ => None,
    };
    let mut spec = FormatSpec {
        fill: ' ',
        align: None,
        sign: None,
        zero_pad: false,
        width: 0,
        precision: None,
        kind: None,
        text: text.to_string(),
        span,
    };
    let mut k = 0;
    if let (Some(fill), Some(align)) = (at(0), align_of(at(1))) {
        (spec.fill, spec.align, k) = (fill, Some(align), 2);
    } else if let Some(align) = align_of(at(0)) {
        (spec.align, k) = (Some(align), 1);
    }
    if let Some(sign @ ('+' | '-' | ' ')) = at(k) {
        spec.sign = Some(sign);
        k += 1;
    }
    if at(k) == Some('0') {
        spec.zero_pad = true;
        k += 1;
    }
    let digits = |k: &mut usize| {
        let from = *k;
        while at(*k).is_some_and(|c| c.is_ascii_digit()) {
            *k += 1;
        }
        text[offset(from)..offset(*k)].parse::<usize>().ok()
    };
    let width_at = k;
    if let Some(width) = digits(&mut k) {
        if width > MAX_WIDTH {
            return Err(invalid(
                &format!("a width of {width} is too wide (at most {MAX_WIDTH})"),
                None,
                char_span(width_at),
            ));
        }
        spec.width = width;
    }
    if at(k) == Some('.') {
        let dot = k;
        k += 1;
        match digits(&mut k) {
            Some(precision) if precision <= MAX_PRECISION => spec.precision = Some(precision),
            Some(precision) => {
                return Err(invalid(
                    &format!("a precision of {precision} is too many digits (at most {MAX_PRECISION})"),
                    None,
                    char_span(dot + 1),
                ));
            }
            None => {
                return Err(invalid(
                    "expected the number of digits after '.' in the format",
                    Some("for example {x:.4f} shows 4 decimals"),
                    char_span(dot),
                ));
            }
        }
    }
    let kind_at = k;
    spec.kind = match at(k) {
        None => None,
        Some('f' | 'F') => Some(FormatKind::Fixed),
        Some('e' | 'E') => Some(FormatKind::Exponent),
        Some('g' | 'G') => Some(FormatKind::General),
        Some('%') => Some(FormatKind::Percent),
        Some('d') => Some(FormatKind::Whole),
        Some(other) => {
            return Err(invalid(
                &format!("unknown format '{other}' in '{{…:{text}}}'"),
                Some(FORMAT_HELP),
                char_span(k),
            ));
        }
    };
    if spec.kind.is_some() {
        k += 1;
    }
    if at(k).is_some() {
        return Err(invalid(
            &format!("unexpected '{}' in the format '{text}'", &text[offset(k)..]),
            Some(FORMAT_HELP),
            Span::new(span.start + offset(k), span.end),
        ));
    }
    match (spec.precision, spec.kind) {
        (Some(precision), None) => Err(invalid(
            &format!("the precision '.{precision}' needs a type letter after it"),
            Some(&format!(
                "write .{precision}f for {precision} decimals, .{precision}e for scientific notation, or .{precision}g for {precision} significant digits"
            )),
            char_span(kind_at.saturating_sub(1)),
        )),
        (Some(_), Some(FormatKind::Whole)) => Err(invalid(
            "a whole number ('d') has no decimals to choose",
            Some("drop the '.N', or write .Nf for N decimals"),
            char_span(kind_at),
        )),
        _ => Ok(spec),
    }
}

const FORMAT_HELP: &str = "a format is [[fill]align][sign][0][width][.precision][type], as in Python: \
{x:.4f} (4 decimals), {x:.3e} (scientific), {x:.3g} (3 significant digits), {x:.1%}, {k:d}, {s:>10}";

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> Result<FormatSpec, ParseError> {
        spec_of(text, Span::new(100, 100 + text.len()))
    }

    #[test]
    fn specifications_as_in_python() {
        let s = spec("*^+010.3f").unwrap();
        assert_eq!(
            (s.fill, s.align, s.sign, s.zero_pad, s.width, s.precision, s.kind),
            (
                '*',
                Some(Align::Center),
                Some('+'),
                true,
                10,
                Some(3),
                Some(FormatKind::Fixed)
            )
        );
        let s = spec(">8").unwrap();
        assert_eq!((s.align, s.width, s.kind), (Some(Align::Right), 8, None));
        assert_eq!(spec("d").unwrap().kind, Some(FormatKind::Whole));
        assert_eq!(spec("").unwrap().kind, None);
    }

    #[test]
    fn mistakes_point_at_their_character() {
        let span_of = |text: &str| spec(text).unwrap_err().span();
        assert_eq!(span_of(".4q"), Span::new(102, 103));
        assert_eq!(span_of(".4"), Span::new(101, 102));
        assert_eq!(span_of(".f"), Span::new(100, 101));
        assert_eq!(span_of(".4fx"), Span::new(103, 104));
        assert_eq!(span_of("5000"), Span::new(100, 101));
    }
}
