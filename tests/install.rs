//! Issue 15: the share carries its program and launchers, the window has its icon, and one
//! program version per share. Tested with the real binary on temporary shares: `instalar`,
//! then the installed program started with no share named from another folder, through its
//! shell launcher, its desktop entry (as a desktop runs its `Exec`) and as a window under Xvfb
//! (icon compared pixel by pixel with `xprop`); the launchers' text; two program versions
//! (an older one simulated with `VENTALIBRE_PROGRAM_VERSION` / `VENTALIBRE_FORMAT_REVISION`).
//!
//! `desktop-file-validate`, `Xvfb` and `xprop` are system tools: `scripts/test` installs them
//! when it runs as root and then sets `VENTALIBRE_REQUIRE_DESKTOP_TOOLS=1`, so in CI a missing
//! tool fails the test; elsewhere the test says loudly that it skipped that part.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_ventalibre");
const NEWER: &str = "Hay una versión nueva de VentaLibre en la carpeta compartida: ciérrela y ábrala con el acceso directo de la carpeta";
const ADMIN: &str = "admin@ventalibre.com.ar";
/// The administrator's password once the initial one (`newton`) is changed.
const ADMIN_PW: &str = "clave-admin";

/// The tests that copy the program (a debug build is hundreds of MB) run one at a time, so
/// they never hold more than two copies on the disk at once.
static ONE_COPY_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn copying() -> std::sync::MutexGuard<'static, ()> {
    ONE_COPY_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// A temporary folder, removed at the end.
struct Temp(PathBuf);

