//! The operations of the graph and their arithmetic: the forward value of each
//! op on plain numbers and its local derivatives.
//!
//! Both are free functions on `f64`s so that the graph's backward pass and the
//! finite-difference check share one definition of every op.

/// What a node computes from its inputs.
///
/// Architecture Invariant: `Op` is one byte, because every node of the arena
/// stores one and a node must stay within 32 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Op {
    /// A value given from outside: a constant or a parameter. No inputs.
    Leaf,
    Add,
    Sub,
    Mul,
    Div,
    /// `x % y` with Python's sign convention (the result has the sign of `y`),
    /// differentiable as `torch.remainder`: d/dx = 1, d/dy = -floor(x / y).
    Rem,
    Pow,
    Neg,
    Tanh,
    Exp,
    Log,
    Relu,
    Sigmoid,
    Sqrt,
    Abs,
    Sin,
    Cos,
    Max,
    Min,
}

impl Op {
    /// Every op, in declaration order.
    pub const ALL: [Op; 19] = [
        Op::Leaf,
        Op::Add,
        Op::Sub,
        Op::Mul,
        Op::Div,
        Op::Rem,
        Op::Pow,
        Op::Neg,
        Op::Tanh,
        Op::Exp,
        Op::Log,
        Op::Relu,
        Op::Sigmoid,
        Op::Sqrt,
        Op::Abs,
        Op::Sin,
        Op::Cos,
        Op::Max,
        Op::Min,
    ];

    /// How many inputs a node with this op has.
    pub fn arity(self) -> usize {
        match self {
            Op::Leaf => 0,
            Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Rem | Op::Pow | Op::Max | Op::Min => 2,
            Op::Neg
            | Op::Tanh
            | Op::Exp
            | Op::Log
            | Op::Relu
            | Op::Sigmoid
            | Op::Sqrt
            | Op::Abs
            | Op::Sin
            | Op::Cos => 1,
        }
    }

    /// The operator for infix ops, the function name for the others, and ""
    /// for a leaf.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Leaf => "",
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::Div => "/",
            Op::Rem => "%",
            Op::Pow => "**",
            Op::Neg => "neg",
            Op::Tanh => "tanh",
            Op::Exp => "exp",
            Op::Log => "log",
            Op::Relu => "relu",
            Op::Sigmoid => "sigmoid",
            Op::Sqrt => "sqrt",
            Op::Abs => "abs",
            Op::Sin => "sin",
            Op::Cos => "cos",
            Op::Max => "max",
            Op::Min => "min",
        }
    }

    /// Whether the op is written between its operands (`a + b`) rather than as
    /// a function call (`max(a, b)`).
    pub fn is_infix(self) -> bool {
        matches!(self, Op::Add | Op::Sub | Op::Mul | Op::Div | Op::Rem | Op::Pow)
    }

    /// How an error names input `which` of a two-input op: `base` and
    /// `exponent` for `**`, `left operand` and `right operand` for the other
    /// infix ops, `first argument` and `second argument` for max and min.
    pub fn operand_name(self, which: usize) -> &'static str {
        match (self, which) {
            (Op::Pow, 0) => "base",
            (Op::Pow, _) => "exponent",
            (op, 0) if op.is_infix() => "left operand",
            (op, _) if op.is_infix() => "right operand",
            (_, 0) => "first argument",
            (_, _) => "second argument",
        }
    }

    /// Whether the op is not differentiable everywhere: its derivative jumps
    /// where the input crosses zero (relu, abs) or the operands tie (max, min),
    /// or the op itself jumps where `x / y` crosses a whole number (`%`).
    pub(super) fn has_kink(self) -> bool {
        matches!(self, Op::Relu | Op::Abs | Op::Max | Op::Min | Op::Rem)
    }
}

/// The forward value of `op` on plain numbers (`y` ignored for unary ops). No
/// error checking: a result may be NaN or infinite. A leaf returns `x`.
pub fn forward(op: Op, x: f64, y: f64) -> f64 {
    match op {
        Op::Leaf => x,
        Op::Add => x + y,
        Op::Sub => x - y,
        Op::Mul => x * y,
        Op::Div => x / y,
        Op::Rem => remainder(x, y),
        Op::Pow => x.powf(y),
        Op::Neg => -x,
        Op::Tanh => tanh(x),
        Op::Exp => x.exp(),
        Op::Log => x.ln(),
        // `x > 0` so that relu(-0) is +0: micrograd's `0 if x < 0 else x` keeps
        // the -0, which would print as "-0".
        Op::Relu => {
            if x > 0.0 {
                x
            } else {
                0.0
            }
        }
        Op::Sigmoid => 1.0 / (1.0 + (-x).exp()),
        Op::Sqrt => x.sqrt(),
        Op::Abs => x.abs(),
        Op::Sin => x.sin(),
        Op::Cos => x.cos(),
        Op::Max => x.max(y),
        Op::Min => x.min(y),
    }
}

