//! The desktop program (eframe/egui), thin over the domain: every action calls [`Market`]
//! methods on a worker thread ([`jobs::Job`]); no screen opens a file of the share or decides
//! a rule.
//!
//! One struct per screen implementing [`screen::Screen`], its state apart from the drawing
//! (as in egui's demo app); [`shell::screens`] lists them all. Every screen shares one
//! [`env::Env`] (the market, the session, the share's generation), one job type, one notice
//! type ([`notice::Notice`]), one change watcher ([`watch::ChangeWatcher`]) and the
//! reload-on-change helper [`loaded::Loaded`].
//!
//! [`Market`]: crate::domain::Market

pub mod account;
pub mod admin;
pub mod app;
pub mod browse;
pub mod chooser;
pub mod dialogs;
pub mod env;
pub mod favourites;
pub mod gallery;
pub mod invoices;
pub mod jobs;
pub mod listings;
pub mod loaded;
pub mod my_publications;
pub mod news;
pub mod notice;
pub mod photo;
pub mod publication;
pub mod purchases;
pub mod questions;
pub mod saved_searches;
pub mod screen;
pub mod seller;
pub mod shell;
pub mod style;
pub mod thumbs;
pub mod version_banner;
pub mod visitor;
pub mod wallet;
pub mod watch;
pub mod widgets;

pub use app::App;

/// Opens the window on the share in `share_dir` (or the share chooser if it cannot be opened).
/// Returns the process exit code.
pub fn run(share_dir: std::path::PathBuf) -> i32 {
    app::run(share_dir)
}
