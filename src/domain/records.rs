//! The spec's files as instances of the ME structures, and the byte layout of every domain
//! record (documented in docs/FORMAT.md). Strings are UTF-8, zero padded, cut at a character
//! boundary only by `str_lossy` after validation has already refused over-long input.

use serde::Serialize;
use std::sync::Arc;

use crate::me::avl::AvlIndex;
use crate::me::hash::{IdIndex, OpenHash};
use crate::me::list::LinkedList;
use crate::me::queues::PartialQueues;
use crate::storage::codec::{Dec, Enc};
use crate::storage::{NIL, StorageError};

// ---- files -------------------------------------------------------------------------------

pub const USERS: OpenHash = OpenHash {
    data: "USUARIOS.DAT",
    control: "USUARIOS.CON",
    key_cap: EMAIL_LEN,
    value_len: USER_LEN,
    ids: Some(IdIndex {
        file: USERS_IDS,
        id_offset: 0,
    }),
};
/// The users' index by id (ours): slot `id - 1` holds the user's position in USUARIOS.DAT.
pub const USERS_IDS: &str = "USUARIOS.IDS";
pub const USER_BUCKETS: u64 = 80;
pub const CATEGORIES: LinkedList = LinkedList {
    data: "CATEGORIAS.DAT",
    control: "CATEGORIAS.CON",
    value_len: CATEGORY_LEN,
};
pub const PUBS_DAT: &str = "PUBLICADOS.DAT";
pub const PUBS_CON: &str = "PUBLICADOS.CON";
/// PUBLICADOS.CON control fields.
pub const PCON_LAST_ID: usize = 0;
pub const PCON_ROOT_1: usize = 1;
pub const PCON_ROOT_2: usize = 2;
pub const PCON_FREE_1: u16 = 3; // and 4 (length)
pub const PCON_FREE_2: u16 = 5; // and 6
pub const PCON_FREE_DAT: u16 = 7; // and 8: the spec's "Borrados" of the data file
pub const PCON_COUNT_1: usize = 9;
pub const PCON_COUNT_2: usize = 10;
pub const BY_SELLER: AvlIndex = AvlIndex {
    file: "PUBLICADOS.NTX_1",
    control: PUBS_CON,
    root_field: PCON_ROOT_1,
    count_field: PCON_COUNT_1,
    free_field: PCON_FREE_1,
};
pub const BY_CATEGORY: AvlIndex = AvlIndex {
    file: "PUBLICADOS.NTX_2",
    control: PUBS_CON,
    root_field: PCON_ROOT_2,
    count_field: PCON_COUNT_2,
    free_field: PCON_FREE_2,
};
pub const SALES: PartialQueues = PartialQueues {
    heads: "VENTAS.CON",
    items: "VENTAS.DAT",
    control: "VENTAS.CON",
    payload_len: SALE_LEN,
};
pub const MESSAGES: PartialQueues = PartialQueues {
    heads: "MENSAJES.NTX",
    items: "MENSAJES.DAT",
    control: "MENSAJES.CON",
    payload_len: MESSAGE_LEN,
};
pub const MOVEMENTS: &str = "MOVIMIENTOS.DAT";
pub const INVOICES: &str = "FACTURAS.DAT";

// ---- field sizes -----------------------------------------------------------------------------

pub const EMAIL_LEN: usize = 64;
pub const NAME_LEN: usize = 80;
pub const ADDRESS_LEN: usize = 96;
pub const PHONE_LEN: usize = 24;
pub const TITLE_LEN: usize = 96;
pub const DESCRIPTION_LEN: usize = 512;
pub const CATEGORY_NAME_LEN: usize = 64;
pub const MESSAGE_TEXT_LEN: usize = 272;

pub const USER_LEN: usize = 384;
pub const CATEGORY_LEN: usize = 96;
pub const PUB_LEN: u32 = 768;
pub const SALE_LEN: usize = 192;
pub const MESSAGE_LEN: usize = 16 + 2 * MESSAGE_TEXT_LEN;
pub const MOVEMENT_LEN: u32 = 64;
pub const INVOICE_LEN: u32 = 640;

