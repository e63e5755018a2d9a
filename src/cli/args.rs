//! The console's grammar (clap). `--share`, `--json` and `--user` are global: accepted before
//! or after the command's words.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum KindArg {
    Used,
    New,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SortArg {
    Newest,
    PriceAsc,
    PriceDesc,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum TreeArg {
    Seller,
    Category,
}

#[derive(Debug, Args)]
pub struct ProfileArgs {
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub address: Option<String>,
    /// Province code (0..23) or name.
    #[arg(long)]
    pub province: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    #[arg(long, value_name = "FILE")]
    pub photo: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PubEditArgs {
    #[arg(long)]
    pub category: Option<u64>,
    #[arg(long)]
    pub title: Option<String>,
    #[arg(long)]
    pub description: Option<String>,
    #[arg(long)]
    pub price: Option<String>,
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub closes: Option<String>,
    #[arg(long, value_name = "FILE")]
    pub photo: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the share if absent (idempotent).
    Init,
    /// Register a new user (password from VENTALIBRE_PASSWORD or a prompt).
    Register {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        address: String,
        /// Province code (0..23) or name.
        #[arg(long)]
        province: String,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long, value_name = "FILE")]
        photo: Option<PathBuf>,
    },
    /// Log in (marks the user connected).
    Login,
    /// Log out (marks the user disconnected).
    Logout,
    /// Change the password (new one from VENTALIBRE_NEW_PASSWORD or a prompt).
    Passwd,
    /// Show or change the user's data.
    Profile(ProfileArgs),
    /// Delete the account (refused while it has publications for sale or money).
    Unregister,
    /// List the categories with their number of publications.
    Categories,
    /// The province codes.
    Provinces,
    /// Categories ABM (administrator).
    #[command(subcommand)]
    Category(CategoryCmd),
    /// Publish an article; prints its id.
    Publish {
        #[arg(long)]
        category: u64,
        #[arg(long)]
        title: String,
        #[arg(long)]
        description: String,
        #[arg(long)]
        price: String,
        #[arg(long, value_enum)]
        kind: KindArg,
        #[arg(long, value_name = "YYYY-MM-DD")]
        closes: String,
        #[arg(long, value_name = "FILE")]
        photo: Option<PathBuf>,
    },
    /// Show or edit a publication.
    #[command(subcommand)]
    Publication(PublicationCmd),
    /// Pause a publication.
    Pause { id: u64 },
    /// Resume a paused publication.
    Resume { id: u64 },
    /// Cancel a publication.
    Cancel { id: u64 },
    /// The user's publications.
    Mine,
    /// Publications for sale, with filters.
    Browse {
        #[arg(long)]
        category: Option<u64>,
        #[arg(long, value_enum)]
        kind: Option<KindArg>,
        /// Seller's province code (0..23) or name.
        #[arg(long)]
        province: Option<String>,
        #[arg(long, value_enum, default_value = "newest")]
        sort: SortArg,
        #[arg(long)]
        search: Option<String>,
    },
    /// Ask the seller a question.
    Ask {
        id: u64,
        #[arg(long)]
        text: String,
    },
    /// Answer a buyer's oldest unanswered question (seller).
    Answer {
        id: u64,
        #[arg(long)]
        buyer: String,
        #[arg(long)]
        text: String,
    },
    /// The conversation(s) on a publication.
    Conversation {
        id: u64,
        #[arg(long)]
        buyer: Option<String>,
    },
    /// The user's conversations, as buyer and as seller.
    Conversations,
    /// Buy a publication; prints the sale and invoice numbers.
    Buy { id: u64 },
    /// Rate the seller of a purchase.
    Rate {
        sale: u64,
        #[arg(value_parser = ["recommend", "neutral", "not-recommend"])]
        rating: String,
    },
    /// The user's purchases.
    Purchases,
    /// The wallet: balance and movements, or an operation.
    Wallet {
        #[command(subcommand)]
        op: Option<WalletCmd>,
    },
    /// The user's invoices.
    Invoices,
    /// One invoice.
    Invoice {
        number: u64,
        /// Also write it to a text file.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Administration (acting as --user, by default admin@ventalibre.com.ar).
    #[command(subcommand)]
    Admin(AdminCmd),
    /// Draw a publication index level by level.
    Tree {
        #[arg(value_enum)]
        which: TreeArg,
    },
    /// The users hash's dispersion test.
    Dispersion {
        #[arg(long, default_value_t = 10)]
        block: u64,
    },
    /// Check every file and structure of the share (exit 4 if damaged).
    Check,
    /// Fill the share with generated data.
    Demo {
        #[arg(long, default_value_t = 200)]
        users: u64,
        #[arg(long, default_value_t = 1000)]
        publications: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum CategoryCmd {
    Add {
        name: String,
        /// Commission percentage (e.g. 8.5).
        #[arg(long)]
        commission: String,
    },
    Edit {
        key: u64,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        commission: Option<String>,
    },
    Delete {
        key: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum PublicationCmd {
    Show {
        id: u64,
    },
    Edit {
        id: u64,
        #[command(flatten)]
        changes: PubEditArgs,
    },
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

#[derive(Debug, Subcommand)]
pub enum AdminCmd {
    BlockUser {
        email: String,
    },
    UnblockUser {
        email: String,
    },
    Block {
        id: u64,
    },
    Unblock {
        id: u64,
    },
    /// Collect the commissions sellers owe.
    Collect,
    /// Every user.
    Users,
    /// A listing of the spec (`--list` names them).
    Report {
        name: Option<String>,
        #[arg(long)]
        list: bool,
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<String>,
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: Option<String>,
        #[arg(long)]
        category: Option<u64>,
        /// The administrator acting (default admin@ventalibre.com.ar).
        #[arg(long = "as", value_name = "EMAIL")]
        acting: Option<String>,
        /// Write CSV to this file (or to stdout with `-`).
        #[arg(long, value_name = "FILE")]
        csv: Option<PathBuf>,
    },
    /// Testimonial conversations between a publication and random users.
    BulkConversations {
        #[arg(long)]
        publication: u64,
        #[arg(long)]
        users: u64,
        #[arg(long)]
        seed: Option<u64>,
    },
    /// The event log in Lamport order.
    Events,
}
