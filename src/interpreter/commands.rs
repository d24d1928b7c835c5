//! The commands of SPEC §4: `grad`, `backward`, `zero_grad`, `check`, `print`,
//! `show`, `topo`, `dot`, `explain`, `assert`, `seed`.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use super::{Exec, Host, RuntimeError, Session};
use crate::ast::{Command, CompareOp, Expr, ExprKind, Redirect};
use crate::graph::{BackwardStep, CheckOptions, NodeId, Op};
use crate::number::format_number;
use crate::output::{
    CheckReport, CheckRow, CheckStatus, DotText, ExplainStep, Explanation, GradRow, GradTable, NodeRow, Output,
    PrintOut, ShowTree, TopoList, TreeRow, WroteFile,
};
use crate::span::Span;
use crate::value::{Rng, Value};

/// `show` stops after this many rows; a tree of a big graph is unreadable anyway.
pub const MAX_SHOW_ROWS: usize = 500;

impl Session {
    pub(super) fn exec_command(
        &mut self,
        command: &Command,
        redirect: Option<&Redirect>,
        span: Span,
        host: &mut dyn Host,
    ) -> Exec<()> {
        let output = match command {
            Command::Grad { target, wrt } => {
                let root = self.target_node(target, "grad", host)?;
                let mut named = Vec::with_capacity(wrt.len());
                for expr in wrt {
                    named.push((self.target_node(expr, "grad … wrt", host)?, expr.span));
                }
                self.graph.zero_grad(&[root]);
                self.graph.backward(root);
                Some(Output::Grad(self.grad_table(root, target, &named)))
            }
            Command::Backward(target) => {
                let root = self.target_node(target, "backward", host)?;
                self.graph.backward(root);
                None
            }
            Command::ZeroGrad(targets) => {
                if targets.is_empty() {
                    self.graph.zero_all_grads();
                } else {
                    let mut roots = Vec::new();
                    for target in targets {
                        let value = self.eval(target, host)?;
                        self.collect_nodes(&value, target.span, &mut roots)?;
                    }
                    self.graph.zero_grad(&roots);
                }
                None
            }
            Command::Check { target, options } => {
                let root = self.target_node(target, "check", host)?;
                let options = self.check_options(options, host)?;
                let report = self.check(root, target, options);
                if !report.ok {
                    self.failed_checks += 1;
                }
                Some(Output::Check(report))
            }
            Command::Print(exprs) => {
                let mut values = Vec::with_capacity(exprs.len());
                for expr in exprs {
                    let value = self.eval(expr, host)?;
                    values.push(self.show_value(&value));
                }
                Some(Output::Print(PrintOut { values }))
            }
            Command::Show(target) => {
                let root = self.target_node(target, "show", host)?;
                Some(Output::Show(self.show_tree(root, target)))
            }
            Command::Topo(target) => {
                let root = self.target_node(target, "topo", host)?;
                let order = self.graph.topo(root);
                let names = self.display_labels(&order);
                let nodes = order.iter().rev().map(|id| self.node_row(*id, &names)).collect();
                Some(Output::Topo(TopoList {
                    target: self.text(target),
                    nodes,
                }))
            }
            Command::Dot(target) => {
                let root = self.target_node(target, "dot", host)?;
                Some(Output::Dot(DotText {
                    target: self.text(target),
                    dot: self.dot(root),
                }))
            }
            Command::Explain(target) => {
                let root = self.target_node(target, "explain", host)?;
                Some(Output::Explain(self.explain(root, target)))
            }
            Command::Assert { condition, message } => {
                self.assert(condition, message.as_ref(), span, host)?;
                None
            }
            Command::Seed(expr) => {
                let value = self.eval(expr, host)?;
                let seed = self.expect_integer(&value, expr.span, "a seed")?;
                self.rng = Rng::new(seed as u64);
                None
            }
        };
        let Some(output) = output else { return Ok(()) };
        match redirect {
            None => self.emit(output, span, host)?,
            Some(redirect) => {
                let (what, contents) = match &output {
                    Output::Dot(dot) => ("dot", dot.dot.clone()),
                    other => (command_name(command), crate::render::render_text(other)),
                };
                let refusal = if self.limits.sandbox {
                    Some("the sandbox (--sandbox) allows no file to be read or written")
                } else {
                    crate::paths::refusal(&redirect.path)
                };
                if let Some(reason) = refusal {
                    return Err(RuntimeError::Write {
                        path: crate::paths::shown(&redirect.path),
                        reason: reason.to_string(),
                        span: redirect.span,
                    }
                    .into());
                }
                if redirect.path.to_ascii_lowercase().ends_with(".svg") {
                    return Err(RuntimeError::Write {
                        path: redirect.path.clone(),
                        reason: "pictures (SVG) are not drawn by this version of mgrad".to_string(),
                        span: redirect.span,
                    }
                    .into());
                }
                host.write_file(&redirect.path, &contents)
                    .map_err(|reason| RuntimeError::Write {
                        path: redirect.path.clone(),
                        reason,
                        span: redirect.span,
                    })?;
                self.emit(
                    Output::Wrote(WroteFile {
                        path: redirect.path.clone(),
                        what: what.to_string(),
                    }),
                    span,
                    host,
                )?;
            }
        }
        Ok(())
    }

