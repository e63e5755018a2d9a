//! Errors of the storage layer. Messages are in Spanish: they reach the user as they are.

use std::io;
use thiserror::Error;

use super::codec::FieldTooLong;

#[derive(Debug, Error)]
pub enum StorageError {
    /// The share folder itself is missing or cannot be reached.
    #[error("no se puede acceder a la carpeta compartida «{dir}»: {source}")]
    Unreachable { dir: String, source: io::Error },

    /// An I/O operation on one file of the share failed (the share dropped, disk full...).
    #[error("error de entrada/salida en {file} ({op}): {source}")]
    Io {
        file: String,
        op: &'static str,
        source: io::Error,
    },

    /// Another terminal held the share lock for longer than the configured wait.
    #[error(
        "la carpeta compartida está ocupada: otra terminal la retiene desde hace más de {waited_ms} ms; intente de nuevo"
    )]
    Busy { waited_ms: u64 },

    /// This terminal was granted the exclusive lock while another live writer is on record:
    /// the share does not carry file locks between terminals. Writing is refused.
    #[error(
        "la carpeta compartida no respeta los bloqueos de archivos entre terminales: el sistema \
         concedió el bloqueo exclusivo a esta terminal mientras {holder} está escribiendo. Para \
         proteger los datos no se escribe nada. Revise el servidor (NFS sin lockd, SMB sin \
         bloqueos de rango o un montaje FUSE)"
    )]
    LocksNotShared { holder: String },

    /// This terminal may read the share but not write it: read-only access, or a mount whose
    /// settings would let two terminals write at once (see `storage::fsinfo`).
    #[error("esta terminal no puede modificar la carpeta compartida: {reason}")]
    ReadOnly { reason: String },

    /// A file fails its checksum, magic, version or shape checks.
    #[error("el archivo {file} está dañado: {detail}")]
    Corrupt { file: String, detail: String },

    /// A file the caller asked for has not been created on this share.
    #[error(
        "el archivo {file} no existe en la carpeta compartida: ¿es la carpeta correcta? (`ventalibre init` prepara una carpeta nueva)"
    )]
    Missing { file: String },

    /// A position outside the file, or a free slot read as if it held a record.
    #[error("{file}: la posición {pos} no contiene un registro ({why})")]
    BadSlot {
        file: String,
        pos: u64,
        why: &'static str,
    },

    /// A record or string larger than its fixed field.
    #[error(transparent)]
    TooLong(#[from] FieldTooLong),

    /// A programming error in a caller of the storage layer (wrong slot size, full catalog...).
    #[error("uso incorrecto del almacenamiento: {0}")]
    Misuse(String),
}

impl StorageError {
    pub fn io(file: impl Into<String>, op: &'static str, source: io::Error) -> Self {
        StorageError::Io {
            file: file.into(),
            op,
            source,
        }
    }
    pub fn corrupt(file: impl Into<String>, detail: impl Into<String>) -> Self {
        StorageError::Corrupt {
            file: file.into(),
            detail: detail.into(),
        }
    }
    /// The share is busy or cannot be reached (console exit code 3).
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StorageError::Unreachable { .. }
                | StorageError::Io { .. }
                | StorageError::Busy { .. }
                | StorageError::LocksNotShared { .. }
        )
    }
    /// The operation is refused for a reason the user can act on (console exit code 1).
    pub fn is_refusal(&self) -> bool {
        matches!(self, StorageError::ReadOnly { .. })
    }
    /// The share's files are damaged (console exit code 4).
    pub fn is_damaged(&self) -> bool {
        matches!(
            self,
            StorageError::Corrupt { .. } | StorageError::BadSlot { .. }
        )
    }
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;
