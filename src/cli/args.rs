//! The console's grammar (clap): the global flags and the list of commands. Each command's own
//! arguments are a struct in the module of its area (`account.rs`, `publication.rs`, ...), next
//! to the code that runs it. Names, flags and help are in Spanish; the English names of the
//! first versions stay accepted as hidden aliases (scripts and tests use them). `--carpeta`,
//! `--json` and `--usuario` are global: accepted before or after the command's words. The help
//! template, `--ayuda` and the Spanish errors are added in `spanish.rs`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use super::{
    account, admin, catalog, conversation, install, invoice, maintenance, publication, tools, trade,
};

#[derive(Debug, Parser)]
#[command(
    name = "ventalibre",
    about = "VentaLibre: compraventa en red local sobre una carpeta compartida",
    long_about = "VentaLibre: compraventa en red local sobre una carpeta compartida.\n\n\
        Sin comando abre la ventana. La carpeta es --carpeta DIR; si no se indica, la \
        carpeta compartida de la que se inició el programa (CARPETA/programa/<sistema>/), la \
        variable VENTALIBRE_SHARE o ./shared_me. La clave de --usuario se toma de la \
        variable VENTALIBRE_PASSWORD o se pide sin eco en la terminal. Con --json cada \
        comando escribe exactamente un documento JSON. Códigos de salida: 0 hecho, \
        1 rechazado, 2 uso incorrecto, 3 carpeta ocupada o inaccesible, 4 carpeta dañada.",
    after_help = "Ejemplos:\n  \
        ventalibre --carpeta /mnt/ventas iniciar\n  \
        ventalibre explorar --buscar bicicleta --orden precio-asc\n  \
        VENTALIBRE_PASSWORD=secreto ventalibre --usuario ana@ejemplo.com.ar billetera\n\n\
        La ayuda de cada comando: ventalibre COMANDO --ayuda"
)]
pub struct Cli {
    #[arg(
        long = "carpeta",
        alias = "share",
        global = true,
        value_name = "DIR",
        help = "La carpeta compartida (si no, la carpeta de la que se inició el programa, VENTALIBRE_SHARE o ./shared_me)"
    )]
    pub share: Option<PathBuf>,
    #[arg(
        long,
        global = true,
        help = "Escribe exactamente un documento JSON en la salida (formatos de máquina)"
    )]
    pub json: bool,
    #[arg(
        long = "usuario",
        alias = "user",
        global = true,
        value_name = "EMAIL",
        help = "Quién actúa; su clave se toma de VENTALIBRE_PASSWORD o se pide. En «admin listado» es el usuario del listado y quien administra es --como"
    )]
    pub user: Option<String>,
    #[arg(
        short = 'V',
        long = "version",
        help = "Muestra la versión del programa y la del formato de la carpeta"
    )]
    pub version: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Every command; each variant's arguments live (and run) in the module of its area.
