//! Categories and publications: the categories ABM, publishing and its state rules, browsing
//! with filters and search.

use crate::storage::fasthash::HashMap;
use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use chrono::{Local, NaiveDate};
use serde::Serialize;

// The date and text helpers moved to `dates` and `text`; re-exported here for old callers.
pub use super::dates::{date_of_ms, datetime_of_ms, end_of_day_ms, parse_date, start_of_day_ms};
use super::field::Checks;
use super::market::*;
use super::permissions::{Actor, Listing, Permission, may_cancel, may_edit, may_pause, may_resume};
use super::records::*;
pub use super::text::fold;
use super::text::{multiline_text, text};
use super::{
    DResult, Field, Market, OnField, conflict, denied, format_cents, invalid, not_found, provinces,
};
use crate::storage::ident::now_ms;
use crate::storage::{NIL, Tx, WriteTx};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryView {
    pub key: u64,
    pub name: String,
    pub commission: String,
    pub commission_bp: u32,
    /// Publications of the category, in every state.
    pub publications: u64,
}

/// What a seller types to publish (or to edit: see [`PublicationChanges`]).
#[derive(Debug, Clone)]
pub struct NewPublication {
    pub category: u64,
    pub title: String,
    pub description: String,
    pub price: i64,
    pub kind: Kind,
    pub closes: NaiveDate,
    pub photo: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Default)]
pub struct PublicationChanges {
    pub category: Option<u64>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub price: Option<i64>,
    pub kind: Option<Kind>,
    pub closes: Option<NaiveDate>,
    pub photo: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RatingSummary {
    pub recommend: u64,
    pub neutral: u64,
    pub not_recommend: u64,
    pub unrated: u64,
}

/// A publication as screens show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicationView {
    pub id: u64,
    pub title: Arc<str>,
    pub description: Arc<str>,
    pub price: String,
    pub price_cents: i64,
    pub category: u64,
    pub category_name: Arc<str>,
    pub seller_id: u64,
    pub seller_email: Arc<str>,
    pub seller_name: Arc<str>,
    pub seller_province: u8,
    pub seller_province_name: &'static str,
    pub kind: Kind,
    pub state: PubState,
    /// The state's name, "vencida" for a publication whose closing date passed unsold.
    pub state_label: &'static str,
    pub expired: bool,
    pub published_ms: i64,
    pub closes: String,
    pub closes_ms: i64,
    pub photo: Option<String>,
    pub buyer_id: Option<u64>,
    pub buyer_email: Option<Arc<str>>,
    pub buyer_name: Option<Arc<str>>,
    /// Sale number (position in VENTAS.DAT + 1) once sold.
    pub sale: Option<u64>,
    pub rating: Option<Rating>,
    pub commission: Option<String>,
    pub commission_cents: Option<i64>,
    pub commission_collected: Option<bool>,
    pub sold_ms: Option<i64>,
}

/// Order of a browse: each is served by an index (see `index`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum SortOrder {
    /// Newest first.
    #[default]
    Newest,
    PriceAsc,
    PriceDesc,
}

/// What Explorar and search ask for: listings for sale, optionally of one category,
/// condition and seller's province, within a price range, with words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BrowseFilter {
    pub category: Option<u64>,
    pub kind: Option<Kind>,
    pub province: Option<u8>,
    pub sort: SortOrder,
    /// Words, every one required (accents and plurals folded; see `words`).
    pub search: Option<String>,
    /// Price range in cents, inclusive.
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
}

/// One page of a browse or search and the total number of listings that match.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page {
    pub items: Vec<PublicationView>,
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
}

pub use super::index::matches;

/// What building views needs within one transaction: the categories, the time, and the users
/// met so far. Users are read lazily, each at most once (a memo for this `Ctx` only): a page
/// of 50 rows reads its sellers, never the whole users file.
pub(crate) struct Ctx {
    users: RefCell<HashMap<u64, Option<Arc<User>>>>,
    pub cats: HashMap<u64, Category>,
    pub now: i64,
}

impl Ctx {
    pub fn load(tx: &mut impl Tx) -> DResult<Ctx> {
        Ok(Ctx {
            users: RefCell::new(HashMap::default()),
            cats: categories_map(tx)?,
            now: now_ms(),
        })
    }

