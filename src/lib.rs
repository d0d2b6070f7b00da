//! prospect: appraise rare-earth and deep-sea mining projects and rank them for financing.
//!
//! The library is a pipeline, one module per stage; data flow one way through it:
//!
//! [`read`] (records in, validated) → [`check`] (every problem at once).
//!
//! The `prospect` binary only parses arguments, calls these modules and prints.

pub mod appraise;
pub mod assumptions;
pub mod cashflow;
pub mod check;
pub mod cost;
pub mod diagnostic;
pub mod grade;
pub mod leadtime;
pub mod output;
pub mod provenance;
pub mod read;
pub mod record;
pub mod risk;
pub mod simulate;
pub mod spatial;

pub use diagnostic::{Diagnostic, Severity};
pub use record::ProjectRecord;
