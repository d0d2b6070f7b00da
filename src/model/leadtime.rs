//! Lead-time model: when, and whether, a project reaches first production.
//!
//! A survival model from the current stage. The work left before construction, W, is a
//! gamma process in years (stage means add up, and so do their shapes: W ~ Gamma(M / θ, θ)
//! with M the remaining stages' mean years and θ the work scale); the project's pace Z is
//! one gamma factor shared by every stage (a slow sponsor is slow everywhere), so the
//! remaining time is W / Z plus the build. The years already spent in the current stage
//! are evidence about the pace: each year in a stage of mean μ counts as exp(−Z e / μ), so
//! Z | e ~ Gamma(α, α + e / μ) and a longer stall lengthens every remaining stage. Permits
//! already granted remove their stage; a refused, revoked or terminated one keeps the
//! project out of the base case. The chance of never producing comes from the risk model;
//! [`Outlook`] joins both into first-production percentiles that may be "never".
//!
//! State programmes with dated milestones get their lead time from their milestones instead
//! (a separate function, called from [`lead_time`] before the survival model; see there).
//! Time is counted from the start of `as_of`.

use rand::distr::Distribution;
use rand_pcg::Pcg64Mcg;
use serde::Serialize;
use statrs::function::beta::{beta_reg, inv_beta_reg};

use crate::assumptions::{Assumptions, Pert, pert_mean};
use crate::read::milestone::{DatedMilestone, MilestoneKind};
use crate::read::record::{PermitStatus, ProjectRecord, Regime, StudyStage};

/// One remaining stage on the calendar (its mean duration, given that the project proceeds).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct StageSpan {
    pub stage: StudyStage,
    /// Decimal years (2031.5 is mid-2031).
    pub start: f64,
    pub end: f64,
    /// The stage's duration, years: [P10, P50, P90] of the survival model (before
    /// 2026-12 this was a PERT [min, mode, max]).
    pub pert_y: Pert,
}

/// When a project delivers, if it proceeds. Means are given that it does; [`Outlook`]
/// adds the chance that it never does.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadTime {
    /// The clock: years are counted from the start of this calendar year.
    pub as_of: i32,
    /// Mean years until construction starts.
    pub years_to_construction: f64,
    /// Mean years until first production.
    pub years_to_first_production: f64,
    /// Mean years until nameplate output.
    pub years_to_nameplate: f64,
    /// Multiplier applied to pfs, dfs and permitting for the jurisdiction.
    pub permit_multiplier: f64,
    /// Years added to permitting for the regime.
    pub regime_delay_y: f64,
    pub stages: Vec<StageSpan>,
    /// Years already spent in the current stage (null when `stage_year` is not given).
    pub years_in_stage: Option<f64>,
    /// Shape α of the project's pace Z (gamma, mean α / rate).
    pub pace_shape: f64,
    /// Rate of the pace after the evidence of the years in the current stage.
    pub pace_rate: f64,
    /// E[1/Z]: how many times longer than a typical project's each remaining stage is
    /// expected to take (above 1 after a stall).
    pub stall_factor: f64,
    /// Mean years of work left before construction at a typical pace, M.
    pub work_left_y: f64,
    /// Mean years a build stalls beyond its plan at a typical pace.
    pub construction_stall_y: f64,
    /// Work scale θ of the gamma process, years.
    pub work_scale_y: f64,
    /// The physical build still to do, years (PERT min, mode, max).
    pub build_y: Pert,
    /// Stages removed because their permit is already granted.
    pub skipped_stages: Vec<StudyStage>,
    /// Why the project is out of the base case (a permit refused, revoked or terminated
    /// and no dated event reviving it); null otherwise.
    pub blocked: Option<String>,
    /// Whether first production already happened.
    pub produced: bool,
    /// The year a dated event revives a refused, revoked or terminated permit (the
    /// record's `revival_year`), when given.
    pub revival_year: Option<i32>,
    /// Years before the remaining stages start: until a future revival event, else 0.
    pub waiting_y: f64,
    /// The dated milestones that drive this lead time (state programmes); null when the
    /// survival model's stage durations do.
    pub milestone_plan: Option<MilestonePlan>,
}

impl LeadTime {
    /// A lead time with nothing left to vary: construction starts and first production
    /// comes at these years from the start of `as_of` (a fixed calendar).
    pub fn fixed(
        as_of: i32,
        years_to_construction: f64,
        years_to_first_production: f64,
    ) -> LeadTime {
        LeadTime {
            as_of,
            years_to_construction,
            years_to_first_production,
            years_to_nameplate: years_to_first_production,
            permit_multiplier: 1.0,
            regime_delay_y: 0.0,
            stages: Vec::new(),
            years_in_stage: None,
            pace_shape: 2.0,
            pace_rate: 2.0,
            stall_factor: 1.0,
            work_left_y: 0.0,
            construction_stall_y: 0.0,
            work_scale_y: 1.0,
            build_y: [0.0; 3],
            skipped_stages: Vec::new(),
            blocked: None,
            produced: true,
            revival_year: None,
            waiting_y: 0.0,
            milestone_plan: None,
        }
    }

    /// The calendar year of first production (the year it falls in), if the project
    /// proceeds at its mean pace.
    pub fn first_production_year(&self) -> i32 {
        (f64::from(self.as_of) + self.years_to_first_production).floor() as i32
    }

    pub fn nameplate_year(&self) -> i32 {
        (f64::from(self.as_of) + self.years_to_nameplate).floor() as i32
    }

    /// Shape of the remaining work, W / θ.
    fn work_shape(&self) -> f64 {
        (self.work_left_y + self.construction_stall_y) / self.work_scale_y
    }

    /// Years to first production at quantile `p` (0-1), given that the project proceeds.
    pub fn quantile_if_proceeds(&self, p: f64) -> f64 {
        if self.produced {
            return self.years_to_first_production;
        }
        let build = self.waiting_y + pert_mean(self.build_y);
        let k = self.work_shape();
        if k <= 0.0 {
            return build;
        }
        let y = inv_beta_reg(k, self.pace_shape, p.clamp(0.0, 1.0));
        build + self.work_scale_y * self.pace_rate * y / (1.0 - y).max(1e-300)
    }

    /// Chance of first production within `t` years, given that the project proceeds.
    pub fn cdf_if_proceeds(&self, t: f64) -> f64 {
        if self.produced {
            return if t >= self.years_to_first_production {
                1.0
            } else {
                0.0
            };
        }
        let s = t - self.waiting_y - pert_mean(self.build_y);
        if s <= 0.0 {
            return 0.0;
        }
        let k = self.work_shape();
        if k <= 0.0 {
            return 1.0;
        }
        let x = s / (self.work_scale_y * self.pace_rate);
        beta_reg(k, self.pace_shape, x / (1.0 + x))
    }

    /// One draw of (years to construction, years to first production), given that the
    /// project proceeds: the same model as the percentiles, sampled. A simulation draws
    /// through [`LeadTime::sampler`], which builds the distributions once.
    pub fn draw(&self, rng: &mut Pcg64Mcg) -> (f64, f64) {
        self.sampler().draw(rng)
    }

