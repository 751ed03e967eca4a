from markupsafe import Markup, escape


def render(name):
    # ruleid: no-unescaped-html-python
    bad = Markup(f"<b>{name}</b>")
    # ok: no-unescaped-html-python
    good = Markup("<b>{}</b>").format(escape(name))
    return bad, good
