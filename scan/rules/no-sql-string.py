from sqlalchemy import text


def queries(session, cursor, raw, name):
    # ruleid: no-sql-string
    session.execute(text(f"SELECT name FROM regions WHERE id = {raw}"))
    # ruleid: no-sql-string
    session.execute(text("SELECT name FROM regions WHERE id = " + raw))
    # ruleid: no-sql-string
    cursor.execute("SELECT * FROM users WHERE name = '%s'" % name)
    # ruleid: no-sql-string
    cursor.execute(f"DELETE FROM {name}")
    # ok: no-sql-string
    session.execute(text("SELECT name FROM regions WHERE id = :id"), {"id": raw})
    # ok: no-sql-string
    cursor.execute("SELECT * FROM users WHERE name = ?", (name,))
