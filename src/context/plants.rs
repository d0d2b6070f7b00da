//! Separation plants outside China as data: who runs each, where, from when, how much of
//! which products it can separate, which feeds it takes and from whom, and what it charges.
//! Read from the plants layer (samples/context/plants.geojson; sources in
//! samples/context/SOURCES.md). The year-by-year allocation of mine output to these plants
//! is in `portfolio::separation`.

use serde::Serialize;
use serde_json::{Map, Value};

use super::ContextError;
use crate::read::record::{ProductForm, SiteGeometry};

/// Whether a plant takes third parties' feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlantAccess {
    /// Its owners' feed (and feed sold to it by name) only.
    Captive,
    /// Its owners' feed first, then anyone's.
    Open,
}

/// Which calendar a plant's dates are read on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlantCalendar {
    /// Each plant at its P50 start (and expansion) year.
    P50,
    /// Each plant at its late date.
    Late,
}

/// Capacity from a year on, t/y. A figure left out does not bind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityStep {
    /// P50 year this capacity is in force from (null: unknown, the step never counts).
    pub from: Option<i32>,
    /// Late date of the same (the P50 year when not given).
    pub from_late: Option<i32>,
    /// Separated NdPr oxide, t/y.
    pub ndpr_t: Option<f64>,
    /// Separated Dy + Tb oxide, t/y (0: no heavy separation in this step).
    pub dytb_t: Option<f64>,
    /// Heavy (SEG) feed the heavy circuit takes, t/y REO; bounds Dy + Tb when `dytb_t` is
    /// not given.
    pub heavy_reo_t: Option<f64>,
    /// Total rare-earth oxide the plant separates, t/y.
    pub reo_t: Option<f64>,
    /// `nameplate` (the run's utilisation applies) or `output` (a reported output, used as
    /// it is).
    pub basis: String,
}

impl CapacityStep {
    fn year(&self, cal: PlantCalendar) -> Option<i32> {
        match cal {
            PlantCalendar::P50 => self.from,
            PlantCalendar::Late => self.from_late.or(self.from),
        }
    }
}

/// A separation (or cracking) plant outside China.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plant {
    /// Short unique identifier (used by scenarios: `--drop-plant`, `--delay-plant`).
    pub id: String,
    pub name: String,
    pub operator: Option<String>,
    /// Companies whose mines feed it as captive feed (the operator is one of them).
    pub owners: Vec<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    /// `separation` or `cracking` (a cracking plant separates nothing).
    pub kind: String,
    /// `operating`, `construction`, `planned` or `uncertain`.
    pub status: String,
    /// P50 year of first separated output (the year it was reported running, if running).
    pub start_year: Option<i32>,
    /// Late date of first output (the P50 year when not given).
    pub start_year_late: Option<i32>,
    /// Product forms it takes.
    pub feeds: Vec<ProductForm>,
    pub access: PlantAccess,
    /// Whether it separates light (NdPr) and heavy (Dy, Tb) rare earths.
    pub light: bool,
    pub heavy: bool,
    /// Capacity steps in year order.
    pub capacity: Vec<CapacityStep>,
    /// Tolling charge, US$/kg TREO of feed (null: the assumptions' default).
    pub toll_light_usd_per_kg: Option<f64>,
    /// Tolling surcharge, US$/kg of Dy + Tb oxide separated (null: the assumptions' default).
    pub toll_heavy_usd_per_kg: Option<f64>,
    pub source: Option<String>,
    pub note: Option<String>,
    #[serde(skip)]
    pub point: geo::Point<f64>,
}

/// A plant's limits in one year, t/y (`None`: that figure does not bind).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Capacity {
    pub reo_t: Option<f64>,
    pub ndpr_t: Option<f64>,
    pub dytb_t: Option<f64>,
    /// Whether Dy + Tb are separated this year.
    pub heavy: bool,
}

impl Capacity {
    /// Whether the plant can take anything this year.
    pub fn any(&self) -> bool {
        [self.reo_t, self.ndpr_t].iter().flatten().any(|v| *v > 0.0)
            || (self.reo_t.is_none()
                && self.ndpr_t.is_none()
                && self.heavy
                && self.dytb_t.is_some_and(|v| v > 0.0))
    }
}

