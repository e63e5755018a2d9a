//! Generated data: the administrator's bulk generator of testimonial conversations (the spec's
//! two fixed messages) and the `demo` filler of a whole share with a fixed seed.

use serde::Serialize;

use super::catalog::datetime_of_ms;
use super::market::*;
use super::records::*;
use super::trade::ask_in_tx;
use super::{DResult, Market, conflict, invalid, password};
use crate::storage::ident::now_ms;
use crate::storage::{NIL, Tx};

/// A small deterministic generator (SplitMix64).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
}

pub const DEMO_PASSWORD: &str = "demo1234";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DemoSummary {
    pub users: u64,
    pub publications: u64,
    pub conversations: u64,
    pub sales: u64,
}

const FIRST: [&str; 16] = [
    "Ana",
    "Juan",
    "María",
    "Carlos",
    "Lucía",
    "Martín",
    "Sofía",
    "Diego",
    "Valentina",
    "Pablo",
    "Camila",
    "Jorge",
    "Florencia",
    "Nicolás",
    "Julieta",
    "Federico",
];
const LAST: [&str; 16] = [
    "González",
    "Rodríguez",
    "Gómez",
    "Fernández",
    "López",
    "Díaz",
    "Martínez",
    "Pérez",
    "Romero",
    "Sosa",
    "Álvarez",
    "Torres",
    "Ruiz",
    "Ramírez",
    "Flores",
    "Benítez",
];
const STREETS: [&str; 8] = [
    "San Martín",
    "Belgrano",
    "Rivadavia",
    "Sarmiento",
    "Mitre",
    "Moreno",
    "9 de Julio",
    "Urquiza",
];
const THINGS: [(&str, &str); 24] = [
    (
        "Taladro percutor",
        "Taladro percutor de 750 W con maletín y mechas",
    ),
    (
        "Amoladora angular",
        "Amoladora de 115 mm, poco uso, con disco de corte",
    ),
    (
        "Guitarra criolla",
        "Guitarra criolla de estudio, cuerdas nuevas",
    ),
    (
        "Teclado musical",
        "Teclado de 61 teclas sensibles con fuente",
    ),
    ("Celular", "Teléfono celular liberado, batería al 90 %"),
    (
        "Notebook",
        "Notebook de 14 pulgadas, 8 GB de RAM, disco sólido",
    ),
    (
        "Auriculares",
        "Auriculares inalámbricos con estuche de carga",
    ),
    (
        "Mesa de comedor",
        "Mesa de madera maciza para seis personas",
    ),
    ("Sillas", "Juego de cuatro sillas tapizadas"),
    ("Lámpara de pie", "Lámpara de pie con pantalla de tela"),
    ("Novela", "Novela de autor argentino, edición de bolsillo"),
    (
        "Enciclopedia",
        "Enciclopedia en doce tomos, muy buen estado",
    ),
    ("Bicicleta", "Bicicleta rodado 29, cambios Shimano"),
    ("Pelota de fútbol", "Pelota número 5, cosida a mano"),
    ("Raqueta de tenis", "Raqueta de grafito con funda"),
    ("Campera", "Campera de abrigo impermeable, talle M"),
    ("Zapatillas", "Zapatillas de running talle 42"),
    ("Cubiertas", "Juego de cubiertas rodado 14 para auto"),
    (
        "Casco de moto",
        "Casco integral talle L, visor antiempañante",
    ),
    (
        "Sierra circular",
        "Sierra circular de 1400 W con guía paralela",
    ),
    (
        "Bajo eléctrico",
        "Bajo de cuatro cuerdas con funda acolchada",
    ),
    (
        "Televisor",
        "Televisor de 43 pulgadas, control remoto original",
    ),
    ("Heladera", "Heladera con freezer, funciona perfecto"),
    ("Microondas", "Horno microondas de 20 litros"),
];

