//! mgrad in the browser: the thin binding between the core and the playground's Web
//! Worker (web/src/worker.js).
//!
//! A run is a script run, as `mgrad FILE.mg`: a fresh [`Session`], the program, and
//! everything it prints sent to the page as JSON *items*, in batches:
//!
//! - `{"kind":"output", "cmd", "text", "data", "svg"?, "html"?}`: one output in every
//!   form (`mgrad::rich`): the CLI's text, the `--format json` object, the picture
//!   of `dot` and `plot`, the backward walk of `explain`;
//! - `{"kind":"file", "path", "contents"}`: what `command > "path"` wrote, sent
//!   after its `wrote … to path` line. The page keeps files in memory (to show and
//!   download); nothing touches a disk;
//! - `{"kind":"error", "text", "error"}`: the diagnostic as the CLI renders it (the
//!   source line and a caret) and as its JSON object;
//! - `{"kind":"notice", "text"}`: the page's own word: pictures and files past
//!   [`PICTURE_BUDGET_BYTES`] are left out (their text stays);
//! - `{"kind":"done", "status", "seconds"}`, last: `ok`, `error` or `check_failed`.
//!
//! [`PageHost`] is the `Host`: it enforces the time limit with the browser's clock
//! (the core has none, ARCHITECTURE.md "Limits, and how they flow"), counts the text
//! printed against the output limit and the pictures against their budget, and flushes a batch at most every
//! [`FLUSH_SECONDS`], so a long run shows its progress and a tight loop of `print`s
//! does not flood the page with messages. It is tested natively, with a fake clock;
//! `web.rs` holds the `wasm-bindgen` exports, and the browser's clock and sink.

use mgrad::diagnostic::{Diagnostic, ErrorJson, ErrorKind};
use mgrad::interpreter::{Host, Session};
use mgrad::limits::{Halt, Limits, OutputMeter};
use mgrad::output::Output;
use mgrad::rich::{RichOutput, rich_output};
use serde::Serialize;

mod stack;
mod web;

pub use stack::STACK_BYTES;

/// How deeply evaluation may nest in the page ([`Limits::depth`]). What binds is not the
/// module's own stack ([`STACK_BYTES`], in its linear memory) but the engine's: V8 runs
/// wasm on the worker thread's native stack, about 1 MB, which no page can raise, and
/// overflowing it traps the module. Measured in Chromium 156 over the recursive paths of
/// the evaluator (tests/browser/playground.mjs runs the deepest): calls through `plot`
/// and through closures overflow it past about 1,100 levels in a release build and
/// 300 in a debug build (debug frames are bigger). These limits keep half of that.
/// (The CLI's 256 MiB thread allows 16,384 levels.)
pub const DEPTH: usize = if cfg!(debug_assertions) { 128 } else { 512 };

/// The most bytes of text a run prints to the page (the CLI's `--output-limit`: what
/// it would print): more would make the page slow, and nobody reads more.
pub const OUTPUT_LIMIT_BYTES: u64 = 4 << 20;

/// The most bytes of pictures, pages and written files a run sends to the page. They
/// are not printed output (the CLI writes no picture of `dot L`, and counts no file
/// against its output limit), so past this the run goes on and they are left out,
/// with a note: `explain L` in a training loop should not stop where the CLI goes on.
pub const PICTURE_BUDGET_BYTES: usize = 32 << 20;

/// The memory a program may use for its graph and lists. A wasm32 module can address
/// 4 GiB at most, and the browser may give less; past this limit the program gets an
/// mg error rather than a crashed module.
pub const MEMORY_LIMIT_MIB: u64 = 1024;

/// How often, at most, a batch of items goes to the page while a program runs.
pub const FLUSH_SECONDS: f64 = 0.05;

/// The limits of a run in the page (SPEC §10): no file system to protect, so no
/// sandbox (files go to the page's memory), a time limit the page chooses, and the
/// depth the browser's stack allows ([`DEPTH`]).
pub fn page_limits(time_limit_seconds: Option<f64>) -> Limits {
    Limits {
        time_seconds: time_limit_seconds,
        memory_mib: Some(MEMORY_LIMIT_MIB),
        output_bytes: Some(OUTPUT_LIMIT_BYTES),
        depth: DEPTH,
        ..Limits::default()
    }
}