    /// Loads the users `ids` (a page's sellers) into the memo with few reads: their
    /// USUARIOS.IDS slots and then their user slots, each in runs of neighbours.
    pub fn prefetch_users(
        &self,
        tx: &mut impl Tx,
        ids: impl IntoIterator<Item = u64>,
    ) -> DResult<()> {
        let mut want: Vec<u64> = {
            let memo = self.users.borrow();
            ids.into_iter()
                .filter(|id| !memo.contains_key(id))
                .collect()
        };
        want.sort_unstable();
        want.dedup();
        if want.len() <= 1 || !USERS.has_ids(tx)? {
            for id in want {
                self.user(tx, id)?;
            }
            return Ok(());
        }
        let found = USERS.get_many_by_id(tx, &want, |_, k, v| Arc::new(User::decode(k, v)))?;
        let mut memo = self.users.borrow_mut();
        memo.reserve(want.len());
        for (id, u) in want.into_iter().zip(found) {
            memo.insert(id, u);
        }
        Ok(())
    }

    /// The user with id `id` (None: deleted): through USUARIOS.IDS the first time (two
    /// reads), from the memo after.
    pub fn user(&self, tx: &mut impl Tx, id: u64) -> DResult<Option<Arc<User>>> {
        if let Some(u) = self.users.borrow().get(&id) {
            return Ok(u.clone());
        }
        let u = user_by_id(tx, id)?.map(Arc::new);
        self.users.borrow_mut().insert(id, u.clone());
        Ok(u)
    }
}

/// What a terminal keeps decoded between pages (a warm page then decodes nothing it decoded
/// before): publications by position, each with the slot bytes it was decoded from (the same
/// bytes, shared with the storage cache, mean the same record); users by id, valid while
/// USUARIOS.DAT and USUARIOS.IDS keep their change counters.
#[derive(Default)]
pub(crate) struct Memo {
    pubs: Mutex<HashMap<u64, DecodedPub>>,
    users: Mutex<UsersMemo>,
}

/// A publication and the slot bytes it was decoded from.
type DecodedPub = (Arc<[u8]>, Arc<Publication>);

#[derive(Default)]
struct UsersMemo {
    counters: (u64, u64),
    users: HashMap<u64, Option<Arc<User>>>,
}

/// Entries kept in each part of the [`Memo`] (past it, it starts again).
const MEMO_MAX: usize = 4096;

impl Memo {
    /// The publication at data position `pos`, decoded once per version of its slot.
    fn publication(&self, tx: &mut impl Tx, pos: u64) -> DResult<Arc<Publication>> {
        let n = tx.slot_count(PUBS_DAT)?;
        let crate::storage::Slot::Live(b) = (if pos < n {
            tx.slot(PUBS_DAT, pos)?
        } else {
            return not_found(format!("no existe la publicación {}", pos + 1));
        }) else {
            return not_found(format!("no existe la publicación {}", pos + 1));
        };
        let mut m = self.pubs.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((raw, p)) = m.get(&pos)
            && Arc::ptr_eq(raw, &b)
        {
            return Ok(p.clone());
        }
        let p = Arc::new(Publication::decode(&b)?);
        if m.len() >= MEMO_MAX {
            m.clear();
        }
        m.insert(pos, (b, p.clone()));
        Ok(p)
    }

    fn users_counters(tx: &mut impl Tx) -> DResult<(u64, u64)> {
        let ids = if tx.exists(USERS_IDS)? {
            tx.header(USERS_IDS)?.change_counter
        } else {
            0
        };
        Ok((tx.header(USERS.data)?.change_counter, ids))
    }

    /// Lends `ctx` the users `ids` that earlier pages decoded, when the users' files did not
    /// change since.
    fn lend_users(
        &self,
        tx: &mut impl Tx,
        ctx: &Ctx,
        ids: impl IntoIterator<Item = u64>,
    ) -> DResult<()> {
        let c = Self::users_counters(tx)?;
        let mut m = self.users.lock().unwrap_or_else(|e| e.into_inner());
        if m.counters != c {
            m.users.clear();
            m.counters = c;
        }
        let mut mine = ctx.users.borrow_mut();
        for id in ids {
            if let Some(u) = m.users.get(&id) {
                mine.entry(id).or_insert_with(|| u.clone());
            }
        }
        Ok(())
    }

