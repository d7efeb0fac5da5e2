#!/usr/bin/env python3
"""Documentation hygiene for libkubeclient's public headers (STYLE.md §4.13).

Every function declared with KUBE_EXTERN( under the include directory must be
immediately preceded by a Doxygen block (/** ... */; only blank lines and
preprocessor lines may sit in between) that has:

  - a summary (text before the first tag, or @brief);
  - one @param / @param[out] for each named parameter, and no @param that
    names no parameter;
  - @return, unless the function returns void;
  - the ownership of the pointers it hands out: an @ownership tag, or the
    word new/borrowed/static/taken/owned in the @return text (for a returned
    pointer) or in the @param text (for a T ** out-parameter);
  - @threadsafety;
  - @since.

Inside a Doxygen member group (a block with "@{" up to "@}"), the group's
block supplies the summary, @threadsafety and @since of its members.

Exported data objects (KUBE_EXTERN_DATA(type) kube_name;, e.g. the generated
type descriptors and scheme entries) need no documentation block, but must be
named kube_<lowercase> (not kube__), and the comment before one is never taken
as the documentation of the function that follows it.

Also (curl test1477 style): every enumerator of kube_error_code in
kube/errors.h and every kube_error_is_* predicate appears in docs/errors.md,
and docs/errors.md names no KUBE_* identifier that no header defines.
With --check-refs, every `kube_name(` written in the given Markdown files
must be a declared function (docs never show calls that do not exist).

Exit status 0 when clean, 1 with one line per problem naming the function.
"""

import argparse
import os
import re
import sys
import tempfile

TOKEN = re.compile(r"/\*.*?\*/|//[^\n]*|\bKUBE_EXTERN(?:_DATA)?\s*\(", re.S)
TAG = re.compile(r"(?<![\w@\\])[@\\](param\b(?:\[[a-z, ]*\])?|(?:returns?|ownership|threadsafety|since|brief|name|note|see|deprecated|warning|code|endcode|file|details|pre|post|retval)\b)")
OWNERSHIP_WORDS = re.compile(r"\b(new|borrowed|static|taken|takes|owned|owns|copied)\b", re.I)
C_TYPE_WORDS = {
    "void", "char", "short", "int", "long", "float", "double", "signed",
    "unsigned", "const", "volatile", "struct", "enum", "union", "size_t",
    "ssize_t", "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t",
    "uint16_t", "uint32_t", "uint64_t", "bool", "_Bool",
}


class Doc:
    """A parsed Doxygen block."""

    def __init__(self, raw):
        body = raw[3:-2] if raw.startswith("/**") else raw
        lines = []
        for line in body.splitlines():
            line = re.sub(r"^\s*\*+ ?", "", line) if line.strip().startswith("*") else line
            lines.append(line.strip())
        self.text = "\n".join(lines).strip()
        self.tags = {}      # tag -> list of texts
        self.params = {}    # name -> text
        pieces = TAG.split(self.text)
        self.summary = pieces[0].strip()
        for i in range(1, len(pieces) - 1, 2):
            tag, value = pieces[i], pieces[i + 1].strip()
            if tag.startswith("param"):
                m = re.match(r"(\w+)\s*(.*)", value, re.S)
                if m:
                    self.params[m.group(1)] = m.group(2)
                else:
                    self.tags.setdefault("param-unnamed", []).append(value)
                continue
            if tag == "returns":
                tag = "return"
            if tag == "retval":
                tag = "return"
            self.tags.setdefault(tag, []).append(value)
        if not self.summary:
            for t in ("brief", "name"):
                if self.tags.get(t) and self.tags[t][0]:
                    self.summary = self.tags[t][0]
                    break

    def has(self, tag):
        return any(v.strip() for v in self.tags.get(tag, []))


def balanced(text, start):
    """text[start] == '('; return the index just past the matching ')'."""
    depth = 0
    i = start
    while i < len(text):
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        elif c == "/" and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = len(text) if j < 0 else j + 1
        i += 1
    return -1


