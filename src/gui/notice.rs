//! The one notice type of the window: a line of good news (which fades away after a few
//! seconds) or of trouble (which stays until the user acts again or changes the field it is
//! about), written as a sentence, in the window's one success colour or its error colour.

use egui::{Color32, RichText, Ui};

use crate::domain::DomainError;
use crate::domain::phrases::sentence;

/// Seconds a good-news notice stays fully visible, then the seconds it takes to fade.
pub const NOTICE_SECONDS: f64 = 6.0;
pub const FADE_SECONDS: f64 = 1.5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Bad,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub tone: Tone,
    /// As shown: capitalised, with its final period.
    pub text: String,
    /// When it was first drawn (fading counts from there).
    since: Option<f64>,
}

impl Notice {
    pub fn good(text: impl AsRef<str>) -> Notice {
        Notice {
            tone: Tone::Good,
            text: sentence(text.as_ref()),
            since: None,
        }
    }

    pub fn bad(text: impl AsRef<str>) -> Notice {
        Notice {
            tone: Tone::Bad,
            text: sentence(text.as_ref()),
            since: None,
        }
    }

    pub fn of_error(e: &DomainError) -> Notice {
        Notice::bad(e.to_string())
    }

    pub fn is_good(&self) -> bool {
        self.tone == Tone::Good
    }
}

/// The success colour (green that reads on both themes).
pub fn good_color(ui: &Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(120, 210, 120)
    } else {
        Color32::from_rgb(20, 120, 40)
    }
}

pub fn bad_color(ui: &Ui) -> Color32 {
    ui.visuals().error_fg_color
}

/// A warning (orange that reads on both themes).
pub fn warn_color(ui: &Ui) -> Color32 {
    ui.visuals().warn_fg_color
}

/// A line in the error colour (wrapping).
pub fn bad_text(ui: &mut Ui, msg: &str) -> egui::Response {
    let c = bad_color(ui);
    ui.add(egui::Label::new(RichText::new(sentence(msg)).color(c)).wrap())
}

/// A line in the success colour (wrapping).
pub fn good_text(ui: &mut Ui, msg: &str) -> egui::Response {
    let c = good_color(ui);
    ui.add(egui::Label::new(RichText::new(sentence(msg)).color(c)).wrap())
}

/// Draws the notice in `slot` (if any); a good one fades and then empties the slot.
pub fn notice_ui(ui: &mut Ui, slot: &mut Option<Notice>) {
    let Some(n) = slot else { return };
    let now = ui.input(|i| i.time);
    let since = *n.since.get_or_insert(now);
    let mut alpha = 1.0;
    if n.is_good() {
        let age = now - since;
        if age >= NOTICE_SECONDS + FADE_SECONDS {
            *slot = None;
            return;
        }
        if age > NOTICE_SECONDS {
            alpha = (1.0 - (age - NOTICE_SECONDS) / FADE_SECONDS) as f32;
        }
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(if age > NOTICE_SECONDS {
                50
            } else {
                500
            }));
    }
    let color = match n.tone {
        Tone::Good => good_color(ui),
        Tone::Bad => bad_color(ui),
    }
    .gamma_multiply(alpha);
    ui.add(egui::Label::new(RichText::new(&n.text).color(color)).wrap());
}

/// Draws the notice in `slot` only when it is about `key` (one row of a list, one operation).
pub fn keyed_notice_ui<K: PartialEq>(ui: &mut Ui, slot: &mut Option<(K, Notice)>, key: &K) {
    let Some((k, n)) = slot else { return };
    if k != key {
        return;
    }
    let mut inner = Some(n.clone());
    notice_ui(ui, &mut inner);
    match inner {
        Some(n) => {
            if let Some((_, old)) = slot {
                *old = n;
            }
        }
        None => *slot = None,
    }
}
