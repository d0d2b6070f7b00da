//! Strict reading of an assumptions file (issue 19, class 10): keys the models do not read
//! are refused with the nearest known key, every figure is checked against its range, and
//! each problem is reported at its line in the user's own file, not in the merged document.
//!
//! The user's file is merged over the defaults (`super::merge`) before it is read, so the
//! merged text's line numbers mean nothing to the user. Each problem is therefore found by
//! its dotted key (`deposits.carbonatite.recovery_pct`), which is then looked up in the
//! user's file; a key the user did not write (a limit broken by the pair of a user's
//! figure and a default one) is reported at the nearest table the user did write.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use crate::read::record::{DepositType, OXIDES, ProductForm, StudyStage};

/// One problem of an assumptions file: the dotted key it concerns and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Dotted key path in the merged assumptions (`valuation.discount_rate_pct`).
    pub key: String,
    pub message: String,
}

impl Problem {
    fn new(key: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            key: key.into(),
            message: message.into(),
        }
    }
}

/// Line, column (1-based) and whether the key itself (not an enclosing table) was found.
type Place = (usize, usize, bool);

/// Where every key of one TOML text is: dotted path, the key's span and its value's span.
pub(super) struct KeyIndex {
    name: String,
    entries: Vec<(String, Range<usize>, Range<usize>)>,
    paths: HashMap<String, usize>,
    line_starts: Vec<usize>,
    text: String,
}

fn walk_table(
    table: &DeTable<'_>,
    prefix: &str,
    out: &mut Vec<(String, Range<usize>, Range<usize>)>,
) {
    for (k, v) in table.iter() {
        let path = join(prefix, k.get_ref());
        out.push((path.clone(), k.span(), v.span()));
        walk_value(v.get_ref(), &path, out);
    }
}

fn walk_value(v: &DeValue<'_>, path: &str, out: &mut Vec<(String, Range<usize>, Range<usize>)>) {
    match v {
        DeValue::Table(t) => walk_table(t, path, out),
        DeValue::Array(a) => {
            for (i, e) in a.iter().enumerate() {
                let p = join(path, &i.to_string());
                out.push((p.clone(), e.span(), e.span()));
                walk_value(e.get_ref(), &p, out);
            }
        }
        _ => {}
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

impl KeyIndex {
    /// Indexes `text` (a file named `name`); a text that does not parse has no keys.
    pub(super) fn new(name: &str, text: &str) -> KeyIndex {
        let mut entries = Vec::new();
        if let Ok(doc) = DeTable::parse(text) {
            walk_table(doc.get_ref(), "", &mut entries);
        }
        let mut paths = HashMap::new();
        for (i, (p, _, _)) in entries.iter().enumerate() {
            paths.entry(p.clone()).or_insert(i);
        }
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        KeyIndex {
            name: name.to_owned(),
            entries,
            paths,
            line_starts,
            text: text.to_owned(),
        }
    }

    /// Line and column (1-based, in characters) of a byte offset.
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|s| *s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let col = self
            .text
            .get(start..offset)
            .map_or(1, |s| s.chars().count() + 1);
        (line, col)
    }

    /// Where the user wrote `key`, or else the nearest enclosing table they wrote: line,
    /// column and whether it is the key itself.
    fn locate(&self, key: &str) -> Option<Place> {
        let mut k = key;
        let mut exact = true;
        loop {
            if let Some(i) = self.paths.get(k) {
                let (line, col) = self.line_col(self.entries[*i].1.start);
                return Some((line, col, exact));
            }
            exact = false;
            k = &k[..k.rfind('.')?];
        }
    }

    /// The dotted key whose key or value holds byte `offset` (the innermost one).
    pub(super) fn key_at(&self, offset: usize) -> Option<&str> {
        self.entries
            .iter()
            .filter(|(_, k, v)| k.contains(&offset) || v.contains(&offset) || v.start == offset)
            .max_by_key(|(p, _, _)| p.len())
            .map(|(p, _, _)| p.as_str())
    }

    /// The problems as lines, each at the user's line: `file:line:col: key: message`.
    pub(super) fn render(&self, problems: &[Problem]) -> String {
        let mut out = String::new();
        // In the order of the user's file; problems not in it last.
        let mut sorted: Vec<(Option<Place>, &Problem)> =
            problems.iter().map(|p| (self.locate(&p.key), p)).collect();
        sorted.sort_by_key(|(at, _)| at.map_or((usize::MAX, 0), |(l, c, _)| (l, c)));
        for (i, (at, p)) in sorted.into_iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            // A message that starts with its key does not repeat it.
            let what = if p.key.is_empty() || p.message.starts_with(&p.key) {
                p.message.clone()
            } else {
                format!("{}: {}", p.key, p.message)
            };
            match at {
                Some((line, col, true)) => {
                    let _ = write!(out, "{}:{line}:{col}: {what}", self.name);
                }
                Some((line, col, false)) => {
                    let _ = write!(
                        out,
                        "{}:{line}:{col}: {what} (with a default figure of this table)",
                        self.name
                    );
                }
                None => {
                    let _ = write!(out, "{}: {what}", self.name);
                }
            }
        }
        out
    }
}

