#!/usr/bin/env bash
# Regenerates the README's pictures of each view at 100x30 from the views' golden screens: the
# goldens are drawn anew (go test -update), then TestREADMEPictures writes them into README.md.
# Review the diff: a golden that changed is a screen that changed.
set -euo pipefail
cd "$(dirname "$0")/.."
go test ./views/keys/ -run 'TestGoldenInspector' -update
go test ./views/watch/ -run 'TestGoldenWatch' -update
go test ./views/clusterview/ -run 'TestGoldenCluster' -update
go test ./views/snapshots/ -run 'TestGoldenPlan' -update
ETCDECK_UPDATE_README=1 go test . -run '^TestREADMEPictures$' -count=1
git --no-pager diff --stat -- README.md '*.golden' || true
