//! SPEC §10 in the library: every limit ends a run with a clean `limit` error, and no
//! program can overflow the stack or abort on memory. (The CLI's side, with the time
//! limit, the output limit, the sandbox and Ctrl-C, is in cli_limits.rs.)

use mgrad::diagnostic::{Diagnostic, ErrorKind};
use mgrad::interpreter::{Host, Session};
use mgrad::limits::{Halt, Limits};
use mgrad::output::Output;

use super::{Collect, on_big_stack};

/// A host that halts with `halt` when first polled after `after` polls.
struct Halting {
    polls: usize,
    after: usize,
    halt: Halt,
}

impl Host for Halting {
    fn emit(&mut self, _: Output) {}
    fn write_file(&mut self, _: &str, _: &str) -> Result<(), String> {
        Ok(())
    }
    fn poll(&mut self) -> Result<(), Halt> {
        self.polls += 1;
        if self.polls > self.after {
            Err(self.halt)
        } else {
            Ok(())
        }
    }
}

fn run_with(limits: Limits, source: &str, host: &mut dyn Host) -> (Session, Result<(), Diagnostic>) {
    let mut session = Session::with_limits(limits);
    let result = session.run_script("limits.mg", source, host);
    (session, result)
}

#[track_caller]
fn limit_error(limits: Limits, source: &str) -> Diagnostic {
    match run_with(limits, source, &mut Collect::default()) {
        (_, Err(diagnostic)) => diagnostic,
        (_, Ok(())) => panic!("expected a limit error from:\n{source}"),
    }
}

fn small(memory_mib: u64) -> Limits {
    Limits {
        memory_mib: Some(memory_mib),
        ..Limits::default()
    }
}

#[test]
fn a_step_budget_stops_endless_loops_deterministically() {
    let limits = Limits {
        steps: Some(5000),
        ..Limits::default()
    };
    for source in [
        "for k in 0..1e15 {}",
        "xs = [k for k in 0..1e9]",
        "fn f(n) { if n < 1 { return 1 }; return f(n-1) + f(n-1) }\nprint f(60)",
        "for x in [1, 2, 3] { for k in 0..1e12 {} }",
    ] {
        let error = limit_error(limits.clone(), source);
        assert_eq!(error.kind, ErrorKind::Limit, "{source}");
        assert_eq!(error.message, "the program took more than its limit of 5000 steps");
    }
    // Exactly the budget: every step counts, none twice.
    let (_, result) = run_with(limits.clone(), "for k in 0..4999 {}", &mut Collect::default());
    assert!(result.is_ok(), "{result:?}");
    assert!(
        run_with(limits, "for k in 0..5001 {}", &mut Collect::default())
            .1
            .is_err()
    );
}

#[test]
fn the_host_stops_a_run_when_polled() {
    for (halt, message, kind) in [
        (
            Halt::Time { seconds: 10.0 },
            "the program ran longer than its time limit of 10 s",
            ErrorKind::Limit,
        ),
        (
            Halt::Output { bytes: 100 },
            "the program printed more than its output limit of 100 bytes",
            ErrorKind::Limit,
        ),
        (
            Halt::Interrupted,
            "interrupted (Ctrl-C) while this statement ran",
            ErrorKind::Interrupted,
        ),
    ] {
        let mut host = Halting {
            polls: 0,
            after: 3,
            halt,
        };
        let (_, result) = run_with(Limits::default(), "a = 1\nfor k in 0..1e15 { a = a + 1 }", &mut host);
        let error = result.expect_err("the host halted the run");
        assert_eq!((error.message.as_str(), error.kind), (message, kind));
        assert_eq!(host.polls, 4);
    }
}

#[test]
fn a_limit_in_the_repl_undoes_the_statement_and_the_session_goes_on() {
    let mut session = Session::with_limits(Limits {
        steps: Some(10_000),
        ..Limits::default()
    });
    let mut host = Collect::default();
    session.run_entry("a = 1; xs = [1, 2]", &mut host).unwrap();
    let error = session
        .run_entry("for k in 0..1e15 { a = a + 1; xs = xs + [k] }", &mut host)
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::Limit);
    session.run_entry("print a, len(xs)", &mut host).unwrap();
    let Some(Output::Print(print)) = host.outputs.last() else {
        panic!("{:?}", host.outputs)
    };
    use mgrad::output::Shown::Number;
    assert_eq!(print.values, [Number(1.0), Number(2.0)]);
    // Each entry has the whole budget again.
    session.run_entry("for k in 0..9000 {}", &mut host).unwrap();
    session.run_entry("for k in 0..9000 {}", &mut host).unwrap();
}

