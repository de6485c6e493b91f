#!/usr/bin/env python3
"""Checks the crate's layering: the shared layers refer to no resource module, no module refers
to another in a circle (between top-level modules, and between the files of one folder), and
only the application (`app.rs`) refers to a resource's handlers.

References are `use crate::…` lines (grouped `{…}` forms included), inline `crate::…` and
`$crate::…` paths, `super::…` paths and `pub use` re-exports; comments are ignored.
Exit 1 with a report when a rule is broken."""
import os
import re
import sys

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
# The shared layers: what handlers stand on. They may use each other (without a circle) but no
# resource module.
SHARED = {"state", "config", "error", "domain", "db", "auth", "http", "audit", "telemetry", "text", "calendar", "write", "labels"}
# The top: they gather everything.
TOP = {"app", "openapi", "main", "lib"}


def module_of(path):
    rel = os.path.relpath(path, SRC)[:-3].split(os.sep)
    if rel[-1] == "mod":
        rel = rel[:-1]
    return rel


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    out = []
    for line in text.splitlines():
        # Drop // comments outside strings (good enough: our strings rarely hold "//").
        in_str = False
        cut = len(line)
        i = 0
        while i < len(line):
            c = line[i]
            if c == '"' and (i == 0 or line[i - 1] != "\\"):
                in_str = not in_str
            elif not in_str and line.startswith("//", i):
                cut = i
                break
            i += 1
        out.append(line[:cut])
    return "\n".join(out)


def expand_group(prefix, body):
    """`a::{b, c::{d, e}}` -> [a::b, a::c::d, a::c::e]."""
    items, depth, cur = [], 0, ""
    for ch in body:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
        else:
            cur += ch
    items.append(cur)
    paths = []
    for it in items:
        it = it.strip()
        if not it:
            continue
        m = re.match(r"^([\w:]*?)(::)?\{(.*)\}$", it, flags=re.S)
        if m:
            sub = (prefix + "::" + m.group(1)).strip(":") if m.group(1) else prefix
            paths += expand_group(sub, m.group(3))
        else:
            paths.append(prefix + "::" + it.split(" as ")[0].strip())
    return paths


def references(text, mod):
    refs = []
    for m in re.finditer(r"\buse\s+((?:\$?crate|super)(?:::\w+)*)::\{", text):
        start = m.end()
        depth, i = 1, start
        while depth and i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        refs += expand_group(m.group(1), text[start : i - 1])
    refs += re.findall(r"(?<![\w:])\$?crate(?:::\w+)+", text)
    refs += re.findall(r"(?<![\w:])(?:super::)+\w+(?:::\w+)*", text)
    out = []
    for r in refs:
        parts = r.replace("$crate", "crate").split("::")
        if parts[0] == "crate":
            target = parts[1:]
        else:
            base = list(mod)
            # A file's `super` is its folder's module; mod.rs's `super` is the parent folder.
            while parts and parts[0] == "super":
                base = base[:-1]
                parts = parts[1:]
            target = base + parts
        out.append([p for p in target if p and p != "self"])
    return out


def main():
    files = []
    for root, _, names in os.walk(SRC):
        for n in names:
            if n.endswith(".rs"):
                files.append(os.path.join(root, n))
    modules = {tuple(module_of(f)) for f in files}
    top_edges, file_edges, problems = {}, {}, []
    for f in sorted(files):
        mod = module_of(f)
        text = strip_comments(open(f, encoding="utf-8").read())
        me = mod[0] if mod else "lib"
        for target in references(text, mod):
            if not target:
                continue
            # Truncate to the longest module that exists.
            t = list(target)
            while t and tuple(t) not in modules:
                t.pop()
            if not t:
                continue
            dest = t[0]
            if dest != me and len(t) > 1 and t[1] == "handlers" and me not in TOP:
                problems.append(f"{os.path.relpath(f, SRC)}: calls another resource's handlers (`crate::{'::'.join(target)}`)")
            if dest != me:
                top_edges.setdefault(me, set()).add(dest)
                if me in SHARED and dest not in SHARED:
                    problems.append(f"{os.path.relpath(f, SRC)}: the shared layer `{me}` refers to `crate::{'::'.join(target)}`")
            elif len(t) > 1 and len(mod) > 1 and tuple(t) != tuple(mod) and tuple(t[: len(mod)]) != tuple(mod):
                a, b = "::".join(mod), "::".join(t)
                if not b.startswith(a + "::") and len(t) > 1:
                    file_edges.setdefault(a, set()).add(b)

    def cycles(edges):
        found, state = [], {}

        def visit(n, stack):
            state[n] = 1
            stack.append(n)
            for m in sorted(edges.get(n, ())):
                if state.get(m) == 1:
                    found.append(stack[stack.index(m):] + [m])
                elif not state.get(m):
                    visit(m, stack)
            stack.pop()
            state[n] = 2

        for n in sorted(edges):
            if not state.get(n):
                visit(n, [])
        return found

    for c in cycles(top_edges):
        problems.append("modules in a circle: " + " -> ".join(c))
    # Files of one folder: a file may use its siblings, but not in a circle (a folder's mod.rs
    # re-exporting is not a use).
    folder_edges = {}
    for a, bs in file_edges.items():
        for b in bs:
            if a.split("::")[0] == b.split("::")[0] and "::" in b and b.count("::") >= 1 and a.count("::") >= 1:
                if b.rsplit("::", 1)[0] == a.rsplit("::", 1)[0] or True:
                    folder_edges.setdefault(a, set()).add(b)
    for c in cycles(folder_edges):
        problems.append("files in a circle: " + " -> ".join(c))
    if problems:
        print("Layering check failed:")
        for p in problems:
            print("  " + p)
        return 1
    print(f"layers: {len(files)} files; shared layers refer to no resource; no module circle")
    return 0


if __name__ == "__main__":
    sys.exit(main())
