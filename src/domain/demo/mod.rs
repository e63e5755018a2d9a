//! Generated data: the administrator's bulk generator of testimonial conversations (the spec's
//! two fixed messages) and the demo: a whole believable shop from a seed — users all over the
//! country with their area codes and a profile picture, listings whose titles, descriptions,
//! conditions, prices and pictures fit their category, public questions (most answered),
//! sales and ratings with comments spread over the past months, commissions collected, news,
//! favourites and saved searches. Every change goes through the same in-transaction
//! operations as the program's (publishing, asking, answering, buying, rating, collecting),
//! with the time each happened, so the rules and the indexes are the real ones.
//!
//! The same seed gives the same shop (names, texts, prices, pictures); times are relative to
//! the moment it is generated.

pub mod draw;
pub mod embedded;
pub mod items;
pub mod pictures;

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::blocks::block_publication_in_tx;
use super::catalog::{Draft, change_state_in_tx, datetime_of_ms, publish_in_tx};
use super::commissions::collect_in_tx;
use super::market::*;
use super::permissions::{may_cancel, may_pause};
use super::records::*;
use super::saved_searches::SearchSpec;
use super::trade::{ask_checked_in_tx, ask_in_tx, buy_in_tx, deposit_in_tx, rate_in_tx};
use super::{DResult, DomainError, Market, conflict, invalid, password};
use crate::storage::ident::now_ms;
use crate::storage::{Tx, WriteTx};
use items::{ITEMS, ItemType};
use pictures::Look;

/// A small deterministic generator (SplitMix64).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
    /// True with probability `pct` %.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i64
    }
}

pub const DEMO_PASSWORD: &str = "demo1234";

const MINUTE: i64 = 60_000;
/// Above this many listings, the demo draws a bounded set of pictures.
const BIG: u64 = 2000;
/// Above this many listings, `demo_with` makes a bulk share (see [`Market::demo_bulk`]).
pub const BULK_FROM: u64 = 20_000;
/// In a bulk share, about this many listings get a story (questions, a sale, a rating) and
/// this many users favourites and saved searches.
const STORY_LISTINGS: u64 = 600;
const STORY_USERS: u64 = 200;
/// Operations per write transaction in a bulk share: a publication dirties its data slot, a
/// few index nodes and an event (~1.5 KB of journal), so a transaction journals a few MB.
pub const BULK_OPS_PER_TX: usize = 4000;
/// In a bulk share, the terminal's cache is emptied every this many write transactions.
const BULK_TX_PER_CACHE: u64 = 16;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DemoSummary {
    pub users: u64,
    pub publications: u64,
    /// Questions asked (each in the conversation of its buyer).
    pub conversations: u64,
    pub answers: u64,
    pub sales: u64,
    pub ratings: u64,
    /// Distinct pictures drawn (listings and profiles).
    pub photos: u64,
    pub favourites: u64,
    pub saved_searches: u64,
}

/// How far a demo has got, for a progress line: `done` of `total` in `stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoProgress {
    pub stage: &'static str,
    pub done: u64,
    pub total: u64,
}

/// What `demo` generates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOptions {
    pub users: u64,
    pub publications: u64,
    pub seed: u64,
    /// Draw pictures for listings and users (a few milliseconds each).
    pub photos: bool,
}

impl Market {
    /// Adds testimonial conversations between publication `id` and `users` existing users
    /// chosen at random (the spec's fixed messages). Administrator only.
    pub fn bulk_conversations(
        &self,
        s: &Session,
        id: u64,
        users: u64,
        seed: Option<u64>,
    ) -> DResult<u64> {
        if users == 0 {
            return invalid("indique cuántos usuarios (al menos 1)");
        }
        let mut rng = Rng(seed.unwrap_or_else(|| now_ms() as u64));
        self.write(|tx| {
            let admin = current_admin(tx, s)?;
            let p = load_pub(tx, id)?;
            let all = users_by_id(tx)?;
            let Some(seller) = all.get(&p.seller).cloned() else {
                return conflict("quien vende la publicación ya no tiene cuenta");
            };
            let mut candidates: Vec<User> = all
                .into_values()
                .filter(|u| u.id != p.seller && !u.is_admin())
                .collect();
            candidates.sort_by_key(|u| u.id);
            if candidates.is_empty() {
                return conflict("no hay otros usuarios para conversar");
            }
            let n = users.min(candidates.len() as u64);
            // A random sample without repetition (partial Fisher-Yates).
            for i in 0..n as usize {
                let j = i + rng.below((candidates.len() - i) as u64) as usize;
                candidates.swap(i, j);
            }
            let now = now_ms();
            for buyer in &candidates[..n as usize] {
                let q = format!(
                    "Hola. Me llamo {} - Fecha: {}",
                    buyer.name,
                    datetime_of_ms(now)
                );
                let a = format!("Gracias. Me llamo {} - Vendo {}", seller.name, p.title);
                ask_in_tx(tx, buyer, &p, &q, Some(&a), now)?;
            }
            tx.log_event(
                &admin.email,
                "conversaciones-masivas",
                &format!("publicación {id}, {n} usuarios"),
            )?;
            Ok(n)
        })
    }
}

// ---- the plan -----------------------------------------------------------------------------------

struct PlannedUser {
    first: &'static str,
    last: &'static str,
    province: u8,
    city: &'static str,
    address: String,
    phone: String,
    created_ms: i64,
    avatar: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    ForSale,
    Sold,
    Paused,
    Cancelled,
    Expired,
}

struct PlannedPub {
    item: usize,
    seller: usize,
    title: String,
    description: String,
    price: i64,
    kind: Kind,
    fate: Fate,
    published_ms: i64,
    closes_ms: i64,
    colour: usize,
    layouts: Vec<u64>,
    /// A later price change (new price), shown in favourites.
    new_price: Option<i64>,
    blocked: bool,
}

