//! Turns a pest failure into a sentence.
//!
//! pest reports the furthest position it reached and the rules it tried there. That is
//! raw material ("expected EOI, add, sub, …"); the user wants to know what mg expected.
//! We decide from three things: the rules tried, the token found at that position, and
//! the tokens before it (the statement's keyword, the innermost open bracket).

use pest::error::{Error, ErrorVariant, InputLocation};

use super::Rule;
use super::error::{ParseError, closer_of};
use super::scan::{Token, TokenKind};
use crate::ast::KEYWORDS;
use crate::span::{LineIndex, Span};

/// Rules whose presence among pest's expectations means an operand could start here.
const OPERAND_RULES: &[Rule] = &[
    Rule::expr,
    Rule::arith,
    Rule::number,
    Rule::string,
    Rule::boolean,
    Rule::name,
    Rule::paren,
    Rule::bracket,
    Rule::not,
    Rule::neg,
    Rule::plus,
    Rule::assign_target,
    Rule::keyword,
];

struct Context<'a> {
    source: &'a str,
    tokens: &'a [Token],
    base: usize,
    /// Index of the first token that ends after the failure position, if any.
    found: Option<usize>,
    /// Where pest failed (local offset).
    pos: usize,
}

impl Context<'_> {
    fn text(&self, token: &Token) -> &str {
        &self.source[token.start..token.end]
    }

    fn found_token(&self) -> Option<&Token> {
        self.found.map(|i| &self.tokens[i])
    }

    fn found_span(&self) -> Span {
        match self.found_token() {
            // A newline is shown as a caret where the line ends, not as a span into the next line.
            Some(t) if t.kind == TokenKind::Newline => Span::new(self.base + t.start, self.base + t.start),
            Some(t) => Span::new(self.base + t.start, self.base + t.end),
            None => Span::new(self.base + self.pos, self.base + self.pos),
        }
    }

    fn found_description(&self) -> String {
        match self.found_token() {
            None => "the end of the input".into(),
            Some(t) => match t.kind {
                TokenKind::Newline => "the end of the line".into(),
                TokenKind::Str => "a string".into(),
                TokenKind::Name if is_keyword(self.text(t)) => {
                    format!("the keyword '{}'", self.text(t))
                }
                _ => format!("'{}'", self.text(t)),
            },
        }
    }

    /// The tokens before the failure position, nearest first.
    fn before(&self) -> impl Iterator<Item = &Token> {
        let end = self.found.unwrap_or(self.tokens.len());
        self.tokens[..end].iter().rev()
    }

    fn previous(&self) -> Option<&Token> {
        self.before().next()
    }

    /// The innermost bracket still open at the failure position.
    fn open_bracket(&self) -> Option<&Token> {
        let mut depth = 0usize;
        for t in self.before() {
            match t.kind {
                TokenKind::Close => depth += 1,
                TokenKind::Open if depth == 0 => return Some(t),
                TokenKind::Open => depth -= 1,
                _ => {}
            }
        }
        None
    }

    /// The keyword that opened the construct the failure is in (`for`, `if`, `fn`, a
    /// command, …): the first token of the current statement, or the nearest `for`,
    /// `while`, `if`, `else` or `fn` before the failure at the same bracket level.
    fn construct(&self) -> Option<&str> {
        let mut depth = 0usize;
        let mut first = None;
        for t in self.before() {
            match t.kind {
                TokenKind::Close => depth += 1,
                TokenKind::Open if depth == 0 => break,
                TokenKind::Open => depth -= 1,
                TokenKind::Newline | TokenKind::Semicolon if depth == 0 => break,
                TokenKind::Name if depth == 0 => {
                    let text = self.text(t);
                    if matches!(text, "for" | "while" | "if" | "else" | "fn") {
                        return Some(text);
                    }
                    first = Some(text);
                }
                _ if depth == 0 => first = None,
                _ => {}
            }
        }
        first.filter(|w| is_keyword(w))
    }
}

fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

fn starts_operand(kind: TokenKind, text: &str) -> bool {
    match kind {
        TokenKind::Number | TokenKind::Str => true,
        TokenKind::Name => !is_keyword(text) || matches!(text, "true" | "false" | "not"),
        TokenKind::Open => matches!(text, "(" | "["),
        TokenKind::Op => matches!(text, "-" | "+"),
        _ => false,
    }
}

/// Whether a keyword starts a statement that takes an argument (`grad L`, `while c`):
/// what a misspelt first word followed by an operand was likely meant to be.
fn starts_statement(keyword: &str) -> bool {
    !matches!(
        keyword,
        "in" | "else" | "and" | "or" | "not" | "true" | "false" | "break" | "continue"
    )
}

const COMMANDS: &[&str] = &[
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
    "seed",
];

