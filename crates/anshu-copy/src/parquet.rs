//! Parquet files, copied column chunk by column chunk with Parquet's own typed readers and
//! writers, so the copy keeps the schema (physical and logical types, nesting, nullability),
//! each column's compression, the writer version and the key-value metadata (an Arrow schema
//! stays valid because no type changes).
//!
//! Values the visitor may see and change are those with a text form: strings (UTF8, ENUM, JSON
//! and unannotated byte arrays holding UTF-8), integers (signed and unsigned), decimals stored
//! in INT32/INT64, floats, dates and timestamps. Booleans, INT96, fixed-length byte arrays and
//! binary values are copied untouched. A changed value is written back in the column's own type;
//! one that no longer fits it (a redacted number, say) becomes null where the column allows
//! nulls, and fails the file where it doesn't, naming the column.
//!
//! Row groups are read [`CHUNK_ROWS`] records at a time over all columns at once; each chunk is
//! written as one row group of the copy, so memory is bounded by the chunk, not by the input's
//! row-group size (large input row groups come out split).

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;

use parquet::basic::{ConvertedType, LogicalType, Repetition, TimeUnit, Type as Physical};
use parquet::column::reader::{ColumnReader, ColumnReaderImpl};
use parquet::column::writer::ColumnWriter;
use parquet::data_type::{
    BoolType, ByteArray, ByteArrayType, DataType, DoubleType, FixedLenByteArrayType, FloatType,
    Int32Type, Int64Type, Int96Type,
};
use parquet::file::properties::{WriterProperties, WriterVersion};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::ColumnDescriptor;

use crate::{CopyError, CopyInfo, Visitor, BLOCK_ROWS};

/// Records read from every column before the visitor sees them and the copy's row group is
/// written.
pub const CHUNK_ROWS: usize = 65_536;

fn malformed(e: impl std::fmt::Display) -> CopyError {
    CopyError::Malformed {
        format: "Parquet",
        message: e.to_string(),
    }
}

/// How a column's values read as text.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// Copied untouched, never shown to the visitor.
    Pass,
    /// UTF-8 text (annotated or not; invalid UTF-8 values are left as they are).
    Text,
    Int {
        unsigned: bool,
    },
    Decimal {
        scale: u32,
    },
    Float,
    Date,
    Timestamp {
        /// Units per second.
        per_second: i64,
    },
}

fn kind_of(d: &ColumnDescriptor) -> Kind {
    let logical = d.logical_type_ref();
    let converted = d.converted_type();
    match d.physical_type() {
        Physical::BYTE_ARRAY => match (logical, converted) {
            (Some(LogicalType::Bson | LogicalType::Decimal { .. }), _) => Kind::Pass,
            (_, ConvertedType::BSON | ConvertedType::DECIMAL) => Kind::Pass,
            (Some(LogicalType::Geometry(_) | LogicalType::Geography(_)), _) => Kind::Pass,
            (Some(LogicalType::Variant(_)), _) => Kind::Pass,
            _ => Kind::Text,
        },
        Physical::INT32 | Physical::INT64 => {
            if let Some(LogicalType::Timestamp(t)) = logical {
                return Kind::Timestamp {
                    per_second: match t.unit {
                        TimeUnit::MILLIS => 1_000,
                        TimeUnit::MICROS => 1_000_000,
                        TimeUnit::NANOS => 1_000_000_000,
                    },
                };
            }
            if matches!(logical, Some(LogicalType::Time(_))) {
                return Kind::Pass;
            }
            match converted {
                ConvertedType::DATE => Kind::Date,
                ConvertedType::TIMESTAMP_MILLIS => Kind::Timestamp { per_second: 1_000 },
                ConvertedType::TIMESTAMP_MICROS => Kind::Timestamp {
                    per_second: 1_000_000,
                },
                ConvertedType::TIME_MILLIS
                | ConvertedType::TIME_MICROS
                | ConvertedType::INTERVAL => Kind::Pass,
                ConvertedType::DECIMAL => match u32::try_from(d.type_scale()) {
                    Ok(0) => Kind::Int { unsigned: false },
                    Ok(scale) if scale <= 18 => Kind::Decimal { scale },
                    _ => Kind::Pass,
                },
                ConvertedType::UINT_8
                | ConvertedType::UINT_16
                | ConvertedType::UINT_32
                | ConvertedType::UINT_64 => Kind::Int { unsigned: true },
                _ => match logical {
                    Some(LogicalType::Integer(i)) if !i.is_signed => Kind::Int { unsigned: true },
                    Some(LogicalType::Date) => Kind::Date,
                    _ => Kind::Int { unsigned: false },
                },
            }
        }
        Physical::FLOAT | Physical::DOUBLE => match logical {
            Some(LogicalType::Float16) => Kind::Pass,
            _ => Kind::Float,
        },
        Physical::BOOLEAN | Physical::INT96 | Physical::FIXED_LEN_BYTE_ARRAY => Kind::Pass,
    }
}

