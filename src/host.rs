//! The command line's [`Host`]: prints outputs, writes files with care, and
//! enforces the limits that need a clock or a terminal (SPEC §10).
//!
//! - **Time**: a deadline set when a run begins (a script; each REPL entry),
//!   checked whenever the session polls.
//! - **Output**: the bytes printed, counted by an [`OutputMeter`]; an output that
//!   would pass the limit is not printed, and the next poll stops the run.
//! - **Ctrl-C**: a handler sets a flag that the next poll answers with
//!   [`Halt::Interrupted`]; a second Ctrl-C before the run has stopped (a builtin
//!   that does not poll) ends the process with status 130.
//! - **Files** (`> "path"`, `:save`): never through a symlink, never to a device, a
//!   pipe or anything but a regular file, never over mgrad's own stdout or stderr.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use mgrad::interpreter::Host;
use mgrad::limits::{Halt, Limits, OutputMeter};
use mgrad::output::{Output, WroteFile};
use mgrad::picture::Charset;
use mgrad::render::{render_json, render_text_with};

use crate::{Format, os_reason, write_stdout};

/// Set by Ctrl-C; cleared when a run begins.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Whether Ctrl-C was pressed since the last run began (grading stops at it).
pub(crate) fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

/// The exit status of a run stopped by Ctrl-C, as a shell reports SIGINT.
pub(crate) const INTERRUPTED_STATUS: u8 = 130;

/// Makes Ctrl-C stop the running statement rather than the process. (In the REPL,
/// while a line is being edited, rustyline reads Ctrl-C as a key and never sees a signal.)
pub(crate) fn catch_ctrl_c() {
    // Without a handler (another one is installed), Ctrl-C simply ends the process.
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            // The run did not stop at the first Ctrl-C: it is inside one long builtin.
            eprintln!("\nmgrad: interrupted");
            std::process::exit(i32::from(INTERRUPTED_STATUS));
        }
    });
}

/// Set by `--ascii`: draw plots in ASCII whatever the locale.
static ASCII_CHARTS: AtomicBool = AtomicBool::new(false);

/// Plots are drawn in ASCII from now on (`--ascii`).
pub(crate) fn draw_plots_in_ascii() {
    ASCII_CHARTS.store(true, Ordering::Relaxed);
}

/// Braille for plots where the terminal can show it: the locale's character set is
/// UTF-8 (the first of `LC_ALL`, `LC_CTYPE`, `LANG` that is set, as C's setlocale
/// reads them), and `--ascii` was not given.
fn chart_charset() -> Charset {
    if ASCII_CHARTS.load(Ordering::Relaxed) {
        return Charset::Ascii;
    }
    let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
        .unwrap_or_default()
        .to_ascii_lowercase();
    if locale.contains("utf-8") || locale.contains("utf8") {
        Charset::Unicode
    } else {
        Charset::Ascii
    }
}

/// Where a written file went, as a full path, so the REPL's user can find it.
fn full_path(path: &str) -> String {
    let path = std::path::Path::new(path);
    if path.is_absolute() {
        return path.display().to_string();
    }
    match std::env::current_dir() {
        Ok(dir) => dir.join(path).display().to_string(),
        Err(_) => path.display().to_string(),
    }
}

/// What a host enforces itself of a session's limits, for one run at a time (a script,
/// a REPL entry, a notebook cell): the time limit (a deadline), the output limit (an
/// [`OutputMeter`]) and the sandbox. The CLI's host and the Jupyter kernel's share it.
pub(crate) struct RunLimits {
    limits: Limits,
    deadline: Option<Instant>,
    output: OutputMeter,
}

impl RunLimits {
    /// The limits of a run that begins now.
    pub(crate) fn new(limits: &Limits) -> RunLimits {
        let mut run = RunLimits {
            limits: limits.clone(),
            deadline: None,
            output: OutputMeter::new(limits.output_bytes),
        };
        run.begin();
        run
    }

    /// A run begins: the whole time and output limits are ahead of it.
    pub(crate) fn begin(&mut self) {
        self.deadline = self
            .limits
            .time_seconds
            .and_then(|seconds| Instant::now().checked_add(Duration::try_from_secs_f64(seconds).ok()?));
        self.output.reset();
    }

    /// Counts `bytes` about to be printed: whether they fit under the output limit (an
    /// output that does not is not printed, and the next poll stops the run).
    pub(crate) fn spend(&mut self, bytes: usize) -> bool {
        self.output.spend(bytes)
    }

    /// The answer to a poll: stop if `interrupted`, or past the output or time limit.
    pub(crate) fn check(&self, interrupted: bool) -> Result<(), Halt> {
        if interrupted {
            return Err(Halt::Interrupted);
        }
        if let Some(halt) = self.output.exceeded() {
            return Err(halt);
        }
        if let (Some(deadline), Some(seconds)) = (self.deadline, self.limits.time_seconds)
            && Instant::now() >= deadline
        {
            return Err(Halt::Time { seconds });
        }
        Ok(())
    }

    /// Writes a file for `> "path"` or `:save`: refused in the sandbox, else as
    /// [`write_regular_file`] writes it.
    pub(crate) fn write_file(&self, path: &str, contents: &str) -> Result<(), String> {
        if self.limits.sandbox {
            return Err(SANDBOX_REFUSAL.to_string());
        }
        write_regular_file(path, contents)
    }
}

