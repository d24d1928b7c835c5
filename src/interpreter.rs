//! Runs mg programs against an autograd graph.
//!
//! A [`Session`] holds everything that lives between statements: the graph,
//! the names bound to values, the random generator, and the sources seen so far.
//! Output goes to a [`Host`] as data; the interpreter never prints.
//!
//! Architecture Invariant: a statement that fails in a REPL entry has no effect;
//! `run_entry` restores the session from a snapshot taken before it.

use std::rc::Rc;

use crate::ast::{Program, StmtKind};
use crate::diagnostic::{Diagnostic, ErrorKind, SourceMap};
use crate::graph::Graph;
use crate::limits::{Halt, Limits, POLL_EVERY, Reached};
use crate::output::{Output, Shown};
use crate::parser::ParseError;
use crate::span::Span;
use crate::value::{Items, Rng, Value};
use arithmetic::whole_number;
use calls::Frame;
use globals::Globals;

mod arithmetic;
mod builtins;
mod calls;
mod collect;
mod commands;
mod compiled;
mod describe;
mod embed;
mod errors;
mod eval;
mod exec;
mod globals;
mod inspect;
mod locals;
mod loops;
mod models;
mod plot;

pub use compiled::Engine;
pub use embed::Forbidden;
pub use errors::RuntimeError;
pub(crate) use locals::Locals;

/// Where a session sends what it prints and the files it writes.
///
/// The CLI writes to the terminal and the file system; tests collect outputs;
/// a grader can refuse file access.
pub trait Host {
    /// Receives one printed result, as soon as the statement that made it runs.
    fn emit(&mut self, output: Output);
    /// Writes `contents` to `path` (for `dot L > "l.dot"`), or gives the reason
    /// it could not (`No such file or directory`); the caller's message names
    /// the path, so the reason should not.
    fn write_file(&mut self, path: &str, contents: &str) -> Result<(), String>;
    /// Seconds since some fixed moment, for `clock()`; `None` where there is no clock
    /// (the library has none of its own: it runs in browsers and graders, and a
    /// graded run must not depend on time).
    fn clock(&mut self) -> Option<f64> {
        None
    }
    /// What `command > "path"` writes for an output (other than DOT text,
    /// which is written as it is): the text the command prints, or what the
    /// host prints instead (the CLI in JSON mode: the JSON object).
    fn render_for_file(&self, output: &Output) -> String {
        crate::render::render_text(output)
    }
    /// Whether the run may go on: asked every [`crate::limits::POLL_EVERY`] steps and
    /// after every output. A host with a clock checks its deadline here, a terminal
    /// host its Ctrl-C flag, any host the bytes it has printed (see `crate::limits`).
    fn poll(&mut self) -> Result<(), Halt> {
        Ok(())
    }
}

/// Builtin functions, for completion and "did you mean".
pub const BUILTINS: &[&str] = &[
    "tanh",
    "exp",
    "log",
    "relu",
    "sigmoid",
    "sqrt",
    "abs",
    "sin",
    "cos",
    "pow",
    "max",
    "min",
    "len",
    "sum",
    "zip",
    "range",
    "uniform",
    "mean",
    "Neuron",
    "Layer",
    "MLP",
    "parameters",
    "str",
    "round",
    "clock",
    "derivative",
];

/// How deep user functions may call each other before mg stops with an error.
pub const MAX_CALL_DEPTH: usize = 1000;

/// Garbage is collected once this many nodes were created since the last collection
/// (or twice as many as it kept, if more: so collecting costs O(1) per node created).
pub const COLLECT_AFTER: usize = 10_000;

/// The largest graph a session may build by default (32 bytes a node: about 1.6 GB).
pub const DEFAULT_NODE_LIMIT: usize = Limits::DEFAULT_NODES;

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
    graph: Graph,
    globals: Globals,
    /// The user functions being run, innermost last.
    frames: Vec<Frame>,
    /// The lists that running `for` loops walk (garbage-collection roots).
    loop_lists: Vec<Rc<Items>>,
    /// Slot vectors of finished calls, cleared, for the next calls to reuse.
    spare_slots: Vec<Vec<Option<Value>>>,
    rng: Rng,
    failed_checks: usize,
    history: Vec<String>,
    entries: usize,
    /// Whether the statements come from the REPL (`run_entry`), which echoes a node
    /// with its fields, rather than from a script.
    interactive: bool,
    /// The calls an error has left so far on its way out (call span, function name),
    /// innermost first: where it happened, for the diagnostic.
    unwound_calls: Vec<(Span, String)>,
    limits: Limits,
    /// Steps left before the next poll of the host (see [`Session::tick`]).
    countdown: u32,
    /// Steps taken by the run so far, up to the last poll.
    steps: u64,
    /// How deeply evaluation is nested now (see [`Session::enter`]).
    depth: usize,
    /// What the collection policy remembers (`collect.rs`).
    collector: collect::Collector,
    /// Which engine runs programs (`compiled/`).
    engine: Engine,
    /// What a grader refuses to run in a submission (`Session::forbid`); `None` elsewhere.
    forbidden: Option<Box<Forbidden>>,
    /// How many `derivative(f, x)` calls are running, one inside the other.
    derivatives: u32,
}

