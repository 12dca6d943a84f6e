//! The `dastak-lab` binary: see [`dastak_lab::cli`].

fn main() -> std::process::ExitCode {
    dastak_lab::cli::run()
}
