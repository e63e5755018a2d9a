//! What a user may do with a publication, and if not, why — decided here once: the domain's
//! operations enforce these rules (inside their transactions, on the record just read), and
//! screens ask [`ListingActions::of`] which buttons to offer and what to say about the others.

use serde::Serialize;

use super::account::UserView;
use super::catalog::PublicationView;
use super::phrases::{state_adjective, state_phrase};
use super::records::{Publication, User};
use super::{DomainError, PubState, Session};

/// Who acts: a user id and whether it is the administrator. `None` is a visitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: u64,
    pub admin: bool,
}

impl From<&Session> for Actor {
    fn from(s: &Session) -> Actor {
        Actor {
            user_id: s.user_id,
            admin: s.admin,
        }
    }
}

impl From<&User> for Actor {
    fn from(u: &User) -> Actor {
        Actor {
            user_id: u.id,
            admin: u.is_admin(),
        }
    }
}

/// What the rules need to know about a publication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub id: u64,
    pub seller: u64,
    pub state: PubState,
    /// Published, and its closing date has passed.
    pub expired: bool,
    /// The closing day as shown (`31/12/2026`).
    pub closes: String,
    /// Who bought it, once sold.
    pub buyer: Option<u64>,
}

impl Listing {
    pub fn of_view(v: &PublicationView) -> Listing {
        Listing {
            id: v.id,
            seller: v.seller_id,
            state: v.state,
            expired: v.expired,
            closes: super::format::date_of_ms(v.closes_ms),
            buyer: v.buyer_id,
        }
    }

    pub(crate) fn of_record(p: &Publication, now_ms: i64) -> Listing {
        Listing {
            id: p.id,
            seller: p.seller,
            state: p.state,
            expired: p.expired(now_ms),
            closes: super::format::date_of_ms(p.closes_ms),
            buyer: (p.buyer != 0).then_some(p.buyer),
        }
    }
}

/// Why an action is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refusal {
    pub kind: RefusalKind,
    /// In Spanish, lower case, as the end of "No se puede comprar: …".
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefusalKind {
    /// A visitor: an account is needed.
    SignIn,
    /// Not this user's to do (not the seller, the administrator, their own publication).
    Denied,
    /// Not in the publication's present state.
    State,
}

impl From<Refusal> for DomainError {
    fn from(r: Refusal) -> DomainError {
        match r.kind {
            RefusalKind::SignIn | RefusalKind::Denied => DomainError::Denied(r.reason),
            RefusalKind::State => DomainError::Conflict(r.reason),
        }
    }
}

/// `Ok(())` or why not.
pub type Permission = Result<(), Refusal>;

fn refuse(kind: RefusalKind, reason: impl Into<String>) -> Permission {
    Err(Refusal {
        kind,
        reason: reason.into(),
    })
}

fn signed_in(who: Option<Actor>, to: &str) -> Result<Actor, Refusal> {
    who.ok_or_else(|| Refusal {
        kind: RefusalKind::SignIn,
        reason: format!("inicie sesión o cree una cuenta para {to}"),
    })
}

fn own(who: Option<Actor>, l: &Listing, to: &str) -> Permission {
    let a = signed_in(who, to)?;
    if a.user_id != l.seller {
        return refuse(
            RefusalKind::Denied,
            format!("solo quien vende puede {to} esta publicación"),
        );
    }
    Ok(())
}

/// An action allowed only from `from`: "solo se puede pausar una publicación publicada; esta
/// está pausada".
fn in_state(l: &Listing, from: &[PubState], verb: &str) -> Permission {
    if from.contains(&l.state) {
        return Ok(());
    }
    let wanted: Vec<&str> = from.iter().map(|s| state_adjective(*s)).collect();
    refuse(
        RefusalKind::State,
        format!(
            "solo se puede {verb} una publicación {}; esta está {}",
            super::phrases::list(&wanted).replace(" y ", " o "),
            state_adjective(l.state)
        ),
    )
}

pub fn may_buy(who: Option<Actor>, l: &Listing) -> Permission {
    let a = signed_in(who, "comprar")?;
    if a.admin {
        return refuse(
            RefusalKind::Denied,
            "la cuenta de administración no compra artículos",
        );
    }
    if a.user_id == l.seller {
        return refuse(RefusalKind::Denied, "es su propia publicación");
    }
    if l.state != PubState::Published || l.expired {
        return refuse(
            RefusalKind::State,
            state_phrase(l.state, l.expired, &l.closes),
        );
    }
    Ok(())
}

pub fn may_ask(who: Option<Actor>, l: &Listing) -> Permission {
    let a = signed_in(who, "preguntar")?;
    if a.admin {
        return refuse(
            RefusalKind::Denied,
            "la cuenta de administración no hace preguntas",
        );
    }
    if a.user_id == l.seller {
        return refuse(
            RefusalKind::Denied,
            "no puede preguntar en su propia publicación",
        );
    }
    if !matches!(l.state, PubState::Published | PubState::Paused) {
        return refuse(
            RefusalKind::State,
            format!(
                "{}: ya no recibe preguntas",
                state_phrase(l.state, false, &l.closes)
            ),
        );
    }
    Ok(())
}

