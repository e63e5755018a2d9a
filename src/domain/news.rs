//! News ("Novedades"): what happened to a user that they have not seen yet — a question on
//! their listing, an answer to their question, a sale, a rating, a commission collected, a
//! listing blocked or unblocked by the administration, a new listing for a saved search.
//!
//! Each user's news is a partial queue (`NOVEDADES.CON` heads over `NOVEDADES.DAT`, key
//! (user id, 0)), written by the same transaction as the operation it tells about, so every
//! terminal sees it as soon as that commit is visible. What a user has seen is kept on the
//! share too (`LEIDAS.DAT`/`LEIDAS.CON`, an open hash keyed by user id holding the number of
//! the newest news item seen), so the unseen count is the same on every terminal and costs a
//! head lookup plus one hash probe. A user keeps at most [`NEWS_CAP`] items: pushing one more
//! drops the oldest.

use serde::Serialize;

use super::market::*;
use super::records::*;
use super::{DResult, Market};
use crate::me::hash::OpenHash;
use crate::me::queues::PartialQueues;
use crate::storage::codec::{Dec, Enc};
use crate::storage::{Tx, WriteTx};

pub const NEWS: PartialQueues = PartialQueues {
    heads: "NOVEDADES.CON",
    items: "NOVEDADES.DAT",
    control: "NOVEDADES.CON",
    payload_len: NEWS_LEN,
};
pub const NEWS_SEEN: OpenHash = OpenHash {
    data: "LEIDAS.DAT",
    control: "LEIDAS.CON",
    key_cap: 8,
    value_len: NEWS_SEEN_LEN,
    ids: None,
};
pub const NEWS_SEEN_BUCKETS: u64 = 80;
pub const NEWS_LEN: usize = 160;
pub const NEWS_TEXT_LEN: usize = 112;
pub const NEWS_SEEN_LEN: usize = 16;
/// News items kept per user.
pub const NEWS_CAP: u64 = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NewsKind {
    /// Someone asked on my listing.
    Question = 1,
    /// The seller answered my question.
    Answer = 2,
    /// I sold a listing.
    Sale = 3,
    /// A buyer rated my sale.
    Rated = 4,
    /// The administration collected a commission from me.
    Commission = 5,
    /// The administration blocked my listing.
    Blocked = 6,
    /// The administration unblocked my listing.
    Unblocked = 7,
    /// A new listing matches my saved search.
    SavedSearch = 8,
}

impl NewsKind {
    pub fn from_u8(v: u8) -> Option<NewsKind> {
        Some(match v {
            1 => NewsKind::Question,
            2 => NewsKind::Answer,
            3 => NewsKind::Sale,
            4 => NewsKind::Rated,
            5 => NewsKind::Commission,
            6 => NewsKind::Blocked,
            7 => NewsKind::Unblocked,
            8 => NewsKind::SavedSearch,
            _ => return None,
        })
    }
    pub fn label(self) -> &'static str {
        match self {
            NewsKind::Question => "pregunta",
            NewsKind::Answer => "respuesta",
            NewsKind::Sale => "venta",
            NewsKind::Rated => "calificación",
            NewsKind::Commission => "comisión",
            NewsKind::Blocked => "bloqueo",
            NewsKind::Unblocked => "desbloqueo",
            NewsKind::SavedSearch => "búsqueda guardada",
        }
    }
}

/// A news item as stored (NOVEDADES.DAT item payload, 160 bytes):
///
/// ```text
/// 0 u8 kind | 1 u8 rating (sales rated) | 2..8 zero | 8 i64 time | 16 u64 publication id
/// 24 u64 other user id (0: none) | 32 i64 amount (cents) | 40 u64 reference (sale number,
/// saved search number) | 48 text (112): the question, the answer, the comment, the words
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct News {
    pub kind: NewsKind,
    pub rating: Rating,
    pub time_ms: i64,
    pub publication: u64,
    pub other: u64,
    pub amount: i64,
    pub reference: u64,
    pub text: String,
}

