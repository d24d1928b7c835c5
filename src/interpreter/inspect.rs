//! What an editor asks of a session: completions that know its names, and what a
//! word under the cursor is (a node's data, grad and operation; a command's help).
//! The text-only part is in `crate::assist`.

use super::{BUILTINS, Session};
use crate::assist::{Completion, Inspected, complete, inspected};
use crate::ast::KEYWORDS;
use crate::graph::NodeId;
use crate::help::{builtin_help, help};
use crate::number::format_number;
use crate::render::render_shown;
use crate::value::{CONSTANTS, Value};

/// How much of a long value (a list of a thousand numbers) inspection shows.
const MAX_SHOWN_CHARS: usize = 2000;

impl Session {
    /// Completions at byte offset `pos` of `code`, with the session's names.
    pub fn complete(&self, code: &str, pos: usize) -> Completion {
        complete(code, pos, &self.names())
    }

    /// What the word at byte offset `pos` of `code` is, in words: a bound name's value
    /// (a node with its data, grad, operation and inputs), a command's or meta-command's
    /// help, a builtin's one-line description. `None` where there is nothing to say.
    pub fn inspect(&self, code: &str, pos: usize) -> Option<String> {
        match inspected(code, pos)? {
            Inspected::MetaCommand(_) => help(Some("repl")).ok().map(str::to_string),
            Inspected::Attribute { receiver, attribute } => {
                let value = self.get(receiver)?;
                let Value::Node(id) = value else {
                    return Some(format!("{receiver} is {}", value.kind_name()));
                };
                let field = match attribute {
                    "data" => format_number(self.graph.data(*id)),
                    "grad" => format_number(self.graph.grad(*id)),
                    "label" => format!("{:?}", self.graph.label(*id).unwrap_or("")),
                    _ => return Some(self.inspect_node(receiver, *id)),
                };
                Some(format!(
                    "{receiver}.{attribute} = {field}\n\n{}",
                    self.inspect_node(receiver, *id)
                ))
            }
            Inspected::Word(word) => self.inspect_word(word),
        }
    }

    fn inspect_word(&self, word: &str) -> Option<String> {
        if let Some(value) = self.get(word) {
            return Some(match value {
                Value::Node(id) => self.inspect_node(word, *id),
                Value::Function(function) => format!(
                    "{word}: a function\n\n{}\n",
                    self.sources.slice(function.def.span).trim_end()
                ),
                Value::Model(model) => format!(
                    "{word}: {}, {} parameters\n",
                    model.describe(),
                    model.parameters().len()
                ),
                other => {
                    let mut shown = self.describe(other);
                    if shown.chars().count() > MAX_SHOWN_CHARS {
                        shown = shown.chars().take(MAX_SHOWN_CHARS).collect::<String>() + " …";
                    }
                    format!("{word}: {}\n\n{shown}\n", other.kind_name())
                }
            });
        }
        if KEYWORDS.contains(&word) || word == "wrt" {
            // Commands have their own topics; the other keywords are syntax.
            return help(Some(word))
                .or_else(|_| help(Some("syntax")))
                .ok()
                .map(str::to_string);
        }
        if BUILTINS.contains(&word) {
            let line = builtin_help(word)?;
            return Some(format!("{line}\n\n(:help functions lists every function)\n"));
        }
        CONSTANTS
            .iter()
            .find(|(constant, _)| *constant == word)
            .map(|(constant, x)| format!("{constant} = {} (a constant)\n", format_number(*x)))
    }

    /// A node as inspection shows it: micrograd's repr, what made it, and its inputs.
    fn inspect_node(&self, name: &str, id: NodeId) -> String {
        let mut text = format!("{name}: {}\n", render_shown(&self.show_node(id)));
        let inputs = self.graph.inputs(id);
        if inputs.is_empty() {
            text.push_str("a leaf (no inputs)\n");
            return text;
        }
        text.push_str(&format!("made by {}; its inputs:\n", self.formula(id, 1)));
        for input in inputs {
            text.push_str(&format!(
                "  {}  data {}  grad {}\n",
                self.input_name(*input, 1),
                format_number(self.graph.data(*input)),
                format_number(self.graph.grad(*input))
            ));
        }
        text
    }

    /// How a node was computed, `a * b` or `tanh(n)`, its inputs named by
    /// [`Session::input_name`] down to `depth` more levels.
    fn formula(&self, id: NodeId, depth: usize) -> String {
        let op = self.graph.op(id);
        let inputs = self.graph.inputs(id);
        let name = |input: &NodeId| self.input_name(*input, depth);
        // An operand that is itself a formula is parenthesised: `(a * b) + c`.
        let operand = |input: &NodeId| {
            let text = name(input);
            if self.is_formula(*input, depth) {
                format!("({text})")
            } else {
                text
            }
        };
        match inputs {
            [left, right] if op.is_infix() => format!("{} {} {}", operand(left), op.symbol(), operand(right)),
            [input] if op.symbol() == "neg" => format!("-{}", operand(input)),
            _ => format!(
                "{}({})",
                op.symbol(),
                inputs.iter().map(name).collect::<Vec<_>>().join(", ")
            ),
        }
    }

