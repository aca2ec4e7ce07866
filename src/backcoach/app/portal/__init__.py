"""The therapist and research portal's glue between the store and the clinical, exercise, motion
and trial libraries (the routes stay thin; the decisions stay in the libraries)."""
