//! A backend in memory that keeps, per file, the bytes written and the bytes made durable by
//! fsync, and can cut the power: the power-cut tests' disk (after redb's
//! `tests/crash_consistency.rs`).
//!
//! Every file holds what a reader sees now (`data`), what survived the last completed fsync of
//! that file (`durable`), and the writes and truncations done since then, in order (`pending`).
//! [`PowerCutBackend::cut_at_sync`] arms a cut: the N-th fsync from then on does not happen, and
//! it and every later operation fail, as if the machine had lost power right there. A
//! [`PowerCutBackend::crash_image`] then builds the disk a restart would find: each file's
//! durable bytes plus any subset of its pending operations, each one whole, missing, or torn (a
//! random prefix, or random 512-byte sectors of it) — what a disk with a volatile write cache may
//! leave. A file that was created and never fsynced may be missing altogether.
//!
//! SIGKILL tests cannot show a dropped or reordered fsync: the page cache survives the process.
//! This backend is where a missing fsync, or one in the wrong place, becomes a failing test.

use std::collections::BTreeMap;
use std::io;
use std::sync::{Arc, Mutex};

use super::backend::{Backend, BackendFile};

/// One operation not yet made durable.
#[derive(Debug, Clone)]
enum Pending {
    Write { offset: u64, bytes: Vec<u8> },
    SetLen(u64),
}

#[derive(Debug, Clone, Default)]
struct MemFile {
    data: Vec<u8>,
    durable: Vec<u8>,
    /// Whether the file has been fsynced since it was created (its name is then durable too).
    ever_synced: bool,
    pending: Vec<Pending>,
}

#[derive(Debug, Clone, Default)]
struct State {
    files: BTreeMap<String, MemFile>,
    /// fsyncs completed since the cut was armed.
    syncs: u64,
    /// The fsync (1-based, counted from arming) that does not happen.
    cut_at: Option<u64>,
    /// The power is off: every operation fails.
    off: bool,
}

/// How [`PowerCutBackend::crash_image`] treats the operations that were not made durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CutMode {
    /// Nothing unsynced survives.
    DropAll,
    /// Everything written survives (the page cache reached the disk after all).
    KeepAll,
    /// Each unsynced operation independently survives whole, is lost, or is torn; `seed` picks.
    Random { seed: u64 },
}

/// See the module documentation.
#[derive(Clone, Default)]
pub struct PowerCutBackend {
    state: Arc<Mutex<State>>,
}

impl PowerCutBackend {
    pub fn new() -> Self {
        Self::default()
    }

    /// An independent copy of this disk as it is now (pending operations included).
    pub fn fork(&self) -> PowerCutBackend {
        let s = self.lock().clone();
        PowerCutBackend {
            state: Arc::new(Mutex::new(State {
                syncs: 0,
                cut_at: None,
                off: false,
                ..s
            })),
        }
    }

    /// Cuts the power at the `n`-th fsync from now (1-based): that fsync and everything after it
    /// fail. `None`: never.
    pub fn cut_at_sync(&self, n: Option<u64>) {
        let mut s = self.lock();
        s.syncs = 0;
        s.cut_at = n;
    }

    /// The fsyncs completed since the last [`PowerCutBackend::cut_at_sync`].
    pub fn syncs(&self) -> u64 {
        self.lock().syncs
    }

    /// Whether the power has been cut.
    pub fn is_off(&self) -> bool {
        self.lock().off
    }

    /// The number of operations written but not yet made durable, over all files.
    pub fn pending_ops(&self) -> usize {
        self.lock().files.values().map(|f| f.pending.len()).sum()
    }

