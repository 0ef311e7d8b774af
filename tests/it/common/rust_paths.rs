//! A small reader of Rust source for the architecture rules: the crate paths a file names, each
//! expanded to its full path from the crate root. Every `use` tree is expanded (grouped, nested,
//! `self`, aliases, globs, `pub use`, across lines), `self::` / `super::` are resolved against
//! the file's module (inline `mod name { … }` blocks included), and paths written in code
//! (`crate::x::y(…)`) are read too. Comments, strings and character literals are skipped, so
//! neither hides nor fakes a path. Paths into other crates (`std::…`, `serde::…`) are not kept.

/// One token of Rust source, with the line it starts on.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    /// `::`
    Path,
    Punct(char),
    /// A literal (string, character, number): never part of a path.
    Literal,
}

/// The tokens of `src`, each with its line (from 1).
fn tokenize(src: &str) -> Vec<(Tok, usize)> {
    let chars: Vec<char> = src.chars().collect();
    let mut lexer = Lexer {
        chars: &chars,
        i: 0,
        line: 1,
    };
    let mut out = Vec::new();
    while let Some(token) = lexer.next_token() {
        out.push(token);
    }
    out
}

struct Lexer<'c> {
    chars: &'c [char],
    i: usize,
    line: usize,
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn next_token(&mut self) -> Option<(Tok, usize)> {
        loop {
            let c = self.peek(0)?;
            let line = self.line;
            let token = match c {
                c if c.is_whitespace() => {
                    self.bump();
                    continue;
                }
                '/' if self.peek(1) == Some('/') => {
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                    continue;
                }
                '/' if self.peek(1) == Some('*') => {
                    self.block_comment();
                    continue;
                }
                '"' => self.string(None),
                'r' | 'b' | 'c' if self.raw_or_byte_string() => Tok::Literal,
                '\'' => self.quote(),
                ':' if self.peek(1) == Some(':') => {
                    self.i += 2;
                    Tok::Path
                }
                c if c == '_' || c.is_alphabetic() => self.ident(),
                c if c.is_ascii_digit() => {
                    while self
                        .peek(0)
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
                    {
                        self.bump();
                    }
                    Tok::Literal
                }
                c => {
                    self.bump();
                    Tok::Punct(c)
                }
            };
            return Some((token, line));
        }
    }

    /// `/* … */`, nested.
    fn block_comment(&mut self) {
        let mut depth = 0;
        while let Some(c) = self.bump() {
            if c == '/' && self.peek(0) == Some('*') {
                self.bump();
                depth += 1;
            } else if c == '*' && self.peek(0) == Some('/') {
                self.bump();
                depth -= 1;
                if depth == 0 {
                    return;
                }
            }
        }
    }

    /// A `"…"` string after `hashes` `#`s of a raw string (escapes count only when not raw).
    fn string(&mut self, hashes: Option<usize>) -> Tok {
        self.bump();
        while let Some(c) = self.bump() {
            match (c, hashes) {
                ('\\', None) => {
                    self.bump();
                }
                ('"', None) => break,
                ('"', Some(n)) if (0..n).all(|k| self.peek(k) == Some('#')) => {
                    self.i += n;
                    break;
                }
                _ => {}
            }
        }
        Tok::Literal
    }

    /// `r"…"`, `r#"…"#`, `b"…"`, `br#"…"#`, `c"…"`, `b'x'` at the cursor: read, and true;
    /// anything else (an identifier starting with r, b or c, `r#name`): false, nothing read.
    fn raw_or_byte_string(&mut self) -> bool {
        if self.peek(0) == Some('b') && self.peek(1) == Some('\'') {
            self.i += 1;
            self.quote();
            return true;
        }
        let mut k = usize::from(matches!(self.peek(0), Some('b' | 'c')));
        let raw = self.peek(k) == Some('r');
        k += usize::from(raw);
        let hashes = (k..).take_while(|&j| self.peek(j) == Some('#')).count();
        if self.peek(k + hashes) != Some('"') || (!raw && hashes > 0) {
            return false;
        }
        self.i += k + hashes;
        self.string(raw.then_some(hashes));
        true
    }

    /// A character literal (`'x'`, `'\n'`, `'\u{1F600}'`) or a lifetime (`'a`).
    fn quote(&mut self) -> Tok {
        self.bump();
        if self.peek(0) == Some('\\') {
            while let Some(c) = self.bump() {
                if c == '\'' {
                    break;
                }
            }
            return Tok::Literal;
        }
        if self.peek(1) == Some('\'') {
            self.i += 2;
            return Tok::Literal;
        }
        // A lifetime: its name is not a path.
        self.ident();
        Tok::Literal
    }

    fn ident(&mut self) -> Tok {
        if self.peek(0) == Some('r') && self.peek(1) == Some('#') {
            self.i += 2;
        }
        let start = self.i;
        while self
            .peek(0)
            .is_some_and(|c| c == '_' || c.is_alphanumeric())
        {
            self.i += 1;
        }
        Tok::Ident(self.chars[start..self.i].iter().collect())
    }
}

