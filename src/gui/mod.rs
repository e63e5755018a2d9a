//! The desktop program (eframe/egui), thin over the domain: every action calls [`Market`]
//! methods on a worker thread ([`task::Task`]); no screen opens a file of the share.
//!
//! One struct per screen with a `ui()` method, its state apart from the drawing (as in
//! egui's demo app). [`shell::MarketUi`] holds the screens of an opened share and the
//! background work they share: the change counter polled every 0.7 s (live updates across
//! terminals), the heartbeat, the user's data and the categories.
//!
//! [`Market`]: crate::domain::Market

pub mod account;
pub mod admin;
pub mod app;
pub mod browse;
pub mod chooser;
pub mod common;
pub mod invoices;
pub mod my_publications;
pub mod photo;
pub mod publication;
pub mod purchases;
pub mod shell;
pub mod task;
pub mod thumbs;
pub mod visitor;
pub mod wallet;

pub use app::App;

/// Opens the window on the share in `share_dir` (or the share chooser if it cannot be opened).
/// Returns the process exit code.
pub fn run(share_dir: std::path::PathBuf) -> i32 {
    app::run(share_dir)
}
