//! Errors as the user sees them.
//!
//! Each stage has its own error type (`parser::ParseError`,
//! `interpreter::RuntimeError`); both become a [`Diagnostic`], and this module
//! is the one place that turns a diagnostic into text (the source line with a
//! caret, via codespan-reporting) or into the JSON fields of `--format json`.

mod excerpt;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::term::{self, termcolor};
use serde::Serialize;

use crate::span::{LineCol, LineIndex, Span};
use excerpt::{Excerpt, Excerpts};

/// Which stage found the error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Parse,
    Runtime,
    Assertion,
    /// mgrad was called wrongly (a bad argument, a script that cannot be
    /// read) or a REPL meta-command went wrong: there is no source position.
    Usage,
    /// A limit of `crate::limits` was reached (time, memory, nodes, output, depth, …).
    Limit,
    /// The run was stopped from outside (Ctrl-C).
    Interrupted,
    /// A graded submission used what its exercise forbids (`grad`, `derivative`, …).
    Forbidden,
    /// An exercise file (SPEC §8) that is not valid: an unknown option, a question
    /// the reference cannot answer, …
    Exercise,
}

/// A usage error as `--format json` writes it: the fields of every error
/// (SPEC §6), with `source`, `line` and `column` null, as it has no position.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UsageErrorJson {
    pub cmd: &'static str,
    pub kind: ErrorKind,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub source: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl UsageErrorJson {
    pub fn new(message: &str, help: Option<&str>) -> UsageErrorJson {
        UsageErrorJson {
            cmd: "error",
            kind: ErrorKind::Usage,
            message: message.to_string(),
            help: help.map(str::to_string),
            source: None,
            line: None,
            column: None,
        }
    }
}

/// An error ready to show: a sentence, where it happened, and a fix where one is clear.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub kind: ErrorKind,
    pub message: String,
    pub span: Span,
    /// A short label under the caret.
    pub label: Option<String>,
    /// A suggested fix, shown as `= help: …`.
    pub help: Option<String>,
    /// Other places that explain the error, shown under it as secondary labels: for an
    /// error inside a function, the calls that led there, innermost first.
    pub context: Vec<(Span, String)>,
}

/// One source text: a script, an `-e` argument, or a REPL entry.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    /// Where this file starts in the session's address space.
    pub base: usize,
    pub text: String,
    /// The line number of its first line where the user wrote it: 1, or
    /// further down for an entry of a REPL fed from a pipe.
    pub first_line: usize,
}