/// Keys that only annotate (a source, a note): allowed in any table when they hold text.
fn is_annotation(key: &str) -> bool {
    matches!(key, "source" | "sources" | "description" | "note" | "notes")
        || key.ends_with("_source")
}

/// The path serde_ignored gives, dotted, without its wrappers (`Some`, newtypes).
fn ignored_path(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => join(&ignored_path(parent), &index.to_string()),
        Path::Map { parent, key } => join(&ignored_path(parent), key),
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => ignored_path(parent),
    }
}

fn table_at<'t>(root: &'t toml::Table, path: &str) -> Option<&'t toml::Table> {
    let mut t = root;
    if path.is_empty() {
        return Some(t);
    }
    for k in path.split('.') {
        t = t.get(k)?.as_table()?;
    }
    Some(t)
}

fn value_at<'t>(root: &'t toml::Table, path: &str) -> Option<&'t toml::Value> {
    let (parent, key) = path.rsplit_once('.').unwrap_or(("", path));
    table_at(root, parent)?.get(key)
}

/// The keys a table at `parent` may hold, going by the defaults: its own keys there, or,
/// for an entry the user added to a map (a new deck, a new country), the keys of every
/// entry of that map in the defaults.
fn known_keys(defaults: &toml::Table, parent: &str) -> BTreeSet<String> {
    if let Some(t) = table_at(defaults, parent) {
        return t.keys().cloned().collect();
    }
    let Some((grand, _)) = parent.rsplit_once('.') else {
        return BTreeSet::new();
    };
    let mut keys = BTreeSet::new();
    if let Some(t) = table_at(defaults, grand) {
        for v in t.values() {
            if let Some(entry) = v.as_table() {
                keys.extend(entry.keys().cloned());
            }
        }
    }
    keys
}

/// Keys of the merged document that no model reads (typos such as `[valuaton]` or
/// `discount_rate_pc`), each with the nearest known key.
pub(super) fn unknown_keys(merged: &str, defaults: &toml::Table) -> Vec<Problem> {
    let mut ignored = Vec::new();
    if let Ok(de) = toml::Deserializer::parse(merged) {
        let _: Result<super::Assumptions, _> =
            serde_ignored::deserialize(de, |p| ignored.push(ignored_path(&p)));
    }
    let merged_table: Option<toml::Table> = merged.parse().ok();
    ignored
        .into_iter()
        .filter(|path| {
            let key = path.rsplit('.').next().unwrap_or(path);
            let text = merged_table
                .as_ref()
                .and_then(|t| value_at(t, path))
                .is_some_and(toml::Value::is_str);
            !(is_annotation(key) && text)
        })
        .map(|path| {
            let (parent, key) = path.rsplit_once('.').unwrap_or(("", path.as_str()));
            let known = known_keys(defaults, parent);
            let known: Vec<&str> = known
                .iter()
                .map(String::as_str)
                .filter(|k| !is_annotation(k))
                .collect();
            let where_ = if parent.is_empty() {
                "at the top level".to_owned()
            } else {
                format!("in [{parent}]")
            };
            let message = match crate::read::schema::nearest(key, known.iter().copied()) {
                Some(near) => format!("unknown key {key:?} {where_}: did you mean {near:?}?"),
                None if known.is_empty() => format!("unknown key {key:?} {where_}"),
                None => format!(
                    "unknown key {key:?} {where_}; known keys: {}",
                    known.join(", ")
                ),
            };
            Problem::new(path, message)
        })
        .collect()
}

