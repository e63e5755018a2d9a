//! `check`: the share's fsck. Runs the storage check, every ME's check, and the cross-file
//! invariants of the domain, each problem named by file and record: ids unique and within the
//! counters that hand them out; every reference resolves (publication → seller, category;
//! sale → publication, buyer, seller, invoice; conversation → publication, buyer; movement →
//! user); every publication indexed once in each AVL; every balance equals the sum of its
//! movements and each movement's "balance after" its running sum; transfers, purchases and
//! commissions balance out; invoice totals equal their lines and match their sales;
//! commission flags match the collections in the movements; only the administrator has the
//! administration flag; every photo named exists and every photo file is named by a record.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Serialize;

use super::market::*;
use super::photos::{PHOTOS_DIR, hex, thumb_name};
use super::records::*;
use super::views::{HashDispersion, TreeNode, tree_levels};
use super::{DResult, Market, format};
use crate::me::Problems;
use crate::me::hash::CON_LAST_ID;
use crate::storage::blobs::BlobStore;
use crate::storage::check::{SCAN_RUN, StorageReport, check_storage};
use crate::storage::record::Slot;
use crate::storage::{NIL, StorageError, Tx};

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
    /// ORDENES.IDX, the browse orders (ours, a B+ tree; see `index`).
    Orders,
    /// PALABRAS.IDX, the word index (ours, a B+ tree).
    Words,
}

impl Tree {
    /// The index file drawn.
    pub fn file(self) -> &'static str {
        match self {
            Tree::Seller => BY_SELLER.file,
            Tree::Category => BY_CATEGORY.file,
            Tree::Orders => super::index::ORDERS.file,
            Tree::Words => super::index::WORDS.file,
        }
    }

    /// Whether the index is a B+ tree (nodes of many children, every leaf at the same depth)
    /// rather than a binary AVL.
    pub fn is_btree(self) -> bool {
        matches!(self, Tree::Orders | Tree::Words)
    }

    /// What a node's key means, for the drawing's tooltip.
    pub fn key_label(self, key: u64) -> String {
        match self {
            Tree::Seller => format!("{key} (vendedor)"),
            Tree::Category => format!("{key} (categoría)"),
            Tree::Orders => super::index::describe_order_key(key),
            Tree::Words => format!(
                "{key:#018x} (palabra, {})",
                if key & 1 == 0 {
                    "en el nombre"
                } else {
                    "solo en la descripción"
                }
            ),
        }
    }
}

/// Levels of our large indexes (the B+ trees) drawn at most: the top of the tree.
pub const DRAWN_LEVELS: usize = 12;
/// Nodes of our large indexes read for the drawing at most (16 MiB of 4 KiB nodes): the
/// level where the bound falls is drawn cut short, the rest of it counted, not read.
pub const DRAWN_NODES: usize = 4096;

/// An ME's own check; damage that stops it is its report.
fn structure(name: &str, r: Result<Problems, StorageError>) -> DResult<Problems> {
    match r {
        Ok(p) => Ok(p),
        Err(e) if e.is_damaged() => {
            let mut p = Problems::new(name);
            p.push(e.to_string());
            Ok(p)
        }
        Err(e) => Err(e.into()),
    }
}

/// The share's fsck: storage, schema, every ME, and the cross-file invariants, each problem
/// named by file and record.
pub fn check_tx(tx: &mut impl Tx, photos: &BlobStore) -> DResult<CheckReport> {
    let storage = check_storage(tx)?;
    let mut structures = Vec::new();
    let mut schema = Problems::new("esquema");
    if let Err(e) = verify_schema(tx) {
        schema.push(e.to_string());
    }
    if !storage.ok() || !schema.is_ok() {
        // Do not walk links through damaged files.
        structures.push(schema);
        return Ok(CheckReport {
            ok: false,
            storage,
            structures,
        });
    }
    structures.push(structure(USERS.data, USERS.check(tx))?);
    structures.push(structure(
        super::presence::PRESENCE,
        super::presence::check(tx),
    )?);
    structures.push(structure(CATEGORIES.data, CATEGORIES.check(tx))?);
    let mut data = Problems::new(PUBS_DAT);
    let pubs = scan_publications(tx, &mut data)?;
    let by_seller: BTreeSet<(u64, u64)> = pubs.iter().map(|p| (p.seller, p.id - 1)).collect();
    let by_cat: BTreeSet<(u64, u64)> = pubs.iter().map(|p| (p.category, p.id - 1)).collect();
    structures.push(structure(
        BY_SELLER.file,
        BY_SELLER.check(tx, Some(&by_seller)),
    )?);
    structures.push(structure(
        BY_CATEGORY.file,
        BY_CATEGORY.check(tx, Some(&by_cat)),
    )?);
    structures.push(structure(SALES.heads, SALES.check(tx))?);
    structures.push(structure(MESSAGES.heads, MESSAGES.check(tx))?);
    if structures.iter().any(|s| !s.is_ok()) {
        // Cross-file invariants read through the structures: not while they are broken.
        structures.push(data);
        return Ok(CheckReport {
            ok: false,
            storage,
            structures,
        });
    }
    structures.extend(super::shop::check_shop(tx)?);
    structures.extend(super::index::check(tx)?);
    cross_file(tx, photos, pubs, data, &mut structures)?;
    let ok = structures.iter().all(|s| s.is_ok());
    Ok(CheckReport {
        storage,
        structures,
        ok,
    })
}

