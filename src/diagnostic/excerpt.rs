//! The part of a source that a diagnostic shows: the lines its span covers,
//! each cut to a window around the span where it is long, with the line and
//! column numbers of the whole source.
//!
//! codespan-reporting prints every line a label touches in full: a 200,000
//! character line would be printed whole (twice, with the caret line). An
//! [`Excerpt`] hands it short lines instead, through its own [`Files`], which
//! reports the true line numbers (a piped REPL entry may start at line 40)
//! and the true columns (counted in the uncut line).

use std::ops::Range;

use codespan_reporting::files::{Error, Files};

/// Lines longer than this many characters are cut to a window of it.
pub const MAX_LINE_CHARS: usize = 120;

/// How many characters of a cut line are kept before the span starts.
const CONTEXT_BEFORE: usize = 40;

/// A span over more lines than this shows only its first line.
const MAX_LINES: usize = 8;

/// What marks a cut.
const ELLIPSIS: &str = "…";

/// One shown line: where its window lies in the source, and how it shows.
#[derive(Debug)]
struct ShownLine {
    /// Where the whole line starts in the source, for counting columns.
    line_start: usize,
    /// The part of the source shown.
    window: Range<usize>,
    /// Where this line starts in the excerpt's text.
    start: usize,
    /// Whether the line is shown with an ellipsis before the window.
    cut_before: bool,
}

/// The lines of a span, ready for codespan-reporting (a single file, id `()`).
#[derive(Debug)]
pub struct Excerpt {
    name: String,
    text: String,
    lines: Vec<ShownLine>,
    /// The line number of the first shown line.
    first_line_number: usize,
    source: String,
}

impl Excerpt {
    /// The lines of `source` that `span` covers (byte offsets into `source`),
    /// named `name`, whose first line is line `first_line` of what the user
    /// wrote. Returns the excerpt and the span's range in its text.
    #[cfg(test)]
    pub fn new(name: &str, source: &str, first_line: usize, span: Range<usize>) -> (Excerpt, Range<usize>) {
        let (excerpt, mut ranges) = Excerpt::of_spans(name, source, first_line, &[span]);
        (excerpt, ranges.pop().unwrap_or(0..0))
    }

    /// The lines of several spans of one source (a diagnostic's labels):
    /// the lines from the first span's to the last one's, so that the labels
    /// show in one snippet, in order. Returns each span's range in the text.
    pub fn of_spans(
        name: &str,
        source: &str,
        first_line: usize,
        spans: &[Range<usize>],
    ) -> (Excerpt, Vec<Range<usize>>) {
        let line_start = |at: usize| source[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_end = |at: usize| source[at..].find('\n').map_or(source.len(), |i| at + i);
        // Each span within the source, on char boundaries, and no more than MAX_LINES lines long.
        let spans: Vec<Range<usize>> = spans
            .iter()
            .map(|span| {
                let start = floor_char_boundary(source, span.start.min(source.len()));
                let mut end = floor_char_boundary(source, span.end.clamp(start, source.len()));
                if source[line_start(start)..end].matches('\n').count() >= MAX_LINES {
                    end = line_end(start);
                }
                start..end
            })
            .collect();
        let first = line_start(spans.iter().map(|span| span.start).min().unwrap_or(0));
        let last = line_end(spans.iter().map(|span| span.end).max().unwrap_or(0));
        let mut excerpt = Excerpt {
            name: name.to_string(),
            text: String::new(),
            lines: Vec::new(),
            first_line_number: first_line + source[..first].matches('\n').count(),
            source: source.to_string(),
        };
        let mut ranges = vec![0..0; spans.len()];
        let mut at = first;
        loop {
            let stop = line_end(at);
            // Keep the first span that starts on this line in view.
            let focus = spans
                .iter()
                .map(|span| span.start)
                .filter(|start| (at..=stop).contains(start))
                .min()
                .unwrap_or(at);
            let shown = excerpt.push_line(at..stop, focus);
            for (span, range) in spans.iter().zip(&mut ranges) {
                if (at..=stop).contains(&span.start) {
                    range.start = excerpt.offset_in(shown, span.start);
                }
                if (at..=stop).contains(&span.end) {
                    range.end = excerpt.offset_in(shown, span.end).max(range.start);
                }
            }
            if stop >= last {
                break;
            }
            at = stop + 1;
        }
        (excerpt, ranges)
    }

    /// Adds a line of the source, cut around `focus` if it is long; returns its index.
    fn push_line(&mut self, line: Range<usize>, focus: usize) -> usize {
        let text = &self.source[line.clone()];
        let window = if text.chars().count() <= MAX_LINE_CHARS {
            line.clone()
        } else {
            // CONTEXT_BEFORE characters before the focus, the rest after it.
            let before: Vec<usize> = self.source[line.start..focus]
                .char_indices()
                .map(|(i, _)| line.start + i)
                .collect();
            let from = before
                .len()
                .checked_sub(CONTEXT_BEFORE)
                .map_or(line.start, |k| before[k]);
            let to = self.source[from..line.end]
                .char_indices()
                .nth(MAX_LINE_CHARS)
                .map_or(line.end, |(i, _)| from + i);
            from..to
        };
        let start = self.text.len();
        let cut_before = window.start > line.start;
        if cut_before {
            self.text.push_str(ELLIPSIS);
        }
        self.text.push_str(&self.source[window.clone()]);
        if window.end < line.end {
            self.text.push_str(ELLIPSIS);
        }
        self.text.push('\n');
        self.lines.push(ShownLine {
            line_start: line.start,
            window,
            start,
            cut_before,
        });
        self.lines.len() - 1
    }

    /// Where source offset `at` (on shown line `index`) is in the excerpt's
    /// text: clamped to the window, so a span running past it ends at its edge.
    fn offset_in(&self, index: usize, at: usize) -> usize {
        let line = &self.lines[index];
        let prefix = if line.cut_before { ELLIPSIS.len() } else { 0 };
        line.start + prefix + at.clamp(line.window.start, line.window.end) - line.window.start
    }

    /// The shown line that holds byte `at` of the excerpt's text.
    fn line_at(&self, at: usize) -> usize {
        self.lines.partition_point(|line| line.start <= at).saturating_sub(1)
    }
}

impl<'a> Files<'a> for Excerpt {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, Error> {
        Ok(&self.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, Error> {
        Ok(&self.text)
    }

    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, Error> {
        Ok(self.line_at(byte_index))
    }

    fn line_number(&'a self, (): (), line_index: usize) -> Result<usize, Error> {
        Ok(self.first_line_number + line_index)
    }

    /// The column in the whole line of the source, not in the cut one.
    fn column_number(&'a self, (): (), line_index: usize, byte_index: usize) -> Result<usize, Error> {
        let line = self.lines.get(line_index).ok_or(Error::LineTooLarge {
            given: line_index,
            max: self.lines.len().saturating_sub(1),
        })?;
        let prefix = if line.cut_before { ELLIPSIS.len() } else { 0 };
        let into_window = byte_index.saturating_sub(line.start + prefix);
        let at = floor_char_boundary(&self.source, (line.window.start + into_window).min(line.window.end));
        Ok(self.source[line.line_start..at].chars().count() + 1)
    }

    fn line_range(&'a self, (): (), line_index: usize) -> Result<Range<usize>, Error> {
        let line = self.lines.get(line_index).ok_or(Error::LineTooLarge {
            given: line_index,
            max: self.lines.len().saturating_sub(1),
        })?;
        let end = self
            .lines
            .get(line_index + 1)
            .map_or(self.text.len(), |next| next.start);
        Ok(line.start..end)
    }
}

/// The excerpts of a diagnostic, one per source its labels lie in, as
/// codespan-reporting's files: the id of each is its index.
#[derive(Debug, Default)]
pub struct Excerpts(pub Vec<Excerpt>);

impl Excerpts {
    fn get(&self, id: usize) -> Result<&Excerpt, Error> {
        self.0.get(id).ok_or(Error::FileMissing)
    }
}

impl<'a> Files<'a> for Excerpts {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, Error> {
        self.get(id)?.name(())
    }

