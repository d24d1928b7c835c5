//! Runs mg programs against an autograd graph.
//!
//! A [`Session`] holds everything that lives between statements: the graph,
//! the names bound to values, the random generator, and the sources seen so far.
//! Output goes to a [`Host`] as data; the interpreter never prints.
//!
//! Architecture Invariant: a statement that fails in a REPL entry has no effect;
//! `run_entry` restores the session from a snapshot taken before it.

use std::collections::HashSet;
use std::rc::Rc;

use crate::ast::{
    AssignTarget, BinaryOp, Block, CompareOp, Expr, ExprKind, FnBody, Ident, LogicalOp, Pattern, Program, Stmt,
    StmtKind, UnaryOp,
};
use crate::diagnostic::{Diagnostic, ErrorKind, SourceMap};
use crate::graph::{self, Graph, GraphError, NodeId, Op};
use crate::output::Output;
use crate::span::Span;
use crate::value::{Activation, Builtin, Function, Layer, Model, Names, Neuron, Rng, Value};
use globals::Globals;

mod commands;
mod errors;
mod globals;
mod locals;

pub use errors::RuntimeError;
pub(crate) use locals::Locals;

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
];

/// How deep user functions may call each other before mg stops with an error.
pub const MAX_CALL_DEPTH: usize = 1000;

/// Garbage is collected once this many nodes were created since the last collection
/// (or twice as many as it kept, if more: so collecting costs O(1) per node created).
pub const COLLECT_AFTER: usize = 10_000;

/// The largest graph a session may build (32 bytes a node: about 1.6 GB).
pub const DEFAULT_NODE_LIMIT: usize = 50_000_000;

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
    loop_lists: Vec<Rc<Vec<Value>>>,
    /// Slot vectors of finished calls, cleared, for the next calls to reuse.
    spare_slots: Vec<Vec<Option<Value>>>,
    rng: Rng,
    failed_checks: usize,
    history: Vec<String>,
    entries: usize,
}

/// The local names of one running user function.
struct Frame {
    /// The function's local names, and the value in each slot (`None` until bound).
    locals: Rc<Locals>,
    slots: Vec<Option<Value>>,
    /// Names bound that `locals` did not foresee, if any.
    extra: Names,
    /// The locals of the function this one was defined in, if any (a closure).
    captured: Option<Rc<Names>>,
}

impl Frame {
    /// Every local bound so far, by name.
    fn bound(&self) -> impl Iterator<Item = (&String, &Value)> {
        let in_slots = self.locals.names.iter().zip(&self.slots);
        in_slots
            .filter_map(|(name, value)| value.as_ref().map(|value| (name, value)))
            .chain(self.extra.iter())
    }

    #[inline]
    fn get(&self, ident: &Ident) -> Option<&Value> {
        match self.locals.slot(ident) {
            Some(slot) => self.slots.get(slot)?.as_ref(),
            None if self.extra.is_empty() => None,
            None => self.extra.get(&ident.name),
        }
    }

    fn set(&mut self, ident: &Ident, value: Value) {
        match self.locals.slot(ident).and_then(|slot| self.slots.get_mut(slot)) {
            Some(slot) => *slot = Some(value),
            None => {
                // A name the list did not foresee: rebinding it reuses its key.
                match self.extra.get_mut(&ident.name) {
                    Some(slot) => *slot = value,
                    None => {
                        self.extra.insert(ident.name.clone(), value);
                    }
                }
            }
        }
    }
}

/// Why evaluation stopped early: an error, or a `return` on its way to its function.
///
/// One box, so that a `Flow` is a single non-null pointer and `Exec<Value>` is
/// as small as a `Value` (16 bytes, returned in registers): it is returned at
/// every level of evaluation, and the stop itself is rare.
struct Flow(Box<Stop>);

enum Stop {
    Error(RuntimeError),
    Return(Value, Span),
}

