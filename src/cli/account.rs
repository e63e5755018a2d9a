//! Account commands: register, login, logout, passwd, profile, unregister.

use std::path::PathBuf;

use clap::Args;

use super::input::{password, photo, province, session};
use super::{Ctx, Out, done, invalid, to_value};
use crate::domain::account::{NewUser, ProfileChanges};
use crate::domain::format::{self, datetime_of_ms};

#[derive(Debug, Args)]
pub struct Register {
    #[arg(
        long,
        value_name = "EMAIL",
        help = "El email, que identifica la cuenta"
    )]
    pub email: String,
    #[arg(
        long = "nombre",
        alias = "name",
        value_name = "NOMBRE",
        help = "Apellido y nombre, o razón social"
    )]
    pub name: String,
    #[arg(
        long = "domicilio",
        alias = "address",
        value_name = "DOMICILIO",
        help = "Calle y número"
    )]
    pub address: String,
    #[arg(
        long = "provincia",
        alias = "province",
        value_name = "PROVINCIA",
        help = "Código de provincia (0 a 23, ver «ventalibre provincias») o su nombre"
    )]
    pub province: String,
    #[arg(
        long = "telefono",
        alias = "phone",
        value_name = "TELÉFONO",
        help = "Teléfono (optativo)"
    )]
    pub phone: Option<String>,
    #[arg(
        long = "foto",
        alias = "photo",
        value_name = "ARCHIVO",
        help = "Foto de perfil (JPEG, PNG, WebP, GIF o BMP; optativa)"
    )]
    pub photo: Option<PathBuf>,
}

impl Register {
    pub fn run(self, cx: &Ctx) -> Out {
        let province = province(&self.province)?;
        let photo = photo(&self.photo)?;
        let p = password("VENTALIBRE_PASSWORD", "Clave nueva")?;
        let u = cx.market.register(NewUser {
            email: self.email,
            password: p,
            name: self.name,
            address: self.address,
            province,
            phone: self.phone.unwrap_or_default(),
            photo,
        })?;
        Ok((
            to_value(&u),
            format!("Usuario {} registrado con el id {}", u.email, u.id),
        ))
    }
}

#[derive(Debug, Args)]
pub struct Login {}

impl Login {
    pub fn run(self, cx: &Ctx) -> Out {
        let email = cx
            .cli
            .user
            .clone()
            .ok_or_else(|| invalid("indique quién entra: --usuario EMAIL"))?;
        let p = password("VENTALIBRE_PASSWORD", &format!("Clave de {email}"))?;
        let s = cx.market.login(&email, &p)?;
        Ok((
            to_value(&s),
            format!(
                "Bienvenido/a, {}{}",
                s.name,
                if s.admin { " (administración)" } else { "" }
            ),
        ))
    }
}

#[derive(Debug, Args)]
pub struct Logout {}

impl Logout {
    pub fn run(self, cx: &Ctx) -> Out {
        let s = session(cx)?;
        cx.market.logout(&s)?;
        done("Sesión cerrada")
    }
}

#[derive(Debug, Args)]
pub struct Passwd {}

impl Passwd {
    pub fn run(self, cx: &Ctx) -> Out {
        let s = session(cx)?;
        let old = password("VENTALIBRE_PASSWORD", "Clave actual")?;
        let new = password("VENTALIBRE_NEW_PASSWORD", "Clave nueva")?;
        cx.market.change_password(&s, &old, &new)?;
        done("Clave cambiada")
    }
}

#[derive(Debug, Args)]
pub struct Profile {
    #[arg(
        long = "nombre",
        alias = "name",
        value_name = "NOMBRE",
        help = "Nuevo apellido y nombre"
    )]
    pub name: Option<String>,
    #[arg(
        long = "domicilio",
        alias = "address",
        value_name = "DOMICILIO",
        help = "Nuevo domicilio"
    )]
    pub address: Option<String>,
    #[arg(
        long = "provincia",
        alias = "province",
        value_name = "PROVINCIA",
        help = "Nueva provincia: código (0 a 23) o nombre"
    )]
    pub province: Option<String>,
    #[arg(
        long = "telefono",
        alias = "phone",
        value_name = "TELÉFONO",
        help = "Nuevo teléfono"
    )]
    pub phone: Option<String>,
    #[arg(
        long = "foto",
        alias = "photo",
        value_name = "ARCHIVO",
        help = "Nueva foto de perfil"
    )]
    pub photo: Option<PathBuf>,
}

impl Profile {
    pub fn run(self, cx: &Ctx) -> Out {
        let m = cx.market;
        let s = session(cx)?;
        let changes = ProfileChanges {
            name: self.name,
            address: self.address,
            province: self.province.as_deref().map(province).transpose()?,
            phone: self.phone,
            photo: photo(&self.photo)?,
        };
        let nothing = changes.name.is_none()
            && changes.address.is_none()
            && changes.province.is_none()
            && changes.phone.is_none()
            && changes.photo.is_none();
        let u = if nothing {
            m.me(&s)?
        } else {
            m.update_profile(&s, changes)?
        };
        let text = format!(
            "{} <{}> (usuario {})\nDomicilio: {}, {}\nTeléfono: {}\nAlta: {}   Última conexión: {}   {}\nSaldo: {}\n",
            u.name,
            u.email,
            u.id,
            u.address,
            u.province_name,
            if u.phone.is_empty() { "-" } else { &u.phone },
            datetime_of_ms(u.created_ms),
            datetime_of_ms(u.last_login_ms),
            if u.online {
                "en línea"
            } else {
                "desconectado"
            },
            format::money(u.balance_cents)
        );
        Ok((to_value(&u), text))
    }
}

#[derive(Debug, Args)]
pub struct Unregister {}

impl Unregister {
    pub fn run(self, cx: &Ctx) -> Out {
        let s = session(cx)?;
        let p = password("VENTALIBRE_PASSWORD", "Confirme su clave")?;
        cx.market.unregister(&s, &p)?;
        done(format!("La cuenta {} fue dada de baja", s.email))
    }
}
