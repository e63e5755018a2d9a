//! What every screen of an opened share works with ([`Env`]), how a screen names another
//! ([`Tab`]) and what it asks the window to do once the frame is drawn ([`Nav`]).

use std::sync::Arc;

use super::thumbs::Thumbs;
use crate::domain::account::UserView;
use crate::domain::catalog::{BrowseFilter, CategoryView};
use crate::domain::{Market, Session};

/// A screen's name (each screen file defines its own: `BrowseScreen::TAB`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tab(pub &'static str);

/// What a screen asks the window to do once the frame is drawn.
#[derive(Debug, Clone)]
pub enum Nav {
    /// Show a screen.
    Show(Tab),
    /// Show a screen on one of its items (a publication, an invoice).
    Open(Tab, u64),
    /// Show Explorar on a filter (a saved search opened).
    Browse(BrowseFilter),
    LoggedIn(Session),
    /// The session ended; the message says why when the user did not ask for it.
    LoggedOut(Option<String>),
}

/// What every screen shares: the market, who is logged in, and the share's generation (bumped
/// whenever the share changed, here or in another terminal; screens reload when it moves).
pub struct Env {
    pub market: Arc<Market>,
    pub session: Option<Session>,
    /// The logged-in user as last read (balance, photo).
    pub me: Option<UserView>,
    pub generation: u64,
    pub categories: Vec<CategoryView>,
    pub thumbs: Thumbs,
    /// Why the last session ended without the user asking (shown by the log-in screen).
    pub session_end: Option<String>,
    navs: Vec<Nav>,
    poll_now: bool,
}

impl Env {
    pub fn new(market: Arc<Market>) -> Env {
        let thumbs = Thumbs::new(market.clone());
        Env {
            market,
            session: None,
            me: None,
            generation: 0,
            categories: Vec::new(),
            thumbs,
            session_end: None,
            navs: Vec::new(),
            poll_now: true,
        }
    }

    pub fn nav(&mut self, n: Nav) {
        self.navs.push(n);
    }

    pub(crate) fn take_navs(&mut self) -> Vec<Nav> {
        std::mem::take(&mut self.navs)
    }

    /// After this window changed the share: read the change counter now (every screen then
    /// reloads what it shows) instead of at the next poll.
    pub fn changed(&mut self) {
        self.poll_now = true;
    }

    pub(crate) fn take_poll_now(&mut self) -> bool {
        std::mem::take(&mut self.poll_now)
    }

    pub fn is_admin(&self) -> bool {
        self.session.as_ref().is_some_and(|s| s.admin)
    }

    pub fn category_name(&self, key: u64) -> String {
        self.categories
            .iter()
            .find(|c| c.key == key)
            .map_or_else(|| format!("categoría {key}"), |c| c.name.clone())
    }
}