/// Days since 1970-01-01 as (year, month, day).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn date_text(days: i64) -> String {
    let (y, m, d) = civil(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Days since the epoch of a written date; a bare year (a generalised birth date) reads as its
/// first day.
fn parse_days(s: &str) -> Option<i64> {
    let t = s.trim();
    if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) {
        let year: u32 = t.parse().ok()?;
        return Some(anshu_mask::shape::days(anshu_detect::Date::checked(
            year, 1, 1,
        )?));
    }
    let w = anshu_mask::shape::parse_date(t)?;
    Some(anshu_mask::shape::days(w.date))
}

fn timestamp_text(v: i64, per_second: i64) -> String {
    let secs = v.div_euclid(per_second);
    let frac = v.rem_euclid(per_second);
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let mut s = format!(
        "{} {:02}:{:02}:{:02}",
        date_text(days),
        sod / 3_600,
        sod % 3_600 / 60,
        sod % 60
    );
    if frac != 0 {
        let width = per_second.ilog10() as usize;
        s.push_str(&format!(".{frac:0width$}"));
    }
    s
}

fn parse_timestamp(s: &str, per_second: i64) -> Option<i64> {
    let t = s.trim();
    let days = parse_days(t)?;
    // The time of day, if any, follows the date: `HH:MM[:SS[.fff]]`.
    let time = t
        .split_once([' ', 'T'])
        .map(|(_, r)| r.trim())
        .unwrap_or("");
    let (mut secs, mut frac) = (0i64, 0i64);
    if !time.is_empty() {
        let time = time.trim_end_matches('Z');
        let (hms, f) = time.split_once('.').unwrap_or((time, ""));
        let mut parts = hms.split(':');
        let h: i64 = parts.next()?.parse().ok()?;
        let m: i64 = parts.next().unwrap_or("0").parse().ok()?;
        let sec: i64 = parts.next().unwrap_or("0").parse().ok()?;
        if !(0..24).contains(&h) || !(0..60).contains(&m) || !(0..61).contains(&sec) {
            return None;
        }
        secs = h * 3_600 + m * 60 + sec;
        let width = per_second.ilog10() as usize;
        if !f.is_empty() {
            if !f.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let digits: String = f
                .chars()
                .chain(std::iter::repeat('0'))
                .take(width)
                .collect();
            frac = digits.parse().ok()?;
        }
    }
    (days * 86_400 + secs)
        .checked_mul(per_second)?
        .checked_add(frac)
}

fn decimal_text(v: i128, scale: u32) -> String {
    if scale == 0 {
        return v.to_string();
    }
    let p = 10i128.pow(scale);
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    let p = p as u128;
    format!("{sign}{}.{:0width$}", a / p, a % p, width = scale as usize)
}

fn parse_decimal(s: &str, scale: u32) -> Option<i128> {
    let t = s.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t),
    };
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if frac.len() > scale as usize && frac[scale as usize..].bytes().any(|b| b != b'0') {
        return None;
    }
    let mut v: i128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    for i in 0..scale as usize {
        let d = frac.as_bytes().get(i).map_or(0, |b| i128::from(b - b'0'));
        v = v.checked_mul(10)?.checked_add(d)?;
    }
    Some(if neg { -v } else { v })
}

/// A physical value that may have a text form.
trait TextValue: Sized {
    fn text(&self, kind: Kind) -> Option<String>;
    fn parse(s: &str, kind: Kind) -> Option<Self>;
}

