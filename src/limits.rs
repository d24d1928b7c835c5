//! What a run of mg may use, and what stops it: one [`Limits`] value for every
//! way to run mg (script, `-e`, stdin, the REPL, a grader, a browser), SPEC §10.
//!
//! The core has no clock, no signals and no threads (it builds for wasm32), so the
//! work is split:
//!
//! - **The core** counts *steps* (a loop iteration, a comprehension item, a call:
//!   `Session::tick`, a countdown of [`POLL_EVERY`]) and enforces what it can
//!   measure itself: the step budget, the evaluation depth, the graph's nodes and
//!   the approximate memory (the graph's arena and labels plus every list's items,
//!   see [`memory`]).
//! - **The host** is asked every [`POLL_EVERY`] steps, and after every output,
//!   whether to go on (`Host::poll`): the CLI's host checks a deadline, the bytes
//!   it has written and a Ctrl-C flag; a browser's host can count instead, a
//!   Jupyter kernel's can check for an interrupt message. Its answer, a [`Halt`],
//!   becomes a `RuntimeError::Limit` or `RuntimeError::Interrupted` with the span
//!   of the statement that was running.
//!
//! A limit is its own kind of error (`kind: "limit"` in JSON), so a grader can tell
//! a timeout from a wrong answer.

use std::fmt;

/// How many steps pass between two polls of the host (and checks of memory and of
/// the step budget). A step is at most one statement's worth of work outside
/// builtins, so this is well under a millisecond of work between polls.
pub const POLL_EVERY: u32 = 1024;

/// The stack the CLI runs mg on (src/main.rs), for which [`Limits::default`]'s depth is sized.
pub const CLI_STACK_BYTES: usize = 256 << 20;

/// The stack one level of evaluation depth may take, at most, in a debug build
/// (the heaviest cycle of the tree walker, measured: see
/// `depth_limit_fits_its_stack` in tests/it/limits.rs), with room to spare.
pub const STACK_BYTES_PER_LEVEL: usize = 16 << 10;

/// The limits of one run. Every field is optional or has a safe default, so a host
/// can set just what it cares about: `Limits { time_seconds: Some(10.0), ..Limits::default() }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// Wall-clock seconds a run may take (a script; each REPL entry). The core has no
    /// clock: a host with one enforces it when polled. `None`: no limit.
    pub time_seconds: Option<f64>,
    /// Approximate memory in MiB: the graph's arena and labels plus every list's items.
    pub memory_mib: Option<u64>,
    /// The most live nodes the graph may hold.
    pub nodes: usize,
    /// The most bytes of output a run may print (enforced by the host, which knows
    /// how its output is rendered). `None`: no limit.
    pub output_bytes: Option<u64>,
    /// How deeply evaluation may nest: calls within calls, expressions within
    /// expressions, blocks within blocks. Size it for the stack mg runs on
    /// ([`Limits::depth_for_stack`]); past it, a program gets an error, never a
    /// stack overflow.
    pub depth: usize,
    /// The most steps (loop iterations, comprehension items, calls) a run may take:
    /// a deterministic budget for a host without a clock. `None`: no limit.
    pub steps: Option<u64>,
    /// No file is read or written: `> "path"`, `:load` and `:save` are refused.
    pub sandbox: bool,
}

impl Limits {
    /// No time, output or step limit; 2 GiB of memory and 50 million nodes (a chain
    /// of 50 million nodes is 1.6 GB), and the depth of the CLI's 256 MiB stack.
    /// These keep one machine safe: no abort, no swap storm.
    pub const DEFAULT_MEMORY_MIB: u64 = 2048;
    pub const DEFAULT_NODES: usize = 50_000_000;

    /// The evaluation depth that fits a stack of `bytes` (for a thread of a grader, or
    /// the browser's smaller stack).
    pub const fn depth_for_stack(bytes: usize) -> usize {
        bytes / STACK_BYTES_PER_LEVEL
    }

    /// The memory limit in bytes, if any.
    pub fn memory_bytes(&self) -> Option<usize> {
        self.memory_mib
            .map(|mib| usize::try_from(mib.saturating_mul(1 << 20)).unwrap_or(usize::MAX))
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            time_seconds: None,
            memory_mib: Some(Limits::DEFAULT_MEMORY_MIB),
            nodes: Limits::DEFAULT_NODES,
            output_bytes: None,
            depth: Limits::depth_for_stack(CLI_STACK_BYTES),
            steps: None,
            sandbox: false,
        }
    }
}

/// Why a host wants the run to stop, answered from `Host::poll`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Halt {
    /// The run has taken longer than `seconds`.
    Time { seconds: f64 },
    /// The run has printed more than `bytes`.
    Output { bytes: u64 },
    /// Someone asked it to stop: Ctrl-C, a kernel's interrupt message.
    Interrupted,
}

/// Which limit a run has reached, for the sentence that says so and how to raise it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reached {
    Time { seconds: f64 },
    Output { bytes: u64 },
    Memory { mib: u64 },
    Nodes { nodes: usize },
    Steps { steps: u64 },
    Depth { depth: usize },
}

