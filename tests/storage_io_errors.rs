//! I/O errors: with [`FaultyBackend`] underneath, fail the N-th read, write or fsync of a
//! transaction (and every operation after it: the share went away), for N = 1, 2, ... until the
//! transaction succeeds without reaching the fault. Every time the caller gets a clear error,
//! and the share — reopened with the normal backend, or the same terminal once the share is
//! back — is intact and holds either the whole transaction or none of it.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use common::{TempDir, assert_storage_ok, config, le64, read_everything};
use ventalibre::storage::events::read_events;
use ventalibre::storage::wal::LOG_FILE;
use ventalibre::storage::{
    Backend, EVENTS_FILE, FaultKind, FaultyBackend, FreeHome, FsBackend, Share, Slot, StorageError,
    Tx, WriteTx,
};

const A: &str = "SALDO_A.DAT";
const B: &str = "SALDO_B.DAT";
const LOG: &str = "REGISTRO.DAT";
const N: u64 = 4;

/// What the share holds, as far as these transactions are concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
struct State {
    a: Vec<u64>,
    b: Vec<u64>,
    control: (u64, u64),
    log: Vec<u64>,
    events: Vec<String>,
    extra: BTreeMap<String, Vec<u64>>,
}

fn read_state(tx: &mut impl Tx) -> Result<State, StorageError> {
    let mut s = State {
        a: vec![],
        b: vec![],
        control: (tx.control(A, 3)?, tx.control(B, 3)?),
        log: vec![],
        events: read_events(tx)?.into_iter().map(|e| e.detail).collect(),
        extra: BTreeMap::new(),
    };
    for i in 0..N {
        s.a.push(le64(&tx.read(A, i)?, 0));
        s.b.push(le64(&tx.read(B, i)?, 0));
    }
    for p in 0..tx.header(LOG)?.slot_count {
        if let Slot::Live(v) = tx.slot(LOG, p)? {
            s.log.push(le64(&v, 0));
        }
    }
    s.log.sort();
    for f in tx.files()? {
        if f.name.starts_with('N') {
            let n = tx.header(&f.name)?.slot_count;
            let vals = (0..n)
                .map(|p| tx.read(&f.name, p).map(|v| le64(&v, 0)))
                .collect::<Result<_, _>>()?;
            s.extra.insert(f.name, vals);
        }
    }
    Ok(s)
}

/// One transaction of the test, applied either to the share or to the model.
#[derive(Debug, Clone)]
struct Plan {
    i: u64,
    j: u64,
    amount: u64,
    value: u64,
    create: Option<String>,
    release_min: bool,
}

impl Plan {
    fn run(&self, tx: &mut WriteTx<'_>) -> Result<(), StorageError> {
        let a = le64(&tx.read(A, self.i)?, 0);
        tx.write(A, self.i, &(a - self.amount).to_le_bytes())?;
        let b = le64(&tx.read(B, self.j)?, 0);
        tx.write(B, self.j, &(b + self.amount).to_le_bytes())?;
        tx.alloc(LOG, &self.value.to_le_bytes())?;
        if self.release_min {
            let mut min: Option<(u64, u64)> = None;
            for p in 0..tx.header(LOG)?.slot_count {
                if let Slot::Live(v) = tx.slot(LOG, p)? {
                    let v = le64(&v, 0);
                    if min.is_none_or(|(mv, _)| v < mv) {
                        min = Some((v, p));
                    }
                }
            }
            tx.release(LOG, min.unwrap().1)?;
            let (ca, cb) = (tx.control(A, 3)?, tx.control(B, 3)?);
            tx.set_control(A, 3, ca + 1)?;
            tx.set_control(B, 3, cb + 2)?;
        }
        if let Some(name) = &self.create {
            tx.create_file(name, 8, FreeHome::Own)?;
            tx.alloc(name, &self.value.to_le_bytes())?;
        }
        tx.log_event("", "mover", &self.value.to_string())?;
        Ok(())
    }

    fn apply(&self, s: &State) -> State {
        let mut s = s.clone();
        s.a[self.i as usize] -= self.amount;
        s.b[self.j as usize] += self.amount;
        s.log.push(self.value);
        s.log.sort();
        if self.release_min {
            s.log.remove(0);
            s.control.0 += 1;
            s.control.1 += 2;
        }
        if let Some(name) = &self.create {
            s.extra.insert(name.clone(), vec![self.value]);
        }
        s.events.push(self.value.to_string());
        s
    }
}

