//! Trade commands: buy, rate, purchases, wallet.

use clap::{Args, Subcommand};
use serde_json::json;

use super::input::session;
use super::{Ctx, Out, done, invalid, to_value};
use crate::domain::catalog::datetime_of_ms;
use crate::domain::{Rating, format_cents, parse_cents};

#[derive(Debug, Args)]
pub struct Buy {
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
    pub sale: u64,
    #[arg(value_parser = ["recommend", "neutral", "not-recommend"])]
    pub rating: String,
}

impl Rate {
    pub fn run(self, cx: &Ctx) -> Out {
        let r = Rating::parse(&self.rating)
            .ok_or_else(|| invalid(format!("calificación desconocida: {}", self.rating)))?;
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
                "venta {:>5}  {}  «{}» (publicación {})  vendedor {} <{}>  $ {}  factura {}  {}\n",
                p.sale,
                datetime_of_ms(p.sold_ms),
                p.title,
                p.publication,
                p.seller_name,
                p.seller_email,
                p.price,
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
    Deposit {
        amount: String,
    },
    Withdraw {
        amount: String,
    },
    Transfer {
        #[arg(long)]
        to: String,
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
                let mut t = format!("Saldo: $ {}\n", w.balance);
                for mv in &w.movements {
                    t.push_str(&format!(
                        "  {}  {:<24} {:>14}  saldo {:>14}  {}\n",
                        datetime_of_ms(mv.time_ms),
                        mv.label,
                        mv.amount,
                        mv.balance_after,
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
            format!("Saldo: $ {}", format_cents(balance)),
        ))
    }
}
