//! A user's own separation plant projects, given as records of kind `plant` in the input
//! (docs/schema.md, "Separation plant records"), added to the plants of the allocation.
//!
//! A plant record is not valued as a mine (its appraisal says so); its lead-time model
//! dates it like any project: the year it would start if it proceeds is its P50 start
//! year, the P90 of its outlook given that it proceeds its late date. Its capacity is the
//! record's nameplate, at the run's utilisation and the ramp-up of a new plant like the
//! plants of the layer. Scenario flags (`--drop-plant`, `--delay-plant`) act on the layer;
//! to remove a plant record, leave it out of the input.

use std::collections::BTreeMap;

use crate::appraisal::Appraisal;
use crate::context::plants::{CapacityStep, Plant, PlantAccess};
use crate::portfolio::separation::Separation;
use crate::read::record::{ProductForm, ProjectRecord, StudyStage};

/// The plant a plant record describes, dated by its appraisal `p`; `None` for any other
/// record, and for one without a site.
pub fn plant_of(rec: &ProjectRecord, p: &Appraisal) -> Option<Plant> {
    if !rec.is_plant() {
        return None;
    }
    let f = &rec.plant;
    let point = rec.site_point()?;
    let start = p.first_production_year.base;
    let late = p.first_production.if_produces.p90_year.max(start);
    let status = match rec.development.stage {
        Some(s) if s >= StudyStage::Production => "operating",
        Some(StudyStage::Construction) => "construction",
        _ => "planned",
    };
    let feeds = if f.feeds.is_empty() {
        vec![ProductForm::Concentrate, ProductForm::MixedCarbonate]
    } else {
        f.feeds.clone()
    };
    let heavy = f.dytb_t.is_some_and(|v| v > 0.0);
    Some(Plant {
        id: rec.id.clone(),
        name: rec.name.clone(),
        operator: rec.ownership.operator.clone(),
        owners: rec.ownership.owners.clone(),
        country: rec.country.clone(),
        kind: "separation".into(),
        status: status.into(),
        start_year: Some(start),
        start_year_late: Some(late),
        feeds,
        access: if f.captive == Some(true) {
            PlantAccess::Captive
        } else {
            PlantAccess::Open
        },
        light: f.ndpr_t.is_some_and(|v| v > 0.0) || f.reo_t.is_some_and(|v| v > 0.0),
        heavy,
        capacity: vec![CapacityStep {
            from: Some(start),
            from_late: Some(late),
            ndpr_t: f.ndpr_t,
            dytb_t: f.dytb_t,
            heavy_reo_t: None,
            reo_t: f.reo_t,
            basis: "nameplate".into(),
        }],
        toll_light_usd_per_kg: f.toll_light_usd_per_kg,
        toll_heavy_usd_per_kg: f.toll_heavy_usd_per_kg,
        source: Some(format!("plant record {} of the input", rec.id)),
        note: None,
        point,
    })
}

/// Adds `plants` (from plant records) to `sep`; their owners join the plant owners whose
/// separated-oxide projects are separated in their plants. A record whose id is already a
/// plant's of the layer replaces that plant (a user's own figures for it).
pub fn add(sep: &mut Separation, plants: Vec<Plant>) {
    for p in plants {
        sep.layer_owners
            .extend(p.operator.iter().chain(&p.owners).cloned());
        sep.plants.retain(|q| q.id != p.id);
        sep.plants.push(p);
    }
}

/// The plants of the plant records among `records`, dated by their appraisals.
pub fn from_records(records: &[ProjectRecord], projects: &[Appraisal]) -> Vec<Plant> {
    let by_id: BTreeMap<&str, &Appraisal> = projects.iter().map(|p| (p.id.as_str(), p)).collect();
    records
        .iter()
        .filter_map(|r| plant_of(r, by_id.get(r.id.as_str())?))
        .collect()
}
