//! Read & validate: the first stage. It takes GeoJSON and CSV files and gives typed
//! [`ProjectRecord`]s ([`record`]), streamed one at a time, with every problem reported as
//! a [`Diagnostic`] naming file, record and field; [`check`] lists every problem at once.

pub mod assumed;
pub mod build;
pub mod check;
pub mod contradictions;
pub mod crs;
mod csv_input;
mod csv_rows;
pub(crate) mod geojson_input;
pub mod milestone;
pub mod record;
pub mod rings;
pub mod schema;
pub mod study_terms;
pub mod validate;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

pub use build::Parsed;

use crate::diagnostic::{Diagnostic, Tally};
use crate::read::record::{Location, ProjectRecord};

/// The two input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// A GeoJSON FeatureCollection (RFC 7946).
    GeoJson,
    /// CSV with a header row: lon/lat columns or a WKT `geometry` column.
    Csv,
}

impl InputFormat {
    /// By extension (.geojson, .json, .csv), else by the first non-blank byte.
    fn detect(path: &Path, first_bytes: &[u8]) -> InputFormat {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("geojson" | "json") => InputFormat::GeoJson,
            Some("csv" | "txt" | "tsv") => InputFormat::Csv,
            _ => match first_bytes.iter().find(|b| !b.is_ascii_whitespace()) {
                Some(b'{') => InputFormat::GeoJson,
                _ => InputFormat::Csv,
            },
        }
    }
}

/// A file that could not be read at all (as opposed to one whose content is wrong).
#[derive(Debug, thiserror::Error)]
#[error("cannot read {}", input_name(path))]
pub struct ReadError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

/// What a reader hands on as it goes through a file.
#[derive(Debug)]
pub enum Event {
    /// One record, with the problems found in it.
    Record(Box<Parsed>),
    /// A problem with the file as a whole (bad JSON, empty file, ragged header).
    Problem(Diagnostic),
}

/// Streams every record of `path` to `sink`, in file order, holding one record at a time.
pub fn visit(path: &Path, sink: &mut dyn FnMut(Event)) -> Result<(), ReadError> {
    visit_in(path, None, sink)
}

/// [`visit`] for an input whose coordinates are in `crs` (reprojected to WGS84 on read).
/// A GeoJSON file's own `crs` member, when it precedes the features, wins.
pub fn visit_in(
    path: &Path,
    crs: Option<&crs::Reprojector>,
    sink: &mut dyn FnMut(Event),
) -> Result<(), ReadError> {
    visit_with::<std::convert::Infallible>(path, crs, sink, None).map(|_| ())
}

/// Where the events of a file's second half go while the first half is read ([`Part`]),
/// on a thread of their own.
pub trait Part: Send {
    fn take(&mut self, event: Event);
}

impl Part for std::convert::Infallible {
    fn take(&mut self, _: Event) {
        match *self {}
    }
}

/// A file's second half, read on a thread of its own into `part` ([`visit_halves`]).
#[derive(Debug)]
pub struct SecondHalf<P, E = ReadError> {
    /// What the second half's events made.
    pub part: P,
    /// The lines of the file before the second half: its events' CSV lines count from 1
    /// after them.
    pub lines_before: u64,
    /// How its read ended: an error here is the file's, after the part's events.
    pub result: Result<(), E>,
}

/// The second half of a file to read on a thread of its own.
pub(crate) struct Halves<P> {
    /// A handle on the file, read from byte `split + 1` on without moving its position.
    file: File,
    /// The file byte of the line feed before the second half.
    split: u64,
    /// The file byte at which the first half's read starts (past a byte order mark).
    origin: u64,
    part: P,
}

/// The smallest CSV file read as two halves at once, bytes (judgement: below it a
/// thread's start and the second half's kept problems are not worth the time saved,
/// some 20 ms a MiB).
pub const HALVES_MIN_BYTES: u64 = 4 << 20;

