//! The share carries its program and its launchers, so a terminal needs nothing installed:
//! `ventalibre instalar` copies the running binary into `SHARE/programa/<os>/` and writes, at
//! the top of the share, launchers that start that binary on *that* share from wherever the
//! share is mounted (they find the share from their own location, never from a path written
//! at install time):
//!
//! * `VentaLibre.cmd` — Windows, from a `\\servidor\ventas` path or a mapped drive;
//! * `VentaLibre.desktop` and `ventalibre.sh` — Linux (the desktop entry runs the script next
//!   to it; the script copies the program to a local cache when the share forbids running
//!   programs, as `noexec` mounts do);
//! * `VentaLibre.command` — macOS (Terminal runs it on a double-click).
//!
//! A program started from `SHARE/programa/<os>/` without a share named opens that share
//! ([`share_of_program`]). A terminal can also get a local shortcut to the share's launcher
//! ([`local_shortcut`]): a desktop entry with the icon on Linux, a Start-menu entry on
//! Windows, a `.command` on the macOS desktop. Installing raises the share's oldest writer to
//! the installed version (see [`super::version`]).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::market::{Market, Session, current_admin};
use super::version::{self, ProgramVersion, VersionRefusal};
use super::{DResult, DomainError, denied};
use crate::storage::StorageError;

/// The folder of the share that holds the program, one subfolder per operating system.
pub const PROGRAM_DIR: &str = "programa";
pub const WINDOWS_LAUNCHER: &str = "VentaLibre.cmd";
pub const LINUX_LAUNCHER: &str = "VentaLibre.desktop";
pub const SHELL_LAUNCHER: &str = "ventalibre.sh";
pub const MACOS_LAUNCHER: &str = "VentaLibre.command";
/// The application id: Wayland app id, X11 WM class, desktop file id and icon name.
pub const APP_ID: &str = "ventalibre";

/// The icon, drawn for the project (`assets/ventalibre.svg`), at the sizes desktops ask for.
pub const ICONS: &[(u32, &[u8])] = &[
    (16, include_bytes!("../../assets/ventalibre-16.png")),
    (32, include_bytes!("../../assets/ventalibre-32.png")),
    (48, include_bytes!("../../assets/ventalibre-48.png")),
    (64, include_bytes!("../../assets/ventalibre-64.png")),
    (128, include_bytes!("../../assets/ventalibre-128.png")),
    (256, include_bytes!("../../assets/ventalibre-256.png")),
    (512, include_bytes!("../../assets/ventalibre-512.png")),
];

/// The icon as a PNG of about `size` pixels (the smallest drawn size at least that big).
pub fn icon_png(size: u32) -> &'static [u8] {
    ICONS
        .iter()
        .find(|(s, _)| *s >= size)
        .or(ICONS.last())
        .map(|(_, b)| *b)
        .unwrap_or_default()
}

/// The subfolder of `programa/` for this operating system: `linux`, `windows`, `macos`.
pub fn os_dir() -> &'static str {
    std::env::consts::OS
}

/// The program's file name on this operating system.
pub fn program_file() -> &'static str {
    if cfg!(windows) {
        "ventalibre.exe"
    } else {
        "ventalibre"
    }
}

/// Where the share keeps the program for this operating system.
pub fn program_in_share(share: &Path) -> PathBuf {
    share.join(PROGRAM_DIR).join(os_dir()).join(program_file())
}

/// The share of a program that lives in `SHARE/programa/<os>/`, if `exe` is one: its folder is
/// named after this system, inside `programa`, inside a folder holding a VentaLibre share.
pub fn share_of_program(exe: &Path) -> Option<PathBuf> {
    let os = exe.parent()?;
    let programa = os.parent()?;
    let share = programa.parent()?;
    let named = |p: &Path, n: &str| p.file_name().is_some_and(|f| f.eq_ignore_ascii_case(n));
    (named(os, os_dir())
        && named(programa, PROGRAM_DIR)
        && share.join(crate::storage::ctl::CTL_FILE).is_file())
    .then(|| share.to_path_buf())
}

/// The share the running program was started from, if it runs from one's `programa/`.
pub fn share_of_running_program() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    share_of_program(&exe)
}

