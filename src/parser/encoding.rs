//! Source bytes to text.
//!
//! mg source is UTF-8 (SPEC §1). A file saved in another encoding usually differs
//! only in a few bytes (a Latin-1 `é` in a comment); rejecting the whole file with
//! no position would leave the user guessing. So a byte that is not UTF-8 becomes
//! U+FFFD, and it is an error only outside comments, where it would change what
//! the program says; the error names the byte, its line and column.

/// Source text decoded from bytes, with where the bytes that were not UTF-8 went.
#[derive(Clone, Debug, PartialEq)]
pub struct Decoded {
    /// The text: valid UTF-8 as it was, a leading byte-order mark dropped, and each
    /// byte that is not UTF-8 replaced by U+FFFD.
    pub text: String,
    /// Each replaced byte: its offset in `text` and its value, in order.
    pub bad_bytes: Vec<(usize, u8)>,
}

impl Decoded {
    /// The first replaced byte that is not inside a comment, if any.
    pub fn first_bad_byte_in_code(&self) -> Option<(usize, u8)> {
        let comments = comment_ranges(&self.text);
        self.bad_bytes
            .iter()
            .copied()
            .find(|(offset, _)| !comments.iter().any(|range| range.contains(offset)))
    }
}

/// Decodes source bytes (see [`Decoded`]).
pub fn decode(bytes: &[u8]) -> Decoded {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded {
            text: text.to_string(),
            bad_bytes: Vec::new(),
        };
    }
    let mut text = String::with_capacity(bytes.len() + 16);
    let mut bad_bytes = Vec::new();
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        // One replacement per byte, so a Latin-1 letter (one byte) is one character.
        for &byte in chunk.invalid() {
            bad_bytes.push((text.len(), byte));
            text.push(char::REPLACEMENT_CHARACTER);
        }
    }
    Decoded { text, bad_bytes }
}

/// The byte ranges of `#` comments in `text` (outside strings), each to the end of its line.
fn comment_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut in_string = false;
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        match c {
            '"' => in_string = !in_string,
            '\\' if in_string => {
                // An escape: the next character (perhaps a quote) belongs to the string.
                i += 1;
                i += text[i..].chars().next().map_or(0, char::len_utf8);
                continue;
            }
            '#' if !in_string => {
                let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                ranges.push(i..end);
                i = end;
                continue;
            }
            _ => {}
        }
        i += c.len_utf8();
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_passes_through_and_a_bom_is_dropped() {
        assert_eq!(decode("α = 1".as_bytes()).text, "α = 1");
        assert_eq!(decode(b"\xef\xbb\xbfx = 1").text, "x = 1");
        assert!(decode(b"x = 1").bad_bytes.is_empty());
    }

    #[test]
    fn bad_bytes_in_comments_are_harmless() {
        let decoded = decode(b"x = 1 # caf\xe9\nprint \"# \xe9\"\n");
        assert_eq!(decoded.text, "x = 1 # caf\u{fffd}\nprint \"# \u{fffd}\"\n");
        assert_eq!(decoded.bad_bytes, [(11, 0xe9), (24, 0xe9)]);
        // The second is in a string (its '#' starts no comment): that one is an error.
        assert_eq!(decoded.first_bad_byte_in_code(), Some((24, 0xe9)));
        assert_eq!(decode(b"# \xe9\xe8\nx = 1").first_bad_byte_in_code(), None);
        assert_eq!(decode(b"x = \"\\\"\" # \xe9").first_bad_byte_in_code(), None);
    }
}
