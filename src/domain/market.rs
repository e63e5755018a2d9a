//! The [`Market`]: one opened share with the spec's files, and the helpers every operation
//! shares (who is the current user, loading users and publications).

use std::collections::HashMap;
use std::path::Path;

use serde::Serialize;

use super::records::*;
use super::{DResult, DomainError, denied, not_found};
use crate::storage::events::EVENT_SLOT;
use crate::storage::ident::now_ms;
use crate::storage::probe::{FolderState, probe};
use crate::storage::record::{FreeHome, Slot};
use crate::storage::{EVENTS_FILE, Share, ShareConfig, StorageError, Tx, WriteTx};

pub const ADMIN_EMAIL: &str = "admin@ventalibre.com.ar";
pub const ADMIN_DEFAULT_PASSWORD: &str = "newton";
/// A user is shown online while connected and seen within this time (a terminal that crashed
/// stops refreshing `last seen`, so its user drops off-line by itself).
pub const ONLINE_TTL_MS: i64 = 5 * 60 * 1000;

/// An opened share with the spec's files.
pub struct Market {
    share: Share,
    /// Records a warm page need not decode again (see `catalog::Memo`).
    pub(crate) memo: super::catalog::Memo,
}

/// Who is acting. Obtained from [`Market::login`] / [`Market::authenticate`]; every operation
/// re-reads the account, so a block or a deletion takes effect at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Session {
    pub user_id: u64,
    pub email: String,
    pub name: String,
    pub admin: bool,
}

impl Market {
    /// Opens the share in `dir`, creating the share and its files on first use (admin account,
    /// sample categories) when `create` is true.
    pub fn open(dir: impl AsRef<Path>, create: bool) -> DResult<Market> {
        Market::open_with(dir, ShareConfig::default(), create)
    }

    pub fn open_with(dir: impl AsRef<Path>, config: ShareConfig, create: bool) -> DResult<Market> {
        let dir = dir.as_ref();
        if create {
            // Never create over VentaLibre files that do not open: that would wipe them.
            refuse_damaged_folder(dir)?;
        }
        let share = if create {
            Share::open_or_create(dir, config)?
        } else {
            Share::open(dir, config)?
        };
        Market::with_share(share, create)
    }

    /// A market on a share opened by the caller (tests open one over a failing backend).
    pub fn with_share(share: Share, create: bool) -> DResult<Market> {
        let m = Market {
            share,
            memo: Default::default(),
        };
        let ready = m.share.read(|tx| -> DResult<bool> {
            // A share this program may not even read is refused here (see `version`).
            super::version::may_read(tx)?;
            Ok(tx.exists(USERS.data)?
                && tx.exists(CATEGORIES.data)?
                && tx.exists(BY_CATEGORY.file)?
                && tx.exists(SALES.items)?
                && tx.exists(MESSAGES.items)?
                && tx.exists(INVOICES)?)
        })?;
        if !ready {
            if !create {
                return Err(StorageError::Missing {
                    file: USERS.data.into(),
                }
                .into());
            }
            m.share.write(|tx| m.create_schema(tx))?;
        }
        m.share.read(|tx| verify_schema(tx))?;
        // A share made before the catalogue's own indexes gets them once, in one write
        // transaction. Where this terminal may not write, browse reads the data file instead.
        #[allow(clippy::redundant_closure)] // a generic fn item is not general enough here
        let present = m.share.read(|tx| super::index::present(tx))?;
        if !present {
            let _ = m.write(super::index::ensure);
        }
        Ok(m)
    }

