//! Reports as text: one pure function per format, from a [`Report`] to the bytes
//! to write. Each writes the same bytes for the same report.
//!
//! - [`table`]: for the instructor's terminal, a row per submission, a column per question.
//! - [`json_lines`]: `--format json`, one object per submission (SPEC §8's fields).
//! - [`gradescope`], [`prairielearn`]: the `results.json` each platform reads, for one submission.
//! - [`junit`]: JUnit XML, a test suite per submission, for CI dashboards.
//! - [`tap`]: TAP version 14, a subtest per submission, with YAML diagnostics.

mod gradescope;
mod junit;
mod prairielearn;
mod table;
mod tap;

pub use gradescope::gradescope;
pub use junit::junit;
pub use prairielearn::prairielearn;
pub use table::table;
pub use tap::tap;

use serde::Serialize;

use super::report::{Graded, QuestionResult, Report};
use crate::output::number;

/// One submission as `--format json` writes it.
#[derive(Serialize)]
struct GradeLine<'a> {
    cmd: &'static str,
    submission: &'a str,
    #[serde(serialize_with = "number")]
    score: f64,
    #[serde(serialize_with = "number")]
    max_score: f64,
    gradable: bool,
    feedback: &'a [String],
    questions: &'a [QuestionResult],
}

/// `{"cmd":"grade",…}` for one submission, without a newline.
pub fn json_line(graded: &Graded) -> String {
    let line = GradeLine {
        cmd: "grade",
        submission: &graded.submission,
        score: graded.score,
        max_score: graded.max_score,
        gradable: graded.gradable,
        feedback: &graded.feedback,
        questions: &graded.questions,
    };
    // Plain data always serialises; the fallback keeps the line JSON if that changes.
    serde_json::to_string(&line).unwrap_or_else(|error| {
        serde_json::json!({"cmd": "error", "kind": "usage", "message": error.to_string()}).to_string()
    })
}

/// JSON Lines: one object per submission, in the report's order.
pub fn json_lines(report: &Report) -> String {
    report
        .submissions
        .iter()
        .map(|graded| json_line(graded) + "\n")
        .collect()
}

/// Pretty JSON with a final newline, as a person may read the file.
fn pretty(value: &serde_json::Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string()) + "\n"
}

/// What a platform that grades one submission at a time is told when a folder held
/// none, or more than one: the submission is the one `.mg` file a student hands in.
fn not_one(report: &Report) -> Option<String> {
    match report.submissions.len() {
        1 => None,
        0 => Some("No .mg file was found in your submission: hand in your program as one .mg file.".to_string()),
        n => Some(format!(
            "Your submission holds {n} .mg files ({}); hand in only the one to grade.",
            report
                .submissions
                .iter()
                .map(|graded| graded.submission.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}