/// A photo reference: the SHA-256 of the file's content (all zero: no photo).
pub type PhotoId = [u8; 32];

pub fn photo_opt(p: &PhotoId) -> Option<String> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    (p != &[0u8; 32]).then(|| {
        p.iter()
            .flat_map(|b| [HEX[(b >> 4) as usize], HEX[(b & 15) as usize]])
            .map(char::from)
            .collect()
    })
}

/// Values read from disk are untrusted: an enum byte no version of the program writes is
/// damage of `file`, reported as such (never read as a permissive default). `what` names the
/// record and is only called then (a page decodes fifty records; naming each would allocate).
fn known<T>(
    file: &str,
    what: impl Fn() -> String,
    field: &str,
    v: u8,
    got: Option<T>,
) -> Result<T, StorageError> {
    got.ok_or_else(|| StorageError::corrupt(file, format!("{}: {field} desconocido ({v})", what())))
}

// ---- users -----------------------------------------------------------------------------------

pub const FLAG_ADMIN: u8 = 1;
pub const FLAG_BLOCKED: u8 = 2;
pub const FLAG_CONNECTED: u8 = 4;
/// The password is the initial one and must be changed before anything else (the
/// administrator of a new share).
pub const FLAG_MUST_CHANGE: u8 = 8;
pub const KNOWN_FLAGS: u8 = FLAG_ADMIN | FLAG_BLOCKED | FLAG_CONNECTED | FLAG_MUST_CHANGE;

/// A user record (USUARIOS.DAT value; the key is the lower-case email).
///
/// ```text
/// 0 u64 id | 8 u32 kdf rounds | 12 [16] salt | 28 [32] password hash | 60 name (80)
/// 140 address (96) | 236 u8 province | 237 u8 flags (1 admin, 2 blocked, 4 connected,
/// 8 must change the password)
/// 238 phone (24) | 262 i64 created | 270 i64 last login | 278 i64 last seen
/// 286 i64 balance (cents) | 294 [32] photo | 326..384 zero
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub email: Arc<str>,
    pub id: u64,
    pub rounds: u32,
    pub salt: [u8; 16],
    pub hash: [u8; 32],
    pub name: Arc<str>,
    pub address: String,
    pub province: u8,
    pub flags: u8,
    pub phone: String,
    pub created_ms: i64,
    pub last_login_ms: i64,
    pub last_seen_ms: i64,
    pub balance: i64,
    pub photo: PhotoId,
}

impl User {
    pub fn encode(&self) -> Vec<u8> {
        let mut b = vec![0u8; USER_LEN];
        let mut e = Enc::new(&mut b);
        e.u64(self.id)
            .u32(self.rounds)
            .bytes(&self.salt)
            .bytes(&self.hash);
        e.str_lossy(&self.name, NAME_LEN)
            .str_lossy(&self.address, ADDRESS_LEN)
            .u8(self.province)
            .u8(self.flags);
        e.str_lossy(&self.phone, PHONE_LEN)
            .i64(self.created_ms)
            .i64(self.last_login_ms)
            .i64(self.last_seen_ms);
        e.i64(self.balance).bytes(&self.photo);
        b
    }
    pub fn decode(email: &[u8], b: &[u8]) -> User {
        let mut d = Dec::new(b);
        User {
            email: String::from_utf8_lossy(email).into(),
            id: d.u64(),
            rounds: d.u32(),
            salt: d.bytes(16).try_into().expect("16"),
            hash: d.bytes(32).try_into().expect("32"),
            name: d.shared_str(NAME_LEN),
            address: d.str(ADDRESS_LEN),
            province: d.u8(),
            flags: d.u8(),
            phone: d.str(PHONE_LEN),
            created_ms: d.i64(),
            last_login_ms: d.i64(),
            last_seen_ms: d.i64(),
            balance: d.i64(),
            photo: d.bytes(32).try_into().expect("32"),
        }
    }
    pub fn is_admin(&self) -> bool {
        self.flags & FLAG_ADMIN != 0
    }
    pub fn is_blocked(&self) -> bool {
        self.flags & FLAG_BLOCKED != 0
    }
    pub fn must_change_password(&self) -> bool {
        self.flags & FLAG_MUST_CHANGE != 0
    }
}

