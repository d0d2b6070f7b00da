//! Where each input of the models came from: given by the record, estimated by a rule, or
//! a default assumption. Every output carries this log.

use std::collections::BTreeMap;

use serde::Serialize;

/// The origin of one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The record gave it (possibly converted to US$ or from ppm).
    Given,
    /// A model estimated it from other values, by the rule named in `basis`.
    Estimated,
    /// An assumption supplied it; `basis` names the assumption's source.
    Default,
}

/// One logged input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub origin: Origin,
    /// The value used, in the unit of the field's name.
    pub value: serde_json::Value,
    /// The rule, conversion or source behind it.
    pub basis: String,
}

/// How much of each input a log keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Keep {
    /// Origin, value and basis: for the JSON of docs/outputs.md.
    #[default]
    All,
    /// The origin alone (value null, basis empty): for outputs that show only which
    /// inputs were given, estimated or assumed (CSV, table, GeoJSON, FlatGeobuf, the
    /// report, and the commands that rank).
    Origins,
    /// Nothing: for the first allocation pass, whose appraisals are read only for their
    /// output and dates (`appraise::Pass::Allocation`).
    Nothing,
}

/// Inputs by name (the output field they feed), in name order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Provenance {
    entries: BTreeMap<String, Entry>,
    #[serde(skip)]
    keep: Keep,
}

impl Provenance {
    /// An empty log keeping `keep` of each input.
    pub fn keeping(keep: Keep) -> Self {
        Provenance {
            entries: BTreeMap::new(),
            keep,
        }
    }

    /// A log that keeps nothing.
    pub fn discarding() -> Self {
        Self::keeping(Keep::Nothing)
    }

    pub fn given(
        &mut self,
        name: &str,
        value: impl Into<serde_json::Value>,
        basis: impl std::fmt::Display,
    ) {
        self.put(name, Origin::Given, value, basis);
    }

    pub fn estimated(
        &mut self,
        name: &str,
        value: impl Into<serde_json::Value>,
        basis: impl std::fmt::Display,
    ) {
        self.put(name, Origin::Estimated, value, basis);
    }

    pub fn assumed(
        &mut self,
        name: &str,
        value: impl Into<serde_json::Value>,
        basis: impl std::fmt::Display,
    ) {
        self.put(name, Origin::Default, value, basis);
    }

    fn put(
        &mut self,
        name: &str,
        origin: Origin,
        value: impl Into<serde_json::Value>,
        basis: impl std::fmt::Display,
    ) {
        let entry = match self.keep {
            Keep::Nothing => return,
            Keep::Origins => Entry {
                origin,
                value: serde_json::Value::Null,
                basis: String::new(),
            },
            Keep::All => Entry {
                origin,
                value: match value.into() {
                    serde_json::Value::Number(n) => {
                        n.as_f64().map_or(serde_json::Value::Number(n), round_json)
                    }
                    other => other,
                },
                basis: basis.to_string(),
            },
        };
        self.entries.insert(name.to_owned(), entry);
    }

    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.entries.get(name)
    }

    /// Names with their origin, for table and CSV outputs ("capex_musd=given; ...").
    pub fn origins(&self) -> impl Iterator<Item = (&str, Origin)> {
        self.entries.iter().map(|(k, e)| (k.as_str(), e.origin))
    }
}

/// A number rounded to 6 significant decimals as JSON (null if not finite).
pub fn round_json(v: f64) -> serde_json::Value {
    if !v.is_finite() {
        return serde_json::Value::Null;
    }
    let r = (v * 1e6).round() / 1e6;
    serde_json::Number::from_f64(r + 0.0).map_or(serde_json::Value::Null, serde_json::Value::Number)
}
