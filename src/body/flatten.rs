//! The one body → CSV flattener, used by `show --format csv` and `convert --to csv` (with and
//! without `--nest`).
//!
//! **The rule.** Each column of the records table is one CSV column, holding its values as text
//! (`null` → empty field, numbers as written, strings unescaped, anything that is not a valid value
//! as compact JSON). A column that holds nested tables is *spread*: one CSV column
//! `Column<sep>key` per key of its tables (the union of their keys, first seen first), and a record
//! takes as many CSV rows as its tallest table, its plain values repeated on each row; rows past
//! the end of a shorter table are empty in that table's columns, and an empty table (header only)
//! leaves its columns empty. **Tables inside nested tables are spread the same way, recursively**:
//! a column `parts` of the table `lines` becomes `lines<sep>parts<sep>part`,
//! `lines<sep>parts<sep>qty`; a row of `lines` takes as many CSV rows as its tallest inner table,
//! its own plain values repeated on each of them. A column that holds tables in some records and a
//! plain value in others keeps both: a plain column `Column` before its spread columns, so no value
//! is lost. The separator is a parameter (`convert --nest-sep`; `show` uses `.`).
//!
//! Two passes over the records, both streaming: [`Flattener::plan`] learns the columns, then
//! [`Flattener::record`] hands out the CSV rows of one record at a time in a reused buffer.

use std::borrow::Cow;

use super::{key_text, Table, Value, ValueKind};

/// One planned CSV column group.
#[derive(Debug, Clone)]
struct Column {
    name: String,
    /// Which occurrence of `name` in its table's header this is (0 for the first): a key a
    /// header repeats (the validator rejects it) keeps its own column, and its values.
    occurrence: usize,
    /// Non-table values were seen (or no table ever was): the column has a plain field.
    plain: bool,
    /// The spread sub-columns when tables were seen.
    table: Option<Vec<Column>>,
    /// Fields this column takes in a CSV row.
    fields: usize,
}

impl Column {
    fn new(name: String, occurrence: usize) -> Column {
        Column {
            name,
            occurrence,
            plain: false,
            table: None,
            fields: 0,
        }
    }

    fn has_plain_field(&self) -> bool {
        self.plain || self.table.is_none()
    }

    /// Learn from one value of this column.
    fn learn(&mut self, value: &Value) {
        match value.kind() {
            ValueKind::Null => {}
            ValueKind::Array => match Table::from_value(value) {
                Some(table) => {
                    let subs = self.table.get_or_insert_with(Vec::new);
                    let slots = slots_for(subs, &table, true);
                    for row in table.records() {
                        for (value, slot) in row.items().zip(&slots) {
                            if let Some(s) = slot {
                                subs[*s].learn(&value);
                            }
                        }
                    }
                }
                None => self.plain = true,
            },
            _ => self.plain = true,
        }
    }

    fn count_fields(&mut self) -> usize {
        let mut fields = usize::from(self.has_plain_field());
        if let Some(subs) = &mut self.table {
            fields += subs.iter_mut().map(Column::count_fields).sum::<usize>();
        }
        self.fields = fields;
        fields
    }

    fn header(&self, prefix: &str, sep: &str, out: &mut Vec<String>) {
        let name = format!("{prefix}{}", self.name);
        if self.has_plain_field() {
            out.push(name.clone());
        }
        if let Some(subs) = &self.table {
            let inner = format!("{name}{sep}");
            for sub in subs {
                sub.header(&inner, sep, out);
            }
        }
    }
}

/// For each column of `table` (by position), the index of the sub-column with its key (the
/// same occurrence of it); `add` appends keys not seen yet.
fn slots_for(subs: &mut Vec<Column>, table: &Table, add: bool) -> Vec<Option<usize>> {
    header_keys(table)
        .into_iter()
        .map(|(key, occurrence)| {
            match subs
                .iter()
                .position(|s| s.name == *key && s.occurrence == occurrence)
            {
                Some(i) => Some(i),
                None if add => {
                    subs.push(Column::new(key.into_owned(), occurrence));
                    Some(subs.len() - 1)
                }
                None => None,
            }
        })
        .collect()
}

/// A table's keys, each with how many times the header had it before.
fn header_keys<'t>(table: &Table<'t>) -> Vec<(Cow<'t, str>, usize)> {
    let keys: Vec<Cow<'t, str>> = table.header_values().map(|k| key_text(&k)).collect();
    let mut occurrences = Vec::with_capacity(keys.len());
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for key in &keys {
        let n = seen.entry(key.as_ref()).or_insert(0);
        occurrences.push(*n);
        *n += 1;
    }
    keys.into_iter().zip(occurrences).collect()
}

