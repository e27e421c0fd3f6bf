//! A set of byte ranges, kept merged and sorted: which parts of a file have landed.

use serde::{Deserialize, Serialize};

/// Half-open `[start, end)` ranges, sorted, non-overlapping, non-adjacent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeSet(Vec<(u64, u64)>);

impl RangeSet {
    pub fn new() -> RangeSet {
        RangeSet(Vec::new())
    }

    pub fn insert(&mut self, start: u64, end: u64) {
        if start >= end {
            return;
        }
        let (mut start, mut end) = (start, end);
        let mut merged = Vec::with_capacity(self.0.len() + 1);
        let mut placed = false;
        for &(s, e) in &self.0 {
            if e < start {
                merged.push((s, e));
            } else if end < s {
                if !placed {
                    merged.push((start, end));
                    placed = true;
                }
                merged.push((s, e));
            } else {
                start = start.min(s);
                end = end.max(e);
            }
        }
        if !placed {
            merged.push((start, end));
        }
        merged.sort_unstable();
        self.0 = merged;
    }

    /// Where the contiguous run from byte 0 ends.
    pub fn prefix_end(&self) -> u64 {
        match self.0.first() {
            Some(&(0, end)) => end,
            _ => 0,
        }
    }

    pub fn covered(&self) -> u64 {
        self.0.iter().map(|(s, e)| e - s).sum()
    }

    /// The gaps within `[0, size)`.
    pub fn missing(&self, size: u64) -> Vec<(u64, u64)> {
        let mut gaps = Vec::new();
        let mut at = 0;
        for &(s, e) in &self.0 {
            if s > at {
                gaps.push((at, s.min(size)));
            }
            at = at.max(e);
        }
        if at < size {
            gaps.push((at, size));
        }
        gaps.retain(|(s, e)| s < e);
        gaps
    }

    pub fn ranges(&self) -> &[(u64, u64)] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_and_finds_gaps() {
        let mut set = RangeSet::new();
        set.insert(10, 20);
        set.insert(30, 40);
        assert_eq!(set.missing(50), vec![(0, 10), (20, 30), (40, 50)]);
        set.insert(0, 10);
        assert_eq!(set.prefix_end(), 20);
        set.insert(15, 35);
        assert_eq!(set.ranges(), &[(0, 40)]);
        assert_eq!((set.covered(), set.missing(40)), (40, vec![]));
        set.insert(5, 5);
        assert_eq!(set.ranges(), &[(0, 40)]);
    }
}
