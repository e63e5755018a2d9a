//! Issue 11, "what it must show": a backup taken while 4 processes write passes `check` when
//! restored and holds a state that existed at some commit — its money sums to its deposits,
//! and it holds every deposit acknowledged before the backup began and none that was not made.
//! Restore is refused while another terminal writes.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::{Duration, Instant};

use common::{ChildLines, WORKER_ENV, say, wait_with_deadline};
use ventalibre::domain::account::NewUser;
use ventalibre::domain::maintenance::Progress;
use ventalibre::domain::market::{ADMIN_DEFAULT_PASSWORD, ADMIN_EMAIL};
use ventalibre::domain::{Market, MoveKind, Session};
use ventalibre::storage::ShareConfig;

const ADMIN_PW: &str = "clave-de-la-administracion";
const WORKERS: usize = 4;

fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| unsafe { std::env::set_var("VENTALIBRE_KDF_ROUNDS", "1000") });
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("vl-backup-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn email(i: usize) -> String {
    format!("escritor{i}@ejemplo.com.ar")
}

fn config() -> ShareConfig {
    ShareConfig {
        busy_timeout: Duration::from_secs(30),
        ..ShareConfig::default()
    }
}

fn admin(m: &Market) -> Session {
    let s = m
        .authenticate(ADMIN_EMAIL, ADMIN_DEFAULT_PASSWORD)
        .or_else(|_| m.authenticate(ADMIN_EMAIL, ADMIN_PW))
        .unwrap();
    if m.must_change_password(&s).unwrap() {
        m.change_password(&s, ADMIN_DEFAULT_PASSWORD, ADMIN_PW)
            .unwrap();
    }
    s
}

/// Starts this test binary again running only the (ignored) `backup_worker`, with its task.
fn spawn_backup_worker(task: String) -> std::process::Child {
    std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "backup_worker",
            "--include-ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(WORKER_ENV, task)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn backup_worker")
}

/// Worker: deposits small amounts and transfers some to the next writer until told to stop
/// (a file appears), saying each acknowledged deposit.
#[test]
#[ignore = "a worker process of backup_under_load, which runs it"]
fn backup_worker() {
    let spec = std::env::var(WORKER_ENV)
        .expect("backup_worker runs as a worker of backup_under_load (VENTALIBRE_TEST_WORKER)");
    setup();
    let mut parts = spec.splitn(3, '|');
    let dir = PathBuf::from(parts.next().unwrap());
    let i: usize = parts.next().unwrap().parse().unwrap();
    let stop = PathBuf::from(parts.next().unwrap());
    let m = Market::open_with(&dir, config(), false).unwrap();
    let s = m.authenticate(&email(i), "secreto1").unwrap();
    say("ready");
    let mut n = 0u64;
    while !stop.exists() {
        n += 1;
        let amount = 100 + (n * 37 + i as u64 * 11) % 900;
        match m.deposit(&s, amount as i64) {
            Ok(_) => say(&format!("dep {amount}")),
            Err(e) => say(&format!("err {e}")),
        }
        if n.is_multiple_of(3) {
            let _ = m.transfer(&s, &email((i + 1) % WORKERS), 50);
        }
        // A terminal's pace, not a tight loop (the lock is not fair to waiting readers).
        std::thread::sleep(Duration::from_millis(5));
    }
    say("done");
}

fn deposits_in(m: &Market) -> (i64, i64, usize) {
    let adm = m.authenticate(ADMIN_EMAIL, ADMIN_PW).unwrap();
    let users = m.users(&adm).unwrap();
    let balances: i64 = users.iter().map(|u| u.balance_cents).sum();
    let mut deposits = 0i64;
    let mut count = 0;
    for i in 0..WORKERS {
        let s = m.authenticate(&email(i), "secreto1").unwrap();
        for mv in m.wallet(&s).unwrap().movements {
            if mv.kind == MoveKind::Deposit {
                deposits += ventalibre::domain::parse_cents(&mv.amount).unwrap();
                count += 1;
            }
        }
    }
    (balances, deposits, count)
}

