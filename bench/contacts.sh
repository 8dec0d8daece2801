#!/bin/sh
# Contact center benchmarks (issue 11). Part 1: screen pop from the CTI webhook to the
# agent's SSE event at 200 concurrent agent streams (AGENTS, CALLS, CONC to change);
# set AFTERSALES_TEST_PG=URL to run it on PostgreSQL. Part 2 (mail-in) is the mailin branch's.
set -e
cd "$(dirname "$0")/.."
exec node bench/contacts.mjs