/// [`visit`], with a large CSV file's second half read at once on another thread into
/// `part` (the first half's events go to `sink` as they are read). `Some` when it was:
/// its events follow the first half's, in file order, and the caller takes them from
/// `part` (their CSV lines count from the start of the second half). `None` when the
/// file was read whole into `sink`: one thread, a GeoJSON file, a file under
/// [`HALVES_MIN_BYTES`], or one whose line break at the split is inside a quoted field.
pub fn visit_halves<P: Part>(
    path: &Path,
    sink: &mut dyn FnMut(Event),
    part: P,
) -> Result<Option<SecondHalf<P>>, ReadError> {
    visit_with(path, None, sink, Some(part))
}

fn visit_with<P: Part>(
    path: &Path,
    crs: Option<&crs::Reprojector>,
    sink: &mut dyn FnMut(Event),
    part: Option<P>,
) -> Result<Option<SecondHalf<P>>, ReadError> {
    let err = |source| ReadError {
        path: path.to_owned(),
        source,
    };
    let file = if is_stdin(path) {
        stdin_spool().map_err(err)?
    } else {
        let file = File::open(path).map_err(err)?;
        if file.metadata().map_err(err)?.is_dir() {
            return Err(err(io::Error::other("it is a directory")));
        }
        file
    };
    let handle = match part {
        Some(_) if crs.is_none() && rayon::current_num_threads() > 1 => file.try_clone().ok(),
        _ => None,
    };
    let budget = RecordBudget::new(file);
    let spent = budget.spent.clone();
    let mut reader = BufReader::with_capacity(1 << 16, budget);
    let first = reader.fill_buf().map_err(err)?;
    let name = input_name(path);
    if first.is_empty() {
        sink(Event::Problem(
            Diagnostic::error(None, "the file is empty")
                .with_hint("give a GeoJSON FeatureCollection or a CSV file with a header row")
                .at(&name, Location::File, None),
        ));
        return Ok(None);
    }
    if first.starts_with(b"\xFF\xFE") || first.starts_with(b"\xFE\xFF") {
        sink(Event::Problem(
            Diagnostic::error(None, "the file is encoded as UTF-16")
                .with_hint("save it as UTF-8 (prospect reads UTF-8 only)")
                .at(&name, Location::File, None),
        ));
        return Ok(None);
    }
    let format = InputFormat::detect(path, first);
    let origin = if first.starts_with(b"\xEF\xBB\xBF") {
        reader.consume(3);
        3
    } else {
        0
    };
    // Each record handed on opens a new budget for the next one.
    let sink = &mut |event: Event| {
        spent.set(0);
        sink(event)
    };
    let halves = match (format, handle, part) {
        (InputFormat::Csv, Some(file), Some(part)) => {
            second_half_start(&file, origin).map(|split| Halves {
                file,
                split,
                origin,
                part,
            })
        }
        _ => None,
    };
    match (format, halves) {
        (InputFormat::Csv, Some(halves)) => {
            let second = csv_input::visit_halves(&name, reader, halves, sink).map_err(err)?;
            Ok(second.map(|s| SecondHalf {
                part: s.part,
                lines_before: s.lines_before,
                result: s.result.map_err(err),
            }))
        }
        (InputFormat::GeoJson, _) => geojson_input::visit(&name, reader, crs, sink)
            .map(|_| None)
            .map_err(err),
        (InputFormat::Csv, None) => csv_input::visit(&name, reader, crs, sink)
            .map(|_| None)
            .map_err(err),
    }
}

/// The share of a file's bytes the first half reads, per cent. The first half's thread
/// also registers every id and, once the second half is done, merges its problems and
/// ids, so an even split left it the longer: `check` of 50,000 synthetic sites took
/// 551.6 M instructions on the first half's thread and 463.7 M on the second's at 50 %,
/// 458.4 M and 556.2 M at 40 % (callgrind, `--separate-threads=yes`); they meet at about
/// 45 %.
const FIRST_PART_PCT: u64 = 45;