impl Flow {
    #[cold]
    fn returning(value: Value, span: Span) -> Flow {
        Flow(Box::new(Stop::Return(value, span)))
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
    pub fn new() -> Session {
        Session {
            sources: SourceMap::default(),
            graph: Graph::with_node_limit(DEFAULT_NODE_LIMIT),
            globals: Globals::default(),
            frames: Vec::new(),
            loop_lists: Vec::new(),
            spare_slots: Vec::new(),
            rng: Rng::new(Rng::DEFAULT_SEED),
            failed_checks: 0,
            history: Vec::new(),
            entries: 0,
        }
    }

    /// Runs a script (`name` is how errors refer to it), stopping at the first error.
    pub fn run_script(&mut self, name: &str, source: &str, host: &mut dyn Host) -> Result<(), Diagnostic> {
        let program = self.parse(name, source)?;
        for stmt in &program.statements {
            self.exec_top(stmt, host).map_err(|error| self.diagnostic(error))?;
        }
        Ok(())
    }

    /// Runs one REPL entry. Each statement takes full effect or, if it fails, none:
    /// the session is as it was before that statement, and the entry stops there.
    pub fn run_entry(&mut self, source: &str, host: &mut dyn Host) -> Result<(), Diagnostic> {
        self.entries += 1;
        let name = format!("<repl {}>", self.entries);
        let program = self.parse(&name, source)?;
        for stmt in &program.statements {
            let snapshot = self.snapshot();
            match self.exec_top(stmt, host) {
                Ok(()) => self.history.push(self.sources.slice(stmt.span).to_string()),
                Err(error) => {
                    self.restore(snapshot);
                    return Err(self.diagnostic(error));
                }
            }
        }
        Ok(())
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

    /// Forgets everything: names, graph, random state, history.
    pub fn reset(&mut self) {
        *self = Session::new();
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
        let base = self.sources.add(name, source);
        crate::parser::parse_program(source, base).map_err(|error| Diagnostic {
            kind: ErrorKind::Parse,
            message: error.to_string(),
            span: error.span(),
            label: None,
            help: error.help(),
        })
    }

    fn diagnostic(&self, error: RuntimeError) -> Diagnostic {
        error.into_diagnostic()
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
    }

    fn exec_top(&mut self, stmt: &Stmt, host: &mut dyn Host) -> Result<(), RuntimeError> {
        self.collect_garbage_if_due();
        match self.exec(stmt, host, true) {
            Ok(()) => Ok(()),
            Err(flow) => Err(flow.into()),
        }
    }

    // ----- statements -----

    fn exec_block(&mut self, block: &Block, host: &mut dyn Host) -> Exec<()> {
        for stmt in &block.statements {
            self.collect_garbage_if_due();
            self.exec(stmt, host, false)?;
        }
        Ok(())
    }

    /// Frees the nodes nothing can reach any more, once enough have been created since
    /// the last time. A training loop builds a new graph every step; this keeps its memory flat.
    ///
    /// Invariant: collection happens only between statements and outside user functions
    /// (`frames` empty). There, every value the program can still use is reachable from
    /// `globals` or from `loop_lists`; inside an expression, half-built values would live
    /// only on the Rust stack, where the collector cannot see them.
    fn collect_garbage_if_due(&mut self) {
        if !self.frames.is_empty() {
            return;
        }
        // Nodes alive after the last collection: `live_count` also counts the garbage made since.
        let created = self.graph.created_since_collection();
        let kept = self.graph.live_count().saturating_sub(created);
        // Waiting for twice what was kept makes collecting cost O(1) per node even
        // when nearly everything stays alive (a long chain), and the arena at most
        // about three times the live nodes.
        if created < COLLECT_AFTER.max(2 * kept) {
            return;
        }
        let roots = self.roots();
        self.graph.collect_garbage(&roots);
    }

    /// Every node a name, a list being looped over, a closure or a model still holds.
    fn roots(&self) -> Vec<NodeId> {
        let mut roots = Vec::new();
        let mut seen_lists: HashSet<*const Vec<Value>> = HashSet::new();
        let mut pending: Vec<&Value> = self.globals.values().collect();
        for list in &self.loop_lists {
            if seen_lists.insert(Rc::as_ptr(list)) {
                pending.extend(list.iter());
            }
        }
        // An explicit stack: lists can nest as deep as a program makes them.
        while let Some(value) = pending.pop() {
            match value {
                Value::Node(id) => roots.push(*id),
                Value::List(items) => {
                    if seen_lists.insert(Rc::as_ptr(items)) {
                        pending.extend(items.iter());
                    }
                }
                Value::Model(model) => roots.extend(model.parameters()),
                Value::Function(function) => pending.extend(function.captured.iter().flat_map(|names| names.values())),
                Value::Num(_) | Value::Bool(_) | Value::Str(_) | Value::Builtin(_) | Value::None => {}
            }
        }
        roots
    }

    fn exec(&mut self, stmt: &Stmt, host: &mut dyn Host, top_level: bool) -> Exec<()> {
        match &stmt.kind {
            StmtKind::Expr(expr) => {
                let value = self.eval(expr, host)?;
                if top_level && !matches!(value, Value::None) {
                    let shown = self.show_value(&value);
                    host.emit(Output::Print(crate::output::PrintOut { values: vec![shown] }));
                }
            }
            StmtKind::Assign { target, op, value } => self.exec_assign(target, *op, value, stmt.span, host)?,
            StmtKind::Command { command, redirect } => {
                self.exec_command(command, redirect.as_ref(), stmt.span, host)?
            }
            StmtKind::For {
                pattern,
                iterable,
                body,
            } => {
                // `for k in a..b` counts without building the list: nothing to allocate or to root.
                if let ExprKind::Range { start, end } = &iterable.kind {
                    let (from, to) = self.eval_range_bounds(start, end, host)?;
                    for k in from..to {
                        self.bind_pattern(pattern, Value::Num(k as f64))?;
                        self.exec_block(body, host)?;
                    }
                    return Ok(());
                }
                let items = self.eval_iterable(iterable, host)?;
                // The list being walked is a root for garbage collection while the loop runs.
                self.loop_lists.push(Rc::clone(&items));
                let result = items.iter().try_for_each(|item| {
                    self.bind_pattern(pattern, item.clone())?;
                    self.exec_block(body, host)
                });
                self.loop_lists.pop();
                result?;
            }
            StmtKind::If {
                condition,
                then_block,
                else_block,
            } => {
                if self.eval_condition(condition, host)? {
                    self.exec_block(then_block, host)?;
                } else if let Some(block) = else_block {
                    self.exec_block(block, host)?;
                }
            }
            StmtKind::FnDef(def) => {
                // Inside a function, the new function keeps what it can see there.
                let captured = self.frames.last().map(|frame| {
                    let mut seen = frame.captured.as_deref().cloned().unwrap_or_default();
                    seen.extend(frame.bound().map(|(name, value)| (name.clone(), value.clone())));
                    Rc::new(seen)
                });
                let function = Function {
                    def: Rc::clone(def),
                    captured,
                    locals: Rc::new(Locals::of(def)),
                };
                self.set_var(&def.name, Value::Function(Rc::new(function)));
            }
            StmtKind::Return(value) => {
                if self.frames.is_empty() {
                    return Err(RuntimeError::ReturnOutsideFunction { span: stmt.span }.into());
                }
                let value = match value {
                    Some(expr) => self.eval(expr, host)?,
                    None => Value::None,
                };
                return Err(Flow::returning(value, stmt.span));
            }
        }
        Ok(())
    }

    fn exec_assign(
        &mut self,
        target: &AssignTarget,
        op: Option<BinaryOp>,
        value: &Expr,
        span: Span,
        host: &mut dyn Host,
    ) -> Exec<()> {
        match target {
            AssignTarget::Name(ident) => {
                let mut new = self.eval(value, host)?;
                if let Some(op) = op {
                    let current = self.lookup(ident)?;
                    new = self.arithmetic(op, &current, &new, span)?;
                }
                let bound = self.labelled(new, &ident.name)?;
                self.set_var(ident, bound);
            }
            AssignTarget::Attribute { object, attribute } => {
                let object_value = self.eval(object, host)?;
                let new = self.eval(value, host)?;
                self.assign_attribute(&object_value, object, attribute, op, new, span)?;
            }
            AssignTarget::Index { object, index } => {
                let new = self.eval(value, host)?;
                self.assign_index(object, index, op, new, span, host)?;
            }
        }
        Ok(())
    }

    /// What `name = value` binds: a plain number becomes a leaf, and a node without
    /// a label takes the name as its label (SPEC §3).
    fn labelled(&mut self, value: Value, name: &str) -> Result<Value, RuntimeError> {
        match value {
            Value::Num(x) => {
                let id = self
                    .graph
                    .leaf(x)
                    .map_err(|error| self.graph_error(error, Span::default()))?;
                self.graph.set_label(id, Some(name));
                Ok(Value::Node(id))
            }
            Value::Node(id) => {
                if self.graph.label(id).is_none() {
                    self.graph.set_label(id, Some(name));
                }
                Ok(Value::Node(id))
            }
            other => Ok(other),
        }
    }

    #[inline]
    fn set_var(&mut self, ident: &Ident, value: Value) {
        if self.frames.is_empty() {
            self.globals.set(ident, value);
        } else {
            self.set_local(ident, value);
        }
    }

    #[inline(never)]
    fn set_local(&mut self, ident: &Ident, value: Value) {
        match self.frames.last_mut() {
            Some(frame) => frame.set(ident, value),
            None => self.globals.set(ident, value),
        }
    }

    fn assign_attribute(
        &mut self,
        object_value: &Value,
        object: &Expr,
        attribute: &Ident,
        op: Option<BinaryOp>,
        new: Value,
        span: Span,
    ) -> Exec<()> {
        let id = match object_value {
            Value::Node(id) => *id,
            other => {
                return Err(RuntimeError::Type {
                    message: format!(
                        "cannot set '.{}' of {}: only graph nodes have attributes",
                        attribute.name,
                        other.kind_name()
                    ),
                    span: object.span,
                    help: Some("bind the number to a name first: x = 2; x.grad = 1".to_string()),
                }
                .into());
            }
        };
        match attribute.name.as_str() {
            "data" | "grad" => {
                let mut number = self.expect_number(&new, span, "a node's data or grad")?;
                if let Some(op) = op {
                    let current = if attribute.name == "data" {
                        self.graph.data(id)
                    } else {
                        self.graph.grad(id)
                    };
                    number = self.number_arithmetic(op, current, number, span)?;
                }
                if !number.is_finite() {
                    return Err(RuntimeError::NotFinite {
                        message: format!(
                            "cannot set '.{}' to {}",
                            attribute.name,
                            crate::number::format_number(number)
                        ),
                        span,
                    }
                    .into());
                }
                if attribute.name == "data" {
                    self.graph.set_data(id, number);
                } else {
                    self.graph.set_grad(id, number);
                }
            }
            "label" => {
                if op.is_some() {
                    return Err(RuntimeError::Type {
                        message: "a label can only be set with '=', not changed with an operator".to_string(),
                        span,
                        help: Some("write x.label = \"name\"".to_string()),
                    }
                    .into());
                }
                match new {
                    Value::Str(text) => self.graph.set_label(id, Some(&text)),
                    other => {
                        return Err(RuntimeError::Type {
                            message: format!("a label must be a string, not {}", other.kind_name()),
                            span,
                            help: Some("write x.label = \"name\"".to_string()),
                        }
                        .into());
                    }
                }
            }
            _ => return Err(errors::unknown_attribute(attribute).into()),
        }
        Ok(())
    }

    /// `xs[i] = v` and `xs[i][j] += v`: lists are values, so this rebinds `xs` to a changed copy.
    fn assign_index(
        &mut self,
        object: &Expr,
        index: &Expr,
        op: Option<BinaryOp>,
        new: Value,
        span: Span,
        host: &mut dyn Host,
    ) -> Exec<()> {
        let mut indexes = vec![index];
        let mut base = object;
        while let ExprKind::Index { object, index } = &base.kind {
            indexes.push(index);
            base = object;
        }
        indexes.reverse();
        let ExprKind::Name(ident) = &base.kind else {
            return Err(RuntimeError::Type {
                message: "only items of a named list can be assigned".to_string(),
                span: base.span,
                help: Some("bind the list to a name first: xs = [1, 2]; xs[0] = 3".to_string()),
            }
            .into());
        };
        let mut positions = Vec::new();
        for index in &indexes {
            let value = self.eval(index, host)?;
            positions.push((self.expect_integer(&value, index.span, "a list index")?, index.span));
        }
        let mut root = self.lookup(ident)?;
        let mut slot = &mut root;
        for (position, index_span) in &positions {
            let Value::List(items) = slot else {
                return Err(RuntimeError::Type {
                    message: format!("cannot index into {}", slot.kind_name()),
                    span: *index_span,
                    help: None,
                }
                .into());
            };
            let items = Rc::make_mut(items);
            let at = errors::list_position(*position, items.len(), *index_span)?;
            slot = &mut items[at];
        }
        let updated = match op {
            Some(op) => {
                let current = slot.clone();
                self.arithmetic(op, &current, &new, span)?
            }
            None => new,
        };
        // Re-walk to store: the borrow above ended when we called `arithmetic`.
        let mut slot = &mut root;
        for (position, _) in &positions {
            if let Value::List(items) = slot {
                let items = Rc::make_mut(items);
                let at = errors::list_position(*position, items.len(), span)?;
                slot = &mut items[at];
            }
        }
        *slot = updated;
        self.set_var(ident, root);
        Ok(())
    }

    fn bind_pattern(&mut self, pattern: &Pattern, value: Value) -> Exec<()> {
        match pattern {
            Pattern::Name(ident) => {
                self.set_var(ident, value);
                Ok(())
            }
            Pattern::Tuple { parts, span } => {
                let Value::List(items) = &value else {
                    return Err(RuntimeError::Type {
                        message: format!("cannot unpack {} into {} names", value.kind_name(), parts.len()),
                        span: *span,
                        help: None,
                    }
                    .into());
                };
                if items.len() != parts.len() {
                    return Err(RuntimeError::Type {
                        message: format!(
                            "cannot unpack a list of {} items into {} names",
                            items.len(),
                            parts.len()
                        ),
                        span: *span,
                        help: None,
                    }
                    .into());
                }
                for (part, item) in parts.iter().zip(items.iter()) {
                    self.bind_pattern(part, item.clone())?;
                }
                Ok(())
            }
        }
    }

    // ----- expressions -----

    /// Evaluates an expression. Only the commonest kinds are handled here; the
    /// rest go to [`Session::eval_other`], so that this function, which every
    /// sub-expression passes through, stays small (a small stack frame and few
    /// saved registers per call are most of what a tree walker can save).
    fn eval(&mut self, expr: &Expr, host: &mut dyn Host) -> Exec<Value> {
        match &expr.kind {
            ExprKind::Number(x) => Ok(Value::Num(*x)),
            ExprKind::Name(ident) => self.lookup(ident),
            ExprKind::Binary { .. } => self.eval_binary_chain(expr, host),
            ExprKind::Index { object, index } => self.eval_index(object, index, host),
            _ => self.eval_other(expr, host),
        }
    }

    fn eval_index(&mut self, object: &Expr, index: &Expr, host: &mut dyn Host) -> Exec<Value> {
        // `xs[2*i + 1]`: read the item in place when the list is a name and the
        // index a plain whole number in range; anything else (and every error)
        // takes the general path below, which evaluates both from the start.
        if let ExprKind::Name(ident) = &object.kind
            && let Some(Value::List(items)) = self.binding(ident)
            && let Some(position) = self.quick_number(index, 4)
            && let Some(position) = whole_number(position)
            && let Ok(at) = errors::list_position(position, items.len(), index.span)
        {
            return Ok(items[at].clone());
        }
        let list = self.eval(object, host)?;
        let position = self.eval(index, host)?;
        let position = self.expect_integer(&position, index.span, "a list index")?;
        match &list {
            Value::List(items) => Ok(items[errors::list_position(position, items.len(), index.span)?].clone()),
            other => Err(RuntimeError::Type {
                message: format!("cannot index into {}", other.kind_name()),
                span: object.span,
                help: None,
            }
            .into()),
        }
    }

    #[inline(never)]
    fn eval_other(&mut self, expr: &Expr, host: &mut dyn Host) -> Exec<Value> {
        let value = match &expr.kind {
            ExprKind::Str(text) => Value::Str(Rc::new(text.clone())),
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    values.push(self.eval(item, host)?);
                }
                Value::list(values)
            }
            ExprKind::Range { start, end } => {
                let (from, to) = self.eval_range_bounds(start, end, host)?;
                self.range(from, to, expr.span)?
            }
            ExprKind::Comprehension {
                element,
                pattern,
                iterable,
                condition,
            } => {
                // `[f(k) for k in a..b]` counts without building the range's list.
                let (range, items) = match &iterable.kind {
                    ExprKind::Range { start, end } => (Some(self.eval_range_bounds(start, end, host)?), None),
                    _ => (None, Some(self.eval_iterable(iterable, host)?)),
                };
                let expected = match (range, &items) {
                    (Some((from, to)), _) => usize::try_from(to.saturating_sub(from)).unwrap_or(0),
                    (None, Some(items)) => items.len(),
                    (None, None) => 0,
                };
                // Room for every item up front (bounded: a filter may keep few of many).
                let mut values = Vec::with_capacity(expected.min(1 << 20));
                let mut visit = |session: &mut Session, item: Value| -> Exec<()> {
                    session.bind_pattern(pattern, item)?;
                    if let Some(condition) = condition
                        && !session.eval_condition(condition, host)?
                    {
                        return Ok(());
                    }
                    values.push(session.eval(element, host)?);
                    Ok(())
                };
                if let Some((from, to)) = range {
                    for k in from..to {
                        visit(self, Value::Num(k as f64))?;
                    }
                }
                for item in items.iter().flat_map(|items| items.iter()) {
                    visit(self, item.clone())?;
                }
                Value::list(values)
            }
            ExprKind::Unary { op, operand } => {
                let value = self.eval(operand, host)?;
                match (op, &value) {
                    (UnaryOp::Plus, Value::Num(_) | Value::Node(_)) => value,
                    (UnaryOp::Neg, Value::Num(x)) => Value::Num(-x),
                    (UnaryOp::Neg, Value::Node(id)) => self.apply(Op::Neg, &[*id], expr.span)?,
                    (_, other) => {
                        let sign = if *op == UnaryOp::Neg { '-' } else { '+' };
                        return Err(RuntimeError::Type {
                            message: format!("cannot apply unary '{sign}' to {}", other.kind_name()),
                            span: expr.span,
                            help: None,
                        }
                        .into());
                    }
                }
            }
            ExprKind::Binary { .. } => self.eval_binary_chain(expr, host)?,
            ExprKind::Compare { op, lhs, rhs } => {
                let left = self.eval(lhs, host)?;
                let right = self.eval(rhs, host)?;
                Value::Bool(self.compare(*op, &left, &right, expr.span)?)
            }
            ExprKind::Not(operand) => Value::Bool(!self.eval_condition(operand, host)?),
            ExprKind::Logical { op, lhs, rhs } => {
                let left = self.eval_condition(lhs, host)?;
                let result = match op {
                    LogicalOp::And => left && self.eval_condition(rhs, host)?,
                    LogicalOp::Or => left || self.eval_condition(rhs, host)?,
                };
                Value::Bool(result)
            }
            ExprKind::Call { callee, args } => self.eval_call(callee, args, expr.span, host)?,
            ExprKind::Attribute { object, attribute } => {
                let value = self.eval(object, host)?;
                self.read_attribute(&value, object, attribute)?
            }
            ExprKind::Number(_) | ExprKind::Name(_) | ExprKind::Index { .. } => return self.eval(expr, host),
        };
        Ok(value)
    }

