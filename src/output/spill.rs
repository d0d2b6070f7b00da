//! Output of runs of any size: each project's rows are encoded as it is appraised, kept
//! in a temporary file with a sort key, and written in the report's order at the end.
//! Memory holds the sort keys (an NPV and an id per project), not the rows.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};

use crate::appraisal::{Appraisal, Report, report_order};

use super::aligned_each;
use super::appraisal::{
    CASHFLOW_COLUMNS, CSV_COLUMNS, Cells, DRAW_COLUMNS, TABLE_COLUMNS, cashflow_rows, csv_cells,
    draw_rows, table_row, write_table_notes,
};
use super::neutralise;
use crate::portfolio::timeline::{Placement, ProjectLine, ProjectLines};

/// A project's place in the report: NPV (highest first, unvalued last), then id.
#[derive(Debug, Clone)]
struct Key {
    npv: Option<f64>,
    id: Box<str>,
}

impl Key {
    fn cmp(&self, other: &Key) -> std::cmp::Ordering {
        report_order((self.npv, &self.id), (other.npv, &other.id))
    }
}

/// Bytes of blobs a thread reads and formats at a time when a spill is written
/// ([`Spill::write_sorted`]; judgement): a run of blobs ends at the one that reaches it.
const RUN_BYTES: u64 = 1 << 20;

/// Bytes of the CSV writer's buffer for one row (flushed into the run's bytes when full).
const ROW_BUFFER: usize = 4096;

/// Blobs of bytes in a temporary file (deleted when dropped), read back in any order.
pub struct Blobs {
    out: BufWriter<File>,
    at: u64,
}

/// Where a blob lies in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub offset: u64,
    pub len: u32,
}

impl Blobs {
    pub fn new() -> io::Result<Blobs> {
        Ok(Blobs {
            out: BufWriter::with_capacity(1 << 20, tempfile::tempfile()?),
            at: 0,
        })
    }

    /// Appends a blob.
    pub fn push(&mut self, blob: &[u8]) -> io::Result<Slot> {
        let len = u32::try_from(blob.len())
            .map_err(|_| io::Error::other("a project's output over 4 GiB cannot be written"))?;
        self.out.write_all(blob)?;
        let slot = Slot {
            offset: self.at,
            len,
        };
        self.at += u64::from(len);
        Ok(slot)
    }

    /// The blobs, ready to be read.
    pub fn finish(self) -> io::Result<BlobFile> {
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        Ok(BlobFile { file })
    }
}

/// A finished [`Blobs`].
pub struct BlobFile {
    file: File,
}

impl BlobFile {
    /// Reads the blob at `slot` into `buf` (safe to call from many threads at once).
    /// Unbuffered: read in another order than written, the blobs are scattered over the
    /// file, and a read-ahead buffer would be thrown away each time.
    pub fn read(&self, slot: Slot, buf: &mut Vec<u8>) -> io::Result<()> {
        buf.resize(slot.len as usize, 0);
        read_at(&self.file, buf, slot.offset)
    }
}

/// Blobs of bytes, one per project, read back in report order.
struct Spill {
    blobs: Blobs,
    entries: Vec<(Key, Slot)>,
}

impl Spill {
    fn new() -> io::Result<Spill> {
        Ok(Spill {
            blobs: Blobs::new()?,
            entries: Vec::new(),
        })
    }

    fn push(&mut self, key: Key, blob: &[u8]) -> io::Result<()> {
        let slot = self.blobs.push(blob)?;
        self.entries.push((key, slot));
        Ok(())
    }

