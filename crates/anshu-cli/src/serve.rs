//! `anshu serve` and `anshu audit`: argument parsing and wiring; the console is `anshu-server`.

use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

#[derive(Args)]
pub struct ServeArgs {
    /// Address and port to listen on (loopback by default; put TLS in front for any other).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    listen: String,
    /// The catalog: a SQLite file (default: in the user's data directory) or a postgres:// URL.
    #[arg(long, value_name = "PATH_OR_URL", env = "ANSHU_CATALOG")]
    catalog: Option<String>,
    /// Classification rule pack for reviews.
    #[arg(long, default_value = "gbt43697", value_name = "ID")]
    pack: String,
    /// The masking key file (`anshu key new`) for masks and shares started from the console.
    #[arg(long, value_name = "FILE", env = "ANSHU_KEY_FILE")]
    key_file: Option<std::path::PathBuf>,
    /// Do not mark the session cookie `Secure` (only for plain HTTP on a non-loopback address
    /// in a trusted network; prefer TLS).
    #[arg(long)]
    insecure_cookies: bool,
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the audit log's hash chain.
    Verify {
        #[arg(long, value_name = "PATH_OR_URL", env = "ANSHU_CATALOG")]
        catalog: Option<String>,
    },
}

pub fn serve(a: ServeArgs) -> Result<ExitCode> {
    let target = crate::inventory::catalog_target(a.catalog.as_deref())?;
    let pack = crate::load_pack(&a.pack, None)?;
    // The key that encrypts stored credentials lives beside a SQLite catalog, else in the
    // user's data directory.
    let console_key = if target.starts_with("postgres://") || target.starts_with("postgresql://") {
        let default = crate::inventory::catalog_target(None)?;
        std::path::Path::new(&default).with_file_name("console.key")
    } else {
        std::path::Path::new(target.strip_prefix("sqlite://").unwrap_or(&target))
            .with_file_name("console.key")
    };
    let started = anshu_server::start(anshu_server::Config {
        catalog: target.clone(),
        pack,
        admin_password: std::env::var("ANSHU_ADMIN_PASSWORD").ok(),
        secure_cookies: !a.insecure_cookies,
        scanner: std::env::current_exe().ok(),
        console_key,
        key_file: a.key_file.clone(),
    })
    .with_context(|| {
        format!(
            "cannot start the console on {}",
            anshu_inventory::redact_url(&target)
        )
    })?;
    if let Some(p) = &started.one_time_password {
        eprintln!("anshu: first start: created user admin with the one-time password {p}");
        eprintln!(
            "anshu: it is shown only now; create named accounts and keep this one for emergencies"
        );
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(&a.listen)
            .await
            .with_context(|| format!("cannot listen on {}", a.listen))?;
        let addr = listener.local_addr()?;
        eprintln!(
            "anshu: console on http://{addr}/ (catalog {})",
            anshu_inventory::redact_url(&target)
        );
        anshu_server::serve(listener, started.app).await?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn audit(cmd: AuditCommand) -> Result<ExitCode> {
    match cmd {
        AuditCommand::Verify { catalog } => {
            let target = crate::inventory::catalog_target(catalog.as_deref())?;
            let mut c = anshu_inventory::Catalog::open(&target)?;
            let r = c.verify_audit()?;
            println!("{}", r.message);
            Ok(if r.broken_at.is_some() {
                ExitCode::from(3)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}
