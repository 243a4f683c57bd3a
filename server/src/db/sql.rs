//! Statement text with values bound in order: the one placeholder convention (`$n`, which SQLite
//! accepts too) of every statement the storage generates (moves, searches, batched writes).

/// A value bound into a statement.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value<'a> {
    Text(&'a str),
    Int(i64),
    MaybeText(Option<&'a str>),
    MaybeInt(Option<i64>),
}

/// Statement text with `$n` placeholders numbered in the order values are pushed: the one
/// placeholder convention of every generated statement (SQLite accepts `$n` too).
#[derive(Default)]
pub(crate) struct Sql<'a> {
    pub text: String,
    pub values: Vec<Value<'a>>,
}

impl<'a> Sql<'a> {
    /// Appends `$n` bound to `v`.
    pub fn value(&mut self, v: Value<'a>) -> &mut Self {
        self.values.push(v);
        self.text.push_str(&format!("${}", self.values.len()));
        self
    }

    /// Appends text.
    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    /// The query, its values bound.
    pub fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        let mut q = sqlx::query(&self.text);
        for v in &self.values {
            q = match *v {
                Value::Text(s) => q.bind(s),
                Value::Int(i) => q.bind(i),
                Value::MaybeText(s) => q.bind(s),
                Value::MaybeInt(i) => q.bind(i),
            };
        }
        q
    }
}
