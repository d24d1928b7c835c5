//! The values of mg.

use std::rc::Rc;

use rustc_hash::FxHashMap;

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
    /// (An `Rc<Text>`, not an `Rc<str>`: a thin pointer keeps every `Value` at 16 bytes.)
    Str(Rc<Text>),
    /// Lists have value semantics: `xs[0] = 1` changes `xs` only (copy on write).
    List(Rc<Items>),
    Function(Rc<Function>),
    Builtin(Builtin),
    /// A `Neuron`, `Layer` or `MLP`; its parameters are nodes, shared by every name bound to it.
    Model(Rc<Model>),
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
            Value::Model(_) => "a model",
            Value::None => "nothing",
        }
    }

    /// A list of `items`, its memory charged to the thread's count (`limits::memory`)
    /// until it is dropped.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(Items::new(items)))
    }

    /// A string, its memory charged as a list's is.
    pub fn str(text: impl Into<String>) -> Value {
        Value::Str(Rc::new(Text::new(text.into())))
    }
}

/// The items of a list. A `Vec<Value>` (it derefs to one) that counts its memory
/// for the memory limit (`limits::memory`) and drops without recursion.
///
/// Architecture Invariant: no recursion over value nesting. A list can hold a list
/// that holds a list… as deep as a loop makes it (`for k in 0..3000000 { xs = [xs] }`),
/// and closures can capture closures as deep; dropping the outermost must not recurse
/// once per level, as the compiler's drop glue would. So the last reference to a
/// list (or to a closure's captured names) moves what it holds onto a heap stack and
/// drops it from there, one level at a time. (The `Drop` is on the items, not on
/// `Value`: a value is dropped at every step of evaluation, a list's items rarely.)
#[derive(Debug, Default)]
pub struct Items(Vec<Value>);

impl Items {
    pub fn new(items: Vec<Value>) -> Items {
        crate::limits::memory::charge(list_bytes(&items));
        Items(items)
    }
}

impl Items {
    /// Room for at least `more` items beyond the length, charged to the thread's
    /// count; `false` (nothing changed) if the allocator refuses. A list that grows
    /// in place (`xs.append(x)`) goes through here, so its count stays true.
    pub fn try_reserve(&mut self, more: usize) -> bool {
        let before = list_bytes(&self.0);
        if self.0.try_reserve(more).is_err() {
            return false;
        }
        crate::limits::memory::charge(list_bytes(&self.0) - before);
        true
    }
}

/// A string's text, charged to the thread's memory count while it lives (as a
/// list's [`Items`]): strings can double in a loop (`s = s + s`) as lists can.
#[derive(Debug, PartialEq, Eq)]
pub struct Text(String);

impl Text {
    pub fn new(text: String) -> Text {
        crate::limits::memory::charge(text.capacity());
        Text(text)
    }
}

impl std::ops::Deref for Text {
    type Target = String;
    fn deref(&self) -> &String {
        &self.0
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Drop for Text {
    fn drop(&mut self) {
        crate::limits::memory::release(self.0.capacity());
    }
}

impl Clone for Items {
    /// A copy (copy on write, `Rc::make_mut`) is charged like a new list.
    fn clone(&self) -> Items {
        Items::new(self.0.clone())
    }
}

impl std::ops::Deref for Items {
    type Target = Vec<Value>;
    fn deref(&self) -> &Vec<Value> {
        &self.0
    }
}

impl std::ops::DerefMut for Items {
    fn deref_mut(&mut self) -> &mut Vec<Value> {
        &mut self.0
    }
}

impl Drop for Items {
    fn drop(&mut self) {
        crate::limits::memory::release(list_bytes(&self.0));
        if self.0.iter().any(Value::can_nest) {
            let mut pending = std::mem::take(&mut self.0);
            while let Some(mut value) = pending.pop() {
                take_contents(&mut value, &mut pending);
                // `value` now holds nothing that recurses: dropping it is shallow.
            }
        }
    }
}

impl Drop for Function {
    fn drop(&mut self) {
        if let Some(captured) = self.captured.as_mut().and_then(Rc::get_mut) {
            let mut pending: Vec<Value> = captured.drain().map(|(_, value)| value).collect();
            while let Some(mut value) = pending.pop() {
                take_contents(&mut value, &mut pending);
            }
        }
    }
}

/// The bytes a list's items take (what `limits::memory` charges for it).
fn list_bytes(items: &Vec<Value>) -> usize {
    items.capacity() * std::mem::size_of::<Value>()
}

/// Moves out what `value` alone holds (the items of a list it is the last owner of,
/// or the captured names of such a closure) onto `pending`, leaving it shallow.
fn take_contents(value: &mut Value, pending: &mut Vec<Value>) {
    match value {
        Value::List(items) => {
            if let Some(items) = Rc::get_mut(items) {
                pending.append(&mut items.0);
            }
        }
        Value::Function(function) => {
            if let Some(function) = Rc::get_mut(function)
                && let Some(captured) = function.captured.as_mut().and_then(Rc::get_mut)
            {
                pending.extend(captured.drain().map(|(_, value)| value));
            }
        }
        _ => {}
    }
}

impl Value {
    /// Stores `value` here. The old value is dropped only if it holds something
    /// to drop (a number or a node, the usual, holds nothing): names are rebound
    /// at every step of a loop.
    #[inline]
    pub fn replace(&mut self, value: Value) {
        let old = std::mem::replace(self, value);
        if matches!(
            old,
            Value::Num(_) | Value::Node(_) | Value::Bool(_) | Value::Builtin(_) | Value::None
        ) {
            std::mem::forget(old);
        } else {
            drop(old);
        }
    }

    /// Whether dropping this value could drop other values holding more.
    #[inline]
    fn can_nest(&self) -> bool {
        matches!(self, Value::List(_) | Value::Function(_))
    }
}

/// Names bound to values: the globals, or one function call's locals.
/// (FxHash: name lookups are the interpreter's hottest path, and names are not adversarial.)
pub type Names = FxHashMap<String, Value>;

/// A user function, with the local names it could see where it was defined
/// (a function defined inside another one keeps the outer one's locals).
#[derive(Debug)]
pub struct Function {
    pub def: Rc<FnDef>,
    pub captured: Option<Rc<Names>>,
    /// The names its body binds, one slot each in a call's frame.
    pub(crate) locals: Rc<crate::interpreter::Locals>,
}

/// The non-linearity a neuron applies to `w·x + b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    Tanh,
    Relu,
    Linear,
}

impl Activation {
    pub fn parse(name: &str) -> Option<Activation> {
        match name {
            "tanh" => Some(Activation::Tanh),
            "relu" => Some(Activation::Relu),
            "linear" => Some(Activation::Linear),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::Linear => "linear",
        }
    }
}

/// micrograd's `Neuron`: `act(b + w[0]*x[0] + w[1]*x[1] + …)`.
#[derive(Clone, Debug)]
pub struct Neuron {
    pub weights: Vec<NodeId>,
    pub bias: NodeId,
    pub act: Activation,
}

/// micrograd's `Layer`: neurons side by side, all seeing the same inputs.
#[derive(Clone, Debug)]
pub struct Layer {
    pub neurons: Vec<Neuron>,
}

/// The models of SPEC §5, as in micrograd's nn.py and the lecture.
#[derive(Clone, Debug)]
pub enum Model {
    Neuron(Neuron),
    Layer(Layer),
    /// `act` is what the caller asked for: `tanh` puts tanh on every layer (the lecture),
    /// `relu` puts relu on hidden layers and none on the last (nn.py).
    Mlp {
        inputs: usize,
        layers: Vec<Layer>,
        act: Activation,
    },
}

impl Model {
    /// Weights then bias per neuron, neuron by neuron, layer by layer (micrograd's order).
    pub fn parameters(&self) -> Vec<NodeId> {
        let neuron = |n: &Neuron| {
            n.weights
                .iter()
                .copied()
                .chain(std::iter::once(n.bias))
                .collect::<Vec<_>>()
        };
        let layer = |l: &Layer| l.neurons.iter().flat_map(neuron).collect::<Vec<_>>();
        match self {
            Model::Neuron(n) => neuron(n),
            Model::Layer(l) => layer(l),
            Model::Mlp { layers, .. } => layers.iter().flat_map(layer).collect(),
        }
    }

