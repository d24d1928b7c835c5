//! Calling user functions: frames, arguments, the call-depth limit.

use std::rc::Rc;

use super::compiled::{self, Body, Engine};
use super::{BUILTINS, Exec, Flow, Host, Locals, MAX_CALL_DEPTH, RuntimeError, Session, Stop};
use crate::ast::{Argument, Expr, ExprKind, FnBody, Ident};
use crate::span::Span;
use crate::value::{Function, Names, Value};

/// The local names of one running user function.
pub(super) struct Frame {
    /// The function's local names, and the value in each slot (`None` until bound).
    pub(super) locals: Rc<Locals>,
    pub(super) slots: Vec<Option<Value>>,
    /// Names bound that `locals` did not foresee, if any.
    pub(super) extra: Names,
    /// The locals of the function this one was defined in, if any (a closure).
    pub(super) captured: Option<Rc<Names>>,
}

impl Frame {
    /// Every local bound so far, by name.
    pub(super) fn bound(&self) -> impl Iterator<Item = (&String, &Value)> {
        let in_slots = self.locals.names.iter().zip(&self.slots);
        in_slots
            .filter_map(|(name, value)| value.as_ref().map(|value| (name, value)))
            .chain(self.extra.iter())
    }

    #[inline]
    pub(super) fn get(&self, ident: &Ident) -> Option<&Value> {
        match self.locals.slot(ident) {
            Some(slot) => self.slots.get(slot)?.as_ref(),
            None if self.extra.is_empty() => None,
            None => self.extra.get(&ident.name),
        }
    }

    pub(super) fn get_mut(&mut self, ident: &Ident) -> Option<&mut Value> {
        match self.locals.slot(ident) {
            Some(slot) => self.slots.get_mut(slot)?.as_mut(),
            None => self.extra.get_mut(&ident.name),
        }
    }

    pub(super) fn set(&mut self, ident: &Ident, value: Value) {
        match self.locals.slot(ident).and_then(|slot| self.slots.get_mut(slot)) {
            Some(Some(bound)) => bound.replace(value),
            Some(slot) => *slot = Some(value),
            None => {
                // A name the list did not foresee: rebinding it reuses its key.
                match self.extra.get_mut(&ident.name) {
                    Some(slot) => *slot = value,
                    None => {
                        self.extra.insert(ident.name.clone(), value);
                    }
                }
            }
        }
    }
}

/// An argument of a call as written, for the wording of "unknown function".
#[derive(Clone, Debug)]
pub(super) struct ArgText {
    pub(super) span: Span,
    /// The name, when the argument is one (`x` in `f(x)`).
    pub(super) name: Option<String>,
}

impl ArgText {
    pub(super) fn of(args: &[Argument]) -> Vec<ArgText> {
        args.iter()
            .map(|arg| ArgText {
                span: arg.value.span,
                name: match &arg.value.kind {
                    ExprKind::Name(ident) => Some(ident.name.clone()),
                    _ => None,
                },
            })
            .collect()
    }
}

impl Session {
    pub(super) fn eval_call(
        &mut self,
        callee: &Expr,
        args: &[Argument],
        span: Span,
        host: &mut dyn Host,
    ) -> Exec<Value> {
        if let ExprKind::Attribute { object, attribute } = &callee.kind
            && attribute.name == "append"
        {
            return self.append(object, args, span, host);
        }
        let function = match self.eval(callee, host) {
            Ok(function) => function,
            Err(flow) => {
                let name = match &callee.kind {
                    ExprKind::Name(ident) => Some(ident),
                    _ => None,
                };
                return Err(self.unknown_function(flow, name, &ArgText::of(args)));
            }
        };
        // A user function called with as many positional arguments as it has
        // parameters (the usual call) evaluates them straight into its frame.
        if let Value::Function(function) = &function
            && args.len() == function.def.params.len()
            && args.iter().all(|arg| arg.name.is_none())
        {
            let mut slots = self.empty_slots(function.locals.names.len());
            for (arg, &slot) in args.iter().zip(&function.locals.params) {
                match self.eval(&arg.value, host) {
                    Ok(value) => slots[slot] = Some(value),
                    Err(flow) => {
                        self.recycle(slots);
                        return Err(flow);
                    }
                }
            }
            return self.run_function(function, slots, span, host);
        }
        let mut arguments = Arguments::with_capacity(args.len());
        for arg in args {
            let value = self.eval(&arg.value, host)?;
            arguments.push(arg.name.as_ref(), value, arg.value.span)?;
        }
        let Arguments {
            positional,
            spans,
            named,
        } = arguments;
        self.call_value(&function, callee.span, positional, &spans, named, span, host)
    }

