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
        // torch.remainder's derivatives: 1 in x, -floor(x / y) in y.
        ("x % y", 1.0),
        ("y % x", -4.0),
        ("(x + 7) % y", 1.0),
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

/// The check report of the last statement of `source`.
#[track_caller]
fn check_report(source: &str) -> mgrad::output::CheckReport {
    let (session, host) = run_ok(source);
    assert_eq!(session.failed_checks(), 0, "{source}");
    match host.outputs.last() {
        Some(Output::Check(report)) => report.clone(),
        other => panic!("expected a check report from {source:?}, got {other:?}"),
    }
}

#[test]
fn check_is_taken_at_the_leaves_current_data() {
    // SPEC §4: after a leaf changes, both sides are computed at its current data,
    // and the report says the stored value was stale. Both of these failed before.
    let report = check_report("a = 2; L = tanh(a); a.data = 0.5; check L");
    assert!(report.ok);
    assert_eq!((report.matched, report.mismatched, report.stale_nodes), (1, 0, 1));
    assert_eq!(report.stored_value, 2f64.tanh());
    assert_eq!(report.value, mgrad::graph::forward(mgrad::graph::Op::Tanh, 0.5, 0.0));
    assert!((report.nodes[0].autograd - (1.0 - report.value * report.value)).abs() < 1e-15);
    let text = mgrad::render::render_text(&Output::Check(report));
    assert!(
        text.contains(
            "note: L is stale: it holds 0.9640275800758169, but its leaves' current data give 0.46211715726000974"
        ),
        "{text}"
    );

    // An interior node's data set by hand: the check recomputes it, so it never trusts stored data.
    let report = check_report("a = 2; b = a * a; c = b * a; b.data = 100; check c");
    assert!(report.ok);
    assert_eq!(
        (report.nodes[0].autograd, report.stale_nodes, report.value),
        (12.0, 1, 8.0)
    );
    let text = mgrad::render::render_text(&Output::Check(report));
    assert!(
        text.contains("note: c's graph is stale: 1 stored value is out of date"),
        "{text}"
    );

    // An up-to-date graph says nothing of staleness.
    let report = check_report("a = 2; L = tanh(a); check L");
    assert_eq!(report.stale_nodes, 0);
    assert!(!mgrad::render::render_text(&Output::Check(report)).contains("stale"));
}

#[test]
fn check_at_a_point_where_the_graph_is_undefined_is_an_error() {
    let (message, line, column) = error("a = 2; L = log(a)\na.data = -1; check L");
    assert_eq!(
        message,
        "at its leaves' current data, log(-1) is not a finite number (nan)"
    );
    assert_eq!((line, column), (2, 20));
}

#[test]
fn remainder_is_differentiable() {
    // a % 1 is a node: d/da (a * (a % 1)) = (a % 1) + a = 0.5 + 2.5. It was 0.5
    // (the remainder was a constant), and check agreed, as it saw no remainder.
    let (session, _) = run_ok("a = 2.5; L = a * (a % 1); grad L");
    assert_eq!(node(&session, "a").1, 3.0);
    let report = check_report("a = 2.5; L = a * (a % 1); check L");
    assert!(report.ok);
    assert_eq!(report.nodes[0].autograd, 3.0);
    // Python's sign convention, on nodes as on numbers.
    let (session, _) = run_ok("a = -1; r = a % 10; b = 7.5; s = b % -2; grad s");
    assert_eq!(node(&session, "r").0, 9.0);
    assert_eq!(node(&session, "s").0, -0.5);
    // d/db (b % -2) = -floor(7.5 / -2) = 4.
    assert_eq!(node(&session, "b").1, 1.0);
    // Where a / b is a whole number the remainder jumps: check calls it a kink.
    let report = check_report("a = 3; L = a % 1; check L");
    assert_eq!((report.kinks, report.nodes[0].ok), (1, None));
}

