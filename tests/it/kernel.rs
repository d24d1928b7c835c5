//! The Jupyter kernel end to end: `mgrad kernel run` with a connection file, and a
//! client on ZeroMQ that checks the messages a notebook would get, in their order.
//! (`tests/jupyter/run.sh` runs Jupyter's own conformance suite and the notebooks.)

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bytes::Bytes;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::time::timeout;
use zeromq::{DealerSocket, ReqSocket, Socket, SocketRecv, SocketSend, SubSocket, ZmqMessage};

const KEY: &str = "e2e-test-key";
/// How long any one message may take before the test fails (rather than hangs).
const PATIENCE: Duration = Duration::from_secs(20);

/// A kernel process, killed if the test ends before it does.
struct Kernel {
    child: Child,
    dir: PathBuf,
}

impl Drop for Kernel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Ports nobody listens on now (the kernel binds them a moment later).
fn free_ports() -> Vec<u16> {
    let listeners: Vec<std::net::TcpListener> = (0..5)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").expect("a free port"))
        .collect();
    listeners
        .iter()
        .map(|listener| listener.local_addr().expect("its address").port())
        .collect()
}

fn start_kernel(ports: &[u16], options: &[&str]) -> Kernel {
    let dir = std::env::temp_dir().join(format!("mgrad-kernel-e2e-{}-{}", std::process::id(), ports[0]));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let connection = json!({
        "ip": "127.0.0.1", "transport": "tcp", "key": KEY, "signature_scheme": "hmac-sha256",
        "shell_port": ports[0], "iopub_port": ports[1], "stdin_port": ports[2],
        "control_port": ports[3], "hb_port": ports[4], "kernel_name": "mg",
    });
    let file = dir.join("kernel.json");
    std::fs::write(&file, connection.to_string()).expect("the connection file");
    let child = Command::new(env!("CARGO_BIN_EXE_mgrad"))
        .args(["kernel", "run", "--connection-file"])
        .arg(&file)
        .args(options)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .spawn()
        .expect("mgrad kernel run starts");
    Kernel { child, dir }
}

