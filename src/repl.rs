//! The interactive REPL: line editing, history, completion and highlighting
//! (rustyline), around a [`Session`].
//!
//! This is the only module that knows rustyline. What an entry does is decided by
//! [`handle_entry`], which needs no terminal, so it is tested like the library.

use std::borrow::Cow;
use std::path::PathBuf;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::history::{DefaultHistory, History};
use rustyline::{ColorMode, CompletionType, Config, Context, Editor, Helper, Hinter, Validator};

use mgrad::assist::complete;
use mgrad::ast::KEYWORDS;
use mgrad::diagnostic::Diagnostic;
use mgrad::help::help;
use mgrad::interpreter::{BUILTINS, Host, Session, VarInfo};
use mgrad::meta::{MetaCommand, is_meta_command};
use mgrad::parser::is_incomplete;

use mgrad::diagnostic::ErrorKind;
use mgrad::limits::Limits;
use mgrad::paths::shown;

use crate::MAX_SCRIPT_BYTES;
use crate::host::SANDBOX_REFUSAL;
use crate::{
    CliHost, Format, exit_status, json_line, os_reason, report_error, report_usage_error, use_color, write_stdout,
};

/// What the REPL should do after an entry.
#[derive(Debug, PartialEq)]
pub(crate) enum Reply {
    /// Nothing more to show (statements print through the host as they run).
    Nothing,
    /// A meta-command's answer: text for people, and the same as one JSON
    /// object for `--format json`.
    Text { text: String, json: serde_json::Value },
    /// A sentence for stderr (a meta-command went wrong): a usage error.
    Problem(String),
    /// An error in mg code, to render against the session's sources.
    Error(Diagnostic),
    /// Leave the REPL.
    Quit,
}

/// Where an entry's lines were read: typed at the prompt (each entry is a
/// source of its own, `<repl N>`), or read from a pipe starting at a line of
/// `<stdin>`, so that errors give the line of the input.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Origin {
    Prompt,
    Stdin { line: usize },
}

/// Handles one entry: a meta-command, or mg statements run in the session.
/// An error leaves the session as it was; the REPL goes on.
pub(crate) fn handle_entry(session: &mut Session, entry: &str, origin: Origin, host: &mut dyn Host) -> Reply {
    if entry.trim().is_empty() {
        return Reply::Nothing;
    }
    if !is_meta_command(entry) {
        let result = match origin {
            Origin::Prompt => session.run_entry(entry, host),
            Origin::Stdin { line } => session.run_entry_from("<stdin>", line, entry, host),
        };
        return match result {
            Ok(()) => Reply::Nothing,
            Err(diagnostic) => Reply::Error(diagnostic),
        };
    }
    let command = match entry.parse::<MetaCommand>() {
        Ok(command) => command,
        Err(message) => return Reply::Problem(message),
    };
    match command {
        MetaCommand::Help(topic) => match help(topic.as_deref()) {
            Ok(text) => Reply::Text {
                text: text.to_string(),
                json: serde_json::json!({"cmd": "help", "topic": topic, "text": text}),
            },
            Err(message) => Reply::Problem(message),
        },
        MetaCommand::Vars => {
            let vars = session.vars();
            let json = serde_json::json!({"cmd": "vars", "vars": vars.iter().map(|var| serde_json::json!({
                "name": var.name, "kind": var.kind, "summary": var.summary,
            })).collect::<Vec<_>>()});
            Reply::Text {
                text: format_vars(&vars),
                json,
            }
        }
        MetaCommand::Reset => {
            session.reset();
            let text = "the session is reset: no names, an empty graph, a fresh random generator";
            Reply::Text {
                text: format!("{text}\n"),
                json: serde_json::json!({"cmd": "reset", "message": text}),
            }
        }
        MetaCommand::Load(path) => match read_script(&path, session.limits()) {
            // Errors in a loaded file give its name and lines.
            Ok(source) => match session.run_entry_from(&path, 1, &source, host) {
                Ok(()) => Reply::Nothing,
                Err(diagnostic) => Reply::Error(diagnostic),
            },
            Err(reason) => Reply::Problem(format!("cannot load '{}': {reason}", shown(&path))),
        },
        MetaCommand::Save(path) if session.limits().sandbox => {
            Reply::Problem(format!("cannot write '{}': {SANDBOX_REFUSAL}", shown(&path)))
        }
        MetaCommand::Save(path) => {
            let statements = session.history();
            let mut script = statements.join("\n");
            if !script.is_empty() {
                script.push('\n');
            }
            let written = match mgrad::paths::refusal(&path) {
                Some(reason) => Err(reason.to_string()),
                None => host.write_file(&path, &script),
            };
            match written {
                Ok(()) => {
                    let noun = if statements.len() == 1 {
                        "statement"
                    } else {
                        "statements"
                    };
                    Reply::Text {
                        text: format!("wrote {} {noun} to {}\n", statements.len(), shown(&path)),
                        json: serde_json::json!({
                            "cmd": "wrote", "path": path, "what": "session", "statements": statements.len(),
                        }),
                    }
                }
                Err(reason) => Reply::Problem(format!("cannot write '{}': {reason}", shown(&path))),
            }
        }
        MetaCommand::Quit => Reply::Quit,
    }
}

