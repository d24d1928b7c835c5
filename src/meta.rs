//! REPL meta-commands (`:help`, `:vars`, …), parsed as data.
//!
//! A line that starts with `:` is a meta-command, never mg source (mg has no `:`
//! at the start of a statement). Parsing lives in the library so it can be tested
//! without a terminal; the REPL only dispatches on the result.

use std::fmt;
use std::str::FromStr;

use crate::suggest::closest;

/// A meta-command of the REPL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MetaCommand {
    /// `:help` or `:help topic`
    Help(Option<String>),
    /// `:vars`: the bound names and their values.
    Vars,
    /// `:reset`: forget everything.
    Reset,
    /// `:load FILE`: run a file's statements in the session.
    Load(String),
    /// `:save FILE`: write the session's statements as a script.
    Save(String),
    /// `:quit`, `:q` or `:exit`
    Quit,
}

/// The meta-commands as typed, for completion and suggestions.
pub const META_COMMANDS: &[&str] = &[":help", ":vars", ":reset", ":load", ":save", ":quit", ":exit", ":q"];

/// Whether a REPL line is a meta-command rather than mg source.
pub fn is_meta_command(line: &str) -> bool {
    line.trim_start().starts_with(':')
}

impl FromStr for MetaCommand {
    type Err = String;

    /// Parses `:name argument`. Errors are sentences for the user.
    fn from_str(line: &str) -> Result<MetaCommand, String> {
        let line = line.trim();
        let (name, argument) = match line.split_once(char::is_whitespace) {
            Some((name, rest)) => (name, rest.trim()),
            None => (line, ""),
        };
        let no_argument = |command: MetaCommand| {
            if argument.is_empty() {
                Ok(command)
            } else {
                Err(format!("{name} takes no argument; type just '{name}'"))
            }
        };
        match name {
            ":help" | ":h" | ":?" => Ok(MetaCommand::Help((!argument.is_empty()).then(|| argument.to_string()))),
            ":vars" => no_argument(MetaCommand::Vars),
            ":reset" => no_argument(MetaCommand::Reset),
            ":quit" | ":q" | ":exit" => no_argument(MetaCommand::Quit),
            ":load" => file_argument(name, argument).map(MetaCommand::Load),
            ":save" => file_argument(name, argument).map(MetaCommand::Save),
            ":" => Err("a meta-command needs a name after ':'; type ':help' for the list".to_string()),
            _ => {
                let mut message = format!("unknown command '{name}'");
                let known = [":help", ":vars", ":reset", ":load", ":save", ":quit", ":exit"];
                if let Some(suggestion) = closest(name, known.iter().copied()) {
                    message.push_str(&format!("; did you mean '{suggestion}'?"));
                } else {
                    message.push_str("; type ':help' for the list of commands");
                }
                Err(message)
            }
        }
    }
}

/// The file name after `:load` or `:save`; surrounding double quotes are optional
/// (`:save "my model.mg"`).
fn file_argument(name: &str, argument: &str) -> Result<String, String> {
    let path = argument
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or(argument);
    if path.is_empty() {
        Err(format!("{name} needs a file name, e.g. '{name} model.mg'"))
    } else {
        Ok(path.to_string())
    }
}

impl fmt::Display for MetaCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MetaCommand::Help(None) => write!(f, ":help"),
            MetaCommand::Help(Some(topic)) => write!(f, ":help {topic}"),
            MetaCommand::Vars => write!(f, ":vars"),
            MetaCommand::Reset => write!(f, ":reset"),
            MetaCommand::Load(path) => write!(f, ":load {path}"),
            MetaCommand::Save(path) => write!(f, ":save {path}"),
            MetaCommand::Quit => write!(f, ":quit"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<MetaCommand, String> {
        line.parse()
    }

    #[test]
    fn commands_parse() {
        assert_eq!(parse(":help"), Ok(MetaCommand::Help(None)));
        assert_eq!(
            parse("  :help   check "),
            Ok(MetaCommand::Help(Some("check".to_string())))
        );
        assert_eq!(parse(":vars"), Ok(MetaCommand::Vars));
        assert_eq!(parse(":reset"), Ok(MetaCommand::Reset));
        assert_eq!(
            parse(":load lecture.mg"),
            Ok(MetaCommand::Load("lecture.mg".to_string()))
        );
        assert_eq!(
            parse(":save \"my model.mg\""),
            Ok(MetaCommand::Save("my model.mg".to_string()))
        );
        assert_eq!(
            parse(":save my model.mg"),
            Ok(MetaCommand::Save("my model.mg".to_string()))
        );
        for quit in [":quit", ":q", ":exit"] {
            assert_eq!(parse(quit), Ok(MetaCommand::Quit));
        }
    }

    #[test]
    fn commands_print_as_typed() {
        for line in [
            ":help",
            ":help grad",
            ":vars",
            ":reset",
            ":load a.mg",
            ":save b.mg",
            ":quit",
        ] {
            assert_eq!(parse(line).map(|command| command.to_string()), Ok(line.to_string()));
        }
    }

    #[test]
    fn mistakes_are_explained() {
        assert_eq!(
            parse(":hlep"),
            Err("unknown command ':hlep'; did you mean ':help'?".to_string())
        );
        assert_eq!(
            parse(":var"),
            Err("unknown command ':var'; did you mean ':vars'?".to_string())
        );
        assert_eq!(
            parse(":quti"),
            Err("unknown command ':quti'; did you mean ':quit'?".to_string())
        );
        assert_eq!(
            parse(":frobnicate"),
            Err("unknown command ':frobnicate'; type ':help' for the list of commands".to_string())
        );
        assert_eq!(
            parse(":load"),
            Err(":load needs a file name, e.g. ':load model.mg'".to_string())
        );
        assert_eq!(
            parse(":save \"\""),
            Err(":save needs a file name, e.g. ':save model.mg'".to_string())
        );
        assert_eq!(
            parse(":vars x"),
            Err(":vars takes no argument; type just ':vars'".to_string())
        );
        assert!(parse(":").is_err());
    }

    #[test]
    fn meta_lines_are_recognised() {
        assert!(is_meta_command("  :help"));
        assert!(!is_meta_command("a = 2"));
    }
}
