//! The commit protocol: append the new bytes to the redo log and fsync it, then write the commit
//! state that says where the log ends and fsync that (the commit point: two fsyncs whatever the
//! number of files); now and then fold the log into the record files (a checkpoint).
//! [`super::recovery`] folds a log whose commit state was lost, and rolls back a format-1
//! share's hot journal.

use std::collections::BTreeMap;

use crate::storage::fasthash::HashMap;
use std::sync::Arc;

use super::super::backend::BackendFile;
use super::super::changelog;
use super::super::ctl::{
    CATALOG_OFFSET, CTL_FILE, Catalog, CommitState, IDENTITY_OFFSET, IDENTITY_SIZE, Identity,
    SHARE_FORMAT_VERSION, STATE_OFFSET,
};
use super::super::error::{Result, StorageError};
use super::super::ident::random_u64;
use super::super::record::{Header, Slot, encode_slot};
use super::super::wal::{
    CHECKPOINT_BYTES, FRAME_HEADER_SIZE, FileChange, Frame, LOG_FILE, LogOverlay,
};
use super::cache::FileCache;
use super::tx::DirtyFile;
use super::{Inner, Share};

impl Share {
    pub(super) fn commit(
        &self,
        inner: &mut Inner,
        state: CommitState,
        dirty: BTreeMap<String, DirtyFile>,
        catalog: Option<Catalog>,
        lamport: u64,
    ) -> Result<()> {
        // Handles for writing: kept between commits where that is safe, else opened here and
        // closed (dropped) before the commit returns and the lock is released (see
        // `Backend::open` and `Share::keep_handles`).
        let mut rw = std::mem::take(&mut inner.rw_handles);
        if rw.contains_key(CTL_FILE) {
            // Kept handles outlive the folder they were opened in (a lazy unmount, a folder
            // swapped for another): before writing through them, one open by name proves the
            // share is still where it was (else: unreachable, and nothing is written).
            self.backend
                .open(CTL_FILE)
                .map_err(|e| self.unreachable_or(e, "abrir"))?;
        }
        let result = self.commit_with(inner, &mut rw, state, dirty, catalog, lamport);
        if result.is_ok() && self.keep_handles() {
            inner.rw_handles = rw;
        }
        result
    }

