//! Share maintenance while others keep working: `backup` (a consistent copy, photos
//! included), `restore` (puts a copy back, refused while another terminal writes) and `repair`
//! (rebuilds what the data files determine, lists what they do not).
//!
//! **Backup** copies in two passes. The first copies every file, each inside its own short
//! read transaction, so writers wait at most for one file. The second, in one read
//! transaction, copies again only the files whose header change counter moved since (a commit
//! changed them), the photos the records name, and writes the copy's control file with the
//! change counter and Lamport clock of that moment: the copy is the state some commit left,
//! whole. Files are encoded slot by slot through the storage layer (the bytes on disk), the
//! copy is written to a temporary folder beside the destination and renamed when complete,
//! then checked.
//!
//! **Restore** checks the copy, then, in one write transaction (the exclusive lock and the
//! lease, taken with a short wait: if another terminal is writing it is refused), rewrites
//! every record file IN PLACE with the copy's header and slots, through the journal like any
//! commit: a crash leaves the share as it was, and no file is replaced or renamed under the
//! terminals that hold it open. Every file gets the commit's change counter, so each terminal
//! rereads everything; the Lamport clock moves past the copy's. The copy's photos are new
//! names (content-addressed), stored first; the ones only the old state named are collected
//! afterwards.
//!
//! **Repair** is one write transaction (journaled: a crash leaves the share as it was): damaged
//! headers rebuilt from the catalog, the file's length and the schema; free lists and live
//! counts rebuilt; the users hash rebuilt from the user records, the categories list from its
//! nodes, both AVL indexes from PUBLICADOS.DAT, the buyers' queues from the sales, the
//! conversations from their heads; counters set from the ids that exist; balances from the
//! movements; sales linked back to their publications; photos no record names collected and
//! missing thumbnails made again. What the files cannot tell (an unreadable record, a message
//! whose conversation is lost, a photo that is missing, ids used twice) is listed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use super::check::CheckReport;
use super::market::*;
use super::photos::{self, PHOTOS_DIR, PhotoFolder, hex, thumb_name};
use super::records::*;
use super::{DResult, DomainError, Market, conflict, denied, format, invalid};
use crate::me::hash::{CON_BUCKETS, CON_LAST_ID};
use crate::storage::ctl::{
    CATALOG_OFFSET, CTL_FILE, Catalog, CommitState, IDENTITY_OFFSET, Identity, STATE_OFFSET,
};
use crate::storage::ident::{now_ms, random_u64};
use crate::storage::record::{FreeHome, HEADER_SIZE, Header, encode_slot};
use crate::storage::{EVENTS_FILE, NIL, Share, ShareConfig, Slot, StorageError, Tx, WriteTx};

/// How far a long run has gone (the window shows a bar, the console a line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub step: String,
    pub done: u64,
    pub total: u64,
}

/// Called with each step of a long run; may be called from the calling thread only.
pub type OnProgress<'a> = &'a dyn Fn(&Progress);

fn tell(on: OnProgress, step: &str, done: u64, total: u64) {
    on(&Progress {
        step: step.into(),
        done,
        total,
    });
}

