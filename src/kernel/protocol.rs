//! The contents of the kernel's replies, as pure functions: kernel info, completion,
//! inspection, `is_complete`, history; and the cursor offsets Jupyter counts in code
//! points, which the library counts in bytes.

use mgrad::assist::{Completeness, Completion};
use serde_json::{Value, json};

/// The version of mgrad, which is also mg's.
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// `kernel_info_reply`: who the kernel is and what language it speaks.
///
/// Frontends highlight only languages they know, so `codemirror_mode` and
/// `pygments_lexer` name Python, whose comments, strings, numbers and most
/// keywords (`for in if else while break continue return and or not`) are mg's too.
pub(crate) fn kernel_info() -> Value {
    json!({
        "status": "ok",
        "protocol_version": super::wire::PROTOCOL_VERSION,
        "implementation": "mgrad",
        "implementation_version": VERSION,
        "language_info": {
            "name": "mg",
            "version": VERSION,
            "mimetype": "text/x-mg",
            "file_extension": ".mg",
            "codemirror_mode": "python",
            "pygments_lexer": "python",
        },
        "banner": format!(
            "mgrad {VERSION}: mg, micrograd as a language. :help for help; Tab completes, Shift-Tab explains a name."
        ),
        "help_links": [],
        "debugger": false,
    })
}

/// The byte offset of the `chars`-th code point of `text` (its end if there are fewer).
pub(crate) fn byte_offset(text: &str, chars: usize) -> usize {
    text.char_indices().nth(chars).map_or(text.len(), |(index, _)| index)
}

/// How many code points come before byte offset `bytes` of `text`.
pub(crate) fn char_offset(text: &str, bytes: usize) -> usize {
    text.char_indices().take_while(|(index, _)| *index < bytes).count()
}

/// A cursor position from a request: a code-point offset, the end of the code if absent.
pub(crate) fn cursor(content: &Value, code: &str) -> usize {
    let chars = content["cursor_pos"]
        .as_u64()
        .map_or(usize::MAX, |pos| usize::try_from(pos).unwrap_or(usize::MAX));
    byte_offset(code, chars)
}

/// `complete_reply` for a completion of `code` whose cursor was at byte offset `pos`.
pub(crate) fn complete_reply(code: &str, pos: usize, completion: &Completion) -> Value {
    json!({
        "status": "ok",
        "matches": completion.matches,
        "cursor_start": char_offset(code, completion.start),
        "cursor_end": char_offset(code, pos),
        "metadata": {},
    })
}

/// `inspect_reply`: the text found, or `found: false`.
pub(crate) fn inspect_reply(text: Option<String>) -> Value {
    match text {
        Some(text) => json!({"status": "ok", "found": true, "data": {"text/plain": text}, "metadata": {}}),
        None => json!({"status": "ok", "found": false, "data": {}, "metadata": {}}),
    }
}

/// `is_complete_reply`.
pub(crate) fn is_complete_reply(completeness: &Completeness) -> Value {
    match completeness {
        Completeness::Complete => json!({"status": "complete"}),
        Completeness::Incomplete { indent } => json!({"status": "incomplete", "indent": indent}),
        Completeness::Invalid => json!({"status": "invalid"}),
    }
}

/// The cells a kernel has run (those with `store_history`), for `history_request`.
#[derive(Default)]
pub(crate) struct History {
    /// Execution count, code, and the text of the cell's result if it had one.
    cells: Vec<(u64, String, Option<String>)>,
}

/// The history session of this kernel's cells (IPython numbers its sessions; a kernel
/// has one, and keeps no history across restarts).
const HISTORY_SESSION: u64 = 1;

impl History {
    pub(crate) fn push(&mut self, count: u64, code: &str, result: Option<String>) {
        self.cells.push((count, code.to_string(), result));
    }

    /// `history_reply` for a request: `tail` (the last `n`), `range` (`start` to `stop`
    /// in this session) or `search` (a glob `pattern` over the whole cell, `*` and `?`;
    /// `unique` keeps the latest of equal cells; `n` the last n matches).
    pub(crate) fn reply(&self, request: &Value) -> Value {
        let number = |key: &str| request[key].as_i64();
        let n = number("n").map(|n| usize::try_from(n.max(0)).unwrap_or(0));
        let selected: Vec<&(u64, String, Option<String>)> = match request["hist_access_type"].as_str() {
            Some("tail") => last(self.cells.iter().collect(), n),
            Some("range") => {
                let session = number("session").unwrap_or(0);
                let current = session <= 0 || session == HISTORY_SESSION as i64;
                let start = number("start").unwrap_or(0);
                let stop = number("stop").unwrap_or(i64::MAX);
                self.cells
                    .iter()
                    .filter(|(count, _, _)| current && (start..stop).contains(&(*count as i64)))
                    .collect()
            }
            Some("search") => {
                let pattern = request["pattern"].as_str().unwrap_or("*");
                let mut found: Vec<_> = self.cells.iter().filter(|(_, code, _)| glob(pattern, code)).collect();
                if request["unique"].as_bool() == Some(true) {
                    // The latest of each code, in order.
                    let mut seen = std::collections::HashSet::new();
                    found.reverse();
                    found.retain(|(_, code, _)| seen.insert(code.as_str()));
                    found.reverse();
                }
                last(found, n)
            }
            _ => Vec::new(),
        };
        let output = request["output"].as_bool() == Some(true);
        let history: Vec<Value> = selected
            .into_iter()
            .map(|(count, code, result)| {
                if output {
                    json!([HISTORY_SESSION, count, [code, result]])
                } else {
                    json!([HISTORY_SESSION, count, code])
                }
            })
            .collect();
        json!({"status": "ok", "history": history})
    }
}