    /// The call that would build this model: `MLP(3, [4, 4, 1])`.
    pub fn describe(&self) -> String {
        let act = |act: Activation| {
            if act == Activation::Tanh {
                String::new()
            } else {
                format!(", act=\"{}\"", act.name())
            }
        };
        match self {
            Model::Neuron(n) => format!("Neuron({}{})", n.weights.len(), act(n.act)),
            Model::Layer(l) => {
                let inputs = l.neurons.first().map_or(0, |n| n.weights.len());
                let layer_act = l.neurons.first().map_or(Activation::Tanh, |n| n.act);
                format!("Layer({inputs}, {}{})", l.neurons.len(), act(layer_act))
            }
            Model::Mlp {
                inputs,
                layers,
                act: mlp_act,
            } => {
                let sizes: Vec<String> = layers.iter().map(|l| l.neurons.len().to_string()).collect();
                format!("MLP({inputs}, [{}]{})", sizes.join(", "), act(*mlp_act))
            }
        }
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
    Mean,
    Neuron,
    Layer,
    Mlp,
    Parameters,
    /// `str(x)`: a value as text.
    Str,
    /// `round(x)` or `round(x, n)`: a plain number, rounded half to even as in Python.
    Round,
    /// `clock()`: seconds from the host's clock.
    Clock,
    /// `derivative(f, x)`: df/dx at x, by autograd, as a plain number.
    Derivative,
}

/// Names bound to numbers in every session, unless the program binds them itself
/// (`e = a * b` in the lecture simply shadows `e`).
pub const CONSTANTS: &[(&str, f64)] = &[("pi", std::f64::consts::PI), ("e", std::f64::consts::E)];

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
            "mean" => Builtin::Mean,
            "Neuron" => Builtin::Neuron,
            "Layer" => Builtin::Layer,
            "MLP" => Builtin::Mlp,
            "parameters" => Builtin::Parameters,
            "str" => Builtin::Str,
            "round" => Builtin::Round,
            "clock" => Builtin::Clock,
            "derivative" => Builtin::Derivative,
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
            Builtin::Mean => "mean",
            Builtin::Neuron => "Neuron",
            Builtin::Layer => "Layer",
            Builtin::Mlp => "MLP",
            Builtin::Parameters => "parameters",
            Builtin::Str => "str",
            Builtin::Round => "round",
            Builtin::Clock => "clock",
            Builtin::Derivative => "derivative",
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

    /// A number drawn uniformly from `[lo, hi)`, finite for any finite bounds.
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        let width = hi - lo;
        let x = if width.is_finite() {
            lo + width * unit
        } else {
            // The width overflows only for bounds of opposite signs, where the
            // two products cannot: uniform(-1e308, 1e308) was inf half the time.
            lo * (1.0 - unit) + hi * unit
        };
        // Rounding must not take a draw past either bound.
        x.max(lo.min(hi)).min(lo.max(hi))
    }
}
