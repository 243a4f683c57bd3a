//! The findings table (`pkg/doctor/findings.json`, shared with `npx wxpay doctor`): each code's
//! severity, its words in Chinese and English, and the fix. A finding is a code and the values
//! of its placeholders; it renders as one line.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// The table, as the package ships it.
const TABLE: &str = include_str!("../../../pkg/doctor/findings.json");

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A check passed (`✓`).
    Pass,
    /// Nothing to fix, something to know (`·`).
    Note,
    /// Fix soon; the exit code stays 0 (`!`).
    Warn,
    /// Broken (`✗`): the exit code is 1.
    Fail,
}

impl Severity {
    fn mark(self) -> &'static str {
        match self {
            Severity::Pass => "✓",
            Severity::Note => "·",
            Severity::Warn => "!",
            Severity::Fail => "✗",
        }
    }
}

/// One entry of the table.
#[derive(Debug, Deserialize)]
pub struct Entry {
    /// How much it matters.
    pub severity: Severity,
    zh: String,
    en: String,
    fix_zh: String,
    fix_en: String,
}

#[derive(Deserialize)]
struct Table {
    findings: BTreeMap<String, Entry>,
}

/// The table, read once.
pub fn table() -> &'static BTreeMap<String, Entry> {
    static T: OnceLock<BTreeMap<String, Entry>> = OnceLock::new();
    // The table is part of the build; a test reads every entry.
    T.get_or_init(|| serde_json::from_str::<Table>(TABLE).map(|t| t.findings).unwrap_or_default())
}

/// What doctor found: a code of the table and the values of its placeholders (never a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The table's code, e.g. `V2_KEY_REJECTED`.
    pub code: &'static str,
    values: Vec<(&'static str, String)>,
}

impl Finding {
    /// A finding without values.
    pub fn new(code: &'static str) -> Self {
        Finding { code, values: Vec::new() }
    }

    /// With `{name}` filled in.
    #[must_use]
    pub fn with(mut self, name: &'static str, value: impl std::fmt::Display) -> Self {
        self.values.push((name, value.to_string()));
        self
    }

    /// The value given for `{name}`, if any.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// Its severity (an unknown code is a failure: a test keeps the table complete).
    pub fn severity(&self) -> Severity {
        table().get(self.code).map_or(Severity::Fail, |e| e.severity)
    }

    fn fill(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (name, value) in &self.values {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        // One line, whatever a value carried.
        out.replace(['\r', '\n'], " ")
    }

    /// `✗ CODE 中文 / English → 修正 / fix`, as `npx wxpay doctor` prints it.
    pub fn line(&self) -> String {
        let Some(e) = table().get(self.code) else { return format!("✗ {} (not in the findings table)", self.code) };
        let mut line = format!("{} {} {} / {}", e.severity.mark(), self.code, self.fill(&e.zh), self.fill(&e.en));
        if !e.fix_en.is_empty() {
            line.push_str(&format!(" → {} / {}", self.fill(&e.fix_zh), self.fill(&e.fix_en)));
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code doctor can report, from its sources.
    fn codes_used() -> Vec<String> {
        let sources = [include_str!("mod.rs"), include_str!("local.rs"), include_str!("v2.rs"), include_str!("v3.rs")];
        sources
            .iter()
            .flat_map(|s| s.split("Finding::new(\"").skip(1).map(|rest| rest.split('"').next().unwrap_or_default().to_owned()))
            .collect()
    }

    #[test]
    fn every_code_doctor_reports_is_in_the_table_with_words_in_both_languages() {
        let t = table();
        assert!(t.len() > 20, "the table parses");
        let used = codes_used();
        assert!(used.len() > 20);
        for code in &used {
            let e = t.get(code).unwrap_or_else(|| panic!("{code} is not in pkg/doctor/findings.json"));
            assert!(!e.zh.is_empty() && !e.en.is_empty(), "{code}");
            assert_eq!(e.fix_zh.is_empty(), e.fix_en.is_empty(), "{code}: a fix in both languages or neither");
            if matches!(e.severity, Severity::Fail | Severity::Warn) {
                assert!(!e.fix_en.is_empty(), "{code}: what fails says how to fix it");
            }
        }
    }

    #[test]
    fn a_line_fills_its_values_and_stays_one_line() {
        let line = Finding::new("SETTING_MISSING").with("setting", "WXPAY_APPID\nX").line();
        assert!(line.starts_with("✗ SETTING_MISSING 缺少设置 WXPAY_APPID X / the setting WXPAY_APPID X is missing → 在环境变量"), "{line}");
        assert!(!line.contains('\n'));
        assert_eq!(Finding::new("NOT_A_CODE").severity(), Severity::Fail);
    }
}
