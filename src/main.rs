//! The `dastak` binary: everything lives in the library; see `dastak::cli`.

fn main() -> std::process::ExitCode {
    dastak::cli::run()
}
