//! The numbers each script under examples/ prints, checked from outside.
//! (scripts.rs already runs every example and fails on an error or a failed
//! `check`; the examples also `assert` their own results.)

// The expected values are printed digits, not approximations of constants.
#![allow(clippy::approx_constant, clippy::excessive_precision)]

use mgrad::interpreter::Session;
use mgrad::output::{Output, Shown};
use mgrad::value::Value;

use super::{Collect, node, on_big_stack, run_ok};

/// Runs `examples/{name}` on a big stack and hands the session and its
/// outputs to `inspect` (the session is not `Send`, so it stays on that thread).
fn run_example<T: Send + 'static>(name: &str, inspect: impl FnOnce(&Session, &Collect) -> T + Send + 'static) -> T {
    let path = format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    on_big_stack(move || {
        let (session, host) = run_ok(&source);
        assert_eq!(session.failed_checks(), 0, "a check failed in {path}");
        inspect(&session, &host)
    })
}

/// The value lists of every `print` and bare expression, in order.
fn printed(host: &Collect) -> Vec<Vec<Shown>> {
    host.outputs
        .iter()
        .filter_map(|output| match output {
            Output::Print(p) => Some(p.values.clone()),
            _ => None,
        })
        .collect()
}

/// The printed lines that start with the string `first`.
fn lines_starting(host: &Collect, first: &str) -> Vec<Vec<Shown>> {
    printed(host)
        .into_iter()
        .filter(|values| matches!(values.first(), Some(Shown::Str(s)) if s == first))
        .collect()
}

fn number(shown: &Shown) -> f64 {
    match shown {
        Shown::Number(x) => *x,
        other => panic!("not a number: {other:?}"),
    }
}

/// Data of `name`: a node (assigning a number makes a leaf node) or a plain number.
#[track_caller]
fn data(session: &Session, name: &str) -> f64 {
    match session.get(name) {
        Some(Value::Num(x)) => *x,
        _ => node(session, name).0,
    }
}

#[track_caller]
fn close(actual: f64, expected: f64, rel: f64) {
    assert!(
        (actual - expected).abs() <= rel * expected.abs().max(1.0),
        "{actual} is not within {rel} (relative) of {expected}"
    );
}

#[test]
fn derivative_by_nudging() {
    let (lines, d1, best_h) = run_example("01_derivative.mg", |s, h| {
        (printed(h), data(s, "d1"), data(s, "best_h"))
    });
    // Shrinking h tenfold from 0.1, the slope at 3 is closest to 14 at h = 1e-8;
    // below that, rounding costs more than curvature.
    close(best_h, 1e-8, 1e-12);
    // f(3) = 20, and the slope with h = 0.001 is 14.003 (6x - 4 = 14, plus 3h).
    assert_eq!(lines[0], vec![Shown::Str("f(3) =".into()), Shown::Number(20.0)]);
    close(number(&lines[1][1]), 14.003, 1e-12);
    assert_eq!(d1, 4.0);
    // dd/da = b = -3, dd/db = a = 2, dd/dc = 1.
    let slopes = &lines.iter().find(|l| l[0] == Shown::Str("dd/da".into())).unwrap();
    close(number(&slopes[1]), -3.0, 1e-9);
    close(number(&slopes[3]), 2.0, 1e-9);
    close(number(&slopes[5]), 1.0, 1e-9);
}

#[test]
fn manual_backprop_matches_autograd() {
    let (grads, l) = run_example("02_manual_backprop.mg", |s, _| {
        let grads: Vec<f64> = ["a", "b", "c", "d", "e", "f"].iter().map(|n| node(s, n).1).collect();
        (grads, node(s, "L").0)
    });
    // a, b, c, f are the leaves nudged by 0.01 * grad; d and e were rebuilt, so
    // their grads are 0 — only the leaves keep the values set by `grad L`.
    assert_eq!(&grads[..3], &[6.0, -4.0, -2.0]);
    assert_eq!(grads[5], 4.0);
    assert_eq!(&grads[3..5], &[0.0, 0.0]);
    assert_eq!(l, -7.286496);
}