/// Shows what an entry answered, in the session's format; returns whether it was a failure.
fn show_reply(reply: Reply, session: &Session, format: Format) -> bool {
    match reply {
        Reply::Nothing | Reply::Quit => false,
        Reply::Text { text, json } => {
            match format {
                Format::Text => write_stdout(&text),
                Format::Json => write_stdout(&json_line(&json)),
            }
            false
        }
        Reply::Problem(message) => {
            report_usage_error(&message, None, format);
            true
        }
        Reply::Error(diagnostic) => {
            report_error(session.sources(), &diagnostic, format);
            true
        }
    }
}

/// The text of the mg script `:load` runs. Only a regular file named `*.mg` holding
/// UTF-8 text is loaded: so an error in it quotes mg source, never a line of some
/// other file (`:load /etc/shadow` says no without showing any of it).
fn read_script(path: &str, limits: &Limits) -> Result<String, String> {
    if limits.sandbox {
        return Err(SANDBOX_REFUSAL.to_string());
    }
    if !path.ends_with(".mg") {
        return Err(":load runs mg scripts, whose names end in .mg".to_string());
    }
    let metadata = std::fs::metadata(path).map_err(|error| os_reason(&error))?;
    if !metadata.is_file() {
        return Err("it is not a regular file".to_string());
    }
    if metadata.len() > MAX_SCRIPT_BYTES {
        return Err(format!("it is larger than {} MiB", MAX_SCRIPT_BYTES >> 20));
    }
    let bytes = std::fs::read(path).map_err(|error| os_reason(&error))?;
    crate::utf8_source(bytes).map_err(|reason| format!("it {reason}"))
}

/// `:vars` as an aligned table: name, kind, value.
pub(crate) fn format_vars(vars: &[VarInfo]) -> String {
    if vars.is_empty() {
        return "no names are bound yet; try a = 2\n".to_string();
    }
    let name_width = vars.iter().map(|var| var.name.chars().count()).max().unwrap_or(0);
    let kind_width = vars.iter().map(|var| var.kind.chars().count()).max().unwrap_or(0);
    vars.iter()
        .map(|var| {
            format!("{:name_width$}  {:kind_width$}  {}", var.name, var.kind, var.summary)
                .trim_end()
                .to_string()
                + "\n"
        })
        .collect()
}

const RESET: &str = "\x1b[0m";
const KEYWORD_STYLE: &str = "\x1b[35m";
const BUILTIN_STYLE: &str = "\x1b[34m";
const NUMBER_STYLE: &str = "\x1b[36m";
const STRING_STYLE: &str = "\x1b[32m";
const COMMENT_STYLE: &str = "\x1b[90m";
const META_STYLE: &str = "\x1b[33m";