#[test]
fn memory_exhaustion_is_a_limit_error() {
    for source in [
        "xs = [1]\nfor k in 0..40 { xs = xs + xs }",
        "ys = [k for k in range(1e8)]",
        "ys = [k for k in 0..1e9]",
        "ys = range(1e8)",
        "m = MLP(1, [7000, 7000])",
        "x = 1\nfor k in 0..60000000 { x = x + 1 }",
        "xs = [1, 2, 3, 4, 5, 6, 7, 8]\nys = []\nfor k in 0..1e9 { ys = [xs + [], ys] }",
        "xs = range(100000)\nz = zip(xs, xs, xs, xs, xs, xs, xs, xs, xs, xs)\nzs = [z, z + [], z + [], z + []]",
        // Strings double as lists do, and a list grows in place with append.
        "s = \"ab\"\nfor k in 0..40 { s = s + s }",
        "xs = []\nwhile true { xs.append(1) }",
        "s = \"ab\"\nfor k in 0..20 { s = s + s }\nxs = []\nwhile true { xs.append(s + \"x\") }",
    ] {
        let error = limit_error(small(16), source);
        assert_eq!(error.kind, ErrorKind::Limit, "{source}: {}", error.message);
        assert_eq!(
            error.message, "the program needs more memory than its limit of 16 MiB",
            "{source}"
        );
        assert_eq!(
            error.help.as_deref(),
            Some("raise it with --memory-limit 32, or build less: a node takes 32 bytes, a list item 16")
        );
    }
    // What a limit leaves is still freed: list memory goes back when the lists do.
    let before = mgrad::limits::memory::value_bytes();
    let (session, result) = run_with(
        small(16),
        "xs = range(100000)\nys = xs + xs\ns = \"ab\"\nfor k in 0..10 { s = s + s }\nzs = []\nfor k in 0..1000 { zs.append(s) }",
        &mut Collect::default(),
    );
    assert!(result.is_ok(), "{result:?}");
    assert!(mgrad::limits::memory::value_bytes() >= before + 4_800_000);
    drop(session);
    assert_eq!(mgrad::limits::memory::value_bytes(), before);
}

#[test]
fn the_node_limit_is_a_limit_error() {
    let limits = Limits {
        nodes: 1000,
        ..Limits::default()
    };
    let error = limit_error(limits, "x = 1\nfor k in 0..5000 { x = x + 1 }");
    assert_eq!(error.kind, ErrorKind::Limit);
    assert_eq!(error.message, "the graph has reached its limit of 1000 nodes");
    assert_eq!(
        error.help.as_deref(),
        Some("raise it with --node-limit 2000, or build a smaller graph (:reset empties the REPL's)")
    );
}

/// Programs whose every level of recursion passes through a different path of the
/// evaluator: calls, postfix chains, blocks, indexing, comprehensions, named
/// arguments, builtins, commands.
const DEEP_PROGRAMS: &[&str] = &[
    "fn f(n) = f(n-1).data.data.data.data.data.data.data.data.data.data.data.data\nf(1)",
    "fn f(n) { return f(n-1) }\nf(1)",
    "fn f(n) { for k in 0..1 { if true { x = f(n-1) } } }\nf(1)",
    "fn f(n) = -f(n-1)\nf(1)",
    "fn f(n) = [f(n-1)][0]\nf(1)",
    "fn f(n) = tanh(f(n-1))\nf(1)",
    "fn f(n) = [f(n-1) for k in 0..1]\nf(1)",
    "fn f(n) = f(n=n-1)\nf(1)",
    "fn f(n) = 1 + f(n-1)\nf(1)",
    "fn f(n) = not f(n-1) < 1\nf(1)",
    "fn f(n) { assert f(n-1) == 1 }\nf(1)",
    "fn f(n) { print f(n-1) }\nf(1)",
    "fn f(n) { grad f(n-1) }\nf(1)",
    "fn f(n) { xs = [1]; xs[f(n-1)] = 2 }\nf(1)",
    "fn f(n) { for x in [f(n-1)] { } }\nf(1)",
    "fn f(n) { check f(n-1) eps=f(n-1) }\nf(1)",
    "fn f(n) { y = f(n-1); y.data = f(n-1) }\nf(1)",
    "fn f(n) { while true { x = f(n-1) } }\nf(1)",
    "fn f(n) = f\"{f(n-1)}\"\nf(1)",
    "fn f(n) { xs = []; xs.append(f(n-1)) }\nf(1)",
    "fn f(n) = max(f(n-1), 1, 2)\nf(1)",
    "fn f(x) { plot f from 0 to 1 }\nf(1)",
];

/// `STACK_BYTES_PER_LEVEL` is an upper bound: with the depth sized for a small stack,
/// each deep program stops with the depth error instead of overflowing it (which
/// would abort this whole test binary). Run in the debug build, whose frames are the
/// largest.
#[test]
fn depth_limit_fits_its_stack() {
    const STACK: usize = 4 << 20;
    let work = || {
        DEEP_PROGRAMS
            .iter()
            .map(|source| {
                let limits = Limits {
                    depth: Limits::depth_for_stack(STACK),
                    ..Limits::default()
                };
                let (_, result) = run_with(limits, source, &mut Collect::default());
                result.map_err(|error| error.message)
            })
            .collect::<Vec<_>>()
    };
    let results = std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(work)
        .expect("a thread")
        .join()
        .expect("no panic");
    for (source, result) in DEEP_PROGRAMS.iter().zip(results) {
        let message = result.expect_err(source);
        assert!(
            message == "evaluation is nested more than 256 levels deep",
            "{source}: {message}"
        );
    }
}