    /// Writes every blob to `out` in report order as `format` turns it into bytes (its
    /// place in that order, the blob, where to append): runs of about [`RUN_BYTES`] read
    /// and formatted on every thread, a few runs at a time, and written in order. The
    /// bytes are those of formatting each blob in turn on one thread.
    fn write_sorted(
        self,
        out: &mut dyn Write,
        format: impl Fn(usize, &[u8], &mut Vec<u8>) -> io::Result<()> + Sync,
    ) -> io::Result<()> {
        use rayon::prelude::*;
        let (file, slots) = self.sorted()?;
        let mut runs: Vec<(usize, &[Slot])> = Vec::new();
        let (mut start, mut bytes) = (0, 0);
        for (k, slot) in slots.iter().enumerate() {
            bytes += u64::from(slot.len);
            if bytes >= RUN_BYTES || k + 1 == slots.len() {
                runs.push((start, &slots[start..=k]));
                (start, bytes) = (k + 1, 0);
            }
        }
        // Enough runs at once to keep every thread busy; few enough that the bytes held
        // are a few megabytes a thread.
        let at_once = 4 * rayon::current_num_threads().max(1);
        for group in runs.chunks(at_once) {
            let texts: Vec<io::Result<Vec<u8>>> = group
                .par_iter()
                .map(|&(first, run)| {
                    let (mut blob, mut text) = (Vec::new(), Vec::new());
                    for (k, &slot) in run.iter().enumerate() {
                        file.read(slot, &mut blob)?;
                        format(first + k, &blob, &mut text)?;
                    }
                    Ok(text)
                })
                .collect();
            for text in texts {
                out.write_all(&text?)?;
            }
        }
        Ok(())
    }

    /// The blobs, and where each lies, in report order.
    fn sorted(self) -> io::Result<(BlobFile, Vec<Slot>)> {
        let Spill { blobs, mut entries } = self;
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Ok((
            blobs.finish()?,
            entries.into_iter().map(|(_, s)| s).collect(),
        ))
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(not(unix))]
fn read_at(mut file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buf)
}

/// The forms of `appraise`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Csv,
    Json,
    /// The table people read: its columns measured over every row before any is written.
    Table,
}

/// One project's output, encoded (on any thread) for [`AppraisalWriter::push`].
pub struct Encoded {
    key: Key,
    /// CSV: the cells, length-prefixed; table: its row's cells and its note, likewise;
    /// JSON: the project's object, indented.
    main: Vec<u8>,
    /// CSV: the unknown properties' names and cells.
    extra: Vec<(String, String)>,
    draws: Vec<u8>,
    cashflows: Vec<u8>,
}

/// `appraise`'s outputs (CSV or JSON, with the kept draws and annual schedules when
/// asked) built from projects pushed in any order and written in the report's order.
pub struct AppraisalWriter {
    form: Form,
    main: Spill,
    draws: Option<Spill>,
    cashflows: Option<Spill>,
    /// CSV: each unknown property's name, interned, with where it first appears in report
    /// order (the project, then its place among that project's properties).
    extra: HashMap<String, (u32, Key, usize)>,
}

/// Encodes projects for an [`AppraisalWriter`].
#[derive(Debug, Clone, Copy)]
pub struct Encoder {
    form: Form,
    draws: bool,
    cashflows: bool,
}

impl Encoder {
    /// Encodes one project (the costly part of writing, safe to run in parallel).
    pub fn encode(&self, p: &Appraisal) -> io::Result<Encoded> {
        let (main, extra) = match self.form {
            Form::Csv => {
                let mut main = Vec::with_capacity(1024);
                let extra = csv_cells(p, &mut Cells(&mut main));
                (main, extra)
            }
            Form::Table => {
                let mut main = Vec::with_capacity(256);
                let (cells, note) = table_row(p);
                for c in cells.iter().chain(&note) {
                    put(&mut main, c);
                }
                (main, Vec::new())
            }
            Form::Json => {
                let pretty = serde_json::to_vec_pretty(p)?;
                // The object as it sits in the report's `projects` array, two levels in.
                // JSON text never holds a raw newline inside a string.
                let mut main = Vec::with_capacity(pretty.len() + pretty.len() / 8);
                main.extend_from_slice(b"    ");
                for &b in &pretty {
                    main.push(b);
                    if b == b'\n' {
                        main.extend_from_slice(b"    ");
                    }
                }
                (main, Vec::new())
            }
        };
        Ok(Encoded {
            key: Key {
                npv: p.npv_musd.base,
                id: p.id.as_str().into(),
            },
            main,
            extra,
            draws: if self.draws {
                draw_rows(p)?
            } else {
                Vec::new()
            },
            cashflows: if self.cashflows {
                cashflow_rows(p)?
            } else {
                Vec::new()
            },
        })
    }
}

