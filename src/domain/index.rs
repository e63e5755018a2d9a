//! The catalogue's own indexes, beside the spec's PUBLICADOS.NTX_1 (seller) and NTX_2
//! (category): what lets Explorar and search return one page and its total without reading
//! the catalogue. Both are [`RankedBTree`]s (B+ trees of 4 KiB nodes that count the entries
//! below each child: three levels at a few million entries, see `me::btree`), kept in
//! the same write transactions that change a publication (see [`on_change`]), and hold only
//! publications **for sale** (state "publicada"); see docs/DESIGN.md, "Pages".
//!
//! `ORDENES.IDX` — one tree, several orders, told apart by the top bits of the key:
//!
//! ```text
//!  63..62 tag   61..51 category   50..49 condition   48..44 province   43..0 value
//!  tag 0: value = price in cents               (price order)
//!  tag 1: value = publication id               (newest first = descending)
//!  tag 2: bits 61..0 = closing time (ms)       (which listings expired)
//!  tag 3: category, value 0                    (census: every publication, every state)
//! ```
//!
//! Category, condition and province are *scopes*: 0 means "any". Each publication for sale is
//! entered under the 8 scopes (its category or any) × (its condition or any) × (its province
//! or any), in the price and the id order, plus once by closing time: 17 entries. A filter of
//! Explorar is then one key range, its total a difference of two ranks, its page a descent and
//! a short in-order walk.
//!
//! `PALABRAS.IDX` — the word index: key = 63-bit hash of a word's stem (see `words`) with its
//! low bit 0 for a word of the title, 1 for a word only in the description; one entry per
//! (word, publication).
//!
//! Every entry's payload packs the listing's facts, so a search filters candidates without
//! reading them: `63 zero | 62..51 category | 50..49 condition | 48..44 province | 43..0 price`.
//!
//! Bounds (refused with a message when publishing or creating a category; older data beyond
//! them is clamped in the key, which only merges their order): category keys ≤ 2047, prices
//! ≤ [`MAX_PRICE_CENTS`] ($ 175.921.860.444,15), ids < 2^44. Provinces are stored + 1 (0 is
//! "any"; 31: a seller whose account is gone).
//!
//! Expired and sold listings: a listing whose closing day passed stays in the indexes until a
//! write transaction sweeps it ([`sweep_expired`], up to [`SWEEP_PER_TX`] per transaction that
//! changes a publication other than a purchase). A purchase does not take the sold listing's
//! ~40 entries out either: it moves its closing entry to `SOLD_KEY` (tag 2, time 0) — two
//! entries changed — and leaves the rest to the sweep (a purchase sweeps one listing only when
//! more than [`BACKLOG_SOFT`] wait). Readers stay exact meanwhile: the not-yet-swept ones are
//! the tag-2 entries below "now" (one range read), and they are subtracted from the totals and
//! skipped in the page by their keys (no descent each).

use std::collections::{BTreeSet, HashSet};

use super::catalog::{BrowseFilter, SortOrder};
use super::market::*;
use super::records::*;
use super::words;
use super::{DResult, invalid};
use crate::me::Problems;
use crate::me::btree::{Entry, RankedBTree};
use crate::storage::record::Slot;
use crate::storage::{Tx, WriteTx};

pub const ORDERS: RankedBTree = RankedBTree {
    file: "ORDENES.IDX",
};
pub const WORDS: RankedBTree = RankedBTree {
    file: "PALABRAS.IDX",
};

const VALUE_BITS: u32 = 44;
const VALUE_MAX: u64 = (1 << VALUE_BITS) - 1;
pub const MAX_CATEGORY: u64 = (1 << 11) - 1;
pub const MAX_PRICE_CENTS: i64 = VALUE_MAX as i64;
const TAG_PRICE: u64 = 0;
const TAG_NEWEST: u64 = 1;
const TAG_CLOSING: u64 = 2;
/// Tag 3: the category census, one entry per publication in every state.
const TAG_CENSUS: u64 = 3;
const PROVINCE_GONE: u64 = 31;
/// Listings out of sale taken out of the indexes by each transaction that changes a
/// publication other than a purchase.
pub const SWEEP_PER_TX: usize = 2;
/// Above this many listings waiting to be swept a purchase sweeps one too (below, it leaves
/// them to other writes: a sweep of one listing is ~40 index entries).
pub const BACKLOG_SOFT: u64 = 256;
/// The closing-time key of a sold listing not yet swept: below every real closing time, so it
/// is in the backlog readers subtract (see the module's "Expired listings").
const SOLD_KEY: u64 = TAG_CLOSING << 62;
/// Newest order with a price range: below this many listings in the range they are gathered
/// from the price order and sorted; above, the id order is walked and filtered.
const GATHER_MAX: u64 = 4096;

/// What the indexes know of a publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Facts {
    category: u64,
    kind: u64,
    province: u64,
    price: u64,
    id: u64,
    closes: u64,
}

fn province_code(p: Option<u8>) -> u64 {
    match p {
        Some(p) if (p as usize) < super::provinces::PROVINCES.len() => p as u64 + 1,
        _ => PROVINCE_GONE,
    }
}

impl Facts {
    fn of(p: &Publication, province: u64) -> Facts {
        Facts {
            category: p.category.min(MAX_CATEGORY),
            kind: p.kind as u64,
            province,
            price: (p.price.max(0) as u64).min(VALUE_MAX),
            id: p.id.min(VALUE_MAX),
            closes: (p.closes_ms.max(0) as u64).min((1 << 62) - 1),
        }
    }
    fn payload(&self) -> u64 {
        (self.category << 51) | (self.kind << 49) | (self.province << 44) | self.price
    }
}

fn unpack(payload: u64) -> (u64, u64, u64, u64) {
    (
        (payload >> 51) & MAX_CATEGORY,
        (payload >> 49) & 3,
        (payload >> 44) & 31,
        payload & VALUE_MAX,
    )
}

fn scope(category: u64, kind: u64, province: u64) -> u64 {
    (category << 7) | (kind << 5) | province
}

fn order_key(tag: u64, scope: u64, value: u64) -> u64 {
    (tag << 62) | (scope << VALUE_BITS) | value.min(VALUE_MAX)
}

fn closing_key(ms: u64) -> u64 {
    (TAG_CLOSING << 62) | ms.min((1 << 62) - 1)
}

fn word_key(stem: &str, description_only: bool) -> u64 {
    (words::hash(stem) & !1) | description_only as u64
}