def split_params(params):
    out, depth, cur = [], 0, ""
    params = re.sub(r"/\*.*?\*/", " ", params, flags=re.S)
    for c in params:
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        if c == "," and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += c
    if cur.strip():
        out.append(cur)
    return [p.strip() for p in out]


def param_name(p):
    """Name of one parameter declaration, or None when unnamed."""
    m = re.search(r"\(\s*\*\s*(\w+)\s*\)", p)  # function pointer
    if m:
        return m.group(1)
    p = re.sub(r"\[[^\]]*\]", "", p).strip()
    if p.endswith("*"):
        return None
    words = re.findall(r"[A-Za-z_]\w*", p)
    if len(words) < 2 or words[-1] in C_TYPE_WORDS:
        return None
    return words[-1]


def preprocessor_line(text, pos):
    start = text.rfind("\n", 0, pos) + 1
    return text[start:pos].lstrip().startswith("#")


def only_blank_or_cpp(between):
    for line in between.splitlines():
        s = line.strip()
        if s and not s.startswith("#"):
            return False
    return True


class Data:
    """An exported data object (KUBE_EXTERN_DATA)."""

    def __init__(self, path, line, name, type_):
        self.path, self.line, self.name, self.type = path, line, name, type_


class Func:
    def __init__(self, path, line, name, rettype, params, doc, group):
        self.path, self.line, self.name = path, line, name
        self.rettype, self.params, self.doc, self.group = rettype, params, doc, group


