"""partners: partner, partner_key, partner_usage

Revision ID: 0005
Revises: 0004 (the console's), or 0003 while 0004 has not landed
"""


from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005'
# Chain after the console's 0004 once it exists; until then after 0003, so the chain has one head either way.
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('partner',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('prefecture', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('programs', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_name'), ['name'], unique=True)
    op.create_table('partner_key',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('prefix', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('origins', sa.JSON(), nullable=False),
    sa.Column('per_minute', sa.Integer(), nullable=False),
    sa.Column('per_day', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['partner_id'], ['partner.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('partner_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_key_digest'), ['digest'], unique=True)
        batch_op.create_index(batch_op.f('ix_partner_key_partner_id'), ['partner_id'], unique=False)
    op.create_table('partner_usage',
    sa.Column('key_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key_id', 'period')
    )


def downgrade() -> None:
    op.drop_table('partner_usage')
    with op.batch_alter_table('partner_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_key_partner_id'))
        batch_op.drop_index(batch_op.f('ix_partner_key_digest'))
    op.drop_table('partner_key')
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_name'))
    op.drop_table('partner')
