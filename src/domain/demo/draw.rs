//! A small anti-aliased vector rasteriser for the demo's pictures: every shape becomes a set of
//! polygons (circles and arcs are flattened), filled with the non-zero rule at four sub-scanlines
//! per pixel row with exact horizontal coverage, and blended onto a floating-point RGB canvas.
//! Its cost is proportional to the area the shapes cover, so a picture takes milliseconds.

use std::f32::consts::TAU;

/// A colour, components in 0..=1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rgb(pub f32, pub f32, pub f32);

impl Rgb {
    pub const fn hex(v: u32) -> Rgb {
        Rgb(
            ((v >> 16) & 0xff) as f32 / 255.0,
            ((v >> 8) & 0xff) as f32 / 255.0,
            (v & 0xff) as f32 / 255.0,
        )
    }
    pub fn mix(self, o: Rgb, t: f32) -> Rgb {
        Rgb(
            self.0 + (o.0 - self.0) * t,
            self.1 + (o.1 - self.1) * t,
            self.2 + (o.2 - self.2) * t,
        )
    }
    /// Darker by `t` (0 = same, 1 = black).
    pub fn dark(self, t: f32) -> Rgb {
        self.mix(Rgb(0.0, 0.0, 0.0), t)
    }
    /// Lighter by `t` (0 = same, 1 = white).
    pub fn light(self, t: f32) -> Rgb {
        self.mix(Rgb(1.0, 1.0, 1.0), t)
    }
}

pub const WHITE: Rgb = Rgb(1.0, 1.0, 1.0);
pub const BLACK: Rgb = Rgb(0.0, 0.0, 0.0);

/// How a shape is filled.
#[derive(Debug, Clone, Copy)]
pub enum Paint {
    Solid(Rgb),
    /// A linear gradient from `c0` at point `p0` to `c1` at `p1` (local coordinates).
    Linear {
        p0: P,
        c0: Rgb,
        p1: P,
        c1: Rgb,
    },
}

impl From<Rgb> for Paint {
    fn from(c: Rgb) -> Paint {
        Paint::Solid(c)
    }
}

/// A point.
pub type P = (f32, f32);

/// A 2-D affine transform: `x' = a x + c y + e`, `y' = b x + d y + f`.
#[derive(Debug, Clone, Copy)]
pub struct Xf {
    pub a: f32,
    pub b: f32,
    pub c: f32,
    pub d: f32,
    pub e: f32,
    pub f: f32,
}

impl Xf {
    pub const ID: Xf = Xf {
        a: 1.0,
        b: 0.0,
        c: 0.0,
        d: 1.0,
        e: 0.0,
        f: 0.0,
    };
    pub fn apply(&self, (x, y): P) -> P {
        (
            self.a * x + self.c * y + self.e,
            self.b * x + self.d * y + self.f,
        )
    }
    /// `self` after `o` (o is applied first).
    pub fn then(&self, o: &Xf) -> Xf {
        Xf {
            a: self.a * o.a + self.c * o.b,
            b: self.b * o.a + self.d * o.b,
            c: self.a * o.c + self.c * o.d,
            d: self.b * o.c + self.d * o.d,
            e: self.a * o.e + self.c * o.f + self.e,
            f: self.b * o.e + self.d * o.f + self.f,
        }
    }
    pub fn translate(x: f32, y: f32) -> Xf {
        Xf {
            e: x,
            f: y,
            ..Xf::ID
        }
    }
    pub fn scale(sx: f32, sy: f32) -> Xf {
        Xf {
            a: sx,
            d: sy,
            ..Xf::ID
        }
    }
    pub fn rotate(rad: f32) -> Xf {
        let (s, c) = rad.sin_cos();
        Xf {
            a: c,
            b: s,
            c: -s,
            d: c,
            e: 0.0,
            f: 0.0,
        }
    }
    /// The inverse (for gradients given in local coordinates).
    fn inverse(&self) -> Xf {
        let det = self.a * self.d - self.b * self.c;
        let det = if det.abs() < 1e-12 { 1e-12 } else { det };
        let (a, b, c, d) = (self.d / det, -self.b / det, -self.c / det, self.a / det);
        Xf {
            a,
            b,
            c,
            d,
            e: -(a * self.e + c * self.f),
            f: -(b * self.e + d * self.f),
        }
    }
}

