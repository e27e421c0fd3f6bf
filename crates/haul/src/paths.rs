//! Where Haul keeps its own files (not the HF cache): the registry database in the data dir, the
//! settings file in the config dir, logs in the state dir — XDG locations, or all under `HAUL_HOME`.

use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HaulDirs {
    /// The registry database and service locks.
    pub data: PathBuf,
    /// `config.toml`.
    pub config: PathBuf,
    /// Logs.
    pub state: PathBuf,
}

impl HaulDirs {
    /// `HAUL_HOME` puts everything in one folder; otherwise `XDG_DATA_HOME`, `XDG_CONFIG_HOME` and
    /// `XDG_STATE_HOME` (or their defaults under `HOME`) each get a `haul` folder.
    pub fn from_vars(var: &impl Fn(&str) -> Option<String>) -> Option<HaulDirs> {
        if let Some(home) = var("HAUL_HOME") {
            let home = PathBuf::from(home);
            return Some(HaulDirs {
                data: home.clone(),
                config: home.clone(),
                state: home.join("state"),
            });
        }
        let home = var("HOME").map(PathBuf::from);
        let xdg = |name: &str, fallback: &[&str]| -> Option<PathBuf> {
            var(name).map(PathBuf::from).or_else(|| {
                home.as_ref()
                    .map(|h| fallback.iter().fold(h.clone(), |p, part| p.join(part)))
            })
        };
        Some(HaulDirs {
            data: xdg("XDG_DATA_HOME", &[".local", "share"])?.join("haul"),
            config: xdg("XDG_CONFIG_HOME", &[".config"])?.join("haul"),
            state: xdg("XDG_STATE_HOME", &[".local", "state"])?.join("haul"),
        })
    }

    pub fn database(&self) -> PathBuf {
        self.data.join("haul.db")
    }

    pub fn config_file(&self) -> PathBuf {
        self.config.join("config.toml")
    }

    /// Where the log files are (see [`crate::logging`]).
    pub fn logs(&self) -> PathBuf {
        self.state.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xdg_and_haul_home() {
        let dirs = HaulDirs::from_vars(&|k: &str| (k == "HOME").then(|| "/h".to_string())).unwrap();
        assert_eq!(
            dirs.database(),
            PathBuf::from("/h/.local/share/haul/haul.db")
        );
        assert_eq!(
            dirs.config_file(),
            PathBuf::from("/h/.config/haul/config.toml")
        );
        assert_eq!(dirs.state, PathBuf::from("/h/.local/state/haul"));
        let dirs = HaulDirs::from_vars(&|k: &str| match k {
            "HOME" => Some("/h".into()),
            "HAUL_HOME" => Some("/x".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(
            (dirs.database(), dirs.config_file()),
            ("/x/haul.db".into(), "/x/config.toml".into())
        );
    }
}
