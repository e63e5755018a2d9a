//! All file I/O of the share goes through one small trait, [`Backend`].
//!
//! The real implementation is [`FsBackend`] (a folder, local or on an SMB/NFS share). Tests put
//! [`FaultyBackend`] underneath to fail the N-th read, write or fsync — a share that drops in the
//! middle of a commit — and [`CountingBackend`] counts every operation so that transactions and
//! benchmarks can report their reads, writes and fsyncs.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// One open file of the share. Offsets are absolute; reads are exact.
pub trait BackendFile: Send + Sync {
    /// Reads exactly `buf.len()` bytes at `offset`; a short file gives `UnexpectedEof`.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()>;
    /// Writes all of `data` at `offset`, extending the file if needed.
    fn write_at(&self, offset: u64, data: &[u8]) -> io::Result<()>;
    /// Truncates or extends the file.
    fn set_len(&self, len: u64) -> io::Result<()>;
    /// Flushes data to stable storage (on a share: to the server's disk).
    fn sync(&self) -> io::Result<()>;
    /// Current length as the file system reports it (diagnostics only; never trusted for
    /// correctness because SMB clients cache sizes).
    fn len(&self) -> io::Result<u64>;
}

/// The folder that holds the share's files.
pub trait Backend: Send + Sync {
    /// Opens an existing file for reading only; `NotFound` if it does not exist.
    ///
    /// Transactions read through read-only handles and open files for writing only inside a
    /// commit (closing them before the lock is released): the Linux NFS client does not
    /// invalidate its cache of a file while a process of the same client has it open for
    /// writing, and a read-only terminal (a kiosk, a read-only mount) can still read.
    fn open(&self, name: &str) -> io::Result<Arc<dyn BackendFile>>;
    /// Opens an existing file for reading and writing; `NotFound` if it does not exist.
    fn open_rw(&self, name: &str) -> io::Result<Arc<dyn BackendFile>>;
    /// Opens a file for reading and writing, creating it empty if it does not exist.
    fn open_or_create(&self, name: &str) -> io::Result<Arc<dyn BackendFile>>;
    /// Human readable location, for error messages.
    fn describe(&self) -> String;
    /// Renames `from` to `to`, replacing `to` (atomic at the file server). Blob store only.
    fn rename(&self, from: &str, to: &str) -> io::Result<()>;
    /// Deletes the file `name`. Blob store only.
    fn remove(&self, name: &str) -> io::Result<()>;
    /// The names of the files in the sub-folder `dir`; `NotFound` if it does not exist.
    fn list(&self, dir: &str) -> io::Result<Vec<String>>;
    /// Creates the sub-folder `dir` if it does not exist.
    fn create_dir(&self, dir: &str) -> io::Result<()>;
}

/// Files in a folder of the local or network file system.
pub struct FsBackend {
    dir: PathBuf,
    direct_io: bool,
}

impl FsBackend {
    /// The folder `dir`, with direct I/O where its file system needs it
    /// ([`super::fsinfo::FsInfo::policy`]).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        let direct_io = super::fsinfo::probe(&dir).policy().direct_io;
        FsBackend { dir, direct_io }
    }
    /// The folder `dir`, with direct I/O on or off as asked.
    pub fn with_direct_io(dir: impl Into<PathBuf>, direct_io: bool) -> Self {
        FsBackend {
            dir: dir.into(),
            direct_io,
        }
    }
    pub fn dir(&self) -> &Path {
        &self.dir
    }
    pub fn direct_io(&self) -> bool {
        self.direct_io
    }
    fn open_file(&self, name: &str, write: bool, create: bool) -> io::Result<Arc<dyn BackendFile>> {
        let mut o = OpenOptions::new();
        o.read(true);
        if write {
            o.write(true).create(create).truncate(false);
        }
        let f = open_maybe_direct(&mut o, &self.dir.join(name), self.direct_io)?;
        Ok(Arc::new(FsFile(f)))
    }
}

