//! The users hash's dispersion test: records per bucket (chain length) as a histogram, the
//! same grouped in blocks of a size the administrator types, load factor, longest chain, the
//! uniformity figure (Pearson's chi-square against its degrees of freedom) and the state of
//! the table's growth (linear hashing: MAX home buckets, level, next bucket to split).

use crate::domain::phrases::counted;
use egui::{Color32, RichText, Ui};
use egui_plot::{Bar, BarChart, Legend, Plot, PlotPoints, Points};

use super::common::{RunAsAdmin, Task, field, fmt2, solid};
use crate::domain::views::HashDispersion as Dispersion;
use crate::gui::dialogs::{Export, TEXT};
use crate::gui::env::Env;

const BLUE: Color32 = Color32::from_rgb(70, 130, 220);
const GREEN: Color32 = Color32::from_rgb(80, 170, 90);
const PURPLE: Color32 = Color32::from_rgb(150, 110, 200);
/// Buckets drawn one by one (past this the per-bucket chart and listing would cost frames; the
/// blocks and the saved text still cover every bucket).
const DRAWN_BUCKETS: usize = 2000;

type Loaded = (Dispersion, Vec<Vec<(u64, String)>>);

pub struct DispersionPanel {
    pub block: String,
    job: Task<Loaded>,
    loaded_gen: Option<u64>,
    pub result: Option<Dispersion>,
    chains: Vec<Vec<(u64, String)>>,
    error: Option<String>,
    bucket: String,
    saver: Export,
}

impl Default for DispersionPanel {
    fn default() -> Self {
        DispersionPanel {
            block: "10".into(),
            job: Task::default(),
            loaded_gen: None,
            result: None,
            chains: Vec::new(),
            error: None,
            bucket: String::new(),
            saver: Export::default(),
        }
    }
}

/// How far the chi-square is from what a uniform spread gives, in words.
pub fn verdict(d: &Dispersion) -> String {
    if d.records == 0 || d.degrees_of_freedom == 0 {
        return "sin registros: no hay dispersión que medir".into();
    }
    let dof = d.degrees_of_freedom as f64;
    let z = (d.chi_square - dof) / (2.0 * dof).sqrt();
    if z.abs() <= 2.0 {
        format!("compatible con una dispersión uniforme (z = {z:+.2}; se espera entre -2 y +2)")
    } else if z > 2.0 {
        format!("más amontonada que una dispersión uniforme (z = {z:+.2})")
    } else {
        format!("más pareja de lo que daría el azar (z = {z:+.2})")
    }
}

/// The whole test as text (for printing to a file).
pub fn dispersion_text(d: &Dispersion) -> String {
    let mut out = String::from("Test de dispersión del hash de usuarios (USUARIOS.DAT)\n");
    out.push_str(&format!(
        "Baldes: {}  Registros: {}  Factor de carga: {}  Cadena más larga: {}  Baldes vacíos: {}\n",
        d.buckets,
        d.records,
        fmt2(d.load_factor),
        d.longest_chain,
        d.empty_buckets
    ));
    out.push_str(&format!("{}\n", growth_line(d)));
    out.push_str(&format!(
        "Chi-cuadrado: {} con {} grados de libertad: {}\n",
        fmt2(d.chi_square),
        d.degrees_of_freedom,
        verdict(d)
    ));
    out.push_str("Registros por balde:\n");
    for l in bucket_lines(d) {
        out.push_str(&format!("  {l}\n"));
    }
    out.push_str(&format!(
        "Registros por bloque de {} baldes:\n",
        d.block_size
    ));
    for l in block_lines(d) {
        out.push_str(&format!("  {l}\n"));
    }
    out
}

/// The table's growth in words.
pub fn growth_line(d: &Dispersion) -> String {
    let grown = d.buckets - d.home_buckets;
    format!(
        "Crecimiento (hash lineal): {} baldes iniciales (MAX){}; nivel {}, próximo balde a \
         dividir {}; se divide un balde cuando hay más de {} registros por balde",
        d.home_buckets,
        if grown == 0 {
            ", todavía sin divisiones".to_string()
        } else {
            format!(
                ", {} por divisiones",
                counted(grown, "balde nuevo", "baldes nuevos")
            )
        },
        d.level,
        d.next_split,
        d.split_load
    )
}

/// "Baldes 0-9: 2 1 3 …", ten buckets a line.
pub fn bucket_lines(d: &Dispersion) -> Vec<String> {
    d.chain_lengths
        .chunks(10)
        .enumerate()
        .map(|(i, c)| {
            let first = i * 10;
            let v: Vec<String> = c.iter().map(|n| n.to_string()).collect();
            format!("Baldes {}-{}: {}", first, first + c.len() - 1, v.join(" "))
        })
        .collect()
}

