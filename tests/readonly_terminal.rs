//! A terminal with read-only access to the share (a kiosk for visitors, a read-only mount):
//! it browses and reads; every write is refused with a clear message and changes nothing.
//!
//! The share is mounted read-only with a bind mount (`mount -o remount,ro,bind`), which needs
//! root; without it the test says so loudly and skips (CI runs as root). Permission bits would
//! not do: root ignores them.
#![cfg(target_os = "linux")]

mod common;

use std::path::Path;
use std::process::Command;

use common::TempDir;

fn vl(share: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ventalibre"))
        .arg("--share")
        .arg(share)
        .args(args)
        .env("VENTALIBRE_PASSWORD", "clave-de-prueba")
        .env("VENTALIBRE_KDF_ROUNDS", "1000")
        .output()
        .expect("run ventalibre")
}

struct BindMount(std::path::PathBuf);

impl Drop for BindMount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn read_only_view(src: &Path, dst: &Path) -> Result<BindMount, String> {
    std::fs::create_dir_all(dst).unwrap();
    let ok = |c: &mut Command| c.status().is_ok_and(|s| s.success());
    if !ok(Command::new("mount").arg("--bind").arg(src).arg(dst)) {
        return Err("mount --bind failed (not root?)".into());
    }
    let m = BindMount(dst.to_path_buf());
    if !ok(Command::new("mount")
        .args(["-o", "remount,ro,bind"])
        .arg(dst))
    {
        return Err("remount read-only failed".into());
    }
    Ok(m)
}

#[test]
fn a_read_only_terminal_browses_and_is_refused_writes() {
    let dir = TempDir::new("ro-share");
    let rw = dir.path().join("rw");
    std::fs::create_dir_all(&rw).unwrap();
    let out = vl(&rw, &["init"]);
    assert!(out.status.success(), "{out:?}");
    let reg = vl(
        &rw,
        &[
            "register",
            "--email",
            "ana@ejemplo.com.ar",
            "--name",
            "Pérez, Ana",
            "--address",
            "Calle 1",
            "--province",
            "1",
        ],
    );
    assert!(reg.status.success(), "{reg:?}");
    let ro = dir.path().join("ro");
    let _mount = match read_only_view(&rw, &ro) {
        Ok(m) => m,
        Err(why) => {
            // SAFETY: geteuid has no preconditions.
            assert!(
                unsafe { libc::geteuid() } != 0,
                "root but cannot bind-mount: {why}"
            );
            eprintln!(
                "\n!!!!! SKIPPED: read-only terminal test needs root for a read-only bind mount ({why})\n"
            );
            return;
        }
    };
    let before = common::snapshot(&rw);
    // Reading works: browse, categories, check.
    for args in [&["browse"][..], &["categories"], &["check"], &["doctor"]] {
        let o = vl(&ro, args);
        assert!(
            o.status.success(),
            "{args:?} on a read-only terminal: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let doctor = String::from_utf8_lossy(&vl(&ro, &["doctor"]).stdout).into_owned();
    assert!(doctor.contains("Escritura: NO"), "{doctor}");
    // Writing is refused with a clear message (exit 1), and nothing changes.
    let w = vl(
        &ro,
        &[
            "register",
            "--email",
            "beto@ejemplo.com.ar",
            "--name",
            "Gómez, Beto",
            "--address",
            "Calle 2",
            "--province",
            "1",
        ],
    );
    let err = String::from_utf8_lossy(&w.stderr);
    assert_eq!(w.status.code(), Some(1), "{err}");
    assert!(
        err.contains("no puede modificar la carpeta compartida"),
        "{err}"
    );
    assert!(err.contains("lectura"), "{err}");
    let dep = vl(
        &ro,
        &["--user", "ana@ejemplo.com.ar", "wallet", "deposit", "10"],
    );
    assert_eq!(dep.status.code(), Some(1), "{dep:?}");
    assert!(
        common::snapshot(&rw) == before,
        "a read-only terminal changed the share"
    );
}