impl Temp {
    fn new(name: &str) -> Temp {
        let d = std::env::temp_dir().join(format!("vl-install-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Temp(d)
    }
    fn dir(&self, name: &str) -> PathBuf {
        let d = self.0.join(name);
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `exe args` run in `cwd`, with no share named by the environment and no simulated version.
fn vl(exe: impl AsRef<std::ffi::OsStr>, cwd: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(exe);
    c.args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .env("VENTALIBRE_KDF_ROUNDS", "1000")
        .env("VENTALIBRE_TERMINAL", "prueba")
        .env_remove("VENTALIBRE_SHARE")
        .env_remove("VENTALIBRE_PASSWORD")
        .env_remove("VENTALIBRE_PROGRAM_VERSION")
        .env_remove("VENTALIBRE_FORMAT_REVISION");
    c
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `c` (which has `--json`); asserts exit 0 and returns its one JSON document.
fn json_ok(c: &mut Command) -> Value {
    let o = c.output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{c:?}\nstdout: {}\nstderr: {}",
        out(&o),
        err(&o)
    );
    serde_json::from_str(out(&o).trim())
        .unwrap_or_else(|e| panic!("{c:?}: not one JSON document ({e}): {}", out(&o)))
}

/// Runs `c`; asserts it was refused (exit 1) with `msg` in its stderr.
fn refused(c: &mut Command, msg: &str) {
    let o = c.output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{c:?}\nstdout: {}\nstderr: {}",
        out(&o),
        err(&o)
    );
    assert!(
        err(&o).contains(msg),
        "{c:?}: stderr {:?} lacks {msg:?}",
        err(&o)
    );
}

fn register_args(email: &str) -> Vec<String> {
    [
        "register",
        "--email",
        email,
        "--name",
        "Persona de prueba",
        "--address",
        "Calle 1",
        "--province",
        "1",
        "--json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn register(mut c: Command, email: &str) -> Command {
    c.args(register_args(email))
        .env("VENTALIBRE_PASSWORD", "clave-123");
    c
}

/// `instalar` into `share` with the built program, from `cwd`.
fn install(share: &Path, cwd: &Path, admin_password: Option<&str>) -> Value {
    let mut c = vl(BIN, cwd, &["instalar", "--json", "--carpeta"]);
    c.arg(share);
    if let Some(p) = admin_password {
        c.args(["--usuario", ADMIN]).env("VENTALIBRE_PASSWORD", p);
    }
    json_ok(&mut c)
}

/// Whether two files hold the same bytes (read in chunks: a debug build is large).
fn same_bytes(a: &Path, b: &Path) -> bool {
    use std::io::Read;
    let (mut fa, mut fb) = (
        std::fs::File::open(a).unwrap(),
        std::fs::File::open(b).unwrap(),
    );
    if fa.metadata().unwrap().len() != fb.metadata().unwrap().len() {
        return false;
    }
    let (mut ba, mut bb) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    loop {
        let n = fa.read(&mut ba).unwrap();
        if n == 0 {
            return true;
        }
        fb.read_exact(&mut bb[..n]).unwrap();
        if ba[..n] != bb[..n] {
            return false;
        }
    }
}

/// Changes the initial administrator password (required before anything else), with the
/// program as `env` sets it.
fn change_admin_password(share: &Path, cwd: &Path, env: &[(&str, &str)]) {
    let mut c = vl(
        BIN,
        cwd,
        &["clave", "--json", "--usuario", ADMIN, "--carpeta"],
    );
    c.arg(share)
        .env("VENTALIBRE_PASSWORD", "newton")
        .env("VENTALIBRE_NEW_PASSWORD", ADMIN_PW)
        .envs(env.iter().copied());
    json_ok(&mut c);
}

fn program_of(share: &Path) -> PathBuf {
    share.join("programa").join("linux").join("ventalibre")
}

fn built_version() -> String {
    json_ok(&mut vl(BIN, Path::new("/"), &["--version", "--json"]))["program"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Whether the system tools of the desktop tests exist; without them the caller skips loudly,
/// unless `scripts/test` installed them (then their absence fails the test).
fn have_tools(tools: &[&str], what: &str) -> bool {
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|t| {
            Command::new("sh")
                .args(["-c", &format!("command -v {t}")])
                .stdout(Stdio::null())
                .status()
                .map(|s| !s.success())
                .unwrap_or(true)
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var("VENTALIBRE_REQUIRE_DESKTOP_TOOLS").as_deref() == Ok("1") {
        panic!("{what}: missing {missing:?}, which scripts/test should have installed");
    }
    eprintln!(
        "\n!!!!! SKIPPED: {what}: missing {missing:?} (run ./scripts/test as root to install them)\n"
    );
    false
}

fn desktop_file_validate(path: &Path) {
    if !have_tools(&["desktop-file-validate"], "desktop-file-validate") {
        return;
    }
    let o = Command::new("desktop-file-validate")
        .arg(path)
        .output()
        .unwrap();
    assert!(
        o.status.success() && out(&o).trim().is_empty() && err(&o).trim().is_empty(),
        "desktop-file-validate {}: {}{}",
        path.display(),
        out(&o),
        err(&o)
    );
}

/// The command a desktop runs for a desktop entry's `Exec` value (Desktop Entry Specification:
/// the string escapes first, then the quoting rules of `Exec`), with `%k` = the entry's path.
fn exec_argv(entry: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(entry).unwrap();
    let value = text
        .lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .expect("an Exec line");
    let mut s = String::new();
    let mut it = value.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            s.push(c);
            continue;
        }
        match it.next() {
            Some('s') => s.push(' '),
            Some('n') => s.push('\n'),
            Some('t') => s.push('\t'),
            Some('r') => s.push('\r'),
            Some('\\') => s.push('\\'),
            other => panic!("Exec: invalid string escape \\{other:?}"),
        }
    }
    let mut args = Vec::new();
    let (mut cur, mut quoted, mut started) = (String::new(), false, false);
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if quoted {
            match c {
                '"' => quoted = false,
                '\\' => {
                    let n = it.next().expect("an escaped character");
                    assert!(
                        matches!(n, '"' | '`' | '$' | '\\'),
                        "Exec: bad escape \\{n}"
                    );
                    cur.push(n);
                }
                _ => cur.push(c),
            }
        } else {
            match c {
                '"' => (quoted, started) = (true, true),
                ' ' => {
                    if started || !cur.is_empty() {
                        args.push(std::mem::take(&mut cur));
                        started = false;
                    }
                }
                _ => {
                    assert!(!"`$\\".contains(c), "Exec: reserved {c:?} outside quotes");
                    cur.push(c);
                }
            }
        }
    }
    assert!(!quoted, "Exec: unterminated quote");
    if started || !cur.is_empty() {
        args.push(cur);
    }
    args.into_iter()
        .map(|a| {
            if a == "%k" {
                entry.display().to_string()
            } else {
                a
            }
        })
        .collect()
}

#[test]
fn the_installed_program_and_its_launchers_open_their_share() {
    let _one = copying();
    let t = Temp::new("launchers");
    let share = t.0.join("ventas");
    let elsewhere = t.dir("otra-carpeta");

    let r = install(&share, &elsewhere, None);
    assert_eq!(r["created"], true, "{r}");
    assert_eq!(r["raised_oldest_writer"], false, "{r}");
    let program = program_of(&share);
    assert_eq!(r["program"].as_str().unwrap(), program.to_str().unwrap());
    let mode = std::fs::metadata(&program).unwrap().permissions().mode();
    assert_eq!(mode & 0o111, 0o111, "the installed program is executable");
    assert!(
        same_bytes(&program, Path::new(BIN)),
        "the share holds a copy of the installing program"
    );
    assert!(
        !share.join("programa/linux/.ventalibre.nuevo").exists(),
        "no temporary copy is left behind"
    );
    let launchers: Vec<&str> = r["launchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for name in [
        "VentaLibre.cmd",
        "VentaLibre.desktop",
        "ventalibre.sh",
        "VentaLibre.command",
    ] {
        let p = share.join(name);
        assert!(
            launchers.contains(&p.to_str().unwrap()),
            "{name} in {launchers:?}"
        );
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(
            !text.contains(t.0.to_str().unwrap()),
            "{name} finds the share from its own location, it names no path: {text}"
        );
    }

    // The share's program, started from another folder with no share named, opens its share:
    // an account registered through it is in the share.
    let mut c = register(vl(&program, &elsewhere, &[]), "ana@example.com");
    let v = json_ok(&mut c);
    assert_eq!(v["email"], "ana@example.com", "{v}");
    let mut c = vl(
        BIN,
        &elsewhere,
        &["entrar", "--json", "--usuario", "ana@example.com"],
    );
    c.arg("--carpeta")
        .arg(&share)
        .env("VENTALIBRE_PASSWORD", "clave-123");
    json_ok(&mut c);
    // The same binary outside a share's programa/ does not guess: with no share named it
    // looks for ./shared_me, which is not in that folder.
    let o = vl(BIN, &elsewhere, &["verificar", "--json"])
        .output()
        .unwrap();
    assert_ne!(o.status.code(), Some(0), "{}", out(&o));
    assert!(!elsewhere.join("shared_me").exists());

    // The shell launcher, from another folder and through another path to the same share
    // (as when each terminal mounts the share somewhere else).
    let mount = t.0.join("montada");
    std::os::unix::fs::symlink(&share, &mount).unwrap();
    let mut c = Command::new("sh");
    c.arg(mount.join("ventalibre.sh"))
        .args(register_args("bob@example.com"))
        .current_dir(&elsewhere)
        .env("VENTALIBRE_KDF_ROUNDS", "1000")
        .env("VENTALIBRE_PASSWORD", "clave-123")
        .env_remove("VENTALIBRE_SHARE");
    assert_eq!(json_ok(&mut c)["email"], "bob@example.com");
    let mut c = vl(
        BIN,
        &elsewhere,
        &["entrar", "--json", "--usuario", "bob@example.com"],
    );
    c.arg("--carpeta")
        .arg(&share)
        .env("VENTALIBRE_PASSWORD", "clave-123");
    json_ok(&mut c);

    // A share mounted without execute permission: the launcher runs a local copy.
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o644)).unwrap();
    let cache = t.dir("cache");
    let o = Command::new("sh")
        .arg(share.join("ventalibre.sh"))
        .arg("--version")
        .current_dir(&elsewhere)
        .env("XDG_CACHE_HOME", &cache)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}{}", out(&o), err(&o));
    assert!(out(&o).starts_with("VentaLibre "), "{}", out(&o));
    let copy = cache.join("ventalibre/ventalibre-linux");
    assert!(
        same_bytes(&copy, &program),
        "the local copy is the share's program"
    );
    std::fs::remove_file(&copy).unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();

    // A share without the program for this system says how to install it.
    let bare = t.dir("sin-programa");
    std::fs::copy(share.join("ventalibre.sh"), bare.join("ventalibre.sh")).unwrap();
    let o = Command::new("sh")
        .arg(bare.join("ventalibre.sh"))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("ventalibre instalar --carpeta"),
        "{}",
        err(&o)
    );

