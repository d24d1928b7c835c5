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
use mgrad::diagnostic::{Diagnostic, SourceMap};
use mgrad::interpreter::{Host, Session};
use mgrad::output::Output;
use mgrad::render::{render_json, render_text};

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
    let cli = Cli::parse();
    let job = match job_for(cli.command, cli.files, cli.eval) {
        Ok(job) => job,
        Err(message) => {
            eprintln!("mgrad: {message}");
            return ExitCode::from(2);
        }
    };
    let format = cli.format;
    // The kernel runs its own threads (sockets here, the session on a large stack).
    #[cfg(feature = "jupyter")]
    let job = match job {
        Job::Kernel(command) => return ExitCode::from(kernel::main(command)),
        job => job,
    };
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
            eprintln!("mgrad: cannot start the interpreter thread: {error}");
            1
        }
    };
    ExitCode::from(code)
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
        Some(path) => std::fs::read(path)
            .map(|source| Job::Script {
                name: path.to_string(),
                source,
            })
            .map_err(|error| format!("cannot read '{path}': {}", os_reason(&error))),
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

/// The host of the command line: prints outputs to stdout, writes files with std::fs,
/// and tells the time for `clock()` (seconds since the host was made).
pub(crate) struct CliHost {
    format: Format,
    start: std::time::Instant,
}

impl CliHost {
    pub(crate) fn new(format: Format) -> CliHost {
        CliHost {
            format,
            start: std::time::Instant::now(),
        }
    }
}

impl Host for CliHost {
    fn emit(&mut self, output: Output) {
        let text = match self.format {
            Format::Text => render_text(&output),
            Format::Json => render_json(&output) + "\n",
        };
        write_stdout(&text);
    }

    fn write_file(&mut self, path: &str, contents: &str) -> Result<(), String> {
        std::fs::write(path, contents).map_err(|error| format!("cannot write '{path}': {}", os_reason(&error)))
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
