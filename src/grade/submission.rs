//! Grading one submission: in a fresh sandboxed session, setup runs, then the
//! submission (unless it does not parse or uses what is forbidden), then every
//! question is read and compared with the key.

use std::rc::Rc;

use super::changes::{self, Change};
use super::exercise::{Exercise, Item, ItemKind};
use super::forbid;
use super::host::{GradeHost, Watch};
use super::key::{Key, expected_number, sandboxed};
use super::report::{Graded, QuestionResult, Status};
use super::score;
use super::walk::{Node, walk_expr};
use crate::ast::ExprKind;
use crate::diagnostic::{Diagnostic, ErrorKind};
use crate::interpreter::{Forbidden, Session};
use crate::limits::Limits;
use crate::parser::ParseError;
use crate::span::{LineIndex, Span};
use crate::value::Value;

/// The largest submission read, in bytes: a page of mg is a few kilobytes.
pub const MAX_SUBMISSION_BYTES: usize = 1 << 20;

/// How many forbidden uses the feedback lists one by one.
const MAX_LISTED: usize = 10;

/// A submission whose file could not be read (`reason`, from the host): not graded.
pub fn unreadable(exercise: &Exercise, name: &str, reason: &str) -> Graded {
    let feedback = vec![format!("The file cannot be read: {reason}.")];
    zero_everywhere(
        exercise,
        name,
        false,
        Status::NotGraded,
        "not graded: the file cannot be read",
        feedback,
    )
}

/// Grades the submission `name` whose file holds `bytes`.
pub fn grade(
    exercise: &Exercise,
    key: &Key,
    name: &str,
    bytes: &[u8],
    limits: &Limits,
    watch: &mut dyn Watch,
) -> Graded {
    let text = match read(bytes) {
        Ok(text) => text,
        Err(why) => return not_graded(exercise, name, why),
    };
    let limits = sandboxed(limits);
    let mut session = Session::with_limits(limits.clone());
    let mut host = GradeHost::new(&limits, watch);
    session.add_source(&exercise.name, &exercise.source);
    host.start();
    if let Err(diagnostic) = session.run_statements(&exercise.setup, &mut host) {
        // The setup ran in the reference's session; only a limit set lower here stops it.
        let why = format!(
            "The exercise's setup failed before your program ran: {}.",
            diagnostic.message
        );
        let status = Status::Error;
        return zero_everywhere(
            exercise,
            name,
            true,
            status,
            "not graded: the exercise's setup failed",
            vec![why],
        );
    }
    let setup = changes::record(&session);

    let base = session.add_source(name, &text);
    let program = match crate::parser::parse_program(&text, base) {
        Ok(program) => program,
        Err(error) => {
            let diagnostic = crate::interpreter::parse_diagnostic(error);
            let at = session.sources().line_col(diagnostic.span.start);
            let message = format!(
                "Your program does not parse: {} (line {}, column {})",
                diagnostic.message, at.line, at.column
            );
            return not_graded(exercise, name, sentence(&message, diagnostic.help.as_deref()));
        }
    };
    let violations = forbid::find(&program, &exercise.forbidden);
    if !violations.is_empty() {
        return uses_what_is_forbidden(exercise, name, &session, &violations);
    }

    session.forbid(Forbidden {
        from: base,
        ..exercise.forbidden.clone()
    });
    host.start();
    let mut feedback = Vec::new();
    let mut stopped = None;
    if let Err(diagnostic) = session.run_statements(&program.statements, &mut host) {
        let at = session.sources().line_col(diagnostic.span.start);
        if diagnostic.kind == ErrorKind::Forbidden {
            let sentence = format!(
                "Line {}, column {}: {} (found as your program ran).",
                at.line, at.column, diagnostic.message
            );
            return forbidden(exercise, name, sentence);
        }
        feedback.push(stop_sentence(&diagnostic, at.line, at.column));
        stopped = Some(format!(
            "(Your program stopped at line {} before it finished: see above.)",
            at.line
        ));
    }

    let mut changes = changes::compare(&session, &setup);
    let read: Vec<String> = exercise.items.iter().flat_map(names_read).collect();
    changes.extend(changes::hidden_builtins(
        &session,
        &setup,
        read.iter().map(String::as_str),
    ));
    feedback.extend(change_sentences(exercise, &changes));

    host.start();
    let mut asking = Asking {
        session: &mut session,
        host: &mut host,
        base,
        forbidden: None,
    };
    let mut questions = Vec::with_capacity(exercise.items.len());
    for (item, answers) in exercise.items.iter().zip(&key.answers) {
        let mut notes: Vec<String> = stopped.iter().cloned().collect();
        let mut hidden_builtin = None;
        for change in changes
            .iter()
            .filter(|change| change.name().is_some_and(|name| reads(item, name)))
        {
            match change {
                Change::Rebound { name, from, to } => notes.push(format!(
                    "Your program binds '{name}' to {to} (setup made it {from}); this question reads yours."
                )),
                Change::Hides { name, to } => {
                    hidden_builtin = Some(format!(
                        "0 points: this question calls the builtin '{name}', and your program binds '{name}' to {to} of its own; give yours another name"
                    ));
                }
                Change::Data { .. } => {}
            }
        }
        let result = match (hidden_builtin, item.kind, answers) {
            // What the question computes with a student's own 'sum' says nothing of the answer.
            (Some(why), _, _) => score::zero(item, Status::Failed, &why),
            (None, ItemKind::Question, Some(answers)) => {
                let got = asking.ask(item, answers);
                score::question(item, answers, &got, &notes)
            }
            (None, _, _) => asking.require(item, &notes),
        };
        questions.push(result);
    }
    if let Some(sentence) = asking.forbidden {
        // A question called the submission's code, and it used what is forbidden.
        return forbidden(exercise, name, sentence);
    }
    finish(exercise, name, true, feedback, questions)
}

