"""The demo API's answers in the platform's shape: the envelope (`ok`, `api_error`) with the
platform's Chinese messages, HTTP errors that still carry it, JSON request bodies checked
before they are decoded, and an error's text under the key a dialect says it in."""

from __future__ import annotations

import json
import time
from typing import Any, NamedTuple

JSON = "application/json;charset=UTF-8"
# JSON nested deeper than this is refused before it is decoded (no call nests more than 3).
MAX_JSON_DEPTH = 32

ERROR_MESSAGES = {
    "10001": "内部异常",
    "10003": "参数不全",
    "10004": "参数无效",
    "10007": "用户已被冻结",
    "10008": "权限不足",
    "10009": "没有权限访问接口",
    "10010": "文件校验失败",
    "10011": "文件过大",
    "10012": "连接中断",
    # The container calls' own codes (containers-api.md, "Error codes").
    "716020": "数据库查询错误",
    "716864": "脚本执行错误",
    "716865": "任务创建错误",
    "716866": "任务删除失败",
    "716870": "实例数量错误",
}

class Answer(NamedTuple):
    status: int
    body: bytes
    content_type: str = JSON


def ok(data: Any) -> Answer:
    return Answer(200, json.dumps({"code": "0", "msg": "success", "data": data}, ensure_ascii=False).encode())


def api_error(code: str, detail: str = "") -> Answer:
    """The platform's error envelope (HTTP 200, as the platform answers)."""
    msg = ERROR_MESSAGES.get(code, "未知错误")
    if detail:
        msg = f"{msg}: {detail}"
    return Answer(200, json.dumps({"code": code, "msg": msg, "data": None}, ensure_ascii=False).encode())


def http_error(status: int, code: str, detail: str) -> Answer:
    """An HTTP error status that still carries the platform's envelope."""
    return Answer(status, api_error(code, detail).body)


def not_found(path: str) -> Answer:
    body = {"timestamp": int(time.time() * 1000), "status": 404, "error": "Not Found", "path": path}
    return Answer(404, json.dumps(body).encode())


METHOD_NOT_ALLOWED = Answer(405, json.dumps({"status": 405, "error": "Method Not Allowed"}).encode())


def json_object(body: bytes) -> dict[str, Any] | Answer:
    """The request body as a JSON object, or the 10004 answer that refuses it."""
    if _nesting(body) > MAX_JSON_DEPTH:
        return api_error("10004", "请求体嵌套过深 (body nested too deeply)")
    try:
        given = json.loads(body or b"{}")
    except (ValueError, RecursionError):
        return api_error("10004", "请求体不是合法的JSON (body is not JSON)")
    if not isinstance(given, dict):
        return api_error("10004", "请求体应为对象 (body must be an object)")
    return given


def _nesting(body: bytes) -> int:
    """How deep brackets nest (strings ignored roughly: a bound, not a parser)."""
    depth = deepest = 0
    for byte in body:
        if byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def spoken(answer: Answer, message_key: str) -> Answer:
    """An error answer with its text under `message_key` (some gateways say `message` where
    the platform says `msg`); every other answer as it is."""
    if message_key == "msg" or not answer.content_type.startswith("application/json") or len(answer.body) > 4096:
        return answer
    try:
        payload = json.loads(answer.body)
    except ValueError:
        return answer
    if not isinstance(payload, dict) or str(payload.get("code", "0")) == "0" or "msg" not in payload:
        return answer
    said = {(message_key if key == "msg" else key): value for key, value in payload.items()}
    return answer._replace(body=json.dumps(said, ensure_ascii=False).encode())