fn order_entries(f: &Facts, pos: u64) -> Vec<Entry> {
    let payload = f.payload();
    let mut v = Vec::with_capacity(17);
    for c in [f.category, 0] {
        for k in [f.kind, 0] {
            for p in [f.province, 0] {
                let s = scope(c, k, p);
                v.push(Entry {
                    key: order_key(TAG_PRICE, s, f.price),
                    pos,
                    payload,
                });
                v.push(Entry {
                    key: order_key(TAG_NEWEST, s, f.id),
                    pos,
                    payload,
                });
            }
        }
    }
    v.push(Entry {
        key: closing_key(f.closes),
        pos,
        payload,
    });
    v
}

/// The census entry of a publication (every state): its category's count is a rank difference.
fn census_entry(p: &Publication) -> Entry {
    Entry {
        key: order_key(TAG_CENSUS, scope(p.category.min(MAX_CATEGORY), 0, 0), 0),
        pos: p.id - 1,
        payload: 0,
    }
}

/// How many publications, in every state, category `category` has (from the census).
pub(crate) fn census(tx: &mut impl Tx, category: u64) -> DResult<u64> {
    let k = order_key(TAG_CENSUS, scope(category.min(MAX_CATEGORY), 0, 0), 0);
    Ok(ORDERS.count_range(tx, k, k)?)
}

fn word_entries(p: &Publication, payload: u64) -> Vec<Entry> {
    let title = words::stems(&p.title);
    let seen: HashSet<&String> = title.iter().collect();
    let mut v: Vec<Entry> = title
        .iter()
        .map(|w| Entry {
            key: word_key(w, false),
            pos: p.id - 1,
            payload,
        })
        .collect();
    for w in words::stems(&p.description) {
        if !seen.contains(&w) {
            v.push(Entry {
                key: word_key(&w, true),
                pos: p.id - 1,
                payload,
            });
        }
    }
    v
}

/// The entries of `p` in (ORDENES, PALABRAS), given its seller's province code. Empty when
/// it is not in the indexes: not "publicada".
fn entries_of(p: &Publication, province: u64) -> (Vec<Entry>, Vec<Entry>) {
    if p.state != PubState::Published {
        return (vec![], vec![]);
    }
    entries_listed(p, province)
}

/// The entries `p` has while listed, whatever its state now.
fn entries_listed(p: &Publication, province: u64) -> (Vec<Entry>, Vec<Entry>) {
    let f = Facts::of(p, province);
    (order_entries(&f, p.id - 1), word_entries(p, f.payload()))
}

/// The entries a sold listing keeps until swept: those it had for sale, its closing entry
/// moved to [`SOLD_KEY`].
fn entries_sold(p: &Publication, province: u64) -> (Vec<Entry>, Vec<Entry>) {
    let (mut o, w) = entries_listed(p, province);
    for e in o.iter_mut() {
        if e.key >> 62 == TAG_CLOSING {
            e.key = SOLD_KEY;
        }
    }
    (o, w)
}

/// Whether going from `old` to `new` is a sale that changes nothing else the indexes hold.
fn just_sold(old: &Publication, new: &Publication, now: i64) -> bool {
    old.state == PubState::Published
        && new.state == PubState::Sold
        && !old.expired(now)
        && (old.id, old.category, old.kind, old.price, old.closes_ms)
            == (new.id, new.category, new.kind, new.price, new.closes_ms)
        && old.title == new.title
        && old.description == new.description
}

/// The province code of a seller (31 when the account is gone).
fn seller_province(tx: &mut impl Tx, seller: u64) -> DResult<u64> {
    Ok(province_code(user_by_id(tx, seller)?.map(|u| u.province)))
}

/// Whether this share has the indexes (a share made by an older program may not, until one
/// write transaction builds them: see [`ensure`]).
pub(crate) fn present(tx: &mut impl Tx) -> DResult<bool> {
    Ok(tx.exists(ORDERS.file)? && tx.exists(WORDS.file)?)
}

/// Creates the index files and fills them from PUBLICADOS.DAT when they do not exist (a new
/// share, or one made before they existed).
pub(crate) fn ensure(tx: &mut WriteTx) -> DResult<bool> {
    if present(tx)? {
        return Ok(false);
    }
    ORDERS.create(tx)?;
    WORDS.create(tx)?;
    rebuild(tx)?;
    Ok(true)
}

/// The format upgrade to revision 4 (see `version::UPGRADES`): the indexes built afresh from
/// PUBLICADOS.DAT, whatever an earlier build of this revision left. (Revision 3 had them as
/// ranked AVLs in ORDENES.NTX / PALABRAS.NTX; those files stay, unused.)
pub(crate) fn upgrade(tx: &mut WriteTx) -> DResult<()> {
    if !ensure(tx)? {
        rebuild(tx)?;
    }
    Ok(())
}

/// Refuses values that do not fit the index keys (see the module's bounds).
pub(crate) fn check_bounds(price: i64) -> DResult<()> {
    if price > MAX_PRICE_CENTS {
        return invalid(format!(
            "el precio no puede superar {}",
            super::format::money(MAX_PRICE_CENTS)
        ));
    }
    Ok(())
}

fn apply(tx: &mut WriteTx, idx: &RankedBTree, old: Vec<Entry>, new: Vec<Entry>) -> DResult<()> {
    let old: BTreeSet<Entry> = old.into_iter().collect();
    let new: BTreeSet<Entry> = new.into_iter().collect();
    for e in old.difference(&new) {
        idx.remove(tx, e.key, e.pos)?;
    }
    for e in new.difference(&old) {
        idx.insert(tx, e.key, e.pos, e.payload)?;
    }
    Ok(())
}

