//! Publication commands: publish, publication show/edit, pause, resume, cancel, mine, browse.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;

use super::input::{photo, province, session};
use super::{Ctx, Out, done, to_value};
use crate::domain::catalog::{
    BrowseFilter, NewPublication, PublicationChanges, PublicationView, SortOrder, parse_date,
};
use crate::domain::{Kind, format, parse_cents, photos};

/// `--tipo usado|nuevo`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum KindArg {
    #[value(name = "usado", alias = "used")]
    Used,
    #[value(name = "nuevo", alias = "new")]
    New,
}

impl KindArg {
    fn kind(self) -> Kind {
        match self {
            KindArg::Used => Kind::Used,
            KindArg::New => Kind::New,
        }
    }
}

/// `explorar --orden`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SortArg {
    #[value(name = "recientes", alias = "newest")]
    Newest,
    #[value(name = "precio-asc", alias = "price-asc")]
    PriceAsc,
    #[value(name = "precio-desc", alias = "price-desc")]
    PriceDesc,
}

#[derive(Debug, Args)]
pub struct Publish {
    #[arg(
        long = "categoria",
        alias = "category",
        value_name = "CLAVE",
        help = "La clave de la categoría (ver «ventalibre categorias»)"
    )]
    pub category: u64,
    #[arg(
        long = "titulo",
        alias = "title",
        value_name = "TÍTULO",
        help = "El nombre del artículo"
    )]
    pub title: String,
    #[arg(
        long = "descripcion",
        alias = "description",
        value_name = "TEXTO",
        help = "La descripción del artículo"
    )]
    pub description: String,
    #[arg(
        long = "precio",
        alias = "price",
        value_name = "IMPORTE",
        help = "El precio en pesos: 1500, 1500,50 o 1.500,50"
    )]
    pub price: String,
    #[arg(
        long = "tipo",
        alias = "kind",
        value_enum,
        value_name = "TIPO",
        help = "usado o nuevo"
    )]
    pub kind: KindArg,
    #[arg(
        long = "cierre",
        alias = "closes",
        value_name = "FECHA",
        help = "El último día de la publicación: dd/mm/aaaa (o aaaa-mm-dd)"
    )]
    pub closes: String,
    #[arg(
        long = "foto",
        alias = "photo",
        value_name = "ARCHIVO",
        help = "Una foto del artículo (JPEG, PNG, WebP, GIF o BMP; optativa)"
    )]
    pub photo: Option<PathBuf>,
}

impl Publish {
    pub fn run(self, cx: &Ctx) -> Out {
        let price = parse_cents(&self.price)?;
        let closes = parse_date(&self.closes)?;
        let photo = photo(&self.photo)?;
        let s = session(cx)?;
        let id = cx.market.publish(
            &s,
            NewPublication {
                category: self.category,
                title: self.title,
                description: self.description,
                price,
                kind: self.kind.kind(),
                closes,
                photo,
            },
        )?;
        Ok((json!({ "id": id }), format!("Publicación {id} creada")))
    }
}

#[derive(Debug, Args)]
pub struct PubEditArgs {
    #[arg(
        long = "categoria",
        alias = "category",
        value_name = "CLAVE",
        help = "La clave de la categoría nueva"
    )]
    pub category: Option<u64>,
    #[arg(
        long = "titulo",
        alias = "title",
        value_name = "TÍTULO",
        help = "El nombre nuevo"
    )]
    pub title: Option<String>,
    #[arg(
        long = "descripcion",
        alias = "description",
        value_name = "TEXTO",
        help = "La descripción nueva"
    )]
    pub description: Option<String>,
    #[arg(
        long = "precio",
        alias = "price",
        value_name = "IMPORTE",
        help = "El precio nuevo en pesos (1.500,50)"
    )]
    pub price: Option<String>,
    #[arg(
        long = "tipo",
        alias = "kind",
        value_enum,
        value_name = "TIPO",
        help = "usado o nuevo"
    )]
    pub kind: Option<KindArg>,
    #[arg(
        long = "cierre",
        alias = "closes",
        value_name = "FECHA",
        help = "La fecha de cierre nueva: dd/mm/aaaa"
    )]
    pub closes: Option<String>,
    #[arg(
        long = "foto",
        alias = "photo",
        value_name = "ARCHIVO",
        help = "Una foto nueva"
    )]
    pub photo: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum PublicationCmd {
    #[command(
        name = "ver",
        alias = "show",
        about = "Muestra una publicación, su vendedor y sus calificaciones",
        after_help = "Ejemplo:\n  ventalibre publicacion ver 12"
    )]
    Show {
        #[arg(value_name = "NÚMERO", help = "El número de la publicación")]
        id: u64,
    },
    #[command(
        name = "modificar",
        alias = "edit",
        about = "Modifica una publicación propia (solo los datos indicados)",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=secreto ventalibre --usuario ana@ejemplo.com.ar publicacion modificar 12 --precio 320000"
    )]
    Edit {
        #[arg(value_name = "NÚMERO", help = "El número de la publicación")]
        id: u64,
        #[command(flatten)]
        changes: PubEditArgs,
    },
}

