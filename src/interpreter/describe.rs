//! Values as `print` and `:vars` show them.

use super::Session;
use crate::value::Value;

/// Lists nested deeper than this print as `[…]`: a loop can nest them millions deep,
/// and what shows a value (this, the renderer, serde, the drop of a `Shown`) recurses
/// once per level, so this bounds them all.
pub const MAX_SHOWN_NESTING: usize = 100;

impl Session {
    pub(super) fn show_value(&self, value: &Value) -> crate::output::Shown {
        self.show_nested(value, MAX_SHOWN_NESTING)
    }

    /// [`Session::show_value`], with `levels` more levels of lists to show.
    fn show_nested(&self, value: &Value, levels: usize) -> crate::output::Shown {
        use crate::output::Shown;
        match value {
            Value::Num(x) => Shown::Number(*x),
            Value::Node(id) => Shown::Number(self.graph.data(*id)),
            Value::Bool(b) => Shown::Bool(*b),
            Value::Str(text) => Shown::Str(text.to_string()),
            Value::List(_) if levels == 0 => Shown::Other("[…]".to_string()),
            Value::List(items) => Shown::List(items.iter().map(|item| self.show_nested(item, levels - 1)).collect()),
            Value::Function(_) | Value::Builtin(_) | Value::Model(_) | Value::None => {
                Shown::Other(self.describe(value))
            }
        }
    }

    /// A node with its data, grad, label and operation, as the REPL echoes it.
    pub(super) fn show_node(&self, id: crate::graph::NodeId) -> crate::output::Shown {
        let op = self.graph.op(id).symbol();
        crate::output::Shown::Node {
            data: self.graph.data(id),
            grad: self.graph.grad(id),
            label: self.graph.label(id).map(str::to_string),
            op: (!op.is_empty()).then(|| op.to_string()),
        }
    }

    /// A value in words, as `print` and `:vars` show it.
    pub(super) fn describe(&self, value: &Value) -> String {
        match value {
            Value::Function(function) => format!(
                "<fn {}({})>",
                function.def.name.name,
                function
                    .def
                    .params
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Value::Model(model) => model.describe(),
            Value::Builtin(builtin) => format!("<builtin {}>", builtin.name()),
            Value::None => "none".to_string(),
            other => crate::render::render_shown(&self.show_value(other)),
        }
    }
}