/// Keeps the indexes right when publication `new` replaces `old` (None: just published), in
/// the caller's transaction; then sweeps a few expired listings. `province`: the seller's, when
/// the caller has it.
pub(crate) fn on_change(
    tx: &mut WriteTx,
    old: Option<&Publication>,
    new: &Publication,
    province: Option<u8>,
    now: i64,
) -> DResult<()> {
    if is_deferred() {
        return Ok(());
    }
    if ensure(tx)? {
        // Just built from the data file, which the caller already changed... or not yet: the
        // caller writes the record before calling, so the build saw `new`.
        return sweep_expired(tx, now, SWEEP_PER_TX);
    }
    // The category census counts every state.
    let census_old: Vec<Entry> = old.map(census_entry).into_iter().collect();
    apply(tx, &ORDERS, census_old, vec![census_entry(new)])?;
    // A sold listing changing again (repair, tests): its entries waiting for the sweep go
    // first, while the record still says what they are.
    if let Some(o) = old
        && o.state == PubState::Sold
        && let Some(payload) = ORDERS.get(tx, SOLD_KEY, o.id - 1)?
    {
        let (a, b) = entries_sold(o, unpack(payload).2);
        for e in a {
            ORDERS.remove(tx, e.key, e.pos)?;
        }
        for e in b {
            WORDS.remove(tx, e.key, e.pos)?;
        }
    }
    // Whether `old`'s entries are indexed: for sale, and not expired or not swept yet (an
    // expired listing whose closing day is moved forward comes back whole).
    let was = match old {
        Some(o) if o.state == PubState::Published => {
            !o.expired(now)
                || ORDERS
                    .get(tx, closing_key(Facts::of(o, 0).closes), o.id - 1)?
                    .is_some()
        }
        _ => false,
    };
    let is = new.state == PubState::Published && !new.expired(now);
    if !was && !is {
        return sweep_expired(tx, now, SWEEP_PER_TX);
    }
    let prov = match province {
        Some(p) => province_code(Some(p)),
        None => seller_province(tx, new.seller)?,
    };
    if let Some(o) = old
        && just_sold(o, new, now)
    {
        // A purchase: the listing's ~40 entries stay until a later write sweeps them; its
        // closing entry moves to SOLD_KEY, so readers leave it out from now on (two entries
        // changed instead of forty).
        let f = Facts::of(o, prov);
        ORDERS.remove(tx, closing_key(f.closes), o.id - 1)?;
        ORDERS.insert(tx, SOLD_KEY, o.id - 1, f.payload())?;
        let waiting = ORDERS.count_range(tx, SOLD_KEY, closing_key(now.max(1) as u64 - 1))?;
        if waiting > BACKLOG_SOFT {
            sweep_expired(tx, now, 1)?;
        }
        return Ok(());
    }
    let (o1, o2) = match old {
        Some(o) if was => entries_of(o, prov),
        _ => (vec![], vec![]),
    };
    let (n1, n2) = if is {
        entries_of(new, prov)
    } else {
        (vec![], vec![])
    };
    apply(tx, &ORDERS, o1, n1)?;
    apply(tx, &WORDS, o2, n2)?;
    sweep_expired(tx, now, SWEEP_PER_TX)
}

/// A seller moved to another province: their listings for sale change scope.
pub(crate) fn seller_moved(tx: &mut WriteTx, seller: u64, from: u8, to: u8) -> DResult<()> {
    if !present(tx)? || from == to {
        return Ok(());
    }
    for pos in BY_SELLER.find(tx, seller)? {
        let p = load_pub(tx, pos + 1)?;
        if p.state != PubState::Published {
            continue;
        }
        let (o1, o2) = entries_of(&p, province_code(Some(from)));
        let (n1, n2) = entries_of(&p, province_code(Some(to)));
        apply(tx, &ORDERS, o1, n1)?;
        apply(tx, &WORDS, o2, n2)?;
    }
    Ok(())
}

/// Takes up to `max` listings out of sale (closing day passed, or sold) out of the indexes.
pub(crate) fn sweep_expired(tx: &mut WriteTx, now: i64, max: usize) -> DResult<()> {
    let backlog = expired_backlog(tx, now, max)?;
    for e in backlog {
        let p = load_pub(tx, e.pos + 1)?;
        let (_, _, prov, _) = unpack(e.payload);
        let (o1, o2) = entries_listed(&p, prov);
        for x in o1 {
            ORDERS.remove(tx, x.key, x.pos)?;
        }
        // The entry the backlog saw, in case the record changed under a damaged index.
        ORDERS.remove(tx, e.key, e.pos)?;
        for x in o2 {
            WORDS.remove(tx, x.key, x.pos)?;
        }
    }
    Ok(())
}

/// The closing-time entries of listings expired but still indexed (at most `max`).
fn expired_backlog(tx: &mut impl Tx, now: i64, max: usize) -> DResult<Vec<Entry>> {
    if now <= 0 {
        return Ok(vec![]);
    }
    let (a, b) = ORDERS.rank_range(tx, closing_key(0), closing_key(now as u64 - 1))?;
    Ok(ORDERS.entries(tx, a, ((b - a) as usize).min(max))?)
}

/// Fills both indexes from PUBLICADOS.DAT (first build, repair, bulk loads).
pub(crate) fn rebuild(tx: &mut WriteTx) -> DResult<(u64, u64)> {
    let (o, w) = expected(tx, crate::storage::ident::now_ms())?;
    let o: Vec<Entry> = o.into_iter().collect();
    let w: Vec<Entry> = w.into_iter().collect();
    ORDERS.rebuild(tx, &o)?;
    WORDS.rebuild(tx, &w)?;
    Ok((o.len() as u64, w.len() as u64))
}

/// Every user's province by id, reading past damaged user records (check and repair run on
/// damaged shares; a seller whose record is unreadable counts as gone).
fn provinces_by_id(tx: &mut impl Tx) -> DResult<std::collections::HashMap<u64, u8>> {
    match users_by_id(tx) {
        Ok(u) => Ok(u.into_iter().map(|(id, u)| (id, u.province)).collect()),
        Err(super::DomainError::Storage(e)) if e.is_damaged() => Ok(USERS
            .salvage(tx)?
            .0
            .into_iter()
            .map(|(k, v)| User::decode(&k, &v))
            .map(|u| (u.id, u.province))
            .collect()),
        Err(e) => Err(e),
    }
}

/// The entries both indexes must hold: every listing for sale and not expired at `now`
/// (unreadable records skipped: check reports them on their own).
fn expected(tx: &mut impl Tx, now: i64) -> DResult<(BTreeSet<Entry>, BTreeSet<Entry>)> {
    let users = provinces_by_id(tx)?;
    tx.prefetch(PUBS_DAT).ok();
    let n = tx.slot_count(PUBS_DAT)?;
    let (mut o, mut w) = (BTreeSet::new(), BTreeSet::new());
    expected_in(tx, &users, 0..n, now, &mut o, &mut w)?;
    Ok((o, w))
}

