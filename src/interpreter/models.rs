//! micrograd's nn: `Neuron`, `Layer` and `MLP`, built and called.

use super::{RuntimeError, Session};
use crate::graph::{NodeId, Op, Operand};
use crate::span::Span;
use crate::value::{Activation, Layer, Model, Neuron, Value};

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
        // Read, not copied: a model call reads its inputs.
        let inputs: &[Value] = match input {
            Value::List(items) => items,
            scalar @ (Value::Num(_) | Value::Node(_)) => std::slice::from_ref(scalar),
            other => {
                return Err(RuntimeError::Type {
                    message: format!("a model takes a list of numbers, not {}", other.kind_name()),
                    span: spans[0],
                    help: None,
                });
            }
        };
        let layers: &[Layer] = match model {
            Model::Neuron(neuron) => {
                let operands = self.operands(inputs, neuron.weights.len(), spans[0])?;
                let id = self.run_neuron(neuron, &operands, span)?;
                return Ok(Value::Node(id));
            }
            Model::Layer(layer) => std::slice::from_ref(layer),
            Model::Mlp { layers, .. } => layers,
        };
        let Some(first) = layers.first().and_then(|layer| layer.neurons.first()) else {
            return Ok(Value::list(Vec::new()));
        };
        // Each layer's outputs are the next one's inputs: nodes.
        let mut operands = self.operands(inputs, first.weights.len(), spans[0])?;
        let mut outputs = Vec::new();
        for layer in layers {
            outputs.clear();
            for neuron in &layer.neurons {
                outputs.push(self.run_neuron(neuron, &operands, span)?);
            }
            operands.clear();
            operands.extend(outputs.iter().map(|&id| Operand::Node(id)));
        }
        Ok(match outputs[..] {
            [single] => Value::Node(single),
            _ => Value::list(outputs.into_iter().map(Value::Node).collect()),
        })
    }

    /// A model's inputs as the graph takes them, after the checks a neuron makes:
    /// as many as it has weights, and each a number.
    fn operands(&self, inputs: &[Value], expected: usize, input_span: Span) -> Result<Vec<Operand>, RuntimeError> {
        if inputs.len() != expected {
            return Err(RuntimeError::Argument {
                message: format!(
                    "the model takes {} input{}, but the list has {} item{}",
                    expected,
                    if expected == 1 { "" } else { "s" },
                    inputs.len(),
                    if inputs.len() == 1 { "" } else { "s" }
                ),
                span: input_span,
                help: None,
            });
        }
        inputs
            .iter()
            .map(|input| match input {
                Value::Num(x) => Ok(Operand::Number(*x)),
                Value::Node(id) => Ok(Operand::Node(*id)),
                other => Err(RuntimeError::Type {
                    message: format!("a model's inputs must be numbers, not {}", other.kind_name()),
                    span: input_span,
                    help: None,
                }),
            })
            .collect()
    }

    /// `act(b + w[0]*x[0] + …)`, the nodes micrograd builds in its order, so the
    /// numbers match to the last digit (`Graph::neuron`).
    fn run_neuron(&mut self, neuron: &Neuron, inputs: &[Operand], span: Span) -> Result<NodeId, RuntimeError> {
        let act = match neuron.act {
            Activation::Tanh => Some(Op::Tanh),
            Activation::Relu => Some(Op::Relu),
            Activation::Linear => None,
        };
        self.graph
            .neuron(neuron.bias, &neuron.weights, inputs, act)
            .map_err(|error| self.graph_error(error, span))
    }
}