#[derive(Debug, Clone, Serialize)]
pub struct BackupSummary {
    pub dest: String,
    pub files: u64,
    pub bytes: u64,
    pub photos: u64,
    /// Files copied again in the second pass (a commit changed them during the first).
    pub recopied: u64,
    /// The share's change counter of the state copied.
    pub counter: u64,
    /// The copy passed `check`.
    pub check_ok: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RestoreSummary {
    pub src: String,
    pub files: u64,
    pub photos: u64,
    pub photos_removed: u64,
    pub counter: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RepairReport {
    /// What was rebuilt, file by file.
    pub rebuilt: Vec<String>,
    /// What the files cannot tell, and how to get it back.
    pub cannot: Vec<String>,
    /// The check after the repair.
    pub after: CheckReport,
}

impl RepairReport {
    pub fn to_text(&self) -> String {
        let mut t = String::from("Reconstruido:\n");
        if self.rebuilt.is_empty() {
            t.push_str("  (nada)\n");
        }
        for r in &self.rebuilt {
            t.push_str(&format!("  - {r}\n"));
        }
        t.push_str("No se puede reconstruir con los archivos:\n");
        if self.cannot.is_empty() {
            t.push_str("  (nada)\n");
        }
        for c in &self.cannot {
            t.push_str(&format!("  - {c}\n"));
        }
        t.push_str("\nRevisión después de reparar:\n");
        t.push_str(&self.after.to_text());
        t
    }
}

/// A record file as the storage layer reads it: its header and every slot, in order.
fn file_slots(tx: &mut impl Tx, name: &str) -> DResult<(Header, Vec<Slot>)> {
    tx.prefetch(name)?;
    let h = tx.header(name)?;
    let mut slots = Vec::with_capacity(h.slot_count.min(1 << 24) as usize);
    for pos in 0..h.slot_count {
        slots.push(tx.slot(name, pos)?);
    }
    Ok((h, slots))
}

/// The bytes of a record file as the storage layer reads them: header, then every slot.
fn file_bytes(tx: &mut impl Tx, name: &str) -> DResult<(Header, Vec<u8>)> {
    tx.prefetch(name)?;
    let h = tx.header(name)?;
    let mut out = Vec::with_capacity(h.file_len().min(1 << 30) as usize);
    out.extend_from_slice(&h.encode());
    for pos in 0..h.slot_count {
        out.extend_from_slice(&encode_slot(pos, h.slot_size, &tx.slot(name, pos)?));
    }
    Ok((h, out))
}

fn write_file(path: &Path, bytes: &[u8]) -> DResult<()> {
    let io = |e| {
        DomainError::Storage(StorageError::io(
            path.display().to_string(),
            "escribir la copia",
            e,
        ))
    };
    let mut f = std::fs::File::create(path).map_err(io)?;
    f.write_all(bytes).map_err(io)?;
    f.sync_all().map_err(io)
}

/// A control file for `catalog` with an idle state at (`counter`, `lamport`).
fn control_file(catalog: &Catalog, counter: u64, lamport: u64) -> Vec<u8> {
    let mut b = vec![0u8; STATE_OFFSET as usize + 64];
    let id = Identity {
        share_id: random_u64(),
        created_ms: now_ms(),
    };
    b[IDENTITY_OFFSET as usize..IDENTITY_OFFSET as usize + 64].copy_from_slice(&id.encode());
    let cat = catalog.encode();
    b[CATALOG_OFFSET as usize..CATALOG_OFFSET as usize + cat.len()].copy_from_slice(&cat);
    b[STATE_OFFSET as usize..].copy_from_slice(&CommitState::idle(counter, lamport).encode());
    b
}

impl Market {
    /// Copies the whole share, photos included, into `dest` (a folder that does not exist yet,
    /// or is empty) while other terminals keep working. Administrator only: the copy holds
    /// every account.
    pub fn backup(&self, s: &Session, dest: &Path, on: OnProgress) -> DResult<BackupSummary> {
        self.read(|tx| current_admin(tx, s))?;
        if dest.exists() && std::fs::read_dir(dest).map_or(true, |mut d| d.next().is_some()) {
            return invalid(format!(
                "{} ya existe y no es una carpeta vacía: elija una carpeta nueva para la copia",
                dest.display()
            ));
        }
        let parent = dest
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !parent.is_dir() {
            return invalid(format!("la carpeta {} no existe", parent.display()));
        }
        let tmp = parent.join(format!(
            ".{}.copia-{:08x}",
            dest.file_name()
                .map_or("copia".into(), |n| n.to_string_lossy()),
            random_u64() as u32
        ));
        std::fs::create_dir_all(tmp.join(PHOTOS_DIR)).map_err(|e| {
            DomainError::Storage(StorageError::io(tmp.display().to_string(), "crear", e))
        })?;
        let r = self.backup_into(s, &tmp, on);
        let summary = match r {
            Ok(sum) => sum,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&tmp);
                return Err(e);
            }
        };
        if dest.exists() {
            let _ = std::fs::remove_dir(dest);
        }
        std::fs::rename(&tmp, dest).map_err(|e| {
            DomainError::Storage(StorageError::io(dest.display().to_string(), "renombrar", e))
        })?;
        tell(on, "revisando la copia", 0, 1);
        let check_ok = Market::open_with(dest, ShareConfig::default(), false)
            .and_then(|m| m.check())
            .is_ok_and(|r| r.ok);
        tell(on, "revisando la copia", 1, 1);
        Ok(BackupSummary {
            dest: dest.display().to_string(),
            check_ok,
            ..summary
        })
    }

    fn backup_into(&self, s: &Session, tmp: &Path, on: OnProgress) -> DResult<BackupSummary> {
        let files = self.read(|tx| Ok(tx.files()?))?;
        let total = files.len() as u64;
        let mut copied: HashMap<String, u64> = HashMap::new();
        let mut bytes = 0u64;
        // Pass 1: file by file, each in its own short read transaction.
        for (i, f) in files.iter().enumerate() {
            tell(on, &format!("copiando {}", f.name), i as u64, total);
            let (h, b) = self.read(|tx| file_bytes(tx, &f.name))?;
            write_file(&tmp.join(&f.name), &b)?;
            bytes += b.len() as u64;
            copied.insert(f.name.clone(), h.change_counter);
        }
        let store = self.photo_store();
        let listed = self.read(|tx| photos::scan(tx, &store))?;
        let mut have: HashSet<PhotoId> = HashSet::new();
        let n = listed.photos.len() as u64;
        for (i, id) in listed.photos.iter().enumerate() {
            tell(on, "copiando fotos", i as u64, n);
            if self.copy_photo(&store, id, tmp)? {
                have.insert(*id);
            }
        }
        // Pass 2: one read transaction; what moved is copied again, then the control file.
        tell(on, "cerrando la copia", 0, 1);
        let mut recopied = 0u64;
        let mut photos_copied = 0u64;
        let counter = self.read(|tx| {
            current_admin(tx, s)?;
            let catalog = Catalog {
                entries: tx.files()?,
            };
            recopied = 0;
            for e in &catalog.entries {
                let h = tx.header(&e.name)?;
                if copied.get(&e.name) != Some(&h.change_counter) {
                    let (h, b) = file_bytes(tx, &e.name)?;
                    write_file(&tmp.join(&e.name), &b)?;
                    copied.insert(e.name.clone(), h.change_counter);
                    recopied += 1;
                }
            }
            let refs = photos::referenced(tx)?;
            for id in &refs {
                if !have.contains(id) {
                    let (p, t) = (store.get(tx, &hex(id))?, store.get(tx, &thumb_name(id))?);
                    if let Some(p) = p {
                        write_file(&tmp.join(PHOTOS_DIR).join(hex(id)), &p)?;
                        if let Some(t) = t {
                            write_file(&tmp.join(PHOTOS_DIR).join(thumb_name(id)), &t)?;
                        }
                        have.insert(*id);
                    }
                }
            }
            // Photos no record of this state names stay out of the copy.
            for id in have.iter().filter(|id| !refs.contains(*id)) {
                let _ = std::fs::remove_file(tmp.join(PHOTOS_DIR).join(hex(id)));
                let _ = std::fs::remove_file(tmp.join(PHOTOS_DIR).join(thumb_name(id)));
            }
            photos_copied = refs.iter().filter(|id| have.contains(*id)).count() as u64;
            write_file(
                &tmp.join(CTL_FILE),
                &control_file(&catalog, tx.counter(), tx.lamport()),
            )?;
            Ok(tx.counter())
        })?;
        tell(on, "cerrando la copia", 1, 1);
        Ok(BackupSummary {
            dest: String::new(),
            files: total,
            bytes,
            photos: photos_copied,
            recopied,
            counter,
            check_ok: false,
        })
    }

