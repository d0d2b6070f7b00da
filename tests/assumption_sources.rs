//! Every figure of assumptions/default.toml has a value date and a source (or a judgement
//! mark with its reason) in the table "Sources by TOML path" of docs/assumptions.md. The
//! convention is described above that table; this test enforces it.

use std::collections::BTreeSet;

const HEADING: &str = "## Sources by TOML path";

/// One row of the sources table.
#[derive(Debug)]
struct Row {
    path: Vec<String>,
    date: String,
    source: String,
}

fn rows(doc: &str) -> Result<Vec<Row>, String> {
    let start = doc
        .find(HEADING)
        .ok_or_else(|| format!("docs/assumptions.md has no section {HEADING:?}"))?;
    let body = &doc[start + HEADING.len()..];
    let body = &body[..body.find("\n## ").unwrap_or(body.len())];
    let mut out = Vec::new();
    for line in body.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.trim().trim_matches('|').split(" | ").collect();
        if cells.len() != 4 {
            return Err(format!("a row needs 4 cells: {line}"));
        }
        let path = cells[0].trim().trim_matches('`');
        out.push(Row {
            path: path.split('.').map(str::to_owned).collect(),
            date: cells[1].trim().to_owned(),
            source: cells[2].trim().to_owned(),
        });
    }
    Ok(out)
}

/// Every figure (number, or array of numbers) of a TOML table, by dotted path.
fn figures(prefix: &[String], v: &toml::Value, out: &mut Vec<Vec<String>>) {
    match v {
        toml::Value::Table(t) => {
            for (k, x) in t {
                let mut p = prefix.to_vec();
                p.push(k.clone());
                figures(&p, x, out);
            }
        }
        toml::Value::Integer(_) | toml::Value::Float(_) => out.push(prefix.to_vec()),
        toml::Value::Array(a) if !a.is_empty() && a.iter().all(numeric) => {
            out.push(prefix.to_vec())
        }
        toml::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                if x.is_table() {
                    let mut p = prefix.to_vec();
                    p.push(i.to_string());
                    figures(&p, x, out);
                }
            }
        }
        _ => {}
    }
}

fn numeric(v: &toml::Value) -> bool {
    match v {
        toml::Value::Integer(_) | toml::Value::Float(_) => true,
        toml::Value::Array(a) => a.iter().all(numeric),
        _ => false,
    }
}

/// Whether a row's path covers a figure's path (a prefix; `*` matches one segment).
fn covers(row: &[String], fig: &[String]) -> bool {
    row.len() <= fig.len() && row.iter().zip(fig).all(|(r, f)| r == "*" || r == f)
}

fn valid_date(d: &str) -> bool {
    let parts: Vec<&str> = d.split('-').collect();
    let num = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y] => num(y, 4),
        [y, m] => num(y, 4) && num(m, 2) && (1..=12).contains(&m.parse::<u32>().unwrap()),
        [y, m, d] => {
            num(y, 4)
                && num(m, 2)
                && num(d, 2)
                && (1..=12).contains(&m.parse::<u32>().unwrap())
                && (1..=31).contains(&d.parse::<u32>().unwrap())
        }
        _ => false,
    }
}

/// Every problem with the table against the TOML, all at once.
fn problems(toml_text: &str, doc: &str) -> Vec<String> {
    let table: toml::Value = toml::Value::Table(toml_text.parse().unwrap());
    let mut figs = Vec::new();
    figures(&[], &table, &mut figs);
    let rows = match rows(doc) {
        Ok(r) => r,
        Err(e) => return vec![e],
    };
    let mut out = Vec::new();
    for r in &rows {
        let p = r.path.join(".");
        if !valid_date(&r.date) {
            out.push(format!(
                "{p}: value date {:?} is not YYYY, YYYY-MM or YYYY-MM-DD",
                r.date
            ));
        }
        let judgement = r.source.to_lowercase().starts_with("judgement");
        if r.source.is_empty() || (judgement && r.source.len() < "judgement: ".len() + 20) {
            out.push(format!(
                "{p}: no source, or a judgement mark without its reason"
            ));
        }
        if !figs.iter().any(|f| covers(&r.path, f)) {
            out.push(format!("{p}: stale row, no figure has this path"));
        }
    }
    let mut seen = BTreeSet::new();
    for f in &figs {
        if !rows.iter().any(|r| covers(&r.path, f)) && seen.insert(f.join(".")) {
            out.push(format!(
                "{}: no source row (docs/assumptions.md, {HEADING})",
                f.join(".")
            ));
        }
    }
    out
}

#[test]
fn every_default_figure_has_a_dated_source_or_a_judgement_mark() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let toml_text = std::fs::read_to_string(format!("{dir}/assumptions/default.toml")).unwrap();
    let doc = std::fs::read_to_string(format!("{dir}/docs/assumptions.md")).unwrap();
    let p = problems(&toml_text, &doc);
    assert!(p.is_empty(), "{} problems:\n{}", p.len(), p.join("\n"));
}

#[test]
fn the_check_finds_a_missing_source_a_bad_date_a_bare_judgement_and_a_stale_row() {
    let toml_text = "[a]\nx = 1.0\ny = [1, 2]\n[b.c]\nz = 3\nname = \"text is no figure\"\n";
    let doc = format!(
        "# t\n{HEADING}\n\n| path | value date | source | derivation |\n|---|---|---|---|\n\
         | `a.x` | 2025-13 | a source | - |\n\
         | `b.*.z` | 2024 | judgement: | - |\n\
         | `a.gone` | 2024 | a source | - |\n\n## Next\n| `a.y` | 2024 | hidden in another section | - |\n"
    );
    let p = problems(toml_text, &doc);
    assert!(p.iter().any(|m| m.starts_with("a.x: value date")), "{p:?}");
    assert!(p.iter().any(|m| m.starts_with("b.*.z: no source")), "{p:?}");
    assert!(p.iter().any(|m| m.starts_with("a.gone: stale")), "{p:?}");
    assert!(
        p.iter().any(|m| m.starts_with("a.y: no source row")),
        "{p:?}"
    );
    assert_eq!(p.len(), 4, "{p:?}");
    // A table row covers what is below it; `*` one segment.
    assert!(covers(&["b".into()], &["b".into(), "c".into(), "z".into()]));
    assert!(covers(
        &["*".into(), "c".into()],
        &["b".into(), "c".into(), "z".into()]
    ));
    assert!(!covers(
        &["b".into(), "d".into()],
        &["b".into(), "c".into(), "z".into()]
    ));
}
