//! The console front end: `ventalibre [--share DIR] [--json] [--user EMAIL] COMMAND ...`.
//! Each command is a thin call of the domain; this module only parses, asks for passwords and
//! prints. Exit codes: 0 done, 1 refused, 2 usage, 3 share busy/unreachable, 4 share damaged.

pub mod args;

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};

use crate::domain::account::{NewUser, ProfileChanges};
use crate::domain::catalog::{
    BrowseFilter, NewPublication, PublicationChanges, PublicationView, SortOrder, datetime_of_ms,
    parse_date,
};
use crate::domain::check::{Tree, tree_text};
use crate::domain::market::ADMIN_EMAIL;
use crate::domain::money::parse_percent;
use crate::domain::reports::{REPORTS, ReportParams};
use crate::domain::{
    DResult, DomainError, Invoice, Kind, Market, Rating, Session, format_cents, parse_cents,
    photos, provinces,
};
use args::*;

/// Set by `check` when it found damage (exit code 4 after printing the report).
static DAMAGED: AtomicBool = AtomicBool::new(false);

/// The share folder: `--share`, else `VENTALIBRE_SHARE`, else `./shared_me`.
pub fn share_dir(flag: Option<&Path>) -> PathBuf {
    if let Some(d) = flag {
        return d.to_path_buf();
    }
    match std::env::var_os("VENTALIBRE_SHARE") {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => PathBuf::from("shared_me"),
    }
}

/// On the embedded default share (no `--share`, no `VENTALIBRE_SHARE`, and `./shared_me`
/// is the project's folder, with its README), makes the demo shop on first start: the data is
/// not in version control (`shared_me/README.md`).
pub fn prepare_embedded_share(flag: Option<&Path>) {
    if flag.is_some() || std::env::var_os("VENTALIBRE_SHARE").is_some_and(|v| !v.is_empty()) {
        return;
    }
    let dir = share_dir(None);
    if !dir.join("README.md").exists() || dir.join("VENTALIBRE.CTL").exists() {
        return;
    }
    eprintln!(
        "Primer uso: preparando la tienda de demostración en {} (unos segundos)…",
        dir.display()
    );
    match crate::domain::demo::embedded::prepare(&dir) {
        Ok(Some(s)) => eprintln!(
            "Lista: {} usuarios (clave {}), {} publicaciones. Administración: {} / {}.",
            s.users,
            crate::domain::demo::DEMO_PASSWORD,
            s.publications,
            ADMIN_EMAIL,
            crate::domain::market::ADMIN_DEFAULT_PASSWORD
        ),
        Ok(None) => {}
        Err(e) => eprintln!("ventalibre: no se pudo preparar la tienda de demostración: {e}"),
    }
}

/// Runs a parsed command line; returns the exit code.
pub fn run(cli: Cli, command: Command) -> i32 {
    let json = cli.json;
    match execute(&cli, command) {
        Ok((value, text)) => {
            // A closed pipe (`ventalibre tree seller | head`) is not an error of ours.
            let mut stdout = std::io::stdout().lock();
            let _ = if json {
                writeln!(stdout, "{value}")
            } else if text.is_empty() {
                Ok(())
            } else if text.ends_with('\n') {
                write!(stdout, "{text}")
            } else {
                writeln!(stdout, "{text}")
            };
            if DAMAGED.load(Ordering::Relaxed) {
                4
            } else {
                0
            }
        }
        Err(e) => {
            let code = e.exit_code();
            eprintln!("ventalibre: {e}");
            if json {
                println!("{}", json!({ "error": e.to_string(), "exit": code }));
            }
            code
        }
    }
}

type Out = DResult<(Value, String)>;

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn done(msg: impl Into<String>) -> Out {
    let m = msg.into();
    Ok((json!({ "ok": true, "message": m }), m))
}

fn invalid(msg: impl Into<String>) -> DomainError {
    DomainError::Invalid(msg.into())
}

