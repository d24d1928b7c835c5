//! PrairieLearn's `results.json` for one externally graded submission: `gradable`
//! (false for a file that does not parse), `score` as a fraction from 0 to 1,
//! `message`, `output`, and a test per question with `name`, `points`,
//! `max_points`, `message` and `output`.

use serde_json::{Value, json};

use super::{not_one, pretty};
use crate::grade::report::Report;

pub fn prairielearn(report: &Report) -> String {
    if let Some(problem) = not_one(report) {
        return pretty(&json!({
            "gradable": false,
            "score": 0.0,
            "message": problem,
            "output": problem,
            "tests": [],
        }));
    }
    let graded = &report.submissions[0];
    let fraction = if graded.max_score > 0.0 {
        (graded.score / graded.max_score).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let tests: Vec<Value> = graded
        .questions
        .iter()
        .map(|question| {
            json!({
                "name": question.name,
                "points": question.score,
                "max_points": question.max_score,
                "message": question.status.name(),
                "output": question.feedback,
            })
        })
        .collect();
    let message = format!(
        "{}: {} of {} points.",
        report.exercise,
        crate::number::format_number(graded.score),
        crate::number::format_number(graded.max_score)
    );
    pretty(&json!({
        "gradable": graded.gradable,
        "score": fraction,
        "message": message,
        "output": graded.feedback.join("\n"),
        "tests": tests,
    }))
}
