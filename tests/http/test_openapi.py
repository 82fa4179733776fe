"""docs/openapi.yaml describes the JSON API that exists: every /api/ route
of the route table (as `quire routes` prints it) and /healthz, /readyz,
and nothing else; its schemas are valid JSON Schema (2020-12) and its
references resolve. That every response of the HTTP suite matches it is
checked by conftest.py; here, that the checker does catch a mismatch."""
import copy
import os
import re
import subprocess
import sys

import jsonschema
import pytest
import requests

import conftest
import openapi_check
from quire_server import ADMIN, BIN, api_token, invite_and_signup, login

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@pytest.fixture(scope="module")
def doc():
    return openapi_check.load()


def routes():
    out = subprocess.run([BIN, "routes"], capture_output=True, text=True, check=True, timeout=30)
    rows = []
    for line in out.stdout.splitlines():
        method, pattern = line.split(" ", 1)
        rows.append((method, pattern))
    assert len(rows) > 50, out.stdout
    return rows


def described(path):
    return path.startswith("/api/") or path in ("/healthz", "/readyz")


def test_quire_routes_prints_the_table():
    rows = routes()
    assert ("GET", "/api/v1/stories/{id}") in rows
    assert ("POST", "/api/v1/tokens") in rows
    assert ("GET", "/healthz") in rows
    for m, p in rows:
        assert m in ("GET", "POST", "PUT", "PATCH", "DELETE"), (m, p)
        assert p.startswith("/"), p
    assert "quire routes" in subprocess.run([BIN, "--help"], capture_output=True, text=True).stdout


def test_document_is_openapi_3_1(doc):
    assert re.match(r"^3\.1\.\d+$", str(doc["openapi"])), doc["openapi"]
    assert doc["info"]["title"] and doc["info"]["version"]
    assert isinstance(doc["paths"], dict) and doc["paths"]
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearerAuth"]["type"] == "http" and schemes["bearerAuth"]["scheme"] == "bearer"
    assert schemes["cookieAuth"]["in"] == "cookie"
    # The fixed fields of OpenAPI 3.1 (and x- extensions) only.
    def fields(obj, allowed, where):
        extra = [k for k in obj if k not in allowed and not k.startswith("x-")]
        assert not extra, "%s: not OpenAPI 3.1 fields: %s" % (where, extra)

    fields(doc, {"openapi", "info", "jsonSchemaDialect", "servers", "paths", "webhooks",
                 "components", "security", "tags", "externalDocs"}, "document")
    fields(doc["components"], {"schemas", "responses", "parameters", "examples", "requestBodies",
                               "headers", "securitySchemes", "links", "callbacks", "pathItems"},
           "components")
    c = openapi_check.Checker(doc)
    for path, item in doc["paths"].items():
        assert path.startswith("/"), path
        fields(item, {"$ref", "summary", "description", "servers", "parameters"} | set(METHODS),
               path)
        for method, op in item.items():
            if method not in METHODS:
                continue
            where = "%s %s" % (method.upper(), path)
            fields(op, {"tags", "summary", "description", "externalDocs", "operationId",
                        "parameters", "requestBody", "responses", "callbacks", "deprecated",
                        "security", "servers"}, where)
            assert op.get("summary"), where
            assert op.get("responses"), where
            if "requestBody" in op:
                assert c.deref(op["requestBody"]).get("content"), where
            for p in item.get("parameters", []) + op.get("parameters", []):
                p = c.deref(p)
                assert p["name"] and p["in"] in ("path", "query", "header", "cookie"), (where, p)
                assert "schema" in p, (where, p)
            for status, resp in op["responses"].items():
                assert re.match(r"^([1-5][0-9][0-9]|[1-5]XX|default)$", str(status)), (path, status)
                r = c.deref(resp)
                assert "description" in r, (where, status)
                fields(r, {"description", "headers", "content", "links"}, "%s %s" % (where, status))


def test_every_route_is_described_and_nothing_else(doc):
    table = {(m.lower(), p) for m, p in routes() if described(p)}
    documented = {(m, p) for p, item in doc["paths"].items() for m in item if m in METHODS}
    missing = sorted(table - documented)
    stale = sorted(documented - table)
    assert not missing, "routes not in docs/openapi.yaml: %s" % missing
    assert not stale, "docs/openapi.yaml describes routes that do not exist: %s" % stale
    assert len(table) >= 60