fn setup(dir: &std::path::Path) {
    let share = Share::open_or_create(dir, config()).unwrap();
    share
        .write(|tx| -> Result<(), StorageError> {
            tx.create_file(A, 8, FreeHome::Own)?;
            tx.create_file(B, 8, FreeHome::Own)?;
            tx.create_file(LOG, 8, FreeHome::Own)?;
            for _ in 0..N {
                tx.alloc(A, &1000u64.to_le_bytes())?;
                tx.alloc(B, &1000u64.to_le_bytes())?;
            }
            tx.alloc(LOG, &0u64.to_le_bytes())?;
            tx.log_event("", "inicio", "0")?;
            Ok(())
        })
        .unwrap();
}

/// The whole sweep for one kind of fault, one flavour of transaction, cold or warm cache.
/// Returns how many failure points were tried.
fn sweep(kind: FaultKind, flavour: u32, warm: bool) -> u64 {
    let dir = TempDir::new(&format!("io-{kind:?}-{flavour}-{warm}"));
    setup(dir.path());
    let normal = Share::open(dir.path(), config()).unwrap();
    let mut state = normal.read(|tx| read_state(tx)).unwrap();
    drop(normal);
    let files: BTreeSet<&str> = [A, B, LOG, EVENTS_FILE, "VENTALIBRE.CTL", "VENTALIBRE.JNL"].into();
    let mut whole = 0;
    for n in 1u64.. {
        assert!(
            n < 500,
            "{kind:?}/{flavour}: the transaction never got through"
        );
        let ctx = format!("{kind:?} #{n}, flavour {flavour}, warm {warm}");
        let plan = Plan {
            i: n % N,
            j: (n * 3) % N,
            amount: n,
            value: 100 + n,
            create: (flavour == 1).then(|| format!("N{n:03}.DAT")),
            release_min: flavour == 2,
        };
        let expected = plan.apply(&state);
        let inner: Arc<dyn Backend> = Arc::new(FsBackend::new(dir.path()));
        let faulty = Arc::new(FaultyBackend::new(inner, kind, u64::MAX));
        let share = Share::open_with(
            dir.path(),
            config(),
            Some(faulty.clone() as Arc<dyn Backend>),
            false,
        )
        .unwrap();
        if warm {
            share.read(|tx| read_everything(tx)).unwrap();
        }
        faulty.arm(n);
        let result = share.write(|tx| plan.run(tx));
        let tripped = faulty.tripped();
        faulty.arm(u64::MAX);
        match &result {
            // A fault in the checkpoint that may follow the commit point leaves the commit
            // standing: success, and (asserted below) the whole transaction is there.
            Ok(()) => {}
            Err(e) => {
                assert!(tripped, "{ctx}: failed without a fault: {e}");
                assert!(
                    matches!(e, StorageError::Io { .. }) && e.is_unavailable(),
                    "{ctx}: unexpected error {e:?}"
                );
                let msg = e.to_string();
                let named = files.iter().any(|f| msg.contains(f))
                    || msg.contains(LOG_FILE)
                    || plan.create.as_ref().is_some_and(|c| msg.contains(c));
                assert!(named, "{ctx}: the error does not name a file: {msg}");
            }
        }
        // Half the time the same terminal carries on once the share is back; the other half a
        // fresh terminal opens it.
        if n % 2 == 0 {
            let seen = share.read(|tx| read_state(tx)).unwrap();
            assert!(
                seen == state || seen == expected,
                "{ctx}: same terminal sees a partial transaction: {seen:?}"
            );
        }
        drop(share);
        let normal = Share::open(dir.path(), config()).unwrap();
        assert_storage_ok(&normal);
        let now = normal.read(|tx| read_state(tx)).unwrap();
        if result.is_ok() {
            assert_eq!(
                now, expected,
                "{ctx}: a successful transaction is not all there"
            );
        } else if now == expected {
            // The fault hit after the commit point (the last fsync): the transaction is whole,
            // though its caller was told it failed, as with any durable store.
            whole += 1;
        } else {
            assert_eq!(now, state, "{ctx}: the share holds part of a transaction");
        }
        state = now;
        if result.is_ok() && !tripped {
            assert!(
                whole <= 2,
                "{ctx}: {whole} failed transactions turned out committed"
            );
            return n;
        }
    }
    unreachable!()
}