    /// The distributions of [`LeadTime::draw`], built once for a project's draws.
    pub fn sampler(&self) -> LeadTimeSampler {
        let gamma = |shape: f64, scale: f64| {
            if shape > 0.0 && scale > 0.0 {
                rand_distr::Gamma::new(shape, scale)
                    .map_or(StageDraw::Fixed(shape * scale), StageDraw::Gamma)
            } else {
                StageDraw::Fixed(0.0)
            }
        };
        let theta = self.work_scale_y;
        let b = self.build_y;
        let build = if b[2] > b[0] {
            rand_distr::Pert::new(b[0], b[2])
                .with_mode(b[1].clamp(b[0], b[2]))
                .map_or(StageDraw::Fixed(pert_mean(b)), StageDraw::Pert)
        } else {
            StageDraw::Fixed(b[1])
        };
        LeadTimeSampler {
            produced: self
                .produced
                .then_some((self.years_to_construction, self.years_to_first_production)),
            pace: gamma(self.pace_shape, 1.0 / self.pace_rate),
            work: gamma(self.work_left_y / theta, theta),
            stall: gamma(self.construction_stall_y / theta, theta),
            build,
            waiting_y: self.waiting_y,
        }
    }
}

/// One stage's duration in a draw, years (or the pace, a multiplier): a distribution, or a
/// fixed value that takes nothing from the stream.
#[derive(Debug, Clone)]
enum StageDraw {
    Fixed(f64),
    Gamma(rand_distr::Gamma<f64>),
    Pert(rand_distr::Pert<f64>),
}

impl StageDraw {
    fn sample(&self, rng: &mut Pcg64Mcg) -> f64 {
        match self {
            StageDraw::Fixed(v) => *v,
            StageDraw::Gamma(g) => g.sample(rng),
            StageDraw::Pert(p) => p.sample(rng),
        }
    }
}

/// [`LeadTime::draw`] with its distributions built (the pace, the work left, the
/// construction stall and the build), for the many draws of one project.
#[derive(Debug, Clone)]
pub struct LeadTimeSampler {
    /// (years to construction, years to first production) of a mine already producing.
    produced: Option<(f64, f64)>,
    pace: StageDraw,
    work: StageDraw,
    stall: StageDraw,
    build: StageDraw,
    waiting_y: f64,
}

impl LeadTimeSampler {
    /// One draw of (years to construction, years to first production), given that the
    /// project proceeds.
    pub fn draw(&self, rng: &mut Pcg64Mcg) -> (f64, f64) {
        if let Some(fixed) = self.produced {
            return fixed;
        }
        let z = self.pace.sample(rng).max(1e-9);
        let pre = self.work.sample(rng) / z;
        let stall = self.stall.sample(rng) / z;
        let build = self.build.sample(rng);
        let pre = self.waiting_y + pre;
        (pre, pre + build + stall)
    }
}

/// The stages before construction, in order.
const PRE_CONSTRUCTION: [StudyStage; 7] = [
    StudyStage::Exploration,
    StudyStage::Resource,
    StudyStage::Pea,
    StudyStage::Pfs,
    StudyStage::Dfs,
    StudyStage::Permitting,
    StudyStage::Financing,
];

/// [P10, P50, P90] of W_s / Z for one stage of mean `mean` years: a lognormal with the
/// stage's mean and variance (E[W²] = mθ + m², E[1/Z²] = rate² / ((α − 1)(α − 2))), cheap
/// enough for every stage of every record; exact (the beta-prime quantiles) when α ≤ 2.
fn stage_spread(mean: f64, theta: f64, shape: f64, rate: f64) -> Pert {
    if mean <= 0.0 {
        return [0.0; 3];
    }
    if shape <= 2.0 {
        let q = |p: f64| {
            let y = inv_beta_reg(mean / theta, shape, p);
            theta * rate * y / (1.0 - y).max(1e-300)
        };
        return [q(0.1), q(0.5), q(0.9)];
    }
    let m1 = mean * rate / (shape - 1.0);
    let m2 = (mean * theta + mean * mean) * rate * rate / ((shape - 1.0) * (shape - 2.0));
    let s2 = (m2 / (m1 * m1)).ln().max(0.0);
    let (mu, sd) = (m1.ln() - s2 / 2.0, s2.sqrt());
    // z of the 10th and 90th percentiles of the standard normal.
    const Z90: f64 = 1.281_551_565_544_600_5;
    [(mu - Z90 * sd).exp(), mu.exp(), (mu + Z90 * sd).exp()]
}

/// Why a permit status keeps a project out of the base case.
fn blocking(status: Option<PermitStatus>) -> Option<&'static str> {
    match status {
        Some(PermitStatus::Refused) => Some("key permit refused"),
        Some(PermitStatus::Revoked) => Some("licence revoked"),
        Some(PermitStatus::Terminated) => Some("assessment terminated without a decision"),
        _ => None,
    }
}

/// The lead time of a record at `regime` (from the spatial stage), with `construction_y`
/// from the cost model and `ramp_up_y` years from first production to nameplate.
pub fn lead_time(
    rec: &ProjectRecord,
    regime: Option<Regime>,
    construction_y: u32,
    ramp_up_y: f64,
    a: &Assumptions,
    as_of: i32,
) -> LeadTime {
    // State programmes with dated milestones: their milestone-driven lead time is computed
    // by its own function, called here before the survival model when the record has them.
    if let Some(lt) = milestone_driven(rec, regime, construction_y, ramp_up_y, a, as_of) {
        return lt;
    }
    survival(rec, regime, construction_y, ramp_up_y, a, as_of)
}

