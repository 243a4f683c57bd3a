#!/usr/bin/env python3
"""Writes sign_vectors.json and pay_sign_vectors.json beside this file.

An implementation of the v2 signing rule (安全规范) independent of the Rust crate, in Python's
standard library, anchored by WeChat's published examples (the first entry of each file).
Run it again after adding a case; the test suites read the JSON, never this script.
"""
import hashlib
import hmac
import json
import pathlib

HERE = pathlib.Path(__file__).parent


def string_to_sign(params):
    return "&".join(f"{k}={v}" for k, v in sorted(params.items(), key=lambda kv: kv[0].encode()) if v != "" and k != "sign")


def signs(params, key):
    s = (string_to_sign(params) + "&key=" + key).encode()
    return (
        hashlib.md5(s).hexdigest().upper(),
        hmac.new(key.encode(), s, hashlib.sha256).hexdigest().upper(),
    )


OFFICIAL_KEY = "192006250b4c09247ec02edce69f6a2d"
cases = [
    ("official example (pay.weixin.qq.com 安全规范)", OFFICIAL_KEY,
     {"appid": "wxd930ea5d5a258f4f", "mch_id": "10000100", "device_info": "1000", "body": "test",
      "nonce_str": "ibuaiVcKdpRxkhJA"}),
    ("empty values and sign are not signed", OFFICIAL_KEY,
     {"appid": "wxd930ea5d5a258f4f", "mch_id": "10000100", "device_info": "", "body": "test",
      "nonce_str": "ibuaiVcKdpRxkhJA", "sign": "WHATEVER", "attach": ""}),
    ("names are case-sensitive and sorted by ASCII (uppercase first)", "a8f5f167f44f4964e6c998dee827110c",
     {"Zeta": "1", "alpha": "2", "Alpha": "3", "_under": "4", "a_b": "5", "a": "6"}),
    ("unicode values are signed as UTF-8 bytes", "0123456789abcdefABCDEF0123456789",
     {"body": "腾讯充值中心-QQ会员充值", "attach": "深圳分店 & <b>", "total_fee": "888", "nonce_str": "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"}),
    ("a full unifiedorder request", "0123456789abcdefABCDEF0123456789",
     {"appid": "wx2421b1c4370ec43b", "mch_id": "10000100", "nonce_str": "1add1a30ac87aa2db72f57a2375d8fec",
      "body": "JSAPI支付测试", "out_trade_no": "1415659990", "total_fee": "1", "spbill_create_ip": "14.23.150.211",
      "notify_url": "http://wxpay.wxutil.com/pub_v2/pay/notify.v2.php", "trade_type": "JSAPI",
      "openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "attach": "支付测试", "sign_type": "HMAC-SHA256"}),
    ("values keep surrounding spaces and newlines", "0123456789abcdefABCDEF0123456789",
     {"body": " padded ", "detail": "line1\nline2", "x": "a=b&c=d"}),
]

out = []
for name, key, params in cases:
    md5, sha = signs(params, key)
    out.append({"name": name, "key": key, "params": params, "string_to_sign": string_to_sign(params),
                "md5": md5, "hmac_sha256": sha})
assert out[0]["md5"] == "9A0A8659F005D6984697E2CA0A9CF3B7"
assert out[0]["hmac_sha256"] == "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"
(HERE / "sign_vectors.json").write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n")


def pay_sign(fields, key, sign_type):
    s = (string_to_sign(fields) + "&key=" + key).encode()
    if sign_type == "MD5":
        return hashlib.md5(s).hexdigest().upper()
    return hmac.new(key.encode(), s, hashlib.sha256).hexdigest().upper()


pay_cases = [
    ("official example (小程序 再次签名)", "qazwsxedcrfvtgbyhnujmikolp111111", "wxd678efh567hg6787",
     "wx2017033010242291fcfe0db70013231072", "1490840662", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS", "MD5"),
    ("HMAC-SHA256", OFFICIAL_KEY, "wx2421b1c4370ec43b", "wx201411101639507cbf6ffd8b0779950874",
     "1700000000", "e61463f8efa94090b1f366cccfbbb444", "HMAC-SHA256"),
]
pay = []
for name, key, app_id, prepay_id, ts, nonce, st in pay_cases:
    fields = {"appId": app_id, "timeStamp": ts, "nonceStr": nonce, "package": "prepay_id=" + prepay_id, "signType": st}
    pay.append({"name": name, "key": key, "prepay_id": prepay_id, **fields, "paySign": pay_sign(fields, key, st)})
assert pay[0]["paySign"] == "22D9B4E54AB1950F51E0649E8810ACD6"
(HERE / "pay_sign_vectors.json").write_text(json.dumps(pay, ensure_ascii=False, indent=2) + "\n")
