//! Issue 11, "what it must show": for every file of a share, damage its header, a link, a
//! counter and a record; `check` must name the file and the problem, and `repair`, where the
//! files determine what was lost, must bring `check` back to a clean report with no
//! acknowledged record lost (every user, balance, publication, sale, invoice, message and
//! movement as before). Where they do not (an unreadable user record, a movement pointing at
//! another user), repair must list it and change nothing that was sound.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Once;

use chrono::NaiveDate;
use ventalibre::domain::account::NewUser;
use ventalibre::domain::catalog::NewPublication;
use ventalibre::domain::maintenance::Progress;
use ventalibre::domain::market::{ADMIN_DEFAULT_PASSWORD, ADMIN_EMAIL};
use ventalibre::domain::{Kind, Market, Session};
use ventalibre::storage::record::{HEADER_SIZE, Header};

const ADMIN_PW: &str = "clave-de-la-administracion";
const BIN: &str = env!("CARGO_BIN_EXE_ventalibre");

fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| unsafe { std::env::set_var("VENTALIBRE_KDF_ROUNDS", "1000") });
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("vl-damage-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn png(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(24, 24, |x, y| image::Rgb([seed, x as u8 * 9, y as u8 * 5]));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn register(m: &Market, email: &str, photo: Option<Vec<u8>>) -> Session {
    m.register(NewUser {
        email: email.into(),
        password: "secreto1".into(),
        name: format!("Persona {email}"),
        address: "Calle 1".into(),
        province: 3,
        phone: String::new(),
        photo,
    })
    .unwrap();
    m.authenticate(email, "secreto1").unwrap()
}

/// A small share with something in every file: users (one with a photo), categories,
/// publications of several sellers and categories (one with a photo), two purchases by the
/// same buyer, conversations of two messages, deposits, a transfer, collected commissions,
/// invoices and events.
fn template(dir: &Path) {
    let m = Market::open(dir, true).unwrap();
    let adm = m.authenticate(ADMIN_EMAIL, ADMIN_DEFAULT_PASSWORD).unwrap();
    m.change_password(&adm, ADMIN_DEFAULT_PASSWORD, ADMIN_PW)
        .unwrap();
    let users: Vec<Session> = (0..6)
        .map(|i| {
            register(
                &m,
                &format!("u{i}@ejemplo.com.ar"),
                (i == 1).then(|| png(1)),
            )
        })
        .collect();
    let mut ids = Vec::new();
    for i in 0..14u64 {
        let s = &users[(i % 3) as usize];
        ids.push(
            m.publish(
                s,
                NewPublication {
                    category: 1 + i % 4,
                    title: format!("Artículo {i}"),
                    description: format!("descripción {i}"),
                    price: 1000 + i as i64 * 100,
                    kind: if i % 2 == 0 { Kind::Used } else { Kind::New },
                    closes: NaiveDate::from_ymd_opt(2099, 1, 1).unwrap(),
                    photo: (i == 2).then(|| png(2)),
                },
            )
            .unwrap(),
        );
    }
    let buyer = &users[4];
    m.deposit(buyer, 100_000).unwrap();
    m.deposit(&users[5], 50_000).unwrap();
    m.transfer(&users[5], "u4@ejemplo.com.ar", 1_234).unwrap();
    m.buy(buyer, ids[0]).unwrap();
    m.buy(buyer, ids[4]).unwrap();
    m.buy(&users[5], ids[7]).unwrap();
    m.collect_commissions(&adm).unwrap();
    for (k, &id) in ids.iter().enumerate().skip(8).take(4) {
        let asker = &users[3 + k % 3];
        m.ask(asker, id, "¿Está disponible?").unwrap();
        m.ask(asker, id, "¿Hace envíos?").unwrap();
    }
    m.pause(&users[1], ids[1]).unwrap();
    m.ask(&users[3], ids[2], "¿Tiene otra foto?").unwrap();
    // Two windows' heartbeats: PRESENCIA.DAT holds slots.
    m.heartbeat(&users[0]).unwrap();
    m.heartbeat(&users[2]).unwrap();
    assert!(m.check().unwrap().ok, "{}", m.check().unwrap().to_text());
}

