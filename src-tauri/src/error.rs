//! Every command answers `Result<T, CommandError>`: the core's error kind and its message, which
//! already says what happened and what to do next.

use crate::dto::CommandError;

impl From<haul::Error> for CommandError {
    fn from(error: haul::Error) -> CommandError {
        let kind = serde_json::to_value(error.kind())
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "internal".into());
        CommandError {
            kind,
            message: error.to_string(),
        }
    }
}

impl CommandError {
    pub fn input(message: impl Into<String>) -> CommandError {
        CommandError {
            kind: "input".into(),
            message: message.into(),
        }
    }

    pub fn internal(message: impl Into<String>) -> CommandError {
        CommandError {
            kind: "internal".into(),
            message: message.into(),
        }
    }
}

impl From<haul::registry::RegistryError> for CommandError {
    fn from(error: haul::registry::RegistryError) -> CommandError {
        haul::Error::from(error).into()
    }
}

pub type CommandResult<T> = Result<T, CommandError>;
