//! CSV reader: one record per row, columns named as in the schema (case-insensitive),
//! lon/lat columns or a WKT `geometry` column.

use std::io::{self, Read};

use serde_json::Value;

use super::Event;
use super::build::RecordBuilder;
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
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = match csv.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => return csv_failure(file, Location::Line(1), e, sink),
    };
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
            None => Column::Extra,
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

    let mut row = csv::ByteRecord::new();
    let mut rows = 0usize;
    loop {
        let line = csv.position().line();
        match csv.read_byte_record(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                csv_failure(file, Location::Line(line), e, sink)?;
                continue;
            }
        }
        let line = row.position().map_or(line, |p| p.line());
        if row.len() == 1 && row[0].iter().all(u8::is_ascii_whitespace) {
            continue; // a blank line
        }
        rows += 1;
        let mut b = RecordBuilder::new(Location::Line(line));
        if row.len() != headers.len() {
            b.push(
                Diagnostic::error(None, format!("the row has {} fields but the header has {}", row.len(), headers.len()))
                    .with_hint("check for an unquoted comma or a missing field; quote text that contains commas"),
            );
        }
        for (i, raw) in row.iter().enumerate().take(columns.len()) {
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
    if rows == 0 {
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

/// Reports a CSV error as a problem of the file, or hands an I/O failure back.
fn csv_failure(
    file: &str,
    location: Location,
    e: csv::Error,
    sink: &mut dyn FnMut(Event),
) -> io::Result<()> {
    let message = format!("malformed CSV: {e}");
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Err(io),
        _ => {
            sink(Event::Problem(
                Diagnostic::error(None, message).at(file, location, None),
            ));
            Ok(())
        }
    }
}