    // The launchers' text.
    let cmd = std::fs::read_to_string(share.join("VentaLibre.cmd")).unwrap();
    assert!(
        cmd.is_ascii(),
        "cmd.exe reads the console code page: ASCII only"
    );
    assert_eq!(
        cmd.matches('\n').count(),
        cmd.matches("\r\n").count(),
        "CRLF line ends"
    );
    let lines: Vec<&str> = cmd.lines().collect();
    assert_eq!(lines[0], "@echo off");
    // A \\server\share folder is mapped to a drive while the script runs; the program gets
    // the share as opened (UNC path or mapped drive).
    let pushd = lines
        .iter()
        .position(|l| l.starts_with("pushd \"%~dp0\""))
        .unwrap();
    let start = lines
        .iter()
        .position(|l| {
            *l == "start \"VentaLibre\" /D \"%~dp0.\" \"%~dp0programa\\windows\\ventalibre.exe\" --carpeta \"%~dp0.\""
        })
        .expect("the start line");
    let popd = lines.iter().position(|l| *l == "popd").unwrap();
    assert!(pushd < start && start < popd, "{cmd}");
    assert!(
        cmd.contains("if not exist \"%~dp0programa\\windows\\ventalibre.exe\" goto sin_programa")
    );
    assert!(cmd.contains(":sin_programa") && cmd.contains(":sin_carpeta"));

