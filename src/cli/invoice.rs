//! Invoice commands: the user's invoices and one invoice (shown, or written to a text or PDF
//! file), printed by the domain's one invoice renderer.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::json;

use super::input::session;
use super::{Ctx, Out, invalid, to_value};
use crate::domain::format;
use crate::domain::invoice::{InvoiceCopy, InvoiceDocument, invoice_number};

#[derive(Debug, Args)]
pub struct Invoices {}

impl Invoices {
    pub fn run(self, cx: &Ctx) -> Out {
        let s = session(cx)?;
        let v = cx.market.invoices(&s)?;
        let mut t = String::new();
        for i in &v {
            t.push_str(&format!(
                "{}  {}  «{}»  comprador {}  vendedor {}  {}\n",
                invoice_number(i.number),
                format::datetime_of_ms(i.issued_ms),
                i.title,
                i.buyer_email,
                i.seller_email,
                format::money(i.total)
            ));
        }
        if v.is_empty() {
            t.push_str("(sin facturas)\n");
        }
        Ok((to_value(&v), t))
    }
}

/// `factura --copia comprador|vendedor`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum CopyArg {
    #[value(name = "comprador", alias = "buyer")]
    Buyer,
    #[value(name = "vendedor", alias = "seller")]
    Seller,
}

/// `29` or `0001-00000029`.
fn parse_invoice_number(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let digits = match t.split_once('-') {
        Some((pos, n)) if pos.parse::<u32>().is_ok() => n,
        _ => t,
    };
    digits
        .parse::<u64>()
        .map_err(|_| format!("«{s}» no es un número de factura (por ejemplo 29 o 0001-00000029)"))
}

#[derive(Debug, Args)]
pub struct Invoice {
    #[arg(
        value_name = "NÚMERO",
        help = "El número de la factura (29 o 0001-00000029)",
        value_parser = parse_invoice_number
    )]
    pub number: u64,
    #[arg(
        long = "salida",
        alias = "output",
        value_name = "ARCHIVO",
        help = "Además la escribe en este archivo de texto"
    )]
    pub output: Option<PathBuf>,
    #[arg(
        long = "pdf",
        value_name = "ARCHIVO",
        help = "Además la escribe en este archivo PDF"
    )]
    pub pdf: Option<PathBuf>,
    #[arg(
        long = "copia",
        value_enum,
        value_name = "COPIA",
        help = "comprador (ORIGINAL, sin la comisión) o vendedor (DUPLICADO, con la comisión); por omisión, la de quien la pide"
    )]
    pub copy: Option<CopyArg>,
}

impl Invoice {
    pub fn run(self, cx: &Ctx) -> Out {
        let s = session(cx)?;
        let i = cx.market.invoice(&s, self.number)?;
        let copy = match self.copy {
            None => InvoiceCopy::for_viewer(&i, &s),
            Some(CopyArg::Buyer) => InvoiceCopy::Buyer.allowed(&i, &s)?,
            Some(CopyArg::Seller) => InvoiceCopy::Seller.allowed(&i, &s)?,
        };
        let doc = InvoiceDocument::new(&i, copy);
        let text = doc.to_text();
        let write = |path: &PathBuf, bytes: &[u8]| {
            std::fs::write(path, bytes)
                .map_err(|e| invalid(format!("no se pudo escribir {}: {e}", path.display())))
        };
        if let Some(path) = &self.output {
            write(path, text.as_bytes())?;
        }
        if let Some(path) = &self.pdf {
            write(path, &doc.to_pdf())?;
        }
        let mut v = to_value(&i);
        v["document"] = to_value(&doc);
        v["copy"] = json!(copy);
        Ok((v, text))
    }
}
