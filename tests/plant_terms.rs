//! The valuation on the assigned plant's terms (issue 16): a first allocation pass assigns
//! each project's output to a plant, and the appraisal prices the product there (its
//! tolling and the freight to it), with the share no plant outside China takes sold into
//! China at China's payable share of the basket.

use assert_cmd::cargo::cargo_bin_cmd;
use serde_json::Value;

const HEADER: &str = "id,name,country,regime,operator,lon,lat,deposit_type,stage,stage_year,permit_status,product_form,mine_life_y,annual_treo_t,annual_ndpr_t,annual_dytb_t,capex_musd,opex_musd_per_y,currency,remaining_life_y";

/// Two producing concentrate mines on the equator, 1 and 2 degrees east of one open plant
/// that separates 1,000 t/y NdPr (a reported output: no utilisation applies) at a
/// published toll of US$3/kg TREO; a port beside the farther mine.
fn world(dir: &std::path::Path) -> (String, String, String) {
    let records = dir.join("two.csv");
    std::fs::write(
        &records,
        format!(
            "{HEADER}\n\
             A,Near mine,GB,onshore,Alpha,1,0,carbonatite,production,2020,granted,concentrate,20,4000,800,0,300,40,USD,20\n\
             B,Far mine,GB,onshore,Beta,2,0,carbonatite,production,2020,granted,concentrate,20,4000,800,0,300,40,USD,20\n"
        ),
    )
    .unwrap();
    let plants = dir.join("plants.geojson");
    std::fs::write(
        &plants,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature",
        "geometry":{"type":"Point","coordinates":[0,0]},
        "properties":{"id":"P","name":"Plant P","country":"GB","kind":"separation",
        "status":"operating","start_year":2020,"access":"open","circuits":["light"],
        "feeds":["concentrate"],"toll_light_usd_per_kg":3,
        "capacity":[{"from":2020,"ndpr_t":1000,"basis":"output"}]}}]}"#,
    )
    .unwrap();
    let ports = dir.join("ports.geojson");
    std::fs::write(
        &ports,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature",
        "geometry":{"type":"Point","coordinates":[2,0]},
        "properties":{"name":"Port B","country":"GB"}}]}"#,
    )
    .unwrap();
    let s = |p: std::path::PathBuf| p.to_str().unwrap().to_owned();
    (s(records), s(plants), s(ports))
}

