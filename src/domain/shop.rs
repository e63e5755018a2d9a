//! What a marketplace shows around a listing: its public questions and answers, the seller's
//! reputation and page, the listing page as one read, and — after a purchase — how buyer and
//! seller reach each other.
//!
//! Questions and answers stay in the spec's conversation files (`MENSAJES.*`, one partial
//! queue per (publication, buyer)); this module shows them to everyone, newest first, with the
//! asker's first name only. The seller answers any question of a listing by its position in
//! `MENSAJES.DAT`. A rating's optional comment is kept in `OPINIONES.CON`/`OPINIONES.DAT`, one
//! partial queue per seller (the ratings they received), next to the rating itself in
//! `VENTAS.DAT`.

use serde::Serialize;

use super::catalog::{Ctx, PublicationView, view};
use super::market::*;
use super::news::{News, NewsKind, first_name};
use super::permissions::{Actor, Listing, may_answer};
use super::records::*;
use super::text::text;
use super::{DResult, Field, Market, OnField, conflict, denied, not_found, provinces};
use crate::me::queues::PartialQueues;
use crate::storage::codec::{Dec, Enc};
use crate::storage::ident::now_ms;
use crate::storage::{NIL, Tx, WriteTx};

pub const OPINIONS: PartialQueues = PartialQueues {
    heads: "OPINIONES.CON",
    items: "OPINIONES.DAT",
    control: "OPINIONES.CON",
    payload_len: OPINION_LEN,
};
pub const OPINION_LEN: usize = 304;
pub const COMMENT_LEN: usize = 264;

/// A rating's comment as stored (OPINIONES.DAT item payload, key (seller id, 0)):
/// `0 u64 sale number | 8 u64 publication id | 16 u64 buyer id | 24 i64 rated | 32 u8 rating |
/// 33..40 zero | 40 comment (264)`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Opinion {
    sale: u64,
    publication: u64,
    buyer: u64,
    time_ms: i64,
    rating: Rating,
    comment: String,
}

impl Opinion {
    fn encode(&self) -> Vec<u8> {
        let mut b = vec![0u8; OPINION_LEN];
        let mut e = Enc::new(&mut b);
        e.u64(self.sale)
            .u64(self.publication)
            .u64(self.buyer)
            .i64(self.time_ms)
            .u8(self.rating as u8)
            .zeros(7);
        e.str_lossy(&self.comment, COMMENT_LEN);
        b
    }
    fn decode(b: &[u8]) -> Opinion {
        let mut d = Dec::new(b);
        let sale = d.u64();
        let publication = d.u64();
        let buyer = d.u64();
        let time_ms = d.i64();
        let rating = Rating::from_u8(d.u8()).unwrap_or(Rating::Unrated);
        d.skip(7);
        Opinion {
            sale,
            publication,
            buyer,
            time_ms,
            rating,
            comment: d.str(COMMENT_LEN),
        }
    }
}

/// Checks a rating comment typed by a buyer (optional).
pub fn validate_comment(c: &str) -> DResult<String> {
    text("el comentario", c, COMMENT_LEN, false)
}

/// Stores the comment of a rating (in the rating's transaction).
pub(crate) fn record_opinion(
    tx: &mut WriteTx,
    sale_number: u64,
    sale: &Sale,
    comment: &str,
    now: i64,
) -> DResult<()> {
    if !tx.exists(OPINIONS.items)? {
        OPINIONS.create(tx)?;
    }
    let o = Opinion {
        sale: sale_number,
        publication: sale.pub_id,
        buyer: sale.buyer,
        time_ms: now,
        rating: sale.rating,
        comment: comment.to_string(),
    };
    OPINIONS.push(tx, sale.seller, 0, &o.encode(), now)?;
    Ok(())
}

fn opinions_of(tx: &mut impl Tx, seller: u64) -> DResult<Vec<Opinion>> {
    if !tx.exists(OPINIONS.items)? {
        return Ok(Vec::new());
    }
    let Some(h) = OPINIONS.find(tx, seller, 0)? else {
        return Ok(Vec::new());
    };
    Ok(OPINIONS
        .items_of(tx, &h)?
        .iter()
        .map(|it| Opinion::decode(&it.payload))
        .collect())
}