impl TextValue for ByteArray {
    fn text(&self, kind: Kind) -> Option<String> {
        match kind {
            Kind::Text => self.as_utf8().ok().map(str::to_owned),
            _ => None,
        }
    }
    fn parse(s: &str, _: Kind) -> Option<Self> {
        Some(ByteArray::from(s.as_bytes().to_vec()))
    }
}

impl TextValue for i32 {
    fn text(&self, kind: Kind) -> Option<String> {
        match kind {
            Kind::Int { unsigned: true } => Some((*self as u32).to_string()),
            Kind::Int { unsigned: false } => Some(self.to_string()),
            Kind::Decimal { scale } => Some(decimal_text(i128::from(*self), scale)),
            Kind::Date => Some(date_text(i64::from(*self))),
            Kind::Timestamp { per_second } => Some(timestamp_text(i64::from(*self), per_second)),
            _ => None,
        }
    }
    fn parse(s: &str, kind: Kind) -> Option<Self> {
        match kind {
            Kind::Int { unsigned: true } => s.trim().parse::<u32>().ok().map(|v| v as i32),
            Kind::Int { unsigned: false } => s.trim().parse().ok(),
            Kind::Decimal { scale } => parse_decimal(s, scale)?.try_into().ok(),
            Kind::Date => parse_days(s)?.try_into().ok(),
            Kind::Timestamp { per_second } => parse_timestamp(s, per_second)?.try_into().ok(),
            _ => None,
        }
    }
}

impl TextValue for i64 {
    fn text(&self, kind: Kind) -> Option<String> {
        match kind {
            Kind::Int { unsigned: true } => Some((*self as u64).to_string()),
            Kind::Int { unsigned: false } => Some(self.to_string()),
            Kind::Decimal { scale } => Some(decimal_text(i128::from(*self), scale)),
            Kind::Date => Some(date_text(*self)),
            Kind::Timestamp { per_second } => Some(timestamp_text(*self, per_second)),
            _ => None,
        }
    }
    fn parse(s: &str, kind: Kind) -> Option<Self> {
        match kind {
            Kind::Int { unsigned: true } => s.trim().parse::<u64>().ok().map(|v| v as i64),
            Kind::Int { unsigned: false } => s.trim().parse().ok(),
            Kind::Decimal { scale } => parse_decimal(s, scale)?.try_into().ok(),
            Kind::Date => parse_days(s),
            Kind::Timestamp { per_second } => parse_timestamp(s, per_second),
            _ => None,
        }
    }
}

impl TextValue for f32 {
    fn text(&self, kind: Kind) -> Option<String> {
        (kind == Kind::Float).then(|| self.to_string())
    }
    fn parse(s: &str, _: Kind) -> Option<Self> {
        s.trim().parse().ok()
    }
}

impl TextValue for f64 {
    fn text(&self, kind: Kind) -> Option<String> {
        (kind == Kind::Float).then(|| self.to_string())
    }
    fn parse(s: &str, _: Kind) -> Option<Self> {
        s.trim().parse().ok()
    }
}

/// Values that are always copied untouched.
macro_rules! pass_value {
    ($($t:ty),*) => {$(
        impl TextValue for $t {
            fn text(&self, _: Kind) -> Option<String> {
                None
            }
            fn parse(_: &str, _: Kind) -> Option<Self> {
                None
            }
        }
    )*};
}
pass_value!(
    bool,
    parquet::data_type::Int96,
    parquet::data_type::FixedLenByteArray
);

