//! An exercise file (SPEC §8) as a typed model: its title, setup and reference,
//! what it forbids, and its questions and requirements with their options, checked
//! for every mistake an instructor can make (each with its line, column and a fix).

use std::rc::Rc;

use crate::ast::{
    COMMAND_KEYWORDS, ExerciseFile, ExerciseItemKind, Expr, ExprKind, FnBody, FnDef, GradingOption, Ident, Pattern,
    Stmt, StmtKind, Text, UnaryOp,
};
use crate::diagnostic::{Diagnostic, ErrorKind, SourceMap};
use crate::interpreter::Forbidden;
use crate::span::Span;
use crate::value::Builtin;

/// What a submission may not use when no `forbid` says otherwise: all that runs autograd.
pub const DEFAULT_FORBIDDEN: &[&str] = &["grad", "backward", "check", "explain", "derivative"];

/// The absolute and relative tolerance of a question without `tol=` or `rtol=`.
pub const DEFAULT_ATOL: f64 = 1e-6;
pub const DEFAULT_RTOL: f64 = 1e-6;

/// An exercise, parsed and checked. It holds syntax trees, which belong to one
/// thread: a grader with several threads parses the file once on each
/// ([`Exercise::parse`] is cheap), and shares the [`crate::grade::Key`].
#[derive(Debug)]
pub struct Exercise {
    /// The file's name, as errors and reports show it.
    pub name: String,
    /// The file's text. A session adds it as its first source, so the spans of the
    /// trees below (parsed at base 0) point into it.
    pub source: String,
    pub title: String,
    /// The statements of `setup { … }` and their block's span (`None`: no setup).
    pub setup: Vec<Stmt>,
    pub setup_span: Option<Span>,
    pub reference: Vec<Stmt>,
    /// What a submission may not use (its `from` is set when a submission is graded).
    pub forbidden: Forbidden,
    /// The questions and requirements, in the file's order.
    pub items: Vec<Item>,
}

/// A `question` or a `require`.
#[derive(Debug)]
pub struct Item {
    pub name: String,
    pub kind: ItemKind,
    /// The expression a question grades, or the condition a requirement checks.
    pub expr: Expr,
    /// `for x in …`: the points a question is asked at.
    pub over: Option<Over>,
    pub points: f64,
    pub atol: f64,
    pub rtol: f64,
    pub hidden: bool,
    /// The whole statement.
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Question,
    Require,
}

/// A question asked at several points: `df(x) for x in [-2, 0, 0.5, 3]`.
#[derive(Debug)]
pub struct Over {
    /// The name each point is bound to.
    pub name: Ident,
    /// The points, evaluated in the reference's session.
    pub points: Expr,
    /// The question's expression as a function of that name, so that a point binds no
    /// global name of the submission.
    pub function: Rc<FnDef>,
}

/// An exercise file that cannot be used: the error, and the sources to show it against.
#[derive(Clone, Debug)]
pub struct Invalid {
    pub diagnostic: Box<Diagnostic>,
    pub sources: SourceMap,
}

impl Invalid {
    /// An error in the text of the exercise file `name`.
    pub fn in_file(name: &str, source: &str, message: String, span: Span, help: Option<String>) -> Invalid {
        Invalid::of(
            name,
            source,
            Diagnostic {
                kind: ErrorKind::Exercise,
                message,
                span,
                label: None,
                help,
                context: Vec::new(),
            },
        )
    }

    pub fn of(name: &str, source: &str, diagnostic: Diagnostic) -> Invalid {
        let mut sources = SourceMap::default();
        sources.add(name, source);
        Invalid {
            diagnostic: Box::new(diagnostic),
            sources,
        }
    }

    /// The error with its source line and a caret.
    pub fn render(&self, color: bool) -> String {
        self.sources.render(&self.diagnostic, color)
    }
}

impl Exercise {
    /// Parses and checks the exercise file `name` whose text is `source`.
    pub fn parse(name: &str, source: &str) -> Result<Exercise, Invalid> {
        let source = source.strip_prefix('\u{feff}').unwrap_or(source);
        let file = crate::parser::parse_exercise(source, 0)
            .map_err(|error| Invalid::of(name, source, crate::interpreter::parse_diagnostic(error)))?;
        let fail =
            |message: String, span: Span, help: Option<String>| Invalid::in_file(name, source, message, span, help);
        Checker::new(source)
            .check(name, file)
            .map_err(|e| fail(e.message, e.span, e.help))
    }

    /// The points of every question and requirement together.
    pub fn max_score(&self) -> f64 {
        self.items.iter().map(|item| item.points).sum()
    }