    fn create_schema(&self, tx: &mut WriteTx) -> DResult<()> {
        let fresh = !tx.exists(USERS.data)?;
        USERS.create(tx, USER_BUCKETS)?;
        CATEGORIES.create(tx)?;
        if !tx.exists(PUBS_CON)? {
            tx.create_file(PUBS_CON, 8, FreeHome::Own)?;
            tx.create_file(
                PUBS_DAT,
                PUB_LEN,
                FreeHome::Control {
                    file: PUBS_CON.into(),
                    field: PCON_FREE_DAT,
                },
            )?;
            tx.set_control(PUBS_CON, PCON_FREE_DAT as usize, crate::storage::NIL)?;
        }
        BY_SELLER.create(tx)?;
        BY_CATEGORY.create(tx)?;
        super::index::ensure(tx)?;
        SALES.create(tx)?;
        MESSAGES.create(tx)?;
        tx.create_file(MOVEMENTS, MOVEMENT_LEN, FreeHome::Own)?;
        tx.create_file(INVOICES, INVOICE_LEN, FreeHome::Own)?;
        super::presence::create(tx)?;
        if fresh {
            let rounds = super::password::rounds();
            let salt = super::password::salt();
            let now = now_ms();
            let id = USERS.next_id(tx)?;
            let admin = User {
                email: ADMIN_EMAIL.into(),
                id,
                rounds,
                salt,
                hash: super::password::hash(ADMIN_DEFAULT_PASSWORD, &salt, rounds),
                name: "Administración VentaLibre".into(),
                address: "-".into(),
                province: 0,
                flags: FLAG_ADMIN | FLAG_MUST_CHANGE,
                phone: String::new(),
                created_ms: now,
                last_login_ms: 0,
                last_seen_ms: 0,
                balance: 0,
                photo: [0; 32],
            };
            USERS.insert(tx, ADMIN_EMAIL.as_bytes(), &admin.encode())?;
            for (name, bp) in [
                ("Herramientas eléctricas", 800),
                ("Instrumentos musicales", 1000),
                ("Electrónica", 1200),
                ("Hogar y muebles", 900),
                ("Libros", 500),
                ("Deportes", 1000),
                ("Ropa y calzado", 1100),
                ("Vehículos y repuestos", 600),
            ] {
                let key = CATEGORIES.next_key(tx)?;
                CATEGORIES.insert(
                    tx,
                    key,
                    &Category {
                        name: name.into(),
                        commission_bp: bp,
                        created_ms: now,
                    }
                    .encode(),
                )?;
            }
            tx.log_event("", "alta-carpeta", "carpeta compartida creada")?;
            super::version::create_record(tx)?;
        }
        Ok(())
    }

    pub fn share(&self) -> &Share {
        &self.share
    }

    pub fn dir(&self) -> &Path {
        self.share.dir()
    }

    /// The share's change counter: one small read when nothing changed. Screens poll it.
    pub fn change_counter(&self) -> DResult<u64> {
        Ok(self
            .share
            .read(|tx| -> Result<u64, StorageError> { Ok(tx.counter()) })?)
    }