#[derive(Debug, Subcommand)]
pub enum Command {
    #[command(
        name = "iniciar",
        alias = "init",
        about = "Crea la carpeta compartida si no existe (si existe, no cambia nada)",
        after_help = "Ejemplo:\n  ventalibre --carpeta /mnt/ventas iniciar"
    )]
    Init(tools::Init),
    #[command(
        name = "registrar",
        alias = "register",
        about = "Registra un usuario nuevo (la clave, de VENTALIBRE_PASSWORD o pedida)",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=secreto ventalibre registrar --email ana@ejemplo.com.ar \\\n      --nombre \"Pérez, Ana\" --domicilio \"San Martín 123\" --provincia Córdoba"
    )]
    Register(account::Register),
    #[command(
        name = "entrar",
        alias = "login",
        about = "Inicia la sesión de --usuario (queda en línea)",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=secreto ventalibre --usuario ana@ejemplo.com.ar entrar"
    )]
    Login(account::Login),
    #[command(
        name = "salir",
        alias = "logout",
        about = "Cierra la sesión de --usuario (queda desconectado)",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=secreto ventalibre --usuario ana@ejemplo.com.ar salir"
    )]
    Logout(account::Logout),
    #[command(
        name = "clave",
        alias = "passwd",
        about = "Cambia la clave (la actual de VENTALIBRE_PASSWORD, la nueva de VENTALIBRE_NEW_PASSWORD, o pedidas)",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=newton VENTALIBRE_NEW_PASSWORD=otra-clave \\\n      ventalibre --usuario admin@ventalibre.com.ar clave"
    )]
    Passwd(account::Passwd),
    #[command(
        name = "perfil",
        alias = "profile",
        about = "Muestra los datos de --usuario o cambia los que se indiquen",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=secreto ventalibre --usuario ana@ejemplo.com.ar perfil --telefono \"351 555-1234\""
    )]
    Profile(account::Profile),
    #[command(
        name = "baja",
        alias = "unregister",
        about = "Da de baja la cuenta (no se puede con publicaciones en venta o con saldo)",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=secreto ventalibre --usuario ana@ejemplo.com.ar baja"
    )]
    Unregister(account::Unregister),
    #[command(
        name = "categorias",
        alias = "categories",
        about = "Lista las categorías con su comisión y su cantidad de publicaciones",
        after_help = "Ejemplo:\n  ventalibre categorias"
    )]
    Categories(catalog::Categories),
    #[command(
        name = "provincias",
        alias = "provinces",
        about = "Lista los códigos de provincia",
        after_help = "Ejemplo:\n  ventalibre provincias"
    )]
    Provinces(catalog::Provinces),
    #[command(
        subcommand,
        name = "categoria",
        alias = "category",
        about = "Alta, modificación y baja de categorías (administración)",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=newton ventalibre categoria agregar \"Juguetes\" --comision 7,5"
    )]
    Category(catalog::CategoryCmd),
    #[command(
        name = "publicar",
        alias = "publish",
        about = "Publica un artículo; escribe el número de la publicación",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=secreto ventalibre --usuario ana@ejemplo.com.ar publicar --categoria 3 \\\n      --titulo \"Notebook\" --descripcion \"i5, 8 GB\" --precio 350000 --tipo usado --cierre 31/12/2026"
    )]
    Publish(publication::Publish),
    #[command(
        subcommand,
        name = "publicacion",
        alias = "publication",
        about = "Muestra o modifica una publicación",
        after_help = "Ejemplo:\n  ventalibre publicacion ver 12"
    )]
    Publication(publication::PublicationCmd),
    #[command(
        name = "pausar",
        alias = "pause",
        about = "Pausa una publicación propia",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=secreto ventalibre --usuario ana@ejemplo.com.ar pausar 12"
    )]
    Pause(publication::Pause),
    #[command(
        name = "reanudar",
        alias = "resume",
        about = "Reanuda una publicación propia pausada",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=secreto ventalibre --usuario ana@ejemplo.com.ar reanudar 12"
    )]
    Resume(publication::Resume),
    #[command(
        name = "anular",
        alias = "cancel",
        about = "Anula una publicación propia",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=secreto ventalibre --usuario ana@ejemplo.com.ar anular 12"
    )]
    Cancel(publication::Cancel),
    #[command(
        name = "mis-publicaciones",
        alias = "mine",
        about = "Las publicaciones de --usuario: fechas, estado, comprador, calificación y comisión",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=secreto ventalibre --usuario ana@ejemplo.com.ar mis-publicaciones"
    )]
    Mine(publication::Mine),
    #[command(
        name = "explorar",
        alias = "browse",
        about = "Las publicaciones en venta, con filtros, orden y búsqueda",
        after_help = "Ejemplo:\n  ventalibre explorar --categoria 3 --tipo usado --orden precio-asc --buscar notebook"
    )]
    Browse(publication::Browse),
    #[command(
        name = "preguntar",
        alias = "ask",
        about = "Hace una pregunta a quien vende",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=clave ventalibre --usuario beto@ejemplo.com.ar preguntar 12 --texto \"¿Tiene garantía?\""
    )]
    Ask(conversation::Ask),
    #[command(
        name = "responder",
        alias = "answer",
        about = "Responde la pregunta más antigua sin respuesta de un comprador (quien vende)",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=secreto ventalibre --usuario ana@ejemplo.com.ar responder 12 \\\n      --comprador beto@ejemplo.com.ar --texto \"Sí, seis meses\""
    )]
    Answer(conversation::Answer),
    #[command(
        name = "conversacion",
        alias = "conversation",
        about = "La conversación (o las conversaciones) sobre una publicación",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=secreto ventalibre --usuario ana@ejemplo.com.ar conversacion 12"
    )]
    Conversation(conversation::Conversation),
    #[command(
        name = "conversaciones",
        alias = "conversations",
        about = "Las conversaciones de --usuario, como comprador y como vendedor",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=secreto ventalibre --usuario ana@ejemplo.com.ar conversaciones"
    )]
    Conversations(conversation::Conversations),
    #[command(
        name = "comprar",
        alias = "buy",
        about = "Compra una publicación; escribe los números de venta y de factura",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=clave ventalibre --usuario beto@ejemplo.com.ar comprar 12"
    )]
    Buy(trade::Buy),
    #[command(
        name = "calificar",
        alias = "rate",
        about = "Califica a quien vendió una compra",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=clave ventalibre --usuario beto@ejemplo.com.ar calificar 5 recomendable"
    )]
    Rate(trade::Rate),
    #[command(
        name = "compras",
        alias = "purchases",
        about = "Las compras de --usuario",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=clave ventalibre --usuario beto@ejemplo.com.ar compras"
    )]
    Purchases(trade::Purchases),
    #[command(
        name = "billetera",
        alias = "wallet",
        about = "La billetera: saldo y movimientos, o depositar, extraer y transferir",
        after_help = "Ejemplos:\n  VENTALIBRE_PASSWORD=clave ventalibre --usuario beto@ejemplo.com.ar billetera\n  VENTALIBRE_PASSWORD=clave ventalibre --usuario beto@ejemplo.com.ar billetera depositar 1.500,50"
    )]
    Wallet(trade::Wallet),
    #[command(
        name = "facturas",
        alias = "invoices",
        about = "Las facturas de --usuario (todas, para la administración)",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=clave ventalibre --usuario beto@ejemplo.com.ar facturas"
    )]
    Invoices(invoice::Invoices),
    #[command(
        name = "factura",
        alias = "invoice",
        about = "Una factura: en pantalla, en un archivo de texto o en PDF",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=clave ventalibre --usuario beto@ejemplo.com.ar factura 29 --pdf factura.pdf"
    )]
    Invoice(invoice::Invoice),
    #[command(
        subcommand,
        name = "admin",
        about = "Administración (actúa --usuario; si no se indica, admin@ventalibre.com.ar)",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=newton ventalibre admin usuarios"
    )]
    Admin(admin::AdminCmd),
    #[command(
        name = "arbol",
        alias = "tree",
        about = "Dibuja un índice de publicaciones (árbol AVL o B+) nivel por nivel",
        after_help = "Ejemplo:\n  ventalibre arbol vendedor"
    )]
    Tree(tools::Tree),
    #[command(
        name = "dispersion",
        about = "El test de dispersión del hash de usuarios, en total y por bloques",
        after_help = "Ejemplo:\n  ventalibre dispersion --bloque 10"
    )]
    Dispersion(tools::Dispersion),
    #[command(
        name = "verificar",
        alias = "check",
        about = "Verifica cada archivo y estructura de la carpeta (código de salida 4 si está dañada)",
        after_help = "Ejemplo:\n  ventalibre --carpeta /mnt/ventas verificar"
    )]
    Check(tools::Check),
    #[command(
        name = "diagnostico",
        alias = "doctor",
        about = "Lo que el programa detecta de la carpeta: sistema de archivos, opciones de montaje, E/S directa, si esta terminal puede escribir (ver docs/SHARES.md)",
        after_help = "Ejemplo:\n  ventalibre --carpeta /mnt/ventas diagnostico"
    )]
    Doctor(tools::Doctor),
    #[command(
        name = "demo",
        about = "Llena la carpeta con datos generados",
        after_help = "Ejemplo:\n  ventalibre --carpeta /tmp/prueba demo --usuarios 500 --publicaciones 5000 --semilla 1"
    )]
    Demo(tools::Demo),
    #[command(
        name = "copiar",
        alias = "backup",
        about = "Hace una copia coherente de toda la carpeta, fotos incluidas, mientras las demás terminales trabajan (administración)",
        after_help = "Ejemplo:\n  ventalibre --carpeta /mnt/ventas copiar /copias/ventas-lunes"
    )]
    Backup(maintenance::Backup),
    #[command(
        name = "restaurar",
        alias = "restore",
        about = "Pone una copia en lugar de la carpeta; se rechaza mientras otra terminal escribe (administración, con confirmación)",
        after_help = "Ejemplo:\n  ventalibre --carpeta /mnt/ventas restaurar /copias/ventas-lunes"
    )]
    Restore(maintenance::Restore),
    #[command(
        name = "reparar",
        alias = "repair",
        about = "Reconstruye lo que `verificar` encontró dañado a partir de los archivos de datos y lista lo que no se puede (administración, con confirmación)",
        after_help = "Ejemplo:\n  ventalibre --carpeta /mnt/ventas reparar"
    )]
    Repair(maintenance::Repair),
    #[command(
        name = "instalar",
        alias = "install",
        about = "Instala el programa en la carpeta compartida (la crea si hace falta) con sus accesos directos",
        long_about = "Instala el programa en la carpeta compartida: copia este programa a \
            CARPETA/programa/<sistema>/ y escribe arriba de la carpeta los accesos directos que lo \
            abren sobre esa misma carpeta, esté donde esté montada: VentaLibre.cmd (Windows, desde \
            \\\\servidor\\ventas o una unidad asignada), VentaLibre.desktop y ventalibre.sh (Linux), \
            VentaLibre.command (macOS). Si la carpeta no tiene datos, la crea. Instalar una versión \
            nueva en una carpeta con datos deja sin modificarla a las terminales con una versión \
            anterior, y por eso pide la clave de la administración.",
        after_help = "Ejemplos:\n  ventalibre instalar --carpeta /mnt/ventas\n  VENTALIBRE_PASSWORD=clave-admin ventalibre instalar --carpeta /mnt/ventas --acceso-directo"
    )]
    Install(install::Install),
    #[command(
        name = "acceso-directo",
        alias = "shortcut",
        about = "Crea en esta computadora un acceso directo al programa de la carpeta compartida",
        after_help = "Ejemplo:\n  ventalibre --carpeta /mnt/ventas acceso-directo"
    )]
    Shortcut(install::Shortcut),
    #[command(
        name = "actualizar-carpeta",
        alias = "upgrade",
        about = "Actualiza la carpeta compartida al formato de este programa (administración); dice antes qué hará",
        after_help = "Ejemplo:\n  VENTALIBRE_PASSWORD=clave-admin ventalibre --carpeta /mnt/ventas actualizar-carpeta"
    )]
    Upgrade(install::Upgrade),
}

impl Command {
    /// Whether the command may create the share when it is absent (only `iniciar` and `demo`).
    pub fn creates_share(&self) -> bool {
        matches!(
            self,
            Command::Init(_) | Command::Demo(_) | Command::Install(_)
        )
    }
}