/// What the page receives, one JSON object each (see the module's documentation).
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Item {
    Output(RichOutput),
    File {
        path: String,
        contents: String,
    },
    /// Something the page says about the run: pictures left out past the budget.
    Notice {
        text: String,
    },
    Error {
        text: String,
        error: ErrorJson,
    },
    Done {
        status: Status,
        seconds: f64,
    },
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    /// A parse, runtime or assertion error, or a limit.
    Error,
    /// The program ran to its end, but a `check` failed (the CLI exits 1).
    CheckFailed,
}

/// The page's `Host`: collects outputs and written files as JSON items and sends them
/// in batches; enforces the time and output limits when the session polls.
pub struct PageHost<'a> {
    /// Seconds since some fixed moment (the browser's `performance.now()`).
    clock: &'a dyn Fn() -> f64,
    /// Receives a batch: a JSON array of items.
    send: &'a mut dyn FnMut(&str),
    started: f64,
    time_limit: Option<f64>,
    meter: OutputMeter,
    /// The JSON items not yet sent, comma-separated.
    batch: String,
    last_flush: f64,
    /// A file written by `command > "path"` (path, contents), sent after the `wrote`
    /// line that follows it.
    written: Option<(String, String)>,
    /// Bytes of pictures, pages and files sent so far, against `picture_budget`.
    pictures: usize,
    picture_budget: usize,
    pictures_left_out: bool,
    /// Why this host stopped the run, to word the error for the page.
    halted: Option<Halt>,
}

impl<'a> PageHost<'a> {
    pub fn new(clock: &'a dyn Fn() -> f64, send: &'a mut dyn FnMut(&str), time_limit: Option<f64>) -> Self {
        let started = clock();
        PageHost {
            clock,
            send,
            started,
            time_limit,
            meter: OutputMeter::new(Some(OUTPUT_LIMIT_BYTES)),
            batch: String::new(),
            last_flush: started,
            written: None,
            pictures: 0,
            picture_budget: PICTURE_BUDGET_BYTES,
            pictures_left_out: false,
            halted: None,
        }
    }

    fn elapsed(&self) -> f64 {
        (self.clock)() - self.started
    }

    /// Queues an item whose text is `bytes` long, unless it would pass the output limit
    /// (then the next poll stops the run).
    fn push(&mut self, item: &Item, bytes: usize) {
        if !self.meter.spend(bytes) {
            return;
        }
        // Serialising these plain structs cannot fail.
        if let Ok(json) = serde_json::to_string(item) {
            if !self.batch.is_empty() {
                self.batch.push(',');
            }
            self.batch.push_str(&json);
        }
    }

    /// Sends the queued items now (a file still waiting for its `wrote` line waits on).
    fn flush(&mut self) {
        self.last_flush = (self.clock)();
        if self.batch.is_empty() {
            return;
        }
        let batch = format!("[{}]", std::mem::take(&mut self.batch));
        (self.send)(&batch);
    }

    /// Whether a picture, page or file of `bytes` fits the budget; the first that does
    /// not says that it and those after it are left out.
    fn picture_fits(&mut self, bytes: usize) -> bool {
        if self.pictures.saturating_add(bytes) <= self.picture_budget {
            self.pictures += bytes;
            return true;
        }
        if !self.pictures_left_out {
            self.pictures_left_out = true;
            let text = format!(
                "from here on the page draws no picture and keeps no file: it has shown {} MiB of them, its most for a run",
                self.picture_budget >> 20
            );
            self.push(&Item::Notice { text }, 0);
        }
        false
    }

    /// Sends the file written last, if it fits the budget.
    fn send_written(&mut self) {
        if let Some((path, contents)) = self.written.take()
            && self.picture_fits(contents.len())
        {
            self.push(&Item::File { path, contents }, 0);
        }
    }

    fn flush_if_due(&mut self) {
        if (self.clock)() - self.last_flush >= FLUSH_SECONDS {
            self.flush();
        }
    }

