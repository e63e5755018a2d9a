//! Conversations, purchases, ratings, wallet, invoices and commissions.

use serde::Serialize;

use super::catalog::Ctx;
use super::market::*;
use super::news::{News, NewsKind};
use super::permissions::{Actor, Listing, may_answer, may_ask, may_buy};
use super::records::*;
use super::text::multiline_text;
use super::{
    DResult, Field, Market, OnField, conflict, denied, format, format_cents, invalid, not_found,
};
use crate::me::queues::Head;
use crate::storage::ident::now_ms;
use crate::storage::record::Slot;
use crate::storage::{Tx, WriteTx};

pub const MAX_AMOUNT: i64 = 1_000_000_000_00;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageView {
    pub number: u64,
    pub question: String,
    pub asked_ms: i64,
    pub answer: Option<String>,
    pub answered_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConversationView {
    pub publication: u64,
    pub title: String,
    pub seller_id: u64,
    pub seller_name: String,
    pub buyer_id: u64,
    pub buyer_email: String,
    pub buyer_name: String,
    pub messages: Vec<MessageView>,
    pub count: u64,
    pub unanswered: u64,
    pub last_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Purchase {
    /// Sale number (position in VENTAS.DAT + 1).
    pub sale: u64,
    pub invoice: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SaleView {
    pub sale: u64,
    pub publication: u64,
    pub title: String,
    pub price: String,
    pub price_cents: i64,
    pub kind: Kind,
    pub published_ms: i64,
    pub sold_ms: i64,
    pub buyer_id: u64,
    pub buyer_email: String,
    pub buyer_name: String,
    pub seller_id: u64,
    pub seller_email: String,
    pub seller_name: String,
    pub rating: Rating,
    pub commission_pct: String,
    pub commission: String,
    pub commission_cents: i64,
    pub collected: bool,
    pub invoice: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MovementView {
    pub time_ms: i64,
    pub kind: MoveKind,
    pub label: String,
    pub amount: String,
    pub balance_after: String,
    pub amount_cents: i64,
    pub balance_after_cents: i64,
    pub other: Option<String>,
    pub reference: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WalletView {
    pub balance: String,
    pub balance_cents: i64,
    pub movements: Vec<MovementView>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Collection {
    pub collected: u64,
    pub amount: String,
    pub amount_cents: i64,
    /// Sales whose seller cannot pay the commission now (balance too low or account gone).
    pub pending: u64,
    pub pending_cents: i64,
}

pub(crate) fn sale_view(tx: &mut impl Tx, ctx: &Ctx, pos: u64, s: &Sale) -> DResult<SaleView> {
    let mut who = |id: u64| -> DResult<(String, String)> {
        Ok(ctx.user(tx, id)?.map_or_else(
            || ("(baja)".to_string(), "(cuenta dada de baja)".to_string()),
            |u| (u.email.to_string(), u.name.to_string()),
        ))
    };
    let (buyer_email, buyer_name) = who(s.buyer)?;
    let (seller_email, seller_name) = who(s.seller)?;
    Ok(SaleView {
        sale: pos + 1,
        publication: s.pub_id,
        title: s.title.clone(),
        price: format_cents(s.price),
        price_cents: s.price,
        kind: s.kind,
        published_ms: s.published_ms,
        sold_ms: s.sold_ms,
        buyer_id: s.buyer,
        buyer_email,
        buyer_name,
        seller_id: s.seller,
        seller_email,
        seller_name,
        rating: s.rating,
        commission_pct: format_cents(s.commission_bp as i64),
        commission: format_cents(s.commission),
        commission_cents: s.commission,
        collected: s.collected,
        invoice: s.invoice,
    })
}

/// Every sale in VENTAS.DAT order (chronological: the file is append only).
pub(crate) fn all_sales(tx: &mut impl Tx) -> DResult<Vec<(u64, Sale)>> {
    tx.prefetch(SALES.items)?;
    let n = tx.slot_count(SALES.items)?;
    let mut out = Vec::with_capacity(n as usize);
    for pos in 0..n {
        if let Slot::Live(_) = tx.slot(SALES.items, pos)? {
            out.push((pos, Sale::decode(&SALES.item(tx, pos)?.payload)?));
        }
    }
    Ok(out)
}

pub(crate) fn conversation_view(
    tx: &mut impl Tx,
    ctx: &Ctx,
    h: &Head,
    with_messages: bool,
) -> DResult<ConversationView> {
    let p = load_pub(tx, h.a)?;
    let items = MESSAGES.items_of(tx, h)?;
    let messages: Vec<MessageView> = items
        .iter()
        .map(|it| {
            let m = Message::decode(&it.payload);
            MessageView {
                number: it.number,
                question: m.question,
                asked_ms: m.asked_ms,
                answer: (m.answered_ms != 0).then_some(m.answer),
                answered_ms: (m.answered_ms != 0).then_some(m.answered_ms),
            }
        })
        .collect();
    let unanswered = messages.iter().filter(|m| m.answer.is_none()).count() as u64;
    let buyer = ctx.user(tx, h.b)?;
    let buyer = buyer.as_deref();
    let seller = ctx.user(tx, p.seller)?;
    let seller = seller.as_deref();
    Ok(ConversationView {
        publication: p.id,
        title: p.title.to_string(),
        seller_id: p.seller,
        seller_name: seller.map_or_else(|| "(cuenta dada de baja)".into(), |u| u.name.to_string()),
        buyer_id: h.b,
        buyer_email: buyer.map_or_else(|| "(baja)".into(), |u| u.email.to_string()),
        buyer_name: buyer.map_or_else(|| "(cuenta dada de baja)".into(), |u| u.name.to_string()),
        count: h.count,
        unanswered,
        last_ms: h.last_time_ms,
        messages: if with_messages { messages } else { Vec::new() },
    })
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn add_movement(
    tx: &mut WriteTx,
    u: &User,
    kind: MoveKind,
    amount: i64,
    other: u64,
    reference: u64,
    now: i64,
) -> DResult<()> {
    let m = Movement {
        user: u.id,
        kind,
        amount,
        balance_after: u.balance,
        other,
        time_ms: now,
        reference,
        lamport: tx.lamport(),
    };
    tx.alloc(MOVEMENTS, &m.encode())?;
    Ok(())
}

fn check_amount(cents: i64) -> DResult<()> {
    check_amount_unfielded(cents).on(Field::Amount)
}

fn check_amount_unfielded(cents: i64) -> DResult<()> {
    if cents <= 0 {
        return invalid("el importe debe ser mayor que cero");
    }
    if cents > MAX_AMOUNT {
        return invalid(format!(
            "el importe máximo por operación es {}",
            format::money(MAX_AMOUNT)
        ));
    }
    Ok(())
}

pub(crate) fn ask_in_tx(
    tx: &mut WriteTx,
    buyer: &User,
    p: &Publication,
    question: &str,
    answer: Option<&str>,
    now: i64,
) -> DResult<u64> {
    let m = Message {
        asked_ms: now,
        answered_ms: if answer.is_some() { now } else { 0 },
        question: question.to_string(),
        answer: answer.unwrap_or("").to_string(),
    };
    let (_, item) = MESSAGES.push(tx, p.id, buyer.id, &m.encode(), now)?;
    Ok(item.number)
}

/// A buyer's question on a listing, with the rules and the seller's news item.
pub(crate) fn ask_checked_in_tx(
    tx: &mut WriteTx,
    u: &User,
    p: &Publication,
    question: &str,
    now: i64,
) -> DResult<u64> {
    may_ask(Some(Actor::from(u)), &Listing::of_record(p, now))?;
    let n = ask_in_tx(tx, u, p, question, None, now)?;
    super::news::push(
        tx,
        p.seller,
        News::new(NewsKind::Question, now, p.id)
            .other(u.id)
            .text(question),
    )?;
    Ok(n)
}

/// Buys publication `id` for `buyer` at time `now` (see [`Market::buy`]).
pub(crate) fn buy_in_tx(tx: &mut WriteTx, mut buyer: User, id: u64, now: i64) -> DResult<Purchase> {
    let mut p = load_pub(tx, id)?;
    may_buy(Some(Actor::from(&buyer)), &Listing::of_record(&p, now))?;
    let Some(mut seller) = user_by_id(tx, p.seller)? else {
        return conflict("quien vende ya no tiene cuenta en VentaLibre");
    };
    if seller.is_blocked() {
        return conflict("la cuenta de quien vende está bloqueada");
    }
    if buyer.balance < p.price {
        return conflict(format!(
            "saldo insuficiente: su billetera tiene {} y el artículo cuesta {}; deposite la diferencia",
            format::money(buyer.balance),
            format::money(p.price)
        ));
    }
    let bp = CATEGORIES
        .get(tx, p.category)?
        .map_or(0, |v| Category::decode(&v).commission_bp);
    let invoice_no = tx.slot_count(INVOICES)? + 1;
    let sale = Sale {
        pub_id: p.id,
        seller: seller.id,
        buyer: buyer.id,
        title: p.title.to_string(),
        price: p.price,
        published_ms: p.published_ms,
        sold_ms: now,
        kind: p.kind,
        rating: Rating::Unrated,
        collected: false,
        commission_bp: bp,
        commission: super::money::commission(p.price, bp),
        invoice: invoice_no,
        collected_ms: 0,
    };
    let (_, item) = SALES.push(tx, buyer.id, 0, &sale.encode(), now)?;
    let inv = Invoice {
        number: invoice_no,
        sale_pos: item.pos,
        pub_id: p.id,
        issued_ms: now,
        buyer_id: buyer.id,
        buyer_name: buyer.name.to_string(),
        buyer_email: buyer.email.to_string(),
        buyer_address: buyer.address.clone(),
        seller_id: seller.id,
        seller_name: seller.name.to_string(),
        seller_email: seller.email.to_string(),
        title: p.title.to_string(),
        quantity: 1,
        unit_price: p.price,
        total: p.price,
        commission_bp: bp,
        commission: sale.commission,
        kind: p.kind,
        lamport: tx.lamport(),
    };
    let pos = tx.alloc(INVOICES, &inv.encode())?;
    debug_assert_eq!(pos + 1, invoice_no);
    p.state = PubState::Sold;
    p.buyer = buyer.id;
    p.sale_pos = item.pos;
    p.sold_ms = now;
    p.updated_ms = now;
    store_pub(tx, &p)?;
    buyer.balance -= p.price;
    seller.balance += p.price;
    store_user(tx, &buyer)?;
    store_user(tx, &seller)?;
    add_movement(
        tx,
        &buyer,
        MoveKind::Purchase,
        -p.price,
        seller.id,
        p.id,
        now,
    )?;
    add_movement(
        tx,
        &seller,
        MoveKind::SaleIncome,
        p.price,
        buyer.id,
        p.id,
        now,
    )?;
    super::news::push(
        tx,
        seller.id,
        News::new(NewsKind::Sale, now, p.id)
            .other(buyer.id)
            .amount(p.price)
            .reference(item.pos + 1),
    )?;
    tx.log_event(
        &buyer.email,
        "compra",
        &format!("publicación {id}, factura {invoice_no}"),
    )?;
    Ok(Purchase {
        sale: item.pos + 1,
        invoice: invoice_no,
    })
}

/// Buyer `u` rates sale number `sale` (position + 1) at time `now`.
pub(crate) fn rate_in_tx(
    tx: &mut WriteTx,
    u: &User,
    sale: u64,
    rating: Rating,
    comment: &str,
    now: i64,
) -> DResult<()> {
    let n = tx.slot_count(SALES.items)?;
    if sale == 0 || sale > n {
        return not_found(format!("no existe la venta {sale}"));
    }
    let it = SALES.item(tx, sale - 1)?;
    let mut sl = Sale::decode(&it.payload)?;
    if sl.buyer != u.id {
        return denied(format!("la compra {sale} no es suya"));
    }
    if sl.rating != Rating::Unrated {
        return conflict(format!(
            "ya calificó esta compra como «{}»",
            sl.rating.label()
        ));
    }
    sl.rating = rating;
    SALES.update_item(tx, it.pos, &sl.encode(), now)?;
    super::shop::record_opinion(tx, sale, &sl, comment, now)?;
    super::news::push(
        tx,
        sl.seller,
        News::new(NewsKind::Rated, now, sl.pub_id)
            .other(u.id)
            .rating(rating)
            .reference(sale)
            .text(comment),
    )?;
    tx.log_event(
        &u.email,
        "calificación",
        &format!("venta {sale}: {}", rating.label()),
    )?;
    Ok(())
}

/// Deposits `cents` into `u`'s wallet at time `now`; returns the new balance.
pub(crate) fn deposit_in_tx(tx: &mut WriteTx, mut u: User, cents: i64, now: i64) -> DResult<i64> {
    check_amount(cents)?;
    u.balance += cents;
    store_user(tx, &u)?;
    add_movement(tx, &u, MoveKind::Deposit, cents, 0, 0, now)?;
    tx.log_event(&u.email, "depósito", &format_cents(cents))?;
    Ok(u.balance)
}

impl Market {
    // ---- conversations -----------------------------------------------------------------------

    /// Asks the seller a question about publication `id`; returns the message number.
    pub fn ask(&self, s: &Session, id: u64, question: &str) -> DResult<u64> {
        let q =
            multiline_text("la pregunta", question, MESSAGE_TEXT_LEN, true).on(Field::Question)?;
        self.write(|tx| {
            let u = current(tx, s)?;
            let p = load_pub(tx, id)?;
            let n = ask_checked_in_tx(tx, &u, &p, &q, now_ms())?;
            tx.log_event(&u.email, "pregunta", &format!("publicación {id}"))?;
            Ok(n)
        })
    }

    /// The seller answers the oldest unanswered question of `buyer` on publication `id`.
    pub fn answer(&self, s: &Session, id: u64, buyer_email: &str, answer: &str) -> DResult<u64> {
        let a = multiline_text("la respuesta", answer, MESSAGE_TEXT_LEN, true).on(Field::Answer)?;
        self.write(|tx| {
            let u = current(tx, s)?;
            let p = load_pub(tx, id)?;
            may_answer(Some(Actor::from(&u)), &Listing::of_record(&p, now_ms()))?;
            let buyer = user_by_email(tx, buyer_email)?;
            let Some(h) = MESSAGES.find(tx, id, buyer.id)? else {
                return not_found(format!(
                    "{} no preguntó nada en la publicación {id}",
                    buyer.email
                ));
            };
            let Some(it) = MESSAGES
                .items_of(tx, &h)?
                .into_iter()
                .find(|it| Message::decode(&it.payload).answered_ms == 0)
            else {
                return conflict("no hay preguntas sin responder en esa conversación");
            };
            let n = super::shop::answer_in_tx(tx, &u, &p, it.pos, &a, now_ms())?;
            tx.log_event(
                &u.email,
                "respuesta",
                &format!("publicación {id} a {}", buyer.email),
            )?;
            Ok(n)
        })
    }

    /// Conversations on publication `id`: a buyer sees their own; the seller and the
    /// administrator see every buyer's, or one buyer's with `buyer`.
    pub fn conversations(
        &self,
        s: &Session,
        id: u64,
        buyer: Option<&str>,
    ) -> DResult<Vec<ConversationView>> {
        self.read(|tx| {
            let u = current(tx, s)?;
            let p = load_pub(tx, id)?;
            let ctx = Ctx::load(tx)?;
            let is_party = p.seller == u.id || u.is_admin();
            let buyer_id = match buyer {
                Some(e) => {
                    let b = user_by_email(tx, e)?;
                    if !is_party && b.id != u.id {
                        return denied("solo puede ver sus propias conversaciones");
                    }
                    Some(b.id)
                }
                None if is_party => None,
                None => Some(u.id),
            };
            let mut out = Vec::new();
            for h in MESSAGES.all_heads(tx)? {
                if h.a == id && buyer_id.is_none_or(|b| b == h.b) {
                    out.push(conversation_view(tx, &ctx, &h, true)?);
                }
            }
            out.sort_by(|a, b| b.last_ms.cmp(&a.last_ms));
            Ok(out)
        })
    }

    /// Conversations where the user asks (as buyer) and where they answer (as seller), newest
    /// activity first.
    pub fn my_conversations(
        &self,
        s: &Session,
    ) -> DResult<(Vec<ConversationView>, Vec<ConversationView>)> {
        self.read(|tx| {
            let u = current(tx, s)?;
            let ctx = Ctx::load(tx)?;
            let mine: std::collections::HashSet<u64> = BY_SELLER
                .find(tx, u.id)?
                .into_iter()
                .map(|p| p + 1)
                .collect();
            let (mut asked, mut received) = (Vec::new(), Vec::new());
            for h in MESSAGES.all_heads(tx)? {
                if h.b == u.id {
                    asked.push(conversation_view(tx, &ctx, &h, true)?);
                } else if mine.contains(&h.a) {
                    received.push(conversation_view(tx, &ctx, &h, true)?);
                }
            }
            asked.sort_by(|a, b| b.last_ms.cmp(&a.last_ms));
            received
                .sort_by(|a, b| (b.unanswered > 0, b.last_ms).cmp(&(a.unanswered > 0, a.last_ms)));
            Ok((asked, received))
        })
    }

    // ---- buying ------------------------------------------------------------------------------

    /// Buys publication `id`: moves the price from buyer to seller, marks the publication sold,
    /// records the sale and issues the invoice — one transaction.
    pub fn buy(&self, s: &Session, id: u64) -> DResult<Purchase> {
        self.write(|tx| {
            let buyer = current(tx, s)?;
            buy_in_tx(tx, buyer, id, now_ms())
        })
    }

    /// The buyer rates the seller after buying (once).
    pub fn rate(&self, s: &Session, sale: u64, rating: Rating) -> DResult<()> {
        self.rate_with_comment(s, sale, rating, "")
    }

    /// The buyer rates the seller after buying (once), with an optional comment that the
    /// seller's page shows.
    pub fn rate_with_comment(
        &self,
        s: &Session,
        sale: u64,
        rating: Rating,
        comment: &str,
    ) -> DResult<()> {
        if rating == Rating::Unrated {
            return invalid("elija recomendable, neutral o no recomendable");
        }
        let comment = super::shop::validate_comment(comment)?;
        self.write(|tx| {
            let u = current(tx, s)?;
            rate_in_tx(tx, &u, sale, rating, &comment, now_ms())
        })
    }

    /// The user's purchases, newest first (their queue in VENTAS).
    pub fn purchases(&self, s: &Session) -> DResult<Vec<SaleView>> {
        self.read(|tx| {
            let u = current(tx, s)?;
            purchases_of(tx, u.id)
        })
    }

    // ---- wallet ------------------------------------------------------------------------------

    pub fn wallet(&self, s: &Session) -> DResult<WalletView> {
        self.read(|tx| {
            let u = current(tx, s)?;
            // The other party of each movement, read once per user (not the whole file).
            let ctx = Ctx::load(tx)?;
            tx.prefetch(MOVEMENTS)?;
            let n = tx.slot_count(MOVEMENTS)?;
            let mut movements = Vec::new();
            for pos in (0..n).rev() {
                if let Slot::Live(b) = tx.slot(MOVEMENTS, pos)? {
                    let m = Movement::decode(&b)?;
                    if m.user == u.id {
                        let other = if m.other != 0 {
                            Some(
                                ctx.user(tx, m.other)?
                                    .map_or_else(|| "(baja)".into(), |o| o.email.to_string()),
                            )
                        } else {
                            None
                        };
                        movements.push(MovementView {
                            time_ms: m.time_ms,
                            kind: m.kind,
                            label: m.kind.label().into(),
                            amount: format_cents(m.amount),
                            balance_after: format_cents(m.balance_after),
                            amount_cents: m.amount,
                            balance_after_cents: m.balance_after,
                            other,
                            reference: m.reference,
                        });
                    }
                }
            }
            Ok(WalletView {
                balance: format_cents(u.balance),
                balance_cents: u.balance,
                movements,
            })
        })
    }

    pub fn deposit(&self, s: &Session, cents: i64) -> DResult<i64> {
        check_amount(cents)?;
        self.write(|tx| {
            let u = current(tx, s)?;
            deposit_in_tx(tx, u, cents, now_ms())
        })
    }

    pub fn withdraw(&self, s: &Session, cents: i64) -> DResult<i64> {
        check_amount(cents)?;
        self.write(|tx| {
            let mut u = current(tx, s)?;
            if cents > u.balance {
                return conflict(format!(
                    "saldo insuficiente: quiere retirar {} y su billetera tiene {}",
                    format::money(cents),
                    format::money(u.balance)
                ))
                .on(Field::Amount);
            }
            u.balance -= cents;
            store_user(tx, &u)?;
            add_movement(tx, &u, MoveKind::Withdraw, -cents, 0, 0, now_ms())?;
            tx.log_event(&u.email, "extracción", &format_cents(cents))?;
            Ok(u.balance)
        })
    }

    pub fn transfer(&self, s: &Session, to: &str, cents: i64) -> DResult<i64> {
        check_amount(cents)?;
        self.write(|tx| {
            let mut u = current(tx, s)?;
            let mut dest = user_by_email(tx, to).on(Field::Recipient)?;
            if dest.id == u.id {
                return invalid("no puede transferirse a sí mismo").on(Field::Recipient);
            }
            if dest.is_blocked() {
                return conflict(format!("la cuenta {} está bloqueada", dest.email))
                    .on(Field::Recipient);
            }
            if cents > u.balance {
                return conflict(format!(
                    "saldo insuficiente: quiere transferir {} y su billetera tiene {}",
                    format::money(cents),
                    format::money(u.balance)
                ))
                .on(Field::Amount);
            }
            u.balance -= cents;
            dest.balance += cents;
            store_user(tx, &u)?;
            store_user(tx, &dest)?;
            add_movement(tx, &u, MoveKind::TransferOut, -cents, dest.id, 0, now_ms())?;
            add_movement(tx, &dest, MoveKind::TransferIn, cents, u.id, 0, now_ms())?;
            tx.log_event(
                &u.email,
                "transferencia",
                &format!("{} a {}", format_cents(cents), dest.email),
            )?;
            Ok(u.balance)
        })
    }

    // ---- invoices ----------------------------------------------------------------------------

    /// Invoices where the user is buyer or seller (all, for the administrator), newest first.
    pub fn invoices(&self, s: &Session) -> DResult<Vec<Invoice>> {
        self.read(|tx| {
            let u = current(tx, s)?;
            tx.prefetch(INVOICES)?;
            let n = tx.slot_count(INVOICES)?;
            let mut out = Vec::new();
            for pos in (0..n).rev() {
                let inv = Invoice::decode(&tx.read(INVOICES, pos)?)?;
                if u.is_admin() || inv.buyer_id == u.id || inv.seller_id == u.id {
                    out.push(inv);
                }
            }
            Ok(out)
        })
    }

    pub fn invoice(&self, s: &Session, number: u64) -> DResult<Invoice> {
        self.read(|tx| {
            let u = current(tx, s)?;
            let n = tx.slot_count(INVOICES)?;
            if number == 0 || number > n {
                return not_found(format!("no existe la factura {number}"));
            }
            let inv = Invoice::decode(&tx.read(INVOICES, number - 1)?)?;
            if !(u.is_admin() || inv.buyer_id == u.id || inv.seller_id == u.id) {
                return denied(format!("la factura {number} no es suya"));
            }
            Ok(inv)
        })
    }
}

pub(crate) fn purchases_of(tx: &mut impl Tx, buyer: u64) -> DResult<Vec<SaleView>> {
    let ctx = Ctx::load(tx)?;
    let Some(h) = SALES.find(tx, buyer, 0)? else {
        return Ok(Vec::new());
    };
    let mut out: Vec<SaleView> = SALES
        .items_of(tx, &h)?
        .iter()
        .map(|it| sale_view(tx, &ctx, it.pos, &Sale::decode(&it.payload)?))
        .collect::<DResult<_>>()?;
    out.reverse();
    Ok(out)
}
