//! The Hugging Face token file (`HF_TOKEN_PATH`, by default `$HF_HOME/token`), as the Python client
//! reads and writes it: the bare token, no newline. Haul writes it readable by its owner only, and
//! atomically: a temporary file created with mode 0600 in the same folder, then renamed over the old
//! one, so the token is never world-readable and never half-written, not even for an instant.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::Token;

/// The token in the file, or `None` when there is no file or it holds no usable token.
pub fn read_token_file(path: &Path) -> Option<Token> {
    let text = std::fs::read_to_string(path).ok()?;
    let token = Token::new(text);
    if token.is_none() {
        tracing::debug!("ignoring {}: it holds no usable token", path.display());
    }
    token
}

/// Writes `token` to `path` with mode 0600, replacing the file atomically.
pub fn write_token_file(path: &Path, token: &Token) -> io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let temp = dir.join(format!(
        ".{}.haul-{}-{nanos}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = write_private(&temp, token).and_then(|()| std::fs::rename(&temp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Creates `temp` (it must not exist) readable by its owner only, and writes the token into it.
fn write_private(temp: &Path, token: &Token) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        // The mode applies at creation; the umask can only take bits away.
        options.mode(0o600);
        let mut file = options.open(temp)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        file.write_all(token.expose().as_bytes())?;
        file.sync_all()
    }
    #[cfg(not(unix))]
    {
        let mut file = options.open(temp)?;
        file.write_all(token.expose().as_bytes())?;
        file.sync_all()
    }
}

/// Removes the token file; `Ok(false)` when there was none.
pub fn remove_token_file(path: &Path) -> io::Result<bool> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_private_atomically_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hf").join("token");
        write_token_file(&path, &Token::new("hf_first").unwrap()).unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o644))
            .unwrap();
        write_token_file(&path, &Token::new("hf_second").unwrap()).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"hf_second");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
        assert_eq!(read_token_file(&path).unwrap().expose(), "hf_second");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["token"], "no temporary file is left behind");
        assert!(remove_token_file(&path).unwrap());
        assert!(!remove_token_file(&path).unwrap());
        assert!(read_token_file(&path).is_none());
    }

    #[test]
    fn a_file_without_a_token_is_no_token() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "\n  \n").unwrap();
        assert!(read_token_file(&path).is_none());
    }
}