    /// Keeps the users `ctx` read (same counters as when lent).
    fn keep_users(&self, tx: &mut impl Tx, ctx: &Ctx) -> DResult<()> {
        let c = Self::users_counters(tx)?;
        let mut m = self.users.lock().unwrap_or_else(|e| e.into_inner());
        if m.counters != c {
            return Ok(());
        }
        if m.users.len() >= MEMO_MAX {
            m.users.clear();
        }
        for (id, u) in ctx.users.borrow().iter() {
            m.users.entry(*id).or_insert_with(|| u.clone());
        }
        Ok(())
    }
}

/// A publication as `viewer` may see it: who bought it and the commission are shown only to the
/// seller, the buyer and the administrator (`party`).
pub(crate) fn view(
    tx: &mut impl Tx,
    ctx: &Ctx,
    p: &Publication,
    party: bool,
) -> DResult<PublicationView> {
    let seller = ctx.user(tx, p.seller)?;
    let seller = seller.as_deref();
    let buyer = if party && p.buyer != 0 {
        ctx.user(tx, p.buyer)?
    } else {
        None
    };
    let buyer = buyer.as_deref();
    let sale = if p.sale_pos != NIL {
        Some(sale_at(tx, p.sale_pos)?)
    } else {
        None
    };
    let expired = p.expired(ctx.now);
    Ok(PublicationView {
        id: p.id,
        title: p.title.clone(),
        description: p.description.clone(),
        price: format_cents(p.price),
        price_cents: p.price,
        category: p.category,
        category_name: ctx
            .cats
            .get(&p.category)
            .map_or_else(|| "(categoría borrada)".into(), |c| c.name.clone()),
        seller_id: p.seller,
        seller_email: seller.map_or_else(|| "(cuenta dada de baja)".into(), |u| u.email.clone()),
        seller_name: seller.map_or_else(|| "(cuenta dada de baja)".into(), |u| u.name.clone()),
        seller_province: seller.map_or(0, |u| u.province),
        seller_province_name: seller.map_or("-", |u| provinces::name(u.province)),
        kind: p.kind,
        state: p.state,
        state_label: if expired { "vencida" } else { p.state.label() },
        expired,
        published_ms: p.published_ms,
        closes: date_of_ms(p.closes_ms),
        closes_ms: p.closes_ms,
        photo: photo_opt(&p.photo),
        buyer_id: (party && p.buyer != 0).then_some(p.buyer),
        buyer_email: buyer.map(|u| u.email.clone()),
        buyer_name: buyer.map(|u| u.name.clone()),
        sale: (p.sale_pos != NIL).then(|| p.sale_pos + 1),
        rating: sale.as_ref().map(|s| s.rating),
        commission: sale
            .as_ref()
            .filter(|_| party)
            .map(|s| format_cents(s.commission)),
        commission_cents: sale.as_ref().filter(|_| party).map(|s| s.commission),
        commission_collected: sale.as_ref().filter(|_| party).map(|s| s.collected),
        sold_ms: sale.as_ref().map(|s| s.sold_ms),
    })
}

/// The ratings a seller received.
pub(crate) fn seller_rating(tx: &mut impl Tx, seller: u64) -> DResult<RatingSummary> {
    let mut r = RatingSummary::default();
    for p in {
        let ps = BY_SELLER.find(tx, seller)?;
        pubs_at(tx, ps)?
    } {
        if p.sale_pos != NIL {
            match sale_at(tx, p.sale_pos)?.rating {
                Rating::Recommend => r.recommend += 1,
                Rating::Neutral => r.neutral += 1,
                Rating::NotRecommend => r.not_recommend += 1,
                Rating::Unrated => r.unrated += 1,
            }
        }
    }
    Ok(r)
}

fn category_name(n: &str) -> DResult<String> {
    text("el nombre de la categoría", n, CATEGORY_NAME_LEN, true)
}

fn validate_pub_fields(
    title: &str,
    description: &str,
    price: i64,
    closes: NaiveDate,
) -> DResult<(String, String)> {
    // Every field is checked, so the form shows all its problems at once.
    let mut c = Checks::default();
    let (title, description) = check_texts(&mut c, title, description);
    check_price(&mut c, price);
    check_closes(&mut c, closes);
    c.finish()?;
    Ok((title, description))
}