/// The publication at `pos` when its record is live, readable and at its place (what is not
/// is skipped by the index builds and checks: check reports it on its own).
fn readable_pub(tx: &mut impl Tx, pos: u64) -> DResult<Option<Publication>> {
    let b = match tx.slot(PUBS_DAT, pos) {
        Ok(Slot::Live(b)) => b,
        Ok(Slot::Free { .. }) => return Ok(None),
        Err(e) if e.is_damaged() => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    Ok(Publication::decode(&b).ok().filter(|p| p.id == pos + 1))
}

/// [`expected`] for the publications at positions `at`, added to `o` (ORDENES) and `w`
/// (PALABRAS), given every seller's province.
fn expected_in(
    tx: &mut impl Tx,
    users: &std::collections::HashMap<u64, u8>,
    at: std::ops::Range<u64>,
    now: i64,
    o: &mut impl Extend<Entry>,
    w: &mut impl Extend<Entry>,
) -> DResult<()> {
    for pos in at {
        let Some(p) = readable_pub(tx, pos)? else {
            continue;
        };
        o.extend([census_entry(&p)]);
        if p.state != PubState::Published || p.expired(now) {
            continue;
        }
        let prov = province_code(users.get(&p.seller).copied());
        let (a, b) = entries_of(&p, prov);
        o.extend(a);
        w.extend(b);
    }
    Ok(())
}

// ---- bulk loads ------------------------------------------------------------------------------

thread_local! {
    /// Set while a bulk load defers the upkeep of ORDENES/PALABRAS (see [`Deferred`]).
    static DEFERRED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn is_deferred() -> bool {
    DEFERRED.with(|d| d.get())
}

/// While one of these lives, [`on_change`] leaves ORDENES.IDX and PALABRAS.IDX alone on this
/// thread (NTX_1/NTX_2, saved searches and events are kept as always): a bulk load (the demo's
/// bulk path, on a new share) publishes and changes listings in many transactions, then
/// calls [`bulk_build`] once. Meanwhile the two indexes lag behind PUBLICADOS.DAT; if the
/// program stops before `bulk_build` ends, `check` reports the missing entries and `repair`
/// rebuilds both indexes from PUBLICADOS.DAT.
pub(crate) struct Deferred {
    was: bool,
}

impl Deferred {
    pub(crate) fn begin() -> Deferred {
        Deferred {
            was: DEFERRED.with(|d| d.replace(true)),
        }
    }
}

impl Drop for Deferred {
    fn drop(&mut self) {
        DEFERRED.with(|d| d.set(self.was));
    }
}

/// Publications read per read transaction by [`bulk_build`] (768 bytes each: ~38 MB).
const BULK_READ: u64 = 50_000;
/// Index entries written per write transaction by [`bulk_build`] (24 bytes each in packed
/// leaves of 4 KiB: ~590 leaves, ~2.4 MB of redo log per transaction).
pub const BULK_NODES_PER_TX: usize = 100_000;

/// Builds ORDENES.IDX and PALABRAS.IDX from PUBLICADOS.DAT as it is now (the entries
/// [`check`] expects: what the publications' own upkeep would have left after sweeping the
/// expired), reading the data in read transactions of [`BULK_READ`] publications and writing
/// each index as a perfectly balanced tree in write transactions of [`BULK_NODES_PER_TX`]
/// nodes ([`RankedBTree::bulk_chunk`]: entries per chunk). For a new share filled under [`Deferred`]: nothing else
/// may change the share meanwhile; a crash part-way leaves a tree `check` reports and
/// `repair` rebuilds. `progress(done, total)` counts nodes written. Returns the number of
/// entries of each index.
pub(crate) fn bulk_build(
    m: &super::Market,
    progress: &mut dyn FnMut(u64, u64),
) -> DResult<(u64, u64)> {
    m.write(|tx| {
        ORDERS.create(tx)?;
        WORDS.create(tx)?;
        Ok(())
    })?;
    let now = crate::storage::ident::now_ms();
    let users = m.read(|tx| provinces_by_id(tx))?;
    let n = m.read(|tx| Ok(tx.slot_count(PUBS_DAT)?))?;
    let (mut o, mut w) = (Vec::new(), Vec::new());
    let mut lo = 0;
    while lo < n {
        let hi = (lo + BULK_READ).min(n);
        // (A read transaction may run its closure again: each run starts afresh.)
        let (a, b) = m.read(|tx| {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            tx.prefetch_range(PUBS_DAT, lo, hi)?;
            expected_in(tx, &users, lo..hi, now, &mut a, &mut b)?;
            Ok((a, b))
        })?;
        o.extend(a);
        w.extend(b);
        // What was read is not needed again: the terminal's cache would keep it all.
        m.share().drop_cache();
        lo = hi;
    }
    drop(users);
    let total = (o.len() + w.len()) as u64;
    let mut done = 0u64;
    let mut counts = [0u64; 2];
    for (k, (idx, mut v)) in [(&ORDERS, o), (&WORDS, w)].into_iter().enumerate() {
        v.sort_unstable();
        v.dedup_by_key(|e| (e.key, e.pos));
        let mut from = 0;
        loop {
            let to = (from + BULK_NODES_PER_TX).min(v.len());
            m.write(|tx| Ok(idx.bulk_chunk(tx, &v, from, to)?))?;
            m.share().drop_cache();
            done += (to - from) as u64;
            progress(done, total);
            from = to;
            if from == v.len() {
                break;
            }
        }
        counts[k] = v.len() as u64;
    }
    Ok((counts[0], counts[1]))
}

/// Expected entries compared per pass by [`check`] (24 bytes each: ~96 MB, up to half as much
/// again while they are selected).
const CHECK_PASS: usize = 4_000_000;
/// Tree entries read per descent by [`check`]'s walk.
const CHECK_WALK: usize = 16_384;

/// `check` of both indexes: the tree invariants, then that they hold exactly the listings for
/// sale (a listing expired and not yet swept may be there, whole, or absent).
///
/// Streaming, in bounded memory: the expected entries are made in key order a slice at a
/// time — each pass over `PUBLICADOS.DAT` keeps the [`CHECK_PASS`] smallest entries above the
/// previous slice — and each slice is merged with the tree's own entries walked in order from
/// where the last slice ended. What the merge finds is reported as before: the first missing
/// entries in key order, and the listings with entries the index should not have.
pub(crate) fn check(tx: &mut impl Tx) -> DResult<Vec<Problems>> {
    check_in_passes(tx, CHECK_PASS)
}

/// [`check`] with `pass` expected entries per pass (the tests make it small).
pub(crate) fn check_in_passes(tx: &mut impl Tx, pass: usize) -> DResult<Vec<Problems>> {
    if !present(tx)? {
        let mut p = Problems::new(ORDERS.file);
        p.push("faltan los índices de Explorar (se crean en la próxima escritura)");
        return Ok(vec![p]);
    }
    let now = crate::storage::ident::now_ms();
    let users = provinces_by_id(tx)?;
    let mut out = Vec::new();
    for idx in [&ORDERS, &WORDS] {
        let mut p = match idx.check(tx, None) {
            Ok(p) => p,
            Err(e) if e.is_damaged() => {
                let mut p = Problems::new(idx.file);
                p.push(e.to_string());
                p
            }
            Err(e) => return Err(e.into()),
        };
        if p.is_ok() {
            compare(tx, idx, &users, now, pass.max(1), &mut p)?;
        }
        tx.forget(idx.file);
        tx.forget(PUBS_DAT);
        out.push(p);
    }
    Ok(out)
}

/// Entries of `idx` that the index has and should not, by publication position: how many, and
/// the payload of the first (a sold listing keeps the province it was listed with).
#[derive(Clone, Copy)]
struct Extra {
    n: u64,
    payload: u64,
}

/// Merges the expected entries of `idx` with the tree's, slice by slice (see [`check`]).
fn compare(
    tx: &mut impl Tx,
    idx: &RankedBTree,
    users: &std::collections::HashMap<u64, u8>,
    now: i64,
    pass: usize,
    p: &mut Problems,
) -> DResult<()> {
    let n = tx.slot_count(PUBS_DAT)?;
    let total = idx.len(tx)?;
    let mut after: Option<Entry> = None;
    let mut rank = 0u64;
    let mut missing = 0usize;
    // Positions past the data file: nothing can make them right (the 10 smallest kept).
    let mut outside: BTreeSet<u64> = BTreeSet::new();
    let mut extra: std::collections::HashMap<u64, Extra> = Default::default();
    let mut on_extra = |e: Entry, outside: &mut BTreeSet<u64>| {
        if e.pos >= n {
            outside.insert(e.pos);
            if outside.len() > 10 {
                outside.pop_last();
            }
        } else {
            extra
                .entry(e.pos)
                .and_modify(|x| x.n += 1)
                .or_insert(Extra {
                    n: 1,
                    payload: e.payload,
                });
        }
    };
    loop {
        let (exp, last) = expected_slice(tx, idx, users, now, after, pass)?;
        // The slice holds every expected entry in (after, bound].
        let bound = if last { None } else { exp.last().copied() };
        let mut i = 0;
        'walk: while rank < total {
            let got = idx.entries(tx, rank, CHECK_WALK)?;
            if got.is_empty() {
                break;
            }
            for g in got {
                if bound.is_some_and(|b| g > b) {
                    break 'walk;
                }
                rank += 1;
                while i < exp.len() && exp[i] < g {
                    if missing < 10 {
                        p.push(format!(
                            "falta la publicación {} (clave {:#x})",
                            exp[i].pos + 1,
                            exp[i].key
                        ));
                    }
                    missing += 1;
                    i += 1;
                }
                if i < exp.len() && exp[i] == g {
                    i += 1;
                } else {
                    on_extra(g, &mut outside);
                }
            }
            tx.forget(idx.file);
        }
        for e in &exp[i..] {
            if missing < 10 {
                p.push(format!(
                    "falta la publicación {} (clave {:#x})",
                    e.pos + 1,
                    e.key
                ));
            }
            missing += 1;
        }
        match bound {
            Some(b) => after = Some(b),
            None => break,
        }
    }
    // Tree entries past the last expected one are extra too.
    while rank < total {
        let got = idx.entries(tx, rank, CHECK_WALK)?;
        if got.is_empty() {
            break;
        }
        rank += got.len() as u64;
        for g in got {
            on_extra(g, &mut outside);
        }
        tx.forget(idx.file);
    }
    // Extra entries are right only for an expired or sold listing not swept yet, whole: its
    // extra entries are as many as it had listed, and every one of those is in the tree.
    let mut wrong: Vec<u64> = outside.into_iter().collect();
    let mut extra: Vec<(u64, Extra)> = extra.into_iter().collect();
    extra.sort_unstable_by_key(|(pos, _)| *pos);
    for (k, (pos, x)) in extra.into_iter().enumerate() {
        if k % 256 == 0 {
            // Each listing reads its ~17 leaves: a few MB between two of these.
            tx.forget(idx.file);
            tx.forget(PUBS_DAT);
        }
        if !whole_unswept(tx, idx, users, now, pos, x)? {
            wrong.push(pos);
        }
    }
    wrong.sort_unstable();
    for pos in wrong.into_iter().take(10) {
        p.push(format!(
            "el índice tiene la publicación {} y no debería (o con datos viejos)",
            pos + 1
        ));
    }
    Ok(())
}

/// Whether the `x.n` entries of `idx` at `pos` that no listing for sale explains are the whole
/// set of an expired or sold listing not swept yet.
fn whole_unswept(
    tx: &mut impl Tx,
    idx: &RankedBTree,
    users: &std::collections::HashMap<u64, u8>,
    now: i64,
    pos: u64,
    x: Extra,
) -> DResult<bool> {
    let pb = match load_pub(tx, pos + 1) {
        Ok(pb) if pb.expired(now) || pb.state == PubState::Sold => pb,
        // Not expired nor sold, gone or unreadable (reported on its own).
        _ => return Ok(false),
    };
    // A sold listing keeps the province it was listed with (the payload).
    let (a, b) = if pb.state == PubState::Sold {
        entries_sold(&pb, unpack(x.payload).2)
    } else {
        entries_of(&pb, province_code(users.get(&pb.seller).copied()))
    };
    let mut whole = if idx.file == ORDERS.file { a } else { b };
    whole.sort_unstable();
    whole.dedup_by_key(|e| (e.key, e.pos));
    // None of these is expected of a listing not for sale, so the extra entries at `pos` are
    // exactly `whole` when they are as many and each is in the tree.
    if whole.len() as u64 != x.n {
        return Ok(false);
    }
    for e in &whole {
        if idx.get(tx, e.key, e.pos)? != Some(e.payload) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The expected entries of `idx` above `after`, in order, at most `pass` of them (the
/// smallest), from one pass over `PUBLICADOS.DAT` read in runs; and whether they are the last.
fn expected_slice(
    tx: &mut impl Tx,
    idx: &RankedBTree,
    users: &std::collections::HashMap<u64, u8>,
    now: i64,
    after: Option<Entry>,
    pass: usize,
) -> DResult<(Vec<Entry>, bool)> {
    let orders = idx.file == ORDERS.file;
    let keep = pass + pass / 2;
    let mut v: Vec<Entry> = Vec::with_capacity(keep + 1024);
    // Once entries were dropped, nothing above the largest kept can be in this slice.
    let mut ceiling: Option<Entry> = None;
    let n = tx.slot_count(PUBS_DAT)?;
    let mut one = Vec::new();
    let mut lo = 0;
    while lo < n {
        let hi = (lo + crate::storage::check::SCAN_RUN).min(n);
        tx.forget(PUBS_DAT);
        // A damaged slot in the run is met (and skipped) on its own read.
        let _ = tx.prefetch_range(PUBS_DAT, lo, hi);
        for pos in lo..hi {
            one.clear();
            let Some(pb) = readable_pub(tx, pos)? else {
                continue;
            };
            expected_of(&pb, users, now, orders, &mut one);
            v.extend(
                one.iter()
                    .copied()
                    .filter(|e| after.is_none_or(|a| *e > a) && ceiling.is_none_or(|c| *e <= c)),
            );
            if v.len() >= keep {
                v.select_nth_unstable(pass - 1);
                v.truncate(pass);
                ceiling = v.iter().max().copied();
            }
        }
        lo = hi;
    }
    tx.forget(PUBS_DAT);
    v.sort_unstable();
    v.dedup();
    let last = ceiling.is_none();
    Ok((v, last))
}

/// The entries `p` must have in ORDENES (`orders`) or PALABRAS at `now`, added to `out`: its
/// census entry, and when it is for sale and not expired, its listed entries.
fn expected_of(
    p: &Publication,
    users: &std::collections::HashMap<u64, u8>,
    now: i64,
    orders: bool,
    out: &mut Vec<Entry>,
) {
    if orders {
        out.push(census_entry(p));
    }
    if p.state != PubState::Published || p.expired(now) {
        return;
    }
    let f = Facts::of(p, province_code(users.get(&p.seller).copied()));
    if orders {
        out.extend(order_entries(&f, p.id - 1));
    } else {
        out.extend(word_entries(p, f.payload()));
    }
}

// ---- reading ---------------------------------------------------------------------------------

/// The scope code of a filter (0 = any for each part).
fn filter_scope(f: &BrowseFilter) -> u64 {
    scope(
        f.category.unwrap_or(0).min(MAX_CATEGORY),
        f.kind.map_or(0, |k| k as u64),
        f.province.map_or(0, |p| province_code(Some(p))),
    )
}

fn price_bounds(f: &BrowseFilter) -> (u64, u64) {
    let lo = f.min_price.unwrap_or(0).max(0) as u64;
    let hi = f.max_price.map_or(VALUE_MAX, |m| m.max(0) as u64);
    (lo.min(VALUE_MAX + 1), hi.min(VALUE_MAX))
}

fn has_price_range(f: &BrowseFilter) -> bool {
    f.min_price.is_some_and(|m| m > 0) || f.max_price.is_some()
}

/// Whether an entry's facts pass the filter's category, condition, province and price.
fn facts_match(f: &BrowseFilter, payload: u64) -> bool {
    let (c, k, p, price) = unpack(payload);
    let (lo, hi) = price_bounds(f);
    f.category.is_none_or(|x| x.min(MAX_CATEGORY) == c)
        && f.kind.is_none_or(|x| x as u64 == k)
        && f.province.is_none_or(|x| province_code(Some(x)) == p)
        && price >= lo
        && price <= hi
}

/// One page of positions and the total, walking `[lo, hi]` of ORDENES ascending or not and
/// skipping the `excluded` entries (expired, not swept).
fn walk(
    tx: &mut impl Tx,
    lo: u64,
    hi: u64,
    desc: bool,
    excluded: &[(u64, u64)],
    offset: u64,
    limit: usize,
) -> DResult<(Vec<u64>, u64)> {
    walk_in(tx, &ORDERS, lo, hi, desc, excluded, offset, limit)
}

/// [`walk`] over any ranked index. The excluded entries (indexed, but not to be shown) are
/// told apart by their keys, with no descent of their own: the page is read from its raw rank
/// on, `limit` plus as many entries as are excluded, and the excluded ones that sort before
/// it shift it forward.
#[allow(clippy::too_many_arguments)]
fn walk_in(
    tx: &mut impl Tx,
    idx: &RankedBTree,
    lo: u64,
    hi: u64,
    desc: bool,
    excluded: &[(u64, u64)],
    offset: u64,
    limit: usize,
) -> DResult<(Vec<u64>, u64)> {
    let (a, b) = idx.rank_range(tx, lo, hi)?;
    let n = b - a;
    let ex: BTreeSet<(u64, u64)> = excluded
        .iter()
        .copied()
        .filter(|&(k, _)| k >= lo && k <= hi)
        .collect();
    let e = (ex.len() as u64).min(n);
    let total = n - e;
    let mut out = Vec::new();
    if offset >= total || limit == 0 {
        return Ok((out, total));
    }
    // Raw positions (in the walk's direction) offset.. hold the page once the excluded ones
    // before it are accounted for.
    let chunk = (limit as u64).saturating_add(e).min(n - offset);
    let mut es = if desc {
        let mut v = idx.entries(tx, a + (n - offset - chunk), chunk as usize)?;
        v.reverse();
        v
    } else {
        idx.entries(tx, a + offset, chunk as usize)?
    };
    es.truncate(chunk as usize);
    let Some(first) = es.first().map(|x| (x.key, x.pos)) else {
        return Ok((out, total));
    };
    // Excluded entries before the fetched ones: as many non-excluded ones are still to skip.
    let mut skip = if desc {
        ex.range((std::ops::Bound::Excluded(first), std::ops::Bound::Unbounded))
            .count()
    } else {
        ex.range(..first).count()
    };
    for x in &es {
        if ex.contains(&(x.key, x.pos)) {
            continue;
        }
        if skip > 0 {
            skip -= 1;
            continue;
        }
        out.push(x.pos);
        if out.len() >= limit {
            break;
        }
    }
    Ok((out, total))
}

/// The positions of one page of listings for sale matching `f` in its order, and how many
/// match in all; through the indexes. Words are matched by stem (see `words`), every word
/// (AND), listings with every word in the title first.
pub(crate) fn page(
    tx: &mut impl Tx,
    f: &BrowseFilter,
    offset: u64,
    limit: usize,
    now: i64,
) -> DResult<(Vec<u64>, u64)> {
    let (lo_p, hi_p) = price_bounds(f);
    if lo_p > hi_p {
        return Ok((vec![], 0));
    }
    let backlog = expired_backlog(tx, now, usize::MAX)?;
    let query = f.search.as_deref().map(words::stems).unwrap_or_default();
    if !query.is_empty() {
        let expired: HashSet<u64> = backlog.iter().map(|e| e.pos).collect();
        return search(tx, f, &query, &expired, offset, limit);
    }
    let sc = filter_scope(f);
    let backlog: Vec<&Entry> = backlog
        .iter()
        .filter(|e| facts_match(f, e.payload))
        .collect();
    let excluded_price: Vec<(u64, u64)> = backlog
        .iter()
        .map(|e| (order_key(TAG_PRICE, sc, unpack(e.payload).3), e.pos))
        .collect();
    let price_lo = order_key(TAG_PRICE, sc, lo_p);
    let price_hi = order_key(TAG_PRICE, sc, hi_p);
    match f.sort {
        SortOrder::PriceAsc | SortOrder::PriceDesc => walk(
            tx,
            price_lo,
            price_hi,
            f.sort == SortOrder::PriceDesc,
            &excluded_price,
            offset,
            limit,
        ),
        SortOrder::Newest if !has_price_range(f) => {
            let ex: Vec<(u64, u64)> = backlog
                .iter()
                .map(|e| (order_key(TAG_NEWEST, sc, e.pos + 1), e.pos))
                .collect();
            walk(
                tx,
                order_key(TAG_NEWEST, sc, 0),
                order_key(TAG_NEWEST, sc, VALUE_MAX),
                true,
                &ex,
                offset,
                limit,
            )
        }
        SortOrder::Newest => {
            let in_range = ORDERS.count_range(tx, price_lo, price_hi)?;
            let skip: HashSet<u64> = backlog.iter().map(|e| e.pos).collect();
            let total = in_range.saturating_sub(skip.len() as u64);
            let scope_all = ORDERS.count_range(
                tx,
                order_key(TAG_NEWEST, sc, 0),
                order_key(TAG_NEWEST, sc, VALUE_MAX),
            )?;
            let want = offset + limit as u64;
            // Walking the id order reads about want × scope / in-range nodes.
            let walk_cost = want.saturating_mul(scope_all) / in_range.max(1);
            if in_range <= GATHER_MAX || walk_cost > in_range {
                let mut v: Vec<u64> = ORDERS
                    .range(tx, price_lo, price_hi)?
                    .into_iter()
                    .map(|e| e.pos)
                    .filter(|p| !skip.contains(p))
                    .collect();
                v.sort_unstable_by(|a, b| b.cmp(a));
                let page = v
                    .into_iter()
                    .skip(offset as usize)
                    .take(limit)
                    .collect::<Vec<_>>();
                return Ok((page, total));
            }
            let (a, b) = ORDERS.rank_range(
                tx,
                order_key(TAG_NEWEST, sc, 0),
                order_key(TAG_NEWEST, sc, VALUE_MAX),
            )?;
            let mut out = Vec::new();
            let mut seen = 0u64;
            let mut end = b;
            while end > a && (out.len() as u64) < limit as u64 {
                let chunk = 256.min(end - a);
                let es = ORDERS.entries(tx, end - chunk, chunk as usize)?;
                for e in es.iter().rev() {
                    let price = unpack(e.payload).3;
                    if price < lo_p || price > hi_p || skip.contains(&e.pos) {
                        continue;
                    }
                    if seen >= offset {
                        out.push(e.pos);
                        if out.len() >= limit {
                            break;
                        }
                    }
                    seen += 1;
                }
                end -= chunk;
            }
            Ok((out, total))
        }
    }
}

/// Search through the word index: the rarest word's postings are the candidates, filtered by
/// their facts and checked against the other words' postings (one descent each).
fn search(
    tx: &mut impl Tx,
    f: &BrowseFilter,
    query: &[String],
    expired: &HashSet<u64>,
    offset: u64,
    limit: usize,
) -> DResult<(Vec<u64>, u64)> {
    let mut best: Option<(usize, u64)> = None;
    let mut counts = Vec::with_capacity(query.len());
    for (i, w) in query.iter().enumerate() {
        let t = WORDS.count_range(tx, word_key(w, false), word_key(w, false))?;
        let d = WORDS.count_range(tx, word_key(w, true), word_key(w, true))?;
        counts.push(t + d);
        if best.is_none_or(|(_, n)| t + d < n) {
            best = Some((i, t + d));
        }
    }
    let Some((rare, n)) = best else {
        return Ok((vec![], 0));
    };
    if n == 0 {
        return Ok((vec![], 0));
    }
    let plain = f.category.is_none()
        && f.kind.is_none()
        && f.province.is_none()
        && !has_price_range(f)
        && f.sort == SortOrder::Newest;
    if query.len() == 1 && plain {
        return one_word(tx, &query[0], expired, offset, limit);
    }
    let w0 = &query[rare];
    let mut cands: Vec<(Entry, bool)> = Vec::new();
    for (desc, in_title) in [(false, true), (true, false)] {
        let k = word_key(w0, desc);
        for e in WORDS.range(tx, k, k)? {
            cands.push((e, in_title));
        }
    }
    cands.retain(|(e, _)| !expired.contains(&e.pos) && facts_match(f, e.payload));
    // Each other word's listings (in the title, in the description only): its postings read
    // whole when they are not many more than the candidates (a run of leaves, intersected in
    // memory), else a lookup per candidate (a descent each).
    let mut others: Vec<Option<(HashSet<u64>, HashSet<u64>)>> = Vec::new();
    for (i, w) in query.iter().enumerate() {
        if i == rare || counts[i] > POSTINGS_PER_CANDIDATE * cands.len() as u64 {
            others.push(None);
            continue;
        }
        let mut sets = (HashSet::new(), HashSet::new());
        for (desc, set) in [(false, &mut sets.0), (true, &mut sets.1)] {
            let k = word_key(w, desc);
            set.extend(WORDS.range(tx, k, k)?.into_iter().map(|e| e.pos));
        }
        others.push(Some(sets));
    }
    // (rank, order value, position)
    let mut hits: Vec<(u8, u64, u64)> = Vec::new();
    'cand: for (e, mut all_title) in cands {
        for (i, w) in query.iter().enumerate() {
            if i == rare {
                continue;
            }
            let (in_title, in_desc) = match &others[i] {
                Some((t, d)) => (t.contains(&e.pos), d.contains(&e.pos)),
                None => {
                    let t = WORDS.get(tx, word_key(w, false), e.pos)?.is_some();
                    (t, !t && WORDS.get(tx, word_key(w, true), e.pos)?.is_some())
                }
            };
            if in_title {
                continue;
            }
            if in_desc {
                all_title = false;
                continue;
            }
            continue 'cand;
        }
        hits.push((u8::from(!all_title), unpack(e.payload).3, e.pos));
    }
    sort_hits(&mut hits, f.sort);
    let total = hits.len() as u64;
    let page = hits
        .into_iter()
        .skip(offset as usize)
        .take(limit)
        .map(|h| h.2)
        .collect();
    Ok((page, total))
}

/// A search of several words reads another word's postings whole (to intersect them with the
/// rarest word's listings in memory) when it has at most this many per candidate; past it, it
/// looks each candidate up instead. A lookup is a descent (its leaf a separate read when the
/// candidates are scattered); a posting list is a run of leaves, ~170 entries per 4 KiB.
const POSTINGS_PER_CANDIDATE: u64 = 32;

/// One word, no other filter, newest first: the title group then the description-only group,
/// each a key range walked backwards, the totals rank differences (no posting list is read
/// beyond the page).
fn one_word(
    tx: &mut impl Tx,
    w: &str,
    expired: &HashSet<u64>,
    offset: u64,
    limit: usize,
) -> DResult<(Vec<u64>, u64)> {
    let mut groups = Vec::new();
    for desc in [false, true] {
        let k = word_key(w, desc);
        let mut ex = Vec::new();
        if !expired.is_empty() {
            // Which expired listings have the word: a lookup each, or the postings read
            // through when they fill fewer leaves than the lookups would read.
            let n = WORDS.count_range(tx, k, k)?;
            if n <= 2 * expired.len() as u64 * crate::me::btree::LEAF_MAX as u64 {
                for e in WORDS.range(tx, k, k)? {
                    if expired.contains(&e.pos) {
                        ex.push((k, e.pos));
                    }
                }
            } else {
                for &pos in expired {
                    if WORDS.get(tx, k, pos)?.is_some() {
                        ex.push((k, pos));
                    }
                }
            }
        }
        let (_, total) = walk_in(tx, &WORDS, k, k, true, &ex, 0, 0)?;
        groups.push((k, ex, total));
    }
    let total: u64 = groups.iter().map(|g| g.2).sum();
    let mut out = Vec::new();
    let mut offset = offset;
    for (k, ex, n) in &groups {
        if out.len() >= limit {
            break;
        }
        if offset >= *n {
            offset -= n;
            continue;
        }
        let (page, _) = walk_in(tx, &WORDS, *k, *k, true, ex, offset, limit - out.len())?;
        out.extend(page);
        offset = 0;
    }
    Ok((out, total))
}

/// The one order of results: rank (title hits first), then the chosen order; ties by
/// position (price ascending: older first; descending and newest: newer first).
pub(crate) fn sort_hits(hits: &mut [(u8, u64, u64)], sort: SortOrder) {
    hits.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| match sort {
            SortOrder::Newest => b.2.cmp(&a.2),
            SortOrder::PriceAsc => (a.1, a.2).cmp(&(b.1, b.2)),
            SortOrder::PriceDesc => (b.1, b.2).cmp(&(a.1, a.2)),
        })
    });
}

