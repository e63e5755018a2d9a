//! Blocking and unblocking users and publications (administrator), with the reason the
//! administrator gives: it is kept in `BLOQUEOS.DAT` (one record per block or unblock, append
//! only), summarised in the event log, and shown to the blocked user (at log-in, when their
//! session ends, on their blocked publication).

use std::collections::HashMap;

use serde::Serialize;

use super::account::UserView;
use super::catalog::{Ctx, PublicationView, view};
use super::market::*;
use super::permissions::{
    Actor, Listing, may_block, may_block_user, may_unblock, may_unblock_user,
};
use super::records::*;
use super::text::{fold, text};
use super::{DResult, Field, Market, OnField};
use crate::storage::codec::{Dec, Enc};
use crate::storage::ident::now_ms;
use crate::storage::record::{FreeHome, Slot};
use crate::storage::{Tx, WriteTx};

/// The blocks file (ours; `docs/FORMAT.md`).
pub const BLOCKS: &str = "BLOQUEOS.DAT";
pub const BLOCK_LEN: u32 = 256;
/// The longest reason, in bytes.
pub const REASON_LEN: usize = 200;
/// How much of the reason the event log's short detail keeps.
const EVENT_REASON_CHARS: usize = 36;

/// What was blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BlockTarget {
    User = 1,
    Publication = 2,
}

/// One block or unblock, as `BLOQUEOS.DAT` keeps it.
///
/// ```text
/// 0 u8 target (1 user, 2 publication) | 1 u8 blocked (1) or unblocked (0) | 2 u64 target id
/// 10 u64 administrator id | 18 i64 time | 26 u64 Lamport time of its event
/// 34 reason (200, UTF-8, zero padded) | 234..256 zero
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
struct BlockRecord {
    target: BlockTarget,
    blocked: bool,
    id: u64,
    admin: u64,
    time_ms: i64,
    lamport: u64,
    reason: String,
}

impl BlockRecord {
    fn encode(&self) -> Vec<u8> {
        let mut b = vec![0u8; BLOCK_LEN as usize];
        Enc::new(&mut b)
            .u8(self.target as u8)
            .u8(u8::from(self.blocked))
            .u64(self.id)
            .u64(self.admin)
            .i64(self.time_ms)
            .u64(self.lamport)
            .str_lossy(&self.reason, REASON_LEN);
        b
    }

    fn decode(b: &[u8]) -> Option<BlockRecord> {
        if b.len() < 34 + REASON_LEN {
            return None;
        }
        let mut d = Dec::new(b);
        let target = match d.u8() {
            1 => BlockTarget::User,
            2 => BlockTarget::Publication,
            _ => return None,
        };
        Some(BlockRecord {
            target,
            blocked: d.u8() == 1,
            id: d.u64(),
            admin: d.u64(),
            time_ms: d.i64(),
            lamport: d.u64(),
            reason: d.str(REASON_LEN),
        })
    }
}

/// Why and when something is blocked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockInfo {
    pub reason: String,
    pub time_ms: i64,
}

/// Every record of `BLOQUEOS.DAT`, oldest first (none on a share where nothing was blocked).
fn records(tx: &mut impl Tx) -> DResult<Vec<BlockRecord>> {
    if !tx.exists(BLOCKS)? {
        return Ok(Vec::new());
    }
    tx.prefetch(BLOCKS)?;
    let n = tx.slot_count(BLOCKS)?;
    let mut out = Vec::with_capacity(n as usize);
    for pos in 0..n {
        if let Slot::Live(b) = tx.slot(BLOCKS, pos)?
            && let Some(r) = BlockRecord::decode(&b)
        {
            out.push(r);
        }
    }
    Ok(out)
}

/// The reason of each target whose last record is a block.
pub(crate) fn current_blocks(
    tx: &mut impl Tx,
    target: BlockTarget,
) -> DResult<HashMap<u64, BlockInfo>> {
    let mut out = HashMap::new();
    for r in records(tx)? {
        if r.target != target {
            continue;
        }
        if r.blocked {
            out.insert(
                r.id,
                BlockInfo {
                    reason: r.reason,
                    time_ms: r.time_ms,
                },
            );
        } else {
            out.remove(&r.id);
        }
    }
    Ok(out)
}