/// "Bloque 1 (baldes 0-9): 17 registros", one line per block.
pub fn block_lines(d: &Dispersion) -> Vec<String> {
    let b = d.block_size as usize;
    d.blocks
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let first = i * b;
            let last = (first + b).min(d.buckets as usize) - 1;
            format!(
                "Bloque {} (baldes {first}-{last}): {}",
                i + 1,
                counted(*n, "registro", "registros")
            )
        })
        .collect()
}

impl DispersionPanel {
    fn start(&mut self, ctx: &egui::Context, env: &mut Env) -> Result<(), String> {
        let block = self
            .block
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|b| *b > 0)
            .ok_or_else(|| {
                format!(
                    "«{}» no es un tamaño de bloque válido (un número de baldes mayor que 0)",
                    self.block.trim()
                )
            })?;
        self.loaded_gen = Some(env.generation);
        self.job.run(ctx, env, move |m, _| {
            Ok((m.dispersion(block)?, m.hash_chains()?))
        });
        Ok(())
    }

    pub fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let ctx = ui.ctx().clone();
        if let Some(r) = self.job.poll() {
            match r {
                Ok((d, c)) => {
                    self.result = Some(d);
                    self.chains = c;
                    self.error = None;
                }
                Err(e) => self.error = Some(e),
            }
        }
        // Computed once and on request; a change of the share is announced.
        if self.loaded_gen.is_none()
            && !self.job.running()
            && let Err(e) = self.start(&ctx, env)
        {
            self.loaded_gen = Some(env.generation);
            self.error = Some(e);
        }
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new("Test de dispersión del hash de usuarios (USUARIOS.DAT)").strong(),
            );
            ui.separator();
            let r = field(ui, "Tamaño de bloque (baldes)", &mut self.block, "10", 50.0);
            let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            let go = ui
                .add_enabled(!self.job.running(), egui::Button::new("Calcular"))
                .clicked()
                || enter;
            if go && let Err(e) = self.start(&ctx, env) {
                self.error = Some(e);
            }
            if self.job.running() {
                ui.spinner();
            } else if self.loaded_gen.is_some_and(|g| g != env.generation) {
                ui.label(
                    RichText::new("La carpeta cambió: «Calcular» vuelve a leerla.")
                        .color(Color32::from_rgb(200, 140, 0)),
                );
            }
        });
        if let Some(d) = &self.result {
            let text = dispersion_text(d);
            self.saver
                .ui(ui, "Guardar el test en", "dispersion.txt", TEXT, || {
                    text.into_bytes()
                });
        }
        if let Some(e) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, e);
        }
        let Some(d) = &self.result else { return };

        egui::Grid::new("cifras")
            .num_columns(8)
            .spacing([14.0, 4.0])
            .show(ui, |ui| {
                ui.label("Baldes:");
                ui.strong(d.buckets.to_string());
                ui.label("Registros:");
                ui.strong(d.records.to_string());
                ui.label("Factor de carga:");
                ui.strong(fmt2(d.load_factor));
                ui.label("Cadena más larga:");
                ui.strong(d.longest_chain.to_string());
                ui.end_row();
                ui.label("Baldes vacíos:");
                ui.strong(d.empty_buckets.to_string());
                ui.label("Chi-cuadrado:");
                ui.strong(fmt2(d.chi_square));
                ui.label("Grados de libertad:");
                ui.strong(d.degrees_of_freedom.to_string());
                ui.label("Bloques:");
                ui.strong(format!("{} de {} baldes", d.blocks.len(), d.block_size));
                ui.end_row();
                ui.label("Baldes iniciales (MAX):");
                ui.strong(d.home_buckets.to_string());
                ui.label("Nivel:");
                ui.strong(d.level.to_string());
                ui.label("Próximo a dividir:");
                ui.strong(d.next_split.to_string());
                ui.label("Se divide con más de:");
                ui.strong(format!("{} por balde", d.split_load));
                ui.end_row();
            });
        ui.label(growth_line(d));
        ui.label(format!("Uniformidad: {}.", verdict(d)));
        if d.records > 0 && d.load_factor < 5.0 {
            ui.label(
                RichText::new("Con menos de 5 registros esperados por balde el chi-cuadrado es solo orientativo.")
                    .small()
                    .color(Color32::GRAY),
            );
        }

        let d = d.clone();
        let plot_h = ((ui.available_height() - 40.0) / 2.0).clamp(150.0, 320.0);
        ui.columns(2, |cols| {
            let ui = &mut cols[0];
            ui.label(RichText::new("Registros por balde (largo de cada cadena)").strong());
            if d.chain_lengths.len() > DRAWN_BUCKETS {
                ui.label(
                    RichText::new(format!(
                        "Se dibujan los primeros {DRAWN_BUCKETS} baldes de {}; los bloques y el texto guardado los cubren todos.",
                        d.buckets
                    ))
                    .small()
                    .color(Color32::GRAY),
                );
            }
            let bars: Vec<Bar> = d
                .chain_lengths
                .iter()
                .take(DRAWN_BUCKETS)
                .enumerate()
                .map(|(i, &n)| {
                    Bar::new(i as f64, n as f64)
                        .name(format!("balde {i}"))
                        .width(0.8)
                })
                .collect();
            let mean = d.load_factor;
            Plot::new("por-balde")
                .height(plot_h)
                .allow_scroll(false)
                .x_axis_label("Balde")
                .y_axis_label("Registros")
                .include_y(0.0)
                .legend(Legend::default())
                .show(ui, |p| {
                    p.bar_chart(BarChart::new("Registros", solid(bars, BLUE)).color(BLUE));
                    p.hline(
                        egui_plot::HLine::new("Factor de carga", mean)
                            .color(Color32::from_rgb(220, 120, 40)),
                    );
                });
            ui.label(
                RichText::new(format!("Registros por bloque de {} baldes", d.block_size)).strong(),
            );
            let bars: Vec<Bar> = d
                .blocks
                .iter()
                .enumerate()
                .map(|(i, &n)| {
                    Bar::new((i + 1) as f64, n as f64)
                        .name(format!("bloque {}", i + 1))
                        .width(0.8)
                })
                .collect();
            // What a uniform hash puts in each block (in a growing table the buckets not split
            // yet this round expect twice as many as the others).
            let expected_block: Vec<[f64; 2]> = (0..d.blocks.len() as u64)
                .map(|i| {
                    let lo = i * d.block_size;
                    let hi = (lo + d.block_size).min(d.buckets);
                    [(i + 1) as f64, (lo..hi).map(|b| d.expected(b)).sum::<f64>()]
                })
                .collect();
            Plot::new("por-bloque")
                .height(plot_h)
                .allow_scroll(false)
                .x_axis_label("Bloque")
                .y_axis_label("Registros")
                .include_y(0.0)
                .legend(Legend::default())
                .show(ui, |p| {
                    p.bar_chart(
                        BarChart::new("Registros del bloque", solid(bars, GREEN)).color(GREEN),
                    );
                    p.points(
                        Points::new("Esperado si fuera uniforme", PlotPoints::from(expected_block))
                            .radius(3.0)
                            .color(Color32::from_rgb(220, 120, 40)),
                    );
                });

            let ui = &mut cols[1];
            ui.label(RichText::new("Cuántos baldes tienen cada largo de cadena").strong());
            let mut freq = vec![0u64; d.longest_chain as usize + 1];
            for &n in &d.chain_lengths {
                freq[n as usize] += 1;
            }
            let bars: Vec<Bar> = freq
                .iter()
                .enumerate()
                .map(|(k, &c)| {
                    Bar::new(k as f64, c as f64)
                        .name(format!("largo {k}"))
                        .width(0.8)
                })
                .collect();
            // What a uniform hash gives: Poisson with each bucket's mean.
            let expected: Vec<[f64; 2]> = (0..freq.len() as u64)
                .map(|k| [k as f64, d.expected_with_length(k)])
                .collect();
            Plot::new("frecuencias")
                .height(plot_h)
                .allow_scroll(false)
                .x_axis_label("Largo de cadena")
                .y_axis_label("Baldes")
                .include_y(0.0)
                .legend(Legend::default())
                .show(ui, |p| {
                    p.bar_chart(BarChart::new("Baldes", solid(bars, PURPLE)).color(PURPLE));
                    p.points(
                        Points::new("Esperado (Poisson)", PlotPoints::from(expected))
                            .radius(4.0)
                            .color(Color32::from_rgb(220, 120, 40)),
                    );
                });
            egui::ScrollArea::vertical()
                .id_salt("listado")
                .show(ui, |ui| {
                    ui.label(RichText::new("Registros por balde").strong());
                    for l in bucket_lines(&d).into_iter().take(DRAWN_BUCKETS / 10) {
                        ui.monospace(l);
                    }
                    ui.label(RichText::new("Registros por bloque").strong());
                    for l in block_lines(&d) {
                        ui.monospace(l);
                    }
                    ui.separator();
                    ui.horizontal(|ui| {
                        field(ui, "Ver la cadena del balde", &mut self.bucket, "0", 50.0);
                    });
                    if let Ok(b) = self.bucket.trim().parse::<usize>() {
                        match self.chains.get(b) {
                            Some(c) if c.is_empty() => {
                                ui.label(format!("El balde {b} está vacío."));
                            }
                            Some(c) => {
                                for (i, (pos, email)) in c.iter().enumerate() {
                                    ui.monospace(format!("{}. posición {pos}: {email}", i + 1));
                                }
                            }
                            None => {
                                ui.label(format!("No hay balde {b} (hay {}).", self.chains.len()));
                            }
                        }
                    }
                });
        });
    }
}
