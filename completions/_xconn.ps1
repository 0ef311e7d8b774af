
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'xconn' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'xconn'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'xconn' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use color: auto (terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('convert', 'convert', [CompletionResultType]::ParameterValue, 'Convert CSV / JSON objects / NDJSON into an `inputs` body, and bodies back to objects or CSV')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check request and response bodies: JSON Schema plus the rules a schema cannot say')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema (draft 2020-12) the validator uses, or an OpenAPI 3.1 document')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Render a request or response body as terminal tables')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Send a body to a service with the bearer token, and print the answer')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Show the claims of the token `call` would send (never the token itself)')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a local XConnector remote service: echo, a fixture, or a command per request')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff), as checked in at `completions/xconn.1`')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Test a remote service: fixed, generated, negative, metamorphic, auth and transport probes')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'xconn;convert' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Target format; `body` for CSV/objects sources, `json` when the source is a body')
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Which body to build: a request (`inputs`, the default) or a response (`outputs`, with empty warnings/errors and process_time). With a body as input it must name that body''s kind')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to FILE (atomically: a temp file renamed into place) instead of standard output')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE (atomically: a temp file renamed into place) instead of standard output')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Source format; by default taken from the file extension (.csv .tsv .json .ndjson .jsonl), then from the content')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'CSV field delimiter (one byte; `\t` for tab). `.tsv` files default to tab')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'CSV field delimiter (one byte; `\t` for tab). `.tsv` files default to tab')
            [CompletionResult]::new('--types', '--types', [CompletionResultType]::ParameterName, 'How CSV cells get their JSON types')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Force one column''s type: COL=string|number|integer|boolean. Repeatable')
            [CompletionResult]::new('--nest-sep', '--nest-sep', [CompletionResultType]::ParameterName, 'Separator between table name and column name for `--nest` (default `.`)')
            [CompletionResult]::new('--empty-header', '--empty-header', [CompletionResultType]::ParameterName, 'Name every empty CSV header cell NAME followed by its column number (an R export''s first header cell `""` with `--empty-header column` becomes `column1`); a name that then repeats another is an error')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use color: auto (terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('--compact', '--compact', [CompletionResultType]::ParameterName, 'One line of JSON')
            [CompletionResult]::new('--pretty', '--pretty', [CompletionResultType]::ParameterName, 'Fully indented JSON')
            [CompletionResult]::new('--flatten', '--flatten', [CompletionResultType]::ParameterName, 'Turn nested JSON objects into dotted keys (`address.city`) instead of failing')
            [CompletionResult]::new('--nest', '--nest', [CompletionResultType]::ParameterName, 'CSV columns named `Table.column` form a nested table `Table`; consecutive rows that agree on all other columns are one record. On output to CSV, tables are spread into such rows')
            [CompletionResult]::new('--allow-ragged', '--allow-ragged', [CompletionResultType]::ParameterName, 'Pad short CSV rows with null instead of failing (long rows still fail)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'xconn;validate' {
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Treat every file as this kind instead of detecting `inputs` / `outputs`')
            [CompletionResult]::new('--against', '--against', [CompletionResultType]::ParameterName, 'For responses: the request they answer; output records must match its input records')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Report format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use color: auto (terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('--list-rules', '--list-rules', [CompletionResultType]::ParameterName, 'Print every rule (id, severity, what it means) and check nothing; `--format text|json`')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Warnings fail the run too')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'xconn;schema' {
            [CompletionResult]::new('--sample', '--sample', [CompletionResultType]::ParameterName, '(openapi) A request body the service understands: the request schema gets its columns')
            [CompletionResult]::new('--url', '--url', [CompletionResultType]::ParameterName, '(openapi) The service URL: its origin is the server, its path the operation''s')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use color: auto (terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'xconn;show' {
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Treat the file as this kind instead of detecting `inputs` / `outputs`')
            [CompletionResult]::new('--record', '--record', [CompletionResultType]::ParameterName, 'Show only record N (1-based), vertically, with its tables')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Width to fit, at least 1 (default: the terminal''s, or COLUMNS; no limit when not a terminal)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use color: auto (terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('--expand', '--expand', [CompletionResultType]::ParameterName, 'Show every nested table in full below the grid')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'xconn;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use color: auto (terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'xconn;call' {
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'The HTTP method')
            [CompletionResult]::new('--method', '--method', [CompletionResultType]::ParameterName, 'The HTTP method')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Add a header, `Name: value`. Repeatable')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Add a header, `Name: value`. Repeatable')
            [CompletionResult]::new('--token-env', '--token-env', [CompletionResultType]::ParameterName, 'Read the token from the environment variable NAME instead of XCONN_TOKEN / CSPARK_BEARER_TOKEN')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read the token from a file (`-`: standard input). Surrounding whitespace and a leading `Bearer ` are trimmed')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'Get a token by client credentials from this OpenID Connect issuer (its discovery document names the token endpoint), e.g. https://keycloak.example/realms/tenant. A token given directly (XCONN_TOKEN, CSPARK_BEARER_TOKEN, --token-env, --token-file) still wins')
            [CompletionResult]::new('--token-url', '--token-url', [CompletionResultType]::ParameterName, 'Get a token by client credentials from this token endpoint (no discovery)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'The client id (else CSPARK_CLIENT_ID or XCONN_CLIENT_ID)')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (else CSPARK_CLIENT_SECRET or XCONN_CLIENT_SECRET; no option takes the secret itself)')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'The scope to ask for (space-separated)')
            [CompletionResult]::new('--auth-method', '--auth-method', [CompletionResultType]::ParameterName, 'How to send the secret; default: as the issuer''s discovery document allows (client_secret_basic first)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds one attempt may take in all: connecting, sending and reading the answer')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Seconds connecting (TCP and TLS) may take')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Further attempts after a retryable failure')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust only the CA certificates in this PEM file')
            [CompletionResult]::new('--max-response-size', '--max-response-size', [CompletionResultType]::ParameterName, 'Refuse an answer longer than this many bytes (suffixes K, M, G: powers of 1024)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the answer to FILE (atomically) instead of standard output')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the answer to FILE (atomically) instead of standard output')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How to print the answer: `table` on a terminal, `raw` when piped')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Split the records into requests of at most N records each (the header in every one), sent concurrently and merged into one response in input order')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Requests in flight at once with --batch-size')
            [CompletionResult]::new('--summary', '--summary', [CompletionResultType]::ParameterName, 'The summary printed on standard error after batches: one line of text, or one JSON object')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Source format; by default taken from the file extension (.csv .tsv .json .ndjson .jsonl), then from the content')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'CSV field delimiter (one byte; `\t` for tab). `.tsv` files default to tab')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'CSV field delimiter (one byte; `\t` for tab). `.tsv` files default to tab')
            [CompletionResult]::new('--types', '--types', [CompletionResultType]::ParameterName, 'How CSV cells get their JSON types')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Force one column''s type: COL=string|number|integer|boolean. Repeatable')
            [CompletionResult]::new('--nest-sep', '--nest-sep', [CompletionResultType]::ParameterName, 'Separator between table name and column name for `--nest` (default `.`)')
            [CompletionResult]::new('--empty-header', '--empty-header', [CompletionResultType]::ParameterName, 'Name every empty CSV header cell NAME followed by its column number (an R export''s first header cell `""` with `--empty-header column` becomes `column1`); a name that then repeats another is an error')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use color: auto (terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Do not check TLS certificates (dangerous: the token can be read by anyone in between)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check TLS certificates (dangerous: the token can be read by anyone in between)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the request that would be sent (token masked) and send nothing')
            [CompletionResult]::new('--curl', '--curl', [CompletionResultType]::ParameterName, 'Print an equivalent curl command for bash or zsh (the same headers and body bytes; the shell reads the token from the same variable or file) and send nothing')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the request and response headers on standard error (secrets masked)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the request and response headers on standard error (secrets masked)')
            [CompletionResult]::new('--no-validate', '--no-validate', [CompletionResultType]::ParameterName, 'Send the request without checking it first (it is checked by default, and an invalid one is not sent)')
            [CompletionResult]::new('--flatten', '--flatten', [CompletionResultType]::ParameterName, 'Turn nested JSON objects into dotted keys (`address.city`) instead of failing')
            [CompletionResult]::new('--nest', '--nest', [CompletionResultType]::ParameterName, 'CSV columns named `Table.column` form a nested table `Table`; consecutive rows that agree on all other columns are one record. On output to CSV, tables are spread into such rows')
            [CompletionResult]::new('--allow-ragged', '--allow-ragged', [CompletionResultType]::ParameterName, 'Pad short CSV rows with null instead of failing (long rows still fail)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'xconn;token' {
            [CompletionResult]::new('--token-env', '--token-env', [CompletionResultType]::ParameterName, 'Read the token from the environment variable NAME instead of XCONN_TOKEN / CSPARK_BEARER_TOKEN')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read the token from a file (`-`: standard input). Surrounding whitespace and a leading `Bearer ` are trimmed')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'Get a token by client credentials from this OpenID Connect issuer (its discovery document names the token endpoint), e.g. https://keycloak.example/realms/tenant. A token given directly (XCONN_TOKEN, CSPARK_BEARER_TOKEN, --token-env, --token-file) still wins')
            [CompletionResult]::new('--token-url', '--token-url', [CompletionResultType]::ParameterName, 'Get a token by client credentials from this token endpoint (no discovery)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'The client id (else CSPARK_CLIENT_ID or XCONN_CLIENT_ID)')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (else CSPARK_CLIENT_SECRET or XCONN_CLIENT_SECRET; no option takes the secret itself)')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'The scope to ask for (space-separated)')
            [CompletionResult]::new('--auth-method', '--auth-method', [CompletionResultType]::ParameterName, 'How to send the secret; default: as the issuer''s discovery document allows (client_secret_basic first)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use color: auto (terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('--refresh', '--refresh', [CompletionResultType]::ParameterName, 'With --issuer / --token-url: fetch a new token even when the cached one is still good')
            [CompletionResult]::new('--forget', '--forget', [CompletionResultType]::ParameterName, 'With --issuer / --token-url: remove the cached token of this client and scope, and stop')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'xconn;serve' {
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Address to listen on (port 0: any free port, printed on the first line)')
            [CompletionResult]::new('--fixture', '--fixture', [CompletionResultType]::ParameterName, 'Always answer with this response body (checked at start-up)')
            [CompletionResult]::new('--exec', '--exec', [CompletionResultType]::ParameterName, 'Run `sh -c CMD` per request: the body on its stdin, its stdout is the response')
            [CompletionResult]::new('--exec-timeout', '--exec-timeout', [CompletionResultType]::ParameterName, 'Seconds an --exec handler may run before it is killed and the request gets a 500')
            [CompletionResult]::new('--max-body-size', '--max-body-size', [CompletionResultType]::ParameterName, 'Answer 413 to bodies longer than this (suffixes K, M, G: powers of 1024)')
            [CompletionResult]::new('--max-output-size', '--max-output-size', [CompletionResultType]::ParameterName, 'Kill an --exec handler that writes more than this to stdout; the request gets a 500')
            [CompletionResult]::new('--grace', '--grace', [CompletionResultType]::ParameterName, 'After Ctrl-C or SIGTERM, seconds the requests in flight may take to finish (a client that never finishes sending cannot hold the server up longer)')
            [CompletionResult]::new('--token-env', '--token-env', [CompletionResultType]::ParameterName, 'Require `Authorization: Bearer $NAME` (the token in the variable NAME)')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'Require an RS256 or ES256 JWT of this issuer. Alone: its keys are found by OpenID Connect discovery (`URL/.well-known/openid-configuration` → `jwks_uri`) and cached; with --jwks: the exact `iss` tokens must carry')
            [CompletionResult]::new('--jwks', '--jwks', [CompletionResultType]::ParameterName, 'With --issuer: take the keys from this JWKS file instead (offline; keys chosen by `kid`)')
            [CompletionResult]::new('--audience', '--audience', [CompletionResultType]::ParameterName, 'With --issuer: an `aud` tokens must include')
            [CompletionResult]::new('--leeway', '--leeway', [CompletionResultType]::ParameterName, 'With --issuer: seconds of clock difference allowed on `exp` and `nbf`')
            [CompletionResult]::new('--delay', '--delay', [CompletionResultType]::ParameterName, 'Wait before answering: MS, or a random time in MIN-MAX (milliseconds)')
            [CompletionResult]::new('--fail-rate', '--fail-rate', [CompletionResultType]::ParameterName, 'Answer this share of requests (0 to 1) with 503')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Answer with this status: a 2xx keeps the handler''s body, any other gets an error body')
            [CompletionResult]::new('--sample', '--sample', [CompletionResultType]::ParameterName, 'Hold requests to this sample request''s columns and the kinds its values show (as `check --sample` infers them): a missing or unknown column or a value of the wrong kind is a 400 naming it, before the handler runs')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'Hold requests to the columns and kinds of this file (the `check --columns` format: {"name": "integer"|"decimal"|"string"|"boolean"|"any"|{nested}}), over the --sample''s')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use color: auto (terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('--echo', '--echo', [CompletionResultType]::ParameterName, 'Answer with the request''s inputs as outputs (no warnings or errors)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'xconn;man' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use color: auto (terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'xconn;check' {
            [CompletionResult]::new('--sample', '--sample', [CompletionResultType]::ParameterName, 'A request body the service understands; the probes are built from it')
            [CompletionResult]::new('--repeat', '--repeat', [CompletionResultType]::ParameterName, 'Send the sample N more times and report p50/p95/p99 latency')
            [CompletionResult]::new('--p95', '--p95', [CompletionResultType]::ParameterName, 'Fail `repeat` and `latency` (the generated cases) when their p95 is above MS milliseconds')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'A JSON file of column name → kind (integer, decimal, string, boolean, any, or an object for a nested table), over the kinds inferred from the sample')
            [CompletionResult]::new('--cases', '--cases', [CompletionResultType]::ParameterName, 'Generated requests to send')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the generated requests (default: a random one, printed in the report)')
            [CompletionResult]::new('--max-records', '--max-records', [CompletionResultType]::ParameterName, 'The most records in one generated request')
            [CompletionResult]::new('--ignore', '--ignore', [CompletionResultType]::ParameterName, 'Leave this JSON Pointer out when answers are compared (`*` for any index). Repeatable')
            [CompletionResult]::new('--skip', '--skip', [CompletionResultType]::ParameterName, 'Do not run this probe, property or group (e.g. order-independence, auth). Repeatable')
            [CompletionResult]::new('--budget', '--budget', [CompletionResultType]::ParameterName, 'Bound the whole run to this long (e.g. 60s, 5m); what it does not reach is skipped')
            [CompletionResult]::new('--max-requests', '--max-requests', [CompletionResultType]::ParameterName, 'Send at most N requests in the whole run; what it does not reach is skipped')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Generated cases in flight at once')
            [CompletionResult]::new('--save-failures', '--save-failures', [CompletionResultType]::ParameterName, 'Write each shrunk failing body and a replay.sh of `xconn call` lines into DIR')
            [CompletionResult]::new('--cert-days', '--cert-days', [CompletionResultType]::ParameterName, 'Warn when the HTTPS certificate expires within this many days')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How to print the scorecard')
            [CompletionResult]::new('-X', '-X ', [CompletionResultType]::ParameterName, 'The HTTP method')
            [CompletionResult]::new('--method', '--method', [CompletionResultType]::ParameterName, 'The HTTP method')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Add a header, `Name: value`. Repeatable')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Add a header, `Name: value`. Repeatable')
            [CompletionResult]::new('--token-env', '--token-env', [CompletionResultType]::ParameterName, 'Read the token from the environment variable NAME instead of XCONN_TOKEN / CSPARK_BEARER_TOKEN')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read the token from a file (`-`: standard input). Surrounding whitespace and a leading `Bearer ` are trimmed')
            [CompletionResult]::new('--issuer', '--issuer', [CompletionResultType]::ParameterName, 'Get a token by client credentials from this OpenID Connect issuer (its discovery document names the token endpoint), e.g. https://keycloak.example/realms/tenant. A token given directly (XCONN_TOKEN, CSPARK_BEARER_TOKEN, --token-env, --token-file) still wins')
            [CompletionResult]::new('--token-url', '--token-url', [CompletionResultType]::ParameterName, 'Get a token by client credentials from this token endpoint (no discovery)')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'The client id (else CSPARK_CLIENT_ID or XCONN_CLIENT_ID)')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (else CSPARK_CLIENT_SECRET or XCONN_CLIENT_SECRET; no option takes the secret itself)')
            [CompletionResult]::new('--scope', '--scope', [CompletionResultType]::ParameterName, 'The scope to ask for (space-separated)')
            [CompletionResult]::new('--auth-method', '--auth-method', [CompletionResultType]::ParameterName, 'How to send the secret; default: as the issuer''s discovery document allows (client_secret_basic first)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds one attempt may take in all (above Spark''s 55 s so slow answers are seen); the TLS probe''s whole handshake too (through a proxy: connecting, CONNECT and the handshake)')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Further attempts after a retryable failure (0: each probe is one request)')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'Trust only the CA certificates in this PEM file')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the scorecard to FILE (atomically) instead of standard output')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the scorecard to FILE (atomically) instead of standard output')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use color: auto (terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('--allow-skips', '--allow-skips', [CompletionResultType]::ParameterName, 'Exit 0 even when every probe that sends records was skipped (no --sample, or a budget spent before any answer). Without it such a run exits 1: nothing about the service''s answers was checked')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'Do not check TLS certificates (dangerous: the token can be read by anyone in between)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not check TLS certificates (dangerous: the token can be read by anyone in between)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'xconn;help' {
            [CompletionResult]::new('convert', 'convert', [CompletionResultType]::ParameterValue, 'Convert CSV / JSON objects / NDJSON into an `inputs` body, and bodies back to objects or CSV')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check request and response bodies: JSON Schema plus the rules a schema cannot say')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema (draft 2020-12) the validator uses, or an OpenAPI 3.1 document')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Render a request or response body as terminal tables')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('call', 'call', [CompletionResultType]::ParameterValue, 'Send a body to a service with the bearer token, and print the answer')
            [CompletionResult]::new('token', 'token', [CompletionResultType]::ParameterValue, 'Show the claims of the token `call` would send (never the token itself)')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Run a local XConnector remote service: echo, a fixture, or a command per request')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff), as checked in at `completions/xconn.1`')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Test a remote service: fixed, generated, negative, metamorphic, auth and transport probes')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'xconn;help;convert' {
            break
        }
        'xconn;help;validate' {
            break
        }
        'xconn;help;schema' {
            break
        }
        'xconn;help;show' {
            break
        }
        'xconn;help;completions' {
            break
        }
        'xconn;help;call' {
            break
        }
        'xconn;help;token' {
            break
        }
        'xconn;help;serve' {
            break
        }
        'xconn;help;man' {
            break
        }
        'xconn;help;check' {
            break
        }
        'xconn;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
