//! The `mgrad` command: runs scripts, inline source and the REPL.
//!
//! This is the thin shell around the library: it parses arguments (clap), reads
//! files, prints what the session emits, and renders errors. Only this file and
//! `repl.rs` touch the terminal.
//!
//! Exit status: 0 on success; 1 for a parse, runtime or assertion error, or a failed
//! `check`; 2 for a usage error (bad arguments, an unreadable script, `mgrad grade`).
//!
//! Errors go to stderr (SPEC §6): in text mode a rendered diagnostic, in JSON mode
//! one `{"cmd":"error",…}` line.

#[cfg(feature = "jupyter")]
mod kernel;
mod repl;

use std::io::{self, IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use mgrad::diagnostic::{Diagnostic, SourceMap, UsageErrorJson};
use mgrad::interpreter::{Host, Session};
use mgrad::output::{Output, WroteFile};
use mgrad::picture::Charset;
use mgrad::render::{render_json, render_text_with};

/// The stack of the thread that runs mg code: deep graphs and deeply nested programs
/// recurse, and the main thread's default stack (often 8 MiB) is too small for them.
pub(crate) const STACK_SIZE: usize = 256 * 1024 * 1024;

#[derive(Parser, Debug)]
#[command(
    name = "mgrad",
    version,
    about = "An interpreter and REPL for mg, a small language for scalar reverse-mode automatic differentiation",
    after_help = "With no script and no -e, mgrad starts the REPL; when stdin is not a terminal, the REPL reads its entries from stdin without prompts.",
    override_usage = "mgrad [OPTIONS] [FILE.mg | -e SOURCE]\n       mgrad [OPTIONS] run FILE.mg"
)]
struct Cli {
    /// A script to run; '-' reads the script from stdin. (Several are taken only to say
    /// that mgrad runs one at a time, rather than clap's puzzling "subcommand" error.)
    #[arg(value_name = "FILE.mg", num_args = 0..)]
    files: Vec<String>,

    /// Run SOURCE instead of a script, e.g. -e 'a = 2; b = -3; L = a*b; grad L'.
    #[arg(short = 'e', long = "eval", value_name = "SOURCE", conflicts_with = "files")]
    eval: Option<String>,

    /// How to print results: text for people, json for one JSON object per line.
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    format: Format,

