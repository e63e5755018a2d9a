//! One program version per share. On a LAN the terminals are updated one by one; a terminal
//! still running an older program must not write a share whose format a newer one changed.
//! The share records, in the control area of `VERSION.DAT`'s header (the file has no slots),
//! the revision of its format and the oldest program allowed to write it (and to read it).
//! Every write transaction of the domain checks it first ([`Market::write`]), under the write
//! lock, so the check and the write cannot be separated by another terminal's upgrade; the
//! check costs at most one 256-byte header read per write transaction (none while the storage
//! cache holds the header at the share's current change counter).
//!
//! * A share of the first versions (revision 1, no `VERSION.DAT`) gets its record, with no
//!   restriction on older programs, in its first write transaction by this program: nothing
//!   else changes, and the programs of revision 1 never read it.
//!
//! * A program older than the share's "oldest writer", or whose format revision is older than
//!   the share's, reads (when the share's "oldest reader" allows) but never writes, and says
//!   [`NEWER_PROGRAM_MESSAGE`].
//! * A program whose format revision is newer than the share's must upgrade the share before
//!   writing: it reads, says what the upgrade will do ([`VersionStatus::plan`]), and an
//!   administrator confirms it ([`Market::upgrade_share`]); the upgrade raises the oldest writer
//!   to this program, so older terminals are refused from then on.
//! * Installing the program into the share (`domain::install`) raises the oldest writer to the
//!   installed program too: the share's `programa/` is the version every terminal must run.
//!
//! The program's version is `Cargo.toml`'s. For tests (two versions on one machine) an older
//! program is simulated with `VENTALIBRE_PROGRAM_VERSION` (a version at most the built one)
//! and `VENTALIBRE_FORMAT_REVISION` (a revision at most [`FORMAT_REVISION`]); values above the
//! built ones are ignored, so the variables can only take rights away.
//!
//! [`Market::write`]: super::Market

use std::fmt;

use serde::Serialize;

use super::market::{Market, Session, current_admin};
use super::{DResult, DomainError};
use crate::storage::ident::now_ms;
use crate::storage::record::FreeHome;
use crate::storage::{Tx, WriteTx};

/// The share's version record: the control fields of this file's header (no slots).
pub const VERSION_FILE: &str = "VERSION.DAT";
/// The slot size the file is created with (it never holds a slot).
const VERSION_SLOT: u32 = 8;
/// Control fields: revision, oldest writer, oldest reader, recorded by, recorded (Unix ms).
const F_REVISION: usize = 0;
const F_OLDEST_WRITER: usize = 1;
const F_OLDEST_READER: usize = 2;
const F_RECORDED_BY: usize = 3;
const F_RECORDED_MS: usize = 4;

/// The revision of the share format this program reads and writes. 1: the shares of the first
/// versions, without `VERSION.DAT`; 2: with `VERSION.DAT`; 3: the users hash grows past its 80
/// buckets (linear hashing), with USUARIOS.IDS (users by id) and PRESENCIA.DAT (connected /
/// last seen) kept by every writer. A change that older programs would
/// mishandle (a record layout, a new file they would not keep up to date) raises it by one and
/// adds an [`Upgrade`] to [`UPGRADES`], which an administrator confirms.
pub const FORMAT_REVISION: u32 = 4;

/// What older terminals see when they may not write: the one message of the issue, word for word.
pub const NEWER_PROGRAM_MESSAGE: &str = "Hay una versión nueva de VentaLibre en la carpeta compartida: ciérrela y ábrala con el acceso directo de la carpeta";

/// `major.minor.patch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ProgramVersion {
    pub major: u16,
    pub minor: u16,
    pub patch: u16,
}

impl ProgramVersion {
    pub const ZERO: ProgramVersion = ProgramVersion {
        major: 0,
        minor: 0,
        patch: 0,
    };

