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

mod repl;

use std::io::{self, IsTerminal, Read, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use mgrad::diagnostic::{Diagnostic, SourceMap};
use mgrad::interpreter::{Host, Session};
use mgrad::output::{Output, WroteFile};
use mgrad::picture::Charset;
use mgrad::render::{render_json, render_text_with};

/// The stack of the thread that runs mg code: deep graphs and deeply nested programs
/// recurse, and the main thread's default stack (often 8 MiB) is too small for them.
const STACK_SIZE: usize = 256 * 1024 * 1024;

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
    if cli.ascii {
        ASCII_CHARTS.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    let run = move || match job {
        Job::Script { name, source } => run_script(&name, &source, format),
        Job::Repl => repl::run(format),
        Job::PipedRepl { source } => repl::run_piped(&source, format),
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
fn run_script(name: &str, source: &str, format: Format) -> u8 {
    let mut session = Session::new();
    let mut host = CliHost::new(format);
    match session.run_script(name, source, &mut host) {
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

/// The host of the command line: prints outputs to stdout, writes files with std::fs.
pub(crate) struct CliHost {
    format: Format,
    charset: Charset,
}

impl CliHost {
    pub(crate) fn new(format: Format) -> CliHost {
        CliHost {
            format,
            charset: chart_charset(),
        }
    }
}

impl Host for CliHost {
    fn emit(&mut self, output: Output) {
        let text = match (self.format, output) {
            (Format::Text, Output::Wrote(WroteFile { path, what })) => render_text_with(
                &Output::Wrote(WroteFile {
                    path: full_path(&path),
                    what,
                }),
                self.charset,
            ),
            (Format::Text, output) => render_text_with(&output, self.charset),
            (Format::Json, output) => render_json(&output) + "\n",
        };
        write_stdout(&text);
    }

    fn write_file(&mut self, path: &str, contents: &str) -> Result<(), String> {
        std::fs::write(path, contents).map_err(|error| format!("cannot write '{path}': {}", os_reason(&error)))
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
