from flask import redirect, request, url_for

from app.security import is_safe_next


def bad():
    target = request.form.get("buka", "")
    if target.startswith("/") and not target.startswith("//"):
        # ruleid: no-open-redirect
        return redirect(target)
    # ruleid: no-open-redirect
    return redirect(request.args.get("next"))


def good(form):
    target = request.form.get("buka", "")
    if is_safe_next(target):
        # ok: no-open-redirect
        return redirect(target)
    chosen = form.next.data if is_safe_next(form.next.data) else url_for("dashboard.index")
    # ok: no-open-redirect
    return redirect(chosen)
