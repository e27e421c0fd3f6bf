//! How results reach the user: human text and progress bars on a terminal, JSON lines for scripts.

pub mod human;
pub mod json;
pub mod progress;
pub mod table;
