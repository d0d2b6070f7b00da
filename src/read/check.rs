//! `prospect check`: read every file, report every problem at once.

use std::path::PathBuf;

use serde::Serialize;

use crate::assumptions::Assumptions;
use crate::diagnostic::{Diagnostic, Tally};
use crate::read::record::Location;
use crate::read::{self, Event, assumed, validate::IdRegistry};

/// The outcome of checking a set of files.
#[derive(Debug, Default, Serialize)]
pub struct CheckReport {
    /// Files checked, as named.
    pub files: Vec<String>,
    /// Records read (with or without problems).
    pub records: usize,
    pub errors: usize,
    pub warnings: usize,
    /// Whether a file could not be read at all.
    pub unreadable: bool,
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckReport {
    /// 0 when clean (warnings allowed), 1 when any record has an error, 2 when a file
    /// could not be read.
    pub fn exit_code(&self) -> i32 {
        if self.unreadable {
            2
        } else if self.errors > 0 {
            1
        } else {
            0
        }
    }
}

/// Checks every file, streaming: only ids (for duplicates) and problems are kept.
pub fn check(paths: &[PathBuf]) -> CheckReport {
    check_in(paths, None)
}

/// [`check`] for inputs in `crs`.
pub fn check_in(paths: &[PathBuf], crs: Option<&crate::read::crs::Reprojector>) -> CheckReport {
    check_with(paths, crs, &Assumptions::defaults())
}

/// [`check_in`] against the assumptions `a` the records will be valued with: the names a
/// record gives that `a` lacks, and the grade ranges of `a` ([`assumed`]).
pub fn check_with(
    paths: &[PathBuf],
    crs: Option<&crate::read::crs::Reprojector>,
    a: &Assumptions,
) -> CheckReport {
    let mut report = CheckReport::default();
    let mut ids = IdRegistry::with_capacity(read::estimated_records(paths));
    let mut diagnostics = Vec::new();
    let regrade = assumed::grade_ranges_differ(a);
    for path in paths {
        let name = crate::read::input_name(path);
        let mut sink = |event| match event {
            Event::Record(mut parsed) => {
                report.records += 1;
                diagnostics.extend(problems(&name, &mut parsed, a, regrade));
                diagnostics.extend(ids.register(&name, &parsed.record));
            }
            Event::Problem(d) => diagnostics.push(d),
        };
        let result = match crs {
            Some(_) => read::visit_in(path, crs, &mut sink),
            None => read::visit_halves(path, &mut sink, Later::new(&name, a, regrade)).and_then(
                |second| {
                    let Some(second) = second else { return Ok(()) };
                    report.records += second.part.records;
                    second
                        .part
                        .merge(second.lines_before, &mut diagnostics, &mut ids);
                    second.result
                },
            ),
        };
        if let Err(e) = result {
            report.unreadable = true;
            diagnostics.push(
                Diagnostic::error(None, format!("cannot read the file: {}", e.source)).at(
                    &name,
                    Location::File,
                    None,
                ),
            );
        }
        report.files.push(name);
    }
    let mut tally = Tally::default();
    diagnostics.iter().for_each(|d| tally.add(d));
    report.errors = tally.errors;
    report.warnings = tally.warnings;
    report.diagnostics = diagnostics;
    report
}

/// A record's problems (taken from `parsed`): the reader's, then the names it gives that
/// `a` lacks and, when `regrade` (the ranges of `a` are not the defaults), its grade
/// against the ranges of `a`. The record stays where it is (it is large to move).
fn problems(
    file: &str,
    parsed: &mut read::Parsed,
    a: &Assumptions,
    regrade: bool,
) -> Vec<Diagnostic> {
    let record = &parsed.record;
    let mut found = std::mem::take(&mut parsed.diagnostics);
    let place = |d: Diagnostic| d.at(file, record.location.clone(), Some(&record.id));
    found.extend(assumed::references(record, a).into_iter().map(place));
    if regrade && let Some(regraded) = assumed::grade(record, a) {
        regraded.apply(&mut found, place);
    }
    found
}

/// The problems of a file's second half, checked on a thread of its own: each record's
/// problems, and its id to register (after the first half's) when the halves meet.
struct Later<'a> {
    file: &'a str,
    a: &'a Assumptions,
    regrade: bool,
    records: usize,
    diagnostics: Vec<Diagnostic>,
    /// Each record's id and place, and the end of its problems in `diagnostics`.
    ids: Vec<(Box<str>, Location, usize)>,
}

