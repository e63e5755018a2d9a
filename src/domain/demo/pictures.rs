//! The demo's pictures: one drawing per kind of article (a drill, a guitar, a fridge…) and
//! profile pictures, each on a studio background, varied in colour, framing and background by
//! a seed. Drawn with [`super::draw`] and encoded as JPEG.
//!
//! Objects are drawn in local coordinates centred on the object, about 460 × 340 units, on a
//! 640 × 480 canvas.

use std::f32::consts::PI;

use super::Rng;
use super::draw::*;

pub const PHOTO_W: u32 = 640;
pub const PHOTO_H: u32 = 480;
pub const AVATAR_SIDE: u32 = 320;

/// What a picture shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pic {
    Drill,
    Screwdriver,
    Grinder,
    CircularSaw,
    Sander,
    Jigsaw,
    ClassicalGuitar,
    ElectricGuitar,
    Bass,
    Ukulele,
    Keyboard,
    Drum,
    Violin,
    Phone,
    Laptop,
    Tv,
    Headphones,
    Tablet,
    Speaker,
    Gamepad,
    Camera,
    Fridge,
    Chairs,
    Table,
    FloorLamp,
    Sofa,
    Microwave,
    Washer,
    Book,
    BookStack,
    Comic,
    Bicycle,
    Ball,
    Racket,
    Dumbbells,
    Skates,
    Tent,
    Jacket,
    Sneakers,
    TShirt,
    Jeans,
    Dress,
    Backpack,
    Boots,
    Tyres,
    Helmet,
    CarBattery,
    Rims,
    Car,
    Motorbike,
}

/// Every kind of picture (for contact sheets and tests).
pub const ALL_PICS: [Pic; 50] = [
    Pic::Drill,
    Pic::Screwdriver,
    Pic::Grinder,
    Pic::CircularSaw,
    Pic::Sander,
    Pic::Jigsaw,
    Pic::ClassicalGuitar,
    Pic::ElectricGuitar,
    Pic::Bass,
    Pic::Ukulele,
    Pic::Keyboard,
    Pic::Drum,
    Pic::Violin,
    Pic::Phone,
    Pic::Laptop,
    Pic::Tv,
    Pic::Headphones,
    Pic::Tablet,
    Pic::Speaker,
    Pic::Gamepad,
    Pic::Camera,
    Pic::Fridge,
    Pic::Chairs,
    Pic::Table,
    Pic::FloorLamp,
    Pic::Sofa,
    Pic::Microwave,
    Pic::Washer,
    Pic::Book,
    Pic::BookStack,
    Pic::Comic,
    Pic::Bicycle,
    Pic::Ball,
    Pic::Racket,
    Pic::Dumbbells,
    Pic::Skates,
    Pic::Tent,
    Pic::Jacket,
    Pic::Sneakers,
    Pic::TShirt,
    Pic::Jeans,
    Pic::Dress,
    Pic::Backpack,
    Pic::Boots,
    Pic::Tyres,
    Pic::Helmet,
    Pic::CarBattery,
    Pic::Rims,
    Pic::Car,
    Pic::Motorbike,
];

/// Colours and framing of one picture.
#[derive(Debug, Clone, Copy)]
pub struct Look {
    pub main: Rgb,
    pub accent: Rgb,
    /// Chooses the background, framing and small details.
    pub seed: u64,
}

const BACKDROPS: [(u32, u32); 10] = [
    (0xf4f1ec, 0xd9d3c9),
    (0xeef3f7, 0xc9d6e2),
    (0xf1f5ef, 0xcfdcc8),
    (0xf7efe9, 0xe0cbbd),
    (0xf2eff6, 0xd3cde0),
    (0xfaf7f0, 0xe6dcc4),
    (0xe9eef0, 0xb9c4c9),
    (0xf6f6f6, 0xd6d6d6),
    (0xfdf3e7, 0xefd3b0),
    (0xeaf4f4, 0xbfd9d9),
];

/// Draws `pic` in `look` and returns the JPEG bytes.
pub fn photo(pic: Pic, look: &Look) -> Vec<u8> {
    let mut rng = Rng(look.seed ^ 0x5eed_0f_c0ffee);
    let (top, bottom) = BACKDROPS[rng.below(BACKDROPS.len() as u64) as usize];
    let (top, bottom) = (Rgb::hex(top), Rgb::hex(bottom));
    let mut c = Canvas::new(PHOTO_W, PHOTO_H, top);
    let w = PHOTO_W as f32;
    let h = PHOTO_H as f32;
    match rng.below(3) {
        // A wall and a table top.
        0 => {
            c.vertical_gradient(top, top.mix(bottom, 0.5));
            let floor = h * (0.70 + rng.below(8) as f32 / 100.0);
            c.fill(
                &[rect(0.0, floor, w, h - floor)],
                Paint::Linear {
                    p0: (0.0, floor),
                    c0: bottom,
                    p1: (0.0, h),
                    c1: bottom.dark(0.12),
                },
                1.0,
            );
        }
        // A seamless studio sweep with a light spot.
        1 => {
            c.vertical_gradient(bottom.light(0.2), bottom.dark(0.05));
            for i in 0..5 {
                let k = 1.0 - i as f32 / 5.0;
                c.fill(
                    &[ellipse(w / 2.0, h * 0.45, w * 0.55 * k, h * 0.5 * k)],
                    top.light(0.3),
                    0.25,
                );
            }
        }
        // A wooden table.
        _ => {
            c.vertical_gradient(top, top.dark(0.04));
            let floor = h * 0.74;
            let wood = [0xb58a5a, 0x9c7348, 0xc9a27a, 0x8a6444][rng.below(4) as usize];
            let wood = Rgb::hex(wood);
            c.fill(&[rect(0.0, floor, w, h - floor)], wood, 1.0);
            let mut y = floor + 4.0;
            while y < h {
                let t = 2.0 + rng.below(3) as f32;
                c.fill(&[rect(0.0, y, w, t)], wood.dark(0.15), 0.5);
                y += 12.0 + rng.below(14) as f32;
            }
            c.fill(&[rect(0.0, floor, w, 3.0)], wood.light(0.3), 0.8);
        }
    }
    let scale = 0.9 + rng.below(16) as f32 / 100.0;
    let dx = rng.below(41) as f32 - 20.0;
    let dy = rng.below(21) as f32 - 10.0;
    let flip = rng.below(2) == 0 && flippable(pic);
    let xf = Xf::translate(w / 2.0 + dx, h * 0.5 + dy)
        .then(&Xf::scale(if flip { -scale } else { scale }, scale));
    c.with(xf, |c| draw_object(c, pic, look, &mut rng));
    jpeg(&c)
}

fn flippable(pic: Pic) -> bool {
    !matches!(
        pic,
        Pic::Book | Pic::Comic | Pic::BookStack | Pic::Tv | Pic::Laptop
    )
}

pub(crate) fn jpeg(c: &Canvas) -> Vec<u8> {
    let img = c.to_image();
    let mut out = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88);
    enc.encode_image(&img).expect("JPEG into memory");
    out
}

/// A profile picture: a person on a coloured background.
pub fn avatar(seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed ^ 0xa7a7_a7a7);
    let bgs = [
        0x9ec5e8, 0xf4b183, 0xa9d18e, 0xffd966, 0xc9a0dc, 0x8fd3c7, 0xf8a5a5, 0xb4c7e7, 0xd9c2a7,
        0x9fd8df,
    ];
    let skins = [0xf1c9a5, 0xe0ac69, 0xc68642, 0x8d5524, 0xffdbac, 0xd2a679];
    let hairs = [
        0x2b1d14, 0x4a2f1b, 0x8b5a2b, 0xd9b36b, 0x111111, 0x6b4e3d, 0xa0a0a0,
    ];
    let shirts = [
        0x2f5597, 0xc00000, 0x548235, 0x7030a0, 0x404040, 0xbf9000, 0x1f7a8c, 0xd9486f, 0xf2f2f2,
    ];
    let bg = Rgb::hex(bgs[rng.below(bgs.len() as u64) as usize]);
    let skin = Rgb::hex(skins[rng.below(skins.len() as u64) as usize]);
    let hair = Rgb::hex(hairs[rng.below(hairs.len() as u64) as usize]);
    let shirt = Rgb::hex(shirts[rng.below(shirts.len() as u64) as usize]);
    let s = AVATAR_SIDE as f32;
    let mut c = Canvas::new(AVATAR_SIDE, AVATAR_SIDE, bg);
    c.vertical_gradient(bg.light(0.25), bg.dark(0.08));
    let style = rng.below(5);
    c.with(
        Xf::translate(s / 2.0, s / 2.0).then(&Xf::scale(s / 320.0, s / 320.0)),
        |c| {
            // Long hair behind the head.
            if style == 1 || style == 4 {
                c.fill(&[rrect(-78.0, -95.0, 156.0, 175.0, 70.0)], hair, 1.0);
            }
            // Shoulders and neck.
            c.fill(
                &[smooth(
                    &[
                        (-150.0, 175.0),
                        (-140.0, 95.0),
                        (-60.0, 62.0),
                        (60.0, 62.0),
                        (140.0, 95.0),
                        (150.0, 175.0),
                    ],
                    8,
                )],
                Paint::Linear {
                    p0: (0.0, 60.0),
                    c0: shirt.light(0.1),
                    p1: (0.0, 170.0),
                    c1: shirt.dark(0.2),
                },
                1.0,
            );
            c.fill(
                &[rrect(-24.0, 20.0, 48.0, 55.0, 12.0)],
                skin.dark(0.12),
                1.0,
            );
            c.fill(&[ellipse(0.0, 66.0, 30.0, 12.0)], skin.dark(0.12), 1.0);
            // Head.
            c.fill(&[ellipse(0.0, -25.0, 62.0, 74.0)], skin, 1.0);
            c.fill(
                &[
                    ellipse(-63.0, -18.0, 10.0, 16.0),
                    ellipse(63.0, -18.0, 10.0, 16.0),
                ],
                skin.dark(0.06),
                1.0,
            );
            // Hair on top.
            match style {
                0 | 1 | 4 => {
                    c.fill(
                        &[arc_band(0.0, -30.0, 0.0, 70.0, PI * 1.05, PI * 1.95)],
                        hair,
                        1.0,
                    );
                    c.fill(&[ellipse(-22.0, -78.0, 50.0, 26.0)], hair, 1.0);
                }
                2 => {
                    c.fill(
                        &[arc_band(0.0, -32.0, 0.0, 68.0, PI * 1.1, PI * 1.9)],
                        hair,
                        1.0,
                    );
                    c.fill(&[circle(0.0, -112.0, 28.0)], hair, 1.0);
                }
                _ => {
                    c.fill(
                        &[arc_band(0.0, -28.0, 56.0, 70.0, PI * 1.0, PI * 2.0)],
                        hair,
                        1.0,
                    );
                    c.fill(
                        &[arc_band(0.0, -10.0, 40.0, 64.0, PI * 0.15, PI * 0.85)],
                        hair,
                        0.95,
                    );
                }
            }
            // Eyes and smile.
            c.fill(
                &[
                    ellipse(-22.0, -28.0, 6.0, 8.0),
                    ellipse(22.0, -28.0, 6.0, 8.0),
                ],
                Rgb::hex(0x2b2b2b),
                1.0,
            );
            c.fill(
                &[arc_band(0.0, 2.0, 18.0, 23.0, PI * 0.2, PI * 0.8)],
                Rgb::hex(0x8a3b3b),
                0.9,
            );
            c.fill(
                &[
                    ellipse(-34.0, -4.0, 11.0, 6.0),
                    ellipse(34.0, -4.0, 11.0, 6.0),
                ],
                Rgb::hex(0xe88a8a),
                0.25,
            );
        },
    );
    jpeg(&c)
}

