//! Diagnostics: one problem found in a body — rule id, severity, where (JSON pointer, line:column,
//! column name) and a message people can act on. Produced by the validator, printed by
//! `validate`, `show` and `call`.

use crate::json::Value;

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
    pub(crate) column: Option<String>,
    /// 1-based line and character column of the offending value in the source text, once located.
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl Diagnostic {
    pub(crate) fn new(
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

    /// The pointer with its column name, as shown to people: `/outputs/3/2 (amount)`.
    pub(crate) fn location(&self) -> String {
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

/// Byte offset of the value at `pointer` below the (checked) document `root`, or of its nearest
/// parent that exists (the root's when none does). Run only when there is something to report.
pub(crate) fn nearest_offset(root: &Value, pointer: &str) -> usize {
    let mut pointer = pointer;
    loop {
        if let Some(value) = root.pointer(pointer) {
            return value.offset();
        }
        match pointer.rfind('/') {
            Some(p) => pointer = &pointer[..p],
            None => return root.offset(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_pointers_are_located_at_their_nearest_parent() {
        let text = "{\n  \"inputs\": [[\"a\"], [1]]\n}";
        let root = crate::json::parse(text).unwrap();
        let places: Vec<_> = ["/inputs/1", "/errors", "/inputs/9/3"]
            .iter()
            .map(|p| crate::source::line_col(text.as_bytes(), nearest_offset(&root, p)))
            .collect();
        assert_eq!(places, [(2, 21), (1, 1), (2, 13)]);
    }
}
