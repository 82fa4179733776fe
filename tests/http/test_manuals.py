"""The manuals against the binary and the site (issue 21): every key
`quire check-config` prints is an item of quire.conf(5) and every item
there is a key, with the default and the range the page gives; every
flag of `quire --help` is in quire(1); both pages render without a
warning; the example configurations pass check-config; the guides link
only to files of the repository, and every label they set in bold is one
the site shows."""
import os
import re
import shlex
import shutil
import subprocess
import tempfile

import pytest

from quire_server import BIN, ROOT

CONF5 = os.path.join(ROOT, "docs", "quire.conf.5")
QUIRE1 = os.path.join(ROOT, "docs", "quire.1")
GUIDES = [os.path.join(ROOT, p) for p in
          ("README.md", "docs/writers-guide.md", "docs/operators-guide.md", "docs/operating.md")]


def quire(*args, cwd=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIRE_")}
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=60)


@pytest.fixture
def tmp():
    d = tempfile.mkdtemp(prefix="quire-man-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def printed_settings(cwd):
    """check-config with no file, no environment, no flag: key -> (value, origin)."""
    r = quire("check-config", cwd=cwd)
    assert r.returncode == 0, r.stderr
    got = {}
    for line in r.stdout.splitlines():
        m = re.match(r"^([a-z-]+)\s+= (.*?)\s+# (.*)$", line)
        if m:
            got[m.group(1)] = (m.group(2), m.group(3))
    assert got, r.stdout
    return got


def unroff(text):
    """roff source as plain words: escapes and macro names dropped."""
    text = text.replace("\\-", "-").replace("\\(bu", "*").replace("\\(em", "-")
    text = re.sub(r"\\f[BIRP]", "", text)
    out = []
    for line in text.splitlines():
        if line.startswith("."):
            parts = line.split(None, 1)
            line = parts[1] if len(parts) > 1 else ""
            line = line.replace('"', "")
        out.append(line)
    return re.sub(r"\s+", " ", " ".join(out)).replace(" )", ")").replace(" ,", ",")


def section(src, name):
    m = re.search(r"^\.SH %s\n(.*?)(?=^\.SH |\Z)" % re.escape(name), src, re.S | re.M)
    assert m, name
    return m.group(1)


def documented_keys():
    """quire.conf(5) KEYS: each `.TP` then `.B key`, with the item's text."""
    body = section(open(CONF5).read(), "KEYS")
    items = {}
    for chunk in body.split(".TP\n")[1:]:
        first, _, rest = chunk.partition("\n")
        assert first.startswith(".B "), "an item must open with .B KEY: %r" % first
        key = first[3:].strip().replace("\\-", "-")
        assert key not in items, "documented twice: " + key
        items[key] = unroff(rest)
    return items


def test_every_key_is_documented_and_every_documented_key_is_real(tmp):
    printed = printed_settings(tmp)
    items = documented_keys()
    assert sorted(printed) == sorted(items), (
        "check-config only: %s; quire.conf(5) only: %s"
        % (sorted(set(printed) - set(items)), sorted(set(items) - set(printed))))


# Keys whose check-config value without a setting is derived (the data
# directory, the listen address, the processor count) or "unset": the
# page words those itself.
DERIVED = {"db", "base-url", "threads", "trusted-proxy", "smtp", "mail-from"}


def test_each_documented_default_is_the_real_one(tmp):
    printed = printed_settings(tmp)
    for key, text in documented_keys().items():
        value, origin = printed[key]
        assert origin == "default", (key, origin)
        if key in DERIVED:
            continue
        assert re.search(r"default %s\b" % re.escape(value), text), (key, value, text)


def test_each_documented_range_is_the_one_checked(tmp):
    """'(MIN to MAX' in an item: check-config takes MIN and MAX as a flag
    and as a file line, and refuses one past either end."""
    ranged = 0
    for key, text in documented_keys().items():
        m = re.search(r"\((\d+) to (\d+)\b", text)
        if not m:
            continue
        ranged += 1
        lo, hi = int(m.group(1)), int(m.group(2))
        for v in (lo, hi):
            r = quire("check-config", "--data", tmp, "--" + key, str(v))
            assert r.returncode == 0, (key, v, r.stderr)
            conf = os.path.join(tmp, "q-%s.conf" % key)
            with open(conf, "w") as f:
                f.write("%s = %d\n" % (key, v))
            r = quire("check-config", "--config", conf)
            assert r.returncode == 0, (key, v, r.stderr)
        for v in ([lo - 1] if lo > 0 else []) + [hi + 1]:
            r = quire("check-config", "--data", tmp, "--" + key, str(v))
            assert r.returncode == 2 and key in r.stderr, (key, v, r.stdout, r.stderr)
    assert ranged >= 7


def bold_words(src):
    """The words quire(1) sets in bold: .B's arguments, the odd ones of
    .BI / .BR and the even ones of .IB / .RB."""
    words = set()
    for line in src.splitlines():
        m = re.match(r"^\.(B|BI|BR|IB|RB) (.*)$", line)
        if not m:
            continue
        arg = re.sub(r"\\f[BIRP]", "", m.group(2).replace("\\-", "-")).replace("\\", "")
        args = shlex.split(arg)
        if m.group(1) == "B":
            pick = args
        elif m.group(1) in ("BI", "BR"):
            pick = args[0::2]
        else:
            pick = args[1::2]
        for a in pick:
            words.update(w for w in re.split(r"[\s,]+", a) if w)
    return words


def test_every_flag_of_the_usage_is_in_quire_1(tmp):
    r = quire("--help")
    assert r.returncode == 0
    flags = sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", r.stdout)))
    assert "--data" in flags and "--metrics-listen" in flags, flags
    src = open(QUIRE1).read()
    text = src.replace("\\-", "-")
    settings = section(src, "SETTINGS")
    keys = set(printed_settings(tmp))
    bold = bold_words(settings)
    missing = []
    for flag in flags:
        # A setting is documented under SETTINGS by its key; any other flag
        # by its own spelling.
        if flag[2:] in keys:
            if flag[2:] not in bold:
                missing.append(flag)
        elif flag not in text:
            missing.append(flag)
    assert not missing, missing
    # And every setting, also those the usage leaves out (email).
    assert not keys - bold, sorted(keys - bold)
    assert "quire.conf (5)" in unroff(section(src, "SEE ALSO"))


@pytest.mark.parametrize("page", [QUIRE1, CONF5], ids=["quire.1", "quire.conf.5"])
def test_the_pages_render_without_warnings(page):
    r = subprocess.run(["groff", "-man", "-ww", "-z", page], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    env = dict(os.environ, MANWIDTH="80", MANPAGER="cat", PAGER="cat", LC_ALL="C.UTF-8")
    r = subprocess.run(["man", "--warnings", "-l", page], capture_output=True, text=True,
                       timeout=60, env=env)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert "NAME" in r.stdout and "SEE ALSO" in r.stdout


@pytest.mark.parametrize("doc", GUIDES, ids=[os.path.basename(g) for g in GUIDES])
def test_the_guides_links_lead_to_files_of_the_repository(doc):
    """A Markdown link is to a file here (docs are read from a checkout),
    never to another site."""
    if not os.path.exists(doc):
        pytest.fail("missing: " + doc)
    text = open(doc).read()
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        assert not re.match(r"^[a-z]+:", target), (doc, target)
        path = target.split("#", 1)[0]
        if path:
            full = os.path.normpath(os.path.join(os.path.dirname(doc), path))
            assert os.path.exists(full), (doc, target)


def fenced_blocks(text):
    """A Markdown text's fenced blocks: (language, text) in order."""
    out, lang, cur = [], None, None
    for line in text.splitlines():
        if line.startswith("```"):
            if cur is None:
                lang, cur = line[3:].strip(), []
            else:
                out.append((lang, "\n".join(cur) + "\n"))
                cur = None
        elif cur is not None:
            cur.append(line)
    assert cur is None, "a fence is not closed"
    return out


def config_examples():
    """Every example quire.conf in the manual page (.nf blocks) and the
    operator's guide (fenced blocks) whose lines are all `key = value`."""
    found = []
    src = open(CONF5).read().replace("\\-", "-")
    blocks = [(CONF5, b) for b in re.findall(r"^\.nf\n(.*?)^\.fi$", src, re.S | re.M)]
    guide = os.path.join(ROOT, "docs", "operators-guide.md")
    blocks += [(guide, b) for lang, b in fenced_blocks(open(guide).read()) if not lang]
    for where, b in blocks:
        lines = [ln for ln in b.splitlines() if ln.strip()]
        if lines and all(re.match(r"^[a-z-]+ = \S", ln) for ln in lines):
            found.append((where, b))
    return found


def test_the_example_configurations_are_valid(tmp):
    examples = config_examples()
    assert len(examples) >= 4, examples
    for i, (where, text) in enumerate(examples):
        conf = os.path.join(tmp, "example-%d.conf" % i)
        with open(conf, "w") as f:
            f.write(text)
        r = quire("check-config", "--config", conf)
        assert r.returncode == 0 and r.stdout.rstrip().endswith("# ok"), (where, text, r.stderr)
        got = {ln.split()[0] for ln in r.stdout.splitlines() if "line " in ln.split("#")[-1]}
        want = {ln.split()[0] for ln in text.splitlines() if ln.strip()}
        assert got == want, (where, got, want)


def test_the_guides_prometheus_target_is_the_samples_metrics_address():
    import yaml
    guide = open(os.path.join(ROOT, "docs", "operators-guide.md")).read()
    confs = [yaml.safe_load(b) for lang, b in fenced_blocks(guide) if lang == "yaml"]
    assert confs
    targets = [t for c in confs for job in c["scrape_configs"]
               for sc in job["static_configs"] for t in sc["targets"]]
    sample = open(os.path.join(ROOT, "deploy", "quire.conf")).read()
    m = re.search(r"^metrics-listen = (\S+)$", sample, re.M)
    assert m and targets == [m.group(1)], (targets, m and m.group(1))


def ui_text():
    """What the site can say: templates, the C sources' strings, the scripts."""
    parts = []
    for d, ext in (("templates", ".mustache"), ("src", ".c"), ("static", ".js")):
        for dirpath, _, names in os.walk(os.path.join(ROOT, d)):
            for n in names:
                if n.endswith(ext):
                    parts.append(open(os.path.join(dirpath, n), encoding="utf-8").read())
    text = "\n".join(parts)
    # HTML markup between the words of a label ("Press <strong>Update…")
    # and entities are not part of it.
    text = re.sub(r"<[^>]+>", "", text).replace("&gt;", ">").replace("&lt;", "<")
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("name", ["writers-guide.md", "operators-guide.md"])
def test_the_guides_name_only_real_labels(name):
    """Every **bold** phrase of a guide is a label, button or menu entry
    the site really shows (templates, or strings in the sources);
    `@handle` and NAME stand for a handle and a name there."""
    guide = open(os.path.join(ROOT, "docs", name)).read()
    guide = re.sub(r"```.*?```", "", guide, flags=re.S)
    guide = re.sub(r"`[^`]*`", "CODE", guide)
    labels = [re.sub(r"\s+", " ", b) for b in re.findall(r"\*\*(.+?)\*\*", guide, re.S)]
    assert len(labels) >= (50 if name == "writers-guide.md" else 3), labels
    site = ui_text()
    missing = []
    for label in sorted(set(labels)):
        pat = re.escape(label).replace("@handle", r"@\{\{[a-z_.]+\}\}").replace("NAME", r"\{\{[a-z_.]+\}\}")
        if not re.search(pat, site):
            missing.append(label)
    assert not missing, missing


def test_the_reference_and_the_readme_list_every_key(tmp):
    """operating.md's settings table has one row per key, and the README's
    list of keys names them all."""
    keys = set(printed_settings(tmp))
    ops = open(os.path.join(ROOT, "docs", "operating.md")).read()
    rows = re.findall(r"^\| `([a-z-]+)` \| `--", ops, re.M)
    assert sorted(rows) == sorted(keys), sorted(set(rows) ^ keys)
    readme = open(os.path.join(ROOT, "README.md")).read()
    m = re.search(r"^Keys: (.*?)\n\n", readme, re.S | re.M)
    assert m, "README: no 'Keys:' paragraph"
    listed = set(re.findall(r"`([a-z-]+)`", m.group(1)))
    assert keys <= listed, sorted(keys - listed)
