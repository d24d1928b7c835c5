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
    /// A model, by its architecture (`MLP(3, [4, 4, 1])`): its parameters change as it
    /// trains, whichever model it is.
    Model(String),
    /// A list, by identity and what it holds (`None`: more than is worth comparing).
    List {
        address: usize,
        items: Option<Vec<Print>>,
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
    /// `name`, a builtin or a constant setup left alone, is bound by the submission,
    /// which hides the builtin from a question that calls it.
    Hides { name: String, to: String },
}

impl Change {
    /// The name whose binding changed (none for a node's data, which no rebinding hides).
    pub(super) fn name(&self) -> Option<&str> {
        match self {
            Change::Rebound { name, .. } | Change::Hides { name, .. } => Some(name),
            Change::Data { .. } => None,
        }
    }
}

pub(super) fn record(session: &Session) -> Setup {
    let bindings = session
        .names()
        .into_iter()
        .filter_map(|name| {
            let print = print(session, session.get(&name)?, 0);
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
        let now = print(session, value, 0);
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
            // A list of nodes changed through its nodes: the same value, trained.
            (Print::List { address: a, .. }, Print::List { address: b, .. }) if a == b => {}
            // An equal value, made anew: the handout's setup, run again.
            (before, now) if same_value(before, now) => {}
            _ => changes.push(Change::Rebound {
                name: name.clone(),
                from: describe(before),
                to: describe(&now),
            }),
        }
    }
    changes
}

/// The builtins and constants among `names` that setup did not bind and the
/// submission did (`fn sum(xs) = 0` hides `sum` from a question that adds up a list).
pub(super) fn hidden_builtins<'a>(
    session: &Session,
    setup: &Setup,
    names: impl Iterator<Item = &'a str>,
) -> Vec<Change> {
    let mut changes: Vec<Change> = Vec::new();
    for name in names {
        let builtin = crate::value::Builtin::lookup(name).is_some()
            || crate::value::CONSTANTS.iter().any(|(constant, _)| *constant == name);
        let in_setup = setup.bindings.iter().any(|(bound, _)| bound == name);
        let already = changes
            .iter()
            .any(|change| matches!(change, Change::Hides { name: seen, .. } if seen == name));
        if let (true, false, false, Some(value)) = (builtin, in_setup, already, session.get(name)) {
            changes.push(Change::Hides {
                name: name.to_string(),
                to: describe(&print(session, value, 0)),
            });
        }
    }
    changes
}

/// Whether two values are equal as a program sees them: numbers and nodes by their
/// data, lists item by item, functions by their text, models by their architecture.
fn same_value(a: &Print, b: &Print) -> bool {
    let number = |print: &Print| match print {
        Print::Num(x) | Print::Node { data: x, .. } => Some(*x),
        _ => None,
    };
    match (a, b) {
        (Print::List { items: Some(a), .. }, Print::List { items: Some(b), .. }) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same_value(a, b))
        }
        (Print::List { .. }, _) | (_, Print::List { .. }) => false,
        _ => match (number(a), number(b)) {
            (Some(x), Some(y)) => x == y,
            (None, None) => a == b,
            _ => false,
        },
    }
}

/// Lists longer or deeper than this are compared by identity only.
const MAX_COMPARED_ITEMS: usize = 10_000;
const MAX_COMPARED_NESTING: usize = 4;

fn print(session: &Session, value: &Value, depth: usize) -> Print {
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
        Value::Model(model) => Print::Model(model.describe()),
        Value::List(items) if items.len() <= MAX_COMPARED_ITEMS && depth < MAX_COMPARED_NESTING => Print::List {
            address: Rc::as_ptr(items) as usize,
            items: Some(items.iter().map(|item| print(session, item, depth + 1)).collect()),
        },
        Value::List(items) => Print::List {
            address: Rc::as_ptr(items) as usize,
            items: None,
        },
        other => Print::Other(other.kind_name()),
    }
}

fn describe(print: &Print) -> String {
    match print {
        Print::Num(x) | Print::Node { data: x, .. } => format_number(*x),
        Print::Function(_) => "a function".to_string(),
        Print::Model(model) => format!("a model, {model}"),
        Print::List { .. } => "a list".to_string(),
        Print::Other(kind) => kind.to_string(),
    }
}
