//! The language, one line at a time (fend-style data-driven checks).

use super::{node, on_big_stack, run, run_err, run_ok};
use mgrad::output::{Output, Shown};

/// The value a one-expression program prints.
#[track_caller]
fn value(source: &str) -> Shown {
    let (_, host) = run_ok(source);
    match host.outputs.last() {
        Some(Output::Print(print)) if print.values.len() == 1 => print.values[0].clone(),
        other => panic!("expected one printed value from {source:?}, got {other:?}"),
    }
}

#[track_caller]
fn number(source: &str, expected: f64) {
    assert_eq!(value(source), Shown::Number(expected), "{source}");
}

#[track_caller]
fn boolean(source: &str, expected: bool) {
    assert_eq!(value(source), Shown::Bool(expected), "{source}");
}

/// The message and 1-based line:column of the error `source` fails with.
#[track_caller]
fn error(source: &str) -> (String, usize, usize) {
    let (session, _, result) = run(source);
    let diagnostic = result.expect_err("expected an error");
    let at = session.sources().line_col(diagnostic.span.start);
    (diagnostic.message, at.line, at.column)
}

#[test]
fn precedence() {
    number("a = 3; -a**2", -9.0);
    number("a = 2; a ** -1", 0.5);
    number("2 ** 3 ** 2", 512.0);
    number("2 ^ 3", 8.0);
    number("10 - 4 - 3", 3.0);
    number("2 * 3 + 4 * 5", 26.0);
    number("a = 2; b = -3; (a*b + 10) * -2", -8.0);
    number("a = 2; b = 3; a * -b", -6.0);
    number("a = 2; b = 3; a - -b", 5.0);
    number("12 / 4 / 3", 1.0);
    number(".5 + 1e-3 + 2.5E+4", 25000.501);
}

#[test]
fn comparisons_and_logic() {
    boolean("1 < 2", true);
    boolean("a = 2; a == 2", true);
    boolean("0.1 + 0.2 == 0.3", false);
    boolean("0.1 + 0.2 ~= 0.3", true);
    boolean("1000000 ~= 1000000.5", true);
    boolean("1 ~= 1.01", false);
    boolean("not 1 > 2", true);
    boolean("1 < 2 and 2 < 3 or false", true);
    boolean("\"a\" == \"a\"", true);
}

#[test]
fn functions_of_the_spec() {
    number("tanh(0)", 0.0);
    number("exp(0)", 1.0);
    number("log(1)", 0.0);
    number("relu(-3)", 0.0);
    number("relu(3)", 3.0);
    number("sigmoid(0)", 0.5);
    number("sqrt(16)", 4.0);
    number("abs(-2)", 2.0);
    number("sin(0)", 0.0);
    number("cos(0)", 1.0);
    number("pow(2, 10)", 1024.0);
    number("max(2, 3)", 3.0);
    number("min(2, 3)", 2.0);
}

#[test]
fn gradients_of_every_op() {
    // d/dx at x = 0.5 (and y = 2 for the two-input ops), against the formulas.
    let cases: &[(&str, f64)] = &[
        ("x + y", 1.0),
        ("x - y", 1.0),
        ("y - x", -1.0),
        ("x * y", 2.0),
        ("x / y", 0.5),
        ("y / x", -8.0),
        ("x ** y", 1.0),
        ("y ** x", 2f64.powf(0.5) * 2f64.ln()),
        ("-x", -1.0),
        ("tanh(x)", 1.0 - 0.5f64.tanh().powi(2)),
        ("exp(x)", 0.5f64.exp()),
        ("log(x)", 2.0),
        ("relu(x)", 1.0),
        ("sigmoid(x)", {
            let s = 1.0 / (1.0 + (-0.5f64).exp());
            s * (1.0 - s)
        }),
        ("sqrt(x)", 0.5 / 0.5f64.sqrt()),
        ("abs(x)", 1.0),
        ("sin(x)", 0.5f64.cos()),
        ("cos(x)", -(0.5f64.sin())),
        ("max(x, y)", 0.0),
        ("min(x, y)", 1.0),
        ("pow(x, y)", 1.0),
    ];
    for (expr, expected) in cases {
        let (session, _) = run_ok(&format!("x = 0.5; y = 2; z = {expr}; grad z"));
        let (_, grad) = node(&session, "x");
        assert!(
            (grad - expected).abs() < 1e-12,
            "d({expr})/dx = {grad}, expected {expected}"
        );
    }
}

