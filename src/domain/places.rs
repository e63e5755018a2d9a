//! Folders of the user's computer that documents are saved to: the Documents folder (where
//! save dialogs start and exported invoices and listings are proposed).

use std::path::{Path, PathBuf};

/// The user's home folder, if known.
pub fn home_dir() -> Option<PathBuf> {
    let var = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The user's Documents folder: on Linux the XDG one (`XDG_DOCUMENTS_DIR` in
/// `~/.config/user-dirs.dirs`, "Documentos" on a desktop in Spanish), else `~/Documentos` or
/// `~/Documents` when it exists; `%USERPROFILE%\Documents` on Windows, `~/Documents` on macOS.
/// Falls back to the home folder, then the current one.
pub fn documents_dir() -> PathBuf {
    let Some(home) = home_dir() else {
        return PathBuf::from(".");
    };
    if cfg!(all(unix, not(target_os = "macos"))) {
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".config"));
        if let Some(d) = xdg_user_dir(&config.join("user-dirs.dirs"), "XDG_DOCUMENTS_DIR", &home)
            && d.is_dir()
        {
            return d;
        }
    }
    for name in ["Documentos", "Documents"] {
        let d = home.join(name);
        if d.is_dir() {
            return d;
        }
    }
    home
}

/// The user's desktop folder, where a shortcut is also put, if there is one: the XDG one on
/// Linux ("Escritorio" on a desktop in Spanish), else `~/Escritorio` or `~/Desktop`.
pub fn desktop_dir() -> Option<PathBuf> {
    let home = home_dir()?;
    if cfg!(all(unix, not(target_os = "macos"))) {
        let config = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".config"));
        if let Some(d) = xdg_user_dir(&config.join("user-dirs.dirs"), "XDG_DESKTOP_DIR", &home) {
            return d.is_dir().then_some(d);
        }
    }
    ["Escritorio", "Desktop"]
        .iter()
        .map(|n| home.join(n))
        .find(|d| d.is_dir())
}

/// `KEY="$HOME/Documentos"` (KEY = `XDG_DOCUMENTS_DIR`, ...) from a user-dirs.dirs file.
fn xdg_user_dir(file: &Path, key: &str, home: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(file).ok()?;
    let prefix = format!("{key}=");
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(&prefix))?;
    let value = line[prefix.len()..].trim().trim_matches('"');
    let path = match value.strip_prefix("$HOME") {
        Some(rest) => home.join(rest.trim_start_matches('/')),
        None => PathBuf::from(value),
    };
    // `$HOME/` alone means "no such folder": use the home folder's own fallbacks.
    (path != home).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_xdg_documents_folder() {
        let dir = std::env::temp_dir().join(format!("vl-places-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("user-dirs.dirs");
        std::fs::write(
            &f,
            "# comment\nXDG_DESKTOP_DIR=\"$HOME/Escritorio\"\nXDG_DOCUMENTS_DIR=\"$HOME/Documentos\"\n",
        )
        .unwrap();
        let home = Path::new("/home/ana");
        assert_eq!(
            xdg_user_dir(&f, "XDG_DOCUMENTS_DIR", home),
            Some(PathBuf::from("/home/ana/Documentos"))
        );
        std::fs::write(&f, "XDG_DOCUMENTS_DIR=\"$HOME/\"\n").unwrap();
        assert_eq!(xdg_user_dir(&f, "XDG_DOCUMENTS_DIR", home), None);
        std::fs::write(&f, "XDG_DOCUMENTS_DIR=\"/datos/docs\"\n").unwrap();
        assert_eq!(
            xdg_user_dir(&f, "XDG_DOCUMENTS_DIR", home),
            Some(PathBuf::from("/datos/docs"))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