/// Whether publication `p` (sold by someone in `seller_province`) matches the filter's
/// category, condition, province, price range and words; `Some(0)` when every word is in the
/// title, `Some(1)` when some only in the description. The one matcher of search, saved
/// searches and the brute-force scan (the state is the caller's business).
pub fn matches(f: &BrowseFilter, p: &Publication, seller_province: u8) -> Option<u8> {
    let (lo, hi) = price_bounds(f);
    let price = (p.price.max(0) as u64).min(VALUE_MAX);
    if f.category.is_some_and(|c| c != p.category)
        || f.kind.is_some_and(|k| k != p.kind)
        || f.province.is_some_and(|pr| pr != seller_province)
        || price < lo
        || price > hi
    {
        return None;
    }
    let query = f.search.as_deref().map(words::stems).unwrap_or_default();
    if query.is_empty() {
        return Some(0);
    }
    let title: HashSet<String> = words::stems(&p.title).into_iter().collect();
    let desc: HashSet<String> = words::stems(&p.description).into_iter().collect();
    let mut rank = 0;
    for w in &query {
        if title.contains(w) {
            continue;
        }
        if desc.contains(w) {
            rank = 1;
            continue;
        }
        return None;
    }
    Some(rank)
}

/// The same page by reading every publication (a share without the indexes, and the tests'
/// reference).
pub(crate) fn page_by_scan(
    tx: &mut impl Tx,
    f: &BrowseFilter,
    offset: u64,
    limit: usize,
    now: i64,
) -> DResult<(Vec<u64>, u64)> {
    let users = users_by_id(tx)?;
    tx.prefetch(PUBS_DAT)?;
    let n = tx.slot_count(PUBS_DAT)?;
    let mut hits = Vec::new();
    for pos in 0..n {
        let Slot::Live(b) = tx.slot(PUBS_DAT, pos)? else {
            continue;
        };
        let p = Publication::decode(&b)?;
        if p.state != PubState::Published || p.expired(now) {
            continue;
        }
        let prov = users.get(&p.seller).map_or(u8::MAX, |u| u.province);
        if let Some(rank) = matches(f, &p, prov) {
            hits.push((rank, (p.price.max(0) as u64).min(VALUE_MAX), pos));
        }
    }
    if f.search
        .as_deref()
        .map(words::stems)
        .unwrap_or_default()
        .is_empty()
    {
        for h in hits.iter_mut() {
            h.0 = 0;
        }
    }
    sort_hits(&mut hits, f.sort);
    let total = hits.len() as u64;
    Ok((
        hits.into_iter()
            .skip(offset as usize)
            .take(limit)
            .map(|h| h.2)
            .collect(),
        total,
    ))
}

