//! `anshu mask` and `anshu key`: argument parsing and reporting; the work is done by
//! `anshu-mask` (methods, policies, keys) and `anshu-copy` (files, databases, verification).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use rayon::prelude::*;

use anshu_copy::masking::{self, DbRecord, FileRecord, MaskSetup, MaskStats};
use anshu_detect::{Detector, DetectorOptions};
use anshu_mask::{Keys, MaskKey, Policy};
use anshu_scan::{DbTarget, ScanOptions};

#[derive(Subcommand)]
pub enum KeyCommand {
    /// Create a new masking key file (readable by its owner only) and print its id.
    New {
        /// Where to write the key file; an existing file is never overwritten.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Print the id of a key file (never the key).
    Id {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SummaryFormat {
    Table,
    Json,
}

#[derive(Args)]
pub struct MaskArgs {
    /// Files and directories to mask, or one database URL (postgres://, mysql://, sqlite://).
    #[arg(required = true, value_name = "PATH|URL")]
    pub(crate) paths: Vec<PathBuf>,
    /// Output directory for files (relative paths are kept), or a database URL of the same
    /// engine for a database.
    #[arg(short, long, value_name = "DIR|URL")]
    pub(crate) output: String,
    /// Policy file (TOML). Without it (and without --preset) the built-in default applies.
    #[arg(long, value_name = "FILE")]
    pub(crate) policy: Option<PathBuf>,
    /// A built-in policy: default, waybill, test-data, analytics, share.
    #[arg(long, value_name = "NAME", conflicts_with = "policy")]
    pub(crate) preset: Option<String>,
    /// The key file made by `anshu key new`; needed by keyed methods (hash, token, fpe,
    /// substitute, date_shift, noise, shuffle).
    #[arg(long, value_name = "FILE")]
    pub(crate) key_file: Option<PathBuf>,
    /// Where to write the masking record (default: mask-record.json in the output directory;
    /// for databases, in the current directory).
    #[arg(long, value_name = "FILE")]
    pub(crate) record: Option<PathBuf>,
    /// Summary printed on standard output.
    #[arg(long, value_enum, default_value = "table")]
    pub(crate) format: SummaryFormat,
    /// Extra detection rule files.
    #[arg(long = "rules", value_name = "FILE")]
    pub(crate) rules: Vec<PathBuf>,
    /// Classification rule pack (levels and categories for policies).
    #[arg(long, default_value = "gbt43697", value_name = "ID")]
    pub(crate) pack: String,
    /// Rows sampled per table to decide column types.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub(crate) sample_rows: usize,
    /// Text encoding of all inputs; detected by default.
    #[arg(long, value_name = "LABEL")]
    pub(crate) encoding: Option<String>,
    /// Only mask files (or tables, `schema.table`) matching this glob.
    #[arg(long, value_name = "GLOB")]
    pub(crate) include: Vec<String>,
    /// Skip files (or tables) matching this glob.
    #[arg(long, value_name = "GLOB")]
    pub(crate) exclude: Vec<String>,
    /// Databases: the target schema (PostgreSQL) or database (MariaDB/MySQL).
    #[arg(long, value_name = "NAME")]
    pub(crate) target_schema: Option<String>,
    /// Databases: drop and recreate target tables that already exist.
    #[arg(long)]
    pub(crate) replace: bool,
    /// Databases: rows per batch.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub(crate) batch_rows: usize,
    /// Databases: tables copied at the same time.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub(crate) db_concurrency: usize,
    /// Databases: ask for the password on the terminal (else from the URL or
    /// ANSHU_DB_PASSWORD).
    #[arg(long)]
    pub(crate) password_prompt: bool,
    /// Worker threads for files (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub(crate) threads: Option<usize>,
    /// No per-file lines on standard error.
    #[arg(short, long)]
    pub(crate) quiet: bool,
}

pub fn key(cmd: KeyCommand) -> Result<ExitCode> {
    match cmd {
        KeyCommand::New { output } => {
            let mut secret = [0u8; 32];
            getrandom::fill(&mut secret)
                .map_err(|e| anyhow::anyhow!("no system randomness: {e}"))?;
            let key = MaskKey::from_secret(secret, &crate::rfc3339_now());
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            let mut f = opts.open(&output).with_context(|| {
                format!(
                    "cannot create {} (an existing key is never overwritten)",
                    output.display()
                )
            })?;
            f.write_all(key.to_file().as_bytes())?;
            println!("created key {} in {}", key.id(), output.display());
            Ok(ExitCode::SUCCESS)
        }
        KeyCommand::Id { file } => {
            let key = read_key(&file)?;
            println!("{}", key.id());
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub(crate) fn read_key(path: &Path) -> Result<MaskKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read key file {}", path.display()))?;
    MaskKey::parse(&text).with_context(|| format!("key file {}", path.display()))
}

/// The masking record written next to the copies.
#[derive(serde::Serialize)]
struct Record<'a> {
    tool: &'static str,
    version: &'static str,
    started_at: String,
    finished_at: String,
    policy: PolicyRef<'a>,
    /// The key's public id; the key itself is never recorded.
    key_id: Option<String>,
    inputs: Vec<String>,
    output: String,
    verification: Verification,
    totals: MaskStats,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    files: Vec<FileRecord>,
    #[serde(skip_serializing_if = "Option::is_none")]
    database: Option<DbRecord>,
}

#[derive(serde::Serialize)]
struct PolicyRef<'a> {
    name: &'a str,
    origin: &'a str,
}

#[derive(serde::Serialize)]
struct Verification {
    /// No sensitive input value survived verbatim (values kept by a `keep`/`shuffle` rule are
    /// counted separately).
    passed: bool,
    survivors: u64,
    kept_by_policy: u64,
    /// Findings a scan of the copies still makes (substituted values are valid by design).
    residual_findings: usize,
}

/// The policy `anshu share` applies when none is given: the copy is marked, not masked.
const UNMASKED: &str = "name = \"unmasked\"\ndescription = \"Nothing is masked; values are only marked.\"\n[fallback]\nmethod = \"keep\"\n";

/// Everything masking needs, from the arguments: the policy (`unmasked` picks the policy used
/// when neither --policy nor --preset is given: the built-in default, or no masking at all),
/// keys, detector and rule pack.
pub(crate) fn build_setup(
    a: &MaskArgs,
    unmasked: bool,
    mark: Option<masking::MarkSetup>,
) -> Result<Arc<MaskSetup>> {
    let pack = Arc::new(crate::load_pack(&a.pack, None)?);
    let levels: Vec<&str> = pack.levels.iter().map(|l| l.id.as_str()).collect();
    let policy = match (&a.policy, &a.preset) {
        (Some(p), _) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read policy {}", p.display()))?;
            Policy::parse(&p.display().to_string(), &text, &levels)?
        }
        (None, Some(name)) => Policy::preset(name, &levels)?,
        (None, None) if unmasked => Policy::parse("builtin:unmasked", UNMASKED, &levels)?,
        (None, None) => Policy::preset("default", &levels)?,
    };
    let keys = match &a.key_file {
        Some(p) => Some(Arc::new(Keys::new(&read_key(p)?)?)),
        None if policy.keyed() => bail!(
            "policy {} uses keyed methods: give --key-file (make one with `anshu key new -o FILE`)",
            policy.name
        ),
        None => None,
    };
    let encoding = match &a.encoding {
        Some(l) => Some(anshu_source::encoding_by_label(l)?),
        None => None,
    };
    let rules = crate::load_rules(&a.rules)?;
    let det = Detector::new(
        &rules,
        DetectorOptions {
            today: crate::today(),
            min_confidence: 0.5,
        },
    )?;
    if let Some(n) = a.threads {
        crate::rayon_threads(n)?;
    }
    Ok(Arc::new(MaskSetup {
        det: Arc::new(det),
        policy: Arc::new(policy),
        keys,
        pack: Arc::clone(&pack),
        today: crate::today(),
        scan: ScanOptions {
            sample_rows: a.sample_rows,
            encoding,
            show_values: false,
            pack: Arc::clone(&pack),
            ..ScanOptions::default()
        },
        mark,
    }))
}

pub fn run(a: MaskArgs) -> Result<ExitCode> {
    let started_at = crate::rfc3339_now();
    let setup = build_setup(&a, false, None)?;
    let key_id = setup.keys.as_ref().map(|k| k.key_id().to_owned());
    let inputs: Vec<String> = a
        .paths
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let is_db = inputs.iter().any(|p| anshu_scan::is_database_url(p));
    let (files, database, record_path) = if is_db {
        if inputs.len() != 1 {
            bail!("mask one database at a time (and no files with it)");
        }
        let db = mask_db(&a, &setup, &inputs[0])?;
        let rp = a
            .record
            .clone()
            .unwrap_or_else(|| PathBuf::from("mask-record.json"));
        (Vec::new(), Some(db), rp)
    } else {
        let out_dir = PathBuf::from(&a.output);
        let files = mask_files(&a, &setup, &out_dir)?;
        let rp = a
            .record
            .clone()
            .unwrap_or_else(|| out_dir.join("mask-record.json"));
        (files, None, rp)
    };
    let mut totals = MaskStats::default();
    let mut residual = 0;
    for f in &files {
        totals.add(&f.stats);
        residual += f.residual.len();
    }
    if let Some(d) = &database {
        totals.add(&d.stats);
    }
    let failed = files.iter().filter(|f| f.status == "failed").count()
        + database.as_ref().map_or(0, |d| {
            d.tables.iter().filter(|t| t.status == "failed").count()
        });
    let record = Record {
        tool: "anshu",
        version: env!("CARGO_PKG_VERSION"),
        started_at,
        finished_at: crate::rfc3339_now(),
        policy: PolicyRef {
            name: &setup.policy.name,
            origin: &setup.policy.origin,
        },
        key_id,
        inputs,
        output: if is_db {
            DbTarget::parse(&a.output)
                .map(|t| t.display())
                .unwrap_or_default()
        } else {
            a.output.clone()
        },
        verification: Verification {
            passed: totals.survivors == 0,
            survivors: totals.survivors,
            kept_by_policy: totals.kept_by_policy,
            residual_findings: residual,
        },
        totals,
        files,
        database,
    };
    let json = serde_json::to_string_pretty(&record)?;
    if let Some(dir) = record_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&record_path, format!("{json}\n"))
        .with_context(|| format!("cannot write the masking record {}", record_path.display()))?;
    let mut out = io::stdout().lock();
    match a.format {
        SummaryFormat::Json => writeln!(out, "{json}")?,
        SummaryFormat::Table => print_summary(&mut out, &record, &record_path)?,
    }
    Ok(if record.verification.survivors > 0 {
        ExitCode::from(3)
    } else if failed > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_summary(out: &mut dyn Write, r: &Record, record_path: &Path) -> io::Result<()> {
    writeln!(
        out,
        "policy {} ({}), key {}",
        r.policy.name,
        r.policy.origin,
        r.key_id.as_deref().unwrap_or("none")
    )?;
    for f in &r.files {
        let s = &f.stats;
        match &f.error {
            Some(e) => writeln!(out, "  FAILED  {} [{}] {}", f.source, e.code, e.error)?,
            None if f.status == "skipped" => {
                writeln!(out, "  skipped {} ({})", f.source, f.warnings.join("; "))?
            }
            None => writeln!(
                out,
                "  {} -> {}  rows {}, values {}, spans {}, survivors {}, residual {}",
                f.source,
                f.output,
                s.rows,
                s.values_masked,
                s.spans_masked,
                s.survivors,
                f.residual.len()
            )?,
        }
    }
    if let Some(d) = &r.database {
        for t in &d.tables {
            match &t.error {
                Some(e) => writeln!(out, "  FAILED  {} [{}] {}", t.table, e.code, e.error)?,
                None => writeln!(out, "  {} -> {}  rows {}", t.table, d.target, t.rows)?,
            }
        }
    }
    let t = &r.totals;
    let methods: Vec<String> = t
        .by_method
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    writeln!(
        out,
        "masked {} values and {} spans in {} rows ({}); fallbacks {}",
        t.values_masked,
        t.spans_masked,
        t.rows,
        methods.join(", "),
        t.fallbacks
    )?;
    if r.verification.passed {
        writeln!(
            out,
            "verification passed: no sensitive input value survives verbatim ({} kept by policy, {} residual findings)",
            t.kept_by_policy, r.verification.residual_findings
        )?;
    } else {
        writeln!(
            out,
            "VERIFICATION FAILED: {} input values survive verbatim:",
            t.survivors
        )?;
        for e in &t.survivor_examples {
            writeln!(out, "  {e}")?;
        }
    }
    writeln!(out, "masking record: {}", record_path.display())
}

fn mask_files(a: &MaskArgs, setup: &Arc<MaskSetup>, out_dir: &Path) -> Result<Vec<FileRecord>> {
    let walk = anshu_source::WalkOptions {
        include: a.include.clone(),
        exclude: a.exclude.clone(),
        ..anshu_source::WalkOptions::default()
    };
    anshu_source::validate_globs(&walk).map_err(anyhow::Error::msg)?;
    let out_abs = absolute(out_dir);
    for p in &a.paths {
        let p_abs = absolute(p);
        if out_abs == p_abs || (p.is_dir() && out_abs.starts_with(&p_abs)) {
            bail!(
                "the output directory {} is inside the input {}: masked copies would be read as input",
                out_dir.display(),
                p.display()
            );
        }
    }
    let found = anshu_source::discover(&a.paths, &walk);
    let mut records: Vec<FileRecord> = Vec::new();
    for (path, code, msg) in &found.errors {
        if !a.quiet {
            eprintln!("anshu: {path}: {msg}");
        }
        records.push(FileRecord {
            source: path.clone(),
            status: "failed".into(),
            error: Some(anshu_report::ErrorEntry {
                source: path.clone(),
                code: code.to_string(),
                error: msg.clone(),
            }),
            ..FileRecord::default()
        });
    }
    let done = Mutex::new(Vec::new());
    let cancel = Arc::new(std::sync::atomic::AtomicBool::new(false));
    {
        let c = Arc::clone(&cancel);
        let _ = ctrlc::set_handler(move || c.store(true, Ordering::Relaxed));
    }
    found.files.par_iter().enumerate().for_each(|(i, f)| {
        if cancel.load(Ordering::Relaxed) {
            return;
        }
        let root = a
            .paths
            .get(f.root)
            .map(PathBuf::as_path)
            .unwrap_or(Path::new("."));
        let output = masking::output_path(out_dir, root, &f.path);
        if absolute(&output) == absolute(&f.path) {
            return;
        }
        let source = anshu_source::display_path(&f.path);
        let rec = masking::mask_file(setup, &f.path, &output, &source);
        if !a.quiet {
            if let Some(e) = &rec.error {
                eprintln!("anshu: {}: {}", e.source, e.error);
            }
        }
        if let Ok(mut d) = done.lock() {
            d.push((i, rec));
        }
    });
    let mut done = done.into_inner().unwrap_or_default();
    done.sort_by_key(|(i, _)| *i);
    records.extend(done.into_iter().map(|(_, r)| r));
    if cancel.load(Ordering::Relaxed) {
        bail!(
            "interrupted; the copies written so far are in {}",
            out_dir.display()
        );
    }
    Ok(records)
}

fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    })
}

