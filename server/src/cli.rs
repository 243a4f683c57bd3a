//! The command line: `wxpay-server serve [--sandbox …] | doctor | demo [v2|v3]`, each setting also read from its
//! environment variable (see [`Config`]).

use std::net::SocketAddr;

use clap::{Parser, Subcommand};

use crate::Config;

/// WeChat Pay v2 mini-program server
#[derive(Parser)]
#[command(name = "wxpay-server", version)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand)]
pub enum Command {
    /// Run the payment server.
    Serve {
        /// The settings (each also from its environment variable).
        #[command(flatten)]
        config: Box<Config>,
        /// Start the WeChat Pay simulator in-process and wire the server to it (for WeChat
        /// devtools); credentials not given are generated. Needs the feature `sandbox`.
        #[arg(long)]
        sandbox: bool,
        /// With --sandbox: where the simulator listens (default: a free loopback port), so that
        /// the mini-program's `config.sandboxUrl` stays the same across restarts.
        #[arg(long, env = "WXPAY_SANDBOX_LISTEN", requires = "sandbox")]
        sandbox_listen: Option<SocketAddr>,
        /// With --sandbox: use DATABASE_URL even if it holds a live database (one `serve` has
        /// used, or with orders of unknown origin). Without DATABASE_URL the sandbox uses a fresh
        /// SQLite file in its temporary directory.
        #[arg(long, env = "WXPAY_SANDBOX_ALLOW_LIVE_DATABASE", requires = "sandbox")]
        sandbox_allow_live_database: bool,
    },
    /// Check the settings `serve` reads against the configured WeChat Pay (real, or wxpay-sim):
    /// one line per finding, in Chinese and English, with the fix; exit 0 only when all pass.
    Doctor {
        /// The settings (each also from its environment variable).
        #[command(flatten)]
        config: Box<Config>,
    },
    /// Walk through a purchase: simulator + server on SQLite in a temporary directory. Needs
    /// the feature `sandbox`.
    Demo {
        /// `v2` (default) or `v3`: the API the merchant speaks.
        #[arg(default_value = "v2", value_parser = ["v2", "v3"])]
        api: String,
    },
}
