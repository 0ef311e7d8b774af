//! The command line: clap definitions only. No I/O happens here; `cmd::*` turn these into settings.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// xconn — build, check and read Coherent Spark XConnector request and response bodies.
#[derive(Debug, Parser)]
#[command(name = "xconn", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// When to use color: auto (terminal and no NO_COLOR), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub(crate) color: ColorChoice,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Convert CSV / JSON objects / NDJSON into an `inputs` body, and bodies back to objects or CSV.
    #[command(after_help = CONVERT_AFTER_HELP)]
    Convert(ConvertArgs),
    /// Check request and response bodies: JSON Schema plus the rules a schema cannot say.
    #[command(after_help = VALIDATE_AFTER_HELP)]
    Validate(ValidateArgs),
    /// Print the JSON Schema (draft 2020-12) the validator uses, or an OpenAPI 3.1 document.
    #[command(after_help = SCHEMA_AFTER_HELP)]
    Schema(SchemaArgs),
    /// Render a request or response body as terminal tables.
    #[command(after_help = SHOW_AFTER_HELP)]
    Show(ShowArgs),
    /// Print a shell completion script.
    #[command(after_help = COMPLETIONS_AFTER_HELP)]
    Completions(CompletionsArgs),
    /// Send a body to a service with the bearer token, and print the answer.
    #[command(after_help = CALL_AFTER_HELP)]
    Call(Box<CallArgs>),
    /// Show the claims of the token `call` would send (never the token itself).
    #[command(after_help = TOKEN_AFTER_HELP)]
    Token(TokenArgs),
    /// Run a local XConnector remote service: echo, a fixture, or a command per request.
    #[command(after_help = SERVE_AFTER_HELP)]
    Serve(Box<ServeArgs>),
    /// Print the man page (roff), as checked in at `completions/xconn.1`.
    #[command(hide = true)]
    Man,
    /// Test a remote service: fixed, generated, negative, metamorphic, auth and transport probes.
    #[command(after_help = CHECK_AFTER_HELP)]
    Check(Box<CheckArgs>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Which body a document is: a request (`inputs`) or a response (`outputs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum KindArg {
    Request,
    Response,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SourceFormat {
    Csv,
    Json,
    Ndjson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TargetFormat {
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
pub(crate) enum TypesMode {
    /// Integers, decimals, booleans and null (empty cell) are recognised; the rest are strings.
    Infer,
    /// Every CSV value stays a string (empty cells too).
    String,
}

/// The examples and exit codes below `convert --help`.
pub(crate) const CONVERT_AFTER_HELP: &str = "\
Examples:
  xconn convert people.csv -o request.json
  xconn convert fixtures/courses-nested.csv --nest
  xconn convert request.json --to csv --nest

Exit codes:
  0  converted
  1  the input was read but is invalid or cannot be converted (the message names line and column)
  2  usage error, unreadable input, or a failure writing the output";

#[derive(Debug, Args)]
pub(crate) struct ConvertArgs {
    /// Input file, or `-` for standard input.
    #[arg(value_name = "FILE")]
    pub(crate) input: String,

    /// Target format; `body` for CSV/objects sources, `json` when the source is a body.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub(crate) to: Option<TargetFormat>,

    /// Which body to build: a request (`inputs`, the default) or a response (`outputs`, with
    /// empty warnings/errors and process_time). With a body as input it must name that body's kind.
    #[arg(long, value_enum)]
    pub(crate) kind: Option<KindArg>,

    /// Write to FILE (atomically: a temp file renamed into place) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<String>,

    /// One line of JSON.
    #[arg(long, conflicts_with = "pretty")]
    pub(crate) compact: bool,

    /// Fully indented JSON.
    #[arg(long)]
    pub(crate) pretty: bool,

    #[command(flatten)]
    pub(crate) data: DataArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// `file:line:col: error[XC…]: message`
    Text,
    /// One JSON document for scripts.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…,col=…::…`).
    Github,
    /// SARIF 2.1.0 for code-scanning upload.
    Sarif,
}