/// Everything a user was told was done, as the domain shows it.
fn fingerprint(m: &Market) -> BTreeMap<String, String> {
    let adm = m.authenticate(ADMIN_EMAIL, ADMIN_PW).unwrap();
    let mut f = BTreeMap::new();
    for u in m.users(&adm).unwrap() {
        f.insert(
            format!("usuario {}", u.id),
            format!("{} {} {:?} {}", u.email, u.balance, u.photo, u.blocked),
        );
    }
    for c in m.categories().unwrap() {
        f.insert(
            format!("categoría {}", c.key),
            format!("{} {} {}", c.name, c.commission_bp, c.publications),
        );
    }
    for id in 1..=14 {
        let p = m.publication_as(Some(&adm), id).unwrap();
        f.insert(
            format!("publicación {id}"),
            format!(
                "{} {} {:?} {:?} {:?} {:?} {:?}",
                p.title, p.seller_id, p.state, p.buyer_id, p.sale, p.photo, p.commission_collected
            ),
        );
        let conv = m.conversations(&adm, id, None).unwrap();
        for c in conv {
            let msgs: Vec<String> = c
                .messages
                .iter()
                .map(|x| format!("{}:{}", x.number, x.question))
                .collect();
            f.insert(format!("conversación {id}/{}", c.buyer_id), msgs.join("|"));
        }
    }
    for i in m.invoices(&adm).unwrap() {
        f.insert(
            format!("factura {}", i.number),
            format!("{} {} {} {}", i.sale_pos, i.pub_id, i.buyer_id, i.total),
        );
    }
    for e in ["u4@ejemplo.com.ar", "u5@ejemplo.com.ar"] {
        let s = m.authenticate(e, "secreto1").unwrap();
        let w = m.wallet(&s).unwrap();
        f.insert(
            format!("billetera {e}"),
            format!("{} {}", w.balance, w.movements.len()),
        );
        let p: Vec<u64> = m
            .purchases(&s)
            .unwrap()
            .iter()
            .map(|x| x.publication)
            .collect();
        f.insert(format!("compras {e}"), format!("{p:?}"));
    }
    f
}

fn read_header(dir: &Path, file: &str) -> Header {
    let b = std::fs::read(dir.join(file)).unwrap();
    Header::decode(&b[..HEADER_SIZE]).unwrap()
}

fn edit_header(dir: &Path, file: &str, f: impl FnOnce(&mut Header)) {
    let path = dir.join(file);
    let mut b = std::fs::read(&path).unwrap();
    let mut h = Header::decode(&b[..HEADER_SIZE]).unwrap();
    f(&mut h);
    b[..HEADER_SIZE].copy_from_slice(&h.encode());
    std::fs::write(&path, b).unwrap();
}

/// Rewrites a payload field of slot `pos` and its checksum: a wrong link, well formed.
fn edit_slot(dir: &Path, file: &str, pos: u64, f: impl FnOnce(&mut [u8])) {
    let h = read_header(dir, file);
    let path = dir.join(file);
    let mut b = std::fs::read(&path).unwrap();
    let off = h.slot_offset(pos) as usize;
    let end = off + 8 + h.slot_size as usize;
    f(&mut b[off + 8..end]);
    let mut c = pos.to_le_bytes().to_vec();
    c.extend_from_slice(&b[off + 4..end]);
    let crc = ventalibre::storage::crc::crc32c(&c);
    b[off..off + 4].copy_from_slice(&crc.to_le_bytes());
    std::fs::write(&path, b).unwrap();
}

/// Flips a byte inside slot `pos` without fixing its checksum: an unreadable record.
fn smash_slot(dir: &Path, file: &str, pos: u64) {
    let h = read_header(dir, file);
    let path = dir.join(file);
    let mut b = std::fs::read(&path).unwrap();
    b[h.slot_offset(pos) as usize + 8 + 3] ^= 0x5a;
    std::fs::write(&path, b).unwrap();
}

fn set64(p: &mut [u8], off: usize, v: u64) {
    p[off..off + 8].copy_from_slice(&v.to_le_bytes());
}
fn get64(p: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(p[off..off + 8].try_into().unwrap())
}

/// The live slots of `file` for which `pred(payload)` holds.
fn find_slots(dir: &Path, file: &str, pred: impl Fn(&[u8]) -> bool) -> Vec<u64> {
    let h = read_header(dir, file);
    let b = std::fs::read(dir.join(file)).unwrap();
    (0..h.slot_count)
        .filter(|&p| {
            let off = h.slot_offset(p) as usize;
            b[off + 4] == 1 && pred(&b[off + 8..off + 8 + h.slot_size as usize])
        })
        .collect()
}

