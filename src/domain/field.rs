//! The fields of what users type, and errors that name the field they concern: a form shows
//! each message next to its field, and every problem of a form at once
//! ([`DomainError::Fields`]). Front ends never guess the field from the message's words.

use serde::Serialize;

use super::{DResult, DomainError};

/// A field of a form (registration, profile, publication, wallet, category, block reason...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    Email,
    /// The password typed (log-in, registration, the current one when changing it).
    Password,
    /// The repetition of a new password.
    PasswordRepeat,
    /// The new password when changing it.
    NewPassword,
    Name,
    Address,
    Province,
    Phone,
    Photo,
    Category,
    Title,
    Description,
    Price,
    Kind,
    Closes,
    /// An amount of money (wallet operations).
    Amount,
    /// Who receives a transfer.
    Recipient,
    Question,
    Answer,
    CategoryName,
    Commission,
    /// Why the administrator blocks a user or a publication.
    Reason,
    /// First and last day of a listing's date range.
    From,
    To,
    /// The user a listing is about.
    User,
}

/// One problem of one field, in Spanish (capitalised, as it is shown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: Field,
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The messages of several field errors in one line (what the console prints).
pub(crate) fn join(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

impl DomainError {
    /// `msg` about `field`.
    pub fn on_field(field: Field, msg: impl Into<String>) -> DomainError {
        DomainError::Fields(vec![FieldError {
            field,
            message: msg.into(),
        }])
    }

    /// The field errors this error carries (empty for errors about no field).
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            DomainError::Fields(v) => v,
            _ => &[],
        }
    }

    /// The message about `field`, if this error has one.
    pub fn on(&self, field: Field) -> Option<&str> {
        self.field_errors()
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// The share folder cannot be reached (missing folder, server or network down).
    pub fn share_unreachable(&self) -> bool {
        matches!(
            self,
            DomainError::Storage(crate::storage::StorageError::Unreachable { .. })
        )
    }

    /// The folder exists but holds no share (or not all of its files).
    pub fn share_missing(&self) -> bool {
        matches!(
            self,
            DomainError::Storage(crate::storage::StorageError::Missing { .. })
        )
    }
}

/// Ties the error of a validation to the field it checked.
pub trait OnField<T> {
    /// An error about no field becomes an error about `field` (its message kept); an error
    /// that already names its field, or a storage error, is left as it is.
    fn on(self, field: Field) -> DResult<T>;
}

impl<T> OnField<T> for DResult<T> {
    fn on(self, field: Field) -> DResult<T> {
        self.map_err(|e| match e {
            DomainError::Invalid(m)
            | DomainError::Denied(m)
            | DomainError::Conflict(m)
            | DomainError::NotFound(m) => DomainError::on_field(field, m),
            other => other,
        })
    }
}

/// Runs every check of a form and keeps every error, so the user sees them all at once.
///
/// ```
/// # use ventalibre::domain::field::{Checks, Field};
/// # use ventalibre::domain::{DResult, parse_cents};
/// let mut c = Checks::default();
/// let price = c.check(Field::Price, parse_cents("abc"));
/// let other = c.check(Field::Amount, parse_cents("12"));
/// assert_eq!((price, other), (0, 1200));
/// let e = c.finish().unwrap_err();
/// assert!(e.on(Field::Price).is_some());
/// ```
#[derive(Debug, Default)]
pub struct Checks {
    errors: Vec<FieldError>,
}

impl Checks {
    /// The value when `r` is good; otherwise records the error under `field` and returns a
    /// placeholder (never used: [`Checks::finish`] then fails).
    pub fn check<T: Default>(&mut self, field: Field, r: DResult<T>) -> T {
        match r.on(field) {
            Ok(v) => v,
            Err(DomainError::Fields(v)) => {
                self.errors.extend(v);
                T::default()
            }
            Err(other) => {
                self.errors.push(FieldError {
                    field,
                    message: other.to_string(),
                });
                T::default()
            }
        }
    }

    /// Records `msg` under `field`.
    pub fn fail(&mut self, field: Field, msg: impl Into<String>) {
        self.errors.push(FieldError {
            field,
            message: msg.into(),
        });
    }

    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// Every error recorded, as one [`DomainError::Fields`].
    pub fn finish(self) -> DResult<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Fields(self.errors))
        }
    }
}