/// Appends `text` with its length in front, as [`Cells`] does.
fn put(out: &mut Vec<u8>, text: &str) {
    Cells(out).cell(|o| o.extend_from_slice(text.as_bytes()));
}

fn corrupt() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, "spilled output is corrupt")
}

/// Takes the next little-endian u32.
fn take_u32(bytes: &mut &[u8]) -> io::Result<u32> {
    let (n, rest) = bytes.split_first_chunk::<4>().ok_or_else(corrupt)?;
    *bytes = rest;
    Ok(u32::from_le_bytes(*n))
}

/// Takes the next text written by [`Cells`] or [`put`].
fn take<'a>(bytes: &mut &'a [u8]) -> io::Result<&'a str> {
    let len = take_u32(bytes)? as usize;
    let (text, rest) = bytes.split_at_checked(len).ok_or_else(corrupt)?;
    *bytes = rest;
    std::str::from_utf8(text).map_err(|_| corrupt())
}

impl AppraisalWriter {
    /// A writer of `form`, keeping the draws and the annual schedules when asked.
    pub fn new(form: Form, draws: bool, cashflows: bool) -> io::Result<AppraisalWriter> {
        Ok(AppraisalWriter {
            form,
            main: Spill::new()?,
            draws: draws.then(Spill::new).transpose()?,
            cashflows: cashflows.then(Spill::new).transpose()?,
            extra: HashMap::new(),
        })
    }

    /// What encodes projects for this writer (on any thread, while it takes others).
    pub fn encoder(&self) -> Encoder {
        Encoder {
            form: self.form,
            draws: self.draws.is_some(),
            cashflows: self.cashflows.is_some(),
        }
    }

    /// Keeps one encoded project.
    pub fn push(&mut self, e: Encoded) -> io::Result<()> {
        let mut main = e.main;
        if self.form == Form::Csv {
            main.extend_from_slice(&(e.extra.len() as u32).to_le_bytes());
            for (place, (name, cell)) in e.extra.into_iter().enumerate() {
                let index = match self.extra.get_mut(&name) {
                    Some(seen) => {
                        if e.key.cmp(&seen.1).is_lt() {
                            (seen.1, seen.2) = (e.key.clone(), place);
                        }
                        seen.0
                    }
                    None => {
                        let index = self.extra.len() as u32;
                        self.extra.insert(name, (index, e.key.clone(), place));
                        index
                    }
                };
                main.extend_from_slice(&index.to_le_bytes());
                put(&mut main, &cell);
            }
        }
        self.main.push(e.key.clone(), &main)?;
        if let Some(s) = &mut self.draws {
            s.push(e.key.clone(), &e.draws)?;
        }
        if let Some(s) = &mut self.cashflows {
            s.push(e.key, &e.cashflows)?;
        }
        Ok(())
    }

    /// Writes the CSV, or the JSON report with `head`'s run-wide fields (its own projects
    /// are ignored) and every pushed project.
    pub fn write_main(&mut self, head: &Report, out: &mut dyn Write) -> io::Result<()> {
        let main = std::mem::replace(&mut self.main, Spill::new()?);
        match self.form {
            Form::Csv => self.write_csv(main, out),
            Form::Json => write_json(main, head, out),
            Form::Table => write_table(main, head, out),
        }
    }

