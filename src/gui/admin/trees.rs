//! "Estado de los ME" for the trees: the publication indexes (AVL by seller, AVL by category)
//! drawn as trees — nodes with key, data position and balance, edges to their children — with
//! pan and zoom, the node's data and its publication on hover, levels beyond a chosen depth
//! collapsed, and a jump to a key. Only what falls inside the canvas is drawn, so trees of
//! many thousands of nodes stay smooth. The same tree is also shown as the spec's line-by-line
//! level listing ([`tree_text`]).

use crate::domain::phrases::{counted, group_thousands};
use std::collections::HashMap;

use egui::{
    Align2, Color32, FontId, Pos2, Rect, RichText, Sense, Stroke, StrokeKind, Ui, Vec2, pos2, vec2,
};

use super::common::{RunAsAdmin, Task, busy, field, tabs};
use crate::domain::catalog::PublicationView;
use crate::domain::check::{Tree, TreeCut as Cut, tree_cut_note, tree_cuts, tree_text};
use crate::domain::views::TreeNode;
use crate::gui::dialogs::{Export, TEXT};
use crate::gui::env::Env;

/// Sizes of the drawing in world units (points at zoom 1).
#[derive(Debug, Clone, Copy)]
struct Geometry {
    /// Horizontal distance between neighbouring columns, vertical between levels.
    dx: f32,
    dy: f32,
    node: Vec2,
}

/// An AVL node shows a key, a position and a balance.
const AVL: Geometry = Geometry {
    dx: 68.0,
    dy: 96.0,
    node: vec2(62.0, 60.0),
};
/// A B+ node shows whether it is a leaf, a 20-digit key, a position and its entries.
const BTREE: Geometry = Geometry {
    dx: 166.0,
    dy: 150.0,
    node: vec2(154.0, 76.0),
};
/// Columns kept at most for a node's children that were not read (a B+ node has up to 127).
const MAX_RESERVED: usize = 256;
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
    /// AVL: its children on the next level (B+ trees: unused).
    left: Option<usize>,
    right: Option<usize>,
    /// Its children that were read, in level order (an AVL's left before its right): one edge
    /// to each.
    kids: Vec<usize>,
    parent: Option<usize>,
    /// Nodes in its subtree, itself included.
    size: usize,
}

/// The tree prepared for drawing: nodes in level order, and the x of each shown node in
/// columns. An AVL's x is its in-order rank among the shown nodes (no two nodes overlap and
/// every left subtree lies left of its parent); a B+ tree's comes from [`nary_layout`].
#[derive(Default)]
struct Layout {
    nodes: Vec<LNode>,
    levels: Vec<Vec<usize>>,
    /// Column of each shown node; `None` when below the depth limit.
    x: Vec<Option<f32>>,
    /// Nodes shown, and the columns they take.
    shown: usize,
    columns: usize,
    /// Depth limit the `x` were computed for.
    limit: usize,
    /// Laid out as a B+ tree (n-ary) rather than an AVL.
    btree: bool,
    /// Levels not shown whole.
    cuts: Vec<Cut>,
}

