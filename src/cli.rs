//! The command line: clap definitions only. No I/O happens here; `cmd::*` turn these into settings.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// xconn — build, check and read Coherent Spark XConnector request and response bodies.
#[derive(Debug, Parser)]
#[command(name = "xconn", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// When to use color: auto (terminal and no NO_COLOR), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Convert CSV / JSON objects / NDJSON into an `inputs` body, and bodies back to objects or CSV.
    Convert(ConvertArgs),
    /// Check request and response bodies: JSON Schema plus the rules a schema cannot say.
    Validate(ValidateArgs),
    /// Print the JSON Schema (draft 2020-12) the validator uses.
    Schema(SchemaArgs),
    /// Render a request or response body as terminal tables.
    Show(ShowArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Which body a document is: a request (`inputs`) or a response (`outputs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Request,
    Response,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SourceFormat {
    Csv,
    Json,
    Ndjson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetFormat {
    /// The XConnector body (`{"inputs": …}`); the default for CSV / objects sources.
    Body,
    /// An array of objects; the default when the source is a body.
    Json,
    /// One object per line.
    Ndjson,
    /// Flat CSV rows (nested tables need `--nest`).
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TypesMode {
    /// Integers, decimals, booleans and null (empty cell) are recognised; the rest are strings.
    Infer,
    /// Every CSV value stays a string (empty cells too).
    String,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Input file, or `-` for standard input.
    #[arg(value_name = "FILE")]
    pub input: String,

    /// Source format; by default taken from the file extension (.csv .tsv .json .ndjson .jsonl).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub from: Option<SourceFormat>,

    /// Target format; `body` for CSV/objects sources, `json` when the source is a body.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub to: Option<TargetFormat>,

    /// Which body to build: a request (`inputs`) or a response (`outputs`, with empty
    /// warnings/errors and process_time).
    #[arg(long, value_enum, default_value_t = KindArg::Request)]
    pub kind: KindArg,

    /// Write to FILE (atomically: a temp file renamed into place) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<String>,

    /// One line of JSON.
    #[arg(long, conflicts_with = "pretty")]
    pub compact: bool,

    /// Fully indented JSON.
    #[arg(long)]
    pub pretty: bool,

    /// CSV field delimiter (one byte; `\t` for tab). `.tsv` files default to tab.
    #[arg(short, long, value_name = "CHAR")]
    pub delimiter: Option<String>,

    /// How CSV cells get their JSON types.
    #[arg(long, value_enum, default_value_t = TypesMode::Infer, value_name = "MODE")]
    pub types: TypesMode,

    /// Force one column's type: COL=string|number|integer|boolean. Repeatable.
    #[arg(long = "type", value_name = "COL=TYPE")]
    pub type_overrides: Vec<String>,

    /// Turn nested JSON objects into dotted keys (`address.city`) instead of failing.
    #[arg(long)]
    pub flatten: bool,

    /// CSV columns named `Table.column` form a nested table `Table`; consecutive rows that agree on
    /// all other columns are one record. On output to CSV, tables are spread into such rows.
    #[arg(long)]
    pub nest: bool,

    /// Separator between table name and column name for `--nest`.
    #[arg(long, default_value = ".", value_name = "SEP")]
    pub nest_sep: String,

    /// Pad short CSV rows with null instead of failing (long rows still fail).
    #[arg(long)]
    pub allow_ragged: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// `file:line:col: error[XC…]: message`
    Text,
    /// One JSON document for scripts.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…,col=…::…`).
    Github,
    /// SARIF 2.1.0 for code-scanning upload.
    Sarif,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Body files to check; `-` reads standard input.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<String>,

    /// Treat every file as this kind instead of detecting `inputs` / `outputs`.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,

    /// For responses: the request they answer; output records must match its input records.
    #[arg(long, value_name = "REQUEST")]
    pub against: Option<String>,

    /// Warnings fail the run too.
    #[arg(long)]
    pub strict: bool,

    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text, value_name = "FORMAT")]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which schema to print.
    #[arg(value_enum)]
    pub kind: KindArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    /// Terminal tables.
    Table,
    /// GitHub-flavoured markdown tables.
    Markdown,
    /// Flattened records as CSV.
    Csv,
    /// The normalized body as JSON.
    Json,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Body file, or `-` for standard input.
    #[arg(value_name = "FILE")]
    pub file: String,

    /// Treat the file as this kind instead of detecting `inputs` / `outputs`.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,

    /// Show every nested table in full below the grid.
    #[arg(long)]
    pub expand: bool,

    /// Show only record N (1-based), vertically, with its tables.
    #[arg(long, value_name = "N")]
    pub record: Option<usize>,

    /// Width to fit (default: the terminal's, or COLUMNS; no limit when not a terminal).
    #[arg(long, value_name = "N")]
    pub width: Option<usize>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ShowFormat::Table, value_name = "FORMAT")]
    pub format: ShowFormat,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
