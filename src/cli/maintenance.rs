//! Share maintenance: `copiar DEST` (`backup`), `restaurar SRC` (`restore`) and `reparar`
//! (`repair`), while other terminals keep working. The administrator acts (`--usuario`, by
//! default the administrator account, password from VENTALIBRE_PASSWORD or a prompt);
//! `restaurar` and `reparar` also ask to confirm (type "si"), unless `--si`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use clap::Args;

use super::input::admin_session;
use super::{Ctx, DAMAGED, Out, invalid, to_value};
use crate::domain::maintenance::{self, Progress, default_backup_dir};
use crate::domain::{DResult, Market};

/// Progress on stderr when it is a terminal (a line rewritten in place).
fn progress() -> impl Fn(&Progress) {
    let tty = std::io::stderr().is_terminal();
    move |p: &Progress| {
        if tty {
            eprint!("\r\x1b[2K{} ({}/{})", p.step, p.done, p.total);
            if p.done >= p.total {
                eprintln!();
            }
        }
    }
}

/// Asks to type "si"; anything else cancels (exit 1, nothing changed).
fn confirm(question: &str, yes: bool) -> DResult<()> {
    if yes {
        return Ok(());
    }
    eprint!("{question} Escriba «si» para seguir: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| invalid(format!("no se pudo leer la respuesta: {e}")))?;
    match line.trim().to_lowercase().as_str() {
        "si" | "sí" | "s" => Ok(()),
        _ => Err(invalid("cancelado: no se cambió nada")),
    }
}

/// `backup [DEST]`: a consistent copy of the whole share, photos included.
#[derive(Debug, Args)]
pub struct Backup {
    /// Carpeta de la copia (que no exista, o vacía). Si no se indica: al lado de la carpeta
    /// compartida, con su nombre y la fecha.
    #[arg(value_name = "DESTINO")]
    pub dest: Option<PathBuf>,
}

impl Backup {
    pub fn run(self, cx: &Ctx) -> Out {
        let s = admin_session(cx.market, cx.cli.user.as_deref())?;
        let dest = self.dest.unwrap_or_else(|| default_backup_dir(cx.dir));
        let b = cx.market.backup(&s, &dest, &progress())?;
        if !b.check_ok {
            DAMAGED.store(true, Ordering::Relaxed);
        }
        Ok((
            to_value(&b),
            format!(
                "Copia hecha en {}: {} archivos, {} fotos, {} KiB{}.\n{}",
                b.dest,
                b.files,
                b.photos,
                b.bytes / 1024,
                if b.recopied > 0 {
                    format!(
                        " ({} archivos copiados de nuevo porque cambiaron mientras se copiaba)",
                        b.recopied
                    )
                } else {
                    String::new()
                },
                if b.check_ok {
                    "La copia pasó la revisión."
                } else {
                    "La copia NO pasó la revisión: la carpeta ya tenía problemas (vea `ventalibre verificar`)."
                }
            ),
        ))
    }
}

/// `restore SRC`: puts a copy back in place of the share (refused while another terminal
/// writes).
#[derive(Debug, Args)]
pub struct Restore {
    /// La copia hecha con `copiar`.
    #[arg(value_name = "COPIA")]
    pub src: PathBuf,
    /// No pedir confirmación.
    #[arg(long, alias = "yes")]
    pub si: bool,
}

impl Restore {
    pub fn run(self, cx: &Ctx) -> Out {
        let s = admin_session(cx.market, cx.cli.user.as_deref())?;
        confirm(
            &format!(
                "Esto reemplaza todo el contenido de {} por la copia {}.",
                cx.dir.display(),
                self.src.display()
            ),
            self.si,
        )?;
        let r = cx.market.restore(&s, &self.src, &progress())?;
        Ok((
            to_value(&r),
            format!(
                "Copia {} restaurada: {} archivos, {} fotos; {} fotos que ya nadie nombraba, borradas.",
                r.src, r.files, r.photos, r.photos_removed
            ),
        ))
    }
}

/// `repair`: rebuilds what `check` found damaged, from the data files; lists what it cannot.
#[derive(Debug, Args)]
pub struct Repair {
    /// No pedir confirmación.
    #[arg(long, alias = "yes")]
    pub si: bool,
}

impl Repair {
    /// Runs before the share is opened: a share whose control file is damaged does not open,
    /// and that is one of the things repair rebuilds.
    pub fn run_on(self, dir: &Path, cli: &super::args::Cli) -> Out {
        let mut text = String::new();
        let m = match Market::open(dir, false) {
            Ok(m) => m,
            Err(e) if e.exit_code() == 4 => {
                eprintln!("La carpeta no abre: {e}");
                confirm(
                    "Se reconstruirá lo que impide abrirla: el archivo de control \
                     (VENTALIBRE.CTL, a partir de los archivos de datos; el dañado queda \
                     guardado al lado) o el registro de versión (VERSION.DAT).",
                    self.si,
                )?;
                for l in maintenance::repair_unopenable(dir)? {
                    text.push_str(&format!("  - {l}\n"));
                }
                Market::open(dir, false)?
            }
            Err(e) => return Err(e),
        };
        let before = m.check()?;
        if before.ok && text.is_empty() {
            return Ok((
                to_value(&before),
                "La carpeta está sana: no hay nada que reparar.".into(),
            ));
        }
        if !before.ok {
            eprint!("{}", before.to_text());
        }
        // The administrator confirms; only if the users' file itself is unreadable is the
        // confirmation alone enough (the domain decides which).
        let s = match admin_session(&m, cli.user.as_deref()) {
            Ok(s) => Some(s),
            Err(e) if e.exit_code() == 4 => None,
            Err(e) => return Err(e),
        };
        confirm(
            "La reparación reconstruye lo que los archivos de datos determinan y lista lo que no; \
             conviene hacer antes una copia (`ventalibre copiar`).",
            self.si,
        )?;
        let rep = m.repair(s.as_ref(), &progress())?;
        if !rep.after.ok {
            DAMAGED.store(true, Ordering::Relaxed);
        }
        if !text.is_empty() {
            text = format!("Para que la carpeta abra:\n{text}");
        }
        text.push_str(&rep.to_text());
        Ok((to_value(&rep), text))
    }
}
