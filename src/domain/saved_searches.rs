//! Saved searches ("Búsquedas guardadas"): a category, filters and words a user wants to
//! follow. Publishing a listing that matches one puts a news item in its owner's
//! *Novedades* (in the publishing transaction); the list of saved searches says how many
//! results are new since the user last looked.
//!
//! Each user's saved searches are a partial queue (`BUSQUEDAS.CON` heads over
//! `BUSQUEDAS.DAT`, key (user id, 0)). At most [`SAVED_SEARCHES_CAP`] per user.

use serde::Serialize;

use super::catalog::{BrowseFilter, fold};
use super::market::*;
use super::records::*;
use super::text::text;
use super::{DResult, Market, conflict, invalid, not_found, provinces};
use crate::me::queues::{Item, PartialQueues};
use crate::storage::codec::{Dec, Enc};
use crate::storage::ident::now_ms;
use crate::storage::{Tx, WriteTx};

pub const SAVED_SEARCHES: PartialQueues = PartialQueues {
    heads: "BUSQUEDAS.CON",
    items: "BUSQUEDAS.DAT",
    control: "BUSQUEDAS.CON",
    payload_len: SAVED_SEARCH_LEN,
};
pub const SAVED_SEARCH_LEN: usize = 192;
pub const SEARCH_WORDS_LEN: usize = 128;
pub const SAVED_SEARCHES_CAP: usize = 20;
const ANY_PROVINCE: u8 = 0xff;

/// What a user saves: the filters of Explorar and the words typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SearchSpec {
    pub category: Option<u64>,
    pub kind: Option<Kind>,
    pub province: Option<u8>,
    /// Price range in cents (inclusive; `None`: no bound).
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    pub words: String,
}

/// A saved search as stored (BUSQUEDAS.DAT item payload, 192 bytes):
///
/// ```text
/// 0 u64 category (0: all) | 8 u8 kind (0 any, 1 used, 2 new) | 9 u8 province (255: any)
/// 10..16 zero | 16 i64 min price (cents, 0: none) | 24 i64 max price (0: none) | 32 i64 saved
/// 40 u64 newest publication id the user has seen in its results | 48 words (128) | 176..192 zero
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stored {
    spec: SearchSpec,
    saved_ms: i64,
    seen_id: u64,
}

impl Stored {
    fn encode(&self) -> Vec<u8> {
        let mut b = vec![0u8; SAVED_SEARCH_LEN];
        let mut e = Enc::new(&mut b);
        e.u64(self.spec.category.unwrap_or(0))
            .u8(self.spec.kind.map_or(0, |k| k as u8))
            .u8(self.spec.province.unwrap_or(ANY_PROVINCE))
            .zeros(6);
        e.i64(self.spec.min_price.unwrap_or(0))
            .i64(self.spec.max_price.unwrap_or(0))
            .i64(self.saved_ms)
            .u64(self.seen_id);
        e.str_lossy(&self.spec.words, SEARCH_WORDS_LEN);
        b
    }
    fn decode(b: &[u8]) -> Stored {
        let mut d = Dec::new(b);
        let category = d.u64();
        let kind = d.u8();
        let province = d.u8();
        d.skip(6);
        let min = d.i64();
        let max = d.i64();
        Stored {
            saved_ms: d.i64(),
            seen_id: d.u64(),
            spec: SearchSpec {
                category: (category != 0).then_some(category),
                kind: Kind::from_u8(kind),
                province: (province != ANY_PROVINCE).then_some(province),
                min_price: (min > 0).then_some(min),
                max_price: (max > 0).then_some(max),
                words: d.str(SEARCH_WORDS_LEN),
            },
        }
    }
}

/// A saved search as screens show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SavedSearchView {
    /// Its number among the user's saved searches.
    pub number: u64,
    pub spec: SearchSpec,
    /// "«guitarra» en Instrumentos musicales, usados, hasta $ 200.000".
    pub description: String,
    pub saved_ms: i64,
    /// Listings for sale that match now.
    pub results: u64,
    /// Of those, published since the user last opened this search, counted up to
    /// [`NEW_RESULTS_COUNTED`] + 1 (more: "más de 99 nuevas").
    pub new_results: u64,
}

/// New results are counted up to one more than this («más de 99 nuevas» past it).
pub const NEW_RESULTS_COUNTED: u64 = 99;

/// How many of the first results (newest first) a saved search looks at for new ones: the
/// list of saved searches is read again at every change of the share, so it costs index
/// entries, never the whole result. The newest order is the ids' order, so without words the
/// new results are a prefix of it; with words the title matches come first, each group
/// newest first, so a new description-only match behind more than this many older title
/// matches is not counted here (its news item in «Novedades» says it anyway).
const NEW_RESULTS_SCAN: usize = 1_000;