/// One leaf column of the current chunk: its levels and non-null values.
trait ChunkColumn {
    /// Reads up to `n` records; returns how many were read.
    fn read(&mut self, n: usize) -> Result<usize, CopyError>;
    /// For each record of the chunk, where its values start (one extra entry closes the last).
    fn starts(&self) -> &[usize];
    fn kind(&self) -> Kind;
    fn text(&self, value: usize) -> Option<String>;
    /// Replaces a value with the value a text stands for; `Err` when it has none in this type.
    fn set_text(&mut self, value: usize, text: &str) -> Result<(), ()>;
    /// Makes a value null (only valid when the leaf is optional).
    fn set_null(&mut self, value: usize);
    fn nullable(&self) -> bool;
    fn write(&mut self, w: &mut ColumnWriter<'_>) -> Result<(), CopyError>;
}

struct Column<T: DataType> {
    reader: ColumnReaderImpl<T>,
    kind: Kind,
    max_def: i16,
    max_rep: i16,
    nullable: bool,
    def: Vec<i16>,
    rep: Vec<i16>,
    values: Vec<T::T>,
    starts: Vec<usize>,
    nulls: Vec<usize>,
}

impl<T: DataType> ChunkColumn for Column<T>
where
    T::T: TextValue,
{
    fn read(&mut self, n: usize) -> Result<usize, CopyError> {
        self.def.clear();
        self.rep.clear();
        self.values.clear();
        self.starts.clear();
        self.nulls.clear();
        let (records, _, levels) = self
            .reader
            .read_records(
                n,
                (self.max_def > 0).then_some(&mut self.def),
                (self.max_rep > 0).then_some(&mut self.rep),
                &mut self.values,
            )
            .map_err(malformed)?;
        // Records begin where the repetition level is 0; a value is present where the
        // definition level is at its maximum.
        let mut v = 0usize;
        for i in 0..levels {
            if self.max_rep == 0 || self.rep.get(i) == Some(&0) {
                self.starts.push(v);
            }
            if self.max_def == 0 || self.def.get(i) == Some(&self.max_def) {
                v += 1;
            }
        }
        if self.max_def == 0 && self.max_rep == 0 {
            self.starts.clear();
            self.starts.extend(0..self.values.len());
            v = self.values.len();
        }
        if v != self.values.len() {
            return Err(malformed(format!(
                "levels announce {v} values but {} were read",
                self.values.len()
            )));
        }
        self.starts.push(v);
        Ok(records)
    }
    fn starts(&self) -> &[usize] {
        &self.starts
    }
    fn kind(&self) -> Kind {
        self.kind
    }
    fn text(&self, value: usize) -> Option<String> {
        self.values.get(value)?.text(self.kind)
    }
    fn set_text(&mut self, value: usize, text: &str) -> Result<(), ()> {
        let slot = self.values.get_mut(value).ok_or(())?;
        *slot = T::T::parse(text, self.kind).ok_or(())?;
        Ok(())
    }
    fn set_null(&mut self, value: usize) {
        self.nulls.push(value);
    }
    fn nullable(&self) -> bool {
        self.nullable
    }
    fn write(&mut self, w: &mut ColumnWriter<'_>) -> Result<(), CopyError> {
        let Some(w) = T::get_column_writer_mut(w) else {
            return Err(malformed("column writer of another type"));
        };
        if !self.nulls.is_empty() {
            // Drop the nulled values and lower their definition level by one: the leaf is
            // absent, its parents are still there.
            self.nulls.sort_unstable();
            let mut keep = Vec::with_capacity(self.values.len());
            let mut v = 0usize;
            let mut ni = 0usize;
            let values = std::mem::take(&mut self.values);
            let mut it = values.into_iter();
            for d in self.def.iter_mut() {
                if *d == self.max_def {
                    let val = it.next();
                    if self.nulls.get(ni) == Some(&v) {
                        ni += 1;
                        *d -= 1;
                    } else if let Some(val) = val {
                        keep.push(val);
                    }
                    v += 1;
                }
            }
            self.values = keep;
        }
        w.write_batch(
            &self.values,
            (self.max_def > 0).then_some(self.def.as_slice()),
            (self.max_rep > 0).then_some(self.rep.as_slice()),
        )
        .map_err(malformed)?;
        Ok(())
    }
}

fn column_of<T: DataType>(
    reader: ColumnReader,
    descr: &ColumnDescriptor,
) -> Result<Box<dyn ChunkColumn>, CopyError>
where
    T::T: TextValue,
{
    let reader = T::get_column_reader(reader).ok_or_else(|| malformed("column reader type"))?;
    Ok(Box::new(Column::<T> {
        reader,
        kind: kind_of(descr),
        max_def: descr.max_def_level(),
        max_rep: descr.max_rep_level(),
        nullable: descr.self_type().get_basic_info().repetition() == Repetition::OPTIONAL,
        def: Vec::new(),
        rep: Vec::new(),
        values: Vec::new(),
        starts: Vec::new(),
        nulls: Vec::new(),
    }))
}

fn open_column(
    reader: ColumnReader,
    descr: &ColumnDescriptor,
) -> Result<Box<dyn ChunkColumn>, CopyError> {
    match descr.physical_type() {
        Physical::BOOLEAN => column_of::<BoolType>(reader, descr),
        Physical::INT32 => column_of::<Int32Type>(reader, descr),
        Physical::INT64 => column_of::<Int64Type>(reader, descr),
        Physical::INT96 => column_of::<Int96Type>(reader, descr),
        Physical::FLOAT => column_of::<FloatType>(reader, descr),
        Physical::DOUBLE => column_of::<DoubleType>(reader, descr),
        Physical::BYTE_ARRAY => column_of::<ByteArrayType>(reader, descr),
        Physical::FIXED_LEN_BYTE_ARRAY => column_of::<FixedLenByteArrayType>(reader, descr),
    }
}

pub(crate) fn process(
    input: &Path,
    gz: bool,
    mut reader: Box<dyn Read>,
    out: Option<Box<dyn Write + Send>>,
    table: &str,
    v: &mut dyn Visitor,
) -> Result<CopyInfo, CopyError> {
    // Parquet needs random access: a plain file is read in place, a compressed one is inflated
    // into memory first.
    let file: Box<dyn FileReader> = if gz {
        let mut all = Vec::new();
        reader.read_to_end(&mut all)?;
        Box::new(SerializedFileReader::new(bytes::Bytes::from(all)).map_err(malformed)?)
    } else {
        drop(reader);
        Box::new(SerializedFileReader::new(File::open(input)?).map_err(malformed)?)
    };
    let meta = file.metadata();
    let schema = meta.file_metadata().schema_descr_ptr();
    let leaves: Vec<Arc<ColumnDescriptor>> = schema.columns().to_vec();

    let mut writer = match out {
        None => None,
        Some(out) => {
            let mut props = WriterProperties::builder()
                .set_writer_version(if meta.file_metadata().version() >= 2 {
                    WriterVersion::PARQUET_2_0
                } else {
                    WriterVersion::PARQUET_1_0
                })
                .set_key_value_metadata(meta.file_metadata().key_value_metadata().cloned());
            if let Some(rg) = meta.row_groups().first() {
                for (i, d) in leaves.iter().enumerate() {
                    props =
                        props.set_column_compression(d.path().clone(), rg.column(i).compression());
                }
            }
            Some(
                SerializedFileWriter::new(out, schema.root_schema_ptr(), Arc::new(props.build()))
                    .map_err(malformed)?,
            )
        }
    };

    v.begin_table(table);
    let names: Vec<String> = leaves.iter().map(|d| d.path().string()).collect();
    let mut shown = Vec::new();
    for (i, d) in leaves.iter().enumerate() {
        if kind_of(d) != Kind::Pass {
            v.column(shown.len(), &names[i]);
            shown.push(i);
        }
    }

    let mut block: Vec<Vec<(usize, String)>> = Vec::with_capacity(BLOCK_ROWS);
    // Per cell of the block: the leaf column and the value index within the chunk.
    let mut slots: Vec<Vec<(usize, usize)>> = Vec::with_capacity(BLOCK_ROWS);
    let result = (|| -> Result<(), CopyError> {
        for g in 0..meta.num_row_groups() {
            let rg = file.get_row_group(g).map_err(malformed)?;
            let mut cols = Vec::with_capacity(leaves.len());
            for (i, d) in leaves.iter().enumerate() {
                cols.push(open_column(rg.get_column_reader(i).map_err(malformed)?, d)?);
            }
            let total = usize::try_from(rg.metadata().num_rows()).unwrap_or(0);
            let mut done = 0usize;
            while done < total {
                let want = CHUNK_ROWS.min(total - done);
                let mut records = None;
                for (i, c) in cols.iter_mut().enumerate() {
                    let n = c.read(want)?;
                    if *records.get_or_insert(n) != n {
                        return Err(malformed(format!(
                            "column {} of row group {g} holds {n} records where others hold {}",
                            names[i],
                            records.unwrap_or(0)
                        )));
                    }
                }
                let records = records.unwrap_or(0);
                if records == 0 {
                    return Err(malformed(format!(
                        "row group {g} announces {total} rows but holds {done}"
                    )));
                }
                let mut r0 = 0usize;
                while r0 < records {
                    let r1 = (r0 + BLOCK_ROWS).min(records);
                    block.clear();
                    slots.clear();
                    for r in r0..r1 {
                        let mut cells = Vec::new();
                        let mut where_ = Vec::new();
                        for (si, &ci) in shown.iter().enumerate() {
                            let c = &cols[ci];
                            let s = c.starts();
                            let (a, b) = (
                                s.get(r).copied().unwrap_or(0),
                                s.get(r + 1).copied().unwrap_or(0),
                            );
                            for vi in a..b {
                                if let Some(t) = c.text(vi) {
                                    cells.push((si, t));
                                    where_.push((ci, vi));
                                }
                            }
                        }
                        block.push(cells);
                        slots.push(where_);
                    }
                    v.rows(&mut block);
                    if writer.is_some() {
                        for (cells, where_) in block.iter().zip(&slots) {
                            for ((_, text), &(ci, vi)) in cells.iter().zip(where_) {
                                let col = &mut cols[ci];
                                if col.kind() == Kind::Text {
                                    if col.text(vi).as_deref() == Some(text.as_str()) {
                                        continue;
                                    }
                                } else if text.trim().is_empty() {
                                    // An emptied number or date is a null.
                                    if col.nullable() {
                                        col.set_null(vi);
                                        continue;
                                    }
                                }
                                if col.set_text(vi, text).is_err() {
                                    if col.nullable() {
                                        col.set_null(vi);
                                    } else {
                                        return Err(malformed(format!(
                                            "column {} is a required {:?} column and its masked \
                                             value has no such form; choose a method that keeps \
                                             the value's shape (substitute, fpe, generalise)",
                                            names[ci],
                                            col.kind()
                                        )));
                                    }
                                }
                            }
                        }
                    }
                    r0 = r1;
                }
                if let Some(w) = writer.as_mut() {
                    let mut rgw = w.next_row_group().map_err(malformed)?;
                    let mut i = 0;
                    while let Some(mut cw) = rgw.next_column().map_err(malformed)? {
                        let Some(col) = cols.get_mut(i) else {
                            return Err(malformed("more columns written than read"));
                        };
                        col.write(cw.untyped())?;
                        cw.close().map_err(malformed)?;
                        i += 1;
                    }
                    rgw.close().map_err(malformed)?;
                }
                done += records;
            }
        }
        Ok(())
    })();
    v.end_table();
    result?;
    if let Some(w) = writer {
        crate::finish(w.into_inner().map_err(malformed)?)?;
    }
    Ok(CopyInfo {
        format: "parquet",
        encoding: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_timestamps_round_trip() {
        for days in [-25_567i64, -1, 0, 1, 7_000, 20_000, 47_482] {
            assert_eq!(parse_days(&date_text(days)), Some(days), "{days}");
        }
        for (v, unit) in [
            (0i64, 1_000i64),
            (631_152_000_123, 1_000),
            (-1, 1_000_000),
            (1_700_000_000_123_456_789, 1_000_000_000),
        ] {
            let t = timestamp_text(v, unit);
            assert_eq!(parse_timestamp(&t, unit), Some(v), "{t}");
        }
        assert_eq!(parse_days("1990"), parse_days("1990-01-01"));
        assert_eq!(timestamp_text(86_400_000, 1_000), "1970-01-02 00:00:00");
    }

    #[test]
    fn decimals_round_trip() {
        for (v, s) in [(12345i128, 2u32), (-5, 3), (0, 1), (-120, 2), (7, 0)] {
            let t = decimal_text(v, s);
            assert_eq!(parse_decimal(&t, s), Some(v), "{t}");
        }
        assert_eq!(decimal_text(-5, 3), "-0.005");
        assert_eq!(parse_decimal("1.5", 3), Some(1500));
        assert_eq!(parse_decimal("1.2345", 3), None);
        assert_eq!(parse_decimal("***", 2), None);
    }
}
