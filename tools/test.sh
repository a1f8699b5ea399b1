#!/usr/bin/env bash
# Runs every test layer: unit, integration, end-to-end. Each layer runs even when an earlier
# one failed; the run fails if any did. With SMS_DESK_FAKE_DATES=1 (CI), unit and integration
# run again under fixed fake dates (faketime, from Debian) and other time zones, so no test can
# depend on the day, the zone or the machine.
set -uo pipefail
cd "$(dirname "$0")/.."
failed=()
run() {
  local name="$1"; shift
  echo "=== $name"
  if ! "$@"; then failed+=("$name"); fi
}
run unit npx vitest run --project unit
run integration npx vitest run --project integration
run e2e npm run test:e2e
if [ "${SMS_DESK_FAKE_DATES:-0}" = "1" ]; then
  # Run once, above, not again here: tests of processes, hostile peers and file guards, which
  # read no date of their own (the fault matrix syncs on the reference server's fixed clock).
  # Together they take about four minutes a run; every test that reads a day runs three times.
  skip=()
  for f in tests/integration/kill.test.ts tests/integration/sync-lock.test.ts tests/integration/faults.test.ts \
    tests/integration/hostile-http.test.ts tests/integration/bridge-hostile.test.ts \
    tests/integration/connection-tokens.test.ts tests/integration/secret-files.test.ts \
    tests/integration/export-paths.test.ts 'tests/unit/electron-*.test.ts'; do
    skip+=(--exclude "$f")
  done
  if command -v faketime >/dev/null 2>&1; then
    # A year ahead, in a zone with daylight saving time.
    run "unit+integration, 2027-12-01, America/New_York" \
      env TZ=America/New_York faketime '2027-12-01 09:00:00' npx vitest run --project unit --project integration "${skip[@]}"
    # The night the clocks go back in Sofia (03:00 -> 02:00 local, 31 October 2027).
    run "unit+integration, 2027-10-31 DST change, Europe/Sofia" \
      env TZ=Europe/Sofia faketime '2027-10-31 00:40:00' npx vitest run --project unit --project integration "${skip[@]}"
  else
    echo "faketime is missing: apt-get install -y faketime" >&2
    failed+=("fake dates")
  fi
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED layers: ${failed[*]}"
  exit 1
fi
echo "All test layers passed."
