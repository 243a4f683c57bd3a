//! Names as JS writes them. The core names fields as WeChat does (`out_trade_no`); JS callers
//! write arguments and read results in camelCase, and errors name fields the same way.

/// A WeChat field name as JS callers write it: `out_trade_no` is `outTradeNo`, and `appid` and
/// `mchid` are `appId` and `mchId` as in the v2 merchant configuration. Results and errors use
/// it, so that JS sees one casing.
pub fn camel_name(name: &str) -> String {
    match name {
        // As the v2 groups name them.
        "appid" => "appId".to_owned(),
        "mchid" => "mchId".to_owned(),
        _ => {
            let mut out = String::with_capacity(name.len());
            let mut upper = false;
            for c in name.chars() {
                match c {
                    '_' => upper = true,
                    _ if upper => {
                        out.push(c.to_ascii_uppercase());
                        upper = false;
                    }
                    _ => out.push(c),
                }
            }
            out
        }
    }
}