// ---- categories --------------------------------------------------------------------------------

/// A category (CATEGORIAS.DAT value; the list key is the category key).
/// `0 name (64) | 64 u32 commission (basis points) | 68 i64 created | 76..96 zero`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub name: Arc<str>,
    pub commission_bp: u32,
    pub created_ms: i64,
}

impl Category {
    pub fn encode(&self) -> Vec<u8> {
        let mut b = vec![0u8; CATEGORY_LEN];
        Enc::new(&mut b)
            .str_lossy(&self.name, CATEGORY_NAME_LEN)
            .u32(self.commission_bp)
            .i64(self.created_ms);
        b
    }
    pub fn decode(b: &[u8]) -> Category {
        let mut d = Dec::new(b);
        Category {
            name: d.shared_str(CATEGORY_NAME_LEN),
            commission_bp: d.u32(),
            created_ms: d.i64(),
        }
    }
}

// ---- publications --------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Used = 1,
    New = 2,
}

impl Kind {
    /// The kind stored as `v`; `None` for a byte no version of the program writes.
    pub fn from_u8(v: u8) -> Option<Kind> {
        match v {
            1 => Some(Kind::Used),
            2 => Some(Kind::New),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Kind::Used => "usado",
            Kind::New => "nuevo",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PubState {
    Published = 1,
    Paused = 2,
    Sold = 3,
    Cancelled = 4,
    Blocked = 5,
}

impl PubState {
    /// The state stored as `v`; `None` for an unknown byte (damage, never "published").
    pub fn from_u8(v: u8) -> Option<PubState> {
        match v {
            1 => Some(PubState::Published),
            2 => Some(PubState::Paused),
            3 => Some(PubState::Sold),
            4 => Some(PubState::Cancelled),
            5 => Some(PubState::Blocked),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            PubState::Published => "publicado",
            PubState::Paused => "pausado",
            PubState::Sold => "vendido",
            PubState::Cancelled => "anulado",
            PubState::Blocked => "bloqueado",
        }
    }
}

/// A publication (PUBLICADOS.DAT slot). Publications are never deleted (a cancelled one keeps
/// its history), so the data file only grows and `id = position + 1`.
///
/// ```text
/// 0 u64 id | 8 u64 category | 16 u64 seller | 24 title (96) | 120 description (512)
/// 632 i64 price (cents) | 640 i64 published | 648 i64 closes (end of that day, local) | 656 u8 kind
/// 657 u8 state | 658 u8 state before a block | 659 [32] photo | 691 u64 sale position (NIL)
/// 699 u64 buyer id (0) | 707 i64 updated | 715 i64 sold | 723..768 zero
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub id: u64,
    pub category: u64,
    pub seller: u64,
    pub title: Arc<str>,
    pub description: Arc<str>,
    pub price: i64,
    pub published_ms: i64,
    pub closes_ms: i64,
    pub kind: Kind,
    pub state: PubState,
    pub state_before_block: PubState,
    pub photo: PhotoId,
    pub sale_pos: u64,
    pub buyer: u64,
    pub updated_ms: i64,
    pub sold_ms: i64,
}

impl Publication {
    pub fn encode(&self) -> Vec<u8> {
        let mut b = vec![0u8; PUB_LEN as usize];
        let mut e = Enc::new(&mut b);
        e.u64(self.id).u64(self.category).u64(self.seller);
        e.str_lossy(&self.title, TITLE_LEN)
            .str_lossy(&self.description, DESCRIPTION_LEN);
        e.i64(self.price).i64(self.published_ms).i64(self.closes_ms);
        e.u8(self.kind as u8)
            .u8(self.state as u8)
            .u8(self.state_before_block as u8)
            .bytes(&self.photo);
        e.u64(self.sale_pos)
            .u64(self.buyer)
            .i64(self.updated_ms)
            .i64(self.sold_ms);
        b
    }
    pub fn decode(b: &[u8]) -> Result<Publication, StorageError> {
        let mut d = Dec::new(b);
        let id = d.u64();
        let what = || format!("publicación {id}");
        let (category, seller) = (d.u64(), d.u64());
        let (title, description) = (d.shared_str(TITLE_LEN), d.shared_str(DESCRIPTION_LEN));
        let (price, published_ms, closes_ms) = (d.i64(), d.i64(), d.i64());
        let (k, st, sb) = (d.u8(), d.u8(), d.u8());
        Ok(Publication {
            id,
            category,
            seller,
            title,
            description,
            price,
            published_ms,
            closes_ms,
            kind: known(PUBS_DAT, what, "tipo", k, Kind::from_u8(k))?,
            state: known(PUBS_DAT, what, "estado", st, PubState::from_u8(st))?,
            state_before_block: known(
                PUBS_DAT,
                what,
                "estado previo al bloqueo",
                sb,
                PubState::from_u8(sb),
            )?,
            photo: d.bytes(32).try_into().expect("32"),
            sale_pos: d.u64(),
            buyer: d.u64(),
            updated_ms: d.i64(),
            sold_ms: d.i64(),
        })
    }
    /// Published, but its closing date has passed without a sale.
    pub fn expired(&self, now_ms: i64) -> bool {
        self.state == PubState::Published && self.closes_ms < now_ms
    }
    pub fn no_sale() -> u64 {
        NIL
    }
}

// ---- sales -----------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rating {
    Unrated = 0,
    Recommend = 1,
    Neutral = 2,
    NotRecommend = 3,
}

impl Rating {
    /// The rating stored as `v`; `None` for an unknown byte (damage, never "unrated").
    pub fn from_u8(v: u8) -> Option<Rating> {
        match v {
            0 => Some(Rating::Unrated),
            1 => Some(Rating::Recommend),
            2 => Some(Rating::Neutral),
            3 => Some(Rating::NotRecommend),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Rating::Unrated => "sin calificar",
            Rating::Recommend => "recomendable",
            Rating::Neutral => "neutral",
            Rating::NotRecommend => "no recomendable",
        }
    }
    pub fn parse(s: &str) -> Option<Rating> {
        match s.trim().to_lowercase().as_str() {
            "recommend" | "recomendable" | "1" | "si" | "sí" => Some(Rating::Recommend),
            "neutral" | "2" => Some(Rating::Neutral),
            "not-recommend" | "no-recomendable" | "no recomendable" | "3" | "no" => {
                Some(Rating::NotRecommend)
            }
            _ => None,
        }
    }
}

/// A sale (VENTAS.DAT item payload; the queue key is (buyer id, 0)).
///
/// ```text
/// 0 u64 publication id | 8 u64 seller | 16 u64 buyer | 24 title (96) | 120 i64 price
/// 128 i64 published | 136 i64 sold | 144 u8 kind | 145 u8 rating | 146 u8 commission collected
/// 147 u32 commission (basis points) | 151 i64 commission (cents) | 159 u64 invoice number
/// 167 i64 collected at | 175..192 zero
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sale {
    pub pub_id: u64,
    pub seller: u64,
    pub buyer: u64,
    pub title: String,
    pub price: i64,
    pub published_ms: i64,
    pub sold_ms: i64,
    pub kind: Kind,
    pub rating: Rating,
    pub collected: bool,
    pub commission_bp: u32,
    pub commission: i64,
    pub invoice: u64,
    pub collected_ms: i64,
}

impl Sale {
    pub fn encode(&self) -> Vec<u8> {
        let mut b = vec![0u8; SALE_LEN];
        let mut e = Enc::new(&mut b);
        e.u64(self.pub_id)
            .u64(self.seller)
            .u64(self.buyer)
            .str_lossy(&self.title, TITLE_LEN);
        e.i64(self.price).i64(self.published_ms).i64(self.sold_ms);
        e.u8(self.kind as u8)
            .u8(self.rating as u8)
            .u8(self.collected as u8)
            .u32(self.commission_bp);
        e.i64(self.commission)
            .u64(self.invoice)
            .i64(self.collected_ms);
        b
    }
    pub fn decode(b: &[u8]) -> Result<Sale, StorageError> {
        let mut d = Dec::new(b);
        let (pub_id, seller, buyer) = (d.u64(), d.u64(), d.u64());
        let what = || format!("venta de la publicación {pub_id}");
        let title = d.str(TITLE_LEN);
        let (price, published_ms, sold_ms) = (d.i64(), d.i64(), d.i64());
        let (k, r, c) = (d.u8(), d.u8(), d.u8());
        if c > 1 {
            return Err(StorageError::corrupt(
                SALES.items,
                format!("{}: «comisión cobrada» vale {c}", what()),
            ));
        }
        Ok(Sale {
            pub_id,
            seller,
            buyer,
            title,
            price,
            published_ms,
            sold_ms,
            kind: known(SALES.items, what, "tipo", k, Kind::from_u8(k))?,
            rating: known(SALES.items, what, "calificación", r, Rating::from_u8(r))?,
            collected: c == 1,
            commission_bp: d.u32(),
            commission: d.i64(),
            invoice: d.u64(),
            collected_ms: d.i64(),
        })
    }
}

// ---- messages ------------------------------------------------------------------------------------

/// A message of a conversation (MENSAJES.DAT item payload): the buyer's question and the
/// seller's answer. `0 i64 asked | 8 i64 answered (0: not yet) | 16 question (272) | 288 answer (272)`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub asked_ms: i64,
    pub answered_ms: i64,
    pub question: String,
    pub answer: String,
}

