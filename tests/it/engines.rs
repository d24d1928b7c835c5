//! The two engines agree: every program run by the tree walker and by the
//! compiled engine gives the same outputs, files, error (message, span, help,
//! context), names and graph (every live node: its id, data and grad to the
//! bit, op, label and inputs). Scripts, examples, the error inputs, the fuzz
//! corpus, generated programs, REPL entries, and programs stopped by each limit
//! at the same point.

use super::fuzz::pipeline::{NodeState, live_nodes};
use mgrad::interpreter::{Engine, Host, Session};
use mgrad::limits::Limits;
use mgrad::output::Output;
use proptest::prelude::*;

/// A host that keeps everything, and never fails a write.
#[derive(Default)]
struct Record {
    outputs: Vec<Output>,
    files: Vec<(String, String)>,
}

impl Host for Record {
    fn emit(&mut self, output: Output) {
        self.outputs.push(output);
    }
    fn write_file(&mut self, path: &str, contents: &str) -> Result<(), String> {
        self.files.push((path.to_string(), contents.to_string()));
        Ok(())
    }
}

/// Everything a run leaves that a user or a test could see.
#[derive(Debug)]
struct Trace {
    outputs: Vec<Output>,
    files: Vec<(String, String)>,
    /// The error of each failed script or entry, rendered with its source line.
    errors: Vec<String>,
    vars: Vec<(String, &'static str, String)>,
    graph: Vec<NodeState>,
}

/// Two traces are the same when their outputs print the same, every number to its
/// last digit and its sign (`-0.0` is not `0.0`) and a NaN the same as a NaN (a
/// `check` of a point where the numeric derivative is undefined has one), which
/// `f64`'s `==` would call different; and the rest is equal.
impl PartialEq for Trace {
    fn eq(&self, other: &Trace) -> bool {
        format!("{:?}", self.outputs) == format!("{:?}", other.outputs)
            && self.files == other.files
            && self.errors == other.errors
            && self.vars == other.vars
            && self.graph == other.graph
    }
}

fn trace(session: &Session, host: Record, errors: Vec<String>) -> Trace {
    Trace {
        outputs: host.outputs,
        files: host.files,
        errors,
        vars: session
            .vars()
            .into_iter()
            .map(|var| (var.name, var.kind, var.summary))
            .collect(),
        graph: live_nodes(session),
    }
}

/// `source` as a script, by `engine`, under `limits`.
fn script(engine: Engine, source: &str, limits: &Limits) -> Trace {
    script_bytes(engine, source.as_bytes(), limits)
}

/// [`script`] of a file's bytes, which need not be UTF-8.
fn script_bytes(engine: Engine, source: &[u8], limits: &Limits) -> Trace {
    let mut session = Session::with_limits(limits.clone());
    session.set_engine(engine);
    let mut host = Record::default();
    let errors = match session.run_script_bytes("test.mg", source, &mut host) {
        Ok(()) => Vec::new(),
        Err(diagnostic) => vec![format!(
            "{diagnostic:?}\n{}",
            session.sources().render(&diagnostic, false)
        )],
    };
    trace(&session, host, errors)
}

/// `source` as REPL entries, a line each (a failed one undone), by `engine`.
fn entries(engine: Engine, source: &str, limits: &Limits) -> Trace {
    let mut session = Session::with_limits(limits.clone());
    session.set_engine(engine);
    let mut host = Record::default();
    let mut errors = Vec::new();
    for line in source.lines() {
        if let Err(diagnostic) = session.run_entry(line, &mut host) {
            errors.push(format!("{diagnostic:?}"));
        }
    }
    trace(&session, host, errors)
}

#[track_caller]
fn assert_same_with(source: &str, limits: &Limits) {
    assert_same_bytes(source.as_bytes(), limits);
}

#[track_caller]
fn assert_same_bytes(source: &[u8], limits: &Limits) {
    let tree = script_bytes(Engine::TreeWalker, source, limits);
    let compiled = script_bytes(Engine::Compiled, source, limits);
    assert!(
        tree == compiled,
        "the engines differ on:\n{}\n\ntree walker: {tree:#?}\n\ncompiled: {compiled:#?}",
        String::from_utf8_lossy(source)
    );
}

#[track_caller]
fn assert_same(source: &str) {
    assert_same_with(source, &Limits::default());
}

/// Small limits, as the fuzzer's: a step budget, little memory, a shallow depth.
fn small_limits() -> Limits {
    Limits {
        memory_mib: Some(64),
        nodes: 200_000,
        steps: Some(20_000),
        depth: 200,
        sandbox: true,
        ..Limits::default()
    }
}

fn files_in(dir: &str, extension: &str) -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == extension))
        .collect();
    paths.sort();
    paths
}

