//! Text encoding detection and a streaming decoder to UTF-8.
//!
//! Detection order: a forced encoding; a byte-order mark; UTF-16 recognised by the pattern of
//! zero bytes; valid UTF-8; and otherwise chardetng's guess, which for Chinese text picks GBK
//! (decoded as GB18030, its superset). Invalid sequences are replaced with U+FFFD and counted so
//! the caller can tell a few damaged bytes from a file in the wrong encoding.

use std::cell::RefCell;
use std::io::{self, Read};
use std::rc::Rc;

use encoding_rs::{Decoder, DecoderResult, Encoding, GB18030, GBK, UTF_16BE, UTF_16LE, UTF_8};

use crate::SourceError;

/// What decoding a file amounted to.
#[derive(Debug, Clone, Default)]
pub struct DecodeReport {
    pub encoding: String,
    /// Raw bytes consumed.
    pub bytes: u64,
    /// Invalid byte sequences replaced with U+FFFD.
    pub malformed: u64,
    /// Raw byte offset of the first invalid sequence.
    pub first_malformed_at: u64,
}

/// Looks up an encoding by its WHATWG label (`utf-8`, `gbk`, `gb18030`, `utf-16le`, `big5`…).
pub fn encoding_by_label(label: &str) -> Result<&'static Encoding, SourceError> {
    let l = label.trim().to_ascii_lowercase();
    // GBK files often contain GB18030-only characters; decoding with GB18030 loses nothing.
    if l == "gbk" || l == "gb2312" || l == "cp936" {
        return Ok(GB18030);
    }
    Encoding::for_label(l.as_bytes()).ok_or(SourceError::UnknownEncoding(label.to_owned()))
}

/// Detects UTF-16 without a BOM from where the zero bytes fall.
pub(crate) fn looks_utf16(head: &[u8]) -> Option<&'static Encoding> {
    let n = head.len().min(4096) & !1;
    if n < 8 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for (i, b) in head[..n].iter().enumerate() {
        if *b == 0 {
            if i % 2 == 0 {
                even += 1;
            } else {
                odd += 1;
            }
        }
    }
    let half = n / 2;
    if odd * 10 > half * 3 && even * 20 < half {
        Some(UTF_16LE)
    } else if even * 10 > half * 3 && odd * 20 < half {
        Some(UTF_16BE)
    } else {
        None
    }
}

fn sniff(head: &[u8]) -> &'static Encoding {
    if let Some((enc, _)) = Encoding::for_bom(head) {
        return enc;
    }
    if let Some(enc) = looks_utf16(head) {
        return enc;
    }
    match std::str::from_utf8(head) {
        Ok(_) => return UTF_8,
        // Only an incomplete character cut off at the end of the sample.
        Err(e) if e.error_len().is_none() => return UTF_8,
        Err(_) => {}
    }
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(head, false);
    let guess = det.guess(None, chardetng::Utf8Detection::Allow);
    if guess == GBK {
        GB18030
    } else {
        guess
    }
}

/// A reader that yields UTF-8 decoded from another reader.
pub struct DecodingReader {
    inner: Box<dyn Read>,
    decoder: Decoder,
    raw: Vec<u8>,
    raw_start: usize,
    raw_end: usize,
    eof: bool,
    /// The decoder has been flushed; encoding_rs forbids using it again.
    done: bool,
    out: Vec<u8>,
    out_pos: usize,
    report: Rc<RefCell<DecodeReport>>,
}

/// Wraps `r` in a decoder, sniffing the encoding unless `forced`. Returns the reader and the
/// encoding's name.
pub fn decoding_reader(
    mut r: Box<dyn Read>,
    forced: Option<&'static Encoding>,
) -> Result<(DecodingReader, String), SourceError> {
    let mut head = Vec::with_capacity(1 << 16);
    (&mut r).take(1 << 16).read_to_end(&mut head)?;
    let enc = forced.unwrap_or_else(|| sniff(&head));
    let name = enc.name().to_owned();
    let len = head.len();
    let mut raw = head;
    raw.resize(len.max(1 << 16), 0);
    Ok((
        DecodingReader {
            inner: r,
            decoder: enc.new_decoder_with_bom_removal(),
            raw,
            raw_start: 0,
            raw_end: len,
            eof: false,
            done: false,
            out: Vec::with_capacity(1 << 17),
            out_pos: 0,
            report: Rc::new(RefCell::new(DecodeReport {
                encoding: name.clone(),
                ..DecodeReport::default()
            })),
        },
        name,
    ))
}

impl DecodingReader {
    /// A handle to the decode report, readable after the reader is consumed.
    pub fn report(&self) -> Rc<RefCell<DecodeReport>> {
        Rc::clone(&self.report)
    }

