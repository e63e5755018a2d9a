//! The administrator's commands: blocking users and publications, collecting commissions, the
//! users listing, bulk conversations, the event log and the spec's reports.

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::{Value, json};

use super::input::admin_session;
use super::{Ctx, Out, done, invalid, to_value};
use crate::domain::catalog::parse_date;
use crate::domain::format::{self, datetime_of_ms};
use crate::domain::phrases;
use crate::domain::reports::{REPORTS, ReportParams};

#[derive(Debug, Subcommand)]
pub enum AdminCmd {
    #[command(
        name = "bloquear-usuario",
        alias = "block-user",
        about = "Bloquea una cuenta: no puede entrar ni operar",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=newton ventalibre admin bloquear-usuario ana@ejemplo.com.ar"
    )]
    BlockUser {
        #[arg(value_name = "EMAIL", help = "El email de la cuenta")]
        email: String,
    },
    #[command(
        name = "desbloquear-usuario",
        alias = "unblock-user",
        about = "Desbloquea una cuenta bloqueada",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=newton ventalibre admin desbloquear-usuario ana@ejemplo.com.ar"
    )]
    UnblockUser {
        #[arg(value_name = "EMAIL", help = "El email de la cuenta")]
        email: String,
    },
    #[command(
        name = "bloquear",
        alias = "block",
        about = "Bloquea una publicación: deja de estar en venta",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=newton ventalibre admin bloquear 12"
    )]
    Block {
        #[arg(value_name = "NÚMERO", help = "El número de la publicación")]
        id: u64,
    },
    #[command(
        name = "desbloquear",
        alias = "unblock",
        about = "Desbloquea una publicación bloqueada",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=newton ventalibre admin desbloquear 12"
    )]
    Unblock {
        #[arg(value_name = "NÚMERO", help = "El número de la publicación")]
        id: u64,
    },
    #[command(
        name = "cobrar",
        alias = "collect",
        about = "Cobra las comisiones que deben los vendedores (a la cuenta de VentaLibre)",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=newton ventalibre admin cobrar"
    )]
    Collect,
    #[command(
        name = "usuarios",
        alias = "users",
        about = "Los usuarios con su estado, por número de usuario (una página), o los que busca --buscar",
        after_help = "Ejemplos:\n  VENTALIBRE_PASSWORD=newton ventalibre admin usuarios\n  VENTALIBRE_PASSWORD=newton ventalibre admin usuarios --desde 100 --limite 20\n  VENTALIBRE_PASSWORD=newton ventalibre admin usuarios --buscar gomez"
    )]
    Users {
        #[arg(
            long = "limite",
            alias = "limit",
            value_name = "N",
            default_value_t = 50,
            help = "Cuántos usuarios muestra (una página; 50 por omisión)"
        )]
        limit: usize,
        #[arg(
            long = "desde",
            alias = "offset",
            value_name = "K",
            default_value_t = 0,
            help = "Desde qué número de usuario (0: el primero; la página son los números K+1 a K+N)"
        )]
        offset: u64,
        #[arg(
            long = "buscar",
            alias = "search",
            value_name = "TEXTO",
            help = "Los usuarios cuyo email o nombre lo contienen, o cuyo número es (lee todos los usuarios)"
        )]
        search: Option<String>,
    },
    #[command(
        name = "listado",
        alias = "report",
        about = "Un listado del enunciado (--lista los nombra)",
        after_help = "Ejemplos:\n  ventalibre admin listado --lista\n  VENTALIBRE_PASSWORD=newton ventalibre admin listado ventas-entre-fechas --desde 01/01/2026 --hasta 31/12/2026 --csv ventas.csv\n  VENTALIBRE_PASSWORD=newton ventalibre --usuario ana@ejemplo.com.ar admin listado compras-de-usuario"
    )]
    Report {
        #[arg(value_name = "NOMBRE", help = "El nombre del listado (ver --lista)")]
        name: Option<String>,
        #[arg(
            long = "lista",
            alias = "list",
            help = "Nombra los listados y los datos que pide cada uno"
        )]
        list: bool,
        #[arg(
            long = "desde",
            alias = "from",
            value_name = "FECHA",
            help = "Desde esta fecha, inclusive: dd/mm/aaaa (o aaaa-mm-dd)"
        )]
        from: Option<String>,
        #[arg(
            long = "hasta",
            alias = "to",
            value_name = "FECHA",
            help = "Hasta esta fecha, inclusive: dd/mm/aaaa (o aaaa-mm-dd)"
        )]
        to: Option<String>,
        #[arg(
            long = "categoria",
            alias = "category",
            value_name = "CLAVE",
            help = "La categoría del listado"
        )]
        category: Option<u64>,
        #[arg(
            long = "como",
            alias = "as",
            value_name = "EMAIL",
            help = "Quién administra (por omisión admin@ventalibre.com.ar); --usuario es el usuario del listado"
        )]
        acting: Option<String>,
        #[arg(
            long = "csv",
            value_name = "ARCHIVO",
            help = "Además lo escribe en CSV para Excel (separador «;», coma decimal); «-» lo escribe en la salida"
        )]
        csv: Option<PathBuf>,
    },
    #[command(
        name = "conversaciones-masivas",
        alias = "bulk-conversations",
        about = "Agrega conversaciones testimoniales entre una publicación y usuarios al azar",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=newton ventalibre admin conversaciones-masivas --publicacion 12 --usuarios 50"
    )]
    BulkConversations {
        #[arg(
            long = "publicacion",
            alias = "publication",
            value_name = "NÚMERO",
            help = "El número de la publicación"
        )]
        publication: u64,
        #[arg(
            long = "usuarios",
            alias = "users",
            value_name = "CANTIDAD",
            help = "Cuántos usuarios conversan"
        )]
        users: u64,
        #[arg(
            long = "semilla",
            alias = "seed",
            value_name = "NÚMERO",
            help = "Semilla del azar (la misma semilla elige los mismos usuarios)"
        )]
        seed: Option<u64>,
    },
    #[command(
        name = "eventos",
        alias = "events",
        about = "El registro de eventos en el orden del reloj lógico (Lamport)",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=newton ventalibre admin eventos"
    )]
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
                        "Comisiones cobradas: {} ventas, {}. Pendientes (saldo insuficiente o cuenta dada de baja): {} ventas, {}",
                        c.collected,
                        format::money(c.amount_cents),
                        c.pending,
                        format::money(c.pending_cents)
                    ),
                ))
            }
            AdminCmd::Users {
                limit,
                offset,
                search,
            } => {
                let query = search.as_deref().map(str::trim).filter(|q| !q.is_empty());
                let page = match query {
                    Some(q) => m.find_users(&s, q, limit)?,
                    None => m.users_page(&s, offset, limit)?,
                };
                let v = &page.items;
                let mut t: String = v
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
                t.push_str(&match query {
                    Some(q) => format!(
                        "{} con «{q}» ({} en total)",
                        phrases::counted(page.total, "coincide", "coinciden"),
                        phrases::counted(page.users, "usuario", "usuarios")
                    ),
                    None => {
                        let end = offset.saturating_add(limit as u64).min(page.total);
                        let n = phrases::group_thousands;
                        format!(
                            "números {} a {} de {} ({}){}",
                            n((offset + 1).min(end)),
                            n(end),
                            n(page.total),
                            phrases::counted(page.users, "usuario", "usuarios"),
                            if end < page.total {
                                format!("; siga con --desde {end}")
                            } else {
                                String::new()
                            }
                        )
                    }
                });
                Ok((to_value(&page), t))
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
