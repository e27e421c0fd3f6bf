//! `haul daemon`: the headless service — one per data dir, logging to a file, stopping cleanly on
//! SIGTERM — and `--install-user-unit` for systemd.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use haul::Haul;
use haul::service::Service;

use crate::cli::DaemonArgs;

/// The systemd user unit for the `haul` at `exe`.
fn unit_text(exe: &Path) -> String {
    format!(
        "[Unit]\nDescription=Haul: scheduled Hugging Face downloads\nAfter=network-online.target\n\n\
         [Service]\nType=simple\nExecStart={} daemon\nRestart=on-failure\nRestartSec=10\nKillSignal=SIGTERM\nTimeoutStopSec=30\n\n\
         [Install]\nWantedBy=default.target\n",
        exe.display()
    )
}

fn user_unit_path() -> Option<PathBuf> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("systemd/user/haul.service"))
}

fn install_unit() -> Result<(), haul::Error> {
    let fail = |what: String| haul::Error::from(haul::service::ServiceError::Install(what));
    let exe = std::env::current_exe()
        .map_err(|e| fail(format!("cannot tell where this haul is: {e}")))?;
    let path = user_unit_path()
        .ok_or_else(|| fail("no HOME or XDG_CONFIG_HOME to put the unit in".into()))?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| fail(format!("cannot create {}: {e}", parent.display())))?;
    }
    std::fs::write(&path, unit_text(&exe))
        .map_err(|e| fail(format!("cannot write {}: {e}", path.display())))?;
    println!("{}", path.display());
    eprintln!(
        "Wrote the unit. Enable it with:\n  systemctl --user daemon-reload\n  systemctl --user enable --now haul"
    );
    Ok(())
}

pub async fn run(haul: Haul, args: DaemonArgs) -> Result<(), haul::Error> {
    if args.install_user_unit {
        return install_unit();
    }
    let service = Service::start(Arc::new(haul))?;
    tracing::info!(lock = %service.lock_path().display(), "Haul service started");
    eprintln!(
        "Haul service running (pid {}); stop it with SIGTERM or Ctrl-C.",
        std::process::id()
    );
    service.run(shutdown_signal()).await?;
    tracing::info!("Haul service stopped");
    Ok(())
}

/// Resolves on SIGTERM or SIGINT.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_unit_runs_this_haul() {
        let text = super::unit_text(std::path::Path::new("/opt/haul/bin/haul"));
        assert!(text.contains("ExecStart=/opt/haul/bin/haul daemon"));
        assert!(text.contains("WantedBy=default.target"));
    }
}
