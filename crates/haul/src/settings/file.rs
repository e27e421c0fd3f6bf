//! `config.toml` on disk: read through the key table with positions for every error, and edited in
//! place (comments, order and layout kept) by writing a temporary file beside it and renaming it over.

use std::io::Write;
use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item, Table, TableLike};

use super::Settings;
use super::error::{At, Problem, SettingsError};
use super::keys::{self, GROUPS, Key, Value};

/// The settings file at a known path.
#[derive(Clone, Debug)]
pub struct SettingsFile {
    path: PathBuf,
}

impl SettingsFile {
    pub fn new(path: impl Into<PathBuf>) -> SettingsFile {
        SettingsFile { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's text; `None` when there is no file (every key then has its default).
    pub fn read(&self) -> Result<Option<String>, SettingsError> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(SettingsError::Read {
                path: self.path.clone(),
                source,
            }),
        }
    }

    /// The settings the file sets; an empty layer when there is no file.
    pub fn load(&self) -> Result<Settings, SettingsError> {
        match self.read()? {
            Some(text) => parse(&text, &self.path),
            None => Ok(Settings::default()),
        }
    }

    /// Writes `key = value`, keeping the rest of the file as it is (a comment after the old value too).
    /// Other keys are not checked, so a bad value can be fixed with `set`; the TOML must be readable.
    pub fn set(&self, key: &Key, value: &Value) -> Result<(), SettingsError> {
        let mut doc = self.document()?;
        let table = self.table_for(&mut doc, key, true)?.expect("created");
        let mut new = value.to_toml();
        match table.get_mut(key.leaf()) {
            Some(Item::Value(old)) => {
                *new.decor_mut() = old.decor().clone();
                *old = new;
            }
            _ => {
                table.insert(key.leaf(), Item::Value(new));
            }
        }
        self.write(&doc.to_string())
    }

    /// Removes `key` from the file; false when it was not there. Comment lines above it are kept
    /// (they move to whatever follows); a comment after its value goes with it.
    pub fn unset(&self, key: &Key) -> Result<bool, SettingsError> {
        if self.read()?.is_none() {
            return Ok(false);
        }
        let mut doc = self.document()?;
        let Some(table) = self.table_for(&mut doc, key, false)? else {
            return Ok(false);
        };
        let names: Vec<String> = table.iter().map(|(name, _)| name.to_string()).collect();
        let Some(index) = names.iter().position(|n| n == key.leaf()) else {
            return Ok(false);
        };
        let mut orphans = table
            .key(key.leaf())
            .map(|k| comment_lines(k.leaf_decor().prefix()))
            .unwrap_or_default();
        table.remove(key.leaf());
        if let (false, Some(mut next)) = (
            orphans.is_empty(),
            names.get(index + 1).and_then(|n| table.key_mut(n)),
        ) {
            let decor = next.leaf_decor_mut();
            let rest = raw(decor.prefix());
            decor.set_prefix(format!("{orphans}{rest}"));
            orphans.clear();
        }
        let root = doc.as_table_mut();
        if let Some(group) = key.group()
            && root
                .get(group)
                .and_then(Item::as_table_like)
                .is_some_and(|t| t.is_empty())
        {
            if let Some(Item::Table(t)) = root.get(group) {
                orphans = format!("{}{orphans}", comment_lines(t.decor().prefix()));
            }
            root.remove(group);
        }
        if !orphans.is_empty() {
            // Before the first table that follows, else at the end.
            let next_table = root.iter_mut().find_map(|(_, item)| item.as_table_mut());
            match next_table {
                Some(next) if key.group().is_none() => {
                    let rest = raw(next.decor().prefix());
                    next.decor_mut().set_prefix(format!("{orphans}{rest}"));
                }
                _ => {
                    let trailing = raw(Some(doc.trailing()));
                    doc.set_trailing(format!("{trailing}{orphans}"));
                }
            }
        }
        self.write(&doc.to_string())?;
        Ok(true)
    }

