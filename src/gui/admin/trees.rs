//! "Estado de los ME" for the trees: the publication indexes (AVL by seller, AVL by category)
//! drawn as trees — nodes with key, data position and balance, edges to their children — with
//! pan and zoom, the node's data and its publication on hover, levels beyond a chosen depth
//! collapsed, and a jump to a key. Only what falls inside the canvas is drawn, so trees of
//! many thousands of nodes stay smooth. The same tree is also shown as the spec's line-by-line
//! level listing ([`tree_text`]).

use crate::domain::phrases::counted;
use std::collections::HashMap;

use egui::{
    Align2, Color32, FontId, Pos2, Rect, RichText, Sense, Stroke, StrokeKind, Ui, Vec2, pos2, vec2,
};

use super::common::{RunAsAdmin, Task, busy, field, tabs};
use crate::domain::catalog::PublicationView;
use crate::domain::check::{Tree, tree_text};
use crate::domain::views::TreeNode;
use crate::gui::dialogs::{Export, TEXT};
use crate::gui::env::Env;

/// Horizontal distance between consecutive nodes (in-order), vertical between levels.
const DX: f32 = 68.0;
const DY: f32 = 96.0;
const NODE: Vec2 = vec2(62.0, 60.0);
const MIN_ZOOM: f32 = 0.001;
const MAX_ZOOM: f32 = 4.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Drawing,
    Listing,
}

/// A node of the drawing.
#[derive(Debug, Clone)]
struct LNode {
    v: TreeNode,
    depth: usize,
    left: Option<usize>,
    right: Option<usize>,
    parent: Option<usize>,
    /// Nodes in its subtree, itself included.
    size: usize,
}

/// The tree prepared for drawing: nodes in level order, and the x of each shown node (its
/// in-order rank among the shown nodes, so no two nodes overlap and every left subtree lies
/// left of its parent).
#[derive(Default)]
struct Layout {
    nodes: Vec<LNode>,
    levels: Vec<Vec<usize>>,
    /// In-order rank of each node among the shown ones; `None` when below the depth limit.
    x: Vec<Option<f32>>,
    shown: usize,
    /// Depth limit the `x` were computed for.
    limit: usize,
}

impl Layout {
    fn build(levels: &[Vec<TreeNode>]) -> Layout {
        let mut nodes = Vec::new();
        let mut idx_levels = Vec::new();
        for (depth, level) in levels.iter().enumerate() {
            let mut ids = Vec::with_capacity(level.len());
            for v in level {
                ids.push(nodes.len());
                nodes.push(LNode {
                    v: *v,
                    depth,
                    left: None,
                    right: None,
                    parent: None,
                    size: 1,
                });
            }
            idx_levels.push(ids);
        }
        let by_slot: HashMap<u64, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.v.slot, i))
            .collect();
        for i in 0..nodes.len() {
            let d = nodes[i].depth;
            // A child is on the next level (a damaged tree could say otherwise: ignore that link).
            let child = |s: Option<u64>| {
                s.and_then(|s| by_slot.get(&s).copied())
                    .filter(|&c| nodes[c].depth == d + 1)
            };
            let (l, r) = (child(nodes[i].v.left), child(nodes[i].v.right));
            nodes[i].left = l;
            nodes[i].right = r;
            for c in [l, r].into_iter().flatten() {
                nodes[c].parent = Some(i);
            }
        }
        for i in (0..nodes.len()).rev() {
            if let Some(p) = nodes[i].parent {
                nodes[p].size += nodes[i].size;
            }
        }
        let mut l = Layout {
            nodes,
            levels: idx_levels,
            x: Vec::new(),
            shown: 0,
            limit: 0,
        };
        l.relayout(usize::MAX);
        l
    }

    fn height(&self) -> usize {
        self.levels.len()
    }

    /// Places the nodes of depth `<= limit`.
    fn relayout(&mut self, limit: usize) {
        let n = self.nodes.len();
        self.limit = limit;
        self.x = vec![None; n];
        self.shown = 0;
        if n == 0 {
            return;
        }
        let shown = |i: usize| self.nodes[i].depth <= limit;
        let mut rank = 0usize;
        let mut stack = Vec::new();
        let mut cur = Some(0).filter(|&r| shown(r));
        let mut x = vec![None; n];
        loop {
            while let Some(c) = cur {
                if x[c].is_some() {
                    break;
                }
                stack.push(c);
                cur = self.nodes[c].left.filter(|&l| shown(l));
            }
            let Some(c) = stack.pop() else { break };
            x[c] = Some(rank as f32);
            rank += 1;
            cur = self.nodes[c].right.filter(|&r| shown(r));
        }
        self.x = x;
        self.shown = rank;
    }

    /// Top-left corner of node `i` in world coordinates.
    fn world_min(&self, i: usize) -> Option<Pos2> {
        self.x[i].map(|x| pos2(x * DX, self.nodes[i].depth as f32 * DY))
    }

    fn world_rect(&self, i: usize) -> Option<Rect> {
        self.world_min(i).map(|p| Rect::from_min_size(p, NODE))
    }

    /// The size of the whole drawing in world coordinates.
    fn world_size(&self) -> Vec2 {
        let depth = self
            .nodes
            .iter()
            .filter(|n| n.depth <= self.limit)
            .map(|n| n.depth)
            .max()
            .unwrap_or(0);
        vec2(
            (self.shown.max(1) - 1) as f32 * DX + NODE.x,
            depth as f32 * DY + NODE.y,
        )
    }
}

