//! The answer key: the exercise's setup and reference run once, in a session of
//! their own, and every question's expected value is read there, at each of its
//! points. Submissions are then graded against the key, never against the
//! reference's session, which no submission can reach.

use super::exercise::{Exercise, Invalid, ItemKind};
use super::host::{GradeHost, Watch};
use crate::diagnostic::{Diagnostic, ErrorKind};
use crate::interpreter::Session;
use crate::limits::Limits;
use crate::number::format_number;
use crate::span::Span;
use crate::value::Value;

/// How deeply a question's points may nest lists.
const MAX_POINT_NESTING: usize = 16;
/// The most numbers a question's points may hold, together.
const MAX_POINT_NUMBERS: usize = 100_000;

/// A point a question is asked at, as plain data: values belong to one session, and
/// the key serves every submission's session (on every thread).
#[derive(Clone, Debug, PartialEq)]
pub enum Datum {
    Num(f64),
    List(Vec<Datum>),
}

impl Datum {
    /// A value of `session` as data: a number (a node gives its data) or a list of such.
    fn of(session: &Session, value: &Value, budget: &mut usize, depth: usize) -> Result<Datum, &'static str> {
        if let Some(x) = session.number_of(value) {
            *budget = budget.checked_sub(1).ok_or("too many numbers")?;
            return Ok(Datum::Num(x));
        }
        match value {
            Value::List(items) if depth < MAX_POINT_NESTING => items
                .iter()
                .map(|item| Datum::of(session, item, budget, depth + 1))
                .collect::<Result<_, _>>()
                .map(Datum::List),
            Value::List(_) => Err("lists nested too deeply"),
            other => Err(other.kind_name()),
        }
    }

    /// The value a session gets for this point.
    pub(super) fn to_value(&self) -> Value {
        match self {
            Datum::Num(x) => Value::Num(*x),
            Datum::List(items) => Value::list(items.iter().map(Datum::to_value).collect()),
        }
    }

    /// As mg prints it: `0.5`, `[2, 3, -1]`.
    pub fn describe(&self) -> String {
        match self {
            Datum::Num(x) => format_number(*x),
            Datum::List(items) => {
                let items: Vec<String> = items.iter().map(Datum::describe).collect();
                format!("[{}]", items.join(", "))
            }
        }
    }
}

/// What the reference gave for each question.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// One entry per item of the exercise, in order; `None` for a requirement.
    pub answers: Vec<Option<Answers>>,
}

/// A question's expected values: one, or one per point.
#[derive(Clone, Debug, PartialEq)]
pub struct Answers {
    /// The points, for a question asked `for x in …`; empty for a single value.
    pub at: Vec<Datum>,
    /// One value per point (one value when `at` is empty).
    pub expected: Vec<f64>,
}

/// The limits every graded session runs under: `limits`, always in the sandbox.
pub fn sandboxed(limits: &Limits) -> Limits {
    Limits {
        sandbox: true,
        ..limits.clone()
    }
}

