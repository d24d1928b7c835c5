//! `Session::run_cell`, the notebook's way to run an entry: as the REPL runs one, except
//! that a bare expression ending the cell is returned as its result, not printed.

use mgrad::interpreter::Session;
use mgrad::output::{Output, PrintOut, Shown};

use crate::Collect;

fn cell(session: &mut Session, source: &str) -> (Option<Shown>, Vec<Output>) {
    let mut host = Collect::default();
    match session.run_cell("In[1]", source, &mut host) {
        Ok(result) => (result, host.outputs),
        Err(diagnostic) => panic!("{}", session.sources().render(&diagnostic, false)),
    }
}

fn printed(values: Vec<Shown>) -> Output {
    Output::Print(PrintOut { values })
}

#[test]
fn the_last_bare_expression_is_the_result() {
    let mut session = Session::new();
    let (result, outputs) = cell(&mut session, "a = 2\na * 3\nb = a * 3\nb");
    assert_eq!(
        result,
        Some(Shown::Node {
            data: 6.0,
            grad: 0.0,
            label: Some("b".to_string()),
            op: Some("*".to_string()),
        })
    );
    // A bare expression in the middle prints, as mg says it does.
    assert_eq!(
        outputs,
        [printed(vec![Shown::Node {
            data: 6.0,
            grad: 0.0,
            label: None,
            op: Some("*".to_string()),
        }])]
    );
    // And the result is `_`, as the REPL's echo is.
    assert_eq!(cell(&mut session, "_.data").0, Some(Shown::Number(6.0)));
}

#[test]
fn a_cell_ending_in_a_statement_has_no_result() {
    let mut session = Session::new();
    assert_eq!(cell(&mut session, "x = 1").0, None);
    assert_eq!(cell(&mut session, "print x").0, None);
    assert_eq!(
        cell(&mut session, "fn f() { y = 1 }\nf()").0,
        None,
        "a call that returns nothing"
    );
    assert_eq!(cell(&mut session, "\"text\"").0, Some(Shown::Str("text".to_string())));
}

#[test]
fn a_failing_cell_keeps_what_ran_before_the_failure() {
    let mut session = Session::new();
    let mut host = Collect::default();
    let error = session
        .run_cell("In[1]", "a = 1\na = a + 1\nnowhere", &mut host)
        .expect_err("an unknown name");
    assert_eq!(session.sources().line_col(error.span.start).line, 3);
    assert_eq!(cell(&mut session, "a.data").0, Some(Shown::Number(2.0)));
}
