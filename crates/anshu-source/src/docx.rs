//! Text of Word documents (DOCX): paragraphs of `word/document.xml`, one per line.

use std::io::{Cursor, Read};

use quick_xml::events::Event;

use crate::{Sink, SourceError};

pub(crate) fn read_docx(mut reader: Box<dyn Read>, sink: &mut dyn Sink) -> Result<(), SourceError> {
    let mut all = Vec::new();
    reader.read_to_end(&mut all)?;
    let mut zip = zip::ZipArchive::new(Cursor::new(all)).map_err(|e| SourceError::Malformed {
        format: "DOCX",
        message: e.to_string(),
    })?;
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .map_err(|e| SourceError::Malformed {
            format: "DOCX",
            message: format!("word/document.xml: {e}"),
        })?
        .read_to_string(&mut xml)?;
    let text = document_text(&xml).map_err(|message| SourceError::Malformed {
        format: "DOCX",
        message,
    })?;
    sink.text(&text, 1, 0);
    Ok(())
}

fn document_text(xml: &str) -> Result<String, String> {
    let mut r = quick_xml::Reader::from_str(xml);
    let mut out = String::new();
    let mut in_text = false;
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) if e.name().as_ref() == "w:t" => in_text = true,
            Ok(Event::End(e)) if e.name().as_ref() == "w:t" => in_text = false,
            Ok(Event::End(e)) if e.name().as_ref() == "w:p" => out.push('\n'),
            Ok(Event::Empty(e)) if e.name().as_ref() == "w:tab" => out.push('\t'),
            Ok(Event::Empty(e)) if e.name().as_ref() == "w:br" => out.push('\n'),
            Ok(Event::Text(t)) if in_text => {
                out.push_str(&t.xml10_content());
            }
            Ok(Event::GeneralRef(r)) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                    continue;
                }
                let c = match r.as_ref() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                };
                out.push_str(c);
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("at byte {}: {e}", r.buffer_position())),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_paragraphs() {
        let xml = r#"<w:document><w:body><w:p><w:r><w:t>手机 13800138000</w:t></w:r></w:p><w:p><w:r><w:t xml:space="preserve">a &amp; b</w:t></w:r></w:p></w:body></w:document>"#;
        assert_eq!(document_text(xml).unwrap(), "手机 13800138000\na & b\n");
    }
}
