//! Issue 19, class 10: an assumptions file is read strictly. Keys no model reads are
//! refused with the nearest known key, every figure is held to its range, and each problem
//! is reported at its line in the user's own file (not in the merged document), all at once.

use assert_cmd::cargo::cargo_bin_cmd;
use proptest::prelude::*;
use prospect::assumptions::{Assumptions, AssumptionsError};

/// The rendered problems of a rejected override, one a line.
fn problems(text: &str) -> Vec<String> {
    match Assumptions::with_override("user.toml", text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(AssumptionsError::Problems { rendered, .. }) => {
            rendered.lines().map(str::to_owned).collect()
        }
        Err(e) => panic!("not a list of problems: {e}"),
    }
}

/// The one problem of a rejected override.
fn problem(text: &str) -> String {
    let p = problems(text);
    assert_eq!(p.len(), 1, "{p:#?}");
    p[0].clone()
}

#[test]
fn misspelt_tables_and_keys_are_refused_with_the_nearest_name() {
    let p = problem("# my deck\n\n[valuaton]\ndiscount_rate_pct = 5\n");
    assert!(p.starts_with("user.toml:3:"), "{p}");
    assert!(p.contains("did you mean \"valuation\""), "{p}");
    let p = problem("[valuation]\ndiscount_rate_pc = 5\n");
    assert!(p.starts_with("user.toml:2:1: "), "{p}");
    assert!(p.contains("did you mean \"discount_rate_pct\""), "{p}");
    // A key deep in a user-added map entry (a new deck) is checked against its siblings.
    let p = problem("[scenarios.mine]\nbase = \"low\"\nmoney_yr = 2025\n");
    assert!(p.starts_with("user.toml:3:1: "), "{p}");
    assert!(p.contains("did you mean \"money_year\""), "{p}");
    // Maps with a closed set of keys: oxides, metals, stages.
    let p = problem("[scenarios.low.oxides]\nndd = 50\n");
    assert!(p.contains("did you mean \"nd\""), "{p}");
    let p = problem("[scenarios.low.metals]\nnickel = 15000\n");
    assert!(p.contains("did you mean \"ni\""), "{p}");
    let p = problem("[risk.base_rate]\nfeasability = 0.3\n");
    assert!(
        p.contains("did you mean \"feasibility\"") || p.contains("unknown key"),
        "{p}"
    );
}

#[test]
fn annotations_and_new_entries_are_accepted() {
    // A source or note beside a user's own figure is welcome; so are new decks and new
    // countries.
    let a = Assumptions::with_override(
        "user.toml",
        "[valuation]\nsource = \"board memo, Dec 2026\"\ndiscount_rate_pct = 10\n\
         [scenarios.board]\nbase = \"low\"\ndescription = \"board case\"\n[scenarios.board.oxides]\nnd = 90.0\n\
         [jurisdictions.XX]\nroyalty_pct = 4\ntax_rate_pct = 25\nsource = \"statute\"\n\
         [fx.rates.XXX]\n2025 = 3.5\n",
    )
    .unwrap();
    assert_eq!(a.valuation.discount_rate_pct, 10.0);
    assert!(a.prices("board").is_ok());
    // An annotation key holding a number is not an annotation: refused.
    let p = problem("[valuation]\nsource = 5\n");
    assert!(p.contains("unknown key \"source\""), "{p}");
}