/// The line with ANSI colours for keywords, builtins, numbers, strings and comments.
/// It has the same display width as the line, as rustyline requires.
pub(crate) fn highlight_line(line: &str) -> String {
    if is_meta_command(line) {
        return format!("{META_STYLE}{line}{RESET}");
    }
    let mut out = String::with_capacity(line.len() * 2);
    let paint = |out: &mut String, style: &str, text: &str| {
        out.push_str(style);
        out.push_str(text);
        out.push_str(RESET);
    };
    let mut rest = line;
    let mut after_dot = false;
    while let Some(c) = rest.chars().next() {
        let token_len = if c == '#' {
            let len = rest.find('\n').unwrap_or(rest.len());
            paint(&mut out, COMMENT_STYLE, &rest[..len]);
            len
        } else if c == '"' {
            let mut len = rest.len();
            let mut escaped = false;
            for (index, c) in rest.char_indices().skip(1) {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => {
                        len = index + 1;
                        break;
                    }
                    _ => {}
                }
            }
            paint(&mut out, STRING_STYLE, &rest[..len]);
            len
        } else if c.is_ascii_digit() || (c == '.' && leading_dot_number(&line[..line.len() - rest.len()], rest)) {
            let len = number_len(rest);
            paint(&mut out, NUMBER_STYLE, &rest[..len]);
            len
        } else if c.is_alphabetic() || c == '_' {
            let len = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let word = &rest[..len];
            if after_dot {
                out.push_str(word);
            } else if KEYWORDS.contains(&word) {
                paint(&mut out, KEYWORD_STYLE, word);
            } else if BUILTINS.contains(&word) {
                paint(&mut out, BUILTIN_STYLE, word);
            } else {
                out.push_str(word);
            }
            len
        } else {
            out.push(c);
            c.len_utf8()
        };
        after_dot = c == '.' && token_len == 1;
        rest = &rest[token_len..];
    }
    out
}

/// Whether the `.` that starts `rest` begins a number like `.5`: a digit follows, and
/// nothing before it could own an attribute or end a range (`x.5`, `0..10`).
fn leading_dot_number(before: &str, rest: &str) -> bool {
    let owner = before.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.' || c == ')' || c == ']');
    rest[1..].starts_with(|c: char| c.is_ascii_digit()) && !owner
}

/// The length of the number at the start of `text`: `12`, `0.5`, `.5`, `1e-3`, `2.5E+4`.
/// A `..` range (`0..100`) ends the number before the dots.
fn number_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    let digits = |mut index: usize| {
        while index < bytes.len() && bytes[index].is_ascii_digit() {
            index += 1;
        }
        index
    };
    let mut end = digits(0);
    if end < bytes.len() && bytes[end] == b'.' && bytes.get(end + 1) != Some(&b'.') {
        end = digits(end + 1);
    }
    if end < bytes.len() && (bytes[end] == b'e' || bytes[end] == b'E') {
        let mut exponent = end + 1;
        if exponent < bytes.len() && (bytes[exponent] == b'+' || bytes[exponent] == b'-') {
            exponent += 1;
        }
        if exponent < bytes.len() && bytes[exponent].is_ascii_digit() {
            end = digits(exponent);
        }
    }
    end
}

/// The rustyline helper: completion and highlighting. (Every line is valid to rustyline:
/// the REPL itself continues an entry with an open bracket, see [`PendingEntry`].)
#[derive(Helper, Hinter, Validator)]
struct MgHelper {
    /// The session's names, refreshed after every entry.
    names: Vec<String>,
    color: bool,
    files: FilenameCompleter,
}

impl Completer for MgHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let trimmed = line.trim_start();
        if trimmed.starts_with(":load ") || trimmed.starts_with(":save ") {
            return self.files.complete(line, pos, ctx);
        }
        let completion = complete(line, pos, &self.names);
        let pairs = completion
            .matches
            .into_iter()
            .map(|text| Pair {
                display: text.clone(),
                replacement: text,
            })
            .collect();
        Ok((completion.start, pairs))
    }
}

