//! The Hub listener: recording, latency and status faults, authentication, and taking request paths apart by
//! hand (repo ids may be `name` or `org/name`, revisions and file paths arrive percent-encoded) before handing
//! them to the listing, resolve and admin handlers.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;

use crate::errors::{HubError, error_response};
use crate::faults::StatusOverride;
use crate::record::{Listener, SeenRequest};
use crate::repo::{Repo, RepoType};
use crate::server::Shared;

pub(crate) const ADMIN_PREFIX: &str = "/_fakehub/";

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    crate::admin::routes()
        .fallback(hub)
        .layer(middleware::from_fn_with_state(shared.clone(), front_door))
        .with_state(shared)
}

/// Runs before every Hub-listener request: records it, then applies latency and status faults.
async fn front_door(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    if req.uri().path().starts_with(ADMIN_PREFIX) {
        return next.run(req).await;
    }
    s.log.push(SeenRequest::new(
        Listener::Hub,
        req.method(),
        req.uri(),
        req.headers(),
    ));
    let latency = s.faults.get().latency_ms;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let quota = s.faults.spend_quota();
    if let Some(q) = quota.as_ref().filter(|q| !q.allowed) {
        let mut resp = error_response(
            StatusCode::TOO_MANY_REQUESTS,
            None,
            "You have exceeded our hourly quotas for action: api. We invite you to retry later.",
        );
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(q.reset_secs));
        add_quota_headers(resp.headers_mut(), q);
        return resp;
    }
    let mut response = match s.faults.take_status_override() {
        Some(StatusOverride::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            error_response(
                status,
                None,
                "Internal Error - We're working hard to fix this as soon as possible!",
            )
        }
        Some(StatusOverride::RateLimited { retry_after_secs }) => {
            let mut resp = error_response(
                StatusCode::TOO_MANY_REQUESTS,
                None,
                "You have exceeded our hourly quotas for action: api. We invite you to retry later.",
            );
            let h = resp.headers_mut();
            h.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            if let Ok(v) = HeaderValue::from_str(&format!("\"api\";r=0;t={retry_after_secs}")) {
                h.insert("ratelimit", v);
            }
            h.insert(
                "ratelimit-policy",
                HeaderValue::from_static("\"fixed window\";\"api\";q=500;w=300"),
            );
            resp
        }
        None => next.run(req).await,
    };
    if let Some(q) = &quota {
        add_quota_headers(response.headers_mut(), q);
    }
    response
}

fn add_quota_headers(headers: &mut HeaderMap, q: &crate::faults::QuotaVerdict) {
    if let Ok(v) = HeaderValue::from_str(&format!("\"api\";r={};t={}", q.remaining, q.reset_secs)) {
        headers.insert("ratelimit", v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!(
        "\"fixed window\";\"api\";q={};w={}",
        q.quota, q.window_secs
    )) {
        headers.insert("ratelimit-policy", v);
    }
}

/// Who is asking: `Ok(None)` anonymous, `Ok(Some(user))` a valid token, `Err` a token we do not know.
fn caller<'a>(s: &'a Shared, headers: &HeaderMap) -> Result<Option<&'a str>, HubError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim());
    match token.and_then(|t| s.user_for_token(t)) {
        Some(user) => Ok(Some(user)),
        None => Err(HubError::InvalidCredentials),
    }
}

/// A request taken apart.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Route {
    WhoAmI,
    Info { rev: Option<String> },
    Tree { rev: String, path: String },
    PathsInfo { rev: String },
    Refs,
    Resolve { rev: String, path: String },
}

/// Everything a handler needs to answer.
pub(crate) struct Call<'a> {
    pub shared: &'a Shared,
    pub method: &'a Method,
    pub headers: &'a HeaderMap,
    /// Path as received, still encoded: the base of `Link` URLs.
    pub raw_path: &'a str,
    pub query: Vec<(String, String)>,
    pub user: Option<&'a str>,
    pub repo: Repo,
}

impl Call<'_> {
    pub fn query(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn query_flag(&self, key: &str) -> bool {
        matches!(self.query(key), Some("1" | "true" | "True" | "yes"))
    }
}