#[test]
fn gradients_that_are_not_finite_are_errors() {
    // sqrt's derivative at 0 is inf; times 0 it is nan. This printed x.grad = nan before.
    for command in ["grad y", "backward y", "explain y", "check y"] {
        let (message, line, column) = error(&format!("x = 0; y = sqrt(x) * 0\n{command}"));
        assert_eq!(
            message,
            "x.grad would not be a finite number: backward through sqrt(0) gives inf (its derivative) * 0 (the gradient from above) = nan",
            "{command}"
        );
        assert_eq!((line, column), (2, command.len()), "{command}");
    }
    // An overflow on the way down, into an unlabelled node.
    let (message, _, _) = error("a = 1e200; b = 1e-200; c = 1e200; L = a * b * c; grad L");
    assert_eq!(
        message,
        "b.grad would not be a finite number: backward through 1e200 * 1e-200 gives 1e200 (its derivative in the right operand) * 1e200 (the gradient from above) = inf"
    );
    // A constant needs no gradient: x ** 2 at a negative x has none in its exponent, and that is fine.
    let (session, _) = run_ok("x = -3; y = x ** 2; grad y");
    assert_eq!(node(&session, "x").1, -6.0);
    let (message, _, _) = error("x = -3; p = 2; y = x ** p; grad y");
    assert!(
        message.starts_with(
            "p.grad would not be a finite number: backward through (-3) ** 2 gives nan (its derivative in the exponent)"
        ),
        "{message}"
    );
}