/// The lines of one entry typed so far. An open bracket, brace or string continues the
/// entry on the next line, which is read with the continuation prompt. (rustyline's own
/// multi-line editing has no continuation prompt, so the REPL reads line by line, as
/// Python's does.)
#[derive(Default)]
pub(crate) struct PendingEntry {
    text: String,
    lines: usize,
}

impl PendingEntry {
    /// Adds a line; gives the whole entry back once it is complete.
    pub(crate) fn push(&mut self, line: &str) -> Option<String> {
        if self.lines > 0 {
            self.text.push('\n');
        }
        self.text.push_str(line);
        self.lines += 1;
        if !is_meta_command(&self.text) && is_incomplete(&self.text) {
            return None;
        }
        Some(self.take())
    }

    /// Whether the next line continues an entry.
    pub(crate) fn is_continuing(&self) -> bool {
        self.lines > 0
    }

    /// The lines so far, as an entry, leaving none.
    pub(crate) fn take(&mut self) -> String {
        self.lines = 0;
        std::mem::take(&mut self.text)
    }
}

/// The history file, and whether writing it has failed: the user is told once, and
/// then no more is written (history never stops the REPL).
pub(crate) struct HistoryFile {
    path: PathBuf,
    failed: bool,
}

impl HistoryFile {
    pub(crate) fn new(path: PathBuf) -> HistoryFile {
        HistoryFile { path, failed: false }
    }

    /// Appends the entries added since the last call to the file. The first time that
    /// fails, returns a warning for the user.
    pub(crate) fn append(&mut self, history: &mut impl History) -> Option<String> {
        if self.failed {
            return None;
        }
        if let Some(dir) = self.path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let error = history.append(&self.path).err()?;
        self.failed = true;
        let reason = match &error {
            ReadlineError::Io(error) => os_reason(error),
            other => other.to_string(),
        };
        Some(format!(
            "mgrad: warning: cannot write the history file '{}': {reason}; this session's history will not be kept \
             (set MGRAD_HISTORY to a file that can be written, or MGRAD_HISTORY= to turn history off)",
            self.path.display()
        ))
    }
}

impl Highlighter for MgHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if self.color {
            Cow::Owned(highlight_line(line))
        } else {
            Cow::Borrowed(line)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        self.color
    }
}

/// Where history is kept: `$MGRAD_HISTORY` if set (empty turns history off), else
/// `mgrad/history` in the user's state directory (or data directory where there is none).
fn history_path() -> Option<PathBuf> {
    history_path_from(std::env::var_os("MGRAD_HISTORY"))
}

/// [`history_path`], given the value of `MGRAD_HISTORY`.
fn history_path_from(setting: Option<std::ffi::OsString>) -> Option<PathBuf> {
    match setting {
        Some(path) if path.is_empty() => None,
        Some(path) => Some(PathBuf::from(path)),
        None => dirs::state_dir()
            .or_else(dirs::data_dir)
            .map(|dir| dir.join("mgrad").join("history")),
    }
}

/// The banner's version: `0.1` from `0.1.0`.
fn short_version() -> String {
    env!("CARGO_PKG_VERSION")
        .split('.')
        .take(2)
        .collect::<Vec<_>>()
        .join(".")
}