fn slots_of(subs: &[Column], table: &Table) -> Vec<Option<usize>> {
    header_keys(table)
        .into_iter()
        .map(|(key, occurrence)| {
            subs.iter()
                .position(|s| s.name == *key && s.occurrence == occurrence)
        })
        .collect()
}

/// Makes a CSV header's names unique, the one rule for every CSV `show` and `convert` write: left
/// to right, the first column with a name keeps it; a later column with a name already taken (a
/// column `show` adds, such as `process_time` or `_extra_N`, a key repeated, a plain column named
/// like a spread `Table.column`) gets the first of `name_2`, `name_3`, … that no column of the
/// header has, so every name appears once and the body's own names are never taken.
pub(crate) fn unique_names(names: &mut [String]) {
    use std::collections::{HashMap, HashSet};
    let all: HashSet<String> = names.iter().cloned().collect();
    if all.len() == names.len() {
        return;
    }
    let mut used: HashSet<String> = HashSet::with_capacity(names.len());
    let mut next: HashMap<String, usize> = HashMap::new();
    for name in names.iter_mut() {
        if used.insert(name.clone()) {
            continue;
        }
        let k = next.entry(name.clone()).or_insert(2);
        let unique = loop {
            let candidate = format!("{name}_{k}");
            *k += 1;
            if !all.contains(&candidate) && !used.contains(&candidate) {
                break candidate;
            }
        };
        used.insert(unique.clone());
        *name = unique;
    }
}

/// Where the first nested table of the records is (for `convert --to csv` without `--nest`).
#[derive(Debug, Clone)]
pub(crate) struct FirstTable<'a> {
    /// 0-based record index.
    pub(crate) record: usize,
    /// 0-based column index.
    pub(crate) column: usize,
    pub(crate) value: Value<'a>,
}

/// The CSV layout of a records table, learnt in a first pass.
#[derive(Debug, Clone)]
pub(crate) struct Flattener<'a> {
    columns: Vec<Column>,
    sep: String,
    fields: usize,
    first_table: Option<FirstTable<'a>>,
}

/// A CSV field's text for a value: `null` empty, numbers as written, strings unescaped, anything
/// else (an object, an array that is not a table) as compact JSON.
pub(crate) fn field_text<'a>(value: &Value<'a>) -> Cow<'a, str> {
    match value.kind() {
        ValueKind::Null => Cow::Borrowed(""),
        ValueKind::Bool | ValueKind::Number => Cow::Borrowed(value.raw()),
        ValueKind::String => value.as_str().unwrap_or_default(),
        ValueKind::Array | ValueKind::Object => {
            Cow::Owned(crate::json::write::to_compact_string(value))
        }
    }
}

/// Plans a [`Flattener`] from the records' cells, one record at a time.
pub(crate) struct Planner<'a> {
    columns: Vec<Column>,
    sep: String,
    first_table: Option<FirstTable<'a>>,
    record: usize,
}

impl<'a> Planner<'a> {
    pub(crate) fn new(names: Vec<String>, sep: &str) -> Planner<'a> {
        Planner {
            columns: names.into_iter().map(|n| Column::new(n, 0)).collect(),
            sep: sep.to_string(),
            first_table: None,
            record: 0,
        }
    }

    /// Learn from the next record's cells.
    pub(crate) fn observe(&mut self, cells: &[Value<'a>]) {
        for (c, value) in cells.iter().enumerate() {
            let Some(column) = self.columns.get_mut(c) else {
                break;
            };
            // Plain columns stay plain cheaply: only arrays can be tables.
            if value.kind() != ValueKind::Array {
                column.plain |= !value.is_null();
                continue;
            }
            if self.first_table.is_none() && Table::from_value(value).is_some() {
                self.first_table = Some(FirstTable {
                    record: self.record,
                    column: c,
                    value: *value,
                });
            }
            column.learn(value);
        }
        self.record += 1;
    }

    pub(crate) fn finish(self) -> Flattener<'a> {
        let mut flattener = Flattener {
            columns: self.columns,
            sep: self.sep,
            fields: 0,
            first_table: self.first_table,
        };
        flattener.fields = flattener.columns.iter_mut().map(Column::count_fields).sum();
        flattener
    }
}