/// All the sources of a session, laid end to end in one address space, so that
/// a span alone says which source it points into (a function defined in one REPL
/// entry may fail when called from another).
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// Adds a source and returns its base offset.
    pub fn add(&mut self, name: &str, text: &str) -> usize {
        self.add_at(name, text, 1)
    }

    /// Adds a source whose first line is line `first_line` of what the user
    /// wrote (an entry read from a pipe), and returns its base offset.
    pub fn add_at(&mut self, name: &str, text: &str, first_line: usize) -> usize {
        let base = self.files.last().map_or(0, |file| file.base + file.text.len() + 1);
        self.files.push(SourceFile {
            name: name.to_string(),
            base,
            text: text.to_string(),
            first_line: first_line.max(1),
        });
        base
    }

    pub fn file_at(&self, offset: usize) -> Option<&SourceFile> {
        let index = self.files.partition_point(|file| file.base <= offset);
        self.files.get(index.checked_sub(1)?)
    }

    /// The text a span covers ("" if it is not in any source).
    pub fn slice(&self, span: Span) -> &str {
        self.file_at(span.start)
            .and_then(|file| {
                file.text
                    .get(span.start - file.base..span.end.saturating_sub(file.base))
            })
            .unwrap_or("")
    }

    /// The line and column where `offset` is, in its own source.
    pub fn line_col(&self, offset: usize) -> LineCol {
        match self.file_at(offset) {
            Some(file) => {
                let at = LineIndex::new(&file.text).line_col(offset - file.base);
                LineCol {
                    line: at.line + file.first_line - 1,
                    column: at.column,
                }
            }
            None => LineCol { line: 1, column: 1 },
        }
    }

    /// Renders a diagnostic with its source line and a caret under the span.
    pub fn render(&self, diagnostic: &Diagnostic, color: bool) -> String {
        let line_col = self.line_col(diagnostic.span.start);
        let headline = format!(
            "{} (line {}, column {})",
            diagnostic.message, line_col.line, line_col.column
        );
        let mut report = Report::error().with_message(headline);
        // The lines the labels cover, long ones cut around them (see `excerpt`):
        // the error's span, then the calls it happened in, which may lie in other
        // sources (a function defined in an earlier REPL entry); one excerpt per source.
        let spans: Vec<(Span, bool, String)> =
            std::iter::once((diagnostic.span, true, diagnostic.label.clone().unwrap_or_default()))
                .chain(
                    diagnostic
                        .context
                        .iter()
                        .map(|(span, message)| (*span, false, message.clone())),
                )
                .collect();
        let mut excerpts = Excerpts::default();
        let mut labels = Vec::new();
        let mut bases: Vec<usize> = Vec::new();
        for (span, _, _) in &spans {
            if let Some(file) = self.file_at(span.start)
                && !bases.contains(&file.base)
            {
                bases.push(file.base);
            }
        }
        for base in bases {
            let Some(file) = self.file_at(base) else { continue };
            let in_file: Vec<&(Span, bool, String)> = spans
                .iter()
                .filter(|(span, _, _)| self.file_at(span.start).is_some_and(|f| f.base == base))
                .collect();
            let ranges: Vec<std::ops::Range<usize>> = in_file
                .iter()
                .map(|(span, _, _)| span.start - base..span.end.saturating_sub(base))
                .collect();
            let (excerpt, shown) = Excerpt::of_spans(&file.name, &file.text, file.first_line, &ranges);
            let id = excerpts.0.len();
            excerpts.0.push(excerpt);
            for ((_, primary, message), range) in in_file.into_iter().zip(shown) {
                let label = if *primary {
                    Label::primary(id, range)
                } else {
                    Label::secondary(id, range)
                };
                labels.push(label.with_message(message.clone()));
            }
        }
        if !labels.is_empty() {
            report = report.with_labels(labels);
        }
        if let Some(help) = &diagnostic.help {
            report = report.with_notes(vec![format!("help: {help}")]);
        }
        let config = term::Config::default();
        let rendered = if color {
            let mut buffer = termcolor::Buffer::ansi();
            term::emit_to_write_style(&mut buffer, &config, &excerpts, &report)
                .map(|()| String::from_utf8_lossy(buffer.as_slice()).into_owned())
        } else {
            term::emit_into_string(&config, &excerpts, &report)
        };
        // Rendering only fails for spans outside the files, which `render` clamps; fall back to the headline.
        rendered.unwrap_or_else(|_| format!("error: {}\n", diagnostic.message))
    }

    /// The fields of `{"cmd":"error",…}` for `--format json`.
    pub fn error_json(&self, diagnostic: &Diagnostic) -> ErrorJson {
        let line_col = self.line_col(diagnostic.span.start);
        ErrorJson {
            cmd: "error",
            kind: diagnostic.kind,
            message: diagnostic.message.clone(),
            help: diagnostic.help.clone(),
            source: self
                .file_at(diagnostic.span.start)
                .map_or_else(String::new, |file| file.name.clone()),
            line: line_col.line,
            column: line_col.column,
        }
    }
}

/// An error in `--format json`: `{"cmd":"error","kind","message","help","source","line","column"}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErrorJson {
    pub cmd: &'static str,
    pub kind: ErrorKind,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// The name of the source the error is in: a script's path, `<-e>`,
    /// `<stdin>`, or `<repl N>` for the Nth entry typed into the REPL.
    pub source: String,
    pub line: usize,
    pub column: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_find_their_own_source() {
        let mut sources = SourceMap::default();
        let first = sources.add("<repl 1>", "fn f(x) = log(x)");
        let second = sources.add("<repl 2>", "y = f(-1)");
        assert_eq!(first, 0);
        assert_eq!(sources.slice(Span::new(second + 4, second + 9)), "f(-1)");
        assert_eq!(sources.slice(Span::new(10, 16)), "log(x)");
        assert_eq!(sources.line_col(second + 4), LineCol { line: 1, column: 5 });
    }

    #[test]
    fn rendering_shows_line_column_and_help() {
        let mut sources = SourceMap::default();
        sources.add("script.mg", "a = 1\nb = aa + 1\n");
        let diagnostic = Diagnostic {
            kind: ErrorKind::Runtime,
            message: "unknown name 'aa'".to_string(),
            span: Span::new(10, 12),
            label: Some("not defined".to_string()),
            help: Some("did you mean 'a'?".to_string()),
            context: Vec::new(),
        };
        let text = sources.render(&diagnostic, false);
        assert!(text.contains("unknown name 'aa' (line 2, column 5)"), "{text}");
        assert!(text.contains("script.mg:2:5"), "{text}");
        assert!(text.contains("^^ not defined"), "{text}");
        assert!(text.contains("help: did you mean 'a'?"), "{text}");
    }
}