    /// "0.1.0" (also "v0.1.0", "0.1"); `None` for anything else.
    pub fn parse(s: &str) -> Option<ProgramVersion> {
        let t = s.trim().trim_start_matches('v');
        let t = t.split(['-', '+']).next()?;
        let mut it = t.split('.');
        let mut n = || -> Option<u16> {
            match it.next() {
                None => Some(0),
                Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok(),
                Some(_) => None,
            }
        };
        let v = ProgramVersion {
            major: n()?,
            minor: n()?,
            patch: n()?,
        };
        it.next().is_none().then_some(v)
    }

    /// `major << 32 | minor << 16 | patch`, as a control field holds it.
    pub fn pack(self) -> u64 {
        (u64::from(self.major) << 32) | (u64::from(self.minor) << 16) | u64::from(self.patch)
    }

    /// The inverse of [`pack`](Self::pack); `None` for a value no version packs to.
    pub fn unpack(v: u64) -> Option<ProgramVersion> {
        (v >> 48 == 0).then_some(ProgramVersion {
            major: (v >> 32) as u16,
            minor: (v >> 16) as u16,
            patch: v as u16,
        })
    }
}

impl fmt::Display for ProgramVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl Serialize for ProgramVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The version this program was built as.
pub fn built_version() -> ProgramVersion {
    ProgramVersion::parse(env!("CARGO_PKG_VERSION")).unwrap_or_default()
}

/// This program's version: the built one, or an older one simulated through
/// `VENTALIBRE_PROGRAM_VERSION` (tests).
pub fn program_version() -> ProgramVersion {
    let built = built_version();
    std::env::var("VENTALIBRE_PROGRAM_VERSION")
        .ok()
        .and_then(|v| ProgramVersion::parse(&v))
        .filter(|v| *v <= built)
        .unwrap_or(built)
}

/// The format revision this program writes: [`FORMAT_REVISION`], or an older one simulated
/// through `VENTALIBRE_FORMAT_REVISION` (tests).
pub fn format_revision() -> u32 {
    std::env::var("VENTALIBRE_FORMAT_REVISION")
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|r| (1..=FORMAT_REVISION).contains(r))
        .unwrap_or(FORMAT_REVISION)
}

/// The version of the storage layer's record files (headers, slots).
pub fn record_format() -> u16 {
    crate::storage::record::FORMAT_VERSION
}

/// What `ventalibre --version` prints.
pub fn version_text() -> String {
    format!(
        "VentaLibre {}\nFormato de la carpeta compartida: revisión {} (archivos de registros versión {})",
        program_version(),
        format_revision(),
        record_format()
    )
}

/// The share's version record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ShareVersion {
    /// The revision of the share's format.
    pub revision: u32,
    /// Older programs may not write the share.
    pub oldest_writer: ProgramVersion,
    /// Older programs may not even read it.
    pub oldest_reader: ProgramVersion,
    /// The program that last upgraded the share or was installed into it.
    pub recorded_by: ProgramVersion,
    /// When (Unix ms; 0 for a share of revision 1, which has no record).
    pub recorded_ms: i64,
}

impl ShareVersion {
    /// What a share without `VERSION.DAT` is: revision 1, any program may use it.
    pub const LEGACY: ShareVersion = ShareVersion {
        revision: 1,
        oldest_writer: ProgramVersion::ZERO,
        oldest_reader: ProgramVersion::ZERO,
        recorded_by: ProgramVersion::ZERO,
        recorded_ms: 0,
    };

    /// The control fields of `VERSION.DAT`'s header: revision, the three versions packed
    /// ([`ProgramVersion::pack`]), the time recorded; the other fields stay zero.
    pub fn encode(&self) -> [u64; 5] {
        [
            u64::from(self.revision),
            self.oldest_writer.pack(),
            self.oldest_reader.pack(),
            self.recorded_by.pack(),
            self.recorded_ms as u64,
        ]
    }