#[test]
fn deep_recursion_at_the_default_depth_is_a_clean_error() {
    let source = format!("fn f(n) = f(n-1){}\nf(1)", ".data".repeat(400));
    let message = on_big_stack(move || {
        let mut session = Session::new();
        let error = session
            .run_script("deep.mg", &source, &mut Collect::default())
            .unwrap_err();
        (error.kind, error.message)
    });
    assert_eq!(
        message,
        (
            ErrorKind::Limit,
            "evaluation is nested more than 16384 levels deep".to_string()
        )
    );
}

#[test]
fn nested_values_are_walked_and_dropped_without_recursion() {
    // Run on a small stack: nothing here may recurse once per level of nesting.
    let work = || {
        let mut session = Session::new();
        let mut host = Collect::default();
        session
            .run_script(
                "nested.mg",
                "a = 2\nxs = [a]\nfor k in 0..1000000 { xs = [xs] }\nzero_grad xs\nprint xs\nys = xs\nxs = 1",
                &mut host,
            )
            .unwrap();
        let vars = session.vars();
        let ys = vars.iter().find(|var| var.name == "ys").expect("ys is bound");
        assert!(ys.summary.starts_with("[[[[") && ys.summary.contains("[…]"));
        // Closures capturing closures, a million deep.
        session
            .run_script(
                "closures.mg",
                "fn wrap(g) { fn h(x) = g(x); return h }\nfn id(x) = x\ng = id\nfor k in 0..200000 { g = wrap(g) }\ng = 1",
                &mut host,
            )
            .unwrap();
        drop(session);
        host.outputs.len()
    };
    let printed = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(work)
        .expect("a thread")
        .join()
        .expect("no stack overflow, no panic");
    assert_eq!(printed, 1);
}

#[test]
fn sandboxed_sessions_write_no_file() {
    let limits = Limits {
        sandbox: true,
        ..Limits::default()
    };
    let mut host = Collect::default();
    let (_, result) = run_with(limits, "a = 2\ndot a > \"a.dot\"", &mut host);
    let error = result.unwrap_err();
    assert_eq!(
        error.message,
        "cannot write 'a.dot': the sandbox (--sandbox) allows no file to be read or written"
    );
    assert!(host.files.is_empty());
}

#[test]
fn a_path_cannot_smuggle_control_characters_into_messages() {
    let mut host = Collect::default();
    let (_, result) = run_with(Limits::default(), "a = 2\nprint a > \"x\\n{\\\"cmd\\\":1}\"", &mut host);
    let error = result.unwrap_err();
    assert_eq!(
        error.message,
        "cannot write 'x\\n{\"cmd\":1}': a file name cannot contain a newline or another control character"
    );
    assert!(host.files.is_empty());
}

/// Every limit's message, as a person sees it (SPEC §10: a sentence naming the limit
/// and how to raise it).
#[test]
fn rendered_limit_errors() {
    let cases: Vec<(&str, Limits, &str, Option<Halt>)> = vec![
        ("memory", small(16), "ys = range(1e8)", None),
        (
            "nodes",
            Limits {
                nodes: 100,
                ..Limits::default()
            },
            "x = 1\nfor k in 0..1000 {\n  x = x * 1.01\n}",
            None,
        ),
        (
            "steps",
            Limits {
                steps: Some(100),
                ..Limits::default()
            },
            "for k in 0..1e15 {}",
            None,
        ),
        (
            "depth",
            Limits {
                depth: 50,
                ..Limits::default()
            },
            "fn f(n) = f(n - 1) + 1\nprint f(3)",
            None,
        ),
        (
            "time",
            Limits::default(),
            "for k in 0..1e15 {}",
            Some(Halt::Time { seconds: 2.5 }),
        ),
        (
            "output",
            Limits::default(),
            "for k in 0..1e9 { print k }",
            Some(Halt::Output { bytes: 1000 }),
        ),
        (
            "interrupted",
            Limits::default(),
            "for k in 0..1e15 {}",
            Some(Halt::Interrupted),
        ),
    ];
    for (name, limits, source, halt) in cases {
        let mut session = Session::with_limits(limits);
        let result = match halt {
            Some(halt) => session.run_script(
                "limits.mg",
                source,
                &mut Halting {
                    polls: 0,
                    after: 0,
                    halt,
                },
            ),
            None => session.run_script("limits.mg", source, &mut Collect::default()),
        };
        let rendered = session.sources().render(&result.expect_err(name), false);
        insta::assert_snapshot!(name, rendered);
    }
}