pub(crate) fn explain(error: &Error<Rule>, source: &str, tokens: &[Token], base: usize) -> ParseError {
    let pos = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((start, _)) => start,
    };
    let positives: &[Rule] = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives,
        ErrorVariant::CustomError { .. } => {
            // pest's stack or call guard tripped.
            return ParseError::TooComplex {
                span: Span::new(base + pos, base + pos),
            };
        }
    };
    let found = tokens.iter().position(|t| t.end > pos);
    let cx = Context {
        source,
        tokens,
        base,
        found,
        pos,
    };
    let span = cx.found_span();
    let found_text = cx.found_token().map_or("", |t| cx.text(t));
    let found_kind = cx.found_token().map(|t| t.kind);
    let prev_text = cx.previous().map_or("", |t| cx.text(t));
    let expects = |rule: Rule| positives.contains(&rule);
    let expects_operand = OPERAND_RULES.iter().any(|r| expects(*r));
    let expected = |what: String, help: Option<String>| ParseError::Expected {
        expected: what,
        found: cx.found_description(),
        help,
        span,
    };

    // `else` with no `if` before it.
    if found_text == "else" && found_kind == Some(TokenKind::Name) {
        return ParseError::Unexpected {
            found: "'else'".into(),
            help: Some("'else' must follow the '}' of an 'if' block".into()),
            span,
        };
    }

    // A keyword where a name or an operand belongs: `x = grad + 1`, `fn for(x) = x`.
    let name_expected = expects_operand || expects(Rule::pattern_tuple) || expects(Rule::params);
    if found_kind == Some(TokenKind::Name)
        && is_keyword(found_text)
        && !matches!(found_text, "true" | "false" | "not")
        && name_expected
    {
        return ParseError::KeywordAsName {
            keyword: found_text.to_string(),
            span,
        };
    }

    // A statement that starts with a keyword which cannot start one: `else { … }`, `and x`.
    // (pest read the keyword as a would-be assignment target and then gave up.)
    let assign_ops = [
        Rule::assign,
        Rule::add_assign,
        Rule::sub_assign,
        Rule::mul_assign,
        Rule::div_assign,
    ];
    if !positives.is_empty()
        && positives.iter().all(|r| assign_ops.contains(r))
        && let Some(prev) = cx
            .previous()
            .filter(|t| t.kind == TokenKind::Name && is_keyword(cx.text(t)))
    {
        let keyword = cx.text(prev);
        let span = Span::new(base + prev.start, base + prev.end);
        let help = if keyword == "else" {
            "'else' must follow the '}' of an 'if' block".to_string()
        } else {
            format!("a statement cannot start with '{keyword}'")
        };
        let found = if keyword == "else" {
            "'else'".to_string()
        } else {
            format!("keyword '{keyword}'")
        };
        return ParseError::Unexpected {
            found,
            help: Some(help),
            span,
        };
    }

    // `zero_grad = 1`, `print = 2`: a command keyword that took no argument, then `=`.
    if matches!(found_text, "=" | "+=" | "-=" | "*=" | "/=")
        && let Some(prev) = cx.previous()
        && prev.kind == TokenKind::Name
        && is_keyword(cx.text(prev))
        && !matches!(cx.text(prev), "true" | "false")
    {
        return ParseError::KeywordAsName {
            keyword: cx.text(prev).to_string(),
            span: Span::new(base + prev.start, base + prev.end),
        };
    }

    // A block where no statement wants one.
    if found_text == "{" && !matches!(cx.previous().map(|t| t.kind), Some(TokenKind::Op | TokenKind::Open)) {
        return ParseError::Unexpected {
            found: "'{'".into(),
            help: Some("a block '{ … }' belongs after 'for …', 'if …', 'else' or 'fn …'".into()),
            span,
        };
    }

    let construct = cx.construct();

    if expects(Rule::block) || expects(Rule::fn_expr_body) || expects(Rule::else_if) {
        let at_block_start =
            !expects_operand || matches!(found_kind, None | Some(TokenKind::Newline | TokenKind::Semicolon));
        if at_block_start {
            match construct {
                Some("for") => {
                    return expected("'{' to start the loop body".into(), None);
                }
                Some("while") => {
                    return expected(
                        "'{' to start the loop body".into(),
                        Some("write 'while condition { … }'; the '{' must be on the same line".into()),
                    );
                }
                Some("if") => {
                    return expected(
                        "'{' to start the body of 'if'".into(),
                        Some("write 'if condition { … }'; the '{' must be on the same line".into()),
                    );
                }
                Some("else") => return expected("'{' or 'if' after 'else'".into(), None),
                Some("fn") => {
                    return expected(
                        "'=' or '{' after the parameters".into(),
                        Some("write 'fn f(x) = expr' or 'fn f(x) { … }'".into()),
                    );
                }
                _ => {}
            }
        }
    }

    if expects(Rule::kw_to) {
        return expected(
            "'to' and the end of the range".into(),
            Some("write 'plot f from -5 to 5'".into()),
        );
    }
    if expects(Rule::kw_in) {
        return expected(
            "'in' after the loop variable".into(),
            Some("write 'for x in xs', or 'for (a, b) in pairs'".into()),
        );
    }
    if expects(Rule::attr_name) && prev_text == "." {
        return expected(
            "an attribute name after '.'".into(),
            Some("for example 'x.grad' or 'x.data'".into()),
        );
    }
    if expects(Rule::string) && prev_text == ">" && !expects(Rule::name) {
        return expected(
            "a file path in quotes after '>'".into(),
            Some(
                "for example: dot L > \"graph.dot\"; to compare, put the comparison in parentheses: print (a > b)"
                    .into(),
            ),
        );
    }
    if prev_text == "fn" && expects(Rule::name) {
        return expected(
            "the function's name after 'fn'".into(),
            Some("write 'fn f(x) = …'".into()),
        );
    }
    if let Some(error) = params_open(&cx).and_then(|open| explain_params(&cx, open)) {
        return error;
    }
    if expects(Rule::params) {
        return expected(
            "'(' and the parameters after the function's name".into(),
            Some("write 'fn f(x) = …'".into()),
        );
    }
    if prev_text == "for" && (expects(Rule::name) || expects(Rule::pattern_tuple)) {
        return expected("a name or '(' for the loop variable after 'for'".into(), None);
    }
    if expects(Rule::assign) && construct == Some("check") && !expects_operand {
        return expected(
            "'=' after the option name".into(),
            Some("write options as 'eps=1e-4'".into()),
        );
    }

    let operand_here = found_kind.is_some_and(|k| starts_operand(k, found_text));
    if expects_operand && !operand_here {
        let what = match cx.previous() {
            Some(t) if !matches!(t.kind, TokenKind::Newline | TokenKind::Semicolon) => {
                format!("an expression after '{}'", cx.text(t))
            }
            _ => "an expression".to_string(),
        };
        // `1 * * 2`: two operators in a row.
        let help = match (cx.previous(), found_kind) {
            (Some(prev), Some(TokenKind::Op)) if prev.kind == TokenKind::Op && !matches!(found_text, "=" | ",") => {
                Some(if (cx.text(prev), found_text) == ("*", "*") {
                    "two operators in a row: remove one '*', or write '**' (no space) for a power".to_string()
                } else {
                    format!("two operators in a row: remove '{}' or '{found_text}'", cx.text(prev))
                })
            }
            _ => None,
        };
        return expected(what, help);
    }

    // Something complete came before: what follows cannot continue it.
    if let Some(open) = cx.open_bracket() {
        let opener = cx.text(open).chars().next().unwrap_or('(');
        if opener != '{' {
            let closer = closer_of(opener);
            let at = LineIndex::new(source).line_col(open.start);
            let help = Some(format!("the '{opener}' is at line {}, column {}", at.line, at.column));
            let is_call_or_list = opener == '['
                || tokens[..tokens.iter().position(|t| t == open).unwrap_or(0)]
                    .last()
                    .is_some_and(|t| matches!(t.kind, TokenKind::Name | TokenKind::Close));
            let what = if is_call_or_list {
                format!("',' or '{closer}'")
            } else {
                format!("'{closer}' to close the '{opener}'")
            };
            return expected(what, help);
        }
    }
    if let Some(command) = construct.filter(|c| COMMANDS.contains(c))
        && matches!(
            found_text,
            "==" | "!=" | "<" | "<=" | ">" | ">=" | "~=" | ".." | "and" | "or"
        )
    {
        return ParseError::Unexpected {
            found: format!("'{found_text}'"),
            help: Some(format!(
                "the arguments of '{command}' are arithmetic; put a comparison in parentheses: {command} (a {found_text} b)"
            )),
            span,
        };
    }
    match found_text {
        "=" => {
            return ParseError::Unexpected {
                found: "'='".into(),
                help: Some("to compare, write '=='; to assign, the target must come first: 'x = …'".into()),
                span,
            };
        }
        ")" | "]" | "}" => {
            return ParseError::Unexpected {
                found: format!("'{found_text}'"),
                help: None,
                span,
            };
        }
        _ => {}
    }
    if let Some(error) = unknown_command(&cx) {
        return error;
    }
    let help = match found_kind {
        Some(TokenKind::Name | TokenKind::Number | TokenKind::Str) => {
            Some("put an operator between the two, or a newline or ';' between two statements".to_string())
        }
        _ => None,
    };
    expected("an operator or the end of the statement".into(), help)
}