/// A submission's bytes as text, or why it cannot be graded (too large, not UTF-8).
fn read(bytes: &[u8]) -> Result<String, String> {
    if bytes.len() > MAX_SUBMISSION_BYTES {
        return Err(format!(
            "The file is {} bytes long, more than the {MAX_SUBMISSION_BYTES} a submission may be; hand in your .mg program itself.",
            bytes.len()
        ));
    }
    let decoded = crate::parser::decode(bytes);
    if let Some((offset, byte)) = decoded.first_bad_byte_in_code() {
        let error = ParseError::NotUtf8 {
            byte,
            span: Span::new(offset, offset + 1),
        };
        let at = LineIndex::new(&decoded.text).line_col(offset);
        let message = format!(
            "Your file cannot be read: {error} (line {}, column {})",
            at.line, at.column
        );
        return Err(sentence(&message, error.help().as_deref()));
    }
    Ok(decoded.text)
}

/// The sentences about what the submission did to setup's names: data it changed,
/// and names the questions read that it bound to something else.
fn change_sentences(exercise: &Exercise, changes: &[Change]) -> Vec<String> {
    let mut sentences = Vec::new();
    for change in changes {
        let (name, what) = match change {
            Change::Data { name, from, to } => {
                sentences.push(format!(
                    "Your program changed the data of '{name}', which setup made {}, to {}.",
                    crate::number::format_number(*from),
                    crate::number::format_number(*to)
                ));
                continue;
            }
            Change::Rebound { name, from, to } => (name, format!("binds '{name}' to {to} (setup made it {from})")),
            Change::Hides { name, to } => (name, format!("binds '{name}' to {to}, which hides the builtin")),
        };
        let readers: Vec<String> = exercise
            .items
            .iter()
            .filter(|item| reads(item, name))
            .map(|item| format!("\"{}\"", item.name))
            .collect();
        if !readers.is_empty() {
            sentences.push(format!(
                "Your program {what}, and {} {} yours.",
                readers.join(", "),
                if readers.len() == 1 { "reads" } else { "read" }
            ));
        }
    }
    sentences
}