    let command = share.join("VentaLibre.command");
    let text = std::fs::read_to_string(&command).unwrap();
    assert!(text.starts_with("#!/bin/sh\n"), "{text}");
    assert!(
        text.contains("dir=$(CDPATH= cd -- \"$(dirname -- \"$0\")\" && pwd)"),
        "{text}"
    );
    assert!(text.contains("nohup sh \"$dir/ventalibre.sh\""), "{text}");
    assert_eq!(
        std::fs::metadata(&command).unwrap().permissions().mode() & 0o111,
        0o111
    );
    for script in ["VentaLibre.command", "ventalibre.sh"] {
        let o = Command::new("sh")
            .arg("-n")
            .arg(share.join(script))
            .output()
            .unwrap();
        assert!(o.status.success(), "sh -n {script}: {}", err(&o));
    }

    let desktop = share.join("VentaLibre.desktop");
    let text = std::fs::read_to_string(&desktop).unwrap();
    for line in [
        "[Desktop Entry]",
        "Type=Application",
        "Name=VentaLibre",
        "Icon=ventalibre",
        "StartupWMClass=ventalibre",
        "Terminal=false",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in {text}");
    }
    desktop_file_validate(&desktop);
    // What a desktop runs for it: `sh -c SCRIPT sh <the entry's path>`, the script running
    // ventalibre.sh next to the entry.
    let argv = exec_argv(&desktop);
    assert_eq!(argv[0], "sh");
    assert_eq!(argv[1], "-c");
    assert_eq!(
        argv[2],
        r#"d=$(dirname "${1#file://}"); exec sh "$d/ventalibre.sh""#
    );
    assert_eq!(argv[3..], ["sh".to_string(), desktop.display().to_string()]);