    pub(crate) fn read<T>(
        &self,
        f: impl FnMut(&mut crate::storage::ReadTx<'_>) -> DResult<T>,
    ) -> DResult<T> {
        self.share.read(f)
    }

    /// A write transaction of the domain: refused first when this program may not write the
    /// share (an older program, or a share to upgrade; see [`super::version`]).
    pub(crate) fn write<T>(&self, f: impl FnOnce(&mut WriteTx<'_>) -> DResult<T>) -> DResult<T> {
        self.share.write(|tx| {
            super::version::may_write(tx)?;
            f(tx)
        })
    }
}

/// The record files of the schema and the slot payload size this version of the program
/// writes in each (EVENTOS.DAT, created by the first event, is the storage layer's).
pub fn schema_files() -> Vec<(&'static str, u32)> {
    let mut v = USERS.files();
    v.extend(CATEGORIES.files());
    v.push((PUBS_CON, 8));
    v.push((PUBS_DAT, PUB_LEN));
    v.extend(BY_SELLER.files());
    v.extend(BY_CATEGORY.files());
    v.extend(SALES.files());
    v.extend(MESSAGES.files());
    v.push((MOVEMENTS, MOVEMENT_LEN));
    v.push((INVOICES, INVOICE_LEN));
    v.push((super::presence::PRESENCE, super::presence::PRESENCE_LEN));
    v
}

/// Files of the schema that a share of format revision 2 lacks until it is upgraded (see
/// `version`): a share without them still opens, to be read.
pub const OPTIONAL_FILES: [&str; 2] = [USERS_IDS, super::presence::PRESENCE];

/// Refuses a folder that holds VentaLibre files which do not open as a share (see
/// `storage::probe`): creating a share there would reset them.
pub(crate) fn refuse_damaged_folder(dir: &Path) -> DResult<()> {
    let names: Vec<&str> = schema_files().into_iter().map(|(n, _)| n).collect();
    if let FolderState::Damaged { found, problem } =
        probe(dir, &names, &[super::photos::PHOTOS_DIR])?
    {
        return Err(DomainError::Damaged(format!(
            "no se crea una carpeta compartida en {}: ya tiene archivos de VentaLibre que no se \
             pueden abrir ({problem}; archivos con datos: {}). No se modificó nada. Revísela con \
             `ventalibre verificar`, repárela con `ventalibre reparar` o restaure una copia con \
             `ventalibre restaurar`",
            dir.display(),
            found.join(", ")
        )));
    }
    Ok(())
}

/// Every file of the schema is in the catalog with the slot size this program expects: a share
/// of another version (or a damaged catalog) is refused here, with the file named, instead of
/// failing later inside a decoder.
pub(crate) fn verify_schema(tx: &mut impl Tx) -> DResult<()> {
    let files = tx.files()?;
    let mut expected = schema_files();
    expected.push((EVENTS_FILE, EVENT_SLOT));
    for (name, size) in expected {
        match files.iter().find(|e| e.name == name) {
            Some(e) if e.slot_size != size => {
                return Err(StorageError::corrupt(
                    name,
                    format!(
                        "tiene registros de {} bytes y esta versión de VentaLibre los espera de \
                         {size}: ¿es una carpeta de otra versión del programa?",
                        e.slot_size
                    ),
                )
                .into());
            }
            None if name != EVENTS_FILE && !OPTIONAL_FILES.contains(&name) => {
                return Err(StorageError::Missing { file: name.into() }.into());
            }
            _ => {}
        }
    }
    Ok(())
}

// ---- helpers shared by the operations ------------------------------------------------------------

pub(crate) fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub(crate) fn find_user(tx: &mut impl Tx, email: &str) -> DResult<Option<User>> {
    let key = normalize_email(email);
    if key.is_empty() || key.len() > EMAIL_LEN {
        return Ok(None);
    }
    Ok(USERS
        .get(tx, key.as_bytes())?
        .map(|(_, v)| User::decode(key.as_bytes(), &v)))
}

pub(crate) fn user_by_email(tx: &mut impl Tx, email: &str) -> DResult<User> {
    match find_user(tx, email)? {
        Some(u) => Ok(u),
        None => not_found(format!(
            "no hay ningún usuario con el email {}",
            normalize_email(email)
        )),
    }
}

/// Every user by id: a scan of the whole users file, for what lists every user (the
/// administrator's listings, check, photos in use). One user is [`user_by_id`].
/// Brings the slots `positions` of `file` (a page's records) into the cache in runs of
/// neighbouring slots: one read per run instead of one per record (short gaps read through,
/// not decoded).
pub(crate) fn prefetch_positions(
    tx: &mut impl Tx,
    file: &str,
    positions: impl IntoIterator<Item = u64>,
) -> DResult<()> {
    let mut sorted: Vec<u64> = positions.into_iter().collect();
    sorted.sort_unstable();
    sorted.dedup();
    tx.prefetch_slots(file, &sorted, crate::me::hash::PREFETCH_GAP_BYTES)?;
    Ok(())
}

pub(crate) fn users_by_id(tx: &mut impl Tx) -> DResult<HashMap<u64, User>> {
    Ok(USERS
        .entries(tx)?
        .into_iter()
        .map(|(k, v)| User::decode(&k, &v))
        .map(|u| (u.id, u))
        .collect())
}

/// The user with id `id`: two reads through USUARIOS.IDS (one index slot, one user slot), or a
/// scan on a share from before the index (format revision 2, read-only until upgraded).
pub(crate) fn user_by_id(tx: &mut impl Tx, id: u64) -> DResult<Option<User>> {
    Ok(USERS
        .get_by_id(tx, id)?
        .map(|(_, k, v)| User::decode(&k, &v)))
}

pub(crate) fn store_user(tx: &mut WriteTx, u: &User) -> DResult<()> {
    if !USERS.update(tx, u.email.as_bytes(), &u.encode())? {
        return not_found(format!("el usuario {} ya no existe", u.email));
    }
    Ok(())
}

/// The acting user, re-read: refused if deleted or blocked, or while the initial password
/// has not been changed.
pub(crate) fn current(tx: &mut impl Tx, s: &Session) -> DResult<User> {
    let u = current_to_change_password(tx, s)?;
    if u.must_change_password() {
        return denied(format!(
            "antes de seguir debe cambiar la clave inicial: en la ventana, «Mi cuenta»; en la \
             consola, `ventalibre --usuario {} clave`",
            u.email
        ));
    }
    Ok(u)
}

/// The acting user for what is allowed before the initial password is changed: changing it,
/// logging in and out, the "last seen" refresh, reading one's own data.
pub(crate) fn current_to_change_password(tx: &mut impl Tx, s: &Session) -> DResult<User> {
    let Some(u) = find_user(tx, &s.email)? else {
        return denied("su cuenta ya no existe; vuelva a registrarse");
    };
    if u.id != s.user_id {
        return denied("su cuenta ya no existe; vuelva a registrarse");
    }
    if u.is_blocked() {
        return denied(super::blocks::blocked_account_message(tx, u.id)?);
    }
    Ok(u)
}

pub(crate) fn current_admin(tx: &mut impl Tx, s: &Session) -> DResult<User> {
    let u = current(tx, s)?;
    if !u.is_admin() {
        return denied("solo la administración puede hacer esto");
    }
    Ok(u)
}

/// Publication `id` (position id - 1 of PUBLICADOS.DAT).
pub(crate) fn load_pub(tx: &mut impl Tx, id: u64) -> DResult<Publication> {
    let n = tx.slot_count(PUBS_DAT)?;
    if id == 0 || id > n {
        return not_found(format!("no existe la publicación {id}"));
    }
    match tx.slot(PUBS_DAT, id - 1)? {
        Slot::Live(b) => Ok(Publication::decode(&b)?),
        Slot::Free { .. } => not_found(format!("no existe la publicación {id}")),
    }
}

/// Stores publication `p` over its record and keeps the catalogue's own indexes (see
/// `index`) right in the same transaction.
pub(crate) fn store_pub(tx: &mut WriteTx, p: &Publication) -> DResult<()> {
    let old = load_pub(tx, p.id)?;
    tx.write(PUBS_DAT, p.id - 1, &p.encode())?;
    super::index::on_change(tx, Some(&old), p, None, now_ms())
}

/// Stores `p` without touching the catalogue's indexes: for repair, which rebuilds them after.
pub(crate) fn store_pub_raw(tx: &mut WriteTx, p: &Publication) -> DResult<()> {
    tx.write(PUBS_DAT, p.id - 1, &p.encode())?;
    Ok(())
}

/// The publications at the given data positions (from an index walk).
pub(crate) fn pubs_at(
    tx: &mut impl Tx,
    positions: impl IntoIterator<Item = u64>,
) -> DResult<Vec<Publication>> {
    positions.into_iter().map(|p| load_pub(tx, p + 1)).collect()
}

pub(crate) fn categories_map(
    tx: &mut impl Tx,
) -> DResult<crate::storage::fasthash::HashMap<u64, Category>> {
    // The list's walk reads its (small) file in one read first.
    Ok(CATEGORIES
        .iter(tx)?
        .into_iter()
        .map(|(k, v)| (k, Category::decode(&v)))
        .collect())
}

pub(crate) fn sale_at(tx: &mut impl Tx, pos: u64) -> DResult<Sale> {
    Ok(Sale::decode(&SALES.item(tx, pos)?.payload)?)
}
