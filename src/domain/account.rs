//! Accounts: registration, log-in, profile, password, deletion, online state, blocking.

use serde::Serialize;

use super::market::*;
use super::records::*;
// Moved to `text`; re-exported for old callers.
use super::field::Checks;
use super::presence::{self, Presence};
pub(crate) use super::text::text;
use super::{DResult, Field, Market, OnField, conflict, denied, invalid, password, provinces};
use crate::storage::Tx;
use crate::storage::ident::now_ms;

/// What a visitor types to register.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub email: String,
    pub password: String,
    pub name: String,
    pub address: String,
    pub province: u8,
    pub phone: String,
    /// Raw bytes of the photo, validated as an image.
    pub photo: Option<Vec<u8>>,
}

/// Changes to a profile (`None`: unchanged).
#[derive(Debug, Clone, Default)]
pub struct ProfileChanges {
    pub name: Option<String>,
    pub address: Option<String>,
    pub province: Option<u8>,
    pub phone: Option<String>,
    pub photo: Option<Vec<u8>>,
}

/// A user as screens and the console show it (never the password hash).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserView {
    pub id: u64,
    pub email: String,
    pub name: String,
    pub address: String,
    pub province: u8,
    pub province_name: String,
    pub phone: String,
    pub created_ms: i64,
    pub last_login_ms: i64,
    pub online: bool,
    pub blocked: bool,
    pub admin: bool,
    /// The password is the initial one: nothing else is allowed until it is changed.
    pub must_change_password: bool,
    pub balance: String,
    pub balance_cents: i64,
    pub photo: Option<String>,
}

impl UserView {
    /// `u` as shown, with its presence read from PRESENCIA.DAT (one small read).
    pub(crate) fn load(tx: &mut impl Tx, u: &User) -> DResult<UserView> {
        Ok(UserView::of(u, presence::of(tx, u)?))
    }

    pub fn of(u: &User, presence: Presence) -> UserView {
        UserView {
            id: u.id,
            email: u.email.to_string(),
            name: u.name.to_string(),
            address: u.address.clone(),
            province: u.province,
            province_name: provinces::name(u.province).into(),
            phone: u.phone.clone(),
            created_ms: u.created_ms,
            last_login_ms: u.last_login_ms,
            online: presence.online(now_ms()),
            blocked: u.is_blocked(),
            admin: u.is_admin(),
            must_change_password: u.must_change_password(),
            balance: super::format_cents(u.balance),
            balance_cents: u.balance,
            photo: photo_opt(&u.photo),
        }
    }
}

/// Checks an email's shape: `local@domain.tld`, at most 64 bytes.
pub fn validate_email(email: &str) -> DResult<String> {
    let e = normalize_email(email);
    if e.is_empty() {
        return invalid("falta el email (por ejemplo nombre@dominio.com.ar)");
    }
    let bad = || {
        invalid(format!(
            "«{}» no es un email válido (ejemplo: nombre@dominio.com.ar)",
            email.trim()
        ))
    };
    if e.len() > EMAIL_LEN {
        return invalid(format!(
            "el email tiene {} caracteres; el máximo es {EMAIL_LEN}",
            e.len()
        ));
    }
    let Some((local, domain)) = e.split_once('@') else {
        return bad();
    };
    let local_ok = !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._%+-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|t| t.len() >= 2 && t.chars().all(|c| c.is_ascii_alphabetic()));
    if local_ok && domain_ok { Ok(e) } else { bad() }
}

/// The rule for a new password, as forms state it before it is broken.
pub const PASSWORD_RULE: &str = "al menos 6 caracteres";

fn validate_password(p: &str) -> DResult<()> {
    if p.is_empty() {
        return invalid(format!("falta la clave ({PASSWORD_RULE})"));
    }
    if p.chars().count() < 6 {
        return invalid(format!("la clave debe tener {PASSWORD_RULE}"));
    }
    if p.len() > 128 {
        return invalid("la clave es demasiado larga (máximo 128 bytes)");
    }
    Ok(())
}

