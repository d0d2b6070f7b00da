//! Problems found in input: each names the file, the record (line or feature index, and
//! id when known), the field, what is wrong and what to do.

use std::fmt;

use serde::Serialize;

use crate::read::record::Location;

/// How bad a problem is: errors stop a record from being used, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One problem in one place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file as the user named it.
    pub file: String,
    pub location: Location,
    /// The record's `id`, when it has one.
    pub record_id: Option<String>,
    /// The field (column or property) at fault, when there is one.
    pub field: Option<String>,
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error about `field` of the record at `location`.
    pub fn error(field: Option<&str>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, field, message)
    }

    /// A warning about `field` of the record at `location`.
    pub fn warning(field: Option<&str>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, field, message)
    }

    fn new(severity: Severity, field: Option<&str>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            file: String::new(),
            location: Location::File,
            record_id: None,
            field: field.map(str::to_owned),
            message: message.into(),
            hint: None,
        }
    }

    /// Adds what to do about the problem.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Places the problem in a file, at a record.
    pub fn at(mut self, file: &str, location: Location, record_id: Option<&str>) -> Self {
        self.file = file.to_owned();
        self.location = location;
        if self.record_id.is_none() {
            self.record_id = record_id.filter(|id| !id.is_empty()).map(str::to_owned);
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// One line: `file:line: error: record "ID", field "F": message (hint: ...)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        match self.location {
            Location::File => {}
            Location::Line(n) => write!(f, ":{n}")?,
            Location::Feature(i) => write!(f, ": feature {i}")?,
        }
        write!(f, ": {}: ", self.severity)?;
        let mut place = Vec::new();
        if let Some(id) = &self.record_id {
            place.push(format!("record {id:?}"));
        }
        if let Some(field) = &self.field {
            place.push(format!("field {field:?}"));
        }
        if !place.is_empty() {
            write!(f, "{}: ", place.join(", "))?;
        }
        write!(f, "{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// Counts of problems by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub errors: usize,
    pub warnings: usize,
}

impl Tally {
    pub fn add(&mut self, d: &Diagnostic) {
        match d.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_names_file_line_record_and_field() {
        let d = Diagnostic::error(Some("grade_treo_pct"), "grade 250 % is over 100 %")
            .with_hint("use grade_treo_ppm for ppm")
            .at("bad.csv", Location::Line(4), Some("P06"));
        assert_eq!(
            d.to_string(),
            "bad.csv:4: error: record \"P06\", field \"grade_treo_pct\": grade 250 % is over 100 % (hint: use grade_treo_ppm for ppm)"
        );
        let w = Diagnostic::warning(None, "empty").at("x.geojson", Location::Feature(2), None);
        assert_eq!(w.to_string(), "x.geojson: feature 2: warning: empty");
    }
}
