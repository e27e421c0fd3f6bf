//! `HEAD`/`GET …/resolve/{rev}/{path}`: gating, ETags and 304, regular files served directly, LFS files
//! redirected to a signed CDN URL (or served directly in mirror mode).

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::api::{Call, quoted};
use crate::body::{file_response, head_body};
use crate::errors::{HubError, X_REPO_COMMIT};

const X_LINKED_ETAG: &str = "x-linked-etag";
const X_LINKED_SIZE: &str = "x-linked-size";

/// Does an `If-None-Match` value name `etag` (quoted or not, weak or not, or `*`)?
pub(crate) fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match.split(',').any(|candidate| {
        let c = candidate.trim();
        let c = c.strip_prefix("W/").unwrap_or(c);
        c == "*" || c.trim_matches('"') == etag
    })
}

fn gate_check(call: &Call<'_>) -> Result<(), HubError> {
    let repo = &call.repo;
    if repo.gate.is_none() {
        return Ok(());
    }
    let what = format!("{} {}", repo.repo_type.singular(), repo.id);
    match call.user {
        None => Err(HubError::GatedAnonymous { what }),
        Some(u)
            if repo.approved.iter().any(|a| a == u) || repo.private_owner.as_deref() == Some(u) =>
        {
            Ok(())
        }
        Some(_) => Err(HubError::GatedNotApproved {
            what,
            url: format!(
                "{}/{}{}",
                call.shared.hub_url,
                repo.repo_type.url_prefix(),
                repo.id
            ),
        }),
    }
}

pub(crate) async fn resolve(call: &Call<'_>, rev: &str, path: &str) -> Response {
    if let Err(e) = gate_check(call) {
        return e.into_response();
    }
    let Some(commit) = call.repo.resolve(rev) else {
        return HubError::RevisionNotFound {
            rev: rev.to_string(),
        }
        .into_response();
    };
    let Some(file) = commit.files.get(path) else {
        return HubError::EntryNotFound {
            commit: commit.sha.clone(),
            path: path.to_string(),
        }
        .into_response();
    };
    crate::content::warm_hashes([file.clone()]).await;
    let faults = call.shared.faults.get();
    if *call.method == Method::HEAD && faults.head_delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.head_delay_ms)).await;
    }
    let redirect = file.is_lfs() && !faults.lfs_direct;
    let etag = file.etag();

    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&commit.sha) {
        headers.insert(HeaderName::from_static(X_REPO_COMMIT), v);
    }
    headers.insert(header::ETAG, quoted(&etag));
    if redirect {
        headers.insert(HeaderName::from_static(X_LINKED_ETAG), quoted(&etag));
        headers.insert(
            HeaderName::from_static(X_LINKED_SIZE),
            HeaderValue::from(file.size()),
        );
    }
    if let Some(inm) = call
        .headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        && etag_matches(inm, &etag)
    {
        let mut resp = Response::new(Body::empty());
        *resp.status_mut() = StatusCode::NOT_MODIFIED;
        *resp.headers_mut() = headers;
        return resp;
    }
    if redirect {
        let location = crate::cdn::sign_url(call.shared, file, path);
        if let Ok(v) = HeaderValue::from_str(&location) {
            headers.insert(header::LOCATION, v);
        }
        // The redirect has a body of its own, so its Content-Length is not the file's size: clients must
        // read X-Linked-Size.
        let text = format!("Found. Redirecting to {location}");
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(text.len()));
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        let body = if *call.method == Method::HEAD {
            head_body()
        } else {
            Body::from(text)
        };
        let mut resp = Response::new(body);
        *resp.status_mut() = StatusCode::FOUND;
        *resp.headers_mut() = headers;
        return resp;
    }
    file_response(
        &call.shared.faults,
        call.method,
        call.headers,
        file,
        path,
        headers,
    )
}

#[cfg(test)]
mod tests {
    use super::etag_matches;

    #[test]
    fn if_none_match_forms() {
        assert!(etag_matches("\"abc\"", "abc"));
        assert!(etag_matches("W/\"abc\"", "abc"));
        assert!(etag_matches("abc", "abc"));
        assert!(etag_matches("\"x\", \"abc\"", "abc"));
        assert!(etag_matches("*", "abc"));
        assert!(!etag_matches("\"abd\"", "abc"));
    }
}
