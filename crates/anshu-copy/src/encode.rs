//! Writing text back in the encoding it was read in.

use std::io::{self, Write};

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// Encodes UTF-8 text into the original encoding, with a byte-order mark when the input had one.
pub(crate) struct Encoder {
    enc: &'static Encoding,
    bom: bool,
    started: bool,
    encoder: encoding_rs::Encoder,
    buf: Vec<u8>,
}

impl Encoder {
    pub(crate) fn new(enc: &'static Encoding, bom: bool) -> Encoder {
        Encoder {
            enc,
            bom,
            started: false,
            encoder: enc.output_encoding().new_encoder(),
            buf: Vec::with_capacity(1 << 16),
        }
    }

    /// Writes `text` (whole characters) to `out`.
    pub(crate) fn write(&mut self, out: &mut dyn Write, text: &str) -> io::Result<()> {
        if !self.started {
            self.started = true;
            if self.bom {
                if self.enc == UTF_8 {
                    out.write_all(b"\xEF\xBB\xBF")?;
                } else if self.enc == UTF_16LE {
                    out.write_all(b"\xFF\xFE")?;
                } else if self.enc == UTF_16BE {
                    out.write_all(b"\xFE\xFF")?;
                }
            }
        }
        if self.enc == UTF_8 {
            return out.write_all(text.as_bytes());
        }
        // encoding_rs encodes UTF-16 as UTF-8 (the WHATWG rule for forms), so do it here.
        if self.enc == UTF_16LE || self.enc == UTF_16BE {
            self.buf.clear();
            for u in text.encode_utf16() {
                let b = if self.enc == UTF_16LE {
                    u.to_le_bytes()
                } else {
                    u.to_be_bytes()
                };
                self.buf.extend_from_slice(&b);
            }
            return out.write_all(&self.buf);
        }
        self.buf.clear();
        self.buf.reserve(
            self.encoder
                .max_buffer_length_from_utf8_if_no_unmappables(text.len())
                .unwrap_or(text.len() * 4)
                + 64,
        );
        let mut rest = text;
        loop {
            let (result, read) = self.encoder.encode_from_utf8_to_vec_without_replacement(
                rest,
                &mut self.buf,
                false,
            );
            rest = &rest[read..];
            match result {
                encoding_rs::EncoderResult::InputEmpty => break,
                encoding_rs::EncoderResult::OutputFull => {
                    self.buf.reserve(rest.len() * 4 + 64);
                }
                encoding_rs::EncoderResult::Unmappable(c) => {
                    // Not representable in a legacy encoding (never for GB18030): write a
                    // numeric reference as browsers do, so nothing is silently dropped.
                    self.buf
                        .extend_from_slice(format!("&#{};", c as u32).as_bytes());
                }
            }
        }
        out.write_all(&self.buf)
    }
}

/// Whether raw bytes start with a byte-order mark.
pub(crate) fn has_bom(head: &[u8]) -> bool {
    head.starts_with(b"\xEF\xBB\xBF")
        || head.starts_with(b"\xFF\xFE")
        || head.starts_with(b"\xFE\xFF")
}
