//! Plain text and logs, handed to the sink in chunks that end at line boundaries so that a span
//! is never cut in two (no built-in type spans lines).
//!
//! Chunk boundaries do not depend on how many chunks the sink takes at once: each chunk is the
//! first [`CHUNK`] bytes from its start, cut after its last line break. Detection looks across
//! a chunk (hint words before a value, names found earlier in the chunk), so fixed boundaries
//! keep a scan's findings the same whatever the number of threads.

use std::borrow::Cow;
use std::io::Read;

use crate::decode::DecodingReader;
use crate::{DecodeReport, ReadOptions, Sink, SourceError, TextChunk};

/// The most a chunk holds.
const CHUNK: usize = 4 << 20;
/// The most chunks read ahead for one batch: bounds memory at 64 MB of text on many-core
/// machines, where one file still gets 16 workers.
const MAX_BATCH: usize = 16;

pub(crate) fn read_text(
    text: DecodingReader,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<DecodeReport, SourceError> {
    read_chunks(text, opts, sink, CHUNK)
}

/// [`read_text`] with chunks of at most `chunk` bytes (small ones in tests).
fn read_chunks(
    mut text: DecodingReader,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
    chunk: usize,
) -> Result<DecodeReport, SourceError> {
    let report = text.report();
    let batch = sink.text_batch().clamp(1, MAX_BATCH);
    // One buffer for the whole read, sized once: the unread tail moves to its front between
    // batches, so no byte is zeroed or allocated twice.
    let mut buf: Vec<u8> = vec![0; batch * chunk + 4096];
    let mut held = 0usize;
    let mut offset = 0u64;
    let mut line = 1u64;
    let mut eof = false;
    // At the end of input, a batch can leave chunks over: they go out in the next rounds.
    while !eof || held > 0 {
        if opts.cancelled() {
            return Err(SourceError::Cancelled);
        }
        // A tail longer than a batch (one line of many megabytes) still leaves room to read.
        let want = (batch * chunk).max(held + 4096);
        if buf.len() < want {
            buf.resize(want, 0);
        }
        let mut filled = held;
        while filled < want && !eof {
            let n = text.read(&mut buf[filled..want])?;
            if n == 0 {
                eof = true;
                break;
            }
            filled += n;
        }
        let ends = chunk_ends(&buf[..filled], eof, batch, chunk);
        let used = ends.last().copied().unwrap_or(0);
        // The decoder yields valid UTF-8 cut at character boundaries, so this is a check that
        // never fails in practice; were it to, replacement characters keep the scan going.
        let all: Cow<'_, str> = match simdutf8::basic::from_utf8(&buf[..used]) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => String::from_utf8_lossy(&buf[..used]),
        };
        let mut pieces: Vec<TextChunk<'_>> = Vec::with_capacity(ends.len());
        let mut start = 0usize;
        for &end in &ends {
            // Lossy replacement can change lengths; clamp to what the text holds.
            let end = end.min(all.len());
            let Some(piece) = all.get(start..end) else {
                break;
            };
            if !piece.is_empty() {
                pieces.push(TextChunk {
                    text: piece,
                    first_line: line,
                    offset,
                });
            }
            line += memchr::memchr_iter(b'\n', piece.as_bytes()).count() as u64;
            offset += piece.len() as u64;
            start = end;
        }
        if !pieces.is_empty() {
            sink.texts(&pieces);
        }
        drop(pieces);
        drop(all);
        buf.copy_within(used..filled, 0);
        held = filled - used;
    }
    let r = report.borrow().clone();
    Ok(r)
}

/// Where each chunk of `data` ends, at most `batch` of them: each is the first `chunk` bytes
/// from its start, cut after its last line break (or, on a line longer than a chunk, at a
/// character boundary). Bytes after the last end wait for more input unless `eof`.
fn chunk_ends(data: &[u8], eof: bool, batch: usize, chunk: usize) -> Vec<usize> {
    let mut ends = Vec::with_capacity(batch);
    let mut start = 0usize;
    while start < data.len() && ends.len() < batch {
        let rest = &data[start..];
        let window = &rest[..rest.len().min(chunk)];
        let len = if eof && rest.len() <= chunk {
            // The last chunk of the input takes everything.
            rest.len()
        } else if rest.len() < chunk {
            // Less than a chunk and more input to come: these bytes wait for the next read.
            break;
        } else {
            match memchr::memrchr(b'\n', window) {
                Some(i) => i + 1,
                None => char_prefix(window),
            }
        };
        start += len;
        ends.push(start);
    }
    ends
}

