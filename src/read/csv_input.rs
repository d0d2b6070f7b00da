//! CSV reader: one record per row, columns named as in the schema (case-insensitive),
//! lon/lat columns or a WKT `geometry` column.

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;

use super::build::RecordBuilder;
use super::csv_rows::{Ended, Row, Rows};
use super::schema::{Cell, Field};
use super::{Event, Halves, Part, RecordBudget, SecondHalf};
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
    let header = Header::read(file, &mut rows, sink)?;
    if header.rows(file, &mut rows, crs, sink, None)? == 0 {
        sink(no_records(file));
    }
    Ok(())
}

/// [`visit`] of a file with WGS84 coordinates, its first half on this thread and its
/// second half, the rows after the line feed at file byte `halves.split`, on another
/// thread, whose events go to `halves.part`. The part is handed back, with the lines
/// before the second half, when the first half's rows end at that line feed; when a row
/// runs over it (a quoted line break), or no thread can be had, the first half's read
/// goes on to the end and the second half's events are dropped.
pub(super) fn visit_halves<P: Part>(
    file: &str,
    reader: impl Read,
    halves: Halves<P>,
    sink: &mut dyn FnMut(Event),
) -> io::Result<Option<SecondHalf<P, io::Error>>> {
    let mut rows = Rows::new(reader);
    let header = Header::read(file, &mut rows, sink)?;
    let Halves {
        file: handle,
        split,
        origin,
        part,
    } = halves;
    let stop = AtomicBool::new(false);
    let (header, stop, handle) = (&header, &stop, &handle);
    let second = move |mut part: P| {
        let budget = RecordBudget::new(ReadAt {
            file: handle,
            at: split + 1,
        });
        let spent = budget.spent.clone();
        let mut rows = Rows::resume(BufReader::with_capacity(1 << 16, budget));
        let mut sink = |event| {
            spent.set(0);
            part.take(event)
        };
        let read = header.rows(file, &mut rows, None, &mut sink, Some(stop));
        (part, read)
    };
    std::thread::scope(|scope| {
        let later = std::thread::Builder::new().spawn_scoped(scope, move || second(part));
        if later.is_ok() {
            rows.stop_at(split - origin);
        }
        let first = header.rows(file, &mut rows, None, sink, None);
        let lines_before = match rows.ended() {
            Some(Ended::At { lines_before }) => Some(lines_before),
            _ => None,
        };
        if lines_before.is_none() || first.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        let later = later
            .ok()
            .map(|t| t.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        let records = first?;
        let (Some(lines_before), Some((part, read))) = (lines_before, later) else {
            if records == 0 {
                sink(no_records(file));
            }
            return Ok(None);
        };
        if matches!(read, Ok(0)) && records == 0 {
            sink(no_records(file));
        }
        Ok(Some(SecondHalf {
            part,
            lines_before,
            result: read.map(|_| ()),
        }))
    })
}

/// The header row: each column's name and what it holds.
struct Header {
    names: Vec<String>,
    columns: Vec<Column>,
}

impl Header {
    /// Reads the header row of `rows`, its problems to `sink`.
    fn read<R: Read>(
        file: &str,
        rows: &mut Rows<R>,
        sink: &mut dyn FnMut(Event),
    ) -> io::Result<Header> {
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
            let name =
                if matches!(column, Column::Extra) && (name.is_empty() || names.contains(&name)) {
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
                Diagnostic::error(Some("id"), "the header has no id column").with_hint(
                    "the first line of a CSV file names the columns; see docs/schema.md",
                ),
            ));
        }
        Ok(Header { names, columns })
    }

    /// Reads the records of `rows` to `sink` until the rows end, or until `halt` is set;
    /// the number read.
    fn rows<R: Read>(
        &self,
        file: &str,
        rows: &mut Rows<R>,
        crs: Option<&super::crs::Reprojector>,
        sink: &mut dyn FnMut(Event),
        halt: Option<&AtomicBool>,
    ) -> io::Result<usize> {
        let Header { names, columns } = self;
        let mut row = Row::default();
        let mut records = 0usize;
        while rows.next_row(&mut row)? {
            if halt.is_some_and(|h| h.load(Ordering::Relaxed)) {
                break;
            }
            if row.len() == 1
                && row
                    .get(0)
                    .is_some_and(|f| f.iter().all(u8::is_ascii_whitespace))
            {
                continue; // a blank line
            }
            records += 1;
            let mut b = RecordBuilder::new(Location::Line(row.line));
            if row.len() != columns.len() {
                b.push(
                    Diagnostic::error(None, format!("the row has {} fields but the header has {}", row.len(), columns.len()))
                        .with_hint("check for an unquoted comma or a missing field; quote text that contains commas"),
                );
            }
            for (i, text) in row.texts().enumerate().take(columns.len()) {
                // An empty cell of a known field is a missing value, which is what a fresh
                // record holds already (a test sets every field from an empty cell and finds
                // the record unchanged): most cells of a wide file are empty.
                if text.is_ok_and(str::is_empty) && matches!(columns[i], Column::Known(_)) {
                    continue;
                }
                let text = match text {
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
            sink(Event::Record(b.finish_boxed(file, crs)));
        }
        Ok(records)
    }
}

/// The warning for a file of a header and no rows.
fn no_records(file: &str) -> Event {
    Event::Problem(
        Diagnostic::warning(None, "the file has a header but no records").at(
            file,
            Location::File,
            None,
        ),
    )
}

/// A file read from byte `at` on, leaving its handle's own position alone (so another
/// thread can read the same file through another handle).
struct ReadAt<'a> {
    file: &'a File,
    at: u64,
}