#[test]
fn backup_under_load() {
    setup();
    let root = tmp("carga");
    let dir = root.join("carpeta");
    std::fs::create_dir_all(&dir).unwrap();
    let m = Market::open_with(&dir, config(), true).unwrap();
    let adm = admin(&m);
    for i in 0..WORKERS {
        m.register(NewUser {
            email: email(i),
            password: "secreto1".into(),
            name: format!("Escritor {i}"),
            address: "Calle 1".into(),
            province: 1,
            phone: String::new(),
            photo: None,
        })
        .unwrap();
    }
    let stop = root.join("parar");
    let mut children: Vec<_> = (0..WORKERS)
        .map(|i| {
            let mut c = spawn_backup_worker(format!("{}|{i}|{}", dir.display(), stop.display()));
            let lines = ChildLines::new(&mut c);
            (c, lines)
        })
        .collect();
    for (_, l) in children.iter_mut() {
        assert!(
            l.wait_for("ready", Duration::from_secs(60)),
            "{}",
            l.transcript()
        );
    }
    // Let them write a little, then note what was acknowledged before the backup starts.
    let until = Instant::now() + Duration::from_millis(600);
    let mut acked: HashMap<usize, usize> = HashMap::new();
    while Instant::now() < until {
        for (i, (_, l)) in children.iter_mut().enumerate() {
            if l.wait_for("dep ", Duration::from_millis(20)) {
                *acked.entry(i).or_default() += 1;
            }
        }
    }
    let before: usize = children
        .iter()
        .map(|(_, l)| l.seen.iter().filter(|s| s.starts_with("dep ")).count())
        .sum();
    let backup = root.join("copia");
    let progress = |_: &Progress| {};
    let summary = m.backup(&adm, &backup, &progress).unwrap();
    // Keep writing a moment after the backup, then stop everyone.
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(&stop, b"").unwrap();
    let mut total_acked = 0;
    for (c, l) in children.iter_mut() {
        let st = wait_with_deadline(c, Duration::from_secs(60));
        l.drain();
        assert!(st.success(), "{}", l.transcript());
        assert!(l.seen.iter().any(|s| s == "done"), "{}", l.transcript());
        assert!(
            !l.seen.iter().any(|s| s.starts_with("err ")),
            "{}",
            l.transcript()
        );
        total_acked += l.seen.iter().filter(|s| s.starts_with("dep ")).count();
    }
    assert!(
        summary.check_ok,
        "the backup does not pass check: {summary:?}"
    );
    assert!(
        total_acked > before,
        "the writers wrote nothing after the backup began"
    );
    // The copy is a state some commit left: money sums to its deposits.
    let copy = Market::open_with(&backup, config(), false).unwrap();
    let (balances, deposits, count) = deposits_in(&copy);
    assert_eq!(
        balances, deposits,
        "money in the copy does not sum to its deposits"
    );
    assert!(
        count >= before && count <= total_acked,
        "the copy holds {count} deposits; {before} were acknowledged before it began and {total_acked} in all"
    );
    // Restore it over the share (nobody writes now): check passes and the money is the copy's.
    // Every file is rewritten in place (same inode: terminals may hold it open), and the ones
    // that grew since the backup shrink back.
    let inodes = |d: &Path| -> Vec<(String, u64, u64)> {
        use std::os::unix::fs::MetadataExt;
        let mut v: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().unwrap().is_file())
            .map(|e| {
                let md = e.metadata().unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    md.ino(),
                    md.len(),
                )
            })
            .filter(|(n, _, _)| n.ends_with(".DAT") || n.ends_with(".CON") || n == "VENTALIBRE.CTL")
            .collect();
        v.sort();
        v
    };
    let before_restore = inodes(&dir);
    let r = m.restore(&adm, &backup, &progress).unwrap();
    let after_restore = inodes(&dir);
    assert_eq!(
        before_restore
            .iter()
            .map(|(n, i, _)| (n, i))
            .collect::<Vec<_>>(),
        after_restore
            .iter()
            .map(|(n, i, _)| (n, i))
            .collect::<Vec<_>>(),
        "restore replaced files instead of rewriting them in place"
    );
    assert!(
        before_restore
            .iter()
            .zip(&after_restore)
            .any(|((_, _, a), (_, _, b))| b < a),
        "no file shrank back to the copy's length: {before_restore:?} → {after_restore:?}"
    );
    assert!(r.files > 10, "{r:?}");
    let after = Market::open_with(&dir, config(), false).unwrap();
    assert!(
        after.check().unwrap().ok,
        "{}",
        after.check().unwrap().to_text()
    );
    assert_eq!(deposits_in(&after), (balances, deposits, count));
    // The handle that was open before the restore sees the restored state too.
    assert_eq!(deposits_in(&m), (balances, deposits, count));
    let _ = std::fs::remove_dir_all(&root);
}

/// Restore is refused, at once and clearly, while another terminal is in a write.
#[test]
fn restore_is_refused_while_another_terminal_writes() {
    setup();
    let root = tmp("ocupada");
    let dir = root.join("carpeta");
    std::fs::create_dir_all(&dir).unwrap();
    let m = Market::open_with(&dir, config(), true).unwrap();
    let adm = admin(&m);
    let backup = root.join("copia");
    m.backup(&adm, &backup, &|_| {}).unwrap();
    let other = Market::open_with(&dir, config(), false).unwrap();
    let (held_tx, held_rx) = std::sync::mpsc::channel();
    let writer = std::thread::Builder::new()
        .name("escritor".into())
        .spawn(move || {
            other
                .share()
                .write(|_tx| -> ventalibre::storage::Result<()> {
                    held_tx.send(()).unwrap();
                    std::thread::sleep(Duration::from_secs(4));
                    Ok(())
                })
        })
        .unwrap();
    held_rx.recv().unwrap();
    let t = Instant::now();
    let e = m.restore(&adm, &backup, &|_| {}).unwrap_err();
    assert!(
        t.elapsed() < Duration::from_secs(4),
        "restore waited for the writer"
    );
    assert!(
        e.to_string().contains("otra terminal está escribiendo"),
        "{e}"
    );
    writer.join().unwrap().unwrap();
    let _ = std::fs::remove_dir_all(&root);
    let _: &Path = &dir;
}
