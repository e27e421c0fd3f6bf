//! `haul logs`: the end of the current log file (the app's and CLI's, or the service's), and with
//! `-f` every line written after it, moving on to the next day's file when the log rolls over.

use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use haul::logging::{self, APP_LOG, DAEMON_LOG};

use crate::cli::LogsArgs;

/// How often a followed log is looked at.
const POLL: Duration = Duration::from_millis(200);

/// Prints the log; `Err` only when stdout is gone (a closed pipe ends the command quietly).
pub async fn run(dir: &Path, args: &LogsArgs) -> io::Result<()> {
    let prefix = if args.daemon { DAEMON_LOG } else { APP_LOG };
    let current = logging::current_log(dir, prefix);
    if args.path {
        let path = current.unwrap_or_else(|| dir.join(format!("{prefix}.YYYY-MM-DD.log")));
        println!("{}", path.display());
        return Ok(());
    }
    let mut out = io::stdout().lock();
    let (mut file, mut pos) = match current {
        Some(path) => {
            let (tail, end) = tail(&path, args.lines)?;
            out.write_all(&tail)?;
            out.flush()?;
            (Some(path), end)
        }
        None => {
            eprintln!(
                "No {prefix} log yet in {} (nothing has been logged there).",
                dir.display()
            );
            (None, 0)
        }
    };
    if !args.follow {
        return Ok(());
    }
    drop(out);
    loop {
        tokio::time::sleep(POLL).await;
        let newest = logging::current_log(dir, prefix);
        if let Some(path) = &file {
            pos = copy_new(path, pos)?;
        }
        if newest.is_some() && newest != file {
            // A new day's file: the old one is finished; the new one is read from its start.
            file = newest;
            pos = 0;
            if let Some(path) = &file {
                pos = copy_new(path, pos)?;
            }
        }
    }
}

/// Copies what `path` holds past `pos` to stdout; returns the new position. A file that shrank
/// (replaced or truncated) is read again from its start.
fn copy_new(path: &PathBuf, mut pos: u64) -> io::Result<u64> {
    let Ok(mut f) = std::fs::File::open(path) else {
        return Ok(pos);
    };
    let len = f.metadata()?.len();
    if len < pos {
        pos = 0;
    }
    if len == pos {
        return Ok(pos);
    }
    f.seek(SeekFrom::Start(pos))?;
    let mut chunk = Vec::new();
    f.take(len - pos).read_to_end(&mut chunk)?;
    let mut out = io::stdout().lock();
    out.write_all(&chunk)?;
    out.flush()?;
    Ok(pos + chunk.len() as u64)
}

/// The last `lines` lines of `path` and the file's length, reading backwards in blocks (a log at
/// trace level can be large).
fn tail(path: &Path, lines: usize) -> io::Result<(Vec<u8>, u64)> {
    const BLOCK: u64 = 64 * 1024;
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    let mut start = len;
    let mut buf: Vec<u8> = Vec::new();
    loop {
        // One more newline than lines: the file's last byte is a newline.
        let newlines = buf.iter().filter(|&&b| b == b'\n').count();
        if newlines > lines || start == 0 {
            break;
        }
        let from = start.saturating_sub(BLOCK);
        let mut block = vec![0; (start - from) as usize];
        f.seek(SeekFrom::Start(from))?;
        f.read_exact(&mut block)?;
        block.extend_from_slice(&buf);
        buf = block;
        start = from;
    }
    let ends: Vec<usize> = buf
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .map(|(i, _)| i)
        .collect();
    let complete_last = buf.last() == Some(&b'\n');
    let wanted = lines + usize::from(complete_last);
    let cut = if lines == 0 {
        buf.len()
    } else if ends.len() >= wanted {
        ends[ends.len() - wanted] + 1
    } else {
        0
    };
    Ok((buf[cut..].to_vec(), len))
}

#[cfg(test)]
mod tests {
    use super::tail;

    #[test]
    fn the_last_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("haul.2026-01-01.log");
        let text: String = (1..=100_000).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&path, &text).unwrap();
        let (last, end) = tail(&path, 3).unwrap();
        assert_eq!(last, b"line 99998\nline 99999\nline 100000\n");
        assert_eq!(end, text.len() as u64);
        assert_eq!(tail(&path, 0).unwrap().0, b"");
        std::fs::write(&path, "a\nb").unwrap();
        assert_eq!(tail(&path, 1).unwrap().0, b"b");
        assert_eq!(tail(&path, 5).unwrap().0, b"a\nb");
    }
}
