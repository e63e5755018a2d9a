//! The embedded default share (`shared_me/`): its data is not in version control; the program
//! makes it on first start — the demo shop of [`EMBEDDED`] — so a fresh clone stays clean
//! however it is used.
//!
//! The shop is generated in a hidden folder inside the share folder and then moved in, file by
//! file, with `VENTALIBRE.CTL` last: until that rename the folder holds no share, so a start
//! cut short (a crash, a power cut) only leaves a half-made hidden folder that the next start
//! throws away and makes again. Two programs started at once on the same folder take turns on
//! a lock file; the second finds the share made.

use std::fs::{self, File};
use std::path::Path;

use super::{DemoOptions, DemoSummary};
use crate::domain::{DResult, DomainError, Market};
use crate::storage::StorageError;

/// The embedded share's shop: `ventalibre demo --usuarios 60 --publicaciones 300 --semilla 2026`.
pub const EMBEDDED: DemoOptions = DemoOptions {
    users: 60,
    publications: 300,
    seed: 2026,
    photos: true,
};

const CONTROL_FILE: &str = "VENTALIBRE.CTL";
const WORK_DIR: &str = ".creando";
const LOCK_FILE: &str = ".creando.lck";

fn io(what: &'static str, e: std::io::Error) -> DomainError {
    DomainError::Storage(StorageError::io(WORK_DIR, what, e))
}

/// Makes the demo shop in `dir` unless it already holds a share. Returns what was generated
/// (`None`: the share was already there).
pub fn prepare(dir: &Path) -> DResult<Option<DemoSummary>> {
    if dir.join(CONTROL_FILE).exists() {
        return Ok(None);
    }
    fs::create_dir_all(dir).map_err(|e| io("crear la carpeta compartida", e))?;
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(LOCK_FILE))
        .map_err(|e| io("abrir el candado de creación", e))?;
    lock.lock()
        .map_err(|e| io("tomar el candado de creación", e))?;
    let result = make(dir);
    let _ = lock.unlock();
    drop(lock);
    let _ = fs::remove_file(dir.join(LOCK_FILE));
    result
}

fn make(dir: &Path) -> DResult<Option<DemoSummary>> {
    if dir.join(CONTROL_FILE).exists() {
        // Another program made it while this one waited for the lock.
        return Ok(None);
    }
    let work = dir.join(WORK_DIR);
    if work.exists() {
        fs::remove_dir_all(&work).map_err(|e| io("borrar una creación interrumpida", e))?;
    }
    fs::create_dir_all(&work).map_err(|e| io("crear la carpeta de trabajo", e))?;
    let summary = {
        let m = Market::open(&work, true)?;
        m.demo_with(&EMBEDDED)?
    };
    // Move everything in, the control file last: the share exists from that rename on.
    let mut names: Vec<_> = fs::read_dir(&work)
        .map_err(|e| io("leer la carpeta de trabajo", e))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    names.sort_by_key(|n| n == CONTROL_FILE);
    for name in names {
        let to = dir.join(&name);
        if to.is_dir() {
            fs::remove_dir_all(&to).map_err(|e| io("reemplazar una carpeta vieja", e))?;
        }
        fs::rename(work.join(&name), &to).map_err(|e| io("mover la tienda a su carpeta", e))?;
    }
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    let _ = fs::remove_dir_all(&work);
    Ok(Some(summary))
}