impl fmt::Display for Reached {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Reached::Time { seconds } => write!(
                f,
                "the program ran longer than its time limit of {} s",
                crate::number::format_number(seconds)
            ),
            Reached::Output { bytes } => write!(f, "the program printed more than its output limit of {bytes} bytes"),
            Reached::Memory { mib } => write!(f, "the program needs more memory than its limit of {mib} MiB"),
            Reached::Nodes { nodes } => write!(f, "the graph has reached its limit of {nodes} nodes"),
            Reached::Steps { steps } => write!(f, "the program took more than its limit of {steps} steps"),
            Reached::Depth { depth } => write!(f, "evaluation is nested more than {depth} levels deep"),
        }
    }
}

impl Reached {
    /// How to raise the limit, or what to do instead.
    pub fn help(&self) -> String {
        match *self {
            Reached::Time { seconds } => format!(
                "raise it with --time-limit {}",
                crate::number::format_number((seconds * 6.0).max(60.0).ceil())
            ),
            Reached::Output { bytes } => {
                format!("raise it with --output-limit {}", bytes.saturating_mul(10).max(1 << 20))
            }
            Reached::Memory { mib } => format!(
                "raise it with --memory-limit {}, or build less: a node takes 32 bytes, a list item 16",
                mib.saturating_mul(2)
            ),
            Reached::Nodes { nodes } => format!(
                "raise it with --node-limit {}, or build a smaller graph (:reset empties the REPL's)",
                nodes.saturating_mul(2)
            ),
            Reached::Steps { .. } => "a loop or a recursion ran longer than this host allows".to_string(),
            Reached::Depth { .. } => {
                "calls or expressions nest too deeply: does a function call itself without stopping?".to_string()
            }
        }
    }
}

/// Counts the bytes a host prints against [`Limits::output_bytes`]; for hosts
/// that render outputs themselves (the CLI, a grader collecting feedback).
#[derive(Clone, Debug, Default)]
pub struct OutputMeter {
    limit: Option<u64>,
    written: u64,
}

impl OutputMeter {
    pub fn new(limit: Option<u64>) -> OutputMeter {
        OutputMeter { limit, written: 0 }
    }

    /// Counts `bytes` about to be printed: whether they fit under the limit. An output
    /// that does not fit is not printed at all (half a JSON line would be worse than
    /// none), and from then on [`OutputMeter::exceeded`] says so.
    pub fn spend(&mut self, bytes: usize) -> bool {
        self.written = self.written.saturating_add(bytes as u64);
        self.limit.is_none_or(|limit| self.written <= limit)
    }

    /// The halt to answer once more than the limit has been asked for.
    pub fn exceeded(&self) -> Option<Halt> {
        match self.limit {
            Some(limit) if self.written > limit => Some(Halt::Output { bytes: limit }),
            _ => None,
        }
    }

    /// Starts counting again (each REPL entry has the whole limit).
    pub fn reset(&mut self) {
        self.written = 0;
    }
}

pub mod memory {
    //! The bytes held by lists and strings, counted per thread.
    //!
    //! A list's items are charged when `Items::new` makes them (and as `Items::reserve`
    //! grows them) and released when the last reference to them is dropped (`Items`'
    //! `Drop`); a string's text likewise (`Text`). Lists are shared (`Rc`),
    //! so no session owns them: the count lives in a thread-local, which is right as
    //! long as a thread runs one session at a time (the CLI, a grader's workers, a
    //! browser's single thread). The graph's bytes are the graph's own
    //! (`Graph::memory_bytes`); a session adds the two.

    use std::cell::Cell;

    thread_local! {
        static VALUE_BYTES: Cell<usize> = const { Cell::new(0) };
    }

    /// Bytes held by the items of every live list and the text of every live string
    /// on this thread.
    pub fn value_bytes() -> usize {
        VALUE_BYTES.with(Cell::get)
    }

    pub(crate) fn charge(bytes: usize) {
        VALUE_BYTES.with(|cell| cell.set(cell.get().saturating_add(bytes)));
    }

    pub(crate) fn release(bytes: usize) {
        VALUE_BYTES.with(|cell| cell.set(cell.get().saturating_sub(bytes)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_output_meter_lets_through_what_fits() {
        let mut meter = OutputMeter::new(Some(10));
        assert!(meter.spend(4));
        assert_eq!(meter.exceeded(), None);
        assert!(meter.spend(6));
        assert_eq!(meter.exceeded(), None);
        assert!(!meter.spend(5));
        assert_eq!(meter.exceeded(), Some(Halt::Output { bytes: 10 }));
        meter.reset();
        assert!(!meter.spend(12));
        assert!(meter.exceeded().is_some());
        let mut unlimited = OutputMeter::new(None);
        assert!(unlimited.spend(usize::MAX));
        assert_eq!(unlimited.exceeded(), None);
    }

    #[test]
    fn limits_name_themselves_and_say_how_to_raise_them() {
        let time = Reached::Time { seconds: 10.0 };
        assert_eq!(time.to_string(), "the program ran longer than its time limit of 10 s");
        assert_eq!(time.help(), "raise it with --time-limit 60");
        let output = Reached::Output { bytes: 1000 };
        assert!(output.help().starts_with("raise it with --output-limit"));
        assert!(Reached::Memory { mib: 64 }.help().contains("--memory-limit 128"));
    }
}