impl Market {
    /// Adds testimonial conversations between publication `id` and `users` existing users
    /// chosen at random (the spec's fixed messages). Administrator only.
    pub fn bulk_conversations(
        &self,
        s: &Session,
        id: u64,
        users: u64,
        seed: Option<u64>,
    ) -> DResult<u64> {
        if users == 0 {
            return invalid("indique cuántos usuarios (al menos 1)");
        }
        let mut rng = Rng(seed.unwrap_or_else(|| now_ms() as u64));
        self.write(|tx| {
            let admin = current_admin(tx, s)?;
            let p = load_pub(tx, id)?;
            let all = users_by_id(tx)?;
            let Some(seller) = all.get(&p.seller).cloned() else {
                return conflict("quien vende la publicación ya no tiene cuenta");
            };
            let mut candidates: Vec<User> = all
                .into_values()
                .filter(|u| u.id != p.seller && !u.is_admin())
                .collect();
            candidates.sort_by_key(|u| u.id);
            if candidates.is_empty() {
                return conflict("no hay otros usuarios para conversar");
            }
            let n = users.min(candidates.len() as u64);
            // A random sample without repetition (partial Fisher-Yates).
            for i in 0..n as usize {
                let j = i + rng.below((candidates.len() - i) as u64) as usize;
                candidates.swap(i, j);
            }
            let now = now_ms();
            for buyer in &candidates[..n as usize] {
                let q = format!(
                    "Hola. Me llamo {} - Fecha: {}",
                    buyer.name,
                    datetime_of_ms(now)
                );
                let a = format!("Gracias. Me llamo {} - Vendo {}", seller.name, p.title);
                ask_in_tx(tx, buyer, &p, &q, Some(&a))?;
            }
            tx.log_event(
                &admin.email,
                "conversaciones-masivas",
                &format!("publicación {id}, {n} usuarios"),
            )?;
            Ok(n)
        })
    }