    /// Draw plots in plain ASCII instead of Unicode braille (the default where the
    /// locale is UTF-8).
    #[arg(long, global = true)]
    ascii: bool,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a script ('-' reads it from stdin).
    Run {
        #[arg(value_name = "FILE.mg")]
        file: String,
    },
    /// Grade exercise submissions (not available yet).
    Grade {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
        args: Vec<String>,
    },
    /// mg in Jupyter: install, uninstall or check the kernel (Jupyter runs it).
    #[cfg(feature = "jupyter")]
    Kernel {
        #[command(subcommand)]
        command: kernel::KernelCommand,
    },
    /// (This mgrad was built without the Jupyter kernel.)
    #[cfg(not(feature = "jupyter"))]
    #[command(hide = true)]
    Kernel {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
}

/// What to run, once the arguments are understood.
enum Job {
    /// A script: the name errors use, and its bytes (decoded by the library, which
    /// knows where a byte that is not UTF-8 does no harm).
    Script {
        name: String,
        source: Vec<u8>,
    },
    Repl,
    /// The REPL without a terminal: entries come from stdin, with no prompts.
    PipedRepl {
        source: String,
    },
    /// `mgrad kernel …`
    #[cfg(feature = "jupyter")]
    Kernel(kernel::KernelCommand),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return ExitCode::from(report_clap_error(&error, format_asked())),
    };
    let format = cli.format;
    let job = match job_for(cli.command, cli.files, cli.eval) {
        Ok(job) => job,
        Err(message) => {
            report_usage_error(&message, None, format);
            return ExitCode::from(2);
        }
    };
    // The kernel runs its own threads (sockets here, the session on a large stack).
    #[cfg(feature = "jupyter")]
    let job = match job {
        Job::Kernel(command) => return ExitCode::from(kernel::main(command)),
        job => job,
    };
    if cli.ascii {
        ASCII_CHARTS.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    let run = move || match job {
        Job::Script { name, source } => run_script(&name, &source, format),
        Job::Repl => repl::run(format),
        Job::PipedRepl { source } => repl::run_piped(&source, format),
        #[cfg(feature = "jupyter")]
        Job::Kernel(_) => 2,
    };
    let code = match std::thread::Builder::new()
        .name("mg".to_string())
        .stack_size(STACK_SIZE)
        .spawn(run)
    {
        // A panic has already printed its message; 101 is Rust's own status for one.
        Ok(thread) => thread.join().unwrap_or(101),
        Err(error) => {
            report_usage_error(&format!("cannot start the interpreter thread: {error}"), None, format);
            1
        }
    };
    ExitCode::from(code)
}

/// The format the command line asks for, read from the raw arguments: for
/// errors clap finds before it has parsed `--format` (or cannot parse at all).
fn format_asked() -> Format {
    let args: Vec<String> = std::env::args_os()
        .map(|arg| arg.to_string_lossy().into_owned())
        .collect();
    let json = args.iter().enumerate().any(|(at, arg)| {
        arg == "--format=json" || (arg == "--format" && args.get(at + 1).is_some_and(|next| next == "json"))
    });
    if json { Format::Json } else { Format::Text }
}

/// What clap has to say when it does not run anything: help and the version
/// (exit 0), or a usage error (exit 2); in JSON mode as one JSON object.
/// Returns the exit status.
fn report_clap_error(error: &clap::Error, format: Format) -> u8 {
    use clap::error::ErrorKind as Clap;
    let code = if error.use_stderr() { 2 } else { 0 };
    if format == Format::Text {
        let _ = error.print();
        return code;
    }
    match error.kind() {
        Clap::DisplayHelp | Clap::DisplayHelpOnMissingArgumentOrSubcommand if code == 0 => {
            let json = serde_json::json!({"cmd": "help", "text": error.to_string()});
            write_stdout(&format!("{json}\n"));
        }
        Clap::DisplayVersion => {
            let json = serde_json::json!({"cmd": "version", "version": env!("CARGO_PKG_VERSION")});
            write_stdout(&format!("{json}\n"));
        }
        _ => {
            // clap's text: "error: <message>", then usage and tips, one per paragraph.
            let text = error.to_string();
            let mut lines = text.lines().map(str::trim).filter(|line| !line.is_empty());
            let first = lines.next().unwrap_or("the arguments are not understood");
            let message = first.strip_prefix("error: ").unwrap_or(first);
            let help: Vec<&str> = lines.collect();
            let help = (!help.is_empty()).then(|| help.join("; "));
            report_usage_error(message, help.as_deref(), format);
        }
    }
    code
}

/// A usage error (a bad argument, a script that cannot be read): `mgrad: …`
/// on stderr, or `{"cmd":"error","kind":"usage",…}` in JSON mode.
pub(crate) fn report_usage_error(message: &str, help: Option<&str>, format: Format) {
    let text = match format {
        Format::Text => match help {
            Some(help) => format!("mgrad: {message}\n  help: {help}\n"),
            None => format!("mgrad: {message}\n"),
        },
        Format::Json => json_line(&UsageErrorJson::new(message, help)),
    };
    let mut stderr = io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}

/// One JSON object and a newline. Serialising plain data cannot fail; the
/// fallback only keeps the stream well-formed if that ever changes.
pub(crate) fn json_line(value: &impl serde::Serialize) -> String {
    let json = serde_json::to_string(value).unwrap_or_else(|error| {
        serde_json::json!({"cmd": "error", "kind": "usage", "message": error.to_string()}).to_string()
    });
    json + "\n"
}

/// Decides what to run, reading the script if there is one. Errors are usage errors.
fn job_for(command: Option<Command>, files: Vec<String>, eval: Option<String>) -> Result<Job, String> {
    if files.len() > 1 {
        return Err(format!(
            "only one script runs at a time, but {} were given ({}); run each with its own command: {}",
            files.len(),
            files.iter().map(|f| format!("'{f}'")).collect::<Vec<_>>().join(", "),
            files
                .iter()
                .map(|f| format!("mgrad {f}"))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    let file = match command {
        Some(Command::Grade { .. }) => {
            return Err("grading ('mgrad grade') is not available yet in this version".to_string());
        }
        #[cfg(not(feature = "jupyter"))]
        Some(Command::Kernel { .. }) => {
            return Err(
                "this mgrad was built without the Jupyter kernel: build it with the 'jupyter' feature \
                 (on by default: cargo build --release)"
                    .to_string(),
            );
        }
        #[cfg(feature = "jupyter")]
        Some(Command::Kernel { command }) => return Ok(Job::Kernel(command)),
        Some(Command::Run { file }) if files.is_empty() => Some(file),
        Some(Command::Run { file }) => {
            return Err(format!(
                "write the script after 'run' only: mgrad run {file} (or mgrad {})",
                files[0]
            ));
        }
        None => files.into_iter().next(),
    };
    if let Some(source) = eval {
        return Ok(Job::Script {
            name: "<-e>".to_string(),
            source: source.into_bytes(),
        });
    }
    match file.as_deref() {
        Some("-") => read_stdin().map(|source| Job::Script {
            name: "<stdin>".to_string(),
            source,
        }),
        Some(path) => read_script_bytes(path).map(|source| Job::Script {
            name: path.to_string(),
            source,
        }),
        // Without a terminal there is nobody to prompt: the REPL reads stdin silently (SPEC §7).
        None if !io::stdin().is_terminal() => read_stdin().map(|bytes| Job::PipedRepl {
            source: mgrad::parser::decode(&bytes).text,
        }),
        None => Ok(Job::Repl),
    }
}

fn read_stdin() -> Result<Vec<u8>, String> {
    let mut source = Vec::new();
    io::stdin()
        .read_to_end(&mut source)
        .map(|_| source)
        .map_err(|error| format!("cannot read the script from stdin: {}", os_reason(&error)))
}

/// The bytes of a script file (decoded by the library, which places a byte that is
/// not UTF-8 at its line and column), or a sentence saying why it cannot be run.
fn read_script_bytes(path: &str) -> Result<Vec<u8>, String> {
    if std::fs::metadata(path).is_ok_and(|meta| meta.is_dir()) {
        return Err(format!("'{path}' is a directory, not a script; give a .mg file"));
    }
    std::fs::read(path).map_err(|error| format!("cannot read '{path}': {}", os_reason(&error)))
}

/// The text of a script file for `:load`, or a sentence saying why it cannot be run.
pub(crate) fn read_script(path: &str) -> Result<String, String> {
    let bytes = read_script_bytes(path)?;
    utf8_source(bytes).map_err(|reason| format!("'{path}' {reason}"))
}

/// Bytes as source text, or where they stop being UTF-8 ("is not UTF-8 text: …").
fn utf8_source(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|error| {
        let valid = &error.as_bytes()[..error.utf8_error().valid_up_to()];
        // Everything before the bad byte is UTF-8, so lines and columns count characters.
        let before = String::from_utf8_lossy(valid);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |text| text.chars().count()) + 1;
        format!(
            "is not UTF-8 text: line {line}, column {column} holds a byte that is not; \
             mg source must be UTF-8 (save the file as UTF-8)"
        )
    })
}

/// An I/O error as a reason for a sentence: `No such file or directory`, without `(os error 2)`.
pub(crate) fn os_reason(error: &io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(index) => text[..index].to_string(),
        None => text,
    }
}

/// Runs a whole script and returns the exit status.
fn run_script(name: &str, source: &[u8], format: Format) -> u8 {
    let mut session = Session::new();
    let mut host = CliHost::new(format);
    match session.run_script_bytes(name, source, &mut host) {
        Err(diagnostic) => {
            report_error(session.sources(), &diagnostic, format);
            1
        }
        Ok(()) if session.failed_checks() > 0 => 1,
        Ok(()) => 0,
    }
}

/// Whether to colour what goes to `stream`: only a terminal, and never with `NO_COLOR` set.
pub(crate) fn use_color(stream: &impl IsTerminal) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
    stream.is_terminal() && !no_color
}

