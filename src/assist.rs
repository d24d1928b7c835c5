//! What an editor asks about mg source while it is typed: the completions at a
//! cursor, whether the text is a whole entry yet, and the word under the cursor.
//!
//! Pure functions of the text (and of the names a session has bound), shared by the
//! REPL's line editor and the Jupyter kernel; `Session::complete` and
//! `Session::inspect` put a session's names and values behind them. Offsets are
//! byte offsets into the text; a frontend that counts otherwise (Jupyter counts code
//! points) converts at its edge.

use crate::ast::{ATTRIBUTES, CONTEXTUAL_KEYWORDS, KEYWORDS};
use crate::help::TOPICS;
use crate::interpreter::BUILTINS;
use crate::meta::{META_COMMANDS, is_meta_command};
use crate::parser::{is_incomplete, parse_program};

/// The candidates for the word that ends at the cursor, and the text they replace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    /// Where the replaced text starts (a byte offset); it ends at the cursor.
    pub start: usize,
    /// Sorted, without duplicates.
    pub matches: Vec<String>,
}

/// Completions for the word before byte offset `pos` of `code`: meta-commands and help
/// topics after `:`, attributes after a dot, otherwise `names` (a session's), keywords
/// and builtins. A `pos` past the end or inside a character counts from the nearest
/// character boundary before it.
pub fn complete(code: &str, pos: usize, names: &[String]) -> Completion {
    let pos = floor_boundary(code, pos);
    let before = &code[..pos];
    // Only the current line matters: `:help` is a command only at the start of a line.
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    let line = &before[line_start..];
    let start = word_start(before);
    let word = &before[start..];
    let trimmed = line.trim_start();

    // Meta-commands: `:he<TAB>`, and help topics after `:help `.
    if trimmed.starts_with(':') {
        if !trimmed.contains(char::is_whitespace) {
            return Completion {
                start: pos - trimmed.len(),
                matches: matching(trimmed, META_COMMANDS.iter().copied()),
            };
        }
        let matches = if trimmed.starts_with(":help ") {
            matching(word, TOPICS.iter().map(|(name, _)| *name))
        } else {
            Vec::new()
        };
        return Completion { start, matches };
    }

    // Attributes after a dot: `x.gr<TAB>` gives `x.grad`; not after a number (`1.5`).
    if before[..start].ends_with('.') {
        let receiver = &before[..start - 1];
        let matches = if has_attributes(receiver) {
            matching(word, ATTRIBUTES.iter().copied())
        } else {
            Vec::new()
        };
        return Completion { start, matches };
    }

    if word.is_empty() || word.starts_with(|c: char| c.is_ascii_digit()) {
        return Completion {
            start,
            matches: Vec::new(),
        };
    }
    let known = names
        .iter()
        .map(String::as_str)
        .chain(KEYWORDS.iter().copied())
        .chain(CONTEXTUAL_KEYWORDS.iter().copied())
        .chain(BUILTINS.iter().copied());
    Completion {
        start,
        matches: matching(word, known),
    }
}

/// Whether the text before a dot can own an attribute: it ends with a name, a call or
/// an index (`x`, `f(x)`, `xs[0]`), and is not a number (`1.`).
fn has_attributes(receiver: &str) -> bool {
    let after_name = receiver.ends_with(|c: char| is_word_char(c) || c == ')' || c == ']');
    let number = receiver
        .rsplit(|c: char| !(is_word_char(c) || c == '.'))
        .next()
        .is_some_and(|token| token.starts_with(|c: char| c.is_ascii_digit()));
    after_name && !number
}

/// The candidates that start with `prefix`, sorted, without duplicates.
fn matching<'a>(prefix: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut found: Vec<String> = candidates
        .filter(|candidate| candidate.starts_with(prefix))
        .map(str::to_string)
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Whether an entry is ready to run, as a notebook or console asks before it runs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Completeness {
    /// It parses (or is a meta-command, or nothing): run it.
    Complete,
    /// A bracket, brace or string is still open: the next line continues it, indented so.
    Incomplete { indent: String },
    /// It will never parse, whatever follows: run it, so the error shows.
    Invalid,
}

/// Whether `code` is a whole entry: [`Completeness`].
pub fn completeness(code: &str) -> Completeness {
    if code.trim().is_empty() || is_meta_command(code) {
        return Completeness::Complete;
    }
    if is_incomplete(code) {
        return Completeness::Incomplete {
            indent: next_indent(code),
        };
    }
    match parse_program(code, 0) {
        Ok(_) => Completeness::Complete,
        Err(_) => Completeness::Invalid,
    }
}

