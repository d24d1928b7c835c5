//! The second engine: function bodies and loops compiled once to a flat form
//! and run by it, behind the same `Session` as the tree walker.
//!
//! The compiled form (`code.rs`) is the syntax tree lowered once: names and
//! operations as the tree walker will meet them, with the wording of their errors
//! worked out ahead (the operands of an operation as written, the arguments of a
//! call), so that running it needs no syntax. `compile.rs` lowers; `run.rs`
//! runs statements and `eval.rs` expressions. Both share every helper with the
//! tree walker (arithmetic, builtins, models, calls, binding, storing, limits),
//! which take values and spans; what the compiler does not lower (commands,
//! f-strings, function definitions, a few rare shapes) stays syntax and is handed
//! back to the tree walker.
//!
//! What gets compiled: every user function's body, once, the first time it is
//! called (kept with its `Locals`); and each top-level statement that holds a
//! loop (`for`, `while`, a comprehension), each time it runs. Code with a long
//! chain (`a + b + c + …`, which the tree walker walks in a loop) is not compiled.
//!
//! Architecture Invariant: the two engines are indistinguishable. A compiled
//! kind evaluates what its syntax would, in the same order, taking the same
//! levels of depth (`Session::enter`), the same steps (`Session::tick`) and the
//! same chances to collect garbage, through the same helpers: so the same
//! output, graph and errors (with their spans), and limits reached at the same
//! point. `tests/it/engines.rs` runs scripts, examples and generated programs
//! through both and compares everything.

mod code;
mod compile;
mod eval;
mod run;

use super::{Exec, Host, Session};
use crate::ast::{FnBody, FnDef, Stmt, StmtKind};

pub(crate) use code::Body;

/// Which engine runs a session's programs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Engine {
    /// Function bodies and loops compiled (the default).
    #[default]
    Compiled,
    /// The tree walker alone: the reference the compiled engine must agree with.
    TreeWalker,
}

/// Whether sessions use the tree walker unless their thread says otherwise
/// ([`Engine::use_in_process`]).
static TREE_IN_PROCESS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

thread_local! {
    /// The engine of sessions made on this thread ([`Engine::use_on_this_thread`]).
    static ON_THIS_THREAD: std::cell::Cell<Option<Engine>> = const { std::cell::Cell::new(None) };
}

impl Engine {
    /// Makes `self` the engine of every session created from now on, on any thread
    /// that has not chosen its own, including those a grader's workers or a notebook
    /// kernel make: how the CLI's `MGRAD_ENGINE=tree` reaches them.
    pub fn use_in_process(self) {
        TREE_IN_PROCESS.store(self == Engine::TreeWalker, std::sync::atomic::Ordering::Relaxed);
    }

    /// Makes `self` the engine of every session created on this thread from now on:
    /// how the differential tests run a grader's sessions through each engine.
    pub fn use_on_this_thread(self) {
        ON_THIS_THREAD.with(|chosen| chosen.set(Some(self)));
    }

    /// The engine a new session gets.
    pub(crate) fn for_new_session() -> Engine {
        ON_THIS_THREAD.with(std::cell::Cell::get).unwrap_or(
            if TREE_IN_PROCESS.load(std::sync::atomic::Ordering::Relaxed) {
                Engine::TreeWalker
            } else {
                Engine::Compiled
            },
        )
    }
}

impl Session {
    /// Chooses the engine that runs this session's programs from now on.
    pub fn set_engine(&mut self, engine: Engine) {
        self.engine = engine;
    }

    /// Runs a top-level statement with the compiled engine if it holds a loop:
    /// `None` when it is left to the tree walker.
    pub(super) fn run_top_compiled(&mut self, stmt: &Stmt, host: &mut dyn Host) -> Option<Exec<()>> {
        if self.engine != Engine::Compiled || !compile::has_loop(stmt) || compile::has_long_chain(&[stmt], &[]) {
            return None;
        }
        let step = compile::step(stmt);
        Some(match (&stmt.kind, &step.kind) {
            // A bare expression at the top level shows its value.
            (StmtKind::Expr(_), code::StepKind::Expr(code)) => self.run(code, host).and_then(|value| {
                if matches!(value, crate::value::Value::None) {
                    Ok(())
                } else {
                    self.echo(value, stmt.span, host)
                }
            }),
            _ => self.run_step(&step, host),
        })
    }
}

/// A function's body compiled, or `None` when it is left to the tree walker.
pub(crate) fn function_body(def: &FnDef) -> Option<Body> {
    let long = match &def.body {
        FnBody::Expr(expr) => compile::has_long_chain(&[], &[expr]),
        FnBody::Block(block) => compile::has_long_chain(&block.statements.iter().collect::<Vec<_>>(), &[]),
    };
    (!long).then(|| compile::body(&def.body))
}
