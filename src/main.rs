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

mod grade_cli;
mod host;
#[cfg(feature = "jupyter")]
mod kernel;
mod repl;

use std::io::{self, IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use mgrad::diagnostic::{Diagnostic, ErrorKind, SourceMap, UsageErrorJson};
use mgrad::interpreter::Session;
use mgrad::limits::{CLI_STACK_BYTES, Limits};

pub(crate) use host::CliHost;

/// The stack of the thread that runs mg code: deeply nested programs recurse, and the
/// main thread's default stack (often 8 MiB) is too small for them. The default
/// evaluation depth ([`Limits::default`]) is sized for it, so no program overflows it.
pub(crate) const STACK_SIZE: usize = CLI_STACK_BYTES;

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
    #[command(flatten)]
    limits: LimitArgs,

    #[command(subcommand)]
    command: Option<Command>,
}

/// The limits of SPEC §10, the same for every way to run mg. In the REPL, the time and
/// output limits apply to each entry.
#[derive(Args, Debug, Clone, Default)]
struct LimitArgs {
    /// Stop a run that takes longer than SECONDS (default: no limit).
    #[arg(long, value_name = "SECONDS", value_parser = positive_seconds, global = true)]
    time_limit: Option<f64>,

    /// Stop a program that needs more than MIB mebibytes for its graph and lists (default: 2048).
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u64).range(1..), global = true)]
    memory_limit: Option<u64>,

    /// Stop a program whose graph grows past N live nodes (default: 50000000).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..), global = true)]
    node_limit: Option<u64>,

    /// Stop a run that prints more than BYTES (default: no limit).
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..), global = true)]
    output_limit: Option<u64>,

    /// Read and write no file: `> "path"`, :load and :save are refused.
    #[arg(long, global = true)]
    sandbox: bool,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        self.over(Limits::default())
    }

    /// `defaults`, with what the command line sets in their place.
    fn over(&self, defaults: Limits) -> Limits {
        Limits {
            memory_mib: self.memory_limit.or(defaults.memory_mib),
            nodes: self
                .node_limit
                .map_or(defaults.nodes, |nodes| usize::try_from(nodes).unwrap_or(usize::MAX)),
            output_bytes: self.output_limit.or(defaults.output_bytes),
            time_seconds: self.time_limit.or(defaults.time_seconds),
            sandbox: self.sandbox || defaults.sandbox,
            ..defaults
        }
    }
}

