"""Build notebooks/named-fifo.{en,ru}.ipynb from testdata/seminar_source.txt.

The source holds each code cell once and each Markdown cell in both
languages, so the two notebooks get identical code cells by construction.
The built notebooks have no outputs: `go test ./notebooks -run
TestNotebooksRunHeadless -update` fills them from a real run.

Source format: blocks that start with a line "=== md" or "=== code".
- A Markdown block holds the English text, a line "--- ru", then the
  Russian text.
- A code block's header may carry "tags=a,b" (cell tags: nogolden leaves
  the cell out of notebooks_test.go's comparison, volatile out of
  seminar_test.go's too), "id=NAME" (the cell id that seminar_test.go
  looks cells up by) and "job=NAME" for a cell that starts a background
  job, which must be named NAME (%bash_async --name NAME); its id is then
  job-NAME. Cells refer to jobs by name only, so that any cell can be run
  again and any section on its own. "hidden=true" collapses the cell's
  source (the exercises' solutions); it still runs.

Usage: /usr/bin/python3 testdata/seminar_build.py  (from notebooks/)
"""
import re
import sys

import nbformat

SOURCE = "testdata/seminar_source.txt"
LANGS = ("en", "ru")


def parse(text):
    blocks = []
    for chunk in re.split(r"(?m)^(?==== )", text):
        if not chunk.strip():
            continue
        header, _, body = chunk.partition("\n")
        words = header.split()[1:]
        kind, attrs = words[0], dict(w.split("=", 1) for w in words[1:])
        body = body.strip("\n")
        if kind == "md":
            en, sep, ru = body.partition("\n--- ru\n")
            if not sep:
                sys.exit(f"markdown block without '--- ru': {body[:60]!r}")
            blocks.append(("md", {"en": en.strip("\n"), "ru": ru.strip("\n")}, attrs))
        elif kind == "code":
            blocks.append(("code", body, attrs))
        else:
            sys.exit(f"unknown block kind {kind!r}")
    return blocks


def check_jobs(blocks):
    """Checks that each job cell starts one job named as its job=NAME says,
    that no two cells use one name, and that no cell refers to a job by
    number."""
    names = set()
    for kind, body, attrs in blocks:
        if kind != "code":
            continue
        starts = re.findall(r"(?m)^%%?bash_async\b(.*)$", body)
        if starts and "job" not in attrs:
            sys.exit(f"cell starts a job but has no job=NAME: {body[:60]!r}")
        if "job" in attrs:
            name = attrs["job"]
            if len(starts) != 1 or not (starts[0] + " ").startswith(f" --name {name} "):
                sys.exit(f"job={name}: the cell must start exactly one job, with --name {name}")
            if name in names:
                sys.exit(f"job name {name} used twice")
            names.add(name)
        if re.search(r"(?m)^%(kill|wait|job_write|job_close)( -\w+)? %?\d", body):
            sys.exit(f"a job referred to by number: {body[:60]!r}")
    return names


def build(blocks, lang):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Go (gokernel)", "language": "go", "name": "gokernel"},
        "language_info": {"name": "go", "file_extension": ".go", "mimetype": "text/x-go"},
    }
    for i, (kind, body, attrs) in enumerate(blocks):
        if kind == "md":
            cell = nbformat.v4.new_markdown_cell(body[lang])
        else:
            cell = nbformat.v4.new_code_cell(body)
            if "tags" in attrs:
                cell.metadata["tags"] = attrs["tags"].split(",")
            if attrs.get("hidden") == "true":
                cell.metadata["jupyter"] = {"source_hidden": True}
        if "id" in attrs:
            cell.id = attrs["id"]
        elif "job" in attrs:
            cell.id = "job-" + attrs["job"]
        else:
            cell.id = f"{kind}-{i:03d}"
        nb.cells.append(cell)
    return nb


def main():
    blocks = parse(open(SOURCE, encoding="utf-8").read())
    jobs = check_jobs(blocks)
    for lang in LANGS:
        nbformat.write(build(blocks, lang), f"named-fifo.{lang}.ipynb")
    print(f"{len(blocks)} cells, {len(jobs)} jobs")


if __name__ == "__main__":
    main()