fn validate_province(p: u8) -> DResult<u8> {
    if (p as usize) < provinces::PROVINCES.len() {
        Ok(p)
    } else {
        invalid(format!(
            "la provincia {p} no existe (códigos 0 a {})",
            provinces::PROVINCES.len() - 1
        ))
    }
}

fn validate_phone(p: &str) -> DResult<String> {
    let t = text("el teléfono", p, PHONE_LEN, false)?;
    if !t.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c)) {
        return invalid(format!(
            "«{t}» no es un teléfono válido (solo dígitos, espacios, +, - y paréntesis)"
        ));
    }
    Ok(t)
}

/// Checks every field of a registration (and that the password was typed twice alike, when
/// the repetition is given), so the form shows all its problems at once. Returns the email,
/// name, address, province and phone as they will be stored.
pub fn check_new_user(
    n: &NewUser,
    repeat: Option<&str>,
) -> DResult<(String, String, String, u8, String)> {
    let mut c = Checks::default();
    let email = c.check(Field::Email, validate_email(&n.email));
    c.check(Field::Password, validate_password(&n.password));
    if let Some(r) = repeat
        && r != n.password
    {
        c.fail(Field::PasswordRepeat, "las dos claves no coinciden");
    }
    let name = c.check(
        Field::Name,
        text("el apellido y nombre", &n.name, NAME_LEN, true),
    );
    let address = c.check(
        Field::Address,
        text("el domicilio", &n.address, ADDRESS_LEN, true),
    );
    let province = c.check(Field::Province, validate_province(n.province));
    let phone = c.check(Field::Phone, validate_phone(&n.phone));
    c.finish()?;
    Ok((email, name, address, province, phone))
}

/// Checks a new password and its repetition (changing the password).
pub fn check_new_password(new: &str, repeat: &str) -> DResult<()> {
    let mut c = Checks::default();
    c.check(Field::NewPassword, validate_password(new));
    if new != repeat {
        c.fail(Field::PasswordRepeat, "las dos claves nuevas no coinciden");
    }
    c.finish()
}

impl Market {
    /// Registers a visitor. The email must be new (ignoring case).
    pub fn register(&self, n: NewUser) -> DResult<UserView> {
        let (email, name, address, province, phone) = check_new_user(&n, None)?;
        let photo = n
            .photo
            .as_deref()
            .map(super::photos::prepare)
            .transpose()
            .on(Field::Photo)?;
        let rounds = password::rounds();
        let salt = password::salt();
        let hash = password::hash(&n.password, &salt, rounds);
        let now = now_ms();
        let u = self.write_with_photo(photo.as_ref(), |tx| {
            if find_user(tx, &email)?.is_some() {
                return conflict(format!("ya hay una cuenta con el email {email}"))
                    .on(Field::Email);
            }
            let id = USERS.next_id(tx)?;
            let u = User {
                email: email.as_str().into(),
                id,
                rounds,
                salt,
                hash,
                name: name.as_str().into(),
                address: address.clone(),
                province,
                flags: 0,
                phone: phone.clone(),
                created_ms: now,
                last_login_ms: 0,
                last_seen_ms: 0,
                balance: 0,
                photo: photo.as_ref().map_or([0; 32], |p| p.id),
            };
            USERS.insert(tx, email.as_bytes(), &u.encode())?;
            tx.log_event(&email, "registro", &format!("usuario {id}"))?;
            Ok(u)
        })?;
        Ok(UserView::of(&u, Presence::default()))
    }