impl Read for ReadAt<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = super::read_at(self.file, buf, self.at)?;
        self.at += n as u64;
        Ok(n)
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

    /// The events of a second half, kept.
    #[derive(Default)]
    struct Collect(Vec<Event>);

    impl Part for Collect {
        fn take(&mut self, event: Event) {
            self.0.push(event);
        }
    }

    /// Events as text to compare, their CSV lines moved on by `shift`.
    fn shown(events: Vec<Event>, shift: u64) -> Vec<String> {
        let line = |l: &Location| match l {
            Location::Line(n) => format!("line {}", n + shift),
            other => format!("{other:?}"),
        };
        let problem = |d: &Diagnostic| format!("{} {:?} {}", line(&d.location), d.field, d.message);
        events
            .iter()
            .map(|e| match e {
                Event::Record(p) => format!(
                    "{} {} {:?}",
                    p.record.id,
                    line(&p.record.location),
                    p.diagnostics.iter().map(problem).collect::<Vec<_>>()
                ),
                Event::Problem(d) => problem(d),
            })
            .collect()
    }

    /// `text` read whole.
    fn read_whole(text: &[u8]) -> Vec<String> {
        let mut events = Vec::new();
        visit("t.csv", text, None, &mut |e| events.push(e)).unwrap();
        shown(events, 0)
    }

    /// `text` read as two halves split at the line feed at byte `split`, and whether the
    /// second half was used.
    fn read_as_halves(text: &[u8], split: u64) -> (Vec<String>, bool) {
        use std::io::Write as _;
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(text).unwrap();
        let halves = Halves {
            file: file.try_clone().unwrap(),
            split,
            origin: 0,
            part: Collect::default(),
        };
        let reader = ReadAt { file: &file, at: 0 };
        let mut events = Vec::new();
        let second = visit_halves("t.csv", reader, halves, &mut |e| events.push(e)).unwrap();
        let mut shown = shown(events, 0);
        let used = second.is_some();
        if let Some(second) = second {
            second.result.unwrap();
            shown.extend(self::shown(second.part.0, second.lines_before));
        }
        (shown, used)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        /// Split at any line feed, the two halves give the whole file's events in its
        /// order, with its lines, whatever the quotes, line ends and blank rows.
        #[test]
        fn two_halves_read_as_the_whole(
            body in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just(b'A'), proptest::strategy::Just(b'7'),
                    proptest::strategy::Just(b'.'), proptest::strategy::Just(b','),
                    proptest::strategy::Just(b'"'), proptest::strategy::Just(b'\r'),
                    proptest::strategy::Just(b'\n'), proptest::strategy::Just(b' '),
                    proptest::strategy::Just(0xEF), proptest::strategy::Just(0xBB),
                    proptest::strategy::Just(0xBF),
                ],
                0..160,
            ),
        ) {
            let mut text = b"id,grade_treo_pct\n".to_vec();
            text.extend(body);
            let whole = read_whole(&text);
            for split in memchr::memchr_iter(b'\n', &text) {
                let (halves, _) = read_as_halves(&text, split as u64);
                proptest::prop_assert_eq!(&halves, &whole, "split at byte {}", split);
            }
        }
    }

    /// By hand: the second half is used when the line feed ends a row, an empty line or
    /// the header, not when it is inside a quoted field.
    #[test]
    fn the_second_half_is_used_only_at_a_row_end() {
        let text = b"id,name\nA1,\"two\nlines\"\r\n\nA2,x\nA3,y\n";
        let whole = read_whole(text);
        assert_eq!(whole.len(), 3);
        let used: Vec<(usize, bool)> = memchr::memchr_iter(b'\n', text)
            .map(|split| {
                let (events, used) = read_as_halves(text, split as u64);
                assert_eq!(events, whole, "split at byte {split}");
                (split, used)
            })
            .collect();
        assert_eq!(
            used,
            [
                (7, true),
                (15, false),
                (23, true),
                (24, true),
                (29, true),
                (34, true)
            ]
        );
    }

    /// A byte order mark is one only at the start of the file: after the line feed the
    /// second half starts at, it is the id's first character, as in the whole read.
    #[test]
    fn a_byte_order_mark_in_the_middle_is_data() {
        let text = "id,name\nA1,x\n\u{feff}A2,y\n";
        let whole = read_whole(text.as_bytes());
        assert!(whole[1].starts_with("\u{feff}A2 line 3 "), "{}", whole[1]);
        assert_eq!(read_as_halves(text.as_bytes(), 12), (whole, true));
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
