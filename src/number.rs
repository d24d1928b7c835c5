//! How mg writes numbers.
//!
//! Numbers print as the shortest text that reads back as the same `f64` (so a
//! printed value is correct to the last digit), without a trailing `.0` on whole
//! numbers (`-13`, not `-13.0`), and in exponent form when very large or small
//! (below 1e-4 or from 1e16 on, where Python's repr switches too).

/// Formats `x` for people: `-13`, `0.7071067811865476`, `1e-7`, `2.5e20`, `nan`, `inf`.
pub fn format_number(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    if x == 0.0 {
        // -0 is an artefact of IEEE arithmetic (0 * -1), not something a learner asked for.
        return "0".to_string();
    }
    let magnitude = x.abs();
    // Python's repr switches to exponents below 1e-4 and from 1e16 on; so do we.
    if (1e-4..1e16).contains(&magnitude) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// Formats a small error such as `|autograd - numeric|` with two significant digits
/// (`5e-11`, `3.2e-7`, `0.0012`): its last digits are rounding noise.
pub fn format_error(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return format_number(x);
    }
    let rounded: f64 = format!("{x:.1e}").parse().unwrap_or(x);
    format_number(rounded)
}

/// Formats `x` with at most `digits` decimals, trailing zeros dropped (`0.7071`, `-6`).
/// Used where a picture has little room (DOT labels use micrograd's `%.4f` instead).
pub fn format_short(x: f64, digits: usize) -> String {
    if !x.is_finite() || x == 0.0 {
        return format_number(x);
    }
    let text = format!("{x:.digits$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    if text == "-0" { "0".to_string() } else { text }
}

#[cfg(test)]
// The values under test are the lecture's printed digits, not approximations of constants.
#[allow(clippy::approx_constant, clippy::excessive_precision)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_back_exactly() {
        assert_eq!(format_number(-13.0), "-13");
        assert_eq!(format_number(0.7071067811865476), "0.7071067811865476");
        assert_eq!(format_number(6.8813735870195432), "6.881373587019543");
        assert_eq!(format_number(-0.0), "0");
        assert_eq!(format_number(1e-7), "1e-7");
        assert_eq!(format_number(2.5e20), "2.5e20");
        assert_eq!(format_number(0.001), "0.001");
        assert_eq!(format_number(f64::NAN), "nan");
        assert_eq!(format_number(f64::NEG_INFINITY), "-inf");
        assert_eq!(format_number(1e-5), "1e-5");
        assert_eq!(format_number(0.0001), "0.0001");
        for x in [0.1, 1.0 / 3.0, 123456.789, 9.999e15, 1.5e-5, -2.0e-9] {
            assert_eq!(format_number(x).parse::<f64>(), Ok(x));
        }
    }

    #[test]
    fn errors_keep_two_significant_digits() {
        assert_eq!(format_error(4.951061782776378e-11), "5e-11");
        assert_eq!(format_error(3.21e-7), "3.2e-7");
        assert_eq!(format_error(0.00123), "0.0012");
        assert_eq!(format_error(0.0), "0");
    }

    #[test]
    fn short_numbers_drop_trailing_zeros() {
        assert_eq!(format_short(0.70710678, 4), "0.7071");
        assert_eq!(format_short(-6.0, 4), "-6");
        assert_eq!(format_short(-0.00001, 4), "0");
    }
}
