//! What a text is, told from its first bytes: the one format sniffer (a JSON array or object,
//! else CSV; which delimiter a CSV sample holds consistently, or a CSV read as one column hides)
//! and the one CSV quote state machine beside the `csv` crate, with the crate's rules, for what
//! the crate does not tell (which fields were quoted, whether the input ended inside quotes,
//! where records end in a sample).

/// Where a CSV reader is, by the `csv` crate's rules: the quote is `"`, a quote opens a quoted
/// field only at the field's start, a doubled quote inside a quoted field is one quote, there is
/// no escape character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quotes {
    /// At the start of a field (nothing read yet).
    FieldStart,
    /// Inside a field that did not open with a quote.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// On a quote inside a quoted field: the field's close, or the first of a doubled quote.
    QuoteInQuoted,
}

impl Quotes {
    /// The state after byte `b` of a file delimited by `delimiter`. A delimiter or line break
    /// outside quotes ends the field (a line break also ends the record).
    #[inline]
    pub(crate) fn step(self, b: u8, delimiter: u8) -> Quotes {
        let end_of_field = b == delimiter || b == b'\n' || b == b'\r';
        match self {
            Quotes::FieldStart | Quotes::Unquoted if end_of_field => Quotes::FieldStart,
            Quotes::FieldStart if b == b'"' => Quotes::Quoted,
            Quotes::FieldStart | Quotes::Unquoted => Quotes::Unquoted,
            Quotes::Quoted if b == b'"' => Quotes::QuoteInQuoted,
            Quotes::Quoted => Quotes::Quoted,
            Quotes::QuoteInQuoted if b == b'"' => Quotes::Quoted,
            Quotes::QuoteInQuoted if end_of_field => Quotes::FieldStart,
            Quotes::QuoteInQuoted => Quotes::Unquoted,
        }
    }

    /// How many bytes at the start of `bytes` leave this state as it is (a quoted field's text up
    /// to its next quote, an unquoted field's up to the next delimiter or line break): a loop can
    /// jump over them and [`Quotes::step`] only where something happens.
    #[inline]
    pub(crate) fn unchanged(self, bytes: &[u8], delimiter: u8) -> usize {
        let found = match self {
            Quotes::Quoted => memchr::memchr(b'"', bytes),
            Quotes::Unquoted => memchr::memchr3(delimiter, b'\n', b'\r', bytes),
            Quotes::FieldStart | Quotes::QuoteInQuoted => Some(0),
        };
        found.unwrap_or(bytes.len())
    }

    /// Whether a delimiter or line break read in this state is data, not a separator.
    #[inline]
    pub(crate) fn quoted(self) -> bool {
        self == Quotes::Quoted
    }
}

/// The delimiters a CSV sample is tried with, in this order: `,` `;` tab `|`.
pub(crate) const DELIMITERS: &[u8] = b",;\t|";

/// What the first non-blank byte of a text says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Start {
    /// `[`: a JSON array.
    Array,
    /// `{`: a JSON object (one document, or the first line of NDJSON).
    Object,
    /// Anything else: CSV, for a converter.
    Other,
}

/// Where the first non-blank byte of `bytes` is and what it says (`None` for blank text).
pub(crate) fn start(bytes: &[u8]) -> Option<(usize, Start)> {
    let at = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let what = match bytes[at] {
        b'[' => Start::Array,
        b'{' => Start::Object,
        _ => Start::Other,
    };
    Some((at, what))
}

/// How many `delimiter`s each record of `sample` holds outside quotes, for up to `max`
/// non-blank records (a quoted field may span lines; LF, CR and CRLF end a record).
pub(crate) fn delimiter_counts(sample: &[u8], delimiter: u8, max: usize) -> Vec<usize> {
    let mut counts = Vec::new();
    let mut state = Quotes::FieldStart;
    let (mut count, mut blank) = (0, true);
    for &b in sample {
        if counts.len() == max {
            break;
        }
        if !state.quoted() && (b == b'\n' || b == b'\r') {
            if !blank {
                counts.push(count);
            }
            (count, blank) = (0, true);
        } else {
            count += usize::from(b == delimiter && !state.quoted());
            blank &= b.is_ascii_whitespace();
        }
        state = state.step(b, delimiter);
    }
    if !blank && counts.len() < max {
        counts.push(count);
    }
    counts
}

/// The first of `candidates` that the first records of `sample` (up to 5; a sixth, which may be
/// cut short, is left out) each hold the same number of times, at least once, outside quotes:
/// the delimiter of a text that is plainly CSV.
pub(crate) fn csv_delimiter(sample: &[u8], candidates: &[u8]) -> Option<u8> {
    candidates.iter().copied().find(|&d| {
        let mut counts = delimiter_counts(sample, d, 6);
        if counts.len() > 5 {
            counts.truncate(5);
        }
        counts
            .first()
            .is_some_and(|&n| n > 0 && counts.iter().all(|&c| c == n))
    })
}

/// A delimiter other than `delimiter` (`;`, tab or `|`) that a CSV read as one column holds in
/// its one header cell, and how many times: the file may use that delimiter instead. The first
/// such, in [`DELIMITERS`] order.
pub(crate) fn hidden_delimiter(cell: &[u8], delimiter: u8) -> Option<(u8, usize)> {
    DELIMITERS[1..]
        .iter()
        .filter(|&&c| c != delimiter)
        .map(|&c| (c, count(cell, c)))
        .find(|&(_, n)| n > 0)
}

/// How many times `cell` (a field as the CSV reader gives it) holds `c`.
pub(crate) fn count(cell: &[u8], c: u8) -> usize {
    memchr::memchr_iter(c, cell).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_follow_the_csv_crate() {
        let run = |text: &[u8]| {
            text.iter()
                .fold(Quotes::FieldStart, |s, &b| s.step(b, b','))
        };
        assert_eq!(run(b"a,\"b"), Quotes::Quoted);
        assert_eq!(run(b"a,\"b\"\"c"), Quotes::Quoted);
        assert_eq!(run(b"a,\"b\""), Quotes::QuoteInQuoted);
        assert_eq!(run(b"a\"b"), Quotes::Unquoted);
        assert_eq!(run(b"\"a\",\n"), Quotes::FieldStart);
        assert_eq!(Quotes::Quoted.unchanged(b"a,b\n\"", b','), 4);
        assert_eq!(Quotes::Unquoted.unchanged(b"a\"b;c", b';'), 3);
        assert_eq!(Quotes::FieldStart.unchanged(b"abc", b','), 0);
    }

    #[test]
    fn a_delimiter_is_one_every_record_holds_alike() {
        assert_eq!(
            csv_delimiter(b"a;b\n1;\"x\ny;z\"\n\n2;3", b",;"),
            Some(b';')
        );
        assert_eq!(csv_delimiter(b"a,b\n1,2,3", b",;"), None);
        assert_eq!(delimiter_counts(b"a,b\r\n\r\n1,2\r", b',', 6), [1, 1]);
    }
}