impl Message {
    pub fn encode(&self) -> Vec<u8> {
        let mut b = vec![0u8; MESSAGE_LEN];
        let mut e = Enc::new(&mut b);
        e.i64(self.asked_ms).i64(self.answered_ms);
        e.str_lossy(&self.question, MESSAGE_TEXT_LEN)
            .str_lossy(&self.answer, MESSAGE_TEXT_LEN);
        b
    }
    pub fn decode(b: &[u8]) -> Message {
        let mut d = Dec::new(b);
        Message {
            asked_ms: d.i64(),
            answered_ms: d.i64(),
            question: d.str(MESSAGE_TEXT_LEN),
            answer: d.str(MESSAGE_TEXT_LEN),
        }
    }
}

// ---- wallet movements ------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MoveKind {
    Deposit = 1,
    Withdraw = 2,
    TransferOut = 3,
    TransferIn = 4,
    Purchase = 5,
    SaleIncome = 6,
    CommissionPaid = 7,
    CommissionIncome = 8,
}

impl MoveKind {
    /// The kind stored as `v`; `None` for an unknown byte.
    pub fn from_u8(v: u8) -> Option<MoveKind> {
        Some(match v {
            1 => MoveKind::Deposit,
            2 => MoveKind::Withdraw,
            3 => MoveKind::TransferOut,
            4 => MoveKind::TransferIn,
            5 => MoveKind::Purchase,
            6 => MoveKind::SaleIncome,
            7 => MoveKind::CommissionPaid,
            8 => MoveKind::CommissionIncome,
            _ => return None,
        })
    }
    pub fn label(self) -> &'static str {
        match self {
            MoveKind::Deposit => "depósito",
            MoveKind::Withdraw => "extracción",
            MoveKind::TransferOut => "transferencia enviada",
            MoveKind::TransferIn => "transferencia recibida",
            MoveKind::Purchase => "compra",
            MoveKind::SaleIncome => "venta",
            MoveKind::CommissionPaid => "comisión pagada",
            MoveKind::CommissionIncome => "comisión cobrada",
        }
    }
}