/// One thing that happens, at a time.
#[derive(Debug, Clone)]
enum Act {
    Publish(usize),
    Ask {
        publication: usize,
        asker: usize,
        text: String,
        key: usize,
    },
    Answer {
        key: usize,
        text: String,
    },
    Buy {
        publication: usize,
        buyer: usize,
    },
    Rate {
        publication: usize,
        rating: Rating,
        comment: String,
    },
    Collect,
    Favourite {
        user: usize,
        publication: usize,
    },
    SaveSearch {
        user: usize,
        spec: SearchSpec,
    },
}

/// Cities and area codes of province `p`.
fn city_of(rng: &mut Rng, p: u8) -> (&'static str, &'static str) {
    *rng.pick(items::CITIES[p as usize])
}

/// A mobile number with the area code of the city: `+54 9 351 412-3456`.
fn phone(rng: &mut Rng, area: &str) -> String {
    let local_len = 10 - area.len();
    let n = rng.below(10u64.pow(local_len as u32 - 1) * 9) + 10u64.pow(local_len as u32 - 1) * 1;
    let digits = n.to_string();
    let split = digits.len() - 4;
    format!("+54 9 {area} {}-{}", &digits[..split], &digits[split..])
}

fn weighted_province(rng: &mut Rng) -> u8 {
    let total: u64 = items::PROVINCE_WEIGHT.iter().sum();
    let mut x = rng.below(total);
    for (i, w) in items::PROVINCE_WEIGHT.iter().enumerate() {
        if x < *w {
            return i as u8;
        }
        x -= w;
    }
    0
}

/// A price that looks like one: rounded to 500 or 1.000 pesos, sometimes one peso less.
fn round_price(rng: &mut Rng, pesos: i64) -> i64 {
    let step = if pesos >= 100_000 { 1_000 } else { 500 };
    let mut p = (pesos / step).max(1) * step;
    if rng.chance(20) {
        p -= 1;
    }
    p * 100
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn plan_listing(
    rng: &mut Rng,
    item: usize,
    seller: usize,
    city: &str,
    now: i64,
    big: bool,
) -> PlannedPub {
    let it: &ItemType = &ITEMS[item];
    let kind = if rng.chance(it.new_pct) {
        Kind::New
    } else {
        Kind::Used
    };
    let model = *rng.pick(it.models);
    let cond = match kind {
        Kind::New => *rng.pick(&items::NEW_TITLE),
        Kind::Used => *rng.pick(&items::USED_TITLE),
    };
    let mut title = format!("{} {} {}", it.noun, model, it.agree(cond));
    if title.len() > TITLE_LEN {
        title = format!("{} {}", it.noun, model);
    }
    let detail = *rng.pick(it.details);
    let second = if it.details.len() > 1 && rng.chance(60) {
        let d2 = *rng.pick(it.details);
        if d2 != detail {
            format!(" {d2}")
        } else {
            String::new()
        }
    } else {
        String::new()
    };
    let state_txt = match kind {
        Kind::New => it.agree(*rng.pick(&items::NEW_TEXT)),
        Kind::Used => it.agree(*rng.pick(&items::USED_TEXT)),
    };
    let delivery = rng.pick(&items::DELIVERY_TEXT).replace("{city}", city);
    let description = format!(
        "{}. {detail}{second} {state_txt} {delivery}",
        capitalise(&format!("{} {}", it.noun, model)),
    );
    let (lo, hi) = it.price;
    let new_price = rng.range(lo, hi);
    let pesos = match kind {
        Kind::New => new_price,
        Kind::Used => new_price * rng.range(45, 80) / 100,
    };
    let price = round_price(rng, pesos);
    let fate = match rng.below(100) {
        0..62 => Fate::ForSale,
        62..86 => Fate::Sold,
        86..90 => Fate::Paused,
        90..93 => Fate::Cancelled,
        _ => Fate::Expired,
    };
    let jitter = rng.range(0, DAY - 1);
    let (published_ms, closes_ms) = match fate {
        Fate::ForSale => {
            let p = now - rng.range(0, 45) * DAY - jitter;
            let mut c = p + rng.range(45, 120) * DAY;
            if c < now + 3 * DAY {
                c = now + rng.range(3, 40) * DAY;
            }
            (p, c)
        }
        Fate::Sold => {
            let p = now - rng.range(20, 330) * DAY - jitter;
            (p, p + 90 * DAY)
        }
        Fate::Paused | Fate::Cancelled => {
            let p = now - rng.range(3, 60) * DAY - jitter;
            (p, p + rng.range(70, 120) * DAY)
        }
        Fate::Expired => {
            let p = now - rng.range(100, 250) * DAY - jitter;
            (p, p + rng.range(30, 60) * DAY)
        }
    };
    // Big shops reuse a few pictures per kind of article (each one is drawn once).
    let (n_photos, first) = if big {
        (1, rng.below(2))
    } else {
        let n = match rng.below(10) {
            0..5 => 1,
            5..8 => 2,
            _ => 3,
        };
        (n, rng.below(8))
    };
    let layouts: Vec<u64> = (0..n_photos).map(|k| (first + k * 3) % 8).collect();
    PlannedPub {
        item,
        seller,
        title,
        description,
        price,
        kind,
        fate,
        published_ms,
        closes_ms,
        colour: rng.below(it.colours.len() as u64) as usize,
        layouts,
        new_price: None,
        blocked: false,
    }
}

/// The pictures to draw: (item, colour, layout) → Look, and the avatars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum PicKey {
    Item(usize, usize, u64),
    Avatar(u64),
}