    /// Checks email and password (console commands use it). A wrong password and an unknown
    /// email cost the same key derivation, so the time of a refusal does not tell which
    /// emails have an account. The administrator's initial password, when still in use, is
    /// marked to be changed: until it is, every other operation is refused.
    pub fn authenticate(&self, email: &str, pass: &str) -> DResult<Session> {
        let found = self.read(|tx| find_user(tx, email))?;
        let Some(u) = found else {
            password::dummy_verify(pass);
            return denied("email o clave incorrectos");
        };
        if !password::verify(pass, &u.salt, u.rounds, &u.hash) {
            return denied("email o clave incorrectos");
        }
        if u.is_blocked() {
            return denied(self.read(|tx| super::blocks::blocked_account_message(tx, u.id))?);
        }
        let s = Session {
            user_id: u.id,
            email: u.email.to_string(),
            name: u.name.to_string(),
            admin: u.is_admin(),
        };
        if u.is_admin() && pass == ADMIN_DEFAULT_PASSWORD && !u.must_change_password() {
            // A share made before the flag existed: mark it now.
            self.write(|tx| {
                let mut u = current_to_change_password(tx, &s)?;
                u.flags |= FLAG_MUST_CHANGE;
                store_user(tx, &u)
            })?;
        }
        Ok(s)
    }

    /// Whether the user must change their password before doing anything else (the
    /// administrator with the initial one): the window then shows only that form.
    pub fn must_change_password(&self, s: &Session) -> DResult<bool> {
        self.read(|tx| Ok(current_to_change_password(tx, s)?.must_change_password()))
    }

    /// Logs in: checks the password, records the last connection in the user record (the
    /// spec's "Fecha-Hora última conexión") and marks the user connected in PRESENCIA.DAT.
    pub fn login(&self, email: &str, pass: &str) -> DResult<Session> {
        let s = self.authenticate(email, pass)?;
        self.write(|tx| {
            let mut u = current_to_change_password(tx, &s)?;
            let now = now_ms();
            // The connected flag of the first versions lives in PRESENCIA.DAT now.
            u.flags &= !FLAG_CONNECTED;
            u.last_login_ms = now;
            store_user(tx, &u)?;
            presence::set(
                tx,
                u.id,
                Presence {
                    connected: true,
                    last_seen_ms: now,
                },
            )?;
            tx.log_event(&u.email, "conexión", "")?;
            Ok(())
        })?;
        Ok(s)
    }

    /// Logs out: PRESENCIA.DAT only (the users file does not change).
    pub fn logout(&self, s: &Session) -> DResult<()> {
        self.write(|tx| {
            let Some(u) = find_user(tx, &s.email)? else {
                return Ok(());
            };
            presence::set(
                tx,
                u.id,
                Presence {
                    connected: false,
                    last_seen_ms: now_ms(),
                },
            )?;
            tx.log_event(&u.email, "desconexión", "")?;
            Ok(())
        })
    }

    /// Refreshes "last seen" while a terminal stays logged in (the GUI calls it every minute):
    /// one slot of PRESENCIA.DAT in a transaction of its own, so other terminals' caches of
    /// the users file stay valid.
    pub fn heartbeat(&self, s: &Session) -> DResult<()> {
        self.write(|tx| {
            let u = current_to_change_password(tx, s)?;
            presence::set(
                tx,
                u.id,
                Presence {
                    connected: true,
                    last_seen_ms: now_ms(),
                },
            )
        })
    }

    pub fn me(&self, s: &Session) -> DResult<UserView> {
        self.read(|tx| {
            let u = current_to_change_password(tx, s)?;
            UserView::load(tx, &u)
        })
    }

    /// Changes the password (the only operation allowed while the initial one must be
    /// changed). The new one must differ from the current one, and the administrator's from
    /// the initial `newton`.
    pub fn change_password(&self, s: &Session, old: &str, new: &str) -> DResult<()> {
        validate_password(new).on(Field::NewPassword)?;
        let u = self.read(|tx| current_to_change_password(tx, s))?;
        if !password::verify(old, &u.salt, u.rounds, &u.hash) {
            return denied("la clave actual no es correcta").on(Field::Password);
        }
        if new == old {
            return invalid("la clave nueva debe ser distinta de la actual").on(Field::NewPassword);
        }
        if u.is_admin() && new == ADMIN_DEFAULT_PASSWORD {
            return invalid("la clave de la administración no puede ser la inicial")
                .on(Field::NewPassword);
        }
        let rounds = password::rounds();
        let salt = password::salt();
        let hash = password::hash(new, &salt, rounds);
        self.write(|tx| {
            let mut u = current_to_change_password(tx, s)?;
            u.rounds = rounds;
            u.salt = salt;
            u.hash = hash;
            u.flags &= !FLAG_MUST_CHANGE;
            store_user(tx, &u)?;
            tx.log_event(&u.email, "cambio-clave", "")?;
            Ok(())
        })
    }

