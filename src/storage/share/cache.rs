//! The reader cache: what a terminal has read stays in memory while the share's change counter
//! is unchanged; the [`View`] through which read and write transactions read records.

use crate::storage::fasthash::HashMap;
use std::io;
use std::sync::Arc;

use super::super::backend::BackendFile;
use super::super::changelog;
use super::super::ctl::{CATALOG_OFFSET, CATALOG_SIZE, CTL_FILE, Catalog, CommitState};
use super::super::error::{Result, StorageError};
use super::super::record::{HEADER_SIZE, Header, Slot, decode_slot};
use super::super::wal::{LOG_FILE, LogOverlay, MAX_LOG_BYTES, frames_in};
use super::{Inner, Share};

#[derive(Default)]
pub(super) struct Cache {
    /// The change counter the cache was last validated against.
    pub(super) counter: Option<u64>,
    pub(super) catalog: Option<Catalog>,
    pub(super) files: HashMap<String, FileCache>,
}

pub(super) struct FileCache {
    pub(super) header: Header,
    /// The share change counter at which `header` was read or written.
    pub(super) verified_at: u64,
    /// The share change counter at which `slots` are known valid: the header's counter, or a
    /// later one when the change log pruned what commits since then changed.
    pub(super) slots_valid_at: u64,
    pub(super) slots: HashMap<u64, Slot>,
}

impl Cache {
    pub(super) fn clear(&mut self) {
        *self = Cache::default();
    }
}

pub(super) fn read_err(file: &str, e: io::Error) -> StorageError {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        StorageError::corrupt(
            file,
            "el archivo está truncado: termina antes de lo que indica su cabecera",
        )
    } else {
        StorageError::io(file, "leer", e)
    }
}

