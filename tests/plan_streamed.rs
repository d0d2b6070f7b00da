//! The streamed plan (issue 21): `prospect plan` keeps each project as what the plan reads
//! of it and never holds the appraisals; the library's in-memory `plan()` reads the
//! appraisals of the whole run. On the same synthetic input, budget and target the two
//! give the same plan, byte for byte (JSON), and the table agrees with it.

use assert_cmd::cargo::cargo_bin_cmd;
use prospect::portfolio::plan::{Instrument, Objective, PlanOptions};
use prospect::portfolio::timeline::Target;

const AS_OF: i32 = 2026;
const TARGET: &str = "ndpr=40000t@2034";
const BUDGET: &str = "2000";

/// The plan of `input` by the library, in memory: every record appraised at once on the
/// plants a first allocation pass assigns (as the streamed commands appraise), the input's
/// plant records among the plants, then `plan()` on the appraisals.
fn in_memory(input: &std::path::Path, opts: &PlanOptions) -> prospect::portfolio::plan::Plan {
    let records = prospect::read::read_all(&[input.to_path_buf()])
        .unwrap()
        .records;
    let a = prospect::assumptions::Assumptions::defaults();
    let terms =
        prospect::appraise::Terms::resolve(&a, &prospect::appraise::Options::at(AS_OF)).unwrap();
    let context = prospect::context::Context::builtin().unwrap();
    let sep = prospect::portfolio::separation::Separation::new(
        prospect::context::load_plants(None).unwrap(),
        &a,
    );
    let (report, _) = prospect::portfolio::assigned::appraise_on_plants(
        &records,
        &context,
        &a,
        &terms,
        None,
        &sep,
        &indicatif::ProgressBar::hidden(),
    );
    let mut sep = sep;
    prospect::portfolio::plant_records::add(
        &mut sep,
        prospect::portfolio::plant_records::from_records(&records, &report.projects),
    );
    let opts = PlanOptions {
        rate_pct: terms.discount_rate_pct,
        ..opts.clone()
    };
    prospect::portfolio::plan::plan(
        &report.projects,
        &records,
        report.as_of,
        prospect::portfolio::timeline::DEFAULT_HORIZON_Y,
        TARGET.parse::<Target>().unwrap(),
        &sep,
        &opts,
    )
}

fn streamed(input: &std::path::Path, format: &str, extra: &[&str]) -> Vec<u8> {
    let out = cargo_bin_cmd!("prospect")
        .arg("plan")
        .arg(input)
        .args(["--as-of", "2026", "--draws", "0", "-q"])
        .args(["--target", TARGET, "--budget", BUDGET, "--format", format])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "plan: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// 3,000 synthetic sites (seed 5): the default objective with a grant, and least subsidy
/// with a grant or a concessional loan.
#[test]
fn streamed_plan_of_3000_sites_is_the_in_memory_plan() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("s3000.csv");
    cargo_bin_cmd!("prospect")
        .args(["synth", "--count", "3000", "--seed", "5", "-q", "-o"])
        .arg(&input)
        .assert()
        .success();
    let cases: [(PlanOptions, &[&str]); 2] = [
        (
            PlanOptions {
                budget_musd_per_y: BUDGET.parse().unwrap(),
                ..PlanOptions::default()
            },
            &[],
        ),
        (
            PlanOptions {
                budget_musd_per_y: BUDGET.parse().unwrap(),
                objective: Objective::LeastSubsidy,
                instruments: vec![Instrument::Grant, Instrument::ConcessionalLoan],
                ..PlanOptions::default()
            },
            &[
                "--objective",
                "least-subsidy",
                "--instrument",
                "grant,concessional-loan",
            ],
        ),
    ];
    for (opts, flags) in cases {
        let expected = in_memory(&input, &opts);
        // Something to compare: the baseline is not empty and the plan finances or
        // leaves out most of the 3,000.
        assert!(!expected.baseline.is_empty());
        assert!(
            expected.financed.len() + expected.left_out.len() + expected.baseline.len() >= 2900,
            "{} financed, {} left out, {} baseline",
            expected.financed.len(),
            expected.left_out.len(),
            expected.baseline.len()
        );
        let mut json = serde_json::to_vec_pretty(&expected).unwrap();
        json.push(b'\n');
        let got = streamed(&input, "json", flags);
        assert!(
            got == json,
            "{flags:?}: the streamed plan's JSON differs from the in-memory plan's"
        );
        if flags.is_empty() {
            assert_eq!(
                String::from_utf8(streamed(&input, "table", flags)).unwrap(),
                prospect::output::portfolio::plan_table(&expected),
                "table"
            );
        }
    }
}