/// Opens with `O_DIRECT` (Linux) / `F_NOCACHE` (macOS) when `direct`: the client's page cache is
/// bypassed, so reads come from the server and writes send exactly their own bytes.
pub fn open_maybe_direct(o: &mut OpenOptions, path: &Path, direct: bool) -> io::Result<File> {
    #[cfg(target_os = "linux")]
    if direct {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_DIRECT);
    }
    let f = o.open(path)?;
    #[cfg(target_os = "macos")]
    if direct {
        use std::os::fd::AsRawFd;
        // SAFETY: fcntl on a descriptor we own; F_NOCACHE takes an int argument.
        unsafe { libc::fcntl(f.as_raw_fd(), libc::F_NOCACHE, 1) };
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos")))]
    let _ = direct;
    Ok(f)
}

struct FsFile(File);

impl BackendFile for FsFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        read_exact_at(&self.0, offset, buf)
    }
    fn write_at(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        write_all_at(&self.0, offset, data)
    }
    fn set_len(&self, len: u64) -> io::Result<()> {
        self.0.set_len(len)
    }
    fn sync(&self) -> io::Result<()> {
        self.0.sync_data()
    }
    fn len(&self) -> io::Result<u64> {
        Ok(self.0.metadata()?.len())
    }
}

#[cfg(unix)]
fn read_exact_at(f: &File, offset: u64, buf: &mut [u8]) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(f, buf, offset)
}
#[cfg(unix)]
fn write_all_at(f: &File, offset: u64, data: &[u8]) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(f, data, offset)
}
#[cfg(windows)]
fn read_exact_at(f: &File, mut offset: u64, mut buf: &mut [u8]) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match f.seek_read(buf, offset)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}
#[cfg(windows)]
fn write_all_at(f: &File, mut offset: u64, mut data: &[u8]) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !data.is_empty() {
        let n = f.seek_write(data, offset)?;
        data = &data[n..];
        offset += n as u64;
    }
    Ok(())
}

impl Backend for FsBackend {
    fn open(&self, name: &str) -> io::Result<Arc<dyn BackendFile>> {
        self.open_file(name, false, false)
    }
    fn open_rw(&self, name: &str) -> io::Result<Arc<dyn BackendFile>> {
        self.open_file(name, true, false)
    }
    fn open_or_create(&self, name: &str) -> io::Result<Arc<dyn BackendFile>> {
        self.open_file(name, true, true)
    }
    fn describe(&self) -> String {
        self.dir.display().to_string()
    }
    fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        let to = self.dir.join(to);
        std::fs::rename(self.dir.join(from), &to)?;
        // Make the new name durable where the platform allows syncing a folder.
        #[cfg(unix)]
        if let Some(parent) = to.parent() {
            File::open(parent)?.sync_all()?;
        }
        Ok(())
    }
    fn remove(&self, name: &str) -> io::Result<()> {
        std::fs::remove_file(self.dir.join(name))
    }
    fn list(&self, dir: &str) -> io::Result<Vec<String>> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(self.dir.join(dir))? {
            let e = e?;
            if e.file_type()?.is_file() {
                out.push(e.file_name().to_string_lossy().into_owned());
            }
        }
        Ok(out)
    }
    fn create_dir(&self, dir: &str) -> io::Result<()> {
        match std::fs::create_dir(self.dir.join(dir)) {
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
            r => r,
        }
    }
}

/// Counts of I/O operations; cheap atomics, read before and after a transaction.
#[derive(Debug, Default)]
pub struct IoCounters {
    pub reads: AtomicU64,
    pub writes: AtomicU64,
    pub syncs: AtomicU64,
    pub bytes_read: AtomicU64,
    pub bytes_written: AtomicU64,
}

/// A snapshot (or a difference) of [`IoCounters`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct IoStats {
    pub reads: u64,
    pub writes: u64,
    pub syncs: u64,
    pub bytes_read: u64,
    pub bytes_written: u64,
}