pub(crate) fn mask_db(a: &MaskArgs, setup: &Arc<MaskSetup>, url: &str) -> Result<DbRecord> {
    let mut source = DbTarget::parse(url)?;
    if source.password.is_none() && source.engine != anshu_scan::Engine::Sqlite {
        source.password = crate::db_password(&source, a.password_prompt)?;
    }
    let mut target = DbTarget::parse(&a.output)
        .with_context(|| "for a database, --output is a database URL of the same engine")?;
    if target.password.is_none() && target.engine != anshu_scan::Engine::Sqlite {
        // The target is usually the same server: the same password source applies.
        target.password = source.password.clone();
    }
    let dest = anshu_db::CopyTarget {
        target,
        schema: a.target_schema.clone(),
    };
    let db = anshu_scan::DbScanOptions {
        include: a.include.clone(),
        exclude: a.exclude.clone(),
        concurrency: a.db_concurrency,
        ..anshu_scan::DbScanOptions::default()
    };
    let copy = anshu_db::CopyOptions {
        batch_rows: a.batch_rows,
        replace: a.replace,
        concurrency: a.db_concurrency,
        ..anshu_db::CopyOptions::default()
    };
    let cancel = Arc::new(std::sync::atomic::AtomicBool::new(false));
    {
        let c = Arc::clone(&cancel);
        let _ = ctrlc::set_handler(move || c.store(true, Ordering::Relaxed));
    }
    let rec = masking::mask_database(setup, &source, &dest, &db, &copy, &cancel)
        .map_err(|e| anyhow::anyhow!("{}", source.scrub(&e.to_string())))?;
    Ok(rec)
}
