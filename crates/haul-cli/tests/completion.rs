//! Shell completion as a user meets it: the script `haul completion bash` prints is sourced into a
//! real bash, which must register it for `haul` (`complete -p`) and, driven the way bash drives it on
//! Tab, complete subcommands, options and the repository names of the local library. `--install` puts
//! the script where the user's shell looks, and a second run changes nothing.

use std::path::{Path, PathBuf};
use std::process::Output;

use fakehub::{CommitSpec, FakeHub, FileSpec, RepoSpec};

fn haul(home: &Path, hub_url: &str, args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_haul"));
    command
        .args(args)
        .env_clear()
        .env("PATH", path_with_haul())
        .env("HOME", home)
        .env("HF_HOME", home.join("hf"))
        .env("HAUL_HOME", home.join("haul"))
        .env("HF_ENDPOINT", hub_url)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent");
    command
}

/// PATH with this build's `haul` first, as an installed haul would be found.
fn path_with_haul() -> String {
    let bin = Path::new(env!("CARGO_BIN_EXE_haul")).parent().unwrap();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// What bash completes for `words` (the last one being completed), through the function
/// `complete -p haul` names, as bash calls it on Tab.
const DRIVER: &str = r#"
source "$1"
registered="$(complete -p haul)" || { echo "haul has no completion"; exit 3; }
echo "$registered"
function="$(sed -n 's/.*-F \([^ ]*\).*/\1/p' <<<"$registered")"
shift
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
"$function" haul "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf 'reply:%s\n' "${COMPREPLY[@]}"
"#;

fn complete(home: &Path, script: &Path, words: &[&str]) -> (String, Vec<String>) {
    let out = std::process::Command::new("bash")
        .args(["--norc", "--noprofile", "-c", DRIVER, "driver"])
        .arg(script)
        .args(words)
        .env_clear()
        .env("PATH", path_with_haul())
        .env("HOME", home)
        .env("HAUL_HOME", home.join("haul"))
        .output()
        .expect("bash is installed");
    let text = ok(out);
    let registered = text.lines().next().unwrap_or("").to_string();
    let replies = text
        .lines()
        .filter_map(|l| l.strip_prefix("reply:"))
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    (registered, replies)
}

// Blocking waits on child processes: the fakehub needs a worker thread of its own meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bash_completes_subcommands_options_and_library_repos() {
    let hub = FakeHub::builder()
        .repo(
            RepoSpec::model("org/alpha")
                .commit(CommitSpec::new().file("a.json", FileSpec::regular("{}\n"))),
        )
        .repo(
            RepoSpec::model("org/beta")
                .commit(CommitSpec::new().file("b.json", FileSpec::regular("{}\n"))),
        )
        .start()
        .await
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let url = hub.url();
    let script = home.join("haul.bash");
    std::fs::write(
        &script,
        ok(haul(home, &url, &["completion", "bash"]).output().unwrap()),
    )
    .unwrap();

    let (registered, replies) = complete(home, &script, &["haul", "dow"]);
    assert!(
        registered.starts_with("complete ") && registered.ends_with(" haul"),
        "{registered}"
    );
    assert_eq!(replies, ["download"]);
    let (_, replies) = complete(home, &script, &["haul", "doc"]);
    assert_eq!(replies, ["doctor"]);
    let (_, replies) = complete(home, &script, &["haul", "doctor", "--js"]);
    assert_eq!(replies, ["--json"]);
    let (_, replies) = complete(home, &script, &["haul", "completion", "f"]);
    assert_eq!(replies, ["fish"]);
    // Hidden helpers are not offered.
    let (_, replies) = complete(home, &script, &["haul", "__"]);
    assert!(replies.is_empty(), "{replies:?}");

    // An empty library: no repository to offer, and nothing breaks.
    let (_, replies) = complete(home, &script, &["haul", "show", "org/"]);
    assert!(replies.is_empty(), "{replies:?}");

    for repo in ["org/alpha", "org/beta"] {
        ok(haul(home, &url, &["download", repo, "-q"])
            .output()
            .unwrap());
    }
    let (_, replies) = complete(home, &script, &["haul", "show", ""]);
    assert_eq!(replies, ["org/alpha", "org/beta"]);
    let (_, replies) = complete(home, &script, &["haul", "verify", "org/b"]);
    assert_eq!(replies, ["org/beta"]);
    let (_, replies) = complete(
        home,
        &script,
        &["haul", "-v", "remove", "--dry-run", "org/a"],
    );
    assert_eq!(replies, ["org/alpha"]);
    // Not where the command expects something else: a revision, an option, a second argument.
    let (_, replies) = complete(home, &script, &["haul", "remove", "-r", "org/a"]);
    assert!(!replies.contains(&"org/alpha".to_string()), "{replies:?}");
    let (_, replies) = complete(home, &script, &["haul", "show", "--js"]);
    assert_eq!(replies, ["--json"]);
    let (_, replies) = complete(home, &script, &["haul", "show", "org/alpha", "org/"]);
    assert!(replies.is_empty(), "{replies:?}");
}

#[test]
fn install_writes_the_script_where_the_shell_looks_and_again_changes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let run = |shell: &str, args: &[&str]| {
        haul(home, "http://127.0.0.1:9", args)
            .env("SHELL", shell)
            .output()
            .unwrap()
    };
    let out = run("/bin/bash", &["completion", "--install"]);
    let path = PathBuf::from(ok(out).trim());
    assert_eq!(
        path,
        home.join(".local/share/bash-completion/completions/haul")
    );
    let script = ok(run("/bin/bash", &["completion", "bash"]));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), script);
    let again = run("/bin/bash", &["completion", "--install"]);
    let err = String::from_utf8_lossy(&again.stderr).into_owned();
    assert_eq!(PathBuf::from(ok(again).trim()), path);
    assert!(err.contains("Installed bash completions"), "{err}");
    let files: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(files, ["haul"], "one file, no leftovers");

    let fish = PathBuf::from(ok(run("/usr/bin/fish", &["completion", "--install"])).trim());
    assert_eq!(fish, home.join(".config/fish/completions/haul.fish"));
    assert!(
        std::fs::read_to_string(&fish)
            .unwrap()
            .contains("__complete-repos")
    );

    // PowerShell: the profile gains one line that loads the script, once.
    for _ in 0..2 {
        ok(run("/usr/bin/pwsh", &["completion", "--install"]));
    }
    let profile =
        std::fs::read_to_string(home.join(".config/powershell/Microsoft.PowerShell_profile.ps1"))
            .unwrap();
    assert_eq!(
        profile.matches("haul-completion.ps1").count(),
        1,
        "{profile}"
    );

    let unknown = run("/bin/tcsh", &["completion", "--install"]);
    assert_eq!(unknown.status.code(), Some(2));
    let err = String::from_utf8_lossy(&unknown.stderr).into_owned();
    assert!(
        err.contains("cannot tell your shell") && err.contains("tcsh"),
        "{err}"
    );
}
