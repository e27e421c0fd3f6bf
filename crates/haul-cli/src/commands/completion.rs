//! `haul completion bash|zsh|fish|powershell [--install]`: the shell's completion script, generated
//! from the command line's definition; for bash, zsh and fish it also completes the repository names
//! of the local library (through the hidden `haul __complete-repos`). `--install` writes it where the
//! user's shell (`$SHELL`) looks for completions, and says where.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell as ClapShell;

use crate::cli::{Cli, CompletionArgs, CompletionShell};

/// The subcommands whose first argument is a repository of the library.
const REPO_COMMANDS: &str = "show remove verify outdated update";
/// Options that take a value, so the word after one is not the repository.
const VALUE_OPTIONS: &str = "--repo-type|-r|--revision|--cache-dir|--endpoint|--log-format";

fn unknown_shell(shell: Option<String>) -> anyhow::Error {
    anyhow::anyhow!(
        "cannot tell your shell: SHELL is {shell:?}; name it: `haul completion bash|zsh|fish|powershell --install`"
    )
}

pub fn run(args: &CompletionArgs) -> anyhow::Result<()> {
    if !args.install {
        let shell = args.shell.ok_or_else(|| unknown_shell(None))?;
        print!("{}", script(shell));
        return Ok(());
    }
    let shell = match args.shell {
        Some(shell) => shell,
        None => detect()?,
    };
    let home = var("HOME").map(PathBuf::from).ok_or_else(|| {
        anyhow::anyhow!("no HOME to install the completion script under: set HOME")
    })?;
    let target = install_path(shell, &home);
    write(&target.script, &script(shell))?;
    if let Some(profile) = &target.profile {
        add_line(profile, &target.profile_line)?;
    }
    println!("{}", target.script.display());
    eprintln!("Installed {} completions. {}", shell.name(), target.note);
    Ok(())
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The shell named by `$SHELL`.
fn detect() -> anyhow::Result<CompletionShell> {
    let shell = var("SHELL");
    let name = shell
        .as_deref()
        .and_then(|s| Path::new(s).file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("");
    match name {
        "bash" => Ok(CompletionShell::Bash),
        "zsh" => Ok(CompletionShell::Zsh),
        "fish" => Ok(CompletionShell::Fish),
        "pwsh" | "powershell" => Ok(CompletionShell::Powershell),
        _ => Err(unknown_shell(shell)),
    }
}

/// Where a shell's completion goes, and what (if anything) must load it.
struct Target {
    script: PathBuf,
    /// A startup file that must source the script (PowerShell), with the line that does.
    profile: Option<PathBuf>,
    profile_line: String,
    note: String,
}

fn install_path(shell: CompletionShell, home: &Path) -> Target {
    let data = var("XDG_DATA_HOME").map_or_else(|| home.join(".local/share"), PathBuf::from);
    let config = var("XDG_CONFIG_HOME").map_or_else(|| home.join(".config"), PathBuf::from);
    match shell {
        // bash-completion loads completions/<command> on first use.
        CompletionShell::Bash => Target {
            script: data.join("bash-completion/completions/haul"),
            profile: None,
            profile_line: String::new(),
            note: "New bash sessions load it (with the bash-completion package).".into(),
        },
        CompletionShell::Zsh => {
            let dir = var("ZDOTDIR").map_or_else(|| home.to_path_buf(), PathBuf::from);
            let funcs = dir.join(".zfunc");
            Target {
                script: funcs.join("_haul"),
                profile: None,
                profile_line: String::new(),
                note: format!(
                    "If {} is not in your fpath yet, add `fpath+=({})` before `compinit` in your .zshrc.",
                    funcs.display(),
                    funcs.display()
                ),
            }
        }
        CompletionShell::Fish => Target {
            script: config.join("fish/completions/haul.fish"),
            profile: None,
            profile_line: String::new(),
            note: "New fish sessions load it.".into(),
        },
        CompletionShell::Powershell => {
            let script = config.join("powershell/haul-completion.ps1");
            Target {
                profile_line: format!(". '{}'", script.display()),
                profile: Some(config.join("powershell/Microsoft.PowerShell_profile.ps1")),
                script,
                note: "Your PowerShell profile now loads it.".into(),
            }
        }
    }
}

/// Replaces `path` with `text` (through a temporary file, so a shell never reads half a script).
fn write(path: &Path, text: &str) -> anyhow::Result<()> {
    let fail = |e: std::io::Error| anyhow::anyhow!("cannot write {}: {e}", path.display());
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let temp = path.with_extension("haul-tmp");
    std::fs::write(&temp, text).map_err(fail)?;
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        fail(e)
    })
}

