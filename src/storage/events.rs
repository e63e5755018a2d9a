//! The event log `EVENTOS.DAT` (spec note 11): one record per logged operation, with the
//! Lamport time of the transaction that wrote it, so all terminals agree on one order even when
//! their wall clocks disagree.
//!
//! Slot (192 bytes):
//! ```text
//! 0   8  Lamport time          8   8  wall clock, Unix ms (i64)
//! 16  32 terminal (UTF-8, zero padded)
//! 48  64 user e-mail ("" for the system)
//! 112 24 operation             136 56 detail (truncated at a character boundary)
//! ```

use super::codec::{Dec, Enc};
use super::error::Result;
use super::ident::now_ms;
use super::record::FreeHome;
use super::share::{Tx, WriteTx};

pub const EVENTS_FILE: &str = "EVENTOS.DAT";
pub const EVENT_SLOT: u32 = 192;
const TERMINAL_LEN: usize = 32;
const USER_LEN: usize = 64;
const OP_LEN: usize = 24;
const DETAIL_LEN: usize = 56;

/// One logged operation.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Event {
    pub lamport: u64,
    pub wall_ms: i64,
    pub terminal: String,
    pub user: String,
    pub op: String,
    pub detail: String,
}

impl Event {
    pub fn encode(&self) -> Vec<u8> {
        let mut b = vec![0u8; EVENT_SLOT as usize];
        let mut e = Enc::new(&mut b);
        e.u64(self.lamport).i64(self.wall_ms);
        e.str_lossy(&self.terminal, TERMINAL_LEN)
            .str_lossy(&self.user, USER_LEN);
        e.str_lossy(&self.op, OP_LEN)
            .str_lossy(&self.detail, DETAIL_LEN);
        b
    }

    pub fn decode(b: &[u8]) -> Event {
        let mut d = Dec::new(b);
        Event {
            lamport: d.u64(),
            wall_ms: d.i64(),
            terminal: d.str(TERMINAL_LEN),
            user: d.str(USER_LEN),
            op: d.str(OP_LEN),
            detail: d.str(DETAIL_LEN),
        }
    }
}

impl WriteTx<'_> {
    /// Appends an event stamped with the next Lamport time of this transaction, this
    /// terminal's name and the wall clock. Returns the Lamport time given.
    pub fn log_event(&mut self, user: &str, op: &str, detail: &str) -> Result<u64> {
        self.create_file(EVENTS_FILE, EVENT_SLOT, FreeHome::Own)?;
        let lamport = self.next_event_time();
        let ev = Event {
            lamport,
            wall_ms: now_ms(),
            terminal: self.terminal().to_string(),
            user: user.to_string(),
            op: op.to_string(),
            detail: detail.to_string(),
        };
        self.alloc(EVENTS_FILE, &ev.encode())?;
        Ok(lamport)
    }
}

/// Every event of the share in Lamport order (ties broken by terminal name, then wall clock).
pub fn read_events(tx: &mut impl Tx) -> Result<Vec<Event>> {
    if !tx.exists(EVENTS_FILE)? {
        return Ok(Vec::new());
    }
    tx.prefetch(EVENTS_FILE)?;
    let n = tx.slot_count(EVENTS_FILE)?;
    let mut out = Vec::with_capacity(n as usize);
    for pos in 0..n {
        if let super::record::Slot::Live(p) = tx.slot(EVENTS_FILE, pos)? {
            out.push(Event::decode(&p));
        }
    }
    out.sort_by(|a, b| {
        (a.lamport, &a.terminal, a.wall_ms).cmp(&(b.lamport, &b.terminal, b.wall_ms))
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_roundtrip_truncates_long_fields_at_char_boundary() {
        let ev = Event {
            lamport: 7,
            wall_ms: -3,
            terminal: "caja-1".into(),
            user: "ana@x.com".into(),
            op: "compra".into(),
            detail: "ñ".repeat(40),
        };
        let back = Event::decode(&ev.encode());
        assert_eq!(back.lamport, 7);
        assert_eq!(back.wall_ms, -3);
        assert_eq!(back.terminal, "caja-1");
        assert_eq!(back.detail, "ñ".repeat(28));
    }
}
