//! Repositories: how tests describe them (`RepoSpec`, `CommitSpec`) and the live state the server reads
//! (commits with their ids, branches, tags, pull requests), including revision lookup.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

use crate::content::FileSpec;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RepoType {
    Model,
    Dataset,
    Space,
}

impl RepoType {
    /// The word in `/api/{plural}/…`.
    pub fn plural(self) -> &'static str {
        match self {
            RepoType::Model => "models",
            RepoType::Dataset => "datasets",
            RepoType::Space => "spaces",
        }
    }

    /// What precedes the repo id in resolve URLs and web pages.
    pub fn url_prefix(self) -> &'static str {
        match self {
            RepoType::Model => "",
            RepoType::Dataset => "datasets/",
            RepoType::Space => "spaces/",
        }
    }

    pub fn singular(self) -> &'static str {
        match self {
            RepoType::Model => "model",
            RepoType::Dataset => "dataset",
            RepoType::Space => "space",
        }
    }

    pub(crate) fn from_plural(s: &str) -> Option<Self> {
        match s {
            "models" => Some(RepoType::Model),
            "datasets" => Some(RepoType::Dataset),
            "spaces" => Some(RepoType::Space),
            _ => None,
        }
    }
}

/// How access to a gated repo is granted; either way only approved users may download.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gate {
    Auto,
    Manual,
}

impl Gate {
    pub fn as_str(self) -> &'static str {
        match self {
            Gate::Auto => "auto",
            Gate::Manual => "manual",
        }
    }
}

/// A full snapshot of the files at one commit.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CommitSpec {
    pub(crate) files: BTreeMap<String, FileSpec>,
    pub(crate) message: Option<String>,
}

impl CommitSpec {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn file(mut self, path: &str, spec: FileSpec) -> Self {
        self.files.insert(path.to_string(), spec);
        self
    }

    pub fn message(mut self, m: &str) -> Self {
        self.message = Some(m.to_string());
        self
    }
}

/// A repository as a test describes it; turned into live state when the hub starts.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RepoSpec {
    pub(crate) repo_type: RepoType,
    pub(crate) id: String,
    pub(crate) commits: Vec<CommitSpec>,
    pub(crate) branches: Vec<(String, usize)>,
    pub(crate) tags: Vec<(String, usize)>,
    pub(crate) prs: Vec<(u32, usize)>,
    pub(crate) private_owner: Option<String>,
    pub(crate) gate: Option<Gate>,
    pub(crate) approved: Vec<String>,
}

impl RepoSpec {
    fn new(repo_type: RepoType, id: &str) -> Self {
        RepoSpec {
            repo_type,
            id: id.to_string(),
            commits: Vec::new(),
            branches: Vec::new(),
            tags: Vec::new(),
            prs: Vec::new(),
            private_owner: None,
            gate: None,
            approved: Vec::new(),
        }
    }

    pub fn model(id: &str) -> Self {
        Self::new(RepoType::Model, id)
    }

    pub fn dataset(id: &str) -> Self {
        Self::new(RepoType::Dataset, id)
    }

    pub fn space(id: &str) -> Self {
        Self::new(RepoType::Space, id)
    }

    /// Commits come in order, oldest first; "main" points at the last one unless set with `branch`.
    pub fn commit(mut self, c: CommitSpec) -> Self {
        self.commits.push(c);
        self
    }

    pub fn branch(mut self, name: &str, commit_index: usize) -> Self {
        self.branches.push((name.to_string(), commit_index));
        self
    }

    pub fn tag(mut self, name: &str, commit_index: usize) -> Self {
        self.tags.push((name.to_string(), commit_index));
        self
    }

    /// `refs/pr/{number}`.
    pub fn pr(mut self, number: u32, commit_index: usize) -> Self {
        self.prs.push((number, commit_index));
        self
    }

