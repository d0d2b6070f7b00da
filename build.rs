//! Finds the outside tools that some tests drive (GDAL's `ogrinfo`, Chromium), so that a
//! test whose tool is missing is reported by `cargo test` as ignored, with the reason,
//! instead of passing silently. Under CI (the `CI` environment variable set and not
//! `false` or `0`) nothing is ignored: a missing tool fails its test, so the count of
//! tests run in CI never falls because a tool was absent. The library itself does not
//! use these flags.

use std::env;
use std::path::PathBuf;

/// The directories of `PATH`.
fn path_dirs() -> Vec<PathBuf> {
    env::var_os("PATH")
        .map(|p| env::split_paths(&p).collect())
        .unwrap_or_default()
}

fn on_path(names: &[&str]) -> bool {
    path_dirs()
        .iter()
        .any(|dir| names.iter().any(|n| dir.join(n).is_file()))
}

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rustc-check-cfg=cfg(missing_ogrinfo)");
    println!("cargo::rustc-check-cfg=cfg(missing_chromium)");
    println!("cargo::rustc-check-cfg=cfg(missing_playwright)");
    println!("cargo::rerun-if-changed=tests/browser");
    let ci = env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    if ci {
        return;
    }
    let mut missing = false;
    if !on_path(&["ogrinfo"]) {
        println!("cargo::rustc-cfg=missing_ogrinfo");
        missing = true;
    }
    if !on_path(&["chromium", "chromium-browser"]) {
        println!("cargo::rustc-cfg=missing_chromium");
        missing = true;
    }
    // The report's what-if test drives Chromium with Playwright: Node and the package that
    // `npm ci --prefix tests/browser` installs (.ci/run does).
    let playwright =
        std::path::Path::new("tests/browser/node_modules/playwright-core/package.json");
    if !on_path(&["node"]) || !playwright.is_file() || !on_path(&["chromium", "chromium-browser"]) {
        println!("cargo::rustc-cfg=missing_playwright");
        missing = true;
    }
    // A tool installed later should un-ignore its test: look again when a directory of
    // PATH changes.
    if missing {
        for dir in path_dirs().iter().filter(|d| d.is_absolute() && d.is_dir()) {
            println!("cargo::rerun-if-changed={}", dir.display());
        }
    }
}