    fn fill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.out_pos = 0;
        if self.done {
            return Ok(());
        }
        // Room for everything the raw buffer can decode to, so one call takes all of it.
        let cap = self
            .decoder
            .max_utf8_buffer_length_without_replacement(self.raw.len())
            .unwrap_or(self.raw.len() * 3 + 16)
            .max(MIN_DST);
        let mut out = std::mem::take(&mut self.out);
        out.resize(cap, 0);
        let written = self.decode_into(&mut out);
        // On an error nothing decoded is kept, as before: the caller sees the error.
        out.truncate(written.as_ref().copied().unwrap_or(0));
        self.out = out;
        written.map(drop)
    }

    /// Decodes into `dst` (at least [`MIN_DST`] bytes) until something is written or the input
    /// ends; returns how many bytes were written, always whole characters.
    fn decode_into(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        if self.done {
            return Ok(0);
        }
        loop {
            if self.raw_start == self.raw_end && !self.eof {
                self.raw_start = 0;
                self.raw_end = 0;
                let n = self.inner.read(&mut self.raw)?;
                if n == 0 {
                    self.eof = true;
                } else {
                    self.raw_end = n;
                }
            }
            let src = &self.raw[self.raw_start..self.raw_end];
            // Leave room for one replacement character after what the decoder writes.
            let room = dst.len() - REPLACEMENT.len();
            let (res, read, written) =
                self.decoder
                    .decode_to_utf8_without_replacement(src, &mut dst[..room], self.eof);
            let consumed_before = self.report.borrow().bytes;
            self.raw_start += read;
            let mut n = written;
            {
                let mut rep = self.report.borrow_mut();
                rep.bytes += read as u64;
                if let DecoderResult::Malformed(bad, extra) = res {
                    if rep.malformed == 0 {
                        rep.first_malformed_at = (consumed_before + read as u64)
                            .saturating_sub(u64::from(bad) + u64::from(extra));
                    }
                    rep.malformed += 1;
                }
            }
            if let DecoderResult::Malformed(_, _) = res {
                dst[n..n + REPLACEMENT.len()].copy_from_slice(REPLACEMENT);
                n += REPLACEMENT.len();
            }
            if self.eof
                && self.raw_start == self.raw_end
                && matches!(res, DecoderResult::InputEmpty)
            {
                self.done = true;
            }
            if n > 0 || self.done {
                return Ok(n);
            }
        }
    }
}

/// U+FFFD in UTF-8, written where the input held an invalid sequence.
const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();
/// The least room `decode_into` is given: a replacement character and the longest character.
const MIN_DST: usize = 16;
/// Reads at least this long are decoded straight into the caller's buffer.
const DIRECT: usize = 1 << 16;

impl Read for DecodingReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_pos == self.out.len() {
            // A large read skips the intermediate buffer: text is read in megabytes.
            if buf.len() >= DIRECT {
                return self.decode_into(buf);
            }
            self.fill()?;
            if self.out.is_empty() {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8], forced: Option<&'static Encoding>) -> (String, DecodeReport) {
        let (mut r, _) =
            decoding_reader(Box::new(io::Cursor::new(bytes.to_vec())), forced).unwrap();
        let rep = r.report();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        let rep = rep.borrow().clone();
        (s, rep)
    }

    #[test]
    fn detects_common_encodings() {
        let text = "姓名,手机号\n张三,13800138000\n";
        let (s, r) = decode(text.as_bytes(), None);
        assert_eq!((s.as_str(), r.encoding.as_str()), (text, "UTF-8"));

        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(decode(&bom, None).0, text);

        let (gbk, _, _) = GB18030.encode(text);
        let (s, r) = decode(&gbk, None);
        assert_eq!(s, text);
        assert_eq!(r.encoding, "gb18030");

        let mut u16le = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            u16le.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&u16le, None).0, text);
        // Without a BOM.
        assert_eq!(decode(&u16le[2..], None).0, text);
    }

    #[test]
    fn counts_malformed_bytes() {
        let (s, r) = decode(b"abc\xFFdef", Some(UTF_8));
        assert_eq!(s, "abc\u{FFFD}def");
        assert_eq!(r.malformed, 1);
        assert_eq!(r.first_malformed_at, 3);
    }

    /// Reads of a few bytes go through the decoder's own buffer, reads of megabytes straight
    /// into the caller's: both give the same text and the same count of damaged bytes.
    #[test]
    fn small_and_large_reads_agree() {
        let line = "客户张三的手机号是13800138000。\n";
        let text = line.repeat(30_000);
        let mut gbk = GB18030.encode(&text).0.into_owned();
        for at in [5usize, 70_001, 200_003, 500_000] {
            gbk[at] = 0xFF;
        }
        let read_with = |size: usize| {
            let (mut r, _) =
                decoding_reader(Box::new(io::Cursor::new(gbk.clone())), Some(GB18030)).unwrap();
            let rep = r.report();
            let mut out = Vec::new();
            let mut buf = vec![0u8; size];
            loop {
                let n = r.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
            let rep = rep.borrow().clone();
            (
                String::from_utf8(out).unwrap(),
                rep.malformed,
                rep.first_malformed_at,
            )
        };
        let small = read_with(7);
        let large = read_with(1 << 20);
        assert_eq!(small, large);
        // A damaged lead byte can leave its trail byte damaged too: at least one each.
        assert!(small.1 >= 4, "{} malformed", small.1);
        // Byte 5 is the trail byte of 张 (D5 C5): the damaged sequence starts at its lead.
        assert_eq!(small.2, 4);
        // And the text is what encoding_rs makes of the whole input at once.
        let (whole, _) = GB18030.decode_without_bom_handling(&gbk);
        assert_eq!(small.0, whole);
    }

    #[test]
    fn large_input_round_trips() {
        let line = "客户张三的手机号是13800138000。\n";
        let text = line.repeat(20_000);
        let (gbk, _, _) = GB18030.encode(&text);
        assert_eq!(decode(&gbk, None).0, text);
    }
}