/// Whether `who` may add the publication to their favourites (removing one is always
/// allowed): not their own, not one they bought, not one that will never be for sale again.
pub fn may_favourite(who: Option<Actor>, l: &Listing) -> Permission {
    let a = signed_in(who, "guardar favoritos")?;
    if a.admin {
        return refuse(
            RefusalKind::Denied,
            "la cuenta de administración no guarda favoritos",
        );
    }
    if a.user_id == l.seller {
        return refuse(
            RefusalKind::Denied,
            "no puede marcar como favorita su propia publicación",
        );
    }
    if l.buyer == Some(a.user_id) {
        return refuse(
            RefusalKind::State,
            "ya la compró: la encuentra en «Mis compras»",
        );
    }
    if matches!(l.state, PubState::Sold | PubState::Cancelled) {
        return refuse(
            RefusalKind::State,
            format!(
                "{}: ya no se puede agregar a favoritos",
                state_phrase(l.state, false, &l.closes)
            ),
        );
    }
    Ok(())
}

pub fn may_answer(who: Option<Actor>, l: &Listing) -> Permission {
    own(who, l, "responder en")
}

pub fn may_edit(who: Option<Actor>, l: &Listing) -> Permission {
    own(who, l, "modificar")?;
    in_state(l, &[PubState::Published], "modificar")
}

pub fn may_pause(who: Option<Actor>, l: &Listing) -> Permission {
    own(who, l, "pausar")?;
    in_state(l, &[PubState::Published], "pausar")
}

pub fn may_resume(who: Option<Actor>, l: &Listing) -> Permission {
    own(who, l, "reanudar")?;
    in_state(l, &[PubState::Paused], "reanudar")
}

pub fn may_cancel(who: Option<Actor>, l: &Listing) -> Permission {
    own(who, l, "anular")?;
    in_state(l, &[PubState::Published], "anular")
}

fn admin(who: Option<Actor>, to: &str) -> Permission {
    let a = signed_in(who, to)?;
    if !a.admin {
        return refuse(
            RefusalKind::Denied,
            "solo la administración puede hacer esto",
        );
    }
    Ok(())
}

pub fn may_block(who: Option<Actor>, l: &Listing) -> Permission {
    admin(who, "bloquear")?;
    in_state(l, &[PubState::Published, PubState::Paused], "bloquear")
}

pub fn may_unblock(who: Option<Actor>, l: &Listing) -> Permission {
    admin(who, "desbloquear")?;
    if l.state != PubState::Blocked {
        return refuse(RefusalKind::State, "la publicación no está bloqueada");
    }
    Ok(())
}

/// Whether a category may be renamed, have its commission changed or be deleted: the spec
/// forbids "modificaciones ni bajas" of a category with articles, sold or for sale
/// (`docs/DESIGN.md`, "Categories with articles").
pub fn may_change_category(key: u64, articles: u64) -> Permission {
    if articles > 0 {
        return refuse(
            RefusalKind::State,
            format!(
                "la categoría {key} tiene {}: no se puede modificar ni borrar",
                super::phrases::counted(
                    articles,
                    "artículo publicado o vendido",
                    "artículos publicados o vendidos"
                )
            ),
        );
    }
    Ok(())
}

/// Whether the administrator may block the account `u` (not an administrator's, not one
/// already blocked).
pub fn may_block_user(who: Option<Actor>, u: &UserView) -> Permission {
    admin(who, "bloquear")?;
    if u.admin {
        return refuse(
            RefusalKind::Denied,
            "no se puede bloquear una cuenta de administración",
        );
    }
    if u.blocked {
        return refuse(RefusalKind::State, format!("{} ya está bloqueado", u.email));
    }
    Ok(())
}

/// Whether the administrator may unblock the account `u` (only a blocked one).
pub fn may_unblock_user(who: Option<Actor>, u: &UserView) -> Permission {
    admin(who, "desbloquear")?;
    if !u.blocked {
        return refuse(RefusalKind::State, format!("{} no está bloqueado", u.email));
    }
    Ok(())
}

/// Everything a user may do with one publication, each with its reason when not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListingActions {
    pub buy: Permission,
    pub ask: Permission,
    pub answer: Permission,
    pub edit: Permission,
    pub pause: Permission,
    pub resume: Permission,
    pub cancel: Permission,
    pub block: Permission,
    pub unblock: Permission,
    /// Adding it to the favourites.
    pub favourite: Permission,
}

impl ListingActions {
    /// What `who` (`None`: a visitor) may do with the publication `v` as last read.
    pub fn of(who: Option<&Session>, v: &PublicationView) -> ListingActions {
        let a = who.map(Actor::from);
        let l = Listing::of_view(v);
        ListingActions {
            buy: may_buy(a, &l),
            ask: may_ask(a, &l),
            answer: may_answer(a, &l),
            edit: may_edit(a, &l),
            pause: may_pause(a, &l),
            resume: may_resume(a, &l),
            cancel: may_cancel(a, &l),
            block: may_block(a, &l),
            unblock: may_unblock(a, &l),
            favourite: may_favourite(a, &l),
        }
    }
}

