//! Who this process is on the LAN (terminal name, machine boot id, process start time), the
//! wall clock, and random numbers — small OS facts the lock, lease and journal need.

use std::collections::hash_map::RandomState;
use std::fs::File;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};

/// Identity of this process as recorded in a write lease and in the event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessIdentity {
    /// The terminal's name: `VENTALIBRE_TERMINAL`, else the host name.
    pub terminal: String,
    /// Identifies this boot of this machine (Linux `/proc/sys/kernel/random/boot_id`); empty
    /// where unknown, in which case liveness is judged by the heartbeat only.
    pub boot_id: String,
    pub pid: u32,
    /// Start time of this process (clock ticks after boot) so a reused pid is not mistaken.
    pub start_time: u64,
}

impl ProcessIdentity {
    pub fn current(terminal: Option<String>) -> ProcessIdentity {
        let pid = std::process::id();
        ProcessIdentity {
            terminal: terminal.unwrap_or_else(default_terminal_name),
            boot_id: read_trimmed("/proc/sys/kernel/random/boot_id").unwrap_or_default(),
            pid,
            start_time: process_start_time(pid).unwrap_or(0),
        }
    }

    /// Whether process `pid` that started at `start_time` still runs on this machine.
    pub fn process_alive(pid: u32, start_time: u64) -> bool {
        if cfg!(target_os = "linux") {
            match process_stat(pid) {
                // A zombie has exited (its parent has not reaped it yet): it holds no lock and
                // writes nothing more.
                Some(('Z' | 'X', _)) => false,
                Some((_, t)) => start_time == 0 || t == start_time,
                None => false,
            }
        } else {
            // Without /proc we cannot tell: assume alive (the safe answer: refuse to write).
            true
        }
    }
}

/// The machine's name for display.
pub fn default_terminal_name() -> String {
    if let Ok(t) = std::env::var("VENTALIBRE_TERMINAL")
        && !t.trim().is_empty()
    {
        return t.trim().to_string();
    }
    read_trimmed("/proc/sys/kernel/hostname")
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "terminal".to_string())
}

fn read_trimmed(path: &str) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// Field 22 of `/proc/<pid>/stat`: the process start time in clock ticks after boot.
fn process_start_time(pid: u32) -> Option<u64> {
    process_stat(pid).map(|(_, t)| t)
}

/// Fields 3 (state: R, S, D, Z...) and 22 (start time) of `/proc/<pid>/stat`.
fn process_stat(pid: u32) -> Option<(char, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &stat[stat.rfind(')')? + 1..];
    // Fields after the command name start at field 3 (state); field 22 is index 19.
    let mut fields = after.split_whitespace();
    let state = fields.next()?.chars().next()?;
    Some((state, fields.nth(18)?.parse().ok()?))
}

/// Milliseconds since the Unix epoch by this terminal's wall clock.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A random 64-bit number (std's randomly keyed SipHash over a counter and the clock).
pub fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_i64(now_ms());
    h.write_u32(std::process::id());
    h.finish()
}

pub fn write_all_at(f: &File, offset: u64, data: &[u8]) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::write_all_at(f, data, offset)
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::FileExt;
        let (mut data, mut offset) = (data, offset);
        while !data.is_empty() {
            let n = f.seek_write(data, offset)?;
            data = &data[n..];
            offset += n as u64;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_dead_one_is_not() {
        let me = ProcessIdentity::current(Some("t1".into()));
        assert!(ProcessIdentity::process_alive(me.pid, me.start_time));
        if cfg!(target_os = "linux") {
            assert!(me.start_time > 0);
            // Same pid, different start time: a reused pid is not our process.
            assert!(!ProcessIdentity::process_alive(me.pid, me.start_time + 1));
            let mut child = std::process::Command::new("true").spawn().unwrap();
            let pid = child.id();
            // Exited but not reaped: a zombie is not alive.
            while process_stat(pid).is_some_and(|(s, _)| s != 'Z') {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            assert!(!ProcessIdentity::process_alive(pid, 0));
            child.wait().unwrap();
            assert!(!ProcessIdentity::process_alive(pid, 0));
        }
    }

    #[test]
    fn random_numbers_differ() {
        assert_ne!(random_u64(), random_u64());
    }
}
