//! The Hub's HTTP API as Haul uses it: resolve a revision to a commit, list a tree (paged), look up
//! paths, open a file for reading from an offset (following the CDN redirect without the token), and
//! who-am-I. Metadata requests are retried with backoff; every refusal becomes a [`HubError`] that
//! says what to do.

pub mod error;
mod pacer;
mod probe;
mod retry;
pub mod types;
pub mod urls;

use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use url::Url;

pub use error::HubError;
pub use probe::ProbeAnswer;
pub use retry::{advised_wait, backoff, is_retryable_status};
pub use types::{LfsInfo, RepoInfo, TreeEntry, WhoAmI};

use crate::auth::Token;
use crate::config::Config;
use crate::repo_ref::RepoType;

/// Which repo a request is about, for building URLs and error messages.
#[derive(Clone, Copy, Debug)]
pub struct RepoTarget<'a> {
    pub repo_type: RepoType,
    pub repo_id: &'a str,
}

impl RepoTarget<'_> {
    fn label(&self) -> String {
        format!("{}{}", self.repo_type.url_prefix(), self.repo_id)
    }
}

/// What a request was about, so an error can name it.
#[derive(Clone, Debug, Default)]
struct Context {
    repo: String,
    web_url: String,
    revision: String,
    path: String,
}

#[derive(Clone)]
pub struct HubClient {
    http: reqwest::Client,
    endpoint: String,
    endpoint_url: Url,
    token: Option<Token>,
    retries: u32,
    retry_base_delay: Duration,
    metadata_timeout: Duration,
    /// Shared by every clone, so all workers pace together.
    pacer: std::sync::Arc<pacer::Pacer>,
}

/// An open file body, positioned at `start`.
pub struct OpenedFile {
    pub response: Response,
    /// Where the bytes really begin: the requested offset, or 0 when the server ignored `Range`.
    pub start: u64,
    /// The URL that served the bytes (the CDN's, after a redirect): reused for resuming.
    pub served_from: Url,
    /// Whether `served_from` was reached through a redirect to another host (a signed CDN URL that may expire).
    pub redirected: bool,
}

/// Why opening a file failed, as the transfer loop needs to know it.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// A signed CDN URL expired (403 from the CDN): resolve again.
    #[error("the download link expired")]
    Expired,
    /// `Range` start past the end (416).
    #[error("the server says the range is not satisfiable")]
    RangeNotSatisfiable,
    /// Try again after the given pause (or backoff when none is advised).
    #[error("{reason}")]
    Transient {
        reason: String,
        wait: Option<Duration>,
        status: Option<u16>,
    },
    #[error(transparent)]
    Fatal(HubError),
}

const USER_AGENT: &str = concat!("haul/", env!("CARGO_PKG_VERSION"), "; rust");

impl HubClient {
    pub fn new(config: &Config, token: Option<Token>) -> Result<HubClient, HubError> {
        let mut headers = HeaderMap::new();
        // Bytes must arrive exactly as hashed by the Hub: no transparent compression.
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("identity"),
        );
        let mut http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .default_headers(headers)
            // Redirects are followed by hand so the token never follows one to another host.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(15))
            .read_timeout(config.read_timeout);
        // A configured proxy replaces reqwest's reading of HTTPS_PROXY & co.; NO_PROXY still applies.
        if let Some(proxy) = &config.proxy {
            let proxy = reqwest::Proxy::all(proxy.as_str())
                .map_err(|_| HubError::Client("the proxy URL is not usable".into()))?;
            http = http.proxy(proxy.no_proxy(reqwest::NoProxy::from_env()));
        }
        let http = http.build().map_err(|e| HubError::Client(e.to_string()))?;
        Ok(HubClient {
            http,
            endpoint: config.endpoint_str().to_string(),
            endpoint_url: config.endpoint.clone(),
            token,
            retries: config.retries.max(1),
            retry_base_delay: config.retry_base_delay,
            metadata_timeout: config.metadata_timeout,
            pacer: std::sync::Arc::default(),
        })
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    fn same_origin(&self, url: &Url) -> bool {
        url.scheme() == self.endpoint_url.scheme()
            && url.host_str() == self.endpoint_url.host_str()
            && url.port_or_known_default() == self.endpoint_url.port_or_known_default()
    }

    /// A request to `url`, carrying the token only when `url` is on the endpoint's own origin.
    fn request(&self, method: Method, url: &Url) -> RequestBuilder {
        let builder = self.http.request(method, url.clone());
        match &self.token {
            Some(token) if self.same_origin(url) => builder.bearer_auth(token.expose()),
            _ => builder,
        }
    }

