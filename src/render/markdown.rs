//! The markdown format: GitHub-flavoured tables fit for a pull-request comment. Same layout as
//! the terminal format (summary, grid, nested tables under bold titles, warnings and errors as a
//! table of their own), never cut to a width and never colored. Every text from the body (keys,
//! values, titles, messages) is escaped so GitHub renders it as the text it is — no link, image,
//! autolink, emphasis, code, math or HTML can come from data (see [`Escape::Markdown`]; a test
//! renders hostile text through a real GFM renderer); newlines become `<br>`, other control
//! characters are written as `\u{…}`.

use std::io::{self, Write};

use super::{message_details, Grid, Group, Printer, Style};
use crate::text::{self, Escape};

#[derive(Default, Clone)]
pub(crate) struct MarkdownPrinter {
    started: bool,
}

impl MarkdownPrinter {
    /// Markdown blocks need a blank line between them (a line right after a table would become
    /// one of its rows).
    fn gap(&mut self, w: &mut dyn Write) -> io::Result<()> {
        if self.started {
            w.write_all(b"\n")?;
        }
        self.started = true;
        Ok(())
    }
}

fn row(w: &mut dyn Write, cells: &[&str]) -> io::Result<()> {
    w.write_all(b"|")?;
    for cell in cells {
        w.write_all(b" ")?;
        w.write_all(cell.as_bytes())?;
        w.write_all(b" |")?;
    }
    w.write_all(b"\n")
}

impl Printer for MarkdownPrinter {
    fn fork(&self) -> Box<dyn Printer + Send> {
        Box::new(MarkdownPrinter { started: true })
    }

    fn escape(&self) -> Escape {
        Escape::Markdown
    }

    fn summary(&mut self, w: &mut dyn Write, text: &str) -> io::Result<()> {
        self.gap(w)?;
        writeln!(w, "{}", text::escaped(text, Escape::Markdown))
    }

    fn title(&mut self, w: &mut dyn Write, title: &str) -> io::Result<()> {
        self.gap(w)?;
        writeln!(w, "**{}**", text::escaped(title, Escape::Markdown))
    }

    fn grid(&mut self, w: &mut dyn Write, grid: &Grid) -> io::Result<()> {
        self.gap(w)?;
        let headers: Vec<&str> = grid.titles.headers.iter().map(String::as_str).collect();
        row(w, &headers)?;
        // `#` and columns holding only numbers are right-aligned: a first pass over the rows.
        let mut numeric: Vec<bool> = (0..grid.columns())
            .map(|c| c == 0 && grid.titles.headers[0] == "#")
            .collect();
        let mut all_numbers = vec![true; grid.columns()];
        let mut any_row = false;
        grid.each_row(|row| {
            any_row = true;
            for (c, all) in all_numbers.iter_mut().enumerate() {
                *all = *all && row.cell(c).1.style == Style::Number;
            }
            Ok(())
        })?;
        for (n, all) in numeric.iter_mut().zip(&all_numbers) {
            *n = *n || (any_row && *all);
        }
        let rules: Vec<&str> = numeric
            .iter()
            .map(|&n| if n { "--:" } else { "---" })
            .collect();
        row(w, &rules)?;
        let columns = grid.columns();
        grid.each_row(|r| {
            w.write_all(b"|")?;
            for c in 0..columns {
                w.write_all(b" ")?;
                w.write_all(r.cell(c).0.as_bytes())?;
                w.write_all(b" |")?;
            }
            w.write_all(b"\n")
        })
    }

    fn note(&mut self, w: &mut dyn Write, text: &str) -> io::Result<()> {
        self.gap(w)?;
        writeln!(w, "_{}_", text::escaped(text, Escape::Markdown))
    }

    fn messages(&mut self, w: &mut dyn Write, groups: &[Group], heading: bool) -> io::Result<()> {
        if heading {
            self.gap(w)?;
            writeln!(w, "**warnings and errors**")?;
            w.write_all(b"\n")?;
            row(
                w,
                &["record", "severity", "source_path", "message", "details"],
            )?;
            row(w, &["---", "---", "---", "---", "---"])?;
        }
        let esc = |s: &str| text::escaped(s, Escape::Markdown);
        for group in groups {
            let label = esc(&group.label);
            let entries = group
                .errors
                .iter()
                .map(|m| ("error", m))
                .chain(group.warnings.iter().map(|m| ("warning", m)));
            for (severity, message) in entries {
                let details: Vec<String> = message_details(message)
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}"))
                    .collect();
                row(
                    w,
                    &[
                        &label,
                        severity,
                        &esc(&message.source_path().unwrap_or_default()),
                        &esc(&message.message().unwrap_or_default()),
                        &esc(&details.join(", ")),
                    ],
                )?;
            }
        }
        Ok(())
    }
}