/// The file byte of the line feed a second half starts after: the first at or after
/// [`FIRST_PART_PCT`] of a file of [`HALVES_MIN_BYTES`] or more, within 1 MiB of it.
/// `None` for a smaller file, one with no line feed there, or where a file cannot be read
/// at a byte without moving its position.
fn second_half_start(file: &File, origin: u64) -> Option<u64> {
    let len = file.metadata().ok()?.len();
    if len < HALVES_MIN_BYTES {
        return None;
    }
    let middle = origin + (u128::from(len - origin) * u128::from(FIRST_PART_PCT) / 100) as u64;
    let mut window = vec![0; 1 << 20];
    let n = read_at(file, &mut window, middle).ok()?;
    let lf = memchr::memchr(b'\n', &window[..n])? as u64;
    let split = middle + lf;
    (split + 1 < len).then_some(split)
}

/// Reads `file` at byte `at` into `buf` without moving its position, as the second half
/// of a file is read beside the first.
fn read_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<usize> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_at(file, buf, at)
    }
    #[cfg(not(unix))]
    {
        // A cloned handle shares its position here: no reading at a byte beside another.
        let _ = (file, buf, at);
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }
}

/// `-` names standard input wherever a command takes an input file.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// About how many records the CSV inputs `paths` hold, from the line breaks in each
/// file's first 64 KiB scaled to its length: what a run's id table reserves at once, so
/// that it does not grow by doubling through a large file (each doubling a fresh table
/// the kernel zeroes and every id moved into it). Standard input, a pipe or other file
/// that is not a regular one, and GeoJSON count none; a file that cannot be read counts
/// none (its read reports it).
pub fn estimated_records(paths: &[PathBuf]) -> usize {
    const SAMPLE: usize = 64 << 10;
    let one = |path: &Path| -> io::Result<usize> {
        // Only a regular file is read ahead: the first bytes of a pipe (a shell's
        // `<(...)`) read here would be lost to the real read.
        let meta = std::fs::metadata(path)?;
        if is_stdin(path) || !meta.is_file() {
            return Ok(0);
        }
        let len = meta.len();
        let mut file = File::open(path)?;
        let mut sample = Vec::with_capacity(SAMPLE);
        file.by_ref().take(SAMPLE as u64).read_to_end(&mut sample)?;
        if InputFormat::detect(path, &sample) != InputFormat::Csv || sample.is_empty() {
            return Ok(0);
        }
        let breaks = memchr::memchr_iter(b'\n', &sample).count();
        if sample.len() as u64 >= len {
            // The whole file: its lines after the header.
            return Ok(breaks.saturating_sub(1));
        }
        Ok(usize::try_from(len.saturating_mul(breaks as u64) / sample.len() as u64).unwrap_or(0))
    };
    paths
        .iter()
        .map(|p| one(p).unwrap_or(0))
        .fold(0, usize::saturating_add)
}

/// How messages name an input: its path, or `(standard input)` for `-`.
pub fn input_name(path: &Path) -> String {
    if is_stdin(path) {
        "(standard input)".to_owned()
    } else {
        path.display().to_string()
    }
}

/// The text of a file given on the command line, or of standard input for `-` (an
/// assumptions, weights or context-layer file; the same spool the records use, so it is
/// read once whichever reader asks).
pub fn read_text(path: &Path) -> io::Result<String> {
    if is_stdin(path) {
        use std::io::Read as _;
        let mut text = String::new();
        stdin_spool()?.read_to_string(&mut text)?;
        Ok(text)
    } else {
        std::fs::read_to_string(path)
    }
}

/// The most bytes standard input may hold, MiB, unless `PROSPECT_MAX_STDIN_MB` says
/// otherwise (judgement: the context layers' bound; a million-site CSV is about 500 MiB).
pub const MAX_STDIN_MB: u64 = 1024;

/// Standard input, spooled once to an unnamed temporary file so that a command that reads
/// its input twice (the plant allocation's first pass, then the appraisal) reads the same
/// bytes each time; each call gives a handle at its start. Bounded by [`MAX_STDIN_MB`].
fn stdin_spool() -> io::Result<File> {
    use std::io::{Read as _, Seek as _};
    static SPOOL: std::sync::OnceLock<Result<File, String>> = std::sync::OnceLock::new();
    let spooled = SPOOL.get_or_init(|| {
        let limit = limit_mb("PROSPECT_MAX_STDIN_MB", MAX_STDIN_MB) << 20;
        let mut file = tempfile::tempfile().map_err(|e| e.to_string())?;
        let copied = io::copy(&mut io::stdin().lock().take(limit + 1), &mut file)
            .map_err(|e| format!("standard input: {e}"))?;
        if copied > limit {
            return Err(format!(
                "standard input holds more than {} MiB (raise the limit with PROSPECT_MAX_STDIN_MB, or give a file)",
                limit >> 20
            ));
        }
        Ok(file)
    });
    let mut file = spooled
        .as_ref()
        .map_err(|e| io::Error::other(e.clone()))?
        .try_clone()?;
    file.rewind()?;
    Ok(file)
}

