//! Starts the desktop app (all of it is in the library, so tests can reach it).

// No extra console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    haul_desktop::run();
}
