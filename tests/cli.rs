//! The console contract, tested by running the real binary on temporary shares: every command,
//! the refusals and their exit codes, races between processes, and the spec's end-to-end
//! scenario.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_ventalibre");

struct Share(PathBuf);

impl Share {
    fn new(name: &str) -> Share {
        let d = std::env::temp_dir().join(format!("vl-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        let s = Share(d);
        s.ok(None, &["init"]);
        // The initial administrator password must be changed before anything else.
        let mut c = s.cmd(Some(("admin@ventalibre.com.ar", "newton")), &["passwd"]);
        c.env("VENTALIBRE_NEW_PASSWORD", ADMIN.1);
        let o = c.output().unwrap();
        assert_eq!(o.status.code(), Some(0), "passwd: {}", err(&o));
        s
    }

    fn cmd(&self, user: Option<(&str, &str)>, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.arg("--share").arg(&self.0).args(args);
        c.env("VENTALIBRE_KDF_ROUNDS", "1000")
            .env_remove("VENTALIBRE_SHARE")
            .env("VENTALIBRE_TERMINAL", "prueba");
        // Without --user, commands that need a password act as the administrator
        // (`admin report --user X` names the listing's user, the acting admin is the default).
        c.env("VENTALIBRE_PASSWORD", ADMIN.1);
        if let Some((email, pass)) = user {
            c.arg("--user").arg(email).env("VENTALIBRE_PASSWORD", pass);
        }
        c
    }

    fn run(&self, user: Option<(&str, &str)>, args: &[&str]) -> Output {
        self.cmd(user, args).output().unwrap()
    }

    /// Runs with --json; asserts exit 0 and exactly one JSON document.
    fn ok(&self, user: Option<(&str, &str)>, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.push("--json");
        let o = self.run(user, &a);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{args:?}\nstdout: {}\nstderr: {}",
            out(&o),
            err(&o)
        );
        serde_json::from_str(out(&o).trim())
            .unwrap_or_else(|e| panic!("{args:?}: not one JSON document ({e}): {}", out(&o)))
    }

    /// Asserts the exit code and that stderr says something containing `msg`.
    fn refused(&self, user: Option<(&str, &str)>, args: &[&str], code: i32, msg: &str) {
        let o = self.run(user, args);
        assert_eq!(
            o.status.code(),
            Some(code),
            "{args:?}\nstdout: {}\nstderr: {}",
            out(&o),
            err(&o)
        );
        assert!(
            err(&o).to_lowercase().contains(&msg.to_lowercase()),
            "{args:?}: stderr {:?} lacks {msg:?}",
            err(&o)
        );
    }

    fn register(&self, email: &str, pass: &str, province: &str) -> Value {
        let name = format!("Persona {email}");
        let mut c = self.cmd(
            None,
            &[
                "register",
                "--email",
                email,
                "--name",
                &name,
                "--address",
                "Calle 1",
                "--province",
                province,
                "--json",
            ],
        );
        c.env("VENTALIBRE_PASSWORD", pass);
        let o = c.output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", err(&o));
        serde_json::from_str(out(&o).trim()).unwrap()
    }

    fn check_ok(&self) {
        let o = self.run(None, &["check"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "check failed:\n{}{}",
            out(&o),
            err(&o)
        );
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const ADMIN: (&str, &str) = ("admin@ventalibre.com.ar", "clave-de-la-administracion");
const ANA: (&str, &str) = ("ana@example.com", "clave-ana");
const BOB: (&str, &str) = ("bob@example.com", "clave-bob");

fn publish(
    s: &Share,
    who: (&str, &str),
    title: &str,
    desc: &str,
    price: &str,
    kind: &str,
    cat: &str,
) -> u64 {
    let v = s.ok(
        Some(who),
        &[
            "publish",
            "--category",
            cat,
            "--title",
            title,
            "--description",
            desc,
            "--price",
            price,
            "--kind",
            kind,
            "--closes",
            "2099-12-31",
        ],
    );
    v["id"].as_u64().expect("id")
}

fn png(path: &Path) {
    // A 2x2 PNG made with the image crate.
    let img = image::RgbImage::from_fn(2, 2, |x, y| image::Rgb([x as u8 * 200, y as u8 * 200, 90]));
    img.save(path).unwrap();
}

#[test]
fn accounts_and_their_refusals() {
    let s = Share::new("accounts");
    s.ok(None, &["init"]); // idempotent
    let u = s.register("Ana@Example.com", ANA.1, "2");
    assert_eq!(u["email"], "ana@example.com");
    assert_eq!(u["province_name"], "Córdoba");
    // Duplicate email in another case.
    let mut c = s.cmd(
        None,
        &[
            "register",
            "--email",
            "ANA@example.COM",
            "--name",
            "X",
            "--address",
            "Y",
            "--province",
            "1",
        ],
    );
    c.env("VENTALIBRE_PASSWORD", "otra-clave");
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("ya hay una cuenta"));
    // Malformed email, unknown province.
    let mut c = s.cmd(
        None,
        &[
            "register",
            "--email",
            "no-es-email",
            "--name",
            "X",
            "--address",
            "Y",
            "--province",
            "1",
        ],
    );
    c.env("VENTALIBRE_PASSWORD", "otra-clave");
    assert_eq!(c.output().unwrap().status.code(), Some(1));
    let mut c = s.cmd(
        None,
        &[
            "register",
            "--email",
            "z@z.com",
            "--name",
            "X",
            "--address",
            "Y",
            "--province",
            "99",
        ],
    );
    c.env("VENTALIBRE_PASSWORD", "otra-clave");
    assert_eq!(c.output().unwrap().status.code(), Some(1));
    // Photo that is not an image.
    let notimg = s.0.join("foto.jpg");
    std::fs::write(&notimg, b"esto no es una imagen").unwrap();
    let mut c = s.cmd(
        None,
        &[
            "register",
            "--email",
            "f@f.com",
            "--name",
            "F",
            "--address",
            "Y",
            "--province",
            "1",
            "--photo",
        ],
    );
    c.arg(&notimg).env("VENTALIBRE_PASSWORD", "otra-clave");
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(err(&o).contains("no es una imagen"));
    // Login, wrong password, logout.
    let v = s.ok(Some(ANA), &["login"]);
    assert_eq!(v["email"], "ana@example.com");
    let p = s.ok(Some(ANA), &["profile"]);
    assert_eq!(p["online"], true);
    s.refused(
        Some(("ana@example.com", "mala")),
        &["login"],
        1,
        "incorrectos",
    );
    s.ok(Some(ANA), &["logout"]);
    assert_eq!(s.ok(Some(ANA), &["profile"])["online"], false);
    // Profile change with photo, password change.
    let good = s.0.join("foto.png");
    png(&good);
    let v = s.ok(
        Some(ANA),
        &[
            "profile",
            "--phone",
            "+54 351 4444",
            "--address",
            "Belgrano 9",
            "--photo",
            good.to_str().unwrap(),
        ],
    );
    assert_eq!(v["phone"], "+54 351 4444");
    assert!(v["photo"].as_str().unwrap().len() == 64);
    let mut c = s.cmd(Some(ANA), &["passwd"]);
    c.env("VENTALIBRE_NEW_PASSWORD", "clave-nueva");
    assert_eq!(c.output().unwrap().status.code(), Some(0));
    s.refused(Some(ANA), &["profile"], 1, "incorrectos");
    let ana2 = ("ana@example.com", "clave-nueva");
    // Blocked user: told so and stopped.
    s.ok(Some(ADMIN), &["admin", "block-user", "ana@example.com"]);
    s.refused(Some(ana2), &["login"], 1, "bloqueada");
    s.refused(Some(ana2), &["wallet"], 1, "bloqueada");
    let r = s.ok(
        None,
        &[
            "admin",
            "report",
            "usuarios-bloqueados",
            "--as",
            "admin@ventalibre.com.ar",
        ],
    );
    assert_eq!(r["rows"][0][2], "ana@example.com");
    s.ok(Some(ADMIN), &["admin", "unblock-user", "ana@example.com"]);
    s.ok(Some(ana2), &["login"]);
    // Non-admin trying admin commands; guest trying to publish.
    s.register(BOB.0, BOB.1, "1");
    s.refused(
        Some(BOB),
        &["admin", "block-user", "ana@example.com"],
        1,
        "administración",
    );
    s.refused(
        Some(BOB),
        &["category", "add", "Juguetes", "--commission", "5"],
        1,
        "administración",
    );
    s.refused(
        None,
        &[
            "publish",
            "--category",
            "1",
            "--title",
            "t",
            "--description",
            "d",
            "--price",
            "1",
            "--kind",
            "new",
            "--closes",
            "2099-01-01",
        ],
        1,
        "--usuario",
    );
    // Delete account: refused with an article for sale, allowed after cancelling it.
    let id = publish(&s, BOB, "Pelota", "de fútbol", "1000", "new", "6");
    s.refused(Some(BOB), &["unregister"], 1, "publicaciones a la venta");
    s.ok(Some(BOB), &["cancel", &id.to_string()]);
    s.ok(Some(BOB), &["unregister"]);
    s.refused(Some(BOB), &["profile"], 1, "incorrectos");
    let p = s.ok(None, &["provinces"]);
    assert_eq!(p.as_array().unwrap().len(), 24);
    assert_eq!(p[0]["name"], "Capital Federal (CABA)");
    // Usage errors exit 2; a missing share exits 3.
    assert_eq!(s.run(None, &["frobnicate"]).status.code(), Some(2));
    assert_eq!(s.run(None, &["buy"]).status.code(), Some(2));
    let o = Command::new(BIN)
        .args(["--share", "/nonexistent/vl", "categories"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    s.check_ok();
}

#[test]
fn publications_browse_and_their_rules() {
    let s = Share::new("pubs");
    s.register(ANA.0, ANA.1, "2"); // Córdoba
    s.register(BOB.0, BOB.1, "1"); // Buenos Aires
    let photo = s.0.join("p.png");
    png(&photo);
    let v = s.ok(
        Some(ANA),
        &[
            "publish",
            "--category",
            "3",
            "--title",
            "Notebook Lenovo",
            "--description",
            "i5 con cargador",
            "--price",
            "1.500,50",
            "--kind",
            "used",
            "--closes",
            "2099-12-31",
            "--photo",
            photo.to_str().unwrap(),
        ],
    );
    let n1 = v["id"].as_u64().unwrap();
    let n2 = publish(
        &s,
        ANA,
        "Mouse inalámbrico",
        "ideal para notebook",
        "20",
        "new",
        "3",
    );
    let n3 = publish(
        &s,
        BOB,
        "Cargador notebook",
        "universal",
        "35.99",
        "new",
        "3",
    );
    let _n4 = publish(&s, BOB, "Guitarra", "criolla", "500", "used", "2");
    // Malformed price and date.
    s.refused(
        Some(ANA),
        &[
            "publish",
            "--category",
            "3",
            "--title",
            "x",
            "--description",
            "y",
            "--price",
            "abc",
            "--kind",
            "new",
            "--closes",
            "2099-01-01",
        ],
        1,
        "importe",
    );
    s.refused(
        Some(ANA),
        &[
            "publish",
            "--category",
            "3",
            "--title",
            "x",
            "--description",
            "y",
            "--price",
            "10",
            "--kind",
            "new",
            "--closes",
            "31-31-2099",
        ],
        1,
        "fecha",
    );
    s.refused(
        Some(ANA),
        &[
            "publish",
            "--category",
            "3",
            "--title",
            "x",
            "--description",
            "y",
            "--price",
            "10",
            "--kind",
            "new",
            "--closes",
            "2001-01-01",
        ],
        1,
        "ya pasó",
    );
    s.refused(
        Some(ANA),
        &[
            "publish",
            "--category",
            "99",
            "--title",
            "x",
            "--description",
            "y",
            "--price",
            "10",
            "--kind",
            "new",
            "--closes",
            "2099-01-01",
        ],
        1,
        "categoría",
    );
    // Show.
    let p = s.ok(None, &["publication", "show", &n1.to_string()]);
    assert_eq!(p["price"], "1500.50");
    assert_eq!(p["seller_province_name"], "Córdoba");
    assert!(p["photo"].is_string());
    // Browse: category, kind, province, sort, search with name matches first.
    let ids = |v: &Value| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_u64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&s.ok(None, &["browse", "--category", "3", "--sort", "price-asc"])),
        vec![n2, n3, n1]
    );
    assert_eq!(
        ids(&s.ok(None, &["browse", "--category", "3", "--sort", "price-desc"])),
        vec![n1, n3, n2]
    );
    assert_eq!(
        ids(&s.ok(None, &["browse", "--category", "3", "--kind", "used"])),
        vec![n1]
    );
    assert_eq!(
        ids(&s.ok(
            None,
            &["browse", "--category", "3", "--province", "buenos aires"]
        )),
        vec![n3]
    );
    // "notebook" is in the names of n1 and n3 and only in the description of n2.
    let found = ids(&s.ok(
        None,
        &["browse", "--search", "NOTEBOOK", "--sort", "price-asc"],
    ));
    assert_eq!(found, vec![n3, n1, n2]);
    assert!(
        s.ok(None, &["browse", "--search", "inexistente"])["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // State rules: paused can't be edited or cancelled; resume; others can't touch it.
    let id = n2.to_string();
    s.ok(Some(ANA), &["pause", &id]);
    assert!(!ids(&s.ok(None, &["browse", "--category", "3"])).contains(&n2));
    s.refused(
        Some(ANA),
        &["publication", "edit", &id, "--price", "30"],
        1,
        "pausada",
    );
    s.refused(Some(BOB), &["buy", &id], 1, "pausada");
    s.refused(Some(ANA), &["cancel", &id], 1, "pausada");
    s.ok(Some(ANA), &["resume", &id]);
    s.ok(
        Some(ANA),
        &[
            "publication",
            "edit",
            &id,
            "--price",
            "30",
            "--category",
            "1",
        ],
    );
    assert_eq!(s.ok(None, &["publication", "show", &id])["category"], 1);
    s.refused(Some(BOB), &["pause", &id], 1, "solo quien vende");
    // Administrator blocks a publication: no one can buy it; unblocking restores it.
    s.ok(Some(ADMIN), &["admin", "block", &id]);
    assert_eq!(
        s.ok(None, &["publication", "show", &id])["state"],
        "blocked"
    );
    s.refused(Some(ANA), &["resume", &id], 1, "bloqueada");
    s.ok(Some(ADMIN), &["admin", "unblock", &id]);
    assert_eq!(
        s.ok(None, &["publication", "show", &id])["state"],
        "published"
    );
    let mine = s.ok(Some(ANA), &["mine"]);
    assert_eq!(mine.as_array().unwrap().len(), 2);
    // Categories: one with articles can be neither changed nor deleted.
    s.refused(Some(ADMIN), &["category", "delete", "3"], 1, "tiene");
    s.refused(
        Some(ADMIN),
        &["category", "edit", "3", "--name", "Otra"],
        1,
        "tiene",
    );
    let k = s.ok(
        Some(ADMIN),
        &["category", "add", "Juguetes", "--commission", "7,5"],
    )["key"]
        .as_u64()
        .unwrap();
    s.ok(
        Some(ADMIN),
        &["category", "edit", &k.to_string(), "--commission", "8"],
    );
    let cats = s.ok(None, &["categories"]);
    assert!(
        cats.as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "Juguetes" && c["commission"] == "8.00")
    );
    s.ok(Some(ADMIN), &["category", "delete", &k.to_string()]);
    s.refused(
        Some(ADMIN),
        &["category", "add", "Electrónica", "--commission", "5"],
        1,
        "ya existe",
    );
    s.refused(
        Some(ADMIN),
        &["category", "add", "X", "--commission", "abc"],
        1,
        "porcentaje",
    );
    s.check_ok();
}

/// The spec's scenario end to end: register, publish with photo, browse with each filter,
/// ask and answer, deposit, buy, invoice, rate, admin reports show it, collect commission.
#[test]
fn explorar_gives_one_page_and_the_total_and_follows_the_share() {
    let s = Share::new("pages");
    s.register(ANA.0, ANA.1, "2");
    let mut ids = Vec::new();
    for (i, price) in ["500", "100", "400", "200", "300"].iter().enumerate() {
        let title = format!("Guitarra {i}");
        ids.push(publish(&s, ANA, &title, "criolla", price, "used", "2"));
    }
    // Prices 100 200 300 400 500 are ids[1] ids[3] ids[4] ids[2] ids[0]: the second page of 2.
    let v = s.ok(
        None,
        &[
            "explorar",
            "--orden",
            "precio-asc",
            "--limite",
            "2",
            "--desde",
            "2",
        ],
    );
    assert_eq!(v["total"], 5);
    assert_eq!(v["offset"], 2);
    let page: Vec<u64> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_u64().unwrap())
        .collect();
    assert_eq!(page, vec![ids[4], ids[2]]);
    // The English aliases, a price range and a plural search.
    let v = s.ok(
        None,
        &[
            "browse",
            "--limit",
            "10",
            "--offset",
            "0",
            "--min-price",
            "200",
            "--max-price",
            "400",
            "--search",
            "guitarras",
        ],
    );
    assert_eq!(v["total"], 3);
    // Text: "3 a 4 de 5 publicaciones".
    let o = s.run(None, &["explorar", "--limite", "2", "--desde", "2"]);
    assert!(out(&o).contains("3 a 4 de 5 publicaciones"), "{}", out(&o));

    // --seguir prints the page again when another process publishes.
    let mut child = s
        .cmd(None, &["explorar", "--seguir", "--limite", "3", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::Builder::new()
        .name("seguir-lines".into())
        .spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        })
        .unwrap();
    let wait = std::time::Duration::from_secs(60);
    let first: Value = serde_json::from_str(&rx.recv_timeout(wait).expect("a first page")).unwrap();
    assert_eq!(first["total"], 5);
    let newest = publish(
        &s,
        ANA,
        "Guitarra eléctrica",
        "con equipo",
        "900",
        "new",
        "2",
    );
    let second: Value = serde_json::from_str(
        &rx.recv_timeout(wait)
            .expect("a second page after the change"),
    )
    .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(second["total"], 6);
    assert_eq!(second["items"][0]["id"].as_u64(), Some(newest));
}

#[test]
fn end_to_end_scenario_of_the_spec() {
    let s = Share::new("e2e");
    s.register(ANA.0, ANA.1, "0");
    s.register(BOB.0, BOB.1, "1");
    let photo = s.0.join("bici.png");
    png(&photo);
    let v = s.ok(
        Some(ANA),
        &[
            "publish",
            "--category",
            "6",
            "--title",
            "Bicicleta rodado 29",
            "--description",
            "cambios Shimano",
            "--price",
            "250000",
            "--kind",
            "used",
            "--closes",
            "2099-06-30",
            "--photo",
            photo.to_str().unwrap(),
        ],
    );
    let id = v["id"].as_u64().unwrap().to_string();
    for f in [
        vec!["browse", "--category", "6"],
        vec!["browse", "--kind", "used"],
        vec!["browse", "--province", "0"],
        vec!["browse", "--sort", "price-desc"],
        vec!["browse", "--search", "shimano"],
    ] {
        let r = s.ok(None, &f);
        assert!(
            r["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["id"].to_string() == id),
            "{f:?}"
        );
    }
    // Ask and answer.
    assert_eq!(
        s.ok(Some(BOB), &["ask", &id, "--text", "¿Tiene luces?"])["message"],
        1
    );
    s.refused(Some(ANA), &["ask", &id, "--text", "hola"], 1, "propia");
    s.refused(
        Some(BOB),
        &["answer", &id, "--buyer", BOB.0, "--text", "x"],
        1,
        "solo quien vende",
    );
    s.ok(
        Some(ANA),
        &[
            "answer",
            &id,
            "--buyer",
            BOB.0,
            "--text",
            "Sí, delantera y trasera",
        ],
    );
    let c = s.ok(Some(BOB), &["conversation", &id]);
    assert_eq!(c[0]["messages"][0]["answer"], "Sí, delantera y trasera");
    // Buying: own article, no money, then deposit and buy.
    s.refused(Some(ANA), &["buy", &id], 1, "propia");
    s.refused(Some(BOB), &["buy", &id], 1, "saldo insuficiente");
    assert_eq!(
        s.ok(Some(BOB), &["wallet", "deposit", "300000"])["balance"],
        "300000.00"
    );
    s.refused(
        Some(BOB),
        &["wallet", "withdraw", "999999"],
        1,
        "saldo insuficiente",
    );
    s.refused(Some(BOB), &["wallet", "deposit", "abc"], 1, "importe");
    let b = s.ok(Some(BOB), &["buy", &id]);
    let (sale, invoice) = (b["sale"].as_u64().unwrap(), b["invoice"].as_u64().unwrap());
    s.refused(Some(BOB), &["buy", &id], 1, "vendida");
    assert_eq!(s.ok(Some(BOB), &["wallet"])["balance"], "50000.00");
    assert_eq!(s.ok(Some(ANA), &["wallet"])["balance"], "250000.00");
    let inv = s.ok(Some(BOB), &["invoice", &invoice.to_string()]);
    assert_eq!(inv["total"], 25_000_000);
    assert_eq!(inv["buyer_email"], BOB.0);
    assert_eq!(inv["commission"], 2_500_000); // Deportes: 10 %
    s.ok(Some(ANA), &["invoice", &invoice.to_string()]); // the seller sees it too
    s.refused(Some(BOB), &["rate", &sale.to_string(), "excelente"], 2, "");
    s.ok(Some(BOB), &["rate", &sale.to_string(), "recommend"]);
    s.refused(
        Some(BOB),
        &["rate", &sale.to_string(), "neutral"],
        1,
        "ya calificó",
    );
    let p = s.ok(Some(BOB), &["purchases"]);
    assert_eq!(p[0]["rating"], "recommend");
    assert_eq!(s.ok(Some(ANA), &["mine"])[0]["buyer_email"], BOB.0);
    // Transfers.
    s.ok(Some(BOB), &["wallet", "transfer", "--to", ANA.0, "1000"]);
    s.refused(
        Some(BOB),
        &["wallet", "transfer", "--to", "nadie@x.com", "1"],
        1,
        "ningún usuario",
    );
    // Admin reports show it.
    let r = s.ok(
        None,
        &[
            "admin",
            "report",
            "ventas-entre-fechas",
            "--from",
            "2000-01-01",
            "--to",
            "2099-12-31",
        ],
    );
    assert_eq!(r["rows"].as_array().unwrap().len(), 1);
    assert_eq!(r["footer"][5], "250000.00");
    assert_eq!(r["footer"][7], "25000.00");
    let r = s.ok(
        None,
        &["admin", "report", "compras-de-usuario", "--user", BOB.0],
    );
    assert_eq!(r["rows"][0][3], "Bicicleta rodado 29");
    let r = s.ok(None, &["admin", "report", "mejores-vendedores"]);
    assert_eq!(r["rows"][0][3], ANA.0);
    let r = s.ok(
        None,
        &[
            "admin",
            "report",
            "ventas-por-calificacion",
            "--from",
            "2000-01-01",
            "--to",
            "2099-12-31",
        ],
    );
    assert_eq!(r["rows"][0][0], "recomendable");
    let r = s.ok(
        None,
        &[
            "admin",
            "report",
            "conversaciones-comprador",
            "--user",
            BOB.0,
        ],
    );
    assert_eq!(r["rows"][0][3], "1");
    let r = s.ok(
        None,
        &[
            "admin",
            "report",
            "publicaciones-de-vendedor",
            "--user",
            ANA.0,
        ],
    );
    assert_eq!(r["rows"][0][5], "vendido");
    let csv = s.0.join("ventas.csv");
    s.ok(
        None,
        &[
            "admin",
            "report",
            "ventas-entre-fechas",
            "--from",
            "2000-01-01",
            "--to",
            "2099-12-31",
            "--csv",
            csv.to_str().unwrap(),
        ],
    );
    assert!(
        std::fs::read_to_string(&csv)
            .unwrap()
            .contains("Bicicleta rodado 29")
    );
    // The CSV opens in a spreadsheet with Argentine settings: BOM, `;`, decimal comma, numbers.
    let bytes = std::fs::read(&csv).unwrap();
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 with a byte-order mark"
    );
    let mut rd = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&bytes[3..]);
    let headers = rd.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    let number = |s: &str| -> f64 {
        assert!(
            !s.contains(['$', '%', '.', ' ']),
            "«{s}» is not a plain number"
        );
        s.replace(',', ".").parse().unwrap()
    };
    assert_eq!(rows.len(), 2, "one sale and the totals");
    assert_eq!(number(&rows[0][col("Importe")]), 250000.0);
    assert_eq!(number(&rows[0][col("Comisión %")]), 10.0);
    assert_eq!(number(&rows[0][col("Comisión")]), 25000.0);
    assert_eq!(number(&rows[1][col("Importe")]), 250000.0);
    let date = &rows[0][col("Fecha")];
    assert!(
        date.len() == 16 && &date[2..3] == "/" && &date[5..6] == "/",
        "dd/mm/aaaa hh:mm: {date}"
    );
    s.refused(
        None,
        &["admin", "report", "ventas-entre-fechas"],
        1,
        "fechas",
    );
    assert_eq!(
        s.ok(None, &["admin", "report", "--list"])
            .as_array()
            .unwrap()
            .len(),
        11
    );
    // Collect the commission: it moves from the seller to VentaLibre.
    let c = s.ok(Some(ADMIN), &["admin", "collect"]);
    assert_eq!(c["collected"], 1);
    assert_eq!(c["amount"], "25000.00");
    assert_eq!(s.ok(Some(ANA), &["wallet"])["balance"], "226000.00");
    assert_eq!(s.ok(Some(ADMIN), &["wallet"])["balance"], "25000.00");
    let r = s.ok(
        None,
        &[
            "admin",
            "report",
            "ventas-entre-fechas",
            "--from",
            "2000-01-01",
            "--to",
            "2099-12-31",
        ],
    );
    assert_eq!(r["rows"][0][8], "cobrada");
    // Events in Lamport order, the tools.
    let ev = s.ok(Some(ADMIN), &["admin", "events"]);
    let times: Vec<u64> = ev
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["lamport"].as_u64().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    assert!(
        ev.as_array()
            .unwrap()
            .iter()
            .any(|e| e["op"] == "compra" && e["terminal"] == "prueba")
    );
    let t = s.ok(None, &["tree", "seller"]);
    assert_eq!(t["levels"][0][0]["key"], 2); // Ana's user id
    let d = s.ok(None, &["dispersion", "--block", "8"]);
    assert_eq!(d["records"], 3);
    assert_eq!(d["blocks"].as_array().unwrap().len(), 10);
    let n = s.ok(
        Some(ADMIN),
        &[
            "admin",
            "bulk-conversations",
            "--publication",
            &id,
            "--users",
            "5",
            "--seed",
            "3",
        ],
    );
    assert_eq!(n["conversations"], 1); // only Bob besides the seller and the administrator
    s.check_ok();
}

#[test]
fn races_between_processes() {
    let s = Share::new("races");
    s.register(ANA.0, ANA.1, "1");
    let buyers: Vec<String> = (0..6)
        .map(|i| format!("comprador{i}@example.com"))
        .collect();
    for b in &buyers {
        s.register(b, "clave-123", "1");
        s.ok(Some((b, "clave-123")), &["wallet", "deposit", "1000"]);
    }
    let id = publish(&s, ANA, "Único", "solo uno", "500", "new", "1").to_string();
    // Six buyers at once: exactly one sale.
    let children: Vec<_> = buyers
        .iter()
        .map(|b| {
            s.cmd(Some((b, "clave-123")), &["buy", &id])
                .spawn()
                .unwrap()
        })
        .collect();
    let codes: Vec<i32> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap().status.code().unwrap())
        .collect();
    assert_eq!(codes.iter().filter(|&&c| c == 0).count(), 1, "{codes:?}");
    assert!(codes.iter().all(|&c| c == 0 || c == 1), "{codes:?}");
    let r = s.ok(
        None,
        &[
            "admin",
            "report",
            "ventas-entre-fechas",
            "--from",
            "2000-01-01",
            "--to",
            "2099-12-31",
        ],
    );
    assert_eq!(r["rows"].as_array().unwrap().len(), 1);
    // Two registrations of one email at once: exactly one account.
    let kids: Vec<_> = (0..4)
        .map(|i| {
            let mut c = s.cmd(
                None,
                &[
                    "register",
                    "--email",
                    "doble@example.com",
                    "--name",
                    &format!("N{i}"),
                    "--address",
                    "a",
                    "--province",
                    "1",
                ],
            );
            c.env("VENTALIBRE_PASSWORD", "clave-123");
            c.spawn().unwrap()
        })
        .collect();
    let codes: Vec<i32> = kids
        .into_iter()
        .map(|c| c.wait_with_output().unwrap().status.code().unwrap())
        .collect();
    assert_eq!(codes.iter().filter(|&&c| c == 0).count(), 1, "{codes:?}");
    // Transfers in a ring at once: the total is conserved.
    let total_before: i64 = buyers
        .iter()
        .map(|b| {
            s.ok(Some((b, "clave-123")), &["wallet"])["balance_cents"]
                .as_i64()
                .unwrap()
        })
        .sum();
    let kids: Vec<_> = (0..buyers.len())
        .flat_map(|i| {
            let from = buyers[i].clone();
            let to = buyers[(i + 1) % buyers.len()].clone();
            (0..3).map(move |_| (from.clone(), to.clone()))
        })
        .map(|(from, to)| {
            s.cmd(
                Some((&from, "clave-123")),
                &["wallet", "transfer", "--to", &to, "10"],
            )
            .spawn()
            .unwrap()
        })
        .collect();
    let codes: Vec<i32> = kids
        .into_iter()
        .map(|c| c.wait_with_output().unwrap().status.code().unwrap())
        .collect();
    assert!(codes.iter().all(|&c| c == 0), "{codes:?}");
    let total_after: i64 = buyers
        .iter()
        .map(|b| {
            s.ok(Some((b, "clave-123")), &["wallet"])["balance_cents"]
                .as_i64()
                .unwrap()
        })
        .sum();
    assert_eq!(total_before, total_after);
    s.check_ok();
}

#[test]
fn check_reports_a_damaged_share_with_exit_4() {
    let s = Share::new("damaged");
    s.register(ANA.0, ANA.1, "1");
    publish(&s, ANA, "Algo", "algo", "10", "new", "1");
    let f = s.0.join("PUBLICADOS.NTX_1");
    let mut bytes = std::fs::read(&f).unwrap();
    let last = bytes.len() - 10;
    bytes[last] ^= 0xff;
    std::fs::write(&f, &bytes).unwrap();
    let o = s.run(None, &["check"]);
    assert_eq!(o.status.code(), Some(4), "{}", out(&o));
    assert!(out(&o).contains("PUBLICADOS.NTX_1"));
    let o = s.run(None, &["tree", "seller"]);
    assert_eq!(o.status.code(), Some(4));
    assert!(err(&o).contains("PUBLICADOS.NTX_1"), "{}", err(&o));
}

#[test]
fn demo_fills_a_share_that_passes_check() {
    let s = Share::new("demo");
    let v = s.ok(
        None,
        &[
            "demo",
            "--users",
            "150",
            "--publications",
            "400",
            "--seed",
            "7",
            "--sin-fotos",
        ],
    );
    assert_eq!(v["users"], 150);
    assert_eq!(v["publications"], 400);
    assert!(v["sales"].as_u64().unwrap() > 0);
    assert!(v["conversations"].as_u64().unwrap() > 0);
    let d = s.ok(None, &["dispersion"]);
    assert_eq!(d["records"], 151);
    assert!(d["longest_chain"].as_u64().unwrap() >= 2);
    s.check_ok();
}

// ---- the console speaks Spanish ---------------------------------------------------------------

/// Words clap writes by default in English (help headings, flag descriptions, error texts).
const CLAP_ENGLISH: &[&str] = &[
    "usage",
    "options",
    "option",
    "arguments",
    "argument",
    "commands",
    "command",
    "subcommand",
    "print",
    "help",
    "default",
    "possible",
    "values",
    "value",
    "information",
    "try",
    "tip",
    "unexpected",
    "found",
    "invalid",
    "required",
    "provided",
    "aliases",
    "alias",
    "similar",
    "exists",
    "missing",
    "the",
    "for",
    "more",
    "not",
    "cannot",
    "used",
    "with",
    "was",
    "were",
];

fn english_words(text: &str) -> Vec<String> {
    // File names are not words (the macOS launcher is VentaLibre.command).
    let lower = text.to_lowercase().replace("ventalibre.command", "");
    let mut found: Vec<String> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| CLAP_ENGLISH.contains(w))
        .map(String::from)
        .collect();
    // clap's placeholders, in any case.
    for p in ["[OPTIONS]", "<COMMAND>", "[COMMAND]"] {
        if text.contains(p) {
            found.push(p.into());
        }
    }
    found
}

