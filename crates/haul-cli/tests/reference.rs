//! docs/cli-reference.md is what `haul __reference` prints from the clap definition: this fails when a
//! help text changed and the committed file did not. `HAUL_UPDATE_DOCS=1 cargo test -p haul-cli
//! --test reference` rewrites it.

use std::path::Path;

#[test]
fn the_committed_cli_reference_is_current() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_haul"))
        .arg("__reference")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .expect("run haul __reference");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let want = String::from_utf8(out.stdout).expect("UTF-8");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/cli-reference.md");
    if std::env::var_os("HAUL_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).expect("write docs/cli-reference.md");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/cli-reference.md is stale: run `HAUL_UPDATE_DOCS=1 cargo test -p haul-cli --test reference` and commit it"
    );
}

#[test]
fn every_binary_answers_version() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_haul"))
        .arg("--version")
        .output()
        .expect("run haul --version");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("haul {}", env!("CARGO_PKG_VERSION"))
    );
}
