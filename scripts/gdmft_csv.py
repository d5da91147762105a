"""Reading gdmft's CSV outputs: '#' header lines `key: value` (JSON where it parses), then a column-name
line and numeric rows. Shared by the plot scripts."""
import csv
import json


def read_csv(path):
    """Returns (meta, cols): the header as a dict, and the columns as lists of floats by name (in file order)."""
    meta, rows = {}, []
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                key, _, value = line[1:].partition(":")
                try:
                    meta[key.strip()] = json.loads(value)
                except ValueError:
                    meta[key.strip()] = value.strip()
            else:
                rows.append(line)
    reader = csv.reader(rows)
    names = next(reader)
    cols = {n: [] for n in names}
    for r in reader:
        for n, v in zip(names, r):
            cols[n].append(float(v))
    return meta, cols
