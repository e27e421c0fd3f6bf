//! The JSON API: repo info, tree listings (paged with `Link`), paths-info, refs and whoami.

use std::collections::BTreeSet;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use crate::api::{Call, json_response};
use crate::content::FileSpec;
use crate::errors::{HubError, error_response};
use crate::repo::{Commit, RepoType};
use crate::server::Shared;

/// The Hub lists at most this many entries a page when it has to expand them.
const EXPANDED_PAGE_MAX: usize = 50;

pub(crate) fn whoami(s: &Shared, user: Option<&str>) -> Response {
    let Some(name) = user else {
        return error_response(
            StatusCode::UNAUTHORIZED,
            None,
            "Invalid username or password.",
        );
    };
    json_response(&json!({
        "type": "user",
        "id": object_id(name),
        "name": name,
        "fullname": name,
        "email": format!("{name}@example.com"),
        "emailVerified": true,
        "canPay": false,
        "isPro": false,
        "periodEnd": null,
        "avatarUrl": format!("{}/avatars/{name}.svg", s.hub_url),
        "orgs": [],
        "auth": {
            "type": "access_token",
            "accessToken": { "displayName": format!("{name}-token"), "role": "read", "createdAt": "2024-01-01T00:00:00.000Z" }
        }
    }))
}

/// A 24-hex id like the Hub's database ids, stable for a given name.
fn object_id(name: &str) -> String {
    hex::encode(Sha1::digest(name.as_bytes()))[..24].to_string()
}

fn commit_at<'a>(call: &'a Call<'_>, rev: &str) -> Result<&'a Commit, HubError> {
    call.repo
        .resolve(rev)
        .ok_or_else(|| HubError::RevisionNotFound {
            rev: rev.to_string(),
        })
}

fn lfs_json(f: &FileSpec, sha_key: &str) -> Value {
    json!({ sha_key: f.sha256_hex(), "size": f.size(), "pointerSize": f.lfs_pointer().len() })
}

pub(crate) fn repo_info(call: &Call<'_>, rev: Option<&str>) -> Response {
    let commit = match commit_at(call, rev.unwrap_or("main")) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let repo = &call.repo;
    let blobs = call.query_flag("blobs");
    let siblings: Vec<Value> = commit
        .files
        .iter()
        .map(|(path, f)| {
            let mut v = json!({ "rfilename": path });
            if blobs {
                v["size"] = json!(f.size());
                v["blobId"] = json!(f.tree_oid());
                if f.is_lfs() {
                    v["lfs"] = lfs_json(f, "sha256");
                }
            }
            v
        })
        .collect();
    let author = repo.id.split_once('/').map_or(repo.id.as_str(), |(o, _)| o);
    let mut info = json!({
        "_id": object_id(&format!("{}/{}", repo.repo_type.singular(), repo.id)),
        "id": repo.id,
        "author": author,
        "sha": commit.sha,
        "lastModified": commit.date,
        "createdAt": repo.commits[0].date,
        "private": repo.private_owner.is_some(),
        "gated": repo.gate.map_or(json!(false), |g| json!(g.as_str())),
        "disabled": false,
        "downloads": 0,
        "likes": 0,
        "tags": [],
        "cardData": {},
        "siblings": siblings,
    });
    if blobs {
        let used: u64 = commit.files.values().map(FileSpec::size).sum();
        info["usedStorage"] = json!(used);
    }
    match repo.repo_type {
        RepoType::Model => info["modelId"] = json!(repo.id),
        RepoType::Dataset => {}
        RepoType::Space => {
            info["sdk"] = json!("static");
            info["runtime"] =
                json!({ "stage": "RUNNING", "hardware": { "current": null, "requested": null } });
            info["subdomain"] = json!(repo.id.replace('/', "-"));
        }
    }
    json_response(&info)
}

/// Every directory that holds a file of the commit, by path.
fn directories(commit: &Commit) -> BTreeSet<String> {
    let mut dirs = BTreeSet::new();
    for path in commit.files.keys() {
        let mut p = path.as_str();
        while let Some((parent, _)) = p.rsplit_once('/') {
            dirs.insert(parent.to_string());
            p = parent;
        }
    }
    dirs
}

/// A stable stand-in for git's tree id: depends on every file below the directory.
fn dir_oid(commit: &Commit, dir: &str) -> String {
    let prefix = format!("{dir}/");
    let mut h = Sha1::new();
    h.update(b"tree\0");
    for (path, f) in commit.files.range(prefix.clone()..) {
        if !path.starts_with(&prefix) {
            break;
        }
        h.update(format!("{path}\0{}\0", f.identity()));
    }
    hex::encode(h.finalize())
}

fn last_commit_json(call: &Call<'_>, commit: &Commit, path: &str) -> Value {
    let c = call.repo.last_change(commit.index, path).unwrap_or(commit);
    json!({ "id": c.sha, "title": c.message, "date": c.date })
}

fn file_entry(call: &Call<'_>, commit: &Commit, path: &str, f: &FileSpec, expand: bool) -> Value {
    let mut v = json!({ "type": "file", "oid": f.tree_oid(), "size": f.size(), "path": path });
    if f.is_lfs() {
        v["lfs"] = lfs_json(f, "oid");
    }
    if expand {
        v["lastCommit"] = last_commit_json(call, commit, path);
    }
    v
}

