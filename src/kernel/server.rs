//! The kernel's five sockets and the tasks that serve them.
//!
//! - **shell** (ROUTER): requests, one at a time; each is wrapped in `busy` … `idle`
//!   on IOPub, and its reply goes back on shell before `idle` is queued.
//! - **control** (ROUTER): `interrupt_request`, `shutdown_request`, `kernel_info_request`,
//!   served by its own task, so they are answered while a cell runs.
//! - **iopub** (XPUB): one task owns it and sends what [`Publication`]s are queued,
//!   in order, so `idle` can never overtake a cell's output. A new subscriber gets an
//!   `iopub_welcome` (JEP 65), so a client knows when it stops missing messages.
//! - **stdin** (ROUTER): bound, so clients can connect; mg never asks for input.
//! - **heartbeat** (REP): echoes.
//!
//! One thread runs the sockets (a current-thread tokio runtime); the session runs on
//! the interpreter's thread ([`super::runner`]).

use std::sync::Arc;
use std::sync::mpsc as std_mpsc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::sync::oneshot;
use zeromq::{RepSocket, RouterSocket, Socket, SocketRecv, SocketSend, XPubSocket, ZmqMessage};

use mgrad::limits::Limits;

use super::protocol::{History, complete_reply, cursor, inspect_reply, is_complete_reply, kernel_info};
use super::runner::{Executed, Interrupt, Publication, Request};
use super::wire::{ConnectionInfo, Message, Signer};

/// How long the socket writers get to send the last replies before the process exits.
const LINGER: Duration = Duration::from_millis(100);

/// Serves the kernel described by a connection file until a `shutdown_request`; its
/// session runs under `limits`.
pub(crate) fn serve(info: ConnectionInfo, limits: Limits, color: bool) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| format!("cannot start the kernel's event loop: {error}"))?;
    runtime.block_on(serve_sockets(info, limits, color))
}

/// What every task needs to sign and publish.
struct Kernel {
    /// This kernel's session id, in every header it writes.
    session: String,
    signer: Signer,
    iopub: UnboundedSender<Publication>,
    interrupt: Interrupt,
}

impl Kernel {
    fn publish(&self, parent: &Arc<Message>, msg_type: &'static str, content: Value) {
        let _ = self.iopub.send(Publication::Message {
            parent: Arc::clone(parent),
            msg_type,
            content,
        });
    }

    fn status(&self, parent: &Arc<Message>, state: &str) {
        self.publish(parent, "status", json!({"execution_state": state}));
    }

    /// Sends a reply to `request` on `socket` (the channel the request came in on).
    async fn reply(&self, socket: &mut RouterSocket, request: &Message, msg_type: &str, content: Value) {
        let reply = Message::child(request, &self.session, msg_type, content);
        if let Some(frames) = to_zmq(reply.encode(&self.signer)) {
            let _ = socket.send(frames).await;
        }
    }

    /// Waits until IOPub has sent everything queued so far, lets the writers flush,
    /// and ends the process.
    async fn exit(&self) -> ! {
        let (done, flushed) = oneshot::channel();
        if self.iopub.send(Publication::Flush(done)).is_ok() {
            let _ = tokio::time::timeout(LINGER, flushed).await;
        }
        tokio::time::sleep(LINGER).await;
        std::process::exit(0)
    }
}

async fn bind<S: Socket>(mut socket: S, info: &ConnectionInfo, port: u16, name: &str) -> Result<S, String> {
    let endpoint = info.endpoint(port);
    socket
        .bind(&endpoint)
        .await
        .map_err(|error| format!("cannot listen for the {name} channel on {endpoint}: {error}"))?;
    Ok(socket)
}

async fn serve_sockets(info: ConnectionInfo, limits: Limits, color: bool) -> Result<(), String> {
    let shell = bind(RouterSocket::new(), &info, info.shell_port, "shell").await?;
    let control = bind(RouterSocket::new(), &info, info.control_port, "control").await?;
    let stdin = bind(RouterSocket::new(), &info, info.stdin_port, "stdin").await?;
    let iopub = bind(XPubSocket::new(), &info, info.iopub_port, "iopub").await?;
    let heartbeat = bind(RepSocket::new(), &info, info.hb_port, "heartbeat").await?;

    let (publications, queue) = unbounded_channel();
    let interrupt = Interrupt::default();
    // SIGINT (a frontend in signal mode, or Ctrl-C where the kernel was started by hand)
    // interrupts the running cell, as an interrupt_request does, rather than ending the kernel.
    let _ = ctrlc::set_handler({
        let interrupt = interrupt.clone();
        move || interrupt.request()
    });
    let runner = super::runner::spawn(publications.clone(), interrupt.clone(), limits, color)?;
    let kernel = Arc::new(Kernel {
        session: uuid::Uuid::new_v4().to_string(),
        signer: Signer::new(&info.key),
        iopub: publications,
        interrupt,
    });

    tokio::spawn(serve_heartbeat(heartbeat));
    tokio::spawn(serve_iopub(iopub, queue, Arc::clone(&kernel)));
    tokio::spawn(serve_control(control, Arc::clone(&kernel)));
    // Kept alive (and so bound) for as long as the kernel runs.
    let _stdin = stdin;
    serve_shell(shell, kernel, runner).await;
    Ok(())
}

