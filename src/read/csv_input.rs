//! CSV reader: one record per row, columns named as in the schema (case-insensitive),
//! lon/lat columns or a WKT `geometry` column.

use std::io::{self, Read};

use serde_json::Value;

use super::Event;
use super::build::RecordBuilder;
use super::csv_rows::{Row, Rows};
use super::schema::{Cell, Field};
use crate::diagnostic::Diagnostic;
use crate::read::record::Location;

/// What each column holds.
enum Column {
    Known(Field),
    Extra,
    /// A second column for a field already given by an earlier column: ignored.
    Duplicate,
}

pub(super) fn visit(
    file: &str,
    reader: impl Read,
    crs: Option<&super::crs::Reprojector>,
    sink: &mut dyn FnMut(Event),
) -> io::Result<()> {
    let mut rows = Rows::new(reader);
    let mut headers = Row::default();
    rows.next_row(&mut headers)?;
    let problem = |d: Diagnostic| Event::Problem(d.at(file, Location::Line(1), None));
    let mut names = Vec::with_capacity(headers.len());
    let mut columns = Vec::with_capacity(headers.len());
    let mut seen = Vec::new();
    for raw in headers.iter() {
        let name = String::from_utf8_lossy(raw).trim().to_owned();
        let column = match Field::lookup(&name.to_ascii_lowercase()) {
            Some(f) if seen.contains(&f) => {
                sink(problem(
                    Diagnostic::error(
                        Some(&name),
                        format!(
                            "column {name:?} repeats field {:?}; the later column is ignored",
                            f.name()
                        ),
                    )
                    .with_hint("keep one column per field"),
                ));
                Column::Duplicate
            }
            Some(f) => {
                seen.push(f);
                Column::Known(f)
            }
            None => {
                if let Some(near) = crate::read::schema::near_field(&name) {
                    sink(problem(near_miss(&name, near, "column")));
                }
                Column::Extra
            }
        };
        // An unknown column is carried unchanged: one with no name, or a name already
        // taken, gets a name of its own (said once) rather than losing its values.
        let name = if matches!(column, Column::Extra) && (name.is_empty() || names.contains(&name))
        {
            let mut k = names.len() + 1;
            let mut renamed = format!("column_{k}");
            while names.contains(&renamed) {
                k += 1;
                renamed = format!("column_{k}");
            }
            let why = if name.is_empty() {
                "has no name".to_owned()
            } else {
                format!("repeats the name {name:?}")
            };
            sink(problem(
                Diagnostic::warning(
                    Some(&renamed),
                    format!(
                        "column {} {why}; its values are carried as {renamed:?}",
                        names.len() + 1
                    ),
                )
                .with_hint("give every column its own name"),
            ));
            renamed
        } else {
            name
        };
        names.push(name);
        columns.push(column);
    }
    if !seen.contains(&Field::Id) {
        sink(problem(
            Diagnostic::error(Some("id"), "the header has no id column")
                .with_hint("the first line of a CSV file names the columns; see docs/schema.md"),
        ));
    }

    let mut row = Row::default();
    let mut records = 0usize;
    while rows.next_row(&mut row)? {
        if row.len() == 1
            && row
                .get(0)
                .is_some_and(|f| f.iter().all(u8::is_ascii_whitespace))
        {
            continue; // a blank line
        }
        records += 1;
        let mut b = RecordBuilder::new(Location::Line(row.line));
        if row.len() != headers.len() {
            b.push(
                Diagnostic::error(None, format!("the row has {} fields but the header has {}", row.len(), headers.len()))
                    .with_hint("check for an unquoted comma or a missing field; quote text that contains commas"),
            );
        }
        for (i, raw) in row.iter().enumerate().take(columns.len()) {
            // An empty cell of a known field is a missing value, which is what a fresh
            // record holds already (a test sets every field from an empty cell and finds
            // the record unchanged): most cells of a wide file are empty.
            if raw.is_empty() && matches!(columns[i], Column::Known(_)) {
                continue;
            }
            let text = match std::str::from_utf8(raw) {
                Ok(t) => t,
                Err(e) => {
                    b.push(
                        Diagnostic::error(
                            Some(&names[i]),
                            format!(
                                "the value is not valid UTF-8 (bad byte at offset {})",
                                e.valid_up_to()
                            ),
                        )
                        .with_hint("save the file as UTF-8"),
                    );
                    continue;
                }
            };
            match columns[i] {
                Column::Known(f) => b.set(f, &names[i], Cell::Text(text)),
                Column::Extra => b.set_extra(&names[i], Value::String(text.to_owned())),
                Column::Duplicate => {}
            }
        }
        sink(Event::Record(Box::new(b.finish_with(file, crs))));
    }
    if records == 0 {
        sink(Event::Problem(
            Diagnostic::warning(None, "the file has a header but no records").at(
                file,
                Location::File,
                None,
            ),
        ));
    }
    Ok(())
}

/// The warning for an unknown column or property whose name is near a schema field.
pub(crate) fn near_miss(name: &str, near: &str, what: &str) -> Diagnostic {
    Diagnostic::warning(
        Some(name),
        format!("{what} {name:?} is not a schema field: carried to the outputs as it is, not used by the models"),
    )
    .with_hint(format!("did you mean {near:?}? (docs/schema.md lists the fields)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line each record is reported on, for one text with three line endings.
    fn lines_of(text: &str) -> Vec<String> {
        let mut found = Vec::new();
        visit("t.csv", text.as_bytes(), None, &mut |e| {
            if let Event::Record(p) = e {
                found.push(p.record.location.to_string());
            }
        })
        .unwrap();
        found
    }

    /// Records come in the file's order, each on its own line, lines of spaces skipped.
    #[test]
    fn records_keep_the_file_order_and_their_lines() {
        let n = 2500;
        let mut text = String::from("id,name\n");
        let mut expected = Vec::new();
        let mut line = 2;
        for i in 0..n {
            text.push_str(&format!("R{i},Row {i}\n"));
            expected.push(format!("R{i} line {line}"));
            line += 1;
            if i % 700 == 0 {
                text.push_str("  \n");
                line += 1;
            }
        }
        let mut found = Vec::new();
        visit("t.csv", text.as_bytes(), None, &mut |e| {
            if let Event::Record(p) = e {
                found.push(format!("{} {}", p.record.id, p.record.location));
            }
        })
        .unwrap();
        assert_eq!(found, expected);
    }

    /// An empty line counts: the row after it is on the line after it (the csv crate's
    /// record positions start at the skipped empty line, one line early).
    #[test]
    fn a_row_after_empty_lines_is_on_its_own_line() {
        assert_eq!(
            lines_of("id,name\nR0,A\n\nR1,B\n\n\nR2,C"),
            ["line 2", "line 4", "line 7"]
        );
    }

    #[test]
    fn lines_are_counted_for_lf_crlf_and_cr_alike() {
        let rows = ["id,name", "A1,One", "A2,\"Two\nlines\"", "A3,Three"];
        for end in ["\n", "\r\n", "\r"] {
            let text = rows.join(end) + end;
            assert_eq!(
                lines_of(&text),
                ["line 2", "line 3", "line 5"],
                "line ending {end:?}"
            );
        }
    }
}
