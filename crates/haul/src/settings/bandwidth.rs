//! A download speed cap written the way people write it: `20M`, `1.5MiB`, `500 KB/s`, or `0` / `unlimited`.
//! `K`, `M`, `G`, `T` (with or without `B`) are powers of 1000; `Ki`, `Mi`, `Gi`, `Ti` (`KiB`, …) powers of 1024.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The smallest cap accepted: slower than this, a connection would look stalled and be dropped.
pub const MIN_BYTES_PER_SEC: u64 = 1000;

/// A cap on the total download speed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Bandwidth {
    #[default]
    Unlimited,
    /// Bytes per second, at least [`MIN_BYTES_PER_SEC`].
    PerSecond(u64),
}

/// Why a text is not a bandwidth.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BandwidthError {
    /// Not a number with a unit at all.
    NotARate,
    /// A rate, but negative, too small or too large.
    OutOfRange,
}

const UNITS: &[(&str, u64)] = &[
    ("", 1),
    ("b", 1),
    ("k", 1000),
    ("kb", 1000),
    ("ki", 1 << 10),
    ("kib", 1 << 10),
    ("m", 1_000_000),
    ("mb", 1_000_000),
    ("mi", 1 << 20),
    ("mib", 1 << 20),
    ("g", 1_000_000_000),
    ("gb", 1_000_000_000),
    ("gi", 1 << 30),
    ("gib", 1 << 30),
    ("t", 1_000_000_000_000),
    ("tb", 1_000_000_000_000),
    ("ti", 1 << 40),
    ("tib", 1 << 40),
];

/// Units tried when showing a rate, largest first, binary before decimal at the same size.
const SHOWN: &[(&str, u64)] = &[
    ("TiB", 1 << 40),
    ("TB", 1_000_000_000_000),
    ("GiB", 1 << 30),
    ("GB", 1_000_000_000),
    ("MiB", 1 << 20),
    ("MB", 1_000_000),
    ("KiB", 1 << 10),
    ("KB", 1000),
];

impl Bandwidth {
    /// The cap in bytes per second; `None` when unlimited.
    pub fn bytes_per_sec(self) -> Option<u64> {
        match self {
            Bandwidth::Unlimited => None,
            Bandwidth::PerSecond(n) => Some(n),
        }
    }

    /// A whole number of bytes per second, as a TOML integer gives it.
    pub fn from_bytes(n: i64) -> Result<Bandwidth, BandwidthError> {
        match u64::try_from(n) {
            Ok(0) => Ok(Bandwidth::Unlimited),
            Ok(n) if n >= MIN_BYTES_PER_SEC => Ok(Bandwidth::PerSecond(n)),
            _ => Err(BandwidthError::OutOfRange),
        }
    }

    pub fn parse(text: &str) -> Result<Bandwidth, BandwidthError> {
        let lower = text.trim().to_ascii_lowercase();
        if matches!(lower.as_str(), "unlimited" | "none" | "off") {
            return Ok(Bandwidth::Unlimited);
        }
        let rate = lower.strip_suffix("/s").unwrap_or(&lower).trim_end();
        if rate.starts_with('-') {
            return Err(BandwidthError::OutOfRange);
        }
        let split = rate
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rate.len());
        let (number, unit) = (&rate[..split], rate[split..].trim_start());
        let multiplier = UNITS
            .iter()
            .find(|(name, _)| *name == unit)
            .map(|(_, m)| u128::from(*m))
            .ok_or(BandwidthError::NotARate)?;
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        let digits_only = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty())
            || !digits_only(whole)
            || !digits_only(fraction)
            || fraction.len() > 18
        {
            return Err(BandwidthError::NotARate);
        }
        let parse = |s: &str| -> Result<u128, BandwidthError> {
            if s.is_empty() {
                Ok(0)
            } else {
                s.parse::<u128>().map_err(|_| BandwidthError::OutOfRange)
            }
        };
        let (whole, scale) = (parse(whole)?, 10u128.pow(fraction.len() as u32));
        let fraction = parse(fraction)?;
        let bytes = whole
            .checked_mul(multiplier)
            .and_then(|w| w.checked_add(fraction * multiplier / scale))
            .ok_or(BandwidthError::OutOfRange)?;
        if whole == 0 && fraction == 0 {
            return Ok(Bandwidth::Unlimited);
        }
        match u64::try_from(bytes) {
            Ok(n) if n >= MIN_BYTES_PER_SEC => Ok(Bandwidth::PerSecond(n)),
            _ => Err(BandwidthError::OutOfRange),
        }
    }
}