/// The survival model of [`lead_time`].
pub fn survival(
    rec: &ProjectRecord,
    regime: Option<Regime>,
    construction_y: u32,
    ramp_up_y: f64,
    a: &Assumptions,
    as_of: i32,
) -> LeadTime {
    let lt = &a.lead_time;
    let sv = &lt.survival;
    let stage = rec.development.stage.unwrap_or(StudyStage::Exploration);
    let country = if regime == Some(Regime::Area) {
        None
    } else {
        rec.country.as_deref()
    };
    let permit_multiplier = country
        .and_then(|c| lt.permit_multiplier.get(c))
        .or_else(|| lt.permit_multiplier.get("default"))
        .copied()
        .unwrap_or(1.0);
    let regime_key = match regime {
        Some(Regime::Area) if crate::model::cost::us_route(rec) => "area_dshmra",
        Some(Regime::Area) => "area",
        Some(Regime::Eez) => "eez",
        _ => "onshore",
    };
    let regime_delay_y = lt.regime_delay_y.get(regime_key).copied().unwrap_or(0.0);
    let theta = sv.work_scale_y;
    let alpha = sv.pace_shape;
    let full_build: Pert = lt
        .construction_spread
        .map(|x| x * f64::from(construction_y));
    let years_in_stage = rec
        .development
        .stage_year
        .map(|y| f64::from(as_of - y).max(0.0));

    // Projects past first production: it happened in the year their stage began.
    if stage >= StudyStage::RampUp {
        let first = rec
            .development
            .stage_year
            .map_or(0.0, |y| f64::from(y - as_of).min(0.0));
        let nameplate = if stage == StudyStage::RampUp {
            (first + ramp_up_y).max(0.0)
        } else {
            first
        };
        let stages = if nameplate > 0.0 {
            vec![StageSpan {
                stage,
                start: f64::from(as_of),
                end: f64::from(as_of) + nameplate,
                pert_y: [ramp_up_y; 3],
            }]
        } else {
            Vec::new()
        };
        return LeadTime {
            as_of,
            years_to_construction: first.min(0.0),
            years_to_first_production: first,
            years_to_nameplate: nameplate,
            permit_multiplier,
            regime_delay_y,
            stages,
            years_in_stage,
            pace_shape: alpha,
            pace_rate: alpha,
            stall_factor: 1.0,
            work_left_y: 0.0,
            construction_stall_y: 0.0,
            work_scale_y: theta,
            build_y: [0.0; 3],
            skipped_stages: Vec::new(),
            blocked: None,
            produced: true,
            revival_year: None,
            waiting_y: 0.0,
            milestone_plan: None,
        };
    }

    // A refused, revoked or terminated permit blocks the project unless a dated event
    // revives it: then it waits for that year and applies again (the revival delay).
    let refused = blocking(rec.development.permit_status);
    let revival_year = rec.development.revival_year.filter(|_| refused.is_some());
    let waiting_y = revival_year.map_or(0.0, |y| f64::from(y - as_of).max(0.0));
    let blocked = refused.filter(|_| revival_year.is_none());
    let granted = rec.development.permit_status == Some(PermitStatus::Granted);
    // Mean years of each stage at a typical pace, after the jurisdiction and the regime.
    let mut skipped = Vec::new();
    let mut plan: Vec<(StudyStage, f64)> = Vec::new();
    for s in PRE_CONSTRUCTION {
        let mut m = sv.stage_mean_y.get(s.as_str()).copied().unwrap_or(0.0);
        if matches!(
            s,
            StudyStage::Pfs | StudyStage::Dfs | StudyStage::Permitting
        ) {
            m *= permit_multiplier;
        }
        if s == StudyStage::Permitting {
            m += regime_delay_y;
            if refused.is_some() {
                m += sv.revival_delay_y;
            } else if granted {
                skipped.push(s);
                continue;
            }
        }
        plan.push((s, m));
    }
    // A granted permit ends the permitting stage: the project waits for its financing.
    let current = if granted && stage == StudyStage::Permitting && refused.is_none() {
        StudyStage::Financing
    } else {
        stage
    };
    let e = years_in_stage.unwrap_or(0.0);
    let (mut rate, build, stall) = if current == StudyStage::Construction {
        // Years of building shorten the build; years past the planned build are a stall.
        let planned = pert_mean(full_build);
        let done = if planned > 0.0 {
            (e / planned).min(1.0)
        } else {
            1.0
        };
        let over = (e - planned).max(0.0);
        let mu = sv.construction_stall_mean_y;
        let rate = if mu > 0.0 { alpha + over / mu } else { alpha };
        (rate, full_build.map(|x| x * (1.0 - done)), mu)
    } else {
        (alpha, full_build, sv.construction_stall_mean_y)
    };
    let remaining: Vec<(StudyStage, f64)> =
        plan.into_iter().filter(|(s, _)| *s >= current).collect();
    if current < StudyStage::Construction {
        // The evidence of the years spent in the current stage (its mean at a typical pace).
        let mu = sv.stage_mean_y.get(stage.as_str()).copied().unwrap_or(0.0)
            * if matches!(
                stage,
                StudyStage::Pfs | StudyStage::Dfs | StudyStage::Permitting
            ) {
                permit_multiplier
            } else {
                1.0
            };
        if mu > 0.0 {
            rate += e / mu;
        }
    }
    let stall_factor = rate / (alpha - 1.0);
    let work_left: f64 = remaining.iter().map(|(_, m)| m).sum();

    let mut t = waiting_y;
    let mut stages = Vec::new();
    for (s, m) in &remaining {
        let d = m * stall_factor;
        stages.push(StageSpan {
            stage: *s,
            start: f64::from(as_of) + t,
            end: f64::from(as_of) + t + d,
            pert_y: stage_spread(*m, theta, alpha, rate),
        });
        t += d;
    }
    let to_construction = t;
    let build_mean = pert_mean(build) + stall * stall_factor;
    stages.push(StageSpan {
        stage: StudyStage::Construction,
        start: f64::from(as_of) + t,
        end: f64::from(as_of) + t + build_mean,
        pert_y: {
            let s = stage_spread(stall, theta, alpha, rate);
            [build[0] + s[0], build[1] + s[1], build[2] + s[2]]
        },
    });
    t += build_mean;
    let to_first = t;
    stages.push(StageSpan {
        stage: StudyStage::RampUp,
        start: f64::from(as_of) + t,
        end: f64::from(as_of) + t + ramp_up_y,
        pert_y: [ramp_up_y; 3],
    });
    LeadTime {
        as_of,
        years_to_construction: to_construction,
        years_to_first_production: to_first,
        years_to_nameplate: to_first + ramp_up_y,
        permit_multiplier,
        regime_delay_y,
        stages,
        years_in_stage,
        pace_shape: alpha,
        pace_rate: rate,
        stall_factor,
        work_left_y: work_left,
        construction_stall_y: stall,
        work_scale_y: theta,
        build_y: build,
        skipped_stages: skipped,
        revival_year,
        waiting_y,
        milestone_plan: None,
        blocked: blocked.map(|why| match rec.development.stage_year {
            Some(y) => format!("{why} (stage since {y}); no dated event revives it"),
            None => format!("{why}; no dated event revives it"),
        }),
        produced: false,
    }
}

// ---------------------------------------------------------------------------------------
// Milestone-driven lead time (state programmes with dated milestones; issue 15)
// ---------------------------------------------------------------------------------------

/// What the milestone-driven lead time read from a record's `dated_milestones`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MilestonePlan {
    /// The milestone the calendar is anchored on: the latest of the most advanced kind.
    pub anchor_kind: MilestoneKind,
    /// Its date as written (`2028-03`).
    pub anchor_date: String,
    /// Its decimal year (the middle of its month, or of its year).
    pub anchor_year: f64,
    /// The last stage of the survival model the anchor completes.
    pub completes_stage: StudyStage,
    /// Whether the anchor lies before the start of `as_of` (done, not scheduled).
    pub passed: bool,
    /// Mean slip of a scheduled anchor at a typical pace, years: slip share x the years
    /// still to go to it (0 for a passed one).
    pub slip_mean_y: f64,
    /// Years since a passed anchor (evidence of a stall, as in the survival model); 0 for a
    /// scheduled one.
    pub years_since_anchor: f64,
    /// The survival model's stages still ahead after the anchor.
    pub stages_after: Vec<StudyStage>,
    /// Every dated milestone of the record, in date order.
    pub milestones: Vec<DatedMilestone>,
}