/// Shows an error: rendered with its source line on stderr, or as a JSON line on stdout.
pub(crate) fn report_error(sources: &SourceMap, diagnostic: &Diagnostic, format: Format) {
    match format {
        Format::Text => {
            let text = sources.render(diagnostic, use_color(&io::stderr()));
            let mut stderr = io::stderr().lock();
            let _ = stderr.write_all(text.as_bytes());
            let _ = stderr.flush();
        }
        Format::Json => {
            let json = json_line(&sources.error_json(diagnostic));
            let mut stderr = io::stderr().lock();
            let _ = stderr.write_all(json.as_bytes());
            let _ = stderr.flush();
        }
    }
}

/// Writes to stdout and flushes, so that progress shows while a long loop runs.
/// When the reader has gone away (`mgrad x.mg | head`), there is nobody left to tell:
/// stop quietly, as a Unix filter does.
pub(crate) fn write_stdout(text: &str) {
    let mut stdout = io::stdout().lock();
    let written = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
    if let Err(error) = written {
        if error.kind() == io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        // Whether JSON was asked for is not known here; a JSON reader still gets JSON.
        let message = format!("cannot write to stdout: {}", os_reason(&error));
        report_usage_error(&message, None, format_asked());
    }
}

/// Set by `--ascii`: draw plots in ASCII whatever the locale.
static ASCII_CHARTS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Braille for plots where the terminal can show it: the locale's character set is
/// UTF-8 (the first of `LC_ALL`, `LC_CTYPE`, `LANG` that is set, as C's setlocale
/// reads them), and `--ascii` was not given.
fn chart_charset() -> Charset {
    if ASCII_CHARTS.load(std::sync::atomic::Ordering::Relaxed) {
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

/// The host of the command line: prints outputs to stdout, writes files with std::fs,
/// and tells the time for `clock()` (seconds since the host was made).
pub(crate) struct CliHost {
    format: Format,
    charset: Charset,
    start: std::time::Instant,
}

impl CliHost {
    pub(crate) fn new(format: Format) -> CliHost {
        CliHost {
            format,
            charset: chart_charset(),
            start: std::time::Instant::now(),
        }
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
        write_stdout(&self.render_for_file(&output));
    }

    /// In JSON mode a file gets the command's JSON object, as stdout would.
    fn render_for_file(&self, output: &Output) -> String {
        match self.format {
            Format::Text => render_text_with(output, self.charset),
            Format::Json => render_json(output) + "\n",
        }
    }

    fn write_file(&mut self, path: &str, contents: &str) -> Result<(), String> {
        // Only the reason: the caller's message names the path ("cannot write 'P': …").
        std::fs::write(path, contents).map_err(|error| os_reason(&error))
    }

    fn clock(&mut self) -> Option<f64> {
        Some(self.start.elapsed().as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("mgrad").chain(args.iter().copied()))
    }

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn scripts_are_found_three_ways() {
        let cli = parse(&["lecture.mg"]).expect("a script");
        assert_eq!(cli.files, ["lecture.mg"]);
        let cli = parse(&["run", "lecture.mg", "--format", "json"]).expect("run a script");
        assert!(matches!(cli.command, Some(Command::Run { ref file }) if file == "lecture.mg"));
        assert_eq!(cli.format, Format::Json);
        // Options may come before the subcommand too.
        let cli = parse(&["--format", "json", "run", "lecture.mg"]).expect("an option, then run");
        assert!(matches!(cli.command, Some(Command::Run { ref file }) if file == "lecture.mg"));
        assert_eq!(cli.format, Format::Json);
        let cli = parse(&["--format", "json", "lecture.mg"]).expect("an option, then a script");
        assert_eq!(cli.files, ["lecture.mg"]);
        let cli = parse(&["-e", "a = 2; grad a"]).expect("inline source");
        assert_eq!(cli.eval.as_deref(), Some("a = 2; grad a"));
        let cli = parse(&["-"]).expect("stdin");
        assert_eq!(cli.files, ["-"]);
    }

    #[test]
    fn usage_errors_are_caught() {
        assert!(parse(&["-e", "a", "b.mg"]).is_err());
        assert!(parse(&["--format", "xml", "b.mg"]).is_err());
        assert!(parse(&["run"]).is_err());
        // Two scripts parse, and are refused with a sentence saying what to do.
        let cli = parse(&["a.mg", "b.mg"]).expect("two scripts reach job_for");
        let job = job_for(cli.command, cli.files, cli.eval);
        assert!(
            matches!(job, Err(ref message) if message == "only one script runs at a time, but 2 were given ('a.mg', 'b.mg'); run each with its own command: mgrad a.mg; mgrad b.mg"),
            "{:?}",
            job.err()
        );
    }

    #[test]
    fn grading_is_refused_for_now() {
        let cli = parse(&["grade", "--exercise", "ex.mg", "subs/"]).expect("grade takes any arguments");
        let job = job_for(cli.command, cli.files, cli.eval);
        assert!(matches!(job, Err(message) if message.contains("not available")));
    }

    #[test]
    fn unreadable_scripts_are_named_with_the_reason() {
        let job = job_for(None, vec!["/no/such/dir/x.mg".to_string()], None);
        assert!(
            matches!(job, Err(ref message) if message == "cannot read '/no/such/dir/x.mg': No such file or directory")
        );
    }

    #[test]
    fn inline_source_is_named_for_errors() {
        let job = job_for(None, Vec::new(), Some("print 1".to_string()));
        assert!(matches!(job, Ok(Job::Script { ref name, ref source }) if name == "<-e>" && source == b"print 1"));
    }
}