/// The open handle of `name`, opened on first use after each change of the share.
/// Runs `f` on a buffer of `len` bytes for one read of a slot or a run of slots. The buffer is the
/// thread's own, kept between runs (up to [`KEPT_RUN_BUFFER`] bytes): a fresh zeroed one per
/// run cost more than the read itself (the allocator's large-chunk path and the zeroing of
/// bytes the read overwrites at once). Its old contents are never seen: the read fills it or
/// fails.
fn with_run_buffer<T>(len: usize, f: impl FnOnce(&mut [u8]) -> Result<T>) -> Result<T> {
    use std::cell::RefCell;
    const KEPT_RUN_BUFFER: usize = 1 << 20;
    thread_local! {
        static RUN: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    // A nested use (none today) would find the buffer taken: it gets its own.
    let mut buf = RUN
        .with(|b| b.try_borrow_mut().map(|mut b| std::mem::take(&mut *b)))
        .unwrap_or_default();
    if buf.len() < len {
        buf.resize(len, 0);
    }
    let out = f(&mut buf[..len]);
    if buf.capacity() <= KEPT_RUN_BUFFER {
        RUN.with(|b| {
            if let Ok(mut b) = b.try_borrow_mut() {
                *b = buf;
            }
        });
    }
    out
}

pub(super) fn handle(share: &Share, inner: &mut Inner, name: &str) -> Result<Arc<dyn BackendFile>> {
    if let Some(h) = inner.handles.get(name) {
        return Ok(h.clone());
    }
    let h = share.backend.open(name).map_err(|e| {
        if e.kind() == io::ErrorKind::NotFound {
            StorageError::corrupt(
                name,
                "figura en el catálogo de la carpeta pero el archivo no está",
            )
        } else {
            StorageError::io(name, "abrir", e)
        }
    })?;
    inner.handles.insert(name.to_string(), h.clone());
    Ok(h)
}

/// Brings the cache in line with the commit state read under the lock. First the redo log:
/// the frames past the end this terminal knows are read (one read of the new bytes) into the
/// overlay, or the whole log when its generation changed. Then the cache: a cache a few commits
/// behind is pruned with the change log (only the records those commits changed are dropped);
/// otherwise every file's header is reread on first use, and a file whose own change counter
/// moved loses its cached slots. Returns whether it read anything from the share.
pub(super) fn revalidate(
    share: &Share,
    inner: &mut Inner,
    ctl: &Arc<dyn BackendFile>,
    state: CommitState,
) -> Result<bool> {
    inner.lamport = inner.lamport.max(state.lamport);
    let old = match inner.cache.counter {
        Some(c) if c == state.counter => return Ok(false),
        Some(c) => Some(c),
        None => None,
    };
    inner.cache.counter = Some(state.counter);
    if !share.keep_handles() {
        // Reopen files after a change (close-to-open: such clients revalidate on open).
        inner.forget_handles();
    }
    let read = sync_log_settled(share, inner, state)?;
    let Some(old) = old else {
        return Ok(read);
    };
    if !prune_with_change_log(inner, ctl, old, state.counter) {
        inner.cache.catalog = None;
        // Without a trustworthy account of what changed, trust no open handle either (a
        // restore or repair may have put new files in place).
        inner.forget_handles();
    }
    Ok(true)
}

/// Waits between the reads of a log that does not yet show what the commit state says: on an
/// SMB mount another client's append reaches this client's cache when the server's lease break
/// does, which the server sends without waiting (seen in the real-share VM: 2 of 80 transfers
/// found the log shorter than the state, once in three runs). Past the last wait it is damage.
const LOG_SETTLE_WAITS_MS: [u64; 4] = [10, 30, 90, 270];

/// [`sync_log`], read again (the handle reopened, after a wait) while the log is shorter than
/// the state says or its last frame is not the state's: a stale client cache, not damage, until
/// the waits run out.
fn sync_log_settled(share: &Share, inner: &mut Inner, state: CommitState) -> Result<bool> {
    let mut waits = LOG_SETTLE_WAITS_MS.iter();
    loop {
        let r = sync_log(share, inner, state);
        let stale = matches!(&r, Err(StorageError::Corrupt { file, .. }) if file == LOG_FILE);
        match waits.next() {
            Some(ms) if stale => {
                inner.handles.remove(LOG_FILE);
                std::thread::sleep(std::time::Duration::from_millis(*ms));
            }
            _ => return r,
        }
    }
}

/// Makes the overlay hold the log's frames up to the end `state` gives.
fn sync_log(share: &Share, inner: &mut Inner, state: CommitState) -> Result<bool> {
    if state.nonce == 0 {
        // Checkpointed (or a format-1 share): the files hold everything.
        inner.log = LogOverlay::default();
        return Ok(false);
    }
    let from = if inner.log.generation == state.nonce && inner.log.end <= state.journal_len {
        inner.log.end
    } else {
        // A new generation (after a checkpoint, which wrote every catalog change into the
        // control file) or a terminal starting cold.
        inner.log = LogOverlay::default();
        0
    };
    if from == state.journal_len {
        return Ok(false);
    }
    let damaged = |d: String| StorageError::corrupt(LOG_FILE, d);
    if state.journal_len - from > MAX_LOG_BYTES {
        return Err(damaged(format!(
            "el estado de la carpeta dice que el registro llega a {} bytes",
            state.journal_len
        )));
    }
    let h = handle(share, inner, LOG_FILE)?;
    let mut raw = vec![0u8; (state.journal_len - from) as usize];
    h.read_at(from, &mut raw)
        .map_err(|e| read_err(LOG_FILE, e))?;
    let frames = frames_in(&raw, state.nonce).map_err(|d| {
        inner.log = LogOverlay::default();
        damaged(d)
    })?;
    if frames
        .last()
        .is_some_and(|(_, _, crc)| *crc != state.journal_crc)
    {
        inner.log = LogOverlay::default();
        return Err(damaged(
            "la última confirmación del registro no es la que indica el estado".into(),
        ));
    }
    for (f, end, _) in frames {
        inner.log.apply(f, from + end as u64);
    }
    inner.log.end = state.journal_len;
    inner.log.generation = state.nonce;
    Ok(true)
}

/// Applies the change log entries of the commits `old + 1 ..= new` to the cache. False when they
/// cannot all be read and trusted (then the caller falls back to rereading headers).
fn prune_with_change_log(
    inner: &mut Inner,
    ctl: &Arc<dyn BackendFile>,
    old: u64,
    new: u64,
) -> bool {
    if new <= old || new - old > changelog::ENTRIES {
        return false;
    }
    let Some(catalog) = inner.cache.catalog.clone() else {
        return false;
    };
    let mut entries = Vec::with_capacity((new - old) as usize);
    let mut c = old + 1;
    while c <= new {
        // One read per contiguous run of the ring.
        let first_slot = c % changelog::ENTRIES;
        let run = (new - c + 1).min(changelog::ENTRIES - first_slot);
        let mut raw = vec![0u8; run as usize * changelog::ENTRY_SIZE];
        if ctl
            .read_at(changelog::Entry::offset_of(c), &mut raw)
            .is_err()
        {
            return false;
        }
        for (i, chunk) in raw.chunks(changelog::ENTRY_SIZE).enumerate() {
            match changelog::Entry::decode(chunk, c + i as u64) {
                Some(e) if !e.everything => entries.push(e),
                _ => return false,
            }
        }
        c += run;
    }
    let mut touched = std::collections::HashSet::new();
    for e in &entries {
        if e.catalog_changed {
            inner.cache.catalog = None;
        }
        for &(idx, pos) in &e.items {
            let Some(entry) = catalog.entries.get(idx as usize) else {
                continue; // a file created since: nothing of it is cached
            };
            touched.insert(entry.name.clone());
            if let Some(fc) = inner.cache.files.get_mut(&entry.name) {
                match pos {
                    changelog::ALL_SLOTS => fc.slots.clear(),
                    changelog::HEADER_ONLY => {}
                    p => {
                        fc.slots.remove(&p);
                    }
                }
            }
        }
    }
    // The log accounts for the commits old+1..=new only: what was last known valid at `old`
    // is now known valid at `new`. A file last validated before `old` (a refresh without the
    // log left its header to be reread on first use, and it has not been used since) keeps
    // its older marks, so its next use compares its header as usual.
    for (name, fc) in inner.cache.files.iter_mut() {
        if fc.slots_valid_at == old {
            fc.slots_valid_at = new;
        }
        if fc.verified_at == old && !touched.contains(name) {
            fc.verified_at = new;
        }
    }
    true
}

/// Reading, shared by read and write transactions.
pub(super) struct View<'a> {
    pub(super) share: &'a Share,
    pub(super) inner: &'a mut Inner,
    pub(super) ctl: Arc<dyn BackendFile>,
    pub(super) state: CommitState,
    pub(super) went_to_disk: bool,
}

