//! `mgrad grade --handout`: the file a student starts from.

use super::exercise::{Exercise, ItemKind};
use super::score::points;

/// The student's starting file: a header, setup as written (so that the file runs on
/// its own; the grader runs setup before it anyway), then one commented line per
/// question and requirement. The reference is never part of it.
pub fn handout(exercise: &Exercise) -> String {
    let mut text = format!("# {}\n#\n", exercise.title);
    if exercise.forbidden.is_empty() {
        text.push_str("# Everything mg has is allowed in this exercise.\n");
    } else {
        text.push_str(&format!(
            "# Not allowed in this exercise: {}.\n",
            exercise.forbidden.names().join(", ")
        ));
    }
    let setup = dedent(exercise.setup_text());
    if !setup.is_empty() {
        text.push_str(
            "#\n# The grader runs this setup before your code; it is copied here so that\n\
             # this file runs on its own (mgrad FILE.mg). Leave it as it is.\n\n",
        );
        text.push_str(&setup);
        text.push('\n');
    }
    text.push_str("\n# Your code goes here.\n\n\n# What the grader reads once your code has run:\n");
    for item in &exercise.items {
        let what = match item.kind {
            ItemKind::Question => "",
            ItemKind::Require => "must hold: ",
        };
        let mut expr = exercise.text(item.expr.span).to_string();
        if let Some(over) = &item.over {
            expr.push_str(&format!(
                " for {} in {}",
                over.name.name,
                exercise.text(over.points.span)
            ));
        }
        text.push_str(&format!("#   {} ({}): {what}{expr}\n", item.name, points(item.points)));
    }
    text
}

/// `text` without its blank first and last lines and the indentation all its lines share.
fn dedent(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let first = lines.iter().position(|line| !line.trim().is_empty());
    let last = lines.iter().rposition(|line| !line.trim().is_empty());
    let (Some(first), Some(last)) = (first, last) else {
        return String::new();
    };
    let lines = &lines[first..=last];
    let indent = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|line| line.get(indent..).unwrap_or(line.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}
