//! Catalog commands: the categories listing, the province codes and the categories ABM.

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::input::session;
use super::{Ctx, Out, done, to_value};
use crate::domain::money::parse_percent;
use crate::domain::provinces;

#[derive(Debug, Args)]
pub struct Categories {}

impl Categories {
    pub fn run(self, cx: &Ctx) -> Out {
        let cats = cx.market.categories()?;
        let mut t =
            String::from(" Clave  Categoría                         Comisión  Publicaciones\n");
        for c in &cats {
            t.push_str(&format!(
                "{:>6}  {:<32}  {:>8}  {:>13}\n",
                c.key,
                c.name,
                crate::domain::format::percent(c.commission_bp),
                c.publications
            ));
        }
        Ok((to_value(&cats), t))
    }
}

#[derive(Debug, Args)]
pub struct Provinces {}

impl Provinces {
    pub fn run(self, _cx: &Ctx) -> Out {
        let v: Vec<Value> = provinces::PROVINCES
            .iter()
            .enumerate()
            .map(|(i, n)| json!({ "code": i, "name": n }))
            .collect();
        let t: String = provinces::PROVINCES
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{i:>2}  {n}\n"))
            .collect();
        Ok((Value::Array(v), t))
    }
}

#[derive(Debug, Subcommand)]
pub enum CategoryCmd {
    #[command(
        name = "agregar",
        alias = "add",
        about = "Crea una categoría",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=newton ventalibre categoria agregar \"Juguetes\" --comision 7,5"
    )]
    Add {
        #[arg(value_name = "NOMBRE", help = "El nombre de la categoría")]
        name: String,
        #[arg(
            long = "comision",
            alias = "commission",
            value_name = "PORCENTAJE",
            help = "La comisión, en porcentaje del precio (por ejemplo 8,5)"
        )]
        commission: String,
    },
    #[command(
        name = "modificar",
        alias = "edit",
        about = "Cambia el nombre o la comisión de una categoría (la comisión nueva rige para las ventas futuras)",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=newton ventalibre categoria modificar 3 --comision 12"
    )]
    Edit {
        #[arg(value_name = "CLAVE", help = "La clave de la categoría")]
        key: u64,
        #[arg(
            long = "nombre",
            alias = "name",
            value_name = "NOMBRE",
            help = "El nombre nuevo"
        )]
        name: Option<String>,
        #[arg(
            long = "comision",
            alias = "commission",
            value_name = "PORCENTAJE",
            help = "La comisión nueva, en porcentaje (por ejemplo 8,5)"
        )]
        commission: Option<String>,
    },
    #[command(
        name = "borrar",
        alias = "delete",
        about = "Borra una categoría sin publicaciones",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=newton ventalibre categoria borrar 9"
    )]
    Delete {
        #[arg(value_name = "CLAVE", help = "La clave de la categoría")]
        key: u64,
    },
}

impl CategoryCmd {
    pub fn run(self, cx: &Ctx) -> Out {
        let m = cx.market;
        let s = session(cx)?;
        match self {
            CategoryCmd::Add { name, commission } => {
                let key = m.add_category(&s, &name, parse_percent(&commission)?)?;
                Ok((json!({ "key": key }), format!("Categoría {key} creada")))
            }
            CategoryCmd::Edit {
                key,
                name,
                commission,
            } => {
                let bp = commission.as_deref().map(parse_percent).transpose()?;
                m.edit_category(&s, key, name.as_deref(), bp)?;
                done(format!("Categoría {key} modificada"))
            }
            CategoryCmd::Delete { key } => {
                m.delete_category(&s, key)?;
                done(format!("Categoría {key} borrada"))
            }
        }
    }
}
