//! The write lease: a second, lock-independent guard for writers.
//!
//! Some shares grant each terminal its flock without telling the others (NFS without a lock
//! daemon, some SMB set-ups, FUSE mounts such as sshfs). On those, two writers could both hold
//! the "exclusive" lock. To notice this, a writer that holds the OS lock also creates the file
//! `VENTALIBRE.OWN` with an exclusive create (`O_CREAT|O_EXCL`, SMB `FILE_CREATE`, SFTP
//! `SSH_FXF_EXCL`) — an atomic test-and-set decided by the file server, the same guard Git's
//! `index.lock` and mail spools' dot-locks rely on on network file systems. The file records who
//! holds it (terminal, boot id, process id and start time, a random token) and a heartbeat that
//! a background thread renews while the lease is held. The holder removes it before it releases
//! the OS lock.
//!
//! A newcomer that holds the OS lock and still finds a lease on record watches it for the lease
//! timeout. A heartbeat that moves proves a live holder that the OS lock did not exclude: the
//! newcomer refuses with [`StorageError::LocksNotShared`] and writes nothing. A record that
//! disappears was a release the newcomer saw late (an SMB or NFS client may show a deleted file
//! for a moment, and a file still open elsewhere stays "delete pending" on an SMB server): it
//! retries. A record that neither moves nor goes (or whose process is known dead: same boot id,
//! no such process) was left by a terminal switched off in mid-write: it is broken by renaming it
//! away, and the newcomer retries. The holder's own process being alive proves nothing by itself
//! (it may have released the lease and gone on working), so it is never taken as proof.
//!
//! The record is read and written with direct I/O where the file system needs it
//! ([`super::fsinfo`]), so what a terminal reads is what the server holds. It is never fsynced:
//! its durability does not matter (a lease left by a power cut is stale and gets broken), and
//! every write reaches the server before another terminal can read it (direct I/O on NFS; on SMB
//! the server breaks the writer's caching lease before another client opens the file).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::backend::open_maybe_direct;
use super::codec::{Dec, Enc};
use super::crc::crc32c;
use super::error::{Result, StorageError};
use super::ident::ProcessIdentity;

pub const LEASE_FILE: &str = "VENTALIBRE.OWN";
const LEASE_MAGIC: [u8; 8] = *b"VLLEASE\0";
pub const LEASE_SIZE: usize = 192;

/// The record inside `VENTALIBRE.OWN`.
///
/// ```text
/// 0   8   magic "VLLEASE\0"
/// 8   8   token (random, unique to this acquisition)
/// 16  8   heartbeat (incremented by the holder while it holds the lease)
/// 24  8   acquired, Unix ms
/// 32  4   process id
/// 36  4   reserved
/// 40  8   process start time (clock ticks since boot, Linux; 0 elsewhere)
/// 48  40  boot id of the holder's machine (ASCII)
/// 88  64  terminal name (UTF-8)
/// 152 36  reserved
/// 188 4   CRC-32C of bytes 0..188
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseRecord {
    pub token: u64,
    pub heartbeat: u64,
    pub acquired_ms: i64,
    pub pid: u32,
    pub start_time: u64,
    pub boot_id: String,
    pub terminal: String,
}

impl LeaseRecord {
    pub fn encode(&self) -> [u8; LEASE_SIZE] {
        let mut b = [0u8; LEASE_SIZE];
        let mut e = Enc::new(&mut b);
        e.bytes(&LEASE_MAGIC)
            .u64(self.token)
            .u64(self.heartbeat)
            .i64(self.acquired_ms);
        e.u32(self.pid).u32(0).u64(self.start_time);
        e.str_lossy(&self.boot_id, 40)
            .str_lossy(&self.terminal, 64)
            .zeros(36);
        let crc = crc32c(&b[..LEASE_SIZE - 4]);
        b[LEASE_SIZE - 4..].copy_from_slice(&crc.to_le_bytes());
        b
    }

    pub fn decode(b: &[u8]) -> Option<LeaseRecord> {
        if b.len() < LEASE_SIZE || b[..8] != LEASE_MAGIC {
            return None;
        }
        let crc = u32::from_le_bytes(b[LEASE_SIZE - 4..LEASE_SIZE].try_into().ok()?);
        if crc != crc32c(&b[..LEASE_SIZE - 4]) {
            return None;
        }
        let mut d = Dec::at(b, 8);
        let token = d.u64();
        let heartbeat = d.u64();
        let acquired_ms = d.i64();
        let pid = d.u32();
        d.skip(4);
        let start_time = d.u64();
        let boot_id = d.str(40);
        let terminal = d.str(64);
        Some(LeaseRecord {
            token,
            heartbeat,
            acquired_ms,
            pid,
            start_time,
            boot_id,
            terminal,
        })
    }