/// The full reason of each block event, by the event's Lamport time (the event log keeps only
/// its start).
pub(crate) fn reasons_by_event(tx: &mut impl Tx) -> DResult<HashMap<u64, String>> {
    Ok(records(tx)?
        .into_iter()
        .filter(|r| r.blocked && !r.reason.is_empty())
        .map(|r| (r.lamport, r.reason))
        .collect())
}

/// What a blocked user is told: the administrator's reason when there is one.
pub(crate) fn blocked_account_message(tx: &mut impl Tx, user_id: u64) -> DResult<String> {
    let reason = current_blocks(tx, BlockTarget::User)?
        .remove(&user_id)
        .map(|b| b.reason)
        .filter(|r| !r.is_empty());
    Ok(match reason {
        Some(r) => format!(
            "su cuenta está bloqueada por la administración (motivo: {r}); no puede continuar"
        ),
        None => "su cuenta está bloqueada por la administración; no puede continuar".into(),
    })
}

/// Records a block (or unblock) of `target` `id`: the event `op` about `what`, and its record.
fn record(
    tx: &mut WriteTx,
    admin: &User,
    (target, id, blocked): (BlockTarget, u64, bool),
    reason: &str,
    op: &str,
    what: &str,
) -> DResult<()> {
    let short: String = reason.chars().take(EVENT_REASON_CHARS).collect();
    let detail = if reason.is_empty() {
        what.to_string()
    } else if short.len() < reason.len() {
        format!("{what}: {short}…")
    } else {
        format!("{what}: {short}")
    };
    let lamport = tx.log_event(&admin.email, op, &detail)?;
    tx.create_file(BLOCKS, BLOCK_LEN, FreeHome::Own)?;
    let r = BlockRecord {
        target,
        blocked,
        id,
        admin: admin.id,
        time_ms: now_ms(),
        lamport,
        reason: reason.to_string(),
    };
    tx.alloc(BLOCKS, &r.encode())?;
    Ok(())
}

/// A block's reason as typed: required, one line, at most [`REASON_LEN`] bytes.
pub fn validate_reason(reason: &str) -> DResult<String> {
    text("el motivo del bloqueo", reason, REASON_LEN, true).on(Field::Reason)
}

/// The administration blocks or unblocks publication `id` at time `now`; its seller gets a
/// news item (with the reason).
pub(crate) fn block_publication_in_tx(
    tx: &mut WriteTx,
    admin: &User,
    id: u64,
    blocked: bool,
    reason: &str,
    now: i64,
) -> DResult<()> {
    let mut p = load_pub(tx, id)?;
    let l = Listing::of_record(&p, now);
    if blocked {
        may_block(Some(Actor::from(admin)), &l)?;
        p.state_before_block = p.state;
        p.state = PubState::Blocked;
    } else {
        may_unblock(Some(Actor::from(admin)), &l)?;
        p.state = p.state_before_block;
    }
    p.updated_ms = now;
    store_pub(tx, &p)?;
    let kind = if blocked {
        super::news::NewsKind::Blocked
    } else {
        super::news::NewsKind::Unblocked
    };
    super::news::push(
        tx,
        p.seller,
        super::news::News::new(kind, now, id).text(reason),
    )?;
    let op = if blocked {
        "bloqueo-publicación"
    } else {
        "desbloqueo-publicación"
    };
    record(
        tx,
        admin,
        (BlockTarget::Publication, id, blocked),
        reason,
        op,
        &format!("publicación {id}"),
    )
}

impl Market {
    /// Blocks a user (administrator), saying why: the user is refused at the next log-in and
    /// in every operation, and told the reason.
    pub fn block_user(&self, s: &Session, email: &str, reason: &str) -> DResult<UserView> {
        let reason = validate_reason(reason)?;
        self.user_block(s, email, true, &reason)
    }

    pub fn unblock_user(&self, s: &Session, email: &str) -> DResult<UserView> {
        self.user_block(s, email, false, "")
    }

    /// Blocks or unblocks a user with no reason given (the console's older commands).
    pub fn set_user_blocked(&self, s: &Session, email: &str, blocked: bool) -> DResult<UserView> {
        self.user_block(s, email, blocked, "")
    }

