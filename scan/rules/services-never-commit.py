from flask_login import current_user


def submit_report(session, report, user):
    report.status = "submitted"
    # ok: services-never-commit
    session.flush()
    # ruleid: services-never-commit
    session.commit()
    # ruleid: services-never-commit
    return current_user