/// The n-ary layout of the B+ trees' drawing. `parents[d][i]` is the index on level `d - 1` of
/// the parent of the `i`-th node of level `d`; `None` (or an index that is not on that level:
/// links read from disk are not trusted) draws the node unlinked. `reserve[d][i]` (0 when
/// missing) is how many columns to keep after its children for children it has that were not
/// read (on a level cut short). Returns the column of each node, level by level, and the
/// columns used.
///
/// Each node gets a band of columns as wide as its subtree's widest point plus what it
/// reserves (at least one), its children's bands side by side inside it in level order, and
/// sits centred over its linked children (over its band when it has none, or reserves
/// columns): so nodes of one level are at least one column apart and no edge crosses another.
/// An unlinked node is laid out in the band of its left neighbour's parent (the first parent
/// when it has no left neighbour), without an edge.
pub(crate) fn nary_layout(
    parents: &[Vec<Option<usize>>],
    reserve: &[Vec<usize>],
) -> (Vec<Vec<f32>>, usize) {
    let reserved = |d: usize, i: usize| -> usize {
        reserve.get(d).and_then(|r| r.get(i)).copied().unwrap_or(0)
    };
    let h = parents.len();
    // The parent each node is linked to, and the one whose band it is laid out in.
    let mut linked: Vec<Vec<Option<usize>>> = Vec::with_capacity(h);
    let mut band: Vec<Vec<Option<usize>>> = Vec::with_capacity(h);
    for d in 0..h {
        let above = if d == 0 { 0 } else { parents[d - 1].len() };
        let mut l_row = Vec::with_capacity(parents[d].len());
        let mut b_row = Vec::with_capacity(parents[d].len());
        let mut left: Option<usize> = None;
        for &p in &parents[d] {
            let real = p.filter(|&p| p < above);
            let b = real.or(left).or((above > 0).then_some(0));
            if b.is_some() {
                left = b;
            }
            l_row.push(real);
            b_row.push(b);
        }
        linked.push(l_row);
        band.push(b_row);
    }
    let mut kids: Vec<Vec<Vec<usize>>> =
        parents.iter().map(|l| vec![Vec::new(); l.len()]).collect();
    for d in 1..h {
        for (i, b) in band[d].iter().enumerate() {
            if let Some(p) = *b {
                kids[d - 1][p].push(i);
            }
        }
    }
    // Widths from the bottom up.
    let mut width: Vec<Vec<usize>> = parents.iter().map(|l| vec![1; l.len()]).collect();
    for d in (0..h).rev() {
        for i in 0..width[d].len() {
            let w: usize = kids[d][i].iter().map(|&k| width[d + 1][k]).sum();
            width[d][i] = w.saturating_add(reserved(d, i)).max(1);
        }
    }
    // Bands from the top down: a node without a parent starts a band of its own at the right.
    let mut start: Vec<Vec<usize>> = parents.iter().map(|l| vec![0; l.len()]).collect();
    let mut columns = 0usize;
    for d in 0..h {
        for i in 0..start[d].len() {
            if band[d][i].is_none() {
                start[d][i] = columns;
                columns += width[d][i];
            }
        }
        if d + 1 < h {
            for i in 0..start[d].len() {
                let mut s = start[d][i];
                for &k in &kids[d][i] {
                    start[d + 1][k] = s;
                    s += width[d + 1][k];
                }
            }
        }
    }
    // Columns from the bottom up: centred over the linked children, else over the band.
    let mut x: Vec<Vec<f32>> = parents.iter().map(|l| vec![0.0; l.len()]).collect();
    for d in (0..h).rev() {
        for i in 0..x[d].len() {
            let mut linked_kids = kids[d][i].iter().filter(|&&k| linked[d + 1][k] == Some(i));
            let first = linked_kids.next().copied();
            let last = linked_kids.next_back().copied().or(first);
            x[d][i] = match (first, last) {
                (Some(f), Some(l)) if reserved(d, i) == 0 => (x[d + 1][f] + x[d + 1][l]) / 2.0,
                _ => start[d][i] as f32 + (width[d][i] - 1) as f32 / 2.0,
            };
        }
    }
    (x, columns)
}

