"""Every failure wording and its HTTP status, in one place.

Routes raise ``HTTPException(status, detail=...)`` only with these constants, so one failure has
one wording and one status. The strings are marked for translation and shown translated on pages.
"""

from __future__ import annotations

from backcoach.app.i18n import N_

# 401: not signed in
NOT_AUTHENTICATED = N_("Please sign in to see this page.")
# 403: signed in, but not allowed
NOT_ALLOWED = N_("Your account cannot open this page.")
CSRF_FAILED = N_("This form has expired. Please reload the page and try again.")
CONSENT_REQUIRED = N_("Please give your consent to the use of your health data first.")
EXERCISE_LOCKED = N_("Exercise is paused after your screening answers. Please contact a clinician.")
# 404: unknown ids, or ids the user may not know exist
PAGE_NOT_FOUND = N_("This page does not exist.")
PATIENT_NOT_FOUND = N_("Patient not found.")
PLAN_NOT_FOUND = N_("You do not have an exercise plan yet.")
PLAN_SESSION_NOT_FOUND = N_("Exercise session not found in your plan.")
SESSION_NOT_FOUND = N_("Training session not found.")
REPORT_NOT_FOUND = N_("Training report not found.")
ARTICLE_NOT_FOUND = N_("Article not found.")
POST_NOT_FOUND = N_("Post not found.")
GROUP_NOT_FOUND = N_("You are not in a group yet.")
INSTRUMENT_NOT_FOUND = N_("Questionnaire not found.")
REASSESSMENT_NOT_DUE = N_("No reassessment is due now.")
# 410: a link that existed but can no longer be used
INVITATION_INVALID = N_("This invitation link is not valid or has expired. Ask your therapist for a new one.")
# 409: conflicts
EMAIL_TAKEN = N_("An account with this email already exists.")
SESSION_FINISHED = N_("This training session has already ended.")

# Form field messages (shown beside the field)
FIELD_REQUIRED = N_("This field is required.")
FIELD_INVALID_EMAIL = N_("Enter a valid email address.")
FIELD_PASSWORD_SHORT = N_("Use at least 10 characters.")
FIELD_PASSWORDS_DIFFER = N_("The two passwords do not match.")
FIELD_OUT_OF_RANGE = N_("Choose a value in the allowed range.")
FIELD_TOO_LONG = N_("This text is too long.")
FIELD_CONSENT_REQUIRED = N_("Tick this box to continue.")
LOGIN_FAILED = N_("Email or password is not correct.")

# Therapist and research portal
TRIAL_NOT_FOUND = N_("Trial not found.")
PARTICIPANT_NOT_FOUND = N_("Participant not found.")
ACCOUNT_ALREADY_LINKED = N_("This patient account is already linked to another participant of this trial.")
TRIAL_ALREADY_SEALED = N_("The allocation sequence is already sealed; it is never replaced.")
TRIAL_NOT_SEALED = N_("The allocation sequence is not sealed yet.")
ANALYSIS_NOT_POSSIBLE = N_("The analysis cannot run on the data stored so far.")
PROPOSAL_NOT_FOUND = N_("Plan proposal not found.")
PROPOSAL_REVIEWED = N_("This proposal has already been reviewed.")
TRACE_NOT_FOUND = N_("No landmark trace was stored for this set.")
EXERCISE_NOT_FOUND = N_("Exercise not found.")
FIELD_TWO_ARMS = N_("Name at least two different arms, separated by commas.")
FIELD_RATIO = N_("Write the ratio as whole numbers separated by colons, e.g. 1:1.")
FIELD_STRATA = N_("One factor per line, like: site=A,B")
FIELD_CODE = N_("Use 1-32 letters, digits, - or _.")
FIELD_CODE_TAKEN = N_("This code is already used in this trial.")
FIELD_NUMBER = N_("Enter a number.")
FIELD_RESOLVED_BEFORE_ONSET = N_("The resolution date cannot be before the onset.")
NO_REFERENCE_MOTION = N_("This exercise has no reference motion for the synthetic body yet.")
FIELD_REPS_OR_HOLD = N_("Give repetitions, a hold time, or both.")
NO_THERAPIST = N_("You do not have a therapist yet.")

# Guided camera tests (self-assessment and reassessment)
CAMERA_TEST_NOT_FOUND = N_("Camera test not found.")
CAMERA_CONSENT_REQUIRED = N_("Camera tests need your consent to use the camera. You can give it on the consent page, or skip the tests.")
RECORDING_INVALID = N_("The recording could not be used.")
RATING_TOO_EARLY = N_("Please wait until the 60 seconds are over, then answer again.")
