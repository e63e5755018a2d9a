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
                "{:>6}  {:<32}  {:>6} %  {:>13}\n",
                c.key, c.name, c.commission, c.publications
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
    Add {
        name: String,
        /// Commission percentage (e.g. 8.5).
        #[arg(long)]
        commission: String,
    },
    Edit {
        key: u64,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        commission: Option<String>,
    },
    Delete {
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
