//! What the screens that list listings share («Mis favoritos», a seller's listings,
//! «Búsquedas guardadas»): the top of a list screen (heading, spinner,
//! error, notice, the text of an empty list) and a striped grid of listings, each row a
//! thumbnail and the title as a link to its page, then the cells the screen adds.

use egui::{RichText, Ui};

use super::env::{Env, Nav};
use super::loaded::Loaded;
use super::notice::{Notice, bad_text, notice_ui};
use super::publication::PublicationScreen;
use super::widgets::{money, placeholder};
use crate::domain::catalog::PublicationView;
use crate::domain::{DResult, Market, Session};

/// The side of a row's thumbnail.
pub const THUMB_SIDE: f32 = 48.0;

/// The top of a list screen: `title` with a spinner while `busy`, the last read's error and
/// the screen's notice. Returns the list once read; when it is empty, shows `empty` instead
/// and returns `None` (as while it is being read for the first time).
pub fn list_top<T: Clone + Send + 'static, K: Clone + PartialEq + Send + 'static>(
    ui: &mut Ui,
    title: &str,
    list: &Loaded<Vec<T>, K>,
    busy: bool,
    notice: &mut Option<Notice>,
    empty: &str,
) -> Option<Vec<T>> {
    ui.horizontal(|ui| {
        ui.heading(title);
        if busy {
            ui.spinner();
        }
    });
    if let Some(e) = &list.error {
        bad_text(ui, e);
    }
    notice_ui(ui, notice);
    let v = list.get()?;
    if v.is_empty() {
        ui.add(egui::Label::new(empty).wrap());
        return None;
    }
    ui.separator();
    Some(v.clone())
}

/// A listing's thumbnail (a grey box while it has none or it is being read).
pub fn thumbnail(ui: &mut Ui, env: &mut Env, v: &PublicationView) {
    let size = egui::vec2(THUMB_SIDE, THUMB_SIDE);
    match v.photo.as_deref().map(|h| env.thumbs.get(h)) {
        Some(Some(t)) => {
            ui.add(
                egui::Image::from_texture(t)
                    .fit_to_exact_size(size)
                    .alt_text("foto"),
            );
        }
        _ => {
            placeholder(ui, size, "");
        }
    }
}

/// The price as a row shows it.
pub fn price(ui: &mut Ui, v: &PublicationView) {
    ui.label(RichText::new(money(v.price_cents)).strong());
}

/// A striped grid of `items`, a row each: the thumbnail and the title of `view(item)` (a link
/// that opens the listing's page), then what `cells` adds. Must be in a scroll area when the
/// list can be long.
pub fn listing_grid<T>(
    ui: &mut Ui,
    env: &mut Env,
    id_salt: &str,
    items: &[T],
    view: impl Fn(&T) -> &PublicationView,
    mut cells: impl FnMut(&mut Ui, &T),
) {
    let mut open = None;
    egui::Grid::new(id_salt)
        .striped(true)
        .spacing([12.0, 6.0])
        .show(ui, |ui| {
            for item in items {
                let v = view(item);
                thumbnail(ui, env, v);
                if ui.link(&*v.title).clicked() {
                    open = Some(v.id);
                }
                cells(ui, item);
                ui.end_row();
            }
        });
    if let Some(id) = open {
        env.nav(Nav::Open(PublicationScreen::TAB, id));
    }
}

/// [`listing_grid`] in a vertical scroll area that takes the rest of the screen.
pub fn scrolled_listing_grid<T>(
    ui: &mut Ui,
    env: &mut Env,
    id_salt: &str,
    items: &[T],
    view: impl Fn(&T) -> &PublicationView,
    cells: impl FnMut(&mut Ui, &T),
) {
    egui::ScrollArea::vertical()
        .id_salt(id_salt)
        .auto_shrink([false, false])
        .show(ui, |ui| listing_grid(ui, env, id_salt, items, view, cells));
}

/// Keeps `list` read for the user logged in, again whenever the share changes (`read` runs
/// on a worker thread). Returns the session, `None` for a visitor.
pub fn keep_user_list<T: Send + 'static>(
    ui: &Ui,
    env: &Env,
    list: &mut Loaded<Vec<T>, u64>,
    read: fn(&Market, &Session) -> DResult<Vec<T>>,
) -> Option<Session> {
    let s = env.session.clone()?;
    let (m, s2) = (env.market.clone(), s.clone());
    list.keep_fresh(ui.ctx(), env.generation, s.user_id, |_| {
        move || read(&m, &s2)
    });
    Some(s)
}

/// The outcome of an action on a list row (remove, delete) as the screen's notice: `good`
/// when it went well (then the share changed and the list is read again), the error
/// otherwise. Returns whether it went well.
pub fn action_notice<T>(
    r: DResult<T>,
    good: &str,
    env: &mut Env,
    notice: &mut Option<Notice>,
) -> bool {
    match r {
        Ok(_) => {
            *notice = Some(Notice::good(good));
            env.changed();
            true
        }
        Err(e) => {
            *notice = Some(Notice::of_error(&e));
            false
        }
    }
}
