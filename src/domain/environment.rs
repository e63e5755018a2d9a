//! What the program detects about the share it runs on (`ventalibre doctor`, the first lines of
//! `ventalibre check`): the file system, the mount options, what the storage core does about
//! them, and whether this terminal may write. `docs/SHARES.md` explains each line.

use serde::Serialize;

use super::Market;
use crate::storage::{FsKind, Share};

/// The share's environment, as the front ends show it.
#[derive(Debug, Clone, Serialize)]
pub struct ShareEnvironment {
    pub folder: String,
    /// "disco local", "NFS", "SMB (CIFS)", "FUSE", "desconocido".
    pub kind: String,
    pub fs_type: String,
    pub mount_point: String,
    pub source: String,
    pub options: Vec<String>,
    /// Share files are read and written with direct I/O (NFS).
    pub direct_io: bool,
    /// Why this terminal cannot write, if it cannot.
    pub read_only: Option<String>,
    pub warnings: Vec<String>,
}

impl ShareEnvironment {
    pub(crate) fn of(share: &Share) -> ShareEnvironment {
        let (fs, policy) = share.environment();
        let kind = match fs.kind {
            FsKind::Local => "disco local",
            FsKind::Nfs => "NFS",
            FsKind::Smb => "SMB (CIFS)",
            FsKind::Fuse => "FUSE",
            FsKind::Unknown => "desconocido",
        };
        ShareEnvironment {
            folder: share.dir().display().to_string(),
            kind: kind.into(),
            fs_type: fs.fs_type.clone(),
            mount_point: fs.mount_point.display().to_string(),
            source: fs.source.clone(),
            options: fs.options.clone(),
            direct_io: policy.direct_io,
            read_only: share.read_only().map(str::to_string),
            warnings: policy.warnings.clone(),
        }
    }

    /// The report as console text (Spanish), one fact per line.
    pub fn to_text(&self) -> String {
        let mut t = format!("Carpeta compartida: {}\n", self.folder);
        if self.fs_type.is_empty() {
            t.push_str("Sistema de archivos: desconocido (no se pudo leer el montaje)\n");
        } else {
            t.push_str(&format!(
                "Sistema de archivos: {} ({}), montado en {} desde {}\n",
                self.kind, self.fs_type, self.mount_point, self.source
            ));
            t.push_str(&format!(
                "Opciones de montaje: {}\n",
                self.options.join(",")
            ));
        }
        t.push_str(if self.direct_io {
            "Entrada/salida directa: sí (cada lectura va al servidor; ver docs/SHARES.md)\n"
        } else {
            "Entrada/salida directa: no (la caché del sistema es coherente aquí)\n"
        });
        match &self.read_only {
            Some(why) => t.push_str(&format!("Escritura: NO — {why}\n")),
            None => t.push_str("Escritura: sí\n"),
        }
        for w in &self.warnings {
            t.push_str(&format!("Atención: {w}\n"));
        }
        t
    }
}

impl Market {
    /// What the program detects about this share (see the module documentation).
    pub fn environment(&self) -> ShareEnvironment {
        ShareEnvironment::of(self.share())
    }
}