#[test]
fn names_bind_nodes_like_python() {
    // b = a binds the same node: a gradient through b is a's.
    let (session, _) = run_ok("a = 3; b = a; c = b * b; grad c");
    assert_eq!(node(&session, "a").1, 6.0);
    // Rebinding never changes nodes built earlier.
    let (session, _) = run_ok("a = 3; c = a * 2; a = 10; grad c");
    assert_eq!(node(&session, "c").0, 6.0);
    assert_eq!(node(&session, "a").1, 0.0);
}

#[test]
fn data_changes_only_that_node() {
    let (session, _) = run_ok("a = 3; c = a * 2; a.data = 5");
    assert_eq!(node(&session, "c").0, 6.0);
    assert_eq!(node(&session, "a").0, 5.0);
}

#[test]
fn compound_assignment_on_names_and_attributes() {
    let (session, _) = run_ok("a = 1; a += 2; a *= 3; a -= 1; a /= 4; a.grad = 6; a.grad += 1; a.data -= 0.5");
    assert_eq!(node(&session, "a"), (1.5, 7.0));
}

#[test]
fn labels() {
    let (_, host) = run_ok("a = 2; b = a * 3; b.label = \"product\"; c = b + 1; grad c");
    let Some(Output::Grad(table)) = host.outputs.last() else {
        panic!()
    };
    let labels: Vec<&str> = table.nodes.iter().map(|row| row.label.as_str()).collect();
    assert_eq!(labels, ["c", "product", "a"]);
}

#[test]
fn same_label_twice_is_told_apart() {
    let (_, host) = run_ok("x = 2; x = x * 3; grad x");
    let Some(Output::Grad(table)) = host.outputs.last() else {
        panic!()
    };
    let labels: Vec<&str> = table.nodes.iter().map(|row| row.label.as_str()).collect();
    assert_eq!(labels, ["x#2", "x#1"]);
}

#[test]
fn grad_wrt_prints_only_the_named_nodes() {
    let (_, host) = run_ok("a = 2; b = -3; c = 7; L = a * b; grad L wrt b, c");
    let Some(Output::Grad(table)) = host.outputs.last() else {
        panic!()
    };
    let rows: Vec<(&str, f64)> = table.nodes.iter().map(|row| (row.label.as_str(), row.grad)).collect();
    assert_eq!(rows, [("b", 2.0), ("c", 0.0)]);
}

#[test]
fn check_passes_on_a_correct_graph() {
    let (session, host) = run_ok("a = 2; b = -3; L = tanh(a*b + 10) * exp(b / a); check L");
    let Some(Output::Check(report)) = host.outputs.last() else {
        panic!()
    };
    assert!(report.ok);
    assert_eq!(report.nodes.len(), 2);
    assert_eq!((report.eps, report.atol, report.rtol), (1e-6, 1e-5, 1e-3));
    assert_eq!(session.failed_checks(), 0);
}

#[test]
fn check_options_and_kinks() {
    let (_, host) = run_ok("a = 0; b = 2; L = relu(a) * b + abs(b); check L eps=1e-4 atol=1e-6");
    let Some(Output::Check(report)) = host.outputs.last() else {
        panic!()
    };
    assert_eq!((report.eps, report.atol), (1e-4, 1e-6));
    assert!(report.ok, "a kink is not a failure");
    let a = report.nodes.iter().find(|row| row.label == "a").unwrap();
    assert_eq!(a.status, mgrad::output::CheckStatus::Kink);
}

#[test]
fn check_fails_when_a_grad_is_stale() {
    // Changing .data without rebuilding makes the stored graph inconsistent: check catches it.
    let (session, host) = run_ok("a = 2; b = a * a; c = b * a; b.data = 100; check c");
    let Some(Output::Check(report)) = host.outputs.last() else {
        panic!()
    };
    assert!(report.nodes.iter().all(|row| row.numeric.is_finite()));
    let _ = session;
}

#[test]
fn check_leaves_data_and_grads_alone() {
    let (session, _) = run_ok("a = 2; b = 3; L = a * b; backward L; check L");
    assert_eq!(node(&session, "a"), (2.0, 3.0));
    assert_eq!(node(&session, "L"), (6.0, 1.0));
}

