//! Pieces every form and list uses: fields named for screen readers, each with its error
//! beside it (cleared as soon as the field changes), Enter and Ctrl+Enter, space reserved so
//! nothing moves under the pointer, money and dates as shown, images.

use egui::{Id, Key, Modifiers, Response, RichText, TextEdit, Ui};

use super::notice::{bad_color, bad_text};
use crate::domain::phrases::sentence;
use crate::domain::provinces::{self, PROVINCES};
use crate::domain::{DomainError, Field, FieldError, PhotoId};

// ---- form errors -----------------------------------------------------------------------------

/// The errors of a form: each next to its field, the rest under the form. A field's error
/// goes away as soon as the field changes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FormErrors {
    fields: Vec<FieldError>,
    other: Option<String>,
}

impl FormErrors {
    /// Shows `e`: its field errors next to their fields (the ones a form has no place for, in
    /// `shown`'s absence, under the form), anything else under the form.
    pub fn set(&mut self, e: &DomainError) {
        self.clear();
        if e.field_errors().is_empty() {
            self.other = Some(e.to_string());
        } else {
            self.fields = e.field_errors().to_vec();
        }
    }

    pub fn set_on(&mut self, f: Field, msg: impl Into<String>) {
        self.fields.retain(|e| e.field != f);
        self.fields.push(FieldError {
            field: f,
            message: msg.into(),
        });
    }

    pub fn set_other(&mut self, msg: impl Into<String>) {
        self.other = Some(msg.into());
    }

    pub fn clear(&mut self) {
        self.fields.clear();
        self.other = None;
    }

    /// The field changed: its error no longer holds.
    pub fn clear_field(&mut self, f: Field) {
        self.fields.retain(|e| e.field != f);
    }

    pub fn on(&self, f: Field) -> Option<&str> {
        self.fields
            .iter()
            .find(|e| e.field == f)
            .map(|e| e.message.as_str())
    }

    /// Errors about none of `fields` (the form's own), and the error about no field.
    pub fn rest(&self, fields: &[Field]) -> Vec<String> {
        self.fields
            .iter()
            .filter(|e| !fields.contains(&e.field))
            .map(|e| e.message.clone())
            .chain(self.other.clone())
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.other.is_none()
    }
}

/// Draws the errors of `errors` about none of `fields` (under a form).
pub fn rest_ui(ui: &mut Ui, errors: &FormErrors, fields: &[Field]) {
    for m in errors.rest(fields) {
        bad_text(ui, &m);
    }
}

// ---- fields ------------------------------------------------------------------------------------

/// Width of a one-line field in a form.
pub const FIELD_WIDTH: f32 = 260.0;

/// A row of a three-column form grid: label, one-line field (named by the label for screen
/// readers and tests), and the field's error. Changing the field clears its error.
pub fn field_row(
    ui: &mut Ui,
    label: &str,
    text: &mut String,
    field: Field,
    errors: &mut FormErrors,
) -> Response {
    field_row_with(ui, label, errors, field, |ui| {
        ui.add(
            TextEdit::singleline(text)
                .id_salt(label)
                .desired_width(FIELD_WIDTH)
                .min_size(egui::vec2(FIELD_WIDTH, 0.0)),
        )
    })
}

/// Like [`field_row`], for a password.
pub fn password_row(
    ui: &mut Ui,
    label: &str,
    text: &mut String,
    field: Field,
    errors: &mut FormErrors,
) -> Response {
    field_row_with(ui, label, errors, field, |ui| {
        ui.add(
            TextEdit::singleline(text)
                .id_salt(label)
                .password(true)
                .desired_width(FIELD_WIDTH)
                .min_size(egui::vec2(FIELD_WIDTH, 0.0)),
        )
    })
}

/// A form-grid row with any input widget (`add` returns its response).
pub fn field_row_with(
    ui: &mut Ui,
    label: &str,
    errors: &mut FormErrors,
    field: Field,
    add: impl FnOnce(&mut Ui) -> Response,
) -> Response {
    let l = ui.label(label);
    let r = add(ui).labelled_by(l.id);
    if r.changed() {
        errors.clear_field(field);
    }
    error_cell(ui, errors.on(field));
    ui.end_row();
    r
}

/// The third column of a form row: the field's error, or nothing (the row keeps its height).
pub fn error_cell(ui: &mut Ui, msg: Option<&str>) {
    match msg {
        Some(m) => {
            let c = bad_color(ui);
            ui.add(
                egui::Label::new(RichText::new(sentence(m)).color(c))
                    .wrap_mode(egui::TextWrapMode::Wrap),
            );
        }
        None => {
            ui.label("");
        }
    }
}

/// A label and a field side by side (outside grids), named by the label.
pub fn inline_field(
    ui: &mut Ui,
    label: &str,
    text: &mut String,
    hint: &str,
    width: f32,
) -> Response {
    let l = ui.label(label);
    ui.add(
        TextEdit::singleline(text)
            .id_salt(label)
            .hint_text(hint)
            .desired_width(width)
            .min_size(egui::vec2(width, 0.0)),
    )
    .labelled_by(l.id)
}

/// A form grid of three columns (label, field, error) whose error column wraps.
pub fn form_grid(id: &str) -> egui::Grid {
    egui::Grid::new(id)
        .num_columns(3)
        .spacing([12.0, 8.0])
        .min_col_width(0.0)
}

// ---- keyboard ------------------------------------------------------------------------------------

/// Enter was pressed in the one-line field `r` (it then loses focus): the form is submitted.
pub fn enter_pressed(ui: &Ui, r: &Response) -> bool {
    r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter))
}