impl fmt::Display for Bandwidth {
    /// The shortest exact form, which [`Bandwidth::parse`] reads back: `20MB`, `1.5MiB`, `unlimited`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Bandwidth::PerSecond(n) = *self else {
            return f.write_str("unlimited");
        };
        let n128 = u128::from(n);
        for (name, size) in SHOWN {
            let size = u128::from(*size);
            if n128 >= size && (n128 * 100) % size == 0 {
                let hundredths = n128 * 100 / size;
                let (whole, rest) = (hundredths / 100, hundredths % 100);
                return match rest {
                    0 => write!(f, "{whole}{name}"),
                    r if r % 10 == 0 => write!(f, "{whole}.{}{name}", r / 10),
                    r => write!(f, "{whole}.{r:02}{name}"),
                };
            }
        }
        write!(f, "{n}")
    }
}

impl Serialize for Bandwidth {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Bandwidth {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Bandwidth, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Bytes(i64),
            Text(String),
        }
        let parsed = match Raw::deserialize(deserializer)? {
            Raw::Bytes(n) => Bandwidth::from_bytes(n),
            Raw::Text(t) => Bandwidth::parse(&t),
        };
        parsed.map_err(|_| {
            serde::de::Error::custom(
                "expected a rate such as 20M, 1.5MiB or 500K (at least 1K), or 0 / \"unlimited\"",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(text: &str) -> Option<u64> {
        Bandwidth::parse(text).unwrap().bytes_per_sec()
    }

    #[test]
    fn units_and_fractions() {
        assert_eq!(rate("20M"), Some(20_000_000));
        assert_eq!(rate("20 MB/s"), Some(20_000_000));
        assert_eq!(rate("1.5MiB"), Some(1_572_864));
        assert_eq!(rate("1.5mib/s"), Some(1_572_864));
        assert_eq!(rate("500k"), Some(500_000));
        assert_eq!(rate("2Gi"), Some(2 << 30));
        assert_eq!(rate("123456"), Some(123_456));
        assert_eq!(rate(".5M"), Some(500_000));
        assert_eq!(rate("0"), None);
        assert_eq!(rate("0.0K"), None);
        assert_eq!(rate("Unlimited"), None);
    }

    #[test]
    fn refuses_nonsense_and_extremes() {
        for text in ["fast", "", "M", "1.2.3M", "20 Mbit", "1e6", "."] {
            assert_eq!(
                Bandwidth::parse(text),
                Err(BandwidthError::NotARate),
                "{text}"
            );
        }
        for text in [
            "-5M",
            "999",
            "0.5K",
            "99999999999T",
            "1000000000000000000000000000000",
        ] {
            assert_eq!(
                Bandwidth::parse(text),
                Err(BandwidthError::OutOfRange),
                "{text}"
            );
        }
        assert_eq!(Bandwidth::from_bytes(-1), Err(BandwidthError::OutOfRange));
        assert_eq!(Bandwidth::from_bytes(0), Ok(Bandwidth::Unlimited));
    }

    #[test]
    fn shown_forms_read_back() {
        for (n, shown) in [
            (20_000_000, "20MB"),
            (1_572_864, "1.5MiB"),
            (1_250_000, "1.25MB"),
            (1024, "1KiB"),
            (123_457, "123457"),
        ] {
            let b = Bandwidth::PerSecond(n);
            assert_eq!(b.to_string(), shown);
            assert_eq!(Bandwidth::parse(shown), Ok(b));
        }
        assert_eq!(Bandwidth::Unlimited.to_string(), "unlimited");
    }
}
