//! The interpreter's thread: one mg [`Session`] for the kernel's life, fed requests by
//! the shell, publishing what cells print on IOPub as they run.
//!
//! The session lives on its own thread with a large stack (as the CLI's does), so the
//! sockets' tasks go on while a cell runs: the control channel can interrupt it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use mgrad::assist::Completion;
use mgrad::diagnostic::ErrorKind;
use mgrad::interpreter::{Host, Session};
use mgrad::limits::{Halt, Limits};
use mgrad::meta::is_meta_command;
use mgrad::output::Output;
use mgrad::render::render_shown;
use serde_json::{Value, json};
use tokio::sync::{mpsc::UnboundedSender, oneshot};

use super::mime::{error_fields, execute_result, output_message, problem_fields, stream};
use super::wire::Message;
use crate::host::RunLimits;
use crate::repl::{Origin, Reply, handle_entry};

/// A message for IOPub, made by whoever has something to say (the shell, the
/// interpreter's thread), published in the order it was queued.
pub(crate) enum Publication {
    Message {
        parent: Arc<Message>,
        msg_type: &'static str,
        content: Value,
    },
    /// Answered once everything queued before it has been sent.
    Flush(oneshot::Sender<()>),
}

/// Whether a running cell has been asked to stop (an `interrupt_request`).
#[derive(Clone, Default)]
pub(crate) struct Interrupt {
    requested: Arc<AtomicBool>,
    running: Arc<AtomicBool>,
}

impl Interrupt {
    /// Asks the running cell to stop; with no cell running there is nothing to stop,
    /// and the next cell is not affected.
    pub(crate) fn request(&self) {
        if self.running.load(Ordering::SeqCst) {
            self.requested.store(true, Ordering::SeqCst);
        }
    }

    fn start(&self) {
        self.requested.store(false, Ordering::SeqCst);
        self.running.store(true, Ordering::SeqCst);
    }

    fn finish(&self) {
        self.running.store(false, Ordering::SeqCst);
        self.requested.store(false, Ordering::SeqCst);
    }

    fn requested(&self) -> bool {
        self.requested.load(Ordering::Relaxed)
    }
}

/// What the shell asks of the session.
pub(crate) enum Request {
    Execute {
        parent: Arc<Message>,
        code: String,
        /// Run without echoing the code or showing the result, and without counting.
        silent: bool,
        store_history: bool,
        reply: oneshot::Sender<Executed>,
    },
    /// Completion at a byte offset.
    Complete {
        code: String,
        pos: usize,
        reply: oneshot::Sender<Completion>,
    },
    /// Inspection at a byte offset.
    Inspect {
        code: String,
        pos: usize,
        reply: oneshot::Sender<Option<String>>,
    },
}

/// How a cell went: the `execute_reply`'s content, and what history keeps of it.
pub(crate) struct Executed {
    pub content: Value,
    pub failed: bool,
    pub execution_count: u64,
    /// The cell's result as text, for history with outputs.
    pub result: Option<String>,
}

/// The stack of the interpreter's thread, as the CLI's (deep graphs and nested programs recurse).
const STACK_SIZE: usize = crate::STACK_SIZE;

/// Starts the interpreter's thread, whose session runs under `limits` (each cell has
/// the whole time and output limit); requests go to the returned sender.
pub(crate) fn spawn(
    iopub: UnboundedSender<Publication>,
    interrupt: Interrupt,
    limits: Limits,
    color: bool,
) -> Result<mpsc::Sender<Request>, String> {
    let (sender, requests) = mpsc::channel();
    std::thread::Builder::new()
        .name("mg".to_string())
        .stack_size(STACK_SIZE)
        .spawn(move || Runner::new(iopub, interrupt, limits, color).serve(requests))
        .map_err(|error| format!("cannot start the interpreter thread: {error}"))?;
    Ok(sender)
}

struct Runner {
    session: Session,
    iopub: UnboundedSender<Publication>,
    interrupt: Interrupt,
    /// Colour in tracebacks (not with `NO_COLOR`).
    color: bool,
    execution_count: u64,
    started: Instant,
}

impl Runner {
    fn new(iopub: UnboundedSender<Publication>, interrupt: Interrupt, limits: Limits, color: bool) -> Runner {
        Runner {
            session: Session::with_limits(limits),
            iopub,
            interrupt,
            color,
            execution_count: 0,
            started: Instant::now(),
        }
    }

    fn serve(mut self, requests: mpsc::Receiver<Request>) {
        // A reply nobody waits for any more (the shell has gone) is dropped.
        for request in requests {
            match request {
                Request::Execute {
                    parent,
                    code,
                    silent,
                    store_history,
                    reply,
                } => {
                    let _ = reply.send(self.execute(&parent, &code, silent, store_history));
                }
                Request::Complete { code, pos, reply } => {
                    let _ = reply.send(self.session.complete(&code, pos));
                }
                Request::Inspect { code, pos, reply } => {
                    let _ = reply.send(self.session.inspect(&code, pos));
                }
            }
        }
    }