/// The longest prefix of `window` that ends at a character boundary, at least one byte so that
/// a stray byte cannot stall reading.
fn char_prefix(window: &[u8]) -> usize {
    match std::str::from_utf8(window) {
        Ok(_) => window.len(),
        Err(e) => e.valid_up_to().max(1),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use proptest::prelude::*;

    use super::*;
    use crate::decode::decoding_reader;

    /// Keeps what a reader hands over, asking for `batch` chunks at a time.
    struct Chunks {
        batch: usize,
        got: Vec<(String, u64, u64)>,
        calls: Vec<usize>,
    }

    impl Sink for Chunks {
        fn begin_table(&mut self, _: &str) {}
        fn column(&mut self, _: usize, _: &str) {}
        fn row(&mut self, _: &[(usize, &str)]) {}
        fn end_table(&mut self) {}
        fn text(&mut self, chunk: &str, first_line: u64, offset: u64) {
            self.got.push((chunk.to_owned(), first_line, offset));
        }
        fn text_batch(&self) -> usize {
            self.batch
        }
        fn texts(&mut self, chunks: &[TextChunk<'_>]) {
            self.calls.push(chunks.len());
            for c in chunks {
                self.text(c.text, c.first_line, c.offset);
            }
        }
        fn warning(&mut self, _: String) {}
    }

    fn read(bytes: &[u8], batch: usize, chunk: usize) -> Chunks {
        let (r, _) = decoding_reader(Box::new(Cursor::new(bytes.to_vec())), None).unwrap();
        let mut sink = Chunks {
            batch,
            got: Vec::new(),
            calls: Vec::new(),
        };
        read_chunks(r, &ReadOptions::default(), &mut sink, chunk).unwrap();
        sink
    }

    /// Lines of mixed ASCII and Chinese, some longer than a chunk.
    fn text() -> impl Strategy<Value = String> {
        let line = prop_oneof![
            "[a-z0-9 ]{0,40}",
            "[一-龥a-z]{0,30}",
            "[a-z]{200,700}",
            "[一-龥]{100,300}",
        ];
        proptest::collection::vec(line, 0..60).prop_map(|ls| ls.join("\n"))
    }

    proptest! {
        /// Chunks cover the text in order, end at a line break unless a line is longer than a
        /// chunk, carry the right line and offset, and do not depend on the batch size.
        #[test]
        fn chunks_do_not_depend_on_the_batch(
            t in text(),
            chunk in 64usize..2048,
            batch in 2usize..6,
        ) {
            let one = read(t.as_bytes(), 1, chunk);
            let many = read(t.as_bytes(), batch, chunk);
            prop_assert_eq!(&one.got, &many.got);
            prop_assert!(one.calls.iter().all(|&n| n == 1));
            prop_assert!(many.calls.iter().all(|&n| n >= 1 && n <= batch));
            let joined: String = one.got.iter().map(|(c, _, _)| c.as_str()).collect();
            prop_assert_eq!(&joined, &t);
            let (mut offset, mut line) = (0u64, 1u64);
            for (i, (c, l, o)) in one.got.iter().enumerate() {
                prop_assert_eq!((*l, *o), (line, offset));
                prop_assert!(c.len() <= chunk, "chunk {} of {} bytes", i, c.len());
                let last = i + 1 == one.got.len();
                if !last && c.contains('\n') {
                    prop_assert!(c.ends_with('\n'));
                }
                line += c.matches('\n').count() as u64;
                offset += c.len() as u64;
            }
        }
    }

    #[test]
    fn a_full_batch_is_handed_over_at_once() {
        let t = "一二三四五六七八九十\n".repeat(2000);
        let r = read(t.as_bytes(), 4, 1024);
        assert!(r.calls.contains(&4), "{:?}", r.calls);
        let joined: String = r.got.iter().map(|(c, _, _)| c.as_str()).collect();
        assert_eq!(joined, t);
    }
}
