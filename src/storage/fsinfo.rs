//! What file system the share lives on, and what that means for the storage core.
//!
//! Each network file system keeps clients' caches coherent in its own way, and a few mount
//! options silently turn cross-terminal locking off. [`probe`] finds the mount that holds the
//! share (Linux: `/proc/self/mountinfo`) and [`FsInfo::policy`] turns it into the three decisions
//! the core makes at open:
//!
//! * **Direct I/O on NFS.** The Linux NFS client trusts its page cache of a file while any process
//!   of the same client has that file open for writing ("could be a race with writeback": a
//!   changed change attribute then only defers the invalidation), and writes a partly written
//!   cached page back whole. Terminals that keep share files open would read stale records and
//!   write stale neighbours of a record back to the server. With `O_DIRECT` every read and write
//!   goes to the server as exactly the bytes asked for; freshness then rests on the share's own
//!   change counters, never on the client's cache heuristics. (`docs/SHARES.md`)
//! * **Writes refused** where the mount makes file locks local to one terminal: cifs `nobrl`,
//!   NFS `local_lock=flock|all` and `nolock`, and cifs `cache=loose` (no coherence at all).
//! * **Warnings** for settings that are safe but slow or fragile (`soft` NFS mounts, `noac`).
//!
//! `VENTALIBRE_DIRECT_IO=1|0` forces direct I/O on or off (tests, and file systems not
//! recognised here).

use std::path::{Path, PathBuf};

/// The kind of file system, as far as the storage core cares.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum FsKind {
    /// A local disk (ext4, xfs, btrfs, tmpfs, apfs, ntfs...).
    Local,
    /// NFS (any version), Linux kernel client.
    Nfs,
    /// SMB/CIFS, Linux kernel client.
    Smb,
    /// sshfs or another FUSE file system: locks usually stay on one terminal.
    Fuse,
    /// Something not recognised (or a platform where the mount cannot be read).
    Unknown,
}

/// The mount that holds a folder.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FsInfo {
    pub kind: FsKind,
    /// The file system type as the OS names it (`nfs4`, `cifs`, `ext4`, `fuse.sshfs`...).
    pub fs_type: String,
    pub mount_point: PathBuf,
    /// What is mounted (`//servidor/ventas`, `servidor:/srv/ventas`, `/dev/sda1`).
    pub source: String,
    /// Mount and super-block options, as listed by the OS.
    pub options: Vec<String>,
}

/// What the storage core does on a file system.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FsPolicy {
    /// Data, control and lease files are read and written with direct I/O.
    pub direct_io: bool,
    /// Why this terminal must not write here, if it must not.
    pub write_refusal: Option<String>,
    /// Settings that work but deserve the administrator's attention (Spanish, for display).
    pub warnings: Vec<String>,
}

impl FsInfo {
    fn option(&self, name: &str) -> Option<&str> {
        self.options.iter().find_map(|o| match o.split_once('=') {
            Some((k, v)) if k == name => Some(v),
            None if o == name => Some(""),
            _ => None,
        })
    }

    fn has(&self, name: &str) -> bool {
        self.option(name).is_some()
    }

    /// The decisions for this mount (see the module documentation).
    pub fn policy(&self) -> FsPolicy {
        let mut refusal = None;
        let mut warnings = Vec::new();
        let mount = self.mount_point.display();
        match self.kind {
            FsKind::Smb => {
                if self.has("nobrl") {
                    refusal = Some(format!(
                        "la carpeta está montada en {mount} con la opción «nobrl»: los bloqueos de \
                         archivos no llegan al servidor y dos terminales podrían escribir a la vez. \
                         Vuelva a montarla sin «nobrl»"
                    ));
                } else if self.option("cache") == Some("loose") {
                    refusal = Some(format!(
                        "la carpeta está montada en {mount} con «cache=loose»: esta terminal no \
                         vería los cambios de las demás. Vuelva a montarla con «cache=strict» \
                         (el valor por omisión)"
                    ));
                }
                if self.has("forcemand") || self.has("locallease") {
                    warnings.push(format!(
                        "opciones de montaje poco habituales en {mount}: {}",
                        self.options.join(",")
                    ));
                }
            }
            FsKind::Nfs => {
                match self.option("local_lock") {
                    Some("flock") | Some("all") => {
                        refusal = Some(format!(
                            "la carpeta NFS está montada en {mount} con «local_lock={}»: los \
                             bloqueos quedan en esta terminal. Vuelva a montarla con \
                             «local_lock=none»",
                            self.option("local_lock").unwrap_or_default()
                        ))
                    }
                    _ => {}
                }
                if self.has("nolock") {
                    refusal = Some(format!(
                        "la carpeta NFS está montada en {mount} con «nolock»: los bloqueos quedan \
                         en esta terminal. Vuelva a montarla sin «nolock» (NFSv3 necesita rpc.statd)"
                    ));
                }
                if self.has("soft") {
                    warnings.push(format!(
                        "la carpeta NFS está montada en {mount} con «soft»: una demora del servidor \
                         puede cortar una escritura a la mitad; use «hard»"
                    ));
                }
                if self.has("noac") || self.has("sync") {
                    warnings.push(format!(
                        "«noac»/«sync» en {mount} no hacen falta y hacen más lenta cada operación"
                    ));
                }
            }
            FsKind::Fuse => warnings.push(format!(
                "la carpeta está en un sistema de archivos FUSE ({}) en {mount}: sus bloqueos \
                 suelen valer sólo para esta terminal; si otra escribe a la vez, VentaLibre lo \
                 detecta y se niega a escribir",
                self.fs_type
            )),
            FsKind::Local | FsKind::Unknown => {}
        }
        let direct_io = match std::env::var("VENTALIBRE_DIRECT_IO").ok().as_deref() {
            Some("1") => true,
            Some("0") => false,
            _ => self.kind == FsKind::Nfs,
        };
        FsPolicy {
            direct_io,
            write_refusal: refusal,
            warnings,
        }
    }
}

