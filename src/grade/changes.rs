//! What a submission did to the names setup bound (SPEC §8: "changing setup's
//! leaves' data, or rebinding a name a question reads, is reported").
//!
//! After setup, each global name's value is recorded; after the submission, it is
//! compared. A node whose data changed is reported; so is a name bound to a new
//! value that differs from setup's. A name bound again to an equal value (the
//! handout's copy of setup, run a second time) is not: what the question reads is
//! the same.

use std::rc::Rc;

use crate::graph::NodeId;
use crate::interpreter::Session;
use crate::number::format_number;
use crate::value::Value;

/// Setup's bindings, as they were when it finished.
pub(super) struct Setup {
    bindings: Vec<(String, Print)>,
}

/// What a value was, enough to tell whether it changed.
#[derive(Clone, Debug, PartialEq)]
enum Print {
    Num(f64),
    Node {
        id: NodeId,
        data: f64,
    },
    /// A function, by its definition's text (whitespace aside).
    Function(String),
    /// A model, by identity and its parameters' data.
    Model {
        address: usize,
        parameters: Vec<f64>,
    },
    /// A list, by identity and the numbers in it (`None` if it holds anything else).
    List {
        address: usize,
        numbers: Option<Vec<f64>>,
    },
    Other(&'static str),
}

/// One change to a name setup bound.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Change {
    /// The node bound to `name` is the same, but its data changed.
    Data { name: String, from: f64, to: f64 },
    /// `name` is bound to a different value.
    Rebound { name: String, from: String, to: String },
}

pub(super) fn record(session: &Session) -> Setup {
    let bindings = session
        .names()
        .into_iter()
        .filter_map(|name| {
            let print = print(session, session.get(&name)?);
            Some((name, print))
        })
        .collect();
    Setup { bindings }
}

/// The changes to setup's names, in the order of the names.
pub(super) fn compare(session: &Session, setup: &Setup) -> Vec<Change> {
    let mut changes = Vec::new();
    for (name, before) in &setup.bindings {
        let Some(value) = session.get(name) else { continue };
        let now = print(session, value);
        if now == *before {
            continue;
        }
        match (before, &now) {
            (Print::Node { id, data: from }, Print::Node { id: same, data: to }) if id == same => {
                changes.push(Change::Data {
                    name: name.clone(),
                    from: *from,
                    to: *to,
                });
            }
            // The same value as a new node: the handout's setup, run again.
            (Print::Node { data: from, .. }, Print::Node { data: to, .. }) if from == to => {}
            // A model trained in place, or a list of nodes: the same value, changed
            // through its nodes, which is what a training loop does.
            (Print::Model { address: a, .. }, Print::Model { address: b, .. })
            | (Print::List { address: a, .. }, Print::List { address: b, .. })
                if a == b => {}
            (Print::Model { parameters: from, .. }, Print::Model { parameters: to, .. }) if from == to => {}
            (Print::List { numbers: from, .. }, Print::List { numbers: to, .. }) if from == to && from.is_some() => {}
            _ => changes.push(Change::Rebound {
                name: name.clone(),
                from: describe(before),
                to: describe(&now),
            }),
        }
    }
    changes
}

fn print(session: &Session, value: &Value) -> Print {
    match value {
        Value::Num(x) => Print::Num(*x),
        Value::Node(id) => Print::Node {
            id: *id,
            data: session.graph().data(*id),
        },
        Value::Function(function) => {
            let text = session.sources().slice(function.def.span);
            Print::Function(text.split_whitespace().collect::<Vec<_>>().join(" "))
        }
        Value::Model(model) => Print::Model {
            address: Rc::as_ptr(model) as usize,
            parameters: model
                .parameters()
                .into_iter()
                .map(|id| session.graph().data(id))
                .collect(),
        },
        Value::List(items) => Print::List {
            address: Rc::as_ptr(items) as usize,
            numbers: items.iter().map(|item| session.number_of(item)).collect(),
        },
        other => Print::Other(other.kind_name()),
    }
}

fn describe(print: &Print) -> String {
    match print {
        Print::Num(x) | Print::Node { data: x, .. } => format_number(*x),
        Print::Function(_) => "a function".to_string(),
        Print::Model { .. } => "a model".to_string(),
        Print::List { .. } => "a list".to_string(),
        Print::Other(kind) => kind.to_string(),
    }
}
