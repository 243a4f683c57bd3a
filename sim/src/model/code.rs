//! Login codes: `wx.login()` issues one for a user, jscode2session redeems it once.

use super::{Model, Refusal};

/// A login code as issued.
pub(super) struct Code {
    openid: String,
    issued_ms: i64,
    used: bool,
}

impl Model {
    /// Records a fresh code for `openid` (who then exists for unifiedorder).
    pub(crate) fn issue_code(&self, code: String, openid: String) {
        let issued_ms = self.clock.now_ms();
        let mut l = self.ledger();
        l.openids.insert(openid.clone());
        l.codes.insert(code, Code { openid, issued_ms, used: false });
    }

    /// Redeems `code` (once, within `ttl_ms`): its openid. An unknown code is taken for
    /// `stranger` when one is given (a real `wx.login()` code the simulator never issued).
    pub(crate) fn redeem_code(&self, code: &str, ttl_ms: i64, stranger: Option<String>) -> Result<String, Refusal> {
        let now = self.clock.now_ms();
        let mut l = self.ledger();
        match l.codes.get_mut(code) {
            Some(c) if c.used => Err(Refusal::CodeUsed),
            Some(c) if now - c.issued_ms > ttl_ms => Err(Refusal::CodeInvalid),
            Some(c) => {
                c.used = true;
                Ok(c.openid.clone())
            }
            None => {
                let openid = stranger.ok_or(Refusal::CodeInvalid)?;
                l.codes.insert(code.to_owned(), Code { openid: openid.clone(), issued_ms: now, used: true });
                l.openids.insert(openid.clone());
                Ok(openid)
            }
        }
    }

    /// Whether `openid` is a user WeChat knows for this appid.
    pub(crate) fn knows_openid(&self, openid: &str) -> bool {
        self.ledger().openids.contains(openid)
    }
}