// ---- helpers -----------------------------------------------------------------------------------

fn gloss(c0: Rgb, y0: f32, y1: f32) -> Paint {
    Paint::Linear {
        p0: (0.0, y0),
        c0: c0.light(0.25),
        p1: (0.0, y1),
        c1: c0.dark(0.25),
    }
}

fn hgrad(c0: Rgb, x0: f32, x1: f32) -> Paint {
    Paint::Linear {
        p0: (x0, 0.0),
        c0: c0.light(0.2),
        p1: (x1, 0.0),
        c1: c0.dark(0.2),
    }
}

const STEEL: Rgb = Rgb::hex(0xb8bec4);
const DARK: Rgb = Rgb::hex(0x2a2c30);
const RUBBER: Rgb = Rgb::hex(0x1d1e20);
const GLASS: Rgb = Rgb::hex(0x1b2838);

fn ellipse_ring(cx: f32, cy: f32, rx: f32, ry: f32, t: f32) -> Vec<Vec<P>> {
    let mut inner = ellipse(cx, cy, rx - t, ry - t * ry / rx);
    inner.reverse();
    vec![ellipse(cx, cy, rx, ry), inner]
}

fn wheel(c: &mut Canvas, x: f32, y: f32, r: f32, tyre: f32, hub: Rgb, spokes: usize) {
    c.fill(&ring(x, y, r, r - tyre), RUBBER, 1.0);
    c.fill(&ring(x, y, r - tyre, r - tyre - 5.0), STEEL, 1.0);
    for i in 0..spokes {
        let a = i as f32 / spokes as f32 * 2.0 * PI;
        let rr = r - tyre - 3.0;
        c.fill(
            &line((x, y), (x + rr * a.cos(), y + rr * a.sin()), 2.0),
            STEEL.dark(0.2),
            1.0,
        );
    }
    c.fill(&[circle(x, y, 9.0)], hub, 1.0);
}

fn screen_art(c: &mut Canvas, x: f32, y: f32, w: f32, h: f32, r: f32, rng: &mut Rng) {
    let sky = [
        (0x4a7bd0, 0xf0b27a),
        (0x1e3c72, 0x2a5298),
        (0x6a3093, 0xa044ff),
        (0x0f9b8e, 0x9be15d),
    ][rng.below(4) as usize];
    c.fill(
        &[rrect(x, y, w, h, r)],
        Paint::Linear {
            p0: (0.0, y),
            c0: Rgb::hex(sky.0),
            p1: (0.0, y + h),
            c1: Rgb::hex(sky.1),
        },
        1.0,
    );
    // Hills and a sun inside the screen.
    let hill = Rgb::hex(0x2e5e3e);
    c.fill(
        &[vec![
            (x, y + h * 0.75),
            (x + w * 0.3, y + h * 0.55),
            (x + w * 0.55, y + h * 0.7),
            (x + w * 0.8, y + h * 0.5),
            (x + w, y + h * 0.65),
            (x + w, y + h - r * 0.3),
            (x, y + h - r * 0.3),
        ]],
        hill,
        0.85,
    );
    c.fill(
        &[circle(x + w * 0.72, y + h * 0.3, h * 0.1)],
        Rgb::hex(0xffe9a8),
        0.9,
    );
    c.fill(
        &[vec![
            (x + w * 0.05, y),
            (x + w * 0.35, y),
            (x + w * 0.15, y + h),
            (x, y + h),
        ]],
        WHITE,
        0.08,
    );
}

fn text_lines(
    c: &mut Canvas,
    x: f32,
    y: f32,
    w: f32,
    lines: usize,
    gap: f32,
    col: Rgb,
    rng: &mut Rng,
) {
    for i in 0..lines {
        let lw = w * (0.55 + rng.below(45) as f32 / 100.0);
        c.fill(
            &[rrect(x, y + i as f32 * gap, lw, gap * 0.45, gap * 0.2)],
            col,
            0.8,
        );
    }
}

// ---- the objects -----------------------------------------------------------------------------------

