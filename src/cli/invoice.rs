//! Invoice commands: the user's invoices and one invoice (shown, or written to a file).

use std::path::PathBuf;

use clap::Args;

use super::input::session;
use super::{Ctx, Out, invalid, to_value};
use crate::domain::catalog::datetime_of_ms;
use crate::domain::format_cents;

#[derive(Debug, Args)]
pub struct Invoices {}

impl Invoices {
    pub fn run(self, cx: &Ctx) -> Out {
        let s = session(cx)?;
        let v = cx.market.invoices(&s)?;
        let mut t = String::new();
        for i in &v {
            t.push_str(&format!(
                "{:08}  {}  «{}»  comprador {}  vendedor {}  $ {}\n",
                i.number,
                datetime_of_ms(i.issued_ms),
                i.title,
                i.buyer_email,
                i.seller_email,
                format_cents(i.total)
            ));
        }
        if v.is_empty() {
            t.push_str("(sin facturas)\n");
        }
        Ok((to_value(&v), t))
    }
}

#[derive(Debug, Args)]
pub struct Invoice {
    pub number: u64,
    /// Also write it to a text file.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

impl Invoice {
    pub fn run(self, cx: &Ctx) -> Out {
        let s = session(cx)?;
        let i = cx.market.invoice(&s, self.number)?;
        let text = invoice_text(&i);
        if let Some(path) = self.output {
            std::fs::write(&path, &text)
                .map_err(|e| invalid(format!("no se pudo escribir {}: {e}", path.display())))?;
        }
        Ok((to_value(&i), text))
    }
}

fn invoice_text(i: &crate::domain::Invoice) -> String {
    format!(
        "FACTURA N.º {:08}\nFecha: {}\n\nVendedor: {} <{}> (usuario {})\nComprador: {} <{}> (usuario {})\nDomicilio: {}\n\n\
         Cant.  Artículo                                   P. unitario        Total\n\
         {:>5}  {:<40}  {:>12}  {:>12}\n\n\
         Total: $ {}\nComisión VentaLibre ({} %, a cargo del vendedor): $ {}\nPublicación {} — marca de tiempo lógica {}\n",
        i.number,
        datetime_of_ms(i.issued_ms),
        i.seller_name,
        i.seller_email,
        i.seller_id,
        i.buyer_name,
        i.buyer_email,
        i.buyer_id,
        i.buyer_address,
        i.quantity,
        i.title.chars().take(40).collect::<String>(),
        format_cents(i.unit_price),
        format_cents(i.total),
        format_cents(i.total),
        format_cents(i.commission_bp as i64),
        format_cents(i.commission),
        i.pub_id,
        i.lamport
    )
}
