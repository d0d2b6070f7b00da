//! The CSV reader on arbitrary bytes: problems, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use prospect::read::{InputFormat, visit_bytes};

fuzz_target!(|data: &[u8]| {
    visit_bytes("fuzz.csv", InputFormat::Csv, data, &mut |_| {});
});