def parse_header(path, data=None):
    """Return (functions, problems) of one header; exported data objects are
    appended to the list data when given."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    funcs, problems = [], []
    last_comment = None      # (raw, start, end)
    groups = []              # stack of Doc
    pos = 0
    while True:
        m = TOKEN.search(text, pos)
        if not m:
            break
        tok = m.group(0)
        if tok.startswith("/*") or tok.startswith("//"):
            last_comment = (tok, m.start(), m.end())
            if tok.startswith("/**") and not tok.startswith("/**<"):
                if "@{" in tok:
                    groups.append(Doc(tok))
            if "@}" in tok and groups:
                groups.pop()
            pos = m.end()
            continue
        # KUBE_EXTERN( or KUBE_EXTERN_DATA(
        if preprocessor_line(text, m.start()):
            pos = m.end()
            continue
        lineno = text.count("\n", 0, m.start()) + 1
        open_paren = m.end() - 1
        close = balanced(text, open_paren)
        if close < 0:
            problems.append(f"{path}:{lineno}: unbalanced KUBE_EXTERN(")
            break
        rettype = text[open_paren + 1:close - 1].strip()
        if tok.startswith("KUBE_EXTERN_DATA"):
            dm = re.compile(r"\s*([A-Za-z_]\w*)\s*;").match(text, close)
            if not dm:
                problems.append(f"{path}:{lineno}: cannot parse the declaration after "
                                f"KUBE_EXTERN_DATA({rettype}) (expected 'name;')")
                pos = close
            else:
                if data is not None:
                    data.append(Data(path, lineno, dm.group(1), rettype))
                pos = dm.end()
            last_comment = None
            continue
        nm = re.compile(r"\s*(\**)\s*([A-Za-z_]\w*)\s*\(").match(text, close)
        if not nm:
            problems.append(f"{path}:{lineno}: cannot parse the declaration after KUBE_EXTERN({rettype})")
            pos = close
            continue
        if nm.group(1):
            rettype += " " + nm.group(1)
        name = nm.group(2)
        pstart = nm.end() - 1
        pend = balanced(text, pstart)
        if pend < 0:
            problems.append(f"{path}:{lineno}: {name}: unbalanced parameter list")
            break
        params = split_params(text[pstart + 1:pend - 1])
        if params == ["void"] or params == []:
            params = []
        doc = None
        if last_comment is not None:
            raw, _, cend = last_comment
            if raw.startswith("/**") and not raw.startswith("/**<") and \
                    only_blank_or_cpp(text[cend:m.start()]):
                doc = Doc(raw)
        funcs.append(Func(path, lineno, name, rettype, params, doc,
                          groups[-1] if groups else None))
        end = text.find(";", pend)
        pos = pend if end < 0 else end + 1
        last_comment = None
    return funcs, problems


def check_function(f):
    where = f"{f.path}:{f.line}: {f.name}"
    out = []
    if not re.fullmatch(r"kube_[a-z0-9_]+", f.name) or f.name.startswith("kube__"):
        out.append(f"{where}: public functions are named kube_<lowercase> (not kube__)")
    d, g = f.doc, f.group
    if d is None:
        return out + [f"{where}: no /** ... */ documentation block right before the declaration"]

    def has(tag):
        return d.has(tag) or (g is not None and g.has(tag))

    if not d.summary and not (g is not None and g.summary):
        out.append(f"{where}: no summary line")
    if not has("threadsafety"):
        out.append(f"{where}: no @threadsafety")
    if not has("since"):
        out.append(f"{where}: no @since")
    returns_void = re.fullmatch(r"void", f.rettype.strip()) is not None
    if not returns_void and not d.has("return"):
        out.append(f"{where}: returns {f.rettype} but has no @return")
    names = []
    for i, p in enumerate(f.params):
        if p == "...":
            continue
        n = param_name(p)
        if n is None:
            out.append(f"{where}: parameter {i + 1} ({p}) has no name")
            continue
        names.append(n)
        if n not in d.params:
            out.append(f"{where}: parameter '{n}' has no @param")
    for n in d.params:
        if n not in names:
            out.append(f"{where}: @param '{n}' names no parameter")
    # ownership of pointers handed out
    if not d.has("ownership"):
        if "*" in f.rettype and not OWNERSHIP_WORDS.search(" ".join(d.tags.get("return", []))):
            out.append(f"{where}: returns a pointer but states no ownership (@ownership)")
        for p in f.params:
            n = param_name(p)
            if n and re.search(r"\*\s*\*\s*\w+$", p) and \
                    not OWNERSHIP_WORDS.search(d.params.get(n, "")):
                out.append(f"{where}: out-parameter '{n}' has no ownership (@ownership)")
    return out


def error_codes(errors_h):
    with open(errors_h, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"typedef\s+enum\s+kube_error_code\s*\{(.*?)\}", text, re.S)
    if not m:
        return None
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    return re.findall(r"\b(KUBE_[A-Z0-9_]+)\s*=", body)


def defined_identifiers(headers):
    names = set()
    for h in headers:
        with open(h, encoding="utf-8") as f:
            text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
        names.update(re.findall(r"#\s*define\s+(KUBE_[A-Z0-9_]+)", text))
        for body in re.findall(r"\benum\b[^{;]*\{(.*?)\}", text, re.S):
            names.update(re.findall(r"\b(KUBE_[A-Z0-9_]+)\b", body))
    names.update({"KUBE_LOG"})  # environment variable
    return names


def check_errors_md(include, errors_md, headers, functions):
    out = []
    errors_h = os.path.join(include, "kube", "errors.h")
    if not os.path.exists(errors_h):
        return [f"{errors_h}: missing"]
    codes = error_codes(errors_h)
    if not codes:
        return [f"{errors_h}: no 'typedef enum kube_error_code {{ ... }}' found"]
    if not os.path.exists(errors_md):
        return [f"{errors_md}: missing (it must describe every error code)"]
    with open(errors_md, encoding="utf-8") as f:
        md = f.read()
    for c in codes:
        if not re.search(r"\b%s\b" % re.escape(c), md):
            out.append(f"{errors_md}: error code {c} is not documented")
    for fn in sorted(x.name for x in functions if x.name.startswith("kube_error_is_")):
        if not re.search(r"\b%s\b" % re.escape(fn), md):
            out.append(f"{errors_md}: predicate {fn}() is not documented")
    known = defined_identifiers(headers)
    for ident in sorted(set(re.findall(r"\bKUBE_[A-Z0-9_]*[A-Z0-9]\b", md))):
        if ident not in known:
            out.append(f"{errors_md}: names {ident}, which no public header defines")
    return out


def check_refs(md_files, functions):
    declared = {f.name for f in functions}
    out = []
    files = []
    for path in md_files:
        if os.path.isdir(path):
            files += sorted(os.path.join(path, f) for f in os.listdir(path) if f.endswith(".md"))
        else:
            files.append(path)
    for path in files:
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            md = f.read()
        for n in sorted(set(re.findall(r"\b(kube_[a-z0-9_]+)\s*\(", md))):
            if n not in declared:
                out.append(f"{path}: shows a call to {n}(), which no public header declares")
    return out


def check_data(d):
    if not re.fullmatch(r"kube_[a-z0-9_]+", d.name) or d.name.startswith("kube__"):
        return [f"{d.path}:{d.line}: {d.name}: exported data is named kube_<lowercase> (not kube__)"]
    return []


def run(include, errors_md, refs, data=None):
    if data is None:
        data = []
    headers = []
    for root, _, files in os.walk(include):
        headers += [os.path.join(root, f) for f in files if f.endswith(".h")]
    headers.sort()
    functions, problems = [], []
    for h in headers:
        fs, ps = parse_header(h, data)
        functions += fs
        problems += ps
    for f in functions:
        problems += check_function(f)
    for d in data:
        problems += check_data(d)
    if errors_md:
        problems += check_errors_md(include, errors_md, headers, functions)
    if refs:
        problems += check_refs(refs, functions)
    return functions, problems


def report(functions, problems, data=()):
    for p in problems:
        print(p)
    bad = sorted({p.split(": ")[1] for p in problems if p.count(": ") >= 2 and
                  re.fullmatch(r"kube_\w+", p.split(": ")[1])})
    if problems:
        print(f"\ndocs hygiene: FAILED: {len(problems)} problem(s)")
        if bad:
            print("functions to fix: " + " ".join(bad))
        return 1
    print(f"docs hygiene: ok ({len(functions)} functions documented, "
          f"{len(data)} data objects declared)")
    return 0


SELFTEST_HEADER = r"""
#ifndef KUBE_T_H
#define KUBE_T_H
#include "kube/common.h"
/** Good one.
 * @param[out] out new thing.
 * @param cfg configuration (borrowed). @param n count.
 * @return 0 or KUBE_ENOMEM.
 * @ownership *out is new.
 * @threadsafety any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_t_good(kube_t **out, const kube_cfg *cfg, size_t n);

KUBE_EXTERN(int) kube_t_undocumented(void);

/* not a doc block */
KUBE_EXTERN(void) kube_t_plain_comment(void);