/// Repair: rebuilds both indexes from PUBLICADOS.DAT when missing or unsound; says what it did.
/// Whether both indexes exist and [`check`] finds nothing wrong in them (damage that stops
/// the check is "not sound").
pub(crate) fn sound(tx: &mut impl Tx) -> DResult<bool> {
    if !present(tx)? {
        return Ok(false);
    }
    match check(tx) {
        Ok(v) => Ok(v.iter().all(|p| p.is_ok())),
        Err(super::DomainError::Storage(e)) if e.is_damaged() => Ok(false),
        Err(e) => Err(e),
    }
}

pub(crate) fn repair(tx: &mut WriteTx) -> DResult<Option<String>> {
    if ensure(tx)? {
        return Ok(Some(format!(
            "{}, {}: índices de Explorar creados desde {PUBS_DAT}",
            ORDERS.file, WORDS.file
        )));
    }
    let sound = check(tx)
        .map(|v| v.iter().all(|p| p.is_ok()))
        .unwrap_or(false);
    if sound {
        return Ok(None);
    }
    let (o, w) = rebuild(tx)?;
    Ok(Some(format!(
        "{}, {}: índices de Explorar rehechos desde {PUBS_DAT} ({o} y {w} entradas)",
        ORDERS.file, WORDS.file
    )))
}