/// Not graded: the file cannot be run (`why` says why).
fn not_graded(exercise: &Exercise, name: &str, why: String) -> Graded {
    zero_everywhere(
        exercise,
        name,
        false,
        Status::NotGraded,
        "not graded: the file cannot be run",
        vec![why],
    )
}

/// 0 on every question: the submission's source uses what is forbidden, listed by line.
fn uses_what_is_forbidden(
    exercise: &Exercise,
    name: &str,
    session: &Session,
    violations: &[forbid::Violation],
) -> Graded {
    let mut feedback: Vec<String> = violations
        .iter()
        .take(MAX_LISTED)
        .map(|violation| {
            let at = session.sources().line_col(violation.span.start);
            let what = if violation.command {
                "the command"
            } else {
                "the builtin"
            };
            format!(
                "Line {}, column {}: {what} '{}' is not allowed in this exercise.",
                at.line, at.column, violation.name
            )
        })
        .collect();
    if violations.len() > MAX_LISTED {
        feedback.push(format!("… and {} more uses.", violations.len() - MAX_LISTED));
    }
    feedback.push(forbidden_summary(exercise));
    let first = &violations[0];
    let at = session.sources().line_col(first.span.start);
    let why = format!("0 points: your program uses '{}' (line {})", first.name, at.line);
    zero_everywhere(exercise, name, true, Status::Forbidden, &why, feedback)
}

/// 0 on every question: the submission used what is forbidden, as it ran.
fn forbidden(exercise: &Exercise, name: &str, sentence: String) -> Graded {
    let why = format!("0 points: {sentence}");
    let feedback = vec![sentence, forbidden_summary(exercise)];
    zero_everywhere(exercise, name, true, Status::Forbidden, &why, feedback)
}

/// Every question scored 0 with `status`, each saying `why`.
fn zero_everywhere(
    exercise: &Exercise,
    name: &str,
    gradable: bool,
    status: Status,
    why: &str,
    feedback: Vec<String>,
) -> Graded {
    let questions = exercise
        .items
        .iter()
        .map(|item| score::zero(item, status, why))
        .collect();
    finish(exercise, name, gradable, feedback, questions)
}

/// What the questions are asked in: the submission's session, after it ran.
struct Asking<'s, 'h, 'w> {
    session: &'s mut Session,
    host: &'h mut GradeHost<'w>,
    /// Where the submission starts in the session's sources.
    base: usize,
    /// The first forbidden use the questions ran into, as a sentence.
    forbidden: Option<String>,
}

