//! The administrator's commands: blocking users and publications, collecting commissions, the
//! users listing, bulk conversations, the event log and the spec's reports.

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::{Value, json};

use super::input::admin_session;
use super::{Ctx, Out, done, invalid, to_value};
use crate::domain::catalog::{datetime_of_ms, parse_date};
use crate::domain::format_cents;
use crate::domain::reports::{REPORTS, ReportParams};

#[derive(Debug, Subcommand)]
pub enum AdminCmd {
    BlockUser {
        email: String,
    },
    UnblockUser {
        email: String,
    },
    Block {
        id: u64,
    },
    Unblock {
        id: u64,
    },
    /// Collect the commissions sellers owe.
    Collect,
    /// Every user.
    Users,
    /// A listing of the spec (`--list` names them).
    Report {
        name: Option<String>,
        #[arg(long)]
        list: bool,
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
        #[arg(long)]
        category: Option<u64>,
        /// The administrator acting (default admin@ventalibre.com.ar).
        #[arg(long = "as", value_name = "EMAIL")]
        acting: Option<String>,
        /// Write CSV to this file (or to stdout with `-`).
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
    },
    /// Testimonial conversations between a publication and random users.
    BulkConversations {
        #[arg(long)]
        publication: u64,
        #[arg(long)]
        users: u64,
        #[arg(long)]
        seed: Option<u64>,
    },
    /// The event log in Lamport order.
    Events,
}

impl AdminCmd {
    pub fn run(self, cx: &Ctx) -> Out {
        let m = cx.market;
        if let AdminCmd::Report {
            name,
            list,
            from,
            to,
            category,
            acting,
            csv,
        } = self
        {
            return report(cx, name, list, from, to, category, acting, csv);
        }
        let s = admin_session(m, cx.cli.user.as_deref())?;
        match self {
            AdminCmd::BlockUser { email } => {
                let u = m.set_user_blocked(&s, &email, true)?;
                done(format!("Usuario {} bloqueado", u.email))
            }
            AdminCmd::UnblockUser { email } => {
                let u = m.set_user_blocked(&s, &email, false)?;
                done(format!("Usuario {} desbloqueado", u.email))
            }
            AdminCmd::Block { id } => {
                m.set_publication_blocked(&s, id, true)?;
                done(format!("Publicación {id} bloqueada"))
            }
            AdminCmd::Unblock { id } => {
                m.set_publication_blocked(&s, id, false)?;
                done(format!("Publicación {id} desbloqueada"))
            }
            AdminCmd::Collect => {
                let c = m.collect_commissions(&s)?;
                Ok((
                    to_value(&c),
                    format!(
                        "Comisiones cobradas: {} ventas, $ {}. Pendientes (saldo insuficiente o cuenta dada de baja): {} ventas, $ {}",
                        c.collected,
                        c.amount,
                        c.pending,
                        format_cents(c.pending_cents)
                    ),
                ))
            }
            AdminCmd::Users => {
                let v = m.users(&s)?;
                let t: String = v
                    .iter()
                    .map(|u| {
                        format!(
                            "{:>6}  {:<36}  {:<28}  {:<22}  {}{}\n",
                            u.id,
                            u.email,
                            u.name.chars().take(28).collect::<String>(),
                            u.province_name,
                            if u.online {
                                "en línea"
                            } else {
                                "desconectado"
                            },
                            if u.blocked { ", BLOQUEADO" } else { "" }
                        )
                    })
                    .collect();
                Ok((to_value(&v), t))
            }
            AdminCmd::BulkConversations {
                publication,
                users,
                seed,
            } => {
                let n = m.bulk_conversations(&s, publication, users, seed)?;
                Ok((
                    json!({ "conversations": n }),
                    format!("{n} conversaciones agregadas a la publicación {publication}"),
                ))
            }
            AdminCmd::Events => {
                let v = m.events(&s)?;
                let t: String = v
                    .iter()
                    .map(|e| {
                        format!(
                            "{:>8}  {}  {:<16}  {:<32}  {:<24} {}\n",
                            e.lamport,
                            datetime_of_ms(e.wall_ms),
                            e.terminal,
                            e.user,
                            e.op,
                            e.detail
                        )
                    })
                    .collect();
                Ok((to_value(&v), t))
            }
            AdminCmd::Report { .. } => unreachable!("handled above"),
        }
    }
}

/// `admin report`: the list of reports, or one report as text, JSON or CSV.
#[allow(clippy::too_many_arguments)]
fn report(
    cx: &Ctx,
    name: Option<String>,
    list: bool,
    from: Option<String>,
    to: Option<String>,
    category: Option<u64>,
    acting: Option<String>,
    csv: Option<PathBuf>,
) -> Out {
    if list || name.is_none() {
        let t: String = REPORTS
            .iter()
            .map(|(n, d, p)| format!("{n:<28} {d} {p}\n"))
            .collect();
        let v: Vec<Value> = REPORTS
            .iter()
            .map(|(n, d, p)| json!({ "name": n, "description": d, "parameters": p }))
            .collect();
        return Ok((Value::Array(v), t));
    }
    let params = ReportParams {
        from: from.as_deref().map(parse_date).transpose()?,
        to: to.as_deref().map(parse_date).transpose()?,
        user: cx.cli.user.clone(),
        category,
    };
    let s = admin_session(cx.market, acting.as_deref())?;
    let r = cx
        .market
        .report(&s, name.as_deref().unwrap_or(""), &params)?;
    if let Some(path) = csv {
        if path.as_os_str() == "-" {
            return Ok((to_value(&r), r.to_csv()));
        }
        std::fs::write(&path, r.to_csv())
            .map_err(|e| invalid(format!("no se pudo escribir {}: {e}", path.display())))?;
    }
    Ok((to_value(&r), r.to_text()))
}