/// A time limit: a positive, finite number of seconds.
fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds > 0.0 && seconds < 1e9 => Ok(seconds),
        _ => Err(format!(
            "expected a positive number of seconds, like 10 or 0.5, not '{text}'"
        )),
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a script ('-' reads it from stdin).
    Run {
        #[arg(value_name = "FILE.mg")]
        file: String,
    },
    /// Grade students' .mg files against an exercise file: a table, JSON or a report.
    #[command(after_help = grade_cli::AFTER_HELP)]
    Grade(grade_cli::GradeArgs),
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
    Grade(grade_cli::GradeArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return ExitCode::from(report_clap_error(&error, format_asked())),
    };
    let format = cli.format;
    // For comparing the engines (bench/RESULTS.md): the tree walker alone.
    if std::env::var_os("MGRAD_ENGINE").is_some_and(|engine| engine == "tree") {
        mgrad::interpreter::Engine::TreeWalker.use_in_process();
    }
    let job = match job_for(cli.command, cli.files, cli.eval) {
        Ok(job) => job,
        Err(message) => {
            report_usage_error(&message, None, format);
            return ExitCode::from(2);
        }
    };
    let limits = match job {
        Job::Grade(_) => cli.limits.over(grade_cli::default_limits()),
        _ => cli.limits.limits(),
    };
    // The kernel runs its own threads (sockets here, the session on a large stack), and
    // turns Ctrl-C into an interrupt of the running cell.
    #[cfg(feature = "jupyter")]
    let job = match job {
        Job::Kernel(command) => return ExitCode::from(kernel::main(command, &limits)),
        job => job,
    };
    host::catch_ctrl_c();
    if cli.ascii {
        host::draw_plots_in_ascii();
    }
    if let Job::Grade(args) = job {
        // Grading runs its own threads, each with the stack its depth limit is sized for.
        return ExitCode::from(grade_cli::run(args, format, limits));
    }
    let run = move || match job {
        Job::Script { name, source } => run_script(&name, &source, format, &limits),
        Job::Repl => repl::run(format, &limits),
        Job::PipedRepl { source } => repl::run_piped(&source, format, &limits),
        // (Returned from main above: the kernel does not run on this thread.)
        #[cfg(feature = "jupyter")]
        Job::Kernel(_) => 2,
        Job::Grade(_) => 2,
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
        Some(Command::Grade(args)) if files.is_empty() && eval.is_none() => return Ok(Job::Grade(args)),
        Some(Command::Grade(_)) => {
            return Err(
                "write the exercise and the submissions after 'grade': mgrad grade EXERCISE.mg SUBMISSION…".to_string(),
            );
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
    read_bounded(io::stdin().lock(), "the script on stdin")
}

/// The bytes of a script file (decoded by the library, which places a byte that is
/// not UTF-8 at its line and column), or a sentence saying why it cannot be run.
fn read_script_bytes(path: &str) -> Result<Vec<u8>, String> {
    if std::fs::metadata(path).is_ok_and(|meta| meta.is_dir()) {
        return Err(format!("'{path}' is a directory, not a script; give a .mg file"));
    }
    let file = std::fs::File::open(path).map_err(|error| format!("cannot read '{path}': {}", os_reason(&error)))?;
    read_bounded(file, &format!("'{path}'"))
}

/// The largest script mgrad reads (a file, stdin, or `:load`): far more than any
/// program, and a bound on what `mgrad /dev/zero` can take before it says no.
pub(crate) const MAX_SCRIPT_BYTES: u64 = 64 << 20;

/// All of `reader`, up to [`MAX_SCRIPT_BYTES`]; `what` names it in the sentence.
fn read_bounded(reader: impl Read, what: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_SCRIPT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| format!("cannot read {what}: {}", os_reason(&error)))?;
    if bytes.len() as u64 > MAX_SCRIPT_BYTES {
        return Err(format!(
            "{what} is larger than {} MiB, which is more than a script can be",
            MAX_SCRIPT_BYTES >> 20
        ));
    }
    Ok(bytes)
}

/// Bytes as source text, or where they stop being UTF-8 ("is not UTF-8 text: …").
pub(crate) fn utf8_source(bytes: Vec<u8>) -> Result<String, String> {
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
fn run_script(name: &str, source: &[u8], format: Format, limits: &Limits) -> u8 {
    let mut session = Session::with_limits(limits.clone());
    let mut host = CliHost::new(format, limits);
    match session.run_script_bytes(name, source, &mut host) {
        Err(diagnostic) => {
            report_error(session.sources(), &diagnostic, format);
            exit_status(&diagnostic)
        }
        Ok(()) if session.failed_checks() > 0 => 1,
        Ok(()) => 0,
    }
}

/// The exit status of a run that stopped with `diagnostic`: 130 for Ctrl-C (as a
/// shell reports SIGINT), 1 for every error and limit.
pub(crate) fn exit_status(diagnostic: &Diagnostic) -> u8 {
    if diagnostic.kind == ErrorKind::Interrupted {
        host::INTERRUPTED_STATUS
    } else {
        1
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
    fn grading_takes_an_exercise_then_submissions() {
        let cli = parse(&["grade", "ex.mg", "subs/", "--report", "tap", "-o", "out.tap"]).expect("grade");
        let job = job_for(cli.command, cli.files, cli.eval);
        assert!(matches!(job, Ok(Job::Grade(_))));
        let cli = parse(&["grade", "--check", "ex.mg", "solution.mg"]).expect("grade --check");
        assert!(matches!(job_for(cli.command, cli.files, cli.eval), Ok(Job::Grade(_))));
        assert!(parse(&["grade"]).is_err(), "an exercise is required");
        assert!(parse(&["grade", "--check", "--handout", "ex.mg"]).is_err());
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
