//! Issue 19: every output writer (the tables, CSV, JSON, GeoJSON, the HTML report and the
//! QML style) fuzzed with hostile strings in names, owners, ids and unknown columns (their
//! names and their values). A fixed number of cases, so `cargo test` runs it in bounded
//! time. Each writer must keep the data (JSON and GeoJSON exactly, CSV up to the formula
//! guard) and never pass on what would act on its reader: no control or bidi character in
//! a table, no cell a spreadsheet would run, no unescaped markup in the report, nothing of
//! a record in the fixed QML style.

use std::path::Path;

use assert_cmd::cargo::cargo_bin_cmd;
use proptest::prelude::*;
use serde_json::Value;

/// Pieces of hostile text, combined by the strategy below.
const PIECES: &[&str] = &[
    "=HYPERLINK(\"http://x\",\"y\")",
    "@SUM(1)",
    "+1+1",
    "-2+3",
    "\t=1",
    "\r=1",
    "\n=1",
    "\u{ff1d}1+1",
    "\u{ff0d}1",
    "\u{1b}]52;c;SGVsbG8=\u{7}",
    "\u{1b}[2J",
    "\u{9b}31m",
    "\u{202e}gnp.exe",
    "\u{2066}x\u{2069}",
    "\u{200b}",
    "<script>alert(1)</script>",
    "</td></tr><img src=x onerror=alert(1)>",
    "]]><!--",
    "&amp;&lt;",
    "\"quoted\", 'single'",
    "a,b;c",
    "line\nbreak",
    "%s%n{0}",
    "Ünïcödé 名前 🦀",
    "\u{0}nul",
    "-5",
    "1e400",
];

fn hostile() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(PIECES), 1..4).prop_map(|ps| ps.concat())
}

/// A CSV of three valid records whose text fields and unknown columns are hostile.
fn write_records(dir: &Path, names: &[String], extra_key: &str, extra_value: &str) -> String {
    let path = dir.join("hostile.csv");
    let mut w = csv::Writer::from_path(&path).unwrap();
    let header = [
        "id",
        "name",
        "operator",
        "owners",
        "country",
        "lon",
        "lat",
        "deposit_type",
        "stage",
        "reserve_mt",
        "grade_treo_pct",
        extra_key,
    ];
    w.write_record(header).unwrap();
    for (i, name) in names.iter().enumerate() {
        let lon = format!("{}", 122.5 + i as f64 * 0.1);
        let id = format!("H{i}");
        w.write_record([
            id.as_str(),
            name,
            name,
            name,
            "AU",
            &lon,
            "-28.8",
            "carbonatite",
            "pfs",
            "10",
            "3",
            extra_value,
        ])
        .unwrap();
    }
    w.flush().unwrap();
    path.display().to_string()
}

fn run(args: &[&str]) -> (Vec<u8>, String) {
    let out = cargo_bin_cmd!("prospect").args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{args:?}: {stderr}");
    (out.stdout, stderr)
}