    fn describe(&self) -> String {
        format!("la terminal «{}» (proceso {})", self.terminal, self.pid)
    }
}

/// Timing of the lease.
#[derive(Debug, Clone, Copy)]
pub struct LeaseTiming {
    /// How often the holder renews its heartbeat.
    pub renew: Duration,
    /// How long a newcomer watches a heartbeat of another machine before calling it dead.
    pub timeout: Duration,
}

/// A held lease; dropping it stops the heartbeat and removes the lease file.
pub struct Lease {
    path: PathBuf,
    direct: bool,
    token: u64,
    stop: Arc<AtomicBool>,
    heart: Option<JoinHandle<()>>,
}

impl Lease {
    /// Confirms, just before the holder writes, that the lease on record is still this one. A
    /// holder that stalled between creating the lease file and writing its record (a loaded
    /// network share) can have been judged stale by another terminal and broken; it must then
    /// write nothing.
    pub fn confirm(&self) -> Result<()> {
        let gone = || match self.path.parent() {
            // The share itself went away (unmounted, server down): that is not a lock problem.
            // A lazy unmount leaves an empty mount point: a folder, but no share in it.
            Some(dir) if !dir.is_dir() || !dir.join(super::ctl::CTL_FILE).exists() => {
                StorageError::Unreachable {
                    dir: dir.display().to_string(),
                    source: io::Error::new(
                        io::ErrorKind::NotFound,
                        "la carpeta compartida dejó de estar disponible (¿se desconectó?)",
                    ),
                }
            }
            _ => StorageError::LocksNotShared {
                holder: "otra terminal".into(),
            },
        };
        match read_record(&self.path, self.direct) {
            Ok(Some(r)) if r.token == self.token => Ok(()),
            Ok(Some(r)) => Err(StorageError::LocksNotShared {
                holder: r.describe(),
            }),
            Ok(None) => Err(StorageError::LocksNotShared {
                holder: "otra terminal".into(),
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(gone()),
            Err(e) => Err(lease_err(e)),
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.heart.take() {
            h.thread().unpark();
            let _ = h.join();
        }
        // Remove the file only if it is still ours (a mistaken breaker could have replaced it).
        if read_record(&self.path, self.direct)
            .ok()
            .flatten()
            .is_some_and(|r| r.token == self.token)
        {
            let _ = fs::remove_file(&self.path);
        }
    }
}

fn read_record(path: &Path, direct: bool) -> io::Result<Option<LeaseRecord>> {
    let mut f = open_maybe_direct(OpenOptions::new().read(true), path, direct)?;
    let mut b = Vec::with_capacity(LEASE_SIZE);
    f.read_to_end(&mut b)?;
    Ok(LeaseRecord::decode(&b))
}

/// Whether the holder described by `rec` is still running.
enum Liveness {
    Alive,
    Dead,
    /// The lease disappeared while we watched: its holder released it.
    Gone,
}

fn liveness(
    path: &Path,
    direct: bool,
    rec: &LeaseRecord,
    me: &ProcessIdentity,
    timing: LeaseTiming,
) -> io::Result<Liveness> {
    let same_machine = !rec.boot_id.is_empty() && rec.boot_id == me.boot_id;
    if same_machine && !ProcessIdentity::process_alive(rec.pid, rec.start_time) {
        return Ok(Liveness::Dead);
    }
    // A live holder renews its heartbeat every `renew`; a released lease disappears.
    let until = Instant::now() + timing.timeout;
    while Instant::now() < until {
        std::thread::sleep(timing.renew / 2);
        if same_machine && !ProcessIdentity::process_alive(rec.pid, rec.start_time) {
            return Ok(Liveness::Dead);
        }
        match read_record(path, direct) {
            Ok(Some(now)) if now.token != rec.token || now.heartbeat != rec.heartbeat => {
                return Ok(Liveness::Alive);
            }
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Liveness::Gone),
            Err(e) => return Err(e),
        }
    }
    Ok(Liveness::Dead)
}

fn lease_err(e: io::Error) -> StorageError {
    StorageError::io(LEASE_FILE, "arrendamiento de escritura", e)
}

/// Takes the write lease; the caller already holds the exclusive OS lock. `direct`: read and
/// write the record with direct I/O ([`super::fsinfo::FsPolicy::direct_io`]).
pub fn acquire(
    dir: &Path,
    direct: bool,
    me: &ProcessIdentity,
    timing: LeaseTiming,
    deadline: Instant,
) -> Result<Lease> {
    let path = dir.join(LEASE_FILE);
    let mut odd_failures = 0u32;
    let mut last_odd: Option<io::Error> = None;
    let mut first = true;
    loop {
        if !first && Instant::now() >= deadline {
            return Err(StorageError::Busy { waited_ms: 0 });
        }
        first = false;
        let token = super::ident::random_u64();
        match open_maybe_direct(
            OpenOptions::new().write(true).create_new(true),
            &path,
            direct,
        ) {
            Ok(mut f) => {
                let rec = LeaseRecord {
                    token,
                    heartbeat: 0,
                    acquired_ms: super::ident::now_ms(),
                    pid: std::process::id(),
                    start_time: me.start_time,
                    boot_id: me.boot_id.clone(),
                    terminal: me.terminal.clone(),
                };
                f.write_all(&rec.encode()).map_err(lease_err)?;
                return Ok(start_heartbeat(path, direct, f, rec, timing));
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            // Some network file systems report a lost exclusive create with another error: sshfs
            // turns SFTP's generic failure into EPERM when the file appeared between the
            // kernel's lookup and the create (and its holder may have removed it again by the
            // time we look); an SMB server answers "delete pending" (EACCES/EBUSY here) for a
            // lease its holder deleted while a handle to it was still open. If the file is
            // there, somebody else won; if not, try again until the deadline (a share where this
            // terminal cannot create files fails every time, and says so).
            Err(_) if path.exists() => {}
            Err(e) if Instant::now() < deadline => {
                odd_failures += 1;
                last_odd = Some(e);
                std::thread::sleep(Duration::from_millis(if odd_failures < 20 {
                    5
                } else {
                    20
                }));
                continue;
            }
            Err(e) => return Err(lease_err(last_odd.unwrap_or(e))),
        }
        // Somebody is on record. Read who.
        let rec = match read_record(&path, direct) {
            Ok(Some(r)) => r,
            Ok(None) => {
                // Being written right now, or a torn record left by a crash. Only a record that
                // stays unreadable for the whole lease timeout is stale: breaking one that is
                // still being written (slow on a loaded network share) would let two writers in.
                match wait_readable(&path, direct, timing).map_err(lease_err)? {
                    Some(r) => r,
                    None if path.exists() => {
                        break_stale(&path, direct, None)?;
                        continue;
                    }
                    None => continue,
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(lease_err(e)),
        };
        match liveness(&path, direct, &rec, me, timing).map_err(lease_err)? {
            Liveness::Alive => {
                return Err(StorageError::LocksNotShared {
                    holder: rec.describe(),
                });
            }
            Liveness::Gone => {}
            Liveness::Dead => break_stale(&path, direct, Some(rec.token))?,
        }
    }
}

/// Polls an unreadable lease record until it reads whole (`Some`), disappears, or the lease
/// timeout passes (`None` for both).
fn wait_readable(
    path: &Path,
    direct: bool,
    timing: LeaseTiming,
) -> io::Result<Option<LeaseRecord>> {
    let until = Instant::now() + timing.timeout;
    loop {
        std::thread::sleep(Duration::from_millis(10));
        match read_record(path, direct) {
            Ok(Some(r)) => return Ok(Some(r)),
            Ok(None) if Instant::now() >= until => return Ok(None),
            Ok(None) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        }
    }
}

/// Moves a stale lease out of the way. The rename is atomic on the server; the renamed file is
/// then checked to be the stale one we judged, and deleted.
fn break_stale(path: &Path, direct: bool, stale_token: Option<u64>) -> Result<()> {
    let aside = path.with_extension(format!("OWN.stale-{:016x}", super::ident::random_u64()));
    match fs::rename(path, &aside) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(lease_err(e)),
    }
    let moved = read_record(&aside, direct).ok().flatten();
    let fresh = match (stale_token, &moved) {
        // We moved a fresh lease taken by another breaker.
        (Some(stale), Some(m)) => m.token != stale,
        // The record we judged unreadable has been written meanwhile: its writer lives.
        (None, Some(_)) => true,
        (_, None) => false,
    };
    if fresh {
        // Put it back if its place is empty.
        let _ = fs::hard_link(&aside, path);
    }
    let _ = fs::remove_file(&aside);
    Ok(())
}

fn start_heartbeat(
    path: PathBuf,
    direct: bool,
    file: File,
    rec: LeaseRecord,
    timing: LeaseTiming,
) -> Lease {
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    let token = rec.token;
    let heart = std::thread::Builder::new()
        .name("ventalibre-lease-heartbeat".into())
        .spawn(move || {
            let mut beat = rec.heartbeat;
            loop {
                std::thread::park_timeout(timing.renew);
                if stop2.load(Ordering::SeqCst) {
                    return;
                }
                beat += 1;
                let r = LeaseRecord {
                    heartbeat: beat,
                    ..rec.clone()
                };
                // The heartbeat rewrites the whole record so a reader never sees a torn one.
                let _ = super::ident::write_all_at(&file, 0, &r.encode());
            }
        })
        .ok();
    Lease {
        path,
        direct,
        token,
        stop,
        heart,
    }
}
