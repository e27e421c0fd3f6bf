//! What a user names when they ask for a repository: `org/name`, `datasets/org/name`, `org/name@rev`,
//! `hf://…`, or a Hub web URL (`/tree/<rev>[/<dir>]`, `/blob/<rev>/<path>`, `/resolve/<rev>/<path>`),
//! parsed into a [`RepoRef`]. Web URLs are accepted only for the configured endpoint's host.

use std::fmt;
use std::str::FromStr;

use percent_encoding::percent_decode_str;
use serde::{Deserialize, Serialize};
use url::Url;

/// The three kinds of Hub repository.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum RepoType {
    #[default]
    Model,
    Dataset,
    Space,
}

impl RepoType {
    /// Prefix of web and resolve URLs: none for models.
    pub fn url_prefix(self) -> &'static str {
        match self {
            RepoType::Model => "",
            RepoType::Dataset => "datasets/",
            RepoType::Space => "spaces/",
        }
    }

    /// Plural used by the API (`/api/models/…`) and by cache folder names (`models--org--name`).
    pub fn plural(self) -> &'static str {
        match self {
            RepoType::Model => "models",
            RepoType::Dataset => "datasets",
            RepoType::Space => "spaces",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RepoType::Model => "model",
            RepoType::Dataset => "dataset",
            RepoType::Space => "space",
        }
    }
}

impl fmt::Display for RepoType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RepoType {
    type Err = RepoRefError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "model" | "models" => Ok(RepoType::Model),
            "dataset" | "datasets" => Ok(RepoType::Dataset),
            "space" | "spaces" => Ok(RepoType::Space),
            other => Err(RepoRefError::UnknownType(other.to_string())),
        }
    }
}

/// A parsed repository reference. `revision` is `None` when the user did not name one (the Hub's `main`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoRef {
    pub repo_type: RepoType,
    pub repo_id: String,
    pub revision: Option<String>,
    /// A single file named by a `/blob/` or `/resolve/` URL or `hf://…/path`.
    pub file: Option<String>,
    /// A folder named by a `/tree/<rev>/<dir>` URL: only files below it are wanted.
    pub folder: Option<String>,
}

impl RepoRef {
    pub fn revision_or_main(&self) -> &str {
        self.revision.as_deref().unwrap_or("main")
    }
}

impl fmt::Display for RepoRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.repo_type.url_prefix(), self.repo_id)?;
        if let Some(rev) = &self.revision {
            write!(f, "@{rev}")?;
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RepoRefError {
    #[error("unknown repository type '{0}': use model, dataset or space")]
    UnknownType(String),
    #[error(
        "'{input}' is not a repository reference: {reason}. Use org/name, datasets/org/name, org/name@revision or a Hub URL"
    )]
    Invalid { input: String, reason: String },
    #[error(
        "'{input}' points at {host}, but Haul is configured for {endpoint}: set HF_ENDPOINT (or --endpoint) to use another Hub"
    )]
    ForeignHost {
        input: String,
        host: String,
        endpoint: String,
    },
}

fn invalid(input: &str, reason: impl Into<String>) -> RepoRefError {
    RepoRefError::Invalid {
        input: input.to_string(),
        reason: reason.into(),
    }
}

/// Checks a repo id the way the Hub does: one or two segments of letters, digits, `-`, `_`, `.`.
pub fn validate_repo_id(input: &str, id: &str) -> Result<(), RepoRefError> {
    let segments: Vec<&str> = id.split('/').collect();
    if segments.is_empty() || segments.len() > 2 {
        return Err(invalid(input, "a repository id has the form org/name"));
    }
    for segment in segments {
        if segment.is_empty() || segment.len() > 96 {
            return Err(invalid(input, "empty or overlong name"));
        }
        if segment == "." || segment == ".." {
            return Err(invalid(input, format!("'{segment}' is not a valid name")));
        }
        if !segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(invalid(
                input,
                format!("'{segment}' may hold only letters, digits, '-', '_' and '.'"),
            ));
        }
    }
    Ok(())
}

/// Parses what a user typed. `endpoint` is the configured Hub; `default_type` applies when the input
/// carries no type prefix (the CLI's `--repo-type`).
pub fn parse(input: &str, endpoint: &Url, default_type: RepoType) -> Result<RepoRef, RepoRefError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(invalid(input, "it is empty"));
    }
    if let Some(rest) = trimmed.strip_prefix("hf://") {
        return parse_hf_uri(input, rest, default_type);
    }
    if trimmed.starts_with("http://") || trimmed.starts_with("https://") {
        return parse_url(input, trimmed, endpoint, default_type);
    }
    parse_short(input, trimmed, default_type)
}