fn check_texts(c: &mut Checks, title: &str, description: &str) -> (String, String) {
    let title = c.check(
        Field::Title,
        text("el nombre del artículo", title, TITLE_LEN, true),
    );
    // Line breaks kept; terminal control codes refused (issue 11).
    let description = c.check(
        Field::Description,
        multiline_text("la descripción", description, DESCRIPTION_LEN, true),
    );
    (title, description)
}

fn check_price(c: &mut Checks, price: i64) {
    if price <= 0 {
        c.fail(Field::Price, "el precio debe ser mayor que cero");
    } else if let Err(e) = super::index::check_bounds(price) {
        c.fail(Field::Price, e.to_string());
    }
}

fn check_closes(c: &mut Checks, closes: NaiveDate) {
    if closes < Local::now().date_naive() {
        c.fail(
            Field::Closes,
            format!("la fecha de cierre {} ya pasó", super::format::date(closes)),
        );
    }
}

/// A publication form as typed: checks every field at once (category chosen, name,
/// description, price as typed, closing day as typed) and returns the category, the price in
/// cents and the closing day.
pub fn check_publication(
    category: Option<u64>,
    title: &str,
    description: &str,
    price: &str,
    closes: &str,
) -> DResult<(u64, i64, NaiveDate)> {
    let mut c = Checks::default();
    if category.is_none() {
        c.fail(Field::Category, "elija una categoría");
    }
    check_texts(&mut c, title, description);
    let cents = match super::parse_cents(price) {
        Ok(v) => {
            check_price(&mut c, v);
            v
        }
        Err(e) => {
            c.fail(Field::Price, e.to_string());
            0
        }
    };
    let day = match parse_date(closes) {
        Ok(d) => {
            check_closes(&mut c, d);
            d
        }
        Err(e) => {
            c.fail(Field::Closes, e.to_string());
            NaiveDate::default()
        }
    };
    c.finish()?;
    Ok((category.unwrap_or_default(), cents, day))
}

/// A listing ready to be published: fields already validated, photo already stored.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub category: u64,
    pub title: String,
    pub description: String,
    pub price: i64,
    pub kind: Kind,
    pub closes_ms: i64,
    pub photo: PhotoId,
}

/// Publishes `d` for seller `u` at time `now` (see [`Market::publish`]); tells the users
/// whose saved searches it matches.
pub(crate) fn publish_in_tx(
    tx: &mut WriteTx,
    u: &User,
    d: &Draft,
    now: i64,
) -> DResult<Publication> {
    if u.is_admin() {
        return denied("la cuenta de administración no publica artículos");
    }
    if CATEGORIES.get(tx, d.category)?.is_none() {
        return not_found(format!("no existe la categoría {}", d.category)).on(Field::Category);
    }
    super::index::check_bounds(d.price).on(Field::Price)?;
    let id = tx.slot_count(PUBS_DAT)? + 1;
    let p = Publication {
        id,
        category: d.category,
        seller: u.id,
        title: d.title.as_str().into(),
        description: d.description.as_str().into(),
        price: d.price,
        published_ms: now,
        closes_ms: d.closes_ms,
        kind: d.kind,
        state: PubState::Published,
        state_before_block: PubState::Published,
        photo: d.photo,
        sale_pos: NIL,
        buyer: 0,
        updated_ms: now,
        sold_ms: 0,
    };
    // Append only: the data file never reuses a slot, so position = id - 1.
    let pos = id - 1;
    let got = tx.alloc(PUBS_DAT, &p.encode())?;
    debug_assert_eq!(got, pos);
    tx.set_control(PUBS_CON, PCON_LAST_ID, id)?;
    BY_SELLER.insert(tx, u.id, pos)?;
    BY_CATEGORY.insert(tx, d.category, pos)?;
    super::index::on_change(tx, None, &p, Some(u.province), now)?;
    super::saved_searches::on_published(tx, &p, u, now)?;
    tx.log_event(&u.email, "publicación", &format!("{id} {}", p.title))?;
    Ok(p)
}

/// Pauses, resumes or cancels publication `id` as `u`, if `rule` allows it (the demo calls it
/// with the time each change happened).
pub(crate) fn change_state_in_tx(
    tx: &mut WriteTx,
    u: &User,
    id: u64,
    rule: fn(Option<Actor>, &Listing) -> Permission,
    to: PubState,
    op: &str,
    now: i64,
) -> DResult<()> {
    let mut p = load_pub(tx, id)?;
    rule(Some(Actor::from(u)), &Listing::of_record(&p, now))?;
    p.state = to;
    p.updated_ms = now;
    store_pub(tx, &p)?;
    tx.log_event(&u.email, op, &id.to_string())?;
    Ok(())
}