impl SearchSpec {
    /// The browse filter of this search (newest first, Explorar's default order).
    pub fn filter(&self) -> BrowseFilter {
        BrowseFilter {
            category: self.category,
            kind: self.kind,
            province: self.province,
            search: (!self.words.trim().is_empty()).then(|| self.words.clone()),
            min_price: self.min_price,
            max_price: self.max_price,
            ..BrowseFilter::default()
        }
    }

    /// Whether a listing for sale matches: Explorar's one matcher (`catalog::matches`:
    /// category, condition, province, price range, every word in the title or the
    /// description, ignoring case, accents and plurals).
    pub fn matches(&self, p: &Publication, seller_province: u8) -> bool {
        super::catalog::matches(&self.filter(), p, seller_province).is_some()
    }

    fn describe(&self, ctx: &super::catalog::Ctx) -> String {
        let mut parts = Vec::new();
        let words = self.words.trim();
        parts.push(if words.is_empty() {
            "Todas las publicaciones".to_string()
        } else {
            format!("«{words}»")
        });
        if let Some(c) = self.category {
            parts.push(format!(
                "en {}",
                ctx.cats.get(&c).map_or("(categoría borrada)", |c| &*c.name)
            ));
        }
        if let Some(k) = self.kind {
            parts.push(match k {
                Kind::Used => "usados".into(),
                Kind::New => "nuevos".into(),
            });
        }
        if let Some(p) = self.province {
            parts.push(format!("en {}", provinces::name(p)));
        }
        match (self.min_price, self.max_price) {
            (Some(a), Some(b)) => parts.push(format!(
                "de {} a {}",
                super::format::money(a),
                super::format::money(b)
            )),
            (Some(a), None) => parts.push(format!("desde {}", super::format::money(a))),
            (None, Some(b)) => parts.push(format!("hasta {}", super::format::money(b))),
            (None, None) => {}
        }
        parts.join(", ")
    }

    fn validate(mut self) -> DResult<SearchSpec> {
        self.words = text("las palabras", &self.words, SEARCH_WORDS_LEN, false)?;
        if let (Some(a), Some(b)) = (self.min_price, self.max_price)
            && a > b
        {
            return invalid("el precio mínimo es mayor que el máximo");
        }
        if self.min_price.is_some_and(|p| p <= 0) || self.max_price.is_some_and(|p| p <= 0) {
            return invalid("los precios del rango deben ser mayores que cero");
        }
        if self
            .province
            .is_some_and(|p| p as usize >= provinces::PROVINCES.len())
        {
            return invalid("esa provincia no existe");
        }
        if self.words.is_empty() && self.category.is_none() {
            return invalid("elija una categoría o escriba qué busca para guardar la búsqueda");
        }
        Ok(self)
    }
}

fn items_of(tx: &mut impl Tx, user: u64) -> DResult<Vec<Item>> {
    if !tx.exists(SAVED_SEARCHES.items)? {
        return Ok(Vec::new());
    }
    let Some(h) = SAVED_SEARCHES.find(tx, user, 0)? else {
        return Ok(Vec::new());
    };
    Ok(SAVED_SEARCHES.items_of(tx, &h)?)
}

fn item(tx: &mut impl Tx, user: u64, number: u64) -> DResult<Item> {
    match items_of(tx, user)?
        .into_iter()
        .find(|it| it.number == number)
    {
        Some(it) => Ok(it),
        None => not_found(format!(
            "no tiene ninguna búsqueda guardada número {number}"
        )),
    }
}

/// Puts a news item in the inbox of every user with a saved search that `p` (just published
/// by `seller`) matches. Called by the publishing transaction.
pub(crate) fn on_published(
    tx: &mut WriteTx,
    p: &Publication,
    seller: &User,
    now: i64,
) -> DResult<()> {
    if !tx.exists(SAVED_SEARCHES.items)? {
        return Ok(());
    }
    for h in SAVED_SEARCHES.all_heads(tx)? {
        if h.a == seller.id {
            continue;
        }
        for it in SAVED_SEARCHES.items_of(tx, &h)? {
            let s = Stored::decode(&it.payload);
            if s.spec.matches(p, seller.province) {
                let words = if s.spec.words.trim().is_empty() {
                    "todas".to_string()
                } else {
                    s.spec.words.clone()
                };
                super::news::push(
                    tx,
                    h.a,
                    super::news::News::new(super::news::NewsKind::SavedSearch, now, p.id)
                        .amount(p.price)
                        .reference(it.number)
                        .text(&words),
                )?;
                // One news item per listing, however many of the user's searches it matches.
                break;
            }
        }
    }
    Ok(())
}

