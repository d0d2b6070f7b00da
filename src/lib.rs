//! prospect: appraise rare-earth and deep-sea mining projects and rank them for financing.
//!
//! The library is a pipeline, one module per stage; data flow one way through it:
//!
//! [`read`] (records in, validated) → [`spatial`] (where a site sits) → [`grade`] (what it
//! sells) → [`cost`] (what it costs) → [`cashflow`] (NPV, IRR, payback) → [`leadtime`]
//! (when it delivers) → [`risk`] (how likely) → [`simulate`] (under uncertainty) →
//! [`appraise`] (all of it per project) → [`rank`], [`timeline`] (portfolio decisions) →
//! [`output`] (tables, CSV, JSON). [`check`] lists every input problem at once;
//! [`assumptions`] holds every default figure with its source.
//!
//! The `prospect` binary only parses arguments, calls these modules and prints.

pub mod appraise;
pub mod assumptions;
pub mod cashflow;
pub mod check;
pub mod cost;
pub mod diagnostic;
pub mod export;
pub mod grade;
pub mod leadtime;
pub mod output;
pub mod provenance;
pub mod rank;
pub mod read;
pub mod record;
pub mod report;
pub mod risk;
pub mod simulate;
pub mod spatial;
pub mod synth;
pub mod timeline;

pub use diagnostic::{Diagnostic, Severity};
pub use record::ProjectRecord;