    /// The record from the header's control fields; impossible values are damage.
    pub fn decode(c: &[u64]) -> DResult<ShareVersion> {
        if c.len() <= F_RECORDED_MS {
            return Err(damaged(format!(
                "la cabecera tiene {} campos de control",
                c.len()
            )));
        }
        let version = |i: usize, what: &str| {
            ProgramVersion::unpack(c[i])
                .ok_or_else(|| damaged(format!("{what}: valor imposible {:#x}", c[i])))
        };
        let revision = u32::try_from(c[F_REVISION]).unwrap_or(u32::MAX);
        let v = ShareVersion {
            revision,
            oldest_writer: version(F_OLDEST_WRITER, "versión que modifica")?,
            oldest_reader: version(F_OLDEST_READER, "versión que lee")?,
            recorded_by: version(F_RECORDED_BY, "versión que registró")?,
            recorded_ms: c[F_RECORDED_MS] as i64,
        };
        if v.revision < 2 || v.revision == u32::MAX || v.oldest_reader > v.oldest_writer {
            return Err(damaged(format!(
                "registro imposible (revisión {}, modifican desde {}, leen desde {})",
                c[F_REVISION], v.oldest_writer, v.oldest_reader
            )));
        }
        Ok(v)
    }
}

fn damaged(detail: String) -> DomainError {
    crate::storage::StorageError::Corrupt {
        file: VERSION_FILE.into(),
        detail,
    }
    .into()
}

/// The share's version record as this transaction sees it: one header read at most.
pub(crate) fn read_record(tx: &mut impl Tx) -> DResult<ShareVersion> {
    if !tx.exists(VERSION_FILE)? {
        return Ok(ShareVersion::LEGACY);
    }
    ShareVersion::decode(&tx.header(VERSION_FILE)?.control)
}

fn store_record(tx: &mut WriteTx, v: &ShareVersion) -> DResult<()> {
    tx.create_file(VERSION_FILE, VERSION_SLOT, FreeHome::Own)?;
    for (i, value) in v.encode().into_iter().enumerate() {
        tx.set_control(VERSION_FILE, i, value)?;
    }
    Ok(())
}

/// Repair: a `VERSION.DAT` whose header or record is damaged gets a record again — this
/// program's format revision, and this program as the oldest that may write (the cautious
/// guess: no older terminal writes until an administrator installs or upgrades). Runs in a
/// storage-level write transaction, before the domain's gate (which refuses a damaged record).
/// Returns what it did, if anything.
pub(crate) fn repair_record(tx: &mut WriteTx) -> DResult<Option<String>> {
    if !tx.exists(VERSION_FILE)? {
        return Ok(None);
    }
    let why = match tx.raw_header(VERSION_FILE)? {
        Ok(h) if h.tag == VERSION_FILE && h.slot_size == VERSION_SLOT => {
            match ShareVersion::decode(&h.control) {
                Ok(_) => return Ok(None),
                Err(e) => e.to_string(),
            }
        }
        Ok(_) => "la cabecera no es la de VERSION.DAT".to_string(),
        Err(d) => d,
    };
    let me = program_version();
    let v = ShareVersion {
        revision: format_revision().max(2),
        oldest_writer: me,
        oldest_reader: ProgramVersion::ZERO,
        recorded_by: me,
        recorded_ms: now_ms(),
    };
    let mut h =
        crate::storage::record::Header::new(VERSION_FILE, VERSION_SLOT, FreeHome::Own, now_ms());
    for (i, value) in v.encode().into_iter().enumerate() {
        h.control[i] = value;
    }
    h.change_counter = tx.counter();
    tx.replace_header(VERSION_FILE, h)?;
    Ok(Some(format!(
        "{VERSION_FILE}: registro de versión rehecho ({why}): revisión {}, modifican desde la \
         versión {me} (la de este programa)",
        v.revision
    )))
}

/// Why this program may not write (or read) the share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum VersionRefusal {
    /// The share belongs to a newer program: close this one and start the share's.
    NewerProgram,
    /// This program's format is newer: an administrator must upgrade the share first.
    NeedsUpgrade { share: u32, program: u32 },
}

