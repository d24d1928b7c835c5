//! The commands of SPEC §4: `grad`, `backward`, `zero_grad`, `check`, `print`,
//! `show`, `topo`, `dot`, `explain`, `assert`, `seed`.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use super::{Exec, Host, RuntimeError, Session};
use crate::ast::{Command, CompareOp, Expr, ExprKind, Redirect};
use crate::graph::{BackwardStep, CheckOptions, GraphError, NodeId, Op};
use crate::number::format_number;
use crate::output::{
    CheckReport, CheckRow, CheckStatus, ExplainStep, Explanation, GradRow, GradTable, GraphEdge, GraphPicture, NodeRow,
    Output, PrintOut, ShowTree, TopoList, TreeRow, WroteFile,
};
use crate::picture;
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
        self.check_command(command, span)?;
        let output = match command {
            Command::Grad { target, wrt } => {
                let root = self.target_node(target, "grad", host)?;
                let mut named = Vec::with_capacity(wrt.len());
                for expr in wrt {
                    named.push((self.target_node(expr, "grad … wrt", host)?, expr.span));
                }
                self.graph.zero_grad(&[root]);
                self.graph
                    .backward(root)
                    .map_err(|error| self.graph_error(error, target.span))?;
                Some(Output::Grad(self.grad_table(root, target, &named)))
            }
            Command::Backward(target) => {
                let root = self.target_node(target, "backward", host)?;
                self.graph
                    .backward(root)
                    .map_err(|error| self.graph_error(error, target.span))?;
                None
            }
            Command::ZeroGrad(targets) => {
                if targets.is_empty() {
                    self.graph.zero_all_grads();
                } else {
                    let mut roots = Vec::new();
                    for target in targets {
                        let value = self.eval(target, host)?;
                        if let Value::Num(x) = value {
                            return Err(RuntimeError::Type {
                                message: format!(
                                    "'zero_grad' needs nodes, lists of nodes or models, but '{}' is the plain number {}",
                                    self.text(target),
                                    format_number(x)
                                ),
                                span: target.span,
                                help: Some(
                                    "a plain number has no grad; 'zero_grad' alone zeroes every grad, 'zero_grad x, m' those of x's graph and model m"
                                        .to_string(),
                                ),
                            }
                            .into());
                        }
                        self.collect_nodes(&value, target.span, &mut roots)?;
                    }
                    self.graph.zero_grad(&roots);
                }
                None
            }
            Command::Check { target, options } => {
                let root = self.target_node(target, "check", host)?;
                let options = self.check_options(options, host)?;
                let report = self.check(root, target, options)?;
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
                let order = self.graph.topo(root);
                Some(Output::Dot(self.graph_picture(&order, target).0))
            }
            Command::Explain(target) => {
                let root = self.target_node(target, "explain", host)?;
                Some(Output::Explain(self.explain(root, target)?))
            }
            Command::Plot { series, range } => Some(Output::Plot(self.plot(series, range.as_ref(), host)?)),
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
        let Some(redirect) = redirect else {
            return self.emit(output, span, host);
        };
        let refusal = if self.limits.sandbox {
            Some("the sandbox (--sandbox) allows no file to be read or written")
        } else {
            crate::paths::refusal(&redirect.path)
        };
        let write_error = |reason: String| RuntimeError::Write {
            path: crate::paths::shown(&redirect.path),
            reason,
            span: redirect.span,
        };
        if let Some(reason) = refusal {
            return Err(write_error(reason.to_string()).into());
        }
        let (what, contents) = file_contents(&output, command, &redirect.path, host).map_err(write_error)?;
        host.write_file(&redirect.path, &contents).map_err(write_error)?;
        self.emit(
            Output::Wrote(WroteFile {
                path: redirect.path.clone(),
                what: what.to_string(),
            }),
            span,
            host,
        )?;
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
            // A tolerance may be 0 (exact agreement), as in torch.autograd.gradcheck; the step may not.
            let step = option.name.name == "eps";
            if !number.is_finite() || number < 0.0 || (step && number == 0.0) {
                return Err(RuntimeError::Argument {
                    message: format!(
                        "'{}' must be a {} number, not {}",
                        option.name.name,
                        if step { "positive" } else { "non-negative" },
                        format_number(number)
                    ),
                    span: option.value.span,
                    help: step.then(|| "eps is the step of the finite differences, e.g. eps=1e-6".to_string()),
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
    fn check(&self, root: NodeId, target: &Expr, options: CheckOptions) -> Result<CheckReport, RuntimeError> {
        let order = self.graph.topo(root);
        let names = self.display_labels(&order);
        let leaves: Vec<NodeId> = order
            .iter()
            .copied()
            .filter(|id| self.graph.op(*id) == Op::Leaf && names.contains_key(id))
            .collect();
        let result = self
            .graph
            .check(root, &leaves, options)
            .map_err(|error| self.check_error(error, target))?;
        let nodes: Vec<CheckRow> = result
            .rows
            .iter()
            .map(|row| {
                let status = match row.status {
                    crate::graph::CheckStatus::Ok => CheckStatus::Ok,
                    crate::graph::CheckStatus::Mismatch => CheckStatus::Mismatch,
                    crate::graph::CheckStatus::Kink => CheckStatus::Kink,
                    crate::graph::CheckStatus::Undefined => CheckStatus::Undefined,
                    crate::graph::CheckStatus::Imprecise => CheckStatus::Imprecise,
                };
                CheckRow {
                    label: names.get(&row.leaf).cloned().unwrap_or_default(),
                    autograd: row.autograd,
                    numeric: row.numeric,
                    abs_err: row.abs_err,
                    ok: match status {
                        CheckStatus::Ok => Some(true),
                        CheckStatus::Mismatch | CheckStatus::Undefined => Some(false),
                        CheckStatus::Kink | CheckStatus::Imprecise => None,
                    },
                    status,
                    numeric_error: row.numeric_error,
                    suggested_eps: row.suggested_eps,
                }
            })
            .collect();
        let count = |status: CheckStatus| nodes.iter().filter(|row| row.status == status).count();
        Ok(CheckReport {
            target: self.text(target),
            eps: options.eps,
            atol: options.atol,
            rtol: options.rtol,
            ok: result.ok,
            matched: count(CheckStatus::Ok),
            mismatched: count(CheckStatus::Mismatch),
            kinks: count(CheckStatus::Kink),
            undefined: count(CheckStatus::Undefined),
            imprecise: count(CheckStatus::Imprecise),
            value: result.value,
            stored_value: self.graph.data(root),
            stale_nodes: result.stale,
            nodes,
        })
    }

    /// A check that could not be made: the graph has no finite value, or no
    /// finite gradient, at the leaves' current data.
    fn check_error(&self, error: GraphError, target: &Expr) -> RuntimeError {
        let undefined = matches!(error, GraphError::NonFinite { .. });
        match self.graph_error(error, target.span) {
            // Only a leaf changed since the graph was built can make a value non-finite here.
            RuntimeError::NotFinite { message, span, .. } if undefined => RuntimeError::NotFinite {
                message: format!("at its leaves' current data, {message}"),
                span,
                help: Some(format!(
                    "'check' evaluates {0} at its leaves' current data, and a leaf's data has changed since \
                     {0} was computed; compute {0} again, or set the leaf back",
                    self.text(target)
                )),
            },
            other => other,
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

    /// L's graph as data, for `dot` and the step-by-step page: the nodes of `order`
    /// (a topological order) and their edges; also where each node went.
    fn graph_picture(&self, order: &[NodeId], target: &Expr) -> (GraphPicture, HashMap<NodeId, usize>) {
        let names = self.display_labels(order);
        let index: HashMap<NodeId, usize> = order.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let mut edges = Vec::new();
        for (to, id) in order.iter().enumerate() {
            let inputs = self.graph.inputs(*id);
            for (k, input) in inputs.iter().enumerate() {
                // `a * a` is one edge.
                if let Some(&from) = index.get(input)
                    && !inputs[..k].contains(input)
                {
                    edges.push(GraphEdge { from, to });
                }
            }
        }
        let picture = GraphPicture {
            target: self.text(target),
            nodes: order.iter().map(|id| self.node_row(*id, &names)).collect(),
            edges,
        };
        (picture, index)
    }

    /// `explain L`: `grad L`, narrating every chain-rule step.
    fn explain(&mut self, root: NodeId, target: &Expr) -> Result<Explanation, RuntimeError> {
        let order = self.graph.topo(root);
        let names = self.display_labels(&order);
        self.graph.zero_grad(&[root]);
        // Steps into unlabelled leaves (the literal constants) are real but tell a learner nothing.
        let mut raw: Vec<BackwardStep> = Vec::new();
        self.graph
            .backward_observed(root, &mut |step| raw.push(*step))
            .map_err(|error| self.graph_error(error, target.span))?;
        raw.retain(|step| self.graph.op(step.input) != Op::Leaf || names.contains_key(&step.input));
        let (graph, index) = self.graph_picture(&order, target);
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
                    (Op::Rem, 0) => "1".to_string(),
                    (Op::Rem, _) => format!("-floor({} / {})", data(0), data(1)),
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
                    node: index.get(&node).copied().unwrap_or_default(),
                    input: index.get(&step.input).copied().unwrap_or_default(),
                }
            })
            .collect();
        Ok(Explanation {
            target: self.text(target),
            steps,
            grads: self.grad_table(root, target, &[]),
            graph,
        })
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

/// What a redirected output writes, chosen by the file's extension, and how the
/// `wrote … to …` line names it. `dot` and `plot` draw SVG; `dot`, `plot` and `explain`
/// make web pages; everything else is the text the command prints.
fn file_contents(
    output: &Output,
    command: &Command,
    path: &str,
    host: &dyn Host,
) -> Result<(&'static str, String), String> {
    let extension = path
        .rsplit(['/', '\\'])
        .next()
        .and_then(|name| name.rsplit_once('.'))
        .map(|(_, extension)| extension.to_ascii_lowercase())
        .unwrap_or_default();
    let name = command.keyword();
    let drawn = match output {
        Output::Dot(graph) => graph.nodes.len(),
        Output::Explain(explanation) => explanation.graph.nodes.len(),
        _ => 0,
    };
    if drawn > picture::MAX_DRAWN_NODES && matches!(extension.as_str(), "svg" | "html" | "htm") {
        return Err(format!(
            "the graph has {drawn} values, and a picture of more than {} is unreadable; \
             draw a smaller part of it, or write DOT text to a .dot file",
            picture::MAX_DRAWN_NODES
        ));
    }
    Ok(match (output, extension.as_str()) {
        (Output::Dot(graph), "svg") => ("the graph as SVG", picture::graph_svg(graph)),
        (Output::Dot(graph), "html" | "htm") => ("the graph as a web page", picture::graph_page(graph)),
        (Output::Dot(graph), _) => ("dot", picture::dot_text(graph)),
        (Output::Plot(plot), "svg") => ("the plot as SVG", picture::plot_svg(plot)),
        (Output::Plot(plot), "html" | "htm") => ("the plot as a web page", picture::plot_page(plot)),
        (Output::Explain(explanation), "html" | "htm") => {
            ("the backward steps as a web page", picture::steps_page(explanation))
        }
        (_, "svg") => {
            return Err(format!(
                "'{name}' prints text; only 'dot' and 'plot' draw SVG pictures (write its text to a .txt file)"
            ));
        }
        (_, "html" | "htm") => {
            return Err(format!(
                "'{name}' prints text; only 'dot', 'explain' and 'plot' write web pages (write its text to a .txt file)"
            ));
        }
        // Text, or what the host prints instead (the CLI in JSON mode: the JSON object).
        (other, _) => (name, host.render_for_file(other)),
    })
}
