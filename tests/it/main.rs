//! The integration tests: one binary (matklad's "delete cargo integration tests"),
//! a module per concern.

mod cells;
mod cli;
mod cli_limits;
mod derivative;
mod engines;
mod errors;
mod examples;
mod fuzz;
mod grade;
mod grade_cli;
#[cfg(feature = "jupyter")]
mod kernel;
mod language;
mod limits;
mod memory;
mod models;
mod pictures;
mod properties;
mod scripts;
mod seeds;
mod web;

use mgrad::diagnostic::Diagnostic;
use mgrad::interpreter::{Host, Session};
use mgrad::output::Output;
use mgrad::value::Value;

/// A host that keeps what a session prints and writes.
#[derive(Default)]
pub struct Collect {
    pub outputs: Vec<Output>,
    pub files: Vec<(String, String)>,
}

impl Host for Collect {
    fn emit(&mut self, output: Output) {
        self.outputs.push(output);
    }
    fn write_file(&mut self, path: &str, contents: &str) -> Result<(), String> {
        self.files.push((path.to_string(), contents.to_string()));
        Ok(())
    }
}

/// Runs `source` as a script in a fresh session.
pub fn run(source: &str) -> (Session, Collect, Result<(), Diagnostic>) {
    let mut session = Session::new();
    let mut host = Collect::default();
    let result = session.run_script("test.mg", source, &mut host);
    (session, host, result)
}

/// Runs `source` and panics with the rendered error if it fails.
#[track_caller]
pub fn run_ok(source: &str) -> (Session, Collect) {
    let (session, host, result) = run(source);
    if let Err(diagnostic) = result {
        panic!("{}", session.sources().render(&diagnostic, false));
    }
    (session, host)
}

/// The error `source` fails with.
#[track_caller]
pub fn run_err(source: &str) -> Diagnostic {
    match run(source) {
        (_, _, Err(diagnostic)) => diagnostic,
        (_, _, Ok(())) => panic!("expected an error from:\n{source}"),
    }
}

/// The message and 1-based line and column of the error `source` fails with.
#[track_caller]
pub fn error_of(source: &str) -> (String, usize, usize) {
    let (session, _, result) = run(source);
    let diagnostic = result.expect_err("expected an error");
    let at = session.sources().line_col(diagnostic.span.start);
    (diagnostic.message, at.line, at.column)
}

/// Data and grad of the node bound to `name`.
#[track_caller]
pub fn node(session: &Session, name: &str) -> (f64, f64) {
    match session.get(name) {
        Some(Value::Node(id)) => (session.graph().data(*id), session.graph().grad(*id)),
        other => panic!("'{name}' is not a node: {other:?}"),
    }
}

/// Runs `source`, then asserts each `(name, grad)` exactly.
#[track_caller]
pub fn check_grads(source: &str, expected: &[(&str, f64)]) {
    let (session, _) = run_ok(source);
    for (name, grad) in expected {
        let (_, actual) = node(&session, name);
        assert_eq!(actual, *grad, "{name}.grad after:\n{source}");
    }
}

/// Runs `source` on a thread with a large stack (as the CLI does), for deep inputs.
pub fn on_big_stack<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(work)
        .expect("spawning a test thread")
        .join()
        .expect("the test thread panicked")
}
