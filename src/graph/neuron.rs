//! A neuron's nodes in one call: what micrograd's `Neuron.__call__` builds, node
//! for node, without a round trip through the caller per node.

use super::{Graph, GraphError, Node, NodeId, Op, forward, non_finite};

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
        if let Some(result) = self.neuron_in_run(bias, weights, inputs, act) {
            return result;
        }
        self.neuron_one_by_one(bias, weights, inputs, act)
    }

    /// [`Graph::neuron`], a node at a time.
    pub(super) fn neuron_one_by_one(
        &mut self,
        bias: NodeId,
        weights: &[NodeId],
        inputs: &[Operand],
        act: Option<Op>,
    ) -> Result<NodeId, GraphError> {
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

    /// [`Graph::neuron`] when all its nodes fit in the run and every input lies
    /// below it: each node goes to the run's next slot, where `push` would put it,
    /// with no check per node but its value's. `None` (nothing done) otherwise.
    pub(super) fn neuron_in_run(
        &mut self,
        bias: NodeId,
        weights: &[NodeId],
        inputs: &[Operand],
        act: Option<Op>,
    ) -> Option<Result<NodeId, GraphError>> {
        let constants = inputs
            .iter()
            .filter(|input| matches!(input, Operand::Number(_)))
            .count();
        let count = 2 * weights.len() + constants + usize::from(act.is_some());
        // A used-up run is replaced as the first `push` would replace it.
        if self.run.is_empty() && (self.live >= self.limit || self.new_run().is_err()) {
            return None;
        }
        let start = self.run.start;
        let below = |id: &NodeId| id.index() < start;
        let fits = start + count <= self.run.end
            && below(&bias)
            && weights.iter().all(below)
            && inputs.iter().all(|input| match input {
                Operand::Node(id) => below(id),
                Operand::Number(_) => true,
            });
        if !fits {
            return None;
        }
        if let Some(op) = act {
            assert_eq!(op.arity(), 1, "Graph::neuron: {op:?} is not an activation");
        }
        // The run is free slots inside the arena, or the room at its end.
        let appending = start == self.nodes.len();
        let mut next = start;
        let mut put = |nodes: &mut Vec<Node>, data: f64, op: Op, inputs: [NodeId; 2], constant: bool| {
            let node = Node::new(data, op, inputs, constant);
            if appending {
                nodes.push(node);
            } else {
                nodes[next] = node;
            }
            next += 1;
            NodeId((next - 1) as u32)
        };
        let mut total = bias;
        let mut sum = self.nodes[bias.index()].data;
        let mut failed = None;
        for (&weight, &input) in weights.iter().zip(inputs) {
            let (input, x) = match input {
                Operand::Node(id) => (id, self.nodes[id.index()].data),
                Operand::Number(x) => (put(&mut self.nodes, x, Op::Leaf, [NodeId(0); 2], true), x),
            };
            let w = self.nodes[weight.index()].data;
            let product = w * x;
            if !product.is_finite() {
                failed = Some(non_finite(Op::Mul, &[w, x], product));
                break;
            }
            let product_id = put(&mut self.nodes, product, Op::Mul, [weight, input], false);
            let new_sum = sum + product;
            if !new_sum.is_finite() {
                failed = Some(non_finite(Op::Add, &[sum, product], new_sum));
                break;
            }
            total = put(&mut self.nodes, new_sum, Op::Add, [total, product_id], false);
            sum = new_sum;
        }
        if failed.is_none()
            && let Some(op) = act
        {
            let out = forward(op, sum, 0.0);
            if out.is_finite() {
                total = put(&mut self.nodes, out, op, [total, NodeId(0)], false);
            } else {
                failed = Some(non_finite(op, &[sum], out));
            }
        }
        // The nodes made so far are added, as they would be one by one.
        let made = next - start;
        self.run.start = next;
        self.live += made;
        Some(match failed {
            Some(error) => Err(error),
            None => Ok(total),
        })
    }
}