/// Reads a password: from `var`, else a prompt without echo on a terminal.
fn password(var: &str, prompt: &str) -> DResult<String> {
    if let Ok(p) = std::env::var(var) {
        return Ok(p);
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| invalid(format!("no se pudo leer la clave: {e}")))?;
        let l = line.trim_end_matches(['\n', '\r']).to_string();
        if l.is_empty() {
            return Err(invalid(format!(
                "falta la clave: defina {var} o escríbala en la entrada"
            )));
        }
        return Ok(l);
    }
    eprint!("{prompt}: ");
    let _ = std::io::stderr().flush();
    let echo_off = cfg!(unix)
        && std::process::Command::new("stty")
            .arg("-echo")
            .stdin(std::process::Stdio::inherit())
            .status()
            .is_ok_and(|s| s.success());
    let mut line = String::new();
    let r = stdin.lock().read_line(&mut line);
    if echo_off {
        let _ = std::process::Command::new("stty")
            .arg("echo")
            .stdin(std::process::Stdio::inherit())
            .status();
        eprintln!();
    }
    r.map_err(|e| invalid(format!("no se pudo leer la clave: {e}")))?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

fn session(m: &Market, cli: &Cli) -> DResult<Session> {
    let Some(email) = &cli.user else {
        return Err(DomainError::Denied(
            "esta operación necesita un usuario registrado: indique --user EMAIL".into(),
        ));
    };
    let p = password("VENTALIBRE_PASSWORD", &format!("Clave de {email}"))?;
    m.authenticate(email, &p)
}

fn admin_session(m: &Market, email: Option<&str>) -> DResult<Session> {
    let email = email.unwrap_or(ADMIN_EMAIL);
    let p = password("VENTALIBRE_PASSWORD", &format!("Clave de {email}"))?;
    let s = m.authenticate(email, &p)?;
    if !s.admin {
        return Err(DomainError::Denied(
            "solo la administración puede hacer esto".into(),
        ));
    }
    Ok(s)
}

fn province(s: &str) -> DResult<u8> {
    provinces::parse(s).ok_or_else(|| {
        invalid(format!(
            "«{s}» no es una provincia: use un código de 0 a 23 o el nombre"
        ))
    })
}

fn photo(p: &Option<PathBuf>) -> DResult<Option<Vec<u8>>> {
    p.as_deref().map(photos::read_photo_file).transpose()
}

fn kind(k: KindArg) -> Kind {
    match k {
        KindArg::Used => Kind::Used,
        KindArg::New => Kind::New,
    }
}

fn pub_line(p: &PublicationView) -> String {
    format!(
        "{:>6}  {:<40}  $ {:>12}  {:<6}  {:<10}  {} ({})",
        p.id,
        p.title.chars().take(40).collect::<String>(),
        p.price,
        p.kind.label(),
        p.state_label,
        p.seller_name,
        p.seller_province_name
    )
}

fn pub_detail(p: &PublicationView) -> String {
    let mut s = format!(
        "Publicación {}: {}\n{}\nPrecio: $ {}   Tipo: {}   Estado: {}\nCategoría: {} ({})\nVendedor: {} <{}>, {}\nPublicada: {}   Cierre: {}\n",
        p.id,
        p.title,
        p.description,
        p.price,
        p.kind.label(),
        p.state_label,
        p.category_name,
        p.category,
        p.seller_name,
        p.seller_email,
        p.seller_province_name,
        datetime_of_ms(p.published_ms),
        p.closes
    );
    if let Some(b) = &p.buyer_name {
        s.push_str(&format!(
            "Comprador: {b}   Calificación: {}   Comisión: $ {} ({})\n",
            p.rating.map_or("-", |r| r.label()),
            p.commission.clone().unwrap_or_default(),
            if p.commission_collected == Some(true) {
                "cobrada"
            } else {
                "pendiente"
            }
        ));
    }
    if let Some(ph) = &p.photo {
        s.push_str(&format!("Foto: {}/{ph}\n", photos::PHOTOS_DIR));
    }
    s
}

fn invoice_text(i: &Invoice) -> String {
    format!(
        "FACTURA N.º {:08}\nFecha: {}\n\nVendedor: {} <{}> (usuario {})\nComprador: {} <{}> (usuario {})\nDomicilio: {}\n\n\
         Cant.  Artículo                                   P. unitario        Total\n\
         {:>5}  {:<40}  {:>12}  {:>12}\n\n\
         Total: $ {}\nComisión VentaLibre ({} %, a cargo del vendedor): $ {}\nPublicación {} — marca de tiempo lógica {}\n",
        i.number,
        datetime_of_ms(i.issued_ms),
        i.seller_name,
        i.seller_email,
        i.seller_id,
        i.buyer_name,
        i.buyer_email,
        i.buyer_id,
        i.buyer_address,
        i.quantity,
        i.title.chars().take(40).collect::<String>(),
        format_cents(i.unit_price),
        format_cents(i.total),
        format_cents(i.total),
        format_cents(i.commission_bp as i64),
        format_cents(i.commission),
        i.pub_id,
        i.lamport
    )
}

