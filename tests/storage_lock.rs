//! The share lock and the write lease: a holder killed in mid-transaction releases both; a busy
//! share answers `Busy` after the configured wait instead of hanging; a lease left by a dead
//! terminal is broken, one held by a live terminal that the OS lock did not exclude is refused
//! with `LocksNotShared`.

mod common;

use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use common::{ChildLines, TempDir, WORKER_ENV, config, say, spawn_worker};
use ventalibre::storage::ident::{ProcessIdentity, now_ms};
use ventalibre::storage::lease::{LEASE_FILE, LeaseRecord};
use ventalibre::storage::{FreeHome, LeaseTiming, Share, ShareConfig, StorageError, Tx};

const F: &str = "DATOS.DAT";

fn setup(dir: &std::path::Path) {
    let share = Share::open_or_create(dir, config()).unwrap();
    share
        .write(|tx| -> Result<(), StorageError> {
            tx.create_file(F, 8, FreeHome::Own)?;
            tx.alloc(F, &1u64.to_le_bytes())?;
            Ok(())
        })
        .unwrap();
}

fn short(ms: u64) -> ShareConfig {
    ShareConfig {
        busy_timeout: Duration::from_millis(ms),
        ..config()
    }
}

fn value(share: &Share) -> u64 {
    share
        .read(|tx| {
            tx.read(F, 0)
                .map(|v| u64::from_le_bytes(v[..8].try_into().unwrap()))
        })
        .unwrap()
}

/// The worker: `VENTALIBRE_TEST_WORKER=hold:<dir>`. Takes a write transaction, changes the
/// slot, says HOLDING and sleeps inside the transaction until killed.
#[test]
fn lock_holder_worker() {
    let Ok(spec) = std::env::var(WORKER_ENV) else {
        return;
    };
    let dir = spec.strip_prefix("hold:").expect("hold:<dir>").to_string();
    let share = Share::open(&dir, config()).unwrap();
    share
        .write(|tx| -> Result<(), StorageError> {
            tx.write(F, 0, &666u64.to_le_bytes())?;
            say("HOLDING");
            std::thread::sleep(Duration::from_secs(120));
            Ok(())
        })
        .unwrap();
}

fn killed_holder(reap_first: bool) {
    let dir = TempDir::new(if reap_first {
        "kill-reaped"
    } else {
        "kill-zombie"
    });
    setup(dir.path());
    let mut child = spawn_worker(
        "lock_holder_worker",
        &[(WORKER_ENV, format!("hold:{}", dir.path().display()))],
    );
    let mut lines = ChildLines::new(&mut child);
    if !lines.wait_for("HOLDING", Duration::from_secs(20)) {
        let _ = child.kill();
        panic!("holder never took the lock:\n{}", lines.transcript());
    }
    assert!(
        dir.path().join(LEASE_FILE).exists(),
        "the holder has no lease on record"
    );
    // While it lives, the share is busy.
    let busy = Share::open(dir.path(), short(300)).unwrap();
    let e = busy
        .write(|tx| tx.write(F, 0, &2u64.to_le_bytes()))
        .unwrap_err();
    assert!(matches!(e, StorageError::Busy { .. }), "{e:?}");

    child.kill().unwrap();
    if reap_first {
        child.wait().unwrap();
    }
    // Not reaped yet: a zombie holds no lock and writes nothing; its lease is stale too.
    let share = Share::open(dir.path(), short(10_000)).unwrap();
    let t = Instant::now();
    share
        .write(|tx| tx.write(F, 0, &2u64.to_le_bytes()))
        .unwrap();
    let waited = t.elapsed();
    assert!(waited < Duration::from_secs(10), "took {waited:?}");
    assert_eq!(
        value(&share),
        2,
        "the killed holder's change must not be there"
    );
    assert!(
        !dir.path().join(LEASE_FILE).exists(),
        "the lease was not released after the write"
    );
    if !reap_first {
        child.wait().unwrap();
    }
    common::assert_storage_ok(&share);
}

#[test]
fn a_killed_holder_releases_the_lock_and_its_lease() {
    killed_holder(true);
}

#[test]
fn a_killed_holder_not_yet_reaped_releases_them_too() {
    killed_holder(false);
}

