"""Rollups for national scale: each form's index on its response row; the review queue's index.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:30:00

The form indices of existing responses are computed here with the pure scoring module (it imports only the
standard library, so this migration keeps working as the app changes around it).
"""
from itertools import groupby

from alembic import op
import sqlalchemy as sa

from app.scoring import scoring

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

BATCH = 5_000


def upgrade():
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('score', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('dimension_scores', sa.JSON(), nullable=True))
    # The province's review queue: submitted reports, oldest first (a few among hundreds of thousands).
    # Partial, so the planner never takes it for the many queries on status IN (submitted, returned, verified).
    queue = sa.text("status = 'submitted'")
    op.create_index(
        'ix_daily_reports_review_queue',
        'daily_reports',
        ['region_id', 'submitted_at'],
        unique=False,
        sqlite_where=queue,
        postgresql_where=queue,
    )
    _fill_form_scores(op.get_bind())


def _specs(conn):
    """Per template: its question specs and weighted dimensions, as app/scoring/rollup.py builds them."""
    dimensions = sa.table('survey_dimensions', sa.column('id'), sa.column('survey_id'), sa.column('code'),
                          sa.column('weight'), sa.column('position'))
    questions = sa.table('survey_questions', sa.column('id'), sa.column('survey_id'), sa.column('dimension_id'),
                         sa.column('qtype'), sa.column('settings', sa.JSON()), sa.column('reversed'),
                         sa.column('position'))
    specs = {}
    codes = {}
    dims = {}
    for row in conn.execute(sa.select(dimensions).order_by(dimensions.c.survey_id, dimensions.c.position)):
        codes[row.id] = row.code
        dims.setdefault(row.survey_id, []).append(scoring.DimensionSpec(row.code, row.weight))
    for row in conn.execute(sa.select(questions).order_by(questions.c.survey_id, questions.c.position)):
        spec = scoring.QuestionSpec(row.id, codes.get(row.dimension_id), row.qtype, row.settings or {},
                                    bool(row.reversed))
        specs.setdefault(row.survey_id, ([], dims.get(row.survey_id, [])))[0].append(spec)
    return specs


def _fill_form_scores(conn):
    """Compute every existing form's index from its valid answers, in batches (a form without any valid
    answer keeps NULLs, as a new form has until its first answer: it counts for nothing either way)."""
    specs = _specs(conn)
    responses = sa.table('survey_responses', sa.column('id'), sa.column('round_id'), sa.column('score'),
                         sa.column('dimension_scores', sa.JSON()))
    rounds = sa.table('survey_rounds', sa.column('id'), sa.column('survey_id'))
    answers = sa.table('survey_answers', sa.column('response_id'), sa.column('question_id'), sa.column('value'),
                       sa.column('valid'))
    survey_of = dict(conn.execute(
        sa.select(responses.c.id, rounds.c.survey_id).join(rounds, rounds.c.id == responses.c.round_id)
    ).all())
    rows = conn.execute(
        sa.select(answers.c.response_id, answers.c.question_id, answers.c.value)
        .where(answers.c.valid == sa.true())
        .order_by(answers.c.response_id)
        .execution_options(stream_results=True, yield_per=BATCH)
    )
    update = (
        responses.update()
        .where(responses.c.id == sa.bindparam('rid'))
        .values(score=sa.bindparam('s'), dimension_scores=sa.bindparam('d'))
    )
    batch = []
    for response_id, group in groupby(rows, key=lambda row: row[0]):
        questions, dims = specs.get(survey_of.get(response_id), ([], []))
        result = scoring.form_index(questions, dims, {question: value for _, question, value in group})
        batch.append({'rid': response_id, 's': result.value, 'd': result.dimensions})
        if len(batch) == BATCH:
            conn.execute(update, batch)
            batch = []
    if batch:
        conn.execute(update, batch)


def downgrade():
    op.drop_index('ix_daily_reports_review_queue', table_name='daily_reports')
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_column('dimension_scores')
        batch_op.drop_column('score')
