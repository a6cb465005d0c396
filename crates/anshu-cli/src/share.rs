//! `anshu share`, `anshu trace` and `anshu shares`: argument parsing, the share registry and
//! reporting. The mark scheme is `anshu-mark`'s; the copy is made by `anshu-copy` (the masking
//! pipeline with a mark stage) and the registry is `anshu-inventory`'s catalog.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;
use serde::Serialize;

use anshu_copy::masking::{self, MarkSetup, MaskStats};
use anshu_inventory::{Catalog, Share};
use anshu_mark::{Candidate, MarkParams, ShareKey, Trace, Tracer, SCHEME};

use crate::mask::{self, MaskArgs, SummaryFormat};

#[derive(Args)]
pub struct ShareArgs {
    /// The file, or database URL (postgres://, mysql://, sqlite://), to share.
    #[arg(value_name = "PATH|URL")]
    path: String,
    /// Who receives the copy (a partner, a department, an outsourcer): named in the registry
    /// and by `anshu trace`.
    #[arg(long = "to", value_name = "RECIPIENT")]
    to: String,
    /// The copy to write: a file (same format as the input; never overwritten), or a database
    /// URL of the same engine for a database.
    #[arg(short, long, value_name = "FILE|URL")]
    output: String,
    /// The key file (`anshu key new`): the mark is derived from it; keep it to trace later.
    #[arg(long, value_name = "FILE")]
    key_file: PathBuf,
    /// Mask the copy with this policy first (default: not masked, only marked).
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Mask the copy with a built-in policy (e.g. `share`).
    #[arg(long, value_name = "NAME", conflicts_with = "policy")]
    preset: Option<String>,
    /// Why the data is shared, for the registry.
    #[arg(long, value_name = "TEXT")]
    purpose: Option<String>,
    /// Do not mark decimal measures (only pseudonyms made by the policy carry the mark).
    #[arg(long)]
    no_measures: bool,
    /// The inventory catalog holding the share registry: a SQLite file or postgres:// URL.
    #[arg(long, value_name = "PATH_OR_URL", env = "ANSHU_CATALOG")]
    catalog: Option<String>,
    /// Summary printed on standard output.
    #[arg(long, value_enum, default_value = "table")]
    format: SummaryFormat,
    /// Databases: the target schema (PostgreSQL) or database (MariaDB/MySQL).
    #[arg(long, value_name = "NAME")]
    target_schema: Option<String>,
    /// Databases: only tables matching this glob (`schema.table`).
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,
    /// Databases: skip tables matching this glob.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Databases: ask for the password on the terminal (else from the URL or
    /// ANSHU_DB_PASSWORD).
    #[arg(long)]
    password_prompt: bool,
}

#[derive(Args)]
pub struct TraceArgs {
    /// The leaked file: CSV/TSV, XLSX, JSON/JSONL, Parquet, or text pasted from a table.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// The key file the shares were made with.
    #[arg(long, value_name = "FILE")]
    key_file: PathBuf,
    /// The inventory catalog holding the share registry.
    #[arg(long, value_name = "PATH_OR_URL", env = "ANSHU_CATALOG")]
    catalog: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: SummaryFormat,
}

#[derive(Args)]
pub struct SharesArgs {
    /// The inventory catalog holding the share registry.
    #[arg(long, value_name = "PATH_OR_URL", env = "ANSHU_CATALOG")]
    catalog: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: SummaryFormat,
}

/// What `anshu share` prints and returns.
#[derive(Serialize)]
struct ShareSummary<'a> {
    share: &'a Share,
    catalog: String,
    #[serde(flatten)]
    stats: &'a MaskStats,
    warnings: Vec<String>,
}