    fn publish(&self, parent: &Arc<Message>, msg_type: &'static str, content: Value) {
        let _ = self.iopub.send(Publication::Message {
            parent: Arc::clone(parent),
            msg_type,
            content,
        });
    }

    /// Runs a cell: mg statements (undone one by one if they fail, as in the REPL), or
    /// meta-commands, one a line (`:help grad`, `:vars`, `:reset`).
    fn execute(&mut self, parent: &Arc<Message>, code: &str, silent: bool, store_history: bool) -> Executed {
        if !silent && store_history {
            self.execution_count += 1;
        }
        let count = self.execution_count;
        if !silent {
            self.publish(parent, "execute_input", json!({"code": code, "execution_count": count}));
        }
        let mut host = KernelHost::new(self, parent);
        self.interrupt.start();
        let outcome = if is_meta_command(code) {
            self.meta_commands(code, &mut host)
        } else {
            match self.session.run_cell(&format!("In[{count}]"), code, &mut host) {
                Ok(result) => Ok(result),
                Err(mut diagnostic) => {
                    if diagnostic.kind == ErrorKind::Interrupted {
                        // The library's sentence names Ctrl-C; a notebook has a button.
                        diagnostic.message = "interrupted while this statement ran; it is undone".to_string();
                    }
                    Err(error_fields(self.session.sources(), &diagnostic, self.color))
                }
            }
        };
        self.interrupt.finish();
        match outcome {
            Ok(result) => {
                let result = result.filter(|_| !silent);
                if let Some(value) = &result {
                    self.publish(parent, "execute_result", execute_result(value, count));
                }
                Executed {
                    content: json!({"status": "ok", "execution_count": count, "payload": [], "user_expressions": {}}),
                    failed: false,
                    execution_count: count,
                    result: result.as_ref().map(render_shown),
                }
            }
            Err(fields) => {
                self.publish(parent, "error", fields.clone());
                let mut content = fields;
                content["status"] = json!("error");
                content["execution_count"] = json!(count);
                Executed {
                    content,
                    failed: true,
                    execution_count: count,
                    result: None,
                }
            }
        }
    }

    /// A cell of meta-commands, one a line, as the REPL runs them; the first that fails
    /// ends the cell with an error.
    fn meta_commands(&mut self, code: &str, host: &mut KernelHost) -> Result<Option<mgrad::output::Shown>, Value> {
        for line in code.lines().filter(|line| !line.trim().is_empty()) {
            if !is_meta_command(line) {
                return Err(problem_fields(&format!(
                    "a cell of meta-commands has one on each line, so '{}' cannot run here; put mg code in a cell of its own",
                    line.trim()
                )));
            }
            match handle_entry(&mut self.session, line, Origin::Prompt, host) {
                Reply::Nothing => {}
                Reply::Text { text, .. } => host.stream(&text),
                Reply::Problem(message) => return Err(problem_fields(&message)),
                Reply::Error(diagnostic) => return Err(error_fields(self.session.sources(), &diagnostic, self.color)),
                Reply::Quit => host
                    .stream("the kernel goes on: to stop it, use the notebook's Kernel menu (Shut Down, or Restart)\n"),
            }
        }
        Ok(None)
    }
}

/// The host of a cell: what it prints goes to IOPub as the cell's output. It stops the
/// cell when asked to (an interrupt), past the time limit, or past the output limit.
struct KernelHost {
    iopub: UnboundedSender<Publication>,
    parent: Arc<Message>,
    interrupt: Interrupt,
    /// Since the kernel started, for `clock()`.
    started: Instant,
    run: RunLimits,
}

impl KernelHost {
    /// The host of a cell about to run: the whole time and output limit are ahead of it.
    fn new(runner: &Runner, parent: &Arc<Message>) -> KernelHost {
        KernelHost {
            iopub: runner.iopub.clone(),
            parent: Arc::clone(parent),
            interrupt: runner.interrupt.clone(),
            started: runner.started,
            run: RunLimits::new(runner.session.limits()),
        }
    }

    /// Publishes an output, counting its text (a stream's, or a bundle's plain text)
    /// against the output limit: one past it is not shown, and the next poll stops the cell.
    fn send(&mut self, (msg_type, content): (&'static str, Value)) {
        let text = content["text"]
            .as_str()
            .or_else(|| content["data"]["text/plain"].as_str());
        if !self.run.spend(text.map_or(0, str::len)) {
            return;
        }
        let _ = self.iopub.send(Publication::Message {
            parent: Arc::clone(&self.parent),
            msg_type,
            content,
        });
    }

    fn stream(&mut self, text: &str) {
        self.send(stream(text));
    }
}

impl Host for KernelHost {
    fn emit(&mut self, output: Output) {
        self.send(output_message(&output));
    }

    fn write_file(&mut self, path: &str, contents: &str) -> Result<(), String> {
        self.run.write_file(path, contents)
    }

    fn clock(&mut self) -> Option<f64> {
        Some(self.started.elapsed().as_secs_f64())
    }

    fn poll(&mut self) -> Result<(), Halt> {
        self.run.check(self.interrupt.requested())
    }
}
