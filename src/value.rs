//! The values of mg.

use std::rc::Rc;

use crate::ast::FnDef;
use crate::graph::NodeId;

/// A value a name can be bound to.
///
/// Scalars live in the graph as [`Value::Node`]s. A [`Value::Num`] is a plain
/// number that is not in the graph yet: a literal, a `.data` read, a loop counter.
/// It becomes an unlabelled constant leaf the moment it meets a node in an
/// operation, or a labelled leaf when assigned to a name — so what the user sees
/// is SPEC §3's "every scalar is a node", without a node per loop counter.
#[derive(Clone, Debug)]
pub enum Value {
    Num(f64),
    Node(NodeId),
    Bool(bool),
    Str(Rc<str>),
    /// Lists have value semantics: `xs[0] = 1` changes `xs` only (copy on write).
    List(Rc<Vec<Value>>),
    Function(Rc<FnDef>),
    Builtin(Builtin),
    /// What a function without `return` gives back.
    None,
}

impl Value {
    /// What the value is, as error messages say it: "a number", "a list", …
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Num(_) | Value::Node(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Str(_) => "a string",
            Value::List(_) => "a list",
            Value::Function(_) | Value::Builtin(_) => "a function",
            Value::None => "nothing",
        }
    }

    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(items))
    }
}

/// Functions written in Rust.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    /// A one-input graph operation: `tanh`, `exp`, …
    Unary(crate::graph::Op),
    /// A two-input graph operation: `pow`, `max`, `min`.
    Binary(crate::graph::Op),
    Len,
    Sum,
    Zip,
    Range,
    Uniform,
}

impl Builtin {
    pub fn lookup(name: &str) -> Option<Builtin> {
        use crate::graph::Op;
        let builtin = match name {
            "tanh" => Builtin::Unary(Op::Tanh),
            "exp" => Builtin::Unary(Op::Exp),
            "log" => Builtin::Unary(Op::Log),
            "relu" => Builtin::Unary(Op::Relu),
            "sigmoid" => Builtin::Unary(Op::Sigmoid),
            "sqrt" => Builtin::Unary(Op::Sqrt),
            "abs" => Builtin::Unary(Op::Abs),
            "sin" => Builtin::Unary(Op::Sin),
            "cos" => Builtin::Unary(Op::Cos),
            "pow" => Builtin::Binary(Op::Pow),
            "max" => Builtin::Binary(Op::Max),
            "min" => Builtin::Binary(Op::Min),
            "len" => Builtin::Len,
            "sum" => Builtin::Sum,
            "zip" => Builtin::Zip,
            "range" => Builtin::Range,
            "uniform" => Builtin::Uniform,
            _ => return None,
        };
        Some(builtin)
    }

    pub fn name(self) -> &'static str {
        match self {
            Builtin::Unary(op) | Builtin::Binary(op) => op.symbol(),
            Builtin::Len => "len",
            Builtin::Sum => "sum",
            Builtin::Zip => "zip",
            Builtin::Range => "range",
            Builtin::Uniform => "uniform",
        }
    }
}

/// The seeded random generator behind `uniform` (SplitMix64: tiny, and the same
/// numbers on every machine).
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// The seed a session starts with, so a script without `seed` still repeats exactly.
    pub const DEFAULT_SEED: u64 = 1337;

    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number drawn uniformly from `[lo, hi)`.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * unit
    }
}
