//! prospect: appraise rare-earth and deep-sea mining projects and rank them for financing.
//!
//! The library is a pipeline, one folder per stage; data flow one way through it, and no
//! stage reaches back to an earlier one (docs/architecture.md):
//!
//! [`read`] (records in, validated) → [`context`] (where a site sits) → [`model`] (grade,
//! cost, cash flow, lead time, risk and simulation of one project) → [`appraise`] (all of
//! it per project, into an [`appraisal`]) → [`portfolio`] (ranking, timeline and plan across
//! projects) → [`output`] (tables, CSV, JSON, GeoJSON, HTML). [`assumptions`] holds every
//! default figure with its source; [`diagnostic`] is the one form of every input problem;
//! [`synth`] makes synthetic inputs for benchmarks.
//!
//! The `prospect` binary (src/main.rs and src/cli/) only parses arguments, calls these
//! modules and prints.

pub mod appraisal;
pub mod appraise;
pub mod assumptions;
pub mod context;
pub mod diagnostic;
pub mod model;
pub mod output;
pub mod portfolio;
pub mod read;
pub mod synth;

pub use diagnostic::{Diagnostic, Severity};
pub use read::record::ProjectRecord;