// ---- reputation ----------------------------------------------------------------------------------

/// A seller's reputation: how the buyers rated them, as shares of the ratings, and how many
/// sales they made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reputation {
    pub sales: u64,
    pub rated: u64,
    pub recommend: u64,
    pub neutral: u64,
    pub not_recommend: u64,
    /// Percentages of the rated sales, rounded so that they add up to 100 (0 when unrated).
    pub recommend_pct: u32,
    pub neutral_pct: u32,
    pub not_recommend_pct: u32,
    /// "98 % de recomendaciones, 47 ventas".
    pub summary: String,
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", n, if n == 1 { one } else { many })
}

impl Reputation {
    pub fn of(recommend: u64, neutral: u64, not_recommend: u64, sales: u64) -> Reputation {
        let rated = recommend + neutral + not_recommend;
        let (mut r, mut n, mut x) = (0u32, 0u32, 0u32);
        if rated > 0 {
            // Largest remainder, so the three shares always add up to 100.
            let parts = [recommend, neutral, not_recommend];
            let mut pct: Vec<(u32, u64, usize)> = parts
                .iter()
                .enumerate()
                .map(|(i, &v)| ((v * 100 / rated) as u32, (v * 100) % rated, i))
                .collect();
            let mut left = 100 - pct.iter().map(|p| p.0).sum::<u32>();
            pct.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
            for p in pct.iter_mut() {
                if left == 0 {
                    break;
                }
                if p.1 > 0 {
                    p.0 += 1;
                    left -= 1;
                }
            }
            for p in pct {
                match p.2 {
                    0 => r = p.0,
                    1 => n = p.0,
                    _ => x = p.0,
                }
            }
        }
        let sales_txt = plural(sales, "venta", "ventas");
        let summary = if rated == 0 {
            if sales == 0 {
                "Sin ventas todavía".to_string()
            } else {
                format!("Sin calificaciones todavía, {sales_txt}")
            }
        } else {
            format!("{r} % de recomendaciones, {sales_txt}")
        };
        Reputation {
            sales,
            rated,
            recommend,
            neutral,
            not_recommend,
            recommend_pct: r,
            neutral_pct: n,
            not_recommend_pct: x,
            summary,
        }
    }
}

pub(crate) fn reputation_of(tx: &mut impl Tx, seller: u64) -> DResult<Reputation> {
    let r = super::catalog::seller_rating(tx, seller)?;
    let sales = r.recommend + r.neutral + r.not_recommend + r.unrated;
    Ok(Reputation::of(
        r.recommend,
        r.neutral,
        r.not_recommend,
        sales,
    ))
}

// ---- public questions -----------------------------------------------------------------------------

/// A question on a listing as everybody sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicQuestion {
    /// Identifies the question for the seller's answer (its slot in MENSAJES.DAT).
    pub id: u64,
    /// The asker's first name (never the email).
    pub asker: String,
    pub question: String,
    pub asked_ms: i64,
    pub answer: Option<String>,
    pub answered_ms: Option<i64>,
    /// Asked by the user looking at the page.
    pub mine: bool,
}

fn questions_of(
    tx: &mut impl Tx,
    ctx: &Ctx,
    publication: u64,
    viewer: Option<u64>,
) -> DResult<Vec<PublicQuestion>> {
    let mut out = Vec::new();
    for h in MESSAGES.all_heads(tx)? {
        if h.a != publication {
            continue;
        }
        let asker = ctx.user(tx, h.b)?.map_or_else(
            || "Usuario dado de baja".to_string(),
            |u| first_name(&u.name),
        );
        for it in MESSAGES.items_of(tx, &h)? {
            let m = Message::decode(&it.payload);
            out.push(PublicQuestion {
                id: it.pos,
                asker: asker.clone(),
                question: m.question,
                asked_ms: m.asked_ms,
                answer: (m.answered_ms != 0).then_some(m.answer),
                answered_ms: (m.answered_ms != 0).then_some(m.answered_ms),
                mine: viewer == Some(h.b),
            });
        }
    }
    out.sort_by(|a, b| b.asked_ms.cmp(&a.asked_ms).then(b.id.cmp(&a.id)));
    Ok(out)
}

