//! # anshu-source
//!
//! Readers for Anshu: it owns finding files (recursive walks honouring `.gitignore`-style ignore
//! files and include/exclude globs), recognising formats and text encodings (UTF-8 with or without
//! BOM, UTF-16, GBK/GB18030 and others), and streaming every supported format into a [`Sink`]:
//! CSV/TSV with delimiter and header sniffing, JSON and JSON Lines (nested fields become dotted
//! paths), Parquet, XLSX/XLS (every sheet), DOCX, plain text and logs, and `.gz` of any of these.
//!
//! It deliberately knows nothing about what is sensitive: it hands out cells and text, and the
//! caller decides what to sample and how to detect. Readers stream, so memory stays bounded by
//! the caller's sink, except where a format needs random access (XLSX, Parquet inside gzip).

mod decode;
mod docx;
mod format;
mod json;
mod sheet;
mod table;
mod text;
mod walk;

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

pub use decode::{decoding_reader, encoding_by_label, DecodeReport, DecodingReader};
pub use sheet::cell_text as spreadsheet_cell_text;
pub use table::{looks_like_header, sniff_delimiter};
/// A text encoding, as `encoding_rs` names it.
pub type EncodingRef = encoding_rs::Encoding;
pub use format::Format;
pub use walk::{discover, validate_globs, Discovery, FileEntry, WalkOptions};

/// Receives what a reader finds. Tables arrive as a `begin_table`, columns announced as they
/// appear, rows of `(column index, value)` cells, and an `end_table`; documents arrive as text
/// chunks that end at line boundaries.
pub trait Sink {
    fn begin_table(&mut self, name: &str);
    /// Announces column `index` (0-based, dense) with its header as written in the source.
    fn column(&mut self, index: usize, name: &str);
    /// One record. A column may appear more than once (a JSON array) or not at all.
    fn row(&mut self, cells: &[(usize, &str)]);
    fn end_table(&mut self);
    /// A chunk of text whose first byte is at `offset` in the decoded document and on line
    /// `first_line` (1-based).
    fn text(&mut self, chunk: &str, first_line: u64, offset: u64);
    /// How many text chunks the sink takes at once in [`Sink::texts`]. A sink that scans chunks
    /// in parallel asks for one per worker; readers then read that many ahead. Chunk boundaries
    /// stay the same whatever the answer.
    fn text_batch(&self) -> usize {
        1
    }
    /// Consecutive chunks of one document, in order. The default hands them to [`Sink::text`]
    /// one by one.
    fn texts(&mut self, chunks: &[TextChunk<'_>]) {
        for c in chunks {
            self.text(c.text, c.first_line, c.offset);
        }
    }
    /// A recoverable problem (a malformed row, replaced bytes); reading goes on.
    fn warning(&mut self, message: String);
}

/// A chunk of a document's text, ending at a line boundary.
#[derive(Debug, Clone, Copy)]
pub struct TextChunk<'a> {
    pub text: &'a str,
    /// The 1-based line of the chunk's first byte.
    pub first_line: u64,
    /// The decoded byte offset of the chunk's first byte in its document.
    pub offset: u64,
}

/// Whether the first row of a delimited file is a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HeaderMode {
    #[default]
    Auto,
    Present,
    Absent,
}

/// How to read one file.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Overrides encoding detection.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// Overrides delimiter sniffing for delimited text.
    pub delimiter: Option<u8>,
    pub header: HeaderMode,
    /// Incremented with the compressed bytes read, for progress display.
    pub bytes_read: Option<Arc<AtomicU64>>,
    /// When set, readers stop at the next record boundary.
    pub cancel: Option<Arc<AtomicBool>>,
}

impl ReadOptions {
    fn cancelled(&self) -> bool {
        self.cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
    }
}

/// What reading a file amounted to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Read {
        format: Format,
        /// The text encoding used, for text-based formats.
        encoding: Option<String>,
    },
    /// Not a format Anshu reads (an image, an executable); not an error.
    Skipped { reason: String },
}

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("cannot read: {0}")]
    Io(#[from] io::Error),
    #[error("not valid {format}: {message}")]
    Malformed {
        format: &'static str,
        message: String,
    },
    #[error("cannot decode as {encoding}: {malformed} invalid byte sequences, the first at byte {first_at}")]
    Encoding {
        encoding: String,
        malformed: u64,
        first_at: u64,
    },
    #[error("unknown encoding label {0:?}")]
    UnknownEncoding(String),
    #[error("cancelled")]
    Cancelled,
}

impl SourceError {
    /// A stable machine-readable code for reports.
    pub fn code(&self) -> &'static str {
        match self {
            SourceError::Io(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                "permission_denied"
            }
            SourceError::Io(e) if e.kind() == io::ErrorKind::NotFound => "not_found",
            SourceError::Io(e) if e.kind() == io::ErrorKind::UnexpectedEof => "truncated",
            SourceError::Io(e) if e.kind() == io::ErrorKind::InvalidData => "corrupt",
            SourceError::Io(_) => "io_error",
            SourceError::Malformed { .. } => "malformed",
            SourceError::Encoding { .. } => "bad_encoding",
            SourceError::UnknownEncoding(_) => "bad_encoding",
            SourceError::Cancelled => "cancelled",
        }
    }
}

