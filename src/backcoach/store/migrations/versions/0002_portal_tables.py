"""portal tables: plan proposals and revisions, exercise versions, trial vault, reveals, consents, withdrawals, adverse events

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('exercise_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exercise_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('toml', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_exercise_version_author_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exercise_version')),
    sa.UniqueConstraint('exercise_id', 'version', name=op.f('uq_exercise_version_exercise_id_version'))
    )
    with op.batch_alter_table('exercise_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exercise_version_exercise_id'), ['exercise_id'], unique=False)

    op.create_table('trial_vault',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.JSON(), nullable=False),
    sa.Column('public', sa.JSON(), nullable=False),
    sa.Column('arm_codes', sa.JSON(), nullable=False),
    sa.Column('head', sa.String(length=128), nullable=True),
    sa.Column('sealed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sealed_by_id', sa.Integer(), nullable=True),
    sa.Column('unblinded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unblinded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['sealed_by_id'], ['user_account.id'], name=op.f('fk_trial_vault_sealed_by_id_user_account')),
    sa.ForeignKeyConstraint(['trial_id'], ['trial.id'], name=op.f('fk_trial_vault_trial_id_trial')),
    sa.ForeignKeyConstraint(['unblinded_by_id'], ['user_account.id'], name=op.f('fk_trial_vault_unblinded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trial_vault')),
    sa.UniqueConstraint('trial_id', name=op.f('uq_trial_vault_trial_id'))
    )
    op.create_table('trial_adverse_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('onset', sa.Date(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('serious', sa.Boolean(), nullable=False),
    sa.Column('relatedness', sa.String(length=16), nullable=False),
    sa.Column('resolved_on', sa.Date(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_trial_adverse_event_entered_by_id_user_account')),
    sa.ForeignKeyConstraint(['participant_id'], ['trial_participant.id'], name=op.f('fk_trial_adverse_event_participant_id_trial_participant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trial_adverse_event'))
    )
    with op.batch_alter_table('trial_adverse_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trial_adverse_event_participant_id'), ['participant_id'], unique=False)

    op.create_table('trial_consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('form_version', sa.String(length=32), nullable=False),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('taken_by_id', sa.Integer(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['trial_participant.id'], name=op.f('fk_trial_consent_participant_id_trial_participant')),
    sa.ForeignKeyConstraint(['taken_by_id'], ['user_account.id'], name=op.f('fk_trial_consent_taken_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trial_consent'))
    )
    with op.batch_alter_table('trial_consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trial_consent_participant_id'), ['participant_id'], unique=False)

    op.create_table('trial_withdrawal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('stops_intervention', sa.Boolean(), nullable=False),
    sa.Column('stops_follow_up', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_trial_withdrawal_entered_by_id_user_account')),
    sa.ForeignKeyConstraint(['participant_id'], ['trial_participant.id'], name=op.f('fk_trial_withdrawal_participant_id_trial_participant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trial_withdrawal')),
    sa.UniqueConstraint('participant_id', name=op.f('uq_trial_withdrawal_participant_id'))
    )
    op.create_table('plan_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('reassessment', sa.JSON(), nullable=False),
    sa.Column('difference', sa.JSON(), nullable=False),
    sa.Column('proposed', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['user_account.id'], name=op.f('fk_plan_proposal_patient_id_user_account')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_proposal_plan_id_plan')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user_account.id'], name=op.f('fk_plan_proposal_reviewed_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_proposal'))
    )
    with op.batch_alter_table('plan_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_proposal_patient_id'), ['patient_id'], unique=False)

    op.create_table('plan_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=24), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_plan_revision_author_id_user_account')),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_revision_plan_id_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_revision'))
    )
    with op.batch_alter_table('plan_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_revision_plan_id'), ['plan_id'], unique=False)

    op.create_table('trial_reveal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('allocation_id', sa.Integer(), nullable=False),
    sa.Column('index', sa.Integer(), nullable=False),
    sa.Column('record', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['allocation_id'], ['trial_allocation.id'], name=op.f('fk_trial_reveal_allocation_id_trial_allocation')),
    sa.ForeignKeyConstraint(['trial_id'], ['trial.id'], name=op.f('fk_trial_reveal_trial_id_trial')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trial_reveal')),
    sa.UniqueConstraint('allocation_id', name=op.f('uq_trial_reveal_allocation_id')),
    sa.UniqueConstraint('trial_id', 'index', name=op.f('uq_trial_reveal_trial_id_index'))
    )
    with op.batch_alter_table('trial_reveal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trial_reveal_trial_id'), ['trial_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('trial_reveal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trial_reveal_trial_id'))

    op.drop_table('trial_reveal')
    with op.batch_alter_table('plan_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_revision_plan_id'))

    op.drop_table('plan_revision')
    with op.batch_alter_table('plan_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_proposal_patient_id'))

    op.drop_table('plan_proposal')
    op.drop_table('trial_withdrawal')
    with op.batch_alter_table('trial_consent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trial_consent_participant_id'))

    op.drop_table('trial_consent')
    with op.batch_alter_table('trial_adverse_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trial_adverse_event_participant_id'))

    op.drop_table('trial_adverse_event')
    op.drop_table('trial_vault')
    with op.batch_alter_table('exercise_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exercise_version_exercise_id'))

    op.drop_table('exercise_version')
