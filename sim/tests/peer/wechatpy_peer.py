"""wxpay-sim driven by a peer SDK nobody here wrote: wechatpy (PyPI), through its public API.

Run by scripts/test-sim in a throwaway venv under target/: `python wechatpy_peer.py WXPAY_SIM_BIN`.
It starts `wxpay-sim serve`, reads the one ready line (the CLI contract), points wechatpy at the
simulator (its `API_BASE_URL` attribute; the CA through requests' `verify`), and checks:

- unifiedorder gives a prepay_id, and orderquery answers;
- wechatpy's paySign is accepted by the simulated WeChat client, and the payment notify the
  simulator then sends verifies with wechatpy's own signature check (parse_payment_result);
- refund succeeds with the simulator's client certificate (without it, WeChat's front end
  answers HTTP 400 with its nginx page);
- a call signed with the wrong key is answered return_code=FAIL / 签名错误, unsigned;
- the refund notify decrypts with wechatpy's refund crypto (parse_refund_notify_result);
- refundquery and downloadbill answer what wechatpy expects.

Prints `N passed, M failed` last; exits non-zero on any failure.
"""

import datetime
import http.server
import json
import os
import queue
import signal
import ssl
import subprocess
import sys
import threading
import traceback
import urllib.request

from wechatpy.exceptions import WeChatPayException
from wechatpy.pay import WeChatPay

TIME_SCALE = "100"  # refunds settle in 30 ms, the first notify retry comes after 150 ms
WAIT_SECS = 20


class Receiver(http.server.ThreadingHTTPServer):
    """The merchant's notify endpoints: hands every body to the test, answers SUCCESS."""

    def __init__(self):
        self.bodies = {"/notify": queue.Queue(), "/refund-notify": queue.Queue()}
        super().__init__(("127.0.0.1", 0), ReceiverHandler)

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.server_address[1], path)


class ReceiverHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        box = self.server.bodies.get(self.path)
        if box is None:
            self.send_response(404)
            self.end_headers()
            return
        box.put(body)
        reply = b"<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>"
        self.send_response(200)
        self.send_header("content-type", "text/xml")
        self.send_header("content-length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


def post_json(url, body, ca=None):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"content-type": "application/json"})
    context = ssl.create_default_context(cafile=ca) if url.startswith("https:") else None
    with urllib.request.urlopen(req, timeout=WAIT_SECS, context=context) as r:
        return r.status, json.loads(r.read())


def start_simulator(binary):
    proc = subprocess.Popen(
        [binary, "serve", "--time-scale", TIME_SCALE],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={k: v for k, v in os.environ.items() if not k.startswith("WXPAY_")},
    )
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=10)
        raise RuntimeError("wxpay-sim exited before its ready line (status %s)" % proc.returncode)
    return proc, json.loads(line)


def wechatpy_client(ready, with_cert):
    pay = WeChatPay(
        appid=ready["appid"],
        api_key=ready["api_key"],
        mch_id=ready["mch_id"],
        mch_cert=ready["client_cert"] if with_cert else None,
        mch_key=ready["client_key"] if with_cert else None,
        timeout=WAIT_SECS,
    )
    # wechatpy's knob for the host: the API_BASE_URL attribute (a trailing slash, as its own).
    pay.API_BASE_URL = ready["base_url"] + "/"
    return pay


