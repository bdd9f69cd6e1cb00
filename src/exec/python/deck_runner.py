"""Runs deck's Python snippets inside the presenter: REPL-style final values, tracebacks with
the deck's own line numbers, and pictures recognised in final values."""
import ast
import builtins
import os
import sys
import traceback

_HERE = "deck_runner.py"
_MAX_PIXELS = 64_000_000
_MAX_REPR = 20_000


def _no_input(prompt=""):
    raise RuntimeError("input() is not available in a deck snippet: there is no keyboard while presenting")


def new_namespace():
    return {"__name__": "__main__", "__builtins__": builtins, "input": _no_input}


def _format(exc):
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == _HERE:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def _image(v):
    """(width, height, mode, bytes) when v is a picture: PIL image, uint8 array, demo Image."""
    try:
        module = type(v).__module__ or ""
        if module.startswith("PIL."):
            im = v if v.mode in ("L", "LA", "RGB", "RGBA") else v.convert("RGBA")
            return (im.width, im.height, im.mode, im.tobytes())
        if module == "numpy" and str(getattr(v, "dtype", "")) == "uint8":
            shape = v.shape
            if len(shape) == 3 and shape[2] == 1:
                v, shape = v[:, :, 0], shape[:2]
            if len(shape) == 2 or (len(shape) == 3 and shape[2] in (3, 4)):
                import numpy
                a = numpy.ascontiguousarray(v)
                mode = "L" if a.ndim == 2 else ("RGB" if a.shape[2] == 3 else "RGBA")
                return (a.shape[1], a.shape[0], mode, a.tobytes())
            return None
        if not isinstance(v, type) and all(hasattr(v, n) for n in ("width", "height", "mode", "tobytes")):
            mode = str(v.mode)
            if mode in ("L", "LA", "RGB", "RGBA"):
                return (int(v.width), int(v.height), mode, bytes(v.tobytes()))
    except Exception:
        return None
    return None


def run(source, filename, first_line, ns, cwd):
    """Returns (status, payload): ok/None, value/text, image/tuple, error/text, exit/(code, text),
    interrupted/None."""
    try:
        if cwd:
            os.chdir(cwd)
        try:
            tree = ast.parse(source, filename, "exec")
        except SyntaxError as e:
            if e.lineno is not None:
                e.lineno += first_line - 1
            if getattr(e, "end_lineno", None) is not None:
                e.end_lineno += first_line - 1
            return ("error", "".join(traceback.format_exception_only(type(e), e)))
        ast.increment_lineno(tree, first_line - 1)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, filename, "exec"), ns)
        value = eval(compile(last, filename, "eval"), ns) if last is not None else None
    except SystemExit as e:
        code = e.code
        if code is None:
            return ("exit", (0, ""))
        if isinstance(code, int):
            return ("exit", (code, ""))
        return ("exit", (1, str(code)))
    except KeyboardInterrupt:
        return ("interrupted", None)
    except BaseException as e:
        return ("error", _format(e))
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
    if value is None:
        return ("ok", None)
    ns["_"] = value
    picture = _image(value)
    if picture is not None:
        w, h = picture[0], picture[1]
        if 0 < w * h <= _MAX_PIXELS:
            return ("image", picture)
    try:
        text = repr(value)
    except Exception as e:
        return ("error", _format(e))
    if len(text) > _MAX_REPR:
        text = text[:_MAX_REPR] + f"… ({len(text)} characters)"
    return ("value", text)


def add_site_packages(env):
    """Make a virtualenv's packages importable (VIRTUAL_ENV is not picked up when embedded)."""
    import glob
    import site
    found = glob.glob(os.path.join(env, "lib", "python*", "site-packages"))
    for path in found:
        site.addsitedir(path)
    return found
