//! Pieces every screen uses: background jobs, form rows whose fields are named for screen
//! readers, error and notice lines, money and dates, native file dialogs.

use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use egui::{Color32, Response, RichText, TextEdit, Ui};

use super::task::Task;
use crate::domain::{DomainError, PhotoId, format_cents};

// ---- background jobs ---------------------------------------------------------------------------

/// How many jobs of one window (one egui context) have not delivered their result yet (every
/// screen takes its results each frame, shown or not). Tests step the UI until it is zero.
#[derive(Clone, Default)]
struct Pending(Arc<AtomicUsize>);

fn pending(ctx: &egui::Context) -> Pending {
    ctx.data_mut(|d| {
        d.get_temp_mut_or_default::<Pending>(egui::Id::unique("ventalibre-trabajos-pendientes"))
            .clone()
    })
}

/// Jobs started in this context whose result has not been taken (abandoned ones excluded).
pub fn pending_jobs(ctx: &egui::Context) -> usize {
    pending(ctx).0.load(Ordering::SeqCst)
}

/// At most one [`Task`] of a screen: starting a new one forgets the old one (its thread ends
/// on its own; its result is dropped). A panic in the worker is reported and yields nothing.
pub struct Job<T> {
    task: Option<Task<std::thread::Result<T>>>,
    count: Option<Pending>,
}

impl<T> Default for Job<T> {
    fn default() -> Self {
        Job {
            task: None,
            count: None,
        }
    }
}