    fn context(&self, target: RepoTarget<'_>, revision: &str, path: &str) -> Context {
        Context {
            repo: target.label(),
            web_url: urls::web_page(&self.endpoint, target.repo_type, target.repo_id),
            revision: revision.to_string(),
            path: path.to_string(),
        }
    }

    /// Sends a metadata request, retrying what is worth retrying, and maps a refusal to a [`HubError`].
    async fn send_metadata(
        &self,
        ctx: &Context,
        build: impl Fn() -> RequestBuilder,
        url: &str,
    ) -> Result<Response, HubError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.pacer.wait().await;
            let outcome = build().timeout(self.metadata_timeout).send().await;
            if let Ok(response) = &outcome {
                self.pacer.observe(response.headers());
            }
            let wait = match outcome {
                Ok(response) if response.status().is_success() => return Ok(response),
                Ok(response) => {
                    let status = response.status().as_u16();
                    if !is_retryable_status(status) || attempt >= self.retries {
                        return Err(self.refusal(ctx, response, attempt).await);
                    }
                    advised_wait(response.headers())
                        .unwrap_or_else(|| backoff(self.retry_base_delay, attempt - 1))
                }
                Err(err) => {
                    if attempt >= self.retries {
                        return Err(HubError::Network {
                            url: url.to_string(),
                            attempts: attempt,
                            reason: describe_transport_error(&err),
                        });
                    }
                    backoff(self.retry_base_delay, attempt - 1)
                }
            };
            tracing::debug!(url, attempt, ?wait, "retrying metadata request");
            tokio::time::sleep(wait).await;
        }
    }

    /// Turns a non-success answer into the error a user should read.
    async fn refusal(&self, ctx: &Context, response: Response, attempts: u32) -> HubError {
        let status = response.status().as_u16();
        let url = response.url().to_string();
        let headers = response.headers().clone();
        let header_text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let code = header_text("x-error-code").unwrap_or_default();
        let body = response.text().await.unwrap_or_default();
        let message = header_text("x-error-message")
            .or_else(|| {
                serde_json::from_str::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
            })
            .unwrap_or_else(|| body.chars().take(200).collect());
        let hint = if self.token.is_some() {
            "; if it is private, make sure your token's account can read it"
        } else {
            "; if it is private, give Haul a token that can read it (`haul auth login`, HF_TOKEN or --token)"
        };
        match (code.as_str(), status) {
            ("GatedRepo", 401) => HubError::GatedNeedsToken {
                repo: ctx.repo.clone(),
                url: ctx.web_url.clone(),
            },
            ("GatedRepo", _) => HubError::GatedNotApproved {
                repo: ctx.repo.clone(),
                url: ctx.web_url.clone(),
            },
            ("RepoNotFound", _) => HubError::RepoNotFound {
                repo: ctx.repo.clone(),
                endpoint: self.endpoint.clone(),
                hint,
            },
            ("RevisionNotFound", _) => HubError::RevisionNotFound {
                repo: ctx.repo.clone(),
                revision: ctx.revision.clone(),
            },
            ("EntryNotFound", _) => HubError::EntryNotFound {
                repo: ctx.repo.clone(),
                revision: ctx.revision.clone(),
                path: ctx.path.clone(),
            },
            (_, 401)
                if message.contains("Invalid credentials")
                    || (self.token.is_some() && code.is_empty()) =>
            {
                HubError::InvalidToken
            }
            (_, 401) => HubError::RepoNotFound {
                repo: ctx.repo.clone(),
                endpoint: self.endpoint.clone(),
                hint,
            },
            (_, 429) => HubError::RateLimited {
                attempts,
                retry_after: advised_wait(&headers).unwrap_or(Duration::from_secs(60)),
            },
            (_, s) if s >= 500 => HubError::Server {
                status: s,
                url,
                attempts,
            },
            _ => HubError::Unexpected {
                status,
                url,
                message,
            },
        }
    }

    fn parse_url(&self, text: &str) -> Result<Url, HubError> {
        Url::parse(text).map_err(|e| HubError::NotAHub {
            url: text.to_string(),
            reason: e.to_string(),
        })
    }

    async fn json<T: serde::de::DeserializeOwned>(response: Response) -> Result<T, HubError> {
        let url = response.url().to_string();
        let bytes = response.bytes().await.map_err(|e| HubError::Network {
            url: url.clone(),
            attempts: 1,
            reason: describe_transport_error(&e),
        })?;
        serde_json::from_slice(&bytes).map_err(|e| HubError::NotAHub {
            url,
            reason: format!("unexpected JSON: {e}"),
        })
    }

    /// The commit a revision points at, and whether the repo is gated or private.
    pub async fn repo_info(
        &self,
        target: RepoTarget<'_>,
        revision: &str,
    ) -> Result<(String, RepoInfo), HubError> {
        let url_text =
            urls::revision_info(&self.endpoint, target.repo_type, target.repo_id, revision);
        let url = self.parse_url(&url_text)?;
        let ctx = self.context(target, revision, "");
        let response = self
            .send_metadata(&ctx, || self.request(Method::GET, &url), &url_text)
            .await?;
        let info: RepoInfo = Self::json(response).await?;
        let commit = info
            .sha
            .clone()
            .filter(|s| s.len() == 40 && s.chars().all(|c| c.is_ascii_hexdigit()))
            .ok_or_else(|| HubError::NotAHub {
                url: url_text.clone(),
                reason: "its repo info carries no commit sha".into(),
            })?;
        Ok((commit, info))
    }

    /// Every file below `folder` (or the whole repo) at `commit`, following `Link: rel="next"` pages.
    pub async fn list_files(
        &self,
        target: RepoTarget<'_>,
        commit: &str,
        folder: Option<&str>,
    ) -> Result<Vec<TreeEntry>, HubError> {
        let ctx = self.context(target, commit, folder.unwrap_or(""));
        let mut next = Some(urls::tree(
            &self.endpoint,
            target.repo_type,
            target.repo_id,
            commit,
            folder,
        ));
        let mut files = Vec::new();
        let mut pages = 0u32;
        while let Some(url_text) = next.take() {
            pages += 1;
            if pages > 100_000 {
                return Err(HubError::NotAHub {
                    url: url_text,
                    reason: "its tree listing never ends".into(),
                });
            }
            let url = self.parse_url(&url_text)?;
            let response = self
                .send_metadata(&ctx, || self.request(Method::GET, &url), &url_text)
                .await?;
            next = next_page_link(response.headers(), &url);
            let entries: Vec<TreeEntry> = Self::json(response).await?;
            files.extend(entries.into_iter().filter(TreeEntry::is_file));
        }
        Ok(files)
    }

    /// Metadata of the named paths at `commit`; paths that do not exist are left out by the Hub.
    pub async fn paths_info(
        &self,
        target: RepoTarget<'_>,
        commit: &str,
        paths: &[String],
    ) -> Result<Vec<TreeEntry>, HubError> {
        let url_text = urls::paths_info(&self.endpoint, target.repo_type, target.repo_id, commit);
        let url = self.parse_url(&url_text)?;
        let ctx = self.context(target, commit, "");
        let mut form: Vec<(&str, &str)> = paths.iter().map(|p| ("paths", p.as_str())).collect();
        form.push(("expand", "false"));
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={}", urls::encode_full(v)))
            .collect::<Vec<_>>()
            .join("&");
        let response = self
            .send_metadata(
                &ctx,
                || {
                    self.request(Method::POST, &url)
                        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .body(body.clone())
                },
                &url_text,
            )
            .await?;
        let entries: Vec<TreeEntry> = Self::json(response).await?;
        Ok(entries.into_iter().filter(TreeEntry::is_file).collect())
    }

    /// Who the token belongs to.
    pub async fn whoami(&self) -> Result<WhoAmI, HubError> {
        let url_text = format!("{}/api/whoami-v2", self.endpoint);
        let url = self.parse_url(&url_text)?;
        let response = self
            .send_metadata(
                &Context::default(),
                || self.request(Method::GET, &url),
                &url_text,
            )
            .await?;
        Self::json(response).await
    }

    /// The resolve URL of a file at a commit.
    pub fn resolve_url(
        &self,
        target: RepoTarget<'_>,
        commit: &str,
        path: &str,
    ) -> Result<Url, HubError> {
        self.parse_url(&urls::resolve(
            &self.endpoint,
            target.repo_type,
            target.repo_id,
            commit,
            path,
        ))
    }

    /// Opens a file body from `start` (to `end`, exclusive, when given). `cached` is a CDN URL that
    /// served this file before (reused until it expires, to skip the resolve round trip). One attempt:
    /// the caller owns retries.
    pub async fn open_file(
        &self,
        target: RepoTarget<'_>,
        commit: &str,
        path: &str,
        start: u64,
        end: Option<u64>,
        cached: Option<&Url>,
    ) -> Result<OpenedFile, OpenError> {
        let ctx = self.context(target, commit, path);
        let resolve = self
            .resolve_url(target, commit, path)
            .map_err(OpenError::Fatal)?;
        let mut url = cached.cloned().unwrap_or(resolve);
        let mut redirected = cached.is_some();
        for _ in 0..10 {
            let mut request = self.request(Method::GET, &url);
            match end {
                Some(end) if end > start => {
                    request = request.header(header::RANGE, format!("bytes={start}-{}", end - 1));
                }
                _ if start > 0 => {
                    request = request.header(header::RANGE, format!("bytes={start}-"))
                }
                _ => {}
            }
            let to_hub = self.same_origin(&url);
            if to_hub {
                self.pacer.wait().await;
            }
            let response = request.send().await.map_err(|e| OpenError::Transient {
                reason: describe_transport_error(&e),
                wait: None,
                status: None,
            })?;
            if to_hub {
                self.pacer.observe(response.headers());
            }
            let status = response.status();
            if status.is_redirection() {
                let location = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| {
                        OpenError::Fatal(HubError::NotAHub {
                            url: url.to_string(),
                            reason: "a redirect without a Location".into(),
                        })
                    })?;
                let next = url.join(location).map_err(|e| {
                    OpenError::Fatal(HubError::NotAHub {
                        url: url.to_string(),
                        reason: format!("bad redirect: {e}"),
                    })
                })?;
                redirected |= !self.same_origin(&next);
                url = next;
                continue;
            }
            return match status {
                StatusCode::OK => Ok(OpenedFile {
                    response,
                    start: 0,
                    served_from: url,
                    redirected,
                }),
                StatusCode::PARTIAL_CONTENT => {
                    let actual = content_range_start(response.headers()).unwrap_or(start);
                    if actual != start {
                        return Err(OpenError::Transient {
                            reason: format!(
                                "asked for bytes from {start}, the server sent from {actual}"
                            ),
                            wait: None,
                            status: Some(206),
                        });
                    }
                    Ok(OpenedFile {
                        response,
                        start,
                        served_from: url,
                        redirected,
                    })
                }
                StatusCode::RANGE_NOT_SATISFIABLE => Err(OpenError::RangeNotSatisfiable),
                StatusCode::FORBIDDEN if redirected => Err(OpenError::Expired),
                s if is_retryable_status(s.as_u16()) => Err(OpenError::Transient {
                    reason: format!("the server answered {s}"),
                    wait: advised_wait(response.headers()),
                    status: Some(s.as_u16()),
                }),
                _ => Err(OpenError::Fatal(self.refusal(&ctx, response, 1).await)),
            };
        }
        Err(OpenError::Fatal(HubError::NotAHub {
            url: url.to_string(),
            reason: "too many redirects".into(),
        }))
    }
}

