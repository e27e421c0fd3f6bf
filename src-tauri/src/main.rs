//! Starts the desktop app (all of it is in the library, so tests can reach it). `--version` and
//! `--help` answer without a display.

// No extra console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--version" || a == "-V") {
        println!("haul-desktop {}", env!("CARGO_PKG_VERSION"));
        return;
    }
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!(
            "haul-desktop {}: Haul's desktop app\n\n\
             Usage: haul-desktop [--hidden] [hf://org/name | haul://org/name]\n\n  \
             --hidden        start in the tray, without showing the window\n  \
             hf://, haul://  open the plan sheet for this repository (a running Haul is focused)\n  \
             -V, --version   print the version\n\n\
             The `haul` command does everything the app does; see `haul --help`.",
            env!("CARGO_PKG_VERSION")
        );
        return;
    }
    haul_desktop::run();
}
