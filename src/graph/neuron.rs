//! A neuron's nodes in one call: what micrograd's `Neuron.__call__` builds, node
//! for node, without a round trip through the caller per node.

use super::{Graph, GraphError, NodeId, Op};

/// An input of [`Graph::neuron`]: a node, or a plain number, which becomes a
/// constant leaf where it is used (as micrograd wraps a number in a `Value` at
/// each operation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Operand {
    Node(NodeId),
    Number(f64),
}

impl Graph {
    /// micrograd's `act(b + w[0]*x[0] + w[1]*x[1] + …)`, in its order: for each
    /// input, a constant leaf if it is a number, the product `w * x`, and the
    /// sum so far plus the product (starting from the bias); then `act`, a
    /// one-input op, if there is one. Returns the last node.
    ///
    /// Exactly the nodes, and the error, of the same calls to [`Graph::constant`]
    /// and [`Graph::apply2`] one by one: it stops at the first node that cannot
    /// be added (a result that is not finite, the node limit), with the nodes
    /// before it added.
    ///
    /// Panics if `weights` and `inputs` differ in length or `act` does not take
    /// one input (programmer errors).
    pub fn neuron(
        &mut self,
        bias: NodeId,
        weights: &[NodeId],
        inputs: &[Operand],
        act: Option<Op>,
    ) -> Result<NodeId, GraphError> {
        assert_eq!(weights.len(), inputs.len(), "Graph::neuron: one weight per input");
        let mut total = bias;
        for (&weight, &input) in weights.iter().zip(inputs) {
            let input = match input {
                Operand::Node(id) => id,
                Operand::Number(x) => self.constant(x)?,
            };
            let product = self.binary(Op::Mul, weight, input)?;
            total = self.binary(Op::Add, total, product)?;
        }
        match act {
            Some(op) => self.unary(op, total),
            None => Ok(total),
        }
    }
}
