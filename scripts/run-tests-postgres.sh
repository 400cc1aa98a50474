#!/bin/sh
# Run the whole test suite (scripts/run-tests.sh) against a throwaway PostgreSQL cluster on loopback
# (scripts/with-postgres.sh: needs apt-get install postgresql; TEST_PG_PORT chooses the port). Extra
# arguments go to pytest.
set -eu
cd "$(dirname "$0")/.."
exec sh scripts/with-postgres.sh sh scripts/run-tests.sh "$@"
