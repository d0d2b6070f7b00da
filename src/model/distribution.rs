//! Oxide distributions: the library of named typical distributions (assumptions
//! `[distributions.*]`, each with its source), which one a record takes, and the rule that
//! a record's own outputs win over any distribution.
//!
//! A record names a library entry in `distribution`; otherwise its deposit type's entry
//! (`deposits.<type>.distribution`) applies, else the deposit type's own `oxide_shares`.

use crate::assumptions::Assumptions;
use crate::read::record::{DepositType, OXIDES, ProjectRecord};

/// Positions of Pr, Nd, Tb, Dy in [`OXIDES`] (one definition: `read::record::oxide`).
pub use crate::read::record::oxide::{DY, ND, PR, TB};

/// A typical distribution, % of TREO indexed as [`OXIDES`], and where it comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Typical {
    /// The library name (or the deposit type's name for its inline shares).
    pub name: String,
    pub shares: [f64; 15],
    pub source: String,
}

/// Why no distribution could be found.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownDistribution(pub String);

/// The shares of `map` indexed as [`OXIDES`] and normalised to sum to 100 (published
/// tables round, and leave traces out).
fn indexed(map: &std::collections::BTreeMap<String, f64>) -> [f64; 15] {
    let mut shares = [0.0; 15];
    for (i, o) in OXIDES.iter().enumerate() {
        shares[i] = map.get(*o).copied().unwrap_or(0.0);
    }
    let sum: f64 = shares.iter().sum();
    if sum > 0.0 {
        shares = shares.map(|s| s * 100.0 / sum);
    }
    shares
}

/// The library entry `name`, if the assumptions hold one.
pub fn named(name: &str, a: &Assumptions) -> Option<Typical> {
    a.distributions.get(name).map(|d| Typical {
        name: name.to_owned(),
        shares: indexed(&d.oxide_shares),
        source: d.source.clone(),
    })
}

/// The typical distribution of a record of deposit type `t`: the one it names, else its
/// deposit type's library entry, else the deposit type's inline shares.
pub fn typical(
    rec: &ProjectRecord,
    t: DepositType,
    a: &Assumptions,
) -> Result<Option<Typical>, UnknownDistribution> {
    if let Some(name) = rec.geology.distribution.as_deref() {
        return named(name, a).map(Some).ok_or_else(|| {
            UnknownDistribution(format!(
                "distribution {name:?} is not in the assumptions' library (known: {})",
                a.distributions
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        });
    }
    let Some(d) = a.deposit(t) else {
        return Ok(None);
    };
    if let Some(name) = d.distribution.as_deref()
        && let Some(found) = named(name, a)
    {
        return Ok(Some(found));
    }
    Ok(Some(Typical {
        name: t.as_str().to_owned(),
        shares: indexed(&d.oxide_shares),
        source: d.distribution_source.clone(),
    }))
}

/// `shares` rescaled so that NdPr makes `ndpr` % and Dy+Tb `dytb` % of TREO, the other
/// oxides sharing the rest in their own proportions (a pair with no weight is split
/// evenly). Sums to 100 when `ndpr + dytb <= 100`.
pub fn rescaled(shares: &[f64; 15], ndpr: f64, dytb: f64) -> [f64; 15] {
    let default_ndpr = shares[PR] + shares[ND];
    let default_dytb = shares[TB] + shares[DY];
    let default_rest: f64 = shares.iter().sum::<f64>() - default_ndpr - default_dytb;
    let rest = (100.0 - ndpr - dytb).max(0.0);
    let mut out = [0.0; 15];
    for (i, s) in out.iter_mut().enumerate() {
        let (target, pair, sum) = match i {
            PR | ND => (ndpr, true, default_ndpr),
            TB | DY => (dytb, true, default_dytb),
            _ => (rest, false, default_rest),
        };
        *s = if sum > 0.0 {
            shares[i] * target / sum
        } else if pair {
            target / 2.0
        } else {
            0.0
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rescaling_hits_the_targets_and_keeps_proportions() {
        let mut s = [0.0; 15];
        s[0] = 30.0; // La
        s[1] = 50.0; // Ce
        s[PR] = 5.0;
        s[ND] = 15.0;
        // NdPr to 30 %, Dy+Tb to 2 % (none before: split evenly), rest 68 % as 30:50.
        let r = rescaled(&s, 30.0, 2.0);
        assert!((r[PR] - 7.5).abs() < 1e-12 && (r[ND] - 22.5).abs() < 1e-12);
        assert!((r[TB] - 1.0).abs() < 1e-12 && (r[DY] - 1.0).abs() < 1e-12);
        assert!((r[0] - 68.0 * 30.0 / 80.0).abs() < 1e-12);
        assert!((r.iter().sum::<f64>() - 100.0).abs() < 1e-12);
    }

    #[test]
    fn every_deposit_library_name_exists_and_sums_to_about_100() {
        let a = Assumptions::defaults();
        for (name, d) in &a.distributions {
            let sum: f64 = d.oxide_shares.values().sum();
            assert!((97.0..=103.0).contains(&sum), "{name}: {sum}");
            assert!(!d.source.is_empty(), "{name} has no source");
        }
        for (t, d) in &a.deposits {
            if let Some(name) = &d.distribution {
                assert!(a.distributions.contains_key(name), "{t} names {name}");
            }
        }
    }
}
