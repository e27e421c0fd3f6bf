//! `haul config`: read and change the settings file through the core's key table, and show every
//! setting's effective value with the layer it came from (default, file, env, flag).

use haul::Config;
use haul::config::{Resolved, settings_file};
use haul::settings::{self, Effective, Key, Settings, Source};
use serde_json::json;

use crate::cli::{ConfigAction, ConfigArgs};
use crate::output::json;

/// `flags` is what the command line sets (the top layer), so `list` and `get` show what a command
/// with the same flags would use.
pub fn run(args: &ConfigArgs, flags: &Settings) -> Result<(), haul::Error> {
    match &args.action {
        ConfigAction::Path => {
            println!("{}", settings_file()?.path().display());
        }
        ConfigAction::Get { key } => {
            let key = settings::key(key)?;
            let resolved = Config::load_explained(flags)?;
            println!("{}", resolved.get(key.field).text());
        }
        ConfigAction::Set { key, value } => {
            let key = settings::key(key)?;
            let value = key.parse(value)?;
            let file = settings_file()?;
            file.set(key, &value)?;
            eprintln!("{} = {value} (in {})", key.name, file.path().display());
            explain_change(key, flags);
        }
        ConfigAction::Unset { key } => {
            let key = settings::key(key)?;
            let file = settings_file()?;
            if file.unset(key)? {
                eprintln!("removed {} from {}", key.name, file.path().display());
            } else {
                eprintln!("{} was not set in {}", key.name, file.path().display());
            }
            explain_change(key, flags);
        }
        ConfigAction::List { json } => {
            let resolved = Config::load_explained(flags)?;
            if *json {
                list_json(&resolved);
            } else {
                list_human(&resolved);
            }
        }
    }
    Ok(())
}

/// After a change: say when another layer still wins, or what now applies; warn about other problems.
fn explain_change(key: &Key, flags: &Settings) {
    match Config::load_explained(flags) {
        Ok(resolved) => {
            let now = resolved.get(key.field);
            match now.source {
                Source::File => {}
                Source::Env(var) => eprintln!(
                    "note: {var} is set and takes precedence over the file: {} is {}",
                    key.name,
                    shown(now)
                ),
                Source::Flag => eprintln!(
                    "note: a flag of this command takes precedence: {} is {}",
                    key.name,
                    shown(now)
                ),
                Source::Default => eprintln!("{} is now the default: {}", key.name, shown(now)),
            }
        }
        Err(e) => eprintln!("warning: the settings still have a problem: {e}"),
    }
}

fn shown(e: &Effective) -> String {
    match e.value {
        Some(_) => e.text(),
        None => "(none)".into(),
    }
}

fn list_human(resolved: &Resolved) {
    let rows: Vec<[String; 3]> = resolved
        .settings
        .iter()
        .map(|e| [e.key.name.to_string(), shown(e), e.source.to_string()])
        .collect();
    let width = |i: usize| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
    let (w0, w1) = (width(0).max(3), width(1).max(5));
    println!("{:<w0$}  {:<w1$}  SOURCE", "KEY", "VALUE");
    for [key, value, source] in &rows {
        println!("{key:<w0$}  {value:<w1$}  {source}");
    }
    let state = if resolved.file.exists() {
        ""
    } else {
        " (not created yet)"
    };
    println!("\nsettings file: {}{state}", resolved.file.display());
}

fn list_json(resolved: &Resolved) {
    for setting in &resolved.settings {
        json::line("setting", setting);
    }
    json::line(
        "file",
        &json!({ "path": resolved.file, "exists": resolved.file.exists() }),
    );
}
