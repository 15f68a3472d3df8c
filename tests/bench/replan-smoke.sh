# replan-smoke.sh: the re-planning benchmark at a small size, inside make
# check: /healthz answered throughout, and every reminder planned.
exec sh "$(dirname "$0")/replan.sh" --smoke