/// A wallet movement (MOVIMIENTOS.DAT slot, append only).
/// `0 u64 user | 8 u8 kind | 9 i64 amount (signed cents) | 17 i64 balance after | 25 u64 other user
/// | 33 i64 time | 41 u64 reference (publication id) | 49 u64 Lamport time | 57..64 zero`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Movement {
    pub user: u64,
    pub kind: MoveKind,
    pub amount: i64,
    pub balance_after: i64,
    pub other: u64,
    pub time_ms: i64,
    pub reference: u64,
    pub lamport: u64,
}

impl Movement {
    pub fn encode(&self) -> Vec<u8> {
        let mut b = vec![0u8; MOVEMENT_LEN as usize];
        let mut e = Enc::new(&mut b);
        e.u64(self.user)
            .u8(self.kind as u8)
            .i64(self.amount)
            .i64(self.balance_after)
            .u64(self.other);
        e.i64(self.time_ms).u64(self.reference).u64(self.lamport);
        b
    }
    pub fn decode(b: &[u8]) -> Result<Movement, StorageError> {
        let mut d = Dec::new(b);
        let user = d.u64();
        let k = d.u8();
        Ok(Movement {
            user,
            kind: known(
                MOVEMENTS,
                || format!("movimiento del usuario {user}"),
                "tipo",
                k,
                MoveKind::from_u8(k),
            )?,
            amount: d.i64(),
            balance_after: d.i64(),
            other: d.u64(),
            time_ms: d.i64(),
            reference: d.u64(),
            lamport: d.u64(),
        })
    }
}