/// A path from the crate root (without `crate`), ending in `*` for a glob, and the line it is
/// written on.
#[derive(Debug, Clone, PartialEq)]
pub struct CratePath {
    pub path: Vec<String>,
    pub line: usize,
}

/// Every path into this crate that `text`, the source of `module`, names: the leaves of its
/// `use` trees and the `crate::` / `self::` / `super::` paths written in code, in source order.
pub fn crate_paths(module: &[String], text: &str) -> Vec<CratePath> {
    let tokens = tokenize(text);
    let mut reader = Reader {
        tokens: &tokens,
        i: 0,
        modules: vec![(module.to_vec(), 0)],
        depth: 0,
        out: Vec::new(),
    };
    reader.read();
    reader.out
}

/// Walks the tokens, tracking inline modules by brace depth.
struct Reader<'t> {
    tokens: &'t [(Tok, usize)],
    i: usize,
    /// The module at each open inline `mod` block, with the brace depth inside it.
    modules: Vec<(Vec<String>, usize)>,
    depth: usize,
    out: Vec<CratePath>,
}

impl Reader<'_> {
    fn tok(&self, ahead: usize) -> Option<&Tok> {
        self.tokens.get(self.i + ahead).map(|(t, _)| t)
    }

    fn ident(&self, ahead: usize) -> Option<&str> {
        match self.tok(ahead) {
            Some(Tok::Ident(name)) => Some(name),
            _ => None,
        }
    }

    fn module(&self) -> &[String] {
        &self.modules.last().expect("the file's module").0
    }

    fn read(&mut self) {
        while let Some(token) = self.tok(0) {
            match token {
                Tok::Punct('{') => self.depth += 1,
                Tok::Punct('}') => {
                    if self.modules.len() > 1 && self.modules.last().unwrap().1 == self.depth {
                        self.modules.pop();
                    }
                    self.depth = self.depth.saturating_sub(1);
                }
                Tok::Ident(word) if word == "mod" => self.enter_module(),
                Tok::Ident(word) if word == "use" => {
                    self.i += 1;
                    self.use_declaration();
                    continue;
                }
                Tok::Ident(_) if self.i == 0 || self.tokens[self.i - 1].0 != Tok::Path => {
                    self.code_path()
                }
                _ => {}
            }
            self.i += 1;
        }
    }

    /// `mod name {`: the tokens up to the matching `}` belong to `module::name`.
    fn enter_module(&mut self) {
        if let (Some(name), Some(Tok::Punct('{'))) = (self.ident(1), self.tok(2)) {
            let mut inner = self.module().to_vec();
            inner.push(name.to_string());
            self.modules.push((inner, self.depth + 1));
            self.i += 1;
        }
    }

    /// `use TREE;` from just after `use`: every leaf as a full path.
    fn use_declaration(&mut self) {
        let line = self.tokens.get(self.i).map_or(0, |(_, l)| *l);
        let mut leaves = Vec::new();
        self.use_tree(&mut Vec::new(), &mut leaves);
        while self.tok(0).is_some_and(|t| *t != Tok::Punct(';')) {
            self.i += 1;
        }
        for leaf in leaves {
            self.keep(&leaf, line);
        }
    }

    /// One tree under `prefix`: `a::b::c`, `a::b as x`, `a::*`, `a::{tree, …}`, `self`.
    fn use_tree(&mut self, prefix: &mut Vec<String>, leaves: &mut Vec<Vec<String>>) {
        let depth = prefix.len();
        if self.tok(0) == Some(&Tok::Path) {
            // `use ::name`: another crate.
            prefix.push("::".to_string());
            self.i += 1;
        }
        loop {
            match self.tok(0).cloned() {
                Some(Tok::Ident(name)) if self.tok(1) == Some(&Tok::Path) => {
                    prefix.push(name);
                    self.i += 2;
                }
                Some(Tok::Ident(name)) => {
                    self.i += 1;
                    if self.ident(0) == Some("as") {
                        self.i += 2;
                    }
                    let mut leaf = prefix.clone();
                    if name != "self" {
                        leaf.push(name);
                    }
                    leaves.push(leaf);
                    break;
                }
                Some(Tok::Punct('*')) => {
                    self.i += 1;
                    let mut leaf = prefix.clone();
                    leaf.push("*".to_string());
                    leaves.push(leaf);
                    break;
                }
                Some(Tok::Punct('{')) => {
                    self.i += 1;
                    self.use_group(prefix, leaves);
                    break;
                }
                _ => break,
            }
        }
        prefix.truncate(depth);
    }

    /// `{tree, tree, …}` from just after `{`, through the closing `}`.
    fn use_group(&mut self, prefix: &mut Vec<String>, leaves: &mut Vec<Vec<String>>) {
        loop {
            match self.tok(0) {
                None => return,
                Some(Tok::Punct('}')) => {
                    self.i += 1;
                    return;
                }
                Some(Tok::Punct(',')) => self.i += 1,
                Some(_) => {
                    let before = self.i;
                    self.use_tree(prefix, leaves);
                    if self.i == before {
                        self.i += 1;
                    }
                }
            }
        }
    }

    /// A path written in code: `crate::a::b`, `self::a`, `super::a` (a lone `self` or
    /// `crate`, as in `&self` or `pub(crate)`, names nothing).
    fn code_path(&mut self) {
        let Some(first) = self.ident(0) else { return };
        if !matches!(first, "crate" | "self" | "super") || self.tok(1) != Some(&Tok::Path) {
            return;
        }
        let line = self.tokens[self.i].1;
        let mut path = vec![first.to_string()];
        while self.tok(1) == Some(&Tok::Path) {
            match self.ident(2) {
                Some(name) => path.push(name.to_string()),
                None => break,
            }
            self.i += 2;
        }
        self.keep(&path, line);
    }

    /// Keep `path` when it leads into this crate, resolved from the crate root.
    fn keep(&mut self, path: &[String], line: usize) {
        let mut full = self.module().to_vec();
        let rest = match path.first().map(String::as_str) {
            Some("crate") => {
                full.clear();
                &path[1..]
            }
            Some("self") => &path[1..],
            Some("super") => {
                let supers = path.iter().take_while(|s| *s == "super").count();
                full.truncate(full.len().saturating_sub(supers));
                &path[supers..]
            }
            _ => return,
        };
        full.extend(rest.iter().cloned());
        self.out.push(CratePath { path: full, line });
    }
}

/// The paths that reach a forbidden module, as `LINE: crate::PATH REASON`. A path reaches
/// module `m` when it starts with `m`'s segments, or is a glob over a module above `m`.
pub fn violations(paths: &[CratePath], forbidden: &[(&[&str], &str)]) -> Vec<String> {
    let mut found = Vec::new();
    for p in paths {
        for (module, reason) in forbidden {
            let starts = |path: &[String]| path.iter().zip(module.iter()).all(|(a, b)| a == b);
            let into = p.path.len() >= module.len() && starts(&p.path);
            let glob_above = match p.path.split_last() {
                Some((last, above)) => last == "*" && above.len() < module.len() && starts(above),
                None => false,
            };
            if into || glob_above {
                found.push(format!("{}: crate::{} {reason}", p.line, p.path.join("::")));
            }
        }
    }
    found
}