impl Plant {
    /// Whether the plant separates rare earths outside China.
    pub fn separates(&self) -> bool {
        self.kind == "separation" && self.country.as_deref() != Some("CN")
    }

    /// First year of output on `cal` (None: no date, never counted).
    pub fn start(&self, cal: PlantCalendar) -> Option<i32> {
        match cal {
            PlantCalendar::P50 => self.start_year,
            PlantCalendar::Late => self.start_year_late.or(self.start_year),
        }
    }

    /// Capacity in `year` on `cal`: the latest step in force, times the utilisation for
    /// nameplate steps, times the ramp-up share in the first years of a plant not yet
    /// running when the clock starts (`as_of`).
    pub fn capacity_in(
        &self,
        year: i32,
        cal: PlantCalendar,
        as_of: i32,
        utilisation: f64,
        ramp: &[f64],
    ) -> Capacity {
        let none = Capacity::default();
        if !self.separates() {
            return none;
        }
        let Some(start) = self.start(cal) else {
            return none;
        };
        if year < start {
            return none;
        }
        let Some(step) = self
            .capacity
            .iter()
            .filter(|s| s.year(cal).is_some_and(|y| y <= year))
            .max_by_key(|s| s.year(cal))
        else {
            return none;
        };
        let mut f = if step.basis == "output" {
            1.0
        } else {
            utilisation
        };
        if start >= as_of {
            let k = (year - start) as usize;
            f *= ramp.get(k).copied().unwrap_or(1.0);
        }
        let heavy = self.heavy && step.dytb_t != Some(0.0);
        Capacity {
            reo_t: step.reo_t.map(|v| v * f),
            ndpr_t: step.ndpr_t.map(|v| v * f),
            dytb_t: if heavy {
                step.dytb_t.or(step.heavy_reo_t).map(|v| v * f)
            } else {
                None
            },
            heavy,
        }
    }

    /// Whether `company` is one of the plant's owners (case-insensitive; either name may
    /// be the longer form of the other, e.g. "Iluka" and "Iluka Resources").
    pub fn owned_by(&self, company: &str) -> bool {
        self.operator
            .iter()
            .chain(&self.owners)
            .any(|o| same_company(o, company))
    }
}

/// Whether two company names name the same company: one, lower-cased, starts the other
/// at a word boundary (at least three letters).
pub fn same_company(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    if a.is_ascii() && b.is_ascii() {
        // Lower-casing ASCII changes no length, separator or space: compared in place,
        // nothing allocated (the allocation asks this for every project and plant owner).
        return starts_at_a_word(a, b, |x, y| x.eq_ignore_ascii_case(y));
    }
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    starts_at_a_word(&a, &b, |x, y| x == y)
}