/// The examples and exit codes below `validate --help`.
pub(crate) const VALIDATE_AFTER_HELP: &str = "\
Examples:
  xconn validate request.json response.json
  xconn validate --against request.json --strict response.json
  xconn validate --format github bodies/*.json
  xconn validate --list-rules

Exit codes:
  0  every file is valid (warnings allowed unless --strict)
  1  at least one file is invalid
  2  usage error, or a file that cannot be read (the other files are still checked)";

#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// Body files to check; `-` reads standard input.
    #[arg(value_name = "FILE", required_unless_present = "list_rules")]
    pub(crate) files: Vec<String>,

    /// Print every rule (id, severity, what it means) and check nothing; `--format text|json`.
    #[arg(long, conflicts_with_all = ["files", "kind", "against", "strict"])]
    pub(crate) list_rules: bool,

    /// Treat every file as this kind instead of detecting `inputs` / `outputs`.
    #[arg(long, value_enum)]
    pub(crate) kind: Option<KindArg>,

    /// For responses: the request they answer; output records must match its input records.
    #[arg(long, value_name = "REQUEST")]
    pub(crate) against: Option<String>,

    /// Warnings fail the run too.
    #[arg(long)]
    pub(crate) strict: bool,

    /// Report format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text, value_name = "FORMAT")]
    pub(crate) format: ReportFormat,
}

/// The examples and exit codes below `schema --help`.
pub(crate) const SCHEMA_AFTER_HELP: &str = "\
Examples:
  xconn schema request > request.schema.json
  xconn schema response > response.schema.json
  xconn schema openapi --sample request.json --url https://svc.example/run > openapi.json

Exit codes:
  0  printed
  2  usage error (an unreadable or invalid --sample, a bad --url), or a failure writing the output";

#[derive(Debug, Args)]
pub(crate) struct SchemaArgs {
    /// Which schema to print: a body's JSON Schema, or an OpenAPI 3.1 document for a service.
    #[arg(value_enum)]
    pub(crate) kind: SchemaKind,

    /// (openapi) A request body the service understands: the request schema gets its columns.
    #[arg(long, value_name = "BODY")]
    pub(crate) sample: Option<String>,

    /// (openapi) The service URL: its origin is the server, its path the operation's.
    #[arg(long, value_name = "URL")]
    pub(crate) url: Option<String>,
}

/// What `xconn schema` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SchemaKind {
    /// The JSON Schema of a request body.
    Request,
    /// The JSON Schema of a response body.
    Response,
    /// An OpenAPI 3.1 document for the remote service.
    Openapi,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ShowFormat {
    /// Terminal tables.
    Table,
    /// GitHub-flavoured markdown tables.
    Markdown,
    /// Flattened records as CSV.
    Csv,
    /// The normalized body as JSON.
    Json,
}

/// The examples and exit codes below `show --help`.
pub(crate) const SHOW_AFTER_HELP: &str = "\
Examples:
  xconn show fixtures/response-example2-with-warnings.json
  xconn show response.json --record 3
  xconn show response.json --format markdown > comment.md

Exit codes:
  0  rendered
  1  the body is not valid JSON or breaks the format (rendered as far as it can be; the
     validator's diagnostics go to standard error)
  2  usage error (no FILE and standard input a terminal, --record out of range), unreadable file";

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// Body file, or `-` for standard input (the default when standard input is not a terminal).
    #[arg(value_name = "FILE")]
    pub(crate) file: Option<String>,

    /// Treat the file as this kind instead of detecting `inputs` / `outputs`.
    #[arg(long, value_enum)]
    pub(crate) kind: Option<KindArg>,

    /// Show every nested table in full below the grid.
    #[arg(long)]
    pub(crate) expand: bool,

    /// Show only record N (1-based), vertically, with its tables.
    #[arg(long, value_name = "N")]
    pub(crate) record: Option<usize>,

    /// Width to fit, at least 1 (default: the terminal's, or COLUMNS; no limit when not a terminal).
    #[arg(long, value_name = "N", value_parser = positive_width)]
    pub(crate) width: Option<usize>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ShowFormat::Table, value_name = "FORMAT")]
    pub(crate) format: ShowFormat,
}

/// `show --width N`: a whole number of at least 1 (0 fits nothing; a usage error, exit 2).
fn positive_width(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("a width of 0 fits nothing: give at least 1".to_string()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

/// The examples and exit codes below `completions --help`.
pub(crate) const COMPLETIONS_AFTER_HELP: &str = "\
The same scripts are checked in under completions/, with the man page completions/xconn.1.

Examples:
  xconn completions bash > ~/.local/share/bash-completion/completions/xconn
  xconn completions zsh > ~/.zfunc/_xconn
  xconn completions fish > ~/.config/fish/completions/xconn.fish

Exit codes:
  0  printed
  2  usage error (an unknown shell)";

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell to generate for.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

/// The exit codes of `call`, shown below its `--help`.
pub(crate) const CALL_AFTER_HELP: &str = "\
Token: read from XCONN_TOKEN, else CSPARK_BEARER_TOKEN, or --token-env NAME / --token-file PATH;
when none is given and --issuer URL (or --token-url URL) is, fetched by OAuth2 client credentials
(--client-id or CSPARK_CLIENT_ID / XCONN_CLIENT_ID; the secret from CSPARK_CLIENT_SECRET /
XCONN_CLIENT_SECRET or --client-secret-file) and cached under $XDG_CACHE_HOME/xconn until a minute
before it expires; a 401 fetches a new one and sends once more. -v says which token was used.
No option takes the token or the secret. Neither is ever printed: -v, --dry-run, --curl and errors
show `Bearer ***`, as they do for Cookie, Set-Cookie and headers whose name contains key, token or
secret.

Retries: on connection failures and HTTP 408, 429, 502, 503, 504 (never other 4xx, never after a
--timeout), with capped exponential backoff and jitter; Retry-After is honoured (capped at 60 s).
Redirects are followed only within the same origin (scheme, host, port), at most 5; 307 and 308
keep the method and body, a 301/302/303 is not followed for a POST (it would become a GET without
its body): an error names the status and the Location. -v shows every hop.

Exit codes:
  0  the service answered 2xx
  1  the request or the response breaks the format (or the answer is over --max-response-size)
  2  usage or local input error (unreadable body, token file or --cacert); the identity
     provider refused the client (invalid_client …) or gave no Bearer token
  3  network, TLS or timeout failure after the retries (with --batch-size: a batch failed so);
     the identity provider could not be reached
  4  the service answered with an HTTP status other than 2xx (with --batch-size: a batch did)
  5  the response is valid but some record carries errors
With --batch-size the merged response is written even when batches failed: each record of a
failed batch carries an error entry, so no record disappears.

Examples:
  XCONN_TOKEN=$(cat token) xconn call https://svc.example/run request.json
  CSPARK_CLIENT_SECRET=… xconn call https://svc.example/run request.json \
      --issuer https://keycloak.example/realms/tenant --client-id my-client
  xconn call https://svc.example/run people.csv --batch-size 200 --concurrency 8 -o response.json
  xconn call https://svc.example/run request.json --dry-run";

/// Where the bearer token comes from (shared by `call` and `token`).
#[derive(Debug, Args)]
pub(crate) struct TokenSourceArgs {
    /// Read the token from the environment variable NAME instead of XCONN_TOKEN /
    /// CSPARK_BEARER_TOKEN.
    #[arg(long, value_name = "NAME", conflicts_with = "token_file")]
    pub(crate) token_env: Option<String>,

    /// Read the token from a file (`-`: standard input). Surrounding whitespace and a leading
    /// `Bearer ` are trimmed.
    #[arg(long, value_name = "PATH")]
    pub(crate) token_file: Option<String>,
}

/// Getting the token by OAuth2 client credentials (shared by `call`, `check` and `token`). The
/// secret has no flag: it comes from the environment or a file.
#[derive(Debug, Args)]
pub(crate) struct ClientCredentialsArgs {
    /// Get a token by client credentials from this OpenID Connect issuer (its discovery document
    /// names the token endpoint), e.g. https://keycloak.example/realms/tenant. A token given
    /// directly (XCONN_TOKEN, CSPARK_BEARER_TOKEN, --token-env, --token-file) still wins.
    #[arg(long, value_name = "URL", conflicts_with = "token_url")]
    pub(crate) issuer: Option<String>,

    /// Get a token by client credentials from this token endpoint (no discovery).
    #[arg(long, value_name = "URL")]
    pub(crate) token_url: Option<String>,

    /// The client id (else CSPARK_CLIENT_ID or XCONN_CLIENT_ID).
    #[arg(long, value_name = "ID")]
    pub(crate) client_id: Option<String>,

    /// Read the client secret from this file (else CSPARK_CLIENT_SECRET or XCONN_CLIENT_SECRET;
    /// no option takes the secret itself).
    #[arg(long, value_name = "PATH")]
    pub(crate) client_secret_file: Option<String>,

    /// The scope to ask for (space-separated).
    #[arg(long, value_name = "SCOPE")]
    pub(crate) scope: Option<String>,

    /// How to send the secret; default: as the issuer's discovery document allows
    /// (client_secret_basic first).
    #[arg(long, value_enum, value_name = "METHOD")]
    pub(crate) auth_method: Option<AuthMethodArg>,
}

/// `--auth-method`, named as OAuth2 names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum AuthMethodArg {
    /// HTTP Basic authentication.
    #[value(name = "client_secret_basic")]
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    #[value(name = "client_secret_post")]
    ClientSecretPost,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CallFormat {
    /// The answer drawn as terminal tables, as `show` draws it (the default on a terminal).
    Table,
    /// The answer as GitHub-flavoured markdown tables.
    Markdown,
    /// The response body as indented JSON.
    Json,
    /// The response body exactly as received (the default when piped).
    Raw,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SummaryFormat {
    /// One line of text.
    Text,
    /// One JSON object, for scripts.
    Json,
}

/// How CSV, JSON objects and NDJSON are read (`convert`, and `call` converting a BODY on the fly).
#[derive(Debug, Args)]
pub(crate) struct DataArgs {
    /// Source format; by default taken from the file extension (.csv .tsv .json .ndjson .jsonl),
    /// then from the content.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub(crate) from: Option<SourceFormat>,

    /// CSV field delimiter (one byte; `\t` for tab). `.tsv` files default to tab.
    #[arg(short, long, value_name = "CHAR")]
    pub(crate) delimiter: Option<String>,

    /// How CSV cells get their JSON types.
    #[arg(long, value_enum, default_value_t = TypesMode::Infer, value_name = "MODE")]
    pub(crate) types: TypesMode,

    /// Force one column's type: COL=string|number|integer|boolean. Repeatable.
    #[arg(long = "type", value_name = "COL=TYPE")]
    pub(crate) type_overrides: Vec<String>,

    /// Turn nested JSON objects into dotted keys (`address.city`) instead of failing.
    #[arg(long)]
    pub(crate) flatten: bool,

    /// CSV columns named `Table.column` form a nested table `Table`; consecutive rows that agree on
    /// all other columns are one record. On output to CSV, tables are spread into such rows.
    #[arg(long)]
    pub(crate) nest: bool,

    /// Separator between table name and column name for `--nest` (default `.`).
    #[arg(long, value_name = "SEP")]
    pub(crate) nest_sep: Option<String>,

    /// Pad short CSV rows with null instead of failing (long rows still fail).
    #[arg(long)]
    pub(crate) allow_ragged: bool,

    /// Name every empty CSV header cell NAME followed by its column number (an R export's
    /// first header cell `""` with `--empty-header column` becomes `column1`); a name that then
    /// repeats another is an error.
    #[arg(long, value_name = "NAME")]
    pub(crate) empty_header: Option<String>,
}

/// How `call` and `check` shape a request: the method and extra headers.
#[derive(Debug, Args)]
pub(crate) struct RequestArgs {
    /// The HTTP method.
    #[arg(
        short = 'X',
        long = "method",
        default_value = "POST",
        value_name = "METHOD"
    )]
    pub(crate) method: String,

    /// Add a header, `Name: value`. Repeatable.
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub(crate) headers: Vec<String>,
}

/// TLS trust for `call` and `check`.
#[derive(Debug, Args)]
pub(crate) struct TlsArgs {
    /// Trust only the CA certificates in this PEM file.
    #[arg(long, value_name = "FILE")]
    pub(crate) cacert: Option<std::path::PathBuf>,

    /// Do not check TLS certificates (dangerous: the token can be read by anyone in between).
    #[arg(short = 'k', long)]
    pub(crate) insecure: bool,
}

#[derive(Debug, Args)]
pub(crate) struct CallArgs {
    /// The service URL (http or https).
    #[arg(value_name = "URL")]
    pub(crate) url: String,

    /// The request body file, or `-` for standard input; none sends an empty body.
    #[arg(value_name = "BODY")]
    pub(crate) body: Option<String>,

    #[command(flatten)]
    pub(crate) request: RequestArgs,

    #[command(flatten)]
    pub(crate) token: TokenSourceArgs,

    #[command(flatten)]
    pub(crate) credentials: ClientCredentialsArgs,

    /// Seconds one attempt may take in all: connecting, sending and reading the answer.
    #[arg(long, default_value = "60", value_name = "SECS", value_parser = parse_seconds)]
    pub(crate) timeout: std::time::Duration,

    /// Seconds connecting (TCP and TLS) may take.
    #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
    pub(crate) connect_timeout: Option<std::time::Duration>,

    /// Further attempts after a retryable failure.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub(crate) retries: u32,

    #[command(flatten)]
    pub(crate) tls: TlsArgs,

    /// Refuse an answer longer than this many bytes (suffixes K, M, G: powers of 1024).
    #[arg(long, default_value = "256M", value_name = "SIZE", value_parser = parse_size)]
    pub(crate) max_response_size: u64,

    /// Print the request that would be sent (token masked) and send nothing.
    #[arg(long, conflicts_with = "curl")]
    pub(crate) dry_run: bool,

    /// Print an equivalent curl command for bash or zsh (the same headers and body bytes; the
    /// shell reads the token from the same variable or file) and send nothing.
    #[arg(long)]
    pub(crate) curl: bool,

    /// Show the request and response headers on standard error (secrets masked).
    #[arg(short, long)]
    pub(crate) verbose: bool,

    /// Write the answer to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<String>,

    /// How to print the answer: `table` on a terminal, `raw` when piped.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub(crate) format: Option<CallFormat>,

    /// Send the request without checking it first (it is checked by default, and an invalid
    /// one is not sent).
    #[arg(long)]
    pub(crate) no_validate: bool,

    /// Split the records into requests of at most N records each (the header in every one),
    /// sent concurrently and merged into one response in input order.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) batch_size: Option<u64>,

    /// Requests in flight at once with --batch-size.
    #[arg(long, default_value_t = 4, value_name = "C", value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub(crate) concurrency: u64,

    /// The summary printed on standard error after batches: one line of text, or one JSON object.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text, value_name = "FORMAT")]
    pub(crate) summary: SummaryFormat,

    #[command(flatten)]
    pub(crate) data: DataArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TokenFormat {
    Text,
    Json,
}

/// The examples and exit codes below `token --help`.
pub(crate) const TOKEN_AFTER_HELP: &str = "\
Token: read from XCONN_TOKEN, else CSPARK_BEARER_TOKEN, or --token-env NAME / --token-file PATH;
else, with --issuer URL or --token-url URL, the one `call` gets by client credentials (cached;
--refresh fetches a new one, --forget removes the cached one).
Shown: where the token came from, issuer, realm, audience, subject, client and expiry, decoded
without a signature check; never the token or its signature. A token that is not a JWT is said to
have no claims.

Examples:
  xconn token
  xconn token --token-file ~/.config/spark/token --format json
  xconn token --issuer https://keycloak.example/realms/tenant --client-id my-client --refresh

Exit codes:
  0  printed (an expired token is warned about on standard error)
  2  no token found, an unreadable --token-file, or the identity provider refused the client
  3  the identity provider could not be reached";

#[derive(Debug, Args)]
pub(crate) struct TokenArgs {
    #[command(flatten)]
    pub(crate) token: TokenSourceArgs,

    #[command(flatten)]
    pub(crate) credentials: ClientCredentialsArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = TokenFormat::Text, value_name = "FORMAT")]
    pub(crate) format: TokenFormat,

    /// With --issuer / --token-url: fetch a new token even when the cached one is still good.
    #[arg(long, conflicts_with = "forget")]
    pub(crate) refresh: bool,

    /// With --issuer / --token-url: remove the cached token of this client and scope, and stop.
    #[arg(long)]
    pub(crate) forget: bool,
}

/// The details below `serve --help`.
pub(crate) const SERVE_AFTER_HELP: &str = "\
The first line on standard output is `listening on http://ADDR:PORT` (use --addr 127.0.0.1:0 for
a free port); standard error gets one line per request: time, method, path, status, records,
latency, request id (never a token). Ctrl-C or SIGTERM stops after the requests in flight.

Every request is checked as `xconn validate --kind request` checks it (a Content-Type other than
JSON: 415), and with --sample/--columns held to the service's columns before the handler runs.
Answers serve makes itself (400 invalid body or broken columns, 401, 405, 413, 415, 500 handler
failure, 503 --fail-rate, --status) are request-level
failures, as the spec's Example 3: {\"outputs\": [], \"warnings\": [null], \"errors\": [[{error_category,
error_type (the status), additional_details (`XC107 at /inputs/2 (line 3, column 5)`), source_path
(the JSON pointer), message}, …]], \"process_time\": [1]}.

Exit codes:
  0    stopped by Ctrl-C or SIGTERM (after the requests in flight, at most --grace seconds)
  1    the --fixture is not a valid response
  2    usage error, unreadable file, bad --jwks, unset --token-env variable, address in use, an
       --issuer without a usable discovery document or key set
  3    the --issuer could not be reached at start-up
  130  a second Ctrl-C or SIGTERM stopped it at once

Examples:
  xconn serve --echo --addr 127.0.0.1:8080
  xconn serve --echo --sample request.json
  xconn serve --exec 'python3 handler.py' --token-env SERVE_TOKEN
  xconn serve --fixture response.json --jwks jwks.json --issuer https://id.example/realms/acme
  xconn serve --echo --issuer https://keycloak.example/realms/tenant --audience my-service";

/// Exactly one handler answers valid requests.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("handler").required(true).args(["echo", "fixture", "exec"])))]
pub(crate) struct ServeArgs {
    /// Address to listen on (port 0: any free port, printed on the first line).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub(crate) addr: String,

    /// Answer with the request's inputs as outputs (no warnings or errors).
    #[arg(long)]
    pub(crate) echo: bool,

    /// Always answer with this response body (checked at start-up).
    #[arg(long, value_name = "FILE")]
    pub(crate) fixture: Option<String>,

    /// Run `sh -c CMD` per request: the body on its stdin, its stdout is the response.
    #[arg(long, value_name = "CMD")]
    pub(crate) exec: Option<String>,

    /// Seconds an --exec handler may run before it is killed and the request gets a 500.
    #[arg(long, default_value = "55", value_name = "SECS", value_parser = parse_seconds)]
    pub(crate) exec_timeout: std::time::Duration,

    /// Answer 413 to bodies longer than this (suffixes K, M, G: powers of 1024).
    #[arg(long, default_value = "64M", value_name = "SIZE", value_parser = parse_size)]
    pub(crate) max_body_size: u64,

    /// Kill an --exec handler that writes more than this to stdout; the request gets a 500.
    #[arg(long, default_value = "256M", value_name = "SIZE", value_parser = parse_size)]
    pub(crate) max_output_size: u64,

    /// After Ctrl-C or SIGTERM, seconds the requests in flight may take to finish (a client
    /// that never finishes sending cannot hold the server up longer).
    #[arg(long, default_value = "30", value_name = "SECS", value_parser = parse_seconds)]
    pub(crate) grace: std::time::Duration,

    /// Require `Authorization: Bearer $NAME` (the token in the variable NAME).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["jwks", "issuer"])]
    pub(crate) token_env: Option<String>,

    /// Require an RS256 or ES256 JWT of this issuer. Alone: its keys are found by OpenID Connect
    /// discovery (`URL/.well-known/openid-configuration` → `jwks_uri`) and cached; with --jwks:
    /// the exact `iss` tokens must carry.
    #[arg(long, value_name = "URL")]
    pub(crate) issuer: Option<String>,

    /// With --issuer: take the keys from this JWKS file instead (offline; keys chosen by `kid`).
    #[arg(long, value_name = "FILE", requires = "issuer")]
    pub(crate) jwks: Option<String>,

    /// With --issuer: an `aud` tokens must include.
    #[arg(long, value_name = "AUD", requires = "issuer")]
    pub(crate) audience: Option<String>,

    /// With --issuer: seconds of clock difference allowed on `exp` and `nbf`.
    #[arg(long, default_value_t = 30, value_name = "SECONDS", requires = "issuer", value_parser = clap::value_parser!(u32).range(0..=3600))]
    pub(crate) leeway: u32,

    /// Wait before answering: MS, or a random time in MIN-MAX (milliseconds).
    #[arg(long, value_name = "MS|MIN-MAX", value_parser = parse_delay)]
    pub(crate) delay: Option<(u64, u64)>,

    /// Answer this share of requests (0 to 1) with 503.
    #[arg(long, value_name = "P", value_parser = parse_rate)]
    pub(crate) fail_rate: Option<f64>,

    /// Answer with this status: a 2xx keeps the handler's body, any other gets an error body.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(200..=599))]
    pub(crate) status: Option<u16>,

    /// Hold requests to this sample request's columns and the kinds its values show (as `check
    /// --sample` infers them): a missing or unknown column or a value of the wrong kind is a 400
    /// naming it, before the handler runs.
    #[arg(long, value_name = "FILE")]
    pub(crate) sample: Option<String>,

    /// Hold requests to the columns and kinds of this file (the `check --columns` format: {"name":
    /// "integer"|"decimal"|"string"|"boolean"|"any"|{nested}}), over the --sample's.
    #[arg(long, value_name = "FILE")]
    pub(crate) columns: Option<String>,
}

/// `250` or `100-500`: a delay in milliseconds, or a range to draw from.
pub(crate) fn parse_delay(text: &str) -> Result<(u64, u64), String> {
    let bad = || format!("`{text}` is not a delay: MS or MIN-MAX (milliseconds)");
    let number = |t: &str| t.trim().parse::<u64>().ok().filter(|&n| n <= 3_600_000);
    match text.split_once('-') {
        Some((min, max)) => match (number(min), number(max)) {
            (Some(min), Some(max)) if min <= max => Ok((min, max)),
            _ => Err(bad()),
        },
        None => number(text).map(|n| (n, n)).ok_or_else(bad),
    }
}

/// A share between 0 and 1.
pub(crate) fn parse_rate(text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|p| (0.0..=1.0).contains(p))
        .ok_or_else(|| format!("`{text}` is not a rate between 0 and 1"))
}

/// `60`, `1.5`, `500ms`, `2s`, `1m`: a duration (plain numbers are seconds).
pub(crate) fn parse_seconds(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    let (number, scale) = if let Some(n) = t.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = t.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = t.strip_suffix('m') {
        (n, 60.0)
    } else {
        (t, 1.0)
    };
    number
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n > 0.0 && n * scale < 1e9)
        .map(|n| std::time::Duration::from_secs_f64(n * scale))
        .ok_or_else(|| format!("`{text}` is not a positive duration (seconds, or 500ms, 2s, 1m)"))
}

/// `1048576`, `512K`, `256M`, `1G`: a size in bytes (suffixes are powers of 1024).
pub(crate) fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (number, scale) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let scale = match c.to_ascii_uppercase() {
                'B' => 1,
                'K' => 1 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                _ => 0,
            };
            (&t[..i], scale)
        }
        _ => (t, 1),
    };
    number
        .trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("`{text}` is not a size (bytes, or with K, M, G)"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CheckFormat {
    /// One line per probe.
    Text,
    /// One JSON object.
    Json,
    /// JUnit XML, for CI test reports.
    Junit,
    /// A markdown table, for pull-request comments.
    Markdown,
}

pub(crate) const CHECK_AFTER_HELP: &str = "\
Groups: conformance (the fixed probes, --cases generated requests, latency), robustness (bodies
Spark never sends: each needs a 4xx, a request-level failure or an error entry), metamorphic
(determinism, batch-independence, order-independence), auth (no token, forged tokens: 401/403),
transport (HTTPS, TLS version, certificate expiry). Generated requests follow the sample's column
kinds (or --columns FILE); each failure is shrunk, and --save-failures DIR writes its body and a
replay.sh of `xconn call` lines. The seed is printed in every report: --seed repeats a run.

Examples:
  xconn check https://svc.example/run --sample request.json
  xconn check http://127.0.0.1:8080/ --sample request.json --cases 1000 --seed 7 --save-failures failures/
  xconn check http://127.0.0.1:8080/ --sample request.json --ignore '/outputs/*/3' --skip order-independence
  xconn check http://127.0.0.1:8080/ --sample request.json --budget 60s --format junit > check.xml