impl Layout {
    fn build(levels: &[Vec<TreeNode>], btree: bool) -> Layout {
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
                    kids: Vec::new(),
                    parent: None,
                    size: 1,
                });
            }
            idx_levels.push(ids);
        }
        if btree {
            // A node's parent is on the level above (a damaged tree could say otherwise, or
            // name a slot twice: the first node of that slot on the level above is taken).
            for d in 1..idx_levels.len() {
                let mut above: HashMap<u64, usize> = HashMap::new();
                for &i in &idx_levels[d - 1] {
                    above.entry(nodes[i].v.slot).or_insert(i);
                }
                for &c in &idx_levels[d] {
                    if let Some(&p) = nodes[c].v.parent.and_then(|s| above.get(&s)) {
                        nodes[c].parent = Some(p);
                        nodes[p].kids.push(c);
                    }
                }
            }
        } else {
            let by_slot: HashMap<u64, usize> = nodes
                .iter()
                .enumerate()
                .map(|(i, n)| (n.v.slot, i))
                .collect();
            for i in 0..nodes.len() {
                let d = nodes[i].depth;
                // A child is on the next level (a damaged tree could say otherwise: ignore
                // that link).
                let child = |s: Option<u64>| {
                    s.and_then(|s| by_slot.get(&s).copied())
                        .filter(|&c| nodes[c].depth == d + 1)
                };
                let (l, r) = (child(nodes[i].v.left), child(nodes[i].v.right));
                nodes[i].left = l;
                nodes[i].right = r;
                nodes[i].kids = [l, r].into_iter().flatten().collect();
                for c in [l, r].into_iter().flatten() {
                    nodes[c].parent = Some(i);
                }
            }
        }
        // Parents come before their children in level order.
        for i in (0..nodes.len()).rev() {
            if let Some(p) = nodes[i].parent.filter(|&p| p < i) {
                nodes[p].size += nodes[i].size;
            }
        }
        let cuts = tree_cuts(levels);
        let mut l = Layout {
            nodes,
            levels: idx_levels,
            btree,
            cuts,
            ..Layout::default()
        };
        l.relayout(usize::MAX);
        l
    }

    fn height(&self) -> usize {
        self.levels.len()
    }

    fn geometry(&self) -> Geometry {
        if self.btree { BTREE } else { AVL }
    }

    /// Places the nodes of depth `<= limit`.
    fn relayout(&mut self, limit: usize) {
        let n = self.nodes.len();
        self.limit = limit;
        self.x = vec![None; n];
        self.shown = 0;
        self.columns = 0;
        if n == 0 {
            return;
        }
        if self.btree {
            let shown_levels = &self.levels[..self.levels.len().min(limit.saturating_add(1))];
            let mut at = vec![0usize; n];
            for lv in shown_levels {
                for (k, &i) in lv.iter().enumerate() {
                    at[i] = k;
                }
            }
            let parents: Vec<Vec<Option<usize>>> = shown_levels
                .iter()
                .map(|lv| {
                    lv.iter()
                        .map(|&i| self.nodes[i].parent.map(|p| at[p]))
                        .collect()
                })
                .collect();
            // On a level cut short (shown), room for the children that were not read: the
            // level keeps its shape. Counts come from disk: at most a B+ node's worth each.
            let reserve: Vec<Vec<usize>> = shown_levels
                .iter()
                .enumerate()
                .map(|(d, lv)| {
                    lv.iter()
                        .map(|&i| {
                            let n = &self.nodes[i];
                            if d + 1 < shown_levels.len() {
                                (n.v.children as usize)
                                    .saturating_sub(n.kids.len())
                                    .min(MAX_RESERVED)
                            } else {
                                0
                            }
                        })
                        .collect()
                })
                .collect();
            let (xs, columns) = nary_layout(&parents, &reserve);
            for (lv, xs) in shown_levels.iter().zip(xs) {
                for (&i, x) in lv.iter().zip(xs) {
                    self.x[i] = Some(x);
                }
                self.shown += lv.len();
            }
            self.columns = columns;
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
        self.columns = rank;
    }

    /// The edges drawn: (parent, child) for every shown child of a shown node.
    fn edges(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.nodes.iter().enumerate().flat_map(move |(i, n)| {
            n.kids
                .iter()
                .filter(move |&&c| self.x[i].is_some() && self.x[c].is_some())
                .map(move |&c| (i, c))
        })
    }

    /// Top-left corner of node `i` in world coordinates.
    fn world_min(&self, i: usize) -> Option<Pos2> {
        let g = self.geometry();
        self.x[i].map(|x| pos2(x * g.dx, self.nodes[i].depth as f32 * g.dy))
    }

    fn world_rect(&self, i: usize) -> Option<Rect> {
        self.world_min(i)
            .map(|p| Rect::from_min_size(p, self.geometry().node))
    }

    /// The size of the whole drawing in world coordinates.
    fn world_size(&self) -> Vec2 {
        let g = self.geometry();
        let depth = self
            .nodes
            .iter()
            .filter(|n| n.depth <= self.limit)
            .map(|n| n.depth)
            .max()
            .unwrap_or(0);
        vec2(
            (self.columns.max(1) - 1) as f32 * g.dx + g.node.x,
            depth as f32 * g.dy + g.node.y,
        )
    }
}

/// What a B+ node is: a leaf, or an inner node with its children.
fn btree_kind(v: &TreeNode) -> String {
    if v.children == 0 {
        "hoja".into()
    } else {
        format!(
            "interno · {}",
            counted(u64::from(v.children), "hijo", "hijos")
        )
    }
}

