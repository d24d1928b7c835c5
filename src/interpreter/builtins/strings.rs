//! Text: `str(x)`, `round(x, n)`, and what an f-string's `{x:.4f}` makes of a value.

use super::super::{Exec, Host, RuntimeError, Session};
use crate::ast::{Align, FormatKind, FormatPart, FormatSpec};
use crate::number::format_number;
use crate::value::Value;

impl Session {
    /// `f"loss {loss.data:.4f} at step {k}"`
    pub(in crate::interpreter) fn eval_format(&mut self, parts: &[FormatPart], host: &mut dyn Host) -> Exec<Value> {
        let mut text = String::new();
        for part in parts {
            match part {
                FormatPart::Text(literal) => text.push_str(literal),
                FormatPart::Value { expr, spec } => {
                    let value = self.eval(expr, host)?;
                    match spec {
                        None => text.push_str(&self.describe(&value)),
                        Some(spec) => text.push_str(&self.format_with(&value, spec)?),
                    }
                }
            }
        }
        Ok(Value::str(text))
    }

    /// A value shown by a format specification (Python's rules, for the parts mg has).
    fn format_with(&self, value: &Value, spec: &FormatSpec) -> Result<String, RuntimeError> {
        let Some(x) = self.number(value) else {
            if spec.kind.is_some() || spec.sign.is_some() || spec.zero_pad {
                return Err(RuntimeError::Type {
                    message: format!(
                        "the format ':{}' is for numbers, but the value is {}",
                        spec.text,
                        value.kind_name()
                    ),
                    span: spec.span,
                    help: Some("for text, give only a width and an alignment, e.g. {name:>10}".to_string()),
                });
            }
            return Ok(pad(&self.describe(value), spec, Align::Left));
        };
        let digits = match spec.kind {
            None => format_number(x.abs()),
            Some(FormatKind::Fixed) => format!("{:.*}", spec.precision.unwrap_or(6), x.abs()),
            Some(FormatKind::Exponent) => scientific(x.abs(), spec.precision.unwrap_or(6)),
            Some(FormatKind::General) => general(x.abs(), spec.precision.unwrap_or(6)),
            Some(FormatKind::Percent) => format!("{:.*}%", spec.precision.unwrap_or(6), x.abs() * 100.0),
            Some(FormatKind::Whole) if x.fract() == 0.0 => format!("{:.0}", x.abs()),
            Some(FormatKind::Whole) => {
                return Err(RuntimeError::Type {
                    message: format!(
                        "the format ':{}' is for whole numbers, but the value is {}",
                        spec.text,
                        format_number(x)
                    ),
                    span: spec.span,
                    help: Some("round it first, {round(x):d}, or show decimals with {x:.2f}".to_string()),
                });
            }
        };
        // As in Python, a negative number keeps its sign even when its digits round to 0.
        let sign = match (x.is_sign_negative(), spec.sign) {
            (true, _) => "-",
            (false, Some('+')) => "+",
            (false, Some(' ')) => " ",
            (false, _) => "",
        };
        if spec.zero_pad && spec.align.is_none() {
            // `{x:08.3f}`: zeros between the sign and the digits.
            let width = spec.width.saturating_sub(sign.chars().count());
            let zeros = width.saturating_sub(digits.chars().count());
            return Ok(format!("{sign}{}{digits}", "0".repeat(zeros)));
        }
        Ok(pad(&format!("{sign}{digits}"), spec, Align::Right))
    }

    /// `str(x)`: a value as `print` shows it, as a string.
    pub(super) fn str_of(&self, value: &Value) -> Value {
        match value {
            Value::Str(_) => value.clone(),
            other => Value::str(self.describe(other)),
        }
    }
}

/// `text` padded to the spec's width, aligned as it says or as `default`.
fn pad(text: &str, spec: &FormatSpec, default: Align) -> String {
    let len = text.chars().count();
    if len >= spec.width {
        return text.to_string();
    }
    let room = spec.width - len;
    let fill = |n: usize| spec.fill.to_string().repeat(n);
    match spec.align.unwrap_or(default) {
        Align::Left => format!("{text}{}", fill(room)),
        Align::Right => format!("{}{text}", fill(room)),
        Align::Center => format!("{}{text}{}", fill(room / 2), fill(room - room / 2)),
    }
}

/// Python's `e` format of a non-negative number: `1.235e+03`, `1.000e-07`.
pub(crate) fn scientific(x: f64, precision: usize) -> String {
    let text = format!("{x:.precision$e}");
    match text.split_once('e') {
        Some((mantissa, exponent)) => with_exponent(mantissa, exponent),
        None => text,
    }
}

