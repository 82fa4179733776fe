"""openapi_check - check a response of the running server against
docs/openapi.yaml.

    checker = Checker()              # reads docs/openapi.yaml once
    err = checker.check("GET", "/api/v1/stories/0123456789abcdef", 200,
                        "application/json", {...})
    # None when it matches, else a message naming what did not

The operation is found by its path template ({id} matches one path
segment), HEAD by its GET. The response is the one for the status, else
the operation's `default`; a status neither names is an error
(undocumented). A JSON body is validated against the response's
application/json schema, with $ref resolved against the document's
components, by jsonschema's Draft 2020-12 validator (OpenAPI 3.1's
dialect). Paths under /api/ that are no route answer the router's 404
(and a route asked with another method its 405): those are checked
against the document's components.responses NoSuchRoute and
MethodNotAllowed. Compiled validators are cached.
"""
import os
import re

import jsonschema
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC = os.path.join(ROOT, "docs", "openapi.yaml")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def load(path=DOC):
    with open(path) as f:
        return yaml.safe_load(f)


def template_regex(template):
    """The regex that matches a concrete path for an OpenAPI template."""
    out, pos = "^", 0
    for m in re.finditer(r"\{([^}/]+)\}", template):
        out += re.escape(template[pos:m.start()]) + "(?P<%s>[^/]+)" % m.group(1)
        pos = m.end()
    return re.compile(out + re.escape(template[pos:]) + "$")


class Checker:
    def __init__(self, doc=None):
        self.doc = doc if doc is not None else load()
        # Literal templates before ones with parameters, so that
        # /api/v1/tokens/current wins over a {param} at that place.
        paths = self.doc.get("paths") or {}
        self.templates = sorted(((template_regex(t), t) for t in paths),
                                key=lambda rt: (rt[1].count("{"), rt[1]))
        self.validators = {}
        self.registry_schema = {"components": self.doc.get("components") or {}}

    def find(self, method, path):
        """(template, operation or None) for method and path; (None, None)
        when no template matches."""
        method = method.lower()
        if method == "head":
            method = "get"
        found = None
        for rx, t in self.templates:
            if rx.match(path):
                op = self.doc["paths"][t].get(method)
                if op is not None:
                    return t, op
                found = found or t
        return found, None

    def response_for(self, op, status):
        responses = op.get("responses") or {}
        r = responses.get(str(status))
        if r is None:
            r = responses.get("%dXX" % (status // 100))
        if r is None:
            r = responses.get("default")
        return self.deref(r) if r is not None else None

    def deref(self, obj):
        while isinstance(obj, dict) and "$ref" in obj:
            ref = obj["$ref"]
            assert ref.startswith("#/"), ref
            node = self.doc
            for part in ref[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            obj = node
        return obj

    def validator(self, key, schema):
        v = self.validators.get(key)
        if v is None:
            # The schema sits in a document holding the components, so
            # that "#/components/schemas/X" resolves as in the file.
            root = dict(self.registry_schema)
            root.update(schema)
            resolver = jsonschema.RefResolver.from_schema(root)
            v = jsonschema.Draft202012Validator(root, resolver=resolver)
            self.validators[key] = v
        return v

    def check(self, method, path, status, content_type, body, has_body=True):
        """None when the response matches the document, else why not.
        body is the parsed JSON (content_type application/json), else
        ignored; has_body says whether the response carried any bytes."""
        path = path.split("?", 1)[0]
        template, op = self.find(method, path)
        where = "%s %s -> %d" % (method, path, status)
        if op is None:
            name = "MethodNotAllowed" if template else "NoSuchRoute"
            want = 405 if template else 404
            if status != want:
                return "%s: no operation %s %s in docs/openapi.yaml" % (
                    where, method.upper(), template or path)
            resp = self.deref({"$ref": "#/components/responses/" + name})
            key = ("components", name)
        else:
            resp = self.response_for(op, status)
            if resp is None:
                return "%s: status %d is not documented for %s %s" % (
                    where, status, method.upper(), template)
            key = (template, method.lower(), status)
        content = resp.get("content") or {}
        is_json = (has_body and bool(content_type) and
                   content_type.split(";")[0].strip().lower() == "application/json")
        if not is_json:
            if has_body and content and content_type:
                mt = content_type.split(";")[0].strip().lower()
                if mt not in content and not any(k.endswith("/*") and mt.startswith(k[:-1])
                                                 for k in content):
                    return "%s: content type %s is not documented (%s)" % (
                        where, content_type, ", ".join(content))
            return None
        media = content.get("application/json")
        if media is None:
            return "%s: a JSON body, but the document describes %s" % (
                where, ", ".join(content) or "no body")
        schema = media.get("schema")
        if schema is None:
            return None
        v = self.validator(key, schema)
        errs = sorted(v.iter_errors(body), key=lambda e: list(e.absolute_path))
        if errs:
            e = errs[0]
            at = "/".join(str(p) for p in e.absolute_path) or "(top)"
            return "%s: body does not match the schema at %s: %s%s" % (
                where, at, e.message[:400], " (and %d more)" % (len(errs) - 1) if len(errs) > 1 else "")
        return None