    /// Copies photo `id` (and its thumbnail) into the backup folder; false if it vanished.
    fn copy_photo(
        &self,
        store: &crate::storage::blobs::BlobStore,
        id: &PhotoId,
        tmp: &Path,
    ) -> DResult<bool> {
        let (p, t) =
            self.read(|tx| Ok((store.get(tx, &hex(id))?, store.get(tx, &thumb_name(id))?)))?;
        let Some(p) = p else { return Ok(false) };
        write_file(&tmp.join(PHOTOS_DIR).join(hex(id)), &p)?;
        if let Some(t) = t {
            write_file(&tmp.join(PHOTOS_DIR).join(thumb_name(id)), &t)?;
        }
        Ok(true)
    }

    /// Puts the copy in `src` back in place of this share. The copy must pass `check`; the
    /// share must not be in the middle of another terminal's write (refused at once, not
    /// waited for). Administrator only (of this share, and the copy's administrator account
    /// is what remains afterwards).
    pub fn restore(&self, s: &Session, src: &Path, on: OnProgress) -> DResult<RestoreSummary> {
        // A second handle with a short wait: if another terminal is writing, refuse now.
        let quick = Share::open(
            self.dir(),
            ShareConfig {
                busy_timeout: Duration::from_millis(1500),
                ..ShareConfig::default()
            },
        )?;
        let busy = |e: DomainError| match e {
            DomainError::Storage(StorageError::Busy { .. }) => DomainError::Conflict(
                "otra terminal está escribiendo en la carpeta compartida: no se restaura \
                 mientras alguien trabaja. Intente de nuevo cuando termine"
                    .into(),
            ),
            e => e,
        };
        quick.read(|tx| current_admin(tx, s)).map_err(busy)?;
        if src.canonicalize().ok() == self.dir().canonicalize().ok() {
            return invalid("la copia es la misma carpeta compartida");
        }
        tell(on, "revisando la copia", 0, 1);
        let copy = Market::open_with(src, ShareConfig::default(), false).map_err(|e| {
            DomainError::Invalid(format!(
                "{} no es una copia que se pueda abrir: {e}",
                src.display()
            ))
        })?;
        let report = copy.check()?;
        if !report.ok {
            return invalid(format!(
                "la copia {} no pasa la revisión; no se restaura:\n{}",
                src.display(),
                report.to_text()
            ));
        }
        // Everything the copy holds, read in one transaction of the copy.
        let copy_store = copy.photo_store();
        let (files, copy_photos, copy_lamport) = copy.read(|tx| {
            let mut files = Vec::new();
            for e in tx.files()? {
                let (h, slots) = file_slots(tx, &e.name)?;
                files.push((e.name, h, slots));
            }
            let mut ph = Vec::new();
            for id in photos::referenced(tx)? {
                let p = copy_store.get(tx, &hex(&id))?;
                let t = copy_store.get(tx, &thumb_name(&id))?;
                if let (Some(p), Some(t)) = (p, t) {
                    ph.push((id, p, t));
                }
            }
            Ok((files, ph, tx.lamport()))
        })?;
        tell(on, "revisando la copia", 1, 1);
        let store = quick.blobs(PHOTOS_DIR, photos::MAX_PHOTO_BYTES as u64);
        let total = files.len() as u64 + 2;
        // One write transaction: every record file rewritten in place through the journal
        // (all or nothing; a crash leaves the share as it was). Photos are new names: written
        // first, and the ones the old state named but the copy does not are collected after.
        let r = quick.write(|tx| -> DResult<RestoreSummary> {
            current_admin(tx, s)?;
            let current: HashSet<String> = tx.files()?.into_iter().map(|e| e.name).collect();
            let incoming: HashSet<&str> = files.iter().map(|(n, _, _)| n.as_str()).collect();
            if let Some(extra) = current.iter().find(|n| !incoming.contains(n.as_str())) {
                return conflict(format!(
                    "la carpeta tiene el archivo {extra}, que la copia no tiene: la copia es de otra versión"
                ));
            }
            tell(on, "restaurando fotos", 0, total);
            let mut photos_in = 0;
            for (id, p, t) in &copy_photos {
                if store.put(tx, &thumb_name(id), t)? | store.put(tx, &hex(id), p)? {
                    photos_in += 1;
                }
            }
            for (i, (name, h, slots)) in files.iter().enumerate() {
                tell(on, &format!("restaurando {name}"), i as u64 + 1, total);
                tx.overwrite_file(name, h.clone(), slots.clone())?;
            }
            tx.clock_past(copy_lamport);
            Ok(RestoreSummary {
                src: src.display().to_string(),
                files: files.len() as u64,
                photos: photos_in,
                photos_removed: 0,
                counter: tx.counter() + 1,
            })
        });
        let mut summary = r.map_err(busy)?;
        drop(quick);
        self.write(|tx| {
            tx.log_event(
                &s.email,
                "restauración",
                &format!("desde {}", src.display()),
            )?;
            Ok(())
        })?;
        // Photos of the replaced state that the restored one does not name.
        let removed = self.collect_photos()?;
        summary.photos_removed = removed;
        tell(on, "listo", total, total);
        Ok(summary)
    }