impl News {
    pub fn new(kind: NewsKind, time_ms: i64, publication: u64) -> News {
        News {
            kind,
            rating: Rating::Unrated,
            time_ms,
            publication,
            other: 0,
            amount: 0,
            reference: 0,
            text: String::new(),
        }
    }
    pub fn other(mut self, id: u64) -> News {
        self.other = id;
        self
    }
    pub fn amount(mut self, cents: i64) -> News {
        self.amount = cents;
        self
    }
    pub fn reference(mut self, r: u64) -> News {
        self.reference = r;
        self
    }
    pub fn text(mut self, t: &str) -> News {
        self.text = cut(t, NEWS_TEXT_LEN);
        self
    }
    pub fn rating(mut self, r: Rating) -> News {
        self.rating = r;
        self
    }
    fn encode(&self) -> Vec<u8> {
        let mut b = vec![0u8; NEWS_LEN];
        let mut e = Enc::new(&mut b);
        e.u8(self.kind as u8).u8(self.rating as u8).zeros(6);
        e.i64(self.time_ms)
            .u64(self.publication)
            .u64(self.other)
            .i64(self.amount)
            .u64(self.reference);
        e.str_lossy(&self.text, NEWS_TEXT_LEN);
        b
    }
    fn decode(b: &[u8]) -> Option<News> {
        let mut d = Dec::new(b);
        let kind = NewsKind::from_u8(d.u8())?;
        let rating = Rating::from_u8(d.u8()).unwrap_or(Rating::Unrated);
        d.skip(6);
        Some(News {
            kind,
            rating,
            time_ms: d.i64(),
            publication: d.u64(),
            other: d.u64(),
            amount: d.i64(),
            reference: d.u64(),
            text: d.str(NEWS_TEXT_LEN),
        })
    }
}

/// `s` cut to at most `max` bytes at a character boundary, with "…" when cut.
pub(crate) fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max.saturating_sub('…'.len_utf8());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", s[..end].trim_end())
}

/// A news item as screens show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewsView {
    /// Its number in the user's news (grows with every item).
    pub number: u64,
    pub kind: NewsKind,
    pub kind_label: String,
    pub time_ms: i64,
    /// The listing it is about (0: none).
    pub publication: u64,
    pub title: String,
    /// The sentence to show, in Spanish.
    pub message: String,
    pub seen: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NewsList {
    pub unseen: u64,
    /// Newest first.
    pub items: Vec<NewsView>,
}

/// The first name of a "Last, First" or "First Last" name.
pub fn first_name(name: &str) -> String {
    let given = match name.split_once(',') {
        Some((_, first)) => first.trim(),
        None => name.trim(),
    };
    given.split_whitespace().next().unwrap_or("").to_string()
}

pub(crate) fn ensure_files(tx: &mut WriteTx) -> DResult<()> {
    if !tx.exists(NEWS.items)? {
        NEWS.create(tx)?;
    }
    if !tx.exists(NEWS_SEEN.data)? {
        NEWS_SEEN.create(tx, NEWS_SEEN_BUCKETS)?;
    }
    Ok(())
}

/// Adds `n` to `user`'s news (in the caller's transaction).
pub(crate) fn push(tx: &mut WriteTx, user: u64, n: News) -> DResult<()> {
    if user == 0 {
        return Ok(());
    }
    ensure_files(tx)?;
    let (head, _) = NEWS.push(tx, user, 0, &n.encode(), n.time_ms)?;
    if head.count > NEWS_CAP {
        NEWS.remove_item(tx, head.first)?;
    }
    Ok(())
}

fn seen_key(user: u64) -> [u8; 8] {
    user.to_le_bytes()
}

/// The number of the newest item `user` has seen.
fn seen_number(tx: &mut impl Tx, user: u64) -> DResult<u64> {
    if !tx.exists(NEWS_SEEN.data)? {
        return Ok(0);
    }
    Ok(NEWS_SEEN
        .get(tx, &seen_key(user))?
        .map_or(0, |(_, v)| Dec::new(&v).u64()))
}

fn unseen_of(tx: &mut impl Tx, user: u64) -> DResult<(u64, Option<crate::me::queues::Head>)> {
    if !tx.exists(NEWS.items)? {
        return Ok((0, None));
    }
    let Some(h) = NEWS.find(tx, user, 0)? else {
        return Ok((0, None));
    };
    let seen = seen_number(tx, user)?;
    Ok((h.last_number.saturating_sub(seen).min(h.count), Some(h)))
}