#[test]
fn every_help_text_is_in_spanish_with_an_example() {
    let paths = ventalibre::cli::spanish::command_paths();
    assert!(paths.len() > 40, "{} commands", paths.len());
    for path in &paths {
        let help = ventalibre::cli::spanish::help_of(path);
        let bad = english_words(&help);
        assert!(
            bad.is_empty(),
            "ventalibre {path:?} --ayuda has {bad:?}:\n{help}"
        );
        assert!(help.contains("Uso: ventalibre"), "{path:?}:\n{help}");
        assert!(help.contains("-h, --ayuda"), "{path:?}:\n{help}");
        assert!(help.contains("Ejemplo"), "{path:?} has no example:\n{help}");
    }
}

#[test]
fn every_flag_and_argument_is_described() {
    fn walk(c: &clap::Command, path: &str) {
        for a in c.get_arguments() {
            if !a.is_hide_set() {
                assert!(
                    a.get_help()
                        .is_some_and(|h| !h.to_string().trim().is_empty()),
                    "{path}: «{}» has no description",
                    a.get_id()
                );
            }
        }
        for s in c.get_subcommands() {
            assert!(
                s.get_about().is_some(),
                "{path} {} has no description",
                s.get_name()
            );
            walk(s, &format!("{path} {}", s.get_name()));
        }
    }
    walk(&ventalibre::cli::spanish::command(), "ventalibre");
}

