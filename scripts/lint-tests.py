#!/usr/bin/env python3
"""The test suite's own guard (`make lint`): fails on tests that cannot fail.

Usage: scripts/lint-tests.py [--self-test] [ROOT]

Rules, over every .rs file under tests/ and src/ (unit tests included):

1. No `#[ignore]`: a test that cannot run here fails loudly instead.
2. No assertion whose outcome is fixed by its own text: `assert!`/`debug_assert!` whose
   condition is made of literals only (`true`, `false`, `!true`, `1 == 1`), and
   `assert_eq!`/`assert_ne!` (and the debug_ forms) whose two sides are the same text.
   `assert!(false, ...)` is a panic: write `panic!(...)`.
3. Every test function (`#[test]`, `#[tokio::test]`, `#[test]` inside `proptest!`) asserts
   something. Its body must contain one of: an `assert*!`/`prop_assert*!` macro, `panic!`,
   `unreachable!`, `.unwrap_err()`, `.expect_err(`, or a call to a helper that asserts;
   or the function carries `#[should_panic]`. A helper that asserts is a function defined
   in the same file or under tests/it/support/ whose body holds one of those (found
   transitively: a helper calling such a helper counts). Helpers are matched by name, as
   `name(` or `.name(`; a plain `.unwrap()` or `.expect(` is not an assertion, because a
   test that only unwraps checks that nothing failed, not what came back.

A finding prints as `path:line: rule: text`; the exit status is 1 when there is any.
`--self-test` runs the rules over planted bad tests (and a good one) and fails unless
each bad one is found and the good one is not.
"""

import hashlib
import os
import re
import sys
import tempfile

ASSERTING = re.compile(
    r"\b(?:debug_)?assert(?:_eq|_ne|_matches)?!|\bprop_assert(?:_eq|_ne)?!|\bpanic!|"
    r"\bunreachable!|\.unwrap_err\(\)|\.expect_err\("
)
TEST_ATTR = re.compile(r"#\[(?:tokio::)?test\b[^\]]*\]")
FN = re.compile(r"\bfn\s+([A-Za-z_][A-Za-z0-9_]*)")
LITERAL_ONLY = re.compile(
    r"^[\s!()]*(?:true|false|-?\d[\d_]*(?:\.\d+)?|'[^']*'|\"[0-9a-f]*\")"
    r"(?:\s*(?:==|!=|<=|>=|<|>|&&|\|\|)\s*[\s!()]*(?:true|false|-?\d[\d_]*(?:\.\d+)?|'[^']*'|\"\"))*[\s)]*$"
)


def digest(literal):
    return '"' + hashlib.sha1(literal.encode()).hexdigest()[:10] + '"'


def strip(text):
    """`text` with comments removed and each string literal replaced by a short digest of
    its text (equal strings stay equal, and nothing inside one reads as code); newlines are
    kept, so line numbers hold. A char literal becomes `' '`."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append("\n" * text.count("\n", i, j))
            i = j
            continue
        m = re.match(r'(?:b|c)?r(#*)"', text[i:])
        if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            end = '"' + m.group(1)
            j = text.find(end, i + m.end())
            j = n if j < 0 else j + len(end)
            out.append(digest(text[i:j]) + "\n" * text.count("\n", i, j))
            i = j
            continue
        if c == '"' or (c == "b" and text.startswith('b"', i)):
            j = i + (2 if c == "b" else 1)
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            j += 1
            out.append(digest(text[i:j]) + "\n" * text.count("\n", i, j))
            i = j
            continue
        if c == "'":
            m = re.match(r"'(?:\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|.)|[^\\'])'", text[i:])
            if m:
                out.append("' '")
                i += m.end()
                continue
        out.append(c)
        i += 1
    return "".join(out)


def balanced(text, start, open_ch, close_ch):
    """The index just past the bracket closing the one at `start`."""
    depth = 0
    for j in range(start, len(text)):
        if text[j] == open_ch:
            depth += 1
        elif text[j] == close_ch:
            depth -= 1
            if depth == 0:
                return j + 1
    return len(text)


def top_level_args(inner):
    args, depth, cur = [], 0, []
    for ch in inner:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            args.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    if "".join(cur).strip():
        args.append("".join(cur).strip())
    return args


def functions(code):
    """(name, start of `fn`, body start, body end) of every function with a body."""
    found = []
    for m in FN.finditer(code):
        j = m.end()
        depth = 0
        while j < len(code):
            ch = code[j]
            if ch in "(<[":
                depth += 1
            elif ch in ")>]":
                depth -= 1
            elif ch == ";" and depth <= 0:
                j = -1
                break
            elif ch == "{" and depth <= 0:
                break
            j += 1
        if j < 0 or j >= len(code):
            continue
        found.append((m.group(1), m.start(), j, balanced(code, j, "{", "}")))
    return found


def line_of(code, pos):
    return code.count("\n", 0, pos) + 1


def rust_files(root, under):
    for top in under:
        base = os.path.join(root, top)
        for dirpath, _, names in os.walk(base):
            for name in sorted(names):
                if name.endswith(".rs"):
                    yield os.path.join(dirpath, name)


def asserting_helpers(codes):
    """Names of functions whose bodies assert, directly or through another such one."""
    bodies = {}
    for code in codes:
        for name, _, b0, b1 in functions(code):
            bodies.setdefault(name, []).append(code[b0:b1])
    known = {n for n, bs in bodies.items() if any(ASSERTING.search(b) for b in bs)}
    while True:
        calls = re.compile(r"(?:\b|\.)(" + "|".join(map(re.escape, sorted(known))) + r")\s*(?:::<[^>]*>)?\(") if known else None
        grown = {
            n
            for n, bs in bodies.items()
            if n not in known and calls and any(calls.search(b) for b in bs)
        }
        if not grown:
            return known
        known |= grown


def lint(root):
    findings = []
    files = list(rust_files(root, ["tests", "src"]))
    stripped = {}
    for path in files:
        with open(path, encoding="utf-8") as f:
            stripped[path] = strip(f.read())
    support = [c for p, c in stripped.items() if os.sep + "support" + os.sep in p]
    for path, code in stripped.items():
        rel = os.path.relpath(path, root)
        for m in re.finditer(r"#\[ignore\b", code):
            findings.append(f"{rel}:{line_of(code, m.start())}: ignore: #[ignore] (a test that cannot run here fails loudly instead)")
        for m in re.finditer(r"\b((?:debug_)?assert(?:_eq|_ne)?)!\s*\(", code):
            end = balanced(code, m.end() - 1, "(", ")")
            args = top_level_args(code[m.end() : end - 1])
            if not args:
                continue
            what = m.group(1)
            if what.endswith("assert") and LITERAL_ONLY.match(args[0]):
                findings.append(f"{rel}:{line_of(code, m.start())}: constant-assert: {what}!({args[0]}) cannot depend on the code under test")
            elif what.endswith(("_eq", "_ne")) and len(args) >= 2 and re.sub(r"\s", "", args[0]) == re.sub(r"\s", "", args[1]):
                findings.append(f"{rel}:{line_of(code, m.start())}: constant-assert: {what}! compares {args[0]} with itself")
        helpers = asserting_helpers([code] + support)
        calls = re.compile(r"(?:\b|\.)(" + "|".join(map(re.escape, sorted(helpers))) + r")\s*(?:::<[^>]*>)?\(") if helpers else None
        for name, start, b0, b1 in functions(code):
            # The attributes written just above this `fn`.
            head = code[:start]
            attrs = re.search(r"((?:\s*#\[[^\]]*(?:\[[^\]]*\][^\]]*)*\])*)\s*(?:pub\s+)?(?:async\s+)?$", head)
            attr_text = attrs.group(1) if attrs else ""
            if not TEST_ATTR.search(attr_text):
                continue
            if "should_panic" in attr_text:
                continue
            body = code[b0:b1]
            if ASSERTING.search(body) or (calls and calls.search(body)):
                continue
            findings.append(f"{rel}:{line_of(code, start)}: no-assertion: test {name} asserts nothing (no assert*/panic/unwrap_err/expect_err/asserting helper)")
    return findings


PLANTED = {
    "tests/it/planted.rs": """
