"""alert_subscription.case_token, case_key: a subscription saved on the site knows its owner's case,
and there is one per case and e-mail address

Revision ID: 0007
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('alert_subscription', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('case_key', sqlmodel.sql.sqltypes.AutoString(length=270), nullable=True))
        batch_op.create_index(batch_op.f('ix_alert_subscription_case_token'), ['case_token'], unique=False)
        batch_op.create_index(batch_op.f('ix_alert_subscription_case_key'), ['case_key'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('alert_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_subscription_case_key'))
        batch_op.drop_index(batch_op.f('ix_alert_subscription_case_token'))
        batch_op.drop_column('case_key')
        batch_op.drop_column('case_token')