def main(binary):
    results = []

    def check(name, fn):
        try:
            fn()
            results.append((name, None))
            print("ok   %s" % name)
        except Exception:  # noqa: BLE001 (every failure is reported, then counted)
            results.append((name, traceback.format_exc()))
            print("FAIL %s\n%s" % (name, traceback.format_exc()))

    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    proc, ready = start_simulator(binary)
    # Trust the simulator's CA: requests reads REQUESTS_CA_BUNDLE, and prefers it (and
    # CURL_CA_BUNDLE) to a session's own `verify`.
    os.environ["REQUESTS_CA_BUNDLE"] = ready["ca_file"]
    os.environ.pop("CURL_CA_BUNDLE", None)
    state = {}
    try:
        pay = wechatpy_client(ready, with_cert=True)
        no_cert = wechatpy_client(ready, with_cert=False)
        out_trade_no = "PEER" + datetime.datetime.now().strftime("%Y%m%d%H%M%S")

        def ready_line_has_the_contract():
            keys = {"base_url", "ca_file", "client_cert", "client_key", "client_p12", "appid", "mch_id", "api_key", "app_secret", "control_url"}
            assert keys <= set(ready), sorted(keys - set(ready))
            for f in ("ca_file", "client_cert", "client_key", "client_p12"):
                assert os.path.isfile(ready[f]), ready[f]

        def unifiedorder_gives_a_prepay_id():
            _, login = post_json(ready["control_url"] + "/login", {})
            answer = pay.order.create(
                trade_type="JSAPI",
                body="wechatpy peer test",
                total_fee=288,
                notify_url=receiver.url("/notify"),
                client_ip="127.0.0.1",
                user_id=login["openid"],
                out_trade_no=out_trade_no,
                attach="peer",
            )
            assert answer["result_code"] == "SUCCESS", answer
            assert answer["prepay_id"].startswith("wx"), answer
            # The answer is signed by the simulator, with the merchant key.
            assert pay.check_signature(dict(answer)), answer
            state["prepay_id"] = answer["prepay_id"]

        def orderquery_answers_notpay():
            answer = pay.order.query(out_trade_no=out_trade_no)
            assert answer["trade_state"] == "NOTPAY", answer
            assert answer["total_fee"] == "288", answer

        def paysign_accepted_and_notify_verifies_with_wechatpy():
            params = pay.jsapi.get_jsapi_params(state["prepay_id"])
            status, paid = post_json(ready["base_url"] + "/sandbox/requestPayment", params, ca=ready["ca_file"])
            assert status == 200 and paid["errMsg"] == "requestPayment:ok", paid
            body = receiver.bodies["/notify"].get(timeout=WAIT_SECS)
            notify = pay.parse_payment_result(body)  # raises InvalidSignatureException if forged
            assert notify["out_trade_no"] == out_trade_no and notify["total_fee"] == 288, notify
            assert notify["transaction_id"] == paid["transaction_id"], notify
            assert notify["attach"] == "peer", notify
            state["transaction_id"] = notify["transaction_id"]
            # A tampered copy does not verify: the check above is real.
            try:
                pay.parse_payment_result(body.replace(b"<total_fee>288</total_fee>", b"<total_fee>1</total_fee>"))
            except Exception as e:  # noqa: BLE001
                assert type(e).__name__ == "InvalidSignatureException", e
            else:
                raise AssertionError("a tampered notify verified")

        def orderquery_answers_success():
            answer = pay.order.query(transaction_id=state["transaction_id"])
            assert answer["trade_state"] == "SUCCESS", answer
            assert answer["out_trade_no"] == out_trade_no, answer

        def refund_without_certificate_is_refused():
            try:
                no_cert.refund.apply(288, 100, "PEERNOCERT1", out_trade_no=out_trade_no, notify_url=receiver.url("/refund-notify"))
            except WeChatPayException as e:
                # WeChat's front end (nginx) refuses before reading the XML: HTTP 400, an HTML page.
                page = e.response.text if e.response is not None else ""
                assert e.response is not None and e.response.status_code == 400, e
                assert "<title>400 No required SSL certificate was sent</title>" in page, page
            else:
                raise AssertionError("a refund without the client certificate was accepted")

        def wrong_key_is_answered_return_code_fail_unsigned():
            wrong = wechatpy_client(dict(ready, api_key="0123456789abcdefghijklmnopqrstuv"), with_cert=False)
            try:
                wrong.order.query(out_trade_no=out_trade_no)
            except WeChatPayException as e:
                assert e.return_code == "FAIL" and e.return_msg.startswith("签名错误"), e
                assert e.errcode is None and e.result_code is None, e
                assert "<sign>" not in e.response.text, e.response.text
            else:
                raise AssertionError("a query signed with the wrong key was answered")

        def refund_succeeds_with_the_client_certificate():
            answer = pay.refund.apply(288, 100, "PEERREFUND1", out_trade_no=out_trade_no, notify_url=receiver.url("/refund-notify"), refund_desc="peer")
            assert answer["result_code"] == "SUCCESS", answer
            assert answer["refund_fee"] == "100" and answer["out_refund_no"] == "PEERREFUND1", answer
            state["refund_id"] = answer["refund_id"]

        def refund_notify_decrypts_with_wechatpy():
            body = receiver.bodies["/refund-notify"].get(timeout=WAIT_SECS)
            inner = pay.parse_refund_notify_result(body)
            assert inner["out_refund_no"] == "PEERREFUND1", inner
            assert inner["refund_id"] == state["refund_id"], inner
            assert inner["refund_status"] == "SUCCESS" and inner["refund_fee"] == 100 and inner["total_fee"] == 288, inner
            # Under another key the same notify does not decrypt.
            other = WeChatPay(appid=ready["appid"], api_key="0" * 32, mch_id=ready["mch_id"])
            try:
                other.parse_refund_notify_result(body)
            except Exception:  # noqa: BLE001
                pass
            else:
                raise AssertionError("the refund notify decrypted under another key")

        def refundquery_answers():
            answer = pay.refund.query(out_refund_no="PEERREFUND1")
            assert answer["refund_count"] == "1" and answer["refund_status_0"] == "SUCCESS", answer

        def downloadbill_gives_the_day_bill():
            today = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)).strftime("%Y%m%d")
            text = pay.tools.download_bill(today)
            lines = text.strip().split("\r\n")
            assert lines[0].startswith("交易时间,公众账号ID,商户号"), lines[0]
            rows = [line for line in lines[1:-2]]
            assert any(out_trade_no in r and "`SUCCESS" in r for r in rows), rows
            assert any("PEERREFUND1" in r and "`REFUND" in r for r in rows), rows
            assert lines[-2].startswith("总交易单数"), lines[-2]
            assert lines[-1].startswith("`2,`2.88,`1.00"), lines[-1]

        for name, fn in [
            ("ready_line_has_the_contract", ready_line_has_the_contract),
            ("unifiedorder_gives_a_prepay_id", unifiedorder_gives_a_prepay_id),
            ("orderquery_answers_notpay", orderquery_answers_notpay),
            ("paysign_accepted_and_notify_verifies_with_wechatpy", paysign_accepted_and_notify_verifies_with_wechatpy),
            ("orderquery_answers_success", orderquery_answers_success),
            ("refund_without_certificate_is_refused", refund_without_certificate_is_refused),
            ("wrong_key_is_answered_return_code_fail_unsigned", wrong_key_is_answered_return_code_fail_unsigned),
            ("refund_succeeds_with_the_client_certificate", refund_succeeds_with_the_client_certificate),
            ("refund_notify_decrypts_with_wechatpy", refund_notify_decrypts_with_wechatpy),
            ("refundquery_answers", refundquery_answers),
            ("downloadbill_gives_the_day_bill", downloadbill_gives_the_day_bill),
        ]:
            check(name, fn)
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=10)
        receiver.shutdown()
    check_exit = code == 0
    if not check_exit:
        results.append(("sigterm_exits_cleanly", "exit status %s" % code))
        print("FAIL sigterm_exits_cleanly: exit status %s" % code)
    failed = sum(1 for _, err in results if err)
    print("wechatpy: %d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: wechatpy_peer.py PATH_TO_wxpay-sim")
    sys.exit(main(sys.argv[1]))