    fn user_block(
        &self,
        s: &Session,
        email: &str,
        blocked: bool,
        reason: &str,
    ) -> DResult<UserView> {
        let u = self.write(|tx| {
            let admin = current_admin(tx, s)?;
            let mut u = user_by_email(tx, email).on(Field::Email)?;
            let who = Some(Actor::from(&admin));
            if blocked {
                may_block_user(who, &UserView::load(tx, &u)?)?;
                u.flags |= FLAG_BLOCKED;
                u.flags &= !FLAG_CONNECTED;
                let mut seen = super::presence::of(tx, &u)?;
                seen.connected = false;
                super::presence::set(tx, u.id, seen)?;
            } else {
                may_unblock_user(who, &UserView::load(tx, &u)?)?;
                u.flags &= !FLAG_BLOCKED;
            }
            store_user(tx, &u)?;
            let (op, email) = (
                if blocked {
                    "bloqueo-usuario"
                } else {
                    "desbloqueo-usuario"
                },
                u.email.clone(),
            );
            record(
                tx,
                &admin,
                (BlockTarget::User, u.id, blocked),
                reason,
                op,
                &email,
            )?;
            UserView::load(tx, &u)
        })?;
        Ok(u)
    }

    /// Blocks a publication (administrator), saying why: it is no longer seen or bought, and
    /// its seller sees the reason. Unblocking restores the state it had.
    pub fn block_publication(&self, s: &Session, id: u64, reason: &str) -> DResult<()> {
        let reason = validate_reason(reason)?;
        self.publication_block(s, id, true, &reason)
    }

    pub fn unblock_publication(&self, s: &Session, id: u64) -> DResult<()> {
        self.publication_block(s, id, false, "")
    }

    /// Blocks or unblocks a publication with no reason given (the console's older commands).
    pub fn set_publication_blocked(&self, s: &Session, id: u64, blocked: bool) -> DResult<()> {
        self.publication_block(s, id, blocked, "")
    }

    fn publication_block(&self, s: &Session, id: u64, blocked: bool, reason: &str) -> DResult<()> {
        self.write(|tx| {
            let admin = current_admin(tx, s)?;
            block_publication_in_tx(tx, &admin, id, blocked, reason, now_ms())
        })
    }

    /// Publications in any state whose number is `query`, or whose name, description, seller
    /// name or seller email holds every word of it (administrator; at most `limit`, newest
    /// first): how the administrator finds what to block or unblock.
    pub fn find_publications(
        &self,
        s: &Session,
        query: &str,
        limit: usize,
    ) -> DResult<Vec<PublicationView>> {
        let words: Vec<String> = fold(query).split_whitespace().map(String::from).collect();
        self.read(|tx| {
            current_admin(tx, s)?;
            let ctx = Ctx::load(tx)?;
            let n = tx.slot_count(PUBS_DAT)?;
            let mut out = Vec::new();
            if let Ok(id) = query
                .trim()
                .trim_start_matches(['#', 'N', 'º', '.', ' '])
                .parse::<u64>()
                && (1..=n).contains(&id)
            {
                let p = load_pub(tx, id)?;
                out.push(view(tx, &ctx, &p, true)?);
            }
            if words.is_empty() {
                return Ok(out);
            }
            // Newest first, a run of slots at a time (each twice the one before), until
            // `limit` are found: the newest matches cost the newest runs, not the whole file.
            // What a run older than the newest `SEARCH_KEEP` brought into the cache is
            // dropped once searched: a search through a million listings holds one run of
            // them, not the file, and leaves the newest (Explorar's) cached.
            let mut hi = n;
            let mut run = SEARCH_RUN_FIRST;
            while hi > 0 && out.len() < limit {
                let lo = hi.saturating_sub(run);
                run = (run * 2).min(SEARCH_RUN_MAX);
                tx.prefetch_range(PUBS_DAT, lo, hi)?;
                search_run(tx, &ctx, &words, (lo + 1..=hi).rev(), &mut out, limit)?;
                let keep_from = n.saturating_sub(SEARCH_KEEP);
                if lo < keep_from {
                    tx.forget_range(PUBS_DAT, lo, hi.min(keep_from));
                }
                hi = lo;
            }
            Ok(out)
        })
    }

    /// Why each blocked user or publication is blocked (those blocked with a reason).
    pub fn block_reasons(&self, target: BlockTarget) -> DResult<HashMap<u64, BlockInfo>> {
        self.read(|tx| current_blocks(tx, target))
    }
}

