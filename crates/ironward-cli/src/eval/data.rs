//! Reads labelled JSON Lines into memory, once, so that every pass of `eval` (the configured
//! one and each threshold of the plot's grid) judges the same parsed records without reading
//! or parsing again.
//!
//! The files' bytes are read by the caller and kept alive for the whole run; the records
//! borrow their strings from them. A line that is not valid UTF-8 or JSON, or that is no
//! record `scan` understands, or whose `label` is not a string, is a *bad line*: it is
//! reported as `FILE:LINE: why` and skipped. A record without a label (absent, `null` or
//! empty) is *unlabelled*: counted and skipped. Labels are trimmed and lower-cased; `benign`
//! is the negative class, every other label an attack.

use crate::record::{self, Label, Record};

/// How many bad or unlabelled lines are kept with their place, for the warnings.
pub(crate) const MAX_KEPT_ISSUES: usize = 10;

/// The name of the negative class.
pub(crate) const BENIGN: &str = "benign";

/// One parsed, labelled record.
#[derive(Debug)]
pub(crate) struct Item<'a> {
    /// Index into [`Dataset::labels`].
    pub(crate) label: usize,
    /// Length of its line in bytes, newline included (for progress).
    pub(crate) bytes: u64,
    /// The record.
    pub(crate) record: Record<'a>,
}

/// A line that was skipped, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Issue {
    /// The file, as given on the command line.
    pub(crate) file: String,
    /// The line number, from 1.
    pub(crate) line: usize,
    /// What is wrong with it.
    pub(crate) message: String,
}

/// Every record of the input files, parsed.
#[derive(Debug, Default)]
pub(crate) struct Dataset<'a> {
    /// Label names, in order of first appearance.
    pub(crate) labels: Vec<String>,
    /// The records to judge, in input order.
    pub(crate) items: Vec<Item<'a>>,
    /// Bytes of the records to judge.
    pub(crate) bytes: u64,
    /// Lines skipped for want of a label.
    pub(crate) unlabelled: u64,
    /// Lines that could not be read as labelled records.
    pub(crate) bad: u64,
    /// The first [`MAX_KEPT_ISSUES`] bad lines.
    pub(crate) bad_kept: Vec<Issue>,
    /// The first [`MAX_KEPT_ISSUES`] unlabelled lines.
    pub(crate) unlabelled_kept: Vec<Issue>,
}

impl<'a> Dataset<'a> {
    /// Whether label `i` is an attack label (anything but `benign`).
    pub(crate) fn is_attack(&self, i: usize) -> bool {
        self.labels.get(i).is_some_and(|l| l != BENIGN)
    }

    /// [`Dataset::is_attack`] for every label, in label order.
    pub(crate) fn attack_flags(&self) -> Vec<bool> {
        (0..self.labels.len()).map(|i| self.is_attack(i)).collect()
    }

    /// Parses the lines of one file, named `file` in messages.
    pub(crate) fn add_file(&mut self, file: &str, data: &'a [u8]) {
        for (n, raw) in data.split_inclusive(|b| *b == b'\n').enumerate() {
            let line = n + 1;
            let bytes = raw.len() as u64;
            let mut raw = raw.strip_suffix(b"\n").unwrap_or(raw);
            raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            if line == 1 {
                raw = raw.strip_prefix("\u{feff}".as_bytes()).unwrap_or(raw);
            }
            if raw.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let Ok(text) = std::str::from_utf8(raw) else {
                self.bad_line(file, line, "not valid UTF-8".to_owned());
                continue;
            };
            match record::parse_labelled(text) {
                Err(e) => self.bad_line(file, line, in_line(e)),
                Ok((_, Label::NotAString)) => {
                    self.bad_line(file, line, "\"label\" is not a string".to_owned());
                }
                Ok((record, Label::Text(l))) if !l.trim().is_empty() => {
                    let label = self.label_index(&l);
                    self.bytes += bytes;
                    self.items.push(Item {
                        label,
                        bytes,
                        record,
                    });
                }
                Ok(_) => {
                    self.unlabelled += 1;
                    if self.unlabelled_kept.len() < MAX_KEPT_ISSUES {
                        self.unlabelled_kept.push(Issue {
                            file: file.to_owned(),
                            line,
                            message: "no \"label\"".to_owned(),
                        });
                    }
                }
            }
        }
    }

