from flask import request


def view():
    # ruleid: no-unchecked-number
    page = int(request.args.get("page", "1"))
    # ruleid: no-unchecked-number
    score = float(request.form["score"])
    try:
        # ok: no-unchecked-number
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 1
    # ok: no-unchecked-number
    raw = request.args.get("page", "")
    return page, score, raw