#[test]
fn asserts_a_constant() {
    let x = 1 + 1;
    assert!(true, "x is {x}");
}

#[test]
#[ignore]
fn is_ignored() {
    assert_eq!(1 + 1, two());
}

#[tokio::test]
async fn asserts_nothing() {
    let v: Result<u8, ()> = Ok(1);
    v.unwrap();
}

#[test]
fn compares_a_thing_with_itself() {
    let v = vec![1];
    assert_eq!(v.len(), v.len());
}

fn two() -> i32 {
    2
}
""",
    "tests/it/fine.rs": """
fn check_answer(n: i32) {
    assert_eq!(n, 42, "the answer");
}

fn through_a_helper(n: i32) {
    check_answer(n - 1 + 1);
}

#[test]
fn uses_a_helper() {
    let s = "assert!(true) in a string is not code";
    through_a_helper(s.len() as i32 + 4);
}

#[test]
#[should_panic(expected = "boom")]
fn panics_on_purpose() {
    let v: Option<u8> = None;
    v.expect("boom");
}

#[test]
fn unwraps_an_error() {
    let r: Result<(), String> = Err("no".into());
    r.unwrap_err();
}
""",
}


def self_test():
    with tempfile.TemporaryDirectory() as root:
        for rel, text in PLANTED.items():
            path = os.path.join(root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        found = lint(root)
    want = [
        ("tests/it/planted.rs", "constant-assert", "assert!(true"),
        ("tests/it/planted.rs", "ignore", "#[ignore]"),
        ("tests/it/planted.rs", "no-assertion", "asserts_nothing"),
        ("tests/it/planted.rs", "constant-assert", "v.len() with itself"),
    ]
    ok = True
    for rel, rule, text in want:
        if not any(f.startswith(rel) and f": {rule}: " in f and text in f for f in found):
            print(f"lint-tests self-test: missed {rule} {text!r} in {rel}", file=sys.stderr)
            ok = False
    for f in found:
        if f.startswith("tests/it/fine.rs"):
            print(f"lint-tests self-test: false positive: {f}", file=sys.stderr)
            ok = False
        if "is_ignored" in f and "no-assertion" in f:
            print(f"lint-tests self-test: false positive: {f}", file=sys.stderr)
            ok = False
    if ok:
        print(f"lint-tests self-test: {len(found)} planted findings found, no false positive")
    return ok


def main(argv):
    if "--self-test" in argv:
        return 0 if self_test() else 1
    rest = [a for a in argv if not a.startswith("--")]
    root = rest[0] if rest else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    findings = lint(root)
    for f in findings:
        print(f)
    if findings:
        print(f"lint-tests: {len(findings)} finding(s); see the rules in scripts/lint-tests.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