    /// A node as an input of another: its label; a constant's number; an unlabelled
    /// operation's formula, `depth` levels deep, then `…`.
    fn input_name(&self, id: NodeId, depth: usize) -> String {
        match self.graph.label(id) {
            Some(label) => label.to_string(),
            None if self.graph.inputs(id).is_empty() => format_number(self.graph.data(id)),
            None if depth == 0 => "…".to_string(),
            None => self.formula(id, depth - 1),
        }
    }

    /// Whether [`Session::input_name`] names the node by a formula.
    fn is_formula(&self, id: NodeId, depth: usize) -> bool {
        depth > 0 && self.graph.label(id).is_none() && !self.graph.inputs(id).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interpreter::Host;
    use crate::output::Output;

    struct Quiet;

    impl Host for Quiet {
        fn emit(&mut self, _output: Output) {}
        fn write_file(&mut self, _path: &str, _contents: &str) -> Result<(), String> {
            Err("no files here".to_string())
        }
    }

    fn session(source: &str) -> Session {
        let mut session = Session::new();
        if let Err(error) = session.run_entry(source, &mut Quiet) {
            panic!("{}", session.sources().render(&error, false));
        }
        session
    }

    fn inspect_end(session: &Session, code: &str) -> Option<String> {
        session.inspect(code, code.len())
    }

    #[test]
    fn a_node_shows_its_fields_and_inputs() {
        let session = session("a = 2; b = -3; e = a * b; L = e + 10; grad L");
        assert_eq!(
            inspect_end(&session, "e").as_deref(),
            Some(
                "e: Value(data=-6, grad=1, label=e, op=*)\nmade by a * b; its inputs:\n  a  data 2  grad -3\n  b  data -3  grad 2\n"
            )
        );
        assert_eq!(
            inspect_end(&session, "L").as_deref(),
            Some(
                "L: Value(data=4, grad=1, label=L, op=+)\nmade by e + 10; its inputs:\n  e  data -6  grad 1\n  10  data 10  grad 1\n"
            )
        );
        assert_eq!(
            inspect_end(&session, "a").as_deref(),
            Some("a: Value(data=2, grad=-3, label=a)\na leaf (no inputs)\n")
        );
        let nested = self::session("a = 1; b = 2; c = 3; d = a*b + c; n = -(d * 2)");
        let d = inspect_end(&nested, "d").expect("d");
        assert!(
            d.contains("made by (a * b) + c; its inputs:\n  a * b  data 2  grad 0\n"),
            "{d}"
        );
        let n = inspect_end(&nested, "n").expect("n");
        assert!(n.contains("made by -(d * 2); its inputs:\n  d * 2  data 10"), "{n}");
        let grad = inspect_end(&session, "print a.grad").expect("an attribute");
        assert!(grad.starts_with("a.grad = -3\n\na: Value(data=2"), "{grad}");
    }

    #[test]
    fn functions_models_and_lists_are_described() {
        let session =
            session("fn f(x) = 3*x**2 - 4*x + 5\nseed 1\nm = MLP(3, [4, 1])\nxs = [1, 2]\nw = 0.5\no = tanh(w * 2)");
        assert_eq!(
            inspect_end(&session, "f").as_deref(),
            Some("f: a function\n\nfn f(x) = 3*x**2 - 4*x + 5\n")
        );
        assert_eq!(
            inspect_end(&session, "m").as_deref(),
            Some("m: MLP(3, [4, 1]), 21 parameters\n")
        );
        assert_eq!(inspect_end(&session, "xs").as_deref(), Some("xs: a list\n\n[1, 2]\n"));
        let node = inspect_end(&session, "o").expect("o");
        assert_eq!(
            node,
            "o: Value(data=0.7615941559557649, grad=0, label=o, op=tanh)\nmade by tanh(w * 2); its inputs:\n  w * 2  data 1  grad 0\n"
        );
    }

    #[test]
    fn commands_and_builtins_show_their_help() {
        let session = Session::new();
        let grad = inspect_end(&session, "grad").expect("grad has help");
        assert!(grad.starts_with("grad L "), "{grad}");
        let tanh = session.inspect("o = tanh(n)", 6).expect("tanh has a line");
        assert!(tanh.starts_with("tanh(x) "), "{tanh}");
        let syntax = inspect_end(&session, "for").expect("for is syntax");
        assert!(syntax.starts_with("Syntax"), "{syntax}");
        assert!(
            inspect_end(&session, ":vars")
                .expect("repl help")
                .starts_with("The REPL")
        );
        assert_eq!(
            inspect_end(&session, "pi").as_deref(),
            Some("pi = 3.141592653589793 (a constant)\n")
        );
        assert_eq!(inspect_end(&session, "nothing_here"), None);
    }

    #[test]
    fn a_bound_name_hides_a_constant() {
        let session = session("a = 2; b = 3; e = a * b");
        assert!(inspect_end(&session, "e").expect("e").starts_with("e: Value(data=6"));
    }

    #[test]
    fn completion_knows_the_sessions_names() {
        let session = session("loss = 1; lr = 0.1");
        assert_eq!(session.complete("l", 1).matches, ["len", "log", "loss", "lr"]);
    }
}