/// Nodes per row of the level listing on screen.
pub const PER_ROW: usize = 8;

/// Cuts every line of `text` (a [`tree_text`]) after each [`PER_ROW`] nodes.
fn listing_rows(text: &str) -> Vec<String> {
    let mut rows = Vec::new();
    for line in text.lines() {
        let mut parts = line.split(" [");
        let head = parts.next().unwrap_or_default();
        let nodes: Vec<&str> = parts.collect();
        if nodes.is_empty() {
            rows.push(line.to_string());
            continue;
        }
        let indent = " ".repeat(head.chars().count());
        for (i, chunk) in nodes.chunks(PER_ROW).enumerate() {
            let mut row = if i == 0 {
                head.to_string()
            } else {
                indent.clone()
            };
            for n in chunk {
                row.push_str(" [");
                row.push_str(n);
            }
            rows.push(row);
        }
    }
    rows
}

type PubResult = (u64, Result<PublicationView, String>);

pub struct TreesPanel {
    pub which: Tree,
    pub view: View,
    job: Task<Vec<Vec<TreeNode>>>,
    loaded: Option<(Tree, u64)>,
    pub levels: Vec<Vec<TreeNode>>,
    text: String,
    /// `text` cut for the screen: a level of more than [`PER_ROW`] nodes continues on
    /// indented rows (only the rows in view are laid out).
    rows: Vec<String>,
    layout: Layout,
    error: Option<String>,
    /// Levels drawn (the rest are collapsed into "+N" under their ancestors).
    pub max_levels: usize,
    /// World coordinate at the canvas's top-left, and screen points per world unit.
    offset: Vec2,
    zoom: f32,
    fit: bool,
    home: bool,
    center_on: Option<usize>,
    key_query: String,
    matches: Vec<usize>,
    match_i: usize,
    find_msg: Option<String>,
    selected: Option<usize>,
    hovered: Option<usize>,
    pubs: HashMap<u64, Result<PublicationView, String>>,
    pub_job: Task<PubResult>,
    /// Nodes drawn in the last frame (the rest fell outside the canvas).
    pub drawn: usize,
    /// World point at the centre of the canvas in the last frame.
    view_center: Option<Pos2>,
    saver: Export,
}

impl Default for TreesPanel {
    fn default() -> Self {
        TreesPanel {
            which: Tree::Seller,
            view: View::Drawing,
            job: Task::default(),
            loaded: None,
            levels: Vec::new(),
            text: String::new(),
            rows: Vec::new(),
            layout: Layout::default(),
            error: None,
            max_levels: 0,
            offset: Vec2::ZERO,
            zoom: 1.0,
            fit: true,
            home: false,
            center_on: None,
            key_query: String::new(),
            matches: Vec::new(),
            match_i: 0,
            find_msg: None,
            selected: None,
            hovered: None,
            pubs: HashMap::new(),
            pub_job: Task::default(),
            drawn: 0,
            view_center: None,
            saver: Export::default(),
        }
    }
}

fn signed(b: i32) -> String {
    format!("{b:+}")
}

