//! The commit protocol: journal the original bytes, mark the state hot, write the data, and
//! commit with one small write of the idle state. [`super::recovery`] undoes an unfinished one.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::super::backend::BackendFile;
use super::super::ctl::{
    CATALOG_OFFSET, CATALOG_SIZE, CTL_FILE, Catalog, CommitState, Phase, STATE_OFFSET, STATE_SIZE,
};
use super::super::error::{Result, StorageError};
use super::super::ident::random_u64;
use super::super::journal::{JOURNAL_FILE, JOURNAL_HEADER_SIZE, Journal, JournalFile};
use super::super::record::{Header, encode_slot};
use super::cache::{FileCache, handle, read_err};
use super::tx::DirtyFile;
use super::{Inner, Share};

impl Share {
    pub(super) fn commit(
        &self,
        inner: &mut Inner,
        state: CommitState,
        mut dirty: BTreeMap<String, DirtyFile>,
        catalog: Option<Catalog>,
        lamport: u64,
    ) -> Result<()> {
        let new_counter = state.counter + 1;
        // Files are opened for writing only here, and closed (dropped) before the commit returns
        // and the lock is released: see `Backend::open`.
        let ctl_rw = self
            .backend
            .open_rw(CTL_FILE)
            .map_err(|e| StorageError::io(CTL_FILE, "abrir para escribir", e))?;
        let ctl = &ctl_rw;
        for d in dirty.values_mut() {
            d.header.change_counter = new_counter;
            d.header.lamport = lamport;
        }
        // 1. The journal: original bytes of every region about to be overwritten.
        let mut files = Vec::with_capacity(dirty.len() + 1);
        if catalog.is_some() {
            let mut old = vec![0u8; CATALOG_SIZE];
            ctl.read_at(CATALOG_OFFSET, &mut old)
                .map_err(|e| StorageError::io(CTL_FILE, "leer", e))?;
            files.push(JournalFile {
                name: CTL_FILE.into(),
                original_len: STATE_OFFSET + STATE_SIZE as u64,
                regions: vec![(CATALOG_OFFSET, old)],
            });
        }
        for (name, d) in &dirty {
            let Some(orig) = &d.orig else {
                files.push(JournalFile {
                    name: name.clone(),
                    original_len: 0,
                    regions: vec![],
                });
                continue;
            };
            let mut regions = vec![(0u64, orig.encode().to_vec())];
            for &pos in d.slots.keys().filter(|&&p| p < orig.slot_count) {
                regions.push((
                    orig.slot_offset(pos),
                    self.original_slot(inner, name, orig, pos)?,
                ));
            }
            files.push(JournalFile {
                name: name.clone(),
                original_len: orig.file_len(),
                regions,
            });
        }
        let journal = Journal {
            nonce: random_u64(),
            counter_before: state.counter,
            lamport_before: state.lamport,
            files,
        };
        let bytes = journal.encode();
        let jio = |e| StorageError::io(JOURNAL_FILE, "escribir el diario", e);
        let jf = self.backend.open_or_create(JOURNAL_FILE).map_err(jio)?;
        jf.write_at(0, &bytes).map_err(jio)?;
        jf.sync().map_err(jio)?;

        // 2. Hot state: from now on a crash leaves a journal to roll back.
        let hot = CommitState {
            phase: Phase::Hot,
            counter: state.counter,
            lamport: state.lamport,
            nonce: journal.nonce,
            journal_len: bytes.len() as u64,
            journal_crc: super::super::crc::crc32c(&bytes[JOURNAL_HEADER_SIZE..]),
        };
        let cio = |e| StorageError::io(CTL_FILE, "confirmar", e);
        ctl.write_at(STATE_OFFSET, &hot.encode()).map_err(cio)?;
        ctl.sync().map_err(cio)?;

        // 3. The data.
        let written = self.write_data(ctl, &dirty, catalog.as_ref());
        // 4. The commit point.
        let committed = written.and_then(|()| {
            ctl.write_at(
                STATE_OFFSET,
                &CommitState::idle(new_counter, lamport).encode(),
            )
            .map_err(cio)?;
            ctl.sync().map_err(cio)
        });
        if let Err(e) = committed {
            // Best effort: undo now. If the share is gone, the next opener rolls back.
            if self.apply_rollback(&journal).is_ok() {
                let _ = ctl.write_at(
                    STATE_OFFSET,
                    &CommitState::idle(state.counter + 2, state.lamport).encode(),
                );
                let _ = ctl.sync();
            }
            return Err(e);
        }

        // The cache now describes the new state.
        inner.lamport = lamport;
        inner.cache.counter = Some(new_counter);
        if let Some(c) = catalog {
            inner.cache.catalog = Some(c);
        }
        for (name, d) in dirty {
            let fc = inner.cache.files.entry(name).or_insert_with(|| FileCache {
                header: d.header.clone(),
                verified_at: new_counter,
                slots: HashMap::new(),
            });
            fc.header = d.header;
            fc.verified_at = new_counter;
            fc.slots.extend(d.slots);
        }
        Ok(())
    }

