//! Diagnostics: one problem found in a body — rule id, severity, where (JSON pointer, line:column,
//! column name) and a message people can act on. Produced by the validator, printed by
//! `validate`, `show` and `call`.

use crate::source::{locate_pointer, Source};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One problem in one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable rule id, e.g. `XC101` (`XC001` for JSON syntax).
    pub rule: &'static str,
    pub severity: Severity,
    /// JSON pointer to the offending value (`""` for the whole document).
    pub pointer: String,
    /// The column name when the pointer goes through a record (`amount` in `/outputs/3/2`).
    pub column: Option<String>,
    /// 1-based line and character column of the offending value in the source text, once located.
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl Diagnostic {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            rule,
            severity,
            pointer: pointer.into(),
            column: None,
            line: 0,
            col: 0,
            message: message.into(),
        }
    }

    pub fn with_column(mut self, column: impl Into<String>) -> Diagnostic {
        self.column = Some(column.into());
        self
    }

    /// The pointer with its column name, as shown to people: `/outputs/3/2 (amount)`.
    pub fn location(&self) -> String {
        let pointer = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        match &self.column {
            Some(column) => format!("{pointer} ({column})"),
            None => pointer.to_string(),
        }
    }
}

/// Fill in line:column for every diagnostic from the source text. Only called when there is
/// something to report, so valid documents never pay for it. A pointer that cannot be found (a
/// missing key) falls back to its nearest existing parent.
pub fn locate_all(diagnostics: &mut [Diagnostic], source: &Source) {
    for diagnostic in diagnostics.iter_mut().filter(|d| d.line == 0) {
        let offset = nearest_offset(&source.bytes, &diagnostic.pointer);
        (diagnostic.line, diagnostic.col) = source.line_col(offset);
    }
}

/// Byte offset of the value at `pointer` in `bytes`, or of its nearest parent that exists (the
/// start of the text when none does).
pub fn nearest_offset(bytes: &[u8], pointer: &str) -> usize {
    let mut pointer = pointer;
    loop {
        if let Some(offset) = locate_pointer(bytes, pointer) {
            return offset;
        }
        match pointer.rfind('/') {
            Some(p) => pointer = &pointer[..p],
            None => return 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_pointers_are_located_at_their_nearest_parent() {
        let source = Source::from_bytes("t.json", b"{\n  \"inputs\": [[\"a\"], [1]]\n}".to_vec());
        let mut found = vec![
            Diagnostic::new("XC107", Severity::Error, "/inputs/1", "x"),
            Diagnostic::new("XC110", Severity::Error, "/errors", "y"),
            Diagnostic::new("XC101", Severity::Error, "/inputs/9/3", "z"),
        ];
        locate_all(&mut found, &source);
        let places: Vec<_> = found.iter().map(|d| (d.line, d.col)).collect();
        assert_eq!(places, [(2, 21), (1, 1), (2, 13)]);
    }
}