    fn eval_range_bounds(&mut self, start: &Expr, end: &Expr, host: &mut dyn Host) -> Exec<(i64, i64)> {
        let start_value = self.eval(start, host)?;
        let end_value = self.eval(end, host)?;
        let from = self.expect_integer(&start_value, start.span, "the start of a range")?;
        let to = self.expect_integer(&end_value, end.span, "the end of a range")?;
        Ok((from, to))
    }

    /// Evaluates `a + b - c * d …` walking the left spine iteratively, so a long
    /// left-associative chain costs no stack depth.
    fn eval_binary_chain(&mut self, expr: &Expr, host: &mut dyn Host) -> Exec<Value> {
        // A short chain (`2 * i + 1`) recurses: only a long one needs a spine on the heap.
        if let ExprKind::Binary { op, lhs, rhs } = &expr.kind
            && left_spine_is_short(lhs)
        {
            let left = self.eval_operand(lhs, host)?;
            let right = self.eval_operand(rhs, host)?;
            return self.arithmetic(*op, &left, &right, expr.span);
        }
        let mut spine = Vec::new();
        let mut leftmost = expr;
        while let ExprKind::Binary { op, lhs, rhs } = &leftmost.kind {
            spine.push((*op, rhs.as_ref(), leftmost.span));
            leftmost = lhs;
        }
        let mut value = self.eval(leftmost, host)?;
        for (op, rhs, span) in spine.into_iter().rev() {
            let right = self.eval_operand(rhs, host)?;
            value = self.arithmetic(op, &value, &right, span)?;
        }
        Ok(value)
    }