/// Why evaluation stopped early: an error, a `return` on its way to its function, or
/// a `break` or `continue` on its way to its loop.
///
/// One box, so that a `Flow` is a single non-null pointer and `Exec<Value>` is
/// as small as a `Value` (16 bytes, returned in registers): it is returned at
/// every level of evaluation, and the stop itself is rare.
struct Flow(Box<Stop>);

enum Stop {
    Error(RuntimeError),
    Return(Value, Span),
    Break(Span),
    Continue(Span),
}

impl Flow {
    #[cold]
    fn returning(value: Value, span: Span) -> Flow {
        Flow(Box::new(Stop::Return(value, span)))
    }

    #[cold]
    fn stopping(stop: Stop) -> Flow {
        Flow(Box::new(stop))
    }
}

impl From<RuntimeError> for Flow {
    #[cold]
    fn from(error: RuntimeError) -> Flow {
        Flow(Box::new(Stop::Error(error)))
    }
}

/// Helpers that cannot `return` (model calls, builtins) report plain errors; what
/// they call reports a `Flow`, whose `Return` they never see.
impl From<Flow> for RuntimeError {
    fn from(flow: Flow) -> RuntimeError {
        match *flow.0 {
            Stop::Error(error) => error,
            Stop::Return(_, span) => RuntimeError::ReturnOutsideFunction { span },
            // The parser accepts `break` and `continue` only inside loops, which catch them.
            Stop::Break(span) => RuntimeError::OutsideLoop { keyword: "break", span },
            Stop::Continue(span) => RuntimeError::OutsideLoop {
                keyword: "continue",
                span,
            },
        }
    }
}

type Exec<T> = Result<T, Flow>;

/// What must be restored for a failed REPL statement to have had no effect.
struct Snapshot {
    graph: Graph,
    globals: Globals,
    rng: Rng,
    failed_checks: usize,
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}

impl Session {
    /// A session with the default limits ([`Limits::default`]).
    pub fn new() -> Session {
        Session::with_limits(Limits::default())
    }

    /// A session that runs under `limits`. A grader makes one per submission,
    /// each with its own limits, on as many threads as it likes.
    pub fn with_limits(limits: Limits) -> Session {
        let mut graph = Graph::with_node_limit(limits.nodes);
        graph.set_memory_cap(limits.memory_bytes().unwrap_or(usize::MAX));
        Session {
            sources: SourceMap::default(),
            graph,
            globals: Globals::default(),
            frames: Vec::new(),
            loop_lists: Vec::new(),
            spare_slots: Vec::new(),
            rng: Rng::new(Rng::DEFAULT_SEED),
            failed_checks: 0,
            history: Vec::new(),
            entries: 0,
            unwound_calls: Vec::new(),
            interactive: false,
            countdown: POLL_EVERY,
            steps: 0,
            depth: 0,
            collector: collect::Collector::default(),
            engine: Engine::for_new_session(),
            forbidden: None,
            derivatives: 0,
            limits,
        }
    }

    /// The limits this session runs under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Runs a script (`name` is how errors refer to it), stopping at the first error.
    pub fn run_script(&mut self, name: &str, source: &str, host: &mut dyn Host) -> Result<(), Diagnostic> {
        self.start_run();
        let program = self.parse(name, source)?;
        self.interactive = false;
        for stmt in &program.statements {
            self.exec_top(stmt, host).map_err(|error| self.diagnostic(error))?;
        }
        Ok(())
    }

    /// Runs a script given as bytes, as read from a file: see [`crate::parser::decode`].
    /// A byte that is not UTF-8 is an error with its position, unless it is in a comment.
    pub fn run_script_bytes(&mut self, name: &str, bytes: &[u8], host: &mut dyn Host) -> Result<(), Diagnostic> {
        let decoded = crate::parser::decode(bytes);
        if let Some((offset, byte)) = decoded.first_bad_byte_in_code() {
            let base = self.sources.add(name, &decoded.text);
            let span = Span::new(base + offset, base + offset + char::REPLACEMENT_CHARACTER.len_utf8());
            return Err(parse_diagnostic(ParseError::NotUtf8 { byte, span }));
        }
        self.run_script(name, &decoded.text, host)
    }