#[test]
fn scripts_and_examples_run_the_same() {
    let paths: Vec<_> = files_in("tests/scripts", "mg")
        .into_iter()
        .chain(files_in("examples", "mg"))
        .collect();
    assert!(paths.len() >= 10, "{} scripts", paths.len());
    super::on_big_stack(move || {
        for path in paths {
            let source = std::fs::read_to_string(&path).expect("a script");
            assert_same(&source);
        }
    });
}

#[test]
fn every_error_input_fails_the_same() {
    let paths = files_in("tests/errors", "mg");
    assert!(paths.len() >= 50, "{} error inputs", paths.len());
    super::on_big_stack(move || {
        for path in paths {
            let source = std::fs::read(&path).expect("an error input");
            assert_same_bytes(&source, &Limits::default());
            // And at depth and step limits small enough to be reached on the way.
            for (depth, steps) in [(12, Some(50)), (30, Some(7))] {
                assert_same_bytes(
                    &source,
                    &Limits {
                        depth,
                        steps,
                        ..small_limits()
                    },
                );
            }
        }
    });
}

#[test]
fn the_fuzz_corpus_runs_the_same() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/run");
    let mut inputs: Vec<_> = std::fs::read_dir(dir)
        .expect("the checked-in corpus")
        .map(|entry| entry.expect("a corpus entry").path())
        .collect();
    inputs.sort();
    super::on_big_stack(move || {
        for path in inputs {
            let Ok(source) = String::from_utf8(std::fs::read(&path).expect("a corpus file")) else {
                continue;
            };
            assert_same_with(&source, &small_limits());
            let limits = small_limits();
            let tree = entries(Engine::TreeWalker, &source, &limits);
            let compiled = entries(Engine::Compiled, &source, &limits);
            assert!(
                tree == compiled,
                "the engines differ on the entries of {}",
                path.display()
            );
        }
    });
}

