//! The desktop program (eframe/egui), thin over the domain: every action calls [`Market`]
//! methods on a worker thread ([`task::Task`]); no screen opens a file.
//!
//! [`Market`]: crate::domain::Market

pub mod admin;
pub mod task;

/// Opens the window on the share in `share_dir` (or the share chooser if it cannot be opened).
/// Returns the process exit code.
pub fn run(share_dir: std::path::PathBuf) -> i32 {
    let _ = share_dir;
    eprintln!("la interfaz gráfica todavía no está disponible en esta versión");
    1
}