impl<'a> Flattener<'a> {
    /// Plan the CSV columns of `records` (rows after the header) under the column names `names`
    /// (the header's keys, and `_extra_N` for values beyond it). `sep` joins a table's name and
    /// its keys.
    pub(crate) fn plan(
        names: Vec<String>,
        records: impl Iterator<Item = Value<'a>>,
        sep: &str,
    ) -> Flattener<'a> {
        let mut planner = Planner::new(names, sep);
        let mut cells = Vec::new();
        for record in records {
            cells.clear();
            cells.extend(record.items());
            planner.observe(&cells);
        }
        planner.finish()
    }

    /// The first nested table found by the plan, if any.
    pub(crate) fn first_table(&self) -> Option<&FirstTable<'a>> {
        self.first_table.as_ref()
    }

    /// The first column, at any level, whose own name holds the separator, as its full CSV name
    /// (such a name is ambiguous when the CSV is read back with `--nest`).
    pub(crate) fn name_with_separator(&self) -> Option<String> {
        fn find(columns: &[Column], prefix: &str, sep: &str) -> Option<String> {
            columns.iter().find_map(|c| {
                let name = format!("{prefix}{}", c.name);
                if c.name.contains(sep) {
                    return Some(name);
                }
                find(c.table.as_deref()?, &format!("{name}{sep}"), sep)
            })
        }
        find(&self.columns, "", &self.sep)
    }

    /// Whether any column is spread.
    pub(crate) fn has_tables(&self) -> bool {
        self.first_table.is_some()
    }

    /// The CSV header: one name per field, unique ([`unique_names`]).
    pub(crate) fn header(&self) -> Vec<String> {
        self.header_with(&[])
    }

    /// The CSV header followed by the columns `added` after the body's (`show`'s `process_time`
    /// and `status`), every name unique by [`unique_names`]: an added column never takes the
    /// name of a body column.
    pub(crate) fn header_with(&self, added: &[&str]) -> Vec<String> {
        let mut out = Vec::with_capacity(self.fields + added.len());
        for column in &self.columns {
            column.header("", &self.sep, &mut out);
        }
        out.extend(added.iter().map(|name| name.to_string()));
        unique_names(&mut out);
        out
    }

    /// Fields per CSV row.
    pub(crate) fn fields(&self) -> usize {
        self.fields
    }

    #[cfg(test)]
    /// The CSV rows of one record: calls `line` with each row's fields, in order. `buffer` is
    /// reused between records (no allocation for a record without tables beyond owned texts).
    pub(crate) fn record<E>(
        &self,
        record: &Value<'a>,
        buffer: &mut Vec<Cow<'a, str>>,
        line: impl FnMut(&[Cow<'a, str>]) -> Result<(), E>,
    ) -> Result<(), E> {
        self.record_with(record, buffer, Cow::Borrowed(""), field_text, line)
    }

    /// The CSV rows of one record, as `record` would give them, with fields made by `make` from each value (`empty` where a row
    /// has no value), e.g. to keep whether a field was a string.
    pub(crate) fn record_with<T: Clone, E>(
        &self,
        record: &Value<'a>,
        buffer: &mut Vec<T>,
        empty: T,
        make: impl Fn(&Value<'a>) -> T + Copy,
        line: impl FnMut(&[T]) -> Result<(), E>,
    ) -> Result<(), E> {
        let cells: Vec<Value<'a>> = record.items().collect();
        self.cells_with(&cells, buffer, empty, make, line)
    }

    /// [`Flattener::record_with`] for a record whose cells are already found
    /// ([`Table::each_record`] finds them in its one walk).
    pub(crate) fn cells_with<T: Clone, E>(
        &self,
        cells: &[Value<'a>],
        buffer: &mut Vec<T>,
        empty: T,
        make: impl Fn(&Value<'a>) -> T + Copy,
        mut line: impl FnMut(&[T]) -> Result<(), E>,
    ) -> Result<(), E> {
        buffer.clear();
        if !self.has_tables() {
            let mut values = cells.iter();
            for column in &self.columns {
                buffer.push(values.next().map_or_else(|| empty.clone(), make));
                debug_assert_eq!(column.fields, 1);
            }
            return line(buffer);
        }
        let mut slots: Vec<Option<Value<'a>>> = vec![None; self.columns.len()];
        for (slot, value) in slots.iter_mut().zip(cells) {
            *slot = Some(*value);
        }
        let height = row_height(&self.columns, &slots);
        buffer.resize(height * self.fields, empty);
        let mut grid = Lines {
            cells: buffer,
            stride: self.fields,
        };
        fill_row(&self.columns, &slots, 0, height, 0, &mut grid, make);
        for l in 0..height {
            line(&buffer[l * self.fields..(l + 1) * self.fields])?;
        }
        Ok(())
    }
}

struct Lines<'b, T> {
    cells: &'b mut Vec<T>,
    stride: usize,
}

/// CSV rows a table value takes in a spread column.
fn table_height(subs: &[Column], table: &Table) -> usize {
    let slots = slots_of(subs, table);
    let mut values = vec![None; subs.len()];
    table
        .records()
        .map(|row| {
            row_slots(&slots, &row, &mut values);
            row_height(subs, &values)
        })
        .sum()
}

fn row_slots<'a>(slots: &[Option<usize>], row: &Value<'a>, values: &mut [Option<Value<'a>>]) {
    values.iter_mut().for_each(|v| *v = None);
    for (value, slot) in row.items().zip(slots) {
        if let Some(s) = slot {
            if values[*s].is_none() {
                values[*s] = Some(value);
            }
        }
    }
}

/// CSV rows one row (record or nested-table row) takes: its tallest table, at least one.
fn row_height(columns: &[Column], values: &[Option<Value>]) -> usize {
    let mut height = 1;
    for (column, value) in columns.iter().zip(values) {
        if let (Some(subs), Some(value)) = (&column.table, value) {
            if let Some(table) = Table::from_value(value) {
                height = height.max(table_height(subs, &table));
            }
        }
    }
    height
}

/// Write one row's values into lines `line..line + height`, fields from `field`.
fn fill_row<'a, T: Clone>(
    columns: &[Column],
    values: &[Option<Value<'a>>],
    line: usize,
    height: usize,
    mut field: usize,
    grid: &mut Lines<'_, T>,
    make: impl Fn(&Value<'a>) -> T + Copy,
) {
    for (column, value) in columns.iter().zip(values) {
        let table = match (&column.table, value) {
            (Some(_), Some(v)) => Table::from_value(v),
            _ => None,
        };
        if column.has_plain_field() {
            if let (Some(value), None) = (value, &table) {
                let text = make(value);
                for l in line..line + height {
                    grid.cells[l * grid.stride + field] = text.clone();
                }
            }
            field += 1;
        }
        if let Some(subs) = &column.table {
            if let Some(table) = table {
                let slots = slots_of(subs, &table);
                let mut row_values = vec![None; subs.len()];
                let mut at = line;
                for row in table.records() {
                    row_slots(&slots, &row, &mut row_values);
                    let h = row_height(subs, &row_values);
                    fill_row(subs, &row_values, at, h, field, grid, make);
                    at += h;
                }
            }
            field += column.fields - usize::from(column.has_plain_field());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn flatten(text: &str, sep: &str) -> Vec<String> {
        let doc = parse(text).unwrap();
        let table = Table::from_records_array(&doc.get("inputs").unwrap()).unwrap();
        let f = Flattener::plan(table.keys(), table.records(), sep);
        let mut out = vec![f.header().join(",")];
        let mut buffer = Vec::new();
        for record in table.records() {
            f.record(&record, &mut buffer, |fields| {
                out.push(fields.join(","));
                Ok::<(), ()>(())
            })
            .unwrap();
        }
        out
    }

    #[test]
    fn one_level_tables_spread_into_rows() {
        let out = flatten(
            r#"{"inputs":[["k","T"],["x",[["a","b"],[1,2],[3,4]]],["y",null],["z",[["b"]]]]}"#,
            ".",
        );
        assert_eq!(out, ["k,T.a,T.b", "x,1,2", "x,3,4", "y,,", "z,,"]);
    }

    #[test]
    fn tables_inside_tables_spread_recursively() {
        let out = flatten(
            r#"{"inputs":[["order","lines"],["A-1",[["item","parts"],["bike",[["part","qty"],["wheel",2],["frame",1]]],["bell",null]]],["A-2",[["item","parts"]]]]}"#,
            "/",
        );
        assert_eq!(
            out,
            [
                "order,lines/item,lines/parts/part,lines/parts/qty",
                "A-1,bike,wheel,2",
                "A-1,bike,frame,1",
                "A-1,bell,,",
                "A-2,,,",
            ]
        );
    }

    #[test]
    fn a_column_with_tables_and_plain_values_keeps_both() {
        let out = flatten(r#"{"inputs":[["T"],[7],[[["a"],[1]]]]}"#, ".");
        assert_eq!(out, ["T,T.a", "7,", ",1"]);
    }

    #[test]
    fn repeated_names_take_the_first_free_suffix() {
        let mut names: Vec<String> = ["a", "a_2", "a", "b", "a", "b"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        unique_names(&mut names);
        assert_eq!(names, ["a", "a_2", "a_3", "b", "a_4", "b_2"]);
    }

    #[test]
    fn a_key_repeated_in_a_nested_header_keeps_its_values() {
        let out = flatten(r#"{"inputs":[["T"],[[["a","b","a"],[1,2,3]]]]}"#, ".");
        assert_eq!(out, ["T.a,T.b,T.a_2", "1,2,3"]);
    }
}
