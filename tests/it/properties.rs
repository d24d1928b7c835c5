//! Property tests: autograd against finite differences on random expressions,
//! and no panic on any input.

use proptest::prelude::*;

use super::{node, run};

/// A random smooth expression of `x` and `y`, kept away from poles and overflow.
#[derive(Clone, Debug)]
enum Tree {
    X,
    Y,
    Const(f64),
    Add(Box<Tree>, Box<Tree>),
    Sub(Box<Tree>, Box<Tree>),
    Mul(Box<Tree>, Box<Tree>),
    /// a / (2 + b*b): the denominator is never near 0.
    SafeDiv(Box<Tree>, Box<Tree>),
    Tanh(Box<Tree>),
    Sin(Box<Tree>),
    Cos(Box<Tree>),
    Sigmoid(Box<Tree>),
    /// exp(tanh(a)): never overflows.
    ExpTanh(Box<Tree>),
    /// log(1 + a*a)
    LogSquare(Box<Tree>),
    /// sqrt(1 + a*a)
    SqrtSquare(Box<Tree>),
    /// tanh(a) ** 2 and ** 3 (integer powers)
    Square(Box<Tree>),
    Cube(Box<Tree>),
    /// (1 + sigmoid(a)) ** b: a variable exponent on a positive base.
    PowPositive(Box<Tree>, Box<Tree>),
    Neg(Box<Tree>),
}

impl Tree {
    fn source(&self) -> String {
        match self {
            Tree::X => "x".into(),
            Tree::Y => "y".into(),
            Tree::Const(c) => format!("({c})"),
            Tree::Add(a, b) => format!("({} + {})", a.source(), b.source()),
            Tree::Sub(a, b) => format!("({} - {})", a.source(), b.source()),
            Tree::Mul(a, b) => format!("({} * {})", a.source(), b.source()),
            Tree::SafeDiv(a, b) => format!("({} / (2 + {b} * {b}))", a.source(), b = b.source()),
            Tree::Tanh(a) => format!("tanh({})", a.source()),
            Tree::Sin(a) => format!("sin({})", a.source()),
            Tree::Cos(a) => format!("cos({})", a.source()),
            Tree::Sigmoid(a) => format!("sigmoid({})", a.source()),
            Tree::ExpTanh(a) => format!("exp(tanh({}))", a.source()),
            Tree::LogSquare(a) => format!("log(1 + {a} * {a})", a = a.source()),
            Tree::SqrtSquare(a) => format!("sqrt(1 + {a} * {a})", a = a.source()),
            Tree::Square(a) => format!("tanh({}) ** 2", a.source()),
            Tree::Cube(a) => format!("tanh({})^3", a.source()),
            Tree::PowPositive(a, b) => format!("(1 + sigmoid({})) ** tanh({})", a.source(), b.source()),
            Tree::Neg(a) => format!("-{}", a.source()),
        }
    }

    /// The same expression evaluated directly in Rust, independent of mgrad.
    fn eval(&self, x: f64, y: f64) -> f64 {
        let sigmoid = |v: f64| 1.0 / (1.0 + (-v).exp());
        match self {
            Tree::X => x,
            Tree::Y => y,
            Tree::Const(c) => *c,
            Tree::Add(a, b) => a.eval(x, y) + b.eval(x, y),
            Tree::Sub(a, b) => a.eval(x, y) - b.eval(x, y),
            Tree::Mul(a, b) => a.eval(x, y) * b.eval(x, y),
            Tree::SafeDiv(a, b) => a.eval(x, y) / (2.0 + b.eval(x, y).powi(2)),
            Tree::Tanh(a) => a.eval(x, y).tanh(),
            Tree::Sin(a) => a.eval(x, y).sin(),
            Tree::Cos(a) => a.eval(x, y).cos(),
            Tree::Sigmoid(a) => sigmoid(a.eval(x, y)),
            Tree::ExpTanh(a) => a.eval(x, y).tanh().exp(),
            Tree::LogSquare(a) => (1.0 + a.eval(x, y).powi(2)).ln(),
            Tree::SqrtSquare(a) => (1.0 + a.eval(x, y).powi(2)).sqrt(),
            Tree::Square(a) => a.eval(x, y).tanh().powi(2),
            Tree::Cube(a) => a.eval(x, y).tanh().powi(3),
            Tree::PowPositive(a, b) => (1.0 + sigmoid(a.eval(x, y))).powf(b.eval(x, y).tanh()),
            Tree::Neg(a) => -a.eval(x, y),
        }
    }
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = prop_oneof![
        Just(Tree::X),
        Just(Tree::Y),
        (-3.0..3.0f64).prop_map(|c| Tree::Const((c * 100.0).round() / 100.0))
    ];
    leaf.prop_recursive(5, 40, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Tree::Add(a.into(), b.into())),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Tree::Sub(a.into(), b.into())),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Tree::Mul(a.into(), b.into())),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Tree::SafeDiv(a.into(), b.into())),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Tree::PowPositive(a.into(), b.into())),
            inner.clone().prop_map(|a| Tree::Tanh(a.into())),
            inner.clone().prop_map(|a| Tree::Sin(a.into())),
            inner.clone().prop_map(|a| Tree::Cos(a.into())),
            inner.clone().prop_map(|a| Tree::Sigmoid(a.into())),
            inner.clone().prop_map(|a| Tree::ExpTanh(a.into())),
            inner.clone().prop_map(|a| Tree::LogSquare(a.into())),
            inner.clone().prop_map(|a| Tree::SqrtSquare(a.into())),
            inner.clone().prop_map(|a| Tree::Square(a.into())),
            inner.clone().prop_map(|a| Tree::Cube(a.into())),
            inner.prop_map(|a| Tree::Neg(a.into())),
        ]
    })
}

