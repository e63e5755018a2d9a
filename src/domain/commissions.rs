//! Collecting commissions (administrator): a preview first — which sellers pay how much, and
//! the total — then the collection of exactly what the preview showed, confirmed.
//!
//! Each unpaid commission is collected when its seller's balance covers it, in sale order
//! (a seller with $ 100 and two commissions of $ 60 pays the first and owes the second). The
//! same plan answers the preview and the collection, so they cannot disagree.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Serialize;

use super::market::*;
use super::records::*;
use super::trade::{Collection, add_movement, all_sales};
use super::{DResult, Market, conflict, format_cents};
use crate::storage::ident::now_ms;
use crate::storage::{Tx, WriteTx};

/// What one seller pays (and still owes) if the commissions are collected now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SellerCommission {
    pub seller_id: u64,
    pub seller_name: String,
    pub seller_email: String,
    /// The seller's balance now.
    pub balance_cents: i64,
    /// Commissions collected, and their sum.
    pub sales: u64,
    pub amount_cents: i64,
    /// Commissions the balance does not cover (they stay pending), and their sum.
    pub pending: u64,
    pub pending_cents: i64,
}

/// What collecting the commissions now would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommissionPreview {
    /// One line per seller who owes something, largest amount first.
    pub sellers: Vec<SellerCommission>,
    /// Commissions to collect and their total.
    pub sales: u64,
    pub total_cents: i64,
    /// Commissions that stay pending (balance too low, or the seller's account is gone).
    pub pending: u64,
    pub pending_cents: i64,
    /// The sale numbers to collect (what the confirmation collects, nothing else).
    pub sale_numbers: Vec<u64>,
}

impl CommissionPreview {
    pub fn is_empty(&self) -> bool {
        self.sale_numbers.is_empty()
    }
}

/// One uncollected sale and whether its seller pays it now.
struct Planned {
    pos: u64,
    sale: Sale,
    payable: bool,
}

/// The sellers of the uncollected sales, by id: read one by one through USUARIOS.IDS (their
/// slots in runs), not the whole users file.
fn uncollected_sellers(tx: &mut impl Tx) -> DResult<HashMap<u64, User>> {
    let mut ids: Vec<u64> = all_sales(tx)?
        .into_iter()
        .filter(|(_, s)| !s.collected)
        .map(|(_, s)| s.seller)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    if !USERS.has_ids(tx)? {
        // A share from before the index (read-only until upgraded): one scan.
        let mut all = users_by_id(tx)?;
        return Ok(ids.iter().filter_map(|id| all.remove_entry(id)).collect());
    }
    if ids.len() > 1 {
        USERS.prefetch_ids(tx, &ids)?;
    }
    let mut out = HashMap::new();
    for id in ids {
        if let Some(u) = user_by_id(tx, id)? {
            out.insert(id, u);
        }
    }
    Ok(out)
}

/// The uncollected sales in sale order, each marked payable while its seller's running
/// balance covers it (a commission of zero is always payable: nothing moves).
fn plan(tx: &mut impl Tx, users: &HashMap<u64, User>) -> DResult<Vec<Planned>> {
    let mut balance: HashMap<u64, i64> = users.iter().map(|(id, u)| (*id, u.balance)).collect();
    let mut out = Vec::new();
    for (pos, sale) in all_sales(tx)? {
        if sale.collected {
            continue;
        }
        let payable = match balance.get_mut(&sale.seller) {
            _ if sale.commission == 0 => true,
            Some(b) if *b >= sale.commission => {
                *b -= sale.commission;
                true
            }
            _ => false,
        };
        out.push(Planned { pos, sale, payable });
    }
    Ok(out)
}

fn preview_of(planned: &[Planned], users: &HashMap<u64, User>) -> CommissionPreview {
    let mut per: BTreeMap<u64, SellerCommission> = BTreeMap::new();
    let mut p = CommissionPreview {
        sellers: Vec::new(),
        sales: 0,
        total_cents: 0,
        pending: 0,
        pending_cents: 0,
        sale_numbers: Vec::new(),
    };
    for it in planned {
        if it.payable {
            p.sale_numbers.push(it.pos + 1);
        }
        if it.sale.commission == 0 {
            continue;
        }
        let line = per.entry(it.sale.seller).or_insert_with(|| {
            let u = users.get(&it.sale.seller);
            SellerCommission {
                seller_id: it.sale.seller,
                seller_name: u
                    .map_or_else(|| "(cuenta dada de baja)".into(), |u| u.name.to_string()),
                seller_email: u.map_or_else(|| "(baja)".into(), |u| u.email.to_string()),
                balance_cents: u.map_or(0, |u| u.balance),
                sales: 0,
                amount_cents: 0,
                pending: 0,
                pending_cents: 0,
            }
        });
        if it.payable {
            line.sales += 1;
            line.amount_cents += it.sale.commission;
            p.sales += 1;
            p.total_cents += it.sale.commission;
        } else {
            line.pending += 1;
            line.pending_cents += it.sale.commission;
            p.pending += 1;
            p.pending_cents += it.sale.commission;
        }
    }
    p.sellers = per.into_values().collect();
    p.sellers.sort_by(|a, b| {
        (b.amount_cents, b.pending_cents, a.seller_id).cmp(&(
            a.amount_cents,
            a.pending_cents,
            b.seller_id,
        ))
    });
    p
}

