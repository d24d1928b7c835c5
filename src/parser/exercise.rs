//! Sentences for pest's failures in exercise files (SPEC §8): what an exercise
//! statement expected where it stopped (`question` needs a name in quotes, then an
//! expression, then options), and a misspelt exercise keyword. Anything else is
//! explained as in a program (`explain`).

use pest::error::{Error, ErrorVariant, InputLocation};

use super::Rule;
use super::error::ParseError;
use super::scan::{Token, TokenKind};
use crate::span::Span;

/// The words that start an exercise file's own statements.
pub const EXERCISE_KEYWORDS: &[&str] = &["exercise", "setup", "reference", "forbid", "question", "require"];

/// What to write, for each exercise statement.
fn example(keyword: &str) -> &'static str {
    match keyword {
        "exercise" => "exercise \"Backprop by hand\"",
        "setup" => "setup { a = 2.0; b = -3.0; L = a*b }",
        "reference" => "reference { backward L }",
        "forbid" => "forbid grad, backward, check, explain, derivative",
        "question" => "question \"dL/da\" a.grad points=2",
        _ => "require \"the loss is below 0.01\" loss.data < 0.01 points=3",
    }
}

pub(crate) fn explain(error: &Error<Rule>, source: &str, tokens: &[Token], base: usize) -> ParseError {
    specific(error, source, tokens, base).unwrap_or_else(|| super::explain::explain(error, source, tokens, base))
}

fn specific(error: &Error<Rule>, source: &str, tokens: &[Token], base: usize) -> Option<ParseError> {
    let pos = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((start, _)) => start,
    };
    let ErrorVariant::ParsingError { positives, .. } = &error.variant else {
        return None;
    };
    let text = |token: &Token| &source[token.start..token.end];
    let found = tokens.iter().position(|t| t.end > pos).unwrap_or(tokens.len());
    // The statement the failure is in: from the last separator outside brackets.
    let mut depth = 0usize;
    let mut start = 0;
    for (k, token) in tokens[..found].iter().enumerate().rev() {
        match token.kind {
            TokenKind::Close => depth += 1,
            TokenKind::Open if depth > 0 => depth -= 1,
            TokenKind::Newline | TokenKind::Semicolon if depth == 0 => {
                start = k + 1;
                break;
            }
            _ => {}
        }
    }
    let statement = &tokens[start..found];
    let first = statement.first()?;
    let keyword = text(first);
    let found_token = tokens.get(found);
    let span = match found_token {
        Some(t) if t.kind != TokenKind::Newline => Span::new(base + t.start, base + t.end),
        Some(t) => Span::new(base + t.start, base + t.start),
        None => Span::new(base + pos, base + pos),
    };
    let found_text = match found_token {
        None => "the end of the file".to_string(),
        Some(t) if t.kind == TokenKind::Newline => "the end of the line".to_string(),
        Some(t) if t.kind == TokenKind::Str => "a string".to_string(),
        Some(t) => format!("'{}'", text(t)),
    };
    let expected = |what: &str, help: String| {
        Some(ParseError::Expected {
            expected: what.to_string(),
            found: found_text.clone(),
            help: Some(help),
            span,
        })
    };
    let expects = |rule: Rule| positives.contains(&rule);
    let previous = statement.last().map(text).unwrap_or("");

    if first.kind == TokenKind::Name && !EXERCISE_KEYWORDS.contains(&keyword) && statement.len() == 1 {
        // `questoin "q" x`: a misspelt exercise keyword.
        if let Some(suggestion) = crate::suggest::closest(keyword, EXERCISE_KEYWORDS.iter().copied()) {
            return Some(ParseError::UnknownCommand {
                word: keyword.to_string(),
                suggestion: suggestion.to_string(),
                span: Span::new(base + first.start, base + first.end),
            });
        }
    }
    match keyword {
        "exercise" if statement.len() == 1 && expects(Rule::string) => expected(
            "the exercise's title in quotes after 'exercise'",
            format!("write {}", example(keyword)),
        ),
        "setup" | "reference" if statement.len() == 1 && expects(Rule::block) => expected(
            &format!("'{{' after '{keyword}'"),
            format!("write {}, with the '{{' on the same line", example(keyword)),
        ),
        "forbid" if expects(Rule::attr_name) => expected(
            "the name of a command or builtin to forbid",
            format!("write {}", example(keyword)),
        ),
        "question" | "require" => {
            let what = if keyword == "question" {
                "question"
            } else {
                "requirement"
            };
            if statement.len() == 1 && expects(Rule::string) {
                return expected(
                    &format!("the {what}'s name in quotes after '{keyword}'"),
                    format!("write {}", example(keyword)),
                );
            }
            if statement.len() == 2 && statement[1].kind == TokenKind::Str && expects(Rule::expr) {
                let thing = if keyword == "question" {
                    "the expression to grade"
                } else {
                    "the condition to check"
                };
                return expected(
                    &format!("{thing} after the {what}'s name"),
                    format!("write {}", example(keyword)),
                );
            }
            if expects(Rule::arith) && previous == "=" {
                let option = statement.iter().rev().nth(1).map(text).unwrap_or("points");
                return expected(
                    &format!("a number after '{option}='"),
                    "options are written points=2, tol=1e-6, rtol=1e-6 or hidden".to_string(),
                );
            }
            // After the expression, pest tried an option's name (`attr_name`) and found none.
            let option_expected = expects(Rule::grading_option) || (expects(Rule::attr_name) && previous != ".");
            if option_expected && !expects(Rule::expr) && !expects(Rule::arith) {
                let points = if keyword == "question" { ", 'for x in …'" } else { "" };
                return expected(
                    &format!("an option{points} or the end of the line"),
                    format!(
                        "options are written points=2, tol=1e-6, rtol=1e-6 or hidden, e.g. {}",
                        example(keyword)
                    ),
                );
            }
            None
        }
        _ => None,
    }
}