/// Text a terminal shows safely: no control character but line ends, no bidi control.
fn terminal_safe(text: &str) -> Result<(), String> {
    match text.chars().find(|c| {
        (c.is_control() && *c != '\n')
            || matches!(*c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
    }) {
        Some(c) => Err(format!("{c:?} reaches the terminal")),
        None => Ok(()),
    }
}

/// A cell a spreadsheet would run as a formula (the list of output::runs_as_formula).
fn runs(cell: &str) -> bool {
    cell.starts_with([
        '=', '+', '-', '@', '\t', '\r', '\n', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}',
    ]) && !cell.parse::<f64>().is_ok_and(f64::is_finite)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn every_writer_keeps_hostile_text_and_disarms_it(
        names in proptest::collection::vec(hostile(), 3),
        extra_key in hostile(),
        extra_value in hostile(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let file = write_records(dir.path(), &names, &extra_key, &extra_value);
        let base = ["--draws", "0", "--quiet"];

        // Tables (appraise, rank) and whatever goes to standard error.
        for cmd in ["appraise", "rank"] {
            let (out, err) = run(&[&[cmd, file.as_str()][..], &base[..]].concat());
            let text = String::from_utf8(out).unwrap();
            prop_assert!(terminal_safe(&text).is_ok(), "{cmd}: {:?}", terminal_safe(&text));
            prop_assert!(terminal_safe(&err).is_ok(), "{cmd} stderr: {:?}", terminal_safe(&err));
        }

        // JSON keeps every name exactly.
        let (out, _) = run(&[&["appraise", file.as_str(), "--format", "json"][..], &base[..]].concat());
        let json: Value = serde_json::from_slice(&out).unwrap();
        let got: Vec<&str> = json["projects"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
        for n in &names {
            prop_assert!(got.contains(&n.trim()), "JSON lost {:?}", n);
        }

        // CSV: the same shape on every row, no cell that runs, the data behind the guard.
        let (out, _) = run(&[&["appraise", file.as_str(), "--format", "csv"][..], &base[..]].concat());
        let mut rdr = csv::ReaderBuilder::new().flexible(false).from_reader(out.as_slice());
        let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_owned).collect();
        for h in &header {
            prop_assert!(!runs(h), "header {:?} runs", h);
        }
        let name_col = header.iter().position(|h| h == "name").unwrap();
        let mut cells = Vec::new();
        for row in rdr.records() {
            let row = row.unwrap();
            prop_assert_eq!(row.len(), header.len());
            for cell in row.iter() {
                prop_assert!(!runs(cell), "cell {:?} runs", cell);
            }
            cells.push(row.iter().map(str::to_owned).collect::<Vec<_>>());
        }
        // Behind the guard, the name and the unknown column's value are the data as read.
        let guarded = |t: &str| if runs(t) { format!("'{t}") } else { t.to_owned() };
        for n in &names {
            let want = guarded(n.trim());
            prop_assert!(cells.iter().any(|r| r[name_col] == want), "CSV lost {:?}", n);
        }
        // An unknown column is carried as it is, untrimmed.
        let want = guarded(&extra_value);
        prop_assert!(cells.iter().all(|r| r.contains(&want)), "CSV lost the unknown value {:?}", extra_value);

        // The report (HTML), its GeoJSON layer and the QML style.
        let html_path = dir.path().join("r.html");
        let layer = dir.path().join("r.geojson");
        run(&[&["report", file.as_str(), "-o", html_path.to_str().unwrap(), "--geojson", layer.to_str().unwrap()][..], &base[..]].concat());
        let html = std::fs::read_to_string(&html_path).unwrap();
        // The what-if's own two scripts aside (its figures as JSON with no `<`, and its
        // code), no script reaches the page.
        let data_open = "<script type=\"application/json\" id=\"whatif-data\">";
        let code_open = "<script>// The report's what-if";
        prop_assert_eq!(html.matches(data_open).count(), 1);
        prop_assert_eq!(html.matches(code_open).count(), 1);
        let data = &html[html.find(data_open).unwrap() + data_open.len()..];
        prop_assert!(!data[..data.find("</script>").unwrap()].contains('<'), "markup in the what-if's figures");
        let rest = html.replace(data_open, "").replace(code_open, "");
        prop_assert!(!rest.contains("<script"), "markup of a name reached the report");
        prop_assert!(!html.contains("<img src=x"));
        for n in &names {
            let escaped = prospect::output::report::escape(n.trim());
            prop_assert!(html.contains(&escaped) || html.contains(&escaped.replace('\n', " ")), "report lost {:?}", n);
        }
        let geo: Value = serde_json::from_slice(&std::fs::read(&layer).unwrap()).unwrap();
        let feats = geo["features"].as_array().unwrap();
        for n in &names {
            prop_assert!(feats.iter().any(|f| f["properties"]["name"] == n.trim()), "GeoJSON lost {:?}", n);
        }
        let v = extra_value.as_str();
        let as_number = v.trim().parse::<f64>().ok().filter(|x| x.is_finite());
        prop_assert!(
            feats.iter().all(|f| f["properties"].as_object().unwrap().values().any(|p| p == v || (as_number.is_some() && p.as_f64() == as_number))),
            "GeoJSON lost the unknown column's value {:?}", extra_value
        );
        let qml = std::fs::read_to_string(layer.with_extension("qml")).unwrap();
        prop_assert_eq!(&qml, &prospect::output::geojson::qml(), "the style is fixed: no record reaches it");
        for n in &names {
            prop_assert!(!qml.contains(n.as_str()));
        }
    }
}
