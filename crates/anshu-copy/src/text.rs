//! Plain text and logs: rewritten line by line in the original encoding.

use std::io::{BufRead, BufReader, Read, Write};

use crate::delimited::decode;
use crate::encode::Encoder;
use crate::{finish, CopyError, CopyInfo, Visitor};

pub(crate) fn process(
    reader: Box<dyn Read>,
    forced: Option<&'static encoding_rs::Encoding>,
    mut out: Option<Box<dyn Write>>,
    v: &mut dyn Visitor,
) -> Result<CopyInfo, CopyError> {
    let (text, enc, bom) = decode(reader, forced)?;
    let mut r = BufReader::with_capacity(1 << 16, text);
    let mut encoder = Encoder::new(enc, bom);
    let mut chunk = String::with_capacity(1 << 16);
    let mut line = String::new();
    let (mut first_line, mut lines, mut offset) = (1u64, 0u64, 0u64);
    loop {
        line.clear();
        let n = r.read_line(&mut line)?;
        if n > 0 {
            chunk.push_str(&line);
            lines += 1;
        }
        // Chunks end at line boundaries so no finding is cut in two.
        if (n == 0 && !chunk.is_empty()) || chunk.len() >= 1 << 16 {
            let len = chunk.len() as u64;
            v.text(&mut chunk, first_line, offset);
            if let Some(o) = out.as_mut() {
                encoder.write(o.as_mut(), &chunk)?;
            }
            offset += len;
            first_line = lines + 1;
            chunk.clear();
        }
        if n == 0 {
            break;
        }
    }
    if let Some(o) = out {
        finish(o)?;
    }
    Ok(CopyInfo {
        format: "text",
        encoding: Some(enc.name().to_owned()),
    })
}