    fn source(&'a self, id: usize) -> Result<&'a str, Error> {
        self.get(id)?.source(())
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, Error> {
        self.get(id)?.line_index((), byte_index)
    }

    fn line_number(&'a self, id: usize, line_index: usize) -> Result<usize, Error> {
        self.get(id)?.line_number((), line_index)
    }

    fn column_number(&'a self, id: usize, line_index: usize, byte_index: usize) -> Result<usize, Error> {
        self.get(id)?.column_number((), line_index, byte_index)
    }

    fn line_range(&'a self, id: usize, line_index: usize) -> Result<Range<usize>, Error> {
        self.get(id)?.line_range((), line_index)
    }
}

/// The largest char boundary of `text` at or below `at`.
fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excerpt(source: &str, first_line: usize, span: Range<usize>) -> (Excerpt, Range<usize>) {
        Excerpt::new("test.mg", source, first_line, span)
    }

    #[test]
    fn short_lines_are_shown_whole_with_their_true_numbers() {
        let source = "a = 1\nb = aa + 1\nc = 2\n";
        let (shown, range) = excerpt(source, 40, 10..12);
        assert_eq!(shown.text, "b = aa + 1\n");
        assert_eq!(&shown.text[range.clone()], "aa");
        assert_eq!(shown.line_number((), 0).unwrap(), 41);
        assert_eq!(shown.column_number((), 0, range.start).unwrap(), 5);
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let line = format!("x = {}zz{}", "1 + ".repeat(50_000), " + 1".repeat(50_000));
        let at = line.find("zz").unwrap();
        let (shown, range) = excerpt(&line, 1, at..at + 2);
        assert!(shown.text.chars().count() <= MAX_LINE_CHARS + 3, "{}", shown.text);
        assert!(shown.text.starts_with(ELLIPSIS) && shown.text.ends_with("…\n"));
        assert_eq!(&shown.text[range.clone()], "zz");
        assert_eq!(shown.column_number((), 0, range.start).unwrap(), at + 1);
    }

    #[test]
    fn a_span_longer_than_the_window_ends_at_its_edge() {
        let line = format!("y = {}", "é".repeat(1000));
        let (shown, range) = excerpt(&line, 1, 4..line.len());
        assert_eq!(range.start, 4);
        assert_eq!(range.end, shown.text.len() - ELLIPSIS.len() - 1);
        assert!(shown.text.is_char_boundary(range.end));
    }

    #[test]
    fn spans_over_many_lines_show_their_first() {
        let source = format!("for k in 0..3 {{\n{}}}\n", "  x = 1\n".repeat(20));
        let (shown, range) = excerpt(&source, 1, 0..source.len() - 1);
        assert_eq!(shown.text, "for k in 0..3 {\n");
        assert_eq!(range, 0..15);
        let (shown, _) = excerpt("a = [1,\n2]", 1, 4..10);
        assert_eq!(shown.text, "a = [1,\n2]\n");
    }
}