fn draw_object(c: &mut Canvas, pic: Pic, k: &Look, rng: &mut Rng) {
    let (m, a) = (k.main, k.accent);
    match pic {
        Pic::Drill | Pic::Screwdriver => {
            c.shadow(-20.0, 150.0, 150.0, 16.0, 0.35);
            let cordless = pic == Pic::Screwdriver;
            // Handle.
            c.fill(
                &[vec![
                    (-95.0, -40.0),
                    (-25.0, -40.0),
                    (-5.0, 110.0),
                    (-80.0, 110.0),
                ]],
                m.dark(0.1),
                1.0,
            );
            c.fill(
                &[vec![
                    (-88.0, -10.0),
                    (-35.0, -10.0),
                    (-20.0, 100.0),
                    (-72.0, 100.0),
                ]],
                RUBBER,
                0.9,
            );
            // Battery or cord base.
            if cordless {
                c.fill(&[rrect(-120.0, 100.0, 150.0, 50.0, 10.0)], DARK, 1.0);
                c.fill(&[rect(-110.0, 112.0, 130.0, 8.0)], a, 0.9);
            } else {
                c.fill(&[rrect(-95.0, 100.0, 95.0, 28.0, 8.0)], m.dark(0.2), 1.0);
                c.fill(
                    &polyline(
                        &[
                            (-60.0, 128.0),
                            (-70.0, 150.0),
                            (-140.0, 160.0),
                            (-230.0, 150.0),
                        ],
                        9.0,
                    ),
                    RUBBER,
                    1.0,
                );
            }
            // Motor housing.
            c.fill(
                &[rrect(-170.0, -115.0, 290.0, 90.0, 40.0)],
                gloss(m, -115.0, -25.0),
                1.0,
            );
            c.fill(
                &[rrect(-170.0, -115.0, 70.0, 90.0, 40.0)],
                m.dark(0.25),
                1.0,
            );
            for i in 0..4 {
                c.fill(
                    &[rrect(-150.0 + i as f32 * 12.0, -95.0, 5.0, 50.0, 2.5)],
                    RUBBER,
                    0.8,
                );
            }
            c.fill(&[rect(-60.0, -80.0, 120.0, 16.0)], a, 0.9);
            // Trigger.
            c.fill(&[rrect(-22.0, -30.0, 18.0, 40.0, 6.0)], RUBBER, 1.0);
            // Chuck and bit.
            c.fill(&[rrect(115.0, -100.0, 60.0, 60.0, 10.0)], DARK, 1.0);
            for i in 0..3 {
                c.fill(
                    &[rect(125.0 + i as f32 * 16.0, -100.0, 6.0, 60.0)],
                    STEEL.dark(0.3),
                    0.8,
                );
            }
            c.fill(
                &[vec![
                    (175.0, -82.0),
                    (195.0, -78.0),
                    (195.0, -62.0),
                    (175.0, -58.0),
                ]],
                STEEL,
                1.0,
            );
            c.fill(
                &line(
                    (195.0, -70.0),
                    (270.0 - if cordless { 30.0 } else { 0.0 }, -70.0),
                    9.0,
                ),
                STEEL.dark(0.1),
                1.0,
            );
        }
        Pic::Grinder => {
            c.shadow(-30.0, 130.0, 210.0, 18.0, 0.3);
            c.fill(&[ellipse(95.0, 75.0, 120.0, 24.0)], STEEL.dark(0.35), 1.0);
            c.fill(&[ellipse(95.0, 70.0, 120.0, 24.0)], STEEL, 1.0);
            c.fill(&[ellipse(95.0, 70.0, 22.0, 6.0)], DARK, 1.0);
            c.fill(
                &[arc_band(95.0, 70.0, 0.0, 128.0, PI, PI * 1.8)],
                DARK.light(0.15),
                0.95,
            );
            c.fill(
                &[rrect(-230.0, -40.0, 290.0, 78.0, 39.0)],
                gloss(m, -40.0, 38.0),
                1.0,
            );
            c.fill(&[rrect(-230.0, -40.0, 60.0, 78.0, 30.0)], DARK, 1.0);
            for i in 0..5 {
                c.fill(
                    &[rrect(-150.0 + i as f32 * 14.0, -25.0, 6.0, 48.0, 3.0)],
                    RUBBER,
                    0.7,
                );
            }
            c.fill(&[rect(-80.0, -10.0, 110.0, 14.0)], a, 0.9);
            c.fill(
                &[rrect(40.0, -55.0, 95.0, 105.0, 18.0)],
                gloss(DARK.light(0.2), -55.0, 50.0),
                1.0,
            );
            c.fill(&line((75.0, -55.0), (60.0, -150.0), 28.0), RUBBER, 1.0);
        }
        Pic::CircularSaw => {
            c.shadow(0.0, 150.0, 230.0, 16.0, 0.3);
            c.fill(&[rect(-220.0, 118.0, 440.0, 18.0)], STEEL, 1.0);
            // Blade with teeth.
            let (bx, by, br) = (30.0, 40.0, 125.0);
            let mut teeth = Vec::new();
            for i in 0..48 {
                let a0 = i as f32 / 48.0 * 2.0 * PI;
                let a1 = (i as f32 + 0.6) / 48.0 * 2.0 * PI;
                teeth.push((bx + br * a0.cos(), by + br * a0.sin()));
                teeth.push((bx + (br + 9.0) * a1.cos(), by + (br + 9.0) * a1.sin()));
            }
            c.fill(&[teeth], STEEL.dark(0.15), 1.0);
            c.fill(
                &[circle(bx, by, br - 4.0)],
                hgrad(STEEL, bx - br, bx + br),
                1.0,
            );
            c.fill(
                &[arc_band(bx, by, 0.0, br + 16.0, PI, PI * 2.0)],
                gloss(m, by - br, by),
                1.0,
            );
            c.fill(&[circle(bx, by, 62.0)], m.dark(0.2), 1.0);
            c.fill(&[circle(bx, by, 20.0)], DARK, 1.0);
            c.fill(
                &polyline(&[(-150.0, 30.0), (-120.0, -110.0), (10.0, -130.0)], 30.0),
                RUBBER,
                1.0,
            );
            c.fill(&[rect(-60.0, -40.0, 90.0, 16.0)], a, 0.9);
        }
        Pic::Sander => {
            c.shadow(0.0, 130.0, 200.0, 16.0, 0.3);
            c.fill(&[rrect(-180.0, 70.0, 360.0, 50.0, 10.0)], DARK, 1.0);
            c.fill(&[rect(-180.0, 108.0, 360.0, 12.0)], Rgb::hex(0xc9a25a), 1.0);
            c.fill(
                &[smooth(
                    &[
                        (-170.0, 75.0),
                        (-150.0, -40.0),
                        (-60.0, -110.0),
                        (60.0, -110.0),
                        (150.0, -40.0),
                        (170.0, 75.0),
                    ],
                    10,
                )],
                gloss(m, -110.0, 75.0),
                1.0,
            );
            c.fill(&[ellipse(0.0, -100.0, 70.0, 30.0)], RUBBER, 1.0);
            c.fill(&[rrect(-110.0, -10.0, 220.0, 22.0, 11.0)], a, 0.9);
            c.fill(&[rrect(170.0, 0.0, 90.0, 55.0, 25.0)], DARK.light(0.2), 1.0);
        }
        Pic::Jigsaw => {
            c.shadow(0.0, 120.0, 200.0, 14.0, 0.3);
            c.fill(&[rect(-190.0, 80.0, 340.0, 16.0)], STEEL, 1.0);
            let mut blade = vec![(80.0, 95.0), (96.0, 95.0), (96.0, 185.0)];
            for i in 0..8 {
                let y = 185.0 - i as f32 * 11.0;
                blade.push((80.0, y - 5.0));
                blade.push((86.0, y - 11.0));
            }
            c.fill(&[blade], STEEL.dark(0.2), 1.0);
            let mut hole = rrect(-120.0, -120.0, 170.0, 55.0, 27.0);
            hole.reverse();
            c.fill(
                &[rrect(-170.0, -170.0, 320.0, 250.0, 50.0), hole],
                gloss(m, -170.0, 80.0),
                1.0,
            );
            c.fill(
                &[rrect(-170.0, -20.0, 320.0, 100.0, 30.0)],
                m.dark(0.2),
                1.0,
            );
            c.fill(&[rect(-140.0, 10.0, 200.0, 16.0)], a, 0.9);
            c.fill(&[rrect(80.0, -30.0, 60.0, 100.0, 14.0)], DARK, 1.0);
        }
        Pic::ClassicalGuitar | Pic::Ukulele => {
            let s = if pic == Pic::Ukulele { 0.72 } else { 1.0 };
            c.shadow(0.0, 160.0, 250.0 * s, 16.0, 0.25);
            c.with(
                Xf::rotate(-0.42).then(&Xf::scale(0.85 * s, 0.85 * s)),
                |c| guitar_body(c, m, a, true),
            );
        }
        Pic::ElectricGuitar | Pic::Bass => {
            c.shadow(0.0, 160.0, 250.0, 16.0, 0.25);
            let k = if pic == Pic::Bass { 0.72 } else { 0.8 };
            c.with(
                Xf::translate(-20.0, 0.0)
                    .then(&Xf::rotate(-0.42))
                    .then(&Xf::scale(k, k)),
                |c| electric(c, m, a, pic == Pic::Bass),
            );
        }
        Pic::Violin => {
            c.shadow(0.0, 165.0, 200.0, 14.0, 0.25);
            c.with(Xf::rotate(-0.5), |c| {
                let wood = m;
                c.fill(&line((-300.0, 0.0), (-60.0, 0.0), 24.0), DARK, 1.0);
                c.fill(&[circle(-315.0, 0.0, 18.0)], wood.dark(0.2), 1.0);
                let outline = smooth(
                    &[
                        (-80.0, -70.0),
                        (-20.0, -80.0),
                        (25.0, -50.0),
                        (60.0, -60.0),
                        (140.0, -95.0),
                        (205.0, -60.0),
                        (215.0, 0.0),
                        (205.0, 60.0),
                        (140.0, 95.0),
                        (60.0, 60.0),
                        (25.0, 50.0),
                        (-20.0, 80.0),
                        (-80.0, 70.0),
                        (-100.0, 0.0),
                    ],
                    8,
                );
                c.fill(
                    &[outline],
                    Paint::Linear {
                        p0: (0.0, -90.0),
                        c0: wood.light(0.15),
                        p1: (0.0, 90.0),
                        c1: wood.dark(0.35),
                    },
                    1.0,
                );
                c.fill(&[ellipse(60.0, 0.0, 120.0, 45.0)], wood.light(0.3), 0.25);
                c.fill(&line((-200.0, 0.0), (110.0, 0.0), 20.0), DARK, 1.0);
                for y in [-30.0f32, 30.0] {
                    c.fill(
                        &[arc_band(60.0, y * 1.3, 22.0, 28.0, PI * 0.7, PI * 1.3)],
                        DARK,
                        0.9,
                    );
                }
                c.fill(&[rect(130.0, -28.0, 10.0, 56.0)], Rgb::hex(0xe8d6b0), 1.0);
                for i in 0..4 {
                    let y = -9.0 + i as f32 * 6.0;
                    c.fill(
                        &line((-300.0, y * 0.6), (200.0, y), 1.2),
                        Rgb::hex(0xdddddd),
                        1.0,
                    );
                }
            });
        }
        Pic::Keyboard => {
            c.shadow(0.0, 110.0, 300.0, 20.0, 0.3);
            c.with(
                Xf {
                    c: -0.35,
                    ..Xf::scale(1.0, 0.75)
                },
                |c| {
                    c.fill(
                        &[rrect(-300.0, -110.0, 600.0, 230.0, 16.0)],
                        gloss(m, -110.0, 120.0),
                        1.0,
                    );
                    c.fill(
                        &[rrect(-120.0, -90.0, 120.0, 36.0, 4.0)],
                        Rgb::hex(0x4fc3f7).dark(0.3),
                        1.0,
                    );
                    for i in 0..10 {
                        c.fill(&[circle(40.0 + i as f32 * 22.0, -72.0, 7.0)], a, 1.0);
                    }
                    c.fill(
                        &[circle(-220.0, -72.0, 16.0), circle(-175.0, -72.0, 16.0)],
                        DARK,
                        1.0,
                    );
                    let (x0, y0, kw, kh) = (-285.0, -30.0, 570.0 / 36.0, 140.0);
                    c.fill(&[rect(x0, y0, 570.0, kh)], WHITE, 1.0);
                    for i in 0..=36 {
                        c.fill(
                            &[rect(x0 + i as f32 * kw - 0.8, y0, 1.6, kh)],
                            Rgb::hex(0x999999),
                            1.0,
                        );
                    }
                    for i in 0..35 {
                        if matches!(i % 7, 0 | 1 | 3 | 4 | 5) {
                            c.fill(
                                &[rect(x0 + (i as f32 + 0.68) * kw, y0, kw * 0.64, kh * 0.6)],
                                RUBBER,
                                1.0,
                            );
                        }
                    }
                },
            );
        }
        Pic::Drum => {
            c.shadow(0.0, 120.0, 200.0, 22.0, 0.35);
            c.fill(
                &[rect(-170.0, -40.0, 340.0, 120.0)],
                hgrad(m, -170.0, 170.0),
                1.0,
            );
            c.fill(
                &[ellipse(0.0, 80.0, 170.0, 48.0)],
                hgrad(m, -170.0, 170.0),
                1.0,
            );
            for i in 0..8 {
                let x = -150.0 + i as f32 * 43.0;
                c.fill(&[rrect(x - 5.0, -10.0, 10.0, 70.0, 4.0)], STEEL, 1.0);
            }
            c.fill(&ring(0.0, 80.0, 172.0, 160.0), STEEL, 0.9);
            c.fill(&[ellipse(0.0, -40.0, 170.0, 48.0)], Rgb::hex(0xf3f1ea), 1.0);
            c.fill(
                &ellipse_ring(0.0, -40.0, 172.0, 50.0, 8.0),
                STEEL.dark(0.1),
                1.0,
            );
            c.fill(
                &line((-140.0, -130.0), (90.0, -60.0), 11.0),
                Rgb::hex(0xd9b27c),
                1.0,
            );
            c.fill(
                &line((140.0, -140.0), (-60.0, -55.0), 11.0),
                Rgb::hex(0xd9b27c),
                1.0,
            );
            c.fill(&[rect(-170.0, 10.0, 340.0, 10.0)], a, 0.6);
        }
        Pic::Phone => {
            c.shadow(30.0, 195.0, 150.0, 14.0, 0.3);
            // The back, behind.
            c.with(Xf::translate(95.0, 0.0).then(&Xf::rotate(0.12)), |c| {
                c.fill(
                    &[rrect(-90.0, -185.0, 180.0, 370.0, 28.0)],
                    gloss(m, -185.0, 185.0),
                    1.0,
                );
                c.fill(&[rrect(-70.0, -165.0, 80.0, 95.0, 20.0)], m.dark(0.35), 1.0);
                for (x, y) in [(-45.0, -140.0), (-15.0, -140.0), (-45.0, -100.0)] {
                    c.fill(&ring(x, y, 13.0, 5.0), DARK, 1.0);
                }
            });
            c.with(Xf::translate(-80.0, 10.0).then(&Xf::rotate(-0.06)), |c| {
                c.fill(&[rrect(-92.0, -187.0, 184.0, 374.0, 30.0)], DARK, 1.0);
                screen_art(c, -84.0, -179.0, 168.0, 358.0, 24.0, rng);
                c.fill(&[circle(0.0, -165.0, 6.0)], RUBBER, 1.0);
                for i in 0..4 {
                    c.fill(
                        &[rrect(-66.0 + i as f32 * 36.0, 130.0, 26.0, 26.0, 7.0)],
                        WHITE,
                        0.75,
                    );
                }
            });
        }
        Pic::Tablet => {
            c.shadow(0.0, 170.0, 250.0, 16.0, 0.3);
            c.fill(&[rrect(-260.0, -170.0, 520.0, 340.0, 30.0)], m, 1.0);
            c.fill(&[rrect(-245.0, -155.0, 490.0, 310.0, 20.0)], DARK, 1.0);
            screen_art(c, -235.0, -145.0, 470.0, 290.0, 14.0, rng);
            let icons = [
                0xf94144, 0xf3722c, 0xf9c74f, 0x90be6d, 0x43aa8b, 0x577590, 0x9b5de5, 0xffffff,
            ];
            for i in 0..8 {
                let x = -200.0 + (i % 4) as f32 * 70.0;
                let y = -120.0 + (i / 4) as f32 * 70.0;
                c.fill(&[rrect(x, y, 46.0, 46.0, 12.0)], Rgb::hex(icons[i]), 0.95);
            }
        }
        Pic::Laptop => {
            c.shadow(0.0, 120.0, 280.0, 18.0, 0.35);
            c.fill(&[rrect(-210.0, -200.0, 420.0, 270.0, 14.0)], DARK, 1.0);
            screen_art(c, -195.0, -186.0, 390.0, 240.0, 6.0, rng);
            c.fill(
                &[vec![
                    (-215.0, 72.0),
                    (215.0, 72.0),
                    (265.0, 118.0),
                    (-265.0, 118.0),
                ]],
                gloss(m, 72.0, 118.0),
                1.0,
            );
            c.fill(&[rect(-265.0, 118.0, 530.0, 8.0)], m.dark(0.3), 1.0);
            for row in 0..3 {
                let y = 78.0 + row as f32 * 9.0;
                let inset = 20.0 + (2 - row) as f32 * 10.0;
                let x0 = -215.0 + inset;
                let x1 = 215.0 - inset;
                let mut x = x0;
                while x < x1 {
                    c.fill(
                        &[vec![
                            (x, y),
                            (x + 14.0, y),
                            (x + 15.0, y + 6.0),
                            (x + 1.0, y + 6.0),
                        ]],
                        DARK,
                        0.8,
                    );
                    x += 18.0;
                }
            }
            c.fill(
                &[vec![
                    (-45.0, 105.0),
                    (45.0, 105.0),
                    (48.0, 114.0),
                    (-48.0, 114.0),
                ]],
                m.dark(0.15),
                1.0,
            );
        }
        Pic::Tv => {
            c.shadow(0.0, 175.0, 230.0, 12.0, 0.3);
            c.fill(&[rrect(-290.0, -180.0, 580.0, 335.0, 8.0)], RUBBER, 1.0);
            screen_art(c, -280.0, -170.0, 560.0, 315.0, 3.0, rng);
            c.fill(&[rect(-290.0, 150.0, 580.0, 8.0)], m, 1.0);
            for x in [-200.0f32, 200.0] {
                c.fill(
                    &[vec![
                        (x - 6.0, 158.0),
                        (x + 6.0, 158.0),
                        (x + 30.0 * x.signum(), 178.0),
                        (x + 10.0 * x.signum(), 178.0),
                    ]],
                    m.dark(0.2),
                    1.0,
                );
            }
        }
        Pic::Headphones => {
            c.shadow(0.0, 165.0, 200.0, 16.0, 0.3);
            c.fill(
                &[arc_band(0.0, 20.0, 128.0, 152.0, PI * 1.02, PI * 1.98)],
                gloss(m, -130.0, 20.0),
                1.0,
            );
            c.fill(
                &[arc_band(0.0, 20.0, 140.0, 146.0, PI * 1.1, PI * 1.9)],
                a,
                0.8,
            );
            for sx in [-1.0f32, 1.0] {
                let x = sx * 140.0;
                c.fill(&[rrect(x - 8.0, -10.0, 16.0, 50.0, 6.0)], STEEL, 1.0);
                c.fill(&[ellipse(x, 75.0, 52.0, 78.0)], gloss(m, 0.0, 150.0), 1.0);
                c.fill(&[ellipse(x - sx * 18.0, 75.0, 34.0, 66.0)], RUBBER, 1.0);
                c.fill(&[ellipse(x + sx * 14.0, 75.0, 20.0, 40.0)], a, 0.7);
            }
        }
        Pic::Speaker => {
            c.shadow(0.0, 105.0, 220.0, 16.0, 0.35);
            c.fill(
                &[rrect(-215.0, -85.0, 430.0, 175.0, 85.0)],
                gloss(m, -85.0, 90.0),
                1.0,
            );
            let mut y = -60.0;
            while y < 70.0 {
                let mut x = -170.0;
                while x < 170.0 {
                    c.fill(&[circle(x, y, 2.6)], m.dark(0.4), 0.8);
                    x += 12.0;
                }
                y += 12.0;
            }
            for x in [-215.0f32, 215.0] {
                c.fill(&[ellipse(x, 2.0, 28.0, 87.0)], DARK, 1.0);
            }
            c.fill(&[rrect(-40.0, -10.0, 80.0, 22.0, 11.0)], a, 1.0);
            c.fill(
                &polyline(&[(150.0, -80.0), (175.0, -130.0), (205.0, -80.0)], 8.0),
                RUBBER,
                1.0,
            );
        }
        Pic::Gamepad => {
            c.shadow(0.0, 140.0, 220.0, 16.0, 0.3);
            let body = smooth(
                &[
                    (-120.0, -90.0),
                    (120.0, -90.0),
                    (210.0, -40.0),
                    (240.0, 80.0),
                    (200.0, 130.0),
                    (130.0, 110.0),
                    (80.0, 40.0),
                    (-80.0, 40.0),
                    (-130.0, 110.0),
                    (-200.0, 130.0),
                    (-240.0, 80.0),
                    (-210.0, -40.0),
                ],
                8,
            );
            c.fill(&[body], gloss(m, -90.0, 130.0), 1.0);
            c.fill(
                &[
                    rect(-150.0, -30.0, 60.0, 20.0),
                    rect(-130.0, -50.0, 20.0, 60.0),
                ],
                DARK,
                1.0,
            );
            let cols = [0x2ecc71, 0xe74c3c, 0x3498db, 0xf1c40f];
            for (i, (dx, dy)) in [(0.0, -28.0), (28.0, 0.0), (-28.0, 0.0), (0.0, 28.0)]
                .iter()
                .enumerate()
            {
                c.fill(
                    &[circle(120.0 + dx, -20.0 + dy, 13.0)],
                    Rgb::hex(cols[i]),
                    1.0,
                );
            }
            for x in [-60.0f32, 60.0] {
                c.fill(&[circle(x, 40.0, 30.0)], DARK, 1.0);
                c.fill(&[circle(x, 40.0, 20.0)], DARK.light(0.25), 1.0);
            }
            c.fill(&[rrect(-30.0, -60.0, 60.0, 14.0, 7.0)], a, 0.9);
        }
        Pic::Camera => {
            c.shadow(0.0, 140.0, 220.0, 16.0, 0.35);
            c.fill(
                &[vec![
                    (-80.0, -100.0),
                    (50.0, -100.0),
                    (80.0, -70.0),
                    (-110.0, -70.0),
                ]],
                DARK,
                1.0,
            );
            c.fill(
                &[rrect(-200.0, -75.0, 400.0, 200.0, 24.0)],
                gloss(DARK.light(0.15), -75.0, 125.0),
                1.0,
            );
            c.fill(&[rrect(-200.0, -10.0, 400.0, 80.0, 0.0)], m, 0.9);
            c.fill(&[rrect(140.0, -100.0, 40.0, 26.0, 6.0)], STEEL, 1.0);
            c.fill(&[circle(20.0, 25.0, 100.0)], RUBBER, 1.0);
            c.fill(&ring(20.0, 25.0, 88.0, 78.0), STEEL, 1.0);
            c.fill(
                &[circle(20.0, 25.0, 70.0)],
                Paint::Linear {
                    p0: (-40.0, -30.0),
                    c0: Rgb::hex(0x3a6ea5),
                    p1: (80.0, 90.0),
                    c1: Rgb::hex(0x0b1320),
                },
                1.0,
            );
            c.fill(&[ellipse(0.0, 0.0, 22.0, 14.0)], WHITE, 0.5);
            c.fill(
                &[rrect(-180.0, -60.0, 50.0, 26.0, 5.0)],
                Rgb::hex(0xe8e8e8),
                0.9,
            );
        }
        Pic::Fridge => {
            c.shadow(0.0, 228.0, 150.0, 12.0, 0.35);
            c.fill(
                &[rrect(-125.0, -228.0, 250.0, 456.0, 18.0)],
                hgrad(m, -125.0, 125.0),
                1.0,
            );
            c.fill(&[rect(-125.0, -80.0, 250.0, 5.0)], m.dark(0.35), 1.0);
            for (y0, y1) in [(-195.0, -115.0), (-50.0, 60.0)] {
                c.fill(&[rrect(85.0, y0, 14.0, y1 - y0, 7.0)], a, 1.0);
            }
            c.fill(&[rect(-110.0, -215.0, 60.0, 420.0)], WHITE, 0.12);
            c.fill(&[rrect(-125.0, 210.0, 250.0, 18.0, 6.0)], DARK, 1.0);
        }
        Pic::Chairs => {
            for (i, dx) in [-115.0f32, 115.0].iter().enumerate() {
                c.with(Xf::translate(*dx, 0.0).then(&Xf::scale(0.82, 0.82)), |c| {
                    c.shadow(0.0, 235.0, 120.0, 12.0, 0.3);
                    chair(c, m, a, i);
                });
            }
        }
        Pic::Table => {
            c.shadow(0.0, 165.0, 280.0, 18.0, 0.3);
            let wood = m;
            for (x0, x1) in [
                (-235.0, -215.0),
                (215.0, 235.0),
                (-160.0, -145.0),
                (145.0, 160.0),
            ] {
                c.fill(&[rect(x0, -20.0, x1 - x0, 180.0)], wood.dark(0.3), 1.0);
            }
            c.fill(
                &[vec![
                    (-200.0, -70.0),
                    (200.0, -70.0),
                    (260.0, -30.0),
                    (-260.0, -30.0),
                ]],
                Paint::Linear {
                    p0: (0.0, -70.0),
                    c0: wood.light(0.2),
                    p1: (0.0, -30.0),
                    c1: wood,
                },
                1.0,
            );
            for i in 0..5 {
                let y = -64.0 + i as f32 * 7.0;
                c.fill(
                    &[rect(
                        -220.0 + i as f32 * 8.0,
                        y,
                        440.0 - i as f32 * 16.0,
                        1.5,
                    )],
                    wood.dark(0.15),
                    0.4,
                );
            }
            c.fill(&[rect(-260.0, -30.0, 520.0, 16.0)], wood.dark(0.2), 1.0);
            c.fill(&[ellipse(-40.0, -55.0, 45.0, 11.0)], a, 0.9);
            c.fill(&[rrect(-62.0, -100.0, 44.0, 45.0, 6.0)], a.light(0.3), 0.9);
        }
        Pic::FloorLamp => {
            c.shadow(0.0, 212.0, 90.0, 12.0, 0.35);
            c.fill(&[ellipse(0.0, 205.0, 70.0, 14.0)], DARK, 1.0);
            c.fill(
                &line((0.0, 200.0), (0.0, -100.0), 9.0),
                STEEL.dark(0.2),
                1.0,
            );
            for i in 0..6 {
                c.fill(
                    &[ellipse(
                        0.0,
                        -95.0 + i as f32 * 12.0,
                        150.0 - i as f32 * 20.0,
                        40.0 - i as f32 * 5.0,
                    )],
                    Rgb::hex(0xfff2c0),
                    0.08,
                );
            }
            c.fill(
                &[vec![
                    (-65.0, -225.0),
                    (65.0, -225.0),
                    (115.0, -95.0),
                    (-115.0, -95.0),
                ]],
                hgrad(m, -115.0, 115.0),
                1.0,
            );
            c.fill(&[rect(-115.0, -100.0, 230.0, 6.0)], a, 0.9);
        }
        Pic::Sofa => {
            c.shadow(0.0, 140.0, 280.0, 16.0, 0.35);
            c.fill(
                &[rrect(-230.0, -120.0, 460.0, 150.0, 30.0)],
                gloss(m, -120.0, 30.0),
                1.0,
            );
            c.fill(&[rrect(-250.0, 0.0, 500.0, 115.0, 20.0)], m.dark(0.12), 1.0);
            for x in [-220.0f32, 5.0] {
                c.fill(
                    &[rrect(x, -10.0, 215.0, 55.0, 18.0)],
                    gloss(m, -10.0, 45.0),
                    1.0,
                );
            }
            for x in [-290.0f32, 230.0] {
                c.fill(
                    &[rrect(x, -45.0, 60.0, 160.0, 26.0)],
                    gloss(m.dark(0.05), -45.0, 115.0),
                    1.0,
                );
            }
            c.fill(&[rrect(-150.0, -90.0, 80.0, 70.0, 20.0)], a, 1.0);
            for x in [-250.0f32, 240.0] {
                c.fill(&[rect(x, 115.0, 12.0, 20.0)], DARK, 1.0);
            }
        }
        Pic::Microwave => {
            c.shadow(0.0, 140.0, 230.0, 14.0, 0.35);
            c.fill(
                &[rrect(-225.0, -135.0, 450.0, 270.0, 16.0)],
                gloss(m, -135.0, 135.0),
                1.0,
            );
            c.fill(&[rrect(-200.0, -110.0, 290.0, 220.0, 10.0)], GLASS, 1.0);
            c.fill(
                &[vec![
                    (-190.0, -100.0),
                    (-120.0, -100.0),
                    (-170.0, 100.0),
                    (-190.0, 100.0),
                ]],
                WHITE,
                0.1,
            );
            c.fill(
                &[rrect(110.0, -110.0, 95.0, 40.0, 6.0)],
                Rgb::hex(0x0a2a12),
                1.0,
            );
            c.fill(&[rect(125.0, -98.0, 60.0, 14.0)], Rgb::hex(0x42f57e), 0.8);
            for r in 0..4 {
                for col in 0..3 {
                    c.fill(
                        &[rrect(
                            115.0 + col as f32 * 30.0,
                            -50.0 + r as f32 * 30.0,
                            24.0,
                            20.0,
                            5.0,
                        )],
                        a,
                        0.9,
                    );
                }
            }
            c.fill(&[rrect(118.0, 80.0, 80.0, 26.0, 6.0)], DARK, 0.9);
        }
        Pic::Washer => {
            c.shadow(0.0, 212.0, 170.0, 12.0, 0.35);
            c.fill(
                &[rrect(-160.0, -205.0, 320.0, 415.0, 16.0)],
                hgrad(m, -160.0, 160.0),
                1.0,
            );
            c.fill(&[rect(-160.0, -140.0, 320.0, 4.0)], m.dark(0.25), 1.0);
            c.fill(
                &[rrect(-140.0, -185.0, 90.0, 28.0, 5.0)],
                STEEL.dark(0.2),
                1.0,
            );
            c.fill(
                &[rrect(20.0, -185.0, 60.0, 26.0, 4.0)],
                Rgb::hex(0x0d2330),
                1.0,
            );
            c.fill(&[circle(115.0, -172.0, 20.0)], STEEL, 1.0);
            c.fill(&[circle(0.0, 40.0, 120.0)], STEEL, 1.0);
            c.fill(
                &[circle(0.0, 40.0, 96.0)],
                Paint::Linear {
                    p0: (-60.0, -40.0),
                    c0: Rgb::hex(0x6fa8dc),
                    p1: (60.0, 130.0),
                    c1: Rgb::hex(0x0b2545),
                },
                1.0,
            );
            c.fill(
                &[arc_band(0.0, 40.0, 70.0, 84.0, PI * 1.1, PI * 1.5)],
                WHITE,
                0.35,
            );
            c.fill(&[rrect(100.0, 20.0, 14.0, 40.0, 6.0)], a, 1.0);
        }
        Pic::Book => {
            c.shadow(10.0, 182.0, 140.0, 12.0, 0.3);
            book_cover(c, m, a, rng);
        }
        Pic::Comic => {
            c.shadow(10.0, 182.0, 140.0, 12.0, 0.3);
            c.fill(
                &[vec![
                    (-138.0, -170.0),
                    (-118.0, -178.0),
                    (-118.0, 178.0),
                    (-138.0, 170.0),
                ]],
                m.dark(0.35),
                1.0,
            );
            c.fill(&[rect(-118.0, -178.0, 236.0, 356.0)], WHITE, 1.0);
            c.fill(&[rect(-108.0, -168.0, 216.0, 64.0)], m, 1.0);
            text_lines(c, -96.0, -155.0, 150.0, 2, 24.0, WHITE, rng);
            let panels = [
                (-108.0, -96.0, 104.0, 120.0),
                (4.0, -96.0, 104.0, 120.0),
                (-108.0, 32.0, 216.0, 136.0),
            ];
            let cols = [0xffd166, 0x06d6a0, 0x118ab2, 0xef476f, 0x8ecae6];
            for (i, (x, y, w, h)) in panels.iter().enumerate() {
                c.fill(
                    &[rect(*x, *y, *w, *h)],
                    Rgb::hex(cols[(i + rng.below(5) as usize) % 5]),
                    1.0,
                );
                c.fill(&[circle(x + w * 0.5, y + h * 0.55, h * 0.25)], a, 0.9);
                c.fill(
                    &[ellipse(x + w * 0.35, y + h * 0.2, w * 0.28, h * 0.12)],
                    WHITE,
                    1.0,
                );
            }
        }
        Pic::BookStack => {
            c.shadow(0.0, 180.0, 230.0, 14.0, 0.35);
            let n = 5 + rng.below(2) as usize;
            let mut y = 170.0;
            let cols = [m, a, m.dark(0.3), a.light(0.3), m.light(0.3), a.dark(0.3)];
            for i in 0..n {
                let h = 38.0 + rng.below(16) as f32;
                let w = 300.0 + rng.below(120) as f32;
                let x = -w / 2.0 + rng.below(40) as f32 - 20.0;
                y -= h;
                c.fill(
                    &[rrect(x, y, w, h, 4.0)],
                    gloss(cols[i % cols.len()], y, y + h),
                    1.0,
                );
                c.fill(
                    &[rect(x + w - 14.0, y + 3.0, 10.0, h - 6.0)],
                    Rgb::hex(0xf4efe3),
                    1.0,
                );
                c.fill(
                    &[rrect(x + 30.0, y + h * 0.35, w * 0.35, h * 0.3, 3.0)],
                    Rgb::hex(0xf2d16b),
                    0.9,
                );
            }
        }
        Pic::Bicycle => {
            c.shadow(0.0, 160.0, 260.0, 12.0, 0.3);
            let (rh, bb, st, ht, fh) = (
                (-160.0, 65.0),
                (-15.0, 75.0),
                (-55.0, -70.0),
                (105.0, -80.0),
                (160.0, 65.0),
            );
            wheel(c, rh.0, rh.1, 100.0, 14.0, DARK, 18);
            wheel(c, fh.0, fh.1, 100.0, 14.0, DARK, 18);
            for (p, q) in [(rh, bb), (bb, st), (st, rh), (st, ht), (bb, ht), (ht, fh)] {
                c.fill(&line(p, q, 13.0), m, 1.0);
            }
            c.fill(&[circle(bb.0, bb.1, 24.0)], STEEL.dark(0.2), 1.0);
            c.fill(
                &line((bb.0, bb.1), (bb.0 + 30.0, bb.1 + 25.0), 6.0),
                DARK,
                1.0,
            );
            c.fill(&line((-62.0, -75.0), (-66.0, -100.0), 8.0), DARK, 1.0);
            c.fill(
                &[smooth(
                    &[
                        (-110.0, -104.0),
                        (-30.0, -108.0),
                        (-40.0, -94.0),
                        (-100.0, -92.0),
                    ],
                    6,
                )],
                RUBBER,
                1.0,
            );
            c.fill(
                &polyline(&[(ht.0, ht.1), (95.0, -115.0), (140.0, -120.0)], 8.0),
                DARK,
                1.0,
            );
            c.fill(&line((130.0, -120.0), (160.0, -118.0), 12.0), RUBBER, 1.0);
            c.fill(&line((st.0, st.1), (bb.0, bb.1), 4.0), a, 0.8);
        }
        Pic::Ball => {
            c.shadow(0.0, 160.0, 120.0, 14.0, 0.4);
            let r = 150.0;
            c.fill(
                &[circle(0.0, 0.0, r)],
                Paint::Linear {
                    p0: (-80.0, -100.0),
                    c0: WHITE,
                    p1: (90.0, 120.0),
                    c1: Rgb::hex(0xb8bcc4),
                },
                1.0,
            );
            let panel = if rng.below(2) == 0 { RUBBER } else { m };
            let pent = |cx: f32, cy: f32, s: f32, rot: f32| -> Vec<P> {
                (0..5)
                    .map(|i| {
                        let t = rot + i as f32 / 5.0 * 2.0 * PI - PI / 2.0;
                        (cx + s * t.cos(), cy + s * t.sin())
                    })
                    .collect()
            };
            c.fill(&[pent(0.0, 0.0, 42.0, 0.0)], panel, 1.0);
            for i in 0..5 {
                let t = i as f32 / 5.0 * 2.0 * PI + PI / 2.0;
                let (x, y) = (105.0 * t.cos(), 105.0 * t.sin());
                let shrink = 0.75;
                c.fill(&[pent(x, y, 36.0 * shrink, PI / 5.0 + t)], panel, 0.95);
                c.fill(
                    &line(
                        (42.0 * (t).cos() * 0.8, 42.0 * t.sin() * 0.8),
                        (x * 0.75, y * 0.75),
                        3.0,
                    ),
                    Rgb::hex(0x888888),
                    0.8,
                );
            }
            c.fill(&[ellipse(-50.0, -70.0, 40.0, 22.0)], WHITE, 0.45);
        }
        Pic::Racket => {
            c.shadow(0.0, 170.0, 200.0, 12.0, 0.3);
            c.with(Xf::rotate(-0.7), |c| {
                let (cx, rx, ry) = (110.0, 95.0, 125.0);
                c.fill(&line((-300.0, 0.0), (-60.0, 0.0), 34.0), DARK, 1.0);
                for i in 0..8 {
                    let x = -290.0 + i as f32 * 26.0;
                    c.fill(&line((x, -17.0), (x + 18.0, 17.0), 4.0), a, 0.7);
                }
                c.fill(
                    &polyline(&[(-70.0, 0.0), (cx - rx + 10.0, -60.0)], 14.0),
                    m,
                    1.0,
                );
                c.fill(
                    &polyline(&[(-70.0, 0.0), (cx - rx + 10.0, 60.0)], 14.0),
                    m,
                    1.0,
                );
                let (ix, iy) = (rx - 12.0, ry - 12.0);
                let str_col = Rgb::hex(0x8f8f80);
                let mut x = -ix + 12.0;
                while x < ix {
                    let h = iy * (1.0 - (x / ix).powi(2)).max(0.0).sqrt();
                    c.fill(&[rect(cx + x - 1.2, -h, 2.4, 2.0 * h)], str_col, 0.9);
                    x += 16.0;
                }
                let mut y = -iy + 12.0;
                while y < iy {
                    let w = ix * (1.0 - (y / iy).powi(2)).max(0.0).sqrt();
                    c.fill(&[rect(cx - w, y - 1.2, 2.0 * w, 2.4)], str_col, 0.9);
                    y += 16.0;
                }
                let outer = ellipse(cx, 0.0, rx, ry);
                let mut inner = ellipse(cx, 0.0, rx - 12.0, ry - 12.0);
                inner.reverse();
                c.fill(&[outer, inner], gloss(m, -ry, ry), 1.0);
            });
        }
        Pic::Dumbbells => {
            for (dx, dy) in [(-30.0f32, -50.0f32), (30.0, 70.0)] {
                c.with(Xf::translate(dx, dy), |c| {
                    c.shadow(0.0, 70.0, 200.0, 10.0, 0.3);
                    c.fill(&[rrect(-150.0, -10.0, 300.0, 20.0, 6.0)], STEEL, 1.0);
                    for sx in [-1.0f32, 1.0] {
                        for (i, (w, h)) in [(36.0, 120.0), (30.0, 96.0)].iter().enumerate() {
                            let x = sx * (150.0 - 20.0 - i as f32 * 34.0) - w / 2.0;
                            c.fill(
                                &[rrect(x, -h / 2.0, *w, *h, 8.0)],
                                gloss(m, -h / 2.0, h / 2.0),
                                1.0,
                            );
                        }
                    }
                    c.fill(&[rrect(-45.0, -12.0, 90.0, 24.0, 8.0)], RUBBER, 1.0);
                });
            }
        }
        Pic::Skates => {
            for (i, dx) in [-110.0f32, 120.0].iter().enumerate() {
                c.with(
                    Xf::translate(*dx, if i == 0 { -10.0 } else { 20.0 })
                        .then(&Xf::scale(0.8, 0.8)),
                    |c| {
                        c.shadow(0.0, 215.0, 150.0, 10.0, 0.3);
                        let boot = smooth(
                            &[
                                (-60.0, -180.0),
                                (40.0, -185.0),
                                (50.0, -40.0),
                                (150.0, 20.0),
                                (160.0, 120.0),
                                (-80.0, 120.0),
                                (-75.0, -20.0),
                            ],
                            8,
                        );
                        c.fill(&[boot], gloss(m, -185.0, 120.0), 1.0);
                        c.fill(&[rrect(-70.0, -150.0, 120.0, 40.0, 12.0)], a, 1.0);
                        for y in [-60.0f32, -20.0, 20.0] {
                            c.fill(&[rrect(-20.0, y, 70.0, 10.0, 5.0)], DARK, 0.8);
                        }
                        c.fill(&[rect(-95.0, 120.0, 270.0, 30.0)], DARK.light(0.2), 1.0);
                        for k in 0..4 {
                            let x = -70.0 + k as f32 * 70.0;
                            c.fill(&[circle(x, 175.0, 32.0)], a.dark(0.2), 1.0);
                            c.fill(&[circle(x, 175.0, 12.0)], STEEL, 1.0);
                        }
                    },
                );
            }
        }
        Pic::Tent => {
            c.shadow(0.0, 150.0, 280.0, 18.0, 0.3);
            c.fill(
                &[vec![
                    (-260.0, 145.0),
                    (-40.0, -170.0),
                    (0.0, -175.0),
                    (60.0, 145.0),
                ]],
                gloss(m, -175.0, 145.0),
                1.0,
            );
            c.fill(
                &[vec![(0.0, -175.0), (230.0, 145.0), (60.0, 145.0)]],
                m.dark(0.3),
                1.0,
            );
            c.fill(
                &[vec![(-150.0, 145.0), (-55.0, -40.0), (-25.0, 145.0)]],
                RUBBER.light(0.1),
                0.9,
            );
            c.fill(&line((-55.0, -40.0), (-70.0, 140.0), 3.0), a, 1.0);
            c.fill(&line((-40.0, -170.0), (-265.0, 150.0), 5.0), a, 1.0);
            c.fill(&[rect(-280.0, 143.0, 540.0, 6.0)], DARK, 0.5);
        }
        Pic::Jacket => {
            c.shadow(0.0, 200.0, 170.0, 12.0, 0.25);
            let half = [
                (0.0, -185.0),
                (50.0, -190.0),
                (130.0, -150.0),
                (175.0, -60.0),
                (200.0, 150.0),
                (150.0, 160.0),
                (130.0, -20.0),
                (125.0, 185.0),
                (0.0, 190.0),
            ];
            c.fill(&[mirrored(&half)], gloss(m, -190.0, 190.0), 1.0);
            c.fill(
                &[arc_band(0.0, -185.0, 38.0, 62.0, 0.0, PI)],
                m.dark(0.25),
                1.0,
            );
            c.fill(&[rect(-3.0, -150.0, 6.0, 335.0)], STEEL, 1.0);
            for sx in [-1.0f32, 1.0] {
                c.fill(
                    &[rrect(sx * 80.0 - 28.0, 60.0, 56.0, 10.0, 5.0)],
                    m.dark(0.35),
                    1.0,
                );
            }
            c.fill(&[rect(-125.0, 160.0, 250.0, 25.0)], m.dark(0.2), 1.0);
            c.fill(&[rect(-100.0, -40.0, 200.0, 14.0)], a, 0.8);
        }
        Pic::TShirt => {
            c.shadow(0.0, 190.0, 150.0, 10.0, 0.2);
            let half = [
                (0.0, -150.0),
                (50.0, -165.0),
                (120.0, -140.0),
                (215.0, -60.0),
                (170.0, 5.0),
                (125.0, -25.0),
                (125.0, 180.0),
                (0.0, 185.0),
            ];
            c.fill(&[mirrored(&half)], gloss(m, -165.0, 185.0), 1.0);
            c.fill(
                &[arc_band(0.0, -165.0, 40.0, 52.0, 0.0, PI)],
                m.dark(0.2),
                1.0,
            );
            match rng.below(3) {
                0 => c.fill(&[circle(0.0, 10.0, 55.0)], a, 0.95),
                1 => {
                    for i in 0..3 {
                        c.fill(
                            &[rect(-124.0, -30.0 + i as f32 * 50.0, 248.0, 20.0)],
                            a,
                            0.9,
                        );
                    }
                }
                _ => c.fill(&[vec![(0.0, -50.0), (60.0, 50.0), (-60.0, 50.0)]], a, 0.95),
            }
        }
        Pic::Jeans => {
            c.shadow(0.0, 215.0, 140.0, 10.0, 0.25);
            let half = [
                (0.0, -200.0),
                (115.0, -200.0),
                (125.0, -130.0),
                (140.0, 205.0),
                (40.0, 210.0),
                (5.0, -40.0),
                (0.0, -40.0),
            ];
            c.fill(&[mirrored(&half)], gloss(m, -200.0, 210.0), 1.0);
            c.fill(&[rect(-115.0, -200.0, 230.0, 26.0)], m.dark(0.2), 1.0);
            c.fill(&[circle(0.0, -187.0, 7.0)], Rgb::hex(0xc9a227), 1.0);
            c.fill(&line((0.0, -174.0), (0.0, -60.0), 2.0), a, 0.8);
            for sx in [-1.0f32, 1.0] {
                c.fill(
                    &[arc_band(
                        sx * 115.0,
                        -174.0,
                        40.0,
                        44.0,
                        if sx < 0.0 { 0.0 } else { PI * 0.5 },
                        if sx < 0.0 { PI * 0.5 } else { PI },
                    )],
                    a,
                    0.8,
                );
                c.fill(
                    &line((sx * 132.0, -100.0), (sx * 140.0, 190.0), 2.0),
                    a,
                    0.6,
                );
            }
        }
        Pic::Dress => {
            c.shadow(0.0, 210.0, 170.0, 10.0, 0.25);
            let half = [
                (0.0, -150.0),
                (40.0, -160.0),
                (60.0, -200.0),
                (72.0, -200.0),
                (75.0, -120.0),
                (60.0, -40.0),
                (190.0, 200.0),
                (0.0, 210.0),
            ];
            let dress = smooth(&mirrored(&half), 4);
            c.fill(&[dress], gloss(m, -200.0, 210.0), 1.0);
            c.fill(&[rect(-62.0, -48.0, 124.0, 16.0)], a, 1.0);
            let mut y = 0.0;
            while y < 190.0 {
                let w = 60.0 + y * 0.68;
                let mut x = -w + 18.0;
                while x < w - 10.0 {
                    c.fill(&[circle(x, y, 6.0)], WHITE, 0.7);
                    x += 36.0;
                }
                y += 34.0;
            }
        }
        Pic::Backpack => {
            c.shadow(0.0, 205.0, 150.0, 12.0, 0.35);
            c.fill(
                &polyline(
                    &[
                        (-50.0, -180.0),
                        (-30.0, -225.0),
                        (30.0, -225.0),
                        (50.0, -180.0),
                    ],
                    14.0,
                ),
                DARK,
                1.0,
            );
            c.fill(
                &[rrect(-150.0, -190.0, 300.0, 390.0, 70.0)],
                gloss(m, -190.0, 200.0),
                1.0,
            );
            c.fill(
                &[rrect(-110.0, 30.0, 220.0, 150.0, 35.0)],
                m.dark(0.15),
                1.0,
            );
            c.fill(
                &[arc_band(0.0, -40.0, 120.0, 128.0, PI * 1.15, PI * 1.85)],
                DARK,
                0.8,
            );
            c.fill(&[rect(-95.0, 55.0, 190.0, 6.0)], DARK, 0.8);
            c.fill(&[rrect(-40.0, 100.0, 80.0, 22.0, 6.0)], a, 1.0);
        }
        Pic::Boots => {
            for (i, dx) in [-110.0f32, 90.0].iter().enumerate() {
                c.with(
                    Xf::translate(*dx, if i == 0 { 0.0 } else { 15.0 })
                        .then(&Xf::scale(0.85, 0.85)),
                    |c| {
                        c.shadow(20.0, 210.0, 160.0, 10.0, 0.3);
                        let boot = [
                            (-70.0, -200.0),
                            (50.0, -200.0),
                            (55.0, 60.0),
                            (170.0, 120.0),
                            (175.0, 190.0),
                            (-80.0, 190.0),
                        ];
                        c.fill(&[boot.to_vec()], gloss(m, -200.0, 190.0), 1.0);
                        c.fill(&[rect(-82.0, 185.0, 260.0, 20.0)], RUBBER, 1.0);
                        c.fill(&[rect(-80.0, 150.0, 60.0, 40.0)], RUBBER, 1.0);
                        c.fill(&[rect(-70.0, -200.0, 120.0, 22.0)], a, 0.9);
                        c.fill(&line((40.0, -170.0), (40.0, 40.0), 3.0), STEEL, 0.9);
                    },
                );
            }
        }
        Pic::Sneakers => {
            for (i, (dx, dy)) in [(-40.0f32, -60.0f32), (40.0, 70.0)].iter().enumerate() {
                c.with(Xf::translate(*dx, *dy).then(&Xf::scale(0.9, 0.9)), |c| {
                    c.shadow(0.0, 95.0, 230.0, 10.0, 0.3);
                    sneaker(c, m, a, i);
                });
            }
        }
        Pic::Tyres => {
            c.shadow(0.0, 185.0, 260.0, 14.0, 0.35);
            for (x, y, r) in [(-85.0f32, 0.0f32, 180.0f32), (120.0, 30.0, 155.0)] {
                tyre(c, x, y, r);
            }
        }
        Pic::Rims => {
            c.shadow(0.0, 185.0, 260.0, 14.0, 0.35);
            for (x, y, r) in [(-90.0f32, 0.0f32, 175.0f32), (125.0, 30.0, 150.0)] {
                c.fill(&[circle(x, y, r)], RUBBER, 1.0);
                c.fill(&[circle(x, y, r * 0.78)], hgrad(m, x - r, x + r), 1.0);
                c.fill(&[circle(x, y, r * 0.66)], DARK, 1.0);
                for i in 0..5 {
                    let t = i as f32 / 5.0 * 2.0 * PI - PI / 2.0;
                    let (ca, sa) = (t.cos(), t.sin());
                    let (px, py) = (-sa, ca);
                    let w0 = r * 0.07;
                    let w1 = r * 0.16;
                    let r1 = r * 0.68;
                    c.fill(
                        &[vec![
                            (x + px * w0, y + py * w0),
                            (x + ca * r1 + px * w1, y + sa * r1 + py * w1),
                            (x + ca * r1 - px * w1, y + sa * r1 - py * w1),
                            (x - px * w0, y - py * w0),
                        ]],
                        hgrad(m, x - r, x + r),
                        1.0,
                    );
                }
                c.fill(&[circle(x, y, r * 0.18)], m.dark(0.2), 1.0);
                c.fill(&[circle(x, y, r * 0.08)], a, 1.0);
            }
        }
        Pic::Helmet => {
            c.shadow(0.0, 170.0, 190.0, 14.0, 0.35);
            let shell = smooth(
                &[
                    (-200.0, 60.0),
                    (-190.0, -60.0),
                    (-100.0, -160.0),
                    (40.0, -170.0),
                    (160.0, -90.0),
                    (200.0, 20.0),
                    (180.0, 150.0),
                    (40.0, 160.0),
                    (-150.0, 150.0),
                ],
                8,
            );
            c.fill(&[shell], gloss(m, -170.0, 160.0), 1.0);
            c.fill(
                &[smooth(
                    &[
                        (-20.0, -70.0),
                        (150.0, -70.0),
                        (195.0, 10.0),
                        (170.0, 70.0),
                        (0.0, 60.0),
                        (-40.0, 0.0),
                    ],
                    6,
                )],
                Paint::Linear {
                    p0: (0.0, -70.0),
                    c0: Rgb::hex(0x4b5d73),
                    p1: (0.0, 70.0),
                    c1: Rgb::hex(0x0d1117),
                },
                1.0,
            );
            c.fill(&[ellipse(70.0, -35.0, 60.0, 14.0)], WHITE, 0.3);
            c.fill(
                &[arc_band(-30.0, 40.0, 150.0, 172.0, PI * 1.15, PI * 1.55)],
                a,
                0.95,
            );
            c.fill(&[rrect(-150.0, 135.0, 300.0, 20.0, 10.0)], RUBBER, 1.0);
        }
        Pic::CarBattery => {
            c.shadow(0.0, 165.0, 230.0, 14.0, 0.35);
            c.fill(
                &[rect(-220.0, -70.0, 360.0, 230.0)],
                gloss(RUBBER.light(0.15), -70.0, 160.0),
                1.0,
            );
            c.fill(
                &[vec![
                    (-220.0, -70.0),
                    (140.0, -70.0),
                    (220.0, -130.0),
                    (-140.0, -130.0),
                ]],
                RUBBER.light(0.3),
                1.0,
            );
            c.fill(
                &[vec![
                    (140.0, -70.0),
                    (220.0, -130.0),
                    (220.0, 100.0),
                    (140.0, 160.0),
                ]],
                RUBBER,
                1.0,
            );
            c.fill(&[rect(-220.0, -10.0, 360.0, 90.0)], m, 1.0);
            c.fill(&[rect(-200.0, 10.0, 150.0, 24.0)], WHITE, 0.9);
            text_lines(c, -200.0, 45.0, 200.0, 1, 24.0, WHITE, rng);
            for (x, col) in [(-110.0f32, 0xd62828), (110.0, 0x222222)] {
                c.fill(&[rect(x - 18.0, -135.0, 36.0, 25.0)], STEEL.dark(0.2), 1.0);
                c.fill(&[ellipse(x, -135.0, 18.0, 7.0)], STEEL, 1.0);
                c.fill(&[circle(x + 40.0, -100.0, 10.0)], Rgb::hex(col), 1.0);
            }
        }
        Pic::Car => {
            c.shadow(0.0, 125.0, 290.0, 14.0, 0.4);
            let body = smooth(
                &[
                    (-280.0, 40.0),
                    (-275.0, -20.0),
                    (-200.0, -40.0),
                    (-120.0, -120.0),
                    (70.0, -125.0),
                    (160.0, -50.0),
                    (270.0, -30.0),
                    (285.0, 40.0),
                    (270.0, 85.0),
                    (-270.0, 85.0),
                ],
                6,
            );
            c.fill(&[body], gloss(m, -125.0, 85.0), 1.0);
            c.fill(
                &[vec![
                    (-105.0, -105.0),
                    (-15.0, -108.0),
                    (-15.0, -45.0),
                    (-170.0, -45.0),
                ]],
                GLASS,
                1.0,
            );
            c.fill(
                &[vec![
                    (0.0, -108.0),
                    (60.0, -108.0),
                    (135.0, -45.0),
                    (0.0, -45.0),
                ]],
                GLASS,
                1.0,
            );
            c.fill(
                &[vec![
                    (-100.0, -100.0),
                    (-70.0, -100.0),
                    (-120.0, -50.0),
                    (-150.0, -50.0),
                ]],
                WHITE,
                0.15,
            );
            c.fill(&line((-10.0, -40.0), (-10.0, 70.0), 2.0), m.dark(0.35), 1.0);
            c.fill(
                &[
                    rrect(-70.0, -25.0, 30.0, 7.0, 3.0),
                    rrect(50.0, -25.0, 30.0, 7.0, 3.0),
                ],
                m.dark(0.4),
                1.0,
            );
            c.fill(
                &[ellipse(262.0, -10.0, 18.0, 10.0)],
                Rgb::hex(0xfff3c4),
                1.0,
            );
            c.fill(
                &[rrect(-282.0, -15.0, 14.0, 20.0, 4.0)],
                Rgb::hex(0xd62828),
                1.0,
            );
            c.fill(&[rect(-270.0, 45.0, 540.0, 14.0)], m.dark(0.3), 0.7);
            for x in [-170.0f32, 175.0] {
                c.fill(&[circle(x, 85.0, 62.0)], m.dark(0.55), 1.0);
                c.fill(&[circle(x, 85.0, 52.0)], RUBBER, 1.0);
                c.fill(
                    &[circle(x, 85.0, 30.0)],
                    hgrad(STEEL, x - 30.0, x + 30.0),
                    1.0,
                );
                c.fill(&[circle(x, 85.0, 8.0)], DARK, 1.0);
            }
        }
        Pic::Motorbike => {
            c.shadow(0.0, 150.0, 270.0, 12.0, 0.35);
            for x in [-175.0f32, 180.0] {
                c.fill(&ring(x, 80.0, 78.0, 56.0), RUBBER, 1.0);
                c.fill(&ring(x, 80.0, 56.0, 50.0), STEEL, 1.0);
                for i in 0..6 {
                    let t = i as f32 / 6.0 * 2.0 * PI;
                    c.fill(
                        &line((x, 80.0), (x + 50.0 * t.cos(), 80.0 + 50.0 * t.sin()), 5.0),
                        STEEL.dark(0.2),
                        1.0,
                    );
                }
                c.fill(&[circle(x, 80.0, 12.0)], DARK, 1.0);
            }
            c.fill(
                &line((180.0, 80.0), (120.0, -90.0), 14.0),
                STEEL.dark(0.2),
                1.0,
            );
            c.fill(&line((-175.0, 80.0), (-40.0, 40.0), 16.0), DARK, 1.0);
            c.fill(
                &[rrect(-60.0, 0.0, 110.0, 90.0, 14.0)],
                STEEL.dark(0.35),
                1.0,
            );
            c.fill(
                &polyline(&[(-30.0, 80.0), (-150.0, 95.0), (-240.0, 70.0)], 14.0),
                STEEL,
                1.0,
            );
            let tank = smooth(
                &[
                    (-150.0, -30.0),
                    (-60.0, -40.0),
                    (10.0, -95.0),
                    (110.0, -90.0),
                    (120.0, -40.0),
                    (40.0, 10.0),
                    (-140.0, 10.0),
                ],
                6,
            );
            c.fill(&[tank], gloss(m, -95.0, 10.0), 1.0);
            c.fill(
                &[smooth(
                    &[
                        (-210.0, -30.0),
                        (-40.0, -45.0),
                        (-40.0, -25.0),
                        (-200.0, -10.0),
                    ],
                    5,
                )],
                RUBBER,
                1.0,
            );
            c.fill(
                &[arc_band(180.0, 80.0, 82.0, 94.0, PI * 1.1, PI * 1.6)],
                m,
                1.0,
            );
            c.fill(
                &polyline(&[(115.0, -95.0), (95.0, -130.0), (60.0, -135.0)], 8.0),
                DARK,
                1.0,
            );
            c.fill(&[circle(140.0, -70.0, 20.0)], Rgb::hex(0xfff3c4), 1.0);
            c.fill(&[rect(-20.0, -70.0, 80.0, 10.0)], a, 0.9);
        }
    }
}