/// Splits an optional leading `models/`, `datasets/` or `spaces/`.
fn split_type(rest: &str, default_type: RepoType) -> (RepoType, &str) {
    for (prefix, kind) in [
        ("datasets/", RepoType::Dataset),
        ("spaces/", RepoType::Space),
        ("models/", RepoType::Model),
    ] {
        if let Some(stripped) = rest.strip_prefix(prefix) {
            return (kind, stripped);
        }
    }
    (default_type, rest)
}

fn parse_short(input: &str, text: &str, default_type: RepoType) -> Result<RepoRef, RepoRefError> {
    let (repo_type, rest) = split_type(text, default_type);
    let (id, revision) = match rest.split_once('@') {
        Some((id, "")) => {
            return Err(invalid(input, format!("no revision after '@' in '{id}@'")));
        }
        Some((id, rev)) => (id, Some(decode(input, rev)?)),
        None => (rest, None),
    };
    let id = id.trim_end_matches('/');
    validate_repo_id(input, id)?;
    Ok(RepoRef {
        repo_type,
        repo_id: id.to_string(),
        revision,
        file: None,
        folder: None,
    })
}

/// `hf://[datasets/]org/name[@rev][/path]`, as the Python client's file system spells it.
fn parse_hf_uri(input: &str, rest: &str, default_type: RepoType) -> Result<RepoRef, RepoRefError> {
    let (repo_type, rest) = split_type(rest, default_type);
    let mut parts = rest.splitn(3, '/');
    let org = parts.next().unwrap_or_default();
    let name_rev = parts
        .next()
        .ok_or_else(|| invalid(input, "an hf:// reference names org/name"))?;
    let path = parts.next().filter(|p| !p.is_empty());
    let (name, revision) = match name_rev.split_once('@') {
        Some((n, r)) => (n, Some(decode(input, r)?)),
        None => (name_rev, None),
    };
    let id = format!("{org}/{name}");
    validate_repo_id(input, &id)?;
    Ok(RepoRef {
        repo_type,
        repo_id: id,
        revision,
        file: path.map(|p| decode(input, p)).transpose()?,
        folder: None,
    })
}

fn decode(input: &str, text: &str) -> Result<String, RepoRefError> {
    percent_decode_str(text)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| invalid(input, "its percent-encoding is not UTF-8"))
}

/// Hosts accepted for web URLs: the endpoint's own, plus the public Hub's aliases when the endpoint is the public Hub.
fn host_matches(url: &Url, endpoint: &Url) -> bool {
    let same_origin = url.host_str() == endpoint.host_str()
        && url.port_or_known_default() == endpoint.port_or_known_default();
    let public = ["huggingface.co", "hf.co", "www.huggingface.co"];
    let endpoint_is_public = endpoint.host_str().is_some_and(|h| public.contains(&h));
    same_origin || (endpoint_is_public && url.host_str().is_some_and(|h| public.contains(&h)))
}

