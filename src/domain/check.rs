//! `check`: the share's fsck. Runs the storage check, every ME's check, and the cross-file
//! invariants of the domain (every publication indexed once in each AVL, sold publications
//! and their sales agree, every balance equals the sum of its movements, one invoice per sale).

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::market::*;
use super::records::*;
use super::trade::all_sales;
use super::views::{HashDispersion, TreeNode, tree_levels};
use super::{DResult, Market};
use crate::me::Problems;
use crate::storage::check::{StorageReport, check_storage};
use crate::storage::record::Slot;
use crate::storage::{NIL, Tx};

#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub storage: StorageReport,
    pub structures: Vec<Problems>,
    pub ok: bool,
}

impl CheckReport {
    pub fn to_text(&self) -> String {
        let mut out = String::from("Archivos:\n");
        for f in &self.storage.files {
            out.push_str(&format!(
                "  {:<18} {:>4} bytes/registro {:>8} registros {:>8} ocupados {:>6} libres  {}\n",
                f.name,
                f.slot_size,
                f.slots,
                f.live,
                f.free,
                if f.problems.is_empty() {
                    "bien"
                } else {
                    "CON PROBLEMAS"
                }
            ));
            for p in &f.problems {
                out.push_str(&format!("      - {p}\n"));
            }
        }
        out.push_str("Estructuras:\n");
        for s in &self.structures {
            out.push_str(&format!(
                "  {:<28} {}\n",
                s.structure,
                if s.is_ok() { "bien" } else { "CON PROBLEMAS" }
            ));
            for p in &s.problems {
                out.push_str(&format!("      - {p}\n"));
            }
        }
        out.push_str(if self.ok {
            "Resultado: la carpeta está sana.\n"
        } else {
            "Resultado: la carpeta tiene problemas.\n"
        });
        out
    }
}

/// Which publication index to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tree {
    Seller,
    Category,
}

pub fn check_tx(tx: &mut impl Tx) -> DResult<CheckReport> {
    let storage = check_storage(tx)?;
    let mut structures = Vec::new();
    if !storage.ok() {
        // Do not walk links through damaged files.
        return Ok(CheckReport {
            ok: false,
            storage,
            structures,
        });
    }
    structures.push(USERS.check(tx)?);
    structures.push(CATEGORIES.check(tx)?);
    // The expected content of each index, from a raw scan of the data file.
    tx.prefetch(PUBS_DAT)?;
    let n = tx.header(PUBS_DAT)?.slot_count;
    let mut by_seller = BTreeSet::new();
    let mut by_cat = BTreeSet::new();
    let mut pubs = Vec::new();
    let mut data = Problems::new(PUBS_DAT);
    for pos in 0..n {
        if let Slot::Live(b) = tx.slot(PUBS_DAT, pos)? {
            let p = Publication::decode(&b);
            if p.id != pos + 1 {
                data.push(format!(
                    "posición {pos}: id {} y debería ser {}",
                    p.id,
                    pos + 1
                ));
            }
            by_seller.insert((p.seller, pos));
            by_cat.insert((p.category, pos));
            pubs.push(p);
        }
    }
    if tx.control(PUBS_CON, PCON_LAST_ID)? != n {
        data.push(format!(
            "el último id del control es {} y hay {n} publicaciones",
            tx.control(PUBS_CON, PCON_LAST_ID)?
        ));
    }
    structures.push(BY_SELLER.check(tx, Some(&by_seller))?);
    structures.push(BY_CATEGORY.check(tx, Some(&by_cat))?);
    structures.push(SALES.check(tx)?);
    structures.push(MESSAGES.check(tx)?);
    structures.extend(super::shop::check_shop(tx)?);
    // Cross-file invariants.
    let sales: HashMap<u64, Sale> = all_sales(tx)?.into_iter().collect();
    for p in &pubs {
        match (p.state, p.sale_pos) {
            (PubState::Sold, pos) if pos != NIL => match sales.get(&pos) {
                Some(s) if s.pub_id == p.id && s.buyer == p.buyer => {}
                _ => data.push(format!(
                    "publicación {}: vendida pero su venta {pos} no corresponde",
                    p.id
                )),
            },
            (PubState::Sold, _) => data.push(format!("publicación {}: vendida sin venta", p.id)),
            (_, pos) if pos != NIL => data.push(format!(
                "publicación {}: tiene venta pero está en estado «{}»",
                p.id,
                p.state.label()
            )),
            _ => {}
        }
    }
    for (pos, s) in &sales {
        if pubs
            .get((s.pub_id as usize).wrapping_sub(1))
            .is_none_or(|p| p.sale_pos != *pos)
        {
            data.push(format!(
                "venta {}: la publicación {} no la reconoce",
                pos + 1,
                s.pub_id
            ));
        }
    }
    structures.push(data);
    let mut money = Problems::new(MOVEMENTS);
    let mut sums: HashMap<u64, i64> = HashMap::new();
    tx.prefetch(MOVEMENTS)?;
    for pos in 0..tx.header(MOVEMENTS)?.slot_count {
        if let Slot::Live(b) = tx.slot(MOVEMENTS, pos)? {
            let m = Movement::decode(&b);
            *sums.entry(m.user).or_default() += m.amount;
        }
    }
    let users = users_by_id(tx)?;
    for u in users.values() {
        let s = sums.get(&u.id).copied().unwrap_or(0);
        if s != u.balance {
            money.push(format!(
                "{}: saldo {} y sus movimientos suman {}",
                u.email, u.balance, s
            ));
        }
        if u.balance < 0 {
            money.push(format!("{}: saldo negativo", u.email));
        }
    }
    let invoices = tx.header(INVOICES)?.slot_count;
    if invoices != sales.len() as u64 {
        money.push(format!("hay {invoices} facturas y {} ventas", sales.len()));
    }
    structures.push(money);
    let ok = structures.iter().all(|s| s.is_ok());
    Ok(CheckReport {
        storage,
        structures,
        ok,
    })
}

