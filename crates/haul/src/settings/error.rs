//! What can be wrong with a setting, said so a person can fix it: which file and line (or which
//! variable, or the argument), which key, what was found and what is expected.

use std::fmt;
use std::path::PathBuf;

use super::keys::Key;

/// Where a value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum At {
    /// A line of the settings file.
    File {
        path: PathBuf,
        line: usize,
        column: usize,
    },
    /// An environment variable.
    Env(&'static str),
    /// `haul config set`, a flag, or the app.
    Argument,
}

/// The value is of the wrong type, or of the right type but out of range; each holds the value as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    WrongType(String),
    OutOfRange(String),
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{}", unknown_key(.key, *.suggestion, .at.as_ref()))]
    UnknownKey {
        key: String,
        suggestion: Option<&'static str>,
        at: Option<At>,
    },
    #[error("{}", invalid(.key, .at, .problem, .expected))]
    Invalid {
        key: &'static str,
        at: At,
        problem: Problem,
        expected: String,
    },
    #[error(
        "{}: '{key}' must be a table of settings like [{key}], not {found}; fix the file (or remove it)",
        place(.path, *.line)
    )]
    NotATable {
        path: PathBuf,
        line: Option<usize>,
        key: String,
        found: String,
    },
    #[error(
        "{path} is not valid TOML: line {line}, column {column}: {message}; fix the file (or remove it) and try again"
    )]
    Malformed {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("cannot read the settings file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write the settings file {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl SettingsError {
    pub(crate) fn invalid(key: &Key, at: At, problem: Problem) -> SettingsError {
        SettingsError::Invalid {
            key: key.name,
            at,
            problem,
            expected: key.kind.expected(),
        }
    }

    /// True when the file system failed, not the content.
    pub fn is_io(&self) -> bool {
        matches!(
            self,
            SettingsError::Read { .. } | SettingsError::Write { .. }
        )
    }
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::File { path, line, column } => {
                write!(f, "{}, line {line}, column {column}", path.display())
            }
            At::Env(var) => write!(f, "environment variable {var}"),
            At::Argument => f.write_str("argument"),
        }
    }
}

fn unknown_key(key: &str, suggestion: Option<&str>, at: Option<&At>) -> String {
    let place = match at {
        Some(at @ At::File { .. }) => format!("{at}: "),
        _ => String::new(),
    };
    let hint = match suggestion {
        Some(s) => format!("did you mean '{s}'? "),
        None => String::new(),
    };
    format!("{place}unknown setting '{key}'; {hint}`haul config list` shows every setting")
}

fn invalid(key: &str, at: &At, problem: &Problem, expected: &str) -> String {
    let (found, range) = match problem {
        Problem::WrongType(found) => (found, ""),
        Problem::OutOfRange(found) => (found, ", out of range"),
    };
    match at {
        At::File { .. } => format!("{at}: {key} is {found}{range}: expected {expected}"),
        At::Env(var) => format!(
            "{var} is {found}{range}: expected {expected} (it sets '{key}'; unset it or fix it)"
        ),
        At::Argument => format!("{key} cannot be {found}{range}: expected {expected}"),
    }
}

fn place(path: &std::path::Path, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{}, line {line}", path.display()),
        None => path.display().to_string(),
    }
}
