//! Jobs started from the console: scans, masked copies and shares. Each runs as a child `anshu`
//! process: a parser fault or a huge source cannot take the server down, cancelling is ending
//! the process, and the job records itself (in the catalog, the masking record, the share
//! registry) exactly as from the command line. A scan's progress is the count of `file`
//! records in its JSON Lines against the number of files found up front (unknown for
//! databases); masks and shares report their JSON summary when they finish.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use serde::Serialize;

/// A job (a scan, a masked copy, a share) as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    pub id: u64,
    /// `scan`, `mask` or `share`.
    pub kind: String,
    pub source_id: i64,
    pub source: String,
    pub started_by: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// `running`, `done`, `failed` or `cancelled`.
    pub status: String,
    /// Files (or tables) read so far, and in all when known.
    pub done: u64,
    pub total: Option<u64>,
    /// Columns with personal or sensitive data found so far, by type.
    pub found: BTreeMap<String, u64>,
    pub errors: Vec<String>,
    /// For masks and shares: the command's JSON summary (the masking record, the share).
    pub result: Option<serde_json::Value>,
}

/// Jobs remembered for the job list.
pub const KEEP_JOBS: usize = 1_000;

#[derive(Default)]
pub struct Jobs {
    next: u64,
    jobs: BTreeMap<u64, Arc<Mutex<Job>>>,
    children: BTreeMap<u64, Arc<Mutex<Option<Child>>>>,
}

/// What a job needs to run: `anshu ARGS…` with a password in its environment.
pub struct JobRequest {
    pub scanner: PathBuf,
    pub kind: &'static str,
    pub args: Vec<String>,
    pub password: Option<String>,
    pub total: Option<u64>,
    pub source_id: i64,
    pub source_name: String,
    pub user: String,
    pub at: String,
}

impl Jobs {
    pub fn start(&mut self, r: JobRequest, now: fn() -> String) -> Result<u64, String> {
        self.next += 1;
        let id = self.next;
        let mut cmd = Command::new(&r.scanner);
        cmd.args(&r.args)
            .env_remove("ANSHU_DB_PASSWORD")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // The password goes through the environment, never the command line (which other
        // local users can read).
        if let Some(p) = &r.password {
            cmd.env("ANSHU_DB_PASSWORD", p);
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start the scanner: {e}"))?;
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let kind = r.kind;
        let job = Arc::new(Mutex::new(Job {
            id,
            kind: kind.to_owned(),
            source_id: r.source_id,
            source: r.source_name,
            started_by: r.user,
            started_at: r.at,
            finished_at: None,
            status: "running".into(),
            done: 0,
            total: r.total,
            found: BTreeMap::new(),
            errors: Vec::new(),
            result: None,
        }));
        let child = Arc::new(Mutex::new(Some(child)));
        self.jobs.insert(id, Arc::clone(&job));
        self.children.insert(id, Arc::clone(&child));
        self.forget_old();
        if let Some(err) = stderr {
            let job = Arc::clone(&job);
            std::thread::spawn(move || {
                for line in BufReader::new(err).lines().map_while(Result::ok) {
                    if let Ok(mut j) = job.lock() {
                        if j.errors.len() < 50 {
                            j.errors.push(line);
                        }
                    }
                }
            });
        }
        std::thread::spawn(move || {
            let mut summary = String::new();
            if kind != "scan" {
                // Masks and shares print one JSON summary at the end.
                if let Some(mut out) = stdout {
                    use std::io::Read;
                    let _ = out.read_to_string(&mut summary);
                }
            } else if let Some(out) = stdout {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
                        continue;
                    };
                    let Ok(mut j) = job.lock() else { break };
                    match v["kind"].as_str() {
                        Some("file") => j.done += 1,
                        Some("column") => {
                            for t in v["types"].as_array().into_iter().flatten() {
                                if let Some(t) = t["type"].as_str() {
                                    *j.found.entry(t.to_owned()).or_default() += 1;
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            let status = child
                .lock()
                .ok()
                .and_then(|mut c| c.take())
                .map(|mut c| c.wait());
            if let Ok(mut j) = job.lock() {
                j.finished_at = Some(now());
                j.result = serde_json::from_str(&summary).ok();
                if j.status == "running" {
                    j.status = match status {
                        Some(Ok(s)) if s.success() => "done".into(),
                        // Exit 2: some files could not be read; the rest is recorded.
                        Some(Ok(s)) if s.code() == Some(2) => "done".into(),
                        _ => "failed".into(),
                    };
                }
                if let Some(t) = j.total {
                    if j.status == "done" {
                        j.done = j.done.max(t);
                    }
                }
            }
        });
        Ok(id)
    }

    /// Keeps the newest [`KEEP_JOBS`] jobs; older finished ones are forgotten (their results
    /// stay in the catalog, the masking records and the share registry).
    fn forget_old(&mut self) {
        while self.jobs.len() > KEEP_JOBS {
            let oldest_done = self
                .jobs
                .iter()
                .find_map(|(id, j)| j.lock().ok().filter(|j| j.status != "running").map(|_| *id));
            match oldest_done {
                Some(id) => {
                    self.jobs.remove(&id);
                    self.children.remove(&id);
                }
                None => break,
            }
        }
    }

    pub fn get(&self, id: u64) -> Option<Job> {
        self.jobs
            .get(&id)
            .and_then(|j| j.lock().ok().map(|j| j.clone()))
    }

    pub fn list(&self) -> Vec<Job> {
        self.jobs
            .values()
            .rev()
            .filter_map(|j| j.lock().ok().map(|j| j.clone()))
            .collect()
    }

    /// Ends a running scan; nothing of it is recorded (a scan records itself when it finishes).
    pub fn cancel(&self, id: u64) -> Option<Job> {
        let job = self.jobs.get(&id)?;
        if let Ok(mut j) = job.lock() {
            if j.status == "running" {
                j.status = "cancelled".into();
            }
        }
        if let Some(c) = self.children.get(&id) {
            if let Ok(mut c) = c.lock() {
                if let Some(child) = c.as_mut() {
                    let _ = child.kill();
                }
            }
        }
        self.get(id)
    }
}