impl Market {
    // ---- categories --------------------------------------------------------------------------

    /// Every category in key order, with its number of publications (the general listing).
    pub fn categories(&self) -> DResult<Vec<CategoryView>> {
        self.read(|tx| {
            let mut out = Vec::new();
            for (key, v) in CATEGORIES.iter(tx)? {
                let c = Category::decode(&v);
                let publications = publications_in_category(tx, key)?;
                out.push(CategoryView {
                    key,
                    name: c.name.to_string(),
                    commission: format_cents(c.commission_bp as i64),
                    commission_bp: c.commission_bp,
                    publications,
                });
            }
            Ok(out)
        })
    }

    pub fn add_category(&self, s: &Session, name: &str, commission_bp: u32) -> DResult<u64> {
        let name = category_name(name).on(Field::CategoryName)?;
        if commission_bp > 100_00 {
            return invalid("la comisión no puede superar el 100 %").on(Field::Commission);
        }
        self.write(|tx| {
            let admin = current_admin(tx, s)?;
            for (_, v) in CATEGORIES.iter(tx)? {
                if fold(&Category::decode(&v).name) == fold(&name) {
                    return conflict(format!("ya existe la categoría «{name}»"))
                        .on(Field::CategoryName);
                }
            }
            let key = CATEGORIES.next_key(tx)?;
            if key > super::index::MAX_CATEGORY {
                return invalid(format!(
                    "no caben más categorías: las claves llegan hasta {}",
                    super::index::MAX_CATEGORY
                ))
                .on(Field::CategoryName);
            }
            CATEGORIES.insert(
                tx,
                key,
                &Category {
                    name: name.as_str().into(),
                    commission_bp,
                    created_ms: now_ms(),
                }
                .encode(),
            )?;
            tx.log_event(&admin.email, "alta-categoría", &format!("{key} {name}"))?;
            Ok(key)
        })
    }

    fn category_in_use(tx: &mut impl Tx, key: u64) -> DResult<()> {
        let n = publications_in_category(tx, key)?;
        Ok(super::permissions::may_change_category(key, n)?)
    }

    pub fn edit_category(
        &self,
        s: &Session,
        key: u64,
        name: Option<&str>,
        commission_bp: Option<u32>,
    ) -> DResult<()> {
        let name = name
            .map(category_name)
            .transpose()
            .on(Field::CategoryName)?;
        if commission_bp.is_some_and(|c| c > 100_00) {
            return invalid("la comisión no puede superar el 100 %").on(Field::Commission);
        }
        self.write(|tx| {
            let admin = current_admin(tx, s)?;
            let Some(v) = CATEGORIES.get(tx, key)? else {
                return not_found(format!("no existe la categoría {key}"));
            };
            Self::category_in_use(tx, key)?;
            let mut c = Category::decode(&v);
            if let Some(n) = &name {
                c.name = n.as_str().into();
            }
            if let Some(bp) = commission_bp {
                c.commission_bp = bp;
            }
            CATEGORIES.update(tx, key, &c.encode())?;
            tx.log_event(
                &admin.email,
                "modificación-categoría",
                &format!("{key} {}", c.name),
            )?;
            Ok(())
        })
    }

    pub fn delete_category(&self, s: &Session, key: u64) -> DResult<()> {
        self.write(|tx| {
            let admin = current_admin(tx, s)?;
            if CATEGORIES.get(tx, key)?.is_none() {
                return not_found(format!("no existe la categoría {key}"));
            }
            Self::category_in_use(tx, key)?;
            CATEGORIES.remove(tx, key)?;
            tx.log_event(&admin.email, "baja-categoría", &key.to_string())?;
            Ok(())
        })
    }

    // ---- publications ------------------------------------------------------------------------

    /// Publishes an article; returns its id.
    pub fn publish(&self, s: &Session, n: NewPublication) -> DResult<u64> {
        let (title, description) =
            validate_pub_fields(&n.title, &n.description, n.price, n.closes)?;
        let photo = n
            .photo
            .as_deref()
            .map(super::photos::prepare)
            .transpose()
            .on(Field::Photo)?;
        self.write_with_photo(photo.as_ref(), |tx| {
            let u = current(tx, s)?;
            let d = Draft {
                category: n.category,
                title: title.clone(),
                description: description.clone(),
                price: n.price,
                kind: n.kind,
                closes_ms: end_of_day_ms(n.closes),
                photo: photo.as_ref().map_or([0; 32], |p| p.id),
            };
            Ok(publish_in_tx(tx, &u, &d, now_ms())?.id)
        })
    }

