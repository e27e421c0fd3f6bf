//! Starting and stopping the two listeners (Hub and CDN), the state they share, and the handle tests hold.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::content::FileSpec;
use crate::faults::{FaultState, Faults};
use crate::record::{RequestLog, SeenRequest};
use crate::repo::{Repo, RepoSpec, RepoType};

/// State both listeners read.
pub(crate) struct Shared {
    pub repos: RwLock<BTreeMap<(RepoType, String), Repo>>,
    /// token → user name
    pub users: HashMap<String, String>,
    pub page_size: usize,
    pub faults: Arc<Faults>,
    pub log: RequestLog,
    pub hub_url: String,
    pub cdn_url: String,
    /// Blobs the Hub has redirected to, by sha256: the CDN serves only what it was pointed at.
    pub cdn_blobs: Mutex<HashMap<String, FileSpec>>,
}

impl Shared {
    pub fn repos_read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<(RepoType, String), Repo>> {
        // The map is only ever replaced entry by entry; a panicked writer leaves it usable.
        self.repos.read().unwrap_or_else(|e| e.into_inner())
    }

    fn repos_write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<(RepoType, String), Repo>> {
        self.repos.write().unwrap_or_else(|e| e.into_inner())
    }

    pub fn user_for_token(&self, token: &str) -> Option<&str> {
        self.users.get(token).map(String::as_str)
    }
}

/// Entry point: `FakeHub::builder()…start().await`.
#[derive(Debug)]
pub struct FakeHub(());

impl FakeHub {
    pub fn builder() -> HubBuilder {
        HubBuilder::default()
    }
}

/// Describes a hub before it starts.
#[derive(Debug)]
pub struct HubBuilder {
    repos: Vec<RepoSpec>,
    users: Vec<(String, String)>,
    page_size: usize,
    faults: FaultState,
    hub_port: u16,
    cdn_port: u16,
}

impl Default for HubBuilder {
    fn default() -> Self {
        HubBuilder {
            repos: Vec::new(),
            users: Vec::new(),
            page_size: 1000,
            faults: FaultState::default(),
            hub_port: 0,
            cdn_port: 0,
        }
    }
}

impl HubBuilder {
    pub fn repo(mut self, r: RepoSpec) -> Self {
        self.repos.push(r);
        self
    }

    /// A valid token and the user it belongs to.
    pub fn user(mut self, name: &str, token: &str) -> Self {
        self.users.push((name.to_string(), token.to_string()));
        self
    }

    /// Entries per page of a tree listing (1000 by default, at most 50 with `expand=true` as on the Hub).
    pub fn page_size(mut self, n: usize) -> Self {
        self.page_size = n.max(1);
        self
    }

    /// Faults in force from the first request.
    pub fn faults(mut self, f: FaultState) -> Self {
        self.faults = f;
        self
    }

    /// Port of the Hub listener (0, the default, picks a free one).
    pub fn hub_port(mut self, port: u16) -> Self {
        self.hub_port = port;
        self
    }

    /// Port of the CDN listener (0, the default, picks a free one).
    pub fn cdn_port(mut self, port: u16) -> Self {
        self.cdn_port = port;
        self
    }

    /// Binds both listeners on 127.0.0.1 and serves them on the current tokio runtime.
    pub async fn start(self) -> anyhow::Result<RunningHub> {
        let mut repos = BTreeMap::new();
        for spec in self.repos {
            let repo = Repo::from_spec(spec)?;
            let key = (repo.repo_type, repo.id.clone());
            if repos.contains_key(&key) {
                anyhow::bail!(
                    "{} {} is described twice",
                    repo.repo_type.singular(),
                    repo.id
                );
            }
            repos.insert(key, repo);
        }
        let hub = TcpListener::bind(("127.0.0.1", self.hub_port)).await?;
        let cdn = TcpListener::bind(("127.0.0.1", self.cdn_port)).await?;
        let shared = Arc::new(Shared {
            repos: RwLock::new(repos),
            users: self.users.into_iter().map(|(n, t)| (t, n)).collect(),
            page_size: self.page_size,
            faults: Arc::new(Faults::new(self.faults)),
            log: RequestLog::default(),
            hub_url: format!("http://{}", hub.local_addr()?),
            cdn_url: format!("http://{}", cdn.local_addr()?),
            cdn_blobs: Mutex::new(HashMap::new()),
        });
        let (stop, stopped) = watch::channel(false);
        let tasks = vec![
            tokio::spawn(serve(
                hub,
                crate::api::router(shared.clone()),
                stopped.clone(),
            )),
            tokio::spawn(serve(cdn, crate::cdn::router(shared.clone()), stopped)),
        ];
        Ok(RunningHub {
            inner: Arc::new(Inner {
                shared,
                stop,
                tasks: Mutex::new(tasks),
            }),
        })
    }
}