/// Every publication by a raw scan of PUBLICADOS.DAT (the only raw scan of it), checking its
/// position and the control file's last id.
fn scan_publications(tx: &mut impl Tx, data: &mut Problems) -> DResult<Vec<Publication>> {
    let n = tx.slot_count(PUBS_DAT)?;
    let mut pubs = Vec::new();
    for pos in 0..n {
        if pos % SCAN_RUN == 0 {
            // In runs, each forgotten after it: the data file does not stay in memory.
            tx.forget(PUBS_DAT);
            tx.prefetch_range(PUBS_DAT, pos, pos + SCAN_RUN)?;
        }
        match tx.slot(PUBS_DAT, pos)? {
            Slot::Live(b) => match Publication::decode(&b) {
                Ok(p) if p.id != pos + 1 => data.push(format!(
                    "posición {pos}: tiene el id {} y debería ser {}",
                    p.id,
                    pos + 1
                )),
                Ok(mut p) => {
                    // The cross-file checks need no texts: a million of them would not fit.
                    p.title = "".into();
                    p.description = "".into();
                    pubs.push(p)
                }
                Err(e) => data.push(format!("posición {pos}: {e}")),
            },
            Slot::Free { .. } => data.push(format!(
                "posición {pos}: libre, y las publicaciones no se borran nunca"
            )),
        }
    }
    tx.forget(PUBS_DAT);
    let last = tx.control(PUBS_CON, PCON_LAST_ID)?;
    if last != n {
        data.push(format!(
            "{PUBS_CON}: el último id es {last} y hay {n} publicaciones"
        ));
    }
    Ok(pubs)
}