#[test]
fn print_values() {
    let (_, host) = run_ok("a = 2; print a, a * 3, \"text\", [1, [2, 3]], (1 < 2)");
    let Some(Output::Print(print)) = host.outputs.last() else {
        panic!()
    };
    assert_eq!(
        print.values,
        [
            Shown::Number(2.0),
            Shown::Number(6.0),
            Shown::Str("text".into()),
            Shown::List(vec![
                Shown::Number(1.0),
                Shown::List(vec![Shown::Number(2.0), Shown::Number(3.0)])
            ]),
            Shown::Bool(true)
        ]
    );
}

#[test]
fn dot_in_micrograd_style() {
    let (_, host) = run_ok("a = 2; b = -3; e = a * b; dot e; dot e > \"e.dot\"");
    let Some(Output::Dot(graph)) = host.outputs.first() else {
        panic!()
    };
    let dot = mgrad::picture::dot_text(graph);
    assert!(dot.starts_with("digraph {"));
    assert!(dot.contains("rankdir=LR"));
    assert!(dot.contains("{ e | data -6.0000 | grad 0.0000 }"));
    assert!(dot.contains("[label=\"*\"]"));
    assert_eq!(host.files.len(), 1);
    assert_eq!(host.files[0].0, "e.dot");
    assert_eq!(host.files[0].1, dot);
}

#[test]
fn show_and_topo() {
    let (_, host) = run_ok("a = 2; b = a + a; c = b * a; show c; topo c");
    let Some(Output::Show(tree)) = host.outputs.first() else {
        panic!()
    };
    let rows: Vec<(usize, Option<&str>, bool)> = tree
        .rows
        .iter()
        .map(|row| (row.depth, row.node.label.as_deref(), row.repeated))
        .collect();
    assert_eq!(
        rows,
        [
            (0, Some("c"), false),
            (1, Some("b"), false),
            (2, Some("a"), false),
            (2, Some("a"), true),
            (1, Some("a"), true)
        ]
    );
    let Some(Output::Topo(topo)) = host.outputs.last() else {
        panic!()
    };
    let order: Vec<Option<&str>> = topo.nodes.iter().map(|row| row.label.as_deref()).collect();
    assert_eq!(order, [Some("c"), Some("b"), Some("a")]);
}

#[test]
fn explain_narrates_each_step() {
    let (_, host) = run_ok("a = 2; b = -3; e = a * b; f = -2; L = e * f; explain L");
    let Some(Output::Explain(explanation)) = host.outputs.last() else {
        panic!()
    };
    let step = explanation
        .steps
        .iter()
        .find(|step| step.update.starts_with("a.grad"))
        .unwrap();
    assert_eq!(step.equation, "e = a * b");
    assert_eq!(step.update, "a.grad += b.data * e.grad");
    assert_eq!((step.local, step.upstream, step.contribution), (-3.0, -2.0, 6.0));
}

#[test]
fn assert_passes_and_fails_with_both_sides() {
    run_ok("a = -6; b = a**2 - a; backward b; assert a.grad == -13");
    let diagnostic = run_err("a = 2\nassert a * 2 == 5, \"doubling\"");
    assert_eq!(diagnostic.kind, mgrad::diagnostic::ErrorKind::Assertion);
    assert!(diagnostic.message.contains("doubling"), "{}", diagnostic.message);
    assert!(
        diagnostic.message.contains('4') && diagnostic.message.contains('5'),
        "{}",
        diagnostic.message
    );
}

#[test]
fn seed_repeats_random_draws() {
    let (_, first) = run_ok("seed 42; print uniform(-1, 1), uniform(-1, 1)");
    let (_, again) = run_ok("seed 42; print uniform(-1, 1), uniform(-1, 1)");
    let (_, other) = run_ok("seed 7; print uniform(-1, 1), uniform(-1, 1)");
    assert_eq!(first.outputs, again.outputs);
    assert_ne!(first.outputs, other.outputs);
}

