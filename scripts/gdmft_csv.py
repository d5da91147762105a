"""Reading gdmft's CSV outputs: '#' header lines `key: value` (JSON where it parses), then a column-name
line and numeric rows; and writing files whole (a temporary name beside the target, then a rename, so a
half-written file never exists). Shared by the plot scripts."""
import csv
import json
import os


def read_table(path):
    """Returns (meta, names, rows): the '#' header as a dict (JSON values where they parse), the column
    names, and the rows as dicts of strings (for tables with text columns, such as phase.csv)."""
    meta, lines = {}, []
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                key, _, value = line[1:].partition(":")
                try:
                    meta[key.strip()] = json.loads(value)
                except ValueError:
                    meta[key.strip()] = value.strip()
            elif line.strip():
                lines.append(line)
    reader = csv.reader(lines)
    names = next(reader)
    return meta, names, [dict(zip(names, r)) for r in reader]


def read_csv(path):
    """Returns (meta, cols): the header as a dict, and the columns as lists of floats by name (in file order)."""
    meta, names, rows = read_table(path)
    return meta, {n: [float(r[n]) for r in rows] for n in names}


# The model's defaults (INTERFACE.md), for titles that name only what a run changed.
MODEL_DEFAULTS = {"g_h": 3, "g_z": 1, "g_r": 1, "alpha_z": 0, "beta_z": 0, "alpha_r": 0, "beta_r": 0,
                  "tau_h": 1, "tau_z": 1, "tau_r": 1, "input_mean": 0, "input_std": 0, "phi": "tanh"}


def changed_params(params, skip=()):
    """'name = value, ...' for the parameters that differ from the model's defaults (not those in skip)."""
    parts = []
    for k, v in params.items():
        if k in skip or v == MODEL_DEFAULTS.get(k):
            continue
        parts.append("%s = %g" % (k, v) if isinstance(v, (int, float)) else "%s = %s" % (k, v))
    return ", ".join(parts)


def _temp_name(path):
    d, base = os.path.split(path)
    return os.path.join(d, "." + base + ".tmp." + str(os.getpid()))


def replace_atomic(tmp, path):
    """Renames a finished temporary file onto `path` (removes it if the rename fails)."""
    try:
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_text_atomic(path, text):
    """Writes `text` to `path` whole: to a temporary name beside it, then renamed."""
    tmp = _temp_name(path)
    try:
        with open(tmp, "w") as f:
            f.write(text)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    replace_atomic(tmp, path)


def save_figure(fig, path, **kwargs):
    """fig.savefig(path, **kwargs), written whole: the format comes from path's extension."""
    fmt = os.path.splitext(path)[1].lstrip(".") or "png"
    tmp = _temp_name(path)
    try:
        fig.savefig(tmp, format=fmt, **kwargs)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    replace_atomic(tmp, path)
