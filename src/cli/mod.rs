//! The command line: a second adapter over the same core as the language server.

mod check;
mod data;
mod lookup;
mod output;

pub use lookup::entry_json;
mod scan;
mod suggest;

use crate::codes::{CodeSets, LoadOptions};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// The code sets, or the exit of a run whose data options name nothing there.
macro_rules! sets_or_exit {
    ($options:expr) => {
        match load($options) {
            Ok(sets) => sets,
            Err(e) => {
                eprintln!("dxpx: {e}");
                return ExitCode::from(EXIT_USAGE);
            }
        }
    };
}

#[derive(Parser, Debug)]
#[command(
    name = "dxpx",
    about = "Finds, explains and checks diagnosis and procedure codes in clinical notes and charge sheets",
    disable_version_flag = true
)]
pub(crate) struct Cli {
    /// Print the dxpx version and every code set's release.
    #[arg(short = 'V', long = "version")]
    version: bool,
    /// Serve the Language Server Protocol on stdin/stdout (the spelling editors expect).
    #[arg(long)]
    stdio: bool,
    #[command(flatten)]
    data: DataOptions,
    #[command(subcommand)]
    command: Option<Command>,
}

/// Where to find code sets other than the embedded ones: options of the commands that read
/// codes (and of `dxpx` itself, before a command), not of `data build`, which reads official
/// files only.
#[derive(Args, Debug, Clone, Default)]
pub(crate) struct DataOptions {
    /// A folder of newer official code-set files (for example the next fiscal year's).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// A licensed CPT file (code and descriptor, CSV or TSV).
    #[arg(long, value_name = "FILE")]
    cpt_file: Option<PathBuf>,
    /// Judge codes by the releases in force on this day (YYYY-MM-DD) where a document states
    /// no date of service; today by default.
    #[arg(long, value_name = "DATE", value_parser = parse_as_of)]
    as_of: Option<crate::codes::history::Day>,
}

impl DataOptions {
    /// These options, with what a command's own options say over them.
    fn with(&self, command: DataOptions) -> DataOptions {
        DataOptions {
            data_dir: command.data_dir.or_else(|| self.data_dir.clone()),
            cpt_file: command.cpt_file.or_else(|| self.cpt_file.clone()),
            as_of: command.as_of.or(self.as_of),
        }
    }
}

fn parse_as_of(value: &str) -> Result<crate::codes::history::Day, String> {
    crate::config::parse_day("--as-of", value).map_err(|e| e.to_string())
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the Language Server Protocol on stdin/stdout.
    Lsp {
        #[command(flatten)]
        data: DataOptions,
    },
    /// Check notes and charge sheets: every rule, over files and folders.
    Check {
        /// Files and folders (recursively, honouring .gitignore); the current folder if none.
        paths: Vec<PathBuf>,
        /// text: each finding with its line and its fixes (1-based lines and columns); jsonl
        /// (or json): JSON Lines, one object per line, a finding or a visit's numbers (0-based
        /// lines and UTF-16 columns, as LSP, and byte offsets); sarif: SARIF 2.1.0 for
        /// code-scanning tools.
        #[arg(long, value_enum, default_value_t = check::Format::Text)]
        format: check::Format,
        /// Exit with status 1 when a finding is at least this severe.
        #[arg(long, value_enum, default_value_t = check::FailOn::Error)]
        fail_on: check::FailOn,
        /// List every dxpx-ignore suppression and its reason (an audit trail) instead.
        #[arg(long)]
        suppressions: bool,
        /// A dxpx.toml to use instead of the one found beside the files.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Colour the report: auto (on a terminal), always, never.
        #[arg(long, default_value = "auto")]
        color: String,
        /// Also report the documentation hints (documented-not-coded, more-specific-code),
        /// as the editor does. Off by default: they are hints for a person, not CI errors.
        #[arg(long)]
        hints: bool,
        #[command(flatten)]
        data: DataOptions,
    },
    /// Explain codes: system, release, title, hierarchy, notes, GEM targets.
    Lookup {
        /// Codes as written: E11.9, e119, 0DTJ4ZZ, 250.00, 99213, J1885.
        #[arg(required = true)]
        codes: Vec<String>,
        /// Read the codes as this system only (ICD-10-CM, ICD-10-PCS, ICD-9-CM, CPT, HCPCS).
        #[arg(long)]
        system: Option<String>,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataOptions,
    },
    /// Print every code mention in files (`--json`: one object per line).
    Scan {
        /// Files and folders (folders as `check` reads them).
        #[arg(required = true, value_name = "PATHS")]
        files: Vec<PathBuf>,
        /// One JSON object per mention, per line.
        #[arg(long)]
        json: bool,
        /// Print only the number of mentions per file.
        #[arg(long, conflicts_with = "json")]
        count: bool,
        /// Also list the code-shaped text of a note that was not taken for a code, and why.
        #[arg(long, conflicts_with = "count")]
        explain: bool,
        #[command(flatten)]
        data: DataOptions,
    },
    /// The conditions notes document in words, with ranked candidate codes (`--json`: one
    /// object per condition).
    Suggest {
        /// Notes: files and folders (folders as `check` reads them).
        #[arg(required = true, value_name = "PATHS")]
        files: Vec<PathBuf>,
        /// One JSON object per condition, per line.
        #[arg(long)]
        json: bool,
        /// Every candidate of a condition (up to five), not only the first three.
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        data: DataOptions,
    },
    /// Search the code sets by words ("type 2 diabetes", "asthma").
    Search {
        /// The words, as a coder would type them (a prefix such as `diab` is enough).
        #[arg(required = true)]
        words: Vec<String>,
        /// At most this many codes.
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// One JSON object per code, per line.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: DataOptions,
    },
    /// Build the embedded code-set tables from official files.
    Data {
        #[command(subcommand)]
        command: DataCommand,
    },
}