/// A message's frames as ZeroMQ's type (`None` for no frames, which never happens).
fn to_zmq(frames: Vec<Vec<u8>>) -> Option<ZmqMessage> {
    ZmqMessage::try_from(frames.into_iter().map(Bytes::from).collect::<Vec<_>>()).ok()
}

/// Receives and checks the next message; one that fails its signature or is malformed
/// is reported on stderr (the frontend's log) and skipped.
async fn receive(socket: &mut RouterSocket, signer: &Signer, channel: &str) -> Arc<Message> {
    loop {
        let Ok(message) = socket.recv().await else {
            continue;
        };
        let frames: Vec<Vec<u8>> = message.into_vec().into_iter().map(|frame| frame.to_vec()).collect();
        match Message::decode(&frames, signer) {
            Ok(message) => return Arc::new(message),
            Err(problem) => eprintln!("mgrad kernel: ignoring {problem} on the {channel} channel"),
        }
    }
}

async fn serve_heartbeat(mut socket: RepSocket) {
    loop {
        if let Ok(ping) = socket.recv().await {
            let _ = socket.send(ping).await;
        }
    }
}

/// Sends the queued publications in order, and welcomes each new subscriber.
async fn serve_iopub(mut socket: XPubSocket, mut queue: UnboundedReceiver<Publication>, kernel: Arc<Kernel>) {
    // A publication taken from the queue while gathering a stream, to send next.
    let mut pending: Option<Publication> = None;
    loop {
        let publication = match pending.take() {
            Some(publication) => publication,
            None => tokio::select! {
                subscription = socket.recv() => {
                    // A subscription is one frame: 1, then the topic (0 unsubscribes).
                    if let Ok(frames) = subscription
                        && let Some(frame) = frames.get(0)
                        && frame.first() == Some(&1)
                    {
                        let topic = frame[1..].to_vec();
                        let welcome = Message::orphan(
                            &kernel.session,
                            "iopub_welcome",
                            json!({"subscription": String::from_utf8_lossy(&topic)}),
                        );
                        send_published(&mut socket, &kernel.signer, topic, &welcome).await;
                    }
                    continue;
                }
                next = queue.recv() => match next {
                    Some(publication) => publication,
                    None => return,
                },
            },
        };
        match publication {
            Publication::Flush(done) => {
                let _ = done.send(());
            }
            Publication::Message {
                parent,
                msg_type,
                mut content,
            } => {
                if msg_type == "stream" {
                    // Gather the stream text already queued behind this one into one message,
                    // so a loop that prints a line per step does not send a message per line.
                    while let Ok(next) = queue.try_recv() {
                        match next {
                            Publication::Message {
                                parent: next_parent,
                                msg_type: "stream",
                                content: next_content,
                            } if Arc::ptr_eq(&next_parent, &parent) && next_content["name"] == content["name"] => {
                                let joined = format!(
                                    "{}{}",
                                    content["text"].as_str().unwrap_or(""),
                                    next_content["text"].as_str().unwrap_or("")
                                );
                                content["text"] = json!(joined);
                            }
                            other => {
                                pending = Some(other);
                                break;
                            }
                        }
                    }
                }
                let message = Message::child(&parent, &kernel.session, msg_type, content);
                let topic = format!("kernel.{}.{msg_type}", kernel.session).into_bytes();
                send_published(&mut socket, &kernel.signer, topic, &message).await;
            }
        }
    }
}

async fn send_published(socket: &mut XPubSocket, signer: &Signer, topic: Vec<u8>, message: &Message) {
    let mut frames = vec![topic];
    frames.extend(message.encode(signer).into_iter().skip(message.identities.len()));
    if let Some(frames) = to_zmq(frames) {
        let _ = socket.send(frames).await;
    }
}

async fn serve_control(mut socket: RouterSocket, kernel: Arc<Kernel>) {
    loop {
        let request = receive(&mut socket, &kernel.signer, "control").await;
        match request.msg_type() {
            "kernel_info_request" => {
                kernel
                    .reply(&mut socket, &request, "kernel_info_reply", kernel_info())
                    .await
            }
            "interrupt_request" => {
                kernel.interrupt.request();
                kernel
                    .reply(&mut socket, &request, "interrupt_reply", json!({"status": "ok"}))
                    .await;
            }
            "shutdown_request" => {
                let restart = request.content["restart"].as_bool().unwrap_or(false);
                kernel
                    .reply(
                        &mut socket,
                        &request,
                        "shutdown_reply",
                        json!({"status": "ok", "restart": restart}),
                    )
                    .await;
                kernel.exit().await;
            }
            _ => {}
        }
    }
}

/// What the shell loop does after a request: go on, or abort the execute requests that
/// were already waiting when a cell failed with `stop_on_error` (the rest of a "Run
/// All"), as ipykernel does.
enum After {
    Continue,
    Abort(Vec<Arc<Message>>),
}