impl Asking<'_, '_, '_> {
    /// The value of a question at each of its points, or why it could not be computed.
    fn ask(&mut self, item: &Item, answers: &super::key::Answers) -> Vec<Result<f64, String>> {
        match &item.over {
            None => {
                let result = self.session.evaluate(&item.expr, self.host);
                vec![self.number(result)]
            }
            Some(over) => {
                let function = self.session.function_of(Rc::clone(&over.function));
                answers
                    .at
                    .iter()
                    .map(|point| {
                        let result = self
                            .session
                            .call(&function, vec![point.to_value()], item.expr.span, self.host);
                        self.number(result)
                    })
                    .collect()
            }
        }
    }

    fn number(&mut self, result: Result<Value, Diagnostic>) -> Result<f64, String> {
        let value = result.map_err(|diagnostic| self.failure(&diagnostic))?;
        expected_number(self.session, &value).map_err(|kind| format!("it gives {kind}, not a number"))
    }

    /// A requirement checked in the submission's session.
    fn require(&mut self, item: &Item, notes: &[String]) -> QuestionResult {
        let holds = match self.session.evaluate(&item.expr, self.host) {
            Ok(Value::Bool(holds)) => Ok(holds),
            Ok(other) => Err(format!("the condition gives {}, not true or false", other.kind_name())),
            Err(diagnostic) => Err(self.failure(&diagnostic)),
        };
        // What the sides of a comparison were, so that a student sees how far off it is.
        let detail = match (&holds, &item.expr.kind) {
            (Ok(false), ExprKind::Compare { lhs, rhs, .. }) if !item.hidden => {
                let condition = self.session.sources().slice(item.expr.span).to_string();
                let mut sides = Vec::new();
                for side in [lhs, rhs] {
                    if matches!(side.kind, ExprKind::Number(_)) {
                        continue;
                    }
                    if let Ok(value) = self.session.evaluate(side, self.host)
                        && let Some(x) = self.session.number_of(&value)
                    {
                        let text = self.session.sources().slice(side.span).to_string();
                        sides.push(format!("{text} is {}", crate::number::format_number(x)));
                    }
                }
                Some(if sides.is_empty() {
                    condition
                } else {
                    format!("{condition} ({})", sides.join(", "))
                })
            }
            _ => None,
        };
        score::requirement(item, holds, detail, notes)
    }

    /// Why a question could not be computed, as a sentence: the error, and where.
    fn failure(&mut self, diagnostic: &Diagnostic) -> String {
        let place = if diagnostic.span.start >= self.base {
            let at = self.session.sources().line_col(diagnostic.span.start);
            format!("line {}, column {} of your program", at.line, at.column)
        } else {
            "in the question's expression".to_string()
        };
        if diagnostic.kind == ErrorKind::Forbidden && self.forbidden.is_none() {
            self.forbidden = Some(capitalized(&format!(
                "{place}: {} (found when a question called your code).",
                diagnostic.message
            )));
        }
        let message = if diagnostic.kind == ErrorKind::Limit {
            format!("{}, a limit of the grader", diagnostic.message)
        } else {
            diagnostic.message.clone()
        };
        format!("{message} ({place})")
    }
}

/// Whether `item`'s expression reads the global name `name` (not its own point).
fn reads(item: &Item, name: &str) -> bool {
    names_read(item).iter().any(|read| read == name)
}

/// The global names `item`'s expression reads (not its own point), in order.
fn names_read(item: &Item) -> Vec<String> {
    let point = item.over.as_ref().map(|over| over.name.name.as_str());
    let mut names = Vec::new();
    walk_expr(&item.expr, |node| {
        if let Node::Expr(expr) = node
            && let ExprKind::Name(ident) = &expr.kind
            && Some(ident.name.as_str()) != point
        {
            names.push(ident.name.clone());
        }
    });
    names
}

/// "Your program stopped at line 7, column 3: …", with a fix where one helps a student.
fn stop_sentence(diagnostic: &Diagnostic, line: usize, column: usize) -> String {
    let head = format!(
        "Your program stopped at line {line}, column {column}: {}",
        diagnostic.message
    );
    match diagnostic.kind {
        // The help of a limit names the command line's flags, which are the grader's.
        ErrorKind::Limit => format!(
            "{head}. The grader stops every program at its limits: does a loop never end, or does it build too much?"
        ),
        _ => sentence(&head, diagnostic.help.as_deref()),
    }
}

/// `text` with its first letter in upper case, as a sentence starts.
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A message and its help as one or two sentences.
fn sentence(message: &str, help: Option<&str>) -> String {
    match help {
        Some(help) => format!("{message}. Help: {help}."),
        None => format!("{message}."),
    }
}

fn forbidden_summary(exercise: &Exercise) -> String {
    format!(
        "This exercise does not allow {}: work the answers out yourself. Every question scores 0.",
        exercise.forbidden.names().join(", ")
    )
}

fn finish(
    exercise: &Exercise,
    name: &str,
    gradable: bool,
    feedback: Vec<String>,
    questions: Vec<QuestionResult>,
) -> Graded {
    Graded {
        submission: name.to_string(),
        score: questions.iter().map(|q| q.score).sum(),
        max_score: exercise.max_score(),
        gradable,
        feedback,
        questions,
    }
}