impl fmt::Display for VersionRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionRefusal::NewerProgram => f.write_str(NEWER_PROGRAM_MESSAGE),
            VersionRefusal::NeedsUpgrade { share, program } => write!(
                f,
                "la carpeta compartida tiene el formato {share} y este programa usa el {program}: \
                 la administración debe actualizarla antes de que se pueda modificar \
                 («ventalibre actualizar-carpeta» o el aviso de la ventana)"
            ),
        }
    }
}

/// Where this program stands with a share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    /// Reads and writes.
    Current,
    /// Reads; writes once an administrator upgrades the share.
    NeedsUpgrade,
    /// Reads but never writes: a newer program owns the share.
    ReadOnly,
    /// Neither reads nor writes.
    Refused,
}

/// The share's version record against this program's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionStatus {
    pub program: ProgramVersion,
    pub program_revision: u32,
    pub share: ShareVersion,
    pub standing: Standing,
}

impl VersionStatus {
    pub fn of(share: ShareVersion, program: ProgramVersion, program_revision: u32) -> Self {
        // A share of revision 1 has no record; the first write of this program adds it.
        let legacy = share.revision < 2;
        let standing = if program < share.oldest_reader {
            Standing::Refused
        } else if share.revision > program_revision || program < share.oldest_writer {
            Standing::ReadOnly
        } else if share.revision < program_revision && !legacy {
            Standing::NeedsUpgrade
        } else {
            Standing::Current
        };
        VersionStatus {
            program,
            program_revision,
            share,
            standing,
        }
    }

    /// Why writing is refused, if it is.
    pub fn write_refusal(&self) -> Option<VersionRefusal> {
        match self.standing {
            Standing::Current => None,
            Standing::NeedsUpgrade => Some(VersionRefusal::NeedsUpgrade {
                share: self.share.revision,
                program: self.program_revision,
            }),
            Standing::ReadOnly | Standing::Refused => Some(VersionRefusal::NewerProgram),
        }
    }

    /// Whether this program can upgrade the share (an administrator still has to confirm).
    pub fn may_upgrade(&self) -> DResult<()> {
        match self.standing {
            Standing::NeedsUpgrade => Ok(()),
            Standing::Current => Err(DomainError::Conflict(format!(
                "la carpeta ya tiene el formato {} de este programa: no hay nada que actualizar",
                self.share.revision
            ))),
            Standing::ReadOnly | Standing::Refused => {
                Err(DomainError::Version(VersionRefusal::NewerProgram))
            }
        }
    }

    /// The steps an upgrade to this program's format would take (empty when none is needed).
    pub fn plan(&self) -> Vec<&'static Upgrade> {
        if self.standing != Standing::NeedsUpgrade {
            return Vec::new();
        }
        UPGRADES
            .iter()
            .filter(|u| u.to > self.share.revision && u.to <= self.program_revision)
            .collect()
    }

    /// What the upgrade will do, for the administrator who confirms it.
    pub fn plan_text(&self) -> String {
        let mut t = format!(
            "La carpeta compartida tiene el formato {} y este programa ({}) usa el {}. Para \
             modificarla hay que actualizarla; la actualización:\n",
            self.share.revision, self.program, self.program_revision
        );
        for u in self.plan() {
            t.push_str(&format!("  • {}\n", u.what));
        }
        let older_read = self.plan().iter().all(|u| u.older_programs_read);
        t.push_str(&format!(
            "  • desde entonces solo VentaLibre {} o más nuevo podrá modificar la carpeta; las \
             terminales con un programa anterior {} y dirán que hay una versión nueva en la \
             carpeta compartida.\n",
            self.program,
            if older_read {
                "podrán consultarla pero no modificarla"
            } else {
                "no podrán ni consultarla"
            }
        ));
        t.push_str(
            "Conviene hacer antes una copia de la carpeta. Cierre las demás terminales o \
             avíseles que vuelvan a abrir VentaLibre con el acceso directo de la carpeta.",
        );
        t
    }

    /// The lines `verificar` prints.
    pub fn to_text(&self) -> String {
        let mut t = format!(
            "Versiones:\n  este programa: VentaLibre {} (formato {})\n  la carpeta: formato {}",
            self.program, self.program_revision, self.share.revision
        );
        if self.share.revision >= 2 {
            t.push_str(&format!(
                "; la modifica VentaLibre {} o más nuevo, la lee {} o más nuevo; registrado por {} el {}",
                self.share.oldest_writer,
                self.share.oldest_reader,
                self.share.recorded_by,
                super::format::datetime_of_ms(self.share.recorded_ms)
            ));
        } else {
            t.push_str(
                " (sin registro de versión: una carpeta de las primeras versiones; lo recibe en su próxima modificación)",
            );
        }
        t.push_str(&format!(
            "\n  {}\n",
            match self.standing {
                Standing::Current => "este programa puede consultarla y modificarla".to_string(),
                Standing::NeedsUpgrade => format!(
                    "este programa la consulta, pero para modificarla la administración debe actualizarla al formato {}",
                    self.program_revision
                ),
                Standing::ReadOnly =>
                    format!("este programa solo puede consultarla: {NEWER_PROGRAM_MESSAGE}"),
                Standing::Refused => format!("este programa no puede usarla: {NEWER_PROGRAM_MESSAGE}"),
            }
        ));
        t
    }
}