#[test]
fn the_binary_prints_spanish_help_and_accepts_help_as_before() {
    for args in [
        &["--ayuda"][..],
        &["--help"],
        &["-h"],
        &["publicar", "--ayuda"],
        &["publish", "--help"],
    ] {
        let o = Command::new(BIN).args(args).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", err(&o));
        let help = out(&o);
        assert!(help.contains("Uso: ventalibre"), "{args:?}:\n{help}");
        assert!(english_words(&help).is_empty(), "{args:?}:\n{help}");
    }
}

#[test]
fn clap_errors_are_in_spanish() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["publicar", "--publication", "3"],
            "argumento inesperado «--publication»",
        ),
        (&["publicr"], "comando desconocido «publicr»"),
        (&["publicar", "--titulo"], "falta el valor de «--titulo"),
        (&["publicar", "--titulo", "x"], "faltan datos obligatorios"),
        (&["explorar", "--tipo", "viejo"], "valor inválido «viejo»"),
        (&["pausar", "abc"], "no es un número entero"),
        (&["pausar", "1", "2"], "argumento inesperado «2»"),
        (&["admin"], "Comandos"),
        (&["calificar", "1", "genial"], "valores posibles"),
        (
            &["billetera", "transferir", "100"],
            "faltan datos obligatorios",
        ),
        (
            &["dispersion", "--bloque", "-3"],
            "argumento inesperado «-3»",
        ),
        (&["--carpeta"], "falta el valor de «--carpeta"),
        (
            &["explorar", "--categoria", "99999999999999999999999"],
            "demasiado grande",
        ),
        (
            &["explorar", "--orden=precio", "--json"],
            "valor inválido «precio»",
        ),
    ];
    for (args, expected) in cases {
        let mut full = vec!["ventalibre"];
        full.extend_from_slice(args);
        let e = ventalibre::cli::spanish::parse_from(full).unwrap_err();
        let text = e.render().to_string();
        assert!(
            text.contains(expected),
            "{args:?}: «{expected}» not in:\n{text}"
        );
        let bad = english_words(&text);
        assert!(bad.is_empty(), "{args:?} has {bad:?}:\n{text}");
    }
    // The binary: exit 2, the message on stderr.
    let o = Command::new(BIN)
        .args(["publicar", "--publication", "3"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).starts_with("error: argumento inesperado «--publication»"),
        "{}",
        err(&o)
    );
    assert!(err(&o).contains("Uso: ventalibre publicar"), "{}", err(&o));
    assert!(english_words(&err(&o)).is_empty(), "{}", err(&o));
}