/// The seller answers question `question` (a [`PublicQuestion::id`]) of publication `p`.
pub(crate) fn answer_in_tx(
    tx: &mut WriteTx,
    seller: &User,
    p: &Publication,
    question: u64,
    answer: &str,
    now: i64,
) -> DResult<u64> {
    may_answer(Some(Actor::from(seller)), &Listing::of_record(p, now))?;
    let n = tx.slot_count(MESSAGES.items)?;
    let not_here = || not_found(format!("esa pregunta no es de la publicación {}", p.id));
    if question >= n
        || !matches!(
            tx.slot(MESSAGES.items, question)?,
            crate::storage::record::Slot::Live(_)
        )
    {
        return not_here();
    }
    let it = MESSAGES.item(tx, question)?;
    let head = MESSAGES.head(tx, it.head)?;
    if head.a != p.id {
        return not_here();
    }
    let mut m = Message::decode(&it.payload);
    if m.answered_ms != 0 {
        return conflict("esa pregunta ya tiene respuesta");
    }
    m.answer = answer.to_string();
    m.answered_ms = now;
    MESSAGES.update_item(tx, it.pos, &m.encode(), now)?;
    super::news::push(
        tx,
        head.b,
        News::new(NewsKind::Answer, now, p.id)
            .other(seller.id)
            .text(answer),
    )?;
    Ok(it.number)
}

// ---- pages ------------------------------------------------------------------------------------------

/// The seller as a listing shows them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SellerCard {
    pub id: u64,
    pub name: String,
    pub first_name: String,
    pub province: u8,
    pub province_name: String,
    pub photo: Option<String>,
    pub member_since_ms: i64,
    pub reputation: Reputation,
}

fn seller_card(tx: &mut impl Tx, ctx: &Ctx, seller: u64) -> DResult<SellerCard> {
    let reputation = reputation_of(tx, seller)?;
    Ok(match ctx.user(tx, seller)?.as_deref() {
        Some(u) => SellerCard {
            id: u.id,
            name: u.name.to_string(),
            first_name: first_name(&u.name),
            province: u.province,
            province_name: provinces::name(u.province).into(),
            photo: photo_opt(&u.photo),
            member_since_ms: u.created_ms,
            reputation,
        },
        None => SellerCard {
            id: seller,
            name: "(cuenta dada de baja)".into(),
            first_name: "(cuenta dada de baja)".into(),
            province: 0,
            province_name: "-".into(),
            photo: None,
            member_since_ms: 0,
            reputation,
        },
    })
}

/// Everything the listing page shows, read at once.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListingPage {
    pub publication: PublicationView,
    /// Photo names, the cover first.
    pub photos: Vec<String>,
    pub seller: SellerCard,
    /// Newest first.
    pub questions: Vec<PublicQuestion>,
    /// The viewer marked it as a favourite (false for visitors).
    pub favourite: bool,
    /// The viewer is its seller.
    pub mine: bool,
}

/// A rating a seller received, as their page shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReceivedRating {
    pub sale: u64,
    pub publication: u64,
    pub title: String,
    pub buyer: String,
    pub rating: Rating,
    pub comment: String,
    pub sold_ms: i64,
}

/// A seller's public page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SellerPage {
    pub seller: SellerCard,
    /// Listings for sale now, newest first.
    pub listings: Vec<PublicationView>,
    /// Newest first.
    pub ratings: Vec<ReceivedRating>,
}

/// How to reach the other side of a purchase.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contact {
    pub sale: u64,
    pub title: String,
    /// "vendedor" when the buyer asks, "comprador" when the seller asks.
    pub role: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    pub province_name: String,
    /// What to do next, in Spanish.
    pub advice: String,
}

impl Market {
    /// A listing's questions and answers, newest first, as anyone sees them.
    pub fn public_questions(&self, id: u64) -> DResult<Vec<PublicQuestion>> {
        self.read(|tx| {
            load_pub(tx, id)?;
            let ctx = Ctx::load(tx)?;
            questions_of(tx, &ctx, id, None)
        })
    }