/// The first live slot of `file` for which `pred(payload)` holds.
fn find_slot(dir: &Path, file: &str, pred: impl Fn(&[u8]) -> bool) -> u64 {
    *find_slots(dir, file, pred)
        .first()
        .unwrap_or_else(|| panic!("{file}: no slot matches"))
}

const NIL: u64 = u64::MAX;

type Damage = fn(&Path);

/// (file, kind, damage, whether repair can restore everything from the other files).
fn cases() -> Vec<(&'static str, &'static str, Damage, bool)> {
    let mut v: Vec<(&'static str, &'static str, Damage, bool)> = Vec::new();
    // Headers: a byte of every header (its checksum no longer matches). Every header can be
    // rebuilt: the catalog gives the slot size, the length the slot count, the schema the
    // free-list home, and repair recomputes every control field.
    for f in [
        "USUARIOS.DAT",
        "USUARIOS.CON",
        "CATEGORIAS.DAT",
        "CATEGORIAS.CON",
        "PUBLICADOS.DAT",
        "PUBLICADOS.CON",
        "PUBLICADOS.NTX_1",
        "PUBLICADOS.NTX_2",
        "VENTAS.CON",
        "VENTAS.DAT",
        "MENSAJES.NTX",
        "MENSAJES.DAT",
        "MENSAJES.CON",
        "MOVIMIENTOS.DAT",
        "FACTURAS.DAT",
        "EVENTOS.DAT",
        "USUARIOS.IDS",
        "PRESENCIA.DAT",
    ] {
        v.push((f, "cabecera", header_damage(f), true));
    }
    // Ours, derived or ephemeral: the id index is made again from the user records, an
    // unreadable presence is "not connected".
    v.push((
        "USUARIOS.IDS",
        "registro",
        |d| smash_slot(d, "USUARIOS.IDS", 1),
        true,
    ));
    v.push((
        "PRESENCIA.DAT",
        "registro",
        |d| smash_slot(d, "PRESENCIA.DAT", 0),
        true,
    ));
    // Links.
    v.push((
        "USUARIOS.DAT",
        "enlace",
        |d| {
            // A home record's chain pointer sent into another user's home bucket.
            let used = find_slots(d, "USUARIOS.DAT", |p| p[0] == 1);
            edit_slot(d, "USUARIOS.DAT", used[0], |p| set64(p, 8, used[1]));
        },
        true,
    ));
    v.push((
        "CATEGORIAS.DAT",
        "enlace",
        |d| {
            edit_slot(d, "CATEGORIAS.DAT", 0, |p| set64(p, 16, 3));
        },
        true,
    ));
    v.push((
        "CATEGORIAS.CON",
        "enlace",
        |d| {
            edit_header(d, "CATEGORIAS.CON", |h| h.control[0] = 2);
        },
        true,
    ));
    v.push((
        "PUBLICADOS.DAT",
        "enlace",
        |d| {
            // A sold publication's link to its sale.
            edit_slot(d, "PUBLICADOS.DAT", 0, |p| set64(p, 691, NIL));
        },
        true,
    ));
    v.push((
        "PUBLICADOS.CON",
        "enlace",
        |d| {
            edit_header(d, "PUBLICADOS.CON", |h| h.control[1] = 0);
        },
        true,
    ));
    for f in ["PUBLICADOS.NTX_1", "PUBLICADOS.NTX_2"] {
        v.push((
            f,
            "enlace",
            if f.ends_with('1') {
                (|d: &Path| {
                    let root = read_header(d, "PUBLICADOS.CON").control[1];
                    edit_slot(d, "PUBLICADOS.NTX_1", root, |p| set64(p, 16, NIL));
                }) as Damage
            } else {
                |d: &Path| {
                    let root = read_header(d, "PUBLICADOS.CON").control[2];
                    edit_slot(d, "PUBLICADOS.NTX_2", root, |p| set64(p, 24, NIL));
                }
            },
            true,
        ));
    }
    v.push((
        "VENTAS.CON",
        "enlace",
        |d| {
            // The buyer with two purchases: the head's last item pointer.
            let h = find_slot(d, "VENTAS.CON", |p| get64(p, 40) == 2);
            edit_slot(d, "VENTAS.CON", h, |p| set64(p, 32, get64(p, 24)));
        },
        true,
    ));
    v.push((
        "VENTAS.DAT",
        "enlace",
        |d| {
            let first = find_slot(d, "VENTAS.DAT", |p| get64(p, 8) != NIL);
            edit_slot(d, "VENTAS.DAT", first, |p| set64(p, 8, NIL));
        },
        true,
    ));
    v.push((
        "MENSAJES.NTX",
        "enlace",
        |d| {
            edit_slot(d, "MENSAJES.NTX", 0, |p| set64(p, 24, NIL));
        },
        true,
    ));
    v.push((
        "MENSAJES.DAT",
        "enlace",
        |d| {
            let first = find_slot(d, "MENSAJES.DAT", |p| get64(p, 8) != NIL);
            edit_slot(d, "MENSAJES.DAT", first, |p| set64(p, 8, NIL));
        },
        true,
    ));
    v.push((
        "MENSAJES.CON",
        "enlace",
        |d| {
            // The deleted-messages list pointed at a live message.
            edit_header(d, "MENSAJES.CON", |h| {
                h.control[4] = 0;
                h.control[5] = 1;
            });
        },
        true,
    ));
    v.push((
        "MOVIMIENTOS.DAT",
        "enlace",
        |d| {
            // A movement credited to another user: the ledger itself is wrong; nothing can tell
            // whose it was.
            edit_slot(d, "MOVIMIENTOS.DAT", 0, |p| set64(p, 0, 3));
        },
        false,
    ));
    v.push((
        "FACTURAS.DAT",
        "enlace",
        |d| {
            edit_slot(d, "FACTURAS.DAT", 0, |p| set64(p, 8, 1));
        },
        false,
    ));
    // Counters.
    v.push((
        "USUARIOS.CON",
        "contador",
        |d| edit_header(d, "USUARIOS.CON", |h| h.control[1] = 1),
        true,
    ));
    v.push((
        "CATEGORIAS.CON",
        "contador",
        |d| edit_header(d, "CATEGORIAS.CON", |h| h.control[2] += 1),
        true,
    ));
    v.push((
        "PUBLICADOS.CON",
        "contador",
        |d| edit_header(d, "PUBLICADOS.CON", |h| h.control[0] -= 1),
        true,
    ));
    v.push((
        "MENSAJES.CON",
        "contador",
        |d| edit_header(d, "MENSAJES.CON", |h| h.control[1] += 3),
        true,
    ));
    for f in [
        "USUARIOS.DAT",
        "CATEGORIAS.DAT",
        "PUBLICADOS.DAT",
        "PUBLICADOS.NTX_1",
        "PUBLICADOS.NTX_2",
        "VENTAS.CON",
        "VENTAS.DAT",
        "MENSAJES.NTX",
        "MENSAJES.DAT",
        "MOVIMIENTOS.DAT",
        "FACTURAS.DAT",
        "EVENTOS.DAT",
    ] {
        v.push((f, "contador", live_count_damage(f), true));
    }
    // Records (a checksum that fails): derived records come back, base records are listed.
    v.push((
        "PUBLICADOS.NTX_1",
        "registro",
        |d| smash_slot(d, "PUBLICADOS.NTX_1", 3),
        true,
    ));
    v.push((
        "PUBLICADOS.NTX_2",
        "registro",
        |d| smash_slot(d, "PUBLICADOS.NTX_2", 5),
        true,
    ));
    v.push((
        "VENTAS.CON",
        "registro",
        |d| smash_slot(d, "VENTAS.CON", 0),
        true,
    ));
    v.push((
        "USUARIOS.DAT",
        "registro",
        |d| {
            // An empty home bucket holds no user: it is rebuilt empty.
            let p = find_slot(d, "USUARIOS.DAT", |p| p[0] == 0);
            smash_slot(d, "USUARIOS.DAT", p);
        },
        true,
    ));
    for (f, pos) in [
        ("CATEGORIAS.DAT", 2u64),
        ("PUBLICADOS.DAT", 5),
        ("VENTAS.DAT", 1),
        ("MENSAJES.NTX", 1),
        ("MENSAJES.DAT", 2),
        ("MOVIMIENTOS.DAT", 1),
        ("FACTURAS.DAT", 0),
        ("EVENTOS.DAT", 4),
    ] {
        v.push((f, "registro", record_damage(f, pos), false));
    }
    v
}