/// A share's id: a keyed digest of who, what, where and the registry's size, so it is unique
/// in the registry (the count grows with every share) and the same sequence of shares under the
/// same key gives the same ids. Knowing an id reveals nothing: the mark key also needs the key
/// file.
fn share_id(key: &anshu_mask::MaskKey, parts: &[&str], registry_len: usize) -> String {
    use hmac::Mac;
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&key.derive("share-id"))
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    for p in parts {
        mac.update(&(p.len() as u64).to_be_bytes());
        mac.update(p.as_bytes());
    }
    mac.update(&(registry_len as u64).to_be_bytes());
    let d = mac.finalize().into_bytes();
    format!(
        "s-{}",
        d[..8]
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
    )
}

pub fn share(a: ShareArgs) -> Result<ExitCode> {
    let created_at = crate::rfc3339_now();
    if a.to.trim().is_empty() {
        bail!("--to needs a recipient name");
    }
    let key = mask::read_key(&a.key_file)?;
    let target = crate::inventory::catalog_target(a.catalog.as_deref())?;
    let mut catalog = Catalog::open(&target)
        .with_context(|| format!("cannot open the share registry in {target}"))?;
    let registry_len = catalog.shares()?.len();
    let share_id = share_id(&key, &[a.to.trim(), &a.path, &a.output], registry_len);
    let mark = MarkSetup {
        key: ShareKey::new(&key.derive("mark"), &share_id),
        measures: !a.no_measures,
        opaque: true,
    };
    let is_db = anshu_scan::is_database_url(&a.path);
    let ma = MaskArgs {
        paths: vec![PathBuf::from(&a.path)],
        output: a.output.clone(),
        policy: a.policy.clone(),
        preset: a.preset.clone(),
        key_file: Some(a.key_file.clone()),
        record: None,
        format: a.format,
        rules: Vec::new(),
        pack: "gbt43697".into(),
        sample_rows: 1000,
        encoding: None,
        include: a.include.clone(),
        exclude: a.exclude.clone(),
        target_schema: a.target_schema.clone(),
        replace: false,
        batch_rows: 10_000,
        db_concurrency: 2,
        password_prompt: a.password_prompt,
        threads: None,
        quiet: true,
    };
    let setup = mask::build_setup(&ma, true, Some(mark))?;
    let policy = setup.policy.name.clone();
    let mut warnings = Vec::new();
    let (source, output, stats, tables, columns) = if is_db {
        let rec = mask::mask_db(&ma, &setup, &a.path)?;
        let failed: Vec<String> = rec
            .tables
            .iter()
            .filter(|t| t.status != "masked")
            .map(|t| {
                let why = t.error.as_ref().map(|e| e.error.as_str()).unwrap_or("");
                format!("{}: {why}", t.table)
            })
            .collect();
        if !failed.is_empty() {
            bail!(
                "the copy is incomplete; nothing was registered: {}",
                failed.join("; ")
            );
        }
        warnings.extend(rec.warnings.iter().cloned());
        let tables = rec.tables.iter().map(|t| t.table.clone()).collect();
        let columns = rec
            .columns
            .iter()
            .map(|c| format!("{}.{} ({})", c.table, c.column, c.method))
            .collect();
        (rec.source, rec.target, rec.stats, tables, columns)
    } else {
        let input = Path::new(&a.path);
        if !input.is_file() {
            bail!(
                "{} is not a file (share one file or one database at a time)",
                a.path
            );
        }
        let out = Path::new(&a.output);
        if out.exists() {
            bail!(
                "{} exists; a share is never written over another file",
                out.display()
            );
        }
        if crate::inventory::canonical(input) == crate::inventory::canonical(out) {
            bail!("the copy cannot replace its source");
        }
        let rec = masking::mask_file(&setup, input, out, &anshu_source::display_path(input));
        if rec.status != "masked" {
            let _ = std::fs::remove_file(out);
            let why = rec
                .error
                .as_ref()
                .map(|e| e.error.clone())
                .or_else(|| rec.warnings.first().cloned())
                .unwrap_or_default();
            bail!("cannot share {}: {why}", a.path);
        }
        warnings.extend(rec.warnings.iter().cloned());
        let mut tables: Vec<String> = rec.columns.iter().map(|c| c.table.clone()).collect();
        tables.dedup();
        let columns = rec
            .columns
            .iter()
            .map(|c| format!("{}.{} ({})", c.table, c.column, c.method))
            .collect();
        (
            crate::inventory::canonical(input),
            crate::inventory::canonical(out),
            rec.stats,
            tables,
            columns,
        )
    };
    let remove_copy = || {
        if !is_db {
            let _ = std::fs::remove_file(&a.output);
        }
    };
    if stats.survivors > 0 {
        remove_copy();
        bail!(
            "{} sensitive value(s) would leave verbatim under policy {policy}; the copy was removed and nothing registered",
            stats.survivors
        );
    }
    if stats.marked == 0 {
        remove_copy();
        bail!(
            "nothing in {} can carry a mark: no column of decimal measures, and the policy makes no tokens or keyed hashes (try --preset share)",
            a.path
        );
    }
    if stats.marked < 200 {
        warnings.push(format!(
            "only {} values carry the mark: a leaked fragment will need most of them to be traced",
            stats.marked
        ));
    }
    let params = MarkParams {
        scheme: SCHEME.into(),
        measure_decimals: stats.mark_decimals.iter().copied().collect(),
        opaque: stats.mark_opaque,
    };
    let record = Share {
        share_id,
        recipient: a.to.trim().to_owned(),
        purpose: a.purpose.clone(),
        created_at,
        source,
        output,
        tables,
        columns,
        rows: stats.rows,
        policy,
        key_id: key.id().to_owned(),
        scheme: SCHEME.into(),
        params: serde_json::to_string(&params)?,
        marked: stats.marked,
    };
    if let Err(e) = catalog.record_share(&record) {
        remove_copy();
        bail!("cannot record the share in {target}: {e}; the copy was removed");
    }
    let summary = ShareSummary {
        share: &record,
        catalog: anshu_inventory::redact_url(&target),
        stats: &stats,
        warnings,
    };
    let mut out = io::stdout().lock();
    match a.format {
        SummaryFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&summary)?)?,
        SummaryFormat::Table => {
            writeln!(
                out,
                "shared {} with {} as {}\n  share {}  policy {}  key {}\n  {} rows; {} values carry the mark ({} changed; measures with {:?} decimals{})",
                record.source,
                record.recipient,
                record.output,
                record.share_id,
                record.policy,
                record.key_id,
                record.rows,
                stats.marked,
                stats.mark_changed,
                params.measure_decimals,
                if params.opaque { ", pseudonyms" } else { "" }
            )?;
            for w in &summary.warnings {
                writeln!(out, "  warning: {w}")?;
            }
            writeln!(out, "  registered in {}", summary.catalog)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Feeds every cell of the leaked file to the tracer.
struct TraceSink<'t> {
    tracer: &'t mut Tracer,
    warnings: Vec<String>,
}

