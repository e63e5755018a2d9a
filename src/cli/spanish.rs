//! clap in Spanish: the help template ("Uso", "Opciones", "Argumentos", "Comandos"), our own
//! `-h/--ayuda` flag, usage lines with `[OPCIONES]`, and an [`ErrorFormatter`] that writes every
//! clap error in Spanish ("argumento inesperado «--publication»", "¿quiso decir …?").
//! The English names clap would add never reach the user; a test in `tests/cli.rs` walks every
//! command's help and a set of bad command lines to check it.

use std::fmt::Write as _;

use clap::builder::StyledStr;
use clap::error::{ContextKind, ContextValue, ErrorFormatter, ErrorKind};
use clap::{Arg, ArgAction, Command, CommandFactory, FromArgMatches};

use super::args::Cli;

/// A clap error rendered in Spanish.
pub type ParseError = clap::error::Error<Spanish>;

const TEMPLATE: &str = "{about-with-newline}\nUso: {usage}\n\n{all-args}{after-help}";

/// The whole grammar, in Spanish and built (usage lines computed).
pub fn command() -> Command {
    let mut cmd = localize(Cli::command());
    cmd.build();
    spanish_usage(&mut cmd);
    cmd
}

/// Parses a command line (the first item is the program's name).
pub fn parse_from<I, T>(args: I) -> Result<Cli, ParseError>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let mut cmd = command();
    let matches = cmd
        .try_get_matches_from_mut(args)
        .map_err(|e| e.apply::<Spanish>())?;
    Cli::from_arg_matches(&matches).map_err(|e| e.with_cmd(&cmd).apply::<Spanish>())
}