    /// Sends the error and the end of the run, and everything still queued.
    fn finish(mut self, result: Result<(), Diagnostic>, session: &Session) {
        self.send_written();
        let status = match result {
            Ok(()) if session.failed_checks() > 0 => Status::CheckFailed,
            Ok(()) => Status::Ok,
            Err(mut diagnostic) => {
                diagnostic.help = page_help(&diagnostic, self.halted);
                let error = Item::Error {
                    text: session.sources().render(&diagnostic, false),
                    error: session.sources().error_json(&diagnostic),
                };
                // The error is shown even past the output limit: it says why the run stopped.
                self.meter = OutputMeter::new(None);
                self.push(&error, 0);
                Status::Error
            }
        };
        let seconds = self.elapsed();
        self.push(&Item::Done { status, seconds }, 0);
        self.flush();
    }
}

impl Host for PageHost<'_> {
    fn emit(&mut self, output: Output) {
        // A file goes right after its `wrote … to path` line (which always follows it).
        let wrote = matches!(output, Output::Wrote(_));
        if !wrote {
            self.send_written();
        }
        let mut rich = rich_output(&output);
        let picture = rich.svg.as_ref().map_or(0, String::len) + rich.html.as_ref().map_or(0, String::len);
        if picture > 0 && !self.picture_fits(picture) {
            rich.svg = None;
            rich.html = None;
        }
        let text = rich.text.len();
        self.push(&Item::Output(rich), text);
        if wrote {
            self.send_written();
        }
        self.flush_if_due();
    }

    fn write_file(&mut self, path: &str, contents: &str) -> Result<(), String> {
        self.send_written();
        self.written = Some((path.to_string(), contents.to_string()));
        Ok(())
    }

    /// Seconds since the run started, as the CLI's `clock()`.
    fn clock(&mut self) -> Option<f64> {
        Some(self.elapsed())
    }

    fn poll(&mut self) -> Result<(), Halt> {
        let halt = if let Some(halt) = self.meter.exceeded() {
            Some(halt)
        } else {
            self.time_limit
                .filter(|limit| self.elapsed() > *limit)
                .map(|seconds| Halt::Time { seconds })
        };
        if let Some(halt) = halt {
            self.halted = Some(halt);
            return Err(halt);
        }
        self.flush_if_due();
        Ok(())
    }
}

/// The help of an error as the page words it: the core's help for a limit names the
/// CLI's flags (`raise it with --time-limit 60`), which the page does not have.
fn page_help(diagnostic: &Diagnostic, halted: Option<Halt>) -> Option<String> {
    if diagnostic.kind != ErrorKind::Limit {
        return diagnostic.help.clone();
    }
    match halted {
        Some(Halt::Time { .. }) => {
            return Some("choose a longer time limit beside the Run button (or none)".to_string());
        }
        Some(Halt::Output { .. }) => {
            return Some(format!(
                "print less: the page shows at most {} MiB of output",
                OUTPUT_LIMIT_BYTES >> 20
            ));
        }
        _ => {}
    }
    let help = diagnostic.help.as_deref()?;
    if help.starts_with("raise it with --memory-limit") {
        Some(format!(
            "a program in the page may use {MEMORY_LIMIT_MIB} MiB; build less: a node takes 32 bytes, a list item 16"
        ))
    } else if help.starts_with("raise it with --") {
        // Another limit the page cannot raise: keep what the user can do instead, if anything.
        help.split_once(", or ").map(|(_, instead)| instead.to_string())
    } else {
        Some(help.to_string())
    }
}

/// Runs `source` as a script named `name` in a fresh session, sending every item to
/// `send` as it comes (in batches), the `done` item last.
///
/// `clock` gives seconds since a fixed moment; `time_limit` stops the run when passed
/// (checked every few thousand steps, when the session polls).
pub fn run(name: &str, source: &str, time_limit: Option<f64>, clock: &dyn Fn() -> f64, send: &mut dyn FnMut(&str)) {
    run_in(PageHost::new(clock, send, time_limit), name, source);
}