/// Saves `spec` (validated) for `u` at time `now`; returns its number.
pub(crate) fn save_in_tx(tx: &mut WriteTx, u: &User, spec: SearchSpec, now: i64) -> DResult<u64> {
    if let Some(c) = spec.category
        && super::records::CATEGORIES.get(tx, c)?.is_none()
    {
        return not_found(format!("no existe la categoría {c}"));
    }
    let items = items_of(tx, u.id)?;
    if items.len() >= SAVED_SEARCHES_CAP {
        return conflict(format!(
            "ya tiene {SAVED_SEARCHES_CAP} búsquedas guardadas: borre alguna antes"
        ));
    }
    let key = |o: &SearchSpec| SearchSpec {
        words: fold(o.words.trim()),
        ..o.clone()
    };
    if items
        .iter()
        .any(|it| key(&Stored::decode(&it.payload).spec) == key(&spec))
    {
        return conflict("ya tiene guardada esa búsqueda");
    }
    if !tx.exists(SAVED_SEARCHES.items)? {
        SAVED_SEARCHES.create(tx)?;
    }
    let seen_id = tx.slot_count(PUBS_DAT)?;
    let st = Stored {
        spec: spec.clone(),
        saved_ms: now,
        seen_id,
    };
    let (_, it) = SAVED_SEARCHES.push(tx, u.id, 0, &st.encode(), now)?;
    tx.log_event(
        &u.email,
        "búsqueda-guardada",
        &super::news::cut(&spec.words, 50),
    )?;
    Ok(it.number)
}

impl Market {
    /// Saves a search; returns its number.
    pub fn save_search(&self, s: &Session, spec: SearchSpec) -> DResult<u64> {
        let spec = spec.validate()?;
        self.write(|tx| {
            let u = current(tx, s)?;
            save_in_tx(tx, &u, spec, now_ms())
        })
    }

    /// Deletes saved search `number`.
    pub fn delete_saved_search(&self, s: &Session, number: u64) -> DResult<()> {
        self.write(|tx| {
            let u = current(tx, s)?;
            let it = item(tx, u.id, number)?;
            SAVED_SEARCHES.remove_item(tx, it.pos)?;
            Ok(())
        })
    }

    /// The user's saved searches, with how many results each has and how many are new.
    pub fn saved_searches(&self, s: &Session) -> DResult<Vec<SavedSearchView>> {
        let (list, ctx_desc) = self.read(|tx| {
            let u = current(tx, s)?;
            let ctx = super::catalog::Ctx::load(tx)?;
            let list: Vec<(u64, Stored)> = items_of(tx, u.id)?
                .into_iter()
                .map(|it| (it.number, Stored::decode(&it.payload)))
                .collect();
            let desc: Vec<String> = list.iter().map(|(_, st)| st.spec.describe(&ctx)).collect();
            Ok((list, desc))
        })?;
        let mut out = Vec::new();
        for ((number, st), description) in list.into_iter().zip(ctx_desc) {
            let filter = st.spec.filter();
            let scan = if st.spec.words.trim().is_empty() {
                NEW_RESULTS_COUNTED as usize + 1
            } else {
                NEW_RESULTS_SCAN
            };
            let (ids, results) = self.browse_ids(&filter, 0, scan)?;
            let new_results = (ids.iter().filter(|&&id| id > st.seen_id).count() as u64)
                .min(NEW_RESULTS_COUNTED + 1);
            out.push(SavedSearchView {
                number,
                spec: st.spec,
                description,
                saved_ms: st.saved_ms,
                results,
                new_results,
            });
        }
        out.reverse();
        Ok(out)
    }

    /// Opens saved search `number`: from now on none of its results count as new. Returns its
    /// filter, for Explorar to show its results a page at a time.
    pub fn open_saved_search(&self, s: &Session, number: u64) -> DResult<BrowseFilter> {
        let spec = self.write(|tx| {
            let u = current(tx, s)?;
            let it = item(tx, u.id, number)?;
            let mut st = Stored::decode(&it.payload);
            let newest = tx.slot_count(PUBS_DAT)?;
            if st.seen_id < newest {
                st.seen_id = newest;
                SAVED_SEARCHES.update_item(tx, it.pos, &st.encode(), st.saved_ms)?;
            }
            Ok(st.spec)
        })?;
        Ok(spec.filter())
    }
}