/// Programs that run each construct the compiled engine lowers (and some it hands
/// back), under limits reached inside loops, comprehensions and calls.
const PROGRAMS: &[&str] = &[
    "y = 1.0\nfor k in 0..50 { y = y * 1.01 }\nbackward y\nprint y.data, y.grad",
    "x = 1.5\nxs = [x * k for k in 0..40]\nwhile len(xs) > 1 {\n  n = len(xs)\n  h = (n - n % 2) / 2\n  ys = [xs[2 * i] + xs[2 * i + 1] for i in 0..h]\n  if n % 2 == 1 { ys[h - 1] = ys[h - 1] + xs[n - 1] }\n  xs = ys\n}\ns = xs[0]\nbackward s\nprint s.data, x.grad",
    "fn f(a, b) = a * b + a\nx = 2\nys = [f(x, k) for k in 0..30]\ns = sum(ys)\nbackward s\nprint x.grad",
    "fn fact(n) { if n < 2 { return 1 } return n * fact(n - 1) }\nprint fact(10)\nprint [fact(k) for k in 0..8]",
    "xs = []\nfor k in 0..20 { xs.append(k * k) }\nfor k in 0..5 { if k == 3 { break } xs.append(-k) }\nprint xs, len(xs)",
    "total = 0\nk = 0\nwhile true { k = k + 1\nif k % 2 == 0 { continue }\nif k > 15 { break }\ntotal = total + k }\nprint total",
    "m = MLP(2, [4, 1], act=\"relu\")\nX = [[0.5 * k, 1 - 0.1 * k] for k in 0..6]\nfor step in 0..3 {\n  s = [m(x) for x in X]\n  loss = sum([relu(1 - v) for v in s])\n  zero_grad m\n  backward loss\n  for p in parameters(m) { p.data -= 0.1 * p.grad }\n}\nprint loss.data",
    "a = 3\nfn g(x) { fn h(y) = x * y + a\nreturn h(x) }\nprint [g(k) for k in [1, 2, 3]]",
    "pairs = [[k, k * k] for k in 0..5]\nprint [a + b for (a, b) in pairs if a > 1]\nfor (a, b) in pairs { print a, b }",
    "x = 2\nfor k in 0..3 { x.grad += k\nx.data *= 2 }\nprint x.data, x.grad, [-x, +x, not (k > 1), k > 1 and k < 3 or false]",
    "xs = [[1, 2], [3, 4]]\nfor k in 0..2 { xs[k][1] += 10\nxs[k].append(k) }\nprint xs, xs[1][2], f\"{xs[0][0]:.3f}\"",
    "xs = []\nfor k in 0..30 { xs = xs + [k] }\nys = xs\nxs = xs + [1]\nxs += [2]\nxs = xs + xs\nprint len(xs), len(ys)\nxs = xs + 1",
    "s = \"a\"\nfor k in 0..3 { s = s + \"b\" }\nq = [1]\nfor k in 0..3 { q += q }\nfn f(xs) { xs = xs + [1]\nreturn xs }\nprint s, len(q), f(q)",
    // Errors inside compiled code, at every kind of place.
    "xs = [1, 2]\nfor k in 0..5 { print xs[k] }",
    "fn f(x) = x + [1]\nprint [f(k) for k in 0..3]",
    "for k in 0..3 { y = k / (k - 1) }",
    "fn f(x) { return g(x) }\nprint [f(k) for k in 0..3]",
    "for (a, b) in [[1, 2], [3]] { print a }",
    "xs = [1]\nfor k in 0..3 { xs[k] = 0 }",
    "for k in 0..3 { k.data = 1 }",
    "n = 3\nfor k in 0..n { z = undefined_thing + k }",
    "fn f(x) = x\nprint [f(k, k) for k in 0..2]",
    "fn f(x) { if x > 2 { return h(x) } return f(x + 1) }\nprint f(0)",
    "fn deep(n) = deep(n + 1)\nprint deep(0)",
    "xs = [k for k in 0..10 if k]",
    "for k in 1..4 { x = log(k - 1) }",
    "x = 1\nfor k in 0..10 { x = x * 1e300 }",
    // Issue 13's language and issue 10's derivative inside compiled loops and bodies.
    "fn f(n) { k = 0\ns = 0\nwhile true { k += 1\nif k > n { break }\nif k % 3 == 0 { continue }\ns += k }\nreturn s }\nprint [f(n) for n in 0..6]",
    "for k in 0..3 { print f\"{k:.2f} {str(k)} {round(k / 3, 2)} {k!r}\" }\nxs = []\nfor k in 0..4 { xs.append(str(k) + \"!\") }\nprint xs, max([1, 2, pi]), min(2, e)",
    "α = 0\nfor _ in 0..3 { α += pi }\nprint α, _\nβs = [α * k for k in 0..3]\nprint βs",
    "fn f(x) = x ** 3 - 2 * x\nprint [derivative(f, k) for k in 0..5]\nk = 0\nwhile k < 3 { print derivative(tanh, k)\nk += 1 }",
    "fn f(x) { y = x\nfor k in 0..3 { y = y * x }\nreturn y }\nprint derivative(f, 1.5)\nfn g(x) = derivative(f, x)\nfor k in 0..2 { print derivative(g, k) }",
    "fn f(x) = log(x)\nfor k in 0..3 { print derivative(f, k) }",
    "fn f(x) = [x]\nwhile true { print derivative(f, 1) }",
    "for k in 0..3 { t = clock() }",
    // Found by the differential fuzzer: a `check` whose numeric derivative is NaN.
    "b = 1e308\nL = tanh(b)\ncheck L\nfor k in 0..2 { check L }",
];