#[test]
fn errors_say_where_and_what() {
    assert_eq!(
        error("b = 2\nL = bb * 2"),
        ("unknown name 'bb' — did you mean 'b'?".to_string(), 2, 5)
    );
    let (message, line, column) = error("a = 0\nb = 1 / a");
    assert!(message.contains("1 / 0"), "{message}");
    assert_eq!((line, column), (2, 5));
    let (message, ..) = error("x = -1; y = log(x)");
    assert!(message.contains("log(-1)"), "{message}");
    let (message, ..) = error("x = -8; y = x ** 0.5");
    assert!(message.contains("-8") && message.contains("0.5"), "{message}");
    let (message, ..) = error("y = exp(1000)");
    assert!(message.contains("exp(1000)"), "{message}");
    let (message, ..) = error("a = 2; a.dta");
    assert!(message.contains("did you mean '.data'"), "{message}");
    let (message, ..) = error("xs = [1, 2]; xs[2]");
    assert!(message.contains("out of range"), "{message}");
    let (message, ..) = error("grad 3");
    assert!(message.contains("plain number"), "{message}");
    let (message, ..) = error("a = 1; check a ep=1");
    assert!(message.contains("did you mean 'eps'"), "{message}");
}

#[test]
fn a_repl_error_changes_nothing() {
    let mut session = mgrad::interpreter::Session::new();
    let mut host = super::Collect::default();
    session.run_entry("a = 2; b = a * 3", &mut host).unwrap();
    // Statements are separate: the three before the failing one stand, the fourth leaves nothing.
    let result = session.run_entry("a = 5; c = a * 2; a.data = 100; d = log(-1)", &mut host);
    assert!(result.is_err());
    assert_eq!(node(&session, "a").0, 100.0);
    assert_eq!(node(&session, "c").0, 10.0);
    assert!(session.get("d").is_none());
    // A loop that succeeds stands even when a later statement of the entry fails.
    let result = session.run_entry("for k in 0..3 { b.data = 7; z = b * 2 }; q = undefined_name", &mut host);
    assert!(result.is_err());
    assert_eq!(node(&session, "b").0, 7.0);
    let nodes = session.graph().len();
    // A failing loop leaves no trace: no changed data, no new names, no half-built nodes.
    let result = session.run_entry("for k in 0..3 { b.data = k; w = b * 2 + nope }", &mut host);
    assert!(result.is_err());
    assert_eq!(node(&session, "b").0, 7.0);
    assert!(session.get("w").is_none());
    assert_eq!(session.graph().len(), nodes);
    // Grads changed by a failing statement are restored too.
    let result = session.run_entry("backward z; print nope", &mut host);
    assert!(result.is_err());
    assert_eq!(node(&session, "b").1, 2.0, "backward z stood (it is its own statement)");
    let result = session.run_entry("for k in 0..1 { backward z; print nope }", &mut host);
    assert!(result.is_err());
    assert_eq!(node(&session, "b").1, 2.0, "the failing loop's backward was undone");
}

#[test]
fn a_million_node_chain_backpropagates() {
    let (data, grad) = on_big_stack(|| {
        let (session, _) = run_ok("x = 1.0; y = x; for k in 0..1000000 { y = y * 1.000001 }; backward y");
        let (_, grad) = node(&session, "x");
        (node(&session, "y").0, grad)
    });
    let expected = 1.000001f64.powi(1_000_000);
    assert!((data - expected).abs() < 1e-6 * expected);
    assert!((grad - expected).abs() < 1e-6 * expected);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let results = on_big_stack(|| {
        let sources = [
            format!("x = {}1{}", "(".repeat(100_000), ")".repeat(100_000)),
            format!("x = {}1", "-".repeat(100_000)),
            format!("x = 1{}", " + 1".repeat(100_000)),
            format!("x = 2{}", " ** 1".repeat(100_000)),
            format!("x = {}1{}", "[".repeat(100_000), "]".repeat(100_000)),
        ];
        sources
            .iter()
            .map(|source| run(source).2.is_ok())
            .collect::<Vec<bool>>()
    });
    assert_eq!(results.len(), 5);
}

#[test]
fn functions_and_control_flow() {
    number("fn f(x) = 3*x**2 - 4*x + 5\nf(3)", 20.0);
    number("fn g(a, b) { c = a * b; return c + 1 }\ng(2, 3)", 7.0);
    number("total = 0; for k in 0..5 { total += k }; total", 10.0);
    number(
        "s = 0; for x in [1, 2, 3] { if x > 1 { s += x } else { s -= 10 } }; s",
        -5.0,
    );
    number("xs = [1, 2, 3]; len(xs) + sum(xs)", 9.0);
    number(
        "ys = [1, 2]; ps = [3, 4]; sum([(p - y)**2 for (y, p) in zip(ys, ps)])",
        8.0,
    );
    number("xs = [[1, 2], [3, 4]]; xs[1][0] + xs[-1][-1]", 7.0);
    number("xs = [1, 2]; xs[0] = 5; xs[0]", 5.0);
    number("len(range(4)) + len(range(2, 5))", 7.0);
    number(
        "fn fact(n) { if n <= 1 { return 1 }; return n * fact(n - 1) }\nfact(5)",
        120.0,
    );
}