impl IoCounters {
    pub fn snapshot(&self) -> IoStats {
        IoStats {
            reads: self.reads.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            syncs: self.syncs.load(Ordering::Relaxed),
            bytes_read: self.bytes_read.load(Ordering::Relaxed),
            bytes_written: self.bytes_written.load(Ordering::Relaxed),
        }
    }
}

impl IoStats {
    /// What happened between `earlier` and `self`.
    pub fn since(&self, earlier: &IoStats) -> IoStats {
        IoStats {
            reads: self.reads - earlier.reads,
            writes: self.writes - earlier.writes,
            syncs: self.syncs - earlier.syncs,
            bytes_read: self.bytes_read - earlier.bytes_read,
            bytes_written: self.bytes_written - earlier.bytes_written,
        }
    }
}

/// Wraps a backend and counts every read, write and fsync.
pub struct CountingBackend {
    inner: Arc<dyn Backend>,
    counters: Arc<IoCounters>,
}

impl CountingBackend {
    pub fn new(inner: Arc<dyn Backend>) -> Self {
        CountingBackend {
            inner,
            counters: Arc::new(IoCounters::default()),
        }
    }
    pub fn counters(&self) -> &Arc<IoCounters> {
        &self.counters
    }
}

struct CountingFile {
    inner: Arc<dyn BackendFile>,
    counters: Arc<IoCounters>,
}

impl BackendFile for CountingFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        self.counters.reads.fetch_add(1, Ordering::Relaxed);
        self.counters
            .bytes_read
            .fetch_add(buf.len() as u64, Ordering::Relaxed);
        self.inner.read_at(offset, buf)
    }
    fn write_at(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        self.counters.writes.fetch_add(1, Ordering::Relaxed);
        self.counters
            .bytes_written
            .fetch_add(data.len() as u64, Ordering::Relaxed);
        self.inner.write_at(offset, data)
    }
    fn set_len(&self, len: u64) -> io::Result<()> {
        self.counters.writes.fetch_add(1, Ordering::Relaxed);
        self.inner.set_len(len)
    }
    fn sync(&self) -> io::Result<()> {
        self.counters.syncs.fetch_add(1, Ordering::Relaxed);
        self.inner.sync()
    }
    fn len(&self) -> io::Result<u64> {
        self.inner.len()
    }
}

impl Backend for CountingBackend {
    fn open(&self, name: &str) -> io::Result<Arc<dyn BackendFile>> {
        let inner = self.inner.open(name)?;
        Ok(Arc::new(CountingFile {
            inner,
            counters: self.counters.clone(),
        }))
    }
    fn open_rw(&self, name: &str) -> io::Result<Arc<dyn BackendFile>> {
        let inner = self.inner.open_rw(name)?;
        Ok(Arc::new(CountingFile {
            inner,
            counters: self.counters.clone(),
        }))
    }
    fn open_or_create(&self, name: &str) -> io::Result<Arc<dyn BackendFile>> {
        let inner = self.inner.open_or_create(name)?;
        Ok(Arc::new(CountingFile {
            inner,
            counters: self.counters.clone(),
        }))
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        self.counters.writes.fetch_add(1, Ordering::Relaxed);
        self.inner.rename(from, to)
    }
    fn remove(&self, name: &str) -> io::Result<()> {
        self.counters.writes.fetch_add(1, Ordering::Relaxed);
        self.inner.remove(name)
    }
    fn list(&self, dir: &str) -> io::Result<Vec<String>> {
        self.counters.reads.fetch_add(1, Ordering::Relaxed);
        self.inner.list(dir)
    }
    fn create_dir(&self, dir: &str) -> io::Result<()> {
        self.counters.writes.fetch_add(1, Ordering::Relaxed);
        self.inner.create_dir(dir)
    }
}

/// Which operation a [`FaultyBackend`] counts towards its failure point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    Read,
    Write,
    Sync,
    /// Any of the three.
    Any,
}