macro_rules! per_file {
    ($name:ident, $body:expr) => {
        fn $name(f: &'static str) -> Damage {
            match f {
                "USUARIOS.DAT" => |d| $body(d, "USUARIOS.DAT"),
                "USUARIOS.CON" => |d| $body(d, "USUARIOS.CON"),
                "CATEGORIAS.DAT" => |d| $body(d, "CATEGORIAS.DAT"),
                "CATEGORIAS.CON" => |d| $body(d, "CATEGORIAS.CON"),
                "PUBLICADOS.DAT" => |d| $body(d, "PUBLICADOS.DAT"),
                "PUBLICADOS.CON" => |d| $body(d, "PUBLICADOS.CON"),
                "PUBLICADOS.NTX_1" => |d| $body(d, "PUBLICADOS.NTX_1"),
                "PUBLICADOS.NTX_2" => |d| $body(d, "PUBLICADOS.NTX_2"),
                "VENTAS.CON" => |d| $body(d, "VENTAS.CON"),
                "VENTAS.DAT" => |d| $body(d, "VENTAS.DAT"),
                "MENSAJES.NTX" => |d| $body(d, "MENSAJES.NTX"),
                "MENSAJES.DAT" => |d| $body(d, "MENSAJES.DAT"),
                "MENSAJES.CON" => |d| $body(d, "MENSAJES.CON"),
                "MOVIMIENTOS.DAT" => |d| $body(d, "MOVIMIENTOS.DAT"),
                "FACTURAS.DAT" => |d| $body(d, "FACTURAS.DAT"),
                "EVENTOS.DAT" => |d| $body(d, "EVENTOS.DAT"),
                "USUARIOS.IDS" => |d| $body(d, "USUARIOS.IDS"),
                "PRESENCIA.DAT" => |d| $body(d, "PRESENCIA.DAT"),
                _ => panic!("{f}"),
            }
        }
    };
}

