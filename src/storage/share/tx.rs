//! What a transaction can do: the [`Tx`] trait for reading, [`ReadTx`], and [`WriteTx`], which
//! buffers every change in memory until the commit.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::super::ctl::{CATALOG_MAX, Catalog, CatalogEntry};
use super::super::error::{Result, StorageError};
use super::super::ident::now_ms;
use super::super::record::{CONTROL_FIELDS, FreeHome, Header, NIL, Slot, TAG_LEN};
use super::cache::View;

/// Read access, common to read and write transactions. Positions are 0-based slot numbers.
pub trait Tx {
    /// The header of a record file.
    fn header(&mut self, file: &str) -> Result<Header>;
    /// The header's slot count (without copying the header: asked once per record read by
    /// the structures that bound a position before reading it).
    fn slot_count(&mut self, file: &str) -> Result<u64>;
    /// What slot `pos` holds.
    fn slot(&mut self, file: &str, pos: u64) -> Result<Slot>;
    /// Whether the file exists on this share.
    fn exists(&mut self, file: &str) -> Result<bool>;
    /// The files of the share.
    fn files(&mut self) -> Result<Vec<CatalogEntry>>;
    /// Loads all slots of a file into the cache with few large reads (before a full scan).
    fn prefetch(&mut self, file: &str) -> Result<()>;
    /// Loads the slots `lo..hi` of a file that are not cached yet, in few large reads (before
    /// reading a run of neighbouring records).
    fn prefetch_range(&mut self, file: &str, lo: u64, hi: u64) -> Result<()>;
    /// Drops the slots of `file` this terminal has cached (not the header, nor what a write
    /// transaction changed): a scan of a file larger than memory should hold reads it in runs
    /// and forgets each run. A slot read again is read again from the share (and the redo log),
    /// which under the transaction's lock holds the same bytes.
    fn forget(&mut self, file: &str);
    /// [`forget`](Tx::forget) for the slots `lo..hi` only (a walk through a file keeps the
    /// rest of what is cached, e.g. the newest records screens show).
    fn forget_range(&mut self, file: &str, lo: u64, hi: u64);
    /// Loads the slots `wanted` (sorted ascending) of a file that are not cached yet: one read
    /// per run of them, runs joined across gaps of up to `gap_bytes`; the slots of a gap are
    /// neither checked nor kept. Positions past the end of the file are left out.
    fn prefetch_slots(&mut self, file: &str, wanted: &[u64], gap_bytes: u64) -> Result<()>;
    /// The share's change counter as of this transaction.
    fn counter(&self) -> u64;
    /// The Lamport time of this transaction (for a write, the time its first event gets).
    fn lamport(&self) -> u64;

    /// The payload of the live slot `pos`.
    fn read(&mut self, file: &str, pos: u64) -> Result<Arc<[u8]>> {
        match self.slot(file, pos)? {
            Slot::Live(p) => Ok(p),
            Slot::Free { .. } => Err(StorageError::BadSlot {
                file: file.into(),
                pos,
                why: "posición libre",
            }),
        }
    }
    /// (head, length) of the file's free list, wherever it lives.
    fn free_list(&mut self, file: &str) -> Result<(u64, u64)> {
        let h = self.header(file)?;
        match h.free_home {
            FreeHome::Own => Ok((h.free_head, h.free_count)),
            FreeHome::Control { file: home, field } => {
                let c = self.header(&home)?.control;
                Ok((c[field as usize], c[field as usize + 1]))
            }
        }
    }
    /// Field `idx` of the file's control area.
    fn control(&mut self, file: &str, idx: usize) -> Result<u64> {
        Ok(self.header(file)?.control[idx])
    }
}

/// A read transaction (shared lock held).
pub struct ReadTx<'a> {
    pub(super) view: View<'a>,
}

impl Tx for ReadTx<'_> {
    fn header(&mut self, file: &str) -> Result<Header> {
        self.view.header(file)
    }
    fn slot_count(&mut self, file: &str) -> Result<u64> {
        Ok(self.view.file(file)?.header.slot_count)
    }
    fn slot(&mut self, file: &str, pos: u64) -> Result<Slot> {
        self.view.slot(file, pos)
    }
    fn exists(&mut self, file: &str) -> Result<bool> {
        self.view.exists(file)
    }
    fn files(&mut self) -> Result<Vec<CatalogEntry>> {
        Ok(self.view.catalog()?.entries.clone())
    }
    fn prefetch(&mut self, file: &str) -> Result<()> {
        self.view.prefetch(file)
    }
    fn prefetch_range(&mut self, file: &str, lo: u64, hi: u64) -> Result<()> {
        self.view.prefetch_range(file, lo, hi)
    }
    fn forget(&mut self, file: &str) {
        self.view.forget(file)
    }
    fn forget_range(&mut self, file: &str, lo: u64, hi: u64) {
        self.view.forget_range(file, lo, hi)
    }
    fn prefetch_slots(&mut self, file: &str, wanted: &[u64], gap_bytes: u64) -> Result<()> {
        self.view.prefetch_slots(file, wanted, gap_bytes)
    }
    fn counter(&self) -> u64 {
        self.view.state.counter
    }
    fn lamport(&self) -> u64 {
        self.view.state.lamport
    }
}