/// The permit multiplier of a record at `regime`: its country's (none in the Area), else
/// the default.
fn permit_multiplier_of(rec: &ProjectRecord, regime: Option<Regime>, a: &Assumptions) -> f64 {
    let lt = &a.lead_time;
    let country = if regime == Some(Regime::Area) {
        None
    } else {
        rec.country.as_deref()
    };
    country
        .and_then(|c| lt.permit_multiplier.get(c))
        .or_else(|| lt.permit_multiplier.get("default"))
        .copied()
        .unwrap_or(1.0)
}

/// The milestone-driven lead time of a programme with dated milestones (a test lift, a
/// trial, a viability report), or `None` when the survival model applies: no dated
/// milestones, a project past first production, or a permit that blocks it.
///
/// The anchor is the latest milestone of the most advanced kind; it completes the stages
/// up to [`MilestoneKind::completes`] (a test the PEA, a trial the PFS, a decision the DFS,
/// construction or production every stage before construction). A scheduled anchor is
/// the earliest date: the remaining time is `waiting_y` (years to the anchor) plus a slip
/// of mean `lead_time.milestones.slip_share` × those years, then the survival model's
/// stages after the anchor (the record's stage onward; permit multiplier, regime delay and a
/// granted permit as there), the build and its stall. Slip and stages are one gamma process
/// divided by the project's pace, as in [`survival`]. A passed anchor waits for nothing; the
/// years since it are evidence of a stall against the first stage after it. A production
/// anchor dates first production itself: construction starts one mean build earlier.
pub fn milestone_driven(
    rec: &ProjectRecord,
    regime: Option<Regime>,
    construction_y: u32,
    ramp_up_y: f64,
    a: &Assumptions,
    as_of: i32,
) -> Option<LeadTime> {
    let d = &rec.development;
    let stage = d.stage.unwrap_or(StudyStage::Exploration);
    if d.dated_milestones.is_empty()
        || stage >= StudyStage::RampUp
        || blocking(d.permit_status).is_some()
    {
        return None;
    }
    let lt = &a.lead_time;
    let sv = &lt.survival;
    let mut milestones = d.dated_milestones.clone();
    milestones.sort_by(|x, y| x.decimal_year().total_cmp(&y.decimal_year()));
    let anchor = milestones
        .iter()
        .max_by(|x, y| {
            (x.kind, x.decimal_year())
                .partial_cmp(&(y.kind, y.decimal_year()))
                .unwrap_or(std::cmp::Ordering::Equal)
        })?
        .clone();
    let t0 = f64::from(as_of);
    let to_anchor = anchor.decimal_year() - t0;
    let passed = to_anchor <= 0.0;
    let slip = if passed {
        0.0
    } else {
        lt.milestones.slip_share.max(0.0) * to_anchor
    };
    let permit_multiplier = permit_multiplier_of(rec, regime, a);
    let regime_key = match regime {
        Some(Regime::Area) if crate::model::cost::us_route(rec) => "area_dshmra",
        Some(Regime::Area) => "area",
        Some(Regime::Eez) => "eez",
        _ => "onshore",
    };
    let regime_delay_y = lt.regime_delay_y.get(regime_key).copied().unwrap_or(0.0);
    let granted = d.permit_status == Some(PermitStatus::Granted);
    let completes = anchor.kind.completes();
    let building = matches!(
        anchor.kind,
        MilestoneKind::Construction | MilestoneKind::Production
    );
    // The survival model's stages after the anchor (and from the record's stage on).
    let mut skipped = Vec::new();
    let mut remaining: Vec<(StudyStage, f64)> = Vec::new();
    for s in PRE_CONSTRUCTION {
        if building || s <= completes || s < stage {
            continue;
        }
        let mut m = sv.stage_mean_y.get(s.as_str()).copied().unwrap_or(0.0);
        if matches!(
            s,
            StudyStage::Pfs | StudyStage::Dfs | StudyStage::Permitting
        ) {
            m *= permit_multiplier;
        }
        if s == StudyStage::Permitting {
            if granted {
                skipped.push(s);
                continue;
            }
            m += regime_delay_y;
        }
        remaining.push((s, m));
    }
    let theta = sv.work_scale_y;
    let alpha = sv.pace_shape;
    let build: Pert = lt
        .construction_spread
        .map(|x| x * f64::from(construction_y));
    let stall = sv.construction_stall_mean_y;
    // The years since a passed anchor, against the first stage after it.
    let years_since = (-to_anchor).max(0.0);
    let next_mean = remaining.first().map_or(stall, |(_, m)| *m);
    let rate = if years_since > 0.0 && next_mean > 0.0 {
        alpha + years_since / next_mean
    } else {
        alpha
    };
    let stall_factor = rate / (alpha - 1.0);
    let waiting = if anchor.kind == MilestoneKind::Production {
        (to_anchor - pert_mean(build)).max(0.0)
    } else {
        to_anchor.max(0.0)
    };
    let work_left = slip + remaining.iter().map(|(_, m)| m).sum::<f64>();

    let mut stages = Vec::new();
    let mut t = waiting + slip * stall_factor;
    if t > 0.0 {
        let s = stage_spread(slip, theta, alpha, rate);
        stages.push(StageSpan {
            stage: completes,
            start: t0,
            end: t0 + t,
            pert_y: [waiting + s[0], waiting + s[1], waiting + s[2]],
        });
    }
    for (s, m) in &remaining {
        let dur = m * stall_factor;
        stages.push(StageSpan {
            stage: *s,
            start: t0 + t,
            end: t0 + t + dur,
            pert_y: stage_spread(*m, theta, alpha, rate),
        });
        t += dur;
    }
    let to_construction = t;
    let build_mean = pert_mean(build) + stall * stall_factor;
    stages.push(StageSpan {
        stage: StudyStage::Construction,
        start: t0 + t,
        end: t0 + t + build_mean,
        pert_y: {
            let s = stage_spread(stall, theta, alpha, rate);
            [build[0] + s[0], build[1] + s[1], build[2] + s[2]]
        },
    });
    t += build_mean;
    stages.push(StageSpan {
        stage: StudyStage::RampUp,
        start: t0 + t,
        end: t0 + t + ramp_up_y,
        pert_y: [ramp_up_y; 3],
    });
    Some(LeadTime {
        as_of,
        years_to_construction: to_construction,
        years_to_first_production: t,
        years_to_nameplate: t + ramp_up_y,
        permit_multiplier,
        regime_delay_y,
        stages,
        years_in_stage: d.stage_year.map(|y| f64::from(as_of - y).max(0.0)),
        pace_shape: alpha,
        pace_rate: rate,
        stall_factor,
        work_left_y: work_left,
        construction_stall_y: stall,
        work_scale_y: theta,
        build_y: build,
        skipped_stages: skipped,
        blocked: None,
        produced: false,
        revival_year: None,
        waiting_y: waiting,
        milestone_plan: Some(MilestonePlan {
            anchor_kind: anchor.kind,
            anchor_date: anchor.date(),
            anchor_year: anchor.decimal_year(),
            completes_stage: completes,
            passed,
            slip_mean_y: slip,
            years_since_anchor: years_since,
            stages_after: remaining.iter().map(|(s, _)| *s).collect(),
            milestones,
        }),
    })
}