fn draw(key: PicKey, seed: u64) -> Vec<u8> {
    match key {
        PicKey::Item(item, colour, layout) => {
            let it = &ITEMS[item];
            let (m, a) = it.colours[colour];
            let look = Look {
                main: draw::Rgb::hex(m),
                accent: draw::Rgb::hex(a),
                seed: seed ^ (item as u64 * 1_000_003 + colour as u64 * 7_919 + layout * 104_729),
            };
            pictures::photo(it.pic, &look)
        }
        PicKey::Avatar(n) => pictures::avatar(seed ^ (n * 2_654_435_761)),
    }
}

/// Draws and prepares every picture on as many threads as there are cores, then stores them
/// in write transactions of a few dozen each (the records that name them come after).
fn draw_all(
    m: &Market,
    keys: Vec<PicKey>,
    seed: u64,
    progress: &mut dyn FnMut(DemoProgress),
) -> DResult<HashMap<PicKey, PhotoId>> {
    let total = keys.len() as u64;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let chunks: Vec<Vec<PicKey>> = (0..threads)
        .map(|t| keys.iter().copied().skip(t).step_by(threads).collect())
        .collect();
    type Drawn = Vec<(PicKey, super::photos::PreparedPhoto)>;
    let results: Vec<DResult<Drawn>> = std::thread::scope(|sc| {
        let handles: Vec<_> = chunks
            .into_iter()
            .enumerate()
            .map(|(i, chunk)| {
                std::thread::Builder::new()
                    .name(format!("demo-dibujos-{i}"))
                    .spawn_scoped(sc, move || {
                        chunk
                            .into_iter()
                            .map(|k| Ok((k, super::photos::prepare(&draw(k, seed))?)))
                            .collect::<DResult<Vec<_>>>()
                    })
                    .expect("thread")
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| invalid("un dibujo de la demostración falló"))
            })
            .collect()
    });
    let mut out = HashMap::new();
    for r in results {
        let drawn = r?;
        for batch in drawn.chunks(40) {
            let photos: Vec<_> = batch.iter().map(|(_, p)| p.clone()).collect();
            m.write_with_photos(&photos, |_| Ok(()))?;
            out.extend(batch.iter().map(|(k, p)| (*k, p.id)));
            progress(DemoProgress {
                stage: "fotos",
                done: out.len() as u64,
                total,
            });
        }
    }
    Ok(out)
}

fn answer_for(it: &ItemType, kind: Kind, q: usize) -> (String, String) {
    let _ = it;
    let (qq, used, new) = items::COMMON_QUESTIONS[q];
    (
        qq.to_string(),
        match kind {
            Kind::Used => used.to_string(),
            Kind::New => new.to_string(),
        },
    )
}

impl Market {
    /// Fills the share with a generated shop (fixed seed: the same numbers give the same
    /// shop), pictures included. Demo users' password is "demo1234".
    pub fn demo(&self, users: u64, publications: u64, seed: u64) -> DResult<DemoSummary> {
        self.demo_with(&DemoOptions {
            users,
            publications,
            seed,
            photos: true,
        })
    }

    /// The demo `o` asks for: the whole shop up to [`BULK_FROM`] listings, a bulk share above.
    pub fn demo_with(&self, o: &DemoOptions) -> DResult<DemoSummary> {
        self.demo_progress(o, &mut |_| {})
    }

    /// [`Market::demo_with`], telling `progress` how far it has got.
    pub fn demo_progress(
        &self,
        o: &DemoOptions,
        progress: &mut dyn FnMut(DemoProgress),
    ) -> DResult<DemoSummary> {
        let bulk = o.publications > BULK_FROM;
        self.generate(o, bulk, bulk, progress)
    }

    /// A big share made quickly, for scale tests and benchmarks: the same users and listings
    /// as the demo (same seed, same plan), every listing published through `publish_in_tx` in
    /// write transactions of [`BULK_OPS_PER_TX`] operations (so NTX_1/NTX_2, saved searches
    /// and events are kept by the program's own code), pictures shared (a few hundred drawn,
    /// or none), and the rest of the shop (questions, sales, ratings, favourites, saved
    /// searches) only for a bounded sample of listings and users, so the cost grows with the
    /// listings alone. Explorar's indexes (ORDENES.IDX, PALABRAS.IDX) are not kept change by
    /// change ([`super::index::Deferred`]) but built at the end from PUBLICADOS.DAT as packed
    /// B+ trees, in transactions of [`super::index::BULK_NODES_PER_TX`] nodes
    /// ([`super::index::bulk_build`]): the same entries, without ~45 index inserts per listing.
    /// For a new share: until it ends, Explorar on the share shows nothing (a run cut off
    /// there is reported by `check` and mended by `reparar`).
    pub fn demo_bulk(
        &self,
        o: &DemoOptions,
        progress: &mut dyn FnMut(DemoProgress),
    ) -> DResult<DemoSummary> {
        self.generate(o, true, true, progress)
    }

