//! Scoring: the tolerance rule, partial credit over a question's points, and the
//! feedback a student reads (got, expected unless hidden, tolerance, points).

use super::exercise::Item;
use super::key::Answers;
use super::report::{Answer, Point, QuestionResult, Status};
use crate::number::format_number;

/// SPEC §8's rule: `|got - expected| <= atol + rtol * |expected|`. A value that is not
/// finite never matches.
pub fn within(got: f64, expected: f64, atol: f64, rtol: f64) -> bool {
    got.is_finite() && (got - expected).abs() <= atol + rtol * expected.abs()
}

/// `1 point`, `2 points`, `1.5 points`.
pub(super) fn points(x: f64) -> String {
    format!("{} point{}", format_number(x), if x == 1.0 { "" } else { "s" })
}

/// `1 of 2 points`.
fn score_text(score: f64, max: f64) -> String {
    format!("{} of {}", format_number(score), points(max))
}

/// The tolerance as a person reads it: `tolerance 1e-6 + 1e-6·|expected|`.
fn tolerance(item: &Item) -> String {
    match (item.atol, item.rtol) {
        (0.0, 0.0) => "exact match".to_string(),
        (a, 0.0) => format!("tolerance {}", format_number(a)),
        (0.0, r) => format!("tolerance {}·|expected|", format_number(r)),
        (a, r) => format!("tolerance {} + {}·|expected|", format_number(a), format_number(r)),
    }
}

/// A question of one submission, from what each point gave (`Err`: why it could not
/// be computed, a sentence). `notes` are added for a question not fully right.
pub(super) fn question(
    item: &Item,
    answers: &Answers,
    got: &[Result<f64, String>],
    notes: &[String],
) -> QuestionResult {
    let checks = answers.expected.len().max(1);
    let matched = got
        .iter()
        .zip(&answers.expected)
        .filter(|(got, expected)| matches!(got, Ok(x) if within(*x, **expected, item.atol, item.rtol)))
        .count();
    let errors = got.iter().filter(|got| got.is_err()).count();
    let score = item.points * matched as f64 / checks as f64;
    let status = if matched == checks {
        Status::Passed
    } else if matched > 0 {
        Status::Partial
    } else if errors > 0 {
        Status::Error
    } else {
        Status::Failed
    };
    let line = |got: &Result<f64, String>, expected: f64| match got {
        Err(why) => format!("could not be computed: {why}"),
        Ok(x) if item.hidden => {
            let verdict = if within(*x, expected, item.atol, item.rtol) {
                "right"
            } else {
                "wrong"
            };
            format!("got {}, {verdict}", format_number(*x))
        }
        Ok(x) if within(*x, expected, item.atol, item.rtol) => {
            format!("got {}, expected {}, right", format_number(*x), format_number(expected))
        }
        Ok(x) => format!(
            "got {}, expected {}, off by {}",
            format_number(*x),
            format_number(expected),
            crate::number::format_error((x - expected).abs())
        ),
    };
    let hidden_note = if item.hidden {
        "the expected value is hidden; "
    } else {
        ""
    };
    let mut feedback = if answers.at.is_empty() {
        let got = got
            .first()
            .cloned()
            .unwrap_or_else(|| Err("nothing was computed".to_string()));
        let expected = answers.expected.first().copied().unwrap_or(f64::NAN);
        format!(
            "{} ({hidden_note}{}); {}.",
            line(&got, expected),
            tolerance(item),
            score_text(score, item.points)
        )
    } else {
        let name = item.over.as_ref().map_or("x", |over| over.name.name.as_str());
        let mut text = format!(
            "{matched} of {checks} points right ({hidden_note}{}); {}.",
            tolerance(item),
            score_text(score, item.points)
        );
        for ((point, got), expected) in answers.at.iter().zip(got).zip(&answers.expected) {
            text.push_str(&format!(" At {name} = {}: {}.", point.describe(), line(got, *expected)));
        }
        text
    };
    if status != Status::Passed {
        for note in notes {
            feedback.push(' ');
            feedback.push_str(note);
        }
    }
    let got_answer = if answers.at.is_empty() {
        match got.first() {
            Some(Ok(x)) => Answer::One(*x),
            _ => Answer::None,
        }
    } else {
        Answer::Many(got.iter().map(|got| Point(got.as_ref().ok().copied())).collect())
    };
    let expected = if item.hidden {
        Answer::None
    } else if answers.at.is_empty() {
        answers.expected.first().map_or(Answer::None, |x| Answer::One(*x))
    } else {
        Answer::Many(answers.expected.iter().map(|x| Point(Some(*x))).collect())
    };
    let name = item.over.as_ref().map_or("x", |over| over.name.name.as_str());
    QuestionResult {
        name: item.name.clone(),
        score,
        max_score: item.points,
        status,
        got: got_answer,
        expected,
        at: answers
            .at
            .iter()
            .map(|point| format!("{name} = {}", point.describe()))
            .collect(),
        hidden: item.hidden,
        feedback,
    }
}

/// A requirement of one submission: whether it holds (`Err`: why it could not be
/// checked), and for one that does not, what its sides were (`detail`).
pub(super) fn requirement(
    item: &Item,
    holds: Result<bool, String>,
    detail: Option<String>,
    notes: &[String],
) -> QuestionResult {
    let (status, score, got) = match &holds {
        Ok(true) => (Status::Passed, item.points, Answer::Holds(true)),
        Ok(false) => (Status::Failed, 0.0, Answer::Holds(false)),
        Err(_) => (Status::Error, 0.0, Answer::None),
    };
    let mut feedback = match holds {
        Ok(true) => format!("holds; {}.", score_text(score, item.points)),
        Ok(false) => match detail {
            Some(detail) => format!("does not hold: {detail}; {}.", score_text(score, item.points)),
            None => format!("does not hold; {}.", score_text(score, item.points)),
        },
        Err(why) => format!("could not be checked: {why}; {}.", score_text(score, item.points)),
    };
    if status != Status::Passed {
        for note in notes {
            feedback.push(' ');
            feedback.push_str(note);
        }
    }
    QuestionResult {
        name: item.name.clone(),
        score,
        max_score: item.points,
        status,
        got,
        expected: Answer::None,
        at: Vec::new(),
        hidden: item.hidden,
        feedback,
    }
}

/// A question that was not graded (the file does not parse) or scores 0 because the
/// submission uses what is forbidden.
pub(super) fn zero(item: &Item, status: Status, why: &str) -> QuestionResult {
    QuestionResult {
        name: item.name.clone(),
        score: 0.0,
        max_score: item.points,
        status,
        got: Answer::None,
        expected: Answer::None,
        at: Vec::new(),
        hidden: item.hidden,
        feedback: format!("{}; {}.", why.trim_end_matches('.'), score_text(0.0, item.points)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tolerance_rule_is_absolute_plus_relative() {
        assert!(within(6.0, 6.0, 0.0, 0.0));
        assert!(within(6.0 + 0.9e-6, 6.0, 1e-6, 0.0));
        assert!(!within(6.0 + 1.1e-6, 6.0, 1e-6, 0.0));
        // 1e6 * 1e-6 = 1 of relative room.
        assert!(within(1e6 + 0.9, 1e6, 0.0, 1e-6));
        assert!(!within(1e6 + 1.1, 1e6, 0.0, 1e-6));
        assert!(!within(f64::NAN, 6.0, 1.0, 1.0));
        assert!(!within(f64::INFINITY, 6.0, 1.0, 1.0));
    }
}