    /// [`Session::eval`] with literals and names handled in line: the operands of
    /// arithmetic usually are, and each saves a call.
    #[inline(always)]
    fn eval_operand(&mut self, expr: &Expr, host: &mut dyn Host) -> Exec<Value> {
        match &expr.kind {
            ExprKind::Number(x) => Ok(Value::Num(*x)),
            ExprKind::Name(ident) => self.lookup(ident),
            _ => self.eval(expr, host),
        }
    }

    fn eval_condition(&mut self, expr: &Expr, host: &mut dyn Host) -> Exec<bool> {
        match self.eval(expr, host)? {
            Value::Bool(b) => Ok(b),
            other => Err(RuntimeError::Type {
                message: format!("expected true or false here, found {}", other.kind_name()),
                span: expr.span,
                help: Some("compare it to something, e.g. x > 0".to_string()),
            }
            .into()),
        }
    }

    fn eval_iterable(&mut self, expr: &Expr, host: &mut dyn Host) -> Exec<Rc<Vec<Value>>> {
        match self.eval(expr, host)? {
            Value::List(items) => Ok(items),
            other => Err(RuntimeError::Type {
                message: format!("cannot loop over {}", other.kind_name()),
                span: expr.span,
                help: Some("loop over a list or a range: for k in 0..10 { … }".to_string()),
            }
            .into()),
        }
    }

    #[inline]
    fn lookup(&self, ident: &Ident) -> Exec<Value> {
        match self.binding(ident) {
            Some(value) => Ok(value.clone()),
            None => self.lookup_builtin(ident),
        }
    }

    /// What `ident` is bound to, borrowed: the running function's locals, then
    /// what it captured, then the globals. `None` for a builtin or an unknown name.
    #[inline]
    fn binding(&self, ident: &Ident) -> Option<&Value> {
        match self.frames.last() {
            None => self.globals.lookup(ident),
            Some(frame) => self.local_binding(frame, ident),
        }
    }

    /// [`Session::binding`] inside a function: by name in its locals and captures,
    /// then in the globals.
    #[inline(never)]
    fn local_binding<'a>(&'a self, frame: &'a Frame, ident: &Ident) -> Option<&'a Value> {
        if let Some(value) = frame.get(ident) {
            return Some(value);
        }
        if let Some(value) = frame.captured.as_deref().and_then(|names| names.get(&ident.name)) {
            return Some(value);
        }
        self.globals.lookup(ident)
    }

    /// The value of `expr` when it is a plain number that can be worked out with
    /// no effect and no error: a literal, a name bound to a plain number, or `+`,
    /// `-`, `*` of such (at most `depth` deep) with a finite result, as
    /// [`Session::arithmetic`] would compute it. `None` otherwise, and then the
    /// caller evaluates `expr` in full: nothing has happened that it could repeat.
    fn quick_number(&self, expr: &Expr, depth: u32) -> Option<f64> {
        match &expr.kind {
            ExprKind::Binary { op, lhs, rhs } if depth > 0 => {
                // Literals and names inline; only nested operations recurse.
                let operand = |expr: &Expr| match &expr.kind {
                    ExprKind::Binary { .. } => self.quick_number(expr, depth - 1),
                    _ => self.quick_operand(expr),
                };
                let a = operand(lhs)?;
                let b = operand(rhs)?;
                let result = match op {
                    BinaryOp::Add => a + b,
                    BinaryOp::Sub => a - b,
                    BinaryOp::Mul => a * b,
                    _ => return None,
                };
                result.is_finite().then_some(result)
            }
            _ => self.quick_operand(expr),
        }
    }

    /// [`Session::quick_number`] of a literal or a name.
    #[inline]
    fn quick_operand(&self, expr: &Expr) -> Option<f64> {
        match &expr.kind {
            ExprKind::Number(x) => Some(*x),
            ExprKind::Name(ident) => match self.binding(ident) {
                Some(Value::Num(x)) => Some(*x),
                _ => None,
            },
            _ => None,
        }
    }

    /// A name that is not bound: a builtin, or an error suggesting the closest bound name.
    #[cold]
    #[inline(never)]
    fn lookup_builtin(&self, ident: &Ident) -> Exec<Value> {
        let (name, span) = (ident.name.as_str(), ident.span);
        if let Some(builtin) = Builtin::lookup(name) {
            return Ok(Value::Builtin(builtin));
        }
        let mut candidates: Vec<&str> = self.globals.names().collect();
        if let Some(frame) = self.frames.last() {
            candidates.extend(frame.bound().map(|(name, _)| name.as_str()));
            candidates.extend(frame.captured.iter().flat_map(|names| names.keys().map(String::as_str)));
        }
        candidates.extend(BUILTINS.iter().copied());
        Err(RuntimeError::UnknownName {
            name: name.to_string(),
            span,
            suggestion: crate::suggest::closest(name, candidates).map(str::to_string),
        }
        .into())
    }

    fn read_attribute(&mut self, value: &Value, object: &Expr, attribute: &Ident) -> Exec<Value> {
        match (attribute.name.as_str(), value) {
            ("data", Value::Node(id)) => Ok(Value::Num(self.graph.data(*id))),
            ("grad", Value::Node(id)) => Ok(Value::Num(self.graph.grad(*id))),
            ("label", Value::Node(id)) => Ok(Value::Str(Rc::new(self.graph.label(*id).unwrap_or("").to_string()))),
            ("data", Value::Num(x)) => Ok(Value::Num(*x)),
            ("data" | "grad" | "label", other) => Err(RuntimeError::Type {
                message: format!(
                    "{} has no '.{}'; only graph nodes do",
                    other.kind_name(),
                    attribute.name
                ),
                span: object.span,
                help: match other {
                    Value::Num(_) => Some("bind the number to a name first: x = 2".to_string()),
                    Value::List(_) => Some("pick an item first, e.g. xs[0].grad".to_string()),
                    _ => None,
                },
            }
            .into()),
            _ => Err(errors::unknown_attribute(attribute).into()),
        }
    }

    // ----- arithmetic -----