/// `admin usuarios` is a page of the users by number (JSON: the page, the list's length and
/// the accounts), or what `--buscar` finds.
#[test]
fn admin_users_lists_a_page_by_number_or_what_a_search_finds() {
    let s = Share::new("admin-usuarios");
    s.register(ANA.0, ANA.1, "1");
    s.register(BOB.0, BOB.1, "2");
    let admin = ADMIN;
    let ids = |v: &Value| -> Vec<u64> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_u64().unwrap())
            .collect()
    };
    let v = s.ok(Some(admin), &["admin", "usuarios", "--limite", "2"]);
    assert_eq!(
        (ids(&v), v["total"].as_u64(), v["users"].as_u64()),
        (vec![1, 2], Some(3), Some(3))
    );
    let v = s.ok(Some(admin), &["admin", "usuarios", "--desde", "2"]);
    assert_eq!(ids(&v), vec![3]);
    let v = s.ok(
        Some(admin),
        &["admin", "usuarios", "--buscar", &BOB.0[..3].to_uppercase()],
    );
    assert_eq!((ids(&v), v["total"].as_u64()), (vec![3], Some(1)));
    let o = s.run(Some(admin), &["admin", "usuarios", "--limite", "1"]);
    assert!(
        out(&o).contains("números 1 a 1 de 3 (3 usuarios); siga con --desde 1"),
        "{}",
        out(&o)
    );
    s.refused(Some(ANA), &["admin", "usuarios"], 1, "administración");
}

