//! micrograd's nn: `Neuron`, `Layer` and `MLP`, built and called.

use std::rc::Rc;

use super::{RuntimeError, Session};
use crate::ast::BinaryOp;
use crate::graph::{NodeId, Op};
use crate::span::Span;
use crate::value::{Activation, Items, Layer, Model, Neuron, Value};

impl Session {
    /// A whole number of things (inputs, neurons): at least 1, and not absurdly many.
    pub(super) fn expect_size(&self, value: &Value, span: Span, what: &str) -> Result<usize, RuntimeError> {
        const MAX_SIZE: i64 = 1_000_000;
        let size = self.expect_integer(value, span, what)?;
        if (1..=MAX_SIZE).contains(&size) {
            Ok(size as usize)
        } else {
            Err(RuntimeError::Argument {
                message: format!("{what} must be between 1 and {MAX_SIZE}, not {size}"),
                span,
                help: None,
            })
        }
    }

    /// A parameter: a leaf drawn from `uniform(-1, 1)`, labelled so `grad` and `check` list it.
    pub(super) fn new_parameter(&mut self, label: &str, span: Span) -> Result<NodeId, RuntimeError> {
        let value = self.rng.uniform(-1.0, 1.0);
        let id = self.graph.leaf(value).map_err(|error| self.graph_error(error, span))?;
        self.graph.set_label(id, Some(label));
        // Each parameter has a label of its own, which the arena's growth does not
        // see: a big model checks the memory limit as it goes.
        if id.index() % 1024 == 0 {
            self.check_memory(0, span)?;
        }
        Ok(id)
    }

    /// Weights first, then the bias, in micrograd's order of random draws.
    pub(super) fn new_neuron(
        &mut self,
        inputs: usize,
        act: Activation,
        prefix: &str,
        span: Span,
    ) -> Result<Neuron, RuntimeError> {
        let weights = (0..inputs)
            .map(|i| self.new_parameter(&format!("w{prefix}[{i}]"), span))
            .collect::<Result<_, _>>()?;
        let bias = self.new_parameter(&format!("b{prefix}"), span)?;
        Ok(Neuron { weights, bias, act })
    }

    pub(super) fn new_layer(
        &mut self,
        inputs: usize,
        outputs: usize,
        act: Activation,
        prefix: &str,
        span: Span,
    ) -> Result<Layer, RuntimeError> {
        let neurons = (0..outputs)
            .map(|n| self.new_neuron(inputs, act, &format!("{prefix}[{n}]"), span))
            .collect::<Result<_, _>>()?;
        Ok(Layer { neurons })
    }

    /// `m(x)`: a neuron gives a number; a layer a list, or a number where it has one output.
    pub(super) fn call_model(
        &mut self,
        model: &Model,
        args: &[Value],
        spans: &[Span],
        span: Span,
    ) -> Result<Value, RuntimeError> {
        let [input] = args else {
            return Err(RuntimeError::Argument {
                message: format!(
                    "a model takes one list of inputs, but {} arguments were given",
                    args.len()
                ),
                span,
                help: Some("call it on a list, e.g. m([2.0, 3.0, -1.0])".to_string()),
            });
        };
        // Shared, not copied: a model call reads its inputs, and copying (then
        // dropping) every input of every layer is most of what a call would cost.
        let inputs: Rc<Items> = match input {
            Value::List(items) => Rc::clone(items),
            scalar @ (Value::Num(_) | Value::Node(_)) => Rc::new(Items::new(vec![scalar.clone()])),
            other => {
                return Err(RuntimeError::Type {
                    message: format!("a model takes a list of numbers, not {}", other.kind_name()),
                    span: spans[0],
                    help: None,
                });
            }
        };
        match model {
            Model::Neuron(neuron) => self.run_neuron(neuron, &inputs, spans[0], span),
            Model::Layer(layer) => self.run_layer(layer, &inputs, spans[0], span),
            Model::Mlp { layers, .. } => {
                let mut activations = inputs;
                let mut output = Value::None;
                for layer in layers {
                    output = self.run_layer(layer, &activations, spans[0], span)?;
                    activations = match &output {
                        Value::List(items) => Rc::clone(items),
                        scalar => Rc::new(Items::new(vec![scalar.clone()])),
                    };
                }
                Ok(output)
            }
        }
    }

    pub(super) fn run_layer(
        &mut self,
        layer: &Layer,
        inputs: &[Value],
        input_span: Span,
        span: Span,
    ) -> Result<Value, RuntimeError> {
        let outputs: Vec<Value> = layer
            .neurons
            .iter()
            .map(|neuron| self.run_neuron(neuron, inputs, input_span, span))
            .collect::<Result<_, _>>()?;
        Ok(match <[Value; 1]>::try_from(outputs) {
            Ok([single]) => single,
            Err(outputs) => Value::list(outputs),
        })
    }

    /// `act(b + w[0]*x[0] + …)`, summed in micrograd's order so the numbers match to the last digit.
    pub(super) fn run_neuron(
        &mut self,
        neuron: &Neuron,
        inputs: &[Value],
        input_span: Span,
        span: Span,
    ) -> Result<Value, RuntimeError> {
        if inputs.len() != neuron.weights.len() {
            return Err(RuntimeError::Argument {
                message: format!(
                    "the model takes {} input{}, but the list has {} item{}",
                    neuron.weights.len(),
                    if neuron.weights.len() == 1 { "" } else { "s" },
                    inputs.len(),
                    if inputs.len() == 1 { "" } else { "s" }
                ),
                span: input_span,
                help: None,
            });
        }
        let mut total = Value::Node(neuron.bias);
        for (weight, input) in neuron.weights.iter().zip(inputs) {
            if self.number(input).is_none() {
                return Err(RuntimeError::Type {
                    message: format!("a model's inputs must be numbers, not {}", input.kind_name()),
                    span: input_span,
                    help: None,
                });
            }
            let product = self.arithmetic(BinaryOp::Mul, &Value::Node(*weight), input, span)?;
            total = self.arithmetic(BinaryOp::Add, &total, &product, span)?;
        }
        let id = self.node_of(&total, span)?;
        match neuron.act {
            Activation::Tanh => Ok(self.apply(Op::Tanh, &[id], span)?),
            Activation::Relu => Ok(self.apply(Op::Relu, &[id], span)?),
            Activation::Linear => Ok(total),
        }
    }
}