// ---- invoices --------------------------------------------------------------------------------------

/// An invoice (FACTURAS.DAT slot, append only, never changed; number = position + 1).
///
/// ```text
/// 0 u64 number | 8 u64 sale position | 16 u64 publication id | 24 i64 issued | 32 u64 buyer id
/// 40 buyer name (80) | 120 buyer email (64) | 184 buyer address (96) | 280 u64 seller id
/// 288 seller name (80) | 368 seller email (64) | 432 title (96) | 528 u32 quantity
/// 532 i64 unit price | 540 i64 total | 548 u32 commission bp | 552 i64 commission | 560 u8 kind
/// 561 u64 Lamport time | 569..640 zero
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invoice {
    pub number: u64,
    pub sale_pos: u64,
    pub pub_id: u64,
    pub issued_ms: i64,
    pub buyer_id: u64,
    pub buyer_name: String,
    pub buyer_email: String,
    pub buyer_address: String,
    pub seller_id: u64,
    pub seller_name: String,
    pub seller_email: String,
    pub title: String,
    pub quantity: u32,
    pub unit_price: i64,
    pub total: i64,
    pub commission_bp: u32,
    pub commission: i64,
    pub kind: Kind,
    pub lamport: u64,
}

impl Invoice {
    pub fn encode(&self) -> Vec<u8> {
        let mut b = vec![0u8; INVOICE_LEN as usize];
        let mut e = Enc::new(&mut b);
        e.u64(self.number)
            .u64(self.sale_pos)
            .u64(self.pub_id)
            .i64(self.issued_ms)
            .u64(self.buyer_id);
        e.str_lossy(&self.buyer_name, NAME_LEN)
            .str_lossy(&self.buyer_email, EMAIL_LEN)
            .str_lossy(&self.buyer_address, ADDRESS_LEN);
        e.u64(self.seller_id)
            .str_lossy(&self.seller_name, NAME_LEN)
            .str_lossy(&self.seller_email, EMAIL_LEN);
        e.str_lossy(&self.title, TITLE_LEN)
            .u32(self.quantity)
            .i64(self.unit_price)
            .i64(self.total);
        e.u32(self.commission_bp)
            .i64(self.commission)
            .u8(self.kind as u8)
            .u64(self.lamport);
        b
    }
    pub fn decode(b: &[u8]) -> Result<Invoice, StorageError> {
        let mut d = Dec::new(b);
        let number = d.u64();
        let mut i = Invoice {
            number,
            sale_pos: d.u64(),
            pub_id: d.u64(),
            issued_ms: d.i64(),
            buyer_id: d.u64(),
            buyer_name: d.str(NAME_LEN),
            buyer_email: d.str(EMAIL_LEN),
            buyer_address: d.str(ADDRESS_LEN),
            seller_id: d.u64(),
            seller_name: d.str(NAME_LEN),
            seller_email: d.str(EMAIL_LEN),
            title: d.str(TITLE_LEN),
            quantity: d.u32(),
            unit_price: d.i64(),
            total: d.i64(),
            commission_bp: d.u32(),
            commission: d.i64(),
            kind: Kind::Used,
            lamport: 0,
        };
        let k = d.u8();
        i.kind = known(
            INVOICES,
            || format!("factura {number}"),
            "tipo",
            k,
            Kind::from_u8(k),
        )?;
        i.lamport = d.u64();
        Ok(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_photo_id_is_written_as_lowercase_hex_and_none_when_zero() {
        let mut p = [0u8; 32];
        assert_eq!(photo_opt(&p), None);
        p[0] = 0xAB;
        p[31] = 0x05;
        let s = photo_opt(&p).unwrap();
        assert_eq!(s.len(), 64);
        assert!(s.starts_with("ab00") && s.ends_with("0005"), "{s}");
    }

    #[test]
    fn layouts_fit_their_slots_and_roundtrip() {
        let u = User {
            email: "ana@x.com".into(),
            id: 3,
            rounds: 1000,
            salt: [1; 16],
            hash: [2; 32],
            name: "Ana Pérez".into(),
            address: "Calle 1".into(),
            province: 2,
            flags: FLAG_BLOCKED,
            phone: "+54 11".into(),
            created_ms: 5,
            last_login_ms: 6,
            last_seen_ms: 7,
            balance: -1,
            photo: [9; 32],
        };
        assert_eq!(User::decode(b"ana@x.com", &u.encode()), u);
        let p = Publication {
            id: 1,
            category: 2,
            seller: 3,
            title: "t".into(),
            description: "d".repeat(DESCRIPTION_LEN).into(),
            price: 100,
            published_ms: 1,
            closes_ms: 2,
            kind: Kind::New,
            state: PubState::Blocked,
            state_before_block: PubState::Paused,
            photo: [3; 32],
            sale_pos: NIL,
            buyer: 0,
            updated_ms: 4,
            sold_ms: 5,
        };
        assert_eq!(Publication::decode(&p.encode()).unwrap(), p);
        assert!(723 <= PUB_LEN as usize);
        let i = Invoice {
            number: 1,
            sale_pos: 0,
            pub_id: 1,
            issued_ms: 1,
            buyer_id: 1,
            buyer_name: "b".into(),
            buyer_email: "b@x".into(),
            buyer_address: "a".into(),
            seller_id: 2,
            seller_name: "s".into(),
            seller_email: "s@x".into(),
            title: "t".into(),
            quantity: 1,
            unit_price: 5,
            total: 5,
            commission_bp: 100,
            commission: 1,
            kind: Kind::Used,
            lamport: 9,
        };
        assert_eq!(Invoice::decode(&i.encode()).unwrap(), i);
        // An unknown state byte is damage, not "published" (buyable).
        let mut b = p.encode();
        b[657] = 9;
        let e = Publication::decode(&b).unwrap_err();
        assert!(
            e.is_damaged() && e.to_string().contains("estado desconocido (9)"),
            "{e}"
        );
    }
}