fn guitar_body(c: &mut Canvas, m: Rgb, a: Rgb, classical: bool) {
    let wood = m;
    c.fill(
        &[rrect(-350.0, -26.0, 75.0, 52.0, 10.0)],
        wood.dark(0.45),
        1.0,
    );
    for i in 0..3 {
        for sy in [-1.0f32, 1.0] {
            c.fill(
                &[circle(-335.0 + i as f32 * 22.0, sy * 32.0, 7.0)],
                STEEL,
                1.0,
            );
        }
    }
    c.fill(&[rect(-285.0, -17.0, 290.0, 34.0)], Rgb::hex(0x5a3a22), 1.0);
    for i in 0..12 {
        let x = -270.0 + i as f32 * 22.0 * (1.0 - i as f32 * 0.025);
        c.fill(&[rect(x, -17.0, 2.5, 34.0)], STEEL, 0.9);
    }
    let outline = smooth(
        &[
            (-10.0, -60.0),
            (40.0, -85.0),
            (95.0, -72.0),
            (130.0, -80.0),
            (200.0, -112.0),
            (265.0, -85.0),
            (290.0, 0.0),
            (265.0, 85.0),
            (200.0, 112.0),
            (130.0, 80.0),
            (95.0, 72.0),
            (40.0, 85.0),
            (-10.0, 60.0),
            (-25.0, 0.0),
        ],
        8,
    );
    c.fill(
        &[outline.clone()],
        Paint::Linear {
            p0: (0.0, -110.0),
            c0: wood.light(0.2),
            p1: (0.0, 110.0),
            c1: wood.dark(0.25),
        },
        1.0,
    );
    if !classical {
        c.fill(&[ellipse(170.0, 0.0, 90.0, 70.0)], wood.dark(0.45), 0.5);
    }
    c.fill(&ring(75.0, 0.0, 40.0, 32.0), a, 1.0);
    c.fill(&[circle(75.0, 0.0, 30.0)], RUBBER, 1.0);
    c.fill(
        &[rrect(215.0, -35.0, 20.0, 70.0, 5.0)],
        Rgb::hex(0x3b2414),
        1.0,
    );
    for i in 0..6 {
        let y = -12.5 + i as f32 * 5.0;
        c.fill(
            &line((-280.0, y * 0.9), (225.0, y), 1.3),
            Rgb::hex(0xeeeeee),
            1.0,
        );
    }
}

