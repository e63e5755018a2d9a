//! Background work: every share operation of the window runs on a named worker thread, so a
//! slow or busy share never freezes it. A [`Job`] is started by a screen, polled every frame,
//! and delivers its result once; the worker asks for a repaint when it finishes.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, channel};

/// Runs `f` on a new thread named `ventalibre-{name}` (names show in debuggers and in
/// `top -H`). If no thread can be started, `f` runs on the caller's thread.
pub fn spawn_named(name: &str, f: impl FnOnce() + Send + 'static) {
    // The closure is kept apart so it can still run here if the thread cannot start.
    let slot = Arc::new(std::sync::Mutex::new(Some(f)));
    let worker = slot.clone();
    let started = std::thread::Builder::new()
        .name(format!("ventalibre-{name}"))
        .spawn(move || {
            let f = worker.lock().ok().and_then(|mut g| g.take());
            if let Some(f) = f {
                f();
            }
        });
    if started.is_err() {
        let f = slot.lock().ok().and_then(|mut g| g.take());
        if let Some(f) = f {
            f();
        }
    }
}

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

/// Jobs started in this context whose result has not been taken (forgotten ones excluded).
pub fn pending_jobs(ctx: &egui::Context) -> usize {
    pending(ctx).0.load(Ordering::SeqCst)
}

/// At most one piece of background work of a screen: starting a new one forgets the old one
/// (its thread ends on its own; its result is dropped). A panic in the worker is reported and
/// yields nothing.
pub struct Job<T> {
    rx: Option<Receiver<std::thread::Result<T>>>,
    count: Option<Pending>,
}

impl<T> Default for Job<T> {
    fn default() -> Self {
        Job {
            rx: None,
            count: None,
        }
    }
}

impl<T: Send + 'static> Job<T> {
    /// Runs `f` on a worker thread; the window is repainted when it finishes.
    pub fn start(&mut self, ctx: &egui::Context, f: impl FnOnce() -> T + Send + 'static) {
        self.forget();
        let c = pending(ctx);
        c.0.fetch_add(1, Ordering::SeqCst);
        self.count = Some(c);
        let (tx, rx) = channel();
        self.rx = Some(rx);
        let ctx = ctx.clone();
        spawn_named("tarea", move || {
            let _ = tx.send(std::panic::catch_unwind(AssertUnwindSafe(f)));
            ctx.request_repaint();
        });
    }

    /// The result, once, when it has arrived.
    pub fn poll(&mut self) -> Option<T> {
        let r = match self.rx.as_ref()?.try_recv() {
            Ok(r) => r,
            Err(TryRecvError::Empty) => return None,
            Err(TryRecvError::Disconnected) => {
                self.forget();
                return None;
            }
        };
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
        self.rx.is_some()
    }

    /// Drops the work in progress (its result will be ignored).
    pub fn forget(&mut self) {
        self.rx = None;
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