/// What `instalar` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstallReport {
    pub share: PathBuf,
    /// The program copied into the share.
    pub program: PathBuf,
    pub version: ProgramVersion,
    /// The launchers written at the top of the share.
    pub launchers: Vec<PathBuf>,
    /// Whether the share was created by this installation.
    pub created: bool,
    /// Whether programs older than this one may no longer write the share (they could before).
    pub raised_oldest_writer: bool,
}

impl InstallReport {
    pub fn to_text(&self) -> String {
        let mut t = format!(
            "VentaLibre {} instalado en {}{}\nPrograma: {}\nAccesos directos de la carpeta:\n",
            self.version,
            self.share.display(),
            if self.created {
                " (carpeta compartida nueva)"
            } else {
                ""
            },
            self.program.display()
        );
        for l in &self.launchers {
            t.push_str(&format!("  {}\n", l.display()));
        }
        if self.raised_oldest_writer {
            t.push_str(&format!(
                "Desde ahora solo VentaLibre {} o más nuevo modifica la carpeta: las terminales \
                 con una versión anterior deben abrirla con el acceso directo de la carpeta.\n",
                self.version
            ));
        }
        t.push_str(
            "En cada terminal: abra la carpeta compartida y haga doble clic en VentaLibre.cmd \
             (Windows), VentaLibre.desktop (Linux) o VentaLibre.command (macOS).\n",
        );
        t
    }
}

/// Creates the share in `dir` when it has none, then installs the running program into it.
/// `admin` is asked for an administrator's session only when the installation would lock
/// older terminals out (a new version on a share with data); a new share needs none.
pub fn install_into(
    dir: &Path,
    admin: impl FnOnce(&Market) -> DResult<Session>,
) -> DResult<(Market, InstallReport)> {
    std::fs::create_dir_all(dir).map_err(|e| {
        DomainError::Invalid(format!(
            "no se pudo crear la carpeta {}: {e}",
            dir.display()
        ))
    })?;
    let existed = dir.join(crate::storage::ctl::CTL_FILE).exists();
    let m = Market::open(dir, true)?;
    let session = if m.install_locks_out()? {
        // Say why a password is asked for, before any complaint about the password itself.
        let why = lockout_reason(m.version_status()?.share.oldest_writer);
        Some(admin(&m).map_err(|e| match e {
            DomainError::Invalid(m) => DomainError::Invalid(format!("{why}. {m}")),
            DomainError::Denied(m) => DomainError::Denied(format!("{why}. {m}")),
            other => other,
        })?)
    } else {
        None
    };
    let mut r = m.install_program(session.as_ref())?;
    r.created = !existed;
    Ok((m, r))
}

impl Market {
    /// Whether installing the running program would lock out terminals with an older one (so
    /// it takes an administrator).
    pub fn install_locks_out(&self) -> DResult<bool> {
        Ok(version::program_version() > self.version_status()?.share.oldest_writer)
    }

    /// Installs the running program into this share: the version record first (an older
    /// program is refused before it copies anything), then the binary, then the launchers.
    /// Raising the share's oldest writer locks older terminals out, so it takes an
    /// administrator's session; reinstalling the same version does not.
    pub fn install_program(&self, admin: Option<&Session>) -> DResult<InstallReport> {
        let me = version::program_version();
        let status = self.version_status()?;
        if let Some(r) = status.write_refusal() {
            return Err(DomainError::Version(r));
        }
        let raise = me > status.share.oldest_writer;
        if raise {
            let Some(s) = admin else {
                return denied(format!(
                    "{} (--usuario y VENTALIBRE_PASSWORD, o el panel de administración)",
                    lockout_reason(status.share.oldest_writer)
                ));
            };
            self.write(|tx| {
                current_admin(tx, s)?;
                version::record_installed(tx, me)
            })?;
        }
        let share = self.dir().to_path_buf();
        let exe = std::env::current_exe().map_err(|e| {
            DomainError::Invalid(format!("no se sabe dónde está este programa: {e}"))
        })?;
        let program = copy_program(&exe, &share)?;
        let launchers = write_launchers(&share)?;
        Ok(InstallReport {
            share,
            program,
            version: me,
            launchers,
            created: false,
            raised_oldest_writer: raise,
        })
    }
}