#[test]
fn a_password_cannot_be_asked_without_a_terminal() {
    let s = Share::new("sin-terminal");
    let o = Command::new(BIN)
        .args(["--carpeta"])
        .arg(&s.0)
        .args(["admin", "usuarios"])
        .env_remove("VENTALIBRE_PASSWORD")
        .env("VENTALIBRE_KDF_ROUNDS", "1000")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err(&o).contains("la entrada no es una terminal"),
        "{}",
        err(&o)
    );
    assert!(err(&o).contains("VENTALIBRE_PASSWORD="), "{}", err(&o));
}

#[test]
fn version_prints_program_and_format() {
    let o = Command::new(BIN).arg("--version").output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let v = out(&o);
    assert!(
        v.starts_with(&format!("VentaLibre {}", env!("CARGO_PKG_VERSION"))),
        "{v}"
    );
    assert!(
        v.contains(&format!(
            "Formato de la carpeta compartida: revisión {}",
            ventalibre::domain::version::FORMAT_REVISION
        )),
        "{v}"
    );
    let o = Command::new(BIN)
        .args(["--version", "--json"])
        .output()
        .unwrap();
    let j: Value = serde_json::from_str(out(&o).trim()).unwrap();
    assert_eq!(j["program"], env!("CARGO_PKG_VERSION"));
    assert_eq!(j["format"], ventalibre::domain::version::FORMAT_REVISION);
}