    /// The seller answers question `question` of publication `id` (any of them, in any
    /// order); returns the message's number in its conversation.
    pub fn answer_question(
        &self,
        s: &Session,
        id: u64,
        question: u64,
        answer: &str,
    ) -> DResult<u64> {
        let a = super::text::multiline_text("la respuesta", answer, MESSAGE_TEXT_LEN, true)
            .on(Field::Answer)?;
        self.write(|tx| {
            let u = current(tx, s)?;
            let p = load_pub(tx, id)?;
            let n = answer_in_tx(tx, &u, &p, question, &a, now_ms())?;
            tx.log_event(
                &u.email,
                "respuesta",
                &format!("publicación {id}, pregunta {question}"),
            )?;
            Ok(n)
        })
    }

    /// The listing page of publication `id` for `viewer` (`None`: a visitor).
    pub fn listing_page(&self, viewer: Option<&Session>, id: u64) -> DResult<ListingPage> {
        self.read(|tx| {
            let viewer_id = match viewer {
                Some(s) => Some(current(tx, s)?.id),
                None => None,
            };
            let p = load_pub(tx, id)?;
            let ctx = Ctx::load(tx)?;
            let photos = super::gallery::photos_of(tx, &p)?
                .iter()
                .map(super::photos::hex)
                .collect();
            let favourite = match viewer_id {
                Some(v) => super::favourites::is_favourite(tx, v, id)?,
                None => false,
            };
            Ok(ListingPage {
                seller: seller_card(tx, &ctx, p.seller)?,
                questions: questions_of(tx, &ctx, id, viewer_id)?,
                photos,
                favourite,
                mine: viewer_id == Some(p.seller),
                publication: view(tx, &ctx, &p, false)?,
            })
        })
    }

    /// The reputation of seller `seller_id`.
    pub fn reputation(&self, seller_id: u64) -> DResult<Reputation> {
        self.read(|tx| reputation_of(tx, seller_id))
    }

    /// The public page of seller `seller_id`: their listings for sale and the ratings they
    /// received, with the buyers' comments.
    pub fn seller_page(&self, seller_id: u64) -> DResult<SellerPage> {
        self.read(|tx| {
            let ctx = Ctx::load(tx)?;
            match ctx.user(tx, seller_id)?.as_deref() {
                Some(u) if !u.is_admin() => {}
                _ => return not_found(format!("no hay ningún vendedor con el número {seller_id}")),
            }
            let pubs = {
                let ps = BY_SELLER.find(tx, seller_id)?;
                pubs_at(tx, ps)?
            };
            let comments: std::collections::HashMap<u64, String> = opinions_of(tx, seller_id)?
                .into_iter()
                .map(|o| (o.sale, o.comment))
                .collect();
            let mut listings = Vec::new();
            let mut ratings = Vec::new();
            for p in &pubs {
                if p.state == PubState::Published && !p.expired(ctx.now) {
                    listings.push(view(tx, &ctx, p, false)?);
                }
                if p.sale_pos != NIL {
                    let sale = sale_at(tx, p.sale_pos)?;
                    if sale.rating != Rating::Unrated {
                        let number = p.sale_pos + 1;
                        ratings.push(ReceivedRating {
                            sale: number,
                            publication: p.id,
                            title: sale.title.clone(),
                            buyer: ctx.user(tx, sale.buyer)?.map_or_else(
                                || "Usuario dado de baja".into(),
                                |u| first_name(&u.name),
                            ),
                            rating: sale.rating,
                            comment: comments.get(&number).cloned().unwrap_or_default(),
                            sold_ms: sale.sold_ms,
                        });
                    }
                }
            }
            listings.sort_by(|a, b| b.id.cmp(&a.id));
            ratings.sort_by(|a, b| b.sold_ms.cmp(&a.sold_ms).then(b.sale.cmp(&a.sale)));
            Ok(SellerPage {
                seller: seller_card(tx, &ctx, seller_id)?,
                listings,
                ratings,
            })
        })
    }

