// The pipeline the fuzzer drives, shared word for word with the replay of its
// corpus in `cargo test` (tests/it/fuzz.rs includes this file).
//
// Source text is parsed and run twice under small limits, as a script and as REPL
// entries (one per line, so failed statements are rolled back), and every output
// is rendered as text and as JSON. What may happen: any mg error. What may not: a
// panic, a stack overflow, an abort, or output that is not valid JSON.

use mgrad::interpreter::{Host, Session};
use mgrad::limits::Limits;
use mgrad::output::Output;

/// Small limits, so that every input runs in milliseconds: a step budget instead of
/// a clock (deterministic), little memory, and a depth for a small stack.
pub fn fuzz_limits(stack_bytes: usize) -> Limits {
    Limits {
        memory_mib: Some(64),
        nodes: 200_000,
        steps: Some(20_000),
        depth: Limits::depth_for_stack(stack_bytes),
        sandbox: true,
        ..Limits::default()
    }
}

struct Renderer;

impl Host for Renderer {
    fn emit(&mut self, output: Output) {
        let _ = mgrad::render::render_text(&output);
        let json = mgrad::render::render_json(&output);
        assert!(
            serde_json::from_str::<serde_json::Value>(&json).is_ok(),
            "output is not valid JSON: {json}"
        );
    }

    fn write_file(&mut self, _path: &str, _contents: &str) -> Result<(), String> {
        panic!("a sandboxed session wrote a file")
    }
}

/// Runs `data` through the pipeline, for a thread with a stack of `stack_bytes`.
pub fn run_one(data: &[u8], stack_bytes: usize) {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let limits = fuzz_limits(stack_bytes);
    let mut script = Session::with_limits(limits.clone());
    if let Err(diagnostic) = script.run_script("fuzz.mg", source, &mut Renderer) {
        let _ = script.sources().render(&diagnostic, false);
        let _ = serde_json::to_string(&script.sources().error_json(&diagnostic));
    }
    let mut repl = Session::with_limits(limits);
    for line in source.lines() {
        if let Err(diagnostic) = repl.run_entry(line, &mut Renderer) {
            let _ = repl.sources().render(&diagnostic, false);
        }
        let _ = repl.vars();
    }
}