    /// Removes photos no record names and temporary files left by a crash (under the
    /// exclusive lock: no one is storing a photo meanwhile). Returns how many files went.
    fn collect_photos(&self) -> DResult<u64> {
        let store = self.photo_store();
        self.write(|tx| {
            let refs = photos::referenced(tx)?;
            let f = photos::scan(tx, &store)?;
            remove_strays(tx, &store, &f, &refs)
        })
    }

    /// Repairs the share (see the module comment). `s` must be the administrator's session;
    /// `None` is accepted only when the users' file is itself too damaged to check one.
    pub fn repair(&self, s: Option<&Session>, on: OnProgress) -> DResult<RepairReport> {
        match s {
            Some(s) => {
                self.read(|tx| current_admin(tx, s))?;
            }
            None => {
                let readable = self.read(|tx| match find_user(tx, ADMIN_EMAIL) {
                    Ok(_) => Ok(true),
                    Err(DomainError::Storage(e)) if e.is_damaged() => Ok(false),
                    Err(e) => Err(e),
                })?;
                if readable {
                    return denied("la reparación la confirma la administración: indique su clave");
                }
            }
        }
        let store = self.photo_store();
        let mut rebuilt = Vec::new();
        let mut cannot = Vec::new();
        self.write(|tx| {
            rebuilt.clear();
            cannot.clear();
            repair_tx(tx, &store, &mut rebuilt, &mut cannot, on)?;
            tx.log_event(
                s.map_or("", |s| s.email.as_str()),
                "reparación",
                &format!("{} arreglos", rebuilt.len()),
            )?;
            Ok(())
        })?;
        // A large catalogue's own indexes: checked, and when they are not sound rebuilt from
        // PUBLICADOS.DAT in write transactions of `index::BULK_NODES_PER_TX` entries
        // (`index::bulk_build`). A cut between two of them leaves nodes outside the tree: the
        // check below (or the next one) reports it and a new repair rebuilds again.
        if self.read(|tx| large_catalogue(tx))? && !self.read(|tx| super::index::sound(tx))? {
            let mut progress = |done: u64, total: u64| tell(on, "índices de Explorar", done, total);
            let (o, w) = super::index::bulk_build(self, &mut progress)?;
            rebuilt.push(format!(
                "{}, {}: índices de Explorar rehechos desde {PUBS_DAT} en tandas ({o} y {w} entradas)",
                super::index::ORDERS.file,
                super::index::WORDS.file
            ));
        }
        tell(on, "revisando", 0, 1);
        let after = self.check()?;
        tell(on, "revisando", 1, 1);
        // Whatever the check still finds is what the files could not tell.
        let left: Vec<String> = after
            .storage
            .files
            .iter()
            .flat_map(|f| f.problems.iter().map(move |p| format!("{}: {p}", f.name)))
            .chain(after.structures.iter().flat_map(|s| {
                s.problems
                    .iter()
                    .map(move |p| format!("{}: {p}", s.structure))
            }))
            .collect();
        for l in left {
            if !cannot.contains(&l) {
                cannot.push(l);
            }
        }
        Ok(RepairReport {
            rebuilt,
            cannot,
            after,
        })
    }
}

/// Makes a share that does not open because of damage open again: a damaged control file is
/// rebuilt ([`repair_control`]), a damaged version record (`VERSION.DAT`) made again
/// (`version::repair_record`). Refused when neither is what stops it. Afterwards
/// [`Market::repair`] can run.
pub fn repair_unopenable(dir: &Path) -> DResult<Vec<String>> {
    let names: Vec<&str> = schema_files().into_iter().map(|(n, _)| n).collect();
    if let crate::storage::probe::FolderState::Damaged { .. } =
        crate::storage::probe::probe(dir, &names, &[PHOTOS_DIR])?
    {
        return repair_control(dir);
    }
    let share = Share::open(dir, ShareConfig::default())?;
    let done =
        share.write(|tx| -> DResult<Option<String>> { super::version::repair_record(tx) })?;
    match done {
        Some(line) => Ok(vec![line]),
        None => invalid(
            "la carpeta no abre por un daño que esta reparación no reconstruye: restaure una copia",
        ),
    }
}

