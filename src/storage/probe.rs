//! What a folder holds, before anything is created in it: nothing of VentaLibre, a share whose
//! control file opens, or VentaLibre files that cannot be opened as a share (a damaged or
//! emptied `VENTALIBRE.CTL`, data files the catalog does not list). Creating a share is allowed
//! only in the first case (or to finish a creation cut short, which left only an all-zero
//! control file): a damaged share is never initialised over, so nothing in it is lost.
//!
//! The probe only reads. It lists the folder (the one place where a directory listing is
//! consulted: to find files that the catalog, being damaged, cannot name).

use std::io::Read;
use std::path::Path;

use super::ctl::{
    CATALOG_OFFSET, CATALOG_SIZE, CTL_FILE, Catalog, IDENTITY_OFFSET, IDENTITY_SIZE, Identity,
};
use super::error::{Result, StorageError};
use super::events::EVENTS_FILE;
use super::journal::JOURNAL_FILE;
use super::wal::LOG_FILE;

/// What [`probe`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FolderState {
    /// No VentaLibre file (or only what a creation cut short leaves): a share may be created.
    Empty,
    /// A share whose control file opens (its other files may still be damaged: `check` says).
    Share,
    /// VentaLibre files that do not open as a share. Nothing may be created over them.
    Damaged {
        /// The VentaLibre files present (with data), sorted.
        found: Vec<String>,
        /// What is wrong, in Spanish.
        problem: String,
    },
}

/// Looks at `dir`. `data_files` are the record files the caller's schema keeps and
/// `data_dirs` its sub-folders (photos): with the storage layer's own files, they are what
/// counts as "a VentaLibre file". Errors only if the folder cannot be read.
pub fn probe(dir: &Path, data_files: &[&str], data_dirs: &[&str]) -> Result<FolderState> {
    let unreachable = |source| StorageError::Unreachable {
        dir: dir.display().to_string(),
        source,
    };
    let mut found = Vec::new();
    for e in std::fs::read_dir(dir).map_err(unreachable)? {
        let e = e.map_err(unreachable)?;
        let name = e.file_name().to_string_lossy().into_owned();
        let meta = e.metadata().map_err(unreachable)?;
        let ours = if meta.is_dir() {
            data_dirs.contains(&name.as_str())
                && std::fs::read_dir(e.path()).is_ok_and(|mut d| d.next().is_some())
        } else {
            // Empty files are what a rolled-back creation leaves; they hold nothing.
            (name == CTL_FILE
                || name == JOURNAL_FILE
                || name == LOG_FILE
                || name == EVENTS_FILE
                || data_files.contains(&name.as_str()))
                && meta.len() > 0
        };
        if ours {
            found.push(name);
        }
    }
    found.sort();
    let others: Vec<String> = found
        .iter()
        .filter(|n| *n != CTL_FILE && *n != JOURNAL_FILE && *n != LOG_FILE)
        .cloned()
        .collect();
    let damaged = |problem: String| {
        Ok(FolderState::Damaged {
            found: found.clone(),
            problem,
        })
    };
    let ctl = dir.join(CTL_FILE);
    let mut bytes = Vec::new();
    match std::fs::File::open(&ctl) {
        Ok(mut f) => {
            f.by_ref()
                .take((CATALOG_OFFSET as usize + CATALOG_SIZE) as u64)
                .read_to_end(&mut bytes)
                .map_err(|e| StorageError::io(CTL_FILE, "leer", e))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if others.is_empty() {
                return Ok(FolderState::Empty);
            }
            return damaged(format!(
                "falta {CTL_FILE} y la carpeta tiene datos de VentaLibre ({})",
                others.join(", ")
            ));
        }
        Err(e) => return Err(StorageError::io(CTL_FILE, "abrir", e)),
    }
    let identity = &bytes[..bytes.len().min(IDENTITY_SIZE)];
    if identity.iter().all(|&b| b == 0) {
        // A creation cut short writes the identity last; with data beside it, it is damage.
        if others.is_empty() {
            return Ok(FolderState::Empty);
        }
        return damaged(format!(
            "{CTL_FILE} está vacío o en cero y la carpeta tiene datos de VentaLibre ({})",
            others.join(", ")
        ));
    }
    if bytes.len() < CATALOG_OFFSET as usize + CATALOG_SIZE {
        return damaged(format!("{CTL_FILE} está truncado ({} bytes)", bytes.len()));
    }
    let start = IDENTITY_OFFSET as usize;
    if let Err(d) = Identity::decode(&bytes[start..start + IDENTITY_SIZE]) {
        return damaged(format!("{CTL_FILE}: {d}"));
    }
    let catalog = match Catalog::decode(&bytes[CATALOG_OFFSET as usize..]) {
        Ok(c) => c,
        Err(d) => return damaged(format!("{CTL_FILE}: {d}")),
    };
    let unlisted: Vec<&String> = others
        .iter()
        .filter(|n| data_files.contains(&n.as_str()) || *n == EVENTS_FILE)
        .filter(|n| catalog.get(n).is_none())
        .collect();
    if !unlisted.is_empty() {
        return damaged(format!(
            "el catálogo de {CTL_FILE} no lista {} y esos archivos tienen datos",
            unlisted
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(FolderState::Share)
}