    /// The handle for writing `name` (created if `create`), from `rw` or opened now.
    fn rw_handle(
        &self,
        rw: &mut HashMap<String, Arc<dyn BackendFile>>,
        name: &str,
        create: bool,
    ) -> Result<Arc<dyn BackendFile>> {
        if let Some(h) = rw.get(name) {
            return Ok(h.clone());
        }
        let h = if create {
            self.backend.open_or_create(name)
        } else {
            self.backend.open_rw(name)
        }
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                StorageError::corrupt(
                    name,
                    "figura en el catálogo de la carpeta pero el archivo no está",
                )
            } else {
                StorageError::io(name, "abrir para escribir", e)
            }
        })?;
        rw.insert(name.to_string(), h.clone());
        Ok(h)
    }

    fn commit_with(
        &self,
        inner: &mut Inner,
        rw: &mut HashMap<String, Arc<dyn BackendFile>>,
        state: CommitState,
        mut dirty: BTreeMap<String, DirtyFile>,
        catalog: Option<Catalog>,
        lamport: u64,
    ) -> Result<()> {
        let new_counter = state.counter + 1;
        let ctl_rw = self.rw_handle(rw, CTL_FILE, false)?;
        let ctl = &ctl_rw;
        for d in dirty.values_mut() {
            d.header.change_counter = new_counter;
            d.header.lamport = lamport;
            // Positions past the new end (a shrink) are gone: the header says so.
            let count = d.header.slot_count;
            d.slots.retain(|&p, _| p < count);
        }
        // Where this commit's frame goes: after the valid frames of the current generation,
        // or at the start of a new one. `revalidate` has read the log up to the state's end.
        let (generation, offset) = if state.nonce != 0 {
            if inner.log.generation != state.nonce || inner.log.end != state.journal_len {
                return Err(StorageError::corrupt(
                    LOG_FILE,
                    "el registro de confirmaciones no coincide con el estado de la carpeta",
                ));
            }
            (state.nonce, state.journal_len)
        } else {
            (random_u64() | 1, 0)
        };
        let frame = Frame {
            generation,
            counter: new_counter,
            lamport,
            catalog: catalog.clone(),
            files: dirty
                .iter()
                .map(|(name, d)| FileChange {
                    name: name.clone(),
                    created: d.orig.is_none(),
                    header: d.header.clone(),
                    slots: d.slots.clone(),
                })
                .collect(),
        };
        let bytes = frame.encode();
        let end = offset + bytes.len() as u64;
        let last_crc = super::super::crc::crc32c(&bytes[FRAME_HEADER_SIZE..]);

        // 1. The frame, durable.
        let lio = |e| StorageError::io(LOG_FILE, "escribir el registro", e);
        let log = self.rw_handle(rw, LOG_FILE, true)?;
        log.write_at(offset, &bytes).map_err(lio)?;
        log.sync().map_err(lio)?;

        // 2. The commit point: this commit's change-log entry (read by other terminals to prune
        // their caches; trusted only by checksum) and the state that says where the log ends,
        // durable with one fsync. A format-1 share is marked 2 first (older programs, which
        // would read the record files without the log, then refuse to open it).
        let cio = |e| StorageError::io(CTL_FILE, "confirmar", e);
        if inner.format_version < SHARE_FORMAT_VERSION {
            let mut b = [0u8; IDENTITY_SIZE];
            ctl.read_at(IDENTITY_OFFSET, &mut b).map_err(cio)?;
            let id = Identity::decode(&b).map_err(|d| StorageError::corrupt(CTL_FILE, d))?;
            ctl.write_at(IDENTITY_OFFSET, &id.encode()).map_err(cio)?;
        }
        let entry = change_entry(
            new_counter,
            &dirty,
            catalog.as_ref().or(inner.cache.catalog.as_ref()),
            catalog.is_some(),
        );
        ctl.write_at(changelog::Entry::offset_of(new_counter), &entry.encode())
            .map_err(cio)?;
        let committed = CommitState::logged(new_counter, lamport, generation, end, last_crc);
        ctl.write_at(STATE_OFFSET, &committed.encode())
            .map_err(cio)?;
        ctl.sync().map_err(cio)?;
        inner.format_version = SHARE_FORMAT_VERSION;
        inner.wrote = true;

        // The overlay and the cache now describe the new state.
        if state.nonce == 0 {
            inner.log = LogOverlay::default();
        }
        let catalog_changed = frame.catalog.is_some();
        inner.log.apply(frame, end);
        inner.lamport = lamport;
        inner.cache.counter = Some(new_counter);
        if let Some(c) = catalog {
            inner.cache.catalog = Some(c);
        }
        for (name, d) in dirty {
            let fc = inner.cache.files.entry(name).or_insert_with(|| FileCache {
                header: d.header.clone(),
                verified_at: new_counter,
                slots_valid_at: new_counter,
                slots: HashMap::default(),
            });
            // Only a shrink walks the cached slots: a commit costs what it changed, not what
            // this terminal happens to have cached.
            let count = d.header.slot_count;
            if count < fc.header.slot_count {
                fc.slots.retain(|&p, _| p < count);
            }
            fc.header = d.header;
            fc.verified_at = new_counter;
            fc.slots_valid_at = new_counter;
            fc.slots.extend(d.slots);
        }

        // 3. Now and then (and after a change of the catalog, which other tools read from the
        // control file), the log is folded into the files. The commit above stands whatever
        // happens here: a failed checkpoint leaves the log to the next one.
        if end >= CHECKPOINT_BYTES || catalog_changed {
            let _ = self.checkpoint_locked(inner, rw, committed);
        }
        Ok(())
    }

    /// Folds the log into the record files: writes every file's newest header and slots, fsyncs
    /// them, then the commit state with an empty log (same counter: nothing a reader has
    /// cached changes). The caller holds the exclusive lock and the lease, and `inner.log`
    /// describes the log up to `state`'s end.
    pub(super) fn checkpoint_locked(
        &self,
        inner: &mut Inner,
        rw: &mut HashMap<String, Arc<dyn BackendFile>>,
        state: CommitState,
    ) -> Result<()> {
        if state.nonce == 0 || inner.log.generation != state.nonce {
            return Ok(());
        }
        fold_into_files(
            &inner.log,
            |name, create| self.rw_handle(rw, name, create),
            "consolidar",
        )?;
        let ctl = self.rw_handle(rw, CTL_FILE, false)?;
        let cio = |e| StorageError::io(CTL_FILE, "consolidar", e);
        ctl.write_at(
            STATE_OFFSET,
            &CommitState::idle(state.counter, state.lamport).encode(),
        )
        .map_err(cio)?;
        ctl.sync().map_err(cio)?;
        if let Some(c) = inner.log.catalog.take() {
            inner.cache.catalog = Some(c);
        }
        inner.log = LogOverlay::default();
        // The frames are dead now; dropping them keeps a cold start cheap (and nothing of a
        // commit is left unsynced when it returns). Best effort: stale frames are never read.
        if let Ok(log) = self.rw_handle(rw, LOG_FILE, true) {
            let _ = log.set_len(0).and_then(|()| log.sync());
        }
        Ok(())
    }
}

