//! `haul __reference`: the command-line reference as Markdown, rendered from the clap definition, so
//! docs/cli-reference.md never drifts from `haul --help` (a test compares the two).

use clap::CommandFactory;

use crate::cli::Cli;

/// The width help is wrapped at, whatever the terminal: the output must not depend on where it runs.
const WIDTH: usize = 100;

/// Every visible command's long help, `haul` first, then its subcommands depth-first in the order
/// `haul --help` lists them.
pub fn markdown() -> String {
    let mut root = Cli::command().term_width(WIDTH);
    root.build();
    let mut sections = Vec::new();
    collect(&mut root, "haul", &mut sections);

    let mut out = String::from(
        "# Command-line reference\n\n\
         Generated from the `haul` command's own definition: each section is what `--help` prints.\n\
         Do not edit by hand; after changing a help text run\n\
         `HAUL_UPDATE_DOCS=1 cargo test -p haul-cli --test reference`.\n\n",
    );
    for (path, _) in &sections {
        let depth = path.matches(' ').count();
        let indent = "  ".repeat(depth.saturating_sub(1));
        out.push_str(&format!("{indent}- [`{path}`](#{})\n", anchor(path)));
    }
    for (path, help) in &sections {
        out.push_str(&format!("\n## `{path}`\n\n```text\n{help}\n```\n"));
    }
    out
}

fn collect(cmd: &mut clap::Command, path: &str, out: &mut Vec<(String, String)>) {
    let help = cmd.render_long_help().to_string();
    let help: Vec<&str> = help.lines().map(str::trim_end).collect();
    out.push((path.to_string(), help.join("\n").trim_end().to_string()));
    for sub in cmd.get_subcommands_mut() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        let sub_path = format!("{path} {}", sub.get_name());
        collect(sub, &sub_path, out);
    }
}

/// The anchor GitHub gives a heading: lower case, spaces to hyphens, punctuation other than `-`
/// and `_` dropped.
fn anchor(path: &str) -> String {
    path.chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_follow_github() {
        assert_eq!(anchor("haul schedule run-now"), "haul-schedule-run-now");
    }

    #[test]
    fn every_visible_command_has_a_section_and_no_hidden_one_does() {
        let md = markdown();
        for path in [
            "## `haul`",
            "## `haul download`",
            "## `haul schedule add`",
            "## `haul limits remove`",
        ] {
            assert!(md.contains(path), "{path} missing");
        }
        assert!(!md.contains("__complete-repos") && !md.contains("__reference"));
        assert!(!md.contains("## `haul help`"));
    }
}
