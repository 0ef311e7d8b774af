
use builtin;
use str;

set edit:completion:arg-completer[xconn] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'xconn'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'xconn'= {
            cand --color 'When to use color: auto (terminal and no NO_COLOR), always, never'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand convert 'Convert CSV / JSON objects / NDJSON into an `inputs` body, and bodies back to objects or CSV'
            cand validate 'Check request and response bodies: JSON Schema plus the rules a schema cannot say'
            cand schema 'Print the JSON Schema (draft 2020-12) the validator uses, or an OpenAPI 3.1 document'
            cand show 'Render a request or response body as terminal tables'
            cand completions 'Print a shell completion script'
            cand call 'Send a body to a service with the bearer token, and print the answer'
            cand token 'Show the claims of the token `call` would send (never the token itself)'
            cand serve 'Run a local XConnector remote service: echo, a fixture, or a command per request'
            cand man 'Print the man page (roff), as checked in at `completions/xconn.1`'
            cand check 'Test a remote service: fixed, generated, negative, metamorphic, auth and transport probes'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'xconn;convert'= {
            cand --to 'Target format; `body` for CSV/objects sources, `json` when the source is a body'
            cand --kind 'Which body to build: a request (`inputs`, the default) or a response (`outputs`, with empty warnings/errors and process_time). With a body as input it must name that body''s kind'
            cand -o 'Write to FILE (atomically: a temp file renamed into place) instead of standard output'
            cand --output 'Write to FILE (atomically: a temp file renamed into place) instead of standard output'
            cand --from 'Source format; by default taken from the file extension (.csv .tsv .json .ndjson .jsonl), then from the content'
            cand -d 'CSV field delimiter (one byte; `\t` for tab). `.tsv` files default to tab'
            cand --delimiter 'CSV field delimiter (one byte; `\t` for tab). `.tsv` files default to tab'
            cand --types 'How CSV cells get their JSON types'
            cand --type 'Force one column''s type: COL=string|number|integer|boolean. Repeatable'
            cand --nest-sep 'Separator between table name and column name for `--nest` (default `.`)'
            cand --empty-header 'Name every empty CSV header cell NAME followed by its column number (an R export''s first header cell `""` with `--empty-header column` becomes `column1`); a name that then repeats another is an error'
            cand --color 'When to use color: auto (terminal and no NO_COLOR), always, never'
            cand --compact 'One line of JSON'
            cand --pretty 'Fully indented JSON'
            cand --flatten 'Turn nested JSON objects into dotted keys (`address.city`) instead of failing'
            cand --nest 'CSV columns named `Table.column` form a nested table `Table`; consecutive rows that agree on all other columns are one record. On output to CSV, tables are spread into such rows'
            cand --allow-ragged 'Pad short CSV rows with null instead of failing (long rows still fail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'xconn;validate'= {
            cand --kind 'Treat every file as this kind instead of detecting `inputs` / `outputs`'
            cand --against 'For responses: the request they answer; output records must match its input records'
            cand --format 'Report format'
            cand --color 'When to use color: auto (terminal and no NO_COLOR), always, never'
            cand --list-rules 'Print every rule (id, severity, what it means) and check nothing; `--format text|json`'
            cand --strict 'Warnings fail the run too'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'xconn;schema'= {
            cand --sample '(openapi) A request body the service understands: the request schema gets its columns'
            cand --url '(openapi) The service URL: its origin is the server, its path the operation''s'
            cand --color 'When to use color: auto (terminal and no NO_COLOR), always, never'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'xconn;show'= {
            cand --kind 'Treat the file as this kind instead of detecting `inputs` / `outputs`'
            cand --record 'Show only record N (1-based), vertically, with its tables'
            cand --width 'Width to fit, at least 1 (default: the terminal''s, or COLUMNS; no limit when not a terminal)'
            cand --format 'Output format'
            cand --color 'When to use color: auto (terminal and no NO_COLOR), always, never'
            cand --expand 'Show every nested table in full below the grid'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'xconn;completions'= {
            cand --color 'When to use color: auto (terminal and no NO_COLOR), always, never'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'xconn;call'= {
            cand -X 'The HTTP method'
            cand --method 'The HTTP method'
            cand -H 'Add a header, `Name: value`. Repeatable'
            cand --header 'Add a header, `Name: value`. Repeatable'
            cand --token-env 'Read the token from the environment variable NAME instead of XCONN_TOKEN / CSPARK_BEARER_TOKEN'
            cand --token-file 'Read the token from a file (`-`: standard input). Surrounding whitespace and a leading `Bearer ` are trimmed'
            cand --issuer 'Get a token by client credentials from this OpenID Connect issuer (its discovery document names the token endpoint), e.g. https://keycloak.example/realms/tenant. A token given directly (XCONN_TOKEN, CSPARK_BEARER_TOKEN, --token-env, --token-file) still wins'
            cand --token-url 'Get a token by client credentials from this token endpoint (no discovery)'
            cand --client-id 'The client id (else CSPARK_CLIENT_ID or XCONN_CLIENT_ID)'
            cand --client-secret-file 'Read the client secret from this file (else CSPARK_CLIENT_SECRET or XCONN_CLIENT_SECRET; no option takes the secret itself)'
            cand --scope 'The scope to ask for (space-separated)'
            cand --auth-method 'How to send the secret; default: as the issuer''s discovery document allows (client_secret_basic first)'
            cand --timeout 'Seconds one attempt may take in all: connecting, sending and reading the answer'
            cand --connect-timeout 'Seconds connecting (TCP and TLS) may take'
            cand --retries 'Further attempts after a retryable failure'
            cand --cacert 'Trust only the CA certificates in this PEM file'
            cand --max-response-size 'Refuse an answer longer than this many bytes (suffixes K, M, G: powers of 1024)'
            cand -o 'Write the answer to FILE (atomically) instead of standard output'
            cand --output 'Write the answer to FILE (atomically) instead of standard output'
            cand --format 'How to print the answer: `table` on a terminal, `raw` when piped'
            cand --batch-size 'Split the records into requests of at most N records each (the header in every one), sent concurrently and merged into one response in input order'
            cand --concurrency 'Requests in flight at once with --batch-size'
            cand --summary 'The summary printed on standard error after batches: one line of text, or one JSON object'
            cand --from 'Source format; by default taken from the file extension (.csv .tsv .json .ndjson .jsonl), then from the content'
            cand -d 'CSV field delimiter (one byte; `\t` for tab). `.tsv` files default to tab'
            cand --delimiter 'CSV field delimiter (one byte; `\t` for tab). `.tsv` files default to tab'
            cand --types 'How CSV cells get their JSON types'
            cand --type 'Force one column''s type: COL=string|number|integer|boolean. Repeatable'
            cand --nest-sep 'Separator between table name and column name for `--nest` (default `.`)'
            cand --empty-header 'Name every empty CSV header cell NAME followed by its column number (an R export''s first header cell `""` with `--empty-header column` becomes `column1`); a name that then repeats another is an error'
            cand --color 'When to use color: auto (terminal and no NO_COLOR), always, never'
            cand -k 'Do not check TLS certificates (dangerous: the token can be read by anyone in between)'
            cand --insecure 'Do not check TLS certificates (dangerous: the token can be read by anyone in between)'
            cand --dry-run 'Print the request that would be sent (token masked) and send nothing'
            cand --curl 'Print an equivalent curl command for bash or zsh (the same headers and body bytes; the shell reads the token from the same variable or file) and send nothing'
            cand -v 'Show the request and response headers on standard error (secrets masked)'
            cand --verbose 'Show the request and response headers on standard error (secrets masked)'
            cand --no-validate 'Send the request without checking it first (it is checked by default, and an invalid one is not sent)'
            cand --flatten 'Turn nested JSON objects into dotted keys (`address.city`) instead of failing'
            cand --nest 'CSV columns named `Table.column` form a nested table `Table`; consecutive rows that agree on all other columns are one record. On output to CSV, tables are spread into such rows'
            cand --allow-ragged 'Pad short CSV rows with null instead of failing (long rows still fail)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'xconn;token'= {
            cand --token-env 'Read the token from the environment variable NAME instead of XCONN_TOKEN / CSPARK_BEARER_TOKEN'
            cand --token-file 'Read the token from a file (`-`: standard input). Surrounding whitespace and a leading `Bearer ` are trimmed'
            cand --issuer 'Get a token by client credentials from this OpenID Connect issuer (its discovery document names the token endpoint), e.g. https://keycloak.example/realms/tenant. A token given directly (XCONN_TOKEN, CSPARK_BEARER_TOKEN, --token-env, --token-file) still wins'
            cand --token-url 'Get a token by client credentials from this token endpoint (no discovery)'
            cand --client-id 'The client id (else CSPARK_CLIENT_ID or XCONN_CLIENT_ID)'
            cand --client-secret-file 'Read the client secret from this file (else CSPARK_CLIENT_SECRET or XCONN_CLIENT_SECRET; no option takes the secret itself)'
            cand --scope 'The scope to ask for (space-separated)'
            cand --auth-method 'How to send the secret; default: as the issuer''s discovery document allows (client_secret_basic first)'
            cand --format 'Output format'
            cand --color 'When to use color: auto (terminal and no NO_COLOR), always, never'
            cand --refresh 'With --issuer / --token-url: fetch a new token even when the cached one is still good'
            cand --forget 'With --issuer / --token-url: remove the cached token of this client and scope, and stop'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'xconn;serve'= {
            cand --addr 'Address to listen on (port 0: any free port, printed on the first line)'
            cand --fixture 'Always answer with this response body (checked at start-up)'
            cand --exec 'Run `sh -c CMD` per request: the body on its stdin, its stdout is the response'
            cand --exec-timeout 'Seconds an --exec handler may run before it is killed and the request gets a 500'
            cand --max-body-size 'Answer 413 to bodies longer than this (suffixes K, M, G: powers of 1024)'
            cand --max-output-size 'Kill an --exec handler that writes more than this to stdout; the request gets a 500'
            cand --grace 'After Ctrl-C or SIGTERM, seconds the requests in flight may take to finish (a client that never finishes sending cannot hold the server up longer)'
            cand --token-env 'Require `Authorization: Bearer $NAME` (the token in the variable NAME)'
            cand --issuer 'Require an RS256 or ES256 JWT of this issuer. Alone: its keys are found by OpenID Connect discovery (`URL/.well-known/openid-configuration` → `jwks_uri`) and cached; with --jwks: the exact `iss` tokens must carry'
            cand --jwks 'With --issuer: take the keys from this JWKS file instead (offline; keys chosen by `kid`)'
            cand --audience 'With --issuer: an `aud` tokens must include'
            cand --leeway 'With --issuer: seconds of clock difference allowed on `exp` and `nbf`'
            cand --delay 'Wait before answering: MS, or a random time in MIN-MAX (milliseconds)'
            cand --fail-rate 'Answer this share of requests (0 to 1) with 503'
            cand --status 'Answer with this status: a 2xx keeps the handler''s body, any other gets an error body'
            cand --sample 'Hold requests to this sample request''s columns and the kinds its values show (as `check --sample` infers them): a missing or unknown column or a value of the wrong kind is a 400 naming it, before the handler runs'
            cand --columns 'Hold requests to the columns and kinds of this file (the `check --columns` format: {"name": "integer"|"decimal"|"string"|"boolean"|"any"|{nested}}), over the --sample''s'
            cand --color 'When to use color: auto (terminal and no NO_COLOR), always, never'
            cand --echo 'Answer with the request''s inputs as outputs (no warnings or errors)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'xconn;man'= {
            cand --color 'When to use color: auto (terminal and no NO_COLOR), always, never'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'xconn;check'= {
            cand --sample 'A request body the service understands; the probes are built from it'
            cand --repeat 'Send the sample N more times and report p50/p95/p99 latency'
            cand --p95 'Fail `repeat` and `latency` (the generated cases) when their p95 is above MS milliseconds'
            cand --columns 'A JSON file of column name → kind (integer, decimal, string, boolean, any, or an object for a nested table), over the kinds inferred from the sample'
            cand --cases 'Generated requests to send'
            cand --seed 'Seed of the generated requests (default: a random one, printed in the report)'
            cand --max-records 'The most records in one generated request'
            cand --ignore 'Leave this JSON Pointer out when answers are compared (`*` for any index). Repeatable'
            cand --skip 'Do not run this probe, property or group (e.g. order-independence, auth). Repeatable'
            cand --budget 'Bound the whole run to this long (e.g. 60s, 5m); what it does not reach is skipped'
            cand --max-requests 'Send at most N requests in the whole run; what it does not reach is skipped'
            cand --concurrency 'Generated cases in flight at once'
            cand --save-failures 'Write each shrunk failing body and a replay.sh of `xconn call` lines into DIR'
            cand --cert-days 'Warn when the HTTPS certificate expires within this many days'
            cand --format 'How to print the scorecard'
            cand -X 'The HTTP method'
            cand --method 'The HTTP method'
            cand -H 'Add a header, `Name: value`. Repeatable'
            cand --header 'Add a header, `Name: value`. Repeatable'
            cand --token-env 'Read the token from the environment variable NAME instead of XCONN_TOKEN / CSPARK_BEARER_TOKEN'
            cand --token-file 'Read the token from a file (`-`: standard input). Surrounding whitespace and a leading `Bearer ` are trimmed'
            cand --issuer 'Get a token by client credentials from this OpenID Connect issuer (its discovery document names the token endpoint), e.g. https://keycloak.example/realms/tenant. A token given directly (XCONN_TOKEN, CSPARK_BEARER_TOKEN, --token-env, --token-file) still wins'
            cand --token-url 'Get a token by client credentials from this token endpoint (no discovery)'
            cand --client-id 'The client id (else CSPARK_CLIENT_ID or XCONN_CLIENT_ID)'
            cand --client-secret-file 'Read the client secret from this file (else CSPARK_CLIENT_SECRET or XCONN_CLIENT_SECRET; no option takes the secret itself)'
            cand --scope 'The scope to ask for (space-separated)'
            cand --auth-method 'How to send the secret; default: as the issuer''s discovery document allows (client_secret_basic first)'
            cand --timeout 'Seconds one attempt may take in all (above Spark''s 55 s so slow answers are seen); the TLS probe''s whole handshake too (through a proxy: connecting, CONNECT and the handshake)'
            cand --retries 'Further attempts after a retryable failure (0: each probe is one request)'
            cand --cacert 'Trust only the CA certificates in this PEM file'
            cand -o 'Write the scorecard to FILE (atomically) instead of standard output'
            cand --output 'Write the scorecard to FILE (atomically) instead of standard output'
            cand --color 'When to use color: auto (terminal and no NO_COLOR), always, never'
            cand --allow-skips 'Exit 0 even when every probe that sends records was skipped (no --sample, or a budget spent before any answer). Without it such a run exits 1: nothing about the service''s answers was checked'
            cand -k 'Do not check TLS certificates (dangerous: the token can be read by anyone in between)'
            cand --insecure 'Do not check TLS certificates (dangerous: the token can be read by anyone in between)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'xconn;help'= {
            cand convert 'Convert CSV / JSON objects / NDJSON into an `inputs` body, and bodies back to objects or CSV'
            cand validate 'Check request and response bodies: JSON Schema plus the rules a schema cannot say'
            cand schema 'Print the JSON Schema (draft 2020-12) the validator uses, or an OpenAPI 3.1 document'
            cand show 'Render a request or response body as terminal tables'
            cand completions 'Print a shell completion script'
            cand call 'Send a body to a service with the bearer token, and print the answer'
            cand token 'Show the claims of the token `call` would send (never the token itself)'
            cand serve 'Run a local XConnector remote service: echo, a fixture, or a command per request'
            cand man 'Print the man page (roff), as checked in at `completions/xconn.1`'
            cand check 'Test a remote service: fixed, generated, negative, metamorphic, auth and transport probes'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'xconn;help;convert'= {
        }
        &'xconn;help;validate'= {
        }
        &'xconn;help;schema'= {
        }
        &'xconn;help;show'= {
        }
        &'xconn;help;completions'= {
        }
        &'xconn;help;call'= {
        }
        &'xconn;help;token'= {
        }
        &'xconn;help;serve'= {
        }
        &'xconn;help;man'= {
        }
        &'xconn;help;check'= {
        }
        &'xconn;help;help'= {
        }
    ]
    $completions[$command]
}