    // Installing the same version again needs no administrator and changes nothing else.
    let again = install(&share, &elsewhere, None);
    assert_eq!(again["created"], false);
    assert_eq!(again["raised_oldest_writer"], false);

    // A local shortcut on this computer to the share's launcher, with the icon.
    let home = t.dir("home");
    let data = home.join(".local/share");
    let mut c = vl(BIN, &elsewhere, &["acceso-directo", "--json", "--carpeta"]);
    c.arg(&share)
        .env("HOME", &home)
        .env("XDG_DATA_HOME", &data)
        .env("XDG_CONFIG_HOME", home.join(".config"));
    let v = json_ok(&mut c);
    assert_eq!(
        v["launcher"].as_str().unwrap(),
        share.join("ventalibre.sh").to_str().unwrap()
    );
    let entry = data.join("applications/ventalibre.desktop");
    let text = std::fs::read_to_string(&entry).unwrap();
    assert!(text.contains(&format!(
        "Exec=sh \"{}\"",
        share.join("ventalibre.sh").display()
    )));
    desktop_file_validate(&entry);
    for size in [16, 32, 48, 64, 128, 256, 512] {
        let icon = data.join(format!("icons/hicolor/{size}x{size}/apps/ventalibre.png"));
        let img = image::open(&icon).unwrap();
        assert_eq!(
            (img.width(), img.height()),
            (size, size),
            "{}",
            icon.display()
        );
    }
    assert!(
        data.join("icons/hicolor/scalable/apps/ventalibre.svg")
            .is_file()
    );
}

#[test]
fn an_older_program_reads_the_share_but_does_not_write_it() {
    let t = Temp::new("versions");
    let share = t.dir("ventas");
    let cwd = t.dir("cwd");
    let built = built_version();
    // A share created by this program: only this version or a newer one modifies it.
    let mut c = vl(BIN, &cwd, &["iniciar", "--json", "--carpeta"]);
    c.arg(&share);
    json_ok(&mut c);
    change_admin_password(&share, &cwd, &[]);

    let older = |args: &[&str]| {
        let mut c = vl(BIN, &cwd, args);
        c.arg("--carpeta")
            .arg(&share)
            .env("VENTALIBRE_PROGRAM_VERSION", "0.0.1");
        c
    };
    let o = older(&["--version"]).output().unwrap();
    assert!(out(&o).starts_with("VentaLibre 0.0.1\n"), "{}", out(&o));
    // It refuses to write, with the message of the issue, word for word...
    refused(&mut register(older(&[]), "ana@example.com"), NEWER);
    // ...and reads, also what takes a password (the console checks it without writing).
    let v = json_ok(&mut older(&["categorias", "--json"]));
    assert!(
        v.to_string().contains("Electr"),
        "the sample categories: {v}"
    );
    let mut c = older(&["billetera", "--json", "--usuario", ADMIN]);
    c.env("VENTALIBRE_PASSWORD", ADMIN_PW);
    json_ok(&mut c);
    json_ok(&mut older(&["explorar", "--json"]));
    let v = json_ok(&mut older(&["verificar", "--json"]));
    assert_eq!(v["versions"]["standing"], "read-only", "{v}");
    assert_eq!(
        v["versions"]["share"]["oldest_writer"],
        built.as_str(),
        "{v}"
    );
    let o = older(&["verificar"]).output().unwrap();
    assert!(out(&o).contains(NEWER), "{}", out(&o));

    // A program of an older share format is refused the same way.
    let mut c = register(vl(BIN, &cwd, &[]), "ana@example.com");
    c.arg("--carpeta")
        .arg(&share)
        .env("VENTALIBRE_FORMAT_REVISION", "1");
    refused(&mut c, NEWER);

    // The current program writes, and `verificar` reports both versions.
    let mut c = register(vl(BIN, &cwd, &[]), "ana@example.com");
    c.arg("--carpeta").arg(&share);
    json_ok(&mut c);
    let mut c = vl(BIN, &cwd, &["verificar", "--json", "--carpeta"]);
    c.arg(&share);
    let v = json_ok(&mut c);
    assert_eq!(v["versions"]["standing"], "current", "{v}");
    assert_eq!(v["versions"]["program"], built.as_str());
    assert_eq!(
        v["versions"]["share"]["revision"],
        ventalibre::domain::version::FORMAT_REVISION
    );
    let mut c = vl(BIN, &cwd, &["verificar", "--carpeta"]);
    c.arg(&share);
    let o = c.output().unwrap();
    assert!(
        out(&o).contains(&format!(
            "este programa: VentaLibre {built} (formato {})",
            ventalibre::domain::version::FORMAT_REVISION
        )),
        "{}",
        out(&o)
    );
}