/// Programs that only a limit ends: strings count as memory, in loops as anywhere.
const ENDLESS: &[&str] = &[
    "s = \"ab\"\nwhile true { s = s + s }",
    "xs = []\nfor k in 0..1e9 { xs.append(f\"{k:>40}\") }",
    "fn grow(s) { while true { s = s + s } }\ngrow(\"abc\")",
];

#[test]
fn strings_reach_the_memory_limit_at_the_same_point() {
    super::on_big_stack(|| {
        for program in ENDLESS {
            let limits = Limits {
                steps: None,
                memory_mib: Some(8),
                ..small_limits()
            };
            let tree = script(Engine::TreeWalker, program, &limits);
            assert!(
                tree.errors.first().is_some_and(|error| error.contains("memory")),
                "{program}: {:?}",
                tree.errors
            );
            assert!(
                tree == script(Engine::Compiled, program, &limits),
                "the engines differ on:\n{program}"
            );
        }
    });
}

#[test]
fn programs_and_their_errors_run_the_same() {
    super::on_big_stack(programs_run_the_same);
}

fn programs_run_the_same() {
    for program in PROGRAMS {
        assert_same(program);
        // Every limit reached at another point of the run.
        for steps in [1, 2, 3, 5, 8, 13, 40, 100] {
            assert_same_with(
                program,
                &Limits {
                    steps: Some(steps),
                    ..small_limits()
                },
            );
        }
        for depth in [3, 5, 8, 12, 20] {
            assert_same_with(
                program,
                &Limits {
                    depth,
                    ..small_limits()
                },
            );
        }
        for nodes in [5, 30, 100] {
            assert_same_with(
                program,
                &Limits {
                    nodes,
                    ..small_limits()
                },
            );
        }
        let tree = entries(Engine::TreeWalker, program, &small_limits());
        let compiled = entries(Engine::Compiled, program, &small_limits());
        assert!(tree == compiled, "the engines differ on the entries of:\n{program}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// Generated programs (the fuzz tests' grammar) run the same in both engines.
    #[test]
    fn generated_programs_run_the_same(source in super::fuzz::program()) {
        let tree = super::on_big_stack({
            let source = source.clone();
            move || format!("{:?}", script(Engine::TreeWalker, &source, &small_limits()))
        });
        let compiled = super::on_big_stack({
            let source = source.clone();
            move || format!("{:?}", script(Engine::Compiled, &source, &small_limits()))
        });
        prop_assert_eq!(tree, compiled, "on:\n{}", source);
    }
}

/// A host that halts with `halt` at its `after`-th poll, and counts its polls.
struct Halting {
    polls: usize,
    after: usize,
    halt: mgrad::limits::Halt,
}

impl Host for Halting {
    fn emit(&mut self, _: Output) {}
    fn write_file(&mut self, _: &str, _: &str) -> Result<(), String> {
        Ok(())
    }
    fn poll(&mut self) -> Result<(), mgrad::limits::Halt> {
        self.polls += 1;
        if self.polls >= self.after {
            Err(self.halt)
        } else {
            Ok(())
        }
    }
}

/// Endless programs stop when the host halts them (the time limit, the output
/// limit, Ctrl-C), in both engines at the same poll with the same error.
#[test]
fn endless_loops_stop_at_the_same_poll() {
    use mgrad::limits::Halt;
    let programs = [
        "while true {}",
        "for k in 0..1e15 {}",
        "a = 1\nfor k in 0..1e15 { a = a + 1 }",
        "fn spin() { while true { continue } }\nspin()",
        "fn f(n) { for k in 0..1e15 { if k < 0 { break } } }\nprint [f(k) for k in 0..3]",
        "xs = [k for k in 0..1e15]",
        "k = 0\nwhile true { k += 1\nprint k }",
    ];
    super::on_big_stack(move || {
        for source in programs {
            for halt in [
                Halt::Time { seconds: 2.5 },
                Halt::Output { bytes: 100 },
                Halt::Interrupted,
            ] {
                for after in [1, 2, 5] {
                    let run = |engine: Engine| {
                        let mut session = Session::new();
                        session.set_engine(engine);
                        let mut host = Halting { polls: 0, after, halt };
                        let result = session.run_script("test.mg", source, &mut host);
                        let error = result.map_err(|diagnostic| format!("{diagnostic:?}"));
                        (
                            error,
                            host.polls,
                            session.vars().into_iter().map(|var| var.summary).collect::<Vec<_>>(),
                        )
                    };
                    let tree = run(Engine::TreeWalker);
                    assert!(tree.0.is_err(), "{source}: {tree:?}");
                    assert_eq!(tree, run(Engine::Compiled), "{source}, halted at poll {after}");
                }
            }
        }
    });
}

/// Runs `work` on a big stack with every session made there using `engine`.
fn with_engine<T: Send + 'static>(engine: Engine, work: impl FnOnce() -> T + Send + 'static) -> T {
    super::on_big_stack(move || {
        engine.use_on_this_thread();
        work()
    })
}

/// The exercises and every submission of the test corpus grade the same: the
/// grader's sessions (setup, reference, submission, questions) made by each engine.
#[test]
fn exercises_grade_the_same() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut exercises = files_in("exercises", "mg");
    exercises.extend(files_in("tests/grading", "mg"));
    assert!(exercises.len() >= 7, "{} exercises", exercises.len());
    for exercise in exercises {
        let dir = exercise.with_extension("");
        let mut submissions: Vec<String> = [
            dir.clone(),
            root.join("tests/grading").join(dir.file_name().expect("a name")),
        ]
        .iter()
        .filter(|dir| dir.is_dir())
        .flat_map(|dir| files_in(dir.to_str().expect("a UTF-8 path"), "mg"))
        .map(|path| path.to_string_lossy().into_owned())
        .collect();
        submissions.dedup();
        let exercise = exercise.to_string_lossy().into_owned();
        let grade = move |engine: Engine| {
            let (exercise, submissions) = (exercise.clone(), submissions.clone());
            with_engine(engine, move || {
                let paths: Vec<&str> = submissions.iter().map(String::as_str).collect();
                format!("{:#?}", super::grade::grade_here(&exercise, &paths))
            })
        };
        let tree = grade(Engine::TreeWalker);
        let compiled = grade(Engine::Compiled);
        assert!(tree == compiled, "the engines grade differently:\n{tree}\n\n{compiled}");
    }
}