/// The last `n` items (all of them without `n`).
fn last<T>(mut items: Vec<T>, n: Option<usize>) -> Vec<T> {
    if let Some(n) = n {
        let drop = items.len().saturating_sub(n);
        items.drain(..drop);
    }
    items
}

/// Whether `text` matches a glob `pattern` whole: `*` any run of characters, `?` any one.
fn glob(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    // The classic greedy match with one backtrack point for the last `*`.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_info_names_the_language() {
        let info = kernel_info();
        assert_eq!(info["language_info"]["name"], "mg");
        assert_eq!(info["language_info"]["file_extension"], ".mg");
        assert_eq!(info["protocol_version"], "5.3");
        assert_eq!(info["implementation_version"], env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn cursor_offsets_count_code_points() {
        let code = "Δx = tanh(α)";
        assert_eq!(byte_offset(code, 0), 0);
        assert_eq!(byte_offset(code, 1), 2, "Δ is two bytes");
        assert_eq!(byte_offset(code, 12), code.len());
        assert_eq!(byte_offset(code, 99), code.len());
        assert_eq!(char_offset(code, 2), 1);
        assert_eq!(char_offset(code, code.len()), 12);
        assert_eq!(cursor(&json!({"cursor_pos": 8}), code), "Δx = tan".len());
        assert_eq!(cursor(&json!({}), code), code.len());
        // An emoji outside the BMP is one code point (two UTF-16 units, four bytes).
        assert_eq!(byte_offset("🙂a", 1), 4);
    }

    #[test]
    fn a_completion_reply_counts_code_points() {
        let code = "αβ = 1; print αβ.gr";
        let pos = code.len();
        let completion = Completion {
            start: code.len() - 2,
            matches: vec!["grad".to_string()],
        };
        let reply = complete_reply(code, pos, &completion);
        assert_eq!(reply["cursor_start"], 17);
        assert_eq!(reply["cursor_end"], 19);
        assert_eq!(reply["matches"], json!(["grad"]));
        assert_eq!(reply["metadata"], json!({}));
    }

    #[test]
    fn inspection_and_completeness_replies() {
        assert_eq!(
            inspect_reply(Some("tanh(x) …".to_string())),
            json!({"status": "ok", "found": true, "data": {"text/plain": "tanh(x) …"}, "metadata": {}})
        );
        assert_eq!(inspect_reply(None)["found"], false);
        assert_eq!(
            is_complete_reply(&Completeness::Incomplete {
                indent: "  ".to_string()
            }),
            json!({"status": "incomplete", "indent": "  "})
        );
        assert_eq!(is_complete_reply(&Completeness::Invalid), json!({"status": "invalid"}));
    }

    fn history() -> History {
        let mut history = History::default();
        history.push(1, "a = 2", None);
        history.push(2, "a * 3", Some("Value(data=6, grad=0)".to_string()));
        history.push(3, "a = 2", None);
        history.push(4, "print a", None);
        history
    }

    fn codes(reply: &Value) -> Vec<String> {
        reply["history"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|item| item[2].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn history_tail_range_and_search() {
        let history = history();
        let tail = history.reply(&json!({"hist_access_type": "tail", "n": 2, "output": false}));
        assert_eq!(tail["history"], json!([[1, 3, "a = 2"], [1, 4, "print a"]]));
        let with_output = history.reply(&json!({"hist_access_type": "tail", "n": 3, "output": true}));
        assert_eq!(
            with_output["history"][0],
            json!([1, 2, ["a * 3", "Value(data=6, grad=0)"]])
        );
        let range = history.reply(&json!({"hist_access_type": "range", "session": 1, "start": 2, "stop": 3}));
        assert_eq!(codes(&range), ["a * 3"]);
        let other_session = history.reply(&json!({"hist_access_type": "range", "session": 7, "start": 0}));
        assert_eq!(codes(&other_session), Vec::<String>::new());
        let search = history.reply(&json!({"hist_access_type": "search", "pattern": "a*"}));
        assert_eq!(codes(&search), ["a = 2", "a * 3", "a = 2"]);
        let unique = history.reply(&json!({"hist_access_type": "search", "pattern": "a*", "unique": true}));
        assert_eq!(codes(&unique), ["a * 3", "a = 2"]);
        let n = history.reply(&json!({"hist_access_type": "search", "pattern": "*a*", "n": 1}));
        assert_eq!(codes(&n), ["print a"]);
    }

    #[test]
    fn globs_match_whole_texts() {
        assert!(glob("a*", "a = 2"));
        assert!(glob("*", ""));
        assert!(glob("?*b", "xab"));
        assert!(glob("a*b*c", "a_b_b_c"));
        assert!(!glob("a*", "ba"));
        assert!(!glob("a?", "a"));
        assert!(glob("α*", "αβ"));
    }
}
