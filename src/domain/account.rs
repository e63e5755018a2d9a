//! Accounts: registration, log-in, profile, password, deletion, online state, blocking.

use serde::Serialize;

use super::market::*;
use super::records::*;
use super::{DResult, Market, conflict, denied, invalid, password, provinces};
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
    pub fn of(u: &User) -> UserView {
        UserView {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            address: u.address.clone(),
            province: u.province,
            province_name: provinces::name(u.province).into(),
            phone: u.phone.clone(),
            created_ms: u.created_ms,
            last_login_ms: u.last_login_ms,
            online: is_online(u, now_ms()),
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

pub(crate) fn text(field: &str, v: &str, max: usize, required: bool) -> DResult<String> {
    let t = v.split_whitespace().collect::<Vec<_>>().join(" ");
    if required && t.is_empty() {
        return invalid(format!("falta {field}"));
    }
    if t.len() > max {
        return invalid(format!(
            "{field} es demasiado largo: {} bytes, máximo {max}",
            t.len()
        ));
    }
    refuse_control(field, &t, false)?;
    Ok(t)
}

/// Characters that reorder or hide text on a screen or a terminal: bidirectional overrides and
/// isolates, zero-width marks. Refused like control codes.
fn is_format_trick(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Refuses terminal control codes (escape sequences, bells, backspaces...) and format tricks;
/// with `multiline`, newlines and tabs are allowed.
fn refuse_control(field: &str, t: &str, multiline: bool) -> DResult<()> {
    let bad = t.chars().find(|&c| {
        (c.is_control() && !(multiline && (c == '\n' || c == '\t'))) || is_format_trick(c)
    });
    match bad {
        Some(c) => invalid(format!(
            "{field} contiene caracteres de control (U+{:04X}){}",
            c as u32,
            if multiline {
                "; se permiten saltos de línea y tabulaciones"
            } else {
                ""
            }
        )),
        None => Ok(()),
    }
}

/// A multi-line text (a description): trimmed, `\r\n` made `\n`, at most `max` bytes, no
/// control codes but newlines and tabs.
pub(crate) fn multiline_text(field: &str, v: &str, max: usize, required: bool) -> DResult<String> {
    let t = v.replace("\r\n", "\n").trim().to_string();
    if required && t.is_empty() {
        return invalid(format!("falta {field}"));
    }
    if t.len() > max {
        return invalid(format!(
            "{field} es demasiado larga: {} bytes, máximo {max}",
            t.len()
        ));
    }
    refuse_control(field, &t, true)?;
    Ok(t)
}

fn validate_password(p: &str) -> DResult<()> {
    if p.chars().count() < 6 {
        return invalid("la clave debe tener al menos 6 caracteres");
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

impl Market {
    /// Registers a visitor. The email must be new (ignoring case).
    pub fn register(&self, n: NewUser) -> DResult<UserView> {
        let email = validate_email(&n.email)?;
        validate_password(&n.password)?;
        let name = text("el apellido y nombre", &n.name, NAME_LEN, true)?;
        let address = text("el domicilio", &n.address, ADDRESS_LEN, true)?;
        let province = validate_province(n.province)?;
        let phone = validate_phone(&n.phone)?;
        let photo = n.photo.as_deref().map(super::photos::prepare).transpose()?;
        let rounds = password::rounds();
        let salt = password::salt();
        let hash = password::hash(&n.password, &salt, rounds);
        let now = now_ms();
        let u = self.write_with_photo(photo.as_ref(), |tx| {
            if find_user(tx, &email)?.is_some() {
                return conflict(format!("ya hay una cuenta con el email {email}"));
            }
            let id = USERS.next_id(tx)?;
            let u = User {
                email: email.clone(),
                id,
                rounds,
                salt,
                hash,
                name: name.clone(),
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
        Ok(UserView::of(&u))
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
            return denied("su cuenta está bloqueada por la administración; no puede continuar");
        }
        let s = Session {
            user_id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
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

    /// Logs in: checks the password and marks the user connected.
    pub fn login(&self, email: &str, pass: &str) -> DResult<Session> {
        let s = self.authenticate(email, pass)?;
        self.write(|tx| {
            let mut u = current_to_change_password(tx, &s)?;
            let now = now_ms();
            u.flags |= FLAG_CONNECTED;
            u.last_login_ms = now;
            u.last_seen_ms = now;
            store_user(tx, &u)?;
            tx.log_event(&u.email, "conexión", "")?;
            Ok(())
        })?;
        Ok(s)
    }

    pub fn logout(&self, s: &Session) -> DResult<()> {
        self.write(|tx| {
            let Some(mut u) = find_user(tx, &s.email)? else {
                return Ok(());
            };
            u.flags &= !FLAG_CONNECTED;
            u.last_seen_ms = now_ms();
            store_user(tx, &u)?;
            tx.log_event(&u.email, "desconexión", "")?;
            Ok(())
        })
    }

    /// Refreshes "last seen" while a terminal stays logged in (the GUI calls it every minute).
    pub fn heartbeat(&self, s: &Session) -> DResult<()> {
        self.write(|tx| {
            let mut u = current_to_change_password(tx, s)?;
            u.flags |= FLAG_CONNECTED;
            u.last_seen_ms = now_ms();
            store_user(tx, &u)
        })
    }

    pub fn me(&self, s: &Session) -> DResult<UserView> {
        self.read(|tx| Ok(UserView::of(&current_to_change_password(tx, s)?)))
    }

    /// Changes the password (the only operation allowed while the initial one must be
    /// changed). The new one must differ from the current one, and the administrator's from
    /// the initial `newton`.
    pub fn change_password(&self, s: &Session, old: &str, new: &str) -> DResult<()> {
        validate_password(new)?;
        let u = self.read(|tx| current_to_change_password(tx, s))?;
        if !password::verify(old, &u.salt, u.rounds, &u.hash) {
            return denied("la clave actual no es correcta");
        }
        if new == old {
            return invalid("la clave nueva debe ser distinta de la actual");
        }
        if u.is_admin() && new == ADMIN_DEFAULT_PASSWORD {
            return invalid("la clave de la administración no puede ser la inicial");
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
        let name = c
            .name
            .as_deref()
            .map(|v| text("el apellido y nombre", v, NAME_LEN, true))
            .transpose()?;
        let address = c
            .address
            .as_deref()
            .map(|v| text("el domicilio", v, ADDRESS_LEN, true))
            .transpose()?;
        let province = c.province.map(validate_province).transpose()?;
        let phone = c.phone.as_deref().map(validate_phone).transpose()?;
        let photo = c.photo.as_deref().map(super::photos::prepare).transpose()?;
        let u = self.write_with_photo(photo.as_ref(), |tx| {
            let mut u = current(tx, s)?;
            if let Some(v) = &name {
                u.name = v.clone();
            }
            if let Some(v) = &address {
                u.address = v.clone();
            }
            if let Some(v) = province {
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
            Ok(u)
        })?;
        Ok(UserView::of(&u))
    }

    /// Deletes the account. Refused while it has publications for sale or money in its wallet,
    /// and for the administrator.
    pub fn unregister(&self, s: &Session, pass: &str) -> DResult<()> {
        let u = self.read(|tx| current(tx, s))?;
        if !password::verify(pass, &u.salt, u.rounds, &u.hash) {
            return denied("la clave no es correcta");
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

    /// Blocks or unblocks a user (administrator only). A blocked user is refused at log-in and
    /// in every operation.
    pub fn set_user_blocked(&self, s: &Session, email: &str, blocked: bool) -> DResult<UserView> {
        let u = self.write(|tx| {
            let admin = current_admin(tx, s)?;
            let mut u = user_by_email(tx, email)?;
            if u.is_admin() {
                return denied("no se puede bloquear una cuenta de administración");
            }
            if blocked {
                u.flags |= FLAG_BLOCKED;
                u.flags &= !FLAG_CONNECTED;
            } else {
                u.flags &= !FLAG_BLOCKED;
            }
            store_user(tx, &u)?;
            tx.log_event(
                &admin.email,
                if blocked {
                    "bloqueo-usuario"
                } else {
                    "desbloqueo-usuario"
                },
                &u.email,
            )?;
            Ok(u)
        })?;
        Ok(UserView::of(&u))
    }

    /// A user's public data (name, province, rating summary), for a publication's page.
    pub fn user_view(&self, email: &str) -> DResult<UserView> {
        self.read(|tx| Ok(UserView::of(&user_by_email(tx, email)?)))
    }

    /// Every user (administrator only).
    pub fn users(&self, s: &Session) -> DResult<Vec<UserView>> {
        self.read(|tx| {
            current_admin(tx, s)?;
            let mut v: Vec<UserView> = users_by_id(tx)?.values().map(UserView::of).collect();
            v.sort_by_key(|u| u.id);
            Ok(v)
        })
    }

    /// The number of users and the number of users registered (for the status bar).
    pub fn user_count(&self) -> DResult<u64> {
        self.read(|tx| Ok(USERS.len(tx)?))
    }
}