/// Rebuilds the control file of the share in `dir` when it is damaged (the folder then holds
/// VentaLibre files that do not open: `init` refuses it and points here). Afterwards the share
/// opens and [`Market::repair`] can run. Refused on a folder whose control file is sound.
pub fn repair_control(dir: &Path) -> DResult<Vec<String>> {
    let names: Vec<&str> = schema_files().into_iter().map(|(n, _)| n).collect();
    match crate::storage::probe::probe(dir, &names, &[PHOTOS_DIR])? {
        crate::storage::probe::FolderState::Damaged { .. } => {}
        crate::storage::probe::FolderState::Share => {
            return invalid(
                "el archivo de control de la carpeta está sano: no hay nada que reconstruir en él",
            );
        }
        crate::storage::probe::FolderState::Empty => {
            return invalid(format!(
                "{} no tiene archivos de VentaLibre: no hay nada que reparar (`ventalibre iniciar` crea una carpeta nueva)",
                dir.display()
            ));
        }
    }
    Ok(crate::storage::rebuild::rebuild_control(
        dir,
        &schema_files(),
    )?)
}

fn remove_strays(
    tx: &mut WriteTx,
    store: &crate::storage::blobs::BlobStore,
    f: &PhotoFolder,
    refs: &HashSet<PhotoId>,
) -> DResult<u64> {
    let mut n = 0;
    for id in f.photos.iter().filter(|id| !refs.contains(*id)) {
        store.remove(tx, &hex(id))?;
        n += 1;
    }
    for id in f.thumbs.iter().filter(|id| !refs.contains(*id)) {
        store.remove(tx, &thumb_name(id))?;
        n += 1;
    }
    for name in f
        .strays
        .iter()
        .filter(|n| crate::storage::blobs::is_temporary(n))
    {
        store.remove(tx, name)?;
        n += 1;
    }
    Ok(n)
}

/// Where each file of the schema keeps its free list (what `create_schema` sets up).
fn free_home_of(name: &str) -> FreeHome {
    let control = |file: &str, field: u16| FreeHome::Control {
        file: file.into(),
        field,
    };
    match name {
        n if n == CATEGORIES.data => control(CATEGORIES.control, crate::me::list::CON_FREE),
        n if n == PUBS_DAT => control(PUBS_CON, PCON_FREE_DAT),
        n if n == BY_SELLER.file => control(PUBS_CON, BY_SELLER.free_field),
        n if n == BY_CATEGORY.file => control(PUBS_CON, BY_CATEGORY.free_field),
        n if n == SALES.heads => control(SALES.control, crate::me::queues::CON_FREE_HEADS),
        n if n == SALES.items => control(SALES.control, crate::me::queues::CON_FREE_ITEMS),
        n if n == MESSAGES.heads => control(MESSAGES.control, crate::me::queues::CON_FREE_HEADS),
        n if n == MESSAGES.items => control(MESSAGES.control, crate::me::queues::CON_FREE_ITEMS),
        _ => FreeHome::Own,
    }
}

/// Control files first: the free lists of the others live in them.
/// Whether the catalogue is large enough for its own indexes to be rebuilt in chunks, after
/// the repair's transaction (above [`super::demo::BULK_FROM`] publications, as the demo's bulk
/// load).
fn large_catalogue(tx: &mut impl crate::storage::Tx) -> DResult<bool> {
    Ok(tx.exists(PUBS_DAT)? && tx.slot_count(PUBS_DAT)? > super::demo::BULK_FROM)
}

fn repair_order() -> Vec<(&'static str, u32)> {
    let mut files = schema_files();
    files.push((EVENTS_FILE, crate::storage::events::EVENT_SLOT));
    files.sort_by_key(|(n, _)| !matches!(free_home_of(n), FreeHome::Own));
    files
}