/// Appends `line` to `path` unless it is already there.
fn add_line(path: &Path, line: &str) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    if text.lines().any(|l| l.trim() == line) {
        return Ok(());
    }
    let mut new = text;
    if !new.is_empty() && !new.ends_with('\n') {
        new.push('\n');
    }
    new.push_str(line);
    new.push('\n');
    write(path, &new)
}

/// The whole completion script for `shell`.
pub fn script(shell: CompletionShell) -> String {
    let mut command = visible_command();
    let mut out = Vec::new();
    let clap_shell = match shell {
        CompletionShell::Bash => ClapShell::Bash,
        CompletionShell::Zsh => ClapShell::Zsh,
        CompletionShell::Fish => ClapShell::Fish,
        CompletionShell::Powershell => ClapShell::PowerShell,
    };
    clap_complete::generate(clap_shell, &mut command, "haul", &mut out);
    let generated = String::from_utf8_lossy(&out).into_owned();
    match shell {
        CompletionShell::Bash => generated + &bash_repos(),
        CompletionShell::Zsh => zsh_repos(generated),
        CompletionShell::Fish => generated + &fish_repos(),
        CompletionShell::Powershell => generated,
    }
}

/// The command line without its hidden subcommands (some generators would offer them).
fn visible_command() -> clap::Command {
    let full = Cli::command();
    let mut command = clap::Command::new("haul").version(env!("CARGO_PKG_VERSION"));
    for arg in full.get_arguments() {
        command = command.arg(arg.clone());
    }
    for sub in full.get_subcommands().filter(|s| !s.is_hide_set()) {
        command = command.subcommand(sub.clone());
    }
    command
}

/// Wraps the generated `_haul`: where a repository is expected, offer the library's repositories.
fn bash_repos() -> String {
    format!(
        r#"
# Repository names from Haul's library where a command expects one (`haul __complete-repos`).
_haul_with_repos() {{
    local i sub="" n=0
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${{COMP_WORDS[i]}}" in
            {VALUE_OPTIONS}) ((i++)) ;;
            -*) ;;
            *) sub="${{COMP_WORDS[i]}}"; break ;;
        esac
    done
    case " {REPO_COMMANDS} " in
        *" $sub "*)
            local j
            for ((j = i + 1; j < COMP_CWORD; j++)); do
                case "${{COMP_WORDS[j]}}" in
                    {VALUE_OPTIONS}) ((j++)) ;;
                    -*) ;;
                    *) ((n++)) ;;
                esac
            done
            case "$prev" in {VALUE_OPTIONS}) n=1 ;; esac
            if [[ -n "$sub" && $n -eq 0 && "$cur" != -* ]]; then
                mapfile -t COMPREPLY < <(compgen -W "$("${{COMP_WORDS[0]}}" __complete-repos 2>/dev/null)" -- "$cur")
                if [[ ${{#COMPREPLY[@]}} -gt 0 ]]; then
                    return 0
                fi
            fi
            ;;
    esac
    _haul "$@"
}}
if [[ "${{BASH_VERSINFO[0]}}" -eq 4 && "${{BASH_VERSINFO[1]}}" -ge 4 || "${{BASH_VERSINFO[0]}}" -gt 4 ]]; then
    complete -F _haul_with_repos -o nosort -o bashdefault -o default haul
else
    complete -F _haul_with_repos -o bashdefault -o default haul
fi
"#
    )
}

