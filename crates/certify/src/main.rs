use std::process::ExitCode;

fn main() -> ExitCode {
    certify::cli::main()
}
