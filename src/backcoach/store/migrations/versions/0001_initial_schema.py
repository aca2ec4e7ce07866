"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op



revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('clinic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clinic'))
    )
    op.create_table('trial',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('definition', sa.JSON(), nullable=False),
    sa.Column('sequence_seal', sa.String(length=128), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trial'))
    )
    op.create_table('cohort_group',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_cohort_group_clinic_id_clinic')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cohort_group'))
    )
    op.create_table('user_account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.Enum('patient', 'therapist', 'researcher', 'statistician', 'assessor', 'admin', name='role', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('locale', sa.String(length=16), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_user_account_clinic_id_clinic')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_account')),
    sa.UniqueConstraint('email', name=op.f('uq_user_account_email'))
    )
    op.create_table('assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('assessed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['user_account.id'], name=op.f('fk_assessment_patient_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment'))
    )
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_patient_id'), ['patient_id'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('resource', sa.String(length=64), nullable=False),
    sa.Column('resource_id', sa.String(length=64), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_audit_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['subject_id'], ['user_account.id'], name=op.f('fk_audit_event_subject_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_subject_at', ['subject_id', 'at'], unique=False)

    op.create_table('classification_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=48), nullable=False),
    sa.Column('approach', sa.String(length=48), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('engine_version', sa.String(length=32), nullable=False),
    sa.Column('classified_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user_account.id'], name=op.f('fk_classification_result_confirmed_by_id_user_account')),
    sa.ForeignKeyConstraint(['patient_id'], ['user_account.id'], name=op.f('fk_classification_result_patient_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_classification_result'))
    )
    with op.batch_alter_table('classification_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_classification_result_patient_id'), ['patient_id'], unique=False)

    op.create_table('consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('health_data', 'camera', name='consentkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('statement_version', sa.String(length=32), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_consent_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent'))
    )
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_user_id'), ['user_id'], unique=False)

    op.create_table('education_read',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.String(length=64), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_education_read_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_education_read')),
    sa.UniqueConstraint('user_id', 'article_id', name=op.f('uq_education_read_user_id_article_id'))
    )
    op.create_table('group_membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['cohort_group.id'], name=op.f('fk_group_membership_group_id_cohort_group')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_group_membership_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_membership')),
    sa.UniqueConstraint('group_id', 'user_id', name=op.f('uq_group_membership_group_id_user_id'))
    )
    with op.batch_alter_table('group_membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_group_membership_user_id'), ['user_id'], unique=False)

    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('therapist_id', sa.Integer(), nullable=False),
    sa.Column('clinic_id', sa.Integer(), nullable=True),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['clinic_id'], ['clinic.id'], name=op.f('fk_invitation_clinic_id_clinic')),
    sa.ForeignKeyConstraint(['group_id'], ['cohort_group.id'], name=op.f('fk_invitation_group_id_cohort_group')),
    sa.ForeignKeyConstraint(['therapist_id'], ['user_account.id'], name=op.f('fk_invitation_therapist_id_user_account')),
    sa.ForeignKeyConstraint(['used_by_id'], ['user_account.id'], name=op.f('fk_invitation_used_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('token', name=op.f('uq_invitation_token'))
    )
    op.create_table('message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['recipient_id'], ['user_account.id'], name=op.f('fk_message_recipient_id_user_account')),
    sa.ForeignKeyConstraint(['sender_id'], ['user_account.id'], name=op.f('fk_message_sender_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_message'))
    )
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_message_recipient_id'), ['recipient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_message_sender_id'), ['sender_id'], unique=False)

    op.create_table('questionnaire_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('instrument', sa.String(length=32), nullable=False),
    sa.Column('instrument_version', sa.String(length=32), nullable=False),
    sa.Column('week', sa.Integer(), nullable=True),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('total', sa.Double(), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['user_account.id'], name=op.f('fk_questionnaire_response_patient_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_response'))
    )
    with op.batch_alter_table('questionnaire_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_response_patient_id'), ['patient_id'], unique=False)

    op.create_table('red_flag_screening',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('screened_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['user_account.id'], name=op.f('fk_red_flag_screening_patient_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_red_flag_screening'))
    )
    with op.batch_alter_table('red_flag_screening', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_red_flag_screening_patient_id'), ['patient_id'], unique=False)

    op.create_table('therapist_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('therapist_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['user_account.id'], name=op.f('fk_therapist_assignment_patient_id_user_account')),
    sa.ForeignKeyConstraint(['therapist_id'], ['user_account.id'], name=op.f('fk_therapist_assignment_therapist_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_therapist_assignment'))
    )
    with op.batch_alter_table('therapist_assignment', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_patient_open', ['patient_id', 'ended_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_therapist_assignment_therapist_id'), ['therapist_id'], unique=False)

    op.create_table('trial_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('stratum', sa.String(length=64), nullable=True),
    sa.Column('screened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('eligible', sa.Boolean(), nullable=False),
    sa.Column('screening', sa.JSON(), nullable=False),
    sa.Column('consented_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawal_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['trial_id'], ['trial.id'], name=op.f('fk_trial_participant_trial_id_trial')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_trial_participant_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trial_participant')),
    sa.UniqueConstraint('trial_id', 'code', name=op.f('uq_trial_participant_trial_id_code'))
    )
    with op.batch_alter_table('trial_participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trial_participant_trial_id'), ['trial_id'], unique=False)

    op.create_table('plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('classification_id', sa.Integer(), nullable=True),
    sa.Column('mode', sa.Enum('ai', 'video', name='sessionmode', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('weeks', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['classification_id'], ['classification_result.id'], name=op.f('fk_plan_classification_id_classification_result')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_plan_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['patient_id'], ['user_account.id'], name=op.f('fk_plan_patient_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan'))
    )
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_patient_id'), ['patient_id'], unique=False)

    op.create_table('trial_allocation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trial_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('sequence_index', sa.Integer(), nullable=False),
    sa.Column('arm', sa.String(length=32), nullable=False),
    sa.Column('chain_hash', sa.String(length=128), nullable=False),
    sa.Column('revealed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revealed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['trial_participant.id'], name=op.f('fk_trial_allocation_participant_id_trial_participant')),
    sa.ForeignKeyConstraint(['revealed_by_id'], ['user_account.id'], name=op.f('fk_trial_allocation_revealed_by_id_user_account')),
    sa.ForeignKeyConstraint(['trial_id'], ['trial.id'], name=op.f('fk_trial_allocation_trial_id_trial')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trial_allocation')),
    sa.UniqueConstraint('participant_id', name=op.f('uq_trial_allocation_participant_id')),
    sa.UniqueConstraint('trial_id', 'sequence_index', name=op.f('uq_trial_allocation_trial_id_sequence_index'))
    )
    op.create_table('trial_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('window_opens_on', sa.Date(), nullable=False),
    sa.Column('window_closes_on', sa.Date(), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['trial_participant.id'], name=op.f('fk_trial_visit_participant_id_trial_participant')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trial_visit')),
    sa.UniqueConstraint('participant_id', 'week', name=op.f('uq_trial_visit_participant_id_week'))
    )
    with op.batch_alter_table('trial_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trial_visit_participant_id'), ['participant_id'], unique=False)

    op.create_table('plan_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('index_in_week', sa.Integer(), nullable=False),
    sa.Column('scheduled_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_plan_session_plan_id_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_session')),
    sa.UniqueConstraint('plan_id', 'week', 'index_in_week', name=op.f('uq_plan_session_plan_id_week_index_in_week'))
    )
    with op.batch_alter_table('plan_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_session_plan_id'), ['plan_id'], unique=False)

    op.create_table('trial_outcome',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('value', sa.Double(), nullable=False),
    sa.Column('measurements', sa.JSON(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_trial_outcome_entered_by_id_user_account')),
    sa.ForeignKeyConstraint(['participant_id'], ['trial_participant.id'], name=op.f('fk_trial_outcome_participant_id_trial_participant')),
    sa.ForeignKeyConstraint(['visit_id'], ['trial_visit.id'], name=op.f('fk_trial_outcome_visit_id_trial_visit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trial_outcome')),
    sa.UniqueConstraint('participant_id', 'week', 'outcome', name=op.f('uq_trial_outcome_participant_id_week_outcome'))
    )
    with op.batch_alter_table('trial_outcome', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trial_outcome_participant_id'), ['participant_id'], unique=False)

    op.create_table('exercise_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('plan_session_id', sa.Integer(), nullable=True),
    sa.Column('mode', sa.Enum('ai', 'video', name='sessionmode', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('in_progress', 'completed', 'stopped', name='sessionstatus', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('pain_before', sa.Integer(), nullable=True),
    sa.Column('pain_after', sa.Integer(), nullable=True),
    sa.Column('cr10', sa.Double(), nullable=True),
    sa.Column('stop_reason', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['patient_id'], ['user_account.id'], name=op.f('fk_exercise_session_patient_id_user_account')),
    sa.ForeignKeyConstraint(['plan_session_id'], ['plan_session.id'], name=op.f('fk_exercise_session_plan_session_id_plan_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exercise_session'))
    )
    with op.batch_alter_table('exercise_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exercise_session_patient_id'), ['patient_id'], unique=False)

    op.create_table('plan_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_session_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('block', sa.String(length=32), nullable=False),
    sa.Column('exercise_id', sa.String(length=64), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('sets', sa.Integer(), nullable=False),
    sa.Column('reps', sa.Integer(), nullable=True),
    sa.Column('hold_seconds', sa.Integer(), nullable=True),
    sa.Column('rest_seconds', sa.Integer(), nullable=False),
    sa.Column('per_side', sa.Boolean(), nullable=False),
    sa.Column('expected_seconds', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_session_id'], ['plan_session.id'], name=op.f('fk_plan_item_plan_session_id_plan_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_item'))
    )
    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_item_plan_session_id'), ['plan_session_id'], unique=False)

    op.create_table('exercise_set',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('plan_item_id', sa.Integer(), nullable=True),
    sa.Column('exercise_id', sa.String(length=64), nullable=False),
    sa.Column('set_index', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=8), nullable=True),
    sa.Column('reps_planned', sa.Integer(), nullable=True),
    sa.Column('hold_seconds_planned', sa.Integer(), nullable=True),
    sa.Column('hold_seconds_done', sa.Double(), nullable=True),
    sa.Column('pain', sa.Integer(), nullable=True),
    sa.Column('cr10', sa.Double(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['plan_item_id'], ['plan_item.id'], name=op.f('fk_exercise_set_plan_item_id_plan_item')),
    sa.ForeignKeyConstraint(['session_id'], ['exercise_session.id'], name=op.f('fk_exercise_set_session_id_exercise_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exercise_set'))
    )
    with op.batch_alter_table('exercise_set', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exercise_set_session_id'), ['session_id'], unique=False)

    op.create_table('training_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['exercise_session.id'], name=op.f('fk_training_report_session_id_exercise_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_report')),
    sa.UniqueConstraint('session_id', name=op.f('uq_training_report_session_id'))
    )
    op.create_table('landmark_trace',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('frame_count', sa.Integer(), nullable=False),
    sa.Column('encoding', sa.String(length=32), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['set_id'], ['exercise_set.id'], name=op.f('fk_landmark_trace_set_id_exercise_set')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_landmark_trace')),
    sa.UniqueConstraint('set_id', name=op.f('uq_landmark_trace_set_id'))
    )
    op.create_table('post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('text', 'report', 'announcement', name='postkind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_post_author_id_user_account')),
    sa.ForeignKeyConstraint(['group_id'], ['cohort_group.id'], name=op.f('fk_post_group_id_cohort_group')),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['user_account.id'], name=op.f('fk_post_hidden_by_id_user_account')),
    sa.ForeignKeyConstraint(['report_id'], ['training_report.id'], name=op.f('fk_post_report_id_training_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post'))
    )
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_group_id'), ['group_id'], unique=False)

    op.create_table('rep',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('index', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=8), nullable=True),
    sa.Column('counted', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=120), nullable=True),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('grade', sa.String(length=24), nullable=True),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('metrics', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['set_id'], ['exercise_set.id'], name=op.f('fk_rep_set_id_exercise_set')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rep')),
    sa.UniqueConstraint('set_id', 'index', name=op.f('uq_rep_set_id_index'))
    )
    with op.batch_alter_table('rep', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rep_set_id'), ['set_id'], unique=False)

    op.create_table('comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_comment_author_id_user_account')),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_comment_post_id_post')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment'))
    )
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_post_id'), ['post_id'], unique=False)

    op.create_table('reaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_reaction_post_id_post')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_reaction_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reaction')),
    sa.UniqueConstraint('post_id', 'user_id', 'kind', name=op.f('uq_reaction_post_id_user_id_kind'))
    )
    with op.batch_alter_table('reaction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reaction_post_id'), ['post_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('reaction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reaction_post_id'))

    op.drop_table('reaction')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_post_id'))

    op.drop_table('comment')
    with op.batch_alter_table('rep', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rep_set_id'))

    op.drop_table('rep')
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_group_id'))

    op.drop_table('post')
    op.drop_table('landmark_trace')
    op.drop_table('training_report')
    with op.batch_alter_table('exercise_set', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exercise_set_session_id'))

    op.drop_table('exercise_set')
    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_item_plan_session_id'))

    op.drop_table('plan_item')
    with op.batch_alter_table('exercise_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exercise_session_patient_id'))

    op.drop_table('exercise_session')
    with op.batch_alter_table('trial_outcome', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trial_outcome_participant_id'))

    op.drop_table('trial_outcome')
    with op.batch_alter_table('plan_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_session_plan_id'))

    op.drop_table('plan_session')
    with op.batch_alter_table('trial_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trial_visit_participant_id'))

    op.drop_table('trial_visit')
    op.drop_table('trial_allocation')
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_patient_id'))

    op.drop_table('plan')
    with op.batch_alter_table('trial_participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trial_participant_trial_id'))

    op.drop_table('trial_participant')
    with op.batch_alter_table('therapist_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_therapist_assignment_therapist_id'))
        batch_op.drop_index('ix_assignment_patient_open')

    op.drop_table('therapist_assignment')
    with op.batch_alter_table('red_flag_screening', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_red_flag_screening_patient_id'))

    op.drop_table('red_flag_screening')
    with op.batch_alter_table('questionnaire_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_response_patient_id'))

    op.drop_table('questionnaire_response')
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_message_sender_id'))
        batch_op.drop_index(batch_op.f('ix_message_recipient_id'))

    op.drop_table('message')
    op.drop_table('invitation')
    with op.batch_alter_table('group_membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_group_membership_user_id'))

    op.drop_table('group_membership')
    op.drop_table('education_read')
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_user_id'))

    op.drop_table('consent')
    with op.batch_alter_table('classification_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_classification_result_patient_id'))

    op.drop_table('classification_result')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_subject_at')

    op.drop_table('audit_event')
    with op.batch_alter_table('assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_patient_id'))

    op.drop_table('assessment')
    op.drop_table('user_account')
    op.drop_table('cohort_group')
    op.drop_table('trial')
    op.drop_table('clinic')