    /// `lhs op rhs` for `+ - * / **`: plain numbers stay plain, anything touching a node builds a node.
    #[inline]
    fn arithmetic(&mut self, op: BinaryOp, lhs: &Value, rhs: &Value, span: Span) -> Exec<Value> {
        // The commonest case by far in graph building: two nodes, or a node and a
        // constant, under an op that makes a node.
        if let Some(graph_op) = graph_op(op) {
            let inputs = match (lhs, rhs) {
                (Value::Node(a), Value::Node(b)) => Some((*a, *b)),
                // A failed leaf adds nothing: the general path below meets the same error.
                (Value::Node(a), Value::Num(b)) => self.graph.leaf(*b).ok().map(|b| (*a, b)),
                (Value::Num(a), Value::Node(b)) => self.graph.leaf(*a).ok().map(|a| (a, *b)),
                _ => None,
            };
            if let Some((a, b)) = inputs {
                return self.apply(graph_op, &[a, b], span);
            }
        }
        self.general_arithmetic(op, lhs, rhs, span)
    }

    #[inline(never)]
    fn general_arithmetic(&mut self, op: BinaryOp, lhs: &Value, rhs: &Value, span: Span) -> Exec<Value> {
        let Some(graph_op) = graph_op(op) else {
            // Like a comparison, a remainder reads data and builds no node.
            return match (self.number(lhs), self.number(rhs)) {
                (Some(a), Some(b)) => Ok(Value::Num(self.number_arithmetic(op, a, b, span)?)),
                _ => Err(errors::arithmetic_type_error(op, lhs, rhs, span).into()),
            };
        };
        match (lhs, rhs) {
            (Value::Num(a), Value::Num(b)) => {
                // Index arithmetic (xs[2*i + 1]) is common: skip the generic dispatch when it is safe.
                let quick = match op {
                    BinaryOp::Add => a + b,
                    BinaryOp::Sub => a - b,
                    BinaryOp::Mul => a * b,
                    _ => f64::NAN,
                };
                if quick.is_finite() {
                    return Ok(Value::Num(quick));
                }
                Ok(Value::Num(self.number_arithmetic(op, *a, *b, span)?))
            }
            // Lists join with '+', as in Python: xs = xs + [x].
            (Value::List(a), Value::List(b)) if op == BinaryOp::Add => {
                Ok(Value::list(a.iter().chain(b.iter()).cloned().collect()))
            }
            (Value::Num(_) | Value::Node(_), Value::Num(_) | Value::Node(_)) => {
                let a = self.node_of(lhs, span)?;
                let b = self.node_of(rhs, span)?;
                self.apply(graph_op, &[a, b], span)
            }
            _ => Err(errors::arithmetic_type_error(op, lhs, rhs, span).into()),
        }
    }

    fn number_arithmetic(&self, op: BinaryOp, a: f64, b: f64, span: Span) -> Exec<f64> {
        let Some(graph_op) = graph_op(op) else {
            // Python's sign convention: the result has the sign of the divisor (-1 % 10 == 9).
            let result = a - b * (a / b).floor();
            return if result.is_finite() {
                Ok(result)
            } else {
                Err(RuntimeError::NotFinite {
                    message: format!(
                        "{} % {} is not a finite number",
                        crate::number::format_number(a),
                        crate::number::format_number(b)
                    ),
                    span,
                }
                .into())
            };
        };
        self.plain(graph_op, &[a, b], span)
    }

    /// The result of `op` on plain numbers, with the same finiteness rule as graph nodes.
    fn plain(&self, op: Op, operands: &[f64], span: Span) -> Exec<f64> {
        let result = graph::forward(op, operands[0], operands.get(1).copied().unwrap_or(0.0));
        if result.is_finite() {
            Ok(result)
        } else {
            Err(self
                .graph_error(
                    GraphError::NonFinite {
                        op,
                        operands: operands.to_vec(),
                        result,
                    },
                    span,
                )
                .into())
        }
    }

    #[inline]
    fn apply(&mut self, op: Op, inputs: &[NodeId], span: Span) -> Exec<Value> {
        let result = match *inputs {
            [x] => self.graph.apply1(op, x),
            [lhs, rhs] => self.graph.apply2(op, lhs, rhs),
            _ => self.graph.apply(op, inputs),
        };
        match result {
            Ok(id) => Ok(Value::Node(id)),
            Err(error) => Err(self.graph_error(error, span).into()),
        }
    }

    /// A node for a scalar value: a plain number becomes an unlabelled constant leaf.
    fn node_of(&mut self, value: &Value, span: Span) -> Exec<NodeId> {
        match value {
            Value::Node(id) => Ok(*id),
            Value::Num(x) => self
                .graph
                .leaf(*x)
                .map_err(|error| self.graph_error(error, span).into()),
            other => Err(RuntimeError::Type {
                message: format!("expected a number, found {}", other.kind_name()),
                span,
                help: None,
            }
            .into()),
        }
    }

    fn graph_error(&self, error: GraphError, span: Span) -> RuntimeError {
        match error {
            GraphError::TooManyNodes { limit } => RuntimeError::Limit {
                message: format!("the graph has reached its limit of {limit} nodes"),
                span,
                help: Some("build a smaller graph, or reset the session with :reset".to_string()),
            },
            other => RuntimeError::NotFinite {
                message: other.to_string(),
                span,
            },
        }
    }

    fn compare(&self, op: CompareOp, left: &Value, right: &Value, span: Span) -> Result<bool, RuntimeError> {
        if let (Some(a), Some(b)) = (self.number(left), self.number(right)) {
            return Ok(match op {
                CompareOp::Eq => a == b,
                CompareOp::Ne => a != b,
                CompareOp::Lt => a < b,
                CompareOp::Le => a <= b,
                CompareOp::Gt => a > b,
                CompareOp::Ge => a >= b,
                CompareOp::Approx => (a - b).abs() <= 1e-6 * 1f64.max(a.abs()).max(b.abs()),
            });
        }
        let equal = match (left, right) {
            (Value::Bool(a), Value::Bool(b)) => Some(a == b),
            (Value::Str(a), Value::Str(b)) => Some(a == b),
            _ => None,
        };
        match (op, equal) {
            (CompareOp::Eq, Some(equal)) => Ok(equal),
            (CompareOp::Ne, Some(equal)) => Ok(!equal),
            _ => Err(RuntimeError::Type {
                message: format!(
                    "cannot compare {} with {} using '{}'",
                    left.kind_name(),
                    right.kind_name(),
                    op.symbol()
                ),
                span,
                help: None,
            }),
        }
    }

    fn number(&self, value: &Value) -> Option<f64> {
        match value {
            Value::Num(x) => Some(*x),
            Value::Node(id) => Some(self.graph.data(*id)),
            _ => None,
        }
    }

    fn expect_number(&self, value: &Value, span: Span, what: &str) -> Exec<f64> {
        self.number(value).ok_or_else(|| {
            RuntimeError::Type {
                message: format!("{what} must be a number, not {}", value.kind_name()),
                span,
                help: None,
            }
            .into()
        })
    }

    fn expect_integer(&self, value: &Value, span: Span, what: &str) -> Exec<i64> {
        let x = self.expect_number(value, span, what)?;
        if let Some(whole) = whole_number(x) {
            Ok(whole)
        } else {
            Err(RuntimeError::Type {
                message: format!("{what} must be a whole number, not {}", crate::number::format_number(x)),
                span,
                help: None,
            }
            .into())
        }
    }

    fn range(&self, from: i64, to: i64, span: Span) -> Result<Value, RuntimeError> {
        const MAX_RANGE: i64 = 100_000_000;
        if to.saturating_sub(from) > MAX_RANGE {
            return Err(RuntimeError::Limit {
                message: format!("a range of more than {MAX_RANGE} numbers is too long"),
                span,
                help: None,
            });
        }
        Ok(Value::list((from..to).map(|k| Value::Num(k as f64)).collect()))
    }

    // ----- calls -----