fn run_in(mut host: PageHost, name: &str, source: &str) {
    let mut session = Session::with_limits(page_limits(host.time_limit));
    let result = session.run_script(name, source, &mut host);
    host.finish(result, &session);
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use serde_json::Value;

    use super::*;

    /// Runs `source` with a clock that advances `tick` seconds each time it is read;
    /// returns the batches sent.
    fn run_with(source: &str, time_limit: Option<f64>, tick: f64) -> Vec<Vec<Value>> {
        let now = Cell::new(0.0);
        let clock = || {
            now.set(now.get() + tick);
            now.get()
        };
        let mut batches = Vec::new();
        let mut send = |batch: &str| batches.push(serde_json::from_str::<Vec<Value>>(batch).unwrap());
        run("<playground>", source, time_limit, &clock, &mut send);
        batches
    }

    fn items(source: &str) -> Vec<Value> {
        run_with(source, None, 0.0).concat()
    }

    #[test]
    fn the_design_card_sends_its_grad_table_then_done() {
        let items = items("a = 2; b = -3; L = (a*b + 10) * -2; grad L");
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(items[0]["kind"], "output");
        assert_eq!(items[0]["cmd"], "grad");
        assert_eq!(
            items[0]["text"],
            "node  data  grad\nL       -8     1\nb       -3    -4\na        2     6\n"
        );
        assert_eq!(items[0]["data"]["nodes"][2]["grad"], 6.0);
        assert_eq!(items[1]["kind"], "done");
        assert_eq!(items[1]["status"], "ok");
    }

    #[test]
    fn errors_come_with_the_caret_and_their_json() {
        let items = items("x = 1\ny = xx");
        let error = &items[0];
        assert_eq!(error["kind"], "error");
        let text = error["text"].as_str().unwrap();
        assert!(
            text.contains("unknown name 'xx' — did you mean 'x'? (line 2, column 5)"),
            "{text}"
        );
        assert!(text.contains("┌─ <playground>:2:5"), "{text}");
        assert!(text.contains("^^"), "{text}");
        assert_eq!(error["error"]["line"], 2);
        assert_eq!(error["error"]["kind"], "runtime");
        assert_eq!(items[1]["status"], "error");
    }

    #[test]
    fn a_written_file_follows_its_wrote_line() {
        let items = items("a = 2; L = a * 3; dot L > \"g.svg\"; explain L > \"steps.html\"; grad L > \"g.txt\"");
        let kinds: Vec<(&str, &str)> = items
            .iter()
            .map(|item| {
                let kind = item["kind"].as_str().unwrap();
                (kind, item["cmd"].as_str().or(item["path"].as_str()).unwrap_or(""))
            })
            .collect();
        assert_eq!(
            kinds,
            [
                ("output", "wrote"),
                ("file", "g.svg"),
                ("output", "wrote"),
                ("file", "steps.html"),
                ("output", "wrote"),
                ("file", "g.txt"),
                ("done", "")
            ]
        );
        assert!(items[1]["contents"].as_str().unwrap().starts_with("<svg"));
        assert_eq!(items[0]["text"], "wrote the graph as SVG to g.svg\n");
    }

    #[test]
    fn pictures_come_inline() {
        let items = items("fn f(x) = x**2\nplot f\na = 2; L = a * 3; dot L");
        assert!(items[0]["svg"].as_str().unwrap().starts_with("<svg"));
        assert!(items[1]["svg"].as_str().unwrap().starts_with("<svg"));
        assert!(items[1]["text"].as_str().unwrap().starts_with("digraph"));
    }

    #[test]
    fn a_runaway_loop_stops_at_the_time_limit_with_the_pages_help() {
        // Each reading of the clock advances it by a millisecond.
        let items = run_with("print 1\nwhile true { }", Some(2.0), 0.001).concat();
        let error = items.iter().find(|item| item["kind"] == "error").unwrap();
        assert_eq!(error["error"]["kind"], "limit");
        let text = error["text"].as_str().unwrap();
        assert!(
            text.contains("the program ran longer than its time limit of 2 s (line 2, column 1)"),
            "{text}"
        );
        assert!(
            text.contains("help: choose a longer time limit beside the Run button"),
            "{text}"
        );
        assert!(!text.contains("--time-limit"), "{text}");
        let done = items.last().unwrap();
        assert_eq!(done["status"], "error");
        assert!(done["seconds"].as_f64().unwrap() >= 2.0);
    }

    #[test]
    fn a_long_run_sends_its_progress_in_batches() {
        // 1,000 prints, a millisecond a clock reading: several batches, none per print.
        let batches = run_with("for k in 0..1000 { print k }", None, 0.001);
        assert!(batches.len() > 2 && batches.len() < 1000, "{} batches", batches.len());
        let prints = batches.concat().iter().filter(|item| item["cmd"] == "print").count();
        assert_eq!(prints, 1000);
    }

    #[test]
    fn output_past_the_limit_stops_the_run() {
        let items = items("for k in 0..1e7 { print \"a line of forty characters or so ......\" }");
        let error = items.iter().find(|item| item["kind"] == "error").unwrap();
        let text = error["text"].as_str().unwrap();
        assert!(text.contains("printed more than its output limit"), "{text}");
        assert!(
            text.contains("help: print less: the page shows at most 4 MiB"),
            "{text}"
        );
        let shown: usize = items
            .iter()
            .filter_map(|item| item["text"].as_str())
            .map(str::len)
            .sum();
        assert!(shown < (OUTPUT_LIMIT_BYTES as usize) + 10_000, "{shown}");
    }

    #[test]
    fn pictures_past_the_budget_are_left_out_and_the_run_goes_on() {
        // With a budget of 2 MiB: a graph of 61 values is about 30 KB of SVG, drawn 80 times.
        let clock = || 0.0;
        let mut batches = Vec::new();
        let mut send = |batch: &str| batches.push(serde_json::from_str::<Vec<Value>>(batch).unwrap());
        let mut host = PageHost::new(&clock, &mut send, None);
        host.picture_budget = 2 << 20;
        let source =
            "x = 1\nfor k in 0..30 { x = x * 1.5 }\nfor k in 0..40 { dot x > \"x.svg\"; dot x }\nprint \"done\"";
        run_in(host, "<playground>", source);
        let items = batches.concat();
        let notices: Vec<&Value> = items.iter().filter(|item| item["kind"] == "notice").collect();
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(
            notices[0]["text"]
                .as_str()
                .unwrap()
                .contains("draws no picture and keeps no file")
        );
        let drawn: usize = items
            .iter()
            .filter_map(|item| item["svg"].as_str().or(item["contents"].as_str()))
            .map(str::len)
            .sum();
        assert!(drawn <= 2 << 20 && drawn > 1 << 20, "{drawn}");
        let dots = items.iter().filter(|item| item["cmd"] == "dot").count();
        let files = items.iter().filter(|item| item["kind"] == "file").count();
        let pictures = items.iter().filter(|item| item["svg"].is_string()).count();
        assert_eq!(dots, 40);
        assert!(files < 40 && pictures < 40, "{files} files, {pictures} pictures");
        assert_eq!(items[items.len() - 2]["text"], "done\n");
        assert_eq!(items.last().unwrap()["status"], "ok");
    }

    #[test]
    fn limits_the_page_cannot_raise_say_what_to_do_instead() {
        let items = items("xs = range(1e8)");
        let error = items.iter().find(|item| item["kind"] == "error").unwrap();
        let text = error["text"].as_str().unwrap();
        assert!(text.contains("limit of 1024 MiB"), "{text}");
        assert!(
            text.contains("help: a program in the page may use 1024 MiB; build less"),
            "{text}"
        );
        assert!(!text.contains("--memory-limit"), "{text}");
    }

    #[test]
    fn a_failed_check_is_its_own_status() {
        // Nudging x by eps takes log below 0: the row is undefined, and the check fails.
        let items = items("x = 1e-7; L = log(x); check L\nprint \"goes on\"");
        assert!(items[0]["text"].as_str().unwrap().contains("check FAILED"), "{items:?}");
        assert_eq!(items[1]["text"], "goes on\n");
        assert_eq!(items.last().unwrap()["status"], "check_failed");
    }

    #[test]
    fn clock_tells_the_seconds_since_the_run_started() {
        let items = run_with("t = clock(); print (t > 0.4 and t < 10)", None, 0.5).concat();
        assert_eq!(items[0]["text"], "true\n", "{items:?}");
    }

    #[test]
    fn deep_nesting_is_an_error_within_the_stack() {
        // On a thread with the module's stack, as in the browser.
        let run = || {
            for source in [
                "fn f(n) { return 1 + f(n + 1) }\nf(0)",
                &format!("x = {}1{}", "(".repeat(5000), ")".repeat(5000)),
            ] {
                let items = items(source);
                let error = items.iter().find(|item| item["kind"] == "error").unwrap();
                assert!(
                    matches!(error["error"]["kind"].as_str(), Some("limit" | "parse")),
                    "{error}"
                );
            }
        };
        std::thread::Builder::new()
            .stack_size(STACK_BYTES)
            .spawn(run)
            .unwrap()
            .join()
            .unwrap();
    }
}
