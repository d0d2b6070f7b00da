//! The --target, --budget and --weight parsers on arbitrary text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = text.parse::<prospect::portfolio::timeline::Target>();
        let _ = prospect::portfolio::plan::parse_budget(text);
        let base = std::collections::BTreeMap::from([("value".to_owned(), 1.0)]);
        let _ = prospect::portfolio::rank::Weights::with_overrides(&base, &[text.to_owned()]);
    }
});