pub(super) struct DirtyFile {
    /// The header before this transaction; `None` for a file this transaction creates.
    pub(super) orig: Option<Header>,
    pub(super) header: Header,
    pub(super) slots: BTreeMap<u64, Slot>,
}

/// A write transaction (exclusive lock and write lease held). Changes are buffered in memory
/// and reach the files only at commit.
pub struct WriteTx<'a> {
    pub(super) view: View<'a>,
    pub(super) dirty: BTreeMap<String, DirtyFile>,
    /// The catalog as this transaction changed it.
    pub(super) catalog: Option<Catalog>,
    pub(super) lamport: u64,
    pub(super) events: u64,
}

impl Tx for WriteTx<'_> {
    fn header(&mut self, file: &str) -> Result<Header> {
        match self.dirty.get(file) {
            Some(d) => Ok(d.header.clone()),
            None => self.view.header(file),
        }
    }
    fn slot_count(&mut self, file: &str) -> Result<u64> {
        match self.dirty.get(file) {
            Some(d) => Ok(d.header.slot_count),
            None => Ok(self.view.file(file)?.header.slot_count),
        }
    }
    fn slot(&mut self, file: &str, pos: u64) -> Result<Slot> {
        if let Some(d) = self.dirty.get(file) {
            if let Some(s) = d.slots.get(&pos) {
                return Ok(s.clone());
            }
            if pos >= d.header.slot_count {
                return Err(StorageError::BadSlot {
                    file: file.into(),
                    pos,
                    why: "fuera del archivo",
                });
            }
            if d.orig.is_none() {
                return Err(StorageError::Misuse(format!(
                    "{file}: posición {pos} sin escribir"
                )));
            }
        }
        self.view.slot(file, pos)
    }
    fn exists(&mut self, file: &str) -> Result<bool> {
        Ok(self.catalog()?.get(file).is_some())
    }
    fn files(&mut self) -> Result<Vec<CatalogEntry>> {
        Ok(self.catalog()?.entries.clone())
    }
    fn prefetch(&mut self, file: &str) -> Result<()> {
        if self.dirty.get(file).is_some_and(|d| d.orig.is_none()) {
            return Ok(());
        }
        self.view.prefetch(file)
    }
    fn prefetch_range(&mut self, file: &str, lo: u64, hi: u64) -> Result<()> {
        if self.dirty.get(file).is_some_and(|d| d.orig.is_none()) {
            return Ok(());
        }
        self.view.prefetch_range(file, lo, hi)
    }
    fn forget(&mut self, file: &str) {
        self.view.forget(file)
    }
    fn forget_range(&mut self, file: &str, lo: u64, hi: u64) {
        self.view.forget_range(file, lo, hi)
    }
    fn prefetch_slots(&mut self, file: &str, wanted: &[u64], gap_bytes: u64) -> Result<()> {
        if self.dirty.get(file).is_some_and(|d| d.orig.is_none()) {
            return Ok(());
        }
        self.view.prefetch_slots(file, wanted, gap_bytes)
    }
    fn counter(&self) -> u64 {
        self.view.state.counter
    }
    fn lamport(&self) -> u64 {
        self.lamport
    }
}