// --- Ranges -------------------------------------------------------------------------

/// How a figure is bounded.
#[derive(Clone, Copy)]
enum Rule {
    /// lo <= x <= hi.
    Closed(f64, f64),
    /// lo < x <= hi.
    AboveTo(f64, f64),
}

impl Rule {
    fn holds(self, x: f64) -> bool {
        match self {
            Rule::Closed(lo, hi) => x >= lo && x <= hi,
            Rule::AboveTo(lo, hi) => x > lo && x <= hi,
        }
    }

    fn describe(self) -> String {
        match self {
            Rule::Closed(lo, hi) => format!("from {} to {}", figure(lo), figure(hi)),
            Rule::AboveTo(lo, hi) => format!("above {} and at most {}", figure(lo), figure(hi)),
        }
    }
}

const PCT: Rule = Rule::Closed(0.0, 100.0);
const SHARE: Rule = Rule::Closed(0.0, 1.0);
const NONNEG: Rule = Rule::Closed(0.0, LARGEST);
const POSITIVE: Rule = Rule::AboveTo(0.0, LARGEST);
/// The largest magnitude any figure of the assumptions may take: far above any price (US$
/// per tonne), capex (US$ million) or exchange rate, far below where sums overflow.
const LARGEST: f64 = 1e12;

