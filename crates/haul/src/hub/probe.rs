//! One anonymous look at the endpoint, for `haul doctor`: does something answer there, and does it
//! answer like a Hub? A Hub answers `GET /api/whoami-v2` with JSON (401 without a token, the user with
//! one); a web server that is not a Hub answers with a page of HTML, or not at all. No token is sent,
//! no retry is made: the answer itself is what is being examined.

use std::time::{Duration, Instant};

use reqwest::header;

use super::{HubClient, HubError, describe_transport_error};

/// What the endpoint answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeAnswer {
    /// The URL that was asked.
    pub url: String,
    pub status: u16,
    /// The `Content-Type` without its parameters (`application/json`), empty when there was none.
    pub content_type: String,
    /// Whether the body parsed as a JSON object.
    pub json_object: bool,
    /// The Hub's machine-readable error code, when it sent one.
    pub error_code: Option<String>,
    pub elapsed: Duration,
}

impl ProbeAnswer {
    /// Whether this is the answer of a Hugging Face Hub (or a faithful mirror).
    pub fn looks_like_hub(&self) -> bool {
        let json = self.content_type.ends_with("json") && self.json_object;
        json && matches!(self.status, 200 | 401 | 403)
    }
}

impl HubClient {
    /// `GET {endpoint}/api/whoami-v2` without a token; a transport failure is [`HubError::Network`].
    pub async fn probe(&self) -> Result<ProbeAnswer, HubError> {
        let url = format!("{}/api/whoami-v2", self.endpoint);
        let started = Instant::now();
        let response = self
            .http
            .get(&url)
            .timeout(self.metadata_timeout)
            .send()
            .await
            .map_err(|e| HubError::Network {
                url: url.clone(),
                attempts: 1,
                reason: describe_transport_error(&e),
            })?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let error_code = headers
            .get("x-error-code")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        // A Hub's answer here is small; a large page is not one, and need not be read whole.
        let body = response.bytes().await.unwrap_or_default();
        let json_object = body.len() < 1 << 20
            && serde_json::from_slice::<serde_json::Value>(&body).is_ok_and(|v| v.is_object());
        Ok(ProbeAnswer {
            url,
            status,
            content_type,
            json_object,
            error_code,
            elapsed: started.elapsed(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, content_type: &str, json_object: bool) -> ProbeAnswer {
        ProbeAnswer {
            url: "http://h/api/whoami-v2".into(),
            status,
            content_type: content_type.into(),
            json_object,
            error_code: None,
            elapsed: Duration::ZERO,
        }
    }

    #[test]
    fn a_hub_answers_json() {
        assert!(answer(401, "application/json", true).looks_like_hub());
        assert!(answer(200, "application/json", true).looks_like_hub());
        assert!(!answer(200, "text/html", false).looks_like_hub());
        assert!(!answer(200, "application/json", false).looks_like_hub());
        assert!(!answer(404, "application/json", true).looks_like_hub());
    }
}