    /// Publication `id` as a visitor sees it (no buyer, no commission).
    pub fn publication(&self, id: u64) -> DResult<PublicationView> {
        self.publication_as(None, id)
    }

    /// Publication `id` as `viewer` sees it: its seller, its buyer and the administrator also
    /// see who bought it and the commission.
    pub fn publication_as(&self, viewer: Option<&Session>, id: u64) -> DResult<PublicationView> {
        self.read(|tx| {
            let p = load_pub(tx, id)?;
            let party = match viewer {
                Some(s) => {
                    let u = current(tx, s)?;
                    u.is_admin() || u.id == p.seller || (p.buyer != 0 && u.id == p.buyer)
                }
                None => false,
            };
            let ctx = Ctx::load(tx)?;
            view(tx, &ctx, &p, party)
        })
    }

    /// The ratings the seller of a publication received.
    pub fn seller_rating(&self, seller_id: u64) -> DResult<RatingSummary> {
        self.read(|tx| seller_rating(tx, seller_id))
    }

    pub fn edit_publication(&self, s: &Session, id: u64, c: PublicationChanges) -> DResult<()> {
        let photo = c
            .photo
            .as_deref()
            .map(super::photos::prepare)
            .transpose()
            .on(Field::Photo)?;
        self.write_with_photo(photo.as_ref(), |tx| {
            let u = current(tx, s)?;
            let mut p = load_pub(tx, id)?;
            may_edit(Some(Actor::from(&u)), &Listing::of_record(&p, now_ms()))?;
            let closes = c.closes.unwrap_or_else(|| {
                chrono::DateTime::from_timestamp_millis(p.closes_ms)
                    .map(|d| d.with_timezone(&Local).date_naive())
                    .unwrap_or_default()
            });
            let (title, description) = validate_pub_fields(
                c.title.as_deref().unwrap_or(&p.title),
                c.description.as_deref().unwrap_or(&p.description),
                c.price.unwrap_or(p.price),
                closes,
            )?;
            if let Some(cat) = c.category
                && cat != p.category
            {
                if CATEGORIES.get(tx, cat)?.is_none() {
                    return not_found(format!("no existe la categoría {cat}")).on(Field::Category);
                }
                BY_CATEGORY.remove(tx, p.category, id - 1)?;
                BY_CATEGORY.insert(tx, cat, id - 1)?;
                p.category = cat;
            }
            p.title = title.into();
            p.description = description.into();
            p.price = c.price.unwrap_or(p.price);
            p.kind = c.kind.unwrap_or(p.kind);
            p.closes_ms = end_of_day_ms(closes);
            if let Some(ph) = &photo {
                p.photo = ph.id;
            }
            p.updated_ms = now_ms();
            store_pub(tx, &p)?;
            tx.log_event(&u.email, "modificación-publicación", &id.to_string())?;
            Ok(())
        })
    }

    fn change_state(
        &self,
        s: &Session,
        id: u64,
        rule: fn(Option<Actor>, &Listing) -> Permission,
        to: PubState,
        op: &str,
    ) -> DResult<()> {
        self.write(|tx| {
            let u = current(tx, s)?;
            change_state_in_tx(tx, &u, id, rule, to, op, now_ms())
        })
    }

    pub fn pause(&self, s: &Session, id: u64) -> DResult<()> {
        self.change_state(s, id, may_pause, PubState::Paused, "pausar")
    }
    pub fn resume(&self, s: &Session, id: u64) -> DResult<()> {
        self.change_state(s, id, may_resume, PubState::Published, "reanudar")
    }
    pub fn cancel(&self, s: &Session, id: u64) -> DResult<()> {
        self.change_state(s, id, may_cancel, PubState::Cancelled, "anular")
    }

    /// The seller's own publications, newest first, with buyer, rating and commission.
    pub fn my_publications(&self, s: &Session) -> DResult<Vec<PublicationView>> {
        self.read(|tx| {
            let u = current(tx, s)?;
            Self::publications_of_seller(tx, u.id)
        })
    }

