//! What grading found, as data: one [`Graded`] per submission, gathered in a
//! [`Report`] that every writer (`write::*`) turns into its format.
//!
//! Architecture Invariant: a hidden question's expected value never enters a
//! report. [`QuestionResult::expected`] is `None` for it, and its feedback is
//! worded without it (`score::feedback`), so no writer can show it.

use serde::Serialize;

use crate::output::number;

/// Every submission graded against one exercise.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// The exercise's title.
    pub exercise: String,
    /// The questions and requirements, in the file's order.
    pub questions: Vec<QuestionInfo>,
    #[serde(serialize_with = "number")]
    pub max_score: f64,
    /// Sorted by name, so the report is the same whatever order the files were found in.
    pub submissions: Vec<Graded>,
}

/// A question or requirement as every submission's row shares it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuestionInfo {
    pub name: String,
    #[serde(serialize_with = "number")]
    pub max_score: f64,
    pub hidden: bool,
    /// `"question"` or `"require"`.
    pub kind: &'static str,
}

/// One submission, graded.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Graded {
    /// How the submission is named: its path relative to the folder graded, or as given.
    pub submission: String,
    #[serde(serialize_with = "number")]
    pub score: f64,
    #[serde(serialize_with = "number")]
    pub max_score: f64,
    /// False when the file could not be read as a program (it does not parse, is not
    /// UTF-8, is too large): PrairieLearn's `gradable`.
    pub gradable: bool,
    /// What concerns the whole submission: it does not parse, uses what is forbidden,
    /// stopped early, changed what setup built. One sentence each.
    pub feedback: Vec<String>,
    pub questions: Vec<QuestionResult>,
}

/// How a question went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Full points.
    Passed,
    /// Some of a question's points matched, not all.
    Partial,
    /// A wrong answer (or a requirement that does not hold).
    Failed,
    /// The expression could not be evaluated in the submission's session.
    Error,
    /// The submission uses what the exercise forbids: 0 on every question.
    Forbidden,
    /// The submission could not be run at all (it does not parse).
    NotGraded,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Partial => "partial",
            Status::Failed => "failed",
            Status::Error => "error",
            Status::Forbidden => "forbidden",
            Status::NotGraded => "not_graded",
        }
    }
}

/// One question (or requirement) of one submission.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuestionResult {
    pub name: String,
    #[serde(serialize_with = "number")]
    pub score: f64,
    #[serde(serialize_with = "number")]
    pub max_score: f64,
    pub status: Status,
    /// What the submission's session gave: one number, one per point of a question
    /// asked `for x in …` (`null` where it failed), a boolean for a requirement.
    pub got: Answer,
    /// What the reference gave; `None` for a hidden question and for a requirement.
    pub expected: Answer,
    /// The points a question was asked at, as text (`"x = 0.5"`); empty otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub at: Vec<String>,
    pub hidden: bool,
    /// Got, expected (unless hidden), the tolerance and the points, in sentences.
    pub feedback: String,
}

/// A value a question gave, for JSON and the reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    None,
    #[serde(serialize_with = "number")]
    One(f64),
    Many(Vec<Point>),
    Holds(bool),
}

/// One point's value, or `null` where it could not be computed.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Point(#[serde(serialize_with = "optional_number")] pub Option<f64>);

fn optional_number<S: serde::Serializer>(x: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
    match x {
        Some(x) => number(x, serializer),
        None => serializer.serialize_none(),
    }
}

impl Answer {
    pub fn is_none(&self) -> bool {
        matches!(self, Answer::None)
    }
}

impl Graded {
    /// How many of its questions a submission got full points for.
    pub fn passed(&self) -> usize {
        self.questions.iter().filter(|q| q.status == Status::Passed).count()
    }
}
