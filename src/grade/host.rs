//! The host a graded session runs against: it counts what a submission prints
//! against the output limit (and keeps none of it), refuses every file, and asks
//! the grader's [`Watch`] whether time is up.

use crate::interpreter::Host;
use crate::limits::{Halt, Limits, OutputMeter};
use crate::output::Output;

/// The grader's clock, which the library does not have (it builds for wasm32 and
/// must give the same result on every run). The CLI's watch checks a deadline set by
/// [`Watch::start`]; a host without a clock uses [`NoWatch`] and relies on the
/// deterministic limits (steps, memory, nodes, output).
pub trait Watch {
    /// A phase begins (a submission's run; its questions): the whole time limit is ahead.
    fn start(&mut self);
    /// Whether the phase may go on.
    fn poll(&mut self) -> Result<(), Halt>;
}

/// A watch without a clock: nothing is ever late.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoWatch;

impl Watch for NoWatch {
    fn start(&mut self) {}
    fn poll(&mut self) -> Result<(), Halt> {
        Ok(())
    }
}

/// Why no file is written while grading.
pub const NO_FILES: &str = "a graded program may not read or write files";

pub(super) struct GradeHost<'w> {
    output: OutputMeter,
    watch: &'w mut dyn Watch,
}

impl<'w> GradeHost<'w> {
    pub(super) fn new(limits: &Limits, watch: &'w mut dyn Watch) -> GradeHost<'w> {
        GradeHost {
            output: OutputMeter::new(limits.output_bytes),
            watch,
        }
    }

    /// A new phase: the time limit starts again, and so does the output count.
    pub(super) fn start(&mut self) {
        self.output.reset();
        self.watch.start();
    }
}

impl Host for GradeHost<'_> {
    fn emit(&mut self, output: Output) {
        let bytes = crate::render::render_text(&output).len();
        self.output.spend(bytes);
    }

    fn write_file(&mut self, _path: &str, _contents: &str) -> Result<(), String> {
        Err(NO_FILES.to_string())
    }

    fn poll(&mut self) -> Result<(), Halt> {
        if let Some(halt) = self.output.exceeded() {
            return Err(halt);
        }
        self.watch.poll()
    }
}
