//! The `anshu` command: parses arguments and wires the crates together. Everything it does is
//! done by a library crate; this file only decides which, with what options, and how to report.

mod inventory;
mod mask;
mod serve;
mod share;

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

use anshu_classify::RulePack;
use anshu_detect::{Date, Detector, DetectorOptions, RuleSet};
use anshu_report::{self as report, StreamRecord};
use anshu_scan::{
    DbScanOptions, DbTarget, PreviousTable, Progress, ReportBuilder, SampleMethod, ScanOptions,
    Secret, SessionOptions,
};
use anshu_source::{HeaderMode, WalkOptions};
use std::collections::HashMap;

#[derive(Parser)]
#[command(name = "anshu", version, about = "Anshu (安数): discover, classify and protect personal and important data", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Find personal and sensitive data in files and directories.
    Scan(ScanArgs),
    /// Inspect detection rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// The data-asset inventory (数据资产清单): list, show, diff, review, export.
    Inventory(inventory::InventoryArgs),
    /// Write masked (de-identified) copies of files or a database, then verify them.
    Mask(mask::MaskArgs),
    /// Masking keys.
    #[command(subcommand)]
    Key(mask::KeyCommand),
    /// Hand out a copy carrying an invisible, recipient-specific mark (masked if asked) and
    /// record it in the share registry.
    Share(share::ShareArgs),
    /// Find which share a leaked file came from, with a false-accusation probability.
    Trace(share::TraceArgs),
    /// List the share registry.
    Shares(share::SharesArgs),
    /// Start the web console and HTTP API (127.0.0.1:8080 by default).
    Serve(serve::ServeArgs),
    /// The console's audit log.
    #[command(subcommand)]
    Audit(serve::AuditCommand),
}

#[derive(Subcommand)]
enum RulesCommand {
    /// List the data types the detector knows (built-in and from --rules files).
    List {
        #[arg(long = "rules", value_name = "FILE")]
        rules: Vec<PathBuf>,
    },
    /// Print the text patterns, one per line, with macros expanded (for other tools).
    Patterns {
        #[arg(long = "rules", value_name = "FILE")]
        rules: Vec<PathBuf>,
    },
    /// Check rule files and report the first problem with its line.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum OutputFormat {
    Table,
    Json,
    Jsonl,
    Html,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum HeaderArg {
    Auto,
    Yes,
    No,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum SampleArg {
    Auto,
    Bernoulli,
    Limit,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Args)]
struct ScanArgs {
    /// Files and directories to scan (directories are walked recursively), and databases:
    /// postgres://user@host:port/db, mysql://user@host:port/db (MariaDB too), sqlite://path.
    #[arg(required = true, value_name = "PATH|URL")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: OutputFormat,
    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Extra rule files (TOML) with types and allow-lists; may be repeated.
    #[arg(long = "rules", value_name = "FILE")]
    rules: Vec<PathBuf>,
    /// Classification rule pack: gbt43697 (default), jrt0197 or miit-industry.
    #[arg(long, default_value = "gbt43697", value_name = "ID")]
    pack: String,
    /// A rule pack file (TOML) that replaces or extends (`extends = "gbt43697"`) a built-in pack.
    #[arg(long, value_name = "FILE", conflicts_with = "pack")]
    pack_file: Option<PathBuf>,
    /// Rows sampled per table, spread over the whole table.
    #[arg(long, default_value_t = 1000, value_name = "N")]
    sample_rows: usize,
    /// Read and examine every row instead of a sample.
    #[arg(long)]
    full: bool,
    /// Show matched values in the report instead of masking them.
    #[arg(long)]
    show_values: bool,
    /// Only scan files, or database tables (`schema.table`), matching this glob (may be
    /// repeated).
    #[arg(long, value_name = "GLOB")]
    include: Vec<String>,
    /// Skip files, or database tables (`schema.table`), matching this glob (may be repeated).
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Databases: scan views as well as tables.
    #[arg(long)]
    views: bool,
    /// Databases: tables read at the same time, one connection each.
    #[arg(long, default_value_t = 2, value_name = "N")]
    db_concurrency: usize,
    /// Databases: how samples are drawn. auto: PostgreSQL TABLESAMPLE SYSTEM, MySQL/SQLite
    /// random key ranges; bernoulli: PostgreSQL row-level sampling; limit: the first rows.
    #[arg(long, value_enum, default_value = "auto")]
    sample_method: SampleArg,
    /// Databases: the longest one statement may run, in seconds.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    statement_timeout: u64,
    /// Databases: the longest a statement waits for a lock, in seconds.
    #[arg(long, default_value_t = 5, value_name = "SECS")]
    lock_timeout: u64,
    /// Databases: rows per batch when reading everything (--full).
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    batch_rows: usize,
    /// Databases: re-read tables whose schema and size have not changed since the last scan.
    #[arg(long)]
    rescan: bool,
    /// Databases: ask for the password on the terminal (else from the URL or
    /// ANSHU_DB_PASSWORD).
    #[arg(long)]
    password_prompt: bool,
    /// Do not honour .gitignore, .ignore and .anshuignore files.
    #[arg(long)]
    no_ignore: bool,
    /// Follow symbolic links while walking.
    #[arg(long)]
    follow: bool,
    /// Text encoding of all inputs (e.g. utf-8, gbk, gb18030, utf-16le); detected by default.
    #[arg(long, value_name = "LABEL")]
    encoding: Option<String>,
    /// Field delimiter for delimited text (one character, or "tab"); sniffed by default.
    #[arg(long, value_name = "CHAR")]
    delimiter: Option<String>,
    /// Whether delimited files have a header row.
    #[arg(long, value_enum, default_value = "auto")]
    header: HeaderArg,
    /// Text findings below this confidence are not reported.
    #[arg(long, default_value_t = 0.5, value_name = "0..1")]
    min_confidence: f32,
    /// Text findings listed per file; more are counted but not listed.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    max_findings_per_file: usize,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    threads: Option<usize>,
    /// No progress bar and no per-error lines on standard error.
    #[arg(short, long)]
    quiet: bool,
    /// Colour in table output.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorArg,
    /// The inventory catalog: a SQLite file (default: in the user's data directory) or a
    /// postgres:// URL. Also from ANSHU_CATALOG.
    #[arg(
        long,
        env = "ANSHU_CATALOG",
        value_name = "PATH_OR_URL",
        hide_env_values = true
    )]
    catalog: Option<String>,
    /// Do not record this scan in the inventory.
    #[arg(long)]
    no_catalog: bool,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Scan(args) => scan(args),
        Command::Rules(cmd) => rules(cmd),
        Command::Inventory(args) => inventory::run(args),
        Command::Mask(args) => mask::run(args),
        Command::Key(cmd) => mask::key(cmd),
        Command::Share(args) => share::share(args),
        Command::Trace(args) => share::trace(args),
        Command::Shares(args) => share::list(args),
        Command::Serve(args) => serve::serve(args),
        Command::Audit(cmd) => serve::audit(cmd),
    };
    match result {
        Ok(code) => code,
        // A closed pipe (`anshu scan … | head`) is the reader's choice, not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("anshu: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .any(|io| io.kind() == io::ErrorKind::BrokenPipe)
}