/// Steps 1–2 of a checkpoint: writes every file `overlay` holds (name order, each fsynced), then
/// its catalog into the control file (fsynced). `open(name, create)` gives a handle for writing.
pub(super) fn fold_into_files(
    overlay: &LogOverlay,
    mut open: impl FnMut(&str, bool) -> Result<Arc<dyn BackendFile>>,
    op: &'static str,
) -> Result<()> {
    let mut names: Vec<&String> = overlay.files.keys().collect();
    names.sort();
    for name in names {
        let lf = &overlay.files[name];
        write_file(
            &open(name, true)?,
            name,
            lf.created,
            &lf.header,
            lf.slots.iter(),
        )?;
    }
    if let Some(c) = &overlay.catalog {
        let cio = |e| StorageError::io(CTL_FILE, op, e);
        let ctl = open(CTL_FILE, false)?;
        ctl.write_at(CATALOG_OFFSET, &c.encode()).map_err(cio)?;
        ctl.sync().map_err(cio)?;
    }
    Ok(())
}

/// Writes `header` and `slots` into the record file `h` (emptied first if `created`), cuts it
/// to the length the header gives, and fsyncs it. Adjacent slots go out in one write.
pub(super) fn write_file<'a>(
    h: &Arc<dyn BackendFile>,
    name: &str,
    created: bool,
    header: &Header,
    slots: impl Iterator<Item = (&'a u64, &'a Slot)>,
) -> Result<()> {
    let io = |e| StorageError::io(name, "escribir", e);
    if created {
        h.set_len(0).map_err(io)?;
    }
    h.write_at(0, &header.encode()).map_err(io)?;
    let mut sorted: Vec<(&u64, &Slot)> = slots.collect();
    sorted.sort_by_key(|(p, _)| **p);
    let stride = header.stride();
    let mut run: Vec<u8> = Vec::new();
    let mut run_start = 0u64;
    let mut run_next = u64::MAX;
    for (&pos, slot) in sorted {
        if pos >= header.slot_count {
            continue;
        }
        if pos != run_next && !run.is_empty() {
            h.write_at(header.slot_offset(run_start), &run)
                .map_err(io)?;
            run.clear();
        }
        if run.is_empty() {
            run_start = pos;
        }
        run.extend_from_slice(&encode_slot(pos, header.slot_size, slot));
        run_next = pos + 1;
        debug_assert_eq!(run.len() as u64, (run_next - run_start) * stride);
    }
    if !run.is_empty() {
        h.write_at(header.slot_offset(run_start), &run)
            .map_err(io)?;
    }
    h.set_len(header.file_len()).map_err(io)?;
    h.sync().map_err(io)
}

/// The change-log entry of a commit: the catalog index of every changed file and its changed
/// slots. Without a catalog to number the files by, "everything changed".
fn change_entry(
    counter: u64,
    dirty: &BTreeMap<String, DirtyFile>,
    catalog: Option<&Catalog>,
    catalog_changed: bool,
) -> changelog::Entry {
    let mut files = Vec::with_capacity(dirty.len());
    for (name, d) in dirty {
        let Some(idx) = catalog.and_then(|c| c.entries.iter().position(|e| &e.name == name)) else {
            return changelog::Entry {
                counter,
                catalog_changed,
                everything: true,
                items: Vec::new(),
            };
        };
        files.push((idx as u16, d.slots.keys().copied().collect::<Vec<u64>>()));
    }
    changelog::Entry::of(counter, catalog_changed, &files)
}