fn run(cmd: &str, files: &[&str], extra: &[&str]) -> Value {
    let out = cargo_bin_cmd!("prospect")
        .arg(cmd)
        .args(files)
        .args([
            "--format", "json", "--as-of", "2026", "--draws", "0", "--quiet",
        ])
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

fn project<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["projects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("no project {id}"))
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn the_farther_mine_is_priced_partly_at_the_plant_and_partly_in_china() {
    let dir = tempfile::tempdir().unwrap();
    let (records, plants, ports) = world(dir.path());
    let r = run(
        "appraise",
        &[&records],
        &["--plants", &plants, "--ports", &ports],
    );
    let (a, b) = (project(&r, "A"), project(&r, "B"));
    let (sa, sb) = (&a["separation"], &b["separation"]);
    // By hand: A is nearer (cheaper freight), so the plant takes all of A's 800 t NdPr and
    // 200 t of B's: B sells 600 / 800 = 75 % into China.
    assert_eq!(sa["plant"], "P");
    assert_eq!(sa["tier"], "third_party");
    assert_eq!(sa["basis"], "base");
    assert!(num(&sa["china_share"]).abs() < 1e-9, "{sa}");
    assert_eq!(sb["plant"], "P");
    assert!((num(&sb["china_share"]) - 0.75).abs() < 1e-9, "{sb}");
    // A's price: the separator's 95 % of the basket less the plant's published toll (US$3/kg
    // TREO; no Dy or Tb) and cracking (US$5/kg, a mineral concentrate).
    let basket = num(&a["basket_price_usd_per_kg"]);
    let at_plant = 0.95 * basket - 3.0 - 5.0;
    assert!((num(&sa["charges_usd_per_kg"]) - 8.0).abs() < 1e-9, "{sa}");
    assert!((num(&a["payable_price_usd_per_kg"]) - at_plant).abs() < 1e-6);
    // B's: a quarter at the plant, three quarters at China's 65 % of the same basket.
    assert_eq!(num(&b["basket_price_usd_per_kg"]), basket);
    let want_b = 0.25 * at_plant + 0.75 * 0.65 * basket;
    assert!(
        (num(&b["payable_price_usd_per_kg"]) - want_b).abs() < 1e-6,
        "{} vs {want_b}",
        b["payable_price_usd_per_kg"]
    );
    // Revenue at nameplate: 4,000 t TREO x the price.
    assert!((num(&b["annual_revenue_musd"]) - 4.0 * want_b).abs() < 1e-6);
    // Freight: A to the plant, 1 degree of the equator (111.32 km); B a quarter of its
    // 2 degrees to the plant and three quarters to the port at its gate (0 km).
    assert!((num(&sa["freight_km"]) - 111.32).abs() < 0.05, "{sa}");
    assert!(
        (num(&sb["freight_km"]) - 0.25 * 222.64).abs() < 0.05,
        "{sb}"
    );
    // B says so: a warning and an information factor that leaves its chance unchanged.
    let flag = |p: &Value| {
        p["risk_factors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["factor"] == "sold_to_china")
            .cloned()
    };
    let fb = flag(b).expect("B carries sold_to_china");
    assert_eq!(num(&fb["multiplier"]), 1.0);
    assert!(
        fb["reason"]
            .as_str()
            .unwrap()
            .starts_with("75 % of its output")
    );
    assert!(flag(a).is_none());
    assert!(b["warnings"].as_array().unwrap().iter().any(|w| {
        w.as_str()
            .unwrap()
            .contains("no separation plant outside China")
    }));
    let logistics = |p: &Value| num(&p["provenance"]["logistics_musd_per_y"]["value"]);
    assert!((logistics(b) / logistics(a) - 0.5).abs() < 1e-3);
}

#[test]
fn without_the_plant_both_mines_sell_into_china_and_nearest_plant_pricing_is_kept_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let (records, plants, ports) = world(dir.path());
    let none = run(
        "appraise",
        &[&records],
        &["--plants", &plants, "--ports", &ports, "--drop-plant", "P"],
    );
    for id in ["A", "B"] {
        let p = project(&none, id);
        let s = &p["separation"];
        assert!(s["plant"].is_null(), "{s}");
        assert_eq!(num(&s["china_share"]), 1.0);
        let want = 0.65 * num(&p["basket_price_usd_per_kg"]);
        assert!((num(&p["payable_price_usd_per_kg"]) - want).abs() < 1e-6);
    }
    // --nearest-plant: no allocation, no separation terms, the nearest plant's freight.
    let near = run(
        "appraise",
        &[&records],
        &["--plants", &plants, "--ports", &ports, "--nearest-plant"],
    );
    let b = project(&near, "B");
    assert!(b["separation"].is_null());
    assert!(
        (num(&b["nearest_separation_plant"]["distance_km"]) - 222.64).abs() < 0.05,
        "{}",
        b["nearest_separation_plant"]
    );
}

#[test]
fn the_timeline_allocates_as_the_valuation_assumed() {
    // The second appraisal (on the plants' terms) allocates exactly as the first did: the
    // terms the timeline reports are the terms every project was valued on.
    let files = ["samples/projects.csv"];
    let r = run("appraise", &files, &[]);
    let t = run("timeline", &files, &[]);
    let mut compared = 0;
    for line in t["projects"].as_array().unwrap() {
        let p = project(&r, line["id"].as_str().unwrap());
        let (s, u) = (&line["separation_terms"], &p["separation"]);
        if u.is_null() {
            // Not valued as rare earths on a plant (the seabed mud values its own plant).
            continue;
        }
        for k in [
            "year",
            "plant",
            "tier",
            "basis",
            "china_share",
            "distance_km",
        ] {
            assert_eq!(s[k], u[k], "{}: {k}", line["id"]);
        }
        compared += 1;
    }
    assert!(compared >= 20, "{compared}");
    // An entrant (outside the base case) is still valued on a plant's terms.
    let hal = project(&r, "HAL");
    assert_eq!(hal["separation"]["basis"], "entrant");
}
