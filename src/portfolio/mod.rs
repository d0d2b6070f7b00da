//! Decisions across projects. They take the appraisals of a set of projects (and their
//! records) and give a ranking for financing ([`rank`]), the calendar of supply and capex
//! with the year a target is met ([`timeline`]), a financing plan within a budget
//! ([`plan`]) and the strategic stockpile a disruption of China's exports calls for
//! ([`reserve`]).

pub mod assigned;
pub mod committee;
pub mod criteria;
pub mod plan;
pub mod plant_records;
pub mod rank;
pub mod reserve;
pub mod separation;
pub mod spread;
pub mod timeline;
