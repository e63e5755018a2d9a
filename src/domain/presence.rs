//! Presence: whether a user is connected and when they were last seen (the spec's "Estado" of a
//! user), kept out of the users file. A logged-in window refreshes it every minute; were it in
//! USUARIOS.DAT, each refresh would change that file for every terminal's cache and every
//! browse elsewhere would read users again. PRESENCIA.DAT (a file of ours) has one slot per
//! user id, written in its own tiny transaction; the user record keeps what changes at a log-in
//! (last connection), not what changes every minute.
//!
//! ```text
//! slot id - 1 (16 bytes): 0 u8 connected (0/1) | 1..8 zero | 8 i64 last seen (Unix ms)
//! ```
//!
//! A share from before this file (format revision 2) kept both in the user record (flag 4 and
//! "last seen"): it is read from there until the share is upgraded.

use serde::Serialize;

use super::DResult;
use super::market::ONLINE_TTL_MS;
use super::records::{FLAG_CONNECTED, USERS, User};
use crate::me::hash::CON_LAST_ID;
use crate::storage::codec::{Dec, Enc};
use crate::storage::record::FreeHome;
use crate::storage::{Slot, StorageError, Tx, WriteTx};

pub const PRESENCE: &str = "PRESENCIA.DAT";
pub const PRESENCE_LEN: u32 = 16;

/// One user's presence.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Presence {
    pub connected: bool,
    pub last_seen_ms: i64,
}

impl Presence {
    /// Shown online while connected and seen within [`ONLINE_TTL_MS`] (a terminal that crashed
    /// stops refreshing, so its user drops off-line by itself).
    pub fn online(&self, now: i64) -> bool {
        self.connected && now - self.last_seen_ms < ONLINE_TTL_MS
    }

    fn encode(&self) -> [u8; PRESENCE_LEN as usize] {
        let mut b = [0u8; PRESENCE_LEN as usize];
        Enc::new(&mut b)
            .u8(self.connected as u8)
            .zeros(7)
            .i64(self.last_seen_ms);
        b
    }

    fn decode(id: u64, b: &[u8]) -> Result<Presence, StorageError> {
        let mut d = Dec::new(b);
        let c = d.u8();
        d.skip(7);
        if c > 1 {
            return Err(StorageError::corrupt(
                PRESENCE,
                format!("usuario {id}: estado de conexión {c}"),
            ));
        }
        Ok(Presence {
            connected: c == 1,
            last_seen_ms: d.i64(),
        })
    }

    /// What a share from before PRESENCIA.DAT recorded in the user record.
    fn legacy(u: &User) -> Presence {
        Presence {
            connected: u.flags & FLAG_CONNECTED != 0,
            last_seen_ms: u.last_seen_ms,
        }
    }
}

pub(crate) fn create(tx: &mut WriteTx) -> DResult<()> {
    if !tx.exists(PRESENCE)? {
        tx.create_file(PRESENCE, PRESENCE_LEN, FreeHome::Own)?;
    }
    Ok(())
}

/// The presence of `u`: one 16-byte read.
pub(crate) fn of(tx: &mut impl Tx, u: &User) -> DResult<Presence> {
    if !tx.exists(PRESENCE)? {
        return Ok(Presence::legacy(u));
    }
    if u.id == 0 || u.id > tx.slot_count(PRESENCE)? {
        return Ok(Presence::default());
    }
    Ok(Presence::decode(u.id, &tx.read(PRESENCE, u.id - 1)?)?)
}

/// The presence of each of `users` (a listing of users): their slots in a few large reads.
pub(crate) fn all(tx: &mut impl Tx, users: &[&User]) -> DResult<Vec<Presence>> {
    if tx.exists(PRESENCE)? {
        let slots = users.iter().filter(|u| u.id > 0).map(|u| u.id - 1);
        super::market::prefetch_positions(tx, PRESENCE, slots)?;
    }
    users.iter().map(|u| of(tx, u)).collect()
}

/// Records the presence of user `id`, growing the file to that id when needed (ids come from
/// USUARIOS.CON's "last id": never past it).
pub(crate) fn set(tx: &mut WriteTx, id: u64, p: Presence) -> DResult<()> {
    create(tx)?;
    let last = tx.control(USERS.control, CON_LAST_ID)?;
    if id == 0 || id > last {
        return Err(StorageError::Misuse(format!("presencia de un id no dado ({id})")).into());
    }
    let n = tx.slot_count(PRESENCE)?;
    if id <= n {
        tx.write(PRESENCE, id - 1, &p.encode())?;
        return Ok(());
    }
    for j in n..id {
        let v = if j == id - 1 { p } else { Presence::default() };
        let got = tx.alloc(PRESENCE, &v.encode())?;
        if got != j {
            return Err(StorageError::corrupt(
                PRESENCE,
                format!("el usuario {} quedó en la posición {got}", j + 1),
            )
            .into());
        }
    }
    Ok(())
}

/// Repair: every slot that cannot be read (or is free: presence never frees one) becomes "not
/// connected, never seen"; the rest stays.
pub(crate) fn repair(tx: &mut WriteTx) -> DResult<()> {
    if !tx.exists(PRESENCE)? {
        return Ok(());
    }
    let mut h = tx.header(PRESENCE)?;
    let mut slots = Vec::with_capacity(h.slot_count as usize);
    for pos in 0..h.slot_count {
        let keep = match tx.slot(PRESENCE, pos) {
            Ok(Slot::Live(b)) if Presence::decode(pos + 1, &b).is_ok() => Some(b),
            Ok(_) => None,
            Err(e) if e.is_damaged() => None,
            Err(e) => return Err(e.into()),
        };
        slots.push(Slot::Live(
            keep.unwrap_or_else(|| Presence::default().encode().to_vec().into()),
        ));
    }
    h.free_head = crate::storage::NIL;
    h.free_count = 0;
    h.live_count = h.slot_count;
    tx.overwrite_file(PRESENCE, h, slots)?;
    Ok(())
}

/// `check`: every slot is live and reads, and none is past the last user id given.
pub(crate) fn check(tx: &mut impl Tx) -> Result<crate::me::Problems, StorageError> {
    let mut p = crate::me::Problems::new(PRESENCE);
    if !tx.exists(PRESENCE)? {
        return Ok(p);
    }
    let n = tx.slot_count(PRESENCE)?;
    let last = tx.control(USERS.control, CON_LAST_ID)?;
    if n > last {
        p.push(format!(
            "tiene {n} usuarios y el último id dado es {last} ({})",
            USERS.control
        ));
    }
    tx.prefetch(PRESENCE)?;
    for pos in 0..n {
        match tx.slot(PRESENCE, pos)? {
            Slot::Live(b) => {
                if let Err(e) = Presence::decode(pos + 1, &b) {
                    p.push(e.to_string());
                }
            }
            Slot::Free { .. } => p.push(format!("la posición {pos} está libre")),
        }
    }
    Ok(p)
}
