//! Plain text and logs, handed to the sink in chunks that end at line boundaries so that a span
//! is never cut in two (no built-in type spans lines).

use std::io::Read;

use crate::decode::DecodingReader;
use crate::{DecodeReport, ReadOptions, Sink, SourceError};

const CHUNK: usize = 4 << 20;

pub(crate) fn read_text(
    mut text: DecodingReader,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<DecodeReport, SourceError> {
    let report = text.report();
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + 4096);
    let mut offset = 0u64;
    let mut line = 1u64;
    let mut eof = false;
    while !eof {
        if opts.cancelled() {
            return Err(SourceError::Cancelled);
        }
        let start = buf.len();
        buf.resize(CHUNK.max(start + 4096), 0);
        let mut filled = start;
        while filled < buf.len() {
            let n = text.read(&mut buf[filled..])?;
            if n == 0 {
                eof = true;
                break;
            }
            filled += n;
        }
        buf.truncate(filled);
        // Cut after the last newline; keep the tail for the next chunk. A chunk with no newline
        // at all (a huge single line) is cut at a character boundary instead.
        let cut = if eof {
            buf.len()
        } else {
            match buf.iter().rposition(|&b| b == b'\n') {
                Some(i) => i + 1,
                // The decoder yields valid UTF-8, so only a character cut at the end can fail.
                None => match std::str::from_utf8(&buf) {
                    Ok(_) => buf.len(),
                    Err(e) => e.valid_up_to().max(1),
                },
            }
        };
        let chunk = String::from_utf8_lossy(&buf[..cut]);
        if !chunk.is_empty() {
            sink.text(&chunk, line, offset);
        }
        line += buf[..cut].iter().filter(|&&b| b == b'\n').count() as u64;
        offset += cut as u64;
        buf.drain(..cut);
    }
    let r = report.borrow().clone();
    Ok(r)
}
