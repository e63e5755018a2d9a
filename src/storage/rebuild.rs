//! Rebuilding `VENTALIBRE.CTL` when it is damaged (emptied, zeroed, torn past its checksums):
//! the share cannot be opened without it, so this runs before any transaction, under the
//! exclusive lock and the write lease like a commit.
//!
//! The catalog is made again from the record files themselves: every file of the folder whose
//! header names it (its tag) is listed with the slot size it gives; a file of the caller's
//! schema whose header is damaged too gets the slot size the schema expects, and `repair`
//! rebuilds that header afterwards. The commit state is
//! written idle with a change counter past every file's (`max + 2`) and a Lamport clock past
//! every file's, so every terminal's cache rereads everything. The new identity gets a new
//! share id. The damaged control file is kept beside it as `VENTALIBRE.CTL.dañado-<time>`,
//! and the new one is written over it in place (never renamed over it: terminals may hold it
//! open), through the share's [`FsBackend`] (direct I/O where the file system needs it).
//! A hot journal cannot be applied without the old commit state, so it is left unapplied (the
//! rebuilt state is idle): the files are taken as they are, and `repair` makes them agree. The
//! redo log's chain of whole frames is folded into the files first (as recovery does when the
//! commit state is torn).

use std::io::Read;
use std::path::Path;
use std::time::{Duration, Instant};

use super::backend::{Backend, FsBackend};
use super::ctl::{
    CATALOG_MAX, CATALOG_OFFSET, CTL_FILE, Catalog, CatalogEntry, CommitState, IDENTITY_OFFSET,
    Identity, STATE_OFFSET,
};
use super::error::{Result, StorageError};
use super::events::{EVENT_SLOT, EVENTS_FILE};
use super::ident::{ProcessIdentity, now_ms, random_u64};
use super::lease::{self, LeaseTiming};
use super::lock::{LockMode, ShareLock};
use super::record::{HEADER_SIZE, Header};
use super::wal::LOG_FILE;

/// The first bytes of a file (its header), `None` if there is no such file.
fn read_head(path: &Path) -> Result<Option<Vec<u8>>> {
    let Ok(mut f) = std::fs::File::open(path) else {
        return Ok(None);
    };
    let mut raw = Vec::with_capacity(HEADER_SIZE);
    f.by_ref()
        .take(HEADER_SIZE as u64)
        .read_to_end(&mut raw)
        .map_err(|e| StorageError::io(path.display().to_string(), "leer", e))?;
    Ok(Some(raw))
}