fn electric(c: &mut Canvas, m: Rgb, a: Rgb, bass: bool) {
    let neck_end = if bass { -380.0 } else { -330.0 };
    c.fill(
        &[smooth(
            &[
                (neck_end - 60.0, -20.0),
                (neck_end, -28.0),
                (neck_end + 10.0, 20.0),
                (neck_end - 50.0, 26.0),
            ],
            4,
        )],
        Rgb::hex(0xd9b382),
        1.0,
    );
    c.fill(
        &[rect(neck_end, -15.0, 40.0 - neck_end, 30.0)],
        Rgb::hex(0xd9b382),
        1.0,
    );
    c.fill(
        &[rect(neck_end + 5.0, -13.0, 35.0 - neck_end, 26.0)],
        Rgb::hex(0x5a3a22),
        1.0,
    );
    for i in 0..14 {
        let x = neck_end + 15.0 + i as f32 * 24.0 * (1.0 - i as f32 * 0.02);
        c.fill(&[rect(x, -13.0, 2.0, 26.0)], STEEL, 0.9);
    }
    let body = smooth(
        &[
            (0.0, -28.0),
            (-30.0, -70.0),
            (-38.0, -102.0),
            (-8.0, -112.0),
            (60.0, -88.0),
            (120.0, -96.0),
            (200.0, -112.0),
            (262.0, -82.0),
            (292.0, -10.0),
            (276.0, 62.0),
            (226.0, 106.0),
            (140.0, 116.0),
            (80.0, 100.0),
            (20.0, 96.0),
            (-16.0, 82.0),
            (-12.0, 55.0),
            (0.0, 28.0),
        ],
        6,
    );
    c.fill(&[body], gloss(m, -112.0, 116.0), 1.0);
    c.fill(
        &[smooth(
            &[
                (10.0, -40.0),
                (90.0, -62.0),
                (170.0, -40.0),
                (200.0, 30.0),
                (150.0, 82.0),
                (60.0, 70.0),
                (5.0, 40.0),
            ],
            6,
        )],
        Rgb::hex(0xf5f5f0),
        0.95,
    );
    for x in if bass {
        vec![110.0]
    } else {
        vec![70.0, 120.0, 170.0]
    } {
        c.fill(&[rrect(x, -22.0, 24.0, 44.0, 6.0)], DARK, 1.0);
    }
    c.fill(&[rrect(205.0, -30.0, 26.0, 60.0, 4.0)], STEEL, 1.0);
    for (x, y) in [(180.0, 60.0), (215.0, 55.0)] {
        c.fill(&[circle(x, y, 11.0)], a, 1.0);
    }
    let n = if bass { 4 } else { 6 };
    for i in 0..n {
        let y = -9.0 + i as f32 * 18.0 / (n - 1) as f32;
        c.fill(
            &line((neck_end, y), (218.0, y), if bass { 2.0 } else { 1.2 }),
            Rgb::hex(0xeeeeee),
            1.0,
        );
    }
}

