//! Share tools: init, the AVL trees drawn level by level, the hash's dispersion test, the
//! share's check and the demo generator.

use std::sync::atomic::Ordering;
use std::time::Instant;

use clap::{Args, ValueEnum};
use serde_json::json;

use super::{Ctx, DAMAGED, Out, invalid, to_value};
use crate::domain::check::{Tree as TreeKind, tree_cuts, tree_text};

#[derive(Debug, Args)]
pub struct Init {}

impl Init {
    pub fn run(self, cx: &Ctx) -> Out {
        let n = cx.market.user_count()?;
        Ok((
            json!({ "share": cx.dir.display().to_string(), "users": n }),
            format!("Carpeta lista: {} ({n} usuarios)", cx.dir.display()),
        ))
    }
}

/// `tree seller|category`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TreeArg {
    #[value(name = "vendedor", alias = "seller")]
    Seller,
    #[value(name = "categoria", alias = "category")]
    Category,
    /// ORDENES.IDX (ours, a B+ tree): the first levels.
    #[value(name = "explorar", alias = "orders")]
    Orders,
    /// PALABRAS.IDX (ours, a B+ tree): the first levels.
    #[value(name = "palabras", alias = "words")]
    Words,
}

#[derive(Debug, Args)]
pub struct Tree {
    #[arg(
        value_enum,
        value_name = "ÍNDICE",
        help = "vendedor (NTX_1), categoria (NTX_2), explorar (ORDENES.IDX) o palabras (PALABRAS.IDX; de estos dos árboles B+, los primeros niveles)"
    )]
    pub which: TreeArg,
}

impl Tree {
    pub fn run(self, cx: &Ctx) -> Out {
        let kind = match self.which {
            TreeArg::Seller => TreeKind::Seller,
            TreeArg::Category => TreeKind::Category,
            TreeArg::Orders => TreeKind::Orders,
            TreeArg::Words => TreeKind::Words,
        };
        let levels = cx.market.tree(kind)?;
        let cuts = tree_cuts(&levels);
        Ok((
            json!({ "levels": to_value(&levels), "cuts": to_value(&cuts) }),
            tree_text(kind, &levels),
        ))
    }
}

#[derive(Debug, Args)]
pub struct Dispersion {
    #[arg(
        long = "bloque",
        alias = "block",
        default_value_t = 10,
        value_name = "BALDES",
        help = "Baldes por bloque en el resumen por bloques (por omisión 10)"
    )]
    pub block: u64,
}

impl Dispersion {
    pub fn run(self, cx: &Ctx) -> Out {
        if self.block == 0 {
            return Err(invalid("el tamaño de bloque debe ser al menos 1"));
        }
        let d = cx.market.dispersion(self.block)?;
        let mut t = format!(
            "Hash de usuarios: {} baldes, {} registros, factor de carga {:.2}, cadena más larga {}, baldes vacíos {}\n\
             Crecimiento (hash lineal): {} baldes iniciales (MAX), nivel {}, próximo balde a dividir {}; \
             se divide un balde cuando hay más de {} registros por balde\n\
             Chi-cuadrado {:.2} con {} grados de libertad (uniforme: cerca de {})\n\nPor balde:\n",
            d.buckets,
            d.records,
            d.load_factor,
            d.longest_chain,
            d.empty_buckets,
            d.home_buckets,
            d.level,
            d.next_split,
            d.split_load,
            d.chi_square,
            d.degrees_of_freedom,
            d.degrees_of_freedom
        );
        let max = d.chain_lengths.iter().copied().max().unwrap_or(0).max(1);
        for (i, l) in d.chain_lengths.iter().enumerate() {
            t.push_str(&format!(
                "  {i:>6} {l:>4} {}\n",
                "#".repeat((l * 40 / max) as usize)
            ));
        }
        t.push_str(&format!("\nPor bloques de {}:\n", d.block_size));
        for (i, b) in d.blocks.iter().enumerate() {
            let lo = i as u64 * d.block_size;
            let hi = (lo + d.block_size - 1).min(d.buckets.saturating_sub(1));
            t.push_str(&format!("  {lo:>6}-{hi:<6} {b:>5}\n"));
        }
        Ok((to_value(&d), t))
    }
}