#[derive(Subcommand, Debug)]
enum DataCommand {
    /// Read official release files from a folder and write the compact tables.
    Build {
        /// The folder of official files (searched recursively).
        #[arg(long)]
        from: PathBuf,
        /// Where to write the tables.
        #[arg(long, default_value = "data")]
        out: PathBuf,
    },
}

/// `dxpx lookup E11 | head` ends when `head` does, as other command-line tools do, instead
/// of panicking on the first write to a closed pipe (Rust ignores SIGPIPE by default).
fn die_quietly_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of one signal, before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// Exit status for a usage or I/O error (1 is kept for "findings").
pub(crate) const EXIT_USAGE: u8 = 2;

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let serving =
        matches!(cli.command, Some(Command::Lsp { .. })) || (cli.command.is_none() && cli.stdio);
    if !serving {
        die_quietly_on_closed_pipe();
    }
    crate::fault::install_hook();
    // The commands contain bugs file by file and code by code; this is for the rest.
    crate::fault::catch(|| run(cli)).unwrap_or_else(|fault| {
        eprintln!("dxpx: {fault}");
        ExitCode::from(EXIT_USAGE)
    })
}

fn run(cli: Cli) -> ExitCode {
    if cli.version {
        return version(&cli.data);
    }
    match cli.command {
        None if cli.stdio => lsp(&cli.data),
        Some(Command::Lsp { data }) => lsp(&cli.data.with(data)),
        None => {
            eprintln!("dxpx: no command given; try `dxpx --help`");
            ExitCode::from(EXIT_USAGE)
        }
        Some(Command::Check {
            paths,
            format,
            fail_on,
            suppressions,
            config,
            color,
            hints,
            data,
        }) => {
            let paths = if paths.is_empty() {
                vec![PathBuf::from(".")]
            } else {
                paths
            };
            let mut config = match load_config(config.as_deref(), &paths) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("dxpx: {e}");
                    return ExitCode::from(EXIT_USAGE);
                }
            };
            let mut data = cli.data.with(data);
            config.as_of = data.as_of.or(config.as_of);
            data.data_dir = data.data_dir.or(config.data_dir.clone());
            data.cpt_file = data.cpt_file.or(config.cpt_file.clone());
            let color = match color.as_str() {
                "always" => true,
                "never" => false,
                _ => {
                    std::io::IsTerminal::is_terminal(&std::io::stdout())
                        && std::env::var_os("NO_COLOR").is_none()
                }
            };
            let scanner = crate::scan::Scanner::new(sets_or_exit!(&data));
            check::run(
                &scanner,
                check::Options {
                    paths,
                    format,
                    fail_on,
                    suppressions,
                    config,
                    color,
                    hints,
                },
            )
        }
        Some(Command::Lookup {
            codes,
            system,
            json,
            data,
        }) => {
            let data = cli.data.with(data);
            lookup::lookup(
                &*sets_or_exit!(&data),
                &codes,
                system.as_deref(),
                data.as_of,
                json,
            )
        }
        Some(Command::Scan {
            files,
            json,
            count,
            explain,
            data,
        }) => {
            let scanner = crate::scan::Scanner::new(sets_or_exit!(&cli.data.with(data)));
            let format = match (json, count) {
                (true, _) => scan::Format::Json,
                (_, true) => scan::Format::Count,
                _ => scan::Format::Text,
            };
            scan::scan(&scanner, &files, format, explain)
        }
        Some(Command::Suggest {
            files,
            json,
            all,
            data,
        }) => {
            let scanner = crate::scan::Scanner::new(sets_or_exit!(&cli.data.with(data)));
            suggest::suggest(&scanner, &files, json, all)
        }
        Some(Command::Search {
            words,
            limit,
            json,
            data,
        }) => {
            let data = cli.data.with(data);
            lookup::search(&*sets_or_exit!(&data), &words.join(" "), limit, json)
        }
        Some(Command::Data {
            command: DataCommand::Build { from, out },
        }) => data::build(&from, &out),
    }
}

