//! The text layout both v3 bills share (as v2's downloadbill): a header line of column names,
//! one line per row with every field prefixed by a backquote, then a summary header and its
//! line of values. Columns are found by name, so layouts that differ in order, or gain columns
//! over time, read alike; columns this crate does not know are kept by name.

use crate::bill_text::{fields, yuan};
use crate::error::{quoted, Error, Result};
use crate::v3::bill::fee::Fee;
use crate::Fen;

/// A bill cut into its header, rows and summary; nothing typed yet.
pub(crate) struct Table<'a> {
    header: Vec<String>,
    known: Vec<bool>,
    // Each row's line, cut into fields only when read: a bill of 200 000 rows would otherwise
    // hold 5 million slices at once.
    rows: Vec<(usize, &'a str)>,
    pub summary: Summary<'a>,
}

/// The summary: its names and values.
pub(crate) struct Summary<'a> {
    names: Vec<&'a str>,
    values: Vec<&'a str>,
}

/// One row, with access by column name.
pub(crate) struct Row<'t, 'a> {
    table: &'t Table<'a>,
    fields: Vec<&'a str>,
    line: usize,
}

/// `收支金额（元）` and `收支金额(元)` both occur (older files and WeChat's docs use full-width
/// parentheses): compare names with ASCII ones.
fn normalise(name: &str) -> String {
    name.trim().replace('（', "(").replace('）', ")")
}

impl<'a> Table<'a> {
    /// Cuts `text` (a BOM is skipped) into header, rows and the summary that starts with a line
    /// whose first name is `summary_first`. A file without its summary is cut short: refused.
    pub fn read(text: &'a str, summary_first: &'static str) -> Result<Table<'a>> {
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).enumerate().filter(|(_, l)| !l.is_empty());
        let (_, header) = lines.next().ok_or_else(|| Error::missing("bill header"))?;
        let header: Vec<String> = header.split(',').map(normalise).collect();
        for (i, h) in header.iter().enumerate() {
            if header[..i].contains(h) {
                return Err(Error::invalid("bill header", format!("column {} appears twice", quoted(h))));
            }
        }
        let mut rows = Vec::new();
        let mut summary = None;
        while let Some((i, line)) = lines.next() {
            if line.starts_with(summary_first) {
                let names: Vec<&str> = line.split(',').map(str::trim).collect();
                let (j, values) = lines.next().ok_or_else(|| Error::missing("bill summary line"))?;
                let values = fields(values, names.len(), j + 1)?;
                if let Some((_, extra)) = lines.next() {
                    let start: String = extra.chars().take(40).collect();
                    return Err(Error::invalid("bill", format!("text after the summary: {}", quoted(&start))));
                }
                summary = Some(Summary { names, values });
                break;
            }
            rows.push((i + 1, line));
        }
        let summary = summary.ok_or_else(|| Error::missing(&format!("bill summary ({summary_first}): the bill is cut")))?;
        let known = vec![false; header.len()];
        Ok(Table { header, known, rows, summary })
    }

    /// Requires the columns `names`, and marks them and `optional` as known (not extra).
    pub fn columns(&mut self, names: &[&str], optional: &[&str]) -> Result<()> {
        for name in names {
            if self.index(name).is_none() {
                return Err(Error::missing(name));
            }
        }
        for name in names.iter().chain(optional) {
            if let Some(i) = self.index(name) {
                self.known[i] = true;
            }
        }
        Ok(())
    }

    /// Whether the layout has column `name`.
    pub fn has(&self, name: &str) -> bool {
        self.index(name).is_some()
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The rows, in order, each cut into as many fields as the header has.
    pub fn rows(&self) -> impl Iterator<Item = Result<Row<'_, 'a>>> {
        self.rows.iter().map(move |&(line, text)| Ok(Row { table: self, fields: fields(text, self.header.len(), line)?, line }))
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }
}

impl Row<'_, '_> {
    fn name(&self, column: &str) -> String {
        format!("{column} (line {})", self.line)
    }

    fn get(&self, column: &str) -> Option<&str> {
        self.table.index(column).map(|i| self.fields[i])
    }

    /// A required column's text (checked by [`Table::columns`]).
    pub fn text(&self, column: &str) -> String {
        self.get(column).unwrap_or_default().to_owned()
    }

    /// An optional column's text; `None` when the layout lacks it or the field is empty.
    pub fn opt(&self, column: &str) -> Option<String> {
        self.get(column).filter(|v| !v.is_empty()).map(str::to_owned)
    }

    /// A required amount in yuan with two decimals.
    pub fn fen(&self, column: &str) -> Result<Fen> {
        yuan(&self.name(column), self.get(column).unwrap_or_default())
    }

    /// An optional amount; `None` when the layout lacks the column or the field is empty.
    pub fn opt_fen(&self, column: &str) -> Result<Option<Fen>> {
        self.get(column).filter(|v| !v.is_empty()).map(|v| yuan(&self.name(column), v)).transpose()
    }

    /// A required fee (five decimals, signed).
    pub fn fee(&self, column: &str) -> Result<Fee> {
        Fee::parse_yuan(&self.name(column), self.get(column).unwrap_or_default())
    }

    /// The columns not marked known, by name, in file order.
    pub fn extra(&self) -> Vec<(String, String)> {
        let t = self.table;
        (0..t.header.len()).filter(|&i| !t.known[i]).map(|i| (t.header[i].clone(), self.fields[i].to_owned())).collect()
    }
}

impl Summary<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.names.iter().position(|n| *n == name).map(|i| self.values[i])
    }

    /// A required count.
    pub fn count(&self, name: &str) -> Result<u64> {
        let v = self.get(name).ok_or_else(|| Error::missing(name))?;
        if v.is_empty() || v.len() > 18 || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid(name, format!("not a count: {}", quoted(v))));
        }
        v.parse().map_err(|_| Error::invalid(name, format!("not a count: {}", quoted(v))))
    }

    /// A required total in yuan with two decimals.
    pub fn fen(&self, name: &str) -> Result<Fen> {
        yuan(name, self.get(name).ok_or_else(|| Error::missing(name))?)
    }

    /// An optional total in yuan with two decimals.
    pub fn opt_fen(&self, name: &str) -> Result<Option<Fen>> {
        self.get(name).map(|v| yuan(name, v)).transpose()
    }

    /// An optional fee total.
    pub fn opt_fee(&self, name: &str) -> Result<Option<Fee>> {
        self.get(name).map(|v| Fee::parse_yuan(name, v)).transpose()
    }
}

/// A summary value as the file prints it, for error messages.
pub(crate) trait Printed: PartialEq + Copy {
    /// The value as in the file.
    fn printed(self) -> String;
}

impl Printed for Fen {
    fn printed(self) -> String {
        self.yuan_string()
    }
}

impl Printed for Fee {
    fn printed(self) -> String {
        self.yuan_string()
    }
}

impl Printed for u64 {
    fn printed(self) -> String {
        self.to_string()
    }
}

/// Refuses a summary total that is not what the rows add up to.
pub(crate) fn check<T: Printed>(name: &str, summary: T, rows: Option<T>) -> Result<()> {
    match rows {
        Some(sum) if sum == summary => Ok(()),
        Some(sum) => Err(Error::invalid(name, format!("the summary says {}, the rows add up to {}", summary.printed(), sum.printed()))),
        None => Err(Error::invalid(name, "the rows overflow when added up")),
    }
}
