//! The console front end: `ventalibre [--share DIR] [--json] [--user EMAIL] COMMAND ...`.
//! `args.rs` is the grammar; each other module is one command area (after mini-redis's
//! `cmd/`): it holds the arguments of its commands and turns each parsed command into a domain
//! call and its output (a JSON value and a text). This module opens the share, dispatches and
//! prints. Exit codes: 0 done, 1 refused, 2 usage, 3 share busy/unreachable, 4 share damaged.
//!
//! # Layout
//!
//! * `args` — global flags and the `Command` enum.
//! * `spanish` — clap in Spanish: help template, `--ayuda`, usage lines, error messages.
//! * `input` — what commands read besides their arguments: passwords, sessions, provinces,
//!   photo files.
//! * `account` — register, login, logout, passwd, profile, unregister.
//! * `catalog` — categories, provinces, the categories ABM.
//! * `publication` — publish, publication show/edit, pause, resume, cancel, mine, browse.
//! * `conversation` — ask, answer, conversation, conversations.
//! * `trade` — buy, rate, purchases, wallet.
//! * `invoice` — invoices, invoice.
//! * `admin` — the administrator's commands and reports.
//! * `tools` — init, tree, dispersion, check, demo.
//! * `maintenance` — backup, restore, repair.
//! * `install` — install the program into the share, a local shortcut, the share's upgrade.

pub mod account;
pub mod admin;
pub mod args;
pub mod catalog;
pub mod conversation;
mod input;
pub mod install;
pub mod invoice;
pub mod maintenance;
pub mod publication;
pub mod spanish;
pub mod tools;
pub mod trade;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Value, json};

use crate::domain::{DResult, DomainError, Market};
use args::{Cli, Command};

/// Set by `check` when it found damage (exit code 4 after printing the report).
static DAMAGED: AtomicBool = AtomicBool::new(false);

/// The share folder: `--carpeta`; else the share the program was started from (when it runs
/// from `SHARE/programa/<os>/`, as the share's launchers start it); else `VENTALIBRE_SHARE`;
/// else `./shared_me`.
pub fn share_dir(flag: Option<&Path>) -> PathBuf {
    if let Some(d) = flag {
        return d.to_path_buf();
    }
    if let Some(d) = crate::domain::install::share_of_running_program() {
        return d;
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
    if crate::domain::install::share_of_running_program().is_some() {
        return; // a program installed in a share opens that share, never shared_me
    }
    let dir = share_dir(None);
    if dir.join("VENTALIBRE.CTL").exists() {
        return;
    }
    // Only the project's own folder (its README says so), never a folder that happens to be
    // called shared_me.
    let ours = std::fs::read_to_string(dir.join("README.md"))
        .is_ok_and(|t| t.starts_with("# shared_me — the embedded default share"));
    if !ours {
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
            crate::domain::market::ADMIN_EMAIL,
            crate::domain::market::ADMIN_DEFAULT_PASSWORD
        ),
        Ok(None) => {}
        Err(e) => eprintln!("ventalibre: no se pudo preparar la tienda de demostración: {e}"),
    }
}

/// What `ventalibre --version` prints: the program's version and the share format it writes
/// (one JSON document with `--json`).
pub fn version_text(json: bool) -> String {
    install::version(json)
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

/// What a command gets: the opened share, its folder and the global flags.
pub struct Ctx<'a> {
    pub market: &'a Market,
    pub dir: &'a Path,
    pub cli: &'a Cli,
}

/// A command's result: the JSON document (`--json`) and the text for a person.
pub type Out = DResult<(Value, String)>;

fn execute(cli: &Cli, command: Command) -> Out {
    let dir = share_dir(cli.share.as_deref());
    // Repair opens the share itself: a damaged control file is one of the things it rebuilds.
    // `instalar` may create the share (and opens it itself).
    let command = match command {
        Command::Repair(c) => return c.run_on(&dir, cli),
        Command::Install(c) => return c.run_on(&dir, cli),
        other => other,
    };
    let market = Market::open(&dir, command.creates_share())?;
    let cx = Ctx {
        market: &market,
        dir: &dir,
        cli,
    };
    match command {
        Command::Init(c) => c.run(&cx),
        Command::Register(c) => c.run(&cx),
        Command::Login(c) => c.run(&cx),
        Command::Logout(c) => c.run(&cx),
        Command::Passwd(c) => c.run(&cx),
        Command::Profile(c) => c.run(&cx),
        Command::Unregister(c) => c.run(&cx),
        Command::Categories(c) => c.run(&cx),
        Command::Provinces(c) => c.run(&cx),
        Command::Category(c) => c.run(&cx),
        Command::Publish(c) => c.run(&cx),
        Command::Publication(c) => c.run(&cx),
        Command::Pause(c) => c.run(&cx),
        Command::Resume(c) => c.run(&cx),
        Command::Cancel(c) => c.run(&cx),
        Command::Mine(c) => c.run(&cx),
        Command::Browse(c) => c.run(&cx),
        Command::Ask(c) => c.run(&cx),
        Command::Answer(c) => c.run(&cx),
        Command::Conversation(c) => c.run(&cx),
        Command::Conversations(c) => c.run(&cx),
        Command::Buy(c) => c.run(&cx),
        Command::Rate(c) => c.run(&cx),
        Command::Purchases(c) => c.run(&cx),
        Command::Wallet(c) => c.run(&cx),
        Command::Invoices(c) => c.run(&cx),
        Command::Invoice(c) => c.run(&cx),
        Command::Admin(c) => c.run(&cx),
        Command::Tree(c) => c.run(&cx),
        Command::Dispersion(c) => c.run(&cx),
        Command::Check(c) => c.run(&cx),
        Command::Doctor(c) => c.run(&cx),
        Command::Demo(c) => c.run(&cx),
        Command::Backup(c) => c.run(&cx),
        Command::Restore(c) => c.run(&cx),
        Command::Repair(_) => unreachable!("run before the share is opened"),
        Command::Shortcut(c) => c.run(&cx),
        Command::Upgrade(c) => c.run(&cx),
        Command::Install(_) => unreachable!("handled before the share is opened"),
    }
}

fn to_value<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// A command that only reports that it was done.
fn done(msg: impl Into<String>) -> Out {
    let m = msg.into();
    Ok((json!({ "ok": true, "message": m }), m))
}

fn invalid(msg: impl Into<String>) -> DomainError {
    DomainError::Invalid(msg.into())
}