/// Runs the REPL until `:quit` or Ctrl-D, and returns the exit status.
/// The REPL without a terminal (`mgrad < session.mg`): each line is an entry (lines join
/// while brackets are open), meta-commands work, and an error is reported without ending
/// the session. The exit status is 1 if any entry failed or any check failed.
pub(crate) fn run_piped(source: &str, format: Format, limits: &Limits) -> u8 {
    let mut session = Session::with_limits(limits.clone());
    let mut host = CliHost::new(format, limits);
    let mut failed = false;
    let mut entry = String::new();
    // The line of the input where the entry being gathered starts.
    let mut first_line = 1;
    for (index, line) in source.lines().enumerate() {
        if entry.is_empty() {
            first_line = index + 1;
        } else {
            entry.push('\n');
        }
        entry.push_str(line);
        if is_incomplete(&entry) {
            continue;
        }
        host.begin();
        let reply = handle_entry(&mut session, &entry, Origin::Stdin { line: first_line }, &mut host);
        match &reply {
            Reply::Quit => return u8::from(failed || session.failed_checks() > 0),
            // Ctrl-C stops the whole input: nobody is there to type the next entry.
            Reply::Error(diagnostic) if diagnostic.kind == ErrorKind::Interrupted => {
                report_error(session.sources(), diagnostic, format);
                return exit_status(diagnostic);
            }
            _ => {}
        }
        failed |= show_reply(reply, &session, format);
        entry.clear();
    }
    if !entry.trim().is_empty() {
        // The input ended inside an open bracket: run it so the parser can say what is missing.
        host.begin();
        let reply = handle_entry(&mut session, &entry, Origin::Stdin { line: first_line }, &mut host);
        failed |= show_reply(reply, &session, format);
    }
    u8::from(failed || session.failed_checks() > 0)
}