    /// Runs one REPL entry. Each statement takes full effect or, if it fails, none:
    /// the session is as it was before that statement, and the entry stops there.
    pub fn run_entry(&mut self, source: &str, host: &mut dyn Host) -> Result<(), Diagnostic> {
        let name = format!("<repl {}>", self.entries + 1);
        self.run_entry_from(&name, 1, source, host)
    }

    /// [`Session::run_entry`] for an entry that errors should place in a
    /// source of its own: a file given to `:load`, or the lines of a piped
    /// REPL's input from `first_line` on (named `<stdin>`).
    pub fn run_entry_from(
        &mut self,
        name: &str,
        first_line: usize,
        source: &str,
        host: &mut dyn Host,
    ) -> Result<(), Diagnostic> {
        self.run_interactive(name, first_line, source, false, host).map(|_| ())
    }

    /// Runs one notebook cell (`name` is how errors refer to it) as a REPL entry, except
    /// that a bare expression ending the cell is not printed: its value, as the REPL
    /// would show it, is returned, to be the cell's result. (It is bound to `_` too.)
    pub fn run_cell(&mut self, name: &str, source: &str, host: &mut dyn Host) -> Result<Option<Shown>, Diagnostic> {
        self.run_interactive(name, 1, source, true, host)
    }

    /// The statements of an entry, each undone if it fails; with `keep_result`, the
    /// value of a final bare expression is returned rather than printed.
    fn run_interactive(
        &mut self,
        name: &str,
        first_line: usize,
        source: &str,
        keep_result: bool,
        host: &mut dyn Host,
    ) -> Result<Option<Shown>, Diagnostic> {
        self.entries += 1;
        let base = self.sources.add_at(name, source, first_line);
        let program = self.parse_at(base, source)?;
        self.interactive = true;
        self.start_run();
        let mut result = None;
        for (index, stmt) in program.statements.iter().enumerate() {
            let snapshot = self.snapshot();
            let last = index + 1 == program.statements.len();
            let done = match &stmt.kind {
                StmtKind::Expr(expr) if keep_result && last => self.eval_top(expr, host).map(|shown| result = shown),
                _ => self.exec_top(stmt, host),
            };
            match done {
                Ok(()) => self.history.push(self.sources.slice(stmt.span).to_string()),
                Err(error) => {
                    self.restore(snapshot);
                    return Err(self.diagnostic(error));
                }
            }
        }
        Ok(result)
    }

    /// How many `check` commands have failed so far (a script with any exits with status 1).
    pub fn failed_checks(&self) -> usize {
        self.failed_checks
    }

