#!/usr/bin/env python3
"""Renders README.md from scripts/README.template.md, filling each {{name}} with the region of
realtime-core's ReadmeExamplesTest of that name. ReadmeExamplesTest checks the result."""
import re, pathlib, textwrap
root = pathlib.Path(__file__).resolve().parent.parent
src = (root / "realtime-core/src/test/java/dev/realtime/ReadmeExamplesTest.java").read_text()
regions = {}
for m in re.finditer(r"(?m)^( *)// region ([a-z-]+)\n(.*?)^ *// endregion", src, re.S):
    regions[m.group(2)] = textwrap.dedent(m.group(3)).rstrip("\n") + "\n"
tpl = (root / "scripts/README.template.md").read_text()
def fill(m):
    return "```java\n" + regions[m.group(1)]
out = re.sub(r"\{\{([a-z-]+)\}\}\n", fill, tpl)
(root / "README.md").write_text(out)
print("README.md rendered with", len(regions), "snippets")