#[derive(Debug, Args)]
pub struct Check {}

impl Check {
    pub fn run(self, cx: &Ctx) -> Out {
        let r = cx.market.check()?;
        // The program's and the share's versions first; a damaged record is damage too.
        let (versions, versions_text) = match cx.market.version_status() {
            Ok(v) => (to_value(&v), v.to_text()),
            Err(e) => {
                DAMAGED.store(true, Ordering::Relaxed);
                (
                    serde_json::json!({ "error": e.to_string() }),
                    format!("Versiones: el registro de versión está dañado: {e}\n"),
                )
            }
        };
        if !r.ok {
            // The report is the output; the exit code says the share is damaged.
            DAMAGED.store(true, Ordering::Relaxed);
        }
        let env = cx.market.environment();
        let mut v = to_value(&r);
        v["versions"] = versions;
        v["environment"] = to_value(&env);
        Ok((
            v,
            format!("{versions_text}{}\n{}", env.to_text(), r.to_text()),
        ))
    }
}

/// `doctor`: what the program detects about the share and this terminal's access to it.
#[derive(Debug, Args)]
pub struct Doctor {}

impl Doctor {
    pub fn run(self, cx: &Ctx) -> Out {
        let env = cx.market.environment();
        Ok((to_value(&env), env.to_text()))
    }
}

#[derive(Debug, Args)]
pub struct Demo {
    #[arg(
        long = "usuarios",
        alias = "users",
        default_value_t = 200,
        value_name = "CANTIDAD",
        help = "Usuarios a generar (por omisión 200)"
    )]
    pub users: u64,
    #[arg(
        long = "publicaciones",
        alias = "publications",
        default_value_t = 1000,
        value_name = "CANTIDAD",
        help = "Publicaciones a generar (por omisión 1000)"
    )]
    pub publications: u64,
    #[arg(
        long = "semilla",
        alias = "seed",
        default_value_t = 1,
        value_name = "NÚMERO",
        help = "Semilla del generador: la misma semilla da los mismos datos (por omisión 1)"
    )]
    pub seed: u64,
    /// Without pictures (faster: for big shares and tests).
    #[arg(
        long = "sin-fotos",
        alias = "no-photos",
        help = "Sin fotos (más rápido: para carpetas grandes y pruebas)"
    )]
    pub no_photos: bool,
}

impl Demo {
    pub fn run(self, cx: &Ctx) -> Out {
        let started = Instant::now();
        let mut last = (Instant::now(), "");
        let mut progress = |p: crate::domain::demo::DemoProgress| {
            // One line a second at most (and each stage's last), on stderr.
            if last.0.elapsed().as_secs_f64() >= 1.0 || p.done == p.total || p.stage != last.1 {
                eprintln!(
                    "demo: {} {}/{} ({:.0} s)",
                    p.stage,
                    p.done,
                    p.total,
                    started.elapsed().as_secs_f64()
                );
                last = (Instant::now(), p.stage);
            }
        };
        let sum = cx.market.demo_progress(
            &crate::domain::demo::DemoOptions {
                users: self.users,
                publications: self.publications,
                seed: self.seed,
                photos: !self.no_photos,
            },
            &mut progress,
        )?;
        Ok((
            to_value(&sum),
            format!(
                "Generados: {} usuarios (clave {}), {} publicaciones con {} fotos, {} preguntas ({} respondidas), {} ventas ({} calificadas)",
                sum.users,
                crate::domain::demo::DEMO_PASSWORD,
                sum.publications,
                sum.photos,
                sum.conversations,
                sum.answers,
                sum.sales,
                sum.ratings
            ),
        ))
    }
}
