//! Repair: operations that `repair` needs and nothing else uses. All of them are ordinary
//! changes of the write transaction (journaled, atomic, undone by a crash).

use std::collections::BTreeMap;

use crate::storage::fasthash::HashMap;
use std::io;

use super::super::ctl::{CATALOG_MAX, CatalogEntry};
use super::super::error::{Result, StorageError};
use super::super::record::{HEADER_SIZE, Header, NIL, Slot};
use super::cache::{FileCache, handle};
use super::tx::{DirtyFile, Tx, WriteTx};

/// What [`WriteTx::reset_slots`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SlotsReset {
    pub live: u64,
    pub freed: u64,
    /// Unreadable slots left as they are (the caller kept them).
    pub damaged: Vec<u64>,
}

impl WriteTx<'_> {
    /// Frees every slot of `file` that `keep(pos, slot)` does not keep (`slot` is `None` for
    /// one that cannot be read), relinks every free slot into a new free list in position
    /// order and recounts the live slots: a broken free list, lost free slots or a wrong live
    /// count are rebuilt, and a derived file (an index) can be emptied to be built again.
    pub fn reset_slots(
        &mut self,
        file: &str,
        mut keep: impl FnMut(u64, Option<&Slot>) -> bool,
    ) -> Result<SlotsReset> {
        let n = self.slot_count(file)?;
        let mut r = SlotsReset::default();
        let mut free = Vec::new();
        for pos in 0..n {
            let s = match self.slot(file, pos) {
                Ok(s) => Some(s),
                Err(e) if e.is_damaged() => None,
                Err(e) => return Err(e),
            };
            match (&s, keep(pos, s.as_ref())) {
                (Some(Slot::Live(_)), true) => r.live += 1,
                (None, true) => r.damaged.push(pos),
                (Some(Slot::Live(_)), false) | (None, false) => {
                    r.freed += 1;
                    free.push(pos);
                }
                (Some(Slot::Free { .. }), _) => free.push(pos),
            }
        }
        let d = self.dirty(file)?;
        for (i, &pos) in free.iter().enumerate() {
            let next = free.get(i + 1).copied().unwrap_or(NIL);
            d.slots.insert(pos, Slot::Free { next });
        }
        d.header.live_count = r.live + r.damaged.len() as u64;
        let head = free.first().copied().unwrap_or(NIL);
        self.set_free_list(file, head, free.len() as u64)?;
        Ok(r)
    }

    /// The length of `file` as the file system reports it (repair rebuilds a damaged header's
    /// slot count from it; nothing else trusts a size).
    pub fn file_len(&mut self, file: &str) -> Result<u64> {
        if let Some(lf) = self.view.inner.log.files.get(file) {
            // Newer than the file on disk: the redo log holds its last header.
            return Ok(lf.header.file_len());
        }
        let h = handle(self.view.share, self.view.inner, file)?;
        h.len().map_err(|e| StorageError::io(file, "leer", e))
    }

    /// The header of `file` as it is on disk, or why it cannot be used.
    pub fn raw_header(&mut self, file: &str) -> Result<std::result::Result<Header, String>> {
        if let Some(lf) = self.view.inner.log.files.get(file) {
            return Ok(Ok(lf.header.clone()));
        }
        let h = handle(self.view.share, self.view.inner, file)?;
        let mut raw = [0u8; HEADER_SIZE];
        match h.read_at(0, &mut raw) {
            Ok(()) => Ok(Header::decode(&raw)),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                Ok(Err("cabecera truncada".into()))
            }
            Err(e) => Err(StorageError::io(file, "leer", e)),
        }
    }

    /// Takes `header` as the header of `file`, whose own on disk is damaged. The journal keeps
    /// `header` as the original too, so a rollback leaves the rebuilt header in place.
    pub fn replace_header(&mut self, file: &str, header: Header) -> Result<()> {
        if self
            .catalog()?
            .get(file)
            .is_none_or(|e| e.slot_size != header.slot_size)
        {
            return Err(StorageError::Misuse(format!(
                "{file}: la cabecera nueva no coincide con el catálogo"
            )));
        }
        let counter = self.view.state.counter;
        self.view.inner.cache.files.insert(
            file.to_string(),
            FileCache {
                header: header.clone(),
                verified_at: counter,
                slots_valid_at: counter,
                slots: HashMap::default(),
            },
        );
        self.dirty.insert(
            file.into(),
            DirtyFile {
                orig: Some(header.clone()),
                header,
                slots: BTreeMap::new(),
            },
        );
        Ok(())
    }

    /// Makes `file` hold exactly `header` and `slots` (slot `i` at position `i`): `restore`
    /// puts a copy's file back IN PLACE this way, through the journal like any change (a crash
    /// leaves the share as it was; the files keep their identity, so terminals that hold them
    /// open see the restored bytes). The file's own header may be damaged (then it is taken
    /// as a file written from nothing); a file the catalog lacks is added. When the file
    /// shrinks, its cut-off tail goes through the journal too (as placeholders past the new
    /// end, which the commit writes and then truncates away).
    pub fn overwrite_file(&mut self, file: &str, header: Header, slots: Vec<Slot>) -> Result<()> {
        if header.tag != file || slots.len() as u64 != header.slot_count {
            return Err(StorageError::Misuse(format!(
                "{file}: la cabecera nueva no corresponde a sus registros"
            )));
        }
        let entry = self.catalog()?.get(file).cloned();
        match &entry {
            Some(e) if e.slot_size != header.slot_size => {
                return Err(StorageError::Misuse(format!(
                    "{file} tiene registros de {} bytes, no de {}",
                    e.slot_size, header.slot_size
                )));
            }
            Some(_) => {}
            None => {
                let mut cat = self.catalog()?.clone();
                if cat.entries.len() >= CATALOG_MAX {
                    return Err(StorageError::Misuse(
                        "el catálogo de archivos está lleno".into(),
                    ));
                }
                cat.entries.push(CatalogEntry {
                    name: file.into(),
                    slot_size: header.slot_size,
                });
                self.catalog = Some(cat);
            }
        }
        let orig = match entry {
            None => None,
            Some(_) => match self.raw_header(file) {
                Ok(Ok(h)) if h.tag == file && h.slot_size == header.slot_size => Some(h),
                Ok(_) => None,
                Err(e) if e.is_damaged() => None,
                Err(e) => return Err(e),
            },
        };
        let mut map: BTreeMap<u64, Slot> = (0u64..).zip(slots).collect();
        if let Some(o) = &orig {
            for pos in header.slot_count..o.slot_count {
                map.insert(pos, Slot::Free { next: NIL });
            }
        }
        self.view.inner.cache.files.remove(file);
        self.dirty.insert(
            file.into(),
            DirtyFile {
                orig,
                header,
                slots: map,
            },
        );
        Ok(())
    }

    /// Moves this transaction's Lamport clock past `t` (a restored event file carries the
    /// copy's times; the events after it must come later).
    pub fn clock_past(&mut self, t: u64) {
        self.lamport = self.lamport.max(t + 1);
    }
}