impl Market {
    /// Checks the whole share (a fsck). Damage is reported, not returned as an error.
    pub fn check(&self) -> DResult<CheckReport> {
        self.read(|tx| check_tx(tx))
    }

    /// A publication index level by level (the spec's "Estado de los ME").
    pub fn tree(&self, which: Tree) -> DResult<Vec<Vec<TreeNode>>> {
        self.read(|tx| {
            Ok(tree_levels(match which {
                Tree::Seller => BY_SELLER.levels(tx)?,
                Tree::Category => BY_CATEGORY.levels(tx)?,
            }))
        })
    }

    /// The users hash's dispersion test, with blocks of `block` buckets.
    pub fn dispersion(&self, block: u64) -> DResult<HashDispersion> {
        self.read(|tx| Ok(USERS.dispersion(tx, block)?.into()))
    }

    /// The hash's chains bucket by bucket (position, email), for drawing.
    pub fn hash_chains(&self) -> DResult<Vec<Vec<(u64, String)>>> {
        self.read(|tx| {
            Ok(USERS
                .chains(tx)?
                .into_iter()
                .map(|c| {
                    c.into_iter()
                        .map(|(p, k)| (p, String::from_utf8_lossy(&k).into_owned()))
                        .collect()
                })
                .collect())
        })
    }
}

/// The spec's line-by-line level listing of a tree.
pub fn tree_text(levels: &[Vec<TreeNode>]) -> String {
    if levels.is_empty() {
        return "(árbol vacío)\n".into();
    }
    let show = |o: Option<u64>| o.map_or("-".to_string(), |v| v.to_string());
    let mut out = String::new();
    for (i, level) in levels.iter().enumerate() {
        out.push_str(&format!("Nivel {i}:"));
        for n in level {
            out.push_str(&format!(
                " [nodo {} clave {} pos {} bal {:+} izq {} der {} padre {}]",
                n.slot,
                n.key,
                n.pos,
                n.balance,
                show(n.left),
                show(n.right),
                show(n.parent)
            ));
        }
        out.push('\n');
    }
    out
}