per_file!(header_damage, |d: &Path, f: &str| {
    let path = d.join(f);
    let mut b = std::fs::read(&path).unwrap();
    b[20] ^= 0x01; // inside the slot count: the header checksum no longer matches
    std::fs::write(&path, b).unwrap();
});
per_file!(live_count_damage, |d: &Path, f: &str| edit_header(
    d,
    f,
    |h| h.live_count += 1
));

fn record_damage(f: &'static str, pos: u64) -> Damage {
    macro_rules! at {
        ($file:literal, $pos:literal) => {
            |d: &Path| smash_slot(d, $file, $pos)
        };
    }
    match (f, pos) {
        ("CATEGORIAS.DAT", 2) => at!("CATEGORIAS.DAT", 2),
        ("PUBLICADOS.DAT", 5) => at!("PUBLICADOS.DAT", 5),
        ("VENTAS.DAT", 1) => at!("VENTAS.DAT", 1),
        ("MENSAJES.NTX", 1) => at!("MENSAJES.NTX", 1),
        ("MENSAJES.DAT", 2) => at!("MENSAJES.DAT", 2),
        ("MOVIMIENTOS.DAT", 1) => at!("MOVIMIENTOS.DAT", 1),
        ("FACTURAS.DAT", 0) => at!("FACTURAS.DAT", 0),
        ("EVENTOS.DAT", 4) => at!("EVENTOS.DAT", 4),
        _ => panic!("{f} {pos}"),
    }
}

fn copy_share(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.join("FOTOS")).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
    for e in std::fs::read_dir(from.join("FOTOS")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join("FOTOS").join(e.file_name())).unwrap();
    }
}

