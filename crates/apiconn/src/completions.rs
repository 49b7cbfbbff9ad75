//! `apiconn completions SHELL`: the completion script of the shell, from clap_complete.

use clap::CommandFactory as _;

use crate::Outcome;
use crate::cli::Cli;

/// Print the completion script of `shell` on standard output.
pub fn run(shell: clap_complete::Shell) -> Outcome {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "apiconn", &mut std::io::stdout());
    Ok(())
}
