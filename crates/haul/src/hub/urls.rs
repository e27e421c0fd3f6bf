//! How Hub URLs are spelled: the repo id is never encoded, a revision always fully, a file path keeps
//! its `/` but encodes everything else (space → `%20`, `[` → `%5B`).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::repo_ref::RepoType;

/// Python's `quote(s, safe="")`.
const FULL: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// Python's `quote(s, safe="/")`.
const PATH: &AsciiSet = &FULL.remove(b'/');

pub fn encode_full(text: &str) -> String {
    utf8_percent_encode(text, FULL).to_string()
}

pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

pub fn api_repo(endpoint: &str, repo_type: RepoType, repo_id: &str) -> String {
    format!("{endpoint}/api/{}/{repo_id}", repo_type.plural())
}

pub fn revision_info(endpoint: &str, repo_type: RepoType, repo_id: &str, revision: &str) -> String {
    format!(
        "{}/revision/{}",
        api_repo(endpoint, repo_type, repo_id),
        encode_full(revision)
    )
}

pub fn tree(
    endpoint: &str,
    repo_type: RepoType,
    repo_id: &str,
    revision: &str,
    folder: Option<&str>,
) -> String {
    let mut url = format!(
        "{}/tree/{}",
        api_repo(endpoint, repo_type, repo_id),
        encode_full(revision)
    );
    if let Some(folder) = folder.filter(|f| !f.is_empty()) {
        url.push('/');
        url.push_str(&encode_full(folder));
    }
    url.push_str("?recursive=true&expand=false");
    url
}

pub fn paths_info(endpoint: &str, repo_type: RepoType, repo_id: &str, revision: &str) -> String {
    format!(
        "{}/paths-info/{}",
        api_repo(endpoint, repo_type, repo_id),
        encode_full(revision)
    )
}

pub fn resolve(
    endpoint: &str,
    repo_type: RepoType,
    repo_id: &str,
    revision: &str,
    path: &str,
) -> String {
    format!(
        "{endpoint}/{}{repo_id}/resolve/{}/{}",
        repo_type.url_prefix(),
        encode_full(revision),
        encode_path(path)
    )
}

/// The page where a user reads about a repo and asks for access to a gated one.
pub fn web_page(endpoint: &str, repo_type: RepoType, repo_id: &str) -> String {
    format!("{endpoint}/{}{repo_id}", repo_type.url_prefix())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_match_the_python_client() {
        assert_eq!(
            resolve(
                "http://h",
                RepoType::Dataset,
                "o/n",
                "refs/pr/1",
                "a b/[x].json"
            ),
            "http://h/datasets/o/n/resolve/refs%2Fpr%2F1/a%20b/%5Bx%5D.json"
        );
        assert_eq!(
            tree("http://h", RepoType::Model, "o/n", "main", Some("a/b")),
            "http://h/api/models/o/n/tree/main/a%2Fb?recursive=true&expand=false"
        );
    }
}
