//! Finding the files to scan: recursive walks honouring `.gitignore`, `.ignore` and
//! `.anshuignore` files, plus `--include`/`--exclude` globs.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

/// A file to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    pub path: PathBuf,
    pub size: u64,
    /// Index of the command-line path this file was found under (its data source).
    pub root: usize,
}

/// How to walk directories.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// If any are given, only files matching one of them are scanned.
    pub include: Vec<String>,
    /// Files matching any of these are not scanned.
    pub exclude: Vec<String>,
    /// Do not honour ignore files.
    pub no_ignore: bool,
    pub follow_links: bool,
}

/// The files found and the paths that could not be walked.
#[derive(Debug, Default)]
pub struct Discovery {
    pub files: Vec<FileEntry>,
    /// `(path, code, message)` for paths that do not exist or cannot be listed; the code is
    /// one of `SourceError::code`'s.
    pub errors: Vec<(String, &'static str, String)>,
}

fn globset(globs: &[String]) -> Result<Option<GlobSet>, String> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for g in globs {
        // A glob without a slash matches the file name at any depth, as in .gitignore.
        let pat = if g.contains('/') {
            g.clone()
        } else {
            format!("**/{g}")
        };
        b.add(Glob::new(&pat).map_err(|e| format!("bad glob {g:?}: {e}"))?);
    }
    b.build().map(Some).map_err(|e| e.to_string())
}

/// Checks the globs without walking, so a usage error can be reported before any work.
pub fn validate_globs(opts: &WalkOptions) -> Result<(), String> {
    globset(&opts.include)?;
    globset(&opts.exclude)?;
    Ok(())
}

fn selected(rel: &Path, inc: &Option<GlobSet>, exc: &Option<GlobSet>) -> bool {
    if exc.as_ref().is_some_and(|g| g.is_match(rel)) {
        return false;
    }
    inc.as_ref().is_none_or(|g| g.is_match(rel))
}

/// Expands `paths` into files. A file named explicitly is always included (unless excluded);
/// directories are walked in sorted order so reports are stable.
pub fn discover(paths: &[PathBuf], opts: &WalkOptions) -> Discovery {
    let mut out = Discovery::default();
    let (inc, exc) = match (globset(&opts.include), globset(&opts.exclude)) {
        (Ok(i), Ok(e)) => (i, e),
        (Err(m), _) | (_, Err(m)) => {
            out.errors.push((String::new(), "usage", m));
            return out;
        }
    };
    for (root_index, root) in paths.iter().enumerate() {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                out.errors
                    .push((crate::display_path(root), io_code(&e), e.to_string()));
                continue;
            }
        };
        if meta.is_file() {
            if selected(root, &None, &exc) {
                out.files.push(FileEntry {
                    path: root.clone(),
                    size: meta.len(),
                    root: root_index,
                });
            }
            continue;
        }
        let mut wb = ignore::WalkBuilder::new(root);
        wb.hidden(false)
            .parents(true)
            .ignore(!opts.no_ignore)
            .git_ignore(!opts.no_ignore)
            .git_exclude(!opts.no_ignore)
            .git_global(false)
            .require_git(false)
            .follow_links(opts.follow_links)
            .sort_by_file_path(|a, b| a.cmp(b))
            .filter_entry(|e| e.file_name() != ".git");
        if !opts.no_ignore {
            wb.add_custom_ignore_filename(".anshuignore");
        }
        for entry in wb.build() {
            match entry {
                Ok(e) => {
                    if !e.file_type().is_some_and(|t| t.is_file()) {
                        continue;
                    }
                    let rel = e.path().strip_prefix(root).unwrap_or(e.path());
                    if !selected(rel, &inc, &exc) {
                        continue;
                    }
                    let size = e.metadata().map(|m| m.len()).unwrap_or(0);
                    out.files.push(FileEntry {
                        path: e.path().to_path_buf(),
                        size,
                        root: root_index,
                    });
                }
                Err(err) => {
                    let path = match &err {
                        ignore::Error::WithPath { path, .. } => crate::display_path(path),
                        _ => String::new(),
                    };
                    let code = err.io_error().map(io_code).unwrap_or("io_error");
                    out.errors.push((path, code, err.to_string()));
                }
            }
        }
    }
    out
}

fn io_code(e: &std::io::Error) -> &'static str {
    crate::SourceError::Io(std::io::Error::new(e.kind(), "")).code()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_with_ignore_files_and_globs() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::create_dir_all(p.join("a/b")).unwrap();
        std::fs::write(p.join("a/x.csv"), "x").unwrap();
        std::fs::write(p.join("a/b/y.txt"), "y").unwrap();
        std::fs::write(p.join("a/b/z.log"), "z").unwrap();
        std::fs::write(p.join(".gitignore"), "*.log\n").unwrap();
        let names = |d: Discovery| -> Vec<String> {
            d.files
                .iter()
                .map(|f| {
                    f.path
                        .strip_prefix(p)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned()
                })
                .collect()
        };
        let all = names(discover(&[p.to_path_buf()], &WalkOptions::default()));
        assert_eq!(all, [".gitignore", "a/b/y.txt", "a/x.csv"]);
        let inc = WalkOptions {
            include: vec!["*.csv".into()],
            ..Default::default()
        };
        assert_eq!(names(discover(&[p.to_path_buf()], &inc)), ["a/x.csv"]);
        let exc = WalkOptions {
            exclude: vec!["a/b/**".into()],
            no_ignore: true,
            ..Default::default()
        };
        assert_eq!(
            names(discover(&[p.to_path_buf()], &exc)),
            [".gitignore", "a/x.csv"]
        );
        let missing = discover(&[p.join("nope")], &WalkOptions::default());
        assert_eq!(missing.errors.len(), 1);
    }
}