fn parse_url(
    input: &str,
    text: &str,
    endpoint: &Url,
    default_type: RepoType,
) -> Result<RepoRef, RepoRefError> {
    let url = Url::parse(text).map_err(|e| invalid(input, e.to_string()))?;
    if !host_matches(&url, endpoint) {
        return Err(RepoRefError::ForeignHost {
            input: input.to_string(),
            host: url.host_str().unwrap_or("").to_string(),
            endpoint: endpoint.as_str().trim_end_matches('/').to_string(),
        });
    }
    // Mirrors may live under a path (https://mirror.example/hf/): strip the endpoint's own path first.
    let base_path = endpoint.path().trim_end_matches('/');
    let path = url.path().strip_prefix(base_path).unwrap_or(url.path());
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let (repo_type, segments) = match segments.first() {
        Some(&"datasets") => (RepoType::Dataset, &segments[1..]),
        Some(&"spaces") => (RepoType::Space, &segments[1..]),
        Some(&"models") => (RepoType::Model, &segments[1..]),
        _ => (default_type, &segments[..]),
    };
    if segments.len() < 2 {
        return Err(invalid(input, "the URL does not name org/name"));
    }
    let id = format!("{}/{}", segments[0], segments[1]);
    validate_repo_id(input, &id)?;
    let mut reference = RepoRef {
        repo_type,
        repo_id: id,
        revision: None,
        file: None,
        folder: None,
    };
    let rest = &segments[2..];
    match rest.first() {
        None => {}
        Some(&kind @ ("tree" | "blob" | "resolve")) => {
            let rev = rest.get(1).ok_or_else(|| {
                invalid(input, format!("'/{kind}/' is not followed by a revision"))
            })?;
            reference.revision = Some(decode(input, rev)?);
            let sub: Vec<String> = rest[2..]
                .iter()
                .map(|s| decode(input, s))
                .collect::<Result<_, _>>()?;
            let sub = sub.join("/");
            match kind {
                "tree" if !sub.is_empty() => reference.folder = Some(sub),
                "tree" => {}
                _ if sub.is_empty() => {
                    return Err(invalid(input, format!("'/{kind}/<rev>/' names no file")));
                }
                _ => reference.file = Some(sub),
            }
        }
        Some(other) => {
            return Err(invalid(
                input,
                format!("unexpected '/{other}' after the repository name"),
            ));
        }
    }
    Ok(reference)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub() -> Url {
        Url::parse("https://huggingface.co").unwrap()
    }

    fn p(s: &str) -> Result<RepoRef, RepoRefError> {
        parse(s, &hub(), RepoType::Model)
    }

    #[test]
    fn short_forms() {
        let r = p("org/name").unwrap();
        assert_eq!(
            (r.repo_type, r.repo_id.as_str(), r.revision),
            (RepoType::Model, "org/name", None)
        );
        let r = p("datasets/org/data@v1.0").unwrap();
        assert_eq!(
            (r.repo_type, r.repo_id.as_str(), r.revision.as_deref()),
            (RepoType::Dataset, "org/data", Some("v1.0"))
        );
        let r = p("gpt2").unwrap();
        assert_eq!(r.repo_id, "gpt2");
        let r = p("org/name@refs%2Fpr%2F3").unwrap();
        assert_eq!(r.revision.as_deref(), Some("refs/pr/3"));
        let r = p("org/name@refs/pr/3").unwrap();
        assert_eq!(r.revision.as_deref(), Some("refs/pr/3"));
        let r = parse("org/name", &hub(), RepoType::Space).unwrap();
        assert_eq!(r.repo_type, RepoType::Space);
    }

    #[test]
    fn urls() {
        let r = p("https://huggingface.co/org/name").unwrap();
        assert_eq!(
            (r.repo_id.as_str(), r.revision, r.file),
            ("org/name", None, None)
        );
        let r = p("https://huggingface.co/org/name/tree/dev").unwrap();
        assert_eq!(r.revision.as_deref(), Some("dev"));
        let r = p("https://huggingface.co/org/name/tree/main/sub%2Fdir").unwrap();
        assert_eq!(r.folder.as_deref(), Some("sub/dir"));
        let r = p("https://huggingface.co/datasets/org/d/blob/refs%2Fpr%2F1/a/b%20c.json").unwrap();
        assert_eq!(r.repo_type, RepoType::Dataset);
        assert_eq!(r.revision.as_deref(), Some("refs/pr/1"));
        assert_eq!(r.file.as_deref(), Some("a/b c.json"));
        let r = p("https://hf.co/org/name/resolve/abc/model.safetensors?download=true").unwrap();
        assert_eq!(r.file.as_deref(), Some("model.safetensors"));
        let r = p("hf://datasets/org/d@v2/data/train.parquet").unwrap();
        assert_eq!(
            (r.repo_type, r.revision.as_deref(), r.file.as_deref()),
            (RepoType::Dataset, Some("v2"), Some("data/train.parquet"))
        );
    }

    #[test]
    fn endpoint_is_honoured() {
        let mirror = Url::parse("http://127.0.0.1:8080").unwrap();
        let r = parse(
            "http://127.0.0.1:8080/org/name/tree/main",
            &mirror,
            RepoType::Model,
        )
        .unwrap();
        assert_eq!(r.repo_id, "org/name");
        let err = parse("https://huggingface.co/org/name", &mirror, RepoType::Model).unwrap_err();
        assert!(matches!(err, RepoRefError::ForeignHost { .. }), "{err}");
        let err = p("https://evil.example/org/name").unwrap_err();
        assert!(err.to_string().contains("evil.example"));
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "a/b/c",
            "../etc",
            "org/na me",
            "org/name@",
            "https://huggingface.co/org",
            "https://huggingface.co/org/name/blob/main",
            "org/..",
            "https://huggingface.co/org/name/commits/main",
        ] {
            assert!(p(bad).is_err(), "{bad} should be refused");
        }
    }
}
