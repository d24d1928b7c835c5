//! The data of the moons workload, the same in every implementation (mg,
//! micrograd, the engine, the tape): the two moons and the parameters' values,
//! with the same floating-point operations as moons.mg.in and moons.py. No
//! graph here, so the tape (benches/tape.rs) shares nothing with the engine.

#![allow(dead_code)] // each bench target uses a subset

/// The two moons of moons.mg.in: (X, Y), 100 points, labels -1 and +1.
pub fn moons_data() -> (Vec<[f64; 2]>, Vec<f64>) {
    let pi = std::f64::consts::PI; // the same f64 as the 3.141592653589793 of the mg and Python versions
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for k in 0..100 {
        let k = k as f64;
        let m = (k - k % 50.0) / 50.0;
        let t = pi * (k % 50.0) / 49.0;
        let px = (1.0 - m) * t.cos() + m * (1.0 - t.cos()) + 0.1 * (1.7 * k + 0.3).sin();
        let py = (1.0 - m) * t.sin() + m * (0.5 - t.sin()) + 0.1 * (2.3 * k + 0.7).cos();
        xs.push([px, py]);
        ys.push(2.0 * m - 1.0);
    }
    (xs, ys)
}

/// The value of the j-th parameter (micrograd's order, from 0), set by one
/// formula instead of either RNG: `((j + 1) * 0.7548776662466927) % 1 * 2 - 1`.
pub fn parameter(j: usize) -> f64 {
    let a = (j + 1) as f64 * 0.7548776662466927;
    (a - a.floor()) * 2.0 - 1.0
}

/// The layer sizes of the moons model, micrograd's `MLP(2, [16, 16, 1])`.
pub const MOONS_INPUTS: usize = 2;
pub const MOONS_SIZES: [usize; 3] = [16, 16, 1];

/// The median of some timings.
pub fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}
