//! The `fakehub` binary: serves a manifest (or the demo set) until SIGTERM or Ctrl-C, after printing one JSON
//! line `{"hub": "...", "cdn": "..."}` so scripts know where to point `HF_ENDPOINT`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use fakehub::{FakeHub, FaultState, Manifest};

/// A loopback imitation of the Hugging Face Hub, with fault switches.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Port of the Hub listener (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Port of the CDN listener that serves LFS files (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    cdn_port: u16,
    /// JSON manifest of users and repos (format in the crate's README).
    #[arg(long, conflicts_with = "demo")]
    manifest: Option<PathBuf>,
    /// Serve the built-in demo repos.
    #[arg(long)]
    demo: bool,
    /// Tree listing page size.
    #[arg(long)]
    page_size: Option<usize>,
    /// Initial faults as FaultState JSON, e.g. '{"latency_ms": 50}'.
    #[arg(long)]
    faults: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let manifest = match (&args.manifest, args.demo) {
        (Some(path), _) => Manifest::load(path)?,
        (None, true) => Manifest::demo(),
        (None, false) => anyhow::bail!("give --manifest FILE.json or --demo"),
    };
    let mut builder = manifest
        .apply(FakeHub::builder())?
        .hub_port(args.port)
        .cdn_port(args.cdn_port);
    if let Some(n) = args.page_size {
        builder = builder.page_size(n);
    }
    if let Some(f) = &args.faults {
        let faults: FaultState = serde_json::from_str(f).context("reading --faults")?;
        builder = builder.faults(faults);
    }
    let hub = builder.start().await?;
    let line = serde_json::json!({ "hub": hub.url(), "cdn": hub.cdn_url() });
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()?;
    drop(out);

    wait_for_signal().await?;
    hub.shutdown().await;
    Ok(())
}

#[cfg(unix)]
async fn wait_for_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        _ = term.recv() => {}
        r = tokio::signal::ctrl_c() => r?,
    }
    Ok(())
}

#[cfg(not(unix))]
async fn wait_for_signal() -> anyhow::Result<()> {
    tokio::signal::ctrl_c().await?;
    Ok(())
}