fn execute(cli: &Cli, command: Command) -> Out {
    let dir = share_dir(cli.share.as_deref());
    // Only `init` and `demo` create a share; everything else needs one.
    let create = matches!(command, Command::Init | Command::Demo { .. });
    let m = Market::open(&dir, create)?;
    match command {
        Command::Init => {
            let n = m.user_count()?;
            Ok((
                json!({ "share": dir.display().to_string(), "users": n }),
                format!("Carpeta lista: {} ({n} usuarios)", dir.display()),
            ))
        }
        Command::Register {
            email,
            name,
            address,
            province: prov,
            phone,
            photo: ph,
        } => {
            let province = province(&prov)?;
            let photo = photo(&ph)?;
            let p = password("VENTALIBRE_PASSWORD", "Clave nueva")?;
            let u = m.register(NewUser {
                email,
                password: p,
                name,
                address,
                province,
                phone: phone.unwrap_or_default(),
                photo,
            })?;
            Ok((
                to_value(&u),
                format!("Usuario {} registrado con el id {}", u.email, u.id),
            ))
        }
        Command::Login => {
            let email = cli
                .user
                .clone()
                .ok_or_else(|| invalid("indique --user EMAIL"))?;
            let p = password("VENTALIBRE_PASSWORD", &format!("Clave de {email}"))?;
            let s = m.login(&email, &p)?;
            Ok((
                to_value(&s),
                format!(
                    "Bienvenido/a, {}{}",
                    s.name,
                    if s.admin { " (administración)" } else { "" }
                ),
            ))
        }
        Command::Logout => {
            let s = session(&m, cli)?;
            m.logout(&s)?;
            done("Sesión cerrada")
        }
        Command::Passwd => {
            let s = session(&m, cli)?;
            let old = password("VENTALIBRE_PASSWORD", "Clave actual")?;
            let new = password("VENTALIBRE_NEW_PASSWORD", "Clave nueva")?;
            m.change_password(&s, &old, &new)?;
            done("Clave cambiada")
        }
        Command::Profile(a) => {
            let s = session(&m, cli)?;
            let changes = ProfileChanges {
                name: a.name,
                address: a.address,
                province: a.province.as_deref().map(province).transpose()?,
                phone: a.phone,
                photo: photo(&a.photo)?,
            };
            let nothing = changes.name.is_none()
                && changes.address.is_none()
                && changes.province.is_none()
                && changes.phone.is_none()
                && changes.photo.is_none();
            let u = if nothing {
                m.me(&s)?
            } else {
                m.update_profile(&s, changes)?
            };
            let text = format!(
                "{} <{}> (usuario {})\nDomicilio: {}, {}\nTeléfono: {}\nAlta: {}   Última conexión: {}   {}\nSaldo: $ {}\n",
                u.name,
                u.email,
                u.id,
                u.address,
                u.province_name,
                if u.phone.is_empty() { "-" } else { &u.phone },
                datetime_of_ms(u.created_ms),
                datetime_of_ms(u.last_login_ms),
                if u.online {
                    "en línea"
                } else {
                    "desconectado"
                },
                u.balance
            );
            Ok((to_value(&u), text))
        }
        Command::Unregister => {
            let s = session(&m, cli)?;
            let p = password("VENTALIBRE_PASSWORD", "Confirme su clave")?;
            m.unregister(&s, &p)?;
            done(format!("La cuenta {} fue dada de baja", s.email))
        }
        Command::Categories => {
            let cats = m.categories()?;
            let mut t =
                String::from(" Clave  Categoría                         Comisión  Publicaciones\n");
            for c in &cats {
                t.push_str(&format!(
                    "{:>6}  {:<32}  {:>6} %  {:>13}\n",
                    c.key, c.name, c.commission, c.publications
                ));
            }
            Ok((to_value(&cats), t))
        }
        Command::Provinces => {
            let v: Vec<Value> = provinces::PROVINCES
                .iter()
                .enumerate()
                .map(|(i, n)| json!({ "code": i, "name": n }))
                .collect();
            let t: String = provinces::PROVINCES
                .iter()
                .enumerate()
                .map(|(i, n)| format!("{i:>2}  {n}\n"))
                .collect();
            Ok((Value::Array(v), t))
        }
        Command::Category(c) => {
            let s = session(&m, cli)?;
            match c {
                CategoryCmd::Add { name, commission } => {
                    let key = m.add_category(&s, &name, parse_percent(&commission)?)?;
                    Ok((json!({ "key": key }), format!("Categoría {key} creada")))
                }
                CategoryCmd::Edit {
                    key,
                    name,
                    commission,
                } => {
                    let bp = commission.as_deref().map(parse_percent).transpose()?;
                    m.edit_category(&s, key, name.as_deref(), bp)?;
                    done(format!("Categoría {key} modificada"))
                }
                CategoryCmd::Delete { key } => {
                    m.delete_category(&s, key)?;
                    done(format!("Categoría {key} borrada"))
                }
            }
        }
        Command::Publish {
            category,
            title,
            description,
            price,
            kind: k,
            closes,
            photo: ph,
        } => {
            let price = parse_cents(&price)?;
            let closes = parse_date(&closes)?;
            let photo = photo(&ph)?;
            let s = session(&m, cli)?;
            let id = m.publish(
                &s,
                NewPublication {
                    category,
                    title,
                    description,
                    price,
                    kind: kind(k),
                    closes,
                    photo,
                },
            )?;
            Ok((json!({ "id": id }), format!("Publicación {id} creada")))
        }
        Command::Publication(PublicationCmd::Show { id }) => {
            let p = m.publication(id)?;
            let r = m.seller_rating(p.seller_id)?;
            let mut v = to_value(&p);
            v["seller_rating"] = to_value(&r);
            let text = format!(
                "{}Calificaciones del vendedor: {} recomendable, {} neutral, {} no recomendable\n",
                pub_detail(&p),
                r.recommend,
                r.neutral,
                r.not_recommend
            );
            Ok((v, text))
        }
        Command::Publication(PublicationCmd::Edit { id, changes: a }) => {
            let c = PublicationChanges {
                category: a.category,
                title: a.title,
                description: a.description,
                price: a.price.as_deref().map(parse_cents).transpose()?,
                kind: a.kind.map(kind),
                closes: a.closes.as_deref().map(parse_date).transpose()?,
                photo: photo(&a.photo)?,
            };
            let s = session(&m, cli)?;
            m.edit_publication(&s, id, c)?;
            done(format!("Publicación {id} modificada"))
        }
        Command::Pause { id } => {
            let s = session(&m, cli)?;
            m.pause(&s, id)?;
            done(format!("Publicación {id} pausada"))
        }
        Command::Resume { id } => {
            let s = session(&m, cli)?;
            m.resume(&s, id)?;
            done(format!("Publicación {id} reanudada"))
        }
        Command::Cancel { id } => {
            let s = session(&m, cli)?;
            m.cancel(&s, id)?;
            done(format!("Publicación {id} anulada"))
        }
        Command::Mine => {
            let s = session(&m, cli)?;
            let v = m.my_publications(&s)?;
            let mut t = String::new();
            for p in &v {
                t.push_str(&format!(
                    "{:>6}  {}  cierre {}  {:<34}  $ {:>12}  {:<10}  comprador: {}  calificación: {}  comisión: {}\n",
                    p.id,
                    crate::domain::catalog::date_of_ms(p.published_ms),
                    p.closes,
                    p.title.chars().take(34).collect::<String>(),
                    p.price,
                    p.state_label,
                    p.buyer_email.as_deref().unwrap_or("-"),
                    p.rating.map_or("-", |r| r.label()),
                    match (&p.commission, p.commission_collected) {
                        (Some(c), Some(true)) => format!("$ {c} cobrada"),
                        (Some(c), _) => format!("$ {c} pendiente"),
                        _ => "-".into(),
                    }
                ));
            }
            if v.is_empty() {
                t.push_str("(no tiene publicaciones)\n");
            }
            Ok((to_value(&v), t))
        }
        Command::Browse {
            category,
            kind: k,
            province: prov,
            sort,
            search,
        } => {
            let f = BrowseFilter {
                category,
                kind: k.map(kind),
                province: prov.as_deref().map(province).transpose()?,
                sort: match sort {
                    SortArg::Newest => SortOrder::Newest,
                    SortArg::PriceAsc => SortOrder::PriceAsc,
                    SortArg::PriceDesc => SortOrder::PriceDesc,
                },
                search,
            };
            let v = m.browse(&f)?;
            let mut t: String = v.iter().map(|p| pub_line(p) + "\n").collect();
            t.push_str(&format!("{} publicaciones\n", v.len()));
            Ok((to_value(&v), t))
        }
        Command::Ask { id, text } => {
            let s = session(&m, cli)?;
            let n = m.ask(&s, id, &text)?;
            Ok((json!({ "message": n }), format!("Pregunta {n} enviada")))
        }
        Command::Answer { id, buyer, text } => {
            let s = session(&m, cli)?;
            let n = m.answer(&s, id, &buyer, &text)?;
            Ok((
                json!({ "message": n }),
                format!("Respuesta a la pregunta {n} enviada"),
            ))
        }
        Command::Conversation { id, buyer } => {
            let s = session(&m, cli)?;
            let v = m.conversations(&s, id, buyer.as_deref())?;
            let mut t = String::new();
            for c in &v {
                t.push_str(&format!(
                    "Publicación {} «{}» — {} <{}> con {}\n",
                    c.publication, c.title, c.buyer_name, c.buyer_email, c.seller_name
                ));
                for msg in &c.messages {
                    t.push_str(&format!(
                        "  {:>3}. [{}] P: {}\n",
                        msg.number,
                        datetime_of_ms(msg.asked_ms),
                        msg.question
                    ));
                    match (&msg.answer, msg.answered_ms) {
                        (Some(a), Some(at)) => {
                            t.push_str(&format!("       [{}] R: {a}\n", datetime_of_ms(at)))
                        }
                        _ => t.push_str("       (sin respuesta todavía)\n"),
                    }
                }
            }
            if v.is_empty() {
                t.push_str("(sin conversaciones)\n");
            }
            Ok((to_value(&v), t))
        }
        Command::Conversations => {
            let s = session(&m, cli)?;
            let (asked, received) = m.my_conversations(&s)?;
            let mut t = String::from("Como comprador:\n");
            for c in &asked {
                t.push_str(&format!(
                    "  {:>6} «{}» con {} — {} mensajes, último {}\n",
                    c.publication,
                    c.title,
                    c.seller_name,
                    c.count,
                    datetime_of_ms(c.last_ms)
                ));
            }
            t.push_str("Como vendedor:\n");
            for c in &received {
                t.push_str(&format!(
                    "  {:>6} «{}» de {} <{}> — {} mensajes, {} sin responder, último {}\n",
                    c.publication,
                    c.title,
                    c.buyer_name,
                    c.buyer_email,
                    c.count,
                    c.unanswered,
                    datetime_of_ms(c.last_ms)
                ));
            }
            Ok((
                json!({ "as_buyer": to_value(&asked), "as_seller": to_value(&received) }),
                t,
            ))
        }
        Command::Buy { id } => {
            let s = session(&m, cli)?;
            let p = m.buy(&s, id)?;
            Ok((
                json!({ "sale": p.sale, "invoice": p.invoice }),
                format!("Compra hecha: venta {}, factura {}", p.sale, p.invoice),
            ))
        }
        Command::Rate { sale, rating } => {
            let r = Rating::parse(&rating)
                .ok_or_else(|| invalid(format!("calificación desconocida: {rating}")))?;
            let s = session(&m, cli)?;
            m.rate(&s, sale, r)?;
            done(format!("Venta {sale} calificada: {}", r.label()))
        }
        Command::Purchases => {
            let s = session(&m, cli)?;
            let v = m.purchases(&s)?;
            let mut t = String::new();
            for p in &v {
                t.push_str(&format!(
                    "venta {:>5}  {}  «{}» (publicación {})  vendedor {} <{}>  $ {}  factura {}  {}\n",
                    p.sale,
                    datetime_of_ms(p.sold_ms),
                    p.title,
                    p.publication,
                    p.seller_name,
                    p.seller_email,
                    p.price,
                    p.invoice,
                    p.rating.label()
                ));
            }
            if v.is_empty() {
                t.push_str("(no hizo compras)\n");
            }
            Ok((to_value(&v), t))
        }
        Command::Wallet { op } => {
            let s = session(&m, cli)?;
            let balance = match op {
                None => {
                    let w = m.wallet(&s)?;
                    let mut t = format!("Saldo: $ {}\n", w.balance);
                    for mv in &w.movements {
                        t.push_str(&format!(
                            "  {}  {:<24} {:>14}  saldo {:>14}  {}\n",
                            datetime_of_ms(mv.time_ms),
                            mv.label,
                            mv.amount,
                            mv.balance_after,
                            mv.other.as_deref().unwrap_or("")
                        ));
                    }
                    return Ok((to_value(&w), t));
                }
                Some(WalletCmd::Deposit { amount }) => m.deposit(&s, parse_cents(&amount)?)?,
                Some(WalletCmd::Withdraw { amount }) => m.withdraw(&s, parse_cents(&amount)?)?,
                Some(WalletCmd::Transfer { to, amount }) => {
                    m.transfer(&s, &to, parse_cents(&amount)?)?
                }
            };
            Ok((
                json!({ "balance": format_cents(balance) }),
                format!("Saldo: $ {}", format_cents(balance)),
            ))
        }
        Command::Invoices => {
            let s = session(&m, cli)?;
            let v = m.invoices(&s)?;
            let mut t = String::new();
            for i in &v {
                t.push_str(&format!(
                    "{:08}  {}  «{}»  comprador {}  vendedor {}  $ {}\n",
                    i.number,
                    datetime_of_ms(i.issued_ms),
                    i.title,
                    i.buyer_email,
                    i.seller_email,
                    format_cents(i.total)
                ));
            }
            if v.is_empty() {
                t.push_str("(sin facturas)\n");
            }
            Ok((to_value(&v), t))
        }
        Command::Invoice { number, output } => {
            let s = session(&m, cli)?;
            let i = m.invoice(&s, number)?;
            let text = invoice_text(&i);
            if let Some(path) = output {
                std::fs::write(&path, &text)
                    .map_err(|e| invalid(format!("no se pudo escribir {}: {e}", path.display())))?;
            }
            Ok((to_value(&i), text))
        }
        Command::Admin(a) => admin(&m, cli, a),
        Command::Tree { which } => {
            let levels = m.tree(match which {
                TreeArg::Seller => Tree::Seller,
                TreeArg::Category => Tree::Category,
            })?;
            Ok((json!({ "levels": to_value(&levels) }), tree_text(&levels)))
        }
        Command::Dispersion { block } => {
            if block == 0 {
                return Err(invalid("el tamaño de bloque debe ser al menos 1"));
            }
            let d = m.dispersion(block)?;
            let mut t = format!(
                "Hash de usuarios: {} baldes, {} registros, factor de carga {:.2}, cadena más larga {}, baldes vacíos {}\n\
                 Chi-cuadrado {:.2} con {} grados de libertad (uniforme: cerca de {})\n\nPor balde:\n",
                d.buckets,
                d.records,
                d.load_factor,
                d.longest_chain,
                d.empty_buckets,
                d.chi_square,
                d.degrees_of_freedom,
                d.degrees_of_freedom
            );
            let max = d.chain_lengths.iter().copied().max().unwrap_or(0).max(1);
            for (i, l) in d.chain_lengths.iter().enumerate() {
                t.push_str(&format!(
                    "  {i:>4} {l:>4} {}\n",
                    "#".repeat((l * 40 / max) as usize)
                ));
            }
            t.push_str(&format!("\nPor bloques de {}:\n", d.block_size));
            for (i, b) in d.blocks.iter().enumerate() {
                let lo = i as u64 * d.block_size;
                let hi = (lo + d.block_size - 1).min(d.buckets.saturating_sub(1));
                t.push_str(&format!("  {lo:>4}-{hi:<4} {b:>5}\n"));
            }
            Ok((to_value(&d), t))
        }
        Command::Check => {
            let r = m.check()?;
            if !r.ok {
                // The report is the output; the exit code says the share is damaged.
                DAMAGED.store(true, Ordering::Relaxed);
            }
            Ok((to_value(&r), r.to_text()))
        }
        Command::Demo {
            users,
            publications,
            seed,
        } => {
            let sum = m.demo(users, publications, seed)?;
            Ok((
                to_value(&sum),
                format!(
                    "Generados: {} usuarios (clave {}), {} publicaciones, {} conversaciones, {} ventas",
                    sum.users,
                    crate::domain::demo::DEMO_PASSWORD,
                    sum.publications,
                    sum.conversations,
                    sum.sales
                ),
            ))
        }
    }
}