fn chair(c: &mut Canvas, m: Rgb, a: Rgb, _i: usize) {
    let wood = m;
    for (x0, y0, x1, y1) in [
        (-75.0, 20.0, -85.0, 230.0),
        (75.0, 20.0, 85.0, 230.0),
        (-45.0, 10.0, -50.0, 200.0),
        (45.0, 10.0, 50.0, 200.0),
    ] {
        c.fill(&line((x0, y0), (x1, y1), 16.0), wood.dark(0.25), 1.0);
    }
    c.fill(
        &line((-70.0, 10.0), (-70.0, -230.0), 18.0),
        wood.dark(0.1),
        1.0,
    );
    c.fill(
        &line((70.0, 10.0), (70.0, -230.0), 18.0),
        wood.dark(0.1),
        1.0,
    );
    c.fill(
        &[rrect(-80.0, -235.0, 160.0, 50.0, 10.0)],
        gloss(wood, -235.0, -185.0),
        1.0,
    );
    for i in 0..3 {
        c.fill(
            &[rect(-50.0 + i as f32 * 40.0, -185.0, 14.0, 150.0)],
            wood,
            1.0,
        );
    }
    c.fill(
        &[vec![
            (-90.0, 0.0),
            (90.0, 0.0),
            (105.0, 40.0),
            (-105.0, 40.0),
        ]],
        gloss(a, 0.0, 40.0),
        1.0,
    );
    c.fill(&[rect(-105.0, 40.0, 210.0, 12.0)], wood.dark(0.2), 1.0);
}

