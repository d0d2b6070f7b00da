//! The timeline of a run of any size (issue 21) keeps each project's calendar line in
//! memory and the rest of its line on disk; what it writes must be what the in-memory
//! timeline writes. Checked on the samples, against the library's in-memory `timeline`.

use prospect::assumptions::Assumptions;
use prospect::output::{Blobs, SpilledLines, portfolio};
use prospect::portfolio::separation::Separation;
use prospect::portfolio::timeline::{self, CalendarLine, ProjectLine, Target, Timeline};

fn samples() -> (Vec<prospect::ProjectRecord>, prospect::appraisal::Report) {
    let context = prospect::context::Context::builtin().unwrap();
    let input =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/samples/projects.csv")).unwrap();
    let mut records = Vec::new();
    prospect::read::visit_bytes(
        "projects.csv",
        prospect::read::InputFormat::Csv,
        &input,
        &mut |event| {
            if let prospect::read::Event::Record(p) = event {
                records.push(p.record);
            }
        },
    );
    assert!(records.len() > 20, "the samples read: {}", records.len());
    let a = Assumptions::defaults();
    let terms =
        prospect::appraise::Terms::resolve(&a, &prospect::appraise::Options::at(2026)).unwrap();
    let report = prospect::appraise::appraise_all(
        &records,
        &context,
        &a,
        &terms,
        None,
        &indicatif::ProgressBar::hidden(),
    );
    (records, report)
}

/// The timeline as a streamed run builds it: calendar lines, the rest of each line as JSON
/// in a temporary file, read back in the timeline's order.
fn spilled(
    lines: &[ProjectLine],
    target: Option<Target>,
    sep: &Separation,
) -> Timeline<SpilledLines> {
    let mut blobs = Blobs::new().unwrap();
    let slots: Vec<_> = lines
        .iter()
        .map(|l| blobs.push(&serde_json::to_vec(l).unwrap()).unwrap())
        .collect();
    let calendar: Vec<CalendarLine> = lines.iter().map(CalendarLine::of).collect();
    let (t, mut placed) = timeline::calendar(
        &calendar,
        2026,
        25,
        &Assumptions::defaults().schedule.ramp_up,
        target,
        sep,
    );
    let order = t
        .projects
        .iter()
        .map(|&row| (slots[row], std::mem::take(&mut placed[row])))
        .collect();
    t.with_projects(SpilledLines::new(blobs.finish().unwrap(), order))
}

#[test]
fn the_spilled_timeline_writes_what_the_in_memory_timeline_writes() {
    let (records, report) = samples();
    let a = Assumptions::defaults();
    let sep = Separation::new(prospect::context::load_plants(None).unwrap(), &a);
    let by_id: std::collections::HashMap<&str, &prospect::ProjectRecord> =
        records.iter().map(|r| (r.id.as_str(), r)).collect();
    // Lines in reverse input order: the timeline's own order must not depend on the input's.
    let lines: Vec<ProjectLine> = report
        .projects
        .iter()
        .rev()
        .map(|p| ProjectLine::of(p, by_id[p.id.as_str()]))
        .collect();
    for target in [None, Some("ndpr=20000t@2032".parse().unwrap())] {
        let whole = timeline::timeline(
            &report.projects,
            &records,
            2026,
            25,
            &a.schedule.ramp_up,
            target,
            &sep,
        );
        // Something for the placements to carry: plants taken and terms found.
        assert!(
            whole
                .projects
                .iter()
                .any(|l| !l.plants.is_empty() && l.separation_terms.is_some())
        );
        let streamed = spilled(&lines, target, &sep);
        assert_eq!(
            serde_json::to_string_pretty(&streamed).unwrap(),
            serde_json::to_string_pretty(&whole).unwrap()
        );
        assert_eq!(
            portfolio::timeline_table(&streamed).unwrap(),
            portfolio::timeline_table(&whole).unwrap()
        );
        let (mut a_csv, mut b_csv) = (Vec::new(), Vec::new());
        portfolio::timeline_projects_csv(&streamed, &mut a_csv).unwrap();
        portfolio::timeline_projects_csv(&whole, &mut b_csv).unwrap();
        assert_eq!(
            String::from_utf8(a_csv).unwrap(),
            String::from_utf8(b_csv).unwrap()
        );
        assert_eq!(
            portfolio::timeline_csv(&streamed).unwrap(),
            portfolio::timeline_csv(&whole).unwrap()
        );
    }
}
