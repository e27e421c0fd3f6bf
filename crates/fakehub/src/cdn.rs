//! The CDN listener: serves LFS blobs at signed, expiring URLs the Hub hands out, with the same body faults
//! as the Hub, and records every request (tests check that no `Authorization` header ever reaches it).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};

use crate::api::quoted;
use crate::body::file_response;
use crate::content::FileSpec;
use crate::record::{Listener, SeenRequest};
use crate::server::Shared;

/// How long a signed URL stays valid, as on the real CDN.
const URL_LIFETIME: Duration = Duration::from_secs(3600);

/// Only a test double's secret: the signature exists so a client cannot edit a URL and still be served.
const SECRET: &str = "fakehub-cdn-secret";

/// Characters escaped in a path segment of a CDN URL (`/` separates segments and stays).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\')
    .add(b'^')
    .add(b'|')
    .add(b'+')
    .add(b'&')
    .add(b'=')
    .add(b';');

/// Characters escaped in a query value.
const QUERY_VALUE: &AsciiSet = &SEGMENT.add(b'/').add(b':').add(b',').add(b'\'');

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(serve).with_state(shared)
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn signature(sha256: &str, path: &str, expires: u64, generation: u64) -> String {
    let mut h = Sha256::new();
    h.update(format!(
        "{SECRET}\0{sha256}\0{path}\0{expires}\0{generation}"
    ));
    hex::encode(h.finalize())
}

fn encode_path(path: &str) -> String {
    path.split('/')
        .map(|seg| utf8_percent_encode(seg, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Registers `file` with the CDN and returns a fresh signed URL for it, valid until it expires or
/// `expire_cdn_urls()` is called.
pub(crate) fn sign_url(s: &Shared, file: &FileSpec, path: &str) -> String {
    let sha = file.sha256_hex();
    s.cdn_blobs
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(sha.clone())
        .or_insert_with(|| file.clone());
    let expires = now_secs() + URL_LIFETIME.as_secs();
    let generation = s.faults.cdn_generation();
    let disposition = format!(
        "inline; filename*=UTF-8''{}; filename=\"{}\";",
        utf8_percent_encode(basename(path), SEGMENT),
        basename(path).replace('"', "")
    );
    format!(
        "{}/repos/{sha}/{}?response-content-disposition={}&Expires={expires}&X-Gen={generation}&Signature={}",
        s.cdn_url,
        encode_path(path),
        utf8_percent_encode(&disposition, QUERY_VALUE),
        signature(&sha, path, expires, generation)
    )
}

fn denied(message: &str) -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "application/xml")],
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code><Message>{message}</Message></Error>"),
    )
        .into_response()
}

async fn serve(State(s): State<Arc<Shared>>, req: Request) -> Response {
    s.log.push(SeenRequest::new(
        Listener::Cdn,
        req.method(),
        req.uri(),
        req.headers(),
    ));
    let latency = s.faults.get().latency_ms;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let Some(rest) = req.uri().path().strip_prefix("/repos/") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some((sha, raw_path)) = rest.split_once('/') else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Ok(path) = percent_decode_str(raw_path).decode_utf8() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let query: Vec<(String, String)> = req
        .uri()
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let param = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let expires = param("Expires").and_then(|v| v.parse::<u64>().ok());
    let generation = param("X-Gen").and_then(|v| v.parse::<u64>().ok());
    let (Some(expires), Some(generation), Some(sig)) = (expires, generation, param("Signature"))
    else {
        return denied("Missing Key-Pair-Id query parameter or cookie value");
    };
    if signature(sha, &path, expires, generation) != sig {
        return denied("Invalid signature");
    }
    if generation < s.faults.cdn_generation() || expires <= now_secs() {
        return denied("Request has expired");
    }
    let Some(file) = s
        .cdn_blobs
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(sha)
        .cloned()
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::ETAG, quoted(sha));
    if let Some(d) = param("response-content-disposition")
        && let Ok(v) = HeaderValue::from_str(d)
    {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    file_response(
        &s.faults,
        req.method(),
        req.headers(),
        &file,
        &path,
        headers,
    )
}
