//! What commands read besides their arguments: passwords (environment variable or an unechoed
//! prompt), the acting session, provinces by code or name, photo files.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use super::{Ctx, invalid};
use crate::domain::market::ADMIN_EMAIL;
use crate::domain::{DResult, DomainError, Market, Session, photos, provinces};

/// Reads a password: from `var`, else a prompt without echo on a terminal.
pub(super) fn password(var: &str, prompt: &str) -> DResult<String> {
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
                "esta operación necesita una clave ({prompt}) y no se la puede pedir porque la \
                 entrada no es una terminal: defina la variable {var} (por ejemplo \
                 {var}=secreto ventalibre …) o escriba la clave en la entrada estándar"
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

/// The session of `--user`, authenticated with its password.
pub(super) fn session(cx: &Ctx) -> DResult<Session> {
    let Some(email) = &cx.cli.user else {
        return Err(DomainError::Denied(
            "esta operación necesita un usuario registrado: indique --usuario EMAIL".into(),
        ));
    };
    let p = password("VENTALIBRE_PASSWORD", &format!("Clave de {email}"))?;
    cx.market.authenticate(email, &p)
}

/// An administrator's session: `email`, by default the administrator account.
pub(super) fn admin_session(m: &Market, email: Option<&str>) -> DResult<Session> {
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

pub(super) fn province(s: &str) -> DResult<u8> {
    provinces::parse(s).ok_or_else(|| {
        invalid(format!(
            "«{s}» no es una provincia: use un código de 0 a 23 o el nombre"
        ))
    })
}

pub(super) fn photo(p: &Option<PathBuf>) -> DResult<Option<Vec<u8>>> {
    p.as_deref().map(photos::read_photo_file).transpose()
}
