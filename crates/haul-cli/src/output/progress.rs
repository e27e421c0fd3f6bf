//! Terminal progress bars drawn from the core's progress snapshots: one bar per file in flight and a
//! total with speed and ETA. Nothing is drawn when stderr is not a terminal.

use std::collections::HashMap;
use std::time::Duration;

use haul::ProgressSnapshot;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::human;

pub struct Bars {
    multi: MultiProgress,
    total: ProgressBar,
    files: HashMap<String, ProgressBar>,
    file_style: ProgressStyle,
}

impl Bars {
    pub fn new(bytes_total: u64) -> Bars {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(10));
        let total_style = ProgressStyle::with_template(
            "{prefix:>12.bold} [{bar:30.green/dim}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        let file_style = ProgressStyle::with_template(
            "{prefix:>12.dim} [{bar:30.cyan/dim}] {bytes}/{total_bytes} {wide_msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        let total = multi.add(
            ProgressBar::new(bytes_total)
                .with_style(total_style)
                .with_prefix("total"),
        );
        total.enable_steady_tick(Duration::from_millis(200));
        Bars {
            multi,
            total,
            files: HashMap::new(),
            file_style,
        }
    }

    pub fn update(&mut self, snapshot: &ProgressSnapshot) {
        self.total.set_length(snapshot.bytes_total);
        self.total.set_position(snapshot.bytes_done);
        self.total.set_message(format!(
            "{}/{} files",
            snapshot.files_done, snapshot.files_total
        ));
        let active: Vec<&str> = snapshot.active.iter().map(|f| f.path.as_str()).collect();
        self.files.retain(|path, bar| {
            let keep = active.contains(&path.as_str());
            if !keep {
                bar.finish_and_clear();
            }
            keep
        });
        for file in &snapshot.active {
            let bar = self.files.entry(file.path.clone()).or_insert_with(|| {
                let bar = self.multi.insert_before(
                    &self.total,
                    ProgressBar::new(file.size)
                        .with_style(self.file_style.clone())
                        .with_prefix("file"),
                );
                bar.set_message(file.path.clone());
                bar
            });
            bar.set_position(file.bytes_done);
        }
    }

    /// Prints a line above the bars without tearing them.
    pub fn println(&self, line: &str) {
        let _ = self.multi.println(line);
    }

    pub fn finish(self) {
        for bar in self.files.values() {
            bar.finish_and_clear();
        }
        self.total.finish_and_clear();
        let _ = self.multi.clear();
    }
}

/// Speed and ETA as words, for the final line.
pub fn summary(bytes: u64, secs: f64) -> String {
    let speed = if secs > 0.0 { bytes as f64 / secs } else { 0.0 };
    format!(
        "{} in {} ({}/s)",
        human::bytes(bytes),
        human::duration(secs),
        human::bytes(speed as u64)
    )
}