/// One step of an upgrade of the share format.
pub struct Upgrade {
    /// The revision the share has after this step.
    pub to: u32,
    /// What it does, in words for the administrator.
    pub what: &'static str,
    /// Whether programs of the previous revision can still read the share afterwards.
    pub older_programs_read: bool,
    /// The change itself (the version record is written after the last step).
    pub apply: fn(&mut WriteTx) -> DResult<()>,
}

/// Every format upgrade, oldest first. Revision 2 only adds `VERSION.DAT`, which the programs
/// of revision 1 never read, so a share of revision 1 gets it without asking (see
/// [`may_write`]), with every later step applied in the same transaction. The next change of
/// the format that older programs would mishandle adds its step here (several steps may share
/// a revision).
pub static UPGRADES: &[Upgrade] = &[
    Upgrade {
        to: 3,
        what: "crea USUARIOS.IDS (los usuarios por id, para no leer el archivo de usuarios entero) y \
           PRESENCIA.DAT (quién está conectado); desde entonces el hash de usuarios crece más \
           allá de sus 80 baldes, y un programa anterior no encontraría a los usuarios de los \
           baldes nuevos",
        older_programs_read: false,
        apply: super::account::upgrade_users_files,
    },
    Upgrade {
        to: 4,
        what: "crea ORDENES.IDX y PALABRAS.IDX (los índices de Explorar y de la búsqueda, árboles B \
           de nodos de 4 KiB: una compra o una página leen unos pocos nodos en vez de uno por \
           nivel de un AVL) desde PUBLICADOS.DAT; los ORDENES.NTX y PALABRAS.NTX de la revisión \
           3 quedan sin uso, y un programa anterior los leería viejos",
        older_programs_read: false,
        apply: super::index::upgrade,
    },
];

/// The record a share gets when this program creates it (revision 1 has no record).
pub(crate) fn create_record(tx: &mut WriteTx) -> DResult<()> {
    let revision = format_revision();
    if revision < 2 || tx.exists(VERSION_FILE)? {
        return Ok(());
    }
    let me = program_version();
    store_record(
        tx,
        &ShareVersion {
            revision,
            oldest_writer: me,
            oldest_reader: ProgramVersion::ZERO,
            recorded_by: me,
            recorded_ms: now_ms(),
        },
    )
}

