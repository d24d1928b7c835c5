//! File paths that programs name (`dot L > "path"`, `:load`, `:save`): which are
//! accepted, and how messages show them.
//!
//! A path comes from a string literal, so it can hold a newline or an escape
//! sequence; printed as it is, it could forge a line of output, a JSON object or a
//! terminal command. So a path with a control character is refused, and every
//! message shows a path through [`shown`], which escapes anything unprintable.

/// Why `path` cannot name a file to write, if it cannot.
pub fn refusal(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        Some("a file name cannot be empty")
    } else if path.chars().any(char::is_control) {
        Some("a file name cannot contain a newline or another control character")
    } else {
        None
    }
}

/// `path` as a message may show it: control characters escaped (`\n`, `\u{1b}`).
pub fn shown(path: &str) -> String {
    if path.chars().any(char::is_control) {
        path.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect()
    } else {
        path.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_refused_and_escaped() {
        assert_eq!(refusal("l.dot"), None);
        assert_eq!(refusal("dir/ü.dot"), None);
        assert!(refusal("").is_some());
        assert!(refusal("a\nb").is_some());
        assert!(refusal("a\u{1b}[2Jb").is_some());
        assert_eq!(shown("a\nb"), "a\\nb");
        assert_eq!(shown("a\u{1b}b"), "a\\u{1b}b");
        assert_eq!(shown("plain.dot"), "plain.dot");
    }
}
