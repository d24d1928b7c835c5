//! Snapshots of every rendered error: each file under tests/errors is a bad
//! input; its rendered diagnostic (source line, caret, help) is the snapshot.

use mgrad::interpreter::Session;

use super::{Collect, on_big_stack};

#[test]
fn rendered_errors() {
    insta::glob!("../errors", "*.mg", |path| {
        // Read as bytes, as the mgrad command does: some inputs are not UTF-8.
        let source = std::fs::read(path).expect("reading a bad input");
        // On a big stack, as the CLI runs mg: some inputs recurse a thousand calls deep.
        let rendered = on_big_stack(move || {
            let mut session = Session::new();
            match session.run_script_bytes("test.mg", &source, &mut Collect::default()) {
                Err(diagnostic) => session.sources().render(&diagnostic, false),
                Ok(()) => "(no error)".to_string(),
            }
        });
        insta::assert_snapshot!(rendered);
    });
}

/// The usage errors of the `mgrad` command, as the user sees them on stderr.
#[test]
fn usage_errors() {
    let usage = |args: &[&str]| {
        let output = assert_cmd::Command::cargo_bin("mgrad")
            .expect("the mgrad binary is built")
            .env("MGRAD_HISTORY", "")
            .env("NO_COLOR", "1")
            .args(args)
            .output()
            .expect("running mgrad");
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    insta::assert_snapshot!("two_scripts", usage(&["a.mg", "b.mg"]));
    insta::assert_snapshot!("eval_and_a_script", usage(&["-e", "print 1", "a.mg"]));
    insta::assert_snapshot!("run_without_a_script", usage(&["--format", "json", "run"]));
}
