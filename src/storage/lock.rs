//! The share lock: `VENTALIBRE.LCK`, locked with std's `File::lock_shared` (readers) or
//! `File::lock` (writers) — flock on Unix (the Linux NFS client sends it to the server as a
//! whole-file POSIX lock, cifs as a mandatory SMB byte-range lock), LockFileEx on Windows — and
//! in front of it a turnstile, `VENTALIBRE.TRN`, that keeps waiters from starving.
//!
//! Only these two files are ever locked, and neither is ever read or written: on an SMB share a
//! locked file becomes unreadable to others, so no data file is locked.
//!
//! **Waiting.** A lock is polled with `try_lock` until a deadline, after which the caller gets
//! [`StorageError::Busy`]. A blocking lock could not be bounded: on cifs a blocked flock is not
//! interrupted in time. Every "held by someone else" answer counts as busy, whatever errno the
//! file system picks for it: `EWOULDBLOCK` (local, NFS), `EACCES` (cifs, NFSv3 via lockd),
//! `EAGAIN`, `EBUSY`.
//!
//! **Fairness.** Polling alone lets the terminal that just released the lock take it again
//! before any waiter wakes up, transaction after transaction. So every transaction first passes
//! the turnstile: it takes `VENTALIBRE.TRN` (exclusively to write, shared to read), then
//! `VENTALIBRE.LCK`, then releases the turnstile. A waiting writer holds the turnstile while it
//! waits for the share lock, so the lock always passes to it next, and the writer that just
//! finished must queue at the turnstile behind the others; new readers also wait there, so a
//! stream of readers cannot starve a writer. Waiters at the turnstile poll more often the longer
//! they have waited, so the oldest tends to go first.
//!
//! A process that dies holding either lock releases it (the OS closes its descriptors).
//!
//! **Locks that outlive their unlock (SMB).** In the real-share VM every writer of an SMB share
//! was now and then refused for the whole busy timeout by a lock that nobody held: all eight
//! processes waited 60 s, and the lock passed on the moment the refused ones exited (closing a
//! handle drops every lock the server files under it). It struck the first writes after the
//! processes opened the share, and once let two "exclusive" holders in, which the write lease
//! caught. Two ways the Linux SMB client can leave a server-side lock behind fit this:
//! * it takes an flock in two steps, the server's byte-range lock and then the client's own
//!   lock table; when another process on the same client is releasing at that moment, the
//!   server grants and the table refuses: `flock` fails with `EWOULDBLOCK` and the server-side
//!   lock stays (a refusal by the server comes back as `EACCES` and leaves nothing);
//! * while the client holds a caching lease on the lock file it keeps locks to itself, and
//!   pushes them to the server when the lease is broken; an unlock racing that push can miss
//!   the pushed lock.
//!
//! So on SMB a waiter (i) follows every `EWOULDBLOCK` refusal with an unlock of that handle, and
//! (ii) every [`SMB_REOPEN_AFTER`] of waiting swaps its lock handles for fresh ones, which drops
//! whatever the server still files under the old ones. Neither can release a lock this process
//! holds: a waiter holds nothing on the handle it polls (the turnstile holder reopens only the
//! share lock's handle). A stray lock then costs a couple of seconds, not the busy timeout.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::error::{Result, StorageError};

pub const LOCK_FILE: &str = "VENTALIBRE.LCK";
pub const TURN_FILE: &str = "VENTALIBRE.TRN";

pub struct ShareLock {
    lock: Handle,
    /// `None` on a read-only terminal of a share made before the turnstile existed.
    turn: Option<Handle>,
    /// Whether the lock files could be opened for writing (a writer needs that: NFS turns an
    /// exclusive flock into a write lock, which needs a descriptor open for writing).
    writable: bool,
    /// SMB: a refused `try_lock` may have left a server-side lock behind, and a lock pushed
    /// from a client's cache may outlive its unlock (see the module notes); refusals are
    /// followed by an unlock, and a long wait reopens the waiter's handles.
    smb: bool,
}

/// One lock file's descriptor. It can be swapped for a fresh one (closing a handle drops every
/// lock the server still files under it).
struct Handle {
    path: PathBuf,
    name: &'static str,
    file: Mutex<File>,
}