    /// Readable only with a token of `owner`; to everyone else it looks exactly like a missing repo.
    pub fn private(mut self, owner: &str) -> Self {
        self.private_owner = Some(owner.to_string());
        self
    }

    pub fn gated(mut self, gate: Gate) -> Self {
        self.gate = Some(gate);
        self
    }

    /// `user` may download from this gated repo.
    pub fn approve(mut self, user: &str) -> Self {
        self.approved.push(user.to_string());
        self
    }
}

/// One commit of a live repo.
#[derive(Clone, Debug)]
pub struct Commit {
    pub sha: String,
    pub index: usize,
    pub message: String,
    /// ISO 8601; one day apart per commit so ordering by date matches ordering by index.
    pub date: String,
    pub files: Arc<BTreeMap<String, FileSpec>>,
}

/// A repo as the server holds it.
#[derive(Clone, Debug)]
pub struct Repo {
    pub repo_type: RepoType,
    pub id: String,
    pub commits: Vec<Commit>,
    pub branches: BTreeMap<String, usize>,
    pub tags: BTreeMap<String, usize>,
    pub prs: BTreeMap<u32, usize>,
    pub private_owner: Option<String>,
    pub gate: Option<Gate>,
    pub approved: Vec<String>,
}

impl Repo {
    pub fn from_spec(spec: RepoSpec) -> anyhow::Result<Repo> {
        if spec.id.is_empty()
            || spec.id.split('/').count() > 2
            || spec.id.split('/').any(str::is_empty)
        {
            anyhow::bail!("repo id {:?} must be \"name\" or \"org/name\"", spec.id);
        }
        let mut repo = Repo {
            repo_type: spec.repo_type,
            id: spec.id,
            commits: Vec::new(),
            branches: BTreeMap::new(),
            tags: BTreeMap::new(),
            prs: BTreeMap::new(),
            private_owner: spec.private_owner,
            gate: spec.gate,
            approved: spec.approved,
        };
        let mut commits = spec.commits;
        if commits.is_empty() {
            commits.push(CommitSpec::new().message("initial commit"));
        }
        for c in commits {
            repo.push_commit(c.files, c.message);
        }
        let last = repo.commits.len() - 1;
        repo.branches.insert("main".to_string(), last);
        let check = |what: &str, index: usize| -> anyhow::Result<usize> {
            if index > last {
                anyhow::bail!(
                    "{} {}: {what} points at commit {index}, but it has {} commits",
                    repo.repo_type.singular(),
                    repo.id,
                    last + 1
                );
            }
            Ok(index)
        };
        let mut branches = BTreeMap::new();
        for (name, i) in spec.branches {
            branches.insert(name.clone(), check(&format!("branch {name}"), i)?);
        }
        let mut tags = BTreeMap::new();
        for (name, i) in spec.tags {
            tags.insert(name.clone(), check(&format!("tag {name}"), i)?);
        }
        let mut prs = BTreeMap::new();
        for (n, i) in spec.prs {
            prs.insert(n, check(&format!("refs/pr/{n}"), i)?);
        }
        repo.branches.extend(branches);
        repo.tags = tags;
        repo.prs = prs;
        Ok(repo)
    }

    /// Appends a commit holding `files` and returns its index.
    pub fn push_commit(
        &mut self,
        files: BTreeMap<String, FileSpec>,
        message: Option<String>,
    ) -> usize {
        let index = self.commits.len();
        let parent = self.commits.last().map(|c| c.sha.as_str()).unwrap_or("");
        let mut h = Sha1::new();
        h.update(format!(
            "{}\0{}\0{index}\0{parent}\0",
            self.repo_type.singular(),
            self.id
        ));
        for (path, f) in &files {
            h.update(format!("{path}\0{}\0", f.identity()));
        }
        let sha = hex::encode(h.finalize());
        // A fixed epoch keeps listings byte-identical between runs.
        let date = format!(
            "2024-{:02}-{:02}T12:00:00.000Z",
            1 + (index / 28) % 12,
            1 + index % 28
        );
        self.commits.push(Commit {
            sha,
            index,
            message: message.unwrap_or_else(|| format!("commit {index}")),
            date,
            files: Arc::new(files),
        });
        index
    }