    /// Whether the administrator still has the initial password (the window warns, and asks
    /// for a new one before anything else).
    pub fn admin_has_default_password(&self) -> DResult<bool> {
        let u = self.read(|tx| user_by_email(tx, ADMIN_EMAIL))?;
        Ok(u.must_change_password()
            || password::verify(ADMIN_DEFAULT_PASSWORD, &u.salt, u.rounds, &u.hash))
    }

    pub fn update_profile(&self, s: &Session, c: ProfileChanges) -> DResult<UserView> {
        let mut checks = Checks::default();
        let name = checks.check(
            Field::Name,
            c.name
                .as_deref()
                .map(|v| text("el apellido y nombre", v, NAME_LEN, true))
                .transpose(),
        );
        let address = checks.check(
            Field::Address,
            c.address
                .as_deref()
                .map(|v| text("el domicilio", v, ADDRESS_LEN, true))
                .transpose(),
        );
        let province = checks.check(
            Field::Province,
            c.province.map(validate_province).transpose(),
        );
        let phone = checks.check(
            Field::Phone,
            c.phone.as_deref().map(validate_phone).transpose(),
        );
        checks.finish()?;
        let photo = c
            .photo
            .as_deref()
            .map(super::photos::prepare)
            .transpose()
            .on(Field::Photo)?;
        let u = self.write_with_photo(photo.as_ref(), |tx| {
            let mut u = current(tx, s)?;
            if let Some(v) = &name {
                u.name = v.as_str().into();
            }
            if let Some(v) = &address {
                u.address = v.clone();
            }
            if let Some(v) = province {
                super::index::seller_moved(tx, u.id, u.province, v)?;
                u.province = v;
            }
            if let Some(v) = &phone {
                u.phone = v.clone();
            }
            if let Some(p) = &photo {
                u.photo = p.id;
            }
            store_user(tx, &u)?;
            tx.log_event(&u.email, "modificación-datos", "")?;
            UserView::load(tx, &u)
        })?;
        Ok(u)
    }

    /// Deletes the account. Refused while it has publications for sale or money in its wallet,
    /// and for the administrator.
    pub fn unregister(&self, s: &Session, pass: &str) -> DResult<()> {
        let u = self.read(|tx| current(tx, s))?;
        if !password::verify(pass, &u.salt, u.rounds, &u.hash) {
            return denied("la clave no es correcta").on(Field::Password);
        }
        self.write(|tx| {
            let u = current(tx, s)?;
            if u.is_admin() {
                return denied("la cuenta de administración no se puede dar de baja");
            }
            let positions = BY_SELLER.find(tx, u.id)?;
            let active = pubs_at(tx, positions)?.iter().filter(|p| p.state == super::PubState::Published).count();
            if active > 0 {
                return conflict(format!(
                    "tiene {active} publicaciones a la venta: páuselas o anúlelas antes de darse de baja"
                ));
            }
            if u.balance > 0 {
                return conflict(format!(
                    "su billetera tiene $ {}: retire o transfiera el saldo antes de darse de baja",
                    super::format_cents(u.balance)
                ));
            }
            USERS.remove(tx, u.email.as_bytes())?;
            tx.log_event(&u.email, "baja-usuario", &format!("usuario {}", u.id))?;
            Ok(())
        })
    }

    /// A user's public data (name, province, rating summary), for a publication's page.
    pub fn user_view(&self, email: &str) -> DResult<UserView> {
        self.read(|tx| {
            let u = user_by_email(tx, email)?;
            UserView::load(tx, &u)
        })
    }