impl<'a> View<'a> {
    pub(super) fn new(
        share: &'a Share,
        inner: &'a mut Inner,
        ctl: Arc<dyn BackendFile>,
        state: CommitState,
    ) -> Self {
        View {
            share,
            inner,
            ctl,
            state,
            went_to_disk: false,
        }
    }

    /// Whether `name` is one of the share's files: a file whose header this transaction
    /// already checked against the catalogue is, without another search of it.
    pub(super) fn exists(&mut self, name: &str) -> Result<bool> {
        if self.checked(name) {
            return Ok(true);
        }
        Ok(self.catalog()?.get(name).is_some())
    }

    /// Whether `name`'s cached header was checked at this transaction's commit state.
    fn checked(&self, name: &str) -> bool {
        let counter = self.state.counter;
        self.inner
            .cache
            .files
            .get(name)
            .is_some_and(|fc| fc.verified_at == counter)
    }

    pub(super) fn catalog(&mut self) -> Result<&Catalog> {
        if self.inner.cache.catalog.is_none()
            && let Some(c) = &self.inner.log.catalog
        {
            self.inner.cache.catalog = Some(c.clone());
        }
        if self.inner.cache.catalog.is_none() {
            self.went_to_disk = true;
            let mut b = vec![0u8; CATALOG_SIZE];
            self.ctl
                .read_at(CATALOG_OFFSET, &mut b)
                .map_err(|e| read_err(CTL_FILE, e))?;
            let c = Catalog::decode(&b).map_err(|d| StorageError::corrupt(CTL_FILE, d))?;
            self.inner.cache.catalog = Some(c);
        }
        Ok(self.inner.cache.catalog.as_ref().expect("just loaded"))
    }

    pub(super) fn file(&mut self, name: &str) -> Result<&mut FileCache> {
        let counter = self.state.counter;
        if !self.checked(name) {
            let Some(entry) = self.catalog()?.get(name).cloned() else {
                return Err(StorageError::Missing { file: name.into() });
            };
            let header = match self.inner.log.files.get(name) {
                // The log has this file's newest header.
                Some(lf) => lf.header.clone(),
                None => {
                    self.went_to_disk = true;
                    let h = handle(self.share, self.inner, name)?;
                    let mut raw = [0u8; HEADER_SIZE];
                    h.read_at(0, &mut raw).map_err(|e| read_err(name, e))?;
                    Header::decode(&raw).map_err(|d| StorageError::corrupt(name, d))?
                }
            };
            if header.tag != name {
                return Err(StorageError::corrupt(
                    name,
                    format!("la cabecera dice ser {}", header.tag),
                ));
            }
            if header.slot_size != entry.slot_size {
                return Err(StorageError::corrupt(
                    name,
                    format!(
                        "registros de {} bytes, el catálogo dice {}",
                        header.slot_size, entry.slot_size
                    ),
                ));
            }
            match self.inner.cache.files.get_mut(name) {
                Some(fc)
                    if fc.header.change_counter == header.change_counter
                        || fc.slots_valid_at == counter =>
                {
                    fc.header = header;
                    fc.verified_at = counter;
                    fc.slots_valid_at = counter;
                }
                _ => {
                    self.inner.cache.files.insert(
                        name.to_string(),
                        FileCache {
                            header,
                            verified_at: counter,
                            slots_valid_at: counter,
                            slots: HashMap::default(),
                        },
                    );
                }
            }
        }
        Ok(self.inner.cache.files.get_mut(name).expect("present"))
    }