/// The indent of the line after the last one: the same as the last line's, two
/// spaces more after an opening bracket.
fn next_indent(code: &str) -> String {
    let last = code.lines().rev().find(|line| !line.trim().is_empty()).unwrap_or("");
    let mut indent: String = last.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
    let content = last.split('#').next().unwrap_or("").trim_end();
    if content.ends_with(['{', '[', '(']) {
        indent.push_str("  ");
    }
    indent
}

/// What the cursor is on, for inspection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inspected<'a> {
    /// A name, keyword or builtin: `grad`, `tanh`, `L`.
    Word(&'a str),
    /// An attribute after a receiver name: `a.grad` gives (`a`, `grad`).
    Attribute { receiver: &'a str, attribute: &'a str },
    /// A meta-command at the start of a line: `:help`.
    MetaCommand(&'a str),
}

/// The word at byte offset `pos` (the cursor inside it or just after it); in the
/// parentheses of a call, the function's name (`tanh(x|` inspects `tanh`), as IPython does.
pub fn inspected(code: &str, pos: usize) -> Option<Inspected<'_>> {
    let pos = floor_boundary(code, pos);
    let line_start = code[..pos].rfind('\n').map_or(0, |index| index + 1);
    let line_end = code[pos..].find('\n').map_or(code.len(), |index| pos + index);
    let line = &code[line_start..line_end];
    if let Some(command) = line.trim_start().strip_prefix(':') {
        let name_len = command.find(char::is_whitespace).unwrap_or(command.len());
        return Some(Inspected::MetaCommand(&line.trim_start()[..name_len + 1]));
    }
    let (start, end) = match word_around(code, pos) {
        Some(span) => span,
        None => {
            let open = open_call_before(&code[line_start..pos])? + line_start;
            let start = word_start(&code[..open]);
            (start < open).then_some((start, open))?
        }
    };
    let word = &code[start..end];
    if word.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let before = &code[..start];
    if let Some(receiver) = before.strip_suffix('.') {
        let receiver_start = word_start(receiver);
        let name = &receiver[receiver_start..];
        if !name.is_empty() && has_attributes(receiver) {
            return Some(Inspected::Attribute {
                receiver: name,
                attribute: word,
            });
        }
    }
    Some(Inspected::Word(word))
}

/// The name-like word that the cursor at `pos` is in or just after: its byte range.
fn word_around(code: &str, pos: usize) -> Option<(usize, usize)> {
    let start = word_start(&code[..pos]);
    let end = pos + code[pos..].find(|c: char| !is_word_char(c)).unwrap_or(code.len() - pos);
    (start < end).then_some((start, end))
}

/// Where the innermost call whose parentheses are still open before the cursor has
/// its `(`, if a name comes just before it.
fn open_call_before(line: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (index, c) in line.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' if depth == 0 => {
                return line[..index].ends_with(is_word_char).then_some(index);
            }
            '(' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Where the name-like word that ends `text` starts (`text.len()` if none does).
fn word_start(text: &str) -> usize {
    text.rfind(|c: char| !is_word_char(c)).map_or(0, |index| {
        index + text[index..].chars().next().map_or(1, char::len_utf8)
    })
}

