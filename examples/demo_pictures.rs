//! A contact sheet of the demo's pictures: every kind of article in a few looks, and some
//! profile pictures, to look at them side by side.
//!
//! ```text
//! cargo run --release --example demo_pictures -- OUT.png [LOOKS]
//! ```

use ventalibre::domain::demo::draw::Rgb;
use ventalibre::domain::demo::pictures::{ALL_PICS, Look, avatar, photo};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = args
        .first()
        .cloned()
        .unwrap_or_else(|| "demo-pictures.png".into());
    let looks: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(2);
    let (tw, th) = (240u32, 180u32);
    let cols = 8u32;
    let n = ALL_PICS.len() as u32 * looks as u32 + 8;
    let rows = n.div_ceil(cols);
    let mut sheet = image::RgbImage::from_pixel(cols * tw, rows * th, image::Rgb([255, 255, 255]));
    let palette = [
        0x1f6fb2, 0xd1495b, 0x2a9d8f, 0xe9c46a, 0x6d597a, 0x264653, 0xf4a261, 0x8ab17d,
    ];
    let mut i = 0u32;
    let t = std::time::Instant::now();
    let mut drawing = std::time::Duration::ZERO;
    for (k, pic) in ALL_PICS.iter().enumerate() {
        for l in 0..looks {
            let look = Look {
                main: Rgb::hex(palette[(k + l as usize) % palette.len()]),
                accent: Rgb::hex(palette[(k + l as usize + 3) % palette.len()]),
                seed: k as u64 * 31 + l,
            };
            let t0 = std::time::Instant::now();
            let bytes = photo(*pic, &look);
            drawing += t0.elapsed();
            let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
            let small = image::imageops::thumbnail(&img, tw - 4, th - 4);
            image::imageops::overlay(
                &mut sheet,
                &small,
                ((i % cols) * tw + 2) as i64,
                ((i / cols) * th + 2) as i64,
            );
            i += 1;
        }
    }
    for s in 0..8 {
        let img = image::load_from_memory(&avatar(s)).unwrap().to_rgb8();
        let small = image::imageops::thumbnail(&img, th - 4, th - 4);
        image::imageops::overlay(
            &mut sheet,
            &small,
            ((i % cols) * tw + 2) as i64,
            ((i / cols) * th + 2) as i64,
        );
        i += 1;
    }
    eprintln!(
        "{} dibujos en {:.2} s ({:.1} ms por foto dibujada y codificada)",
        i,
        t.elapsed().as_secs_f64(),
        drawing.as_secs_f64() * 1000.0 / (ALL_PICS.len() as f64 * looks as f64)
    );
    sheet.save(&out).unwrap();
}
