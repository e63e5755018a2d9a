//! `ventalibre`: with a command, the console; without one, the desktop window.

use clap::Parser;
use ventalibre::cli::{self, args::Cli};

fn main() {
    let cli = Cli::parse();
    cli::prepare_embedded_share(cli.share.as_deref());
    let code = match cli.command {
        None => ventalibre::gui::run(cli::share_dir(cli.share.as_deref())),
        Some(_) => {
            let mut cli = cli;
            let command = cli.command.take().expect("checked");
            cli::run(cli, command)
        }
    };
    std::process::exit(code);
}