/// The notebooks' code cells, run as the kernel runs them (`Session::run_cell`).
#[test]
fn notebooks_run_the_same() {
    let notebooks = files_in("notebooks", "ipynb");
    assert!(notebooks.len() >= 5, "{} notebooks", notebooks.len());
    for path in notebooks {
        let text = std::fs::read_to_string(&path).expect("a notebook");
        let notebook: serde_json::Value = serde_json::from_str(&text).expect("a notebook's JSON");
        let cells: Vec<String> = notebook["cells"]
            .as_array()
            .expect("cells")
            .iter()
            .filter(|cell| cell["cell_type"] == "code")
            .map(|cell| match &cell["source"] {
                serde_json::Value::Array(lines) => lines.iter().filter_map(|line| line.as_str()).collect(),
                other => other.as_str().unwrap_or_default().to_string(),
            })
            .collect();
        assert!(!cells.is_empty(), "{}", path.display());
        let run = move |engine: Engine| {
            let cells = cells.clone();
            super::on_big_stack(move || {
                let mut session = Session::new();
                session.set_engine(engine);
                let mut host = Record::default();
                let mut results = Vec::new();
                for (k, cell) in cells.iter().enumerate() {
                    results.push(format!("{:?}", session.run_cell(&format!("In[{k}]"), cell, &mut host)));
                }
                format!("{:#?}", (results, trace(&session, host, Vec::new())))
            })
        };
        let tree = run(Engine::TreeWalker);
        assert!(
            tree == run(Engine::Compiled),
            "the engines differ on {}",
            path.display()
        );
    }
}
