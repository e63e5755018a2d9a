//! Putting VentaLibre on a share: install the program and the launchers into it, a local
//! shortcut to the share's launcher, and the upgrade of the share to this program's format.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

use clap::Args;
use serde_json::json;

use super::args::Cli;
use super::input::admin_session;
use super::{Ctx, Out, invalid, to_value};
use crate::domain::install::{self, install_into, local_shortcut};

#[derive(Debug, Args)]
pub struct Install {
    #[arg(
        long = "acceso-directo",
        alias = "shortcut",
        help = "Crea además un acceso directo en esta computadora (menú de aplicaciones y escritorio)"
    )]
    pub shortcut: bool,
}

impl Install {
    /// Runs before the share is opened: it may create it.
    pub fn run_on(self, dir: &Path, cli: &Cli) -> Out {
        let (_, r) = install_into(dir, |m| admin_session(m, cli.user.as_deref()))?;
        let mut v = to_value(&r);
        let mut text = r.to_text();
        if self.shortcut {
            let s = local_shortcut(&r.share)?;
            text.push_str(&s.to_text());
            v["shortcut"] = to_value(&s);
        }
        Ok((v, text))
    }
}

#[derive(Debug, Args)]
pub struct Shortcut {}

impl Shortcut {
    pub fn run(self, cx: &Ctx) -> Out {
        let s = local_shortcut(cx.dir)?;
        Ok((to_value(&s), s.to_text()))
    }
}

#[derive(Debug, Args)]
pub struct Upgrade {
    #[arg(
        long = "si",
        alias = "yes",
        help = "No pregunta: actualiza (para usar sin terminal, después de leer qué hará)"
    )]
    pub yes: bool,
}

impl Upgrade {
    pub fn run(self, cx: &Ctx) -> Out {
        let m = cx.market;
        let status = m.version_status()?;
        status.may_upgrade()?;
        let plan = status.plan_text();
        if !self.yes {
            let stdin = std::io::stdin();
            if !stdin.is_terminal() || cx.cli.json {
                return Err(invalid(format!(
                    "{plan}\nPara actualizar sin preguntar agregue --si (ventalibre actualizar-carpeta --si)"
                )));
            }
            eprintln!("{plan}");
            eprint!("¿Actualizar la carpeta compartida ahora? (s/n): ");
            let _ = std::io::stderr().flush();
            let mut line = String::new();
            stdin
                .lock()
                .read_line(&mut line)
                .map_err(|e| invalid(format!("no se pudo leer la respuesta: {e}")))?;
            if !matches!(line.trim().to_lowercase().as_str(), "s" | "si" | "sí") {
                return Err(invalid("no se actualizó la carpeta"));
            }
        }
        let s = admin_session(m, cx.cli.user.as_deref())?;
        let r = m.upgrade_share(&s)?;
        Ok((
            to_value(&r),
            format!(
                "Carpeta actualizada del formato {} al {}. Desde ahora solo VentaLibre {} o más nuevo la modifica.",
                r.from, r.to, r.oldest_writer
            ),
        ))
    }
}

/// `--version` (and `--version --json`).
pub fn version(json: bool) -> String {
    use crate::domain::version::{format_revision, program_version};
    if json {
        json!({
            "program": program_version(),
            "format": format_revision(),
            "records": crate::domain::version::record_format(),
            "os": install::os_dir(),
        })
        .to_string()
    } else {
        crate::domain::version::version_text()
    }
}
