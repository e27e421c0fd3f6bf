//! Integration tests of fakehub over real HTTP: one test binary, one module per area.

mod api;
mod binary;
mod common;
mod content;
mod errors;
mod faults;
mod resolve;