#[test]
fn neuron_gradients() {
    let (o, o2, grads, n_grad) = run_example("03_neuron.mg", |s, _| {
        let grads: Vec<f64> = ["x1", "w1", "x2", "w2", "b"].iter().map(|n| node(s, n).1).collect();
        (node(s, "o").0, node(s, "o2").0, grads, node(s, "n").1)
    });
    assert_eq!(o, 0.7071067811865476);
    close(o2, 0.7071067811865476, 1e-15);
    // The last `grad` was of the exp form: the same gradients as tanh's.
    let expected = [-1.5, 1.0, 0.5, 0.0, 0.5];
    for (g, e) in grads.iter().zip(expected) {
        close(*g, e, 1e-12);
    }
    assert_eq!(grads[3], 0.0);
    close(n_grad, 0.5, 1e-15);
}

#[test]
fn multiple_paths_accumulate() {
    let (a, b, first) = run_example("04_multiple_paths.mg", |s, h| {
        (node(s, "a").1, node(s, "b").1, printed(h)[0].clone())
    });
    // b = a + a gives a.grad = 2 (printed first); f = (a*b)*(a+b) gives -3 and -8.
    assert_eq!(number(&first[1]), 2.0);
    assert_eq!((a, b), (-3.0, -8.0));
}

#[test]
fn zero_grad_trains_better() {
    let (lines, good, bad) = run_example("05_zero_grad.mg", |s, h| {
        (printed(h), node(s, "loss_good").0, node(s, "loss_bad").0)
    });
    // x.grad: 6 after one backward, 12 after two, 6 after zero_grad.
    let x_grads: Vec<f64> = lines[..3].iter().map(|l| number(&l[1])).collect();
    assert_eq!(x_grads, vec![6.0, 12.0, 6.0]);
    close(good, 0.0010489978200895356, 1e-6);
    close(bad, 0.13798642863628616, 1e-6);
    assert!(good < 0.01 && bad > 10.0 * good);
}

#[test]
fn mlp_trains_below_001() {
    let (losses, loss, steps, ypred_line) = run_example("06_train_mlp.mg", |s, h| {
        let losses: Vec<f64> = lines_starting(h, "step").iter().map(|l| number(&l[3])).collect();
        let ypred = printed(h).last().unwrap().clone();
        (losses, node(s, "loss").0, data(s, "steps"), ypred)
    });
    // Printed every 10 steps, falling all the way.
    close(losses[0], 6.484834087158339, 1e-9);
    assert!(losses.windows(2).all(|w| w[1] < w[0]), "{losses:?}");
    assert!(loss < 0.01);
    close(loss, 0.009945870611093808, 1e-6);
    assert_eq!(steps, 68.0);
    let Shown::List(preds) = &ypred_line[1] else {
        panic!("predictions not a list: {ypred_line:?}")
    };
    let preds: Vec<f64> = preds.iter().map(number).collect();
    for (p, target) in preds.iter().zip([1.0, -1.0, -1.0, 1.0]) {
        assert!((p - target).abs() < 0.1, "{preds:?}");
    }
}

#[test]
fn moons_reaches_full_accuracy() {
    // The whole 100-step run: about 3 s in a debug build.
    let (progress, loss, accuracy) = run_example("moons.mg", |s, h| {
        let progress: Vec<(f64, f64, f64)> = lines_starting(h, "step")
            .iter()
            .map(|l| (number(&l[1]), number(&l[3]), number(&l[5])))
            .collect();
        (progress, node(s, "loss").0, data(s, "accuracy"))
    });
    let steps: Vec<f64> = progress.iter().map(|p| p.0).collect();
    assert_eq!(steps, (0..10).map(|k| f64::from(k * 10)).collect::<Vec<_>>());
    // Starts at chance (0.5) with a loss above 2, ends at 100%.
    assert_eq!(progress[0].2, 0.5);
    close(progress[0].1, 2.1633380852114876, 1e-9);
    assert!(progress.last().unwrap().1 < 0.05);
    assert_eq!(accuracy, 1.0);
    close(loss, 0.018580537705075416, 1e-6);
}
