//! Users at any scale (issue 12 item 5 and item 3's heartbeat): the users hash grows by linear
//! hashing past the spec's 80 buckets, users are found by id through USUARIOS.IDS, a log-in
//! lookup costs a bounded number of reads at any size, and the presence heartbeat does not
//! change the users file for other terminals.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use ventalibre::domain::Market;
use ventalibre::domain::account::NewUser;
use ventalibre::domain::records::{USERS, USERS_IDS, User};
use ventalibre::me::hash::{CON_TOTAL, IdIndex, OpenHash};
use ventalibre::storage::backend::{Backend, BackendFile, FsBackend};
use ventalibre::storage::{Share, ShareConfig, StorageError, Tx};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Dir(PathBuf);
impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir().join(format!("vl-users-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
}
impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A hash like USUARIOS (an id in the first 8 bytes of the value), small.
const H: OpenHash = OpenHash {
    data: "H.DAT",
    control: "H.CON",
    key_cap: 24,
    value_len: 16,
    ids: Some(IdIndex {
        file: "H.IDS",
        id_offset: 0,
    }),
};
/// The same files seen by a program without the id index (a share from before it).
const H_OLD: OpenHash = OpenHash { ids: None, ..H };

fn value(id: u64, payload: u64) -> Vec<u8> {
    let mut v = id.to_le_bytes().to_vec();
    v.extend_from_slice(&payload.to_le_bytes());
    v
}

fn payload(v: &[u8]) -> (u64, u64) {
    (
        u64::from_le_bytes(v[0..8].try_into().unwrap()),
        u64::from_le_bytes(v[8..16].try_into().unwrap()),
    )
}

/// Every key and every id gives the model's answer, and nothing else is there.
fn agrees(tx: &mut impl Tx, model: &BTreeMap<Vec<u8>, (u64, u64)>, last_id: u64) {
    assert_eq!(H.len(tx).unwrap(), model.len() as u64);
    let by_id: HashMap<u64, &Vec<u8>> = model.iter().map(|(k, (id, _))| (*id, k)).collect();
    for (k, want) in model {
        let (_, got) = H.get(tx, k).unwrap().expect("present");
        assert_eq!(payload(&got), *want);
    }
    for id in 1..=last_id {
        let got = H.get_by_id(tx, id).unwrap();
        match by_id.get(&id) {
            Some(k) => {
                let (_, key, v) = got.expect("by id");
                assert_eq!(&&key, k);
                assert_eq!(payload(&v), model[*k]);
            }
            None => assert!(got.is_none(), "id {id} was removed"),
        }
    }
    assert!(H.get(tx, b"nobody@x.com").unwrap().is_none());
}

#[test]
fn the_linear_hash_matches_a_btreemap_across_many_splits_and_reopenings() {
    let d = Dir::new("props");
    let mut share = Share::open_or_create(&d.0, ShareConfig::default()).unwrap();
    share.write(|tx| H.create(tx, 5)).unwrap();
    let mut model: BTreeMap<Vec<u8>, (u64, u64)> = BTreeMap::new();
    let mut rng = Rng(12);
    let mut last_id = 0;
    for round in 0..40 {
        // Batches grow then shrink the table: mostly inserts early, more removals late.
        let inserts = if round < 30 { 7 } else { 3 };
        share
            .write(|tx| -> Result<(), StorageError> {
                for _ in 0..60 {
                    let key = format!("user{}@x.com", rng.below(1500)).into_bytes();
                    let r = rng.below(10);
                    if r < inserts {
                        let present = model.contains_key(&key);
                        let id = if present { 0 } else { H.next_id(tx)? };
                        let p = rng.next();
                        let got = H.insert(tx, &key, &value(id.max(1), p))?;
                        assert_eq!(got.is_some(), !present);
                        if !present {
                            last_id = id;
                            model.insert(key, (id, p));
                        }
                    } else if r < inserts + 1 {
                        let p = rng.next();
                        let id = model.get(&key).map_or(1, |m| m.0);
                        let got = H.update(tx, &key, &value(id, p))?;
                        assert_eq!(got, model.contains_key(&key));
                        if let Some(m) = model.get_mut(&key) {
                            m.1 = p;
                        }
                    } else {
                        let got = H.remove(tx, &key)?;
                        assert_eq!(got.map(|v| payload(&v)), model.remove(&key));
                    }
                }
                let p = H.check(tx)?;
                assert!(p.is_ok(), "round {round}: {:?}", p.problems);
                Ok(())
            })
            .unwrap();
        // Reopen (another terminal, nothing cached) and compare everything.
        if round % 3 == 0 {
            drop(share);
            share = Share::open(&d.0, ShareConfig::default()).unwrap();
        }
        share
            .read(|tx| -> Result<(), StorageError> {
                agrees(tx, &model, last_id);
                let p = H.check(tx)?;
                assert!(p.is_ok(), "round {round} after commit: {:?}", p.problems);
                let d = H.dispersion(tx, 7)?;
                assert_eq!(d.records, model.len() as u64);
                assert_eq!(d.chain_lengths.len() as u64, d.buckets);
                // What the panel draws as "uniform" adds up to what there is.
                let v: ventalibre::domain::views::HashDispersion = d.clone().into();
                let e: f64 = (0..v.buckets).map(|b| v.expected(b)).sum();
                assert!((e - v.records as f64).abs() < 1e-6, "{e} {}", v.records);
                let n: f64 = (0..60).map(|k| v.expected_with_length(k)).sum();
                assert!((n - v.buckets as f64).abs() < 1e-3, "{n} {}", v.buckets);
                Ok(())
            })
            .unwrap();
        let r = share
            .read(|tx| ventalibre::storage::check::check_storage(tx))
            .unwrap();
        assert!(r.ok(), "{r:?}");
    }
    let g = share.read(|tx| H.geometry(tx)).unwrap();
    assert!(
        g.level >= 3,
        "the test must split through several rounds: {g:?}"
    );
    // The load stays under the bound however the table grew.
    let d = share.read(|tx| H.dispersion(tx, 10)).unwrap();
    assert!(d.load_factor <= 2.0 + 1e-9, "{d:?}");
    // Rebuilding (repair) from the salvaged records gives the same answers.
    share
        .write(|tx| -> Result<(), StorageError> {
            let (records, bad) = H.salvage(tx)?;
            assert!(bad.is_empty());
            H.rebuild(tx, 5, &records)?;
            assert!(H.check(tx)?.is_ok());
            Ok(())
        })
        .unwrap();
    share
        .read(|tx| -> Result<(), StorageError> {
            agrees(tx, &model, last_id);
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_table_from_before_growth_opens_keeps_working_and_grows() {
    let d = Dir::new("old");
    let share = Share::open_or_create(&d.0, ShareConfig::default()).unwrap();
    // As the first versions wrote it: MAX = 80 in the control file and nothing else (no
    // level, no next, no bucket count, no id index).
    share
        .write(|tx| -> Result<(), StorageError> {
            H_OLD.create(tx, 80)?;
            tx.set_control(H.control, CON_TOTAL, 0)?;
            for i in 1..=100u64 {
                let id = H_OLD.next_id(tx)?;
                H_OLD.insert(tx, format!("old{i}@x.com").as_bytes(), &value(id, i))?;
            }
            // Still MAX buckets: 100 users are under the bound.
            tx.set_control(H.control, CON_TOTAL, 0)?;
            Ok(())
        })
        .unwrap();
    share
        .read(|tx| -> Result<(), StorageError> {
            let g = H.geometry(tx)?;
            assert_eq!((g.home, g.level, g.next, g.buckets()), (80, 0, 0, 80));
            assert!(H.check(tx)?.is_ok());
            assert!(!tx.exists("H.IDS")?);
            // Without the index, by id is a scan, and still right.
            let (_, k, _) = H.get_by_id(tx, 42)?.unwrap();
            assert_eq!(k, b"old42@x.com");
            Ok(())
        })
        .unwrap();
    // The upgrade makes the index; the table then grows past 80 buckets as users come.
    share
        .write(|tx| -> Result<(), StorageError> {
            H.build_ids(tx)?;
            for i in 101..=400u64 {
                let id = H.next_id(tx)?;
                H.insert(tx, format!("new{i}@x.com").as_bytes(), &value(id, i))?;
            }
            Ok(())
        })
        .unwrap();
    share
        .read(|tx| -> Result<(), StorageError> {
            let g = H.geometry(tx)?;
            assert!(g.buckets() >= 200 - 1 && g.buckets() > 80, "{g:?}");
            assert!(H.check(tx)?.is_ok(), "{:?}", H.check(tx)?.problems);
            for i in 1..=400u64 {
                let k = if i <= 100 {
                    format!("old{i}@x.com")
                } else {
                    format!("new{i}@x.com")
                };
                let (_, v) = H.get(tx, k.as_bytes())?.expect(&k);
                assert_eq!(payload(&v), (i, i));
                let (_, key, _) = H.get_by_id(tx, i)?.unwrap();
                assert_eq!(key, k.as_bytes());
            }
            Ok(())
        })
        .unwrap();
}

/// A user record as the bulk generator writes it (no password derivation: speed).
fn user(id: u64, email: &str) -> User {
    User {
        email: email.into(),
        id,
        rounds: 1,
        salt: [0; 16],
        hash: [0; 32],
        name: format!("Usuario {id}").into(),
        address: "Calle 1".into(),
        province: (id % 24) as u8,
        flags: 0,
        phone: String::new(),
        created_ms: 0,
        last_login_ms: 0,
        last_seen_ms: 0,
        balance: 0,
        photo: [0; 32],
    }
}

fn email(i: u64) -> String {
    format!("persona{i}@ejemplo.com.ar")
}

/// Adds users up to `total` (ids 2.. after the administrator), in batches of many users per
/// write transaction.
fn grow_to(m: &Market, total: u64) {
    let have = m.user_count().unwrap();
    let mut i = have;
    while i < total {
        let end = (i + 5000).min(total);
        m.share()
            .write(|tx| -> Result<(), StorageError> {
                for j in i..end {
                    let id = USERS.next_id(tx)?;
                    let u = user(id, &email(j));
                    assert!(USERS.insert(tx, u.email.as_bytes(), &u.encode())?.is_some());
                }
                Ok(())
            })
            .unwrap();
        i = end;
    }
}

#[test]
fn a_log_in_lookup_costs_the_same_few_reads_at_100_10000_and_100000_users() {
    let d = Dir::new("reads");
    let m = Market::open(&d.0, true).unwrap();
    let adm = m
        .login(
            ventalibre::domain::market::ADMIN_EMAIL,
            ventalibre::domain::market::ADMIN_DEFAULT_PASSWORD,
        )
        .unwrap();
    m.change_password(
        &adm,
        ventalibre::domain::market::ADMIN_DEFAULT_PASSWORD,
        "clave-de-la-administracion",
    )
    .unwrap();
    let mut seen = Vec::new();
    let mut page_reads = Vec::new();
    for total in [100u64, 10_000, 100_000] {
        grow_to(&m, total);
        // Measured on the record files: with the last batches still in the redo log, the
        // smaller sizes would be served partly from it, cheaper, and the growth would show
        // the log, not the hash.
        m.share().checkpoint().unwrap();
        let mut worst = (0, 0);
        let mut sum = 0;
        let probes = 50;
        let mut rng = Rng(total);
        for _ in 0..probes {
            let i = rng.below(total - 1);
            m.share().drop_cache();
            let found = m
                .share()
                .read(|tx| USERS.get(tx, email(i).as_bytes()))
                .unwrap();
            assert!(found.is_some(), "{}", email(i));
            let by_email = m.share().last_tx_stats().reads;
            let (_, v) = found.unwrap();
            let id = u64::from_le_bytes(v[0..8].try_into().unwrap());
            m.share().drop_cache();
            let (_, k, _) = m
                .share()
                .read(|tx| USERS.get_by_id(tx, id))
                .unwrap()
                .unwrap();
            assert_eq!(k, email(i).as_bytes());
            let by_id = m.share().last_tx_stats().reads;
            worst = (worst.0.max(by_email), worst.1.max(by_id));
            sum += by_email;
        }
        let g = m.share().read(|tx| USERS.geometry(tx)).unwrap();
        let ok = m.share().read(|tx| USERS.check(tx)).unwrap();
        assert!(ok.is_ok(), "{:?}", ok.problems);
        println!(
            "{total} users: {} buckets (level {}), log-in lookup cold: {:.1} reads on average, \
             {} at worst; by id: {} at worst",
            g.buckets(),
            g.level,
            sum as f64 / probes as f64,
            worst.0,
            worst.1
        );
        seen.push((total, worst));
        // The administration's users list: a page from the middle, cold, costs its own records.
        m.share().drop_cache();
        let before = m.share().io_totals();
        let page = m.users_page(&adm, total / 2, 50).unwrap();
        assert_eq!(page.items.len(), 50);
        assert_eq!(page.items[0].id, total / 2 + 1);
        let reads = m.share().io_totals().since(&before).reads;
        println!("{total} users: a page of the users list from the middle, cold: {reads} reads");
        page_reads.push((total, reads));
    }
    for (total, reads) in &page_reads {
        assert!(
            *reads <= 24,
            "{total} users: {reads} reads for a page of 50"
        );
    }
    assert!(
        page_reads[2].1 <= page_reads[0].1 + 6,
        "a page's reads must not grow with the users: {page_reads:?}"
    );
    // Bounded: the same small constant at every size (a cold lookup reads the commit state,
    // two headers, a directory slot and a short chain).
    for (total, (by_email, by_id)) in &seen {
        assert!(*by_email <= 16, "{total} users: {by_email} reads by email");
        assert!(*by_id <= 12, "{total} users: {by_id} reads by id");
    }
    let first = seen[0].1.0;
    let last = seen[2].1.0;
    assert!(
        last <= first + 4,
        "reads must not grow with the users: {seen:?}"
    );
}

/// Reads per file name, under a real folder.
struct PerFile {
    inner: FsBackend,
    reads: Arc<Mutex<HashMap<String, u64>>>,
}
struct PerFileFile {
    name: String,
    inner: Arc<dyn BackendFile>,
    reads: Arc<Mutex<HashMap<String, u64>>>,
}
impl BackendFile for PerFileFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        *self
            .reads
            .lock()
            .unwrap()
            .entry(self.name.clone())
            .or_default() += 1;
        self.inner.read_at(offset, buf)
    }
    fn write_at(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        self.inner.write_at(offset, data)
    }
    fn set_len(&self, len: u64) -> io::Result<()> {
        self.inner.set_len(len)
    }
    fn sync(&self) -> io::Result<()> {
        self.inner.sync()
    }
    fn len(&self) -> io::Result<u64> {
        self.inner.len()
    }
}
impl PerFile {
    fn wrap(&self, name: &str, f: Arc<dyn BackendFile>) -> Arc<dyn BackendFile> {
        Arc::new(PerFileFile {
            name: name.to_string(),
            inner: f,
            reads: self.reads.clone(),
        })
    }
}
impl Backend for PerFile {
    fn open(&self, name: &str) -> io::Result<Arc<dyn BackendFile>> {
        Ok(self.wrap(name, self.inner.open(name)?))
    }
    fn open_rw(&self, name: &str) -> io::Result<Arc<dyn BackendFile>> {
        Ok(self.wrap(name, self.inner.open_rw(name)?))
    }
    fn open_or_create(&self, name: &str) -> io::Result<Arc<dyn BackendFile>> {
        Ok(self.wrap(name, self.inner.open_or_create(name)?))
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        self.inner.rename(from, to)
    }
    fn remove(&self, name: &str) -> io::Result<()> {
        self.inner.remove(name)
    }
    fn list(&self, dir: &str) -> io::Result<Vec<String>> {
        self.inner.list(dir)
    }
    fn create_dir(&self, dir: &str) -> io::Result<()> {
        self.inner.create_dir(dir)
    }
}

fn register(m: &Market, email: &str) {
    m.register(NewUser {
        email: email.into(),
        password: "clave-123".into(),
        name: "Ana Pérez".into(),
        address: "Calle 1".into(),
        province: 2,
        ..Default::default()
    })
    .unwrap();
}

fn listing(title: &str) -> ventalibre::domain::catalog::NewPublication {
    ventalibre::domain::catalog::NewPublication {
        category: 1,
        title: title.into(),
        description: "Poco uso".into(),
        price: 150_000,
        kind: ventalibre::domain::Kind::Used,
        closes: chrono::Local::now().date_naive() + chrono::Days::new(30),
        photo: None,
    }
}

#[test]
fn another_terminals_heartbeat_leaves_the_users_file_in_this_terminals_cache() {
    let d = Dir::new("heartbeat");
    let a = Market::open(&d.0, true).unwrap();
    register(&a, "ana@ejemplo.com.ar");
    register(&a, "bruno@ejemplo.com.ar");
    let ana = a.login("ana@ejemplo.com.ar", "clave-123").unwrap();
    let bruno = a.authenticate("bruno@ejemplo.com.ar", "clave-123").unwrap();
    for i in 0..3 {
        a.publish(&bruno, listing(&format!("Taladro {i}"))).unwrap();
    }
    // The record files hold everything (else the users would be read from the redo log).
    a.share().checkpoint().unwrap();
    // Terminal B, with a backend that counts reads per file.
    let reads = Arc::new(Mutex::new(HashMap::new()));
    let backend = Arc::new(PerFile {
        inner: FsBackend::new(&d.0),
        reads: reads.clone(),
    });
    let share = Share::open_with(&d.0, ShareConfig::default(), Some(backend), false).unwrap();
    let b = Market::with_share(share, false).unwrap();
    let filter = ventalibre::domain::catalog::BrowseFilter::default();
    let first = b.browse(&filter).unwrap();
    assert_eq!(first.len(), 3);
    assert!(
        reads.lock().unwrap().get(USERS.data).copied().unwrap_or(0) > 0,
        "the first browse reads the seller"
    );
    // A browses... A's window sends its heartbeat; B browses again.
    a.heartbeat(&ana).unwrap();
    reads.lock().unwrap().clear();
    let again = b.browse(&filter).unwrap();
    assert_eq!(again, first);
    let r = reads.lock().unwrap().clone();
    println!(
        "browse on B after A's heartbeat: {:?}, reads per file {r:?}",
        b.share().last_tx_stats()
    );
    for f in [USERS.data, USERS.control, USERS_IDS] {
        assert_eq!(r.get(f).copied().unwrap_or(0), 0, "{f} re-read: {r:?}");
    }
    // B sees ana online (from PRESENCIA.DAT), and a log-out changes only that file too.
    let admin_view = b.user_view("ana@ejemplo.com.ar").unwrap();
    assert!(admin_view.online);
    a.logout(&ana).unwrap();
    reads.lock().unwrap().clear();
    assert!(!b.user_view("ana@ejemplo.com.ar").unwrap().online);
    b.browse(&filter).unwrap();
    let r = reads.lock().unwrap().clone();
    assert_eq!(r.get(USERS.data).copied().unwrap_or(0), 0, "{r:?}");
}

#[test]
fn a_browse_and_a_purchase_read_their_users_not_the_users_file() {
    let d = Dir::new("lazy");
    let m = Market::open(&d.0, true).unwrap();
    register(&m, "vende@ejemplo.com.ar");
    register(&m, "compra@ejemplo.com.ar");
    let seller = m.authenticate("vende@ejemplo.com.ar", "clave-123").unwrap();
    let buyer = m
        .authenticate("compra@ejemplo.com.ar", "clave-123")
        .unwrap();
    let id = m.publish(&seller, listing("Guitarra")).unwrap();
    m.deposit(&buyer, 500_000).unwrap();
    // Many more users: a full decode would read them all.
    grow_to(&m, 3000);
    m.share().drop_cache();
    let users_slots = m
        .share()
        .read(|tx| tx.header(USERS.data))
        .unwrap()
        .slot_count;
    let page = m
        .browse(&ventalibre::domain::catalog::BrowseFilter::default())
        .unwrap();
    assert_eq!(&*page[0].seller_email, "vende@ejemplo.com.ar");
    let browse = m.share().last_tx_stats();
    assert!(
        browse.bytes_read < users_slots * 100,
        "a browse of one listing read {} bytes with {users_slots} user slots",
        browse.bytes_read
    );
    m.share().drop_cache();
    m.buy(&buyer, id).unwrap();
    let buy = m.share().last_tx_stats();
    assert!(
        buy.bytes_read < users_slots * 100,
        "a purchase read {} bytes with {users_slots} user slots",
        buy.bytes_read
    );
    println!("browse cold: {browse:?}; purchase cold: {buy:?} ({users_slots} user slots)");
}

#[test]
fn a_share_of_revision_2_reads_and_its_upgrade_makes_the_index_again() {
    use ventalibre::domain::market::{ADMIN_DEFAULT_PASSWORD, ADMIN_EMAIL};
    use ventalibre::domain::version::{FORMAT_REVISION, Standing, VERSION_FILE};
    let d = Dir::new("upgrade");
    let m = Market::open(&d.0, true).unwrap();
    let adm = m.authenticate(ADMIN_EMAIL, ADMIN_DEFAULT_PASSWORD).unwrap();
    m.change_password(&adm, ADMIN_DEFAULT_PASSWORD, "otra-clave-9")
        .unwrap();
    register(&m, "ana@ejemplo.com.ar");
    register(&m, "bruno@ejemplo.com.ar");
    // As a share of revision 2 with a stale index (what the older programs left behind them).
    m.share()
        .write(|tx| -> Result<(), StorageError> {
            tx.set_control(VERSION_FILE, 0, 2)?;
            tx.write(USERS_IDS, 1, &u64::MAX.to_le_bytes())
        })
        .unwrap();
    let m = Market::open(&d.0, false).unwrap();
    assert_eq!(m.version_status().unwrap().standing, Standing::NeedsUpgrade);
    // It reads; it does not write until the administrator upgrades it.
    assert_eq!(m.user_view("ana@ejemplo.com.ar").unwrap().name, "Ana Pérez");
    assert!(m.login("bruno@ejemplo.com.ar", "clave-123").is_err());
    assert!(!m.check().unwrap().ok, "the stale index is damage");
    let adm = m.authenticate(ADMIN_EMAIL, "otra-clave-9").unwrap();
    let r = m.upgrade_share(&adm).unwrap();
    assert_eq!(r.to, FORMAT_REVISION);
    assert!(m.check().unwrap().ok, "{}", m.check().unwrap().to_text());
    let bruno = m.login("bruno@ejemplo.com.ar", "clave-123").unwrap();
    let (_, k, _) = m
        .share()
        .read(|tx| USERS.get_by_id(tx, bruno.user_id))
        .unwrap()
        .unwrap();
    assert_eq!(k, b"bruno@ejemplo.com.ar");
    assert!(m.user_view("bruno@ejemplo.com.ar").unwrap().online);
}

#[test]
fn the_users_of_a_page_come_in_few_reads() {
    let d = Dir::new("pagefetch");
    let m = Market::open(&d.0, true).unwrap();
    grow_to(&m, 5000);
    // Fifty sellers, spread over the file.
    let ids: Vec<u64> = (0..50).map(|i| 2 + i * 97).collect();
    m.share().drop_cache();
    m.share()
        .read(|tx| -> Result<(), StorageError> {
            for &id in &ids {
                assert!(USERS.get_by_id(tx, id)?.is_some());
            }
            Ok(())
        })
        .unwrap();
    let one_by_one = m.share().last_tx_stats();
    m.share().drop_cache();
    m.share()
        .read(|tx| -> Result<(), StorageError> {
            USERS.prefetch_ids(tx, &ids)?;
            for &id in &ids {
                assert!(USERS.get_by_id(tx, id)?.is_some());
            }
            Ok(())
        })
        .unwrap();
    let batched = m.share().last_tx_stats();
    println!("50 users by id, cold: one by one {one_by_one:?}; batched {batched:?}");
    // The index slots come in one read; the user slots, spread over the file, in runs.
    assert!(
        batched.reads * 3 < one_by_one.reads * 2,
        "{one_by_one:?} → {batched:?}"
    );
    // Neighbours come in one read: ids 2..52 are 50 consecutive index slots.
    let near: Vec<u64> = (2..52).collect();
    m.share().drop_cache();
    m.share()
        .read(|tx| -> Result<(), StorageError> {
            USERS.prefetch_ids(tx, &near)?;
            for &id in &near {
                assert!(USERS.get_by_id(tx, id)?.is_some());
            }
            Ok(())
        })
        .unwrap();
    let near_stats = m.share().last_tx_stats();
    println!("50 neighbouring users by id, cold, batched: {near_stats:?}");
    assert!(near_stats.reads < 60, "{near_stats:?}");
}
