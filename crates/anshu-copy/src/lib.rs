//! # anshu-copy
//!
//! Writes transformed copies: it owns re-reading a file with enough fidelity to write it back in
//! the same format and encoding (CSV/TSV with their delimiter and line endings, JSON and JSON
//! Lines, Parquet, XLSX, text and logs, `.gz` of any of these), handing every table to a [`Visitor`] in
//! blocks of rows on the way; and the masking glue on top of it ([`masking`]): column plans from
//! a scan and a policy, span-by-span masking of free text, verification that no input value
//! survives verbatim, and the masking record. Database copies go through `anshu-db`'s copier
//! with the same plans.
//!
//! It deliberately does not decide what is sensitive (`anshu-detect` and `anshu-scan` do) nor
//! how a value is masked (`anshu-mask` does).

mod delimited;
mod encode;
mod json;
pub mod masking;
mod parquet;
mod sheet;
mod text;

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;

/// Rows handed to a visitor at a time: enough to amortise calls, few enough to bound memory.
pub const BLOCK_ROWS: usize = 1024;

/// Receives what a file holds, and may change it before it is written.
pub trait Visitor {
    fn begin_table(&mut self, name: &str);
    /// Announces column `index` (dense, 0-based) and its header.
    fn column(&mut self, index: usize, name: &str);
    /// A block of records; each record is `(column, value)` cells that may be changed in place.
    fn rows(&mut self, block: &mut [Vec<(usize, String)>]);
    fn end_table(&mut self);
    /// A chunk of running text starting on line `first_line` (1-based) at byte `offset` of the
    /// decoded document; it may be rewritten in place.
    fn text(&mut self, chunk: &mut String, first_line: u64, offset: u64);
    /// A recoverable problem in the input.
    fn warning(&mut self, message: String);
}

/// What kind of file was copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyInfo {
    pub format: &'static str,
    pub encoding: Option<String>,
}

/// Why a file could not be copied.
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("cannot read or write: {0}")]
    Io(#[from] io::Error),
    #[error("not valid {format}: {message}")]
    Malformed {
        format: &'static str,
        message: String,
    },
    #[error("{0}")]
    Source(#[from] anshu_source::SourceError),
    #[error("cannot write {0} files; convert to a supported format first")]
    Unsupported(String),
}

impl CopyError {
    pub fn code(&self) -> &'static str {
        match self {
            CopyError::Io(e) if e.kind() == io::ErrorKind::PermissionDenied => "permission_denied",
            CopyError::Io(_) => "io_error",
            CopyError::Malformed { .. } => "malformed",
            CopyError::Source(e) => e.code(),
            CopyError::Unsupported(_) => "unsupported_format",
        }
    }
}

/// Reads `input` and, when `output` is given, writes the copy there, calling `visitor` on the
/// way. Without an output it only reads (the planning pass).
pub fn process(
    input: &Path,
    output: Option<&Path>,
    encoding: Option<&'static encoding_rs::Encoding>,
    visitor: &mut dyn Visitor,
) -> Result<CopyInfo, CopyError> {
    let name = input
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let table = input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (gz, inner) = match name.strip_suffix(".gz") {
        Some(rest) => (true, rest.to_owned()),
        None => (false, name.clone()),
    };
    let file = File::open(input)?;
    let mut reader: Box<dyn Read> = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            1 << 16,
            file,
        )))
    } else {
        Box::new(BufReader::with_capacity(1 << 16, file))
    };
    let mut head = Vec::with_capacity(8192);
    (&mut reader).take(8192).read_to_end(&mut head)?;
    let format = anshu_source::Format::detect(&inner, &head);
    let reader: Box<dyn Read> = Box::new(io::Cursor::new(head).chain(reader));
    let writer: Option<Box<dyn Write + Send>> = match output {
        None => None,
        Some(p) => {
            if let Some(dir) = p.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let f = BufWriter::with_capacity(1 << 16, File::create(p)?);
            Some(if gz {
                Box::new(flate2::write::GzEncoder::new(
                    f,
                    flate2::Compression::default(),
                ))
            } else {
                Box::new(f)
            })
        }
    };
    use anshu_source::Format;
    if format == Format::Parquet {
        return parquet::process(input, gz, reader, writer, &table, visitor);
    }
    let writer = writer.map(|w| w as Box<dyn Write>);
    match format {
        Format::Delimited { delimiter } => {
            delimited::process(reader, encoding, delimiter, writer, &table, visitor)
        }
        Format::Json => json::process(reader, encoding, false, writer, &table, visitor),
        Format::JsonLines => json::process(reader, encoding, true, writer, &table, visitor),
        Format::Text => text::process(reader, encoding, writer, visitor),
        Format::Spreadsheet if inner.ends_with(".xlsx") => {
            sheet::process(reader, writer, &table, visitor)
        }
        other => Err(CopyError::Unsupported(other.name().to_owned())),
    }
}

/// Flushes and finishes a writer, including a gzip trailer.
pub(crate) fn finish(mut w: Box<dyn Write>) -> io::Result<()> {
    w.flush()
}