/// A first-production percentile: a calendar year, or not by the horizon.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearOrNever {
    /// Calendar year of first production; null when the percentile is "never" (no
    /// production by the horizon).
    pub year: Option<i32>,
    /// Years from the start of `as_of`; null with the year.
    pub years: Option<f64>,
}

/// First production, given that the project proceeds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IfProduces {
    pub p10_year: i32,
    pub p50_year: i32,
    pub p90_year: i32,
    /// Mean years from `as_of`.
    pub mean_years: f64,
}

/// When, and whether: the first-production distribution including never, for every
/// project (valued or not).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outlook {
    /// Chance of ever reaching first production (the risk model's chance of success).
    pub chance_of_production: f64,
    /// The last calendar year the outlook looks at.
    pub horizon_year: i32,
    /// Chance of first production by the horizon year.
    pub prob_by_horizon: f64,
    /// Percentiles of all outcomes, never included (P10 early, P90 late).
    pub p10: YearOrNever,
    pub p50: YearOrNever,
    pub p90: YearOrNever,
    /// Why a percentile is never, when one is.
    pub never_reason: Option<String>,
    /// Percentiles given that the project proceeds.
    pub if_produces: IfProduces,
    /// The year the timeline's base case uses: the median outcome (null: out of the base
    /// case, as never or blocked).
    pub base_case_year: Option<i32>,
    /// Why the project is out of the base case whatever its chance, if it is.
    pub blocked: Option<String>,
    /// The risk model's chance of production, before the owner's decision (0-1).
    pub chance_before_decision: f64,
    /// Share of outcomes in which the owner proceeds at the decision point (its value
    /// there positive): 1 or 0 from the deterministic valuation, the simulation's share of
    /// draws when there is one; null when not valued or past construction
    /// ([`crate::model::owner::decided`]). `chance_of_production` is the chance before
    /// the decision times this share.
    pub proceeds_share: Option<f64>,
}

/// The outlook of a lead time for a chance of production `chance` (0-1), looking
/// `horizon_y` years past `as_of`.
pub fn outlook(lt: &LeadTime, chance: f64, horizon_y: f64) -> Outlook {
    let if_produces = IfProduces {
        p10_year: year_of(lt, lt.quantile_if_proceeds(0.1)),
        p50_year: year_of(lt, lt.quantile_if_proceeds(0.5)),
        p90_year: year_of(lt, lt.quantile_if_proceeds(0.9)),
        mean_years: lt.years_to_first_production,
    };
    outlook_with(lt, chance, horizon_y, if_produces)
}

/// The calendar year `t` years after `lt`'s as-of date.
fn year_of(lt: &LeadTime, t: f64) -> i32 {
    (f64::from(lt.as_of) + t).floor() as i32
}