impl<'a> Later<'a> {
    fn new(file: &'a str, a: &'a Assumptions, regrade: bool) -> Self {
        Later {
            file,
            a,
            regrade,
            records: 0,
            diagnostics: Vec::new(),
            ids: Vec::new(),
        }
    }

    /// Adds the second half's problems to the first half's `diagnostics`, in file order,
    /// its lines counted on past the `lines_before` of the first half, and registers its
    /// ids in `registry` after the first half's.
    fn merge(
        self,
        lines_before: u64,
        diagnostics: &mut Vec<Diagnostic>,
        registry: &mut IdRegistry,
    ) {
        let shift = |location: &mut Location| {
            if let Location::Line(line) = location {
                *line += lines_before;
            }
        };
        let mut found = self.diagnostics.into_iter();
        let mut taken = 0;
        for (id, mut location, end) in self.ids {
            shift(&mut location);
            for mut d in found.by_ref().take(end - taken) {
                shift(&mut d.location);
                diagnostics.push(d);
            }
            taken = end;
            diagnostics.extend(registry.register_id(self.file, &id, &location));
        }
        diagnostics.extend(found.map(|mut d| {
            shift(&mut d.location);
            d
        }));
    }
}

impl read::Part for Later<'_> {
    fn take(&mut self, event: Event) {
        match event {
            Event::Record(mut parsed) => {
                self.records += 1;
                let found = problems(self.file, &mut parsed, self.a, self.regrade);
                self.diagnostics.extend(found);
                let record = &mut parsed.record;
                self.ids.push((
                    std::mem::take(&mut record.id).into(),
                    std::mem::replace(&mut record.location, Location::File),
                    self.diagnostics.len(),
                ));
            }
            Event::Problem(d) => self.diagnostics.push(d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The report of `check` on `path` in a pool of `threads`, as JSON.
    fn checked(path: &std::path::Path, threads: usize) -> (CheckReport, String) {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let report = pool.install(|| check(&[path.to_path_buf()]));
        let json = serde_json::to_string(&report).unwrap();
        (report, json)
    }

    /// A file large enough to be checked as two halves: its problems, duplicate ids across
    /// and within the halves among them, on the lines counted by hand, and the report the
    /// same as one thread's reading it whole.
    #[test]
    fn a_large_file_checked_as_two_halves_reports_as_read_whole() {
        let mut text = Vec::new();
        crate::synth::write(12_000, 7, &mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        // Line n of the file is lines[n - 1]; no synthetic field spans lines.
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        assert_eq!(lines.len(), 12_001);
        let grade = lines[0]
            .split(',')
            .position(|c| c == "grade_treo_pct")
            .unwrap();
        let spoil = |line: &mut String| {
            let mut cells: Vec<&str> = line.split(',').collect();
            cells[grade] = "abc";
            *line = cells.join(",");
        };
        spoil(&mut lines[3_000]);
        spoil(&mut lines[10_000]);
        lines[9_000] = lines[10].clone();
        lines[9_500] = lines[9_400].clone();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("large.csv");
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() > read::HALVES_MIN_BYTES);

        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let a = Assumptions::defaults();
        let halves =
            pool.install(|| read::visit_halves(&path, &mut |_| {}, Later::new("x", &a, false)));
        assert!(halves.unwrap().is_some(), "read as two halves");

        let (report, two) = checked(&path, 2);
        let errors: Vec<(String, String)> = report
            .diagnostics
            .iter()
            .filter(|d| d.severity == crate::diagnostic::Severity::Error)
            .map(|d| (d.location.to_string(), d.field.clone().unwrap_or_default()))
            .collect();
        let expected = [
            ("line 3001", "grade_treo_pct"),
            ("line 9001", "id"),
            ("line 9501", "id"),
            ("line 10001", "grade_treo_pct"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(l, f)| (l.to_string(), f.to_string()))
            .collect();
        assert_eq!(errors, expected);
        let duplicate = |line: &str| {
            report
                .diagnostics
                .iter()
                .find(|d| d.location.to_string() == line && d.field.as_deref() == Some("id"))
                .unwrap()
                .message
                .clone()
        };
        assert!(
            duplicate("line 9001").ends_with(" line 11"),
            "{}",
            duplicate("line 9001")
        );
        assert!(
            duplicate("line 9501").ends_with(" line 9401"),
            "{}",
            duplicate("line 9501")
        );
        assert_eq!(report.records, 12_000);
        assert_eq!(two, checked(&path, 1).1);
    }
}