/**
 * No return, no since, no threadsafety, a wrong param.
 * @param x nothing.
 */
KUBE_EXTERN(int) kube_t_missing(int a);

/**
 * @return a pointer.
 * @threadsafety any thread.
 * @since 0.1
 */
KUBE_EXTERN(const char *) kube_t_nosummary_noownership(void);

/**
 * Out-parameter without ownership.
 * @param[out] out the thing.
 * @return 0.
 * @threadsafety any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_t_outparam(kube_t **out);

/**
 * @name Group
 * Group summary.
 * @threadsafety any thread.
 * @since 0.1
 * @{
 */
/** @return non-zero for X. @param e error (borrowed). */
KUBE_EXTERN(int) kube_t_grouped(const kube_error *e);
/** @}
 */

/**
 * Unnamed parameter.
 * @return 0.
 * @threadsafety any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_t_unnamed(int);

/** A struct whose doc is not the data's nor the next function's. */
struct kube_t_s { int a; };
KUBE_EXTERN_DATA(const kube_t_s) kube_t_data_ok;
KUBE_EXTERN_DATA(const kube_t_s) kube__t_data_internal;
KUBE_EXTERN(void) kube_t_after_data(void);

/** Trailing doc */
int x; /**< member doc */
KUBE_EXTERN(void) kube_t_after_member_doc(void);
#endif
"""

SELFTEST_ERRORS_H = r"""
typedef enum kube_error_code {
    KUBE_OK = 0,
    KUBE_ERROR = -1, /**< generic */
    KUBE_ENOMEM = -2,
    KUBE_ENEWCODE = -3
} kube_error_code;
/** Pred. @param e error. @return bool. @threadsafety any. @since 0.1 */
KUBE_EXTERN(int) kube_error_is_thing(const kube_error *e);
"""

SELFTEST_MD = "KUBE_OK KUBE_ERROR KUBE_ENOMEM KUBE_EGHOST kube_t_good() kube_t_imaginary()\n"

SELFTEST_EXPECT = [
    ("kube_t_undocumented", "no /** ... */ documentation block"),
    ("kube_t_plain_comment", "no /** ... */ documentation block"),
    ("kube_t_missing", "no @threadsafety"),
    ("kube_t_missing", "no @since"),
    ("kube_t_missing", "has no @return"),
    ("kube_t_missing", "parameter 'a' has no @param"),
    ("kube_t_missing", "@param 'x' names no parameter"),
    ("kube_t_nosummary_noownership", "no summary line"),
    ("kube_t_nosummary_noownership", "returns a pointer but states no ownership"),
    ("kube_t_outparam", "out-parameter 'out' has no ownership"),
    ("kube_t_unnamed", "parameter 1 (int) has no name"),
    ("kube_t_after_member_doc", "no /** ... */ documentation block"),
    ("kube_t_after_data", "no /** ... */ documentation block"),
    ("kube__t_data_internal", "exported data is named kube_<lowercase>"),
    ("errors.md", "error code KUBE_ENEWCODE is not documented"),
    ("errors.md", "predicate kube_error_is_thing() is not documented"),
    ("errors.md", "names KUBE_EGHOST, which no public header defines"),
    ("errors.md", "shows a call to kube_t_imaginary()"),
]
# Problems that must NOT be reported (substrings).
SELFTEST_CLEAN = [": kube_t_good:", ": kube_t_grouped:", ": kube_t_data_ok:", "KUBE_OK", "KUBE_ERROR ",
                  "KUBE_ENOMEM", "call to kube_t_good()"]


def self_test():
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "include", "kube"))
        with open(os.path.join(d, "include", "kube", "t.h"), "w") as f:
            f.write(SELFTEST_HEADER)
        with open(os.path.join(d, "include", "kube", "errors.h"), "w") as f:
            f.write(SELFTEST_ERRORS_H)
        md = os.path.join(d, "errors.md")
        with open(md, "w") as f:
            f.write(SELFTEST_MD)
        data = []
        functions, problems = run(os.path.join(d, "include"), md, [md], data)
    text = "\n".join(problems)
    failed = 0
    for who, what in SELFTEST_EXPECT:
        if not any(who in p and what in p for p in problems):
            print(f"self-test FAIL: expected a problem '{what}' for {who}")
            failed = 1
    for bad in SELFTEST_CLEAN:
        for p in problems:
            if bad in p:
                print(f"self-test FAIL: unexpected problem: {p}")
                failed = 1
    if len(functions) != 11:
        print(f"self-test FAIL: parsed {len(functions)} functions, expected 11")
        failed = 1
    if sorted(x.name for x in data) != ["kube__t_data_internal", "kube_t_data_ok"]:
        print(f"self-test FAIL: parsed data {[x.name for x in data]}")
        failed = 1
    if failed:
        print("--- problems found:\n" + text)
        return 1
    print(f"self-test ok ({len(problems)} planted problems found)")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--include", help="public include directory")
    ap.add_argument("--errors-md", help="docs/errors.md")
    ap.add_argument("--check-refs", nargs="*", default=[],
                    help="Markdown files (or folders of them) whose kube_name( calls must exist")
    ap.add_argument("--self-test", action="store_true",
                    help="check the checker against planted mistakes")
    a = ap.parse_args()
    if a.self_test:
        return self_test()
    if not a.include:
        ap.error("--include is required")
    data = []
    functions, problems = run(a.include, a.errors_md, a.check_refs, data)
    return report(functions, problems, data)


if __name__ == "__main__":
    sys.exit(main())
