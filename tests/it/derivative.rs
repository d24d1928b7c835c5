//! `derivative(f, x)` (SPEC §8): df/dx at x by autograd, as a plain number, with the
//! session's graph left as it was.

use super::{error_of, node, run_ok};
use mgrad::output::{Output, Shown};

/// The numbers a program's last `print` shows.
#[track_caller]
fn printed(source: &str) -> Vec<f64> {
    let (_, host) = run_ok(source);
    match host.outputs.last() {
        Some(Output::Print(print)) => print
            .values
            .iter()
            .map(|value| match value {
                Shown::Number(x) => *x,
                other => panic!("{other:?} is not a number"),
            })
            .collect(),
        other => panic!("expected a print from {source:?}, got {other:?}"),
    }
}

#[test]
fn the_lecture_s_function_and_the_builtins() {
    let f = "fn f(x) = 3*x**2 - 4*x + 5\n";
    assert_eq!(
        printed(&format!(
            "{f}print derivative(f, 3), derivative(f, 2/3), derivative(f, -2)"
        )),
        [14.0, 0.0, -16.0]
    );
    // A node used twice accumulates, as in backward.
    assert_eq!(printed("fn sq(x) = x * x\nprint derivative(sq, 5)"), [10.0]);
    // Builtins are functions too.
    assert_eq!(
        printed("print derivative(tanh, 0), derivative(sqrt, 4), derivative(exp, 0)"),
        [1.0, 0.25, 1.0]
    );
    // A function that ignores x, or returns plain data, has slope 0.
    assert_eq!(
        printed("fn c(x) = 5\nfn d(x) = x.data * 3\nprint derivative(c, 1), derivative(d, 1)"),
        [0.0, 0.0]
    );
    // The point may be a node: its data is taken.
    assert_eq!(printed("fn f(x) = x**3\na = 2.0\nprint derivative(f, a)"), [12.0]);
}

#[test]
fn every_op_has_its_derivative() {
    let cases: &[(&str, f64, f64)] = &[
        ("tanh", 0.5, 1.0 - 0.5f64.tanh().powi(2)),
        ("exp", 1.5, 1.5f64.exp()),
        ("log", 2.0, 0.5),
        ("sigmoid", 0.3, {
            let s = 1.0 / (1.0 + (-0.3f64).exp());
            s * (1.0 - s)
        }),
        ("sqrt", 9.0, 1.0 / 6.0),
        ("sin", 1.0, 1.0f64.cos()),
        ("cos", 1.0, -(1.0f64.sin())),
        ("relu", 2.0, 1.0),
        ("relu", -2.0, 0.0),
        ("abs", -3.0, -1.0),
    ];
    for (op, x, expected) in cases {
        let got = printed(&format!("print derivative({op}, {x})"))[0];
        assert!(
            (got - expected).abs() <= 1e-15 * expected.abs().max(1.0),
            "{op}'({x}) = {got}, not {expected}"
        );
    }
}

#[test]
fn the_session_s_graph_is_left_as_it_was() {
    let (session, _) = run_ok("a = 2.0\nb = a * 3\nbackward b\nfn g(x) = x * b + a * x\ns = derivative(g, 1)\nprint s");
    // b.data + a.data = 8, and a's and b's grads are still backward's.
    assert_eq!(node(&session, "a"), (2.0, 3.0));
    assert_eq!(node(&session, "b"), (6.0, 1.0));
    assert_eq!(session.get("s").and_then(|s| session.number_of(s)), Some(8.0));
}

#[test]
fn mistakes_are_errors_that_say_so() {
    let cases: &[(&str, &str)] = &[
        ("derivative(5, 1)", "'derivative' needs a function first, not a number"),
        (
            "derivative(tanh, [1])",
            "the point of 'derivative' must be a number, not a list",
        ),
        ("derivative(tanh)", "'derivative' takes 2 arguments, but 1 was given"),
        (
            "fn f(x) = [x]\nderivative(f, 1)",
            "'derivative' needs a function that returns a number",
        ),
        ("derivative(sqrt, 0)", "the derivative at 0 is not a finite number"),
        (
            "fn f(x) = x**2\nfn df(x) = derivative(f, x)\nderivative(df, 1)",
            "'derivative' cannot run inside another 'derivative'",
        ),
    ];
    for (source, message) in cases {
        let (got, _, _) = error_of(source);
        assert!(got.contains(message), "{source}: {got}");
    }
}