pub(crate) fn run(format: Format, limits: &Limits) -> u8 {
    let color = use_color(&std::io::stdout());
    let config = Config::builder()
        .auto_add_history(false)
        .completion_type(CompletionType::List)
        .color_mode(if color { ColorMode::Enabled } else { ColorMode::Disabled })
        .build();
    let mut editor: Editor<MgHelper, DefaultHistory> = match Editor::with_config(config) {
        Ok(editor) => editor,
        Err(error) => {
            report_usage_error(&format!("cannot start the line editor: {error}"), None, format);
            return 1;
        }
    };
    editor.set_helper(Some(MgHelper {
        names: Vec::new(),
        color,
        files: FilenameCompleter::new(),
    }));

    // History never stops the REPL: a file that cannot be read means no history yet, and
    // one that cannot be written is said once (see `HistoryFile`).
    let mut history = history_path().map(HistoryFile::new);
    if let Some(history) = &history {
        let _ = editor.load_history(&history.path);
    }

    // The banner is for people; a JSON Lines stream carries only JSON.
    if format == Format::Text {
        write_stdout(&format!(
            "mgrad {} — type :help for help, :quit to leave\n",
            short_version()
        ));
    }
    // The first line of an entry, and a line that continues it (an open bracket).
    let (prompt, continuation) = if color {
        (("> ", "\x1b[1;32m> \x1b[0m"), ("… ", "\x1b[32m… \x1b[0m"))
    } else {
        (("> ", "> "), ("… ", "… "))
    };
    let mut session = Session::with_limits(limits.clone());
    let mut host = CliHost::new(format, limits);
    let mut pending = PendingEntry::default();
    loop {
        let line = editor.readline(if pending.is_continuing() {
            &continuation
        } else {
            &prompt
        });
        let entry = match line {
            Ok(line) => match pending.push(&line) {
                Some(entry) => entry,
                None => continue,
            },
            // Ctrl-C drops the whole entry, continued lines and all.
            Err(ReadlineError::Interrupted) => {
                pending.take();
                continue;
            }
            // Ctrl-D inside an open bracket runs what there is, so the parser says what is missing.
            Err(ReadlineError::Eof) if pending.is_continuing() => pending.take(),
            Err(ReadlineError::Eof) => break,
            Err(error) => {
                report_usage_error(&format!("cannot read input: {error}"), None, format);
                return 1;
            }
        };
        if !entry.trim().is_empty() {
            let _ = editor.add_history_entry(entry.as_str());
            if let Some(warning) = history
                .as_mut()
                .and_then(|history| history.append(editor.history_mut()))
            {
                eprintln!("{warning}");
            }
        }
        host.begin();
        let reply = handle_entry(&mut session, &entry, Origin::Prompt, &mut host);
        if reply == Reply::Quit {
            break;
        }
        let interrupted = matches!(&reply, Reply::Error(diagnostic) if diagnostic.kind == ErrorKind::Interrupted);
        show_reply(reply, &session, format);
        if interrupted && format == Format::Text {
            eprintln!("the statement was stopped and undone; the session goes on");
        }
        if let Some(helper) = editor.helper_mut() {
            helper.names = session.names();
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use mgrad::output::Output;

    /// Collects what a session emits and the files it writes.
    #[derive(Default)]
    struct Recorder {
        outputs: Vec<Output>,
        files: Vec<(String, String)>,
    }

    impl Host for Recorder {
        fn emit(&mut self, output: Output) {
            self.outputs.push(output);
        }
        fn write_file(&mut self, path: &str, contents: &str) -> Result<(), String> {
            self.files.push((path.to_string(), contents.to_string()));
            Ok(())
        }
    }

    fn entry(line: &str) -> Reply {
        handle_entry(&mut Session::new(), line, Origin::Prompt, &mut Recorder::default())
    }

    #[test]
    fn meta_commands_answer_without_a_terminal() {
        assert_eq!(entry(":quit"), Reply::Quit);
        assert_eq!(entry("   "), Reply::Nothing);
        assert!(matches!(entry(":help"), Reply::Text { text, .. } if text.contains(":help grad")));
        assert!(
            matches!(entry(":help check"), Reply::Text { text, json } if text.contains("eps=1e-6") && json["topic"] == "check")
        );
        assert_eq!(
            entry(":hlep"),
            Reply::Problem("unknown command ':hlep'; did you mean ':help'?".to_string())
        );
        assert!(matches!(entry(":help nope"), Reply::Problem(text) if text.starts_with("there is no help on 'nope'")));
        assert_eq!(
            entry(":load /no/such/file.mg"),
            Reply::Problem("cannot load '/no/such/file.mg': No such file or directory".to_string())
        );
    }

    #[test]
    fn errors_name_the_file_or_line_they_come_from() {
        let path = std::env::temp_dir().join(format!("mgrad-load-{}.mg", std::process::id()));
        std::fs::write(&path, "a = 1\nb = nope\n").unwrap();
        let mut session = Session::new();
        let mut host = Recorder::default();
        let reply = handle_entry(
            &mut session,
            &format!(":load {}", path.display()),
            Origin::Prompt,
            &mut host,
        );
        let _ = std::fs::remove_file(&path);
        let Reply::Error(diagnostic) = reply else {
            panic!("{reply:?}")
        };
        let text = session.sources().render(&diagnostic, false);
        assert!(text.contains(&format!("{}:2:5", path.display())), "{text}");
        // An entry read from a pipe keeps its line of the input.
        let reply = handle_entry(
            &mut session,
            "for k in 0..2 {\n  c = nope\n}",
            Origin::Stdin { line: 7 },
            &mut host,
        );
        let Reply::Error(diagnostic) = reply else {
            panic!("{reply:?}")
        };
        assert_eq!(session.sources().error_json(&diagnostic).line, 8);
        assert_eq!(session.sources().error_json(&diagnostic).source, "<stdin>");
    }

    #[test]
    fn vars_line_up() {
        let vars = [
            VarInfo {
                name: "a".to_string(),
                kind: "scalar",
                summary: "2 (grad 6)".to_string(),
            },
            VarInfo {
                name: "xs".to_string(),
                kind: "list",
                summary: "[1, 2]".to_string(),
            },
            VarInfo {
                name: "f".to_string(),
                kind: "function",
                summary: "<fn f(x)>".to_string(),
            },
        ];
        assert_eq!(
            format_vars(&vars),
            "a   scalar    2 (grad 6)\nxs  list      [1, 2]\nf   function  <fn f(x)>\n"
        );
        assert_eq!(format_vars(&[]), "no names are bound yet; try a = 2\n");
    }

    #[test]
    fn open_brackets_continue_the_entry() {
        assert!(is_incomplete("for k in 0..3 {"));
        assert!(is_incomplete("xs = [1, 2,"));
        assert!(is_incomplete("fn f(x) { # a { comment\n  return x"));
        assert!(!is_incomplete("fn f(x) { return x }"));
        assert!(!is_incomplete("print \"{\""));
        // An open string asks for another line: strings may span lines.
        assert!(is_incomplete("print \"unterminated {"));
        assert!(!is_incomplete("a = (1))"));
        assert!(!is_incomplete(""));
    }

    #[test]
    fn highlighting_colours_tokens_and_keeps_the_text() {
        let line = "grad tanh(x.grad * 2.5e-3) # done";
        let coloured = highlight_line(line);
        assert_eq!(
            coloured,
            "\x1b[35mgrad\x1b[0m \x1b[34mtanh\x1b[0m(x.grad * \x1b[36m2.5e-3\x1b[0m) \x1b[90m# done\x1b[0m"
        );
        assert_eq!(strip_ansi(&coloured), line);
        for line in [
            "print \"a \\\" b\", .5",
            "for k in 0..10 { }",
            "x = \"open",
            ":help grad",
            "é = 1",
        ] {
            assert_eq!(strip_ansi(&highlight_line(line)), line);
        }
        assert_eq!(highlight_line("0..10"), "\x1b[36m0\x1b[0m..\x1b[36m10\x1b[0m");
    }

    fn strip_ansi(text: &str) -> String {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn history_can_be_moved_or_turned_off() {
        assert_eq!(history_path_from(Some("".into())), None);
        assert_eq!(
            history_path_from(Some("/tmp/mg-history".into())),
            Some(PathBuf::from("/tmp/mg-history"))
        );
        assert!(history_path_from(None).is_none_or(|path| path.ends_with("mgrad/history")));
    }

    #[test]
    fn an_open_bracket_continues_the_entry_on_the_next_line() {
        let mut pending = PendingEntry::default();
        assert!(!pending.is_continuing());
        assert_eq!(pending.push("for k in 0..3 {"), None);
        assert!(pending.is_continuing());
        assert_eq!(pending.push("  print k"), None);
        assert_eq!(pending.push("}").as_deref(), Some("for k in 0..3 {\n  print k\n}"));
        assert!(!pending.is_continuing());
        assert_eq!(pending.push("a = 1").as_deref(), Some("a = 1"));
        assert_eq!(
            pending.push(":help {").as_deref(),
            Some(":help {"),
            "a meta-command is one line"
        );
        assert_eq!(pending.push("xs = [1,"), None);
        assert_eq!(pending.take(), "xs = [1,");
        assert!(!pending.is_continuing());
    }

    #[test]
    fn a_history_file_that_cannot_be_written_is_reported_once() {
        let mut history = DefaultHistory::new();
        let _ = history.add("a = 1");
        // A path under a file (not a directory) can never be created.
        let blocker = std::env::temp_dir().join(format!("mgrad-history-blocker-{}", std::process::id()));
        std::fs::write(&blocker, "").unwrap();
        let mut file = HistoryFile::new(blocker.join("history"));
        let warning = file.append(&mut history).expect("a warning the first time");
        assert!(
            warning.starts_with("mgrad: warning: cannot write the history file"),
            "{warning}"
        );
        assert!(warning.contains("MGRAD_HISTORY="), "{warning}");
        let _ = history.add("b = 2");
        assert_eq!(file.append(&mut history), None, "only once");
        let _ = std::fs::remove_file(&blocker);
        // A writable file gives no warning.
        let path = std::env::temp_dir().join(format!("mgrad-history-ok-{}", std::process::id()));
        assert_eq!(HistoryFile::new(path.clone()).append(&mut history), None);
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn the_banner_shows_major_and_minor() {
        assert_eq!(short_version(), "0.1");
    }
}