fn link(o: Option<u64>) -> String {
    o.map_or("-".into(), |v| v.to_string())
}

impl TreesPanel {
    /// The shown nodes level by level, each level from left to right as drawn: (slot, key).
    pub fn drawn_levels(&self) -> Vec<Vec<(u64, u64)>> {
        self.layout
            .levels
            .iter()
            .map(|lv| {
                let mut v: Vec<(f32, u64, u64)> = lv
                    .iter()
                    .filter_map(|&i| {
                        self.layout.x[i]
                            .map(|x| (x, self.layout.nodes[i].v.slot, self.layout.nodes[i].v.key))
                    })
                    .collect();
                v.sort_by(|a, b| a.0.total_cmp(&b.0));
                v.into_iter().map(|(_, s, k)| (s, k)).collect()
            })
            .filter(|lv: &Vec<(u64, u64)>| !lv.is_empty())
            .collect()
    }

    /// Shows `levels` of the drawing (1 = only the root).
    pub fn set_max_levels(&mut self, levels: usize) {
        self.max_levels = levels.clamp(1, self.layout.height().max(1));
        let new_limit = self.max_levels - 1;
        // Keep the view on what it showed: the node nearest the centre of the canvas that is
        // drawn before and after stays where it was on screen.
        let l = &self.layout;
        let anchor = self
            .view_center
            .and_then(|c| {
                (0..l.nodes.len())
                    .filter(|&i| l.nodes[i].depth <= new_limit)
                    .filter_map(|i| l.world_rect(i).map(|r| (i, r.center().distance_sq(c))))
                    .min_by(|a, b| a.1.total_cmp(&b.1))
                    .map(|(i, _)| i)
            })
            .or(self.selected)
            .and_then(|i| l.world_rect(i).map(|r| (i, r.min)));
        self.layout.relayout(new_limit);
        if let Some((i, before)) = anchor
            && let Some(after) = self.layout.world_rect(i)
        {
            self.offset += after.min - before;
        }
    }

    /// Sets the zoom (1 = nodes at full size) and brings the root into view.
    pub fn zoom_to_root(&mut self, zoom: f32) {
        self.zoom = zoom.clamp(MIN_ZOOM, MAX_ZOOM);
        self.fit = false;
        self.home = true;
    }