/// A floating-point RGB canvas with a current transform.
pub struct Canvas {
    pub w: u32,
    pub h: u32,
    px: Vec<Rgb>,
    /// Local → pixel coordinates.
    pub xf: Xf,
    cov: Vec<f32>,
}

const SUB: usize = 4;

impl Canvas {
    pub fn new(w: u32, h: u32, bg: Rgb) -> Canvas {
        Canvas {
            w,
            h,
            px: vec![bg; (w * h) as usize],
            xf: Xf::ID,
            cov: vec![0.0; w as usize + 2],
        }
    }

    /// Runs `f` with `t` applied (in local coordinates) on top of the current transform.
    pub fn with(&mut self, t: Xf, f: impl FnOnce(&mut Canvas)) {
        let saved = self.xf;
        self.xf = saved.then(&t);
        f(self);
        self.xf = saved;
    }

    /// A vertical gradient over the whole canvas (pixel rows), for backgrounds.
    pub fn vertical_gradient(&mut self, top: Rgb, bottom: Rgb) {
        let h = self.h.max(2) as f32 - 1.0;
        for y in 0..self.h {
            let c = top.mix(bottom, y as f32 / h);
            let row = (y * self.w) as usize;
            self.px[row..row + self.w as usize].fill(c);
        }
    }

    /// Fills the union of the subpaths (non-zero rule) with `paint` at opacity `alpha`.
    pub fn fill(&mut self, paths: &[Vec<P>], paint: impl Into<Paint>, alpha: f32) {
        let paint = paint.into();
        // Edges in pixel coordinates: (x0, y0, x1, y1, winding).
        let mut edges: Vec<(f32, f32, f32, f32, f32)> = Vec::new();
        let (mut minx, mut miny, mut maxx, mut maxy) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for path in paths {
            let n = path.len();
            if n < 3 {
                continue;
            }
            let pts: Vec<P> = path.iter().map(|&p| self.xf.apply(p)).collect();
            for i in 0..n {
                let (x0, y0) = pts[i];
                let (x1, y1) = pts[(i + 1) % n];
                minx = minx.min(x0);
                maxx = maxx.max(x0);
                miny = miny.min(y0);
                maxy = maxy.max(y0);
                if y0 == y1 {
                    continue;
                }
                if y0 < y1 {
                    edges.push((x0, y0, x1, y1, 1.0));
                } else {
                    edges.push((x1, y1, x0, y0, -1.0));
                }
            }
        }
        if edges.is_empty() {
            return;
        }
        let y_start = miny.floor().max(0.0) as i64;
        let y_end = (maxy.ceil() as i64).min(self.h as i64);
        let x_start = minx.floor().max(0.0) as i64;
        let x_end = (maxx.ceil() as i64 + 1).min(self.w as i64);
        if y_start >= y_end || x_start >= x_end {
            return;
        }
        let inv = self.xf.inverse();
        let mut cross: Vec<(f32, f32)> = Vec::with_capacity(16);
        let mut row_edges: Vec<(f32, f32, f32, f32, f32)> = Vec::with_capacity(edges.len());
        for y in y_start..y_end {
            let (xs, xe) = (x_start as usize, x_end as usize);
            let (yt, yb) = (y as f32, y as f32 + 1.0);
            row_edges.clear();
            row_edges.extend(edges.iter().filter(|e| e.1 < yb && e.3 > yt));
            if row_edges.len() < 2 {
                continue;
            }
            self.cov[xs..xe].fill(0.0);
            let (mut lo, mut hi) = (usize::MAX, 0usize);
            for s in 0..SUB {
                let yy = y as f32 + (s as f32 + 0.5) / SUB as f32;
                cross.clear();
                for &(x0, y0, x1, y1, w) in &row_edges {
                    if yy >= y0 && yy < y1 {
                        cross.push((x0 + (yy - y0) / (y1 - y0) * (x1 - x0), w));
                    }
                }
                if cross.len() < 2 {
                    continue;
                }
                cross.sort_by(|a, b| a.0.total_cmp(&b.0));
                let mut wind = 0.0;
                for i in 0..cross.len() - 1 {
                    wind += cross[i].1;
                    if wind != 0.0 {
                        let a = cross[i].0.max(xs as f32);
                        let b = cross[i + 1].0.min(xe as f32);
                        if b > a {
                            self.span(a, b, 1.0 / SUB as f32);
                            lo = lo.min(a as usize);
                            hi = hi.max(b.ceil() as usize);
                        }
                    }
                }
            }
            if lo >= hi {
                continue;
            }
            let row = y as usize * self.w as usize;
            for x in lo..hi.min(self.w as usize) {
                let c = self.cov[x].min(1.0) * alpha;
                if c <= 0.0 {
                    continue;
                }
                let col = match paint {
                    Paint::Solid(c) => c,
                    Paint::Linear { p0, c0, p1, c1 } => {
                        let (lx, ly) = inv.apply((x as f32 + 0.5, y as f32 + 0.5));
                        let (dx, dy) = (p1.0 - p0.0, p1.1 - p0.1);
                        let len2 = (dx * dx + dy * dy).max(1e-9);
                        let t = (((lx - p0.0) * dx + (ly - p0.1) * dy) / len2).clamp(0.0, 1.0);
                        c0.mix(c1, t)
                    }
                };
                let d = &mut self.px[row + x];
                *d = d.mix(col, c);
            }
        }
    }

