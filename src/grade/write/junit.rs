//! JUnit XML, as CI dashboards read it: a `<testsuite>` per submission, a
//! `<testcase>` per question; a wrong answer is a `<failure>`, a question that could
//! not be computed (or a submission that does not parse) an `<error>`, and the score
//! a pair of `<property>` elements.
//!
//! Everything a submission controls (its name, the values and messages in its
//! feedback) is escaped, and characters XML 1.0 cannot hold are replaced.

use std::fmt::Write as _;

use crate::grade::report::{Report, Status};
use crate::number::format_number;

pub fn junit(report: &Report) -> String {
    let count = |wanted: &[Status]| {
        report
            .submissions
            .iter()
            .flat_map(|graded| &graded.questions)
            .filter(|question| wanted.contains(&question.status))
            .count()
    };
    let failures = count(&[Status::Failed, Status::Partial, Status::Forbidden]);
    let errors = count(&[Status::Error, Status::NotGraded]);
    let tests: usize = report.submissions.iter().map(|graded| graded.questions.len()).sum();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">",
        escape(&report.exercise)
    );
    for graded in &report.submissions {
        let failures = graded
            .questions
            .iter()
            .filter(|q| matches!(q.status, Status::Failed | Status::Partial | Status::Forbidden))
            .count();
        let errors = graded
            .questions
            .iter()
            .filter(|q| matches!(q.status, Status::Error | Status::NotGraded))
            .count();
        let _ = writeln!(
            xml,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\">",
            escape(&graded.submission),
            graded.questions.len()
        );
        let _ = writeln!(xml, "    <properties>");
        let _ = writeln!(
            xml,
            "      <property name=\"score\" value=\"{}\"/>",
            format_number(graded.score)
        );
        let _ = writeln!(
            xml,
            "      <property name=\"max_score\" value=\"{}\"/>",
            format_number(graded.max_score)
        );
        let _ = writeln!(xml, "      <property name=\"gradable\" value=\"{}\"/>", graded.gradable);
        let _ = writeln!(xml, "    </properties>");
        for question in &graded.questions {
            let open = format!(
                "    <testcase name=\"{}\" classname=\"{}\"",
                escape(&question.name),
                escape(&graded.submission)
            );
            let score = format!(
                "{} of {} points",
                format_number(question.score),
                format_number(question.max_score)
            );
            let element = match question.status {
                Status::Passed => {
                    let _ = writeln!(xml, "{open}/>");
                    continue;
                }
                Status::Failed | Status::Partial | Status::Forbidden => "failure",
                Status::Error | Status::NotGraded => "error",
            };
            let _ = writeln!(xml, "{open}>");
            let _ = writeln!(
                xml,
                "      <{element} message=\"{}\" type=\"{}\">{}</{element}>",
                escape(&score),
                question.status.name(),
                escape(&question.feedback)
            );
            let _ = writeln!(xml, "    </testcase>");
        }
        if !graded.feedback.is_empty() {
            let _ = writeln!(
                xml,
                "    <system-out>{}</system-out>",
                escape(&graded.feedback.join("\n"))
            );
        }
        let _ = writeln!(xml, "  </testsuite>");
    }
    xml.push_str("</testsuites>\n");
    xml
}

/// Text for an XML attribute or element: the five special characters as entities,
/// and any character XML 1.0 does not allow (most control characters, unpaired
/// surrogates cannot occur in a `str`) as U+FFFD.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Newlines and tabs in attributes would be normalised to spaces: keep them.
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            c if allowed_in_xml(c) => out.push(c),
            _ => out.push('\u{fffd}'),
        }
    }
    out
}

/// XML 1.0's `Char`: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
fn allowed_in_xml(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}
