//! Hashes the same in-memory buffer with each sha256 implementation on one core and prints one JSON line per
//! implementation: MB/s when fed 16 MiB at a time, and when fed 16 KiB at a time (the size of the chunks a
//! network body arrives in). Rounds are interleaved (every implementation once per round) and the best
//! round counts, so a noisy neighbour hurts every implementation alike.
//! Usage: sha256-bench [MIB] [ROUNDS]   (default 1024 MiB, 5 rounds)

use std::time::Instant;

type Hasher = fn(&[u8], usize) -> String;

fn main() {
    let mut args = std::env::args().skip(1);
    let mib: usize = args.next().map(|s| s.parse().expect("MIB")).unwrap_or(1024);
    let rounds: usize = args.next().map(|s| s.parse().expect("ROUNDS")).unwrap_or(5);
    let len = mib << 20;
    // Pseudo-random contents (SplitMix64), so nothing is special about the data.
    let mut buf = vec![0u8; len];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for chunk in buf.chunks_mut(8) {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
    }

    let sha2_010: &str = if cfg!(feature = "soft") {
        "sha2 0.10 (force-soft: its path without SHA extensions)"
    } else if cfg!(feature = "asm") {
        "sha2 0.10 (asm feature)"
    } else {
        "sha2 0.10 (default features)"
    };
    let impls: Vec<(&str, Hasher)> = vec![
        (sha2_010, sha2_010_hash),
        ("sha2 0.11 (default features)", sha2_011_hash),
        ("ring 0.17 (rustls's provider)", ring_hash),
    ];
    const BIG: usize = 16 << 20;
    const SMALL: usize = 16 << 10;
    let mut best = vec![[f64::INFINITY; 2]; impls.len()];
    let mut digests = vec![String::new(); impls.len()];
    for _ in 0..rounds.max(1) {
        for (i, (_, f)) in impls.iter().enumerate() {
            for (j, update) in [BIG, SMALL].into_iter().enumerate() {
                let t = Instant::now();
                let d = std::hint::black_box(f(&buf, update));
                best[i][j] = best[i][j].min(t.elapsed().as_secs_f64());
                digests[i] = d;
            }
        }
    }
    for (i, (name, _)) in impls.iter().enumerate() {
        println!(
            "{{\"impl\": \"{name}\", \"bytes\": {len}, \"mb_per_s\": {:.1}, \"mb_per_s_16k\": {:.1}, \"sha256\": \"{}\"}}",
            len as f64 / best[i][0] / 1e6,
            len as f64 / best[i][1] / 1e6,
            digests[i]
        );
    }
    assert!(digests.windows(2).all(|w| w[0] == w[1]), "implementations disagree: {digests:?}");
}

fn sha2_010_hash(buf: &[u8], update: usize) -> String {
    use sha2::Digest as _;
    let mut h = sha2::Sha256::new();
    for part in buf.chunks(update) {
        h.update(part);
    }
    to_hex(&h.finalize())
}

fn sha2_011_hash(buf: &[u8], update: usize) -> String {
    use sha2_011::Digest as _;
    let mut h = sha2_011::Sha256::new();
    for part in buf.chunks(update) {
        h.update(part);
    }
    to_hex(&h.finalize())
}

fn ring_hash(buf: &[u8], update: usize) -> String {
    let mut c = ring::digest::Context::new(&ring::digest::SHA256);
    for part in buf.chunks(update) {
        c.update(part);
    }
    to_hex(c.finish().as_ref())
}

fn to_hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}