    pub(crate) fn publications_of_seller(
        tx: &mut impl Tx,
        seller: u64,
    ) -> DResult<Vec<PublicationView>> {
        let ctx = Ctx::load(tx)?;
        let pubs = {
            let ps = BY_SELLER.find(tx, seller)?;
            pubs_at(tx, ps)?
        };
        let mut out = pubs
            .iter()
            .map(|p| view(tx, &ctx, p, true))
            .collect::<DResult<Vec<_>>>()?;
        out.sort_by_key(|v| std::cmp::Reverse(v.id));
        Ok(out)
    }

    /// Waits until the share's change counter differs from `since` (reading it every `every`:
    /// one small read each time nothing changed); returns the new counter. The console's live
    /// view (`explorar --seguir`) uses it.
    pub fn wait_for_change(&self, since: u64, every: std::time::Duration) -> DResult<u64> {
        loop {
            let c = self.change_counter()?;
            if c != since {
                return Ok(c);
            }
            std::thread::sleep(every);
        }
    }

    /// The ids of one page of the listings for sale matching `f` (in its order, from
    /// position `offset`, at most `limit`) and how many match in all: the index nodes alone,
    /// no listing or seller read (a saved search counts its new results with it).
    pub fn browse_ids(
        &self,
        f: &BrowseFilter,
        offset: u64,
        limit: usize,
    ) -> DResult<(Vec<u64>, u64)> {
        self.read(|tx| {
            let (positions, total) = page_positions(tx, f, offset, limit, now_ms())?;
            Ok((positions.into_iter().map(|p| p + 1).collect(), total))
        })
    }

    /// Every listing for sale matching `f`, in its order (one page as long as the result).
    pub fn browse(&self, f: &BrowseFilter) -> DResult<Vec<PublicationView>> {
        Ok(self.browse_page(f, 0, usize::MAX)?.items)
    }

    /// One page of the listings for sale (published, not expired) matching `f`, in its order,
    /// from position `offset`, at most `limit`, with the total that match. Reads index nodes
    /// (about log n per page, plus the page's own) and the page's records in few large reads.
    pub fn browse_page(&self, f: &BrowseFilter, offset: u64, limit: usize) -> DResult<Page> {
        self.read(|tx| {
            // The categories first (one read of their small file): the filter's is looked up
            // among them rather than by a walk of the list (a read per category).
            let mut ctx = Ctx::load(tx)?;
            if let Some(c) = f.category
                && !ctx.cats.contains_key(&c)
            {
                return not_found(format!("no existe la categoría {c}"));
            }
            let now = now_ms();
            let (positions, total) = page_positions(tx, f, offset, limit, now)?;
            prefetch_positions(tx, PUBS_DAT, positions.iter().copied())?;
            let pubs = positions
                .iter()
                .map(|&pos| self.memo.publication(tx, pos))
                .collect::<DResult<Vec<_>>>()?;
            ctx.now = now;
            self.memo
                .lend_users(tx, &ctx, pubs.iter().map(|p| p.seller))?;
            ctx.prefetch_users(tx, pubs.iter().map(|p| p.seller))?;
            let items = pubs
                .iter()
                .map(|p| view(tx, &ctx, p, false))
                .collect::<DResult<Vec<_>>>()?;
            self.memo.keep_users(tx, &ctx)?;
            Ok(Page {
                items,
                total,
                offset,
                limit: limit.min(u64::MAX as usize) as u64,
            })
        })
    }
}

/// The positions of one page of listings for sale matching `f` and the total: through the
/// indexes, or by a scan on a share that has none yet.
fn page_positions(
    tx: &mut impl Tx,
    f: &BrowseFilter,
    offset: u64,
    limit: usize,
    now: i64,
) -> DResult<(Vec<u64>, u64)> {
    if super::index::present(tx)? {
        super::index::page(tx, f, offset, limit, now)
    } else {
        super::index::page_by_scan(tx, f, offset, limit, now)
    }
}

/// Publications of a category in every state: a rank difference in the census of
/// ORDENES.IDX (a share without it walks NTX_2's range).
fn publications_in_category(tx: &mut impl Tx, key: u64) -> DResult<u64> {
    if super::index::present(tx)? {
        super::index::census(tx, key)
    } else {
        Ok(BY_CATEGORY.find(tx, key)?.len() as u64)
    }
}