    /// The node a command works on; a plain number or a list is a clear error.
    fn target_node(&mut self, expr: &Expr, command: &str, host: &mut dyn Host) -> Exec<NodeId> {
        match self.eval(expr, host)? {
            Value::Node(id) => Ok(id),
            Value::Num(x) => Err(RuntimeError::Type {
                message: format!(
                    "'{command}' needs a node of the graph, but '{}' is the plain number {}",
                    self.text(expr),
                    format_number(x)
                ),
                span: expr.span,
                help: Some("give it a name first, e.g. L = 2 * 3".to_string()),
            }
            .into()),
            Value::List(_) => Err(RuntimeError::Type {
                message: format!("'{command}' needs a single number, but '{}' is a list", self.text(expr)),
                span: expr.span,
                help: Some("combine the list into one number first, e.g. loss = sum(xs)".to_string()),
            }
            .into()),
            other => Err(RuntimeError::Type {
                message: format!(
                    "'{command}' needs a number, but '{}' is {}",
                    self.text(expr),
                    other.kind_name()
                ),
                span: expr.span,
                help: None,
            }
            .into()),
        }
    }

    /// Every node inside a value (a node, or the nodes of a list, at any depth: an
    /// explicit stack, as lists can nest as deep as a loop makes them).
    fn collect_nodes(&self, value: &Value, span: Span, nodes: &mut Vec<NodeId>) -> Result<(), RuntimeError> {
        let mut pending = vec![value];
        while let Some(value) = pending.pop() {
            match value {
                Value::Node(id) => nodes.push(*id),
                Value::Num(_) => {}
                Value::Model(model) => nodes.extend(model.parameters()),
                Value::List(items) => pending.extend(items.iter().rev()),
                other => {
                    return Err(RuntimeError::Type {
                        message: format!("'zero_grad' needs nodes or lists of nodes, not {}", other.kind_name()),
                        span,
                        help: None,
                    });
                }
            }
        }
        Ok(())
    }

    /// The source text of an expression, as outputs name their target.
    fn text(&self, expr: &Expr) -> String {
        self.sources.slice(expr.span).to_string()
    }

    /// Display labels for nodes: a node's own label, made unique with `#1`, `#2`, …
    /// where several of the given nodes share it, numbered in the order given (callers
    /// pass topological order, so an input is numbered before what was computed from it;
    /// ids cannot be used, since reclaimed slots are reused).
    fn display_labels(&self, nodes: &[NodeId]) -> HashMap<NodeId, String> {
        let mut by_label: HashMap<&str, Vec<NodeId>> = HashMap::new();
        for id in nodes {
            if let Some(label) = self.graph.label(*id) {
                by_label.entry(label).or_default().push(*id);
            }
        }
        let mut names = HashMap::new();
        for (label, ids) in by_label {
            if ids.len() == 1 {
                names.insert(ids[0], label.to_string());
            } else {
                for (k, id) in ids.iter().enumerate() {
                    names.insert(*id, format!("{label}#{}", k + 1));
                }
            }
        }
        names
    }

    fn node_row(&self, id: NodeId, names: &HashMap<NodeId, String>) -> NodeRow {
        NodeRow {
            label: names.get(&id).cloned(),
            op: self.graph.op(id).symbol().to_string(),
            data: self.graph.data(id),
            grad: self.graph.grad(id),
        }
    }