async fn serve_shell(mut socket: RouterSocket, kernel: Arc<Kernel>, runner: std_mpsc::Sender<Request>) {
    let mut history = History::default();
    loop {
        let request = receive(&mut socket, &kernel.signer, "shell").await;
        kernel.status(&request, "busy");
        let after = handle_shell(&mut socket, &kernel, &runner, &mut history, &request).await;
        kernel.status(&request, "idle");
        if let After::Abort(waiting) = after {
            for request in waiting {
                kernel.status(&request, "busy");
                if request.msg_type() == "execute_request" {
                    kernel
                        .reply(&mut socket, &request, "execute_reply", json!({"status": "aborted"}))
                        .await;
                } else {
                    // Anything else waiting is answered as usual (it cannot fail a cell).
                    handle_shell(&mut socket, &kernel, &runner, &mut history, &request).await;
                }
                kernel.status(&request, "idle");
            }
        }
    }
}

/// The requests that have arrived and wait on the socket now, without waiting for more.
/// Taken before a failed cell's reply is sent, they were all sent before the client
/// could know of the failure.
async fn waiting_requests(socket: &mut RouterSocket, signer: &Signer) -> Vec<Arc<Message>> {
    let mut waiting = Vec::new();
    loop {
        // Let the event loop take in what has arrived, then take only what is there now.
        tokio::task::yield_now().await;
        match tokio::time::timeout(Duration::ZERO, receive(socket, signer, "shell")).await {
            Ok(request) => waiting.push(request),
            Err(_) => return waiting,
        }
    }
}

/// Handles one shell request and sends its reply.
async fn handle_shell(
    socket: &mut RouterSocket,
    kernel: &Kernel,
    runner: &std_mpsc::Sender<Request>,
    history: &mut History,
    request: &Arc<Message>,
) -> After {
    let content = &request.content;
    let code = content["code"].as_str().unwrap_or("").to_string();
    let (reply_type, reply) = match request.msg_type() {
        "kernel_info_request" => ("kernel_info_reply", kernel_info()),
        "execute_request" => {
            let silent = content["silent"].as_bool().unwrap_or(false);
            let store_history = content["store_history"].as_bool().unwrap_or(true) && !silent;
            let stop_on_error = content["stop_on_error"].as_bool().unwrap_or(true);
            let executed = ask(runner, |reply| Request::Execute {
                parent: Arc::clone(request),
                code: code.clone(),
                silent,
                store_history,
                reply,
            })
            .await;
            let Some(executed) = executed else {
                // Only a panic in mgrad stops the interpreter's thread; the frontend sees
                // the kernel die and offers to restart it.
                eprintln!("mgrad kernel: the interpreter has stopped");
                std::process::exit(1)
            };
            let Executed {
                content,
                failed,
                execution_count,
                result,
            } = executed;
            if store_history {
                history.push(execution_count, &code, result);
            }
            let after = if failed && stop_on_error {
                After::Abort(waiting_requests(socket, &kernel.signer).await)
            } else {
                After::Continue
            };
            kernel.reply(socket, request, "execute_reply", content).await;
            return after;
        }
        "complete_request" => {
            let pos = cursor(content, &code);
            let completion = ask(runner, |reply| Request::Complete {
                code: code.clone(),
                pos,
                reply,
            })
            .await;
            match completion {
                Some(completion) => ("complete_reply", complete_reply(&code, pos, &completion)),
                None => return After::Continue,
            }
        }
        "inspect_request" => {
            let pos = cursor(content, &code);
            let found = ask(runner, |reply| Request::Inspect {
                code: code.clone(),
                pos,
                reply,
            })
            .await;
            ("inspect_reply", inspect_reply(found.flatten()))
        }
        "is_complete_request" => (
            "is_complete_reply",
            is_complete_reply(&mgrad::assist::completeness(&code)),
        ),
        "history_request" => ("history_reply", history.reply(content)),
        "comm_info_request" => ("comm_info_reply", json!({"status": "ok", "comms": {}})),
        "shutdown_request" => {
            let restart = content["restart"].as_bool().unwrap_or(false);
            kernel
                .reply(
                    socket,
                    request,
                    "shutdown_reply",
                    json!({"status": "ok", "restart": restart}),
                )
                .await;
            kernel.status(request, "idle");
            kernel.exit().await;
        }
        // Comms (widgets) and anything newer: nothing to say, as ipykernel without a handler.
        _ => return After::Continue,
    };
    kernel.reply(socket, request, reply_type, reply).await;
    After::Continue
}

/// Sends a request to the interpreter's thread and waits for its answer (`None` if the
/// thread has gone, which only a panic in mgrad could cause).
async fn ask<T>(runner: &std_mpsc::Sender<Request>, request: impl FnOnce(oneshot::Sender<T>) -> Request) -> Option<T> {
    let (reply, answer) = oneshot::channel();
    runner.send(request(reply)).ok()?;
    answer.await.ok()
}
