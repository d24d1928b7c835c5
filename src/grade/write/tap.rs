//! TAP version 14: a subtest per submission, a test point per question, and YAML
//! diagnostics under each question that is not fully right (`got`, `expect` unless
//! hidden, `score`, `max_score`, `status`, `message`).
//!
//! Test names are escaped (`#` and `\` would start a directive or an escape), and
//! every YAML string is written as a JSON string, which YAML reads as it is.

use std::fmt::Write as _;

use crate::grade::report::{Answer, Graded, QuestionResult, Report, Status};
use crate::number::format_number;

pub fn tap(report: &Report) -> String {
    let mut tap = String::from("TAP version 14\n");
    let _ = writeln!(tap, "1..{}", report.submissions.len());
    for (k, graded) in report.submissions.iter().enumerate() {
        let _ = writeln!(tap, "# Subtest: {}", name(&graded.submission));
        subtest(&mut tap, graded);
        let ok = if graded.score == graded.max_score && graded.gradable {
            "ok"
        } else {
            "not ok"
        };
        let _ = writeln!(
            tap,
            "{ok} {} - {} ({} of {} points)",
            k + 1,
            name(&graded.submission),
            format_number(graded.score),
            format_number(graded.max_score)
        );
    }
    tap
}

fn subtest(tap: &mut String, graded: &Graded) {
    let indent = "    ";
    for line in &graded.feedback {
        let _ = writeln!(tap, "{indent}# {}", one_line(line));
    }
    let _ = writeln!(tap, "{indent}1..{}", graded.questions.len());
    for (k, question) in graded.questions.iter().enumerate() {
        let ok = if question.status == Status::Passed {
            "ok"
        } else {
            "not ok"
        };
        let _ = writeln!(tap, "{indent}{ok} {} - {}", k + 1, name(&question.name));
        if question.status != Status::Passed {
            diagnostics(tap, question);
        }
    }
}

/// The YAML block under a test point, two spaces deeper than it.
fn diagnostics(tap: &mut String, question: &QuestionResult) {
    let indent = "      ";
    let _ = writeln!(tap, "{indent}---");
    let _ = writeln!(tap, "{indent}message: {}", string(&question.feedback));
    let _ = writeln!(tap, "{indent}status: {}", question.status.name());
    let _ = writeln!(tap, "{indent}score: {}", number(question.score));
    let _ = writeln!(tap, "{indent}max_score: {}", number(question.max_score));
    let _ = writeln!(tap, "{indent}got: {}", answer(&question.got));
    if !question.expected.is_none() {
        let _ = writeln!(tap, "{indent}expect: {}", answer(&question.expected));
    }
    if !question.at.is_empty() {
        let at: Vec<String> = question.at.iter().map(|point| string(point)).collect();
        let _ = writeln!(tap, "{indent}at: [{}]", at.join(", "));
    }
    let _ = writeln!(tap, "{indent}...");
}

/// An answer as YAML: a number, a list of numbers (`~` where none), a boolean, or `~`.
fn answer(answer: &Answer) -> String {
    match answer {
        Answer::None => "~".to_string(),
        Answer::One(x) => number(*x),
        Answer::Holds(holds) => holds.to_string(),
        Answer::Many(points) => {
            let items: Vec<String> = points
                .iter()
                .map(|point| point.0.map_or_else(|| "~".to_string(), number))
                .collect();
            format!("[{}]", items.join(", "))
        }
    }
}

/// A number as YAML reads one (`.nan`, `.inf` for the others, which a grade never holds).
fn number(x: f64) -> String {
    if x.is_nan() {
        ".nan".to_string()
    } else if x.is_infinite() {
        if x > 0.0 { ".inf" } else { "-.inf" }.to_string()
    } else {
        format_number(x)
    }
}

/// A string as a YAML double-quoted scalar (JSON's syntax, which YAML accepts).
fn string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

/// A test name on one line, with TAP's special characters escaped.
fn name(text: &str) -> String {
    one_line(text).replace('\\', "\\\\").replace('#', "\\#")
}

fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}
