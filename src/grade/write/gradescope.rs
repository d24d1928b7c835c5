//! Gradescope's `results.json` for one submission (its autograder specification):
//! `score`, `output` (what concerns the whole submission), and a test per question
//! with `name`, `number`, `score`, `max_score`, `status` (`passed` or `failed`),
//! `output` and `visibility`; a hidden question is shown `after_published`.

use serde_json::{Value, json};

use super::{not_one, pretty};
use crate::grade::report::{Report, Status};

pub fn gradescope(report: &Report) -> String {
    if let Some(problem) = not_one(report) {
        let tests: Vec<Value> = report
            .questions
            .iter()
            .enumerate()
            .map(|(k, question)| {
                json!({
                    "name": question.name,
                    "number": (k + 1).to_string(),
                    "score": 0.0,
                    "max_score": question.max_score,
                    "status": "failed",
                    "output": "not graded: see the message above",
                    "visibility": visibility(question.hidden),
                })
            })
            .collect();
        return pretty(&json!({"score": 0.0, "output": problem, "tests": tests}));
    }
    let graded = &report.submissions[0];
    let tests: Vec<Value> = graded
        .questions
        .iter()
        .enumerate()
        .map(|(k, question)| {
            json!({
                "name": question.name,
                "number": (k + 1).to_string(),
                "score": question.score,
                "max_score": question.max_score,
                "status": if question.status == Status::Passed { "passed" } else { "failed" },
                "output": question.feedback,
                "visibility": visibility(question.hidden),
            })
        })
        .collect();
    let mut output = format!(
        "{}: {} of {} points.",
        report.exercise,
        crate::number::format_number(graded.score),
        crate::number::format_number(graded.max_score)
    );
    for line in &graded.feedback {
        output.push('\n');
        output.push_str(line);
    }
    pretty(&json!({"score": graded.score, "output": output, "tests": tests}))
}

fn visibility(hidden: bool) -> &'static str {
    if hidden { "after_published" } else { "visible" }
}