/// Counts bytes as they are read, for progress, and honours cancellation.
struct Counting<R> {
    inner: R,
    counter: Option<Arc<AtomicU64>>,
    cancel: Option<Arc<AtomicBool>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
        {
            // Not `Interrupted`: the standard library retries reads that fail with it.
            return Err(io::Error::other("cancelled"));
        }
        let n = self.inner.read(buf)?;
        if let Some(c) = &self.counter {
            c.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(n)
    }
}

/// Reads one file into `sink`. The format comes from the name (`.csv`, `.json.gz`…) and, when the
/// name says nothing, from the first bytes.
pub fn read_path(
    path: &Path,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<Outcome, SourceError> {
    match read_path_inner(path, opts, sink) {
        // Whatever a reader made of the stopped stream, the cause is the cancellation.
        Err(_) if opts.cancelled() => Err(SourceError::Cancelled),
        other => other,
    }
}

fn read_path_inner(
    path: &Path,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<Outcome, SourceError> {
    let file = File::open(path)?;
    let raw = Counting {
        inner: file,
        counter: opts.bytes_read.clone(),
        cancel: opts.cancel.clone(),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let (gz, inner_name) = match name.strip_suffix(".gz") {
        Some(rest) => (true, rest.to_owned()),
        None => (false, name.clone()),
    };
    let mut reader: Box<dyn Read> = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            1 << 16,
            raw,
        )))
    } else {
        Box::new(raw)
    };
    let mut head = Vec::with_capacity(8192);
    (&mut reader)
        .take(8192)
        .read_to_end(&mut head)
        .map_err(map_gz)?;
    let format = Format::detect(&inner_name, &head);
    let chained: Box<dyn Read> = Box::new(io::Cursor::new(head).chain(reader));
    let result = read_format(format, path, chained, opts, sink);
    match result {
        Err(SourceError::Io(e)) => Err(SourceError::Io(map_gz(e))),
        other => other,
    }
}

/// Gzip streams that end early surface as UnexpectedEof (reported as `truncated`); a damaged
/// deflate stream surfaces as InvalidInput, which is reported as `corrupt`.
fn map_gz(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::InvalidInput {
        io::Error::new(io::ErrorKind::InvalidData, e.to_string())
    } else {
        e
    }
}

fn read_format(
    format: Format,
    path: &Path,
    reader: Box<dyn Read>,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<Outcome, SourceError> {
    let table_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match format {
        Format::Binary(kind) => Ok(Outcome::Skipped {
            reason: format!("binary file ({kind})"),
        }),
        Format::Delimited { delimiter } => {
            let (text, enc) = decode::decoding_reader(reader, opts.encoding)?;
            let report =
                table::read_delimited(text, delimiter.or(opts.delimiter), opts, &table_name, sink)?;
            finish_decode(&report, sink)?;
            Ok(Outcome::Read {
                format,
                encoding: Some(enc),
            })
        }
        Format::Json | Format::JsonLines => {
            let (text, enc) = decode::decoding_reader(reader, opts.encoding)?;
            let report =
                json::read_json(text, format == Format::JsonLines, opts, &table_name, sink)?;
            finish_decode(&report, sink)?;
            Ok(Outcome::Read {
                format,
                encoding: Some(enc),
            })
        }
        Format::Text => {
            let (text, enc) = decode::decoding_reader(reader, opts.encoding)?;
            let report = text::read_text(text, opts, sink)?;
            finish_decode(&report, sink)?;
            Ok(Outcome::Read {
                format,
                encoding: Some(enc),
            })
        }
        Format::Parquet => {
            sheet::read_parquet(reader, path, opts, sink)?;
            Ok(Outcome::Read {
                format,
                encoding: None,
            })
        }
        Format::Spreadsheet => {
            sheet::read_workbook(reader, &table_name, opts, sink)?;
            Ok(Outcome::Read {
                format,
                encoding: None,
            })
        }
        Format::Docx => {
            docx::read_docx(reader, sink)?;
            Ok(Outcome::Read {
                format,
                encoding: None,
            })
        }
    }
}

/// Replaced bytes in an otherwise readable file are a warning; a file that is mostly undecodable
/// is an error, because its findings would be meaningless.
fn finish_decode(report: &DecodeReport, sink: &mut dyn Sink) -> Result<(), SourceError> {
    if report.malformed == 0 {
        return Ok(());
    }
    let bytes = report.bytes.max(1);
    if report.malformed * 100 > bytes || report.malformed > 10_000 {
        return Err(SourceError::Encoding {
            encoding: report.encoding.clone(),
            malformed: report.malformed,
            first_at: report.first_malformed_at,
        });
    }
    sink.warning(format!(
        "{} invalid {} byte sequences replaced, the first at byte {}",
        report.malformed, report.encoding, report.first_malformed_at
    ));
    Ok(())
}

/// The path as shown in reports: as given, with `/` separators.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_owned).unwrap_or(s)
}

/// Paths of files under `root` in a stable order, for tests and tools.
pub fn list_files(root: &Path) -> Vec<PathBuf> {
    let d = discover(&[root.to_path_buf()], &WalkOptions::default());
    d.files.into_iter().map(|f| f.path).collect()
}
