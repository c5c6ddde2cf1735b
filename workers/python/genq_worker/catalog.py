"""Adds catalog fragments to a genq catalog:

    python3 -m genq_worker.catalog config/models.json examples/bridges/models.json > catalog.json

A fragment is {"models": [...]} (examples/bridges/models.json); its models are
appended to the base catalog's, replacing a model of the same name. Give the result
to `genq serve --catalog FILE`."""

import json
import sys


def merge(base, *fragments):
    catalog = dict(base)
    models = list(base.get("models", []))
    for fragment in fragments:
        for model in fragment.get("models", []):
            models = [m for m in models if m.get("name") != model.get("name")]
            models.append(model)
    catalog["models"] = models
    return catalog


def main(argv):
    if len(argv) < 2 or argv[0] in ("-h", "--help"):
        sys.stderr.write(__doc__)
        return 2
    documents = []
    for path in argv:
        with open(path, encoding="utf-8") as handle:
            documents.append(json.load(handle))
    json.dump(merge(*documents), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
