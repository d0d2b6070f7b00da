//! The assumptions of financing (issue 18): how lenders size a project's debt (`[funding]`)
//! and the support instruments a government can offer (`[instruments]`). Their figures
//! and sources: docs/assumptions.md, "Funding structure" and "Support instruments".

use std::collections::BTreeMap;

use serde::Deserialize;

/// `[funding]`: the terms lenders size a project's senior debt on.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FundingAssumptions {
    /// The lowest debt service cover ratio the debt is sculpted to, x (CFADS over debt
    /// service in each repayment year).
    pub min_dscr: f64,
    /// Years of repayment, from the first year after construction.
    pub debt_tenor_y: u32,
    /// Real interest rate of the senior debt, % a year.
    pub debt_rate_pct: f64,
    /// The largest share of the peak funding requirement lenders fund, %.
    pub max_gearing_pct: f64,
    /// Working capital at first production, months of nameplate operating and logistics
    /// cost.
    pub working_capital_months: f64,
}

/// `[instruments]`: the support instruments valued for every project, unless its record
/// gives its own terms.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InstrumentAssumptions {
    /// The government's real cost of funds, % a year: its costs are discounted at it.
    pub government_rate_pct: f64,
    pub price_floor: PriceFloorTerms,
    pub concessional_loan: ConcessionalLoanTerms,
    /// Production tax credits by host country (ISO 3166-1 alpha-2).
    pub production_credit: BTreeMap<String, ProductionCreditTerms>,
}

/// A floor on the NdPr oxide price, paid as the shortfall on the NdPr sold, against a
/// share of the upside above it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PriceFloorTerms {
    /// The floor, US$ per kg NdPr oxide (real).
    pub ndpr_usd_per_kg: f64,
    /// Years of production it covers, from the first.
    pub tenor_y: u32,
    /// Share of the price above the floor paid to the government, % of the excess.
    pub upside_share_pct: f64,
}

/// A loan from a public lender at a concessional rate.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ConcessionalLoanTerms {
    /// Real interest rate, % a year.
    pub rate_pct: f64,
    /// Years of repayment (level annuity), from the first year after construction.
    pub tenor_y: u32,
    /// Size of the loan, % of the capital still to spend.
    pub share_of_capex_pct: f64,
}

/// A production tax credit: a share of the year's eligible costs, refundable.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ProductionCreditTerms {
    /// The name a person reads (`US 45X`).
    pub name: String,
    /// Credit, % of eligible costs.
    pub rate_pct: f64,
    /// Eligible costs, % of the operating cost (processing only, or all production).
    pub eligible_share_of_opex_pct: f64,
    /// First and last calendar years it is paid for.
    pub first_year: i32,
    pub last_year: i32,
    /// Most years a project may claim it.
    pub max_years: u32,
    /// Share of the credit paid in a phase-out year, % by calendar year (100 % in years
    /// not listed).
    #[serde(default)]
    pub phase_pct: BTreeMap<String, f64>,
}

impl ProductionCreditTerms {
    /// The share of the credit (0-1) paid for `year`'s costs.
    pub fn share_in(&self, year: i32) -> f64 {
        if year < self.first_year || year > self.last_year {
            return 0.0;
        }
        self.phase_pct
            .get(&year.to_string())
            .map_or(1.0, |p| p / 100.0)
    }
}