/// Accepts connections until told to stop, then drops every open connection at once: a graceful shutdown
/// would wait forever on a stalled body.
async fn serve(listener: TcpListener, app: Router, mut stop: watch::Receiver<bool>) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    break;
                }
            }
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of descriptors or similar: give the process a moment instead of spinning.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let service = TowerToHyperService::new(app.clone());
                conns.spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    conns.shutdown().await;
}

struct Inner {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

/// A running hub. Clones share it; it stops when the last clone is dropped, or at `shutdown()`.
#[derive(Clone)]
pub struct RunningHub {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for RunningHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningHub")
            .field("url", &self.url())
            .field("cdn_url", &self.cdn_url())
            .finish()
    }
}

impl RunningHub {
    fn shared(&self) -> &Shared {
        &self.inner.shared
    }

    /// `http://127.0.0.1:PORT`, no trailing slash: what `HF_ENDPOINT` should be.
    pub fn url(&self) -> String {
        self.shared().hub_url.clone()
    }

    pub fn cdn_url(&self) -> String {
        self.shared().cdn_url.clone()
    }

    pub fn faults(&self) -> &Faults {
        &self.shared().faults
    }

    /// Everything both listeners saw, in order (admin requests excepted).
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.shared().log.all()
    }

    pub fn clear_requests(&self) {
        self.shared().log.clear()
    }

    /// The 40-hex id of a repo's commit number `commit_index` (0 is the oldest).
    ///
    /// # Panics
    /// If there is no such repo or commit: a mistake in the test itself.
    pub fn commit_sha(&self, repo_type: RepoType, repo_id: &str, commit_index: usize) -> String {
        let repos = self.shared().repos_read();
        let repo = repos
            .get(&(repo_type, repo_id.to_string()))
            .unwrap_or_else(|| panic!("no {} {repo_id} on this hub", repo_type.singular()));
        repo.commits
            .get(commit_index)
            .unwrap_or_else(|| panic!("{repo_id} has no commit {commit_index}"))
            .sha
            .clone()
    }

    /// Adds a commit on top of `branch` (created from main's head if it does not exist yet) with `changed`
    /// files added or replaced and `removed` paths deleted, moves the branch to it and returns its id.
    ///
    /// # Panics
    /// If there is no such repo: a mistake in the test itself.
    pub fn add_commit(
        &self,
        repo_type: RepoType,
        repo_id: &str,
        branch: &str,
        changed: Vec<(String, FileSpec)>,
        removed: Vec<String>,
    ) -> String {
        let mut repos = self.shared().repos_write();
        let repo = repos
            .get_mut(&(repo_type, repo_id.to_string()))
            .unwrap_or_else(|| panic!("no {} {repo_id} on this hub", repo_type.singular()));
        let base = repo
            .branches
            .get(branch)
            .or_else(|| repo.branches.get("main"))
            .copied()
            .unwrap_or(repo.commits.len() - 1);
        let mut files = (*repo.commits[base].files).clone();
        for path in &removed {
            files.remove(path);
        }
        for (path, spec) in changed {
            files.insert(path, spec);
        }
        let index = repo.push_commit(files, Some(format!("update {branch}")));
        repo.branches.insert(branch.to_string(), index);
        repo.commits[index].sha.clone()
    }

    /// Stops both listeners and closes every open connection.
    pub async fn shutdown(self) {
        self.inner.stop.send_replace(true);
        let tasks =
            std::mem::take(&mut *self.inner.tasks.lock().unwrap_or_else(|e| e.into_inner()));
        for t in tasks {
            let _ = t.await;
        }
    }
}