/// [`outlook`] at another `chance`, given the percentiles if the project proceeds (which
/// depend on `lt` alone) from an outlook of the same `lt`.
pub fn outlook_with(
    lt: &LeadTime,
    chance: f64,
    horizon_y: f64,
    if_produces: IfProduces,
) -> Outlook {
    let chance = if lt.produced {
        1.0
    } else {
        chance.clamp(0.0, 1.0)
    };
    let as_of = f64::from(lt.as_of);
    let horizon_year = (as_of + horizon_y).floor() as i32;
    let year = |t: f64| year_of(lt, t);
    let mut beyond = false;
    let mut pct = |p: f64| {
        if chance <= 0.0 || p >= chance {
            return YearOrNever {
                year: None,
                years: None,
            };
        }
        let t = lt.quantile_if_proceeds(p / chance);
        if year(t) > horizon_year {
            beyond = true;
            return YearOrNever {
                year: None,
                years: None,
            };
        }
        YearOrNever {
            year: Some(year(t)),
            years: Some(t),
        }
    };
    let (p10, p50, p90) = (pct(0.1), pct(0.5), pct(0.9));
    let any_never = p90.year.is_none();
    let never_reason = any_never.then(|| {
        let mut why = Vec::new();
        if chance < 0.9 {
            why.push(format!(
                "{:.0} % of outcomes never reach production (chance {:.2})",
                (1.0 - chance) * 100.0,
                chance
            ));
        }
        if beyond {
            why.push(format!(
                "later outcomes fall after the horizon, {horizon_year}"
            ));
        }
        if why.is_empty() {
            why.push(format!("not by the horizon, {horizon_year}"));
        }
        why.join("; ")
    });
    Outlook {
        chance_of_production: chance,
        horizon_year,
        prob_by_horizon: chance * lt.cdf_if_proceeds(f64::from(horizon_year + 1) - as_of),
        base_case_year: if lt.blocked.is_some() { None } else { p50.year },
        p10,
        p50,
        p90,
        never_reason,
        if_produces,
        blocked: lt.blocked.clone(),
        chance_before_decision: chance,
        proceeds_share: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::record::{DepositType, Location};

    fn record(stage: StudyStage, country: &str) -> ProjectRecord {
        let mut r = ProjectRecord::empty(Location::File);
        r.id = "T".into();
        r.country = Some(country.into());
        r.geology.deposit_type = Some(DepositType::Carbonatite);
        r.development.stage = Some(stage);
        r
    }

    fn lt(r: &ProjectRecord) -> LeadTime {
        lead_time(
            r,
            Some(Regime::Onshore),
            3,
            2.0,
            &Assumptions::defaults(),
            2026,
        )
    }

    fn years(stage: StudyStage, country: &str, regime: Regime) -> f64 {
        let a = Assumptions::defaults();
        lead_time(&record(stage, country), Some(regime), 3, 2.0, &a, 2026).years_to_first_production
    }

    #[test]
    fn calibration_from_exploration_matches_the_fit() {
        // The fit in docs/models.md: a project entering exploration in a typical
        // jurisdiction with a 3-year build (PERT mean 3.2 years): M = 2.45 + 1.93 + 1.17 +
        // 1.17 + 0.82 + 1.17 + 0.71 = 9.42 years of work, plus the 0.5-year stall, at a
        // pace with E[1/Z] = 8 / 7: 3.2 + 9.92 x 8 / 7 = 14.54 years.
        let mut r = record(StudyStage::Exploration, "NA");
        r.development.stage_year = Some(2026);
        let l = lt(&r);
        assert!(
            (l.years_to_first_production - 14.537).abs() < 0.01,
            "{}",
            l.years_to_first_production
        );
        // Published range 6-32 years over 127 mines (S&P 2023): the model's 1/128 and
        // 127/128 quantiles lie within 6-40 years.
        let lo = l.quantile_if_proceeds(1.0 / 128.0);
        let hi = l.quantile_if_proceeds(127.0 / 128.0);
        assert!(
            (5.0..=8.0).contains(&lo) && (30.0..=40.0).contains(&hi),
            "{lo} {hi}"
        );
        assert_eq!(l.stages.first().unwrap().stage, StudyStage::Exploration);
    }

    #[test]
    fn a_dfs_stage_project_has_a_wide_interval() {
        // The old model gave a DFS-stage project a P10-P90 of about three years.
        let mut r = record(StudyStage::Dfs, "NA");
        r.development.stage_year = Some(2026);
        let l = lt(&r);
        let (p10, p90) = (l.quantile_if_proceeds(0.1), l.quantile_if_proceeds(0.9));
        assert!(p90 - p10 > 4.0, "{p10} {p90}");
    }

    #[test]
    fn quantiles_and_cdf_agree_with_the_sampler() {
        let mut r = record(StudyStage::Pfs, "AU");
        r.development.stage_year = Some(2021);
        let l = lt(&r);
        for p in [0.1, 0.5, 0.9] {
            let t = l.quantile_if_proceeds(p);
            assert!((l.cdf_if_proceeds(t) - p).abs() < 1e-6, "{p}");
        }
        // Sampled draws (the simulation's) against the analytic quantiles: the build is
        // drawn from its PERT there, so medians agree within its spread.
        let mut rng = crate::model::simulate::stream(1, "T", "lead_time");
        let mut d: Vec<f64> = (0..20_000).map(|_| l.draw(&mut rng).1).collect();
        d.sort_by(f64::total_cmp);
        let med = d[10_000];
        assert!((med - l.quantile_if_proceeds(0.5)).abs() < 0.3, "{med}");
        let mean = d.iter().sum::<f64>() / d.len() as f64;
        assert!((mean - l.years_to_first_production).abs() < 0.2, "{mean}");
    }

    #[test]
    fn a_later_stage_never_lengthens_the_remaining_time() {
        for w in StudyStage::ALL.windows(2) {
            let (early, late) = (
                years(w[0], "AU", Regime::Onshore),
                years(w[1], "AU", Regime::Onshore),
            );
            assert!(late <= early, "{} {early} -> {} {late}", w[0], w[1]);
        }
        assert_eq!(years(StudyStage::Production, "AU", Regime::Onshore), 0.0);
    }

    #[test]
    fn a_longer_stall_never_brings_the_expected_year_forward() {
        // Dubbo (financing since 2021) and Steenkampskraal (since 2019) both produced in
        // 2029 in the old model; a stall now pushes every percentile later.
        for stage in [
            StudyStage::Exploration,
            StudyStage::Pfs,
            StudyStage::Dfs,
            StudyStage::Permitting,
            StudyStage::Financing,
        ] {
            let mut last: Option<(f64, f64, f64)> = None;
            let mut last_outlook: Option<(f64, f64)> = None;
            for since in (1990..=2026).rev() {
                let mut r = record(stage, "AU");
                r.development.stage_year = Some(since);
                let l = lt(&r);
                let now = (
                    f64::from(l.first_production_year()),
                    l.quantile_if_proceeds(0.5),
                    l.quantile_if_proceeds(0.9),
                );
                if let Some(prev) = last {
                    assert!(
                        now.0 >= prev.0 && now.1 >= prev.1 - 1e-9 && now.2 >= prev.2 - 1e-9,
                        "{stage} since {since}: {prev:?} -> {now:?}"
                    );
                }
                // The stall shows in the outlook's percentiles of every outcome too.
                let o = outlook(&l, 0.9, 200.0);
                let p = (o.p10.years.unwrap(), o.p50.years.unwrap());
                if let Some(prev) = last_outlook {
                    assert!(
                        p.0 >= prev.0 - 1e-9 && p.1 >= prev.1 - 1e-9,
                        "{stage} since {since}: outlook {prev:?} -> {p:?}"
                    );
                }
                last_outlook = Some(p);
                last = Some(now);
            }
        }
        // In construction, years past the planned build are a stall.
        let mut prev = 0.0;
        for since in (2000..=2022).rev() {
            let mut r = record(StudyStage::Construction, "AU");
            r.development.stage_year = Some(since);
            let y = lt(&r).years_to_first_production;
            assert!(
                y >= prev - 1e-9,
                "construction since {since}: {prev} -> {y}"
            );
            prev = y;
        }
        let mut fin = record(StudyStage::Financing, "AU");
        fin.development.stage_year = Some(2021);
        assert!(lt(&fin).first_production_year() > 2029);
    }

    #[test]
    fn a_granted_permit_never_lengthens_the_remaining_time() {
        for stage in &StudyStage::ALL[..8] {
            for since in [None, Some(2026), Some(2020), Some(2010)] {
                let mut r = record(*stage, "CA");
                r.development.stage_year = since;
                let pending = lt(&r);
                r.development.permit_status = Some(PermitStatus::Granted);
                let granted = lt(&r);
                assert!(
                    granted.years_to_first_production <= pending.years_to_first_production
                        && granted.quantile_if_proceeds(0.9) <= pending.quantile_if_proceeds(0.9),
                    "{stage} {since:?}"
                );
                if *stage <= StudyStage::Permitting {
                    assert_eq!(granted.skipped_stages, [StudyStage::Permitting]);
                    assert!(
                        granted
                            .stages
                            .iter()
                            .all(|s| s.stage != StudyStage::Permitting)
                    );
                }
            }
        }
    }

    #[test]
    fn a_refused_licence_keeps_the_project_out_of_the_base_case() {
        let mut r = record(StudyStage::Permitting, "GL");
        r.development.permit_status = Some(PermitStatus::Refused);
        let l = lt(&r);
        assert!(l.blocked.as_deref().unwrap().contains("refused"));
        // Even at a high chance, the median outcome is not the base case.
        let o = outlook(&l, 0.9, 40.0);
        assert!(o.p50.year.is_some());
        assert_eq!(o.base_case_year, None);
    }

    #[test]
    fn a_dated_event_revives_a_refused_permit() {
        let mut r = record(StudyStage::Permitting, "GL");
        r.development.permit_status = Some(PermitStatus::Refused);
        let blocked = lt(&r);
        r.development.revival_year = Some(2030);
        let revived = lt(&r);
        assert_eq!(revived.blocked, None);
        assert!(outlook(&revived, 0.9, 40.0).base_case_year.is_some());
        // It waits for the event: four more years than a revival now.
        r.development.revival_year = Some(2026);
        let now = lt(&r);
        assert!(
            (revived.years_to_first_production - now.years_to_first_production - 4.0).abs() < 1e-9
        );
        assert!((now.years_to_first_production - blocked.years_to_first_production).abs() < 1e-9);
        assert!(revived.quantile_if_proceeds(0.1) >= 4.0);
    }

    #[test]
    fn never_is_an_outcome() {
        let mut r = record(StudyStage::Pfs, "AU");
        r.development.stage_year = Some(2025);
        let l = lt(&r);
        // A 30 % chance: P10 is the 1/3 quantile of the producing outcomes, P50 and P90 never.
        let o = outlook(&l, 0.3, 40.0);
        let expect = l.quantile_if_proceeds(0.1 / 0.3);
        assert!((o.p10.years.unwrap() - expect).abs() < 1e-12);
        assert_eq!((o.p50.year, o.p90.year), (None, None));
        assert!(o.never_reason.as_deref().unwrap().contains("70 %"));
        assert_eq!(o.base_case_year, None);
        // Chance of production by the horizon is at most the chance.
        assert!(o.prob_by_horizon <= 0.3 && o.prob_by_horizon > 0.29);
        // A certain project within a short horizon: its late outcomes are after it.
        let o = outlook(&l, 1.0, 5.0);
        assert!(o.p90.year.is_none());
        assert!(o.never_reason.as_deref().unwrap().contains("horizon"));
    }

    #[test]
    fn producers_first_produced_when_their_stage_began() {
        let mut r = record(StudyStage::Production, "AU");
        r.development.stage_year = Some(2011);
        let l = lt(&r);
        assert_eq!(l.first_production_year(), 2011);
        let o = outlook(&l, 0.2, 40.0);
        assert_eq!(o.p90.year, Some(2011));
        let mut r = record(StudyStage::RampUp, "AU");
        r.development.stage_year = Some(2025);
        let l = lt(&r);
        assert_eq!(
            (l.first_production_year(), l.nameplate_year()),
            (2025, 2027)
        );
    }

    #[test]
    fn slow_jurisdictions_and_seabed_regimes_take_longer() {
        assert!(
            years(StudyStage::Pfs, "US", Regime::Onshore)
                > years(StudyStage::Pfs, "NA", Regime::Onshore)
        );
        let area = years(StudyStage::Pfs, "NR", Regime::Area);
        let eez = years(StudyStage::Pfs, "NR", Regime::Eez);
        let land = years(StudyStage::Pfs, "NR", Regime::Onshore);
        assert!(area > eez && eez > land, "{area} {eez} {land}");
    }
}

/// Tests of the milestone-driven lead time (kept apart from the survival model's).
#[cfg(test)]
mod milestone_tests {
    use super::*;
    use crate::read::record::{DepositType, Location};

    fn programme(items: &[&str]) -> ProjectRecord {
        let mut r = ProjectRecord::empty(Location::File);
        r.id = "M".into();
        r.country = Some("JP".into());
        r.geology.deposit_type = Some(DepositType::SeabedMud);
        r.development.stage = Some(StudyStage::Resource);
        r.development.stage_year = Some(2018);
        let items: Vec<String> = items.iter().map(|s| (*s).to_owned()).collect();
        r.development.dated_milestones = DatedMilestone::parse_list(&items).unwrap();
        r
    }

    fn lt(r: &ProjectRecord) -> LeadTime {
        lead_time(r, Some(Regime::Eez), 3, 2.0, &Assumptions::defaults(), 2026)
    }

    const MNT: [&str; 3] = ["2026-02:test", "2027-02:trial", "2028-03:decision"];

    #[test]
    fn minamitorishima_by_hand() {
        // As of the start of 2026, anchored on the viability report of March 2028 (a
        // decision: the DFS is done): 2028 + 2.5 / 12 - 2026 = 2.2083 years to wait, a slip
        // of 0.5 x 2.2083 = 1.1042 years, then permitting 1.17 x 1 (JP) + 2.0 (EEZ delay)
        // and financing 0.71; pace E[1/Z] = 8 / 7 with no stall. Construction starts after
        // 2.2083 + (1.1042 + 3.17 + 0.71) x 8 / 7 = 7.9045 years; the build is PERT
        // (2.4, 3, 4.8), mean 3.2, plus its stall 0.5 x 8 / 7: first production after
        // 11.6760 years, in 2037.
        let l = lt(&programme(&MNT));
        let plan = l.milestone_plan.as_ref().expect("milestone-driven");
        assert_eq!(plan.anchor_kind, MilestoneKind::Decision);
        assert_eq!(plan.anchor_date, "2028-03");
        assert_eq!(
            plan.stages_after,
            [StudyStage::Permitting, StudyStage::Financing]
        );
        assert!((l.years_to_construction - 7.9045).abs() < 1e-3, "{l:?}");
        assert!(
            (l.years_to_first_production - 11.6760).abs() < 1e-3,
            "{}",
            l.years_to_first_production
        );
        assert_eq!(l.first_production_year(), 2037);
        // The survival model from the record's stage (resource since 2018) says much later.
        let s = survival(
            &programme(&MNT),
            Some(Regime::Eez),
            3,
            2.0,
            &Assumptions::defaults(),
            2026,
        );
        assert!(s.milestone_plan.is_none());
        assert!(s.years_to_first_production > l.years_to_first_production + 5.0);
    }

    #[test]
    fn the_survival_model_applies_without_milestones_or_when_blocked() {
        let a = Assumptions::defaults();
        let plain = programme(&[]);
        assert_eq!(
            lt(&plain),
            survival(&plain, Some(Regime::Eez), 3, 2.0, &a, 2026)
        );
        let mut refused = programme(&MNT);
        refused.development.permit_status = Some(PermitStatus::Refused);
        assert!(lt(&refused).milestone_plan.is_none());
        assert!(lt(&refused).blocked.is_some());
        let mut producing = programme(&MNT);
        producing.development.stage = Some(StudyStage::Production);
        assert!(lt(&producing).produced);
        assert!(lt(&producing).milestone_plan.is_none());
    }

    #[test]
    fn a_later_milestone_moves_production_by_hand() {
        // One year later on the anchor: one year of waiting plus 0.5 year of mean slip at
        // the pace 8 / 7: 1 + 0.5 x 8 / 7 = 1.5714 years.
        let early = lt(&programme(&MNT));
        let late = lt(&programme(&[
            "2026-02:test",
            "2027-02:trial",
            "2029-03:decision",
        ]));
        let d = late.years_to_first_production - early.years_to_first_production;
        assert!((d - 1.5714).abs() < 1e-3, "{d}");
        // A later trial alone changes nothing: the decision is the anchor.
        let t = lt(&programme(&[
            "2026-02:test",
            "2028-01:trial",
            "2028-03:decision",
        ]));
        assert!((t.years_to_first_production - early.years_to_first_production).abs() < 1e-12);
    }

    #[test]
    fn a_passed_anchor_and_its_stall_by_hand() {
        // A decision in March 2020, nothing since: 2026 - 2020.2083 = 5.7917 years since,
        // against permitting's 3.17 years: rate 8 + 5.7917 / 3.17 = 9.8270, E[1/Z] =
        // 1.40386. Construction after (3.17 + 0.71) x 1.40386 = 5.4470 years; first
        // production after 5.4470 + 3.2 + 0.5 x 1.40386 = 9.3489.
        let l = lt(&programme(&["2020-03:decision"]));
        let plan = l.milestone_plan.as_ref().unwrap();
        assert!(plan.passed && (plan.years_since_anchor - 5.7917).abs() < 1e-3);
        assert_eq!(plan.slip_mean_y, 0.0);
        assert!(
            (l.stall_factor - 1.40386).abs() < 1e-4,
            "{}",
            l.stall_factor
        );
        assert!(
            (l.years_to_first_production - 9.3489).abs() < 1e-3,
            "{}",
            l.years_to_first_production
        );
        // The longer it has been, the later: never brought forward by a stall.
        let older = lt(&programme(&["2015-03:decision"]));
        assert!(older.years_to_first_production > l.years_to_first_production);
    }

    #[test]
    fn a_dated_first_production_slips_but_is_never_earlier() {
        // First production planned July 2031: 5.5417 years; a mean slip of 2.7708 years and
        // the build's stall 0.5, at the pace 8 / 7: 5.5417 + 3.2708 x 8 / 7 = 9.2798 years.
        let l = lt(&programme(&["2031-07:production"]));
        assert!(
            (l.years_to_first_production - 9.2798).abs() < 1e-3,
            "{}",
            l.years_to_first_production
        );
        // No outcome before the planned date (the calendar is the earliest date).
        assert!(l.quantile_if_proceeds(1e-6) >= 5.5417 - 1e-9);
        // A planned construction start: its build follows it.
        let c = lt(&programme(&["2030-01:construction"]));
        let expect =
            (2030.0 + 0.5 / 12.0 - 2026.0) * (1.0 + 0.5 * 8.0 / 7.0) + 3.2 + 0.5 * 8.0 / 7.0;
        assert!((c.years_to_first_production - expect).abs() < 1e-9);
    }

    #[test]
    fn milestone_quantiles_agree_with_the_sampler() {
        let l = lt(&programme(&MNT));
        for p in [0.1, 0.5, 0.9] {
            let t = l.quantile_if_proceeds(p);
            assert!((l.cdf_if_proceeds(t) - p).abs() < 1e-6, "{p}");
        }
        let mut rng = crate::model::simulate::stream(1, "M", "lead_time");
        let d: Vec<f64> = (0..20_000).map(|_| l.draw(&mut rng).1).collect();
        let mean = d.iter().sum::<f64>() / d.len() as f64;
        assert!((mean - l.years_to_first_production).abs() < 0.1, "{mean}");
        // Nothing before the viability report plus a build at its shortest.
        assert!(d.iter().all(|&t| t >= 2.2083 + 2.4 - 1e-9));
    }

    // ---- Survivors of the mutation sample (issue 24; docs/reliability.md) ----

    /// The calendar of Minamitorishima's stages (see `minamitorishima_by_hand`): each
    /// stage starts where the one before ended, and construction runs from 2026 + 7.9045
    /// for the PERT (2.4, 3, 4.8) build's mean 3.2 plus its stall 0.5 x 8 / 7. Survivor:
    /// construction's start `t0 + t` → `t0 - t` (only the years were tested, not the
    /// calendar the report draws).
    #[test]
    fn minamitorishima_stages_end_to_end_on_the_calendar() {
        let l = lt(&programme(&MNT));
        for w in l.stages.windows(2) {
            assert!((w[1].start - w[0].end).abs() < 1e-9, "{:?}", l.stages);
        }
        let c = l
            .stages
            .iter()
            .find(|s| s.stage == StudyStage::Construction)
            .expect("a construction stage");
        assert!((c.start - (2026.0 + 7.9045)).abs() < 1e-3, "{c:?}");
        assert!(
            (c.end - c.start - (3.2 + 0.5 * 8.0 / 7.0)).abs() < 1e-9,
            "{c:?}"
        );
        assert!((c.end - (2026.0 + 11.6760)).abs() < 1e-3, "{c:?}");
    }

    /// The survival model's calendar (no dated milestones): the stages run end to end
    /// from the start of the appraisal year, construction begins when the mean years to
    /// construction have passed and first production follows at the mean years to first
    /// production. Survivor: construction's start `as_of + t` → `as_of - t`.
    #[test]
    fn the_survival_models_stages_end_to_end_on_the_calendar() {
        let l = lt(&programme(&[]));
        assert!(l.milestone_plan.is_none());
        assert!((l.stages[0].start - 2026.0).abs() < 1e-9, "{:?}", l.stages);
        for w in l.stages.windows(2) {
            assert!((w[1].start - w[0].end).abs() < 1e-9, "{:?}", l.stages);
        }
        let c = l
            .stages
            .iter()
            .find(|s| s.stage == StudyStage::Construction)
            .expect("a construction stage");
        assert!(
            (c.start - (2026.0 + l.years_to_construction)).abs() < 1e-9,
            "{c:?}"
        );
        assert!(
            (c.end - (2026.0 + l.years_to_first_production)).abs() < 1e-9,
            "{c:?}"
        );
        // The build's own spread is 0.8, 1 and 1.6 x its 3 years (assumptions
        // lead_time.construction_spread); a stall (mean 0.5 year) can only add to each.
        for (k, build) in [2.4, 3.0, 4.8].into_iter().enumerate() {
            assert!(c.pert_y[k] > build, "{k}: {:?}", c.pert_y);
        }
    }

    /// A producer has first produced: the chance of first production within its years
    /// to first production, or any later time, is 1, and within a year less it is 0.
    /// Survivor: the producer's `t >= years_to_first_production` → `<`.
    #[test]
    fn a_producer_has_produced_with_certainty() {
        let mut producing = programme(&MNT);
        producing.development.stage = Some(StudyStage::Production);
        let l = lt(&producing);
        assert!(l.produced);
        let y = l.years_to_first_production;
        assert_eq!(l.cdf_if_proceeds(y), 1.0);
        assert_eq!(l.cdf_if_proceeds(y + 1.0), 1.0);
        assert_eq!(l.cdf_if_proceeds(y - 1.0), 0.0);
    }

    /// [P10, P50, P90] of one stage when the pace's shape is above 2: the lognormal with
    /// the stage's mean and variance. By hand for a mean of 2 years, θ = 1, α = 3 and a
    /// rate of 2: E[W/Z] = 2 x 2 / 2 = 2, E[(W/Z)²] = (2 x 1 + 4) x 4 / (2 x 1) = 12, so
    /// σ² = ln(12 / 4) = ln 3 and the median is exp(ln 2 - ln 3 / 2) = 2 / √3; P10 and P90
    /// lie z = 1.2815515655446004 (the standard normal's 90th percentile) log-sds either
    /// side. Survivor: `mu - Z90 * sd` → `mu - Z90 / sd`.
    #[test]
    fn a_stage_spread_by_hand() {
        let [p10, p50, p90] = stage_spread(2.0, 1.0, 3.0, 2.0);
        let median = 2.0 / 3f64.sqrt();
        let width = 1.281_551_565_544_600_4 * 3f64.ln().sqrt();
        assert!((p50 - median).abs() < 1e-12, "{p50}");
        assert!((p10 - median * (-width).exp()).abs() < 1e-12, "{p10}");
        assert!((p90 - median * width.exp()).abs() < 1e-12, "{p90}");
    }
}
