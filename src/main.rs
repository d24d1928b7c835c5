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

mod host;
mod repl;

use std::io::{self, IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use mgrad::diagnostic::{Diagnostic, ErrorKind, SourceMap};
use mgrad::interpreter::Session;
use mgrad::limits::{CLI_STACK_BYTES, Limits};

pub(crate) use host::CliHost;

/// The stack of the thread that runs mg code: deeply nested programs recurse, and the
/// main thread's default stack (often 8 MiB) is too small for them. The default
/// evaluation depth ([`Limits::default`]) is sized for it, so no program overflows it.
const STACK_SIZE: usize = CLI_STACK_BYTES;

#[derive(Parser, Debug)]
#[command(
    name = "mgrad",
    version,
    about = "An interpreter and REPL for mg, a small language for scalar reverse-mode automatic differentiation",
    after_help = "With no script and no -e, mgrad starts the REPL; when stdin is not a terminal, the REPL reads its entries from stdin without prompts.",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    /// A script to run; '-' reads the script from stdin.
    #[arg(value_name = "FILE.mg")]
    file: Option<String>,

    /// Run SOURCE instead of a script, e.g. -e 'a = 2; b = -3; L = a*b; grad L'.
    #[arg(short = 'e', long = "eval", value_name = "SOURCE", conflicts_with = "file")]
    eval: Option<String>,

    /// How to print results: text for people, json for one JSON object per line.
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    format: Format,

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
        let defaults = Limits::default();
        Limits {
            time_seconds: self.time_limit,
            memory_mib: self.memory_limit.or(defaults.memory_mib),
            nodes: self
                .node_limit
                .map_or(defaults.nodes, |nodes| usize::try_from(nodes).unwrap_or(usize::MAX)),
            output_bytes: self.output_limit,
            sandbox: self.sandbox,
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
    /// Grade exercise submissions (not available yet).
    Grade {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
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
    /// A script: the name errors use, and its text.
    Script {
        name: String,
        source: String,
    },
    Repl,
    /// The REPL without a terminal: entries come from stdin, with no prompts.
    PipedRepl {
        source: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let job = match job_for(cli.command, cli.file, cli.eval) {
        Ok(job) => job,
        Err(message) => {
            eprintln!("mgrad: {message}");
            return ExitCode::from(2);
        }
    };
    let format = cli.format;
    let limits = cli.limits.limits();
    host::catch_ctrl_c();
    let run = move || match job {
        Job::Script { name, source } => run_script(&name, &source, format, &limits),
        Job::Repl => repl::run(format, &limits),
        Job::PipedRepl { source } => repl::run_piped(&source, format, &limits),
    };
    let code = match std::thread::Builder::new()
        .name("mg".to_string())
        .stack_size(STACK_SIZE)
        .spawn(run)
    {
        // A panic has already printed its message; 101 is Rust's own status for one.
        Ok(thread) => thread.join().unwrap_or(101),
        Err(error) => {
            eprintln!("mgrad: cannot start the interpreter thread: {error}");
            1
        }
    };
    ExitCode::from(code)
}

/// Decides what to run, reading the script if there is one. Errors are usage errors.
fn job_for(command: Option<Command>, file: Option<String>, eval: Option<String>) -> Result<Job, String> {
    let file = match command {
        Some(Command::Grade { .. }) => {
            return Err("grading ('mgrad grade') is not available yet in this version".to_string());
        }
        Some(Command::Run { file }) => Some(file),
        None => file,
    };
    if let Some(source) = eval {
        return Ok(Job::Script {
            name: "<-e>".to_string(),
            source,
        });
    }
    match file.as_deref() {
        Some("-") => read_stdin().map(|source| Job::Script {
            name: "<stdin>".to_string(),
            source,
        }),
        Some(path) => std::fs::read_to_string(path)
            .map(|source| Job::Script {
                name: path.to_string(),
                source,
            })
            .map_err(|error| format!("cannot read '{path}': {}", os_reason(&error))),
        // Without a terminal there is nobody to prompt: the REPL reads stdin silently (SPEC §7).
        None if !io::stdin().is_terminal() => read_stdin().map(|source| Job::PipedRepl { source }),
        None => Ok(Job::Repl),
    }
}

fn read_stdin() -> Result<String, String> {
    let mut source = String::new();
    io::stdin()
        .read_to_string(&mut source)
        .map(|_| source)
        .map_err(|error| format!("cannot read the script from stdin: {}", os_reason(&error)))
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
fn run_script(name: &str, source: &str, format: Format, limits: &Limits) -> u8 {
    let mut session = Session::with_limits(limits.clone());
    let mut host = CliHost::new(format, limits);
    match session.run_script(name, source, &mut host) {
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
            let json = serde_json::to_string(&sources.error_json(diagnostic)).unwrap_or_else(|error| {
                serde_json::json!({"cmd": "error", "kind": "runtime", "message": error.to_string()}).to_string()
            });
            let mut stderr = io::stderr().lock();
            let _ = writeln!(stderr, "{json}");
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
        eprintln!("mgrad: cannot write to stdout: {}", os_reason(&error));
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
        assert_eq!(cli.file.as_deref(), Some("lecture.mg"));
        let cli = parse(&["run", "lecture.mg", "--format", "json"]).expect("run a script");
        assert!(matches!(cli.command, Some(Command::Run { ref file }) if file == "lecture.mg"));
        assert_eq!(cli.format, Format::Json);
        let cli = parse(&["-e", "a = 2; grad a"]).expect("inline source");
        assert_eq!(cli.eval.as_deref(), Some("a = 2; grad a"));
        let cli = parse(&["-"]).expect("stdin");
        assert_eq!(cli.file.as_deref(), Some("-"));
    }

    #[test]
    fn usage_errors_are_caught() {
        assert!(parse(&["-e", "a", "b.mg"]).is_err());
        assert!(parse(&["--format", "xml", "b.mg"]).is_err());
        assert!(parse(&["run"]).is_err());
        assert!(parse(&["a.mg", "b.mg"]).is_err());
    }

    #[test]
    fn grading_is_refused_for_now() {
        let cli = parse(&["grade", "--exercise", "ex.mg", "subs/"]).expect("grade takes any arguments");
        let job = job_for(cli.command, cli.file, cli.eval);
        assert!(matches!(job, Err(message) if message.contains("not available")));
    }

    #[test]
    fn unreadable_scripts_are_named_with_the_reason() {
        let job = job_for(None, Some("/no/such/dir/x.mg".to_string()), None);
        assert!(
            matches!(job, Err(ref message) if message == "cannot read '/no/such/dir/x.mg': No such file or directory")
        );
    }

    #[test]
    fn inline_source_is_named_for_errors() {
        let job = job_for(None, None, Some("print 1".to_string()));
        assert!(matches!(job, Ok(Job::Script { ref name, ref source }) if name == "<-e>" && source == "print 1"));
    }
}