fn repair_tx(
    tx: &mut WriteTx,
    store: &crate::storage::blobs::BlobStore,
    rebuilt: &mut Vec<String>,
    cannot: &mut Vec<String>,
    on: OnProgress,
) -> DResult<()> {
    let files = repair_order();
    let total = files.len() as u64 + 8;
    // 1. Headers.
    for (i, (name, size)) in files.iter().enumerate() {
        tell(on, &format!("cabecera de {name}"), i as u64, total);
        if !tx.exists(name)? {
            continue;
        }
        let problem = match tx.raw_header(name)? {
            Ok(h) if h.tag == *name && h.slot_size == *size => continue,
            Ok(h) if h.tag != *name => format!("dice ser {}", h.tag),
            Ok(h) => format!("registros de {} bytes", h.slot_size),
            Err(d) => d,
        };
        let len = tx.file_len(name)?;
        let stride = 8 + *size as u64;
        let slots = len.saturating_sub(HEADER_SIZE as u64) / stride;
        let mut h = Header::new(name, *size, free_home_of(name), now_ms());
        h.slot_count = slots;
        h.change_counter = tx.counter();
        h.lamport = tx.lamport();
        if *name == USERS.control {
            h.control[CON_BUCKETS] = USER_BUCKETS;
        }
        tx.replace_header(name, h)?;
        rebuilt.push(format!(
            "{name}: cabecera reconstruida ({problem}); {slots} registros según su largo"
        ));
    }
    // 2. Free lists and live counts (control files first: they anchor the others' lists).
    let mut unreadable: HashMap<&str, Vec<u64>> = HashMap::new();
    for (name, _) in &files {
        if !tx.exists(name)? || tx.slot_count(name)? == 0 {
            continue;
        }
        let before = check_free_list(tx, name)?;
        let r = tx.reset_slots(name, |_, s| !matches!(s, Some(Slot::Free { .. })))?;
        if !r.damaged.is_empty() {
            unreadable.insert(*name, r.damaged.clone());
        }
        if let Some(b) = before {
            rebuilt.push(format!(
                "{name}: lista de libres y cuenta de ocupados rehechas ({b})"
            ));
        }
    }
    // Index files are rebuilt whole below: their unreadable nodes simply go.
    for f in [BY_SELLER.file, BY_CATEGORY.file] {
        if let Some(d) = unreadable.remove(f) {
            rebuilt.push(format!("{f}: {} nodos ilegibles descartados", d.len()));
        }
    }
    tell(on, "usuarios", files.len() as u64, total);
    // 3. Users: the hash from the user records.
    let (records, bad) = USERS.salvage(tx)?;
    for p in bad {
        if p >= tx.control(USERS.control, CON_BUCKETS).unwrap_or(0) {
            cannot.push(format!(
                "{}: el registro en la posición {p} es ilegible (un usuario perdido: restaure una copia)",
                USERS.data
            ));
        }
    }
    let buckets = match tx.control(USERS.control, CON_BUCKETS)? {
        b if b >= 1 && b <= tx.slot_count(USERS.data)? => b,
        _ => USER_BUCKETS,
    };
    let mut seen_keys = HashSet::new();
    let mut ids: HashMap<u64, String> = HashMap::new();
    let mut unique = Vec::new();
    for (k, v) in records {
        if !seen_keys.insert(k.clone()) {
            cannot.push(format!(
                "{}: el email {} está dos veces; se conserva el primero",
                USERS.data,
                String::from_utf8_lossy(&k)
            ));
            continue;
        }
        let u = User::decode(&k, &v);
        if let Some(other) = ids.insert(u.id, u.email.to_string()) {
            cannot.push(format!(
                "{}: el id {} es de {} y de {}: no se sabe de quién son sus movimientos; \
                 restaure una copia",
                USERS.data, u.id, other, u.email
            ));
        }
        unique.push((k, v));
    }
    let before = USERS.check(tx).map(|p| p.is_ok()).unwrap_or(false);
    USERS.rebuild(tx, buckets, &unique)?;
    if !before {
        rebuilt.push(format!(
            "{}: cadenas del hash rehechas con {} usuarios",
            USERS.data,
            unique.len()
        ));
    }
    // The index by id was made again from where the records are now: its unreadable slots
    // went with it. Presence is only "connected / last seen": an unreadable slot becomes
    // "not connected".
    if let Some(d) = unreadable.remove(USERS_IDS) {
        rebuilt.push(format!(
            "{USERS_IDS}: {} posiciones ilegibles rehechas desde {}",
            d.len(),
            USERS.data
        ));
    }
    if let Some(d) = unreadable.remove(super::presence::PRESENCE) {
        super::presence::repair(tx)?;
        rebuilt.push(format!(
            "{}: {} usuarios ilegibles quedan desconectados",
            super::presence::PRESENCE,
            d.len()
        ));
    }
    // 4. Categories.
    tell(on, "categorías", files.len() as u64 + 1, total);
    let before = CATEGORIES.check(tx).map(|p| p.is_ok()).unwrap_or(false);
    for k in CATEGORIES.rebuild(tx)? {
        cannot.push(format!(
            "{}: la clave {k} está repetida; se conserva la primera",
            CATEGORIES.data
        ));
    }
    if !before {
        rebuilt.push(format!(
            "{}: lista rehecha en orden de clave",
            CATEGORIES.data
        ));
    }
    // 5. Publications and their indexes.
    tell(on, "publicaciones", files.len() as u64 + 2, total);
    let n = tx.slot_count(PUBS_DAT)?;
    let mut pubs: BTreeMap<u64, Publication> = BTreeMap::new();
    for pos in 0..n {
        match tx.slot(PUBS_DAT, pos) {
            Ok(Slot::Live(b)) => match Publication::decode(&b) {
                Ok(p) if p.id == pos + 1 => {
                    pubs.insert(pos, p);
                }
                Ok(p) => cannot.push(format!(
                    "{PUBS_DAT}: la posición {pos} tiene la publicación {}",
                    p.id
                )),
                Err(e) => cannot.push(format!("{PUBS_DAT}: posición {pos}: {e}")),
            },
            Ok(Slot::Free { .. }) => {}
            Err(e) if e.is_damaged() => cannot.push(format!(
                "{PUBS_DAT}: la publicación {} es ilegible (restaure una copia)",
                pos + 1
            )),
            Err(e) => return Err(e.into()),
        }
    }
    if tx.control(PUBS_CON, PCON_LAST_ID)? != n {
        rebuilt.push(format!("{PUBS_CON}: último id corregido a {n}"));
        tx.set_control(PUBS_CON, PCON_LAST_ID, n)?;
    }
    for (idx, key) in [(&BY_SELLER, 0), (&BY_CATEGORY, 1)] {
        let entries: std::collections::BTreeSet<(u64, u64)> = pubs
            .iter()
            .map(|(&pos, p)| (if key == 0 { p.seller } else { p.category }, pos))
            .collect();
        let ok = idx
            .check(tx, Some(&entries))
            .map(|p| p.is_ok())
            .unwrap_or(false);
        if !ok {
            let v: Vec<(u64, u64)> = entries.into_iter().collect();
            idx.rebuild(tx, &v)?;
            rebuilt.push(format!(
                "{}: índice AVL rehecho desde {PUBS_DAT} ({} nodos)",
                idx.file,
                v.len()
            ));
        }
    }
    // 6. Sales: the buyers' queues from the sales themselves, then sales ↔ publications.
    tell(on, "ventas", files.len() as u64 + 3, total);
    let before = SALES.check(tx).map(|p| p.is_ok()).unwrap_or(false);
    let orphans = SALES.rebuild(tx, |it| {
        Sale::decode(&it.payload).ok().map(|s| (s.buyer, 0))
    })?;
    for it in orphans {
        cannot.push(format!(
            "{}: la venta {} es ilegible",
            SALES.items,
            it.pos + 1
        ));
    }
    if !before {
        rebuilt.push(format!(
            "{}: colas de compras rehechas desde las ventas",
            SALES.heads
        ));
    }
    let mut sales: BTreeMap<u64, Sale> = BTreeMap::new();
    for pos in 0..tx.slot_count(SALES.items)? {
        if let Ok(Slot::Live(_)) = tx.slot(SALES.items, pos)
            && let Ok(s) = Sale::decode(&SALES.item(tx, pos)?.payload)
        {
            sales.insert(pos, s);
        }
    }
    for (pos, s) in &sales {
        let Some(p) = pubs.get_mut(&(s.pub_id.wrapping_sub(1))) else {
            cannot.push(format!(
                "{}: la venta {} es de la publicación {}, que no existe",
                SALES.items,
                pos + 1,
                s.pub_id
            ));
            continue;
        };
        if p.state != PubState::Sold || p.sale_pos != *pos || p.buyer != s.buyer {
            p.state = PubState::Sold;
            p.sale_pos = *pos;
            p.buyer = s.buyer;
            p.sold_ms = s.sold_ms;
            store_pub_raw(tx, p)?;
            rebuilt.push(format!(
                "{PUBS_DAT}: la publicación {} vuelve a apuntar a su venta {}",
                p.id,
                pos + 1
            ));
        }
    }
    // The catalogue's own indexes, from the publications as repaired: here for a small
    // catalogue; a large one's are rebuilt after this transaction, in chunks
    // (`Market::repair`), so that neither memory nor the redo log holds both trees at once.
    if !large_catalogue(tx)?
        && let Some(done) = super::index::repair(tx)?
    {
        rebuilt.push(done);
    }
    // 7. Conversations: from their heads.
    tell(on, "conversaciones", files.len() as u64 + 4, total);
    let before = MESSAGES.check(tx).map(|p| p.is_ok()).unwrap_or(false);
    let orphans = MESSAGES.rebuild(tx, |_| None)?;
    for it in &orphans {
        cannot.push(format!(
            "{}: el mensaje en la posición {} perdió su conversación ({} la tenía)",
            MESSAGES.items, it.pos, MESSAGES.heads
        ));
    }
    if !before {
        rebuilt.push(format!("{}: conversaciones reenlazadas", MESSAGES.heads));
    }
    // 8. Counters and balances.
    tell(on, "saldos y contadores", files.len() as u64 + 5, total);
    let mut max_id = ids.keys().copied().max().unwrap_or(0);
    for p in pubs.values() {
        max_id = max_id.max(p.seller).max(p.buyer);
    }
    for s in sales.values() {
        max_id = max_id.max(s.buyer).max(s.seller);
    }
    let mut sums: HashMap<u64, i64> = HashMap::new();
    // A user whose movements do not add up to their own "balance after" has a ledger that is
    // wrong in itself: its balance is not recomputed from it.
    let mut unsound: HashSet<u64> = HashSet::new();
    let mut ledger_whole = !unreadable.contains_key(MOVEMENTS);
    tx.prefetch(MOVEMENTS).ok();
    for pos in 0..tx.slot_count(MOVEMENTS)? {
        match tx.slot(MOVEMENTS, pos) {
            Ok(Slot::Live(b)) => match Movement::decode(&b) {
                Ok(m) => {
                    max_id = max_id.max(m.user);
                    let sum = sums.entry(m.user).or_default();
                    *sum += m.amount;
                    if *sum != m.balance_after {
                        unsound.insert(m.user);
                        *sum = m.balance_after;
                    }
                }
                Err(_) => ledger_whole = false,
            },
            Ok(Slot::Free { .. }) => {}
            Err(_) => ledger_whole = false,
        }
    }
    let last = tx.control(USERS.control, CON_LAST_ID)?;
    if last < max_id {
        tx.set_control(USERS.control, CON_LAST_ID, max_id)?;
        rebuilt.push(format!(
            "{}: último id de usuario corregido de {last} a {max_id}",
            USERS.control
        ));
    }
    for (k, v) in &unique {
        let u = User::decode(k, v);
        if unsound.contains(&u.id) {
            cannot.push(format!(
                "{MOVEMENTS}: los movimientos de {} no cierran con sus propios saldos; no se \
                 sabe cuál está mal, y ningún saldo se recalcula (restaure una copia)",
                u.email
            ));
        }
    }
    if ledger_whole && unsound.is_empty() {
        for (k, v) in &unique {
            let mut u = User::decode(k, v);
            let s = sums.get(&u.id).copied().unwrap_or(0);
            if u.balance != s
                && !cannot
                    .iter()
                    .any(|c| c.contains(&format!("el id {} ", u.id)))
            {
                rebuilt.push(format!(
                    "{}: saldo de {} corregido de {} a {} (la suma de sus movimientos)",
                    USERS.data,
                    u.email,
                    format::money(u.balance),
                    format::money(s)
                ));
                u.balance = s;
                store_user(tx, &u)?;
            }
        }
    } else {
        cannot.push(format!(
            "{MOVIMIENTOS}: hay movimientos ilegibles; los saldos no se recalculan (restaure una copia)",
            MOVIMIENTOS = MOVEMENTS
        ));
    }
    for (name, d) in &unreadable {
        if *name != MOVEMENTS && *name != PUBS_DAT && *name != USERS.data {
            cannot.push(format!(
                "{name}: {} registros ilegibles en las posiciones {:?} (restaure una copia)",
                d.len(),
                &d[..d.len().min(10)]
            ));
        }
    }
    // 9. Photos.
    tell(on, "fotos", files.len() as u64 + 6, total);
    let (refs, complete) = photos::referenced_readable(tx)?;
    let folder = photos::scan(tx, store)?;
    let have: HashSet<PhotoId> = folder.photos.iter().copied().collect();
    let thumbs: HashSet<PhotoId> = folder.thumbs.iter().copied().collect();
    // With unreadable users or publications, what they name is unknown: collect nothing.
    let removed = if complete {
        remove_strays(tx, store, &folder, &refs)?
    } else {
        0
    };
    if removed > 0 {
        rebuilt.push(format!(
            "{PHOTOS_DIR}: {removed} archivos que ningún registro nombra, borrados"
        ));
    }
    for id in &refs {
        if !have.contains(id) {
            cannot.push(format!(
                "{PHOTOS_DIR}: falta la foto {} (restaure una copia)",
                hex(id)
            ));
            continue;
        }
        let bytes = store.get(tx, &hex(id))?.unwrap_or_default();
        if &super::password::sha256(&bytes) != id {
            cannot.push(format!(
                "{PHOTOS_DIR}: la foto {} está dañada (restaure una copia)",
                hex(id)
            ));
            continue;
        }
        if !thumbs.contains(id) {
            match photos::thumbnail_of(&bytes) {
                Ok(thumb) => {
                    store.put(tx, &thumb_name(id), &thumb)?;
                    rebuilt.push(format!(
                        "{PHOTOS_DIR}: miniatura de {} hecha de nuevo",
                        hex(id)
                    ));
                }
                Err(e) => cannot.push(format!("{PHOTOS_DIR}: la foto {}: {e}", hex(id))),
            }
        }
    }
    tell(on, "guardando", total, total);
    Ok(())
}