/// Whether the shorter of `a` and `b` (at least three bytes) is, by `eq`, a part of the
/// longer (split at `/ ; , ( )`) or starts one followed by a space.
fn starts_at_a_word(a: &str, b: &str, eq: impl Fn(&str, &str) -> bool) -> bool {
    if a.len() < 3 || b.len() < 3 {
        return false;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    long.split(['/', ';', ',', '(', ')'])
        .map(str::trim)
        .any(|part| {
            eq(part, short)
                || part.get(..short.len()).is_some_and(|head| eq(head, short))
                    && part[short.len()..].starts_with(' ')
        })
}

/// Reads the plants of a layer's features (properties and geometry).
pub fn parse(
    layer: &str,
    features: Vec<(Map<String, Value>, SiteGeometry)>,
) -> Result<Vec<Plant>, ContextError> {
    let mut out: Vec<Plant> = Vec::with_capacity(features.len());
    for (i, (props, g)) in features.into_iter().enumerate() {
        let label = props
            .get("id")
            .or_else(|| props.get("name"))
            .and_then(Value::as_str)
            .map_or(format!("feature {i}"), |s| format!("feature {i} ({s})"));
        let bad = |field: &str, why: String| ContextError::Invalid {
            layer: layer.to_owned(),
            message: format!("{label}, field {field}: {why}"),
        };
        let geo::Geometry::Point(point) = g else {
            return Err(bad("geometry", "not a Point".into()));
        };
        let text = |k: &str| -> Result<Option<String>, ContextError> {
            match props.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
                Some(v) => Err(bad(k, format!("expected text, found {v}"))),
            }
        };
        let list = |k: &str| -> Result<Vec<String>, ContextError> {
            match props.get(k) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::String(s)) => Ok(s
                    .split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()),
                Some(Value::Array(a)) => a
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(|s| s.trim().to_owned())
                            .ok_or_else(|| bad(k, format!("expected a list of text, found {v}")))
                    })
                    .collect(),
                Some(v) => Err(bad(k, format!("expected a list of text, found {v}"))),
            }
        };
        let year = |v: Option<&Value>, k: &str| -> Result<Option<i32>, ContextError> {
            match v {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Number(n)) => match n.as_i64() {
                    Some(y) if (1900..=2200).contains(&y) => Ok(Some(y as i32)),
                    _ => Err(bad(k, format!("{n} is not a year between 1900 and 2200"))),
                },
                Some(v) => Err(bad(k, format!("expected a year, found {v}"))),
            }
        };
        let money = |k: &str| -> Result<Option<f64>, ContextError> {
            match props.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Number(n)) => match n.as_f64() {
                    Some(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
                    _ => Err(bad(k, format!("{n} is not a charge of zero or more"))),
                },
                Some(v) => Err(bad(k, format!("expected a number, found {v}"))),
            }
        };
        let name = text("name")?.unwrap_or_else(|| format!("plant {i}"));
        let id = text("id")?.unwrap_or_else(|| name.clone());
        if let Some(other) = out.iter().find(|p| p.id == id) {
            return Err(bad(
                "id",
                format!("{id:?} is also the id of {}", other.name),
            ));
        }
        let feeds = list("feeds")?
            .iter()
            .map(|f| {
                ProductForm::parse(f).ok_or_else(|| {
                    bad(
                        "feeds",
                        format!(
                            "{f:?} is not a product form ({})",
                            ProductForm::NAMES.join(", ")
                        ),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let feeds = if props.contains_key("feeds") {
            feeds
        } else {
            vec![ProductForm::Concentrate, ProductForm::MixedCarbonate]
        };
        let access = match text("access")?.as_deref() {
            None | Some("open") => PlantAccess::Open,
            Some("captive") => PlantAccess::Captive,
            Some(o) => return Err(bad("access", format!("{o:?} is not captive or open"))),
        };
        let circuits = list("circuits")?;
        for c in &circuits {
            if c != "light" && c != "heavy" {
                return Err(bad("circuits", format!("{c:?} is not light or heavy")));
            }
        }
        let (light, heavy) = if props.contains_key("circuits") {
            (
                circuits.iter().any(|c| c == "light"),
                circuits.iter().any(|c| c == "heavy"),
            )
        } else {
            (true, false)
        };
        let mut capacity = Vec::new();
        match props.get("capacity") {
            None | Some(Value::Null) => {}
            Some(Value::Array(steps)) => {
                for (k, s) in steps.iter().enumerate() {
                    let field = format!("capacity[{k}]");
                    let Some(obj) = s.as_object() else {
                        return Err(bad(&field, format!("expected an object, found {s}")));
                    };
                    let tonnes = |key: &str| -> Result<Option<f64>, ContextError> {
                        match obj.get(key) {
                            None | Some(Value::Null) => Ok(None),
                            Some(Value::Number(n)) => match n.as_f64() {
                                Some(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
                                _ => Err(bad(
                                    &format!("{field}.{key}"),
                                    format!("{n} is not t/y of zero or more"),
                                )),
                            },
                            Some(v) => Err(bad(
                                &format!("{field}.{key}"),
                                format!("expected t/y, found {v}"),
                            )),
                        }
                    };
                    let basis = match obj.get("basis").and_then(Value::as_str) {
                        None | Some("nameplate") => "nameplate",
                        Some("output") => "output",
                        Some(o) => {
                            return Err(bad(
                                &format!("{field}.basis"),
                                format!("{o:?} is not nameplate or output"),
                            ));
                        }
                    };
                    let from = year(obj.get("from"), &format!("{field}.from"))?;
                    let from_late = year(obj.get("from_late"), &format!("{field}.from_late"))?;
                    if let (Some(a), Some(b)) = (from, from_late)
                        && b < a
                    {
                        return Err(bad(
                            &format!("{field}.from_late"),
                            format!("{b} is before the P50 year {a}"),
                        ));
                    }
                    capacity.push(CapacityStep {
                        from,
                        from_late,
                        ndpr_t: tonnes("ndpr_t")?,
                        dytb_t: tonnes("dytb_t")?,
                        heavy_reo_t: tonnes("heavy_reo_t")?,
                        reo_t: tonnes("reo_t")?,
                        basis: basis.to_owned(),
                    });
                }
            }
            // The old layer's single figure: total REO from the start.
            Some(v) => {
                return Err(bad(
                    "capacity",
                    format!("expected a list of steps, found {v}"),
                ));
            }
        }
        if capacity.is_empty()
            && let Some(Value::Number(n)) = props.get("capacity_t_reo")
        {
            capacity.push(CapacityStep {
                from: None,
                from_late: None,
                ndpr_t: None,
                dytb_t: None,
                heavy_reo_t: None,
                reo_t: n.as_f64().filter(|v| v.is_finite() && *v >= 0.0),
                basis: "nameplate".into(),
            });
        }
        let start_year = year(props.get("start_year"), "start_year")?;
        let start_year_late = year(props.get("start_year_late"), "start_year_late")?;
        if let (Some(a), Some(b)) = (start_year, start_year_late)
            && b < a
        {
            return Err(bad(
                "start_year_late",
                format!("{b} is before start_year {a}"),
            ));
        }
        // A step without a year starts with the plant.
        for s in &mut capacity {
            if s.from.is_none() {
                s.from = start_year;
                s.from_late = s.from_late.or(start_year_late);
            }
        }
        let mut owners = list("owners")?;
        let operator = text("operator")?;
        if let Some(o) = &operator
            && !owners.iter().any(|x| x == o)
        {
            owners.insert(0, o.clone());
        }
        out.push(Plant {
            id,
            name,
            operator,
            owners,
            country: text("country")?,
            kind: text("kind")?.unwrap_or_else(|| "separation".into()),
            status: text("status")?.unwrap_or_else(|| "operating".into()),
            start_year,
            start_year_late,
            feeds,
            access,
            light,
            heavy,
            capacity,
            toll_light_usd_per_kg: money("toll_light_usd_per_kg")?,
            toll_heavy_usd_per_kg: money("toll_heavy_usd_per_kg")?,
            source: text("source")?,
            note: text("note")?,
            point,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The names compared as the first version did: both lower-cased into new strings.
    fn same_company_by_lowercasing(a: &str, b: &str) -> bool {
        let (a, b) = (a.trim().to_lowercase(), b.trim().to_lowercase());
        if a.len() < 3 || b.len() < 3 {
            return false;
        }
        let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
        long.split(['/', ';', ',', '(', ')'])
            .map(str::trim)
            .any(|part| {
                part == short
                    || part
                        .strip_prefix(short.as_str())
                        .is_some_and(|rest| rest.starts_with(' '))
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// In place or lower-cased, the same answer, for ASCII and other names.
        #[test]
        fn names_compare_as_lower_cased(
            a in "[aAbB /;,()\\t]{0,12}|[aAé \\u{130}/]{0,8}",
            b in "[aAbB /;,()\\t]{0,12}|[aAé \\u{130}/]{0,8}",
            lead in "[aA][bB][aA]",
        ) {
            prop_assert_eq!(same_company(&a, &b), same_company_by_lowercasing(&a, &b));
            // Names that share a start, so that the prefixes are tried.
            let (a, b) = (format!("{lead}{a}"), format!("{lead} {b}"));
            prop_assert_eq!(same_company(&a, &b), same_company_by_lowercasing(&a, &b));
        }
    }
}
