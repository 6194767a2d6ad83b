"""Lint CloudFormation templates with cfn-lint and summarize: fails on any error.

    python .ci/lint-templates.py DIR...

Lints every *.template.json under the given folders (the jest tests' templates, the example
apps' cdk.out/), prints how many templates each folder held and the findings per level and
rule, every error in full, and exits 1 if there is an error (or a folder holds no template).
Templates of stacks without resources are listed and skipped (see below).
Warnings and informational findings are reported, not failed on. No rule is ignored: a false
positive would be ignored here (--ignore-checks, for that rule only) with the reason.
"""

import collections
import json
import pathlib
import subprocess
import sys


def main(dirs):
    templates = []
    for d in dirs:
        found = sorted(pathlib.Path(d).rglob("*.template.json"))
        print(f"{len(found):4d} templates in {d}")
        if not found:
            # An empty folder means whatever should have filled it broke: not a clean lint.
            print(f"no template in {d}", file=sys.stderr)
            return 1
        templates += found

    # A stack without resources is not a template anyone deploys (the CDK CLI skips it, and
    # CloudFormation requires Resources: E1001): it comes from tests that only read a stack's
    # annotations. Skipped by content rather than by ignoring E1001, which guards the real ones.
    empty = [t for t in templates if not json.loads(t.read_text()).get("Resources")]
    for t in empty:
        print(f"skipped (no resources): {t}")
    templates = [t for t in templates if t not in empty]

    result = subprocess.run(
        [
            # The cfn-lint of this interpreter (.ci/run runs the script in its virtual environment).
            str(pathlib.Path(sys.executable).with_name("cfn-lint")),
            "--format", "json",
            "--include-checks", "I",
            "--non-zero-exit-code", "none",
            "--", *map(str, templates),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        print(result.stdout + result.stderr, file=sys.stderr)
        return 1
    matches = json.loads(result.stdout or "[]")

    by_level = collections.Counter(m["Level"] for m in matches)
    by_rule = collections.Counter((m["Level"], m["Rule"]["Id"], m["Rule"]["ShortDescription"]) for m in matches)
    print(
        f"cfn-lint: {len(templates)} templates, {by_level['Error']} errors, "
        f"{by_level['Warning']} warnings, {by_level['Informational']} informational"
    )
    for (level, rule, description), count in sorted(by_rule.items()):
        print(f"  {count:4d}  {level:13s} {rule}  {description}")
    errors = [m for m in matches if m["Level"] == "Error"]
    for m in errors:
        where = m["Location"]["Start"]
        print(f"ERROR {m['Filename']}:{where['LineNumber']} {m['Rule']['Id']} {m['Message']}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