fn dir_entry(call: &Call<'_>, commit: &Commit, path: &str, expand: bool) -> Value {
    let mut v =
        json!({ "type": "directory", "oid": dir_oid(commit, path), "size": 0, "path": path });
    if expand {
        // A directory's last commit is that of its most recently changed file.
        let prefix = format!("{path}/");
        let last = commit
            .files
            .keys()
            .filter(|p| p.starts_with(&prefix))
            .filter_map(|p| call.repo.last_change(commit.index, p))
            .max_by_key(|c| c.index)
            .unwrap_or(commit);
        v["lastCommit"] = json!({ "id": last.sha, "title": last.message, "date": last.date });
    }
    v
}

enum Entry<'a> {
    File(&'a str, &'a FileSpec),
    Dir(String),
}

pub(crate) fn tree(call: &Call<'_>, rev: &str, path: &str) -> Response {
    let commit = match commit_at(call, rev) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let dirs = directories(commit);
    if !path.is_empty() && !dirs.contains(path) {
        return HubError::EntryNotFound {
            commit: commit.sha.clone(),
            path: path.to_string(),
        }
        .into_response();
    }
    let recursive = call.query_flag("recursive");
    let expand = call.query_flag("expand");
    let prefix = if path.is_empty() {
        String::new()
    } else {
        format!("{path}/")
    };
    // Directories before files, each sorted by path, as the Hub lists them.
    let wanted = |p: &str| {
        p.strip_prefix(prefix.as_str())
            .is_some_and(|rest| recursive || !rest.contains('/'))
    };
    let mut entries: Vec<Entry> = dirs
        .iter()
        .filter(|d| wanted(d))
        .map(|d| Entry::Dir(d.clone()))
        .collect();
    entries.extend(
        commit
            .files
            .iter()
            .filter(|(p, _)| wanted(p))
            .map(|(p, f)| Entry::File(p.as_str(), f)),
    );

    let page_size = if expand {
        call.shared.page_size.min(EXPANDED_PAGE_MAX)
    } else {
        call.shared.page_size
    };
    let start = match call.query("cursor").map(decode_cursor) {
        None => 0,
        Some(Some(n)) => n,
        Some(None) => return HubError::BadRequest("Invalid cursor".into()).into_response(),
    };
    let end = entries.len().min(start.saturating_add(page_size));
    let page: Vec<Value> = entries
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .map(|e| match e {
            Entry::File(p, f) => file_entry(call, commit, p, f, expand),
            Entry::Dir(p) => dir_entry(call, commit, p, expand),
        })
        .collect();
    let mut resp = json_response(&Value::Array(page));
    if end < entries.len() {
        let next = format!(
            "{}{}?recursive={recursive}&expand={expand}&cursor={}",
            call.shared.hub_url,
            call.raw_path,
            encode_cursor(end)
        );
        if let Ok(v) = HeaderValue::from_str(&format!("<{next}>; rel=\"next\"")) {
            resp.headers_mut().insert(header::LINK, v);
        }
    }
    resp
}

/// Cursors are opaque to clients, as on the Hub; here they just carry the index of the next entry.
fn encode_cursor(index: usize) -> String {
    hex::encode(format!("fakehub:{index}"))
}

fn decode_cursor(c: &str) -> Option<usize> {
    let raw = hex::decode(c).ok()?;
    std::str::from_utf8(&raw)
        .ok()?
        .strip_prefix("fakehub:")?
        .parse()
        .ok()
}

pub(crate) fn paths_info(call: &Call<'_>, rev: &str, body: &[u8]) -> Response {
    let commit = match commit_at(call, rev) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let is_json = call
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let (paths, expand): (Vec<String>, bool) = if is_json {
        match serde_json::from_slice::<Value>(body) {
            Ok(v) => (
                v["paths"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|p| p.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default(),
                v["expand"].as_bool().unwrap_or(false),
            ),
            Err(_) => return HubError::BadRequest("Invalid JSON body".into()).into_response(),
        }
    } else {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
        (
            pairs
                .iter()
                .filter(|(k, _)| k == "paths")
                .map(|(_, v)| v.clone())
                .collect(),
            pairs
                .iter()
                .any(|(k, v)| k == "expand" && matches!(v.as_str(), "1" | "true" | "True")),
        )
    };
    let dirs = directories(commit);
    let found: Vec<Value> = paths
        .iter()
        .map(|p| p.trim_matches('/'))
        .filter_map(|p| {
            if let Some(f) = commit.files.get(p) {
                Some(file_entry(call, commit, p, f, expand))
            } else if dirs.contains(p) {
                Some(dir_entry(call, commit, p, expand))
            } else {
                None
            }
        })
        .collect();
    json_response(&Value::Array(found))
}

pub(crate) fn refs(call: &Call<'_>) -> Response {
    let repo = &call.repo;
    let sha = |i: &usize| repo.commits[*i].sha.clone();
    let branches: Vec<Value> = repo
        .branches
        .iter()
        .map(
            |(n, i)| json!({ "name": n, "ref": format!("refs/heads/{n}"), "targetCommit": sha(i) }),
        )
        .collect();
    let tags: Vec<Value> = repo
        .tags
        .iter()
        .map(|(n, i)| json!({ "name": n, "ref": format!("refs/tags/{n}"), "targetCommit": sha(i) }))
        .collect();
    let mut out = json!({ "branches": branches, "converts": [], "tags": tags });
    if call.query_flag("include_prs") {
        let prs: Vec<Value> = repo
            .prs
            .iter()
            .map(|(n, i)| json!({ "name": n.to_string(), "ref": format!("refs/pr/{n}"), "targetCommit": sha(i) }))
            .collect();
        out["pullRequests"] = Value::Array(prs);
    }
    json_response(&out)
}