fn message(tx: &mut impl Tx, ctx: &super::catalog::Ctx, n: &News) -> DResult<(String, String)> {
    let title = if n.publication != 0 {
        load_pub(tx, n.publication).map_or_else(
            |_| format!("publicación {}", n.publication),
            |p| p.title.to_string(),
        )
    } else {
        String::new()
    };
    let who = ctx
        .user(tx, n.other)?
        .map_or_else(|| "Alguien".to_string(), |u| first_name(&u.name));
    let money = super::format::money(n.amount);
    let m = match n.kind {
        NewsKind::Question => format!("{who} preguntó en «{title}»: {}", n.text),
        NewsKind::Answer => format!("{who} respondió su pregunta en «{title}»: {}", n.text),
        NewsKind::Sale => format!(
            "Vendió «{title}» a {who} por {money}. Coordine la entrega desde Mis publicaciones."
        ),
        NewsKind::Rated => {
            let mut m = format!("{who} calificó su venta de «{title}»: {}", n.rating.label());
            if !n.text.is_empty() {
                m.push_str(&format!(". «{}»", n.text));
            }
            m
        }
        NewsKind::Commission => {
            format!("VentaLibre cobró {money} de comisión por la venta de «{title}»")
        }
        NewsKind::Blocked if n.text.is_empty() => {
            format!("La administración bloqueó su publicación «{title}»")
        }
        NewsKind::Blocked => format!(
            "La administración bloqueó su publicación «{title}»: {}",
            n.text
        ),
        NewsKind::Unblocked => format!("La administración desbloqueó su publicación «{title}»"),
        NewsKind::SavedSearch => format!(
            "Nueva publicación para su búsqueda «{}»: «{title}» a {money}",
            n.text
        ),
    };
    Ok((title, m))
}

impl Market {
    /// How many news items the user has not seen (one head lookup and one hash probe).
    pub fn unseen_news(&self, s: &Session) -> DResult<u64> {
        self.read(|tx| {
            let u = current(tx, s)?;
            Ok(unseen_of(tx, u.id)?.0)
        })
    }

    /// The user's news, newest first (at most `limit`), with the unseen count.
    pub fn news(&self, s: &Session, limit: usize) -> DResult<NewsList> {
        self.read(|tx| {
            let u = current(tx, s)?;
            let (unseen, head) = unseen_of(tx, u.id)?;
            let Some(h) = head else {
                return Ok(NewsList::default());
            };
            let seen = seen_number(tx, u.id)?;
            let ctx = super::catalog::Ctx::load(tx)?;
            let mut items = Vec::new();
            for it in NEWS.items_of(tx, &h)?.into_iter().rev().take(limit) {
                let Some(n) = News::decode(&it.payload) else {
                    continue;
                };
                let (title, message) = message(tx, &ctx, &n)?;
                items.push(NewsView {
                    number: it.number,
                    kind: n.kind,
                    kind_label: n.kind.label().into(),
                    time_ms: n.time_ms,
                    publication: n.publication,
                    title,
                    message,
                    seen: it.number <= seen,
                });
            }
            Ok(NewsList { unseen, items })
        })
    }

    /// Marks the user's news up to number `upto` as seen (`None`: all of it). The mark never
    /// goes back, so two terminals marking at once keep the larger.
    pub fn mark_news_seen(&self, s: &Session, upto: Option<u64>) -> DResult<()> {
        self.write(|tx| {
            let u = current(tx, s)?;
            if !tx.exists(NEWS.items)? {
                return Ok(());
            }
            let Some(h) = NEWS.find(tx, u.id, 0)? else {
                return Ok(());
            };
            let want = upto.unwrap_or(h.last_number).min(h.last_number);
            let old = seen_number(tx, u.id)?;
            if want <= old {
                return Ok(());
            }
            ensure_files(tx)?;
            let mut v = vec![0u8; NEWS_SEEN_LEN];
            Enc::new(&mut v)
                .u64(want)
                .i64(crate::storage::ident::now_ms());
            let key = seen_key(u.id);
            if !NEWS_SEEN.update(tx, &key, &v)? {
                NEWS_SEEN.insert(tx, &key, &v)?;
            }
            Ok(())
        })
    }
}