/// Range of each figure, by dotted key pattern (`*` stands for any one key). The first
/// pattern that matches a key wins; figures no pattern names must still be finite and at
/// most [`LARGEST`] in magnitude. Judgement bounds (2026-12): a figure outside them is a
/// slip (a percentage written as a fraction, a sign, a unit), not a scenario.
const RULES: &[(&str, Rule)] = &[
    ("valuation.discount_rate_pct", Rule::AboveTo(-50.0, 100.0)),
    ("scenarios.*.oxides.*", NONNEG),
    ("scenarios.*.metals.*", NONNEG),
    ("scenarios.*.money_year", Rule::Closed(1950.0, 2100.0)),
    ("fx.rates.*.*", POSITIVE),
    ("jurisdictions.*.royalty_pct", PCT),
    ("jurisdictions.*.tax_rate_pct", PCT),
    ("jurisdictions.*.royalty_by_product_pct.*", PCT),
    ("jurisdictions.*.rent_tax.rate_pct", PCT),
    (
        "jurisdictions.*.rent_tax.threshold_pct",
        Rule::AboveTo(-100.0, 100.0),
    ),
    ("area_royalty_scenarios.*", PCT),
    ("products.*.payable_pct", PCT),
    ("products.*.opex_usd_per_kg_treo", NONNEG),
    ("products.*.treo_pct_of_product", Rule::AboveTo(0.0, 100.0)),
    ("deposits.*.recovery_pct", Rule::AboveTo(0.0, 100.0)),
    ("deposits.*.construction_y", Rule::Closed(1.0, 15.0)),
    ("deposits.*.capex_factor", Rule::AboveTo(0.0, 100.0)),
    ("deposits.*.oxide_shares.*", PCT),
    ("distributions.*.oxide_shares.*", PCT),
    ("netback.separator_recovery_pct", PCT),
    ("netback.unseparated_payable_pct", PCT),
    ("netback.*", NONNEG),
    ("costs.capex_a", POSITIVE),
    ("costs.capex_b", Rule::AboveTo(0.0, 2.0)),
    ("costs.capex_fit_range_t.*", POSITIVE),
    ("costs.sustaining_pct_of_capex", PCT),
    ("costs.closure_pct_of_capex", PCT),
    ("costs.logistics_usd_per_t_km", NONNEG),
    ("costs.depreciation_y", Rule::Closed(1.0, 100.0)),
    ("seabed.construction_y", Rule::Closed(1.0, 15.0)),
    ("seabed.capex_ref_musd", POSITIVE),
    ("seabed.capex_ref_mtpa", POSITIVE),
    ("seabed.scale_exponent", Rule::AboveTo(0.0, 2.0)),
    ("seabed.depth_ref_m", POSITIVE),
    ("seabed.capex_pct_per_1000m", Rule::Closed(-100.0, 1000.0)),
    ("seabed.rules.depth_factor_floor", Rule::Closed(0.0, 1.0)),
    ("nodules.yield_pct_of_wet.*", PCT),
    ("nodules.reference_grade_pct.*", Rule::AboveTo(0.0, 100.0)),
    ("nodules.regions.*.grade_pct.*", PCT),
    ("nodules.regions.*.abundance_kg_m2", NONNEG),
    ("nodules.licence_mineable_share", SHARE),
    ("nodules.default_licence_area_km2", POSITIVE),
    ("nodules.max_throughput_mtpa", POSITIVE),
    ("nodules.products.*.payable_pct.*", PCT),
    ("nodules.unit_costs.ref_throughput_mtpa", POSITIVE),
    ("nodules.unit_costs.*", NONNEG),
    ("sulphides.recovery_pct.*", PCT),
    ("sulphides.payable_pct.*", PCT),
    ("taylor.coefficient", POSITIVE),
    ("taylor.exponent", Rule::AboveTo(0.0, 1.0)),
    ("resources.inferred_conversion", SHARE),
    ("schedule.ramp_up.*", Rule::AboveTo(0.0, 1.0)),
    ("lead_time.construction_spread.*", Rule::AboveTo(0.0, 10.0)),
    ("lead_time.permit_multiplier.*", Rule::AboveTo(0.0, 10.0)),
    ("lead_time.regime_delay_y.*", Rule::Closed(0.0, 50.0)),
    ("lead_time.milestones.slip_share", Rule::Closed(0.0, 10.0)),
    ("lead_time.survival.stage_mean_y.*", Rule::Closed(0.0, 50.0)),
    ("lead_time.survival.pace_shape", Rule::AboveTo(1.0, 1000.0)),
    ("lead_time.survival.work_scale_y", Rule::AboveTo(0.0, 50.0)),
    (
        "lead_time.survival.construction_stall_mean_y",
        Rule::Closed(0.0, 50.0),
    ),
    (
        "lead_time.survival.revival_delay_y",
        Rule::Closed(0.0, 50.0),
    ),
    ("lead_time.survival.horizon_y", Rule::AboveTo(0.0, 200.0)),
    ("risk.base_rate.*", SHARE),
    ("risk.policy_score.*", PCT),
    ("risk.multipliers.*", Rule::Closed(0.0, 1.0)),
    ("risk.rules.jurisdiction_floor", SHARE),
    ("risk.rules.protected_near_km", NONNEG),
    ("owner.capex_lost_share", SHARE),
    ("owner.free_carried_pct.*", PCT),
    ("owner.post_production_hazard_pct.*", PCT),
    ("uncertainty.draws", Rule::Closed(0.0, 1e9)),
    ("uncertainty.prices.sigma.*", Rule::Closed(0.0, 5.0)),
    (
        "uncertainty.prices.correlation.*.*",
        Rule::Closed(-1.0, 1.0),
    ),
    ("uncertainty.resource_cv.*", Rule::Closed(0.0, 5.0)),
    ("uncertainty.recovery_pts.*", Rule::Closed(-100.0, 100.0)),
    ("uncertainty.accuracy_band.*", Rule::Closed(0.0, 5.0)),
    ("uncertainty.estimated_sigma.*", Rule::Closed(0.0, 5.0)),
    ("uncertainty.rules.band_fallback", Rule::Closed(0.0, 5.0)),
    ("uncertainty.rules.grade_factor_floor", SHARE),
    ("uncertainty.rules.tonnage_factor_floor", SHARE),
    (
        "uncertainty.rules.capex_pert_band.*",
        Rule::Closed(0.0, 10.0),
    ),
    (
        "uncertainty.rules.opex_pert_band.*",
        Rule::Closed(0.0, 10.0),
    ),
    ("rank.weights.*", NONNEG),
    ("validation.typical_grade_pct.*.*", PCT),
    ("context.protected_search_km", POSITIVE),
    ("separation.new_plant_lead_time_y", Rule::Closed(0.0, 30.0)),
    ("reserve.reference_days", Rule::Closed(0.0, 3660.0)),
    ("reserve.confidence_pct", Rule::AboveTo(0.0, 100.0)),
    ("reserve.draws", Rule::Closed(1.0, 1_000_000.0)),
    ("reserve.disruption_years", Rule::Closed(1.0, 50.0)),
    ("mud.design_life_y", Rule::AboveTo(0.0, 100.0)),
    ("mud.operating_days_per_y", Rule::AboveTo(0.0, 366.0)),
    ("mud.scenarios.*.vessels", Rule::Closed(0.0, 1000.0)),
    (
        "byproduct_prices.*.money_year",
        Rule::Closed(1950.0, 2100.0),
    ),
    ("money.real_year", Rule::Closed(1950.0, 2100.0)),
    ("money.cpi.*", POSITIVE),
    // Funding and support instruments (issue 18).
    ("funding.min_dscr", Rule::Closed(1.0, 10.0)),
    ("funding.debt_tenor_y", Rule::Closed(1.0, 50.0)),
    ("funding.debt_rate_pct", Rule::Closed(-10.0, 50.0)),
    ("funding.max_gearing_pct", PCT),
    ("funding.working_capital_months", Rule::Closed(0.0, 36.0)),
    ("instruments.government_rate_pct", Rule::Closed(-10.0, 50.0)),
    ("instruments.price_floor.ndpr_usd_per_kg", NONNEG),
    ("instruments.price_floor.tenor_y", Rule::Closed(0.0, 50.0)),
    ("instruments.price_floor.upside_share_pct", PCT),
    (
        "instruments.concessional_loan.rate_pct",
        Rule::Closed(-10.0, 50.0),
    ),
    (
        "instruments.concessional_loan.tenor_y",
        Rule::Closed(1.0, 50.0),
    ),
    ("instruments.concessional_loan.share_of_capex_pct", PCT),
    ("instruments.production_credit.*.rate_pct", PCT),
    (
        "instruments.production_credit.*.eligible_share_of_opex_pct",
        PCT,
    ),
    (
        "instruments.production_credit.*.first_year",
        Rule::Closed(1950.0, 2200.0),
    ),
    (
        "instruments.production_credit.*.last_year",
        Rule::Closed(1950.0, 2200.0),
    ),
    (
        "instruments.production_credit.*.max_years",
        Rule::Closed(0.0, 100.0),
    ),
    ("instruments.production_credit.*.phase_pct.*", PCT),
];