/// Rebuilds the control file of the share in `dir` from its record files; `schema` (name,
/// slot size) says what to catalog for a file whose own header is damaged too. Returns what it
/// did, line by line (Spanish).
pub fn rebuild_control(dir: &Path, schema: &[(&str, u32)]) -> Result<Vec<String>> {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(10);
    let lock = ShareLock::open(dir)?;
    let _guard = lock.acquire(LockMode::Exclusive, started, deadline)?;
    let me = ProcessIdentity::current(None);
    let timing = LeaseTiming {
        renew: Duration::from_millis(250),
        timeout: Duration::from_secs(2),
    };
    let direct = super::fsinfo::probe(dir).policy().direct_io;
    let lease = lease::acquire(dir, direct, &me, timing, deadline)?;
    let mut done = Vec::new();
    let mut entries = Vec::new();
    let (mut counter, mut lamport) = (0u64, 0u64);
    // The commits still in the redo log go into the files first (the lost state said where
    // the log ends; its chain of whole frames from the start stands in for it).
    if let Some((c, l)) = super::share::fold_log_chain(&FsBackend::with_direct_io(dir, direct))? {
        (counter, lamport) = (c, l);
        done.push(format!(
            "las confirmaciones del registro {LOG_FILE} pasan a los archivos (hasta la {c})"
        ));
    }
    // Every record file of the folder names itself in its header: those are catalogued as
    // they are (files of the schema or not: a newer feature's file is kept too).
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| StorageError::Unreachable {
            dir: dir.display().to_string(),
            source: e,
        })?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("VENTALIBRE.") && n.is_ascii() && n.len() <= 16)
        .collect();
    names.sort();
    for name in &names {
        let Some(raw) = read_head(&dir.join(name))? else {
            continue;
        };
        if let Ok(h) = Header::decode(&raw)
            && h.tag == *name
        {
            counter = counter.max(h.change_counter);
            lamport = lamport.max(h.lamport);
            if let Some((_, size)) = schema.iter().find(|(n, _)| n == name)
                && h.slot_size != *size
            {
                done.push(format!(
                    "{name}: registros de {} bytes (se esperaban {size}); se cataloga como está",
                    h.slot_size
                ));
            }
            entries.push(CatalogEntry {
                name: name.clone(),
                slot_size: h.slot_size,
            });
        }
    }
    // Files of the schema whose header is damaged too: the schema says their slot size, and
    // `repair` rebuilds the header afterwards.
    let mut all: Vec<(&str, u32)> = schema.to_vec();
    all.push((EVENTS_FILE, EVENT_SLOT));
    for (name, size) in all {
        if entries.iter().any(|e| e.name == name) {
            continue;
        }
        if read_head(&dir.join(name))?.is_some_and(|r| !r.is_empty()) {
            done.push(format!(
                "{name}: su cabecera también está dañada; se cataloga con registros de {size} bytes"
            ));
            entries.push(CatalogEntry {
                name: name.into(),
                slot_size: size,
            });
        }
    }
    if entries.is_empty() {
        return Err(StorageError::Missing {
            file: CTL_FILE.into(),
        });
    }
    if entries.len() > CATALOG_MAX {
        return Err(StorageError::Misuse(
            "demasiados archivos para el catálogo".into(),
        ));
    }
    // Each commit moves the counter by one; headers carry the counter of their last commit.
    let (counter, lamport) = (counter + 2, lamport + 1);
    let mut b = vec![0u8; STATE_OFFSET as usize + 64];
    let id = Identity {
        share_id: random_u64(),
        created_ms: now_ms(),
    };
    b[IDENTITY_OFFSET as usize..IDENTITY_OFFSET as usize + 64].copy_from_slice(&id.encode());
    let cat = Catalog {
        entries: entries.clone(),
    }
    .encode();
    b[CATALOG_OFFSET as usize..CATALOG_OFFSET as usize + cat.len()].copy_from_slice(&cat);
    b[STATE_OFFSET as usize..].copy_from_slice(&CommitState::idle(counter, lamport).encode());
    lease.confirm()?;
    let ctl = dir.join(CTL_FILE);
    if ctl.exists() {
        let aside = dir.join(format!(
            "{CTL_FILE}.dañado-{}",
            chrono::Local::now().format("%Y%m%d-%H%M%S")
        ));
        std::fs::copy(&ctl, &aside).map_err(|e| StorageError::io(CTL_FILE, "copiar", e))?;
        done.push(format!(
            "el {CTL_FILE} dañado queda como {}",
            aside.file_name().unwrap_or_default().to_string_lossy()
        ));
    }
    // In place (the file keeps its identity for any terminal that holds it open), under the
    // exclusive lock and the lease: no terminal reads it meanwhile. A cut mid-write leaves a
    // control file that is damaged again, with the copy above beside it: run repair again.
    let backend = FsBackend::new(dir);
    let io = |e| StorageError::io(CTL_FILE, "reconstruir", e);
    {
        let f = backend.open_or_create(CTL_FILE).map_err(io)?;
        f.write_at(0, &b).map_err(io)?;
        f.set_len(b.len() as u64).map_err(io)?;
        f.sync().map_err(io)?;
    }
    done.push(format!(
        "{CTL_FILE}: reconstruido con {} archivos en el catálogo (contador {counter})",
        entries.len()
    ));
    Ok(done)
}
