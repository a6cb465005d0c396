//! Format recognition from the file name and the first bytes.

/// A file format Anshu reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV, TSV and other delimited text; `None` means sniff the delimiter.
    Delimited {
        delimiter: Option<u8>,
    },
    Json,
    JsonLines,
    Parquet,
    /// XLSX, XLSM, XLSB, XLS or ODS.
    Spreadsheet,
    Docx,
    Text,
    /// A format that is not read (image, archive, executable…), with a short name.
    Binary(&'static str),
}

impl Format {
    pub fn name(&self) -> &'static str {
        match self {
            Format::Delimited { .. } => "delimited",
            Format::Json => "json",
            Format::JsonLines => "jsonl",
            Format::Parquet => "parquet",
            Format::Spreadsheet => "spreadsheet",
            Format::Docx => "docx",
            Format::Text => "text",
            Format::Binary(_) => "binary",
        }
    }

    /// `name` is the lower-cased file name without any `.gz` suffix.
    pub fn detect(name: &str, head: &[u8]) -> Format {
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        // Magic numbers win over names: a `.csv` that is really a ZIP is not text.
        if head.starts_with(b"PAR1") {
            return Format::Parquet;
        }
        if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            return Format::Spreadsheet;
        }
        if head.starts_with(b"PK\x03\x04") {
            return match ext {
                "xlsx" | "xlsm" | "xlsb" | "ods" => Format::Spreadsheet,
                "docx" => Format::Docx,
                _ => Format::Binary("zip archive"),
            };
        }
        // A name is a claim, not a fact: random bytes called .csv are binary.
        let textual = matches!(
            ext,
            "csv" | "tsv" | "tab" | "psv" | "json" | "jsonl" | "ndjson" | "jsonlines"
        );
        if textual {
            if let Some(kind) = binary_kind(head) {
                return Format::Binary(kind);
            }
        }
        match ext {
            "csv" => return Format::Delimited { delimiter: None },
            "tsv" | "tab" => {
                return Format::Delimited {
                    delimiter: Some(b'\t'),
                }
            }
            "psv" => {
                return Format::Delimited {
                    delimiter: Some(b'|'),
                }
            }
            "json" => return Format::Json,
            "jsonl" | "ndjson" | "jsonlines" => return Format::JsonLines,
            "parquet" => return Format::Parquet,
            "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => return Format::Spreadsheet,
            "docx" => return Format::Docx,
            _ => {}
        }
        if let Some(kind) = binary_kind(head) {
            return Format::Binary(kind);
        }
        let trimmed = strip_bom(head);
        let first = trimmed.iter().copied().find(|b| !b.is_ascii_whitespace());
        if matches!(first, Some(b'{') | Some(b'[')) && ext != "txt" && ext != "log" && ext != "md" {
            return Format::Json;
        }
        Format::Text
    }
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(b)
}

fn binary_kind(head: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG", "PNG image"),
        (b"\xFF\xD8\xFF", "JPEG image"),
        (b"GIF8", "GIF image"),
        (
            b"%PDF",
            "PDF document; text extraction is not supported yet",
        ),
        (b"\x7FELF", "executable"),
        (b"MZ", "executable"),
        (b"\x1F\x8B", "gzip data"),
        (b"7z\xBC\xAF", "7z archive"),
        (b"Rar!", "RAR archive"),
        (
            b"SQLite format 3\0",
            "SQLite database; scan it with sqlite://",
        ),
        (b"BZh", "bzip2 data"),
        (b"\xFD7zXZ", "xz data"),
        (b"\x28\xB5\x2F\xFD", "zstd data"),
    ];
    for (m, kind) in MAGIC {
        if head.starts_with(m) {
            return Some(kind);
        }
    }
    // UTF-16 text has NULs in every other byte; anything else with NULs is binary.
    let utf16 = head.starts_with(&[0xFF, 0xFE])
        || head.starts_with(&[0xFE, 0xFF])
        || crate::decode::looks_utf16(head).is_some();
    if utf16 {
        return None;
    }
    if head.iter().take(8192).any(|&b| b == 0) {
        return Some("binary data");
    }
    // Text has few control characters besides tab, CR, LF and form feed.
    let sample = &head[..head.len().min(8192)];
    let controls = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B))
        .count();
    if sample.len() >= 64 && controls * 10 > sample.len() {
        return Some("binary data");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_name_and_magic() {
        assert_eq!(
            Format::detect("a.csv", b"x,y\n1,2"),
            Format::Delimited { delimiter: None }
        );
        assert_eq!(
            Format::detect("a.tsv", b"x\ty"),
            Format::Delimited {
                delimiter: Some(b'\t')
            }
        );
        assert_eq!(
            Format::detect("a.csv", b"PK\x03\x04...."),
            Format::Binary("zip archive")
        );
        assert_eq!(Format::detect("data", b"PAR1...."), Format::Parquet);
        assert_eq!(Format::detect("notes", b"hello"), Format::Text);
        assert_eq!(
            Format::detect("x.bin", b"ab\0cd"),
            Format::Binary("binary data")
        );
        assert_eq!(Format::detect("x", b"  {\"a\":1}"), Format::Json);
        assert_eq!(Format::detect("u16.txt", b"\xFF\xFEa\0b\0"), Format::Text);
        assert_eq!(
            Format::detect("r.csv", b"\x01\x02\x03a\0b"),
            Format::Binary("binary data")
        );
        let noise: Vec<u8> = (0..512u32).map(|i| (i * 37 % 31) as u8).collect();
        assert_eq!(
            Format::detect("r.csv", &noise),
            Format::Binary("binary data")
        );
    }
}
