//! Thumbnails of photos, loaded lazily (only what a screen draws asks for one), a batch at a
//! time on a worker thread, and kept as textures.

use std::collections::HashMap;
use std::sync::Arc;

use egui::{TextureHandle, TextureOptions};

use super::jobs::Job;
use super::widgets::{decode_image, photo_id};
use crate::domain::Market;
use crate::domain::photos::THUMB_SIDE;

enum Slot {
    Loading,
    Ready(TextureHandle),
    Missing,
}

/// How many thumbnails one background read fetches.
const BATCH: usize = 24;
/// Past this many textures the cache starts over (a long scroll through 100,000 rows).
const MAX_CACHED: usize = 1500;

pub struct Thumbs {
    market: Arc<Market>,
    map: HashMap<String, Slot>,
    /// Asked for during this frame and not known yet (rows that scrolled away are not loaded).
    wanted: Vec<String>,
    job: Job<Vec<(String, Option<egui::ColorImage>)>>,
}

impl Thumbs {
    pub fn new(market: Arc<Market>) -> Thumbs {
        Thumbs {
            market,
            map: HashMap::new(),
            wanted: Vec::new(),
            job: Job::default(),
        }
    }

    /// The texture of photo `hex` if loaded; otherwise asks for it and returns `None`.
    pub fn get(&mut self, hex: &str) -> Option<&TextureHandle> {
        match self.map.get(hex) {
            Some(Slot::Ready(t)) => Some(t),
            Some(_) => None,
            None => {
                if self.wanted.len() < 4 * BATCH && !self.wanted.iter().any(|w| w == hex) {
                    self.wanted.push(hex.to_string());
                }
                None
            }
        }
    }

    /// Whether photo `hex` could not be read (no thumbnail file, not an image).
    pub fn missing(&self, hex: &str) -> bool {
        matches!(self.map.get(hex), Some(Slot::Missing))
    }

    /// Once per frame: takes loaded thumbnails and starts loading the next batch asked for.
    pub fn pump(&mut self, ctx: &egui::Context) {
        if let Some(done) = self.job.poll() {
            for (hex, img) in done {
                let slot = match img {
                    Some(img) => Slot::Ready(ctx.load_texture(
                        format!("miniatura-{hex}"),
                        img,
                        TextureOptions::LINEAR,
                    )),
                    None => Slot::Missing,
                };
                self.map.insert(hex, slot);
            }
        }
        let wanted = std::mem::take(&mut self.wanted);
        if self.job.running() || wanted.is_empty() {
            return;
        }
        if self.map.len() > MAX_CACHED {
            self.map.retain(|_, s| matches!(s, Slot::Loading));
        }
        let batch: Vec<String> = wanted.into_iter().take(BATCH).collect();
        for k in &batch {
            self.map.insert(k.clone(), Slot::Loading);
        }
        let m = self.market.clone();
        self.job.start(ctx, move || {
            batch
                .into_iter()
                .map(|hex| {
                    let img = photo_id(&hex)
                        .and_then(|id| m.thumbnail(&id).ok().flatten())
                        .and_then(|b| decode_image(&b, THUMB_SIDE));
                    (hex, img)
                })
                .collect()
        });
    }
}
