//! The console's grammar (clap): the global flags and the list of commands. Each command's own
//! arguments are a struct in the module of its area (`account.rs`, `publication.rs`, ...), next
//! to the code that runs it. `--share`, `--json` and `--user` are global: accepted before or
//! after the command's words.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use super::{account, admin, catalog, conversation, invoice, publication, tools, trade};

#[derive(Debug, Parser)]
#[command(
    name = "ventalibre",
    version,
    about = "VentaLibre: compraventa en red local sobre una carpeta compartida",
    long_about = "VentaLibre: compraventa en red local sobre una carpeta compartida.\n\n\
        Sin comando abre la ventana. La carpeta es --share DIR, si no la variable \
        VENTALIBRE_SHARE, si no ./shared_me. La clave de --user se toma de la variable \
        VENTALIBRE_PASSWORD o se pide sin eco. Códigos de salida: 0 hecho, 1 rechazado, \
        2 uso incorrecto, 3 carpeta ocupada o inaccesible, 4 carpeta dañada."
)]
pub struct Cli {
    /// The shared folder.
    #[arg(long, global = true, value_name = "DIR")]
    pub share: Option<PathBuf>,
    /// Print exactly one JSON document on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// The user acting (its password from VENTALIBRE_PASSWORD or a prompt). In `admin report`
    /// it names the listing's user instead, and the administrator acting is `--as`.
    #[arg(long, global = true, value_name = "EMAIL")]
    pub user: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Every command; each variant's arguments live (and run) in the module of its area.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the share if absent (idempotent).
    Init(tools::Init),
    /// Register a new user (password from VENTALIBRE_PASSWORD or a prompt).
    Register(account::Register),
    /// Log in (marks the user connected).
    Login(account::Login),
    /// Log out (marks the user disconnected).
    Logout(account::Logout),
    /// Change the password (new one from VENTALIBRE_NEW_PASSWORD or a prompt).
    Passwd(account::Passwd),
    /// Show or change the user's data.
    Profile(account::Profile),
    /// Delete the account (refused while it has publications for sale or money).
    Unregister(account::Unregister),
    /// List the categories with their number of publications.
    Categories(catalog::Categories),
    /// The province codes.
    Provinces(catalog::Provinces),
    /// Categories ABM (administrator).
    #[command(subcommand)]
    Category(catalog::CategoryCmd),
    /// Publish an article; prints its id.
    Publish(publication::Publish),
    /// Show or edit a publication.
    #[command(subcommand)]
    Publication(publication::PublicationCmd),
    /// Pause a publication.
    Pause(publication::Pause),
    /// Resume a paused publication.
    Resume(publication::Resume),
    /// Cancel a publication.
    Cancel(publication::Cancel),
    /// The user's publications.
    Mine(publication::Mine),
    /// Publications for sale, with filters.
    Browse(publication::Browse),
    /// Ask the seller a question.
    Ask(conversation::Ask),
    /// Answer a buyer's oldest unanswered question (seller).
    Answer(conversation::Answer),
    /// The conversation(s) on a publication.
    Conversation(conversation::Conversation),
    /// The user's conversations, as buyer and as seller.
    Conversations(conversation::Conversations),
    /// Buy a publication; prints the sale and invoice numbers.
    Buy(trade::Buy),
    /// Rate the seller of a purchase.
    Rate(trade::Rate),
    /// The user's purchases.
    Purchases(trade::Purchases),
    /// The wallet: balance and movements, or an operation.
    Wallet(trade::Wallet),
    /// The user's invoices.
    Invoices(invoice::Invoices),
    /// One invoice.
    Invoice(invoice::Invoice),
    /// Administration (acting as --user, by default admin@ventalibre.com.ar).
    #[command(subcommand)]
    Admin(admin::AdminCmd),
    /// Draw a publication index level by level.
    Tree(tools::Tree),
    /// The users hash's dispersion test.
    Dispersion(tools::Dispersion),
    /// Check every file and structure of the share (exit 4 if damaged).
    Check(tools::Check),
    /// Fill the share with generated data.
    Demo(tools::Demo),
}

impl Command {
    /// Whether the command may create the share when it is absent (only `init` and `demo`).
    pub fn creates_share(&self) -> bool {
        matches!(self, Command::Init(_) | Command::Demo(_))
    }
}