/// zsh: the same wrapper, made the function that `compdef` (or autoloading `_haul`) runs.
fn zsh_repos(generated: String) -> String {
    const CALL: &str = "if [ \"$funcstack[1]\" = \"_haul\" ]; then\n    _haul \"$@\"\nelse\n    compdef _haul haul\nfi";
    let Some(at) = generated.rfind(CALL) else {
        return generated;
    };
    let wrapper = format!(
        r#"# Repository names from Haul's library where a command expects one (`haul __complete-repos`).
_haul_with_repos() {{
    local i sub="" n=0 j
    for ((i = 2; i < CURRENT; i++)); do
        case $words[i] in
            {VALUE_OPTIONS}) ((i++)) ;;
            -*) ;;
            *) sub=$words[i]; break ;;
        esac
    done
    if [[ -n $sub && " {REPO_COMMANDS} " == *" $sub "* ]]; then
        for ((j = i + 1; j < CURRENT; j++)); do
            case $words[j] in
                {VALUE_OPTIONS}) ((j++)) ;;
                -*) ;;
                *) ((n++)) ;;
            esac
        done
        case $words[CURRENT-1] in {VALUE_OPTIONS}) n=1 ;; esac
        if (( n == 0 )) && [[ $words[CURRENT] != -* ]]; then
            local -a repos
            repos=(${{(f)"$($words[1] __complete-repos 2>/dev/null)"}})
            if (( $#repos )); then
                compadd -a repos
                return
            fi
        fi
    fi
    _haul "$@"
}}

if [ "$funcstack[1]" = "_haul" ]; then
    _haul_with_repos "$@"
else
    compdef _haul_with_repos haul
fi"#
    );
    let mut out = generated;
    out.replace_range(at..at + CALL.len(), &wrapper);
    out
}

fn fish_repos() -> String {
    format!(
        "\n# Repository names from Haul's library (`haul __complete-repos`).\n\
         complete -c haul -n \"__fish_seen_subcommand_from {REPO_COMMANDS}\" -f -a \"(haul __complete-repos 2>/dev/null)\"\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shell_gets_a_script_and_repo_names_where_it_can() {
        let bash = script(CompletionShell::Bash);
        assert!(bash.contains("_haul()") && bash.contains("complete -F _haul_with_repos"));
        let zsh = script(CompletionShell::Zsh);
        assert!(zsh.starts_with("#compdef haul"), "{}", &zsh[..40]);
        assert!(
            zsh.contains("compdef _haul_with_repos haul")
                && zsh.contains("_haul_with_repos \"$@\"")
        );
        assert!(!zsh.contains("    compdef _haul haul"));
        let fish = script(CompletionShell::Fish);
        assert!(fish.contains("(haul __complete-repos 2>/dev/null)"));
        let pwsh = script(CompletionShell::Powershell);
        assert!(pwsh.contains("Register-ArgumentCompleter"));
        for text in [&bash, &zsh, &fish, &pwsh] {
            assert!(text.contains("doctor") && text.contains("download"));
            assert!(!text.contains("__panic"), "hidden commands stay hidden");
        }
    }

    #[test]
    fn installs_where_each_shell_looks() {
        let home = Path::new("/h");
        if var("XDG_DATA_HOME").is_none()
            && var("XDG_CONFIG_HOME").is_none()
            && var("ZDOTDIR").is_none()
        {
            assert_eq!(
                install_path(CompletionShell::Bash, home).script,
                Path::new("/h/.local/share/bash-completion/completions/haul")
            );
            assert_eq!(
                install_path(CompletionShell::Fish, home).script,
                Path::new("/h/.config/fish/completions/haul.fish")
            );
            assert_eq!(
                install_path(CompletionShell::Zsh, home).script,
                Path::new("/h/.zfunc/_haul")
            );
        }
    }
}
