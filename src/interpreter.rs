//! Runs mg programs against an autograd graph.
//!
//! A [`Session`] holds everything that lives between statements: the graph,
//! the names bound to values, the random generator, and the sources seen so far.
//! Output goes to a [`Host`] as data; the interpreter never prints.

use crate::diagnostic::{Diagnostic, SourceMap};
use crate::output::Output;

/// Where a session sends what it prints and the files it writes.
///
/// The CLI writes to the terminal and the file system; tests collect outputs;
/// a grader can refuse file access.
pub trait Host {
    /// Receives one printed result, as soon as the statement that made it runs.
    fn emit(&mut self, output: Output);
    /// Writes `contents` to `path` (for `dot L > "l.dot"`), or says why not in a sentence.
    fn write_file(&mut self, path: &str, contents: &str) -> Result<(), String>;
}

/// Builtin functions, for completion and "did you mean".
pub const BUILTINS: &[&str] = &[
    "tanh", "exp", "log", "relu", "sigmoid", "sqrt", "abs", "sin", "cos", "pow", "max", "min",
    "len", "sum", "zip", "range", "uniform",
];

/// A bound name as `:vars` lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct VarInfo {
    pub name: String,
    /// `"scalar"`, `"list"`, `"function"`, …
    pub kind: &'static str,
    /// The value as `print` would show it (for a scalar, also its grad).
    pub summary: String,
}

/// The state of one REPL session or one script run.
pub struct Session {
    sources: SourceMap,
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}

impl Session {
    pub fn new() -> Session {
        Session { sources: SourceMap::default() }
    }

    /// Runs a script (`name` is how errors refer to it), stopping at the first error.
    pub fn run_script(&mut self, name: &str, source: &str, host: &mut dyn Host) -> Result<(), Diagnostic> {
        let _ = (name, source, host);
        todo!()
    }

    /// Runs one REPL entry. Each statement takes full effect or, if it fails, none:
    /// the session is as it was before that statement, and the entry stops there.
    pub fn run_entry(&mut self, source: &str, host: &mut dyn Host) -> Result<(), Diagnostic> {
        let _ = (source, host);
        todo!()
    }

    /// How many `check` commands have failed so far (a script with any exits with status 1).
    pub fn failed_checks(&self) -> usize {
        todo!()
    }

    /// Names bound in the session, sorted, for completion.
    pub fn names(&self) -> Vec<String> {
        todo!()
    }

    /// Bound names with a summary of their values, sorted, for `:vars`.
    pub fn vars(&self) -> Vec<VarInfo> {
        todo!()
    }

    /// The source of every statement that has run successfully in REPL entries, in order (for `:save`).
    pub fn history(&self) -> &[String] {
        todo!()
    }

    /// Forgets everything: names, graph, random state, history.
    pub fn reset(&mut self) {
        *self = Session::new();
    }

    /// The sources seen so far, to render diagnostics against.
    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }
}
