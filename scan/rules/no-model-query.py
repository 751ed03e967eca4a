# ruleid: no-model-query
User.query.filter_by(username="admin").first()
# ruleid: no-model-query
Report.query.get(5)
# ok: no-model-query
db.session.scalars(db.select(User).where(User.username == "admin")).first()
# ok: no-model-query
self.query.strip()
