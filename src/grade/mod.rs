//! Grading exercises (SPEC §8): an instructor's exercise file, students' `.mg`
//! submissions, and reports for people and for Gradescope, PrairieLearn, JUnit
//! and TAP.
//!
//! - [`Exercise::parse`] reads an exercise file into a checked model (`exercise`).
//! - [`answer_key`] runs setup and reference once, in a session of their own, and
//!   keeps every question's expected values as plain data ([`Key`]), which every
//!   thread shares.
//! - [`grade`] grades one submission in a fresh sandboxed session: setup, the
//!   submission (refused before it runs if it uses what the exercise forbids), then
//!   each question, scored by `score` into a [`Graded`].
//! - [`write`] turns a [`Report`] into a table, JSON Lines, or a report file.
//!
//! Grading sits above the interpreter and does no I/O: the caller reads the files,
//! runs submissions on as many threads as it likes (a [`crate::interpreter::Session`]
//! is not `Send`, so each thread parses the exercise itself), supplies a clock through
//! [`Watch`], and writes the reports.

mod changes;
mod exercise;
mod forbid;
mod handout;
mod host;
mod key;
mod report;
mod score;
mod submission;
mod walk;
pub mod write;

pub use exercise::{DEFAULT_ATOL, DEFAULT_FORBIDDEN, DEFAULT_RTOL, Exercise, Invalid, Item, ItemKind};
pub use handout::handout;
pub use host::{NO_FILES, NoWatch, Watch};
pub use key::{Answers, Datum, Key, answer_key, sandboxed};
pub use report::{Answer, Graded, Point, QuestionInfo, QuestionResult, Report, Status};
pub use score::within;
pub use submission::{MAX_SUBMISSION_BYTES, grade, unreadable};

use crate::limits::Limits;

/// The limits of a graded submission unless the grader is told otherwise: a fraction
/// of a second's work for the lecture's exercises, with room to spare, and far from
/// what would hurt the machine with a worker per core.
pub fn default_limits(stack_bytes: usize) -> Limits {
    Limits {
        time_seconds: Some(10.0),
        memory_mib: Some(256),
        nodes: 5_000_000,
        output_bytes: Some(1 << 20),
        depth: Limits::depth_for_stack(stack_bytes),
        steps: Some(1_000_000),
        sandbox: true,
    }
}

impl Report {
    /// A report of `submissions` (in any order: they are sorted by name) against `exercise`.
    pub fn new(exercise: &Exercise, mut submissions: Vec<Graded>) -> Report {
        submissions.sort_by(|a, b| a.submission.cmp(&b.submission));
        Report {
            exercise: exercise.title.clone(),
            questions: exercise
                .items
                .iter()
                .map(|item| QuestionInfo {
                    name: item.name.clone(),
                    max_score: item.points,
                    hidden: item.hidden,
                    kind: match item.kind {
                        ItemKind::Question => "question",
                        ItemKind::Require => "require",
                    },
                })
                .collect(),
            max_score: exercise.max_score(),
            submissions,
        }
    }
}