#[test]
fn a_share_of_the_first_versions_is_locked_to_the_installed_program() {
    let _one = copying();
    let t = Temp::new("legacy");
    let share = t.dir("ventas");
    let cwd = t.dir("cwd");
    // A share created by a program of format revision 1: no version record.
    let mut c = vl(BIN, &cwd, &["iniciar", "--json", "--carpeta"]);
    c.arg(&share).env("VENTALIBRE_FORMAT_REVISION", "1");
    json_ok(&mut c);
    change_admin_password(&share, &cwd, &[("VENTALIBRE_FORMAT_REVISION", "1")]);
    assert!(!share.join("VERSION.DAT").exists());
    let at = |version: Option<&str>| {
        let mut c = vl(BIN, &cwd, &[]);
        c.arg("--carpeta").arg(&share);
        if let Some(v) = version {
            c.env("VENTALIBRE_PROGRAM_VERSION", v);
        }
        c
    };
    // The current program's first write adds the record, restricting no one.
    json_ok(&mut register(at(None), "ana@example.com"));
    assert!(share.join("VERSION.DAT").is_file());
    let mut c = at(None);
    c.args(["verificar", "--json"]);
    let v = json_ok(&mut c);
    assert_eq!(v["versions"]["share"]["oldest_writer"], "0.0.0", "{v}");
    json_ok(&mut register(at(Some("0.0.1")), "bob@example.com"));

    // Installing this version locks the older ones out, so it takes the administrator.
    let mut c = vl(BIN, &cwd, &["instalar", "--json", "--carpeta"]);
    c.arg(&share);
    refused(&mut c, "hace falta la clave de la administración");
    assert!(
        !program_of(&share).exists(),
        "nothing is copied when refused"
    );
    let mut c = vl(BIN, &cwd, &["instalar", "--json", "--carpeta"]);
    c.arg(&share)
        .args(["--usuario", "ana@example.com"])
        .env("VENTALIBRE_PASSWORD", "clave-123");
    refused(&mut c, "administración");
    let r = install(&share, &cwd, Some(ADMIN_PW));
    assert_eq!(r["raised_oldest_writer"], true, "{r}");
    assert_eq!(r["created"], false, "{r}");
    refused(&mut register(at(Some("0.0.1")), "carla@example.com"), NEWER);
    let mut c = at(Some("0.0.1"));
    c.args(["categorias", "--json"]);
    json_ok(&mut c);
    json_ok(&mut register(at(None), "carla@example.com"));
}