fn cross_file(
    tx: &mut impl Tx,
    photo_store: &BlobStore,
    pubs: Vec<Publication>,
    mut data: Problems,
    structures: &mut Vec<Problems>,
) -> DResult<()> {
    // ---- users ----
    let mut users_p = Problems::new(USERS.data);
    let last_user = tx.control(USERS.control, CON_LAST_ID)?;
    let mut users: HashMap<u64, User> = HashMap::new();
    let mut admin_seen = false;
    for (k, v) in USERS.entries(tx)? {
        let u = User::decode(&k, &v);
        let who = format!("usuario {} ({})", u.id, u.email);
        if u.id == 0 || u.id > last_user {
            users_p.push(format!(
                "{who}: id fuera de los dados ({USERS_CON}: último id {last_user})",
                USERS_CON = USERS.control
            ));
        }
        if let Some(other) = users.get(&u.id) {
            users_p.push(format!(
                "{who}: el id {} también es de {}",
                u.id, other.email
            ));
        }
        if u.flags & !KNOWN_FLAGS != 0 {
            users_p.push(format!("{who}: marcas desconocidas ({:#04x})", u.flags));
        }
        if u.is_admin() != (&*u.email == ADMIN_EMAIL) {
            users_p.push(if u.is_admin() {
                format!("{who}: tiene la marca de administración y no es {ADMIN_EMAIL}")
            } else {
                format!("{who}: la cuenta de administración no tiene su marca")
            });
        }
        admin_seen |= &*u.email == ADMIN_EMAIL;
        if (u.province as usize) >= super::provinces::PROVINCES.len() {
            users_p.push(format!("{who}: provincia {} inexistente", u.province));
        }
        if u.balance < 0 {
            users_p.push(format!(
                "{who}: saldo negativo ({})",
                format::money(u.balance)
            ));
        }
        users.entry(u.id).or_insert(u);
    }
    if !admin_seen {
        users_p.push(format!("falta la cuenta de administración {ADMIN_EMAIL}"));
    }
    // A user id that no account has is a deleted account if it was handed out.
    let user_ok = |id: u64| id != 0 && id <= last_user;
    let cats = categories_map(tx)?;
    let mut cats_p = Problems::new(CATEGORIES.data);
    for (k, c) in &cats {
        if c.commission_bp > 100_00 {
            cats_p.push(format!(
                "categoría {k}: comisión de {}",
                format::percent(c.commission_bp)
            ));
        }
    }

    // ---- sales ----
    let mut sales_p = Problems::new(SALES.items);
    tx.prefetch(SALES.items)?;
    let mut sales: HashMap<u64, Sale> = HashMap::new();
    for pos in 0..tx.slot_count(SALES.items)? {
        if let Slot::Live(_) = tx.slot(SALES.items, pos)? {
            let it = SALES.item(tx, pos)?;
            match Sale::decode(&it.payload) {
                Ok(s) => {
                    let head = SALES.head(tx, it.head)?;
                    if head.a != s.buyer {
                        sales_p.push(format!(
                            "venta {}: de {} y está en la cola de compras de {}",
                            pos + 1,
                            s.buyer,
                            head.a
                        ));
                    }
                    sales.insert(pos, s);
                }
                Err(e) => sales_p.push(format!("venta {}: {e}", pos + 1)),
            }
        }
    }

    // ---- publications against users, categories, sales ----
    let photo_refs = super::photos::referenced(tx)?;
    for p in &pubs {
        let what = format!("publicación {}", p.id);
        if !user_ok(p.seller) {
            data.push(format!("{what}: vendedor {} inexistente", p.seller));
        } else if users.get(&p.seller).is_some_and(|u| u.is_admin()) {
            data.push(format!("{what}: la administración no publica"));
        }
        if !cats.contains_key(&p.category) {
            data.push(format!("{what}: categoría {} inexistente", p.category));
        }
        if p.price <= 0 {
            data.push(format!("{what}: precio {}", format::money(p.price)));
        }
        if p.state == PubState::Blocked
            && !matches!(p.state_before_block, PubState::Published | PubState::Paused)
        {
            data.push(format!(
                "{what}: bloqueada desde el estado «{}»",
                p.state_before_block.label()
            ));
        }
        match (p.state, p.sale_pos) {
            (PubState::Sold, pos) if pos != NIL => match sales.get(&pos) {
                Some(s) if s.pub_id == p.id && s.buyer == p.buyer && s.seller == p.seller => {}
                Some(_) => data.push(format!(
                    "{what}: vendida, pero la venta {} es de otra publicación, comprador o vendedor",
                    pos + 1
                )),
                None => data.push(format!("{what}: vendida en la venta {}, que no existe", pos + 1)),
            },
            (PubState::Sold, _) => data.push(format!("{what}: vendida sin venta")),
            (_, pos) if pos != NIL => data.push(format!(
                "{what}: tiene la venta {} y está en estado «{}»",
                pos + 1,
                p.state.label()
            )),
            _ if p.buyer != 0 => data.push(format!(
                "{what}: tiene comprador ({}) y no está vendida",
                p.buyer
            )),
            _ => {}
        }
    }
    for (pos, s) in &sales {
        let what = format!("venta {}", pos + 1);
        match pubs.get((s.pub_id as usize).wrapping_sub(1)) {
            Some(p) if p.sale_pos == *pos => {}
            Some(_) => data.push(format!(
                "{what}: la publicación {} no la reconoce",
                s.pub_id
            )),
            None => sales_p.push(format!("{what}: la publicación {} no existe", s.pub_id)),
        }
        for (role, id) in [("comprador", s.buyer), ("vendedor", s.seller)] {
            if !user_ok(id) {
                sales_p.push(format!("{what}: {role} {id} inexistente"));
            }
        }
        if s.buyer == s.seller {
            sales_p.push(format!("{what}: comprador y vendedor son la misma cuenta"));
        }
        if s.commission != super::money::commission(s.price, s.commission_bp) {
            sales_p.push(format!(
                "{what}: comisión {} y al {} % de {} corresponde {}",
                format::money(s.commission),
                format::percent_number(s.commission_bp),
                format::money(s.price),
                format::money(super::money::commission(s.price, s.commission_bp))
            ));
        }
    }

    // ---- conversations ----
    let mut msgs_p = Problems::new(MESSAGES.heads);
    for h in MESSAGES.all_heads(tx)? {
        let what = format!("conversación (publicación {}, comprador {})", h.a, h.b);
        match pubs.get((h.a as usize).wrapping_sub(1)) {
            None => msgs_p.push(format!("{what}: la publicación no existe")),
            Some(p) if p.seller == h.b => {
                msgs_p.push(format!("{what}: quien pregunta es quien vende"))
            }
            _ => {}
        }
        if !user_ok(h.b) {
            msgs_p.push(format!("{what}: el comprador {} no existe", h.b));
        }
    }

    // ---- money: every movement, every balance ----
    let mut money = Problems::new(MOVEMENTS);
    tx.prefetch(MOVEMENTS)?;
    let mut running: HashMap<u64, i64> = HashMap::new();
    let mut pairs: HashMap<&'static str, i64> = HashMap::new();
    let mut commission_paid: HashMap<u64, (u64, i64)> = HashMap::new();
    for pos in 0..tx.slot_count(MOVEMENTS)? {
        let Slot::Live(b) = tx.slot(MOVEMENTS, pos)? else {
            money.push(format!(
                "posición {pos}: libre, y los movimientos no se borran"
            ));
            continue;
        };
        let m = match Movement::decode(&b) {
            Ok(m) => m,
            Err(e) => {
                money.push(format!("posición {pos}: {e}"));
                continue;
            }
        };
        let what = format!("movimiento {} (usuario {})", pos + 1, m.user);
        if !user_ok(m.user) {
            money.push(format!("{what}: usuario inexistente"));
        }
        let sign_ok = match m.kind {
            MoveKind::Deposit
            | MoveKind::TransferIn
            | MoveKind::SaleIncome
            | MoveKind::CommissionIncome => m.amount > 0,
            _ => m.amount < 0,
        };
        if !sign_ok {
            money.push(format!(
                "{what}: {} de {}",
                m.kind.label(),
                format::money(m.amount)
            ));
        }
        let bal = running.entry(m.user).or_default();
        *bal = bal.saturating_add(m.amount);
        if *bal != m.balance_after {
            money.push(format!(
                "{what}: dice dejar el saldo en {} y los movimientos anteriores dan {}",
                format::money(m.balance_after),
                format::money(*bal)
            ));
            *bal = m.balance_after;
        }
        let pair = match m.kind {
            MoveKind::TransferOut | MoveKind::TransferIn => Some("transferencias"),
            MoveKind::Purchase | MoveKind::SaleIncome => Some("compras y ventas"),
            MoveKind::CommissionPaid | MoveKind::CommissionIncome => Some("comisiones"),
            _ => None,
        };
        if let Some(k) = pair {
            *pairs.entry(k).or_default() += m.amount;
        }
        if m.kind == MoveKind::CommissionPaid {
            let e = commission_paid.entry(m.reference).or_default();
            e.0 += 1;
            e.1 -= m.amount;
        }
    }
    for (k, sum) in &pairs {
        if *sum != 0 {
            money.push(format!(
                "las {k} no se compensan: suman {}",
                format::money(*sum)
            ));
        }
    }
    let sums: HashMap<u64, i64> = running;
    for u in users.values() {
        let s = sums.get(&u.id).copied().unwrap_or(0);
        if s != u.balance {
            users_p.push(format!(
                "usuario {} ({}): saldo {} y sus movimientos suman {}",
                u.id,
                u.email,
                format::money(u.balance),
                format::money(s)
            ));
        }
    }
    for (id, s) in &sums {
        if !users.contains_key(id) && *s != 0 {
            money.push(format!(
                "el usuario {id} ya no existe y sus movimientos suman {}",
                format::money(*s)
            ));
        }
    }
    // Commission flags against the collections.
    for (pos, s) in &sales {
        if s.commission == 0 {
            continue;
        }
        let paid = commission_paid.get(&s.pub_id).copied().unwrap_or((0, 0));
        if s.collected && paid != (1, s.commission) {
            sales_p.push(format!(
                "venta {}: comisión marcada cobrada sin su cobro en {MOVEMENTS}",
                pos + 1
            ));
        } else if !s.collected && paid.0 != 0 {
            sales_p.push(format!(
                "venta {}: comisión cobrada en {MOVEMENTS} y no marcada",
                pos + 1
            ));
        }
    }

    // ---- invoices ----
    let mut inv_p = Problems::new(INVOICES);
    tx.prefetch(INVOICES)?;
    let n_inv = tx.slot_count(INVOICES)?;
    let mut invoiced: HashMap<u64, u64> = HashMap::new();
    for pos in 0..n_inv {
        let Slot::Live(b) = tx.slot(INVOICES, pos)? else {
            inv_p.push(format!(
                "posición {pos}: libre, y las facturas no se borran"
            ));
            continue;
        };
        let i = match Invoice::decode(&b) {
            Ok(i) => i,
            Err(e) => {
                inv_p.push(format!("posición {pos}: {e}"));
                continue;
            }
        };
        let what = format!("factura {}", pos + 1);
        if i.number != pos + 1 {
            inv_p.push(format!("{what}: lleva el número {}", i.number));
        }
        if i.quantity == 0 || i.total != i.unit_price.saturating_mul(i.quantity as i64) {
            inv_p.push(format!(
                "{what}: total {} y la línea da {} × {}",
                format::money(i.total),
                i.quantity,
                format::money(i.unit_price)
            ));
        }
        match sales.get(&i.sale_pos) {
            None => inv_p.push(format!("{what}: la venta {} no existe", i.sale_pos + 1)),
            Some(s) => {
                if s.invoice != pos + 1 {
                    inv_p.push(format!(
                        "{what}: la venta {} dice tener la factura {}",
                        i.sale_pos + 1,
                        s.invoice
                    ));
                }
                if s.pub_id != i.pub_id
                    || s.buyer != i.buyer_id
                    || s.seller != i.seller_id
                    || s.price != i.unit_price
                    || s.commission != i.commission
                {
                    inv_p.push(format!(
                        "{what}: no coincide con su venta {} (publicación, comprador, vendedor, precio o comisión)",
                        i.sale_pos + 1
                    ));
                }
            }
        }
        if let Some(prev) = invoiced.insert(i.sale_pos, pos + 1) {
            inv_p.push(format!(
                "{what}: la venta {} ya tiene la factura {prev}",
                i.sale_pos + 1
            ));
        }
    }
    for (pos, s) in &sales {
        if !invoiced.contains_key(pos) {
            sales_p.push(format!(
                "venta {}: sin factura (dice la {})",
                pos + 1,
                s.invoice
            ));
        }
    }

    // ---- photos ----
    let mut photos_p = Problems::new(PHOTOS_DIR);
    let folder = super::photos::scan(tx, photo_store)?;
    let have: HashSet<PhotoId> = folder.photos.iter().copied().collect();
    let thumbs: HashSet<PhotoId> = folder.thumbs.iter().copied().collect();
    for id in &photo_refs {
        if !have.contains(id) {
            photos_p.push(format!("falta la foto {} (la nombra un registro)", hex(id)));
        } else if !thumbs.contains(id) {
            photos_p.push(format!("falta la miniatura de la foto {}", hex(id)));
        }
    }
    for id in &folder.photos {
        match photo_store.get(tx, &hex(id)) {
            Ok(Some(b)) if &super::password::sha256(&b) != id => photos_p.push(format!(
                "la foto {} no tiene el contenido que su nombre dice",
                hex(id)
            )),
            Ok(_) => {}
            Err(e) if e.is_damaged() => photos_p.push(e.to_string()),
            Err(e) => return Err(e.into()),
        }
        if !photo_refs.contains(id) {
            photos_p.push(format!("foto {} que ningún registro nombra", hex(id)));
        }
    }
    for id in &folder.thumbs {
        if !have.contains(id) {
            photos_p.push(format!(
                "miniatura {} de una foto que no está",
                thumb_name(id)
            ));
        }
    }
    for name in &folder.strays {
        photos_p.push(if crate::storage::blobs::is_temporary(name) {
            format!("archivo temporal abandonado {name}")
        } else {
            format!("archivo ajeno {name}")
        });
    }
    for p in [
        users_p, cats_p, data, sales_p, msgs_p, money, inv_p, photos_p,
    ] {
        structures.push(p);
    }
    Ok(())
}