#[test]
fn a_failed_backward_in_the_repl_changes_nothing() {
    let mut session = mgrad::interpreter::Session::new();
    let mut host = super::Collect::default();
    session
        .run_entry("x = 0; w = 3; y = sqrt(x) * 0 + w * 2; backward w * 5", &mut host)
        .unwrap();
    assert!(session.run_entry("backward y", &mut host).is_err());
    assert_eq!(node(&session, "w"), (3.0, 5.0));
    assert_eq!(node(&session, "x"), (0.0, 0.0));
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
fn uniform_draws_are_finite_for_any_finite_bounds() {
    // hi - lo overflows here: this printed inf about half the time.
    let Shown::List(draws) = value("print [uniform(-1e308, 1e308) for k in 0..200]") else {
        panic!()
    };
    for draw in draws {
        assert!(
            matches!(draw, Shown::Number(x) if x.is_finite() && x.abs() <= 1e308),
            "{draw:?}"
        );
    }
    let Shown::List(draws) = value("print [uniform(-1.7976931348623157e308, 1.7976931348623157e308) for k in 0..200]")
    else {
        panic!()
    };
    assert!(
        draws
            .iter()
            .all(|draw| matches!(draw, Shown::Number(x) if x.is_finite()))
    );
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

#[test]
fn while_break_and_continue() {
    number("x = 0; while x < 3 { x += 1 }; x", 3.0);
    number("n = 0; while true { n += 1; if n == 4 { break } }; n", 4.0);
    number("s = 0; for k in 0..10 { if k % 2 == 0 { continue }; s += k }; s", 25.0);
    number("s = 0; for x in [1, 2, 3, 4] { if x == 3 { break }; s += x }; s", 3.0);
    number(
        "s = 0; k = 0; while k < 5 { k += 1; if k == 2 { continue }; s += k }; s",
        13.0,
    );
    // `break` leaves only the innermost loop.
    number(
        "n = 0; for i in 0..3 { for j in 0..10 { if j == 2 { break }; n += 1 } }; n",
        6.0,
    );
    // A `return` inside a loop inside a function leaves the function.
    number(
        "fn first_above(xs, t) { for x in xs { if x > t { return x } }; return -1 }\nfirst_above([1, 5, 9], 4)",
        5.0,
    );
    number(
        "fn count(n) { k = 0; while true { k += 1; if k == n { return k } } }\ncount(7)",
        7.0,
    );
    for (source, line, column) in [
        ("break", 1, 1),
        ("if true { continue }", 1, 11),
        ("fn f() { break }", 1, 10),
        ("for k in 0..2 { fn g() { continue } }", 1, 26),
    ] {
        let (message, at_line, at_column) = error(source);
        assert!(
            message.contains("only be used inside a 'for' or 'while' loop"),
            "{source}: {message}"
        );
        assert_eq!((at_line, at_column), (line, column), "{source}");
    }
}

#[test]
fn unicode_names_and_encodings() {
    number("α = 0.01; Δ = 2; α * Δ", 0.02);
    number("x₁ = 3; x₂ = 4; x₁ + x₂", 7.0);
    number("café = 1; naïve = 2; café + naïve", 3.0);
    let (message, ..) = error("αβ = 1; print αγ");
    assert!(message.contains("did you mean 'αβ'"), "{message}");
    let (message, line, column) = error("y = 2α");
    assert!(message.contains("'2α'"), "{message}");
    assert_eq!((line, column), (1, 5));
    // A byte-order mark is skipped, and columns on line 1 do not count it.
    let (session, host) = run_ok("\u{feff}x = 2; print x");
    assert_eq!(host.outputs.len(), 1);
    assert!(session.get("x").is_some());
    assert_eq!(error("\u{feff}y = nope"), ("unknown name 'nope'".to_string(), 1, 5));
    // Bytes that are not UTF-8: harmless in a comment, an error with a position elsewhere.
    let mut session = mgrad::interpreter::Session::new();
    let mut host = super::Collect::default();
    session
        .run_script_bytes("latin1.mg", b"\xef\xbb\xbfx = 1 # caf\xe9\nprint x", &mut host)
        .expect("a Latin-1 byte in a comment is let through");
    let diagnostic = session
        .run_script_bytes("latin1.mg", b"x = 1\nprint \"caf\xe9\"", &mut host)
        .expect_err("a Latin-1 byte in a string is an error");
    assert_eq!(diagnostic.message, "byte 0xE9 is not UTF-8 text (in Latin-1, 'é')");
    let at = session.sources().line_col(diagnostic.span.start);
    assert_eq!((at.line, at.column), (2, 11));
}

#[test]
fn a_flat_chain_is_not_nesting() {
    // 1,000 and 9,999 terms run (on the test thread's small stack, in a debug build).
    number(&format!("x = 1{}\nx", " + 1".repeat(999)), 1000.0);
    number(&format!("x = 2{}\nx", " * 1 - 1 + 1".repeat(3333)), 2.0);
    // Past 10,000 operators in a row, the error points at the operator that is one too many.
    let source = format!("x = 1{}", " + 1".repeat(10_001));
    let (message, line, column) = error(&source);
    assert_eq!(
        message,
        "this chain of operations is too long (more than 10000 operators in a row)"
    );
    assert_eq!((line, column), (1, 4 * 10_001 + 3));
}

#[test]
fn definitions_and_assignments_that_cannot_work_are_refused() {
    for (source, message, column) in [
        ("fn f(x, x) = x", "the parameter 'x' is named twice in 'f'", 9),
        ("fn f(x=1) = x", "the parameter 'x' cannot have a default value", 7),
        (
            "a = 1; (a*3).grad = 5",
            "cannot set '.grad' of '(a*3)': it is a new node that nothing keeps, so the change would be lost",
            8,
        ),
        ("x = 1; grda x", "unknown command 'grda' — did you mean 'grad'?", 8),
    ] {
        assert_eq!(error(source), (message.to_string(), 1, column), "{source}");
    }
    // A call's result may be a node something keeps: that is allowed.
    number(
        "xs = [1, 2]; a = 3; fn first(ys) = ys[0]\nb = a * 2; [b][0].grad = 4; b.grad",
        4.0,
    );
}

#[track_caller]
fn text(source: &str, expected: &str) {
    assert_eq!(value(source), Shown::Str(expected.to_string()), "{source}");
}

#[test]
fn strings_join_convert_and_format() {
    text("\"loss \" + \"down\"", "loss down");
    text("s = \"a\"; s += \"b\"; s", "ab");
    text("a = 2; \"a is \" + str(a * 3)", "a is 6");
    text(
        "str(0.1 + 0.2) + \" \" + str([1, \"x\"]) + \" \" + str(true)",
        "0.30000000000000004 [1, \"x\"] true",
    );
    text(
        "loss = 0.123456; k = 7; f\"loss {loss:.4f} at step {k}\"",
        "loss 0.1235 at step 7",
    );
    text("a = 2; b = a * a; f\"{b.data:.2f} {b.grad}\"", "4.00 0");
    text(
        "f\"{1234.5:.3e}|{0.000012345:.3g}|{0.25:.1%}|{7:03d}|{-2:+.1f}|{3:+d}\"",
        "1.234e+03|1.23e-05|25.0%|007|-2.0|+3",
    );
    text(
        "s = \"ab\"; f\"[{2:>4}][{2:<4}][{2:^5}][{s:*^6}]\"",
        "[   2][2   ][  2  ][**ab**]",
    );
    text("x = 3; f\"{x=} {x * 2 = :.1f}\"", "x=3 x * 2 = 6.0");
    text("f\"{{literal}} {[1, 2]} {len([])}\"", "{literal} [1, 2] 0");
    text("f\"tab\\there\"", "tab\there");
    number("round(2.675, 2)", 2.67);
    number("round(2.5) + round(3.5)", 6.0);
    number("round(1250, -2)", 1200.0);
    number("a = 2.6; round(a)", 3.0);
    // Mistakes inside an f-string are reported at their own column.
    for (source, message, column) in [
        ("x = 1; print f\"{x:.4q}\"", "unknown format 'q' in '{…:.4q}'", 21),
        (
            "x = 1; print f\"{x:.4}\"",
            "the precision '.4' needs a type letter after it",
            20,
        ),
        ("x = 1; print f\"a {x\"", "this '{' in the f-string is never closed", 18),
        ("print f\"a } b\"", "a single '}' in an f-string", 11),
        ("print f\"{1 + nope}\"", "unknown name 'nope'", 14),
        (
            "print f\"{1 +}\"",
            "expected an expression after '+', found the end of the input",
            13,
        ),
        (
            "s = \"ab\"; print f\"{s:.2f}\"",
            "the format ':.2f' is for numbers, but the value is a string",
            22,
        ),
        (
            "print f\"{2.5:d}\"",
            "the format ':d' is for whole numbers, but the value is 2.5",
            14,
        ),
        ("print \"n = \" + 3", "cannot apply '+' to a string and a number", 7),
    ] {
        assert_eq!(error(source), (message.to_string(), 1, column), "{source}");
    }
}

#[test]
fn lists_grow_and_give_their_extremes() {
    let list = |source: &str| match value(source) {
        Shown::List(items) => items,
        other => panic!("{source}: not a list: {other:?}"),
    };
    assert_eq!(list("xs = []; for k in 0..4 { xs.append(k * k) }; xs").len(), 4);
    number("xs = [1]; xs.append(2); xs.append(3); sum(xs)", 6.0);
    // Value semantics: a list bound to two names is copied before it grows.
    number("xs = [1, 2]; ys = xs; xs.append(3); len(xs) * 10 + len(ys)", 32.0);
    number("xss = [[1], [2]]; xss[1].append(5); xss[1][1] + len(xss[0])", 6.0);
    number(
        "fn squares(n) { out = []; for k in 0..n { out.append(k * k) }; return out }\nsum(squares(4))",
        14.0,
    );
    // A global list appended to inside a function: the function works on its own copy.
    number(
        "xs = [1]\nfn add(x) { xs.append(x); return len(xs) }\nadd(5) * 10 + len(xs)",
        21.0,
    );
    number("xs = [3]; for x in xs { xs.append(x) }; len(xs)", 2.0);
    number("max(2, 7, 3) + min([4, -1, 8]) + max([5])", 11.0);
    number(
        "a = 1; b = 3; c = 2; m = max(a, b, c); backward m; a.grad * 100 + b.grad * 10 + c.grad",
        10.0,
    );
    number("a = 1; b = 1; m = max([a, b]); backward m; a.grad + b.grad", 1.0);
    number("pi", std::f64::consts::PI);
    number("e", std::f64::consts::E);
    number("a = 2; e = a * 3; e", 6.0);
    for (source, message) in [
        ("max([])", "the max of an empty list is undefined"),
        ("max(3)", "'max' of one argument needs a list, not a number"),
        ("xs = [1]; xs.append(1, 2)", "'append' takes one item, but 2 were given"),
        (
            "s = \"a\"; s.append(\"b\")",
            "only a list can grow with 'append', not a string",
        ),
        ("[1].append(2)", "only a list bound to a name can grow"),
        (
            "uniform(2, 1)",
            "'uniform' draws from lo to hi, but lo = 2 is above hi = 1",
        ),
        ("print clock()", "no clock here: this way of running mg gives no time"),
    ] {
        assert_eq!(error(source).0, message, "{source}");
    }
}

/// Appending to a list no other name holds grows it in place (so a loop of appends is
/// linear): the list keeps its allocation.
#[test]
fn appending_to_an_unshared_list_does_not_copy_it() {
    let mut session = mgrad::interpreter::Session::new();
    let mut host = super::Collect::default();
    let list = |session: &mgrad::interpreter::Session| match session.get("xs") {
        Some(mgrad::value::Value::List(items)) => std::rc::Rc::as_ptr(items),
        other => panic!("xs is {other:?}"),
    };
    session.run_script("a.mg", "xs = [0]", &mut host).unwrap();
    let before = list(&session);
    // A copy would be made while the original is still bound, so at another address.
    for _ in 0..20 {
        session.run_script("b.mg", "xs.append(1)", &mut host).unwrap();
        assert_eq!(list(&session), before, "the list was copied");
    }
    session.run_script("c.mg", "ys = xs; xs.append(1)", &mut host).unwrap();
    assert_ne!(list(&session), before, "a shared list must be copied");
}

/// A host with a clock that ticks a second each time it is read.
#[derive(Default)]
struct Ticking {
    inner: super::Collect,
    now: f64,
}

impl mgrad::interpreter::Host for Ticking {
    fn emit(&mut self, output: Output) {
        self.inner.emit(output);
    }
    fn write_file(&mut self, path: &str, contents: &str) -> Result<(), String> {
        self.inner.write_file(path, contents)
    }
    fn clock(&mut self) -> Option<f64> {
        self.now += 1.0;
        Some(self.now)
    }
}

#[test]
fn clock_reads_the_hosts_clock() {
    let mut session = mgrad::interpreter::Session::new();
    let mut host = Ticking::default();
    session
        .run_script("t.mg", "t0 = clock(); x = 0; t = clock() - t0; print t", &mut host)
        .unwrap();
    assert_eq!(
        host.inner.outputs,
        [Output::Print(mgrad::output::PrintOut {
            values: vec![Shown::Number(1.0)]
        })]
    );
}

#[test]
fn runtime_messages_name_the_real_problem() {
    for (source, message, help) in [
        (
            "foo(2)",
            "unknown function 'foo'",
            Some("define it first, e.g. fn foo(x) = …"),
        ),
        ("x = 1; tahn(x)", "unknown function 'tahn' — did you mean 'tanh'?", None),
        (
            "fn neuron(xs) = 1\nneron([1])",
            "unknown function 'neron' — did you mean 'neuron'?",
            None,
        ),
        (
            "xs = []; append(xs, 1)",
            "unknown function 'append'",
            Some("to add an item to a list, write xs.append(1)"),
        ),
        (
            "fn f(x) { y = x }\nz = f(1) + 1",
            "cannot apply '+' to nothing and a number",
            Some("'f' gives nothing back: its body has no 'return'; end it with 'return value'"),
        ),
        (
            "[1,2] + 3",
            "cannot apply '+' to a list and a number",
            Some("to apply '+' to every item, use a comprehension: [x + 3 for x in [1,2]]"),
        ),
        (
            "zero_grad 5",
            "'zero_grad' needs nodes, lists of nodes or models, but '5' is the plain number 5",
            Some(
                "a plain number has no grad; 'zero_grad' alone zeroes every grad, 'zero_grad x, m' those of x's graph and model m",
            ),
        ),
    ] {
        let diagnostic = run_err(source);
        assert_eq!(diagnostic.message, message, "{source}");
        assert_eq!(diagnostic.help.as_deref(), help, "{source}");
    }
    // A tolerance of 0 is allowed, as in torch.autograd.gradcheck; a step of 0 is not.
    let (_, host) = run_ok("a = 2; L = a * a; check L atol=0 rtol=0.01");
    assert!(matches!(host.outputs.last(), Some(Output::Check(report)) if report.atol == 0.0 && report.ok));
    assert_eq!(
        error("a = 2; L = a * a; check L eps=0").0,
        "'eps' must be a positive number, not 0"
    );
}

/// An error inside a function shows where the function was called, even from
/// another REPL entry.
#[test]
fn errors_inside_functions_show_the_calls() {
    let diagnostic = run_err("fn g(x) = 1 / x\nfn f(x) = g(x - 1) * 2\ny = f(1)");
    let calls: Vec<&str> = diagnostic.context.iter().map(|(_, message)| message.as_str()).collect();
    assert_eq!(calls, ["in 'g', called here", "in 'f', called here"]);
    let mut session = mgrad::interpreter::Session::new();
    let mut host = super::Collect::default();
    session.run_entry("fn f(x) = log(x)", &mut host).unwrap();
    let diagnostic = session.run_entry("y = 2 * f(-1)", &mut host).unwrap_err();
    let rendered = session.sources().render(&diagnostic, false);
    assert!(rendered.contains("<repl 1>:1:11"), "{rendered}");
    assert!(rendered.contains("y = 2 * f(-1)"), "{rendered}");
    assert!(rendered.contains("----- in 'f', called here"), "{rendered}");
    // The next error carries no calls of the one before.
    let diagnostic = session.run_entry("z = nope", &mut host).unwrap_err();
    assert!(diagnostic.context.is_empty());
}

/// The REPL echoes a node as micrograd's `Value` does, with its grad, label and
/// operation; a script prints its data. Both bind `_` to the last bare expression.
#[test]
fn the_repl_shows_nodes_and_remembers_the_last_result() {
    let mut session = mgrad::interpreter::Session::new();
    let mut host = super::Collect::default();
    session
        .run_entry("a = 2; b = a * 3; backward b; a; b; _ + 1; 7; _ * 2", &mut host)
        .unwrap();
    let shown: Vec<String> = host.outputs.iter().map(mgrad::render::render_text).collect();
    assert_eq!(
        shown,
        [
            "Value(data=2, grad=3, label=a)\n",
            "Value(data=6, grad=1, label=b, op=*)\n",
            "Value(data=7, grad=0, op=+)\n",
            "7\n",
            "14\n"
        ]
    );
    let json = mgrad::render::render_json(&host.outputs[0]);
    assert_eq!(
        json,
        r#"{"cmd":"print","values":[{"data":2.0,"grad":3.0,"label":"a"}]}"#
    );
    // A failed entry leaves `_` as it was.
    assert!(session.run_entry("nope + 1", &mut host).is_err());
    assert!(matches!(session.get("_"), Some(mgrad::value::Value::Num(x)) if *x == 14.0));
    number("a = 2; a * 3; _ + 1", 7.0);
}

#[test]
fn max_and_min_take_one_list_or_several_numbers() {
    assert_eq!(error("max()").0, "'max' takes at least 1 argument, but 0 were given");
    assert_eq!(error("zip([1])").0, "'zip' takes at least 2 arguments, but 1 was given");
    number("min(3, 1, 2, 0.5)", 0.5);
    number("max([[1]][0])", 1.0);
    assert_eq!(
        error("max([1, \"a\"])").0,
        "'max' needs two numbers, not a number and a string"
    );
}
