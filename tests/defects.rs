//! Issue 11 ("Nothing lost, nothing let in"): one test per defect the adversarial review found,
//! each failing before its fix, plus the robustness items of the code review (bounded walks on
//! write paths, an iterative AVL check, schema checks at open, unknown enum bytes as damage).
//! Library-level where the library is what was wrong; through the console binary where the
//! console's behaviour is the defect.

use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Once};
use std::time::Duration;

use chrono::NaiveDate;
use ventalibre::domain::account::NewUser;
use ventalibre::domain::catalog::{NewPublication, PublicationChanges};
use ventalibre::domain::market::{ADMIN_DEFAULT_PASSWORD, ADMIN_EMAIL};
use ventalibre::domain::{DomainError, Kind, Market, Session, parse_cents, password};
use ventalibre::storage::record::{HEADER_SIZE, Header};
use ventalibre::storage::{Backend, BackendFile, Share, ShareConfig, StorageError, Tx};

const BIN: &str = env!("CARGO_BIN_EXE_ventalibre");
const ADMIN_PW: &str = "clave-admin-1";

fn setup() {
    static ONCE: Once = Once::new();
    // Every test calls this before anything reads the environment.
    ONCE.call_once(|| unsafe { std::env::set_var("VENTALIBRE_KDF_ROUNDS", "1000") });
}

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        setup();
        let d = std::env::temp_dir().join(format!("vl-def-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn config() -> ShareConfig {
    ShareConfig {
        busy_timeout: Duration::from_secs(20),
        ..ShareConfig::default()
    }
}

fn market(d: &Dir) -> Market {
    Market::open_with(d.path(), config(), true).unwrap()
}

/// The administrator, with the initial password changed (as the first log-in requires).
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

fn new_user(email: &str, photo: Option<Vec<u8>>) -> NewUser {
    NewUser {
        email: email.into(),
        password: "secreto1".into(),
        name: format!("Persona {email}"),
        address: "Calle 1".into(),
        province: 2,
        phone: String::new(),
        photo,
    }
}

fn user(m: &Market, email: &str) -> Session {
    m.register(new_user(email, None)).unwrap();
    m.authenticate(email, "secreto1").unwrap()
}

fn publication(title: &str, description: &str, photo: Option<Vec<u8>>) -> NewPublication {
    NewPublication {
        category: 1,
        title: title.into(),
        description: description.into(),
        price: 1000_00,
        kind: Kind::Used,
        closes: NaiveDate::from_ymd_opt(2099, 12, 31).unwrap(),
        photo,
    }
}

/// A small valid PNG of `side`×`side` whose pixels depend on `seed` (distinct photos).
fn png(side: u32, seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(side, side, |x, y| {
        image::Rgb([seed, (x * 7) as u8, (y * 13) as u8])
    });
    let mut out = Vec::new();
    img.write_to(&mut io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn photo_files(d: &Dir) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(d.path().join("FOTOS"))
        .map(|r| {
            r.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Rewrites the header of `file` (checksum recomputed): damage a check must see through.
fn edit_header(dir: &Path, file: &str, f: impl FnOnce(&mut Header)) {
    let path = dir.join(file);
    let mut bytes = std::fs::read(&path).unwrap();
    let mut h = Header::decode(&bytes[..HEADER_SIZE]).unwrap();
    f(&mut h);
    bytes[..HEADER_SIZE].copy_from_slice(&h.encode());
    std::fs::write(&path, bytes).unwrap();
}

fn console(dir: &Path, user: Option<(&str, &str)>, args: &[&str]) -> Output {
    let mut c = Command::new(BIN);
    c.arg("--share").arg(dir).args(args);
    c.env("VENTALIBRE_KDF_ROUNDS", "1000")
        .env_remove("VENTALIBRE_SHARE")
        .env_remove("VENTALIBRE_NEW_PASSWORD")
        .env("VENTALIBRE_TERMINAL", "prueba")
        .env("VENTALIBRE_PASSWORD", ADMIN_PW);
    if let Some((email, pass)) = user {
        c.arg("--user").arg(email).env("VENTALIBRE_PASSWORD", pass);
    }
    c.output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Every file of a folder with its bytes (the lock file excluded): to prove nothing changed.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .filter(|(n, _)| n != "VENTALIBRE.LCK")
        .collect();
    v.sort();
    v
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

// ---- defect 1 ---------------------------------------------------------------------------------

/// `init` on a share whose VENTALIBRE.CTL was emptied, or zeroed in its first 64 bytes or
/// whole, reset every data file. It must refuse, say what it found and point to repair.
#[test]
fn defect_01_init_never_wipes_a_damaged_share() {
    let d = Dir::new("init");
    {
        let m = market(&d);
        let s = user(&m, "ana@ejemplo.com.ar");
        m.publish(&s, publication("Mesa", "de roble", None))
            .unwrap();
    }
    let ctl_len = std::fs::metadata(d.path().join("VENTALIBRE.CTL"))
        .unwrap()
        .len() as usize;
    for (i, damage) in [
        (|b: &mut Vec<u8>| b.clear()) as fn(&mut Vec<u8>),
        |b| b[..64].fill(0),
        |b| b.fill(0),
    ]
    .into_iter()
    .enumerate()
    {
        let case = d.path().join(format!("caso{i}"));
        copy_dir(d.path(), &case);
        let mut ctl = std::fs::read(case.join("VENTALIBRE.CTL")).unwrap();
        assert_eq!(ctl.len(), ctl_len);
        damage(&mut ctl);
        std::fs::write(case.join("VENTALIBRE.CTL"), &ctl).unwrap();
        let before = snapshot(&case);
        let o = console(&case, None, &["init"]);
        assert_eq!(o.status.code(), Some(4), "case {i}: {}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("VENTALIBRE.CTL")
                && err.contains("PUBLICADOS.DAT")
                && err.contains("ventalibre reparar"),
            "case {i}: {err}"
        );
        assert_eq!(before, snapshot(&case), "case {i}: init changed files");
        // The domain refuses the same way for the window's "create a new share here".
        match Market::open_with(&case, config(), true) {
            Err(e @ DomainError::Damaged(_)) => assert_eq!(e.exit_code(), 4),
            Err(e) => panic!("case {i}: {e}"),
            Ok(_) => panic!("case {i}: a share was created over a damaged one"),
        }
        assert_eq!(before, snapshot(&case), "case {i}: open changed files");
        // What it points to works: the control file is made again from the data files, then
        // `repair` makes them agree; nothing is lost.
        let done = ventalibre::domain::maintenance::repair_control(&case).unwrap();
        assert!(
            done.iter().any(|l| l.contains("reconstruido")),
            "case {i}: {done:?}"
        );
        let m = Market::open_with(&case, config(), false).unwrap();
        let s = admin(&m);
        let rep = m.repair(Some(&s), &|_| {}).unwrap();
        assert!(rep.after.ok, "case {i}: {}", rep.to_text());
        assert_eq!(&*m.publication(1).unwrap().title, "Mesa", "case {i}");
        assert!(
            m.authenticate("ana@ejemplo.com.ar", "secreto1").is_ok(),
            "case {i}"
        );
    }
    // A folder with nothing of VentaLibre still becomes a share, and a healthy share opens.
    let fresh = d.path().join("nueva");
    std::fs::create_dir_all(&fresh).unwrap();
    std::fs::write(fresh.join("LEAME.txt"), "otra cosa").unwrap();
    assert_eq!(console(&fresh, None, &["init"]).status.code(), Some(0));
    assert_eq!(console(&fresh, None, &["init"]).status.code(), Some(0));
}

// ---- defect 2 ---------------------------------------------------------------------------------

/// Setting USUARIOS.CON's last-user-id to 1 (with a valid checksum) passed `check`, and the
/// next registration reused id 2.
#[test]
fn defect_02_check_finds_counters_behind_ids_and_duplicated_ids() {
    let d = Dir::new("dupid");
    {
        let m = market(&d);
        user(&m, "ana@ejemplo.com.ar");
        assert!(m.check().unwrap().ok);
    }
    edit_header(d.path(), "USUARIOS.CON", |h| h.control[1] = 1);
    let m = market(&d);
    let r = m.check().unwrap();
    assert!(!r.ok);
    let text = r.to_text();
    assert!(
        text.contains("USUARIOS.DAT")
            && text.contains("usuario 2 (ana@ejemplo.com.ar)")
            && text.contains("último id 1"),
        "{text}"
    );
    // What the review saw next was a second account with id 2: now the index of users by id
    // (USUARIOS.IDS) refuses it as damage, and nothing is written.
    let e = m
        .register(new_user("luis@ejemplo.com.ar", None))
        .unwrap_err();
    assert!(e.to_string().contains("el id 2 ya es del registro"), "{e}");
    assert!(m.user_view("luis@ejemplo.com.ar").is_err());
    assert!(m.authenticate("ana@ejemplo.com.ar", "secreto1").is_ok());
}

// ---- defect 3 ---------------------------------------------------------------------------------

/// A backend whose disk fills up: writes past a quota fail with "no space", everything else
/// (reads, deletes) keeps working, as on a real full disk.
struct FullDisk {
    inner: Arc<dyn Backend>,
    left: Arc<AtomicU64>,
}

struct FullDiskFile {
    inner: Arc<dyn BackendFile>,
    left: Arc<AtomicU64>,
}

impl BackendFile for FullDiskFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        self.inner.read_at(offset, buf)
    }
    fn write_at(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        let n = data.len() as u64;
        if self
            .left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |l| l.checked_sub(n))
            .is_err()
        {
            return Err(io::Error::new(io::ErrorKind::StorageFull, "disco lleno"));
        }
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

impl Backend for FullDisk {
    fn open(&self, name: &str) -> io::Result<Arc<dyn BackendFile>> {
        Ok(Arc::new(FullDiskFile {
            inner: self.inner.open(name)?,
            left: self.left.clone(),
        }))
    }
    fn open_rw(&self, name: &str) -> io::Result<Arc<dyn BackendFile>> {
        Ok(Arc::new(FullDiskFile {
            inner: self.inner.open_rw(name)?,
            left: self.left.clone(),
        }))
    }
    fn open_or_create(&self, name: &str) -> io::Result<Arc<dyn BackendFile>> {
        Ok(Arc::new(FullDiskFile {
            inner: self.inner.open_or_create(name)?,
            left: self.left.clone(),
        }))
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

/// A refused registration (duplicate email), an edit by someone who is not the seller and a
/// publication on a full disk each left photo files in FOTOS/.
#[test]
fn defect_03_refused_operations_leave_no_photo_behind() {
    let d = Dir::new("photos");
    let m = market(&d);
    let ana = user(&m, "ana@ejemplo.com.ar");
    let luis = user(&m, "luis@ejemplo.com.ar");
    let id = m
        .publish(&ana, publication("Mesa", "de roble", Some(png(40, 1))))
        .unwrap();
    let kept = photo_files(&d);
    assert_eq!(kept.len(), 2, "{kept:?}"); // the photo and its thumbnail
    // 1. A registration refused for its email.
    let e = m
        .register(new_user("ANA@ejemplo.com.ar", Some(png(40, 2))))
        .unwrap_err();
    assert!(
        e.to_string().contains("ya hay una cuenta") && e.exit_code() == 1,
        "{e}"
    );
    assert_eq!(photo_files(&d), kept);
    // 2. An edit by someone who is not the seller.
    let e = m
        .edit_publication(
            &luis,
            id,
            PublicationChanges {
                photo: Some(png(40, 3)),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(matches!(e, DomainError::Denied(_)), "{e}");
    assert_eq!(photo_files(&d), kept);
    // 3. A publication on a full disk: the photo does not fit.
    drop(m);
    let left = Arc::new(AtomicU64::new(2_000));
    let backend = Arc::new(FullDisk {
        inner: Arc::new(ventalibre::storage::FsBackend::new(d.path())),
        left: left.clone(),
    });
    let share = Share::open_with(d.path(), config(), Some(backend), false).unwrap();
    let m = Market::with_share(share, false).unwrap();
    let e = m
        .publish(&ana, publication("Silla", "de pino", Some(png(200, 4))))
        .unwrap_err();
    assert_eq!(e.exit_code(), 3, "{e}");
    assert_eq!(photo_files(&d), kept, "a full disk left files");
    left.store(u64::MAX, Ordering::SeqCst);
    let ok = m
        .publish(&ana, publication("Silla", "de pino", Some(png(200, 4))))
        .unwrap();
    assert_eq!(photo_files(&d).len(), 4);
    // The photo went through the share's backend and comes back through the domain.
    let v = m.publication(ok).unwrap();
    let pid = ventalibre::domain::photos::parse_hex(v.photo.as_deref().unwrap()).unwrap();
    assert_eq!(m.photo(&pid).unwrap().unwrap(), png(200, 4));
    assert!(m.thumbnail(&pid).unwrap().is_some());
    assert!(m.check().unwrap().ok, "{}", m.check().unwrap().to_text());
    // `check` reports a photo no record names.
    let stray = png(30, 9);
    let name = ventalibre::domain::photos::hex(&password::sha256(&stray));
    std::fs::write(d.path().join("FOTOS").join(&name), &stray).unwrap();
    let r = m.check().unwrap();
    assert!(
        !r.ok
            && r.to_text()
                .contains(&format!("foto {name} que ningún registro nombra")),
        "{}",
        r.to_text()
    );
}

// ---- defect 4 ---------------------------------------------------------------------------------

/// `0.001` was read as 1.00, `0.500` as 500.00 and `0,001` as 1.00.
#[test]
fn defect_04_amounts_with_three_decimals_are_refused() {
    setup();
    for bad in ["0.001", "0.500", "0,001", "0,500", "1,500", "1,500.50"] {
        let e = parse_cents(bad).expect_err(bad).to_string();
        assert!(
            e.contains("1.500,50") && e.contains("1500.50"),
            "{bad}: {e}"
        );
    }
    for (ok, cents) in [
        ("1.500,50", 150_050),
        ("1.500", 150_000),
        ("1500,50", 150_050),
        ("1500.50", 150_050),
        ("0,50", 50),
        ("0.5", 50),
    ] {
        assert_eq!(parse_cents(ok).unwrap(), cents, "{ok}");
    }
    // Through the console, the refused amount changes nothing.
    let d = Dir::new("amounts");
    market(&d);
    let o = console(
        d.path(),
        None,
        &[
            "register",
            "--email",
            "ana@ejemplo.com.ar",
            "--name",
            "Ana",
            "--address",
            "Calle 1",
            "--province",
            "2",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let ana = Some(("ana@ejemplo.com.ar", ADMIN_PW));
    let o = console(d.path(), ana, &["wallet", "deposit", "0.001"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = console(d.path(), ana, &["--json", "wallet"]);
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("\"balance_cents\":0"),
        "{}",
        text(&o)
    );
}

// ---- defect 5 ---------------------------------------------------------------------------------

/// A description with terminal escape codes was stored and printed raw.
#[test]
fn defect_05_descriptions_refuse_control_codes() {
    let d = Dir::new("control");
    let m = market(&d);
    let ana = user(&m, "ana@ejemplo.com.ar");
    for bad in [
        "x\x1b[2J\x1b[31mROJO\x07",
        "borra\x08\x08",
        "a\u{202e}b",
        "nul\0",
    ] {
        let e = m.publish(&ana, publication("Mesa", bad, None)).unwrap_err();
        assert!(
            e.to_string().contains("caracteres de control") && e.exit_code() == 1,
            "{bad:?}: {e}"
        );
    }
    let id = m
        .publish(
            &ana,
            publication("Mesa", "línea 1\r\nlínea 2\tcon tabulación", None),
        )
        .unwrap();
    // Line breaks kept; a tab is allowed (it becomes a space, like runs of spaces).
    assert_eq!(
        &*m.publication(id).unwrap().description,
        "línea 1\nlínea 2 con tabulación"
    );
    let e = m
        .edit_publication(
            &ana,
            id,
            PublicationChanges {
                description: Some("\x1b]0;titulo\x07".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(
        e.to_string().contains("caracteres de control") && e.exit_code() == 1,
        "{e}"
    );
}

// ---- defect 6 ---------------------------------------------------------------------------------

fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in data {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// A PNG that declares `w`×`h` pixels of `color` type (0 grey, 2 RGB, 6 RGBA) and carries
/// only a few compressed rows: decoding it would allocate the whole declared image.
fn bomb_png(w: u32, h: u32, color: u8) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8], data: &[u8]| {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut c = kind.to_vec();
        c.extend_from_slice(data);
        out.extend_from_slice(&c);
        out.extend_from_slice(&crc32(&c).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, color, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    // A stored (uncompressed) zlib stream of one zero byte: enough to look like image data.
    chunk(
        b"IDAT",
        &[
            0x78, 0x01, 0x01, 0x01, 0x00, 0xfe, 0xff, 0x00, 0x00, 0x01, 0x00, 0x01,
        ],
    );
    chunk(b"IEND", &[]);
    out
}

/// A 20000×20000 grey PNG of zeros was decoded at 398 MB; RGB/RGBA ones were refused as "not
/// an image". The size is checked from the header first, and said.
#[test]
fn defect_06_decompression_bombs_are_refused_from_the_header() {
    let d = Dir::new("bomb");
    let m = market(&d);
    for color in [0u8, 2, 6] {
        let e = m
            .register(new_user(
                "ana@ejemplo.com.ar",
                Some(bomb_png(20_000, 20_000, color)),
            ))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("la imagen es demasiado grande (20000×20000; máximo"),
            "color {color}: {e}"
        );
    }
    let e = m
        .register(new_user(
            "ana@ejemplo.com.ar",
            Some(b"no soy una foto".to_vec()),
        ))
        .unwrap_err()
        .to_string();
    assert!(e.contains("no es una imagen"), "{e}");
    assert!(photo_files(&d).is_empty());
    m.register(new_user("ana@ejemplo.com.ar", Some(png(64, 1))))
        .unwrap();
}

// ---- defect 7 ---------------------------------------------------------------------------------

/// A wrong password took 80 ms, an unknown email 5–13 ms: the refusal's time told which emails
/// exist. Both now run one key derivation of the same cost.
#[test]
fn defect_07_unknown_emails_cost_a_key_derivation_too() {
    let d = Dir::new("timing");
    let m = market(&d);
    user(&m, "ana@ejemplo.com.ar");
    let before = password::derivations();
    assert!(m.authenticate("ana@ejemplo.com.ar", "equivocada").is_err());
    let known = password::derivations() - before;
    let before = password::derivations();
    let e = m
        .authenticate("nadie@ejemplo.com.ar", "equivocada")
        .unwrap_err();
    let unknown = password::derivations() - before;
    assert_eq!(e.to_string(), "email o clave incorrectos");
    assert!(
        known >= 1 && unknown == known,
        "known {known}, unknown {unknown}"
    );
}

// ---- defect 8 ---------------------------------------------------------------------------------

/// `newton` logged in and collected commissions, and `passwd` from `newton` to `newton` was
/// accepted. The first log-in with the initial password must set a new one first.
#[test]
fn defect_08_the_initial_admin_password_must_be_changed_first() {
    let d = Dir::new("newton");
    let m = market(&d);
    let s = m.authenticate(ADMIN_EMAIL, ADMIN_DEFAULT_PASSWORD).unwrap();
    assert!(m.must_change_password(&s).unwrap());
    let e = m.collect_commissions(&s).unwrap_err();
    assert!(
        matches!(&e, DomainError::Denied(msg) if msg.contains("cambiar la clave inicial")),
        "{e}"
    );
    assert!(m.users(&s).is_err());
    assert!(m.add_category(&s, "Juguetes", 500).is_err());
    let e = m
        .change_password(&s, ADMIN_DEFAULT_PASSWORD, ADMIN_DEFAULT_PASSWORD)
        .unwrap_err();
    assert!(
        e.to_string().contains("distinta de la actual") && e.exit_code() == 1,
        "{e}"
    );
    m.change_password(&s, ADMIN_DEFAULT_PASSWORD, ADMIN_PW)
        .unwrap();
    assert!(!m.must_change_password(&s).unwrap());
    m.collect_commissions(&s).unwrap();
    assert!(m.authenticate(ADMIN_EMAIL, ADMIN_DEFAULT_PASSWORD).is_err());
    // The console says the same, and `passwd` is the way out.
    let d = Dir::new("newton-cli");
    market(&d);
    let adm = Some((ADMIN_EMAIL, ADMIN_DEFAULT_PASSWORD));
    let o = console(d.path(), adm, &["admin", "collect"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(" clave`"),
        "{}",
        text(&o)
    );
    let same = console_with(d.path(), adm, ADMIN_DEFAULT_PASSWORD, &["passwd"]);
    assert_eq!(same.status.code(), Some(1), "{}", text(&same));
    let changed = console_with(d.path(), adm, ADMIN_PW, &["passwd"]);
    assert_eq!(changed.status.code(), Some(0), "{}", text(&changed));
    let o = console(
        d.path(),
        Some((ADMIN_EMAIL, ADMIN_PW)),
        &["admin", "collect"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

fn console_with(dir: &Path, user: Option<(&str, &str)>, new: &str, args: &[&str]) -> Output {
    let mut c = Command::new(BIN);
    c.arg("--share").arg(dir).args(args);
    c.env("VENTALIBRE_KDF_ROUNDS", "1000")
        .env_remove("VENTALIBRE_SHARE")
        .env("VENTALIBRE_NEW_PASSWORD", new);
    if let Some((email, pass)) = user {
        c.arg("--user").arg(email).env("VENTALIBRE_PASSWORD", pass);
    }
    c.output().unwrap()
}

// ---- defect 9 ---------------------------------------------------------------------------------

/// `publication show` without a user printed a sold item's buyer.
#[test]
fn defect_09_only_the_parties_see_who_bought() {
    let d = Dir::new("buyer");
    let m = market(&d);
    let adm = admin(&m);
    let ana = user(&m, "ana@ejemplo.com.ar");
    let luis = user(&m, "luis@ejemplo.com.ar");
    let eva = user(&m, "eva@ejemplo.com.ar");
    let id = m
        .publish(&ana, publication("Mesa", "de roble", None))
        .unwrap();
    m.deposit(&luis, 2000_00).unwrap();
    m.buy(&luis, id).unwrap();
    for (who, sees) in [
        (None, false),
        (Some(&eva), false),
        (Some(&ana), true),
        (Some(&luis), true),
        (Some(&adm), true),
    ] {
        let v = m.publication_as(who, id).unwrap();
        assert_eq!(v.buyer_email.is_some(), sees, "{who:?}");
        assert_eq!(v.buyer_name.is_some(), sees, "{who:?}");
        assert_eq!(v.buyer_id.is_some(), sees, "{who:?}");
        assert_eq!(v.commission.is_some(), sees, "{who:?}");
        assert_eq!(v.state_label, "vendido");
    }
    let o = console(
        d.path(),
        None,
        &["--json", "publication", "show", &id.to_string()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        !out.contains("luis@") && !out.contains("Persona luis"),
        "{out}"
    );
    let o = console(
        d.path(),
        Some(("ana@ejemplo.com.ar", "secreto1")),
        &["publication", "show", &id.to_string()],
    );
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("Persona luis"),
        "{}",
        text(&o)
    );
}

// ---- defect 10 --------------------------------------------------------------------------------

/// A lazy unmount in the middle of a write was reported as "the share does not honour locks".
/// Here the share's folder is swapped for an empty one (what an unmount leaves) between the
/// lock and the commit.
#[test]
fn defect_10_a_vanished_share_is_reported_as_unreachable() {
    let d = Dir::new("vanish");
    let dir = d.path().join("montaje");
    std::fs::create_dir_all(&dir).unwrap();
    let share = Share::open_or_create(&dir, config()).unwrap();
    let gone = d.path().join("desmontada");
    let r = share.write(|tx| -> Result<(), StorageError> {
        tx.create_file("PRUEBA.DAT", 16, ventalibre::storage::FreeHome::Own)?;
        std::fs::rename(&dir, &gone).unwrap();
        std::fs::create_dir(&dir).unwrap();
        Ok(())
    });
    let e = r.unwrap_err();
    assert!(matches!(e, StorageError::Unreachable { .. }), "{e:?}: {e}");
    assert!(e.is_unavailable());
    assert!(!e.to_string().contains("bloqueos"), "{e}");
    // And the next transaction says the same.
    let e = share.read(|tx| tx.files().map(|_| ())).unwrap_err();
    assert!(matches!(e, StorageError::Unreachable { .. }), "{e:?}");
}

// ---- robustness: values read from disk are untrusted -----------------------------------------

/// Runs `f` on a thread and fails the test if it does not finish (a walk that loops).
fn finishes<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name(format!("finishes: {what}"))
        .spawn(move || {
            let _ = tx.send(f());
        })
        .unwrap();
    rx.recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("{what}: did not finish (a walk loops on a corrupt link)"))
}

fn payload_offset(dir: &Path, file: &str, pos: u64) -> (usize, u32) {
    let bytes = std::fs::read(dir.join(file)).unwrap();
    let h = Header::decode(&bytes[..HEADER_SIZE]).unwrap();
    (h.slot_offset(pos) as usize + 8, h.slot_size)
}

/// Rewrites bytes of slot `pos`'s payload (checksum recomputed): a link that is wrong but
/// well formed.
fn edit_slot(dir: &Path, file: &str, pos: u64, f: impl FnOnce(&mut [u8])) {
    let path = dir.join(file);
    let mut bytes = std::fs::read(&path).unwrap();
    let (off, size) = payload_offset(dir, file, pos);
    f(&mut bytes[off..off + size as usize]);
    // Slot CRC: position (8 bytes LE) then bytes 4.. of the slot.
    let mut c = pos.to_le_bytes().to_vec();
    c.extend_from_slice(&bytes[off - 4..off + size as usize]);
    let crc = ventalibre::storage::crc::crc32c(&c);
    bytes[off - 8..off - 4].copy_from_slice(&crc.to_le_bytes());
    std::fs::write(&path, bytes).unwrap();
}

#[test]
fn write_paths_stop_on_cycles_instead_of_looping() {
    let d = Dir::new("cycles");
    {
        let m = market(&d);
        let s = user(&m, "ana@ejemplo.com.ar");
        m.publish(&s, publication("Mesa", "de roble", None))
            .unwrap();
    }
    // The users hash: the administrator's home record links to itself; removing another key
    // of that bucket walks the chain under the exclusive lock.
    let buckets = 80;
    let home = ventalibre::me::hash::fnv1a(ADMIN_EMAIL.as_bytes()) % buckets;
    let other = (0..)
        .map(|i| format!("x{i}@ejemplo.com.ar"))
        .find(|k| ventalibre::me::hash::fnv1a(k.as_bytes()) % buckets == home)
        .unwrap();
    edit_slot(d.path(), "USUARIOS.DAT", home, |p| {
        p[8..16].copy_from_slice(&home.to_le_bytes())
    });
    let dir = d.path().to_path_buf();
    let r = finishes("hash remove", move || {
        let m = Market::open_with(&dir, config(), false).unwrap();
        m.share().write(|tx| {
            ventalibre::domain::USERS
                .remove(tx, other.as_bytes())
                .map(|_| ())
        })
    });
    assert!(r.unwrap_err().is_damaged());
    // The AVL by seller: the root's children point at the root.
    edit_slot(d.path(), "PUBLICADOS.NTX_1", 0, |p| {
        p[16..24].copy_from_slice(&0u64.to_le_bytes());
        p[24..32].copy_from_slice(&0u64.to_le_bytes());
    });
    for (what, insert) in [("avl insert", true), ("avl remove", false)] {
        let dir = d.path().to_path_buf();
        let r = finishes(what, move || {
            let m = Market::open_with(&dir, config(), false).unwrap();
            m.share().write(|tx| {
                if insert {
                    ventalibre::domain::BY_SELLER.insert(tx, 5, 99).map(|_| ())
                } else {
                    ventalibre::domain::BY_SELLER.remove(tx, 7, 99).map(|_| ())
                }
            })
        });
        assert!(r.unwrap_err().is_damaged(), "{what}");
    }
    // The categories list: the head's next points at the head.
    edit_slot(d.path(), "CATEGORIAS.DAT", 0, |p| {
        p[16..24].copy_from_slice(&0u64.to_le_bytes())
    });
    let dir = d.path().to_path_buf();
    let r = finishes("list insert", move || {
        let m = Market::open_with(&dir, config(), false).unwrap();
        m.share().write(|tx| {
            ventalibre::domain::CATEGORIES
                .insert(tx, 1000, &[0u8; ventalibre::domain::CATEGORY_LEN])
                .map(|_| ())
        })
    });
    assert!(r.unwrap_err().is_damaged());
}

/// A corrupt index can describe a tree as deep as it has nodes: the check must not recurse.
#[test]
fn avl_check_survives_a_degenerate_tree() {
    let d = Dir::new("deep");
    let share = Share::open_or_create(d.path(), config()).unwrap();
    let n: u64 = 150_000;
    let idx = ventalibre::me::avl::AvlIndex {
        file: "ARBOL.NTX",
        control: "ARBOL.CON",
        root_field: 0,
        count_field: 1,
        free_field: 2,
    };
    share
        .write(|tx| -> Result<(), StorageError> {
            tx.create_file("ARBOL.CON", 8, ventalibre::storage::FreeHome::Own)?;
            idx.create(tx)?;
            // A chain: node i's left child is i+1 (keys descending), heights as stored by a
            // naive writer (all 1).
            for i in 0..n {
                let mut b = vec![0u8; 48];
                b[0..8].copy_from_slice(&(n - i).to_le_bytes());
                b[8..16].copy_from_slice(&i.to_le_bytes());
                let left = if i + 1 < n { i + 1 } else { u64::MAX };
                b[16..24].copy_from_slice(&left.to_le_bytes());
                b[24..32].copy_from_slice(&u64::MAX.to_le_bytes());
                let parent = if i == 0 { u64::MAX } else { i - 1 };
                b[32..40].copy_from_slice(&parent.to_le_bytes());
                b[40] = 1;
                tx.alloc("ARBOL.NTX", &b)?;
            }
            tx.set_control("ARBOL.CON", 0, 0)?;
            tx.set_control("ARBOL.CON", 1, n)
        })
        .unwrap();
    // On a thread with a small stack: a recursive check would overflow it.
    let idx2 = idx.clone();
    let p = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || share.read(|tx| idx2.check(tx, None)).unwrap())
        .unwrap()
        .join()
        .expect("check overflowed its stack");
    assert!(
        p.problems.iter().any(|m| m.contains("desbalanceado")),
        "{:?}",
        p.problems
    );
    // And writing into it is refused instead of walking 150,000 levels.
    let r = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || {
            let share = Share::open(d.path(), config()).unwrap();
            share.write(|tx| idx.insert(tx, 0, 0).map(|_| ()))
        })
        .unwrap()
        .join()
        .unwrap();
    assert!(r.unwrap_err().is_damaged());
}

/// A share whose files have other slot sizes (another version, or a damaged catalog) is refused
/// at open, naming the file; a bucket count of zero is damage, not a division by zero; an
/// unknown publication state is damage, not "published" (buyable).
#[test]
fn untrusted_values_are_damage_not_panics_or_defaults() {
    let d = Dir::new("untrusted");
    let id;
    {
        let m = market(&d);
        let s = user(&m, "ana@ejemplo.com.ar");
        id = m
            .publish(&s, publication("Mesa", "de roble", None))
            .unwrap();
    }
    // 1. Unknown state byte.
    edit_slot(d.path(), "PUBLICADOS.DAT", id - 1, |p| p[657] = 9);
    {
        let m = market(&d);
        let e = m.publication(id).unwrap_err();
        assert_eq!(e.exit_code(), 4, "{e}");
        assert!(e.to_string().contains("estado desconocido (9)"), "{e}");
        let luis = user(&m, "luis@ejemplo.com.ar");
        m.deposit(&luis, 5000_00).unwrap();
        assert_eq!(m.buy(&luis, id).unwrap_err().exit_code(), 4);
        let r = m.check().unwrap();
        assert!(
            !r.ok && r.to_text().contains("estado desconocido"),
            "{}",
            r.to_text()
        );
    }
    edit_slot(d.path(), "PUBLICADOS.DAT", id - 1, |p| p[657] = 1);
    // 2. MAX = 0 buckets.
    edit_header(d.path(), "USUARIOS.CON", |h| h.control[2] = 0);
    {
        let m = market(&d);
        let e = finishes("authenticate", move || {
            m.authenticate("ana@ejemplo.com.ar", "secreto1").map(|_| ())
        })
        .unwrap_err();
        assert_eq!(e.exit_code(), 4, "{e}");
        assert!(e.to_string().contains("USUARIOS.CON"), "{e}");
    }
    edit_header(d.path(), "USUARIOS.CON", |h| h.control[2] = 80);
    // 3. Another slot size for a file (catalog and header agree: another version).
    let ctl = d.path().join("VENTALIBRE.CTL");
    let mut bytes = std::fs::read(&ctl).unwrap();
    let mut cat = ventalibre::storage::ctl::Catalog::decode(&bytes[64..1088]).unwrap();
    for e in &mut cat.entries {
        if e.name == "FACTURAS.DAT" {
            e.slot_size = 600;
        }
    }
    bytes[64..1088].copy_from_slice(&cat.encode());
    std::fs::write(&ctl, &bytes).unwrap();
    edit_header(d.path(), "FACTURAS.DAT", |h| h.slot_size = 600);
    let e = match Market::open_with(d.path(), config(), false) {
        Err(e) => e,
        Ok(_) => panic!("a share of another version opened"),
    };
    assert_eq!(e.exit_code(), 4);
    assert!(
        e.to_string().contains("FACTURAS.DAT") && e.to_string().contains("otra versión"),
        "{e}"
    );
}
