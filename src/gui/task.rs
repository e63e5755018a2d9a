//! Background work for the GUI: share operations run on a worker thread so a slow share never
//! freezes the window. A [`Task`] is polled each frame; the worker asks for a repaint when done.

use std::sync::mpsc::{Receiver, TryRecvError, channel};

/// The result of a closure running on another thread.
pub struct Task<T> {
    rx: Receiver<T>,
    done: bool,
}

impl<T: Send + 'static> Task<T> {
    /// Runs `f` on a new thread; `ctx` is repainted when it finishes.
    pub fn spawn(ctx: &egui::Context, f: impl FnOnce() -> T + Send + 'static) -> Task<T> {
        let (tx, rx) = channel();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let _ = tx.send(f());
            ctx.request_repaint();
        });
        Task { rx, done: false }
    }

    /// The result, once (later calls return `None`).
    pub fn poll(&mut self) -> Option<T> {
        if self.done {
            return None;
        }
        match self.rx.try_recv() {
            Ok(v) => {
                self.done = true;
                Some(v)
            }
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => {
                self.done = true;
                None
            }
        }
    }

    /// Blocks until the result arrives (tests use it to make a frame deterministic).
    pub fn wait(&mut self) -> Option<T> {
        if self.done {
            return None;
        }
        self.done = true;
        self.rx.recv().ok()
    }
}