impl anshu_source::Sink for TraceSink<'_> {
    fn begin_table(&mut self, _: &str) {
        self.tracer.next_table();
    }
    fn column(&mut self, _: usize, name: &str) {
        // A fragment pasted without its header row has values where the header is expected.
        self.tracer.cell(name);
    }
    fn row(&mut self, cells: &[(usize, &str)]) {
        for (i, v) in cells {
            self.tracer.cell_in(*i, v);
        }
    }
    fn end_table(&mut self) {}
    fn text(&mut self, chunk: &str, _: u64, _: u64) {
        self.tracer.text(chunk);
    }
    fn warning(&mut self, message: String) {
        if self.warnings.len() < 20 {
            self.warnings.push(message);
        }
    }
}

#[derive(Serialize)]
struct TraceReport<'a> {
    file: String,
    #[serde(flatten)]
    trace: &'a Trace,
    /// Shares in the registry that were made with another key and could not be tried.
    other_key_shares: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
}

pub fn trace(a: TraceArgs) -> Result<ExitCode> {
    let key = mask::read_key(&a.key_file)?;
    let target = crate::inventory::catalog_target(a.catalog.as_deref())?;
    let shares = Catalog::open(&target)
        .and_then(|mut c| c.shares())
        .with_context(|| format!("cannot read the share registry in {target}"))?;
    let master = key.derive("mark");
    let mut candidates = Vec::new();
    let mut other_key = 0;
    for s in &shares {
        if s.key_id != key.id() || s.scheme != SCHEME {
            other_key += 1;
            continue;
        }
        let params: MarkParams = serde_json::from_str(&s.params)
            .with_context(|| format!("share {} has unreadable mark parameters", s.share_id))?;
        candidates.push(Candidate {
            share_id: s.share_id.clone(),
            recipient: s.recipient.clone(),
            key: ShareKey::new(&master, &s.share_id),
            params,
        });
    }
    if candidates.is_empty() {
        bail!(
            "the registry in {} holds no share made with key {} ({} share(s) with other keys)",
            anshu_inventory::redact_url(&target),
            key.id(),
            other_key
        );
    }
    let mut tracer = Tracer::new(candidates);
    let mut sink = TraceSink {
        tracer: &mut tracer,
        warnings: Vec::new(),
    };
    let read = anshu_source::read_path(&a.file, &anshu_source::ReadOptions::default(), &mut sink);
    let warnings = std::mem::take(&mut sink.warnings);
    if let Err(e) = read {
        eprintln!("anshu: cannot read {}: {e}", a.file.display());
        return Ok(ExitCode::from(2));
    }
    if let Ok(anshu_source::Outcome::Skipped { reason }) = &read {
        eprintln!("anshu: {} was not read: {reason}", a.file.display());
        return Ok(ExitCode::from(2));
    }
    let result = tracer.finish();
    let report = TraceReport {
        file: anshu_source::display_path(&a.file),
        trace: &result,
        other_key_shares: other_key,
        warnings,
    };
    let mut out = io::stdout().lock();
    match a.format {
        SummaryFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?,
        SummaryFormat::Table => {
            writeln!(out, "{}: {}", report.file, result.explanation)?;
            writeln!(
                out,
                "  {:<24} {:<20} {:>7} {:>7} {:>7} {:>10}",
                "RECIPIENT", "SHARE", "VOTES", "AGREE", "SCORE", "P"
            )?;
            for s in result.candidates.iter().take(10) {
                // Below f64's range the probability prints as a bound, not as zero.
                let p = if s.p_value > 0.0 {
                    format!("{:.1e}", s.p_value)
                } else {
                    "<1e-300".to_owned()
                };
                writeln!(
                    out,
                    "  {:<24} {:<20} {:>7} {:>7} {:>7.3} {:>10}",
                    s.recipient, s.share_id, s.votes, s.agree, s.score, p
                )?;
            }
            if result.candidates.len() > 10 {
                writeln!(out, "  … {} more", result.candidates.len() - 10)?;
            }
            if other_key > 0 {
                writeln!(
                    out,
                    "  {other_key} share(s) made with another key were not tried"
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn list(a: SharesArgs) -> Result<ExitCode> {
    let target = crate::inventory::catalog_target(a.catalog.as_deref())?;
    let shares = Catalog::open(&target)
        .and_then(|mut c| c.shares())
        .with_context(|| format!("cannot read the share registry in {target}"))?;
    let mut out = io::stdout().lock();
    match a.format {
        SummaryFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&shares)?)?,
        SummaryFormat::Table => {
            for s in &shares {
                writeln!(
                    out,
                    "{}  {}  {}  {} rows  {} marked  policy {}  {} -> {}{}",
                    s.share_id,
                    s.created_at,
                    s.recipient,
                    s.rows,
                    s.marked,
                    s.policy,
                    s.source,
                    s.output,
                    s.purpose
                        .as_deref()
                        .map(|p| format!("  ({p})"))
                        .unwrap_or_default()
                )?;
            }
            if shares.is_empty() {
                writeln!(
                    out,
                    "no shares recorded in {}",
                    anshu_inventory::redact_url(&target)
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