    fn bad_line(&mut self, file: &str, line: usize, message: String) {
        self.bad += 1;
        if self.bad_kept.len() < MAX_KEPT_ISSUES {
            self.bad_kept.push(Issue {
                file: file.to_owned(),
                line,
                message,
            });
        }
    }

    fn label_index(&mut self, label: &str) -> usize {
        let label = label.trim();
        if let Some(i) = self
            .labels
            .iter()
            .position(|l| l.eq_ignore_ascii_case(label))
        {
            return i;
        }
        self.labels.push(label.to_ascii_lowercase());
        self.labels.len() - 1
    }
}

/// serde_json places an error at "line 1 column N" of the record; the record is one line of
/// the file, already named, so only the column is kept.
fn in_line(message: String) -> String {
    match message.rsplit_once(" at line 1 column ") {
        Some((what, column)) if column.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{what} (column {column})")
        }
        _ => message,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_labels_and_counts_what_it_skips() {
        let data = concat!(
            "\u{feff}{\"text\": \"a\", \"label\": \"sqli\"}\r\n",
            "\n",
            "  \n",
            "{\"text\": \"b\", \"label\": \" Benign \"}\n",
            "{\"text\": \"c\"}\n",
            "{\"text\": \"d\", \"label\": \"\"}\n",
            "not json\n",
            "{\"text\": \"e\", \"label\": 3}\n",
            "{\"label\": \"xss\"}\n",
            "{\"method\": \"GET\", \"path\": \"/x\", \"label\": \"SQLI\"}",
        );
        let mut ds = Dataset::default();
        ds.add_file("t.jsonl", data.as_bytes());
        ds.add_file("bad.jsonl", b"{\"text\": \"\xff\", \"label\": \"xss\"}\n");
        assert_eq!(ds.labels, vec!["sqli", "benign"]);
        assert_eq!(ds.items.len(), 3);
        assert_eq!(
            ds.items.iter().map(|i| i.label).collect::<Vec<_>>(),
            vec![0, 1, 0]
        );
        assert_eq!(ds.attack_flags(), vec![true, false]);
        assert_eq!(ds.unlabelled, 2);
        assert_eq!(
            ds.unlabelled_kept
                .iter()
                .map(|i| i.line)
                .collect::<Vec<_>>(),
            vec![5, 6]
        );
        assert_eq!(ds.bad, 4);
        let places: Vec<_> = ds
            .bad_kept
            .iter()
            .map(|i| format!("{}:{}", i.file, i.line))
            .collect();
        assert_eq!(
            places,
            ["t.jsonl:7", "t.jsonl:8", "t.jsonl:9", "bad.jsonl:1"]
        );
        assert!(ds.bad_kept[1].message.contains("label"));
        assert!(ds.bad_kept[3].message.contains("UTF-8"));
        assert_eq!(ds.bad_kept[0].message, "expected ident (column 2)");
        // The first line's bytes include its BOM and CRLF; the last has no newline.
        assert_eq!(ds.items[0].bytes, 35);
        assert_eq!(ds.bytes, ds.items.iter().map(|i| i.bytes).sum::<u64>());
    }

    #[test]
    fn keeps_only_the_first_issues() {
        let data = "x\n".repeat(MAX_KEPT_ISSUES + 5);
        let mut ds = Dataset::default();
        ds.add_file("x", data.as_bytes());
        assert_eq!(ds.bad, (MAX_KEPT_ISSUES + 5) as u64);
        assert_eq!(ds.bad_kept.len(), MAX_KEPT_ISSUES);
    }
}