impl PublicationCmd {
    pub fn run(self, cx: &Ctx) -> Out {
        let m = cx.market;
        match self {
            PublicationCmd::Show { id } => {
                // Who bought is shown to the seller, the buyer and the administrator only.
                let viewer = cx.cli.user.is_some().then(|| session(cx)).transpose()?;
                let p = m.publication_as(viewer.as_ref(), id)?;
                let r = m.seller_rating(p.seller_id)?;
                let mut v = to_value(&p);
                v["seller_rating"] = to_value(&r);
                let text = format!(
                    "{}Calificaciones del vendedor: {} recomendable, {} neutral, {} no recomendable\n",
                    pub_detail(&p),
                    r.recommend,
                    r.neutral,
                    r.not_recommend
                );
                Ok((v, text))
            }
            PublicationCmd::Edit { id, changes: a } => {
                let c = PublicationChanges {
                    category: a.category,
                    title: a.title,
                    description: a.description,
                    price: a.price.as_deref().map(parse_cents).transpose()?,
                    kind: a.kind.map(KindArg::kind),
                    closes: a.closes.as_deref().map(parse_date).transpose()?,
                    photo: photo(&a.photo)?,
                };
                let s = session(cx)?;
                m.edit_publication(&s, id, c)?;
                done(format!("Publicación {id} modificada"))
            }
        }
    }
}

#[derive(Debug, Args)]
pub struct Pause {
    #[arg(value_name = "NÚMERO", help = "El número de la publicación")]
    pub id: u64,
}

impl Pause {
    pub fn run(self, cx: &Ctx) -> Out {
        let s = session(cx)?;
        cx.market.pause(&s, self.id)?;
        done(format!("Publicación {} pausada", self.id))
    }
}

#[derive(Debug, Args)]
pub struct Resume {
    #[arg(value_name = "NÚMERO", help = "El número de la publicación")]
    pub id: u64,
}

impl Resume {
    pub fn run(self, cx: &Ctx) -> Out {
        let s = session(cx)?;
        cx.market.resume(&s, self.id)?;
        done(format!("Publicación {} reanudada", self.id))
    }
}

#[derive(Debug, Args)]
pub struct Cancel {
    #[arg(value_name = "NÚMERO", help = "El número de la publicación")]
    pub id: u64,
}

impl Cancel {
    pub fn run(self, cx: &Ctx) -> Out {
        let s = session(cx)?;
        cx.market.cancel(&s, self.id)?;
        done(format!("Publicación {} anulada", self.id))
    }
}

#[derive(Debug, Args)]
pub struct Mine {}

impl Mine {
    pub fn run(self, cx: &Ctx) -> Out {
        let s = session(cx)?;
        let v = cx.market.my_publications(&s)?;
        let mut t = String::new();
        for p in &v {
            t.push_str(&format!(
                "{:>6}  {}  cierre {}  {:<34}  {:>16}  {:<10}  comprador: {}  calificación: {}  comisión: {}\n",
                p.id,
                format::date_of_ms(p.published_ms),
                format::date_of_ms(p.closes_ms),
                p.title.chars().take(34).collect::<String>(),
                format::money(p.price_cents),
                p.state_label,
                p.buyer_email.as_deref().unwrap_or("-"),
                p.rating.map_or("-", |r| r.label()),
                match (p.commission_cents, p.commission_collected) {
                    (Some(c), Some(true)) => format!("{} cobrada", format::money(c)),
                    (Some(c), _) => format!("{} pendiente", format::money(c)),
                    _ => "-".into(),
                }
            ));
        }
        if v.is_empty() {
            t.push_str("(no tiene publicaciones)\n");
        }
        Ok((to_value(&v), t))
    }
}

#[derive(Debug, Args)]
pub struct Browse {
    #[arg(
        long = "categoria",
        alias = "category",
        value_name = "CLAVE",
        help = "Solo esta categoría"
    )]
    pub category: Option<u64>,
    #[arg(
        long = "tipo",
        alias = "kind",
        value_enum,
        value_name = "TIPO",
        help = "Solo artículos usados o nuevos: usado o nuevo"
    )]
    pub kind: Option<KindArg>,
    #[arg(
        long = "provincia",
        alias = "province",
        value_name = "PROVINCIA",
        help = "Solo de vendedores de esta provincia: código (0 a 23) o nombre"
    )]
    pub province: Option<String>,
    #[arg(
        long = "orden",
        alias = "sort",
        value_enum,
        default_value = "recientes",
        value_name = "ORDEN",
        help = "recientes (por omisión), precio-asc o precio-desc"
    )]
    pub sort: SortArg,
    #[arg(
        long = "buscar",
        alias = "search",
        value_name = "PALABRAS",
        help = "Palabras, todas (sin importar acentos ni plurales); primero las del nombre"
    )]
    pub search: Option<String>,
    #[arg(
        long = "precio-desde",
        alias = "min-price",
        value_name = "PRECIO",
        help = "Solo desde este precio (ejemplo: 1.500,50)"
    )]
    pub min_price: Option<String>,
    #[arg(
        long = "precio-hasta",
        alias = "max-price",
        value_name = "PRECIO",
        help = "Solo hasta este precio"
    )]
    pub max_price: Option<String>,
    #[arg(
        long = "limite",
        alias = "limit",
        value_name = "N",
        default_value_t = 50,
        help = "Cuántas publicaciones muestra (una página; 50 por omisión)"
    )]
    pub limit: usize,
    #[arg(
        long = "desde",
        alias = "offset",
        value_name = "K",
        default_value_t = 0,
        help = "Desde qué posición de la lista (0 es la primera)"
    )]
    pub offset: u64,
    #[arg(
        long = "seguir",
        alias = "follow",
        help = "Vuelve a mostrar la página cada vez que la carpeta cambia (Ctrl+C termina)"
    )]
    pub follow: bool,
}