    fn write_csv(&self, main: Spill, out: &mut dyn Write) -> io::Result<()> {
        // The unknown properties in the order they first appear in the report, after the
        // fixed columns; a name that clashes with a column gets an `input_` prefix.
        let mut names: Vec<(&String, &(u32, Key, usize))> = self.extra.iter().collect();
        names.sort_by(|a, b| a.1.1.cmp(&b.1.1).then(a.1.2.cmp(&b.1.2)));
        let mut column_of = vec![0usize; names.len()];
        for (column, (_, (index, ..))) in names.iter().enumerate() {
            column_of[*index as usize] = column;
        }
        let mut w = csv::Writer::from_writer(&mut *out);
        let header = CSV_COLUMNS
            .iter()
            .map(|c| (*c).to_owned())
            .chain(
                names
                    .iter()
                    .map(|(k, _)| match CSV_COLUMNS.contains(&k.as_str()) {
                        true => format!("input_{k}"),
                        false => neutralise(k),
                    }),
            );
        w.write_record(header)?;
        w.flush()?;
        drop(w);
        main.write_sorted(out, |_, mut blob, text| {
            // A writer a row, over the run's bytes: the csv crate's writer keeps nothing
            // from one record to the next but its buffer, flushed here.
            let mut w = csv::WriterBuilder::new()
                .buffer_capacity(ROW_BUFFER)
                .from_writer(text);
            for _ in CSV_COLUMNS {
                w.write_field(take(&mut blob)?)?;
            }
            let mut extra = vec![""; names.len()];
            for _ in 0..take_u32(&mut blob)? {
                let index = take_u32(&mut blob)?;
                let cell = take(&mut blob)?;
                if let Some(column) = column_of.get(index as usize) {
                    extra[*column] = cell;
                }
            }
            w.write_record(&extra)?;
            w.flush()
        })
    }

    /// Writes the kept draws (`--keep-draws`), in report order.
    pub fn write_draws(&mut self, out: &mut dyn Write) -> io::Result<()> {
        write_rows(self.draws.take(), &DRAW_COLUMNS, out)
    }

    /// Writes the annual schedules (`--cashflows`), in report order.
    pub fn write_cashflows(&mut self, out: &mut dyn Write) -> io::Result<()> {
        write_rows(self.cashflows.take(), &CASHFLOW_COLUMNS, out)
    }
}

fn write_json(main: Spill, head: &Report, out: &mut dyn Write) -> io::Result<()> {
    let empty = main.entries.is_empty();
    let head = Report {
        prospect_version: head.prospect_version.clone(),
        seed: head.seed,
        draws: head.draws,
        percentile_convention: head.percentile_convention,
        as_of: head.as_of,
        assumptions: head.assumptions.clone(),
        conventions: head.conventions.clone(),
        projects: Vec::new(),
    };
    let text = serde_json::to_string_pretty(&head)?;
    // `projects` is the report's last field: open its array where the empty one stands.
    let open = text
        .strip_suffix("[]\n}")
        .ok_or_else(|| io::Error::other("the report's last field is not `projects`"))?;
    out.write_all(open.as_bytes())?;
    if empty {
        return out.write_all(b"[]\n}\n");
    }
    out.write_all(b"[\n")?;
    main.write_sorted(out, |k, blob, text| {
        if k > 0 {
            text.extend_from_slice(b",\n");
        }
        text.extend_from_slice(blob);
        Ok(())
    })?;
    out.write_all(b"\n  ]\n}\n")
}

/// The table: every project's row in report order (read twice: to measure the columns,
/// then to write them), then the run's notes and each project's note.
fn write_table(main: Spill, head: &Report, out: &mut dyn Write) -> io::Result<()> {
    let (file, slots) = main.sorted()?;
    let mut blob = Vec::new();
    let read = |slot: Slot, blob: &mut Vec<u8>| -> io::Result<(Vec<String>, Option<String>)> {
        file.read(slot, blob)?;
        let mut bytes = &blob[..];
        let cells = TABLE_COLUMNS
            .iter()
            .map(|_| take(&mut bytes).map(str::to_owned))
            .collect::<io::Result<Vec<_>>>()?;
        let note = (!bytes.is_empty())
            .then(|| take(&mut bytes).map(str::to_owned))
            .transpose()?;
        Ok((cells, note))
    };
    aligned_each(
        &TABLE_COLUMNS,
        2,
        &mut |row| slots.iter().try_for_each(|&s| row(&read(s, &mut blob)?.0)),
        out,
    )?;
    let mut notes = Vec::new();
    for &s in &slots {
        notes.extend(read(s, &mut blob)?.1);
    }
    write_table_notes(head, notes.iter().map(String::as_str), out)
}