    pub(super) fn header(&mut self, name: &str) -> Result<Header> {
        Ok(self.file(name)?.header.clone())
    }

    pub(super) fn slot(&mut self, name: &str, pos: u64) -> Result<Slot> {
        let fc = self.file(name)?;
        if pos >= fc.header.slot_count {
            return Err(StorageError::BadSlot {
                file: name.into(),
                pos,
                why: "fuera del archivo",
            });
        }
        if let Some(s) = fc.slots.get(&pos) {
            return Ok(s.clone());
        }
        let (offset, stride) = (fc.header.slot_offset(pos), fc.header.stride() as usize);
        if let Some(s) = self.inner.log.slot(name, pos).cloned() {
            let fc = self.inner.cache.files.get_mut(name).expect("present");
            fc.slots.insert(pos, s.clone());
            return Ok(s);
        }
        self.went_to_disk = true;
        let h = handle(self.share, self.inner, name)?;
        let slot = with_run_buffer(stride, |raw| {
            h.read_at(offset, raw).map_err(|e| read_err(name, e))?;
            decode_slot(pos, raw).map_err(|d| StorageError::corrupt(name, d))
        })?;
        self.inner
            .cache
            .files
            .get_mut(name)
            .expect("present")
            .slots
            .insert(pos, slot.clone());
        Ok(slot)
    }

    /// Drops the cached slots of `name` (see [`super::Tx::forget`]).
    pub(super) fn forget(&mut self, name: &str) {
        if let Some(fc) = self.inner.cache.files.get_mut(name) {
            fc.slots = HashMap::default();
        }
    }

    /// Drops the cached slots `lo..hi` of `name` (a walk of that run, not of the cache).
    pub(super) fn forget_range(&mut self, name: &str, lo: u64, hi: u64) {
        if let Some(fc) = self.inner.cache.files.get_mut(name) {
            for p in lo..hi {
                fc.slots.remove(&p);
            }
        }
    }

    /// Reads every slot of `name` not yet cached, in large sequential reads.
    pub(super) fn prefetch(&mut self, name: &str) -> Result<()> {
        let count = self.file(name)?.header.slot_count;
        self.prefetch_range(name, 0, count)
    }

    /// Reads the slots of `lo..hi` that are not cached, in few large reads: runs of missing
    /// slots, joined across short cached gaps (rereading a few slots costs less than another
    /// round trip to the server).
    pub(super) fn prefetch_range(&mut self, name: &str, lo: u64, hi: u64) -> Result<()> {
        const CHUNK_BYTES: u64 = 4 << 20;
        const JOIN_GAP: u64 = 16;
        let count = self.file(name)?.header.slot_count;
        let hi = hi.min(count);
        // What the log holds comes from the overlay.
        if let Some(lf) = self.inner.log.files.get(name) {
            let fc = self.inner.cache.files.get_mut(name).expect("present");
            // Whichever is shorter: the range's positions or the overlay's slots of the file.
            if hi.saturating_sub(lo) <= lf.slots.len() as u64 {
                for p in lo..hi {
                    if let Some(s) = lf.slots.get(&p) {
                        fc.slots.entry(p).or_insert_with(|| s.clone());
                    }
                }
            } else {
                for (&p, s) in lf.slots.iter().filter(|(p, _)| (lo..hi).contains(*p)) {
                    fc.slots.entry(p).or_insert_with(|| s.clone());
                }
            }
        }
        let fc = &self.inner.cache.files[name];
        if fc.slots.len() as u64 >= count {
            return Ok(());
        }
        let missing: Vec<u64> = (lo..hi).filter(|p| !fc.slots.contains_key(p)).collect();
        self.read_slots(name, &missing, JOIN_GAP, CHUNK_BYTES)
    }