fn admin(m: &Market, cli: &Cli, a: AdminCmd) -> Out {
    if let AdminCmd::Report {
        name,
        list,
        from,
        to,
        category,
        acting,
        csv,
    } = a
    {
        if list || name.is_none() {
            let t: String = REPORTS
                .iter()
                .map(|(n, d, p)| format!("{n:<28} {d} {p}\n"))
                .collect();
            let v: Vec<Value> = REPORTS
                .iter()
                .map(|(n, d, p)| json!({ "name": n, "description": d, "parameters": p }))
                .collect();
            return Ok((Value::Array(v), t));
        }
        let params = ReportParams {
            from: from.as_deref().map(parse_date).transpose()?,
            to: to.as_deref().map(parse_date).transpose()?,
            user: cli.user.clone(),
            category,
        };
        let s = admin_session(m, acting.as_deref())?;
        let r = m.report(&s, name.as_deref().unwrap_or(""), &params)?;
        if let Some(path) = csv {
            if path.as_os_str() == "-" {
                return Ok((to_value(&r), r.to_csv()));
            }
            std::fs::write(&path, r.to_csv())
                .map_err(|e| invalid(format!("no se pudo escribir {}: {e}", path.display())))?;
        }
        return Ok((to_value(&r), r.to_text()));
    }
    let s = admin_session(m, cli.user.as_deref())?;
    match a {
        AdminCmd::BlockUser { email } => {
            let u = m.set_user_blocked(&s, &email, true)?;
            done(format!("Usuario {} bloqueado", u.email))
        }
        AdminCmd::UnblockUser { email } => {
            let u = m.set_user_blocked(&s, &email, false)?;
            done(format!("Usuario {} desbloqueado", u.email))
        }
        AdminCmd::Block { id } => {
            m.set_publication_blocked(&s, id, true)?;
            done(format!("Publicación {id} bloqueada"))
        }
        AdminCmd::Unblock { id } => {
            m.set_publication_blocked(&s, id, false)?;
            done(format!("Publicación {id} desbloqueada"))
        }
        AdminCmd::Collect => {
            let c = m.collect_commissions(&s)?;
            Ok((
                to_value(&c),
                format!(
                    "Comisiones cobradas: {} ventas, $ {}. Pendientes (saldo insuficiente o cuenta dada de baja): {} ventas, $ {}",
                    c.collected,
                    c.amount,
                    c.pending,
                    format_cents(c.pending_cents)
                ),
            ))
        }
        AdminCmd::Users => {
            let v = m.users(&s)?;
            let t: String = v
                .iter()
                .map(|u| {
                    format!(
                        "{:>6}  {:<36}  {:<28}  {:<22}  {}{}\n",
                        u.id,
                        u.email,
                        u.name.chars().take(28).collect::<String>(),
                        u.province_name,
                        if u.online {
                            "en línea"
                        } else {
                            "desconectado"
                        },
                        if u.blocked { ", BLOQUEADO" } else { "" }
                    )
                })
                .collect();
            Ok((to_value(&v), t))
        }
        AdminCmd::BulkConversations {
            publication,
            users,
            seed,
        } => {
            let n = m.bulk_conversations(&s, publication, users, seed)?;
            Ok((
                json!({ "conversations": n }),
                format!("{n} conversaciones agregadas a la publicación {publication}"),
            ))
        }
        AdminCmd::Events => {
            let v = m.events(&s)?;
            let t: String = v
                .iter()
                .map(|e| {
                    format!(
                        "{:>8}  {}  {:<16}  {:<32}  {:<24} {}\n",
                        e.lamport,
                        datetime_of_ms(e.wall_ms),
                        e.terminal,
                        e.user,
                        e.op,
                        e.detail
                    )
                })
                .collect();
            Ok((to_value(&v), t))
        }
        AdminCmd::Report { .. } => unreachable!("handled above"),
    }
}
