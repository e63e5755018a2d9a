//! The window's look, set once: text large enough to read (egui's "small" text is 9 px; ours
//! is never below 11.5 px) and weak text with enough contrast on both themes.

use egui::{FontFamily, FontId, TextStyle};

/// Sets the style once per context (cheap to call every frame).
pub fn apply(ctx: &egui::Context) {
    let id = egui::Id::unique("ventalibre-estilo");
    if ctx.data(|d| d.get_temp::<bool>(id)).unwrap_or(false) {
        return;
    }
    ctx.data_mut(|d| d.insert_temp(id, true));
    ctx.all_styles_mut(|style| {
        style.text_styles.insert(
            TextStyle::Small,
            FontId::new(11.5, FontFamily::Proportional),
        );
        style
            .text_styles
            .insert(TextStyle::Body, FontId::new(13.5, FontFamily::Proportional));
        style.text_styles.insert(
            TextStyle::Button,
            FontId::new(13.5, FontFamily::Proportional),
        );
        style.text_styles.insert(
            TextStyle::Monospace,
            FontId::new(13.0, FontFamily::Monospace),
        );
        let dark = style.visuals.dark_mode;
        // Weak text: closer to the normal text colour than egui's default.
        style.visuals.weak_text_alpha = if dark { 0.75 } else { 0.8 };
    });
}
