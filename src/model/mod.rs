//! The models of one project, each in its own file. They take a validated record, its
//! spatial context and the assumptions, and give what the project sells ([`grade`]), what
//! it costs ([`cost`]), its cash flows and their value ([`cashflow`]), when it delivers
//! ([`leadtime`]), how likely it is to ([`risk`]) and all of that under uncertainty
//! ([`simulate`]); [`provenance`] records which inputs were given and which estimated.

pub mod cashflow;
pub mod cost;
pub mod grade;
pub mod leadtime;
pub mod mud;
pub mod provenance;
pub mod risk;
pub mod simulate;
pub mod study;
pub mod terms;