#[test]
fn every_range_of_the_issue_is_refused_at_the_users_line() {
    // Each case of issue 19's class 10, with the line (in this file) the error must name.
    let cases: &[(&str, usize, &str)] = &[
        (
            "[jurisdictions.AU]\nroyalty_pct = 1000\n",
            2,
            "jurisdictions.AU.royalty_pct",
        ),
        (
            "[jurisdictions.AU]\n\ntax_rate_pct = 150\n",
            3,
            "jurisdictions.AU.tax_rate_pct",
        ),
        (
            "[deposits.carbonatite]\nrecovery_pct = 500\n",
            2,
            "recovery_pct",
        ),
        (
            "[deposits.carbonatite]\nrecovery_pct = 0\n",
            2,
            "recovery_pct",
        ),
        (
            "[uncertainty.resource_cv]\nmeasured = -0.1\n",
            2,
            "resource_cv.measured",
        ),
        (
            "[uncertainty.estimated_sigma]\ncapex = -1\n",
            2,
            "estimated_sigma.capex",
        ),
        (
            "[uncertainty.prices]\nsigma = [-0.2, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]\n",
            2,
            "sigma.0",
        ),
        (
            "# x\n[uncertainty.recovery_pts]\nmin = 5.0\nmax = -5.0\n",
            2,
            "recovery_pts",
        ),
        (
            "[deposits.carbonatite]\nconstruction_y = 0\n",
            2,
            "construction_y",
        ),
        (
            "[deposits.carbonatite]\nconstruction_y = 100000\n",
            2,
            "construction_y",
        ),
        ("[seabed]\nconstruction_y = 0\n", 2, "seabed.construction_y"),
        ("[fx.rates.AUD]\n2024 = 0.0\n", 2, "fx.rates.AUD.2024"),
        ("[fx.rates.AUD]\n2024 = -0.6\n", 2, "fx.rates.AUD.2024"),
        ("[fx.rates.AUD]\ntwenty = 0.6\n", 2, "not a year"),
        (
            "[lead_time]\nconstruction_spread = [1e308, 1e308, 1e308]\n",
            2,
            "construction_spread.0",
        ),
        (
            "[lead_time]\nconstruction_spread = [1.5, 1.0, 2.0]\n",
            2,
            "construction_spread",
        ),
        (
            "[valuation]\ndiscount_rate_pct = nan\n",
            2,
            "discount_rate_pct",
        ),
        (
            "[valuation]\ndiscount_rate_pct = inf\n",
            2,
            "discount_rate_pct",
        ),
        (
            "[valuation]\ndiscount_rate_pct = 800\n",
            2,
            "discount_rate_pct",
        ),
        (
            "[costs]\nsustaining_pct_of_capex = -3\n",
            2,
            "sustaining_pct_of_capex",
        ),
        (
            "[risk.base_rate]\nexploration = 1.5\n",
            2,
            "base_rate.exploration",
        ),
        (
            "[uncertainty.prices]\ncorrelation = [[1.0, 2.0], [2.0, 1.0]]\n",
            2,
            "correlation.0.1",
        ),
    ];
    for (text, line, names) in cases {
        let p = problems(text);
        assert!(
            p.iter()
                .any(|l| l.starts_with(&format!("user.toml:{line}:")) && l.contains(names)),
            "{text:?} -> {p:#?}"
        );
    }
}

#[test]
fn an_all_zero_deck_is_refused() {
    let oxides = "la ce pr nd sm eu gd tb dy ho er tm yb lu y"
        .split(' ')
        .map(|o| format!("{o} = 0.0\n"))
        .collect::<String>();
    let p = problem(&format!(
        "[scenarios.zero]\n[scenarios.zero.oxides]\n{oxides}"
    ));
    assert!(
        p.starts_with("user.toml:1:") && p.contains("every price of this deck is 0"),
        "{p}"
    );
    // The same deck with one price is a deck.
    let one = oxides.replace("nd = 0.0", "nd = 60.0");
    assert!(
        Assumptions::with_override("u", &format!("[scenarios.z]\n[scenarios.z.oxides]\n{one}"))
            .is_ok()
    );
}

#[test]
fn a_type_error_names_the_users_line_not_the_merged_documents() {
    // The merged document puts [valuation] near its top and this key far below it; the
    // user's file has it on line 4.
    let p = problem("# comment\n# comment\n[valuation]\ndiscount_rate_pct = \"ten\"\n");
    assert!(
        p.starts_with("user.toml:4:1: valuation.discount_rate_pct: invalid type"),
        "{p}"
    );
}

