//! "Did you mean …?": the one place that finds a likely typo's intended word,
//! for unknown names, attributes, check options, meta-commands and help topics.

/// The candidate closest to `word` by edit distance, if it is close enough to be a
/// plausible typo (at most a third of the word's length, and at least one edit).
/// Ties go to the candidate that sorts first, so the answer never depends on the
/// order of a hash map.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .filter(|candidate| *candidate != word)
        .map(|candidate| (edit_distance(word, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

/// Edit distance between two strings, by characters: insertions, deletions,
/// substitutions and swaps of two neighbours (`:quti` is one edit from `:quit`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j] is the distance between the first i characters of a and the first j of b.
    let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_find_likely_typos() {
        assert_eq!(closest("bb", ["b", "a", "loss"]), Some("b"));
        assert_eq!(closest("tanhh", ["tanh", "exp"]), Some("tanh"));
        assert_eq!(closest("dta", ["data", "grad", "label"]), Some("data"));
        assert_eq!(closest(":quti", [":quit", ":vars"]), Some(":quit"));
        assert_eq!(closest("zzz", ["a", "b"]), None);
        assert_eq!(closest("a", ["a"]), None, "a word is not a typo of itself");
        assert_eq!(
            closest("ab", ["aa", "bb"]),
            Some("aa"),
            "ties go to the first in sorted order"
        );
    }

    #[test]
    fn distances() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance(":quti", ":quit"), 1);
    }
}