    fn document(&self) -> Result<DocumentMut, SettingsError> {
        let text = self.read()?.unwrap_or_default();
        toml_edit::Document::parse(text.as_str())
            .map(toml_edit::Document::into_mut)
            .map_err(|e| malformed(&e, &text, &self.path))
    }

    /// The table holding `key` (the root, or its group's table, made when `create`).
    fn table_for<'d>(
        &self,
        doc: &'d mut DocumentMut,
        key: &Key,
        create: bool,
    ) -> Result<Option<&'d mut dyn TableLike>, SettingsError> {
        let Some(group) = key.group() else {
            return Ok(Some(doc.as_table_mut()));
        };
        let root = doc.as_table_mut();
        if !root.contains_key(group) {
            if !create {
                return Ok(None);
            }
            root.insert(group, Item::Table(Table::new()));
        }
        let item = root.get_mut(group).expect("present");
        let found = item.type_name();
        match item.as_table_like_mut() {
            Some(table) => Ok(Some(table)),
            None => Err(SettingsError::NotATable {
                path: self.path.clone(),
                line: None,
                key: group.to_string(),
                found: format!("a {found}"),
            }),
        }
    }

    fn write(&self, contents: &str) -> Result<(), SettingsError> {
        write_atomically(&self.path, contents.as_bytes()).map_err(|source| SettingsError::Write {
            path: self.path.clone(),
            source,
        })
    }
}

/// Reads a settings file's text into a layer, refusing anything the key table does not know.
pub(crate) fn parse(text: &str, path: &Path) -> Result<Settings, SettingsError> {
    let doc = toml_edit::Document::parse(text).map_err(|e| malformed(&e, text, path))?;
    let mut settings = Settings::default();
    walk(doc.as_table(), "", text, path, &mut settings)?;
    Ok(settings)
}

fn walk(
    table: &dyn TableLike,
    prefix: &str,
    text: &str,
    path: &Path,
    out: &mut Settings,
) -> Result<(), SettingsError> {
    for (name, item) in table.iter() {
        let dotted = if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}.{name}")
        };
        let key_span = table.get_key_value(name).and_then(|(k, _)| k.span());
        let at = |span: Option<std::ops::Range<usize>>| {
            let (line, column) = position(text, span.or(key_span.clone()).map_or(0, |s| s.start));
            At::File {
                path: path.to_path_buf(),
                line,
                column,
            }
        };
        if let Some(key) = keys::find(&dotted) {
            let value = match item {
                Item::Value(v) => key.kind.parse_toml(v),
                other => Err(Problem::WrongType(format!("a {}", other.type_name()))),
            };
            let value = value.map_err(|p| SettingsError::invalid(key, at(item.span()), p))?;
            out.set_value(key.field, Some(value));
        } else if prefix.is_empty() && GROUPS.contains(&name) {
            match item.as_table_like() {
                Some(group) => walk(group, &dotted, text, path, out)?,
                None => {
                    let At::File { line, .. } = at(key_span.clone()) else {
                        unreachable!()
                    };
                    return Err(SettingsError::NotATable {
                        path: path.to_path_buf(),
                        line: Some(line),
                        key: dotted,
                        found: format!("a {}", item.type_name()),
                    });
                }
            }
        } else {
            return Err(SettingsError::UnknownKey {
                suggestion: keys::suggest(&dotted),
                key: dotted,
                at: Some(at(key_span.clone())),
            });
        }
    }
    Ok(())
}

fn malformed(e: &toml_edit::TomlError, text: &str, path: &Path) -> SettingsError {
    let (line, column) = position(text, e.span().map_or(0, |s| s.start));
    SettingsError::Malformed {
        path: path.to_path_buf(),
        line,
        column,
        message: e.message().trim().to_string(),
    }
}

fn raw(text: Option<&toml_edit::RawString>) -> String {
    text.and_then(|t| t.as_str()).unwrap_or("").to_string()
}

/// The comment lines of a decor prefix, each ending in a newline.
fn comment_lines(prefix: Option<&toml_edit::RawString>) -> String {
    raw(prefix)
        .lines()
        .filter(|l| l.trim_start().starts_with('#'))
        .map(|l| format!("{}\n", l.trim_start()))
        .collect()
}