#[test]
fn failed_reads_writes_and_syncs_leave_all_or_nothing() {
    let mut tried = Vec::new();
    for flavour in 0..3 {
        for kind in [
            FaultKind::Read,
            FaultKind::Write,
            FaultKind::Sync,
            FaultKind::Any,
        ] {
            for warm in [false, true] {
                tried.push((kind, flavour, warm, sweep(kind, flavour, warm)));
            }
        }
    }
    println!("failure points tried (kind, flavour, warm cache, points): {tried:?}");
    // Every kind of operation was actually failed at several points. A commit makes three
    // writes (frame, change-log entry, commit state) and two fsyncs, more when it creates a
    // file (the checkpoint after a catalog change); a warm cache leaves a write transaction
    // only the read of the commit state.
    for (kind, flavour, warm, n) in &tried {
        let least = match kind {
            FaultKind::Read if *warm => 1,
            FaultKind::Sync => 2,
            _ => 3,
        };
        assert!(
            *n >= least,
            "{kind:?}/{flavour}/{warm}: only {n} failure points"
        );
    }
}

#[test]
fn a_checkpoint_cut_off_halfway_changes_nothing_any_terminal_reads() {
    let dir = TempDir::new("io-recovery");
    setup(dir.path());
    let normal = Share::open(dir.path(), config()).unwrap();
    let state = normal.read(|tx| read_state(tx)).unwrap();
    drop(normal);
    let plan = Plan {
        i: 1,
        j: 2,
        amount: 5,
        value: 7,
        create: Some("NUEVO.DAT".into()),
        release_min: true,
    };
    // The commit stands (frame, change-log entry, commit state), then the checkpoint that
    // follows a new file fails at its first data write and everything after it: files half
    // folded, the log still valid.
    let inner: Arc<dyn Backend> = Arc::new(FsBackend::new(dir.path()));
    let faulty = Arc::new(FaultyBackend::new(
        inner.clone(),
        FaultKind::Write,
        u64::MAX,
    ));
    let share = Share::open_with(
        dir.path(),
        config(),
        Some(faulty.clone() as Arc<dyn Backend>),
        false,
    )
    .unwrap();
    faulty.arm(4);
    share.write(|tx| plan.run(tx)).unwrap();
    assert!(
        faulty.tripped(),
        "the checkpoint did not run into the fault"
    );
    drop(share);
    // A terminal that only reads never checkpoints: it sees the committed state.
    let reader = Share::open(dir.path(), config()).unwrap();
    let after = reader.read(|tx| read_state(tx)).unwrap();
    assert_ne!(after, state, "the transaction changed nothing");
    drop(reader);
    let state = after;
    // Terminals failing at each I/O operation in turn never see anything else.
    let mut recovered = false;
    for n in 1..60 {
        let faulty = Arc::new(FaultyBackend::new(inner.clone(), FaultKind::Any, n));
        let r = Share::open_with(
            dir.path(),
            config(),
            Some(faulty.clone() as Arc<dyn Backend>),
            false,
        )
        .and_then(|share| share.read(|tx| read_state(tx)));
        match r {
            Ok(seen) => {
                assert_eq!(seen, state, "recovery with fault at {n}");
                assert!(n > 3, "recovery did hardly any I/O");
                recovered = true;
                break;
            }
            Err(e) => assert!(faulty.tripped() && e.is_unavailable(), "{n}: {e:?}"),
        }
    }
    assert!(recovered, "recovery never got through");
    let normal = Share::open(dir.path(), config()).unwrap();
    assert_eq!(normal.read(|tx| read_state(tx)).unwrap(), state);
    assert_storage_ok(&normal);
    // Folded for good, the files alone hold it.
    normal.checkpoint().unwrap();
    assert_eq!(
        std::fs::metadata(dir.path().join(LOG_FILE)).unwrap().len(),
        0
    );
    drop(normal);
    let fresh = Share::open(dir.path(), config()).unwrap();
    assert_eq!(fresh.read(|tx| read_state(tx)).unwrap(), state);
    assert_storage_ok(&fresh);
}