fn sneaker(c: &mut Canvas, m: Rgb, a: Rgb, _i: usize) {
    let upper = smooth(
        &[
            (-205.0, 62.0),
            (-212.0, -10.0),
            (-195.0, -55.0),
            (-150.0, -50.0),
            (-110.0, -62.0),
            (-60.0, -80.0),
            (-35.0, -92.0),
            (-15.0, -72.0),
            (40.0, -45.0),
            (120.0, -15.0),
            (185.0, 15.0),
            (215.0, 45.0),
            (212.0, 64.0),
        ],
        6,
    );
    c.fill(&[upper], gloss(m, -92.0, 64.0), 1.0);
    c.fill(&[rrect(-218.0, 60.0, 440.0, 32.0, 14.0)], WHITE, 1.0);
    c.fill(&[rect(-215.0, 84.0, 434.0, 8.0)], Rgb::hex(0xcccccc), 1.0);
    c.fill(
        &[smooth(
            &[(-160.0, 45.0), (-60.0, -30.0), (90.0, 10.0), (-50.0, 25.0)],
            6,
        )],
        a,
        1.0,
    );
    for i in 0..5 {
        let x = -100.0 + i as f32 * 28.0;
        c.fill(
            &line(
                (x, -70.0 + i as f32 * 8.0),
                (x + 18.0, -58.0 + i as f32 * 8.0),
                5.0,
            ),
            WHITE,
            0.95,
        );
    }
    c.fill(
        &[smooth(
            &[
                (-205.0, -40.0),
                (-175.0, -55.0),
                (-150.0, -20.0),
                (-200.0, 20.0),
            ],
            5,
        )],
        m.dark(0.3),
        1.0,
    );
}