    fn eval_call(
        &mut self,
        callee: &Expr,
        args: &[crate::ast::Argument],
        span: Span,
        host: &mut dyn Host,
    ) -> Exec<Value> {
        let function = self.eval(callee, host)?;
        // A user function called with as many positional arguments as it has
        // parameters (the usual call) evaluates them straight into its frame.
        if let Value::Function(function) = &function
            && args.len() == function.def.params.len()
            && args.iter().all(|arg| arg.name.is_none())
        {
            let mut slots = self.empty_slots(function.locals.names.len());
            for (arg, &slot) in args.iter().zip(&function.locals.params) {
                match self.eval(&arg.value, host) {
                    Ok(value) => slots[slot] = Some(value),
                    Err(flow) => {
                        self.recycle(slots);
                        return Err(flow);
                    }
                }
            }
            return self.run_function(function, slots, span, host);
        }
        let mut positional = Vec::with_capacity(args.len());
        let mut spans = Vec::with_capacity(args.len());
        let mut named: Vec<(Ident, Value)> = Vec::new();
        for arg in args {
            let value = self.eval(&arg.value, host)?;
            match &arg.name {
                Some(name) => {
                    if named.iter().any(|(seen, _)| seen.name == name.name) {
                        return Err(RuntimeError::Argument {
                            message: format!("the argument '{}' is given twice", name.name),
                            span: name.span,
                            help: None,
                        }
                        .into());
                    }
                    named.push((name.clone(), value));
                }
                None if !named.is_empty() => {
                    return Err(RuntimeError::Argument {
                        message: "a positional argument cannot follow a named one".to_string(),
                        span: arg.value.span,
                        help: Some("put the named arguments last, e.g. MLP(2, [16, 1], act=\"relu\")".to_string()),
                    }
                    .into());
                }
                None => {
                    positional.push(value);
                    spans.push(arg.value.span);
                }
            }
        }
        match function {
            Value::Builtin(builtin) => Ok(self.call_builtin(builtin, &positional, &spans, &named, span)?),
            Value::Function(function) => self.call_function(&function, positional, named, span, host),
            Value::Model(model) => {
                if let Some((name, _)) = named.first() {
                    return Err(RuntimeError::Argument {
                        message: format!("a model takes no argument named '{}'", name.name),
                        span: name.span,
                        help: Some("call a model on one list of inputs, e.g. m([2.0, 3.0])".to_string()),
                    }
                    .into());
                }
                Ok(self.call_model(&model, &positional, &spans, span)?)
            }
            other => Err(RuntimeError::Type {
                message: format!(
                    "'{}' is {}, not a function",
                    self.sources.slice(callee.span),
                    other.kind_name()
                ),
                span: callee.span,
                help: None,
            }
            .into()),
        }
    }

