//! The numbers the seed notebooks (../shared/seeds) print, reproduced in mg.
//! Expected values come from running the notebooks' micrograd code in Python.

// The expected values are the notebooks' printed digits, not approximations of constants.
#![allow(clippy::approx_constant, clippy::excessive_precision)]

use super::{check_grads, node, run_ok};
use mgrad::output::Output;

#[test]
fn square_minus_itself() {
    // 000: a = Value(-6); b = a**2 - a; b.backward() → (-13, 1)
    check_grads("a = -6; b = a**2 - a; backward b", &[("a", -13.0), ("b", 1.0)]);
}

#[test]
fn negated_product_squared() {
    // 000: c = a * -b; d = c ** 2; e = d - c → (39, 26, -13, 1, 1)
    check_grads(
        "a = 2; b = 3; c = a * -b; d = c ** 2; e = d - c; backward e",
        &[("a", 39.0), ("b", 26.0), ("c", -13.0), ("d", 1.0), ("e", 1.0)],
    );
}

const LECTURE: &str = "a = 2.0; b = -3.0; c = 10.0; e = a*b; d = e + c; f = -2.0; L = d*f\n";

#[test]
fn lecture_graph_grads() {
    check_grads(
        &format!("{LECTURE}grad L"),
        &[
            ("L", 1.0),
            ("f", 4.0),
            ("d", -2.0),
            ("e", -2.0),
            ("c", -2.0),
            ("b", -4.0),
            ("a", 6.0),
        ],
    );
}

#[test]
fn lecture_grad_table_lists_labelled_nodes_target_first() {
    let (_, host) = run_ok(&format!("{LECTURE}grad L"));
    let Some(Output::Grad(table)) = host.outputs.last() else {
        panic!("no grad table")
    };
    let labels: Vec<&str> = table.nodes.iter().map(|row| row.label.as_str()).collect();
    assert_eq!(labels[0], "L");
    let mut sorted = labels.clone();
    sorted.sort();
    assert_eq!(sorted, ["L", "a", "b", "c", "d", "e", "f"]);
    assert_eq!(table.nodes[0].data, -8.0);
}

#[test]
fn lecture_manual_backprop_then_nudge() {
    // 004: set grads by hand, nudge data along them, rebuild: L rises to -7.286496.
    let source = format!(
        "{LECTURE}L.grad = 1; d.grad = -2; f.grad = 4; c.grad = -2; e.grad = -2; a.grad = 6; b.grad = -4
a.data += 0.01 * a.grad; b.data += 0.01 * b.grad; c.data += 0.01 * c.grad; f.data += 0.01 * f.grad
e = a*b; d = e + c; L = d * f"
    );
    let (session, _) = run_ok(&source);
    assert_eq!(node(&session, "L").0, -7.286496);
}

#[test]
fn lecture_numerical_slope() {
    // 001: nudging f by h = 0.001 changes L at the rate 3.9999999999995595.
    let (session, _) = run_ok(&format!(
        "{LECTURE}h = 0.001; L1 = L.data\nf2 = -2.0 + h; L2 = (a*b + c) * f2\nslope = (L2 - L1) / h"
    ));
    assert_eq!(node(&session, "slope").0, 3.9999999999995595);
}

#[test]
fn derivative_of_a_parabola_by_nudging() {
    // 004: f(x) = 3x² - 4x + 5; (f(3 + h) - f(3)) / h = 14.00300000000243
    let (session, _) = run_ok("fn f(x) = 3*x**2 - 4*x + 5\nh = 0.001\ny = f(3.0)\nslope = (f(3.0 + h) - f(3.0)) / h");
    assert_eq!(node(&session, "y").0, 20.0);
    assert_eq!(node(&session, "slope").0, 14.00300000000243);
}

#[test]
fn slope_with_respect_to_c() {
    // 004: d1 = a*b + c; c += h; d2 = a*b + c → 4, 4.0009999999999994, slope 0.9999999999994458
    let (session, _) =
        run_ok("h = 0.001; a = 2.0; b = -3.0; c = 10.0\nd1 = a*b + c\nc += h\nd2 = a*b + c\nslope = (d2 - d1)/h");
    assert_eq!(node(&session, "d2").0, 4.0009999999999994);
    assert_eq!(node(&session, "slope").0, 0.9999999999994458);
}