#[test]
fn every_file_damaged_four_ways_is_named_by_check_and_repaired_where_the_files_tell() {
    setup();
    let root = tmp("matriz");
    let base = root.join("plantilla");
    std::fs::create_dir_all(&base).unwrap();
    template(&base);
    let want = fingerprint(&Market::open(&base, false).unwrap());
    let quiet = |_: &Progress| {};
    let mut failures = Vec::new();
    for (i, (file, kind, damage, repairable)) in cases().into_iter().enumerate() {
        let dir = root.join(format!("caso{i:02}"));
        copy_share(&base, &dir);
        damage(&dir);
        let what = format!("{file} ({kind})");
        let m = match Market::open(&dir, false) {
            Ok(m) => m,
            Err(e) => {
                failures.push(format!("{what}: the share does not open for check: {e}"));
                continue;
            }
        };
        let r = match m.check() {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{what}: check could not run: {e}"));
                continue;
            }
        };
        let text = r.to_text();
        if r.ok {
            failures.push(format!("{what}: check found nothing"));
            continue;
        }
        if !text.contains(file) {
            failures.push(format!("{what}: check does not name the file:\n{text}"));
        }
        let admin = m.authenticate(ADMIN_EMAIL, ADMIN_PW).ok();
        let rep = match m.repair(admin.as_ref(), &quiet) {
            Ok(rep) => rep,
            Err(e) => {
                failures.push(format!("{what}: repair failed: {e}\n{text}"));
                continue;
            }
        };
        if repairable {
            if !rep.after.ok {
                failures.push(format!(
                    "{what}: check still finds problems after repair:\n{}\nbefore:\n{text}",
                    rep.to_text()
                ));
                continue;
            }
            let got = fingerprint(&Market::open(&dir, false).unwrap());
            if got != want {
                let diff: Vec<String> = want
                    .iter()
                    .filter(|(k, v)| got.get(*k) != Some(*v))
                    .map(|(k, v)| format!("{k}: {v} → {:?}", got.get(k)))
                    .chain(
                        got.keys()
                            .filter(|k| !want.contains_key(*k))
                            .map(|k| format!("{k}: new")),
                    )
                    .collect();
                failures.push(format!("{what}: repair lost or changed records: {diff:#?}"));
            }
        } else if rep.cannot.is_empty() {
            failures.push(format!(
                "{what}: repair does not say what it cannot rebuild:\n{}",
                rep.to_text()
            ));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    let _ = std::fs::remove_dir_all(&root);
    assert!(
        failures.is_empty(),
        "{} cases failed:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The console: `check` exits 4 naming the file; `repair` asks the administrator to confirm
/// (and does nothing without it), then repairs; `check` exits 0 after it.
#[test]
fn console_check_and_repair() {
    setup();
    let dir = tmp("consola");
    template(&dir);
    edit_header(&dir, "USUARIOS.CON", |h| h.control[1] = 1);
    let run = |args: &[&str], input: &str| {
        use std::io::Write;
        let mut c = std::process::Command::new(BIN)
            .arg("--share")
            .arg(&dir)
            .args(args)
            .env("VENTALIBRE_KDF_ROUNDS", "1000")
            .env("VENTALIBRE_PASSWORD", ADMIN_PW)
            .env_remove("VENTALIBRE_SHARE")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        c.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        c.wait_with_output().unwrap()
    };
    let o = run(&["check"], "");
    assert_eq!(o.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&o.stdout).contains("USUARIOS.DAT"));
    let o = run(&["repair"], "no\n");
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        run(&["check"], "").status.code(),
        Some(4),
        "repair ran without confirmation"
    );
    let o = run(&["repair"], "si\n");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("último id de usuario corregido"));
    assert_eq!(run(&["check"], "").status.code(), Some(0));
    // A backup from the console, and restoring it (confirmed).
    let copy = dir.with_extension("copia");
    let _ = std::fs::remove_dir_all(&copy);
    let o = run(&["backup", copy.to_str().unwrap()], "");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("La copia pasó la revisión"));
    let o = run(&["restore", copy.to_str().unwrap()], "no\n");
    assert_eq!(o.status.code(), Some(1));
    let o = run(&["restore", copy.to_str().unwrap()], "si\n");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(run(&["check"], "").status.code(), Some(0));
    // A control file emptied: `init` refuses it, `repair` makes it again.
    std::fs::write(dir.join("VENTALIBRE.CTL"), b"").unwrap();
    assert_eq!(run(&["init"], "").status.code(), Some(4));
    let o = run(&["repair", "--si"], "");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("VENTALIBRE.CTL: reconstruido"));
    assert_eq!(run(&["check"], "").status.code(), Some(0));
    // The version record's header damaged: the share does not open (exit 4, naming the file);
    // `repair` makes the record again.
    let mut raw = std::fs::read(dir.join("VERSION.DAT")).unwrap();
    raw[100..108].copy_from_slice(&[0xff; 8]);
    std::fs::write(dir.join("VERSION.DAT"), &raw).unwrap();
    let o = run(&["check"], "");
    assert_eq!(o.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&o.stderr).contains("VERSION.DAT"));
    let o = run(&["repair", "--si"], "");
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("VERSION.DAT: registro de versión rehecho")
    );
    assert_eq!(run(&["check"], "").status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&copy);
    let _ = std::fs::remove_dir_all(&dir);
}