    /// Fills the share with generated users, publications, conversations and sales (fixed
    /// seed: the same numbers give the same share). Demo users' password is "demo1234".
    pub fn demo(&self, users: u64, publications: u64, seed: u64) -> DResult<DemoSummary> {
        let mut rng = Rng(seed);
        let salt = password::salt();
        let rounds = password::rounds();
        let hash = password::hash(DEMO_PASSWORD, &salt, rounds);
        let mut sum = DemoSummary::default();
        let start_id =
            self.read(|tx| Ok(tx.control(USERS.control, crate::me::hash::CON_LAST_ID)?))?;
        const BATCH: u64 = 2000;
        let mut made = 0;
        while made < users {
            let k = BATCH.min(users - made);
            self.write(|tx| {
                let now = now_ms();
                for _ in 0..k {
                    let id = USERS.next_id(tx)?;
                    let first = *rng.pick(&FIRST);
                    let last = *rng.pick(&LAST);
                    let email = format!(
                        "{}.{}{}@demo.com.ar",
                        super::catalog::fold(first),
                        super::catalog::fold(last),
                        id
                    );
                    let u = User {
                        email: email.clone(),
                        id,
                        rounds,
                        salt,
                        hash,
                        name: format!("{last}, {first}"),
                        address: format!("{} {}", rng.pick(&STREETS), 100 + rng.below(4000)),
                        province: rng.below(24) as u8,
                        flags: 0,
                        phone: format!("+54 11 {:04}-{:04}", rng.below(10000), rng.below(10000)),
                        created_ms: now,
                        last_login_ms: 0,
                        last_seen_ms: 0,
                        balance: 0,
                        photo: [0; 32],
                    };
                    if USERS.insert(tx, email.as_bytes(), &u.encode())?.is_some() {
                        sum.users += 1;
                    }
                }
                tx.log_event("", "demo-usuarios", &format!("{k} usuarios"))?;
                Ok(())
            })?;
            made += k;
        }
        let (ids, cats): (Vec<u64>, Vec<(u64, u32)>) = self.read(|tx| {
            let ids: Vec<u64> = users_by_id(tx)?
                .into_values()
                .filter(|u| !u.is_admin() && u.id > start_id)
                .map(|u| u.id)
                .collect();
            let cats = CATEGORIES
                .iter(tx)?
                .into_iter()
                .map(|(k, v)| (k, Category::decode(&v).commission_bp))
                .collect();
            Ok((ids, cats))
        })?;
        let mut ids = ids;
        ids.sort();
        if (ids.is_empty() && publications > 0) || cats.is_empty() {
            return invalid("la demostración necesita usuarios y categorías");
        }
        let mut made = 0;
        while made < publications {
            let k = BATCH.min(publications - made);
            self.write(|tx| {
                let now = now_ms();
                for _ in 0..k {
                    let pos = tx.header(PUBS_DAT)?.slot_count;
                    let (title, desc) = *rng.pick(&THINGS);
                    let (cat, _) = *rng.pick(&cats);
                    let seller = *rng.pick(&ids);
                    let days = 5 + rng.below(120) as i64;
                    let p = Publication {
                        id: pos + 1,
                        category: cat,
                        seller,
                        title: format!(
                            "{title} {}",
                            ["usado", "como nuevo", "nuevo en caja", "impecable"]
                                [rng.below(4) as usize]
                        ),
                        description: desc.to_string(),
                        price: (1_000 + rng.below(500_000) as i64) * 100
                            + [0, 50, 99][rng.below(3) as usize],
                        published_ms: now - rng.below(30) as i64 * 86_400_000,
                        closes_ms: now + days * 86_400_000,
                        kind: if rng.below(3) == 0 {
                            Kind::New
                        } else {
                            Kind::Used
                        },
                        state: PubState::Published,
                        state_before_block: PubState::Published,
                        photo: [0; 32],
                        sale_pos: NIL,
                        buyer: 0,
                        updated_ms: now,
                        sold_ms: 0,
                    };
                    tx.alloc(PUBS_DAT, &p.encode())?;
                    tx.set_control(PUBS_CON, PCON_LAST_ID, pos + 1)?;
                    BY_SELLER.insert(tx, seller, pos)?;
                    BY_CATEGORY.insert(tx, cat, pos)?;
                    sum.publications += 1;
                }
                tx.log_event("", "demo-publicaciones", &format!("{k} publicaciones"))?;
                Ok(())
            })?;
            made += k;
        }
        // Conversations and sales on a share of the publications, through the real operations.
        let first_pub = self.read(|tx| Ok(tx.header(PUBS_DAT)?.slot_count))? - sum.publications + 1;
        let n_conv = (sum.publications / 5).min(400);
        let n_sales = (sum.publications / 10).min(200);
        let users_map = self.read(|tx| users_by_id(tx))?;
        for i in 0..n_conv + n_sales {
            let id = first_pub + rng.below(sum.publications);
            let p = self.read(|tx| load_pub(tx, id))?;
            let mut buyer = *rng.pick(&ids);
            if buyer == p.seller {
                buyer = ids[(ids.iter().position(|&x| x == buyer).unwrap_or(0) + 1) % ids.len()];
            }
            if buyer == p.seller {
                continue;
            }
            let b = &users_map[&buyer];
            let session = Session {
                user_id: b.id,
                email: b.email.clone(),
                name: b.name.clone(),
                admin: false,
            };
            if i < n_conv {
                if self
                    .ask(&session, id, "¿Sigue disponible? ¿Hace envíos al interior?")
                    .is_ok()
                {
                    sum.conversations += 1;
                }
            } else if p.state == PubState::Published {
                self.deposit(&session, p.price)?;
                if self.buy(&session, id).is_ok() {
                    sum.sales += 1;
                    let sale = self.purchases(&session)?.first().map(|s| s.sale);
                    if let Some(sale) = sale {
                        let r = [
                            Rating::Recommend,
                            Rating::Recommend,
                            Rating::Neutral,
                            Rating::NotRecommend,
                        ][rng.below(4) as usize];
                        self.rate(&session, sale, r)?;
                    }
                }
            }
        }
        Ok(sum)
    }
}
