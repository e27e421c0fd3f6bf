//! `haul doctor`: runs the core's checks and renders them as a table (or one JSON object); the exit
//! code is 0 when all are OK, 1 with warnings, 2 with errors.

use std::io::IsTerminal;

use haul::Config;
use haul::doctor::{self, DoctorOptions, Report, Status};
use serde_json::json;

use crate::cli::DoctorArgs;
use crate::output::json;

pub async fn run(config: &Config, args: &DoctorArgs) -> u8 {
    let env_token = std::env::var("HF_TOKEN").ok();
    let report = doctor::run(
        config,
        DoctorOptions {
            explicit_token: args.token.as_deref(),
            env_token: env_token.as_deref(),
        },
    )
    .await;
    if args.json {
        json::line(
            "doctor",
            &json!({ "status": report.worst(), "exit_code": report.exit_code(), "checks": report.checks }),
        );
    } else {
        print!("{}", render(&report, std::io::stdout().is_terminal()));
    }
    report.exit_code()
}

fn render(report: &Report, color: bool) -> String {
    let width = report
        .checks
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(0);
    let paint = |status: Status| {
        let label = format!("{:<7}", status.label());
        if !color {
            return label;
        }
        let code = match status {
            Status::Ok => "32",
            Status::Warning => "33",
            Status::Error => "31;1",
        };
        format!("\x1b[{code}m{label}\x1b[0m")
    };
    let mut out = String::new();
    for check in &report.checks {
        out.push_str(&format!(
            "{}  {:<width$}  {}\n",
            paint(check.status),
            check.name,
            check.detail
        ));
        if let Some(fix) = &check.fix {
            out.push_str(&format!("{:7}  {:<width$}  fix: {fix}\n", "", ""));
        }
    }
    let count = |status| report.checks.iter().filter(|c| c.status == status).count();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    out.push_str(&match (count(Status::Error), count(Status::Warning)) {
        (0, 0) => "\nAll checks passed.\n".to_string(),
        (0, w) => format!("\n{}.\n", plural(w, "warning")),
        (e, w) => format!("\n{}, {}.\n", plural(e, "error"), plural(w, "warning")),
    });
    out
}

#[cfg(test)]
mod tests {
    use haul::doctor::{Check, Report};

    #[test]
    fn fixes_sit_under_their_check() {
        let report = Report {
            checks: vec![
                Check::ok("versions", "haul 1"),
                Check::error("database", "broken", "move it aside"),
            ],
        };
        let text = super::render(&report, false);
        assert_eq!(
            text,
            "OK       versions  haul 1\nERROR    database  broken\n                   fix: move it aside\n\n1 error, 0 warnings.\n"
        );
    }
}
