//! Admin endpoints under `/_fakehub/` on the Hub listener, so the binary can be steered from other
//! processes (Python tests, scripts): faults, CDN URL expiry, the request log.
//!
//! | request | effect |
//! |---|---|
//! | `GET /_fakehub/faults` | the current `FaultState` as JSON |
//! | `POST /_fakehub/faults` | replace it with the JSON body (missing fields take their defaults); answers the new state |
//! | `POST /_fakehub/expire-cdn` | every CDN URL issued so far answers 403 |
//! | `GET /_fakehub/requests` | every recorded request, in order, as a JSON list of `SeenRequest` |
//! | `POST /_fakehub/requests/clear` | forget them |
//! | `GET /_fakehub/stats` | `{"body_bytes_sent": N}`: file-body bytes sent so far, both listeners |
//!
//! These requests are neither recorded nor faulted nor authenticated.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::faults::FaultState;
use crate::record::SeenRequest;
use crate::server::Shared;

pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_fakehub/faults", get(get_faults).post(set_faults))
        .route("/_fakehub/expire-cdn", post(expire_cdn))
        .route("/_fakehub/requests", get(requests))
        .route("/_fakehub/requests/clear", post(clear_requests))
        .route("/_fakehub/stats", get(stats))
}

async fn stats(State(s): State<Arc<Shared>>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "body_bytes_sent": s.faults.body_bytes_sent() }))
}

async fn get_faults(State(s): State<Arc<Shared>>) -> Json<FaultState> {
    Json(s.faults.get())
}

async fn set_faults(State(s): State<Arc<Shared>>, Json(f): Json<FaultState>) -> Json<FaultState> {
    s.faults.set(f);
    Json(s.faults.get())
}

async fn expire_cdn(State(s): State<Arc<Shared>>) -> StatusCode {
    s.faults.expire_cdn_urls();
    StatusCode::NO_CONTENT
}

async fn requests(State(s): State<Arc<Shared>>) -> Json<Vec<SeenRequest>> {
    Json(s.log.all())
}

async fn clear_requests(State(s): State<Arc<Shared>>) -> StatusCode {
    s.log.clear();
    StatusCode::NO_CONTENT
}