/// The most bytes one record (a CSV row, a GeoJSON feature, and whatever precedes the
/// first) may take, MiB, unless `PROSPECT_MAX_RECORD_MB` says otherwise: room for a
/// polygon of several million vertices, and a bound on endless input such as /dev/zero.
pub const MAX_RECORD_MB: u64 = 256;

/// A limit in MiB from the environment variable `var`, else `default`.
pub fn limit_mb(var: &str, default: u64) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|v| *v > 0)
        .unwrap_or(default)
}

/// A reader that fails once more than the record limit has been read since the last
/// record was handed on (`spent` is reset by the reader's sink).
struct RecordBudget<R> {
    inner: R,
    spent: std::rc::Rc<std::cell::Cell<u64>>,
    limit: u64,
}

impl<R> RecordBudget<R> {
    fn new(inner: R) -> Self {
        RecordBudget {
            inner,
            spent: Default::default(),
            limit: limit_mb("PROSPECT_MAX_RECORD_MB", MAX_RECORD_MB) << 20,
        }
    }
}

impl<R: io::Read> io::Read for RecordBudget<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.spent.get() > self.limit {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "a record is larger than {} MiB, or the input never ends (raise the limit with PROSPECT_MAX_RECORD_MB)",
                    self.limit >> 20
                ),
            ));
        }
        let n = self.inner.read(buf)?;
        self.spent.set(self.spent.get() + n as u64);
        Ok(n)
    }
}

/// Streams the records of in-memory `bytes` in `format` (what the fuzz targets drive);
/// `name` stands for the file in messages.
pub fn visit_bytes(name: &str, format: InputFormat, bytes: &[u8], sink: &mut dyn FnMut(Event)) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // In-memory reads fail only as the data do, and those failures become problems.
    let _ = match format {
        InputFormat::GeoJson => geojson_input::visit(name, bytes, None, sink),
        InputFormat::Csv => csv_input::visit(name, bytes, None, sink),
    };
}

/// Records and problems of a set of files, read whole.
#[derive(Debug, Default)]
pub struct Dataset {
    pub records: Vec<ProjectRecord>,
    pub diagnostics: Vec<Diagnostic>,
    pub tally: Tally,
}

impl Dataset {
    pub fn has_errors(&self) -> bool {
        self.tally.errors > 0
    }
}

/// Reads every file, checks ids across all of them, and keeps every record and problem.
pub fn read_all(paths: &[PathBuf]) -> Result<Dataset, ReadError> {
    read_all_in(paths, None)
}

/// [`read_all`] for inputs in `crs`.
pub fn read_all_in(
    paths: &[PathBuf],
    crs: Option<&crs::Reprojector>,
) -> Result<Dataset, ReadError> {
    let mut out = Dataset::default();
    let mut ids = validate::IdRegistry::with_capacity(estimated_records(paths));
    for path in paths {
        let name = input_name(path);
        visit_in(path, crs, &mut |event| match event {
            Event::Record(parsed) => {
                out.diagnostics.extend(parsed.diagnostics);
                out.diagnostics.extend(ids.register(&name, &parsed.record));
                out.records.push(parsed.record);
            }
            Event::Problem(d) => out.diagnostics.push(d),
        })?;
    }
    for d in &out.diagnostics {
        out.tally.add(d);
    }
    Ok(out)
}

