//! The storage-level check: every file of the catalog has a sound header, every slot passes its
//! checksum, and every free list holds only free slots, without cycles, with the length its
//! anchor records, and together with the live slots accounts for every slot of the file.

use super::error::{Result, StorageError};
use super::record::{NIL, Slot};
use super::share::Tx;

/// What the check found, per file.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct StorageReport {
    pub files: Vec<FileReport>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct FileReport {
    pub name: String,
    pub slot_size: u32,
    pub slots: u64,
    pub live: u64,
    pub free: u64,
    pub problems: Vec<String>,
}

impl StorageReport {
    pub fn ok(&self) -> bool {
        self.files.iter().all(|f| f.problems.is_empty())
    }
}

/// Checks every file of the share. Damage found is reported, not returned as an error; an
/// error means the check itself could not run (share unreachable, I/O error).
pub fn check_storage(tx: &mut impl Tx) -> Result<StorageReport> {
    let mut report = StorageReport::default();
    for entry in tx.files()? {
        let mut fr = FileReport {
            name: entry.name.clone(),
            slot_size: entry.slot_size,
            slots: 0,
            live: 0,
            free: 0,
            problems: vec![],
        };
        match check_file(tx, &entry.name, &mut fr) {
            Ok(()) => {}
            Err(
                e @ (StorageError::Corrupt { .. }
                | StorageError::BadSlot { .. }
                | StorageError::Missing { .. }),
            ) => fr.problems.push(e.to_string()),
            Err(e) => return Err(e),
        }
        report.files.push(fr);
    }
    Ok(report)
}

/// Slots read per run by the scans of whole files (check, repair): a run is read in a few large
/// reads and forgotten after it, so memory holds one run, not the file.
pub const SCAN_RUN: u64 = 50_000;

fn check_file(tx: &mut impl Tx, name: &str, fr: &mut FileReport) -> Result<()> {
    let h = tx.header(name)?;
    fr.slots = h.slot_count;
    // Slot by slot, so one bad slot does not hide the others.
    let mut free = vec![false; h.slot_count as usize];
    let mut live = 0;
    let mut bad = 0;
    for pos in 0..h.slot_count {
        if pos % SCAN_RUN == 0 {
            // In runs, each forgotten after it: a large file does not stay in memory. A run
            // with a damaged slot is read slot by slot below.
            tx.forget(name);
            let _ = tx.prefetch_range(name, pos, pos + SCAN_RUN);
        }
        match tx.slot(name, pos) {
            Ok(Slot::Live(_)) => live += 1,
            Ok(Slot::Free { .. }) => free[pos as usize] = true,
            Err(StorageError::Corrupt { detail, .. }) => {
                bad += 1;
                if bad <= 5 {
                    fr.problems.push(format!("registro {pos}: {detail}"));
                }
            }
            Err(e) => return Err(e),
        }
    }
    if bad > 5 {
        fr.problems
            .push(format!("... y {} registros dañados más", bad - 5));
    }
    tx.forget(name);
    fr.live = live;
    if live != h.live_count && bad == 0 {
        fr.problems.push(format!(
            "la cabecera cuenta {} registros ocupados y hay {live}",
            h.live_count
        ));
    }
    let (head, count) = tx.free_list(name)?;
    let mut seen = vec![false; h.slot_count as usize];
    let mut cur = head;
    let mut n = 0u64;
    while cur != NIL {
        if cur >= h.slot_count {
            fr.problems.push(format!(
                "la lista de libres apunta fuera del archivo ({cur})"
            ));
            break;
        }
        if seen[cur as usize] {
            fr.problems
                .push(format!("la lista de libres tiene un ciclo en {cur}"));
            break;
        }
        seen[cur as usize] = true;
        n += 1;
        match tx.slot(name, cur) {
            Ok(Slot::Free { next }) => cur = next,
            Ok(Slot::Live(_)) => {
                fr.problems.push(format!(
                    "la lista de libres contiene el registro ocupado {cur}"
                ));
                break;
            }
            Err(_) => break,
        }
    }
    fr.free = n;
    if n != count && fr.problems.is_empty() {
        fr.problems.push(format!(
            "la lista de libres tiene {n} registros y su control dice {count}"
        ));
    }
    let lost = (0..h.slot_count as usize)
        .filter(|&i| free[i] && !seen[i])
        .count();
    if lost > 0 && fr.problems.is_empty() {
        fr.problems.push(format!(
            "{lost} registros libres no están en la lista de libres (perdidos)"
        ));
    }
    Ok(())
}