/// The index of the `(` of a function's parameters when the failure is in them:
/// `fn f(` before it.
fn params_open(cx: &Context<'_>) -> Option<usize> {
    let open = match cx.found {
        Some(i) if cx.text(&cx.tokens[i]) == "(" => i,
        _ => {
            let open = cx.open_bracket()?;
            cx.tokens.iter().position(|t| t == open)?
        }
    };
    let before = open.checked_sub(2).map(|i| &cx.tokens[i..open])?;
    (cx.text(&before[0]) == "fn" && before[1].kind == TokenKind::Name && cx.text(&cx.tokens[open]) == "(")
        .then_some(open)
}

/// A parameter list that failed to parse, `fn f(x=1)` or `fn f(1)`, read token by token
/// from its `(` to say what is wrong with it.
fn explain_params(cx: &Context<'_>, open: usize) -> Option<ParseError> {
    let function = cx.tokens[..open].last().map_or("f", |t| cx.text(t));
    let span_of = |t: &Token| Span::new(cx.base + t.start, cx.base + t.end);
    let mut names: Vec<&str> = Vec::new();
    let mut expecting_name = true;
    let mut i = open + 1;
    while let Some(token) = cx.tokens.get(i) {
        let text = cx.text(token);
        if expecting_name {
            if token.kind == TokenKind::Name && !is_keyword(text) {
                names.push(text);
                expecting_name = false;
            } else if token.kind == TokenKind::Name {
                return Some(ParseError::KeywordAsName {
                    keyword: text.to_string(),
                    span: span_of(token),
                });
            } else if text == ")" {
                return None;
            } else {
                return Some(ParseError::Expected {
                    expected: "a parameter name".into(),
                    found: format!("'{text}'"),
                    help: Some(format!("parameters are names, as in 'fn {function}(x, y) = …'")),
                    span: span_of(token),
                });
            }
        } else if text == "," {
            expecting_name = true;
        } else if text == "=" {
            let param = names.last().copied().unwrap_or("x");
            // The default's text runs to the next ',' or ')' outside brackets.
            let mut depth = 0usize;
            let value_end = cx.tokens[i + 1..]
                .iter()
                .position(|t| {
                    match t.kind {
                        TokenKind::Open => depth += 1,
                        TokenKind::Close if depth > 0 => depth -= 1,
                        _ => {}
                    }
                    depth == 0 && matches!(cx.text(t), "," | ")")
                })
                .map_or(cx.tokens.len(), |n| i + 1 + n);
            let value = match (cx.tokens.get(i + 1), cx.tokens.get(value_end.wrapping_sub(1))) {
                (Some(first), Some(last)) if value_end > i + 1 => &cx.source[first.start..last.end],
                _ => "1",
            };
            // The rest of the parameters, for the corrected definition.
            let mut rest = cx.tokens[value_end..]
                .iter()
                .take_while(|t| cx.text(t) != ")")
                .filter(|t| t.kind == TokenKind::Name)
                .map(|t| cx.text(t));
            let mut all: Vec<&str> = names.clone();
            all.extend(&mut rest);
            return Some(ParseError::DefaultParameter {
                param: param.to_string(),
                signature: format!("fn {function}({})", all.join(", ")),
                call: format!("{function}({param}={value})"),
                span: span_of(token),
            });
        } else if text == ")" {
            return None;
        } else {
            return Some(ParseError::Expected {
                expected: "',' or ')' after a parameter".into(),
                found: format!("'{text}'"),
                help: Some(format!(
                    "separate parameters with commas, as in 'fn {function}(x, y) = …'"
                )),
                span: span_of(token),
            });
        }
        i += 1;
    }
    None
}

/// `grda x`: a statement that is one word and then an operand, where the word is a
/// likely typo of a command or statement keyword.
fn unknown_command(cx: &Context<'_>) -> Option<ParseError> {
    let found = cx.found_token()?;
    if !starts_operand(found.kind, cx.text(found)) || matches!(cx.text(found), "-" | "+" | "(" | "[") {
        return None;
    }
    let mut before = cx.before();
    let word = before.next().filter(|t| t.kind == TokenKind::Name)?;
    if !before
        .next()
        .is_none_or(|t| matches!(t.kind, TokenKind::Newline | TokenKind::Semicolon))
        || cx.open_bracket().is_some()
    {
        return None;
    }
    let text = cx.text(word);
    // A word of one or two letters is as likely a name as a misspelt keyword.
    if text.chars().count() < 3 {
        return None;
    }
    let keywords = KEYWORDS.iter().copied().filter(|keyword| starts_statement(keyword));
    let suggestion = crate::suggest::closest(text, keywords)?;
    Some(ParseError::UnknownCommand {
        word: text.to_string(),
        suggestion: suggestion.to_string(),
        span: Span::new(cx.base + word.start, cx.base + word.end),
    })
}