/// Xvfb on a display it chooses itself; stopped on drop.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    fn start() -> Xvfb {
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let n = line.trim();
        assert!(!n.is_empty(), "Xvfb did not say its display");
        Xvfb {
            child,
            display: format!(":{n}"),
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A started window program; killed on drop.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits until the window program has opened a share (it remembers it in its config folder).
fn wait_for_opened_share(p: &mut Running, config: &Path) -> PathBuf {
    let file = config.join("ventalibre/ultima-carpeta");
    let until = Instant::now() + Duration::from_secs(180);
    loop {
        if let Ok(t) = std::fs::read_to_string(&file)
            && t.ends_with('\n')
        {
            return PathBuf::from(t.trim());
        }
        if let Some(status) = p.0.try_wait().unwrap() {
            panic!("the program ended ({status}) before opening a share");
        }
        assert!(Instant::now() < until, "no share opened within 180 s");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn window_env(c: &mut Command, x: &Xvfb, home: &Path, config: &Path, run: &Path) {
    c.env("DISPLAY", &x.display)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CONFIG_HOME", config)
        .env("XDG_RUNTIME_DIR", run)
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("VENTALIBRE_SHARE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
}

#[test]
fn the_window_opens_its_share_with_its_icon() {
    if !have_tools(&["Xvfb", "xprop"], "the window test under Xvfb") {
        return;
    }
    let _one = copying();
    let t = Temp::new("window");
    let share = t.0.join("ventas");
    let elsewhere = t.dir("otra-carpeta");
    let home = t.dir("home");
    let run = t.dir("run");
    std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700)).unwrap();
    install(&share, &elsewhere, None);
    let x = Xvfb::start();
    // A window manager, when there is one, only so that the screenshot shows the icon in the
    // title bar; the assertions read the window's properties and need none.
    let _wm = Command::new("openbox")
        .env("DISPLAY", &x.display)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()
        .map(Running);

    // SHARE/programa/linux/ventalibre with no arguments, from another folder.
    let config = t.dir("config-1");
    let mut c = Command::new(program_of(&share));
    c.current_dir(&elsewhere);
    window_env(&mut c, &x, &home, &config, &run);
    let mut p = Running(c.spawn().unwrap());
    assert_eq!(wait_for_opened_share(&mut p, &config), share);
    // The icon is in this user's icon theme, for the share's desktop entry (Icon=ventalibre).
    let themed = home.join(".local/share/icons/hicolor/256x256/apps/ventalibre.png");
    assert_eq!(
        std::fs::read(&themed).unwrap(),
        include_bytes!("../assets/ventalibre-256.png")
    );

    // The window's icon is ours (eframe would otherwise set its own), pixel for pixel.
    let xprop = |args: &[&str]| {
        let o = Command::new("xprop")
            .env("DISPLAY", &x.display)
            .args(["-len", "1000000", "-name", "VentaLibre", "-notype"])
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "xprop {args:?}: {}", err(&o));
        out(&o)
    };
    let icon = xprop(&["32c", "_NET_WM_ICON"]);
    let values: Vec<u64> = icon
        .trim()
        .strip_prefix("_NET_WM_ICON = ")
        .unwrap_or_else(|| panic!("_NET_WM_ICON is not set: {icon:.200}"))
        .split(", ")
        .map(|v| v.trim().parse().unwrap())
        .collect();
    let png = image::load_from_memory(include_bytes!("../assets/ventalibre-256.png"))
        .unwrap()
        .into_rgba8();
    assert_eq!(&values[..2], &[256, 256], "a 256 × 256 icon");
    assert_eq!(values.len(), 2 + 256 * 256);
    for (i, px) in png.pixels().enumerate() {
        let [r, g, b, a] = px.0.map(u64::from);
        assert_eq!(
            values[2 + i],
            (a << 24) | (r << 16) | (g << 8) | b,
            "icon pixel {i}"
        );
    }
    let class = xprop(&["WM_CLASS"]);
    assert!(class.contains("\"ventalibre\""), "{class}");

    // A screenshot for people to look at (not an assertion): the window on its share.
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("install-window.png");
    match Command::new("import")
        .env("DISPLAY", &x.display)
        .args(["-window", "root"])
        .arg(&shot)
        .status()
    {
        Ok(s) if s.success() => eprintln!("screenshot: {}", shot.display()),
        _ => eprintln!("no screenshot: ImageMagick's import is not installed"),
    }
    drop(p);

    // The share's desktop entry, run the way a desktop runs it, from another folder.
    let config = t.dir("config-2");
    let argv = exec_argv(&share.join("VentaLibre.desktop"));
    let mut c = Command::new(&argv[0]);
    c.args(&argv[1..]).current_dir(&elsewhere);
    window_env(&mut c, &x, &home, &config, &run);
    let mut p = Running(c.spawn().unwrap());
    assert_eq!(wait_for_opened_share(&mut p, &config), share);
    drop(p);
}