/// Finds the mount that holds `dir`. Never fails: unknown things are [`FsKind::Unknown`].
pub fn probe(dir: &Path) -> FsInfo {
    let unknown = || FsInfo {
        kind: FsKind::Unknown,
        fs_type: String::new(),
        mount_point: PathBuf::new(),
        source: String::new(),
        options: Vec::new(),
    };
    let Ok(dir) = dir.canonicalize() else {
        return unknown();
    };
    match std::fs::read_to_string("/proc/self/mountinfo") {
        Ok(text) => mount_of(&text, &dir).unwrap_or_else(unknown),
        Err(_) => unknown(),
    }
}

/// The entry of a `/proc/self/mountinfo` text whose mount point is the longest prefix of `dir`.
pub fn mount_of(mountinfo: &str, dir: &Path) -> Option<FsInfo> {
    let mut best: Option<FsInfo> = None;
    for line in mountinfo.lines() {
        // 36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue
        let Some((left, right)) = line.split_once(" - ") else {
            continue;
        };
        let l: Vec<&str> = left.split(' ').collect();
        let r: Vec<&str> = right.split(' ').collect();
        if l.len() < 6 || r.len() < 2 {
            continue;
        }
        let mount_point = PathBuf::from(unescape(l[4]));
        if !dir.starts_with(&mount_point) {
            continue;
        }
        if best
            .as_ref()
            .is_some_and(|b| b.mount_point.as_os_str().len() > mount_point.as_os_str().len())
        {
            continue;
        }
        let fs_type = r[0].to_string();
        let mut options: Vec<String> = l[5].split(',').map(str::to_string).collect();
        if let Some(sb) = r.get(2) {
            options.extend(sb.split(',').map(str::to_string));
        }
        let kind = match fs_type.as_str() {
            "nfs" | "nfs4" => FsKind::Nfs,
            "cifs" | "smb3" | "smbfs" => FsKind::Smb,
            t if t.starts_with("fuse") => FsKind::Fuse,
            "ext2" | "ext3" | "ext4" | "xfs" | "btrfs" | "tmpfs" | "zfs" | "f2fs" | "overlay"
            | "vfat" | "exfat" | "ntfs" | "ntfs3" | "apfs" | "hfs" | "9p" | "virtiofs" => {
                FsKind::Local
            }
            _ => FsKind::Unknown,
        };
        best = Some(FsInfo {
            kind,
            fs_type,
            mount_point,
            source: unescape(r[1]),
            options,
        });
    }
    best
}

/// mountinfo escapes space, tab, newline and backslash as octal (`\040`).
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            out.push((b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0'));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTINFO: &str = "\
22 1 252:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
40 22 0:35 / /mnt/a rw,relatime shared:20 - nfs4 127.0.0.1:/srv/ventas rw,vers=4.2,rsize=1048576,hard,proto=tcp,local_lock=none,addr=127.0.0.1
41 22 0:36 / /mnt/b rw,relatime shared:21 - cifs //127.0.0.1/ventas rw,vers=3.1.1,cache=strict,nobrl,uid=0
42 22 0:37 / /mnt/con\\040espacio rw - fuse.sshfs u@h:/x rw,user_id=0
43 22 0:38 / /mnt/c rw - nfs 127.0.0.1:/srv/ventas rw,vers=3,soft,local_lock=flock
";

    #[test]
    fn finds_the_longest_mount_and_its_options() {
        let a = mount_of(MOUNTINFO, Path::new("/mnt/a/ventas")).unwrap();
        assert_eq!(a.kind, FsKind::Nfs);
        assert_eq!(a.mount_point, PathBuf::from("/mnt/a"));
        assert_eq!(a.option("vers"), Some("4.2"));
        assert!(a.policy().write_refusal.is_none());
        let root = mount_of(MOUNTINFO, Path::new("/home/x")).unwrap();
        assert_eq!(root.kind, FsKind::Local);
        let s = mount_of(MOUNTINFO, Path::new("/mnt/con espacio/d")).unwrap();
        assert_eq!(s.kind, FsKind::Fuse);
    }

    #[test]
    fn refuses_mounts_whose_locks_stay_local() {
        let b = mount_of(MOUNTINFO, Path::new("/mnt/b")).unwrap();
        assert!(b.policy().write_refusal.unwrap().contains("nobrl"));
        let c = mount_of(MOUNTINFO, Path::new("/mnt/c")).unwrap();
        let p = c.policy();
        assert!(p.write_refusal.unwrap().contains("local_lock=flock"));
        assert!(p.warnings.iter().any(|w| w.contains("soft")));
    }
}
