//! Every writer, the last stage. It takes appraisals and portfolio decisions and gives
//! what people and programs read: tables, CSV and JSON ([`spill`] streams large runs),
//! GeoJSON and the QGIS style ([`geojson`]), and the HTML report ([`report`]); every file
//! is written atomically.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

pub mod appraisal;
pub mod axes;
pub mod charts;
pub mod fgb;
pub mod geojson;
pub mod layer;
pub mod portfolio;
pub mod report;
pub mod reserve;
mod spill;
pub mod whatif;
pub use spill::{AppraisalWriter, BlobFile, Blobs, Encoded, Encoder, Form, Slot, SpilledLines};

/// Writes `bytes` to `path` through a temporary file in the same folder, synced and then
/// renamed into place: an interrupted run never leaves a half-written file, and the
/// previous file stays whole until the new one is complete. See [`write_atomic_with`] for
/// links and special files.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Temporary files being written, removed by [`remove_temporaries`] when a signal ends
/// the run (a killed process runs no destructors).
static TEMPORARIES: std::sync::Mutex<Vec<std::path::PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Removes the temporary files of writes still under way; for a signal handler, just
/// before the process exits.
pub fn remove_temporaries() {
    let pending = TEMPORARIES.lock().map(|mut p| std::mem::take(&mut *p));
    for path in pending.unwrap_or_default() {
        let _ = std::fs::remove_file(path);
    }
}

/// Where a write to `path` goes, by the rule of docs/reliability.md: a symbolic link is
/// written through (its target is replaced atomically and the link kept; a link to
/// nothing is refused); a device, FIFO or socket is streamed to as it is; anything else
/// is replaced atomically.
enum Destination {
    Replace(std::path::PathBuf),
    Stream(std::path::PathBuf),
}

fn destination(path: &Path) -> io::Result<Destination> {
    let resolved = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("it is a symbolic link to a file that cannot be reached ({e})"),
            )
        })?,
        _ => path.to_owned(),
    };
    Ok(match std::fs::metadata(&resolved) {
        Ok(m) if m.is_dir() => return Err(io::Error::other("it is a directory")),
        Ok(m) if !m.is_file() => Destination::Stream(resolved),
        _ => Destination::Replace(resolved),
    })
}

/// [`write_atomic`] for output produced as a stream by `fill`.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let path = match destination(path)? {
        Destination::Stream(device) => {
            let file = std::fs::OpenOptions::new().write(true).open(device)?;
            let mut buffered = io::BufWriter::new(file);
            fill(&mut buffered)?;
            return buffered.flush();
        }
        Destination::Replace(file) => file,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".prospect-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    let registered = tmp.path().to_owned();
    if let Ok(mut p) = TEMPORARIES.lock() {
        p.push(registered.clone());
    }
    let written = (|| {
        {
            let mut buffered = io::BufWriter::new(tmp.as_file_mut());
            fill(&mut buffered)?;
            buffered.flush()?;
        }
        // A temporary file is private (0600); an output is an ordinary file: keep the
        // permissions of the file it replaces, else 0644, and never a setuid, setgid or
        // sticky bit.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).map_or(0o644, |m| m.permissions().mode() & 0o777);
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(mode))?;
        }
        tmp.as_file().sync_all()?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    })();
    if let Ok(mut p) = TEMPORARIES.lock() {
        p.retain(|q| *q != registered);
    }
    written
}

/// US$ million in a message, the sign before the currency: `US$12 m`, `-US$9 m` (never
/// `US$-9 m`); a value that rounds to zero prints without a sign.
pub fn money_m(musd: f64) -> String {
    money_m_with(musd, 0)
}

/// [`money_m`] with `decimals` places.
pub fn money_m_with(musd: f64, decimals: usize) -> String {
    if !musd.is_finite() {
        return format!("US${musd} m");
    }
    let text = format!("{:.decimals$}", musd.abs());
    let zero = text.chars().all(|c| c == '0' || c == '.');
    if musd < 0.0 && !zero {
        format!("-US${text} m")
    } else {
        format!("US${text} m")
    }
}

/// Text for a terminal: control characters (escape sequences, NUL) and bidirectional
/// overrides become U+FFFD.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || is_bidi_control(c) {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

