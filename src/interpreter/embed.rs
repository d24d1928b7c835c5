//! The session as a library for a host that runs a program in parts: a grader
//! (SPEC §8) adds the exercise file as a source, runs its `setup` statements,
//! runs a submission, then evaluates each question's expression and calls
//! functions at the question's points, all in the one session.
//!
//! A grader also tells the session what the exercise forbids ([`Forbidden`]):
//! its reading of a submission's source finds every use before the submission
//! runs, and this check refuses, as the program runs, any forbidden command or
//! builtin that reading missed.

use std::rc::Rc;

use super::{Host, Locals, RuntimeError, Session};
use crate::ast::{Command, Expr, FnDef, Stmt};
use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::value::{Builtin, Function, Value};

/// Commands and builtins a grader refuses to run in code whose span starts at or
/// after `from`: the submission, which is added to the session after the exercise
/// file. Code of the exercise itself (setup, a question calling `derivative`) runs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Forbidden {
    /// Command keywords: `grad`, `backward`, `check`, …
    pub commands: Vec<String>,
    /// Builtin names: `derivative`, `tanh`, …
    pub builtins: Vec<String>,
    /// The offset in the session's sources where forbidden code starts.
    pub from: usize,
}

impl Forbidden {
    pub fn is_empty(&self) -> bool {
        self.commands.is_empty() && self.builtins.is_empty()
    }

    /// Every forbidden name, commands first.
    pub fn names(&self) -> Vec<&str> {
        self.commands.iter().chain(&self.builtins).map(String::as_str).collect()
    }

    fn refuses(&self, name: &str, span: Span, names: &[String]) -> bool {
        span.start >= self.from && names.iter().any(|forbidden| forbidden == name)
    }

    fn error(&self, name: &str, span: Span) -> RuntimeError {
        let all: Vec<&str> = self.commands.iter().chain(&self.builtins).map(String::as_str).collect();
        RuntimeError::Forbidden {
            name: name.to_string(),
            span,
            help: Some(format!(
                "this exercise does not allow {}: work the answer out without them",
                all.join(", ")
            )),
        }
    }
}

impl Session {
    /// Adds a source without running it and returns its base, the offset its spans
    /// start at (pass it to the parser). A fresh session's first source has base 0.
    pub fn add_source(&mut self, name: &str, text: &str) -> usize {
        self.sources.add(name, text)
    }

    /// Runs statements parsed from a source added with [`Session::add_source`], as a
    /// script runs (with the whole step budget), stopping at the first error.
    pub fn run_statements(&mut self, statements: &[Stmt], host: &mut dyn Host) -> Result<(), Diagnostic> {
        self.start_run();
        self.interactive = false;
        for stmt in statements {
            self.exec_top(stmt, host).map_err(|error| self.diagnostic(error))?;
        }
        Ok(())
    }

    /// Evaluates an expression parsed from an added source, as a run of its own.
    pub fn evaluate(&mut self, expr: &Expr, host: &mut dyn Host) -> Result<Value, Diagnostic> {
        self.start_run();
        self.unwound_calls.clear();
        match self.eval(expr, host) {
            Ok(value) => Ok(value),
            Err(flow) => {
                let error = RuntimeError::from(flow);
                Err(self.diagnostic(error))
            }
        }
    }

    /// A function value for a definition parsed elsewhere, seeing only global names
    /// (a question asked `for x in …` is one, so that `x` binds no global name).
    pub fn function_of(&self, def: Rc<FnDef>) -> Value {
        let locals = Rc::new(Locals::of(&def));
        Value::Function(Rc::new(Function {
            def,
            captured: None,
            locals,
        }))
    }

    /// Calls a function, builtin or model with positional `args`, as a run of its own;
    /// errors of the call itself point at `span`.
    pub fn call(
        &mut self,
        function: &Value,
        args: Vec<Value>,
        span: Span,
        host: &mut dyn Host,
    ) -> Result<Value, Diagnostic> {
        self.start_run();
        self.unwound_calls.clear();
        match self.call_from_rust(function, args, span, host) {
            Ok(value) => Ok(value),
            Err(error) => {
                // The call from Rust is the caller's to describe: only calls within it are context.
                if let Value::Function(_) = function {
                    self.unwound_calls.pop();
                }
                Err(self.diagnostic(error))
            }
        }
    }

    /// From now on, refuses what `forbidden` lists in the code it covers.
    pub fn forbid(&mut self, forbidden: Forbidden) {
        self.forbidden = Some(Box::new(forbidden));
    }

    /// The data of a number or node (`None` for any other value).
    pub fn number_of(&self, value: &Value) -> Option<f64> {
        self.number(value)
    }

    /// Whether `command`, written at `span`, may run (see [`Session::forbid`]).
    #[inline]
    pub(super) fn check_command(&self, command: &Command, span: Span) -> Result<(), RuntimeError> {
        match &self.forbidden {
            Some(forbidden) if forbidden.refuses(command.keyword(), span, &forbidden.commands) => {
                Err(forbidden.error(command.keyword(), span))
            }
            _ => Ok(()),
        }
    }

    /// Whether `builtin`, called at `span`, may run (see [`Session::forbid`]).
    #[inline]
    pub(super) fn check_builtin(&self, builtin: Builtin, span: Span) -> Result<(), RuntimeError> {
        match &self.forbidden {
            Some(forbidden) if forbidden.refuses(builtin.name(), span, &forbidden.builtins) => {
                Err(forbidden.error(builtin.name(), span))
            }
            _ => Ok(()),
        }
    }

    /// Calls a function value (a user function, a builtin, a model) with positional
    /// arguments: what `derivative` and a grader's questions need.
    pub(super) fn call_from_rust(
        &mut self,
        function: &Value,
        args: Vec<Value>,
        span: Span,
        host: &mut dyn Host,
    ) -> Result<Value, RuntimeError> {
        // A call from Rust is a level of depth too, as a call from mg code is.
        self.enter(span).map_err(RuntimeError::from)?;
        let result = match function {
            Value::Function(function) => self
                .call_function(function, args, Vec::new(), span, host)
                .map_err(RuntimeError::from),
            Value::Builtin(builtin) => {
                let spans = vec![span; args.len()];
                self.call_builtin(*builtin, &args, &spans, &[], span, host)
            }
            Value::Model(model) => {
                let spans = vec![span; args.len()];
                self.call_model(model, &args, &spans, span)
            }
            other => Err(RuntimeError::Type {
                message: format!("{} is not a function", other.kind_name()),
                span,
                help: None,
            }),
        };
        self.leave();
        result
    }
}
