//! Fuzzing that stays: the corpus of the cargo-fuzz target (fuzz/corpus/run, with
//! every finding kept as a file of its own) replayed through the same pipeline on
//! stable, and a grammar-aware generator of mg programs run through it too.

use proptest::prelude::*;

#[path = "../../fuzz/pipeline.rs"]
pub(super) mod pipeline;

/// The stack each input runs on, and the depth sized for it.
const STACK: usize = 16 << 20;

/// Runs `work` on a thread with [`STACK`] bytes of stack.
fn on_stack(work: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(work)
        .expect("a thread")
        .join()
        .expect("the pipeline panicked");
}

#[test]
fn the_fuzz_corpus_replays_cleanly() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/run");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .expect("the checked-in corpus")
        .map(|entry| entry.expect("a corpus entry").path())
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 40, "the corpus has {} files", inputs.len());
    on_stack(move || {
        for path in inputs {
            let data = std::fs::read(&path).expect("a corpus file");
            // A panic names the file, so a finding can be reproduced on its own.
            eprintln!("replaying {}", path.display());
            pipeline::run_one(&data, STACK);
        }
    });
}

/// A small grammar of mg: names from a few, numbers that include the awkward ones,
/// expressions over every operator and builtin, and statements over every kind of
/// statement and command, nested: loops (`for`, `while` with `break` and
/// `continue`, comprehensions with a filter or a pattern), functions, f-strings,
/// `derivative`, lists and indexing, which the compiled engine lowers (engines.rs
/// runs the same programs through both engines). Programs are mostly valid, so
/// they run deep.
fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", "b", "c", "xs", "f", "g", "m", "k"]).prop_map(str::to_string)
}

fn number() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["0", "1", "2", "-3", "0.5", "1e308", "1e-300", "1e15", "7"]).prop_map(str::to_string)
}

fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        number(),
        name(),
        Just("[1, 2, 3]".to_string()),
        Just("\"s\"".to_string())
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec!["+", "-", "*", "/", "**", "%", "<", "==", "~="]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            (
                prop::sample::select(vec!["tanh", "exp", "log", "relu", "sqrt", "abs", "len", "sum", "range"]),
                inner.clone()
            )
                .prop_map(|(f, a)| format!("{f}({a})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("max({a}, {b})")),
            inner.clone().prop_map(|a| format!("-{a}")),
            inner.clone().prop_map(|a| format!("[{a}, {a}]")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}[{b}]")),
            inner.clone().prop_map(|a| format!("[{a} for k in 0..3]")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("[{a} for k in 0..3 if {b}]")),
            inner
                .clone()
                .prop_map(|a| format!("[a + {a} for (a, b) in [[1, 2], [{a}, 3]]]")),
            inner.clone().prop_map(|a| format!("f\"{{{a}:.3f}} {{{a}!r}}\"")),
            (prop::sample::select(vec!["f", "g", "tanh", "exp"]), inner.clone())
                .prop_map(|(f, a)| format!("derivative({f}, {a})")),
            (name(), inner.clone()).prop_map(|(f, a)| format!("{f}({a})")),
            inner.clone().prop_map(|a| format!("{a}.data")),
            inner.prop_map(|a| format!("{a} + {a}")),
        ]
    })
}

fn statement() -> impl Strategy<Value = String> {
    let simple = prop_oneof![
        (name(), expr()).prop_map(|(n, e)| format!("{n} = {e}")),
        (name(), expr()).prop_map(|(n, e)| format!("{n} += {e}")),
        (name(), expr()).prop_map(|(n, e)| format!("{n}.data = {e}")),
        (name(), expr(), expr()).prop_map(|(n, i, e)| format!("{n}[{i}] = {e}")),
        (name(), expr()).prop_map(|(n, e)| format!("fn {n}(x) = {e}")),
        (name(), expr()).prop_map(|(n, e)| format!("fn {n}(x) {{ return {n}(x - 1) + {e} }}")),
        expr().prop_map(|e| format!("print {e}")),
        expr(),
        (
            prop::sample::select(vec![
                "grad",
                "backward",
                "check",
                "show",
                "topo",
                "explain",
                "dot",
                "zero_grad"
            ]),
            expr()
        )
            .prop_map(|(c, e)| format!("{c} {e}")),
        expr().prop_map(|e| format!("assert {e} < 10")),
        Just("m = MLP(2, [3, 1])".to_string()),
        Just("xs = [m([1, 2]) for k in 0..2]".to_string()),
        Just("seed 7".to_string()),
        (name(), expr()).prop_map(|(n, e)| format!("{n}.append({e})")),
        Just("break".to_string()),
        Just("continue".to_string()),
        expr().prop_map(|e| format!("return {e}")),
    ];
    simple.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (name(), expr(), prop::collection::vec(inner.clone(), 1..3))
                .prop_map(|(n, e, body)| format!("for {n} in {e} {{\n{}\n}}", body.join("\n"))),
            (expr(), prop::collection::vec(inner.clone(), 1..3))
                .prop_map(|(e, body)| format!("if {e} < 1 {{\n{}\n}} else {{ a = 1 }}", body.join("\n"))),
            (name(), prop::collection::vec(inner.clone(), 1..3))
                .prop_map(|(n, body)| format!("fn {n}(x, y) {{\n{}\nreturn x\n}}", body.join("\n"))),
            (expr(), prop::collection::vec(inner.clone(), 1..3)).prop_map(|(e, body)| format!(
                "n = 0\nwhile n < 4 {{\nn += 1\nif {e} < 1 {{ continue }}\n{}\n}}",
                body.join("\n")
            )),
            (name(), prop::collection::vec(inner, 1..3)).prop_map(|(n, body)| format!(
                "fn {n}(x) {{\nfor (a, b) in [[x, 1], [2, x]] {{\n{}\n}}\nreturn a\n}}",
                body.join("\n")
            )),
        ]
    })
}

pub(crate) fn program() -> impl Strategy<Value = String> {
    prop::collection::vec(statement(), 1..8)
        .prop_map(|statements| format!("a = 2\nb = -3\n{}\n", statements.join("\n")))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    /// Generated programs run to an answer or an mg error under the fuzz limits:
    /// never a panic, an overflow, or invalid JSON.
    #[test]
    fn generated_programs_run_cleanly(source in program()) {
        on_stack(move || pipeline::run_one(source.as_bytes(), STACK));
    }
}