Budgets: --budget and --max-requests bound every request of the run, cheapest probes first;
what they leave out is skipped with the reason, and the report says how many cases ran.

Exit codes: 0 no probe failed and a probe that sends records ran (or --allow-skips; budget skips
do not fail a run); 1 a probe failed, or every probe that sends records was skipped (no --sample,
or a budget spent before any answer); 2 usage or local input error (an
unreadable or invalid --sample or --columns, an unknown --skip name, a bad --ignore pointer).";

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The service URL (http or https).
    #[arg(value_name = "URL")]
    pub(crate) url: String,

    /// A request body the service understands; the probes are built from it.
    #[arg(long, value_name = "BODY")]
    pub(crate) sample: Option<String>,

    /// Send the sample N more times and report p50/p95/p99 latency.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub(crate) repeat: usize,

    /// Fail `repeat` and `latency` (the generated cases) when their p95 is above MS milliseconds.
    #[arg(long, value_name = "MS")]
    pub(crate) p95: Option<u64>,

    /// A JSON file of column name → kind (integer, decimal, string, boolean, any, or an object
    /// for a nested table), over the kinds inferred from the sample.
    #[arg(long, value_name = "FILE")]
    pub(crate) columns: Option<String>,

    /// Generated requests to send.
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub(crate) cases: usize,

    /// Seed of the generated requests (default: a random one, printed in the report).
    #[arg(long, value_name = "S")]
    pub(crate) seed: Option<u64>,

    /// The most records in one generated request.
    #[arg(long, default_value_t = 1000, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub(crate) max_records: u64,

    /// Leave this JSON Pointer out when answers are compared (`*` for any index). Repeatable.
    #[arg(long, value_name = "POINTER")]
    pub(crate) ignore: Vec<String>,

    /// Do not run this probe, property or group (e.g. order-independence, auth). Repeatable.
    ///
    /// What it skips is still reported, as "skipped by --skip".
    #[arg(long, value_name = "NAME")]
    pub(crate) skip: Vec<String>,

    /// Bound the whole run to this long (e.g. 60s, 5m); what it does not reach is skipped.
    ///
    /// Nothing is sent after it, and a request in flight at the deadline is cut there. The cheap
    /// probes run first (fixed, robustness, auth), then batch-1000 and repeat, the generated
    /// cases, shrinking; what the budget does not reach is skipped ("skipped: --budget 60s
    /// spent"), never failed.
    #[arg(long, value_name = "DURATION", value_parser = parse_seconds)]
    pub(crate) budget: Option<std::time::Duration>,

    /// Send at most N requests in the whole run; what it does not reach is skipped.
    ///
    /// Every probe, generated case, metamorphic and shrinking request counts, under any
    /// --concurrency, in the order of --budget — each HTTP request: every retry, redirect hop
    /// and resend with a refreshed token; what is not sent is skipped ("skipped: --max-requests
    /// N reached"), never failed.
    #[arg(long, value_name = "N")]
    pub(crate) max_requests: Option<usize>,

    /// Generated cases in flight at once.
    #[arg(long, default_value_t = 4, value_name = "C", value_parser = clap::value_parser!(u64).range(1..=256))]
    pub(crate) concurrency: u64,

    /// Write each shrunk failing body and a replay.sh of `xconn call` lines into DIR.
    #[arg(long, value_name = "DIR")]
    pub(crate) save_failures: Option<String>,

    /// Warn when the HTTPS certificate expires within this many days.
    #[arg(long, default_value_t = 14, value_name = "DAYS")]
    pub(crate) cert_days: u32,

    /// Exit 0 even when every probe that sends records was skipped (no --sample, or a budget
    /// spent before any answer). Without it such a run exits 1: nothing about the service's
    /// answers was checked.
    #[arg(long)]
    pub(crate) allow_skips: bool,

    /// How to print the scorecard.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text, value_name = "FORMAT")]
    pub(crate) format: CheckFormat,

    #[command(flatten)]
    pub(crate) request: RequestArgs,

    #[command(flatten)]
    pub(crate) token: TokenSourceArgs,

    #[command(flatten)]
    pub(crate) credentials: ClientCredentialsArgs,

    /// Seconds one attempt may take in all (above Spark's 55 s so slow answers are seen); the
    /// TLS probe's whole handshake too (through a proxy: connecting, CONNECT and the handshake).
    #[arg(long, default_value = "60", value_name = "SECS", value_parser = parse_seconds)]
    pub(crate) timeout: std::time::Duration,

    /// Further attempts after a retryable failure (0: each probe is one request).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub(crate) retries: u32,

    #[command(flatten)]
    pub(crate) tls: TlsArgs,

    /// Write the scorecard to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) output: Option<String>,
}
