//! The assumptions parser and merge on arbitrary TOML: an error or valid assumptions.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(a) = prospect::assumptions::Assumptions::with_override("fuzz.toml", text) {
            // Valid assumptions resolve every scenario.
            for name in a.scenarios.keys() {
                let _ = a.prices(name);
            }
        }
    }
});