/// A character of a name or number: letters of any script, numerals and `_`.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The largest character boundary of `text` at or before `pos`.
fn floor_boundary(text: &str, pos: usize) -> usize {
    let mut pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete_at_end(code: &str, names: &[&str]) -> (usize, Vec<String>) {
        let names: Vec<String> = names.iter().map(|name| name.to_string()).collect();
        let completion = complete(code, code.len(), &names);
        (completion.start, completion.matches)
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|item| item.to_string()).collect()
    }

    #[test]
    fn completion_offers_names_keywords_and_builtins() {
        assert_eq!(complete_at_end("ta", &["target"]), (0, strings(&["tanh", "target"])));
        assert_eq!(complete_at_end("L = b + bi", &["bias"]), (8, strings(&["bias"])));
        assert_eq!(complete_at_end("gr", &[]), (0, strings(&["grad"])));
        assert_eq!(complete_at_end("m = ML", &[]), (4, strings(&["MLP"])));
        assert_eq!(complete_at_end("grad L w", &[]), (7, strings(&["while", "wrt"])));
        assert_eq!(complete_at_end("x = 1", &[]), (4, vec![]));
        assert_eq!(complete_at_end("x = ", &["a"]), (4, vec![]));
        assert_eq!(complete_at_end("αβ", &["αβγ"]), (0, strings(&["αβγ"])));
    }

    #[test]
    fn completion_offers_attributes_after_a_dot() {
        assert_eq!(complete_at_end("x.gr", &[]), (2, strings(&["grad"])));
        assert_eq!(
            complete_at_end("print w1.", &[]),
            (9, strings(&["data", "grad", "label"]))
        );
        assert_eq!(complete_at_end("xs[0].d", &[]), (6, strings(&["data"])));
        assert_eq!(complete_at_end("f(x).l", &[]), (5, strings(&["label"])));
        assert_eq!(complete_at_end("y = 1.", &[]), (6, vec![]));
    }

    #[test]
    fn completion_offers_meta_commands_and_topics() {
        assert_eq!(complete_at_end(":he", &[]), (0, strings(&[":help"])));
        assert_eq!(complete_at_end("  :q", &[]), (2, strings(&[":q", ":quit"])));
        assert_eq!(complete_at_end(":help ch", &[]), (6, strings(&["check"])));
        assert_eq!(complete_at_end(":load fi", &[]), (6, vec![]));
        // Only at the start of a line: a cell's second line is its own.
        assert_eq!(complete_at_end("a = 1\n:va", &[]), (6, strings(&[":vars"])));
    }

    #[test]
    fn completion_reads_only_the_text_before_the_cursor() {
        let names = strings(&["loss"]);
        assert_eq!(complete("lo + 1", 2, &names).matches, strings(&["log", "loss"]));
        assert_eq!(complete("for k in 0..3 {\n  ta", 20, &[]).matches, strings(&["tanh"]));
        // A cursor inside a character or past the end is moved back to a boundary.
        assert_eq!(complete("xé", 2, &[]).start, 0);
        assert_eq!(complete("ta", 99, &[]).matches, strings(&["tanh"]));
    }

    #[test]
    fn completeness_follows_brackets_and_the_parser() {
        assert_eq!(completeness("a = 2"), Completeness::Complete);
        assert_eq!(completeness(""), Completeness::Complete);
        assert_eq!(completeness(":help grad"), Completeness::Complete);
        assert_eq!(completeness("fn f(x) {\n  return x\n}"), Completeness::Complete);
        assert_eq!(
            completeness("for k in 0..3 {"),
            Completeness::Incomplete {
                indent: "  ".to_string()
            }
        );
        assert_eq!(
            completeness("for k in 0..3 {\n  if k > 1 {"),
            Completeness::Incomplete {
                indent: "    ".to_string()
            }
        );
        assert_eq!(
            completeness("xs = [1,\n      2,"),
            Completeness::Incomplete {
                indent: "      ".to_string()
            }
        );
        assert_eq!(
            completeness("print \"open"),
            Completeness::Incomplete { indent: String::new() }
        );
        assert_eq!(completeness("a = (1))"), Completeness::Invalid);
        assert_eq!(completeness("1 +* 2"), Completeness::Invalid);
        assert_eq!(completeness("a = 2 +"), Completeness::Invalid);
    }

    #[test]
    fn the_inspected_word_is_under_or_before_the_cursor() {
        assert_eq!(inspected("grad L", 2), Some(Inspected::Word("grad")));
        assert_eq!(inspected("grad L", 4), Some(Inspected::Word("grad")));
        assert_eq!(inspected("grad L", 6), Some(Inspected::Word("L")));
        assert_eq!(inspected("o = tanh(n", 10), Some(Inspected::Word("n")));
        assert_eq!(inspected("o = tanh(", 9), Some(Inspected::Word("tanh")));
        assert_eq!(inspected("o = tanh(n, ", 12), Some(Inspected::Word("tanh")));
        assert_eq!(inspected("o = tanh(f(1), ", 15), Some(Inspected::Word("tanh")));
        assert_eq!(
            inspected("print a.grad", 11),
            Some(Inspected::Attribute {
                receiver: "a",
                attribute: "grad"
            })
        );
        assert_eq!(inspected("  :help grad", 4), Some(Inspected::MetaCommand(":help")));
        assert_eq!(inspected("x = 12", 6), None);
        assert_eq!(inspected("x = (1 + ", 9), None);
        assert_eq!(inspected("", 0), None);
        assert_eq!(inspected("a = 1\nΔx = 2", 8), Some(Inspected::Word("Δx")));
    }
}