#[cfg(test)]
#[path = "index_tests.rs"]
pub(crate) mod tests;

/// A key of ORDENES.IDX in words (the administrator's tree drawing).
pub fn describe_order_key(key: u64) -> String {
    let tag = key >> 62;
    if tag == TAG_CENSUS {
        return format!(
            "censo de la categoría {}",
            (key >> (VALUE_BITS + 7)) & MAX_CATEGORY
        );
    }
    if tag == TAG_CLOSING {
        return format!(
            "cierre {}",
            super::format::datetime_of_ms((key & ((1 << 62) - 1)) as i64)
        );
    }
    let sc = (key >> VALUE_BITS) & ((1 << 18) - 1);
    let (cat, kind, prov) = (sc >> 7, (sc >> 5) & 3, sc & 31);
    let value = key & VALUE_MAX;
    let mut parts = vec![if tag == TAG_PRICE {
        format!("precio {}", super::format::money(value as i64))
    } else {
        format!("publicación {value}")
    }];
    parts.push(if cat == 0 {
        "toda categoría".into()
    } else {
        format!("categoría {cat}")
    });
    parts.push(
        match Kind::from_u8(kind as u8) {
            Some(k) => k.label(),
            None => "nuevo o usado",
        }
        .into(),
    );
    parts.push(match prov {
        0 => "toda provincia".into(),
        PROVINCE_GONE => "vendedor dado de baja".into(),
        p => super::provinces::name(p as u8 - 1).into(),
    });
    parts.join(" · ")
}
