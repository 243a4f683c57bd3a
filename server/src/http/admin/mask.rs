//! What the back office shows of a payer: never a whole openid. An openid is an identifier of a
//! person for our appid; the merchant needs to tell payers apart, not to hold their ids, so it
//! is shown as its first and last four characters (`oUpF…eS6o`). Stored text that may carry one
//! (an actor `user:<openid>`, a raw payment notify's `<openid>`) is masked the same way before
//! it leaves the server.

/// `oUpF8uMuAJO_M2pxb1Q9zNjWeS6o` → `oUpF…eS6o`; anything of 12 characters or fewer keeps at
/// most its first two.
pub fn openid(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 12 {
        return format!("{}…", chars.iter().take(2).collect::<String>());
    }
    format!("{}…{}", chars[..4].iter().collect::<String>(), chars[chars.len() - 4..].iter().collect::<String>())
}

/// An audit actor: `user:<openid>` shows the payer masked; the others name no person.
pub fn actor(actor: &str) -> String {
    match actor.strip_prefix("user:") {
        Some(id) => format!("user:{}", openid(id)),
        None => actor.to_owned(),
    }
}

/// `text` with every occurrence of `known` (the openids of the rows it is about) masked, and
/// the value of every XML element whose name ends in `openid` masked whatever it holds.
pub fn text(text: &str, known: &[&str]) -> String {
    // Elements first: a known id inside one is masked once, not its masked form again.
    let mut out = elements(text);
    for id in known.iter().filter(|id| id.len() >= 8) {
        out = out.replace(id, &openid(id));
    }
    out
}

/// Masks `<…openid>value</…openid>` (plain or CDATA) values.
fn elements(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("openid>") {
        let (head, tail) = rest.split_at(open + "openid>".len());
        out.push_str(head);
        // Only an opening tag (`<openid>`, `<sub_openid>`), not `</openid>`.
        let tag_start = head.rfind('<').unwrap_or(0);
        let is_open = !head[tag_start..].starts_with("</") && head[tag_start..].bytes().all(|b| b != b' ');
        let Some(close) = tail.find("</") else {
            rest = tail;
            continue;
        };
        if !is_open {
            rest = tail;
            continue;
        }
        let value = &tail[..close];
        match value.strip_prefix("<![CDATA[").and_then(|v| v.strip_suffix("]]>")) {
            Some(inner) => out.push_str(&format!("<![CDATA[{}]]>", openid(inner))),
            None => out.push_str(&openid(value)),
        }
        rest = &tail[close..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openids_keep_four_and_four() {
        assert_eq!(openid("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"), "oUpF…eS6o");
        assert_eq!(openid("short"), "sh…");
        assert_eq!(openid(""), "…");
        assert_eq!(actor("user:oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"), "user:oUpF…eS6o");
        assert_eq!(actor("wechat:notify"), "wechat:notify");
    }

    #[test]
    fn text_masks_known_ids_and_openid_elements() {
        let id = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
        assert_eq!(text(&format!("user:{id}"), &[id]), "user:oUpF…eS6o");
        let xml = "<xml><openid><![CDATA[oSomeoneElse0123456789abcd]]></openid><sub_openid>oAnother0123456789</sub_openid><x>1</x></xml>";
        let masked = text(xml, &[]);
        assert_eq!(masked, "<xml><openid><![CDATA[oSom…abcd]]></openid><sub_openid>oAno…6789</sub_openid><x>1</x></xml>");
        assert!(!masked.contains("oSomeoneElse0123456789abcd"));
        assert_eq!(text("no ids here", &[id]), "no ids here");
        let notify = format!("<xml><openid><![CDATA[{id}]]></openid><attach>{id}</attach></xml>");
        assert_eq!(text(&notify, &[id]), "<xml><openid><![CDATA[oUpF…eS6o]]></openid><attach>oUpF…eS6o</attach></xml>", "masked once");
    }
}
