//! Trade commands: buy, rate, purchases, wallet.

use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;

use super::input::session;
use super::{Ctx, Out, done, to_value};
use crate::domain::format::{self, datetime_of_ms};
use crate::domain::{Rating, format_cents, parse_cents};

#[derive(Debug, Args)]
pub struct Buy {
    #[arg(value_name = "NÚMERO", help = "El número de la publicación")]
    pub id: u64,
}

impl Buy {
    pub fn run(self, cx: &Ctx) -> Out {
        let s = session(cx)?;
        let p = cx.market.buy(&s, self.id)?;
        Ok((
            json!({ "sale": p.sale, "invoice": p.invoice }),
            format!("Compra hecha: venta {}, factura {}", p.sale, p.invoice),
        ))
    }
}

#[derive(Debug, Args)]
pub struct Rate {
    #[arg(
        value_name = "VENTA",
        help = "El número de la venta (ver «ventalibre compras»)"
    )]
    pub sale: u64,
    #[arg(
        value_enum,
        value_name = "CALIFICACIÓN",
        help = "recomendable, neutral o no-recomendable"
    )]
    pub rating: RatingArg,
}

/// `calificar VENTA recomendable|neutral|no-recomendable`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum RatingArg {
    #[value(name = "recomendable", alias = "recommend")]
    Recommend,
    #[value(name = "neutral")]
    Neutral,
    #[value(name = "no-recomendable", alias = "not-recommend")]
    NotRecommend,
}

impl Rate {
    pub fn run(self, cx: &Ctx) -> Out {
        let r = match self.rating {
            RatingArg::Recommend => Rating::Recommend,
            RatingArg::Neutral => Rating::Neutral,
            RatingArg::NotRecommend => Rating::NotRecommend,
        };
        let s = session(cx)?;
        cx.market.rate(&s, self.sale, r)?;
        done(format!("Venta {} calificada: {}", self.sale, r.label()))
    }
}

#[derive(Debug, Args)]
pub struct Purchases {}

impl Purchases {
    pub fn run(self, cx: &Ctx) -> Out {
        let s = session(cx)?;
        let v = cx.market.purchases(&s)?;
        let mut t = String::new();
        for p in &v {
            t.push_str(&format!(
                "venta {:>5}  {}  «{}» (publicación {})  vendedor {} <{}>  {}  factura {}  {}\n",
                p.sale,
                datetime_of_ms(p.sold_ms),
                p.title,
                p.publication,
                p.seller_name,
                p.seller_email,
                format::money(p.price_cents),
                p.invoice,
                p.rating.label()
            ));
        }
        if v.is_empty() {
            t.push_str("(no hizo compras)\n");
        }
        Ok((to_value(&v), t))
    }
}

#[derive(Debug, Args)]
pub struct Wallet {
    #[command(subcommand)]
    pub op: Option<WalletCmd>,
}

#[derive(Debug, Subcommand)]
pub enum WalletCmd {
    #[command(
        name = "depositar",
        alias = "deposit",
        about = "Deposita dinero en la billetera",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=clave ventalibre --usuario beto@ejemplo.com.ar billetera depositar 1.500,50"
    )]
    Deposit {
        #[arg(
            value_name = "IMPORTE",
            help = "El importe en pesos: 1500, 1500,50 o 1.500,50"
        )]
        amount: String,
    },
    #[command(
        name = "extraer",
        alias = "withdraw",
        about = "Extrae dinero de la billetera (nunca por debajo de cero)",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=clave ventalibre --usuario beto@ejemplo.com.ar billetera extraer 500"
    )]
    Withdraw {
        #[arg(value_name = "IMPORTE", help = "El importe en pesos")]
        amount: String,
    },
    #[command(
        name = "transferir",
        alias = "transfer",
        about = "Transfiere dinero a otro usuario",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=clave ventalibre --usuario beto@ejemplo.com.ar billetera transferir --a ana@ejemplo.com.ar 2500"
    )]
    Transfer {
        #[arg(
            long = "a",
            alias = "to",
            value_name = "EMAIL",
            help = "El email de quien recibe"
        )]
        to: String,
        #[arg(value_name = "IMPORTE", help = "El importe en pesos")]
        amount: String,
    },
}

impl Wallet {
    pub fn run(self, cx: &Ctx) -> Out {
        let m = cx.market;
        let s = session(cx)?;
        let balance = match self.op {
            None => {
                let w = m.wallet(&s)?;
                let mut t = format!("Saldo: {}\n", format::money(w.balance_cents));
                for mv in &w.movements {
                    t.push_str(&format!(
                        "  {}  {:<24} {:>16}  saldo {:>16}  {}\n",
                        datetime_of_ms(mv.time_ms),
                        mv.label,
                        format::money(mv.amount_cents),
                        format::money(mv.balance_after_cents),
                        mv.other.as_deref().unwrap_or("")
                    ));
                }
                return Ok((to_value(&w), t));
            }
            Some(WalletCmd::Deposit { amount }) => m.deposit(&s, parse_cents(&amount)?)?,
            Some(WalletCmd::Withdraw { amount }) => m.withdraw(&s, parse_cents(&amount)?)?,
            Some(WalletCmd::Transfer { to, amount }) => {
                m.transfer(&s, &to, parse_cents(&amount)?)?
            }
        };
        Ok((
            json!({ "balance": format_cents(balance) }),
            format!("Saldo: {}", format::money(balance)),
        ))
    }
}