/// A figure as a message shows it: plain when short, in exponent form when huge.
fn figure(x: f64) -> String {
    if x.is_finite() && x.abs() < 1e7 {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

fn matches(pattern: &str, key: &str) -> bool {
    let mut p = pattern.split('.');
    let mut k = key.split('.');
    loop {
        match (p.next(), k.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == "*" || a == b => {}
            _ => return false,
        }
    }
}

fn number(v: &toml::Value) -> Option<f64> {
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
}

fn each_number(t: &toml::Table, prefix: &str, f: &mut impl FnMut(&str, f64)) {
    for (k, v) in t {
        let path = join(prefix, k);
        each_value(v, &path, f);
    }
}

fn each_value(v: &toml::Value, path: &str, f: &mut impl FnMut(&str, f64)) {
    match v {
        toml::Value::Table(t) => each_number(t, path, f),
        toml::Value::Array(a) => {
            for (i, e) in a.iter().enumerate() {
                each_value(e, &join(path, &i.to_string()), f);
            }
        }
        _ => {
            if let Some(x) = number(v) {
                f(path, x);
            }
        }
    }
}

/// Keys of the maps whose keys are a closed set (stages, oxides, metals, criteria).
fn closed_maps() -> Vec<(&'static str, Vec<String>)> {
    let stages: Vec<String> = StudyStage::ALL
        .iter()
        .map(|s| s.as_str().to_owned())
        .collect();
    let pre_construction: Vec<String> = StudyStage::ALL
        .iter()
        .filter(|s| **s < StudyStage::Construction)
        .map(|s| s.as_str().to_owned())
        .collect();
    let oxides: Vec<String> = OXIDES.iter().map(|o| (*o).to_owned()).collect();
    let metals: Vec<String> = [
        "ni",
        "cu",
        "co",
        "mn",
        "zn",
        "pb",
        "au_usd_per_oz",
        "ag_usd_per_oz",
    ]
    .iter()
    .map(|m| (*m).to_owned())
    .collect();
    let deposits: Vec<String> = DepositType::ALL
        .iter()
        .map(|d| d.as_str().to_owned())
        .collect();
    let products: Vec<String> = ProductForm::ALL
        .iter()
        .map(|p| p.as_str().to_owned())
        .collect();
    vec![
        ("scenarios.*.oxides", oxides.clone()),
        ("scenarios.*.metals", metals),
        ("deposits", deposits.clone()),
        ("deposits.*.oxide_shares", oxides.clone()),
        ("distributions.*.oxide_shares", oxides),
        ("products", products),
        ("risk.base_rate", stages.clone()),
        ("uncertainty.accuracy_band", stages),
        ("lead_time.survival.stage_mean_y", pre_construction),
        ("validation.typical_grade_pct", deposits),
        (
            "rank.weights",
            ["value", "speed", "supply", "risk", "confidence"]
                .iter()
                .map(|m| (*m).to_owned())
                .collect(),
        ),
        (
            "lead_time.regime_delay_y",
            ["onshore", "eez", "area", "area_dshmra"]
                .iter()
                .map(|m| (*m).to_owned())
                .collect(),
        ),
    ]
}

/// Every range problem of the merged assumptions: numbers outside their range, keys of a
/// closed map that are not in it, pairs out of order, decks without a price.
pub(super) fn ranges(merged: &toml::Table) -> Vec<Problem> {
    let mut out = Vec::new();
    each_number(merged, "", &mut |key, x| {
        if !x.is_finite() || x.abs() > LARGEST {
            out.push(Problem::new(
                key,
                format!(
                    "{} is not a finite figure of at most {LARGEST:e} in size",
                    figure(x)
                ),
            ));
            return;
        }
        if let Some((_, rule)) = RULES.iter().find(|(p, _)| matches(p, key))
            && !rule.holds(x)
        {
            out.push(Problem::new(
                key,
                format!("{} must lie {}", figure(x), rule.describe()),
            ));
        }
    });
    for (pattern, allowed) in closed_maps() {
        each_table(merged, pattern, &mut |path, t| {
            for k in t.keys() {
                if is_annotation(k) || allowed.iter().any(|a| a == k) {
                    continue;
                }
                let hint = match crate::read::schema::nearest(k, allowed.iter().map(String::as_str))
                {
                    Some(near) => format!("did you mean {near:?}?"),
                    None => format!("known keys: {}", allowed.join(", ")),
                };
                out.push(Problem::new(
                    join(path, k),
                    format!("unknown key {k:?} in [{path}]: {hint}"),
                ));
            }
        });
    }
    ordered_pairs(merged, &mut out);
    decks(merged, &mut out);
    fx_years(merged, &mut out);
    out
}

/// Calls `f` on every table whose dotted path matches `pattern`.
fn each_table(t: &toml::Table, pattern: &str, f: &mut impl FnMut(&str, &toml::Table)) {
    fn go(t: &toml::Table, path: &str, rest: &[&str], f: &mut impl FnMut(&str, &toml::Table)) {
        let Some((head, tail)) = rest.split_first() else {
            f(path, t);
            return;
        };
        for (k, v) in t {
            if (*head == "*" || head == k)
                && let Some(sub) = v.as_table()
            {
                go(sub, &join(path, k), tail, f);
            }
        }
    }
    let parts: Vec<&str> = pattern.split('.').collect();
    go(t, "", &parts, f);
}

/// Triples and ranges whose order matters: min <= mode <= max, low <= high.
fn ordered_pairs(merged: &toml::Table, out: &mut Vec<Problem>) {
    let get = |path: &str| value_at(merged, path).and_then(number);
    if let (Some(lo), Some(mode), Some(hi)) = (
        get("uncertainty.recovery_pts.min"),
        get("uncertainty.recovery_pts.mode"),
        get("uncertainty.recovery_pts.max"),
    ) && !(lo <= mode && mode <= hi)
    {
        out.push(Problem::new(
            "uncertainty.recovery_pts",
            format!("min {lo}, mode {mode}, max {hi}: min <= mode <= max is needed"),
        ));
    }
    let arrays = [
        ("lead_time.construction_spread", 3),
        ("costs.capex_fit_range_t", 2),
    ];
    let mut check_array = |path: &str, len: usize| {
        let Some(a) = value_at(merged, path).and_then(toml::Value::as_array) else {
            return;
        };
        let xs: Vec<f64> = a.iter().filter_map(number).collect();
        if xs.len() != a.len() || xs.len() != len {
            out.push(Problem::new(path, format!("must be {len} numbers")));
        } else if xs.windows(2).any(|w| w[0] > w[1]) {
            out.push(Problem::new(
                path,
                format!("{xs:?} must not fall: [min, mode, max] or [low, high]"),
            ));
        }
    };
    for (path, len) in arrays {
        check_array(path, len);
    }
    each_table(merged, "validation.typical_grade_pct", &mut |path, t| {
        for (k, v) in t {
            let xs: Vec<f64> = v
                .as_array()
                .map(|a| a.iter().filter_map(number).collect())
                .unwrap_or_default();
            if xs.len() == 2 && xs[0] > xs[1] {
                out.push(Problem::new(
                    join(path, k),
                    format!("[low, high] = {xs:?}: low above high"),
                ));
            }
        }
    });
}

/// A deck whose own prices are all zero prices nothing: a slip, not a scenario.
fn decks(merged: &toml::Table, out: &mut Vec<Problem>) {
    each_table(merged, "scenarios.*", &mut |path, deck| {
        let own: Vec<f64> = ["oxides", "metals"]
            .iter()
            .filter_map(|t| deck.get(*t).and_then(toml::Value::as_table))
            .flat_map(|t| t.values().filter_map(number))
            .collect();
        if !own.is_empty() && own.iter().all(|p| *p == 0.0) {
            out.push(Problem::new(
                path,
                "every price of this deck is 0: a deck needs at least one price above 0",
            ));
        }
    });
}

/// The keys of an exchange-rate table are years.
fn fx_years(merged: &toml::Table, out: &mut Vec<Problem>) {
    each_table(merged, "fx.rates.*", &mut |path, t| {
        for k in t.keys() {
            if !k.parse::<i32>().is_ok_and(|y| (1950..=2100).contains(&y)) {
                out.push(Problem::new(
                    join(path, k),
                    format!("{k:?} is not a year (1950-2100); rates are keyed by year"),
                ));
            }
        }
    });
}

/// The dotted key an existing validation message begins with (`separation.x = 5 is ...`,
/// `jurisdictions.AU: ...`), so that it too is reported at the user's line.
pub(super) fn leading_key(message: &str) -> &str {
    let end = message
        .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '.' | '-')))
        .unwrap_or(message.len());
    let key = message[..end].trim_end_matches('.');
    if key.contains('.') { key } else { "" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_at_their_line_and_column() {
        let text = "# note\n[valuation]\ndiscount_rate_pct = 5\n\n[deposits.carbonatite]\nrecovery_pct = 500\n";
        let ix = KeyIndex::new("u.toml", text);
        assert_eq!(ix.locate("valuation.discount_rate_pct"), Some((3, 1, true)));
        assert_eq!(
            ix.locate("deposits.carbonatite.recovery_pct"),
            Some((6, 1, true))
        );
        // A key the user did not write is put at the nearest table they did.
        assert_eq!(
            ix.locate("deposits.carbonatite.construction_y"),
            Some((5, 11, false))
        );
        assert_eq!(ix.locate("costs.capex_a"), None);
        // The key under an offset: the value "500" is on line 6.
        let at = text.find("500").unwrap();
        assert_eq!(ix.key_at(at), Some("deposits.carbonatite.recovery_pct"));
    }

    #[test]
    fn patterns_match_whole_components() {
        assert!(matches("fx.rates.*.*", "fx.rates.AUD.2024"));
        assert!(!matches("fx.rates.*.*", "fx.rates.AUD"));
        assert!(!matches("costs.capex_a", "costs.capex_ab"));
        assert_eq!(leading_key("separation.x = 5 is outside"), "separation.x");
        assert_eq!(
            leading_key("jurisdictions.AU-NT: royalty"),
            "jurisdictions.AU-NT"
        );
        assert_eq!(leading_key("unknown scenario \"x\""), "");
    }
}
