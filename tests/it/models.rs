//! SPEC §5: models, training, closures, named arguments.

use super::{node, run_err, run_ok};
use mgrad::output::{Output, Shown};

/// The numbers a program's last `print` printed.
#[track_caller]
fn printed(source: &str) -> Vec<Shown> {
    let (_, host) = run_ok(source);
    match host.outputs.last() {
        Some(Output::Print(print)) => print.values.clone(),
        other => panic!("expected a print from {source:?}, got {other:?}"),
    }
}

const TRAINING: &str = "seed 1
xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
ys = [1.0, -1.0, -1.0, 1.0]
n = MLP(3, [4, 4, 1])
for k in 0..50 {
  ypred = [n(x) for x in xs]
  loss = sum([(yout - ygt)**2 for (ygt, yout) in zip(ys, ypred)])
  zero_grad n
  backward loss
  for p in parameters(n) { p.data -= 0.05 * p.grad }
}
print loss.data
";

#[test]
fn the_spec_training_loop_runs_as_written_and_trains() {
    let values = printed(TRAINING);
    let [Shown::Number(loss)] = values.as_slice() else {
        panic!("{values:?}")
    };
    assert!(*loss < 0.05, "loss after 50 steps: {loss}");
    // The same script prints the same numbers on every run.
    assert_eq!(printed(TRAINING), values);
}

#[test]
fn check_after_a_training_step_passes() {
    // The README's loop ends with a step that changes every parameter after the
    // loss was computed: the loss is stale. `check loss` said 40 of 41 differ.
    let (session, host) = run_ok(&format!("{TRAINING}check loss\n"));
    let Some(Output::Check(report)) = host.outputs.last() else {
        panic!()
    };
    assert!(report.ok, "{report:?}");
    assert_eq!((report.matched, report.mismatched, report.nodes.len()), (41, 0, 41));
    assert!(report.stale_nodes > 0 && report.value != report.stored_value);
    assert_eq!(session.failed_checks(), 0);
}

#[test]
fn an_mlp_has_micrographs_shape_and_parameter_order() {
    let values = printed("n = MLP(3, [4, 4, 1]); ps = parameters(n); print n, len(ps)");
    assert_eq!(values, [Shown::Other("MLP(3, [4, 4, 1])".into()), Shown::Number(41.0)]);
    // Weights then bias per neuron, neuron by neuron, layer by layer.
    let (session, _) = run_ok("n = MLP(2, [3, 1]); ps = parameters(n); first = ps[0]; third = ps[2]; last = ps[-1]");
    let label = |name: &str| match session.get(name) {
        Some(mgrad::value::Value::Node(id)) => session.graph().label(*id).map(str::to_string),
        _ => None,
    };
    assert_eq!(label("first").as_deref(), Some("w[0][0][0]"));
    assert_eq!(label("third").as_deref(), Some("b[0][0]"));
    assert_eq!(label("last").as_deref(), Some("b[1][0]"));
}

#[test]
fn models_compute_what_micrograd_computes() {
    // A neuron is tanh(b + w0*x0 + w1*x1); check it against its own parameters.
    let (session, _) = run_ok(
        "seed 3; m = Neuron(2); ps = parameters(m); w0 = ps[0]; w1 = ps[1]; b = ps[2]
out = m([2.0, -1.0]); same = tanh(b + w0 * 2.0 + w1 * -1.0)",
    );
    assert_eq!(node(&session, "out").0, node(&session, "same").0);
    // A layer with one output gives a number; with more, a list.
    assert_eq!(printed("l = Layer(2, 1); print len([l([1, 2])])"), [Shown::Number(1.0)]);
    assert_eq!(printed("l = Layer(2, 3); print len(l([1, 2]))"), [Shown::Number(3.0)]);
    // relu MLPs have a linear last layer: outputs can be below -1 and above 1.
    let values = printed("seed 5; m = MLP(1, [8, 1], act=\"relu\"); print [m([x]).data for x in [-30, 30]]");
    let Shown::List(outputs) = &values[0] else { panic!() };
    assert!(
        outputs.iter().any(|v| matches!(v, Shown::Number(x) if x.abs() > 1.0)),
        "{outputs:?}"
    );
}

#[test]
fn check_passes_on_a_model() {
    let (session, host) = run_ok("seed 2; m = MLP(2, [3, 1]); L = m([0.5, -1.5]) ** 2; check L");
    let Some(Output::Check(report)) = host.outputs.last() else {
        panic!()
    };
    assert_eq!(report.nodes.len(), 13, "every parameter is checked");
    assert!(report.ok);
    assert_eq!(session.failed_checks(), 0);
}

#[test]
fn zero_grad_of_a_model_zeroes_its_parameters() {
    let values = printed(
        "m = Neuron(2); L = m([1, 2]); backward L; before = sum([p.grad * p.grad for p in parameters(m)])
zero_grad m; print (before > 0), sum([abs(p.grad) for p in parameters(m)])",
    );
    assert_eq!(values, [Shown::Bool(true), Shown::Number(0.0)]);
}

#[test]
fn model_mistakes_are_explained() {
    let message = |source: &str| run_err(source).message;
    assert!(message("m = MLP(3, [4, 1]); m([1, 2])").contains("takes 3 inputs, but the list has 2 items"));
    assert!(message("m = MLP(3, [4, 1], act=\"sigmoidal\")").contains("unknown activation"));
    assert!(message("m = MLP(3, [4, 1], actv=\"relu\")").contains("no argument named 'actv'"));
    assert!(message("m = MLP(0, [4, 1])").contains("between 1 and"));
    assert!(message("parameters(3)").contains("needs a model"));
}

#[test]
fn closures_and_named_arguments() {
    assert_eq!(
        printed("fn scale(k) { fn times(x) = k * x; return times }\ndouble = scale(2)\nprint double(21)"),
        [Shown::Number(42.0)]
    );
    assert_eq!(
        printed("fn f(a, b) = a - b\nprint f(b=1, a=10), f(10, b=4)"),
        [Shown::Number(9.0), Shown::Number(6.0)]
    );
    assert!(
        run_err("fn f(a) = a\nf(b=1)")
            .message
            .contains("no parameter named 'b'")
    );
    assert_eq!(
        printed("fn fib(n) { if n < 2 { return n }; return fib(n - 1) + fib(n - 2) }\nprint fib(15)"),
        [Shown::Number(610.0)]
    );
}

#[test]
fn lists_join_with_plus() {
    assert_eq!(
        printed("xs = [1]; xs += [2, 3]; print len(xs), xs[2]"),
        [Shown::Number(3.0), Shown::Number(3.0)]
    );
    assert!(
        run_err("xs = [1] - [1]")
            .message
            .contains("cannot apply '-' to a list and a list")
    );
}

#[test]
fn remainder_and_mean() {
    assert_eq!(
        printed("print 7 % 3, -1 % 10, 7.5 % 2"),
        [Shown::Number(1.0), Shown::Number(9.0), Shown::Number(1.5)]
    );
    assert_eq!(run_err("print 1 % 0").message, "1 % 0 is not a finite number (nan)");
    // The exact remainder, as Python's: 1e17 is 100000000000000000, which leaves 1.
    assert_eq!(
        printed("print 1e17 % 3, 0.3 % 0.1"),
        [Shown::Number(1.0), Shown::Number(0.09999999999999998)]
    );
    let (session, _) = run_ok("a = 2; b = 4; m = mean([a, b, 6]); backward m");
    assert_eq!(node(&session, "m").0, 4.0);
    assert_eq!(node(&session, "a").1, 1.0 / 3.0);
}
