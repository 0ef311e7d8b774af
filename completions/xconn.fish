# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_xconn_global_optspecs
    string join \n color= h/help V/version
end

function __fish_xconn_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_xconn_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_xconn_using_subcommand
    set -l cmd (__fish_xconn_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c xconn -n "__fish_xconn_needs_command" -l color -d 'When to use color: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c xconn -n "__fish_xconn_needs_command" -s h -l help -d 'Print help'
complete -c xconn -n "__fish_xconn_needs_command" -s V -l version -d 'Print version'
complete -c xconn -n "__fish_xconn_needs_command" -f -a "convert" -d 'Convert CSV / JSON objects / NDJSON into an `inputs` body, and bodies back to objects or CSV'
complete -c xconn -n "__fish_xconn_needs_command" -f -a "validate" -d 'Check request and response bodies: JSON Schema plus the rules a schema cannot say'
complete -c xconn -n "__fish_xconn_needs_command" -f -a "schema" -d 'Print the JSON Schema (draft 2020-12) the validator uses, or an OpenAPI 3.1 document'
complete -c xconn -n "__fish_xconn_needs_command" -f -a "show" -d 'Render a request or response body as terminal tables'
complete -c xconn -n "__fish_xconn_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c xconn -n "__fish_xconn_needs_command" -f -a "call" -d 'Send a body to a service with the bearer token, and print the answer'
complete -c xconn -n "__fish_xconn_needs_command" -f -a "token" -d 'Show the claims of the token `call` would send (never the token itself)'
complete -c xconn -n "__fish_xconn_needs_command" -f -a "serve" -d 'Run a local XConnector remote service: echo, a fixture, or a command per request'
complete -c xconn -n "__fish_xconn_needs_command" -f -a "man" -d 'Print the man page (roff), as checked in at `completions/xconn.1`'
complete -c xconn -n "__fish_xconn_needs_command" -f -a "check" -d 'Test a remote service: fixed, generated, negative, metamorphic, auth and transport probes'
complete -c xconn -n "__fish_xconn_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c xconn -n "__fish_xconn_using_subcommand convert" -l to -d 'Target format; `body` for CSV/objects sources, `json` when the source is a body' -r -f -a "body\t'The XConnector body (`{"inputs": …}`); the default for CSV / objects sources'
json\t'An array of objects; the default when the source is a body'
ndjson\t'One object per line'
csv\t'Flat CSV rows (nested tables need `--nest`)'"
complete -c xconn -n "__fish_xconn_using_subcommand convert" -l kind -d 'Which body to build: a request (`inputs`, the default) or a response (`outputs`, with empty warnings/errors and process_time). With a body as input it must name that body\'s kind' -r -f -a "request\t''
response\t''"
complete -c xconn -n "__fish_xconn_using_subcommand convert" -s o -l output -d 'Write to FILE (atomically: a temp file renamed into place) instead of standard output' -r
complete -c xconn -n "__fish_xconn_using_subcommand convert" -l from -d 'Source format; by default taken from the file extension (.csv .tsv .json .ndjson .jsonl), then from the content' -r -f -a "csv\t''
json\t''
ndjson\t''"
complete -c xconn -n "__fish_xconn_using_subcommand convert" -s d -l delimiter -d 'CSV field delimiter (one byte; `\\t` for tab). `.tsv` files default to tab' -r
complete -c xconn -n "__fish_xconn_using_subcommand convert" -l types -d 'How CSV cells get their JSON types' -r -f -a "infer\t'Integers, decimals, booleans and null (empty cell) are recognised; the rest are strings'
string\t'Every CSV value stays a string (empty cells too)'"
complete -c xconn -n "__fish_xconn_using_subcommand convert" -l type -d 'Force one column\'s type: COL=string|number|integer|boolean. Repeatable' -r
complete -c xconn -n "__fish_xconn_using_subcommand convert" -l nest-sep -d 'Separator between table name and column name for `--nest` (default `.`)' -r
complete -c xconn -n "__fish_xconn_using_subcommand convert" -l empty-header -d 'Name every empty CSV header cell NAME followed by its column number (an R export\'s first header cell `""` with `--empty-header column` becomes `column1`); a name that then repeats another is an error' -r
complete -c xconn -n "__fish_xconn_using_subcommand convert" -l color -d 'When to use color: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c xconn -n "__fish_xconn_using_subcommand convert" -l compact -d 'One line of JSON'
complete -c xconn -n "__fish_xconn_using_subcommand convert" -l pretty -d 'Fully indented JSON'
complete -c xconn -n "__fish_xconn_using_subcommand convert" -l flatten -d 'Turn nested JSON objects into dotted keys (`address.city`) instead of failing'
complete -c xconn -n "__fish_xconn_using_subcommand convert" -l nest -d 'CSV columns named `Table.column` form a nested table `Table`; consecutive rows that agree on all other columns are one record. On output to CSV, tables are spread into such rows'
complete -c xconn -n "__fish_xconn_using_subcommand convert" -l allow-ragged -d 'Pad short CSV rows with null instead of failing (long rows still fail)'
complete -c xconn -n "__fish_xconn_using_subcommand convert" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xconn -n "__fish_xconn_using_subcommand convert" -s V -l version -d 'Print version'
complete -c xconn -n "__fish_xconn_using_subcommand validate" -l kind -d 'Treat every file as this kind instead of detecting `inputs` / `outputs`' -r -f -a "request\t''
response\t''"
complete -c xconn -n "__fish_xconn_using_subcommand validate" -l against -d 'For responses: the request they answer; output records must match its input records' -r
complete -c xconn -n "__fish_xconn_using_subcommand validate" -l format -d 'Report format' -r -f -a "text\t'`file:line:col: error[XC…]: message`'
json\t'One JSON document for scripts'
github\t'GitHub Actions workflow commands (`::error file=…,line=…,col=…::…`)'
sarif\t'SARIF 2.1.0 for code-scanning upload'"
complete -c xconn -n "__fish_xconn_using_subcommand validate" -l color -d 'When to use color: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c xconn -n "__fish_xconn_using_subcommand validate" -l list-rules -d 'Print every rule (id, severity, what it means) and check nothing; `--format text|json`'
complete -c xconn -n "__fish_xconn_using_subcommand validate" -l strict -d 'Warnings fail the run too'
complete -c xconn -n "__fish_xconn_using_subcommand validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xconn -n "__fish_xconn_using_subcommand validate" -s V -l version -d 'Print version'
complete -c xconn -n "__fish_xconn_using_subcommand schema" -l sample -d '(openapi) A request body the service understands: the request schema gets its columns' -r
complete -c xconn -n "__fish_xconn_using_subcommand schema" -l url -d '(openapi) The service URL: its origin is the server, its path the operation\'s' -r
complete -c xconn -n "__fish_xconn_using_subcommand schema" -l color -d 'When to use color: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c xconn -n "__fish_xconn_using_subcommand schema" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xconn -n "__fish_xconn_using_subcommand schema" -s V -l version -d 'Print version'
complete -c xconn -n "__fish_xconn_using_subcommand show" -l kind -d 'Treat the file as this kind instead of detecting `inputs` / `outputs`' -r -f -a "request\t''
response\t''"
complete -c xconn -n "__fish_xconn_using_subcommand show" -l record -d 'Show only record N (1-based), vertically, with its tables' -r
complete -c xconn -n "__fish_xconn_using_subcommand show" -l width -d 'Width to fit, at least 1 (default: the terminal\'s, or COLUMNS; no limit when not a terminal)' -r
complete -c xconn -n "__fish_xconn_using_subcommand show" -l format -d 'Output format' -r -f -a "table\t'Terminal tables'
markdown\t'GitHub-flavoured markdown tables'
csv\t'Flattened records as CSV'
json\t'The normalized body as JSON'"
complete -c xconn -n "__fish_xconn_using_subcommand show" -l color -d 'When to use color: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c xconn -n "__fish_xconn_using_subcommand show" -l expand -d 'Show every nested table in full below the grid'
complete -c xconn -n "__fish_xconn_using_subcommand show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xconn -n "__fish_xconn_using_subcommand show" -s V -l version -d 'Print version'
complete -c xconn -n "__fish_xconn_using_subcommand completions" -l color -d 'When to use color: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c xconn -n "__fish_xconn_using_subcommand completions" -s h -l help -d 'Print help'
complete -c xconn -n "__fish_xconn_using_subcommand completions" -s V -l version -d 'Print version'
complete -c xconn -n "__fish_xconn_using_subcommand call" -s X -l method -d 'The HTTP method' -r
complete -c xconn -n "__fish_xconn_using_subcommand call" -s H -l header -d 'Add a header, `Name: value`. Repeatable' -r
complete -c xconn -n "__fish_xconn_using_subcommand call" -l token-env -d 'Read the token from the environment variable NAME instead of XCONN_TOKEN / CSPARK_BEARER_TOKEN' -r
complete -c xconn -n "__fish_xconn_using_subcommand call" -l token-file -d 'Read the token from a file (`-`: standard input). Surrounding whitespace and a leading `Bearer ` are trimmed' -r
complete -c xconn -n "__fish_xconn_using_subcommand call" -l issuer -d 'Get a token by client credentials from this OpenID Connect issuer (its discovery document names the token endpoint), e.g. https://keycloak.example/realms/tenant. A token given directly (XCONN_TOKEN, CSPARK_BEARER_TOKEN, --token-env, --token-file) still wins' -r
complete -c xconn -n "__fish_xconn_using_subcommand call" -l token-url -d 'Get a token by client credentials from this token endpoint (no discovery)' -r
complete -c xconn -n "__fish_xconn_using_subcommand call" -l client-id -d 'The client id (else CSPARK_CLIENT_ID or XCONN_CLIENT_ID)' -r
complete -c xconn -n "__fish_xconn_using_subcommand call" -l client-secret-file -d 'Read the client secret from this file (else CSPARK_CLIENT_SECRET or XCONN_CLIENT_SECRET; no option takes the secret itself)' -r
complete -c xconn -n "__fish_xconn_using_subcommand call" -l scope -d 'The scope to ask for (space-separated)' -r
complete -c xconn -n "__fish_xconn_using_subcommand call" -l auth-method -d 'How to send the secret; default: as the issuer\'s discovery document allows (client_secret_basic first)' -r -f -a "client_secret_basic\t'HTTP Basic authentication'
client_secret_post\t'`client_id` and `client_secret` in the form body'"
complete -c xconn -n "__fish_xconn_using_subcommand call" -l timeout -d 'Seconds one attempt may take in all: connecting, sending and reading the answer' -r
complete -c xconn -n "__fish_xconn_using_subcommand call" -l connect-timeout -d 'Seconds connecting (TCP and TLS) may take' -r
complete -c xconn -n "__fish_xconn_using_subcommand call" -l retries -d 'Further attempts after a retryable failure' -r
complete -c xconn -n "__fish_xconn_using_subcommand call" -l cacert -d 'Trust only the CA certificates in this PEM file' -r -F
complete -c xconn -n "__fish_xconn_using_subcommand call" -l max-response-size -d 'Refuse an answer longer than this many bytes (suffixes K, M, G: powers of 1024)' -r
complete -c xconn -n "__fish_xconn_using_subcommand call" -s o -l output -d 'Write the answer to FILE (atomically) instead of standard output' -r
complete -c xconn -n "__fish_xconn_using_subcommand call" -l format -d 'How to print the answer: `table` on a terminal, `raw` when piped' -r -f -a "table\t'The answer drawn as terminal tables, as `show` draws it (the default on a terminal)'
markdown\t'The answer as GitHub-flavoured markdown tables'
json\t'The response body as indented JSON'
raw\t'The response body exactly as received (the default when piped)'"
complete -c xconn -n "__fish_xconn_using_subcommand call" -l batch-size -d 'Split the records into requests of at most N records each (the header in every one), sent concurrently and merged into one response in input order' -r
complete -c xconn -n "__fish_xconn_using_subcommand call" -l concurrency -d 'Requests in flight at once with --batch-size' -r
complete -c xconn -n "__fish_xconn_using_subcommand call" -l summary -d 'The summary printed on standard error after batches: one line of text, or one JSON object' -r -f -a "text\t'One line of text'
json\t'One JSON object, for scripts'"
complete -c xconn -n "__fish_xconn_using_subcommand call" -l from -d 'Source format; by default taken from the file extension (.csv .tsv .json .ndjson .jsonl), then from the content' -r -f -a "csv\t''
json\t''
ndjson\t''"
complete -c xconn -n "__fish_xconn_using_subcommand call" -s d -l delimiter -d 'CSV field delimiter (one byte; `\\t` for tab). `.tsv` files default to tab' -r
complete -c xconn -n "__fish_xconn_using_subcommand call" -l types -d 'How CSV cells get their JSON types' -r -f -a "infer\t'Integers, decimals, booleans and null (empty cell) are recognised; the rest are strings'
string\t'Every CSV value stays a string (empty cells too)'"
complete -c xconn -n "__fish_xconn_using_subcommand call" -l type -d 'Force one column\'s type: COL=string|number|integer|boolean. Repeatable' -r
complete -c xconn -n "__fish_xconn_using_subcommand call" -l nest-sep -d 'Separator between table name and column name for `--nest` (default `.`)' -r
complete -c xconn -n "__fish_xconn_using_subcommand call" -l empty-header -d 'Name every empty CSV header cell NAME followed by its column number (an R export\'s first header cell `""` with `--empty-header column` becomes `column1`); a name that then repeats another is an error' -r
complete -c xconn -n "__fish_xconn_using_subcommand call" -l color -d 'When to use color: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c xconn -n "__fish_xconn_using_subcommand call" -s k -l insecure -d 'Do not check TLS certificates (dangerous: the token can be read by anyone in between)'
complete -c xconn -n "__fish_xconn_using_subcommand call" -l dry-run -d 'Print the request that would be sent (token masked) and send nothing'
complete -c xconn -n "__fish_xconn_using_subcommand call" -l curl -d 'Print an equivalent curl command for bash or zsh (the same headers and body bytes; the shell reads the token from the same variable or file) and send nothing'
complete -c xconn -n "__fish_xconn_using_subcommand call" -s v -l verbose -d 'Show the request and response headers on standard error (secrets masked)'
complete -c xconn -n "__fish_xconn_using_subcommand call" -l no-validate -d 'Send the request without checking it first (it is checked by default, and an invalid one is not sent)'
complete -c xconn -n "__fish_xconn_using_subcommand call" -l flatten -d 'Turn nested JSON objects into dotted keys (`address.city`) instead of failing'
complete -c xconn -n "__fish_xconn_using_subcommand call" -l nest -d 'CSV columns named `Table.column` form a nested table `Table`; consecutive rows that agree on all other columns are one record. On output to CSV, tables are spread into such rows'
complete -c xconn -n "__fish_xconn_using_subcommand call" -l allow-ragged -d 'Pad short CSV rows with null instead of failing (long rows still fail)'
complete -c xconn -n "__fish_xconn_using_subcommand call" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xconn -n "__fish_xconn_using_subcommand call" -s V -l version -d 'Print version'
complete -c xconn -n "__fish_xconn_using_subcommand token" -l token-env -d 'Read the token from the environment variable NAME instead of XCONN_TOKEN / CSPARK_BEARER_TOKEN' -r
complete -c xconn -n "__fish_xconn_using_subcommand token" -l token-file -d 'Read the token from a file (`-`: standard input). Surrounding whitespace and a leading `Bearer ` are trimmed' -r
complete -c xconn -n "__fish_xconn_using_subcommand token" -l issuer -d 'Get a token by client credentials from this OpenID Connect issuer (its discovery document names the token endpoint), e.g. https://keycloak.example/realms/tenant. A token given directly (XCONN_TOKEN, CSPARK_BEARER_TOKEN, --token-env, --token-file) still wins' -r
complete -c xconn -n "__fish_xconn_using_subcommand token" -l token-url -d 'Get a token by client credentials from this token endpoint (no discovery)' -r
complete -c xconn -n "__fish_xconn_using_subcommand token" -l client-id -d 'The client id (else CSPARK_CLIENT_ID or XCONN_CLIENT_ID)' -r
complete -c xconn -n "__fish_xconn_using_subcommand token" -l client-secret-file -d 'Read the client secret from this file (else CSPARK_CLIENT_SECRET or XCONN_CLIENT_SECRET; no option takes the secret itself)' -r
complete -c xconn -n "__fish_xconn_using_subcommand token" -l scope -d 'The scope to ask for (space-separated)' -r
complete -c xconn -n "__fish_xconn_using_subcommand token" -l auth-method -d 'How to send the secret; default: as the issuer\'s discovery document allows (client_secret_basic first)' -r -f -a "client_secret_basic\t'HTTP Basic authentication'
client_secret_post\t'`client_id` and `client_secret` in the form body'"
complete -c xconn -n "__fish_xconn_using_subcommand token" -l format -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c xconn -n "__fish_xconn_using_subcommand token" -l color -d 'When to use color: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c xconn -n "__fish_xconn_using_subcommand token" -l refresh -d 'With --issuer / --token-url: fetch a new token even when the cached one is still good'
complete -c xconn -n "__fish_xconn_using_subcommand token" -l forget -d 'With --issuer / --token-url: remove the cached token of this client and scope, and stop'
complete -c xconn -n "__fish_xconn_using_subcommand token" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xconn -n "__fish_xconn_using_subcommand token" -s V -l version -d 'Print version'
complete -c xconn -n "__fish_xconn_using_subcommand serve" -l addr -d 'Address to listen on (port 0: any free port, printed on the first line)' -r
complete -c xconn -n "__fish_xconn_using_subcommand serve" -l fixture -d 'Always answer with this response body (checked at start-up)' -r
complete -c xconn -n "__fish_xconn_using_subcommand serve" -l exec -d 'Run `sh -c CMD` per request: the body on its stdin, its stdout is the response' -r
complete -c xconn -n "__fish_xconn_using_subcommand serve" -l exec-timeout -d 'Seconds an --exec handler may run before it is killed and the request gets a 500' -r
complete -c xconn -n "__fish_xconn_using_subcommand serve" -l max-body-size -d 'Answer 413 to bodies longer than this (suffixes K, M, G: powers of 1024)' -r
complete -c xconn -n "__fish_xconn_using_subcommand serve" -l max-output-size -d 'Kill an --exec handler that writes more than this to stdout; the request gets a 500' -r
complete -c xconn -n "__fish_xconn_using_subcommand serve" -l grace -d 'After Ctrl-C or SIGTERM, seconds the requests in flight may take to finish (a client that never finishes sending cannot hold the server up longer)' -r
complete -c xconn -n "__fish_xconn_using_subcommand serve" -l token-env -d 'Require `Authorization: Bearer $NAME` (the token in the variable NAME)' -r
complete -c xconn -n "__fish_xconn_using_subcommand serve" -l issuer -d 'Require an RS256 or ES256 JWT of this issuer. Alone: its keys are found by OpenID Connect discovery (`URL/.well-known/openid-configuration` → `jwks_uri`) and cached; with --jwks: the exact `iss` tokens must carry' -r
complete -c xconn -n "__fish_xconn_using_subcommand serve" -l jwks -d 'With --issuer: take the keys from this JWKS file instead (offline; keys chosen by `kid`)' -r
complete -c xconn -n "__fish_xconn_using_subcommand serve" -l audience -d 'With --issuer: an `aud` tokens must include' -r
complete -c xconn -n "__fish_xconn_using_subcommand serve" -l leeway -d 'With --issuer: seconds of clock difference allowed on `exp` and `nbf`' -r
complete -c xconn -n "__fish_xconn_using_subcommand serve" -l delay -d 'Wait before answering: MS, or a random time in MIN-MAX (milliseconds)' -r
complete -c xconn -n "__fish_xconn_using_subcommand serve" -l fail-rate -d 'Answer this share of requests (0 to 1) with 503' -r
complete -c xconn -n "__fish_xconn_using_subcommand serve" -l status -d 'Answer with this status: a 2xx keeps the handler\'s body, any other gets an error body' -r
complete -c xconn -n "__fish_xconn_using_subcommand serve" -l sample -d 'Hold requests to this sample request\'s columns and the kinds its values show (as `check --sample` infers them): a missing or unknown column or a value of the wrong kind is a 400 naming it, before the handler runs' -r
complete -c xconn -n "__fish_xconn_using_subcommand serve" -l columns -d 'Hold requests to the columns and kinds of this file (the `check --columns` format: {"name": "integer"|"decimal"|"string"|"boolean"|"any"|{nested}}), over the --sample\'s' -r
complete -c xconn -n "__fish_xconn_using_subcommand serve" -l color -d 'When to use color: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c xconn -n "__fish_xconn_using_subcommand serve" -l echo -d 'Answer with the request\'s inputs as outputs (no warnings or errors)'
complete -c xconn -n "__fish_xconn_using_subcommand serve" -s h -l help -d 'Print help'
complete -c xconn -n "__fish_xconn_using_subcommand serve" -s V -l version -d 'Print version'
complete -c xconn -n "__fish_xconn_using_subcommand man" -l color -d 'When to use color: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c xconn -n "__fish_xconn_using_subcommand man" -s h -l help -d 'Print help'
complete -c xconn -n "__fish_xconn_using_subcommand man" -s V -l version -d 'Print version'
complete -c xconn -n "__fish_xconn_using_subcommand check" -l sample -d 'A request body the service understands; the probes are built from it' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l repeat -d 'Send the sample N more times and report p50/p95/p99 latency' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l p95 -d 'Fail `repeat` and `latency` (the generated cases) when their p95 is above MS milliseconds' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l columns -d 'A JSON file of column name → kind (integer, decimal, string, boolean, any, or an object for a nested table), over the kinds inferred from the sample' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l cases -d 'Generated requests to send' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l seed -d 'Seed of the generated requests (default: a random one, printed in the report)' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l max-records -d 'The most records in one generated request' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l ignore -d 'Leave this JSON Pointer out when answers are compared (`*` for any index). Repeatable' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l skip -d 'Do not run this probe, property or group (e.g. order-independence, auth). Repeatable' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l budget -d 'Bound the whole run to this long (e.g. 60s, 5m); what it does not reach is skipped' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l max-requests -d 'Send at most N requests in the whole run; what it does not reach is skipped' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l concurrency -d 'Generated cases in flight at once' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l save-failures -d 'Write each shrunk failing body and a replay.sh of `xconn call` lines into DIR' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l cert-days -d 'Warn when the HTTPS certificate expires within this many days' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l format -d 'How to print the scorecard' -r -f -a "text\t'One line per probe'
json\t'One JSON object'
junit\t'JUnit XML, for CI test reports'
markdown\t'A markdown table, for pull-request comments'"
complete -c xconn -n "__fish_xconn_using_subcommand check" -s X -l method -d 'The HTTP method' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -s H -l header -d 'Add a header, `Name: value`. Repeatable' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l token-env -d 'Read the token from the environment variable NAME instead of XCONN_TOKEN / CSPARK_BEARER_TOKEN' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l token-file -d 'Read the token from a file (`-`: standard input). Surrounding whitespace and a leading `Bearer ` are trimmed' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l issuer -d 'Get a token by client credentials from this OpenID Connect issuer (its discovery document names the token endpoint), e.g. https://keycloak.example/realms/tenant. A token given directly (XCONN_TOKEN, CSPARK_BEARER_TOKEN, --token-env, --token-file) still wins' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l token-url -d 'Get a token by client credentials from this token endpoint (no discovery)' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l client-id -d 'The client id (else CSPARK_CLIENT_ID or XCONN_CLIENT_ID)' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l client-secret-file -d 'Read the client secret from this file (else CSPARK_CLIENT_SECRET or XCONN_CLIENT_SECRET; no option takes the secret itself)' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l scope -d 'The scope to ask for (space-separated)' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l auth-method -d 'How to send the secret; default: as the issuer\'s discovery document allows (client_secret_basic first)' -r -f -a "client_secret_basic\t'HTTP Basic authentication'
client_secret_post\t'`client_id` and `client_secret` in the form body'"
complete -c xconn -n "__fish_xconn_using_subcommand check" -l timeout -d 'Seconds one attempt may take in all (above Spark\'s 55 s so slow answers are seen); the TLS probe\'s whole handshake too (through a proxy: connecting, CONNECT and the handshake)' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l retries -d 'Further attempts after a retryable failure (0: each probe is one request)' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l cacert -d 'Trust only the CA certificates in this PEM file' -r -F
complete -c xconn -n "__fish_xconn_using_subcommand check" -s o -l output -d 'Write the scorecard to FILE (atomically) instead of standard output' -r
complete -c xconn -n "__fish_xconn_using_subcommand check" -l color -d 'When to use color: auto (terminal and no NO_COLOR), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c xconn -n "__fish_xconn_using_subcommand check" -l allow-skips -d 'Exit 0 even when every probe that sends records was skipped (no --sample, or a budget spent before any answer). Without it such a run exits 1: nothing about the service\'s answers was checked'
complete -c xconn -n "__fish_xconn_using_subcommand check" -s k -l insecure -d 'Do not check TLS certificates (dangerous: the token can be read by anyone in between)'
complete -c xconn -n "__fish_xconn_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c xconn -n "__fish_xconn_using_subcommand check" -s V -l version -d 'Print version'
complete -c xconn -n "__fish_xconn_using_subcommand help; and not __fish_seen_subcommand_from convert validate schema show completions call token serve man check help" -f -a "convert" -d 'Convert CSV / JSON objects / NDJSON into an `inputs` body, and bodies back to objects or CSV'
complete -c xconn -n "__fish_xconn_using_subcommand help; and not __fish_seen_subcommand_from convert validate schema show completions call token serve man check help" -f -a "validate" -d 'Check request and response bodies: JSON Schema plus the rules a schema cannot say'
complete -c xconn -n "__fish_xconn_using_subcommand help; and not __fish_seen_subcommand_from convert validate schema show completions call token serve man check help" -f -a "schema" -d 'Print the JSON Schema (draft 2020-12) the validator uses, or an OpenAPI 3.1 document'
complete -c xconn -n "__fish_xconn_using_subcommand help; and not __fish_seen_subcommand_from convert validate schema show completions call token serve man check help" -f -a "show" -d 'Render a request or response body as terminal tables'
complete -c xconn -n "__fish_xconn_using_subcommand help; and not __fish_seen_subcommand_from convert validate schema show completions call token serve man check help" -f -a "completions" -d 'Print a shell completion script'
complete -c xconn -n "__fish_xconn_using_subcommand help; and not __fish_seen_subcommand_from convert validate schema show completions call token serve man check help" -f -a "call" -d 'Send a body to a service with the bearer token, and print the answer'
complete -c xconn -n "__fish_xconn_using_subcommand help; and not __fish_seen_subcommand_from convert validate schema show completions call token serve man check help" -f -a "token" -d 'Show the claims of the token `call` would send (never the token itself)'
complete -c xconn -n "__fish_xconn_using_subcommand help; and not __fish_seen_subcommand_from convert validate schema show completions call token serve man check help" -f -a "serve" -d 'Run a local XConnector remote service: echo, a fixture, or a command per request'
complete -c xconn -n "__fish_xconn_using_subcommand help; and not __fish_seen_subcommand_from convert validate schema show completions call token serve man check help" -f -a "man" -d 'Print the man page (roff), as checked in at `completions/xconn.1`'
complete -c xconn -n "__fish_xconn_using_subcommand help; and not __fish_seen_subcommand_from convert validate schema show completions call token serve man check help" -f -a "check" -d 'Test a remote service: fixed, generated, negative, metamorphic, auth and transport probes'
complete -c xconn -n "__fish_xconn_using_subcommand help; and not __fish_seen_subcommand_from convert validate schema show completions call token serve man check help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
