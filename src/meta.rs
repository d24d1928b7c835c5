//! REPL meta-commands (`:help`, `:vars`, …), parsed as data.
//!
//! A line that starts with `:` is a meta-command, never mg source (mg has no `:`
//! at the start of a statement). Parsing lives in the library so it can be tested
//! without a terminal; the REPL only dispatches on the result.

use std::fmt;
use std::str::FromStr;

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
                if let Some(suggestion) = closest(name, &known) {
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

/// The candidate closest to `word` by edit distance, if it is close enough to be a
/// plausible typo (at most a third of the word's length, and at least one edit).
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|candidate| (edit_distance(word, candidate), *candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Edit distance between two strings, by characters: insertions, deletions,
/// substitutions and swaps of two neighbours (`:quti` is one edit from `:quit`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j] is the distance between the first i characters of a and the first j of b.
    let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
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

    #[test]
    fn suggestions_need_a_close_match() {
        assert_eq!(closest("tanhh", &["tanh", "exp"]), Some("tanh"));
        assert_eq!(closest("zzz", &["tanh", "exp"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance(":quti", ":quit"), 1);
    }
}