    /// After a purchase: the buyer gets the seller's contact, the seller the buyer's.
    pub fn sale_contact(&self, s: &Session, sale: u64) -> DResult<Contact> {
        self.read(|tx| {
            let u = current(tx, s)?;
            let n = tx.slot_count(SALES.items)?;
            if sale == 0 || sale > n {
                return not_found(format!("no existe la venta {sale}"));
            }
            let sl = sale_at(tx, sale - 1)?;
            let (other, role) = if sl.buyer == u.id {
                (sl.seller, "vendedor")
            } else if sl.seller == u.id {
                (sl.buyer, "comprador")
            } else {
                return denied(format!("la venta {sale} no es suya"));
            };
            let Some(o) = user_by_id(tx, other)? else {
                return conflict(format!("quien fue {role} ya no tiene cuenta en VentaLibre"));
            };
            let first = first_name(&o.name);
            let advice = if role == "vendedor" {
                format!(
                    "Escríbale a {first} a {} o llame al {} para coordinar la entrega de «{}».",
                    o.email,
                    if o.phone.is_empty() {
                        "teléfono que le indique"
                    } else {
                        &o.phone
                    },
                    sl.title
                )
            } else {
                format!(
                    "{first} compró «{}». Escríbale a {} para coordinar la entrega.",
                    sl.title, o.email
                )
            };
            Ok(Contact {
                sale,
                title: sl.title.clone(),
                role: role.into(),
                name: o.name.to_string(),
                email: o.email.to_string(),
                phone: o.phone.clone(),
                address: o.address.clone(),
                province_name: provinces::name(o.province).into(),
                advice,
            })
        })
    }
}

// ---- check ------------------------------------------------------------------------------------------

/// The structures of the shop's own files (news, read marks, favourites, saved searches,
/// rating comments, galleries) and how they agree with the spec's files. Called by `check`.
pub(crate) fn check_shop(tx: &mut impl Tx) -> DResult<Vec<crate::me::Problems>> {
    use crate::me::Problems;
    let mut out = Vec::new();
    let n_pubs = tx.slot_count(PUBS_DAT)?;
    let n_sales = tx.slot_count(SALES.items)?;
    for q in [
        &super::news::NEWS,
        &super::favourites::FAVOURITES,
        &super::saved_searches::SAVED_SEARCHES,
        &OPINIONS,
    ] {
        if tx.exists(q.items)? {
            out.push(q.check(tx)?);
        }
    }
    if tx.exists(super::news::NEWS_SEEN.data)? {
        out.push(super::news::NEWS_SEEN.check(tx)?);
    }
    let mut refs = Problems::new("referencias de la tienda");
    if tx.exists(super::favourites::FAVOURITES.items)? {
        for h in super::favourites::FAVOURITES.all_heads(tx)? {
            for it in super::favourites::FAVOURITES.items_of(tx, &h)? {
                let id = Dec::new(&it.payload).u64();
                if id == 0 || id > n_pubs {
                    refs.push(format!(
                        "el favorito {} del usuario {} apunta a la publicación inexistente {id}",
                        it.pos, h.a
                    ));
                }
            }
        }
    }
    if tx.exists(OPINIONS.items)? {
        for h in OPINIONS.all_heads(tx)? {
            for it in OPINIONS.items_of(tx, &h)? {
                let o = Opinion::decode(&it.payload);
                if o.sale == 0 || o.sale > n_sales {
                    refs.push(format!(
                        "la opinión {} apunta a la venta inexistente {}",
                        it.pos, o.sale
                    ));
                    continue;
                }
                let s = sale_at(tx, o.sale - 1)?;
                if s.seller != h.a || s.rating != o.rating || s.buyer != o.buyer {
                    refs.push(format!(
                        "la opinión {} no coincide con la venta {}",
                        it.pos, o.sale
                    ));
                }
            }
        }
    }
    if tx.exists(super::gallery::GALLERY)? {
        let n = tx.slot_count(super::gallery::GALLERY)?;
        if n > n_pubs {
            refs.push(format!(
                "{} tiene {n} registros y hay {n_pubs} publicaciones",
                super::gallery::GALLERY
            ));
        }
        for pos in 0..n.min(n_pubs) {
            if let Some(photos) = super::gallery::stored(tx, pos)? {
                let p = load_pub(tx, pos + 1)?;
                if photos[0] != p.photo {
                    refs.push(format!(
                        "la portada de la publicación {} no es su primera foto",
                        p.id
                    ));
                }
            }
        }
    }
    out.push(refs);
    Ok(out)
}
