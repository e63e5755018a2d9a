//! Helpers shared by the storage tests: a deterministic PRNG, scratch folders, child worker
//! processes (the test binary re-invoking itself) and a reader of their protocol lines.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use ventalibre::storage::check::check_storage;
use ventalibre::storage::{LeaseTiming, Share, ShareConfig, Tx};

/// SplitMix64: small, deterministic, good enough to drive property and crash tests.
#[derive(Clone)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// True with probability `num/den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// A scratch folder removed when dropped (kept if `VENTALIBRE_KEEP_TMP` is set, for debugging).
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("vl-st-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::env::var_os("VENTALIBRE_KEEP_TMP").is_none() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A configuration for tests: generous busy timeout, a quick lease.
pub fn config() -> ShareConfig {
    ShareConfig {
        busy_timeout: Duration::from_secs(20),
        lease: LeaseTiming {
            renew: Duration::from_millis(50),
            timeout: Duration::from_millis(500),
        },
        terminal: None,
        parallel_reads: None,
    }
}

/// Runs the storage-level fsck and fails the test with its report if anything is wrong.
pub fn assert_storage_ok(share: &Share) {
    let report = share
        .read(|tx| check_storage(tx))
        .expect("check_storage could not run");
    assert!(report.ok(), "check_storage found damage: {report:#?}");
}

/// Environment variable that makes a multi-process test binary run its worker (and carries the
/// worker's task).
pub const WORKER_ENV: &str = "VENTALIBRE_TEST_WORKER";

/// Starts this test binary again as a worker: [`test_main`] sees [`WORKER_ENV`] (which `envs`
/// must set) and runs the binary's worker function instead of its tests. The child's protocol
/// lines go to stderr (one `write_all` each); stdout is discarded.
pub fn spawn_worker(envs: &[(&str, String)]) -> Child {
    assert!(
        envs.iter().any(|(k, _)| *k == WORKER_ENV),
        "a worker needs its task in {WORKER_ENV}"
    );
    let exe = std::env::current_exe().expect("current_exe");
    let mut cmd = Command::new(exe);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.spawn().expect("spawn worker")
}

/// `main` of a multi-process test binary (`harness = false` in Cargo.toml). Started with
/// [`WORKER_ENV`] set, it is a worker: it runs `worker` and nothing else (workers are not tests,
/// so no test ever "passes" by returning early). Otherwise it runs `tests` the way libtest does:
/// a name given on the command line filters them (a substring, or the whole name after
/// `--exact`), they run on `RUST_TEST_THREADS` (default: the number of cores) named threads, each
/// prints `test NAME ... ok|FAILED`, and the process exits with 101 if any failed.
pub fn test_main(tests: &[(&'static str, fn())], worker: fn()) {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    if std::env::var_os(WORKER_ENV).is_some() {
        worker();
        std::process::exit(0);
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let exact = args.iter().any(|a| a == "--exact");
    if args.iter().any(|a| a == "--list") {
        for (name, _) in tests {
            println!("{name}: test");
        }
        return;
    }
    // Flags of libtest that take a value, so that value is not taken for a filter.
    let mut filters = Vec::new();
    let mut skip_next = false;
    for a in &args {
        if skip_next {
            skip_next = false;
        } else if a.starts_with("--") {
            skip_next = matches!(
                a.as_str(),
                "--test-threads" | "--format" | "--color" | "--skip"
            ) && !a.contains('=');
        } else {
            filters.push(a.clone());
        }
    }
    let chosen: Vec<(&'static str, fn())> = tests
        .iter()
        .copied()
        .filter(|(name, _)| {
            filters.is_empty()
                || filters.iter().any(|f| {
                    if exact {
                        name == f
                    } else {
                        name.contains(f.as_str())
                    }
                })
        })
        .collect();
    let threads = std::env::var("RUST_TEST_THREADS")
        .ok()
        .and_then(|s| s.parse().ok())
        .or_else(|| {
            args.iter().find_map(|a| {
                a.strip_prefix("--test-threads=")
                    .and_then(|n| n.parse().ok())
            })
        })
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, chosen.len().max(1));
    println!("\nrunning {} tests", chosen.len());
    let next = AtomicUsize::new(0);
    let failed = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&(name, run)) = chosen.get(i) else {
                        break;
                    };
                    let ok = std::thread::Builder::new()
                        .name(name.to_string())
                        .spawn(run)
                        .expect("spawn a test thread")
                        .join()
                        .is_ok();
                    println!("test {name} ... {}", if ok { "ok" } else { "FAILED" });
                    if !ok {
                        failed.lock().unwrap_or_else(|p| p.into_inner()).push(name);
                    }
                }
            });
        }
    });
    let failed = failed.into_inner().unwrap_or_else(|p| p.into_inner());
    let passed = chosen.len() - failed.len();
    if failed.is_empty() {
        println!(
            "\ntest result: ok. {passed} passed; 0 failed; {} filtered out\n",
            tests.len() - chosen.len()
        );
    } else {
        println!("\nfailures:");
        for name in &failed {
            println!("    {name}");
        }
        println!(
            "\ntest result: FAILED. {passed} passed; {} failed; {} filtered out\n",
            failed.len(),
            tests.len() - chosen.len()
        );
        std::process::exit(101);
    }
}

