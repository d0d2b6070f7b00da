//! The models of one project, each in its own file. They take a validated record, its
//! spatial context and the assumptions, and give what the project sells ([`grade`]), what
//! it costs ([`cost`]), its cash flows and their value ([`cashflow`]), when it delivers
//! ([`leadtime`]), how likely it is to ([`risk`]) and all of that under uncertainty
//! ([`simulate`]); [`provenance`] records which inputs were given and which estimated.
//! [`distribution`] holds the library of typical oxide distributions, [`going_concern`]
//! decides which cash flows are still ahead at the as-of date, and [`unit_cost`] gives
//! C1 and AISC per kg and the incentive price.

pub mod backtest;
pub mod bridge;
pub mod byproduct;
pub mod cashflow;
pub mod cost;
pub mod distribution;
pub mod fiscal;
pub mod funding;
pub mod going_concern;
pub mod grade;
pub mod idle;
pub mod instruments;
pub mod leadtime;
pub mod mud;
pub mod netback;
pub mod nodules;
pub mod order;
pub mod owner;
pub mod plant_terms;
pub mod provenance;
pub mod risk;
pub mod simulate;
pub mod study;
pub mod sulphides;
pub mod terms;
pub mod unit_cost;