/// The administration collects every commission its sellers can pay, at time `now`.
pub(crate) fn collect_in_tx(tx: &mut WriteTx, admin: User, now: i64) -> DResult<Collection> {
    collect(tx, admin, None, now)
}

/// Collects the planned sales that `only` allows (all payable ones when `None`); each seller
/// who paid gets a news item.
fn collect(
    tx: &mut WriteTx,
    mut admin: User,
    only: Option<&HashSet<u64>>,
    now: i64,
) -> DResult<Collection> {
    let mut users = uncollected_sellers(tx)?;
    let planned = plan(tx, &users)?;
    let mut c = Collection::default();
    for Planned {
        pos,
        mut sale,
        payable,
    } in planned
    {
        let wanted = only.is_none_or(|o| o.contains(&(pos + 1)));
        if !payable || !wanted {
            if sale.commission > 0 {
                c.pending += 1;
                c.pending_cents += sale.commission;
            }
            continue;
        }
        if sale.commission > 0 {
            let Some(seller) = users.get_mut(&sale.seller) else {
                continue;
            };
            seller.balance -= sale.commission;
            admin.balance += sale.commission;
            let seller = seller.clone();
            store_user(tx, &seller)?;
            add_movement(
                tx,
                &seller,
                MoveKind::CommissionPaid,
                -sale.commission,
                admin.id,
                sale.pub_id,
                now,
            )?;
            add_movement(
                tx,
                &admin,
                MoveKind::CommissionIncome,
                sale.commission,
                seller.id,
                sale.pub_id,
                now,
            )?;
            super::news::push(
                tx,
                seller.id,
                super::news::News::new(super::news::NewsKind::Commission, now, sale.pub_id)
                    .amount(sale.commission)
                    .reference(pos + 1),
            )?;
            c.collected += 1;
            c.amount_cents += sale.commission;
        }
        sale.collected = true;
        sale.collected_ms = now;
        SALES.update_item(tx, pos, &sale.encode(), now)?;
    }
    store_user(tx, &admin)?;
    c.amount = format_cents(c.amount_cents);
    tx.log_event(
        &admin.email,
        "cobro-comisiones",
        &format!("{} ventas, $ {}", c.collected, c.amount),
    )?;
    Ok(c)
}

impl Market {
    /// What collecting the commissions now would do: per seller, the commissions their
    /// balance covers and those that stay pending, and the totals. Changes nothing.
    pub fn commission_preview(&self, s: &Session) -> DResult<CommissionPreview> {
        self.read(|tx| {
            current_admin(tx, s)?;
            let users = uncollected_sellers(tx)?;
            let planned = plan(tx, &users)?;
            Ok(preview_of(&planned, &users))
        })
    }

    /// Collects what `preview` showed, confirmed by the administrator: only its sales, and of
    /// them only those whose seller can still pay (a seller who spent the money meanwhile keeps
    /// owing). Refused when the preview has nothing to collect.
    pub fn collect_previewed(
        &self,
        s: &Session,
        preview: &CommissionPreview,
    ) -> DResult<Collection> {
        if preview.is_empty() {
            return conflict("no hay comisiones para cobrar");
        }
        let only: HashSet<u64> = preview.sale_numbers.iter().copied().collect();
        self.write(|tx| {
            let admin = current_admin(tx, s)?;
            collect(tx, admin, Some(&only), now_ms())
        })
    }

    /// Collects every unpaid commission whose seller can pay it: moves it from the seller's
    /// wallet to VentaLibre's (the administrator's) and marks the sale collected.
    pub fn collect_commissions(&self, s: &Session) -> DResult<Collection> {
        self.write(|tx| {
            let admin = current_admin(tx, s)?;
            collect(tx, admin, None, now_ms())
        })
    }
}
