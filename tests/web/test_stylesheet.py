"""Our stylesheet is hand-written and edited by many features at once; one lost brace silently
swallows every rule after it (it once hid the mailbox's wrapping and the transcript's phone
layout), and no page test notices. So: every block must close, and none may open inside a plain
rule."""

import re
from pathlib import Path

STYLESHEET = Path(__file__).resolve().parents[2] / "web" / "static" / "app.css"


def test_every_rule_of_the_stylesheet_closes():
    css = re.sub(r"/\*.*?\*/", "", STYLESHEET.read_text(), flags=re.S)
    css = re.sub(r'"[^"]*"|\'[^\']*\'', '""', css)
    open_blocks: list[tuple[int, bool]] = []  # (line, is an at-rule that may nest rules)
    for number, line in enumerate(css.splitlines(), start=1):
        for match in re.finditer(r"[^{}]*([{}])", line):
            if match.group(1) == "{":
                inside_plain_rule = open_blocks and not open_blocks[-1][1]
                assert not inside_plain_rule, (
                    f"line {number}: a rule opens inside the rule of line {open_blocks[-1][0]}")
                open_blocks.append((number, match.group(0).lstrip().startswith("@")))
            else:
                assert open_blocks, f"line {number}: a closing brace with nothing open"
                open_blocks.pop()
    assert not open_blocks, f"the rule of line {open_blocks[-1][0]} never closes"
