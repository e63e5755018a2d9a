//! The blob store: whole files that are not record files (photos), kept in a sub-folder of the
//! share beside the record files and reached through the share's [`Backend`] like everything
//! else, so their I/O is counted, fault-injected in tests and done under the share's locks.
//!
//! Blobs are written once and never changed: [`BlobStore::put`] writes a temporary name
//! (`<name>.tmp-<16 hex>`), fsyncs it and renames it over the final name (atomic at the file
//! server), so a reader sees a whole blob or none. Writing needs a [`WriteTx`] (the exclusive
//! lock and the lease are held); a put whose transaction does not commit is undone by the
//! caller (`remove`), and whatever a crash leaves (a blob no record names, a temporary file) is
//! what `check` reports and `repair` collects. Names are ASCII without `/`. Record files are
//! never written through a blob store: they are rewritten in place, through transactions.

use std::io;
use std::sync::Arc;

use super::backend::Backend;
use super::error::{Result, StorageError};
use super::share::{Tx, WriteTx};

/// The marker of a temporary name: `<name>.tmp-<16 hex>`.
pub const TMP_MARK: &str = ".tmp-";

/// The blobs in one sub-folder of the share.
pub struct BlobStore {
    backend: Arc<dyn Backend>,
    dir: &'static str,
    /// The largest blob `get` reads (a longer file is damage, not something to load).
    max_len: u64,
}

impl BlobStore {
    pub fn new(backend: Arc<dyn Backend>, dir: &'static str, max_len: u64) -> BlobStore {
        BlobStore {
            backend,
            dir,
            max_len,
        }
    }

    pub fn dir(&self) -> &'static str {
        self.dir
    }

    fn path(&self, name: &str) -> Result<String> {
        if name.is_empty()
            || !name.is_ascii()
            || name.contains(['/', '\\'])
            || name.starts_with('.')
        {
            return Err(StorageError::Misuse(format!(
                "nombre de archivo inválido: {name:?}"
            )));
        }
        Ok(if self.dir.is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", self.dir)
        })
    }

    fn io(&self, name: &str, op: &'static str, e: io::Error) -> StorageError {
        StorageError::io(self.path(name).unwrap_or_else(|_| name.into()), op, e)
    }

    /// The blob `name`, or `None` if there is none.
    pub fn get(&self, _tx: &impl Tx, name: &str) -> Result<Option<Vec<u8>>> {
        let path = self.path(name)?;
        let f = match self.backend.open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io(name, "abrir", e)),
        };
        let len = f.len().map_err(|e| self.io(name, "leer", e))?;
        if len > self.max_len {
            return Err(StorageError::corrupt(
                path,
                format!("pesa {len} bytes; el máximo es {}", self.max_len),
            ));
        }
        let mut b = vec![0u8; len as usize];
        f.read_at(0, &mut b).map_err(|e| self.io(name, "leer", e))?;
        Ok(Some(b))
    }

    /// Whether the blob `name` exists.
    pub fn exists(&self, _tx: &impl Tx, name: &str) -> Result<bool> {
        match self.backend.open(&self.path(name)?) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(self.io(name, "abrir", e)),
        }
    }

    /// Every file of the folder (blobs and temporary left-overs), sorted; empty if the folder
    /// does not exist yet.
    pub fn list(&self, _tx: &impl Tx) -> Result<Vec<String>> {
        match self.backend.list(self.dir) {
            Ok(mut v) => {
                v.sort();
                Ok(v)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(StorageError::io(self.dir, "listar", e)),
        }
    }

    /// Stores `data` as `name` unless a blob of that name exists. Returns whether it created
    /// it (the caller undoes a created blob if its transaction does not commit). On error
    /// nothing is left behind, not even the temporary file.
    pub fn put(&self, _tx: &WriteTx, name: &str, data: &[u8]) -> Result<bool> {
        let path = self.path(name)?;
        match self.backend.open(&path) {
            Ok(_) => return Ok(false),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(self.io(name, "abrir", e)),
        }
        if !self.dir.is_empty() {
            self.backend
                .create_dir(self.dir)
                .map_err(|e| StorageError::io(self.dir, "crear la carpeta", e))?;
        }
        let tmp = format!("{path}{TMP_MARK}{:016x}", super::ident::random_u64());
        let written = (|| {
            let f = self.backend.open_or_create(&tmp)?;
            f.set_len(0)?;
            f.write_at(0, data)?;
            f.sync()?;
            drop(f);
            self.backend.rename(&tmp, &path)
        })();
        if let Err(e) = written {
            let _ = self.backend.remove(&tmp);
            return Err(self.io(name, "guardar", e));
        }
        Ok(true)
    }

    /// Deletes the blob (or temporary file) `name`; a missing one is not an error.
    pub fn remove(&self, _tx: &WriteTx, name: &str) -> Result<()> {
        match self.backend.remove(&self.path(name)?) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(self.io(name, "borrar", e)),
        }
    }
}

/// Whether `name` is a temporary file a put left behind (a crash between its write and its
/// rename).
pub fn is_temporary(name: &str) -> bool {
    name.contains(TMP_MARK)
}