#[test]
fn a_busy_share_answers_busy_after_the_timeout() {
    let dir = TempDir::new("busy");
    setup(dir.path());
    let (held_tx, held_rx) = channel();
    let (release_tx, release_rx) = channel::<()>();
    let path = dir.path().to_path_buf();
    let writer = std::thread::Builder::new()
        .name("writer".into())
        .spawn(move || {
            let holder = Share::open(&path, config()).unwrap();
            holder
                .write(|tx| -> Result<(), StorageError> {
                    tx.write(F, 0, &5u64.to_le_bytes())?;
                    held_tx.send(()).unwrap();
                    let _ = release_rx.recv_timeout(Duration::from_secs(60));
                    Ok(())
                })
                .unwrap();
        })
        .unwrap();
    held_rx.recv().unwrap();
    let other = Share::open(dir.path(), short(300)).unwrap();
    for what in ["write", "read"] {
        let t = Instant::now();
        let e = match what {
            "write" => other
                .write(|tx| tx.write(F, 0, &9u64.to_le_bytes()))
                .unwrap_err(),
            _ => other.read(|tx| tx.read(F, 0)).unwrap_err(),
        };
        let waited = t.elapsed();
        assert!(matches!(e, StorageError::Busy { .. }), "{what}: {e:?}");
        assert!(e.is_unavailable());
        assert!(e.to_string().contains("ocupada"), "{e}");
        assert!(
            waited >= Duration::from_millis(300),
            "{what}: gave up after {waited:?}, before the timeout"
        );
        assert!(
            waited < Duration::from_secs(10),
            "{what}: waited {waited:?}, as if it hung"
        );
    }
    release_tx.send(()).unwrap();
    writer.join().unwrap();
    assert_eq!(value(&other), 5);

    // Readers share the lock; a writer waits for them.
    let (held_tx, held_rx) = channel();
    let (release_tx, release_rx) = channel::<()>();
    let path = dir.path().to_path_buf();
    let reader = std::thread::Builder::new()
        .name("reader".into())
        .spawn(move || {
            let r = Share::open(&path, config()).unwrap();
            r.read(|tx| -> Result<(), StorageError> {
                tx.read(F, 0)?;
                held_tx.send(()).unwrap();
                let _ = release_rx.recv_timeout(Duration::from_secs(60));
                Ok(())
            })
            .unwrap();
        })
        .unwrap();
    held_rx.recv().unwrap();
    other.drop_cache();
    assert_eq!(value(&other), 5, "a second reader gets in beside the first");
    let e = other
        .write(|tx| tx.write(F, 0, &9u64.to_le_bytes()))
        .unwrap_err();
    assert!(matches!(e, StorageError::Busy { .. }), "{e:?}");
    release_tx.send(()).unwrap();
    reader.join().unwrap();
    other
        .write(|tx| tx.write(F, 0, &9u64.to_le_bytes()))
        .unwrap();
    assert_eq!(value(&other), 9);
}

fn write_lease(dir: &std::path::Path, rec: &LeaseRecord) {
    std::fs::write(dir.join(LEASE_FILE), rec.encode()).unwrap();
}

fn foreign_lease(heartbeat: u64) -> LeaseRecord {
    LeaseRecord {
        token: 0xfeed,
        heartbeat,
        acquired_ms: now_ms(),
        pid: 4242,
        start_time: 0,
        boot_id: "00000000-otra-maquina".into(),
        terminal: "caja-remota".into(),
    }
}

fn lease_config() -> ShareConfig {
    ShareConfig {
        lease: LeaseTiming {
            renew: Duration::from_millis(50),
            timeout: Duration::from_millis(400),
        },
        ..config()
    }
}

