//! `prospect completions SHELL` and `prospect man`: shell completions and man pages,
//! generated from the command line's own definition (clap_complete, clap_mangen), so that
//! they can never disagree with `--help`.

use std::path::PathBuf;

use anyhow::{Context as _, Result};

use super::emit;

#[derive(clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
    /// Write to this file (atomically) instead of standard output (`-`: standard output).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// No note on standard error of where the script goes (the script is still written).
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(clap::Args)]
pub struct ManArgs {
    /// Write every page (prospect.1 and one per command, prospect-appraise.1 ...) into
    /// this folder, each atomically, instead of prospect.1 to standard output.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// No summary line on standard error when writing a folder.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Where each shell looks for a completion script (for the note on standard error).
fn install_note(shell: clap_complete::Shell) -> &'static str {
    use clap_complete::Shell;
    match shell {
        Shell::Bash => {
            "bash: save as ~/.local/share/bash-completion/completions/prospect, or `source <(prospect completions bash)` in ~/.bashrc"
        }
        Shell::Zsh => "zsh: save as _prospect in a folder of $fpath, then run compinit",
        Shell::Fish => "fish: save as ~/.config/fish/completions/prospect.fish",
        Shell::Elvish => "elvish: `eval (prospect completions elvish | slurp)` in rc.elv",
        Shell::PowerShell => {
            "PowerShell: `prospect completions powershell | Out-String | Invoke-Expression` in $PROFILE"
        }
        _ => "see your shell's documentation for where completion scripts go",
    }
}

pub fn run_completions(args: CompletionsArgs, mut cmd: clap::Command) -> Result<u8> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "prospect", &mut script);
    emit(args.output.as_deref(), |w| w.write_all(&script))?;
    if !args.quiet {
        eprintln!("prospect: {}", install_note(args.shell));
    }
    Ok(0)
}

/// The man page of `cmd` (roff).
fn page(cmd: clap::Command) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd)
        .source(format!("prospect {}", env!("CARGO_PKG_VERSION")))
        .manual("prospect manual")
        .render(&mut out)?;
    Ok(out)
}

pub fn run_man(args: ManArgs, cmd: clap::Command) -> Result<u8> {
    let mut cmd = cmd.disable_help_subcommand(true);
    // Building names the commands' pages prospect-appraise and so on.
    cmd.build();
    let Some(dir) = args.dir else {
        let top = page(cmd)?;
        emit(None, |w| w.write_all(&top))?;
        return Ok(0);
    };
    if !dir.is_dir() {
        anyhow::bail!(
            "--dir {}: no such folder (create it first)",
            prospect::output::printable(&dir.display().to_string())
        );
    }
    let mut pages = vec![cmd.clone()];
    pages.extend(cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned());
    for p in &pages {
        let name = clap_mangen::Man::new(p.clone()).get_filename();
        let path = dir.join(&name);
        let bytes = page(p.clone())?;
        prospect::output::write_atomic(&path, &bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if !args.quiet {
        eprintln!(
            "prospect: wrote {} man pages to {} (read one with `man -l {}`)",
            pages.len(),
            dir.display(),
            dir.join("prospect.1").display()
        );
    }
    Ok(0)
}
