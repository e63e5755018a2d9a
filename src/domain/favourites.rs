//! Favourites ("Mis favoritos"): listings a user keeps an eye on, with the price they had
//! when added, so the list can say that the price went down or up, or that the article was
//! sold or paused.
//!
//! Each user's favourites are a partial queue (`FAVORITOS.CON` heads over `FAVORITOS.DAT`,
//! key (user id, 0)), oldest first; removing one unlinks its item. At most [`FAVOURITES_CAP`]
//! per user.

use serde::Serialize;

use super::catalog::{Ctx, PublicationView, view};
use super::format::money;
use super::market::*;
use super::records::*;
use super::{DResult, Market, conflict, format_cents};
use crate::me::queues::{Item, PartialQueues};
use crate::storage::codec::{Dec, Enc};
use crate::storage::ident::now_ms;
use crate::storage::{Tx, WriteTx};

pub const FAVOURITES: PartialQueues = PartialQueues {
    heads: "FAVORITOS.CON",
    items: "FAVORITOS.DAT",
    control: "FAVORITOS.CON",
    payload_len: FAVOURITE_LEN,
};
pub const FAVOURITE_LEN: usize = 40;
pub const FAVOURITES_CAP: usize = 500;

/// A favourite as stored (FAVORITOS.DAT item payload, 40 bytes):
/// `0 u64 publication id | 8 i64 price when added (cents) | 16 i64 added | 24 u8 state when
/// added | 25..40 zero`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Favourite {
    publication: u64,
    price: i64,
    added_ms: i64,
    state: PubState,
}

impl Favourite {
    fn encode(&self) -> Vec<u8> {
        let mut b = vec![0u8; FAVOURITE_LEN];
        Enc::new(&mut b)
            .u64(self.publication)
            .i64(self.price)
            .i64(self.added_ms)
            .u8(self.state as u8);
        b
    }
    fn decode(b: &[u8]) -> Favourite {
        let mut d = Dec::new(b);
        Favourite {
            publication: d.u64(),
            price: d.i64(),
            added_ms: d.i64(),
            state: PubState::from_u8(d.u8()).unwrap_or(PubState::Cancelled),
        }
    }
}

/// A favourite as screens show it: the listing now, and what changed since it was added.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FavouriteView {
    pub publication: PublicationView,
    pub added_ms: i64,
    pub price_when_added: String,
    pub price_when_added_cents: i64,
    /// Current price minus the price when added (negative: it went down).
    pub price_change_cents: i64,
    /// Can be bought now (published and not expired).
    pub for_sale: bool,
    /// What changed, in Spanish: "Bajó $ 20.000", "Vendida", "Pausada"... (empty: nothing).
    pub notice: String,
}

fn items_of(tx: &mut impl Tx, user: u64) -> DResult<Vec<Item>> {
    if !tx.exists(FAVOURITES.items)? {
        return Ok(Vec::new());
    }
    let Some(h) = FAVOURITES.find(tx, user, 0)? else {
        return Ok(Vec::new());
    };
    Ok(FAVOURITES.items_of(tx, &h)?)
}

fn find(tx: &mut impl Tx, user: u64, publication: u64) -> DResult<Option<Item>> {
    Ok(items_of(tx, user)?
        .into_iter()
        .find(|it| Favourite::decode(&it.payload).publication == publication))
}

/// Is `publication` one of `user`'s favourites? (For the listing page's heart.)
pub(crate) fn is_favourite(tx: &mut impl Tx, user: u64, publication: u64) -> DResult<bool> {
    Ok(find(tx, user, publication)?.is_some())
}

pub(crate) fn add_in_tx(tx: &mut WriteTx, u: &User, p: &Publication, now: i64) -> DResult<bool> {
    super::permissions::may_favourite(
        Some(super::permissions::Actor::from(u)),
        &super::permissions::Listing::of_record(p, now),
    )?;
    if find(tx, u.id, p.id)?.is_some() {
        return Ok(false);
    }
    if items_of(tx, u.id)?.len() >= FAVOURITES_CAP {
        return conflict(format!(
            "ya tiene {FAVOURITES_CAP} favoritos: quite alguno antes de agregar otro"
        ));
    }
    if !tx.exists(FAVOURITES.items)? {
        FAVOURITES.create(tx)?;
    }
    let f = Favourite {
        publication: p.id,
        price: p.price,
        added_ms: now,
        state: p.state,
    };
    FAVOURITES.push(tx, u.id, 0, &f.encode(), now)?;
    Ok(true)
}

fn notice(f: &Favourite, v: &PublicationView) -> String {
    match v.state {
        PubState::Sold => return "Vendida".into(),
        PubState::Paused => return "Pausada por quien vende".into(),
        PubState::Cancelled => return "Ya no está a la venta".into(),
        PubState::Blocked => return "Bloqueada por la administración".into(),
        PubState::Published if v.expired => return "Venció sin venderse".into(),
        PubState::Published => {}
    }
    let d = v.price_cents - f.price;
    if d < 0 {
        format!("Bajó {} (antes {})", money(-d), money(f.price))
    } else if d > 0 {
        format!("Subió {} (antes {})", money(d), money(f.price))
    } else {
        String::new()
    }
}

impl Market {
    /// Adds publication `id` to the user's favourites; false if it already was one.
    pub fn add_favourite(&self, s: &Session, id: u64) -> DResult<bool> {
        self.write(|tx| {
            let u = current(tx, s)?;
            let p = load_pub(tx, id)?;
            add_in_tx(tx, &u, &p, now_ms())
        })
    }

    /// Removes publication `id` from the user's favourites; false if it was not one.
    pub fn remove_favourite(&self, s: &Session, id: u64) -> DResult<bool> {
        self.write(|tx| {
            let u = current(tx, s)?;
            let Some(it) = find(tx, u.id, id)? else {
                return Ok(false);
            };
            FAVOURITES.remove_item(tx, it.pos)?;
            Ok(true)
        })
    }

    /// Whether publication `id` is one of the user's favourites.
    pub fn is_favourite(&self, s: &Session, id: u64) -> DResult<bool> {
        self.read(|tx| {
            let u = current(tx, s)?;
            is_favourite(tx, u.id, id)
        })
    }

    /// The user's favourites, the most recently added first.
    pub fn favourites(&self, s: &Session) -> DResult<Vec<FavouriteView>> {
        self.read(|tx| {
            let u = current(tx, s)?;
            let ctx = Ctx::load(tx)?;
            let mut out = Vec::new();
            for it in items_of(tx, u.id)?.into_iter().rev() {
                let f = Favourite::decode(&it.payload);
                let Ok(p) = load_pub(tx, f.publication) else {
                    continue;
                };
                let v = view(tx, &ctx, &p, false)?;
                out.push(FavouriteView {
                    added_ms: f.added_ms,
                    price_when_added: format_cents(f.price),
                    price_when_added_cents: f.price,
                    price_change_cents: v.price_cents - f.price,
                    for_sale: v.state == PubState::Published && !v.expired,
                    notice: notice(&f, &v),
                    publication: v,
                });
            }
            Ok(out)
        })
    }
}
