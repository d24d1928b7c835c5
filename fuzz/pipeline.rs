// The pipeline the fuzzer drives, shared word for word with the replay of its
// corpus in `cargo test` (tests/it/fuzz.rs includes this file).
//
// Source text is parsed and run under small, deterministic limits, as a script and
// as REPL entries (one per line, so failed statements are rolled back), by each
// engine: the tree walker (the reference) and the compiled engine. Every output is
// rendered as text and as JSON. What may happen: any mg error. What may not: a
// panic, a stack overflow, an abort, output that is not valid JSON, or the engines
// differing in anything a user could see (outputs, errors with their spans, names,
// live nodes to the bit).

use mgrad::interpreter::{Engine, Host, Session};
use mgrad::limits::Limits;
use mgrad::output::Output;

/// Small limits, so that every input runs in milliseconds: a step budget instead of
/// a clock (deterministic), little memory, and a depth for a small stack.
pub fn fuzz_limits(stack_bytes: usize) -> Limits {
    Limits {
        memory_mib: Some(64),
        nodes: 200_000,
        steps: Some(20_000),
        depth: Limits::depth_for_stack(stack_bytes),
        sandbox: true,
        ..Limits::default()
    }
}

/// A host that renders every output, checks its JSON, and keeps it.
#[derive(Default)]
struct Renderer {
    outputs: Vec<Output>,
}

impl Host for Renderer {
    fn emit(&mut self, output: Output) {
        let _ = mgrad::render::render_text(&output);
        let json = mgrad::render::render_json(&output);
        assert!(
            serde_json::from_str::<serde_json::Value>(&json).is_ok(),
            "output is not valid JSON: {json}"
        );
        self.outputs.push(output);
    }

    fn write_file(&mut self, _path: &str, _contents: &str) -> Result<(), String> {
        panic!("a sandboxed session wrote a file")
    }
}

/// Everything a run leaves that a user could see: outputs, each error (its value,
/// with spans, and its rendering), the names after each entry, and the live nodes.
#[derive(Debug)]
struct Trace {
    outputs: Vec<Output>,
    errors: Vec<String>,
    vars: Vec<Vec<(String, &'static str, String)>>,
    graph: Vec<NodeState>,
}

/// A live node: id, data and grad bits, op, label, inputs.
pub type NodeState = (usize, u64, u64, String, Option<String>, Vec<usize>);

/// Every live node of `session`'s graph, in slot order: what two runs must agree on
/// (tests/it/engines.rs compares its engines with this too).
pub fn live_nodes(session: &Session) -> Vec<NodeState> {
    let graph = session.graph();
    (0..graph.slot_count())
        .map(mgrad::graph::NodeId::from_index)
        .filter(|&id| graph.contains(id))
        .map(|id| {
            (
                id.index(),
                graph.data(id).to_bits(),
                graph.grad(id).to_bits(),
                format!("{:?}", graph.op(id)),
                graph.label(id).map(str::to_string),
                graph.inputs(id).iter().map(|input| input.index()).collect(),
            )
        })
        .collect()
}

impl Trace {
    fn of(
        session: &Session,
        host: Renderer,
        errors: Vec<String>,
        vars: Vec<Vec<(String, &'static str, String)>>,
    ) -> Self {
        Trace {
            outputs: host.outputs,
            errors,
            vars,
            graph: live_nodes(session),
        }
    }
}

/// Two traces are the same when their outputs print the same, every number to its
/// last digit and its sign and a NaN (a `check` where the numeric derivative is
/// undefined) the same as a NaN, which `f64`'s `==` would call different; and the
/// rest is equal.
impl PartialEq for Trace {
    fn eq(&self, other: &Trace) -> bool {
        format!("{:?}", self.outputs) == format!("{:?}", other.outputs)
            && self.errors == other.errors
            && self.vars == other.vars
            && self.graph == other.graph
    }
}

fn names(session: &Session) -> Vec<(String, &'static str, String)> {
    session
        .vars()
        .into_iter()
        .map(|var| (var.name, var.kind, var.summary))
        .collect()
}

/// `source` as a script, by `engine`.
fn script(engine: Engine, source: &str, limits: &Limits) -> Trace {
    let mut session = Session::with_limits(limits.clone());
    session.set_engine(engine);
    let mut host = Renderer::default();
    let mut errors = Vec::new();
    if let Err(diagnostic) = session.run_script("fuzz.mg", source, &mut host) {
        let rendered = session.sources().render(&diagnostic, false);
        let json = serde_json::to_string(&session.sources().error_json(&diagnostic));
        assert!(json.is_ok(), "an error that is not JSON: {diagnostic:?}");
        errors.push(format!("{diagnostic:?}\n{rendered}"));
    }
    let vars = vec![names(&session)];
    Trace::of(&session, host, errors, vars)
}

/// `source` as REPL entries, a line each (a failed one undone), by `engine`.
fn entries(engine: Engine, source: &str, limits: &Limits) -> Trace {
    let mut session = Session::with_limits(limits.clone());
    session.set_engine(engine);
    let mut host = Renderer::default();
    let mut errors = Vec::new();
    let mut vars = Vec::new();
    for line in source.lines() {
        if let Err(diagnostic) = session.run_entry(line, &mut host) {
            let rendered = session.sources().render(&diagnostic, false);
            errors.push(format!("{diagnostic:?}\n{rendered}"));
        }
        vars.push(names(&session));
    }
    Trace::of(&session, host, errors, vars)
}

/// Runs `data` through the pipeline, for a thread with a stack of `stack_bytes`.
pub fn run_one(data: &[u8], stack_bytes: usize) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let limits = fuzz_limits(stack_bytes);
    for run in [script, entries] {
        let tree = run(Engine::TreeWalker, source, &limits);
        let compiled = run(Engine::Compiled, source, &limits);
        assert!(
            tree == compiled,
            "the engines differ on:\n{source}\n\ntree walker: {tree:#?}\n\ncompiled: {compiled:#?}"
        );
    }
}
