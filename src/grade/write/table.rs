//! The table `mgrad grade` prints: a row per submission, a column per question
//! (its score), the total, and a note saying why a submission scored nothing.

use crate::grade::report::{Graded, Report, Status};
use crate::number::format_number;

/// Question names in headers are cut to this many characters.
const HEADER_CHARS: usize = 14;

pub fn table(report: &Report) -> String {
    let mut header = vec!["submission".to_string()];
    header.extend(report.questions.iter().map(|question| cut(&question.name)));
    header.push("total".to_string());
    header.push(String::new());
    let mut points = vec![String::new()];
    points.extend(
        report
            .questions
            .iter()
            .map(|question| format!("/{}", score(question.max_score))),
    );
    points.push(format!("/{}", score(report.max_score)));
    points.push(String::new());
    let mut rows = vec![header, points];
    for graded in &report.submissions {
        let mut row = vec![one_line(&graded.submission)];
        row.extend(graded.questions.iter().map(|question| match question.status {
            Status::NotGraded => "-".to_string(),
            Status::Error => format!("{}!", score(question.score)),
            _ => score(question.score),
        }));
        row.push(score(graded.score));
        row.push(note(graded));
        rows.push(row);
    }
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|row| row[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut text = format!(
        "{}: {} submission{}, {} question{}, {} points\n\n",
        report.exercise,
        report.submissions.len(),
        if report.submissions.len() == 1 { "" } else { "s" },
        report.questions.len(),
        if report.questions.len() == 1 { "" } else { "s" },
        score(report.max_score)
    );
    for row in &rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            if c == 0 || c + 1 == columns {
                // The names and the note read from the left.
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
            line.push_str("  ");
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    if let Some(mean) = mean(report) {
        text.push_str(&format!(
            "\nmean {} of {}; '!' marks a question the submission's code failed on, '-' one not graded\n",
            score(mean),
            score(report.max_score)
        ));
    }
    text
}

/// A score as the table shows it: at most two decimals (JSON and reports keep every digit).
fn score(x: f64) -> String {
    format_number((x * 100.0).round() / 100.0)
}

/// Text on one line: a control character (a newline in a file name) becomes a space.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

fn cut(name: &str) -> String {
    let one_line = one_line(name);
    if one_line.chars().count() <= HEADER_CHARS {
        return one_line;
    }
    let kept: String = one_line.chars().take(HEADER_CHARS - 1).collect();
    format!("{kept}…")
}

/// Why a submission lost everything, in a few words.
fn note(graded: &Graded) -> String {
    if !graded.gradable {
        "does not parse".to_string()
    } else if graded.questions.iter().any(|q| q.status == Status::Forbidden) {
        "uses what is forbidden".to_string()
    } else if graded
        .feedback
        .iter()
        .any(|line| line.starts_with("Your program stopped"))
    {
        "stopped early".to_string()
    } else {
        String::new()
    }
}

fn mean(report: &Report) -> Option<f64> {
    let count = report.submissions.len();
    (count > 0).then(|| report.submissions.iter().map(|graded| graded.score).sum::<f64>() / count as f64)
}
