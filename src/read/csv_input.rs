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
    let lines = LineIndex::default();
    let reader = Counted {
        inner: reader,
        lines: lines.clone(),
    };
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

    let mut row = csv::ByteRecord::new();
    let mut rows = 0usize;
    loop {
        let line = lines.line_at(csv.position().byte());
        match csv.read_byte_record(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                csv_failure(file, Location::Line(line), e, sink)?;
                continue;
            }
        }
        let line = row.position().map_or(line, |p| lines.line_at(p.byte()));
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

/// Line numbers of byte offsets, for messages: a line ends at LF, CRLF or a lone CR (the
/// csv crate reads all three, but counts LFs only, so CRLF and CR-only files were
/// reported on the wrong lines). Holds only the line breaks of the read-ahead window;
/// offsets must be asked for in increasing order, as records come.
#[derive(Clone, Default)]
struct LineIndex(std::rc::Rc<std::cell::RefCell<Breaks>>);

#[derive(Default)]
struct Breaks {
    /// Offsets at which a line starts, beyond those already passed.
    starts: std::collections::VecDeque<u64>,
    /// Lines that start before the first of `starts`.
    passed: u64,
    /// Bytes seen so far.
    seen: u64,
    /// Whether the last byte seen was a CR (a following LF ends no new line).
    after_cr: bool,
}

impl LineIndex {
    /// The 1-based line on which the byte at `offset` lies.
    fn line_at(&self, offset: u64) -> u64 {
        let mut b = self.0.borrow_mut();
        while b.starts.front().is_some_and(|s| *s <= offset) {
            b.starts.pop_front();
            b.passed += 1;
        }
        b.passed + 1
    }

    fn note(&self, bytes: &[u8]) {
        let mut b = self.0.borrow_mut();
        let Some(&last) = bytes.last() else { return };
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            let after_cr = match i {
                0 => b.after_cr,
                _ => bytes[i - 1] == b'\r',
            };
            // CRLF: the line ended at the CR (the csv crate may start the next record at
            // the LF itself).
            if !(bytes[i] == b'\n' && after_cr) {
                let at = b.seen + i as u64 + 1;
                b.starts.push_back(at);
            }
        }
        b.after_cr = last == b'\r';
        b.seen += bytes.len() as u64;
    }
}

/// A reader that tells a [`LineIndex`] what passes through it.
struct Counted<R> {
    inner: R,
    lines: LineIndex,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.lines.note(&buf[..n]);
        Ok(n)
    }
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

    /// Line starts by hand: in "a\r\nb\rc\n\r\nd" lines start after each CR (bytes 2, 5
    /// and 8; the LF of a CRLF counts with the next line) and after the lone LF (byte 7);
    /// the same wherever the reads split the text, even inside a CRLF.
    #[test]
    fn line_breaks_split_across_reads_count_once() {
        let text = b"a\r\nb\rc\n\r\nd";
        // Line of each byte offset: 0-1 on line 1, 2-4 on 2, 5-6 on 3, 7 on 4, 8-9 on 5.
        let expected = [1, 1, 2, 2, 2, 3, 3, 4, 5, 5];
        for cut in 0..=text.len() {
            for cut2 in cut..=text.len() {
                let lines = LineIndex::default();
                lines.note(&text[..cut]);
                lines.note(&text[cut..cut2]);
                lines.note(&text[cut2..]);
                let found: Vec<u64> = (0..text.len() as u64).map(|o| lines.line_at(o)).collect();
                assert_eq!(found, expected, "reads split at {cut} and {cut2}");
            }
        }
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
