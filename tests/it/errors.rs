//! Snapshots of every rendered error: each file under tests/errors is a bad
//! input; its rendered diagnostic (source line, caret, help) is the snapshot.

use mgrad::interpreter::Session;

use super::Collect;

#[test]
fn rendered_errors() {
    insta::glob!("../errors", "*.mg", |path| {
        // Read as bytes, as the mgrad command does: some inputs are not UTF-8.
        let source = std::fs::read(path).expect("reading a bad input");
        let mut session = Session::new();
        let result = session.run_script_bytes("test.mg", &source, &mut Collect::default());
        let rendered = match result {
            Err(diagnostic) => session.sources().render(&diagnostic, false),
            Ok(()) => "(no error)".to_string(),
        };
        insta::assert_snapshot!(rendered);
    });
}
