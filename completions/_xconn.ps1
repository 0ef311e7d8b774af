
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
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema (draft 2020-12) the validator uses')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Render a request or response body as terminal tables')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'xconn;convert' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Source format; by default taken from the file extension (.csv .tsv .json .ndjson .jsonl)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Target format; `body` for CSV/objects sources, `json` when the source is a body')
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Which body to build: a request (`inputs`) or a response (`outputs`, with empty warnings/errors and process_time)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to FILE (atomically: a temp file renamed into place) instead of standard output')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to FILE (atomically: a temp file renamed into place) instead of standard output')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'CSV field delimiter (one byte; `\t` for tab). `.tsv` files default to tab')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'CSV field delimiter (one byte; `\t` for tab). `.tsv` files default to tab')
            [CompletionResult]::new('--types', '--types', [CompletionResultType]::ParameterName, 'How CSV cells get their JSON types')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Force one column''s type: COL=string|number|integer|boolean. Repeatable')
            [CompletionResult]::new('--nest-sep', '--nest-sep', [CompletionResultType]::ParameterName, 'Separator between table name and column name for `--nest`')
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
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Warnings fail the run too')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'xconn;schema' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use color: auto (terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'xconn;show' {
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Treat the file as this kind instead of detecting `inputs` / `outputs`')
            [CompletionResult]::new('--record', '--record', [CompletionResultType]::ParameterName, 'Show only record N (1-based), vertically, with its tables')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Width to fit (default: the terminal''s, or COLUMNS; no limit when not a terminal)')
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
        'xconn;help' {
            [CompletionResult]::new('convert', 'convert', [CompletionResultType]::ParameterValue, 'Convert CSV / JSON objects / NDJSON into an `inputs` body, and bodies back to objects or CSV')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check request and response bodies: JSON Schema plus the rules a schema cannot say')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema (draft 2020-12) the validator uses')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Render a request or response body as terminal tables')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
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
        'xconn;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