    /// `defer_indexes`: build ORDENES/PALABRAS once at the end (bulk) instead of keeping them
    /// change by change (the tests compare both).
    fn generate(
        &self,
        o: &DemoOptions,
        bulk: bool,
        defer_indexes: bool,
        progress: &mut dyn FnMut(DemoProgress),
    ) -> DResult<DemoSummary> {
        let mut rng = Rng(o.seed);
        let now = now_ms();
        let mut sum = DemoSummary::default();
        // Which kinds of article this share's categories can hold.
        let cats: Vec<(u64, String)> = self.read(|tx| {
            Ok(CATEGORIES
                .iter(tx)?
                .into_iter()
                .map(|(k, v)| (k, Category::decode(&v).name.to_string()))
                .collect())
        })?;
        let cat_of: HashMap<&str, u64> = cats.iter().map(|(k, n)| (n.as_str(), *k)).collect();
        let usable: Vec<usize> = (0..ITEMS.len())
            .filter(|&i| cat_of.contains_key(ITEMS[i].category))
            .collect();
        if o.publications > 0 && (usable.is_empty() || o.users < 2) {
            return invalid(
                "la demostración necesita al menos 2 usuarios y las categorías de una carpeta nueva \
                 (Herramientas eléctricas, Instrumentos musicales, Electrónica…)",
            );
        }

        // ---- users
        let mut people = Vec::with_capacity(o.users as usize);
        for _ in 0..o.users {
            let female = rng.chance(50);
            let first = if female {
                *rng.pick(&items::FIRST_F)
            } else {
                *rng.pick(&items::FIRST_M)
            };
            let last = *rng.pick(&items::LAST);
            let province = weighted_province(&mut rng);
            let (city, area) = city_of(&mut rng, province);
            let address = format!(
                "{} {}, {}",
                rng.pick(&items::STREETS),
                rng.range(100, 4999),
                city
            );
            let phone = phone(&mut rng, area);
            people.push(PlannedUser {
                first,
                last,
                province,
                city,
                address,
                phone,
                created_ms: now - rng.range(340, 720) * DAY - rng.range(0, DAY),
                avatar: rng.below(o.users.clamp(1, 240)),
            });
        }

        // ---- listings
        let mut pubs: Vec<PlannedPub> = (0..o.publications)
            .map(|_| {
                let item = *rng.pick(&usable);
                let seller = rng.below(o.users) as usize;
                let city = people[seller].city;
                plan_listing(
                    &mut rng,
                    item,
                    seller,
                    city,
                    now,
                    bulk || o.publications > BIG,
                )
            })
            .collect();
        // Ids grow with time, as on a real share.
        pubs.sort_by_key(|p| p.published_ms);
        for p in pubs.iter_mut() {
            if p.fate == Fate::ForSale && rng.chance(6) {
                let cut = rng.range(5, 15);
                p.new_price =
                    Some(round_price(&mut rng, p.price / 100 * (100 - cut) / 100).max(100));
            }
        }
        let for_sale: Vec<usize> = (0..pubs.len())
            .filter(|&i| pubs[i].fate == Fate::ForSale)
            .collect();
        if for_sale.len() > 20 {
            for _ in 0..(for_sale.len() / 100).max(1) {
                let i = *rng.pick(&for_sale);
                pubs[i].blocked = true;
            }
        }

        // ---- what happens, with its time
        let mut acts: Vec<(i64, Act)> = Vec::new();
        let other_user = |rng: &mut Rng, not: usize| -> usize {
            let mut u = rng.below(o.users) as usize;
            if u == not {
                u = (u + 1 + rng.below(o.users - 1) as usize) % o.users as usize;
            }
            u
        };
        let mut question_keys = 0usize;
        let stride = if bulk {
            (o.publications / STORY_LISTINGS).max(1) as usize
        } else {
            1
        };
        let story_users = if bulk {
            o.users.min(STORY_USERS)
        } else {
            o.users
        } as usize;
        for (i, p) in pubs.iter().enumerate() {
            acts.push((p.published_ms, Act::Publish(i)));
            if i % stride != 0 {
                continue;
            }
            let it = &ITEMS[p.item];
            let end = match p.fate {
                Fate::Sold => p.published_ms + rng.range(1, 30) * DAY + rng.range(0, DAY),
                Fate::Expired => p.closes_ms,
                _ => now - 10 * MINUTE,
            }
            .min(now - 10 * MINUTE);
            let n_q = match rng.below(100) {
                0..35 => 0,
                35..65 => 1,
                65..85 => 2,
                85..95 => 3,
                _ => 4,
            };
            let mut asked: HashSet<usize> = HashSet::new();
            for _ in 0..n_q {
                let asker = other_user(&mut rng, p.seller);
                let at = p.published_ms + rng.range(0, (end - p.published_ms).max(1));
                let (text, answer) = if !it.questions.is_empty() && rng.chance(45) {
                    let (q, a) = *rng.pick(it.questions);
                    (q.to_string(), a.to_string())
                } else {
                    let mut q = rng.below(items::COMMON_QUESTIONS.len() as u64) as usize;
                    while asked.contains(&q) {
                        q = (q + 1) % items::COMMON_QUESTIONS.len();
                    }
                    asked.insert(q);
                    let (t, a) = answer_for(it, p.kind, q);
                    let (city, _) = city_of(&mut rng, people[asker].province);
                    (
                        t.replace("{city}", city.split(',').next().unwrap_or(city)),
                        a,
                    )
                };
                let key = question_keys;
                question_keys += 1;
                acts.push((
                    at,
                    Act::Ask {
                        publication: i,
                        asker,
                        text,
                        key,
                    },
                ));
                let old = now - at > 2 * DAY;
                if rng.chance(if old { 88 } else { 45 }) {
                    let ans_at = (at + rng.range(10 * MINUTE, 30 * HOUR)).min(now - MINUTE);
                    if p.fate != Fate::Sold || ans_at < end {
                        acts.push((ans_at, Act::Answer { key, text: answer }));
                    }
                }
                if rng.chance(15) {
                    let (fq, fa) = *rng.pick(&items::FOLLOW_UPS);
                    let at2 = (at + rng.range(HOUR, 3 * DAY))
                        .min(end - MINUTE)
                        .max(at + 1);
                    let key2 = question_keys;
                    question_keys += 1;
                    acts.push((
                        at2,
                        Act::Ask {
                            publication: i,
                            asker,
                            text: fq.into(),
                            key: key2,
                        },
                    ));
                    if now - at2 > DAY && rng.chance(80) {
                        acts.push((
                            (at2 + rng.range(30 * MINUTE, 20 * HOUR)).min(now - MINUTE),
                            Act::Answer {
                                key: key2,
                                text: fa.into(),
                            },
                        ));
                    }
                }
            }
            if p.fate == Fate::Sold {
                let buyer = other_user(&mut rng, p.seller);
                acts.push((
                    end,
                    Act::Buy {
                        publication: i,
                        buyer,
                    },
                ));
                if rng.chance(85) {
                    let at = (end + rng.range(HOUR, 10 * DAY)).min(now - MINUTE);
                    let (rating, comment) = match rng.below(100) {
                        0..82 => (Rating::Recommend, *rng.pick(&items::COMMENTS_GOOD)),
                        82..94 => (Rating::Neutral, *rng.pick(&items::COMMENTS_NEUTRAL)),
                        _ => (Rating::NotRecommend, *rng.pick(&items::COMMENTS_BAD)),
                    };
                    acts.push((
                        at,
                        Act::Rate {
                            publication: i,
                            rating,
                            comment: comment.into(),
                        },
                    ));
                }
            }
        }
        // The administration collects commissions once a month.
        for k in (1..=11).rev() {
            acts.push((now - k * 30 * DAY + 9 * HOUR, Act::Collect));
        }
        // Favourites: listings for sale people follow.
        if !for_sale.is_empty() {
            for u in 0..story_users {
                for _ in 0..rng.below(5) {
                    let i = *rng.pick(&for_sale);
                    if pubs[i].seller != u {
                        let at = pubs[i].published_ms
                            + rng.range(HOUR, (now - pubs[i].published_ms).max(HOUR + 1));
                        acts.push((
                            at.min(now - MINUTE),
                            Act::Favourite {
                                user: u,
                                publication: i,
                            },
                        ));
                    }
                }
            }
        }
        // Saved searches: a word of what someone wants (sometimes in plural), maybe a category.
        for u in 0..story_users {
            if !rng.chance(25) {
                continue;
            }
            let item = *rng.pick(&usable);
            let it = &ITEMS[item];
            let word =
                crate::domain::catalog::fold(it.noun.split_whitespace().next().unwrap_or(it.noun));
            let word = if rng.chance(40) && !word.ends_with('s') {
                if word.ends_with(['a', 'e', 'o']) {
                    format!("{word}s")
                } else {
                    format!("{word}es")
                }
            } else {
                word
            };
            let spec = SearchSpec {
                category: rng.chance(50).then(|| cat_of[it.category]),
                kind: if rng.chance(25) {
                    Some(Kind::Used)
                } else {
                    None
                },
                province: None,
                min_price: None,
                max_price: rng.chance(30).then(|| it.price.1 * 100),
                words: word,
            };
            // In a bulk share the searches are saved after the listings are published: each
            // publication is matched against every saved search.
            let at = if bulk {
                now
            } else {
                now - rng.range(20, 90) * DAY
            };
            acts.push((at, Act::SaveSearch { user: u, spec }));
        }
        acts.sort_by_key(|(t, _)| *t);
        progress(DemoProgress {
            stage: "plan",
            done: acts.len() as u64,
            total: acts.len() as u64,
        });

        // ---- pictures
        let mut photo_of: HashMap<PicKey, PhotoId> = HashMap::new();
        if o.photos {
            let mut keys: Vec<PicKey> = Vec::new();
            let mut seen = HashSet::new();
            for p in &pubs {
                for l in &p.layouts {
                    let k = PicKey::Item(p.item, p.colour, *l);
                    if seen.insert(k) {
                        keys.push(k);
                    }
                }
            }
            for u in &people {
                let k = PicKey::Avatar(u.avatar);
                if seen.insert(k) {
                    keys.push(k);
                }
            }
            sum.photos = keys.len() as u64;
            photo_of = draw_all(self, keys, o.seed, progress)?;
        }

        // ---- users on the share
        let salt = password::salt();
        let rounds = password::rounds();
        let hash = password::hash(DEMO_PASSWORD, &salt, rounds);
        // The records as written: publishing reads nothing of its seller that changes later.
        let mut made_users: Vec<User> = Vec::with_capacity(people.len());
        let user_batch = if bulk { BULK_OPS_PER_TX } else { 2000 };
        for chunk in people.chunks(user_batch) {
            let made = self.write(|tx| {
                let mut made = Vec::new();
                for pu in chunk {
                    let id = USERS.next_id(tx)?;
                    let email = format!(
                        "{}.{}{}@demo.com.ar",
                        super::catalog::fold(pu.first),
                        super::catalog::fold(pu.last).replace(' ', ""),
                        id
                    );
                    let u = User {
                        email: email.as_str().into(),
                        id,
                        rounds,
                        salt,
                        hash,
                        name: format!("{}, {}", pu.last, pu.first).into(),
                        address: pu.address.clone(),
                        province: pu.province,
                        flags: 0,
                        phone: pu.phone.clone(),
                        created_ms: pu.created_ms,
                        last_login_ms: 0,
                        last_seen_ms: 0,
                        balance: 0,
                        photo: photo_of
                            .get(&PicKey::Avatar(pu.avatar))
                            .copied()
                            .unwrap_or([0; 32]),
                    };
                    if USERS.insert(tx, email.as_bytes(), &u.encode())?.is_none() {
                        return conflict(format!("el email {email} ya existe"));
                    }
                    made.push(u);
                }
                tx.log_event("", "demo-usuarios", &format!("{} usuarios", chunk.len()))?;
                Ok(made)
            })?;
            sum.users += made.len() as u64;
            made_users.extend(made);
            progress(DemoProgress {
                stage: "usuarios",
                done: sum.users,
                total: o.users,
            });
        }

        // ---- the timeline, in transactions of a few hundred acts (thousands in bulk). In bulk,
        // Explorar's indexes (ORDENES/PALABRAS) are built once at the end instead of kept by
        // each change: ~45 ranked-AVL inserts per listing otherwise (see `index::Deferred`).
        let deferred = defer_indexes.then(super::index::Deferred::begin);
        let mut pub_ids: Vec<u64> = vec![0; pubs.len()];
        let mut questions: HashMap<usize, (u64, u64, u64)> = HashMap::new();
        let mut sales: HashMap<usize, u64> = HashMap::new();
        let admin_email = ADMIN_EMAIL;
        let acts_per_tx = if bulk { BULK_OPS_PER_TX } else { 400 };
        let mut done = 0u64;
        for chunk in acts.chunks(acts_per_tx) {
            self.write(|tx| {
                let admin = user_by_email(tx, admin_email).ok();
                for (at, act) in chunk {
                    let at = *at;
                    let r = apply(
                        tx,
                        at,
                        act,
                        &pubs,
                        &made_users,
                        &mut pub_ids,
                        &mut questions,
                        &mut sales,
                        &photo_of,
                        &cat_of,
                        admin.as_ref(),
                        &mut sum,
                    );
                    match r {
                        Ok(()) => {}
                        // A generated act the rules refuse (a listing sold before a late
                        // favourite, say) is left out, as a user would have been refused.
                        Err(
                            DomainError::Conflict(_)
                            | DomainError::Denied(_)
                            | DomainError::NotFound(_),
                        ) => {}
                        Err(e) => return Err(e),
                    }
                }
                tx.log_event("", "demo", &format!("{} acciones", chunk.len()))?;
                Ok(())
            })?;
            done += chunk.len() as u64;
            progress(DemoProgress {
                stage: "publicaciones y actividad",
                done,
                total: acts.len() as u64,
            });
            // The terminal's cache keeps every slot written: in bulk, let it go now and then
            // (a million listings are 768 MB of records alone).
            if bulk && (done / acts_per_tx as u64).is_multiple_of(BULK_TX_PER_CACHE) {
                self.share().drop_cache();
            }
        }

        // ---- what happened lately: paused, cancelled, repriced, blocked
        let mut done = 0u64;
        let planned: Vec<usize> = (0..pubs.len())
            .filter(|&i| {
                let p = &pubs[i];
                pub_ids[i] != 0
                    && (matches!(p.fate, Fate::Paused | Fate::Cancelled)
                        || p.blocked
                        || (!bulk && p.new_price.is_some()))
            })
            .collect();
        for chunk in planned.chunks(acts_per_tx) {
            self.write(|tx| {
                let admin = user_by_email(tx, admin_email).ok();
                for &i in chunk {
                    let p = &pubs[i];
                    let id = pub_ids[i];
                    let pb = load_pub(tx, id)?;
                    if pb.state != PubState::Published {
                        continue;
                    }
                    let at = now - rng.range(HOUR, 3 * DAY);
                    let seller = &made_users[p.seller];
                    match p.fate {
                        Fate::Paused => change_state_in_tx(
                            tx,
                            seller,
                            id,
                            may_pause,
                            PubState::Paused,
                            "pausar",
                            at,
                        )?,
                        Fate::Cancelled => change_state_in_tx(
                            tx,
                            seller,
                            id,
                            may_cancel,
                            PubState::Cancelled,
                            "anular",
                            at,
                        )?,
                        _ => {
                            if let Some(np) = p.new_price.filter(|_| !bulk) {
                                let mut pb = pb;
                                pb.price = np;
                                pb.updated_ms = at;
                                store_pub(tx, &pb)?;
                            }
                        }
                    }
                    if p.blocked
                        && let Some(a) = &admin
                    {
                        block_publication_in_tx(
                            tx,
                            a,
                            id,
                            true,
                            "Fotos o descripción que no corresponden al artículo.",
                            now - rng.range(HOUR, 2 * DAY),
                        )?;
                    }
                }
                tx.log_event("", "demo", "pausas, bajas, precios y bloqueos")?;
                Ok(())
            })?;
            done += chunk.len() as u64;
            progress(DemoProgress {
                stage: "pausas, bajas y bloqueos",
                done,
                total: planned.len() as u64,
            });
        }

        // ---- time passed: listings that closed since they were published leave Explorar's
        // indexes (each write transaction sweeps a few; here all of them at once). In bulk the
        // indexes are built now, from the listings as they are (the closed ones left out).
        if let Some(d) = deferred {
            drop(d);
            super::index::bulk_build(self, &mut |done, total| {
                progress(DemoProgress {
                    stage: "índices de Explorar",
                    done,
                    total,
                })
            })?;
            return Ok(sum);
        }
        let closed = (0..pubs.len())
            .filter(|&i| pub_ids[i] != 0 && pubs[i].closes_ms < now)
            .count();
        let sweeps = closed.div_ceil(acts_per_tx) + 1;
        for k in 0..sweeps {
            self.write(|tx| {
                super::index::sweep_expired(tx, now_ms(), acts_per_tx)?;
                tx.log_event("", "demo", "publicaciones vencidas")?;
                Ok(())
            })?;
            progress(DemoProgress {
                stage: "vencidas",
                done: (k + 1) as u64,
                total: sweeps as u64,
            });
        }
        Ok(sum)
    }
}

