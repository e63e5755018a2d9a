//! Opening a share: the folder check, the control file (created on a new share), and reading
//! the commit state at the start of every transaction.

use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex};

use super::super::backend::{Backend, BackendFile, CountingBackend, FsBackend};
use super::super::ctl::{
    CATALOG_OFFSET, CTL_FILE, Catalog, CommitState, IDENTITY_OFFSET, IDENTITY_SIZE, Identity,
    STATE_OFFSET, STATE_SIZE,
};
use super::super::error::{Result, StorageError};
use super::super::fsinfo;
use super::super::ident::{ProcessIdentity, now_ms, random_u64};
use super::super::lock::ShareLock;
use super::{Inner, Share, ShareConfig};

impl Share {
    /// Opens an existing share in `dir` (the folder must hold `VENTALIBRE.CTL`).
    pub fn open(dir: impl AsRef<Path>, config: ShareConfig) -> Result<Share> {
        Share::open_with(dir, config, None, false)
    }

    /// Opens the share in `dir`, creating its control file if the folder has none.
    pub fn open_or_create(dir: impl AsRef<Path>, config: ShareConfig) -> Result<Share> {
        Share::open_with(dir, config, None, true)
    }

    /// Like [`Share::open_or_create`] / [`Share::open`], with data I/O through `backend`
    /// (tests put a failing backend here). The lock and the lease always use the real folder.
    pub fn open_with(
        dir: impl AsRef<Path>,
        config: ShareConfig,
        backend: Option<Arc<dyn Backend>>,
        create: bool,
    ) -> Result<Share> {
        let dir = dir.as_ref().to_path_buf();
        match std::fs::metadata(&dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(StorageError::Unreachable {
                    dir: dir.display().to_string(),
                    source: io::Error::new(io::ErrorKind::NotADirectory, "no es una carpeta"),
                });
            }
            Err(source) => {
                return Err(StorageError::Unreachable {
                    dir: dir.display().to_string(),
                    source,
                });
            }
        }
        let fs = fsinfo::probe(&dir);
        let policy = fs.policy();
        let inner_backend =
            backend.unwrap_or_else(|| Arc::new(FsBackend::with_direct_io(&dir, policy.direct_io)));
        let counting = CountingBackend::new(inner_backend);
        let counters = counting.counters().clone();
        let lock = ShareLock::open(&dir)?;
        let me = ProcessIdentity::current(config.terminal.clone());
        let read_only = match &policy.write_refusal {
            Some(why) => Some(why.clone()),
            None if !lock.writable() => Some(format!(
                "sólo tiene permiso de lectura en «{}»; puede consultar, pero no modificar",
                dir.display()
            )),
            None => None,
        };
        let mut share = Share {
            dir,
            backend: Arc::new(counting),
            counters,
            config,
            lock,
            me,
            fs,
            policy,
            read_only,
            inner: Mutex::new(Inner::default()),
        };
        share.ensure_control(create)?;
        if share.read_only.is_none()
            && let Err(e) = share.backend.open_rw(CTL_FILE)
            && matches!(
                e.kind(),
                io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
            )
        {
            share.read_only = Some(format!(
                "sólo tiene permiso de lectura en «{}»; puede consultar, pero no modificar",
                share.dir.display()
            ));
        }
        Ok(share)
    }

    /// Creates `VENTALIBRE.CTL` if absent (when `create`), under the exclusive lock and lease.
    pub(super) fn ensure_control(&self, create: bool) -> Result<()> {
        match self.backend.open(CTL_FILE) {
            Ok(f) => {
                if !(create && unfinished_creation(&*f)?) {
                    let mut b = [0u8; IDENTITY_SIZE];
                    return match f.read_at(IDENTITY_OFFSET, &mut b) {
                        Ok(()) => self.take_identity(&b),
                        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(
                            StorageError::corrupt(CTL_FILE, "archivo de control truncado"),
                        ),
                        Err(e) => Err(StorageError::io(CTL_FILE, "leer", e)),
                    };
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound && create => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(StorageError::Missing {
                    file: CTL_FILE.into(),
                });
            }
            Err(e) => return Err(StorageError::io(CTL_FILE, "abrir", e)),
        }
        if let Some(reason) = &self.read_only {
            return Err(StorageError::ReadOnly {
                reason: reason.clone(),
            });
        }
        let (started, deadline) = self.deadline();
        let (_guard, _lease) = self.lock_for_writing(started, deadline)?;
        let f = self
            .backend
            .open_or_create(CTL_FILE)
            .map_err(|e| StorageError::io(CTL_FILE, "crear", e))?;
        // Another terminal may have created it while we waited for the lock.
        if !unfinished_creation(&*f)? {
            let mut b = [0u8; IDENTITY_SIZE];
            f.read_at(IDENTITY_OFFSET, &mut b)
                .map_err(|e| StorageError::io(CTL_FILE, "leer", e))?;
            return self.take_identity(&b);
        }
        let io = |e| StorageError::io(CTL_FILE, "crear", e);
        let id = Identity {
            share_id: random_u64(),
            created_ms: now_ms(),
        };
        f.write_at(CATALOG_OFFSET, &Catalog::default().encode())
            .map_err(io)?;
        f.write_at(STATE_OFFSET, &CommitState::idle(1, 0).encode())
            .map_err(io)?;
        f.sync().map_err(io)?;
        // The identity goes last: a control file without one is not a share yet.
        f.write_at(IDENTITY_OFFSET, &id.encode()).map_err(io)?;
        f.sync().map_err(io)?;
        self.inner().format_version = super::super::ctl::SHARE_FORMAT_VERSION;
        Ok(())
    }

    /// Checks the identity read from the control file and notes its format version.
    fn take_identity(&self, b: &[u8]) -> Result<()> {
        let (_, version) =
            Identity::decode_versioned(b).map_err(|d| StorageError::corrupt(CTL_FILE, d))?;
        self.inner().format_version = version;
        Ok(())
    }

    /// Opens the control file afresh (close-to-open consistency on NFS) and reads the state.
    pub(super) fn read_state(
        &self,
        inner: &mut Inner,
    ) -> Result<(Arc<dyn BackendFile>, Option<CommitState>)> {
        let ctl = match inner.handles.get(CTL_FILE) {
            Some(h) => h.clone(),
            None => {
                let h = self
                    .backend
                    .open(CTL_FILE)
                    .map_err(|e| self.unreachable_or(e, "abrir"))?;
                if self.keep_handles() {
                    inner.handles.insert(CTL_FILE.to_string(), h.clone());
                }
                h
            }
        };
        let mut b = [0u8; STATE_SIZE];
        if let Err(e) = ctl.read_at(STATE_OFFSET, &mut b) {
            // Whatever happened (the share went away, the file was replaced), reopen next time.
            inner.forget_handles();
            return Err(if e.kind() == io::ErrorKind::UnexpectedEof {
                StorageError::corrupt(CTL_FILE, "archivo de control truncado")
            } else {
                self.unreachable_or(e, "leer")
            });
        }
        Ok((ctl, CommitState::decode(&b)))
    }

    pub(super) fn unreachable_or(&self, e: io::Error, op: &'static str) -> StorageError {
        if !self.dir.is_dir() {
            StorageError::Unreachable {
                dir: self.dir.display().to_string(),
                source: e,
            }
        } else if e.kind() == io::ErrorKind::NotFound {
            // It was there when the share was opened: the share vanished (an unmount leaves an
            // empty mount point).
            StorageError::Unreachable {
                dir: self.dir.display().to_string(),
                source: io::Error::new(
                    io::ErrorKind::NotFound,
                    "VENTALIBRE.CTL ya no está: la carpeta compartida dejó de estar disponible",
                ),
            }
        } else {
            StorageError::io(CTL_FILE, op, e)
        }
    }
}

/// Whether the control file holds only what an unfinished creation leaves: nothing where the
/// identity goes (it is written last). A short file with other bytes there is damage, not a
/// share to create afresh over its catalog.
fn unfinished_creation(f: &dyn BackendFile) -> Result<bool> {
    let len = f
        .len()
        .map_err(|e| StorageError::io(CTL_FILE, "leer", e))?
        .min(IDENTITY_SIZE as u64);
    let mut b = vec![0u8; len as usize];
    f.read_at(IDENTITY_OFFSET, &mut b)
        .map_err(|e| StorageError::io(CTL_FILE, "leer", e))?;
    Ok(b.iter().all(|&x| x == 0))
}