/// Why installing the running program takes an administrator.
fn lockout_reason(oldest_writer: ProgramVersion) -> String {
    let me = version::program_version();
    format!(
        "instalar VentaLibre {me} en esta carpeta deja sin poder modificarla a las terminales \
         con una versión anterior (hoy la modifica VentaLibre {oldest_writer} o más nuevo): hace \
         falta la clave de la administración"
    )
}

fn io_error(what: String, e: std::io::Error) -> DomainError {
    DomainError::Storage(StorageError::Io {
        file: what,
        op: "instalar",
        source: e,
    })
}

/// Copies `exe` to `SHARE/programa/<os>/` through a temporary file renamed into place, so a
/// terminal starting the program meanwhile gets the old or the new binary, never half of one.
fn copy_program(exe: &Path, share: &Path) -> DResult<PathBuf> {
    let dest = program_in_share(share);
    let folder = dest.parent().expect("programa/<os>");
    std::fs::create_dir_all(folder).map_err(|e| io_error(folder.display().to_string(), e))?;
    let same = match (std::fs::canonicalize(exe), std::fs::canonicalize(&dest)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same {
        // Installed from the share's own program: it is already there.
        return Ok(dest);
    }
    let tmp = folder.join(format!(".{}.nuevo", program_file()));
    let copied = std::fs::copy(exe, &tmp).map_err(|e| io_error(tmp.display().to_string(), e));
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    set_executable(&tmp);
    if let Err(e) = std::fs::rename(&tmp, &dest) {
        let _ = std::fs::remove_file(&tmp);
        return Err(DomainError::Conflict(format!(
            "no se pudo reemplazar {}: {e}. Si hay terminales con VentaLibre abierto desde la \
             carpeta, ciérrelas y vuelva a instalar",
            dest.display()
        )));
    }
    Ok(dest)
}

#[cfg(unix)]
fn set_executable(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755));
}

#[cfg(not(unix))]
fn set_executable(_p: &Path) {}

/// Writes a small text file through a temporary one renamed into place.
fn write_file(path: &Path, text: &str, executable: bool) -> DResult<()> {
    let tmp = path.with_extension("nuevo");
    let r = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        drop(f);
        if executable {
            set_executable(&tmp);
        }
        std::fs::rename(&tmp, path)
    })();
    r.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_error(path.display().to_string(), e)
    })
}

/// Writes the four launchers at the top of the share; returns their paths.
pub fn write_launchers(share: &Path) -> DResult<Vec<PathBuf>> {
    let files = [
        (WINDOWS_LAUNCHER, windows_launcher(), false),
        (LINUX_LAUNCHER, desktop_launcher(), true),
        (SHELL_LAUNCHER, shell_launcher(), true),
        (MACOS_LAUNCHER, macos_launcher(), true),
    ];
    let mut out = Vec::new();
    for (name, text, exec) in files {
        let p = share.join(name);
        write_file(&p, &text, exec)?;
        out.push(p);
    }
    Ok(out)
}

/// `VentaLibre.cmd`: plain ASCII (cmd.exe reads it in the console's code page) with CRLF line
/// ends. cmd.exe cannot work in a `\\servidor\ventas` folder, so `pushd` maps it to a temporary
/// drive while the script runs; the program is given the share as it was opened (`%~dp0.`:
/// the UNC path or the mapped drive, with a final `.` so the quoted argument never ends in a
/// backslash) and started in it, so `popd` can remove the temporary drive at once.
pub fn windows_launcher() -> String {
    let lines = [
        "@echo off",
        "rem VentaLibre: abre el programa de esta carpeta compartida sobre esta misma carpeta.",
        "rem Sirve desde una ruta de red (\\\\servidor\\ventas) y desde una unidad asignada (V:).",
        "rem Lo escribe \"ventalibre instalar\"; cada instalacion lo vuelve a escribir.",
        "setlocal",
        "pushd \"%~dp0\" || goto sin_carpeta",
        "if not exist \"%~dp0programa\\windows\\ventalibre.exe\" goto sin_programa",
        "start \"VentaLibre\" /D \"%~dp0.\" \"%~dp0programa\\windows\\ventalibre.exe\" --carpeta \"%~dp0.\"",
        "popd",
        "exit /b 0",
        "",
        ":sin_programa",
        "popd",
        "echo En esta carpeta compartida no esta el programa para Windows:",
        "echo   %~dp0programa\\windows\\ventalibre.exe",
        "echo Instalelo desde una computadora con Windows: ventalibre instalar --carpeta \"%~dp0.\"",
        "pause",
        "exit /b 1",
        "",
        ":sin_carpeta",
        "echo No se pudo abrir la carpeta compartida %~dp0",
        "pause",
        "exit /b 1",
    ];
    let mut s = lines.join("\r\n");
    s.push_str("\r\n");
    s
}

