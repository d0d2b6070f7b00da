//! Usage errors in the user's terms. clap reads a value that starts with `-` after a flag
//! (`--horizon -5`) as another flag and suggests `-- -5`, which would make `-5` an input
//! file; the value is given as `--horizon=-5`. This module puts the right hint in place.

use std::ffi::OsString;

use clap::error::{ContextKind, ContextValue, ErrorKind};

/// The flag before `value` on the command line, when it is an option of the chosen
/// command that takes a value, and the whole argument `value` came from (clap names
/// only `-n` of `-ndpr`): the hint writes them `FLAG=ARGUMENT`.
fn flag_wanting(value: &str, argv: &[OsString], cmd: &clap::Command) -> Option<(String, String)> {
    let args: Vec<String> = argv
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let short_cluster =
        |a: &String| value.len() == 2 && !a.starts_with("--") && a.starts_with(value);
    let at = args
        .iter()
        .position(|a| a == value)
        .or_else(|| args.iter().position(short_cluster))?;
    let flag = args.get(at.checked_sub(1)?)?;
    if flag.contains('=') || !flag.starts_with('-') || flag == "--" {
        return None;
    }
    // The command whose options these are: the first argument that names one.
    let sub = args[1..at]
        .iter()
        .find_map(|a| cmd.find_subcommand(a))
        .unwrap_or(cmd);
    let arg = sub.get_arguments().find(|arg| match flag.strip_prefix("--") {
        Some(long) => arg.get_long() == Some(long),
        None => {
            let mut chars = flag[1..].chars();
            matches!((chars.next(), chars.next()), (Some(c), None) if arg.get_short() == Some(c))
        }
    })?;
    arg.get_action()
        .takes_values()
        .then(|| (flag.clone(), args[at].clone()))
}

/// Whether `text` reads as a number (`-5`, `-0.5`, `-1e3`, `-8%`).
fn numeric(text: &str) -> bool {
    text.trim_end_matches('%').parse::<f64>().is_ok()
}

/// The text of a usage error, with the hint for a value that starts with `-` given after
/// a flag: `--flag=-5`, not clap's `-- -5`. `None` when clap's own text is right.
pub fn hinted(err: &clap::Error, argv: &[OsString], cmd: &clap::Command) -> Option<String> {
    if err.kind() != ErrorKind::UnknownArgument {
        return None;
    }
    let Some(ContextValue::String(value)) = err.get(ContextKind::InvalidArg) else {
        return None;
    };
    let (flag, value) = flag_wanting(value, argv, cmd)?;
    let what = if numeric(&value) {
        "the number"
    } else {
        "the value"
    };
    let tip = format!(
        "  tip: to give {what} {value} to {flag}, write {flag}={value} (after a space, a value starting with '-' reads as another flag)"
    );
    let text = err.render().to_string();
    let mut lines: Vec<String> = Vec::new();
    let mut placed = false;
    for line in text.lines() {
        if line.trim_start().starts_with("tip:") {
            // clap's `-- -5` would make the value an input file.
            if !placed {
                lines.push(tip.clone());
                placed = true;
            }
            continue;
        }
        lines.push(line.to_owned());
        if !placed && line.starts_with("error:") {
            lines.push(String::new());
            lines.push(tip.clone());
            placed = true;
        }
    }
    // One blank line between blocks, whichever way the tip came in.
    lines.dedup_by(|a, b| a.is_empty() && b.is_empty());
    Some(lines.join("\n") + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, ArgAction, Command};

    fn cmd() -> Command {
        Command::new("prospect").subcommand(
            Command::new("timeline")
                .arg(Arg::new("files").num_args(1..))
                .arg(Arg::new("horizon").long("horizon"))
                .arg(Arg::new("output").long("output").short('o'))
                .arg(
                    Arg::new("quiet")
                        .long("quiet")
                        .short('q')
                        .action(ArgAction::SetTrue),
                ),
        )
    }

    fn hint(args: &[&str]) -> Option<String> {
        let argv: Vec<OsString> = args.iter().map(OsString::from).collect();
        let err = cmd().try_get_matches_from(&argv).err()?;
        hinted(&err, &argv, &cmd())
    }

    #[test]
    fn a_negative_value_after_a_flag_is_written_flag_equals_value() {
        let h = hint(&["prospect", "timeline", "x.csv", "--horizon", "-5"]).unwrap();
        assert!(h.contains("write --horizon=-5"), "{h}");
        assert!(!h.contains("-- -5"), "{h}");
        let h = hint(&["prospect", "timeline", "x.csv", "-o", "-x"]).unwrap();
        assert!(h.contains("the value -x to -o, write -o=-x"), "{h}");
    }

    #[test]
    fn no_hint_after_a_switch_or_for_a_stray_argument() {
        // -q takes no value, so -5 is a stray argument: clap's text stands.
        assert_eq!(hint(&["prospect", "timeline", "x.csv", "-q", "-5"]), None);
        assert_eq!(hint(&["prospect", "timeline", "-5"]), None);
    }
}
