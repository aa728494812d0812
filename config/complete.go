package config

import (
	"maps"
	"slices"
)

// Hints are what shell completion offers from the config file: its context names (for
// --context) and the backup directory it names, else the default one (for snapshot files).
type Hints struct {
	Contexts  []string
	BackupDir string
}

// CompletionHints reads the config file at path ("" for the default path) for completion. A
// file that is missing or does not load gives no contexts and the default backup directory:
// completion never fails, it offers less.
func CompletionHints(path string) Hints {
	if path == "" {
		path = DefaultConfigPath()
	}
	h := Hints{BackupDir: DefaultBackupDir()}
	f, err := LoadFile(path, true)
	if err != nil {
		return h
	}
	h.Contexts = slices.Sorted(maps.Keys(f.Contexts))
	if f.BackupDir != "" {
		h.BackupDir = expandHome(f.BackupDir)
	}
	return h
}