/// The gate of every write transaction of the domain: one header read at most. A share of
/// revision 1 gets its record here, in the same transaction (no restriction on older
/// programs: installing the program into the share sets one).
pub(crate) fn may_write(tx: &mut WriteTx) -> DResult<()> {
    let record = read_record(tx)?;
    let s = VersionStatus::of(record, program_version(), format_revision());
    if let Some(r) = s.write_refusal() {
        return Err(DomainError::Version(r));
    }
    if record.revision < 2 && s.program_revision >= 2 {
        for u in UPGRADES.iter().filter(|u| u.to <= s.program_revision) {
            (u.apply)(tx)?;
        }
        store_record(
            tx,
            &ShareVersion {
                revision: s.program_revision,
                oldest_writer: ProgramVersion::ZERO,
                oldest_reader: ProgramVersion::ZERO,
                recorded_by: s.program,
                recorded_ms: now_ms(),
            },
        )?;
    }
    Ok(())
}

/// The gate of opening a share.
pub(crate) fn may_read(tx: &mut impl Tx) -> DResult<()> {
    let s = VersionStatus::of(read_record(tx)?, program_version(), format_revision());
    if s.standing == Standing::Refused {
        return Err(DomainError::Version(VersionRefusal::NewerProgram));
    }
    Ok(())
}

/// The program installed into the share: older programs may not write it from now on.
pub(crate) fn record_installed(tx: &mut WriteTx, installed: ProgramVersion) -> DResult<()> {
    let mut v = read_record(tx)?;
    if v.revision < 2 {
        // Only a program simulating revision 1 gets here (`may_write` adds the record).
        return Ok(());
    }
    if installed > v.oldest_writer {
        v.oldest_writer = installed;
        v.recorded_by = installed;
        v.recorded_ms = now_ms();
        store_record(tx, &v)?;
        tx.log_event(
            "",
            "versión",
            &format!("instalado VentaLibre {installed}: las versiones anteriores ya no modifican la carpeta"),
        )?;
    }
    Ok(())
}

/// What an upgrade did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpgradeReport {
    pub from: u32,
    pub to: u32,
    pub steps: Vec<&'static str>,
    pub oldest_writer: ProgramVersion,
}

impl Market {
    /// Where this program stands with the share (read under the shared lock).
    pub fn version_status(&self) -> DResult<VersionStatus> {
        let share = self.read(|tx| read_record(tx))?;
        Ok(VersionStatus::of(
            share,
            program_version(),
            format_revision(),
        ))
    }