fn write_rows(spill: Option<Spill>, header: &[&str], out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(&mut *out);
    w.write_record(header)?;
    w.flush()?;
    drop(w);
    match spill {
        Some(s) => s.write_sorted(out, |_, rows, text| {
            text.extend_from_slice(rows);
            Ok(())
        }),
        None => Ok(()),
    }
}

/// A timeline's project lines on disk (a run of any size, issue 21): each line's
/// [`Placement`] in memory, the rest of it in a temporary file as JSON, in the timeline's
/// order.
pub struct SpilledLines {
    file: BlobFile,
    lines: Vec<(Slot, Placement)>,
}

impl SpilledLines {
    /// The lines at `lines`' slots of `file`, in that order, each with its placement.
    pub fn new(file: BlobFile, lines: Vec<(Slot, Placement)>) -> SpilledLines {
        SpilledLines { file, lines }
    }

    /// The line at `slot` with `placement`, read through `buf`.
    fn line(
        &self,
        (slot, placement): &(Slot, Placement),
        buf: &mut Vec<u8>,
    ) -> io::Result<ProjectLine> {
        self.file.read(*slot, buf)?;
        let mut line: ProjectLine = serde_json::from_slice(buf).map_err(|_| corrupt())?;
        placement.clone().place(&mut line);
        Ok(line)
    }
}

impl ProjectLines for SpilledLines {
    fn try_each(&self, each: &mut dyn FnMut(&ProjectLine) -> io::Result<()>) -> io::Result<()> {
        let mut buf = Vec::new();
        self.lines
            .iter()
            .try_for_each(|l| each(&self.line(l, &mut buf)?))
    }
}

impl serde::Serialize for SpilledLines {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeSeq};
        let mut seq = serializer.serialize_seq(Some(self.lines.len()))?;
        let mut buf = Vec::new();
        for l in &self.lines {
            seq.serialize_element(&self.line(l, &mut buf).map_err(S::Error::custom)?)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blobs of every size, some past a run's length, come out once each in report order
    /// (valued projects by NPV, highest first, then unvalued; ties by id), each formatted
    /// with its place in that order, however the runs fall.
    #[test]
    fn a_spill_is_written_in_report_order_across_runs() {
        let mut spill = Spill::new().unwrap();
        let mut projects = Vec::new();
        for i in 0..3_000u32 {
            let id = format!("p{i:05}");
            // Repeated NPVs (ties broken by id) and every seventh project unvalued.
            let npv = (i % 7 != 0).then(|| f64::from((i * 7_919) % 401) - 200.0);
            let len = if i % 500 == 3 {
                RUN_BYTES as usize + 17
            } else {
                (i as usize * 37) % 3_000
            };
            let mut blob = id.clone().into_bytes();
            blob.resize(id.len() + len, b'a' + (i % 26) as u8);
            let key = Key {
                npv,
                id: id.clone().into(),
            };
            spill.push(key, &blob).unwrap();
            projects.push((npv, id, blob));
        }
        // Report order by hand: valued before unvalued, NPV falling, then id rising.
        projects.sort_by(|a, b| match (a.0, b.0) {
            (Some(x), Some(y)) => y.total_cmp(&x).then(a.1.cmp(&b.1)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.1.cmp(&b.1),
        });
        let mut expected = Vec::new();
        for (k, (_, _, blob)) in projects.iter().enumerate() {
            expected.extend_from_slice(format!("{k}:").as_bytes());
            expected.extend_from_slice(blob);
        }
        let mut out = Vec::new();
        spill
            .write_sorted(&mut out, |k, blob, text| {
                text.extend_from_slice(format!("{k}:").as_bytes());
                text.extend_from_slice(blob);
                Ok(())
            })
            .unwrap();
        assert_eq!(out.len(), expected.len());
        assert!(
            out == expected,
            "the written bytes differ from report order"
        );
    }
}