#[test]
fn a_stale_lease_of_another_machine_is_broken_after_its_timeout() {
    let dir = TempDir::new("lease-stale");
    setup(dir.path());
    write_lease(dir.path(), &foreign_lease(7));
    let share = Share::open(dir.path(), lease_config()).unwrap();
    let t = Instant::now();
    share
        .write(|tx| tx.write(F, 0, &3u64.to_le_bytes()))
        .unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(400),
        "broken before its heartbeat could be judged"
    );
    assert_eq!(value(&share), 3);
    assert!(!dir.path().join(LEASE_FILE).exists());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("stale"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_live_lease_that_the_lock_did_not_exclude_is_refused() {
    // Another machine: its heartbeat moves.
    let dir = TempDir::new("lease-live");
    setup(dir.path());
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (path, stop2) = (dir.path().to_path_buf(), stop.clone());
    write_lease(dir.path(), &foreign_lease(0));
    let beater = std::thread::Builder::new()
        .name("beater".into())
        .spawn(move || {
            let mut beat = 0;
            while !stop2.load(std::sync::atomic::Ordering::SeqCst) {
                beat += 1;
                write_lease(&path, &foreign_lease(beat));
                std::thread::sleep(Duration::from_millis(40));
            }
            std::fs::remove_file(path.join(LEASE_FILE)).unwrap();
        })
        .unwrap();
    let share = Share::open(dir.path(), lease_config()).unwrap();
    let before = common::snapshot(dir.path());
    let e = share
        .write(|tx| tx.write(F, 0, &4u64.to_le_bytes()))
        .unwrap_err();
    assert!(matches!(e, StorageError::LocksNotShared { .. }), "{e:?}");
    assert!(e.is_unavailable());
    assert!(
        e.to_string().contains("caja-remota"),
        "the message names the other writer: {e}"
    );
    assert!(
        common::snapshot(dir.path()) == before,
        "a refused writer wrote"
    );
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    beater.join().unwrap();
    share
        .write(|tx| tx.write(F, 0, &4u64.to_le_bytes()))
        .unwrap();
    assert_eq!(value(&share), 4);

    // This machine: the holder's process is alive (here, this very process) and its heartbeat
    // moves: a live holder the lock did not exclude.
    let me = ProcessIdentity::current(Some("caja-local".into()));
    let rec = LeaseRecord {
        token: 1,
        heartbeat: 0,
        acquired_ms: now_ms(),
        pid: me.pid,
        start_time: me.start_time,
        boot_id: me.boot_id.clone(),
        terminal: me.terminal.clone(),
    };
    let beat = heartbeat_thread(dir.path(), rec.clone(), false);
    let e = share
        .write(|tx| tx.write(F, 0, &5u64.to_le_bytes()))
        .unwrap_err();
    assert!(matches!(e, StorageError::LocksNotShared { .. }), "{e:?}");
    assert!(e.to_string().contains("caja-local"), "{e}");
    beat.stop_and_remove();
    // An alive process whose lease does not move (frozen, or it leaked the file) is not proof
    // of anything by itself: after the lease timeout the lease is stale.
    write_lease(dir.path(), &rec);
    let t = Instant::now();
    share
        .write(|tx| tx.write(F, 0, &6u64.to_le_bytes()))
        .unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(400),
        "broken before its timeout"
    );
    assert_eq!(value(&share), 6);
    // The same record with a dead process (a start time that is not ours) is stale at once.
    write_lease(
        dir.path(),
        &LeaseRecord {
            start_time: me.start_time + 1,
            ..rec.clone()
        },
    );
    let t = Instant::now();
    share
        .write(|tx| tx.write(F, 0, &7u64.to_le_bytes()))
        .unwrap();
    if !me.boot_id.is_empty() {
        assert!(
            t.elapsed() < Duration::from_millis(400),
            "a dead holder was watched"
        );
    }
    assert_eq!(value(&share), 7);
}

#[test]
fn a_lease_seen_late_after_its_release_is_no_false_alarm() {
    // An SMB or NFS client can show a lease file for a moment after its holder deleted it (and
    // an SMB server keeps a deleted file "delete pending" while a handle is open). Here the
    // holder's process is alive (this one) and its record is on file when the newcomer looks,
    // then it goes away: the newcomer must wait and write, not cry "locks not shared".
    let dir = TempDir::new("lease-late");
    setup(dir.path());
    let me = ProcessIdentity::current(Some("caja-que-termina".into()));
    write_lease(
        dir.path(),
        &LeaseRecord {
            token: 9,
            heartbeat: 3,
            acquired_ms: now_ms(),
            pid: me.pid,
            start_time: me.start_time,
            boot_id: me.boot_id.clone(),
            terminal: me.terminal.clone(),
        },
    );
    let path = dir.path().join(LEASE_FILE);
    let remover = named_thread("remover", move || {
        std::thread::sleep(Duration::from_millis(120));
        std::fs::remove_file(path).unwrap();
    });
    let share = Share::open(dir.path(), lease_config()).unwrap();
    share
        .write(|tx| tx.write(F, 0, &9u64.to_le_bytes()))
        .unwrap();
    remover.join().unwrap();
    assert_eq!(value(&share), 9);
}

/// A thread that keeps a lease record on file with a moving heartbeat, as a live holder does.
struct Beater {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
    path: std::path::PathBuf,
}

impl Beater {
    fn stop_and_remove(mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        self.handle.take().unwrap().join().unwrap();
        let _ = std::fs::remove_file(self.path.join(LEASE_FILE));
    }
}