impl<T: Send + 'static> Job<T> {
    pub fn start(&mut self, ctx: &egui::Context, f: impl FnOnce() -> T + Send + 'static) {
        self.forget();
        let c = pending(ctx);
        c.0.fetch_add(1, Ordering::SeqCst);
        self.count = Some(c);
        self.task = Some(Task::spawn(ctx, move || {
            std::panic::catch_unwind(AssertUnwindSafe(f))
        }));
    }

    /// The result, once, when it has arrived.
    pub fn poll(&mut self) -> Option<T> {
        let r = self.task.as_mut()?.poll()?;
        self.forget();
        match r {
            Ok(v) => Some(v),
            Err(_) => {
                eprintln!("ventalibre: una tarea de fondo terminó con un error interno");
                None
            }
        }
    }

    /// Started and its result not taken yet.
    pub fn running(&self) -> bool {
        self.task.is_some()
    }

    pub fn forget(&mut self) {
        self.task = None;
        if let Some(c) = self.count.take() {
            c.0.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl<T> Drop for Job<T> {
    fn drop(&mut self) {
        if let Some(c) = self.count.take() {
            c.0.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// A domain call's outcome as the UI keeps it: the value or the domain's message.
pub type Outcome<T> = Result<T, String>;

pub fn outcome<T>(r: Result<T, DomainError>) -> Outcome<T> {
    r.map_err(|e| e.to_string())
}

// ---- forms ---------------------------------------------------------------------------------------

/// A label and a one-line text field in a two-column [`egui::Grid`]; the field is named by the
/// label (screen readers and tests find it by that name).
pub fn grid_field(ui: &mut Ui, label: &str, text: &mut String) -> Response {
    let l = ui.label(label);
    let r = ui
        .add(TextEdit::singleline(text).desired_width(280.0))
        .labelled_by(l.id);
    ui.end_row();
    r
}

pub fn grid_password(ui: &mut Ui, label: &str, text: &mut String) -> Response {
    let l = ui.label(label);
    let r = ui
        .add(
            TextEdit::singleline(text)
                .password(true)
                .desired_width(280.0),
        )
        .labelled_by(l.id);
    ui.end_row();
    r
}

/// A grid row that only shows an error under the field above (empty column first).
pub fn grid_error(ui: &mut Ui, msg: &Option<String>) {
    if let Some(m) = msg {
        ui.label("");
        error_text(ui, m);
        ui.end_row();
    }
}

/// A label and a field side by side (outside grids).
pub fn inline_field(ui: &mut Ui, label: &str, text: &mut String, width: f32) -> Response {
    let l = ui.label(label);
    ui.add(TextEdit::singleline(text).desired_width(width))
        .labelled_by(l.id)
}

pub fn error_color(ui: &Ui) -> Color32 {
    ui.visuals().error_fg_color
}

pub fn ok_color(ui: &Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(120, 210, 120)
    } else {
        Color32::from_rgb(20, 120, 40)
    }
}

pub fn error_text(ui: &mut Ui, msg: &str) -> Response {
    let c = error_color(ui);
    ui.add(egui::Label::new(RichText::new(msg.to_string()).color(c)).wrap())
}

pub fn error_line(ui: &mut Ui, msg: &Option<String>) {
    if let Some(m) = msg {
        error_text(ui, m);
    }
}

pub fn ok_text(ui: &mut Ui, msg: &str) -> Response {
    let c = ok_color(ui);
    ui.add(egui::Label::new(RichText::new(msg.to_string()).color(c)).wrap())
}

/// A notice that is either good news or an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    Ok(String),
    Err(String),
}

pub fn notice_line(ui: &mut Ui, n: &Option<Notice>) {
    match n {
        Some(Notice::Ok(m)) => {
            ok_text(ui, m);
        }
        Some(Notice::Err(m)) => {
            error_text(ui, m);
        }
        None => {}
    }
}

/// Which field of a form a domain message is about (the domain's messages name the field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Email,
    Password,
    Name,
    Address,
    Province,
    Phone,
    Photo,
    Title,
    Description,
    Price,
    Closes,
    Category,
    Other,
}

pub fn field_of(msg: &str) -> Field {
    // What the user typed is quoted «like this»: only the rest of the message names the field.
    let mut m = String::new();
    let mut quoted = false;
    for c in msg.to_lowercase().chars() {
        match c {
            '«' => quoted = true,
            '»' => quoted = false,
            c if !quoted => m.push(c),
            _ => {}
        }
    }
    if m.contains("foto") || m.contains("imagen") || m.contains("miniatura") {
        Field::Photo
    } else if m.contains("email") {
        Field::Email
    } else if m.contains("clave") {
        Field::Password
    } else if m.contains("apellido") {
        Field::Name
    } else if m.contains("domicilio") {
        Field::Address
    } else if m.contains("provincia") {
        Field::Province
    } else if m.contains("teléfono") {
        Field::Phone
    } else if m.contains("nombre del artículo") {
        Field::Title
    } else if m.contains("descripción") {
        Field::Description
    } else if m.contains("precio") || m.contains("importe") {
        Field::Price
    } else if m.contains("fecha") {
        Field::Closes
    } else if m.contains("categoría") {
        Field::Category
    } else {
        Field::Other
    }
}

/// One error per form, shown next to the field it is about.
#[derive(Debug, Clone, Default)]
pub struct FormError(pub Option<(Field, String)>);

impl FormError {
    pub fn set(&mut self, msg: impl Into<String>) {
        let m = msg.into();
        self.0 = Some((field_of(&m), m));
    }
    pub fn set_on(&mut self, f: Field, msg: impl Into<String>) {
        self.0 = Some((f, msg.into()));
    }
    pub fn clear(&mut self) {
        self.0 = None;
    }
    pub fn on(&self, f: Field) -> Option<String> {
        self.0
            .as_ref()
            .filter(|(g, _)| *g == f)
            .map(|(_, m)| m.clone())
    }
    /// The message when it is about no field of the form shown (`fields`).
    pub fn other(&self, fields: &[Field]) -> Option<String> {
        self.0
            .as_ref()
            .filter(|(g, _)| !fields.contains(g))
            .map(|(_, m)| m.clone())
    }
}

// ---- values ----------------------------------------------------------------------------------------

pub fn money(cents: i64) -> String {
    format!("$ {}", format_cents(cents))
}

pub fn date(ms: i64) -> String {
    if ms <= 0 {
        "-".into()
    } else {
        crate::domain::catalog::date_of_ms(ms)
    }
}

pub fn datetime(ms: i64) -> String {
    crate::domain::catalog::datetime_of_ms(ms)
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

// ---- native dialogs (rfd) ----------------------------------------------------------------------------

/// What a native dialog gave back.
#[derive(Debug, Clone, Default)]
pub struct Picked {
    pub path: Option<PathBuf>,
    /// No dialog could be shown (e.g. no desktop portal): it came back at once with nothing.
    pub unavailable: bool,
}

/// Nobody picks or cancels a dialog this fast: a dialog that returns nothing sooner was never
/// shown.
const DIALOG_MIN_SECONDS: f64 = 0.25;

/// The message for a dialog that could not be shown.
pub const NO_DIALOG: &str =
    "no se pudo abrir el selector de archivos del sistema; escriba la ruta en el campo";

/// Opens a system dialog off the UI thread (on macOS it must run on the main thread).
pub fn run_dialog(
    job: &mut Job<Picked>,
    ctx: &egui::Context,
    f: impl FnOnce() -> Option<PathBuf> + Send + 'static,
) {
    let timed = move || {
        let t = std::time::Instant::now();
        let path = f();
        let unavailable = path.is_none() && t.elapsed().as_secs_f64() < DIALOG_MIN_SECONDS;
        Picked { path, unavailable }
    };
    if cfg!(target_os = "macos") {
        let r = timed();
        job.start(ctx, move || r);
    } else {
        job.start(ctx, timed);
    }
}

pub fn pick_image() -> Option<PathBuf> {
    rfd::FileDialog::new()
        .set_title("Elegir una foto")
        .add_filter("Imágenes", &["jpg", "jpeg", "png", "webp", "gif", "bmp"])
        .pick_file()
}

pub fn pick_folder() -> Option<PathBuf> {
    rfd::FileDialog::new()
        .set_title("Elegir la carpeta compartida de VentaLibre")
        .pick_folder()
}

pub fn save_text_file(name: String) -> Option<PathBuf> {
    rfd::FileDialog::new()
        .set_title("Exportar")
        .set_file_name(name)
        .add_filter("Texto", &["txt"])
        .save_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_find_their_field() {
        assert_eq!(field_of("«abc» no es un email válido"), Field::Email);
        assert_eq!(
            field_of("la clave debe tener al menos 6 caracteres"),
            Field::Password
        );
        assert_eq!(
            field_of("«abc» no es un importe válido (ejemplo: 1500.50)"),
            Field::Price
        );
        assert_eq!(
            field_of("el archivo elegido no es una imagen"),
            Field::Photo
        );
        assert_eq!(
            field_of("la fecha de cierre 2020-01-01 ya pasó"),
            Field::Closes
        );
        assert_eq!(field_of("«foto@x» no es un email válido"), Field::Email);
        let h = "ab".repeat(32);
        assert_eq!(photo_id(&h), Some([0xab; 32]));
        assert_eq!(photo_id("zz"), None);
    }
}