    fn grad_table(&self, root: NodeId, target: &Expr, wrt: &[(NodeId, Span)]) -> GradTable {
        let order = self.graph.topo(root);
        let names = self.display_labels(&order);
        let name_of = |id: NodeId| names.get(&id).cloned().unwrap_or_else(|| self.text(target));
        let nodes = if wrt.is_empty() {
            order
                .iter()
                .rev()
                .filter(|id| **id == root || names.contains_key(id))
                .map(|id| GradRow {
                    label: name_of(*id),
                    data: self.graph.data(*id),
                    grad: self.graph.grad(*id),
                })
                .collect()
        } else {
            let in_graph: HashSet<NodeId> = order.iter().copied().collect();
            wrt.iter()
                .map(|(id, span)| GradRow {
                    label: names
                        .get(id)
                        .cloned()
                        .unwrap_or_else(|| self.sources.slice(*span).to_string()),
                    data: self.graph.data(*id),
                    // A node outside L's graph does not affect L: dL/dx is 0.
                    grad: if in_graph.contains(id) {
                        self.graph.grad(*id)
                    } else {
                        0.0
                    },
                })
                .collect()
        };
        GradTable {
            target: self.text(target),
            nodes,
        }
    }

    fn check_options(&mut self, options: &[crate::ast::CheckOption], host: &mut dyn Host) -> Exec<CheckOptions> {
        let mut result = CheckOptions::default();
        for option in options {
            let value = self.eval(&option.value, host)?;
            let number = self.expect_number(&value, option.value.span, "a check option")?;
            if !(number.is_finite() && number > 0.0) {
                return Err(RuntimeError::Argument {
                    message: format!(
                        "'{}' must be a positive number, not {}",
                        option.name.name,
                        format_number(number)
                    ),
                    span: option.value.span,
                    help: None,
                }
                .into());
            }
            match option.name.name.as_str() {
                "eps" => result.eps = number,
                "atol" => result.atol = number,
                "rtol" => result.rtol = number,
                other => {
                    let suggestion = crate::suggest::closest(other, ["eps", "atol", "rtol"]);
                    return Err(RuntimeError::Argument {
                        message: format!(
                            "'check' has no option '{other}'{}",
                            suggestion
                                .map(|s| format!(" — did you mean '{s}'?"))
                                .unwrap_or_default()
                        ),
                        span: option.name.span,
                        help: Some("the options are eps, atol and rtol, e.g. check L eps=1e-4".to_string()),
                    }
                    .into());
                }
            }
        }
        Ok(result)
    }

    /// Checks every labelled leaf of the target's graph (unlabelled leaves are literal constants).
    fn check(&self, root: NodeId, target: &Expr, options: CheckOptions) -> CheckReport {
        let order = self.graph.topo(root);
        let names = self.display_labels(&order);
        let leaves: Vec<NodeId> = order
            .iter()
            .copied()
            .filter(|id| self.graph.op(*id) == Op::Leaf && names.contains_key(id))
            .collect();
        let result = self.graph.check(root, &leaves, options);
        let nodes = result
            .rows
            .iter()
            .map(|row| {
                let status = match row.status {
                    crate::graph::CheckStatus::Ok => CheckStatus::Ok,
                    crate::graph::CheckStatus::Mismatch => CheckStatus::Mismatch,
                    crate::graph::CheckStatus::Kink => CheckStatus::Kink,
                    crate::graph::CheckStatus::Undefined => CheckStatus::Undefined,
                };
                CheckRow {
                    label: names.get(&row.leaf).cloned().unwrap_or_default(),
                    autograd: row.autograd,
                    numeric: row.numeric,
                    abs_err: row.abs_err,
                    ok: matches!(status, CheckStatus::Ok | CheckStatus::Kink),
                    status,
                }
            })
            .collect();
        CheckReport {
            target: self.text(target),
            eps: options.eps,
            atol: options.atol,
            rtol: options.rtol,
            ok: result.ok,
            nodes,
        }
    }