const NEURON: &str = "x1 = 2.0; x2 = 0.0; w1 = -3.0; w2 = 1.0; b = 6.8813735870195432
x1w1 = x1*w1; x2w2 = x2*w2; x1w1x2w2 = x1w1 + x2w2; n = x1w1x2w2 + b\n";

#[test]
fn tanh_neuron() {
    let (session, _) = run_ok(&format!("{NEURON}o = tanh(n); grad o"));
    assert_eq!(node(&session, "n").0, 0.8813735870195432);
    assert_eq!(node(&session, "o").0, 0.7071067811865476);
    // micrograd prints these (1 - t² in floating point is 0.4999999999999999).
    for (name, grad) in [
        ("n", 0.4999999999999999),
        ("x1", -1.4999999999999996),
        ("w1", 0.9999999999999998),
        ("x2", 0.4999999999999999),
        ("w2", 0.0),
        ("b", 0.4999999999999999),
    ] {
        assert_eq!(node(&session, name).1, grad, "{name}.grad");
    }
}

#[test]
fn tanh_neuron_through_exp() {
    // micrograd divides as a * b**-1 and prints o = 0.7071067811865477, x1.grad = -1.5;
    // mg's '/' is one exact division, so o is the correctly rounded 0.7071067811865476.
    let (session, _) = run_ok(&format!("{NEURON}e = exp(2*n); o = (e - 1)/(e + 1); grad o"));
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-15;
    assert!(close(node(&session, "o").0, 0.7071067811865477));
    assert!(close(node(&session, "x1").1, -1.5));
    assert!(close(node(&session, "w1").1, 1.0));
    assert!(close(node(&session, "x2").1, 0.5));
    assert_eq!(node(&session, "w2").1, 0.0);
    assert!(close(node(&session, "b").1, 0.5));
}

#[test]
fn a_node_used_twice_accumulates() {
    // 002: b = a + a gives a.grad = 2, not 1.
    check_grads("a = 3.0; b = a + a; backward b", &[("a", 2.0)]);
}

#[test]
fn two_paths_accumulate() {
    // 002: d = a*b; e = a+b; f = d*e → a.grad = -3, b.grad = -8
    check_grads(
        "a = -2.0; b = 3.0; d = a * b; e = a + b; f = d * e; backward f",
        &[("a", -3.0), ("b", -8.0), ("d", 1.0), ("e", -6.0)],
    );
}

#[test]
fn shared_node_on_two_paths() {
    // 003: the notebook's buggy traversals printed 16 and 12; the true dd/da is 10.
    check_grads(
        "a = 2.0; b = a + a; c = a * b; d = c + b; backward d",
        &[("a", 10.0), ("b", 3.0)],
    );
}

#[test]
fn micrograd_sanity_check() {
    let (session, _) =
        run_ok("x = -4.0; z = 2 * x + 2 + x; q = relu(z) + z * x; h = relu(z * z); y = h + q + q * x; backward y");
    assert_eq!(node(&session, "y").0, -20.0);
    assert_eq!(node(&session, "x").1, 46.0);
}

#[test]
fn micrograd_more_ops() {
    let (session, _) = run_ok(
        "a = -4.0; b = 2.0; c = a + b; d = a * b + b**3
c += c + 1; c += 1 + c + (-a)
d += d * 2 + relu(b + a); d += 3 * d + relu(b - a)
e = c - d; f = e**2; g = f / 2.0; g += 10.0 / f
backward g",
    );
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-6;
    assert!(close(node(&session, "g").0, 24.70408163265306));
    assert!(close(node(&session, "a").1, 138.83381924198252));
    assert!(close(node(&session, "b").1, 645.5772594752186));
}

#[test]
fn repeated_backward_accumulates_like_micrograd() {
    check_grads(
        "a = 3; b = 4; c = a * b; backward c; backward c",
        &[("a", 8.0), ("b", 6.0), ("c", 1.0)],
    );
}

#[test]
fn grad_zeroes_before_propagating() {
    check_grads(
        "a = 3; b = 4; c = a * b; backward c; backward c; grad c",
        &[("a", 4.0), ("b", 3.0)],
    );
}

#[test]
fn zero_grad_then_backward() {
    check_grads(
        "a = 3; b = 4; c = a * b; backward c; zero_grad; backward c",
        &[("a", 4.0)],
    );
    check_grads(
        "a = 3; b = 4; c = a * b; backward c; zero_grad c; backward c",
        &[("a", 4.0)],
    );
}