/// A backend that fails the N-th operation of a kind, and every operation after it (the share
/// went away). Used by the I/O error tests; the failing operation does nothing.
pub struct FaultyBackend {
    inner: Arc<dyn Backend>,
    state: Arc<FaultState>,
}

struct FaultState {
    kind: FaultKind,
    fail_at: AtomicU64,
    seen: AtomicU64,
    tripped: std::sync::atomic::AtomicBool,
}

impl FaultyBackend {
    /// Fails the `n`-th (1-based) operation of `kind` counted from now, and all later ones.
    pub fn new(inner: Arc<dyn Backend>, kind: FaultKind, n: u64) -> Self {
        FaultyBackend {
            inner,
            state: Arc::new(FaultState {
                kind,
                fail_at: AtomicU64::new(n),
                seen: AtomicU64::new(0),
                tripped: Default::default(),
            }),
        }
    }
    /// Moves the failure point to the `n`-th operation counted from now (u64::MAX: never).
    pub fn arm(&self, n: u64) {
        self.state.seen.store(0, Ordering::SeqCst);
        self.state.tripped.store(false, Ordering::SeqCst);
        self.state.fail_at.store(n, Ordering::SeqCst);
    }
    /// Whether the failure point was reached.
    pub fn tripped(&self) -> bool {
        self.state.tripped.load(Ordering::SeqCst)
    }
}

impl FaultState {
    fn check(&self, kind: FaultKind) -> io::Result<()> {
        if self.tripped.load(Ordering::SeqCst) {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "la carpeta compartida dejó de responder (falla simulada)",
            ));
        }
        if self.kind == FaultKind::Any || self.kind == kind {
            let n = self.seen.fetch_add(1, Ordering::SeqCst) + 1;
            if n >= self.fail_at.load(Ordering::SeqCst) {
                self.tripped.store(true, Ordering::SeqCst);
                return Err(io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    "la carpeta compartida dejó de responder (falla simulada)",
                ));
            }
        }
        Ok(())
    }
}

struct FaultyFile {
    inner: Arc<dyn BackendFile>,
    state: Arc<FaultState>,
}

impl BackendFile for FaultyFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        self.state.check(FaultKind::Read)?;
        self.inner.read_at(offset, buf)
    }
    fn write_at(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        self.state.check(FaultKind::Write)?;
        self.inner.write_at(offset, data)
    }
    fn set_len(&self, len: u64) -> io::Result<()> {
        self.state.check(FaultKind::Write)?;
        self.inner.set_len(len)
    }
    fn sync(&self) -> io::Result<()> {
        self.state.check(FaultKind::Sync)?;
        self.inner.sync()
    }
    fn len(&self) -> io::Result<u64> {
        self.inner.len()
    }
}

impl Backend for FaultyBackend {
    fn open(&self, name: &str) -> io::Result<Arc<dyn BackendFile>> {
        let inner = self.inner.open(name)?;
        Ok(Arc::new(FaultyFile {
            inner,
            state: self.state.clone(),
        }))
    }
    fn open_rw(&self, name: &str) -> io::Result<Arc<dyn BackendFile>> {
        let inner = self.inner.open_rw(name)?;
        Ok(Arc::new(FaultyFile {
            inner,
            state: self.state.clone(),
        }))
    }
    fn open_or_create(&self, name: &str) -> io::Result<Arc<dyn BackendFile>> {
        let inner = self.inner.open_or_create(name)?;
        Ok(Arc::new(FaultyFile {
            inner,
            state: self.state.clone(),
        }))
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        self.state.check(FaultKind::Write)?;
        self.inner.rename(from, to)
    }
    fn remove(&self, name: &str) -> io::Result<()> {
        self.state.check(FaultKind::Write)?;
        self.inner.remove(name)
    }
    fn list(&self, dir: &str) -> io::Result<Vec<String>> {
        self.state.check(FaultKind::Read)?;
        self.inner.list(dir)
    }
    fn create_dir(&self, dir: &str) -> io::Result<()> {
        self.state.check(FaultKind::Write)?;
        self.inner.create_dir(dir)
    }
}
