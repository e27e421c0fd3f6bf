//! `--json`: one JSON object per line on stdout, each tagged with its `type`.

use std::io::Write;

use serde::Serialize;
use serde_json::{Value, json};

/// Prints `{"type": kind, ...fields of value}` as one line.
pub fn line(kind: &str, value: &impl Serialize) {
    let mut object = match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        Ok(other) => {
            let mut map = serde_json::Map::new();
            map.insert("value".into(), other);
            map
        }
        Err(e) => {
            let mut map = serde_json::Map::new();
            map.insert("serialization_error".into(), json!(e.to_string()));
            map
        }
    };
    object.insert("type".into(), json!(kind));
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", Value::Object(object));
    let _ = out.flush();
}