    /// Names bound in the session, sorted, for completion.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.globals.names().map(str::to_string).collect();
        names.sort();
        names
    }

    /// Bound names with a summary of their values, sorted, for `:vars`.
    pub fn vars(&self) -> Vec<VarInfo> {
        self.names()
            .into_iter()
            .filter_map(|name| {
                let value = self.globals.get(&name)?;
                let (kind, summary) = match value {
                    Value::Node(id) => (
                        "scalar",
                        format!(
                            "data {}  grad {}",
                            crate::number::format_number(self.graph.data(*id)),
                            crate::number::format_number(self.graph.grad(*id))
                        ),
                    ),
                    other => (other.kind_name().trim_start_matches("a "), self.describe(other)),
                };
                Some(VarInfo { name, kind, summary })
            })
            .collect()
    }

    /// The source of every statement that has run successfully in REPL entries, in order (for `:save`).
    pub fn history(&self) -> &[String] {
        &self.history
    }

    /// Forgets everything: names, graph, random state, history (not the limits).
    pub fn reset(&mut self) {
        let engine = self.engine;
        *self = Session::with_limits(self.limits.clone());
        self.engine = engine;
    }

    /// The sources seen so far, to render diagnostics against.
    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    /// The autograd graph of the session (read-only; for tests and tools).
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// The value bound to a global name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.globals.get(name)
    }

    fn parse(&mut self, name: &str, source: &str) -> Result<Program, Diagnostic> {
        // A byte-order mark is not part of the text: leaving it out keeps line 1's columns right.
        let source = source.strip_prefix('\u{feff}').unwrap_or(source);
        let base = self.sources.add(name, source);
        self.parse_at(base, source)
    }

    /// Parses a source already added to the source map at `base`.
    fn parse_at(&mut self, base: usize, source: &str) -> Result<Program, Diagnostic> {
        crate::parser::parse_program(source, base).map_err(parse_diagnostic)
    }

    /// A runtime error as the user sees it, with the calls it happened in, innermost
    /// first: a call repeated in a row (recursion) once, with its count; of a long
    /// chain, the innermost few and how many more.
    fn diagnostic(&mut self, error: RuntimeError) -> Diagnostic {
        const SHOWN_CALLS: usize = 3;
        let mut diagnostic = error.into_diagnostic();
        let mut runs: Vec<(Span, String, usize)> = Vec::new();
        for (span, name) in std::mem::take(&mut self.unwound_calls) {
            match runs.last_mut() {
                Some((last, _, count)) if *last == span => *count += 1,
                _ => runs.push((span, name, 1)),
            }
        }
        let more: usize = runs.iter().skip(SHOWN_CALLS).map(|(_, _, count)| count).sum();
        for (k, (span, name, count)) in runs.into_iter().take(SHOWN_CALLS).enumerate() {
            let mut message = format!("in '{name}', called here");
            if count > 1 {
                message.push_str(&format!(" ({count} times, one inside the other)"));
            }
            if k + 1 == SHOWN_CALLS && more > 0 {
                message.push_str(&format!(", from {more} more call{}", if more == 1 { "" } else { "s" }));
            }
            diagnostic.context.push((span, message));
        }
        diagnostic
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            graph: self.graph.clone(),
            globals: self.globals.clone(),
            rng: self.rng.clone(),
            failed_checks: self.failed_checks,
        }
    }

    fn restore(&mut self, snapshot: Snapshot) {
        self.graph = snapshot.graph;
        self.globals = snapshot.globals;
        self.globals.renew_epoch();
        self.rng = snapshot.rng;
        self.failed_checks = snapshot.failed_checks;
        self.frames.clear();
        self.loop_lists.clear();
        self.depth = 0;
        self.derivatives = 0;
    }

    /// A script, or a REPL entry, has the whole step budget.
    fn start_run(&mut self) {
        self.steps = 0;
        self.countdown = self.first_countdown();
        self.depth = 0;
        self.derivatives = 0;
    }

    /// Steps until the next poll: [`POLL_EVERY`], or what is left of the step budget.
    fn first_countdown(&self) -> u32 {
        let left = match self.limits.steps {
            Some(budget) => budget.saturating_sub(self.steps),
            None => u64::from(POLL_EVERY),
        };
        // At least 1, so the step that passes the budget polls and stops.
        left.clamp(1, u64::from(POLL_EVERY)) as u32
    }

    /// One step of a run: a loop iteration, a comprehension item, a call. Every loop
    /// and every call goes through here, so no program can run without being counted.
    /// A countdown, so it costs a decrement and a branch; every [`POLL_EVERY`] steps it
    /// checks the step budget and the memory, and asks the host whether to go on.
    #[inline(always)]
    fn tick(&mut self, span: Span, host: &mut dyn Host) -> Exec<()> {
        self.countdown -= 1;
        if self.countdown == 0 {
            return self.poll(span, host);
        }
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn poll(&mut self, span: Span, host: &mut dyn Host) -> Exec<()> {
        let taken = self.first_countdown();
        self.steps += u64::from(taken);
        if let Some(budget) = self.limits.steps
            && self.steps > budget
        {
            return Err(limit_error(Reached::Steps { steps: budget }, span).into());
        }
        self.countdown = self.first_countdown();
        self.check_memory(0, span)?;
        self.ask_host(span, host)
    }

    /// Asks the host whether to go on (after every output, and every so many steps).
    fn ask_host(&mut self, span: Span, host: &mut dyn Host) -> Exec<()> {
        host.poll().map_err(|halt| halt_error(halt, span).into())
    }

    /// Sends an output to the host, then asks it whether to go on (its output limit).
    fn emit(&mut self, output: Output, span: Span, host: &mut dyn Host) -> Exec<()> {
        host.emit(output);
        self.ask_host(span, host)
    }

    /// One level deeper in evaluation (an expression, a block, a call), or the depth
    /// limit's error. Every recursive path of the evaluator passes through here, so
    /// no program can overflow the stack; [`Session::leave`] undoes it.
    #[inline(always)]
    fn enter(&mut self, span: Span) -> Exec<()> {
        self.depth += 1;
        if self.depth > self.limits.depth {
            self.depth -= 1;
            return Err(limit_error(
                Reached::Depth {
                    depth: self.limits.depth,
                },
                span,
            )
            .into());
        }
        Ok(())
    }

    #[inline(always)]
    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// The memory the session holds (approximately: the graph's arena and labels, and
    /// every list's items), plus `more` bytes about to be allocated, against the limit.
    fn check_memory(&self, more: usize, span: Span) -> Result<(), RuntimeError> {
        let Some(limit) = self.limits.memory_bytes() else {
            return Ok(());
        };
        let used = self
            .graph
            .memory_bytes()
            .saturating_add(crate::limits::memory::value_bytes())
            .saturating_add(more);
        if used > limit {
            return Err(limit_error(
                Reached::Memory {
                    mib: self.limits.memory_mib.unwrap_or_default(),
                },
                span,
            ));
        }
        Ok(())
    }
}