impl Browse {
    fn filter(&self) -> crate::domain::DResult<BrowseFilter> {
        let price = |v: &Option<String>| v.as_deref().map(parse_cents).transpose();
        Ok(BrowseFilter {
            category: self.category,
            kind: self.kind.map(KindArg::kind),
            province: self.province.as_deref().map(province).transpose()?,
            sort: match self.sort {
                SortArg::Newest => SortOrder::Newest,
                SortArg::PriceAsc => SortOrder::PriceAsc,
                SortArg::PriceDesc => SortOrder::PriceDesc,
            },
            search: self.search.clone(),
            min_price: price(&self.min_price)?,
            max_price: price(&self.max_price)?,
        })
    }

    fn page(&self, cx: &Ctx, f: &BrowseFilter) -> Out {
        let page = cx.market.browse_page(f, self.offset, self.limit)?;
        let mut t: String = page.items.iter().map(|p| pub_line(p) + "\n").collect();
        let shown = page.items.len() as u64;
        t.push_str(&if shown == page.total || page.total == 0 {
            format!(
                "{} {}\n",
                format::integer(page.total as i64),
                if page.total == 1 {
                    "publicación"
                } else {
                    "publicaciones"
                }
            )
        } else if shown == 0 {
            format!(
                "ninguna desde la posición {} de {} publicaciones\n",
                page.offset,
                format::integer(page.total as i64)
            )
        } else {
            format!(
                "{} a {} de {} publicaciones\n",
                format::integer(page.offset as i64 + 1),
                format::integer((page.offset + shown) as i64),
                format::integer(page.total as i64)
            )
        });
        Ok((to_value(&page), t))
    }

    pub fn run(self, cx: &Ctx) -> Out {
        let f = self.filter()?;
        if !self.follow {
            return self.page(cx, &f);
        }
        // A live view: the page again each time the share's change counter moves (the
        // window's change watcher does the same). Ends with Ctrl+C.
        use std::io::Write;
        let mut counter = cx.market.change_counter()?;
        loop {
            let (value, text) = self.page(cx, &f)?;
            let mut out = std::io::stdout().lock();
            let written = if cx.cli.json {
                writeln!(out, "{value}")
            } else {
                writeln!(out, "{text}")
            };
            if written.and_then(|_| out.flush()).is_err() {
                // The reader went away (`| head`): done.
                return Ok((serde_json::Value::Null, String::new()));
            }
            drop(out);
            counter = cx
                .market
                .wait_for_change(counter, std::time::Duration::from_millis(700))?;
        }
    }
}

fn pub_line(p: &PublicationView) -> String {
    format!(
        "{:>6}  {:<40}  {:>16}  {:<6}  {:<10}  {} ({})",
        p.id,
        p.title.chars().take(40).collect::<String>(),
        format::money(p.price_cents),
        p.kind.label(),
        p.state_label,
        p.seller_name,
        p.seller_province_name
    )
}

fn pub_detail(p: &PublicationView) -> String {
    let mut s = format!(
        "Publicación {}: {}\n{}\nPrecio: {}   Tipo: {}   Estado: {}\nCategoría: {} ({})\nVendedor: {} <{}>, {}\nPublicada: {}   Cierre: {}\n",
        p.id,
        p.title,
        p.description,
        format::money(p.price_cents),
        p.kind.label(),
        p.state_label,
        p.category_name,
        p.category,
        p.seller_name,
        p.seller_email,
        p.seller_province_name,
        format::datetime_of_ms(p.published_ms),
        format::date_of_ms(p.closes_ms)
    );
    if let Some(b) = &p.buyer_name {
        s.push_str(&format!(
            "Comprador: {b}   Calificación: {}   Comisión: {} ({})\n",
            p.rating.map_or("-", |r| r.label()),
            p.commission_cents.map_or_else(|| "-".into(), format::money),
            if p.commission_collected == Some(true) {
                "cobrada"
            } else {
                "pendiente"
            }
        ));
    }
    if let Some(ph) = &p.photo {
        s.push_str(&format!("Foto: {}/{ph}\n", photos::PHOTOS_DIR));
    }
    s
}