/// `mantissa` and Rust's exponent (`-7`) joined as Python writes them (`e-07`).
fn with_exponent(mantissa: &str, exponent: &str) -> String {
    let (sign, digits) = match exponent.strip_prefix('-') {
        Some(digits) => ('-', digits),
        None => ('+', exponent),
    };
    format!("{mantissa}e{sign}{digits:0>2}")
}

/// Python's `g` format of a non-negative number: `precision` significant digits, in
/// fixed point when the exponent is from -4 to below `precision`, else scientific,
/// without trailing zeros.
pub(crate) fn general(x: f64, precision: usize) -> String {
    let precision = precision.max(1);
    if x == 0.0 {
        return "0".to_string();
    }
    let rounded = format!("{:.*e}", precision - 1, x);
    let Some((mantissa, exponent)) = rounded.split_once('e') else {
        return rounded;
    };
    let exponent: i64 = exponent.parse().unwrap_or(0);
    if (-4..precision as i64).contains(&exponent) {
        let decimals = (precision as i64 - 1 - exponent).max(0) as usize;
        trim_zeros(&format!("{x:.decimals$}")).to_string()
    } else {
        with_exponent(trim_zeros(mantissa), &exponent.to_string())
    }
}

/// `1.500` → `1.5`, `2.000` → `2`; text without a point stays.
fn trim_zeros(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

/// `round(x, n)` as Python computes it: `x` rounded to `n` decimals (to tens,
/// hundreds, … when `n` is negative), ties to even, from the exact value of `x`.
pub(crate) fn round_to(x: f64, n: i64) -> f64 {
    if n >= 0 {
        // Beyond 330 decimals no f64 changes; Rust prints the exact value rounded half to even.
        if n > 330 {
            return x;
        }
        return format!("{x:.*}", n as usize).parse().unwrap_or(x);
    }
    if n < -308 {
        return 0.0 * x;
    }
    // The multiple of m = 10^-n nearest x: decide against the midpoint exactly (mul_add
    // rounds once, so its sign is that of the exact difference).
    let m = 10f64.powi((-n) as i32);
    let mut low = (x / m).floor();
    if low.mul_add(m, -x) > 0.0 {
        low -= 1.0;
    }
    if (low + 1.0).mul_add(m, -x) <= 0.0 {
        low += 1.0;
    }
    let above_midpoint = (low + 0.5).mul_add(m, -x);
    let chosen = if above_midpoint > 0.0 || (above_midpoint == 0.0 && low.rem_euclid(2.0) == 0.0) {
        low
    } else {
        low + 1.0
    };
    chosen * m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_agree_with_python() {
        // Each expected text is what Python 3 prints for format(x, spec).
        assert_eq!(scientific(1e-7, 3), "1.000e-07");
        assert_eq!(scientific(12345.0, 2), "1.23e+04");
        assert_eq!(scientific(0.0, 2), "0.00e+00");
        assert_eq!(scientific(1e300, 1), "1.0e+300");
        assert_eq!(general(123456.0, 6), "123456");
        assert_eq!(general(1234567.0, 6), "1.23457e+06");
        assert_eq!(general(0.1, 6), "0.1");
        assert_eq!(general(1e20, 3), "1e+20");
        assert_eq!(general(0.00001234, 3), "1.23e-05");
        assert_eq!(general(0.0001234, 3), "0.000123");
        assert_eq!(general(100.0, 3), "100");
        assert_eq!(general(2.5, 1), "2");
        assert_eq!(general(0.0, 4), "0");
    }

    #[test]
    fn rounding_agrees_with_python() {
        // round(2.675, 2) is 2.67: 2.675 is a little below that in binary.
        for (x, n, expected) in [
            (2.675, 2, 2.67),
            (0.5, 0, 0.0),
            (1.5, 0, 2.0),
            (2.5, 0, 2.0),
            (-0.5, 0, -0.0),
            (1.25, 1, 1.2),
            (0.125, 2, 0.12),
            (1250.0, -2, 1200.0),
            (1350.0, -2, 1400.0),
            (1250.0000001, -2, 1300.0),
            (-1250.0, -2, -1200.0),
            (123.456, -1, 120.0),
            (0.1 + 0.2, 10, 0.3),
            (1e300, -400, 0.0),
        ] {
            assert_eq!(round_to(x, n), expected, "round({x}, {n})");
        }
    }
}
