use std::process::ExitCode;

fn main() -> ExitCode {
    dxpx::cli::main()
}