/// `x % y` as Python computes it for floats: the exact remainder of
/// `x / y` truncated (`fmod`), moved into `y`'s sign, so `-1 % 10 == 9`.
/// NaN when `y` is 0.
fn remainder(x: f64, y: f64) -> f64 {
    let r = x % y;
    if r == 0.0 {
        // Python gives the zero `y`'s sign: 0.0 % -5 == -0.0.
        0f64.copysign(y)
    } else if (r < 0.0) != (y < 0.0) {
        r + y
    } else {
        r
    }
}

/// The whole number `q` with `x == q * y + (x % y)`: `floor(x / y)`, taken
/// from the remainder `out` so that it agrees with it even where `x / y`
/// rounds up to a whole number.
fn quotient(x: f64, y: f64, out: f64) -> f64 {
    ((x - out) / y).round()
}

/// Which smooth piece of an op with a kink the inputs fall on: the side of 0
/// for relu and abs, which operand wins for max and min, the quotient for `%`
/// (0 for any other op). Two points on the same piece are joined by a path
/// on which the op is differentiable, so a central difference between them
/// means something.
pub(super) fn piece(op: Op, x: f64, y: f64, out: f64) -> f64 {
    let side = |a: f64, b: f64| {
        if a > b {
            1.0
        } else if a < b {
            -1.0
        } else {
            0.0
        }
    };
    match op {
        Op::Relu | Op::Abs => side(x, 0.0),
        Op::Max | Op::Min => side(x, y),
        Op::Rem => quotient(x, y, out),
        _ => 0.0,
    }
}

/// tanh exactly as micrograd computes it, so that values match the lecture to
/// the last digit (`f64::tanh` differs in the last place for some inputs).
fn tanh(x: f64) -> f64 {
    // Past x = 20, exp(2x) exceeds 2^53, so exp(2x) - 1 and exp(2x) + 1 round to
    // the same number and the formula gives exactly 1.0; past about 354 it would
    // give inf / inf = NaN instead. Returning 1.0 early keeps the formula's
    // values and drops its overflow.
    if x > 20.0 {
        return 1.0;
    }
    let e = (2.0 * x).exp();
    (e - 1.0) / (e + 1.0)
}

/// The local derivatives of a node with `op`, inputs `x` and `y` and value
/// `out`: d out / d x and d out / d y (0 for a missing input).
///
/// These are micrograd's `_backward` closures, evaluated from current data at
/// backward time.
#[inline(always)]
pub(super) fn local_derivatives(op: Op, x: f64, y: f64, out: f64) -> (f64, f64) {
    match op {
        Op::Leaf => (0.0, 0.0),
        Op::Add => (1.0, 1.0),
        Op::Sub => (1.0, -1.0),
        Op::Mul => (y, x),
        Op::Div => (1.0 / y, -x / (y * y)),
        // torch.remainder's derivative: the remainder moves with x one for one,
        // and falls by the quotient as y grows.
        Op::Rem => (1.0, -quotient(x, y, out)),
        Op::Pow => {
            // With y == 0 the function is constant 1 in x; the formula would give
            // 0 * inf = NaN at x == 0.
            let dx = if y == 0.0 { 0.0 } else { y * x.powf(y - 1.0) };
            // x^y = exp(y ln x) has no real derivative in y for a negative base.
            let dy = if x > 0.0 {
                out * x.ln()
            } else if x == 0.0 {
                0.0
            } else {
                f64::NAN
            };
            (dx, dy)
        }
        Op::Neg => (-1.0, 0.0),
        Op::Tanh => (1.0 - out * out, 0.0),
        Op::Exp => (out, 0.0),
        Op::Log => (1.0 / x, 0.0),
        Op::Relu => (if out > 0.0 { 1.0 } else { 0.0 }, 0.0),
        Op::Sigmoid => (out * (1.0 - out), 0.0),
        Op::Sqrt => (0.5 / out, 0.0),
        Op::Abs => {
            let sign = if x > 0.0 {
                1.0
            } else if x < 0.0 {
                -1.0
            } else {
                0.0
            };
            (sign, 0.0)
        }
        Op::Sin => (x.cos(), 0.0),
        Op::Cos => (-x.sin(), 0.0),
        // On a tie the gradient is split evenly, as PyTorch's `maximum` does.
        Op::Max => {
            if x > y {
                (1.0, 0.0)
            } else if x < y {
                (0.0, 1.0)
            } else {
                (0.5, 0.5)
            }
        }
        Op::Min => {
            if x < y {
                (1.0, 0.0)
            } else if x > y {
                (0.0, 1.0)
            } else {
                (0.5, 0.5)
            }
        }
    }
}