impl Handle {
    fn file(&self) -> MutexGuard<'_, File> {
        self.file.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Replaces the descriptor with a fresh one; keeps the old one if the file cannot be opened.
    fn reopen(&self) {
        if let Ok((f, _)) = open_lock_file(&self.path, self.name) {
            *self.file() = f;
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockMode {
    Shared,
    Exclusive,
}

/// Holds the lock until dropped.
pub struct LockGuard<'a> {
    lock: &'a ShareLock,
    pub mode: LockMode,
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        // Unlock errors cannot be handled here; closing the descriptor releases the lock anyway.
        let _ = self.lock.lock.file().unlock();
    }
}

/// Whether an error of `try_lock` means "another process holds it".
pub fn held_elsewhere(e: &io::Error) -> bool {
    if e.kind() == io::ErrorKind::WouldBlock {
        return true;
    }
    #[cfg(unix)]
    if let Some(code) = e.raw_os_error() {
        return code == libc::EACCES || code == libc::EAGAIN || code == libc::EBUSY;
    }
    #[cfg(windows)]
    if let Some(code) = e.raw_os_error() {
        // ERROR_LOCK_VIOLATION, ERROR_SHARING_VIOLATION
        return code == 33 || code == 32;
    }
    false
}

fn open_lock_file(path: &Path, name: &str) -> Result<(File, bool)> {
    let rw = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path);
    match rw {
        Ok(f) => Ok((f, true)),
        Err(e)
            if e.kind() == io::ErrorKind::PermissionDenied
                || e.kind() == io::ErrorKind::ReadOnlyFilesystem =>
        {
            // A read-only terminal: it can still take the shared lock to read.
            File::open(path)
                .map(|f| (f, false))
                .map_err(|_| StorageError::io(name, "abrir", e))
        }
        Err(e) => Err(StorageError::io(name, "abrir", e)),
    }
}

impl ShareLock {
    pub fn open(dir: &Path) -> Result<ShareLock> {
        let handle = |path: PathBuf, name: &'static str, file: File| Handle {
            path,
            name,
            file: Mutex::new(file),
        };
        let lock_path = dir.join(LOCK_FILE);
        let (lock, lock_rw) = open_lock_file(&lock_path, LOCK_FILE)?;
        let turn_path = dir.join(TURN_FILE);
        let (turn, turn_rw) = match open_lock_file(&turn_path, TURN_FILE) {
            Ok((f, rw)) => (Some(handle(turn_path, TURN_FILE, f)), rw),
            Err(_) if !lock_rw => (None, false),
            Err(e) => return Err(e),
        };
        Ok(ShareLock {
            lock: handle(lock_path, LOCK_FILE, lock),
            turn,
            writable: lock_rw && turn_rw,
            smb: super::fsinfo::probe(dir).kind == super::fsinfo::FsKind::Smb,
        })
    }

    /// Whether this terminal may take the exclusive lock (its lock files opened for writing).
    pub fn writable(&self) -> bool {
        self.writable
    }

    /// Takes the lock in `mode`, waiting at most until `deadline`.
    pub fn acquire(
        &self,
        mode: LockMode,
        started: Instant,
        deadline: Instant,
    ) -> Result<LockGuard<'_>> {
        let busy = || StorageError::Busy {
            waited_ms: started.elapsed().as_millis() as u64,
        };
        // The turnstile: a waiting writer holds it while it waits for the share lock.
        if let Some(turn) = &self.turn {
            // Nothing is held yet: a long wait may reopen both handles.
            let reopen = || {
                turn.reopen();
                self.lock.reopen();
            };
            self.poll(turn, mode, deadline, turnstile_pause(started), reopen)
                .map_err(|e| e.unwrap_or_else(busy))?;
        }
        // Holding the turnstile, only the share lock's handle may be reopened.
        let got = self.poll(
            &self.lock,
            mode,
            deadline,
            |tries| Duration::from_millis(1 << tries.min(3)),
            || self.lock.reopen(),
        );
        if let Some(turn) = &self.turn {
            let _ = turn.file().unlock();
        }
        got.map_err(|e| e.unwrap_or_else(busy))?;
        Ok(LockGuard { lock: self, mode })
    }

    /// Polls `try_lock` on `h` until it is granted (`Ok`), the deadline passes (`Err(None)`), or
    /// a real error happens (`Err(Some)`). On SMB an `EWOULDBLOCK` refusal is followed by an
    /// unlock, and every [`SMB_REOPEN_AFTER`] of waiting `reopen` swaps this process's lock
    /// handles for fresh ones (see the module notes).
    fn poll(
        &self,
        h: &Handle,
        mode: LockMode,
        deadline: Instant,
        pause: impl Fn(u32) -> Duration,
        reopen: impl Fn(),
    ) -> std::result::Result<(), Option<StorageError>> {
        let mut tries = 0u32;
        let mut last_reopen = Instant::now();
        loop {
            let r = {
                let f = h.file();
                let r = match mode {
                    LockMode::Shared => f.try_lock_shared(),
                    LockMode::Exclusive => f.try_lock(),
                };
                if self.smb && matches!(r, Err(TryLockError::WouldBlock)) {
                    let _ = f.unlock();
                }
                r
            };
            match r {
                Ok(()) => return Ok(()),
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) if held_elsewhere(&e) => {}
                Err(TryLockError::Error(e)) => {
                    return Err(Some(StorageError::io(h.name, "bloquear", e)));
                }
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(None);
            }
            if self.smb && now - last_reopen >= SMB_REOPEN_AFTER {
                reopen();
                last_reopen = now;
            }
            std::thread::sleep(pause(tries).min(deadline - now));
            tries = tries.saturating_add(1);
        }
    }
}