    /// Finds the nodes with key `key` and brings the first into view.
    pub fn jump_to_key(&mut self, key: u64) {
        self.matches = self
            .layout
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.v.key == key)
            .map(|(i, _)| i)
            .collect();
        self.match_i = 0;
        if self.matches.is_empty() {
            self.find_msg = Some(format!("No hay ningún nodo con la clave {key}."));
        } else {
            self.find_msg = None;
            self.show_match();
        }
    }

    fn show_match(&mut self) {
        let Some(&i) = self.matches.get(self.match_i) else {
            return;
        };
        let depth = self.layout.nodes[i].depth;
        if depth + 1 > self.max_levels {
            self.set_max_levels(depth + 1);
        }
        self.selected = Some(i);
        self.center_on = Some(i);
        self.zoom = self.zoom.max(1.0);
        self.find_msg = Some(format!(
            "Clave {}: nodo {} de {} (nivel {depth}, posición {}).",
            self.layout.nodes[i].v.key,
            self.match_i + 1,
            self.matches.len(),
            self.layout.nodes[i].v.pos
        ));
    }

    fn load(&mut self, ctx: &egui::Context, env: &mut Env) {
        let which = self.which;
        self.loaded = Some((which, env.generation));
        self.job.run(ctx, env, move |m, _| m.tree(which));
    }

    pub fn ui(&mut self, ui: &mut Ui, env: &mut Env) {
        let ctx = ui.ctx().clone();
        // Read once; later changes of the share are announced, not reloaded under the
        // administrator's eyes (a big tree is a heavy read).
        if self.loaded.is_none_or(|(w, _)| w != self.which) && !self.job.running() {
            self.load(&ctx, env);
        }
        if let Some(r) = self.job.poll() {
            match r {
                Ok(levels) => self.set_levels(levels),
                Err(e) => self.error = Some(e),
            }
        }
        if let Some(Ok((pos, r))) = self.pub_job.poll() {
            self.pubs.insert(pos, r);
        }

        ui.horizontal_wrapped(|ui| {
            let before = self.which;
            ui.label(RichText::new("Índice:").strong());
            ui.selectable_value(
                &mut self.which,
                Tree::Seller,
                "por vendedor (PUBLICADOS.NTX_1)",
            );
            ui.selectable_value(
                &mut self.which,
                Tree::Category,
                "por categoría (PUBLICADOS.NTX_2)",
            );
            ui.selectable_value(&mut self.which, Tree::Orders, "de Explorar (ORDENES.NTX)")
                .on_hover_text(
                    "Índice nuestro: precio y antigüedad por categoría, condición y provincia. \
                     Se dibujan sus primeros niveles.",
                );
            ui.selectable_value(&mut self.which, Tree::Words, "de palabras (PALABRAS.NTX)")
                .on_hover_text("Índice nuestro: palabras del nombre y de la descripción.");
            if before != self.which {
                self.fit = true;
                self.max_levels = 0;
                self.selected = None;
                self.matches.clear();
                self.find_msg = None;
                self.load(&ctx, env);
            }
            ui.separator();
            tabs(
                ui,
                &mut self.view,
                &[
                    (View::Drawing, "Dibujo"),
                    (View::Listing, "Listado por niveles"),
                ],
            );
            ui.separator();
            if ui
                .add_enabled(!self.job.running(), egui::Button::new("Actualizar"))
                .clicked()
            {
                self.load(&ctx, env);
            }
            if self.job.running() {
                ui.spinner();
            } else if self.loaded.is_some_and(|(_, g)| g != env.generation) {
                ui.label(
                    RichText::new(
                        "La carpeta cambió desde esta lectura: «Actualizar» la vuelve a leer.",
                    )
                    .color(Color32::from_rgb(200, 140, 0)),
                );
            }
        });
        if let Some(e) = &self.error {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("No se pudo leer el árbol: {e}"),
            );
        }
        let n = self.layout.nodes.len();
        if n == 0 {
            if self.job.running() {
                busy(ui, "Leyendo el árbol…");
            } else if self.loaded.is_some() && self.error.is_none() {
                ui.label("El árbol está vacío: todavía no hay publicaciones.");
            }
            return;
        }
        match self.view {
            View::Drawing => self.drawing(ui, env),
            View::Listing => self.listing(ui),
        }
    }

    fn set_levels(&mut self, levels: Vec<Vec<TreeNode>>) {
        let same_shape = self.layout.height() == levels.len();
        self.text = tree_text(&levels);
        self.rows = listing_rows(&self.text);
        self.layout = Layout::build(&levels);
        self.levels = levels;
        self.error = None;
        if self.max_levels == 0 || !same_shape || self.max_levels > self.layout.height() {
            self.max_levels = self.layout.height();
        }
        self.layout.relayout(self.max_levels.max(1) - 1);
        self.selected = self.selected.filter(|&i| i < self.layout.nodes.len());
        self.matches.retain(|&i| i < self.layout.nodes.len());
    }

    fn listing(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            ui.label(format!(
                "Recorrido por niveles: {} en {}. Cada nodo: [nodo (registro del índice) clave pos (en PUBLICADOS.DAT) bal izq der padre].",
                counted(self.layout.nodes.len() as u64, "nodo", "nodos"),
                counted(self.layout.height() as u64, "nivel", "niveles")
            ));
        });
        let name = match self.which {
            Tree::Seller => "arbol-vendedores.txt",
            Tree::Category => "arbol-categorias.txt",
            Tree::Orders => "arbol-explorar.txt",
            Tree::Words => "arbol-palabras.txt",
        };
        let text = self.text.clone();
        self.saver.ui(ui, "Guardar el listado en", name, TEXT, || {
            text.into_bytes()
        });
        let row_height = ui.text_style_height(&egui::TextStyle::Monospace);
        egui::ScrollArea::both()
            .id_salt("listado-arbol")
            .auto_shrink([false, false])
            .show_rows(ui, row_height, self.rows.len(), |ui, range| {
                for row in &self.rows[range] {
                    ui.add(egui::Label::new(RichText::new(row).monospace()).extend());
                }
            });
    }

    /// The level listing as shown: each level of `tree_text` on one row, or on several when it
    /// has more than [`PER_ROW`] nodes (continuation rows are indented).
    pub fn listing_rows(&self) -> &[String] {
        &self.rows
    }

    fn drawing(&mut self, ui: &mut Ui, env: &mut Env) {
        let height = self.layout.height();
        ui.horizontal_wrapped(|ui| {
            let mut levels = self.max_levels;
            let r =
                ui.add(egui::Slider::new(&mut levels, 1..=height.max(1)).text("niveles visibles"));
            if r.changed() {
                self.set_max_levels(levels);
            }
            ui.separator();
            let r = field(ui, "Ir a la clave", &mut self.key_query, "id", 70.0);
            let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button("Buscar").clicked() || enter {
                match self.key_query.trim().parse::<u64>() {
                    Ok(k) => self.jump_to_key(k),
                    Err(_) => {
                        self.find_msg = Some(format!(
                            "«{}» no es una clave (un número).",
                            self.key_query.trim()
                        ))
                    }
                }
            }
            if self.matches.len() > 1 && ui.button("Siguiente").clicked() {
                self.match_i = (self.match_i + 1) % self.matches.len();
                self.show_match();
            }
            ui.separator();
            if ui.button("Alejar").clicked() {
                self.zoom = (self.zoom / 1.5).max(MIN_ZOOM);
            }
            if ui.button("Acercar").clicked() {
                self.zoom = (self.zoom * 1.5).min(MAX_ZOOM);
            }
            if ui.button("Ver todo").clicked() {
                self.fit = true;
            }
            if ui.button("Raíz").clicked() {
                self.home = true;
            }
        });
        ui.horizontal_wrapped(|ui| {
            ui.label(format!(
                "{}, {}; se muestran {} ({} dibujados en pantalla). Zoom {:.1} %. \
                 Color: azul balance 0, verde ±1, rojo desbalanceado.",
                counted(self.layout.nodes.len() as u64, "nodo", "nodos"),
                counted(height as u64, "nivel", "niveles"),
                self.layout.shown,
                self.drawn,
                self.zoom * 100.0
            ));
            ui.label(
                RichText::new("Arrastrar: mover · rueda: acercar o alejar · doble clic: ver todo · puntero sobre un nodo: sus datos")
                    .small()
                    .color(Color32::GRAY),
            );
        });
        if let Some(m) = &self.find_msg {
            ui.label(m);
        }
        if let Some(i) = self.selected {
            let v = &self.layout.nodes[i].v;
            ui.label(RichText::new(format!(
                "Nodo elegido: nodo {} · clave {} · pos {} · bal {} · altura {} · izq {} · der {} · padre {}",
                v.slot,
                v.key,
                v.pos,
                signed(v.balance),
                v.height,
                link(v.left),
                link(v.right),
                link(v.parent)
            ))
            .monospace());
        }
        self.canvas(ui, env);
    }

    fn canvas(&mut self, ui: &mut Ui, env: &mut Env) {
        let size = ui.available_size().max(vec2(200.0, 200.0));
        let (resp, painter) = ui.allocate_painter(size, Sense::click_and_drag());
        resp.widget_info(|| {
            egui::WidgetInfo::labeled(egui::accesskit::Role::Canvas, true, "Dibujo del árbol")
        });
        let rect = resp.rect;
        let visuals = ui.visuals().clone();
        painter.rect_filled(rect, 4.0, visuals.extreme_bg_color);
        let painter = painter.with_clip_rect(rect);
        let l = &self.layout;
        let ws = l.world_size();
        // Vertically the levels never get closer than what fills the canvas: zoomed out, a
        // wide tree is squeezed sideways only and keeps its shape.
        let y_fit = (rect.height() / (ws.y + 40.0)).min(1.0);
        let zy_of = |zoom: f32| zoom.max(y_fit);

        // Where to look.
        if self.fit {
            self.fit = false;
            self.zoom = (rect.width() / (ws.x + 40.0))
                .clamp(MIN_ZOOM, 1.0)
                .min(y_fit.max(MIN_ZOOM));
            self.offset = vec2(
                ws.x / 2.0 - rect.width() / (2.0 * self.zoom),
                -20.0 / zy_of(self.zoom),
            );
        }
        if self.home {
            self.home = false;
            if let Some(r) = l.world_rect(0) {
                self.offset = vec2(
                    r.center().x - rect.width() / (2.0 * self.zoom),
                    -24.0 / zy_of(self.zoom),
                );
            }
        }
        if let Some(i) = self.center_on.take()
            && let Some(r) = l.world_rect(i)
        {
            let z = vec2(self.zoom, zy_of(self.zoom));
            self.offset = r.center().to_vec2() - rect.size() / (2.0 * z);
        }
        // Pan and zoom.
        let z = vec2(self.zoom, zy_of(self.zoom));
        if resp.dragged() {
            self.offset -= resp.drag_delta() / z;
        }
        if resp.hovered() {
            // The wheel zooms around the pointer (as on a map); so do pinch and Ctrl + wheel.
            let (zoom_delta, scroll) = ui.input(|i| (i.zoom_delta(), i.smooth_scroll_delta()));
            let factor = zoom_delta * ((scroll.y + scroll.x) / 300.0).exp();
            if factor != 1.0
                && let Some(p) = resp.hover_pos()
            {
                let world = self.offset + (p - rect.min) / z;
                self.zoom = (self.zoom * factor).clamp(MIN_ZOOM, MAX_ZOOM);
                self.offset = world - (p - rect.min) / vec2(self.zoom, zy_of(self.zoom));
            }
        }
        if resp.double_clicked() {
            self.fit = true;
        }
        let (offset, zoom) = (self.offset, self.zoom);
        let z = vec2(zoom, zy_of(zoom));
        self.view_center = Some(offset.to_pos2() + rect.size() / (2.0 * z));
        // A node on screen: its centre follows both scales, its box keeps its proportions.
        let half = NODE * zoom / 2.0;
        let screen_rect = |i: usize| {
            l.world_rect(i).map(|r| {
                let c = rect.min + (r.center().to_vec2() - offset) * z;
                Rect::from_center_size(c, NODE * zoom)
            })
        };
        let canvas = rect.expand(4.0);

        // Edges first, then nodes over them; only what falls inside the canvas is painted.
        let edge = Stroke::new(
            (1.5 * zoom).clamp(0.5, 2.0),
            visuals
                .widgets
                .noninteractive
                .fg_stroke
                .color
                .gamma_multiply(0.6),
        );
        let small = FontId::proportional((11.0 * zoom).clamp(7.0, 16.0));
        let screen: Vec<Option<Rect>> = (0..l.nodes.len()).map(screen_rect).collect();
        for (i, node) in l.nodes.iter().enumerate() {
            let Some(r) = screen[i] else { continue };
            let from = pos2(r.center().x, r.center().y + half.y);
            for c in [node.left, node.right].into_iter().flatten() {
                if let Some(cr) = screen[c] {
                    let to = pos2(cr.center().x, cr.center().y - half.y);
                    if Rect::from_two_pos(from, to).intersects(canvas) {
                        painter.line_segment([from, to], edge);
                    }
                } else if canvas.contains(from) {
                    // Collapsed: how many nodes hang below.
                    let hidden: usize = [node.left, node.right]
                        .into_iter()
                        .flatten()
                        .map(|c| l.nodes[c].size)
                        .sum();
                    painter.text(
                        from + vec2(0.0, 6.0 * zoom.max(0.5)),
                        Align2::CENTER_TOP,
                        format!("+{hidden}"),
                        small.clone(),
                        visuals.weak_text_color(),
                    );
                    break;
                }
            }
        }
        let pointer = resp.hover_pos();
        let mut hovered = None;
        let mut drawn = 0;
        let detail = zoom >= 0.7;
        let key_only = zoom >= 0.3;
        let font_big = FontId::proportional(14.0 * zoom);
        let font_small = FontId::monospace(10.0 * zoom);
        let font_key = FontId::proportional((16.0 * zoom).max(7.0));
        let radius = (NODE.x * 0.5 * zoom).max(2.0);
        for (i, node) in l.nodes.iter().enumerate() {
            let Some(sr) = screen[i] else { continue };
            let sr = if key_only {
                sr
            } else {
                Rect::from_center_size(sr.center(), Vec2::splat(2.0 * radius))
            };
            if !sr.intersects(canvas) {
                continue;
            }
            drawn += 1;
            let hit = if key_only { sr } else { sr.expand(2.0) };
            if pointer.is_some_and(|p| hit.contains(p)) {
                hovered = Some(i);
            }
            let v = &node.v;
            let selected = self.selected == Some(i);
            let matched = self.matches.contains(&i);
            let fill = match v.balance {
                0 => Color32::from_rgb(70, 120, 190),
                1 | -1 => Color32::from_rgb(60, 150, 110),
                _ => Color32::from_rgb(200, 60, 50),
            };
            let stroke = if selected || hovered == Some(i) {
                Stroke::new(2.5, Color32::from_rgb(250, 200, 40))
            } else if matched {
                Stroke::new(2.0, Color32::from_rgb(250, 150, 40))
            } else {
                Stroke::new(1.0, fill.gamma_multiply(0.6))
            };
            if key_only {
                painter.rect_filled(sr, 4.0 * zoom, fill);
                painter.rect_stroke(sr, 4.0 * zoom, stroke, StrokeKind::Outside);
                if detail {
                    painter.text(
                        pos2(sr.center().x, sr.min.y + 3.0 * zoom),
                        Align2::CENTER_TOP,
                        v.key,
                        font_big.clone(),
                        Color32::WHITE,
                    );
                    let light = Color32::from_rgb(235, 235, 235);
                    let x = sr.center().x;
                    let pos = format!("pos {}", v.pos);
                    let bal = format!("bal {}", signed(v.balance));
                    painter.text(
                        pos2(x, sr.max.y - 16.0 * zoom),
                        Align2::CENTER_BOTTOM,
                        pos,
                        font_small.clone(),
                        light,
                    );
                    painter.text(
                        pos2(x, sr.max.y - 3.0 * zoom),
                        Align2::CENTER_BOTTOM,
                        bal,
                        font_small.clone(),
                        light,
                    );
                } else {
                    painter.text(
                        sr.center(),
                        Align2::CENTER_CENTER,
                        v.key,
                        font_key.clone(),
                        Color32::WHITE,
                    );
                }
            } else {
                painter.circle(sr.center(), radius, fill, stroke);
            }
        }
        self.drawn = drawn;
        self.hovered = hovered;
        if resp.clicked() {
            self.selected = hovered;
        }

        // The hovered node's data, and its publication (read on a worker thread once).
        if let Some(i) = hovered
            && !resp.dragged()
        {
            let v = l.nodes[i].v;
            let depth = l.nodes[i].depth;
            let size = l.nodes[i].size;
            if !self.pubs.contains_key(&v.pos) && !self.pub_job.running() {
                let pos = v.pos;
                self.pub_job.run(ui.ctx(), env, move |m, _| {
                    Ok((pos, m.publication(pos + 1).map_err(|e| e.to_string())))
                });
            }
            let key_label = self.which.key_label(v.key);
            let publication = self.pubs.get(&v.pos).cloned();
            resp.on_hover_ui_at_pointer(|ui| {
                ui.strong(format!("Nodo {} (nivel {depth})", v.slot));
                ui.label(format!("Clave: {key_label}"));
                ui.label(format!("Posición en PUBLICADOS.DAT: {}", v.pos));
                ui.label(format!(
                    "Balance: {} · altura {}",
                    signed(v.balance),
                    v.height
                ));
                ui.label(format!(
                    "Izquierdo {} · derecho {} · padre {}",
                    link(v.left),
                    link(v.right),
                    link(v.parent)
                ));
                ui.label(format!("Subárbol: {size} nodos"));
                ui.separator();
                match publication {
                    Some(Ok(p)) => {
                        ui.strong(format!("Publicación {}: {}", p.id, p.title));
                        ui.label(format!(
                            "Vendedor: {} ({}, id {})",
                            p.seller_name, p.seller_email, p.seller_id
                        ));
                        ui.label(format!("Categoría: {} {}", p.category, p.category_name));
                        ui.label(format!(
                            "Precio: {} · {}",
                            crate::domain::format::money(p.price_cents),
                            p.state_label
                        ));
                        ui.label(format!(
                            "Cierre: {}",
                            crate::domain::format::date_of_ms(p.closes_ms)
                        ));
                    }
                    Some(Err(e)) => {
                        ui.colored_label(ui.visuals().error_fg_color, e);
                    }
                    None => {
                        ui.label("Leyendo la publicación…");
                    }
                }
            });
        }
    }
}
