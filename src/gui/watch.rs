//! The window's one change watcher: it reads the share's change counter every
//! [`POLL_SECONDS`] (one small read when nothing changed) and bumps [`Env::generation`] when
//! another terminal — or this one — changed the share, so every open screen reloads.

use std::time::Duration;

use super::env::Env;
use super::jobs::Job;
use crate::domain::DResult;

/// How often the change counter is read.
pub const POLL_SECONDS: f64 = 0.7;

#[derive(Default)]
pub struct ChangeWatcher {
    counter: Option<u64>,
    job: Job<DResult<u64>>,
    next_poll: f64,
    /// When the counter last moved (wall clock, for the status bar).
    pub updated_at: Option<String>,
    /// Why the share could not be read, until it can again.
    pub error: Option<String>,
}

impl ChangeWatcher {
    /// Once per frame.
    pub fn pump(&mut self, ctx: &egui::Context, env: &mut Env) {
        let now = ctx.input(|i| i.time);
        if let Some(r) = self.job.poll() {
            match r {
                Ok(c) => {
                    if self.counter.is_some_and(|old| old != c) {
                        env.generation += 1;
                    }
                    if self.counter != Some(c) {
                        self.updated_at = Some(chrono::Local::now().format("%H:%M:%S").to_string());
                    }
                    self.counter = Some(c);
                    self.error = None;
                }
                Err(e) => self.error = Some(e.to_string()),
            }
        }
        let asked = env.take_poll_now();
        if !self.job.running() && (asked || now >= self.next_poll) {
            self.next_poll = now + POLL_SECONDS;
            let m = env.market.clone();
            self.job.start(ctx, move || m.change_counter());
        } else if asked {
            // A change made here while a read runs: read again right after it.
            self.next_poll = now;
        }
        ctx.request_repaint_after(Duration::from_secs_f64(POLL_SECONDS));
    }
}