/// The reason of a refused permission (`None` when allowed).
pub fn why(p: &Permission) -> Option<&str> {
    p.as_ref().err().map(|r| r.reason.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(state: PubState, expired: bool) -> Listing {
        Listing {
            id: 7,
            seller: 2,
            state,
            expired,
            closes: "31/01/2026".into(),
            buyer: (state == PubState::Sold).then_some(3),
        }
    }

    const SELLER: Option<Actor> = Some(Actor {
        user_id: 2,
        admin: false,
    });
    const BUYER: Option<Actor> = Some(Actor {
        user_id: 3,
        admin: false,
    });
    const ADMIN: Option<Actor> = Some(Actor {
        user_id: 1,
        admin: true,
    });

    #[test]
    fn the_state_machine_of_a_publication() {
        let published = listing(PubState::Published, false);
        let paused = listing(PubState::Paused, false);
        assert!(may_pause(SELLER, &published).is_ok());
        assert!(may_cancel(SELLER, &published).is_ok());
        assert!(may_edit(SELLER, &published).is_ok());
        assert!(may_resume(SELLER, &published).is_err());
        assert!(may_resume(SELLER, &paused).is_ok());
        assert_eq!(
            why(&may_pause(SELLER, &paused)),
            Some("solo se puede pausar una publicación publicada; esta está pausada")
        );
        assert_eq!(
            why(&may_pause(BUYER, &published)),
            Some("solo quien vende puede pausar esta publicación")
        );
        for s in [PubState::Sold, PubState::Cancelled, PubState::Blocked] {
            let l = listing(s, false);
            for p in [
                may_edit(SELLER, &l),
                may_pause(SELLER, &l),
                may_resume(SELLER, &l),
                may_cancel(SELLER, &l),
            ] {
                assert_eq!(p.unwrap_err().kind, RefusalKind::State, "{s:?}");
            }
        }
        assert!(may_block(ADMIN, &paused).is_ok());
        assert_eq!(
            why(&may_block(ADMIN, &listing(PubState::Sold, false))),
            Some("solo se puede bloquear una publicación publicada o pausada; esta está vendida")
        );
        assert!(may_unblock(ADMIN, &listing(PubState::Blocked, false)).is_ok());
        assert!(may_unblock(ADMIN, &published).is_err());
        assert!(may_block(SELLER, &published).is_err());
    }

    #[test]
    fn who_may_buy_and_ask() {
        let published = listing(PubState::Published, false);
        assert!(may_buy(BUYER, &published).is_ok());
        assert_eq!(
            may_buy(None, &published).unwrap_err().kind,
            RefusalKind::SignIn
        );
        assert_eq!(
            why(&may_buy(SELLER, &published)),
            Some("es su propia publicación")
        );
        assert!(may_buy(ADMIN, &published).is_err());
        assert_eq!(
            why(&may_buy(BUYER, &listing(PubState::Sold, false))),
            Some("la publicación está vendida")
        );
        assert_eq!(
            why(&may_buy(BUYER, &listing(PubState::Published, true))),
            Some("la publicación venció el 31/01/2026")
        );
        assert!(may_ask(BUYER, &listing(PubState::Paused, false)).is_ok());
        assert_eq!(
            why(&may_ask(BUYER, &listing(PubState::Sold, false))),
            Some("la publicación está vendida: ya no recibe preguntas")
        );
        assert!(may_ask(SELLER, &published).is_err());
        assert!(may_answer(SELLER, &published).is_ok());
        assert!(may_answer(BUYER, &published).is_err());
    }

    #[test]
    fn who_may_add_a_favourite() {
        let published = listing(PubState::Published, false);
        assert!(may_favourite(BUYER, &published).is_ok());
        assert!(may_favourite(BUYER, &listing(PubState::Paused, false)).is_ok());
        assert_eq!(
            may_favourite(None, &published).unwrap_err().kind,
            RefusalKind::SignIn
        );
        assert_eq!(
            may_favourite(SELLER, &published).unwrap_err().kind,
            RefusalKind::Denied
        );
        assert!(may_favourite(ADMIN, &published).is_err());
        // Sold to BUYER: they bought it; nobody else may follow it either.
        let sold = listing(PubState::Sold, false);
        assert_eq!(
            why(&may_favourite(BUYER, &sold)),
            Some("ya la compró: la encuentra en «Mis compras»")
        );
        let other = Some(Actor {
            user_id: 4,
            admin: false,
        });
        assert_eq!(
            why(&may_favourite(other, &sold)),
            Some("la publicación está vendida: ya no se puede agregar a favoritos")
        );
        assert!(may_favourite(other, &listing(PubState::Cancelled, false)).is_err());
    }
}
