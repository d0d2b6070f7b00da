//! Synthetic but plausible project records for benchmarks: each is one of the real sample
//! projects, moved up to half a degree and with its tonnages, outputs and costs scaled by
//! a lognormal factor (σ = 0.3), under a new id. Seeded: the same seed gives the same
//! file. Written as CSV, one record at a time.

use std::io::Write;

use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// The real samples the synthetic records are drawn from.
const SAMPLES: &str = include_str!("../samples/projects.csv");

/// Columns scaled together (tonnage, output, money).
const SCALED: [&str; 13] = [
    "measured_mt",
    "indicated_mt",
    "inferred_mt",
    "resource_mt",
    "reserve_mt",
    "throughput_mtpa",
    "annual_treo_t",
    "annual_ndpr_t",
    "annual_dytb_t",
    "capex_musd",
    "opex_musd_per_y",
    "study_npv_musd",
    "sustaining_capex_musd_per_y",
];

/// Writes `count` synthetic records as CSV.
pub fn write(count: u64, seed: u64, out: impl Write) -> Result<(), csv::Error> {
    let mut reader = csv::Reader::from_reader(SAMPLES.as_bytes());
    let headers = reader.headers()?.clone();
    let templates: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (id, lon, lat) = (col("id"), col("lon"), col("lat"));
    let scaled: Vec<usize> = SCALED.iter().filter_map(|c| col(c)).collect();
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut w = csv::Writer::from_writer(out);
    w.write_record(&headers)?;
    let mut row: Vec<String> = Vec::with_capacity(headers.len());
    for n in 0..count {
        let t = &templates[rng.random_range(0..templates.len())];
        // Box-Muller normal for the lognormal factor.
        let (u1, u2): (f64, f64) = (rng.random::<f64>().max(1e-12), rng.random());
        let factor = (0.3 * (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()).exp();
        let (dx, dy): (f64, f64) = (rng.random_range(-0.5..0.5), rng.random_range(-0.5..0.5));
        row.clear();
        for (i, cell) in t.iter().enumerate() {
            let value = if Some(i) == id {
                format!("S{n}")
            } else if Some(i) == lon && !cell.is_empty() {
                format!(
                    "{:.5}",
                    (cell.parse::<f64>().unwrap_or(0.0) + dx).clamp(-180.0, 180.0)
                )
            } else if Some(i) == lat && !cell.is_empty() {
                format!(
                    "{:.5}",
                    (cell.parse::<f64>().unwrap_or(0.0) + dy).clamp(-89.9, 89.9)
                )
            } else if scaled.contains(&i) && !cell.is_empty() {
                cell.parse::<f64>()
                    .map_or(cell.to_owned(), |v| format!("{:.4}", v * factor))
            } else {
                cell.to_owned()
            };
            row.push(value);
        }
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn seeded_and_readable() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        super::write(50, 3, &mut a).unwrap();
        super::write(50, 3, &mut b).unwrap();
        assert_eq!(a, b);
        let mut c = Vec::new();
        super::write(50, 4, &mut c).unwrap();
        assert_ne!(a, c);
        let mut records = 0;
        let mut errors = 0;
        crate::read::visit_bytes(
            "synth.csv",
            crate::read::InputFormat::Csv,
            &a,
            &mut |e| match e {
                crate::read::Event::Record(p) => {
                    records += 1;
                    errors += p.diagnostics.iter().filter(|d| d.is_error()).count();
                }
                crate::read::Event::Problem(d) => errors += usize::from(d.is_error()),
            },
        );
        assert_eq!((records, errors), (50, 0));
    }
}