    /// The disk a restart finds after a cut now (see [`CutMode`]).
    pub fn crash_image(&self, mode: CutMode) -> PowerCutBackend {
        let s = self.lock();
        let mut rng = match mode {
            CutMode::Random { seed } => seed | 1,
            _ => 1,
        };
        let mut next = move || {
            // xorshift64*
            rng ^= rng >> 12;
            rng ^= rng << 25;
            rng ^= rng >> 27;
            rng.wrapping_mul(0x2545_f491_4f6c_dd1d)
        };
        let mut files = BTreeMap::new();
        for (name, f) in &s.files {
            let mut data = f.durable.clone();
            let survives_name = f.ever_synced
                || match mode {
                    CutMode::KeepAll => true,
                    CutMode::DropAll => false,
                    CutMode::Random { .. } => next() % 2 == 0,
                };
            if !survives_name {
                continue;
            }
            for op in &f.pending {
                let keep = match mode {
                    CutMode::DropAll => Keep::None,
                    CutMode::KeepAll => Keep::All,
                    CutMode::Random { .. } => match next() % 4 {
                        0 => Keep::None,
                        1 => Keep::Prefix(next()),
                        2 => Keep::Sectors(next()),
                        _ => Keep::All,
                    },
                };
                apply(&mut data, op, keep);
            }
            files.insert(
                name.clone(),
                MemFile {
                    durable: data.clone(),
                    data,
                    ever_synced: true,
                    pending: Vec::new(),
                },
            );
        }
        PowerCutBackend {
            state: Arc::new(Mutex::new(State {
                files,
                ..State::default()
            })),
        }
    }

    /// The bytes of a file as a reader sees them now (`None`: no such file).
    pub fn contents(&self, name: &str) -> Option<Vec<u8>> {
        self.lock().files.get(name).map(|f| f.data.clone())
    }

    /// Replaces a file's bytes, durably (tests that damage a file on purpose).
    pub fn put(&self, name: &str, bytes: Vec<u8>) {
        self.lock().files.insert(
            name.into(),
            MemFile {
                durable: bytes.clone(),
                data: bytes,
                ever_synced: true,
                pending: Vec::new(),
            },
        );
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[derive(Clone, Copy)]
enum Keep {
    None,
    All,
    /// A prefix of the write, of length `n % (len + 1)`.
    Prefix(u64),
    /// The 512-byte sectors whose bit is set in the mask (cycled).
    Sectors(u64),
}

fn apply(data: &mut Vec<u8>, op: &Pending, keep: Keep) {
    match (op, keep) {
        (_, Keep::None) => {}
        (Pending::SetLen(n), _) => data.resize(*n as usize, 0),
        (Pending::Write { offset, bytes }, Keep::All) => write_into(data, *offset, bytes),
        (Pending::Write { offset, bytes }, Keep::Prefix(n)) => {
            let n = (n % (bytes.len() as u64 + 1)) as usize;
            write_into(data, *offset, &bytes[..n]);
        }
        (Pending::Write { offset, bytes }, Keep::Sectors(mask)) => {
            for (i, chunk) in bytes.chunks(512).enumerate() {
                if mask >> (i % 64) & 1 == 1 {
                    write_into(data, offset + (i * 512) as u64, chunk);
                }
            }
        }
    }
}

fn write_into(data: &mut Vec<u8>, offset: u64, bytes: &[u8]) {
    let end = offset as usize + bytes.len();
    if data.len() < end {
        data.resize(end, 0);
    }
    data[offset as usize..end].copy_from_slice(bytes);
}

fn power_off() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "corte de energía simulado")
}

struct PowerCutFile {
    state: Arc<Mutex<State>>,
    name: String,
}

impl PowerCutFile {
    fn with<T>(&self, f: impl FnOnce(&mut State, &str) -> io::Result<T>) -> io::Result<T> {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if s.off {
            return Err(power_off());
        }
        f(&mut s, &self.name)
    }
}

impl BackendFile for PowerCutFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        self.with(|s, name| {
            let f = s.files.get(name).ok_or(io::ErrorKind::NotFound)?;
            let end = offset as usize + buf.len();
            if end > f.data.len() {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            buf.copy_from_slice(&f.data[offset as usize..end]);
            Ok(())
        })
    }
    fn write_at(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        self.with(|s, name| {
            let f = s.files.get_mut(name).ok_or(io::ErrorKind::NotFound)?;
            write_into(&mut f.data, offset, data);
            f.pending.push(Pending::Write {
                offset,
                bytes: data.to_vec(),
            });
            Ok(())
        })
    }
    fn set_len(&self, len: u64) -> io::Result<()> {
        self.with(|s, name| {
            let f = s.files.get_mut(name).ok_or(io::ErrorKind::NotFound)?;
            f.data.resize(len as usize, 0);
            f.pending.push(Pending::SetLen(len));
            Ok(())
        })
    }
    fn sync(&self) -> io::Result<()> {
        self.with(|s, name| {
            if s.cut_at == Some(s.syncs + 1) {
                s.off = true;
                return Err(power_off());
            }
            s.syncs += 1;
            let f = s.files.get_mut(name).ok_or(io::ErrorKind::NotFound)?;
            f.durable = f.data.clone();
            f.pending.clear();
            f.ever_synced = true;
            Ok(())
        })
    }
    fn len(&self) -> io::Result<u64> {
        self.with(|s, name| {
            let f = s.files.get(name).ok_or(io::ErrorKind::NotFound)?;
            Ok(f.data.len() as u64)
        })
    }
}