    /// Finds the commit a revision names: a branch, a tag, `refs/pr/N`, or a commit id (or a unique prefix of at
    /// least 7 hex digits).
    pub fn resolve(&self, rev: &str) -> Option<&Commit> {
        let index = if let Some(&i) = self.branches.get(rev) {
            Some(i)
        } else if let Some(&i) = self.tags.get(rev) {
            Some(i)
        } else if let Some(&i) = rev
            .strip_prefix("refs/heads/")
            .and_then(|b| self.branches.get(b))
        {
            Some(i)
        } else if let Some(&i) = rev
            .strip_prefix("refs/tags/")
            .and_then(|t| self.tags.get(t))
        {
            Some(i)
        } else if let Some(&i) = rev
            .strip_prefix("refs/pr/")
            .and_then(|n| n.parse::<u32>().ok())
            .and_then(|n| self.prs.get(&n))
        {
            Some(i)
        } else if rev.len() >= 7 && rev.len() <= 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()) {
            let rev = rev.to_ascii_lowercase();
            let mut found = self.commits.iter().filter(|c| c.sha.starts_with(&rev));
            match (found.next(), found.next()) {
                (Some(c), None) => Some(c.index),
                _ => None,
            }
        } else {
            None
        };
        index.and_then(|i| self.commits.get(i))
    }

    /// The latest commit at or before `upto` that changed `path`: what `expand=true` reports as lastCommit.
    pub fn last_change(&self, upto: usize, path: &str) -> Option<&Commit> {
        let mut last = None;
        let mut prev: Option<&FileSpec> = None;
        for c in self.commits.iter().take(upto + 1) {
            let cur = c.files.get(path);
            let changed = match (prev, cur) {
                (Some(a), Some(b)) => a.identity() != b.identity(),
                (None, Some(_)) => true,
                _ => false,
            };
            if changed {
                last = Some(c);
            }
            prev = cur;
        }
        last
    }

    pub fn may_read(&self, user: Option<&str>) -> bool {
        match &self.private_owner {
            None => true,
            Some(owner) => user == Some(owner.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> Repo {
        Repo::from_spec(
            RepoSpec::model("org/m")
                .commit(CommitSpec::new().file("a", FileSpec::regular("1")))
                .commit(CommitSpec::new().file("a", FileSpec::regular("2")))
                .tag("v1", 0)
                .pr(3, 0),
        )
        .expect("valid spec")
    }

    #[test]
    fn revisions_resolve() {
        let r = repo();
        let first = r.commits[0].sha.clone();
        assert_eq!(r.resolve("main").map(|c| c.index), Some(1));
        assert_eq!(r.resolve("v1").map(|c| c.index), Some(0));
        assert_eq!(r.resolve("refs/pr/3").map(|c| c.index), Some(0));
        assert_eq!(r.resolve(&first).map(|c| c.index), Some(0));
        assert_eq!(r.resolve(&first[..10]).map(|c| c.index), Some(0));
        assert!(r.resolve("refs/pr/4").is_none());
        assert!(r.resolve("nope").is_none());
    }

    #[test]
    fn commit_ids_are_deterministic_and_distinct() {
        let (a, b) = (repo(), repo());
        assert_eq!(a.commits[1].sha, b.commits[1].sha);
        assert_ne!(a.commits[0].sha, a.commits[1].sha);
        assert_eq!(a.commits[0].sha.len(), 40);
    }

    #[test]
    fn out_of_range_refs_are_refused() {
        let spec = RepoSpec::model("m").commit(CommitSpec::new()).tag("v", 3);
        assert!(Repo::from_spec(spec).is_err());
    }
}
