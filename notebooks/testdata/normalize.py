"""Print a notebook's code cells and normalised outputs as JSON.

Used by notebooks_test.go to compare a fresh run with the committed outputs.
Lines of cells tagged "nogolden" are left out.
"""
import json
import re
import sys

import nbformat


def norm_text(s):
    s = re.sub(r"pid=\d+", "pid=N", s)
    s = re.sub(r"\b\d+(\.\d+)?(ns|µs|us|ms|s)\b", "T", s)
    return s


def outputs(cell):
    out = []
    for o in cell.get("outputs", []):
        t = o.get("output_type")
        if t == "stream":
            out.append({"stream": o["name"], "text": norm_text(o["text"])})
        elif t in ("execute_result", "display_data"):
            data = o.get("data", {})
            out.append({t: norm_text(data.get("text/plain", "")), "mimes": sorted(data)})
        elif t == "error":
            out.append({"error": o.get("ename"), "evalue": norm_text(o.get("evalue", ""))})
    return out


nb = nbformat.read(sys.argv[1], as_version=4)
cells = []
for c in nb.cells:
    if c.cell_type != "code":
        continue
    tags = c.get("metadata", {}).get("tags", [])
    cells.append({"source": c.source, "outputs": None if "nogolden" in tags else outputs(c)})
json.dump(cells, sys.stdout, indent=1, ensure_ascii=False)