/// Runs setup and reference, and reads every question's expected values.
pub fn answer_key(exercise: &Exercise, limits: &Limits, watch: &mut dyn Watch) -> Result<Key, Invalid> {
    let limits = sandboxed(limits);
    let mut session = Session::with_limits(limits.clone());
    let mut host = GradeHost::new(&limits, watch);
    session.add_source(&exercise.name, &exercise.source);
    let invalid = |session: &Session, diagnostic: Diagnostic| Invalid {
        diagnostic: Box::new(diagnostic),
        sources: session.sources().clone(),
    };
    host.start();
    session
        .run_statements(&exercise.setup, &mut host)
        .map_err(|d| invalid(&session, labelled(d, "while running setup", RUN_WITHOUT_ERROR)))?;
    session
        .run_statements(&exercise.reference, &mut host)
        .map_err(|d| invalid(&session, labelled(d, "while running the reference", RUN_WITHOUT_ERROR)))?;
    let mut answers = Vec::with_capacity(exercise.items.len());
    for item in &exercise.items {
        if item.kind == ItemKind::Require {
            answers.push(None);
            continue;
        }
        host.start();
        let question = |message: String, span: Span| Diagnostic {
            kind: ErrorKind::Exercise,
            message,
            span,
            label: None,
            help: None,
            context: Vec::new(),
        };
        let Some(over) = &item.over else {
            let value = session
                .evaluate(&item.expr, &mut host)
                .map_err(|d| invalid(&session, labelled(d, "in the reference's session", ANSWERABLE)))?;
            let expected = expected_number(&session, &value).map_err(|kind| {
                let mut diagnostic = question(
                    format!("question \"{}\" gives {kind} in the reference, not a number", item.name),
                    item.expr.span,
                );
                diagnostic.help = Some(help_for(kind));
                invalid(&session, diagnostic)
            })?;
            answers.push(Some(Answers {
                at: Vec::new(),
                expected: vec![expected],
            }));
            continue;
        };
        let points = session
            .evaluate(&over.points, &mut host)
            .map_err(|d| invalid(&session, labelled(d, "in the reference's session", ANSWERABLE)))?;
        let mut budget = MAX_POINT_NUMBERS;
        let at = match Datum::of(&session, &points, &mut budget, 0) {
            Ok(Datum::List(items)) if !items.is_empty() => items,
            Ok(Datum::List(_)) => {
                let mut diagnostic = question(
                    format!("question \"{}\" is asked at no point: the list is empty", item.name),
                    over.points.span,
                );
                diagnostic.help = Some("give at least one point, e.g. for x in [-2, 0, 0.5, 3]".to_string());
                return Err(invalid(&session, diagnostic));
            }
            other => {
                let kind = match other {
                    Err(kind) => kind,
                    Ok(_) => "a number",
                };
                let mut diagnostic = question(
                    format!(
                        "the points of question \"{}\" must be a list of numbers (or of lists of numbers), not {kind}",
                        item.name
                    ),
                    over.points.span,
                );
                diagnostic.help =
                    Some("write them as a list: for x in [-2, 0, 0.5, 3], or a range: for k in 0..5".to_string());
                return Err(invalid(&session, diagnostic));
            }
        };
        let function = session.function_of(std::rc::Rc::clone(&over.function));
        let mut expected = Vec::with_capacity(at.len());
        for point in &at {
            let value = session
                .call(&function, vec![point.to_value()], item.expr.span, &mut host)
                .map_err(|d| {
                    let note = format!(
                        "in the reference's session, at {} = {}",
                        over.name.name,
                        point.describe()
                    );
                    let fix = "ask the question only at points where it has an answer";
                    invalid(&session, labelled(d, &note, fix))
                })?;
            let number = expected_number(&session, &value).map_err(|kind| {
                let mut diagnostic = question(
                    format!(
                        "question \"{}\" gives {kind} at {} = {} in the reference, not a number",
                        item.name,
                        over.name.name,
                        point.describe()
                    ),
                    item.expr.span,
                );
                diagnostic.help = Some(help_for(kind));
                invalid(&session, diagnostic)
            })?;
            expected.push(number);
        }
        answers.push(Some(Answers { at, expected }));
    }
    Ok(Key { answers })
}

/// A question's value as a number: a number, or a node's data.
pub(super) fn expected_number(session: &Session, value: &Value) -> Result<f64, &'static str> {
    session.number_of(value).ok_or(value.kind_name())
}

fn help_for(kind: &str) -> String {
    match kind {
        "a boolean" => "a condition is a requirement: require \"…\" condition points=1".to_string(),
        "a list" => {
            "ask for one number per question, or ask at several points: question \"…\" f(x) for x in [1, 2]".to_string()
        }
        "nothing" => "the function it calls has no 'return': end it with 'return value'".to_string(),
        _ => "a question's expression must give a number, such as a.grad or df(2)".to_string(),
    }
}

/// `diagnostic` with a note under its caret saying where the error happened, and a
/// fix when the error has none of its own.
fn labelled(mut diagnostic: Diagnostic, note: &str, fix: &str) -> Diagnostic {
    if diagnostic.label.is_none() {
        diagnostic.label = Some(note.to_string());
    }
    if diagnostic.help.is_none() {
        diagnostic.help = Some(fix.to_string());
    }
    diagnostic
}

/// The fix of an error in setup or the reference that has none of its own.
const RUN_WITHOUT_ERROR: &str = "setup and the reference must run without an error: they give every submission its start and every question its answer";

/// The fix of an error while a question is answered.
const ANSWERABLE: &str =
    "every question must have an answer in the reference's session: ask it of what setup and the reference define";