/// The host of the command line: prints outputs to stdout, writes files safely,
/// and tells the time for `clock()` (seconds since the host was made).
pub(crate) struct CliHost {
    format: Format,
    charset: Charset,
    start: Instant,
    run: RunLimits,
}

impl CliHost {
    pub(crate) fn new(format: Format, limits: &Limits) -> CliHost {
        INTERRUPTED.store(false, Ordering::SeqCst);
        CliHost {
            format,
            charset: chart_charset(),
            start: Instant::now(),
            run: RunLimits::new(limits),
        }
    }

    /// A run begins (a script, or one REPL entry): the whole time and output limits
    /// are ahead of it, and an earlier Ctrl-C is forgotten.
    pub(crate) fn begin(&mut self) {
        self.run.begin();
        INTERRUPTED.store(false, Ordering::SeqCst);
    }
}

impl Host for CliHost {
    fn emit(&mut self, output: Output) {
        let output = match (self.format, output) {
            // People in a REPL are told where a file went, as a full path.
            (Format::Text, Output::Wrote(WroteFile { path, what })) => Output::Wrote(WroteFile {
                path: full_path(&path),
                what,
            }),
            (_, output) => output,
        };
        let text = self.render_for_file(&output);
        if self.run.spend(text.len()) {
            write_stdout(&text);
        }
    }

    /// In JSON mode a file gets the command's JSON object, as stdout would.
    fn render_for_file(&self, output: &Output) -> String {
        match self.format {
            Format::Text => render_text_with(output, self.charset),
            Format::Json => render_json(output) + "\n",
        }
    }

    fn clock(&mut self) -> Option<f64> {
        Some(self.start.elapsed().as_secs_f64())
    }

    fn write_file(&mut self, path: &str, contents: &str) -> Result<(), String> {
        self.run.write_file(path, contents)
    }

    fn poll(&mut self) -> Result<(), Halt> {
        self.run.check(INTERRUPTED.load(Ordering::Relaxed))
    }
}

/// Why a file operation is refused under `--sandbox`.
pub(crate) const SANDBOX_REFUSAL: &str = "the sandbox (--sandbox) allows no file to be read or written";

/// Writes `contents` to `path`, creating or replacing a regular file. Refuses a
/// symlink (the last component is opened with `O_NOFOLLOW`), anything that is not a
/// regular file (a device, a pipe, a directory: nothing is truncated or written
/// before this is known), and the files mgrad's own stdout and stderr go to.
#[cfg(unix)]
pub(crate) fn write_regular_file(path: &str, contents: &str) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::{MetadataExt, OpenOptionsExt};

    let fail = |reason: String| Err(reason);
    // No O_TRUNC: the file is emptied only once it is known to be a regular file.
    // O_NONBLOCK: opening a pipe with no reader fails at once instead of waiting.
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC)
        .mode(0o644)
        .open(path);
    let mut file = match file {
        Ok(file) => file,
        Err(error) if error.raw_os_error() == Some(libc::ELOOP) => {
            return fail("it is a symbolic link, and mgrad does not write through links".to_string());
        }
        Err(error) if error.raw_os_error() == Some(libc::ENXIO) => {
            return fail("it is not a regular file".to_string());
        }
        Err(error) => return fail(os_reason(&error)),
    };
    let metadata = file.metadata().map_err(|error| os_reason(&error))?;
    if !metadata.file_type().is_file() {
        return fail("it is not a regular file (a device, a pipe or a directory)".to_string());
    }
    let same = |fd: i32| {
        std::fs::metadata(format!("/dev/fd/{fd}"))
            .or_else(|_| std::fs::metadata(format!("/proc/self/fd/{fd}")))
            .is_ok_and(|stream| stream.dev() == metadata.dev() && stream.ino() == metadata.ino())
    };
    if same(1) || same(2) {
        return fail("it is where mgrad's own output goes (stdout or stderr)".to_string());
    }
    file.set_len(0)
        .and_then(|()| file.write_all(contents.as_bytes()))
        .and_then(|()| file.flush())
        .map_err(|error: io::Error| os_reason(&error))
}

/// Elsewhere: the same rules as far as the standard library can tell.
#[cfg(not(unix))]
pub(crate) fn write_regular_file(path: &str, contents: &str) -> Result<(), String> {
    match std::fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => {
            return Err("it is a symbolic link, and mgrad does not write through links".to_string());
        }
        Ok(metadata) if !metadata.is_file() => return Err("it is not a regular file".to_string()),
        _ => {}
    }
    std::fs::write(path, contents).map_err(|error| os_reason(&error))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("mgrad-host-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn regular_files_are_written_and_replaced() {
        let dir = scratch("regular");
        let path = dir.join("out.txt");
        std::fs::write(&path, "a much longer old content\n").unwrap();
        write_regular_file(path.to_str().unwrap(), "new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
    }

    #[test]
    fn links_devices_and_directories_are_refused_untouched() {
        let dir = scratch("refused");
        let target = dir.join("target.txt");
        std::fs::write(&target, "keep me\n").unwrap();
        let link = dir.join("link.txt");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let error = write_regular_file(link.to_str().unwrap(), "x").unwrap_err();
        assert!(error.contains("symbolic link"), "{error}");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me\n");
        let error = write_regular_file("/dev/null", "x").unwrap_err();
        assert!(error.contains("not a regular file"), "{error}");
        assert!(write_regular_file(dir.to_str().unwrap(), "x").is_err());
    }
}