def test_path_parameters_match_their_templates(doc):
    c = openapi_check.Checker(doc)
    for path, item in doc["paths"].items():
        names = re.findall(r"\{([^}]+)\}", path)
        for method, op in item.items():
            if method not in METHODS:
                continue
            params = [c.deref(p) for p in item.get("parameters", []) + op.get("parameters", [])]
            in_path = {p["name"] for p in params if p["in"] == "path"}
            assert in_path == set(names), (method, path, in_path)
            for p in params:
                if p["in"] == "path":
                    assert p.get("required") is True, (method, path, p["name"])


def walk_refs(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                out.append(v)
            else:
                walk_refs(v, out)
    elif isinstance(node, list):
        for v in node:
            walk_refs(v, out)


def test_references_resolve_and_schemas_are_valid(doc):
    c = openapi_check.Checker(doc)
    refs = []
    walk_refs(doc, refs)
    assert refs
    for r in set(refs):
        assert r.startswith("#/components/"), r
        assert c.deref({"$ref": r}) is not None, r
    for name, schema in doc["components"]["schemas"].items():
        jsonschema.Draft202012Validator.check_schema(schema)
    # Every operation's JSON schema compiles against the components.
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            for status, resp in op["responses"].items():
                media = (c.deref(resp).get("content") or {}).get("application/json")
                if media and "schema" in media:
                    jsonschema.Draft202012Validator.check_schema(media["schema"])
                    c.validator((path, method, status), media["schema"])


# ---- the checker fails what does not match ----

STORY_ID = "0123456789abcdef"
ME = {"handle": "ada", "name": "Ada", "is_admin": True, "time_zone": ""}


def test_checker_accepts_a_right_body():
    c = openapi_check.Checker()
    assert c.check("GET", "/api/v1/me", 200, "application/json", ME) is None
    assert c.check("HEAD", "/api/v1/me", 200, "application/json", ME) is None
    err = {"error": {"code": "not_found", "message": "No such story."}}
    assert c.check("GET", "/api/v1/stories/" + STORY_ID, 404, "application/json", err) is None
    assert c.check("DELETE", "/api/v1/stories/" + STORY_ID, 204, "", None, has_body=False) is None


def test_checker_reports_a_wrong_body():
    c = openapi_check.Checker()
    wrong = dict(ME, is_admin="yes")
    msg = c.check("GET", "/api/v1/me?x=1", 200, "application/json", wrong)
    assert msg and "GET /api/v1/me -> 200" in msg and "is_admin" in msg and "boolean" in msg, msg
    missing = {k: v for k, v in ME.items() if k != "time_zone"}
    msg = c.check("GET", "/api/v1/me", 200, "application/json", missing)
    assert msg and "time_zone" in msg, msg
    # Deep inside a $ref'd schema: a story whose author has no handle.
    msg = c.check("GET", "/api/v1/stories/" + STORY_ID, 404, "application/json",
                  {"error": {"code": "not_found"}})
    assert msg and "message" in msg, msg
    msg = c.check("GET", "/api/v1/trash", 200, "application/json",
                  {"stories": [{"id": "nothex", "title": "t", "status": "draft", "word_count": 1,
                                "deleted_at": "2026-01-01T00:00:00Z",
                                "purge_at": "2026-01-31T00:00:00Z"}]})
    assert msg and "stories/0/id" in msg, msg


def test_head_and_empty_answers_are_checked_by_status():
    c = openapi_check.Checker()
    assert c.check("HEAD", "/api/v1/me", 401, "application/json", None, has_body=False) is None
    msg = c.check("HEAD", "/api/v1/me", 418, "application/json", None, has_body=False)
    assert msg and "not documented" in msg, msg


def test_checker_reports_what_is_not_documented():
    c = openapi_check.Checker()
    msg = c.check("GET", "/api/v1/me", 418, "application/json", {})
    assert msg and "not documented" in msg, msg
    msg = c.check("GET", "/api/v1/no-such-thing", 200, "application/json", {})
    assert msg and "no operation" in msg, msg
    msg = c.check("PUT", "/api/v1/me", 200, "application/json", ME)
    assert msg and "no operation" in msg, msg
    msg = c.check("GET", "/api/v1/me", 200, "text/html", None)
    assert msg and "text/html" in msg, msg
    msg = c.check("GET", "/healthz", 200, "application/json", {"ok": True})
    assert msg and "JSON body" in msg, msg


def test_suite_hook_catches_a_mismatch(server):
    """The conftest.py hook checks what requests receives: against a
    document made wrong on purpose, a right answer is reported."""
    token = api_token(server, *ADMIN)
    bad = copy.deepcopy(openapi_check.load())
    bad["components"]["schemas"]["Me"]["required"].append("no_such_field")
    saved = conftest._checker
    conftest._checker = openapi_check.Checker(bad)
    try:
        r = requests.get(server.url + "/api/v1/me", headers={"Authorization": "Bearer " + token})
        assert r.status_code == 200
        found = conftest._take_mismatches()
    finally:
        conftest._checker = saved
    assert len(found) == 1 and "no_such_field" in found[0] and "/api/v1/me" in found[0], found
    # And with the real document, the same answer passes.
    requests.get(server.url + "/api/v1/me", headers={"Authorization": "Bearer " + token})
    assert conftest._take_mismatches() == []


def test_live_answers_match(server):
    """A few answers of each kind from a live server, checked directly."""
    c = openapi_check.Checker()
    token = api_token(server, *ADMIN)
    h = {"Authorization": "Bearer " + token}
    got = []

    def check(r):
        ct = r.headers.get("Content-Type", "")
        body = r.json() if ct.startswith("application/json") else None
        path = r.request.path_url
        got.append(c.check(r.request.method, path, r.status_code, ct, body,
                           has_body=bool(r.content)))

    s = requests.post(server.url + "/api/v1/stories", headers=h,
                      json={"title": "Checked", "body": "Some *words*.", "tags": ["a"],
                            "status": "published"})
    assert s.status_code == 201, s.text
    check(s)
    sid = s.json()["id"]
    check(requests.get(server.url + "/api/v1/stories/" + sid, headers=h))
    check(requests.get(server.url + "/api/v1/stories?limit=5"))
    check(requests.get(server.url + "/api/v1/stories/" + sid + "/revisions", headers=h))
    check(requests.get(server.url + "/api/v1/me"))
    check(requests.get(server.url + "/api/v1/nothing-here"))
    check(requests.put(server.url + "/api/v1/me", headers=h, json={}))
    check(requests.post(server.url + "/api/v1/stories", data="{",
                        headers=dict(h, **{"Content-Type": "application/json"})))
    check(requests.delete(server.url + "/api/v1/stories/" + sid, headers=h))
    check(requests.get(server.url + "/healthz"))
    check(requests.get(server.url + "/readyz"))
    assert got and all(g is None for g in got), [g for g in got if g]


def test_live_routes_the_rest_of_the_suite_does_not_reach(server):
    """Two routes no other test calls, so that the hook checks them too."""
    invite_and_signup(server, login(server, *ADMIN), "bea", "bea's long password 1")
    h = {"Authorization": "Bearer " + api_token(server, *ADMIN)}
    r = requests.post(server.url + "/api/v1/blocks", headers=h, json={"handle": "bea"})
    assert r.status_code == 201, r.text
    r = requests.delete(server.url + "/api/v1/blocks/bea", headers=h)
    assert r.status_code == 204, r.text
    r = requests.delete(server.url + "/api/v1/blocks/bea", headers=h)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", r.text
    c = requests.post(server.url + "/api/v1/circles", headers=h, json={"name": "checked"})
    assert c.status_code == 201, c.text
    inv = server.url + "/api/v1/circles/%s/invitations" % c.json()["id"]
    r = requests.post(inv, headers=h, json={"handle": "bea"})
    assert r.status_code == 201, r.text
    r = requests.delete(inv + "/bea", headers=h)
    assert r.status_code == 204, r.text
    r = requests.delete(inv + "/bea", headers=h)
    assert r.status_code == 404, r.text


if __name__ == "__main__":
    sys.exit(pytest.main([os.path.abspath(__file__)]))