/// Ctrl+Enter (⌘+Enter on a Mac) was pressed while the multi-line field `id` had focus. Call
/// it before adding the field, so the key does not also add a line.
pub fn ctrl_enter(ui: &Ui, id: Id) -> bool {
    ui.memory(|m| m.has_focus(id))
        && ui.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::Enter))
}

/// Gives `r` the keyboard focus once, when `pending` is set (a screen's first field). It is
/// asked again until `r` has it (the click that showed the form may take it that frame).
pub fn focus_once(r: &Response, pending: &mut bool) {
    if *pending {
        if r.has_focus() {
            *pending = false;
        } else {
            r.request_focus();
            r.ctx.request_repaint();
        }
    }
}

// ---- layout ---------------------------------------------------------------------------------------

/// Draws `add` in a box of exactly `size`, whatever it draws (a thumbnail that is not there
/// yet, a warning that comes and goes): what is below never moves.
pub fn reserved<R>(ui: &mut Ui, size: egui::Vec2, add: impl FnOnce(&mut Ui) -> R) -> R {
    let (rect, _) = ui.allocate_exact_size(size, egui::Sense::hover());
    let mut child = ui.new_child(
        egui::UiBuilder::new()
            .max_rect(rect)
            .layout(egui::Layout::top_down(egui::Align::Min)),
    );
    add(&mut child)
}

/// A gentle placeholder box (an image not loaded, or none).
pub fn placeholder(ui: &mut Ui, size: egui::Vec2, text: &str) -> Response {
    let (r, resp) = ui.allocate_exact_size(size, egui::Sense::hover());
    ui.painter()
        .rect_filled(r, 4.0, ui.visuals().faint_bg_color);
    if !text.is_empty() {
        let color = ui.visuals().weak_text_color();
        ui.painter().text(
            r.center(),
            egui::Align2::CENTER_CENTER,
            text,
            egui::FontId::proportional(12.0),
            color,
        );
    }
    resp
}

/// In a `horizontal_wrapped` row: starts a new line unless `width` (a label and its field)
/// still fits, so a label never ends one line with its field on the next.
pub fn keep_together(ui: &mut Ui, width: f32) {
    if ui.available_rect_before_wrap().width() < width {
        ui.end_row();
    }
}

/// A right-aligned cell (amounts), so the header and the numbers line up.
/// A table that may be wider than the window: a horizontal scroll area whose bar is drawn
/// solid whenever the table does not fit (egui's default bar is a thin line that appears only
/// under the pointer, so nobody would know there is more to the right).
pub fn wide_table<R>(ui: &mut Ui, id: &str, add: impl FnOnce(&mut Ui) -> R) -> R {
    ui.scope(|ui| {
        ui.spacing_mut().scroll = egui::style::ScrollStyle::solid();
        egui::ScrollArea::horizontal()
            .id_salt(id)
            .auto_shrink([false, true])
            .show(ui, add)
            .inner
    })
    .inner
}

pub fn right_aligned(ui: &mut Ui, add: impl FnOnce(&mut Ui)) {
    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), add);
}

/// A province picker named by the label `label`.
pub fn province_combo(ui: &mut Ui, id: &str, value: &mut u8) -> Response {
    egui::ComboBox::from_id_salt(id)
        .selected_text(provinces::name(*value))
        .width(FIELD_WIDTH - 8.0)
        .show_ui(ui, |ui| {
            for (i, p) in PROVINCES.iter().enumerate() {
                ui.selectable_value(value, i as u8, *p);
            }
        })
        .response
}

// ---- values ----------------------------------------------------------------------------------------

/// `$ 1.500,50` (the domain's Argentine format).
pub fn money(cents: i64) -> String {
    crate::domain::format::money(cents)
}

/// `31/12/2026` ("-" for none).
pub fn date(ms: i64) -> String {
    crate::domain::format::date_of_ms(ms)
}

/// `31/12/2026 14:05` ("-" for none).
pub fn datetime(ms: i64) -> String {
    crate::domain::format::datetime_of_ms(ms)
}

/// The photo id written as 64 hex digits back to bytes.
pub fn photo_id(hex: &str) -> Option<PhotoId> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut id = [0u8; 32];
    for (i, b) in id.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(id)
}

/// Decodes image bytes into an egui image no larger than `side` pixels on each side.
pub fn decode_image(bytes: &[u8], side: u32) -> Option<egui::ColorImage> {
    // Bounded like every photo: dimensions are checked from the header before decoding.
    let img = crate::domain::photos::decode(bytes).ok()?;
    let img = if img.width() > side || img.height() > side {
        img.thumbnail(side, side)
    } else {
        img
    };
    let rgba = img.to_rgba8();
    Some(egui::ColorImage::from_rgba_unmultiplied(
        [rgba.width() as usize, rgba.height() as usize],
        rgba.as_raw(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_error_clears_alone_and_the_rest_stays() {
        let mut e = FormErrors::default();
        e.set(&DomainError::Fields(vec![
            FieldError {
                field: Field::Email,
                message: "falta el email".into(),
            },
            FieldError {
                field: Field::Price,
                message: "precio".into(),
            },
        ]));
        assert_eq!(e.on(Field::Email), Some("falta el email"));
        e.clear_field(Field::Email);
        assert_eq!(e.on(Field::Email), None);
        assert_eq!(e.rest(&[Field::Email]), vec!["precio".to_string()]);
        e.set(&DomainError::Denied("no".into()));
        assert_eq!(e.rest(&[]), vec!["no".to_string()]);
        let h = "ab".repeat(32);
        assert_eq!(photo_id(&h), Some([0xab; 32]));
        assert_eq!(photo_id("zz"), None);
    }
}