    /// Upgrades the share to this program's format (administrators only): every step of the
    /// plan and the new version record in one transaction, so a failure leaves the share as it
    /// was. Older terminals are refused from the commit on.
    pub fn upgrade_share(&self, s: &Session) -> DResult<UpgradeReport> {
        let me = program_version();
        let target = format_revision();
        // Not `self.write`: its gate refuses exactly this transaction.
        self.share().write(|tx| {
            let status = VersionStatus::of(read_record(tx)?, me, target);
            status.may_upgrade()?;
            let admin = current_admin(tx, s)?;
            let steps = status.plan();
            for u in &steps {
                (u.apply)(tx)?;
            }
            let older_read = steps.iter().all(|u| u.older_programs_read);
            let prev = status.share;
            let rec = ShareVersion {
                revision: target,
                oldest_writer: me.max(prev.oldest_writer),
                oldest_reader: if older_read { prev.oldest_reader } else { me },
                recorded_by: me,
                recorded_ms: now_ms(),
            };
            store_record(tx, &rec)?;
            tx.log_event(
                &admin.email,
                "actualización",
                &format!(
                    "carpeta actualizada del formato {} al {} por VentaLibre {me}",
                    prev.revision, target
                ),
            )?;
            Ok(UpgradeReport {
                from: prev.revision,
                to: target,
                steps: steps.iter().map(|u| u.what).collect(),
                oldest_writer: rec.oldest_writer,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> ProgramVersion {
        ProgramVersion::parse(s).unwrap()
    }

    #[test]
    fn versions_parse_and_order() {
        assert_eq!(v("0.1.0").to_string(), "0.1.0");
        assert_eq!(v("v1.2").to_string(), "1.2.0");
        assert_eq!(v("1.2.3-beta").to_string(), "1.2.3");
        assert!(ProgramVersion::parse("1.x").is_none());
        assert!(ProgramVersion::parse("1.2.3.4").is_none());
        assert!(ProgramVersion::parse("").is_none());
        assert!(v("0.10.0") > v("0.9.9"));
        assert!(v("1.0.0") > v("0.99.99"));
    }

    #[test]
    fn the_record_round_trips_and_rejects_nonsense() {
        let r = ShareVersion {
            revision: 2,
            oldest_writer: v("0.3.1"),
            oldest_reader: v("0.2.0"),
            recorded_by: v("0.3.1"),
            recorded_ms: 1_700_000_000_000,
        };
        assert_eq!(ShareVersion::decode(&r.encode()).unwrap(), r);
        assert!(ShareVersion::decode(&[0u64; 16]).is_err());
        assert!(ShareVersion::decode(&[2u64; 3]).is_err());
        let mut c = r.encode();
        c[1] = u64::MAX;
        assert!(ShareVersion::decode(&c).is_err());
        let mut bad = r;
        bad.oldest_reader = v("9.0.0");
        assert!(ShareVersion::decode(&bad.encode()).is_err());
    }

    #[test]
    fn standing_of_each_program() {
        let share = ShareVersion {
            revision: 2,
            oldest_writer: v("0.2.0"),
            oldest_reader: v("0.1.0"),
            recorded_by: v("0.2.0"),
            recorded_ms: 1,
        };
        let at = |p: &str, r| VersionStatus::of(share, v(p), r).standing;
        assert_eq!(at("0.2.0", 2), Standing::Current);
        assert_eq!(at("0.3.0", 2), Standing::Current);
        assert_eq!(at("0.1.5", 2), Standing::ReadOnly);
        assert_eq!(at("0.2.0", 1), Standing::ReadOnly);
        assert_eq!(at("0.0.9", 2), Standing::Refused);
        assert_eq!(at("0.3.0", 3), Standing::NeedsUpgrade);
        // A share of the first versions is written as it is (its record comes with the write).
        let legacy = VersionStatus::of(ShareVersion::LEGACY, v("0.1.0"), 2);
        assert_eq!(legacy.standing, Standing::Current);
        assert!(legacy.plan().is_empty());
        let later = VersionStatus::of(share, v("0.3.0"), 3);
        assert_eq!(
            later.write_refusal(),
            Some(VersionRefusal::NeedsUpgrade {
                share: 2,
                program: 3
            })
        );
        assert!(
            later
                .plan_text()
                .contains("solo VentaLibre 0.3.0 o más nuevo")
        );
        assert_eq!(
            VersionStatus::of(share, v("0.1.5"), 2)
                .write_refusal()
                .unwrap()
                .to_string(),
            NEWER_PROGRAM_MESSAGE
        );
    }

    #[test]
    fn the_write_gate_costs_at_most_one_small_read() {
        let dir = std::env::temp_dir().join(format!("vl-version-gate-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let m = Market::open(&dir, true).unwrap();
        let stats = || m.share().last_tx_stats();
        // A write that commits something, then an empty write without and with the gate.
        let commit = || {
            m.share()
                .write(|tx| -> DResult<()> {
                    tx.log_event("", "prueba", "")?;
                    Ok(())
                })
                .unwrap()
        };
        commit();
        m.share().write(|_| -> DResult<()> { Ok(()) }).unwrap();
        let plain = stats();
        commit();
        m.write(|_| Ok(())).unwrap();
        let gated = stats();
        assert!(gated.reads <= plain.reads + 1, "{plain:?} → {gated:?}");
        assert!(
            gated.bytes_read <= plain.bytes_read + 256,
            "{plain:?} → {gated:?}"
        );
        // With nothing committed in between, the header is still cached: no read at all.
        m.write(|_| Ok(())).unwrap();
        let again = stats();
        m.share().write(|_| -> DResult<()> { Ok(()) }).unwrap();
        assert_eq!(again.reads, stats().reads, "{again:?}");
        drop(m);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
