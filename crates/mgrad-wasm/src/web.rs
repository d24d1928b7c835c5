//! The exports the Web Worker calls (web/src/worker.js), and the two things the
//! binding takes from the browser: its clock and a sink for batches of items.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// Where batches go: an object of the worker's with a `send(batch)` method.
    pub type Sink;

    #[wasm_bindgen(method)]
    fn send(this: &Sink, batch: &str);

    /// Milliseconds since the worker started (`performance.now()`, in window and worker alike).
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

thread_local! {
    /// The message of the last panic (a bug: the core does not panic on any input), for
    /// the page to show after the module traps.
    static PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Keeps a panic's message: with `panic = "abort"`, wasm32 traps right after the hook.
#[wasm_bindgen(start)]
fn start() {
    std::panic::set_hook(Box::new(|info| {
        PANIC.with(|panic| *panic.borrow_mut() = Some(info.to_string()));
    }));
}

/// Runs `source` as a script named `name`, sending batches of JSON items to `sink`
/// (see the crate's documentation). `time_limit_seconds` of 0 or less means none.
#[wasm_bindgen]
pub fn run(name: &str, source: &str, time_limit_seconds: f64, sink: &Sink) {
    let time_limit = (time_limit_seconds > 0.0).then_some(time_limit_seconds);
    let clock = || performance_now() / 1000.0;
    let mut send = |batch: &str| sink.send(batch);
    crate::run(name, source, time_limit, &clock, &mut send);
}

/// The message of the panic that made the module trap, if one did.
#[wasm_bindgen]
pub fn panic_message() -> Option<String> {
    PANIC.with(|panic| panic.borrow().clone())
}
