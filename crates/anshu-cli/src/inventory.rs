//! `anshu inventory …`: argument parsing and printing for the catalog; the work is done by
//! anshu-inventory.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};

use anshu_classify::RulePack;
use anshu_inventory::{Catalog, ExportFormat, ExportKind, Filter, Review};

#[derive(Args)]
pub struct InventoryArgs {
    /// The catalog: a SQLite file or a postgres:// URL (default: the user's data directory;
    /// also from ANSHU_CATALOG).
    #[arg(
        long,
        global = true,
        env = "ANSHU_CATALOG",
        value_name = "PATH_OR_URL",
        hide_env_values = true
    )]
    catalog: Option<String>,
    #[command(subcommand)]
    command: InventoryCommand,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Fmt {
    Table,
    Json,
}

#[derive(Args)]
struct FilterArgs {
    /// Only this level (e.g. general-4, important).
    #[arg(long)]
    level: Option<String>,
    /// Only assets or columns holding this type (e.g. cn_resident_id).
    #[arg(long = "type", value_name = "TYPE")]
    type_id: Option<String>,
    /// Only sources or paths containing this text.
    #[arg(long)]
    source: Option<String>,
    /// Include assets and columns that are no longer present.
    #[arg(long)]
    all: bool,
}

impl FilterArgs {
    fn filter(&self) -> Filter {
        Filter {
            level: self.level.clone(),
            type_id: self.type_id.clone(),
            source: self.source.clone(),
            include_removed: self.all,
        }
    }
}