fn content_range_start(headers: &HeaderMap) -> Option<u64> {
    let value = headers.get(header::CONTENT_RANGE)?.to_str().ok()?;
    let range = value.trim().strip_prefix("bytes ")?;
    range.split('-').next()?.trim().parse().ok()
}

/// `Link: <url>; rel="next"`, resolved against the page's own URL.
fn next_page_link(headers: &HeaderMap, base: &Url) -> Option<String> {
    let value = headers.get(header::LINK)?.to_str().ok()?;
    value.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_next = params.split(';').any(|p| {
            let p = p.trim().replace(' ', "");
            p == "rel=\"next\"" || p == "rel=next"
        });
        let target = target.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next
            .then(|| base.join(target).ok().map(|u| u.to_string()))
            .flatten()
    })
}

/// A transport error in words a user can act on, without the URL's query (signed URLs carry secrets).
pub fn describe_transport_error(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "connection failed"
    } else if err.is_body() || err.is_decode() {
        "connection dropped while reading"
    } else {
        "request failed"
    };
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(err);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_string()
    } else {
        format!("{kind} ({detail})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_header_next_page() {
        let base = Url::parse("http://h/api/models/o/n/tree/main?recursive=true").unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            header::LINK,
            HeaderValue::from_static("<http://h/api/x?cursor=abc>; rel=\"next\""),
        );
        assert_eq!(
            next_page_link(&h, &base).as_deref(),
            Some("http://h/api/x?cursor=abc")
        );
        h.insert(
            header::LINK,
            HeaderValue::from_static("</api/x?cursor=2>; rel=\"prev\""),
        );
        assert_eq!(next_page_link(&h, &base), None);
    }
}