/// Unicode's explicit bidirectional formatting characters (embeddings, overrides such as
/// U+202E, isolates): they reorder what a terminal shows, as in "Trojan Source".
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// Whether a spreadsheet would take a cell for a formula (OWASP's CSV-injection list).
/// A plain number ("-5", "+1.5e3") is a value in every spreadsheet, not a formula; a cell
/// starting with a formula sign (ASCII or full-width, which some spreadsheets fold to
/// ASCII), a tab or a line break is run or split by some.
pub(crate) fn runs_as_formula(cell: &str) -> bool {
    cell.starts_with([
        '=', '+', '-', '@', '\t', '\r', '\n', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}',
    ]) && !cell.parse::<f64>().is_ok_and(f64::is_finite)
}

/// Text that a spreadsheet would run as a formula gets a leading apostrophe.
pub fn neutralise(cell: &str) -> String {
    if runs_as_formula(cell) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// A finite figure with a fixed number of decimals, `-0` written as `0`.
pub(crate) struct Fixed(f64, usize);

impl std::fmt::Display for Fixed {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let s = format!("{:.*}", self.1, self.0 + 0.0);
        // A small negative that rounds to zero prints as zero, not "-0".
        match s.strip_prefix('-') {
            Some(digits) if digits.bytes().all(|b| b == b'0' || b == b'.') => f.write_str(digits),
            _ => f.write_str(&s),
        }
    }
}

/// `v` as [`Fixed`]; nothing when missing or not finite.
pub(crate) fn fixed(v: Option<f64>, decimals: usize) -> Option<Fixed> {
    v.filter(|x| x.is_finite()).map(|x| Fixed(x, decimals))
}

pub(crate) fn num(v: Option<f64>, decimals: usize) -> String {
    fixed(v, decimals).map_or_else(String::new, |f| f.to_string())
}

/// Aligns rows of cells under a header (first `left` columns left-aligned).
pub(crate) fn aligned(header: &[&str], rows: &[Vec<String>], left: usize) -> String {
    let mut out = Vec::new();
    // Writing to memory does not fail.
    let _ = aligned_each(
        header,
        left,
        &mut |row| rows.iter().try_for_each(|r| row(r)),
        &mut out,
    );
    String::from_utf8_lossy(&out).into_owned()
}

/// Hands each row of a table to its argument, in order; stops at the first error.
pub(crate) type EachRow<'a> =
    dyn FnMut(&mut dyn FnMut(&[String]) -> io::Result<()>) -> io::Result<()> + 'a;

/// [`aligned`] over rows that `rows` makes twice, handing each to its argument (once to
/// measure the columns, once to write them to `out`), so that a table of a million rows
/// is never held whole; stops at the first error.
pub(crate) fn aligned_each(
    header: &[&str],
    left: usize,
    rows: &mut EachRow<'_>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    rows(&mut |r| {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
        Ok(())
    })?;
    let mut line = String::new();
    let mut write = |cells: &mut dyn Iterator<Item = &str>| {
        line.clear();
        for (i, c) in cells.enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let w = widths[i];
            let _ = if i < left {
                write!(line, "{c:<w$}")
            } else {
                write!(line, "{c:>w$}")
            };
        }
        writeln!(out, "{}", line.trim_end())
    };
    write(&mut header.iter().copied())?;
    rows(&mut |r| write(&mut r.iter().map(String::as_str)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        write_atomic(&path, b"first").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"second");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }

    #[test]
    fn figures_that_round_to_zero_carry_no_sign() {
        assert_eq!(num(Some(-0.0), 1), "0.0");
        assert_eq!(num(Some(-0.3), 0), "0");
        assert_eq!(num(Some(-0.004), 2), "0.00");
        assert_eq!(num(Some(-0.6), 0), "-1");
        assert_eq!(num(Some(-10.0), 0), "-10");
        assert_eq!(num(Some(f64::NAN), 0), "");
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("Mount Weld"), "Mount Weld");
        assert_eq!(neutralise("\n=1+1"), "'\n=1+1");
        assert_eq!(neutralise("\u{ff1d}1+1"), "'\u{ff1d}1+1");
        assert_eq!(neutralise("-5"), "-5", "a number is a value");
        assert_eq!(neutralise("-5+A1"), "'-5+A1");
    }
}
