//! Decisions across projects. They take the appraisals of a set of projects (and their
//! records) and give a ranking for financing ([`rank`]), the calendar of supply and capex
//! with the year a target is met ([`timeline`]) and a financing plan within a budget
//! ([`plan`]).

pub mod assigned;
pub mod committee;
pub mod plan;
pub mod plant_records;
pub mod rank;
pub mod separation;
pub mod spread;
pub mod timeline;