/// The `Exec` line of `VentaLibre.desktop`: `sh -c SCRIPT sh %k`, where `%k` is the entry's own
/// location (a file name, or a `file://` address on some desktops) and SCRIPT runs
/// `ventalibre.sh` from that folder through `sh`, so the script needs no execute permission.
/// In the value `\\` is a backslash of the string format, and `\"`, `\$` are the escapes the
/// Exec syntax requires inside a quoted argument. The script it gives `sh`:
/// `d=$(dirname "${1#file://}"); exec sh "$d/ventalibre.sh"`.
pub const DESKTOP_EXEC: &str =
    r#"Exec=sh -c "d=\\$(dirname \\"\\${1#file://}\\"); exec sh \\"\\$d/ventalibre.sh\\"" sh %k"#;

/// `VentaLibre.desktop`: runs `ventalibre.sh` from the folder the entry is in.
pub fn desktop_launcher() -> String {
    [
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.4",
        "Name=VentaLibre",
        "GenericName=Compraventa en red local",
        "Comment=Abre VentaLibre sobre esta carpeta compartida",
        DESKTOP_EXEC,
        "Icon=ventalibre",
        "Terminal=false",
        "Categories=Office;Finance;",
        "Keywords=compraventa;ventas;mercado;",
        "StartupNotify=true",
        "StartupWMClass=ventalibre",
        "",
    ]
    .join("\n")
}

/// `ventalibre.sh`: the Linux (and macOS) launcher the other launchers run.
pub fn shell_launcher() -> String {
    r#"#!/bin/sh
# VentaLibre: starts the program of this shared folder on this same folder, wherever the folder
# is mounted (Linux and macOS). Written by "ventalibre instalar"; every install rewrites it.
dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd) || exit 1
case $(uname -s) in
  Linux) os=linux ;;
  Darwin) os=macos ;;
  *) os=$(uname -s | tr 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' 'abcdefghijklmnopqrstuvwxyz') ;;
esac
prog="$dir/programa/$os/ventalibre"

falla() {
  echo "VentaLibre: $1" >&2
  if [ ! -t 2 ]; then
    if command -v zenity >/dev/null 2>&1; then
      zenity --error --title=VentaLibre --text="$1" >/dev/null 2>&1
    elif command -v osascript >/dev/null 2>&1; then
      osascript -e 'on run argv' -e 'display alert "VentaLibre" message (item 1 of argv)' \
        -e 'end run' "$1" >/dev/null 2>&1
    fi
  fi
  exit 1
}

[ -f "$prog" ] || falla "En esta carpeta compartida no está el programa para $os ($prog). Instálelo desde una computadora con ese sistema: ventalibre instalar --carpeta \"$dir\""

# A share mounted without permission to run programs (noexec, or no execute bits): run a copy
# from this computer's cache instead.
if [ ! -x "$prog" ]; then
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/ventalibre"
  copy="$cache/ventalibre-$os"
  mkdir -p "$cache" && cp "$prog" "$copy.nuevo" && chmod 755 "$copy.nuevo" \
    && mv -f "$copy.nuevo" "$copy" \
    || falla "No se puede ejecutar $prog ni copiarlo a $cache."
  prog="$copy"
fi
exec "$prog" --carpeta "$dir" "$@"
"#
    .to_string()
}

