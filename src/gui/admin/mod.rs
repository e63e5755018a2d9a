//! The administrator's panels (added to the window when an administrator logs in).

use std::sync::Arc;

use crate::domain::{Market, Session};

/// Every administrator panel, behind a tab bar.
pub struct AdminPanels {
    pub market: Arc<Market>,
    pub session: Session,
}

impl AdminPanels {
    pub fn new(market: Arc<Market>, session: Session) -> AdminPanels {
        AdminPanels { market, session }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui) {
        ui.label("Administración");
    }
}