fn heartbeat_thread(dir: &std::path::Path, rec: LeaseRecord, wait_first: bool) -> Beater {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (path, stop2) = (dir.to_path_buf(), stop.clone());
    let handle = named_thread("heartbeat", move || {
        if wait_first {
            std::thread::sleep(Duration::from_millis(150));
        }
        let mut r = rec;
        while !stop2.load(std::sync::atomic::Ordering::SeqCst) {
            write_lease(&path, &r);
            r.heartbeat += 1;
            std::thread::sleep(Duration::from_millis(40));
        }
    });
    Beater {
        stop,
        handle: Some(handle),
        path: dir.to_path_buf(),
    }
}

#[test]
fn a_torn_lease_record_is_treated_as_stale() {
    for junk in [vec![], vec![0x13; 50], vec![0u8; 192]] {
        let dir = TempDir::new("lease-torn");
        setup(dir.path());
        std::fs::write(dir.path().join(LEASE_FILE), &junk).unwrap();
        let share = Share::open(dir.path(), lease_config()).unwrap();
        share
            .write(|tx| tx.write(F, 0, &8u64.to_le_bytes()))
            .unwrap();
        assert_eq!(value(&share), 8);
        assert!(!dir.path().join(LEASE_FILE).exists());
    }
}

#[test]
fn a_lease_still_being_written_is_not_broken() {
    // A writer has created the lease file (exclusive create) but its record is not there yet:
    // a slow write on a loaded share. The newcomer must wait for it, not break it.
    let dir = TempDir::new("lease-slow");
    setup(dir.path());
    std::fs::write(dir.path().join(LEASE_FILE), b"").unwrap();
    let me = ProcessIdentity::current(Some("caja-lenta".into()));
    let rec = LeaseRecord {
        token: 77,
        heartbeat: 0,
        acquired_ms: now_ms(),
        pid: me.pid,
        start_time: me.start_time,
        boot_id: me.boot_id.clone(),
        terminal: me.terminal.clone(),
    };
    // It writes its record 150 ms late, then renews it like any live holder.
    let beat = heartbeat_thread(dir.path(), rec.clone(), true);
    let share = Share::open(dir.path(), lease_config()).unwrap();
    let e = share
        .write(|tx| tx.write(F, 0, &4u64.to_le_bytes()))
        .unwrap_err();
    assert!(matches!(e, StorageError::LocksNotShared { .. }), "{e:?}");
    let on_disk = LeaseRecord::decode(&std::fs::read(dir.path().join(LEASE_FILE)).unwrap());
    assert_eq!(
        on_disk.map(|r| r.token),
        Some(rec.token),
        "the slow writer's lease was broken"
    );
    beat.stop_and_remove();
    assert_eq!(value(&share), 1);
}

#[test]
fn a_writer_whose_lease_was_broken_meanwhile_writes_nothing() {
    // A holder that stalled (before writing its record, or for longer than the lease timeout)
    // can be judged dead and its lease broken by another terminal, which then takes its own. The
    // stalled holder must notice before it writes anything.
    let dir = TempDir::new("lease-broken");
    setup(dir.path());
    let share = Share::open(dir.path(), lease_config()).unwrap();
    let before = common::snapshot(dir.path());
    let path = dir.path().to_path_buf();
    let e = share
        .write(|tx| -> Result<(), StorageError> {
            tx.write(F, 0, &77u64.to_le_bytes())?;
            // Another terminal breaks our lease (renames it away) and takes its own.
            std::fs::rename(path.join(LEASE_FILE), path.join("VENTALIBRE.OWN.broken")).unwrap();
            write_lease(&path, &foreign_lease(1));
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(e, StorageError::LocksNotShared { .. }), "{e:?}");
    assert!(e.to_string().contains("caja-remota"), "{e}");
    assert!(
        common::snapshot(dir.path()) == before,
        "a writer that lost its lease wrote"
    );
    // Once the other terminal is gone, writing works again.
    std::fs::remove_file(dir.path().join(LEASE_FILE)).unwrap();
    let _ = std::fs::remove_file(dir.path().join("VENTALIBRE.OWN.broken"));
    share
        .write(|tx| tx.write(F, 0, &78u64.to_le_bytes()))
        .unwrap();
    assert_eq!(value(&share), 78);
}

/// A thread with a name (clippy.toml: no unnamed threads).
fn named_thread<T: Send + 'static>(
    name: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> std::thread::JoinHandle<T> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(f)
        .expect("a test thread starts")
}
