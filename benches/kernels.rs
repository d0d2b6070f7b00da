//! Kernel benchmarks (criterion): the pieces whole-command times are made of.
//!
//!     cargo bench --bench kernels
//!
//! Whole commands and the peers are timed by benches/run.sh.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use prospect::appraise::{Options, Terms, appraise};
use prospect::assumptions::Assumptions;
use prospect::context::Context;
use prospect::model::cashflow::{self, Discounting, ScheduleInputs};
use prospect::model::simulate::SimOptions;
use prospect::read::{Event, InputFormat, visit_bytes};

/// A PFS-sized rare-earth project: US$ million, years.
fn inputs() -> ScheduleInputs {
    ScheduleInputs {
        revenue_per_y: 480.0,
        fixed_revenue_per_y: 0.0,
        opex_per_y: 210.0,
        logistics_per_y: 12.0,
        royalty_pct: 2.5,
        tax_rate_pct: 30.0,
        fiscal: Default::default(),
        capex: 1100.0,
        sustaining_per_y: 22.0,
        closure: 55.0,
        depreciation_y: 10,
        construction_y: 3,
        mine_life_y: 25.0,
        ramp_up: vec![0.5, 0.8],
    }
}

fn samples() -> Vec<prospect::ProjectRecord> {
    let bytes = include_bytes!("../samples/projects.csv");
    let mut records = Vec::new();
    visit_bytes("projects.csv", InputFormat::Csv, bytes, &mut |e| {
        if let Event::Record(p) = e {
            records.push(p.record);
        }
    });
    records
}

fn cash_flow(c: &mut Criterion) {
    let inp = inputs();
    let years = cashflow::schedule(&inp, 1.0);
    let net: Vec<f64> = years.iter().map(|y| y.net).collect();
    c.bench_function("schedule (30 years)", |b| {
        let mut buffer = Vec::new();
        b.iter(|| cashflow::schedule_into(black_box(&inp), 1.0, &mut buffer))
    });
    c.bench_function("npv (30 years)", |b| {
        b.iter(|| cashflow::npv(0.08, black_box(&net), Discounting::EndOfYear))
    });
    c.bench_function("irr (30 years)", |b| {
        b.iter(|| cashflow::irr(black_box(&net)))
    });
}

fn models(c: &mut Criterion) {
    let records = samples();
    let a = Assumptions::defaults();
    let terms = Terms::resolve(&a, &Options::at(2026)).unwrap();
    let context = Context::builtin().unwrap();
    let n = records.len() as u64;

    let mut g = c.benchmark_group("samples");
    g.throughput(Throughput::Elements(n));
    g.bench_function("read CSV", |b| {
        let bytes = include_bytes!("../samples/projects.csv");
        b.iter(|| {
            let mut count = 0;
            visit_bytes(
                "projects.csv",
                InputFormat::Csv,
                black_box(bytes),
                &mut |_| count += 1,
            );
            count
        })
    });
    g.bench_function("spatial context", |b| {
        b.iter(|| {
            records
                .iter()
                .for_each(|r| drop(black_box(context.locate(r))))
        })
    });
    g.bench_function("deterministic appraisal", |b| {
        b.iter(|| {
            records
                .iter()
                .filter(|r| appraise(r, context.locate(r), &a, &terms, None).valued)
                .count()
        })
    });
    g.finish();

    let sim = SimOptions {
        draws: 1000,
        seed: 1,
        fixed: Vec::new(),
        keep_draws: false,
    };
    let mut g = c.benchmark_group("simulation");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n * sim.draws as u64));
    g.bench_function("1,000 draws per sample project (one thread)", |b| {
        b.iter(|| {
            records
                .iter()
                .filter(|r| appraise(r, context.locate(r), &a, &terms, Some(&sim)).valued)
                .count()
        })
    });
    g.finish();
}

criterion_group!(benches, cash_flow, models);
criterion_main!(benches);