    /// The text of `setup { … }` between its braces, as written.
    pub fn setup_text(&self) -> &str {
        match self.setup_span {
            Some(span) => self
                .source
                .get(span.start + 1..span.end.saturating_sub(1))
                .unwrap_or(""),
            None => "",
        }
    }

    /// The text a span covers in the exercise file.
    pub fn text(&self, span: Span) -> &str {
        self.source.get(span.start..span.end).unwrap_or("")
    }
}

/// A mistake in an exercise file.
struct Mistake {
    message: String,
    span: Span,
    help: Option<String>,
}

fn mistake(message: impl Into<String>, span: Span, help: impl Into<String>) -> Mistake {
    Mistake {
        message: message.into(),
        span,
        help: Some(help.into()),
    }
}

struct Checker<'s> {
    source: &'s str,
    title: Option<(String, Span)>,
    setup: Option<(Vec<Stmt>, Span)>,
    reference: Option<(Vec<Stmt>, Span)>,
    forbidden: Option<Forbidden>,
    items: Vec<Item>,
}

impl<'s> Checker<'s> {
    fn new(source: &'s str) -> Checker<'s> {
        Checker {
            source,
            title: None,
            setup: None,
            reference: None,
            forbidden: None,
            items: Vec::new(),
        }
    }

    fn check(mut self, name: &str, file: ExerciseFile) -> Result<Exercise, Mistake> {
        let source = self.source;
        for item in file.items {
            let span = item.span;
            match item.kind {
                ExerciseItemKind::Title(text) => {
                    if let Some((_, first)) = &self.title {
                        return Err(twice("title", "exercise \"…\"", *first, span, source));
                    }
                    if text.text.trim().is_empty() {
                        return Err(mistake(
                            "the exercise's title is empty",
                            text.span,
                            "write what the exercise is about: exercise \"Backprop by hand\"",
                        ));
                    }
                    self.title = Some((text.text, span));
                }
                ExerciseItemKind::Setup(block) => {
                    if let Some((_, first)) = &self.setup {
                        return Err(twice("setup", "setup { … }", *first, span, source));
                    }
                    self.setup = Some((block.statements, block.span));
                }
                ExerciseItemKind::Reference(block) => {
                    if let Some((_, first)) = &self.reference {
                        return Err(twice("reference", "reference { … }", *first, span, source));
                    }
                    self.reference = Some((block.statements, block.span));
                }
                ExerciseItemKind::Forbid(names) => self.forbid(&names)?,
                ExerciseItemKind::Question {
                    name,
                    expr,
                    points,
                    options,
                } => {
                    let over = match points {
                        None => None,
                        Some(points) => Some(self.over(&name.text, &expr, points.pattern, points.iterable)?),
                    };
                    self.item(name, ItemKind::Question, expr, over, &options, span)?;
                }
                ExerciseItemKind::Require {
                    name,
                    condition,
                    options,
                } => self.item(name, ItemKind::Require, condition, None, &options, span)?,
                ExerciseItemKind::Statement(stmt) => {
                    if let Some(mistake) = keyword_alone(&stmt) {
                        return Err(mistake);
                    }
                    return Err(mistake(
                        "a statement outside 'setup { … }' and 'reference { … }'",
                        stmt.span,
                        "put it in setup { … } to run it before every submission and the reference, \
                         or in reference { … } to compute the answers",
                    ));
                }
            }
        }
        let end = Span::new(source.len(), source.len());
        if self.items.is_empty() {
            return Err(mistake(
                "the exercise has no question and no requirement, so nothing can be graded",
                self.title.as_ref().map_or(end, |(_, span)| *span),
                "add one, e.g. question \"dL/da\" a.grad points=2",
            ));
        }
        if self.reference.is_none()
            && let Some(question) = self.items.iter().find(|item| item.kind == ItemKind::Question)
        {
            return Err(mistake(
                "the exercise has questions but no 'reference { … }' to compute their answers",
                question.span,
                "add a reference after setup, e.g. reference { backward L } (write reference { } if setup alone gives the answers)",
            ));
        }
        let title = self.title.map_or_else(|| default_title(name), |(title, _)| title);
        let (setup, setup_span) = match self.setup {
            Some((statements, span)) => (statements, Some(span)),
            None => (Vec::new(), None),
        };
        let forbidden = self.forbidden.unwrap_or_else(|| {
            let mut forbidden = Forbidden::default();
            for name in DEFAULT_FORBIDDEN {
                add_forbidden(&mut forbidden, name);
            }
            forbidden
        });
        Ok(Exercise {
            name: name.to_string(),
            source: source.to_string(),
            title,
            setup,
            setup_span,
            reference: self.reference.map(|(statements, _)| statements).unwrap_or_default(),
            forbidden,
            items: self.items,
        })
    }

    fn forbid(&mut self, names: &[Ident]) -> Result<(), Mistake> {
        let forbidden = self.forbidden.get_or_insert_with(Forbidden::default);
        if let [only] = names
            && only.name == "none"
        {
            return Ok(());
        }
        for ident in names {
            let name = ident.name.as_str();
            if name == "none" {
                return Err(mistake(
                    "'none' cannot be listed with other names",
                    ident.span,
                    "write 'forbid none' alone to allow everything, or list only what is forbidden",
                ));
            }
            let known = COMMAND_KEYWORDS.contains(&name) || Builtin::lookup(name).is_some();
            if !known {
                let candidates = COMMAND_KEYWORDS
                    .iter()
                    .copied()
                    .chain(crate::interpreter::BUILTINS.iter().copied());
                let message = match crate::suggest::closest(name, candidates) {
                    Some(suggestion) => format!(
                        "'{name}' is not a command or a builtin, so it cannot be forbidden — did you mean '{suggestion}'?"
                    ),
                    None => format!("'{name}' is not a command or a builtin, so it cannot be forbidden"),
                };
                return Err(mistake(
                    message,
                    ident.span,
                    "forbid lists commands (grad, backward, check, explain, …) and builtins (derivative, tanh, …)",
                ));
            }
            if forbidden.names().contains(&name) {
                return Err(mistake(
                    format!("'{name}' is forbidden twice"),
                    ident.span,
                    format!("remove this '{name}'"),
                ));
            }
            add_forbidden(forbidden, name);
        }
        Ok(())
    }

    fn over(&self, question: &str, expr: &Expr, pattern: Pattern, points: Expr) -> Result<Over, Mistake> {
        let name = match pattern {
            Pattern::Name(ident) => ident,
            Pattern::Tuple { span, .. } => {
                return Err(mistake(
                    format!("the points of question \"{question}\" are bound to a tuple"),
                    span,
                    "bind each point to one name: question \"…\" f(x) for x in [-2, 0, 3] (a point may be a list: for p in [[1, 2], [3, 4]])",
                ));
            }
        };
        // A name no program can write, so that the question's expression never reads
        // the function itself in place of a global of the same name.
        let own = Ident::new("<question>", expr.span);
        let function = Rc::new(FnDef {
            name: own,
            params: vec![name.clone()],
            body: FnBody::Expr(expr.clone()),
            span: expr.span,
        });
        Ok(Over { name, points, function })
    }

    fn item(
        &mut self,
        Text {
            text: name,
            span: name_span,
        }: Text,
        kind: ItemKind,
        expr: Expr,
        over: Option<Over>,
        options: &[GradingOption],
        span: Span,
    ) -> Result<(), Mistake> {
        let what = match kind {
            ItemKind::Question => "question",
            ItemKind::Require => "requirement",
        };
        if name.trim().is_empty() {
            return Err(mistake(
                format!("the {what}'s name is empty"),
                name_span,
                "name it as students will see it in their feedback: \"dL/da\"",
            ));
        }
        if let Some(earlier) = self.items.iter().find(|item| item.name == name) {
            let line = crate::span::LineIndex::new(self.source)
                .line_col(earlier.span.start)
                .line;
            return Err(mistake(
                format!("two questions or requirements are named \"{name}\""),
                name_span,
                format!("give each its own name: reports tell them apart by name (the other is at line {line})"),
            ));
        }
        let mut item = Item {
            name,
            kind,
            expr,
            over,
            points: 1.0,
            atol: DEFAULT_ATOL,
            rtol: DEFAULT_RTOL,
            hidden: false,
            span,
        };
        let mut seen: Vec<&str> = Vec::new();
        for option in options {
            let option_name = option.name.name.as_str();
            let allowed: &[&str] = match kind {
                ItemKind::Question => &["points", "tol", "rtol", "hidden"],
                ItemKind::Require => &["points", "hidden"],
            };
            if !allowed.contains(&option_name) {
                let help = if kind == ItemKind::Require && matches!(option_name, "tol" | "rtol" | "atol") {
                    "a requirement holds or not: write the tolerance into its condition, e.g. abs(x - 2) < 0.01"
                        .to_string()
                } else {
                    format!("the options of a {what} are {}", allowed.join(", "))
                };
                let message = match crate::suggest::closest(option_name, allowed.iter().copied()) {
                    Some(suggestion) => format!("unknown option '{option_name}' — did you mean '{suggestion}'?"),
                    None => format!("unknown option '{option_name}'"),
                };
                return Err(mistake(message, option.name.span, help));
            }
            if seen.contains(&option_name) {
                return Err(mistake(
                    format!("the option '{option_name}' is given twice"),
                    option.span,
                    format!("keep one '{option_name}'"),
                ));
            }
            seen.push(option_name);
            if option_name == "hidden" {
                if let Some(value) = &option.value {
                    return Err(mistake(
                        "'hidden' takes no value",
                        value.span,
                        "write hidden alone: the expected value is then never shown to students",
                    ));
                }
                item.hidden = true;
                continue;
            }
            let example = match option_name {
                "points" => "points=2",
                "tol" => "tol=1e-6",
                _ => "rtol=1e-6",
            };
            let Some(value) = &option.value else {
                return Err(mistake(
                    format!("'{option_name}' needs a value"),
                    option.span,
                    format!("write {example}"),
                ));
            };
            let Some(number) = literal_number(value) else {
                return Err(mistake(
                    format!("'{option_name}' takes a number written out, like {example}"),
                    value.span,
                    format!("write {example}"),
                ));
            };
            match option_name {
                "points" if number <= 0.0 || number.is_nan() => {
                    return Err(mistake(
                        "a question's points must be more than 0",
                        value.span,
                        "write points=1 or more; to leave a question out, delete it",
                    ));
                }
                "points" => item.points = number,
                _ if number < 0.0 => {
                    return Err(mistake(
                        format!(
                            "a tolerance cannot be negative, and '{option_name}' is {}",
                            crate::number::format_number(number)
                        ),
                        value.span,
                        format!("write {example}, or {option_name}=0 for an exact match"),
                    ));
                }
                "tol" => item.atol = number,
                _ => item.rtol = number,
            }
        }
        self.items.push(item);
        Ok(())
    }
}

/// An exercise keyword alone on its line (`setup` with its `{` on the next line,
/// `forbid` with nothing after it), which the grammar reads as a bare name.
fn keyword_alone(stmt: &Stmt) -> Option<Mistake> {
    let StmtKind::Expr(Expr {
        kind: ExprKind::Name(ident),
        ..
    }) = &stmt.kind
    else {
        return None;
    };
    let (what, example) = match ident.name.as_str() {
        "setup" => (
            "'{' after 'setup'",
            "setup { a = 2.0; b = -3.0; L = a*b }, with the '{' on the same line",
        ),
        "reference" => (
            "'{' after 'reference'",
            "reference { backward L }, with the '{' on the same line",
        ),
        "forbid" => (
            "the commands and builtins to forbid after 'forbid'",
            "forbid grad, backward, check, explain, derivative (or forbid none)",
        ),
        "exercise" => (
            "the exercise's title in quotes after 'exercise'",
            "exercise \"Backprop by hand\"",
        ),
        "question" => (
            "the question's name in quotes after 'question'",
            "question \"dL/da\" a.grad points=2",
        ),
        "require" => (
            "the requirement's name in quotes after 'require'",
            "require \"the loss is below 0.01\" loss.data < 0.01 points=3",
        ),
        _ => return None,
    };
    Some(mistake(
        format!("expected {what}, found the end of the line"),
        Span::new(ident.span.end, ident.span.end),
        format!("write {example}"),
    ))
}

/// `forbidden` with `name` added where it belongs: a command or a builtin.
fn add_forbidden(forbidden: &mut Forbidden, name: &str) {
    if COMMAND_KEYWORDS.contains(&name) {
        forbidden.commands.push(name.to_string());
    } else {
        forbidden.builtins.push(name.to_string());
    }
}

/// A number written as a literal, perhaps with a sign: `2`, `1e-6`, `-3`.
fn literal_number(expr: &Expr) -> Option<f64> {
    match &expr.kind {
        ExprKind::Number(x) => Some(*x),
        ExprKind::Unary { op, operand } => {
            let x = literal_number(operand)?;
            Some(if *op == UnaryOp::Neg { -x } else { x })
        }
        _ => None,
    }
}

fn twice(what: &str, example: &str, first: Span, span: Span, source: &str) -> Mistake {
    let at = crate::span::LineIndex::new(source).line_col(first.start);
    mistake(
        format!("a second {what}: an exercise has one"),
        span,
        format!("the first, {example}, is at line {}; keep one", at.line),
    )
}

/// The title of an exercise without `exercise "…"`: its file name without folders and `.mg`.
fn default_title(name: &str) -> String {
    let file = name.rsplit(['/', '\\']).next().unwrap_or(name);
    file.strip_suffix(".mg").unwrap_or(file).to_string()
}