#[test]
fn every_problem_is_listed_at_once_in_the_files_order() {
    let p = problems(
        "[valuaton]\nx = 1\n[deposits.carbonatite]\nrecovery_pct = 500\nconstruction_y = 0\n\
         [jurisdictions.AU]\nroyalty_pct = 1000\n",
    );
    let lines: Vec<usize> = p
        .iter()
        .map(|l| l.split(':').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(lines, vec![1, 4, 5, 7], "{p:#?}");
}

#[test]
fn the_cli_refuses_a_bad_file_with_every_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.toml");
    std::fs::write(
        &path,
        "[valuation]\ndiscount_rate_pc = 5\n[deposits.carbonatite]\nrecovery_pct = 500\n",
    )
    .unwrap();
    let out = cargo_bin_cmd!("prospect")
        .args([
            "appraise",
            "samples/projects.csv",
            "--draws",
            "0",
            "--assumptions",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    let name = path.display().to_string();
    assert!(
        err.contains(&format!("{name}:2:1: valuation.discount_rate_pc")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{name}:4:1: deposits.carbonatite.recovery_pct")),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

// --- The merge, fuzzed (bounded: a fixed number of cases, run by cargo test) ----------

/// Dotted keys of the defaults whose values are numbers, strings or arrays.
fn default_leaves() -> Vec<String> {
    fn go(t: &toml::Table, prefix: &str, out: &mut Vec<String>) {
        for (k, v) in t {
            let p = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                toml::Value::Table(sub) => go(sub, &p, out),
                _ => out.push(p),
            }
        }
    }
    let t: toml::Table = prospect::assumptions::DEFAULT_TOML.parse().unwrap();
    let mut out = Vec::new();
    go(&t, "", &mut out);
    out
}

fn hostile_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<f64>().prop_map(|x| format!("{x:?}").replace("NaN", "nan")),
        Just("nan".to_owned()),
        Just("-inf".to_owned()),
        Just("1e308".to_owned()),
        Just("-0.0".to_owned()),
        (-1_000_000i64..1_000_000).prop_map(|i| i.to_string()),
        "\\PC{0,12}".prop_map(|s| toml::Value::String(s).to_string()),
        Just("\"\\u202e=HYPERLINK(1)\\u001b]52;c;\"".to_owned()),
        Just("[]".to_owned()),
        Just("[1e308, -1, 0]".to_owned()),
        Just("{}".to_owned()),
        Just("true".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Any override of real keys, or of made-up keys, with hostile values: the merge never
    /// panics; what it accepts is in range (every deck resolves, the discount rate is a
    /// rate), and what it refuses is reported line by line, each line naming the file.
    #[test]
    fn the_merge_never_panics_and_reports_by_line(
        picks in proptest::collection::vec((any::<prop::sample::Index>(), hostile_value()), 1..6),
        junk in proptest::collection::vec(("[a-z_.\u{202e}]{1,10}", hostile_value()), 0..3),
    ) {
        let leaves = default_leaves();
        let mut text = String::new();
        for (i, v) in &picks {
            let key = &leaves[i.index(leaves.len())];
            let quoted: Vec<String> = key.split('.').map(|k| toml::Value::String(k.to_owned()).to_string()).collect();
            text.push_str(&format!("{} = {v}\n", quoted.join(".")));
        }
        for (k, v) in &junk {
            text.push_str(&format!("{} = {v}\n", toml::Value::String(k.clone())));
        }
        match Assumptions::with_override("fuzz.toml", &text) {
            Ok(a) => {
                let r = a.valuation.discount_rate_pct;
                prop_assert!(r.is_finite() && r > -50.0 && r <= 100.0);
                for name in a.scenarios.keys() {
                    prop_assert!(a.prices(name).is_ok());
                }
                for d in a.deposits.values() {
                    prop_assert!(d.recovery_pct > 0.0 && d.recovery_pct <= 100.0);
                    prop_assert!((1..=15).contains(&d.construction_y));
                }
            }
            Err(AssumptionsError::Problems { rendered, problems, .. }) => {
                prop_assert!(!problems.is_empty());
                for line in rendered.lines() {
                    prop_assert!(line.starts_with("fuzz.toml"), "{}", line);
                }
            }
            Err(AssumptionsError::Parse { .. }) => {}
            Err(e) => prop_assert!(false, "unexpected error kind: {}", e),
        }
    }
}