/// `--config FILE`, or the dxpx.toml beside the first path (or above it).
fn load_config(
    explicit: Option<&std::path::Path>,
    paths: &[PathBuf],
) -> Result<crate::config::Config, crate::config::ConfigError> {
    if let Some(path) = explicit {
        return crate::config::Config::read(path);
    }
    let first = paths.first().cloned().unwrap_or_else(|| PathBuf::from("."));
    let dir = if first.is_dir() {
        first
    } else {
        first.parent().map(PathBuf::from).unwrap_or_default()
    };
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    let dir = dir.canonicalize().unwrap_or(dir);
    crate::config::Config::discover(&dir)
}

/// The code sets the options ask for. A folder or file named that is not there is an error
/// (a typo would otherwise check a year of notes against the wrong release); problems inside
/// user files are warned about, and the embedded sets stand in.
pub(crate) fn load(options: &DataOptions) -> Result<Arc<CodeSets>, String> {
    let load = LoadOptions {
        data_dir: options.data_dir.clone(),
        cpt_file: options.cpt_file.clone(),
    };
    if load == LoadOptions::default() {
        return Ok(CodeSets::embedded());
    }
    if let Some(dir) = load.data_dir.as_ref().filter(|d| !d.is_dir()) {
        return Err(format!(
            "the data folder {} (--data-dir, or [data] dir) does not exist",
            dir.display()
        ));
    }
    if let Some(file) = load.cpt_file.as_ref().filter(|f| !f.is_file()) {
        return Err(format!(
            "the CPT file {} (--cpt-file, or [data] cpt-file) does not exist",
            file.display()
        ));
    }
    Ok(match CodeSets::load(&load) {
        Ok(sets) => {
            for w in &sets.warnings {
                eprintln!("dxpx: warning: {w}");
            }
            Arc::new(sets)
        }
        Err(e) => {
            eprintln!("dxpx: warning: {e}; using the embedded code sets");
            CodeSets::embedded()
        }
    })
}

fn version(options: &DataOptions) -> ExitCode {
    println!("dxpx {}", env!("CARGO_PKG_VERSION"));
    for r in sets_or_exit!(options).releases() {
        let dates = match (r.effective_from.is_empty(), r.effective_to.is_empty()) {
            (true, _) => String::new(),
            (false, true) => format!(", effective {}", r.effective_from),
            (false, false) => format!(", effective {} to {}", r.effective_from, r.effective_to),
        };
        println!("  {}: {}{dates}", r.set, r.release);
    }
    ExitCode::SUCCESS
}

fn lsp(options: &DataOptions) -> ExitCode {
    crate::lsp::serve(LoadOptions {
        data_dir: options.data_dir.clone(),
        cpt_file: options.cpt_file.clone(),
    })
}
