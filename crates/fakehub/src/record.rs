//! The log of requests both listeners saw, so tests can assert what a client sent (and what it did not).

use std::sync::Mutex;

use axum::http::{HeaderMap, Method, Uri, header};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Listener {
    Hub,
    Cdn,
}

/// One request as received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeenRequest {
    pub listener: Listener,
    pub method: String,
    /// Path and query exactly as received (still percent-encoded).
    pub path: String,
    pub authorization: Option<String>,
    pub range: Option<String>,
    pub if_none_match: Option<String>,
}

impl SeenRequest {
    pub(crate) fn new(listener: Listener, method: &Method, uri: &Uri, headers: &HeaderMap) -> Self {
        let text = |name: header::HeaderName| {
            headers
                .get(name)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        SeenRequest {
            listener,
            method: method.as_str().to_string(),
            path: uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| uri.path().to_string()),
            authorization: text(header::AUTHORIZATION),
            range: text(header::RANGE),
            if_none_match: text(header::IF_NONE_MATCH),
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    seen: Mutex<Vec<SeenRequest>>,
}

impl RequestLog {
    pub fn push(&self, r: SeenRequest) {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).push(r);
    }

    pub fn all(&self) -> Vec<SeenRequest> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn clear(&self) {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}
