//! Repo references that reach the app from outside: `hf://` and `haul://` deep links (a second
//! launch's arguments, or the first launch's), and text dropped or pasted on the window. A link only
//! ever opens the plan sheet; nothing downloads without the user saying so.

/// The reference inside a link: `haul://org/name@rev` and `haul://add?repo=org/name` become
/// `org/name@rev` / `org/name`; `hf://…` and web URLs pass through for the core to parse.
pub fn reference_of(input: &str) -> String {
    let trimmed = input.trim();
    let Some(rest) = trimmed.strip_prefix("haul://") else {
        return trimmed.to_string();
    };
    if let Some(query) = rest
        .strip_prefix("add?")
        .or_else(|| rest.strip_prefix("add/?"))
    {
        for pair in query.split('&') {
            if let Some(value) = pair.strip_prefix("repo=") {
                return percent_decode(value);
            }
        }
    }
    let rest = rest.strip_prefix("add/").unwrap_or(rest);
    percent_decode(rest.trim_end_matches('/'))
}

/// The deep links among a launch's arguments.
pub fn links_in(args: &[String]) -> Vec<String> {
    args.iter()
        .filter(|a| a.starts_with("hf://") || a.starts_with("haul://"))
        .cloned()
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(byte) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haul_links_name_a_reference() {
        assert_eq!(reference_of("haul://org/name"), "org/name");
        assert_eq!(reference_of("haul://org/name@v1/"), "org/name@v1");
        assert_eq!(
            reference_of("haul://add?repo=datasets%2Forg%2Fd&x=1"),
            "datasets/org/d"
        );
        assert_eq!(reference_of(" hf://org/name "), "hf://org/name");
        assert_eq!(
            reference_of("https://huggingface.co/org/name"),
            "https://huggingface.co/org/name"
        );
    }

    #[test]
    fn only_deep_links_are_taken_from_arguments() {
        let args = vec![
            "haul-desktop".to_string(),
            "--hidden".to_string(),
            "hf://org/a".to_string(),
        ];
        assert_eq!(links_in(&args), vec!["hf://org/a".to_string()]);
    }
}