    /// Calls what a callee (written at `callee_span`) evaluated to, with its
    /// arguments evaluated: a builtin, a user function or a model.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn call_value(
        &mut self,
        function: &Value,
        callee_span: Span,
        positional: Vec<Value>,
        spans: &[Span],
        named: Vec<(Ident, Value)>,
        span: Span,
        host: &mut dyn Host,
    ) -> Exec<Value> {
        match function {
            Value::Builtin(builtin) => Ok(self.call_builtin(*builtin, &positional, spans, &named, span, host)?),
            Value::Function(function) => self.call_function(function, positional, named, span, host),
            Value::Model(model) => {
                if let Some((name, _)) = named.first() {
                    return Err(RuntimeError::Argument {
                        message: format!("a model takes no argument named '{}'", name.name),
                        span: name.span,
                        help: Some("call a model on one list of inputs, e.g. m([2.0, 3.0])".to_string()),
                    }
                    .into());
                }
                Ok(self.call_model(model, &positional, spans, span)?)
            }
            other => Err(RuntimeError::Type {
                message: format!(
                    "'{}' is {}, not a function",
                    self.sources.slice(callee_span),
                    other.kind_name()
                ),
                span: callee_span,
                help: None,
            }
            .into()),
        }
    }

    /// `foo(2)` with `foo` unbound: an unknown *function*, with a function for "did you
    /// mean" and, failing one, how to define it. Any other error is given back as it was.
    #[cold]
    #[inline(never)]
    pub(super) fn unknown_function(&self, flow: Flow, callee: Option<&Ident>, args: &[ArgText]) -> Flow {
        let (Some(ident), Stop::Error(RuntimeError::UnknownName { .. })) = (callee, &*flow.0) else {
            return flow;
        };
        let mut callables: Vec<&str> = BUILTINS.to_vec();
        let mut bound: Vec<(&str, &Value)> = self.globals.names().zip(self.globals.values()).collect();
        if let Some(frame) = self.frames.last() {
            bound.extend(frame.bound().map(|(name, value)| (name.as_str(), value)));
            bound.extend(
                frame
                    .captured
                    .iter()
                    .flat_map(|names| names.iter().map(|(n, v)| (n.as_str(), v))),
            );
        }
        callables.extend(
            bound
                .into_iter()
                .filter(|(_, value)| matches!(value, Value::Function(_) | Value::Builtin(_) | Value::Model(_)))
                .map(|(name, _)| name),
        );
        let suggestion = crate::suggest::closest(&ident.name, callables).map(str::to_string);
        let arg_text = |k: usize, default: &str| match args.get(k).and_then(|arg| arg.name.as_deref()) {
            Some(name) => name.to_string(),
            None => default.to_string(),
        };
        let help = if suggestion.is_some() {
            None
        } else if ident.name == "append" && args.len() == 2 {
            Some(format!(
                "to add an item to a list, write {}.append({})",
                self.sources.slice(args[0].span),
                self.sources.slice(args[1].span)
            ))
        } else {
            let defaults = ["x", "y", "z"];
            let params: Vec<String> = (0..args.len())
                .map(|k| arg_text(k, defaults.get(k).copied().unwrap_or("w")))
                .collect();
            Some(format!(
                "define it first, e.g. fn {}({}) = …",
                ident.name,
                params.join(", ")
            ))
        };
        RuntimeError::UnknownFunction {
            name: ident.name.clone(),
            span: ident.span,
            suggestion,
            help,
        }
        .into()
    }

    pub(super) fn call_function(
        &mut self,
        function: &Rc<Function>,
        positional: Vec<Value>,
        named: Vec<(Ident, Value)>,
        span: Span,
        host: &mut dyn Host,
    ) -> Exec<Value> {
        let def = &function.def;
        let signature = || {
            format!(
                "it is defined as fn {}({})",
                def.name.name,
                def.params
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        if positional.len() > def.params.len() || positional.len() + named.len() != def.params.len() {
            let given = positional.len() + named.len();
            return Err(RuntimeError::Argument {
                message: format!(
                    "'{}' takes {} argument{}, but {} {} given",
                    def.name.name,
                    def.params.len(),
                    if def.params.len() == 1 { "" } else { "s" },
                    given,
                    if given == 1 { "was" } else { "were" }
                ),
                span,
                help: Some(signature()),
            }
            .into());
        }
        let locals = &function.locals;
        let mut slots = self.empty_slots(locals.names.len());
        for (&slot, value) in locals.params.iter().zip(positional) {
            slots[slot] = Some(value);
        }
        for (name, value) in named {
            let param = def.params.iter().position(|param| param.name == name.name);
            let slot = param.map(|param| locals.params[param]);
            let known = slot.is_some();
            if !known || slot.is_some_and(|slot| slots[slot].is_some()) {
                return Err(RuntimeError::Argument {
                    message: if known {
                        format!("the argument '{}' is given twice", name.name)
                    } else {
                        format!("'{}' has no parameter named '{}'", def.name.name, name.name)
                    },
                    span: name.span,
                    help: Some(signature()),
                }
                .into());
            }
            if let Some(slot) = slot {
                slots[slot] = Some(value);
            }
        }
        self.run_function(function, slots, span, host)
    }

    /// Runs `function`'s body in a new frame whose locals are `slots` (its
    /// arguments already in their slots).
    pub(super) fn run_function(
        &mut self,
        function: &Rc<Function>,
        mut slots: Vec<Option<Value>>,
        span: Span,
        host: &mut dyn Host,
    ) -> Exec<Value> {
        let def = &function.def;
        if let Err(flow) = self.tick(span, host) {
            self.recycle(slots);
            return Err(flow);
        }
        let locals = Rc::clone(&function.locals);
        if self.frames.len() >= MAX_CALL_DEPTH {
            self.recycle(slots);
            return Err(RuntimeError::Limit {
                message: format!("calls are nested more than {MAX_CALL_DEPTH} deep"),
                span,
                help: Some(format!("does '{}' call itself without stopping?", def.name.name)),
            }
            .into());
        }
        // The function can always call itself by its own name, even as a closure.
        slots[locals.own].get_or_insert_with(|| Value::Function(Rc::clone(function)));
        self.frames.push(Frame {
            locals: Rc::clone(&locals),
            slots,
            extra: Names::default(),
            captured: function.captured.clone(),
        });
        let compiled = match self.engine {
            Engine::Compiled => locals.compiled.get_or_init(|| compiled::function_body(def)).as_ref(),
            Engine::TreeWalker => None,
        };
        let result = match (compiled, &def.body) {
            (Some(Body::Expr(code)), _) => self.run(code, host),
            (Some(Body::Block(block)), _) => returned(self.run_block(block, host)),
            (None, FnBody::Expr(expr)) => self.eval(expr, host),
            (None, FnBody::Block(block)) => returned(self.exec_block(block, host)),
        };
        if let Some(frame) = self.frames.pop() {
            self.recycle(frame.slots);
        }
        if let Err(Flow(stop)) = &result
            && let Stop::Error(_) = **stop
        {
            self.unwound_calls.push((span, def.name.name.clone()));
        }
        result
    }

    /// A `Vec` of `len` empty slots, reusing one a finished call left.
    pub(super) fn empty_slots(&mut self, len: usize) -> Vec<Option<Value>> {
        let mut slots = self.spare_slots.pop().unwrap_or_default();
        slots.resize(len, None);
        slots
    }

    /// Keeps a finished call's slot `Vec` for the next call, emptied so that it
    /// holds on to no value.
    pub(super) fn recycle(&mut self, mut slots: Vec<Option<Value>>) {
        slots.clear();
        self.spare_slots.push(slots);
    }
}

/// What a function's block gives back: the value of its `return`, or nothing.
fn returned(result: Exec<()>) -> Exec<Value> {
    match result {
        Ok(()) => Ok(Value::None),
        Err(Flow(stop)) => match *stop {
            Stop::Return(value, _) => Ok(value),
            error => Err(Flow(Box::new(error))),
        },
    }
}

/// A call's arguments, sorted as they are evaluated: the positional ones in order
/// (with their spans, for errors), then the named ones. Both engines collect them
/// here, so the rules and their errors are worded once.
pub(super) struct Arguments {
    pub(super) positional: Vec<Value>,
    pub(super) spans: Vec<Span>,
    pub(super) named: Vec<(Ident, Value)>,
}

impl Arguments {
    pub(super) fn with_capacity(count: usize) -> Self {
        Arguments {
            positional: Vec::with_capacity(count),
            spans: Vec::with_capacity(count),
            named: Vec::new(),
        }
    }

    /// Adds an argument (`name=value` when `name` is given) whose value spans `span`:
    /// a name given twice, or a positional argument after a named one, is an error.
    pub(super) fn push(&mut self, name: Option<&Ident>, value: Value, span: Span) -> Exec<()> {
        match name {
            Some(name) => {
                if self.named.iter().any(|(seen, _)| seen.name == name.name) {
                    return Err(RuntimeError::Argument {
                        message: format!("the argument '{}' is given twice", name.name),
                        span: name.span,
                        help: None,
                    }
                    .into());
                }
                self.named.push((name.clone(), value));
            }
            None if !self.named.is_empty() => {
                return Err(RuntimeError::Argument {
                    message: "a positional argument cannot follow a named one".to_string(),
                    span,
                    help: Some("put the named arguments last, e.g. MLP(2, [16, 1], act=\"relu\")".to_string()),
                }
                .into());
            }
            None => {
                self.positional.push(value);
                self.spans.push(span);
            }
        }
        Ok(())
    }
}
