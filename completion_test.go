package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCompletionScripts: `etcdeck completion SHELL` writes a script that calls back
// `etcdeck __complete`, for each of the four shells, on stdout.
func TestCompletionScripts(t *testing.T) {
	for _, shell := range shells {
		code, out, errText := etcdeck(t, "completion", shell)
		if code != 0 || errText != "" || !strings.Contains(out, "__complete") || !strings.Contains(out, "etcdeck") {
			t.Errorf("completion %s: exit %d, stderr %q, %d bytes without __complete", shell, code, errText, len(out))
		}
	}
}

// TestCompleteValues: what the scripts ask `etcdeck __complete` for: commands, flags, the
// config file's context names for --context, -w's values, and the backup directory's snapshot
// files for snapshot status and restore.
func TestCompleteValues(t *testing.T) {
	dir := t.TempDir()
	backups := filepath.Join(dir, "backups")
	os.MkdirAll(backups, 0o700)
	for _, name := range []string{"etcd-snapshot-a-rev1.db", "etcd-snapshot-a-rev2.db", "notes.txt"} {
		os.WriteFile(filepath.Join(backups, name), []byte("x"), 0o600)
	}
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, []byte("backup-dir: "+backups+"\ncontexts:\n  prod:\n    endpoints: [p:2379]\n  dev:\n    endpoints: [d:2379]\n"), 0o600)
	db1, db2 := filepath.Join(backups, "etcd-snapshot-a-rev1.db"), filepath.Join(backups, "etcd-snapshot-a-rev2.db")

	tests := []struct {
		args []string
		want []string
	}{
		{[]string{""}, []string{"member", "snapshot", "diagnose", "defrag", "usage", "completion", "help"}},
		{[]string{"snapshot", ""}, []string{"save", "status", "restore"}},
		{[]string{"snapshot", "save", "--kee"}, []string{"--keep", "--keep-days", "--keepalive-time", "--keepalive-timeout"}},
		{[]string{"--config", cfg, "--context", ""}, []string{"dev", "prod"}},
		{[]string{"snapshot", "save", "--config", cfg, "--context", "p"}, []string{"prod"}},
		{[]string{"diagnose", "-w", ""}, []string{"table", "json"}},
		{[]string{"snapshot", "status", "-w", ""}, []string{"table", "json"}},
		{[]string{"snapshot", "status", ""}, nil}, // no config: the default backup dir, empty
		{[]string{"completion", ""}, shells},
	}
	for _, tt := range tests {
		code, out, errText := etcdeck(t, append([]string{"__complete"}, tt.args...)...)
		got := completions(out)
		if code != 0 || !slices.Equal(got, tt.want) {
			t.Errorf("__complete %q: exit %d, got %q, want %q (stderr %q)", tt.args, code, got, tt.want, errText)
		}
	}

	// The snapshot files come from the config file's backup-dir, found where the default config
	// lives (status and restore take no --config).
	env := isolatedEnv(t)
	home := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "XDG_CONFIG_HOME="); ok {
			home = v
		}
	}
	os.MkdirAll(filepath.Join(home, "etcdeck"), 0o700)
	data, _ := os.ReadFile(cfg)
	os.WriteFile(filepath.Join(home, "etcdeck", "config.yaml"), data, 0o600)
	for _, args := range [][]string{{"snapshot", "status", ""}, {"snapshot", "restore", ""}, {"snapshot", "restore", filepath.Join(backups, "etcd")}} {
		out := runWithEnv(t, env, append([]string{"__complete"}, args...)...)
		if got := completions(out); !slices.Equal(got, []string{db1, db2}) {
			t.Errorf("__complete %q: got %q, want the two snapshot files\n%s", args, got, out)
		}
	}
	out := runWithEnv(t, env, "__complete", "--context", "")
	if got := completions(out); !slices.Equal(got, []string{"dev", "prod"}) {
		t.Errorf("__complete --context with the default config: got %q", got)
	}
}

// completions are the values of `etcdeck __complete`'s output: its lines before the directive
// (":4"), without their descriptions.
func completions(out string) []string {
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(l, ":") || l == "" {
			continue
		}
		name, _, _ := strings.Cut(l, "\t")
		got = append(got, name)
	}
	return got
}

// runWithEnv runs the binary with env and returns its stdout, failing on a non-zero exit.
func runWithEnv(t *testing.T, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%q: %v", args, err)
	}
	return string(out)
}