/// A backend whose reads of the redo log come short (end of file) while `stale` is above zero,
/// as an SMB client's cache can be for a moment after another client appended to the log (the
/// server breaks the lease without waiting).
struct StaleLog {
    inner: FsBackend,
    stale: Arc<std::sync::atomic::AtomicU64>,
}
struct StaleLogFile {
    log: bool,
    inner: Arc<dyn ventalibre::storage::BackendFile>,
    stale: Arc<std::sync::atomic::AtomicU64>,
}
impl ventalibre::storage::BackendFile for StaleLogFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        use std::sync::atomic::Ordering;
        if self.log
            && self
                .stale
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
        {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        self.inner.read_at(offset, buf)
    }
    fn write_at(&self, offset: u64, data: &[u8]) -> std::io::Result<()> {
        self.inner.write_at(offset, data)
    }
    fn set_len(&self, len: u64) -> std::io::Result<()> {
        self.inner.set_len(len)
    }
    fn sync(&self) -> std::io::Result<()> {
        self.inner.sync()
    }
    fn len(&self) -> std::io::Result<u64> {
        self.inner.len()
    }
}
impl StaleLog {
    fn wrap(
        &self,
        name: &str,
        f: Arc<dyn ventalibre::storage::BackendFile>,
    ) -> Arc<dyn ventalibre::storage::BackendFile> {
        Arc::new(StaleLogFile {
            log: name == LOG_FILE,
            inner: f,
            stale: self.stale.clone(),
        })
    }
}
impl Backend for StaleLog {
    fn open(&self, name: &str) -> std::io::Result<Arc<dyn ventalibre::storage::BackendFile>> {
        Ok(self.wrap(name, self.inner.open(name)?))
    }
    fn open_rw(&self, name: &str) -> std::io::Result<Arc<dyn ventalibre::storage::BackendFile>> {
        Ok(self.wrap(name, self.inner.open_rw(name)?))
    }
    fn open_or_create(
        &self,
        name: &str,
    ) -> std::io::Result<Arc<dyn ventalibre::storage::BackendFile>> {
        Ok(self.wrap(name, self.inner.open_or_create(name)?))
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn rename(&self, from: &str, to: &str) -> std::io::Result<()> {
        self.inner.rename(from, to)
    }
    fn remove(&self, name: &str) -> std::io::Result<()> {
        self.inner.remove(name)
    }
    fn list(&self, dir: &str) -> std::io::Result<Vec<String>> {
        self.inner.list(dir)
    }
    fn create_dir(&self, dir: &str) -> std::io::Result<()> {
        self.inner.create_dir(dir)
    }
}

/// A terminal whose view of the redo log lags what the commit state says (another terminal's
/// append not yet in its client's cache) reads it again after short waits and gets the commit;
/// a log that stays short past the waits is damage, said as such, and nothing is lost.
#[test]
fn a_log_that_shows_the_new_commit_late_is_read_again_and_one_that_never_does_is_damage() {
    let dir = TempDir::new("stale-log");
    let a = Share::open_with(dir.path(), config(), None, true).unwrap();
    a.write(|tx| -> Result<(), StorageError> {
        tx.create_file(A, 8, FreeHome::Own)?;
        tx.alloc(A, &1u64.to_le_bytes())?;
        Ok(())
    })
    .unwrap();
    let stale = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let backend = Arc::new(StaleLog {
        inner: FsBackend::new(dir.path()),
        stale: stale.clone(),
    });
    let b = Share::open_with(dir.path(), config(), Some(backend), false).unwrap();
    let value = |s: &Share| {
        s.read(|tx| -> Result<u64, StorageError> { Ok(le64(&tx.read(A, 0)?, 0)) })
            .unwrap()
    };
    assert_eq!(value(&b), 1);
    // A commits; B's first three reads of the log come short: B waits and reads it.
    a.write(|tx| -> Result<(), StorageError> { tx.write(A, 0, &2u64.to_le_bytes()) })
        .unwrap();
    stale.store(3, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(value(&b), 2);
    assert_eq!(stale.load(std::sync::atomic::Ordering::SeqCst), 0);
    // A log that never catches up: damage, naming the log.
    a.write(|tx| -> Result<(), StorageError> { tx.write(A, 0, &3u64.to_le_bytes()) })
        .unwrap();
    stale.store(1_000, std::sync::atomic::Ordering::SeqCst);
    let e = b
        .read(|tx| -> Result<u64, StorageError> { Ok(le64(&tx.read(A, 0)?, 0)) })
        .unwrap_err();
    assert!(
        matches!(&e, StorageError::Corrupt { file, .. } if file == LOG_FILE),
        "{e:?}"
    );
    // Once it does, the commit is there.
    stale.store(0, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(value(&b), 3);
    assert_storage_ok(&a);
}
