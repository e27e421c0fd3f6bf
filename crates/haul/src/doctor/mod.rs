//! `doctor`: checks of everything Haul depends on — the endpoint, the token, the keyring, the cache
//! folder and its disk, leftovers, the database, the desktop services, versions — each ending in
//! OK, WARNING or ERROR with one line saying how to fix it. Faces only render the [`Report`].
//!
//! No check changes anything, and no request goes anywhere but the configured endpoint.

mod database;
mod desktop;
mod hub;
mod keyring;
mod storage;

use crate::units::bytes;
use serde::Serialize;

use crate::config::Config;

/// How a check came out, from best to worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Warning,
    Error,
}

impl Status {
    /// `OK`, `WARNING`, `ERROR`.
    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Warning => "WARNING",
            Status::Error => "ERROR",
        }
    }
}

/// One check's outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    /// A stable identifier: `endpoint`, `token`, `keyring`, `cache_dir`, `free_space`,
    /// `partial_files`, `database`, `notifications`, `tray`, `versions`.
    pub name: &'static str,
    pub status: Status,
    /// What was found, in one line.
    pub detail: String,
    /// What to do about it, in one line; `None` when there is nothing to do.
    pub fix: Option<String>,
}

impl Check {
    pub fn ok(name: &'static str, detail: impl Into<String>) -> Check {
        Check {
            name,
            status: Status::Ok,
            detail: detail.into(),
            fix: None,
        }
    }

    pub fn warning(name: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            name,
            status: Status::Warning,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }

    pub fn error(name: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            name,
            status: Status::Error,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }
}

/// Every check, in the order they ran.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub checks: Vec<Check>,
}

impl Report {
    /// The worst status of all checks (`Ok` when there are none).
    pub fn worst(&self) -> Status {
        self.checks
            .iter()
            .map(|c| c.status)
            .max()
            .unwrap_or(Status::Ok)
    }

    /// The process exit code doctor's faces use: 0 all OK, 1 warnings, 2 errors.
    pub fn exit_code(&self) -> u8 {
        match self.worst() {
            Status::Ok => 0,
            Status::Warning => 1,
            Status::Error => 2,
        }
    }

    pub fn get(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }
}

/// What the face knows that the configuration does not: the token given on its command line, and
/// `HF_TOKEN` as the face read it.
#[derive(Clone, Copy, Debug, Default)]
pub struct DoctorOptions<'a> {
    pub explicit_token: Option<&'a str>,
    pub env_token: Option<&'a str>,
}

/// Runs every check. Never fails: a check that cannot run says so in its own line.
pub async fn run(config: &Config, options: DoctorOptions<'_>) -> Report {
    let mut checks = vec![versions()];
    let endpoint = hub::endpoint(config).await;
    let hub_answers = endpoint.status == Status::Ok;
    checks.push(endpoint);
    checks.push(hub::token(config, options, hub_answers).await);
    checks.push(keyring::keyring(config).await);
    checks.extend(storage::checks(config).await);
    checks.push(database::database(config).await);
    checks.extend(desktop::checks().await);
    Report { checks }
}

fn versions() -> Check {
    let schema = crate::registry::MIGRATOR
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0);
    Check::ok(
        "versions",
        format!(
            "haul {}, database schema {schema}, {} {}",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS,
            std::env::consts::ARCH
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_check_sets_the_exit_code() {
        let mut report = Report {
            checks: vec![Check::ok("a", "fine")],
        };
        assert_eq!(report.exit_code(), 0);
        report.checks.push(Check::warning("b", "meh", "do x"));
        assert_eq!((report.worst(), report.exit_code()), (Status::Warning, 1));
        report.checks.push(Check::error("c", "bad", "do y"));
        report.checks.push(Check::ok("d", "fine"));
        assert_eq!((report.worst(), report.exit_code()), (Status::Error, 2));
        assert_eq!(report.get("b").map(|c| c.status), Some(Status::Warning));
        let json = serde_json::to_value(&report.checks[1]).unwrap();
        assert_eq!(json["status"], "warning");
        assert_eq!(json["fix"], "do x");
    }

    #[test]
    fn sizes_read_at_a_glance() {
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(3 * 1024 * 1024 * 1024 / 2), "1.5 GiB");
    }
}