    /// Adds `weight` × the covered length of [a, b) to each pixel of the coverage row.
    fn span(&mut self, a: f32, b: f32, weight: f32) {
        let ia = a.floor() as usize;
        let ib = b.floor() as usize;
        if ia == ib {
            self.cov[ia] += (b - a) * weight;
            return;
        }
        self.cov[ia] += (ia as f32 + 1.0 - a) * weight;
        for c in &mut self.cov[ia + 1..ib] {
            *c += weight;
        }
        if ib < self.cov.len() {
            self.cov[ib] += (b - ib as f32) * weight;
        }
    }

    /// A soft shadow: concentric ellipses of low opacity.
    pub fn shadow(&mut self, cx: f32, cy: f32, rx: f32, ry: f32, strength: f32) {
        for i in 0..6 {
            let k = 1.0 + i as f32 * 0.12;
            self.fill(&[ellipse(cx, cy, rx * k, ry * k)], BLACK, strength / 6.0);
        }
    }

    /// The canvas as 8-bit RGB.
    pub fn to_image(&self) -> image::RgbImage {
        let mut out = image::RgbImage::new(self.w, self.h);
        for (d, s) in out.pixels_mut().zip(&self.px) {
            let q = |v: f32| (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8;
            *d = image::Rgb([q(s.0), q(s.1), q(s.2)]);
        }
        out
    }
}

// ---- shapes (local coordinates) ------------------------------------------------------------

fn segments(r: f32) -> usize {
    // Enough segments for a smooth outline at picture scale.
    ((r.abs() * 90.0).sqrt() as usize).clamp(24, 96)
}

pub fn ellipse(cx: f32, cy: f32, rx: f32, ry: f32) -> Vec<P> {
    let n = segments(rx.max(ry) * 60.0);
    (0..n)
        .map(|i| {
            let a = i as f32 / n as f32 * TAU;
            (cx + rx * a.cos(), cy + ry * a.sin())
        })
        .collect()
}

pub fn circle(cx: f32, cy: f32, r: f32) -> Vec<P> {
    ellipse(cx, cy, r, r)
}

/// A ring (annulus): the outer circle and the inner one reversed.
pub fn ring(cx: f32, cy: f32, r_out: f32, r_in: f32) -> Vec<Vec<P>> {
    let mut inner = circle(cx, cy, r_in);
    inner.reverse();
    vec![circle(cx, cy, r_out), inner]
}

/// A band between radii `r0 < r1` from angle `a0` to `a1` (radians, clockwise on screen).
pub fn arc_band(cx: f32, cy: f32, r0: f32, r1: f32, a0: f32, a1: f32) -> Vec<P> {
    let n = (segments(r1 * 60.0) as f32 * ((a1 - a0).abs() / TAU))
        .ceil()
        .max(4.0) as usize;
    let mut v = Vec::with_capacity(2 * n + 2);
    for i in 0..=n {
        let a = a0 + (a1 - a0) * i as f32 / n as f32;
        v.push((cx + r1 * a.cos(), cy + r1 * a.sin()));
    }
    for i in (0..=n).rev() {
        let a = a0 + (a1 - a0) * i as f32 / n as f32;
        v.push((cx + r0 * a.cos(), cy + r0 * a.sin()));
    }
    v
}

pub fn rect(x: f32, y: f32, w: f32, h: f32) -> Vec<P> {
    vec![(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
}

/// A rectangle with rounded corners of radius `r`.
pub fn rrect(x: f32, y: f32, w: f32, h: f32, r: f32) -> Vec<P> {
    let r = r.min(w / 2.0).min(h / 2.0).max(0.0);
    if r <= 0.0 {
        return rect(x, y, w, h);
    }
    let mut v = Vec::new();
    let corners = [
        (x + w - r, y + r, -0.25),
        (x + w - r, y + h - r, 0.0),
        (x + r, y + h - r, 0.25),
        (x + r, y + r, 0.5),
    ];
    for (cx, cy, start) in corners {
        for i in 0..=8 {
            let a = (start + 0.25 * i as f32 / 8.0) * TAU;
            v.push((cx + r * a.cos(), cy + r * a.sin()));
        }
    }
    v
}

/// A straight stroke of width `w` from `p` to `q`, with round ends.
pub fn line(p: P, q: P, w: f32) -> Vec<Vec<P>> {
    let (dx, dy) = (q.0 - p.0, q.1 - p.1);
    let len = (dx * dx + dy * dy).sqrt().max(1e-6);
    let (nx, ny) = (-dy / len * w / 2.0, dx / len * w / 2.0);
    vec![
        vec![
            (p.0 + nx, p.1 + ny),
            (q.0 + nx, q.1 + ny),
            (q.0 - nx, q.1 - ny),
            (p.0 - nx, p.1 - ny),
        ],
        circle(p.0, p.1, w / 2.0),
        circle(q.0, q.1, w / 2.0),
    ]
}

/// A polyline of width `w` with round joins.
pub fn polyline(pts: &[P], w: f32) -> Vec<Vec<P>> {
    let mut out = Vec::new();
    for pair in pts.windows(2) {
        out.extend(line(pair[0], pair[1], w));
    }
    out
}

/// A smooth closed outline through `pts` (Catmull-Rom, `k` points per segment).
pub fn smooth(pts: &[P], k: usize) -> Vec<P> {
    let n = pts.len();
    let mut out = Vec::with_capacity(n * k);
    for i in 0..n {
        let p0 = pts[(i + n - 1) % n];
        let p1 = pts[i];
        let p2 = pts[(i + 1) % n];
        let p3 = pts[(i + 2) % n];
        for j in 0..k {
            let t = j as f32 / k as f32;
            let (t2, t3) = (t * t, t * t * t);
            let f = |a: f32, b: f32, c: f32, d: f32| {
                0.5 * (2.0 * b
                    + (-a + c) * t
                    + (2.0 * a - 5.0 * b + 4.0 * c - d) * t2
                    + (-a + 3.0 * b - 3.0 * c + d) * t3)
            };
            out.push((f(p0.0, p1.0, p2.0, p3.0), f(p0.1, p1.1, p2.1, p3.1)));
        }
    }
    out
}

/// `pts` mirrored about x = 0 and appended in reverse, for symmetric outlines given as the
/// right half from top to bottom.
pub fn mirrored(half: &[P]) -> Vec<P> {
    let mut v = half.to_vec();
    v.extend(half.iter().rev().map(|&(x, y)| (-x, y)));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filled_square_covers_its_pixels_and_antialiases_its_edges() {
        let mut c = Canvas::new(10, 10, BLACK);
        c.fill(&[rect(2.0, 2.0, 4.5, 4.0)], WHITE, 1.0);
        let img = c.to_image();
        assert_eq!(img.get_pixel(3, 3).0, [255, 255, 255]);
        assert_eq!(img.get_pixel(1, 3).0, [0, 0, 0]);
        assert_eq!(img.get_pixel(7, 3).0, [0, 0, 0]);
        // Half of pixel column 6 is covered.
        let half = img.get_pixel(6, 3).0[0];
        assert!((120..=135).contains(&half), "{half}");
    }

    #[test]
    fn a_ring_leaves_its_hole_empty() {
        let mut c = Canvas::new(40, 40, BLACK);
        c.fill(&ring(20.0, 20.0, 15.0, 8.0), WHITE, 1.0);
        let img = c.to_image();
        assert_eq!(img.get_pixel(20, 20).0, [0, 0, 0]);
        assert_eq!(img.get_pixel(20, 8).0, [255, 255, 255]);
    }
}
