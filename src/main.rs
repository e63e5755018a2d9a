//! `ventalibre`: with a command, the console; without one, the desktop window.

use ventalibre::cli::{self, spanish};

fn main() {
    let cli = match spanish::parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) => {
            // Help goes to stdout (exit 0), errors in Spanish to stderr (exit 2).
            let _ = e.print();
            std::process::exit(e.exit_code());
        }
    };
    if cli.version {
        println!("{}", cli::version_text(cli.json));
        std::process::exit(0);
    }
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
