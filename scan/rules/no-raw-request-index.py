from flask import request


def view():
    # ruleid: no-raw-request-index
    page = request.args["page"]
    # ruleid: no-raw-request-index
    name = request.form["name"]
    # ok: no-raw-request-index
    page = request.args.get("page", "1")
    if "note" in request.form:
        # ok: no-raw-request-index
        note = request.form["note"]
    if request.args.get("arah") in ("naik", "turun"):
        # ok: no-raw-request-index
        step = -1 if request.args["arah"] == "naik" else 1
    return page, name, note, step