fn tyre(c: &mut Canvas, x: f32, y: f32, r: f32) {
    c.fill(&[circle(x, y, r)], RUBBER, 1.0);
    for i in 0..40 {
        let t = i as f32 / 40.0 * 2.0 * PI;
        let (ca, sa) = (t.cos(), t.sin());
        let (px, py) = (-sa, ca);
        let (r0, r1, w) = (r - 16.0, r, 5.0);
        c.fill(
            &[vec![
                (x + ca * r0 + px * w, y + sa * r0 + py * w),
                (x + ca * r1 + px * w, y + sa * r1 + py * w),
                (x + ca * r1 - px * w, y + sa * r1 - py * w),
                (x + ca * r0 - px * w, y + sa * r0 - py * w),
            ]],
            Rgb::hex(0x3a3b3e),
            1.0,
        );
    }
    c.fill(&ring(x, y, r * 0.78, r * 0.74), Rgb::hex(0x45474b), 1.0);
    c.fill(
        &[arc_band(x, y, r * 0.64, r * 0.7, PI * 1.2, PI * 1.5)],
        WHITE,
        0.5,
    );
    c.fill(
        &[circle(x, y, r * 0.55)],
        hgrad(STEEL, x - r * 0.55, x + r * 0.55),
        1.0,
    );
    c.fill(&[circle(x, y, r * 0.45)], STEEL.dark(0.3), 1.0);
    for i in 0..5 {
        let t = i as f32 / 5.0 * 2.0 * PI;
        c.fill(
            &[circle(
                x + r * 0.3 * t.cos(),
                y + r * 0.3 * t.sin(),
                r * 0.06,
            )],
            STEEL.light(0.3),
            1.0,
        );
    }
    c.fill(&[circle(x, y, r * 0.12)], STEEL, 1.0);
}

fn book_cover(c: &mut Canvas, m: Rgb, a: Rgb, rng: &mut Rng) {
    c.fill(
        &[vec![
            (-138.0, -170.0),
            (-118.0, -178.0),
            (-118.0, 178.0),
            (-138.0, 170.0),
        ]],
        m.dark(0.35),
        1.0,
    );
    c.fill(
        &[rect(-118.0, -178.0, 236.0, 356.0)],
        gloss(m, -178.0, 178.0),
        1.0,
    );
    c.fill(&[rect(112.0, -174.0, 8.0, 350.0)], Rgb::hex(0xf3ecd8), 1.0);
    let ink = if m.0 + m.1 + m.2 > 2.0 { DARK } else { WHITE };
    match rng.below(3) {
        0 => {
            c.fill(&[rect(-118.0, -70.0, 236.0, 90.0)], a, 1.0);
            text_lines(c, -95.0, -55.0, 180.0, 2, 30.0, ink, rng);
            c.fill(&[circle(0.0, 95.0, 45.0)], a.light(0.3), 0.9);
        }
        1 => {
            text_lines(c, -95.0, -145.0, 190.0, 3, 28.0, ink, rng);
            c.fill(
                &[vec![
                    (0.0, -30.0),
                    (80.0, 60.0),
                    (0.0, 150.0),
                    (-80.0, 60.0),
                ]],
                a,
                0.95,
            );
        }
        _ => {
            let f = rrect(-98.0, -158.0, 196.0, 316.0, 6.0);
            let mut inner = rrect(-90.0, -150.0, 180.0, 300.0, 4.0);
            inner.reverse();
            c.fill(&[f, inner], a, 1.0);
            text_lines(c, -70.0, -110.0, 140.0, 2, 30.0, ink, rng);
            text_lines(c, -50.0, 110.0, 100.0, 1, 22.0, ink, rng);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_draws_the_same_picture_and_another_seed_another() {
        let look = Look {
            main: Rgb::hex(0x2266aa),
            accent: Rgb::hex(0xffcc00),
            seed: 3,
        };
        let a = photo(Pic::Drill, &look);
        assert_eq!(a, photo(Pic::Drill, &look));
        assert_ne!(a, photo(Pic::Drill, &Look { seed: 4, ..look }));
        let img = image::load_from_memory(&a).unwrap();
        assert_eq!((img.width(), img.height()), (PHOTO_W, PHOTO_H));
        assert_eq!(avatar(5), avatar(5));
    }
}
