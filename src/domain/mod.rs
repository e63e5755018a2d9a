//! The domain: users, categories, publications, sales, conversations, wallet and invoices.
//! Every rule and permission of the spec lives here, so the console and the GUI cannot
//! disagree. Front ends hold a [`Market`] and a [`Session`] and call its methods; no front end
//! opens a file.
//!
//! Every change is one storage write transaction: a purchase moves the money, marks the
//! publication sold, appends the sale and the invoice and logs the event, all or nothing.

pub mod account;
pub mod blocks;
pub mod catalog;
pub mod check;
pub mod commissions;
pub mod dates;
pub mod demo;
pub mod environment;
pub mod favourites;
pub mod field;
pub mod format;
pub mod gallery;
pub mod index;
pub mod install;
pub mod invoice;
pub mod maintenance;
pub mod market;
pub mod money;
pub mod news;
pub mod password;
pub mod pdf;
pub mod permissions;
pub mod photos;
pub mod phrases;
pub mod places;
pub mod presence;
pub mod provinces;
pub mod records;
pub mod reports;
pub mod saved_searches;
pub mod shop;
pub mod text;
pub mod trade;
pub mod version;
pub mod views;
pub mod words;

use thiserror::Error;

use crate::storage::StorageError;

pub use field::{Field, FieldError, OnField};
pub use market::{Market, Session};
pub use money::{format_cents, parse_cents};
pub use records::*;

/// Why a domain operation did not happen. Messages are in Spanish: they reach the user as is.
#[derive(Debug, Error)]
pub enum DomainError {
    /// Bad input: a malformed email, a price of "abc", an empty title...
    #[error("{0}")]
    Invalid(String),
    /// Not allowed: wrong password, blocked account, not the owner, not an administrator...
    #[error("{0}")]
    Denied(String),
    /// The thing asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The operation conflicts with the current state (duplicate email, sold article...).
    #[error("{0}")]
    Conflict(String),
    /// Bad input in named fields of a form: every problem found, so a form shows them all at
    /// once, each next to its field (see [`field`]).
    #[error("{}", field::join(.0))]
    Fields(Vec<field::FieldError>),
    /// The share is damaged in a way the operation will not work around (console exit 4).
    #[error("{0}")]
    Damaged(String),
    /// This program may not write (or read) the share: a newer program owns it, or the share
    /// must be upgraded to this program's format first (see [`version`]).
    #[error("{0}")]
    Version(version::VersionRefusal),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl DomainError {
    /// The console's exit code for this error (1 refused, 3 busy/unreachable, 4 damaged).
    pub fn exit_code(&self) -> i32 {
        match self {
            DomainError::Storage(e) if e.is_refusal() => 1,
            DomainError::Storage(e) if e.is_unavailable() => 3,
            DomainError::Storage(e) if e.is_damaged() => 4,
            DomainError::Storage(_) => 3,
            DomainError::Damaged(_) => 4,
            _ => 1,
        }
    }
}

pub type DResult<T> = std::result::Result<T, DomainError>;

pub(crate) fn invalid<T>(msg: impl Into<String>) -> DResult<T> {
    Err(DomainError::Invalid(msg.into()))
}
pub(crate) fn denied<T>(msg: impl Into<String>) -> DResult<T> {
    Err(DomainError::Denied(msg.into()))
}
pub(crate) fn not_found<T>(msg: impl Into<String>) -> DResult<T> {
    Err(DomainError::NotFound(msg.into()))
}
pub(crate) fn conflict<T>(msg: impl Into<String>) -> DResult<T> {
    Err(DomainError::Conflict(msg.into()))
}
