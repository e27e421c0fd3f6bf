//! The token's round trip through a real Secret Service: gnome-keyring-daemon, unlocked with a
//! throwaway password inside the private D-Bus session that `scripts/with-keyring.sh` starts (no
//! mock store). Outside that script these tests fail on purpose and say how to run them.

use std::path::Path;
use std::time::{Duration, Instant};

use haul::auth::{TokenStore, resolve_token};
use haul::{Token, TokenSource};

/// Fails (never skips) unless the test runs inside `scripts/with-keyring.sh`.
fn require_keyring_session() {
    if std::env::var_os("HAUL_TEST_KEYRING").is_none() {
        panic!(
            "the keyring tests need a throwaway Secret Service: run them through the script that \
             starts one, e.g. `scripts/with-keyring.sh cargo test -p haul --test keyring` \
             (scripts/test.sh does this)"
        );
    }
}

/// An entry nobody else uses: each test run and each test gets its own account name.
fn store(test: &str) -> TokenStore {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    TokenStore::new(
        "haul-test",
        &format!("{test}-{}-{nanos}", std::process::id()),
    )
}

#[test]
fn round_trip_through_the_secret_service() {
    require_keyring_session();
    let store = store("round-trip");
    assert!(store.get().expect("keyring reachable").is_none());
    store.set(&Token::new("hf_first_secret").unwrap()).unwrap();
    assert_eq!(store.get().unwrap().unwrap().expose(), "hf_first_secret");
    // Setting again replaces the secret (one entry, not two).
    store.set(&Token::new("hf_second_secret").unwrap()).unwrap();
    assert_eq!(store.get().unwrap().unwrap().expose(), "hf_second_secret");

    // A second process (secret-tool, libsecret's client) sees the same item: it really is in the
    // Secret Service, under service "haul-test" and the entry's account.
    let lookup = std::process::Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            store.service(),
            "username",
            store.account(),
        ])
        .output()
        .expect("secret-tool (libsecret-tools) is installed by scripts/lib.sh");
    assert!(lookup.status.success(), "secret-tool lookup failed");
    assert_eq!(lookup.stdout, b"hf_second_secret");

    assert!(store.delete().unwrap(), "the entry existed");
    assert!(store.get().unwrap().is_none());
    assert!(!store.delete().unwrap(), "nothing left to delete");
}

#[test]
fn the_keyring_sits_between_the_environment_and_the_token_file() {
    require_keyring_session();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "hf_from_file").unwrap();
    let store = store("order");
    store.set(&Token::new("hf_from_keyring").unwrap()).unwrap();
    let pick = |explicit: Option<&str>, env: Option<&str>, path: &Path| {
        resolve_token(explicit, env, Some(&store), path).map(|(t, s)| (t.expose().to_string(), s))
    };
    assert_eq!(
        pick(Some("hf_explicit"), Some("hf_env"), &file),
        Some(("hf_explicit".into(), TokenSource::Explicit))
    );
    assert_eq!(
        pick(None, Some("hf_env"), &file),
        Some(("hf_env".into(), TokenSource::Environment))
    );
    assert_eq!(
        pick(None, None, &file),
        Some(("hf_from_keyring".into(), TokenSource::Keyring))
    );
    store.delete().unwrap();
    assert_eq!(
        pick(None, None, &file),
        Some(("hf_from_file".into(), TokenSource::TokenFile))
    );
}

#[test]
fn a_mirror_gets_its_own_entry() {
    require_keyring_session();
    let hub = TokenStore::for_endpoint(&"http://hub.haul-test.invalid:1".parse().unwrap());
    let mirror = TokenStore::for_endpoint(&"http://mirror.haul-test.invalid:1".parse().unwrap());
    hub.set(&Token::new("hf_hub").unwrap()).unwrap();
    mirror.set(&Token::new("hf_mirror").unwrap()).unwrap();
    let started = Instant::now();
    assert_eq!(hub.get().unwrap().unwrap().expose(), "hf_hub");
    assert_eq!(mirror.get().unwrap().unwrap().expose(), "hf_mirror");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "keyring reads are quick"
    );
    assert!(hub.delete().unwrap() && mirror.delete().unwrap());
}