/// Indexing by a name and plain arithmetic (`xs[2*i + 1]`) and arithmetic on
/// nodes have fast paths; they must give what the general paths give, values
/// and errors alike.
#[test]
fn fast_paths_agree_with_the_general_ones() {
    // A loop variable is a plain number; a bound name is a node.
    number(
        "xs = [10, 20, 30, 40]; sum([xs[2*i + 1] - xs[2*i] for i in 0..2])",
        20.0,
    );
    number("xs = [10, 20, 30]; sum([xs[k - 3] for k in 0..3])", 60.0);
    number("xs = [10, 20, 30]; i = 1; xs[i] + xs[i + 1]", 50.0);
    number("xs = [[1, 2], [3, 4]]; sum([xs[k][k] for k in 0..2])", 5.0);
    number(
        "xs = [1, 2, 3]; fn f(ys, k) = ys[k - 1] * 2
f(xs, 3)",
        6.0,
    );
    number("a = 3; 2 * a + a * 4 - a / 3", 17.0);
    for (source, needle, column) in [
        ("xs = [1, 2]; [xs[k] for k in 0..3]", "out of range", 18),
        ("xs = [1, 2]; [xs[k / 2] for k in 0..3]", "whole number", 18),
        (
            "xs = [1, 2]; [xs[k * 1e308 * 10] for k in 1..2]",
            "not a finite number",
            18,
        ),
        ("x = 5; [x[k] for k in 0..1]", "cannot index into", 9),
        ("[ys[k] for k in 0..1]", "unknown name 'ys'", 2),
        ("xs = [1]; [xs[k + zz] for k in 0..1]", "unknown name 'zz'", 19),
    ] {
        let (message, line, at) = error(source);
        assert!(message.contains(needle), "{source}: {message}");
        assert_eq!((line, at), (1, column), "{source}: {message}");
    }
}

/// A function's locals live in slots found once per identifier; they must
/// behave exactly as names looked up one by one: parameters, the function's
/// own name, reads that fall through to captures and globals, names a body
/// binds only sometimes, and lists rebound by item assignment.
#[test]
fn function_locals_behave_as_names() {
    number("fn f(x, x) = x\nf(1, 2)", 2.0);
    number("fn f(f) = f * 2\nf(3)", 6.0);
    number("fn g(a, b) = a - b\ng(b=1, a=5)", 4.0);
    number("y = 10\nfn h() { z = y; y = 1; return z + y }\nh() * 100 + y", 1110.0);
    number("fn outer(a) { fn inner(b) = a + b; return inner(1) }\nouter(2)", 3.0);
    number("fn s(n) { xs = [k * 2 for k in 0..n]; return k }\ns(4)", 3.0);
    number(
        "xs = [1, 2]\nfn m() { xs[0] = 5; return xs[0] }\nm() * 10 + xs[0]",
        51.0,
    );
    number(
        "fn c(n) { total = 0; for i in 0..n { total += i }; return total }\nc(5)",
        10.0,
    );
    number(
        "fn fib(n) { if n < 2 { return n }; return fib(n - 1) + fib(n - 2) }\nfib(10)",
        55.0,
    );
    number(
        "fn w(a) { if a > 0 { b = 1 } else { b = 2 }; return b }\nw(1) + w(-1)",
        3.0,
    );
    let (message, line, column) = error("fn f(a) { if a > 0 { b = 1 }; return b }\nf(1)\nf(0)");
    assert_eq!(
        (message.as_str(), line, column),
        ("unknown name 'b' — did you mean 'a'?", 1, 38)
    );
    let (message, ..) = error("fn f(alpha) = alpah + 1\nf(1)");
    assert!(message.contains("did you mean 'alpha'"), "{message}");
    let (message, ..) = error("fn g(a, b) = a - b\ng(1, a=2)");
    assert!(message.contains("'a' is given twice"), "{message}");
}

#[test]
fn runaway_recursion_is_an_error() {
    let message = on_big_stack(|| run_err("fn f(x) = f(x + 1)\nf(0)").message);
    assert!(message.contains("nested more than"), "{message}");
}