/// Writes one protocol line atomically (a single `write` of the whole line) to stderr.
pub fn say(line: &str) {
    let mut s = String::with_capacity(line.len() + 4);
    s.push_str("VL:");
    s.push_str(line);
    s.push('\n');
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(s.as_bytes());
    let _ = err.flush();
}

/// Complete lines of a child's stderr, read by a background thread. Protocol lines (those that
/// start with `VL:`) come through `lines`; everything is kept in `all` for failure messages.
pub struct ChildLines {
    rx: Receiver<String>,
    pub seen: Vec<String>,
    pub other: Vec<String>,
}

impl ChildLines {
    pub fn new(child: &mut Child) -> ChildLines {
        let stderr = child.stderr.take().expect("stderr piped");
        let (tx, rx) = channel();
        std::thread::Builder::new()
            .name("child-stderr".into())
            .spawn(move || {
                let mut r = BufReader::new(stderr);
                loop {
                    let mut buf = Vec::new();
                    match r.read_until(b'\n', &mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    // A line cut by SIGKILL has no newline: it never counts.
                    if buf.last() != Some(&b'\n') {
                        let _ = tx.send(format!("#partial {}", String::from_utf8_lossy(&buf)));
                        return;
                    }
                    buf.pop();
                    if tx.send(String::from_utf8_lossy(&buf).into_owned()).is_err() {
                        return;
                    }
                }
            })
            .expect("spawn reader");
        ChildLines {
            rx,
            seen: Vec::new(),
            other: Vec::new(),
        }
    }

    fn push(&mut self, line: String) -> Option<String> {
        match line.strip_prefix("VL:") {
            Some(p) => {
                self.seen.push(p.to_string());
                Some(p.to_string())
            }
            None => {
                self.other.push(line);
                None
            }
        }
    }

    /// Waits for a protocol line equal to `want` (or starting with it); false on timeout or EOF.
    pub fn wait_for(&mut self, want: &str, timeout: Duration) -> bool {
        let until = Instant::now() + timeout;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(p) = self.push(line)
                        && p.starts_with(want)
                    {
                        return true;
                    }
                }
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {
                    return false;
                }
            }
        }
    }

    /// Reads everything until the child's stderr closes (call after the child exited or died).
    pub fn drain(&mut self) {
        while let Ok(line) = self.rx.recv_timeout(Duration::from_secs(30)) {
            self.push(line);
        }
    }

    /// Everything the child printed, for failure messages.
    pub fn transcript(&self) -> String {
        let mut s = self
            .seen
            .iter()
            .map(|l| format!("VL:{l}"))
            .collect::<Vec<_>>();
        s.extend(self.other.iter().cloned());
        s.join("\n")
    }
}

/// Waits for a child with a deadline; kills it if the deadline passes.
pub fn wait_with_deadline(child: &mut Child, timeout: Duration) -> std::process::ExitStatus {
    let until = Instant::now() + timeout;
    loop {
        if let Some(st) = child.try_wait().expect("try_wait") {
            return st;
        }
        if Instant::now() >= until {
            let _ = child.kill();
            let st = child.wait().expect("wait");
            panic!("worker did not finish within {timeout:?} (killed: {st:?})");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Reads a little-endian u64 at `off` of a slot payload.
pub fn le64(p: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(p[off..off + 8].try_into().unwrap())
}

/// The bytes of every data file of a folder (the lock and lease files excluded): to prove that
/// a failed open or read changed nothing.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if name == "VENTALIBRE.LCK"
            || name == "VENTALIBRE.TRN"
            || name.starts_with("VENTALIBRE.OWN")
        {
            continue;
        }
        let mut b = Vec::new();
        std::fs::File::open(e.path())
            .unwrap()
            .read_to_end(&mut b)
            .unwrap();
        out.insert(name, b);
    }
    out
}

/// Reads every live slot of every file (a full read of the share).
pub fn read_everything(tx: &mut impl Tx) -> ventalibre::storage::Result<usize> {
    let mut n = 0;
    for f in tx.files()? {
        tx.prefetch(&f.name)?;
        let h = tx.header(&f.name)?;
        for pos in 0..h.slot_count {
            tx.slot(&f.name, pos)?;
            n += 1;
        }
        tx.free_list(&f.name)?;
    }
    Ok(n)
}