impl Market {
    /// Checks the whole share (a fsck). Damage is reported, not returned as an error.
    pub fn check(&self) -> DResult<CheckReport> {
        let photos = self.photo_store();
        self.read(|tx| check_tx(tx, &photos))
    }

    /// A publication index level by level (the spec's "Estado de los ME").
    pub fn tree(&self, which: Tree) -> DResult<Vec<Vec<TreeNode>>> {
        self.read(|tx| {
            Ok(tree_levels(match which {
                Tree::Seller => BY_SELLER.levels(tx)?,
                Tree::Category => BY_CATEGORY.levels(tx)?,
                Tree::Orders | Tree::Words if !super::index::present(tx)? => Vec::new(),
                Tree::Orders => super::index::ORDERS.levels(tx, DRAWN_LEVELS, DRAWN_NODES)?,
                Tree::Words => super::index::WORDS.levels(tx, DRAWN_LEVELS, DRAWN_NODES)?,
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
pub fn tree_text(tree: Tree, levels: &[Vec<TreeNode>]) -> String {
    if levels.is_empty() {
        return "(árbol vacío)\n".into();
    }
    let notes: String = tree_cuts(levels)
        .iter()
        .map(|c| tree_cut_note(c) + "\n")
        .collect();
    let show = |o: Option<u64>| o.map_or("-".to_string(), |v| v.to_string());
    let mut out = String::new();
    for (i, level) in levels.iter().enumerate() {
        out.push_str(&format!("Nivel {i}:"));
        for n in level {
            if tree.is_btree() {
                // A B+ tree's node: its children (none: a leaf), the entries under it and its
                // lowest key, said in words.
                let kind = match n.children {
                    0 => "hoja".to_string(),
                    1 => "1 hijo".to_string(),
                    c => format!("{c} hijos"),
                };
                let entries = n.entries.map_or(String::new(), |e| {
                    format!(", {}", super::phrases::counted(e, "entrada", "entradas"))
                });
                out.push_str(&format!(
                    " [nodo {}: {kind}{entries}, desde {}]",
                    n.slot,
                    tree.key_label(n.key)
                ));
            } else {
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
        }
        out.push('\n');
    }
    out + &notes
}

/// A level a tree's drawing does not show whole: `total` nodes by its parents' counts of
/// children, `shown` of them read (none when the level was not read at all). Levels count
/// from 1 for the root's children (index `level` of the levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct TreeCut {
    pub level: usize,
    pub shown: u64,
    pub total: u64,
}

/// The levels of `levels` not read whole: a level with fewer nodes than its parents have
/// children (the walk stopped at its bound of nodes), and the level below the last when its
/// nodes have children (not read). Counts come from disk: summed without overflow.
pub fn tree_cuts(levels: &[Vec<TreeNode>]) -> Vec<TreeCut> {
    let mut out = Vec::new();
    for d in 0..levels.len() {
        let total = levels[d]
            .iter()
            .fold(0u64, |a, n| a.saturating_add(u64::from(n.children)));
        let shown = levels.get(d + 1).map_or(0, |l| l.len() as u64);
        if total > shown {
            out.push(TreeCut {
                level: d + 1,
                shown,
                total,
            });
        }
    }
    out
}

/// What the window and the console say of a cut level.
pub fn tree_cut_note(c: &TreeCut) -> String {
    use super::phrases::{agree, counted, group_thousands};
    let missing = c.total.saturating_sub(c.shown);
    if c.shown == 0 {
        format!(
            "Nivel {}: {} sin leer (se leen hasta {} y {}).",
            c.level,
            counted(missing, "nodo", "nodos"),
            counted(DRAWN_LEVELS as u64, "nivel", "niveles"),
            counted(DRAWN_NODES as u64, "nodo", "nodos"),
        )
    } else {
        format!(
            "Nivel {}: se muestran {} de {}; {} sin mostrar (se leen hasta {}).",
            c.level,
            group_thousands(c.shown),
            counted(c.total, "nodo", "nodos"),
            agree(
                missing,
                "queda 1",
                &format!("quedan {}", group_thousands(missing))
            ),
            counted(DRAWN_NODES as u64, "nodo", "nodos"),
        )
    }
}
