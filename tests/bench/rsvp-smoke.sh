# rsvp-smoke.sh: the durable answers benchmark at a small size, inside
# make check: every answer told recorded is in the database.
exec sh "$(dirname "$0")/rsvp.sh" --smoke