pub(crate) fn today() -> Date {
    let days = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0);
    Date::from_days_since_epoch(days as i64)
}

pub(crate) fn rfc3339_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let d = Date::from_days_since_epoch((secs / 86_400) as i64);
    let t = secs % 86_400;
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        d.year,
        d.month,
        d.day,
        t / 3600,
        t / 60 % 60,
        t % 60
    )
}

/// Loads the built-in rules plus user files, resolving dictionary paths relative to each file.
pub(crate) fn load_rules(files: &[PathBuf]) -> Result<RuleSet> {
    let mut set = RuleSet::builtin();
    for f in files {
        let src = std::fs::read_to_string(f)
            .with_context(|| format!("cannot read rule file {}", f.display()))?;
        set.add_file(&f.display().to_string(), &src)?;
        let base = f.parent().unwrap_or(Path::new("."));
        for (ty, path) in set.pending_dictionaries() {
            let p = base.join(&path);
            let text = std::fs::read_to_string(&p).with_context(|| {
                format!(
                    "type {ty:?} in {}: cannot read dictionary {}",
                    f.display(),
                    p.display()
                )
            })?;
            set.set_dictionary(&ty, &text);
        }
    }
    Ok(set)
}

fn rules(cmd: RulesCommand) -> Result<ExitCode> {
    match cmd {
        RulesCommand::List { rules } => {
            let set = load_rules(&rules)?;
            let mut out = io::stdout().lock();
            for t in &set.types {
                writeln!(
                    out,
                    "{:<20} {:<16} {}",
                    t.id,
                    t.name,
                    t.validator
                        .map(|_| "validated")
                        .unwrap_or(if t.header_required {
                            "header + shape"
                        } else {
                            "pattern"
                        })
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        RulesCommand::Patterns { rules } => {
            let set = load_rules(&rules)?;
            let mut out = io::stdout().lock();
            for t in set.types.iter().filter(|t| t.text) {
                for p in &t.patterns {
                    writeln!(out, "{p}")?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        RulesCommand::Check { files } => {
            let set = load_rules(&files)?;
            Detector::new(&set, DetectorOptions::default())?;
            println!(
                "ok: {} types, {} allow-list entries",
                set.types.len(),
                set.allow.values.len() + set.allow.patterns.len()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The built-in pack named `id`, or a pack file.
pub(crate) fn load_pack(id: &str, file: Option<&Path>) -> Result<RulePack> {
    match file {
        Some(f) => {
            let src = std::fs::read_to_string(f)
                .with_context(|| format!("cannot read rule pack {}", f.display()))?;
            Ok(RulePack::parse(&f.display().to_string(), &src)?)
        }
        None => Ok(RulePack::builtin(id)?),
    }
}

fn parse_delimiter(d: &str) -> Result<u8> {
    match d {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        s if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        s => bail!("--delimiter must be one ASCII character or \"tab\", not {s:?}"),
    }
}

fn scan(a: ScanArgs) -> Result<ExitCode> {
    if !(0.0..=1.0).contains(&a.min_confidence) {
        bail!("--min-confidence must be between 0 and 1");
    }
    let encoding = match &a.encoding {
        Some(l) => Some(anshu_source::encoding_by_label(l)?),
        None => None,
    };
    let delimiter = a.delimiter.as_deref().map(parse_delimiter).transpose()?;
    let walk = WalkOptions {
        include: a.include.clone(),
        exclude: a.exclude.clone(),
        no_ignore: a.no_ignore,
        follow_links: a.follow,
    };
    anshu_source::validate_globs(&walk).map_err(anyhow::Error::msg)?;
    let rules = load_rules(&a.rules)?;
    let det = Detector::new(
        &rules,
        DetectorOptions {
            today: today(),
            min_confidence: a.min_confidence,
        },
    )?;
    if let Some(n) = a.threads {
        rayon_threads(n)?;
    }

    let pack = std::sync::Arc::new(load_pack(&a.pack, a.pack_file.as_deref())?);
    // Databases and files may be mixed; each argument is one data source, in the order given.
    let mut roots: Vec<String> = Vec::new();
    let mut file_paths: Vec<PathBuf> = Vec::new();
    let mut file_roots: Vec<usize> = Vec::new();
    let mut targets: Vec<(usize, DbTarget)> = Vec::new();
    for p in &a.paths {
        let text = p.to_string_lossy();
        if anshu_scan::is_database_url(&text) {
            let mut t = DbTarget::parse(&text)?;
            if let Some(path) = &t.path {
                t.path = Some(std::fs::canonicalize(path).unwrap_or_else(|_| path.clone()));
            }
            if t.password.is_none() && t.engine != anshu_scan::Engine::Sqlite {
                t.password = db_password(&t, a.password_prompt)?;
            }
            targets.push((roots.len(), t.clone()));
            roots.push(t.display());
        } else {
            file_roots.push(roots.len());
            file_paths.push(p.clone());
            roots.push(anshu_source::display_path(p));
        }
    }
    if !targets.is_empty() {
        anshu_scan::validate_table_globs(&a.include, &a.exclude).map_err(anyhow::Error::msg)?;
    }
    let mut found = anshu_source::discover(&file_paths, &walk);
    for f in &mut found.files {
        f.root = file_roots.get(f.root).copied().unwrap_or(f.root);
    }
    let total_bytes: u64 = found.files.iter().map(|f| f.size).sum();
    let opts = ScanOptions {
        sample_rows: a.sample_rows,
        full: a.full,
        encoding,
        delimiter,
        header: match a.header {
            HeaderArg::Auto => HeaderMode::Auto,
            HeaderArg::Yes => HeaderMode::Present,
            HeaderArg::No => HeaderMode::Absent,
        },
        max_text_findings: a.max_findings_per_file,
        show_values: a.show_values,
        pack: std::sync::Arc::clone(&pack),
    };
    let mut builder = ReportBuilder::new(
        report::ToolInfo {
            name: "anshu".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            started_at: rfc3339_now(),
            sample_rows: (!a.full).then_some(a.sample_rows),
            values_shown: a.show_values,
            rule_files: a.rules.iter().map(|p| p.display().to_string()).collect(),
            pack: pack.id.clone(),
            pack_name: pack.name.clone(),
        },
        std::sync::Arc::clone(&pack),
        roots.clone(),
    );
    for (path, code, msg) in &found.errors {
        if !a.quiet {
            eprintln!("anshu: {path}: {msg}");
        }
        builder.error(path.clone(), code, msg.clone());
    }

    let mut out: Box<dyn Write + Send> = match &a.output {
        Some(p) => Box::new(BufWriter::new(
            File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => Box::new(BufWriter::new(io::stdout())),
    };
    let progress = Progress::default();
    // Ctrl-C stops the scan at the next record: files already read stay in the report (the
    // others are listed as cancelled) and the exit code is 130, as for any interrupted command.
    {
        let cancel = std::sync::Arc::clone(&progress.cancel);
        let _ = ctrlc::set_handler(move || cancel.store(true, Ordering::Relaxed));
    }
    progress
        .units_total
        .store(found.files.len() as u64, Ordering::Relaxed);
    let bar = (!a.quiet && io::stderr().is_terminal()).then(|| progress_bar(total_bytes));
    let ticker = bar
        .as_ref()
        .map(|b| spawn_ticker(b.clone(), progress.clone()));

    let stream = a.format == OutputFormat::Jsonl;
    let mut db_errors: Vec<(String, &'static str, String)> = Vec::new();
    let out_lock = Mutex::new(&mut out);
    let write_err: Mutex<Option<io::Error>> = Mutex::new(None);
    let quiet = a.quiet;
    let handle = |i: usize, outcome: anshu_scan::FileOutcome| {
        if let Some(e) = &outcome.error {
            if !quiet {
                eprintln!("anshu: {}: {}", e.source, e.error);
            }
        }
        if stream {
            if let Ok(mut w) = out_lock.lock() {
                let res = (|| -> io::Result<()> {
                    report::write_jsonl(&mut **w, &StreamRecord::File(&outcome.file))?;
                    for c in &outcome.columns {
                        report::write_jsonl(&mut **w, &StreamRecord::Column(c))?;
                    }
                    for t in &outcome.tables {
                        report::write_jsonl(&mut **w, &StreamRecord::Table(t))?;
                    }
                    for f in &outcome.text_findings {
                        report::write_jsonl(&mut **w, &StreamRecord::TextFinding(f))?;
                    }
                    for x in &outcome.warnings {
                        report::write_jsonl(&mut **w, &StreamRecord::Warning(x))?;
                    }
                    if let Some(e) = &outcome.error {
                        report::write_jsonl(&mut **w, &StreamRecord::Error(e))?;
                    }
                    w.flush()
                })();
                if let Err(e) = res {
                    if let Ok(mut slot) = write_err.lock() {
                        slot.get_or_insert(e);
                    }
                }
            }
            // The details are already written; keep what the summary and the inventory need
            // (files, columns, tables with their people counts, text findings, which are capped
            // per file) and drop the warnings.
            builder.add(
                i,
                anshu_scan::FileOutcome {
                    warnings: Vec::new(),
                    ..outcome
                },
            );
        } else {
            builder.add(i, outcome);
        }
    };
    anshu_scan::scan_files(&det, &found.files, &opts, &progress, handle);

    let mut catalog: Option<anshu_inventory::Catalog> = None;
    if !targets.is_empty() {
        let db = DbScanOptions {
            include: a.include.clone(),
            exclude: a.exclude.clone(),
            views: a.views,
            concurrency: a.db_concurrency.max(1),
            method: match a.sample_method {
                SampleArg::Auto => SampleMethod::Auto,
                SampleArg::Bernoulli => SampleMethod::Bernoulli,
                SampleArg::Limit => SampleMethod::Limit,
            },
            batch_rows: a.batch_rows.max(1),
            session: SessionOptions {
                connect_timeout: Duration::from_secs(10),
                statement_timeout: Duration::from_secs(a.statement_timeout.max(1)),
                lock_timeout: Duration::from_secs(a.lock_timeout.max(1)),
            },
            rescan: a.rescan,
        };
        if !a.no_catalog {
            let target = inventory::catalog_target(a.catalog.as_deref())?;
            catalog = Some(anshu_inventory::Catalog::open(&target)?);
        }
        for (n, (root, t)) in targets.iter().enumerate() {
            if progress.cancel.load(Ordering::Relaxed) {
                break;
            }
            let previous: HashMap<String, PreviousTable> = match catalog.as_mut() {
                Some(c) => c
                    .previous_tables(&t.display())
                    .context("cannot read the inventory")?
                    .into_iter()
                    .map(|p| (p.name.clone(), previous_table(p)))
                    .collect(),
                None => HashMap::new(),
            };
            let base = found.files.len() + (n + 1) * 10_000_000;
            let res = anshu_scan::scan_database(
                &det,
                &opts,
                &db,
                t,
                *root,
                &|name: &str| previous.get(name).cloned(),
                &progress,
                &|i, o| handle(base + i, o),
            );
            if let Err(e) = res {
                if !quiet {
                    eprintln!("anshu: {}: {e}", t.display());
                }
                db_errors.push((t.display(), e.code(), e.to_string()));
            }
        }
    }
    for (source, code, msg) in db_errors.drain(..) {
        builder.error(source, code, msg);
    }
    if let Some(t) = ticker {
        progress.files_done.store(u64::MAX, Ordering::Relaxed);
        let _ = t.join();
    }
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if let Some(e) = write_err.into_inner().ok().flatten() {
        return Err(e).context("cannot write the report");
    }
    let report = builder.finish(progress.bytes.load(Ordering::Relaxed));
    let color = match a.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            a.output.is_none()
                && io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
        }
    };
    match a.format {
        OutputFormat::Table => report::render_table(&report, &mut out, color),
        OutputFormat::Json => report.write_json(&mut out),
        OutputFormat::Html => report::render_html(&report, &mut out),
        OutputFormat::Jsonl => {
            for e in report
                .errors
                .iter()
                .filter(|e| !report.files.iter().any(|f| f.source == e.source))
            {
                report::write_jsonl(&mut out, &StreamRecord::Error(e))?;
            }
            report::write_jsonl(&mut out, &StreamRecord::Summary(&report.summary))
        }
    }
    .and_then(|_| out.flush())
    .context("cannot write the report")?;

    let cancelled = progress.cancel.load(Ordering::Relaxed);
    // An interrupted scan saw only part of the data; recording it would mark the rest removed.
    if !a.no_catalog && !cancelled {
        let mut cat = match catalog.take() {
            Some(c) => c,
            None => {
                anshu_inventory::Catalog::open(&inventory::catalog_target(a.catalog.as_deref())?)?
            }
        };
        let uris: Vec<String> = roots.iter().map(|r| inventory::source_key(r)).collect();
        let rec = cat
            .record_scan(&report, &uris, &pack, &inventory::source_key)
            .context("cannot record the scan in the inventory")?;
        if !a.quiet {
            eprintln!(
                "anshu: inventory {}: scan #{} recorded, {} change(s)",
                cat.target(),
                rec.scan_id,
                rec.changes.len()
            );
        }
    }

    if cancelled {
        if !a.quiet {
            eprintln!(
                "anshu: interrupted; the report covers the files read so far and was not recorded in the inventory"
            );
        }
        return Ok(ExitCode::from(130));
    }
    let failed = report.summary.files_failed > 0 || !report.errors.is_empty();
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

pub(crate) fn rayon_threads(n: usize) -> Result<()> {
    anshu_scan::set_threads(n).map_err(anyhow::Error::msg)
}

fn progress_bar(total: u64) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// Updates the bar: bytes for files, and files and tables done out of those known so far
/// (a database's tables are known once its catalog has been read).
fn spawn_ticker(bar: indicatif::ProgressBar, p: Progress) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || loop {
        let done = p.files_done.load(Ordering::Relaxed);
        if done == u64::MAX {
            break;
        }
        bar.set_position(p.bytes.load(Ordering::Relaxed));
        let total = p.units_total.load(Ordering::Relaxed);
        bar.set_message(format!("{done}/{total} files and tables"));
        std::thread::sleep(Duration::from_millis(150));
    })
}

/// The password for a database whose URL has none: from the terminal when asked, else from
/// ANSHU_DB_PASSWORD, else none (trust or peer authentication).
pub(crate) fn db_password(t: &DbTarget, prompt: bool) -> Result<Option<Secret>> {
    if prompt {
        let p = rpassword::prompt_password(format!("password for {}: ", t.display()))
            .context("cannot read the password from the terminal")?;
        return Ok(Some(Secret::new(p)));
    }
    Ok(std::env::var("ANSHU_DB_PASSWORD").ok().map(Secret::new))
}

/// The inventory's memory of a table, in the form the scan compares against.
fn previous_table(p: anshu_inventory::PreviousAsset) -> PreviousTable {
    PreviousTable {
        fingerprint: p.fingerprint,
        rows: p.rows,
        people: p.people.map(|count| report::People {
            count,
            exact: p.people_exact,
            rel_error_95: if p.people_exact { 0.0 } else { 0.02 },
        }),
        identifier: p.identifier,
        columns: p.columns,
    }
}