/// `VentaLibre.command`: Terminal runs it on a double-click; it starts VentaLibre detached
/// from the Terminal window (closing the window does not close VentaLibre).
pub fn macos_launcher() -> String {
    r#"#!/bin/sh
# VentaLibre for macOS: double-click this file (Terminal runs it). It starts the program of this
# shared folder on this same folder. Written by "ventalibre instalar"; every install rewrites it.
dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd) || exit 1
nohup sh "$dir/ventalibre.sh" >/dev/null 2>&1 &
echo "VentaLibre se está abriendo sobre $dir. Puede cerrar esta ventana."
"#
    .to_string()
}

/// Linux: puts the icon in the user's icon theme if it is not there yet, so the share's
/// `VentaLibre.desktop` (`Icon=ventalibre`) shows it on this computer after the program's first
/// start, shortcut or not. Best effort: a read-only home just leaves the generic icon.
pub fn ensure_user_icon() {
    if !cfg!(all(unix, not(target_os = "macos"))) {
        return;
    }
    let Some(data) = env_dir("XDG_DATA_HOME")
        .or_else(|| super::places::home_dir().map(|h| h.join(".local").join("share")))
    else {
        return;
    };
    for (size, png) in ICONS {
        let p = data.join(format!("icons/hicolor/{size}x{size}/apps/{APP_ID}.png"));
        if !p.exists() {
            let _ = p.parent().map(std::fs::create_dir_all);
            let _ = std::fs::write(&p, png);
        }
    }
}

/// What [`local_shortcut`] wrote on this computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShortcutReport {
    /// The share's launcher the shortcut starts.
    pub launcher: PathBuf,
    /// The files written.
    pub files: Vec<PathBuf>,
}

impl ShortcutReport {
    pub fn to_text(&self) -> String {
        let mut t = format!(
            "Acceso directo de esta computadora a {}:\n",
            self.launcher.display()
        );
        for f in &self.files {
            t.push_str(&format!("  {}\n", f.display()));
        }
        t
    }
}