fn entries_of(v: &TreeNode) -> String {
    v.entries
        .map_or("-".into(), |e| counted(e, "entrada", "entradas"))
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
    /// The tree `layout` was built for.
    laid_out: Option<Tree>,
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
            laid_out: None,
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
            ui.selectable_value(&mut self.which, Tree::Orders, "de Explorar (ORDENES.IDX)")
                .on_hover_text(
                    "Índice nuestro, un árbol B+: precio y antigüedad por categoría, condición \
                     y provincia. Se dibujan sus primeros niveles.",
                );
            ui.selectable_value(&mut self.which, Tree::Words, "de palabras (PALABRAS.IDX)")
                .on_hover_text(
                    "Índice nuestro, un árbol B+: palabras del nombre y de la descripción.",
                );
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
        // The tree these levels were read from (the one asked for when the reading started).
        let which = self.loaded.map_or(self.which, |(w, _)| w);
        if self.laid_out != Some(which) {
            // Another tree: the view chosen for the last one (fitted while this one was read)
            // does not fit it.
            self.laid_out = Some(which);
            self.fit = true;
        }
        self.text = tree_text(which, &levels);
        self.rows = listing_rows(&self.text);
        self.layout = Layout::build(&levels, which.is_btree());
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
        ui.horizontal_wrapped(|ui| {
            ui.label(format!(
                "Recorrido por niveles: {} en {}. Cada nodo: [nodo (registro del índice) clave pos (en PUBLICADOS.DAT) bal izq der padre]{}.",
                counted(self.layout.nodes.len() as u64, "nodo", "nodos"),
                counted(self.layout.height() as u64, "nivel", "niveles"),
                if self.layout.btree {
                    "; en este árbol B+, izq y der son el primer y el último hijo"
                } else {
                    ""
                }
            ));
        });
        self.cut_notes(ui);
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

    /// The levels not read whole, each on a line of its own.
    fn cut_notes(&self, ui: &mut Ui) {
        let color = Color32::from_rgb(200, 140, 0);
        for c in &self.layout.cuts {
            let text = tree_cut_note(c);
            ui.label(RichText::new(text).color(color));
        }
    }

    /// Cuts of the drawing: levels not shown whole (see [`Cut`]).
    pub fn cuts(&self) -> &[Cut] {
        &self.layout.cuts
    }

    /// The edges drawn, as (parent slot, child slot).
    pub fn drawn_edges(&self) -> Vec<(u64, u64)> {
        let l = &self.layout;
        l.edges()
            .map(|(p, c)| (l.nodes[p].v.slot, l.nodes[c].v.slot))
            .collect()
    }

    /// The column of each shown node, level by level in level order: (slot, x).
    pub fn drawn_columns(&self) -> Vec<Vec<(u64, f32)>> {
        let l = &self.layout;
        l.levels
            .iter()
            .map(|lv| {
                lv.iter()
                    .filter_map(|&i| l.x[i].map(|x| (l.nodes[i].v.slot, x)))
                    .collect::<Vec<_>>()
            })
            .filter(|lv| !lv.is_empty())
            .collect()
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
                "{}, {}; se muestran {} ({} dibujados en pantalla). Zoom {:.1} %. {}",
                counted(self.layout.nodes.len() as u64, "nodo", "nodos"),
                counted(height as u64, "nivel", "niveles"),
                group_thousands(self.layout.shown as u64),
                group_thousands(self.drawn as u64),
                self.zoom * 100.0,
                if self.layout.btree {
                    "Árbol B+. Violeta: nodo interno; verde: hoja. Clave: la primera del nodo \
                     (de uno interno, la de su 2.º hijo)."
                } else {
                    "Color: azul balance 0, verde ±1, rojo desbalanceado."
                }
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
        self.cut_notes(ui);
        if let Some(i) = self.selected
            && self.layout.btree
        {
            let v = &self.layout.nodes[i].v;
            ui.label(
                RichText::new(format!(
                    "Nodo elegido: nodo {} · {} · {} · clave {} · pos {} · altura {} · \
                     primer hijo {} · último hijo {} · padre {}",
                    v.slot,
                    btree_kind(v),
                    entries_of(v),
                    v.key,
                    v.pos,
                    v.height,
                    link(v.left),
                    link(v.right),
                    link(v.parent)
                ))
                .monospace(),
            );
        } else if let Some(i) = self.selected {
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
            // A B+ node's children are what one looks for under it: on a short canvas the
            // node goes up (not above its own height) so that they fit below it.
            let at = if l.btree {
                let top = r.height() * self.zoom / 2.0 + 24.0;
                let below = l.geometry().dy * z.y + r.height() * self.zoom / 2.0 + 16.0;
                let y = (rect.height() - below).max(top).min(rect.height() / 2.0);
                vec2(rect.width() / 2.0, y)
            } else {
                rect.size() / 2.0
            };
            self.offset = r.center().to_vec2() - at / z;
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
        let node_size = l.geometry().node;
        let half = node_size * zoom / 2.0;
        let screen_rect = |i: usize| {
            l.world_rect(i).map(|r| {
                let c = rect.min + (r.center().to_vec2() - offset) * z;
                Rect::from_center_size(c, node_size * zoom)
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
            let mut any_shown = false;
            for &c in &node.kids {
                if let Some(cr) = screen[c] {
                    any_shown = true;
                    let to = pos2(cr.center().x, cr.center().y - half.y);
                    if Rect::from_two_pos(from, to).intersects(canvas) {
                        painter.line_segment([from, to], edge);
                    }
                }
            }
            // Collapsed (below the levels shown) or not read: how many nodes hang below.
            let unread = (node.v.children as usize).saturating_sub(node.kids.len());
            if !any_shown && (unread > 0 || !node.kids.is_empty()) && canvas.contains(from) {
                let hidden: usize =
                    node.kids.iter().map(|&c| l.nodes[c].size).sum::<usize>() + unread;
                painter.text(
                    from + vec2(0.0, 6.0 * zoom.max(0.5)),
                    Align2::CENTER_TOP,
                    format!("+{hidden}"),
                    small.clone(),
                    visuals.weak_text_color(),
                );
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
        // Zoomed far out a node is a dot; a B+ tree's few inner nodes stay visible over the fan
        // of their edges.
        let radius = (AVL.node.x * 0.5 * zoom).max(if l.btree { 3.0 } else { 2.0 });
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
                _ if l.btree && v.children > 0 => Color32::from_rgb(120, 90, 180),
                _ if l.btree => Color32::from_rgb(60, 150, 110),
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
            if key_only && l.btree {
                painter.rect_filled(sr, 4.0 * zoom, fill);
                painter.rect_stroke(sr, 4.0 * zoom, stroke, StrokeKind::Outside);
                let light = Color32::from_rgb(235, 235, 235);
                let x = sr.center().x;
                let kind = btree_kind(v);
                if detail {
                    // Four lines: what it is, its first key, its position, its entries.
                    let line = |k: f32| pos2(x, sr.min.y + (4.0 + 18.0 * k) * zoom);
                    painter.text(
                        line(0.0),
                        Align2::CENTER_TOP,
                        kind,
                        font_big.clone(),
                        Color32::WHITE,
                    );
                    painter.text(
                        line(1.0),
                        Align2::CENTER_TOP,
                        v.key,
                        font_small.clone(),
                        light,
                    );
                    painter.text(
                        line(2.0),
                        Align2::CENTER_TOP,
                        format!("pos {}", v.pos),
                        font_small.clone(),
                        light,
                    );
                    painter.text(
                        line(3.0),
                        Align2::CENTER_TOP,
                        entries_of(v),
                        font_small.clone(),
                        light,
                    );
                } else {
                    let short = if v.children > 0 {
                        counted(u64::from(v.children), "hijo", "hijos")
                    } else {
                        "hoja".into()
                    };
                    painter.text(
                        sr.center(),
                        Align2::CENTER_CENTER,
                        short,
                        FontId::proportional((24.0 * zoom).clamp(9.0, 16.0)),
                        Color32::WHITE,
                    );
                }
            } else if key_only {
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
            let btree = l.btree;
            resp.on_hover_ui_at_pointer(|ui| {
                ui.strong(format!("Nodo {} (nivel {depth})", v.slot));
                if btree {
                    ui.label(format!("{} · {}", btree_kind(&v), entries_of(&v)));
                    ui.label(format!(
                        "{}: {key_label}",
                        if v.children > 0 {
                            "Clave (la primera de su 2.º hijo)"
                        } else {
                            "Clave (su primera entrada)"
                        }
                    ));
                    ui.label(format!("Posición en PUBLICADOS.DAT: {}", v.pos));
                    ui.label(format!(
                        "Altura {} · primer hijo {} · último hijo {} · padre {}",
                        v.height,
                        link(v.left),
                        link(v.right),
                        link(v.parent)
                    ));
                } else {
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
                }
                ui.label(format!(
                    "Subárbol: {}",
                    counted(size as u64, "nodo", "nodos")
                ));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks the n-ary layout's promises on `parents`: nodes of a level at least a column
    /// apart, linked children in level order left to right, each parent centred over them.
    fn sound(parents: &[Vec<Option<usize>>]) -> Vec<Vec<f32>> {
        let (x, columns) = nary_layout(parents, &[]);
        assert_eq!(x.len(), parents.len());
        for (d, row) in x.iter().enumerate() {
            assert_eq!(row.len(), parents[d].len());
            let mut sorted = row.clone();
            sorted.sort_by(f32::total_cmp);
            for w in sorted.windows(2) {
                assert!(w[1] - w[0] >= 1.0 - 1e-4, "level {d}: {row:?}");
            }
            for &c in row {
                assert!(
                    c >= 0.0 && c <= columns.max(1) as f32 - 1.0,
                    "{c} of {columns}"
                );
            }
            if d == 0 {
                continue;
            }
            for (p, &px) in x[d - 1].iter().enumerate() {
                let kids: Vec<f32> = (0..row.len())
                    .filter(|&i| parents[d][i] == Some(p))
                    .map(|i| row[i])
                    .collect();
                if kids.is_empty() {
                    continue;
                }
                assert!(kids.windows(2).all(|w| w[0] < w[1]), "{kids:?}");
                let mid = (kids[0] + kids[kids.len() - 1]) / 2.0;
                assert!((px - mid).abs() < 1e-4, "level {d} parent {p}");
            }
        }
        x
    }

    /// Level `d` of a tree whose nodes of level `d - 1` have `fanout[i]` children each.
    fn level(fanout: &[usize]) -> Vec<Option<usize>> {
        fanout
            .iter()
            .enumerate()
            .flat_map(|(p, &n)| std::iter::repeat_n(Some(p), n))
            .collect()
    }

    #[test]
    fn an_nary_tree_is_laid_out_centred_and_in_order() {
        // A root of 3, children of 4, 1 and 3, then leaves under each.
        let l1 = level(&[3]);
        let l2 = level(&[4, 1, 3]);
        let l3 = level(&[2, 3, 1, 5, 2, 2, 1, 4]);
        let x = sound(&[vec![None], l1, l2.clone(), l3.clone()]);
        // The deepest level fills the columns one by one.
        assert_eq!(x[3], (0..l3.len()).map(|i| i as f32).collect::<Vec<_>>());
        // Every level is left to right in level order.
        for row in &x {
            assert!(row.windows(2).all(|w| w[0] < w[1]), "{row:?}");
        }
        assert_eq!(nary_layout(&[vec![None], level(&[3]), l2, l3], &[]).1, 20);
    }

    #[test]
    fn a_level_cut_short_keeps_room_for_the_children_not_read() {
        // Three inner nodes of 4 children each; the walk stopped after 5 nodes of the third
        // level (4 under the first, 1 under the second).
        let parents = [
            vec![None],
            level(&[3]),
            vec![Some(0); 4].into_iter().chain([Some(1)]).collect(),
        ];
        let x = sound(&parents);
        assert_eq!(x[1][2], x[1][1] + 1.0, "without room, a column apart");
        assert!(x[0][0] > x[1][0] && x[0][0] < x[1][2]);
        // With room for the 3 + 4 not read, the inner level is evenly spread, as if whole.
        let (x, columns) = nary_layout(&parents, &[vec![0], vec![0, 3, 4], vec![0; 5]]);
        assert_eq!(columns, 12);
        assert_eq!(x[2], vec![0.0, 1.0, 2.0, 3.0, 4.0]);
        assert_eq!(x[1], vec![1.5, 5.5, 9.5]);
        assert_eq!(x[0][0], 5.5);
    }

    #[test]
    fn odd_parent_links_are_drawn_unlinked_without_overlaps() {
        for parents in [
            // Parent off the level above, unlinked in the middle and first, links out of order.
            vec![
                vec![None],
                vec![Some(0), Some(7), None, Some(0)],
                vec![None, Some(3), Some(0), Some(usize::MAX), Some(1), Some(0)],
            ],
            // A second root, an empty level, nodes under it.
            vec![vec![None, None], vec![], vec![Some(0), None]],
            vec![],
            vec![vec![]],
        ] {
            let (x, _) = nary_layout(&parents, &[]);
            for (d, row) in x.iter().enumerate() {
                let mut sorted = row.clone();
                sorted.sort_by(f32::total_cmp);
                assert!(
                    sorted.windows(2).all(|w| w[1] - w[0] >= 1.0 - 1e-4),
                    "{parents:?} level {d}: {row:?}"
                );
            }
        }
    }

    fn node(slot: u64, parent: Option<u64>, children: u32) -> TreeNode {
        TreeNode {
            slot,
            key: slot * 10,
            pos: slot,
            balance: 0,
            height: 0,
            left: None,
            right: None,
            parent,
            children,
            entries: Some(1),
        }
    }

    #[test]
    fn the_btree_drawing_links_every_shown_child_and_counts_what_is_cut() {
        // Root 9 of 3 inner nodes (slots 5, 6, 7) of 3, 2 and 4 leaves; the walk read 7 leaves.
        let levels = vec![
            vec![node(9, None, 3)],
            vec![
                node(5, Some(9), 3),
                node(6, Some(9), 2),
                node(7, Some(9), 4),
            ],
            (0..7)
                .map(|i| node(100 + i, Some([5, 5, 5, 6, 6, 7, 7][i as usize]), 0))
                .collect::<Vec<_>>(),
        ];
        let mut l = Layout::build(&levels, true);
        let edges: Vec<(u64, u64)> = l
            .edges()
            .map(|(p, c)| (l.nodes[p].v.slot, l.nodes[c].v.slot))
            .collect();
        for lv in &levels[1..] {
            for n in lv {
                assert!(edges.contains(&(n.parent.unwrap(), n.slot)), "{edges:?}");
            }
        }
        assert_eq!(edges.len(), 3 + 7);
        assert_eq!(
            l.cuts,
            vec![Cut {
                level: 2,
                shown: 7,
                total: 9
            }]
        );
        // The console's listing says the same of the cut level.
        let text = tree_text(Tree::Orders, &levels);
        assert!(
            text.contains("Nivel 2: se muestran 7 de 9 nodos; quedan 2 sin mostrar"),
            "{text}"
        );
        // Each parent centred over its children, the root over its first and last.
        let x = |slot: u64| l.x[l.nodes.iter().position(|n| n.v.slot == slot).unwrap()].unwrap();
        assert_eq!(x(5), x(101));
        assert_eq!(x(6), (x(103) + x(104)) / 2.0);
        // Node 7 has 4 children, 2 read: it keeps room for the other 2 and sits over all 4.
        assert_eq!(x(7), x(105) + 1.5);
        assert_eq!(l.columns, 3 + 2 + 4);
        assert_eq!(x(9), (x(5) + x(7)) / 2.0);
        for (a, b) in [
            (100, 101),
            (101, 102),
            (102, 103),
            (103, 104),
            (5, 6),
            (6, 7),
        ] {
            assert!(x(b) - x(a) >= 1.0);
        }
        // Two levels only: the leaves are hidden, no edge goes to them.
        l.relayout(1);
        assert_eq!(l.edges().count(), 3);
        assert_eq!(l.shown, 4);
        assert_eq!(l.columns, 3);
    }

    #[test]
    fn an_avl_keeps_its_left_and_right() {
        // 2 with a lone right child 3, whose lone left child is 4.
        let mut a = node(2, None, 1);
        a.right = Some(3);
        let mut b = node(3, Some(2), 1);
        b.left = Some(4);
        let c = node(4, Some(3), 0);
        let l = Layout::build(&[vec![a], vec![b], vec![c]], false);
        let x: Vec<f32> = l.x.iter().map(|x| x.unwrap()).collect();
        assert!(x[1] > x[0], "a lone right child sits right: {x:?}");
        assert!(x[2] < x[1], "a lone left child sits left: {x:?}");
        assert_eq!(l.edges().count(), 2);
    }
}
