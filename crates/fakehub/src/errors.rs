//! Hub error answers: status, `X-Error-Code`, `X-Error-Message` and a JSON `{"error": …}` body, the way the
//! Python client tells them apart.

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub(crate) const X_ERROR_CODE: &str = "x-error-code";
pub(crate) const X_ERROR_MESSAGE: &str = "x-error-message";
pub(crate) const X_REPO_COMMIT: &str = "x-repo-commit";

/// Everything the Hub listener can refuse with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum HubError {
    /// Missing, or private to someone else. 401 when anonymous, 404 with a valid token.
    RepoNotFound {
        authenticated: bool,
    },
    RevisionNotFound {
        rev: String,
    },
    /// Carries the commit so a client can remember the path as missing at that commit.
    EntryNotFound {
        commit: String,
        path: String,
    },
    /// Anonymous request for a gated repo's files.
    GatedAnonymous {
        what: String,
    },
    /// A token whose user is not approved for a gated repo's files.
    GatedNotApproved {
        what: String,
        url: String,
    },
    InvalidCredentials,
    BadRequest(String),
    NotFound,
}

impl HubError {
    fn parts(&self) -> (StatusCode, Option<&'static str>, String) {
        match self {
            HubError::RepoNotFound { authenticated } => (
                if *authenticated {
                    StatusCode::NOT_FOUND
                } else {
                    StatusCode::UNAUTHORIZED
                },
                Some("RepoNotFound"),
                "Repository not found".to_string(),
            ),
            HubError::RevisionNotFound { rev } => (
                StatusCode::NOT_FOUND,
                Some("RevisionNotFound"),
                format!("Invalid rev id: {rev}"),
            ),
            HubError::EntryNotFound { path, .. } => (
                StatusCode::NOT_FOUND,
                Some("EntryNotFound"),
                format!("Entry not found: {path}"),
            ),
            HubError::GatedAnonymous { what } => (
                StatusCode::UNAUTHORIZED,
                Some("GatedRepo"),
                format!(
                    "Access to {what} is restricted. You must have access to it and be authenticated to access it. Please log in."
                ),
            ),
            HubError::GatedNotApproved { what, url } => (
                StatusCode::FORBIDDEN,
                Some("GatedRepo"),
                format!(
                    "Access to {what} is restricted and you are not in the authorized list. Visit {url} to ask for access."
                ),
            ),
            HubError::InvalidCredentials => (
                StatusCode::UNAUTHORIZED,
                None,
                "Invalid credentials in Authorization header".to_string(),
            ),
            HubError::BadRequest(m) => (StatusCode::BAD_REQUEST, None, m.clone()),
            HubError::NotFound => (StatusCode::NOT_FOUND, None, "Not Found".to_string()),
        }
    }
}

/// A JSON error answer with the Hub's error headers; `message` must stay on one line.
pub(crate) fn error_response(
    status: StatusCode,
    code: Option<&'static str>,
    message: &str,
) -> Response {
    let body = serde_json::json!({ "error": message }).to_string();
    let mut resp = (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response();
    let headers = resp.headers_mut();
    if let Some(code) = code {
        headers.insert(X_ERROR_CODE, HeaderValue::from_static(code));
    }
    // Messages quote paths from the request; anything not representable as a header value is dropped from it.
    let clean: String = message
        .chars()
        .filter(|c| c.is_ascii() && !c.is_ascii_control())
        .collect();
    if let Ok(v) = HeaderValue::from_str(&clean) {
        headers.insert(X_ERROR_MESSAGE, v);
    }
    resp
}

impl IntoResponse for HubError {
    fn into_response(self) -> Response {
        let (status, code, message) = self.parts();
        let mut resp = error_response(status, code, &message);
        if let HubError::EntryNotFound { commit, .. } = &self
            && let Ok(v) = HeaderValue::from_str(commit)
        {
            resp.headers_mut()
                .insert(HeaderName::from_static(X_REPO_COMMIT), v);
        }
        resp
    }
}