/// 1-based line and column (in characters) of a byte offset.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

/// Replaces `path` with `contents` so a reader sees the old file or the new one, never half of one.
/// A symlinked file (dotfile managers) is replaced at its target; permissions are kept, and a new
/// file is private to its owner (a proxy URL may hold a password).
fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let target = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path)?,
        _ => path.to_path_buf(),
    };
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config.toml".into());
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let existing = std::fs::metadata(&target).ok().map(|m| m.permissions());
    let result = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&temp)?;
        file.write_all(contents)?;
        if let Some(permissions) = existing {
            file.set_permissions(permissions)?;
        }
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, &target)?;
        #[cfg(unix)]
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{Bandwidth, key};

    fn parse_err(text: &str) -> String {
        parse(text, Path::new("/c/config.toml"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn reads_every_shape_of_table() {
        let s = parse(
            "endpoint = \"http://127.0.0.1:9\"\nmax_concurrent_files = 3\nbandwidth_limit = \"1.5MiB\"\n\
             notifications = { failed = false }\n",
            Path::new("c"),
        )
        .unwrap();
        assert_eq!(s.endpoint.unwrap().as_str(), "http://127.0.0.1:9/");
        assert_eq!(s.max_concurrent_files, Some(3));
        assert_eq!(s.bandwidth_limit, Some(Bandwidth::PerSecond(1_572_864)));
        assert_eq!(s.notifications.failed, Some(false));
        let s = parse("[notifications]\nfinished = false\n", Path::new("c")).unwrap();
        assert_eq!(s.notifications.finished, Some(false));
        let s = parse("notifications.update_available = true\n", Path::new("c")).unwrap();
        assert_eq!(s.notifications.update_available, Some(true));
        assert_eq!(parse("", Path::new("c")).unwrap(), Settings::default());
    }

    #[test]
    fn errors_name_file_line_key_and_expectation() {
        let err = parse_err("endpoint = \"http://h\"\n\nmax_concurent_files = 4\n");
        assert!(
            err.contains("/c/config.toml, line 3")
                && err.contains("unknown setting 'max_concurent_files'")
                && err.contains("did you mean 'max_concurrent_files'"),
            "{err}"
        );
        let err = parse_err("max_concurrent_files = \"8\"\n");
        assert!(
            err.contains("line 1, column 24")
                && err.contains("max_concurrent_files is a string (\"8\")")
                && err.contains("expected a whole number from 1 to 256"),
            "{err}"
        );
        let err = parse_err("\n\nmax_concurrent_files = 1000\n");
        assert!(
            err.contains("line 3") && err.contains("1000, out of range"),
            "{err}"
        );
        let err = parse_err("[notifications]\nfailed = \"no\"\n");
        assert!(
            err.contains("line 2") && err.contains("notifications.failed is a string"),
            "{err}"
        );
        let err = parse_err("[notifications]\nloud = true\n");
        assert!(
            err.contains("unknown setting 'notifications.loud'"),
            "{err}"
        );
        let err = parse_err("x = 1\nnotifications = 3\n");
        assert!(err.contains("unknown setting 'x'"), "{err}");
        let err = parse_err("notifications = 3\n");
        assert!(
            err.contains("line 1") && err.contains("must be a table"),
            "{err}"
        );
        let err = parse_err("cache_dir = \"relative/dir\"\n");
        assert!(err.contains("a relative path"), "{err}");
        let err = parse_err("endpoint = \"http://h\"\nmax_concurrent_files = = 3\n");
        assert!(
            err.contains("/c/config.toml is not valid TOML: line 2, column"),
            "{err}"
        );
        let err = parse_err("[endpoint]\nx = 1\n");
        assert!(err.contains("endpoint is a table"), "{err}");
    }

    #[test]
    fn set_and_unset_keep_comments_and_layout() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.toml");
        let file = SettingsFile::new(&path);
        assert_eq!(file.load().unwrap(), Settings::default());
        let workers = key("max_concurrent_files").unwrap();
        file.set(workers, &workers.parse("4").unwrap()).unwrap();
        let failed = key("notifications.failed").unwrap();
        file.set(failed, &failed.parse("false").unwrap()).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "max_concurrent_files = 4\n\n[notifications]\nfailed = false\n"
        );
        std::fs::write(
            &path,
            "# my settings\nmax_concurrent_files = 4 # more is too many\n\n[notifications]\n# quiet\nfailed = false\n",
        )
        .unwrap();
        file.set(workers, &workers.parse("6").unwrap()).unwrap();
        let endpoint = key("endpoint").unwrap();
        file.set(endpoint, &endpoint.parse("http://127.0.0.1:9").unwrap())
            .unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "# my settings\nmax_concurrent_files = 6 # more is too many\nendpoint = \"http://127.0.0.1:9/\"\n\n[notifications]\n# quiet\nfailed = false\n"
        );
        assert!(file.unset(failed).unwrap());
        assert!(!file.unset(failed).unwrap());
        let s = file.load().unwrap();
        assert_eq!(
            (s.max_concurrent_files, s.notifications.failed),
            (Some(6), None)
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("config.toml")]);
    }

    #[test]
    fn unset_keeps_the_comments_above_a_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let file = SettingsFile::new(&path);
        let cases = [
            (
                "max_concurrent_files",
                "# header\nmax_concurrent_files = 2 # gone\n# about the endpoint\nendpoint = \"http://h/\"\n",
                "# header\n# about the endpoint\nendpoint = \"http://h/\"\n",
            ),
            (
                "endpoint",
                "max_concurrent_files = 2\n# about the endpoint\nendpoint = \"http://h/\"\n\n# quiet\n[notifications]\nfailed = false\n",
                "max_concurrent_files = 2\n# about the endpoint\n\n# quiet\n[notifications]\nfailed = false\n",
            ),
            (
                "notifications.failed",
                "endpoint = \"http://h/\"\n\n# quiet\n[notifications]\n# no news\nfailed = false\n",
                "endpoint = \"http://h/\"\n# quiet\n# no news\n",
            ),
        ];
        for (name, before, after) in cases {
            std::fs::write(&path, before).unwrap();
            assert!(file.unset(key(name).unwrap()).unwrap());
            assert_eq!(std::fs::read_to_string(&path).unwrap(), after, "{name}");
            file.load().unwrap();
        }
    }

    #[test]
    fn a_malformed_file_is_never_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let broken = "max_concurrent_files = [\n";
        std::fs::write(&path, broken).unwrap();
        let file = SettingsFile::new(&path);
        let workers = key("max_concurrent_files").unwrap();
        let err = file.set(workers, &workers.parse("4").unwrap()).unwrap_err();
        assert!(
            matches!(err, SettingsError::Malformed { line: 1, .. }),
            "{err}"
        );
        assert!(file.unset(workers).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
    }

    #[test]
    fn set_fixes_a_bad_value_and_follows_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("dotfiles/haul.toml");
        std::fs::create_dir_all(real.parent().unwrap()).unwrap();
        std::fs::write(&real, "max_concurrent_files = 0\n").unwrap();
        let link = dir.path().join("config.toml");
        #[cfg(unix)]
        std::os::unix::fs::symlink(&real, &link).unwrap();
        #[cfg(not(unix))]
        std::fs::copy(&real, &link).unwrap();
        let file = SettingsFile::new(&link);
        assert!(file.load().is_err());
        let workers = key("max_concurrent_files").unwrap();
        file.set(workers, &workers.parse("2").unwrap()).unwrap();
        assert_eq!(file.load().unwrap().max_concurrent_files, Some(2));
        #[cfg(unix)]
        {
            assert!(
                std::fs::symlink_metadata(&link)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
            assert_eq!(
                std::fs::read_to_string(&real).unwrap(),
                "max_concurrent_files = 2\n"
            );
        }
    }
}