#[derive(Subcommand)]
enum InventoryCommand {
    /// List assets (default), columns or sources.
    List {
        #[command(flatten)]
        filter: FilterArgs,
        /// List columns instead of assets.
        #[arg(long, conflicts_with = "sources")]
        columns: bool,
        /// List data sources with people counts and important-data status.
        #[arg(long)]
        sources: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: Fmt,
    },
    /// Show one asset (by id or path) with its columns, reasons and history.
    Show {
        asset: String,
        #[arg(long)]
        table: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Fmt,
    },
    /// What changed: in the last scan (default), one scan, or every scan after one.
    Diff {
        #[arg(long, conflicts_with = "since")]
        scan: Option<i64>,
        #[arg(long)]
        since: Option<i64>,
        #[arg(long, value_enum, default_value = "table")]
        format: Fmt,
    },
    /// Confirm or override a column's types, category or level, with a reason.
    Review {
        /// The file (or asset path) as scanned.
        path: String,
        #[arg(long)]
        column: String,
        /// The table or sheet, when the file has several.
        #[arg(long)]
        table: Option<String>,
        /// Confirm the detection as it is.
        #[arg(long)]
        confirm: bool,
        /// Replace the detected types (comma-separated; empty for none).
        #[arg(long, value_delimiter = ',', num_args = 0..)]
        types: Option<Vec<String>>,
        #[arg(long)]
        level: Option<String>,
        #[arg(long)]
        category: Option<String>,
        #[arg(long)]
        sensitive: Option<bool>,
        /// Remove an earlier override.
        #[arg(long)]
        clear: bool,
        /// Why (required; kept in the audit trail).
        #[arg(long)]
        reason: String,
        /// Who reviews (default: $USER).
        #[arg(long)]
        reviewer: Option<String>,
    },
    /// Export the inventory, the important-data catalogue or a summary by level.
    Export {
        #[arg(long, value_enum, default_value = "inventory")]
        kind: KindArg,
        #[arg(long, value_enum, default_value = "xlsx")]
        format: FormatArg,
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum KindArg {
    Inventory,
    Important,
    Summary,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Csv,
    Xlsx,
    Json,
}

/// The catalog to use: the option, else the user's data directory.
pub fn catalog_target(opt: Option<&str>) -> Result<String> {
    if let Some(t) = opt {
        return Ok(t.to_owned());
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .context("no --catalog given and neither XDG_DATA_HOME nor HOME is set")?;
    Ok(base.join("anshu").join("catalog.db").display().to_string())
}

/// How a data source or file is identified in the inventory: a database by its redacted URL,
/// a file or directory by its canonical absolute path (so scans from another working directory
/// find the same assets).
pub fn source_key(s: &str) -> String {
    if anshu_scan::is_database_url(s) {
        s.to_owned()
    } else {
        canonical(Path::new(s))
    }
}

/// The stable identity of a path: absolute and canonical when it exists.
pub fn canonical(p: &Path) -> String {
    std::fs::canonicalize(p)
        .map(|c| c.display().to_string())
        .unwrap_or_else(|_| anshu_source::display_path(p))
}

fn print_json<T: serde::Serialize>(v: &T) -> Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

pub fn run(args: InventoryArgs) -> Result<ExitCode> {
    let target = catalog_target(args.catalog.as_deref())?;
    let mut cat = Catalog::open(&target)?;
    let mut out = io::stdout().lock();
    match args.command {
        InventoryCommand::List {
            filter,
            columns,
            sources,
            format,
        } => {
            let f = filter.filter();
            if sources {
                let rows = cat.sources(&f)?;
                if format == Fmt::Json {
                    return print_json(&rows).map(|_| ExitCode::SUCCESS);
                }
                for s in rows {
                    writeln!(
                        out,
                        "{:<4} {}  {}{}  people {}{}  assets {}  rows {}",
                        s.id,
                        s.uri,
                        s.level_name,
                        if s.important { "  重要数据" } else { "" },
                        s.people.unwrap_or(0),
                        if s.people_exact { "" } else { " (estimate)" },
                        s.assets,
                        s.rows
                    )?;
                }
            } else if columns {
                let rows = cat.columns(&f, None)?;
                if format == Fmt::Json {
                    return print_json(&rows).map(|_| ExitCode::SUCCESS);
                }
                for c in rows {
                    writeln!(
                        out,
                        "{:<5} {} [{}] {}  {}{}  {}{}",
                        c.id,
                        c.path,
                        c.table,
                        c.column,
                        c.level_name,
                        if c.sensitive { " 敏感" } else { "" },
                        c.types.join(","),
                        if c.overridden { "  (override)" } else { "" }
                    )?;
                }
            } else {
                let rows = cat.assets(&f)?;
                if format == Fmt::Json {
                    return print_json(&rows).map(|_| ExitCode::SUCCESS);
                }
                for a in rows {
                    writeln!(
                        out,
                        "{:<4} {} [{}]  {}{}  rows {}  people {}  {}",
                        a.id,
                        a.path,
                        a.name,
                        a.level_name,
                        if a.sensitive { " 敏感" } else { "" },
                        a.rows.unwrap_or(0),
                        a.people
                            .map(|p| p.to_string())
                            .unwrap_or_else(|| "-".into()),
                        a.types.join(",")
                    )?;
                }
            }
        }
        InventoryCommand::Show {
            asset,
            table,
            format,
        } => {
            let a = cat.find_asset(&asset, table.as_deref())?;
            let cols = cat.columns(
                &Filter {
                    include_removed: true,
                    ..Default::default()
                },
                Some(a.id),
            )?;
            let hist = cat.asset_history(a.id)?;
            if format == Fmt::Json {
                return print_json(
                    &serde_json::json!({"asset": a, "columns": cols, "history": hist}),
                )
                .map(|_| ExitCode::SUCCESS);
            }
            writeln!(out, "{} [{}]  (asset {})", a.path, a.name, a.id)?;
            writeln!(
                out,
                "  level {}{}  category {}  rows {}  people {}{}",
                a.level_name,
                if a.sensitive {
                    " 敏感个人信息"
                } else {
                    ""
                },
                a.category.as_deref().unwrap_or("-"),
                a.rows.unwrap_or(0),
                a.people
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "-".into()),
                a.identifier
                    .as_deref()
                    .map(|i| format!(" (by {i})"))
                    .unwrap_or_default()
            )?;
            for r in a.reasons.as_array().into_iter().flatten() {
                writeln!(out, "    why: {}", r["text"].as_str().unwrap_or(""))?;
            }
            writeln!(
                out,
                "  first seen {}, last seen {}{}",
                a.first_seen,
                a.last_seen,
                if a.present { "" } else { " (removed)" }
            )?;
            writeln!(out, "  columns:")?;
            for c in cols {
                writeln!(
                    out,
                    "    {:<20} {:<14} {}{}{}",
                    c.column,
                    c.level_name,
                    c.types.join(","),
                    if c.overridden {
                        format!(
                            "  (override by {}: {})",
                            c.reviewed_by.unwrap_or_default(),
                            c.review_reason.unwrap_or_default()
                        )
                    } else if c.review.as_deref() == Some("confirmed") {
                        "  (confirmed)".to_owned()
                    } else {
                        String::new()
                    },
                    if c.present { "" } else { "  (removed)" }
                )?;
            }
            writeln!(out, "  history:")?;
            for h in hist {
                writeln!(
                    out,
                    "    {} {} {} {} → {}",
                    h.at,
                    h.change,
                    h.column.unwrap_or_default(),
                    h.old.unwrap_or_default(),
                    h.new.unwrap_or_default()
                )?;
            }
        }
        InventoryCommand::Diff {
            scan,
            since,
            format,
        } => {
            let changes = cat.diff(scan, since)?;
            if format == Fmt::Json {
                return print_json(&changes).map(|_| ExitCode::SUCCESS);
            }
            if changes.is_empty() {
                writeln!(out, "no changes")?;
            }
            for c in changes {
                writeln!(
                    out,
                    "{} #{} {:<16} {} {} {} → {}",
                    c.at,
                    c.scan_id
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| "review".into()),
                    c.change,
                    c.asset,
                    c.column.unwrap_or_default(),
                    c.old.unwrap_or_default(),
                    c.new.unwrap_or_default()
                )?;
            }
        }
        InventoryCommand::Review {
            path,
            column,
            table,
            confirm,
            types,
            level,
            category,
            sensitive,
            clear,
            reason,
            reviewer,
        } => {
            if !confirm
                && !clear
                && types.is_none()
                && level.is_none()
                && category.is_none()
                && sensitive.is_none()
            {
                bail!("say what the review decides: --confirm, --clear, or one of --types/--level/--category/--sensitive");
            }
            let abs = canonical(Path::new(&path));
            let id = cat
                .find_column(&abs, table.as_deref(), &column)
                .or_else(|_| cat.find_column(&path, table.as_deref(), &column))?;
            // Regrade with the pack the asset was graded with.
            let pack_id = cat
                .find_asset(&abs, table.as_deref())
                .or_else(|_| cat.find_asset(&path, table.as_deref()))
                .ok()
                .and_then(|a| a.pack)
                .unwrap_or_else(|| "gbt43697".into());
            let pack = RulePack::builtin(&pack_id).or_else(|_| RulePack::builtin("gbt43697"))?;
            let reviewer = reviewer
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_else(|| "unknown".into());
            cat.review(
                id,
                &Review {
                    reviewer,
                    reason,
                    types: types.map(|t| t.into_iter().filter(|x| !x.is_empty()).collect()),
                    category,
                    level,
                    sensitive,
                    confirm,
                    clear,
                    at: crate::rfc3339_now(),
                },
                &pack,
            )?;
            writeln!(out, "reviewed column {column} of {path}")?;
        }
        InventoryCommand::Export {
            kind,
            format,
            output,
        } => {
            let n = anshu_inventory::export(
                &mut cat,
                match kind {
                    KindArg::Inventory => ExportKind::Inventory,
                    KindArg::Important => ExportKind::Important,
                    KindArg::Summary => ExportKind::Summary,
                },
                match format {
                    FormatArg::Csv => ExportFormat::Csv,
                    FormatArg::Xlsx => ExportFormat::Xlsx,
                    FormatArg::Json => ExportFormat::Json,
                },
                &output,
            )?;
            eprintln!("anshu: wrote {n} row(s) to {}", output.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
