//! File names and revisions come from a server or a user and are untrusted: they become paths on disk
//! only when they are plain relative paths that stay inside their folder.

use std::path::{Component, Path, PathBuf};

/// Why a name cannot be placed on disk.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("refusing the unsafe name '{name}': {reason}")]
pub struct UnsafePath {
    pub name: String,
    pub reason: &'static str,
}

/// Checks a `/`-separated relative name and returns it as a path below any folder.
pub fn safe_relative(name: &str) -> Result<PathBuf, UnsafePath> {
    let refuse = |reason| {
        Err(UnsafePath {
            name: name.to_string(),
            reason,
        })
    };
    if name.is_empty() {
        return refuse("it is empty");
    }
    if name.contains('\0') {
        return refuse("it contains a NUL byte");
    }
    if name.contains('\\') {
        return refuse("it contains a backslash");
    }
    if name.starts_with('/') {
        return refuse("it is an absolute path");
    }
    let bytes = name.as_bytes();
    if bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic() {
        return refuse("it starts with a drive letter");
    }
    let mut path = PathBuf::new();
    for segment in name.split('/') {
        match segment {
            "" => return refuse("it has an empty path segment"),
            "." | ".." => return refuse("it climbs out of its folder"),
            s => path.push(s),
        }
    }
    // Belt and braces: whatever the platform's parser makes of it must be plain names only.
    if !Path::new(&path)
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return refuse("it is not a plain relative path");
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_names() {
        assert_eq!(
            safe_relative("a/b c/[x].json").unwrap(),
            PathBuf::from("a/b c/[x].json")
        );
        assert_eq!(
            safe_relative("refs/pr/1").unwrap(),
            PathBuf::from("refs/pr/1")
        );
        assert_eq!(safe_relative("..a/b..").unwrap(), PathBuf::from("..a/b.."));
    }

    #[test]
    fn refuses_escapes() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a/./b",
            "a//b",
            "C:/x",
            "a\\b",
            "x/",
            "a\0b",
        ] {
            assert!(safe_relative(bad).is_err(), "{bad:?} accepted");
        }
    }
}
