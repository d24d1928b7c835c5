//! The playground's editor (web/src/mg-language.js) highlights mg as the language is:
//! its word lists are the core's, word for word.

use mgrad::ast::KEYWORDS;
use mgrad::interpreter::BUILTINS;

/// The quoted words of the JavaScript array `export const NAME = [ … ];`.
fn js_words(source: &str, name: &str) -> Vec<String> {
    let start = source
        .find(&format!("export const {name} = ["))
        .unwrap_or_else(|| panic!("mg-language.js has no array {name}"));
    let body = &source[start..];
    let body = &body[body.find('[').unwrap() + 1..body.find("];").unwrap()];
    body.split(',')
        .map(|word| word.trim().trim_matches('\'').to_string())
        .filter(|word| !word.is_empty())
        .collect()
}

#[test]
fn the_editor_knows_every_keyword_and_builtin() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/web/src/mg-language.js");
    let source = std::fs::read_to_string(path).unwrap();
    assert_eq!(js_words(&source, "KEYWORDS"), KEYWORDS);
    assert_eq!(js_words(&source, "BUILTINS"), BUILTINS);
}
