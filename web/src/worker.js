// The Web Worker mg runs in: loads the wasm module once, then runs each program the
// page sends ({ id, name, source, timeLimit }) and posts back its items in batches
// ({ type: 'items', id, batch }: a JSON array, see crates/mgrad-wasm/src/lib.rs).
// A run that traps is reported as { type: 'crash', id, message, stack }, and the page
// replaces this worker: after a trap the module's state cannot be trusted.
import init, { panic_message as panicMessage, run } from 'mgrad-wasm-glue';

/* global MGRAD_WASM_FILE */

// The engine compiles a wasm function when it is first called, which made the first run
// take ~100 ms longer than the next; a small program run while the page is still loading
// its editor compiles what every program uses (the parser, the evaluator, grad, errors).
const WARM_UP = 'a = 2; b = -3; L = (a*b + 10) * -2; grad L; print L.data, [a], "a"; explain L; L.grad = bb';

const ready = init({ module_or_path: new URL(MGRAD_WASM_FILE, import.meta.url) }).then(() => {
  try {
    run('<warm-up>', WARM_UP, 0, { send() {} });
  } catch { /* a real run will say what is wrong */ }
  // When mgrad was ready to run, for the page's timings (in ms since the epoch).
  self.postMessage({ type: 'ready', at: performance.timeOrigin + performance.now() });
});

self.onmessage = async (event) => {
  const { id, name, source, timeLimit } = event.data;
  try {
    await ready;
  } catch (error) {
    self.postMessage({ type: 'crash', id, message: `the wasm module did not load: ${error}` });
    return;
  }
  const sink = { send: (batch) => self.postMessage({ type: 'items', id, batch }) };
  try {
    run(name, source, timeLimit, sink);
  } catch (error) {
    // The engine's own stack ran out (the evaluation depth is meant to stop a program
    // before it does), or a bug: the page says which, and replaces this worker.
    const stack = error instanceof RangeError;
    let message = String(error);
    try {
      message = panicMessage() ?? message;
    } catch { /* the module is past asking */ }
    self.postMessage({ type: 'crash', id, message, stack });
  }
};
