// 云函数的 HTTP 触发：从 event 取出请求体（可能是 base64），把回复包成 {statusCode, headers, body}。
// 也接受直接传入的字符串 / Buffer（例如另一个云函数转发过来的原始通知），此时直接返回 XML 字符串。
// payNotify 和 refundNotify 各带一份相同的副本（云函数各自独立部署）；测试检查两份一致。
//
// HTTP-triggered cloud functions: the request body out of `event` (maybe base64), the reply as
// {statusCode, headers, body}. A raw string or Buffer event (e.g. a notify forwarded by another
// function) is accepted too, and then the reply is the XML string itself. payNotify and
// refundNotify each carry an identical copy (each function deploys alone); a test checks that.

// 真实的通知不到 2 KiB；核心库也会拒绝超大的报文。 Real notifies are under 2 KiB.
const MAX_BODY_BYTES = 16 * 1024;

function isHttpEvent(event) {
  return event !== null && typeof event === 'object' && !Buffer.isBuffer(event) && 'body' in event;
}

/**
 * `isBase64Encoded` 可能是布尔值，也可能是字符串 "true" / "false"（取决于触发方式）；字符串 "false" 在 JS 里是真值，
 * 不能直接用。 It arrives as a boolean or as the string "true" / "false" depending on the trigger,
 * and the string "false" is truthy.
 */
function isBase64(event) {
  const flag = event.isBase64Encoded;
  return flag === true || (typeof flag === 'string' && flag.trim().toLowerCase() === 'true');
}

/** 请求体（string 或 Buffer）；无法取得时抛错。 The body, or throws. */
function readBody(event) {
  let body;
  if (typeof event === 'string' || Buffer.isBuffer(event)) body = event;
  else if (isHttpEvent(event) && typeof event.body === 'string') {
    body = isBase64(event) ? Buffer.from(event.body, 'base64') : event.body;
  } else throw new Error('no request body');
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) throw new Error('request body too large');
  return body;
}

/** HTTP 触发且不是 POST 时的 405 回复，否则 null。 */
function methodNotAllowed(event) {
  if (isHttpEvent(event) && event.httpMethod && event.httpMethod.toUpperCase() !== 'POST') {
    return { statusCode: 405, headers: { allow: 'POST' }, body: '' };
  }
  return null;
}

/** 把给微信的 XML 回复按 event 的形态返回。 */
function respond(event, xml) {
  if (!isHttpEvent(event)) return xml;
  return { statusCode: 200, headers: { 'content-type': 'application/xml; charset=utf-8' }, body: xml };
}

module.exports = { readBody, isBase64, methodNotAllowed, respond };