/// How long a waiter on SMB polls one set of handles before it swaps them for fresh ones.
pub const SMB_REOPEN_AFTER: Duration = Duration::from_secs(2);

/// The pause between two tries at the turnstile: longer for newcomers than for old waiters, so
/// the one that has waited longest tends to win when the turnstile frees.
fn turnstile_pause(started: Instant) -> impl Fn(u32) -> Duration {
    move |_| {
        let waited = started.elapsed();
        // Every try is a round trip to the file server (and work for it): waiters behind the
        // front one poll gently, so the server's time goes to the terminal holding the lock.
        let base_ms: u64 = match waited.as_millis() {
            0..=499 => 40,
            500..=1999 => 25,
            2000..=4999 => 15,
            _ => 8,
        };
        // ±25 % jitter so waiters of the same age do not poll in step.
        let jitter = super::ident::random_u64() % (base_ms * 500 + 1);
        Duration::from_micros(base_ms * 750 + jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!(
            "vl-lock-{name}-{}-{:x}",
            std::process::id(),
            super::super::ident::random_u64()
        ));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// The unlock that follows a refusal on SMB must never release a lock that someone else
    /// holds: a refused waiter's unlock touches only its own descriptor.
    #[test]
    fn undoing_a_refusal_leaves_the_holder_locked() {
        let dir = scratch("undo");
        let holder = ShareLock::open(&dir).unwrap();
        let mut waiter = ShareLock::open(&dir).unwrap();
        waiter.smb = true;
        let mut third = ShareLock::open(&dir).unwrap();
        third.smb = true;
        let now = Instant::now();
        let held = holder
            .acquire(LockMode::Exclusive, now, now + Duration::from_secs(1))
            .unwrap();
        for mode in [LockMode::Exclusive, LockMode::Shared] {
            let t = Instant::now();
            let r = waiter.acquire(mode, t, t + Duration::from_millis(60));
            assert!(
                matches!(r, Err(StorageError::Busy { .. })),
                "{mode:?} granted while another descriptor holds the exclusive lock"
            );
        }
        // After the waiter's refusals and unlocks, the holder still excludes everybody.
        let t = Instant::now();
        assert!(matches!(
            third.acquire(LockMode::Shared, t, t + Duration::from_millis(60)),
            Err(StorageError::Busy { .. })
        ));
        drop(held);
        let t = Instant::now();
        let g = waiter
            .acquire(LockMode::Exclusive, t, t + Duration::from_secs(1))
            .expect("the lock passes on once released");
        assert_eq!(g.mode, LockMode::Exclusive);
        drop(g);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A waiter on SMB that swaps its handles after a long wait still waits for a real holder,
    /// and still gets the lock once it is released.
    #[test]
    fn reopening_during_a_long_wait_keeps_exclusion() {
        let dir = scratch("reopen");
        let mut waiter = ShareLock::open(&dir).unwrap();
        waiter.smb = true;
        let (taken, on_taken) = std::sync::mpsc::channel();
        let (let_go, on_let_go) = std::sync::mpsc::channel::<()>();
        let holder_dir = dir.clone();
        let holder = std::thread::spawn(move || {
            let lock = ShareLock::open(&holder_dir).unwrap();
            let now = Instant::now();
            let held = lock
                .acquire(LockMode::Exclusive, now, now + Duration::from_secs(1))
                .unwrap();
            taken.send(()).unwrap();
            on_let_go.recv().unwrap();
            std::thread::sleep(SMB_REOPEN_AFTER + Duration::from_millis(200));
            drop(held);
        });
        on_taken.recv().unwrap();
        // Waits past one reopen, and is still refused.
        let t = Instant::now();
        let r = waiter.acquire(
            LockMode::Shared,
            t,
            t + SMB_REOPEN_AFTER + Duration::from_millis(300),
        );
        assert!(
            matches!(r, Err(StorageError::Busy { .. })),
            "granted past a holder"
        );
        assert!(t.elapsed() >= SMB_REOPEN_AFTER);
        // Released while the waiter is in its second set of handles: it gets the lock.
        let_go.send(()).unwrap();
        let t = Instant::now();
        let g = waiter
            .acquire(LockMode::Exclusive, t, t + Duration::from_secs(10))
            .expect("granted once the holder lets go");
        assert!(t.elapsed() >= SMB_REOPEN_AFTER, "granted while held");
        holder.join().unwrap();
        let other = ShareLock::open(&dir).unwrap();
        let t = Instant::now();
        assert!(matches!(
            other.acquire(LockMode::Shared, t, t + Duration::from_millis(60)),
            Err(StorageError::Busy { .. })
        ));
        drop(g);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