    fn call_function(
        &mut self,
        function: &Rc<Function>,
        positional: Vec<Value>,
        named: Vec<(Ident, Value)>,
        span: Span,
        host: &mut dyn Host,
    ) -> Exec<Value> {
        let def = &function.def;
        let signature = || {
            format!(
                "it is defined as fn {}({})",
                def.name.name,
                def.params
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        if positional.len() > def.params.len() || positional.len() + named.len() != def.params.len() {
            let given = positional.len() + named.len();
            return Err(RuntimeError::Argument {
                message: format!(
                    "'{}' takes {} argument{}, but {} {} given",
                    def.name.name,
                    def.params.len(),
                    if def.params.len() == 1 { "" } else { "s" },
                    given,
                    if given == 1 { "was" } else { "were" }
                ),
                span,
                help: Some(signature()),
            }
            .into());
        }
        let locals = &function.locals;
        let mut slots = self.empty_slots(locals.names.len());
        for (&slot, value) in locals.params.iter().zip(positional) {
            slots[slot] = Some(value);
        }
        for (name, value) in named {
            let param = def.params.iter().position(|param| param.name == name.name);
            let slot = param.map(|param| locals.params[param]);
            let known = slot.is_some();
            if !known || slot.is_some_and(|slot| slots[slot].is_some()) {
                return Err(RuntimeError::Argument {
                    message: if known {
                        format!("the argument '{}' is given twice", name.name)
                    } else {
                        format!("'{}' has no parameter named '{}'", def.name.name, name.name)
                    },
                    span: name.span,
                    help: Some(signature()),
                }
                .into());
            }
            if let Some(slot) = slot {
                slots[slot] = Some(value);
            }
        }
        self.run_function(function, slots, span, host)
    }

    /// Runs `function`'s body in a new frame whose locals are `slots` (its
    /// arguments already in their slots).
    fn run_function(
        &mut self,
        function: &Rc<Function>,
        mut slots: Vec<Option<Value>>,
        span: Span,
        host: &mut dyn Host,
    ) -> Exec<Value> {
        let def = &function.def;
        let locals = Rc::clone(&function.locals);
        if self.frames.len() >= MAX_CALL_DEPTH {
            self.recycle(slots);
            return Err(RuntimeError::Limit {
                message: format!("calls are nested more than {MAX_CALL_DEPTH} deep"),
                span,
                help: Some(format!("does '{}' call itself without stopping?", def.name.name)),
            }
            .into());
        }
        // The function can always call itself by its own name, even as a closure.
        slots[locals.own].get_or_insert_with(|| Value::Function(Rc::clone(function)));
        self.frames.push(Frame {
            locals,
            slots,
            extra: Names::default(),
            captured: function.captured.clone(),
        });
        let result = match &def.body {
            FnBody::Expr(expr) => self.eval(expr, host),
            FnBody::Block(block) => match self.exec_block(block, host) {
                Ok(()) => Ok(Value::None),
                Err(Flow(stop)) => match *stop {
                    Stop::Return(value, _) => Ok(value),
                    error => Err(Flow(Box::new(error))),
                },
            },
        };
        if let Some(frame) = self.frames.pop() {
            self.recycle(frame.slots);
        }
        result
    }

    /// A `Vec` of `len` empty slots, reusing one a finished call left.
    fn empty_slots(&mut self, len: usize) -> Vec<Option<Value>> {
        let mut slots = self.spare_slots.pop().unwrap_or_default();
        slots.resize(len, None);
        slots
    }

    /// Keeps a finished call's slot `Vec` for the next call, emptied so that it
    /// holds on to no value.
    fn recycle(&mut self, mut slots: Vec<Option<Value>>) {
        slots.clear();
        self.spare_slots.push(slots);
    }

    fn call_builtin(
        &mut self,
        builtin: Builtin,
        args: &[Value],
        spans: &[Span],
        named: &[(Ident, Value)],
        span: Span,
    ) -> Result<Value, RuntimeError> {
        let arity = match builtin {
            Builtin::Unary(_) | Builtin::Len | Builtin::Sum | Builtin::Mean | Builtin::Neuron | Builtin::Parameters => {
                1..=1
            }
            Builtin::Binary(_) | Builtin::Uniform | Builtin::Layer | Builtin::Mlp => 2..=2,
            Builtin::Zip => 2..=usize::MAX,
            Builtin::Range => 1..=2,
        };
        let takes_act = matches!(builtin, Builtin::Neuron | Builtin::Layer | Builtin::Mlp);
        let mut act = Activation::Tanh;
        for (name, value) in named {
            match (takes_act, name.name.as_str(), value) {
                (true, "act", Value::Str(text)) => {
                    act = Activation::parse(text).ok_or_else(|| RuntimeError::Argument {
                        message: format!("unknown activation \"{text}\""),
                        span: name.span,
                        help: Some("use act=\"tanh\" (the default), act=\"relu\" or act=\"linear\"".to_string()),
                    })?;
                }
                (true, "act", other) => {
                    return Err(RuntimeError::Argument {
                        message: format!("'act' must be a string, not {}", other.kind_name()),
                        span: name.span,
                        help: Some("write act=\"relu\"".to_string()),
                    });
                }
                _ => {
                    return Err(RuntimeError::Argument {
                        message: format!("'{}' takes no argument named '{}'", builtin.name(), name.name),
                        span: name.span,
                        help: takes_act.then(|| "the only named argument is act, e.g. act=\"relu\"".to_string()),
                    });
                }
            }
        }
        if !arity.contains(&args.len()) {
            let plural = if *arity.end() == 1 { "" } else { "s" };
            let expected = match (arity.start(), arity.end()) {
                (a, b) if a == b => format!("{a} argument{plural}"),
                (a, &usize::MAX) => format!("at least {a} arguments"),
                (a, b) => format!("{a} or {b} arguments"),
            };
            let given = match args.len() {
                1 => "1 was".to_string(),
                n => format!("{n} were"),
            };
            return Err(RuntimeError::Argument {
                message: format!("'{}' takes {expected}, but {given} given", builtin.name()),
                span,
                help: None,
            });
        }
        match builtin {
            Builtin::Unary(op) => match &args[0] {
                Value::Num(x) => Ok(Value::Num(self.plain(op, &[*x], span)?)),
                Value::Node(id) => Ok(self.apply(op, &[*id], span)?),
                other => Err(RuntimeError::Type {
                    message: format!("'{}' needs a number, not {}", builtin.name(), other.kind_name()),
                    span: spans[0],
                    help: matches!(other, Value::List(_))
                        .then(|| format!("apply it to each item: [{}(x) for x in xs]", builtin.name())),
                }),
            },
            Builtin::Binary(op) => match (&args[0], &args[1]) {
                (Value::Num(a), Value::Num(b)) => Ok(Value::Num(self.plain(op, &[*a, *b], span)?)),
                (a @ (Value::Num(_) | Value::Node(_)), b @ (Value::Num(_) | Value::Node(_))) => {
                    let a = self.node_of(a, spans[0])?;
                    let b = self.node_of(b, spans[1])?;
                    Ok(self.apply(op, &[a, b], span)?)
                }
                (a, b) => {
                    let bad = if self.number(a).is_none() { 0 } else { 1 };
                    Err(RuntimeError::Type {
                        message: format!(
                            "'{}' needs two numbers, not {} and {}",
                            builtin.name(),
                            a.kind_name(),
                            b.kind_name()
                        ),
                        span: spans[bad],
                        help: None,
                    })
                }
            },
            Builtin::Len => match &args[0] {
                Value::List(items) => Ok(Value::Num(items.len() as f64)),
                Value::Str(text) => Ok(Value::Num(text.chars().count() as f64)),
                other => Err(RuntimeError::Type {
                    message: format!("'len' needs a list, not {}", other.kind_name()),
                    span: spans[0],
                    help: None,
                }),
            },
            Builtin::Sum => {
                let Value::List(items) = &args[0] else {
                    return Err(RuntimeError::Type {
                        message: format!("'sum' needs a list, not {}", args[0].kind_name()),
                        span: spans[0],
                        help: None,
                    });
                };
                let mut total = Value::Num(0.0);
                for (k, item) in items.iter().enumerate() {
                    total = if k == 0 {
                        match item {
                            Value::Num(_) | Value::Node(_) => item.clone(),
                            other => return Err(errors::arithmetic_type_error(BinaryOp::Add, &total, other, span)),
                        }
                    } else {
                        self.arithmetic(BinaryOp::Add, &total, item, span)?
                    };
                }
                Ok(total)
            }
            Builtin::Zip => {
                let mut lists = Vec::with_capacity(args.len());
                for (arg, arg_span) in args.iter().zip(spans) {
                    match arg {
                        Value::List(items) => lists.push(Rc::clone(items)),
                        other => {
                            return Err(RuntimeError::Type {
                                message: format!("'zip' needs lists, not {}", other.kind_name()),
                                span: *arg_span,
                                help: None,
                            });
                        }
                    }
                }
                let shortest = lists.iter().map(|list| list.len()).min().unwrap_or(0);
                Ok(Value::list(
                    (0..shortest)
                        .map(|k| Value::list(lists.iter().map(|list| list[k].clone()).collect()))
                        .collect(),
                ))
            }
            Builtin::Range => {
                let bounds: Vec<i64> = args
                    .iter()
                    .zip(spans)
                    .map(|(arg, arg_span)| self.expect_integer(arg, *arg_span, "a range bound"))
                    .collect::<Result<_, _>>()?;
                match bounds.as_slice() {
                    [end] => self.range(0, *end, span),
                    [start, end] => self.range(*start, *end, span),
                    _ => unreachable!("arity was checked above"),
                }
            }
            Builtin::Uniform => {
                let lo = self.expect_number(&args[0], spans[0], "the low end of 'uniform'")?;
                let hi = self.expect_number(&args[1], spans[1], "the high end of 'uniform'")?;
                Ok(Value::Num(self.rng.uniform(lo, hi)))
            }
            Builtin::Mean => {
                let count = match &args[0] {
                    Value::List(items) if !items.is_empty() => items.len(),
                    Value::List(_) => {
                        return Err(RuntimeError::Argument {
                            message: "the mean of an empty list is undefined".to_string(),
                            span: spans[0],
                            help: None,
                        });
                    }
                    other => {
                        return Err(RuntimeError::Type {
                            message: format!("'mean' needs a list, not {}", other.kind_name()),
                            span: spans[0],
                            help: None,
                        });
                    }
                };
                let total = self.call_builtin(Builtin::Sum, args, spans, &[], span)?;
                Ok(self.arithmetic(BinaryOp::Div, &total, &Value::Num(count as f64), span)?)
            }
            Builtin::Neuron => {
                let inputs = self.expect_size(&args[0], spans[0], "the number of inputs")?;
                let neuron = self.new_neuron(inputs, act, "", span)?;
                Ok(Value::Model(Rc::new(Model::Neuron(neuron))))
            }
            Builtin::Layer => {
                let inputs = self.expect_size(&args[0], spans[0], "the number of inputs")?;
                let outputs = self.expect_size(&args[1], spans[1], "the number of outputs")?;
                let layer = self.new_layer(inputs, outputs, act, "", span)?;
                Ok(Value::Model(Rc::new(Model::Layer(layer))))
            }
            Builtin::Mlp => {
                let inputs = self.expect_size(&args[0], spans[0], "the number of inputs")?;
                let Value::List(sizes) = &args[1] else {
                    return Err(RuntimeError::Type {
                        message: format!("the layer sizes must be a list, not {}", args[1].kind_name()),
                        span: spans[1],
                        help: Some("write MLP(3, [4, 4, 1])".to_string()),
                    });
                };
                let sizes: Vec<usize> = sizes
                    .iter()
                    .map(|size| self.expect_size(size, spans[1], "a layer size"))
                    .collect::<Result<_, _>>()?;
                if sizes.is_empty() {
                    return Err(RuntimeError::Argument {
                        message: "an MLP needs at least one layer".to_string(),
                        span: spans[1],
                        help: Some("write MLP(3, [4, 4, 1])".to_string()),
                    });
                }
                let mut layers = Vec::with_capacity(sizes.len());
                let mut fan_in = inputs;
                for (index, size) in sizes.iter().enumerate() {
                    // nn.py: relu MLPs have a linear last layer; the lecture's tanh MLP squashes every layer.
                    let last = index + 1 == sizes.len();
                    let layer_act = if last && act == Activation::Relu {
                        Activation::Linear
                    } else {
                        act
                    };
                    layers.push(self.new_layer(fan_in, *size, layer_act, &format!("[{index}]"), span)?);
                    fan_in = *size;
                }
                Ok(Value::Model(Rc::new(Model::Mlp { inputs, layers, act })))
            }
            Builtin::Parameters => match &args[0] {
                Value::Model(model) => Ok(Value::list(model.parameters().into_iter().map(Value::Node).collect())),
                other => Err(RuntimeError::Type {
                    message: format!("'parameters' needs a model, not {}", other.kind_name()),
                    span: spans[0],
                    help: Some("make one first, e.g. n = MLP(3, [4, 4, 1])".to_string()),
                }),
            },
        }
    }

    // ----- models -----

    /// A whole number of things (inputs, neurons): at least 1, and not absurdly many.
    fn expect_size(&self, value: &Value, span: Span, what: &str) -> Result<usize, RuntimeError> {
        const MAX_SIZE: i64 = 1_000_000;
        let size = self.expect_integer(value, span, what)?;
        if (1..=MAX_SIZE).contains(&size) {
            Ok(size as usize)
        } else {
            Err(RuntimeError::Argument {
                message: format!("{what} must be between 1 and {MAX_SIZE}, not {size}"),
                span,
                help: None,
            })
        }
    }

    /// A parameter: a leaf drawn from `uniform(-1, 1)`, labelled so `grad` and `check` list it.
    fn new_parameter(&mut self, label: &str, span: Span) -> Result<NodeId, RuntimeError> {
        let value = self.rng.uniform(-1.0, 1.0);
        let id = self.graph.leaf(value).map_err(|error| self.graph_error(error, span))?;
        self.graph.set_label(id, Some(label));
        Ok(id)
    }

    /// Weights first, then the bias, in micrograd's order of random draws.
    fn new_neuron(&mut self, inputs: usize, act: Activation, prefix: &str, span: Span) -> Result<Neuron, RuntimeError> {
        let weights = (0..inputs)
            .map(|i| self.new_parameter(&format!("w{prefix}[{i}]"), span))
            .collect::<Result<_, _>>()?;
        let bias = self.new_parameter(&format!("b{prefix}"), span)?;
        Ok(Neuron { weights, bias, act })
    }

    fn new_layer(
        &mut self,
        inputs: usize,
        outputs: usize,
        act: Activation,
        prefix: &str,
        span: Span,
    ) -> Result<Layer, RuntimeError> {
        let neurons = (0..outputs)
            .map(|n| self.new_neuron(inputs, act, &format!("{prefix}[{n}]"), span))
            .collect::<Result<_, _>>()?;
        Ok(Layer { neurons })
    }

    /// `m(x)`: a neuron gives a number; a layer a list, or a number where it has one output.
    fn call_model(&mut self, model: &Model, args: &[Value], spans: &[Span], span: Span) -> Result<Value, RuntimeError> {
        let [input] = args else {
            return Err(RuntimeError::Argument {
                message: format!(
                    "a model takes one list of inputs, but {} arguments were given",
                    args.len()
                ),
                span,
                help: Some("call it on a list, e.g. m([2.0, 3.0, -1.0])".to_string()),
            });
        };
        let inputs = match input {
            Value::List(items) => items.as_ref().clone(),
            scalar @ (Value::Num(_) | Value::Node(_)) => vec![scalar.clone()],
            other => {
                return Err(RuntimeError::Type {
                    message: format!("a model takes a list of numbers, not {}", other.kind_name()),
                    span: spans[0],
                    help: None,
                });
            }
        };
        match model {
            Model::Neuron(neuron) => self.run_neuron(neuron, &inputs, spans[0], span),
            Model::Layer(layer) => self.run_layer(layer, &inputs, spans[0], span),
            Model::Mlp { layers, .. } => {
                let mut activations = inputs;
                let mut output = Value::None;
                for layer in layers {
                    output = self.run_layer(layer, &activations, spans[0], span)?;
                    activations = match &output {
                        Value::List(items) => items.as_ref().clone(),
                        scalar => vec![scalar.clone()],
                    };
                }
                Ok(output)
            }
        }
    }

    fn run_layer(
        &mut self,
        layer: &Layer,
        inputs: &[Value],
        input_span: Span,
        span: Span,
    ) -> Result<Value, RuntimeError> {
        let outputs: Vec<Value> = layer
            .neurons
            .iter()
            .map(|neuron| self.run_neuron(neuron, inputs, input_span, span))
            .collect::<Result<_, _>>()?;
        Ok(match <[Value; 1]>::try_from(outputs) {
            Ok([single]) => single,
            Err(outputs) => Value::list(outputs),
        })
    }

    /// `act(b + w[0]*x[0] + …)`, summed in micrograd's order so the numbers match to the last digit.
    fn run_neuron(
        &mut self,
        neuron: &Neuron,
        inputs: &[Value],
        input_span: Span,
        span: Span,
    ) -> Result<Value, RuntimeError> {
        if inputs.len() != neuron.weights.len() {
            return Err(RuntimeError::Argument {
                message: format!(
                    "the model takes {} input{}, but the list has {} item{}",
                    neuron.weights.len(),
                    if neuron.weights.len() == 1 { "" } else { "s" },
                    inputs.len(),
                    if inputs.len() == 1 { "" } else { "s" }
                ),
                span: input_span,
                help: None,
            });
        }
        let mut total = Value::Node(neuron.bias);
        for (weight, input) in neuron.weights.iter().zip(inputs) {
            if self.number(input).is_none() {
                return Err(RuntimeError::Type {
                    message: format!("a model's inputs must be numbers, not {}", input.kind_name()),
                    span: input_span,
                    help: None,
                });
            }
            let product = self.arithmetic(BinaryOp::Mul, &Value::Node(*weight), input, span)?;
            total = self.arithmetic(BinaryOp::Add, &total, &product, span)?;
        }
        let id = self.node_of(&total, span)?;
        match neuron.act {
            Activation::Tanh => Ok(self.apply(Op::Tanh, &[id], span)?),
            Activation::Relu => Ok(self.apply(Op::Relu, &[id], span)?),
            Activation::Linear => Ok(total),
        }
    }

    // ----- showing values -----

    fn show_value(&self, value: &Value) -> crate::output::Shown {
        use crate::output::Shown;
        match value {
            Value::Num(x) => Shown::Number(*x),
            Value::Node(id) => Shown::Number(self.graph.data(*id)),
            Value::Bool(b) => Shown::Bool(*b),
            Value::Str(text) => Shown::Str(text.to_string()),
            Value::List(items) => Shown::List(items.iter().map(|item| self.show_value(item)).collect()),
            Value::Function(_) | Value::Builtin(_) | Value::Model(_) | Value::None => {
                Shown::Other(self.describe(value))
            }
        }
    }

    /// A value in words, as `print` and `:vars` show it.
    fn describe(&self, value: &Value) -> String {
        match value {
            Value::Function(function) => format!(
                "<fn {}({})>",
                function.def.name.name,
                function
                    .def
                    .params
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::Model(model) => model.describe(),
            Value::Builtin(builtin) => format!("<builtin {}>", builtin.name()),
            Value::None => "none".to_string(),
            other => crate::render::render_shown(&self.show_value(other)),
        }
    }
}

/// `x` as an integer if it is a whole number below 9e15 in size (exactly
/// representable, with room for index arithmetic).
#[inline]
fn whole_number(x: f64) -> Option<i64> {
    // `as` saturates and maps NaN to 0; the round trip rejects those and fractions.
    let whole = x as i64;
    (whole as f64 == x && x.abs() < 9.0e15).then_some(whole)
}

/// Whether fewer than 16 binary operations line the left side of `expr`, so that
/// evaluating it recursively costs a bounded depth (each level's spine is shorter).
fn left_spine_is_short(mut expr: &Expr) -> bool {
    for _ in 0..16 {
        match &expr.kind {
            ExprKind::Binary { lhs, .. } => expr = lhs,
            _ => return true,
        }
    }
    false
}

/// The graph operation of an arithmetic operator; `%` has none (it builds no node).
fn graph_op(op: BinaryOp) -> Option<Op> {
    match op {
        BinaryOp::Add => Some(Op::Add),
        BinaryOp::Sub => Some(Op::Sub),
        BinaryOp::Mul => Some(Op::Mul),
        BinaryOp::Div => Some(Op::Div),
        BinaryOp::Pow => Some(Op::Pow),
        BinaryOp::Rem => None,
    }
}

/// Architecture Invariant: a `Value`, and the `Exec<Value>` every evaluation
/// step returns, fit in two registers.
#[test]
fn values_and_results_are_16_bytes() {
    assert_eq!(std::mem::size_of::<Value>(), 16);
    assert_eq!(std::mem::size_of::<Exec<Value>>(), 16);
}