impl WriteTx<'_> {
    pub(super) fn catalog(&mut self) -> Result<&Catalog> {
        if self.catalog.is_some() {
            return Ok(self.catalog.as_ref().expect("checked"));
        }
        self.view.catalog()
    }

    /// Creates a record file with slots of `slot_size` bytes. Creating a file that exists with
    /// the same slot size does nothing.
    pub fn create_file(&mut self, name: &str, slot_size: u32, free_home: FreeHome) -> Result<()> {
        if name.is_empty() || name.len() > TAG_LEN || !name.is_ascii() {
            return Err(StorageError::Misuse(format!(
                "nombre de archivo inválido: {name}"
            )));
        }
        if slot_size < 8 {
            return Err(StorageError::Misuse(format!(
                "{name}: los registros deben tener al menos 8 bytes"
            )));
        }
        if let FreeHome::Control { file: home, field } = &free_home {
            if *field as usize + 1 >= CONTROL_FIELDS {
                return Err(StorageError::Misuse(format!(
                    "{name}: campo de control {field} fuera de rango"
                )));
            }
            if home != name && self.catalog()?.get(home).is_none() {
                return Err(StorageError::Misuse(format!(
                    "{name}: su lista de libres vive en {home}, que no existe"
                )));
            }
        }
        if let Some(e) = self.catalog()?.get(name) {
            if e.slot_size == slot_size {
                return Ok(());
            }
            return Err(StorageError::Misuse(format!(
                "{name} ya existe con registros de {} bytes",
                e.slot_size
            )));
        }
        let mut cat = self.catalog()?.clone();
        if cat.entries.len() >= CATALOG_MAX {
            return Err(StorageError::Misuse(
                "el catálogo de archivos está lleno".into(),
            ));
        }
        cat.entries.push(CatalogEntry {
            name: name.into(),
            slot_size,
        });
        self.catalog = Some(cat);
        let header = Header::new(name, slot_size, free_home.clone(), now_ms());
        self.dirty.insert(
            name.into(),
            DirtyFile {
                orig: None,
                header,
                slots: BTreeMap::new(),
            },
        );
        // The new file's free list is empty: its anchor in the home's control area says so
        // (a zeroed anchor would point at slot 0).
        if let FreeHome::Control { file: home, field } = free_home {
            self.set_control(&home, field as usize, NIL)?;
            self.set_control(&home, field as usize + 1, 0)?;
        }
        Ok(())
    }

    pub(super) fn dirty(&mut self, file: &str) -> Result<&mut DirtyFile> {
        if !self.dirty.contains_key(file) {
            let h = self.view.header(file)?;
            self.dirty.insert(
                file.into(),
                DirtyFile {
                    orig: Some(h.clone()),
                    header: h,
                    slots: BTreeMap::new(),
                },
            );
        }
        Ok(self.dirty.get_mut(file).expect("inserted"))
    }

    fn payload(&mut self, file: &str, data: &[u8]) -> Result<Arc<[u8]>> {
        let size = self.header(file)?.slot_size as usize;
        if data.len() > size {
            return Err(StorageError::Misuse(format!(
                "{file}: registro de {} bytes, máximo {size}",
                data.len()
            )));
        }
        let mut p = vec![0u8; size];
        p[..data.len()].copy_from_slice(data);
        Ok(p.into())
    }

    /// Overwrites the live slot `pos`.
    pub fn write(&mut self, file: &str, pos: u64, data: &[u8]) -> Result<()> {
        let p = self.payload(file, data)?;
        if let Slot::Free { .. } = self.slot(file, pos)? {
            return Err(StorageError::BadSlot {
                file: file.into(),
                pos,
                why: "posición libre",
            });
        }
        self.dirty(file)?.slots.insert(pos, Slot::Live(p));
        Ok(())
    }

    /// Stores `data` in a free slot (the head of the free list) or a new one; returns its position.
    pub fn alloc(&mut self, file: &str, data: &[u8]) -> Result<u64> {
        let p = self.payload(file, data)?;
        let (head, count) = self.free_list(file)?;
        let pos = if head != NIL {
            let Slot::Free { next } = self.slot(file, head)? else {
                return Err(StorageError::corrupt(
                    file,
                    format!("la lista de libres apunta al registro ocupado {head}"),
                ));
            };
            self.set_free_list(file, next, count.saturating_sub(1))?;
            head
        } else {
            let d = self.dirty(file)?;
            d.header.slot_count += 1;
            d.header.slot_count - 1
        };
        let d = self.dirty(file)?;
        d.header.live_count += 1;
        d.slots.insert(pos, Slot::Live(p));
        Ok(pos)
    }

    /// Frees the live slot `pos` and puts it at the head of the free list.
    pub fn release(&mut self, file: &str, pos: u64) -> Result<()> {
        if let Slot::Free { .. } = self.slot(file, pos)? {
            return Err(StorageError::BadSlot {
                file: file.into(),
                pos,
                why: "ya estaba libre",
            });
        }
        let (head, count) = self.free_list(file)?;
        self.set_free_list(file, pos, count + 1)?;
        let d = self.dirty(file)?;
        let Some(live) = d.header.live_count.checked_sub(1) else {
            return Err(StorageError::corrupt(
                file,
                "la cabecera cuenta 0 registros ocupados",
            ));
        };
        d.header.live_count = live;
        d.slots.insert(pos, Slot::Free { next: head });
        Ok(())
    }

    pub(super) fn set_free_list(&mut self, file: &str, head: u64, count: u64) -> Result<()> {
        match self.header(file)?.free_home {
            FreeHome::Own => {
                let d = self.dirty(file)?;
                d.header.free_head = head;
                d.header.free_count = count;
            }
            FreeHome::Control { file: home, field } => {
                let d = self.dirty(&home)?;
                d.header.control[field as usize] = head;
                d.header.control[field as usize + 1] = count;
            }
        }
        Ok(())
    }

    /// Sets field `idx` of the file's control area.
    pub fn set_control(&mut self, file: &str, idx: usize, value: u64) -> Result<()> {
        if idx >= CONTROL_FIELDS {
            return Err(StorageError::Misuse(format!(
                "campo de control {idx} fuera de rango"
            )));
        }
        self.dirty(file)?.header.control[idx] = value;
        Ok(())
    }

    /// Hands out the next Lamport time of this transaction (one per logged event).
    pub(crate) fn next_event_time(&mut self) -> u64 {
        self.events += 1;
        self.lamport + self.events - 1
    }

    /// This terminal's name, as events record it.
    pub fn terminal(&self) -> &str {
        &self.view.share.me.terminal
    }
}
