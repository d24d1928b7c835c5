//! Self-checking example scripts: every `.mg` file under tests/scripts and
//! examples/ must run without error (they `assert` their own results).

use std::path::Path;

use super::{on_big_stack, run};

fn run_all_in(folder: &str) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut count = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.extension().is_some_and(|ext| ext == "mg") {
            let source = std::fs::read_to_string(&path).expect("reading a script");
            let name = path.display().to_string();
            let failure = on_big_stack(move || {
                let (session, _, result) = run(&source);
                match result {
                    Err(diagnostic) => Some(session.sources().render(&diagnostic, false)),
                    Ok(()) if session.failed_checks() > 0 => Some("a check failed".to_string()),
                    Ok(()) => None,
                }
            });
            if let Some(failure) = failure {
                panic!("{name} failed:\n{failure}");
            }
            count += 1;
        }
    }
    count
}

#[test]
fn test_scripts_check_themselves() {
    assert!(run_all_in("tests/scripts") > 0, "no scripts found");
}

#[test]
fn examples_run() {
    run_all_in("examples");
}