    fn show_tree(&self, root: NodeId, target: &Expr) -> ShowTree {
        let order = self.graph.topo(root);
        let names = self.display_labels(&order);
        let mut rows = Vec::new();
        let mut shown = HashSet::new();
        // Depth-first, inputs in order; an explicit stack so a long chain cannot overflow.
        let mut stack = vec![(root, 0usize)];
        while let Some((id, depth)) = stack.pop() {
            if rows.len() == MAX_SHOW_ROWS {
                break;
            }
            let repeated = !shown.insert(id);
            rows.push(TreeRow {
                depth,
                node: self.node_row(id, &names),
                repeated,
            });
            if !repeated {
                for input in self.graph.inputs(id).iter().rev() {
                    stack.push((*input, depth + 1));
                }
            }
        }
        ShowTree {
            target: self.text(target),
            rows,
            omitted: order.len().saturating_sub(shown.len()),
        }
    }

    /// Graphviz DOT in micrograd's style: a record per value (`label | data | grad`),
    /// an oval per operation, left to right.
    fn dot(&self, root: NodeId) -> String {
        let order = self.graph.topo(root);
        let names = self.display_labels(&order);
        let mut dot = String::from("digraph {\n  rankdir=LR\n  node [fontname=\"monospace\"]\n");
        for id in &order {
            let index = id.index();
            let label = names.get(id).map(|name| escape_record(name)).unwrap_or_default();
            let _ = writeln!(
                dot,
                "  n{index} [shape=record, label=\"{{ {label} | data {:.4} | grad {:.4} }}\"]",
                self.graph.data(*id),
                self.graph.grad(*id)
            );
            let op = self.graph.op(*id);
            if op != Op::Leaf {
                let _ = writeln!(dot, "  n{index}op [label=\"{}\"]", op.symbol());
                let _ = writeln!(dot, "  n{index}op -> n{index}");
                let mut seen = Vec::new();
                for input in self.graph.inputs(*id) {
                    if !seen.contains(input) {
                        seen.push(*input);
                        let _ = writeln!(dot, "  n{} -> n{index}op", input.index());
                    }
                }
            }
        }
        dot.push_str("}\n");
        dot
    }

    /// `explain L`: `grad L`, narrating every chain-rule step.
    fn explain(&mut self, root: NodeId, target: &Expr) -> Explanation {
        let order = self.graph.topo(root);
        let names = self.display_labels(&order);
        self.graph.zero_grad(&[root]);
        // Steps into unlabelled leaves (the literal constants) are real but tell a learner nothing.
        let mut raw: Vec<BackwardStep> = Vec::new();
        self.graph.backward_observed(root, &mut |step| raw.push(*step));
        raw.retain(|step| self.graph.op(step.input) != Op::Leaf || names.contains_key(&step.input));
        let name = |id: NodeId| -> String {
            match names.get(&id) {
                Some(name) => name.clone(),
                None if id == root => self.text(target),
                None => self.describe_node(id, &names, 2),
            }
        };
        let steps = raw
            .iter()
            .map(|step| {
                let node = step.node;
                let inputs = self.graph.inputs(node);
                let op = self.graph.op(node);
                let operand = |k: usize| name(inputs[k]);
                let equation = match (op, inputs.len()) {
                    (Op::Neg, _) => format!("{} = -{}", name(node), operand(0)),
                    (op, 2) if op.is_infix() => {
                        format!("{} = {} {} {}", name(node), operand(0), op.symbol(), operand(1))
                    }
                    (op, 2) => format!("{} = {}({}, {})", name(node), op.symbol(), operand(0), operand(1)),
                    (op, _) => format!("{} = {}({})", name(node), op.symbol(), operand(0)),
                };
                let data = |k: usize| {
                    let id = inputs[k];
                    if names.contains_key(&id) {
                        format!("{}.data", name(id))
                    } else {
                        format_number(self.graph.data(id))
                    }
                };
                let out = format!("{}.data", name(node));
                let local = match (op, step.which) {
                    (Op::Add, _) => "1".to_string(),
                    (Op::Sub, 0) => "1".to_string(),
                    (Op::Sub, _) | (Op::Neg, _) => "-1".to_string(),
                    (Op::Mul, 0) => data(1),
                    (Op::Mul, _) => data(0),
                    (Op::Div, 0) => format!("(1 / {})", data(1)),
                    (Op::Div, _) => format!("(-{} / {}**2)", data(0), data(1)),
                    (Op::Pow, 0) => format!("({} * {}**({} - 1))", data(1), data(0), data(1)),
                    (Op::Pow, _) => format!("({out} * log({}))", data(0)),
                    (Op::Tanh, _) => format!("(1 - {out}**2)"),
                    (Op::Exp, _) => out.clone(),
                    (Op::Log, _) => format!("(1 / {})", data(0)),
                    (Op::Relu, _) => format!("({out} > 0)"),
                    (Op::Sigmoid, _) => format!("({out} * (1 - {out}))"),
                    (Op::Sqrt, _) => format!("(0.5 / {out})"),
                    (Op::Abs, _) => format!("sign({})", data(0)),
                    (Op::Sin, _) => format!("cos({})", data(0)),
                    (Op::Cos, _) => format!("-sin({})", data(0)),
                    (Op::Max | Op::Min, k) => format!("({} is the {})", data(k), op.symbol()),
                    (Op::Leaf, _) => String::new(),
                };
                ExplainStep {
                    equation,
                    update: format!("{}.grad += {local} * {}.grad", name(step.input), name(node)),
                    local: step.local,
                    upstream: step.upstream,
                    contribution: step.contribution,
                    grad_after: step.input_grad_after,
                }
            })
            .collect();
        Explanation {
            target: self.text(target),
            steps,
            grads: self.grad_table(root, target, &[]),
        }
    }

