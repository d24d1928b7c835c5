//! mg as a Jupyter kernel: `mgrad kernel install | uninstall | status | run`.
//!
//! Part of the shell layer (it does I/O: sockets, threads, files), behind the
//! `jupyter` cargo feature. The library gives it a `Session` with `run_cell`,
//! `complete` and `inspect`; the kernel speaks the messaging protocol around it.
//!
//! - `wire.rs`: the connection file, message frames, HMAC signatures, headers.
//! - `server.rs`: the sockets and their tasks; `runner.rs`: the session's thread.
//! - `mime.rs`, `protocol.rs`: what outputs and replies contain (pure functions).
//! - `install.rs`: the kernelspec.

mod install;
mod mime;
mod protocol;
mod runner;
mod server;
mod wire;

use std::path::PathBuf;

use clap::{Args, Subcommand};
use mgrad::limits::Limits;

use install::{DEFAULT_DISPLAY_NAME, DEFAULT_NAME, Env, Place};

#[derive(Subcommand, Debug)]
pub(crate) enum KernelCommand {
    /// Register mg as a Jupyter kernel: writes its kernelspec (no Python needed). Limits
    /// given here (--time-limit, --sandbox, …) apply to every cell of its notebooks.
    Install {
        #[command(flatten)]
        place: PlaceArgs,
        /// The kernel's name, as `jupyter --kernel_name` takes it.
        #[arg(long, default_value = DEFAULT_NAME)]
        name: String,
        /// The name notebooks show in their kernel menus.
        #[arg(long, default_value = DEFAULT_DISPLAY_NAME)]
        display_name: String,
    },
    /// Remove the kernelspec that `install` wrote.
    Uninstall {
        #[command(flatten)]
        place: PlaceArgs,
        #[arg(long, default_value = DEFAULT_NAME)]
        name: String,
    },
    /// Say where Jupyter finds the mg kernel, and which mgrad it runs.
    Status {
        #[arg(long, default_value = DEFAULT_NAME)]
        name: String,
    },
    /// Run the kernel (Jupyter does this, with the connection file it wrote).
    Run {
        #[arg(long, value_name = "FILE")]
        connection_file: PathBuf,
    },
}

/// Where a kernelspec goes; the user's Jupyter data dir by default.
#[derive(Args, Debug)]
#[group(multiple = false)]
pub(crate) struct PlaceArgs {
    /// In your own Jupyter data dir (the default).
    #[arg(long)]
    user: bool,
    /// In the active Python environment (VIRTUAL_ENV or CONDA_PREFIX), where its Jupyter looks.
    #[arg(long)]
    sys_prefix: bool,
    /// In PREFIX/share/jupyter/kernels.
    #[arg(long, value_name = "PREFIX")]
    prefix: Option<PathBuf>,
}

impl PlaceArgs {
    fn place(&self) -> Place {
        match (&self.prefix, self.sys_prefix) {
            (Some(prefix), _) => Place::Prefix(prefix.clone()),
            (None, true) => Place::SysPrefix,
            (None, false) => Place::User,
        }
    }
}

/// Runs a `mgrad kernel` command; returns the exit status. The kernel's session runs
/// under `limits` (`mgrad kernel run --time-limit 60 --sandbox …`).
pub(crate) fn main(command: KernelCommand, limits: &Limits) -> u8 {
    let env = Env::real();
    let outcome = match command {
        KernelCommand::Install {
            place,
            name,
            display_name,
        } => install::install(&place.place(), &name, &display_name, limits, &env).map(|text| (text, true)),
        KernelCommand::Uninstall { place, name } => {
            install::uninstall(&place.place(), &name, &env).map(|text| (text, true))
        }
        KernelCommand::Status { name } => install::status(&name, &env),
        KernelCommand::Run { connection_file } => wire::ConnectionInfo::read(&connection_file)
            .and_then(|info| server::serve(info, limits.clone(), traceback_colour()))
            .map(|()| (String::new(), true)),
    };
    match outcome {
        Ok((text, ok)) => {
            crate::write_stdout(&text);
            u8::from(!ok)
        }
        Err(message) => {
            eprintln!("mgrad kernel: {message}");
            1
        }
    }
}

/// Tracebacks are coloured (notebooks show ANSI colours) unless `NO_COLOR` is set.
fn traceback_colour() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
}