    /// Every user (administrator only).
    pub fn users(&self, s: &Session) -> DResult<Vec<UserView>> {
        self.read(|tx| {
            current_admin(tx, s)?;
            let mut users: Vec<User> = users_by_id(tx)?.into_values().collect();
            users.sort_by_key(|u| u.id);
            Ok(users_page(tx, users, 0)?.items)
        })
    }

    /// The user with `email` as the administration sees them (None: no such user).
    pub fn admin_user(&self, s: &Session, email: &str) -> DResult<Option<UserView>> {
        self.read(|tx| {
            current_admin(tx, s)?;
            match user_by_email(tx, email) {
                Ok(u) => Ok(Some(UserView::load(tx, &u)?)),
                Err(super::DomainError::NotFound(_)) => Ok(None),
                Err(e) => Err(e),
            }
        })
    }

    /// One page of the users list (administrator): the users with ids `offset + 1 ..= offset
    /// + limit`, read through USUARIOS.IDS, so a page costs its own records whatever the number
    /// of users; a deleted account's id has no user in the page. `total` is the last id given
    /// (the list's length, one row per id), `users` how many accounts exist.
    pub fn users_page(&self, s: &Session, offset: u64, limit: usize) -> DResult<UsersPage> {
        self.read(|tx| {
            current_admin(tx, s)?;
            let total = tx.control(USERS.control, crate::me::hash::CON_LAST_ID)?;
            let ids: Vec<u64> = (offset.saturating_add(1)
                ..=total.min(offset.saturating_add(limit as u64)))
                .collect();
            let users: Vec<User> = USERS
                .get_many_by_id(tx, &ids, |_, k, v| User::decode(k, v))?
                .into_iter()
                .flatten()
                .collect();
            users_page(tx, users, total)
        })
    }

    /// The users whose email or name holds `query` (ignoring case and accents), or whose id it
    /// is (administrator), by id, at most `limit`; `total` is how many match. A search reads
    /// every user (the list's pages do not).
    pub fn find_users(&self, s: &Session, query: &str, limit: usize) -> DResult<UsersPage> {
        let q = super::text::fold(query.trim());
        self.read(|tx| {
            current_admin(tx, s)?;
            if q.is_empty() {
                return users_page(tx, Vec::new(), 0);
            }
            let id: Option<u64> = q.parse().ok();
            let mut found: Vec<User> = users_by_id(tx)?
                .into_values()
                .filter(|u| {
                    Some(u.id) == id
                        || super::text::fold(&u.email).contains(&q)
                        || super::text::fold(&u.name).contains(&q)
                })
                .collect();
            found.sort_by_key(|u| u.id);
            let total = found.len() as u64;
            found.truncate(limit);
            users_page(tx, found, total)
        })
    }

    /// The number of users and the number of users registered (for the status bar).
    pub fn user_count(&self) -> DResult<u64> {
        self.read(|tx| Ok(USERS.len(tx)?))
    }
}

/// A page of the users list: its users as shown, with their presence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsersPage {
    pub items: Vec<UserView>,
    /// The list's length: the last id given (pages), or the matches (a search).
    pub total: u64,
    /// Accounts that exist now.
    pub users: u64,
}

fn users_page(tx: &mut impl Tx, users: Vec<User>, total: u64) -> DResult<UsersPage> {
    let refs: Vec<&User> = users.iter().collect();
    let presence = presence::all(tx, &refs)?;
    Ok(UsersPage {
        items: users
            .iter()
            .zip(presence)
            .map(|(u, p)| UserView::of(u, p))
            .collect(),
        total,
        users: USERS.len(tx)?,
    })
}

/// The upgrade to format revision 3 (see `version::UPGRADES`): the index of users by id made
/// from the users file, and PRESENCIA.DAT (empty: every user shows off-line until their next
/// log-in or heartbeat).
pub(crate) fn upgrade_users_files(tx: &mut crate::storage::WriteTx) -> DResult<()> {
    USERS.build_ids(tx)?;
    presence::create(tx)
}