    pub(super) fn original_slot(
        &self,
        inner: &mut Inner,
        name: &str,
        orig: &Header,
        pos: u64,
    ) -> Result<Vec<u8>> {
        if let Some(s) = inner
            .cache
            .files
            .get(name)
            .and_then(|fc| fc.slots.get(&pos))
        {
            return Ok(encode_slot(pos, orig.slot_size, s));
        }
        let h = handle(self, inner, name)?;
        let mut raw = vec![0u8; orig.stride() as usize];
        h.read_at(orig.slot_offset(pos), &mut raw)
            .map_err(|e| read_err(name, e))?;
        Ok(raw)
    }

    pub(super) fn write_data(
        &self,
        ctl: &Arc<dyn BackendFile>,
        dirty: &BTreeMap<String, DirtyFile>,
        catalog: Option<&Catalog>,
    ) -> Result<()> {
        if let Some(c) = catalog {
            let io = |e| StorageError::io(CTL_FILE, "escribir", e);
            ctl.write_at(CATALOG_OFFSET, &c.encode()).map_err(io)?;
            ctl.sync().map_err(io)?;
        }
        for (name, d) in dirty {
            let io = |e| StorageError::io(name.as_str(), "escribir", e);
            let h = match d.orig {
                Some(_) => self.backend.open_rw(name).map_err(|e| {
                    if e.kind() == std::io::ErrorKind::NotFound {
                        StorageError::corrupt(
                            name.as_str(),
                            "figura en el catálogo de la carpeta pero el archivo no está",
                        )
                    } else {
                        StorageError::io(name.as_str(), "abrir para escribir", e)
                    }
                })?,
                None => self.backend.open_or_create(name).map_err(io)?,
            };
            if d.orig.is_none() {
                h.set_len(0).map_err(io)?;
            }
            h.write_at(0, &d.header.encode()).map_err(io)?;
            // Adjacent slots go out in one write.
            let stride = d.header.stride();
            let mut run: Vec<u8> = Vec::new();
            let mut run_start = 0u64;
            let mut run_next = u64::MAX;
            for (&pos, slot) in &d.slots {
                if pos != run_next && !run.is_empty() {
                    h.write_at(d.header.slot_offset(run_start), &run)
                        .map_err(io)?;
                    run.clear();
                }
                if run.is_empty() {
                    run_start = pos;
                }
                run.extend_from_slice(&encode_slot(pos, d.header.slot_size, slot));
                run_next = pos + 1;
                debug_assert_eq!(run.len() as u64, (run_next - run_start) * stride);
            }
            if !run.is_empty() {
                h.write_at(d.header.slot_offset(run_start), &run)
                    .map_err(io)?;
            }
            if let Some(orig) = &d.orig
                && orig.slot_count > d.header.slot_count
            {
                h.set_len(d.header.file_len()).map_err(io)?;
            }
            h.sync().map_err(io)?;
        }
        Ok(())
    }
}
