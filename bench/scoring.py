"""Time to recompute a province's ranking from raw answers: 13 regencies × 30 forms × 20 scored questions.

Usage: .venv/bin/python bench/scoring.py [RUNS]
Builds a throwaway SQLite database with the example Kerawanan Pilkada questionnaire (20 scored questions
and a free-text note), 30 completed forms in each of Kalimantan Selatan's 13 regencies, then times
`build_ranking` (load the answers, score every form, rank, incidents, movement) with a fresh session
each run, and the pure scoring alone on answers already in memory.
"""

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import clock, create_app, demo  # noqa: E402
from app.extensions import db  # noqa: E402
from app.regions.models import Region  # noqa: E402
from app.regions.services import load_built_in  # noqa: E402
from app.scoring import scoring, services  # noqa: E402
from app.scoring.models import IndexDefinition  # noqa: E402
from app.scoring.seed import load_definitions  # noqa: E402
from app.surveys.models import Answer, Survey  # noqa: E402
from app.surveys.services import load_examples  # noqa: E402

FORMS = 30


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    instance = Path(tempfile.mkdtemp(prefix="waspada-bench-scoring-"))
    app = create_app({"MODE": "development"}, instance_path=str(instance))
    rng = random.Random(7)
    with app.app_context():
        upgrade()
        load_built_in(db.session)
        load_examples(db.session, clock.utcnow())
        load_definitions(db.session)
        db.session.commit()
        from app.auth.models import Role
        from app.auth.services import UserData, create_user

        kalsel = db.session.scalars(select(Region).where(Region.code == "63")).one()
        data = UserData(full_name="Analis Bench", role=Role.PROVINSI, region_id=kalsel.id)
        create_user(db.session, "analis.bench", data, "Kalsel-rekap-Maret-77", must_change=False)
        levels = {code: (rng.uniform(0.05, 0.7), FORMS) for code in demo.SURVEY_LEVELS}
        started = time.perf_counter()
        forms = demo.seed_surveys(db.session, analyst_name="analis.bench", levels=levels)
        db.session.commit()
        seeded = time.perf_counter() - started
        answers = db.session.scalar(select(func.count()).select_from(Answer))
        survey = db.session.scalars(select(Survey).where(Survey.index_name == "Indeks Kerawanan Pilkada")).first()
        scored = sum(1 for q in survey.questions if q.qtype.value != "text")
        definition_id = db.session.scalars(
            select(IndexDefinition.id).where(IndexDefinition.name == "Indeks Kerawanan Pilkada")
        ).one()
        db.session.remove()

    times = []
    for _ in range(runs):
        with app.app_context():
            definition = db.session.get(IndexDefinition, definition_id)
            province = db.session.scalars(select(Region).where(Region.code == "63")).one()
            started = time.perf_counter()
            ranking = services.build_ranking(db.session, definition, province, clock.local_today(province.timezone))
            times.append((time.perf_counter() - started) * 1000)
            db.session.remove()

    with app.app_context():
        survey = db.session.get(Survey, survey.id)
        questions = [
            scoring.QuestionSpec(q.id, q.dimension.code if q.dimension else None, q.qtype.value, q.settings, q.reversed)
            for q in survey.questions
        ]
        dimensions = [scoring.DimensionSpec(d.code, d.weight) for d in survey.dimensions]
        by_form: dict[int, dict[int, str]] = {}
        for response_id, question_id, value in db.session.execute(
            select(Answer.response_id, Answer.question_id, Answer.value)
        ):
            by_form.setdefault(response_id, {})[question_id] = value
    pure = []
    for _ in range(runs):
        started = time.perf_counter()
        indices = [scoring.form_index(questions, dimensions, a).value for a in by_form.values()]
        scoring.region_score(indices, 10)
        pure.append((time.perf_counter() - started) * 1000)

    print(f"forms: {forms} ({len(levels)} regencies × {FORMS}), scored questions per form: {scored}")
    print(f"answers stored: {answers}")
    print(f"seeding took {seeded:.1f} s; ranked regencies: {ranking.total}")
    median, worst = statistics.median(times), max(times)
    print(f"build_ranking from the database: median {median:.1f} ms, max {worst:.1f} ms ({runs} runs)")
    print(f"pure scoring of all forms in memory: median {statistics.median(pure):.1f} ms")


if __name__ == "__main__":
    main()
