//! Snapshots of every rendered error: each file under tests/errors is a bad
//! input; its rendered diagnostic (source line, caret, help) is the snapshot.

use super::run;

#[test]
fn rendered_errors() {
    insta::glob!("../errors", "*.mg", |path| {
        let source = std::fs::read_to_string(path).expect("reading a bad input");
        let (session, _, result) = run(&source);
        let rendered = match result {
            Err(diagnostic) => session.sources().render(&diagnostic, false),
            Ok(()) => "(no error)".to_string(),
        };
        insta::assert_snapshot!(rendered);
    });
}
