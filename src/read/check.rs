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
    let mut ids = IdRegistry::default();
    let mut diagnostics = Vec::new();
    for path in paths {
        let name = crate::read::input_name(path);
        let result = read::visit_in(path, crs, &mut |event| match event {
            Event::Record(parsed) => {
                report.records += 1;
                let read::Parsed {
                    record,
                    diagnostics: mut found,
                } = *parsed;
                let place = |d: Diagnostic| d.at(&name, record.location.clone(), Some(&record.id));
                found.extend(assumed::references(&record, a).into_iter().map(place));
                if let Some(regraded) = assumed::grade(&record, a) {
                    regraded.apply(&mut found, place);
                }
                diagnostics.extend(found);
                diagnostics.extend(ids.register(&name, &record));
            }
            Event::Problem(d) => diagnostics.push(d),
        });
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