    /// A short name for an unlabelled node: its value if a constant, else its expression, `depth` levels deep.
    fn describe_node(&self, id: NodeId, names: &HashMap<NodeId, String>, depth: usize) -> String {
        if let Some(name) = names.get(&id) {
            return name.clone();
        }
        let op = self.graph.op(id);
        if op == Op::Leaf {
            return format_number(self.graph.data(id));
        }
        if depth == 0 {
            return format!("({})", format_number(self.graph.data(id)));
        }
        let inputs: Vec<String> = self
            .graph
            .inputs(id)
            .iter()
            .map(|input| self.describe_node(*input, names, depth - 1))
            .collect();
        match (op, inputs.as_slice()) {
            (Op::Neg, [x]) => format!("(-{x})"),
            (op, [a, b]) if op.is_infix() => format!("({a} {} {b})", op.symbol()),
            (op, args) => format!("{}({})", op.symbol(), args.join(", ")),
        }
    }

    fn assert(&mut self, condition: &Expr, message: Option<&Expr>, span: Span, host: &mut dyn Host) -> Exec<()> {
        // Evaluate a comparison's sides once, so a failure can show both.
        let (holds, sides) = match &condition.kind {
            ExprKind::Compare { op, lhs, rhs } => {
                let left = self.eval(lhs, host)?;
                let right = self.eval(rhs, host)?;
                let holds = self.compare(*op, &left, &right, condition.span)?;
                (holds, Some((*op, left, right)))
            }
            _ => (self.eval_condition(condition, host)?, None),
        };
        if holds {
            return Ok(());
        }
        let mut text = match message {
            Some(expr) => {
                let value = self.eval(expr, host)?;
                match &value {
                    Value::Str(text) => text.to_string(),
                    other => crate::render::render_shown(&self.show_value(other)),
                }
            }
            None => self.text(condition),
        };
        if let Some((op, left, right)) = sides {
            let left = crate::render::render_shown(&self.show_value(&left));
            let right = crate::render::render_shown(&self.show_value(&right));
            let relation = match op {
                CompareOp::Approx => "is not close to",
                CompareOp::Eq => "is not equal to",
                _ => "vs",
            };
            let _ = write!(text, " (left side {left} {relation} right side {right})");
        }
        Err(RuntimeError::Assertion { message: text, span }.into())
    }
}

fn command_name(command: &Command) -> &'static str {
    match command {
        Command::Grad { .. } => "grad",
        Command::Backward(_) => "backward",
        Command::ZeroGrad(_) => "zero_grad",
        Command::Check { .. } => "check",
        Command::Print(_) => "print",
        Command::Show(_) => "show",
        Command::Topo(_) => "topo",
        Command::Dot(_) => "dot",
        Command::Explain(_) => "explain",
        Command::Assert { .. } => "assert",
        Command::Seed(_) => "seed",
    }
}

/// Escapes the characters that mean something inside a DOT record label.
fn escape_record(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '{' | '}' | '|' | '<' | '>' | '"' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}