async fn hub(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let user = match caller(&s, &parts.headers) {
        Ok(u) => u,
        Err(e) => return e.into_response(),
    };
    let raw_path = parts.uri.path();
    let Some((repo_key, route)) = parse(&s, raw_path) else {
        return HubError::NotFound.into_response();
    };
    if route == Route::WhoAmI {
        return crate::listing::whoami(&s, user);
    }
    let Some((repo_type, repo_id)) = repo_key else {
        return HubError::NotFound.into_response();
    };
    let repo = {
        let repos = s.repos_read();
        match repos.get(&(repo_type, repo_id)) {
            Some(r) if r.may_read(user) => r.clone(),
            _ => {
                return HubError::RepoNotFound {
                    authenticated: user.is_some(),
                }
                .into_response();
            }
        }
    };
    let call = Call {
        shared: &s,
        method: &parts.method,
        headers: &parts.headers,
        raw_path,
        query: parts
            .uri
            .query()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .into_owned()
                    .collect()
            })
            .unwrap_or_default(),
        user,
        repo,
    };
    let allowed = match &route {
        Route::PathsInfo { .. } => parts.method == Method::POST,
        Route::Resolve { .. } => parts.method == Method::GET || parts.method == Method::HEAD,
        _ => parts.method == Method::GET || parts.method == Method::HEAD,
    };
    if !allowed {
        return error_response(StatusCode::METHOD_NOT_ALLOWED, None, "Method not allowed");
    }
    let listed_rev = match &route {
        Route::Info { rev } if call.query_flag("blobs") => Some(rev.as_deref().unwrap_or("main")),
        Route::Tree { rev, .. } | Route::PathsInfo { rev } => Some(rev.as_str()),
        _ => None,
    };
    if let Some(commit) = listed_rev.and_then(|r| call.repo.resolve(r)) {
        crate::content::warm_hashes(commit.files.values().cloned()).await;
    }
    match route {
        Route::WhoAmI => HubError::NotFound.into_response(),
        Route::Info { rev } => crate::listing::repo_info(&call, rev.as_deref()),
        Route::Tree { rev, path } => crate::listing::tree(&call, &rev, &path),
        Route::PathsInfo { rev } => {
            let bytes = match axum::body::to_bytes(body, 16 << 20).await {
                Ok(b) => b,
                Err(_) => return HubError::BadRequest("Unreadable body".into()).into_response(),
            };
            crate::listing::paths_info(&call, &rev, &bytes)
        }
        Route::Refs => crate::listing::refs(&call),
        Route::Resolve { rev, path } => crate::resolve::resolve(&call, &rev, &path).await,
    }
}

fn decode(raw: &str) -> Option<String> {
    percent_decode_str(raw)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// Takes a revision from the front of `segs`: one encoded segment, or `refs/x/y` sent unencoded.
fn take_rev(segs: &[&str]) -> Option<(String, usize)> {
    let first = decode(segs.first()?)?;
    if first == "refs" && segs.len() >= 3 {
        let rest = [decode(segs[1])?, decode(segs[2])?];
        return Some((format!("refs/{}/{}", rest[0], rest[1]), 3));
    }
    if first.is_empty() {
        return None;
    }
    Some((first, 1))
}

fn join_decoded(segs: &[&str]) -> Option<String> {
    decode(&segs.join("/"))
}

/// What the segments after a repo id ask for, if they make sense.
fn api_tail(tail: &[&str]) -> Option<Route> {
    match tail.first().copied() {
        None => Some(Route::Info { rev: None }),
        Some("revision") => {
            let (rev, used) = take_rev(&tail[1..])?;
            (used + 1 == tail.len()).then_some(Route::Info { rev: Some(rev) })
        }
        Some("tree") => {
            let (rev, used) = take_rev(&tail[1..])?;
            let path = join_decoded(&tail[1 + used..])?;
            Some(Route::Tree {
                rev,
                path: path.trim_matches('/').to_string(),
            })
        }
        Some("paths-info") => {
            let (rev, used) = take_rev(&tail[1..])?;
            (used + 1 == tail.len()).then_some(Route::PathsInfo { rev })
        }
        Some("refs") => (tail.len() == 1).then_some(Route::Refs),
        _ => None,
    }
}

fn resolve_tail(tail: &[&str]) -> Option<Route> {
    if tail.first() != Some(&"resolve") {
        return None;
    }
    let (rev, used) = take_rev(&tail[1..])?;
    let path = join_decoded(&tail[1 + used..])?;
    if path.is_empty() {
        return None;
    }
    Some(Route::Resolve { rev, path })
}

/// Reads what follows a repo id.
type TailParser = fn(&[&str]) -> Option<Route>;

/// Splits a raw request path into (repo type, repo id) and what is asked of it. A repo id is one or two
/// segments; a known repo wins when both readings make sense.
pub(crate) fn parse(s: &Shared, raw_path: &str) -> Option<(Option<(RepoType, String)>, Route)> {
    let segs: Vec<&str> = raw_path.trim_start_matches('/').split('/').collect();
    let (repo_type, rest, tail_of): (RepoType, &[&str], TailParser) =
        if segs.first() == Some(&"api") {
            if segs.len() == 2 && segs[1] == "whoami-v2" {
                return Some((None, Route::WhoAmI));
            }
            let t = RepoType::from_plural(segs.get(1)?)?;
            (t, &segs[2..], api_tail)
        } else {
            match segs.first().copied() {
                Some("datasets") => (RepoType::Dataset, &segs[1..], resolve_tail),
                Some("spaces") => (RepoType::Space, &segs[1..], resolve_tail),
                _ => (RepoType::Model, &segs[..], resolve_tail),
            }
        };
    let mut fallback = None;
    for n in [2, 1] {
        if rest.len() < n || rest[..n].iter().any(|p| p.is_empty()) {
            continue;
        }
        let Some(route) = tail_of(&rest[n..]) else {
            continue;
        };
        let Some(id) = join_decoded(&rest[..n]) else {
            continue;
        };
        let key = (repo_type, id);
        if s.repos_read().contains_key(&key) {
            return Some((Some(key), route));
        }
        fallback.get_or_insert((Some(key), route));
    }
    fallback
}

/// The `"<etag>"` header value.
pub(crate) fn quoted(etag: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{etag}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("\"\""))
}

pub(crate) fn json_response(value: &serde_json::Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        Body::from(value.to_string()),
    )
        .into_response()
}