impl Session {
    /// An empty `Vec` with room for `items` values, if the memory limit allows it and
    /// the allocator gives it: a list a program asks for is an error past the limit,
    /// never an abort of the process.
    fn reserve_list(&self, items: usize, span: Span) -> Result<Vec<Value>, RuntimeError> {
        let mut list = Vec::new();
        self.grow_list(&mut list, items, span)?;
        Ok(list)
    }

    /// An empty `String` with room for `bytes`, as [`Session::reserve_list`] gives a list.
    fn reserve_string(&self, bytes: usize, span: Span) -> Result<String, RuntimeError> {
        self.check_memory(bytes, span)?;
        let mut text = String::new();
        text.try_reserve_exact(bytes).map_err(|_| self.memory_error(span))?;
        Ok(text)
    }

    /// Makes room in a list that grows in place (`xs.append(x)`, `xs = xs + ys`) for
    /// `needed` more items, at least doubling its capacity as a `Vec` would, within
    /// the memory limit.
    pub(super) fn grow_items(
        &self,
        items: &mut crate::value::Items,
        needed: usize,
        span: Span,
    ) -> Result<(), RuntimeError> {
        if needed <= items.capacity() - items.len() {
            return Ok(());
        }
        let more = items.capacity().max(needed).max(4);
        self.check_memory(more.saturating_mul(std::mem::size_of::<Value>()), span)?;
        if items.try_reserve(more) {
            Ok(())
        } else {
            Err(self.memory_error(span))
        }
    }

    /// The error of memory the allocator would not give.
    fn memory_error(&self, span: Span) -> RuntimeError {
        limit_error(
            Reached::Memory {
                mib: self.limits.memory_mib.unwrap_or_default(),
            },
            span,
        )
    }

    /// Makes room in `list` for `more` values, as [`Session::reserve_list`] does.
    fn grow_list(&self, list: &mut Vec<Value>, more: usize, span: Span) -> Result<(), RuntimeError> {
        let bytes = more
            .saturating_add(list.capacity())
            .saturating_mul(std::mem::size_of::<Value>());
        self.check_memory(bytes, span)?;
        list.try_reserve_exact(more).map_err(|_| {
            limit_error(
                Reached::Memory {
                    mib: self.limits.memory_mib.unwrap_or_default(),
                },
                span,
            )
        })
    }
}

/// The error of a limit reached at `span`.
#[cold]
fn limit_error(reached: Reached, span: Span) -> RuntimeError {
    RuntimeError::Limit {
        message: reached.to_string(),
        span,
        help: Some(reached.help()),
    }
}

/// The error of a host's halt at `span`.
#[cold]
fn halt_error(halt: Halt, span: Span) -> RuntimeError {
    match halt {
        Halt::Time { seconds } => limit_error(Reached::Time { seconds }, span),
        Halt::Output { bytes } => limit_error(Reached::Output { bytes }, span),
        Halt::Interrupted => RuntimeError::Interrupted { span },
    }
}

/// A parse error as the user sees it.
pub(crate) fn parse_diagnostic(error: ParseError) -> Diagnostic {
    Diagnostic {
        kind: ErrorKind::Parse,
        message: error.to_string(),
        span: error.span(),
        label: None,
        help: error.help(),
        context: Vec::new(),
    }
}

/// Architecture Invariant: a `Value`, and the `Exec<Value>` every evaluation
/// step returns, fit in two registers.
#[test]
fn values_and_results_are_16_bytes() {
    assert_eq!(std::mem::size_of::<Value>(), 16);
    assert_eq!(std::mem::size_of::<Exec<Value>>(), 16);
}