/// Listings searched in the first run of the administrator's search (one read each run);
/// each run after it twice the one before, up to the last.
const SEARCH_RUN_FIRST: u64 = 1_024;
const SEARCH_RUN_MAX: u64 = 8_192;
/// The newest listings a search leaves in the cache (where Explorar's pages are).
const SEARCH_KEEP: u64 = 65_536;

/// Searches the listings `ids` (newest first) for `words` in the name, description, seller
/// name or seller email, adding the matches to `out` up to `limit`. A listing whose name and
/// description hold every word needs no seller; the others' sellers are read together.
fn search_run(
    tx: &mut impl Tx,
    ctx: &Ctx,
    words: &[String],
    ids: impl Iterator<Item = u64>,
    out: &mut Vec<PublicationView>,
    limit: usize,
) -> DResult<()> {
    let mut hits = Vec::new();
    let mut pending = Vec::new();
    for id in ids {
        if out.iter().any(|v| v.id == id) {
            continue;
        }
        let p = load_pub(tx, id)?;
        let text = fold(&format!("{} {}", p.title, p.description));
        if words.iter().all(|w| text.contains(w.as_str())) {
            hits.push(p);
        } else {
            pending.push((p, text));
        }
    }
    ctx.prefetch_users(tx, pending.iter().map(|(p, _)| p.seller))?;
    for (p, text) in pending {
        let Some(seller) = ctx.user(tx, p.seller)? else {
            continue;
        };
        let who = fold(&format!("{} {}", seller.name, seller.email));
        if words
            .iter()
            .all(|w| text.contains(w.as_str()) || who.contains(w.as_str()))
        {
            hits.push(p);
        }
    }
    hits.sort_by_key(|p| std::cmp::Reverse(p.id));
    for p in hits {
        if out.len() >= limit {
            break;
        }
        out.push(view(tx, ctx, &p, true)?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The administration's search walks runs of the newest listings: across the runs'
    /// bounds it finds what a walk of every listing, newest first, finds, up to the limit.
    #[test]
    fn the_search_finds_what_a_walk_of_every_listing_finds_across_runs() {
        let dir = crate::test_support::scratch("admin-search-runs");
        let (m, _) = super::super::index::tests::catalogue(&dir.0, 4, 3_000, 5);
        let s = m.login(ADMIN_EMAIL, ADMIN_DEFAULT_PASSWORD).unwrap();
        m.change_password(&s, ADMIN_DEFAULT_PASSWORD, "otra-clave-1")
            .unwrap();
        let walk = |q: &str, limit: usize| -> Vec<u64> {
            let words: Vec<String> = fold(q).split_whitespace().map(String::from).collect();
            m.read(|tx| {
                let mut out = Vec::new();
                for id in (1..=tx.slot_count(PUBS_DAT)?).rev() {
                    let p = load_pub(tx, id)?;
                    let u = user_by_id(tx, p.seller)?.unwrap();
                    let hay = fold(&format!(
                        "{} {} {} {}",
                        p.title, p.description, u.name, u.email
                    ));
                    if out.len() < limit && words.iter().all(|w| hay.contains(w.as_str())) {
                        out.push(id);
                    }
                }
                Ok(out)
            })
            .unwrap()
        };
        for (q, limit) in [
            ("vendo", 1_500),
            ("vendo", 50),
            ("RELOJ antiguo", 50),
            ("vendedor3 sofá", 400),
            ("luces rojo", 3_000),
            ("zzz", 10),
        ] {
            let got: Vec<u64> = m
                .find_publications(&s, q, limit)
                .unwrap()
                .iter()
                .map(|v| v.id)
                .collect();
            assert_eq!(got, walk(q, limit), "«{q}», at most {limit}");
        }
    }

    #[test]
    fn a_block_record_round_trips_and_a_damaged_one_is_ignored() {
        let r = BlockRecord {
            target: BlockTarget::Publication,
            blocked: true,
            id: 42,
            admin: 1,
            time_ms: 1_700_000_000_000,
            lamport: 99,
            reason: "artículo prohibido: réplica de arma".into(),
        };
        let b = r.encode();
        assert_eq!(b.len(), BLOCK_LEN as usize);
        assert_eq!(BlockRecord::decode(&b), Some(r));
        let mut bad = b.clone();
        bad[0] = 9;
        assert_eq!(BlockRecord::decode(&bad), None);
        assert_eq!(BlockRecord::decode(&b[..10]), None);
    }
}