fn env_dir(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Quotes a path as one argument of a desktop entry's `Exec` (then escaped as a string value).
fn desktop_exec_arg(p: &Path) -> String {
    let mut quoted = String::from("\"");
    for c in p.display().to_string().chars() {
        if matches!(c, '"' | '`' | '$' | '\\') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    // The string escapes of the desktop entry format.
    quoted.replace('\\', "\\\\")
}

/// The desktop entry of a local shortcut to the share's `ventalibre.sh`.
pub fn local_desktop_entry(share: &Path) -> String {
    [
        "[Desktop Entry]".to_string(),
        "Type=Application".into(),
        "Version=1.4".into(),
        "Name=VentaLibre".into(),
        "GenericName=Compraventa en red local".into(),
        format!(
            "Comment=VentaLibre sobre la carpeta compartida {}",
            share.display()
        ),
        format!("Exec=sh {}", desktop_exec_arg(&share.join(SHELL_LAUNCHER))),
        format!("Icon={APP_ID}"),
        "Terminal=false".into(),
        "Categories=Office;Finance;".into(),
        "Keywords=compraventa;ventas;mercado;".into(),
        "StartupNotify=true".into(),
        format!("StartupWMClass={APP_ID}"),
        String::new(),
    ]
    .join("\n")
}

/// Writes, on this computer, a shortcut to the launcher of the share in `share` (as this
/// computer reaches it): on Linux a desktop entry in the applications menu (and on the desktop
/// when there is one) plus the icon in the user's icon theme; on Windows a Start-menu entry
/// (and one on the desktop) that calls the share's `VentaLibre.cmd`; on macOS a `.command` on
/// the desktop that calls the share's.
pub fn local_shortcut(share: &Path) -> DResult<ShortcutReport> {
    let share = std::path::absolute(share).unwrap_or_else(|_| share.to_path_buf());
    let home = super::places::home_dir();
    let mut files = Vec::new();
    let mut put = |path: PathBuf, bytes: &[u8], exec: bool| -> DResult<()> {
        if let Some(d) = path.parent() {
            std::fs::create_dir_all(d).map_err(|e| io_error(d.display().to_string(), e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| io_error(path.display().to_string(), e))?;
        if exec {
            set_executable(&path);
        }
        files.push(path);
        Ok(())
    };
    let launcher;
    if cfg!(windows) {
        launcher = share.join(WINDOWS_LAUNCHER);
        let text = format!(
            "@echo off\r\nrem Acceso directo a VentaLibre de la carpeta compartida {0}\r\ncall \"{1}\"\r\n",
            share.display(),
            launcher.display()
        );
        let appdata = env_dir("APPDATA")
            .ok_or_else(|| DomainError::Invalid("no se sabe cuál es la carpeta APPDATA".into()))?;
        put(
            appdata.join("Microsoft\\Windows\\Start Menu\\Programs\\VentaLibre.cmd"),
            text.as_bytes(),
            false,
        )?;
        if let Some(h) = &home
            && h.join("Desktop").is_dir()
        {
            put(
                h.join("Desktop").join("VentaLibre.cmd"),
                text.as_bytes(),
                false,
            )?;
        }
    } else if cfg!(target_os = "macos") {
        launcher = share.join(MACOS_LAUNCHER);
        let h = home
            .ok_or_else(|| DomainError::Invalid("no se sabe cuál es la carpeta personal".into()))?;
        let text = format!(
            "#!/bin/sh\n# Acceso directo a VentaLibre de la carpeta compartida {0}\nexec sh '{1}'\n",
            share.display(),
            launcher.display().to_string().replace('\'', "'\\''")
        );
        put(
            h.join("Desktop").join("VentaLibre.command"),
            text.as_bytes(),
            true,
        )?;
    } else {
        launcher = share.join(SHELL_LAUNCHER);
        let data = env_dir("XDG_DATA_HOME")
            .or_else(|| home.as_ref().map(|h| h.join(".local").join("share")))
            .ok_or_else(|| DomainError::Invalid("no se sabe cuál es la carpeta personal".into()))?;
        for (size, png) in ICONS {
            put(
                data.join(format!("icons/hicolor/{size}x{size}/apps/{APP_ID}.png")),
                png,
                false,
            )?;
        }
        put(
            data.join("icons/hicolor/scalable/apps/ventalibre.svg"),
            include_bytes!("../../assets/ventalibre.svg"),
            false,
        )?;
        let entry = local_desktop_entry(&share);
        put(
            data.join("applications").join(format!("{APP_ID}.desktop")),
            entry.as_bytes(),
            true,
        )?;
        if let Some(desktop) = super::places::desktop_dir() {
            put(
                desktop.join(format!("{APP_ID}.desktop")),
                entry.as_bytes(),
                true,
            )?;
        }
    }
    if !launcher.exists() {
        return Err(DomainError::NotFound(format!(
            "la carpeta compartida no tiene su acceso directo {}: instale el programa en ella primero",
            launcher.display()
        )));
    }
    Ok(ShortcutReport { launcher, files })
}

/// A newer program in the share's `programa/` than the one running, if there is one: its path
/// and version (read by running it with `--version`).
pub fn newer_program_in_share(share: &Path) -> Option<(PathBuf, ProgramVersion)> {
    let p = program_in_share(share);
    if !p.is_file() {
        return None;
    }
    let out = std::process::Command::new(&p)
        .arg("--version")
        .env_remove("VENTALIBRE_PROGRAM_VERSION")
        .env_remove("VENTALIBRE_FORMAT_REVISION")
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next()?;
    let v = ProgramVersion::parse(first.strip_prefix("VentaLibre ")?)?;
    (v > version::program_version()).then_some((p, v))
}

/// Starts the share's program on the share (this one should then close). The child gets no
/// simulated version: it is the share's program.
pub fn start_program_of_share(share: &Path) -> DResult<()> {
    let p = program_in_share(share);
    std::process::Command::new(&p)
        .arg("--carpeta")
        .arg(share)
        .current_dir(share)
        .env_remove("VENTALIBRE_PROGRAM_VERSION")
        .env_remove("VENTALIBRE_FORMAT_REVISION")
        .stdin(std::process::Stdio::null())
        .spawn()
        .map(|_| ())
        .map_err(|e| DomainError::Invalid(format!("no se pudo abrir {}: {e}", p.display())))
}

/// Whether a refusal asks to close this program and open the share's (the GUI then offers it).
pub fn is_newer_program(e: &DomainError) -> bool {
    matches!(e, DomainError::Version(VersionRefusal::NewerProgram))
}