/// Every command path of the grammar (`["admin", "report"]`, …), the root first as `[]`.
pub fn command_paths() -> Vec<Vec<String>> {
    fn walk(c: &Command, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(path.clone());
        for s in c.get_subcommands() {
            path.push(s.get_name().to_string());
            walk(s, path, out);
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk(&command(), &mut Vec::new(), &mut out);
    out
}

/// The help text of the command at `path`, as `--ayuda` prints it.
pub fn help_of(path: &[String]) -> String {
    let mut cmd = command();
    let mut c = &mut cmd;
    for name in path {
        c = c
            .find_subcommand_mut(name)
            .unwrap_or_else(|| panic!("no command {name}"));
    }
    c.render_long_help().to_string()
}

fn localize(cmd: Command) -> Command {
    let mut cmd = cmd
        .help_template(TEMPLATE)
        .subcommand_help_heading("Comandos")
        .subcommand_value_name("COMANDO")
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .disable_version_flag(true)
        .mut_args(|a| {
            let heading = if a.is_positional() {
                "Argumentos"
            } else {
                "Opciones"
            };
            let a = a.help_heading(heading);
            if a.get_action().takes_values() {
                a.hide_default_value(true).hide_possible_values(true)
            } else {
                a
            }
        })
        .arg(
            Arg::new("ayuda")
                .short('h')
                .long("ayuda")
                .alias("help")
                .action(ArgAction::Help)
                .help("Muestra esta ayuda")
                .help_heading("Opciones"),
        );
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for n in names {
        cmd = cmd.mut_subcommand(n, localize);
    }
    cmd
}

/// clap writes `[OPTIONS]` and `<COMMAND>` in usage lines: replace them, command by command.
fn spanish_usage(cmd: &mut Command) {
    let usage = cmd.render_usage().to_string();
    let usage = usage
        .trim_start_matches("Usage:")
        .trim()
        .replace("[OPTIONS]", "[OPCIONES]")
        .replace("[COMMAND]", "[COMANDO]")
        .replace("<COMMAND>", "<COMANDO>");
    *cmd = std::mem::take(cmd).override_usage(usage);
    for sub in cmd.get_subcommands_mut() {
        spanish_usage(sub);
    }
}

/// Formats clap's errors in Spanish.
#[non_exhaustive]
pub struct Spanish;

impl ErrorFormatter for Spanish {
    fn format_error(error: &clap::error::Error<Self>) -> StyledStr {
        let mut s = String::from("error: ");
        s += &message(error);
        let arg_tip = |v: &ContextValue| format!("\n\n  ¿Quiso decir «{}»?", first(v));
        if let Some(v) = error.get(ContextKind::SuggestedSubcommand) {
            s += &arg_tip(v);
        } else if let Some(v) = error.get(ContextKind::SuggestedArg) {
            s += &arg_tip(v);
        } else if let Some(v) = error.get(ContextKind::SuggestedValue) {
            s += &arg_tip(v);
        }
        if let (Some(ContextValue::Bool(true)), Some(ContextValue::String(arg))) = (
            error.get(ContextKind::TrailingArg),
            error.get(ContextKind::InvalidArg),
        ) {
            let _ = write!(s, "\n\n  Para usar «{arg}» como valor, escriba «-- {arg}».");
        }
        if let Some(ContextValue::StyledStr(u)) = error.get(ContextKind::Usage) {
            let u = u.to_string();
            let u = u.trim_start_matches("Usage:").trim();
            let _ = write!(s, "\n\nUso: {u}");
        }
        s += "\n\nPara más información, use «--ayuda».\n";
        StyledStr::from(s)
    }
}

fn first(v: &ContextValue) -> String {
    match v {
        ContextValue::String(s) => s.clone(),
        ContextValue::Strings(v) => v.first().cloned().unwrap_or_default(),
        other => other.to_string(),
    }
}

fn list(v: Option<&ContextValue>) -> String {
    match v {
        Some(ContextValue::Strings(v)) => v
            .iter()
            .map(|x| format!("«{x}»"))
            .collect::<Vec<_>>()
            .join(", "),
        Some(ContextValue::String(x)) => format!("«{x}»"),
        Some(ContextValue::StyledStrs(v)) => v
            .iter()
            .map(|x| format!("«{x}»"))
            .collect::<Vec<_>>()
            .join(", "),
        Some(other) => format!("«{other}»"),
        None => String::new(),
    }
}

fn text(error: &clap::error::Error<Spanish>, kind: ContextKind) -> String {
    error.get(kind).map(first).unwrap_or_default()
}

fn message(error: &clap::error::Error<Spanish>) -> String {
    let arg = text(error, ContextKind::InvalidArg);
    let value = text(error, ContextKind::InvalidValue);
    match error.kind() {
        ErrorKind::UnknownArgument => format!("argumento inesperado «{arg}»"),
        ErrorKind::InvalidSubcommand => format!(
            "comando desconocido «{}»",
            text(error, ContextKind::InvalidSubcommand)
        ),
        ErrorKind::InvalidValue if value.is_empty() => {
            format!("falta el valor de «{arg}»")
        }
        ErrorKind::InvalidValue => {
            let valid = list(error.get(ContextKind::ValidValue));
            if valid.is_empty() {
                format!("valor inválido «{value}» para «{arg}»")
            } else {
                format!("valor inválido «{value}» para «{arg}»; valores posibles: {valid}")
            }
        }
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(error)
                .map(reason)
                .unwrap_or_else(|| "valor inválido".into());
            format!("valor inválido «{value}» para «{arg}»: {why}")
        }
        ErrorKind::MissingRequiredArgument => {
            let missing = list(error.get(ContextKind::InvalidArg));
            format!("faltan datos obligatorios: {missing}")
        }
        ErrorKind::MissingSubcommand => {
            let valid = list(error.get(ContextKind::ValidSubcommand));
            format!(
                "falta el comando después de «{}»; comandos posibles: {valid}",
                text(error, ContextKind::InvalidSubcommand)
            )
        }
        ErrorKind::ArgumentConflict => {
            let prior = text(error, ContextKind::PriorArg);
            if prior.is_empty() || prior == arg {
                format!("«{arg}» se indicó más de una vez")
            } else {
                format!("«{arg}» no se puede usar junto con «{prior}»")
            }
        }
        ErrorKind::NoEquals => format!("«{arg}» necesita su valor con un igual: {arg}=VALOR"),
        ErrorKind::TooManyValues => format!("valor de más «{value}» para «{arg}»"),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            format!("cantidad de valores incorrecta para «{arg}»")
        }
        ErrorKind::InvalidUtf8 => "un argumento tiene caracteres que no son UTF-8 válidos".into(),
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        | ErrorKind::DisplayVersion => String::new(),
        _ => "la línea de comandos no es válida".into(),
    }
}

/// Why a value did not parse: our value parsers' own (Spanish) messages, or the standard
/// library's number errors in Spanish.
fn reason(e: &(dyn std::error::Error + 'static)) -> String {
    use std::num::IntErrorKind;
    if let Some(p) = e.downcast_ref::<std::num::ParseIntError>() {
        return match p.kind() {
            IntErrorKind::Empty => "está vacío".into(),
            IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => {
                "es un número demasiado grande".into()
            }
            _ => "no es un número entero sin signo (por ejemplo 12)".into(),
        };
    }
    e.to_string()
}