/// What is wrong with a file's free list or live count, if anything (for the report).
fn check_free_list(tx: &mut WriteTx, name: &str) -> DResult<Option<String>> {
    let h = tx.header(name)?;
    let (head, count) = tx.free_list(name)?;
    let mut free = 0u64;
    let mut live = 0u64;
    for pos in 0..h.slot_count {
        match tx.slot(name, pos) {
            Ok(Slot::Live(_)) => live += 1,
            Ok(Slot::Free { .. }) => free += 1,
            Err(_) => {}
        }
    }
    let mut seen = 0u64;
    let mut cur = head;
    let mut broken = false;
    while cur != NIL {
        seen += 1;
        if seen > free || cur >= h.slot_count {
            broken = true;
            break;
        }
        match tx.slot(name, cur) {
            Ok(Slot::Free { next }) => cur = next,
            _ => {
                broken = true;
                break;
            }
        }
    }
    Ok(if broken || seen != free || count != free {
        Some(format!(
            "{free} libres; la lista tenía {seen} y su control decía {count}"
        ))
    } else if live != h.live_count {
        Some(format!(
            "{live} ocupados y la cabecera decía {}",
            h.live_count
        ))
    } else {
        None
    })
}

/// The default place for a backup: `<share>-copia-<date>` beside the share.
pub fn default_backup_dir(share: &Path) -> PathBuf {
    let name = share
        .file_name()
        .map_or("carpeta".into(), |n| n.to_string_lossy().into_owned());
    let date = chrono::Local::now().format("%Y%m%d-%H%M%S");
    share
        .parent()
        .unwrap_or(Path::new("."))
        .join(format!("{name}-copia-{date}"))
}
