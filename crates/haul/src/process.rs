//! Which process is this, and is another one still alive: what lets a job row or a schedule's claim
//! left by a process that died be told apart from one whose process is still at work.

/// This process's id, as the registry stores it.
pub fn own_pid() -> i64 {
    i64::from(std::process::id())
}

/// Whether the process `pid` exists. A pid the system reused after a crash reads as alive: the cost
/// is a job shown as running, or a claim respected, until that process ends too.
pub fn alive(pid: i64) -> bool {
    if pid == own_pid() {
        return true;
    }
    #[cfg(unix)]
    {
        let Some(raw) = i32::try_from(pid).ok().filter(|p| *p > 0) else {
            return false;
        };
        match rustix::process::Pid::from_raw(raw) {
            // EPERM means it exists but belongs to someone else: alive.
            Some(pid) => !matches!(
                rustix::process::test_kill_process(pid),
                Err(rustix::io::Errno::SRCH)
            ),
            None => false,
        }
    }
    #[cfg(not(unix))]
    {
        true
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn this_process_is_alive_and_a_finished_child_is_not() {
        assert!(super::alive(super::own_pid()));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = i64::from(child.id());
        child.wait().unwrap();
        assert!(!super::alive(pid));
        assert!(!super::alive(-5));
    }
}