/// The demo user with id `id` as the share has it now (found by email: one hash lookup).
fn by_id(tx: &mut WriteTx, users: &[User], id: u64) -> DResult<Option<User>> {
    match users.binary_search_by_key(&id, |u| u.id) {
        Ok(i) => find_user(tx, &users[i].email),
        Err(_) => user_by_id(tx, id),
    }
}

impl Market {
    /// Every user (by id) and every publication of the share, decoded: benchmarks copy a
    /// generated share into another database with it.
    pub fn dump_records(&self) -> DResult<(Vec<User>, Vec<Publication>)> {
        self.read(|tx| {
            let mut users: Vec<User> = users_by_id(tx)?.into_values().collect();
            users.sort_by_key(|u| u.id);
            let n = tx.slot_count(PUBS_DAT)?;
            tx.prefetch(PUBS_DAT)?;
            let mut pubs = Vec::with_capacity(n as usize);
            for id in 1..=n {
                match load_pub(tx, id) {
                    Ok(p) => pubs.push(p),
                    Err(DomainError::NotFound(_)) => {}
                    Err(e) => return Err(e),
                }
            }
            Ok((users, pubs))
        })
    }
}

#[allow(clippy::too_many_arguments)]
fn apply(
    tx: &mut WriteTx,
    at: i64,
    act: &Act,
    pubs: &[PlannedPub],
    users: &[User],
    pub_ids: &mut [u64],
    questions: &mut HashMap<usize, (u64, u64, u64)>,
    sales: &mut HashMap<usize, u64>,
    photo_of: &HashMap<PicKey, PhotoId>,
    cat_of: &HashMap<&str, u64>,
    admin: Option<&User>,
    sum: &mut DemoSummary,
) -> DResult<()> {
    // The account as it is now (balances change with sales), found by email.
    let user = |tx: &mut WriteTx, i: usize| -> DResult<User> {
        match find_user(tx, &users[i].email)? {
            Some(u) => Ok(u),
            None => super::not_found("usuario de la demostración"),
        }
    };
    match act {
        Act::Publish(i) => {
            let p = &pubs[*i];
            let it = &ITEMS[p.item];
            // Publishing changes nothing of the seller's account: the record as written.
            let seller = &users[p.seller];
            let photos: Vec<PhotoId> = p
                .layouts
                .iter()
                .filter_map(|l| photo_of.get(&PicKey::Item(p.item, p.colour, *l)).copied())
                .collect();
            let d = Draft {
                category: cat_of[it.category],
                title: p.title.clone(),
                description: p.description.clone(),
                price: p.price,
                kind: p.kind,
                closes_ms: p.closes_ms,
                photo: photos.first().copied().unwrap_or([0; 32]),
            };
            let mut pb = publish_in_tx(tx, seller, &d, at)?;
            if photos.len() > 1 {
                super::gallery::set_in_tx(tx, &mut pb, &photos)?;
            }
            pub_ids[*i] = pb.id;
            sum.publications += 1;
        }
        Act::Ask {
            publication,
            asker,
            text,
            key,
        } => {
            let id = pub_ids[*publication];
            let p = load_pub(tx, id)?;
            let u = user(tx, *asker)?;
            let n = ask_checked_in_tx(tx, &u, &p, text, at)?;
            questions.insert(*key, (id, u.id, n));
            sum.conversations += 1;
        }
        Act::Answer { key, text } => {
            let Some(&(id, asker, number)) = questions.get(key) else {
                return Ok(());
            };
            let p = load_pub(tx, id)?;
            let seller = match by_id(tx, users, p.seller)? {
                Some(u) => u,
                None => return Ok(()),
            };
            let Some(h) = MESSAGES.find(tx, id, asker)? else {
                return Ok(());
            };
            let Some(it) = MESSAGES
                .items_of(tx, &h)?
                .into_iter()
                .find(|it| it.number == number)
            else {
                return Ok(());
            };
            super::shop::answer_in_tx(tx, &seller, &p, it.pos, text, at)?;
            sum.answers += 1;
        }
        Act::Buy { publication, buyer } => {
            let id = pub_ids[*publication];
            let p = load_pub(tx, id)?;
            let b = user(tx, *buyer)?;
            if b.balance < p.price {
                let extra = (p.price - b.balance) + (at % 5) * 1_000_00;
                deposit_in_tx(tx, b, extra, at - 30 * MINUTE)?;
            }
            let b = user(tx, *buyer)?;
            let done = buy_in_tx(tx, b, id, at)?;
            sales.insert(*publication, done.sale);
            sum.sales += 1;
        }
        Act::Rate {
            publication,
            rating,
            comment,
        } => {
            let Some(&sale) = sales.get(publication) else {
                return Ok(());
            };
            let id = pub_ids[*publication];
            let p = load_pub(tx, id)?;
            let Some(b) = by_id(tx, users, p.buyer)? else {
                return Ok(());
            };
            rate_in_tx(tx, &b, sale, *rating, comment, at)?;
            sum.ratings += 1;
        }
        Act::Collect => {
            if let Some(a) = admin {
                let fresh = find_user(tx, &a.email)?.unwrap_or_else(|| a.clone());
                collect_in_tx(tx, fresh, at)?;
            }
        }
        Act::Favourite {
            user: u,
            publication,
        } => {
            let id = pub_ids[*publication];
            let p = load_pub(tx, id)?;
            let usr = user(tx, *u)?;
            if super::favourites::add_in_tx(tx, &usr, &p, at)? {
                sum.favourites += 1;
            }
        }
        Act::SaveSearch { user: u, spec } => {
            let usr = user(tx, *u)?;
            super::saved_searches::save_in_tx(tx, &usr, spec.clone(), at)?;
            sum.saved_searches += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::items::Gender;
    use super::*;
    use crate::domain::catalog::{BrowseFilter, SortOrder};
    use crate::domain::index::{ORDERS, WORDS, page_by_scan};

    use crate::test_support::scratch;

    /// Closing-time keys of ORDENES (tag 2) hold times relative to each run's clock.
    fn timeless(v: Vec<crate::me::ranked::Entry>) -> (Vec<crate::me::ranked::Entry>, Vec<u64>) {
        let (closing, rest): (Vec<_>, Vec<_>) = v.into_iter().partition(|e| e.key >> 62 == 2);
        let mut at: Vec<u64> = closing.iter().map(|e| e.pos).collect();
        at.sort_unstable();
        (rest, at)
    }

    #[test]
    fn a_bulk_share_has_the_indexes_the_listings_own_upkeep_would_leave() {
        let (da, db) = (scratch("demo-deferred"), scratch("demo-kept"));
        let fast = Market::open(&da.0, true).unwrap();
        let slow = Market::open(&db.0, true).unwrap();
        let o = DemoOptions {
            users: 150,
            publications: 2000,
            seed: 3,
            photos: false,
        };
        let sf = fast.generate(&o, true, true, &mut |_| {}).unwrap();
        let ss = slow.generate(&o, true, false, &mut |_| {}).unwrap();
        assert_eq!(sf, ss);
        assert_eq!(sf.publications, 2000);
        assert!(sf.sales > 50 && sf.conversations > 100, "{sf:?}");

        // The domain's whole check (ORDENES/PALABRAS against the entries they must hold).
        let r = fast.check().unwrap();
        assert!(r.ok, "{}", r.to_text());

        // The same listings, in the same states.
        let facts = |m: &Market| -> Vec<(u64, u64, u64, i64, PubState, String)> {
            let (_, pubs) = m.dump_records().unwrap();
            pubs.into_iter()
                .map(|p| {
                    (
                        p.id,
                        p.seller,
                        p.category,
                        p.price,
                        p.state,
                        p.title.to_string(),
                    )
                })
                .collect()
        };
        let (pf, ps) = (facts(&fast), facts(&slow));
        assert_eq!(pf.len(), 2000);
        assert_eq!(pf, ps);
        let sold = pf.iter().filter(|p| p.4 == PubState::Sold).count();
        let paused = pf.iter().filter(|p| p.4 == PubState::Paused).count();
        assert!(sold > 50 && paused > 20, "{sold} sold, {paused} paused");

        // The same index entries (closing times aside: those are relative to each clock).
        let entries = |m: &Market| m.read(|tx| Ok((ORDERS.all(tx)?, WORDS.all(tx)?))).unwrap();
        let (of, wf) = entries(&fast);
        let (os, ws) = entries(&slow);
        assert!(
            of.len() > 10_000 && wf.len() > 5_000,
            "{} {}",
            of.len(),
            wf.len()
        );
        assert_eq!(wf, ws);
        assert_eq!(timeless(of), timeless(os));

        // Pages: the deferred share against the kept one and against a brute-force scan.
        let cat = fast
            .categories()
            .unwrap()
            .into_iter()
            .max_by_key(|c| c.publications)
            .unwrap()
            .key;
        let filters = [
            BrowseFilter::default(),
            BrowseFilter {
                category: Some(cat),
                sort: SortOrder::PriceDesc,
                ..BrowseFilter::default()
            },
            BrowseFilter {
                province: Some(1),
                sort: SortOrder::PriceAsc,
                ..BrowseFilter::default()
            },
            BrowseFilter {
                search: Some("nuevo".into()),
                ..BrowseFilter::default()
            },
            BrowseFilter {
                search: Some("buen estado".into()),
                sort: SortOrder::PriceAsc,
                ..BrowseFilter::default()
            },
            BrowseFilter {
                min_price: Some(1_000_000),
                max_price: Some(30_000_000),
                ..BrowseFilter::default()
            },
        ];
        for f in &filters {
            for offset in [0u64, 37] {
                let a = fast.browse_page(f, offset, 50).unwrap();
                let b = slow.browse_page(f, offset, 50).unwrap();
                let ids = |p: &crate::domain::catalog::Page| -> Vec<u64> {
                    p.items.iter().map(|v| v.id).collect()
                };
                assert_eq!((ids(&a), a.total), (ids(&b), b.total), "{f:?} {offset}");
                let (scan, total) = fast
                    .read(|tx| page_by_scan(tx, f, offset, 50, now_ms()))
                    .unwrap();
                let scan: Vec<u64> = scan.into_iter().map(|p| p + 1).collect();
                assert_eq!((ids(&a), a.total), (scan, total), "{f:?} {offset}");
            }
        }
        let first = fast.browse_page(&filters[0], 0, 50).unwrap();
        assert_eq!(first.items.len(), 50);
    }

    #[test]
    fn phones_have_ten_digits_after_the_country_and_mobile_prefix() {
        let mut rng = Rng(1);
        for area in ["11", "351", "2954"] {
            let p = phone(&mut rng, area);
            let digits: String = p.chars().filter(|c| c.is_ascii_digit()).collect();
            assert_eq!(digits.len(), 13, "{p}");
            assert!(p.starts_with(&format!("+54 9 {area} ")), "{p}");
        }
    }

    #[test]
    fn titles_agree_with_their_article() {
        let mut rng = Rng(5);
        let fridge = ITEMS
            .iter()
            .position(|i| i.noun.starts_with("Heladera"))
            .unwrap();
        let chairs = ITEMS
            .iter()
            .position(|i| i.noun.starts_with("Sillas"))
            .unwrap();
        for _ in 0..50 {
            let p = plan_listing(&mut rng, fridge, 0, "Córdoba", 0, false);
            assert!(
                !p.title.contains("usado ") && !p.title.ends_with("usado"),
                "{}",
                p.title
            );
            assert!(!p.title.ends_with("nuevo"), "{}", p.title);
            let p = plan_listing(&mut rng, chairs, 0, "Córdoba", 0, false);
            assert!(
                !p.title.ends_with("impecable")
                    && !p.title.ends_with("usadas en muy buen estado x"),
                "{}",
                p.title
            );
            assert!(
                !p.title.ends_with("usada") && !p.title.ends_with("nueva"),
                "{}",
                p.title
            );
        }
        assert_eq!(ITEMS[chairs].gender, Gender::F);
    }
}