/// Reads every file in turn and hands on its records in batches of at most `size`, in
/// file order, with ids checked across files; every problem (a record's, a file's, a
/// duplicate id) goes to `problem` as it is found. Once any record has an error, records
/// are no longer handed on (nothing is appraised from bad input), but reading goes on so
/// that every problem is listed. Memory holds one batch and the id table.
pub fn read_batches(
    paths: &[PathBuf],
    crs: Option<&crs::Reprojector>,
    size: usize,
    problem: &mut dyn FnMut(Diagnostic),
    batch: &mut dyn FnMut(Vec<ProjectRecord>),
) -> Result<Tally, ReadError> {
    let size = size.max(1);
    let mut tally = Tally::default();
    let mut ids = validate::IdRegistry::with_capacity(estimated_records(paths));
    let mut pending = Vec::with_capacity(size);
    for path in paths {
        let name = input_name(path);
        let mut note = |d: Diagnostic, tally: &mut Tally| {
            tally.add(&d);
            problem(d);
        };
        visit_in(path, crs, &mut |event| match event {
            Event::Record(parsed) => {
                let Parsed {
                    record,
                    diagnostics,
                } = *parsed;
                for d in diagnostics.into_iter().chain(ids.register(&name, &record)) {
                    note(d, &mut tally);
                }
                if tally.errors > 0 {
                    pending.clear();
                    return;
                }
                pending.push(record);
                if pending.len() == size {
                    batch(std::mem::replace(&mut pending, Vec::with_capacity(size)));
                }
            }
            Event::Problem(d) => note(d, &mut tally),
        })?;
    }
    if tally.errors == 0 && !pending.is_empty() {
        batch(pending);
    }
    Ok(tally)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, text: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("written");
        (dir, path)
    }

    #[test]
    fn a_small_csv_counts_its_lines_after_the_header() {
        let (_d, path) = file("a.csv", b"id,lon,lat\nA,1,2\nB,3,4\nC,5,6\n");
        assert_eq!(estimated_records(&[path]), 3);
    }

    #[test]
    fn a_large_csv_is_estimated_from_its_first_64_kib() {
        // 100,000 rows of 19 bytes each after an 11-byte header: the first 64 KiB hold
        // 3,449 line breaks, scaled to 1,900,011 bytes: 99,992.
        let mut text = b"id,lon,lat\n".to_vec();
        for i in 0..100_000 {
            text.extend(format!("P{i:07},10.5,20.5\n").as_bytes());
        }
        assert_eq!(text.len(), 11 + 100_000 * 19);
        let (_d, path) = file("big.csv", &text);
        let n = estimated_records(std::slice::from_ref(&path));
        assert!((99_000..=101_000).contains(&n), "{n}");
        // Two inputs add up; GeoJSON, standard input and a missing file count none.
        let (_g, geo) = file(
            "a.geojson",
            b"{\"type\":\"FeatureCollection\",\"features\":[]}\n\n",
        );
        let both = estimated_records(&[path.clone(), geo, "-".into(), "/no/such.csv".into(), path]);
        assert_eq!(both, 2 * n);
    }

    #[test]
    fn an_estimate_past_any_memory_reserves_at_most_the_cap_and_still_finds_duplicates() {
        let mut ids = validate::IdRegistry::with_capacity(usize::MAX);
        let at = |n| Location::Line(n);
        assert!(ids.register_id("a.csv", "MTW", &at(2)).is_none());
        let dup = ids
            .register_id("a.csv", "MTW", &at(3))
            .expect("a duplicate");
        assert!(
            dup.message.contains("first used at a.csv line 2"),
            "{}",
            dup.message
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_pipe_is_not_read_ahead_so_the_read_loses_none_of_its_rows() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let pipe = dir.path().join("input.csv");
        let made = std::process::Command::new("mkfifo").arg(&pipe).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let writer = {
            let pipe = pipe.clone();
            std::thread::spawn(move || std::fs::write(pipe, "id,lon,lat\nA,1,2\nB,3,4\n"))
        };
        assert_eq!(estimated_records(std::slice::from_ref(&pipe)), 0);
        let mut ids = Vec::new();
        visit(&pipe, &mut |e| {
            if let Event::Record(p) = e {
                ids.push(p.record.id.clone());
            }
        })
        .expect("read");
        writer.join().expect("the writer").expect("written");
        assert_eq!(ids, ["A", "B"]);
    }
}