    /// Loads the slots `wanted` (sorted, no repeats) of a file that are not cached yet: runs of
    /// wanted slots joined across gaps of up to `gap_bytes` (a gap costs transfer, another
    /// read a round trip), one read per run; only the wanted slots are checked, decoded and
    /// kept (the bytes of a gap are dropped unchecked).
    pub(super) fn prefetch_slots(
        &mut self,
        name: &str,
        wanted: &[u64],
        gap_bytes: u64,
    ) -> Result<()> {
        const RUN_BYTES: u64 = 1 << 20;
        let count = self.file(name)?.header.slot_count;
        let logged = self.inner.log.files.get(name);
        let fc = self.inner.cache.files.get_mut(name).expect("present");
        let stride = fc.header.stride();
        let mut missing: Vec<u64> = Vec::with_capacity(wanted.len());
        let mut last = None;
        for &p in wanted {
            if p >= count || fc.slots.contains_key(&p) || last.is_some_and(|l| p <= l) {
                continue;
            }
            last = Some(p);
            // What the log holds comes from the overlay.
            if let Some(s) = logged.and_then(|lf| lf.slots.get(&p)) {
                fc.slots.insert(p, s.clone());
                continue;
            }
            missing.push(p);
        }
        self.read_slots(name, &missing, gap_bytes / stride, RUN_BYTES)
    }

    /// Reads and caches the slots `missing` (ascending, none cached): one read per run of
    /// them, runs joined across gaps of up to `gap` slots (read through, neither checked nor
    /// kept) and cut at `run_bytes`.
    fn read_slots(&mut self, name: &str, missing: &[u64], gap: u64, run_bytes: u64) -> Result<()> {
        if missing.is_empty() {
            return Ok(());
        }
        let stride = self.inner.cache.files[name].header.stride();
        let per_run = (run_bytes / stride).max(1);
        self.went_to_disk = true;
        let h = handle(self.share, self.inner, name)?;
        // The runs: `missing[i..=j]`, neighbours up to `gap` slots apart, at most `per_run`.
        let mut runs = Vec::new();
        let mut i = 0;
        while i < missing.len() {
            let start = missing[i];
            let mut j = i;
            while j + 1 < missing.len()
                && missing[j + 1] - missing[j] - 1 <= gap
                && missing[j + 1] - start < per_run
            {
                j += 1;
            }
            runs.push((i, j));
            i = j + 1;
        }
        let offset = |i: usize| HEADER_SIZE as u64 + missing[i] * stride;
        let len = |(i, j): (usize, usize)| ((missing[j] + 1 - missing[i]) * stride) as usize;
        let fc = self.inner.cache.files.get_mut(name).expect("present");
        // Room for them all at once, not by doubling (a cold page fills a fresh map).
        fc.slots.reserve(missing.len());
        let mut keep = |(i, j): (usize, usize), raw: &[u8]| -> Result<()> {
            for &p in &missing[i..=j] {
                let at = ((p - missing[i]) * stride) as usize;
                let chunk = &raw[at..at + stride as usize];
                let slot = decode_slot(p, chunk).map_err(|d| StorageError::corrupt(name, d))?;
                fc.slots.insert(p, slot);
            }
            Ok(())
        };
        let readers = match runs.len() {
            n if n >= super::PARALLEL_MIN_RUNS => self.share.parallel_reads().min(n),
            _ => 1,
        };
        if readers <= 1 {
            for &r in &runs {
                with_run_buffer(len(r), |raw| {
                    h.read_at(offset(r.0), raw).map_err(|e| read_err(name, e))?;
                    keep(r, raw)
                })?;
            }
            return Ok(());
        }
        // Several runs at once (a network share), `readers` at a time (so at most that many
        // runs' bytes are held before they are checked and kept, in order, here).
        for group in runs.chunks(readers) {
            let read_run = |r: (usize, usize)| {
                let mut raw = vec![0u8; len(r)];
                h.read_at(offset(r.0), &mut raw).map(|()| raw)
            };
            let read: Vec<std::io::Result<Vec<u8>>> = std::thread::scope(|s| {
                // A reader thread that cannot be started leaves its run to this thread.
                let workers: Vec<_> = group
                    .iter()
                    .map(|&r| {
                        std::thread::Builder::new()
                            .name("vl-read".into())
                            .spawn_scoped(s, move || read_run(r))
                            .map_err(|_| r)
                    })
                    .collect();
                workers
                    .into_iter()
                    .map(|w| match w {
                        Ok(w) => w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
                        Err(r) => read_run(r),
                    })
                    .collect()
            });
            for (&r, raw) in group.iter().zip(read) {
                keep(r, &raw.map_err(|e| read_err(name, e))?)?;
            }
        }
        Ok(())
    }
}