/// A random index expression over a plain loop counter `k`, a node `n` (a
/// bound name) and literals, some of them fractional or huge.
fn index_expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("k".to_string()),
        Just("n".to_string()),
        (-3i32..6).prop_map(|i| i.to_string()),
        Just("0.5".to_string()),
        Just("1e308".to_string()),
    ];
    leaf.prop_recursive(4, 16, 2, |inner| {
        (
            inner.clone(),
            prop_oneof![Just("+"), Just("-"), Just("*"), Just("/"), Just("%")],
            inner,
        )
            .prop_map(|(a, op, b)| format!("({a} {op} {b})"))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// `xs[e]` takes the evaluator's fast path when it can; `[xs][0][e]` never
    /// does (its list is not a name). Both must print the same, build the same
    /// graph, and fail with the same message at the same place in `e`.
    #[test]
    fn fast_indexing_agrees_with_the_general_path(e in index_expression()) {
        let program = |list: &str| format!("xs = [10, 20, 30, 40, 50]; n = 2\nprint [{list}[{e}] for k in 0..3]");
        let (fast_session, fast_host, fast) = run(&program("xs"));
        let (slow_session, slow_host, slow) = run(&program("[xs][0]"));
        prop_assert_eq!(format!("{:?}", fast_host.outputs), format!("{:?}", slow_host.outputs), "{}", e);
        prop_assert_eq!(fast_session.graph().len(), slow_session.graph().len(), "{}", e);
        match (fast, slow) {
            (Ok(()), Ok(())) => {}
            (Err(fast), Err(slow)) => {
                prop_assert_eq!(&fast.message, &slow.message, "{}", e);
                // `[xs][0]` is 5 characters longer than `xs`.
                prop_assert_eq!(fast.span.start + 5, slow.span.start, "{}", e);
            }
            (fast, slow) => prop_assert!(false, "{e}: {fast:?} vs {slow:?}"),
        }
    }

    #[test]
    fn autograd_matches_central_differences(tree in tree(), x in -2.0..2.0f64, y in -2.0..2.0f64) {
        let source = format!("x = {x}; y = {y}; z = {}; grad z", tree.source());
        let (session, _, result) = run(&source);
        prop_assert!(result.is_ok(), "{source}: {:?}", result);
        let (z, _) = node(&session, "z");
        prop_assert!((z - tree.eval(x, y)).abs() <= 1e-9 * (1.0 + z.abs()), "value of {source}");
        let h = 1e-6;
        for (name, numeric) in [
            ("x", (tree.eval(x + h, y) - tree.eval(x - h, y)) / (2.0 * h)),
            ("y", (tree.eval(x, y + h) - tree.eval(x, y - h)) / (2.0 * h)),
        ] {
            let (_, auto) = node(&session, name);
            prop_assert!(
                (auto - numeric).abs() <= 1e-5 + 1e-4 * numeric.abs(),
                "d/d{name} of {source}: autograd {auto}, numeric {numeric}"
            );
        }
    }

    #[test]
    fn check_agrees_on_random_expressions(tree in tree(), x in -2.0..2.0f64, y in -2.0..2.0f64) {
        let source = format!("x = {x}; y = {y}; z = {} + 0 * x + 0 * y; check z", tree.source());
        let (session, _, result) = run(&source);
        prop_assert!(result.is_ok(), "{source}: {:?}", result);
        prop_assert_eq!(session.failed_checks(), 0, "{}", source);
    }

    #[test]
    fn any_text_runs_or_fails_cleanly(source in "\\PC{0,200}") {
        let _ = run(&source);
    }

    #[test]
    fn token_soup_runs_or_fails_cleanly(tokens in proptest::collection::vec(prop_oneof![
        Just("a"), Just("b"), Just("="), Just("+"), Just("-"), Just("*"), Just("/"), Just("**"), Just("("), Just(")"),
        Just("["), Just("]"), Just("{"), Just("}"), Just(","), Just(";"), Just("\n"), Just("1"), Just("0"), Just("2.5"),
        Just("grad"), Just("check"), Just("backward"), Just("print"), Just("tanh"), Just("log"), Just(".data"),
        Just(".grad"), Just("for"), Just("in"), Just("0..3"), Just("if"), Just("else"), Just("fn"), Just("return"),
        Just("=="), Just("<"), Just("and"), Just("not"), Just("\"s\""), Just("zero_grad"), Just("show"), Just("dot"),
        Just("topo"), Just("explain"), Just("assert"), Just("seed"), Just("x"), Just("f(a)"), Just("xs[0]"),
        // (No `while`: a soup can make `while 1 < 2 { }`, which runs until a step limit stops it.)
        Just("break"), Just("continue"), Just("f\"{a:.2f} {b}\""), Just("f\"{"), Just("f\"{a:>5}}\""),
        Just(".append(a)"), Just("max"), Just("round"), Just("str"), Just("α"), Just("pi"), Just("_"),
    ], 0..40)) {
        let source = tokens.join(" ");
        let _ = run(&source);
    }
}