impl Backend for PowerCutBackend {
    fn open(&self, name: &str) -> io::Result<Arc<dyn BackendFile>> {
        self.open_rw(name)
    }
    fn open_rw(&self, name: &str) -> io::Result<Arc<dyn BackendFile>> {
        let s = self.lock();
        if s.off {
            return Err(power_off());
        }
        if !s.files.contains_key(name) {
            return Err(io::ErrorKind::NotFound.into());
        }
        Ok(Arc::new(PowerCutFile {
            state: self.state.clone(),
            name: name.into(),
        }))
    }
    fn open_or_create(&self, name: &str) -> io::Result<Arc<dyn BackendFile>> {
        let mut s = self.lock();
        if s.off {
            return Err(power_off());
        }
        s.files.entry(name.into()).or_default();
        Ok(Arc::new(PowerCutFile {
            state: self.state.clone(),
            name: name.into(),
        }))
    }
    fn describe(&self) -> String {
        "disco simulado en memoria".into()
    }
    // The blob store's operations. Names are flat keys ("FOTOS/abc"); a rename or a delete is
    // taken as durable at once (the blob store's crash safety rests on the commit that follows,
    // not on directory fsyncs, which this disk does not model).
    fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        let mut s = self.lock();
        if s.off {
            return Err(power_off());
        }
        let f = s.files.remove(from).ok_or(io::ErrorKind::NotFound)?;
        s.files.insert(to.into(), f);
        Ok(())
    }
    fn remove(&self, name: &str) -> io::Result<()> {
        let mut s = self.lock();
        if s.off {
            return Err(power_off());
        }
        s.files
            .remove(name)
            .map(|_| ())
            .ok_or_else(|| io::ErrorKind::NotFound.into())
    }
    fn list(&self, dir: &str) -> io::Result<Vec<String>> {
        let s = self.lock();
        if s.off {
            return Err(power_off());
        }
        let prefix = format!("{dir}/");
        Ok(s.files
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .filter(|k| !k.contains('/'))
            .map(String::from)
            .collect())
    }
    fn create_dir(&self, _dir: &str) -> io::Result<()> {
        if self.lock().off {
            return Err(power_off());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsynced_writes_are_lost_or_torn_and_synced_ones_stay() {
        let d = PowerCutBackend::new();
        let f = d.open_or_create("A").unwrap();
        f.write_at(0, &[1; 1024]).unwrap();
        f.sync().unwrap();
        f.write_at(0, &[2; 1024]).unwrap();
        assert_eq!(
            d.crash_image(CutMode::DropAll).contents("A").unwrap(),
            vec![1; 1024]
        );
        assert_eq!(
            d.crash_image(CutMode::KeepAll).contents("A").unwrap(),
            vec![2; 1024]
        );
        let mut torn = false;
        for seed in 0..64 {
            let c = d
                .crash_image(CutMode::Random { seed })
                .contents("A")
                .unwrap();
            assert_eq!(c.len(), 1024);
            torn |= c.contains(&1) && c.contains(&2);
        }
        assert!(torn, "some image must hold a torn write");
    }

    #[test]
    fn the_cut_sync_and_everything_after_fail() {
        let d = PowerCutBackend::new();
        let f = d.open_or_create("A").unwrap();
        d.cut_at_sync(Some(2));
        f.write_at(0, b"x").unwrap();
        f.sync().unwrap();
        f.write_at(0, b"y").unwrap();
        assert!(f.sync().is_err());
        assert!(f.write_at(0, b"z").is_err());
        assert!(d.is_off());
        assert_eq!(d.crash_image(CutMode::DropAll).contents("A").unwrap(), b"x");
        // A file created and never fsynced may vanish.
        let d = PowerCutBackend::new();
        d.open_or_create("B").unwrap().write_at(0, b"b").unwrap();
        assert!(d.crash_image(CutMode::DropAll).contents("B").is_none());
    }
}