/// The client's side of the wire: signed frames, as Jupyter's own client writes them.
fn sign(parts: &[Vec<u8>]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(KEY.as_bytes()).expect("any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn request(msg_type: &str, content: Value) -> (String, ZmqMessage) {
    let id = format!("{msg_type}-{}", uuid::Uuid::new_v4());
    let header = json!({"msg_id": id, "msg_type": msg_type, "session": "e2e", "username": "test",
                        "date": "2026-11-28T00:00:00.000000Z", "version": "5.3"});
    let parts: Vec<Vec<u8>> = [header, json!({}), json!({}), content]
        .iter()
        .map(|part| part.to_string().into_bytes())
        .collect();
    let mut frames = vec![Bytes::from_static(b"<IDS|MSG>"), Bytes::from(sign(&parts))];
    frames.extend(parts.into_iter().map(Bytes::from));
    (id, ZmqMessage::try_from(frames).expect("frames"))
}

/// A received message: header, parent header, content; its signature checked.
struct Received {
    msg_type: String,
    parent_id: String,
    content: Value,
}

fn decode(message: ZmqMessage) -> Received {
    let frames: Vec<Bytes> = message.into_vec();
    let at = frames
        .iter()
        .position(|frame| frame.as_ref() == b"<IDS|MSG>")
        .expect("a delimiter");
    let parts: Vec<Vec<u8>> = frames[at + 2..at + 6].iter().map(|frame| frame.to_vec()).collect();
    assert_eq!(
        frames[at + 1].as_ref(),
        sign(&parts).as_bytes(),
        "the kernel signs with the key"
    );
    let json = |index: usize| serde_json::from_slice::<Value>(&parts[index]).expect("JSON");
    let header = json(0);
    Received {
        msg_type: header["msg_type"].as_str().unwrap_or("").to_string(),
        parent_id: json(1)["msg_id"].as_str().unwrap_or("").to_string(),
        content: json(3),
    }
}

struct Client {
    shell: DealerSocket,
    control: DealerSocket,
    iopub: SubSocket,
}

impl Client {
    async fn connect(ports: &[u16]) -> Client {
        let endpoint = |port: u16| format!("tcp://127.0.0.1:{port}");
        let mut heartbeat = ReqSocket::new();
        // The kernel may still be starting: try until it listens.
        for _ in 0..200 {
            if heartbeat.connect(&endpoint(ports[4])).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        heartbeat.send(ZmqMessage::from("ping")).await.expect("a heartbeat");
        let pong = timeout(PATIENCE, heartbeat.recv())
            .await
            .expect("the heartbeat echoes")
            .expect("pong");
        assert_eq!(pong.get(0).map(|frame| frame.to_vec()), Some(b"ping".to_vec()));

        let mut iopub = SubSocket::new();
        iopub.connect(&endpoint(ports[1])).await.expect("iopub");
        iopub.subscribe("").await.expect("subscribe");
        // The welcome says the subscription has arrived: nothing published from now on is lost.
        let welcome = decode(
            timeout(PATIENCE, iopub.recv())
                .await
                .expect("a welcome")
                .expect("iopub"),
        );
        assert_eq!(welcome.msg_type, "iopub_welcome");
        assert_eq!(welcome.content, json!({"subscription": ""}));

        let mut shell = DealerSocket::new();
        shell.connect(&endpoint(ports[0])).await.expect("shell");
        let mut control = DealerSocket::new();
        control.connect(&endpoint(ports[3])).await.expect("control");
        Client { shell, control, iopub }
    }

    async fn send_shell(&mut self, msg_type: &str, content: Value) -> String {
        let (id, message) = request(msg_type, content);
        self.shell.send(message).await.expect("shell send");
        id
    }

    async fn shell_reply(&mut self) -> Received {
        decode(
            timeout(PATIENCE, self.shell.recv())
                .await
                .expect("a shell reply")
                .expect("shell"),
        )
    }

    async fn control(&mut self, msg_type: &str, content: Value) -> Received {
        let (id, message) = request(msg_type, content);
        self.control.send(message).await.expect("control send");
        let reply = decode(
            timeout(PATIENCE, self.control.recv())
                .await
                .expect("a control reply")
                .expect("control"),
        );
        assert_eq!(reply.parent_id, id);
        reply
    }

    /// The IOPub messages caused by request `id`, up to and including its `idle`.
    async fn iopub_until_idle(&mut self, id: &str) -> Vec<Received> {
        let mut messages = Vec::new();
        loop {
            let message = decode(
                timeout(PATIENCE, self.iopub.recv())
                    .await
                    .expect("iopub")
                    .expect("iopub"),
            );
            if message.parent_id != id {
                continue;
            }
            let idle = message.msg_type == "status" && message.content["execution_state"] == "idle";
            messages.push(message);
            if idle {
                return messages;
            }
        }
    }

    /// Sends a cell and waits until it has printed (so it is running): its request's id.
    async fn start_printing(&mut self, code: &str) -> String {
        let id = self.send_shell("execute_request", json!({"code": code})).await;
        loop {
            let message = decode(
                timeout(PATIENCE, self.iopub.recv())
                    .await
                    .expect("iopub")
                    .expect("iopub"),
            );
            if message.parent_id == id && message.msg_type == "stream" {
                return id;
            }
        }
    }

    /// Runs a cell: its reply, and its IOPub messages as (type, content).
    async fn execute(&mut self, code: &str) -> (Received, Vec<(String, Value)>) {
        let id = self
            .send_shell(
                "execute_request",
                json!({"code": code, "silent": false, "store_history": true,
                    "user_expressions": {}, "allow_stdin": false, "stop_on_error": true}),
            )
            .await;
        let reply = self.shell_reply().await;
        assert_eq!(reply.parent_id, id);
        let published = self.iopub_until_idle(&id).await;
        (reply, published.into_iter().map(|m| (m.msg_type, m.content)).collect())
    }
}

fn kinds(published: &[(String, Value)]) -> Vec<&str> {
    published.iter().map(|(kind, _)| kind.as_str()).collect()
}

fn run_async<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(future)
}

/// Waits for the kernel to exit by itself, for up to `PATIENCE`.
fn exit_status(kernel: &mut Kernel) -> Option<std::process::ExitStatus> {
    let deadline = std::time::Instant::now() + PATIENCE;
    while std::time::Instant::now() < deadline {
        if let Ok(Some(status)) = kernel.child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[test]
fn a_notebook_session_with_the_kernel() {
    let ports = free_ports();
    let mut kernel = start_kernel(&ports, &[]);
    #[cfg(unix)]
    let pid = i32::try_from(kernel.child.id()).expect("a pid");
    run_async(async {
        let mut client = Client::connect(&ports).await;

        let id = client.send_shell("kernel_info_request", json!({})).await;
        let info = client.shell_reply().await;
        assert_eq!(
            (info.msg_type.as_str(), info.parent_id.as_str()),
            ("kernel_info_reply", id.as_str())
        );
        assert_eq!(info.content["language_info"]["name"], "mg");
        client.iopub_until_idle(&id).await;

        // busy → execute_input → outputs, in the order the cell made them → result → idle.
        let (reply, published) = client
            .execute("a = 2; b = -3\nL = a * b\nprint \"L is\", L.data\ngrad L\nL")
            .await;
        assert_eq!(reply.content["status"], "ok");
        assert_eq!(reply.content["execution_count"], 1);
        assert_eq!(reply.content["user_expressions"], json!({}));
        assert_eq!(
            kinds(&published),
            [
                "status",
                "execute_input",
                "stream",
                "display_data",
                "execute_result",
                "status"
            ]
        );
        assert_eq!(published[0].1["execution_state"], "busy");
        assert_eq!(published[1].1["execution_count"], 1);
        assert_eq!(published[2].1, json!({"name": "stdout", "text": "L is -6\n"}));
        assert!(
            published[3].1["data"]["text/html"]
                .as_str()
                .is_some_and(|html| html.contains("<table"))
        );
        assert_eq!(
            published[4].1["data"]["text/plain"],
            "Value(data=-6, grad=1, label=L, op=*)"
        );

        // An error: the source line with a caret, the cell undone, the session intact.
        let (reply, published) = client.execute("c = 10\nL = L * nowhere").await;
        assert_eq!(reply.content["status"], "error");
        assert_eq!(reply.content["ename"], "RuntimeError");
        assert_eq!(kinds(&published), ["status", "execute_input", "error", "status"]);
        let traceback: Vec<&str> = published[2].1["traceback"]
            .as_array()
            .expect("a traceback")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(traceback.contains(&"2 │ L = L * nowhere"), "{traceback:?}");
        assert!(traceback.iter().any(|line| line.ends_with("^^^^^^^")), "{traceback:?}");
        let (reply, published) = client.execute("L.data").await;
        assert_eq!(reply.content["status"], "ok", "{}", reply.content);
        assert_eq!(published[2].1["data"]["text/plain"], "-6", "L is as it was");

        // After a failed cell, the cells already sent are aborted (as a "Run All" stops).
        // The failing cell loops for a while first, so the second request has surely
        // arrived when it fails.
        let failing = client
            .send_shell(
                "execute_request",
                json!({"code": "s = 0\nfor k in 0..200000 { s += k }\nassert s < 0", "stop_on_error": true}),
            )
            .await;
        let queued = client.send_shell("execute_request", json!({"code": "print 1"})).await;
        let first = client.shell_reply().await;
        assert_eq!(
            (first.parent_id.as_str(), &first.content["status"]),
            (failing.as_str(), &json!("error"))
        );
        assert_eq!(first.content["ename"], "AssertionError");
        let second = client.shell_reply().await;
        assert_eq!(
            (second.parent_id.as_str(), &second.content),
            (queued.as_str(), &json!({"status": "aborted"}))
        );
        client.iopub_until_idle(&queued).await;
        let (reply, _) = client.execute("print 1").await;
        assert_eq!(reply.content["status"], "ok", "a cell sent later runs");

        // Completion and inspection know the session's names; offsets count code points.
        let id = client
            .send_shell(
                "complete_request",
                json!({"code": "αβ = 1; print L.gr", "cursor_pos": 18}),
            )
            .await;
        let completion = client.shell_reply().await;
        assert_eq!(completion.parent_id, id);
        assert_eq!(completion.content["matches"], json!(["grad"]));
        assert_eq!(completion.content["cursor_start"], 16);
        client.iopub_until_idle(&id).await;
        let id = client
            .send_shell(
                "inspect_request",
                json!({"code": "L", "cursor_pos": 1, "detail_level": 0}),
            )
            .await;
        let inspection = client.shell_reply().await;
        assert!(
            inspection.content["data"]["text/plain"]
                .as_str()
                .is_some_and(|text| text.starts_with("L: Value(data=-6, grad=1, label=L, op=*)\nmade by a * b")),
            "{}",
            inspection.content
        );
        client.iopub_until_idle(&id).await;

        // An interrupt stops a cell that would never end; its statement is undone, and
        // the kernel goes on. (The interrupt is sent once the cell is known to run: it
        // stops the loop, or the print if it comes before print has asked to go on.)
        let id = client
            .start_printing("k = 0\nprint \"looping\"\nwhile true { k += 1 }")
            .await;
        let interrupted = client.control("interrupt_request", json!({})).await;
        assert_eq!(interrupted.content, json!({"status": "ok"}));
        let reply = client.shell_reply().await;
        assert_eq!(reply.parent_id, id);
        assert_eq!(reply.content["status"], "error");
        assert_eq!(reply.content["ename"], "Interrupted");
        assert!(
            reply.content["evalue"]
                .as_str()
                .is_some_and(|text| text.starts_with("interrupted while this statement ran; it is undone (line ")),
            "{}",
            reply.content
        );
        let published = client.iopub_until_idle(&id).await;
        assert_eq!(published.iter().filter(|m| m.msg_type == "error").count(), 1);
        let (reply, published) = client.execute("k").await;
        assert_eq!(reply.content["status"], "ok", "the kernel lives on");
        assert_eq!(
            published[2].1["data"]["text/plain"], "Value(data=0, grad=0, label=k)",
            "the loop is undone"
        );
        // So does SIGINT (a frontend in signal mode; Ctrl-C in the kernel's terminal).
        #[cfg(unix)]
        {
            let id = client.start_printing("print \"looping\"\nwhile true { }").await;
            // SAFETY: kill has no memory effects; the pid is the kernel's, still running.
            let sent = unsafe { libc::kill(pid, libc::SIGINT) };
            assert_eq!(sent, 0);
            let reply = client.shell_reply().await;
            assert_eq!(reply.content["ename"], "Interrupted", "{}", reply.content);
            client.iopub_until_idle(&id).await;
        }
        // An interrupt with no cell running stops nothing later.
        client.control("interrupt_request", json!({})).await;
        let (reply, _) = client.execute("k + 1").await;
        assert_eq!(reply.content["status"], "ok");

        // The control channel answers, and shutdown ends the process.
        let info = client.control("kernel_info_request", json!({})).await;
        assert_eq!(info.content["implementation"], "mgrad");
        let shutdown = client.control("shutdown_request", json!({"restart": false})).await;
        assert_eq!(shutdown.content, json!({"status": "ok", "restart": false}));
    });
    let status = exit_status(&mut kernel).expect("the kernel exits after shutdown");
    assert!(status.success(), "{status:?}");
}

/// The limits of SPEC §10 are the kernel's too, given to `mgrad kernel run`; each cell
/// has the whole time limit.
#[test]
fn limits_and_the_sandbox_apply_to_each_cell() {
    let ports = free_ports();
    let mut kernel = start_kernel(&ports, &["--time-limit", "0.5", "--sandbox"]);
    run_async(async {
        let mut client = Client::connect(&ports).await;
        // The error a cell ends with: its name, and a piece of its sentence.
        let fails = |reply: &Received, ename: &str, words: &str| {
            assert_eq!(reply.content["ename"], ename, "{}", reply.content);
            let evalue = reply.content["evalue"].as_str().unwrap_or("");
            assert!(evalue.contains(words), "{evalue}");
        };
        for _ in 0..2 {
            let (reply, _) = client.execute("while true { }").await;
            fails(
                &reply,
                "LimitError",
                "the program ran longer than its time limit of 0.5 s",
            );
        }
        let (reply, _) = client.execute("a = 2\ndot a > \"a.dot\"").await;
        fails(&reply, "RuntimeError", "sandbox");
        let (reply, _) = client.execute(":load lecture.mg").await;
        fails(&reply, "CommandError", "sandbox");
        client.control("shutdown_request", json!({"restart": false})).await;
    });
    assert!(exit_status(&mut kernel).is_some_and(|status| status.success()));
}

#[test]
fn a_kernel_with_a_bad_connection_file_says_why() {
    let dir = std::env::temp_dir().join(format!("mgrad-kernel-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let file = dir.join("kernel.json");
    std::fs::write(&file, r#"{"transport": "ipc"}"#).expect("a file");
    let output = Command::new(env!("CARGO_BIN_EXE_mgrad"))
        .args(["kernel", "run", "--connection-file"])
        .arg(&file)
        .output()
        .expect("mgrad runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with(&format!(
            "mgrad kernel: the connection file '{}' is not a Jupyter connection file",
            file.display()
        )),
        "{stderr}"
    );
}

/// `mgrad kernel install | status | uninstall` in a private Jupyter data dir.
#[test]
fn the_kernelspec_is_installed_found_and_removed() {
    let data = std::env::temp_dir().join(format!("mgrad-kernelspec-{}", std::process::id()));
    let mgrad = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_mgrad"))
            .args(args)
            .env("JUPYTER_DATA_DIR", &data)
            .env_remove("JUPYTER_PATH")
            .env_remove("VIRTUAL_ENV")
            .env_remove("CONDA_PREFIX")
            .output()
            .expect("mgrad runs")
    };
    let text = |output: &std::process::Output| String::from_utf8_lossy(&output.stdout).into_owned();

    let installed = mgrad(&["kernel", "install"]);
    assert!(installed.status.success(), "{installed:?}");
    let spec_path = data.join("kernels").join("mg").join("kernel.json");
    let spec: Value = serde_json::from_str(&std::fs::read_to_string(&spec_path).expect("kernel.json")).expect("JSON");
    let exe = Path::new(env!("CARGO_BIN_EXE_mgrad"))
        .canonicalize()
        .expect("the binary");
    assert_eq!(
        spec["argv"][0],
        exe.to_string_lossy().as_ref(),
        "an absolute path to this mgrad"
    );
    assert_eq!(
        spec["argv"].as_array().map(|argv| argv[1..].to_vec()),
        Some(vec![
            json!("kernel"),
            json!("run"),
            json!("--connection-file"),
            json!("{connection_file}")
        ])
    );
    assert_eq!(spec["interrupt_mode"], "message");
    assert!(text(&installed).starts_with("installed the Jupyter kernel 'mg' (mg (mgrad)) in "));

    let status = mgrad(&["kernel", "status"]);
    assert!(status.status.success());
    assert!(text(&status).contains("(this mgrad)"), "{}", text(&status));

    let again = mgrad(&["kernel", "install", "--name", "mg", "--display-name", "mg, again"]);
    assert!(
        text(&again).starts_with("updated the Jupyter kernel 'mg' (mg, again)"),
        "{}",
        text(&again)
    );

    let limited = mgrad(&["kernel", "install", "--sandbox", "--time-limit", "60"]);
    assert!(
        text(&limited).contains(" with --time-limit 60 --sandbox\n"),
        "{}",
        text(&limited)
    );
    let spec: Value = serde_json::from_str(&std::fs::read_to_string(&spec_path).expect("kernel.json")).expect("JSON");
    assert_eq!(
        spec["argv"].as_array().map(|argv| argv[5..].to_vec()),
        Some(vec![json!("--time-limit"), json!("60"), json!("--sandbox")])
    );

    let prefix = std::env::temp_dir().join(format!("mgrad-kernelspec-prefix-{}", std::process::id()));
    let prefixed = mgrad(&["kernel", "install", "--prefix", prefix.to_str().expect("UTF-8")]);
    assert!(prefixed.status.success());
    assert!(prefix.join("share/jupyter/kernels/mg/kernel.json").exists());
    assert!(
        text(&prefixed).contains("add "),
        "outside Jupyter's search path: {}",
        text(&prefixed)
    );

    let removed = mgrad(&["kernel", "uninstall"]);
    assert!(removed.status.success(), "{removed:?}");
    assert!(!spec_path.exists());
    let missing = mgrad(&["kernel", "status"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing).starts_with("no Jupyter kernel 'mg' is installed"));
    let twice = mgrad(&["kernel", "uninstall"]);
    assert_eq!(twice.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&twice.stderr).starts_with("mgrad kernel: there is no Jupyter kernel 'mg' in "));
    let bad = mgrad(&["kernel", "install", "--name", "m g"]);
    assert_eq!(bad.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&data);
    let _ = std::fs::remove_dir_all(&prefix);
}
